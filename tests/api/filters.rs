//! Each filter operator, and filters across relations, checked against rows read straight from the database.
use entity::{city, occupation, salary_range};
use sea_orm::EntityTrait;
use serde_json::Value;

use crate::helpers::TestApp;
use crate::queries::slugs;

async fn nodes(app: &TestApp, root: &str, filter: &str) -> Value {
    let data =
        app.data(&format!("{{ list: {root}(first: 100, filter: {filter}) {{ totalCount nodes {{ slug }} }} }}")).await;
    assert_eq!(data["list"]["totalCount"].as_u64().unwrap() as usize, data["list"]["nodes"].as_array().unwrap().len());
    data["list"]["nodes"].clone()
}

async fn total(app: &TestApp, root: &str, filter: &str) -> usize {
    let data = app.data(&format!("{{ list: {root}(filter: {filter}) {{ totalCount }} }}")).await;
    data["list"]["totalCount"].as_u64().unwrap() as usize
}

async fn string_operators(app: TestApp) {
    let cases: &[(&str, &[&str])] = &[
        (r#"{ slug: { eq: "git" } }"#, &["git"]),
        (r#"{ slug: { in: ["java", "git", "nope"] } }"#, &["git", "java"]),
        (r#"{ name: { contains: "sql" } }"#, &["mysql", "postgresql"]),
        (r#"{ name: { contains: "SQL" } }"#, &["mysql", "postgresql"]),
        (r#"{ name: { startsWith: "p" } }"#, &["postgresql", "postman", "python"]),
        (r#"{ name: { contains: "%" } }"#, &[]),
        (r#"{ name: { contains: "_" } }"#, &[]),
        (r#"{ name: { startsWith: "Amazon Web Services (" } }"#, &["aws"]),
        (r#"{ slug: { eq: "Git" } }"#, &[]),
    ];
    for (filter, expected) in cases {
        assert_eq!(slugs(&nodes(&app, "tools", filter).await), *expected, "{filter}");
    }
    assert_eq!(total(&app, "tools", r#"{ slug: { ne: "git" } }"#).await, 18);
    assert_eq!(total(&app, "tools", r#"{ slug: { notIn: ["git", "java"] } }"#).await, 17);
    assert_eq!(slugs(&nodes(&app, "cities", "{ state: { isNull: true } }").await), ["united-states"]);
    assert_eq!(total(&app, "cities", "{ state: { isNull: false } }").await, 22);
}

async fn enum_and_boolean_operators(app: TestApp) {
    assert_eq!(slugs(&nodes(&app, "cities", "{ kind: { eq: NATIONAL } }").await), ["united-states"]);
    assert_eq!(total(&app, "cities", "{ kind: { ne: NATIONAL } }").await, 22);
    assert_eq!(
        slugs(&nodes(&app, "cities", "{ hub: { eq: true } }").await),
        ["austin-tx", "boston-ma", "new-york-ny", "san-francisco-ca", "seattle-wa"]
    );
    assert_eq!(slugs(&nodes(&app, "tools", "{ category: { in: [CLOUD_PLATFORM] } }").await), ["aws", "gcp", "azure"]);
    assert_eq!(total(&app, "tools", "{ category: { notIn: [CLOUD_PLATFORM, DATABASE] } }").await, 12);
    assert_eq!(total(&app, "skills", "{ category: { eq: PROFESSIONAL } }").await, 1);
    assert_eq!(total(&app, "salaryRanges", "{ period: { eq: HOURLY } }").await, 92);
}

async fn number_operators_match_the_rows(app: TestApp) {
    let ranges = salary_range::Entity::find().all(&app.state.db.conn).await.unwrap();
    let count = |keep: &dyn Fn(&salary_range::Model) -> bool| ranges.iter().filter(|r| keep(r)).count();
    let median = |r: &salary_range::Model| r.median_cents;
    let cases: Vec<(&str, usize)> = vec![
        ("{ median: { gt: 150000 } }", count(&|r| median(r).is_some_and(|m| m > 15_000_000))),
        ("{ median: { gte: 135980 } }", count(&|r| median(r).is_some_and(|m| m >= 13_598_000))),
        ("{ median: { lt: 50.5 } }", count(&|r| median(r).is_some_and(|m| m < 5050))),
        ("{ median: { lte: 65.38 } }", count(&|r| median(r).is_some_and(|m| m <= 6538))),
        ("{ median: { eq: 135980 } }", count(&|r| median(r) == Some(13_598_000))),
        ("{ median: { ne: 135980 } }", count(&|r| median(r).is_some_and(|m| m != 13_598_000))),
        ("{ median: { in: [135980, 65.38] } }", count(&|r| matches!(median(r), Some(13_598_000 | 6538)))),
        ("{ median: { notIn: [135980] } }", count(&|r| median(r).is_some_and(|m| m != 13_598_000))),
        ("{ median: { isNull: true } }", count(&|r| median(r).is_none())),
        ("{ employment: { gte: 100000 } }", count(&|r| r.employment.is_some_and(|e| e >= 100_000))),
        ("{ employment: { isNull: true } }", count(&|r| r.employment.is_none())),
        ("{ locationQuotient: { gt: 2.5 } }", count(&|r| r.location_quotient.is_some_and(|q| q > 2.5))),
        ("{ year: { eq: 2025 } }", count(&|r| r.year == Some(2025))),
        (
            "{ median: { gt: 100000, lt: 150000 } }",
            count(&|r| median(r).is_some_and(|m| m > 10_000_000 && m < 15_000_000)),
        ),
    ];
    for (filter, expected) in cases {
        assert!(expected > 0 || filter.contains("isNull"), "{filter} should select something");
        assert_eq!(total(&app, "salaryRanges", filter).await, expected, "{filter}");
    }
}

async fn and_or_not_combine_filters(app: TestApp) {
    let either = r#"{ or: [{ slug: { eq: "git" } }, { category: { eq: CLOUD_PLATFORM } }] }"#;
    assert_eq!(slugs(&nodes(&app, "tools", either).await), ["aws", "git", "gcp", "azure"]);
    let both = r#"{ and: [{ category: { eq: DATABASE } }, { name: { startsWith: "m" } }] }"#;
    assert_eq!(slugs(&nodes(&app, "tools", both).await), ["mongodb", "mysql"]);
    let not = r#"{ category: { eq: DATABASE }, not: { name: { startsWith: "m" } } }"#;
    assert_eq!(slugs(&nodes(&app, "tools", not).await), ["postgresql", "redis"]);
    assert_eq!(total(&app, "tools", "{ or: [] }").await, 0, "an empty `or` matches nothing");
    assert_eq!(total(&app, "tools", "{ and: [] }").await, 19, "an empty `and` matches everything");
    let nested = r#"{ not: { or: [{ category: { eq: DATABASE } }, { category: { eq: LANGUAGE } }] } }"#;
    assert_eq!(total(&app, "tools", nested).await, 12);
}

async fn filters_reach_across_relations(app: TestApp) {
    // Roles that use a given tool.
    let swagger = r#"{ tool: { slug: { eq: "swagger" } } }"#;
    assert_eq!(slugs(&nodes(&app, "roles", swagger).await), ["api-developer", "senior-backend-engineer"]);
    // Roles that need a skill, and tools O*NET flags.
    assert_eq!(total(&app, "roles", r#"{ skill: { category: { eq: PROFESSIONAL } } }"#).await, 5);
    assert_eq!(slugs(&nodes(&app, "skills", r#"{ tool: { slug: { eq: "redis" } } }"#).await), ["database-management"]);
    assert!(total(&app, "tools", "{ inDemand: true }").await > 5);
    // No role's occupation lists these as hot in O*NET: not listed at all, listed only for other occupations
    // (Flask, Postman), or listed but not hot (Google Cloud).
    let cold = slugs(&nodes(&app, "tools", "{ hotTechnology: false }").await).join(" ");
    assert_eq!(cold, "express flask gcp mercurial postman swagger");
    // Roles by the specialisation they belong to, and by occupation.
    assert_eq!(total(&app, "roles", r#"{ specialisationOf: { slug: { eq: "senior-backend-engineer" } } }"#).await, 4);
    assert_eq!(total(&app, "roles", r#"{ socCode: { eq: "15-1252" } }"#).await, 2);

    let db = &app.state.db.conn;
    let cities = city::Entity::find().all(db).await.unwrap();
    let ranges = salary_range::Entity::find().all(db).await.unwrap();
    let software =
        occupation::Entity::find().all(db).await.unwrap().into_iter().find(|o| o.soc_code == "15-1252").unwrap();

    // Salary ranges in a state.
    let texas: Vec<i32> = cities.iter().filter(|c| c.state.as_deref() == Some("TX")).map(|c| c.id).collect();
    let in_texas = ranges.iter().filter(|r| texas.contains(&r.city_id)).count();
    assert_eq!(total(&app, "salaryRanges", r#"{ city: { state: { eq: "TX" } } }"#).await, in_texas);
    assert_eq!(in_texas, 3 * 8, "Austin, Dallas and Houston, 4 occupations x 2 periods");

    // Cities where a role's annual median exceeds a figure.
    let mut expected: Vec<&str> = cities
        .iter()
        .filter(|c| {
            ranges.iter().any(|r| {
                r.city_id == c.id
                    && r.occupation_id == software.id
                    && r.role_id.is_none()
                    && r.period == entity::enums::PayPeriod::Annual
                    && r.median_cents.is_some_and(|m| m > 18_000_000)
            })
        })
        .map(|c| c.slug.as_str())
        .collect();
    expected.sort();
    let filter = r#"{ salaryRange: { role: { slug: { eq: "api-developer" } }, period: { eq: ANNUAL }, median: { gt: 180000 } } }"#;
    assert_eq!(slugs(&nodes(&app, "cities", filter).await), expected);
    assert!(expected.contains(&"san-jose-ca") && expected.len() < 10);

    // Salary ranges for a role include its own figures.
    let role_ranges = r#"{ role: { slug: { eq: "senior-backend-engineer" } } }"#;
    assert_eq!(total(&app, "salaryRanges", role_ranges).await, 47);
    assert_eq!(total(&app, "salaryRanges", r#"{ role: { slug: { eq: "api-developer" } } }"#).await, 46);
}

async fn nested_connections_take_filters_too(app: TestApp) {
    let data = app
        .data(
            r#"{ role(slug: "senior-backend-engineer") {
                tools(filter: { category: { eq: DATABASE } }, orderBy: [{ field: NAME, direction: DESC }]) { totalCount nodes { slug } }
                skills(filter: { name: { contains: "api" } }) { edges { rank node { slug } } }
            } }"#,
        )
        .await;
    assert_eq!(data["role"]["tools"]["totalCount"], 4);
    assert_eq!(slugs(&data["role"]["tools"]["nodes"]), ["redis", "postgresql", "mysql", "mongodb"]);
    assert_eq!(data["role"]["skills"]["edges"][0]["rank"], 4);
}

crate::on_every_backend!(
    string_operators,
    enum_and_boolean_operators,
    number_operators_match_the_rows,
    and_or_not_combine_filters,
    filters_reach_across_relations,
    nested_connections_take_filters_too,
);
