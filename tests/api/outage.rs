//! A database that goes away mid-traffic and comes back: requests fail fast with `UNAVAILABLE` and no
//! detail, `/readyz` says so, and service resumes by itself. PostgreSQL can be taken away; a SQLite file
//! cannot be, under a process that has it open, but another process can hold its write lock.
use std::time::Duration;

use careerql::auth::KeyRole;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app, spawn_process};

const QUERY: &str = r#"{ role(slug: "api-developer") { title skills { nodes { name } } } }"#;

/// Safety net only: a request that outlives this has hung, which is the failure this test looks for.
async fn within_bound<T>(request: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), request).await.expect("a request hung while the database was away")
}

/// Refuses new connections to the test database and ends the open ones (or, with `false`, allows them).
async fn set_database_down(app: &TestApp, down: bool) {
    let (server, name) = app.postgres_database().expect("a PostgreSQL test database");
    let admin = sea_orm::Database::connect(format!("{server}/postgres")).await.expect("connect as admin");
    admin.execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {}", !down)).await.unwrap();
    if down {
        let terminate = format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");
        admin.execute_unprepared(&terminate).await.unwrap();
    }
    admin.close().await.unwrap();
}

#[tokio::test]
async fn postgres_outage_fails_fast_with_unavailable_and_recovers_without_restart() {
    let Some(app) = spawn_app(Backend::Postgres).await else { return };
    let app = app.reconfigure(&["--db-acquire-timeout", "1s"]).await;
    assert_eq!(app.data(QUERY).await["role"]["title"], "API Developer");
    assert_eq!(app.get("/readyz").await.status(), 200);

    set_database_down(&app, true).await;
    let response: Value = within_bound(app.graphql(QUERY)).await;
    let error = &response["errors"][0];
    assert_eq!(error["extensions"]["code"], "UNAVAILABLE", "{response:#}");
    assert_eq!(error["message"], "service unavailable, try again later");
    assert!(response["data"]["role"].is_null());
    let text = response.to_string().to_lowercase();
    let (_, name) = app.postgres_database().unwrap();
    for leak in ["postgres", "connection", "sql", name] {
        assert!(!text.contains(leak), "{leak:?} leaked: {response:#}");
    }
    let ready = within_bound(app.get("/readyz")).await;
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.text().await.unwrap(), "not ready: database unreachable");

    set_database_down(&app, false).await;
    assert_eq!(app.data(QUERY).await["role"]["title"], "API Developer", "service resumes by itself");
    assert_eq!(app.get("/readyz").await.status(), 200);
}

/// A key's lookup that cannot finish (its table locked) is held to the request timeout like the rest of the
/// request: `TIMEOUT`, not a connection left hanging until PostgreSQL's statement timeout.
#[tokio::test]
async fn a_stalled_key_lookup_is_held_to_the_request_timeout() {
    let Some(app) = spawn_app(Backend::Postgres).await else { return };
    let app = app.reconfigure(&["--request-timeout", "1s"]).await;
    let key = app.key(KeyRole::Editor).await;
    let (server, name) = app.postgres_database().expect("a PostgreSQL test database");
    let blocker = sea_orm::Database::connect(format!("{server}/{name}")).await.expect("connect");
    let lock = blocker.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE api_key IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let started = std::time::Instant::now();
    let response = within_bound(app.graphql_as(&key, QUERY, json!({}))).await;
    let waited = started.elapsed();
    lock.rollback().await.unwrap();
    assert_eq!(response["errors"][0]["extensions"]["code"], "TIMEOUT", "{response:#}");
    // A bound, not a speed: the statement timeout (15 s by default) is what answered before.
    assert!(waited < Duration::from_secs(5), "answered after {waited:?}");
}

/// Another process holding SQLite's write lock (here the test, with a transaction it leaves open): a write
/// waits SQLite's busy timeout (5 s), then answers `UNAVAILABLE`, never `INTERNAL`; reads go on meanwhile, and
/// writes work again once the lock is let go.
#[tokio::test]
async fn sqlite_locked_by_another_process_fails_writes_with_unavailable_and_reads_go_on() {
    use sea_orm::{SqliteTransactionMode, TransactionOptions};
    let Some(server) = spawn_process(Backend::Sqlite).await else { return };
    let options = sea_orm::ConnectOptions::new(&server.database_url).max_connections(1).to_owned();
    let other = sea_orm::Database::connect(options).await.expect("connect");
    let editor = careerql::auth::create_key(&other, "locked-out", KeyRole::Editor).await.expect("a key");
    let send = |token: Option<&str>, query: &str, variables: Value| {
        let mut request =
            server.client.post(server.url("/graphql")).json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = within_bound(request.send()).await.expect("POST /graphql");
            (response.status().as_u16(), response.json::<Value>().await.expect("JSON"))
        }
    };
    let create = "mutation($input: ToolInput!) { createTool(input: $input) { tool { slug } } }";
    let tool = |slug: &str| json!({ "input": { "slug": slug, "name": slug, "category": "API_TOOLING" } });

    let options =
        TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    let lock = other.begin_with_options(options).await.expect("take the write lock");
    let (status, read) = send(None, QUERY, Value::Null).await;
    assert_eq!((status, &read["errors"]), (200, &Value::Null), "{read:#}");
    let started = std::time::Instant::now();
    let (status, write) = send(Some(&editor), create, tool("while-locked")).await;
    let waited = started.elapsed();
    assert_eq!(write["errors"][0]["extensions"]["code"], "UNAVAILABLE", "{write:#}");
    assert_eq!((status, &write["data"]["createTool"]), (200, &Value::Null), "a field's error, as documented");
    assert!(waited >= Duration::from_secs(4), "it waited for the lock first: {waited:?}");
    let (status, read) = send(None, QUERY, Value::Null).await;
    assert_eq!((status, &read["errors"]), (200, &Value::Null), "reads still go on: {read:#}");
    lock.rollback().await.expect("let the lock go");

    let (_, write) = send(Some(&editor), create, tool("after-the-lock")).await;
    assert_eq!(write["data"]["createTool"]["tool"]["slug"], "after-the-lock", "{write:#}");
}
