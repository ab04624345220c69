//! `spawn_app()`: the real server on 127.0.0.1 port 0 over a throwaway SQLite database.
use std::net::SocketAddr;
use std::path::PathBuf;

use careerql::app::{AppState, app};
use serde_json::{Value, json};
use tempfile::TempDir;

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    client: reqwest::Client,
    _dir: TempDir,
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("careerql.db").display());
    let state = AppState::open(&url).await.expect("open the test database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let addr = listener.local_addr().expect("local addr");
    let router = app(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    TestApp { addr, state, client: reqwest::Client::new(), _dir: dir }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
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
/// checks with a notice; under CI (`CI=true`) it fails, so a skip never passes for a test.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI needs {}", path.display());
    eprintln!("SKIPPED: {} not found; source-file checks did not run", path.display());
    None
}
