//! Writes: API keys and roles, mutations with validated input, optimistic concurrency, the audit trail,
//! subscriptions (committed changes only, across instances on PostgreSQL), and export/import.
use std::time::Duration;

use careerql::auth::KeyRole;
use serde_json::{Value, json};

use crate::helpers::{Subscription, TestApp, cli, error_code};

crate::on_every_backend!(
    anonymous_callers_read_but_may_not_write,
    wrong_malformed_and_revoked_keys_are_unauthenticated,
    the_command_line_makes_lists_and_revokes_keys,
    editors_create_and_update_admins_also_delete_and_audit,
    every_validation_rule_names_its_field_and_writes_nothing,
    clashes_on_unique_keys_are_conflicts_and_leave_no_partial_write,
    concurrent_updates_with_a_stale_version_conflict_and_lose_nothing,
    deletes_follow_each_kinds_rule,
    links_attach_and_detach,
    a_subscriber_sees_committed_changes_only,
    subscriptions_and_mutations_pass_the_same_limits,
    a_change_through_one_instance_reaches_subscribers_of_another,
    salary_range_subscribers_get_the_changes_their_filter_matches,
    export_and_import_round_trip,
);

const CREATE_TOOL: &str = "mutation($input: ToolInput!) {
    createTool(input: $input) { tool { slug name version } userErrors { field message code } }
}";

const UPDATE_TOOL: &str = "mutation($slug: String!, $v: Int!, $input: ToolInput!) {
    updateTool(slug: $slug, expectedVersion: $v, input: $input) { tool { slug name version } userErrors { field message code } }
}";

const DELETE_TOOL: &str =
    "mutation($slug: String!) { deleteTool(slug: $slug) { deletedId userErrors { field message code } } }";

const CHANGES: &str = "query($filter: ChangeFilter) {
    changes(first: 100, filter: $filter) { totalCount edges { node { keyName kind key action before after at } } }
}";

fn tool(slug: &str, name: &str) -> Value {
    json!({ "input": { "slug": slug, "name": name, "category": "FRAMEWORK" } })
}

async fn version_of_tool(app: &TestApp, slug: &str) -> i64 {
    app.data(&format!(r#"{{ tools(filter: {{ slug: {{ eq: "{slug}" }} }}) {{ nodes {{ version }} }} }}"#)).await["tools"]["nodes"][0]
        ["version"]
        .as_i64()
        .unwrap()
}

async fn anonymous_callers_read_but_may_not_write(app: TestApp) {
    let response = app.graphql_with(CREATE_TOOL, tool("axum", "Axum")).await;
    assert_eq!(error_code(&response), "UNAUTHENTICATED", "{response:#}");
    assert!(app.data("{ tools(first: 1) { totalCount } }").await["tools"]["totalCount"].as_i64().unwrap() > 0);
    let changes = app.graphql(CHANGES).await;
    assert_eq!(error_code(&changes), "UNAUTHENTICATED");
    // Over GET only queries run, whoever asks.
    let get =
        app.get(&format!("/graphql?query={}", percent(r#"mutation { deleteTool(slug: "git") { deletedId } }"#))).await;
    assert_eq!(get.status(), 405);
}

fn percent(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn wrong_malformed_and_revoked_keys_are_unauthenticated(app: TestApp) {
    let editor = app.key(KeyRole::Editor).await;
    // The right id with a secret one digit off.
    let last = if editor.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &editor[..editor.len() - 1]);
    for token in [forged.as_str(), "cql_999_abc", "not-a-key"] {
        let response = app.graphql_as(token, "{ __typename }", json!({})).await;
        assert_eq!(error_code(&response), "UNAUTHENTICATED", "{token}: {response:#}");
    }
    let basic = app
        .request(reqwest::Method::POST)
        .header("authorization", "Basic abc")
        .json(&json!({"query": "{ __typename }"}));
    let basic = basic.header("accept", "application/graphql-response+json").send().await.unwrap();
    assert_eq!(basic.status(), 401);

    // `keys revoke` through the command line: the token stops working at once.
    let name = careerql::auth::list_keys(&app.state.db.conn).await.unwrap().pop().unwrap().name;
    assert!(app.graphql_as(&editor, CREATE_TOOL, tool("axum", "Axum")).await["data"]["createTool"]["tool"].is_object());
    careerql::cli::run(cli(&app.database_url, &["keys", "revoke", &name])).await.unwrap();
    let response = app.graphql_as(&editor, CREATE_TOOL, tool("actix", "Actix")).await;
    assert_eq!(error_code(&response), "UNAUTHENTICATED");
    assert!(careerql::cli::run(cli(&app.database_url, &["keys", "revoke", &name])).await.is_err(), "already revoked");
}

/// `careerql keys …` as an operator runs it: stdout of the real binary.
fn keys(app: &TestApp, args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_careerql"))
        .args(["--database-url", &app.database_url, "keys"])
        .args(args)
        .output()
        .expect("run careerql keys");
    (output.status.success(), String::from_utf8(output.stdout).unwrap())
}

async fn the_command_line_makes_lists_and_revokes_keys(app: TestApp) {
    let (made, token) = keys(&app, &["create", "--name", "data-team", "--role", "admin"]);
    assert!(made && token.starts_with("cql_"), "{token}");
    let token = token.trim();
    assert!(!keys(&app, &["create", "--name", "data-team", "--role", "editor"]).0, "names are unique");
    let (_, list) = keys(&app, &["list"]);
    assert!(list.contains("data-team\tadmin\t") && !list.contains(token), "{list}");
    assert_eq!(app.graphql_as(token, CHANGES, json!({})).await["data"]["changes"]["totalCount"], 0);
    assert!(keys(&app, &["revoke", "data-team"]).0);
    assert_eq!(error_code(&app.graphql_as(token, CHANGES, json!({})).await), "UNAUTHENTICATED");
    let (_, list) = keys(&app, &["list"]);
    assert!(!list.lines().any(|line| line.starts_with("data-team") && line.ends_with("\t-")), "revoked: {list}");
}

async fn editors_create_and_update_admins_also_delete_and_audit(app: TestApp) {
    let (editor, admin) = (app.key(KeyRole::Editor).await, app.key(KeyRole::Admin).await);
    let created = app.graphql_as(&editor, CREATE_TOOL, tool("axum", "Axum")).await;
    assert_eq!(
        created["data"]["createTool"]["tool"],
        json!({ "slug": "axum", "name": "Axum", "version": 1 }),
        "{created:#}"
    );
    let mut update = tool("axum", "Axum 0.8");
    update["slug"] = json!("axum");
    update["v"] = json!(1);
    let updated = app.graphql_as(&editor, UPDATE_TOOL, update).await;
    assert_eq!(updated["data"]["updateTool"]["tool"]["version"], 2, "{updated:#}");

    let city =
        "mutation($input: CityInput!) { createCity(input: $input) { city { slug version } userErrors { message } } }";
    let input = json!({ "slug": "springfield", "name": "Springfield", "state": "IL", "areaCode": "9999999",
        "areaTitle": "Springfield, IL", "kind": "METROPOLITAN" });
    let created = app.graphql_as(&editor, city, json!({ "input": input })).await;
    assert_eq!(created["data"]["createCity"]["city"], json!({ "slug": "springfield", "version": 1 }), "{created:#}");
    let update = "mutation($input: CityInput!) {
        updateCity(slug: \"springfield\", expectedVersion: 1, input: $input) { city { name hub version } userErrors { message } }
    }";
    let mut input = input.clone();
    (input["name"], input["hub"]) = (json!("Springfield (IL)"), json!(true));
    let updated = app.graphql_as(&editor, update, json!({ "input": input })).await;
    assert_eq!(updated["data"]["updateCity"]["city"], json!({ "name": "Springfield (IL)", "hub": true, "version": 2 }));

    let refused = app.graphql_as(&editor, DELETE_TOOL, json!({ "slug": "axum" })).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused:#}");
    assert_eq!(error_code(&app.graphql_as(&editor, CHANGES, json!({})).await), "FORBIDDEN");
    let deleted = app.graphql_as(&admin, DELETE_TOOL, json!({ "slug": "axum" })).await;
    assert!(deleted["data"]["deleteTool"]["deletedId"].is_string(), "{deleted:#}");

    let audit = app.graphql_as(&admin, CHANGES, json!({ "filter": { "kind": "TOOL", "key": "axum" } })).await;
    let entries = audit["data"]["changes"]["edges"].as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e["node"]["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["DELETE", "UPDATE", "CREATE"], "newest first: {audit:#}");
    let update = &entries[1]["node"];
    assert!(update["keyName"].as_str().unwrap().starts_with("editor-"));
    assert_eq!((update["before"]["name"].as_str(), update["after"]["name"].as_str()), (Some("Axum"), Some("Axum 0.8")));
    assert!(entries[0]["node"]["after"].is_null() && entries[2]["node"]["before"].is_null());
}

async fn every_validation_rule_names_its_field_and_writes_nothing(app: TestApp) {
    let editor = app.key(KeyRole::Editor).await;
    let role = json!({ "slug": "x-role", "title": "X", "summary": "Does x.", "socCode": "15-1252" });
    let range = json!({ "socCode": "15-1252", "city": "united-states", "period": "ANNUAL", "source": "Test", "referencePeriod": "2026" });
    let with = |base: &Value, field: &str, value: Value| {
        let mut input = base.clone();
        input[field] = value;
        input
    };
    let long = "x".repeat(201);
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("Role", with(&role, "slug", json!("Not A Slug")), "slug", "BAD_USER_INPUT"),
        ("Role", with(&role, "title", json!("  ")), "title", "BAD_USER_INPUT"),
        ("Role", with(&role, "title", json!(long)), "title", "BAD_USER_INPUT"),
        ("Role", with(&role, "socCode", json!("151252")), "socCode", "BAD_USER_INPUT"),
        ("Role", with(&role, "socCode", json!("99-9999")), "socCode", "NOT_FOUND"),
        ("Role", with(&role, "onetSocCode", json!("15-1252")), "onetSocCode", "BAD_USER_INPUT"),
        ("Role", with(&role, "specialisationOf", json!("no-such-role")), "specialisationOf", "NOT_FOUND"),
        ("SalaryRange", with(&range, "currency", json!("XYZ")), "currency", "BAD_USER_INPUT"),
        ("SalaryRange", with(&range, "year", json!(1800)), "year", "BAD_USER_INPUT"),
        ("SalaryRange", with(&range, "median", json!(-1.0)), "median", "BAD_USER_INPUT"),
        ("SalaryRange", with(&range, "median", json!(1.005)), "median", "BAD_USER_INPUT"),
        ("SalaryRange", with(&range, "employment", json!(-5)), "employment", "BAD_USER_INPUT"),
        ("SalaryRange", with(&range, "locationQuotient", json!(-0.5)), "locationQuotient", "BAD_USER_INPUT"),
        ("SalaryRange", with(&with(&range, "p25", json!(90000)), "median", json!(80000)), "p25", "BAD_USER_INPUT"),
        ("SalaryRange", with(&with(&range, "p10", json!(9)), "p90", json!(5)), "p10", "BAD_USER_INPUT"),
        ("SalaryRange", with(&with(&range, "low", json!(9)), "high", json!(5)), "low", "BAD_USER_INPUT"),
        ("SalaryRange", with(&range, "topCoded", json!(["P90"])), "topCoded", "BAD_USER_INPUT"),
        ("SalaryRange", with(&range, "city", json!("atlantis")), "city", "NOT_FOUND"),
        ("SalaryRange", with(&range, "source", json!("")), "source", "BAD_USER_INPUT"),
        (
            "City",
            json!({ "slug": "x", "name": "X", "state": "ca", "areaCode": "1", "areaTitle": "X", "kind": "STATE" }),
            "state",
            "BAD_USER_INPUT",
        ),
        (
            "City",
            json!({ "slug": "x", "name": "X", "areaCode": "12a", "areaTitle": "X", "kind": "STATE" }),
            "areaCode",
            "BAD_USER_INPUT",
        ),
        (
            "Skill",
            json!({ "slug": "-x", "name": "X", "category": "TECHNICAL", "description": "X" }),
            "slug",
            "BAD_USER_INPUT",
        ),
        (
            "Skill",
            json!({ "slug": "x", "name": "X", "category": "TECHNICAL", "description": "x".repeat(2001) }),
            "description",
            "BAD_USER_INPUT",
        ),
    ];
    for (kind, input, field, code) in cases {
        let name = kind[..1].to_lowercase() + &kind[1..];
        let query = format!(
            "mutation($input: {kind}Input!) {{ create{kind}(input: $input) {{ {name} {{ id }} userErrors {{ field message code }} }} }}"
        );
        let response = app.graphql_as(&editor, &query, json!({ "input": input })).await;
        let payload = &response["data"][format!("create{kind}")];
        assert!(payload[&name].is_null(), "{field}: {response:#}");
        let errors = payload["userErrors"].as_array().unwrap();
        let error = errors
            .iter()
            .find(|e| e["field"] == json!(["input", field]))
            .unwrap_or_else(|| panic!("{field}: {response:#}"));
        assert_eq!(error["code"], code, "{field}: {response:#}");
        assert!(error["message"].as_str().unwrap().starts_with(&format!("{field}: ")), "{error}");
    }
    let admin = app.key(KeyRole::Admin).await;
    assert_eq!(app.graphql_as(&admin, CHANGES, json!({})).await["data"]["changes"]["totalCount"], 0);
}

async fn clashes_on_unique_keys_are_conflicts_and_leave_no_partial_write(app: TestApp) {
    let (editor, admin) = (app.key(KeyRole::Editor).await, app.key(KeyRole::Admin).await);
    let clash = app.graphql_as(&editor, CREATE_TOOL, tool("python", "Another Python")).await;
    let errors = &clash["data"]["createTool"]["userErrors"];
    assert_eq!(errors[0]["code"], "CONFLICT", "{clash:#}");
    assert!(
        !errors.to_string().contains("UNIQUE") && !errors.to_string().contains("duplicate"),
        "no SQL text: {clash:#}"
    );

    // The rename reaches the database and fails there: nothing of it stays.
    let before = version_of_tool(&app, "django").await;
    let mut rename = tool("python", "Django");
    rename["slug"] = json!("django");
    rename["v"] = json!(before);
    let response = app.graphql_as(&editor, UPDATE_TOOL, rename).await;
    assert_eq!(response["data"]["updateTool"]["userErrors"][0]["code"], "CONFLICT", "{response:#}");
    assert_eq!(version_of_tool(&app, "django").await, before);
    assert_eq!(app.graphql_as(&admin, CHANGES, json!({})).await["data"]["changes"]["totalCount"], 0);
}

async fn concurrent_updates_with_a_stale_version_conflict_and_lose_nothing(app: TestApp) {
    let editor = app.key(KeyRole::Editor).await;
    let start = version_of_tool(&app, "python").await;
    let updates = (0..100).map(|n| {
        let mut update = tool("python", &format!("Python {n}"));
        update["slug"] = json!("python");
        update["v"] = json!(start);
        let (app, editor) = (&app, &editor);
        async move { app.graphql_as(editor, UPDATE_TOOL, update).await }
    });
    let responses = futures_util::future::join_all(updates).await;
    let won: Vec<&Value> = responses.iter().filter(|r| r["data"]["updateTool"]["tool"].is_object()).collect();
    let conflicts = responses.iter().filter(|r| r["data"]["updateTool"]["userErrors"][0]["code"] == "CONFLICT").count();
    assert_eq!((won.len(), conflicts), (1, 99), "{responses:#?}");
    let winner = &won[0]["data"]["updateTool"]["tool"];
    let now = app.data(r#"{ tools(filter: { slug: { eq: "python" } }) { nodes { name version } } }"#).await;
    assert_eq!(now["tools"]["nodes"][0], json!({ "name": winner["name"], "version": start + 1 }));
    let admin = app.key(KeyRole::Admin).await;
    assert_eq!(app.graphql_as(&admin, CHANGES, json!({})).await["data"]["changes"]["totalCount"], 1);
}

async fn deletes_follow_each_kinds_rule(app: TestApp) {
    let admin = app.key(KeyRole::Admin).await;
    let city = "mutation { deleteCity(slug: \"united-states\") { deletedId userErrors { field message code } } }";
    let refused = app.graphql_as(&admin, city, json!({})).await;
    assert_eq!(refused["data"]["deleteCity"]["userErrors"][0]["code"], "CONFLICT", "{refused:#}");
    assert!(app.data(r#"{ city(slug: "united-states") { slug } }"#).await["city"].is_object());

    // A role goes with its links; the skills it needed stay.
    let role = "mutation { deleteRole(slug: \"api-developer\") { deletedId userErrors { code } } }";
    assert!(app.graphql_as(&admin, role, json!({})).await["data"]["deleteRole"]["deletedId"].is_string());
    assert_eq!(
        app.graphql(r#"{ role(slug: "api-developer") { slug } }"#).await["errors"][0]["extensions"]["code"],
        "NOT_FOUND"
    );
    let skills = app.data("{ skills(first: 1) { totalCount } }").await;
    assert!(skills["skills"]["totalCount"].as_i64().unwrap() > 0);

    let missing = app.graphql_as(&admin, DELETE_TOOL, json!({ "slug": "no-such-tool" })).await;
    assert_eq!(missing["data"]["deleteTool"]["userErrors"][0]["code"], "NOT_FOUND");
}

async fn links_attach_and_detach(app: TestApp) {
    let editor = app.key(KeyRole::Editor).await;
    let skills = r#"{ role(slug: "api-developer") { skills(first: 100) { edges { rank node { slug } } } } }"#;
    let count = |data: &Value| data["role"]["skills"]["edges"].as_array().unwrap().len();
    let before = count(&app.data(skills).await);
    app.graphql_as(&editor, CREATE_TOOL, tool("axum", "Axum")).await;
    let create = json!({ "input": { "slug": "rust-web", "name": "Rust on the web", "category": "TECHNICAL", "description": "Serving HTTP from Rust." } });
    app.graphql_as(
        &editor,
        "mutation($input: SkillInput!) { createSkill(input: $input) { userErrors { code } } }",
        create,
    )
    .await;
    for mutation in [
        r#"mutation { attachSkillToRole(role: "api-developer", skill: "rust-web", rank: 9) { userErrors { code } } }"#,
        r#"mutation { attachToolToSkill(skill: "rust-web", tool: "axum") { userErrors { code } } }"#,
        r#"mutation { attachToolToRole(role: "api-developer", tool: "axum", inDemand: true) { userErrors { code } } }"#,
    ] {
        let response = app.graphql_as(&editor, mutation, json!({})).await;
        assert!(response.to_string().contains(r#""userErrors":[]"#), "{mutation}: {response:#}");
    }
    assert_eq!(count(&app.data(skills).await), before + 1);
    let tools = app.data(r#"{ skill(slug: "rust-web") { tools { nodes { slug } } } }"#).await;
    assert_eq!(tools["skill"]["tools"]["nodes"], json!([{ "slug": "axum" }]));
    let detach =
        r#"mutation { detachSkillFromRole(role: "api-developer", skill: "rust-web") { userErrors { code } } }"#;
    assert_eq!(
        app.graphql_as(&editor, detach, json!({})).await["data"]["detachSkillFromRole"]["userErrors"],
        json!([])
    );
    assert_eq!(count(&app.data(skills).await), before);
    let again = app.graphql_as(&editor, detach, json!({})).await;
    assert_eq!(again["data"]["detachSkillFromRole"]["userErrors"][0]["code"], "NOT_FOUND");
}

const ROLE_CHANGES: &str = "subscription { roleChanged { action key version node { slug title } } }";

/// Waits until `subscription` is live: makes a `probe` change until an event about it (`is_probe` says
/// which) arrives. Without this a change made before the server subscribed would be missed.
async fn until_live(
    subscription: &mut Subscription,
    field: &str,
    mut probe: impl AsyncFnMut(),
    is_probe: impl Fn(&Value) -> bool,
) {
    loop {
        probe().await;
        if let Some(message) = subscription.message_within(Duration::from_millis(500)).await {
            assert!(is_probe(&message["payload"]["data"][field]), "{message:#}");
            return;
        }
    }
}

/// The next event of `field` that is not a probe.
async fn next_change(subscription: &mut Subscription, field: &str, is_probe: impl Fn(&Value) -> bool) -> Value {
    loop {
        let message = subscription.message().await;
        let change = message["payload"]["data"][field].clone();
        assert!(change.is_object(), "{message:#}");
        if !is_probe(&change) {
            return change;
        }
    }
}

const PROBE_ROLE: &str = "web-application-developer";

fn is_probe_role(change: &Value) -> bool {
    change["key"] == PROBE_ROLE
}

/// Waits until a `roleChanged` subscription is live, probing with edits of `PROBE_ROLE`'s links.
async fn until_roles_live(app: &TestApp, editor: &str, subscription: &mut Subscription) {
    let mut rank = 0;
    let probe = async || {
        rank += 1;
        let attach = format!(
            r#"mutation {{ attachSkillToRole(role: "{PROBE_ROLE}", skill: "api-design", rank: {rank}) {{ userErrors {{ code }} }} }}"#
        );
        app.graphql_as(editor, &attach, json!({})).await;
    };
    until_live(subscription, "roleChanged", probe, is_probe_role).await;
}

const UPDATE_ROLE: &str = "mutation($slug: String!, $v: Int!, $input: RoleInput!) {
    updateRole(slug: $slug, expectedVersion: $v, input: $input) { role { version } userErrors { code } }
}";

fn role_update(slug: &str, version: i64, new_slug: &str, title: &str) -> Value {
    json!({ "slug": slug, "v": version, "input": { "slug": new_slug, "title": title, "summary": "Builds APIs.", "socCode": "15-1252" } })
}

async fn a_subscriber_sees_committed_changes_only(app: TestApp) {
    let editor = app.key(KeyRole::Editor).await;
    let mut subscription = Subscription::start(app.addr, ROLE_CHANGES).await;
    until_roles_live(&app, &editor, &mut subscription).await;
    let version = app.data(r#"{ role(slug: "api-developer") { version } }"#).await["role"]["version"].as_i64().unwrap();
    // Rolled back in the database (the slug is taken), refused before writing (stale), invalid input.
    for failing in [
        role_update("api-developer", version, "senior-backend-engineer", "Clash"),
        role_update("api-developer", version + 7, "api-developer", "Stale"),
        role_update("api-developer", version, "Bad Slug", "Invalid"),
    ] {
        let response = app.graphql_as(&editor, UPDATE_ROLE, failing).await;
        assert!(response["data"]["updateRole"]["role"].is_null(), "{response:#}");
    }
    let committed =
        app.graphql_as(&editor, UPDATE_ROLE, role_update("api-developer", version, "api-developer", "Committed")).await;
    assert!(committed["data"]["updateRole"]["role"].is_object(), "{committed:#}");
    let change = next_change(&mut subscription, "roleChanged", is_probe_role).await;
    assert_eq!(
        change,
        json!({ "action": "UPDATE", "key": "api-developer", "version": version + 1, "node": { "slug": "api-developer", "title": "Committed" } })
    );
}

async fn subscriptions_and_mutations_pass_the_same_limits(app: TestApp) {
    let deep = (0..6).fold("slug".to_owned(), |inner, _| {
        format!("skills(first: 5) {{ nodes {{ roles(first: 5) {{ nodes {{ {inner} }} }} }} }}")
    });
    let mut subscription =
        Subscription::start(app.addr, &format!("subscription {{ roleChanged {{ node {{ {deep} }} }} }}")).await;
    // async-graphql answers a subscription refused before it starts with one response and `complete`.
    let refused = subscription.message().await;
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{refused:#}");
    assert_eq!(subscription.message().await["type"], "complete");

    let editor = app.key(KeyRole::Editor).await;
    let mutation =
        format!(r#"mutation {{ attachToolToSkill(skill: "api-design", tool: "git") {{ skill {{ {deep} }} }} }}"#);
    let response = app.graphql_as(&editor, &mutation, json!({})).await;
    assert_eq!(error_code(&response), "QUERY_TOO_COMPLEX", "{response:#}");
    let admin = app.key(KeyRole::Admin).await;
    assert_eq!(
        app.graphql_as(&admin, CHANGES, json!({})).await["data"]["changes"]["totalCount"],
        0,
        "refused before running"
    );
}

async fn a_change_through_one_instance_reaches_subscribers_of_another(app: TestApp) {
    // Instances share events through PostgreSQL; a SQLite database has one instance.
    if app.postgres_database().is_none() {
        return;
    }
    let editor = app.key(KeyRole::Editor).await;
    let other = app.another_instance().await;
    let mut subscription = Subscription::start(other, ROLE_CHANGES).await;
    until_roles_live(&app, &editor, &mut subscription).await;
    let version = app.data(r#"{ role(slug: "api-developer") { version } }"#).await["role"]["version"].as_i64().unwrap();
    let stale =
        app.graphql_as(&editor, UPDATE_ROLE, role_update("api-developer", version + 1, "api-developer", "Stale")).await;
    assert!(stale["data"]["updateRole"]["role"].is_null());
    app.graphql_as(&editor, UPDATE_ROLE, role_update("api-developer", version, "api-developer", "From A")).await;
    let change = next_change(&mut subscription, "roleChanged", is_probe_role).await;
    assert_eq!((change["key"].as_str(), change["node"]["title"].as_str()), (Some("api-developer"), Some("From A")));
    // Each instance delivers an event once, though it hears its own notifications too.
    let mut own = Subscription::start(app.addr, ROLE_CHANGES).await;
    until_roles_live(&app, &editor, &mut own).await;
    let version = version + 1;
    app.graphql_as(&editor, UPDATE_ROLE, role_update("api-developer", version, "api-developer", "Once")).await;
    assert_eq!(next_change(&mut own, "roleChanged", is_probe_role).await["version"], version + 1);
    app.graphql_as(&editor, UPDATE_ROLE, role_update("api-developer", version + 1, "api-developer", "Twice")).await;
    assert_eq!(next_change(&mut own, "roleChanged", is_probe_role).await["version"], version + 2);
}

async fn salary_range_subscribers_get_the_changes_their_filter_matches(app: TestApp) {
    let (editor, admin) = (app.key(KeyRole::Editor).await, app.key(KeyRole::Admin).await);
    let query = "subscription { salaryRangeChanged(filter: { median: { gt: 1000000 } }) { action key node { median source } } }";
    let mut subscription = Subscription::start(app.addr, query).await;
    let create = "mutation($input: SalaryRangeInput!) { createSalaryRange(input: $input) { salaryRange { id } userErrors { message } } }";
    let range = |source: &str, period: &str, median: f64| {
        json!({ "input": { "socCode": "15-1252", "city": "united-states", "period": "ANNUAL", "median": median,
            "source": source, "referencePeriod": period } })
    };
    let mut probes = 0;
    let probe = async || {
        probes += 1;
        app.graphql_as(&editor, create, range("Probe", &format!("probe {probes}"), 2_000_000.0)).await;
    };
    let is_probe = |change: &Value| change["node"]["source"] == "Probe";
    until_live(&mut subscription, "salaryRangeChanged", probe, is_probe).await;

    let low = app.graphql_as(&editor, create, range("Low", "2026", 50_000.0)).await;
    let low_id = low["data"]["createSalaryRange"]["salaryRange"]["id"].clone();
    let high = app.graphql_as(&editor, create, range("High", "2026", 1_500_000.0)).await;
    let high_id = high["data"]["createSalaryRange"]["salaryRange"]["id"].clone();
    let change = next_change(&mut subscription, "salaryRangeChanged", is_probe).await;
    assert_eq!((change["action"].as_str(), change["node"]["source"].as_str()), (Some("CREATE"), Some("High")));
    // A deletion can no longer be matched against the filter, so every subscriber hears of it.
    let delete = "mutation($id: ID!) { deleteSalaryRange(id: $id) { deletedId } }";
    let deleted = app.graphql_as(&admin, delete, json!({ "id": low_id })).await;
    assert_eq!(deleted["data"]["deleteSalaryRange"]["deletedId"], low_id, "{deleted:#}");
    let change = next_change(&mut subscription, "salaryRangeChanged", is_probe).await;
    assert_eq!(change, json!({ "action": "DELETE", "key": low_id, "node": null }));
    let update = "mutation($id: ID!, $input: SalaryRangeInput!) {
        updateSalaryRange(id: $id, expectedVersion: 1, input: $input) { salaryRange { median version } userErrors { message } }
    }";
    let mut input = range("High", "2026", 1_600_000.0);
    input["id"] = high_id.clone();
    let updated = app.graphql_as(&editor, update, input).await;
    assert_eq!(
        updated["data"]["updateSalaryRange"]["salaryRange"],
        json!({ "median": 1_600_000.0, "version": 2 }),
        "{updated:#}"
    );
    let change = next_change(&mut subscription, "salaryRangeChanged", is_probe).await;
    assert_eq!(
        (&change["action"], &change["key"], &change["node"]["median"]),
        (&json!("UPDATE"), &high_id, &json!(1_600_000.0))
    );
}

/// Queries that between them read every kind, link and figure.
const SNAPSHOT: &[&str] = &[
    "{ roles(first: 100) { totalCount nodes { id slug title summary version curated onetSocCode occupation { socCode title }
        specialisationOf { slug } responsibilities skills(first: 50) { edges { rank node { slug } } }
        tools(first: 50) { edges { hotTechnology inDemand onetExample node { slug } } } } } }",
    "{ skills(first: 100) { totalCount nodes { id slug name category description version tools(first: 50) { nodes { slug } } } } }",
    "{ tools(first: 100) { totalCount nodes { id slug name category version } } }",
    "{ cities(first: 100) { totalCount nodes { id slug name state areaCode areaTitle kind hub version } } }",
    "{ salaryRanges(first: 100, orderBy: [{ field: MEDIAN, direction: DESC }]) { totalCount nodes { id p10 p25 median p75 p90 mean low high
        topCoded currency period employment locationQuotient jobsPer1000 source referencePeriod year version city { slug } occupation { socCode } role { slug } } } }",
    "{ occupations(first: 100) { totalCount nodes { id socCode title } } }",
];

async fn snapshot(app: &TestApp) -> Vec<Value> {
    let mut answers = Vec::new();
    for query in SNAPSHOT {
        answers.push(app.data(query).await);
    }
    answers
}

async fn export_and_import_round_trip(app: TestApp) {
    let editor = app.key(KeyRole::Editor).await;
    app.graphql_as(&editor, CREATE_TOOL, tool("axum", "Axum")).await;
    let dir = tempfile::tempdir().unwrap();
    let json_file = dir.path().join("dump.json");
    let csv_dir = dir.path().join("csv");
    let export = |flags: Vec<String>| {
        careerql::cli::run(cli(&app.database_url, &flags.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    export(vec!["export".into(), "--format".into(), "json".into(), "--out".into(), json_file.display().to_string()])
        .await
        .unwrap();
    export(vec!["export".into(), "--format".into(), "csv".into(), "--out".into(), csv_dir.display().to_string()])
        .await
        .unwrap();
    assert!(csv_dir.join("salary_range.csv").exists() && csv_dir.join("role_skill.csv").exists());

    let expected = snapshot(&app).await;
    for dump in [&json_file, &csv_dir] {
        let imported = app.imported(dump).await;
        assert_eq!(snapshot(&imported).await, expected, "{}", dump.display());
        // Ids handed out after an import do not clash with the imported ones.
        let created =
            imported.graphql_as(&imported.key(KeyRole::Editor).await, CREATE_TOOL, tool("actix", "Actix")).await;
        assert!(created["data"]["createTool"]["tool"].is_object(), "{created:#}");
        // A dump loads only into an empty database.
        let again =
            careerql::cli::run(cli(&imported.database_url, &["import", "dump", &dump.display().to_string()])).await;
        assert!(again.is_err());
    }
}
