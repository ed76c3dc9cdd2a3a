//! English: the catalog's reference. Every entry of [`Key`] is here.

use super::Key::{self, *};

pub(super) const TEXT: &[(Key, &str)] = &[
    // What went wrong.
    (SessionEnded, "Your session has ended. Sign in again."),
    (FailedLoad, "Your accounts could not be loaded"),
    (FailedSignIn, "Signing in did not finish"),
    (FailedLink, "The account was not linked"),
    (FailedUnlink, "The account was not unlinked"),
    (
        FailedRestore,
        "Your main account's settings were not put back",
    ),
    (
        ServiceSaid,
        " The account service said: \u{201c}{said}\u{201d}",
    ),
    (
        Unreachable,
        "{failed}: the account service could not be reached. Check your connection, then try again.",
    ),
    (
        TimedOut,
        "{failed}: the account service did not answer in time. Try again.",
    ),
    (
        NotUnderstood,
        "{failed}: the account service sent an answer this page does not understand. Try again; if it keeps happening, tell the site's administrator.",
    ),
    (
        Refused403,
        "{failed}: the account service refused it.{said} Signing in again may renew your permissions.",
    ),
    (
        TooMany,
        "{failed}: too many requests just now. Try again {when}.",
    ),
    (InASecond, "in a second"),
    (InSeconds, "in {n} seconds"),
    (InMinutes, "in {n} minutes"),
    (InAMinute, "in a minute"),
    (
        AlreadyLinkedElsewhere,
        "That account is already linked to another user. Sign in with it and unlink it there first, or choose another account.",
    ),
    (
        AccountNotFound,
        "Your account was not found on the account service. Sign in again.",
    ),
    (
        SignInRefused,
        "{failed}: the account service refused the sign-in.{said} Sign in again.",
    ),
    (FailedWithSaid, "{failed}.{said}"),
    (
        ServerTrouble,
        "{failed}: the account service had a problem (error {status}). Try again in a moment.",
    ),
    (
        UnaskedCallback,
        "This page was opened with a sign-in response it did not ask for, or one that was already used, so it was ignored. Nothing was changed.",
    ),
    (
        TookTooLong,
        "That took more than ten minutes, so for your safety it was not used. Nothing was changed; please start again.",
    ),
    (
        Untrusted,
        "The answer from the account service could not be trusted ({why}), so it was refused and nothing was stored. Please try again.",
    ),
    (WhyMalformed, "it is malformed"),
    (
        WhyAlgorithm,
        "it is signed with \u{201c}{alg}\u{201d} instead of RS256",
    ),
    (
        WhyUnknownKey,
        "it is signed with a key the tenant does not publish",
    ),
    (WhySignature, "its signature does not match"),
    (WhyIssuer, "it comes from another issuer"),
    (WhyAudience, "it was issued for another application"),
    (WhyExpired, "it has expired"),
    (WhyFuture, "it claims to be issued in the future"),
    (WhyNotYet, "it is not valid yet"),
    (WhyNonce, "it does not belong to this sign-in"),
    (WhySubject, "it names no account"),
    (
        CancelledLink,
        "Linking was cancelled. Nothing was changed.{said}",
    ),
    (
        CancelledStepUp,
        "Signing in again was cancelled, so nothing was changed.{said}",
    ),
    (CancelledSignIn, "Signing in was cancelled.{said}"),
    (NotLinkedSaid, "The account was not linked.{said}"),
    (
        StepUpUnfinished,
        "Signing in again did not finish, so nothing was changed.{said}",
    ),
    (SignInUnfinished, "Signing in did not finish.{said}"),
    (
        DuplicateParams,
        "The answer from the account service came with a value given twice, so it was refused and nothing was stored. Please try again.",
    ),
    (
        NotForThisAccountLink,
        "This link was started for an account that is not signed in here now, so nothing was linked.",
    ),
    (
        NotForThisAccountStepUp,
        "This sign-in was started for an account that is not signed in here now, so nothing was changed.",
    ),
    (
        NoCode,
        "The account service sent no code back. Please try again.",
    ),
    (
        NoIdToken,
        "The account service sent no ID token. Please try again.",
    ),
    (
        OtherAccountSignedIn,
        "You signed in as another account than the one on this page, so nothing was changed. Sign in again as this page's account to go on.",
    ),
    (
        NotFreshChange,
        "The account service did not ask for a fresh sign-in this time, so nothing was changed. Try again.",
    ),
    (
        NotFreshLink,
        "The account service did not ask for a fresh sign-in this time, so nothing was linked. Try again.",
    ),
    (
        StepUpLink,
        "Linking an account changes how you sign in, so first sign in again to show it is you.{when}",
    ),
    (
        StepUpUnlink,
        "Unlinking an account changes how you sign in, so first sign in again to show it is you.{when}",
    ),
    (StepUpWhen, " You last signed in {minutes} minutes ago."),
    (
        StoredUnreadable,
        "Your saved sign-in could not be read, so you are signed out. Sign in again.",
    ),
    (SameAccount, "That is the account you are signed in with."),
    (
        VerifyFirst,
        "Verify {who} with {label} first, then link it.",
    ),
    (
        NothingVerified,
        "That {label} account has no verified email address or phone number, so it cannot be linked.",
    ),
    (
        DifferentAccount,
        "The account service described a different account than the one you signed in with, so nothing was linked.",
    ),
    (
        OthersMainAccount,
        "That sign-in belongs to the account of {who}, which has {n} sign-in methods. To link it here, sign in as {who} and unlink them there first. Nothing was linked.",
    ),
    (
        WrongConnection,
        "You signed in with {used}, not {label}, so nothing was linked. To link a {label} account, choose {label} on the account service's page.",
    ),
    (AnotherKind, "another kind of account"),
    (
        CannotMakeMain,
        "Not possible here: your main account has {n} other linked accounts, which would have to move along. Unlink them first to choose this.",
    ),
    (
        ChoiceAfterChange,
        "An earlier try already changed settings for this link: cancel it first, then link again to choose the other account as main.",
    ),
    (
        PendingUntrusted,
        "The link waiting for your confirmation could not be trusted any more, so it was dropped. Nothing was linked; link the account again if you want to.",
    ),
    (
        UnsafeId,
        "This account's id cannot be used in a request safely, so it was not unlinked.",
    ),
    (
        Unlinked,
        "Unlinked your {label} account {who}. It is a separate account again.",
    ),
    (
        LinkedMadeMain,
        "Linked. Your {label} account {who} is now your main account.{copied}",
    ),
    (
        LinkedFormerCopied,
        " Your former main account's {settings} now on it.",
    ),
    (Linked, "Linked your {label} account {who}.{copied}"),
    (LinkedCopied, " Its {settings} now on your main account."),
    (NothingLinked, "Nothing was linked.{more}"),
    (AsTheyWereThat, " That account's settings are as they were."),
    (
        AsTheyWereMain,
        " Your main account's settings are as they were.",
    ),
    (
        PutBack,
        " Your main account's settings were put back as they were.",
    ),
    (
        RestoreFailed,
        " Your main account's {settings} changed and could not be put back: cancel the link to try again, or change them back yourself.",
    ),
    (Then, "{first}{then}"),
    (Quoted, "\u{201c}{s}\u{201d}"),
    (Comma, "{a}, {b}"),
    (Setting1, "setting {key} is"),
    (SettingsN, "settings {init} and {last} are"),
    (SettingsSome, "settings are"),
    (
        ConfigUnreachable,
        "config.json could not be loaded: {cause}.",
    ),
    (
        ConfigNotFound,
        "config.json was not found next to this page. Put the tenant's settings there.",
    ),
    (
        ConfigStatus,
        "config.json could not be loaded: the server answered {status}.",
    ),
    (ConfigJson, "config.json is not valid JSON: {cause}."),
    (
        ConfigField,
        "In config.json, the field \"{field}\" {problem}.",
    ),
    (ConfigNotObject, "must be a JSON object"),
    (
        ConfigRedirectPath,
        "must be a path on this site that starts with \"/\"",
    ),
    (ConfigMissingField, "is missing"),
    (ConfigNotList, "must be a list"),
    (
        ConfigConnectionShape,
        "must be an object with a \"name\" (and a \"label\" if you like)",
    ),
    (
        ConfigSeconds,
        "must be a whole number of seconds from {min} to {max}",
    ),
    (ConfigEmpty, "is empty"),
    (ConfigNotString, "must be a string"),
    (
        ConfigUrlShape,
        "must be a URL like https://example.auth0.com",
    ),
    (ConfigHttps, "must be a URL starting with https://"),
    (
        ConfigHttpLoopback,
        "must use https:// (http:// is allowed only for 127.0.0.1, localhost or [::1])",
    ),
    (EmailAndPassword, "Email and password"),
    (EmailCode, "Email code"),
    (Both, "{first} {then}"),
    // What is under way.
    (Finishing, "Finishing with the account service…"),
    (LoadingAccounts, "Loading your accounts…"),
    (TakingToSignIn, "Taking you to sign in…"),
    (TakingToSignInAgain, "Taking you to sign in again…"),
    (SigningOut, "Signing you out…"),
    (
        TakingToLink,
        "Taking you to {label} to sign in with the account to link…",
    ),
    (LinkingAccount, "Linking your {label} account…"),
    (CancellingLink, "Cancelling the link…"),
    (UnlinkingAccount, "Unlinking your {label} account…"),
    (
        SignedInAgainConfirm,
        "You signed in again. Check the account below, then confirm or cancel the link.",
    ),
    (
        SignedInAgainUnlink,
        "You signed in again. Confirm unlinking below, or keep the account.",
    ),
    (
        CheckThenConfirm,
        "Check the account below, then confirm or cancel the link.",
    ),
    // The list.
    (AccountsHeading, "Your sign-in accounts"),
    (AccountsPlaceholder, "Your accounts will appear here."),
    (MainBadge, "Main account"),
    (UnlinkButton, "Unlink"),
    (UnlinkLabel, "Unlink {label} account {who}"),
    (
        UnlinkQuestion,
        "Unlink your {label} account {who}? It becomes a separate account again: signing in with it opens an account of its own, without your main account's settings.",
    ),
    (ConfirmUnlink, "Confirm unlinking"),
    (KeepLinked, "Keep it"),
    // The confirm step.
    (PictureOf, "Picture of {name}"),
    (ConfirmHeading, "Link this {label} account?"),
    (
        ConfirmIntro,
        "After linking, signing in with this account opens your main account. Your main account's profile stays as it is; this account's own profile is kept only as details of the linked account.",
    ),
    (Entries1, "1 entry"),
    (EntriesN, "{n} entries"),
    (
        ConfirmAppMetadata,
        "This account also holds {entries} of data the site keeps about it (app metadata). The account service discards them when it links; they are not shown here.",
    ),
    (ConfirmButton, "Confirm: link this {label} account"),
    (CancelLink, "Cancel"),
    (MainLegend, "Which account stays your main account?"),
    (KeepMain, "Keep {who} as your main account"),
    (MakeMain, "Make {who} your main account"),
    (MergeMainSide, "Your current main account's settings"),
    (MergeOtherSide, "This account's settings"),
    (
        MergeIntoNew,
        "The account service discards the settings of the account that stops being main, so they are merged into this account, your new main account, first. A setting that holds several values is copied as one whole.",
    ),
    (
        MergeIntoMain,
        "The account service discards the settings of the account that stops being main, so they are merged into your main account first. A setting that holds several values is copied as one whole.",
    ),
    (MergeNested, " (several values, copied as one whole)"),
    (MergeCopied, "{value}: copied to your main account"),
    (MergeSame, "{value}: the same on both"),
    (MergeConflict, "{key} differs: which value stays?"),
    (KeepMainValue, "Keep your main account's: {value}"),
    (UseOtherValue, "Use this account's: {value}"),
    // The page.
    (Title, "Linked accounts"),
    (Loading, "Loading…"),
    (LanguageLabel, "Language"),
    (SignIn, "Sign in"),
    (SignOut, "Sign out"),
    (SignInAgain, "Sign in again"),
    (TryAgain, "Try again"),
    (Dismiss, "Dismiss"),
    (IntroHeading, "Sign in to manage your accounts"),
    (
        IntroText,
        "Link your other sign-in accounts to this one, so that any of them opens the same account.",
    ),
    (Footer, "Your sign-in accounts are kept by {host}"),
    (
        PanicMessage,
        "Something went wrong in this page, so it stopped. Reload the page to start again; if it happens again, tell the site's administrator.",
    ),
    (ConfigHeading, "This page is not set up correctly"),
    (
        ConfigFix,
        "The site's administrator can fix this in config.json. Reload the page once it is fixed.",
    ),
    (ProfileLabel, "Your profile"),
    (LinkHeading, "Link another account"),
    (
        LinkIntro,
        "You will sign in with the other account to prove it is yours. Nothing is linked until you confirm.",
    ),
    (LinkConnection, "Link {label} account"),
];
