//! The SQLite store: one file in WAL mode. A link or an unlink is one
//! transaction, so a crash at any point leaves the user linked or not,
//! never half.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::seed::Seed;

mod grants;
mod users;

pub use grants::{CodeGrant, RefreshGrant, RefreshUse, StoredKey};
use users::password_hash;
pub use users::{
    Identity, LinkError, LinkOutcome, Login, UnlinkError, UnlinkOutcome, User, resolve_picture,
    split_user_id,
};

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
CREATE TABLE IF NOT EXISTS enrollments (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, enrollment TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS enrollments_user ON enrollments(user_id);
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
             DELETE FROM codes; DELETE FROM refresh_tokens; DELETE FROM connections;
             DELETE FROM enrollments;",
        )?;
        Ok(())
    }

    /// A user's confirmed MFA enrollments, as
    /// `GET /api/v2/users/{id}/enrollments` answers them.
    pub fn enrollments(&self, user_id: &str) -> Result<Vec<Value>> {
        let mut stmt = self
            .conn
            .prepare("SELECT enrollment FROM enrollments WHERE user_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([user_id], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
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
            let kind = ConnectionKind::parse(&kind).ok_or_else(|| {
                StoreError::Seed(format!("connection {name}: unknown kind {kind}"))
            })?;
            out.push(ConnectionInfo { name, kind });
        }
        Ok(out)
    }

    /// The kind of a connection, if the tenant has it.
    pub fn connection_kind(&self, name: &str) -> Result<Option<ConnectionKind>> {
        Ok(self
            .connections()?
            .into_iter()
            .find(|c| c.name == name)
            .map(|c| c.kind))
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
            for (i, factor) in u.mfa.iter().enumerate() {
                let id = format!("{}|{}|{i}", factor.kind, u.user_id);
                let mut enrollment = json!({
                    "id": id, "status": "confirmed", "type": factor.kind,
                    "enrolled_at": now, "last_auth": now,
                });
                if let Some(name) = &factor.name {
                    enrollment["name"] = json!(name);
                }
                tx.execute(
                    "INSERT INTO enrollments VALUES (?1, ?2, ?3)",
                    params![id, u.user_id, enrollment.to_string()],
                )?;
            }
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
}

pub(crate) fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(crate) fn json_map(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_default()
}
