//! Named operations as URLs (`/q/{name}`, `/q/{name}.csv`) and the OpenAPI document (`/openapi.json`):
//! each URL answers what the same operation POSTed to `/graphql` answers, its CSV holds the same figures,
//! and the real tools read them: pandas and DuckDB the tables, @redocly/cli, openapi-to-postmanv2 and
//! newman the document (`tests/tools/`, installed by `scripts/dev/install-test-deps.sh`; skipped where
//! missing, and under CI failed).
use std::path::{Path, PathBuf};
use std::process::Command;

use careerql::graphql::persisted::sha256_hex;
use careerql::http::named::BUILT_IN;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, node_missing, skip, spawn_app};

/// Every built-in operation: its name, document and example query string.
fn built_in(app: &TestApp) -> Vec<(String, String, String)> {
    let catalogue = app.state.named.catalogue();
    let operations: Vec<_> = catalogue
        .iter()
        .map(|operation| {
            let example = operation.example.clone().unwrap_or_default();
            (operation.name.clone(), operation.document.clone(), example)
        })
        .collect();
    assert_eq!(operations.len(), BUILT_IN.len(), "every built-in document is served by name");
    operations
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client().get(app.url(path)).send().await.expect("GET")
}

async fn get_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = get(app, path).await;
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

/// The CSV at `path`: its header and rows.
async fn get_csv(app: &TestApp, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let response = get(app, path).await;
    assert_eq!(response.status(), 200, "{path}");
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader.records().map(|record| record.unwrap().iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

/// The value at a dotted `path` in `value`.
fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(value, |value, key| &value[key])
}

/// How a JSON answer's value is written in a CSV cell.
fn as_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

async fn every_built_in_operation_answers_by_url_as_by_post(app: TestApp) {
    for (name, document, example) in built_in(&app) {
        let (status, by_url) = get_json(&app, &format!("/q/{name}?{example}")).await;
        assert_eq!(status, 200, "{name}: {by_url:#}");
        assert!(by_url.get("errors").is_none(), "{name}: {by_url:#}");
        let variables: serde_json::Map<String, Value> = app
            .state
            .named
            .catalogue()
            .get(&name)
            .map(|operation| {
                let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&example).unwrap();
                operation_variables(operation, &pairs)
            })
            .unwrap();
        let body = json!({ "query": document, "operationName": name, "variables": variables });
        let by_post: Value = app.post(&body, None).await.json().await.unwrap();
        assert!(by_post.get("errors").is_none(), "{name}: {by_post:#}");
        assert_eq!(by_url["data"], by_post["data"], "{name}");
        assert!(by_url["data"].as_object().is_some_and(|data| !data.is_empty()), "{name}");
    }
}

/// The variables a query string gives, typed as the operation declares them, written out by hand here so
/// that the URL's own reading is checked against something independent of it.
fn operation_variables(
    operation: &careerql::http::named::Operation,
    pairs: &[(String, String)],
) -> serde_json::Map<String, Value> {
    let mut variables = serde_json::Map::new();
    for definition in operation.variables() {
        let (name, ty) = (definition.node.name.node.as_str(), definition.node.var_type.node.to_string());
        let given: Vec<&str> = pairs.iter().filter(|(key, _)| key == name).map(|(_, value)| value.as_str()).collect();
        if given.is_empty() {
            continue;
        }
        let one = |text: &str| match ty.trim_start_matches('[').trim_end_matches(['!', ']']) {
            "Int" | "Float" => serde_json::from_str(text).unwrap(),
            _ => Value::String(text.to_owned()),
        };
        let value = if ty.starts_with('[') { given.iter().map(|text| one(text)).collect() } else { one(given[0]) };
        variables.insert(name.to_owned(), value);
    }
    variables
}

async fn a_csv_holds_the_figures_of_the_json_row_by_row(app: TestApp) {
    let (_, json) = get_json(&app, "/q/RolePayByCity?role=api-developer").await;
    let nodes = json["data"]["salaryStats"]["nodes"].as_array().unwrap();
    assert!(nodes.len() > 3, "{json:#}");
    let response = get(&app, "/q/RolePayByCity.csv?role=api-developer").await;
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8; header=present");
    assert_eq!(response.headers()["content-disposition"], "attachment; filename=\"RolePayByCity.csv\"");
    let (header, rows) = get_csv(&app, "/q/RolePayByCity.csv?role=api-developer").await;
    assert_eq!(
        header,
        [
            "city.slug",
            "city.name",
            "city.state",
            "count",
            "employment",
            "mean",
            "estimate.p10",
            "estimate.p25",
            "estimate.median",
            "estimate.p75",
            "estimate.p90",
            "estimate.exact"
        ]
    );
    assert_eq!(rows.len(), nodes.len());
    for (row, node) in rows.iter().zip(nodes) {
        for (cell, column) in row.iter().zip(&header) {
            assert_eq!(cell, &as_cell(at(node, column)), "{column} of {node}");
        }
    }

    // Quoting and nulls: sources' attributions hold commas and quotes, and some fields are null.
    let (_, json) = get_json(&app, "/q/Sources").await;
    let sources = json["data"]["sources"].as_array().unwrap();
    let (header, rows) = get_csv(&app, "/q/Sources.csv").await;
    assert_eq!(rows.len(), sources.len());
    for (row, source) in rows.iter().zip(sources) {
        for (cell, column) in row.iter().zip(&header) {
            assert_eq!(cell, &as_cell(at(source, column)), "{column}");
        }
    }
    let cells: Vec<&Value> = sources.iter().flat_map(|source| source.as_object().unwrap().values()).collect();
    assert!(cells.iter().any(|value| value.is_null()), "the seed has a null to write as an empty cell");
    assert!(cells.iter().any(|value| value.as_str().is_some_and(|text| text.contains(','))), "and a comma to quote");

    // The list an operation marks among several, with edges' nested nodes as dotted columns.
    let (header, rows) = get_csv(&app, "/q/RoleProfile.csv?role=senior-backend-engineer").await;
    assert_eq!(header, ["hotTechnology", "inDemand", "onetExample", "node.name", "node.category"]);
    let (_, json) = get_json(&app, "/q/RoleProfile?role=senior-backend-engineer").await;
    assert_eq!(rows.len(), json["data"]["role"]["tools"]["edges"].as_array().unwrap().len());
    // An answer with no list is one row.
    let (header, rows) = get_csv(&app, "/q/SalaryRank.csv?amount=150000&role=senior-backend-engineer").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(header[..2], ["salaryRank.amount", "salaryRank.percentile"]);
}

async fn bad_parameters_get_400_with_a_code(app: TestApp) {
    for (path, wanted) in [
        ("/q/RolePayByCity", "the parameter `role` (String!) is missing"),
        ("/q/SalaryRank?role=api-developer&amount=lots", "`amount` must be a Float"),
        ("/q/RolePayByCity?role=api-developer&kind=CITY", "`kind` must be one of"),
        ("/q/RolePayByCity?role=api-developer&first=1.5", "`first` must be an Int"),
        ("/q/RolePayByCity?role=api-developer&rol=x", "`rol` is not a parameter of this operation"),
        ("/q/RolePayByCity?role=a&role=b", "is given 2 times"),
        ("/q/RolePayByCity.csv", "the parameter `role` (String!) is missing"),
    ] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(response.headers()["content-type"], "application/json; charset=utf-8", "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{path}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains(wanted), "{path}: {body}");
    }
    let (status, body) = get_json(&app, "/q/NoSuchOperation").await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "NOT_FOUND"));
    // A field's own error keeps the JSON answer whole; a table with it would be half a table.
    let (status, body) = get_json(&app, "/q/RoleProfile?role=no-such-role").await;
    assert_eq!((status, error_code(&body)), (StatusCode::OK, "NOT_FOUND"));
    assert!(body["data"]["role"].is_null());
    let (status, refused) = get_json(&app, "/q/RoleProfile.csv?role=no-such-role").await;
    assert_eq!((status, error_code(&refused)), (StatusCode::NOT_FOUND, "NOT_FOUND"));
    assert_eq!(refused["errors"], body["errors"]);
}

async fn urls_run_under_the_limits_and_caching_of_graphql(app: TestApp) {
    // An ETag, the answer's Cache-Control, and a 304 for a client that has it, table or JSON.
    for path in ["/q/RolePayByCity?role=api-developer", "/q/RolePayByCity.csv?role=api-developer"] {
        let response = get(&app, path).await;
        let etag = response.headers()["etag"].clone();
        assert!(response.headers().contains_key("cache-control"), "{path}");
        let again = app.client().get(app.url(path)).header("if-none-match", etag.clone()).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], etag);
    }
    let document = &app.state.named.catalogue().get("RolePayByCity").unwrap().document;
    let variables = json!({ "role": "api-developer" }).to_string();
    let params = [("query", document.as_str()), ("variables", variables.as_str())];
    let by_get = app.client().get(app.url("/graphql")).query(&params).send().await.unwrap();
    let by_url = get(&app, "/q/RolePayByCity?role=api-developer").await;
    assert_eq!(by_get.headers()["cache-control"], by_url.headers()["cache-control"]);
    assert_eq!(by_get.headers()["etag"], by_url.headers()["etag"], "the same answer, byte for byte");

    // The query limits: RolePayByCity is 4 deep.
    let app = app.reconfigure(&["--max-depth", "3"]).await;
    let (status, body) = get_json(&app, "/q/RolePayByCity?role=api-developer").await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "QUERY_TOO_COMPLEX"), "{body:#}");

    // The client's cost budget: a table is charged what its JSON is.
    let app = app.reconfigure(&["--rate-limit-per-minute", "100"]).await;
    let response = get(&app, "/q/RolePayByCity.csv?role=api-developer").await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "RATE_LIMITED");
}

async fn in_allow_list_mode_the_registered_operations_are_served(app: TestApp) {
    let tags =
        "# Roles and their responsibilities.\nquery Tags { roles(first: 3) { nodes { slug responsibilities } } }";
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("operations.json");
    let operations = json!({ "operations": [{ "id": sha256_hex(tags), "body": tags }] });
    std::fs::write(&manifest, operations.to_string()).unwrap();
    let path = manifest.to_str().unwrap();
    let app = app.reconfigure(&["--persisted-queries", "allow-list", "--persisted-queries-file", path]).await;

    let (status, body) = get_json(&app, "/q/Tags").await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["data"]["roles"]["nodes"].as_array().unwrap().len(), 3);
    // A list inside each row makes no table: refused before anything runs.
    let (status, refused) = get_json(&app, "/q/Tags.csv").await;
    assert_eq!((status, error_code(&refused)), (StatusCode::BAD_REQUEST, "BAD_USER_INPUT"));
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("`responsibilities` is a list inside each row of `roles.nodes`"), "{message}");
    // The built-in ones are not registered, so they are not served here.
    let (status, _) = get_json(&app, "/q/RolePayByCity?role=api-developer").await;
    assert_eq!(status, 404);
    let (_, openapi) = get_json(&app, "/openapi.json").await;
    let paths: Vec<&String> = openapi["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, ["/q/Tags"]);
}

/// Every `/q/` URL the docs show answers 200, and the table docs/analytics.md prints is the server's answer.
async fn the_urls_in_the_docs_answer(app: TestApp) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut urls = Vec::new();
    for page in ["README.md", "docs/api.md", "docs/analytics.md"] {
        let text = std::fs::read_to_string(root.join(page)).unwrap();
        for rest in text.split("/q/").skip(1).filter(|rest| !rest.starts_with('{')) {
            let end = rest.find(|c: char| c.is_whitespace() || "`\"')".contains(c)).unwrap_or(rest.len());
            urls.push((page, format!("/q/{}", rest[..end].trim_end_matches(['.', ',']))));
        }
    }
    assert!(urls.len() > 10, "{urls:?}");
    for (page, url) in &urls {
        assert_eq!(get(&app, url).await.status(), 200, "{page}: {url}");
    }

    let analytics = std::fs::read_to_string(root.join("docs/analytics.md")).unwrap();
    let sample: Vec<&str> = analytics
        .lines()
        .skip_while(|line| !line.starts_with("city.slug,"))
        .take_while(|line| !line.starts_with("```"))
        .collect();
    let csv = get(&app, "/q/RolePayByCity.csv?role=api-developer").await.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(sample.len() > 2, "docs/analytics.md prints the table's first lines:\n{csv}");
    assert_eq!(sample, lines[..sample.len()], "docs/analytics.md prints what the server answers:\n{csv}");
}

crate::on_every_backend!(
    the_urls_in_the_docs_answer,
    every_built_in_operation_answers_by_url_as_by_post,
    a_csv_holds_the_figures_of_the_json_row_by_row,
    bad_parameters_get_400_with_a_code,
    urls_run_under_the_limits_and_caching_of_graphql,
    in_allow_list_mode_the_registered_operations_are_served
);

#[tokio::test]
async fn the_playground_links_the_openapi_document() {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let page = app.get("/").await.text().await.unwrap();
    let link = page.split("href=\"").filter_map(|rest| rest.split('"').next()).find(|href| href.contains("openapi"));
    assert_eq!(link, Some("/openapi.json"));
    let response = app.get("/openapi.json").await;
    assert_eq!(response.headers()["content-type"], "application/json; charset=utf-8");
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
}

// The real tools, on SQLite: they read the HTTP contract, which does not depend on the database.

fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools")
}

/// Runs a program of the tools, off this test's runtime (which keeps serving their requests): its stdout and
/// stderr.
async fn run(program: PathBuf, args: Vec<String>) -> (String, String) {
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&program).args(&args).current_dir(tools_dir()).output().expect("run a tool")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "the tool failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

/// Two values alike as a reader of the CSV sees them: numbers by value, nulls as missing.
fn alike(json: &Value, read: &Value) -> bool {
    match (json, read) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

#[tokio::test]
async fn pandas_and_duckdb_read_a_table_straight_from_a_url() {
    let python = tools_dir().join(".venv/bin/python");
    if !python.exists() {
        skip("tests/tools/.venv is missing (run scripts/dev/install-test-deps.sh)");
        return;
    }
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    for (query, list) in [("RolePayByCity?role=api-developer", "salaryStats.nodes"), ("Sources", "sources")] {
        let (name, parameters) = query.split_once('?').unwrap_or((query, ""));
        let (_, json) = get_json(&app, &format!("/q/{query}")).await;
        let items = at(&json["data"], list).as_array().unwrap().clone();
        let url = app.url(&format!("/q/{name}.csv?{parameters}"));
        let read: Value =
            serde_json::from_str(&run(python.clone(), vec!["tables.py".to_owned(), url]).await.0).unwrap();
        for tool in ["pandas", "duckdb"] {
            let rows = read[tool].as_array().unwrap();
            assert_eq!(rows.len(), items.len(), "{tool} read every row of {name}");
            for (row, item) in rows.iter().zip(&items) {
                for (column, value) in row.as_object().unwrap() {
                    let wanted = at(item, column);
                    assert!(alike(wanted, value), "{tool}, {name}: {column} is {value}, the JSON has {wanted}");
                }
            }
        }
    }
}

#[tokio::test]
async fn redocly_postman_and_newman_accept_the_openapi_document() {
    if let Some(missing) = node_missing("tests/tools") {
        skip(&format!("the OpenAPI tools did not run: {missing}"));
        return;
    }
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("openapi.json");
    let text = get(&app, "/openapi.json").await.text().await.unwrap();
    std::fs::write(&document, &text).unwrap();
    let bin = |name: &str| tools_dir().join("node_modules/.bin").join(name);
    let path = |file: &Path| file.display().to_string();

    let (_, lint) = run(bin("redocly"), vec!["lint".to_owned(), path(&document)]).await;
    eprintln!("redocly lint: {lint}");
    assert!(lint.contains("Your API description is valid"), "{lint}");
    assert!(!lint.contains("You have"), "no warnings either: {lint}");

    let collection = dir.path().join("collection.json");
    let options = "parametersResolution=Example,enableOptionalParameters=false".to_owned();
    let converted =
        vec!["-s".to_owned(), path(&document), "-o".to_owned(), path(&collection), "-O".to_owned(), options];
    run(bin("openapi2postmanv2"), converted).await;

    let report = dir.path().join("newman.json");
    let base_url = format!("baseUrl={}", app.url(""));
    let newman = vec![
        "run".to_owned(),
        path(&collection),
        "--env-var".to_owned(),
        base_url,
        "--reporters".to_owned(),
        "cli,json".to_owned(),
        "--reporter-json-export".to_owned(),
        path(&report),
    ];
    eprintln!("{}", run(bin("newman"), newman).await.0);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let executions = report["run"]["executions"].as_array().unwrap();
    let openapi: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(executions.len(), openapi["paths"].as_object().unwrap().len(), "one request per path");
    for execution in executions {
        let url = &execution["request"]["url"];
        assert_eq!(execution["response"]["code"], 200, "{url}: {}", execution["response"]);
    }
}
