//! RS256 signing keys: generated on first start and kept in the store;
//! `dev-tenant keys rotate` adds one and keeps the old one published until
//! its tokens have expired.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken_rustcrypto::{Algorithm, DecodingKey, EncodingKey, Header};
use rsa::PublicKeyParts;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// How long a token of this tenant lives, and so how long a retired key
/// stays published.
pub const TOKEN_LIFETIME: i64 = 86_400;

#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub private: RsaPrivateKey,
}

impl SigningKey {
    pub fn generate() -> SigningKey {
        let private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("an RSA key");
        SigningKey::from_private(private)
    }

    /// One key per process, made on first use: tests need a key, not a new
    /// one each (generating RSA keys takes a while).
    pub fn for_tests() -> SigningKey {
        static KEY: std::sync::OnceLock<SigningKey> = std::sync::OnceLock::new();
        KEY.get_or_init(SigningKey::generate).clone()
    }

    pub fn from_private(private: RsaPrivateKey) -> SigningKey {
        let n = private.to_public_key().n().to_bytes_be();
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&n)[..12]);
        SigningKey { kid, private }
    }

    pub fn from_pem(pem: &str) -> Option<SigningKey> {
        RsaPrivateKey::from_pkcs8_pem(pem)
            .ok()
            .map(SigningKey::from_private)
    }

    pub fn to_pem(&self) -> String {
        self.private
            .to_pkcs8_pem(LineEnding::LF)
            .expect("an encodable key")
            .to_string()
    }

    /// The public key as SPKI PEM, as anyone may have it.
    pub fn public_pem(&self) -> String {
        self.public()
            .to_public_key_pem(LineEnding::LF)
            .expect("an encodable public key")
    }

    pub fn public(&self) -> RsaPublicKey {
        self.private.to_public_key()
    }

    /// The key as a JWK.
    pub fn jwk(&self) -> Value {
        let public = self.public();
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        })
    }

    /// Signs `claims` as an RS256 JWT with this key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        let key = EncodingKey::from_rsa(self.private.clone()).expect("an RSA signing key");
        jsonwebtoken_rustcrypto::encode(&header, claims, &key).expect("a signable token")
    }
}

/// The keys the tenant publishes; the last one signs.
#[derive(Clone)]
pub struct KeySet {
    pub published: Vec<SigningKey>,
}

impl KeySet {
    pub fn active(&self) -> &SigningKey {
        self.published
            .last()
            .expect("a key set has at least one key")
    }

    pub fn jwks(&self) -> Value {
        json!({ "keys": self.published.iter().map(SigningKey::jwk).collect::<Vec<_>>() })
    }

    /// Verifies an RS256 JWT of this tenant and returns its claims, or why not.
    pub fn verify(&self, token: &str) -> Result<Value, TokenProblem> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenProblem::Malformed);
        };
        let header: Value = decode_part(h).ok_or(TokenProblem::Malformed)?;
        if header["alg"] != "RS256" {
            return Err(TokenProblem::Algorithm);
        }
        let kid = header["kid"].as_str().ok_or(TokenProblem::UnknownKey)?;
        let key = self
            .published
            .iter()
            .find(|k| k.kid == kid)
            .ok_or(TokenProblem::UnknownKey)?;
        let decoding = DecodingKey::from_rsa(key.public()).map_err(|_| TokenProblem::Malformed)?;
        let message = &token[..h.len() + 1 + c.len()];
        match jsonwebtoken_rustcrypto::crypto::verify(s, message, &decoding, Algorithm::RS256) {
            Ok(true) => {}
            _ => return Err(TokenProblem::Signature),
        }
        decode_part(c).ok_or(TokenProblem::Malformed)
    }
}

/// Why a token was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenProblem {
    Malformed,
    Algorithm,
    UnknownKey,
    Signature,
}

fn decode_part(part: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `base64url(bytes)` without padding.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
