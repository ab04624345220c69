//! `serve()` runs the router until SIGTERM or ctrl-c, then drains in-flight requests for a grace period.
use std::time::Duration;

use tokio::net::TcpListener;

use super::{AppState, app};

/// Serves until ctrl-c or SIGTERM; then stops accepting, lets in-flight requests finish for up to `grace`,
/// and closes the database pool.
pub async fn serve(listener: TcpListener, state: AppState, grace: Duration) -> std::io::Result<()> {
    let db = state.db.clone();
    let (stopping, mut stop_requested) = tokio::sync::watch::channel(false);
    let connections = state.http.connections.clone();
    let server = super::connections::serve(listener, app(state), connections, async move {
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
        served = server => served.map(|()| true)?,
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
