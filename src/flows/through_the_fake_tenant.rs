//! The flows end to end, natively, through the fake tenant: every branch of
//! completing a callback, linking and unlinking, and what each leaves in
//! storage.

use serde_json::{Value, json};

use super::account;
use super::linking::{self, Changed, NotLinked, PendingLink};
use super::sign_in::{self, Callback, Returned};
use super::{Env, KeyCache, Next};
use crate::auth::session::{self, SESSION_KEY, Session};
use crate::auth::storage::{KeyValue, MemoryStore};
use crate::auth::transaction::{self, Purpose};
use crate::auth::urls;
use crate::config::Config;
use crate::tenant::fake::{Call, FakeTenant, block_on};

const ADA: &str = "google-oauth2|ada";
const ADA_GITHUB: &str = "github|4242";
const BOB: &str = "auth0|bob";

/// One tab of the page: its stores and key cache, and the tenant.
struct Page {
    config: Config,
    tenant: FakeTenant,
    local: MemoryStore,
    tab: MemoryStore,
    keys: KeyCache,
    now: i64,
}

impl Page {
    fn new() -> Self {
        let config = Config::parse(
            r#"{"domain":"https://tenant.example","client_id":"spa","audience":"https://tenant.example/api/v2/",
            "redirect_path":"/","connections":[{"name":"github","label":"GitHub"},{"name":"sms","label":"SMS"}]}"#,
        )
        .unwrap();
        let tenant = FakeTenant::new(&config.issuer(), &config.client_id);
        tenant.add_user(ADA, "ada@example.com");
        tenant.add_user(ADA_GITHUB, "ada@github.example");
        tenant.add_user(BOB, "bob@example.com");
        Page {
            config,
            tenant,
            local: MemoryStore::default(),
            tab: MemoryStore::default(),
            keys: KeyCache::default(),
            now: crate::auth::now(),
        }
    }

    fn env(&self) -> Env<'_, FakeTenant, MemoryStore> {
        Env {
            config: &self.config,
            tenant: &self.tenant,
            local: &self.local,
            tab: &self.tab,
            keys: &self.keys,
            redirect_uri: "https://app.example/",
            now: self.now,
        }
    }

    /// The `state` and `nonce` of a round-trip URL.
    fn state_and_nonce(url: &str) -> (String, String) {
        let q = urls::query_params(url.split_once('?').unwrap().1);
        let get = |k: &str| q.iter().find(|(qk, _)| qk == k).unwrap().1.clone();
        (get("state"), get("nonce"))
    }

    /// The tenant sends the person back with `code`, which answers an ID
    /// token for `sub` (plus `claims`) with the round-trip's nonce.
    fn come_back(&self, url: &str, sub: &str, claims: Value) -> Callback {
        let (state, nonce) = Self::state_and_nonce(url);
        let mut all = json!({"sub": sub, "nonce": nonce, "email": format!("{sub}@mail.example"), "email_verified": true});
        for (k, v) in claims.as_object().unwrap() {
            all[k] = v.clone();
        }
        let id_token = self.tenant.id_token(all);
        self.tenant
            .issue_code("the-code", FakeTenant::tokens_for(sub, &id_token));
        callback(&state, "the-code")
    }

    fn complete(&self, cb: &Callback, current: Option<&Session>) -> Returned {
        block_on(sign_in::complete(&self.env(), cb, current))
    }

    /// Signs in as `user_id` the whole way.
    fn signed_in(&self, user_id: &str) -> Session {
        let url = sign_in::start(&self.env());
        let cb = self.come_back(&url, user_id, json!({}));
        match self.complete(&cb, None) {
            Returned::SignedIn(s) => s,
            other => panic!("not signed in: {other:?}"),
        }
    }

    /// Starts linking `connection` and comes back as `sub`.
    fn link_callback(
        &self,
        session: &Session,
        connection: &str,
        sub: &str,
        claims: Value,
    ) -> Callback {
        let url = linking::start(&self.env(), session, connection).unwrap();
        self.come_back(&url, sub, claims)
    }

    /// A pending link for Ada's GitHub account, stored as the page stores it.
    fn pending(&self, session: &Session) -> PendingLink {
        let cb = self.link_callback(session, "github", ADA_GITHUB, json!({}));
        match self.complete(&cb, Some(session)) {
            Returned::LinkReady(p) => p,
            other => panic!("no pending link: {other:?}"),
        }
    }

    fn stored_session(&self) -> Option<String> {
        self.local.get(SESSION_KEY)
    }

    fn identities_of(&self, user_id: &str) -> Vec<String> {
        self.tenant.user(user_id).unwrap()["identities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{}|{}",
                    i["provider"].as_str().unwrap(),
                    i["user_id"].as_str().unwrap()
                )
            })
            .collect()
    }
}

fn callback(state: &str, code: &str) -> Callback {
    Callback {
        state: Some(state.into()),
        code: Some(code.into()),
        ..Callback::default()
    }
}

fn refused(returned: Returned) -> (super::Problem, Option<PendingLink>) {
    match returned {
        Returned::Refused { problem, pending } => (problem, pending),
        other => panic!("not refused: {other:?}"),
    }
}

// Completing a callback.

#[test]
fn a_sign_in_stores_the_session_after_one_exchange_and_one_key_fetch() {
    let page = Page::new();
    let session = page.signed_in(ADA);
    assert_eq!(session.user_id, ADA);
    assert_eq!(session.access_token.expose(), FakeTenant::access_token(ADA));
    assert_eq!(session.expires_at, page.now + 86_400);
    assert_eq!(
        session::load(&page.local, page.now),
        session::Stored::Active(session)
    );
    assert_eq!(page.tenant.calls(), [Call::Token, Call::Jwks]);
    page.signed_in(BOB);
    assert_eq!(
        page.tenant.calls(),
        [Call::Token, Call::Jwks, Call::Token],
        "the keys are kept"
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
            problem.message.contains("did not ask for"),
            "{}",
            problem.message
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
    assert!(matches!(page.complete(&cb, None), Returned::SignedIn(_)));
    let (problem, _) = refused(page.complete(&cb, None));
    assert!(problem.message.contains("already used"));
    assert_eq!(page.tenant.calls(), [Call::Token, Call::Jwks]);
}

#[test]
fn a_state_older_than_ten_minutes_is_refused_without_a_call() {
    let mut page = Page::new();
    let url = sign_in::start(&page.env());
    let cb = page.come_back(&url, ADA, json!({}));
    page.now += transaction::LIFETIME_SECS + 1;
    let (problem, _) = refused(page.complete(&cb, None));
    assert!(problem.message.contains("ten minutes"));
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
        problem.message,
        "Signing in was cancelled. The account service said: \u{201c}User cancelled\u{201d}"
    );
    assert!(page.tenant.calls().is_empty());
    let (again, _) = refused(page.complete(&callback(&state, "c"), None));
    assert!(
        again.message.contains("already used"),
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
            problem.message,
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
        problem.message,
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
            problem.message.contains(needle),
            "{body}: {}",
            problem.message
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
        assert!(problem.message.contains(why), "{why}: {}", problem.message);
        assert!(problem.message.contains("nothing was stored"));
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
            .contains("a key the tenant does not publish")
    );
    assert_eq!(
        page.tenant.calls(),
        [Call::Token, Call::Jwks, Call::Token, Call::Jwks]
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
    assert!(problem.message.contains("its signature does not match"));
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
        assert!(problem.message.contains(needle), "{}", problem.message);
        assert!(page.stored_session().is_none());
    }
}

#[test]
fn a_sign_in_drops_a_pending_link_of_the_previous_session() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    page.pending(&ada);
    page.signed_in(BOB);
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
}

// The link callback.

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
            problem.message,
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
        assert!(problem.message.contains(needle), "{}", problem.message);
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
    let url = linking::start(&page.env(), &ada, "github").unwrap();
    let (state, _) = Page::state_and_nonce(&url);
    let cb = Callback {
        state: Some(state),
        error: Some("access_denied".into()),
        ..Callback::default()
    };
    let (problem, _) = refused(page.complete(&cb, Some(&ada)));
    assert_eq!(
        problem.message,
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

// Confirming and cancelling.

#[test]
fn confirming_links_the_account_and_drops_the_pending_link() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    let Changed {
        identities,
        message,
    } = block_on(linking::confirm(&page.env(), &ada, &pending)).unwrap();
    assert_eq!(
        message,
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
        } = block_on(linking::confirm(&page.env(), &ada, &pending)).unwrap_err();
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
    let not = block_on(linking::confirm(&page.env(), &ada, &pending)).unwrap_err();
    assert_eq!(not.problem.next, Next::SessionEnded);
    assert!(!page.tenant.calls().contains(&Call::Link));
    assert!(page.stored_session().is_none());
    assert!(linking::start(&page.env(), &ada, "github").is_err());
    assert!(
        block_on(linking::unlink(
            &page.env(),
            &ada,
            &identity("github", "4242")
        ))
        .is_err()
    );
    assert!(block_on(account::load(&page.env(), &ada)).is_err());
    assert!(!page.tenant.calls().contains(&Call::Unlink));
    assert!(!page.tenant.calls().contains(&Call::GetUser));
}

#[test]
fn cancelling_drops_the_pending_link_and_links_nothing() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    page.pending(&ada);
    assert_eq!(linking::cancel(&page.tab), "Nothing was linked.");
    assert_eq!(linking::load_pending(&page.tab, &ada), None);
    assert!(!page.tenant.calls().contains(&Call::Link));
}

// Unlinking, loading, signing out.

fn identity(provider: &str, user_id: &str) -> crate::tenant::Identity {
    crate::tenant::Identity {
        provider: provider.into(),
        user_id: user_id.into(),
        connection: provider.into(),
        is_social: true,
        profile_data: None,
    }
}

#[test]
fn unlinking_makes_the_account_separate_again() {
    let page = Page::new();
    let ada = page.signed_in(ADA);
    let pending = page.pending(&ada);
    block_on(linking::confirm(&page.env(), &ada, &pending)).unwrap();
    let changed = block_on(linking::unlink(
        &page.env(),
        &ada,
        &identity("github", "4242"),
    ))
    .unwrap();
    assert_eq!(changed.identities.len(), 1);
    assert!(changed.message.starts_with("Unlinked your GitHub account"));
    assert_eq!(page.identities_of(ADA), [ADA]);
    assert_eq!(page.identities_of(ADA_GITHUB), [ADA_GITHUB]);
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
        problem.message,
        "The account was not unlinked. The account service said: \u{201c}Main identity cannot be removed.\u{201d}"
    );
    page.tenant.answer_next(Call::Unlink, 200, "not json");
    let problem =
        block_on(linking::unlink(&page.env(), &ada, &identity("github", "1"))).unwrap_err();
    assert_eq!(problem.next, Next::Retry);
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
    page.local.set(SESSION_KEY, "{corrupt");
    let unreadable = account::restore(&page.env());
    assert!(
        unreadable
            .problem
            .unwrap()
            .message
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
    let url = linking::start(&page.env(), &ada, "github").unwrap();
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
