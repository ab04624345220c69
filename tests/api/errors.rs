use crate::helpers::{TestApp, error_code as first_error_code};

async fn unknown_slugs_are_not_found_and_leave_the_rest_of_the_answer(app: TestApp) {
    for (field, kind) in [("role", "role"), ("skill", "skill"), ("tool", "tool"), ("city", "city")] {
        let response = app.graphql(&format!(r#"{{ missing: {field}(slug: "no-such-thing") {{ slug }} api: role(slug: "api-developer") {{ slug }} }}"#)).await;
        assert_eq!(first_error_code(&response), "NOT_FOUND", "{field}");
        assert_eq!(response["errors"][0]["message"], format!(r#"no {kind} with slug "no-such-thing""#));
        assert_eq!(response["errors"][0]["path"][0], "missing");
        assert!(response["data"]["missing"].is_null());
        assert_eq!(response["data"]["api"]["slug"], "api-developer");
    }
    let response = app.graphql(r#"{ occupation(socCode: "99-9999") { title } }"#).await;
    assert_eq!(first_error_code(&response), "NOT_FOUND");
}

async fn list_sizes_outside_bounds_are_bad_user_input(app: TestApp) {
    for query in [
        "{ roles(first: 101) { nodes { slug } } }",
        "{ cities(first: -1) { nodes { slug } } }",
        r#"{ role(slug: "senior-backend-engineer") { tools(first: 1000) { edges { inDemand } } } }"#,
    ] {
        let response = app.graphql(query).await;
        assert_eq!(first_error_code(&response), "BAD_USER_INPUT", "{query}");
        let message = response["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("between 0 and 100"), "{message}");
    }
}

async fn malformed_arguments_are_refused_before_execution(app: TestApp) {
    let before = app.statements();
    for query in [
        r#"{ roles(first: "ten") { nodes { slug } } }"#,
        r#"{ role(slug: "api-developer") { salaryRanges(filter: { period: { eq: WEEKLY } }) { nodes { median } } } }"#,
        "{ role { slug } }",
        "{ roles { salary } }",
    ] {
        let response = app.graphql(query).await;
        assert!(response["errors"][0]["message"].is_string(), "{query}: {response:#}");
        assert!(response.get("data").is_none() || response["data"].is_null(), "{query}");
    }
    assert_eq!(app.statements(), before, "invalid documents must not reach the database");
}

async fn paging_arguments_are_checked(app: TestApp) {
    let titles =
        app.data("{ roles(first: 1) { pageInfo { endCursor } } skills(first: 1) { pageInfo { endCursor } } }").await;
    let role_cursor = titles["roles"]["pageInfo"]["endCursor"].clone();
    let skill_cursor = titles["skills"]["pageInfo"]["endCursor"].clone();
    let cases = [
        ("{ roles(first: 2, last: 2) { totalCount } }".to_owned(), "not both"),
        ("{ roles(last: 101) { totalCount } }".to_owned(), "between 0 and 100"),
        (r#"{ roles(after: "bm9wZQ") { totalCount } }"#.to_owned(), "not issued by this list"),
        (r#"{ roles(after: "!!!") { totalCount } }"#.to_owned(), "not issued by this list"),
        (
            format!("{{ roles(after: {role_cursor}, orderBy: [{{ field: SLUG }}]) {{ totalCount }} }}"),
            "not issued by this list",
        ),
        (format!("{{ tools(after: {skill_cursor}) {{ totalCount }} }}"), "not issued by this list"),
        (format!("{{ roles(last: 2, after: {role_cursor}) {{ totalCount }} }}"), "pass it with `first`"),
        (format!("{{ roles(before: {role_cursor}) {{ totalCount }} }}"), "pass it with `last`"),
        ("{ cities(orderBy: [{ field: MEDIAN_WAGE }]) { totalCount } }".to_owned(), "needs `role`"),
        (r#"{ node(id: "not-an-id") { id } }"#.to_owned(), "not a careerql ID"),
    ];
    for (query, says) in cases {
        let response = app.graphql(&query).await;
        assert_eq!(first_error_code(&response), "BAD_USER_INPUT", "{query}");
        let message = response["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{query}: {message}");
    }
    let ids: Vec<String> = (0..101).map(|_| "\"x\"".to_owned()).collect();
    let response = app.graphql(&format!("{{ nodes(ids: [{}]) {{ id }} }}", ids.join(","))).await;
    assert_eq!(first_error_code(&response), "BAD_USER_INPUT");
}

async fn values_the_schema_cannot_take_are_bad_user_input(app: TestApp) {
    let literal = r#"{ salaryRanges(filter: { period: { eq: WEEKLY } }) { totalCount } }"#;
    let response = app.graphql(literal).await;
    assert_eq!(first_error_code(&response), "BAD_USER_INPUT", "{response:#}");
    assert!(response["errors"][0]["message"].as_str().unwrap().contains("WEEKLY"));
    let variable = "query($p: PayPeriod) { salaryRanges(filter: { period: { eq: $p } }) { totalCount } }";
    let response = app.graphql_with(variable, serde_json::json!({ "p": "WEEKLY" })).await;
    assert_eq!(first_error_code(&response), "BAD_USER_INPUT", "{response:#}");
    let wrong_type = r#"{ roles(first: "ten") { totalCount } }"#;
    assert_eq!(first_error_code(&app.graphql(wrong_type).await), "BAD_USER_INPUT");
    // A document that asks for what does not exist is still invalid, not bad input.
    assert_eq!(first_error_code(&app.graphql("{ roles { salary } }").await), "GRAPHQL_VALIDATION_FAILED");
}

async fn a_failed_non_null_field_nulls_its_nearest_nullable_parent(app: TestApp) {
    // `salaryRanges` is non-null and `first: 1000` is over its bound: `role` (nullable) becomes null, as the
    // spec's null propagation asks, rather than `role` answering without the field.
    let query = r#"{ role(slug: "senior-backend-engineer") { title salaryRanges(first: 1000) { totalCount } } }"#;
    let response = app.graphql(query).await;
    assert_eq!(response["data"], serde_json::json!({ "role": null }), "{response:#}");
    assert_eq!(response["errors"][0]["path"], serde_json::json!(["role", "salaryRanges"]));
    assert_eq!(first_error_code(&response), "BAD_USER_INPUT");
    // Under `roles { nodes }` every position up to the root is non-null: `data` itself is null.
    let query = r#"{ roles(first: 2) { nodes { title salaryRanges(first: 1000) { totalCount } } } }"#;
    let response = app.graphql(query).await;
    assert!(response.get("data").is_some_and(serde_json::Value::is_null), "{response:#}");
    assert_eq!(first_error_code(&response), "BAD_USER_INPUT");
}

async fn fields_come_back_in_the_order_the_query_names_them(app: TestApp) {
    let query =
        "{ roles(first: 20) { nodes { curated responsibilities occupation { title socCode } onetSocCode slug } } }";
    let response = app.post(&serde_json::json!({ "query": query }), None).await;
    let text = response.text().await.unwrap();
    let first_node = &text[text.find("\"nodes\":[{").expect("nodes")..];
    let first_node = &first_node[..first_node.find("},{").unwrap_or(first_node.len())];
    let at = |key: &str| first_node.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("{key} in {first_node}"));
    let order = ["curated", "responsibilities", "occupation", "onetSocCode", "slug"].map(at);
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{first_node}");
    assert!(at("title") < at("socCode"), "{first_node}");
}

crate::on_every_backend!(
    a_failed_non_null_field_nulls_its_nearest_nullable_parent,
    fields_come_back_in_the_order_the_query_names_them,
    values_the_schema_cannot_take_are_bad_user_input,
    paging_arguments_are_checked,
    unknown_slugs_are_not_found_and_leave_the_rest_of_the_answer,
    list_sizes_outside_bounds_are_bad_user_input,
    malformed_arguments_are_refused_before_execution
);
