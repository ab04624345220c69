//! Hostile traffic: each request of the corpus gets the right status and code while a normal client keeps
//! being served; clients over their budget are slowed with 429; a panicking resolver fails only its field;
//! a request past the timeout is stopped. (How fast refusals are is measured by `scripts/bench/hostile-bench.sh`,
//! not asserted here.)
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo};
use async_graphql::{ServerResult, Value as GraphqlValue};
use careerql::config::Limits;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// One hostile request and the answer it must get.
struct Hostile {
    name: &'static str,
    method: Method,
    content_type: Option<&'static str>,
    accept: &'static str,
    body: Vec<u8>,
    query_string: String,
    status: u16,
    code: &'static str,
}

impl Hostile {
    fn post(name: &'static str, body: Vec<u8>, status: u16, code: &'static str) -> Self {
        let (method, content_type, accept, query_string) =
            (Method::POST, Some("application/json"), GRAPHQL_RESPONSE, String::new());
        Self { name, method, content_type, accept, body, query_string, status, code }
    }

    fn query(name: &'static str, query: &str, status: u16, code: &'static str) -> Self {
        Self::post(name, json!({ "query": query }).to_string().into_bytes(), status, code)
    }
}

fn corpus() -> Vec<Hostile> {
    let aliases = (0..3000).map(|i| format!("a{i}: __typename")).collect::<Vec<_>>().join(" ");
    let mut bomb = "{ ...F0 } ".to_owned();
    for level in 0..25 {
        bomb += &format!("fragment F{level} on Query {{ ...F{next} ...F{next} }} ", next = level + 1);
    }
    bomb += "fragment F25 on Query { roles { totalCount } }";
    let deep_selection =
        format!("{{ {} slug {} }}", "roles(first: 1) { nodes { occupation { ".repeat(15), "} } } ".repeat(15));
    let long_list = (0..20_000).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let huge_variable = json!({
        "query": "query($slug: String!) { role(slug: $slug) { slug } }",
        "variables": { "slug": "x".repeat(900_000) },
    });
    let huge_list_variable = json!({
        "query": "query($ids: [Int!]) { __typename }",
        "variables": { "ids": (0..100_000).collect::<Vec<u32>>() },
    });
    let batch: Vec<Value> = (0..1000).map(|_| json!({ "query": "{ roles { totalCount } }" })).collect();
    let mut invalid_utf8 = br#"{"query": "{ role(slug: \""#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    invalid_utf8.extend_from_slice(br#"\") { slug } }"}"#);
    let with = |mut hostile: Hostile, content_type: Option<&'static str>| {
        hostile.content_type = content_type;
        hostile
    };
    let typename = json!({ "query": "{ __typename }" }).to_string().into_bytes();
    vec![
        Hostile::query("brace nesting", &"{a".repeat(100_000), 400, "QUERY_TOO_COMPLEX"),
        Hostile::query(
            "bracket nesting",
            &format!("{{ roles(first: {}) {{ totalCount }} }}", "[".repeat(30_000)),
            400,
            "QUERY_TOO_COMPLEX",
        ),
        Hostile::query("deep selection", &deep_selection, 400, "QUERY_TOO_COMPLEX"),
        Hostile::query("alias flood", &format!("{{ {aliases} }}"), 400, "QUERY_TOO_COMPLEX"),
        Hostile::query("field flood", &format!("{{ {} }}", "__typename ".repeat(10_001)), 400, "QUERY_TOO_COMPLEX"),
        Hostile::query(
            "fragment cycle",
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            400,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        Hostile::query("fragment bomb", &bomb, 400, "QUERY_TOO_COMPLEX"),
        Hostile::query(
            "huge string literal",
            &format!("{{ role(slug: \"{}\") {{ slug }} }}", "x".repeat(1_000_000)),
            400,
            "QUERY_TOO_COMPLEX",
        ),
        Hostile::query(
            "huge list literal",
            &format!("{{ roles(first: [{long_list}]) {{ totalCount }} }}"),
            400,
            "QUERY_TOO_COMPLEX",
        ),
        Hostile::post("huge string variable", huge_variable.to_string().into_bytes(), 200, "NOT_FOUND"),
        // No argument takes a list, so a list variable can only go unused, which validation refuses.
        Hostile::post(
            "huge list variable",
            huge_list_variable.to_string().into_bytes(),
            400,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        Hostile::post("1,000-operation batch", json!(batch).to_string().into_bytes(), 400, "QUERY_TOO_COMPLEX"),
        Hostile::post("10 MB body", vec![b' '; 10 * 1024 * 1024], 413, "QUERY_TOO_COMPLEX"),
        Hostile::post("invalid UTF-8", invalid_utf8, 400, "BAD_USER_INPUT"),
        Hostile::post("not JSON", b"{\"query\": \"{ roles { totalCount } }\"".to_vec(), 400, "BAD_USER_INPUT"),
        Hostile::post("query of the wrong type", br#"{"query": {"roles": 1}}"#.to_vec(), 400, "BAD_USER_INPUT"),
        with(Hostile::post("no content type", typename.clone(), 415, "BAD_USER_INPUT"), None),
        with(Hostile::post("text/plain", typename.clone(), 415, "BAD_USER_INPUT"), Some("text/plain")),
        with(
            Hostile::post("form", b"query=%7B__typename%7D".to_vec(), 415, "BAD_USER_INPUT"),
            Some("application/x-www-form-urlencoded"),
        ),
        with(
            Hostile::post("latin-1 JSON", typename.clone(), 415, "BAD_USER_INPUT"),
            Some("application/json; charset=iso-8859-1"),
        ),
        Hostile { accept: "text/html", ..Hostile::post("unacceptable Accept", typename, 406, "BAD_USER_INPUT") },
        Hostile {
            method: Method::GET,
            query_string: "query=mutation%20%7B%20__typename%20%7D".to_owned(),
            ..Hostile::post("mutation over GET", Vec::new(), 405, "BAD_USER_INPUT")
        },
        Hostile {
            method: Method::GET,
            query_string: "query=%7B%20role(slug%3A%20%22%FF%22)%20%7B%20slug%20%7D%20%7D".to_owned(),
            ..Hostile::post("invalid UTF-8 in GET", Vec::new(), 400, "BAD_USER_INPUT")
        },
    ]
}

async fn send(app: &TestApp, hostile: &Hostile) -> (u16, Value) {
    let path = match hostile.query_string.as_str() {
        "" => "/graphql".to_owned(),
        query_string => format!("/graphql?{query_string}"),
    };
    let mut request = app.request_to(hostile.method.clone(), &path).header("accept", hostile.accept);
    if let Some(content_type) = hostile.content_type {
        request = request.header("content-type", content_type);
    }
    if hostile.method == Method::POST {
        request = request.body(hostile.body.clone());
    }
    let response = request.send().await.unwrap_or_else(|error| panic!("{}: {error}", hostile.name));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_else(|error| panic!("{}: body is not JSON: {error}", hostile.name)))
}

async fn each_hostile_request_gets_its_status_and_code_while_others_are_served(app: TestApp) {
    let app = Arc::new(app);
    let done = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let normal_client = tokio::spawn({
        let (app, done, served) = (app.clone(), done.clone(), served.clone());
        async move {
            while !done.load(Ordering::Relaxed) {
                let data = app.data("{ roles { nodes { slug } } }").await;
                assert_eq!(data["roles"]["nodes"].as_array().map(Vec::len), Some(5));
                served.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    for hostile in corpus() {
        let started = std::time::Instant::now();
        let (status, body) = send(&app, &hostile).await;
        eprintln!("{:<24} {status} in {:?}", hostile.name, started.elapsed());
        assert_eq!(status, hostile.status, "{}: {body:#}", hostile.name);
        assert_eq!(error_code(&body), hostile.code, "{}: {body:#}", hostile.name);
        if status >= 400 {
            assert!(body.get("data").is_none(), "{}: a refused request has no data entry", hostile.name);
        }
    }
    done.store(true, Ordering::Relaxed);
    normal_client.await.expect("the normal client was served throughout");
    assert!(served.load(Ordering::Relaxed) > 0, "the normal client must have been served meanwhile");
}

async fn a_client_over_its_budget_gets_429_with_retry_after_and_others_do_not(app: TestApp) {
    let mut limits = Limits::default();
    limits.http.rate_limit_per_minute = 500;
    let app = app.with_limits(limits).await;
    // 1 for the request, 1 + 100 × (1 + 1) for the query: two fit in 500, a third does not.
    let costly = json!({ "query": "{ roles(first: 100) { nodes { slug } } }" });
    let remaining = |response: &reqwest::Response| -> u64 {
        response.headers()["ratelimit-remaining"].to_str().unwrap().parse().unwrap()
    };
    let first = app.post(&costly, None).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["ratelimit-limit"], "500");
    let after_first = remaining(&first);
    assert!((298..310).contains(&after_first), "500 - 202 left, give or take the refill: {after_first}");
    let second = app.post(&costly, None).await;
    assert_eq!(second.status(), 200);
    assert!(remaining(&second) < after_first);

    let refused = app.post(&costly, Some(GRAPHQL_RESPONSE)).await;
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(error_code(&body), "RATE_LIMITED");
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], retry_after);

    // What is left still pays for a cheap query; another API key has a budget of its own.
    assert_eq!(app.post(&json!({ "query": "{ __typename }" }), None).await.status(), 200);
    let another_key = app.key(careerql::auth::KeyRole::Editor).await;
    let other = app.request(Method::POST).bearer_auth(another_key).json(&costly).send().await.unwrap();
    assert_eq!(other.status(), 200);
}

/// Test-only faults, added to the schema by the tests below and by nothing else: a field aliased
/// `panicHere` panics, one aliased `stallHere` stalls for a minute.
struct Faults;

impl ExtensionFactory for Faults {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Faults)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Faults {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<GraphqlValue>> {
        match info.alias {
            Some("panicHere") => panic!("test-only panic with internal detail /srv/secret"),
            Some("stallHere") => tokio::time::sleep(Duration::from_secs(60)).await,
            _ => {}
        }
        next.run(ctx, info).await
    }
}

async fn a_panicking_resolver_fails_its_request_with_internal(app: TestApp) {
    let app = app.with_extension(Limits::default(), Faults).await;
    // Panics are caught once per request, not per field (a per-field catch costs every field of every
    // response): the request fails with INTERNAL, which the spec allows, and the server goes on.
    let query = r#"{ panicHere: role(slug: "api-developer") { slug } other: role(slug: "api-developer") { title } }"#;
    let response = app.post(&json!({ "query": query }), Some(GRAPHQL_RESPONSE)).await;
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body:#}");
    assert_eq!(error_code(&body), "INTERNAL");
    assert_eq!(body["errors"][0]["message"], "internal error");
    assert!(body["errors"][0]["extensions"]["requestId"].is_string(), "{body:#}");
    assert!(!body.to_string().contains("secret"), "panic text must not reach the client: {body}");
    assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body:#}");

    let nested = json!({ "query": r#"{ role(slug: "api-developer") { title panicHere: slug } }"# });
    let response = app.post(&nested, None).await;
    assert_eq!(response.status(), 500);
    assert_eq!(error_code(&response.json().await.unwrap()), "INTERNAL");

    assert_eq!(app.data(r#"{ role(slug: "api-developer") { title } }"#).await["role"]["title"], "API Developer");
}

async fn a_request_past_the_timeout_is_stopped(app: TestApp) {
    let mut limits = Limits::default();
    limits.http.request_timeout = std::time::Duration::from_millis(200);
    let app = app.with_extension(limits, Faults).await;
    let stalled = json!({ "query": r#"{ stallHere: role(slug: "api-developer") { slug } }"# });
    let response = app.post(&stalled, Some(GRAPHQL_RESPONSE)).await;
    assert_eq!(response.status(), 504);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "TIMEOUT");
    assert!(body.get("data").is_none());
    assert_eq!(app.data(r#"{ role(slug: "api-developer") { title } }"#).await["role"]["title"], "API Developer");
}

async fn operations_past_the_in_flight_budget_are_shed_and_small_ones_still_run(app: TestApp) {
    let mut limits = Limits::default();
    limits.query.in_flight_cost = 100;
    limits.query.in_flight_small_cost = 10;
    limits.query.in_flight_wait = Some(Duration::from_millis(300));
    let app = app.with_extension(limits, Faults).await;
    // A heavy operation (cost 1 + 20 × 3) that stalls holds most of the heavy lane…
    let stalled = json!({ "query": "{ stallHere: roles { nodes { slug title } } }" });
    let url = format!("http://{}/graphql", app.addr);
    let holder = tokio::spawn(async move { reqwest::Client::new().post(url).json(&stalled).send().await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // …so another (1 + 20 × 4) waits its 300 ms and is shed with 503 and `Retry-After`…
    let started = std::time::Instant::now();
    let response =
        app.post(&json!({ "query": "{ roles { nodes { slug title summary } } }" }), Some(GRAPHQL_RESPONSE)).await;
    assert_eq!(response.status(), 503);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "UNAVAILABLE", "{body:#}");
    assert!(body.get("data").is_none());
    // …while a small one has a lane of its own and is answered at once.
    let started = std::time::Instant::now();
    assert_eq!(app.data(r#"{ role(slug: "api-developer") { title } }"#).await["role"]["title"], "API Developer");
    assert!(started.elapsed() < Duration::from_millis(300), "{:?}", started.elapsed());
    holder.abort();
}

async fn a_body_that_never_finishes_arriving_is_timed_out(app: TestApp) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut limits = Limits::default();
    limits.http.request_timeout = std::time::Duration::from_millis(300);
    let app = app.with_limits(limits).await;
    let mut socket = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(br#"{"query": "{ __typ"#).await.unwrap();
    // The rest never comes; the server answers once the timeout has passed.
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(Duration::from_secs(30), socket.read(&mut answer)).await.expect("an answer");
    let answer = String::from_utf8_lossy(&answer[..read.unwrap()]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"TIMEOUT""#), "{answer}");
}

const ROLES: &str = "query($filter: RoleFilter) { roles(filter: $filter) { totalCount } }";

/// `roles(filter: $filter) { totalCount }` with `filter` as a variable: the whole response.
async fn roles_matching(app: &TestApp, filter: Value) -> Value {
    app.graphql_with(ROLES, json!({ "filter": filter })).await
}

fn total(response: &Value) -> u64 {
    response["data"]["roles"]["totalCount"].as_u64().unwrap_or_else(|| panic!("no totalCount: {response:#}"))
}

/// Sends `query` with `variables` and checks it is refused for a filter over `--max-filter-terms`, before
/// any SQL ran.
async fn assert_filter_refused(app: &TestApp, query: &str, variables: Value, what: &str) {
    let statements = app.statements();
    let response = app.graphql_with(query, variables).await;
    assert_eq!(error_code(&response), "BAD_USER_INPUT", "{what}: {response:#}");
    assert_eq!(response["errors"][0]["extensions"]["limit"], "filterTerms", "{what}: {response:#}");
    let message = response["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("the limit is 5000"), "{what}: the message names the limit: {message}");
    assert_eq!(app.statements(), statements, "{what}: refused before any SQL ran");
}

async fn filters_of_any_size_run_or_are_refused_before_sql(app: TestApp) {
    let slugs: Vec<String> = app.data("{ roles(first: 100) { nodes { slug } } }").await["roles"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["slug"].as_str().unwrap().to_owned())
        .collect();
    let real = slugs.len() as u64;
    let all = total(&roles_matching(&app, Value::Null).await);

    // A thousand `or`ed comparisons, the real slugs among them: as many roles as real slugs. Its terms
    // (1 + 1,000 × 3) are charged in its cost.
    let terms: Vec<Value> = (0..1000)
        .map(|i| json!({ "slug": { "eq": slugs.get(i).cloned().unwrap_or_else(|| format!("no-such-role-{i}")) } }))
        .collect();
    let answer = roles_matching(&app, json!({ "or": terms })).await;
    assert_eq!(total(&answer), real, "{answer:#}");
    let plain = roles_matching(&app, json!({})).await;
    let charged = answer["extensions"]["cost"]["requested"].as_u64().unwrap()
        - plain["extensions"]["cost"]["requested"].as_u64().unwrap();
    assert_eq!(charged, 3000, "the 3,001 terms less the empty filter's 1");

    // A thousand `and`ed ones that every role passes, and a thousand `or`ed under `not`.
    let none: Vec<Value> = (0..1000).map(|i| json!({ "slug": { "eq": format!("no-such-role-{i}") } })).collect();
    let every: Vec<Value> = (0..1000).map(|i| json!({ "slug": { "ne": format!("no-such-role-{i}") } })).collect();
    assert_eq!(total(&roles_matching(&app, json!({ "and": every })).await), all);
    assert_eq!(total(&roles_matching(&app, json!({ "not": { "or": none } })).await), all);

    // `in` lists: 4,000 values run (beyond the 999 parameters of SQLite's old default), one past the limit
    // of terms (and past SQLite's 32,766) is refused, in a relation's filter too.
    let mut long: Vec<String> = (0..4000 - slugs.len()).map(|i| format!("no-such-role-{i}")).collect();
    long.extend(slugs.iter().cloned());
    assert_eq!(total(&roles_matching(&app, json!({ "slug": { "in": long } })).await), real);
    let longer: Vec<String> = (0..40_000).map(|i| format!("no-such-role-{i}")).collect();
    let filter = json!({ "filter": { "slug": { "notIn": longer } } });
    assert_filter_refused(&app, ROLES, filter, "a long notIn").await;
    let years: Vec<i64> = (0..40_000).collect();
    let filter = json!({ "filter": { "salaryRange": { "year": { "in": years } } } });
    assert_filter_refused(&app, ROLES, filter, "a long list in a relation").await;

    // Nested 60 deep through `not`, and through `and` and `or`.
    let mut negated = json!({ "slug": { "eq": slugs[0] } });
    for _ in 0..60 {
        negated = json!({ "not": negated });
    }
    assert_eq!(total(&roles_matching(&app, negated).await), 1, "an even number of `not`s");
    let mut nested = json!({ "slug": { "eq": slugs[0] } });
    for level in 0..60 {
        nested = if level % 2 == 0 {
            json!({ "and": [nested] })
        } else {
            json!({ "or": [nested, { "slug": { "eq": "x" } }] })
        };
    }
    assert_eq!(total(&roles_matching(&app, nested).await), 1);

    // Each step to a related type counts twice (a role's ranges test its filter twice): twenty steps are a
    // million terms, refused, where building their SQL would have taken the server down.
    let mut related = json!({ "slug": { "eq": slugs[0] } });
    for step in 0..20 {
        related = if step % 2 == 0 { json!({ "role": related }) } else { json!({ "salaryRange": related }) };
    }
    assert_filter_refused(&app, ROLES, json!({ "filter": related }), "a chain of relations").await;

    // salaryStats takes the same filters: a thousand `or`ed years (every range's, or none, among them) run, forty
    // thousand are refused.
    let stats = "query($filter: SalaryRangeFilter) { salaryStats(filter: $filter) { nodes { count } } }";
    let mut years: Vec<Value> = (0..999).map(|year| json!({ "year": { "eq": 1500 + year } })).collect();
    years.push(json!({ "year": { "isNull": true } }));
    let grouped = app.graphql_with(stats, json!({ "filter": { "or": years } })).await;
    let unfiltered = app.graphql_with(stats, json!({})).await["data"]["salaryStats"]["nodes"][0]["count"].clone();
    assert!(unfiltered.as_u64().is_some_and(|count| count > 0));
    assert_eq!(grouped["data"]["salaryStats"]["nodes"][0]["count"], unfiltered, "every year's: {grouped:#}");
    let years: Vec<i64> = (0..40_000).collect();
    assert_filter_refused(&app, stats, json!({ "filter": { "year": { "in": years } } }), "salaryStats").await;

    // Long strings: any length for equality, 10,000 characters for a pattern; extreme numbers.
    let long_text = json!({ "title": { "contains": "x".repeat(10_000), "notIn": ["y".repeat(100_000)] },
                            "summary": { "startsWith": "%_\\" } });
    assert_eq!(total(&roles_matching(&app, long_text).await), 0);
    let too_long = roles_matching(&app, json!({ "title": { "contains": "x".repeat(10_001) } })).await;
    assert_eq!(error_code(&too_long), "BAD_USER_INPUT", "{too_long:#}");
    let extremes = json!({ "or": [
        { "salaryRange": { "median": { "gt": 1e300 } } },
        { "salaryRange": { "median": { "lt": -1e300 } } },
        { "salaryRange": { "year": { "in": [i64::MIN, i64::MAX] }, "employment": { "gte": i64::MAX } } },
        { "salaryRange": { "jobsPer1000": { "lt": f64::MIN_POSITIVE }, "locationQuotient": { "eq": 1e-300 } } },
    ] });
    assert_eq!(total(&roles_matching(&app, extremes).await), 0);
}

async fn echoed_input_is_cut_to_a_short_prefix(app: TestApp) {
    let long = "x".repeat(100_000);
    let answers = [
        app.graphql_with("query($id: ID!) { node(id: $id) { id } }", json!({ "id": long })).await,
        app.graphql_with("query($slug: String!) { role(slug: $slug) { slug } }", json!({ "slug": long })).await,
        app.graphql(&format!("{{ roles(filter: {{ slug: {} }}) {{ totalCount }} }}", &long[..60_000])).await,
    ];
    for answer in answers {
        let message = answer["errors"][0]["message"].as_str().unwrap_or_else(|| panic!("an error: {answer:#}"));
        assert!(message.chars().count() <= 501, "{} characters: {}…", message.len(), &message[..300]);
        assert!(message.contains("xxxxxxxxxx"), "the message still quotes the start of the input: {message}");
        assert_ne!(error_code(&answer), "INTERNAL", "{answer:#}");
    }
}

crate::on_every_backend!(
    filters_of_any_size_run_or_are_refused_before_sql,
    echoed_input_is_cut_to_a_short_prefix,
    each_hostile_request_gets_its_status_and_code_while_others_are_served,
    a_body_that_never_finishes_arriving_is_timed_out,
    a_client_over_its_budget_gets_429_with_retry_after_and_others_do_not,
    a_panicking_resolver_fails_its_request_with_internal,
    operations_past_the_in_flight_budget_are_shed_and_small_ones_still_run,
    a_request_past_the_timeout_is_stopped
);
