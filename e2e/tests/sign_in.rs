//! Signing in and the session, in Chromium against the dev tenant.

use dev_tenant::controls::{Defect, Fault, FaultAction};
use e2e::{ADA, World};
use serde_json::{Value, json};

const SESSION_KEY: &str = "link-accounts.session";

fn fault(status: u16, body: Value, headers: &[(&str, String)]) -> Fault {
    Fault {
        method: Some("GET".into()),
        path: "/api/v2/users/".into(),
        times: 1,
        action: FaultAction::Status {
            status,
            body,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        },
    }
}

#[tokio::test]
async fn signing_in_shows_the_person_and_survives_a_reload() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.wait_for_text("#profile-name", "Ada Lovelace").await;
    w.wait_for_text("#profile-email", "ada@example.com").await;
    w.wait_for_text("#identities", "Google").await;
    w.wait_for_text("#identities", "Main account").await;
    let url = w.browser.current_url().await.unwrap().to_string();
    assert!(
        !url.contains("code=") && !url.contains("state="),
        "scrubbed: {url}"
    );
    let stored: Value = serde_json::from_str(&w.local_storage(SESSION_KEY).await.unwrap()).unwrap();
    assert_eq!(stored["user_id"], e2e::ADA_ID);
    assert_eq!(stored["version"], 1);
    assert_eq!(
        w.requests("POST /oauth/token"),
        2,
        "the code, then the refresh token for the read-only token kept"
    );
    w.reload().await;
    w.wait_for_text("#profile-name", "Ada Lovelace").await;
    assert_eq!(
        w.requests("POST /oauth/token"),
        2,
        "the reload signed in from storage"
    );
    w.close().await;
}

#[tokio::test]
async fn signing_out_ends_the_tenant_session_too() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.click("#sign-out").await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for_text("header", "Sign in").await;
    assert_eq!(w.local_storage(SESSION_KEY).await, None);
    assert_eq!(w.requests("GET /v2/logout 302"), 1);
    // The tenant asks again: its session is gone.
    w.click("#sign-in").await;
    w.wait_for_url(&format!("{}/login", w.tenant_url)).await;
    w.close().await;
}

#[tokio::test]
async fn a_callback_with_an_unknown_state_makes_no_token_request() {
    let w = World::start().await;
    w.browser
        .goto(&format!("{}/?code=stolen&state=forged", w.app_url))
        .await
        .unwrap();
    w.wait_for_text("#problem", "did not ask for").await;
    assert_eq!(w.requests("POST /oauth/token"), 0, "{:?}", w.tenant_log());
    let url = w.browser.current_url().await.unwrap().to_string();
    assert!(!url.contains("stolen"), "scrubbed: {url}");
    w.close().await;
}

#[tokio::test]
async fn cancelling_at_the_tenant_says_so_and_stores_nothing() {
    let w = World::start().await;
    w.open_app().await;
    w.click("#sign-in").await;
    w.wait_for_url(&w.tenant_url).await;
    w.click_link("Cancel").await;
    w.wait_for_text("#problem", "Signing in was cancelled.")
        .await;
    assert_eq!(w.requests("POST /oauth/token"), 0);
    assert_eq!(w.local_storage(SESSION_KEY).await, None);
    w.close().await;
}

#[tokio::test]
async fn an_expired_session_asks_to_sign_in_again_and_comes_back() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    let mut stored: Value =
        serde_json::from_str(&w.local_storage(SESSION_KEY).await.unwrap()).unwrap();
    stored["expires_at"] = json!(1_000);
    w.set_local_storage(SESSION_KEY, &stored.to_string()).await;
    w.reload().await;
    w.wait_for_text("#problem", "Your session has ended. Sign in again.")
        .await;
    assert_eq!(w.local_storage(SESSION_KEY).await, None);
    w.click("#sign-in-again").await;
    // The tenant still knows the person: straight back, signed in.
    w.wait_for_text("#profile-name", "Ada Lovelace").await;
    w.close().await;
}

#[tokio::test]
async fn a_corrupt_stored_session_signs_out_with_a_message() {
    let w = World::start().await;
    w.open_app().await;
    w.wait_for("#sign-in").await;
    for corrupt in ["{not json", r#"{"version":99}"#] {
        w.set_local_storage(SESSION_KEY, corrupt).await;
        w.reload().await;
        w.wait_for_text("#problem", "could not be read").await;
        assert_eq!(w.local_storage(SESSION_KEY).await, None, "{corrupt}");
    }
    w.close().await;
}

#[tokio::test]
async fn every_id_token_defect_is_refused_and_nothing_is_stored() {
    let w = World::start().await;
    w.open_app().await;
    let defects = [
        (Defect::WrongNonce, "does not belong to this sign-in"),
        (Defect::WrongAud, "issued for another application"),
        (Defect::WrongIss, "another issuer"),
        (Defect::Expired, "has expired"),
        (Defect::AlgNone, "\u{201c}none\u{201d}"),
        (Defect::Hs256, "\u{201c}HS256\u{201d}"),
        (Defect::UnknownKid, "key the tenant does not publish"),
        (Defect::BadSignature, "signature does not match"),
        (Defect::NoSub, "names no account"),
        (Defect::AzpMismatch, "issued for another application"),
        (Defect::AudArrayNoAzp, "issued for another application"),
        (Defect::NbfFuture, "not valid yet"),
        (Defect::RotatedOutKid, "key the tenant does not publish"),
    ];
    for (i, (defect, why)) in defects.into_iter().enumerate() {
        w.tenant.controls().set_defect(defect);
        w.click("#sign-in").await;
        if i == 0 {
            w.tenant_login(&ADA).await;
        }
        let text = w.wait_for_text("#problem", why).await;
        assert!(text.contains("nothing was stored"), "{defect:?}: {text}");
        assert_eq!(w.local_storage(SESSION_KEY).await, None, "{defect:?}");
        assert!(!w.has("#profile-name").await, "{defect:?}");
    }
    // The account is read while the ID token is verified, and its answer
    // dropped with the token: a read is all such a token was used for.
    assert_eq!(w.changes(), Vec::<String>::new(), "a change was made");
    w.close().await;
}

#[tokio::test]
async fn tenant_failures_read_as_sentences_and_try_again_recovers() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    let controls = w.tenant.controls();
    let error = |s: u16, m: &str| json!({"statusCode": s, "error": "E", "message": m});

    controls.add_fault(fault(503, error(503, "down"), &[]));
    w.reload().await;
    w.wait_for_text("#problem", "error 503").await;
    w.click("#retry").await;
    w.wait_for_text("#profile-name", "Ada Lovelace").await;

    let reset = w.tenant.now() + 30;
    controls.add_fault(fault(
        429,
        error(429, "Too Many Requests"),
        &[("x-ratelimit-reset", reset.to_string())],
    ));
    w.reload().await;
    let text = w.wait_for_text("#problem", "too many requests").await;
    assert!(text.contains("seconds"), "{text}");
    w.click("#retry").await;
    w.wait_for_text("#profile-name", "Ada Lovelace").await;

    // Browsers retry a request when a reused connection closes unanswered
    // (Chromium once, Firefox several times), so drop many; then clear
    // what is left.
    controls.add_fault(Fault {
        method: Some("GET".into()),
        path: "/api/v2/users/".into(),
        times: 20,
        action: FaultAction::Drop,
    });
    w.reload().await;
    w.wait_for_text("#problem", "could not be reached").await;
    controls.clear_faults();
    w.click("#retry").await;
    w.wait_for_text("#profile-name", "Ada Lovelace").await;

    controls.add_fault(fault(401, error(401, "Invalid token"), &[]));
    w.reload().await;
    w.wait_for_text("#problem", "Your session has ended. Sign in again.")
        .await;
    assert_eq!(w.local_storage(SESSION_KEY).await, None);
    w.close().await;
}

#[tokio::test]
async fn a_tenant_that_does_not_answer_in_time_is_given_up_and_tried_again() {
    // The page is told to wait one second; the tenant is made to take three.
    let w = World::start_with(e2e::AppConfig::Tweaked(|c| {
        c["request_timeout_seconds"] = json!(1)
    }))
    .await;
    w.sign_in(&ADA).await;
    w.tenant.controls().add_fault(Fault {
        method: Some("GET".into()),
        path: "/api/v2/users/".into(),
        times: 1,
        action: FaultAction::Delay { ms: 3000 },
    });
    w.reload().await;
    w.wait_for_text("#problem", "did not answer in time").await;
    w.click("#retry").await;
    w.wait_for_text("#profile-name", "Ada Lovelace").await;
    w.close().await;
}

#[tokio::test]
async fn the_status_line_is_announced_and_buttons_are_buttons() {
    let w = World::start().await;
    w.open_app().await;
    w.wait_for("#sign-in").await;
    let status = w
        .browser
        .find(fantoccini::Locator::Css("#status"))
        .await
        .unwrap();
    assert_eq!(
        status.attr("role").await.unwrap().as_deref(),
        Some("status")
    );
    assert_eq!(
        status.attr("aria-live").await.unwrap().as_deref(),
        Some("polite")
    );
    let sign_in = w
        .browser
        .find(fantoccini::Locator::Css("#sign-in"))
        .await
        .unwrap();
    assert_eq!(sign_in.tag_name().await.unwrap(), "button");
    w.close().await;
}

#[tokio::test]
async fn a_config_json_changed_during_the_round_trip_is_refused_with_nothing_stored() {
    let w = World::start().await;
    w.open_app().await;
    w.click("#sign-in").await;
    // While the person is at the tenant, the deployment changes
    // `config.json` (here: another request time-out, a harmless field).
    let mut changed: Value = serde_json::from_str(&w.config.get().unwrap()).unwrap();
    changed["request_timeout_seconds"] = json!(19);
    w.config.set(Some(changed.to_string()));
    w.tenant_login(&ADA).await;
    w.wait_for_text("#problem", "settings changed while you were signing in")
        .await;
    assert_eq!(w.local_storage(SESSION_KEY).await, None, "nothing stored");
    // The code was exchanged while `config.json` loaded, with the
    // configuration the round-trip began with; its tokens were never used.
    assert_eq!(w.requests("POST /oauth/token"), 1);
    assert_eq!(w.requests("GET /api/v2/users/"), 0, "no account read");
    assert_eq!(w.changes(), Vec::<String>::new());
    // Signing in again, with the new file, works (the tenant's session
    // answers at once).
    w.click("#sign-in").await;
    w.wait_for_text("#profile-name", "Ada Lovelace").await;
    w.close().await;
}
