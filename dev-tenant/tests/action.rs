//! The post-login Action (`actions/suggest-linking.js`) against this
//! tenant: Node's own test runner runs `actions/suggest-linking.test.js`,
//! with the `auth0` Node SDK the Action uses (`AUTH0_NODE_PATH`, which
//! `cargo xtask test` installs and sets), against a tenant started here with
//! suggested linking and the test controls on. Among its tests: for every
//! seeded user, the Action's claim equals the tenant's own.

use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_passes_its_node_tests_against_this_tenant() {
    let sdk = std::env::var_os("AUTH0_NODE_PATH")
        .expect("AUTH0_NODE_PATH: the auth0 Node SDK's folder (run `cargo xtask test`)");
    // `require('auth0')` resolves in the folder that holds the SDK's.
    let modules = Path::new(&sdk)
        .parent()
        .expect("the SDK's folder is in a node_modules folder")
        .to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = dev_tenant::Options {
        key: Some(dev_tenant::keys::SigningKey::for_tests()),
        suggest_linking: true,
        test_controls: true,
        ..Default::default()
    };
    let state = dev_tenant::AppState::open(addr, options).unwrap();
    tokio::spawn(dev_tenant::serve(listener, state, std::future::pending()));
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../actions/suggest-linking.test.js");
    // Node runs on a blocking thread; the tenant answers it on the others.
    let node = std::process::Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg(tests)
        .env("TENANT", addr.to_string())
        .env("NODE_PATH", modules)
        .output();
    let out = tokio::task::spawn_blocking(move || node)
        .await
        .unwrap()
        .expect("run node");
    let said = String::from_utf8_lossy(&out.stdout);
    println!("{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "node --test failed:\n{said}");
    assert!(said.contains("pass ") && said.contains("fail 0"), "{said}");
}
