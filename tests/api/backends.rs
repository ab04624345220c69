//! The same queries on SQLite and PostgreSQL give the same answers: search (FTS5 trigrams against pg_trgm),
//! aggregates and percentile estimates, comparisons, orderings with nulls, filters and pagination, each
//! over the seed on both backends.
//!
//! Floats are compared to a relative 1e-9: the engines sum in their own order and SQLite's `AVG`/`SUM` over
//! reals may differ from PostgreSQL's numeric arithmetic in the last bits. Everything else, including the
//! order of every list and every cursor, must be equal.
use serde_json::Value;

use crate::helpers::{Backend, TestApp, spawn_app};

const QUERIES: &[&str] = &[
    // Search, typos and short text included, across kinds and within one.
    r#"{ search(text: "postgress", first: 20) { ...hit } } fragment hit on SearchResult { __typename ... on Role { slug } ... on Skill { slug } ... on Tool { slug } ... on City { slug } }"#,
    r#"{ search(text: "seatle", first: 20) { ...hit } } fragment hit on SearchResult { __typename ... on Role { slug } ... on Skill { slug } ... on Tool { slug } ... on City { slug } }"#,
    r#"{ search(text: "database", first: 30) { ...hit } } fragment hit on SearchResult { __typename ... on Role { slug } ... on Skill { slug } ... on Tool { slug } ... on City { slug } }"#,
    r#"{ search(text: "api", first: 30) { ...hit } } fragment hit on SearchResult { __typename ... on Role { slug } ... on Skill { slug } ... on Tool { slug } ... on City { slug } }"#,
    r#"{ search(text: "san fran", first: 10) { ...hit } } fragment hit on SearchResult { __typename ... on Role { slug } ... on Skill { slug } ... on Tool { slug } ... on City { slug } }"#,
    r#"{ search(text: "develper", first: 20) { ...hit } } fragment hit on SearchResult { __typename ... on Role { slug } ... on Skill { slug } ... on Tool { slug } ... on City { slug } }"#,
    r#"{ search(text: "go", first: 10) { ...hit } } fragment hit on SearchResult { __typename ... on Role { slug } ... on Skill { slug } ... on Tool { slug } ... on City { slug } }"#,
    r#"{ search(text: "engineer", kinds: [ROLE], first: 50) { ... on Role { slug } } }"#,
    r#"{ search(text: "kubernetes") { __typename } }"#,
    // Aggregates: one group of everything, groupings, orderings by metric and key, percentile estimates.
    r#"{ salaryStats { totalCount nodes { count employment mean meanIsLowerBound
         spread { p10 { min max minIsLowerBound maxIsLowerBound } median { min max } mean { min max } }
         estimate { p10 p25 median p75 p90 exact lowerBounds ranges } } } }"#,
    r#"{ salaryStats(groupBy: [AREA_KIND, OCCUPATION_GROUP]) { totalCount nodes { areaKind occupationGroup count employment mean
         estimate { p10 median p90 ranges levels { entry { low high } mid { low high } senior { low high topCoded } } } } } }"#,
    r#"{ salaryStats(groupBy: [ROLE], orderBy: [{ field: MEDIAN_MAX, direction: DESC }], first: 7) { totalCount
         pageInfo { hasNextPage endCursor } nodes { role { slug } count mean spread { median { min max } } estimate { median } } } }"#,
    r#"{ salaryStats(period: HOURLY, groupBy: [CITY], orderBy: [{ field: MEAN, direction: ASC }], first: 10) {
         nodes { city { slug } count employment mean estimate { p25 p75 } } } }"#,
    r#"{ salaryStats(filter: { city: { kind: { eq: METROPOLITAN } } }, groupBy: [STATE, YEAR], orderBy: [{ field: EMPLOYMENT, direction: DESC }]) {
         nodes { state year count employment mean } } }"#,
    // Comparisons with the nation, and derived levels.
    r#"{ role(slug: "senior-backend-engineer") { salaryRanges(filter: { period: { eq: ANNUAL } }) { totalCount nodes {
         city { slug } p10 p25 median p75 p90 mean locationQuotient jobsPer1000 topCoded
         toNational { median mean national { city { slug } median } }
         levels { entry { low high } mid { low high } senior { low high topCoded } } } } } }"#,
    // Top-N with orderings that meet nulls, first and last.
    r#"{ roles(orderBy: [{ field: MEDIAN_WAGE, direction: DESC, city: "austin-tx" }], first: 15) { totalCount
         pageInfo { hasNextPage endCursor } nodes { slug } } }"#,
    r#"{ roles(orderBy: [{ field: EMPLOYMENT, direction: ASC, nulls: FIRST }], first: 15) { nodes { slug } } }"#,
    r#"{ cities(orderBy: [{ field: MEDIAN_WAGE, direction: DESC, role: "api-developer" }], first: 12) { nodes { slug } } }"#,
    r#"{ salaryRanges(orderBy: [{ field: P90, direction: DESC }], filter: { period: { eq: ANNUAL } }, first: 20) {
         totalCount nodes { role { slug } occupation { socCode } city { slug } p90 median employment } } }"#,
    // Filters, text matching and pagination, forwards and backwards.
    r#"{ roles(filter: { title: { contains: "engineer" } }, first: 5) { totalCount pageInfo { hasNextPage endCursor } nodes { slug title } } }"#,
    r#"{ roles(last: 4) { pageInfo { hasPreviousPage startCursor } nodes { slug } } }"#,
    r#"{ cities(filter: { or: [{ kind: { eq: NATIONAL } }, { name: { startsWith: "san" } }] }, orderBy: [{ field: NAME }]) { totalCount nodes { slug name state kind } } }"#,
    r#"{ roles(filter: { salaryRange: { median: { gt: 150000 } } }, first: 50) { totalCount nodes { slug } } }"#,
    r#"{ skills(first: 10) { totalCount edges { cursor node { slug name } } } }"#,
    r#"{ tools(filter: { name: { in: ["PostgreSQL", "MongoDB", "Redis"] } }) { nodes { slug name } } }"#,
    r#"{ occupations(first: 8) { nodes { socCode title group } } }"#,
];

#[tokio::test]
async fn sqlite_and_postgres_answer_alike() {
    let Some(postgres) = spawn_app(Backend::Postgres).await else { return };
    let sqlite = spawn_app(Backend::Sqlite).await.expect("a SQLite test database");
    let mut differences = Vec::new();
    for query in QUERIES {
        let (on_sqlite, on_postgres) = (sqlite.data(query).await, postgres.data(query).await);
        differences.extend(difference(&on_sqlite, &on_postgres, query));
        // The next page, from each backend's own cursor (equal, if the first pages were).
        if let Some(cursor) = end_cursor(&on_sqlite) {
            let next = next_page(query, &cursor);
            differences.extend(difference(&sqlite.data(&next).await, &postgres.data(&next).await, &next));
        }
    }
    assert!(differences.is_empty(), "{} differences:\n{}", differences.len(), differences.join("\n\n"));
    assert_searches_found_something(&sqlite).await;
}

/// The `endCursor` of a page that has a next one.
fn end_cursor(data: &Value) -> Option<String> {
    let connection = data.as_object()?.values().next()?;
    let page_info = connection.get("pageInfo")?;
    page_info["hasNextPage"].as_bool()?.then(|| page_info["endCursor"].as_str().map(str::to_owned))?
}

/// The same query asking for the page after `cursor`.
fn next_page(query: &str, cursor: &str) -> String {
    query.replacen("first:", &format!("after: \"{cursor}\", first:"), 1)
}

fn difference(sqlite: &Value, postgres: &Value, query: &str) -> Option<String> {
    let path = alike(sqlite, postgres, String::new()).err()?;
    Some(format!("at {path} for {query}\nSQLite: {sqlite}\nPostgreSQL: {postgres}"))
}

fn alike(a: &Value, b: &Value, path: String) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() <= 1e-9 * x.abs().max(y.abs()) { Ok(()) } else { Err(path) }
        }
        (Value::Array(xs), Value::Array(ys)) if xs.len() == ys.len() => {
            xs.iter().zip(ys).enumerate().try_for_each(|(i, (x, y))| alike(x, y, format!("{path}[{i}]")))
        }
        (Value::Object(xs), Value::Object(ys)) if xs.len() == ys.len() => xs.iter().try_for_each(|(key, x)| {
            let y = ys.get(key).ok_or_else(|| format!("{path}.{key}"))?;
            alike(x, y, format!("{path}.{key}"))
        }),
        _ if a == b => Ok(()),
        _ => Err(path),
    }
}

/// Equal answers prove little if they are empty: the searches above must find things.
async fn assert_searches_found_something(app: &TestApp) {
    for query in QUERIES.iter().filter(|query| query.contains("search(") && !query.contains("kubernetes")) {
        let data = app.data(query).await;
        assert!(data["search"].as_array().is_some_and(|hits| !hits.is_empty()), "{query}: {data}");
    }
}
