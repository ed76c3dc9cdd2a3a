//! The fuzz stage (`cargo xtask test` runs it on its own, with the `fuzz`
//! feature): property-based requests against the Management API routes and
//! `/oauth/token`, in-process, a few hundred cases per route. No answer may
//! be a 5xx; every Management API answer is one Auth0's description
//! documents, in its shape; every token error is RFC 6749's.

#[path = "common/contract.rs"]
mod shape;

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use dev_tenant::AppState;
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::{Value, json};
use tower::ServiceExt;

const ADA: &str = "google-oauth2|104857600000000000001";

/// One tenant for all cases (each case is a request; the store may change).
fn tenant() -> &'static (AppState, Router, tokio::runtime::Runtime) {
    static TENANT: OnceLock<(AppState, Router, tokio::runtime::Runtime)> = OnceLock::new();
    TENANT.get_or_init(|| {
        let options = dev_tenant::Options {
            key: Some(dev_tenant::keys::SigningKey::for_tests()),
            rate_limit: dev_tenant::limits::RateLimit {
                burst: 1_000_000,
                per_minute: 1_000_000,
            },
            ..Default::default()
        };
        let state = AppState::open("127.0.0.1:4000".parse().unwrap(), options).unwrap();
        let app = dev_tenant::app(state.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        (state, app, runtime)
    })
}

/// A token of the tenant: Ada's own, an admin's, one for another user, or
/// garbage.
fn token(kind: u8) -> Option<String> {
    let (state, _, _) = tenant();
    let now = state.now();
    let claims = |sub: &str, scope: &str| {
        json!({
            "iss": state.issuer(), "sub": sub, "aud": state.management_audience(),
            "azp": "link-accounts-dev", "iat": now, "exp": now + 3600, "scope": scope,
        })
    };
    let key = state.keys();
    match kind % 5 {
        0 => Some(key.active().sign(&claims(
            ADA,
            "read:current_user update:current_user_identities update:current_user_metadata",
        ))),
        1 => Some(
            key.active()
                .sign(&claims("admin@clients", "read:users update:users")),
        ),
        2 => Some(
            key.active()
                .sign(&claims("auth0|nobody", "read:current_user")),
        ),
        3 => Some("not.a.token".into()),
        _ => None,
    }
}

fn send(method: Method, uri: &str, token: Option<String>, body: Option<String>) -> (u16, Value) {
    let (_, app, runtime) = tenant();
    let mut r = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    let body = match body {
        Some(b) => {
            r = r.header("content-type", "application/json");
            Body::from(b)
        }
        None => Body::empty(),
    };
    runtime.block_on(async {
        let response = app.clone().oneshot(r.body(body).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            Value::String(format!("not JSON: {}", String::from_utf8_lossy(&bytes)))
        });
        (status, value)
    })
}

/// A user id as anything might send it: real ones, odd ones, encoded or not.
fn user_id() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(ADA.to_owned()),
        Just("github|4242001".to_owned()),
        Just("oauth2|discord|80351110224678912".to_owned()),
        "[a-z0-9|._~%-]{0,40}",
        any::<String>(),
    ]
}

fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Any JSON, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[ -~]{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A body: valid-looking ones of the route, any JSON, or not JSON at all.
fn body(fields: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::btree_map(prop::sample::select(fields), json_value(), 0..3).prop_map(
            |m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()).to_string()
        ),
        json_value().prop_map(|v| v.to_string()),
        "[ -~]{0,40}",
    ]
}

fn conforms(operation: &str, uri: &str, (status, body): (u16, Value)) -> Result<(), TestCaseError> {
    prop_assert!(status < 500, "{operation}: {status} {body}");
    // A path with an empty segment may be no route at all: then Auth0's
    // 404, in its error shape.
    let empty_segment = uri.contains("//") || uri.ends_with('/');
    if empty_segment && status == 404 {
        let problems = shape::problems("GET /users/{id}", 404, &body);
        prop_assert!(problems.is_empty(), "{uri} {body}: {problems:?}");
        return Ok(());
    }
    let problems = shape::problems(operation, status, &body);
    prop_assert!(
        problems.is_empty(),
        "{operation} {status} {body}: {problems:?}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn get_user(id in user_id(), kind in any::<u8>()) {
        let uri = format!("/api/v2/users/{}", path_segment(&id));
        conforms("GET /users/{id}", &uri, send(Method::GET, &uri, token(kind), None))?;
    }

    #[test]
    fn patch_user(id in user_id(), kind in any::<u8>(), b in body(&["user_metadata", "app_metadata", "email", "blocked"])) {
        let uri = format!("/api/v2/users/{}", path_segment(&id));
        conforms("PATCH /users/{id}", &uri, send(Method::PATCH, &uri, token(kind), Some(b)))?;
    }

    #[test]
    fn link(id in user_id(), kind in any::<u8>(), b in body(&["link_with", "provider", "user_id", "connection_id"])) {
        let uri = format!("/api/v2/users/{}/identities", path_segment(&id));
        conforms("POST /users/{id}/identities", &uri, send(Method::POST, &uri, token(kind), Some(b)))?;
    }

    #[test]
    fn unlink(id in user_id(), provider in "[a-z0-9|.%-]{0,12}", other in user_id(), kind in any::<u8>()) {
        let uri = format!(
            "/api/v2/users/{}/identities/{}/{}",
            path_segment(&id),
            path_segment(&provider),
            path_segment(&other)
        );
        conforms(
            "DELETE /users/{id}/identities/{provider}/{user_id}",
            &uri,
            send(Method::DELETE, &uri, token(kind), None),
        )?;
    }

    #[test]
    fn token_endpoint(b in body(&["grant_type", "client_id", "code", "code_verifier", "redirect_uri", "refresh_token"])) {
        let (status, body) = send(Method::POST, "/oauth/token", None, Some(b));
        prop_assert!(status < 500, "{status} {body}");
        if status >= 400 {
            prop_assert!(body["error"].is_string(), "{status} {body}");
            prop_assert!(body["error_description"].is_string() || body["error_description"].is_null(), "{status} {body}");
        }
    }
}
