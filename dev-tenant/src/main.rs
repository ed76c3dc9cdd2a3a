//! `dev-tenant --listen 127.0.0.1:4000 --db <file> [--seed <file>]
//! [--app-origin <url>]... [--test-controls] [--reset]`: runs the tenant
//! until Ctrl-C or SIGTERM. `dev-tenant keys rotate --db <file>` adds a
//! signing key.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use dev_tenant::Options;
use tokio::net::TcpListener;

const USAGE: &str = "\
usage: dev-tenant [--listen 127.0.0.1:4000] [--db FILE] [--seed FILE]
                  [--app-origin URL]... [--rate-limit BURST/PER_MINUTE]
                  [--refuse-scope SCOPE]... [--suggest-linking]
                  [--test-controls] [--reset]
       dev-tenant keys rotate --db FILE

  --listen        address to listen on (default 127.0.0.1:4000)
  --db            SQLite file (default: in memory, gone when it stops)
  --seed          seed file for the first start (default: the shipped cast)
  --app-origin    the app's origin; sets the client's callback, logout and
                  web-origin URLs (repeatable)
  --rate-limit    limits on calls with a user's own token, per user
                  (default 20/60: a burst of 20, then 60 a minute)
  --refuse-scope  a scope the client is not granted, as a tenant that does
                  not allow it (update:current_user_metadata, say)
  --suggest-linking  suggested linking, as the post-login Action in actions/
                  computes it: the claim in ID tokens, users-by-email, and
                  the Action's machine-to-machine application
                  (link-accounts-action, scope read:users)
  --test-controls mount /__controls/ (faults, token defects, request log)
  --reset         forget every user, code and token, and seed again";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "dev_tenant=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("keys") {
        return keys(&args[1..]);
    }
    let mut listen: SocketAddr = "127.0.0.1:4000".parse().expect("a valid default address");
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => match args.next().map(|a| a.parse()) {
                Some(Ok(addr)) => listen = addr,
                _ => return usage("--listen takes an address such as 127.0.0.1:4000"),
            },
            "--db" => match args.next() {
                Some(p) => options.db = Some(PathBuf::from(p)),
                None => return usage("--db takes a file"),
            },
            "--seed" => match args.next().map(std::fs::read_to_string) {
                Some(Ok(text)) => options.seed = Some(text),
                Some(Err(e)) => return usage(&format!("cannot read the seed file: {e}")),
                None => return usage("--seed takes a file"),
            },
            "--app-origin" => match args.next() {
                Some(o) if o.starts_with("http://") || o.starts_with("https://") => {
                    options.app_origins.push(o.trim_end_matches('/').to_owned());
                }
                _ => return usage("--app-origin takes a URL such as http://127.0.0.1:8080"),
            },
            "--rate-limit" => match args.next().map(|a| a.parse()) {
                Some(Ok(limit)) => options.rate_limit = limit,
                Some(Err(e)) => return usage(&format!("--rate-limit: {e}")),
                None => return usage("--rate-limit takes BURST/PER_MINUTE, such as 20/60"),
            },
            "--refuse-scope" => match args.next() {
                Some(scope) if !scope.is_empty() => options.refused_scopes.push(scope),
                _ => {
                    return usage(
                        "--refuse-scope takes a scope such as update:current_user_metadata",
                    );
                }
            },
            "--test-controls" => options.test_controls = true,
            "--suggest-linking" => options.suggest_linking = true,
            "--reset" => options.reset = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other}")),
        }
    }
    let listener = match TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("dev-tenant: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let state = match dev_tenant::AppState::open(addr, options) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dev-tenant: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{addr}");
    match dev_tenant::serve(listener, state, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dev-tenant: {e}");
            ExitCode::FAILURE
        }
    }
}

fn keys(args: &[String]) -> ExitCode {
    match args {
        [rotate, db_flag, db] if rotate == "rotate" && db_flag == "--db" => {
            match dev_tenant::rotate_keys(std::path::Path::new(db)) {
                Ok(kid) => {
                    println!(
                        "new signing key {kid}; the old ones stay published until their tokens expire"
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("dev-tenant: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => usage("usage: dev-tenant keys rotate --db FILE"),
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("dev-tenant: {problem}\n{USAGE}");
    ExitCode::from(2)
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
