//! `/metrics` in the test process, which every test's app shares: assertions use a label no other test
//! uses (a unique operation name). Exact counts of statements are in `process.rs`, where a server has its
//! registry to itself.
use std::time::{SystemTime, UNIX_EPOCH};

use careerql::metrics::{GRAPHQL_REQUEST_DURATION, GRAPHQL_REQUESTS, HTTP_REQUESTS};

use crate::helpers::TestApp;

fn unique_operation_name() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    format!("Probe{nanos}x{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

async fn graphql_operations_are_counted_by_name_and_outcome(app: TestApp) {
    let name = unique_operation_name();
    let before = app.metrics().await;
    app.data(&format!(r#"query {name} {{ role(slug: "api-developer") {{ title }} }}"#)).await;
    app.graphql(&format!(r#"query {name} {{ role(slug: "no-such-role") {{ title }} }}"#)).await;
    let after = app.metrics().await;

    let operation = ("operation", name.as_str());
    assert_eq!(after.value(GRAPHQL_REQUESTS, &[operation, ("code", "OK")]), 1.0, "{}", after.0);
    assert_eq!(after.value(GRAPHQL_REQUESTS, &[operation, ("code", "NOT_FOUND")]), 1.0);
    let count = format!("{GRAPHQL_REQUEST_DURATION}_count");
    assert_eq!(after.value(&count, &[operation]), 2.0);
    let posts = [("method", "POST"), ("route", "/graphql"), ("status", "200")];
    assert!(after.value(HTTP_REQUESTS, &posts) >= before.value(HTTP_REQUESTS, &posts) + 2.0);
}

async fn metrics_are_prometheus_text_and_all_listed_in_the_docs(app: TestApp) {
    // On the resolvers, whose batched loader records its batches (the planner has none).
    let app = app.reconfigure(&["--executor", "resolvers"]).await;
    app.data(r#"{ role(slug: "api-developer") { skills { nodes { name } } } }"#).await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let scrape = response.text().await.unwrap();

    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md")).unwrap();
    let names: Vec<&str> = scrape.lines().filter_map(|line| line.strip_prefix("# TYPE ")?.split(' ').next()).collect();
    for expected in ["careerql_http_requests_total", "careerql_db_statements_total", "careerql_dataloader_batch_size"] {
        assert!(names.contains(&expected), "{expected} missing from the scrape:\n{scrape}");
    }
    for name in names.iter().filter(|name| name.starts_with("careerql_")) {
        assert!(docs.contains(&format!("`{name}`")), "{name} is not listed in docs/operations.md");
    }
}

crate::on_every_backend!(
    graphql_operations_are_counted_by_name_and_outcome,
    metrics_are_prometheus_text_and_all_listed_in_the_docs
);
