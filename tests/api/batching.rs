//! The N+1 proof: a deep query runs the same number of SQL statements on ten times the data.
use std::collections::HashMap;

use entity::{city, occupation, responsibility, role, role_skill, role_tool, salary_range, skill, skill_tool, tool};
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, DatabaseConnection, EntityTrait, IntoActiveModel, Set};

use crate::helpers::TestApp;

/// The innermost lists ask for 20 items: the statement count does not depend on it, and asking for the
/// default 100 at every level would be over the cost limit (2,110,901 of 1,000,000).
const DEEP_QUERY: &str = r#"{
  roles(first: 100) {
    totalCount
    nodes {
      slug responsibilities
      occupation { socCode }
      specialisationOf { slug }
      skills(first: 20) { totalCount edges { rank node { name tools(first: 20) { nodes { slug } } } } }
      tools(first: 100) { edges { inDemand node { name skills(first: 20) { nodes { slug } } } } }
      salaryRanges(first: 100) { totalCount nodes { median city { name } } }
    }
  }
}"#;

/// The issue's example: fifty roles, each with its first three tools, paged per parent in SQL.
const NESTED_PAGES: &str = r#"{
  roles(first: 50) {
    nodes { slug tools(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor hotTechnology node { name } } } }
  }
}"#;

/// Runs a query; returns the statements it ran and its data.
async fn statements_for(app: &TestApp, query: &str) -> (u64, serde_json::Value) {
    let before = app.statements();
    let data = app.data(query).await;
    (app.statements() - before, data)
}

/// Runs the deep query; returns (statements it ran, roles, salary ranges it returned).
async fn run_deep_query(app: &TestApp) -> (u64, usize, usize) {
    let before = app.statements();
    let data = app.data(DEEP_QUERY).await;
    let statements = app.statements() - before;
    let roles = data["roles"]["nodes"].as_array().unwrap();
    let ranges = roles.iter().map(|r| r["salaryRanges"]["nodes"].as_array().unwrap().len()).sum();
    (statements, roles.len(), ranges)
}

/// Adds nine renamed copies of every row, links included, so every list grows tenfold.
async fn grow_tenfold(db: &DatabaseConnection) {
    let roles = role::Entity::find().all(db).await.unwrap();
    let skills = skill::Entity::find().all(db).await.unwrap();
    let tools = tool::Entity::find().all(db).await.unwrap();
    let cities = city::Entity::find().all(db).await.unwrap();
    let occupations = occupation::Entity::find().all(db).await.unwrap();
    let ranges = salary_range::Entity::find().all(db).await.unwrap();
    let responsibilities = responsibility::Entity::find().all(db).await.unwrap();
    let role_skills = role_skill::Entity::find().all(db).await.unwrap();
    let role_tools = role_tool::Entity::find().all(db).await.unwrap();
    let skill_tools = skill_tool::Entity::find().all(db).await.unwrap();

    for copy in 1..10 {
        let mut ids: HashMap<(&str, i32), i32> = HashMap::new();
        for o in &occupations {
            let mut row = o.clone().into_active_model();
            row.id = NotSet;
            row.soc_code = Set(format!("9{copy}{}", &o.soc_code[2..]));
            ids.insert(("occupation", o.id), row.insert(db).await.unwrap().id);
        }
        for c in &cities {
            let mut row = c.clone().into_active_model();
            row.id = NotSet;
            row.slug = Set(format!("{}-copy-{copy}", c.slug));
            // Area codes are at most 7 characters: keep the last five (a metro code, or zeros for the nation).
            row.area_code = Set(format!("9{copy}{}", &c.area_code[c.area_code.len() - 5..]));
            ids.insert(("city", c.id), row.insert(db).await.unwrap().id);
        }
        for r in &roles {
            let mut row = r.clone().into_active_model();
            row.id = NotSet;
            row.slug = Set(format!("{}-copy-{copy}", r.slug));
            row.occupation_id = Set(ids[&("occupation", r.occupation_id)]);
            row.specialisation_of_id = Set(None);
            ids.insert(("role", r.id), row.insert(db).await.unwrap().id);
        }
        for s in &skills {
            let mut row = s.clone().into_active_model();
            row.id = NotSet;
            row.slug = Set(format!("{}-copy-{copy}", s.slug));
            ids.insert(("skill", s.id), row.insert(db).await.unwrap().id);
        }
        for t in &tools {
            let mut row = t.clone().into_active_model();
            row.id = NotSet;
            row.slug = Set(format!("{}-copy-{copy}", t.slug));
            ids.insert(("tool", t.id), row.insert(db).await.unwrap().id);
        }
        for r in &ranges {
            let mut row = r.clone().into_active_model();
            row.id = NotSet;
            row.occupation_id = Set(ids[&("occupation", r.occupation_id)]);
            row.city_id = Set(ids[&("city", r.city_id)]);
            row.role_id = Set(r.role_id.map(|id| ids[&("role", id)]));
            row.insert(db).await.unwrap();
        }
        for r in &responsibilities {
            let mut row = r.clone().into_active_model();
            row.id = NotSet;
            row.role_id = Set(ids[&("role", r.role_id)]);
            row.insert(db).await.unwrap();
        }
        for link in &role_skills {
            let mut row = link.clone().into_active_model();
            row.role_id = Set(ids[&("role", link.role_id)]);
            row.skill_id = Set(ids[&("skill", link.skill_id)]);
            row.insert(db).await.unwrap();
        }
        for link in &role_tools {
            let mut row = link.clone().into_active_model();
            row.role_id = Set(ids[&("role", link.role_id)]);
            row.tool_id = Set(ids[&("tool", link.tool_id)]);
            row.insert(db).await.unwrap();
        }
        for link in &skill_tools {
            let mut row = link.clone().into_active_model();
            row.skill_id = Set(ids[&("skill", link.skill_id)]);
            row.tool_id = Set(ids[&("tool", link.tool_id)]);
            row.insert(db).await.unwrap();
        }
    }
}

async fn statements_per_request_do_not_grow_with_the_data(app: TestApp) {
    let (seeded, roles, ranges) = run_deep_query(&app).await;
    assert_eq!((roles, ranges), (5, 5 * 46 + 1));
    let (paged_seeded, data) = statements_for(&app, NESTED_PAGES).await;
    assert_eq!(data["roles"]["nodes"].as_array().unwrap().len(), 5);

    grow_tenfold(&app.state.db.conn).await;
    let (paged_grown, data) = statements_for(&app, NESTED_PAGES).await;
    let roles_listed = data["roles"]["nodes"].as_array().unwrap();
    assert_eq!(roles_listed.len(), 50);
    assert!(roles_listed.iter().all(|r| r["tools"]["edges"].as_array().unwrap().len() == 3));
    eprintln!("nested pages: {paged_seeded} SQL statements on the seed, {paged_grown} on ten times the data");
    assert_eq!((paged_seeded, paged_grown), (3, 3), "roles, every role's tool page, every role's tool count");

    let (grown, roles, ranges) = run_deep_query(&app).await;
    assert_eq!((roles, ranges), (50, 10 * (5 * 46 + 1)), "the query must see ten times the rows");

    eprintln!("deep query: {seeded} SQL statements on the seed, {grown} on ten times the data");
    assert_eq!(seeded, grown, "statement count must depend on the query's shape, not the data");
    // One statement per list or relation, wherever it appears: roles and their count, responsibilities,
    // occupations, parent roles, skills and their counts, their tools, tools, their skills, salary ranges and
    // their counts, cities.
    assert_eq!(seeded, 13, "one statement per list, count and relation in the query");
}

crate::on_every_backend!(statements_per_request_do_not_grow_with_the_data);
