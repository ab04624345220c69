use crate::helpers::TestApp;

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
    assert_eq!(assets.len(), 4, "expected css + three scripts, found {assets:?}");
    for asset in assets {
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        let expected = if asset.ends_with(".css") { "text/css" } else { "text/javascript" };
        assert!(content_type.starts_with(expected), "{asset}: {content_type}");
        assert!(response.bytes().await.unwrap().len() > 1000, "{asset} is empty");
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

/// The example document the playground opens with, read from its page.
fn playground_examples() -> String {
    let page = include_str!("../../assets/graphiql/index.html");
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

async fn every_readme_example_runs_without_errors(app: TestApp) {
    let readme = include_str!("../../README.md");
    let examples: Vec<&str> =
        readme.split("```graphql\n").skip(1).map(|block| block.split("```").next().unwrap()).collect();
    assert!(examples.len() >= 6, "found {} examples", examples.len());
    for example in examples {
        let response = app.graphql(example).await;
        assert!(response.get("errors").is_none(), "{example}\n{response:#}");
    }
}

crate::on_every_backend!(
    every_readme_example_runs_without_errors,
    every_playground_example_runs_without_errors,
    the_playground_introspection_query_is_answered,
    healthz_answers_ok,
    playground_and_every_asset_it_loads_are_served_locally,
    graphql_answers_queries_over_get
);
