//! The admin listener (`--admin-addr`): `/metrics`, `/healthz` and `/readyz` on an address of their own,
//! and then no `/metrics` on the public port, which keeps its health endpoints.
use std::net::SocketAddr;

use crate::helpers::{Backend, spawn_app, spawn_process_with};

#[tokio::test]
async fn without_an_admin_listener_the_public_port_serves_metrics_and_health() {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    for path in ["/metrics", "/healthz", "/readyz"] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn with_an_admin_listener_metrics_leave_the_public_port_and_health_stays() {
    let Some(mut process) = spawn_process_with(Backend::Sqlite, &["--admin-addr", "127.0.0.1:0"]).await else {
        return;
    };
    let admin: SocketAddr = process
        .logged("admin listener")
        .and_then(|line| line["fields"]["addr"].as_str()?.parse().ok())
        .expect("the admin listener's address is logged");
    assert_ne!(admin, process.addr);
    let client = reqwest::Client::new();
    let get = |url: String| {
        let client = client.clone();
        async move { client.get(&url).send().await.unwrap_or_else(|error| panic!("GET {url}: {error}")) }
    };

    // One GraphQL request on the public port, so the scrape has something of it to show.
    let graphql = client.post(process.url("/graphql")).json(&serde_json::json!({ "query": "{ __typename }" }));
    assert_eq!(graphql.send().await.expect("POST /graphql").status(), 200);

    let scrape = get(format!("http://{admin}/metrics")).await;
    assert_eq!(scrape.status(), 200);
    assert!(scrape.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = scrape.text().await.expect("metrics text");
    assert!(text.contains(r#"route="/graphql""#), "the public port's requests are counted:\n{text}");
    assert_eq!(get(format!("http://{admin}/healthz")).await.text().await.unwrap(), "ok");
    assert_eq!(get(format!("http://{admin}/readyz")).await.status(), 200);

    assert_eq!(get(process.url("/metrics")).await.status(), 404, "no /metrics on the public port");
    assert_eq!(get(process.url("/healthz")).await.status(), 200, "load balancers probe the public port");
    assert_eq!(get(process.url("/readyz")).await.status(), 200);
    // Nothing else is served on the admin port.
    assert_eq!(get(format!("http://{admin}/graphql")).await.status(), 404);

    process.terminate();
    let (exited_cleanly, _) = process.wait_for_exit().await;
    assert!(exited_cleanly);
}
