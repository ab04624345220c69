//! The typed TypeScript client in `clients/typescript/`: the README's example queries, with types generated
//! from `schema.graphql` by GraphQL Code Generator (client preset), checked by `tsc --noEmit` and compiled by
//! relay-compiler under Relay's rules (`clients/typescript/check.mjs`), then run against the live server.
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::helpers::{Backend, node_missing, skip, spawn_app};

/// Both tests generate `clients/typescript/src/gql/`: one at a time.
static CODEGEN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `node check.mjs ARGS…` in clients/typescript, with `env` set; `None` (skipped) where node or the client's
/// packages are missing.
async fn check(args: Vec<String>, env: Vec<(&'static str, String)>) -> Option<Output> {
    if let Some(missing) = node_missing("clients/typescript") {
        skip(&format!("the typed client's checks did not run: {missing}"));
        return None;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("clients/typescript");
    // On a thread of its own, so this test's runtime keeps serving the requests the client sends.
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg("check.mjs").args(args).envs(env).current_dir(dir).output().expect("run node")
    });
    Some(output.await.expect("node finished"))
}

#[tokio::test]
async fn the_typescript_client_type_checks_passes_relay_and_answers_like_the_api() {
    let _turn = CODEGEN.lock().await;
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let Some(output) = check(vec![app.url("/graphql")], vec![]).await else { return };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "check.mjs failed:\n{stderr}");
    assert!(stderr.contains("8 operations and fragments pass relay-compiler; src/ passes codegen and tsc"), "{stderr}");
    let shown: Value = serde_json::from_slice(&output.stdout).expect("the client prints JSON");

    // What the client's typed functions return is what the API answers.
    let role = app
        .data(r#"{ role(slug: "senior-backend-engineer") { title skills { totalCount } tools(first: 100) { totalCount } } }"#)
        .await;
    assert_eq!(shown["role"]["title"], role["role"]["title"]);
    assert_eq!(shown["role"]["skills"].as_array().unwrap().len() as u64, role["role"]["skills"]["totalCount"]);
    assert_eq!(shown["role"]["toolCount"], role["role"]["tools"]["totalCount"]);

    let best = app
        .data("{ salaryRanges(first: 20, orderBy: [{ field: MEDIAN, direction: DESC }]) { nodes { median city { name } } } }")
        .await;
    let pages = shown["firstPages"].as_array().unwrap();
    assert_eq!(pages.len(), 2, "two pages, following endCursor");
    // As numbers: node prints 213110 where the server printed 213110.0.
    let paged: Vec<(Option<f64>, &Value)> = pages
        .iter()
        .flat_map(|page| page.as_array().unwrap())
        .map(|range| (range["median"].as_f64(), &range["city"]))
        .collect();
    let expected: Vec<(Option<f64>, &Value)> = best["salaryRanges"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|range| (range["median"].as_f64(), &range["city"]["name"]))
        .collect();
    assert_eq!(paged, expected);

    let cities = shown["cities"].as_array().unwrap();
    assert_eq!(cities.len(), 5);
    assert!(cities.iter().all(|city| city["median"].is_number()), "{cities:?}");
}

/// check.mjs against `schema.graphql` changed by `edit`: what it printed on stderr, having failed.
async fn refused_with(edit: impl FnOnce(&str) -> String) -> Option<String> {
    let schema = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql")).unwrap();
    let changed = edit(&schema);
    assert_ne!(changed, schema, "the edit changed nothing");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.graphql");
    std::fs::write(&path, changed).unwrap();
    let output = check(vec![], vec![("CAREERQL_SCHEMA", path.display().to_string())]).await?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "check.mjs passed against the changed schema:\n{stderr}");
    Some(stderr)
}

#[tokio::test]
async fn the_typescript_client_fails_against_a_schema_without_a_field_it_uses() {
    let _turn = CODEGEN.lock().await;
    let Some(stderr) = refused_with(|schema| schema.replace("\tsummary: String!\n", "")).await else { return };
    assert!(stderr.contains("typed client: codegen failed"), "{stderr}");
    assert!(stderr.contains(r#"Cannot query field "summary" on type "Role""#), "{stderr}");
}

#[tokio::test]
async fn relay_refuses_a_schema_whose_role_is_not_a_node() {
    let _turn = CODEGEN.lock().await;
    let not_a_node = |schema: &str| schema.replace("type Role implements Node {", "type Role {");
    let Some(stderr) = refused_with(not_a_node).await else { return };
    // codegen and tsc pass (the README's queries ask for no id); Relay's @refetchable needs a Node.
    assert!(stderr.contains("typed client: relay-compiler failed"), "{stderr}");
    assert!(stderr.contains("Invalid use of @refetchable on fragment 'RelayConventions_role'"), "{stderr}");
}
