//! `cargo xtask dev`: the dev tenant and the app, served together.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::run::{Result, cmd, root, status};
use crate::tools::{self, Need};

pub fn run(args: &[String]) -> Result {
    let mut port: u16 = 8080;
    let mut tenant_port: u16 = 4000;
    let mut reset = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--reset" => reset = true,
            "--port" | "--tenant-port" => {
                let Some(value) = args.next().and_then(|v| v.parse().ok()) else {
                    return Err(format!("{arg} takes a port number"));
                };
                if arg == "--port" {
                    port = value;
                } else {
                    tenant_port = value;
                }
            }
            _ => {
                return Err(format!(
                    "usage: cargo xtask dev [--port 8080] [--tenant-port 4000] [--reset] (got {arg})"
                ));
            }
        }
    }
    check_free(port, "--port")?;
    check_free(tenant_port, "--tenant-port")?;
    tools::ensure(Need::Build)?;

    let app_origin = format!("http://127.0.0.1:{port}");
    let tenant = format!("http://127.0.0.1:{tenant_port}");
    let config_path = root().join("target").join("xtask-dev").join("config.json");
    std::fs::create_dir_all(config_path.parent().expect("a parent")).map_err(|e| e.to_string())?;
    std::fs::write(&config_path, dev_config(&tenant)).map_err(|e| e.to_string())?;

    status(cmd("cargo", &["build", "--quiet", "-p", "dev-tenant"]))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;

    let tenant_bin = crate::run::target_dir().join("debug").join("dev-tenant");
    let listen = format!("127.0.0.1:{tenant_port}");
    let db = root()
        .join("target")
        .join("xtask-dev")
        .join("tenant.sqlite");
    let mut tenant_cmd = cmd(
        &tenant_bin.to_string_lossy(),
        &[
            "--listen",
            &listen,
            "--db",
            &db.to_string_lossy(),
            "--app-origin",
            &app_origin,
            // Suggested linking, as the post-login Action in actions/ gives it.
            "--suggest-linking",
        ],
    );
    if reset {
        tenant_cmd.arg("--reset");
    }
    let mut children = Children(Vec::new());
    let mut tenant_child = tenant_cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let stdout = tenant_child.stdout.take().expect("piped");
    children.0.push(tenant_child);
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("listening on") => {
                println!("dev tenant: {line}");
                break;
            }
            Some(Ok(line)) => println!("{line}"),
            _ => return Err("the dev tenant stopped before it was listening".into()),
        }
    }
    std::thread::spawn(move || {
        lines
            .map_while(std::io::Result::ok)
            .for_each(|l| println!("{l}"))
    });

    let mut trunk = cmd(
        "trunk",
        &[
            "serve",
            "--offline",
            "--address",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ],
    );
    trunk.env("LINK_ACCOUNTS_CONFIG", &config_path);
    children.0.push(
        trunk
            .spawn()
            .map_err(|e| format!("cannot start trunk: {e}"))?,
    );
    println!("\nOpen {app_origin}/ once trunk has built the app. Ctrl-C stops both.\n");

    while !stop.load(Ordering::SeqCst) {
        for child in &mut children.0 {
            if let Ok(Some(code)) = child.try_wait() {
                return Err(format!("a server stopped ({code}); stopping the other"));
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("stopping");
    Ok(())
}

/// The children, stopped with SIGTERM (then waited for) whenever we leave.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            if let Ok(None) = child.try_wait() {
                // SAFETY: kill with a pid we own and a valid signal number.
                unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
            }
        }
        for child in &mut self.0 {
            let _ = child.wait();
        }
    }
}

fn check_free(port: u16, flag: &str) -> Result {
    TcpListener::bind(("127.0.0.1", port))
        .map(drop)
        .map_err(|_| format!("port {port} on 127.0.0.1 is in use; pick another with {flag} <port>"))
}

/// The app's configuration for the dev tenant at `tenant`.
fn dev_config(tenant: &str) -> String {
    let committed = std::fs::read_to_string(root().join("config.json")).unwrap_or_default();
    committed.replace("http://127.0.0.1:4000", tenant)
}
