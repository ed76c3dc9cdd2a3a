//! The page and its parts; components only wire signals to the plain-Rust
//! modules beside this one.

mod app;
mod config_error;
mod settings_page;

pub use app::App;
pub use config_error::ConfigErrorPage;
pub use settings_page::SettingsPage;
