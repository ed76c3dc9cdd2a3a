use leptos::prelude::*;

/// A connection's small mark, beside its label (decorative: the label says it).
#[component]
pub fn ConnectionIcon(
    /// The connection's tenant name (`google-oauth2`, `github`, `sms`, …).
    connection: String,
    /// The connection's label, whose first letter is the mark.
    label: String,
) -> impl IntoView {
    let mark = label
        .chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .to_string();
    view! {
        <span class="icon" data-connection=connection aria-hidden="true">
            {mark}
        </span>
    }
}
