//! The login pages' handlers: the page for a transaction, "Continue as …"
//! for social connections, email and password, a one-time code by SMS or
//! email, and Cancel. A login that succeeds starts a tenant session and
//! answers the app with a code.

use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

use super::session::{SESSION_COOKIE, TenantSession};
use super::{
    CODE_LIFETIME, LoginTx, PendingCode, given, hash, internal, random_token, redirect_with,
};
use crate::AppState;
use crate::pages;
use crate::store::{CodeGrant, ConnectionKind, StoreError};

/// `?tx=…[&connection=…]`
#[derive(Debug, Default, Deserialize)]
pub(super) struct LoginQuery {
    tx: Option<String>,
    connection: Option<String>,
}

/// The social page's "Continue as …".
#[derive(Debug, Default, Deserialize)]
pub(super) struct SocialForm {
    tx: Option<String>,
    connection: Option<String>,
    identity: Option<String>,
}

/// The database connection's form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PasswordForm {
    tx: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

/// A one-time code: asked for (`who`), then given (`code`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct CodeForm {
    tx: Option<String>,
    connection: Option<String>,
    who: Option<String>,
    code: Option<String>,
}

/// The tenant's database (email and password) connection.
fn database_connection(state: &AppState) -> Option<String> {
    state
        .store()
        .connections()
        .ok()?
        .into_iter()
        .find(|c| c.kind == ConnectionKind::Database)
        .map(|c| c.name)
}

/// `GET /login?tx=…[&connection=…]`: the login page for the transaction.
pub(super) async fn login_get(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
) -> Response {
    let Some((id, tx)) = login_tx(&state, &q.tx) else {
        return expired_login();
    };
    match tx.connection.as_deref().or(given(&q.connection)) {
        None => pages::choose_connection(&id, &connections(&state)),
        Some(c) => login_page(&state, &id, c, None),
    }
}

/// The connections someone can sign in with, in the tenant's order.
fn connections(state: &AppState) -> Vec<String> {
    let store = state.store();
    store
        .connections()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| store.logins_of(&c.name).is_ok_and(|l| !l.is_empty()))
        .map(|c| c.name)
        .collect()
}

/// A connection's kind and the logins it offers.
fn kind_and_logins(
    state: &AppState,
    connection: &str,
) -> Result<(Option<ConnectionKind>, Vec<crate::store::Login>), StoreError> {
    let store = state.store();
    Ok((
        store.connection_kind(connection)?,
        store.logins_of(connection)?,
    ))
}

fn login_page(state: &AppState, tx: &str, connection: &str, problem: Option<&str>) -> Response {
    let hint = state.logins().get(tx).and_then(|t| t.login_hint.clone());
    let hint = hint.as_deref();
    let (kind, logins) = match kind_and_logins(state, connection) {
        Ok(found) => found,
        Err(e) => return internal(e),
    };
    match kind {
        Some(ConnectionKind::Database) => pages::password(tx, hint, problem),
        Some(ConnectionKind::Sms) => pages::passwordless_start(tx, connection, true, hint, problem),
        Some(ConnectionKind::Email) => {
            pages::passwordless_start(tx, connection, false, hint, problem)
        }
        Some(ConnectionKind::Social) | None => pages::social(tx, connection, &logins, problem),
    }
}

/// The connection a login form may sign in with: the one the `/authorize`
/// request named (or, when it named none, the one the form says), if it is
/// of one of these kinds. `None` refuses the login.
fn allowed_connection(
    state: &AppState,
    tx: &LoginTx,
    posted: Option<&str>,
    kinds: &[ConnectionKind],
) -> Result<Option<String>, StoreError> {
    let Some(connection) = tx.connection.as_deref().or(posted) else {
        return Ok(None);
    };
    if posted.is_some_and(|p| p != connection) {
        return Ok(None);
    }
    match state.store().connection_kind(connection) {
        Ok(Some(kind)) if kinds.contains(&kind) => Ok(Some(connection.to_owned())),
        Ok(_) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A login refused because it is not of the connection that was asked for.
fn wrong_connection(state: &AppState, id: &str, tx: &LoginTx) -> Response {
    const REFUSED: &str = "That account cannot sign in here.";
    match tx.connection.as_deref() {
        Some(asked) => login_page(state, id, asked, Some(REFUSED)),
        None => pages::error(StatusCode::BAD_REQUEST, REFUSED),
    }
}

fn login_tx(state: &AppState, id: &Option<String>) -> Option<(String, LoginTx)> {
    let id = given(id)?;
    let now = state.now();
    state
        .logins()
        .get(id)
        .filter(|tx| now - tx.created_at <= super::LOGIN_LIFETIME)
        .cloned()
        .map(|tx| (id.to_owned(), tx))
}

fn expired_login() -> Response {
    pages::error(
        StatusCode::BAD_REQUEST,
        "This login has expired or was already used. Go back to the application and start again.",
    )
}

/// `POST /login/social`: "Continue as …".
pub(super) async fn login_social(
    State(state): State<AppState>,
    Form(f): Form<SocialForm>,
) -> Response {
    let Some((id, tx)) = login_tx(&state, &f.tx) else {
        return expired_login();
    };
    let Some(identity) = given(&f.identity) else {
        return expired_login();
    };
    let connection =
        match allowed_connection(&state, &tx, given(&f.connection), &[ConnectionKind::Social]) {
            Ok(Some(c)) => c,
            Ok(None) => return wrong_connection(&state, &id, &tx),
            Err(e) => return internal(e),
        };
    let known = state
        .store()
        .logins_of(&connection)
        .is_ok_and(|l| l.iter().any(|l| l.identity == identity));
    if !known {
        return login_page(
            &state,
            &id,
            &connection,
            Some("That account cannot sign in here."),
        );
    }
    complete_login(&state, &id, &tx, identity, &connection)
}

/// `POST /login/password`: the database connection's form.
pub(super) async fn login_password(
    State(state): State<AppState>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let Some((id, tx)) = login_tx(&state, &f.tx) else {
        return expired_login();
    };
    let database = database_connection(&state);
    let connection = match allowed_connection(
        &state,
        &tx,
        tx.connection
            .is_none()
            .then_some(database.as_deref())
            .flatten(),
        &[ConnectionKind::Database],
    ) {
        Ok(Some(c)) => c,
        Ok(None) => return wrong_connection(&state, &id, &tx),
        Err(e) => return internal(e),
    };
    let email = f.email.as_deref().unwrap_or_default();
    let password = f.password.as_deref().unwrap_or_default();
    let found = state
        .store()
        .check_password(&connection, email.trim(), password);
    match found {
        Ok(Some(identity)) => complete_login(&state, &id, &tx, &identity, &connection),
        Ok(None) => login_page(&state, &id, &connection, Some("Wrong email or password.")),
        Err(e) => internal(e),
    }
}

/// `POST /login/passwordless/start`: sends (logs) a one-time code.
pub(super) async fn passwordless_start(
    State(state): State<AppState>,
    Form(f): Form<CodeForm>,
) -> Response {
    let Some((id, tx)) = login_tx(&state, &f.tx) else {
        return expired_login();
    };
    let connection = match allowed_connection(
        &state,
        &tx,
        given(&f.connection),
        &[ConnectionKind::Sms, ConnectionKind::Email],
    ) {
        Ok(Some(c)) => c,
        Ok(None) => return wrong_connection(&state, &id, &tx),
        Err(e) => return internal(e),
    };
    let connection = connection.as_str();
    let who = f.who.as_deref().unwrap_or_default().trim();
    let (kind, logins) = match kind_and_logins(&state, connection) {
        Ok(found) => found,
        Err(e) => return internal(e),
    };
    let sms = kind == Some(ConnectionKind::Sms);
    let found = logins.iter().find(|l| {
        l.phone.as_deref() == Some(who)
            || l.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(who))
    });
    let Some(login) = found else {
        let what = if sms { "phone number" } else { "email address" };
        return pages::passwordless_start(
            &id,
            connection,
            sms,
            Some(who),
            Some(&format!("No account uses that {what}.")),
        );
    };
    let code = format!("{:06}", rand::random::<u32>() % 1_000_000);
    tracing::info!(connection = %connection, to = %who, code = %code, "one-time code sent");
    state.controls().record_code(&code);
    if let Some(tx) = state.logins().get_mut(&id) {
        tx.pending_code = Some(PendingCode {
            identity: login.identity.clone(),
            connection: connection.to_owned(),
            code,
        });
    }
    pages::passwordless_code(&id, connection, who, None)
}

/// `POST /login/passwordless/verify`: checks the one-time code.
pub(super) async fn passwordless_verify(
    State(state): State<AppState>,
    Form(f): Form<CodeForm>,
) -> Response {
    let Some((id, tx)) = login_tx(&state, &f.tx) else {
        return expired_login();
    };
    let connection = f.connection.as_deref().unwrap_or_default();
    let code = f.code.as_deref().unwrap_or_default().trim();
    match &tx.pending_code {
        // The code signs in with the connection it was sent for, whatever
        // the form says.
        Some(sent) if sent.code == code => {
            complete_login(&state, &id, &tx, &sent.identity, &sent.connection)
        }
        _ => pages::passwordless_code(
            &id,
            connection,
            f.who.as_deref().unwrap_or_default(),
            Some("That code is not right. Check it and try again."),
        ),
    }
}

/// `GET /login/cancel`: back to the app with `error=access_denied`.
pub(super) async fn login_cancel(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
) -> Response {
    let Some(tx) = given(&q.tx).and_then(|id| state.logins().remove(id)) else {
        return expired_login();
    };
    redirect_with(
        &tx.redirect_uri,
        &[
            ("error", "access_denied"),
            ("error_description", "The user cancelled the login."),
        ],
        tx.state.as_deref(),
    )
}

/// The identity proved itself: start a tenant session and answer the app.
fn complete_login(
    state: &AppState,
    id: &str,
    tx: &LoginTx,
    identity: &str,
    connection: &str,
) -> Response {
    state.logins().remove(id);
    let user_id = match state.store().owner_of(identity) {
        Ok(Some(owner)) => owner,
        Ok(None) => return expired_login(),
        Err(e) => return internal(e),
    };
    let auth_time = state.now();
    let session_id = random_token(24);
    super::session::keep(
        state,
        session_id.clone(),
        TenantSession {
            user_id: user_id.clone(),
            connection: connection.to_owned(),
            auth_time,
        },
    );
    let mut response = issue_code(state, tx, &user_id, auth_time);
    let cookie = format!("{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Redirects to the app with a fresh, single-use code for `user_id`.
pub(super) fn issue_code(
    state: &AppState,
    tx: &LoginTx,
    user_id: &str,
    auth_time: i64,
) -> Response {
    let code = random_token(32);
    let grant = CodeGrant {
        client_id: tx.client_id.clone(),
        redirect_uri: tx.redirect_uri.clone(),
        code_challenge: tx.code_challenge.clone(),
        nonce: tx.nonce.clone(),
        user_id: user_id.to_owned(),
        scope: tx.scope.clone(),
        audience: tx.audience.clone(),
        auth_time,
        wants_auth_time: tx.wants_auth_time,
        expires_at: state.now() + CODE_LIFETIME,
    };
    if let Err(e) = state.store().insert_code(&hash(&code), &grant, state.now()) {
        return internal(e);
    }
    redirect_with(&tx.redirect_uri, &[("code", &code)], tx.state.as_deref())
}
