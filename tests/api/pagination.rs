//! Paging forward and backward through every ordering, compared with a reference sorted here in Rust from
//! rows read straight from the database.
use std::cmp::Ordering;
use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::{city, occupation, role, salary_range};
use sea_orm::EntityTrait;
use serde_json::Value;

use crate::helpers::TestApp;

/// A sort value as the database holds it.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
enum Key {
    Int(i64),
    Float(f64),
    Text(String),
}

/// Sorts `rows` (id, keys) by each key in `terms` (descending?, nulls last?), then by id.
fn reference(mut rows: Vec<(i32, Vec<Option<Key>>)>, terms: &[(bool, bool)]) -> Vec<i32> {
    rows.sort_by(|(a_id, a), (b_id, b)| {
        for (i, (descending, nulls_last)) in terms.iter().enumerate() {
            let ordering = match (&a[i], &b[i]) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => {
                    if *nulls_last {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (Some(_), None) => {
                    if *nulls_last {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (Some(x), Some(y)) => {
                    let o = x.partial_cmp(y).unwrap();
                    if *descending { o.reverse() } else { o }
                }
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        a_id.cmp(b_id)
    });
    rows.into_iter().map(|(id, _)| id).collect()
}

/// An ordering field's name as the API spells it, and how to read its value from a row.
type Field<'a, M> = (&'a str, Box<dyn Fn(&M) -> Option<Key> + 'a>);

fn row_id(global_id: &str) -> i32 {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(global_id).unwrap()).unwrap();
    text.rsplit(':').next().unwrap().parse().unwrap()
}

/// Every id of `root(orderBy: …)`, read page by page forward, then backward.
async fn traverse(app: &TestApp, root: &str, args: &str, page: usize) -> (Vec<i32>, Vec<i32>) {
    let fetch = |direction: String| {
        let query = format!(
            "{{ list: {root}({direction} {args}) {{ edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"
        );
        async move { app.data(&query).await }
    };
    let ids = |data: &Value| -> Vec<i32> {
        data["list"]["edges"].as_array().unwrap().iter().map(|e| row_id(e["node"]["id"].as_str().unwrap())).collect()
    };

    let mut forward = Vec::new();
    let mut after = String::new();
    loop {
        let data = fetch(format!("first: {page} {after}")).await;
        forward.extend(ids(&data));
        let info = &data["list"]["pageInfo"];
        assert_eq!(info["hasPreviousPage"], !after.is_empty(), "{root} {args}");
        if info["hasNextPage"] != true {
            break;
        }
        after = format!("after: {}", info["endCursor"]);
    }

    let mut backward = Vec::new();
    let mut before = String::new();
    loop {
        let data = fetch(format!("last: {page} {before}")).await;
        let mut chunk = ids(&data);
        chunk.extend(backward);
        backward = chunk;
        let info = &data["list"]["pageInfo"];
        if info["hasPreviousPage"] != true {
            break;
        }
        before = format!("before: {}", info["startCursor"]);
    }
    (forward, backward)
}

fn text(value: &str) -> Option<Key> {
    Some(Key::Text(value.to_owned()))
}

async fn salary_ranges_page_through_every_ordering(app: TestApp) {
    let db = &app.state.db.conn;
    let cities: HashMap<i32, String> =
        city::Entity::find().all(db).await.unwrap().into_iter().map(|c| (c.id, c.name)).collect();
    let codes: HashMap<i32, String> =
        occupation::Entity::find().all(db).await.unwrap().into_iter().map(|o| (o.id, o.soc_code)).collect();
    let ranges = salary_range::Entity::find().all(db).await.unwrap();
    let int = |v: Option<i64>| v.map(Key::Int);
    let fields: Vec<Field<salary_range::Model>> = vec![
        ("P10", Box::new(move |r| int(r.p10_cents))),
        ("P25", Box::new(move |r| int(r.p25_cents))),
        ("MEDIAN", Box::new(move |r| int(r.median_cents))),
        ("P75", Box::new(move |r| int(r.p75_cents))),
        ("P90", Box::new(move |r| int(r.p90_cents))),
        ("MEAN", Box::new(move |r| int(r.mean_cents))),
        ("EMPLOYMENT", Box::new(move |r| int(r.employment))),
        ("LOCATION_QUOTIENT", Box::new(|r| r.location_quotient.map(Key::Float))),
        ("YEAR", Box::new(move |r| int(r.year.map(i64::from)))),
        ("PERIOD", Box::new(|r| text(sea_orm::ActiveEnum::to_value(&r.period).as_str()))),
        ("CITY_NAME", Box::new(move |r| text(&cities[&r.city_id]))),
        ("SOC_CODE", Box::new(move |r| text(&codes[&r.occupation_id]))),
    ];
    for (field, value) in &fields {
        for (direction, descending) in [("ASC", false), ("DESC", true)] {
            for (nulls, nulls_last) in [("FIRST", false), ("LAST", true)] {
                let rows = ranges.iter().map(|r| (r.id, vec![value(r)])).collect();
                let expected = reference(rows, &[(descending, nulls_last)]);
                let args = format!("orderBy: [{{ field: {field}, direction: {direction}, nulls: {nulls} }}]");
                let (forward, backward) = traverse(&app, "salaryRanges", &args, 40).await;
                assert_eq!(forward, expected, "forward by {args}");
                assert_eq!(backward, expected, "backward by {args}");
            }
        }
    }

    // Two terms: period first, then the median from the top, missing medians first.
    let rows = ranges.iter().map(|r| (r.id, vec![fields[9].1(r), fields[2].1(r)])).collect();
    let expected = reference(rows, &[(false, true), (true, false)]);
    let args = "orderBy: [{ field: PERIOD }, { field: MEDIAN, direction: DESC, nulls: FIRST }]";
    let (forward, backward) = traverse(&app, "salaryRanges", args, 17).await;
    assert_eq!(forward, expected);
    assert_eq!(backward, expected);
}

async fn roles_and_cities_page_through_every_ordering(app: TestApp) {
    let db = &app.state.db.conn;
    let codes: HashMap<i32, String> =
        occupation::Entity::find().all(db).await.unwrap().into_iter().map(|o| (o.id, o.soc_code)).collect();
    let roles = role::Entity::find().all(db).await.unwrap();
    for (field, key) in [("TITLE", 0), ("SLUG", 1), ("SOC_CODE", 2)] {
        for (direction, descending) in [("ASC", false), ("DESC", true)] {
            let rows = roles
                .iter()
                .map(|r| (r.id, vec![[text(&r.title), text(&r.slug), text(&codes[&r.occupation_id])][key].clone()]))
                .collect();
            let expected = reference(rows, &[(descending, true)]);
            let args = format!("orderBy: [{{ field: {field}, direction: {direction} }}]");
            let (forward, backward) = traverse(&app, "roles", &args, 2).await;
            assert_eq!((forward, backward), (expected.clone(), expected), "roles by {args}");
        }
    }

    let cities = city::Entity::find().all(db).await.unwrap();
    let ranges = salary_range::Entity::find().all(db).await.unwrap();
    let dba = roles.iter().find(|r| r.slug == "database-administrator").unwrap();
    // Salt Lake City publishes no database administrator wages: a null to place.
    let median = |city: i32| {
        ranges
            .iter()
            .find(|r| {
                r.city_id == city
                    && r.occupation_id == dba.occupation_id
                    && r.role_id.is_none()
                    && r.period == entity::enums::PayPeriod::Annual
            })
            .and_then(|r| r.median_cents)
            .map(Key::Int)
    };
    let city_fields: Vec<Field<city::Model>> = vec![
        ("NAME", Box::new(|c| text(&c.name))),
        ("STATE", Box::new(|c| c.state.as_deref().and_then(text))),
        ("AREA_CODE", Box::new(|c| text(&c.area_code))),
        ("MEDIAN_WAGE, role: \"database-administrator\"", Box::new(move |c| median(c.id))),
    ];
    for (field, value) in &city_fields {
        for (direction, descending) in [("ASC", false), ("DESC", true)] {
            for (nulls, nulls_last) in [("FIRST", false), ("LAST", true)] {
                let rows = cities.iter().map(|c| (c.id, vec![value(c)])).collect();
                let expected = reference(rows, &[(descending, nulls_last)]);
                let args = format!("orderBy: [{{ field: {field}, direction: {direction}, nulls: {nulls} }}]");
                let (forward, backward) = traverse(&app, "cities", &args, 5).await;
                assert_eq!((forward, backward), (expected.clone(), expected), "cities by {args}");
            }
        }
    }
}

async fn nested_connections_page_each_parent_independently(app: TestApp) {
    // Every role's first three tools come from one batched statement, each role's own three.
    let data = app.data("{ roles { nodes { tools(first: 3) { totalCount edges { node { slug } } } } } }").await;
    for role in data["roles"]["nodes"].as_array().unwrap() {
        let tools = &role["tools"];
        assert_eq!(tools["edges"].as_array().unwrap().len(), 3.min(tools["totalCount"].as_u64().unwrap() as usize));
    }
    // Page one role's tools to the end and compare with the unpaged list.
    let all = app.data(r#"{ role(slug: "senior-backend-engineer") { tools(first: 100) { nodes { slug } } } }"#).await;
    let all: Vec<&str> = crate::queries::slugs(&all["role"]["tools"]["nodes"]);
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let data = app
            .data(&format!(
                r#"{{ role(slug: "senior-backend-engineer") {{ tools(first: 4 {cursor}) {{ nodes {{ slug }} pageInfo {{ hasNextPage endCursor }} }} }} }}"#
            ))
            .await;
        let tools = &data["role"]["tools"];
        paged.extend(crate::queries::slugs(&tools["nodes"]).into_iter().map(str::to_owned));
        if tools["pageInfo"]["hasNextPage"] != true {
            break;
        }
        cursor = format!("after: {}", tools["pageInfo"]["endCursor"]);
    }
    assert_eq!(paged, all);
    assert_eq!(all.len(), 19);
}

async fn one_nested_field_asked_twice_gives_each_its_own_page(app: TestApp) {
    // A nested list's query is built once per field of the document and shared by every parent: aliases of
    // one field, and a fragment spread under two different lists, each keep their own arguments.
    let data = app
        .data(
            r#"{
              roles(first: 5) { nodes { ...Tools few: tools(first: 1) { nodes { slug } } more: tools(first: 3) { nodes { slug } } } }
              skills(first: 5) { nodes { roles(first: 3) { nodes { ...Tools } } } }
            }
            fragment Tools on Role {
              all: tools(first: 100) { nodes { slug } }
              byNameDescending: tools(first: 2, orderBy: [{ field: NAME, direction: DESC }]) { nodes { name } }
              allNames: tools(first: 100, orderBy: [{ field: NAME, direction: DESC }]) { nodes { name } }
            }"#,
        )
        .await;
    let head = |list: &Value, field: &str, n: usize| -> Vec<String> {
        list["nodes"].as_array().unwrap().iter().take(n).map(|node| node[field].as_str().unwrap().to_owned()).collect()
    };
    let mut roles: Vec<&Value> = data["roles"]["nodes"].as_array().unwrap().iter().collect();
    for skill in data["skills"]["nodes"].as_array().unwrap() {
        roles.extend(skill["roles"]["nodes"].as_array().unwrap());
    }
    assert!(roles.len() > 5 && roles.iter().any(|role| role["all"]["nodes"].as_array().unwrap().len() > 3));
    for role in roles {
        assert_eq!(head(&role["byNameDescending"], "name", 100), head(&role["allNames"], "name", 2), "{role}");
        if role.get("few").is_some() {
            assert_eq!(head(&role["few"], "slug", 100), head(&role["all"], "slug", 1), "{role}");
            assert_eq!(head(&role["more"], "slug", 100), head(&role["all"], "slug", 3), "{role}");
        }
    }
}

crate::on_every_backend!(
    salary_ranges_page_through_every_ordering,
    roles_and_cities_page_through_every_ordering,
    nested_connections_page_each_parent_independently,
    one_nested_field_asked_twice_gives_each_its_own_page,
);
