//! Completing a callback: the state first, the tenant's error, the code
//! exchange, the ID token.

use super::*;

#[test]
fn a_sign_in_stores_the_session_after_one_exchange_and_one_key_fetch() {
    let page = Page::new();
    let session = page.signed_in(ADA);
    assert_eq!(session.user_id, ADA);
    assert_eq!(
        session.access_token.expose(),
        FakeTenant::read_token(ADA),
        "this browser keeps the read-only token"
    );
    assert_eq!(session.expires_at, page.now + 86_400);
    assert_eq!(
        session::load(&page.local, page.now),
        session::Stored::Active(session)
    );
    // The account's read goes out as soon as the tokens are in; the keys,
    // which this tab has not kept, are fetched by the ID token's
    // verification beside it. The fake answers at once, so the read is
    // recorded first.
    assert_eq!(
        page.tenant.calls(),
        [Call::Token, Call::GetUser, Call::Refresh, Call::Jwks]
    );
    page.signed_in(BOB);
    assert_eq!(
        page.tenant.calls(),
        [
            Call::Token,
            Call::GetUser,
            Call::Refresh,
            Call::Jwks,
            Call::Token,
            Call::GetUser,
            Call::Refresh
        ],
        "the keys are kept"
    );
}

#[test]
fn a_sign_in_brings_the_account_read_while_the_id_token_was_verified() {
    let page = Page::new();
    let url = sign_in::start(&page.env());
    let cb = page.come_back(&url, ADA, json!({}));
    let Returned::SignedIn {
        session, account, ..
    } = page.complete(&cb, None)
    else {
        panic!("not signed in");
    };
    let user = account.expect("the account");
    assert_eq!(user.user_id, ADA);
    assert_eq!(user.identities.len(), 1);
    assert_eq!(session.user_id, ADA);
}

#[test]
fn a_sign_in_whose_account_read_ends_the_session_keeps_no_session() {
    let page = Page::new();
    let url = sign_in::start(&page.env());
    let cb = page.come_back(&url, ADA, json!({}));
    page.tenant.answer_next(
        Call::GetUser,
        401,
        r#"{"statusCode":401,"error":"Unauthorized","message":"Expired token received for JSON Web Token validation","errorCode":"invalid_token"}"#,
    );
    let Returned::SignedIn { account, .. } = page.complete(&cb, None) else {
        panic!("not signed in");
    };
    let problem = account.expect_err("the read failed");
    assert_eq!(problem.next, Next::SessionEnded);
    assert!(
        page.stored_session().is_none(),
        "the session it ended is gone"
    );
}

#[test]
fn a_callback_without_this_tabs_transaction_makes_no_call() {
    let page = Page::new();
    let started = sign_in::start(&page.env());
    for cb in [
        callback("forged", "c"),
        Callback {
            code: Some("c".into()),
            ..Callback::default()
        },
    ] {
        let (problem, _) = refused(page.complete(&cb, None));
        assert!(
            problem.message.en().contains("did not ask for"),
            "{}",
            problem.message.en()
        );
    }
    // Another tab's stores do not have it either.
    let other_tab = Page::new();
    let cb = page.come_back(&started, ADA, json!({}));
    refused(other_tab.complete(&cb, None));
    assert!(page.tenant.calls().is_empty() && other_tab.tenant.calls().is_empty());
    assert!(page.stored_session().is_none());
}

#[test]
fn a_state_is_good_once() {
    let page = Page::new();
    let url = sign_in::start(&page.env());
    let cb = page.come_back(&url, ADA, json!({}));
    assert!(matches!(
        page.complete(&cb, None),
        Returned::SignedIn { .. }
    ));
    let (problem, _) = refused(page.complete(&cb, None));
    assert!(problem.message.en().contains("already used"));
    assert_eq!(
        page.tenant.calls(),
        [Call::Token, Call::GetUser, Call::Refresh, Call::Jwks]
    );
}

#[test]
fn a_state_older_than_ten_minutes_is_refused_without_a_call() {
    let mut page = Page::new();
    let url = sign_in::start(&page.env());
    let cb = page.come_back(&url, ADA, json!({}));
    page.now += transaction::LIFETIME_SECS + 1;
    let (problem, _) = refused(page.complete(&cb, None));
    assert!(problem.message.en().contains("ten minutes"));
    assert!(page.tenant.calls().is_empty());
}

#[test]
fn an_error_from_the_tenant_is_told_and_no_code_is_exchanged() {
    let page = Page::new();
    let url = sign_in::start(&page.env());
    let (state, _) = Page::state_and_nonce(&url);
    let cb = Callback {
        state: Some(state.clone()),
        error: Some("access_denied".into()),
        error_description: Some("User cancelled".into()),
        ..Callback::default()
    };
    let (problem, _) = refused(page.complete(&cb, None));
    assert_eq!(
        problem.message.en(),
        "Signing in was cancelled. The account service said: \u{201c}User cancelled\u{201d}"
    );
    assert!(page.tenant.calls().is_empty());
    let (again, _) = refused(page.complete(&callback(&state, "c"), None));
    assert!(
        again.message.en().contains("already used"),
        "the state was spent"
    );
}

#[test]
fn a_callback_with_no_code_makes_no_call() {
    let page = Page::new();
    for code in [None, Some(String::new())] {
        let url = sign_in::start(&page.env());
        let (state, _) = Page::state_and_nonce(&url);
        let cb = Callback {
            state: Some(state),
            code,
            ..Callback::default()
        };
        let (problem, _) = refused(page.complete(&cb, None));
        assert_eq!(
            problem.message.en(),
            "The account service sent no code back. Please try again."
        );
    }
    assert!(page.tenant.calls().is_empty());
}

#[test]
fn a_token_answer_without_an_id_token_stores_nothing() {
    let page = Page::new();
    let url = sign_in::start(&page.env());
    let (state, _) = Page::state_and_nonce(&url);
    page.tenant.issue_code(
        "c",
        json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60}),
    );
    let (problem, _) = refused(page.complete(&callback(&state, "c"), None));
    assert_eq!(
        problem.message.en(),
        "The account service sent no ID token. Please try again."
    );
    assert_eq!(page.tenant.calls(), [Call::Token]);
    assert!(page.stored_session().is_none());
}

#[test]
fn a_refused_or_garbled_exchange_says_what_to_do_and_stores_nothing() {
    let cases = [
        (
            400,
            r#"{"error":"invalid_grant","error_description":"Invalid authorization code"}"#,
            "refused the sign-in. The account service said: \u{201c}Invalid authorization code\u{201d} Sign in again.",
            Next::SignIn,
        ),
        (503, "<html>down</html>", "error 503", Next::Retry),
        (
            200,
            "<html>not json</html>",
            "does not understand",
            Next::Retry,
        ),
        (
            200,
            r#"{"id_token": 7}"#,
            "does not understand",
            Next::Retry,
        ),
    ];
    for (status, body, needle, next) in cases {
        let page = Page::new();
        let url = sign_in::start(&page.env());
        let cb = page.come_back(&url, ADA, json!({}));
        page.tenant.answer_next(Call::Token, status, body);
        let (problem, _) = refused(page.complete(&cb, None));
        assert!(
            problem.message.en().contains(needle),
            "{body}: {}",
            problem.message.en()
        );
        assert_eq!(problem.next, next, "{body}");
        assert!(page.stored_session().is_none(), "{body}");
    }
}

#[test]
fn an_id_token_that_cannot_be_trusted_is_refused_and_nothing_stored() {
    let cases = [
        (
            json!({"nonce": "another"}),
            "it does not belong to this sign-in",
        ),
        (
            json!({"iss": "https://evil.example/"}),
            "it comes from another issuer",
        ),
        (
            json!({"aud": "another-app"}),
            "it was issued for another application",
        ),
        (json!({"exp": 1}), "it has expired"),
        (json!({"sub": ""}), "it names no account"),
    ];
    for (claims, why) in cases {
        let page = Page::new();
        let url = sign_in::start(&page.env());
        let cb = page.come_back(&url, ADA, claims);
        let (problem, _) = refused(page.complete(&cb, None));
        assert!(
            problem.message.en().contains(why),
            "{why}: {}",
            problem.message.en()
        );
        assert!(problem.message.en().contains("nothing was stored"));
        assert!(page.stored_session().is_none());
    }
}

#[test]
fn a_tampered_or_unknown_key_token_is_refused_after_one_fresh_key_fetch() {
    let page = Page::new();
    page.signed_in(BOB);
    // Signed by a key the tenant does not publish: the keys are fetched
    // again once, and the token still refused.
    let url = sign_in::start(&page.env());
    let (state, nonce) = Page::state_and_nonce(&url);
    let token = page
        .tenant
        .id_token_with_kid("k9", json!({"sub": ADA, "nonce": nonce}));
    page.tenant
        .issue_code("c", FakeTenant::tokens_for(ADA, &token));
    let (problem, _) = refused(page.complete(&callback(&state, "c"), None));
    assert!(
        problem
            .message
            .en()
            .contains("a key the tenant does not publish")
    );
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
            Call::Jwks,
            Call::Revoke
        ],
        "the refresh token the refused callback was given is revoked"
    );
    // A signature over other claims.
    let url = sign_in::start(&page.env());
    let (state, nonce) = Page::state_and_nonce(&url);
    let good = page.tenant.id_token(json!({"sub": ADA, "nonce": nonce}));
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged_body = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        json!({"sub": BOB, "nonce": nonce, "iss": page.tenant.issuer, "aud": "spa", "exp": page.now + 60, "iat": page.now}).to_string(),
    );
    parts[1] = &forged_body;
    page.tenant
        .issue_code("c2", FakeTenant::tokens_for(BOB, &parts.join(".")));
    let (problem, _) = refused(page.complete(&callback(&state, "c2"), None));
    assert!(
        problem
            .message
            .en()
            .contains("its signature does not match")
    );
    assert!(
        page.stored_session().unwrap().contains(BOB),
        "the session that was there stays"
    );
}

#[test]
fn keys_that_cannot_be_fetched_or_read_refuse_the_sign_in() {
    for (status, body, needle) in [
        (503, "", "error 503"),
        (200, "[1, 2", "does not understand"),
    ] {
        let page = Page::new();
        let url = sign_in::start(&page.env());
        let cb = page.come_back(&url, ADA, json!({}));
        page.tenant.answer_next(Call::Jwks, status, body);
        let (problem, _) = refused(page.complete(&cb, None));
        assert!(
            problem.message.en().contains(needle),
            "{}",
            problem.message.en()
        );
        assert!(page.stored_session().is_none());
    }
}

#[test]
fn a_failed_exchange_is_what_is_said_and_nothing_else_is_called() {
    let page = Page::new();
    let url = sign_in::start(&page.env());
    let cb = page.come_back(&url, ADA, json!({}));
    page.tenant.answer_next(Call::Token, 503, "");
    let (problem, _) = refused(page.complete(&cb, None));
    let said = problem.message.en();
    assert!(said.contains("error 503"), "{said}");
    assert_eq!(page.tenant.calls(), [Call::Token]);
    assert!(page.stored_session().is_none());
}

#[test]
fn keys_kept_ahead_spare_the_callback_its_fetch() {
    let mut page = Page::new();
    block_on(sign_in::keep_keys_ahead(&page.env()));
    // A second load of the page, whose memory is new: the tab kept them.
    page.keys = KeyCache::default();
    block_on(sign_in::keep_keys_ahead(&page.env()));
    assert_eq!(page.tenant.calls(), [Call::Jwks], "fetched once");
    page.keys = KeyCache::default();
    page.signed_in(ADA);
    assert_eq!(
        page.tenant.calls(),
        [Call::Jwks, Call::Token, Call::GetUser, Call::Refresh],
        "the callback verified with the kept keys"
    );
}

#[test]
fn keys_that_could_not_be_fetched_ahead_are_fetched_by_the_callback() {
    let page = Page::new();
    page.tenant.answer_next(Call::Jwks, 503, "");
    block_on(sign_in::keep_keys_ahead(&page.env()));
    page.signed_in(ADA);
    assert_eq!(
        page.tenant.calls(),
        [
            Call::Jwks,
            Call::Token,
            Call::GetUser,
            Call::Refresh,
            Call::Jwks
        ]
    );
}

#[test]
fn a_sign_in_drops_a_pending_link_of_the_previous_session() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    page.pending(&ada);
    page.signed_in(BOB);
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
}

#[test]
fn a_callback_with_a_value_given_twice_is_refused_before_any_call() {
    let page = Page::new();
    let url = sign_in::start(&page.env());
    let cb = page.come_back(&url, ADA, json!({}));
    let query = format!(
        "code=the-code&state={}&state=other",
        cb.state.clone().unwrap()
    );
    let twice = sign_in::read_callback(&urls::query_params(&query)).unwrap();
    let (problem, _) = refused(page.complete(&twice, None));
    assert!(
        problem.message.en().contains("given twice"),
        "{}",
        problem.message.en()
    );
    assert!(page.tenant.calls().is_empty());
    assert!(page.stored_session().is_none());
}

#[test]
fn the_tab_keeps_the_keys_across_the_round_trip_for_ten_minutes() {
    let mut page = Page::new();
    let jwks = |page: &Page| {
        page.tenant
            .calls()
            .iter()
            .filter(|c| **c == Call::Jwks)
            .count()
    };
    let ada = page.signed_in(ADA);
    assert_eq!(jwks(&page), 1);
    // The link round-trip leaves the page: its memory is gone, the tab's is not.
    page.keys = KeyCache::default();
    page.pending(&ada);
    assert_eq!(jwks(&page), 1, "no second fetch of the keys");
    page.keys = KeyCache::default();
    page.now += 601;
    page.signed_in(BOB);
    assert_eq!(jwks(&page), 2, "after ten minutes, fetched again");
}

#[test]
fn a_callback_exchanges_with_the_configuration_it_began_with_and_is_refused_if_it_changed() {
    let page = Page::new();
    let url = sign_in::start(&page.env());
    let cb = page.come_back(&url, ADA, json!({}));
    // The page loads again: the code goes out before `config.json` is in,
    // with the configuration the round-trip kept.
    let prepared = sign_in::prepare(&page.tab, &cb, None, page.now).unwrap();
    assert_eq!(prepared.began_with(), &page.config);
    let exchanged = block_on(sign_in::exchange(&page.tenant, prepared));
    // Meanwhile `config.json` changed (another client, a new tenant).
    let changed = Config::parse(&page.config.source.replace("\"spa\"", "\"another-spa\"")).unwrap();
    assert_ne!(changed.client_id, page.config.client_id);
    let env = Env {
        config: &changed,
        ..page.env()
    };
    let Returned::Refused { problem, pending } =
        block_on(sign_in::finish(&env, Ok(exchanged), None))
    else {
        panic!("a token from the configuration before was used");
    };
    assert!(
        problem
            .message
            .en()
            .contains("settings changed while you were signing in"),
        "{}",
        problem.message.en()
    );
    assert_eq!(pending, None);
    assert!(page.stored_session().is_none(), "nothing stored");
    assert_eq!(
        page.tenant.calls(),
        vec![Call::Token],
        "the token was never used: no read, no key fetch"
    );
}
