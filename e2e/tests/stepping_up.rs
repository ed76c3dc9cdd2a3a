//! A recent sign-in before a change, in Chromium against the dev tenant:
//! the tenant's movable clock makes Ada's sign-in an hour old, and each test
//! checks the tenant's request log for what was, and was not, asked.

use e2e::{ADA, ADA_ID, Login, World};

const ADA_GITHUB: Login = Login::Social {
    connection: "github",
    email: "ada@example.com",
};
const ADA_GITHUB_ID: &str = "github|4242001";

/// Signs Ada in with a sign-in at the tenant an hour old.
async fn ada_signed_in_an_hour_ago(w: &World) {
    let controls = w.tenant.controls();
    controls.advance_clock(-3600);
    w.sign_in(&ADA).await;
    w.wait_for_tenant_idle().await;
    controls.advance_clock(3600);
    controls.clear_log();
}

#[tokio::test]
async fn an_old_session_signs_in_again_before_a_link_then_goes_on_to_the_other_account() {
    let w = World::start().await;
    ada_signed_in_an_hour_ago(&w).await;
    w.link_asks_to_sign_in_again("GitHub").await;
    w.click("#reauthenticate").await;
    w.wait_for_url(&w.tenant_url).await;
    // Straight to the main account's own login, not a choice of accounts.
    w.wait_for_text("body", "Sign in with google-oauth2").await;
    w.tenant_login(&ADA).await;
    // Back on the page, and straight on to GitHub's login.
    w.wait_for_url(&format!("{}/login", w.tenant_url)).await;
    w.wait_for_text("body", "Sign in with github").await;
    assert!(w.changes().is_empty(), "{:?}", w.changes());
    w.tenant_login(&ADA_GITHUB).await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for_text("#confirm-link", "Link this GitHub account?")
        .await;
    w.click("#confirm-link-button").await;
    w.wait_for_text("#identities", "GitHub").await;
    w.close().await;
}

#[tokio::test]
async fn an_old_session_signs_in_again_before_an_unlink_and_comes_back_to_the_question() {
    let w = World::start().await;
    w.tenant
        .store()
        .link(ADA_ID, ADA_GITHUB_ID, &w.tenant.now_text())
        .unwrap();
    ada_signed_in_an_hour_ago(&w).await;
    w.click("button[aria-label='Unlink GitHub account ada@example.com']")
        .await;
    w.click(".confirm-unlink-button").await;
    w.wait_for_text("#problem", "Unlinking an account changes how you sign in")
        .await;
    assert!(w.changes().is_empty(), "{:?}", w.changes());
    w.click("#reauthenticate").await;
    w.tenant_login(&ADA).await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for_text("#identities", "It becomes a separate account again")
        .await;
    w.wait_for_text("#status", "You signed in again.").await;
    assert!(w.changes().is_empty(), "nothing runs without the click");
    w.click(".confirm-unlink-button").await;
    w.wait_for_text("#status", "Unlinked your GitHub account ada@example.com.")
        .await;
    assert_eq!(
        w.changes(),
        [
            "DELETE /api/v2/users/google-oauth2%7C104857600000000000001/identities/github/4242001 200"
        ]
    );
    w.close().await;
}

#[tokio::test]
async fn cancelling_the_sign_in_again_changes_nothing() {
    let w = World::start().await;
    ada_signed_in_an_hour_ago(&w).await;
    w.click_button("Link GitHub account").await;
    w.click("#reauthenticate").await;
    w.wait_for_url(&w.tenant_url).await;
    w.click_link("Cancel").await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for_text(
        "#problem",
        "Signing in again was cancelled, so nothing was changed.",
    )
    .await;
    w.wait_for_text("#profile-name", "Ada Lovelace").await;
    assert!(w.local_storage("link-accounts.session").await.is_some());
    assert!(w.changes().is_empty());
    assert_eq!(w.requests("POST /oauth/token"), 0);
    w.close().await;
}

#[tokio::test]
async fn a_link_round_trip_without_a_fresh_sign_in_is_refused() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.click_button("Link GitHub account").await;
    w.wait_for_url(&w.tenant_url).await;
    w.tenant
        .controls()
        .set_defect(dev_tenant::controls::Defect::OldAuthTime);
    w.tenant_login(&ADA_GITHUB).await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for_text(
        "#problem",
        "did not ask for a fresh sign-in this time, so nothing was linked",
    )
    .await;
    assert!(!w.has("#confirm-link").await);
    assert!(w.changes().is_empty(), "{:?}", w.changes());
    w.close().await;
}

#[tokio::test]
async fn the_sign_in_asks_for_max_age_so_a_link_right_after_it_needs_no_second_sign_in() {
    // Auth0 puts `auth_time` in the ID token only when `max_age` or
    // `prompt=login` was asked, and the dev tenant does the same.
    let w = World::start().await;
    w.sign_in(&ADA).await;
    let session: serde_json::Value =
        serde_json::from_str(&w.local_storage("link-accounts.session").await.unwrap()).unwrap();
    assert!(
        session["auth_time"].is_i64(),
        "the sign-in's ID token said when: {session}"
    );
    w.tenant.controls().clear_log();
    w.click_button("Link GitHub account").await;
    w.wait_for_text("body", "Sign in with github").await;
    assert!(!w.has("#problem").await, "no second sign-in was asked for");
    w.close().await;
}

#[tokio::test]
async fn a_sign_in_whose_id_token_has_no_auth_time_asks_to_sign_in_again_before_a_change() {
    // A tenant that sends no `auth_time` (as Auth0 does without `max_age`).
    let w = World::start().await;
    w.tenant
        .controls()
        .set_defect(dev_tenant::controls::Defect::NoAuthTime);
    w.sign_in(&ADA).await;
    let session: serde_json::Value =
        serde_json::from_str(&w.local_storage("link-accounts.session").await.unwrap()).unwrap();
    assert!(session["auth_time"].is_null(), "{session}");
    w.tenant.controls().clear_log();
    w.link_asks_to_sign_in_again("GitHub").await;
    assert!(w.changes().is_empty());
    w.close().await;
}
