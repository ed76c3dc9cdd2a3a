//! The seed file: clients and users the tenant starts with.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::store::{ConnectionInfo, ConnectionKind};

/// The cast that ships with the repository.
pub const DEFAULT_SEED: &str = include_str!("../seed.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The tenant's connections, in the order the login pages offer them.
    #[serde(default = "default_connections")]
    pub connections: Vec<ConnectionInfo>,
    #[serde(default)]
    pub clients: Vec<SeedClient>,
    #[serde(default)]
    pub users: Vec<SeedUser>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedClient {
    pub client_id: String,
    pub name: String,
    pub callbacks: Vec<String>,
    pub logout_urls: Vec<String>,
    pub web_origins: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    pub user_id: String,
    pub connection: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub phone_number: Option<String>,
    pub phone_verified: Option<bool>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub picture: Option<String>,
    pub password: Option<String>,
    #[serde(default)]
    pub user_metadata: Map<String, Value>,
    #[serde(default)]
    pub app_metadata: Map<String, Value>,
    /// Other seeded users' ids that start out linked to this one.
    #[serde(default)]
    pub linked: Vec<String>,
    /// Its confirmed MFA enrollments.
    #[serde(default)]
    pub mfa: Vec<SeedFactor>,
}

/// One MFA enrollment of a seeded user.
#[derive(Clone, Debug, Deserialize)]
pub struct SeedFactor {
    /// `authenticator`, `sms`, `webauthn-roaming`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name, usually a phone number.
    pub name: Option<String>,
}

impl SeedUser {
    /// The profile as the tenant stores it.
    pub fn profile(&self) -> Map<String, Value> {
        let mut p = Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                p.insert(k.to_owned(), v);
            }
        };
        put("email", self.email.clone().map(Value::from));
        put("email_verified", self.email_verified.map(Value::from));
        put("phone_number", self.phone_number.clone().map(Value::from));
        put("phone_verified", self.phone_verified.map(Value::from));
        put("name", self.name.clone().map(Value::from));
        put("nickname", self.nickname.clone().map(Value::from));
        put("picture", self.picture.clone().map(Value::from));
        p
    }
}

/// The connections of a seed that names none, and of a store made before
/// connections were stored: Auth0's usual names.
pub fn default_connections() -> Vec<ConnectionInfo> {
    [
        ("google-oauth2", ConnectionKind::Social),
        ("github", ConnectionKind::Social),
        ("discord", ConnectionKind::Social),
        ("Username-Password-Authentication", ConnectionKind::Database),
        ("sms", ConnectionKind::Sms),
        ("email", ConnectionKind::Email),
    ]
    .into_iter()
    .map(|(name, kind)| ConnectionInfo {
        name: name.to_owned(),
        kind,
    })
    .collect()
}

pub fn parse(text: &str) -> Result<Seed, String> {
    toml::from_str(text).map_err(|e| format!("the seed file is not valid: {e}"))
}
