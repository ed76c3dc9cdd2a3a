//! Discovery, in-process.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[tokio::test]
async fn discovery_names_the_issuer_with_a_trailing_slash() {
    let state = dev_tenant::AppState::new("127.0.0.1:4123".parse().unwrap());
    let response = dev_tenant::app(state)
        .oneshot(
            Request::get("/.well-known/openid-configuration")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["issuer"], "http://127.0.0.1:4123/");
    assert_eq!(
        doc["jwks_uri"],
        "http://127.0.0.1:4123/.well-known/jwks.json"
    );
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
}
