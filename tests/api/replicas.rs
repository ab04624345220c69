//! Read replicas against a real hot standby (`scripts/dev/start-replica.sh`: a second cluster on port 5433,
//! made by `pg_basebackup -R` from the test server): queries read from the replica, a lagging or failed
//! replica leaves rotation and reads go on from the primary, and a replica that catches up comes back.
//!
//! Pausing replay stops the whole standby, so these tests take turns (`STANDBY`), and no other test uses it.
//! Each test's throwaway database is made on the primary and reaches the standby by replication.
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use sea_orm::ConnectionTrait;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{Backend, TestApp, skip, spawn_app};

const STANDBY_ADDR: &str = "127.0.0.1:5433";
const QUERY: &str = r#"{ role(slug: "api-developer") { title } }"#;

/// One test at a time may use the standby.
static STANDBY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Whether the standby is up, made by the script if need be. Where it cannot be had the calling test is
/// skipped (under CI, failed).
fn standby_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    let available = *AVAILABLE.get_or_init(|| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/dev/start-replica.sh");
        std::process::Command::new("bash").arg(script).status().is_ok_and(|s| s.success())
    });
    if !available {
        skip(&format!("no hot standby on {STANDBY_ADDR} (scripts/dev/start-replica.sh could not make one)"));
    }
    available
}

/// A test app on PostgreSQL reading from the replica at `replica_addr` (the standby, or a proxy to it),
/// once it is in rotation.
async fn app_with_replica(replica_addr: &str, max_lag: &str) -> Option<TestApp> {
    if !standby_available() {
        return None;
    }
    let app = spawn_app(Backend::Postgres).await?;
    let (_, name) = app.postgres_database().expect("a PostgreSQL test database");
    let replica_url = format!("postgres://postgres@{replica_addr}/{name}");
    let app = app.reconfigure(&["--database-replica-urls", &replica_url, "--db-replica-max-lag", max_lag]).await;
    wait_for_readiness(&app, "ready (1 of 1 replicas in rotation)").await;
    Some(app)
}

/// Polls `/readyz` until it says `expected`. The bound is a safety net against a hung test, not a timing
/// check.
async fn wait_for_readiness(app: &TestApp, expected: &str) {
    let mut last = String::new();
    for _ in 0..600 {
        last = app.get("/readyz").await.text().await.expect("readyz text");
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("/readyz never said {expected:?}; last: {last:?}");
}

async fn title(app: &TestApp) -> String {
    app.data(QUERY).await["role"]["title"].as_str().expect("a title").to_owned()
}

/// Retitles the role on the primary, behind the API's back.
async fn retitle_on_primary(app: &TestApp, title: &str) {
    let primary = sea_orm::Database::connect(&app.database_url).await.expect("connect to the primary");
    primary
        .execute_unprepared(&format!("UPDATE role SET title = '{title}' WHERE slug = 'api-developer'"))
        .await
        .expect("retitle");
    primary.close().await.expect("close");
}

/// Replay on the standby paused while alive; resumed when dropped, however the test ends.
struct ReplayPaused;

impl ReplayPaused {
    fn start() -> Self {
        standby_sql("SELECT pg_wal_replay_pause()");
        Self
    }
}

impl Drop for ReplayPaused {
    fn drop(&mut self) {
        standby_sql("SELECT pg_wal_replay_resume()");
    }
}

fn standby_sql(sql: &str) {
    let (host, port) = STANDBY_ADDR.split_once(':').unwrap();
    let status = std::process::Command::new("psql")
        .args(["-XAtq", "-h", host, "-p", port, "-U", "postgres", "-d", "postgres", "-c", sql])
        .status();
    assert!(status.is_ok_and(|s| s.success()), "psql on the standby: {sql}");
}

#[tokio::test]
async fn queries_read_from_the_replica() {
    let _turn = STANDBY.lock().await;
    // A max lag far beyond the few steps below, so the replica stays in rotation while replay is paused.
    let Some(app) = app_with_replica(STANDBY_ADDR, "60s").await else { return };
    assert_eq!(title(&app).await, "API Developer");

    let paused = ReplayPaused::start();
    retitle_on_primary(&app, "Retitled On The Primary").await;
    // The replica has not replayed the change: the answer comes from it, not from the primary.
    assert_eq!(title(&app).await, "API Developer");
    drop(paused);

    let mut seen = String::new();
    for _ in 0..600 {
        seen = title(&app).await;
        if seen == "Retitled On The Primary" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, "Retitled On The Primary", "the replica replays the primary's write");
    let metrics = app.metrics().await;
    let (_, name) = app.postgres_database().unwrap();
    let replica = format!("{STANDBY_ADDR}/{name}");
    assert_eq!(metrics.value("careerql_db_replica_in_rotation", &[("replica", &replica)]), 1.0, "{}", metrics.0);
    assert!(metrics.value("careerql_db_statements_total", &[("pool", "replica"), ("kind", "select")]) > 0.0);
}

#[tokio::test]
async fn a_lagging_replica_leaves_rotation_until_it_catches_up() {
    let _turn = STANDBY.lock().await;
    let Some(app) = app_with_replica(STANDBY_ADDR, "1s").await else { return };

    let paused = ReplayPaused::start();
    retitle_on_primary(&app, "Written While The Replica Lags").await;
    wait_for_readiness(&app, "ready (0 of 1 replicas in rotation)").await;
    // Out of rotation, the replica serves nothing: reads come from the primary and see the write.
    assert_eq!(title(&app).await, "Written While The Replica Lags");
    let (_, name) = app.postgres_database().unwrap();
    let replica = format!("{STANDBY_ADDR}/{name}");
    assert_eq!(app.metrics().await.value("careerql_db_replica_in_rotation", &[("replica", &replica)]), 0.0);

    drop(paused);
    wait_for_readiness(&app, "ready (1 of 1 replicas in rotation)").await;
    assert_eq!(title(&app).await, "Written While The Replica Lags");
}

/// A TCP relay to the standby that can be cut, as a network failure or a crashed replica would.
struct Relay {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(to: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a relay port");
        let addr = listener.local_addr().expect("relay address");
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self { addr, task }
    }

    /// Stops listening and drops every relayed connection.
    fn cut(&self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn a_failed_replica_leaves_rotation_and_reads_go_on_from_the_primary() {
    let _turn = STANDBY.lock().await;
    if !standby_available() {
        return;
    }
    let relay = Relay::start(STANDBY_ADDR).await;
    let Some(app) = app_with_replica(&relay.addr.to_string(), "5s").await else { return };
    assert_eq!(title(&app).await, "API Developer");

    relay.cut();
    wait_for_readiness(&app, "ready (0 of 1 replicas in rotation)").await;
    for _ in 0..5 {
        assert_eq!(title(&app).await, "API Developer");
    }
}

#[tokio::test]
async fn replicas_are_postgres_behind_a_postgres_primary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("careerql.db").display());
    let args = ["careerql", "--database-url", &sqlite, "--database-replica-urls", "sqlite://other.db"];
    assert!(careerql::cli::parse_from(args).is_err(), "a replica URL must be PostgreSQL");
    let cli = crate::helpers::cli(&sqlite, &["--database-replica-urls", "postgres://postgres@127.0.0.1:5433/x"]);
    let refused = careerql::db::Db::connect(&cli.config.database).await.err().expect("a SQLite primary is refused");
    assert!(refused.to_string().contains("need a PostgreSQL primary"), "{refused}");
}
