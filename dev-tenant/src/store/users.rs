//! Users and their identities: reading them, signing in, and the link and
//! unlink transactions.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::{ConnectionKind, Result, Store, StoreError, json_map};

/// A test-only crash point, in debug builds: when `DEV_TENANT_CRASH_POINT`
/// names this point, the tenant says so on stderr and stops there, inside
/// the transaction, for the crash test to `kill -9` it. Release builds have
/// none.
fn crash_point(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("DEV_TENANT_CRASH_POINT").is_ok_and(|p| p == name) {
        eprintln!("dev-tenant: crash point {name}");
        loop {
            std::thread::park();
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}

/// One identity of a user. The main identity has no `profile_data`.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub provider: String,
    pub user_id: String,
    pub connection: String,
    pub is_social: bool,
    pub profile_data: Option<Map<String, Value>>,
}

impl Identity {
    /// `provider|user_id`.
    pub fn full_id(&self) -> String {
        format!("{}|{}", self.provider, self.user_id)
    }

    /// As Auth0 answers it. GitHub's ids are numbers there, as Auth0 sends them.
    pub fn to_json(&self, issuer: &str) -> Value {
        let user_id = match self.user_id.parse::<u64>() {
            Ok(n) if self.provider == "github" => json!(n),
            _ => json!(self.user_id),
        };
        let mut v = json!({
            "connection": self.connection,
            "user_id": user_id,
            "provider": self.provider,
            "isSocial": self.is_social,
        });
        if let Some(p) = &self.profile_data {
            v["profileData"] = Value::Object(resolve_picture(p.clone(), issuer));
        }
        v
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub user_id: String,
    pub connection: String,
    pub profile: Map<String, Value>,
    pub user_metadata: Map<String, Value>,
    pub app_metadata: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
    pub identities: Vec<Identity>,
}

impl User {
    /// A profile claim as a string.
    pub fn claim(&self, key: &str) -> Option<&str> {
        self.profile.get(key).and_then(Value::as_str)
    }

    /// The user as `GET /api/v2/users/{id}` answers it.
    pub fn to_json(&self, issuer: &str) -> Value {
        let mut v = Map::new();
        v.insert("user_id".into(), json!(self.user_id));
        for (k, val) in resolve_picture(self.profile.clone(), issuer) {
            v.insert(k, val);
        }
        v.insert("created_at".into(), json!(self.created_at));
        v.insert("updated_at".into(), json!(self.updated_at));
        v.insert(
            "identities".into(),
            Value::Array(self.identities.iter().map(|i| i.to_json(issuer)).collect()),
        );
        v.insert(
            "user_metadata".into(),
            Value::Object(self.user_metadata.clone()),
        );
        v.insert(
            "app_metadata".into(),
            Value::Object(self.app_metadata.clone()),
        );
        Value::Object(v)
    }
}

/// `avatar:NAME` pictures are served by the tenant itself.
pub fn resolve_picture(mut profile: Map<String, Value>, issuer: &str) -> Map<String, Value> {
    if let Some(Value::String(p)) = profile.get_mut("picture")
        && let Some(name) = p.strip_prefix("avatar:")
    {
        *p = format!("{issuer}avatars/{name}.svg");
    }
    profile
}

/// `provider|rest` → `(provider, rest)`; the rest may hold more `|`.
pub fn split_user_id(id: &str) -> Option<(&str, &str)> {
    id.split_once('|')
        .filter(|(p, r)| !p.is_empty() && !r.is_empty())
}

/// Why a link could not be made.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkError {
    PrimaryNotFound,
    SameUser,
    /// The secondary is not a user of its own (already linked elsewhere).
    AlreadyLinked,
    SecondaryNotFound,
}

/// Why an unlink could not be made.
#[derive(Debug, PartialEq, Eq)]
pub enum UnlinkError {
    UserNotFound,
    MainIdentity,
}

impl Store {
    pub fn user(&self, user_id: &str) -> Result<Option<User>> {
        let row = self
            .conn
            .query_row(
                "SELECT user_id, connection, profile, user_metadata, app_metadata, created_at,
                        updated_at FROM users WHERE user_id = ?1",
                [user_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((user_id, connection, profile, um, am, created_at, updated_at)) = row else {
            return Ok(None);
        };
        let identities = self.identities_of(&user_id)?;
        Ok(Some(User {
            user_id,
            connection,
            profile: json_map(&profile),
            user_metadata: json_map(&um),
            app_metadata: json_map(&am),
            created_at,
            updated_at,
            identities,
        }))
    }

    /// The users whose email is exactly `email` (Auth0's search is
    /// case-sensitive), in the order they were made. A user linked into
    /// another is not a user any more, so is not among them.
    pub fn users_by_email(&self, email: &str) -> Result<Vec<User>> {
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT user_id FROM users WHERE json_extract(profile, '$.email') = ?1
                 ORDER BY rowid",
            )?;
            let rows = stmt.query_map([email], |r| r.get(0))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        let mut users = Vec::with_capacity(ids.len());
        for id in ids {
            users.extend(self.user(&id)?);
        }
        Ok(users)
    }

    /// Every user's id, in the order they were made.
    pub fn user_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT user_id FROM users ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn identities_of(&self, owner: &str) -> Result<Vec<Identity>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.provider, i.user_id, i.connection, i.profile_data, c.kind FROM identities i
             LEFT JOIN connections c ON c.name = i.connection
             WHERE i.owner = ?1 ORDER BY i.position",
        )?;
        let rows = stmt.query_map([owner], |r| {
            Ok(Identity {
                provider: r.get(0)?,
                user_id: r.get(1)?,
                connection: r.get(2)?,
                profile_data: r.get::<_, Option<String>>(3)?.map(|p| json_map(&p)),
                is_social: r.get::<_, Option<String>>(4)?.as_deref()
                    == Some(ConnectionKind::Social.as_str()),
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The user that owns an identity `provider|user_id` (itself, or the
    /// user it is linked to).
    pub fn owner_of(&self, full_id: &str) -> Result<Option<String>> {
        let Some((provider, rest)) = split_user_id(full_id) else {
            return Ok(None);
        };
        Ok(self
            .conn
            .query_row(
                "SELECT owner FROM identities WHERE provider = ?1 AND user_id = ?2",
                [provider, rest],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Identities of a connection, each with its email (or phone) and owner,
    /// for the login pages.
    pub fn logins_of(&self, connection: &str) -> Result<Vec<Login>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.provider, i.user_id, i.owner, coalesce(i.profile_data, u.profile),
                    i.password_hash
             FROM identities i LEFT JOIN users u ON u.user_id = i.provider || '|' || i.user_id
             WHERE i.connection = ?1 ORDER BY i.provider, i.user_id",
        )?;
        let rows = stmt.query_map([connection], |r| {
            let profile = json_map(&r.get::<_, Option<String>>(3)?.unwrap_or_default());
            Ok(Login {
                identity: format!("{}|{}", r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                owner: r.get(2)?,
                email: profile
                    .get("email")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                phone: profile
                    .get("phone_number")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                password_hash: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Merges `patch` into the user's `user_metadata` at the first level;
    /// `null` removes a key.
    pub fn patch_user_metadata(
        &mut self,
        user_id: &str,
        patch: &Map<String, Value>,
        now: &str,
    ) -> Result<Option<User>> {
        let Some(user) = self.user(user_id)? else {
            return Ok(None);
        };
        let mut merged = user.user_metadata;
        for (k, v) in patch {
            if v.is_null() {
                merged.remove(k);
            } else {
                merged.insert(k.clone(), v.clone());
            }
        }
        self.conn.execute(
            "UPDATE users SET user_metadata = ?2, updated_at = ?3 WHERE user_id = ?1",
            params![user_id, Value::Object(merged).to_string(), now],
        )?;
        self.user(user_id)
    }

    /// Links the user `secondary` into `primary`, in one transaction. The
    /// secondary's profile becomes the identity's `profileData`; its
    /// metadata is discarded; it leaves the user list.
    pub fn link(
        &mut self,
        primary: &str,
        secondary: &str,
        now: &str,
    ) -> std::result::Result<Vec<Identity>, LinkOutcome> {
        if primary == secondary {
            return Err(LinkOutcome::Refused(LinkError::SameUser));
        }
        let tx = self.conn.transaction()?;
        let exists = |id: &str| -> std::result::Result<bool, LinkOutcome> {
            Ok(tx
                .query_row("SELECT 1 FROM users WHERE user_id = ?1", [id], |_| Ok(()))
                .optional()?
                .is_some())
        };
        if !exists(primary)? {
            return Err(LinkOutcome::Refused(LinkError::PrimaryNotFound));
        }
        if !exists(secondary)? {
            let (provider, rest) = split_user_id(secondary)
                .ok_or(LinkOutcome::Refused(LinkError::SecondaryNotFound))?;
            let linked = tx
                .query_row(
                    "SELECT 1 FROM identities WHERE provider = ?1 AND user_id = ?2",
                    [provider, rest],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            return Err(LinkOutcome::Refused(if linked {
                LinkError::AlreadyLinked
            } else {
                LinkError::SecondaryNotFound
            }));
        }
        let profile: String = tx.query_row(
            "SELECT profile FROM users WHERE user_id = ?1",
            [secondary],
            |r| r.get(0),
        )?;
        let next: i64 = tx.query_row(
            "SELECT coalesce(max(position), 0) + 1 FROM identities WHERE owner = ?1",
            [primary],
            |r| r.get(0),
        )?;
        // The secondary's own identity keeps its profile; identities already
        // linked to the secondary move along, after it.
        tx.execute(
            "UPDATE identities SET owner = ?1, position = ?2 + position,
                    profile_data = coalesce(profile_data, ?3)
             WHERE owner = ?4",
            params![primary, next, profile, secondary],
        )?;
        crash_point("link");
        tx.execute("DELETE FROM users WHERE user_id = ?1", [secondary])?;
        // The secondary user is gone, and its MFA enrollments with it.
        tx.execute("DELETE FROM enrollments WHERE user_id = ?1", [secondary])?;
        tx.execute(
            "UPDATE users SET updated_at = ?2 WHERE user_id = ?1",
            params![primary, now],
        )?;
        tx.commit()?;
        Ok(self.identities_of(primary)?)
    }

    /// Unlinks `provider|user_id` from `primary`, in one transaction; the
    /// identity becomes a user of its own again, with no metadata.
    pub fn unlink(
        &mut self,
        primary: &str,
        provider: &str,
        identity_user_id: &str,
        now: &str,
    ) -> std::result::Result<Vec<Identity>, UnlinkOutcome> {
        let tx = self.conn.transaction()?;
        let main: Option<String> = tx
            .query_row(
                "SELECT provider || '|' || user_id FROM identities WHERE owner = ?1
                 AND position = 0",
                [primary],
                |r| r.get(0),
            )
            .optional()?;
        let Some(main) = main else {
            return Err(UnlinkOutcome::Refused(UnlinkError::UserNotFound));
        };
        if main == format!("{provider}|{identity_user_id}") {
            return Err(UnlinkOutcome::Refused(UnlinkError::MainIdentity));
        }
        let found: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT connection, profile_data FROM identities
                 WHERE owner = ?1 AND provider = ?2 AND user_id = ?3",
                [primary, provider, identity_user_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((connection, profile)) = found {
            let new_id = format!("{provider}|{identity_user_id}");
            tx.execute(
                "INSERT INTO users VALUES (?1, ?2, ?3, '{}', '{}', NULL, ?4, ?4)",
                params![
                    new_id,
                    connection,
                    profile.unwrap_or_else(|| "{}".into()),
                    now
                ],
            )?;
            crash_point("unlink");
            tx.execute(
                "UPDATE identities SET owner = ?1, position = 0, profile_data = NULL
                 WHERE provider = ?2 AND user_id = ?3",
                params![new_id, provider, identity_user_id],
            )?;
            tx.execute(
                "UPDATE users SET updated_at = ?2 WHERE user_id = ?1",
                params![primary, now],
            )?;
        }
        tx.commit()?;
        Ok(self.identities_of(primary)?)
    }

    /// A user id of a database or passwordless login that matches.
    pub fn check_password(
        &self,
        connection: &str,
        email: &str,
        password: &str,
    ) -> Result<Option<String>> {
        for login in self.logins_of(connection)? {
            if login
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
                && login.password_hash.as_deref() == Some(&password_hash(&login.identity, password))
            {
                return Ok(Some(login.identity));
            }
        }
        Ok(None)
    }
}
#[derive(Clone, Debug)]
pub struct Login {
    /// `provider|user_id` of the identity.
    pub identity: String,
    /// The user it signs in (itself, or the user it is linked to).
    pub owner: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password_hash: Option<String>,
}

/// A refused link, or a failure of the store.
#[derive(Debug)]
pub enum LinkOutcome {
    Refused(LinkError),
    Store(StoreError),
}

impl From<StoreError> for LinkOutcome {
    fn from(e: StoreError) -> Self {
        LinkOutcome::Store(e)
    }
}

impl From<StoreError> for UnlinkOutcome {
    fn from(e: StoreError) -> Self {
        UnlinkOutcome::Store(e)
    }
}

impl From<rusqlite::Error> for LinkOutcome {
    fn from(e: rusqlite::Error) -> Self {
        LinkOutcome::Store(e.into())
    }
}

/// A refused unlink, or a failure of the store.
#[derive(Debug)]
pub enum UnlinkOutcome {
    Refused(UnlinkError),
    Store(StoreError),
}

impl From<rusqlite::Error> for UnlinkOutcome {
    fn from(e: rusqlite::Error) -> Self {
        UnlinkOutcome::Store(e.into())
    }
}

pub(crate) fn password_hash(user_id: &str, password: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("dev-tenant:{user_id}:{password}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
