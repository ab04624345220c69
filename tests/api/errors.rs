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
        "{ roles(first: 101) { slug } }",
        "{ cities(first: -1) { slug } }",
        r#"{ role(slug: "senior-backend-engineer") { tools(first: 1000) { inDemand } } }"#,
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
        r#"{ roles(first: "ten") { slug } }"#,
        r#"{ role(slug: "api-developer") { salaryRanges(period: WEEKLY) { median } } }"#,
        "{ role { slug } }",
        "{ roles { salary } }",
    ] {
        let response = app.graphql(query).await;
        assert!(response["errors"][0]["message"].is_string(), "{query}: {response:#}");
        assert!(response.get("data").is_none() || response["data"].is_null(), "{query}");
    }
    assert_eq!(app.statements(), before, "invalid documents must not reach the database");
}

crate::on_every_backend!(
    unknown_slugs_are_not_found_and_leave_the_rest_of_the_answer,
    list_sizes_outside_bounds_are_bad_user_input,
    malformed_arguments_are_refused_before_execution
);
