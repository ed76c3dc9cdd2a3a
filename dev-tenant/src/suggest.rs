//! Suggested linking, as the post-login Action in `actions/` computes it:
//! at a login whose user has a verified email, the connections of the other
//! users with that same verified email, in one namespaced ID token claim.
//! On with [`crate::Options::suggest_linking`], which also gives the Action's
//! machine-to-machine application (its client-credentials grant, scope
//! `read:users`), so that the Action itself can run against this tenant.

use serde_json::{Value, json};

use crate::store::{Result, Store, User};

/// The claim, namespaced as Auth0 asks of custom claims. The Action and
/// the page use the same name.
pub const CLAIM: &str = "https://link-accounts/suggested_connections";

/// The Action's machine-to-machine application: its id and secret (a dev
/// tenant's, never a real one's), and the one scope it is granted.
pub const ACTION_CLIENT_ID: &str = "link-accounts-action";
pub const ACTION_CLIENT_SECRET: &str = "dev-tenant-action-secret";
pub const ACTION_SCOPE: &str = "read:users";

/// The connections to suggest to `user`: none unless its email is
/// verified; then those of the other users with the same email, verified
/// too, that are not already `user`'s identities (each user's main
/// identity's connection, once each, in the users' order).
pub fn suggested(store: &Store, user: &User) -> Result<Vec<String>> {
    let email = match (user.claim("email"), user.profile.get("email_verified")) {
        (Some(email), Some(Value::Bool(true))) => email,
        _ => return Ok(Vec::new()),
    };
    let mut connections: Vec<String> = Vec::new();
    for other in store.users_by_email(email)? {
        let verified = other.profile.get("email_verified") == Some(&Value::Bool(true));
        let mine = other.user_id == user.user_id
            || user.identities.iter().any(|i| i.full_id() == other.user_id);
        if !verified || mine {
            continue;
        }
        if let Some(main) = other.identities.first()
            && !connections.contains(&main.connection)
        {
            connections.push(main.connection.clone());
        }
    }
    Ok(connections)
}

/// `event.user` as the Action sees it: the fields it reads.
pub fn event_user(user: &User) -> Value {
    json!({
        "user_id": user.user_id,
        "email": user.profile.get("email"),
        "email_verified": user.profile.get("email_verified").cloned().unwrap_or(json!(false)),
        "identities": user.identities.iter().map(|i| json!({
            "provider": i.provider,
            "user_id": i.user_id,
            "connection": i.connection,
        })).collect::<Vec<_>>(),
    })
}
