use leptos::prelude::*;

use crate::ui::state::PageState;

/// What is under way or just happened, announced to screen readers.
#[component]
pub fn StatusLine() -> impl IntoView {
    let state = expect_context::<PageState>();
    let language = crate::ui::language::language();
    view! {
        <p class="status" id="status" role="status" aria-live="polite">
            {move || state.status().with(|s| language.say(s))}
        </p>
    }
}
