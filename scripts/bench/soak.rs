//! The soak driver (run by `scripts/bench/soak.sh`): mixed traffic against a running careerql for a bounded
//! time, with the server's RSS, open file descriptors and latency sampled each minute, and a verdict on
//! whether they stayed flat.
//!
//! `soak --url http://127.0.0.1:PORT --pid PID --key ADMIN_KEY [--minutes 60] [--clients 16]`
//!
//! Traffic, per client, drawn at random each time: reads of every kind (lookups by slug, lists with
//! filters, orderings and cursor paging, nested connections, `node`/`nodes`, search, GET with a query
//! string, batches), analytics (`salaryStats` grouped by city, occupation and both, hourly and annual),
//! writes with the key (a tool created, updated, attached to a role, detached and deleted, so the data stays
//! the same size), and hostile documents (deep nesting, alias floods, fragment bombs, huge strings,
//! malformed JSON, wrong content types), which must be refused with a 4xx. Beside them, long-lived
//! graphql-transport-ws subscribers count the tool changes they are told of, and short-lived ones connect,
//! subscribe, and leave each few seconds.
//!
//! Loopback only (it refuses any other host), and it stops by itself. It exits non-zero if the server
//! answered a 5xx, a request failed, a hostile request was not refused, or RSS, descriptors or latency
//! grew.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// What a request was, for its latency.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Read,
    Analytics,
    Write,
    Hostile,
}

const KINDS: [Kind; 4] = [Kind::Read, Kind::Analytics, Kind::Write, Kind::Hostile];

#[derive(Default)]
struct Minute {
    latencies: BTreeMap<Kind, Vec<Duration>>,
}

struct Shared {
    url: String,
    key: String,
    client: reqwest::Client,
    minute: Mutex<Minute>,
    failures: Mutex<Vec<String>>,
    server_errors: AtomicU64,
    requests: AtomicU64,
    tool_writes: AtomicU64,
    stop: AtomicBool,
}

impl Shared {
    fn record(&self, kind: Kind, took: Duration) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.minute.lock().unwrap().latencies.entry(kind).or_default().push(took);
    }

    fn fail(&self, what: String) {
        let mut failures = self.failures.lock().unwrap();
        if failures.len() < 50 {
            failures.push(what);
        }
    }

    /// POSTs `body`; the status and JSON body. Records the latency under `kind`.
    async fn post(&self, kind: Kind, body: &Value, key: bool) -> Option<(u16, Value)> {
        let mut request = self.client.post(format!("{}/graphql", self.url)).json(body);
        if key {
            request = request.bearer_auth(&self.key);
        }
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                self.fail(format!("{kind:?} request failed: {error}"));
                return None;
            }
        };
        let status = response.status().as_u16();
        let json = response.json::<Value>().await.unwrap_or(Value::Null);
        self.record(kind, started.elapsed());
        if status >= 500 {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
            self.fail(format!("{kind:?} answered {status}: {json}"));
        }
        Some((status, json))
    }

    /// A read or an analytics query that must answer without errors.
    async fn query(&self, kind: Kind, query: &str, variables: Value) -> Option<Value> {
        let (status, body) = self.post(kind, &json!({ "query": query, "variables": variables }), false).await?;
        if status != 200 || body.get("errors").is_some() {
            self.fail(format!("{kind:?} {query}: {status} {body}"));
            return None;
        }
        Some(body["data"].clone())
    }
}

/// A small deterministic generator, so runs are alike.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ROLES: &[&str] = &[
    "senior-backend-engineer",
    "api-developer",
    "web-application-developer",
    "database-administrator",
    "system-architect",
];
const CITIES: &[&str] = &["san-francisco-ca", "seattle-wa", "new-york-ny", "austin-tx", "united-states", "texas"];
const SEARCHES: &[&str] = &["postgress", "seatle", "software", "nurse", "api design", "data", "teach"];

async fn read(shared: &Shared, rng: &mut Rng, cursors: &mut Vec<String>) {
    let role = *rng.pick(ROLES);
    let city = *rng.pick(CITIES);
    match rng.below(11) {
        0 => {
            let q = "query($slug: String!) { role(slug: $slug) { title summary occupation { socCode title }
                skills(first: 10) { edges { rank node { name category } } }
                tools(first: 20) { nodes { name category } } specialisations { nodes { slug } } } }";
            shared.query(Kind::Read, q, json!({ "slug": role })).await;
        }
        1 => {
            let q = "query($after: String) { roles(first: 50, after: $after, orderBy: [{ field: TITLE }]) {
                totalCount pageInfo { hasNextPage endCursor } nodes { slug title curated } } }";
            let after = cursors.pop();
            if let Some(data) = shared.query(Kind::Read, q, json!({ "after": after })).await {
                let page = &data["roles"]["pageInfo"];
                if page["hasNextPage"] == true
                    && let Some(cursor) = page["endCursor"].as_str()
                {
                    cursors.push(cursor.to_owned());
                }
            }
        }
        2 => {
            let q = "query($kind: AreaKind!) { cities(first: 100, filter: { kind: { eq: $kind } }) {
                totalCount nodes { slug name state areaCode hub } } }";
            let kind = *rng.pick(&["METROPOLITAN", "STATE", "NONMETROPOLITAN", "NATIONAL"]);
            shared.query(Kind::Read, q, json!({ "kind": kind })).await;
        }
        3 => {
            let q = "query($city: String!) { salaryRanges(first: 100, filter: { city: { slug: { eq: $city } } },
                orderBy: [{ field: MEDIAN, direction: DESC }]) { totalCount nodes { id median p10 p90 period topCoded
                occupation { socCode title } } } }";
            shared.query(Kind::Read, q, json!({ "city": city })).await;
        }
        4 => {
            let q = "query($text: String!) { search(text: $text, first: 20) { __typename
                ... on Role { slug } ... on City { slug } ... on Tool { slug } ... on Skill { slug } } }";
            shared.query(Kind::Read, q, json!({ "text": rng.pick(SEARCHES) })).await;
        }
        5 => {
            let q = "{ occupations(first: 100, filter: { group: { eq: MAJOR } }) { totalCount nodes { socCode title
                roles { nodes { slug } } } } }";
            shared.query(Kind::Read, q, json!({})).await;
        }
        6 => {
            // `node` and `nodes` by the IDs a list gave.
            let q = "{ tools(first: 10) { nodes { id } } }";
            if let Some(data) = shared.query(Kind::Read, q, json!({})).await {
                let ids: Vec<Value> =
                    data["tools"]["nodes"].as_array().into_iter().flatten().map(|n| n["id"].clone()).collect();
                let q = "query($ids: [ID!]!, $id: ID!) { nodes(ids: $ids) { id ... on Tool { name } } node(id: $id) { id } }";
                let first = ids.first().cloned().unwrap_or(json!("x"));
                shared.query(Kind::Read, q, json!({ "ids": ids, "id": first })).await;
            }
        }
        7 => {
            let q = "{ skills(first: 20) { nodes { slug name tools { nodes { slug } } roles { nodes { slug } } } }
                tools(first: 50, orderBy: [{ field: NAME }]) { nodes { slug category } } }";
            shared.query(Kind::Read, q, json!({})).await;
        }
        8 => {
            // A GET, as a cache in front would see it.
            let q = format!(
                r#"{{ city(slug: "{city}") {{ name areaTitle kind salaryRanges(first: 20) {{ totalCount }} }} }}"#
            );
            let url = format!("{}/graphql?query={}", shared.url, percent(&q));
            let started = Instant::now();
            match shared.client.get(url).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let _ = response.bytes().await;
                    shared.record(Kind::Read, started.elapsed());
                    if status != 200 {
                        shared.fail(format!("GET {q}: {status}"));
                    }
                }
                Err(error) => shared.fail(format!("GET failed: {error}")),
            }
        }
        9 => {
            let batch = json!([
                { "query": "{ roles(first: 5) { nodes { slug } } }" },
                { "query": format!(r#"{{ role(slug: "{role}") {{ title }} }}"#) },
                { "query": "{ cities(first: 5, filter: { hub: { eq: true } }) { nodes { slug } } }" },
            ]);
            if let Some((status, body)) = shared.post(Kind::Read, &batch, false).await
                && (status != 200 || body.as_array().is_none_or(|b| b.iter().any(|r| r.get("errors").is_some())))
            {
                shared.fail(format!("batch: {status} {body}"));
            }
        }
        _ => {
            let q =
                "{ occupation(socCode: \"15-1252\") { title salaryRanges(first: 50, filter: { period: { eq: HOURLY } })
                { nodes { median city { slug } } } } }";
            shared.query(Kind::Read, q, json!({})).await;
        }
    }
}

async fn analytics(shared: &Shared, rng: &mut Rng) {
    let role = *rng.pick(ROLES);
    // Groupings of one role's ranges mostly; one in ten groups the whole table (every range, hourly or by
    // area kind), as a dashboard's overview would.
    let whole_table = rng.below(10) == 0;
    let q = match if whole_table { 1 + 2 * rng.below(2) } else { 2 * rng.below(2) } {
        0 => {
            "query($role: String!) { salaryStats(groupBy: [CITY], first: 100, filter: { role: { slug: { eq: $role } } },
            orderBy: [{ field: MEDIAN_MAX, direction: DESC }]) { totalCount nodes { city { slug } count employment
            mean estimate { p10 median p90 } } } }"
        }
        1 => {
            "query($role: String!) { salaryStats(groupBy: [OCCUPATION], period: HOURLY, first: 50) { totalCount
            nodes { occupation { socCode } count mean spread { median { min max } } } } role(slug: $role) { slug } }"
        }
        2 => {
            "query($role: String!) { salaryStats(groupBy: [], filter: { role: { slug: { eq: $role } } }) { nodes { count
            employment estimate { p25 median p75 } } } }"
        }
        _ => {
            "query($role: String!) { salaryStats(groupBy: [AREA_KIND, OCCUPATION_GROUP], first: 100) { totalCount
            nodes { areaKind occupationGroup count employment mean } } role(slug: $role) { slug } }"
        }
    };
    shared.query(Kind::Analytics, q, json!({ "role": role })).await;
}

/// A tool's whole life: created, updated, attached to a role, detached, deleted: five committed writes, three
/// of them tool changes a `toolChanged` subscriber hears of.
async fn write(shared: &Shared, client: usize, n: u64) {
    let slug = format!("soak-{client}-{n}");
    let payload = |body: &Value, field: &str| body["data"][field]["userErrors"].as_array().is_some_and(Vec::is_empty);
    let steps = [
        (
            "createTool",
            json!({ "query": "mutation($input: ToolInput!) { createTool(input: $input) { tool { version } userErrors { message } } }",
                "variables": { "input": { "slug": slug, "name": format!("Soak {n}"), "category": "FRAMEWORK" } } }),
        ),
        (
            "updateTool",
            json!({ "query": "mutation($slug: String!, $input: ToolInput!) { updateTool(slug: $slug, expectedVersion: 1, input: $input) { tool { version } userErrors { message } } }",
                "variables": { "slug": slug, "input": { "slug": slug, "name": format!("Soak {n} (updated)"), "category": "DATABASE" } } }),
        ),
        (
            "attachToolToRole",
            json!({ "query": "mutation($tool: String!) { attachToolToRole(role: \"api-developer\", tool: $tool, hotTechnology: true) { role { slug } userErrors { message } } }",
                "variables": { "tool": slug } }),
        ),
        (
            "detachToolFromRole",
            json!({ "query": "mutation($tool: String!) { detachToolFromRole(role: \"api-developer\", tool: $tool) { role { slug } userErrors { message } } }",
                "variables": { "tool": slug } }),
        ),
        (
            "deleteTool",
            json!({ "query": "mutation($slug: String!) { deleteTool(slug: $slug) { deletedId userErrors { message } } }",
                "variables": { "slug": slug } }),
        ),
    ];
    for (field, body) in steps {
        let Some((status, answer)) = shared.post(Kind::Write, &body, true).await else { return };
        if status != 200 || answer.get("errors").is_some() || !payload(&answer, field) {
            shared.fail(format!("{field} {slug}: {status} {answer}"));
            return;
        }
        if matches!(field, "createTool" | "updateTool" | "deleteTool") {
            shared.tool_writes.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// (name, body, content type): each must be refused with a 4xx and a code.
fn hostile_requests() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let query = |query: String| json!({ "query": query }).to_string().into_bytes();
    let mut bomb = "{ roles(first: 1) { nodes { ...F0 } } } ".to_owned();
    for level in 0..20 {
        bomb += &format!("fragment F{level} on Role {{ ...F{n} ...F{n} }} ", n = level + 1);
    }
    bomb += "fragment F20 on Role { slug }";
    vec![
        ("nesting", query("{a".repeat(20_000)), "application/json"),
        ("depth", query(format!("{{ {} slug {} }}", "roles(first: 1) { nodes { occupation { roles { nodes { ".repeat(4), "} } } } } ".repeat(4))), "application/json"),
        ("aliases", query(format!("{{ {} }}", (0..500).map(|i| format!("a{i}: __typename")).collect::<Vec<_>>().join(" "))), "application/json"),
        ("fragment bomb", query(bomb), "application/json"),
        ("huge string", query(format!("{{ role(slug: \"{}\") {{ slug }} }}", "x".repeat(200_000))), "application/json"),
        ("cost", query("{ roles(first: 100) { nodes { skills(first: 100) { nodes { tools(first: 100) { nodes { roles(first: 100) { nodes { slug } } } } } } } } }".to_owned()), "application/json"),
        ("not JSON", b"{\"query\": \"{ roles { slug } ".to_vec(), "application/json"),
        ("content type", query("{ __typename }".to_owned()), "text/plain"),
        ("unknown field", query("{ noSuchField }".to_owned()), "application/json"),
        ("batch", json!((0..50).map(|_| json!({ "query": "{ __typename }" })).collect::<Vec<_>>()).to_string().into_bytes(), "application/json"),
    ]
}

async fn hostile(shared: &Shared, rng: &mut Rng, corpus: &[(&'static str, Vec<u8>, &'static str)]) {
    let (name, body, content_type) = rng.pick(corpus);
    let request = shared
        .client
        .post(format!("{}/graphql", shared.url))
        .header("content-type", *content_type)
        .header("accept", "application/graphql-response+json")
        .body(body.clone());
    let started = Instant::now();
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.json::<Value>().await.unwrap_or(Value::Null);
            shared.record(Kind::Hostile, started.elapsed());
            let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default();
            if !(400..500).contains(&status) || code.is_empty() {
                if status >= 500 {
                    shared.server_errors.fetch_add(1, Ordering::Relaxed);
                }
                shared.fail(format!("hostile {name}: {status} {body}"));
            }
        }
        Err(error) => shared.fail(format!("hostile {name} failed: {error}")),
    }
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn client_loop(shared: Arc<Shared>, id: usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (id as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let corpus = hostile_requests();
    let mut cursors = Vec::new();
    let mut writes = 0u64;
    while !shared.stop.load(Ordering::Relaxed) {
        match rng.below(20) {
            0..=11 => read(&shared, &mut rng, &mut cursors).await,
            12..=14 => analytics(&shared, &mut rng).await,
            15 | 16 => {
                writes += 1;
                write(&shared, id, writes).await;
            }
            _ => hostile(&shared, &mut rng, &corpus).await,
        }
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe(url: &str, query: &str) -> Result<Socket, String> {
    let mut request =
        format!("{}/graphql/ws", url.replacen("http", "ws", 1)).into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| e.to_string())?;
    socket.send(Message::text(json!({ "type": "connection_init" }).to_string())).await.map_err(|e| e.to_string())?;
    match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
        Ok(Some(Ok(Message::Text(text)))) if text.contains("connection_ack") => {}
        other => return Err(format!("no connection_ack: {other:?}")),
    }
    let start = json!({ "id": "1", "type": "subscribe", "payload": { "query": query } });
    socket.send(Message::text(start.to_string())).await.map_err(|e| e.to_string())?;
    Ok(socket)
}

/// A subscriber for the whole run: counts the tool changes it hears of.
async fn long_subscriber(shared: Arc<Shared>, heard: Arc<AtomicU64>) {
    let mut socket = match subscribe(&shared.url, "subscription { toolChanged { action key } }").await {
        Ok(socket) => socket,
        Err(error) => return shared.fail(format!("subscriber: {error}")),
    };
    loop {
        let message = tokio::time::timeout(Duration::from_secs(1), socket.next()).await;
        match message {
            Ok(Some(Ok(Message::Text(text)))) => {
                let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                match json["type"].as_str() {
                    Some("next") => {
                        heard.fetch_add(1, Ordering::Relaxed);
                    }
                    Some("ping") => {
                        let _ = socket.send(Message::text(json!({ "type": "pong" }).to_string())).await;
                    }
                    _ => shared.fail(format!("subscriber got {text}")),
                }
            }
            Ok(Some(Ok(Message::Ping(data)))) => {
                let _ = socket.send(Message::Pong(data)).await;
            }
            Ok(Some(Ok(_))) => {}
            Ok(other) => return shared.fail(format!("subscriber's socket ended: {other:?}")),
            Err(_) if shared.stop.load(Ordering::Relaxed) => {
                let _ = socket.close(None).await;
                return;
            }
            Err(_) => {}
        }
    }
}

/// Subscribers that come and go: connect, subscribe, wait a moment, leave (with or without a goodbye).
async fn churning_subscribers(shared: Arc<Shared>) {
    let mut n = 0u64;
    while !shared.stop.load(Ordering::Relaxed) {
        n += 1;
        let query = if n.is_multiple_of(2) {
            "subscription { roleChanged(slug: \"api-developer\") { action } }"
        } else {
            "subscription { cityChanged { action } }"
        };
        match subscribe(&shared.url, query).await {
            Ok(mut socket) => {
                let _ = tokio::time::timeout(Duration::from_millis(500), socket.next()).await;
                if n.is_multiple_of(3) {
                    drop(socket); // gone without a word, as a client that loses its network
                } else {
                    let _ = socket.send(Message::text(json!({ "id": "1", "type": "complete" }).to_string())).await;
                    let _ = socket.close(None).await;
                }
            }
            Err(error) => shared.fail(format!("churning subscriber: {error}")),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Sample {
    rss_mib: f64,
    fds: usize,
    requests: u64,
    /// p50 and p99 of every request that minute, and p99 per kind.
    p50: Duration,
    p99: Duration,
    by_kind: BTreeMap<Kind, Duration>,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn argument(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() {
    let url = argument("--url").expect("--url http://127.0.0.1:PORT");
    let pid: u32 = argument("--pid").and_then(|p| p.parse().ok()).expect("--pid of the server");
    let key = argument("--key").expect("--key ADMIN_KEY");
    let minutes: u64 = argument("--minutes").and_then(|m| m.parse().ok()).unwrap_or(60);
    let clients: usize = argument("--clients").and_then(|c| c.parse().ok()).unwrap_or(16);
    let sample_every = Duration::from_secs(argument("--sample-seconds").and_then(|s| s.parse().ok()).unwrap_or(60));
    let host = url.trim_start_matches("http://").split([':', '/']).next().unwrap_or_default().to_owned();
    assert!(matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]"), "the soak runs on loopback only, not {host}");

    let shared = Arc::new(Shared {
        url,
        key,
        client: reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap(),
        minute: Mutex::default(),
        failures: Mutex::default(),
        server_errors: AtomicU64::new(0),
        requests: AtomicU64::new(0),
        tool_writes: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    });
    let heard: Vec<Arc<AtomicU64>> = (0..4).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let mut tasks = Vec::new();
    for counter in &heard {
        tasks.push(tokio::spawn(long_subscriber(shared.clone(), counter.clone())));
    }
    // Let the subscribers start before anything changes.
    tokio::time::sleep(Duration::from_secs(1)).await;
    tasks.push(tokio::spawn(churning_subscribers(shared.clone())));
    for id in 0..clients {
        tasks.push(tokio::spawn(client_loop(shared.clone(), id)));
    }

    println!(
        "soak: {clients} clients, 4 long-lived and 1 churning subscriber, {minutes} min, sampled every {sample_every:?}"
    );
    println!(
        "{:>4} {:>9} {:>5} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "n", "RSS MiB", "fds", "req/s", "p50 ms", "p99 ms", "read p99", "stats p99", "write p99", "hostile"
    );
    let started = Instant::now();
    let deadline = started + Duration::from_secs(minutes * 60);
    let mut samples: Vec<Sample> = Vec::new();
    let mut last_requests = 0;
    let mut next = started + sample_every;
    while next <= deadline {
        tokio::time::sleep_until(next.into()).await;
        next += sample_every;
        let minute = std::mem::take(&mut *shared.minute.lock().unwrap());
        let mut all: Vec<Duration> = minute.latencies.values().flatten().copied().collect();
        all.sort();
        let by_kind: BTreeMap<Kind, Duration> = KINDS
            .iter()
            .map(|kind| {
                let mut times = minute.latencies.get(kind).cloned().unwrap_or_default();
                times.sort();
                (*kind, percentile(&times, 0.99))
            })
            .collect();
        let requests = shared.requests.load(Ordering::Relaxed);
        let sample = Sample {
            rss_mib: rss_kib(pid) as f64 / 1024.0,
            fds: open_fds(pid),
            requests: requests - last_requests,
            p50: percentile(&all, 0.5),
            p99: percentile(&all, 0.99),
            by_kind,
        };
        last_requests = requests;
        println!(
            "{:>4} {:>9.1} {:>5} {:>8.0} {:>8.1} {:>8.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            samples.len() + 1,
            sample.rss_mib,
            sample.fds,
            sample.requests as f64 / sample_every.as_secs_f64(),
            ms(sample.p50),
            ms(sample.p99),
            ms(sample.by_kind[&Kind::Read]),
            ms(sample.by_kind[&Kind::Analytics]),
            ms(sample.by_kind[&Kind::Write]),
            ms(sample.by_kind[&Kind::Hostile]),
        );
        samples.push(sample);
    }
    shared.stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(40), task).await;
    }
    // The last changes reach the subscribers (they stopped listening a second or so after the writes).
    let written = shared.tool_writes.load(Ordering::Relaxed);
    let heard: Vec<u64> = heard.iter().map(|h| h.load(Ordering::Relaxed)).collect();

    // Flat: the last third of the run against the first (the first sample, the warm-up, left out).
    let mut flat = true;
    let mut verdicts = Vec::new();
    if samples.len() >= 4 {
        let steady = &samples[1..];
        let third = (steady.len() / 3).max(1);
        let (early, late) = (&steady[..third], &steady[steady.len() - third..]);
        let rss = |s: &[Sample]| median(&mut s.iter().map(|s| s.rss_mib).collect::<Vec<_>>());
        let fds = |s: &[Sample]| s.iter().map(|s| s.fds).max().unwrap_or(0);
        let p99 = |s: &[Sample]| median(&mut s.iter().map(|s| ms(s.p99)).collect::<Vec<_>>());
        let (rss_early, rss_late) = (rss(early), rss(late));
        let rss_flat = rss_late <= rss_early * 1.10 + 16.0;
        let (fds_early, fds_late) = (fds(early), fds(late));
        let fds_flat = fds_late <= fds_early + 8;
        let (p99_early, p99_late) = (p99(early), p99(late));
        let latency_flat = p99_late <= p99_early * 1.5 + 5.0;
        verdicts.push(format!(
            "RSS {}: median {rss_early:.1} MiB early, {rss_late:.1} MiB late (allowed: +10% +16 MiB)",
            if rss_flat { "flat" } else { "GREW" }
        ));
        verdicts.push(format!(
            "open fds {}: at most {fds_early} early, {fds_late} late (allowed: +8)",
            if fds_flat { "flat" } else { "GREW" }
        ));
        verdicts.push(format!(
            "latency {}: median per-minute p99 {p99_early:.1} ms early, {p99_late:.1} ms late (allowed: x1.5 +5 ms)",
            if latency_flat { "flat" } else { "GREW" }
        ));
        flat = rss_flat && fds_flat && latency_flat;
    } else {
        verdicts.push("too short for a verdict on flatness: run at least 4 samples".to_owned());
    }
    let total = shared.requests.load(Ordering::Relaxed);
    let failures = shared.failures.lock().unwrap().clone();
    println!(
        "\n{total} requests in {:.0?}; {} 5xx; {} failed checks",
        started.elapsed(),
        shared.server_errors.load(Ordering::Relaxed),
        failures.len()
    );
    println!("tool changes committed: {written}; heard by each long-lived subscriber: {heard:?}");
    for verdict in &verdicts {
        println!("{verdict}");
    }
    for failure in failures.iter().take(20) {
        println!("  failure: {}", failure.chars().take(400).collect::<String>());
    }
    let heard_all = heard.iter().all(|h| *h == written);
    if !heard_all {
        println!("  a subscriber missed changes (or heard extra ones)");
    }
    if !flat || !failures.is_empty() || !heard_all {
        std::process::exit(1);
    }
}
