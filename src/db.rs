//! Connecting to the database: SQLite pragmas, migrations, and a count of every SQL statement run.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Connections in the pool: enough for both cores to keep SQLite busy while others wait on I/O.
const POOL_SIZE: u32 = 16;

/// The database connection pool, with a running count of the statements it has executed.
#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    statements: Arc<AtomicU64>,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(url);
        options
            // sea-orm gives SQLite a single connection unless told otherwise, which serializes every request;
            // under WAL, readers run in parallel and writers queue on the busy timeout.
            .max_connections(POOL_SIZE)
            .sqlx_logging(false)
            .acquire_timeout(Duration::from_secs(5))
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
            tracing::trace!(elapsed = ?info.elapsed, failed = info.failed, sql = %info.statement, "statement");
        });
        Ok(Self { conn, statements })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    /// How many SQL statements this pool has executed since it was opened.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}
