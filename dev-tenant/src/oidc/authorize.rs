//! `GET /authorize`: the client and its exact `redirect_uri` first (a bad
//! one is never redirected to), then the rest of the request, whose errors
//! go back to the app with `error` and `state`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::{LoginTx, found, given, internal, random_token, redirect_with, session};
use crate::AppState;
use crate::pages;

/// What `/authorize` reads. Anything else is ignored, as Auth0 does.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    response_type: Option<String>,
    response_mode: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    audience: Option<String>,
    connection: Option<String>,
    nonce: Option<String>,
    scope: Option<String>,
    /// Seconds; text, so that a bad value is ignored rather than fatal.
    max_age: Option<String>,
    prompt: Option<String>,
    /// Pre-fills the password and passwordless pages.
    login_hint: Option<String>,
}

/// Checks the request, then shows a login page (or, with a tenant session
/// and no `prompt=login`, answers at once).
pub(super) async fn authorize_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<AuthorizeQuery>, QueryRejection>,
) -> Response {
    // A repeated or unreadable parameter: which redirect_uri would be meant
    // is unknown, so the answer is a page, not a redirect.
    let Ok(Query(q)) = query else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Invalid request: a parameter is repeated or unreadable.",
        );
    };
    let Some(client_id) = given(&q.client_id) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Missing required parameter: client_id",
        );
    };
    let client = match state.store().client(client_id) {
        Ok(Some(c)) => c,
        Ok(None) => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Unknown client: this application is not registered.",
            );
        }
        Err(e) => return internal(e),
    };
    let Some(redirect_uri) = given(&q.redirect_uri) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Missing required parameter: redirect_uri",
        );
    };
    if !client.callbacks.iter().any(|c| c == redirect_uri) {
        return pages::error(
            StatusCode::BAD_REQUEST,
            &format!(
                "Callback URL mismatch. {redirect_uri} is not in the list of allowed callback URLs."
            ),
        );
    }
    let st = given(&q.state);
    let fail = |error: &str, description: &str| {
        redirect_with(
            redirect_uri,
            &[("error", error), ("error_description", description)],
            st,
        )
    };
    match given(&q.response_type) {
        Some("code") => {}
        Some(other) => {
            return fail(
                "unsupported_response_type",
                &format!("Unsupported response type: {other}"),
            );
        }
        None => {
            return fail(
                "invalid_request",
                "Missing required parameter: response_type",
            );
        }
    }
    if given(&q.response_mode).is_some_and(|m| m != "query") {
        return fail("invalid_request", "Only response_mode=query is supported");
    }
    let Some(code_challenge) = given(&q.code_challenge) else {
        return fail("invalid_request", "Parameter 'code_challenge' is required");
    };
    if given(&q.code_challenge_method) != Some("S256") {
        return fail(
            "invalid_request",
            "Parameter 'code_challenge_method' must be S256",
        );
    }
    let audience = given(&q.audience);
    if let Some(a) = audience
        && a != state.management_audience()
    {
        return fail("access_denied", &format!("Service not found: {a}"));
    }
    let connection = given(&q.connection);
    if let Some(c) = connection {
        match state.store().connection_kind(c) {
            Ok(Some(_)) => {}
            Ok(None) => return fail("invalid_request", "the connection was not found"),
            Err(e) => return internal(e),
        }
    }
    let tx = LoginTx {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        state: st.map(str::to_owned),
        nonce: given(&q.nonce).map(str::to_owned),
        code_challenge: code_challenge.to_owned(),
        scope: given(&q.scope).unwrap_or("openid").to_owned(),
        audience: audience.map(str::to_owned),
        connection: connection.map(str::to_owned),
        login_hint: given(&q.login_hint).map(str::to_owned),
        pending_code: None,
        created_at: state.now(),
        wants_auth_time: given(&q.max_age).is_some() || given(&q.prompt) == Some("login"),
    };
    let max_age = given(&q.max_age).and_then(|m| m.parse::<i64>().ok());
    let prompt = given(&q.prompt);
    if prompt != Some("login")
        && let Some(session) = session::session_of(&state, &headers)
        && connection.is_none_or(|c| c == session.connection)
        // OIDC: a session older than `max_age` logs in again; 0 always does.
        && max_age.is_none_or(|m| m > 0 && state.now() - session.auth_time <= m)
    {
        return super::login::issue_code(&state, &tx, &session.user_id, session.auth_time);
    }
    if prompt == Some("none") {
        return fail("login_required", "Login required");
    }
    let id = random_token(16);
    super::keep_login(&state, id.clone(), tx);
    found(&format!("/login?tx={id}"))
}
