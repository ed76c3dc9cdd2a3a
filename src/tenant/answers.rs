//! What the tenant answers, as the page reads (and the tab keeps) it:
//! tokens, a user, an identity and its profile.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::auth::Secret;

/// What `/oauth/token` answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: Secret,
    pub id_token: Option<Secret>,
    pub expires_in: i64,
    /// The scopes granted, where the tenant says (Auth0 always does).
    #[serde(default)]
    pub scope: Option<String>,
    /// With `offline_access`: the refresh token.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
}

/// A user as `GET /api/v2/users/{id}` answers (the fields the page uses).
/// Written only into the tab's own storage (see `linking::start`), in a
/// shape that reads back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub user_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub picture: Option<String>,
    /// Whether its email address, and its phone number, are verified.
    #[serde(default)]
    pub email_verified: Option<bool>,
    #[serde(default)]
    pub phone_verified: Option<bool>,
    #[serde(default)]
    pub identities: Vec<Identity>,
    #[serde(default, deserialize_with = "object_or_null")]
    pub user_metadata: Map<String, Value>,
    /// How many entries its `app_metadata` has: their values are never
    /// kept, since the page never shows them.
    #[serde(rename = "app_metadata", default, deserialize_with = "entries")]
    pub app_metadata_entries: usize,
}

/// An object, or `null` read as an empty one.
pub fn object_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(Option::deserialize(d)?.unwrap_or_default())
}

/// The number of entries of an object (only the count is kept); or the
/// number itself, as a kept `User` writes it.
fn entries<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Object(o) => Ok(o.len()),
        Value::Null => Ok(0),
        n => n
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| D::Error::custom("app_metadata is not an object")),
    }
}

/// One identity of a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub provider: String,
    /// A string, or a number for some providers (GitHub): kept as text.
    #[serde(deserialize_with = "text_or_number")]
    pub user_id: String,
    pub connection: String,
    #[serde(rename = "isSocial", default)]
    pub is_social: bool,
    #[serde(rename = "profileData", default)]
    pub profile_data: Option<ProfileData>,
}

/// A string, or a number as its text.
fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(D::Error::custom("user_id is not text or a number")),
    }
}

impl Identity {
    /// `provider|user_id`, as a user id.
    pub fn full_id(&self) -> String {
        format!("{}|{}", self.provider, self.user_id)
    }
}

/// How an account is named to the person, everywhere the page names one:
/// its email, else its phone number, else its name.
pub fn who(
    email: &Option<String>,
    phone_number: &Option<String>,
    name: &Option<String>,
) -> Option<String> {
    email
        .as_ref()
        .or(phone_number.as_ref())
        .or(name.as_ref())
        .cloned()
}

/// One MFA enrollment of a user (the fields the page uses).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Enrollment {
    /// `confirmed`, or `pending` while it is being set up.
    #[serde(default)]
    pub status: Option<String>,
}

/// A linked identity's profile, as it was when it was linked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileData {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub picture: Option<String>,
}
