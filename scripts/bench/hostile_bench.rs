//! How fast careerql refuses hostile requests, and whether it keeps serving under load.
//!
//! `cargo run --release --example hostile_bench [-- SECONDS]` starts the real server on 127.0.0.1 over a
//! throwaway SQLite database, then:
//! 1. sends each hostile request 30 times, one at a time, and prints the median and worst round trip;
//! 2. runs 200 concurrent clients for SECONDS (default 10), each with its own API key, nine requests in
//!    ten ordinary queries and one hostile, and prints throughput, latency and status counts.
//!
//! It exits non-zero if any hostile request is answered with the wrong status, or if the load sees a 5xx
//! or a failed connection. Everything stays on the loopback interface, bounded in time.
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use careerql::http::{AppState, app};
use serde_json::{Value, json};

const CLIENTS: usize = 200;
const REPEATS: usize = 30;
const ORDINARY: &str = r#"{ roles { slug title occupation { socCode } skills { rank skill { name } } } }"#;

/// (name, body, content type, expected status)
fn hostile_requests() -> Vec<(&'static str, Vec<u8>, &'static str, u16)> {
    let query = |query: String| json!({ "query": query }).to_string().into_bytes();
    let aliases: Vec<String> = (0..3000).map(|i| format!("a{i}: slug")).collect();
    let mut bomb = "{ roles(first: 1) { ...F0 } } ".to_owned();
    for level in 0..30 {
        bomb += &format!("fragment F{level} on Role {{ ...F{n} ...F{n} }} ", n = level + 1);
    }
    bomb += "fragment F30 on Role { slug }";
    let batch: Vec<Value> = (0..1000).map(|_| json!({ "query": ORDINARY })).collect();
    vec![
        ("1 MB document of nested braces", query("{a".repeat(500_000)), "application/json", 200),
        (
            "1 MB string literal",
            query(format!("{{ role(slug: \"{}\") {{ slug }} }}", "x".repeat(1_000_000))),
            "application/json",
            200,
        ),
        (
            "60 kB of brackets",
            query(format!("{{ roles(first: {}) {{ slug }} }}", "[".repeat(60_000))),
            "application/json",
            200,
        ),
        (
            "10,000-token field flood",
            query(format!("{{ roles {{ {} }} }}", "slug ".repeat(10_001))),
            "application/json",
            200,
        ),
        (
            "3,000-alias flood",
            query(format!("{{ roles(first: 1) {{ {} }} }}", aliases.join(" "))),
            "application/json",
            200,
        ),
        ("2^30 fragment bomb", query(bomb), "application/json", 200),
        (
            "20-level deep query",
            query(format!("{{ {} slug {} }}", "roles(first: 1) { occupation { ".repeat(10), "} } ".repeat(10))),
            "application/json",
            200,
        ),
        ("1,000-operation batch", json!(batch).to_string().into_bytes(), "application/json", 400),
        ("10 MB body", vec![b' '; 10 * 1024 * 1024], "application/json", 413),
        (
            "invalid UTF-8",
            b"{\"query\": \"{ role(slug: \\\"\xff\xfe\\\") { slug } }\"}".to_vec(),
            "application/json",
            400,
        ),
        ("wrong content type", query("{ __typename }".to_owned()), "text/plain", 415),
    ]
}

async fn start_server() -> (SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    let cli = careerql::cli::parse_from(["careerql", "--database-url", url.as_str()]).expect("valid flags");
    let state = AppState::open(&cli.config).await.expect("open the database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let router = app(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    (addr, dir)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let (addr, _database) = start_server().await;
    let url = format!("http://{addr}/graphql");
    let client = reqwest::Client::new();
    let hostile = Arc::new(hostile_requests());
    let mut failed = false;

    println!("Time to refuse each hostile request ({REPEATS} runs, round trip over loopback):");
    println!("{:<34} {:>6} {:>10} {:>10}", "request", "status", "median", "worst");
    let mut worst_overall = (Duration::ZERO, "");
    for (name, body, content_type, expected) in hostile.iter() {
        let mut times = Vec::new();
        let mut status = 0;
        for _ in 0..REPEATS {
            let started = Instant::now();
            let response = client.post(&url).header("content-type", *content_type).body(body.clone()).send().await;
            let response = response.expect("the server answers");
            status = response.status().as_u16();
            let body: Value = response.json().await.expect("a JSON body");
            times.push(started.elapsed());
            let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned();
            if status != *expected || code.is_empty() {
                println!("  {name}: unexpected {status} {body}");
                failed = true;
            }
        }
        times.sort();
        println!("{name:<34} {status:>6} {:>10.2?} {:>10.2?}", percentile(&times, 0.5), times[times.len() - 1]);
        if times[times.len() - 1] > worst_overall.0 {
            worst_overall = (times[times.len() - 1], name);
        }
    }
    println!("worst: {} refused in at most {:.2?}\n", worst_overall.1, worst_overall.0);

    println!("{CLIENTS} concurrent clients for {seconds} s (1 request in 10 hostile):");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let ordinary = json!({ "query": ORDINARY }).to_string();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let (client, url, ordinary, hostile) = (client.clone(), url.clone(), ordinary.clone(), hostile.clone());
            tokio::spawn(async move {
                let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
                let (mut latencies, mut transport_errors) = (Vec::new(), 0u64);
                let mut sent = 0usize;
                while Instant::now() < deadline {
                    let is_hostile = sent % 10 == 9;
                    let request = client.post(&url).bearer_auth(format!("bench-client-{id}"));
                    let request = if is_hostile {
                        let (_, body, content_type, _) = &hostile[(id + sent) % hostile.len()];
                        request.header("content-type", *content_type).body(body.clone())
                    } else {
                        request.header("content-type", "application/json").body(ordinary.clone())
                    };
                    let started = Instant::now();
                    match request.send().await {
                        Ok(response) => {
                            *statuses.entry(response.status().as_u16()).or_default() += 1;
                            let ok = response.bytes().await.is_ok();
                            if !is_hostile && ok {
                                latencies.push(started.elapsed());
                            }
                        }
                        Err(_) => transport_errors += 1,
                    }
                    sent += 1;
                }
                (statuses, latencies, transport_errors)
            })
        })
        .collect();
    let (mut statuses, mut latencies, mut transport_errors) = (BTreeMap::<u16, u64>::new(), Vec::new(), 0);
    for task in tasks {
        let (task_statuses, task_latencies, task_errors) = task.await.expect("client task");
        for (status, count) in task_statuses {
            *statuses.entry(status).or_default() += count;
        }
        latencies.extend(task_latencies);
        transport_errors += task_errors;
    }
    latencies.sort();
    let total: u64 = statuses.values().sum();
    let server_errors: u64 = statuses.iter().filter(|(status, _)| **status >= 500).map(|(_, count)| count).sum();
    println!("requests: {total} ({:.0}/s), statuses: {statuses:?}", total as f64 / seconds as f64);
    if !latencies.is_empty() {
        println!(
            "ordinary queries: {} answered, latency p50 {:.2?}, p99 {:.2?}, max {:.2?}",
            latencies.len(),
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            latencies[latencies.len() - 1]
        );
    }
    println!("5xx: {server_errors}, failed connections: {transport_errors}");
    if failed || server_errors > 0 || transport_errors > 0 {
        std::process::exit(1);
    }
}
