use leptos::prelude::*;

use crate::ui::state::PageState;

/// What is under way or just happened, announced to screen readers. A change
/// just made shows as a success message that fades (style/main.css).
#[component]
pub fn StatusLine() -> impl IntoView {
    let state = expect_context::<PageState>();
    let language = crate::ui::language::language();
    view! {
        <p class="status" class:success=move || state.success().get() id="status" role="status" aria-live="polite">
            {move || state.status().with(|s| language.say(s))}
        </p>
    }
}
