//! The attack corpus: each case is run in the browser against the dev tenant,
//! and each must end with a clear sentence on the page, nothing stored that
//! the attack brought, and — from the tenant's request log — no link,
//! unlink or update call. The cases are tables; each table shares one
//! browser, cleared between cases.

use dev_tenant::controls::Defect;
use e2e::{ADA, ADA_ID, AppConfig, Login, World};
use serde_json::{Value, json};

const SESSION_KEY: &str = "link-accounts.session";
const ADA_GITHUB: Login = Login::Social {
    connection: "github",
    email: "ada@example.com",
};

/// Runs `script` in the page.
async fn js(w: &World, script: &str) {
    w.browser
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"));
}

/// A transaction of this tab, as the page stores it, `age` seconds old,
/// begun with the configuration the page has.
fn transaction(w: &World, state: &str, purpose: &str, age: i64) -> String {
    let config = serde_json::to_string(&w.config.get().unwrap_or_default()).unwrap();
    let redirect_uri = serde_json::to_string(&format!("{}/", w.app_url)).unwrap();
    format!(
        "sessionStorage.setItem('link-accounts.tx.{state}', JSON.stringify(Object.assign({purpose}, \
         {{verifier: 'v'.repeat(43), nonce: 'n-{state}', created_at: Math.floor(Date.now() / 1000) - {age}, \
         config: {config}, redirect_uri: {redirect_uri}}})));"
    )
}

/// Every case ends like this: the sentence, nothing stored, no change.
async fn refused(w: &World, case: &str, sentence: &str, signed_in: Option<&str>) {
    let text = w
        .wait_for_text("#problem, .config-error, body", sentence)
        .await;
    assert!(!text.is_empty(), "{case}");
    match signed_in {
        None => assert_eq!(w.local_storage(SESSION_KEY).await, None, "{case}: stored"),
        Some(user) => {
            let s = w.local_storage(SESSION_KEY).await.unwrap_or_default();
            assert!(
                s.contains(user),
                "{case}: the session is no longer {user}'s: {s}"
            );
        }
    }
    let pending = w.session_storage("link-accounts.pending-link").await;
    assert!(pending.is_none(), "{case}: a pending link was stored");
    assert_eq!(w.changes(), Vec::<String>::new(), "{case}");
}

#[tokio::test]
async fn forged_replayed_missing_repeated_expired_and_foreign_callbacks() {
    let w = World::start().await;
    let app = w.app_url.clone();
    // (case, script run first on the page, query, sentence)
    let cases: Vec<(&str, String, String, &str)> = vec![
        ("forged state", String::new(), "?code=c&state=forged".into(), "did not ask for"),
        ("missing state", String::new(), "?code=c".into(), "did not ask for"),
        ("empty state", String::new(), "?code=c&state=".into(), "did not ask for"),
        (
            "repeated state",
            transaction(&w, "r1", "{purpose: 'login'}", 0),
            "?code=c&state=r1&state=r1".into(),
            "given twice",
        ),
        (
            "repeated code",
            transaction(&w, "r2", "{purpose: 'login'}", 0),
            "?code=c&code=d&state=r2".into(),
            "given twice",
        ),
        (
            "expired state",
            transaction(&w, "old", "{purpose: 'login'}", 700),
            "?code=c&state=old".into(),
            "more than ten minutes",
        ),
        (
            "no code",
            transaction(&w, "nc", "{purpose: 'login'}", 0),
            "?state=nc".into(),
            "sent no code back",
        ),
        (
            "a code the tenant never gave",
            transaction(&w, "bad", "{purpose: 'login'}", 0),
            "?code=never-issued&state=bad".into(),
            "Signing in did not finish",
        ),
        (
            "replayed state",
            String::new(),
            "?code=never-issued&state=bad".into(),
            "did not ask for",
        ),
        (
            "error with markup and a forged state",
            String::new(),
            "?error=access_denied&error_description=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&state=forged".into(),
            "did not ask for",
        ),
        (
            "error with markup and a real state",
            transaction(&w, "em", "{purpose: 'login'}", 0),
            "?error=access_denied&error_description=%3Cb%3Ebye%3C%2Fb%3E&state=em".into(),
            "\u{201c}<b>bye</b>\u{201d}",
        ),
        (
            "a link state with nobody signed in",
            transaction(&w, "ln", "{purpose: 'link', primary: 'google-oauth2|104857600000000000001', connection: 'github'}", 0),
            "?code=c&state=ln".into(),
            "not signed in here now",
        ),
    ];
    for (case, setup, query, sentence) in cases {
        w.open_app().await;
        w.wait_for("#sign-in").await;
        if !setup.is_empty() {
            js(&w, &setup).await;
        }
        w.browser.goto(&format!("{app}/{query}")).await.unwrap();
        refused(&w, case, sentence, None).await;
        assert!(
            !w.has("#problem img, #problem b").await,
            "{case}: markup was rendered"
        );
        let url = w.browser.current_url().await.unwrap().to_string();
        assert!(!url.contains("code="), "{case}: the code stayed in {url}");
    }
    // A state from another tab: this tab's storage does not have it.
    w.open_app().await;
    js(&w, &transaction(&w, "tab1", "{purpose: 'login'}", 0)).await;
    let first = w.browser.window().await.unwrap();
    let other = w.browser.new_window(true).await.unwrap();
    w.browser.switch_to_window(other.handle).await.unwrap();
    w.browser
        .goto(&format!("{app}/?code=c&state=tab1"))
        .await
        .unwrap();
    refused(&w, "a state from another tab", "did not ask for", None).await;
    w.browser.close_window().await.unwrap();
    w.browser.switch_to_window(first).await.unwrap();
    assert_eq!(
        w.requests("POST /oauth/token 200"),
        0,
        "no code was ever exchanged"
    );
    w.close().await;
}

#[tokio::test]
async fn every_id_token_defect_on_sign_in() {
    let w = World::start().await;
    let defects = [
        (Defect::AlgNone, "\u{201c}none\u{201d}"),
        (Defect::Hs256, "\u{201c}HS256\u{201d}"),
        (Defect::UnknownKid, "key the tenant does not publish"),
        (Defect::RotatedOutKid, "key the tenant does not publish"),
        (Defect::BadSignature, "signature does not match"),
        (Defect::FourSegments, "malformed"),
        (Defect::FiveSegments, "malformed"),
        (Defect::WrongIss, "another issuer"),
        (Defect::NoIss, "another issuer"),
        (Defect::WrongAud, "issued for another application"),
        (Defect::NoAud, "issued for another application"),
        (Defect::AzpMismatch, "issued for another application"),
        (Defect::AudArrayNoAzp, "issued for another application"),
        (Defect::Expired, "has expired"),
        (Defect::NoExp, "has expired"),
        (Defect::IatFuture, "issued in the future"),
        (Defect::NbfFuture, "not valid yet"),
        (Defect::WrongNonce, "does not belong to this sign-in"),
        (Defect::NoNonce, "does not belong to this sign-in"),
        (Defect::NoSub, "names no account"),
    ];
    w.open_app().await;
    for (i, (defect, why)) in defects.into_iter().enumerate() {
        w.tenant.controls().set_defect(defect);
        w.click("#sign-in").await;
        if i == 0 {
            w.tenant_login(&ADA).await;
        }
        refused(&w, &format!("{defect:?}"), why, None).await;
        assert!(!w.has("#profile-name").await, "{defect:?}");
    }
    // The account is read while the ID token is verified, and its answer
    // dropped with the token: `refused` checked that no change was made.
    w.close().await;
}

#[tokio::test]
async fn attacks_on_the_link_path() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    let ada = "google-oauth2|104857600000000000001";
    let bob_github = Login::Social {
        connection: "github",
        email: "bob@example.com",
    };
    // (case, defect for the other account's ID token, who signs in, sentence)
    let cases = [
        (
            "email_verified false",
            Some(Defect::EmailNotVerified),
            &ADA_GITHUB,
            "first, then link it",
        ),
        (
            "email_verified missing",
            Some(Defect::NoEmailVerified),
            &ADA_GITHUB,
            "first, then link it",
        ),
        (
            "email_verified \"true\"",
            Some(Defect::EmailVerifiedString),
            &ADA_GITHUB,
            "first, then link it",
        ),
        (
            "a sign-in that is not fresh",
            Some(Defect::OldAuthTime),
            &ADA_GITHUB,
            "fresh sign-in",
        ),
        (
            "no auth_time",
            Some(Defect::NoAuthTime),
            &ADA_GITHUB,
            "fresh sign-in",
        ),
        (
            "a bad signature",
            Some(Defect::BadSignature),
            &ADA_GITHUB,
            "signature does not match",
        ),
        (
            "another user's linked account",
            None,
            &bob_github,
            "belongs to the account of bob@example.com",
        ),
    ];
    for (case, defect, who, sentence) in cases {
        w.tenant.controls().clear_log();
        w.click_button("Link GitHub account").await;
        w.wait_for_url(&w.tenant_url).await;
        if let Some(d) = defect {
            w.tenant.controls().set_defect(d);
        }
        w.tenant_login(who).await;
        w.wait_for_url(&w.app_url).await;
        refused(&w, case, sentence, Some(ada)).await;
        assert!(!w.has("#confirm-link").await, "{case}");
        w.click("#dismiss").await;
    }
    // The account signed in with, offered as the other account: the SMS
    // account becomes Ada's while she is at its login, so the tenant answers
    // with her own main account.
    w.tenant.controls().clear_log();
    w.click_button("Link SMS account").await;
    w.wait_for_url(&w.tenant_url).await;
    w.tenant
        .store()
        .link(ada, "sms|65a1b2c3d4e5f6071829aa01", &w.tenant.now_text())
        .unwrap();
    w.tenant_login(&Login::Code {
        connection: "sms",
        who: "+15555550100",
    })
    .await;
    w.wait_for_url(&w.app_url).await;
    refused(
        &w,
        "the other account is the main one",
        "the account you are signed in with",
        Some(ada),
    )
    .await;
    w.close().await;
}

#[tokio::test]
async fn tampered_storage_and_a_link_state_of_another_user() {
    let w = World::start().await;
    let ada = "google-oauth2|104857600000000000001";
    w.sign_in(&ADA).await;
    // A tampered pending link: it names Bob's account.
    w.link_round_trip("GitHub", &ADA_GITHUB).await;
    w.wait_for("#confirm-link").await;
    w.tenant.controls().clear_log();
    js(
        &w,
        "const k = 'link-accounts.pending-link'; const p = JSON.parse(sessionStorage.getItem(k)); \
         p.sub = 'auth0|65a1b2c3d4e5f60718293b0b'; p.email = 'bob@example.com'; \
         sessionStorage.setItem(k, JSON.stringify(p));",
    )
    .await;
    w.reload().await;
    refused(
        &w,
        "a tampered pending link",
        "could not be trusted",
        Some(ada),
    )
    .await;
    assert!(!w.has("#confirm-link").await);
    // A link state answered after the session was swapped for another user's.
    w.click_button("Link GitHub account").await;
    w.wait_for_url(&w.tenant_url).await;
    js(&w, "window.history.back();").await;
    w.wait_for_url(&w.app_url).await;
    js(
        &w,
        "const s = JSON.parse(localStorage.getItem('link-accounts.session')); \
         s.user_id = 'auth0|65a1b2c3d4e5f60718293a4b'; \
         localStorage.setItem('link-accounts.session', JSON.stringify(s));",
    )
    .await;
    w.browser.forward().await.unwrap();
    w.tenant_login(&ADA_GITHUB).await;
    w.wait_for_url(&w.app_url).await;
    refused(
        &w,
        "a link state for another signed-in user",
        "not signed in here now",
        Some("auth0|65a1b2c3d4e5f60718293a4b"),
    )
    .await;
    // The tampered session record itself: the tenant refuses its token for
    // that user, and the page says so.
    w.reload().await;
    w.wait_for("#problem").await;
    assert_eq!(w.changes(), Vec::<String>::new());
    w.close().await;
}

#[tokio::test]
async fn markup_javascript_and_dot_segments_from_the_tenant() {
    let w = World::start().await;
    let ada = "google-oauth2|104857600000000000001";
    w.sign_in(&ADA).await;
    w.link_round_trip(
        "GitHub",
        &Login::Social {
            connection: "github",
            email: "<b>mark</b>@example.com",
        },
    )
    .await;
    let shown = w
        .wait_for_text("#confirm-link", "<script>alert('name')</script>Mark")
        .await;
    assert!(shown.contains("<b>mark</b>@example.com"), "{shown}");
    assert!(
        !w.has("#confirm-link script, #confirm-link b").await,
        "markup rendered"
    );
    assert!(
        !w.has("#confirm-link img").await,
        "a javascript: picture is not shown"
    );
    w.click("#cancel-link-button").await;
    w.wait_for_text("#status", "Nothing was linked.").await;
    // An identity whose id is `..`, linked: its unlink is refused unsent.
    w.tenant
        .store()
        .link(ada, "github|..", &w.tenant.now_text())
        .unwrap();
    w.reload().await;
    w.click("button[aria-label='Unlink GitHub account dots@example.com']")
        .await;
    w.click(".confirm-unlink-button").await;
    refused(
        &w,
        "a dot-segment id",
        "cannot be used in a request safely",
        Some(ada),
    )
    .await;
    // And `|` inside an id travels encoded: Pipe's Discord account.
    w.tenant
        .store()
        .link(
            ada,
            "oauth2|discord|80351110224678912",
            &w.tenant.now_text(),
        )
        .unwrap();
    w.reload().await;
    w.wait_for_text("#identities", "pipe@example.com").await;
    assert_eq!(w.changes(), Vec::<String>::new());
    w.close().await;
}

#[tokio::test]
async fn configuration_tricks_are_refused_before_anything_runs() {
    type Change = fn(&mut serde_json::Value);
    let cases: [(&str, Change); 5] = [
        ("userinfo that looks like loopback", |c| {
            c["domain"] = "http://localhost:1@tenant.example".into()
        }),
        ("an IPv6 loopback as userinfo", |c| {
            c["domain"] = "http://[::1]@tenant.example".into()
        }),
        ("http off loopback", |c| {
            c["domain"] = "http://tenant.example".into()
        }),
        ("a redirect_path that leaves the origin", |c| {
            c["redirect_path"] = "//evil.example/".into()
        }),
        ("an audience with a query", |c| {
            c["audience"] = "https://tenant.example/api/v2/?x=1".into()
        }),
    ];
    for (case, change) in cases {
        let w = World::start_with(AppConfig::Tweaked(change)).await;
        w.open_app().await;
        let text = w.wait_for_text("body", "config.json").await;
        assert!(!w.has("#sign-in").await, "{case}: {text}");
        assert_eq!(w.local_storage(SESSION_KEY).await, None, "{case}");
        assert!(w.tenant_log().is_empty(), "{case}: the tenant was called");
        w.close().await;
    }
}

// Least privilege: what this browser keeps for long cannot change anything.

const ADA_PATH: &str = "/api/v2/users/google-oauth2%7C104857600000000000001";

#[tokio::test]
async fn the_token_kept_in_local_storage_can_read_and_change_nothing() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    let session: Value =
        serde_json::from_str(&w.local_storage(SESSION_KEY).await.unwrap()).unwrap();
    let token = session["access_token"].as_str().unwrap().to_owned();
    let claims = w.tenant.keys().verify(&token).expect("the tenant's token");
    assert_eq!(
        claims["scope"],
        "openid profile email phone read:current_user"
    );
    // Called directly, as anyone who got hold of it would.
    let call = |method: &'static str, path: String, body: Option<Value>| {
        call_tenant(&w.tenant_url, method, path, token.clone(), body)
    };
    assert_eq!(call("GET", ADA_PATH.into(), None).await, 200, "it reads");
    assert_eq!(
        call(
            "PATCH",
            ADA_PATH.into(),
            Some(json!({"user_metadata": {"x": 1}}))
        )
        .await,
        403
    );
    assert_eq!(
        call(
            "POST",
            format!("{ADA_PATH}/identities"),
            Some(json!({"link_with": "an.id.token"}))
        )
        .await,
        403
    );
    assert_eq!(
        call(
            "DELETE",
            format!("{ADA_PATH}/identities/github/4242001"),
            None
        )
        .await,
        403
    );
    let user = w.tenant.store().user(ADA_ID).unwrap().unwrap();
    assert_eq!(user.identities.len(), 1, "nothing linked");
    assert!(user.user_metadata.get("x").is_none(), "nothing updated");
    w.wait_for_tenant_idle().await;
    let changes = w.changes();
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(
        changes.iter().all(|l| l.ends_with(" 403")),
        "no link, unlink or update went through: {changes:?}"
    );
    w.close().await;
}

#[tokio::test]
async fn editing_the_stored_record_does_not_skip_the_fresh_sign_in() {
    let w = World::start().await;
    // Ada signed in an hour ago: her tab has no update token.
    w.tenant.controls().advance_clock(-3600);
    w.sign_in(&ADA).await;
    w.wait_for_tenant_idle().await;
    w.tenant.controls().advance_clock(3600);
    // Someone at her unlocked browser sets auth_time (and the expiry) to now.
    let mut session: Value =
        serde_json::from_str(&w.local_storage(SESSION_KEY).await.unwrap()).unwrap();
    let now = w.tenant.now();
    session["auth_time"] = json!(now);
    session["expires_at"] = json!(now + 86_400);
    w.set_local_storage(SESSION_KEY, &session.to_string()).await;
    w.reload().await;
    w.wait_for("#profile-name").await;
    w.tenant.controls().clear_log();
    w.link_asks_to_sign_in_again("GitHub").await;
    assert!(w.changes().is_empty());
    w.close().await;
}

/// The status of one request to the tenant, with `token`, over plain HTTP.
async fn call_tenant(
    tenant_url: &str,
    method: &str,
    path: String,
    token: String,
    body: Option<Value>,
) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = tenant_url.trim_start_matches("http://").to_owned();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
