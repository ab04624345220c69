//! Global object identification: every object refetched by its `id`.
use crate::helpers::TestApp;

async fn every_object_is_refetched_by_its_id(app: TestApp) {
    let data = app
        .data(
            r#"{ role(slug: "api-developer") { id title occupation { id socCode } skills(first: 1) { nodes { id name } }
                 tools(first: 1) { nodes { id name } } salaryRanges(first: 1) { nodes { id median city { id slug } } } } }"#,
        )
        .await;
    let role = &data["role"];
    let range = &role["salaryRanges"]["nodes"][0];
    let objects = [
        (&role["id"], "... on Role { title }", "title", role["title"].clone()),
        (&role["occupation"]["id"], "... on Occupation { socCode }", "socCode", role["occupation"]["socCode"].clone()),
        (
            &role["skills"]["nodes"][0]["id"],
            "... on Skill { name }",
            "name",
            role["skills"]["nodes"][0]["name"].clone(),
        ),
        (&role["tools"]["nodes"][0]["id"], "... on Tool { name }", "name", role["tools"]["nodes"][0]["name"].clone()),
        (&range["id"], "... on SalaryRange { median }", "median", range["median"].clone()),
        (&range["city"]["id"], "... on City { slug }", "slug", range["city"]["slug"].clone()),
    ];
    let mut ids = Vec::new();
    for (id, fragment, field, expected) in objects {
        let refetched = app.data(&format!("{{ node(id: {id}) {{ __typename id {fragment} }} }}")).await;
        assert_eq!(&refetched["node"]["id"], id);
        assert_eq!(refetched["node"][field], expected, "{fragment}");
        ids.push(id.to_string());
    }
    ids.push(ids[0].clone());
    let before = app.statements();
    let many = app.data(&format!("{{ nodes(ids: [{}]) {{ id __typename }} }}", ids.join(","))).await;
    let statements = app.statements() - before;
    let types: Vec<&str> =
        many["nodes"].as_array().unwrap().iter().map(|n| n["__typename"].as_str().unwrap()).collect();
    assert_eq!(types, ["Role", "Occupation", "Skill", "Tool", "SalaryRange", "City", "Role"]);
    assert!(statements <= 6, "one statement per type through the loaders, got {statements}");
}

async fn ids_of_missing_objects_are_not_found(app: TestApp) {
    let data = app.data(r#"{ role(slug: "api-developer") { id } }"#).await;
    let id = data["role"]["id"].as_str().unwrap();
    // Same type, another row: change the number inside the ID.
    let missing = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let text = String::from_utf8(engine.decode(id).unwrap()).unwrap();
        assert!(text.starts_with("Role:"));
        engine.encode("Role:999999")
    };
    let response = app.graphql(&format!(r#"{{ node(id: "{missing}") {{ id }} }}"#)).await;
    assert_eq!(response["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert!(response["data"]["node"].is_null());
}

crate::on_every_backend!(every_object_is_refetched_by_its_id, ids_of_missing_objects_are_not_found);
