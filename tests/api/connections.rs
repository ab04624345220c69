//! Connection hygiene (src/http/connections.rs): clients that send half their headers and then nothing, or
//! nothing at all, are closed within the timeouts while other clients keep being served; the cap on
//! connections holds; HTTP/2 announces its stream bound. Loopback only, every loop bounded.
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, TestApp, spawn_app, spawn_process_with};

/// Raises this process's open-file limit to its hard limit and says how many descriptors it may use.
fn open_file_limit() -> u64 {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: `limit` is a valid rlimit for the kernel to fill in and read back.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
            limit = raised;
        }
    }
    limit.rlim_cur
}

async fn app(flags: &[&str]) -> TestApp {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    app.reconfigure(flags).await
}

/// Waits for the server to close `stream`: a read that returns end-of-file or an error. `None` if it is
/// still open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buffer = [0u8; 4096];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return start.elapsed(),
                // A 408 or 400 answer before the close is fine; keep reading to the end.
                Ok(_) => continue,
            }
        }
    })
    .await
    .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_connections_are_closed_within_the_timeout_while_others_are_served() {
    let header_timeout = Duration::from_secs(1);
    // Each connection is a descriptor here and one in the server, which inherits the limit raised here;
    // both need some to spare for the runtime and the database.
    let budget = open_file_limit().saturating_sub(512);
    let count = budget.min(3000) as usize;
    assert!(count >= 500, "too few file descriptors for the test: {budget} connections");
    let flags = ["--header-read-timeout", "1s", "--idle-timeout", "2s", "--max-connections", "10000"];
    let server = spawn_process_with(Backend::Sqlite, &flags).await.expect("SQLite is always available");

    // A client that keeps asking meanwhile, over fresh connections, each answer timed.
    let url = server.url("/healthz");
    let served = tokio::spawn(async move {
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        let mut latencies = Vec::new();
        let until = Instant::now() + Duration::from_secs(6);
        while Instant::now() < until {
            let start = Instant::now();
            let response = client.get(&url).timeout(Duration::from_secs(5)).send().await.expect("healthz answers");
            assert!(response.status().is_success());
            latencies.push(start.elapsed());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        latencies
    });

    let opened = Instant::now();
    let mut waits = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        // Half a request's headers, then nothing.
        stream.write_all(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl").await.expect("write");
        waits.push(tokio::spawn(async move { closed_within(&mut stream, Duration::from_secs(10)).await }));
    }
    let opening = opened.elapsed();
    let mut held = Vec::with_capacity(count);
    for wait in waits {
        held.push(wait.await.unwrap());
    }
    let still_open = held.iter().filter(|closed| closed.is_none()).count();
    let mut times: Vec<Duration> = held.iter().flatten().copied().collect();
    times.sort();
    let (shortest, longest) = (times.first().copied().unwrap_or_default(), times.last().copied().unwrap_or_default());

    let mut latencies = served.await.unwrap();
    latencies.sort();
    let slowest = latencies.iter().max().copied().unwrap_or_default();
    let median = latencies.get(latencies.len() / 2).copied().unwrap_or_default();
    eprintln!(
        "{count} half-open connections opened in {opening:?}, each closed {shortest:?} to {longest:?} after its \
         half request (header-read timeout {header_timeout:?}); meanwhile {} requests, slowest {slowest:?}, \
         one in the middle {median:?}",
        latencies.len(),
    );
    assert_eq!(still_open, 0, "half-open connections still held 10 s later");
    assert!(longest < header_timeout + Duration::from_secs(2), "held for {longest:?}");
    assert!(latencies.len() >= 10, "{} requests", latencies.len());
    // Served in under a second as a rule; the bound on the slowest leaves room for the rest of the suite
    // sharing the machine's two cores, and is still far below a connection held for good.
    let ninetieth = latencies[latencies.len() * 9 / 10];
    assert!(ninetieth < Duration::from_secs(1), "nine normal requests in ten took up to {ninetieth:?}");
    assert!(slowest < Duration::from_secs(3), "a normal client waited {slowest:?}");
}

#[tokio::test]
async fn silent_and_idle_connections_are_closed() {
    let app = app(&["--header-read-timeout", "1s", "--idle-timeout", "2s"]).await;
    // Nothing sent at all: the server cannot even tell HTTP/1 from HTTP/2, so the idle timeout applies.
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    let closed = closed_within(&mut silent, Duration::from_secs(6)).await.expect("a silent connection is closed");
    assert!(closed >= Duration::from_millis(1500), "closed too soon: {closed:?}");

    // One request answered, then nothing: an idle HTTP/1 keep-alive connection.
    let mut idle = TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let mut answer = [0u8; 1024];
    let read = idle.read(&mut answer).await.unwrap();
    assert!(answer[..read].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer[..read]));
    let closed = closed_within(&mut idle, Duration::from_secs(6)).await.expect("an idle connection is closed");
    eprintln!("idle keep-alive connection closed after {closed:?}");
    assert!(closed < Duration::from_secs(3), "{closed:?}");
}

#[tokio::test]
async fn a_request_in_flight_outlives_the_idle_timeout() {
    let app = app(&["--header-read-timeout", "1s", "--idle-timeout", "1s"]).await;
    let body = br#"{"query":"{ __typename }"}"#;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The body trickles in over 2.5 s, past both timeouts: the request is in flight all along.
    for piece in body.chunks(body.len().div_ceil(5)) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        stream.write_all(piece).await.unwrap();
    }
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""__typename":"Query""#), "{answer}");
    // Not merely finished: the connection was never marked for closing, and serves the next request.
    assert!(!answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let mut next = [0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut next)).await.unwrap().unwrap();
    assert!(next[..read].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&next[..read]));
}

#[tokio::test]
async fn beyond_the_connection_cap_clients_wait_for_a_free_slot() {
    let app = app(&["--max-connections", "20", "--header-read-timeout", "3s", "--idle-timeout", "3s"]).await;
    let mut holders = Vec::new();
    for _ in 0..20 {
        holders.push(TcpStream::connect(app.addr).await.unwrap());
    }
    // Let the server accept all twenty.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let waiting = client.get(app.url("/healthz")).timeout(Duration::from_millis(700)).send().await;
    assert!(waiting.is_err_and(|error| error.is_timeout()), "the 21st connection was served at once");

    // Once the idle timeout closes the twenty, a client is served again.
    let start = Instant::now();
    let served = client.get(app.url("/healthz")).timeout(Duration::from_secs(10)).send().await.expect("served");
    assert!(served.status().is_success());
    eprintln!(
        "at the cap of 20, the next client was served {:?} later, when the idle ones were closed",
        start.elapsed()
    );
    drop(holders);
}

#[tokio::test]
async fn http2_announces_its_stream_bound() {
    let app = app(&["--http2-max-concurrent-streams", "7"]).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    // The HTTP/2 connection preface (prior knowledge) and an empty SETTINGS frame.
    stream.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await.unwrap();
    stream.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await.unwrap();
    let mut header = [0u8; 9];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut header)).await.unwrap().unwrap();
    assert_eq!(header[3], 4, "the server's first frame is SETTINGS");
    let length = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
    let mut payload = vec![0u8; length];
    stream.read_exact(&mut payload).await.unwrap();
    let settings: Vec<(u16, u32)> = payload
        .chunks_exact(6)
        .map(|entry| {
            (u16::from_be_bytes([entry[0], entry[1]]), u32::from_be_bytes([entry[2], entry[3], entry[4], entry[5]]))
        })
        .collect();
    // SETTINGS_MAX_CONCURRENT_STREAMS is 0x3.
    assert!(settings.contains(&(3, 7)), "{settings:?}");
}
