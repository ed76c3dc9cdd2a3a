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
u = client.users.update(user, user_metadata={"sdk": "sdk"})
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

/// The same with Auth0's Node SDK. Its `ManagementClient` always builds
/// `https://{domain}/api/v2`; it is given, through its documented `fetch`
/// option, a fetch that speaks plain http to this loopback tenant.
const NODE: &str = r#"
const { ManagementClient } = require(process.env.AUTH0_NODE_PATH);
const [domain, token, user, linkWith] = process.argv.slice(1);
const client = new ManagementClient({
  domain,
  token,
  fetch: (url, init) => fetch(String(url).replace(/^https:/, "http:"), init),
});
(async () => {
  const out = {};
  let u = await client.users.get(user);
  out.get = [u.user_id, u.identities.length];
  u = await client.users.update(user, { user_metadata: { sdk: "sdk" } });
  out.update = u.user_metadata.sdk;
  const ids = await client.users.identities.link(user, { link_with: linkWith });
  out.link = ids.map((i) => [i.provider, String(i.user_id)]);
  const rest = await client.users.identities.delete(user, "github", "4242001");
  out.unlink = rest.length;
  try {
    await client.users.identities.delete(user, "google-oauth2", "104857600000000000001");
    out.main = "unlinked?!";
  } catch (e) {
    out.main = [e.statusCode, e.body && e.body.message];
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"#;

/// A tenant on a free port, Ada's own Management API token, and an ID token
/// of her GitHub account to link: `(address, token, link_with)`.
async fn tenant_and_tokens() -> (std::net::SocketAddr, String, String) {
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
    (addr, token, link_with)
}

/// What a Management SDK's script must print, as JSON.
fn expected_sdk_run() -> serde_json::Value {
    serde_json::json!({
        "get": [ADA_ID, 1],
        "update": "sdk",
        "link": [["google-oauth2", "104857600000000000001"], ["github", "4242001"]],
        "unlink": 1,
        "main": [400, "Main identity cannot be removed."],
    })
}

/// Runs `program` with `args` and one environment variable; its stdout as JSON.
async fn run_json(
    program: &str,
    args: &[&str],
    env: (&str, &std::ffi::OsStr),
) -> serde_json::Value {
    let output = tokio::process::Command::new(program)
        .args(args)
        .env(env.0, env.1)
        .output()
        .await
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[tokio::test]
async fn auth0_python_manages_users_and_identities() {
    let path =
        std::env::var_os("AUTH0_PYTHON_PATH").expect("AUTH0_PYTHON_PATH: run `cargo xtask test`");
    let (addr, token, link_with) = tenant_and_tokens().await;
    let base = format!("http://{addr}/api/v2");
    let args = ["-c", PYTHON, &base, &token, ADA_ID, &link_with];
    assert_eq!(
        run_json("python3", &args, ("PYTHONPATH", &path)).await,
        expected_sdk_run()
    );
}

#[tokio::test]
async fn auth0_node_manages_users_and_identities() {
    let path =
        std::env::var_os("AUTH0_NODE_PATH").expect("AUTH0_NODE_PATH: run `cargo xtask test`");
    let (addr, token, link_with) = tenant_and_tokens().await;
    let domain = addr.to_string();
    let args = ["-e", NODE, &domain, &token, ADA_ID, &link_with];
    assert_eq!(
        run_json("node", &args, ("AUTH0_NODE_PATH", &path)).await,
        expected_sdk_run()
    );
}
