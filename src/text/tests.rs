use std::collections::BTreeSet;

use super::*;

/// The `{name}`s of a template.
fn arguments(template: &str) -> BTreeSet<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}

#[test]
fn every_language_has_every_entry_once_with_the_same_arguments() {
    let mut missing = Vec::new();
    for lang in Lang::ALL {
        let table = lang.table();
        for key in Key::ALL {
            let found: Vec<&str> = table
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, t)| *t)
                .collect();
            match found.as_slice() {
                [] => missing.push(format!("{}: {key:?} is missing", lang.code())),
                [one] if one.trim().is_empty() => {
                    missing.push(format!("{}: {key:?} is empty", lang.code()))
                }
                [one] => {
                    let english = arguments(en::TEXT.iter().find(|(k, _)| k == key).unwrap().1);
                    if arguments(one) != english {
                        missing.push(format!(
                            "{}: {key:?} takes {:?}, English takes {english:?}",
                            lang.code(),
                            arguments(one)
                        ));
                    }
                }
                _ => missing.push(format!("{}: {key:?} is given twice", lang.code())),
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn german_is_not_english() {
    // Brand names and a few words are the same in both; whole sentences are not.
    let same: Vec<&Key> = Key::ALL
        .iter()
        .filter(|k| {
            let (en, de) = (Lang::En.template(**k), Lang::De.template(**k));
            en == de && en.split_whitespace().count() > 2
        })
        .collect();
    assert!(same.is_empty(), "untranslated: {same:?}");
}

#[test]
fn arguments_are_filled_in_nested_and_plain_text_is_kept_as_it_is() {
    let text = crate::text!(
        FailedWithSaid,
        failed = Key::FailedUnlink,
        said = crate::text!(ServiceSaid, said = "{said} <b>"),
    );
    assert_eq!(
        text.en(),
        "The account was not unlinked. The account service said: \u{201c}{said} <b>\u{201d}"
    );
    assert!(
        text.render(Lang::De)
            .starts_with("Das Konto wurde nicht getrennt.")
    );
}

#[test]
fn the_first_language_the_catalog_has_is_chosen() {
    assert_eq!(Lang::pick(["fr-FR", "de-AT", "en"]), Lang::De);
    assert_eq!(Lang::pick(["EN-gb"]), Lang::En);
    assert_eq!(Lang::pick(["fr", "it"]), Lang::En);
    assert_eq!(Lang::pick([]), Lang::En);
    assert_eq!(Lang::from_tag("de_CH"), Some(Lang::De));
}

#[test]
fn index_html_frame_has_the_title_and_the_pick_of_every_language() {
    let page = include_str!("../../index.html");
    for lang in Lang::ALL {
        let code = lang.code();
        let title = format!("<span lang=\"{code}\">{}</span>", lang.template(Key::Title));
        assert!(page.contains(&title), "index.html's frame lacks {title}");
        let picked = format!("code === \"{code}\"");
        assert!(
            page.contains(&picked),
            "index.html's script does not pick {code}"
        );
    }
}
