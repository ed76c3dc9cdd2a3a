//! ID tokens: the profile claims the scopes allow, and the signed token,
//! with the one-shot defect a test asked for.

use serde_json::{Map, Value, json};

use super::ID_TOKEN_LIFETIME;
use crate::AppState;
use crate::controls::Defect;
use crate::keys::b64url;
use crate::store::User;

/// An ID token to mint for `user`.
pub(super) struct IdToken<'a> {
    pub user: &'a User,
    pub scopes: &'a [&'a str],
    pub client_id: &'a str,
    pub nonce: Option<&'a str>,
    /// When the person actually signed in at the tenant, if the request
    /// asked for it (`max_age` or `prompt=login`).
    pub auth_time: Option<i64>,
    /// Suggested linking's connections (`suggest.rs`); none: no claim.
    pub suggested: &'a [String],
}

impl IdToken<'_> {
    /// The signed token.
    pub fn mint(&self, state: &AppState) -> String {
        let now = state.now();
        let mut claims = profile_claims(self.user, self.scopes, state.issuer());
        claims.insert("iss".into(), json!(state.issuer()));
        claims.insert("sub".into(), json!(self.user.user_id));
        claims.insert("aud".into(), json!(self.client_id));
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + ID_TOKEN_LIFETIME));
        if let Some(t) = self.auth_time {
            claims.insert("auth_time".into(), json!(t));
        }
        if let Some(n) = self.nonce {
            claims.insert("nonce".into(), json!(n));
        }
        if !self.suggested.is_empty() {
            claims.insert(crate::suggest::CLAIM.into(), json!(self.suggested));
        }
        sign(state, claims)
    }
}

/// The profile claims that `scopes` allow.
pub(super) fn profile_claims(user: &User, scopes: &[&str], issuer: &str) -> Map<String, Value> {
    let profile = crate::store::resolve_picture(user.profile.clone(), issuer);
    let mut claims = Map::new();
    let mut copy = |from: &str, to: &str| {
        if let Some(v) = profile.get(from) {
            claims.insert(to.to_owned(), v.clone());
        }
    };
    if scopes.contains(&"profile") {
        copy("name", "name");
        copy("nickname", "nickname");
        copy("picture", "picture");
    }
    if scopes.contains(&"email") {
        copy("email", "email");
        copy("email_verified", "email_verified");
    }
    // OIDC ties the phone claims to the `phone` scope alone.
    if scopes.contains(&"phone") {
        copy("phone_number", "phone_number");
        copy("phone_verified", "phone_number_verified");
    }
    if scopes.contains(&"profile") {
        claims.insert("updated_at".into(), json!(user.updated_at));
    }
    claims
}

/// Signs the claims, with the defect a test asked for, if any.
fn sign(state: &AppState, mut claims: Map<String, Value>) -> String {
    let keys = state.keys();
    let defect = state.controls().take_defect();
    match defect {
        Some(Defect::WrongNonce) => {
            claims.insert("nonce".into(), json!("forged-nonce"));
        }
        Some(Defect::WrongAud) => {
            claims.insert("aud".into(), json!("another-client"));
        }
        Some(Defect::WrongIss) => {
            claims.insert("iss".into(), json!("http://issuer.invalid/"));
        }
        Some(Defect::Expired) => {
            let now = state.now();
            claims.insert("iat".into(), json!(now - 7200));
            claims.insert("exp".into(), json!(now - 3600));
        }
        Some(Defect::EmailNotVerified) => {
            claims.insert("email_verified".into(), json!(false));
        }
        Some(Defect::NoSub) => {
            claims.remove("sub");
        }
        Some(Defect::AzpMismatch) => {
            let aud = claims.get("aud").cloned().unwrap_or_default();
            claims.insert("aud".into(), json!([aud, "another-client"]));
            claims.insert("azp".into(), json!("another-client"));
        }
        Some(Defect::AudArrayNoAzp) => {
            let aud = claims.get("aud").cloned().unwrap_or_default();
            claims.insert("aud".into(), json!([aud, "another-client"]));
            claims.remove("azp");
        }
        Some(Defect::NoIss) => {
            claims.remove("iss");
        }
        Some(Defect::NoAud) => {
            claims.remove("aud");
        }
        Some(Defect::NoExp) => {
            claims.remove("exp");
        }
        Some(Defect::IatFuture) => {
            claims.insert("iat".into(), json!(state.now() + 3600));
        }
        Some(Defect::NoNonce) => {
            claims.remove("nonce");
        }
        Some(Defect::NoEmailVerified) => {
            claims.remove("email_verified");
        }
        Some(Defect::EmailVerifiedString) => {
            claims.insert("email_verified".into(), json!("true"));
        }
        Some(Defect::NbfFuture) => {
            claims.insert("nbf".into(), json!(state.now() + 3600));
        }
        Some(Defect::NoAuthTime) => {
            claims.remove("auth_time");
        }
        Some(Defect::OldAuthTime) => {
            let then = claims.get("auth_time").and_then(Value::as_i64).unwrap_or(0);
            claims.insert("auth_time".into(), json!(then - 3600));
        }
        _ => {}
    }
    let claims = Value::Object(claims);
    let encode = |v: &Value| b64url(v.to_string().as_bytes());
    match defect {
        Some(Defect::AlgNone) => {
            format!(
                "{}.{}.",
                encode(&json!({"alg": "none", "typ": "JWT"})),
                encode(&claims)
            )
        }
        Some(Defect::Hs256) => {
            // The classic confusion: HMAC keyed with the public key's bytes.
            use jsonwebtoken_rustcrypto::{Algorithm, EncodingKey, Header};
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some(keys.active().kid.clone());
            // The real attack keys the HMAC with what everyone has: the
            // public key.
            let secret = keys.active().public_pem();
            let key = EncodingKey::from_hmac_secret(secret.as_bytes());
            jsonwebtoken_rustcrypto::encode(&header, &claims, &key).expect("an HS256 token")
        }
        Some(Defect::UnknownKid) => {
            let body = format!(
                "{}.{}",
                encode(&json!({"alg": "RS256", "typ": "JWT", "kid": "unknown-kid"})),
                encode(&claims)
            );
            let signed = keys.active().sign(&claims);
            let signature = signed.rsplit('.').next().unwrap_or_default();
            format!("{body}.{signature}")
        }
        Some(Defect::BadSignature) => {
            let token = keys.active().sign(&claims);
            let (head, sig) = token.rsplit_once('.').expect("a signed token");
            let mut sig: Vec<char> = sig.chars().collect();
            sig[10] = if sig[10] == 'A' { 'B' } else { 'A' };
            format!("{head}.{}", sig.into_iter().collect::<String>())
        }
        Some(Defect::RotatedOutKid) => retired_key().sign(&claims),
        Some(Defect::FourSegments) => format!("{}.e30", keys.active().sign(&claims)),
        Some(Defect::FiveSegments) => format!("{}.e30.e30", keys.active().sign(&claims)),
        _ => keys.active().sign(&claims),
    }
}

/// A key the tenant once signed with and no longer publishes.
fn retired_key() -> &'static crate::keys::SigningKey {
    static KEY: std::sync::OnceLock<crate::keys::SigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let mut key = crate::keys::SigningKey::generate();
        key.kid = format!("retired-{}", key.kid);
        key
    })
}
