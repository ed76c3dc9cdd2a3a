use leptos::prelude::*;

use crate::text::Key;
use crate::ui::language::t;
use crate::ui::state::{Busy, PageState};

/// "Sign in" when nobody is signed in, else "Sign out".
#[component]
pub fn SessionControls() -> impl IntoView {
    let state = expect_context::<PageState>();
    let any_busy = move || state.any_busy();
    view! {
        <Show
            when=move || state.signed_in()
            fallback=move || {
                view! {
                    <button
                        type="button"
                        id="sign-in"
                        on:click=move |_| state.sign_in()
                        disabled=any_busy
                        aria-busy=move || state.is_busy(&Busy::SigningIn).to_string()
                    >
                        {t(Key::SignIn)}
                    </button>
                }
            }
        >
            <button
                type="button"
                id="sign-out"
                class="secondary"
                on:click=move |_| state.sign_out()
                disabled=any_busy
                aria-busy=move || state.is_busy(&Busy::SigningOut).to_string()
            >
                {t(Key::SignOut)}
            </button>
        </Show>
    }
}
