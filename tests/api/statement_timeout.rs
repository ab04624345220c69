//! `--db-statement-timeout` on PostgreSQL: the server cancels a statement that runs past it, and the client
//! gets `TIMEOUT` with no SQL in it. (SQLite has no statement timeout.)
use sea_orm::ConnectionTrait;

use crate::helpers::{Backend, error_code, spawn_app};

const AGGREGATE: &str = "{ salaryStats(groupBy: [AREA_KIND]) { nodes { areaKind count employment mean } } }";

#[tokio::test]
async fn a_statement_past_the_timeout_is_cancelled_with_timeout() {
    let Some(app) = spawn_app(Backend::Postgres).await else { return };
    // Copies of the seed's ranges under other reference periods: about 100,000 rows, which no machine
    // aggregates within a millisecond.
    let columns = "occupation_id, city_id, role_id, period, currency, p10_cents, p25_cents, median_cents, \
                   p75_cents, p90_cents, mean_cents, low_cents, high_cents, top_coded, employment, \
                   location_quotient, jobs_per_1000, source, reference_period, year";
    let copies = columns.replace("reference_period", "reference_period || ' copy ' || copy");
    let db = sea_orm::Database::connect(&app.database_url).await.expect("connect");
    db.execute_unprepared(&format!(
        "INSERT INTO salary_range ({columns}) SELECT {copies} FROM salary_range, generate_series(1, 550) AS copy"
    ))
    .await
    .expect("copy ranges");
    db.close().await.expect("close");
    assert!(app.data(AGGREGATE).await["salaryStats"]["nodes"].as_array().is_some_and(|nodes| !nodes.is_empty()));

    let app = app.serve_database(&["--db-statement-timeout", "1ms"]).await;
    let response = app.graphql(AGGREGATE).await;
    assert_eq!(error_code(&response), "TIMEOUT", "{response:#}");
    let text = response.to_string().to_lowercase();
    for leak in ["select", "statement timeout", "salary_range", "postgres"] {
        assert!(!text.contains(leak), "{leak:?} leaked: {response:#}");
    }
}
