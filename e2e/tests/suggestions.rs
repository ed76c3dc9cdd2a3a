//! Suggested linking against the dev tenant with its post-login Action's
//! logic on (`--suggest-linking`, as `cargo xtask dev` runs it): "Found for
//! <email>", "Link it" through the usual round-trip, "Not mine", and
//! nothing suggested without the claim or from a token the page refuses.

use dev_tenant::controls::Defect;
use e2e::{ADA, Login, World};

const ADA_GITHUB: Login = Login::Social {
    connection: "github",
    email: "ada@example.com",
};
const GITHUB: &str = "li[data-suggested='github']";

/// The connections suggested on the page, in its order.
async fn suggested(w: &World) -> Vec<String> {
    let found = w
        .browser
        .execute(
            "return [...document.querySelectorAll('li[data-suggested]')].map(li => li.dataset.suggested);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

#[tokio::test]
async fn ada_is_offered_her_github_account_links_it_and_the_suggestion_is_gone() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.wait_for_text("#suggest-heading", "Found for ada@example.com")
        .await;
    w.wait_for_text(
        GITHUB,
        "GitHub: you also have an account there with this email.",
    )
    .await;
    // The password account that gives her email unverified is not offered.
    assert_eq!(suggested(&w).await, ["github"]);
    // The usual round-trip (with her email as `login_hint`: see the flows'
    // native tests): she still signs in to GitHub.
    w.click(&format!("{GITHUB} .link-it")).await;
    w.tenant_login(&ADA_GITHUB).await;
    w.wait_for_url(&w.app_url).await;
    // The confirm step shows everything first; the suggestion waits.
    w.wait_for_text("#confirm-link", "Link this GitHub account?")
        .await;
    assert!(!w.has("#suggest-heading").await);
    assert!(w.changes().is_empty(), "{:?}", w.changes());
    w.click("#confirm-link-button").await;
    w.wait_for_text("#status", "Linked your GitHub account")
        .await;
    w.wait_for("#identities li[data-identity='github|4242001']")
        .await;
    assert!(!w.has("#suggest-heading").await, "linked: not suggested");
    w.close().await;
}

#[tokio::test]
async fn not_mine_hides_it_across_a_reload_and_says_where_it_comes_back() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.click(&format!("{GITHUB} .not-mine")).await;
    w.wait_for_text("#status", "Show the hidden suggestion")
        .await;
    w.wait_for_focus("link-heading").await;
    assert!(!w.has("#suggest-heading").await);
    w.reload().await;
    w.wait_for("#identities").await;
    w.wait_for_text("#show-hidden", "Show the hidden suggestion")
        .await;
    assert!(!w.has("#suggest-heading").await, "hidden across a reload");
    // The link button is still there: hiding a suggestion links nothing
    // and blocks nothing.
    w.wait_for("button[data-connection='github']").await;
    assert!(w.changes().is_empty(), "{:?}", w.changes());
    w.click("#show-hidden").await;
    w.wait_for(GITHUB).await;
    w.wait_for_focus("suggest-heading").await;
    w.close().await;
}

#[tokio::test]
async fn a_tenant_without_the_action_suggests_nothing() {
    let w = World::start_without_suggestions().await;
    w.sign_in(&ADA).await;
    w.wait_for("button[data-connection='github']").await;
    assert!(!w.has("#suggest-heading").await);
    assert!(!w.has("li[data-suggested]").await);
    w.close().await;
}

#[tokio::test]
async fn the_claim_in_a_token_signed_by_another_key_is_refused_with_the_token() {
    let w = World::start().await;
    w.open_app().await;
    // Ada's ID token carries the claim; signed with a key the tenant does
    // not publish, the whole token is refused, the claim with it.
    w.tenant.controls().set_defect(Defect::RotatedOutKid);
    w.click("#sign-in").await;
    w.tenant_login(&ADA).await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for_text("#problem", "key the tenant does not publish")
        .await;
    assert!(!w.has("#suggest-heading").await);
    assert_eq!(w.local_storage("link-accounts.session").await, None);
    w.close().await;
}
