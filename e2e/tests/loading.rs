//! Nothing jumps while the page loads: the profile and the list have their
//! space while the account is read, so the layout shifts no input caused
//! (what CLS sums) are none, from index.html's frame on, signed out, signing in, and on a reload, wide
//! and at 320 px; and the release build's files come precompressed.

use e2e::{ADA, ADA_ID, Engine, World};

#[tokio::test]
async fn nothing_moves_while_the_page_loads() {
    if Engine::chosen() != Engine::Chromium {
        // Listed in `cargo xtask test`'s summary (xtask/src/test.rs).
        return;
    }
    let w = World::start().await;
    for linked in ["github|4242001", "email|65a1b2c3d4e5f6071829cc01"] {
        w.tenant
            .store()
            .link(ADA_ID, linked, &w.tenant.now_text())
            .unwrap();
    }
    w.open_app().await;
    w.wait_for("#sign-in").await;
    assert_eq!(w.layout_shifts().await, Vec::<String>::new(), "signed out");
    assert!(
        !w.has("#frame").await,
        "the page took index.html's frame over"
    );

    w.sign_in(&ADA).await;
    w.wait_for("#link-heading").await;
    assert_eq!(w.layout_shifts().await, Vec::<String>::new(), "signed in");

    w.reload().await;
    w.wait_for("#link-heading").await;
    assert_eq!(w.layout_shifts().await, Vec::<String>::new(), "reloaded");

    w.browser.set_window_size(320, 800).await.unwrap();
    w.reload().await;
    w.wait_for("#link-heading").await;
    assert_eq!(w.layout_shifts().await, Vec::<String>::new(), "320 px");
    w.close().await;
}

/// The release build's files come as their precompressed copies (a `.gz`
/// or `.br` beside each, served as a deployment serves them), and the page
/// they make works.
#[tokio::test]
async fn the_files_come_compressed_and_the_page_starts() {
    let w = World::start().await;
    w.open_app().await;
    w.wait_for("#sign-in").await;
    let sizes = w
        .browser
        .execute(
            "return performance.getEntriesByType('resource') \
               .filter(e => /^\\/[^_].*\\.(wasm|js|css)$/.test(new URL(e.name).pathname)) \
               .map(e => [new URL(e.name).pathname, e.encodedBodySize, e.decodedBodySize]);",
            vec![],
        )
        .await
        .expect("resource timing");
    let sizes = sizes.as_array().expect("a list");
    for ext in [".wasm", ".js", ".css"] {
        let entry = sizes
            .iter()
            .find(|e| e[0].as_str().is_some_and(|p| p.ends_with(ext)))
            .unwrap_or_else(|| panic!("no {ext} loaded: {sizes:?}"));
        let (encoded, decoded) = (entry[1].as_f64().unwrap(), entry[2].as_f64().unwrap());
        assert!(
            encoded > 0.0 && encoded < decoded / 2.0,
            "{ext} came as {encoded} bytes for {decoded}: {entry:?}"
        );
    }
    w.close().await;
}
