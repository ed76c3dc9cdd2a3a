//! Signing in, and the callback of any round-trip to the tenant.

use std::cell::RefCell;

use crate::auth::id_token::{self, Expected, IdClaims, Jwks};
use crate::auth::session::{self, Session};
use crate::auth::storage::KeyValue;
use crate::auth::transaction::{self, Purpose};
use crate::auth::{Secret, pkce, urls};
use crate::config::Config;
use crate::flows::linking::{self, PendingLink};
use crate::flows::{Doing, Next, Problem, id_token_problem, tenant_problem};
use crate::tenant;

/// The parameters the tenant sent back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Callback {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A callback, if the page's query holds one.
pub fn read_callback(params: &[(String, String)]) -> Option<Callback> {
    let get = |k: &str| {
        params
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.clone())
    };
    let cb = Callback {
        state: get("state"),
        code: get("code"),
        error: get("error"),
        error_description: get("error_description"),
    };
    (cb.code.is_some() || cb.error.is_some() || cb.state.is_some()).then_some(cb)
}

/// Starts signing in: a login transaction, and the URL to go to.
pub fn start(config: &Config, redirect_uri: &str, store: &impl KeyValue, now: i64) -> String {
    let started = transaction::begin(store, Purpose::Login, now);
    let t = &started.transaction;
    urls::authorize(
        config,
        redirect_uri,
        &started.state,
        &t.nonce,
        &pkce::challenge(&t.verifier),
        None,
    )
}

/// What a callback came to.
#[derive(Debug)]
pub enum Returned {
    SignedIn(Session),
    /// A verified account, waiting for the person to confirm the link.
    LinkReady(PendingLink),
}

/// Handles a callback: the `state` first (no token request without a
/// transaction of this tab), then the tenant's error, the code exchange, the
/// ID token, and, when linking, the gates.
pub async fn complete(
    config: &Config,
    redirect_uri: &str,
    callback: &Callback,
    transactions: &impl KeyValue,
    current: Option<&Session>,
    now: i64,
) -> Result<Returned, Problem> {
    let tx = transaction::take(transactions, callback.state.as_deref(), now)
        .map_err(|e| crate::flows::transaction_problem(&e))?;
    let linking = matches!(tx.purpose, Purpose::Link { .. });
    if let Purpose::Link { primary, .. } = &tx.purpose
        && current.is_none_or(|s| &s.user_id != primary)
    {
        return Err(Problem::new(
            "This link was started for an account that is not signed in here now, so nothing was linked.",
            Next::Dismiss,
        ));
    }
    if let Some(error) = &callback.error {
        return Err(crate::flows::returned_error(
            error,
            callback.error_description.as_deref(),
            linking,
        ));
    }
    let Some(code) = callback.code.as_deref().filter(|c| !c.is_empty()) else {
        return Err(Problem::new(
            "The account service sent no code back. Please try again.",
            Next::Dismiss,
        ));
    };
    let doing = if linking { Doing::Link } else { Doing::SignIn };
    let tokens = tenant::exchange_code(config, code, &tx.verifier, redirect_uri)
        .await
        .map_err(|e| tenant_problem(&e, doing, now))?;
    let Some(id_token) = tokens.id_token else {
        return Err(Problem::new(
            "The account service sent no ID token. Please try again.",
            Next::Dismiss,
        ));
    };
    let claims = verify(config, &id_token, &tx.nonce, now).await?;
    match tx.purpose {
        Purpose::Login => Ok(Returned::SignedIn(Session {
            version: session::VERSION,
            access_token: tokens.access_token,
            id_token,
            user_id: claims.sub,
            expires_at: now + tokens.expires_in,
        })),
        Purpose::Link {
            primary,
            connection,
        } => {
            let label = config.label_of(&connection).to_owned();
            linking::gate(&claims, &primary, &label)?;
            Ok(Returned::LinkReady(PendingLink::new(
                primary, connection, id_token, claims,
            )))
        }
    }
}

thread_local! {
    /// The tenant's keys, fetched once and refetched once on an unknown `kid`.
    static JWKS: RefCell<Option<Jwks>> = const { RefCell::new(None) };
}

/// Verifies an ID token against the tenant's JWKS.
async fn verify(
    config: &Config,
    token: &Secret,
    nonce: &str,
    now: i64,
) -> Result<IdClaims, Problem> {
    let header = id_token::header(token.expose()).map_err(|e| id_token_problem(&e))?;
    let kid = header.kid.unwrap_or_default();
    let cached = JWKS.with(|j| j.borrow().as_ref().and_then(|j| j.find(&kid)));
    let key = match cached {
        Some(k) => k,
        None => {
            let fresh = tenant::jwks(config)
                .await
                .map_err(|e| tenant_problem(&e, Doing::SignIn, now))?;
            let found = fresh.find(&kid);
            JWKS.with(|j| *j.borrow_mut() = Some(fresh));
            found.ok_or_else(|| id_token_problem(&id_token::IdTokenError::UnknownKey))?
        }
    };
    let issuer = config.issuer();
    let expected = Expected {
        issuer: &issuer,
        client_id: &config.client_id,
        nonce,
        now,
    };
    id_token::verify(token.expose(), &key, &expected).map_err(|e| id_token_problem(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_plain_visit_is_no_callback() {
        assert_eq!(read_callback(&params(&[])), None);
        assert_eq!(read_callback(&params(&[("utm", "x")])), None);
    }

    #[test]
    fn codes_errors_and_lone_states_are_callbacks() {
        let cb = read_callback(&params(&[("code", "c"), ("state", "s")])).unwrap();
        assert_eq!(
            (cb.code.as_deref(), cb.state.as_deref()),
            (Some("c"), Some("s"))
        );
        let cb = read_callback(&params(&[("error", "access_denied")])).unwrap();
        assert_eq!(cb.error.as_deref(), Some("access_denied"));
        assert!(read_callback(&params(&[("state", "s")])).is_some());
    }

    #[test]
    fn signing_in_starts_a_login_transaction() {
        let store = crate::auth::storage::MemoryStore::default();
        let config = Config::parse(
            r#"{"domain":"https://t.example","client_id":"c","audience":"https://t.example/api/v2/",
            "redirect_path":"/","connections":[]}"#,
        )
        .unwrap();
        let url = start(&config, "https://app.example/", &store, 100);
        let state = urls::query_params(url.split_once('?').unwrap().1)
            .into_iter()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1;
        let tx = transaction::take(&store, Some(&state), 100).unwrap();
        assert_eq!(tx.purpose, Purpose::Login);
        assert!(url.contains(&pkce::challenge(&tx.verifier)));
    }
}
