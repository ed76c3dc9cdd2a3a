//! The signed-in session: one versioned record in `localStorage`, so that
//! it survives the linking round-trip, which leaves the page.

use serde::{Deserialize, Serialize};

use super::Secret;
use super::storage::{KeyValue, Unreadable};

pub const SESSION_KEY: &str = "link-accounts.session";
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    /// The access token for the Management API.
    pub access_token: Secret,
    pub id_token: Secret,
    /// The primary user's id (`sub`), `provider|id`.
    pub user_id: String,
    /// When the access token expires (UNIX seconds).
    pub expires_at: i64,
    /// When the person last signed in as this account at the tenant (the
    /// ID token's `auth_time`), for the recent sign-in that changes need.
    pub auth_time: Option<i64>,
    /// The scopes the tenant granted the access token (its answer's
    /// `scope`); absent in a record kept before it was read.
    #[serde(default)]
    pub scope: Option<String>,
    /// Suggested linking (`flows::suggest`): the connections the verified
    /// ID token of the sign-in named; none without the tenant's Action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggested: Vec<String>,
}

impl Session {
    /// A session of `user_id` for tests: made-up tokens, expiring at 10,
    /// no scope recorded (so any allowed), no suggestions.
    #[cfg(test)]
    pub fn for_tests(user_id: &str) -> Session {
        Session {
            version: VERSION,
            access_token: Secret("a".into()),
            id_token: Secret("i".into()),
            user_id: user_id.into(),
            expires_at: 10,
            auth_time: None,
            scope: None,
            suggested: Vec::new(),
        }
    }

    /// Whether the session's token may do what `scope` allows.
    pub fn may(&self, scope: &str) -> bool {
        granted(self.scope.as_deref(), scope)
    }
}

/// What lets the page link and unlink accounts.
pub const LINK_SCOPE: &str = "update:current_user_identities";
/// What lets the page copy settings (`user_metadata`).
pub const METADATA_SCOPE: &str = "update:current_user_metadata";

/// Whether `granted` (a token answer's `scope`) holds `scope`; a token
/// whose grant was not said (an older record) is taken to hold what the
/// page asks for.
pub fn granted(granted: Option<&str>, scope: &str) -> bool {
    granted.is_none_or(|g| g.split_whitespace().any(|s| s == scope))
}

/// What the stored record says.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    None,
    Active(Session),
    /// It was there but has expired: the person should be told.
    Expired,
    /// Unreadable, or of another version: cleared, and the person told.
    Unreadable,
}

/// Reads the record; an unusable one is removed.
pub fn load(store: &impl KeyValue, now: i64) -> Stored {
    let stored = judge(store.get::<Session>(SESSION_KEY), now);
    if !matches!(stored, Stored::Active(_) | Stored::None) {
        store.remove(SESSION_KEY);
    }
    stored
}

/// The active session, if there is one, read without removing anything:
/// for the checks a callback makes before the page has started.
pub fn peek(store: &impl KeyValue, now: i64) -> Option<Session> {
    match judge(store.get::<Session>(SESSION_KEY), now) {
        Stored::Active(s) => Some(s),
        _ => None,
    }
}

/// What a read of the record says.
fn judge(read: Result<Option<Session>, Unreadable>, now: i64) -> Stored {
    match read {
        Ok(None) => Stored::None,
        Ok(Some(s))
            if s.version == VERSION
                && s.user_id.contains('|')
                && !s.access_token.expose().is_empty() =>
        {
            if s.expires_at <= now {
                Stored::Expired
            } else {
                Stored::Active(s)
            }
        }
        _ => Stored::Unreadable,
    }
}

pub fn save(store: &impl KeyValue, session: &Session) {
    store.set(SESSION_KEY, session);
}

pub fn clear(store: &impl KeyValue) {
    store.remove(SESSION_KEY);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::storage::MemoryStore;

    fn session(expires_at: i64) -> Session {
        Session {
            version: VERSION,
            access_token: Secret("at".into()),
            id_token: Secret("it".into()),
            user_id: "github|1".into(),
            expires_at,
            auth_time: None,
            scope: None,
            suggested: Vec::new(),
        }
    }

    #[test]
    fn a_saved_session_loads_until_it_expires() {
        let store = MemoryStore::default();
        save(&store, &session(100));
        assert_eq!(load(&store, 99), Stored::Active(session(100)));
        assert_eq!(load(&store, 100), Stored::Expired);
        assert_eq!(
            load(&store, 50),
            Stored::None,
            "an expired record is removed"
        );
    }

    #[test]
    fn corrupt_or_foreign_records_read_as_unreadable_and_are_removed() {
        for text in [
            "{not json",
            "null",
            r#"{"version":2,"access_token":"a","id_token":"b","user_id":"x|1","expires_at":9}"#,
            r#"{"version":1,"access_token":"a"}"#,
            r#"{"version":1,"access_token":"","id_token":"b","user_id":"x|1","expires_at":9}"#,
            r#"{"version":1,"access_token":"a","id_token":"b","user_id":"nopipe","expires_at":9}"#,
        ] {
            let store = MemoryStore::default();
            store.set_text(SESSION_KEY, text);
            assert_eq!(load(&store, 1), Stored::Unreadable, "{text}");
            assert!(store.text(SESSION_KEY).is_none(), "{text}");
        }
    }
}
