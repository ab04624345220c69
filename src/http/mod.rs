//! The first stage a request passes: axum's router, its middleware, and the endpoints. `app()` builds the
//! router for `main` and for tests alike, merging each endpoint module's own `router()`. Nothing here knows
//! about tables; the GraphQL schema does the data work.
pub mod admin;
pub mod connections;
pub mod explore;
pub mod graphql_over_http;
pub mod health;
pub mod metrics;
pub mod named;
pub mod playground;
pub mod rate_limit;
mod request_id;
pub mod security_headers;
mod serve;
mod state;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

pub use serve::serve;
pub use state::AppState;

/// An embedded file as (name, content type, bytes).
pub type Asset = (&'static str, &'static str, &'static [u8]);

/// Serves `name` from files compiled into the binary, or 404.
pub fn embedded(assets: &[Asset], name: &str) -> Response {
    match assets.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, bytes)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes)
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn app(state: AppState) -> Router {
    let router = Router::new()
        .merge(playground::router())
        .merge(graphql_over_http::router(&state))
        .merge(named::router())
        .merge(health::router())
        .merge(explore::router());
    // With an admin listener, /metrics is served there alone (docs/platform.md says why).
    let router = if state.platform.admin_addr.is_some() { router } else { router.merge(metrics::router()) };
    // Two stacks, each listed outermost first and applied at once: each `Router::layer` call boxes every
    // route's service again, and a request then passes one box (and one clone of it) per call. They run
    // inside the routing, so the metrics see the matched route. The request id is set first, then the span
    // opens, metrics measure, CORS (a layer of its own when configured: an optional layer would make the
    // stack's error type a boxed error) answers preflights, and compression is applied last on the way out.
    let router = router
        .layer(ServiceBuilder::new().layer(CompressionLayer::new()).layer(CatchPanicLayer::custom(panic_response)));
    let router = match cors(&state.http.cors_allowed_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    // Shared: the stack is cloned for every request, and a map of its own would be an allocation each time.
    let security_headers = std::sync::Arc::new(security_headers::headers(&state.http.security_headers));
    let outer = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, request_id::Sequential))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                // A line for every answer is DEBUG: at INFO, formatting and writing it was a tenth of the
                // CPU of a small query (docs/benchmarks.md). Failures are logged at ERROR either way.
                .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
        )
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(metrics::TrackLayer)
        .map_response(move |response| security_headers::add(&security_headers, response));
    router.layer(outer).with_state(state)
}

/// The span every log line of a request is logged in. `operation` is filled in by the GraphQL layer
/// (`graphql::observe`) once it knows which operation runs. It is an ERROR-level span so that it is on
/// whenever any of a request's events are, whatever `RUST_LOG` says.
fn request_span(request: &Request<Body>) -> Span {
    let request_id = request.headers().get(X_REQUEST_ID).and_then(|id| id.to_str().ok()).unwrap_or_default();
    let span = tracing::error_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        request_id,
        operation = tracing::field::Empty,
    );
    // With traces exported, the request continues the caller's trace (W3C `traceparent`).
    crate::telemetry::continue_trace(&span, request);
    span
}

/// No origin but the page's own by default; the listed ones (or any, for `*`) otherwise.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow_origin = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        // `config` accepted only `scheme://host[:port]`, which always makes a valid header value.
        AllowOrigin::list(origins.iter().filter_map(|origin| origin.parse().ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION, X_REQUEST_ID])
            .expose_headers([X_REQUEST_ID, header::ETAG])
            .max_age(Duration::from_secs(3600)),
    )
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|message| (*message).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "a request handler panicked");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}
