//! `/metrics` in the Prometheus text format, and the middleware that measures every HTTP request.
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::{Layer, Service};

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
/// status, and keeps the in-flight gauge. A layer of its own rather than `from_fn`, which boxed every
/// request's future and cloned the inner service for it.
#[derive(Clone, Copy, Default)]
pub struct TrackLayer;

impl<S> Layer<S> for TrackLayer {
    type Service = Track<S>;

    fn layer(&self, inner: S) -> Track<S> {
        Track { inner }
    }
}

#[derive(Clone)]
pub struct Track<S> {
    inner: S,
}

impl<S: Service<Request, Response = Response>> Service<Request> for Track<S> {
    type Response = Response;
    type Error = S::Error;
    type Future = Tracked<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
        let method = metrics::method_label(request.method());
        let in_flight = metrics::InFlight::start();
        Tracked { response: self.inner.call(request), method, route, started: Instant::now(), _in_flight: in_flight }
    }
}

pin_project_lite::pin_project! {
    /// A request's response on its way, with what its metrics are recorded under once it is there.
    pub struct Tracked<F> {
        #[pin]
        response: F,
        method: &'static str,
        route: String,
        started: Instant,
        _in_flight: metrics::InFlight,
    }
}

impl<F: Future<Output = Result<Response, E>>, E> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let response = std::task::ready!(this.response.poll(cx))?;
        metrics::http_request(this.method, std::mem::take(this.route), response.status(), this.started.elapsed());
        crate::telemetry::record_response(response.status());
        Poll::Ready(Ok(response))
    }
}
