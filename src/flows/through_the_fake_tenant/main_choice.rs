//! Choosing which account stays main: the link the other way round, the
//! merge in the matching direction, and the session that follows.

use super::*;

impl Page {
    /// A user as the page reads it.
    pub(super) fn read_user(&self, user_id: &str) -> crate::tenant::User {
        serde_json::from_value(self.tenant.user(user_id).unwrap()).unwrap()
    }
}

#[test]
fn the_other_account_can_become_main_only_when_the_main_one_has_no_linked_accounts() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    let chosen = linking::choose_main(&page.tab, &pending, &page.read_user(ADA), true).unwrap();
    assert!(chosen.make_main);
    assert!(
        linking::load_pending(&page.tab, &ada).unwrap().make_main,
        "kept for a reload"
    );
    page.tenant.add_user("sms|9", "nine@sms.example");
    page.tenant.link_users(ADA, "sms|9");
    let problem =
        linking::choose_main(&page.tab, &pending, &page.read_user(ADA), true).unwrap_err();
    assert!(
        problem.message.en().contains("1 other linked account,"),
        "{}",
        problem.message.en()
    );
}

#[test]
fn making_the_other_account_main_links_the_other_way_round_and_the_session_follows() {
    let page = Page::new();
    page.tenant
        .set_metadata(ADA, json!({"theme": "dark"}), json!({}));
    page.tenant
        .set_metadata(ADA_GITHUB, json!({"editor": "vim"}), json!({}));
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    let main = page.read_user(ADA);
    let pending = linking::choose_main(&page.tab, &pending, &main, true).unwrap();
    // The preview is of the account that stops being main: Ada's Google.
    let plan = pending.plan(&main.user_metadata);
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].key, "theme");
    let before = page.tenant.calls().len();
    let changed = block_on(linking::confirm(
        &page.env(),
        &ada,
        &pending,
        &main.user_metadata,
    ))
    .unwrap();
    assert_eq!(
        page.tenant.calls()[before..],
        [Call::GetUser, Call::UpdateUser, Call::Link],
        "the main account read at Confirm, then the update and the link"
    );
    assert!(
        page.tenant.user(ADA).is_none(),
        "Google is now an identity of GitHub's"
    );
    assert_eq!(page.identities_of(ADA_GITHUB), [ADA_GITHUB, ADA]);
    assert_eq!(
        page.tenant.user(ADA_GITHUB).unwrap()["user_metadata"],
        json!({"editor": "vim", "theme": "dark"})
    );
    let session = changed
        .session
        .expect("the session is the new main account's");
    assert_eq!(session.user_id, ADA_GITHUB);
    assert_eq!(
        session.access_token.expose(),
        FakeTenant::read_token(ADA_GITHUB),
        "the stored session can only read, as a sign-in's"
    );
    assert!(
        page.tab.keys().iter().all(|k| !k.contains("update-token")),
        "the update token went with the change it was for"
    );
    assert_eq!(account::restore(&page.env()).session, Some(session));
    assert!(
        changed.message.en().contains("is now your main account"),
        "{}",
        changed.message.en()
    );
}

#[test]
fn switching_direction_starts_the_choices_again_and_is_refused_after_an_update() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    let main = page.read_user(ADA);
    let pending = linking::choose(
        &page.tab,
        &pending,
        "theme",
        crate::flows::merge::Keep::Linked,
    );
    let swapped = linking::choose_main(&page.tab, &pending, &main, true).unwrap();
    assert!(swapped.choices.is_empty());
    let mut sent = swapped.clone();
    sent.undo = Some(Map::new());
    assert!(linking::choose_main(&page.tab, &sent, &main, false).is_err());
}

#[test]
fn the_price_is_for_the_account_that_stops_being_main() {
    let page = Page::new();
    page.tenant
        .set_metadata(ADA, json!({}), json!({"plan": "pro", "tier": 2}));
    page.tenant
        .set_metadata(ADA_GITHUB, json!({}), json!({"roles": ["a"]}));
    page.tenant.set_enrollments(ADA, 2);
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    let main = page.read_user(ADA);
    let factors = block_on(linking::factors(&page.env(), &ada, &pending));
    assert_eq!(
        factors,
        linking::Factors {
            main: Some(2),
            other: Some(0)
        },
        "each read with its own token"
    );
    // Kept as it is: the GitHub account steps down.
    let price = pending.price(&main, Some(factors));
    assert_eq!(
        (
            price.user_id.as_str(),
            price.app_data,
            price.factors,
            price.is_main
        ),
        (ADA_GITHUB, 1, Some(0), false)
    );
    // Made main: Ada's Google account steps down, with its app data and
    // its two factors; its own user id stops existing.
    let made = linking::choose_main(&page.tab, &pending, &main, true).unwrap();
    let price = made.price(&main, Some(factors));
    assert_eq!(
        (
            price.user_id.as_str(),
            price.app_data,
            price.factors,
            price.is_main
        ),
        (ADA, 2, Some(2), true)
    );
    assert_eq!(price.who, "ada@example.com");
    // A read that fails is said as unknown, not as none.
    page.tenant.answer_next(Call::Enrollments, 403, r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope; expected any of: read:users,read:current_user.","errorCode":"insufficient_scope"}"#);
    let factors = block_on(linking::factors(&page.env(), &ada, &pending));
    assert_eq!(factors.main, None);
}

#[test]
fn without_its_tokens_the_other_account_cannot_be_made_main() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    // The tenant refuses the link's refresh: no read-only token for a
    // session of its own, so the choice is not offered.
    page.tenant.answer_next(
        Call::Refresh,
        403,
        r#"{"error":"unauthorized_client","error_description":"no"}"#,
    );
    let pending = page.pending(&ada);
    assert_eq!(pending.tokens(), None);
    assert!(
        !page
            .tab
            .text(
                &page
                    .tab
                    .keys()
                    .into_iter()
                    .find(|k| k.contains("pending"))
                    .unwrap()
            )
            .unwrap()
            .contains(&FakeTenant::access_token(ADA_GITHUB)),
        "its token, which could change it, is not kept"
    );
    let main = page.read_user(ADA);
    let refused = linking::choose_main(&page.tab, &pending, &main, true).unwrap_err();
    assert_eq!(
        refused.message.en(),
        "Not possible now: this page can make that account the main one only right after it signs in. Cancel, then link it again to choose this."
    );
    // A main account with another sign-in already: no refresh token asked.
    page.tenant.add_user("sms|1", "ada@sms.example");
    page.tenant.link_users(ADA, "sms|1");
    let shown = page.read_user(ADA);
    let url = linking::start(&page.env(), &ada, "github", Some(&shown)).unwrap();
    assert!(!url.contains("offline_access"), "{url}");
}
