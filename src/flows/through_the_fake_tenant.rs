//! The flows end to end, natively, through the fake tenant: every branch of
//! completing a callback, linking and unlinking, and what each leaves in
//! storage.

mod completing;
mod confirming;
mod link_callback;
mod main_choice;
mod merging;
mod stepping_up;
mod the_account;

use serde_json::{Map, Value, json};

use super::account;
use super::linking::{self, Changed, NotLinked, PendingLink};
use super::sign_in::{self, Callback, Returned};
use super::{Env, KeyCache, Next};
use crate::auth::session::{self, SESSION_KEY, Session};
use crate::auth::storage::{KeyValue, MemoryStore};
use crate::auth::transaction::{self, Purpose};
use crate::auth::urls;
use crate::config::Config;
use crate::tenant::fake::{Call, FakeTenant, block_on};

const ADA: &str = "google-oauth2|ada";
const ADA_GITHUB: &str = "github|4242";
const BOB: &str = "auth0|bob";

/// One tab of the page: its stores and key cache, and the tenant.
struct Page {
    config: Config,
    tenant: FakeTenant,
    local: MemoryStore,
    tab: MemoryStore,
    keys: KeyCache,
    now: i64,
}

impl Page {
    fn new() -> Self {
        let config = Config::parse(
            r#"{"domain":"https://tenant.example","client_id":"spa","audience":"https://tenant.example/api/v2/",
            "redirect_path":"/","connections":[{"name":"github","label":"GitHub"},{"name":"sms","label":"SMS"}]}"#,
        )
        .unwrap();
        let tenant = FakeTenant::new(&config.issuer(), &config.client_id);
        tenant.add_user(ADA, "ada@example.com");
        tenant.add_user(ADA_GITHUB, "ada@github.example");
        tenant.add_user(BOB, "bob@example.com");
        Page {
            config,
            tenant,
            local: MemoryStore::default(),
            tab: MemoryStore::default(),
            keys: KeyCache::default(),
            now: crate::auth::now(),
        }
    }

    fn env(&self) -> Env<'_, FakeTenant, MemoryStore> {
        Env {
            config: &self.config,
            tenant: &self.tenant,
            local: &self.local,
            tab: &self.tab,
            keys: &self.keys,
            redirect_uri: "https://app.example/",
            now: self.now,
        }
    }

    /// The `state` and `nonce` of a round-trip URL.
    fn state_and_nonce(url: &str) -> (String, String) {
        let q = urls::query_params(url.split_once('?').unwrap().1);
        let get = |k: &str| q.iter().find(|(qk, _)| qk == k).unwrap().1.clone();
        (get("state"), get("nonce"))
    }

    /// The tenant sends the person back with `code`, which answers an ID
    /// token for `sub` (plus `claims`) with the round-trip's nonce.
    fn come_back(&self, url: &str, sub: &str, claims: Value) -> Callback {
        let (state, nonce) = Self::state_and_nonce(url);
        let mut all = json!({"sub": sub, "nonce": nonce, "email": format!("{sub}@mail.example"), "email_verified": true});
        for (k, v) in claims.as_object().unwrap() {
            all[k] = v.clone();
        }
        let id_token = self.tenant.id_token(all);
        self.tenant
            .issue_code("the-code", FakeTenant::tokens_for(sub, &id_token));
        callback(&state, "the-code")
    }

    fn complete(&self, cb: &Callback, current: Option<&Session>) -> Returned {
        block_on(sign_in::complete(&self.env(), cb, current))
    }

    /// Signs in as `user_id` the whole way.
    fn signed_in(&self, user_id: &str) -> Session {
        let url = sign_in::start(&self.env());
        let cb = self.come_back(&url, user_id, json!({}));
        match self.complete(&cb, None) {
            Returned::SignedIn { session, .. } => session,
            other => panic!("not signed in: {other:?}"),
        }
    }

    /// A fresh sign-in's update token for `session`'s user, in this tab,
    /// as a step-up leaves it.
    fn fresh(&self, session: &Session) {
        crate::flows::step_up::keep_update(
            &self.tab,
            &session.user_id,
            &crate::auth::Secret(FakeTenant::access_token(&session.user_id)),
            self.now + 600,
            self.now,
        );
    }

    /// Starts linking `connection` and comes back as `sub`.
    fn link_callback(
        &self,
        session: &Session,
        connection: &str,
        sub: &str,
        claims: Value,
    ) -> Callback {
        let url = linking::start(&self.env(), session, connection, None).unwrap();
        self.come_back(&url, sub, claims)
    }

    /// A pending link for Ada's GitHub account, stored as the page stores it.
    fn pending(&self, session: &Session) -> PendingLink {
        let cb = self.link_callback(session, "github", ADA_GITHUB, json!({}));
        match self.complete(&cb, Some(session)) {
            Returned::LinkReady { pending, .. } => pending,
            other => panic!("no pending link: {other:?}"),
        }
    }

    fn stored_session(&self) -> Option<String> {
        self.local.text(SESSION_KEY)
    }

    fn identities_of(&self, user_id: &str) -> Vec<String> {
        self.tenant.user(user_id).unwrap()["identities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{}|{}",
                    i["provider"].as_str().unwrap(),
                    i["user_id"].as_str().unwrap()
                )
            })
            .collect()
    }
}

fn callback(state: &str, code: &str) -> Callback {
    Callback {
        state: Some(state.into()),
        code: Some(code.into()),
        ..Callback::default()
    }
}

fn refused(returned: Returned) -> (super::Problem, Option<PendingLink>) {
    match returned {
        Returned::Refused { problem, pending } => (problem, pending),
        other => panic!("not refused: {other:?}"),
    }
}

fn identity(provider: &str, user_id: &str) -> crate::tenant::Identity {
    crate::tenant::Identity {
        provider: provider.into(),
        user_id: user_id.into(),
        connection: provider.into(),
        is_social: true,
        profile_data: None,
    }
}
