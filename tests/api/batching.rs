//! The N+1 proof: a deep query runs the same number of SQL statements on ten times the data.
use std::collections::HashMap;

use entity::{city, occupation, responsibility, role, role_skill, role_tool, salary_range, skill, skill_tool, tool};
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, DatabaseConnection, EntityTrait, IntoActiveModel, Set};

use crate::helpers::TestApp;

const DEEP_QUERY: &str = r#"{
  roles(first: 100) {
    slug responsibilities
    occupation { socCode }
    specialisationOf { slug }
    skills { rank skill { name tools { slug } } }
    tools(first: 100) { inDemand tool { name skills { slug } } }
    salaryRanges(first: 100) { median city { name } }
  }
}"#;

/// Runs the deep query; returns (statements it ran, roles, salary ranges it returned).
async fn run_deep_query(app: &TestApp) -> (u64, usize, usize) {
    let before = app.statements();
    let data = app.data(DEEP_QUERY).await;
    let statements = app.statements() - before;
    let roles = data["roles"].as_array().unwrap();
    let ranges = roles.iter().map(|r| r["salaryRanges"].as_array().unwrap().len()).sum();
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

    grow_tenfold(&app.state.db.conn).await;
    let (grown, roles, ranges) = run_deep_query(&app).await;
    assert_eq!((roles, ranges), (50, 10 * (5 * 46 + 1)), "the query must see ten times the rows");

    eprintln!("deep query: {seeded} SQL statements on the seed, {grown} on ten times the data");
    // One statement per relation level: roles, responsibilities, occupations, parent roles, role skills,
    // skills, skill tools, tools, role tools, tools (deeper level), skill tools, skills, ranges, cities.
    // The bound, not equality: keys for one table from two paths (tools under skills, tools under roles)
    // sometimes share a batch, when a statement returns before async-graphql's zero-delay loader timer
    // (next millisecond tick) fires, so 13 and 14 both occur; an N+1 would be hundreds.
    for (data, statements) in [("the seed", seeded), ("ten times the data", grown)] {
        assert!(statements <= 14, "{statements} statements on {data} for a query of 14 relation levels");
    }
}

crate::on_every_backend!(statements_per_request_do_not_grow_with_the_data);
