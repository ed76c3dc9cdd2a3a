//! The page's own defences, in Chromium: its Content-Security-Policy, its
//! referrer policy, and the headers that keep it out of other sites' frames.

use e2e::{ADA, Login, World, poll_until};

const ADA_GITHUB: Login = Login::Social {
    connection: "github",
    email: "ada@example.com",
};

#[tokio::test]
async fn the_page_works_under_its_strict_policy_with_no_violation() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.link_round_trip("GitHub", &ADA_GITHUB).await;
    w.wait_for_text("#confirm-link", "Link this GitHub account?")
        .await;
    w.click("#confirm-link-button").await;
    w.wait_for_text("#identities", "GitHub").await;
    let policy = w
        .browser
        .execute(
            "return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content;",
            vec![],
        )
        .await
        .unwrap();
    let policy = policy.as_str().unwrap();
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' 'sha256-",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(part), "{part} in {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(w.csp_violations().await, Vec::<String>::new());
    w.close().await;
}

#[tokio::test]
async fn no_request_carries_the_callbacks_code_as_its_referer() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.wait_for_tenant_idle().await;
    let leaked: Vec<String> = w
        .referers
        .all()
        .into_iter()
        .filter(|r| r.contains("code="))
        .collect();
    assert!(leaked.is_empty(), "{leaked:?}");
    let policy = w
        .browser
        .execute(
            "return document.querySelector('meta[name=referrer]').content;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(policy, "no-referrer");
    w.close().await;
}

#[tokio::test]
async fn the_page_does_not_load_inside_another_sites_frame() {
    let w = World::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let framing = format!("http://{}", listener.local_addr().unwrap());
    let page = format!(
        "<!doctype html><title>framing</title><iframe id=\"f\" src=\"{}/\"></iframe>",
        w.app_url
    );
    tokio::spawn(async move {
        let router = axum::Router::new().route(
            "/",
            axum::routing::get(move || async move { axum::response::Html(page) }),
        );
        axum::serve(listener, router).await.unwrap();
    });
    w.browser.goto(&format!("{framing}/")).await.unwrap();
    w.wait_for("#f").await;
    w.browser.enter_frame(0).await.unwrap();
    // The framed document finishes loading as an error page, never as the app.
    let shown = poll_until("the frame did not finish loading", || async {
        let state = w
            .browser
            .execute(
                "return [document.readyState, document.title, !!document.getElementById('sign-in')];",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        match state[0].as_str() {
            Some("complete") => Ok(state),
            _ => Err(state.to_string()),
        }
    })
    .await;
    assert_ne!(shown[1], "Linked accounts", "{shown}");
    assert_eq!(shown[2], false, "{shown}");
    w.close().await;
}

#[tokio::test]
async fn a_callback_leaves_the_address_bar_even_when_the_configuration_fails() {
    let w = World::start_with(e2e::AppConfig::Missing).await;
    w.browser
        .goto(&format!("{}/?code=secret-code&state=s1", w.app_url))
        .await
        .unwrap();
    w.wait_for_text("body", "config.json").await;
    let url = w.browser.current_url().await.unwrap().to_string();
    assert!(!url.contains("secret-code"), "{url}");
    w.close().await;
}

#[tokio::test]
async fn the_build_served_with_the_headers_xtask_prints_signs_in_links_and_unlinks_with_no_violation()
 {
    let w = World::start_deployed().await;
    // The header the app's origin sends: the tenant, and nothing wider.
    let answer = raw_get(&w.app_url).await;
    let policy = answer
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .unwrap_or_else(|| panic!("no policy header: {answer}"));
    assert!(
        policy.contains(&format!("connect-src 'self' {};", w.tenant_url)),
        "{policy}"
    );
    assert_eq!(
        policy.matches("'sha256-").count(),
        2,
        "both inline scripts: {policy}"
    );
    for wide in ["https:", "data:", "'unsafe-inline'", "*"] {
        assert!(
            !policy.split([' ', ';']).any(|source| source == wide),
            "{wide} in {policy}"
        );
    }
    w.sign_in(&ADA).await;
    w.link_round_trip("GitHub", &ADA_GITHUB).await;
    w.click("#confirm-link-button").await;
    w.wait_for_text("#identities", "GitHub").await;
    w.click("button[aria-label='Unlink GitHub account ada@example.com']")
        .await;
    w.click(".confirm-unlink-button").await;
    // A change of its own: a sign-in of its own (the step-up round-trip).
    w.sign_in_again(&ADA).await;
    w.click(".confirm-unlink-button").await;
    w.wait_for_text("#status", "Unlinked your GitHub account ada@example.com.")
        .await;
    assert_eq!(w.csp_violations().await, Vec::<String>::new());
    w.close().await;
}

/// The app's answer to `GET /`, status line and headers (lower case).
async fn raw_get(base: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream
        .write_all(
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    head.lines()
        .map(|l| match l.split_once(": ") {
            Some((n, v)) => format!("{}: {v}", n.to_ascii_lowercase()),
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
