//! The Authentication API: discovery, keys, authorize, token, userinfo, logout.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;

/// The Authentication API's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/.well-known/openid-configuration", get(discovery_get))
}

/// `GET /.well-known/openid-configuration`, as Auth0 publishes it.
async fn discovery_get(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "issuer": state.issuer(),
        "authorization_endpoint": state.url("authorize"),
        "token_endpoint": state.url("oauth/token"),
        "userinfo_endpoint": state.url("userinfo"),
        "jwks_uri": state.url(".well-known/jwks.json"),
        "end_session_endpoint": state.url("oidc/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "scopes_supported": ["openid", "profile", "email", "phone", "offline_access"],
        "claims_supported": [
            "aud", "auth_time", "email", "email_verified", "exp", "iat", "iss",
            "name", "nickname", "nonce", "phone_number", "picture", "sub"
        ],
    }))
}
