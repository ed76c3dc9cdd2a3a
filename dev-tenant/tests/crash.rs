//! A `kill -9` at any point of a link or unlink leaves the user either
//! linked or not, never half: the real binary, a real SQLite file.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};

use dev_tenant::keys::SigningKey;
use dev_tenant::store::Store;
use serde_json::json;

const ADA: &str = "google-oauth2|104857600000000000001";
const GITHUB: &str = "github|4242001";

/// The tenant's process, killed (`SIGKILL`) when dropped, so that a failing
/// test leaves nothing running.
struct Tenant(Child);

impl Tenant {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Tenant {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts the tenant on a free port; returns it and its address.
fn start(db: &std::path::Path) -> (Tenant, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dev-tenant"))
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the dev tenant");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .expect("listening")
        .parse()
        .unwrap();
    (Tenant(child), addr)
}

/// Sends one request; with `wait`, reads the whole answer.
fn send(addr: SocketAddr, method: &str, path: &str, token: &str, body: &str, wait: bool) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    if wait {
        s.read_to_string(&mut answer).unwrap();
    }
    answer
}

/// Linked (the secondary is an identity of Ada's and no user of its own) or
/// not (the other way round): exactly one.
fn linked_or_not(db: &std::path::Path) -> bool {
    let store = Store::open(Some(db)).unwrap();
    let owner = store
        .owner_of(GITHUB)
        .unwrap()
        .expect("the identity exists");
    let own_user = store.user(GITHUB).unwrap().is_some();
    let in_ada = store
        .user(ADA)
        .unwrap()
        .unwrap()
        .identities
        .iter()
        .any(|i| i.full_id() == GITHUB);
    match owner.as_str() {
        ADA => assert!(
            !own_user && in_ada,
            "linked to Ada but still a user, or missing from her list"
        ),
        GITHUB => assert!(
            own_user && !in_ada,
            "its own again but not a user, or still in Ada's list"
        ),
        other => panic!("owned by {other}"),
    }
    owner == ADA
}

#[test]
fn a_kill_at_any_point_leaves_the_user_linked_or_not() {
    let dir = std::env::temp_dir().join(format!("dev-tenant-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("tenant.sqlite");
    let (mut seed_run, _) = start(&db);
    seed_run.kill();
    let pem = Store::open(Some(&db))
        .unwrap()
        .keys()
        .unwrap()
        .pop()
        .unwrap()
        .pem;
    let key = SigningKey::from_pem(&pem).unwrap();

    let mut outcomes = Vec::new();
    for round in 0..8u32 {
        let (mut tenant, addr) = start(&db);
        let issuer = format!("http://{addr}/");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let admin = key.sign(&json!({
            "iss": issuer, "sub": "admin@clients", "aud": format!("{issuer}api/v2/"),
            "iat": now, "exp": now + 600, "scope": "update:users read:users",
        }));
        // Complete a few operations, then kill while the next one is in flight.
        let mut linked = linked_or_not(&db);
        for i in 0..=(round % 4) {
            let last = i == round % 4;
            let answer = if linked {
                send(
                    addr,
                    "DELETE",
                    "/api/v2/users/google-oauth2%7C104857600000000000001/identities/github/4242001",
                    &admin,
                    "",
                    !last,
                )
            } else {
                let body = json!({"provider": "github", "user_id": "4242001"}).to_string();
                send(
                    addr,
                    "POST",
                    "/api/v2/users/google-oauth2%7C104857600000000000001/identities",
                    &admin,
                    &body,
                    !last,
                )
            };
            if !last {
                assert!(answer.starts_with("HTTP/1.1 20"), "round {round}: {answer}");
                linked = !linked;
            }
        }
        tenant.kill();
        outcomes.push(linked_or_not(&db));
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("linked after each kill: {outcomes:?}");
}

#[test]
fn a_rotated_key_is_published_beside_the_old_one_which_still_verifies() {
    let dir = std::env::temp_dir().join(format!("dev-tenant-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("tenant.sqlite");
    let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
    let open = || {
        dev_tenant::AppState::open(
            addr,
            dev_tenant::Options {
                db: Some(db.clone()),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let before = open();
    let old_kid = before.keys().active().kid.clone();
    let old_token = before.keys().active().sign(&json!({"sub": "x"}));
    drop(before);
    let new_kid = dev_tenant::rotate_keys(&db).unwrap();
    assert_ne!(new_kid, old_kid);
    let after = open();
    let keys = after.keys();
    assert_eq!(keys.active().kid, new_kid, "the new key signs");
    let published: Vec<String> = keys.jwks()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(published, [old_kid, new_kid]);
    assert!(
        keys.verify(&old_token).is_ok(),
        "tokens of the old key still verify"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
