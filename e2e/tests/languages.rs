//! Two languages: the reader's first language the catalog has, a switcher
//! that remembers the choice, `<html lang>` and the title following it, and
//! the flows' sentences (a refused callback here) shown in it too.

use e2e::{ADA, Engine, World};
use fantoccini::Locator;

async fn page_language(w: &World) -> (String, String) {
    let got = w
        .browser
        .execute(
            "return [document.documentElement.lang, document.title];",
            vec![],
        )
        .await
        .unwrap();
    (
        got[0].as_str().unwrap().to_owned(),
        got[1].as_str().unwrap().to_owned(),
    )
}

async fn choose(w: &World, code: &str) {
    w.wait_for("#language").await;
    w.browser
        .find(Locator::Css("#language"))
        .await
        .unwrap()
        .select_by_value(code)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_german_reader_gets_german_and_can_sign_in_in_it() {
    // French is not in the catalog; Austrian German is German.
    let languages = "fr-FR,de-AT";
    if !Engine::chosen().can_read(languages) {
        // Listed in `cargo xtask test`'s summary (xtask/src/test.rs).
        return;
    }
    let w = World::start_reading(languages).await;
    w.open_app().await;
    w.wait_for_text("#sign-in", "Anmelden").await;
    w.wait_for_text("#intro-heading", "Melden Sie sich an")
        .await;
    assert_eq!(
        page_language(&w).await,
        ("de".to_owned(), "Verknüpfte Konten".to_owned())
    );
    w.click("#sign-in").await;
    w.tenant_login(&ADA).await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for_text("#accounts-heading", "Ihre Anmeldekonten")
        .await;
    w.wait_for_text(".badge", "Hauptkonto").await;
    w.wait_for_text("#link-heading", "Weiteres Konto verknüpfen")
        .await;
    w.click_button("GitHub-Konto verknüpfen").await;
    w.close().await;
}

#[tokio::test]
async fn the_switcher_changes_the_page_and_its_sentences_and_is_remembered() {
    let w = World::start_reading("en-US,en").await;
    // A callback the page did not ask for: a flow's problem, in English.
    w.browser
        .goto(&format!("{}/?code=c&state=forged", w.app_url))
        .await
        .unwrap();
    w.wait_for_text("#problem", "did not ask for").await;
    assert_eq!(page_language(&w).await.0, "en");

    choose(&w, "de").await;
    w.wait_for_text("#problem", "nicht angefordert").await;
    w.wait_for_text("#dismiss", "Schließen").await;
    assert_eq!(
        page_language(&w).await,
        ("de".to_owned(), "Verknüpfte Konten".to_owned())
    );
    assert_eq!(
        w.local_storage("link-accounts.lang").await.as_deref(),
        Some("\"de\""),
        "kept as JSON, as gloo-storage keeps every value"
    );

    // The choice outlives a reload, over the browser's English.
    w.open_app().await;
    w.wait_for_text("#sign-in", "Anmelden").await;
    assert_eq!(page_language(&w).await.0, "de");

    choose(&w, "en").await;
    w.wait_for_text("#sign-in", "Sign in").await;
    assert_eq!(
        page_language(&w).await,
        ("en".to_owned(), "Linked accounts".to_owned())
    );
    w.close().await;
}
