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

#[test]
fn every_counted_sentence_has_its_forms_in_every_language() {
    // A sentence with a count (`{n}`) has a form for one and one for every
    // other number, separated by `|`; no other sentence has a `|`.
    let mut wrong = Vec::new();
    for lang in Lang::ALL {
        for key in Key::ALL {
            let template = lang.template(*key);
            let forms = template.split('|').count();
            let counted = arguments(Lang::En.template(*key)).contains("n");
            match (counted, forms) {
                (true, 2) | (false, 1) => {}
                _ => wrong.push(format!("{}: {key:?} has {forms} form(s)", lang.code())),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn counted_sentences_agree_with_their_number() {
    assert_eq!(
        text!(CannotMakeMain, n = 1usize).en(),
        "Not possible here: your main account has 1 other linked account, which would have to move along. Unlink it first to choose this."
    );
    assert!(
        text!(CannotMakeMain, n = 2usize)
            .en()
            .contains("2 other linked accounts")
    );
    assert_eq!(
        text!(StepUpWhen, n = 1i64).en(),
        " You last signed in 1 minute ago."
    );
    assert_eq!(
        text!(StepUpWhen, n = 5i64).en(),
        " You last signed in 5 minutes ago."
    );
    assert_eq!(
        text!(StepUpWhen, n = 0i64).en(),
        " You last signed in 0 minutes ago."
    );
    assert_eq!(text!(Entries, n = 1usize).render(Lang::De), "1 Eintrag");
    assert_eq!(text!(Entries, n = 3usize).render(Lang::De), "3 Einträge");
    assert!(
        text!(CannotMakeMain, n = 1usize)
            .render(Lang::De)
            .contains("1 weiteres verknüpftes Konto")
    );
    assert_eq!(text!(InMinutes, n = 1i64).render(Lang::De), "in 1 Minute");
}
