//! The Management API (`/api/v2`): users and their identities, with
//! Auth0's scopes, subject rule and error bodies.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Map, Value};

use crate::AppState;
use crate::keys::TokenProblem;
use crate::store::{LinkError, LinkOutcome, UnlinkError, UnlinkOutcome};

mod error;

pub use error::ApiError;
use error::json_errors;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v2/users-by-email", get(users_by_email))
        .route("/api/v2/users/{id}", get(users_get).patch(users_patch))
        .route("/api/v2/users/{id}/identities", post(identities_link))
        .route("/api/v2/users/{id}/enrollments", get(enrollments_get))
        .route(
            "/api/v2/users/{id}/identities/{provider}/{user_id}",
            delete(identities_unlink),
        )
        .route(
            "/api/v2/{*rest}",
            axum::routing::any(|| async { ApiError::new(StatusCode::NOT_FOUND, "Not Found") }),
        )
        .layer(axum::middleware::from_fn(json_errors))
}

/// The claims of a verified access token.
#[derive(Clone, Debug)]
pub struct Claims {
    pub sub: String,
    pub scope: String,
    pub azp: Option<String>,
}

impl Claims {
    fn has(&self, scope: &str) -> bool {
        self.scope.split_whitespace().any(|s| s == scope)
    }

    /// 403 unless the token has one of `scopes`.
    fn require(&self, scopes: &[&str]) -> Result<(), ApiError> {
        if scopes.iter().any(|s| self.has(s)) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("Insufficient scope; expected any of: {}.", scopes.join(",")),
            )
            .code("insufficient_scope"))
        }
    }

    /// With only a `current_user` scope, the path's user must be the caller.
    fn require_subject(&self, id: &str, full_scope: &str) -> Result<(), ApiError> {
        if self.has(full_scope) || self.sub == id {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "User to be acted on does not match subject in bearer token.",
            ))
        }
    }

    /// The claims, if the token may act on user `id` with one of `scopes`;
    /// `full_scope` acts on any user, the others on the caller only.
    fn authorize(self, id: &str, scopes: &[&str], full_scope: &str) -> Result<Claims, ApiError> {
        self.require(scopes)?;
        self.require_subject(id, full_scope)?;
        Ok(self)
    }
}

/// The caller of a Management API request, verified once: by the rate
/// limiter, which leaves what it found in the request's extensions, or
/// here when no limiter ran.
#[derive(Clone, Debug)]
pub struct Caller(pub Claims);

/// What verifying the bearer token gave, kept for the handler.
#[derive(Clone)]
struct Verified(Result<Claims, ApiError>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match parts.extensions.get::<Verified>() {
            Some(Verified(verified)) => verified.clone().map(Caller),
            None => bearer_claims(state, &parts.headers, &state.management_audience()).map(Caller),
        }
    }
}

/// Verifies the bearer token of a request for `audience`.
pub fn bearer_claims(
    state: &AppState,
    headers: &HeaderMap,
    audience: &str,
) -> Result<Claims, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized("Missing authentication"));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("Bad HTTP authentication header format"))?;
    let claims = state.keys().verify(token).map_err(|p| match p {
        TokenProblem::Malformed
        | TokenProblem::Algorithm
        | TokenProblem::UnknownKey
        | TokenProblem::Signature => ApiError::unauthorized("Invalid token"),
    })?;
    if claims["iss"] != state.issuer() {
        return Err(ApiError::unauthorized("Invalid token"));
    }
    if claims["exp"].as_i64().is_none_or(|exp| exp <= state.now()) {
        return Err(ApiError::unauthorized(
            "Expired token received for JSON Web Token validation",
        ));
    }
    let audiences: Vec<&str> = match &claims["aud"] {
        Value::String(a) => vec![a.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !audiences.contains(&audience) {
        return Err(ApiError::unauthorized(format!(
            "Bad audience: {}",
            audiences.join(" ")
        )));
    }
    let sub = claims["sub"]
        .as_str()
        .ok_or_else(|| ApiError::unauthorized("Invalid token"))?;
    Ok(Claims {
        sub: sub.to_owned(),
        scope: claims["scope"].as_str().unwrap_or_default().to_owned(),
        azp: claims["azp"].as_str().map(str::to_owned),
    })
}

/// Identities as Auth0 answers them.
fn identities_json(state: &AppState, identities: &[crate::store::Identity]) -> Json<Value> {
    Json(Value::Array(
        identities
            .iter()
            .map(|i| i.to_json(state.issuer()))
            .collect(),
    ))
}

/// A JSON (or form) object body, as Auth0 takes both.
fn object_body(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form {
        return Ok(form_urlencoded::parse(body)
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::invalid_body("'Expected type object'")),
        Err(_) => Err(ApiError::bad_request("Invalid request payload JSON format")),
    }
}

/// `GET /api/v2/users/{id}`.
async fn users_get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.authorize(
        &id,
        &["read:users", "read:current_user", "read:user_idp_tokens"],
        "read:users",
    )?;
    let user = state
        .store()
        .user(&id)?
        .ok_or_else(ApiError::user_not_found)?;
    Ok(Json(user.to_json(state.issuer())))
}

/// `GET /api/v2/users-by-email?email=`: the users with exactly that email
/// (case-sensitive, as Auth0's is), with `read:users` only.
async fn users_by_email(
    State(state): State<AppState>,
    Caller(caller): Caller,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Json<Value>, ApiError> {
    caller.require(&["read:users"])?;
    let email = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("Query validation error: 'Missing required property: email'.")
                .code("invalid_query_string")
        })?;
    let users = state.store().users_by_email(&email)?;
    Ok(Json(Value::Array(
        users.iter().map(|u| u.to_json(state.issuer())).collect(),
    )))
}

/// `GET /api/v2/users/{id}/enrollments`: the user's confirmed MFA
/// enrollments (an array, though Auth0's summary says "the first").
async fn enrollments_get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.authorize(&id, &["read:users", "read:current_user"], "read:users")?;
    if state.store().user(&id)?.is_none() {
        return Err(ApiError::user_not_found());
    }
    Ok(Json(Value::Array(state.store().enrollments(&id)?)))
}

/// `PATCH /api/v2/users/{id}`: `user_metadata`, merged at the first level.
async fn users_patch(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.authorize(
        &id,
        &[
            "update:users",
            "update:users_app_metadata",
            "update:current_user_metadata",
        ],
        "update:users",
    )?;
    let body = object_body(&headers, &body)?;
    if let Some(k) = body.keys().find(|k| *k != "user_metadata") {
        return Err(ApiError::invalid_body(&format!(
            "'Additional properties not allowed: {k}'"
        )));
    }
    let Some(Value::Object(patch)) = body.get("user_metadata") else {
        return Err(ApiError::invalid_body(
            "'Expected type object but found type null' on property user_metadata",
        ));
    };
    let now = state.now_text();
    let user = state
        .store()
        .patch_user_metadata(&id, patch, &now)?
        .ok_or_else(ApiError::user_not_found)?;
    Ok(Json(user.to_json(state.issuer())))
}

/// `POST /api/v2/users/{id}/identities`: `{link_with}` or `{provider, user_id}`.
async fn identities_link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let claims = caller.authorize(
        &id,
        &["update:users", "update:current_user_identities"],
        "update:users",
    )?;
    let body = object_body(&headers, &body)?;
    if body.is_empty() {
        return Err(ApiError::invalid_body(
            "'Too few properties defined (0), minimum 1'",
        ));
    }
    if let Some(k) = body
        .keys()
        .find(|k| !["provider", "user_id", "connection_id", "link_with"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid_body(&format!(
            "'Additional properties not allowed: {k}'"
        )));
    }
    let secondary = match body.get("link_with") {
        Some(link_with) => {
            if body.len() > 1 {
                return Err(ApiError::invalid_body(
                    "'link_with' cannot be combined with 'provider', 'user_id' or 'connection_id'",
                ));
            }
            let token = link_with.as_str().ok_or_else(|| {
                ApiError::invalid_body("'Expected type string' on property link_with")
            })?;
            secondary_from_token(&state, &claims, token)?
        }
        None => {
            claims.require(&["update:users"])?;
            let provider = body.get("provider").and_then(Value::as_str);
            let user_id = match body.get("user_id") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            match (provider, user_id) {
                (Some(p), Some(u)) => format!("{p}|{u}"),
                _ => {
                    return Err(ApiError::invalid_body(
                        "'Missing required property: provider' and 'user_id'",
                    ));
                }
            }
        }
    };
    let now = state.now_text();
    let linked = state.store().link(&id, &secondary, &now);
    match linked {
        Ok(identities) => Ok((StatusCode::CREATED, identities_json(&state, &identities))),
        Err(LinkOutcome::Refused(LinkError::SameUser)) => Err(ApiError::bad_request(
            "Main identity and the new one are the same.",
        )),
        Err(LinkOutcome::Refused(LinkError::PrimaryNotFound)) => {
            // Auth0's description of this route lists no 404.
            Err(ApiError::bad_request("The user does not exist.").code("inexistent_user"))
        }
        Err(LinkOutcome::Refused(LinkError::AlreadyLinked)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "Specified identity already exists.",
        )),
        Err(LinkOutcome::Refused(LinkError::SecondaryNotFound)) => Err(ApiError::bad_request(
            "The user to be linked does not exist.",
        )
        .code("inexistent_user")),
        Err(LinkOutcome::Store(e)) => Err(e.into()),
    }
}

/// The secondary user of a `link_with` token: an unexpired RS256 ID token of
/// this tenant whose `aud` is the caller's `azp`.
fn secondary_from_token(
    state: &AppState,
    caller: &Claims,
    token: &str,
) -> Result<String, ApiError> {
    let invalid = || ApiError::bad_request("JWT for the secondary account is not valid.");
    let claims = state.keys().verify(token).map_err(|_| invalid())?;
    if claims["iss"] != state.issuer() {
        return Err(invalid());
    }
    if claims["exp"].as_i64().is_none_or(|exp| exp <= state.now()) {
        return Err(ApiError::bad_request(
            "JWT for the secondary account has expired.",
        ));
    }
    let aud_matches = match (&claims["aud"], &caller.azp) {
        (Value::String(a), Some(azp)) => a == azp,
        _ => false,
    };
    if !aud_matches {
        return Err(ApiError::bad_request(
            "The audience of the secondary account's JWT does not match the client of the access token.",
        ));
    }
    claims["sub"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(invalid)
}

/// `DELETE /api/v2/users/{id}/identities/{provider}/{user_id}`.
async fn identities_unlink(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((id, provider, user_id)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.authorize(
        &id,
        &["update:users", "update:current_user_identities"],
        "update:users",
    )?;
    let now = state.now_text();
    let unlinked = state.store().unlink(&id, &provider, &user_id, &now);
    match unlinked {
        Ok(identities) => Ok(identities_json(&state, &identities)),
        Err(UnlinkOutcome::Refused(UnlinkError::MainIdentity)) => {
            Err(ApiError::bad_request("Main identity cannot be removed."))
        }
        Err(UnlinkOutcome::Refused(UnlinkError::UserNotFound)) => {
            // Auth0's description of this route lists no 404.
            Err(ApiError::bad_request("The user does not exist.").code("inexistent_user"))
        }
        Err(UnlinkOutcome::Store(e)) => Err(e.into()),
    }
}

/// Rate limits calls made with a user's own token, per user, and says so in
/// `X-RateLimit-Limit`, `-Remaining` and `-Reset` on every such answer. The
/// token it verified is passed on to the handler's [`Caller`].
pub async fn rate_limited(
    State(state): State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let verified = bearer_claims(&state, request.headers(), &state.management_audience());
    let user = verified
        .as_ref()
        .ok()
        .filter(|c| !c.has("read:users") && !c.has("update:users"))
        .map(|c| c.sub.clone());
    request.extensions_mut().insert(Verified(verified));
    let Some(user) = user else {
        return next.run(request).await;
    };
    let verdict = state.rate_limit(&user);
    let mut response = if verdict.allowed {
        next.run(request).await
    } else {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Global limit has been reached",
        )
        .code("too_many_requests")
        .into_response()
    };
    let h = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", verdict.limit.to_string()),
        ("x-ratelimit-remaining", verdict.remaining.to_string()),
        ("x-ratelimit-reset", verdict.reset.to_string()),
    ] {
        if let Ok(v) = value.parse() {
            h.insert(name, v);
        }
    }
    response
}
