//! `/healthz` and `/readyz`. (A database that goes away is in `outage.rs`.)
use sea_orm::ConnectionTrait;

use crate::helpers::TestApp;

async fn readyz_is_ready_on_a_migrated_database(app: TestApp) {
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ready");
}

async fn readyz_is_503_with_the_reason_while_migrations_are_pending(app: TestApp) {
    // Forget the newest migration, as a newer binary would find an older database.
    let forget = "DELETE FROM seaql_migrations WHERE version = (SELECT MAX(version) FROM seaql_migrations)";
    app.state.db.conn.execute_unprepared(forget).await.expect("forget a migration");

    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.text().await.unwrap(), "not ready: 1 migration(s) pending");
    assert_eq!(app.get("/healthz").await.status(), 200, "the process itself is still alive");
}

crate::on_every_backend!(
    readyz_is_ready_on_a_migrated_database,
    readyz_is_503_with_the_reason_while_migrations_are_pending
);
