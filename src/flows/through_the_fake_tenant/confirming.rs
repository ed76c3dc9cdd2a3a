//! Confirming and cancelling a pending link.

use super::*;

#[test]
fn confirming_links_the_account_and_drops_the_pending_link() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    let Changed {
        identities,
        message,
        main_metadata,
        session,
    } = block_on(linking::confirm(&page.env(), &ada, &pending, &Map::new())).unwrap();
    assert_eq!(main_metadata, None, "no metadata, no update");
    assert_eq!(session, None, "the session stays Ada's");
    assert!(!page.tenant.calls().contains(&Call::UpdateUser));
    assert_eq!(
        message.en(),
        "Linked your GitHub account github|4242@mail.example."
    );
    assert_eq!(identities.len(), 2);
    assert_eq!(page.identities_of(ADA), [ADA, ADA_GITHUB]);
    assert!(page.tenant.user(ADA_GITHUB).is_none());
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
}

#[test]
fn a_failed_link_keeps_the_pending_link_only_when_it_can_be_retried() {
    let cases = [
        (503, "", Next::Retry, true),
        (200, "{garbage", Next::Retry, true),
        (
            409,
            r#"{"statusCode":409,"error":"Conflict","message":"Specified identity already exists."}"#,
            Next::Dismiss,
            false,
        ),
        (
            403,
            r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope"}"#,
            Next::SignIn,
            false,
        ),
        (
            401,
            r#"{"statusCode":401,"error":"Unauthorized","message":"Expired token"}"#,
            Next::SessionEnded,
            false,
        ),
    ];
    for (status, body, next, kept) in cases {
        let page = Page::new();
        let ada = page.signed_in(ADA);
        let pending = page.pending(&ada);
        page.tenant.answer_next(Call::Link, status, body);
        let NotLinked {
            problem,
            pending: left,
            ..
        } = block_on(linking::confirm(&page.env(), &ada, &pending, &Map::new())).unwrap_err();
        assert_eq!(problem.next, next, "{status} {body}");
        assert_eq!(left.is_some(), kept, "{status}");
        assert_eq!(
            linking::load_pending(&page.tab, &ada).is_some(),
            kept,
            "{status}"
        );
        assert_eq!(page.stored_session().is_some(), next != Next::SessionEnded);
        assert_eq!(page.identities_of(ADA), [ADA], "nothing was linked");
    }
}

#[test]
fn an_expired_session_links_nothing_and_is_cleared() {
    let mut page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    page.now = ada.expires_at;
    let calls = page.tenant.calls().len();
    let not = block_on(linking::confirm(&page.env(), &ada, &pending, &Map::new())).unwrap_err();
    assert_eq!(not.problem.next, Next::SessionEnded);
    assert!(!page.tenant.calls().contains(&Call::Link));
    assert!(page.stored_session().is_none());
    assert!(linking::start(&page.env(), &ada, "github", None).is_err());
    assert!(
        block_on(linking::unlink(
            &page.env(),
            &ada,
            &identity("github", "4242")
        ))
        .is_err()
    );
    assert!(block_on(account::load(&page.env(), &ada)).is_err());
    assert_eq!(page.tenant.calls().len(), calls, "no call at all");
}

#[test]
fn cancelling_drops_the_pending_link_and_links_nothing() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    let cancelled = block_on(linking::cancel(&page.env(), &ada, &pending)).unwrap();
    assert_eq!(cancelled.message.en(), "Nothing was linked.");
    assert_eq!(cancelled.main_metadata, None);
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
    assert!(!page.tenant.calls().contains(&Call::Link));
}

#[test]
fn a_retried_link_whose_first_answer_was_lost_is_told_as_linked() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    // The first try linked; its answer never came back.
    page.tenant.answer_next(Call::Link, 503, "");
    let _ = block_on(linking::confirm(&page.env(), &ada, &pending, &Map::new()));
    page.tenant.link_users(ADA, ADA_GITHUB);
    page.tenant.answer_next(
        Call::Link,
        409,
        r#"{"statusCode":409,"error":"Conflict","message":"Specified identity already exists."}"#,
    );
    let changed = block_on(linking::confirm(&page.env(), &ada, &pending, &Map::new())).unwrap();
    assert!(
        changed
            .message
            .en()
            .starts_with("Linked your GitHub account"),
        "{}",
        changed.message.en()
    );
    assert_eq!(changed.identities.len(), 2);
}

#[test]
fn a_pending_link_is_verified_again_on_reload_and_a_tampered_one_dropped() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    // As stored: shown from its verified claims, whatever the record says.
    let mut shown = pending.clone();
    shown.email = Some("someone-else@example.com".into());
    linking::save_pending(&page.tab, &shown);
    let back = block_on(linking::reload_pending(&page.env(), &ada))
        .unwrap()
        .unwrap();
    assert_eq!(back.email, pending.email);
    // Tampered: another account named, or a token that does not verify.
    let tampered = [
        PendingLink {
            sub: BOB.into(),
            ..pending.clone()
        },
        PendingLink {
            id_token: crate::auth::Secret("e30.e30.e30".into()),
            ..pending.clone()
        },
        PendingLink {
            nonce: "another".into(),
            ..pending.clone()
        },
    ];
    for t in tampered {
        linking::save_pending(&page.tab, &t);
        let problem = block_on(linking::reload_pending(&page.env(), &ada)).unwrap_err();
        assert!(
            problem.message.en().contains("could not be trusted"),
            "{}",
            problem.message.en()
        );
        assert_eq!(linking::load_pending(&page.tab, &ada), None, "dropped");
    }
    assert!(!page.tenant.calls().contains(&Call::Link));
}
