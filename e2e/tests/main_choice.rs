//! Choosing which account stays main, in Chromium against the dev tenant.

use e2e::{ADA, ADA_ID, Login, World};

const ADA_GITHUB: Login = Login::Social {
    connection: "github",
    email: "ada@example.com",
};
const ADA_GITHUB_ID: &str = "github|4242001";
const ADA_SMS_ID: &str = "sms|65a1b2c3d4e5f6071829aa01";

/// Signed in as Ada, then through GitHub's page to the confirm step.
async fn ada_at_confirm(w: &World) {
    w.sign_in(&ADA).await;
    w.link_round_trip("GitHub", &ADA_GITHUB).await;
    w.wait_for_text("#confirm-link", "Link this GitHub account?")
        .await;
}

#[tokio::test]
async fn making_the_other_account_main_switches_the_session_to_it() {
    let w = World::start().await;
    ada_at_confirm(&w).await;
    w.wait_for_text(
        "#main-choice",
        "Keep ada@example.com (Google) as your main account",
    )
    .await;
    w.click("#make-main").await;
    // The preview is now of the account that stops being main.
    w.wait_for_text("#merge-plan", "Your current main account's settings")
        .await;
    w.click("#confirm-link-button").await;
    w.wait_for_text("#status", "is now your main account").await;
    w.wait_for("li[data-identity='github|4242001'][data-main='true']")
        .await;
    w.wait_for("li[data-identity='google-oauth2|104857600000000000001'][data-main='false']")
        .await;
    w.wait_for_tenant_idle().await;
    let session = w.local_storage("link-accounts.session").await.unwrap();
    assert!(session.contains(ADA_GITHUB_ID), "{session}");
    assert!(
        w.tenant_log()
            .contains(&"POST /api/v2/users/github%7C4242001/identities 201".to_owned()),
        "{:?}",
        w.tenant_log()
    );
    let main = w.tenant.store().user(ADA_GITHUB_ID).unwrap().unwrap();
    assert_eq!(main.identities.len(), 2);
    assert!(w.tenant.store().user(ADA_ID).unwrap().is_none());
    // Signing out and in with the former main account's connection opens the same user.
    w.click("#sign-out").await;
    w.wait_for("#sign-in").await;
    w.sign_in(&ADA).await;
    w.wait_for("li[data-identity='github|4242001'][data-main='true']")
        .await;
    let session = w.local_storage("link-accounts.session").await.unwrap();
    assert!(session.contains(ADA_GITHUB_ID), "{session}");
    w.close().await;
}

#[tokio::test]
async fn the_choice_is_disabled_with_its_reason_when_the_main_account_has_linked_accounts() {
    let w = World::start().await;
    w.tenant
        .store()
        .link(ADA_ID, ADA_SMS_ID, &w.tenant.now_text())
        .unwrap();
    ada_at_confirm(&w).await;
    w.wait_for_text("#make-main-why", "1 other linked account,")
        .await;
    let disabled = w
        .browser
        .execute(
            "return document.getElementById('make-main').disabled;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(disabled, serde_json::json!(true));
    w.close().await;
}

#[tokio::test]
async fn a_main_account_whose_email_is_not_verified_is_told_to_verify_it_first() {
    let w = World::start().await;
    let mallory = Login::Social {
        connection: "google-oauth2",
        email: "mallory@example.com",
    };
    w.sign_in(&mallory).await;
    w.wait_for_text("#verify-main-first", "Verify mallory@example.com first")
        .await;
    assert!(!w.has("button[data-connection]").await, "no link button");
    assert!(w.changes().is_empty());
    w.close().await;
}

#[tokio::test]
async fn two_accounts_with_the_same_email_are_told_apart_by_where_they_sign_in() {
    let w = World::start().await;
    w.sign_in(&e2e::GRACE).await;
    w.link_round_trip(
        "Email code",
        &Login::Code {
            connection: "email",
            who: "grace@example.com",
        },
    )
    .await;
    let keep = w
        .wait_for_text(
            "label[for='keep-main']",
            "grace@example.com (Email and password)",
        )
        .await;
    let make = w
        .wait_for_text("label[for='make-main']", "grace@example.com (Email code)")
        .await;
    assert_ne!(keep, make);
    assert!(w.changes().is_empty(), "nothing before the click");
    w.close().await;
}

const GRACE_ID: &str = "auth0|65a1b2c3d4e5f60718293a4b";
const GRACE_EMAIL_ID: &str = "email|65a1b2c3d4e5f6071829bb01";
const GRACE_EMAIL: Login = Login::Code {
    connection: "email",
    who: "grace@example.com",
};

/// Waits until the step has read both accounts' MFA enrollments.
async fn factors_read(w: &World) {
    e2e::poll_until("the MFA enrollments were read", || async {
        let text = w
            .browser
            .execute(
                "const p = document.getElementById('price'); return p ? p.textContent : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if text.contains("being checked") || text.is_empty() {
            Err(text)
        } else {
            Ok(())
        }
    })
    .await;
}

#[tokio::test]
async fn grace_making_her_email_code_account_main_is_told_her_password_account_loses_its_id_and_factor()
 {
    let w = World::start().await;
    w.sign_in(&e2e::GRACE).await;
    w.link_round_trip("Email code", &GRACE_EMAIL).await;
    // Kept as it is: the email-code account steps down, with its app data.
    w.wait_for_text(
        "#price-intro",
        "grace@example.com stops being an account of its own",
    )
    .await;
    w.wait_for_text("#price-user-id", GRACE_EMAIL_ID).await;
    w.wait_for_text("#price-app-data", "2 entries").await;
    factors_read(&w).await;
    assert!(!w.has("#price-factors").await, "it has no MFA enrollment");
    // Made main: the password account steps down; its id and its
    // authenticator go, and it has no app data.
    w.click("#make-main").await;
    w.wait_for_text("#price-user-id", GRACE_ID).await;
    w.wait_for_text("#price-factors", "its 1 MFA sign-in factor is removed")
        .await;
    assert!(!w.has("#price-app-data").await);
    assert!(!w.has("#price-understood").await, "no app data to confirm");
    w.wait_for_text("#price-roles", "cannot read").await;
    assert!(w.changes().is_empty(), "nothing before the click");
    w.click("#confirm-link-button").await;
    w.wait_for_text("#status", "is now your main account").await;
    w.wait_for_tenant_idle().await;
    // What was shown is what happened: the email-code user is main and
    // keeps its app data; the password user, its id and its enrollment are gone.
    let main = w.tenant.store().user(GRACE_EMAIL_ID).unwrap().unwrap();
    assert_eq!(main.identities.len(), 2);
    assert_eq!(main.app_metadata["plan"], "pro");
    assert!(w.tenant.store().user(GRACE_ID).unwrap().is_none());
    assert!(w.tenant.store().enrollments(GRACE_ID).unwrap().is_empty());
    assert!(
        w.tenant_log().contains(&format!(
            "POST /api/v2/users/{}/identities 201",
            GRACE_EMAIL_ID.replace('|', "%7C")
        )),
        "{:?}",
        w.tenant_log()
    );
    w.close().await;
}

#[tokio::test]
async fn a_main_account_that_would_lose_its_app_data_asks_for_a_second_confirmation() {
    let w = World::start().await;
    // Grace signs in with her email code this time: that account has app data.
    w.sign_in(&GRACE_EMAIL).await;
    w.link_round_trip("Email and password", &e2e::GRACE).await;
    w.wait_for_text("#price-user-id", GRACE_ID).await;
    factors_read(&w).await;
    w.wait_for_text("#price-factors", "its 1 MFA sign-in factor is removed")
        .await;
    w.click("#make-main").await;
    w.wait_for_text("#price-app-data", "2 entries").await;
    w.wait_for_text("label[for='price-understood']", "my main account until now")
        .await;
    let disabled = w
        .browser
        .execute(
            "return document.getElementById('confirm-link-button').disabled;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        disabled,
        serde_json::json!(true),
        "not before the second confirmation"
    );
    w.click("#price-understood").await;
    w.click("#confirm-link-button").await;
    w.wait_for_text("#status", "is now your main account").await;
    w.wait_for_tenant_idle().await;
    // As shown: the email-code user and its app data are gone.
    assert!(w.tenant.store().user(GRACE_EMAIL_ID).unwrap().is_none());
    let main = w.tenant.store().user(GRACE_ID).unwrap().unwrap();
    assert!(main.app_metadata.get("plan").is_none());
    w.close().await;
}
