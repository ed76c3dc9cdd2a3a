//! Keyboard and screen-reader use, in Chromium: the unlink question as a
//! dialog (focus in, Escape, focus back), errors that take focus, one name
//! per button during the confirm step, a success message that fades (but not
//! for those who ask for less motion), and a 320 px screen.

use e2e::{ADA, ADA_ID, Login, Reader, World, poll_until};
use fantoccini::Locator;

const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
const TAB: &str = "\u{E004}";
const GITHUB_ROW: &str = "github|4242001";

/// Presses `keys` on the element `css`, focused first as a person's Tab
/// would focus it. The keys go to the focused element: WebKit's driver,
/// sending keys to an element, starts the next Tab from the page's top.
async fn key(w: &World, css: &str, keys: &str) {
    w.wait_for(css).await;
    let element = w.browser.find(Locator::Css(css)).await.unwrap();
    w.browser
        .execute(
            "if (document.activeElement !== arguments[0]) arguments[0].focus();",
            vec![serde_json::to_value(&element).unwrap()],
        )
        .await
        .unwrap();
    w.browser
        .active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

#[tokio::test]
async fn unlinking_by_keyboard_with_escape_and_focus_returning() {
    let w = World::start().await;
    w.tenant
        .store()
        .link(ADA_ID, "github|4242001", &w.tenant.now_text())
        .unwrap();
    w.sign_in(&ADA).await;
    let unlink = format!("unlink-{GITHUB_ROW}");
    let confirm = format!("confirm-unlink-{GITHUB_ROW}");
    key(&w, &format!("[id='{unlink}']"), ENTER).await;
    w.wait_for_focus(&confirm).await;
    let dialog = w
        .browser
        .execute(
            "const d = document.querySelector('.confirm-unlink'); \
             return [d.getAttribute('role'), document.getElementById(d.getAttribute('aria-describedby')).textContent];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(dialog[0], "alertdialog");
    assert!(
        dialog[1]
            .as_str()
            .unwrap()
            .contains("without your main account's settings"),
        "{dialog}"
    );
    // Tab stays inside the question, both ways round.
    let keep = format!("keep-linked-{GITHUB_ROW}");
    key(&w, &format!("[id='{confirm}']"), TAB).await;
    w.wait_for_focus(&keep).await;
    key(&w, &format!("[id='{keep}']"), TAB).await;
    w.wait_for_focus(&confirm).await;
    key(&w, &format!("[id='{confirm}']"), "\u{E008}\u{E004}").await;
    w.wait_for_focus(&keep).await;
    key(&w, &format!("[id='{keep}']"), ESCAPE).await;
    w.wait_for_focus(&unlink).await;
    assert!(
        !w.has(".confirm-unlink").await,
        "Escape closes the question"
    );
    assert_eq!(w.requests("DELETE"), 0);
    key(&w, &format!("[id='{unlink}']"), ENTER).await;
    w.wait_for_focus(&confirm).await;
    key(&w, &format!("[id='{confirm}']"), ENTER).await;
    w.wait_for_text("#status", "Unlinked your GitHub account")
        .await;
    w.wait_for_focus("accounts-heading").await;
    // This browser asks for reduced motion: the message stays.
    assert_eq!(status_style(&w).await, ["status success", "none", "1"]);
    w.close().await;
}

/// The status line's class, animation and opacity.
async fn status_style(w: &World) -> Vec<String> {
    let style = w
        .browser
        .execute(
            "const s = document.getElementById('status'); const c = getComputedStyle(s); \
             return [s.className, c.animationName, c.opacity];",
            vec![],
        )
        .await
        .unwrap();
    style
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_success_message_is_announced_then_fades() {
    let w = World::start_as(Reader {
        motion: true,
        ..Reader::default()
    })
    .await;
    w.tenant
        .store()
        .link(ADA_ID, "github|4242001", &w.tenant.now_text())
        .unwrap();
    w.sign_in(&ADA).await;
    w.click(&format!("[id='unlink-{GITHUB_ROW}']")).await;
    w.click(&format!("[id='confirm-unlink-{GITHUB_ROW}']"))
        .await;
    w.wait_for_text("#status", "Unlinked your GitHub account")
        .await;
    let shown = status_style(&w).await;
    assert_eq!(shown[..2], ["status success", "fade-out"], "{shown:?}");
    poll_until("the success message fades", || async {
        let now = status_style(&w).await;
        if now[2] == "0" {
            Ok(())
        } else {
            Err(format!("{now:?}"))
        }
    })
    .await;
    // Still there for screen readers and for its space: nothing below moves.
    let text = w
        .browser
        .execute(
            "return document.getElementById('status').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert!(text.as_str().unwrap().contains("Unlinked"), "{text}");
    w.close().await;
}

#[tokio::test]
async fn an_error_takes_focus() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.tenant_down_once("GET", "/api/v2/users/");
    w.reload().await;
    w.wait_for_text("#problem", "could not be loaded").await;
    w.wait_for_focus("problem").await;
    w.close().await;
}

#[tokio::test]
async fn the_confirm_step_has_one_button_per_name() {
    let w = World::start().await;
    w.sign_in(&ADA).await;
    w.link_round_trip(
        "GitHub",
        &Login::Social {
            connection: "github",
            email: "ada@example.com",
        },
    )
    .await;
    w.wait_for_text("#confirm-link-button", "Confirm: link this GitHub account")
        .await;
    assert!(
        !w.has("#link-heading").await,
        "no second way to start a link while one waits"
    );
    let names = w
        .browser
        .execute(
            "return [...document.querySelectorAll('button')].map(b => b.getAttribute('aria-label') || b.textContent.trim());",
            vec![],
        )
        .await
        .unwrap();
    let names: Vec<&str> = names
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    w.close().await;
}

#[tokio::test]
async fn nothing_scrolls_sideways_at_320_pixels() {
    let w = World::start().await;
    w.tenant
        .store()
        .link(
            ADA_ID,
            "email|65a1b2c3d4e5f6071829cc01",
            &w.tenant.now_text(),
        )
        .unwrap();
    w.browser.set_window_size(320, 800).await.unwrap();
    w.sign_in(&ADA).await;
    w.wait_for_text(
        "#identities",
        "ada.lovelace.analytical.engine.notes.on.bernoull@example.com",
    )
    .await;
    w.click("button[aria-label^='Unlink Email code account ada.lovelace']")
        .await;
    w.wait_for(".confirm-unlink").await;
    let widths = w
        .browser
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        widths[0].as_i64() <= widths[1].as_i64(),
        "the page is wider than the screen: {widths}"
    );
    w.close().await;
}
