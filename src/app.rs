//! `app()` builds the router for `main` and for tests alike; `AppState::open` readies the database and the
//! schema; `serve()` runs until SIGTERM or ctrl-c and then drains.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_graphql_axum::GraphQLSubscription;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, Method, Request, StatusCode, header};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

use crate::config::{self, Config, PersistedQueryMode};
use crate::db::Db;
use crate::events::Hub;
use crate::graphql::persisted::AllowList;
use crate::graphql::{AppSchema, PersistedQueries, SubscriptionExecutor, build_schema};
use crate::http::limits::Limits;
use crate::http::rate_limit::CostLimiter;
use crate::{http, metrics, seed};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub schema: AppSchema,
    pub limits: Arc<Limits>,
    pub rate_limiter: Arc<CostLimiter>,
    pub http: config::Http,
    /// Committed changes, for subscribers.
    pub hub: Hub,
    persisted: PersistedQueries,
}

impl AppState {
    /// Connects, applies pending migrations, seeds an empty database, and loads the persisted queries.
    pub async fn open(config: &Config, limits: Limits) -> anyhow::Result<Self> {
        // Installed before the first statement runs, so that none goes uncounted.
        metrics::handle();
        let db = Db::connect(&config.database).await?;
        db.migrate().await?;
        if seed::is_empty(&db.conn).await? {
            tracing::info!("empty database: applying the seed");
            seed::apply(&db.conn).await?;
        }
        let persisted = persisted_queries(&config.persisted_queries)?;
        let hub = Hub::default();
        hub.listen(&db.conn);
        Ok(Self::new(db, limits, persisted, config.http.clone(), hub))
    }

    pub fn new(db: Db, limits: Limits, persisted: PersistedQueries, http: config::Http, hub: Hub) -> Self {
        let schema = build_schema(&limits.query, persisted.clone(), hub.clone());
        let rate_limiter = Arc::new(CostLimiter::new(limits.http.rate_limit_per_minute));
        Self { db, schema, limits: Arc::new(limits), rate_limiter, http, hub, persisted }
    }

    /// The same database under other limits.
    pub fn with_limits(self, limits: Limits) -> Self {
        Self::new(self.db, limits, self.persisted, self.http, self.hub)
    }
}

fn persisted_queries(settings: &config::PersistedQueries) -> anyhow::Result<PersistedQueries> {
    Ok(match settings.mode {
        PersistedQueryMode::Off => PersistedQueries::Off,
        PersistedQueryMode::Auto => PersistedQueries::auto(settings.cache_size as usize),
        PersistedQueryMode::AllowList => {
            // `required_if_eq` on the flag makes clap insist on a file in this mode.
            let path = settings.file.as_deref().context("allow-list mode needs --persisted-queries-file")?;
            let manifest = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let list =
                AllowList::from_manifest(&manifest).map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
            tracing::info!(operations = list.len(), "persisted queries: only registered operations run");
            PersistedQueries::AllowList(list.into())
        }
    })
}

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn app(state: AppState) -> Router {
    let cors = cors(&state.http.cors_allowed_origins);
    let subscriptions = SubscriptionExecutor { schema: state.schema.clone(), db: state.db.conn.clone() };
    // Layers added later wrap those added earlier: the request id is set first, then the span opens,
    // metrics measure, CORS answers preflights, and compression is applied last on the way out.
    let router = Router::new()
        .route("/", get(http::playground::page))
        .route("/assets/graphiql/{name}", get(http::playground::asset))
        .route(
            "/graphql",
            get(http::graphql::execute).post(http::graphql::execute).layer(from_fn(http::caching::conditional_get)),
        )
        // graphql-transport-ws (and the older graphql-ws), negotiated by `Sec-WebSocket-Protocol`.
        .route_service("/graphql/ws", GraphQLSubscription::new(subscriptions))
        .route("/healthz", get(http::health::healthz))
        .route("/readyz", get(http::health::readyz))
        .merge(http::explore::router())
        .route("/metrics", get(http::metrics::scrape))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(CompressionLayer::new());
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(from_fn(http::metrics::track))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// The span every log line of a request is logged in. `operation` is filled in by the GraphQL layer
/// (`graphql::observe`) once it knows which operation runs. It is an ERROR-level span so that it is on
/// whenever any of a request's events are, whatever `RUST_LOG` says.
fn request_span(request: &Request<Body>) -> Span {
    let request_id = request.headers().get(X_REQUEST_ID).and_then(|id| id.to_str().ok()).unwrap_or_default();
    tracing::error_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        request_id,
        operation = tracing::field::Empty,
    )
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

/// Serves until ctrl-c or SIGTERM; then stops accepting, lets in-flight requests finish for up to `grace`,
/// and closes the database pool.
pub async fn serve(listener: TcpListener, state: AppState, grace: Duration) -> std::io::Result<()> {
    let db = state.db.clone();
    let (stopping, mut stop_requested) = tokio::sync::watch::channel(false);
    // Handlers see the client's address: the rate limit keys on it when a request has no API key.
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(async move {
        shutdown_signal().await;
        stopping.send_replace(true);
    });
    let grace_over = async move {
        // An error means the server ended without a signal, which the select below sees first.
        if stop_requested.wait_for(|requested| *requested).await.is_ok() {
            tokio::time::sleep(grace).await;
        }
    };
    let drained = tokio::select! {
        served = std::future::IntoFuture::into_future(server) => served.map(|()| true)?,
        () = grace_over => {
            tracing::warn!(?grace, "grace period over: dropping the requests still running");
            false
        }
    };
    // Closing waits for connections in use to come back, which requests cut off above never do.
    if drained {
        db.close().await;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
