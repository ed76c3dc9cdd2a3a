//! ID-token verification: RS256 only, the signature against the tenant's
//! key, then `iss`, `aud` (and `azp`), `exp`, `iat` and `nonce`, each a check
//! of its own. The claims are checked here with the browser's clock:
//! jsonwebtoken-rustcrypto's `decode()` would call `SystemTime::now()`,
//! which panics in the browser, so only its `crypto::verify` is used.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken_rustcrypto::{Algorithm, DecodingKey};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Clock skew tolerated on `exp` and `iat`.
pub const LEEWAY_SECS: i64 = 60;

/// One RSA key of the tenant's JWKS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    pub kid: String,
    pub kty: String,
    pub n: String,
    pub e: String,
}

/// A key of the JWKS as it came: keys of other shapes (EC, ...) lack the
/// RSA fields, and are skipped when a key is looked for, not an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwksKey {
    pub kid: Option<String>,
    pub kty: Option<String>,
    pub n: Option<String>,
    pub e: Option<String>,
}

/// The tenant's JWKS.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    #[serde(default)]
    pub keys: Vec<JwksKey>,
}

impl Jwks {
    pub fn find(&self, kid: &str) -> Option<Jwk> {
        self.keys.iter().find_map(|k| match k {
            JwksKey {
                kid: Some(k_kid),
                kty: Some(kty),
                n: Some(n),
                e: Some(e),
            } if k_kid == kid && kty == "RSA" => Some(Jwk {
                kid: k_kid.clone(),
                kty: kty.clone(),
                n: n.clone(),
                e: e.clone(),
            }),
            _ => None,
        })
    }
}

/// What the token must say.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: i64,
}

/// The claims the app uses, after verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdClaims {
    pub sub: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub phone_number: Option<String>,
    pub phone_number_verified: Option<bool>,
    pub picture: Option<String>,
    /// When the person actually signed in at the tenant (UNIX seconds).
    pub auth_time: Option<i64>,
    /// Suggested linking's claim (`flows::suggest::CLAIM`): the connections
    /// of other accounts with this verified email.
    pub suggested: Vec<String>,
}

/// Why a token was refused; each check fails on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdTokenError {
    Malformed,
    /// Not RS256 (`none`, HS256, …).
    Algorithm(String),
    /// No key of the tenant has this `kid`.
    UnknownKey,
    Signature,
    Issuer,
    Audience,
    AuthorizedParty,
    Expired,
    IssuedInTheFuture,
    /// `nbf` (not before) is still ahead.
    NotYetValid,
    Nonce,
    MissingSubject,
}

/// The header of a token, to pick the key.
#[derive(Debug, PartialEq, Eq, Deserialize)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
}

/// The claims as a token carries them, before any check. A protocol claim
/// of the wrong type makes the token malformed; a profile claim of the
/// wrong type (some identity providers send `email_verified` as the text
/// `"true"`) reads as absent, so it verifies nothing.
#[derive(Debug, Deserialize)]
pub struct Claims {
    pub iss: Option<String>,
    /// One audience, or a list of them.
    #[serde(default)]
    pub aud: Value,
    pub azp: Option<String>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub nbf: Option<i64>,
    pub nonce: Option<String>,
    pub sub: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "boolean")]
    pub email_verified: Option<bool>,
    #[serde(default, deserialize_with = "text")]
    pub phone_number: Option<String>,
    #[serde(default, deserialize_with = "boolean")]
    pub phone_number_verified: Option<bool>,
    #[serde(default, deserialize_with = "text")]
    pub picture: Option<String>,
    pub auth_time: Option<i64>,
    #[serde(
        default,
        rename = "https://link-accounts/suggested_connections",
        deserialize_with = "texts"
    )]
    pub suggested: Vec<String>,
}

/// A profile claim that is text, or nothing.
fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

/// A list of text, or nothing (anything else in it reads as nothing too).
fn texts<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default(),
        _ => Vec::new(),
    })
}

/// A profile claim that is `true` or `false`, or nothing.
fn boolean<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(Value::deserialize(d)?.as_bool())
}

/// Part `i` of a token (0: the header, 1: the claims), read as a `T`.
fn part<T: DeserializeOwned>(token: &str, i: usize) -> Result<T, IdTokenError> {
    let p = token.split('.').nth(i).ok_or(IdTokenError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(p)
        .map_err(|_| IdTokenError::Malformed)?;
    // Through text, as every other answer is read: one reader in the wasm.
    let text = std::str::from_utf8(&bytes).map_err(|_| IdTokenError::Malformed)?;
    serde_json::from_str(text).map_err(|_| IdTokenError::Malformed)
}

/// Reads the header, and refuses any algorithm but RS256 at once.
pub fn header(token: &str) -> Result<Header, IdTokenError> {
    if token.split('.').count() != 3 {
        return Err(IdTokenError::Malformed);
    }
    let h: Header = part(token, 0)?;
    if h.alg != "RS256" {
        return Err(IdTokenError::Algorithm(h.alg));
    }
    Ok(h)
}

/// The `sub` claim, read without any check: only for starting a request
/// whose answer is used once the token is verified (and must agree).
pub fn unverified_sub(token: &str) -> Option<String> {
    part::<Claims>(token, 1).ok()?.sub
}

/// Verifies `token` with `key` and checks its claims against `expected`.
pub fn verify(token: &str, key: &Jwk, expected: &Expected<'_>) -> Result<IdClaims, IdTokenError> {
    let h = header(token)?;
    if h.kid.as_deref() != Some(key.kid.as_str()) {
        return Err(IdTokenError::UnknownKey);
    }
    let (message, signature) = token.rsplit_once('.').ok_or(IdTokenError::Malformed)?;
    let decoding =
        DecodingKey::from_rsa_components(&key.n, &key.e).map_err(|_| IdTokenError::UnknownKey)?;
    match jsonwebtoken_rustcrypto::crypto::verify(signature, message, &decoding, Algorithm::RS256) {
        Ok(true) => {}
        _ => return Err(IdTokenError::Signature),
    }
    check_claims(part(token, 1)?, expected)
}

/// The claim checks, after the signature.
pub fn check_claims(c: Claims, expected: &Expected<'_>) -> Result<IdClaims, IdTokenError> {
    if c.iss.as_deref() != Some(expected.issuer) {
        return Err(IdTokenError::Issuer);
    }
    let audiences: Vec<&str> = match &c.aud {
        Value::String(a) => vec![a.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !audiences.contains(&expected.client_id) {
        return Err(IdTokenError::Audience);
    }
    if (audiences.len() > 1 || c.azp.is_some()) && c.azp.as_deref() != Some(expected.client_id) {
        return Err(IdTokenError::AuthorizedParty);
    }
    let exp = c.exp.ok_or(IdTokenError::Expired)?;
    if expected.now > exp + LEEWAY_SECS {
        return Err(IdTokenError::Expired);
    }
    let iat = c.iat.ok_or(IdTokenError::IssuedInTheFuture)?;
    if iat > expected.now + LEEWAY_SECS {
        return Err(IdTokenError::IssuedInTheFuture);
    }
    if c.nbf.is_some_and(|nbf| nbf > expected.now + LEEWAY_SECS) {
        return Err(IdTokenError::NotYetValid);
    }
    if c.nonce.as_deref() != Some(expected.nonce) {
        return Err(IdTokenError::Nonce);
    }
    let sub = c
        .sub
        .filter(|s| !s.is_empty())
        .ok_or(IdTokenError::MissingSubject)?;
    Ok(IdClaims {
        sub,
        name: c.name,
        email: c.email,
        email_verified: c.email_verified,
        phone_number: c.phone_number,
        phone_number_verified: c.phone_number_verified,
        picture: c.picture,
        auth_time: c.auth_time,
        suggested: c.suggested,
    })
}

// Native only: signing test tokens needs `rsa` and `rand`, native dev-dependencies.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use jsonwebtoken_rustcrypto::{EncodingKey, Header as JwtHeader};
    use rsa::PublicKeyParts;
    use serde_json::json;
    use std::sync::OnceLock;

    const NOW: i64 = 1_800_000_000;
    const ISS: &str = "https://tenant.example/";

    fn key() -> &'static (rsa::RsaPrivateKey, Jwk) {
        static KEY: OnceLock<(rsa::RsaPrivateKey, Jwk)> = OnceLock::new();
        KEY.get_or_init(|| {
            let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
            let public = private.to_public_key();
            let jwk = Jwk {
                kid: "k1".into(),
                kty: "RSA".into(),
                n: URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
                e: URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
            };
            (private, jwk)
        })
    }

    fn claims() -> Value {
        json!({
            "iss": ISS, "aud": "client", "sub": "github|1", "exp": NOW + 600, "iat": NOW,
            "nonce": "n1", "email": "a@example.com", "email_verified": true,
        })
    }

    fn sign(claims: &Value) -> String {
        let mut h = JwtHeader::new(Algorithm::RS256);
        h.kid = Some("k1".into());
        let k = EncodingKey::from_rsa(key().0.clone()).unwrap();
        jsonwebtoken_rustcrypto::encode(&h, claims, &k).unwrap()
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: ISS,
            client_id: "client",
            nonce: "n1",
            now: NOW,
        }
    }

    fn with(k: &str, v: Value) -> String {
        let mut c = claims();
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v;
        }
        sign(&c)
    }

    #[test]
    fn a_good_token_verifies() {
        let c = verify(&sign(&claims()), &key().1, &expected()).unwrap();
        assert_eq!(c.sub, "github|1");
        assert_eq!(c.email_verified, Some(true));
    }

    #[test]
    fn each_claim_check_fails_on_its_own() {
        let k = &key().1;
        let cases = [
            (
                with("iss", json!("https://tenant.example")),
                IdTokenError::Issuer,
            ),
            (with("aud", json!("other")), IdTokenError::Audience),
            (
                with("aud", json!(["client", "other"])),
                IdTokenError::AuthorizedParty,
            ),
            (
                with("exp", json!(NOW - LEEWAY_SECS - 1)),
                IdTokenError::Expired,
            ),
            (
                with("iat", json!(NOW + LEEWAY_SECS + 1)),
                IdTokenError::IssuedInTheFuture,
            ),
            (with("nonce", json!("forged")), IdTokenError::Nonce),
            (with("nonce", Value::Null), IdTokenError::Nonce),
            (with("sub", Value::Null), IdTokenError::MissingSubject),
        ];
        for (token, error) in cases {
            assert_eq!(
                verify(&token, k, &expected()),
                Err(error.clone()),
                "{error:?}"
            );
        }
    }

    #[test]
    fn a_token_not_valid_yet_is_refused() {
        let k = &key().1;
        for (nbf, ok) in [
            (json!(NOW), true),
            (json!(NOW + LEEWAY_SECS), true),
            (json!(NOW + LEEWAY_SECS + 1), false),
        ] {
            let got = verify(&with("nbf", nbf.clone()), k, &expected());
            match ok {
                true => assert!(got.is_ok(), "{nbf}"),
                false => assert_eq!(got.unwrap_err(), IdTokenError::NotYetValid, "{nbf}"),
            }
        }
    }

    #[test]
    fn a_claim_of_the_wrong_type_makes_the_token_malformed() {
        let k = &key().1;
        for (claim, value) in [
            ("nbf", json!("soon")),
            ("exp", json!("later")),
            ("nonce", json!(1)),
            ("sub", json!(7)),
        ] {
            assert_eq!(
                verify(&with(claim, value.clone()), k, &expected()),
                Err(IdTokenError::Malformed),
                "{claim}: {value}"
            );
        }
        // A profile claim of the wrong type verifies nothing, and is no
        // reason to refuse a sign-in.
        let c = verify(&with("email_verified", json!("true")), k, &expected()).unwrap();
        assert_eq!(c.email_verified, None);
        let c = verify(&with("email", json!(["a@x"])), k, &expected()).unwrap();
        assert_eq!(c.email, None);
    }

    #[test]
    fn the_leeway_is_sixty_seconds_and_azp_may_name_the_client() {
        let k = &key().1;
        assert!(verify(&with("exp", json!(NOW - LEEWAY_SECS)), k, &expected()).is_ok());
        let mut c = claims();
        c["aud"] = json!(["client", "other"]);
        c["azp"] = json!("client");
        assert!(verify(&sign(&c), k, &expected()).is_ok());
    }

    #[test]
    fn only_rs256_with_a_good_signature_is_accepted() {
        let k = &key().1;
        let good = sign(&claims());
        let (head, body_sig) = good.split_once('.').unwrap();
        let body = body_sig.split('.').next().unwrap();
        let none = format!(
            "{}.{body}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#)
        );
        assert_eq!(
            verify(&none, k, &expected()),
            Err(IdTokenError::Algorithm("none".into()))
        );
        let hs = format!(
            "{}.{body}.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","kid":"k1"}"#)
        );
        assert_eq!(
            verify(&hs, k, &expected()),
            Err(IdTokenError::Algorithm("HS256".into()))
        );
        let tampered_claims = format!(
            "{head}.{}.{}",
            URL_SAFE_NO_PAD.encode(claims().to_string().replace("github|1", "github|2")),
            good.rsplit('.').next().unwrap()
        );
        assert_eq!(
            verify(&tampered_claims, k, &expected()),
            Err(IdTokenError::Signature)
        );
        let other_kid = Jwk {
            kid: "k2".into(),
            ..k.clone()
        };
        assert_eq!(
            verify(&good, &other_kid, &expected()),
            Err(IdTokenError::UnknownKey)
        );
        assert_eq!(verify("a.b", k, &expected()), Err(IdTokenError::Malformed));
    }

    #[test]
    fn the_jwks_finds_rsa_keys_by_kid_and_skips_others() {
        let jwks: Jwks = serde_json::from_value(json!({"keys": [
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "a", "y": "b"},
            {"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB", "alg": "RS256"},
        ]}))
        .unwrap();
        assert!(jwks.find("ec").is_none());
        assert_eq!(jwks.find("k1").unwrap().kid, "k1");
    }
}
