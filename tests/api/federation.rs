//! Apollo Federation (`--federation`): off by default, and when on, careerql joins a real supergraph.
//! The gateway test runs `tests/federation/supergraph.mjs`: `@apollo/gateway` composes careerql with a job
//! postings subgraph written for the test, and a query through the gateway crosses both.
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, node_missing, skip, spawn_app};

async fn federated() -> TestApp {
    spawn_federated(Backend::Sqlite).await.expect("SQLite is always available")
}

async fn spawn_federated(backend: Backend) -> Option<TestApp> {
    Some(spawn_app(backend).await?.reconfigure(&["--federation"]).await)
}

// The lookups by text key are SQL of their own (`WHERE slug IN (…)`): checked on both backends.
crate::on_every_backend!(spawn = super::spawn_federated; entities_resolve_in_one_statement_per_type_and_in_order);

#[tokio::test]
async fn without_the_setting_there_is_no_federation_surface() {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    for query in [
        "{ _service { sdl } }",
        r#"{ _entities(representations: [{__typename: "Role", slug: "api-developer"}]) { __typename } }"#,
    ] {
        let response = app.graphql(query).await;
        assert!(response["errors"][0]["message"].as_str().is_some_and(|m| m.contains("Unknown field")), "{response:#}");
    }
}

#[test]
fn the_setting_is_a_flag_and_a_config_file_key() {
    let federation = |args: &[&str]| {
        let args = std::iter::once("careerql").chain(args.iter().copied());
        careerql::cli::parse_from(args).map(|cli| cli.config.platform.federation)
    };
    assert!(!federation(&[]).unwrap(), "off by default");
    assert!(federation(&["--federation"]).unwrap());
    assert!(federation(&["--federation=true"]).unwrap());
    assert!(!federation(&["--federation=false"]).unwrap());
    assert!(federation(&["--federation", "schema"]).is_ok(), "a subcommand after the bare flag is no value");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("careerql.toml");
    std::fs::write(&file, "federation = true\n").unwrap();
    assert!(federation(&["--config", file.to_str().unwrap()]).unwrap());
}

#[tokio::test]
async fn the_subgraph_sdl_carries_the_keys() {
    let app = federated().await;
    let sdl = app.data("{ _service { sdl } }").await["_service"]["sdl"].as_str().expect("an SDL").to_owned();
    // `careerql --federation schema` prints the same SDL, for publishing and composition checks.
    let printed = Command::new(env!("CARGO_BIN_EXE_careerql")).args(["--federation", "schema"]).output().unwrap();
    assert!(printed.status.success());
    assert_eq!(String::from_utf8_lossy(&printed.stdout), sdl);
    assert!(sdl.contains("https://specs.apollo.dev/federation/v2"), "a Federation 2 subgraph:\n{sdl}");
    for (ty, key) in
        [("Role", "slug"), ("Skill", "slug"), ("Tool", "slug"), ("City", "slug"), ("Occupation", "socCode")]
    {
        let line = sdl.lines().find(|line| line.starts_with(&format!("type {ty} "))).expect("the type");
        assert!(line.ends_with(&format!("@key(fields: \"{key}\") {{")), "{ty} keyed by {key}: {line}");
    }
}

async fn entities_resolve_in_one_statement_per_type_and_in_order(app: TestApp) {
    let representations = json!([
        { "__typename": "Role", "slug": "api-developer" },
        { "__typename": "Occupation", "socCode": "15-1252" },
        { "__typename": "Role", "slug": "database-administrator" },
        { "__typename": "Skill", "slug": "programming-languages" },
        { "__typename": "Role", "slug": "senior-backend-engineer" },
        { "__typename": "Tool", "slug": "python" },
        { "__typename": "Occupation", "socCode": "15-1242" },
    ]);
    let query = "query($r: [_Any!]!) { _entities(representations: $r) { __typename
        ... on Role { slug title } ... on Occupation { socCode title } ... on Skill { name } ... on Tool { name } } }";
    let before = app.statements();
    let response = app.graphql_with(query, json!({ "r": representations })).await;
    let statements = app.statements() - before;
    assert!(response.get("errors").is_none(), "{response:#}");
    let entities = response["data"]["_entities"].as_array().expect("a list");
    let names: Vec<&str> = entities
        .iter()
        .map(|entity| entity["slug"].as_str().or(entity["socCode"].as_str()).or(entity["name"].as_str()).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "api-developer",
            "15-1252",
            "database-administrator",
            "Programming languages",
            "senior-backend-engineer",
            "Python",
            "15-1242"
        ]
    );
    assert_eq!(entities[1]["title"], "Software Developers");
    // Roles, occupations, skills, tools: one statement each, however many references.
    assert_eq!(statements, 4, "statements for seven references of four types");
}

#[tokio::test]
async fn a_gateway_composes_careerql_with_another_subgraph_and_a_query_crosses_both() {
    let app = federated().await;
    if let Some(missing) = node_missing("tests/federation") {
        return skip(&format!("supergraph.mjs did not run: {missing}"));
    }
    let url = app.url("/graphql");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/federation");
    // On a thread of its own, so this test's runtime keeps serving the requests the gateway sends.
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg("supergraph.mjs").arg(&url).current_dir(dir).output().expect("run node")
    })
    .await
    .expect("node finished");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the gateway failed:\n{stdout}\n{stderr}");
    let body: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("the gateway's JSON");
    let data = &body["data"];
    // Postings (theirs) -> roles and occupations (careerql's `_entities`).
    let postings: Vec<(String, String, String)> = data["jobPostings"]
        .as_array()
        .expect("postings")
        .iter()
        .map(|posting| {
            let role = &posting["role"];
            (
                posting["id"].as_str().unwrap().to_owned(),
                role["title"].as_str().unwrap().to_owned(),
                role["occupation"]["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("p1", "Senior Backend Engineer", "Software Developers"),
        ("p2", "Database Administrator", "Database Administrators"),
        ("p3", "API Developer", "Software Developers"),
        ("p4", "API Developer", "Software Developers"),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(postings, expected, "{body:#}");
    // careerql's role -> its postings (the other subgraph's `_entities`).
    assert_eq!(data["role"]["title"], "API Developer");
    assert_eq!(
        data["role"]["postings"],
        json!([{ "id": "p3", "company": "Initech" }, { "id": "p4", "company": "Umbrella" }])
    );
}
