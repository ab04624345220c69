//! Every limit refuses what is over it, before anything runs, with `QUERY_TOO_COMPLEX` naming the limit;
//! what is within it runs and reports its cost.
use careerql::config::Limits;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

/// The limit a `QUERY_TOO_COMPLEX` response names.
fn limit_hit(body: &Value) -> &str {
    assert_eq!(error_code(body), "QUERY_TOO_COMPLEX", "{body:#}");
    body["errors"][0]["extensions"]["limit"].as_str().unwrap_or_else(|| panic!("no limit named in {body:#}"))
}

/// POSTs `query` asking for `application/graphql-response+json`; returns (status, body).
async fn post(app: &TestApp, query: &str) -> (u16, Value) {
    let response = app.post(&json!({ "query": query }), Some("application/graphql-response+json")).await;
    (response.status().as_u16(), response.json().await.expect("JSON body"))
}

/// `{ roles(first: 1) { nodes { occupation { roles(first: 1) { … } } } } }`, `depth` fields deep.
fn deep_query(depth: usize) -> String {
    const LEVELS: [(&str, &str); 3] = [("roles(first: 1)", "totalCount"), ("nodes", "slug"), ("occupation", "socCode")];
    let levels: Vec<(&str, &str)> = (0..depth - 1).map(|level| LEVELS[level % 3]).collect();
    let leaf = levels.last().map_or("__typename", |(_, leaf)| leaf);
    let path: Vec<&str> = levels.iter().map(|(field, _)| *field).collect();
    format!("{{ {} {{ {leaf} {} }}", path.join(" { "), "}".repeat(depth - 1))
}

async fn depth_is_limited_but_introspection_is_not(app: TestApp) {
    let max = app.state.limits.query.max_depth;
    let (status, body) = post(&app, &deep_query(max)).await;
    assert_eq!(status, 200, "{body:#}");
    let (status, body) = post(&app, &deep_query(max + 1)).await;
    assert_eq!((status, limit_hit(&body)), (400, "depth"), "{body:#}");
    assert!(body.get("data").is_none(), "a refused request has no data entry");
    // Introspection nests deeper than any data query may (GraphiQL's query: 13 levels of `ofType`).
    let of_type = (0..12).fold("name".to_owned(), |inner, _| format!("kind ofType {{ {inner} }}"));
    let (status, body) =
        post(&app, &format!("{{ __type(name: \"Role\") {{ fields {{ type {{ {of_type} }} }} }} }}")).await;
    assert_eq!(status, 200, "{body:#}");
}

async fn introspection_cannot_nest_lists_of_types_without_bound(app: TestApp) {
    let (status, body) = post(&app, "{ __schema { types { fields { type { fields { type { name } } } } } } }").await;
    assert_eq!(status, 200, "two levels of `fields` are what tools need: {body:#}");
    let query = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let (status, body) = post(&app, query).await;
    assert_eq!((status, limit_hit(&body)), (400, "introspectionDepth"));
}

async fn cost_counts_lists_by_first_and_is_reported(app: TestApp) {
    let (status, body) = post(&app, "{ roles { nodes { slug } } }").await;
    assert_eq!(status, 200);
    // The root list defaults to 20: 1 for `roles` + 20 × (1 for `nodes` + 1 for `slug`); five roles came
    // back, so 1 + 1 + 5 fields were actually resolved.
    assert_eq!(body["extensions"]["cost"], json!({ "requested": 41, "actual": 7, "limit": 1_000_000 }));

    // Nested lists default to 20 too, as the resolvers page them; a connection's `nodes` counts once:
    // 1 + 20 × (1 + (1 + 20 × (1 + (1 + 20 × (1 + 1))))).
    let (status, body) = post(&app, "{ roles { nodes { skills { nodes { tools { nodes { slug } } } } } } }").await;
    assert_eq!(status, 200, "{body:#}");
    let cost = &body["extensions"]["cost"];
    assert_eq!(cost["requested"], 16_841);
    let actual = cost["actual"].as_u64().unwrap();
    assert!(actual > 5 && actual < 16_841, "{cost}");

    // Asking for the most of every list goes over the limit, and nothing runs.
    let before = app.statements();
    let query =
        "{ roles(first: 100) { nodes { skills(first: 100) { nodes { tools(first: 100) { nodes { slug } } } } } } }";
    let (status, body) = post(&app, query).await;
    assert_eq!((status, limit_hit(&body)), (400, "cost"));
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("2020201"), "{body:#}");
    assert_eq!(app.statements(), before, "a query over the cost limit must not reach the database");

    // Variables count too.
    let body = app
        .post(
            &json!({ "query": "query($n: Int) { roles(first: $n) { nodes { slug } } }", "variables": { "n": 3 } }),
            None,
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(body["extensions"]["cost"]["requested"], 1 + 3 * 2);
}

async fn aliases_root_fields_and_directives_are_limited(app: TestApp) {
    let limits = &app.state.limits.query;
    let aliases = |n: usize| {
        let aliases: Vec<String> = (0..n).map(|i| format!("a{i}: slug")).collect();
        format!("{{ roles(first: 1) {{ nodes {{ {} }} }} }}", aliases.join(" "))
    };
    assert_eq!(post(&app, &aliases(limits.max_aliases)).await.0, 200);
    assert_eq!(limit_hit(&post(&app, &aliases(limits.max_aliases + 1)).await.1), "aliases");

    let root_fields = |n: usize| format!("{{ {} }}", "roles(first: 1) { totalCount } ".repeat(n));
    assert_eq!(post(&app, &root_fields(limits.max_root_fields)).await.0, 200);
    assert_eq!(limit_hit(&post(&app, &root_fields(limits.max_root_fields + 1)).await.1), "rootFields");

    let directives = |n: usize| format!("{{ __typename {} }}", "@include(if: true) ".repeat(n));
    assert_eq!(limit_hit(&post(&app, &directives(limits.max_directives + 1)).await.1), "directives");
}

async fn document_size_tokens_and_nesting_are_limited_before_parsing(app: TestApp) {
    let limits = &app.state.limits.query;
    let tokens = format!("{{ roles {{ nodes {{ {} }} }} }}", "slug ".repeat(limits.max_tokens));
    assert!(tokens.len() < limits.max_document_bytes, "the token test must pass the size limit");
    assert_eq!(limit_hit(&post(&app, &tokens).await.1), "tokens");

    let big = format!("{{ role(slug: \"{}\") {{ slug }} }}", "x".repeat(limits.max_document_bytes));
    assert_eq!(limit_hit(&post(&app, &big).await.1), "documentBytes");

    // Thousands of nested brackets would overflow the parser's stack: refused unparsed.
    for nested in
        [format!("{{ roles(first: {}1{}) {{ totalCount }} }}", "[".repeat(5000), "]".repeat(5000)), "{a".repeat(5000)]
    {
        assert_eq!(limit_hit(&post(&app, &nested).await.1), "nesting");
    }
}

async fn fragments_cannot_cycle_or_multiply_without_bound(app: TestApp) {
    let cycle = "{ ...A } fragment A on Query { roles { totalCount } ...B } fragment B on Query { ...A }";
    let (status, body) = post(&app, cycle).await;
    assert_eq!((status, error_code(&body)), (400, "GRAPHQL_VALIDATION_FAILED"), "{body:#}");

    // Each fragment spreads the next twice: 2^40 fields once expanded, counted without expanding.
    let mut laughs = "{ ...F0 } ".to_owned();
    for level in 0..40 {
        laughs += &format!("fragment F{level} on Query {{ ...F{next} ...F{next} }} ", next = level + 1);
    }
    laughs += "fragment F40 on Query { __typename }";
    let (status, body) = post(&app, &laughs).await;
    assert_eq!((status, limit_hit(&body)), (400, "fragmentNesting"));
    let shallow: String = (0..20).map(|l| format!("fragment F{l} on Role {{ ...F{n} ...F{n} }} ", n = l + 1)).collect();
    let shallow =
        format!("{{ roles(first: 1) {{ nodes {{ ...F0 }} }} }} {shallow} fragment F20 on Role {{ __typename }}");
    assert_eq!(limit_hit(&post(&app, &shallow).await.1), "cost");
}

async fn batches_are_capped(app: TestApp) {
    let max = app.state.limits.http.max_batch;
    let batch = |n: usize| Value::Array((0..n).map(|_| json!({ "query": "{ __typename }" })).collect());
    let response = app.post(&batch(max), None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap().as_array().unwrap().len(), max);
    for size in [max + 1, 1000] {
        let response = app.post(&batch(size), None).await;
        assert_eq!(response.status(), 400);
        assert_eq!(limit_hit(&response.json().await.unwrap()), "batch");
    }
}

async fn bodies_over_the_limit_are_refused_with_413(app: TestApp) {
    let max = app.state.limits.http.max_body_bytes;
    let body = json!({ "query": format!("{{ __typename }} # {}", "x".repeat(max)) });
    let response = app.post(&body, None).await;
    assert_eq!(response.status(), 413);
    assert_eq!(limit_hit(&response.json().await.unwrap()), "bodyBytes");
}

async fn every_limit_can_be_changed(app: TestApp) {
    let mut limits = Limits::default();
    limits.query.max_depth = 3;
    limits.query.max_cost = 50;
    limits.http.max_batch = 1;
    let app = app.with_limits(limits).await;
    assert_eq!(limit_hit(&post(&app, &deep_query(4)).await.1), "depth");
    let (_, body) = post(&app, "{ roles { nodes { slug } } }").await;
    assert_eq!(body["extensions"]["cost"]["limit"], 50);
    assert_eq!(limit_hit(&post(&app, "{ roles { nodes { slug title summary } } }").await.1), "cost");
    let batch = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]);
    assert_eq!(limit_hit(&app.post(&batch, None).await.json().await.unwrap()), "batch");
}

async fn introspection_and_suggestions_turn_off_together(app: TestApp) {
    let (_, body) = post(&app, "{ rolez { totalCount } }").await;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("Did you mean"), "{body:#}");

    let mut limits = Limits::default();
    limits.query.introspection = false;
    let app = app.with_limits(limits).await;
    let (status, body) = post(&app, "{ __schema { types { name } } }").await;
    assert_eq!((status, error_code(&body)), (400, "GRAPHQL_VALIDATION_FAILED"), "{body:#}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("introspection is turned off"));
    let (_, body) = post(&app, "{ rolez { totalCount } }").await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    assert_eq!(post(&app, "{ roles { nodes { slug } } }").await.0, 200, "data queries still run");
}

crate::on_every_backend!(
    depth_is_limited_but_introspection_is_not,
    introspection_cannot_nest_lists_of_types_without_bound,
    cost_counts_lists_by_first_and_is_reported,
    aliases_root_fields_and_directives_are_limited,
    document_size_tokens_and_nesting_are_limited_before_parsing,
    fragments_cannot_cycle_or_multiply_without_bound,
    batches_are_capped,
    bodies_over_the_limit_are_refused_with_413,
    every_limit_can_be_changed,
    introspection_and_suggestions_turn_off_together
);
