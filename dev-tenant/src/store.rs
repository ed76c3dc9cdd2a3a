//! The SQLite store: one file in WAL mode. A link or an unlink is one
//! transaction, so a crash at any point leaves the user linked or not,
//! never half.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::seed::Seed;

pub type Result<T> = std::result::Result<T, StoreError>;

/// A failure of the store itself: logged, never sent to a client.
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    /// A stored record this tenant cannot read back.
    Corrupt(serde_json::Error),
    /// The seed asks for something the store cannot hold.
    Seed(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e)
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "store: {e}"),
            StoreError::Corrupt(e) => write!(f, "store: a stored record is unreadable: {e}"),
            StoreError::Seed(e) => write!(f, "store: {e}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            StoreError::Corrupt(e) => Some(e),
            StoreError::Seed(_) => None,
        }
    }
}

/// How a connection's people sign in, which decides its login page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// An identity provider: "Continue as …".
    Social,
    /// Email and password.
    Database,
    /// A one-time code by SMS.
    Sms,
    /// A one-time code by email.
    Email,
}

impl ConnectionKind {
    fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::Social => "social",
            ConnectionKind::Database => "database",
            ConnectionKind::Sms => "sms",
            ConnectionKind::Email => "email",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Social, Self::Database, Self::Sms, Self::Email]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A connection of the tenant.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionInfo {
    pub name: String,
    pub kind: ConnectionKind,
}

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

pub struct Store {
    conn: Connection,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub callbacks: Vec<String>,
    pub logout_urls: Vec<String>,
    pub web_origins: Vec<String>,
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

/// What an authorization code stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
    pub user_id: String,
    pub scope: String,
    pub audience: Option<String>,
    pub auth_time: i64,
    pub expires_at: i64,
}

/// What a refresh token stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshGrant {
    /// Kept in its own column, not in the grant's JSON.
    #[serde(skip)]
    pub family: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub audience: Option<String>,
    pub auth_time: i64,
}

/// Where a refresh token is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefreshState {
    Active,
    Used,
    Revoked,
}

impl RefreshState {
    fn as_str(self) -> &'static str {
        match self {
            RefreshState::Active => "active",
            RefreshState::Used => "used",
            RefreshState::Revoked => "revoked",
        }
    }
}

/// What happened to a refresh token when it was presented.
pub enum RefreshUse {
    /// Valid: now spent; here is what it stood for.
    Fresh(RefreshGrant),
    /// Already spent: its whole family is now revoked.
    Reused,
    Unknown,
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

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS clients (
  client_id TEXT PRIMARY KEY, name TEXT NOT NULL,
  callbacks TEXT NOT NULL, logout_urls TEXT NOT NULL, web_origins TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  user_id TEXT PRIMARY KEY, connection TEXT NOT NULL, profile TEXT NOT NULL,
  user_metadata TEXT NOT NULL, app_metadata TEXT NOT NULL, password_hash TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identities (
  provider TEXT NOT NULL, user_id TEXT NOT NULL, connection TEXT NOT NULL,
  owner TEXT NOT NULL, position INTEGER NOT NULL, profile_data TEXT,
  password_hash TEXT,
  PRIMARY KEY (provider, user_id));
CREATE INDEX IF NOT EXISTS identities_owner ON identities(owner, position);
CREATE TABLE IF NOT EXISTS codes (
  code_hash TEXT PRIMARY KEY, grant_json TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY, family TEXT NOT NULL, grant_json TEXT NOT NULL,
  state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
  kid TEXT PRIMARY KEY, pem TEXT NOT NULL, created_at INTEGER NOT NULL, retired_at INTEGER);
CREATE TABLE IF NOT EXISTS connections (
  name TEXT PRIMARY KEY, kind TEXT NOT NULL, position INTEGER NOT NULL);
";

impl Store {
    /// Opens (or creates) the store; `None` keeps it in memory.
    pub fn open(path: Option<&Path>) -> Result<Store> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn })
    }

    /// True when nothing was ever seeded.
    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM clients", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    /// Removes every client, connection, user, code and token (keys stay).
    pub fn reset(&mut self) -> Result<()> {
        self.conn.execute_batch(
            "DELETE FROM clients; DELETE FROM users; DELETE FROM identities;
             DELETE FROM codes; DELETE FROM refresh_tokens; DELETE FROM connections;",
        )?;
        Ok(())
    }

    /// The tenant's connections, in the order the login pages offer them.
    pub fn connections(&self) -> Result<Vec<ConnectionInfo>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, kind FROM connections ORDER BY position")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, kind) = row?;
            let kind = ConnectionKind::parse(&kind)
                .ok_or_else(|| StoreError::Seed(format!("connection {name}: unknown kind {kind}")))?;
            out.push(ConnectionInfo { name, kind });
        }
        Ok(out)
    }

    /// The kind of a connection, if the tenant has it.
    pub fn connection_kind(&self, name: &str) -> Result<Option<ConnectionKind>> {
        Ok(self.connections()?.into_iter().find(|c| c.name == name).map(|c| c.kind))
    }

    /// Replaces the tenant's connections.
    pub fn set_connections(&mut self, connections: &[ConnectionInfo]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM connections", [])?;
        for (i, c) in connections.iter().enumerate() {
            tx.execute(
                "INSERT INTO connections VALUES (?1, ?2, ?3)",
                params![c.name, c.kind.as_str(), i as i64],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Writes the seed's connections, clients and users, then its links.
    pub fn seed(&mut self, seed: &Seed, now: &str) -> Result<()> {
        self.set_connections(&seed.connections)?;
        let tx = self.conn.transaction()?;
        for c in &seed.clients {
            tx.execute(
                "INSERT OR REPLACE INTO clients VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    c.client_id,
                    c.name,
                    json!(c.callbacks).to_string(),
                    json!(c.logout_urls).to_string(),
                    json!(c.web_origins).to_string()
                ],
            )?;
        }
        for u in &seed.users {
            let (provider, rest) = split_user_id(&u.user_id).ok_or_else(|| {
                StoreError::Seed(format!("seed user id {:?} has no \"|\"", u.user_id))
            })?;
            let hash = u.password.as_deref().map(|p| password_hash(&u.user_id, p));
            tx.execute(
                "INSERT INTO users VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![
                    u.user_id,
                    u.connection,
                    Value::Object(u.profile()).to_string(),
                    Value::Object(u.user_metadata.clone()).to_string(),
                    Value::Object(u.app_metadata.clone()).to_string(),
                    hash,
                    now
                ],
            )?;
            tx.execute(
                "INSERT INTO identities VALUES (?1, ?2, ?3, ?4, 0, NULL, ?5)",
                params![provider, rest, u.connection, u.user_id, hash],
            )?;
        }
        tx.commit()?;
        for u in &seed.users {
            for secondary in &u.linked {
                self.link(&u.user_id, secondary, now).map_err(|e| {
                    StoreError::Seed(format!("seed link {secondary} to {}: {e:?}", u.user_id))
                })?;
            }
        }
        Ok(())
    }

    pub fn client(&self, client_id: &str) -> Result<Option<Client>> {
        Ok(self
            .conn
            .query_row(
                "SELECT client_id, name, callbacks, logout_urls, web_origins FROM clients
                 WHERE client_id = ?1",
                [client_id],
                |r| {
                    Ok(Client {
                        client_id: r.get(0)?,
                        name: r.get(1)?,
                        callbacks: json_list(&r.get::<_, String>(2)?),
                        logout_urls: json_list(&r.get::<_, String>(3)?),
                        web_origins: json_list(&r.get::<_, String>(4)?),
                    })
                },
            )
            .optional()?)
    }

    /// Every web origin of every client (for CORS).
    pub fn web_origins(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT web_origins FROM clients")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut all = Vec::new();
        for row in rows {
            all.extend(json_list(&row?));
        }
        Ok(all)
    }

    /// Points every client at these app origins (callback and logout `<origin>/`).
    pub fn set_app_origins(&mut self, origins: &[String]) -> Result<()> {
        let callbacks: Vec<String> = origins.iter().map(|o| format!("{o}/")).collect();
        self.conn.execute(
            "UPDATE clients SET callbacks = ?1, logout_urls = ?1, web_origins = ?2",
            params![json!(callbacks).to_string(), json!(origins).to_string()],
        )?;
        Ok(())
    }

    /// Adds an allowed callback URL to a client.
    pub fn add_callback(&mut self, client_id: &str, url: &str) -> Result<()> {
        if let Some(mut client) = self.client(client_id)? {
            client.callbacks.push(url.to_owned());
            self.conn.execute(
                "UPDATE clients SET callbacks = ?2 WHERE client_id = ?1",
                params![client_id, json!(client.callbacks).to_string()],
            )?;
        }
        Ok(())
    }

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
        let profile: String = tx
            .query_row(
                "SELECT profile FROM users WHERE user_id = ?1",
                [secondary],
                |r| r.get(0),
            )?;
        let next: i64 = tx
            .query_row(
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

    pub fn insert_code(&self, code_hash: &str, grant: &CodeGrant) -> Result<()> {
        self.conn.execute(
            "INSERT INTO codes VALUES (?1, ?2, ?3)",
            params![code_hash, serde_json::to_string(grant)?, grant.expires_at],
        )?;
        Ok(())
    }

    /// Takes a code out of the store: a code is good once.
    pub fn take_code(&self, code_hash: &str) -> Result<Option<CodeGrant>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "DELETE FROM codes WHERE code_hash = ?1 RETURNING grant_json",
                [code_hash],
                |r| r.get(0),
            )
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    pub fn insert_refresh(&self, token_hash: &str, grant: &RefreshGrant) -> Result<()> {
        self.conn.execute(
            "INSERT INTO refresh_tokens VALUES (?1, ?2, ?3, ?4)",
            params![
                token_hash,
                grant.family,
                serde_json::to_string(grant)?,
                RefreshState::Active.as_str()
            ],
        )?;
        Ok(())
    }

    /// Spends a refresh token. Presenting a spent one revokes its family.
    pub fn use_refresh(&mut self, token_hash: &str) -> Result<RefreshUse> {
        let tx = self.conn.transaction()?;
        let row: Option<(String, String, String)> = tx
            .query_row(
                "SELECT family, grant_json, state FROM refresh_tokens WHERE token_hash = ?1",
                [token_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let outcome = match row {
            None => RefreshUse::Unknown,
            Some((family, _, state)) if state != RefreshState::Active.as_str() => {
                tx.execute(
                    "UPDATE refresh_tokens SET state = ?2 WHERE family = ?1",
                    params![family, RefreshState::Revoked.as_str()],
                )?;
                RefreshUse::Reused
            }
            Some((family, grant, _)) => {
                tx.execute(
                    "UPDATE refresh_tokens SET state = ?2 WHERE token_hash = ?1",
                    params![token_hash, RefreshState::Used.as_str()],
                )?;
                let grant: RefreshGrant = serde_json::from_str(&grant)?;
                RefreshUse::Fresh(RefreshGrant { family, ..grant })
            }
        };
        tx.commit()?;
        Ok(outcome)
    }

    /// Signing keys, oldest first.
    pub fn keys(&self) -> Result<Vec<StoredKey>> {
        let mut stmt = self
            .conn
            .prepare("SELECT kid, pem, retired_at FROM keys ORDER BY created_at, rowid")?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredKey {
                kid: r.get(0)?,
                pem: r.get(1)?,
                retired_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Adds a key and retires the ones before it as of `now`.
    pub fn add_key(&mut self, kid: &str, pem: &str, now: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE keys SET retired_at = ?1 WHERE retired_at IS NULL",
            [now],
        )?;
        tx.execute(
            "INSERT INTO keys VALUES (?1, ?2, ?3, NULL)",
            params![kid, pem, now],
        )?;
        tx.commit()?;
        Ok(())
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

/// A signing key as stored: PKCS#8 PEM, and when it stopped signing.
pub struct StoredKey {
    pub kid: String,
    pub pem: String,
    pub retired_at: Option<i64>,
}

/// One way to sign in on a login page.
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

fn password_hash(user_id: &str, password: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("dev-tenant:{user_id}:{password}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn json_map(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_default()
}
