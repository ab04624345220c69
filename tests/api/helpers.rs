//! `spawn_app()`: the real server on 127.0.0.1 port 0 over a throwaway database, on either backend.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use careerql::app::{AppState, app};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tempfile::TempDir;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed `async fn(TestApp)` as two tests, `sqlite::NAME` and `postgres::NAME`.
#[macro_export]
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $test() {
                if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await {
                    super::$test(app).await
                }
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $test() {
                if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await {
                    super::$test(app).await
                }
            })*
        }
    };
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// The throwaway database's URL, for driving the command line against it.
    pub database_url: String,
    pub state: AppState,
    client: reqwest::Client,
    _database: Throwaway,
}

/// The test's own database, removed when the test ends.
enum Throwaway {
    Sqlite { _dir: TempDir },
    Postgres { server: String, name: String },
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        if let Throwaway::Postgres { server, name } = self {
            let (server, database) = (server.clone(), name.clone());
            // Drop runs inside the test's runtime, which cannot block on itself: use a thread of our own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                runtime.block_on(async {
                    let admin = sea_orm::Database::connect(format!("{server}/postgres")).await.ok()?;
                    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).await.ok()
                })
            });
            if !matches!(dropped.join(), Ok(Some(_))) {
                eprintln!("could not drop test database {name}");
            }
        }
    }
}

/// The PostgreSQL server tests use, started by `scripts/start-postgres.sh` when it is down. `None` (with a
/// notice) where it cannot be had; under CI (`CI=true`) that is a failure, never a skip.
fn postgres_server() -> Option<&'static str> {
    static SERVER: OnceLock<Option<String>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = std::env::var("CAREERQL_TEST_POSTGRES")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/start-postgres.sh");
            let started = std::process::Command::new("bash").arg(script).status().is_ok_and(|s| s.success());
            if started {
                return Some(url);
            }
            assert!(!in_ci(), "PostgreSQL is required under CI but {script} could not start it");
            eprintln!("SKIPPED: PostgreSQL is not available; the postgres:: tests did not run");
            None
        })
        .as_deref()
}

pub fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

async fn throwaway_database(backend: Backend) -> Option<(String, Throwaway)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("careerql.db").display());
            Some((url, Throwaway::Sqlite { _dir: dir }))
        }
        Backend::Postgres => {
            let server = postgres_server()?;
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
            let name = format!("careerql_test_{}_{nanos}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
            let admin = sea_orm::Database::connect(format!("{server}/postgres")).await.expect("connect to PostgreSQL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.expect("close admin connection");
            Some((format!("{server}/{name}"), Throwaway::Postgres { server: server.to_owned(), name }))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let (url, database) = throwaway_database(backend).await?;
    let state = AppState::open(&url).await.expect("open the test database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let addr = listener.local_addr().expect("local addr");
    let router = app(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    Some(TestApp { addr, database_url: url, state, client: reqwest::Client::new(), _database: database })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// POSTs a GraphQL document and returns the whole JSON response.
    pub async fn graphql(&self, query: &str) -> Value {
        self.graphql_with(query, json!({})).await
    }

    pub async fn graphql_with(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        assert_eq!(response.status(), 200, "POST /graphql status");
        response.json().await.expect("JSON body")
    }

    /// The `data` of a response that must have no errors.
    pub async fn data(&self, query: &str) -> Value {
        let response = self.graphql(query).await;
        assert!(response.get("errors").is_none(), "unexpected errors: {response:#}");
        response["data"].clone()
    }

    /// SQL statements the server has run so far.
    pub fn statements(&self) -> u64 {
        self.state.db.statements()
    }
}

/// A file from the shared data folder beside the repository. Outside CI a missing file skips the caller's
/// checks with a notice; under CI it fails, so a skip never passes for a test.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(!in_ci(), "CI needs {}", path.display());
    eprintln!("SKIPPED: {} not found; source-file checks did not run", path.display());
    None
}
