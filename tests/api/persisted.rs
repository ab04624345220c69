//! Persisted queries: Apollo's automatic ones (the default), an allow-list, and off.
use careerql::graphql::persisted::sha256_hex;
use careerql::metrics::REJECTED_REQUESTS;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const ROLES: &str = "query Roles { roles(first: 2) { nodes { slug } } }";

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// GETs `/graphql` with the document's hash, and the document too when given: the headers and the body.
async fn get_by_hash(app: &TestApp, hash: &str, query: Option<&str>) -> (HeaderMap, Value) {
    let mut params = vec![("extensions", persisted(hash).to_string())];
    params.extend(query.map(|query| ("query", query.to_owned())));
    let response = app.client().get(app.url("/graphql")).query(&params).send().await.expect("GET /graphql");
    let headers = response.headers().clone();
    (headers, response.json().await.expect("JSON body"))
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body:#}"))
}

async fn automatic_persisted_queries_run_a_document_by_its_hash(app: TestApp) {
    let hash = sha256_hex(ROLES);
    let (_, unknown) = get_by_hash(&app, &hash, None).await;
    assert_eq!(code(&unknown), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound", "the message Apollo clients look for");

    let (_, registered) = get_by_hash(&app, &hash, Some(ROLES)).await;
    assert_eq!(registered["data"]["roles"]["nodes"].as_array().unwrap().len(), 2, "{registered:#}");

    let (headers, by_hash) = get_by_hash(&app, &hash, None).await;
    assert_eq!(by_hash["data"], registered["data"]);
    assert!(headers.contains_key("etag"), "a GET by hash is what a CDN caches");

    let (_, mismatch) = get_by_hash(&app, &sha256_hex("{ roles { nodes { slug } } }"), Some(ROLES)).await;
    assert_eq!(code(&mismatch), "BAD_USER_INPUT");
}

async fn allow_list_mode_runs_only_registered_operations(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("operations.json");
    let operations = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{ "id": sha256_hex(ROLES), "name": "Roles", "type": "query", "body": ROLES }],
    });
    std::fs::write(&manifest, operations.to_string()).unwrap();
    let path = manifest.to_str().unwrap();
    let app = app.reconfigure(&["--persisted-queries", "allow-list", "--persisted-queries-file", path]).await;

    let (_, by_hash) = get_by_hash(&app, &sha256_hex(ROLES), None).await;
    assert_eq!(by_hash["data"]["roles"]["nodes"].as_array().unwrap().len(), 2, "{by_hash:#}");
    assert_eq!(
        app.data(ROLES).await["roles"]["nodes"].as_array().unwrap().len(),
        2,
        "a registered document sent in full"
    );

    let before = app.metrics().await.value(REJECTED_REQUESTS, &[("limit", "persisted_query_allow_list")]);
    let other = "{ roles { nodes { slug title } } }";
    let refused = app.graphql(other).await;
    assert_eq!(code(&refused), "PERSISTED_QUERY_NOT_ALLOWED");
    assert!(refused.get("data").is_none_or(Value::is_null));
    let (_, smuggled) = get_by_hash(&app, &sha256_hex(other), Some(other)).await;
    assert_eq!(code(&smuggled), "PERSISTED_QUERY_NOT_ALLOWED", "clients cannot register new operations");
    let (_, unknown) = get_by_hash(&app, &sha256_hex(other), None).await;
    assert_eq!(code(&unknown), "PERSISTED_QUERY_NOT_FOUND");
    let after = app.metrics().await.value(REJECTED_REQUESTS, &[("limit", "persisted_query_allow_list")]);
    assert!(after >= before + 2.0, "rejections are counted: {before} then {after}");
}

async fn with_persisted_queries_off_a_hash_is_not_supported(app: TestApp) {
    let app = app.reconfigure(&["--persisted-queries", "off"]).await;
    let (_, refused) = get_by_hash(&app, &sha256_hex(ROLES), Some(ROLES)).await;
    assert_eq!(code(&refused), "PERSISTED_QUERY_NOT_SUPPORTED");
    assert_eq!(app.data(ROLES).await["roles"]["nodes"].as_array().unwrap().len(), 2);
}

crate::on_every_backend!(
    automatic_persisted_queries_run_a_document_by_its_hash,
    allow_list_mode_runs_only_registered_operations,
    with_persisted_queries_off_a_hash_is_not_supported
);
