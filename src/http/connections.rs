//! The accept loop: `axum::serve` offers no header-read or idle timeout and no cap on connections, so a
//! client that sends half a request's headers and then nothing is held forever, and enough of them exhaust
//! the process's file descriptors. Here each connection is served by hyper-util's builder with a
//! header-read timeout and HTTP/2 stream bounds, watched for idleness, and counted against a cap: at the cap
//! the server stops accepting (clients wait in the kernel's queue) until a connection closes.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;

use crate::config::Connections;

/// Serves `router` on `listener` until `signal` resolves, then stops accepting, asks every connection to
/// close once its requests are answered, and returns when all have closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: Connections,
    signal: impl Future<Output = ()>,
) -> std::io::Result<()> {
    warn_if_over_file_limit(settings.max_connections);
    let builder = Arc::new(builder(&settings));
    let cap = settings.max_connections as usize;
    let slots = Arc::new(Semaphore::new(cap));
    let (stop, stopping) = watch::channel(false);
    let mut signal = std::pin::pin!(signal);
    let mut full = false;
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if !full {
                    tracing::warn!(max_connections = cap, "connection cap reached: new clients wait until one closes");
                    full = true;
                }
                tokio::select! {
                    slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
                    () = &mut signal => break,
                }
            }
        };
        if full && slots.available_permits() > cap / 10 {
            tracing::info!("below the connection cap again");
            full = false;
        }
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let (builder, router, mut stopping) = (builder.clone(), router.clone(), stopping.clone());
        let idle_timeout = settings.idle_timeout;
        tokio::spawn(async move {
            serve_connection(&builder, stream, remote, router, idle_timeout, &mut stopping).await;
            drop(slot);
        });
    }
    drop(listener);
    stop.send_replace(true);
    // Every connection holds a slot until it closes: having them all back means all have closed.
    let _all = slots.acquire_many(cap as u32).await.expect("the semaphore is never closed");
    Ok(())
}

fn builder(settings: &Connections) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(settings.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(settings.http2_max_concurrent_streams)
        .keep_alive_interval(settings.http2_keep_alive_interval)
        .keep_alive_timeout(settings.http2_keep_alive_interval);
    builder
}

async fn serve_connection(
    builder: &Builder<TokioExecutor>,
    stream: TcpStream,
    remote: SocketAddr,
    router: Router,
    idle_timeout: Duration,
    stopping: &mut watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |mut request: Request<Incoming>| {
            // Handlers see the client's address, as with `into_make_service_with_connect_info`: the rate
            // limit keys on it when a request has no API key.
            request.extensions_mut().insert(ConnectInfo(remote));
            let busy = activity.begin();
            let response = router.clone().oneshot(request.map(Body::new));
            async move {
                let response = response.await?;
                // A request is in flight until its body is sent, which for a stream is long after this.
                Ok::<_, std::convert::Infallible>(response.map(|body| {
                    Body::new(body.map_frame(move |frame| {
                        let _in_flight = &busy;
                        frame
                    }))
                }))
            }
        })
    };
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let why = tokio::select! {
        served = connection.as_mut() => return finished(served),
        () = activity.idle_for(idle_timeout) => "idle",
        _ = stopping.wait_for(|stopping| *stopping) => "server stopping",
    };
    tracing::debug!(%remote, why, "closing a connection once its requests are answered");
    // An idle HTTP/1 or HTTP/2 connection closes at once; one mid-request finishes it first (the server's
    // shutdown grace bounds that); one mid-headers is closed by the header-read timeout.
    connection.as_mut().graceful_shutdown();
    finished(connection.await);
}

fn finished(served: Result<(), Box<dyn std::error::Error + Send + Sync>>) {
    if let Err(error) = served {
        // Clients that vanish, time out or speak nonsense are routine for a public server.
        tracing::debug!(error, "connection ended with an error");
    }
}

/// Errors of one connection (it went away before it was accepted) are no reason to pause; others, such as
/// running out of file descriptors, are: accepting again at once would spin.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(error.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection; trying again in 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Requests in flight on one connection and when it last had one.
struct Activity {
    in_flight: AtomicUsize,
    since: Mutex<Instant>,
}

/// Counts one request as in flight until dropped.
struct Busy(Arc<Activity>);

impl Activity {
    fn new() -> Self {
        Self { in_flight: AtomicUsize::new(0), since: Mutex::new(Instant::now()) }
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }

    fn touch(&self) {
        *self.since.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
    }

    /// Resolves once no request has been in flight for `timeout`.
    async fn idle_for(&self, timeout: Duration) {
        loop {
            let wait = if self.in_flight.load(Ordering::SeqCst) > 0 {
                timeout
            } else {
                let since = *self.since.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                match timeout.checked_sub(since.elapsed()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return,
                }
            };
            tokio::time::sleep(wait).await;
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Each connection is a file descriptor; a cap above the process's limit would let accept fail first.
fn warn_if_over_file_limit(max_connections: u32) {
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else { return };
    let soft = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|soft| soft.parse::<u64>().ok());
    if let Some(soft) = soft
        && soft < u64::from(max_connections) + 256
    {
        tracing::warn!(
            max_connections,
            open_file_limit = soft,
            "--max-connections is near or above the open-file limit (ulimit -n): lower it or raise the limit"
        );
    }
}
