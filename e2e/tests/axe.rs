//! axe-core on every state of the page: signed out, signed in, the confirm
//! step (with a conflict to choose), the unlink question, 320 px, each kind
//! of problem, German and the dark scheme. Zero violations; a failure names
//! each rule, the element and why.

use e2e::{ADA, ADA_ID, Engine, Login, Reader, World};
use fantoccini::Locator;

const ADA_WORK: Login = Login::Social {
    connection: "github",
    email: "ada@work.example",
};

async fn narrow(w: &World, state: &str) {
    w.browser.set_window_size(320, 800).await.unwrap();
    w.assert_accessible(&format!("{state}, 320 px")).await;
    w.browser.set_window_size(1024, 900).await.unwrap();
}

/// The round-trip to GitHub's page as `login`, by the button's connection
/// (whatever the language), back to the confirm step.
async fn to_the_confirm_step(w: &World, login: &Login) {
    w.click("button[data-connection='github']").await;
    w.tenant_login(login).await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for("#confirm-link-button").await;
    w.wait_for_focus("confirm-heading").await;
}

#[tokio::test]
async fn every_state_of_the_page_passes_axe() {
    let w = World::start().await;
    w.open_app().await;
    w.wait_for("#sign-in").await;
    w.assert_accessible("signed out").await;

    w.sign_in(&ADA).await;
    w.wait_for("#identities").await;
    w.wait_for("button[data-connection='github']").await;
    w.assert_accessible("signed in").await;
    narrow(&w, "signed in").await;

    to_the_confirm_step(&w, &ADA_WORK).await;
    w.wait_for(".conflict").await;
    w.assert_accessible("the confirm step, with a conflict")
        .await;
    narrow(&w, "the confirm step").await;
    w.click("#cancel-link-button").await;
    w.wait_for_text("#status", "Nothing was linked.").await;

    w.tenant
        .store()
        .link(ADA_ID, "github|4242001", &w.tenant.now_text())
        .unwrap();
    w.reload().await;
    let unlink = "[id='unlink-github|4242001']";
    w.click(unlink).await;
    w.wait_for_focus("confirm-unlink-github|4242001").await;
    w.assert_accessible("the unlink question").await;
    narrow(&w, "the unlink question").await;
    // The sign-in's update token went with the cancelled link: the
    // unlink asks for a sign-in of its own first.
    w.click("[id='confirm-unlink-github|4242001']").await;
    w.wait_for("#reauthenticate").await;
    w.sign_in_again(&ADA).await;
    w.click("[id='confirm-unlink-github|4242001']").await;
    w.wait_for("#status.success").await;
    w.assert_accessible("a success message").await;
    w.close().await;
}

#[tokio::test]
async fn every_kind_of_problem_passes_axe() {
    let w = World::start().await;
    // Dismiss: a callback the page did not ask for.
    w.browser
        .goto(&format!("{}/?code=c&state=forged", w.app_url))
        .await
        .unwrap();
    w.wait_for("#dismiss").await;
    w.assert_accessible("a problem to dismiss").await;

    // Reauthenticate: a change asked an hour after signing in.
    let controls = w.tenant.controls();
    controls.advance_clock(-3600);
    w.sign_in(&ADA).await;
    w.wait_for_tenant_idle().await;
    controls.advance_clock(3600);
    w.click("button[data-connection='github']").await;
    w.wait_for("#reauthenticate").await;
    w.assert_accessible("a problem that asks to sign in again")
        .await;

    // Retry: the tenant is down while the account loads.
    w.tenant_down_once("GET", "/api/v2/users/");
    w.reload().await;
    w.wait_for("#retry").await;
    w.assert_accessible("a problem to try again").await;

    // The session ended: a stored session that cannot be read.
    w.set_local_storage("link-accounts.session", "{not json")
        .await;
    w.reload().await;
    w.wait_for("#sign-in-again").await;
    w.assert_accessible("a session that ended").await;
    w.close().await;
}

#[tokio::test]
async fn german_in_the_dark_scheme_passes_axe() {
    let languages = "de-DE,de";
    if !Engine::chosen().can_read(languages) {
        // Listed in `cargo xtask test`'s summary (xtask/src/test.rs).
        return;
    }
    let w = World::start_as(Reader {
        languages,
        dark: true,
        ..Reader::default()
    })
    .await;
    w.open_app().await;
    w.wait_for_text("#sign-in", "Anmelden").await;
    let dark = w
        .browser
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(dark, serde_json::Value::Bool(true), "the dark scheme is on");
    w.assert_accessible("signed out, German, dark").await;

    w.click("#sign-in").await;
    w.tenant_login(&ADA).await;
    w.wait_for_url(&w.app_url).await;
    w.wait_for_text("#accounts-heading", "Ihre Anmeldekonten")
        .await;
    w.assert_accessible("signed in, German, dark").await;

    to_the_confirm_step(&w, &ADA_WORK).await;
    w.assert_accessible("the confirm step, German, dark").await;
    narrow(&w, "the confirm step, German, dark").await;

    w.browser
        .goto(&format!("{}/?code=c&state=forged", w.app_url))
        .await
        .unwrap();
    w.wait_for_text("#problem", "nicht angefordert").await;
    w.assert_accessible("a problem, German, dark").await;
    let problem = w.browser.find(Locator::Css("#problem")).await.unwrap();
    assert!(
        problem
            .text()
            .await
            .unwrap()
            .contains("Es wurde nichts geändert")
    );
    w.close().await;
}

#[tokio::test]
async fn the_checker_names_what_it_finds() {
    let w = World::start().await;
    w.open_app().await;
    w.wait_for("#sign-in").await;
    w.browser
        .execute(
            "const i = document.createElement('img'); i.src = 'icon.svg'; document.querySelector('main').append(i);",
            vec![],
        )
        .await
        .unwrap();
    let found = w.accessibility_violations().await;
    assert!(
        found
            .iter()
            .any(|v| v.starts_with("image-alt (critical)") && v.contains("img")),
        "{found:?}"
    );
    w.close().await;
}
