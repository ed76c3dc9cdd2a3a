//! The tenant's own session (its cookie), `/userinfo`, and `/v2/logout`.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{found, given, id_token, internal};
use crate::AppState;
use crate::pages;

/// The name of the tenant's session cookie.
pub const SESSION_COOKIE: &str = "dev_tenant_session";

/// A person signed in at the tenant (its session cookie).
#[derive(Clone, Debug)]
pub struct TenantSession {
    pub user_id: String,
    pub connection: String,
    pub auth_time: i64,
}

/// How long a tenant session lasts from its sign-in (Auth0's default
/// absolute lifetime: 7 days).
pub const SESSION_LIFETIME: i64 = 7 * 24 * 3600;

/// How many tenant sessions are kept at once; beyond, the oldest go.
pub const MAX_SESSIONS: usize = 1000;

/// Keeps a new tenant session: expired ones go, and the oldest beyond
/// [`MAX_SESSIONS`].
pub(super) fn keep(state: &AppState, id: String, session: TenantSession) {
    let now = state.now();
    super::keep_bounded(&mut state.sessions(), (id, session), MAX_SESSIONS, |s| {
        (now - s.auth_time <= SESSION_LIFETIME).then_some(s.auth_time)
    });
}

/// The ids in the request's session cookies.
fn session_ids(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|c| c.to_str().ok())
        .flat_map(|c| c.split(';'))
        .filter_map(|c| c.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
}

/// The tenant session the request's cookie names, if it is still there.
/// A session whose user is gone (linked into another since) is ended: as
/// on Auth0, the person signs in again rather than meeting an error.
pub(super) fn session_of(state: &AppState, headers: &HeaderMap) -> Option<TenantSession> {
    let (id, session) = {
        let sessions = state.sessions();
        session_ids(headers).find_map(|id| Some((id.to_owned(), sessions.get(id).cloned()?)))?
    };
    if state.now() - session.auth_time > SESSION_LIFETIME {
        state.sessions().remove(&id);
        return None;
    }
    match state.store().user(&session.user_id) {
        Ok(Some(_)) => Some(session),
        Ok(None) => {
            state.sessions().remove(&id);
            None
        }
        Err(e) => {
            tracing::error!("{e}");
            None
        }
    }
}

/// `GET /userinfo`.
pub(super) async fn userinfo_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let unauthorized = || {
        let body = json!({
            "error": "invalid_token",
            "error_description": "The access token is invalid or has expired"
        });
        (StatusCode::UNAUTHORIZED, Json(body)).into_response()
    };
    let Ok(claims) = crate::management::bearer_claims(&state, &headers, &state.url("userinfo"))
    else {
        return unauthorized();
    };
    let scopes: Vec<&str> = claims.scope.split_whitespace().collect();
    let user = state.store().user(&claims.sub);
    match user {
        Ok(Some(user)) => {
            let mut c = id_token::profile_claims(&user, &scopes, state.issuer());
            c.insert("sub".into(), json!(user.user_id));
            Json(Value::Object(c)).into_response()
        }
        Ok(None) => unauthorized(),
        Err(e) => internal(e),
    }
}

/// `?client_id=…&returnTo=…`
#[derive(Debug, Default, Deserialize)]
pub(super) struct LogoutQuery {
    client_id: Option<String>,
    #[serde(rename = "returnTo")]
    return_to: Option<String>,
}

/// `GET /v2/logout?client_id=…&returnTo=…`: ends the tenant session.
pub(super) async fn logout_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LogoutQuery>,
) -> Response {
    let return_to = given(&q.return_to);
    if let Some(r) = return_to
        && !allowed_logout_url(&state, given(&q.client_id), r)
    {
        return logout_mismatch(r);
    }
    end_session(&state, &headers, return_to.map(str::to_owned))
}

/// `/oidc/logout`'s query (OIDC RP-Initiated Logout).
#[derive(Debug, Default, Deserialize)]
pub(super) struct OidcLogoutQuery {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    client_id: Option<String>,
    #[allow(dead_code)]
    federated: Option<String>,
}

/// `GET /oidc/logout`: ends the tenant session, and returns to
/// `post_logout_redirect_uri` (an allowed logout URL of the client named by
/// `client_id`, or by the `aud` of a signature-checked `id_token_hint`)
/// with `state`.
pub(super) async fn oidc_logout_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OidcLogoutQuery>,
) -> Response {
    let hinted = match given(&q.id_token_hint) {
        None => None,
        Some(hint) => match state.keys().verify(hint) {
            Ok(claims) => claims["aud"].as_str().map(str::to_owned),
            Err(_) => {
                return pages::error(
                    StatusCode::BAD_REQUEST,
                    "Invalid id_token_hint: it is not a token of this tenant.",
                );
            }
        },
    };
    let client = given(&q.client_id).map(str::to_owned).or(hinted.clone());
    if let (Some(c), Some(h)) = (given(&q.client_id), &hinted)
        && c != h
    {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "The id_token_hint was issued to another client than client_id.",
        );
    }
    let back = match given(&q.post_logout_redirect_uri) {
        None => None,
        Some(r) if allowed_logout_url(&state, client.as_deref(), r) => {
            let mut url = r.to_owned();
            if let Some(s) = given(&q.state) {
                let sep = if url.contains('?') { '&' } else { '?' };
                let q = form_urlencoded_pair("state", s);
                url = format!("{url}{sep}{q}");
            }
            Some(url)
        }
        Some(r) => return logout_mismatch(r),
    };
    end_session(&state, &headers, back)
}

fn form_urlencoded_pair(k: &str, v: &str) -> String {
    serde_urlencoded::to_string([(k, v)]).unwrap_or_default()
}

fn allowed_logout_url(state: &AppState, client_id: Option<&str>, url: &str) -> bool {
    client_id
        .and_then(|c| state.store().client(c).ok().flatten())
        .is_some_and(|c| c.logout_urls.iter().any(|u| u == url))
}

fn logout_mismatch(url: &str) -> Response {
    pages::error(
        StatusCode::BAD_REQUEST,
        &format!("Logout URL mismatch. {url} is not in the list of allowed logout URLs."),
    )
}

/// Ends the request's tenant sessions, then goes to `back` (or says so).
fn end_session(state: &AppState, headers: &HeaderMap, back: Option<String>) -> Response {
    {
        let mut sessions = state.sessions();
        for id in session_ids(headers) {
            sessions.remove(id);
        }
    }
    let mut response = match back {
        Some(r) => found(&r),
        None => Html("<!doctype html><title>Signed out</title><p>You are signed out.</p>")
            .into_response(),
    };
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(v) = clear.parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}
