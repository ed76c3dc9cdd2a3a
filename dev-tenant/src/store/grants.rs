//! Authorization codes, refresh tokens and signing keys.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Result, Store};

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
    /// Whether the ID token carries `auth_time` (see `LoginTx`).
    #[serde(default)]
    pub wants_auth_time: bool,
    pub expires_at: i64,
}

/// How many codes the store keeps at once.
pub const MAX_CODES: i64 = 1000;

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
    /// Whether its ID tokens carry `auth_time`, as the first one did.
    #[serde(default)]
    pub wants_auth_time: bool,
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

impl Store {
    /// Keeps a code; expired codes go, and beyond [`MAX_CODES`] the ones
    /// that expire first, so codes nobody exchanges cannot fill the store.
    pub fn insert_code(&self, code_hash: &str, grant: &CodeGrant, now: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM codes WHERE expires_at < ?1", [now])?;
        self.conn.execute(
            "DELETE FROM codes WHERE code_hash IN (SELECT code_hash FROM codes
             ORDER BY expires_at DESC LIMIT -1 OFFSET ?1)",
            [MAX_CODES - 1],
        )?;
        self.conn.execute(
            "INSERT INTO codes VALUES (?1, ?2, ?3)",
            params![code_hash, serde_json::to_string(grant)?, grant.expires_at],
        )?;
        Ok(())
    }

    /// How many codes wait for their exchange at once, at most.
    pub fn codes(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
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

    /// Revokes a refresh token of `client_id`'s; `false` when it was
    /// issued to another client. An unknown one is nothing to revoke.
    pub fn revoke_refresh(&self, token_hash: &str, client_id: &str) -> Result<bool> {
        let grant: Option<String> = self
            .conn
            .query_row(
                "SELECT grant_json FROM refresh_tokens WHERE token_hash = ?1",
                [token_hash],
                |r| r.get(0),
            )
            .optional()?;
        let Some(grant) = grant else {
            return Ok(true);
        };
        let grant: RefreshGrant = serde_json::from_str(&grant)?;
        if grant.client_id != client_id {
            return Ok(false);
        }
        self.conn.execute(
            "UPDATE refresh_tokens SET state = ?2 WHERE token_hash = ?1",
            params![token_hash, RefreshState::Revoked.as_str()],
        )?;
        Ok(true)
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
}

/// A signing key as stored: PKCS#8 PEM, and when it stopped signing.
pub struct StoredKey {
    pub kid: String,
    pub pem: String,
    pub retired_at: Option<i64>,
}
