//! The gates, the pending link in storage, and the list's rules.

use super::*;
use crate::auth::storage::MemoryStore;
use crate::tenant::ProfileData;

fn claims(sub: &str, email: Option<&str>, verified: Option<bool>) -> IdClaims {
    IdClaims {
        sub: sub.into(),
        name: Some("N".into()),
        email: email.map(Into::into),
        email_verified: verified,
        phone_number: None,
        phone_number_verified: None,
        picture: None,
        auth_time: None,
        suggested: Vec::new(),
    }
}

fn identity(provider: &str, user_id: &str, connection: &str) -> Identity {
    Identity {
        provider: provider.into(),
        user_id: user_id.into(),
        connection: connection.into(),
        is_social: true,
        profile_data: None,
    }
}

#[test]
fn only_a_verified_email_of_another_account_passes() {
    assert!(
        gate(
            &claims("github|2", Some("a@x"), Some(true)),
            "google-oauth2|1",
            &"GitHub".into()
        )
        .is_ok()
    );
    let unverified = gate(
        &claims("github|2", Some("a@x"), Some(false)),
        "google-oauth2|1",
        &"GitHub".into(),
    );
    assert_eq!(
        unverified.unwrap_err().message.en(),
        "Verify a@x with GitHub first, then link it."
    );
    let missing = gate(
        &claims("github|2", Some("a@x"), None),
        "google-oauth2|1",
        &"GitHub".into(),
    );
    assert!(missing.is_err(), "no email_verified claim is not verified");
    let same = gate(
        &claims("google-oauth2|1", Some("a@x"), Some(true)),
        "google-oauth2|1",
        &"Google".into(),
    );
    assert_eq!(
        same.unwrap_err().message.en(),
        "That is the account you are signed in with."
    );
}

#[test]
fn a_phone_account_passes_with_a_verified_phone_number() {
    let mut c = claims("sms|1", None, None);
    c.phone_number = Some("+1555".into());
    c.phone_number_verified = Some(true);
    assert!(gate(&c, "google-oauth2|1", &"SMS".into()).is_ok());
    c.phone_number_verified = Some(false);
    assert!(gate(&c, "google-oauth2|1", &"SMS".into()).is_err());
    c.phone_number = None;
    assert!(gate(&c, "google-oauth2|1", &"SMS".into()).is_err());
}

#[test]
fn the_main_identity_is_recognised_whole_even_with_several_pipes() {
    let user = "oauth2|discord|123";
    let main = identity("oauth2", "discord|123", "discord");
    let other = identity("oauth2", "discord", "discord");
    assert!(is_main(&main, user));
    assert!(!is_main(&other, user), "a prefix of the id is not the id");
    assert!(!is_main(&identity("github", "123", "github"), user));
    let list = ordered(&[identity("github", "9", "github"), main.clone()], user);
    assert_eq!(list[0], main);
}

#[test]
fn linkable_connections_are_the_configured_ones_not_yet_present() {
    let config = Config::parse(
        r#"{"domain":"https://t.example","client_id":"c","audience":"https://t.example/api/v2/",
        "redirect_path":"/","connections":[{"name":"github","label":"GitHub"},{"name":"sms","label":"SMS"}]}"#,
    )
    .unwrap();
    let have = [identity("github", "1", "github")];
    let names: Vec<&str> = linkable(&config, &have)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["sms"]);
}

#[test]
fn a_pending_link_survives_a_reload_only_for_its_own_user() {
    let store = MemoryStore::default();
    let session = Session::for_tests("google-oauth2|1");
    let pending = PendingLink::new(
        session.user_id.clone(),
        "github".into(),
        (Secret("t".into()), 10),
        claims("github|2", Some("a@x"), Some(true)),
        serde_json::from_value(serde_json::json!({
            "user_id": "github|2", "user_metadata": {"editor": "vim"}, "app_metadata": {"plan": "x"}
        }))
        .unwrap(),
    );
    assert_eq!(pending.app_metadata_entries, 1);
    save_pending(&store, &pending);
    assert_eq!(load_pending(&store, &session), Some(pending));
    let other = Session {
        user_id: "auth0|9".into(),
        ..session.clone()
    };
    assert_eq!(load_pending(&store, &other), None);
    assert_eq!(load_pending(&store, &session), None, "dropped for good");
}

#[test]
fn identities_are_named_by_email_then_phone_then_name() {
    let mut i = identity("sms", "1", "sms");
    assert_eq!(identity_who(&i), None);
    i.profile_data = Some(ProfileData {
        phone_number: Some("+1".into()),
        name: Some("n".into()),
        ..Default::default()
    });
    assert_eq!(identity_who(&i).as_deref(), Some("+1"));
}

#[test]
fn accounts_are_linked_only_to_a_main_account_whose_email_or_phone_is_verified() {
    let user = |v: serde_json::Value| -> User { serde_json::from_value(v).unwrap() };
    let verified =
        user(serde_json::json!({"user_id": "a|1", "email": "a@x", "email_verified": true}));
    assert_eq!(main_verified(&verified), Ok(()));
    for unverified in [
        serde_json::json!({"user_id": "a|1", "email": "a@x", "email_verified": false}),
        serde_json::json!({"user_id": "a|1", "email": "a@x"}),
        serde_json::json!({"user_id": "a|1", "email": "a@x", "phone_number": "+1", "phone_verified": true}),
    ] {
        let why = main_verified(&user(unverified.clone())).unwrap_err();
        assert!(
            why.en().starts_with("Verify a@x first"),
            "{unverified}: {}",
            why.en()
        );
    }
    let phone =
        user(serde_json::json!({"user_id": "sms|1", "phone_number": "+1", "phone_verified": true}));
    assert_eq!(main_verified(&phone), Ok(()));
    let neither = user(serde_json::json!({"user_id": "x|1"}));
    assert!(main_verified(&neither).unwrap_err().en().contains("x|1"));
}
