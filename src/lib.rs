//! link-accounts: the settings page where a signed-in person links and
//! unlinks their other sign-in accounts on an Auth0 tenant.
//!
//! Data flows one way: a component in [`ui`] calls a flow; flows use
//! [`auth`] and [`tenant`]; the result comes back as a value a signal holds.
//! Nothing outside [`ui`] knows about Leptos.

pub mod auth;
pub mod config;
pub mod flows;
pub mod tenant;
pub mod text;
pub mod ui;

/// Mounts the page on `<body>`, after setting the panic hook.
pub fn start() {
    std::panic::set_hook(Box::new(|info| report_panic(&info.to_string())));
    leptos::mount::mount_to_body(|| leptos::view! { <ui::App /> });
}

/// What a panic (a bug) shows, instead of a bare `unreachable` in the
/// console: the message and where it happened in the console, and a
/// sentence at the top of the page that tells the person what to do.
pub fn report_panic(message: &str) {
    web_sys::console::error_1(&format!("link-accounts stopped: {message}").into());
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(alert), Some(body)) = (document.create_element("p"), document.body()) else {
        return;
    };
    alert.set_id("panic");
    alert.set_class_name("error");
    let _ = alert.set_attribute("role", "alert");
    // In the page's language, as `<html lang>` says it.
    let lang = document
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| text::Lang::from_tag(&tag))
        .unwrap_or_default();
    alert.set_text_content(Some(lang.template(text::Key::PanicMessage)));
    let _ = body.prepend_with_node_1(&alert);
}
