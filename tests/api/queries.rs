//! Every root field and every relation, both ways, on the seeded data.
use serde_json::Value;

use crate::helpers::TestApp;

pub fn slugs(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|item| item["slug"].as_str().unwrap()).collect()
}

async fn root_connections_return_every_seeded_kind_in_order(app: TestApp) {
    let data = app
        .data(
            "{ roles { totalCount nodes { slug } } skills { totalCount } tools(first: 100) { totalCount nodes { slug } }
               cities(first: 100) { totalCount nodes { slug } } occupations { nodes { socCode } }
               salaryRanges(first: 100) { totalCount nodes { id } } }",
        )
        .await;
    assert_eq!(
        slugs(&data["roles"]["nodes"]),
        [
            "api-developer",
            "database-administrator",
            "senior-backend-engineer",
            "system-architect",
            "web-application-developer"
        ]
    );
    assert_eq!(data["roles"]["totalCount"], 5);
    assert_eq!(data["skills"]["totalCount"], 5);
    assert_eq!(data["tools"]["totalCount"], 19);
    assert_eq!(data["tools"]["nodes"].as_array().unwrap().len(), 19);
    assert_eq!(data["cities"]["totalCount"], 23, "22 metro areas and the nation");
    let codes: Vec<&str> =
        data["occupations"]["nodes"].as_array().unwrap().iter().map(|o| o["socCode"].as_str().unwrap()).collect();
    assert_eq!(codes, ["15-1242", "15-1252", "15-1254", "15-1299"]);
    assert_eq!(data["salaryRanges"]["totalCount"], 185, "184 BLS ranges and the Glassdoor figure");
    assert_eq!(data["salaryRanges"]["nodes"].as_array().unwrap().len(), 100);
}

async fn root_connections_default_to_twenty_and_honour_first(app: TestApp) {
    let data = app
        .data(
            "{ cities { nodes { slug } pageInfo { hasNextPage hasPreviousPage } }
               two: cities(first: 2) { edges { cursor node { slug } } }
               none: cities(first: 0) { nodes { slug } pageInfo { hasNextPage } } }",
        )
        .await;
    assert_eq!(data["cities"]["nodes"].as_array().unwrap().len(), 20);
    assert_eq!(data["cities"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(data["cities"]["pageInfo"]["hasPreviousPage"], false);
    let two: Vec<&str> =
        data["two"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["slug"].as_str().unwrap()).collect();
    assert_eq!(two, ["atlanta-ga", "austin-tx"]);
    assert!(data["none"]["nodes"].as_array().unwrap().is_empty());
    assert_eq!(data["none"]["pageInfo"]["hasNextPage"], true);
}

async fn a_role_has_its_story_skills_tools_and_specialisations(app: TestApp) {
    let data = app
        .data(
            r#"{ role(slug: "senior-backend-engineer") {
                id title summary responsibilities onetSocCode
                occupation { socCode title }
                specialisationOf { slug }
                specialisations { nodes { slug } }
                skills { edges { rank node { slug category } } }
                tools(first: 100) { totalCount edges { onetExample hotTechnology inDemand node { slug category } } }
            } }"#,
        )
        .await;
    let role = &data["role"];
    assert_eq!(role["title"], "Senior Backend Engineer");
    assert!(role["id"].as_str().unwrap().len() > 4);
    assert_eq!(role["responsibilities"].as_array().unwrap().len(), 5);
    assert!(
        role["responsibilities"][0].as_str().unwrap().starts_with("Design and implement the server-side architecture")
    );
    assert_eq!(role["occupation"]["socCode"], "15-1252");
    assert_eq!(role["occupation"]["title"], "Software Developers");
    assert!(role["specialisationOf"].is_null());
    assert_eq!(
        slugs(&role["specialisations"]["nodes"]),
        ["api-developer", "database-administrator", "system-architect", "web-application-developer"]
    );
    let skills: Vec<(i64, &str)> = role["skills"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["rank"].as_i64().unwrap(), s["node"]["slug"].as_str().unwrap()))
        .collect();
    assert_eq!(
        skills,
        [
            (1, "programming-languages"),
            (2, "backend-frameworks"),
            (3, "database-management"),
            (4, "api-design"),
            (5, "problem-solving")
        ]
    );
    let tools = role["tools"]["edges"].as_array().unwrap();
    assert_eq!(role["tools"]["totalCount"], 19, "the overview names 19 tools for this role");
    let express = tools.iter().find(|t| t["node"]["slug"] == "express").unwrap();
    assert!(express["onetExample"].is_null() && express["hotTechnology"].is_null(), "Express.js is not in O*NET 29.2");
    let java = tools.iter().find(|t| t["node"]["slug"] == "java").unwrap();
    assert_eq!(java["onetExample"], "Oracle Java");
    assert_eq!(java["node"]["category"], "LANGUAGE");
}

async fn specialised_roles_point_back_to_their_broader_role(app: TestApp) {
    let data = app
        .data(r#"{ role(slug: "system-architect") { specialisationOf { slug } onetSocCode occupation { socCode } } }"#)
        .await;
    assert_eq!(data["role"]["specialisationOf"]["slug"], "senior-backend-engineer");
    assert_eq!(data["role"]["onetSocCode"], "15-1299.08");
    assert_eq!(data["role"]["occupation"]["socCode"], "15-1299");
}

async fn skills_and_tools_link_to_roles_and_to_each_other(app: TestApp) {
    let data = app
        .data(
            r#"{
                skill(slug: "database-management") { name category roles { totalCount edges { rank node { slug } } } tools { nodes { slug } } }
                tool(slug: "postgresql") { name category skills { nodes { slug } } roles { edges { inDemand node { slug } } } }
            }"#,
        )
        .await;
    let skill = &data["skill"];
    assert_eq!(skill["category"], "TECHNICAL");
    assert_eq!(slugs(&skill["tools"]["nodes"]), ["mongodb", "mysql", "postgresql", "redis"], "by name");
    let edges = skill["roles"]["edges"].as_array().unwrap();
    let dba = edges.iter().find(|l| l["node"]["slug"] == "database-administrator").unwrap();
    assert_eq!(dba["rank"], 1);
    assert_eq!(skill["roles"]["totalCount"], 5);

    let tool = &data["tool"];
    assert_eq!(tool["category"], "DATABASE");
    assert_eq!(slugs(&tool["skills"]["nodes"]), ["database-management"]);
    let roles = tool["roles"]["edges"].as_array().unwrap();
    assert_eq!(roles.len(), 5, "O*NET lists PostgreSQL for every mapped occupation");
    let dba = roles.iter().find(|l| l["node"]["slug"] == "database-administrator").unwrap();
    assert_eq!(dba["inDemand"], true);
}

async fn salary_ranges_link_roles_occupations_and_cities_both_ways(app: TestApp) {
    let data = app
        .data(
            r#"{
                role(slug: "api-developer") {
                    annual: salaryRanges(first: 100, filter: { period: { eq: ANNUAL } }) { nodes { source city { slug } } }
                    all: salaryRanges { totalCount }
                }
                city(slug: "san-francisco-ca") {
                    name state areaCode areaTitle kind hub
                    salaryRanges(filter: { period: { eq: HOURLY } }) { nodes { occupation { socCode } roles { nodes { slug } } role { slug } } }
                }
                occupation(socCode: "15-1242") { roles { nodes { slug } } salaryRanges { totalCount nodes { city { slug } } } }
            }"#,
        )
        .await;
    let annual = data["role"]["annual"]["nodes"].as_array().unwrap();
    assert_eq!(annual.len(), 23, "BLS figures in 22 metros and the nation; the Glassdoor figure is another role's");
    assert!(annual.iter().all(|r| r["source"] == "BLS OEWS"));
    assert_eq!(data["role"]["all"]["totalCount"], 46);

    let city = &data["city"];
    assert_eq!(city["name"], "San Francisco");
    assert_eq!(city["state"], "CA");
    assert_eq!(city["areaCode"], "41860");
    assert_eq!(city["areaTitle"], "San Francisco-Oakland-Fremont, CA");
    assert_eq!(city["kind"], "METROPOLITAN");
    assert_eq!(city["hub"], true);
    let ranges = city["salaryRanges"]["nodes"].as_array().unwrap();
    assert_eq!(ranges.len(), 4, "one hourly range per mapped occupation");
    let software = ranges.iter().find(|r| r["occupation"]["socCode"] == "15-1252").unwrap();
    assert_eq!(slugs(&software["roles"]["nodes"]), ["api-developer", "senior-backend-engineer"]);
    assert!(software["role"].is_null());

    assert_eq!(slugs(&data["occupation"]["roles"]["nodes"]), ["database-administrator"]);
    assert_eq!(data["occupation"]["salaryRanges"]["totalCount"], 46);
}

async fn the_glassdoor_figure_is_kept_apart_with_its_own_source(app: TestApp) {
    let data = app
        .data(
            r#"{ role(slug: "senior-backend-engineer") {
                salaryRanges(first: 100, filter: { source: { startsWith: "glassdoor" } }) {
                    totalCount nodes { source referencePeriod year mean low high median topCoded role { slug } roles { nodes { slug } } city { kind } }
                }
                all: salaryRanges { totalCount }
            } }"#,
        )
        .await;
    assert_eq!(data["role"]["all"]["totalCount"], 47);
    assert_eq!(data["role"]["salaryRanges"]["totalCount"], 1);
    let g = &data["role"]["salaryRanges"]["nodes"][0];
    assert_eq!(
        (g["mean"].as_f64(), g["low"].as_f64(), g["high"].as_f64()),
        (Some(115000.0), Some(90000.0), Some(150000.0))
    );
    assert!(g["median"].is_null() && g["year"].is_null());
    assert_eq!(g["topCoded"], serde_json::json!(["HIGH"]), "\"over $150,000\" is a lower bound");
    assert_eq!(g["role"]["slug"], "senior-backend-engineer");
    assert_eq!(slugs(&g["roles"]["nodes"]), ["senior-backend-engineer"], "a role's own figure pays only that role");
    assert_eq!(g["city"]["kind"], "NATIONAL");
}

crate::on_every_backend!(
    root_connections_return_every_seeded_kind_in_order,
    root_connections_default_to_twenty_and_honour_first,
    a_role_has_its_story_skills_tools_and_specialisations,
    specialised_roles_point_back_to_their_broader_role,
    skills_and_tools_link_to_roles_and_to_each_other,
    salary_ranges_link_roles_occupations_and_cities_both_ways,
    the_glassdoor_figure_is_kept_apart_with_its_own_source,
);
