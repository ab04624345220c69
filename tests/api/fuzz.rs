//! Generated input through the real HTTP stack: documents built from the GraphQL grammar and from
//! `schema.graphql` (valid, and subtly invalid), random JSON bodies, variables, headers, methods and paths,
//! sent to the built binary. Properties, for every case: no panic and no error in the server's log, no
//! 5xx but the documented 503 and 504, every error with a documented `extensions.code` (and never
//! `INTERNAL`: that is a fault of ours), every answer within the request timeout.
//!
//! Each case is built from a tape of random numbers that proptest draws from a seed; a failing case is
//! shrunk by shortening its tape and lowering its numbers (zero is always the simplest choice). `cargo test` runs
//! `CAREERQL_FUZZ_CASES` cases (default 3,000; half as many on PostgreSQL) from `CAREERQL_FUZZ_SEED` (default fixed) on each backend;
//! `scripts/fuzz.sh` runs many more from a seed of its own. A failure prints the seed, the case and the
//! shrunk request; add that request to `REGRESSIONS` below once it is understood.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use careerql::graphql::error::ErrorCode;
use futures_util::StreamExt;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestProcess, spawn_process_with};

/// The server's request timeout for the run; every answer must come within it (and a little slack).
const TIMEOUT_MS: u64 = 4000;
const SLACK: Duration = Duration::from_millis(2500);
/// Cases in flight at once.
const PARALLEL: usize = 6;

#[tokio::test]
async fn sqlite_generated_requests_keep_every_property() {
    fuzz(Backend::Sqlite, 1.0).await;
}

#[tokio::test]
async fn postgres_generated_requests_keep_every_property() {
    // Half as many on PostgreSQL: the HTTP stack is the same, only what reaches SQL differs.
    fuzz(Backend::Postgres, 0.5).await;
}

#[tokio::test]
async fn sqlite_regressions_keep_every_property() {
    regressions_keep_every_property(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_regressions_keep_every_property() {
    regressions_keep_every_property(Backend::Postgres).await;
}

async fn regressions_keep_every_property(backend: Backend) {
    let Some(mut server) = start(backend).await else { return };
    let editor = editor_key(&server).await;
    for (n, regression) in regressions(&editor).into_iter().enumerate() {
        if let Err(failure) = run_case(&mut server, &regression, 1_000_000 + n as u64).await {
            panic!("regression {n} ({}) fails: {failure}\n{}", regression.label, regression.describe());
        }
    }
}

/// Requests that once broke a property, kept as they were found.
fn regressions(editor: &str) -> Vec<Case> {
    vec![
        Case::post("the smallest document", "{ __typename }"),
        // An enum where an input object belongs passed validation, and the argument's parse error then
        // came back as INTERNAL (fixed in `ensure_codes`: BAD_USER_INPUT).
        Case::post("an enum for an input object", "{ tools(filter: { name: NOT_A_VALUE }) { __typename } }"),
        Case::post("a number for an input object", "{ roles(filter: { slug: 5 }) { totalCount } }"),
        Case::post("a string for a nested input object", r#"{ salaryRanges(filter: { city: "x" }) { totalCount } }"#),
        // PostgreSQL cannot hold U+0000: a filter or a write with one came back as INTERNAL there (now
        // BAD_USER_INPUT; SQLite stores it).
        Case::post("NUL in a filter", r#"{ cities(filter: { areaCode: { contains: "a\u0000b" } }) { totalCount } }"#),
        Case::post("NUL in a lookup", r#"{ role(slug: "\u0000") { slug } }"#),
        // FTS5's query parser read a NUL in a search as the end of a string: INTERNAL on SQLite.
        Case::post("NUL in a search", r#"{ search(text: "ab\u0000\u0000\u0000") { __typename } }"#),
        with_key(
            editor,
            Case::post(
                "NUL in a write",
                r#"mutation { createTool(input: { slug: "nul", name: "a\u0000b", category: DATABASE }) { tool { slug } userErrors { code } } }"#,
            ),
        ),
    ]
}

fn with_key(key: &str, mut case: Case) -> Case {
    case.headers.push(("authorization".to_owned(), format!("Bearer {key}").into_bytes()));
    case
}

fn settings() -> (u64, usize) {
    let seed = std::env::var("CAREERQL_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_2026);
    let cases = std::env::var("CAREERQL_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    (seed, cases)
}

async fn start(backend: Backend) -> Option<TestProcess> {
    let timeout = TIMEOUT_MS.to_string();
    let flags = ["--rate-limit-per-minute", "0", "--request-timeout-ms", &timeout];
    spawn_process_with(backend, &flags).await
}

async fn editor_key(server: &TestProcess) -> String {
    let db = sea_orm::Database::connect(&server.database_url).await.expect("connect");
    careerql::auth::create_key(&db, "fuzz-editor", careerql::auth::KeyRole::Editor).await.expect("a key")
}

async fn fuzz(backend: Backend, share: f64) {
    let Some(mut server) = start(backend).await else { return };
    let (seed, cases) = settings();
    let cases = ((cases as f64) * share).ceil() as usize;
    let model = Model::load();
    let editor = editor_key(&server).await;
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let tapes = proptest::collection::vec(proptest::num::u32::ANY, 0..400);
    // `CAREERQL_FUZZ_SHOW=1` prints every case before it is sent.
    let show = std::env::var("CAREERQL_FUZZ_SHOW").is_ok_and(|v| v == "1");
    let started = Instant::now();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    // Error codes seen (`OK` for an answer with data and no errors), to see what the cases reach.
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();

    let mut done = 0;
    while done < cases {
        let chunk: Vec<_> = (done..cases.min(done + PARALLEL * 8))
            .map(|n| {
                let tape = tapes.new_tree(&mut runner).expect("a tape").current();
                let case = generate(&model, &tape, &editor).0;
                if show {
                    eprintln!("--- case {n}: {}", case.describe());
                }
                (n as u64, tape, case)
            })
            .collect();
        let sent = futures_util::stream::iter(chunk.iter().map(|(n, _, case)| send(&server, case, *n)))
            .buffered(PARALLEL)
            .collect::<Vec<_>>()
            .await;
        let logged = logged_faults(&mut server).await;
        for ((n, tape, case), outcome) in chunk.into_iter().zip(sent) {
            if let Ok(answer) = &outcome {
                *statuses.entry(answer.status).or_default() += 1;
                for code in codes_in(&answer.body) {
                    *codes.entry(code).or_default() += 1;
                }
            }
            let failure = match check(case_path(&case), &outcome) {
                Err(failure) => Some(failure),
                Ok(()) => logged.get(&request_id(n)).cloned(),
            };
            if let Some(failure) = failure {
                let (case, failure) = shrink(&mut server, &model, &editor, tape, failure).await;
                panic!(
                    "case {n} of seed {seed} fails: {failure}\nshrunk to:\n{}\n(re-run: CAREERQL_FUZZ_SEED={seed} CAREERQL_FUZZ_CASES={})",
                    case.describe(),
                    n + 1
                );
            }
        }
        done += PARALLEL * 8;
    }
    let faults = logged_faults(&mut server).await;
    assert!(faults.is_empty(), "faults logged outside any case: {faults:?}");
    let health = server.client.get(server.url("/healthz")).send().await.expect("the server still answers");
    assert_eq!(health.status(), 200);
    eprintln!(
        "{cases} generated cases from seed {seed} in {:.1?}; statuses {statuses:?}; codes {codes:?}",
        started.elapsed()
    );
}

/// Shrinks a failing tape, as Hypothesis does: drop what the generator did not read, then remove runs of
/// choices and lower single choices to zero (the simplest), keeping each change under which the case still
/// fails; at most `SHRINK_TRIES` requests.
async fn shrink(
    server: &mut TestProcess,
    model: &Model,
    editor: &str,
    tape: Vec<u32>,
    failure: String,
) -> (Case, String) {
    const SHRINK_TRIES: u64 = 1500;
    let (mut best, mut failure) = (tape, failure);
    best.truncate(generate(model, &best, editor).1);
    let mut tries = 0;
    let mut still_fails = async |candidate: &[u32], tries: &mut u64| -> Option<String> {
        *tries += 1;
        run_case(server, &generate(model, candidate, editor).0, 2_000_000 + *tries).await.err()
    };
    loop {
        let before = best.clone();
        for run in [16, 8, 4, 2, 1] {
            let mut at = 0;
            while at + run <= best.len() && tries < SHRINK_TRIES {
                let mut candidate = best.clone();
                candidate.drain(at..at + run);
                match still_fails(&candidate, &mut tries).await {
                    Some(still) => (best, failure) = (candidate, still),
                    None => at += 1,
                }
            }
        }
        for at in 0..best.len() {
            for smaller in [0, 1, best[at] / 2] {
                if smaller >= best[at] || tries >= SHRINK_TRIES {
                    continue;
                }
                let mut candidate = best.clone();
                candidate[at] = smaller;
                if let Some(still) = still_fails(&candidate, &mut tries).await {
                    (best, failure) = (candidate, still);
                    break;
                }
            }
        }
        if best == before || tries >= SHRINK_TRIES {
            return (generate(model, &best, editor).0, failure);
        }
    }
}

/// Sends one case and checks it, its log lines included.
async fn run_case(server: &mut TestProcess, case: &Case, n: u64) -> Result<(), String> {
    let outcome = send(server, case, n).await;
    check(case_path(case), &outcome)?;
    match logged_faults(server).await.remove(&request_id(n)) {
        Some(fault) => Err(fault),
        None => Ok(()),
    }
}

fn case_path(case: &Case) -> (&str, &str) {
    (case.method.as_str(), case.path.split('?').next().unwrap_or_default())
}

fn request_id(n: u64) -> String {
    format!("fuzz-{n}")
}

/// Errors and panics in the server's log since the last look, by the request id they were logged under
/// (`?` for lines outside any request). Waits a moment for lines still in the pipe.
async fn logged_faults(server: &mut TestProcess) -> BTreeMap<String, String> {
    tokio::time::sleep(Duration::from_millis(30)).await;
    let mut faults = BTreeMap::new();
    for line in server.new_log_lines() {
        let json: Option<Value> = serde_json::from_str(&line).ok();
        let fault = match &json {
            Some(json) => json["level"] == "ERROR" || line.contains("panicked"),
            // Only the JSON logger writes lines; anything else (a panic's own message) is a fault.
            None => !line.trim().is_empty(),
        };
        if fault {
            let id = json
                .as_ref()
                .and_then(|json| {
                    json["spans"].as_array()?.iter().find_map(|s| s["request_id"].as_str().map(str::to_owned))
                })
                .unwrap_or_else(|| "?".to_owned());
            faults.entry(id).or_insert(format!("logged: {line}"));
        }
    }
    faults
}

/// What came back: status, content type, body, and how long it took.
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    elapsed: Duration,
}

async fn send(server: &TestProcess, case: &Case, n: u64) -> Result<Answer, String> {
    let url = server.url(&case.path);
    let mut request = server.client.request(case.method.clone(), url).header("x-request-id", request_id(n));
    for (name, value) in &case.headers {
        if let (Ok(name), Ok(value)) =
            (reqwest::header::HeaderName::from_bytes(name.as_bytes()), reqwest::header::HeaderValue::from_bytes(value))
        {
            request = request.header(name, value);
        }
    }
    if !case.body.is_empty() {
        request = request.body(case.body.clone());
    }
    let started = Instant::now();
    let limit = Duration::from_millis(TIMEOUT_MS) + SLACK;
    let response = match tokio::time::timeout(limit, request.send()).await {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => return Err(format!("no answer: {error:?}")),
        Err(_) => return Err(format!("no answer within {limit:?}")),
    };
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = match tokio::time::timeout(limit.saturating_sub(started.elapsed()), response.bytes()).await {
        Ok(Ok(body)) => body.to_vec(),
        Ok(Err(error)) => return Err(format!("the body broke off: {error:?}")),
        Err(_) => return Err(format!("the body did not arrive within {limit:?}")),
    };
    Ok(Answer { status, content_type, body, elapsed: started.elapsed() })
}

/// The first error code of each response in an answer's body (`OK` for data without errors).
fn codes_in(body: &[u8]) -> Vec<String> {
    let Ok(body) = serde_json::from_slice::<Value>(body) else { return Vec::new() };
    let responses = match body {
        Value::Array(items) => items,
        other => vec![other],
    };
    responses
        .iter()
        .map(|response| match response["errors"][0]["extensions"]["code"].as_str() {
            Some(code) => code.to_owned(),
            None if response["data"].is_object() => "OK".to_owned(),
            None => "-".to_owned(),
        })
        .collect()
}

/// The properties of one answer.
fn check((method, path): (&str, &str), outcome: &Result<Answer, String>) -> Result<(), String> {
    let answer = outcome.as_ref().map_err(Clone::clone)?;
    if answer.elapsed > Duration::from_millis(TIMEOUT_MS) + SLACK {
        return Err(format!("answered after {:?}", answer.elapsed));
    }
    // 503 (unavailable) and 504 (timeout) are documented; any other 5xx is a fault.
    if answer.status >= 500 && !matches!(answer.status, 503 | 504) {
        return Err(format!("status {}: {}", answer.status, String::from_utf8_lossy(&answer.body)));
    }
    if path != "/graphql" || method == "HEAD" || !answer.content_type.contains("json") {
        return Ok(());
    }
    let body: Value = serde_json::from_slice(&answer.body)
        .map_err(|error| format!("status {}: the body is not JSON ({error})", answer.status))?;
    let responses = match &body {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    for response in &responses {
        for error in response["errors"].as_array().into_iter().flatten() {
            let code = error["extensions"]["code"].as_str();
            match code.and_then(ErrorCode::parse) {
                None => return Err(format!("an error without a documented code: {error}")),
                Some(ErrorCode::Internal) => return Err(format!("INTERNAL: {body}")),
                Some(_) => {}
            }
        }
        user_error_codes(&response["data"])?;
    }
    Ok(())
}

/// Every `userErrors[].code` in an answer is one the payloads document.
fn user_error_codes(data: &Value) -> Result<(), String> {
    match data {
        Value::Object(fields) => {
            for (name, value) in fields {
                if name == "userErrors" {
                    for error in value.as_array().into_iter().flatten() {
                        let code = error["code"].as_str().unwrap_or("(none)");
                        if !matches!(code, "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT") && error.get("code").is_some() {
                            return Err(format!("a user error with code {code}: {error}"));
                        }
                    }
                }
                user_error_codes(value)?;
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(user_error_codes),
        _ => Ok(()),
    }
}

/// One generated request.
#[derive(Clone, Debug)]
struct Case {
    label: &'static str,
    method: reqwest::Method,
    path: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Case {
    fn post(label: &'static str, query: &str) -> Self {
        Case::json(label, json!({ "query": query }).to_string().into_bytes())
    }

    fn json(label: &'static str, body: Vec<u8>) -> Self {
        Case {
            label,
            method: reqwest::Method::POST,
            path: "/graphql".to_owned(),
            headers: vec![("content-type".to_owned(), b"application/json".to_vec())],
            body,
        }
    }

    /// The request as text, to read and to paste into `REGRESSIONS`.
    fn describe(&self) -> String {
        let mut text = format!("{} {} ({})\n", self.method, self.path, self.label);
        for (name, value) in &self.headers {
            let _ = writeln!(text, "{name}: {}", String::from_utf8_lossy(value).escape_debug());
        }
        let body = String::from_utf8_lossy(&self.body);
        let shown: String = body.chars().take(4000).collect();
        let _ = write!(text, "\n{}", shown.escape_debug());
        if body.chars().count() > 4000 {
            text.push('…');
        }
        text
    }
}

// ---------------------------------------------------------------------------------------------------
// The schema, as the generator needs it.

struct Field {
    name: String,
    args: Vec<Input>,
    ty: Type,
}

struct Input {
    name: String,
    ty: Type,
    has_default: bool,
}

enum Kind {
    Scalar,
    /// Objects and interfaces: fields, and (for an interface) the objects implementing it.
    Object(Vec<Field>, Vec<String>),
    Union(Vec<String>),
    Enum(Vec<String>),
    Input(Vec<Input>),
}

struct Model {
    types: BTreeMap<String, Kind>,
}

impl Model {
    fn load() -> Model {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).expect("schema");
        let document = async_graphql::parser::parse_schema(text).expect("schema.graphql parses");
        let mut types = BTreeMap::new();
        for scalar in ["Int", "Float", "String", "Boolean", "ID"] {
            types.insert(scalar.to_owned(), Kind::Scalar);
        }
        let input = |value: &async_graphql::parser::types::InputValueDefinition| Input {
            name: value.name.node.to_string(),
            ty: value.ty.node.clone(),
            has_default: value.default_value.is_some(),
        };
        let mut implementers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for definition in &document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else { continue };
            let definition = &definition.node;
            let name = definition.name.node.to_string();
            let fields =
                |fields: &[async_graphql::parser::Positioned<async_graphql::parser::types::FieldDefinition>]| {
                    fields
                        .iter()
                        .map(|f| Field {
                            name: f.node.name.node.to_string(),
                            args: f.node.arguments.iter().map(|a| input(&a.node)).collect(),
                            ty: f.node.ty.node.clone(),
                        })
                        .collect()
                };
            let kind = match &definition.kind {
                TypeKind::Scalar => Kind::Scalar,
                TypeKind::Object(object) => {
                    for interface in &object.implements {
                        implementers.entry(interface.node.to_string()).or_default().push(name.clone());
                    }
                    Kind::Object(fields(&object.fields), Vec::new())
                }
                TypeKind::Interface(interface) => Kind::Object(fields(&interface.fields), Vec::new()),
                TypeKind::Union(union) => Kind::Union(union.members.iter().map(|m| m.node.to_string()).collect()),
                TypeKind::Enum(e) => Kind::Enum(e.values.iter().map(|v| v.node.value.node.to_string()).collect()),
                TypeKind::InputObject(object) => Kind::Input(object.fields.iter().map(|f| input(&f.node)).collect()),
            };
            types.insert(name, kind);
        }
        for (interface, objects) in implementers {
            if let Some(Kind::Object(_, implementing)) = types.get_mut(&interface) {
                *implementing = objects;
            }
        }
        Model { types }
    }

    fn names(&self) -> Vec<&str> {
        self.types.keys().map(String::as_str).collect()
    }
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

// ---------------------------------------------------------------------------------------------------
// The tape: every choice the generator makes, drawn from proptest's numbers. Zero is always the simplest
// choice, and a tape that runs out answers zero, so shrinking a tape shrinks the request.

struct Tape<'a> {
    numbers: &'a [u32],
    at: usize,
}

impl Tape<'_> {
    fn next(&mut self) -> u32 {
        let number = self.numbers.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        number
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.next() as usize % n }
    }

    /// True `percent` times in 100; false for a zero.
    fn chance(&mut self, percent: u32) -> bool {
        self.next() % 100 >= 100 - percent.min(100)
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len())]
    }

    fn exhausted(&self) -> bool {
        self.at >= self.numbers.len()
    }
}

/// Strings a client might send, the odd ones included.
const STRINGS: &[&str] = &[
    "senior-backend-engineer",
    "python",
    "api-design",
    "united-states",
    "san-francisco-ca",
    "15-1252",
    "postgres",
    "",
    " ",
    "é",
    "日本語",
    "🦀",
    "\u{200B}",
    "\u{202E}desrever",
    "\u{FEFF}bom",
    "a\u{0}b",
    "\u{1F600}\u{1F600}\u{1F600}",
    "'; DROP TABLE role; --",
    "%00",
    "\\",
    "\"",
    "\n\r\t",
    "0000000",
    "NaN",
    "null",
    "\u{10FFFF}",
    "Ω≈ç√∫",
    "ﷺ",
];

/// Mostly page sizes a list takes (0–100); the rest out of range, for twisted documents and by chance.
const INTS: &[&str] = &["1", "2", "5", "10", "20", "50", "100", "3", "0", "2025"];
const ODD_INTS: &[&str] = &["-1", "101", "1000", "2147483647", "-2147483648"];
const HUGE_INTS: &[&str] =
    &["2147483648", "-2147483649", "99999999999999999999999", "9223372036854775808", "1e3", "0x10", "01"];
const FLOATS: &[&str] = &[
    "0",
    "1.5",
    "-2.5",
    "135000",
    "0.005",
    "1e6",
    "1e308",
    "-1e308",
    "5e-324",
    "239200",
    "1.0",
    "1.7976931348623157e308",
    "-2.2250738585072014e-308",
    "92233720368547758.07",
];
const HUGE_FLOATS: &[&str] = &["1e400", "-1e400", "1.7976931348623157e309", "123456789012345678901234567890.5"];

/// Escapes `text` as a GraphQL string literal.
fn literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A document under construction from the schema.
struct Doc<'m, 't, 'n> {
    model: &'m Model,
    tape: &'t mut Tape<'n>,
    /// Whether to twist it: unknown fields, wrong types, missing arguments, odd values.
    twisted: bool,
    variables: Vec<(String, String, Value)>,
    fragments: Vec<String>,
    depth_limit: usize,
    fields: usize,
}

impl Doc<'_, '_, '_> {
    fn twist(&mut self) -> bool {
        self.twisted && self.tape.chance(6)
    }

    /// A value for an argument or input field of type `ty`: its literal and its JSON.
    fn value(&mut self, ty: &Type, depth: usize) -> (String, Value) {
        if ty.nullable && self.tape.chance(4) {
            return ("null".into(), Value::Null);
        }
        if self.twist() {
            if !ty.nullable && self.tape.chance(30) {
                return ("null".into(), Value::Null);
            }
            return self.wrong_value();
        }
        match &ty.base {
            BaseType::List(inner) => {
                if self.tape.chance(20) || depth > 4 {
                    return self.value(inner, depth + 1);
                }
                if self.tape.chance(3) {
                    // A long list: a client's thousands of slugs or `or`ed filters, past the databases'
                    // limits on bound values (SQLite's 32,766) and on how deeply an expression nests.
                    let (text, json) = self.value(inner, depth + 1);
                    // No more than a few megabytes, which the body limit refuses anyway.
                    let n = (*self.tape.pick(&[300, 1_000, 5_000, 40_000])).min(4_000_000 / (text.len() + 2));
                    return (format!("[{}]", vec![text; n].join(", ")), Value::Array(vec![json; n]));
                }
                let n = self.tape.below(4);
                let items: Vec<(String, Value)> = (0..n).map(|_| self.value(inner, depth + 1)).collect();
                let text = items.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>().join(", ");
                (format!("[{text}]"), Value::Array(items.into_iter().map(|(_, v)| v).collect()))
            }
            BaseType::Named(name) => self.named_value(name, depth),
        }
    }

    fn named_value(&mut self, name: &str, depth: usize) -> (String, Value) {
        match name {
            "Int" => {
                let text = if self.twisted && self.tape.chance(20) {
                    *self.tape.pick(ODD_INTS)
                } else {
                    *self.tape.pick(INTS)
                };
                (text.to_owned(), json!(text.parse::<i64>().unwrap()))
            }
            "Float" => {
                let text = *self.tape.pick(FLOATS);
                (text.to_owned(), json!(text.parse::<f64>().unwrap()))
            }
            "Boolean" => {
                let b = self.tape.chance(50);
                (b.to_string(), json!(b))
            }
            "String" => {
                let text = self.string();
                (literal(&text), json!(text))
            }
            "ID" => {
                let id = self.id();
                (literal(&id), json!(id))
            }
            "JSON" => {
                let value = random_json(self.tape, 2);
                (json_literal(&value), value)
            }
            _ => match self.model.types.get(name) {
                Some(Kind::Enum(values)) => {
                    let value = self.tape.pick(values).clone();
                    (value.clone(), json!(value))
                }
                Some(Kind::Input(fields)) => {
                    let mut text = Vec::new();
                    let mut object = serde_json::Map::new();
                    for field in fields {
                        let required = !field.ty.nullable && !field.has_default;
                        let wanted = if required { !self.twist() } else { self.tape.chance(25) };
                        if wanted && depth < 6 {
                            let (literal, json) = self.value(&field.ty, depth + 1);
                            text.push(format!("{}: {literal}", field.name));
                            object.insert(field.name.clone(), json);
                        }
                    }
                    if self.twist() {
                        text.push("noSuchInput: 1".into());
                        object.insert("noSuchInput".into(), json!(1));
                    }
                    let (mut text, mut json) = (format!("{{ {} }}", text.join(", ")), Value::Object(object));
                    if fields.iter().any(|field| field.name == "not") && self.tape.chance(3) {
                        // A filter nested deep: under `not`, past the text's and JSON's nesting limits too.
                        for _ in 0..*self.tape.pick(&[20, 60, 200]) {
                            text = format!("{{ not: {text} }}");
                            json = json!({ "not": json });
                        }
                    }
                    (text, json)
                }
                _ => ("null".into(), Value::Null),
            },
        }
    }

    /// A value of the wrong kind, or out of range, or oddly spelled.
    fn wrong_value(&mut self) -> (String, Value) {
        match self.tape.below(7) {
            0 => {
                let text = *self.tape.pick(HUGE_INTS);
                (text.to_owned(), json!(text.parse::<f64>().unwrap_or(1e19)))
            }
            1 => {
                let text = *self.tape.pick(HUGE_FLOATS);
                (text.to_owned(), json!(f64::MAX))
            }
            2 => {
                let text = self.string();
                (literal(&text), json!(text))
            }
            3 => ("NOT_A_VALUE".into(), json!("NOT_A_VALUE")),
            4 => ("{ nope: true }".into(), json!({ "nope": true })),
            5 => ("[[[1]]]".into(), json!([[[1]]])),
            _ => ("true".into(), json!(true)),
        }
    }

    fn string(&mut self) -> String {
        match self.tape.below(10) {
            0..=6 => (*self.tape.pick(STRINGS)).to_owned(),
            7 if self.tape.chance(10) => "x".repeat(1 + self.tape.below(200_000)),
            7 if self.tape.chance(30) => "x".repeat(1 + self.tape.below(20_000)),
            7 => "x".repeat(1 + self.tape.below(300)),
            8 => {
                // Random code points, unassigned and private-use ones included (no surrogates: not chars).
                let n = self.tape.below(12);
                (0..n).filter_map(|_| char::from_u32(self.tape.next() % 0x11_0000)).collect()
            }
            _ => format!("{}-{}", self.tape.pick(STRINGS), self.tape.next()),
        }
    }

    fn id(&mut self) -> String {
        use base64::Engine;
        let names = self.model.names();
        let type_name = *self.tape.pick(&names);
        let row = match self.tape.below(4) {
            0 => "1".to_owned(),
            1 => self.tape.below(500).to_string(),
            2 => "99999999999".to_owned(),
            _ => "-1".to_owned(),
        };
        let objects = ["Role", "Skill", "Tool", "City", "Occupation", "SalaryRange"];
        let type_name = if self.twisted { type_name } else { *self.tape.pick(&objects) };
        match self.tape.below(if self.twisted { 5 } else { 3 }) {
            0..=2 => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{type_name}:{row}")),
            3 => format!("{type_name}:{row}"),
            _ => self.string(),
        }
    }

    /// An argument's value in place, or hoisted into a variable (which is how clients mostly send them).
    fn argument(&mut self, ty: &Type, depth: usize) -> String {
        let (text, json) = self.value(ty, depth);
        // A large value goes in a variable, as a client sends one: in the document the text limits stop it.
        if text.len() > 20_000 || self.tape.chance(25) {
            let name = format!("v{}", self.variables.len());
            let mut declared = ty.to_string();
            if self.twist() {
                declared = self.tape.pick(&["Int", "String!", "[ID!]!", "Nope", "Boolean"]).to_string();
            }
            let json = if self.twist() { random_json(self.tape, 2) } else { json };
            self.variables.push((name.clone(), declared, json));
            if self.twist() {
                return "$undeclared".into();
            }
            return format!("${name}");
        }
        text
    }

    /// A selection set on `type_name`.
    fn selection(&mut self, type_name: &str, depth: usize) -> String {
        let model = self.model;
        let mut parts = Vec::new();
        let count = 1 + self.tape.below(if depth < 2 { 4 } else { 3 });
        match model.types.get(type_name) {
            Some(Kind::Object(fields, implementers)) => {
                for _ in 0..count {
                    if self.fields > 400 {
                        break;
                    }
                    if self.tape.chance(8) {
                        parts.push("__typename".to_owned());
                        continue;
                    }
                    if !implementers.is_empty() && self.tape.chance(25) {
                        let on = self.tape.pick(implementers).clone();
                        let inner = self.selection(&on, depth);
                        parts.push(format!("... on {on} {inner}"));
                        continue;
                    }
                    if self.tape.chance(4) && depth < self.depth_limit {
                        let name = format!("F{}", self.fragments.len());
                        self.fragments.push(String::new());
                        let inner = self.selection(type_name, depth + 1);
                        let at = self.fragments.iter().position(String::is_empty).unwrap();
                        self.fragments[at] = format!("fragment {name} on {type_name} {inner}");
                        parts.push(format!("...{name}"));
                        continue;
                    }
                    let field = self.tape.pick(fields);
                    // The audit trail needs an admin key, which no case has: a valid document leaves it out.
                    if field.name == "changes" && !self.twisted {
                        continue;
                    }
                    parts.push(self.field(field, depth));
                }
            }
            Some(Kind::Union(members)) => {
                parts.push("__typename".to_owned());
                for _ in 0..count.min(members.len()) {
                    let on = self.tape.pick(members).clone();
                    let inner = self.selection(&on, depth);
                    parts.push(format!("... on {on} {inner}"));
                }
            }
            _ => parts.push("__typename".to_owned()),
        }
        if parts.is_empty() {
            parts.push("__typename".to_owned());
        }
        if self.twist() {
            parts.push(
                self.tape
                    .pick(&["noSuchField", "__schema { queryType { name } }", "slug(first: 1)", "...Nope"])
                    .to_string(),
            );
        }
        format!("{{ {} }}", parts.join(" "))
    }

    fn field(&mut self, field: &Field, depth: usize) -> String {
        self.fields += 1;
        let mut text = String::new();
        if self.tape.chance(12) {
            // Its own alias in a valid document (one alias for two different fields does not merge).
            let alias = if self.twisted { self.tape.below(60) } else { self.fields };
            let _ = write!(text, "a{alias}: ");
        }
        text.push_str(&field.name);
        let mut args = Vec::new();
        let mut paging = None;
        for arg in &field.args {
            let required = !arg.ty.nullable && !arg.has_default;
            let mut wanted = if required { !self.twist() } else { self.tape.chance(30) };
            // A valid document pages one way (`first`, or `last`) and has no cursors, which only a real
            // answer gives; a twisted one may mix them.
            if !self.twisted && matches!(arg.name.as_str(), "first" | "last" | "after" | "before") {
                let one_way = matches!(arg.name.as_str(), "first" | "last") && paging.is_none();
                wanted &= one_way;
                if wanted {
                    paging = Some(());
                }
            }
            if wanted {
                let value = self.argument(&arg.ty, depth);
                args.push(format!("{}: {value}", arg.name));
            }
        }
        if self.twist() {
            args.push("noSuchArgument: 1".into());
        }
        if !args.is_empty() {
            let _ = write!(text, "({})", args.join(", "));
        }
        if self.tape.chance(6) {
            let directive = match self.tape.below(4) {
                0 => "@include(if: true)".to_owned(),
                1 => "@skip(if: false)".to_owned(),
                2 => format!("@skip(if: {})", self.argument(&Type::new("Boolean!").unwrap(), depth)),
                _ if self.twisted => "@deprecated".to_owned(),
                _ => "@include(if: false)".to_owned(),
            };
            text.push(' ');
            text.push_str(&directive);
        }
        let target = named(&field.ty);
        let composite = matches!(self.model.types.get(target), Some(Kind::Object(..) | Kind::Union(_)));
        if composite {
            if depth >= self.depth_limit || self.tape.exhausted() {
                if !self.twist() {
                    text.push_str(" { __typename }");
                }
            } else {
                let inner = self.selection(target, depth + 1);
                text.push(' ');
                text.push_str(&inner);
            }
        } else if self.twist() {
            text.push_str(" { slug }");
        }
        text
    }
}

/// A document from the schema, and its variables.
fn schema_document(model: &Model, tape: &mut Tape<'_>, twisted: bool) -> (String, Value, Option<String>) {
    let (root, keyword) = match tape.below(10) {
        0..=6 => ("Query", "query"),
        7 | 8 => ("Mutation", "mutation"),
        _ => ("Subscription", "subscription"),
    };
    let depth_limit = if twisted && tape.chance(10) { 14 } else { 2 + tape.below(4) };
    let mut doc = Doc { model, tape, twisted, variables: Vec::new(), fragments: Vec::new(), depth_limit, fields: 0 };
    let selection = doc.selection(root, 1);
    let named_operation = doc.tape.chance(40) || !doc.variables.is_empty();
    let name = format!("Op{}", doc.tape.below(3));
    let mut text = String::new();
    if named_operation {
        let declared: Vec<String> = doc.variables.iter().map(|(n, t, _)| format!("${n}: {t}")).collect();
        let _ = write!(text, "{keyword} {name}");
        if !declared.is_empty() {
            let _ = write!(text, "({})", declared.join(", "));
        }
        text.push(' ');
    } else if keyword != "query" {
        text.push_str(keyword);
        text.push(' ');
    }
    text.push_str(&selection);
    for fragment in &doc.fragments {
        text.push(' ');
        text.push_str(fragment);
    }
    let mut variables = serde_json::Map::new();
    for (name, _, value) in &doc.variables {
        if !(doc.twisted && doc.tape.chance(10)) {
            variables.insert(name.clone(), value.clone());
        }
    }
    if doc.twist() {
        // A second operation: then `operationName` must say which.
        text.push_str(" query Other { __typename }");
    }
    let operation_name = named_operation.then_some(name).filter(|_| !doc.twist());
    (text, Value::Object(variables), operation_name)
}

/// Text from GraphQL's grammar, tokens strung together at random: mostly not a valid document.
fn grammar_soup(model: &Model, tape: &mut Tape<'_>) -> String {
    const TOKENS: &[&str] = &[
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ":",
        "!",
        "$",
        "@",
        "...",
        "=",
        "|",
        "&",
        ",",
        "query",
        "mutation",
        "subscription",
        "fragment",
        "on",
        "true",
        "false",
        "null",
        "__typename",
        "__schema",
        "__type",
        "\"s\"",
        "\"\"\"block \"\" string\"\"\"",
        "\"unterminated",
        "\"\\uD800\"",
        "\"\\u{1F600}\"",
        "\"\\x\"",
        "0",
        "-0",
        "1.5e10",
        "0x1F",
        "1.2.3",
        ".5",
        "-",
        "# comment\n",
        "\n",
        "\t",
        "\u{FEFF}",
        "\u{00A0}",
        "\u{2028}",
        "\u{0}",
        "schema",
        "type",
        "extend",
        "directive",
        "@include(if: true)",
        "roles",
        "nodes",
        "slug",
    ];
    let names: Vec<&str> = model.names();
    let n = tape.below(80);
    let mut text = String::new();
    let mut open = 0usize;
    for _ in 0..n {
        match tape.below(8) {
            0 => {
                text.push('{');
                open += 1;
            }
            1 if open > 0 => {
                text.push('}');
                open -= 1;
            }
            2 => text.push_str(tape.pick::<&str>(&names)),
            _ => text.push_str(tape.pick::<&str>(TOKENS)),
        }
        text.push(' ');
    }
    if tape.chance(70) {
        text.push_str(&"}".repeat(open));
    }
    text
}

fn random_json(tape: &mut Tape<'_>, depth: usize) -> Value {
    const KEYS: &[&str] = &[
        "query",
        "variables",
        "operationName",
        "extensions",
        "persistedQuery",
        "sha256Hash",
        "version",
        "id",
        "",
        "__proto__",
        "é",
        "slug",
    ];
    match tape.below(if depth == 0 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(tape.chance(50)),
        2 => {
            let text = *tape.pick(FLOATS);
            json!(text.parse::<f64>().unwrap())
        }
        3 => json!(*tape.pick(STRINGS)),
        4 => json!(tape.next() as i64 - i32::MAX as i64),
        5 | 6 => {
            let n = tape.below(5);
            let mut object = serde_json::Map::new();
            for _ in 0..n {
                let key = (*tape.pick(KEYS)).to_owned();
                object.insert(key, random_json(tape, depth - 1));
            }
            Value::Object(object)
        }
        _ => Value::Array((0..tape.below(4)).map(|_| random_json(tape, depth - 1)).collect()),
    }
}

/// JSON as a GraphQL literal (for the `JSON` scalar): keys unquoted, strings escaped.
fn json_literal(value: &Value) -> String {
    match value {
        Value::Object(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .filter(|(k, _)| {
                    !k.is_empty()
                        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !k.starts_with(|c: char| c.is_ascii_digit())
                })
                .map(|(k, v)| format!("{k}: {}", json_literal(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(json_literal).collect::<Vec<_>>().join(", ")),
        Value::String(text) => literal(text),
        other => other.to_string(),
    }
}

/// A request body of the standard shape around `query`.
fn body(query: &str, variables: &Value, operation_name: Option<&str>, tape: &mut Tape<'_>) -> Value {
    let mut body = json!({ "query": query });
    if variables.as_object().is_some_and(|v| !v.is_empty()) || tape.chance(20) {
        body["variables"] = variables.clone();
    }
    if let Some(name) = operation_name {
        body["operationName"] = json!(name);
    }
    if tape.chance(5) {
        let hash = if tape.chance(50) { "0".repeat(64) } else { (*tape.pick(STRINGS)).to_owned() };
        body["extensions"] = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        if tape.chance(50) {
            body.as_object_mut().unwrap().remove("query");
        }
    }
    body
}

/// Bytes of a body, bent: cut short, a byte changed, invalid UTF-8, a BOM, deep arrays, padding.
fn bend(bytes: Vec<u8>, tape: &mut Tape<'_>) -> Vec<u8> {
    let mut bytes = bytes;
    match tape.below(8) {
        0 => {
            let at = tape.below(bytes.len() + 1);
            bytes.truncate(at);
        }
        1 if !bytes.is_empty() => {
            let at = tape.below(bytes.len());
            bytes[at] = *tape.pick(&[0x00, 0xff, 0xc3, b'"', b'{', b'\\', b']']);
        }
        2 => {
            let at = tape.below(bytes.len() + 1);
            bytes.splice(at..at, [0xed, 0xa0, 0x80]); // an encoded surrogate: not UTF-8
        }
        3 => {
            bytes.splice(0..0, [0xef, 0xbb, 0xbf]);
        }
        4 => {
            let depth = 1 + tape.below(3000);
            bytes = format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes();
        }
        5 => {
            bytes.splice(0..0, std::iter::repeat_n(b' ', tape.below(100_000)));
        }
        6 => {
            // A key twice: which one wins is serde's choice, but it must not matter to the server.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            bytes = text.replacen('{', "{\"query\": \"{ __typename }\", ", 1).into_bytes();
        }
        _ => bytes.extend_from_slice(b" trailing"),
    }
    bytes
}

fn percent(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// One case from a tape, and how many of the tape's numbers it read.
fn generate(model: &Model, numbers: &[u32], editor: &str) -> (Case, usize) {
    let mut tape = Tape { numbers, at: 0 };
    let tape = &mut tape;
    let mut case = match tape.below(10) {
        0..=2 => {
            let (query, variables, name) = schema_document(model, tape, false);
            let case = Case::json("schema", body(&query, &variables, name.as_deref(), tape).to_string().into_bytes());
            // A client that writes sends its key.
            if query.starts_with("mutation") { with_key(editor, case) } else { case }
        }
        3 | 4 => {
            let (query, variables, name) = schema_document(model, tape, true);
            Case::json("twisted", body(&query, &variables, name.as_deref(), tape).to_string().into_bytes())
        }
        5 => {
            let soup = grammar_soup(model, tape);
            Case::json("grammar", body(&soup, &json!({}), None, tape).to_string().into_bytes())
        }
        6 => {
            let value = random_json(tape, 3);
            Case::json("json", value.to_string().into_bytes())
        }
        7 => {
            let (query, variables, name) = {
                let twisted = tape.chance(50);
                schema_document(model, tape, twisted)
            };
            let bytes = body(&query, &variables, name.as_deref(), tape).to_string().into_bytes();
            Case::json("bent", bend(bytes, tape))
        }
        8 => {
            let (query, variables, name) = {
                let twisted = tape.chance(50);
                schema_document(model, tape, twisted)
            };
            let mut path = format!("/graphql?query={}", percent(&query));
            if tape.chance(40) {
                let _ = write!(path, "&variables={}", percent(&variables.to_string()));
            }
            if let Some(name) = &name {
                let _ = write!(path, "&operationName={}", percent(name));
            }
            if tape.chance(10) {
                path.push_str(tape.pick::<&str>(&[
                    "&query=%7B",
                    "%zz",
                    "&variables=%7B",
                    "&extensions=null",
                    "%ff%fe",
                ]));
            }
            if path.len() > 60_000 {
                // Longer than a URI can be (65,534 bytes for the http crate): a client would POST it.
                Case::json("get", body(&query, &variables, name.as_deref(), tape).to_string().into_bytes())
            } else {
                Case { label: "get", method: reqwest::Method::GET, path, headers: Vec::new(), body: Vec::new() }
            }
        }
        _ => {
            let n = tape.below(13);
            let items: Vec<Value> = (0..n)
                .map(|_| {
                    if tape.chance(20) {
                        random_json(tape, 2)
                    } else {
                        let (query, variables, name) = {
                            let twisted = tape.chance(50);
                            schema_document(model, tape, twisted)
                        };
                        body(&query, &variables, name.as_deref(), tape)
                    }
                })
                .collect();
            Case::json("batch", Value::Array(items).to_string().into_bytes())
        }
    };
    headers(&mut case, tape, editor);
    if tape.chance(4) {
        // Another method or another path.
        case.method = tape
            .pick(&[
                reqwest::Method::PUT,
                reqwest::Method::DELETE,
                reqwest::Method::PATCH,
                reqwest::Method::OPTIONS,
                reqwest::Method::HEAD,
                reqwest::Method::GET,
            ])
            .clone();
    }
    if tape.chance(3) {
        case.path = (*tape.pick(&[
            "/",
            "/explore",
            "/healthz",
            "/readyz",
            "/metrics",
            "/graphql/ws",
            "/graphql/",
            "/GRAPHQL",
            "/%2e%2e/etc/passwd",
            "/graphql%00",
            "/assets/graphiql/graphiql.min.js",
            "/explore/../graphql",
            "/\u{1F980}",
        ]))
        .to_owned();
    }
    (case, tape.at)
}

/// Headers as a client (or a fuzzer) sends them: the usual ones mostly, odd ones sometimes.
fn headers(case: &mut Case, tape: &mut Tape<'_>, editor: &str) {
    let mut set = |name: &str, value: &[u8]| {
        case.headers.retain(|(n, _)| n != name);
        case.headers.push((name.to_owned(), value.to_vec()));
    };
    if tape.chance(25) {
        let accept: &[u8] = tape.pick::<&[u8]>(&[
            &b"application/graphql-response+json"[..],
            b"application/json",
            b"*/*",
            b"text/html",
            b"application/*;q=0",
            b"application/json;q=0.5, application/graphql-response+json;q=0.9",
            b"application/graphql-response+json;q=0, application/json;q=0",
            b";;;,,,q=",
            b"application/json;q=NaN",
            b"\xff\xfe",
        ]);
        set("accept", accept);
    }
    if tape.chance(12) {
        let content_type: &[u8] = tape.pick::<&[u8]>(&[
            &b"application/json; charset=utf-8"[..],
            b"application/json; charset=latin1",
            b"text/plain",
            b"application/graphql",
            b"multipart/form-data; boundary=x",
            b"application/x-www-form-urlencoded",
            b"application/json;;;",
            b"",
        ]);
        set("content-type", content_type);
    }
    if tape.chance(20) {
        let token = match tape.below(6) {
            0 | 1 => format!("Bearer {editor}"),
            2 => "Bearer cql_1_nope".to_owned(),
            3 => "Basic YTpi".to_owned(),
            4 => format!("Bearer {}", "x".repeat(tape.below(10_000))),
            _ => "Bearer".to_owned(),
        };
        set("authorization", token.as_bytes());
    }
    if tape.chance(8) {
        let (name, value): (&str, &[u8]) = *tape.pick(&[
            ("content-encoding", &b"gzip"[..]),
            ("accept-encoding", b"br, gzip, deflate, zstd"),
            ("origin", b"https://evil.example"),
            ("x-forwarded-for", b"1.2.3.4, ::1, nonsense"),
            ("cookie", b"session=1"),
            ("x-apollo-operation-name", b"Op0"),
            ("apollo-require-preflight", b"true"),
            ("transfer-encoding", b"chunked"),
            ("expect", b"100-continue"),
            ("x-request-id", b"a second id"),
        ]);
        set(name, value);
    }
}
