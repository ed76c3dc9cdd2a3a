//! Least privilege, in Chromium against the dev tenant: what this browser
//! keeps for long can only read; a change needs the token a fresh sign-in
//! gives, kept in the tab; the page's other tabs follow.

use e2e::{ADA, ADA_ID, Login, World};
use serde_json::{Value, json};

const ADA_GITHUB: Login = Login::Social {
    connection: "github",
    email: "ada@example.com",
};
const SESSION_KEY: &str = "link-accounts.session";
const UPDATE_KEY: &str = "link-accounts.update-token";

/// The stored session record.
async fn stored(w: &World) -> Value {
    serde_json::from_str(&w.local_storage(SESSION_KEY).await.expect("a session")).unwrap()
}

#[tokio::test]
async fn the_update_token_lives_in_the_tab_and_goes_on_sign_out() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    let kept: Value =
        serde_json::from_str(&w.session_storage(UPDATE_KEY).await.expect("kept")).unwrap();
    assert_eq!(kept["user_id"], ADA_ID);
    assert!(
        w.local_storage(UPDATE_KEY).await.is_none(),
        "never in localStorage"
    );
    let stored_token = stored(&w).await["access_token"].clone();
    assert_ne!(kept["access_token"], stored_token, "not the stored token");
    // Linking right after signing in needs no second sign-in.
    w.link_round_trip("GitHub", &ADA_GITHUB).await;
    w.click("#confirm-link-button").await;
    w.wait_for_text("#identities", "GitHub").await;
    // The refresh token the sign-in used was revoked.
    assert!(
        w.tenant_log()
            .iter()
            .any(|l| l.starts_with("POST /oauth/revoke 200")),
        "{:?}",
        w.tenant_log()
    );
    assert_eq!(
        w.session_storage(UPDATE_KEY).await,
        None,
        "gone after the change it was for"
    );
    // The next change signs in again for a token of its own, which goes
    // on sign-out, unused.
    w.click("button[aria-label='Unlink GitHub account ada@example.com']")
        .await;
    w.click(".confirm-unlink-button").await;
    w.sign_in_again(&ADA).await;
    w.wait_for(".confirm-unlink-button").await;
    assert!(w.session_storage(UPDATE_KEY).await.is_some());
    w.click("#sign-out").await;
    w.wait_for("#sign-in").await;
    assert_eq!(
        w.session_storage(UPDATE_KEY).await,
        None,
        "gone on sign-out"
    );
    w.close().await;
}

#[tokio::test]
async fn a_sign_out_in_one_tab_signs_out_the_other_and_a_link_in_one_shows_in_the_other() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    let first = w.browser.window().await.unwrap();
    let second = w.browser.new_window(true).await.unwrap();
    w.browser
        .switch_to_window(second.handle.clone())
        .await
        .unwrap();
    w.open_app().await;
    w.wait_for_text("#identities", "Google").await;
    // A link made in the first tab shows in the second.
    w.browser.switch_to_window(first.clone()).await.unwrap();
    w.link_round_trip("GitHub", &ADA_GITHUB).await;
    w.click("#confirm-link-button").await;
    w.wait_for_text("#identities", "GitHub").await;
    w.browser
        .switch_to_window(second.handle.clone())
        .await
        .unwrap();
    w.wait_for_text("#identities", "GitHub").await;
    // A sign-out in the first signs the second out.
    w.browser.switch_to_window(first).await.unwrap();
    w.click("#sign-out").await;
    w.wait_for("#sign-in").await;
    w.browser.switch_to_window(second.handle).await.unwrap();
    w.wait_for("#sign-in").await;
    assert!(!w.has("#profile-name").await);
    w.close().await;
}

#[tokio::test]
async fn the_update_token_goes_with_an_error_that_ends_the_session() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    assert!(w.session_storage(UPDATE_KEY).await.is_some());
    w.link_round_trip("GitHub", &ADA_GITHUB).await;
    w.tenant
        .controls()
        .add_fault(dev_tenant::controls::Fault {
            method: Some("POST".into()),
            path: "/api/v2/users/".into(),
            times: 1,
            action: dev_tenant::controls::FaultAction::Status {
                status: 401,
                body: json!({"statusCode": 401, "error": "Unauthorized", "message": "Expired token received for JSON Web Token validation"}),
                headers: Default::default(),
            },
        });
    w.click("#confirm-link-button").await;
    w.wait_for_text("#problem", "Your session has ended").await;
    assert_eq!(
        w.session_storage(UPDATE_KEY).await,
        None,
        "gone with the session"
    );
    assert_eq!(w.local_storage(SESSION_KEY).await, None);
    w.close().await;
}
