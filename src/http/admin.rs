//! The admin listener (`--admin-addr`): `/metrics`, `/healthz` and `/readyz` on an address of their own, so
//! that a scraper and probes can reach them where clients cannot. The public port then no longer serves
//! `/metrics`, but keeps the health endpoints: a load balancer's probe must test the listener it sends
//! traffic to (docs/platform.md).
use axum::Router;
use tokio::net::TcpListener;

use super::{AppState, health, metrics};

/// The admin endpoints: no rate limit, CORS, compression or request logs, none of which a scraper or a
/// probe wants.
pub fn router(state: AppState) -> Router {
    Router::new().merge(metrics::router()).merge(health::router()).with_state(state)
}

/// Serves the admin endpoints until the process ends (the public listener decides when that is).
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}
