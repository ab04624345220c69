//! `/metrics` in the Prometheus text format, and the middleware that measures every HTTP request.
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::http::AppState;
use crate::metrics;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(scrape))
}

async fn scrape(State(state): State<AppState>) -> impl IntoResponse {
    state.db.record_pool_metrics();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], metrics::render())
}

/// Counts and times each request by method, route (the pattern, not the path, so labels stay bounded) and
/// status, and keeps the in-flight gauge.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = metrics::method_label(request.method());
    let _in_flight = metrics::InFlight::start();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics::http_request(method, route, response.status(), started.elapsed());
    crate::telemetry::record_response(response.status());
    response
}
