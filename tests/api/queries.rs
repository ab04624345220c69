//! Every root field and every relation, both ways, on the seeded data.
use serde_json::Value;

use crate::helpers::TestApp;

fn slugs(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|item| item["slug"].as_str().unwrap()).collect()
}

async fn root_lists_return_every_seeded_kind_in_order(app: TestApp) {
    let data = app
        .data("{ roles { slug } skills { slug } tools(first: 100) { slug } cities(first: 100) { slug } occupations { socCode } salaryRanges(first: 100) { id } }")
        .await;
    assert_eq!(
        slugs(&data["roles"]),
        [
            "api-developer",
            "database-administrator",
            "senior-backend-engineer",
            "system-architect",
            "web-application-developer"
        ]
    );
    assert_eq!(data["skills"].as_array().unwrap().len(), 5);
    assert_eq!(data["tools"].as_array().unwrap().len(), 19);
    assert_eq!(data["cities"].as_array().unwrap().len(), 23, "22 metro areas and the nation");
    let codes: Vec<&str> =
        data["occupations"].as_array().unwrap().iter().map(|o| o["socCode"].as_str().unwrap()).collect();
    assert_eq!(codes, ["15-1242", "15-1252", "15-1254", "15-1299"]);
    assert_eq!(data["salaryRanges"].as_array().unwrap().len(), 100);
}

async fn root_lists_default_to_twenty_and_honour_first(app: TestApp) {
    let data = app.data("{ cities { slug } two: cities(first: 2) { slug } none: cities(first: 0) { slug } }").await;
    assert_eq!(data["cities"].as_array().unwrap().len(), 20);
    assert_eq!(slugs(&data["two"]), ["atlanta-ga", "austin-tx"]);
    assert!(data["none"].as_array().unwrap().is_empty());
}

async fn a_role_has_its_story_skills_tools_and_specialisations(app: TestApp) {
    let data = app
        .data(
            r#"{ role(slug: "senior-backend-engineer") {
                id title summary responsibilities onetSocCode
                occupation { socCode title }
                specialisationOf { slug }
                specialisations { slug }
                skills { rank skill { slug category } }
                tools(first: 100) { onetExample hotTechnology inDemand tool { slug category } }
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
        slugs(&role["specialisations"]),
        ["web-application-developer", "api-developer", "database-administrator", "system-architect"]
    );
    let skills: Vec<(i64, &str)> = role["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["rank"].as_i64().unwrap(), s["skill"]["slug"].as_str().unwrap()))
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
    let tools = role["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 19, "the overview names 19 tools for this role");
    let express = tools.iter().find(|t| t["tool"]["slug"] == "express").unwrap();
    assert!(express["onetExample"].is_null() && express["hotTechnology"].is_null(), "Express.js is not in O*NET 29.2");
    let java = tools.iter().find(|t| t["tool"]["slug"] == "java").unwrap();
    assert_eq!(java["onetExample"], "Oracle Java");
    assert_eq!(java["tool"]["category"], "LANGUAGE");
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
                skill(slug: "database-management") { name category roles { rank role { slug } } tools { slug } }
                tool(slug: "postgresql") { name category skills { slug } roles { inDemand role { slug } } }
            }"#,
        )
        .await;
    let skill = &data["skill"];
    assert_eq!(skill["category"], "TECHNICAL");
    assert_eq!(slugs(&skill["tools"]), ["mysql", "postgresql", "mongodb", "redis"]);
    let dba =
        skill["roles"].as_array().unwrap().iter().find(|l| l["role"]["slug"] == "database-administrator").unwrap();
    assert_eq!(dba["rank"], 1);
    assert_eq!(skill["roles"].as_array().unwrap().len(), 5);

    let tool = &data["tool"];
    assert_eq!(tool["category"], "DATABASE");
    assert_eq!(slugs(&tool["skills"]), ["database-management"]);
    let roles = tool["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 5, "O*NET lists PostgreSQL for every mapped occupation");
    let dba = roles.iter().find(|l| l["role"]["slug"] == "database-administrator").unwrap();
    assert_eq!(dba["inDemand"], true);
}

async fn salary_ranges_link_roles_occupations_and_cities_both_ways(app: TestApp) {
    let data = app
        .data(
            r#"{
                role(slug: "api-developer") { annual: salaryRanges(period: ANNUAL) { source city { slug } } all: salaryRanges { period } }
                city(slug: "san-francisco-ca") { name state areaCode areaTitle kind hub salaryRanges(period: HOURLY) { occupation { socCode } roles { slug } role { slug } } }
                occupation(socCode: "15-1242") { roles { slug } salaryRanges { city { slug } } }
            }"#,
        )
        .await;
    let annual = data["role"]["annual"].as_array().unwrap();
    assert_eq!(annual.len(), 23, "BLS figures in 22 metros and the nation; the Glassdoor figure is another role's");
    assert!(annual.iter().all(|r| r["source"] == "BLS OEWS"));
    assert_eq!(data["role"]["all"].as_array().unwrap().len(), 46);

    let city = &data["city"];
    assert_eq!(city["name"], "San Francisco");
    assert_eq!(city["state"], "CA");
    assert_eq!(city["areaCode"], "41860");
    assert_eq!(city["areaTitle"], "San Francisco-Oakland-Fremont, CA");
    assert_eq!(city["kind"], "METROPOLITAN");
    assert_eq!(city["hub"], true);
    let ranges = city["salaryRanges"].as_array().unwrap();
    assert_eq!(ranges.len(), 4, "one hourly range per mapped occupation");
    let software = ranges.iter().find(|r| r["occupation"]["socCode"] == "15-1252").unwrap();
    assert_eq!(slugs(&software["roles"]), ["senior-backend-engineer", "api-developer"]);
    assert!(software["role"].is_null());

    assert_eq!(slugs(&data["occupation"]["roles"]), ["database-administrator"]);
    assert_eq!(data["occupation"]["salaryRanges"].as_array().unwrap().len(), 46);
}

async fn the_glassdoor_figure_is_kept_apart_with_its_own_source(app: TestApp) {
    let data = app
        .data(r#"{ role(slug: "senior-backend-engineer") { salaryRanges { source referencePeriod year mean low high median topCoded role { slug } city { kind } } } }"#)
        .await;
    let ranges = data["role"]["salaryRanges"].as_array().unwrap();
    assert_eq!(ranges.len(), 47);
    let glassdoor: Vec<&Value> =
        ranges.iter().filter(|r| r["source"].as_str().unwrap().starts_with("Glassdoor")).collect();
    assert_eq!(glassdoor.len(), 1);
    let g = glassdoor[0];
    assert_eq!(
        (g["mean"].as_f64(), g["low"].as_f64(), g["high"].as_f64()),
        (Some(115000.0), Some(90000.0), Some(150000.0))
    );
    assert!(g["median"].is_null() && g["year"].is_null());
    assert_eq!(g["topCoded"], serde_json::json!(["HIGH"]), "\"over $150,000\" is a lower bound");
    assert_eq!(g["role"]["slug"], "senior-backend-engineer");
    assert_eq!(g["city"]["kind"], "NATIONAL");
}

crate::on_every_backend!(
    root_lists_return_every_seeded_kind_in_order,
    root_lists_default_to_twenty_and_honour_first,
    a_role_has_its_story_skills_tools_and_specialisations,
    specialised_roles_point_back_to_their_broader_role,
    skills_and_tools_link_to_roles_and_to_each_other,
    salary_ranges_link_roles_occupations_and_cities_both_ways,
    the_glassdoor_figure_is_kept_apart_with_its_own_source
);
