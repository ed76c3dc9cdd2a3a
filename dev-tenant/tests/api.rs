//! The dev tenant, in-process: each route, each rule, each error body.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dev_tenant::AppState;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

const CLIENT: &str = "link-accounts-dev";
const CALLBACK: &str = "http://127.0.0.1:8080/";
const ORIGIN: &str = "http://127.0.0.1:8080";
const ADA: &str = "google-oauth2|104857600000000000001";
const ADA_GITHUB: &str = "github|4242001";
const VERIFIER: &str = "dBjftJeZ4CK-pH9z7Xn2kQ3vL8wR5sT1uY6oP0aE4mNcG";
const SCOPE: &str = "openid profile email phone read:current_user update:current_user_identities update:current_user_metadata";

struct Tenant {
    state: AppState,
    app: Router,
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "not JSON ({}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn location(&self) -> String {
        self.headers[header::LOCATION].to_str().unwrap().to_owned()
    }
}

fn tenant() -> Tenant {
    let state = AppState::new("127.0.0.1:4000".parse().unwrap());
    Tenant {
        app: dev_tenant::app(state.clone()),
        state,
    }
}

/// A tenant with these options, signing with the tests' key.
fn tenant_with(options: dev_tenant::Options) -> Tenant {
    let options = dev_tenant::Options {
        key: Some(dev_tenant::keys::SigningKey::for_tests()),
        ..options
    };
    let state = AppState::open("127.0.0.1:4000".parse().unwrap(), options).unwrap();
    Tenant {
        app: dev_tenant::app(state.clone()),
        state,
    }
}

/// A tenant whose `current_user` calls are limited to `burst`, then
/// `per_minute`.
fn tenant_limited(burst: u32, per_minute: u32) -> Tenant {
    tenant_with(dev_tenant::Options {
        rate_limit: dev_tenant::limits::RateLimit { burst, per_minute },
        ..Default::default()
    })
}

/// A tenant that does not grant these scopes to its clients.
fn tenant_refusing(scopes: &[&str]) -> Tenant {
    tenant_with(dev_tenant::Options {
        refused_scopes: scopes.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    })
}

/// A tenant with suggested linking on (`--suggest-linking`).
fn tenant_suggesting() -> Tenant {
    tenant_with(dev_tenant::Options {
        suggest_linking: true,
        ..Default::default()
    })
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn query_of(location: &str) -> HashMap<String, String> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn claims_of(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

impl Tenant {
    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, uri: &str) -> Answer {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    async fn form(&self, uri: &str, pairs: &[(&str, &str)]) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    async fn api(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut r = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(b) => {
                r = r.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        self.send(r.body(body).unwrap()).await
    }

    fn authorize_uri(&self, extra: &[(&str, &str)]) -> String {
        let audience = self.state.management_audience();
        let challenge = challenge(VERIFIER);
        let mut pairs = vec![
            ("client_id", CLIENT),
            ("redirect_uri", CALLBACK),
            ("response_type", "code"),
            ("scope", SCOPE),
            ("state", "st-1"),
            ("nonce", "n-1"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("audience", audience.as_str()),
        ];
        for (k, v) in extra {
            pairs.retain(|(pk, _)| pk != k);
            pairs.push((k, v));
        }
        let pairs: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let q = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("/authorize?{q}")
    }

    /// Signs in as `identity` through `/authorize` and a login page; returns the code.
    async fn code_for(&self, identity: &str, extra: &[(&str, &str)]) -> String {
        let connection = self.connection_of(identity);
        let mut extra = extra.to_vec();
        extra.push(("connection", &connection));
        let answer = self.get(&self.authorize_uri(&extra)).await;
        assert!(
            answer.status.is_redirection(),
            "authorize: {} {}",
            answer.status,
            answer.text()
        );
        let tx = query_of(&answer.location())["tx"].clone();
        let page = self.get(&format!("/login?tx={tx}")).await;
        assert!(page.text().contains("Continue as"), "{}", page.text());
        let done = self
            .form(
                "/login/social",
                &[
                    ("tx", &tx),
                    ("connection", &connection),
                    ("identity", identity),
                ],
            )
            .await;
        let q = query_of(&done.location());
        assert_eq!(q["state"], "st-1");
        q["code"].clone()
    }

    fn connection_of(&self, identity: &str) -> String {
        match identity.split('|').next().unwrap() {
            "oauth2" => "discord".into(),
            other => other.into(),
        }
    }

    async fn exchange(&self, code: &str, verifier: &str) -> Answer {
        self.form(
            "/oauth/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT),
                ("code", code),
                ("code_verifier", verifier),
                ("redirect_uri", CALLBACK),
            ],
        )
        .await
    }

    /// Tokens for `identity`, through the real flow.
    async fn tokens_for(&self, identity: &str) -> Value {
        let code = self.code_for(identity, &[]).await;
        let answer = self.exchange(&code, VERIFIER).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        answer.json()
    }

    /// A machine-to-machine token that may read and update any user.
    fn admin_token(&self) -> String {
        self.token(json!({"sub": "admin@clients", "scope": "update:users read:users"}))
    }

    /// A token signed by the tenant with these claims over sensible defaults.
    fn token(&self, overrides: Value) -> String {
        let now = self.state.now();
        let mut claims = json!({
            "iss": self.state.issuer(), "sub": ADA,
            "aud": [self.state.management_audience(), self.state.url("userinfo")],
            "iat": now, "exp": now + 3600, "azp": CLIENT,
            "scope": "openid read:current_user update:current_user_identities update:current_user_metadata",
        });
        for (k, v) in overrides.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        self.state.keys().active().sign(&claims)
    }
}

fn auth0_error(status: u16, message: &str) -> Value {
    let error = StatusCode::from_u16(status)
        .unwrap()
        .canonical_reason()
        .unwrap();
    json!({ "statusCode": status, "error": error, "message": message })
}

// ---------------------------------------------------------------- discovery

#[tokio::test]
async fn discovery_and_jwks_name_the_issuer_and_key() {
    let t = tenant();
    let doc = t.get("/.well-known/openid-configuration").await.json();
    assert_eq!(doc["issuer"], "http://127.0.0.1:4000/");
    assert_eq!(
        doc["jwks_uri"],
        "http://127.0.0.1:4000/.well-known/jwks.json"
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    let jwks = t.get("/.well-known/jwks.json").await.json();
    let key = &jwks["keys"][0];
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["kid"], json!(t.state.keys().active().kid));
}

// ---------------------------------------------------------------- authorize

#[tokio::test]
async fn authorize_never_redirects_to_an_unregistered_callback() {
    let t = tenant();
    for uri in [
        t.authorize_uri(&[("redirect_uri", "http://127.0.0.1:8080/evil")]),
        t.authorize_uri(&[("client_id", "nobody")]),
        t.authorize_uri(&[("redirect_uri", "")]),
    ] {
        let answer = t.get(&uri).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(!answer.headers.contains_key(header::LOCATION), "{uri}");
        assert!(answer.headers.get("access-control-allow-origin").is_none());
    }
}

#[tokio::test]
async fn authorize_errors_go_back_to_the_app_with_the_state() {
    let t = tenant();
    let cases = [
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (
            vec![("audience", "https://other.example/api")],
            "access_denied",
        ),
        (
            vec![("connection", "no-such-connection")],
            "invalid_request",
        ),
    ];
    for (extra, error) in cases {
        let answer = t.get(&t.authorize_uri(&extra)).await;
        assert_eq!(answer.status, StatusCode::FOUND, "Auth0 redirects with 302");
        let location = answer.location();
        assert!(location.starts_with(CALLBACK), "{location}");
        let q = query_of(&location);
        assert_eq!(q["error"], error, "{extra:?}");
        assert_eq!(q["state"], "st-1");
        assert!(!q.contains_key("code"));
    }
}

#[tokio::test]
async fn a_social_login_page_offers_each_account_by_email_and_a_cancel() {
    let t = tenant();
    let answer = t.get(&t.authorize_uri(&[("connection", "github")])).await;
    let tx = query_of(&answer.location())["tx"].clone();
    let page = t.get(&format!("/login?tx={tx}")).await.text();
    assert!(page.contains("Continue as ada@example.com"), "{page}");
    assert!(page.contains("Continue as eve@example.com"));
    assert!(page.contains("id=\"cancel\""));
    // Markup in a name never reaches the page as markup.
    assert!(!page.contains("<img src=x"));
    let cancel = t.get(&format!("/login/cancel?tx={tx}")).await;
    let q = query_of(&cancel.location());
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-1");
}

#[tokio::test]
async fn a_tenant_session_skips_the_login_page_unless_prompt_is_login() {
    let t = tenant();
    let answer = t
        .get(&t.authorize_uri(&[("connection", "google-oauth2")]))
        .await;
    let tx = query_of(&answer.location())["tx"].clone();
    let done = t
        .form(
            "/login/social",
            &[
                ("tx", &tx),
                ("connection", "google-oauth2"),
                ("identity", ADA),
            ],
        )
        .await;
    let cookie = done.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let t = &t;
    let again = |extra: Vec<(&'static str, &'static str)>| {
        let uri = t.authorize_uri(&extra);
        let cookie = cookie.clone();
        async move {
            t.send(
                Request::get(uri)
                    .header(header::COOKIE, cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let silent = again(vec![]).await;
    assert!(
        query_of(&silent.location()).contains_key("code"),
        "{}",
        silent.location()
    );
    let forced = again(vec![("prompt", "login")]).await;
    assert!(
        forced.location().starts_with("/login?tx="),
        "{}",
        forced.location()
    );
    // max_age: a session older than that must log in again.
    let fresh = again(vec![("max_age", "60")]).await;
    assert!(query_of(&fresh.location()).contains_key("code"));
    t.state.controls().advance_clock(120);
    let stale = again(vec![("max_age", "60")]).await;
    assert!(
        stale.location().starts_with("/login?tx="),
        "{}",
        stale.location()
    );
    // max_age=0 always logs in again, as OIDC says, even a session just made.
    let zero = again(vec![("max_age", "0")]).await;
    assert!(
        zero.location().starts_with("/login?tx="),
        "{}",
        zero.location()
    );
}

#[tokio::test]
async fn auth_time_is_the_logins_time_and_login_hint_fills_the_pages() {
    let t = tenant();
    let login_at = t.state.now();
    let code = t.code_for(ADA, &[("max_age", "86400")]).await;
    t.state.controls().advance_clock(30);
    let tokens = t.exchange(&code, VERIFIER).await.json();
    let id = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        id["auth_time"], login_at,
        "the login's time, not the token's"
    );
    assert!(id["iat"].as_i64().unwrap() >= login_at + 30);
    for (connection, field) in [
        ("Username-Password-Authentication", "id=\"email\""),
        ("email", "id=\"who\""),
    ] {
        let answer = t
            .get(&t.authorize_uri(&[
                ("connection", connection),
                ("login_hint", "grace@example.com"),
            ]))
            .await;
        let page = t.get(&answer.location()).await.text();
        assert!(
            page.contains(&format!("{field} name")) && page.contains("value=\"grace@example.com\""),
            "{page}"
        );
    }
    // The defects a test can ask for.
    for (defect, check) in [
        (dev_tenant::controls::Defect::NoAuthTime, None),
        (dev_tenant::controls::Defect::OldAuthTime, Some(-3600)),
    ] {
        let code = t.code_for(ADA, &[("prompt", "login")]).await;
        let now = t.state.now();
        t.state.controls().set_defect(defect);
        let tokens = t.exchange(&code, VERIFIER).await.json();
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        match check {
            None => assert!(id.get("auth_time").is_none()),
            Some(d) => assert_eq!(id["auth_time"].as_i64().unwrap(), now + d),
        }
    }
}

#[tokio::test]
async fn auth_time_is_in_the_id_token_only_when_max_age_or_prompt_login_was_asked() {
    let t = tenant();
    for (extra, sent) in [
        (vec![], false),
        (vec![("prompt", "consent")], false),
        (vec![("max_age", "3600")], true),
        (vec![("max_age", "0")], true),
        (vec![("prompt", "login")], true),
        (vec![("prompt", "login"), ("max_age", "0")], true),
    ] {
        let code = t.code_for(ADA, &extra).await;
        let tokens = t.exchange(&code, VERIFIER).await.json();
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!(id.get("auth_time").is_some(), sent, "{extra:?}");
    }
    // A tenant session that answers at once follows the same rule.
    let (_, cookie) = social_login(&t, "google-oauth2", ADA).await;
    for (extra, sent) in [(vec![], false), (vec![("max_age", "3600")], true)] {
        let answer = t
            .send(
                Request::get(t.authorize_uri(&extra))
                    .header(header::COOKIE, cookie.clone())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let code = query_of(&answer.location())["code"].clone();
        let tokens = t.exchange(&code, VERIFIER).await.json();
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!(id.get("auth_time").is_some(), sent, "session, {extra:?}");
    }
}

#[tokio::test]
async fn the_password_form_signs_in_only_with_the_right_password() {
    let t = tenant();
    let answer = t
        .get(&t.authorize_uri(&[("connection", "Username-Password-Authentication")]))
        .await;
    let tx = query_of(&answer.location())["tx"].clone();
    let wrong = t
        .form(
            "/login/password",
            &[
                ("tx", &tx),
                ("email", "grace@example.com"),
                ("password", "nope"),
            ],
        )
        .await;
    assert!(wrong.text().contains("Wrong email or password."));
    let right = t
        .form(
            "/login/password",
            &[
                ("tx", &tx),
                ("email", "grace@example.com"),
                ("password", "correct horse battery staple"),
            ],
        )
        .await;
    assert!(query_of(&right.location()).contains_key("code"));
}

#[tokio::test]
async fn a_passwordless_login_needs_the_code_it_sent() {
    let t = tenant();
    let answer = t.get(&t.authorize_uri(&[("connection", "sms")])).await;
    let tx = query_of(&answer.location())["tx"].clone();
    let sent = t
        .form(
            "/login/passwordless/start",
            &[("tx", &tx), ("connection", "sms"), ("who", "+15555550100")],
        )
        .await;
    assert!(sent.text().contains("Enter your code"), "{}", sent.text());
    let code = t.state.controls().last_code().unwrap();
    let wrong = t
        .form(
            "/login/passwordless/verify",
            &[("tx", &tx), ("connection", "sms"), ("code", "000000x")],
        )
        .await;
    assert!(wrong.text().contains("That code is not right"));
    let right = t
        .form(
            "/login/passwordless/verify",
            &[("tx", &tx), ("connection", "sms"), ("code", &code)],
        )
        .await;
    let q = query_of(&right.location());
    let tokens = t.exchange(&q["code"], VERIFIER).await.json();
    let id = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["sub"], "sms|65a1b2c3d4e5f6071829aa01");
    assert_eq!(id["phone_number"], "+15555550100");
    assert_eq!(id["phone_number_verified"], true);
    // Without the `phone` scope, `profile` alone releases no phone claims.
    let answer = t
        .get(&t.authorize_uri(&[("connection", "sms"), ("scope", "openid profile email")]))
        .await;
    let tx = query_of(&answer.location())["tx"].clone();
    let done = code_login(&t, &tx, "sms", "+15555550100", "sms").await;
    let tokens = t
        .exchange(&query_of(&done.location())["code"], VERIFIER)
        .await
        .json();
    let id = claims_of(tokens["id_token"].as_str().unwrap());
    assert!(id.get("phone_number").is_none(), "{id}");
    assert!(id.get("phone_number_verified").is_none(), "{id}");
}

/// A `/authorize` transaction for `connection`; its `tx`.
async fn login_tx(t: &Tenant, connection: &str) -> String {
    let answer = t.get(&t.authorize_uri(&[("connection", connection)])).await;
    query_of(&answer.location())["tx"].clone()
}

/// Signs in on `connection`'s social page as `identity`: the redirect back
/// to the app, and the tenant's session cookie it set.
async fn social_login(t: &Tenant, connection: &str, identity: &str) -> (Answer, String) {
    let tx = login_tx(t, connection).await;
    let done = t
        .form(
            "/login/social",
            &[
                ("tx", &tx),
                ("connection", connection),
                ("identity", identity),
            ],
        )
        .await;
    let cookie = done.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (done, cookie)
}

/// A one-time-code login in transaction `tx`: the code asked for `who` on
/// `connection`, then given back on the form of `verify_on`. The answer.
async fn code_login(t: &Tenant, tx: &str, connection: &str, who: &str, verify_on: &str) -> Answer {
    t.form(
        "/login/passwordless/start",
        &[("tx", tx), ("connection", connection), ("who", who)],
    )
    .await;
    let code = t.state.controls().last_code().unwrap();
    t.form(
        "/login/passwordless/verify",
        &[("tx", tx), ("connection", verify_on), ("code", &code)],
    )
    .await
}

/// The `sub` of the ID token a login's redirect leads to.
async fn sub_of(t: &Tenant, done: &Answer) -> String {
    let q = query_of(&done.location());
    let tokens = t.exchange(&q["code"], VERIFIER).await.json();
    claims_of(tokens["id_token"].as_str().unwrap())["sub"]
        .as_str()
        .unwrap()
        .to_owned()
}

const GRACE: &str = "auth0|65a1b2c3d4e5f60718293a4b";

#[tokio::test]
async fn every_login_page_signs_in_only_with_the_connection_asked_for() {
    let t = tenant();
    // Asked for GitHub; the password form is posted instead.
    let tx = login_tx(&t, "github").await;
    let password = t
        .form(
            "/login/password",
            &[
                ("tx", &tx),
                ("email", "grace@example.com"),
                ("password", "correct horse battery staple"),
            ],
        )
        .await;
    assert!(!password.status.is_redirection(), "{}", password.status);
    assert!(
        password
            .text()
            .contains("That account cannot sign in here.")
    );
    // Asked for email codes; an SMS code is asked for instead.
    let tx = login_tx(&t, "email").await;
    let sms = t
        .form(
            "/login/passwordless/start",
            &[("tx", &tx), ("connection", "sms"), ("who", "+15555550100")],
        )
        .await;
    assert!(sms.text().contains("That account cannot sign in here."));
    assert_eq!(t.state.controls().last_code(), None, "no code was sent");
    // No connection asked for: the social form cannot sign in a database user.
    let answer = t.get(&t.authorize_uri(&[])).await;
    let tx = query_of(&answer.location())["tx"].clone();
    let social = t
        .form(
            "/login/social",
            &[
                ("tx", &tx),
                ("connection", "Username-Password-Authentication"),
                ("identity", GRACE),
            ],
        )
        .await;
    assert!(!social.status.is_redirection());
    // A code sent for one connection signs in with that one, whatever the form says.
    let tx = login_tx(&t, "sms").await;
    let done = code_login(&t, &tx, "sms", "+15555550100", "email").await;
    assert_eq!(sub_of(&t, &done).await, "sms|65a1b2c3d4e5f6071829aa01");
}

#[tokio::test]
async fn a_linked_identity_signs_in_as_its_main_account_with_every_kind_of_login() {
    let t = tenant();
    let admin = t.admin_token();
    // Social: Bob's GitHub is linked to Bob.
    let tx = login_tx(&t, "github").await;
    let done = t
        .form(
            "/login/social",
            &[
                ("tx", &tx),
                ("connection", "github"),
                ("identity", "github|4242003"),
            ],
        )
        .await;
    assert_eq!(sub_of(&t, &done).await, "auth0|65a1b2c3d4e5f60718293b0b");
    // Passwordless: Grace's email account, linked into her password account.
    let linked = t
        .api(
            Method::POST,
            &format!("/api/v2/users/{}/identities", GRACE.replace('|', "%7C")),
            Some(&admin),
            Some(json!({"provider": "email", "user_id": "65a1b2c3d4e5f6071829bb01"})),
        )
        .await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text());
    let tx = login_tx(&t, "email").await;
    let done = code_login(&t, &tx, "email", "grace@example.com", "email").await;
    assert_eq!(sub_of(&t, &done).await, GRACE);
    // Database: Grace's password account, linked into Ada's.
    let linked = t
        .api(
            Method::POST,
            &format!("/api/v2/users/{}/identities", ADA.replace('|', "%7C")),
            Some(&admin),
            Some(json!({"provider": "auth0", "user_id": "65a1b2c3d4e5f60718293a4b"})),
        )
        .await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text());
    let tx = login_tx(&t, "Username-Password-Authentication").await;
    let done = t
        .form(
            "/login/password",
            &[
                ("tx", &tx),
                ("email", "grace@example.com"),
                ("password", "correct horse battery staple"),
            ],
        )
        .await;
    assert_eq!(sub_of(&t, &done).await, ADA);
}

#[tokio::test]
async fn a_tenant_session_of_a_user_linked_away_is_ended_not_an_error() {
    let t = tenant();
    let (_, cookie) = social_login(&t, "github", ADA_GITHUB).await;
    let linked = t
        .api(
            Method::POST,
            &format!("/api/v2/users/{}/identities", ADA.replace('|', "%7C")),
            Some(&t.admin_token()),
            Some(json!({"provider": "github", "user_id": "4242001"})),
        )
        .await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text());
    let silent = |cookie: String| {
        let uri = t.authorize_uri(&[("prompt", "none")]);
        t.send(
            Request::get(uri)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
    };
    let answer = silent(cookie.clone()).await;
    let q = query_of(&answer.location());
    assert_eq!(
        q.get("error").map(String::as_str),
        Some("login_required"),
        "{}",
        answer.location()
    );
    assert!(!q.contains_key("code"));
}

// ---------------------------------------------------------------- token

#[tokio::test]
async fn the_code_exchange_gives_a_verified_id_token_and_a_management_token() {
    let t = tenant();
    let code = t.code_for(ADA, &[]).await;
    assert!(code.len() >= 22, "at least 128 bits");
    let answer = t.exchange(&code, VERIFIER).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    let tokens = answer.json();
    let id = t
        .state
        .keys()
        .verify(tokens["id_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(id["iss"], "http://127.0.0.1:4000/");
    assert_eq!(id["aud"], CLIENT);
    assert_eq!(id["sub"], ADA);
    assert_eq!(id["nonce"], "n-1");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Ada Lovelace");
    assert!(
        id.get("auth_time").is_none(),
        "neither max_age nor prompt=login was asked: Auth0 sends no auth_time"
    );
    let access = claims_of(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["azp"], CLIENT);
    assert_eq!(access["aud"][0], t.state.management_audience());
    assert_eq!(access["scope"], SCOPE);
    let me = t
        .api(
            Method::GET,
            &format!("/api/v2/users/{ADA}"),
            tokens["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["identities"][0]["provider"], "google-oauth2");
}

#[tokio::test]
async fn a_code_is_good_once_for_the_right_verifier_and_a_minute() {
    let t = tenant();
    let code = t.code_for(ADA, &[]).await;
    let wrong = t.exchange(&code, "x".repeat(43).as_str()).await;
    assert_eq!(
        wrong.status,
        StatusCode::BAD_REQUEST,
        "RFC 6749 and Auth0 answer 400"
    );
    assert_eq!(
        wrong.json(),
        json!({"error": "invalid_grant", "error_description": "Failed to verify code verifier"})
    );
    // The failed attempt spent the code, as a single-use code must.
    let again = t.exchange(&code, VERIFIER).await;
    assert_eq!(again.json()["error"], "invalid_grant");

    let code = t.code_for(ADA, &[]).await;
    assert_eq!(t.exchange(&code, VERIFIER).await.status, StatusCode::OK);
    assert_eq!(
        t.exchange(&code, VERIFIER).await.json()["error_description"],
        "Invalid authorization code"
    );

    let code = t.code_for(ADA, &[]).await;
    t.state.controls().advance_clock(61);
    assert_eq!(
        t.exchange(&code, VERIFIER).await.json()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn a_failing_store_on_the_token_endpoint_is_a_500_server_error_not_a_client_error() {
    let dir = std::env::temp_dir().join(format!("dev-tenant-token-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("tenant.sqlite");
    let options = dev_tenant::Options {
        db: Some(db.clone()),
        key: Some(dev_tenant::keys::SigningKey::for_tests()),
        ..Default::default()
    };
    let state = AppState::open("127.0.0.1:4000".parse().unwrap(), options).unwrap();
    let t = Tenant {
        app: dev_tenant::app(state.clone()),
        state,
    };
    let code = t.code_for(ADA, &[]).await;
    // The store breaks under the tenant: its codes table is gone.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("DROP TABLE codes")
        .unwrap();
    let answer = t.exchange(&code, VERIFIER).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        answer.json(),
        json!({"error": "server_error", "error_description": "Internal error"})
    );
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    drop(t);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_token_endpoint_takes_json_too_and_names_missing_parameters() {
    let t = tenant();
    let code = t.code_for(ADA, &[]).await;
    let body = json!({
        "grant_type": "authorization_code", "client_id": CLIENT, "code": code,
        "code_verifier": VERIFIER, "redirect_uri": CALLBACK,
    });
    let answer = t.api(Method::POST, "/oauth/token", None, Some(body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let missing = t
        .form(
            "/oauth/token",
            &[("grant_type", "authorization_code"), ("client_id", CLIENT)],
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.json(),
        json!({"error": "invalid_request", "error_description": "Missing required parameter: code"})
    );
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_family() {
    let t = tenant();
    let code = t
        .code_for(ADA, &[("scope", "openid offline_access read:current_user")])
        .await;
    let first = t.exchange(&code, VERIFIER).await.json();
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    let t = &t;
    let refresh = |token: String| async move {
        t.form(
            "/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT),
                ("refresh_token", &token),
            ],
        )
        .await
    };
    let second = refresh(r1.clone()).await.json();
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2, "rotated");
    assert_eq!(
        refresh(r1).await.json()["error"],
        "invalid_grant",
        "reuse is refused"
    );
    assert_eq!(
        refresh(r2).await.json()["error"],
        "invalid_grant",
        "and revokes the family"
    );
}

#[tokio::test]
async fn a_refresh_may_ask_for_a_reduced_scope_never_more() {
    let t = tenant();
    let code = t
        .code_for(ADA, &[("scope", &format!("{SCOPE} offline_access"))])
        .await;
    let first = t.exchange(&code, VERIFIER).await.json();
    let t = &t;
    let refresh = |token: String, scope: Option<&'static str>| async move {
        let mut pairs = vec![
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", token.as_str()),
        ];
        if let Some(s) = scope {
            pairs.push(("scope", s));
        }
        t.form("/oauth/token", &pairs).await
    };
    // Read-only: the access token can read the account, and change nothing.
    let read_only = refresh(
        first["refresh_token"].as_str().unwrap().to_owned(),
        Some("openid profile email read:current_user"),
    )
    .await;
    assert_eq!(read_only.status, StatusCode::OK, "{}", read_only.text());
    let read_only = read_only.json();
    assert_eq!(read_only["scope"], "openid profile email read:current_user");
    let token = read_only["access_token"].as_str().unwrap();
    let path = format!("/api/v2/users/{}", ADA.replace('|', "%7C"));
    let read = t.api(Method::GET, &path, Some(token), None).await;
    assert_eq!(read.status, StatusCode::OK);
    for (method, uri, body) in [
        (
            Method::PATCH,
            path.clone(),
            Some(json!({"user_metadata": {"x": 1}})),
        ),
        (
            Method::POST,
            format!("{path}/identities"),
            Some(json!({"link_with": "a.b.c"})),
        ),
        (
            Method::DELETE,
            format!("{path}/identities/github/4242001"),
            None,
        ),
    ] {
        let answer = t.api(method.clone(), &uri, Some(token), body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert_eq!(answer.json()["errorCode"], "insufficient_scope");
    }
    // The rotated refresh token still stands for the first grant: a later
    // refresh may ask for it again, and never for more.
    let rotated = read_only["refresh_token"].as_str().unwrap().to_owned();
    let more = refresh(rotated.clone(), Some("openid read:users")).await;
    assert_eq!(more.status, StatusCode::BAD_REQUEST, "{}", more.text());
    assert_eq!(more.json()["error"], "invalid_scope");
}

#[tokio::test]
async fn a_revoked_refresh_token_is_refused_and_revocation_is_auth0s() {
    let t = tenant();
    let code = t
        .code_for(ADA, &[("scope", "openid offline_access read:current_user")])
        .await;
    let tokens = t.exchange(&code, VERIFIER).await.json();
    let token = tokens["refresh_token"].as_str().unwrap();
    let revoke = |client: &'static str, token: String| {
        let t = &t;
        async move {
            t.form("/oauth/revoke", &[("client_id", client), ("token", &token)])
                .await
        }
    };
    let unknown_client = revoke("nobody", token.to_owned()).await;
    assert_eq!(unknown_client.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_client.json()["error"], "invalid_client");
    let missing = t.form("/oauth/revoke", &[("client_id", CLIENT)]).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.json()["error"], "invalid_request");
    let revoked = revoke(CLIENT, token.to_owned()).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    // Already revoked, or never issued: 200 as well.
    assert_eq!(
        revoke(CLIENT, token.to_owned()).await.status,
        StatusCode::OK
    );
    assert_eq!(
        revoke(CLIENT, "never-issued".into()).await.status,
        StatusCode::OK
    );
    let refreshed = t
        .form(
            "/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT),
                ("refresh_token", token),
            ],
        )
        .await;
    assert_eq!(
        refreshed.json()["error"],
        "invalid_grant",
        "{}",
        refreshed.text()
    );
}

// ---------------------------------------------------------------- management: bad tokens

#[tokio::test]
async fn every_management_route_answers_bad_tokens_as_auth0_does() {
    let t = tenant();
    let now = t.state.now();
    let other_key = dev_tenant::keys::SigningKey::from_private(
        rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap(),
    );
    let good = t.token(json!({}));
    let mut bad_signature = good.clone();
    bad_signature.push('A');
    let foreign = other_key.sign(&claims_of(&good));
    let expired = t.token(json!({"exp": now - 10}));
    let wrong_aud = t.token(json!({"aud": "https://elsewhere.example/api"}));
    let no_scope = t.token(json!({"scope": "openid"}));
    let routes = [
        (
            Method::GET,
            format!("/api/v2/users/{ADA}"),
            None,
            "read:users,read:current_user,read:user_idp_tokens",
        ),
        (
            Method::PATCH,
            format!("/api/v2/users/{ADA}"),
            Some(json!({"user_metadata": {"a": 1}})),
            "update:users,update:users_app_metadata,update:current_user_metadata",
        ),
        (
            Method::POST,
            format!("/api/v2/users/{ADA}/identities"),
            Some(json!({"link_with": "x"})),
            "update:users,update:current_user_identities",
        ),
        (
            Method::DELETE,
            format!("/api/v2/users/{ADA}/identities/github/4242001"),
            None,
            "update:users,update:current_user_identities",
        ),
    ];
    for (method, path, body, scopes) in routes {
        let cases: [(Option<&str>, u16, Value); 6] = [
            (None, 401, auth0_error(401, "Missing authentication")),
            (
                Some(&expired),
                401,
                auth0_error(401, "Expired token received for JSON Web Token validation"),
            ),
            (Some(&bad_signature), 401, auth0_error(401, "Invalid token")),
            (Some(&foreign), 401, auth0_error(401, "Invalid token")),
            (
                Some(&wrong_aud),
                401,
                auth0_error(401, "Bad audience: https://elsewhere.example/api"),
            ),
            (Some(&no_scope), 403, {
                let mut e = auth0_error(
                    403,
                    &format!("Insufficient scope; expected any of: {scopes}."),
                );
                e["errorCode"] = json!("insufficient_scope");
                e
            }),
        ];
        for (token, status, expected) in cases {
            let answer = t.api(method.clone(), &path, token, body.clone()).await;
            assert_eq!(answer.status.as_u16(), status, "{method} {path} {token:?}");
            assert_eq!(answer.json(), expected, "{method} {path}");
        }
        // Another user's id, with a current_user token.
        let other = path.replace(ADA, "auth0|65a1b2c3d4e5f60718293a4b");
        let answer = t
            .api(method.clone(), &other, Some(&good), body.clone())
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {other}");
        assert_eq!(
            answer.json(),
            auth0_error(
                403,
                "User to be acted on does not match subject in bearer token."
            )
        );
    }
}

// ---------------------------------------------------------------- management: users

#[tokio::test]
async fn patch_merges_user_metadata_at_the_first_level() {
    let t = tenant();
    let token = t.token(json!({}));
    let answer = t
        .api(
            Method::PATCH,
            &format!("/api/v2/users/{ADA}"),
            Some(&token),
            Some(json!({"user_metadata": {"theme": null, "font": "large"}})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(
        answer.json()["user_metadata"],
        json!({"language": "en", "font": "large"})
    );
    assert_eq!(answer.json()["user_id"], ADA, "the full user comes back");
    assert!(answer.json()["identities"].is_array());
    // A nested value is replaced whole, not merged inside.
    for (patch, after) in [
        (json!({"prefs": {"a": 1, "b": 2}}), json!({"a": 1, "b": 2})),
        (json!({"prefs": {"c": 3}}), json!({"c": 3})),
    ] {
        let answer = t
            .api(
                Method::PATCH,
                &format!("/api/v2/users/{ADA}"),
                Some(&token),
                Some(json!({ "user_metadata": patch })),
            )
            .await;
        assert_eq!(answer.json()["user_metadata"]["prefs"], after);
    }
    let bad = t
        .api(
            Method::PATCH,
            &format!("/api/v2/users/{ADA}"),
            Some(&token),
            Some(json!({"email": "x@y"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["errorCode"], "invalid_body");
}

#[tokio::test]
async fn an_unknown_user_is_a_404_in_auth0s_shape() {
    let t = tenant();
    let gone = "google-oauth2|999";
    let token = t.token(json!({"sub": gone}));
    let answer = t
        .api(
            Method::GET,
            &format!("/api/v2/users/{gone}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let mut expected = auth0_error(404, "The user does not exist.");
    expected["errorCode"] = json!("inexistent_user");
    assert_eq!(answer.json(), expected);
}

// ---------------------------------------------------------------- management: link and unlink

async fn link(t: &Tenant, primary_token: &str, secondary_identity: &str) -> Answer {
    let secondary = t.tokens_for(secondary_identity).await;
    t.api(
        Method::POST,
        &format!("/api/v2/users/{ADA}/identities"),
        Some(primary_token),
        Some(json!({"link_with": secondary["id_token"]})),
    )
    .await
}

#[tokio::test]
async fn link_with_moves_the_secondary_into_the_primary_and_unlink_gives_it_back() {
    let t = tenant();
    let ada = t.tokens_for(ADA).await;
    let token = ada["access_token"].as_str().unwrap();
    let answer = link(&t, token, ADA_GITHUB).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let identities = answer.json();
    assert_eq!(identities[0]["user_id"], "104857600000000000001");
    assert_eq!(identities[1]["provider"], "github");
    assert_eq!(
        identities[1]["user_id"], 4242001,
        "GitHub ids are numbers, as Auth0 sends them"
    );
    assert_eq!(identities[1]["profileData"]["name"], "Ada L.");
    assert!(identities[0].get("profileData").is_none());
    assert!(
        t.state.store().user(ADA_GITHUB).unwrap().is_none(),
        "the secondary left the user list"
    );
    // Signing in with the linked identity now signs in the primary.
    let again = t.tokens_for(ADA_GITHUB).await;
    assert_eq!(claims_of(again["id_token"].as_str().unwrap())["sub"], ADA);

    // Unlink, with the "|" sent as %7C.
    let path = format!(
        "/api/v2/users/{}/identities/github/4242001",
        ADA.replace('|', "%7C")
    );
    let answer = t.api(Method::DELETE, &path, Some(token), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json().as_array().unwrap().len(), 1);
    let back = t
        .state
        .store()
        .user(ADA_GITHUB)
        .unwrap()
        .expect("a user of its own again");
    assert!(back.user_metadata.is_empty(), "its metadata was discarded");
    assert_eq!(back.claim("name"), Some("Ada L."));
}

#[tokio::test]
async fn the_main_identity_cannot_be_unlinked_nor_linked_to_itself() {
    let t = tenant();
    let ada = t.tokens_for(ADA).await;
    let token = ada["access_token"].as_str().unwrap();
    let path = format!("/api/v2/users/{ADA}/identities/google-oauth2/104857600000000000001");
    let answer = t.api(Method::DELETE, &path, Some(token), None).await;
    assert_eq!(
        answer.json(),
        auth0_error(400, "Main identity cannot be removed.")
    );
    let answer = t
        .api(
            Method::POST,
            &format!("/api/v2/users/{ADA}/identities"),
            Some(token),
            Some(json!({"link_with": ada["id_token"]})),
        )
        .await;
    assert_eq!(
        answer.json(),
        auth0_error(400, "Main identity and the new one are the same.")
    );
}

#[tokio::test]
async fn an_identity_linked_elsewhere_is_a_409() {
    let t = tenant();
    let ada = t.tokens_for(ADA).await;
    let token = ada["access_token"].as_str().unwrap().to_owned();
    // A token for github|4242003 from before Bob linked it…
    let stale = t.token(json!({
        "sub": "github|4242003", "aud": CLIENT, "scope": null, "azp": null,
    }));
    let answer = t
        .api(
            Method::POST,
            &format!("/api/v2/users/{ADA}/identities"),
            Some(&token),
            Some(json!({"link_with": stale})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.text());
    assert_eq!(
        answer.json(),
        auth0_error(409, "Specified identity already exists.")
    );
}

#[tokio::test]
async fn link_with_must_be_a_live_token_of_this_tenant_for_the_same_client() {
    let t = tenant();
    let token = t.token(json!({}));
    let now = t.state.now();
    let cases = [
        t.token(json!({"sub": ADA_GITHUB, "aud": "another-client"})),
        t.token(json!({"sub": ADA_GITHUB, "aud": CLIENT, "exp": now - 1})),
        t.token(json!({"sub": ADA_GITHUB, "aud": CLIENT, "iss": "http://other.example/"})),
        "not.a.jwt".to_owned(),
    ];
    for link_with in cases {
        let answer = t
            .api(
                Method::POST,
                &format!("/api/v2/users/{ADA}/identities"),
                Some(&token),
                Some(json!({"link_with": link_with})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    }
    assert!(
        t.state.store().user(ADA_GITHUB).unwrap().is_some(),
        "nothing was linked"
    );
    let both = t
        .api(
            Method::POST,
            &format!("/api/v2/users/{ADA}/identities"),
            Some(&token),
            Some(json!({"link_with": "x", "provider": "github", "user_id": "4242001"})),
        )
        .await;
    assert_eq!(both.json()["errorCode"], "invalid_body");
}

#[tokio::test]
async fn an_admin_token_links_by_provider_and_numeric_user_id() {
    let t = tenant();
    let admin = t.token(json!({"sub": "admin@clients", "scope": "update:users read:users"}));
    let answer = t
        .api(
            Method::POST,
            &format!("/api/v2/users/{ADA}/identities"),
            Some(&admin),
            Some(json!({"provider": "github", "user_id": 4242001})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    // Ids with several "|" survive the round trip.
    let pipe = "oauth2|discord|80351110224678912";
    let answer = t
        .api(
            Method::POST,
            &format!("/api/v2/users/{ADA}/identities"),
            Some(&admin),
            Some(json!({"provider": "oauth2", "user_id": "discord|80351110224678912"})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(answer.json()[2]["user_id"], "discord|80351110224678912");
    let path = format!("/api/v2/users/{ADA}/identities/oauth2/discord%7C80351110224678912");
    let answer = t.api(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert!(t.state.store().user(pipe).unwrap().is_some());
}

// ---------------------------------------------------------------- CORS and controls

#[tokio::test]
async fn cors_allows_the_clients_web_origins_only() {
    let t = tenant();
    let preflight = |origin: &'static str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri(format!("/api/v2/users/{ADA}"))
            .header(header::ORIGIN, origin)
            .header("access-control-request-method", "GET")
            .header(
                "access-control-request-headers",
                "authorization,auth0-client",
            )
            .body(Body::empty())
            .unwrap()
    };
    let ok = t.send(preflight(ORIGIN)).await;
    assert_eq!(ok.headers["access-control-allow-origin"], ORIGIN);
    let allowed = ok.headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        allowed.contains("auth0-client") && allowed.contains("authorization"),
        "{allowed}"
    );
    let evil = t.send(preflight("http://evil.example")).await;
    assert!(evil.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn faults_and_the_request_log_are_there_for_tests() {
    let t = tenant();
    t.state.controls().add_fault(dev_tenant::controls::Fault {
        method: Some("GET".into()),
        path: "/api/v2/users/".into(),
        times: 1,
        action: dev_tenant::controls::FaultAction::Status {
            status: 503,
            body: json!({"statusCode": 503, "error": "Service Unavailable", "message": "down"}),
            headers: Default::default(),
        },
    });
    let token = t.token(json!({}));
    let first = t
        .api(
            Method::GET,
            &format!("/api/v2/users/{ADA}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(first.status, StatusCode::SERVICE_UNAVAILABLE);
    let second = t
        .api(
            Method::GET,
            &format!("/api/v2/users/{ADA}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(second.status, StatusCode::OK);
    let log = t.state.controls().log();
    assert_eq!(
        log.iter().map(|e| e.status).collect::<Vec<_>>(),
        vec![503, 200]
    );
    assert!(
        log.iter()
            .all(|e| e.method == "GET" && e.path.starts_with("/api/v2/users/"))
    );
}

#[tokio::test]
async fn userinfo_answers_the_profile_or_an_oauth_error() {
    let t = tenant();
    let tokens = t.tokens_for(ADA).await;
    let me = t
        .api(
            Method::GET,
            "/userinfo",
            tokens["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(me.json()["email"], "ada@example.com");
    let no = t.api(Method::GET, "/userinfo", Some("nope"), None).await;
    assert_eq!(no.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no.json()["error"], "invalid_token");
}

#[tokio::test]
async fn logout_clears_the_session_and_returns_only_to_allowed_urls() {
    let t = tenant();
    let bad = t
        .get("/v2/logout?client_id=link-accounts-dev&returnTo=http%3A%2F%2Fevil.example%2F")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(!bad.headers.contains_key(header::LOCATION));
    let ok = t
        .get("/v2/logout?client_id=link-accounts-dev&returnTo=http%3A%2F%2F127.0.0.1%3A8080%2F")
        .await;
    assert_eq!(ok.location(), CALLBACK);
    assert!(
        ok.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

#[tokio::test]
async fn current_user_calls_are_rate_limited_per_user_with_auth0s_headers() {
    let t = tenant_limited(2, 1);
    let token = t.token(json!({}));
    let path = format!("/api/v2/users/{ADA}");
    let first = t.api(Method::GET, &path, Some(&token), None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.headers["x-ratelimit-limit"], "2");
    assert_eq!(first.headers["x-ratelimit-remaining"], "1");
    assert_eq!(
        t.api(Method::GET, &path, Some(&token), None).await.status,
        StatusCode::OK
    );
    let third = t.api(Method::GET, &path, Some(&token), None).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    let mut expected = auth0_error(429, "Global limit has been reached");
    expected["errorCode"] = json!("too_many_requests");
    assert_eq!(third.json(), expected);
    let reset: i64 = third.headers["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > t.state.now(), "a time to come back");
    let admin = t.token(json!({"sub": "admin@clients", "scope": "read:users"}));
    assert_eq!(
        t.api(Method::GET, &path, Some(&admin), None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn with_test_controls_the_admin_routes_work_and_allow_no_cors() {
    let options = dev_tenant::Options {
        key: Some(dev_tenant::keys::SigningKey::for_tests()),
        test_controls: true,
        ..Default::default()
    };
    let state = AppState::open("127.0.0.1:4000".parse().unwrap(), options).unwrap();
    let t = Tenant {
        app: dev_tenant::app(state.clone()),
        state,
    };
    let fault = json!({"method": "GET", "path": "/userinfo", "times": 1,
        "action": {"kind": "status", "status": 418, "body": {"error": "teapot"}}});
    assert_eq!(
        t.api(Method::POST, "/__controls/faults", None, Some(fault))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get("/userinfo").await.status.as_u16(), 418);
    let defect = json!({"defect": "email_not_verified"});
    t.api(
        Method::POST,
        "/__controls/id-token-defect",
        None,
        Some(defect),
    )
    .await;
    let tokens = t.tokens_for(ADA).await;
    assert_eq!(
        claims_of(tokens["id_token"].as_str().unwrap())["email_verified"],
        false
    );
    let log = t.get("/__controls/log").await.json();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "/userinfo" && e["status"] == 418)
    );
    let preflight = t
        .send(
            Request::builder()
                .method(Method::OPTIONS)
                .uri("/__controls/log")
                .header(header::ORIGIN, ORIGIN)
                .header("access-control-request-method", "GET")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        preflight
            .headers
            .get("access-control-allow-origin")
            .is_none(),
        "never with CORS"
    );
}

#[tokio::test]
async fn the_controls_are_not_mounted_unless_asked_for() {
    let t = tenant();
    assert_eq!(t.get("/__controls/log").await.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- contract

#[path = "common/contract.rs"]
mod shape;

/// Every status and body of the Management API routes, checked against
/// Auth0's own description (cut down into `tests/contract/`).
mod contract {
    use super::*;

    use shape::{check, contract};
    /// The answer is one the description documents for `operation`, and
    /// its body has the documented shape.
    fn conforms(operation: &str, answer: &Answer) {
        let root = contract();
        let op = &root["operations"][operation];
        assert!(op.is_object(), "no operation {operation}");
        let status = answer.status.as_u16().to_string();
        let documented = &op["responses"][&status];
        assert!(
            documented.is_object(),
            "{operation} does not document {status}: {}",
            answer.text()
        );
        let schema = if answer.status.is_success() {
            &documented["schema"]
        } else {
            &root["errorBody"]
        };
        let mut problems = Vec::new();
        check(schema, &answer.json(), &root, "body", &mut problems);
        assert!(problems.is_empty(), "{operation} {status}: {problems:#?}");
    }

    #[test]
    fn the_checker_can_fail() {
        let root = contract();
        let mut problems = Vec::new();
        let identity = json!({"provider": "github", "user_id": true, "connection": "github"});
        check(
            &json!({"$ref": "#/components/schemas/UserIdentity"}),
            &identity,
            &root,
            "x",
            &mut problems,
        );
        assert!(!problems.is_empty(), "a boolean user_id is not a UserId");
        let mut problems = Vec::new();
        check(
            &root["errorBody"],
            &json!({"statusCode": 400, "message": "m"}),
            &root,
            "x",
            &mut problems,
        );
        assert!(!problems.is_empty(), "error is required");
    }

    #[tokio::test]
    async fn every_management_answer_is_one_auth0_documents() {
        let t = tenant_limited(60, 1);
        let ada = t.tokens_for(ADA).await;
        let token = ada["access_token"].as_str().unwrap().to_owned();
        let no_scope = t.token(json!({"scope": "openid"}));
        let admin = t.token(json!({"sub": "admin@clients", "scope": "read:users update:users"}));
        let user = format!("/api/v2/users/{ADA}");
        let identities = format!("{user}/identities");
        let other = "/api/v2/users/auth0|65a1b2c3d4e5f60718293a4b";
        let gone = "/api/v2/users/auth0|gone";
        let meta = json!({"user_metadata": {"x": 1}});

        let get = "GET /users/{id}";
        conforms(get, &t.api(Method::GET, &user, Some(&token), None).await);
        conforms(get, &t.api(Method::GET, &user, None, None).await);
        conforms(get, &t.api(Method::GET, &user, Some(&no_scope), None).await);
        conforms(get, &t.api(Method::GET, other, Some(&token), None).await);
        conforms(get, &t.api(Method::GET, gone, Some(&admin), None).await);

        let by_email = "GET /users-by-email";
        for (path, token) in [
            (
                "/api/v2/users-by-email?email=ada%40example.com",
                Some(&admin),
            ),
            (
                "/api/v2/users-by-email?email=nobody%40example.com",
                Some(&admin),
            ),
            ("/api/v2/users-by-email", Some(&admin)),
            (
                "/api/v2/users-by-email?email=ada%40example.com",
                Some(&token),
            ),
            ("/api/v2/users-by-email?email=ada%40example.com", None),
        ] {
            let answer = t
                .api(Method::GET, path, token.map(String::as_str), None)
                .await;
            conforms(by_email, &answer);
        }

        let enrollments = "GET /users/{id}/enrollments";
        for (path, token) in [
            (format!("{user}/enrollments"), Some(&token)),
            (format!("{other}/enrollments"), Some(&token)),
            (format!("{other}/enrollments"), Some(&admin)),
            (format!("{other}/enrollments"), Some(&no_scope)),
            (format!("{gone}/enrollments"), Some(&admin)),
            (format!("{user}/enrollments"), None),
        ] {
            let answer = t
                .api(Method::GET, &path, token.map(String::as_str), None)
                .await;
            conforms(enrollments, &answer);
        }

        let patch = "PATCH /users/{id}";
        conforms(
            patch,
            &t.api(Method::PATCH, &user, Some(&token), Some(meta.clone()))
                .await,
        );
        conforms(
            patch,
            &t.api(
                Method::PATCH,
                &user,
                Some(&token),
                Some(json!({"email": 1})),
            )
            .await,
        );
        conforms(
            patch,
            &t.api(Method::PATCH, &user, None, Some(meta.clone())).await,
        );
        conforms(
            patch,
            &t.api(Method::PATCH, other, Some(&token), Some(meta.clone()))
                .await,
        );
        conforms(
            patch,
            &t.api(Method::PATCH, gone, Some(&admin), Some(meta.clone()))
                .await,
        );

        let post = "POST /users/{id}/identities";
        let github = t.tokens_for(ADA_GITHUB).await;
        let linked = t
            .api(
                Method::POST,
                &identities,
                Some(&token),
                Some(json!({"link_with": github["id_token"]})),
            )
            .await;
        assert_eq!(linked.status, StatusCode::CREATED);
        conforms(post, &linked);
        conforms(
            post,
            &t.api(Method::POST, &identities, Some(&token), Some(json!({})))
                .await,
        );
        conforms(
            post,
            &t.api(
                Method::POST,
                &identities,
                None,
                Some(json!({"link_with": "x"})),
            )
            .await,
        );
        conforms(
            post,
            &t.api(
                Method::POST,
                &identities,
                Some(&no_scope),
                Some(json!({"link_with": "x"})),
            )
            .await,
        );
        let stale =
            t.token(json!({"sub": "github|4242003", "aud": CLIENT, "scope": null, "azp": null}));
        let conflict = t
            .api(
                Method::POST,
                &identities,
                Some(&token),
                Some(json!({"link_with": stale})),
            )
            .await;
        assert_eq!(conflict.status, StatusCode::CONFLICT);
        conforms(post, &conflict);
        let gone_link = format!("{gone}/identities");
        let body = json!({"provider": "github", "user_id": 4242002});
        conforms(
            post,
            &t.api(Method::POST, &gone_link, Some(&admin), Some(body))
                .await,
        );

        let delete = "DELETE /users/{id}/identities/{provider}/{user_id}";
        conforms(
            delete,
            &t.api(
                Method::DELETE,
                &format!("{identities}/github/4242001"),
                Some(&token),
                None,
            )
            .await,
        );
        conforms(
            delete,
            &t.api(
                Method::DELETE,
                &format!("{identities}/google-oauth2/104857600000000000001"),
                Some(&token),
                None,
            )
            .await,
        );
        conforms(
            delete,
            &t.api(
                Method::DELETE,
                &format!("{identities}/github/1"),
                None,
                None,
            )
            .await,
        );
        conforms(
            delete,
            &t.api(
                Method::DELETE,
                &format!("{identities}/github/1"),
                Some(&no_scope),
                None,
            )
            .await,
        );
        conforms(
            delete,
            &t.api(
                Method::DELETE,
                &format!("{gone}/identities/github/1"),
                Some(&admin),
                None,
            )
            .await,
        );

        // Spend the rest of Ada's bucket: every route answers 429 in shape.
        let mut limited = None;
        for _ in 0..60 {
            let a = t.api(Method::GET, &user, Some(&token), None).await;
            if a.status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(a);
                break;
            }
        }
        conforms(get, &limited.expect("the limit is reached"));
        conforms(
            patch,
            &t.api(Method::PATCH, &user, Some(&token), Some(meta)).await,
        );
        conforms(
            post,
            &t.api(
                Method::POST,
                &identities,
                Some(&token),
                Some(json!({"link_with": "x"})),
            )
            .await,
        );
        conforms(
            delete,
            &t.api(
                Method::DELETE,
                &format!("{identities}/github/1"),
                Some(&token),
                None,
            )
            .await,
        );
    }
}

#[tokio::test]
async fn the_test_controls_refuse_what_would_break_the_tenant() {
    let options = dev_tenant::Options {
        key: Some(dev_tenant::keys::SigningKey::for_tests()),
        test_controls: true,
        ..Default::default()
    };
    let state = AppState::open("127.0.0.1:4000".parse().unwrap(), options).unwrap();
    let t = Tenant {
        app: dev_tenant::app(state.clone()),
        state,
    };
    let token = t.token(json!({}));
    let user = format!("/api/v2/users/{ADA}");
    let none = json!({"path": "/api/v2/", "times": 0, "action": {"kind": "delay", "ms": 1}});
    let refused = t
        .api(Method::POST, "/__controls/faults", None, Some(none.clone()))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    t.state
        .controls()
        .add_fault(serde_json::from_value(none).unwrap());
    let after = t.api(Method::GET, &user, Some(&token), None).await;
    assert_eq!(
        after.status,
        StatusCode::OK,
        "a fault for no request is no fault"
    );
    let far = t
        .api(
            Method::POST,
            "/__controls/clock",
            None,
            Some(json!({"advance_seconds": i64::MAX})),
        )
        .await;
    assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY);
    // In-process, the clock saturates: the tenant keeps answering.
    for seconds in [i64::MAX, i64::MAX, i64::MIN, i64::MIN, i64::MIN] {
        t.state.controls().advance_clock(seconds);
        let answer = t.api(Method::GET, &user, Some(&token), None).await;
        // Ahead, the token has expired; behind, it is not expired yet.
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::OK].contains(&answer.status),
            "{}: {}",
            answer.status,
            answer.text()
        );
    }
}

#[tokio::test]
async fn waiting_logins_expire_after_ten_minutes_and_are_capped() {
    let t = tenant();
    let big_state = "s".repeat(4096);
    let first = t
        .get(&t.authorize_uri(&[("connection", "github"), ("state", &big_state)]))
        .await;
    let tx = query_of(&first.location())["tx"].clone();
    for _ in 0..1100 {
        t.get(&t.authorize_uri(&[("connection", "github"), ("state", &big_state)]))
            .await;
    }
    assert!(
        t.state.pending_logins() <= 1000,
        "{}",
        t.state.pending_logins()
    );
    let tx_fresh = query_of(
        &t.get(&t.authorize_uri(&[("connection", "github")]))
            .await
            .location(),
    )["tx"]
        .clone();
    t.state.controls().advance_clock(601);
    for id in [tx, tx_fresh] {
        let page = t.get(&format!("/login?tx={id}")).await;
        assert!(
            page.text().contains("This login has expired"),
            "{}",
            page.text()
        );
    }
    t.get(&t.authorize_uri(&[("connection", "github")])).await;
    assert_eq!(t.state.pending_logins(), 1, "the expired ones are gone");
}

#[tokio::test]
async fn repeated_parameters_are_refused() {
    let t = tenant();
    let uri = format!("{}&state=again", t.authorize_uri(&[]));
    let answer = t.get(&uri).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.text().contains("repeated"), "{}", answer.text());
    let code = t.code_for(ADA, &[]).await;
    let twice = t
        .form(
            "/oauth/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT),
                ("code", &code),
                ("code", "another"),
                ("code_verifier", VERIFIER),
                ("redirect_uri", CALLBACK),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    assert_eq!(twice.json()["error"], "invalid_request");
    // A JSON body with a key given twice: refused the same way (a JSON map
    // would silently keep the last).
    let code = t.code_for(ADA, &[]).await;
    let body = format!(
        r#"{{"grant_type":"authorization_code","client_id":"{CLIENT}","code":"{code}","code":"another","code_verifier":"{VERIFIER}","redirect_uri":"{CALLBACK}"}}"#
    );
    let json_twice = t
        .send(
            Request::post("/oauth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(
        json_twice.status,
        StatusCode::BAD_REQUEST,
        "{}",
        json_twice.text()
    );
    assert_eq!(json_twice.json()["error"], "invalid_request");
    assert_eq!(
        json_twice.json()["error_description"],
        "Parameters must be given once each"
    );
    // Once each, the same code still works: the refusal used nothing up.
    let once = t.exchange(&code, VERIFIER).await;
    assert_eq!(once.status, StatusCode::OK, "{}", once.text());
}

#[tokio::test]
async fn the_management_api_answers_every_error_in_auth0s_shape() {
    let t = tenant();
    let token = t.token(json!({}));
    let huge = json!({"user_metadata": {"blob": "x".repeat(3 * 1024 * 1024)}});
    let cases = [
        (
            Method::PATCH,
            format!("/api/v2/users/{ADA}"),
            Some(huge),
            413,
        ),
        (Method::GET, "/api/v2/users/%FF%FE".to_owned(), None, 400),
        (Method::PUT, format!("/api/v2/users/{ADA}"), None, 405),
        (Method::GET, "/api/v2/nothing-here".to_owned(), None, 404),
    ];
    for (method, uri, body, status) in cases {
        let answer = t.api(method.clone(), &uri, Some(&token), body).await;
        assert_eq!(
            answer.status.as_u16(),
            status,
            "{method} {uri}: {}",
            answer.text()
        );
        let v = answer.json();
        assert_eq!(v["statusCode"], status, "{v}");
        assert!(v["error"].is_string() && v["message"].is_string(), "{v}");
    }
}

#[tokio::test]
async fn oidc_logout_ends_the_session_and_returns_with_the_state() {
    let t = tenant();
    let (done, cookie) = social_login(&t, "google-oauth2", ADA).await;
    let tokens = t
        .exchange(&query_of(&done.location())["code"], VERIFIER)
        .await
        .json();
    let hint = tokens["id_token"].as_str().unwrap();
    let with_cookie = |uri: String| {
        t.send(
            Request::get(uri)
                .header(header::COOKIE, cookie.clone())
                .body(Body::empty())
                .unwrap(),
        )
    };
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("id_token_hint", hint)
        .append_pair("post_logout_redirect_uri", CALLBACK)
        .append_pair("state", "bye 1")
        .finish();
    let out = with_cookie(format!("/oidc/logout?{q}")).await;
    assert_eq!(out.status, StatusCode::FOUND, "{}", out.text());
    assert_eq!(out.location(), format!("{CALLBACK}?state=bye+1"));
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let silent = with_cookie(t.authorize_uri(&[("prompt", "none")])).await;
    assert_eq!(query_of(&silent.location())["error"], "login_required");
    // A return address not allowed, or a hint not of this tenant: refused.
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", CLIENT)
        .append_pair("post_logout_redirect_uri", "https://evil.example/")
        .finish();
    assert_eq!(
        t.get(&format!("/oidc/logout?{q}")).await.status,
        StatusCode::BAD_REQUEST
    );
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("id_token_hint", "e30.e30.e30")
        .append_pair("post_logout_redirect_uri", CALLBACK)
        .finish();
    assert_eq!(
        t.get(&format!("/oidc/logout?{q}")).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_hs256_defect_is_the_real_attack_keyed_with_the_public_key() {
    let t = tenant();
    let code = t.code_for(ADA, &[]).await;
    t.state
        .controls()
        .set_defect(dev_tenant::controls::Defect::Hs256);
    let tokens = t.exchange(&code, VERIFIER).await.json();
    let token = tokens["id_token"].as_str().unwrap();
    let (message, signature) = token.rsplit_once('.').unwrap();
    let public = t.state.keys().active().public_pem();
    let key = jsonwebtoken_rustcrypto::DecodingKey::from_hmac_secret(public.as_bytes());
    let verified = jsonwebtoken_rustcrypto::crypto::verify(
        signature,
        message,
        &key,
        jsonwebtoken_rustcrypto::Algorithm::HS256,
    );
    assert_eq!(
        verified.ok(),
        Some(true),
        "HMAC-keyed with what everyone has"
    );
}

#[tokio::test]
async fn scopes_are_granted_as_auth0_grants_them_and_a_refused_one_is_a_403() {
    // Every scope asked for that the client may have; the answer says which.
    let t = tenant();
    let tokens = t.tokens_for(ADA).await;
    assert_eq!(tokens["scope"], SCOPE);
    // A tenant that does not let the page change metadata.
    let t = tenant_refusing(&["update:current_user_metadata"]);
    let tokens = t.tokens_for(ADA).await;
    let granted = tokens["scope"].as_str().unwrap();
    assert!(
        !granted.contains("update:current_user_metadata"),
        "{granted}"
    );
    assert!(
        granted.contains("update:current_user_identities"),
        "{granted}"
    );
    let access = claims_of(tokens["access_token"].as_str().unwrap());
    assert_eq!(
        access["scope"], granted,
        "the token carries what was granted"
    );
    let token = tokens["access_token"].as_str().unwrap();
    let path = format!("/api/v2/users/{}", ADA.replace('|', "%7C"));
    let patched = t
        .api(
            Method::PATCH,
            &path,
            Some(token),
            Some(json!({"user_metadata": {"theme": "light"}})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::FORBIDDEN, "{}", patched.text());
    assert_eq!(patched.json()["errorCode"], "insufficient_scope");
    let read = t.api(Method::GET, &path, Some(token), None).await;
    assert_eq!(read.status, StatusCode::OK, "reading needs no update scope");
    // And one that does not let it link.
    let t = tenant_refusing(&["update:current_user_identities"]);
    let tokens = t.tokens_for(ADA).await;
    let linked = t
        .api(
            Method::POST,
            &format!("{path}/identities"),
            Some(tokens["access_token"].as_str().unwrap()),
            Some(json!({"link_with": "x.y.z"})),
        )
        .await;
    assert_eq!(linked.status, StatusCode::FORBIDDEN, "{}", linked.text());
    assert_eq!(linked.json()["errorCode"], "insufficient_scope");
}

#[tokio::test]
async fn enrollments_are_read_with_the_users_own_token_and_go_with_a_linked_user() {
    let t = tenant();
    const GRACE: &str = "auth0|65a1b2c3d4e5f60718293a4b";
    const GRACE_EMAIL: &str = "email|65a1b2c3d4e5f6071829bb01";
    let path = |id: &str| format!("/api/v2/users/{}/enrollments", id.replace('|', "%7C"));
    let grace = t.token(json!({"sub": GRACE, "scope": "read:current_user"}));
    let answer = t.api(Method::GET, &path(GRACE), Some(&grace), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let list = answer.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["type"], "authenticator");
    assert_eq!(list[0]["status"], "confirmed");
    // Another user's, with a `current_user` token: refused as Auth0 does.
    let other = t
        .api(Method::GET, &path(GRACE_EMAIL), Some(&grace), None)
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert_eq!(
        other.json()["message"],
        "User to be acted on does not match subject in bearer token."
    );
    let none = t.token(json!({"sub": GRACE, "scope": "update:current_user_metadata"}));
    let refused = t.api(Method::GET, &path(GRACE), Some(&none), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["errorCode"], "insufficient_scope");
    // An account with none: an empty list.
    let email = t.token(json!({"sub": GRACE_EMAIL, "scope": "read:current_user"}));
    let empty = t
        .api(Method::GET, &path(GRACE_EMAIL), Some(&email), None)
        .await;
    assert_eq!(empty.json(), json!([]));
    // Linked into the email-code account, the password user is gone, and
    // its enrollment with it.
    t.state
        .store()
        .link(GRACE_EMAIL, GRACE, "2026-12-06T00:00:00Z")
        .unwrap();
    assert!(t.state.store().enrollments(GRACE).unwrap().is_empty());
    let admin = t.admin_token();
    let gone = t.api(Method::GET, &path(GRACE), Some(&admin), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tenant_sessions_and_codes_expire_and_are_bounded() {
    let t = tenant();
    // A session older than its lifetime answers no more: the login page.
    let (_, cookie) = social_login(&t, "google-oauth2", ADA).await;
    let silent = |cookie: String| {
        t.send(
            Request::get(t.authorize_uri(&[]))
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
    };
    assert!(query_of(&silent(cookie.clone()).await.location()).contains_key("code"));
    t.state.controls().advance_clock(7 * 24 * 3600 + 1);
    let expired = silent(cookie).await;
    assert!(
        expired.location().starts_with("/login?tx="),
        "an expired session logs in again: {}",
        expired.location()
    );
    // Sessions are bounded: the oldest go.
    for _ in 0..1005 {
        social_login(&t, "google-oauth2", ADA).await;
    }
    assert!(
        t.state.tenant_sessions() <= 1000,
        "{}",
        t.state.tenant_sessions()
    );
    // So are codes nobody exchanges; an expired one goes when another comes.
    let store = t.state.store();
    let grant = |expires_at: i64| dev_tenant::store::CodeGrant {
        client_id: CLIENT.into(),
        redirect_uri: CALLBACK.into(),
        code_challenge: "c".into(),
        nonce: None,
        user_id: ADA.into(),
        scope: "openid".into(),
        audience: None,
        auth_time: 0,
        wants_auth_time: false,
        expires_at,
    };
    let now = t.state.now();
    store.insert_code("old", &grant(now - 1), now).unwrap();
    for i in 0..1005 {
        store
            .insert_code(&format!("c{i}"), &grant(now + 60), now)
            .unwrap();
    }
    assert_eq!(store.codes().unwrap(), 1000);
    assert!(
        store.take_code("old").unwrap().is_none(),
        "expired and gone"
    );
}

/// The post-login Action's client-credentials grant, as its code sends it.
async fn action_token(t: &Tenant, secret: &str) -> Answer {
    t.form(
        "/oauth/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", dev_tenant::suggest::ACTION_CLIENT_ID),
            ("client_secret", secret),
            ("audience", &t.state.management_audience()),
        ],
    )
    .await
}

#[tokio::test]
async fn the_actions_application_gets_a_read_users_token_only_with_suggestions_on() {
    let off = tenant();
    let refused = action_token(&off, dev_tenant::suggest::ACTION_CLIENT_SECRET).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.json(),
        json!({"error": "access_denied", "error_description": "Unauthorized"})
    );
    let t = tenant_suggesting();
    let wrong = action_token(&t, "guessed").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let answer = action_token(&t, dev_tenant::suggest::ACTION_CLIENT_SECRET).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let tokens = answer.json();
    assert_eq!(tokens["scope"], "read:users");
    assert!(tokens.get("refresh_token").is_none() && tokens.get("id_token").is_none());
    let claims = claims_of(tokens["access_token"].as_str().unwrap());
    assert_eq!(claims["sub"], "link-accounts-action@clients");
    assert_eq!(claims["aud"], t.state.management_audience());
    // It reads users by email, and nothing it was not granted.
    let token = tokens["access_token"].as_str();
    let found = t
        .api(
            Method::GET,
            "/api/v2/users-by-email?email=ada%40example.com",
            token,
            None,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text());
    let ids: Vec<String> = found
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, [ADA, ADA_GITHUB, "auth0|65a1b2c3d4e5f60718293c0c"]);
    let patch = t
        .api(
            Method::PATCH,
            &format!("/api/v2/users/{ADA}"),
            token,
            Some(json!({"user_metadata": {"x": 1}})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn users_by_email_is_exact_needs_read_users_and_an_email() {
    let t = tenant_suggesting();
    let admin = t.admin_token();
    let upper = t
        .api(
            Method::GET,
            "/api/v2/users-by-email?email=ADA%40example.com",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(upper.json(), json!([]), "case-sensitive, as Auth0's");
    let missing = t
        .api(Method::GET, "/api/v2/users-by-email", Some(&admin), None)
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let own = t.token(json!({}));
    let refused = t
        .api(
            Method::GET,
            "/api/v2/users-by-email?email=ada%40example.com",
            Some(&own),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut expected = auth0_error(403, "Insufficient scope; expected any of: read:users.");
    expected["errorCode"] = json!("insufficient_scope");
    assert_eq!(refused.json(), expected);
}

#[tokio::test]
async fn the_id_token_names_the_other_verified_accounts_connections_only_with_suggestions_on() {
    let claim = dev_tenant::suggest::CLAIM;
    let id_token_of = |tokens: &Value| claims_of(tokens["id_token"].as_str().unwrap());
    let off = tenant();
    assert!(id_token_of(&off.tokens_for(ADA).await).get(claim).is_none());
    let t = tenant_suggesting();
    // Ada: her GitHub account, not the password account whose email is
    // not verified.
    assert_eq!(
        id_token_of(&t.tokens_for(ADA).await)[claim],
        json!(["github"])
    );
    assert_eq!(
        id_token_of(&t.tokens_for(ADA_GITHUB).await)[claim],
        json!(["google-oauth2"])
    );
    // Once linked, nothing is left to suggest.
    t.state
        .store()
        .link(ADA, ADA_GITHUB, &t.state.now_text())
        .unwrap();
    assert!(id_token_of(&t.tokens_for(ADA).await).get(claim).is_none());
    // An account with no verified email is never given suggestions.
    assert!(
        id_token_of(&t.tokens_for("google-oauth2|104857600000000000002").await)
            .get(claim)
            .is_none()
    );
}
