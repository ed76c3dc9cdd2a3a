//! The page's language: the person's choice if they made one, else the
//! first of `navigator.languages` that the catalog has. `<html lang>` and
//! the title follow it, and every sentence is put into words with it.

use leptos::prelude::*;

use crate::auth::storage::{KeyValue, WebStore};
use crate::text::{Key, Lang, Text};

/// Where the person's choice is kept.
const LANG_KEY: &str = "link-accounts.lang";

/// The page's language, shared through context.
#[derive(Clone, Copy)]
pub struct Language(RwSignal<Lang>);

impl Language {
    /// Picks the language, provides it to the page, and keeps `<html lang>`
    /// and the title in step with it.
    pub fn provide() -> Language {
        let chosen = WebStore::local()
            .read::<String>(LANG_KEY)
            .and_then(|tag| Lang::from_tag(&tag));
        let lang = chosen.unwrap_or_else(|| {
            let tags: Vec<String> = window()
                .navigator()
                .languages()
                .iter()
                .filter_map(|t| t.as_string())
                .collect();
            Lang::pick(tags.iter().map(String::as_str))
        });
        let language = Language(RwSignal::new(lang));
        provide_context(language);
        Effect::new(move || {
            let lang = language.get();
            let document = document();
            if let Some(html) = document.document_element() {
                let _ = html.set_attribute("lang", lang.code());
            }
            document.set_title(lang.template(Key::Title));
        });
        language
    }

    /// The page's language (tracked).
    pub fn get(self) -> Lang {
        self.0.get()
    }

    /// The page's language now (not tracked).
    pub fn now(self) -> Lang {
        self.0.get_untracked()
    }

    /// Switches the page to `lang`, and remembers the choice.
    pub fn choose(self, lang: Lang) {
        WebStore::local().set(LANG_KEY, &lang.code());
        self.0.set(lang);
    }

    /// A sentence in the page's language (tracked).
    pub fn say(self, text: &Text) -> String {
        text.render(self.get())
    }
}

/// The page's language, from context.
pub fn language() -> Language {
    expect_context::<Language>()
}

/// An entry in the page's language, for a view: it follows the switcher.
pub fn t(key: Key) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let language = language();
    move || language.get().template(key).to_owned()
}

/// A sentence in the page's language, for a view.
pub fn say(text: Text) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let language = language();
    move || language.say(&text)
}

/// The switcher: each language named in itself; the choice is kept.
#[component]
pub fn LanguagePicker() -> impl IntoView {
    let language = language();
    view! {
        <div class="language">
            <label for="language">{t(Key::LanguageLabel)}</label>
            <select
                id="language"
                on:change=move |ev| {
                    if let Some(lang) = Lang::from_tag(&event_target_value(&ev)) {
                        language.choose(lang);
                    }
                }
            >
                {Lang::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.code() lang=l.code() selected=move || language.get() == l>
                                {l.name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
