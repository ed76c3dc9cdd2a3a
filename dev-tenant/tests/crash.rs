//! A `kill -9` inside a link or an unlink transaction leaves the user either
//! linked or not, never half: the real binary, a real SQLite file, and the
//! tenant's debug-build crash points (`DEV_TENANT_CRASH_POINT`), which stop
//! it between the statements of the transaction so the kill lands there.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use dev_tenant::keys::SigningKey;
use dev_tenant::store::Store;
use serde_json::json;

const ADA: &str = "google-oauth2|104857600000000000001";
const GITHUB: &str = "github|4242001";

/// The tenant's process, killed (`SIGKILL`) when dropped, so that a failing
/// test leaves nothing running.
struct Tenant {
    child: Child,
    addr: SocketAddr,
    /// Its stderr, line by line.
    stderr: mpsc::Receiver<String>,
    /// Requests sent without waiting, kept open: a closed connection could
    /// cancel the request before it reaches the crash point.
    open: Mutex<Vec<TcpStream>>,
}

impl Tenant {
    /// Starts the tenant on a free port of `db`, stopping at `crash_point`
    /// if one is named.
    fn start(db: &Path, crash_point: Option<&str>) -> Tenant {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dev-tenant"));
        command
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .env_remove("DEV_TENANT_CRASH_POINT")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(point) = crash_point {
            command.env("DEV_TENANT_CRASH_POINT", point);
        }
        let mut child = command.spawn().expect("start the dev tenant");
        let (lines, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("listening, not {line:?}"))
            .parse()
            .unwrap();
        Tenant {
            child,
            addr,
            stderr,
            open: Mutex::new(Vec::new()),
        }
    }

    /// Waits, with a deadline, until the tenant says it stopped at `point`.
    fn stopped_at(&self, point: &str) {
        let want = format!("dev-tenant: crash point {point}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) if line == want => return,
                Ok(_) => {}
                Err(e) => panic!("the tenant never reached crash point {point}: {e}"),
            }
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A Management API token for the tenant, signed with its key in `db`.
    fn admin(&self, db: &Path) -> String {
        let pem = Store::open(Some(db))
            .unwrap()
            .keys()
            .unwrap()
            .pop()
            .unwrap()
            .pem;
        let key = SigningKey::from_pem(&pem).unwrap();
        let issuer = format!("http://{}/", self.addr);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        key.sign(&json!({
            "iss": issuer, "sub": "admin@clients", "aud": format!("{issuer}api/v2/"),
            "iat": now, "exp": now + 600, "scope": "update:users read:users",
        }))
    }

    /// Sends one request; with `wait`, reads the whole answer, else keeps
    /// the connection open and answers nothing.
    fn send(&self, method: &str, path: &str, token: &str, body: &str, wait: bool) -> String {
        let addr = self.addr;
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
        } else {
            self.open.lock().unwrap().push(s);
        }
        answer
    }

    fn link(&self, token: &str, wait: bool) -> String {
        let body = json!({"provider": "github", "user_id": "4242001"}).to_string();
        self.send("POST", ADA_IDENTITIES, token, &body, wait)
    }

    fn unlink(&self, token: &str, wait: bool) -> String {
        let path = format!("{ADA_IDENTITIES}/github/4242001");
        self.send("DELETE", &path, token, "", wait)
    }
}

impl Drop for Tenant {
    fn drop(&mut self) {
        self.kill();
    }
}

const ADA_IDENTITIES: &str = "/api/v2/users/google-oauth2%7C104857600000000000001/identities";

/// Linked (the secondary is an identity of Ada's and no user of its own) or
/// not (the other way round): exactly one, else this fails.
fn linked(db: &Path) -> bool {
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

/// A fresh store file in its own directory, seeded by a first start.
fn fresh_db(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("dev-tenant-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("tenant.sqlite");
    let mut first = Tenant::start(&db, None);
    // The first key is made while the tenant already listens: the keys'
    // answer waits for it, and by then it is stored.
    let jwks = first.send("GET", "/.well-known/jwks.json", "", "", true);
    assert!(jwks.starts_with("HTTP/1.1 200"), "{jwks}");
    first.kill();
    (dir, db)
}

#[test]
fn a_kill_inside_the_link_transaction_leaves_the_user_unlinked_and_the_link_can_be_made_again() {
    let (dir, db) = fresh_db("crash-link");
    assert!(!linked(&db), "the seed starts unlinked");

    let mut tenant = Tenant::start(&db, Some("link"));
    let admin = tenant.admin(&db);
    tenant.link(&admin, false);
    tenant.stopped_at("link");
    tenant.kill();
    assert!(!linked(&db), "a link killed before its commit is not made");

    let tenant = Tenant::start(&db, None);
    let answer = tenant.link(&tenant.admin(&db), true);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(linked(&db));
    drop(tenant);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_kill_inside_the_unlink_transaction_leaves_the_user_linked_and_the_unlink_can_be_made_again() {
    let (dir, db) = fresh_db("crash-unlink");
    let tenant = Tenant::start(&db, None);
    let answer = tenant.link(&tenant.admin(&db), true);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    drop(tenant);
    assert!(linked(&db));

    let mut tenant = Tenant::start(&db, Some("unlink"));
    let admin = tenant.admin(&db);
    tenant.unlink(&admin, false);
    tenant.stopped_at("unlink");
    tenant.kill();
    assert!(
        linked(&db),
        "an unlink killed before its commit is not made"
    );

    let tenant = Tenant::start(&db, None);
    let answer = tenant.unlink(&tenant.admin(&db), true);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(!linked(&db));
    drop(tenant);
    let _ = std::fs::remove_dir_all(&dir);
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
