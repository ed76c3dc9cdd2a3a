use leptos::prelude::*;

use crate::flows::Next;
use crate::text::Key;
use crate::ui::language::{say, t};
use crate::ui::state::PageState;

/// The one place problems are shown: a sentence, and the next step.
#[component]
pub fn ErrorView() -> impl IntoView {
    let state = expect_context::<PageState>();
    move || {
        state.problem().get().map(|problem| {
            let action = match problem.next {
                Next::Retry => view! {
                    <button type="button" id="retry" on:click=move |_| state.retry()>
                        {t(Key::TryAgain)}
                    </button>
                }
                .into_any(),
                Next::SignIn | Next::SessionEnded => view! {
                    <button type="button" id="sign-in-again" on:click=move |_| state.sign_in()>
                        {t(Key::SignInAgain)}
                    </button>
                }
                .into_any(),
                Next::Reauthenticate => view! {
                    <button type="button" id="reauthenticate" on:click=move |_| state.reauthenticate()>
                        {t(Key::SignInAgain)}
                    </button>
                }
                .into_any(),
                Next::Dismiss => view! {
                    <button
                        type="button"
                        class="secondary"
                        id="dismiss"
                        on:click=move |_| state.dismiss()
                    >
                        {t(Key::Dismiss)}
                    </button>
                }
                .into_any(),
            };
            view! {
                <section class="error" role="alert" id="problem" tabindex="-1">
                    <p>{say(problem.message)}</p>
                    {action}
                </section>
            }
        })
    }
}
