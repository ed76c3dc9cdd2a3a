//! Whether an account may be linked: the gates on its ID token, and the
//! checks on the account as its own token reads it.

use crate::auth::id_token::IdClaims;
use crate::config::Config;
use crate::flows::{Next, Problem};
use crate::tenant::User;
use crate::text;
use crate::text::{Key, Text};

/// The gates before a link may even be offered, each with its own message.
pub fn gate(claims: &IdClaims, primary: &str, label: &Text) -> Result<(), Problem> {
    if claims.sub == primary {
        return Err(Problem::new(Key::SameAccount, Next::Dismiss));
    }
    match (
        &claims.email,
        claims.email_verified,
        &claims.phone_number,
        claims.phone_number_verified,
    ) {
        (Some(_), Some(true), _, _) => Ok(()),
        (Some(email), _, _, _) => Err(Problem::new(
            text!(VerifyFirst, who = email, label = label),
            Next::Dismiss,
        )),
        // Passwordless SMS accounts have a phone number and no email.
        (None, _, Some(_), Some(true)) => Ok(()),
        (None, _, Some(phone), _) => Err(Problem::new(
            text!(VerifyFirst, who = phone, label = label),
            Next::Dismiss,
        )),
        (None, _, None, _) => Err(Problem::new(
            text!(NothingVerified, label = label),
            Next::Dismiss,
        )),
    }
}

/// The checks on the account as its own token reads it, before a link is
/// offered: the same account as the ID token's, not someone's main account
/// with other sign-in methods (linking it would merge that whole user), and
/// of the connection the person chose.
pub fn check_other(
    claims: &IdClaims,
    other: &User,
    connection: &str,
    config: &Config,
) -> Result<(), Problem> {
    let label = config.label_of(connection);
    if other.user_id != claims.sub {
        return Err(Problem::new(Key::DifferentAccount, Next::Dismiss));
    }
    if other.identities.len() > 1 {
        let who = other
            .email
            .clone()
            .or_else(|| other.name.clone())
            .unwrap_or_else(|| other.user_id.clone());
        return Err(Problem::new(
            text!(OthersMainAccount, who = who, n = other.identities.len()),
            Next::Dismiss,
        ));
    }
    match other.identities.iter().find(|i| i.full_id() == claims.sub) {
        Some(i) if i.connection == connection => Ok(()),
        found => {
            let used = found.map_or(Key::AnotherKind.into(), |i| config.label_of(&i.connection));
            Err(Problem::new(
                text!(WrongConnection, used = used, label = label),
                Next::Dismiss,
            ))
        }
    }
}
