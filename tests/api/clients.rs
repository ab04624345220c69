//! Real clients against the live server, each a node script in `tests/clients/`: the GraphQL-over-HTTP
//! conformance audit (graphql-http), Apollo Client, urql and graphql-js, and GraphiQL in headless Chromium
//! (a query, the explorer plugin's pane, and no Content-Security-Policy violation).
//! `scripts/dev/install-test-deps.sh` installs what they need (`.ci/run` runs it). Where node, the npm packages
//! or Chromium are missing the test is skipped (`helpers::skip`), and under CI (`CI=true`) fails.
//!
//! They run on SQLite only: they exercise the HTTP contract and the clients, which do not depend on the
//! database, and the API suite already runs on both backends.
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::{Backend, TestApp, node_missing, skip, spawn_app};

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Why the node checks cannot run here, if they cannot.
fn missing_tool(needs_chromium: bool) -> Option<String> {
    if let Some(missing) = node_missing("tests/clients") {
        return Some(missing);
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if needs_chromium && !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is missing (run scripts/dev/install-test-deps.sh)"));
    }
    None
}

/// Runs `node SCRIPT ARGS…` in tests/clients against the app, printing its output; `None` when skipped.
async fn node(app: &TestApp, script: &str, args: Vec<String>, needs_chromium: bool) -> Option<String> {
    if let Some(missing) = missing_tool(needs_chromium) {
        skip(&format!("{script} did not run: {missing}"));
        return None;
    }
    let script = script.to_owned();
    // On a thread of its own, so this test's runtime keeps serving the requests node sends.
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(&script).args(&args).current_dir(clients_dir()).output().expect("run node")
    })
    .await
    .expect("node finished");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    eprintln!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "node failed against {}:\n{stdout}", app.url("/"));
    Some(stdout)
}

async fn sqlite_app() -> TestApp {
    spawn_app(Backend::Sqlite).await.expect("SQLite is always available")
}

#[tokio::test]
async fn graphql_over_http_conformance_audit_passes_in_full() {
    let app = sqlite_app().await;
    if let Some(output) = node(&app, "audit.mjs", vec![app.url("/graphql")], false).await {
        let summary = output.lines().find(|line| line.starts_with("graphql-http audit:")).expect("a summary line");
        // Every audit the package has, at every level, passed (the script fails on any other outcome).
        for level in ["MUST", "SHOULD", "MAY"] {
            let (passed, total) = summary
                .split(", ")
                .find_map(|part| part.trim_start_matches("graphql-http audit: ").strip_prefix(&format!("{level} ")))
                .and_then(|counts| counts.split_once('/'))
                .unwrap_or_else(|| panic!("no {level} count in {summary}"));
            assert_eq!(passed, total, "{summary}");
            assert!(total.parse::<u32>().unwrap() > 0, "{summary}");
        }
    }
}

#[tokio::test]
async fn apollo_urql_and_graphql_js_work_with_the_live_schema() {
    let app = sqlite_app().await;
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql").display().to_string();
    node(&app, "clients.mjs", vec![app.url("/graphql"), schema], false).await;
}

#[tokio::test]
async fn graphiql_runs_a_query_in_headless_chromium() {
    let app = sqlite_app().await;
    node(&app, "graphiql.mjs", vec![app.url("/")], true).await;
}
