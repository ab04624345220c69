//! The benchmark's baselines: what axum alone, and axum with hand-written SQL and serde, can do on this
//! machine. `scripts/bench/bench.sh` runs it beside careerql and reports careerql's numbers as ratios of these.
//!
//! Routes (all answer the same JSON careerql's `data` would hold for the matching benchmark operation):
//! - `GET /raw`: a fixed body, the HTTP limit;
//! - `POST /graphql`: stock async-graphql-axum on a one-field schema, no middleware: what the GraphQL stack
//!   itself costs a request such as `{ __typename }`, for comparison with careerql's;
//! - `GET /role?slug=…`: one role with its skills and tools;
//! - `GET /roles`: the first 100 roles by title with skills, tools and their first 100 salary ranges with cities;
//! - `GET /stats/cities?role=…`: one role's annual ranges grouped by area (count, employment, employment-weighted
//!   mean, lowest and highest median), by area name;
//! - `GET /stats/states`: every annual range grouped by state, the same figures.
use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
// The interpolated SQL below holds only integer ids read from the database.
use sea_orm::sqlx::{AssertSqlSafe, Row, SqlitePool};
use serde_json::{Value, json};

type Result<T> = std::result::Result<T, String>;

fn error(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The stock GraphQL server's schema: one field, so that `{ __typename }` costs async-graphql alone.
struct Stock;

#[async_graphql::Object]
impl Stock {
    async fn hello(&self) -> &'static str {
        "world"
    }
}

async fn raw() -> Json<Value> {
    Json(json!({ "data": { "__typename": "Query" } }))
}

/// `role_id` → the role's skills, in rank order.
async fn skills(pool: &SqlitePool, roles: &str) -> Result<HashMap<i64, Vec<Value>>> {
    let sql = format!(
        "SELECT rs.role_id, rs.rank, s.name, s.category FROM role_skill rs JOIN skill s ON s.id = rs.skill_id
         WHERE rs.role_id IN ({roles}) ORDER BY rs.role_id, rs.rank, s.id"
    );
    let mut found: HashMap<i64, Vec<Value>> = HashMap::new();
    for row in sea_orm::sqlx::query(AssertSqlSafe(sql)).fetch_all(pool).await.map_err(error)? {
        let edge = json!({ "rank": row.get::<i64, _>("rank"), "node": { "name": row.get::<String, _>("name"), "category": row.get::<String, _>("category") } });
        found.entry(row.get("role_id")).or_default().push(edge);
    }
    Ok(found)
}

/// `role_id` → the role's tools, by name.
async fn tools(pool: &SqlitePool, roles: &str) -> Result<HashMap<i64, Vec<Value>>> {
    let sql = format!(
        "SELECT rt.role_id, rt.hot_technology, rt.in_demand, t.name, t.category FROM role_tool rt JOIN tool t ON t.id = rt.tool_id
         WHERE rt.role_id IN ({roles}) ORDER BY rt.role_id, t.name, t.id"
    );
    let mut found: HashMap<i64, Vec<Value>> = HashMap::new();
    for row in sea_orm::sqlx::query(AssertSqlSafe(sql)).fetch_all(pool).await.map_err(error)? {
        let edge = json!({
            "hotTechnology": row.get::<Option<bool>, _>("hot_technology"),
            "inDemand": row.get::<Option<bool>, _>("in_demand"),
            "node": { "name": row.get::<String, _>("name"), "category": row.get::<String, _>("category") },
        });
        found.entry(row.get("role_id")).or_default().push(edge);
    }
    Ok(found)
}

async fn role(State(pool): State<SqlitePool>, Query(args): Query<HashMap<String, String>>) -> Result<Json<Value>> {
    let slug = args.get("slug").cloned().unwrap_or_default();
    let row = sea_orm::sqlx::query("SELECT id, slug, title FROM role WHERE slug = ?")
        .bind(&slug)
        .fetch_optional(&pool)
        .await
        .map_err(error)?;
    let Some(row) = row else { return Ok(Json(json!({ "data": { "role": null } }))) };
    let id: i64 = row.get("id");
    let ids = id.to_string();
    let (mut skills, mut tools) = (skills(&pool, &ids).await?, tools(&pool, &ids).await?);
    Ok(Json(json!({ "data": { "role": {
        "slug": row.get::<String, _>("slug"),
        "title": row.get::<String, _>("title"),
        "skills": { "edges": skills.remove(&id).unwrap_or_default() },
        "tools": { "edges": tools.remove(&id).unwrap_or_default() },
    } } })))
}

async fn roles(State(pool): State<SqlitePool>) -> Result<Json<Value>> {
    let rows = sea_orm::sqlx::query("SELECT id, slug, title, occupation_id FROM role ORDER BY title, id LIMIT 100")
        .fetch_all(&pool)
        .await
        .map_err(error)?;
    let ids: Vec<String> = rows.iter().map(|r| r.get::<i64, _>("id").to_string()).collect();
    let ids = ids.join(",");
    let (mut skills, mut tools) = (skills(&pool, &ids).await?, tools(&pool, &ids).await?);
    let ranges_sql = format!(
        "SELECT * FROM (
           SELECT r.id AS role_id, sr.period, sr.median_cents, sr.p10_cents, sr.p90_cents, c.name, c.state,
                  ROW_NUMBER() OVER (PARTITION BY r.id ORDER BY sr.id) AS rn
           FROM role r JOIN salary_range sr ON sr.occupation_id = r.occupation_id AND (sr.role_id IS NULL OR sr.role_id = r.id)
           JOIN city c ON c.id = sr.city_id
           WHERE r.id IN ({ids})
         ) WHERE rn <= 100 ORDER BY role_id, rn"
    );
    let units = |cents: Option<i64>| cents.map(|c| c as f64 / 100.0);
    let mut ranges: HashMap<i64, Vec<Value>> = HashMap::new();
    for row in sea_orm::sqlx::query(AssertSqlSafe(ranges_sql)).fetch_all(&pool).await.map_err(error)? {
        ranges.entry(row.get("role_id")).or_default().push(json!({
            "period": row.get::<String, _>("period"),
            "median": units(row.get("median_cents")),
            "p10": units(row.get("p10_cents")),
            "p90": units(row.get("p90_cents")),
            "city": { "name": row.get::<String, _>("name"), "state": row.get::<Option<String>, _>("state") },
        }));
    }
    let nodes: Vec<Value> = rows
        .iter()
        .map(|row| {
            let id: i64 = row.get("id");
            json!({
                "slug": row.get::<String, _>("slug"),
                "title": row.get::<String, _>("title"),
                "skills": { "edges": skills.remove(&id).unwrap_or_default() },
                "tools": { "edges": tools.remove(&id).unwrap_or_default() },
                "salaryRanges": { "nodes": ranges.remove(&id).unwrap_or_default() },
            })
        })
        .collect();
    Ok(Json(json!({ "data": { "roles": { "nodes": nodes } } })))
}

/// The figures both statistics routes report per group, as SQL over `salary_range` rows.
const GROUP_FIGURES: &str = "COUNT(*) AS n, SUM(sr.employment) AS employment,
    CAST(SUM(sr.mean_cents * sr.employment) AS REAL) / SUM(CASE WHEN sr.mean_cents IS NOT NULL THEN sr.employment END) AS mean_cents,
    MIN(sr.median_cents) AS median_min, MAX(sr.median_cents) AS median_max";

fn group_figures(row: &sea_orm::sqlx::sqlite::SqliteRow) -> Value {
    let units = |cents: Option<f64>| cents.map(|c| c / 100.0);
    json!({
        "count": row.get::<i64, _>("n"),
        "employment": row.get::<Option<i64>, _>("employment"),
        "mean": units(row.get("mean_cents")),
        "spread": { "median": {
            "min": units(row.get::<Option<i64>, _>("median_min").map(|c| c as f64)),
            "max": units(row.get::<Option<i64>, _>("median_max").map(|c| c as f64)),
        } },
    })
}

async fn stats_by_city(
    State(pool): State<SqlitePool>,
    Query(args): Query<HashMap<String, String>>,
) -> Result<Json<Value>> {
    let slug = args.get("role").cloned().unwrap_or_default();
    let sql = format!(
        "SELECT c.name, {GROUP_FIGURES} FROM salary_range sr JOIN city c ON c.id = sr.city_id
         JOIN role r ON r.occupation_id = sr.occupation_id AND (sr.role_id IS NULL OR sr.role_id = r.id)
         WHERE r.slug = ? AND sr.period = 'ANNUAL' GROUP BY sr.city_id ORDER BY MIN(c.name), sr.city_id"
    );
    let rows = sea_orm::sqlx::query(AssertSqlSafe(sql)).bind(slug).fetch_all(&pool).await.map_err(error)?;
    let nodes: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut group = group_figures(row);
            group["city"] = json!({ "name": row.get::<String, _>("name") });
            group
        })
        .collect();
    Ok(Json(json!({ "data": { "salaryStats": { "nodes": nodes } } })))
}

async fn stats_by_state(State(pool): State<SqlitePool>) -> Result<Json<Value>> {
    let sql = format!(
        "SELECT c.state, {GROUP_FIGURES} FROM salary_range sr JOIN city c ON c.id = sr.city_id
         WHERE sr.period = 'ANNUAL' GROUP BY c.state ORDER BY c.state"
    );
    let rows = sea_orm::sqlx::query(AssertSqlSafe(sql)).fetch_all(&pool).await.map_err(error)?;
    let nodes: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut group = group_figures(row);
            group["state"] = json!(row.get::<Option<String>, _>("state"));
            group
        })
        .collect();
    Ok(Json(json!({ "data": { "salaryStats": { "nodes": nodes } } })))
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(database), Some(addr)) = (args.next(), args.next()) else {
        return Err("usage: baseline SQLITE_FILE ADDR".into());
    };
    let options = SqliteConnectOptions::new().filename(database).read_only(true).journal_mode(SqliteJournalMode::Wal);
    let pool = SqlitePoolOptions::new().connect_with(options).await?;
    let stock = async_graphql::Schema::new(Stock, async_graphql::EmptyMutation, async_graphql::EmptySubscription);
    let app = Router::new()
        .route("/raw", get(raw))
        .route_service("/graphql", async_graphql_axum::GraphQL::new(stock))
        .route("/role", get(role))
        .route("/roles", get(roles))
        .route("/stats/cities", get(stats_by_city))
        .route("/stats/states", get(stats_by_state))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
