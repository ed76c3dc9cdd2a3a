//! Auth0's own SPA SDK, unmodified, signs in against the dev tenant and its
//! token works on the Management API.

use e2e::{ADA, ADA_ID, World};

#[tokio::test]
async fn auth0_spa_js_signs_in_and_its_token_reads_the_user() {
    let bundle = std::env::var_os("AUTH0_SPA_JS").expect("AUTH0_SPA_JS: run `cargo xtask test`");
    assert!(
        std::path::Path::new(&bundle).is_file(),
        "no SDK bundle at {bundle:?}"
    );
    let w = World::start().await;
    let callback = format!("{}/sdk/", w.app_url);
    w.tenant
        .store()
        .add_callback("link-accounts-dev", &callback)
        .unwrap();
    w.browser.goto(&callback).await.unwrap();
    w.wait_for_text("#out", "ready").await;
    w.click("#login").await;
    w.tenant_login(&ADA).await;
    let out = w.wait_for_text("#out", "api:").await;
    assert_eq!(
        out,
        format!("user:{ADA_ID} email:ada@example.com api:200 identities:1")
    );
    w.close().await;
}

/// What auth0-python does against the tenant: get, update, link, unlink,
/// and the main identity's refusal; printed as JSON.
const PYTHON: &str = r#"
import json, sys
from auth0.management import Auth0
base, token, user, link_with = sys.argv[1:5]
client = Auth0(base_url=base, token=token)
out = {}
u = client.users.get(user)
out["get"] = [u.user_id, len(u.identities)]
u = client.users.update(user, user_metadata={"sdk": "python"})
out["update"] = u.user_metadata["sdk"]
ids = client.users.identities.link(user, link_with=link_with)
out["link"] = [[i.provider, str(i.user_id)] for i in ids]
rest = client.users.identities.delete(user, "github", "4242001")
out["unlink"] = len(rest)
try:
    client.users.identities.delete(user, "google-oauth2", "104857600000000000001")
    out["main"] = "unlinked?!"
except Exception as e:
    out["main"] = [getattr(e, "status_code", None), getattr(e, "body", {}).get("message")]
print(json.dumps(out))
"#;

#[tokio::test]
async fn auth0_python_manages_users_and_identities() {
    let path =
        std::env::var_os("AUTH0_PYTHON_PATH").expect("AUTH0_PYTHON_PATH: run `cargo xtask test`");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let tenant = dev_tenant::AppState::new(addr);
    tokio::spawn(dev_tenant::serve(
        listener,
        tenant.clone(),
        std::future::pending(),
    ));
    let issuer = tenant.issuer().to_owned();
    let now = tenant.now();
    let key = tenant.keys().active().clone();
    let token = key.sign(&serde_json::json!({
        "iss": issuer, "sub": ADA_ID, "aud": [tenant.management_audience(), tenant.url("userinfo")],
        "azp": "link-accounts-dev", "iat": now, "exp": now + 600,
        "scope": "openid read:current_user update:current_user_identities update:current_user_metadata",
    }));
    let link_with = key.sign(&serde_json::json!({
        "iss": issuer, "sub": "github|4242001", "aud": "link-accounts-dev", "iat": now,
        "exp": now + 600, "email": "ada@example.com", "email_verified": true,
    }));
    let base = format!("http://{addr}/api/v2");
    let output = tokio::process::Command::new("python3")
        .args(["-c", PYTHON, &base, &token, ADA_ID, &link_with])
        .env("PYTHONPATH", &path)
        .output()
        .await
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        out,
        serde_json::json!({
            "get": [ADA_ID, 1],
            "update": "python",
            "link": [["google-oauth2", "104857600000000000001"], ["github", "4242001"]],
            "unlink": 1,
            "main": [400, "Main identity cannot be removed."],
        })
    );
}
