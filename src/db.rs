//! Connecting to the database: pool settings, SQLite pragmas, migrations, readiness, and metrics for every
//! SQL statement run.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DbErr, RuntimeErr, sqlx};

use crate::config;
use crate::metrics;

/// The database connection pool, with a running count of the statements it has executed.
#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    statements: Arc<AtomicU64>,
    acquire_timeout: Duration,
}

impl Db {
    pub async fn connect(settings: &config::Database) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(&settings.url);
        options
            .sqlx_logging(false)
            // Always set: sea-orm gives SQLite a single connection unless told otherwise, which serializes
            // every request; under WAL, readers run in parallel and writers queue on the busy timeout.
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            // WAL lets readers run while a writer commits; NORMAL sync is durable under WAL except on power loss.
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            });
        let mut conn = Database::connect(options).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        conn.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::Relaxed);
            metrics::statement(statement_kind(&info.statement.sql), info.elapsed, info.failed);
            tracing::trace!(elapsed = ?info.elapsed, failed = info.failed, sql = %info.statement, "statement");
        });
        Ok(Self { conn, statements, acquire_timeout: settings.acquire_timeout })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    /// How many SQL statements this pool has executed since it was opened.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Whether the database answers and has every migration applied. Bounded in time, so a probe never
    /// hangs on a database that swallows packets.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        let check = async {
            self.conn.ping().await.map_err(|error| {
                tracing::warn!(%error, "not ready: database unreachable");
                NotReady::Unreachable
            })?;
            let pending = Migrator::get_pending_migrations_read_only(&self.conn).await.map_err(|error| {
                tracing::warn!(%error, "not ready: cannot read the applied migrations");
                NotReady::MigrationsUnknown
            })?;
            match pending.len() {
                0 => Ok(()),
                count => Err(NotReady::PendingMigrations(count)),
            }
        };
        tokio::time::timeout(self.acquire_timeout * 2, check).await.unwrap_or(Err(NotReady::Unreachable))
    }

    /// Sets the pool gauges; called when metrics are scraped, which is when they are read.
    pub fn record_pool_metrics(&self) {
        let (size, idle) = match self.conn.get_database_backend() {
            DatabaseBackend::Postgres => pool_usage(self.conn.get_postgres_connection_pool()),
            DatabaseBackend::Sqlite => pool_usage(self.conn.get_sqlite_connection_pool()),
            _ => return,
        };
        metrics::pool(size.saturating_sub(idle), idle);
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match self.conn.close_by_ref().await {
            Ok(()) => tracing::info!("database pool closed"),
            Err(error) => tracing::warn!(%error, "closing the database pool"),
        }
    }
}

fn pool_usage<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> (usize, usize) {
    (pool.size() as usize, pool.num_idle())
}

/// Why `/readyz` says no; the text is what it answers, so it names no host, table or SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    #[error("database unreachable")]
    Unreachable,
    #[error("cannot read the applied migrations")]
    MigrationsUnknown,
    #[error("{0} migration(s) pending")]
    PendingMigrations(usize),
}

/// `select`, `insert`, `update`, `delete` or `other`: the statement's first keyword, a bounded label.
fn statement_kind(sql: &str) -> &'static str {
    let word = sql.trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or_default();
    ["select", "insert", "update", "delete"].into_iter().find(|kind| word.eq_ignore_ascii_case(kind)).unwrap_or("other")
}

/// Whether `error` means the database cannot be reached (so retrying later can work) rather than a fault in
/// what was asked: no connection could be had, the connection broke, or the server is shutting down.
pub fn is_unavailable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            match error.as_ref() {
                sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                // PostgreSQL's classes 08 (connection exception) and 57P (admin or crash shutdown, cannot
                // connect now).
                sqlx::Error::Database(error) => {
                    error.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P"))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_labelled_by_their_first_keyword() {
        assert_eq!(statement_kind(r#"SELECT "role"."id" FROM "role""#), "select");
        assert_eq!(statement_kind("  insert into x values (1)"), "insert");
        assert_eq!(statement_kind("UPDATE x SET a = 1"), "update");
        assert_eq!(statement_kind("DELETE FROM x"), "delete");
        assert_eq!(statement_kind("WITH t AS (SELECT 1) SELECT * FROM t"), "other");
        assert_eq!(statement_kind(""), "other");
    }
}
