//! Linking and unlinking, in Chromium against the dev tenant; each test
//! checks the tenant's request log for what was, and was not, asked.

use e2e::{ADA, ADA_ID, GRACE, Login, World};
use fantoccini::Locator;

const ADA_GITHUB: Login = Login::Social {
    connection: "github",
    email: "ada@example.com",
};
const ADA_GITHUB_ID: &str = "github|4242001";
const BOB_ID: &str = "auth0|65a1b2c3d4e5f60718293b0b";

/// Signed in as Ada (Google), then through GitHub's page to the confirm step.
async fn ada_at_confirm(w: &World, account: &Login) {
    w.sign_in(&ADA).await;
    w.link_round_trip("GitHub", account).await;
    w.wait_for_text("#confirm-link", "Link this GitHub account?")
        .await;
}

fn link_requests(w: &World) -> Vec<String> {
    w.tenant_log()
        .into_iter()
        .filter(|l| l.starts_with("POST /api/v2/users/"))
        .collect()
}

#[tokio::test]
async fn link_a_google_account_and_see_it_listed() {
    let w = World::start().await;
    w.sign_in(&ADA_GITHUB).await;
    w.wait_for_text("#profile-name", "Ada L.").await;
    let before = w.tenant_log().len();
    w.click_button("Link Google account").await;
    w.tenant_login(&ADA).await;
    w.wait_for_text("#confirm-who", "ada@example.com").await;
    w.wait_for_text("#confirm-link", "Link this Google account?")
        .await;
    w.wait_for_focus("confirm-heading").await;
    assert!(
        link_requests(&w).is_empty(),
        "nothing is linked before the person confirms"
    );
    let profile_reads = || {
        w.tenant_log()
            .iter()
            .filter(|l| l.starts_with("GET /api/v2/users/") && !l.contains("/enrollments"))
            .count()
    };
    let before_confirm = profile_reads();
    w.click("#confirm-link-button").await;
    w.wait_for_text("#status", "Linked your Google account ada@example.com.")
        .await;
    w.wait_for_focus("accounts-heading").await;
    assert_eq!(
        profile_reads(),
        before_confirm + 1,
        "one read at Confirm (the main account as it is then); the list comes from the link's answer"
    );
    let list = w.wait_for_text("#identities", "Google").await;
    assert!(
        list.contains("GitHub") && list.contains("Main account"),
        "{list}"
    );
    assert_eq!(
        link_requests(&w),
        vec!["POST /api/v2/users/github%7C4242001/identities 201"]
    );
    let requests: Vec<String> = w.tenant_log()[before..].to_vec();
    eprintln!(
        "one link made {} HTTP requests to the tenant: {requests:#?}",
        requests.len()
    );
    assert!(
        !w.has("button[data-connection='google-oauth2']").await,
        "Google is no longer offered"
    );
    w.close().await;
}

#[tokio::test]
async fn link_an_sms_account() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.click_button("Link SMS account").await;
    w.tenant_login(&Login::Code {
        connection: "sms",
        who: "+15555550100",
    })
    .await;
    w.wait_for_text("#confirm-who", "+15555550100").await;
    w.click("#confirm-link-button").await;
    let list = w.wait_for_text("#identities", "SMS").await;
    assert!(list.contains("+15555550100"), "{list}");
    assert_eq!(link_requests(&w).len(), 1);
    w.close().await;
}

#[tokio::test]
async fn unlink_gives_the_secondary_back_as_a_user_of_its_own() {
    let w = World::start().await;
    ada_at_confirm(&w, &ADA_GITHUB).await;
    w.click("#confirm-link-button").await;
    w.wait_for_text("#identities", "GitHub").await;
    assert!(w.tenant.store().user(ADA_GITHUB_ID).unwrap().is_none());
    w.click("button[aria-label='Unlink GitHub account ada@example.com']")
        .await;
    w.wait_for_text("#identities", "It becomes a separate account again")
        .await;
    assert_eq!(
        w.requests("DELETE"),
        0,
        "nothing happens before the person confirms"
    );
    w.click(".confirm-unlink-button").await;
    // The sign-in's update token was for the link: the unlink asks for a
    // sign-in of its own, and sends nothing before it.
    w.wait_for_text("#problem", "first sign in again to show it is you")
        .await;
    assert_eq!(w.requests("DELETE"), 0);
    w.sign_in_again(&ADA).await;
    w.click(".confirm-unlink-button").await;
    w.wait_for_text("#status", "Unlinked your GitHub account ada@example.com.")
        .await;
    w.wait_for_focus("accounts-heading").await;
    let list = w
        .browser
        .find(Locator::Css("#identities"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("GitHub"), "{list}");
    assert_eq!(
        w.tenant_log()
            .into_iter()
            .filter(|l| l.starts_with("DELETE"))
            .collect::<Vec<_>>(),
        vec![
            "DELETE /api/v2/users/google-oauth2%7C104857600000000000001/identities/github/4242001 200"
        ]
    );
    let back = w
        .tenant
        .store()
        .user(ADA_GITHUB_ID)
        .unwrap()
        .expect("a user of its own again");
    assert!(back.user_metadata.is_empty());
    w.close().await;
}

#[tokio::test]
async fn an_unverified_email_is_refused_and_no_link_is_requested() {
    let w = World::start().await;
    w.sign_in(&GRACE).await;
    w.click_button("Link Google account").await;
    w.tenant_login(&Login::Social {
        connection: "google-oauth2",
        email: "mallory@example.com",
    })
    .await;
    w.wait_for_text(
        "#problem",
        "Verify mallory@example.com with Google first, then link it.",
    )
    .await;
    assert!(!w.has("#confirm-link").await);
    assert!(link_requests(&w).is_empty());
    w.close().await;
}

#[tokio::test]
async fn linking_the_account_you_are_signed_in_with_is_refused() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.wait_for("button[data-connection='github']").await;
    // Behind the page's back, Ada's GitHub joins her account: signing in
    // with it now signs in Ada herself.
    w.tenant
        .store()
        .link(ADA_ID, ADA_GITHUB_ID, &w.tenant.now_text())
        .unwrap();
    w.click_button("Link GitHub account").await;
    w.tenant_login(&ADA_GITHUB).await;
    w.wait_for_text("#problem", "That is the account you are signed in with.")
        .await;
    assert!(link_requests(&w).is_empty());
    w.close().await;
}

#[tokio::test]
async fn an_account_linked_to_another_user_gives_the_409_sentence() {
    let w = World::start().await;
    ada_at_confirm(&w, &ADA_GITHUB).await;
    // Before Ada confirms, Bob links that GitHub account to himself.
    w.tenant
        .store()
        .link(BOB_ID, ADA_GITHUB_ID, &w.tenant.now_text())
        .unwrap();
    w.click("#confirm-link-button").await;
    w.wait_for_text("#problem", "already linked to another user")
        .await;
    assert_eq!(
        link_requests(&w),
        vec!["POST /api/v2/users/google-oauth2%7C104857600000000000001/identities 409"]
    );
    let list = w
        .browser
        .find(Locator::Css("#identities"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("GitHub"), "{list}");
    assert!(
        w.local_storage("link-accounts.session").await.is_some(),
        "still signed in"
    );
    w.close().await;
}

#[tokio::test]
async fn cancel_on_the_tenant_page_leaves_the_session_intact() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.click_button("Link GitHub account").await;
    w.wait_for_url(&w.tenant_url).await;
    w.click_link("Cancel").await;
    w.wait_for_text("#problem", "Linking was cancelled. Nothing was changed.")
        .await;
    w.wait_for_text("#profile-name", "Ada Lovelace").await;
    assert_eq!(
        w.requests("POST /oauth/token"),
        2,
        "only the sign-in's (its code, then its read-only refresh)"
    );
    assert!(link_requests(&w).is_empty());
    w.close().await;
}

#[tokio::test]
async fn a_name_with_markup_is_shown_as_text() {
    let w = World::start().await;
    ada_at_confirm(
        &w,
        &Login::Social {
            connection: "github",
            email: "eve@example.com",
        },
    )
    .await;
    w.wait_for_text("#confirm-name", "<b>bold</b>").await;
    w.click("#confirm-link-button").await;
    let list = w
        .wait_for_text("#identities", "<img src=x onerror=alert(1)>Eve <b>bold</b>")
        .await;
    assert!(list.contains("eve@example.com"));
    assert!(
        w.browser
            .find_all(Locator::Css("#identities img:not(.avatar), #identities b"))
            .await
            .unwrap()
            .is_empty()
    );
    w.close().await;
}

#[tokio::test]
async fn a_link_callback_opened_in_a_tab_that_did_not_start_it_is_refused() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.click_button("Link GitHub account").await;
    w.wait_for_url(&w.tenant_url).await;
    let login_page = w.browser.current_url().await.unwrap().to_string();
    // Another tab: same browser, same stored session, but not the tab (and
    // so not the sessionStorage) that started the link.
    let tab = w.browser.new_window(true).await.unwrap();
    w.browser.switch_to_window(tab.handle).await.unwrap();
    w.browser.goto(&login_page).await.unwrap();
    w.click_button("Continue as ada@example.com").await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for_text("#problem", "did not ask for").await;
    assert_eq!(
        w.requests("POST /oauth/token"),
        2,
        "only the sign-in's (its code, then its read-only refresh): {:?}",
        w.tenant_log()
    );
    assert!(link_requests(&w).is_empty());
    w.close().await;
}

#[tokio::test]
async fn a_reload_at_the_confirm_step_comes_back_to_it() {
    let w = World::start().await;
    ada_at_confirm(&w, &ADA_GITHUB).await;
    w.reload().await;
    w.wait_for_text("#confirm-link", "Link this GitHub account?")
        .await;
    w.wait_for_focus("confirm-heading").await;
    assert!(link_requests(&w).is_empty(), "a reload never links");
    w.click("#cancel-link-button").await;
    w.wait_for_text("#status", "Nothing was linked.").await;
    w.reload().await;
    w.wait_for("#identities").await;
    assert!(
        !w.has("#confirm-link").await,
        "a cancelled link does not come back"
    );
    assert!(link_requests(&w).is_empty());
    w.close().await;
}

#[tokio::test]
async fn a_double_click_on_confirm_sends_one_request() {
    let w = World::start().await;
    ada_at_confirm(&w, &ADA_GITHUB).await;
    w.browser
        .execute(
            "const b = document.querySelector('#confirm-link-button'); b.click(); b.click();",
            vec![],
        )
        .await
        .unwrap();
    w.wait_for_text("#identities", "GitHub").await;
    w.wait_for_tenant_idle().await;
    assert_eq!(link_requests(&w).len(), 1);
    w.close().await;
}

#[tokio::test]
async fn a_link_that_fails_on_the_network_can_be_tried_again() {
    let w = World::start().await;
    ada_at_confirm(&w, &ADA_GITHUB).await;
    w.tenant_down_once("POST", "/api/v2/users/");
    w.click("#confirm-link-button").await;
    w.wait_for_text("#problem", "The account was not linked")
        .await;
    assert!(
        w.has("#confirm-link").await,
        "the confirm step stays for a retry"
    );
    w.click("#retry").await;
    w.wait_for_text("#identities", "GitHub").await;
    w.close().await;
}
