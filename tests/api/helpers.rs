//! `spawn_app()`: the real server on 127.0.0.1 port 0 over a throwaway database, on either backend.
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use async_graphql::extensions::ExtensionFactory;
use careerql::config::Limits;
use careerql::graphql::schema_builder;
use careerql::http::{AppState, app};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tempfile::TempDir;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed `async fn(TestApp)` as two tests, `sqlite::NAME` and `postgres::NAME`. With
/// `spawn = PATH;` first, the tests take what `PATH(backend)` gives instead (e.g. `spawn_process`).
#[macro_export]
macro_rules! on_every_backend {
    (spawn = $spawn:path; $($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $test() {
                if let Some(app) = $spawn($crate::helpers::Backend::Sqlite).await {
                    super::$test(app).await
                }
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $test() {
                if let Some(app) = $spawn($crate::helpers::Backend::Postgres).await {
                    super::$test(app).await
                }
            })*
        }
    };
    ($($test:ident),* $(,)?) => {
        $crate::on_every_backend!(spawn = $crate::helpers::spawn_app; $($test),*);
    };
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// The throwaway database's URL, for driving the command line against it.
    pub database_url: String,
    pub state: AppState,
    client: reqwest::Client,
    database: Throwaway,
}

/// The test's own database, removed when the test ends.
enum Throwaway {
    Sqlite { _dir: TempDir },
    Postgres { server: String, name: String },
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        if let Throwaway::Postgres { server, name } = self {
            let (server, database) = (server.clone(), name.clone());
            // Drop runs inside the test's runtime, which cannot block on itself: use a thread of our own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                runtime.block_on(async {
                    let admin = sea_orm::Database::connect(format!("{server}/postgres")).await.ok()?;
                    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).await.ok()
                })
            });
            if !matches!(dropped.join(), Ok(Some(_))) {
                eprintln!("could not drop test database {name}");
            }
        }
    }
}

/// The PostgreSQL server tests use, started by `scripts/dev/start-postgres.sh` when it is down. `None` where it
/// cannot be had: each test that needed it is then `skip`ped (under CI, failed).
fn postgres_server() -> Option<&'static str> {
    static SERVER: OnceLock<Option<String>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = std::env::var("CAREERQL_TEST_POSTGRES")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/dev/start-postgres.sh");
            let started = std::process::Command::new("bash").arg(script).status().is_ok_and(|s| s.success());
            started.then_some(url)
        })
        .as_deref()
}

pub fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Why node cannot run the scripts in `dir` (relative to the repository) here, if it cannot: node is missing,
/// or the packages pinned in `dir/package-lock.json` are not installed.
pub fn node_missing(dir: &str) -> Option<String> {
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|output| output.status.success()) {
        return Some("node is not installed (run scripts/dev/install-test-deps.sh)".to_owned());
    }
    let modules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir).join("node_modules");
    if !modules.exists() {
        return Some(format!("{dir}/node_modules is missing (run scripts/dev/install-test-deps.sh)"));
    }
    None
}

/// The tests that passed without checking anything, and why.
static SKIPPED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Says that the calling test passes without checking anything because `why` (a tool or service it needs is
/// missing), and returns. Under CI (`CI=true`, as `scripts/test` sets) that is a failure instead.
///
/// libtest keeps what a passing test prints with `print!`/`eprintln!` to itself, so a notice said that way
/// reads as a pass. This one is written to the process's stderr directly, which libtest does not capture,
/// and when the test binary exits a summary of every skip follows libtest's own `test result` line.
pub fn skip(why: &str) {
    assert!(!in_ci(), "under CI no test may be skipped, but {why}");
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let mut skipped = SKIPPED.lock().unwrap_or_else(PoisonError::into_inner);
    if skipped.is_empty() {
        // SAFETY: registers a plain function with no arguments; the C library calls it once, at exit.
        unsafe { libc::atexit(report_skips) };
    }
    if skipped.iter().any(|(skipped, _)| *skipped == test) {
        return; // said once per test
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
    skipped.push((test, why.to_owned()));
}

/// At exit: how many tests were skipped, and why, after everything libtest printed.
extern "C" fn report_skips() {
    let skipped = SKIPPED.lock().unwrap_or_else(PoisonError::into_inner);
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for (_, why) in skipped.iter() {
        match reasons.iter_mut().find(|(reason, _)| reason == why) {
            Some((_, count)) => *count += 1,
            None => reasons.push((why, 1)),
        }
    }
    let mut report = format!(
        "\nSKIPPED: {} of the tests above passed without checking anything (each is listed above as SKIPPED):\n",
        skipped.len()
    );
    for (why, count) in reasons {
        report.push_str(&format!("  {count} because {why}\n"));
    }
    report.push_str("`scripts/test` installs and starts what they need and runs every test, with nothing skipped.\n");
    let _ = std::io::stderr().write_all(report.as_bytes());
}

async fn throwaway_database(backend: Backend) -> Option<(String, Throwaway)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("careerql.db").display());
            Some((url, Throwaway::Sqlite { _dir: dir }))
        }
        Backend::Postgres => {
            let Some(server) = postgres_server() else {
                skip("PostgreSQL is not available (scripts/dev/start-postgres.sh could not start it)");
                return None;
            };
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
            let name = format!("careerql_test_{}_{nanos}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
            let admin = sea_orm::Database::connect(format!("{server}/postgres")).await.expect("connect to PostgreSQL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.expect("close admin connection");
            Some((format!("{server}/{name}"), Throwaway::Postgres { server: server.to_owned(), name }))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let (url, database) = throwaway_database(backend).await?;
    Some(serve_in_process(url, database, &[]).await)
}

/// Serves the SQLite database at `path`, inside `dir` (removed when the app is dropped), as `careerql serve`
/// opens one: pending migrations are applied first.
pub async fn serve_sqlite_file(dir: TempDir, path: &std::path::Path) -> TestApp {
    let url = format!("sqlite://{}?mode=rw", path.display());
    serve_in_process(url, Throwaway::Sqlite { _dir: dir }, &[]).await
}

/// The command line `careerql` would have with `flags` (and the test's database) on it.
pub fn cli(database_url: &str, flags: &[&str]) -> careerql::cli::Cli {
    let args = ["careerql", "--database-url", database_url].into_iter().chain(flags.iter().copied());
    careerql::cli::parse_from(args).expect("valid test flags")
}

async fn serve_in_process(database_url: String, database: Throwaway, flags: &[&str]) -> TestApp {
    let cli = cli(&database_url, flags);
    let state = AppState::open(&cli.config).await.expect("open the test database");
    let addr = serve(state.clone()).await;
    TestApp { addr, state, client: reqwest::Client::new(), database_url, database }
}

/// Serves `state` on a port of its own, as `careerql serve` does (handlers see the client's address).
async fn serve(state: AppState) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let addr = listener.local_addr().expect("local addr");
    let connections = state.http.connections.clone();
    let served = careerql::http::connections::serve(listener, app(state), connections, std::future::pending());
    tokio::spawn(async move { served.await.expect("serve") });
    addr
}

impl TestApp {
    /// The same database, served anew under `limits`.
    pub async fn with_limits(self, limits: Limits) -> TestApp {
        let state = self.state.with_limits(limits);
        self.serving(state).await
    }

    /// The same database, served anew under `limits` with a test-only `extension` inside the schema (after
    /// the server's own, as any extension a deployment adds would be).
    pub async fn with_extension(self, limits: Limits, extension: impl ExtensionFactory) -> TestApp {
        let state = self.state.with_limits(limits);
        let state = state
            .with_schema(schema_builder(&state.limits.query, state.hub.clone()).extension(extension).finish().into());
        self.serving(state).await
    }

    async fn serving(self, state: AppState) -> TestApp {
        let addr = serve(state.clone()).await;
        TestApp { addr, state, client: self.client, database_url: self.database_url, database: self.database }
    }

    /// The same database served anew with `flags` added to the command line.
    pub async fn reconfigure(self, flags: &[&str]) -> TestApp {
        serve_in_process(self.database_url, self.database, flags).await
    }

    /// The same database served anew with `flags` added to the command line, opened without running
    /// anything on it first (no migrations check, no seed check): for settings, such as a tiny statement
    /// timeout, under which those would not run.
    pub async fn serve_database(self, flags: &[&str]) -> TestApp {
        let cli = cli(&self.database_url, flags);
        let db = careerql::db::Db::connect(&cli.config.database).await.expect("connect to the test database");
        let state = AppState::new(
            db,
            cli.config.limits.clone(),
            Default::default(),
            cli.config.http.clone(),
            Default::default(),
        );
        self.serving(state).await
    }

    /// For PostgreSQL, the server's URL (without a database) and the test database's name.
    pub fn postgres_database(&self) -> Option<(&str, &str)> {
        match &self.database {
            Throwaway::Postgres { server, name } => Some((server, name)),
            Throwaway::Sqlite { .. } => None,
        }
    }

    /// A scrape of `/metrics`.
    pub async fn metrics(&self) -> Metrics {
        Metrics(self.get("/metrics").await.text().await.expect("metrics text"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// A request to `/graphql` to finish and send, for tests of the HTTP contract.
    pub fn request(&self, method: reqwest::Method) -> reqwest::RequestBuilder {
        self.request_to(method, "/graphql")
    }

    pub fn request_to(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// POSTs `body` (a request, or an array of them for a batch) as JSON, asking for `accept`.
    pub async fn post(&self, body: &Value, accept: Option<&str>) -> reqwest::Response {
        let request = self.request(reqwest::Method::POST).json(body);
        let request = match accept {
            Some(accept) => request.header("accept", accept),
            None => request,
        };
        request.send().await.expect("POST /graphql")
    }

    /// POSTs a GraphQL document and returns the whole JSON response.
    pub async fn graphql(&self, query: &str) -> Value {
        self.graphql_with(query, json!({})).await
    }

    pub async fn graphql_with(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        assert_eq!(response.status(), 200, "POST /graphql status");
        response.json().await.expect("JSON body")
    }

    /// The `data` of a response that must have no errors.
    pub async fn data(&self, query: &str) -> Value {
        let response = self.graphql(query).await;
        assert!(response.get("errors").is_none(), "unexpected errors: {response:#}");
        response["data"].clone()
    }

    /// SQL statements the server has run so far.
    pub fn statements(&self) -> u64 {
        self.state.db.statements()
    }
}

/// The `extensions.code` of a response's first error.
pub fn error_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {response:#}"))
}

/// A file from the shared data folder beside the repository. Outside CI a missing file skips the caller's
/// checks with a notice; under CI it fails, so a skip never passes for a test.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(relative);
    if path.exists() {
        return Some(path);
    }
    skip(&format!("{} is not there", path.display()));
    None
}

/// A `/metrics` scrape, read one sample at a time.
pub struct Metrics(pub String);

impl Metrics {
    /// The sample `name{labels…}` whose labels include `labels`, summed over the other labels; 0 if none.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let (series, value) = line.rsplit_once(' ')?;
                let (metric, label_text) = series.split_once('{').unwrap_or((series, "}"));
                let present: Vec<(&str, &str)> = label_text
                    .trim_end_matches('}')
                    .split(',')
                    .filter_map(|pair| pair.split_once('='))
                    .map(|(key, value)| (key, value.trim_matches('"')))
                    .collect();
                (metric == name && labels.iter().all(|label| present.contains(label)))
                    .then(|| value.parse::<f64>().ok())?
            })
            .sum()
    }
}

/// The built `careerql` binary serving a throwaway database, its JSON log lines captured: for what only a
/// real process shows (signals, logs, a metrics registry of its own).
pub struct TestProcess {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// The throwaway database's URL, for reading it directly or driving the command line against it.
    pub database_url: String,
    child: std::process::Child,
    logs: tokio::sync::mpsc::UnboundedReceiver<String>,
    seen: Vec<String>,
    /// How many of `seen` `new_log_lines` has handed out.
    handed_out: usize,
    /// Always `Some` but while `restart` hands it to the next process.
    database: Option<Throwaway>,
}

pub async fn spawn_process(backend: Backend) -> Option<TestProcess> {
    spawn_process_with(backend, &[]).await
}

/// Starts `careerql` with `flags` (JSON logs, tower-http's per-request lines included) and waits until it
/// serves.
pub async fn spawn_process_with(backend: Backend, flags: &[&str]) -> Option<TestProcess> {
    let (url, database) = throwaway_database(backend).await?;
    Some(start_process(url, database, flags).await)
}

async fn start_process(url: String, database: Throwaway, flags: &[&str]) -> TestProcess {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_careerql"))
        .args(["--addr", "127.0.0.1:0", "--log-format", "json", "--database-url", &url])
        .args(flags)
        .env("RUST_LOG", "careerql=info,tower_http=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start careerql");
    let stderr = child.stderr.take().expect("piped stderr");
    let (lines, logs) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let placeholder = SocketAddr::from(([127, 0, 0, 1], 0));
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let mut process = TestProcess {
        addr: placeholder,
        client,
        database_url: url,
        child,
        logs,
        seen: Vec::new(),
        handed_out: 0,
        database: Some(database),
    };
    let serving = process
        .wait_for_log(|line| line["fields"]["message"].as_str().is_some_and(|m| m.starts_with("careerql is serving")))
        .await;
    process.addr = serving["fields"]["addr"].as_str().and_then(|addr| addr.parse().ok()).expect("serving address");
    process
}

impl TestProcess {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn metrics(&self) -> Metrics {
        let response = self.client.get(self.url("/metrics")).send().await.expect("GET /metrics");
        Metrics(response.text().await.expect("metrics text"))
    }

    /// Waits for the next log line (JSON) that `wanted` accepts. Panics, with the log so far, if the process
    /// ends first, or is silent for a minute (a safety net against a hung test, not a timing check).
    pub async fn wait_for_log(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let line = tokio::time::timeout(std::time::Duration::from_secs(60), self.logs.recv()).await;
            let Ok(Some(line)) = line else {
                panic!("the awaited log line never came; log so far:\n{}", self.seen.join("\n"))
            };
            self.seen.push(line.clone());
            if let Ok(json) = serde_json::from_str::<Value>(&line)
                && wanted(&json)
            {
                return json;
            }
        }
    }

    /// The first log line so far whose message starts with `message`.
    pub fn logged(&self, message: &str) -> Option<Value> {
        self.seen
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|line| line["fields"]["message"].as_str().is_some_and(|logged| logged.starts_with(message)))
    }

    /// Sends SIGKILL and waits for the process to be gone: no shutdown, no flush, no rollback of its own.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL careerql");
        let status = self.child.wait().expect("wait for careerql");
        assert!(!status.success(), "careerql was killed, not stopped: {status}");
    }

    /// A new `careerql` process on the same database, with `flags`; this one is killed first if it still runs.
    pub async fn restart(mut self, flags: &[&str]) -> TestProcess {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let database = self.database.take().expect("the database is this process's");
        start_process(self.database_url.clone(), database, flags).await
    }

    /// Every line the process has written so far (raw text: a panic outside the JSON logger shows here too).
    pub fn log_lines(&mut self) -> &[String] {
        while let Ok(line) = self.logs.try_recv() {
            self.seen.push(line);
        }
        &self.seen
    }

    /// The lines written since the last call.
    pub fn new_log_lines(&mut self) -> Vec<String> {
        let from = self.handed_out;
        let fresh = self.log_lines()[from..].to_vec();
        self.handed_out += fresh.len();
        fresh
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let sent = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        assert!(sent.is_ok_and(|status| status.success()), "kill -TERM failed");
    }

    /// Waits for the process to exit; returns whether it exited successfully and every log line it wrote.
    pub async fn wait_for_exit(&mut self) -> (bool, Vec<Value>) {
        loop {
            match tokio::time::timeout(std::time::Duration::from_secs(60), self.logs.recv()).await {
                Ok(Some(line)) => self.seen.push(line),
                Ok(None) => break,
                Err(_) => panic!("careerql did not exit; log so far:\n{}", self.seen.join("\n")),
            }
        }
        let status = self.child.wait().expect("wait for careerql");
        (status.success(), self.seen.iter().filter_map(|line| serde_json::from_str(line).ok()).collect())
    }
}

impl Drop for TestProcess {
    fn drop(&mut self) {
        // Our own child, by its handle: stop it if a failed test left it running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestApp {
    /// A new API key with `role`, made as `careerql keys create` makes one; its token.
    pub async fn key(&self, role: careerql::auth::KeyRole) -> String {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!("{}-{}", role.as_str(), NEXT.fetch_add(1, Ordering::Relaxed));
        careerql::auth::create_key(&self.state.db.conn, &name, role).await.expect("create a key")
    }

    /// POSTs a document with `token` as the bearer key; the whole JSON response, whatever its status.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.client
            .post(self.url("/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql")
            .json()
            .await
            .expect("JSON body")
    }

    /// A new database of this test's backend, loaded by `careerql import dump PATH`, and served.
    pub async fn imported(&self, dump: &std::path::Path) -> TestApp {
        let backend = if self.postgres_database().is_some() { Backend::Postgres } else { Backend::Sqlite };
        let (url, database) = throwaway_database(backend).await.expect("a second database");
        let path = dump.display().to_string();
        careerql::cli::run(cli(&url, &["import", "dump", &path])).await.expect("import the dump");
        serve_in_process(url, database, &[]).await
    }

    /// Another server (its own event hub and listener) on this test's database, as a second
    /// `careerql serve` would be.
    pub async fn another_instance(&self) -> SocketAddr {
        self.another_instance_with(&[]).await
    }

    /// Another server on this test's database, with `flags` added to its command line.
    pub async fn another_instance_with(&self, flags: &[&str]) -> SocketAddr {
        let cli = cli(&self.database_url, flags);
        let state = AppState::open(&cli.config).await.expect("open the test database again");
        serve(state).await
    }
}

/// A graphql-transport-ws connection with one subscription running.
pub struct Subscription {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Subscription {
    /// Connects to `addr`'s `/graphql/ws` and starts `query`.
    pub async fn start(addr: SocketAddr, query: &str) -> Subscription {
        use futures_util::SinkExt;
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{addr}/graphql/ws").into_client_request().expect("ws request");
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        let (socket, _) = tokio_tungstenite::connect_async(request).await.expect("connect to /graphql/ws");
        let mut subscription = Subscription { socket };
        subscription.send(json!({ "type": "connection_init" })).await;
        assert_eq!(subscription.message().await["type"], "connection_ack");
        let start = json!({ "id": "1", "type": "subscribe", "payload": { "query": query } });
        subscription.socket.send(tokio_tungstenite::tungstenite::Message::text(start.to_string())).await.unwrap();
        subscription
    }

    async fn send(&mut self, message: Value) {
        use futures_util::SinkExt;
        self.socket.send(tokio_tungstenite::tungstenite::Message::text(message.to_string())).await.expect("ws send");
    }

    /// The next message, or `None` if none comes within `wait` (to poll while a subscription starts).
    pub async fn message_within(&mut self, wait: std::time::Duration) -> Option<Value> {
        use futures_util::StreamExt;
        loop {
            let message = tokio::time::timeout(wait, self.socket.next()).await.ok()?;
            match message.expect("the socket stayed open").expect("a ws message") {
                tokio_tungstenite::tungstenite::Message::Text(text) => {
                    return Some(serde_json::from_str(&text).unwrap());
                }
                tokio_tungstenite::tungstenite::Message::Ping(_) => continue,
                other => panic!("unexpected ws message {other:?}"),
            }
        }
    }

    /// The next message (a safety net of a minute against a hung test, not a timing check).
    pub async fn message(&mut self) -> Value {
        self.message_within(std::time::Duration::from_secs(60)).await.expect("a ws message within a minute")
    }
}
