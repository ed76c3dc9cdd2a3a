//! Every sentence the page shows, in one catalog: named entries
//! ([`Key`]) with named arguments (`{label}`), one table per language
//! (`text/en.rs`, `text/de.rs`). Flows return a [`Text`], not a string, so
//! what they say is put into words only when it is shown, in the language
//! the person chose, and again when they choose another.

use std::fmt::Write as _;

mod de;
mod en;

/// A language the catalog has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    /// Every language, in the switcher's order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// Its BCP 47 tag, for `<html lang>` and for storage.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// Its name in itself, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    /// The language of a tag such as `de-AT`, if the catalog has it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?;
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The first of the reader's languages that the catalog has, else English.
    pub fn pick<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        tags.into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or_default()
    }

    fn table(self) -> &'static [(Key, &'static str)] {
        match self {
            Lang::En => en::TEXT,
            Lang::De => de::TEXT,
        }
    }

    /// The entry's template in this language; English where it lacks one
    /// (the catalog test fails before that can ship).
    pub fn template(self, key: Key) -> &'static str {
        let find = |table: &'static [(Key, &'static str)]| {
            table.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
        };
        find(self.table()).or_else(|| find(en::TEXT)).unwrap_or("")
    }
}

/// Declares the catalog's keys, and the list of them all for the test.
macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// A named entry of the catalog.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            /// Every key, so a test can find what a language lacks.
            pub const ALL: &[Key] = &[$(Key::$key),*];
        }
    };
}

keys! {
    SessionEnded, StorageOff, ConfigChanged, FailedLoad, FailedSignIn, FailedLink, FailedUnlink, FailedRestore,
    ServiceSaid, NotPermitted, LinkNotAllowed, SettingsNotAllowed, LinkLosingSettings, Unreachable, TimedOut, NotUnderstood, Refused403, TooMany, InASecond,
    InSeconds, InMinutes, InAMinute, AlreadyLinkedElsewhere, AccountNotFound,
    SignInRefused, FailedWithSaid, ServerTrouble, UnaskedCallback, TookTooLong, Untrusted,
    WhyMalformed, WhyAlgorithm, WhyUnknownKey, WhySignature, WhyIssuer, WhyAudience,
    WhyExpired, WhyFuture, WhyNotYet, WhyNonce, WhySubject, CancelledLink,
    CancelledStepUp, CancelledSignIn, NotLinkedSaid, StepUpUnfinished, SignInUnfinished,
    DuplicateParams, NotForThisAccountLink, NotForThisAccountStepUp, NoCode, NoIdToken, NoReadOnlyToken,
    OtherAccountSignedIn, NotFreshChange, NotFreshLink, StepUpLink, StepUpUnlink,
    StepUpWhen, StoredUnreadable, SameAccount, VerifyFirst, NothingVerified, VerifyMainFirst, WhoOn,
    DifferentAccount, OthersMainAccount, WrongConnection, AnotherKind, CannotMakeMain, CannotMakeMainNow, StepUpRestore, MainChanged,
    ChoiceAfterChange, PendingUntrusted, UnsafeId, Unlinked, LinkedMadeMain,
    LinkedFormerCopied, Linked, LinkedCopied, NothingLinked, AsTheyWereThat,
    AsTheyWereMain, PutBack, RestoreFailed, OwedPutBack, OwedNotPutBack, OwedElsewhere, Then, Quoted, Comma, Setting1, SettingsN,
    SettingsSome, ConfigUnreachable, ConfigNotFound, ConfigStatus, ConfigJson,
    ConfigField, ConfigNotObject, ConfigRedirectPath, ConfigMissingField, ConfigNotList,
    ConfigConnectionShape, ConfigSeconds, ConfigEmpty, ConfigNotString, ConfigUrlShape,
    ConfigHttps, ConfigHttpLoopback, EmailAndPassword, EmailCode, Both, Finishing,
    LoadingAccounts, TakingToSignIn, TakingToSignInAgain, SigningOut, TakingToLink,
    LinkingAccount, CancellingLink, UnlinkingAccount, SignedInAgainConfirm,
    SignedInAgainUnlink, CheckThenConfirm, AccountsHeading, AccountsPlaceholder,
    MainBadge, UnlinkButton, UnlinkLabel, UnlinkQuestion, ConfirmUnlink, KeepLinked,
    PictureOf, ConfirmHeading, ConfirmIntro, Entries, PriceIntro, PriceUserId, PriceAppData, PriceFactors,
    PriceFactorsReading, PriceFactorsUnknown, PriceRoles, PriceUnderstood,
    ConfirmButton, CancelLink, MainLegend, KeepMain, MakeMain, MergeMainSide,
    MergeOtherSide, MergeIntoNew, MergeIntoMain, MergeNested, MergeCopied, MergeSame,
    MergeConflict, KeepMainValue, UseOtherValue, Title, LanguageLabel, SignIn,
    SignOut, SignInAgain, TryAgain, Dismiss, IntroHeading, IntroText, Footer,
    PanicMessage, ConfigHeading, ConfigFix, ProfileLabel, LinkHeading, LinkIntro,
    SuggestHeading, SuggestLine, LinkIt, LinkItLabel, NotMine, NotMineLabel, NotMineDone,
    ShowHidden, ShownAgain,
    LinkConnection,
}

/// A sentence to show, not yet in words: an entry and its arguments, or
/// text that is shown as it is (a name, an email, what the tenant said).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    Plain(String),
    Entry(Key, Vec<(&'static str, Text)>),
}

/// `text!(Key, name = value, ...)`: an entry with its arguments.
#[macro_export]
macro_rules! text {
    ($key:ident $(, $name:ident = $arg:expr)* $(,)?) => {
        $crate::text::Text::Entry(
            $crate::text::Key::$key,
            vec![$((stringify!($name), $crate::text::Text::from($arg))),*],
        )
    };
}

impl Text {
    /// Nothing to say.
    pub fn empty() -> Text {
        Text::Plain(String::new())
    }

    /// The sentence in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let mut out = String::new();
        self.write(lang, &mut out);
        out
    }

    /// The sentence in English (what the native tests read).
    pub fn en(&self) -> String {
        self.render(Lang::En)
    }

    fn write(&self, lang: Lang, out: &mut String) {
        let (key, args) = match self {
            Text::Plain(s) => return out.push_str(s),
            Text::Entry(key, args) => (*key, args),
        };
        let mut rest = plural_form(lang.template(key), lang, args);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                break;
            };
            let name = &after[..close];
            match args.iter().find(|(n, _)| *n == name) {
                Some((_, arg)) => arg.write(lang, out),
                None => {
                    let _ = write!(out, "{{{name}}}");
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
    }
}

/// A counted sentence's form for its `{n}`: the templates of such a
/// sentence are its forms, separated by `|` (in English and German: one,
/// then every other number). Any other template is its only form.
fn plural_form<'a>(template: &'a str, lang: Lang, args: &[(&str, Text)]) -> &'a str {
    if !template.contains('|') {
        return template;
    }
    let n = args.iter().find_map(|(name, arg)| match arg {
        Text::Plain(n) if *name == "n" => n.parse::<i64>().ok(),
        _ => None,
    });
    let form = match (lang, n) {
        (Lang::En | Lang::De, Some(1)) => 0,
        (Lang::En | Lang::De, _) => 1,
    };
    template.split('|').nth(form).unwrap_or(template)
}

impl From<Key> for Text {
    fn from(key: Key) -> Text {
        Text::Entry(key, Vec::new())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::Plain(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::Plain(s.clone())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::Plain(s.to_owned())
    }
}

impl From<&Text> for Text {
    fn from(t: &Text) -> Text {
        t.clone()
    }
}

impl From<usize> for Text {
    fn from(n: usize) -> Text {
        Text::Plain(n.to_string())
    }
}

impl From<i64> for Text {
    fn from(n: i64) -> Text {
        Text::Plain(n.to_string())
    }
}

#[cfg(test)]
mod tests;
