//! A recent sign-in before a change: an old session is asked to sign in
//! again, the step-up round-trip's rules, and coming back to the change.

use super::*;
use crate::auth::transaction::Action;
use crate::flows::step_up;

impl Page {
    /// Signed in as `user_id`, whose sign-in at the tenant was `ago` seconds back.
    fn signed_in_ago(&self, user_id: &str, ago: i64) -> Session {
        let url = sign_in::start(&self.env());
        let cb = self.come_back(&url, user_id, json!({"auth_time": self.now - ago}));
        match self.complete(&cb, None) {
            Returned::SignedIn { session, .. } => session,
            other => panic!("not signed in: {other:?}"),
        }
    }

    /// The step-up round-trip for `action`, back as `sub` with `claims`.
    fn step_up(&self, session: &Session, action: Action, sub: &str, claims: Value) -> Returned {
        let url = step_up::start(&self.env(), session, action, None);
        let q = urls::query_params(url.split_once('?').unwrap().1);
        assert!(q.contains(&("prompt".into(), "login".into())));
        assert!(q.contains(&("max_age".into(), "0".into())));
        let cb = self.come_back(&url, sub, claims);
        self.complete(&cb, Some(session))
    }
}

fn link_github() -> Action {
    Action::Link {
        connection: "github".into(),
    }
}

#[test]
fn an_old_session_is_asked_to_sign_in_again_before_a_link_starts() {
    let page = Page::new();
    let ada = page.signed_in_ago(ADA, 601);
    let problem = linking::start(&page.env(), &ada, "github", None).unwrap_err();
    assert_eq!(problem.next, Next::Reauthenticate);
    assert!(
        problem
            .message
            .en()
            .starts_with("Linking an account changes how you sign in, so first sign in again"),
        "{}",
        problem.message.en()
    );
    assert!(
        problem.message.en().contains("10 minutes ago"),
        "{}",
        problem.message.en()
    );
    assert!(
        page.tab.keys().iter().all(|k| !k.contains(".tx.")),
        "no link round-trip was begun"
    );
    let fresh = page.signed_in_ago(ADA, 600);
    let url = linking::start(&page.env(), &fresh, "github", None).unwrap();
    assert!(
        url.contains("max_age=0") && url.contains("prompt=login"),
        "{url}"
    );
}

#[test]
fn signing_in_again_stores_the_new_tokens_and_allows_that_change_once_even_with_a_window_of_zero() {
    let mut page = Page::new();
    page.config.reauth_max_age_seconds = 0;
    let ada = page.signed_in_ago(ADA, 0);
    assert!(
        linking::start(&page.env(), &ada, "github", None).is_err(),
        "0: always"
    );
    let Returned::SteppedUp { session, action } = page.step_up(&ada, link_github(), ADA, json!({}))
    else {
        panic!("not stepped up")
    };
    assert_eq!(action, link_github());
    assert_eq!(session.user_id, ADA);
    assert_eq!(account::restore(&page.env()).session, Some(session.clone()));
    assert!(linking::start(&page.env(), &session, "github", None).is_ok());
    assert!(
        linking::start(&page.env(), &session, "github", None).is_err(),
        "the sign-in was for one change"
    );
}

#[test]
fn a_step_up_as_another_account_or_without_a_fresh_sign_in_changes_nothing() {
    let page = Page::new();
    let ada = page.signed_in_ago(ADA, 3600);
    let stored = page.stored_session();
    let (problem, _) = refused(page.step_up(&ada, Action::Confirm, BOB, json!({})));
    assert!(
        problem.message.en().contains("another account"),
        "{}",
        problem.message.en()
    );
    for claims in [
        json!({"auth_time": page.now - 3600}),
        json!({"auth_time": null}),
    ] {
        let (problem, _) = refused(page.step_up(&ada, Action::Confirm, ADA, claims));
        assert!(
            problem.message.en().contains("fresh sign-in"),
            "{}",
            problem.message.en()
        );
    }
    assert_eq!(page.stored_session(), stored, "the session is as it was");
}

#[test]
fn cancelling_the_step_up_says_nothing_was_changed() {
    let page = Page::new();
    let fresh = page.signed_in(ADA);
    let pending = page.pending(&fresh);
    let old = page.signed_in_ago(ADA, 3600);
    // Signing in dropped it; the page had it waiting when the step-up began.
    linking::save_pending(&page.tab, &pending);
    let url = step_up::start(&page.env(), &old, Action::Confirm, None);
    let (state, _) = Page::state_and_nonce(&url);
    let cb = Callback {
        state: Some(state),
        error: Some("access_denied".into()),
        ..Callback::default()
    };
    let (problem, left) = refused(page.complete(&cb, Some(&old)));
    assert_eq!(
        problem.message.en(),
        "Signing in again was cancelled, so nothing was changed."
    );
    assert!(page.stored_session().is_some());
    assert_eq!(
        left.map(|p| p.sub),
        Some(pending.sub),
        "the pending link waits"
    );
}

#[test]
fn a_link_round_trip_without_a_fresh_sign_in_links_nothing() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let cb = page.link_callback(
        &ada,
        "github",
        ADA_GITHUB,
        json!({"auth_time": page.now - 3600}),
    );
    let (problem, _) = refused(page.complete(&cb, Some(&ada)));
    assert!(
        problem.message.en().contains("fresh sign-in"),
        "{}",
        problem.message.en()
    );
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
    assert!(!page.tenant.calls().contains(&Call::Link));
}

#[test]
fn confirming_or_unlinking_with_an_old_session_asks_first_and_calls_nothing() {
    let page = Page::new();
    let fresh = page.signed_in(ADA);
    let pending = page.pending(&fresh);
    let old = page.signed_in_ago(ADA, 3600);
    let calls = page.tenant.calls().len();
    let not = block_on(linking::confirm(&page.env(), &old, &pending, &Map::new())).unwrap_err();
    assert_eq!(not.problem.next, Next::Reauthenticate);
    assert!(
        not.pending.is_some(),
        "the confirm step waits, with its choices"
    );
    let problem = block_on(linking::unlink(
        &page.env(),
        &old,
        &identity("github", "4242"),
    ))
    .unwrap_err();
    assert_eq!(problem.next, Next::Reauthenticate);
    assert!(
        problem.message.en().starts_with("Unlinking an account"),
        "{}",
        problem.message.en()
    );
    assert_eq!(page.tenant.calls().len(), calls, "no call at all");
}
