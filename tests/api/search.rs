//! Search ranking on the real seed content, typos included.
use careerql::auth::KeyRole;
use serde_json::json;

use crate::helpers::TestApp;

/// `(typename, name or title)` of each hit, best first.
async fn search(app: &TestApp, args: &str) -> Vec<(String, String)> {
    let data = app
        .data(&format!(
            "{{ search({args}) {{ __typename ... on Role {{ title }} ... on Skill {{ name }} ... on Tool {{ name }} ... on City {{ name }} }} }}"
        ))
        .await;
    data["search"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let name = hit.get("title").or_else(|| hit.get("name")).unwrap();
            (hit["__typename"].as_str().unwrap().to_owned(), name.as_str().unwrap().to_owned())
        })
        .collect()
}

fn top(hits: &[(String, String)]) -> (&str, &str) {
    let (kind, name) = hits.first().expect("at least one hit");
    (kind.as_str(), name.as_str())
}

async fn exact_and_misspelled_names_rank_first(app: TestApp) {
    for (text, expected) in [
        ("postgresql", ("Tool", "PostgreSQL")),
        ("postgress", ("Tool", "PostgreSQL")),
        ("PostgreSQL", ("Tool", "PostgreSQL")),
        ("seattle", ("City", "Seattle")),
        ("seatle", ("City", "Seattle")),
        ("san fran", ("City", "San Francisco")),
        ("kubernetes", ("", "")),
        ("mongo", ("Tool", "MongoDB")),
        ("architect", ("Role", "System Architect")),
        ("go", ("Tool", "Google Cloud Platform (GCP)")),
    ] {
        let hits = search(&app, &format!(r#"text: "{text}""#)).await;
        if expected.0.is_empty() {
            assert!(hits.is_empty(), "{text}: {hits:?}");
        } else {
            assert_eq!(top(&hits), expected, "{text}: {hits:?}");
        }
    }
}

async fn kinds_and_first_narrow_the_results(app: TestApp) {
    let roles = search(&app, r#"text: "database", kinds: [ROLE]"#).await;
    assert_eq!(top(&roles), ("Role", "Database Administrator"));
    assert!(roles.iter().all(|(kind, _)| kind == "Role"));
    let all = search(&app, r#"text: "database""#).await;
    let kinds: std::collections::HashSet<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
    assert!(kinds.contains("Skill") && kinds.contains("Role"), "{all:?}");
    assert_eq!(search(&app, r#"text: "database", first: 2"#).await.len(), 2);
    assert!(search(&app, r#"text: "  ""#).await.is_empty());
    let api = search(&app, r#"text: "api", first: 3"#).await;
    assert!(api.contains(&("Role".into(), "API Developer".into())), "{api:?}");
    assert!(api.contains(&("Skill".into(), "API design and development".into())), "{api:?}");
}

async fn search_arguments_are_checked(app: TestApp) {
    let long = "x".repeat(201);
    for query in [
        format!(r#"{{ search(text: "{long}") {{ __typename }} }}"#),
        r#"{ search(text: "a", first: 101) { __typename } }"#.to_owned(),
    ] {
        let response = app.graphql(&query).await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{query}");
    }
    // Quotes and FTS syntax in the text are searched for, never interpreted.
    for text in [r#"\"OR\""#, "NEAR(a b)", "*", "title:java", "%_"] {
        let response = app.graphql(&format!(r#"{{ search(text: "{text}") {{ __typename }} }}"#)).await;
        assert!(response.get("errors").is_none(), "{text}: {response}");
    }
}

/// A tool created, renamed and deleted is found, found by its new name only, and gone, each at once.
async fn writes_are_searchable_at_once(app: TestApp) {
    let (editor, admin) = (app.key(KeyRole::Editor).await, app.key(KeyRole::Admin).await);
    let tools = |hits: Vec<(String, String)>| -> Vec<String> {
        hits.into_iter().filter(|(kind, _)| kind == "Tool").map(|(_, name)| name).collect()
    };
    let create = "mutation($input: ToolInput!) { createTool(input: $input) { tool { version } userErrors { code } } }";
    let input = json!({ "input": { "slug": "zanzibarql", "name": "Zanzibarql", "category": "FRAMEWORK" } });
    let created = app.graphql_as(&editor, create, input).await;
    assert_eq!(created["data"]["createTool"]["tool"]["version"], 1, "{created}");
    assert_eq!(tools(search(&app, r#"text: "zanzibar""#).await), ["Zanzibarql"]);
    let update = "mutation($input: ToolInput!) { updateTool(slug: \"zanzibarql\", expectedVersion: 1, input: $input) {
        tool { name } userErrors { code } } }";
    let input = json!({ "input": { "slug": "zanzibarql", "name": "Quetzalcoatl", "category": "FRAMEWORK" } });
    let updated = app.graphql_as(&editor, update, input).await;
    assert_eq!(updated["data"]["updateTool"]["tool"]["name"], "Quetzalcoatl", "{updated}");
    assert_eq!(tools(search(&app, r#"text: "quetzal""#).await), ["Quetzalcoatl"]);
    assert!(tools(search(&app, r#"text: "zanzibar""#).await).is_empty(), "the old name is gone");
    let delete = r#"mutation { deleteTool(slug: "zanzibarql") { deletedId userErrors { code } } }"#;
    let deleted = app.graphql_as(&admin, delete, json!({})).await;
    assert!(deleted["data"]["deleteTool"]["deletedId"].is_string(), "{deleted}");
    assert!(tools(search(&app, r#"text: "quetzal""#).await).is_empty(), "a deleted tool is not found");
}

crate::on_every_backend!(
    exact_and_misspelled_names_rank_first,
    kinds_and_first_narrow_the_results,
    search_arguments_are_checked,
    writes_are_searchable_at_once
);
