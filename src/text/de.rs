//! Deutsch, in the form of address "Sie".

use super::Key::{self, *};

pub(super) const TEXT: &[(Key, &str)] = &[
    // Was schiefging.
    (
        SessionEnded,
        "Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an.",
    ),
    (FailedLoad, "Ihre Konten konnten nicht geladen werden"),
    (FailedSignIn, "Die Anmeldung wurde nicht abgeschlossen"),
    (FailedLink, "Das Konto wurde nicht verknüpft"),
    (FailedUnlink, "Das Konto wurde nicht getrennt"),
    (
        FailedRestore,
        "Die Einstellungen Ihres Hauptkontos wurden nicht zurückgesetzt",
    ),
    (
        ServiceSaid,
        " Der Kontodienst meldete: \u{201e}{said}\u{201c}",
    ),
    (
        Unreachable,
        "{failed}: Der Kontodienst war nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es dann erneut.",
    ),
    (
        TimedOut,
        "{failed}: Der Kontodienst hat nicht rechtzeitig geantwortet. Versuchen Sie es erneut.",
    ),
    (
        NotUnderstood,
        "{failed}: Der Kontodienst hat eine Antwort geschickt, die diese Seite nicht versteht. Versuchen Sie es erneut; wenn das wieder passiert, wenden Sie sich an die Betreiber der Website.",
    ),
    (
        Refused403,
        "{failed}: Der Kontodienst hat es abgelehnt.{said} Eine erneute Anmeldung kann Ihre Berechtigungen erneuern.",
    ),
    (
        TooMany,
        "{failed}: Gerade gab es zu viele Anfragen. Versuchen Sie es {when} erneut.",
    ),
    (InASecond, "in einer Sekunde"),
    (InSeconds, "in {n} Sekunden"),
    (InMinutes, "in {n} Minuten"),
    (InAMinute, "in einer Minute"),
    (
        AlreadyLinkedElsewhere,
        "Dieses Konto ist bereits mit einem anderen Benutzer verknüpft. Melden Sie sich damit an und trennen Sie es dort zuerst, oder wählen Sie ein anderes Konto.",
    ),
    (
        AccountNotFound,
        "Ihr Konto wurde beim Kontodienst nicht gefunden. Melden Sie sich erneut an.",
    ),
    (
        SignInRefused,
        "{failed}: Der Kontodienst hat die Anmeldung abgelehnt.{said} Melden Sie sich erneut an.",
    ),
    (FailedWithSaid, "{failed}.{said}"),
    (
        ServerTrouble,
        "{failed}: Beim Kontodienst ist ein Problem aufgetreten (Fehler {status}). Versuchen Sie es gleich noch einmal.",
    ),
    (
        UnaskedCallback,
        "Diese Seite wurde mit einer Anmeldeantwort geöffnet, die sie nicht angefordert hat oder die schon verwendet wurde, daher wurde sie ignoriert. Es wurde nichts geändert.",
    ),
    (
        TookTooLong,
        "Das hat länger als zehn Minuten gedauert, daher wurde es zu Ihrer Sicherheit nicht verwendet. Es wurde nichts geändert; bitte beginnen Sie neu.",
    ),
    (
        Untrusted,
        "Der Antwort des Kontodienstes konnte nicht vertraut werden ({why}), daher wurde sie abgelehnt und nichts gespeichert. Bitte versuchen Sie es erneut.",
    ),
    (WhyMalformed, "sie ist fehlerhaft aufgebaut"),
    (
        WhyAlgorithm,
        "sie ist mit \u{201e}{alg}\u{201c} statt RS256 signiert",
    ),
    (
        WhyUnknownKey,
        "sie ist mit einem Schlüssel signiert, den der Tenant nicht veröffentlicht",
    ),
    (WhySignature, "ihre Signatur stimmt nicht"),
    (WhyIssuer, "sie stammt von einem anderen Aussteller"),
    (
        WhyAudience,
        "sie wurde für eine andere Anwendung ausgestellt",
    ),
    (WhyExpired, "sie ist abgelaufen"),
    (
        WhyFuture,
        "sie gibt vor, in der Zukunft ausgestellt worden zu sein",
    ),
    (WhyNotYet, "sie ist noch nicht gültig"),
    (WhyNonce, "sie gehört nicht zu dieser Anmeldung"),
    (WhySubject, "sie nennt kein Konto"),
    (
        CancelledLink,
        "Das Verknüpfen wurde abgebrochen. Es wurde nichts geändert.{said}",
    ),
    (
        CancelledStepUp,
        "Die erneute Anmeldung wurde abgebrochen, daher wurde nichts geändert.{said}",
    ),
    (CancelledSignIn, "Die Anmeldung wurde abgebrochen.{said}"),
    (NotLinkedSaid, "Das Konto wurde nicht verknüpft.{said}"),
    (
        StepUpUnfinished,
        "Die erneute Anmeldung wurde nicht abgeschlossen, daher wurde nichts geändert.{said}",
    ),
    (
        SignInUnfinished,
        "Die Anmeldung wurde nicht abgeschlossen.{said}",
    ),
    (
        DuplicateParams,
        "Die Antwort des Kontodienstes enthielt einen Wert doppelt, daher wurde sie abgelehnt und nichts gespeichert. Bitte versuchen Sie es erneut.",
    ),
    (
        NotForThisAccountLink,
        "Diese Verknüpfung wurde für ein Konto begonnen, das hier gerade nicht angemeldet ist, daher wurde nichts verknüpft.",
    ),
    (
        NotForThisAccountStepUp,
        "Diese Anmeldung wurde für ein Konto begonnen, das hier gerade nicht angemeldet ist, daher wurde nichts geändert.",
    ),
    (
        NoCode,
        "Der Kontodienst hat keinen Code zurückgeschickt. Bitte versuchen Sie es erneut.",
    ),
    (
        NoIdToken,
        "Der Kontodienst hat kein ID-Token geschickt. Bitte versuchen Sie es erneut.",
    ),
    (
        OtherAccountSignedIn,
        "Sie haben sich mit einem anderen Konto angemeldet als dem dieser Seite, daher wurde nichts geändert. Melden Sie sich erneut mit dem Konto dieser Seite an, um fortzufahren.",
    ),
    (
        NotFreshChange,
        "Der Kontodienst hat diesmal keine neue Anmeldung verlangt, daher wurde nichts geändert. Versuchen Sie es erneut.",
    ),
    (
        NotFreshLink,
        "Der Kontodienst hat diesmal keine neue Anmeldung verlangt, daher wurde nichts verknüpft. Versuchen Sie es erneut.",
    ),
    (
        StepUpLink,
        "Das Verknüpfen eines Kontos ändert, wie Sie sich anmelden. Melden Sie sich daher zuerst erneut an, um zu zeigen, dass Sie es sind.{when}",
    ),
    (
        StepUpUnlink,
        "Das Trennen eines Kontos ändert, wie Sie sich anmelden. Melden Sie sich daher zuerst erneut an, um zu zeigen, dass Sie es sind.{when}",
    ),
    (
        StepUpWhen,
        " Ihre letzte Anmeldung war vor {minutes} Minuten.",
    ),
    (
        StoredUnreadable,
        "Ihre gespeicherte Anmeldung konnte nicht gelesen werden, daher sind Sie abgemeldet. Melden Sie sich erneut an.",
    ),
    (SameAccount, "Mit diesem Konto sind Sie gerade angemeldet."),
    (
        VerifyFirst,
        "Bestätigen Sie zuerst {who} bei {label} und verknüpfen Sie es dann.",
    ),
    (
        NothingVerified,
        "Dieses {label}-Konto hat keine bestätigte E-Mail-Adresse oder Telefonnummer und kann daher nicht verknüpft werden.",
    ),
    (
        DifferentAccount,
        "Der Kontodienst hat ein anderes Konto beschrieben als das, mit dem Sie sich angemeldet haben, daher wurde nichts verknüpft.",
    ),
    (
        OthersMainAccount,
        "Diese Anmeldung gehört zum Konto von {who}, das {n} Anmeldemethoden hat. Um sie hier zu verknüpfen, melden Sie sich als {who} an und trennen Sie sie dort zuerst. Es wurde nichts verknüpft.",
    ),
    (
        WrongConnection,
        "Sie haben sich mit {used} angemeldet, nicht mit {label}, daher wurde nichts verknüpft. Um ein {label}-Konto zu verknüpfen, wählen Sie auf der Seite des Kontodienstes {label}.",
    ),
    (AnotherKind, "einer anderen Kontoart"),
    (
        CannotMakeMain,
        "Hier nicht möglich: Ihr Hauptkonto hat {n} weitere verknüpfte Konten, die mitziehen müssten. Trennen Sie diese zuerst, um das zu wählen.",
    ),
    (
        ChoiceAfterChange,
        "Ein früherer Versuch hat für diese Verknüpfung bereits Einstellungen geändert: Brechen Sie ihn zuerst ab und verknüpfen Sie dann erneut, um das andere Konto als Hauptkonto zu wählen.",
    ),
    (
        PendingUntrusted,
        "Der Verknüpfung, die auf Ihre Bestätigung wartete, konnte nicht mehr vertraut werden, daher wurde sie verworfen. Es wurde nichts verknüpft; verknüpfen Sie das Konto erneut, wenn Sie möchten.",
    ),
    (
        UnsafeId,
        "Die Kennung dieses Kontos kann nicht sicher in einer Anfrage verwendet werden, daher wurde es nicht getrennt.",
    ),
    (
        Unlinked,
        "Ihr {label}-Konto {who} wurde getrennt. Es ist wieder ein eigenes Konto.",
    ),
    (
        LinkedMadeMain,
        "Verknüpft. Ihr {label}-Konto {who} ist jetzt Ihr Hauptkonto.{copied}",
    ),
    (
        LinkedFormerCopied,
        " Von Ihrem früheren Hauptkonto {settings} jetzt ebenfalls dort.",
    ),
    (Linked, "Ihr {label}-Konto {who} wurde verknüpft.{copied}"),
    (
        LinkedCopied,
        " Von diesem Konto {settings} jetzt in Ihrem Hauptkonto.",
    ),
    (NothingLinked, "Es wurde nichts verknüpft.{more}"),
    (
        AsTheyWereThat,
        " Die Einstellungen dieses Kontos sind wie vorher.",
    ),
    (
        AsTheyWereMain,
        " Die Einstellungen Ihres Hauptkontos sind wie vorher.",
    ),
    (
        PutBack,
        " Die Einstellungen Ihres Hauptkontos wurden auf den vorherigen Stand zurückgesetzt.",
    ),
    (
        RestoreFailed,
        " In Ihrem Hauptkonto {settings} noch geändert; das Zurücksetzen ist fehlgeschlagen. Brechen Sie die Verknüpfung ab, um es erneut zu versuchen, oder ändern Sie es selbst zurück.",
    ),
    (Then, "{first}{then}"),
    (Quoted, "\u{201e}{s}\u{201c}"),
    (Comma, "{a}, {b}"),
    (Setting1, "ist die Einstellung {key}"),
    (SettingsN, "sind die Einstellungen {init} und {last}"),
    (SettingsSome, "sind die Einstellungen"),
    (
        ConfigUnreachable,
        "config.json konnte nicht geladen werden: {cause}.",
    ),
    (
        ConfigNotFound,
        "config.json wurde neben dieser Seite nicht gefunden. Legen Sie die Einstellungen des Tenants dort ab.",
    ),
    (
        ConfigStatus,
        "config.json konnte nicht geladen werden: Der Server antwortete mit {status}.",
    ),
    (ConfigJson, "config.json ist kein gültiges JSON: {cause}."),
    (
        ConfigField,
        "In config.json {problem}: das Feld \"{field}\".",
    ),
    (ConfigNotObject, "muss ein JSON-Objekt stehen"),
    (
        ConfigRedirectPath,
        "muss ein Pfad auf dieser Website stehen, der mit \"/\" beginnt",
    ),
    (ConfigMissingField, "fehlt etwas"),
    (ConfigNotList, "muss eine Liste stehen"),
    (
        ConfigConnectionShape,
        "muss ein Objekt mit \"name\" (und, wenn Sie möchten, \"label\") stehen",
    ),
    (
        ConfigSeconds,
        "muss eine ganze Zahl von Sekunden zwischen {min} und {max} stehen",
    ),
    (ConfigEmpty, "ist etwas leer"),
    (ConfigNotString, "muss eine Zeichenkette stehen"),
    (
        ConfigUrlShape,
        "muss eine URL wie https://example.auth0.com stehen",
    ),
    (
        ConfigHttps,
        "muss eine URL stehen, die mit https:// beginnt",
    ),
    (
        ConfigHttpLoopback,
        "muss https:// stehen (http:// ist nur für 127.0.0.1, localhost oder [::1] erlaubt)",
    ),
    (EmailAndPassword, "E-Mail/Passwort"),
    (EmailCode, "E-Mail-Code"),
    (Both, "{first} {then}"),
    // Was gerade geschieht.
    (Finishing, "Die Antwort des Kontodienstes wird verarbeitet…"),
    (LoadingAccounts, "Ihre Konten werden geladen…"),
    (TakingToSignIn, "Sie werden zur Anmeldung weitergeleitet…"),
    (
        TakingToSignInAgain,
        "Sie werden zur erneuten Anmeldung weitergeleitet…",
    ),
    (SigningOut, "Sie werden abgemeldet…"),
    (
        TakingToLink,
        "Sie werden zu {label} weitergeleitet, um sich mit dem zu verknüpfenden Konto anzumelden…",
    ),
    (LinkingAccount, "Ihr {label}-Konto wird verknüpft…"),
    (CancellingLink, "Die Verknüpfung wird abgebrochen…"),
    (UnlinkingAccount, "Ihr {label}-Konto wird getrennt…"),
    (
        SignedInAgainConfirm,
        "Sie haben sich erneut angemeldet. Prüfen Sie das Konto unten und bestätigen Sie die Verknüpfung oder brechen Sie sie ab.",
    ),
    (
        SignedInAgainUnlink,
        "Sie haben sich erneut angemeldet. Bestätigen Sie unten das Trennen, oder behalten Sie das Konto.",
    ),
    (
        CheckThenConfirm,
        "Prüfen Sie das Konto unten und bestätigen Sie die Verknüpfung oder brechen Sie sie ab.",
    ),
    // Die Liste.
    (AccountsHeading, "Ihre Anmeldekonten"),
    (AccountsPlaceholder, "Hier erscheinen Ihre Konten."),
    (MainBadge, "Hauptkonto"),
    (UnlinkButton, "Trennen"),
    (UnlinkLabel, "{label}-Konto {who} trennen"),
    (
        UnlinkQuestion,
        "Ihr {label}-Konto {who} trennen? Es wird wieder ein eigenes Konto: Wer sich damit anmeldet, öffnet ein eigenes Konto ohne die Einstellungen Ihres Hauptkontos.",
    ),
    (ConfirmUnlink, "Trennen bestätigen"),
    (KeepLinked, "Behalten"),
    // Der Bestätigungsschritt.
    (PictureOf, "Bild von {name}"),
    (ConfirmHeading, "Dieses {label}-Konto verknüpfen?"),
    (
        ConfirmIntro,
        "Nach dem Verknüpfen öffnet eine Anmeldung mit diesem Konto Ihr Hauptkonto. Das Profil Ihres Hauptkontos bleibt, wie es ist; das eigene Profil dieses Kontos bleibt nur als Angabe zum verknüpften Konto erhalten.",
    ),
    (Entries1, "1 Eintrag"),
    (EntriesN, "{n} Einträge"),
    (
        ConfirmAppMetadata,
        "Dieses Konto enthält außerdem {entries} mit Daten, die die Website darüber führt (App-Metadaten). Der Kontodienst verwirft sie beim Verknüpfen; sie werden hier nicht gezeigt.",
    ),
    (ConfirmButton, "Bestätigen: dieses {label}-Konto verknüpfen"),
    (CancelLink, "Abbrechen"),
    (MainLegend, "Welches Konto bleibt Ihr Hauptkonto?"),
    (KeepMain, "{who} als Hauptkonto behalten"),
    (MakeMain, "{who} zum Hauptkonto machen"),
    (MergeMainSide, "Einstellungen Ihres bisherigen Hauptkontos"),
    (MergeOtherSide, "Einstellungen dieses Kontos"),
    (
        MergeIntoNew,
        "Der Kontodienst verwirft die Einstellungen des Kontos, das nicht mehr Hauptkonto ist. Daher werden sie zuerst in dieses Konto, Ihr neues Hauptkonto, übernommen. Eine Einstellung mit mehreren Werten wird als Ganzes übernommen.",
    ),
    (
        MergeIntoMain,
        "Der Kontodienst verwirft die Einstellungen des Kontos, das nicht mehr Hauptkonto ist. Daher werden sie zuerst in Ihr Hauptkonto übernommen. Eine Einstellung mit mehreren Werten wird als Ganzes übernommen.",
    ),
    (MergeNested, " (mehrere Werte, als Ganzes übernommen)"),
    (MergeCopied, "{value}: wird in Ihr Hauptkonto übernommen"),
    (MergeSame, "{value}: in beiden gleich"),
    (
        MergeConflict,
        "{key} unterscheidet sich: Welcher Wert bleibt?",
    ),
    (KeepMainValue, "Wert Ihres Hauptkontos behalten: {value}"),
    (UseOtherValue, "Wert dieses Kontos verwenden: {value}"),
    // Die Seite.
    (Title, "Verknüpfte Konten"),
    (Loading, "Wird geladen…"),
    (LanguageLabel, "Sprache"),
    (SignIn, "Anmelden"),
    (SignOut, "Abmelden"),
    (SignInAgain, "Erneut anmelden"),
    (TryAgain, "Erneut versuchen"),
    (Dismiss, "Schließen"),
    (
        IntroHeading,
        "Melden Sie sich an, um Ihre Konten zu verwalten",
    ),
    (
        IntroText,
        "Verknüpfen Sie Ihre anderen Anmeldekonten mit diesem, damit jedes davon dasselbe Konto öffnet.",
    ),
    (Footer, "Ihre Anmeldekonten werden verwaltet von {host}"),
    (
        PanicMessage,
        "Auf dieser Seite ist ein Fehler aufgetreten, daher wurde sie angehalten. Laden Sie die Seite neu, um von vorn zu beginnen; wenn es wieder passiert, wenden Sie sich an die Betreiber der Website.",
    ),
    (ConfigHeading, "Diese Seite ist nicht richtig eingerichtet"),
    (
        ConfigFix,
        "Die Betreiber der Website können das in config.json beheben. Laden Sie die Seite neu, sobald es behoben ist.",
    ),
    (ProfileLabel, "Ihr Profil"),
    (LinkHeading, "Weiteres Konto verknüpfen"),
    (
        LinkIntro,
        "Sie melden sich mit dem anderen Konto an, um zu zeigen, dass es Ihnen gehört. Verknüpft wird erst, wenn Sie bestätigen.",
    ),
    (LinkConnection, "{label}-Konto verknüpfen"),
];
