//! The settings-page shell and its configuration errors.

use e2e::{AppConfig, World};

#[tokio::test]
async fn the_shell_offers_sign_in_and_names_the_tenant() {
    let world = World::start().await;
    world.open_app().await;
    world
        .wait_for_text("header button#sign-in", "Sign in")
        .await;
    // The service's host, without the scheme a person need not read.
    let host = world.tenant_url.trim_start_matches("http://");
    let footer = world.wait_for_text("footer", host).await;
    assert!(footer.contains("kept by"), "{footer}");
    assert!(!footer.contains("http://"), "{footer}");
    world.close().await;
}

#[tokio::test]
async fn a_missing_config_file_is_named_on_the_page() {
    let world = World::start_with(AppConfig::Missing).await;
    world.open_app().await;
    world
        .wait_for_text("#config-error", "config.json was not found")
        .await;
    world.close().await;
}

#[tokio::test]
async fn a_malformed_field_is_named_on_the_page() {
    let mut config: serde_json::Value =
        serde_json::from_str(&e2e::good_config("http://127.0.0.1:1")).unwrap();
    config["domain"] = "http://tenant.example.com".into();
    let world = World::start_with(AppConfig::Raw(config.to_string())).await;
    world.open_app().await;
    let text = world.wait_for_text("#config-error", "\"domain\"").await;
    assert!(
        text.contains("https://"),
        "the message says what is allowed: {text}"
    );
    world.close().await;
}

#[tokio::test]
async fn a_config_that_is_not_json_is_named_on_the_page() {
    let world = World::start_with(AppConfig::Raw("{ not json".into())).await;
    world.open_app().await;
    world
        .wait_for_text("#config-error", "config.json is not valid JSON")
        .await;
    world.close().await;
}
