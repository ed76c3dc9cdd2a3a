use leptos::prelude::*;

/// A connection's small mark, beside its label (decorative: the label says
/// it): a logo drawn inline for the well-known connections, else the
/// label's first letter.
#[component]
pub fn ConnectionIcon(
    /// The connection's tenant name (`google-oauth2`, `github`, `sms`, …).
    connection: String,
    /// The connection's label, whose first letter is the generic mark.
    label: String,
) -> impl IntoView {
    let logo = logo(&connection);
    // Capitalised by the stylesheet (`text-transform`), which knows every
    // script's case rules without putting Unicode's tables in the wasm.
    let mark = label.chars().next().unwrap_or('?').to_string();
    view! {
        <span class="icon" data-connection=connection aria-hidden="true">
            {match logo {
                Some(path) => view! {
                    <svg viewBox="0 0 24 24" width="16" height="16" focusable="false">
                        <path d=path fill="currentColor" />
                    </svg>
                }
                .into_any(),
                None => mark.into_any(),
            }}
        </span>
    }
}

/// One path per logo, drawn in the icon's own colour on its badge.
fn logo(connection: &str) -> Option<&'static str> {
    Some(match connection {
        // A "G".
        "google-oauth2" => {
            "M21.6 12.2c0-.7-.1-1.4-.2-2H12v3.8h5.4a4.6 4.6 0 0 1-2 3v2.5h3.2c1.9-1.7 3-4.3 3-7.3zM12 22c2.7 0 5-.9 6.6-2.4l-3.2-2.5c-.9.6-2 1-3.4 1-2.6 0-4.8-1.8-5.6-4.1H3.1v2.6A10 10 0 0 0 12 22zM6.4 14a6 6 0 0 1 0-3.9V7.5H3.1a10 10 0 0 0 0 9zM12 5.9c1.5 0 2.8.5 3.8 1.5l2.9-2.9A10 10 0 0 0 3.1 7.5l3.3 2.6C7.2 7.7 9.4 5.9 12 5.9z"
        }
        // The octocat's silhouette.
        "github" => {
            "M12 2a10 10 0 0 0-3.2 19.5c.5.1.7-.2.7-.5v-1.7c-2.8.6-3.4-1.3-3.4-1.3-.5-1.2-1.1-1.5-1.1-1.5-.9-.6.1-.6.1-.6 1 .1 1.5 1 1.5 1 .9 1.5 2.3 1.1 2.9.8.1-.6.3-1.1.6-1.3-2.2-.3-4.6-1.1-4.6-5 0-1.1.4-2 1-2.7-.1-.3-.4-1.3.1-2.7 0 0 .8-.3 2.7 1a9.4 9.4 0 0 1 5 0c1.9-1.3 2.7-1 2.7-1 .5 1.4.2 2.4.1 2.7.6.7 1 1.6 1 2.7 0 3.9-2.3 4.7-4.6 5 .4.3.7.9.7 1.8V21c0 .3.2.6.7.5A10 10 0 0 0 12 2z"
        }
        // A key: email and password.
        "Username-Password-Authentication" => {
            "M14 3a7 7 0 0 0-6.6 9.3L2 17.7V22h4.3l.7-.7V19h2.3v-2.3H11.6l1.1-1.1A7 7 0 1 0 14 3zm2.5 6a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3z"
        }
        // A phone.
        "sms" => {
            "M7 2h10a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm0 3v13h10V5zm5 14.2a1 1 0 1 0 0 2 1 1 0 0 0 0-2z"
        }
        // An envelope.
        "email" => {
            "M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zm1 2.4V17h16V7.4l-8 5.3zM5.6 7 12 11.2 18.4 7z"
        }
        _ => return None,
    })
}
