//! What the tenant answers, as the page reads (and the tab keeps) it:
//! tokens, a user, an identity and its profile.

use serde_json::{Map, Value};

use crate::auth::Secret;
use crate::json::{self, Fields, Json, object};

/// What `/oauth/token` answers.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub access_token: Secret,
    pub id_token: Option<Secret>,
    pub expires_in: i64,
}

impl Json for Tokens {
    fn from_json(v: &Value) -> Option<Self> {
        let f = Fields::of(v)?;
        Some(Tokens {
            access_token: Secret(f.string("access_token")?),
            id_token: f.opt_string("id_token")?.map(Secret),
            expires_in: f.int("expires_in")?,
        })
    }

    fn to_json(&self) -> Value {
        object([
            ("access_token", self.access_token.to_json()),
            (
                "id_token",
                self.id_token.as_ref().map(Secret::to_json).into(),
            ),
            ("expires_in", self.expires_in.into()),
        ])
    }
}

/// A user as `GET /api/v2/users/{id}` answers (the fields the page uses).
/// Written only into the tab's own storage (see `linking::start`), in a
/// shape that reads back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub user_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub picture: Option<String>,
    pub identities: Vec<Identity>,
    pub user_metadata: Map<String, Value>,
    /// How many entries its `app_metadata` has: their values are never
    /// kept, since the page never shows them.
    pub app_metadata_entries: usize,
}

impl Json for User {
    fn from_json(v: &Value) -> Option<Self> {
        let f = Fields::of(v)?;
        // The same four profile fields as an identity's profile data.
        let ProfileData {
            name,
            email,
            phone_number,
            picture,
        } = ProfileData::from_json(v)?;
        Some(User {
            user_id: f.string("user_id")?,
            name,
            email,
            phone_number,
            picture,
            identities: f.opt("identities", Vec::from_json)?.unwrap_or_default(),
            user_metadata: f.object("user_metadata")?,
            app_metadata_entries: f.opt("app_metadata", entries)?.unwrap_or(0),
        })
    }

    fn to_json(&self) -> Value {
        object([
            ("user_id", self.user_id.as_str().into()),
            ("name", self.name.clone().into()),
            ("email", self.email.clone().into()),
            ("phone_number", self.phone_number.clone().into()),
            ("picture", self.picture.clone().into()),
            ("identities", self.identities.to_json()),
            ("user_metadata", self.user_metadata.clone().into()),
            ("app_metadata", self.app_metadata_entries.into()),
        ])
    }
}

/// The number of entries of an object; or the number itself, as a kept
/// `User` writes it.
fn entries(v: &Value) -> Option<usize> {
    match v {
        Value::Object(o) => Some(o.len()),
        n => n.as_u64().map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
    }
}

/// One identity of a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub provider: String,
    /// A string, or a number for some providers (GitHub): kept as text.
    pub user_id: String,
    pub connection: String,
    pub is_social: bool,
    pub profile_data: Option<ProfileData>,
}

impl Json for Identity {
    fn from_json(v: &Value) -> Option<Self> {
        let f = Fields::of(v)?;
        let user_id = match f.get("user_id")? {
            Value::String(s) => s.clone(),
            n @ Value::Number(_) => json::write(n),
            _ => return None,
        };
        Some(Identity {
            provider: f.string("provider")?,
            user_id,
            connection: f.string("connection")?,
            is_social: f.opt("isSocial", Value::as_bool)?.unwrap_or(false),
            profile_data: f.opt("profileData", ProfileData::from_json)?,
        })
    }

    fn to_json(&self) -> Value {
        object([
            ("provider", self.provider.as_str().into()),
            ("user_id", self.user_id.as_str().into()),
            ("connection", self.connection.as_str().into()),
            ("isSocial", self.is_social.into()),
            (
                "profileData",
                self.profile_data.as_ref().map(ProfileData::to_json).into(),
            ),
        ])
    }
}

impl Identity {
    /// `provider|user_id`, as a user id.
    pub fn full_id(&self) -> String {
        format!("{}|{}", self.provider, self.user_id)
    }
}

/// A linked identity's profile, as it was when it was linked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileData {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub picture: Option<String>,
}

impl Json for ProfileData {
    fn from_json(v: &Value) -> Option<Self> {
        let f = Fields::of(v)?;
        Some(ProfileData {
            name: f.opt_string("name")?,
            email: f.opt_string("email")?,
            phone_number: f.opt_string("phone_number")?,
            picture: f.opt_string("picture")?,
        })
    }

    fn to_json(&self) -> Value {
        object([
            ("name", self.name.clone().into()),
            ("email", self.email.clone().into()),
            ("phone_number", self.phone_number.clone().into()),
            ("picture", self.picture.clone().into()),
        ])
    }
}
