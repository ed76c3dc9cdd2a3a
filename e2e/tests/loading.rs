//! Nothing jumps while the page loads: the profile and the list have their
//! space while the account is read, so the layout shifts no input caused
//! (what CLS sums) are none, from index.html's frame on, signed out, signing in, and on a reload, wide
//! and at 320 px.

use e2e::{ADA, ADA_ID, World};

#[tokio::test]
async fn nothing_moves_while_the_page_loads() {
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
