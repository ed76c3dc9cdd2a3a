//! The metadata merge around a link: an update first when it changes
//! anything, the undo when the link fails, and a reload in between.

use super::*;
use crate::flows::merge::Keep;

/// Ada (`theme`, `language`) signed in, with a pending link for her GitHub
/// account (`editor`, and a `theme` of its own).
fn ada_with_pending_github(page: &Page) -> (Session, PendingLink) {
    page.tenant
        .set_metadata(ADA, json!({"theme": "dark", "language": "en"}), json!({}));
    page.tenant.set_metadata(
        ADA_GITHUB,
        json!({"editor": "vim", "theme": "light", "language": "en"}),
        json!({}),
    );
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    (ada, pending)
}

fn metadata_of(page: &Page, user_id: &str) -> Value {
    page.tenant.user(user_id).unwrap()["user_metadata"].clone()
}

fn main_now(page: &Page) -> Map<String, Value> {
    metadata_of(page, ADA).as_object().cloned().unwrap()
}

/// Confirms `pending` with Ada's metadata as the tenant holds it now.
// The flow's own result, as `linking::confirm` returns it.
#[allow(clippy::result_large_err)]
fn confirm_now(
    page: &Page,
    session: &Session,
    pending: &PendingLink,
) -> Result<linking::Changed, linking::NotLinked> {
    block_on(linking::confirm(
        &page.env(),
        session,
        pending,
        &main_now(page),
    ))
}

fn calls_after(page: &Page, before: usize) -> Vec<Call> {
    page.tenant.calls()[before..].to_vec()
}

#[test]
fn copied_keys_are_sent_first_then_the_link_and_a_conflict_keeps_mains_by_default() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    let before = page.tenant.calls().len();
    let changed = confirm_now(&page, &ada, &pending).unwrap();
    assert_eq!(
        calls_after(&page, before),
        [Call::GetUser, Call::UpdateUser, Call::Link]
    );
    assert_eq!(
        metadata_of(&page, ADA),
        json!({"theme": "dark", "language": "en", "editor": "vim"})
    );
    assert_eq!(
        changed.message.en(),
        "Linked your GitHub account github|4242@mail.example. Its setting \u{201c}editor\u{201d} is now on your main account."
    );
    assert_eq!(changed.main_metadata, Some(main_now(&page)));
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
}

#[test]
fn a_conflict_given_to_the_linked_account_sends_its_value() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    let pending = linking::choose(&page.tab, &pending, "theme", Keep::Linked);
    assert_eq!(
        linking::load_pending(&page.tab, &ada)
            .unwrap()
            .keep("theme"),
        Keep::Linked,
        "the choice survives a reload"
    );
    confirm_now(&page, &ada, &pending).unwrap();
    assert_eq!(
        metadata_of(&page, ADA),
        json!({"theme": "light", "language": "en", "editor": "vim"})
    );
}

#[test]
fn nothing_to_merge_is_only_a_link() {
    let page = Page::new();
    page.tenant
        .set_metadata(ADA, json!({"editor": "vim"}), json!({}));
    page.tenant
        .set_metadata(ADA_GITHUB, json!({"editor": "vim"}), json!({}));
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    let before = page.tenant.calls().len();
    let changed = confirm_now(&page, &ada, &pending).unwrap();
    assert_eq!(calls_after(&page, before), [Call::GetUser, Call::Link]);
    assert_eq!(changed.main_metadata, None);
}

#[test]
fn a_failed_link_after_the_update_puts_the_main_account_back_and_says_so() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    let original = metadata_of(&page, ADA);
    page.tenant.answer_next(Call::Link, 503, "");
    let before = page.tenant.calls().len();
    let not = confirm_now(&page, &ada, &pending).unwrap_err();
    assert_eq!(
        calls_after(&page, before),
        [
            Call::GetUser,
            Call::UpdateUser,
            Call::Link,
            Call::UpdateUser
        ]
    );
    assert_eq!(metadata_of(&page, ADA), original);
    assert!(
        not.problem
            .message
            .en()
            .ends_with("Your main account's settings were put back as they were."),
        "{}",
        not.problem.message.en()
    );
    assert_eq!(not.problem.next, Next::Retry);
    let kept = not.pending.unwrap();
    assert_eq!(kept.undo, None, "nothing is left to undo");
    // The retry works.
    confirm_now(&page, &ada, &kept).unwrap();
    assert_eq!(page.identities_of(ADA), [ADA, ADA_GITHUB]);
    assert_eq!(metadata_of(&page, ADA)["editor"], "vim");
}

#[test]
fn an_undo_that_fails_too_names_the_changed_keys_and_cancel_puts_them_back() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    let original = metadata_of(&page, ADA);
    page.tenant.answer_next(
        Call::Link,
        409,
        r#"{"statusCode":409,"error":"Conflict","message":"Specified identity already exists."}"#,
    );
    // The first update goes through; the undo meets a failure.
    page.tenant.answer_after(Call::UpdateUser, 1, 503, "");
    let not = confirm_now(&page, &ada, &pending).unwrap_err();
    assert!(
        not.problem.message.en().contains(
            "Your main account's setting \u{201c}editor\u{201d} is changed and could not be put back"
        ),
        "{}",
        not.problem.message.en()
    );
    assert_ne!(metadata_of(&page, ADA), original);
    let kept = not.pending.expect("kept, so that cancel can put it back");
    assert!(kept.undo.is_some());
    assert_eq!(linking::load_pending(&page.tab, &ada), Some(kept.clone()));
    let cancelled = block_on(linking::cancel(&page.env(), &ada, &kept)).unwrap();
    assert_eq!(
        cancelled.message.en(),
        "Nothing was linked. Your main account's settings are as they were."
    );
    assert_eq!(metadata_of(&page, ADA), original);
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
    assert_eq!(page.identities_of(ADA), [ADA]);
}

#[test]
fn a_cancel_that_owes_an_undo_after_the_window_asks_to_sign_in_again_first() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    let original = metadata_of(&page, ADA);
    page.tenant.answer_next(Call::Link, 503, "");
    page.tenant.answer_after(Call::UpdateUser, 1, 503, "");
    let kept = confirm_now(&page, &ada, &pending)
        .unwrap_err()
        .pending
        .expect("kept, with its undo");
    // An hour on, the update token is over: the read-only one is never
    // tried; the person is asked to sign in again, and nothing is sent.
    let later = Env {
        now: page.now + 3600,
        ..page.env()
    };
    let before = page.tenant.calls().len();
    let not = block_on(linking::cancel(&later, &ada, &kept)).unwrap_err();
    assert_eq!(not.problem.next, Next::Reauthenticate);
    assert_eq!(
        not.problem.message.en(),
        "To put your main account's settings back as they were, first sign in again to show it is you."
    );
    assert_eq!(calls_after(&page, before), []);
    assert_eq!(not.pending.as_ref(), Some(&kept), "the undo is not lost");
    // Signed in again: the cancel puts the settings back, and the token
    // goes with it.
    page.fresh(&ada);
    block_on(linking::cancel(&page.env(), &ada, &kept)).unwrap();
    assert_eq!(metadata_of(&page, ADA), original);
    assert!(page.tab.keys().iter().all(|k| !k.contains("update-token")));
}

#[test]
fn a_reload_after_the_update_neither_loses_the_plan_nor_updates_twice() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    let original = main_now(&page);
    // The update was sent and the page reloaded before the link: the
    // stored pending link holds the undo, the main account the update.
    page.tenant.answer_next(Call::Link, 503, "");
    page.tenant.answer_after(Call::UpdateUser, 1, 503, "");
    let _ = block_on(linking::confirm(&page.env(), &ada, &pending, &original)).unwrap_err();
    let reloaded = linking::load_pending(&page.tab, &ada).unwrap();
    assert!(reloaded.undo.is_some());
    let now = main_now(&page);
    assert_eq!(now["editor"], "vim");
    // The preview is still of the account as it was before.
    let plan = reloaded.plan(&now);
    assert_eq!(plan[0].key, "editor");
    assert_eq!(plan[0].fate, crate::flows::merge::Fate::Copied);
    let before = page.tenant.calls().len();
    block_on(linking::confirm(&page.env(), &ada, &reloaded, &now)).unwrap();
    assert_eq!(
        calls_after(&page, before),
        [Call::GetUser, Call::Link],
        "no second update"
    );
    assert_eq!(metadata_of(&page, ADA)["editor"], "vim");
}

#[test]
fn a_cancel_without_an_update_sent_calls_nothing() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    let before = page.tenant.calls().len();
    let cancelled = block_on(linking::cancel(&page.env(), &ada, &pending)).unwrap();
    assert_eq!(cancelled.message.en(), "Nothing was linked.");
    assert!(calls_after(&page, before).is_empty());
}

#[test]
fn without_the_metadata_scope_the_step_names_what_is_lost_and_the_link_sends_no_update() {
    let page = Page::new();
    let (mut ada, pending) = ada_with_pending_github(&page);
    // A tenant that does not grant `update:current_user_metadata`.
    ada.scope =
        Some("openid profile email read:current_user update:current_user_identities".into());
    let lost = pending.settings_lost(&ada, &main_now(&page)).unwrap();
    assert!(
        lost.en().contains("does not let this page copy settings")
            && lost.en().contains("\u{201c}editor\u{201d}"),
        "{}",
        lost.en()
    );
    let before = page.tenant.calls().len();
    let changed = confirm_now(&page, &ada, &pending).unwrap();
    assert_eq!(
        calls_after(&page, before),
        [Call::GetUser, Call::Link],
        "no update sent"
    );
    assert_eq!(
        metadata_of(&page, ADA),
        json!({"theme": "dark", "language": "en"}),
        "the main account's settings as they were"
    );
    assert!(
        !changed.message.en().contains("editor"),
        "{}",
        changed.message.en()
    );
    // With the scope, nothing is lost.
    ada.scope = None;
    assert_eq!(pending.settings_lost(&ada, &main_now(&page)), None);
}

#[test]
fn without_the_identities_scope_a_link_is_not_started() {
    let page = Page::new();
    let mut ada = page.signed_in(ADA);
    ada.scope = Some("openid read:current_user update:current_user_metadata".into());
    let before = page.tenant.calls().len();
    let problem = linking::start(&page.env(), &ada, "github", None).unwrap_err();
    assert!(
        problem
            .message
            .en()
            .contains("does not let this page link accounts"),
        "{}",
        problem.message.en()
    );
    assert_eq!(problem.next, Next::Dismiss);
    assert_eq!(calls_after(&page, before), []);
}

#[test]
fn a_403_for_a_missing_scope_reads_as_that_never_as_sign_in_again() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    page.tenant.answer_next(
        Call::UpdateUser,
        403,
        r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope; expected any of: update:current_user_metadata,create:current_user_metadata.","errorCode":"insufficient_scope"}"#,
    );
    let not_linked = confirm_now(&page, &ada, &pending).unwrap_err();
    let problem = not_linked.problem;
    assert_eq!(problem.next, Next::Dismiss);
    assert!(
        problem
            .message
            .en()
            .contains("does not let this page do that")
            && !problem.message.en().contains("Signing in again"),
        "{}",
        problem.message.en()
    );
}

#[test]
fn a_key_added_to_the_main_account_meanwhile_is_shown_as_a_conflict_and_never_removed_by_a_rollback()
 {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    // The step was drawn with Ada's settings as before the round-trip;
    // meanwhile another app gave her an `editor` of her own.
    let shown = main_now(&page);
    page.tenant.set_metadata(
        ADA,
        json!({"theme": "dark", "language": "en", "editor": "emacs"}),
        json!({}),
    );
    let before = page.tenant.calls().len();
    let not_linked = block_on(linking::confirm(&page.env(), &ada, &pending, &shown)).unwrap_err();
    assert_eq!(calls_after(&page, before), [Call::GetUser], "nothing sent");
    assert!(
        not_linked
            .problem
            .message
            .en()
            .contains("changed since this step was shown"),
        "{}",
        not_linked.problem.message.en()
    );
    let fresh = not_linked.main_metadata.expect("the account as it is now");
    assert_eq!(fresh["editor"], "emacs");
    let pending = not_linked.pending.expect("the pending link stays");
    // Drawn again: `editor` is now a conflict, main's value kept by default.
    let plan = pending.plan(&fresh);
    let editor = plan.iter().find(|k| k.key == "editor").unwrap();
    assert!(matches!(
        editor.fate,
        crate::flows::merge::Fate::Conflict { .. }
    ));
    // The person takes GitHub's value; the link then fails: the rollback
    // puts `emacs` back, it does not delete the key.
    let pending = linking::choose(&page.tab, &pending, "editor", Keep::Linked);
    page.tenant.answer_next(
        Call::Link,
        503,
        r#"{"statusCode":503,"error":"Service Unavailable","message":"down"}"#,
    );
    let not_linked = block_on(linking::confirm(&page.env(), &ada, &pending, &fresh)).unwrap_err();
    assert!(
        not_linked.problem.message.en().contains("put back"),
        "{}",
        not_linked.problem.message.en()
    );
    assert_eq!(metadata_of(&page, ADA)["editor"], "emacs");
}

#[test]
fn making_the_other_account_main_is_checked_again_at_confirm() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    let main = page.read_user(ADA);
    let pending = linking::choose_main(&page.tab, &pending, &main, true).unwrap();
    // Meanwhile Ada's main account gained a linked account elsewhere.
    page.tenant.add_user("sms|9", "nine@sms.example");
    page.tenant.link_users(ADA, "sms|9");
    let before = page.tenant.calls().len();
    let not_linked = block_on(linking::confirm(
        &page.env(),
        &ada,
        &pending,
        &main.user_metadata,
    ))
    .unwrap_err();
    assert_eq!(calls_after(&page, before), [Call::GetUser], "nothing sent");
    assert!(
        not_linked
            .problem
            .message
            .en()
            .contains("1 other linked account,"),
        "{}",
        not_linked.problem.message.en()
    );
    assert!(not_linked.pending.is_some());
}

#[test]
fn an_undo_a_closed_tab_left_owed_is_put_back_when_the_page_next_opens() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    // The update is sent, then the link ends the session (a 401): the undo
    // cannot be sent, and the tab is closed.
    page.tenant.answer_next(
        Call::Link,
        401,
        r#"{"statusCode":401,"error":"Unauthorized","message":"Expired token received for JSON Web Token validation","errorCode":"invalid_token"}"#,
    );
    let not_linked = confirm_now(&page, &ada, &pending).unwrap_err();
    assert_eq!(not_linked.problem.next, Next::SessionEnded);
    assert_eq!(
        metadata_of(&page, ADA)["editor"],
        "vim",
        "changed, not put back"
    );
    // Ada signs in again and opens the page in another tab, a minute on:
    // that sign-in gives the tab its update token.
    let other_tab = MemoryStore::default();
    crate::flows::step_up::keep_update(
        &other_tab,
        ADA,
        &crate::auth::Secret(FakeTenant::access_token(ADA)),
        page.now + 600,
        page.now,
    );
    let later = Env {
        tab: &other_tab,
        now: page.now + 60,
        ..page.env()
    };
    // Too soon after it was written, it may still be in flight elsewhere.
    let soon = Env {
        tab: &other_tab,
        now: page.now + 5,
        ..page.env()
    };
    assert_eq!(
        block_on(linking::owed::settle_owed(&soon, &ada, None)),
        None
    );
    let said = block_on(linking::owed::settle_owed(&later, &ada, None))
        .expect("something owed")
        .expect("put back");
    assert!(
        said.en().contains("\u{201c}editor\u{201d}"),
        "{}",
        said.en()
    );
    assert_eq!(
        metadata_of(&page, ADA),
        json!({"theme": "dark", "language": "en"})
    );
    assert_eq!(
        block_on(linking::owed::settle_owed(&later, &ada, None)),
        None,
        "settled once"
    );
}

#[test]
fn a_link_made_settles_what_was_owed() {
    let page = Page::new();
    let (ada, pending) = ada_with_pending_github(&page);
    confirm_now(&page, &ada, &pending).unwrap();
    let later = Env {
        now: page.now + 60,
        ..page.env()
    };
    assert_eq!(
        block_on(linking::owed::settle_owed(&later, &ada, None)),
        None
    );
    assert_eq!(
        metadata_of(&page, ADA)["editor"],
        "vim",
        "kept: the link was made"
    );
}
