//! Disk over weeks: SQLite's write-ahead log stays bounded under constant reads, imports leave none behind,
//! and `careerql backup` takes a consistent copy of a serving database that opens, migrates and answers.
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use careerql::auth::KeyRole;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, TestProcess, cli, spawn_process_with};

const CREATE_TOOL: &str = "mutation($input: ToolInput!) {
    createTool(input: $input) { tool { slug } userErrors { field message code } }
}";

fn tool(slug: &str) -> Value {
    json!({ "input": { "slug": slug, "name": format!("Tool {slug}"), "category": "API_TOOLING" } })
}

/// The SQLite file behind a `sqlite://FILE?…` URL.
fn sqlite_file(url: &str) -> PathBuf {
    PathBuf::from(url.trim_start_matches("sqlite://").split('?').next().unwrap())
}

fn wal_bytes(database: &std::path::Path) -> u64 {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(0, |metadata| metadata.len())
}

async fn post(process: &TestProcess, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request =
        process.client.post(process.url("/graphql")).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("POST /graphql").json().await.expect("JSON body")
}

/// Readers that never pause (SQLite's own checkpoints then never get to start the log over) while an
/// editor writes: once the writes stop and a checkpoint has run, the log is empty again, readers still
/// reading. Nothing here depends on timing: the test waits for what the server reports.
#[tokio::test]
async fn the_write_ahead_log_stays_bounded_under_constant_reads() {
    let Some(process) = spawn_process_with(Backend::Sqlite, &["--db-wal-checkpoint-interval", "200ms"]).await else {
        return;
    };
    let database = sqlite_file(&process.database_url);
    let conn = sea_orm::Database::connect(&process.database_url).await.expect("open the database");
    let editor = careerql::auth::create_key(&conn, "writer", KeyRole::Editor).await.expect("an editor key");
    conn.close().await.expect("close");
    let process = Arc::new(process);
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (process, done) = (process.clone(), done.clone());
            tokio::spawn(async move {
                let query = "{ salaryRanges(first: 100) { nodes { median city { name } occupation { title } } } }";
                let mut reads = 0u64;
                while !done.load(Ordering::Relaxed) {
                    let answer = post(&process, None, query, Value::Null).await;
                    assert!(answer["errors"].is_null(), "{answer:#}");
                    reads += 1;
                }
                reads
            })
        })
        .collect();

    let mut largest = 0;
    for n in 0..300 {
        let answer = post(&process, Some(&editor), CREATE_TOOL, tool(&format!("wal-{n}"))).await;
        assert!(answer["data"]["createTool"]["tool"].is_object(), "{answer:#}");
        largest = largest.max(wal_bytes(&database));
    }
    let truncated = |metrics: &crate::helpers::Metrics| {
        metrics.value("careerql_db_wal_checkpoints_total", &[("outcome", "truncated")])
    };
    let after_writes = truncated(&process.metrics().await);
    assert!(after_writes > 0.0, "checkpoints ran while the writes did");
    // The next checkpoint finishes under the same reads and leaves the log empty.
    loop {
        let metrics = process.metrics().await;
        if truncated(&metrics) > after_writes {
            assert_eq!(metrics.value("careerql_db_wal_bytes", &[]), 0.0);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(wal_bytes(&database), 0, "the log is empty on disk too");
    done.store(true, Ordering::Relaxed);
    let mut reads = 0;
    for reader in readers {
        reads += reader.await.expect("the readers were answered throughout");
    }
    eprintln!("largest WAL seen during 300 writes under {reads} reads: {largest} bytes; after a checkpoint: 0");
}

/// `careerql import dump` into a SQLite database leaves no write-ahead log behind it.
#[tokio::test]
async fn an_import_leaves_no_write_ahead_log_behind() {
    let Some(app) = crate::helpers::spawn_app(Backend::Sqlite).await else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let dump = dir.path().join("dump.json");
    let path = dump.display().to_string();
    careerql::cli::run(cli(&app.database_url, &["export", "--out", &path])).await.expect("export");
    let copy = format!("sqlite://{}?mode=rwc", dir.path().join("imported.db").display());
    careerql::cli::run(cli(&copy, &["import", "dump", &path])).await.expect("import the dump");
    let imported = sqlite_file(&copy);
    assert!(std::fs::metadata(&imported).expect("the imported database").len() > 100_000);
    assert_eq!(wal_bytes(&imported), 0);
}

/// A backup taken during a burst of mutations holds every mutation answered before it began; the copy
/// opens, migrates and answers. On PostgreSQL the command refuses and says what to use instead.
async fn a_backup_during_writes_holds_every_write_answered_before_it(app: TestApp) {
    let dir = tempfile::tempdir().expect("temp dir");
    let backup = dir.path().join("backup.db");
    let backup_path = backup.display().to_string();
    if app.postgres_database().is_some() {
        let refused = careerql::cli::run(cli(&app.database_url, &["backup", &backup_path])).await.unwrap_err();
        assert!(refused.to_string().contains("pg_dump"), "{refused}");
        assert!(!backup.exists());
        return;
    }
    let editor = app.key(KeyRole::Editor).await;
    let app = Arc::new(app);
    let (answered, mut answers) = tokio::sync::mpsc::unbounded_channel();
    let burst: Vec<_> = (0..4)
        .map(|writer| {
            let (app, editor, answered) = (app.clone(), editor.clone(), answered.clone());
            tokio::spawn(async move {
                for n in 0..40 {
                    let slug = format!("backup-{writer}-{n}");
                    let answer = app.graphql_as(&editor, CREATE_TOOL, tool(&slug)).await;
                    assert!(answer["data"]["createTool"]["tool"].is_object(), "{answer:#}");
                    let _ = answered.send(slug);
                }
            })
        })
        .collect();
    drop(answered);
    let mut before_backup = Vec::new();
    while before_backup.len() < 50 {
        before_backup.push(answers.recv().await.expect("the burst answers"));
    }
    // Every answer received so far came before the backup began.
    while let Ok(slug) = answers.try_recv() {
        before_backup.push(slug);
    }
    careerql::cli::run(cli(&app.database_url, &["backup", &backup_path])).await.expect("back up");
    for writer in burst {
        writer.await.expect("the burst was answered throughout");
    }
    let again = careerql::cli::run(cli(&app.database_url, &["backup", &backup_path])).await.unwrap_err();
    assert!(again.to_string().contains("exists"), "an existing file is never overwritten: {again}");

    // The copy, served as `careerql serve` would (migrations run on open).
    let restored = crate::helpers::serve_sqlite_file(dir, &backup).await;
    let query = "query($slugs: [String!]) { tools(first: 1, filter: { slug: { in: $slugs } }) { totalCount } }";
    let found = restored.graphql_with(query, json!({ "slugs": before_backup })).await;
    assert_eq!(found["data"]["tools"]["totalCount"].as_u64(), Some(before_backup.len() as u64), "{found:#}");
    let burst = r#"{ tools(filter: { slug: { startsWith: "backup-" } }) { totalCount } }"#;
    let copied = restored.data(burst).await["tools"]["totalCount"].as_u64().unwrap();
    assert!(copied <= 160 && app.data(burst).await["tools"]["totalCount"] == 160, "{copied} of the burst's 160");
    // The copy is one moment's: every tool in it has the audit row of its creation, and no more.
    let admin = restored.key(KeyRole::Admin).await;
    let audited = "{ changes(filter: { kind: TOOL }) { totalCount } }";
    let changes = restored.graphql_as(&admin, audited, json!({})).await;
    assert_eq!(changes["data"]["changes"]["totalCount"].as_u64(), Some(copied), "{changes:#}");
}

crate::on_every_backend!(a_backup_during_writes_holds_every_write_answered_before_it);
