//! `cargo xtask screenshots`: the page's main states, photographed in the
//! engine `E2E_ENGINE` names (Chromium by default) against a dev tenant,
//! into the folder given (README shows them from `docs/screenshots/`).

use std::path::{Path, PathBuf};

use e2e::{ADA, ADA_ID, Engine, Login, Reader, World};

const WORK: Login = Login::Social {
    connection: "github",
    email: "ada@work.example",
};

#[tokio::main]
async fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: screenshots <folder>"),
    );
    std::fs::create_dir_all(&dir).expect("create the folder");

    let w = World::start().await;
    tall(&w).await;
    w.open_app().await;
    w.wait_for("#sign-in").await;
    shoot(&w, &dir, "signed-out").await;
    link(&w, SMS);
    w.sign_in(&ADA).await;
    w.wait_for("#link-heading").await;
    shoot(&w, &dir, "signed-in").await;
    w.click(&format!("[id='unlink-{SMS}']")).await;
    w.wait_for(".confirm-unlink").await;
    shoot(&w, &dir, "unlink-question").await;
    w.click(&format!("[id='keep-linked-{SMS}']")).await;
    w.link_round_trip("GitHub", &WORK).await;
    w.wait_for("#confirm-link-button").await;
    shoot(&w, &dir, "confirm-link").await;
    w.close().await;

    let w = World::start_as(Reader {
        dark: true,
        ..Reader::default()
    })
    .await;
    tall(&w).await;
    signed_in(&w).await;
    shoot(&w, &dir, "dark").await;
    w.browser.set_window_size(320, 1100).await.unwrap();
    w.reload().await;
    w.wait_for("#link-heading").await;
    shoot(&w, &dir, "dark-320px").await;
    w.close().await;

    let german = "de-DE,de";
    if !Engine::chosen().can_read(german) {
        println!("screenshots: no German page here: this engine cannot be told to ask for it");
        return;
    }
    let w = World::start_reading(german).await;
    tall(&w).await;
    signed_in(&w).await;
    shoot(&w, &dir, "german").await;
    w.close().await;
}

const SMS: &str = "sms|65a1b2c3d4e5f6071829aa01";

/// Ada with her GitHub account and a phone linked, signed in.
async fn signed_in(w: &World) {
    link(w, "github|4242001");
    link(w, SMS);
    w.sign_in(&ADA).await;
    w.wait_for("#link-heading").await;
}

fn link(w: &World, identity: &str) {
    w.tenant
        .store()
        .link(ADA_ID, identity, &w.tenant.now_text())
        .expect("link in the store");
}

/// A window tall enough for the whole signed-in page.
async fn tall(w: &World) {
    w.browser.set_window_size(1024, 1100).await.unwrap();
}

/// The whole page as `name.png`.
async fn shoot(w: &World, dir: &Path, name: &str) {
    // Focus rings and a blinking caret are not part of the picture.
    w.browser
        .execute(
            "document.activeElement && document.activeElement.blur();",
            vec![],
        )
        .await
        .unwrap();
    let png = w.browser.screenshot().await.expect("a screenshot");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write the screenshot");
    println!("screenshots: {}", path.display());
}
