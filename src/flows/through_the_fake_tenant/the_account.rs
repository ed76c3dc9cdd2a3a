//! Unlinking, loading the account, signing out.

use super::*;

#[test]
fn unlinking_makes_the_account_separate_again() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    block_on(linking::confirm(&page.env(), &ada, &pending, &Map::new())).unwrap();
    // The sign-in's update token was for that link: the unlink needs
    // another sign-in, and nothing is sent without it.
    let before = page.tenant.calls().len();
    let again = block_on(linking::unlink(
        &page.env(),
        &ada,
        &identity("github", "4242"),
    ))
    .unwrap_err();
    assert_eq!(again.next, Next::Reauthenticate);
    assert!(!page.tenant.calls()[before..].contains(&Call::Unlink));
    page.fresh(&ada);
    let changed = block_on(linking::unlink(
        &page.env(),
        &ada,
        &identity("github", "4242"),
    ))
    .unwrap();
    assert_eq!(changed.identities.len(), 1);
    assert!(
        changed
            .message
            .en()
            .starts_with("Unlinked your GitHub account")
    );
    assert_eq!(page.identities_of(ADA), [ADA]);
    assert_eq!(page.identities_of(ADA_GITHUB), [ADA_GITHUB]);
    assert!(
        page.tab.keys().iter().all(|k| !k.contains("update-token")),
        "gone after the change it was for"
    );
}

#[test]
fn a_refused_or_garbled_unlink_changes_nothing() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let problem = block_on(linking::unlink(
        &page.env(),
        &ada,
        &identity("google-oauth2", "ada"),
    ))
    .unwrap_err();
    assert_eq!(
        problem.message.en(),
        "The account was not unlinked. The account service said: \u{201c}Main identity cannot be removed.\u{201d}"
    );
    assert!(
        page.tab.keys().iter().all(|k| !k.contains("update-token")),
        "a refusal ends the change, and its token"
    );
    page.fresh(&ada);
    page.tenant.answer_next(Call::Unlink, 200, "not json");
    let problem =
        block_on(linking::unlink(&page.env(), &ada, &identity("github", "1"))).unwrap_err();
    assert_eq!(problem.next, Next::Retry);
    assert!(
        page.tab.keys().iter().any(|k| k.contains("update-token")),
        "a failure to retry keeps it"
    );
    assert_eq!(page.identities_of(ADA), [ADA]);
    assert!(page.stored_session().is_some());
}

#[test]
fn loading_the_account_reads_the_user_and_a_missing_user_ends_the_session() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let user = block_on(account::load(&page.env(), &ada)).unwrap();
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    page.tenant
        .answer_next(Call::GetUser, 200, r#"{"user_id": 5}"#);
    let garbled = block_on(account::load(&page.env(), &ada)).unwrap_err();
    assert_eq!(garbled.next, Next::Retry);
    assert!(page.stored_session().is_some());
    page.tenant.answer_next(
        Call::GetUser,
        404,
        r#"{"statusCode":404,"error":"Not Found","message":"The user does not exist."}"#,
    );
    let missing = block_on(account::load(&page.env(), &ada)).unwrap_err();
    assert_eq!(missing.next, Next::SessionEnded);
    assert!(page.stored_session().is_none());
}

#[test]
fn restoring_tells_an_expired_or_unreadable_session_and_removes_it() {
    let mut page = Page::new();
    assert_eq!(
        account::restore(&page.env()),
        account::Restored {
            session: None,
            problem: None
        }
    );
    let ada = page.signed_in(ADA);
    page.pending(&ada);
    assert_eq!(account::restore(&page.env()).session, Some(ada.clone()));
    page.now = ada.expires_at;
    let expired = account::restore(&page.env());
    assert_eq!(expired.problem.unwrap().next, Next::SessionEnded);
    assert!(page.stored_session().is_none());
    assert!(page.tab.keys().iter().all(|k| !k.contains("pending")));
    page.local.set_text(SESSION_KEY, "{corrupt");
    let unreadable = account::restore(&page.env());
    assert!(
        unreadable
            .problem
            .unwrap()
            .message
            .en()
            .contains("could not be read")
    );
    assert!(page.stored_session().is_none());
}

#[test]
fn signing_out_forgets_the_session_and_the_pending_link() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    page.pending(&ada);
    let url = account::sign_out(&page.env());
    assert!(url.starts_with("https://tenant.example/v2/logout?client_id=spa&returnTo="));
    assert!(page.stored_session().is_none());
    assert!(page.tab.keys().iter().all(|k| !k.contains("pending")));
}

#[test]
fn starting_a_link_binds_the_round_trip_to_the_signed_in_user() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let url = linking::start(&page.env(), &ada, "github", None).unwrap();
    let (state, _) = Page::state_and_nonce(&url);
    assert!(url.contains("connection=github") && url.contains("prompt=login"));
    let tx = transaction::take(&page.tab, Some(&state), page.now).unwrap();
    assert_eq!(
        tx.purpose,
        Purpose::Link {
            primary: ADA.into(),
            connection: "github".into()
        }
    );
}

#[test]
fn an_identity_id_of_dot_segments_is_never_put_in_a_path() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    for (provider, id) in [
        ("github", "."),
        ("github", ".."),
        ("..", "1"),
        ("github", ""),
    ] {
        let problem =
            block_on(linking::unlink(&page.env(), &ada, &identity(provider, id))).unwrap_err();
        assert!(
            problem
                .message
                .en()
                .contains("cannot be used in a request safely"),
            "{provider}|{id}"
        );
    }
    assert!(!page.tenant.calls().contains(&Call::Unlink));
}
