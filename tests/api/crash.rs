//! Crashes mid-write: SIGKILL in the middle of a full OEWS import and of 100 concurrent mutations, then a
//! restart. The database must hold exactly the state before the import or after it, every committed
//! mutation exactly one audit row (and no audit row its change), nothing else changed, and the server must
//! start and answer.
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use careerql::auth::KeyRole;
use entity::{change, skill, tool};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestProcess, shared_data};

crate::on_every_backend!(
    spawn = crate::helpers::spawn_process;
    sigkill_mid_import_leaves_the_state_before_or_after_it,
    sigkill_during_100_concurrent_mutations_keeps_each_whole,
);

/// Every row of every table, as text, by table. SQLite's own tables (`sqlite_stat1`, which `ANALYZE` after
/// an import rewrites, and `sqlite_sequence`) are left out: they are statistics and counters, not data.
async fn rows(db: &DatabaseConnection) -> BTreeMap<String, Vec<String>> {
    let backend = db.get_database_backend();
    let tables_sql = match backend {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        _ => {
            "SELECT table_name AS name FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, tables_sql))
        .await
        .expect("list tables")
        .iter()
        .map(|row| row.try_get("", "name").expect("table name"))
        .collect();
    let mut all = BTreeMap::new();
    for table in tables {
        let sql = match backend {
            DbBackend::Sqlite => {
                let columns = db
                    .query_all_raw(Statement::from_string(backend, format!("PRAGMA table_info(\"{table}\")")))
                    .await
                    .expect("table columns");
                let columns: Vec<String> = columns
                    .iter()
                    .map(|c| format!("quote(\"{}\")", c.try_get::<String>("", "name").expect("column name")))
                    .collect();
                format!("SELECT {} AS r FROM \"{table}\"", columns.join(" || '|' || "))
            }
            _ => format!("SELECT t::text AS r FROM \"{table}\" t"),
        };
        let mut texts: Vec<String> = db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap_or_else(|error| panic!("read {table}: {error}"))
            .iter()
            .map(|row| row.try_get("", "r").expect("row text"))
            .collect();
        texts.sort_unstable();
        all.insert(table, texts);
    }
    all
}

/// Per table: its row count and a hash of its rows, so two states compare in one line each.
async fn fingerprint(db: &DatabaseConnection) -> BTreeMap<String, (usize, String)> {
    use sha2::Digest;
    rows(db)
        .await
        .into_iter()
        .map(|(table, texts)| {
            let mut hash = sha2::Sha256::new();
            for text in &texts {
                hash.update(text.as_bytes());
                hash.update([0]);
            }
            let digest: String = hash.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
            (table, (texts.len(), digest))
        })
        .collect()
}

async fn connect(url: &str) -> DatabaseConnection {
    sea_orm::Database::connect(url).await.expect("connect to the test database")
}

/// How far a process has read `file`, from `/proc`: the offset of the descriptor it has open on it.
fn read_position(pid: u32, file: &Path) -> Option<u64> {
    let file = std::fs::canonicalize(file).ok()?;
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.flatten() {
        if std::fs::read_link(fd.path()).ok().as_deref() == Some(file.as_path()) {
            let info = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{}", fd.file_name().to_str()?)).ok()?;
            return info.lines().find_map(|line| line.strip_prefix("pos:")).and_then(|pos| pos.trim().parse().ok());
        }
    }
    None
}

/// Bytes written so far that only an uncommitted transaction can hold: SQLite's write-ahead log, or the
/// size of PostgreSQL's `salary_range` table (uncommitted tuples take room too).
async fn written(db: &DatabaseConnection, url: &str) -> u64 {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let path = url.trim_start_matches("sqlite://").split('?').next().unwrap_or_default();
            std::fs::metadata(format!("{path}-wal")).map(|m| m.len()).unwrap_or(0)
        }
        backend => {
            let sql = "SELECT pg_total_relation_size('salary_range') AS n";
            let row = db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().unwrap();
            row.try_get::<i64>("", "n").unwrap() as u64
        }
    }
}

/// `careerql import oews FILE` against the test's database, as an operator runs it.
fn start_import(url: &str, file: &Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_careerql"))
        .args(["--database-url", url, "import", "oews"])
        .arg(file)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start careerql import")
}

/// Runs an import of `file` and SIGKILLs it (and the server beside it) once it has read `fraction` of the
/// file and written to the database; returns the restarted server. Panics if the import ends first.
async fn kill_import_midway(server: TestProcess, db: &DatabaseConnection, file: &Path, fraction: f64) -> TestProcess {
    let size = std::fs::metadata(file).unwrap().len();
    let written_before = written(db, &server.database_url).await;
    let started = Instant::now();
    let mut import = start_import(&server.database_url, file);
    loop {
        if let Some(status) = import.try_wait().unwrap() {
            panic!("the import ended ({status}) before {fraction} of it was read: make the kill point earlier");
        }
        let read = read_position(import.id(), file).unwrap_or(0);
        let grown = written(db, &server.database_url).await.saturating_sub(written_before);
        if read as f64 >= fraction * size as f64 && grown > 0 {
            import.kill().unwrap();
            let mut server = server;
            server.kill();
            let status = import.wait().unwrap();
            assert!(!status.success());
            eprintln!(
                "killed the import after {:.1?}, {:.0}% of the file read, {} MB written",
                started.elapsed(),
                100.0 * read as f64 / size as f64,
                grown / 1_000_000
            );
            return server.restart(&[]).await;
        }
        // A safety net against a hung import, not a timing check: a loaded machine may be slow.
        assert!(started.elapsed() < Duration::from_secs(900), "the import made no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The server is up and serving: ready, and answering a query.
async fn answers(server: &TestProcess) -> Value {
    let ready = server.client.get(server.url("/readyz")).send().await.expect("GET /readyz");
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap_or_default());
    let query = json!({ "query": "{ salaryRanges(first: 1) { totalCount } cities(first: 1) { totalCount } }" });
    let response = server.client.post(server.url("/graphql")).json(&query).send().await.expect("POST /graphql");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

/// The first `lines` lines of the OEWS file with every published employment figure one higher, so that
/// importing the whole file after it updates those ranges (rather than inserting them). Plain CSV, named
/// so that the importer finds "May 2025".
fn bumped_slice(source: &Path, dir: &Path, lines: usize) -> PathBuf {
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(source).unwrap()));
    let path = dir.join("oews_may2025_slice.csv");
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers().unwrap().clone();
    let column = headers.iter().position(|h| h == "TOT_EMP").unwrap();
    let mut writer = csv::Writer::from_writer(std::fs::File::create(&path).unwrap());
    writer.write_record(&headers).unwrap();
    for record in csv.records().take(lines) {
        let record = record.unwrap();
        let fields = record.iter().enumerate().map(|(i, field)| match field.parse::<u64>() {
            Ok(n) if i == column => (n + 1).to_string(),
            _ => field.to_owned(),
        });
        writer.write_record(fields).unwrap();
    }
    writer.flush().unwrap();
    path
}

/// Reads from the server while an import runs, and fails if any answer shows a state that is neither the
/// one before nor the one after (it may see only `before` here: the import is killed before its commit).
fn watch_totals(server: &TestProcess, before: Value) -> tokio::task::JoinHandle<usize> {
    let (client, url) = (server.client.clone(), server.url("/graphql"));
    tokio::spawn(async move {
        let query = json!({ "query": "{ salaryRanges(first: 1) { totalCount } cities(first: 1) { totalCount } }" });
        let mut seen = 0;
        // Until the server is killed under it.
        while let Ok(response) = client.post(&url).json(&query).send().await {
            let Ok(body) = response.json::<Value>().await else { break };
            assert_eq!(body["data"], before, "a reader saw a half-done import");
            seen += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        seen
    })
}

async fn sigkill_mid_import_leaves_the_state_before_or_after_it(server: TestProcess) {
    let Some(source) = shared_data("oews/oews_may2025_all_areas.csv.gz") else { return };
    let db = connect(&server.database_url).await;
    let seeded = fingerprint(&db).await;
    let seeded_totals = answers(&server).await;

    // The full file, killed a fifth of the way through: the seeded database, exactly.
    let readers = watch_totals(&server, seeded_totals.clone());
    let server = kill_import_midway(server, &db, &source, 0.2).await;
    assert!(readers.await.unwrap() > 0, "the reader ran during the import");
    assert_eq!(answers(&server).await, seeded_totals);
    assert_eq!(fingerprint(&db).await, seeded, "a killed import left rows behind");

    // A slice of the file, imported to the end: the state after it.
    let dir = tempfile::tempdir().unwrap();
    let slice = bumped_slice(&source, dir.path(), 20_000);
    let output = start_import(&server.database_url, &slice).wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let imported = fingerprint(&db).await;
    let imported_totals = answers(&server).await;
    assert!(imported_totals["salaryRanges"]["totalCount"].as_i64() > Some(30_000), "{imported_totals}");

    // The full file again, which updates the slice's ranges and inserts the rest, killed 60% of the way
    // through (its transaction large): still the state after the slice, exactly, its updates rolled back as
    // well as its inserts.
    let readers = watch_totals(&server, imported_totals.clone());
    let server = kill_import_midway(server, &db, &source, 0.6).await;
    readers.await.unwrap();
    assert_eq!(answers(&server).await, imported_totals);
    assert_eq!(fingerprint(&db).await, imported, "a killed import left changes behind");
}

/// One of the burst's mutations, and what it changes if it commits.
#[derive(Debug, Clone)]
enum Planned {
    CreateTool { slug: String, name: String },
    UpdateTool { slug: String, name: String, version: i32 },
    CreateSkill { slug: String, name: String },
    UpdateSkill { slug: String, name: String, version: i32 },
}

impl Planned {
    fn request(&self) -> Value {
        match self {
            Planned::CreateTool { slug, name } => json!({
                "query": "mutation($input: ToolInput!) { createTool(input: $input) { tool { slug } userErrors { code } } }",
                "variables": { "input": { "slug": slug, "name": name, "category": "FRAMEWORK" } },
            }),
            Planned::UpdateTool { slug, name, version } => json!({
                "query": "mutation($slug: String!, $v: Int!, $input: ToolInput!) {
                    updateTool(slug: $slug, expectedVersion: $v, input: $input) { tool { slug } userErrors { code } } }",
                "variables": { "slug": slug, "v": version, "input": { "slug": slug, "name": name, "category": "DATABASE" } },
            }),
            Planned::CreateSkill { slug, name } => json!({
                "query": "mutation($input: SkillInput!) { createSkill(input: $input) { skill { slug } userErrors { code } } }",
                "variables": { "input": { "slug": slug, "name": name, "category": "TECHNICAL", "description": "Made in a crash test." } },
            }),
            Planned::UpdateSkill { slug, name, version } => json!({
                "query": "mutation($slug: String!, $v: Int!, $input: SkillInput!) {
                    updateSkill(slug: $slug, expectedVersion: $v, input: $input) { skill { slug } userErrors { code } } }",
                "variables": { "slug": slug, "v": version, "input": { "slug": slug, "name": name, "category": "PROFESSIONAL", "description": "Updated in a crash test." } },
            }),
        }
    }

    /// The audit row it writes: (kind, key, action).
    fn audit(&self) -> (&'static str, String, &'static str) {
        match self {
            Planned::CreateTool { slug, .. } => ("tool", slug.clone(), "CREATE"),
            Planned::UpdateTool { slug, .. } => ("tool", slug.clone(), "UPDATE"),
            Planned::CreateSkill { slug, .. } => ("skill", slug.clone(), "CREATE"),
            Planned::UpdateSkill { slug, .. } => ("skill", slug.clone(), "UPDATE"),
        }
    }

    /// Whether a response says it committed: its payload's object is there and it has no user errors.
    fn committed(&self, response: &Value) -> bool {
        let field = match self {
            Planned::CreateTool { .. } => "createTool",
            Planned::UpdateTool { .. } => "updateTool",
            Planned::CreateSkill { .. } => "createSkill",
            Planned::UpdateSkill { .. } => "updateSkill",
        };
        let payload = &response["data"][field];
        response.get("errors").is_none()
            && payload["userErrors"].as_array().is_some_and(Vec::is_empty)
            && (payload["tool"].is_object() || payload["skill"].is_object())
    }
}

/// The tools and skills as they must be: `before` with exactly the `applied` mutations done, by slug as
/// (id, name, category, description, version). A created row's id is whatever it got (`None`).
type Expected = BTreeMap<String, (Option<i32>, String, String, String, i32)>;

fn expected(tools: &[tool::Model], skills: &[skill::Model], applied: &[&Planned]) -> (Expected, Expected) {
    let mut expected_tools: Expected = tools
        .iter()
        .map(|t| (t.slug.clone(), (Some(t.id), t.name.clone(), format!("{:?}", t.category), String::new(), t.version)))
        .collect();
    let mut expected_skills: Expected = skills
        .iter()
        .map(|s| {
            (
                s.slug.clone(),
                (Some(s.id), s.name.clone(), format!("{:?}", s.category), s.description.clone(), s.version),
            )
        })
        .collect();
    for planned in applied {
        match planned {
            Planned::CreateTool { slug, name } => {
                expected_tools.insert(slug.clone(), (None, name.clone(), "Framework".into(), String::new(), 1));
            }
            Planned::UpdateTool { slug, name, version } => {
                let row = expected_tools.get_mut(slug).unwrap();
                (row.1, row.2, row.4) = (name.clone(), "Database".into(), version + 1);
            }
            Planned::CreateSkill { slug, name } => {
                let description = "Made in a crash test.".to_owned();
                expected_skills.insert(slug.clone(), (None, name.clone(), "Technical".into(), description, 1));
            }
            Planned::UpdateSkill { slug, name, version } => {
                let row = expected_skills.get_mut(slug).unwrap();
                let description = "Updated in a crash test.".to_owned();
                (row.1, row.2, row.3, row.4) = (name.clone(), "Professional".into(), description, version + 1);
            }
        }
    }
    (expected_tools, expected_skills)
}

fn actual_tools(tools: &[tool::Model], seeded: &[tool::Model]) -> Expected {
    tools
        .iter()
        .map(|t| {
            let id = seeded.iter().any(|s| s.slug == t.slug).then_some(t.id);
            (t.slug.clone(), (id, t.name.clone(), format!("{:?}", t.category), String::new(), t.version))
        })
        .collect()
}

fn actual_skills(skills: &[skill::Model], seeded: &[skill::Model]) -> Expected {
    skills
        .iter()
        .map(|s| {
            let id = seeded.iter().any(|seeded| seeded.slug == s.slug).then_some(s.id);
            (s.slug.clone(), (id, s.name.clone(), format!("{:?}", s.category), s.description.clone(), s.version))
        })
        .collect()
}

/// Whether `planned` is in the database: a created row is there, an update's name is.
fn is_applied(planned: &Planned, tools: &[tool::Model], skills: &[skill::Model]) -> bool {
    match planned {
        Planned::CreateTool { slug, .. } => tools.iter().any(|t| &t.slug == slug),
        Planned::UpdateTool { slug, name, .. } => tools.iter().any(|t| &t.slug == slug && &t.name == name),
        Planned::CreateSkill { slug, .. } => skills.iter().any(|s| &s.slug == slug),
        Planned::UpdateSkill { slug, name, .. } => skills.iter().any(|s| &s.slug == slug && &s.name == name),
    }
}

fn message(line: &Value) -> &str {
    line["fields"]["message"].as_str().unwrap_or_default()
}

async fn sigkill_during_100_concurrent_mutations_keeps_each_whole(mut server: TestProcess) {
    let db = connect(&server.database_url).await;
    let editor = careerql::auth::create_key(&db, "crash-editor", KeyRole::Editor).await.unwrap();
    let tools = tool::Entity::find().all(&db).await.unwrap();
    let skills = skill::Entity::find().all(&db).await.unwrap();
    let before = rows(&db).await;
    assert!(before["change"].is_empty());

    // Updates of every seeded tool and skill, and creations, each on a row of its own: 100 in all.
    let mut plan: Vec<Planned> = tools
        .iter()
        .map(|t| Planned::UpdateTool {
            slug: t.slug.clone(),
            name: format!("{} (crashed)", t.name),
            version: t.version,
        })
        .chain(skills.iter().map(|s| Planned::UpdateSkill {
            slug: s.slug.clone(),
            name: format!("{} (crashed)", s.name),
            version: s.version,
        }))
        .collect();
    let updates = plan.len();
    for n in 0..100 - updates {
        plan.push(if n % 2 == 0 {
            Planned::CreateTool { slug: format!("crash-tool-{n}"), name: format!("Crash tool {n}") }
        } else {
            Planned::CreateSkill { slug: format!("crash-skill-{n}"), name: format!("Crash skill {n}") }
        });
    }
    // Interleave updates and creations (37 is prime to 100), so the kill does not fall between two kinds.
    assert_eq!(plan.len(), 100);
    let plan: Vec<Planned> = (0..100).map(|i| plan[(i * 37) % 100].clone()).collect();

    // All at once, each on its own connection; the server is killed once a quarter have been answered.
    let answered = Arc::new(AtomicUsize::new(0));
    let progress = Arc::new(tokio::sync::Notify::new());
    let burst: Vec<_> = plan
        .iter()
        .enumerate()
        .map(|(n, planned)| {
            let request = server.client.post(server.url("/graphql")).bearer_auth(&editor);
            let request = request.header("x-request-id", format!("burst-{n}")).json(&planned.request());
            let (answered, progress) = (answered.clone(), progress.clone());
            tokio::spawn(async move {
                let body = match request.send().await {
                    Ok(response) => response.json::<Value>().await.ok(),
                    Err(_) => None,
                };
                if body.is_some() {
                    answered.fetch_add(1, Ordering::SeqCst);
                    progress.notify_one();
                }
                body
            })
        })
        .collect();
    while answered.load(Ordering::SeqCst) < 25 {
        let waited = tokio::time::timeout(Duration::from_secs(60), progress.notified()).await;
        assert!(waited.is_ok(), "the burst stalled");
    }
    server.kill();
    // Requests the server had begun and not finished when it died, from all it wrote before dying.
    let (_, logs) = server.wait_for_exit().await;
    let count = |what: &str| logs.iter().filter(|line| message(line) == what).count();
    let in_flight = count("started processing request") as i64 - count("finished processing request") as i64;
    let mut responses = Vec::new();
    for task in burst {
        responses.push(task.await.unwrap());
    }

    let server = server.restart(&[]).await;
    answers(&server).await;
    let tools_after = tool::Entity::find().all(&db).await.unwrap();
    let skills_after = skill::Entity::find().all(&db).await.unwrap();
    let audit = change::Entity::find().all(&db).await.unwrap();

    // Whatever came back is committed; whatever is in the database is whole, with exactly one audit row.
    let mut audit_rows: HashMap<(String, String, String), usize> = HashMap::new();
    for row in &audit {
        assert_eq!(row.key_name, "crash-editor", "{row:?}");
        *audit_rows.entry((row.kind.clone(), row.entity_key.clone(), row.action.clone())).or_default() += 1;
    }
    let mut applied = Vec::new();
    for (planned, response) in plan.iter().zip(&responses) {
        let is_in = is_applied(planned, &tools_after, &skills_after);
        if let Some(response) = response {
            assert!(planned.committed(response), "{planned:?} answered without committing: {response:#}");
            assert!(is_in, "{planned:?} was answered as committed but is not in the database");
        }
        let (kind, key, action) = planned.audit();
        let rows = audit_rows.remove(&(kind.to_owned(), key, action.to_owned())).unwrap_or(0);
        assert_eq!(rows, usize::from(is_in), "{planned:?}: applied {is_in}, {rows} audit rows");
        if is_in {
            applied.push(planned);
        }
    }
    assert!(audit_rows.is_empty(), "audit rows without their change: {audit_rows:?}");
    let (want_tools, want_skills) = expected(&tools, &skills, &applied);
    assert_eq!(actual_tools(&tools_after, &tools), want_tools, "tools not as the applied mutations make them");
    assert_eq!(actual_skills(&skills_after, &skills), want_skills);

    // Nothing else changed.
    let mut after = rows(&db).await;
    let mut before = before;
    for table in ["tool", "skill", "change"] {
        before.remove(table);
        after.remove(table);
    }
    // The search index follows the rows it indexes, in their transactions (FTS5 keeps it in shadow tables).
    before.retain(|table, _| !table.starts_with("search_index"));
    after.retain(|table, _| !table.starts_with("search_index"));
    assert_eq!(before, after, "tables the mutations do not write changed");

    // The kill fell inside the burst, not before or after it.
    let answered = responses.iter().filter(|r| r.is_some()).count();
    eprintln!(
        "killed with {in_flight} requests in flight: {answered} answered, {} applied, {} lost",
        applied.len(),
        plan.len() - applied.len()
    );
    assert!(answered >= 25 && applied.len() < plan.len(), "the kill came after the burst");
    assert!(in_flight > 0, "no mutation was in flight when the server was killed");
}
