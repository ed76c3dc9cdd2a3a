//! Signing in, and the callback of any round-trip to the tenant.

use crate::auth::id_token::{self, Expected, IdClaims};
use crate::auth::session::{self, Session};
use crate::auth::storage::KeyValue;
use crate::auth::transaction::{self, Action, Purpose, Transaction};
use crate::auth::{Secret, urls};
use crate::config::Config;
use crate::flows::linking::{self, PendingLink};
use crate::flows::{Doing, Env, Next, Problem, id_token_problem, step_up, tenant_problem};
use crate::tenant::{Tenant, TenantError, Tokens, User};
use crate::text::Key;

/// The parameters the tenant sent back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Callback {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// A parameter came more than once: the answer is refused whole.
    pub repeated: bool,
}

/// A callback, if the page's query holds one.
pub fn read_callback(params: &[(String, String)]) -> Option<Callback> {
    let get = |k: &str| {
        params
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.clone())
    };
    let names = ["state", "code", "error", "error_description"];
    let repeated = names
        .iter()
        .any(|n| params.iter().filter(|(k, _)| k == n).count() > 1);
    let cb = Callback {
        state: get("state"),
        code: get("code"),
        error: get("error"),
        error_description: get("error_description"),
        repeated,
    };
    (cb.code.is_some() || cb.error.is_some() || cb.state.is_some()).then_some(cb)
}

/// Starts signing in: a login transaction, and the URL to go to.
/// It asks for `max_age`, so that the ID token says when the person
/// signed in (`auth_time`), which changes to the account need.
pub fn start<T: Tenant, S: KeyValue>(env: &Env<'_, T, S>) -> String {
    let login = urls::Login {
        max_age: Some(env.config.sign_in_max_age_seconds),
        offline: true,
        ..urls::Login::default()
    };
    env.round_trip(Purpose::Login, &login)
}

/// What a callback came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Returned {
    /// Signed in: the session is stored, and any pending link dropped;
    /// and the account, as read while the ID token was verified.
    SignedIn {
        session: Session,
        account: Result<User, Problem>,
        /// The refresh token to revoke, once the page is drawn: it was
        /// used only to get the read-only token.
        revoke: Option<Secret>,
    },
    /// A verified account, stored as the pending link, waiting for the
    /// person to confirm it; and the main account as the page showed it
    /// when the round-trip began, if the tab kept it.
    LinkReady {
        pending: PendingLink,
        shown: Option<User>,
        /// The refresh token to revoke, once the page is drawn.
        revoke: Option<Secret>,
    },
    /// Refused: nothing was stored. The session (if it still stands) and
    /// its pending link stay as they were.
    Refused {
        problem: Problem,
        pending: Option<PendingLink>,
    },
    /// Signed in again, as the same account, for `action`: the session
    /// (stored) holds the new tokens; the page comes back to the action.
    SteppedUp { session: Session, action: Action },
}

/// A callback that may ask for tokens: its transaction (taken, so good
/// once), the configuration it began with, and its code. Made before the
/// page's configuration is loaded.
#[derive(Debug)]
pub struct Prepared {
    state: Option<String>,
    tx: Transaction,
    config: Config,
    code: String,
}

impl Prepared {
    /// The configuration the round-trip began with: what the code is
    /// exchanged with.
    pub fn began_with(&self) -> &Config {
        &self.config
    }
}

/// What the code exchange came to, with what it was for.
#[derive(Debug)]
pub struct Exchanged {
    state: Option<String>,
    tx: Transaction,
    tokens: Result<Tokens, TenantError>,
}

/// The checks before any token request, which need only this tab's
/// storage: the parameters, the `state` (a transaction of this tab, and
/// for a link or a step-up, of the signed-in user), the tenant's error,
/// the code.
pub fn prepare(
    tab: &impl KeyValue,
    callback: &Callback,
    current: Option<&Session>,
    now: i64,
) -> Result<Prepared, Problem> {
    if callback.repeated {
        return Err(Problem::new(Key::DuplicateParams, Next::Dismiss));
    }
    let tx = transaction::take(tab, callback.state.as_deref(), now)
        .map_err(|e| crate::flows::transaction_problem(&e))?;
    let bound = match &tx.purpose {
        Purpose::Login => None,
        Purpose::Link { primary, .. } => Some((primary, Key::NotForThisAccountLink)),
        Purpose::StepUp { user_id, .. } => Some((user_id, Key::NotForThisAccountStepUp)),
    };
    if let Some((user, refused)) = bound
        && current.is_none_or(|s| &s.user_id != user)
    {
        return Err(Problem::new(refused, Next::Dismiss));
    }
    if let Some(error) = &callback.error {
        return Err(crate::flows::returned_error(
            error,
            callback.error_description.as_deref(),
            &tx.purpose,
        ));
    }
    let Some(code) = callback.code.clone().filter(|c| !c.is_empty()) else {
        return Err(Problem::new(Key::NoCode, Next::Dismiss));
    };
    // Kept by this tab as the page read it: a file that no longer reads
    // is a transaction to refuse like any other damaged one.
    let config = Config::parse(&tx.config)
        .map_err(|_| crate::flows::transaction_problem(&transaction::TransactionError::Unknown))?;
    Ok(Prepared {
        state: callback.state.clone(),
        tx,
        config,
        code,
    })
}

/// The code exchanged for tokens at `tenant` (the one the round-trip began
/// with), before the page's configuration has loaded.
pub async fn exchange<T: Tenant>(tenant: &T, prepared: Prepared) -> Exchanged {
    let Prepared {
        state, tx, code, ..
    } = prepared;
    let tokens = tenant
        .exchange_code(&code, &tx.verifier, &tx.redirect_uri)
        .await;
    Exchanged { state, tx, tokens }
}

/// Handles a callback whole: [`prepare`], [`exchange`], [`finish`].
pub async fn complete<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    callback: &Callback,
    current: Option<&Session>,
) -> Returned {
    let exchanged = match prepare(env.tab, callback, current, env.now) {
        Ok(prepared) => Ok(exchange(env.tenant, prepared).await),
        Err(problem) => Err(problem),
    };
    finish(env, exchanged, current).await
}

/// Completes a callback whose code was exchanged (or refused before), and
/// stores what it brought: the configuration the round-trip began with
/// must be the page's, then the ID token, and, when linking, the gates.
pub async fn finish<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    exchanged: Result<Exchanged, Problem>,
    current: Option<&Session>,
) -> Returned {
    let verified = match exchanged {
        Ok(exchanged) => verified(env, exchanged).await,
        Err(problem) => Err(problem),
    };
    match verified {
        Ok(Returned::SignedIn {
            session: s,
            account,
            revoke,
        }) => {
            session::save(env.local, &s);
            linking::clear_pending(env.tab);
            // A read that ended the session ends the one just stored.
            let account = account.map_err(|p| env.ended(p));
            Returned::SignedIn {
                session: s,
                account,
                revoke,
            }
        }
        Ok(Returned::LinkReady {
            pending,
            shown,
            revoke,
        }) => {
            linking::save_pending(env.tab, &pending);
            Returned::LinkReady {
                pending,
                shown,
                revoke,
            }
        }
        Ok(Returned::SteppedUp { session: s, action }) => {
            // The stored session keeps its read-only token; the new one
            // stays in the tab (`keep_update`).
            // With no stored session (`prepare` refuses that before the
            // exchange), nothing is stored: its token could change the account.
            let Some(c) = current else {
                let problem = Problem::new(Key::NotForThisAccountStepUp, Next::Dismiss);
                return Returned::Refused {
                    problem,
                    pending: None,
                };
            };
            let s = Session {
                access_token: c.access_token.clone(),
                expires_at: c.expires_at,
                scope: c.scope.clone(),
                ..s
            };
            session::save(env.local, &s);
            step_up::grant(env.tab, &s, &action);
            Returned::SteppedUp { session: s, action }
        }
        Ok(refused @ Returned::Refused { .. }) => refused,
        Err(problem) => {
            let problem = env.ended(problem);
            let pending = match current.filter(|_| problem.next != Next::SessionEnded) {
                Some(s) => linking::reload_pending(env, s).await.ok().flatten(),
                None => None,
            };
            Returned::Refused { problem, pending }
        }
    }
}

async fn verified<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    exchanged: Exchanged,
) -> Result<Returned, Problem> {
    let Exchanged { state, tx, tokens } = exchanged;
    // A token from a tenant this page no longer names is never used.
    if tx.config != env.config.source || tx.redirect_uri != env.redirect_uri {
        return Err(Problem::new(Key::ConfigChanged, Next::Dismiss));
    }
    let doing = match tx.purpose {
        Purpose::Link { .. } => Doing::Link,
        _ => Doing::SignIn,
    };
    let tokens = tokens.map_err(|e| tenant_problem(&e, doing, env.now))?;
    let Some(id_token) = tokens.id_token.clone() else {
        return Err(Problem::new(Key::NoIdToken, Next::Dismiss));
    };
    // The account (the one signing in, or the one to link) is read with
    // the answer's own token while the ID token is verified; what it says
    // is used only once the token is. The read goes first: its request is
    // under way before the signature's arithmetic takes the thread (or
    // the keys' fetch, in a tab that kept none: see `keep_keys_ahead`). A
    // token that names no account is refused, so is not read for.
    let sub = match tx.purpose {
        Purpose::StepUp { .. } => None,
        _ => id_token::unverified_sub(id_token.expose()),
    };
    let read = async {
        let sub = sub.as_deref()?;
        Some(env.tenant.get_user(&tokens.access_token, sub).await)
    };
    // The account to link: its MFA enrollments, for the price of the
    // link, read while its token is at hand.
    let enrollments = async {
        match (&tx.purpose, sub.as_deref()) {
            (Purpose::Link { .. }, Some(sub)) => {
                linking::confirmed(env.tenant.enrollments(&tokens.access_token, sub).await)
            }
            _ => None,
        }
    };
    // The read-only token a session keeps is asked for at once, with the
    // refresh token, beside the read and the verification: at a sign-in,
    // and at a link that may make the other account the main one.
    let refresh = async {
        match (&tx.purpose, &tokens.refresh_token) {
            (Purpose::StepUp { .. }, _) | (_, None) => None,
            (_, Some(rt)) => Some(env.tenant.refresh(rt, urls::READ_SCOPE).await),
        }
    };
    let ((read, (refreshed, enrollments)), claims) = crate::flows::join(
        crate::flows::join(read, crate::flows::join(refresh, enrollments)),
        verify(env, &id_token, &tx.nonce),
    )
    .await;
    // Refused from here on, the callback revokes the refresh token it was
    // given (rotated once, for the read-only token) before it says so.
    let rotated = match &refreshed {
        Some(Ok(read_only)) => read_only.refresh_token.clone(),
        _ => None,
    };
    let claims = match claims {
        Ok(claims) => claims,
        Err(problem) => return Err(revoked(env, rotated, problem).await),
    };
    let session = |user_id| Session {
        version: session::VERSION,
        access_token: tokens.access_token.clone(),
        id_token: id_token.clone(),
        user_id,
        expires_at: env.now + tokens.expires_in,
        auth_time: claims.auth_time,
        scope: tokens.scope.clone(),
        suggested: claims.suggested.clone(),
    };
    let window = env.config.reauth_max_age_seconds;
    // This round-trip's token may change the account only if its sign-in
    // was fresh; then it is kept in this tab, for the window.
    let keep_update = |user_id: &str| {
        if let Some(t) = claims.auth_time {
            let until = step_up::update_until(t, window, env.now + tokens.expires_in, env.now);
            step_up::keep_update(env.tab, user_id, &tokens.access_token, until, env.now);
        }
    };
    match &tx.purpose {
        Purpose::Login => {
            let Some(Ok(read_only)) = refreshed else {
                return Err(Problem::new(Key::NoReadOnlyToken, Next::Dismiss));
            };
            // A new sign-in: an earlier one's update token goes, and this
            // one's is kept only if it proves a sign-in within the window.
            step_up::drop_update(env.tab);
            if window > 0 && step_up::is_recent(claims.auth_time, env.now, window) {
                keep_update(&claims.sub);
            }
            Ok(Returned::SignedIn {
                session: Session {
                    access_token: read_only.access_token,
                    expires_at: env.now + read_only.expires_in,
                    ..session(claims.sub.clone())
                },
                account: read
                    .expect("read for a token with a `sub`")
                    .map_err(|e| tenant_problem(&e, Doing::LoadAccount, env.now)),
                revoke: read_only.refresh_token,
            })
        }
        Purpose::StepUp { user_id, action } => {
            if claims.sub != *user_id {
                return Err(Problem::new(Key::OtherAccountSignedIn, Next::Dismiss));
            }
            if !step_up::signed_in_since(claims.auth_time, tx.created_at, env.now) {
                return Err(Problem::new(Key::NotFreshChange, Next::Dismiss));
            }
            keep_update(user_id);
            Ok(Returned::SteppedUp {
                session: session(user_id.clone()),
                action: action.clone(),
            })
        }
        Purpose::Link { primary, .. } => {
            let shown = linking::take_shown(env.tab, state.as_deref(), primary);
            let other = read.expect("read for a token with a `sub`");
            let mut pending =
                match linking::proved(env, &tx, (id_token.clone(), &tokens), claims, other) {
                    Ok(pending) => pending,
                    Err(problem) => return Err(revoked(env, rotated, problem).await),
                };
            pending.factors = enrollments;
            let revoke = match refreshed {
                Some(Ok(read_only)) => {
                    pending = pending.may_become_main(tokens.access_token, read_only.access_token);
                    read_only.refresh_token
                }
                _ => None,
            };
            Ok(Returned::LinkReady {
                pending,
                shown,
                revoke,
            })
        }
    }
}

/// `problem`, once the refresh token a refused callback was given (if any)
/// is revoked; a revocation that fails changes nothing the person has.
async fn revoked<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    refresh_token: Option<Secret>,
    problem: Problem,
) -> Problem {
    if let Some(token) = refresh_token {
        let _ = revoke(env, &token).await;
    }
    problem
}

/// Revokes the refresh token a sign-in used for its read-only token. A
/// failure changes nothing the person has: the token's family was rotated
/// once and is unused.
pub async fn revoke<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    refresh_token: &Secret,
) -> Result<(), crate::tenant::TenantError> {
    env.tenant.revoke(refresh_token).await
}

/// Fetches and keeps the tenant's keys for this tab when it kept none, on
/// a load that is no callback, so that the next callback (a sign-in or a
/// link) verifies its ID token without a call. They are public: if the
/// fetch fails, the callback fetches them itself.
pub async fn keep_keys_ahead<T: Tenant, S: KeyValue>(env: &Env<'_, T, S>) {
    if !env.keys.is_empty() || crate::flows::kept_keys(env.tab, env.now).is_some() {
        return;
    }
    if let Ok(fresh) = env.tenant.jwks().await {
        crate::flows::keep_keys(env.tab, &fresh, env.now);
        env.keys.replace(fresh);
    }
}

/// Verifies an ID token against the tenant's JWKS: the cached keys, or,
/// for an unknown `kid`, the keys fetched again once.
pub(crate) async fn verify<T: Tenant, S: KeyValue>(
    env: &Env<'_, T, S>,
    token: &Secret,
    nonce: &str,
) -> Result<IdClaims, Problem> {
    let header = id_token::header(token.expose()).map_err(|e| id_token_problem(&e))?;
    let kid = header.kid.unwrap_or_default();
    let cached = env.keys.find(&kid).or_else(|| {
        // The tab keeps the keys across the round-trip, for ten minutes.
        let kept = crate::flows::kept_keys(env.tab, env.now)?;
        env.keys.replace(kept);
        env.keys.find(&kid)
    });
    let key = match cached {
        Some(k) => k,
        None => {
            let fresh = env
                .tenant
                .jwks()
                .await
                .map_err(|e| tenant_problem(&e, Doing::SignIn, env.now))?;
            crate::flows::keep_keys(env.tab, &fresh, env.now);
            env.keys.replace(fresh);
            env.keys
                .find(&kid)
                .ok_or_else(|| id_token_problem(&id_token::IdTokenError::UnknownKey))?
        }
    };
    let issuer = env.config.issuer();
    let expected = Expected {
        issuer: &issuer,
        client_id: &env.config.client_id,
        nonce,
        now: env.now,
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
}
