//! `/healthz`: the process is up and serving. `/readyz`: it can also answer queries, i.e. the database is
//! reachable and fully migrated; otherwise 503 with the reason, so a load balancer sends traffic elsewhere.
use axum::extract::State;
use axum::http::StatusCode;

use crate::app::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    match state.db.readiness().await {
        Ok(()) => (StatusCode::OK, "ready".to_owned()),
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {reason}")),
    }
}
