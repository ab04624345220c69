//! `app()` builds the router for `main` and for tests alike; `AppState::open` readies the database.
use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::db::Db;
use crate::graphql::{AppSchema, build_schema};
use crate::http;
use crate::seed;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub schema: AppSchema,
}

impl AppState {
    /// Connects, applies pending migrations, and seeds an empty database.
    pub async fn open(database_url: &str) -> anyhow::Result<Self> {
        let db = Db::connect(database_url).await?;
        db.migrate().await?;
        if seed::is_empty(&db.conn).await? {
            tracing::info!("empty database: applying the seed");
            seed::apply(&db.conn).await?;
        }
        let schema = build_schema(db.conn.clone());
        Ok(Self { db, schema })
    }
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(http::playground::page))
        .route("/assets/graphiql/{name}", get(http::playground::asset))
        .route("/graphql", get(http::graphql::execute).post(http::graphql::execute))
        .route("/healthz", get(http::health::healthz))
        .merge(http::explore::router())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until ctrl-c or SIGTERM, then lets in-flight requests finish.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown_signal()).await
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
