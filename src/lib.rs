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
pub mod ui;

/// Mounts the page on `<body>`.
pub fn start() {
    leptos::mount::mount_to_body(|| leptos::view! { <ui::App /> });
}
