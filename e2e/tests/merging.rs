//! What a link does to the person's data, in Chromium against the dev
//! tenant: the other account's settings previewed and merged before the
//! link, undone when the link fails, and no surprise merges. Each test
//! checks the tenant's request log and the users' stored metadata.

use e2e::{ADA, ADA_ID, Login, World};
use serde_json::{Value, json};

const ADA_GITHUB: Login = Login::Social {
    connection: "github",
    email: "ada@example.com",
};
const ADA_WORK: Login = Login::Social {
    connection: "github",
    email: "ada@work.example",
};
const BOB_GITHUB: Login = Login::Social {
    connection: "github",
    email: "bob@example.com",
};
const ADA_PATH: &str = "/api/v2/users/google-oauth2%7C104857600000000000001";

/// Signed in as Ada, then through GitHub's page as `account`; the tenant's
/// log is cleared when the link starts.
async fn ada_links_github(w: &World, account: &Login) {
    w.sign_in(&ADA).await;
    w.wait_for_tenant_idle().await;
    w.tenant.controls().clear_log();
    w.link_round_trip("GitHub", account).await;
}

/// Ada's `user_metadata` as the tenant stores it.
fn ada_metadata(w: &World) -> Value {
    let user = w.tenant.store().user(ADA_ID).unwrap().unwrap();
    Value::Object(user.user_metadata)
}

/// The Management API calls in the log (no page loads, no token requests,
/// no CORS preflights, and not the reads of the MFA enrollments the
/// confirm step names, which run beside the rest).
fn api_calls(w: &World) -> Vec<String> {
    w.tenant_log()
        .into_iter()
        .filter(|l| {
            l.contains(" /api/v2/") && !l.starts_with("OPTIONS ") && !l.contains("/enrollments")
        })
        .collect()
}

#[tokio::test]
async fn linking_ada_s_github_copies_its_editor_setting_after_showing_it() {
    let w = World::start().await;
    ada_links_github(&w, &ADA_GITHUB).await;
    let row = w
        .wait_for_text(
            "li.merge-key[data-key='editor']",
            "copied to your main account",
        )
        .await;
    assert!(row.contains("vim"), "{row}");
    assert_eq!(
        ada_metadata(&w),
        json!({"theme": "dark", "language": "en"}),
        "nothing changes before the click"
    );
    w.click("#confirm-link-button").await;
    w.wait_for_text(
        "#status",
        "Its setting \u{201c}editor\u{201d} is now on your main account.",
    )
    .await;
    w.wait_for_tenant_idle().await;
    assert_eq!(
        ada_metadata(&w),
        json!({"theme": "dark", "language": "en", "editor": "vim"})
    );
    assert_eq!(
        api_calls(&w),
        [
            "GET /api/v2/users/github%7C4242001 200".to_owned(),
            format!("GET {ADA_PATH} 200"),
            format!("PATCH {ADA_PATH} 200"),
            format!("POST {ADA_PATH}/identities 201"),
        ],
        "one read of the other account, one update, one link: the main account \
         is drawn as the page showed it before the round-trip"
    );
    w.close().await;
}

#[tokio::test]
async fn a_conflict_keeps_the_main_accounts_value_unless_the_person_chooses() {
    for use_linked in [false, true] {
        let w = World::start().await;
        ada_links_github(&w, &ADA_WORK).await;
        let row = w
            .wait_for_text("li.merge-key[data-key='theme']", "which value stays?")
            .await;
        assert!(row.contains("dark") && row.contains("light"), "{row}");
        w.wait_for_text("li.merge-key[data-key='language']", "the same on both")
            .await;
        if use_linked {
            w.click("li.merge-key[data-key='theme'] input[id^='keep-linked']")
                .await;
        }
        w.click("#confirm-link-button").await;
        w.wait_for_text("#status", "Linked your GitHub account")
            .await;
        w.wait_for_tenant_idle().await;
        let theme = if use_linked { "light" } else { "dark" };
        assert_eq!(ada_metadata(&w), json!({"theme": theme, "language": "en"}));
        let patches = api_calls(&w)
            .iter()
            .filter(|l| l.starts_with("PATCH"))
            .count();
        assert_eq!(
            patches,
            usize::from(use_linked),
            "an update only when something changes"
        );
        w.close().await;
    }
}

#[tokio::test]
async fn a_link_that_fails_after_the_update_puts_the_main_account_back_and_can_be_retried() {
    let w = World::start().await;
    ada_links_github(&w, &ADA_GITHUB).await;
    w.wait_for("li.merge-key[data-key='editor']").await;
    w.tenant_down_once("POST", "/api/v2/users/");
    w.click("#confirm-link-button").await;
    w.wait_for_text(
        "#problem",
        "Your main account's settings were put back as they were.",
    )
    .await;
    w.wait_for_tenant_idle().await;
    assert_eq!(ada_metadata(&w), json!({"theme": "dark", "language": "en"}));
    let calls = api_calls(&w);
    assert_eq!(
        calls[calls.len() - 3..],
        [
            format!("PATCH {ADA_PATH} 200"),
            format!("POST {ADA_PATH}/identities 503"),
            format!("PATCH {ADA_PATH} 200"),
        ]
    );
    w.click("#retry").await;
    w.wait_for_text("#identities", "GitHub").await;
    w.wait_for_tenant_idle().await;
    assert_eq!(ada_metadata(&w)["editor"], "vim");
    w.close().await;
}

#[tokio::test]
async fn bobs_github_offered_on_adas_link_is_refused_with_no_update_and_no_link() {
    let w = World::start().await;
    ada_links_github(&w, &BOB_GITHUB).await;
    let problem = w
        .wait_for_text("#problem", "belongs to the account of bob@example.com")
        .await;
    assert!(problem.contains("2 sign-in methods"), "{problem}");
    assert!(!w.has("#confirm-link").await, "no link is offered");
    w.wait_for_tenant_idle().await;
    let calls = api_calls(&w);
    assert!(
        calls
            .iter()
            .all(|l| !l.starts_with("PATCH") && !l.starts_with("POST")),
        "{calls:?}"
    );
    let bob = w
        .tenant
        .store()
        .user("auth0|65a1b2c3d4e5f60718293b0b")
        .unwrap()
        .expect("Bob is still a user of his own");
    assert_eq!(bob.identities.len(), 2);
    w.close().await;
}

#[tokio::test]
async fn the_password_page_refuses_a_login_for_another_connection_than_asked() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.wait_for_tenant_idle().await;
    w.tenant.controls().clear_log();
    w.click_button("Link GitHub account").await;
    w.wait_for_url(&w.tenant_url).await;
    w.wait_for_text("body", "Continue as ada@example.com").await;
    // A crafted post of the password form, on the page asked for GitHub.
    w.browser
        .execute(
            "const tx = document.querySelector('input[name=tx]').value;
             const f = document.createElement('form');
             f.method = 'post'; f.action = '/login/password';
             for (const [k, v] of [['tx', tx], ['email', 'grace@example.com'],
                                   ['password', 'correct horse battery staple']]) {
               const i = document.createElement('input');
               i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
             }
             document.body.appendChild(f); f.submit();",
            vec![],
        )
        .await
        .unwrap();
    w.wait_for_text("body", "That account cannot sign in here.")
        .await;
    let url = w.browser.current_url().await.unwrap().to_string();
    assert!(url.starts_with(&w.tenant_url), "{url}");
    assert!(
        w.tenant_log()
            .contains(&"POST /login/password 200".to_owned()),
        "the post is answered with the page, not a redirect with a code: {:?}",
        w.tenant_log()
    );
    assert_eq!(w.requests("POST /oauth/token"), 0);
    w.close().await;
}

#[tokio::test]
async fn an_account_with_no_settings_links_with_no_update() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.wait_for_tenant_idle().await;
    w.tenant.controls().clear_log();
    w.link_round_trip(
        "SMS",
        &Login::Code {
            connection: "sms",
            who: "+15555550100",
        },
    )
    .await;
    w.wait_for("#confirm-link").await;
    assert!(!w.has("#merge-plan").await, "the step stays short");
    w.click("#confirm-link-button").await;
    w.wait_for_text("#identities", "SMS").await;
    w.wait_for_tenant_idle().await;
    assert!(
        api_calls(&w).iter().all(|l| !l.starts_with("PATCH")),
        "{:?}",
        api_calls(&w)
    );
    assert_eq!(ada_metadata(&w), json!({"theme": "dark", "language": "en"}));
    w.close().await;
}

#[tokio::test]
async fn a_tenant_that_refuses_the_metadata_scope_links_on_an_explicit_click_and_sends_no_update() {
    let w = World::start_refusing(&["update:current_user_metadata"]).await;
    ada_links_github(&w, &ADA_GITHUB).await;
    let lost = w
        .wait_for_text("#settings-lost", "does not let this page copy settings")
        .await;
    assert!(lost.contains("\u{201c}editor\u{201d}"), "{lost}");
    assert!(!w.has("li.merge-key").await, "no plan that cannot happen");
    w.wait_for_text("#confirm-link-button", "Link, and lose these settings")
        .await;
    w.click("#confirm-link-button").await;
    w.wait_for_text("#identities", "GitHub").await;
    w.wait_for_tenant_idle().await;
    assert_eq!(
        api_calls(&w),
        [
            "GET /api/v2/users/github%7C4242001 200".to_owned(),
            format!("GET {ADA_PATH} 200"),
            format!("POST {ADA_PATH}/identities 201"),
        ],
        "no PATCH was sent"
    );
    assert_eq!(ada_metadata(&w), json!({"theme": "dark", "language": "en"}));
    w.close().await;
}

#[tokio::test]
async fn a_tenant_that_refuses_the_identities_scope_says_so_where_the_buttons_were() {
    let w = World::start_refusing(&["update:current_user_identities"]).await;
    w.sign_in(&ADA).await;
    w.wait_for_text("#link-not-allowed", "does not let this page link accounts")
        .await;
    assert!(
        !w.has("button[data-connection]").await,
        "no button that cannot work"
    );
    assert!(w.changes().is_empty());
    w.close().await;
}

#[tokio::test]
async fn a_key_added_to_the_main_account_during_the_round_trip_is_a_conflict_and_a_failed_link_leaves_it()
 {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.wait_for_tenant_idle().await;
    w.click_button("Link GitHub account").await;
    // While Ada is at GitHub's page, another app gives her main account an
    // `editor` of its own.
    w.tenant
        .store()
        .patch_user_metadata(
            ADA_ID,
            json!({"editor": "emacs"}).as_object().unwrap(),
            &w.tenant.now_text(),
        )
        .unwrap();
    w.tenant_login(&ADA_GITHUB).await;
    w.wait_for_url(&w.app_url).await;
    // The step is drawn from the page's copy, where `editor` is copied...
    w.wait_for_text(
        "li.merge-key[data-key='editor']",
        "copied to your main account",
    )
    .await;
    w.wait_for_tenant_idle().await;
    w.tenant.controls().clear_log();
    w.click("#confirm-link-button").await;
    w.wait_for_text("#problem", "changed since this step was shown")
        .await;
    // ...until Confirm reads the account: a conflict, main's value kept
    // unless the person chooses.
    w.wait_for("li.merge-key[data-key='editor'] fieldset.conflict")
        .await;
    w.wait_for_tenant_idle().await;
    assert_eq!(
        api_calls(&w),
        [format!("GET {ADA_PATH} 200")],
        "nothing sent"
    );
    // Ada takes GitHub's value; the link then fails: `emacs` is put back,
    // not removed.
    w.click("li.merge-key[data-key='editor'] input[id^='keep-linked-']")
        .await;
    w.tenant_down_once("POST", "/api/v2/users/");
    w.click("#confirm-link-button").await;
    w.wait_for_text("#problem", "put back as they were").await;
    w.wait_for_tenant_idle().await;
    assert_eq!(ada_metadata(&w)["editor"], "emacs");
    w.close().await;
}
