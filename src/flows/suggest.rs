//! Suggested linking: the other accounts with the person's verified email,
//! as the tenant's post-login Action names them in the verified ID token
//! (`actions/suggest-linking.js`: their connections, nothing more). The
//! page offers to link each one (the usual round-trip, which still makes
//! the person sign in to it), unless they said "Not mine" on this browser.

use std::collections::BTreeMap;

use crate::auth::session::{LINK_SCOPE, Session};
use crate::auth::storage::KeyValue;
use crate::config::{Config, Connection};
use crate::flows::linking;
use crate::tenant::User;

/// The ID token claim the Action adds, namespaced as Auth0 asks.
pub const CLAIM: &str = "https://link-accounts/suggested_connections";

/// In `localStorage`: per user, the connections they said are not theirs.
const NOT_MINE_KEY: &str = "link-accounts.not-mine";

type NotMine = BTreeMap<String, Vec<String>>;

/// The connections to suggest, in the claim's order: those the session's
/// ID token named, that the page offers and the account lacks, and that
/// the person has not hidden; and how many of those it would offer are
/// hidden. None when the main account's email is not verified, or when
/// the page may not link.
pub fn suggestions<'a>(
    config: &'a Config,
    session: &Session,
    user: &User,
    hidden: &[String],
) -> (Vec<&'a Connection>, usize) {
    if user.email.is_none() || user.email_verified != Some(true) || !session.may(LINK_SCOPE) {
        return (Vec::new(), 0);
    }
    let linkable = linking::linkable(config, &user.identities);
    let (shown, hid): (Vec<&Connection>, Vec<&Connection>) = session
        .suggested
        .iter()
        .filter_map(|name| linkable.iter().find(|c| &c.name == name).copied())
        .partition(|c| !hidden.contains(&c.name));
    (shown, hid.len())
}

/// The connections `user_id` hid on this browser.
pub fn hidden(local: &impl KeyValue, user_id: &str) -> Vec<String> {
    local
        .read::<NotMine>(NOT_MINE_KEY)
        .and_then(|mut all| all.remove(user_id))
        .unwrap_or_default()
}

/// "Not mine": `connection` is not suggested to `user_id` again here.
pub fn hide(local: &impl KeyValue, user_id: &str, connection: &str) {
    let mut all = local.read::<NotMine>(NOT_MINE_KEY).unwrap_or_default();
    let mine = all.entry(user_id.to_owned()).or_default();
    if !mine.iter().any(|c| c == connection) {
        mine.push(connection.to_owned());
    }
    local.set(NOT_MINE_KEY, &all);
}

/// Brings back every suggestion `user_id` hid.
pub fn show_hidden(local: &impl KeyValue, user_id: &str) {
    let mut all = local.read::<NotMine>(NOT_MINE_KEY).unwrap_or_default();
    all.remove(user_id);
    if all.is_empty() {
        local.remove(NOT_MINE_KEY);
    } else {
        local.set(NOT_MINE_KEY, &all);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::storage::MemoryStore;

    fn config() -> Config {
        Config::parse(
            r#"{"domain":"https://t.example","client_id":"c","audience":"https://t.example/api/v2/",
            "redirect_path":"/","connections":[{"name":"github","label":"GitHub"},{"name":"sms"},{"name":"email"}]}"#,
        )
        .unwrap()
    }

    fn session(suggested: &[&str], scope: Option<&str>) -> Session {
        Session {
            scope: scope.map(Into::into),
            suggested: suggested.iter().map(|s| s.to_string()).collect(),
            ..Session::for_tests("google-oauth2|1")
        }
    }

    fn ada(verified: Option<bool>, linked: &[&str]) -> User {
        let identities: Vec<_> = ["google-oauth2"]
            .iter()
            .chain(linked)
            .map(|c| serde_json::json!({"provider": c, "user_id": "1", "connection": c}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "user_id": "google-oauth2|1", "email": "ada@example.com",
            "email_verified": verified, "identities": identities,
        }))
        .unwrap()
    }

    fn names((found, _): (Vec<&Connection>, usize)) -> Vec<&str> {
        found.into_iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn only_offered_unlinked_unhidden_connections_of_a_verified_main_account() {
        let c = config();
        let s = session(&["discord", "email", "github", "sms"], None);
        assert_eq!(
            names(suggestions(&c, &s, &ada(Some(true), &["sms"]), &[])),
            ["email", "github"],
            "the claim's order; discord is not offered, sms is linked"
        );
        let hiding_github = suggestions(&c, &s, &ada(Some(true), &[]), &["github".into()]);
        assert_eq!(hiding_github.1, 1, "one hidden");
        assert_eq!(names(hiding_github), ["email", "sms"]);
        assert!(
            suggestions(&c, &s, &ada(Some(false), &[]), &[])
                .0
                .is_empty()
        );
        assert!(suggestions(&c, &s, &ada(None, &[]), &[]).0.is_empty());
        let read_only = session(&["github"], Some("openid read:current_user"));
        assert!(
            suggestions(&c, &read_only, &ada(Some(true), &[]), &[])
                .0
                .is_empty()
        );
        assert!(
            suggestions(&c, &session(&[], None), &ada(Some(true), &[]), &[])
                .0
                .is_empty()
        );
    }

    #[test]
    fn not_mine_is_kept_per_user_and_can_be_brought_back() {
        let local = MemoryStore::default();
        hide(&local, "u1", "github");
        hide(&local, "u1", "github");
        hide(&local, "u1", "sms");
        hide(&local, "u2", "email");
        assert_eq!(hidden(&local, "u1"), ["github", "sms"]);
        assert_eq!(hidden(&local, "u2"), ["email"]);
        show_hidden(&local, "u1");
        assert!(hidden(&local, "u1").is_empty());
        assert_eq!(hidden(&local, "u2"), ["email"]);
        show_hidden(&local, "u2");
        assert!(local.keys().is_empty());
    }
}
