//! dev-tenant: a local tenant that answers as Auth0 does, for developing
//! and testing link-accounts with no network.
//!
//! [`app`] builds the whole router from an [`AppState`], so tests call it
//! in-process; [`serve`] runs it on a listener until told to stop.

use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub mod oidc;

/// Everything a handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    /// `http://<host>:<port>/`, with the trailing slash, as Auth0's.
    issuer: String,
}

impl AppState {
    /// A tenant whose issuer is `http://<addr>/`.
    pub fn new(addr: std::net::SocketAddr) -> Self {
        AppState {
            inner: Arc::new(Inner {
                issuer: format!("http://{addr}/"),
            }),
        }
    }

    /// The issuer, with its trailing slash.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// A URL on this tenant: `path` starts without a slash.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.issuer)
    }
}

/// The tenant's routes.
pub fn app(state: AppState) -> Router {
    Router::new().merge(oidc::router()).with_state(state)
}

/// Serves the tenant on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
