//! The transactions of the two round-trips to the tenant (signing in, and
//! linking another account), kept in `sessionStorage` under their `state`:
//! single use, ten minutes to live, and bound to the tab that started them.

use serde::{Deserialize, Serialize};

use super::pkce;
use super::storage::KeyValue;
use crate::config::Config;

/// How long a round-trip may take before its transaction is refused.
pub const LIFETIME_SECS: i64 = 600;
const PREFIX: &str = "link-accounts.tx.";

/// What a round-trip is for. Kept flat beside the transaction's own
/// fields: `{"purpose": "login" | "link" | "step_up", ...its fields}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    Login,
    /// Linking another account to `primary`, the user signed in when it began.
    Link {
        primary: String,
        connection: String,
    },
    /// Signing in again as `user_id`, the user signed in when it began,
    /// for `action`, which the page comes back to.
    StepUp {
        user_id: String,
        action: Action,
    },
}

/// A change to the account that needs a recent sign-in. Kept as
/// `{"action": "link" | "confirm" | "unlink", ...its field}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ActionKept", try_from = "ActionKept")]
pub enum Action {
    /// Starting to link an account of this connection.
    Link { connection: String },
    /// Confirming the pending link.
    Confirm,
    /// Unlinking the identity with this `provider|user_id`.
    Unlink { identity: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "TransactionKept", try_from = "TransactionKept")]
pub struct Transaction {
    pub purpose: Purpose,
    pub verifier: String,
    pub nonce: String,
    pub created_at: i64,
    /// The text of the `config.json` the round-trip began with, and the
    /// redirect URI it sent: the callback exchanges its code with these
    /// before `config.json` has loaded, and is refused if the file now
    /// differs.
    pub config: String,
    pub redirect_uri: String,
}

// How the two are kept: plain structs, each variant's fields optional.
// (serde's derived code for an enum with fields is several times a
// struct's; these keep the shapes the tab has always stored.)

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PurposeKind {
    Login,
    Link,
    StepUp,
}

#[derive(Serialize, Deserialize)]
struct TransactionKept {
    purpose: PurposeKind,
    primary: Option<String>,
    connection: Option<String>,
    user_id: Option<String>,
    action: Option<Action>,
    verifier: String,
    nonce: String,
    created_at: i64,
    config: String,
    redirect_uri: String,
}

impl From<Transaction> for TransactionKept {
    fn from(t: Transaction) -> Self {
        let (purpose, primary, connection, user_id, action) = match t.purpose {
            Purpose::Login => (PurposeKind::Login, None, None, None, None),
            Purpose::Link {
                primary,
                connection,
            } => (
                PurposeKind::Link,
                Some(primary),
                Some(connection),
                None,
                None,
            ),
            Purpose::StepUp { user_id, action } => {
                (PurposeKind::StepUp, None, None, Some(user_id), Some(action))
            }
        };
        TransactionKept {
            purpose,
            primary,
            connection,
            user_id,
            action,
            verifier: t.verifier,
            nonce: t.nonce,
            created_at: t.created_at,
            config: t.config,
            redirect_uri: t.redirect_uri,
        }
    }
}

impl TryFrom<TransactionKept> for Transaction {
    type Error = &'static str;

    fn try_from(t: TransactionKept) -> Result<Self, Self::Error> {
        let purpose = match (t.purpose, t.primary, t.connection, t.user_id, t.action) {
            (PurposeKind::Login, ..) => Purpose::Login,
            (PurposeKind::Link, Some(primary), Some(connection), ..) => Purpose::Link {
                primary,
                connection,
            },
            (PurposeKind::StepUp, _, _, Some(user_id), Some(action)) => {
                Purpose::StepUp { user_id, action }
            }
            _ => return Err("a purpose without its fields"),
        };
        Ok(Transaction {
            purpose,
            verifier: t.verifier,
            nonce: t.nonce,
            created_at: t.created_at,
            config: t.config,
            redirect_uri: t.redirect_uri,
        })
    }
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ActionKind {
    Link,
    Confirm,
    Unlink,
}

#[derive(Serialize, Deserialize)]
struct ActionKept {
    action: ActionKind,
    connection: Option<String>,
    identity: Option<String>,
}

impl From<Action> for ActionKept {
    fn from(a: Action) -> Self {
        let (action, connection, identity) = match a {
            Action::Link { connection } => (ActionKind::Link, Some(connection), None),
            Action::Confirm => (ActionKind::Confirm, None, None),
            Action::Unlink { identity } => (ActionKind::Unlink, None, Some(identity)),
        };
        ActionKept {
            action,
            connection,
            identity,
        }
    }
}

impl TryFrom<ActionKept> for Action {
    type Error = &'static str;

    fn try_from(a: ActionKept) -> Result<Self, Self::Error> {
        match (a.action, a.connection, a.identity) {
            (ActionKind::Link, Some(connection), _) => Ok(Action::Link { connection }),
            (ActionKind::Confirm, ..) => Ok(Action::Confirm),
            (ActionKind::Unlink, _, Some(identity)) => Ok(Action::Unlink { identity }),
            _ => Err("an action without its field"),
        }
    }
}

/// A fresh transaction and its `state`.
#[derive(Debug)]
pub struct Started {
    pub state: String,
    pub transaction: Transaction,
}

/// Why a callback's `state` was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransactionError {
    /// The callback carried no `state`.
    Missing,
    /// No transaction has that `state` here: never started in this tab, or
    /// already used.
    Unknown,
    /// Started more than ten minutes ago.
    Expired,
}

/// Starts a round-trip: new state, nonce and PKCE verifier, saved under the state.
pub fn begin(store: &impl KeyValue, purpose: Purpose, to: (&Config, &str), now: i64) -> Started {
    prune(store, now);
    let state = pkce::random(16);
    let (config, redirect_uri) = to;
    let transaction = Transaction {
        purpose,
        verifier: pkce::verifier(),
        nonce: pkce::random(16),
        created_at: now,
        config: config.source.clone(),
        redirect_uri: redirect_uri.to_owned(),
    };
    store.set(&format!("{PREFIX}{state}"), &transaction);
    Started { state, transaction }
}

/// Takes the transaction of a callback's `state` out of the store: whatever
/// happens next, it cannot be used again.
pub fn take(
    store: &impl KeyValue,
    state: Option<&str>,
    now: i64,
) -> Result<Transaction, TransactionError> {
    let state = state
        .filter(|s| !s.is_empty())
        .ok_or(TransactionError::Missing)?;
    let key = format!("{PREFIX}{state}");
    let found = store.get::<Transaction>(&key);
    store.remove(&key);
    let transaction = found.ok().flatten().ok_or(TransactionError::Unknown)?;
    if now - transaction.created_at > LIFETIME_SECS || transaction.created_at > now + 60 {
        return Err(TransactionError::Expired);
    }
    Ok(transaction)
}

/// Drops a transaction that will not be used (a cancelled round-trip).
pub fn discard(store: &impl KeyValue, state: &str) {
    store.remove(&format!("{PREFIX}{state}"));
}

/// Removes every transaction older than its lifetime, or unreadable.
pub fn prune(store: &impl KeyValue, now: i64) {
    for key in store.keys().into_iter().filter(|k| k.starts_with(PREFIX)) {
        let stale = store
            .read::<Transaction>(&key)
            .is_none_or(|t| now - t.created_at > LIFETIME_SECS);
        if stale {
            store.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::storage::MemoryStore;

    const NOW: i64 = 1_800_000_000;

    fn begin(store: &MemoryStore, purpose: Purpose, now: i64) -> Started {
        super::begin(
            store,
            purpose,
            (&Config::example(), "https://app.example/"),
            now,
        )
    }

    #[test]
    fn a_transaction_is_found_once_by_its_state() {
        let store = MemoryStore::default();
        let started = begin(&store, Purpose::Login, NOW);
        assert_eq!(
            take(&store, Some(&started.state), NOW + 5),
            Ok(started.transaction)
        );
        assert_eq!(
            take(&store, Some(&started.state), NOW + 6),
            Err(TransactionError::Unknown)
        );
    }

    #[test]
    fn each_transaction_has_its_own_state_nonce_and_verifier() {
        let store = MemoryStore::default();
        let a = begin(&store, Purpose::Login, NOW);
        let b = begin(&store, Purpose::Login, NOW);
        assert_ne!(a.state, b.state);
        assert_ne!(a.transaction.nonce, b.transaction.nonce);
        assert_ne!(a.transaction.verifier, b.transaction.verifier);
    }

    #[test]
    fn missing_unknown_and_expired_states_are_refused() {
        let store = MemoryStore::default();
        assert_eq!(take(&store, None, NOW), Err(TransactionError::Missing));
        assert_eq!(take(&store, Some(""), NOW), Err(TransactionError::Missing));
        assert_eq!(
            take(&store, Some("forged"), NOW),
            Err(TransactionError::Unknown)
        );
        let started = begin(&store, Purpose::Login, NOW);
        assert_eq!(
            take(&store, Some(&started.state), NOW + LIFETIME_SECS + 1),
            Err(TransactionError::Expired)
        );
        assert!(
            store.keys().is_empty(),
            "an expired transaction is gone too"
        );
    }

    #[test]
    fn a_link_transaction_remembers_who_started_it() {
        let store = MemoryStore::default();
        let purpose = Purpose::Link {
            primary: "auth0|1".into(),
            connection: "github".into(),
        };
        let started = begin(&store, purpose.clone(), NOW);
        assert_eq!(
            take(&store, Some(&started.state), NOW).unwrap().purpose,
            purpose
        );
    }

    #[test]
    fn old_and_unreadable_transactions_are_pruned_when_another_begins() {
        let store = MemoryStore::default();
        let old = begin(&store, Purpose::Login, NOW - LIFETIME_SECS - 10);
        store.set_text("link-accounts.tx.junk", "{not json");
        store.set_text("unrelated", "kept");
        let new = begin(&store, Purpose::Login, NOW);
        let keys = store.keys();
        assert!(!keys.contains(&format!("{PREFIX}{}", old.state)));
        assert!(!keys.contains(&"link-accounts.tx.junk".to_owned()));
        assert!(keys.contains(&format!("{PREFIX}{}", new.state)));
        assert!(keys.contains(&"unrelated".to_owned()));
    }
}
