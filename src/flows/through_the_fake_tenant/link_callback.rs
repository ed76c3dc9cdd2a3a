//! The link callback: the signed-in-user rule, the gates, and what the
//! other account is.

use super::*;

#[test]
fn a_link_callback_verifies_the_account_and_stores_it_as_pending() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    assert_eq!(
        (
            pending.primary.as_str(),
            pending.sub.as_str(),
            pending.connection.as_str()
        ),
        (ADA, ADA_GITHUB, "github")
    );
    assert_eq!(linking::load_pending(&page.tab, &ada), Some(pending));
    assert!(
        !page.tenant.calls().contains(&Call::Link),
        "nothing is linked before the person confirms"
    );
    assert!(
        page.stored_session().unwrap().contains(ADA),
        "the session stays Ada's"
    );
}

#[test]
fn a_link_callback_completes_only_for_the_user_who_started_it() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let calls = page.tenant.calls();
    // Bob signed in in another tab of this browser meanwhile, or Ada signed out.
    let bob = Session {
        user_id: BOB.into(),
        ..ada.clone()
    };
    for current in [Some(&bob), None] {
        let cb = page.link_callback(&ada, "github", ADA_GITHUB, json!({}));
        let (problem, pending) = refused(page.complete(&cb, current));
        assert_eq!(
            problem.message.en(),
            "This link was started for an account that is not signed in here now, so nothing was linked."
        );
        assert_eq!(pending, None);
        assert!(page.tab.keys().iter().all(|k| !k.contains("pending")));
    }
    assert_eq!(page.tenant.calls(), calls, "no code was exchanged");
}

#[test]
fn the_gates_refuse_an_unverified_or_the_same_account_and_keep_the_pending_one() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let earlier = page.pending(&ada);
    let cases = [
        (
            ADA_GITHUB,
            json!({"email_verified": false}),
            "first, then link it.",
        ),
        (
            ADA,
            json!({}),
            "That is the account you are signed in with.",
        ),
        (
            ADA_GITHUB,
            json!({"email": null, "email_verified": null}),
            "no verified email address or phone number",
        ),
    ];
    for (sub, claims, needle) in cases {
        let cb = page.link_callback(&ada, "github", sub, claims);
        let (problem, pending) = refused(page.complete(&cb, Some(&ada)));
        assert!(
            problem.message.en().contains(needle),
            "{}",
            problem.message.en()
        );
        assert_eq!(
            pending.as_ref(),
            Some(&earlier),
            "the earlier pending link stays"
        );
    }
    assert_eq!(linking::load_pending(&page.tab, &ada), Some(earlier));
    assert!(!page.tenant.calls().contains(&Call::Link));
}

#[test]
fn a_cancelled_link_says_nothing_was_changed() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let url = linking::start(&page.env(), &ada, "github", None).unwrap();
    let (state, _) = Page::state_and_nonce(&url);
    let cb = Callback {
        state: Some(state),
        error: Some("access_denied".into()),
        ..Callback::default()
    };
    let (problem, _) = refused(page.complete(&cb, Some(&ada)));
    assert_eq!(
        problem.message.en(),
        "Linking was cancelled. Nothing was changed."
    );
}

#[test]
fn a_401_on_the_link_exchange_ends_the_session_and_clears_it() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    page.pending(&ada);
    let cb = page.link_callback(&ada, "github", ADA_GITHUB, json!({}));
    page.tenant.answer_next(
        Call::Token,
        401,
        r#"{"error":"invalid_client","error_description":"no"}"#,
    );
    let (problem, pending) = refused(page.complete(&cb, Some(&ada)));
    assert_eq!(problem.next, Next::SessionEnded);
    assert_eq!(pending, None);
    assert!(page.stored_session().is_none());
    assert!(page.tab.keys().iter().all(|k| !k.contains("pending")));
}

// What the other account is, read with its own token.

#[test]
fn the_link_callback_reads_the_other_account_with_its_own_token() {
    let page = Page::new();
    page.tenant.set_metadata(
        ADA_GITHUB,
        json!({"editor": "vim"}),
        json!({"plan": "pro", "roles": ["a"]}),
    );
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    assert_eq!(
        page.tenant.calls(),
        [
            Call::Token,
            Call::GetUser,
            Call::Refresh,
            Call::Jwks,
            Call::Token,
            Call::GetUser,
            Call::Refresh,
            Call::Enrollments
        ]
    );
    assert_eq!(pending.factors, Some(0), "its MFA, read with its own token");
    let (access, read) = pending.tokens().expect("it may become main");
    assert_eq!(access.expose(), FakeTenant::access_token(ADA_GITHUB));
    assert_eq!(read.expose(), FakeTenant::read_token(ADA_GITHUB));
    assert_eq!(
        Value::Object(pending.user_metadata.clone()),
        json!({"editor": "vim"})
    );
    assert_eq!(pending.app_metadata_entries, 2);
    let stored = page
        .tab
        .keys()
        .into_iter()
        .find(|k| k.contains("pending"))
        .unwrap();
    let stored = page.tab.text(&stored).unwrap();
    assert!(
        stored.contains("vim") && !stored.contains("pro"),
        "app_metadata's values are never kept: {stored}"
    );
}

#[test]
fn someones_main_account_with_other_sign_ins_is_refused_and_nothing_is_called_after() {
    let page = Page::new();
    page.tenant.add_user("github|77", "bob@github.example");
    page.tenant.link_users(BOB, "github|77");
    let ada = page.signed_in(ADA);
    // Auth0 answers a linked identity's login with its user's main account.
    let cb = page.link_callback(&ada, "github", BOB, json!({}));
    let (problem, _) = refused(page.complete(&cb, Some(&ada)));
    assert_eq!(
        problem.message.en(),
        "That sign-in belongs to the account of bob@example.com, which has 2 sign-in methods. To link it here, sign in as bob@example.com and unlink them there first. Nothing was linked."
    );
    assert_eq!(problem.next, Next::Dismiss);
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
    assert_eq!(
        page.tenant.calls().last(),
        Some(&Call::Revoke),
        "the reads beside the check, then only the refresh token revoked"
    );
    assert!(!page.tenant.calls().contains(&Call::Link));
}

#[test]
fn an_account_of_another_connection_than_chosen_is_refused() {
    let page = Page::new();
    page.tenant.add_user("sms|5", "five@sms.example");
    let ada = page.signed_in(ADA);
    let cb = page.link_callback(&ada, "github", "sms|5", json!({}));
    let (problem, _) = refused(page.complete(&cb, Some(&ada)));
    assert_eq!(
        problem.message.en(),
        "You signed in with SMS, not GitHub, so nothing was linked. To link a GitHub account, choose GitHub on the account service's page."
    );
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
}

#[test]
fn an_account_read_that_disagrees_or_fails_offers_no_link() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    for (status, body, says) in [
        (
            200,
            r#"{"user_id":"github|other","identities":[]}"#,
            "described a different account",
        ),
        (503, "", "had a problem (error 503)"),
        (200, "[1,2", "does not understand"),
    ] {
        let cb = page.link_callback(&ada, "github", ADA_GITHUB, json!({}));
        page.tenant.answer_next(Call::GetUser, status, body);
        let (problem, _) = refused(page.complete(&cb, Some(&ada)));
        assert!(
            problem.message.en().contains(says),
            "{status}: {}",
            problem.message.en()
        );
        assert_eq!(linking::load_pending(&page.tab, &ada), None);
    }
    assert!(!page.tenant.calls().contains(&Call::Link));
}

// The account as the page showed it, kept across the round-trip.

#[test]
fn the_link_callback_draws_the_account_as_shown_without_reading_it_again() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let mut shown = block_on(account::load(&page.env(), &ada)).unwrap();
    shown.user_metadata.insert("theme".into(), json!("dark"));
    let url = linking::start(&page.env(), &ada, "github", Some(&shown)).unwrap();
    let cb = page.come_back(&url, ADA_GITHUB, json!({}));
    let before = page.tenant.calls().len();
    let Returned::LinkReady { shown: kept, .. } = page.complete(&cb, Some(&ada)) else {
        panic!("no pending link");
    };
    assert_eq!(kept, Some(shown), "the account as the page showed it");
    assert_eq!(
        page.tenant.calls()[before..],
        [Call::Token, Call::GetUser, Call::Refresh, Call::Enrollments],
        "the exchange and the other account's reads, not the main account"
    );
    assert!(page.tab.keys().iter().all(|k| !k.contains("shown")));
}

#[test]
fn a_kept_account_of_another_round_trip_or_user_or_garbled_is_not_drawn() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let shown = block_on(account::load(&page.env(), &ada)).unwrap();
    // Another user's account is never kept for Ada's round-trip.
    let mut bob = shown.clone();
    bob.user_id = "auth0|bob".into();
    let url = linking::start(&page.env(), &ada, "github", Some(&bob)).unwrap();
    assert!(page.tab.keys().iter().all(|k| !k.contains("shown")));
    // A later round-trip's account is not this one's.
    let later = linking::start(&page.env(), &ada, "github", Some(&shown)).unwrap();
    assert_ne!(url, later);
    let cb = page.come_back(&url, ADA_GITHUB, json!({}));
    let Returned::LinkReady { shown: kept, .. } = page.complete(&cb, Some(&ada)) else {
        panic!("no pending link");
    };
    assert_eq!(kept, None);
    // Garbled storage: nothing drawn from it, and it is gone.
    linking::clear_pending(&page.tab);
    let url = linking::start(&page.env(), &ada, "github", Some(&shown)).unwrap();
    page.tab.set_text("link-accounts.shown", "{\"state\": 1");
    let cb = page.come_back(&url, ADA_GITHUB, json!({}));
    let Returned::LinkReady { shown: kept, .. } = page.complete(&cb, Some(&ada)) else {
        panic!("no pending link");
    };
    assert_eq!(kept, None);
    assert!(page.tab.text("link-accounts.shown").is_none());
}

#[test]
fn a_kept_account_reads_back_as_the_tenant_answered_it() {
    let page = Page::new();
    page.tenant.set_metadata(
        ADA,
        json!({"theme": "dark", "n": [1, {"a": null}]}),
        json!({"plan": "pro", "roles": []}),
    );
    let ada = page.signed_in(ADA);
    let shown = block_on(account::load(&page.env(), &ada)).unwrap();
    assert_eq!(shown.app_metadata_entries, 2);
    let url = linking::start(&page.env(), &ada, "github", Some(&shown)).unwrap();
    let (state, _) = Page::state_and_nonce(&url);
    assert_eq!(
        linking::take_shown(&page.tab, Some(&state), ADA),
        Some(shown)
    );
}

#[test]
fn a_suggested_connection_is_started_with_the_main_accounts_email_as_the_hint() {
    let page = Page::new();
    let mut ada = page.signed_in(ADA);
    let shown = block_on(account::load(&page.env(), &ada)).unwrap();
    let hint = |session: &Session| {
        let url = linking::start(&page.env(), session, "github", Some(&shown)).unwrap();
        let q = urls::query_params(url.split_once('?').unwrap().1);
        q.into_iter()
            .find(|(k, _)| k == "login_hint")
            .map(|(_, v)| v)
    };
    assert_eq!(hint(&ada), None, "not suggested: no hint");
    ada.suggested = vec!["github".into()];
    assert_eq!(hint(&ada).as_deref(), Some("ada@example.com"));
}
