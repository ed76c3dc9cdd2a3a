//! Each whole flow, persistence included, as functions over `auth` and a
//! [`Tenant`], and what every failure says to the person: a sentence with a
//! next step. The page calls a flow and shows the value it returns.

pub mod account;
pub mod linking;
pub mod merge;
pub mod sign_in;
pub mod step_up;
pub mod suggest;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod through_the_fake_tenant;

use std::cell::RefCell;

use crate::auth::id_token::{IdTokenError, Jwks};
use crate::auth::storage::KeyValue;
use crate::auth::transaction::TransactionError;
use crate::config::Config;
use crate::tenant::{Tenant, TenantError};
use crate::text;
use crate::text::{Key, Text};

/// What every flow works with: the configuration, the tenant, the two
/// browser stores, and the clock read when the flow began.
pub struct Env<'a, T, S> {
    pub config: &'a Config,
    pub tenant: &'a T,
    /// `localStorage`: the session, which must survive the round-trips.
    pub local: &'a S,
    /// `sessionStorage`: this tab's transactions and its pending link.
    pub tab: &'a S,
    /// The tenant's keys, as last fetched.
    pub keys: &'a KeyCache,
    /// Where the tenant sends people back.
    pub redirect_uri: &'a str,
    pub now: i64,
}

impl<T: Tenant, S: KeyValue> Env<'_, T, S> {
    /// Starts a round-trip to the tenant for `purpose`: its transaction in
    /// this tab, and the `/authorize` URL to go to.
    pub fn round_trip(
        &self,
        purpose: crate::auth::transaction::Purpose,
        login: &crate::auth::urls::Login<'_>,
    ) -> String {
        self.begin_round_trip(purpose, login).1
    }

    /// A round-trip's `state`, and the URL to go to.
    pub fn begin_round_trip(
        &self,
        purpose: crate::auth::transaction::Purpose,
        login: &crate::auth::urls::Login<'_>,
    ) -> (String, String) {
        let started = crate::auth::transaction::begin(
            self.tab,
            purpose,
            (self.config, self.redirect_uri),
            self.now,
        );
        let t = &started.transaction;
        let url = crate::auth::urls::authorize(
            self.config,
            self.redirect_uri,
            &started.state,
            &t.nonce,
            &crate::auth::pkce::challenge(&t.verifier),
            login,
        );
        (started.state, url)
    }

    /// A problem, after clearing what it ends: when the session is over,
    /// the stored session and the pending link go with it.
    fn ended(&self, problem: Problem) -> Problem {
        if problem.next == Next::SessionEnded {
            crate::auth::session::clear(self.local);
            linking::clear_pending(self.tab);
            step_up::drop_update(self.tab);
        }
        problem
    }
}

/// The tenant's JWKS, kept between calls: fetched once, and again on an
/// unknown `kid`.
#[derive(Default)]
pub struct KeyCache(RefCell<Option<Jwks>>);

impl KeyCache {
    fn find(&self, kid: &str) -> Option<crate::auth::id_token::Jwk> {
        self.0.borrow().as_ref().and_then(|j| j.find(kid))
    }

    fn replace(&self, keys: Jwks) {
        *self.0.borrow_mut() = Some(keys);
    }

    fn is_empty(&self) -> bool {
        self.0.borrow().is_none()
    }
}

/// Runs two futures at once and waits for both: their waits overlap (the
/// browser has one thread, so nothing runs in parallel but the network).
pub async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    use std::task::Poll;
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    let (mut left, mut right) = (None, None);
    std::future::poll_fn(move |cx| {
        if left.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            left = Some(v);
        }
        if right.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            right = Some(v);
        }
        match (left.take(), right.take()) {
            (Some(l), Some(r)) => Poll::Ready((l, r)),
            (l, r) => {
                (left, right) = (l, r);
                Poll::Pending
            }
        }
    })
    .await
}

const KEYS_KEY: &str = "link-accounts.jwks";

/// How long the tab trusts the keys it fetched before fetching them again.
pub const KEYS_LIFETIME_SECS: i64 = 600;

/// Keeps the tenant's public keys for this tab, with when they were fetched.
pub fn keep_keys(tab: &impl KeyValue, keys: &Jwks, now: i64) {
    let kept = KeptKeys {
        fetched_at: now,
        jwks: keys.clone(),
    };
    tab.set(KEYS_KEY, &kept);
}

/// The tenant's keys as the tab keeps them.
#[derive(serde::Serialize, serde::Deserialize)]
struct KeptKeys {
    fetched_at: i64,
    jwks: Jwks,
}

/// The keys this tab fetched less than ten minutes ago, if any.
pub fn kept_keys(tab: &impl KeyValue, now: i64) -> Option<Jwks> {
    let kept = tab.read::<KeptKeys>(KEYS_KEY)?;
    if !(0..=KEYS_LIFETIME_SECS).contains(&(now - kept.fetched_at)) {
        tab.remove(KEYS_KEY);
        return None;
    }
    Some(kept.jwks)
}

/// The session has ended: the sentence for it.
pub fn session_ended() -> Problem {
    Problem::new(Key::SessionEnded, Next::SessionEnded)
}

/// Something went wrong: what to say, and what the person can do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: Text,
    pub next: Next,
}

/// The action offered with a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Try the same thing again.
    Retry,
    /// Sign in (again); the session still stands meanwhile.
    SignIn,
    /// The session is over: it is cleared, and the person can sign in again.
    SessionEnded,
    /// Nothing to do but read it.
    Dismiss,
    /// Sign in again as the signed-in account, for the change being made.
    Reauthenticate,
}

impl Problem {
    pub fn new(message: impl Into<Text>, next: Next) -> Self {
        Problem {
            message: message.into(),
            next,
        }
    }
}

/// What was under way when a call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doing {
    LoadAccount,
    SignIn,
    Link,
    Unlink,
    /// Putting the main account's metadata back after a link that did not
    /// happen.
    Restore,
}

impl Doing {
    fn failed(self) -> Key {
        match self {
            Doing::LoadAccount => Key::FailedLoad,
            Doing::SignIn => Key::FailedSignIn,
            Doing::Link => Key::FailedLink,
            Doing::Unlink => Key::FailedUnlink,
            Doing::Restore => Key::FailedRestore,
        }
    }
}

/// " The account service said: “…”", or nothing.
fn service_said(said: Option<&str>) -> Text {
    said.filter(|d| !d.is_empty())
        .map_or_else(Text::empty, |d| text!(ServiceSaid, said = d))
}

/// What to say when a call to the tenant fails.
pub fn tenant_problem(error: &TenantError, doing: Doing, now: i64) -> Problem {
    let failed = doing.failed();
    let said = service_said(error.message());
    match error {
        TenantError::Network(_) => Problem::new(text!(Unreachable, failed = failed), Next::Retry),
        TenantError::Timeout => Problem::new(text!(TimedOut, failed = failed), Next::Retry),
        TenantError::Decode(_) => Problem::new(text!(NotUnderstood, failed = failed), Next::Retry),
        TenantError::Http {
            status,
            rate_limit_reset,
            ..
        } => match (*status, doing) {
            (401, _) => session_ended(),
            // A scope the tenant did not grant: signing in again would
            // not change it.
            (403, _) if error.code() == Some("insufficient_scope") => Problem::new(
                text!(NotPermitted, failed = failed, said = said),
                Next::Dismiss,
            ),
            (403, _) => Problem::new(
                text!(Refused403, failed = failed, said = said),
                Next::SignIn,
            ),
            (429, _) => {
                let wait = rate_limit_reset.map(|r| r - now).filter(|w| *w > 0);
                let when = match wait {
                    Some(1) => Key::InASecond.into(),
                    Some(s) if s < 120 => text!(InSeconds, n = s),
                    Some(s) => text!(InMinutes, n = (s + 59) / 60),
                    None => Key::InAMinute.into(),
                };
                Problem::new(text!(TooMany, failed = failed, when = when), Next::Retry)
            }
            (409, Doing::Link) => Problem::new(Key::AlreadyLinkedElsewhere, Next::Dismiss),
            (404, Doing::LoadAccount) => Problem::new(Key::AccountNotFound, Next::SessionEnded),
            (400..=499, Doing::SignIn) => Problem::new(
                text!(SignInRefused, failed = failed, said = said),
                Next::SignIn,
            ),
            (400..=499, _) => Problem::new(
                text!(FailedWithSaid, failed = failed, said = said),
                Next::Dismiss,
            ),
            (s, _) => Problem::new(
                text!(ServerTrouble, failed = failed, status = s as usize),
                Next::Retry,
            ),
        },
    }
}

/// What to say when a callback's `state` is refused.
pub fn transaction_problem(error: &TransactionError) -> Problem {
    match error {
        TransactionError::Missing | TransactionError::Unknown => {
            Problem::new(Key::UnaskedCallback, Next::Dismiss)
        }
        TransactionError::Expired => Problem::new(Key::TookTooLong, Next::Dismiss),
    }
}

/// What to say when an ID token is refused.
pub fn id_token_problem(error: &IdTokenError) -> Problem {
    let why = match error {
        IdTokenError::Malformed => Key::WhyMalformed.into(),
        IdTokenError::Algorithm(alg) => text!(WhyAlgorithm, alg = alg),
        IdTokenError::UnknownKey => Key::WhyUnknownKey.into(),
        IdTokenError::Signature => Key::WhySignature.into(),
        IdTokenError::Issuer => Key::WhyIssuer.into(),
        IdTokenError::Audience | IdTokenError::AuthorizedParty => Key::WhyAudience.into(),
        IdTokenError::Expired => Key::WhyExpired.into(),
        IdTokenError::IssuedInTheFuture => Key::WhyFuture.into(),
        IdTokenError::NotYetValid => Key::WhyNotYet.into(),
        IdTokenError::Nonce => Key::WhyNonce.into(),
        IdTokenError::MissingSubject => Key::WhySubject.into(),
    };
    Problem::new(text!(Untrusted, why = why), Next::Dismiss)
}

/// What to say when the tenant sent the person back with an `error`.
pub fn returned_error(
    error: &str,
    description: Option<&str>,
    purpose: &crate::auth::transaction::Purpose,
) -> Problem {
    use crate::auth::transaction::Purpose;
    let key = match (error, purpose) {
        ("access_denied", Purpose::Link { .. }) => Key::CancelledLink,
        ("access_denied", Purpose::StepUp { .. }) => Key::CancelledStepUp,
        ("access_denied", Purpose::Login) => Key::CancelledSignIn,
        (_, Purpose::Link { .. }) => Key::NotLinkedSaid,
        (_, Purpose::StepUp { .. }) => Key::StepUpUnfinished,
        (_, Purpose::Login) => Key::SignInUnfinished,
    };
    let said = service_said(description);
    Problem::new(Text::Entry(key, vec![("said", said)]), Next::Dismiss)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::Auth0Error;

    fn http(status: u16, message: Option<&str>, reset: Option<i64>) -> TenantError {
        TenantError::Http {
            status,
            auth0: message.map(|m| Auth0Error {
                status_code: status,
                error: "E".into(),
                message: m.into(),
                error_code: None,
            }),
            oauth: None,
            rate_limit_reset: reset,
        }
    }

    #[test]
    fn every_failure_reads_as_a_sentence_with_a_next_step() {
        let now = 1000;
        let cases = [
            (
                TenantError::Network("x".into()),
                Doing::LoadAccount,
                "could not be reached",
                Next::Retry,
            ),
            (
                http(401, None, None),
                Doing::Link,
                "Your session has ended. Sign in again.",
                Next::SessionEnded,
            ),
            (
                http(403, Some("Insufficient scope"), None),
                Doing::Unlink,
                "Insufficient scope",
                Next::SignIn,
            ),
            (
                http(429, None, Some(now + 30)),
                Doing::LoadAccount,
                "Try again in 30 seconds",
                Next::Retry,
            ),
            (
                http(429, None, None),
                Doing::Link,
                "Try again in a minute",
                Next::Retry,
            ),
            (
                http(409, Some("Specified identity already exists."), None),
                Doing::Link,
                "already linked to another user",
                Next::Dismiss,
            ),
            (
                http(400, Some("Main identity cannot be removed."), None),
                Doing::Unlink,
                "Main identity cannot be removed.",
                Next::Dismiss,
            ),
            (
                http(503, None, None),
                Doing::LoadAccount,
                "error 503",
                Next::Retry,
            ),
            (
                TenantError::Timeout,
                Doing::Unlink,
                "did not answer in time",
                Next::Retry,
            ),
            (
                TenantError::Decode("x".into()),
                Doing::Link,
                "does not understand",
                Next::Retry,
            ),
        ];
        for (error, doing, needle, next) in cases {
            let p = tenant_problem(&error, doing, now);
            assert!(
                p.message.en().contains(needle),
                "{error:?}: {}",
                p.message.en()
            );
            assert!(
                p.message.en().ends_with('.') || p.message.en().ends_with('\u{201d}'),
                "{}",
                p.message.en()
            );
            assert_eq!(p.next, next, "{error:?}");
        }
    }

    #[test]
    fn refused_callbacks_and_tokens_say_nothing_was_changed() {
        assert!(
            transaction_problem(&TransactionError::Unknown)
                .message
                .en()
                .contains("Nothing was changed")
        );
        assert!(
            transaction_problem(&TransactionError::Expired)
                .message
                .en()
                .contains("ten minutes")
        );
        let p = id_token_problem(&IdTokenError::Algorithm("none".into()));
        assert!(
            p.message.en().contains("\u{201c}none\u{201d}")
                && p.message.en().contains("nothing was stored")
        );
    }

    #[test]
    fn a_cancel_at_the_tenant_is_named_as_such() {
        let p = returned_error(
            "access_denied",
            Some("<b>bye</b>"),
            &crate::auth::transaction::Purpose::Link {
                primary: "p".into(),
                connection: "c".into(),
            },
        );
        assert!(
            p.message
                .en()
                .starts_with("Linking was cancelled. Nothing was changed.")
        );
        assert!(
            p.message.en().contains("<b>bye</b>"),
            "kept as text, shown as text"
        );
    }
}
