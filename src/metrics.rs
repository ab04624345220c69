//! Prometheus metrics: every metric careerql records is named, described and recorded here; `/metrics`
//! renders them (see `http::metrics`). docs/operations.md lists them.
//!
//! A process has one global `metrics` recorder and it can be installed only once, while tests run many
//! apps in one process: so it is installed on first use and every app renders from the same handle.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{OnceLock, PoisonError, RwLock};
use std::time::Duration;

use axum::http::StatusCode;
use metrics::{
    Counter, Gauge, Histogram, Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "careerql_http_requests_total";
pub const HTTP_REQUEST_DURATION: &str = "careerql_http_request_duration_seconds";
pub const HTTP_REQUESTS_IN_FLIGHT: &str = "careerql_http_requests_in_flight";
pub const GRAPHQL_REQUESTS: &str = "careerql_graphql_requests_total";
pub const GRAPHQL_REQUEST_DURATION: &str = "careerql_graphql_request_duration_seconds";
pub const DB_STATEMENTS: &str = "careerql_db_statements_total";
pub const DB_STATEMENT_ERRORS: &str = "careerql_db_statement_errors_total";
pub const DB_STATEMENT_DURATION: &str = "careerql_db_statement_duration_seconds";
pub const DB_CONNECTIONS: &str = "careerql_db_connections";
pub const DB_WAL_BYTES: &str = "careerql_db_wal_bytes";
pub const DB_WAL_CHECKPOINTS: &str = "careerql_db_wal_checkpoints_total";
pub const DB_REPLICA_IN_ROTATION: &str = "careerql_db_replica_in_rotation";
pub const DB_REPLICA_LAG: &str = "careerql_db_replica_lag_seconds";
pub const DATALOADER_BATCH_SIZE: &str = "careerql_dataloader_batch_size";
pub const REJECTED_REQUESTS: &str = "careerql_rejected_requests_total";
pub const UNPLANNED_QUERIES: &str = "careerql_unplanned_queries_total";
pub const BUILD_INFO: &str = "careerql_build_info";

/// Latency buckets in seconds: from a cached lookup (well under a millisecond) to a request near a timeout.
const SECONDS_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Keys per loader batch: one key up to a full nested page of 100 parents, and beyond.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0];
/// How often histograms are folded in when nobody scrapes, so they cannot grow without bound.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's recorder handle, installing the recorder on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
            .and_then(|builder| {
                builder.set_buckets_for_metric(Matcher::Full(DATALOADER_BATCH_SIZE.into()), BATCH_BUCKETS)
            })
            .expect("bucket lists are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if let Err(error) = metrics::set_global_recorder(recorder) {
            // Someone else's recorder (an embedding program's) is in place: /metrics stays empty, nothing fails.
            tracing::warn!(%error, "a metrics recorder is already installed; /metrics will be empty");
        }
        describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            }
        });
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot start metrics upkeep; histograms are folded in at each scrape only");
        }
        handle
    })
}

fn describe() {
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by method, route and status code.");
    describe_histogram!(HTTP_REQUEST_DURATION, Unit::Seconds, "Time to produce an HTTP response, by method and route.");
    describe_gauge!(HTTP_REQUESTS_IN_FLIGHT, "HTTP requests being handled now.");
    describe_counter!(
        GRAPHQL_REQUESTS,
        "GraphQL operations run, by operation name, outcome code (OK, or the first error's code) and the executor \
         that answered (planned, resolvers)."
    );
    describe_histogram!(GRAPHQL_REQUEST_DURATION, Unit::Seconds, "Time to run a GraphQL operation, by operation name.");
    describe_counter!(
        DB_STATEMENTS,
        "SQL statements executed, by pool (primary, replica) and kind (select, insert, update, delete, other)."
    );
    describe_counter!(DB_STATEMENT_ERRORS, "SQL statements that failed, by pool and kind.");
    describe_histogram!(DB_STATEMENT_DURATION, Unit::Seconds, "SQL statement execution time, by pool and kind.");
    describe_gauge!(DB_REPLICA_IN_ROTATION, "1 while a read replica takes queries, 0 while it is out of rotation.");
    describe_gauge!(
        DB_REPLICA_LAG,
        Unit::Seconds,
        "How far a read replica's replay is behind the primary, as last checked."
    );
    describe_gauge!(
        DB_WAL_BYTES,
        Unit::Bytes,
        "Size of the SQLite write-ahead log, as of the last scrape or checkpoint (absent on PostgreSQL)."
    );
    describe_counter!(
        DB_WAL_CHECKPOINTS,
        "SQLite WAL checkpoints run, by outcome (truncated; busy: readers or a writer held the log past the wait)."
    );
    describe_gauge!(DB_CONNECTIONS, "Database pool connections, by state (in_use, idle).");
    describe_histogram!(DATALOADER_BATCH_SIZE, Unit::Count, "Keys per DataLoader batch, by table.");
    describe_counter!(
        UNPLANNED_QUERIES,
        "Operations the planned executor left to the resolvers, by why (operation, field, argument, empty_selection, conflicting_fields, not_found, database)."
    );
    describe_counter!(REJECTED_REQUESTS, "Requests refused before running, by the limit they broke.");
    describe_gauge!(BUILD_INFO, "Always 1; the version label says which careerql is running.");
    gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
}

/// Renders every metric in the Prometheus text format.
pub fn render() -> String {
    handle().render()
}

/// Counts a request refused by a limit before it ran. `limit` names the limit in snake case
/// (`body_size`, `depth`, `rate`, `persisted_query_allow_list`, …): a fixed set, never client input.
pub fn rejected(limit: &'static str) {
    counter!(REJECTED_REQUESTS, "limit" => limit).increment(1);
}

/// Counts an operation the planned executor left to the resolvers; `reason` is one of a fixed set.
pub fn unplanned(operation: String, reason: &'static str) {
    counter!(UNPLANNED_QUERIES, "operation" => operation, "reason" => reason).increment(1);
}

/// Records one SQL statement (from a pool's metric callback); `pool` is `primary` or `replica`.
pub fn statement(pool: &'static str, kind: &'static str, elapsed: Duration, failed: bool) {
    static HANDLES: Registered<(&str, &str), (Counter, Histogram, Counter)> = Registered::new();
    let (statements, duration, errors) = HANDLES.get((pool, kind), |&(pool, kind)| {
        (
            counter!(DB_STATEMENTS, "pool" => pool, "kind" => kind),
            histogram!(DB_STATEMENT_DURATION, "pool" => pool, "kind" => kind),
            counter!(DB_STATEMENT_ERRORS, "pool" => pool, "kind" => kind),
        )
    });
    statements.increment(1);
    duration.record(elapsed.as_secs_f64());
    if failed {
        errors.increment(1);
    }
}

/// Records a read replica's last check: whether it is in rotation, and its lag if it could be measured.
pub fn replica(name: &str, in_rotation: bool, lag: Option<Duration>) {
    gauge!(DB_REPLICA_IN_ROTATION, "replica" => name.to_owned()).set(if in_rotation { 1.0 } else { 0.0 });
    if let Some(lag) = lag {
        gauge!(DB_REPLICA_LAG, "replica" => name.to_owned()).set(lag.as_secs_f64());
    }
}

/// Sets the pool's connection gauges.
pub fn pool(in_use: usize, idle: usize) {
    gauge!(DB_CONNECTIONS, "state" => "in_use").set(in_use as f64);
    gauge!(DB_CONNECTIONS, "state" => "idle").set(idle as f64);
}

/// Sets the SQLite write-ahead log's size.
pub fn wal_bytes(bytes: u64) {
    gauge!(DB_WAL_BYTES).set(bytes as f64);
}

/// Records a WAL checkpoint: whether it truncated the log, and the log's size after it.
pub fn wal_checkpoint(truncated: bool, bytes: u64) {
    counter!(DB_WAL_CHECKPOINTS, "outcome" => if truncated { "truncated" } else { "busy" }).increment(1);
    wal_bytes(bytes);
}

/// Records one DataLoader batch of `keys` keys on `table`.
pub fn loader_batch(table: &str, keys: usize) {
    histogram!(DATALOADER_BATCH_SIZE, "table" => table.to_owned()).record(keys as f64);
}

/// A request method as a label: the standard ones by name, anything else as `other`.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        _ => "other",
    }
}

/// Records one answered HTTP request.
pub fn http_request(method: &'static str, route: String, status: StatusCode, elapsed: Duration) {
    static HANDLES: Registered<(&str, String, StatusCode), (Histogram, Counter)> = Registered::new();
    let (duration, requests) = HANDLES.get((method, route, status), |(method, route, status)| {
        (
            histogram!(HTTP_REQUEST_DURATION, "method" => *method, "route" => route.clone()),
            counter!(HTTP_REQUESTS, "method" => *method, "route" => route.clone(), "status" => status.as_str().to_owned()),
        )
    });
    duration.record(elapsed.as_secs_f64());
    requests.increment(1);
}

/// Times and counts a GraphQL operation; `operation` is bounded by `MAX_OPERATION_LABELS` (the guard's
/// `observe`), `code` by the error codes, `executor` by the executors.
pub fn graphql_request(operation: String, code: String, executor: &'static str, elapsed: Duration) {
    static HANDLES: Registered<(String, String, &str), (Histogram, Counter)> = Registered::new();
    let (duration, requests) = HANDLES.get((operation, code, executor), |(operation, code, executor)| {
        (
            histogram!(GRAPHQL_REQUEST_DURATION, "operation" => operation.clone()),
            counter!(GRAPHQL_REQUESTS, "operation" => operation.clone(), "code" => code.clone(), "executor" => *executor),
        )
    });
    duration.record(elapsed.as_secs_f64());
    requests.increment(1);
}

/// Holds the in-flight gauge up while alive, so a request that is cancelled still comes off it.
pub struct InFlight(&'static Gauge);

impl InFlight {
    pub fn start() -> Self {
        static GAUGE: OnceLock<Gauge> = OnceLock::new();
        // Registered with the process's recorder, which is installed on first use.
        let gauge = GAUGE.get_or_init(|| {
            handle();
            gauge!(HTTP_REQUESTS_IN_FLIGHT)
        });
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// Handles registered once for each set of label values, then kept: registering looks the key up in the
/// recorder's registry (hashing and copying its labels) on every call, which came to a tenth of the
/// instructions of `{ __typename }`. Every label set kept here is bounded.
struct Registered<K, H>(RwLock<Option<HashMap<K, H>>>);

impl<K: Hash + Eq, H: Clone> Registered<K, H> {
    const fn new() -> Self {
        Self(RwLock::new(None))
    }

    fn get(&self, key: K, register: impl FnOnce(&K) -> H) -> H {
        let known = self.0.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(handle) = known.as_ref().and_then(|handles| handles.get(&key)) {
            return handle.clone();
        }
        drop(known);
        // Registered with the process's recorder, which is installed on first use.
        handle();
        let mut handles = self.0.write().unwrap_or_else(PoisonError::into_inner);
        handles.get_or_insert_with(HashMap::new).entry(key).or_insert_with_key(register).clone()
    }
}
