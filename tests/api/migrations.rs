//! Migrations both ways: every migration runs up, down and up again, and a database made by the oldest
//! migration, with data in it, migrates to the newest losing nothing.
use std::collections::BTreeMap;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::helpers::TestApp;

/// Every table but the migrations' own (and SQLite's FTS5 shadow tables), by name.
async fn tables(conn: &DatabaseConnection) -> Vec<String> {
    let sql = match conn.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'search_index_%' ORDER BY name"
        }
        _ => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    };
    let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|row| row.try_get_by_index::<String>(0).unwrap()).filter(|t| t != "seaql_migrations").collect()
}

async fn columns(conn: &DatabaseConnection, table: &str) -> Vec<String> {
    let sql = match conn.get_database_backend() {
        DbBackend::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        _ => format!(
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
        ),
    };
    let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|row| row.try_get_by_index::<String>(0).unwrap()).collect()
}

/// Every row of every table, each as the text of the `columns` given (a table's columns when the map is
/// made), sorted: what "losing nothing" compares.
async fn contents(conn: &DatabaseConnection, of: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<String>> {
    let mut contents = BTreeMap::new();
    for (table, columns) in of {
        let row = columns
            .iter()
            .map(|column| format!("COALESCE(CAST(\"{column}\" AS TEXT), '<null>')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!("SELECT {row} FROM \"{table}\"");
        let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
        let mut rows: Vec<String> = rows.iter().map(|row| row.try_get_by_index::<String>(0).unwrap()).collect();
        rows.sort();
        contents.insert(table.clone(), rows);
    }
    contents
}

/// One connection of its own to the app's database: every step then sees the one before it.
async fn connection(app: &TestApp) -> DatabaseConnection {
    let options = sea_orm::ConnectOptions::new(&app.database_url).max_connections(1).to_owned();
    sea_orm::Database::connect(options).await.expect("connect")
}

async fn every_migration_runs_up_down_and_up_again(app: TestApp) {
    let conn = &connection(&app).await;
    let count = Migrator::migrations().len() as u32;
    Migrator::down(conn, None).await.expect("every migration down from the newest");
    assert_eq!(tables(conn).await, Vec::<String>::new(), "down to nothing leaves no table");
    for _ in 0..count {
        Migrator::up(conn, Some(1)).await.expect("up");
        Migrator::down(conn, Some(1)).await.expect("down");
        Migrator::up(conn, Some(1)).await.expect("up again");
    }
    assert!(Migrator::get_pending_migrations(conn).await.unwrap().is_empty());
    careerql::seed::apply(conn).await.expect("the seed loads into the migrated schema");
    let roles = app.data("{ roles(first: 1) { totalCount } }").await["roles"]["totalCount"].as_u64().unwrap();
    assert!(roles > 0);
    let found = app.data(r#"{ search(text: "rust") { __typename } }"#).await;
    assert!(!found["search"].as_array().unwrap().is_empty(), "search finds the seed: {found}");
}

async fn a_database_from_the_oldest_migration_migrates_losing_nothing(app: TestApp) {
    let conn = &connection(&app).await;
    let count = Migrator::migrations().len() as u32;
    // The seeded database, taken down to the oldest migration's schema: its tables, with their rows.
    let roles_before = app.data("{ roles(first: 1) { totalCount } }").await["roles"]["totalCount"].clone();
    Migrator::down(conn, Some(count - 1)).await.expect("down to the oldest migration");
    assert_eq!(Migrator::get_applied_migrations(conn).await.unwrap().len(), 1);
    let mut oldest = BTreeMap::new();
    for table in tables(conn).await {
        let columns = columns(conn, &table).await;
        oldest.insert(table, columns);
    }
    let before = contents(conn, &oldest).await;
    let rows: usize = before.values().map(Vec::len).sum();
    assert!(rows > 300, "the oldest schema holds the seed: {rows} rows");

    // What `careerql migrate` (and serving) does.
    careerql::seed::migrate(&app.state.db).await.expect("migrate to the newest");
    assert_eq!(contents(conn, &oldest).await, before, "every row of the oldest schema is still there, as it was");
    assert_eq!(app.data("{ roles(first: 1) { totalCount } }").await["roles"]["totalCount"], roles_before);
    let found = app.data(r#"{ search(text: "rust") { __typename } }"#).await;
    assert!(!found["search"].as_array().unwrap().is_empty(), "search finds what was there: {found}");
}

crate::on_every_backend!(
    every_migration_runs_up_down_and_up_again,
    a_database_from_the_oldest_migration_migrates_losing_nothing
);
