//! `/healthz`: the process is up and serving. `/readyz`: it can also answer queries, i.e. the database is
//! reachable and fully migrated; otherwise 503 with the reason, so a load balancer sends traffic elsewhere.
//! With read replicas configured, it says how many are in rotation.
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::http::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    match state.db.readiness().await {
        Ok(()) => match state.db.replicas_in_rotation() {
            (0, _) => (StatusCode::OK, "ready".to_owned()),
            // Replicas out of rotation do not make the instance unready: the primary takes their reads.
            (replicas, in_rotation) => {
                (StatusCode::OK, format!("ready ({in_rotation} of {replicas} replicas in rotation)"))
            }
        },
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {reason}")),
    }
}
