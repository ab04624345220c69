//! A database that goes away mid-traffic and comes back: requests fail fast with `UNAVAILABLE` and no
//! detail, `/readyz` says so, and service resumes by itself. PostgreSQL only: it is the backend that can be
//! taken away (a SQLite file cannot be, under a process that has it open).
use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::helpers::{Backend, TestApp, spawn_app};

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
