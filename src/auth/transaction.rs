//! The transactions of the two round-trips to the tenant (signing in, and
//! linking another account), kept in `sessionStorage` under their `state`:
//! single use, ten minutes to live, and bound to the tab that started them.

use serde_json::Value;

use super::pkce;
use super::storage::KeyValue;
use crate::json::{self, Fields, Json, object};

/// How long a round-trip may take before its transaction is refused.
pub const LIFETIME_SECS: i64 = 600;
const PREFIX: &str = "link-accounts.tx.";

/// What a round-trip is for. Kept as `{"purpose": "login" | "link" |
/// "step_up", ...its fields}`, beside the transaction's own.
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Starting to link an account of this connection.
    Link { connection: String },
    /// Confirming the pending link.
    Confirm,
    /// Unlinking the identity with this `provider|user_id`.
    Unlink { identity: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub purpose: Purpose,
    pub verifier: String,
    pub nonce: String,
    pub created_at: i64,
}

impl Json for Action {
    fn from_json(v: &Value) -> Option<Self> {
        let f = Fields::of(v)?;
        match f.get("action")?.as_str()? {
            "link" => Some(Action::Link {
                connection: f.string("connection")?,
            }),
            "confirm" => Some(Action::Confirm),
            "unlink" => Some(Action::Unlink {
                identity: f.string("identity")?,
            }),
            _ => None,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Action::Link { connection } => object([
                ("action", "link".into()),
                ("connection", connection.as_str().into()),
            ]),
            Action::Confirm => object([("action", "confirm".into())]),
            Action::Unlink { identity } => object([
                ("action", "unlink".into()),
                ("identity", identity.as_str().into()),
            ]),
        }
    }
}

impl Json for Transaction {
    fn from_json(v: &Value) -> Option<Self> {
        let f = Fields::of(v)?;
        let purpose = match f.get("purpose")?.as_str()? {
            "login" => Purpose::Login,
            "link" => Purpose::Link {
                primary: f.string("primary")?,
                connection: f.string("connection")?,
            },
            "step_up" => Purpose::StepUp {
                user_id: f.string("user_id")?,
                action: Action::from_json(f.get("action")?)?,
            },
            _ => return None,
        };
        Some(Transaction {
            purpose,
            verifier: f.string("verifier")?,
            nonce: f.string("nonce")?,
            created_at: f.int("created_at")?,
        })
    }

    fn to_json(&self) -> Value {
        let mut v = object([
            ("verifier", self.verifier.as_str().into()),
            ("nonce", self.nonce.as_str().into()),
            ("created_at", self.created_at.into()),
        ]);
        let purpose = match &self.purpose {
            Purpose::Login => object([("purpose", "login".into())]),
            Purpose::Link {
                primary,
                connection,
            } => object([
                ("purpose", "link".into()),
                ("primary", primary.as_str().into()),
                ("connection", connection.as_str().into()),
            ]),
            Purpose::StepUp { user_id, action } => object([
                ("purpose", "step_up".into()),
                ("user_id", user_id.as_str().into()),
                ("action", action.to_json()),
            ]),
        };
        if let (Value::Object(all), Value::Object(purpose)) = (&mut v, purpose) {
            all.extend(purpose);
        }
        v
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
pub fn begin(store: &impl KeyValue, purpose: Purpose, now: i64) -> Started {
    prune(store, now);
    let state = pkce::random(16);
    let transaction = Transaction {
        purpose,
        verifier: pkce::verifier(),
        nonce: pkce::random(16),
        created_at: now,
    };
    store.set(&format!("{PREFIX}{state}"), &json::text(&transaction));
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
    let text = store.get(&key).ok_or(TransactionError::Unknown)?;
    store.remove(&key);
    let transaction: Transaction = json::parse(&text).ok_or(TransactionError::Unknown)?;
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
            .get(&key)
            .and_then(|t| json::parse::<Transaction>(&t))
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
        store.set("link-accounts.tx.junk", "{not json");
        store.set("unrelated", "kept");
        let new = begin(&store, Purpose::Login, NOW);
        let keys = store.keys();
        assert!(!keys.contains(&format!("{PREFIX}{}", old.state)));
        assert!(!keys.contains(&"link-accounts.tx.junk".to_owned()));
        assert!(keys.contains(&format!("{PREFIX}{}", new.state)));
        assert!(keys.contains(&"unrelated".to_owned()));
    }
}
