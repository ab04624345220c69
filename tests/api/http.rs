use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn healthz_answers_ok(app: TestApp) {
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

async fn playground_and_every_asset_it_loads_are_served_locally(app: TestApp) {
    let page = app.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("GraphiQL"));
    assert!(!html.contains("https://"), "the playground must not load anything from the internet");

    let assets: Vec<&str> = html.split(['"', '\'']).filter(|s| s.starts_with("/assets/graphiql/")).collect();
    // GraphiQL's and the explorer plugin's stylesheets and the page's own; React, ReactDOM, GraphiQL, the
    // plugin and the page's start-up script.
    assert_eq!(assets.len(), 8, "expected three stylesheets and five scripts, found {assets:?}");
    for asset in assets {
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        let expected = if asset.ends_with(".css") { "text/css" } else { "text/javascript" };
        assert!(content_type.starts_with(expected), "{asset}: {content_type}");
        assert!(response.bytes().await.unwrap().len() > 100, "{asset} is empty");
    }
    assert_eq!(app.get("/assets/graphiql/missing.js").await.status(), 404);
}

async fn graphql_answers_queries_over_get(app: TestApp) {
    let response = app.get("/graphql?query=%7Brole(slug%3A%22api-developer%22)%7Btitle%7D%7D").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["data"]["role"]["title"], "API Developer");
}

/// graphql-js's `getIntrospectionQuery()` (v16, as GraphiQL sends it), whose type references nest 13 levels.
const INTROSPECTION: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}"#;

async fn the_playground_introspection_query_is_answered(app: TestApp) {
    let data = app.data(INTROSPECTION).await;
    let types = data["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "SalaryRange"));
}

/// The example document the playground opens with, read from its start-up script.
fn playground_examples() -> String {
    let page = include_str!("../../assets/graphiql/init.js");
    let start = page.find("var defaultQuery = [").expect("the page defines defaultQuery");
    let end = start + page[start..].find("].join").expect("defaultQuery ends with join");
    page[start..end]
        .lines()
        .filter_map(|line| line.trim().strip_prefix('\'').and_then(|l| l.trim_end_matches(',').strip_suffix('\'')))
        .map(|line| line.replace("\\'", "'"))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn every_playground_example_runs_without_errors(app: TestApp) {
    let document = playground_examples();
    let operations: Vec<&str> = document
        .lines()
        .filter_map(|l| l.strip_prefix("query "))
        .map(|l| l.split(['(', ' ']).next().unwrap())
        .collect();
    assert!(operations.len() >= 5, "{operations:?}");
    for operation in operations {
        let response = app
            .client()
            .post(app.url("/graphql"))
            .json(&serde_json::json!({ "query": document, "operationName": operation }))
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body.get("errors").is_none(), "{operation}: {body:#}");
        let data = body["data"].as_object().unwrap();
        assert!(data.values().all(|v| !v.is_null()), "{operation} returned nothing: {body:#}");
    }
}

/// (status, content type, body) of a POST of `body` asking for `accept`.
async fn exchange(app: &TestApp, body: &Value, accept: Option<&str>) -> (u16, String, Value) {
    let response = app.post(body, accept).await;
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    (status, content_type, response.json().await.unwrap())
}

async fn the_response_type_follows_accept(app: TestApp) {
    let query = json!({ "query": "{ __typename }" });
    for (accept, expected) in [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some("application/json"), "application/json"),
        (Some(GRAPHQL_RESPONSE), GRAPHQL_RESPONSE),
        (Some("application/graphql-response+json, application/json;q=0.9"), GRAPHQL_RESPONSE),
        (Some("application/json, application/graphql-response+json;q=0.5"), "application/json"),
        (Some("text/html, */*;q=0.8"), "application/json"),
    ] {
        let (status, content_type, body) = exchange(&app, &query, accept).await;
        assert_eq!(status, 200, "{accept:?}");
        assert!(content_type.starts_with(expected), "{accept:?}: {content_type}");
        assert_eq!(body["data"]["__typename"], "Query");
    }
    let (status, _, body) = exchange(&app, &query, Some("text/html")).await;
    assert_eq!((status, error_code(&body)), (406, "BAD_USER_INPUT"));
}

async fn request_errors_are_4xx_without_data_under_graphql_response_json(app: TestApp) {
    for (query, code) in [
        ("{ roles { slug ", "GRAPHQL_PARSE_FAILED"),
        ("{ roles { salary } }", "GRAPHQL_VALIDATION_FAILED"),
        ("query Q($n: Int!) { roles(first: $n) { totalCount } }", "GRAPHQL_VALIDATION_FAILED"),
    ] {
        let (status, _, body) = exchange(&app, &json!({ "query": query }), Some(GRAPHQL_RESPONSE)).await;
        assert_eq!((status, error_code(&body)), (400, code), "{query}: {body:#}");
        assert!(body.get("data").is_none(), "{query}: {body:#}");
        // Legacy clients get 200, as the spec asks, and the same error.
        let (status, _, body) = exchange(&app, &json!({ "query": query }), None).await;
        assert_eq!((status, error_code(&body)), (200, code), "{query}: {body:#}");
    }
    // Once execution began, the answer is 200 with data, even with field errors in it.
    let query = json!({ "query": r#"{ role(slug: "nobody") { slug } roles(first: 1) { nodes { slug } } }"# });
    let (status, _, body) = exchange(&app, &query, Some(GRAPHQL_RESPONSE)).await;
    assert_eq!((status, error_code(&body)), (200, "NOT_FOUND"));
    assert_eq!(body["data"]["roles"]["nodes"][0]["slug"], "api-developer");
}

async fn get_runs_queries_and_refuses_mutations(app: TestApp) {
    let response = app
        .get(
            "/graphql?query=query%20Q(%24n%3A%20Int)%7Broles(first%3A%20%24n)%7Bnodes%7Bslug%7D%7D%7D&variables=%7B%22n%22%3A2%7D",
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["roles"]["nodes"].as_array().unwrap().len(), 2);

    let response = app.get("/graphql?query=mutation%20M%20%7B%20__typename%20%7D").await;
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(error_code(&response.json().await.unwrap()), "BAD_USER_INPUT");

    // A document with a query and a mutation may run its query over GET.
    let response =
        app.get("/graphql?query=query%20Q%7B__typename%7D%20mutation%20M%7B__typename%7D&operationName=Q").await;
    assert_eq!(response.status(), 200);
}

async fn posts_must_be_well_formed_json(app: TestApp) {
    let post = |content_type: Option<&'static str>, body: &'static str| {
        let request = app.request(Method::POST).header("accept", GRAPHQL_RESPONSE).body(body);
        match content_type {
            Some(content_type) => request.header("content-type", content_type),
            None => request,
        }
    };
    for (content_type, body, status) in [
        (None, r#"{"query": "{ __typename }"}"#, 415),
        (Some("text/plain"), r#"{"query": "{ __typename }"}"#, 415),
        (Some("application/json"), "", 400),
        (Some("application/json"), r#"{"query": "{ __typename }""#, 400),
        (Some("application/json"), r#"{"qeury": "{ __typename }"}"#, 400),
        (Some("application/json"), r#"{"query": 1}"#, 400),
        (Some("application/json"), r#"{"query": "{ __typename }", "variables": "x"}"#, 400),
        (Some("application/json"), r#"{"query": "{ __typename }", "operationName": false}"#, 400),
        (Some("application/json"), r#"{"query": "{ __typename }", "extensions": []}"#, 400),
        (Some("application/json"), r#""{ __typename }""#, 400),
        (Some("application/json"), r#"[]"#, 400),
        (Some("application/json; charset=utf-8"), r#"{"query": "{ __typename }", "variables": null}"#, 200),
    ] {
        let response = post(content_type, body).send().await.unwrap();
        assert_eq!(response.status(), status, "{content_type:?} {body}");
        let reply: Value = response.json().await.unwrap();
        if status != 200 {
            assert_eq!(error_code(&reply), "BAD_USER_INPUT", "{body}");
        }
    }
}

async fn batches_answer_each_operation_in_order(app: TestApp) {
    let batch = json!([
        { "query": "{ roles(first: 1) { nodes { slug } } }" },
        { "query": "query Q($slug: String!) { role(slug: $slug) { title } }", "variables": { "slug": "system-architect" } },
        { "query": "{ nope }" },
    ]);
    let (status, _, body) = exchange(&app, &batch, Some(GRAPHQL_RESPONSE)).await;
    assert_eq!(status, 200);
    let answers = body.as_array().unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["data"]["roles"]["nodes"][0]["slug"], "api-developer");
    assert_eq!(answers[1]["data"]["role"]["title"], "System Architect");
    assert_eq!(error_code(&answers[2]), "GRAPHQL_VALIDATION_FAILED");
    assert!(answers[2].get("data").is_none());
    for answer in &answers[..2] {
        assert!(answer["extensions"]["cost"]["requested"].as_u64().unwrap() > 0, "{answer:#}");
    }
}

crate::on_every_backend!(
    every_playground_example_runs_without_errors,
    the_response_type_follows_accept,
    request_errors_are_4xx_without_data_under_graphql_response_json,
    get_runs_queries_and_refuses_mutations,
    posts_must_be_well_formed_json,
    batches_answer_each_operation_in_order,
    the_playground_introspection_query_is_answered,
    healthz_answers_ok,
    playground_and_every_asset_it_loads_are_served_locally,
    graphql_answers_queries_over_get
);
