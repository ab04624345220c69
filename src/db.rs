//! Connecting to the database: pool settings, SQLite pragmas, migrations, readiness, and metrics for every
//! SQL statement run.
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr, RuntimeErr, Statement, sqlx,
};
use tokio::time::Instant;

use crate::config;
use crate::metrics;

/// The database: the primary, which takes every write and every read that must see one, and any PostgreSQL
/// read replicas, which take read-only queries while they keep up (see [`Db::reader`]). Every pool counts
/// the statements it runs.
#[derive(Clone)]
pub struct Db {
    /// The primary.
    pub conn: DatabaseConnection,
    replicas: Arc<Replicas>,
    statements: Arc<AtomicU64>,
    acquire_timeout: Duration,
    pool_size: u32,
    /// The SQLite primary's file; `None` on PostgreSQL.
    sqlite: Option<Arc<SqliteFile>>,
}

struct Replicas {
    list: Vec<Replica>,
    /// Round-robin position.
    next: AtomicUsize,
}

struct Replica {
    conn: DatabaseConnection,
    /// `host:port/database`: a label for logs and metrics, with no credentials.
    name: String,
    in_rotation: AtomicBool,
}

impl Db {
    pub async fn connect(settings: &config::Database) -> Result<Self, DbErr> {
        let statements = Arc::new(AtomicU64::new(0));
        let conn = open_pool(settings, &settings.url, "primary", &statements, false).await?;
        if !settings.replica_urls.is_empty() && conn.get_database_backend() != DatabaseBackend::Postgres {
            return Err(DbErr::Custom("read replicas need a PostgreSQL primary (--database-url postgres://…)".into()));
        }
        let mut list = Vec::with_capacity(settings.replica_urls.len());
        for url in &settings.replica_urls {
            // Lazily: a replica that is down at start is out of rotation, not a reason to refuse to start.
            let conn = open_pool(settings, url, "replica", &statements, true).await?;
            list.push(Replica { conn, name: replica_name(url), in_rotation: AtomicBool::new(false) });
        }
        let replicas = Arc::new(Replicas { list, next: AtomicUsize::new(0) });
        if !replicas.list.is_empty() {
            let health = ReplicaHealth::new(conn.clone(), settings.replica_max_lag, settings.acquire_timeout);
            tokio::spawn(health.run(Arc::downgrade(&replicas)));
        }
        let sqlite = match conn.get_database_backend() {
            DatabaseBackend::Sqlite => SqliteFile::of(&settings.url).map(Arc::new),
            _ => None,
        };
        if let Some(file) = &sqlite
            && !settings.wal_checkpoint_interval.is_zero()
        {
            tokio::spawn(SqliteFile::checkpoint_every(Arc::downgrade(file), settings.wal_checkpoint_interval));
        }
        let pool_size = settings.max_connections;
        Ok(Self { conn, replicas, statements, acquire_timeout: settings.acquire_timeout, pool_size, sqlite })
    }

    /// The SQLite primary's file, or `None` on PostgreSQL (or an in-memory SQLite database).
    pub fn sqlite(&self) -> Option<&SqliteFile> {
        self.sqlite.as_deref()
    }

    /// The connection a read-only query runs on: the next replica in rotation, or the primary when none is.
    pub fn reader(&self) -> &DatabaseConnection {
        let Replicas { list, next } = self.replicas.as_ref();
        if list.is_empty() {
            return &self.conn;
        }
        let start = next.fetch_add(1, Ordering::Relaxed);
        (0..list.len())
            .map(|offset| &list[(start + offset) % list.len()])
            .find(|replica| replica.in_rotation.load(Ordering::Relaxed))
            .map_or(&self.conn, |replica| &replica.conn)
    }

    /// The most connections each pool opens.
    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }

    /// How many replicas are configured, and how many of them are in rotation now.
    pub fn replicas_in_rotation(&self) -> (usize, usize) {
        let list = &self.replicas.list;
        (list.len(), list.iter().filter(|replica| replica.in_rotation.load(Ordering::Relaxed)).count())
    }

    /// Applies every pending migration; how many there were. `seed::migrate` is what commands call: it also
    /// rebuilds what a migration leaves to be rebuilt.
    pub async fn migrate(&self) -> Result<usize, DbErr> {
        let pending = Migrator::get_pending_migrations(&self.conn).await?.len();
        Migrator::up(&self.conn, None).await?;
        Ok(pending)
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
        if let Some(file) = &self.sqlite {
            metrics::wal_bytes(file.wal_bytes());
        }
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        let replicas = self.replicas.list.iter().map(|replica| &replica.conn);
        for conn in std::iter::once(&self.conn).chain(replicas) {
            match conn.close_by_ref().await {
                Ok(()) => tracing::info!("database pool closed"),
                Err(error) => tracing::warn!(%error, "closing the database pool"),
            }
        }
    }
}

/// Rows SQLite may hand over before the reader takes them: the largest page plus its look-ahead row.
const ROW_BUFFER: usize = 1024;

/// What SQLite cuts its write-ahead log back to when a writer starts it over (`PRAGMA journal_size_limit`),
/// should a checkpoint between ours have let it grow: the log is reused from its start, and without a limit
/// the file keeps the size of its largest burst.
const JOURNAL_SIZE_LIMIT: u64 = 64 * 1024 * 1024;

/// How long a checkpoint waits for a writer to commit and for the readers still in the log to finish, at
/// first and at most. It holds the write lock meanwhile, so writers may wait as long, within their own 5 s
/// busy timeout. One that cannot finish in time is left for the next, which waits twice as long (up to the
/// most), and the wait is back to the first after one that finishes. Readers that overlap for good need
/// about twice the longest read: with reads of a second, two always running, 1 s never finished a
/// checkpoint (the log reached 53 MB in 20 s) and 3 s did; with reads of two seconds, 3 s mostly did not.
pub const CHECKPOINT_WAITS: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(4));

/// The SQLite primary's database file: its write-ahead log kept small, and online copies of it. Both run on
/// a connection of their own, outside the pool, so they neither wait for nor take a request's connection,
/// and the statements they run are not counted as requests'.
pub struct SqliteFile {
    options: SqliteConnectOptions,
    path: PathBuf,
}

/// What a checkpoint did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// Every frame was copied into the database and the log truncated; `false` when a reader or a writer
    /// still held it past the wait (then what could be copied was).
    pub truncated: bool,
    /// The log's size afterwards.
    pub wal_bytes: u64,
}

impl SqliteFile {
    /// The file behind `url`, if it names one that exists.
    fn of(url: &str) -> Option<Self> {
        let options = SqliteConnectOptions::from_str(url).ok()?.create_if_missing(false);
        let path = options.get_filename().to_owned();
        path.is_file().then_some(Self { options, path })
    }

    /// The write-ahead log's size in bytes (0 when there is none).
    pub fn wal_bytes(&self) -> u64 {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        std::fs::metadata(wal).map_or(0, |metadata| metadata.len())
    }

    /// Copies every frame of the write-ahead log into the database and truncates the log
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`), waiting at most `wait` for readers and writers.
    ///
    /// SQLite's own checkpoints (every 1,000 pages) are PASSIVE: they copy what no reader still needs but
    /// never wait, and the log is only started over once no reader is in it, which under constant reads is
    /// never, so it grows without bound (SQLite's docs call this checkpoint starvation). TRUNCATE waits for
    /// the readers in the log to finish while readers that start meanwhile read the database file, so it
    /// finishes however busy the server is; it also leaves no file behind for a plain copy to miss.
    pub async fn checkpoint(&self, wait: Duration) -> Result<Checkpoint, DbErr> {
        use sqlx::{ConnectOptions, Connection};
        let mut conn = self.options.clone().busy_timeout(wait).connect().await.map_err(sqlx_error)?;
        let checkpointed: Result<(i64, i64, i64), _> =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&mut conn).await;
        let _ = conn.close().await;
        let (busy, _, _) = checkpointed.map_err(sqlx_error)?;
        let checkpoint = Checkpoint { truncated: busy == 0, wal_bytes: self.wal_bytes() };
        metrics::wal_checkpoint(checkpoint.truncated, checkpoint.wal_bytes);
        Ok(checkpoint)
    }

    /// Checkpoints every `every` until the database is dropped.
    async fn checkpoint_every(file: Weak<SqliteFile>, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        let (first, most) = CHECKPOINT_WAITS;
        let mut wait = first;
        loop {
            ticks.tick().await;
            let Some(file) = file.upgrade() else { return };
            match file.checkpoint(wait).await {
                Ok(Checkpoint { truncated: true, .. }) => wait = first,
                Ok(Checkpoint { truncated: false, wal_bytes }) => {
                    tracing::info!(wal_bytes, ?wait, "WAL checkpoint left for the next one: the log stayed busy");
                    wait = (wait * 2).min(most);
                }
                Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
            }
        }
    }

    /// Writes a consistent copy of the database, as of one moment, to `to`, a new file, while it keeps
    /// serving (`VACUUM INTO`). Refuses a `to` that exists.
    ///
    /// `VACUUM INTO` rather than SQLite's backup API: it reads the whole database in one read transaction,
    /// which under WAL neither blocks nor is disturbed by writers, so it finishes however busy the server is;
    /// the backup API copies in steps and starts over whenever another connection writes between them (or,
    /// in one step, does the same as this). The copy is also compacted, and sqlx offers no backup API.
    pub async fn backup(&self, to: &Path) -> Result<(), DbErr> {
        use sqlx::{ConnectOptions, Connection};
        if to.exists() {
            return Err(DbErr::Custom(format!("{} exists; name a new file", to.display())));
        }
        let target = to.to_str().ok_or_else(|| DbErr::Custom(format!("{} is not UTF-8", to.display())))?;
        let mut conn = self.options.clone().connect().await.map_err(sqlx_error)?;
        let copied = sqlx::query("VACUUM INTO ?").bind(target).execute(&mut conn).await;
        let _ = conn.close().await;
        copied.map(drop).map_err(sqlx_error)
    }
}

fn sqlx_error(error: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(error)))
}

/// A pool on `url` with the pool settings, counting its statements into `statements` and the metrics
/// under `pool`.
async fn open_pool(
    settings: &config::Database,
    url: &str,
    pool: &'static str,
    statements: &Arc<AtomicU64>,
    lazy: bool,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    let statement_timeout = settings.statement_timeout.as_millis().to_string();
    options
        .sqlx_logging(false)
        .connect_lazy(lazy)
        // Always set: sea-orm gives SQLite a single connection unless told otherwise, which serializes
        // every request; under WAL, readers run in parallel and writers queue on the busy timeout.
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        // sqlx pings a connection on every acquire by default: on SQLite a round trip to the connection's
        // thread per statement, a third of a small query's work. Only a connection left idle can have gone
        // bad unnoticed (a restarted or a firewalled server); one in use reports its failure itself.
        .test_before_acquire_if_idle_for(Duration::from_secs(1))
        // WAL lets readers run while a writer commits; NORMAL sync is durable under WAL except on power loss.
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                // SQLite runs on a thread of its own that hands rows over a channel. At the default 50 rows a
                // page of 1,000 groups stalls that thread once per row, each stall a wake-up round trip.
                .row_buffer_size(ROW_BUFFER)
                .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT.to_string())
        })
        // Sent in the startup packet, so it holds on every connection from its first statement.
        .map_sqlx_postgres_opts(move |opts| opts.options([("statement_timeout", statement_timeout.as_str())]));
    let mut conn = Database::connect(options).await?;
    let counter = statements.clone();
    conn.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::Relaxed);
        let kind = statement_kind(&info.statement.sql);
        metrics::statement(pool, kind, info.elapsed, info.failed);
        crate::telemetry::statement_span(pool, kind, &|| info.statement.sql.clone(), info.elapsed, info.failed);
        tracing::trace!(pool, elapsed = ?info.elapsed, failed = info.failed, sql = %info.statement, "statement");
    });
    Ok(conn)
}

/// `host:port/database` of a PostgreSQL URL.
fn replica_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, rest)| rest);
    rest.split('?').next().unwrap_or_default().to_owned()
}

/// Checks the replicas every `every`: a replica is in rotation while it answers, is a standby, and has
/// replayed what the primary had written no more than `max_lag` ago.
///
/// Lag is measured in time, not bytes: each check reads the primary's WAL position, and a replica's lag is
/// the age of the newest such reading its replay position has reached. An idle primary thus never makes a
/// replica look late, and the measure errs on the late side, by one check interval at most.
struct ReplicaHealth {
    primary: DatabaseConnection,
    max_lag: Duration,
    every: Duration,
    /// No check waits longer than this for an answer.
    patience: Duration,
    /// The primary's WAL positions as read at each check, oldest first, for `max_lag` and a little more.
    primary_positions: std::collections::VecDeque<(Instant, i64)>,
}

impl ReplicaHealth {
    fn new(primary: DatabaseConnection, max_lag: Duration, patience: Duration) -> Self {
        let every = (max_lag / 4).clamp(Duration::from_millis(100), Duration::from_secs(5));
        Self { primary, max_lag, every, patience, primary_positions: Default::default() }
    }

    /// Runs until the replicas are dropped.
    async fn run(mut self, replicas: Weak<Replicas>) {
        let mut ticks = tokio::time::interval(self.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(replicas) = replicas.upgrade() else { return };
            self.check(&replicas).await;
        }
    }

    async fn check(&mut self, replicas: &Replicas) {
        // The primary first: a replica read after it has replayed at least what it had then, or lags.
        let now = Instant::now();
        match self.position(&self.primary, "SELECT (pg_current_wal_lsn() - '0/0')::bigint AS lsn").await {
            Some(lsn) => self.primary_positions.push_back((now, lsn)),
            // Without the primary's position no lag can be measured: keep the replicas as they are.
            None => return tracing::warn!("replica check: cannot read the primary's WAL position"),
        }
        let keep = self.max_lag + self.every * 2;
        while self.primary_positions.len() > 1 && self.primary_positions.front().is_some_and(|(at, _)| now - *at > keep)
        {
            self.primary_positions.pop_front();
        }
        for replica in &replicas.list {
            // NULL when the server is not a standby (say, promoted): then it is no replica of this primary.
            let replayed =
                self.position(&replica.conn, "SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint AS lsn").await;
            let lag = replayed.and_then(|replayed| {
                let (at, _) = self.primary_positions.iter().rev().find(|(_, lsn)| *lsn <= replayed)?;
                Some(now.saturating_duration_since(*at))
            });
            let healthy = lag.is_some_and(|lag| lag <= self.max_lag);
            metrics::replica(&replica.name, healthy, lag);
            if replica.in_rotation.swap(healthy, Ordering::Relaxed) != healthy {
                match (healthy, replayed) {
                    (true, _) => tracing::info!(replica = %replica.name, "replica back in rotation"),
                    (false, None) => {
                        tracing::warn!(replica = %replica.name, "replica out of rotation: not answering as a standby")
                    }
                    (false, Some(_)) => {
                        tracing::warn!(replica = %replica.name, ?lag, "replica out of rotation: lagging")
                    }
                }
            }
        }
    }

    /// A WAL position from `sql`, or `None` if the server does not answer in time or has none.
    async fn position(&self, conn: &DatabaseConnection, sql: &str) -> Option<i64> {
        let statement = Statement::from_string(DatabaseBackend::Postgres, sql);
        let row = tokio::time::timeout(self.patience, conn.query_one_raw(statement)).await.ok()?.ok()??;
        row.try_get::<Option<i64>>("", "lsn").ok()?
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
/// what was asked: no connection could be had, the connection broke, the server is shutting down, or SQLite
/// stayed locked by another connection or process past the busy timeout.
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
                        || error.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some_and(is_sqlite_busy)
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// SQLITE_BUSY or SQLITE_LOCKED (any of their extended codes): the lock was not had within the busy timeout.
fn is_sqlite_busy(error: &sqlx::sqlite::SqliteError) -> bool {
    use sqlx::error::DatabaseError;
    const BUSY: i32 = 5;
    const LOCKED: i32 = 6;
    error.code().and_then(|code| code.parse::<i32>().ok()).is_some_and(|code| matches!(code & 0xff, BUSY | LOCKED))
}

/// Whether `error` is PostgreSQL cancelling a statement (SQLSTATE 57014, `query_canceled`), which is what
/// the statement timeout does.
pub fn is_statement_timeout(error: &DbErr) -> bool {
    match error {
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            matches!(error.as_ref(), sqlx::Error::Database(error) if error.code().as_deref() == Some("57014"))
        }
        _ => false,
    }
}

/// Whether `error` is PostgreSQL refusing a string it cannot hold (SQLSTATE 22021,
/// `character_not_in_repertoire`): text with U+0000, which SQLite stores but PostgreSQL neither stores nor
/// compares. The client's input, not a fault.
pub fn is_unstorable_text(error: &DbErr) -> bool {
    match error {
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            matches!(error.as_ref(), sqlx::Error::Database(error) if error.code().as_deref() == Some("22021"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_are_named_without_credentials() {
        assert_eq!(replica_name("postgres://reader:secret@db-2:5432/careerql?sslmode=require"), "db-2:5432/careerql");
        assert_eq!(replica_name("postgresql://127.0.0.1:5433/careerql"), "127.0.0.1:5433/careerql");
    }

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
