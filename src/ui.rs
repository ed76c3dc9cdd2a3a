//! The page and its parts, one component per file. Components only wire
//! signals to [`state::PageState`], whose actions call the plain-Rust flows.

mod app;
mod config_error;
mod confirm_link;
mod connection_icon;
mod error_view;
mod identity_list;
pub mod language;
mod link_buttons;
mod profile;
mod session_controls;
mod settings_page;
pub mod state;
mod status_line;
mod suggestions;

pub use app::App;
pub use config_error::ConfigErrorPage;
pub use confirm_link::ConfirmLink;
pub use connection_icon::ConnectionIcon;
pub use error_view::ErrorView;
pub use identity_list::IdentityList;
pub use link_buttons::LinkButtons;
pub use profile::Profile;
pub use session_controls::SessionControls;
pub use settings_page::SettingsPage;
pub use status_line::StatusLine;
pub use suggestions::Suggestions;

/// A picture's address, if it is one a page may load: `https:`, or `http:`
/// (the dev tenant on loopback). `javascript:`, `data:` and anything else
/// from a profile are not shown.
pub fn picture(url: Option<&str>) -> Option<String> {
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_owned)
}
