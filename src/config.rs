//! Every setting in one place: each is a flag and an environment variable (`careerql --help` lists them),
//! and may also be written in a TOML file given by `--config`. Flags beat the environment, which beats the
//! file, which beats the defaults.
//!
//! A file's keys are the long flag names (`db-max-connections = 20`). Rather than a second, serde-shaped
//! description of the same settings, the file is read by handing its entries to clap as flags, but only
//! for settings that neither the command line nor the environment gave: so precedence, parsing and error
//! messages are clap's, and a section flattened in later (say, request limits) is covered without a line
//! here. Each argument's `id` is its long flag name: ids must be unique across flattened sections, and
//! field names (`file`, `url`) would not be.
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Read settings from this TOML file (keys are the long flag names); flags and environment variables
    /// override it.
    #[arg(id = "config", long = "config", env = "CAREERQL_CONFIG", value_name = "FILE", global = true)]
    pub file: Option<PathBuf>,

    #[command(flatten)]
    pub server: Server,

    #[command(flatten)]
    pub database: Database,

    #[command(flatten)]
    pub http: Http,

    #[command(flatten)]
    pub limits: Limits,

    #[command(flatten)]
    pub persisted_queries: PersistedQueries,

    #[command(flatten)]
    pub log: Log,

    #[command(flatten)]
    pub platform: Platform,

    /// The settings in force, as `key = value` lines of a config file (for `careerql config`).
    #[arg(skip)]
    pub effective: String,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Server")]
pub struct Server {
    /// Address to serve on.
    #[arg(
        id = "addr",
        long = "addr",
        value_name = "ADDR",
        env = "CAREERQL_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub addr: SocketAddr,

    /// After SIGTERM or ctrl-c, how long in-flight requests may take to finish before the server exits
    /// anyway (e.g. `25s`, `1m`).
    #[arg(id = "shutdown-grace", long = "shutdown-grace", value_name = "DURATION", env = "CAREERQL_SHUTDOWN_GRACE", default_value = "25s", value_parser = humantime::parse_duration, global = true)]
    pub shutdown_grace: Duration,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Database")]
pub struct Database {
    /// Database to use: `sqlite://FILE?mode=rwc` (created if missing) or `postgres://…`.
    #[arg(
        id = "database-url",
        long = "database-url",
        value_name = "URL",
        env = "DATABASE_URL",
        default_value = "sqlite://careerql.db?mode=rwc",
        global = true
    )]
    pub url: String,

    /// Most connections the pool opens.
    #[arg(id = "db-max-connections", long = "db-max-connections", value_name = "N", env = "CAREERQL_DB_MAX_CONNECTIONS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub max_connections: u32,

    /// How long a request waits for a database connection before failing with `UNAVAILABLE`. Short, so
    /// that an outage fails requests fast instead of piling them up.
    #[arg(id = "db-acquire-timeout", long = "db-acquire-timeout", value_name = "DURATION", env = "CAREERQL_DB_ACQUIRE_TIMEOUT", default_value = "3s",
          value_parser = humantime::parse_duration, global = true)]
    pub acquire_timeout: Duration,

    /// On PostgreSQL, how long one SQL statement may run before the server cancels it (the request gets
    /// `TIMEOUT`). Above the request timeout (`--request-timeout`, 10 s by default), so it never cuts a
    /// statement a request is still waiting for, but stops work a timed-out request left running. SQLite
    /// has no statement timeout; there it is ignored.
    #[arg(id = "db-statement-timeout", long = "db-statement-timeout", value_name = "DURATION", env = "CAREERQL_DB_STATEMENT_TIMEOUT", default_value = "15s",
          value_parser = parse_statement_timeout, global = true)]
    pub statement_timeout: Duration,

    /// On SQLite, how often the write-ahead log is checkpointed and truncated (`PRAGMA
    /// wal_checkpoint(TRUNCATE)`, waiting 1 s for the readers in it, twice as long after one that could not
    /// finish, up to 4 s): under constant reads SQLite's own checkpoints never get to start the log over, and
    /// it grows without bound. `0s` leaves it to SQLite. Ignored on PostgreSQL.
    #[arg(id = "db-wal-checkpoint-interval", long = "db-wal-checkpoint-interval", value_name = "DURATION", env = "CAREERQL_DB_WAL_CHECKPOINT_INTERVAL",
          default_value = "10s", value_parser = humantime::parse_duration, global = true)]
    pub wal_checkpoint_interval: Duration,

    /// PostgreSQL streaming replicas (comma-separated `postgres://…` URLs) that read-only queries may be
    /// sent to, in turn; writes, and reads that must see them, go to `--database-url`.
    #[arg(id = "database-replica-urls", long = "database-replica-urls", value_name = "URL", env = "CAREERQL_DATABASE_REPLICA_URLS",
          value_delimiter = ',', value_parser = parse_replica_url, global = true)]
    pub replica_urls: Vec<String>,

    /// A replica further behind the primary than this (or not answering) is taken out of rotation until it
    /// catches up; its queries go to the primary meanwhile.
    #[arg(id = "db-replica-max-lag", long = "db-replica-max-lag", value_name = "DURATION", env = "CAREERQL_DB_REPLICA_MAX_LAG", default_value = "5s",
          value_parser = parse_positive_duration, global = true)]
    pub replica_max_lag: Duration,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "HTTP")]
pub struct Http {
    /// Browser origins allowed to call the API cross-origin (comma-separated, e.g.
    /// `https://app.example.com`; `*` for any). None by default: only same-origin pages can.
    #[arg(id = "cors-allowed-origins", long = "cors-allowed-origins", env = "CAREERQL_CORS_ALLOWED_ORIGINS", value_delimiter = ',',
          value_parser = parse_origin, value_name = "ORIGIN", global = true)]
    pub cors_allowed_origins: Vec<String>,

    #[command(flatten)]
    pub connections: Connections,

    #[command(flatten)]
    pub security_headers: SecurityHeaders,
}

/// How the server bounds the connections clients hold open (`http::connections`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Connections")]
pub struct Connections {
    /// Most connections served at once; clients beyond it wait in the kernel's accept queue until one
    /// closes. Keep it below the open-file limit (`ulimit -n`) less the database pool and a margin.
    #[arg(id = "max-connections", long = "max-connections", value_name = "N", env = "CAREERQL_MAX_CONNECTIONS", default_value_t = Connections::DEFAULT.max_connections,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub max_connections: u32,

    /// How long a client may take to send a request's headers over HTTP/1, counted from when the server
    /// starts waiting for them, so also the longest an HTTP/1 connection waits for its next request.
    #[arg(id = "header-read-timeout", long = "header-read-timeout", value_name = "DURATION", env = "CAREERQL_HEADER_READ_TIMEOUT", default_value = "10s",
          value_parser = parse_positive_duration, global = true)]
    pub header_read_timeout: Duration,

    /// How long a connection may stay open with no request in flight before the server closes it (HTTP/2,
    /// and a connection that has not yet said which protocol it speaks).
    #[arg(id = "idle-timeout", long = "idle-timeout", value_name = "DURATION", env = "CAREERQL_IDLE_TIMEOUT", default_value = "60s",
          value_parser = parse_positive_duration, global = true)]
    pub idle_timeout: Duration,

    /// Most requests one HTTP/2 connection may have in flight at once.
    #[arg(id = "http2-max-concurrent-streams", long = "http2-max-concurrent-streams", value_name = "N", env = "CAREERQL_HTTP2_MAX_CONCURRENT_STREAMS",
          default_value_t = Connections::DEFAULT.http2_max_concurrent_streams, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub http2_max_concurrent_streams: u32,

    /// How often the server pings an HTTP/2 client; one that does not answer within the same time is
    /// disconnected.
    #[arg(id = "http2-keep-alive-interval", long = "http2-keep-alive-interval", value_name = "DURATION", env = "CAREERQL_HTTP2_KEEP_ALIVE_INTERVAL", default_value = "20s",
          value_parser = parse_positive_duration, global = true)]
    pub http2_keep_alive_interval: Duration,
}

impl Connections {
    pub const DEFAULT: Self = Self {
        // Far more than the database pool can serve at once, far fewer than the usual hard limit of open
        // files (1,048,576), and under a common soft limit raised for servers (65,536 or 20,000).
        max_connections: 10_000,
        header_read_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(60),
        http2_max_concurrent_streams: 100,
        http2_keep_alive_interval: Duration::from_secs(20),
    };
}

impl Default for Connections {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The headers every response carries for browsers (`http::security_headers`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Browser security headers")]
pub struct SecurityHeaders {
    /// Which pages may frame careerql's: the sources of the Content-Security-Policy's `frame-ancestors`
    /// (`'none'`, `'self'`, or origins, space-separated).
    #[arg(id = "frame-ancestors", long = "frame-ancestors", value_name = "SOURCES", env = "CAREERQL_FRAME_ANCESTORS", default_value = "'none'",
          value_parser = parse_frame_ancestors, global = true)]
    pub frame_ancestors: String,

    /// Clients reach the server over HTTPS only (it sits behind a TLS-terminating proxy): send
    /// `Strict-Transport-Security`, so browsers never use plain HTTP for it again.
    #[arg(id = "behind-tls", long = "behind-tls", value_name = "BOOL", env = "CAREERQL_BEHIND_TLS", default_value_t = false,
          action = clap::ArgAction::Set, global = true)]
    pub behind_tls: bool,

    /// With `--behind-tls`, how long browsers remember to use HTTPS only (`max-age`, e.g. `365days`).
    #[arg(id = "hsts-max-age", long = "hsts-max-age", value_name = "DURATION", env = "CAREERQL_HSTS_MAX_AGE", default_value = "365days",
          value_parser = humantime::parse_duration, global = true)]
    pub hsts_max_age: Duration,
}

impl Default for SecurityHeaders {
    fn default() -> Self {
        Self {
            frame_ancestors: "'none'".to_owned(),
            behind_tls: false,
            hsts_max_age: Duration::from_secs(365 * 86_400),
        }
    }
}

/// Every limit, on by default: the GraphQL document limits, checked by the guard before validation and
/// execution, and the transport's own, checked by the HTTP layer before the schema sees anything.
#[derive(Debug, Clone, Default, Args)]
pub struct Limits {
    #[command(flatten)]
    pub query: QueryLimits,
    #[command(flatten)]
    pub http: HttpLimits,
}

#[derive(Debug, Clone, Args)]
pub struct HttpLimits {
    /// Largest request body, in bytes.
    #[arg(long, global = true, env = "CAREERQL_MAX_BODY_BYTES", default_value_t = HttpLimits::DEFAULT.max_body_bytes)]
    pub max_body_bytes: usize,

    /// Most operations in one batched request (a JSON array of requests).
    #[arg(long, global = true, env = "CAREERQL_MAX_BATCH", default_value_t = HttpLimits::DEFAULT.max_batch)]
    pub max_batch: usize,

    /// Longest a request may run before it is stopped with `TIMEOUT` (e.g. `10s`, `500ms`).
    #[arg(id = "request-timeout", long = "request-timeout", value_name = "DURATION", env = "CAREERQL_REQUEST_TIMEOUT", default_value = "10s",
          value_parser = parse_positive_duration, global = true)]
    pub request_timeout: Duration,

    /// The old spelling of `--request-timeout`, in milliseconds; kept so existing deployments still start.
    #[arg(
        id = "request-timeout-ms",
        long = "request-timeout-ms",
        value_name = "MS",
        env = "CAREERQL_REQUEST_TIMEOUT_MS",
        conflicts_with = "request-timeout",
        hide = true,
        global = true
    )]
    pub request_timeout_ms: Option<u64>,

    /// Cost each client (bearer token, else address) may spend per minute, refilled continuously; a request
    /// costs 1 plus its operations' requested cost. 0 turns rate limiting off.
    #[arg(long, global = true, env = "CAREERQL_RATE_LIMIT_PER_MINUTE", default_value_t = HttpLimits::DEFAULT.rate_limit_per_minute)]
    pub rate_limit_per_minute: u32,
}

impl HttpLimits {
    pub const DEFAULT: Self = Self {
        max_body_bytes: 1024 * 1024,
        max_batch: 10,
        request_timeout: Duration::from_secs(10),
        request_timeout_ms: None,
        // Ten of the costliest queries the cost limit allows, or hundreds of thousands of small ones, a
        // minute: generous for any real client, a wall for a flood.
        rate_limit_per_minute: 10_000_000,
    };

    /// `--request-timeout`, unless the old `--request-timeout-ms` was given instead.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout_ms.map_or(self.request_timeout, Duration::from_millis)
    }
}

impl Limits {
    /// The limits with the defaults that follow from others filled in, unless told otherwise: an operation
    /// waits for room in the in-flight budget at most half the request timeout, and heavy operations leave a
    /// fifth of the database pool (of `pool_size` connections) to small ones.
    pub fn settled(mut self, pool_size: u32) -> Self {
        self.query.in_flight_wait.get_or_insert(self.http.request_timeout() / 2);
        self.query.in_flight_heavy.get_or_insert(pool_size.saturating_sub((pool_size / 5).max(1)).max(1));
        self
    }
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Limits on GraphQL documents.
#[derive(Debug, Clone, Args)]
pub struct QueryLimits {
    /// Deepest nesting of fields a query may have (`{ roles { slug } }` is 2). Introspection is bounded
    /// separately, so GraphiQL's 13-level introspection query always passes.
    #[arg(long, global = true, env = "CAREERQL_MAX_DEPTH", default_value_t = QueryLimits::DEFAULT.max_depth)]
    pub max_depth: usize,

    /// Highest cost a query may have: every field counts 1, and a list counts its selection `first` times
    /// (lists without `first` default to 20 at every level).
    #[arg(long, global = true, env = "CAREERQL_MAX_COST", default_value_t = QueryLimits::DEFAULT.max_cost)]
    pub max_cost: u64,

    /// Most aliases (`name: field`) a document may use.
    #[arg(long, global = true, env = "CAREERQL_MAX_ALIASES", default_value_t = QueryLimits::DEFAULT.max_aliases)]
    pub max_aliases: usize,

    /// Most fields an operation may select at its root.
    #[arg(long, global = true, env = "CAREERQL_MAX_ROOT_FIELDS", default_value_t = QueryLimits::DEFAULT.max_root_fields)]
    pub max_root_fields: usize,

    /// Most directives (`@skip`, `@include`, …) a document may use.
    #[arg(long, global = true, env = "CAREERQL_MAX_DIRECTIVES", default_value_t = QueryLimits::DEFAULT.max_directives)]
    pub max_directives: usize,

    /// Most terms one field's filter may have: every object and value in it counts 1 (a list, its items),
    /// doubled under each filter on a related type (`salaryRange: { … }`). A filter over it is refused with
    /// `BAD_USER_INPUT` before any SQL runs; the terms are added to the query's cost.
    #[arg(long, global = true, env = "CAREERQL_MAX_FILTER_TERMS", default_value_t = QueryLimits::DEFAULT.max_filter_terms)]
    pub max_filter_terms: u64,

    /// Most tokens (names, punctuation, values; not whitespace or comments) a document may have.
    #[arg(long, global = true, env = "CAREERQL_MAX_TOKENS", default_value_t = QueryLimits::DEFAULT.max_tokens)]
    pub max_tokens: usize,

    /// Largest document, in bytes.
    #[arg(long, global = true, env = "CAREERQL_MAX_DOCUMENT_BYTES", default_value_t = QueryLimits::DEFAULT.max_document_bytes)]
    pub max_document_bytes: usize,

    /// Cost that the operations executing at once may hold together (each holds its requested cost, the
    /// most fields its response can hold): what bounds memory however many clients come. An operation that
    /// does not fit waits (`--in-flight-wait`), then gets `UNAVAILABLE` (503). 0 turns the bound off.
    #[arg(long, global = true, env = "CAREERQL_IN_FLIGHT_COST", default_value_t = QueryLimits::DEFAULT.in_flight_cost)]
    pub in_flight_cost: u64,

    /// Operations costing at most this run in a lane of their own (a tenth of the in-flight budget), so
    /// heavy ones never hold them up.
    #[arg(long, global = true, env = "CAREERQL_IN_FLIGHT_SMALL_COST", default_value_t = QueryLimits::DEFAULT.in_flight_small_cost)]
    pub in_flight_small_cost: u64,

    /// Most heavy operations (those past `--in-flight-small-cost`) running at once; by default the database
    /// pool's size less a fifth, so that however many heavy ones wait, small ones always find a connection.
    #[arg(long, global = true, env = "CAREERQL_IN_FLIGHT_HEAVY", value_parser = clap::value_parser!(u32).range(1..))]
    pub in_flight_heavy: Option<u32>,

    /// How long an operation waits for room in the in-flight budget before it is shed (e.g. `2s`); by
    /// default half the request timeout, so that one that cannot start in time is told at once.
    #[arg(id = "in-flight-wait", long = "in-flight-wait", value_name = "DURATION", env = "CAREERQL_IN_FLIGHT_WAIT",
          value_parser = parse_positive_duration, global = true)]
    pub in_flight_wait: Option<Duration>,

    /// How queries are executed: `planned` compiles what it covers into one statement per list and writes
    /// the JSON straight from the rows, leaving the rest to `resolvers`, async-graphql's field by field
    /// execution, which also runs every mutation and subscription.
    #[arg(long, global = true, env = "CAREERQL_EXECUTOR", value_enum, default_value_t = QueryLimits::DEFAULT.executor)]
    pub executor: Executor,

    /// Answer introspection and suggest field names in errors. GraphiQL needs it; `false` turns both off.
    #[arg(long, global = true, env = "CAREERQL_INTROSPECTION", default_value_t = QueryLimits::DEFAULT.introspection, action = clap::ArgAction::Set)]
    pub introspection: bool,
}

impl QueryLimits {
    pub const DEFAULT: Self = Self {
        max_depth: 10,
        // GitHub allows 500,000 nodes; a field is finer than a node, and this keeps the worst accepted
        // query to about a second of work.
        max_cost: 1_000_000,
        max_aliases: 50,
        max_root_fields: 20,
        max_directives: 50,
        // Well inside both databases' limits on bound values (SQLite's 32,766) with every term one, and a
        // few milliseconds of SQL on the full import; a thousand `or`ed comparisons take about 3,000.
        max_filter_terms: 5_000,
        max_tokens: 10_000,
        max_document_bytes: 64 * 1024,
        // Two of the bench's 100 roles with 100 salary ranges each (~150,000 requested) at once, or one
        // costlier query alone: on 2 cores more in flight only queue in the runtime, holding their memory.
        // At 1,000,000 (six at once) 64 clients peaked at 248 MiB for 19% more throughput; at 300,000, 138 MiB.
        in_flight_cost: 300_000,
        in_flight_small_cost: 1_000,
        // The pool's size less a fifth (`Limits::settled`).
        in_flight_heavy: None,
        // Half the request timeout (`Limits::settled`).
        in_flight_wait: None,
        executor: Executor::Planned,
        introspection: true,
    };
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Executor {
    /// The planned executor for the queries it covers (`src/graphql/planned/`), the resolvers for the rest.
    Planned,
    /// async-graphql's resolvers for everything.
    Resolvers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PersistedQueryMode {
    /// Only full documents.
    Off,
    /// Apollo automatic persisted queries: a client may send a document's SHA-256 instead of the document
    /// once the server has seen it.
    Auto,
    /// Only the operations registered in `--persisted-queries-file` run, by hash or by full text.
    AllowList,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Persisted queries")]
pub struct PersistedQueries {
    /// How documents may be sent.
    #[arg(
        id = "persisted-queries",
        long = "persisted-queries",
        value_name = "MODE",
        env = "CAREERQL_PERSISTED_QUERIES",
        value_enum,
        default_value = "auto",
        global = true
    )]
    pub mode: PersistedQueryMode,

    /// How many documents automatic persisted queries remember (least recently used go first).
    #[arg(id = "persisted-queries-cache-size", long = "persisted-queries-cache-size", value_name = "N", env = "CAREERQL_PERSISTED_QUERIES_CACHE_SIZE", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub cache_size: u32,

    /// The registered operations for `allow-list` mode: an Apollo persisted query manifest (JSON with
    /// `operations: [{ id, name, type, body }]`, `id` being the SHA-256 of `body` in hex).
    #[arg(
        id = "persisted-queries-file",
        long = "persisted-queries-file",
        env = "CAREERQL_PERSISTED_QUERIES_FILE",
        value_name = "FILE",
        required_if_eq("persisted-queries", "allow-list"),
        global = true
    )]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event, with the request's span fields (request id, operation) in `spans`.
    Json,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Logging")]
pub struct Log {
    /// Log line format.
    #[arg(
        id = "log-format",
        long = "log-format",
        value_name = "FORMAT",
        env = "CAREERQL_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub format: LogFormat,

    /// Which events to log, in `tracing` filter syntax (e.g. `careerql=debug,tower_http=info`).
    #[arg(
        id = "log-filter",
        long = "log-filter",
        value_name = "FILTER",
        env = "RUST_LOG",
        default_value = "careerql=info,tower_http=info",
        global = true
    )]
    pub filter: String,
}

/// What careerql offers the systems it runs beside: a supergraph gateway, a tracing backend, a scraper and
/// probes. Each is off until set (docs/platform.md).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Platform")]
pub struct Platform {
    /// Serve `/metrics`, `/healthz` and `/readyz` on this second address too (e.g. `127.0.0.1:9090`); then
    /// `/metrics` is no longer served on `--addr`, while the health endpoints stay there for load balancers.
    #[arg(id = "admin-addr", long = "admin-addr", value_name = "ADDR", env = "CAREERQL_ADMIN_ADDR", global = true)]
    pub admin_addr: Option<SocketAddr>,

    /// Be an Apollo Federation v2 subgraph: `_service { sdl }`, `_entities`, and `@key` on roles, skills,
    /// tools and cities (by `slug`) and occupations (by `socCode`). `--federation` or `--federation=true`.
    #[arg(id = "federation", long = "federation", env = "CAREERQL_FEDERATION", action = clap::ArgAction::Set,
          num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value_t = false, global = true)]
    pub federation: bool,

    /// Export traces over OTLP/HTTP (protobuf) to this collector, e.g. `http://127.0.0.1:4318` (spans go to
    /// its `/v1/traces`): a span per request (continuing the caller's W3C `traceparent`), parse, validation,
    /// execution and SQL statement. Off when unset, and then no tracing layer is installed.
    #[arg(id = "otlp-endpoint", long = "otlp-endpoint", value_name = "URL", env = "CAREERQL_OTLP_ENDPOINT",
          value_parser = parse_otlp_endpoint, global = true)]
    pub otlp_endpoint: Option<String>,

    /// The `service.name` the exported traces carry.
    #[arg(
        id = "otlp-service-name",
        long = "otlp-service-name",
        value_name = "NAME",
        env = "OTEL_SERVICE_NAME",
        default_value = "careerql",
        global = true
    )]
    pub otlp_service_name: String,
}

/// An `http(s)://host[:port][/path]` base URL, kept without a trailing slash.
fn parse_otlp_endpoint(value: &str) -> Result<String, String> {
    let uri: axum::http::Uri = value.parse().map_err(|error| format!("not a URL: {error}"))?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(_)) => Ok(value.trim_end_matches('/').to_owned()),
        _ => Err("an OTLP endpoint is `http(s)://host[:port]`".to_owned()),
    }
}

/// Accepts `*` or a bare origin (`scheme://host[:port]`), which is what browsers send in `Origin`.
fn parse_origin(value: &str) -> Result<String, String> {
    if value == "*" {
        return Ok(value.to_owned());
    }
    let uri: axum::http::Uri = value.parse().map_err(|error| format!("not an origin: {error}"))?;
    match (uri.scheme_str(), uri.authority(), uri.path_and_query().map(|p| p.as_str())) {
        (Some("http" | "https"), Some(authority), None | Some("/")) if !authority.as_str().contains('@') => {
            Ok(format!("{}://{}", uri.scheme_str().unwrap_or_default(), authority))
        }
        _ => Err("an origin is `http(s)://host[:port]`, with no path".to_owned()),
    }
}

/// CSP source expressions, space-separated: nothing that would end the directive or the header.
fn parse_frame_ancestors(value: &str) -> Result<String, String> {
    let sources: Vec<&str> = value.split_whitespace().collect();
    if sources.is_empty() {
        return Err("give `'none'`, `'self'` or origins".to_owned());
    }
    if let Some(bad) =
        sources.iter().find(|source| !source.chars().all(|c| c.is_ascii_graphic() && !matches!(c, ';' | ',')))
    {
        return Err(format!("`{bad}` is not a CSP source"));
    }
    Ok(sources.join(" "))
}

fn parse_positive_duration(value: &str) -> Result<Duration, String> {
    match humantime::parse_duration(value) {
        Ok(duration) if duration.is_zero() => Err("must be more than 0".to_owned()),
        parsed => parsed.map_err(|error| error.to_string()),
    }
}

/// PostgreSQL counts its statement timeout in whole milliseconds, and 0 would mean none.
fn parse_statement_timeout(value: &str) -> Result<Duration, String> {
    let duration = parse_positive_duration(value)?;
    if duration < Duration::from_millis(1) {
        return Err("must be at least 1ms".to_owned());
    }
    Ok(duration)
}

fn parse_replica_url(value: &str) -> Result<String, String> {
    if value.starts_with("postgres://") || value.starts_with("postgresql://") {
        Ok(value.to_owned())
    } else {
        Err("read replicas are PostgreSQL: `postgres://…`".to_owned())
    }
}

/// Matches `args` (program name first) against `command`, with the environment and the `--config` file, if
/// any, filling in what the command line and the environment left unset.
pub fn matches_from(command: &mut clap::Command, args: Vec<OsString>) -> Result<clap::ArgMatches, clap::Error> {
    let mut matches = command.try_get_matches_from_mut(&args)?;
    if let Some(path) = matches.get_one::<PathBuf>("config").cloned() {
        let from_file = file_flags(command, &matches, &path)?;
        if !from_file.is_empty() {
            let (program, rest) = args.split_first().map_or((None, &[][..]), |(p, r)| (Some(p.clone()), r));
            let merged = program.into_iter().chain(from_file).chain(rest.iter().cloned());
            matches = command.try_get_matches_from_mut(merged)?;
        }
    }
    Ok(matches)
}

/// The file's settings as flags, leaving out those the command line or the environment already set.
fn file_flags(
    command: &mut clap::Command,
    matches: &clap::ArgMatches,
    path: &std::path::Path,
) -> Result<Vec<OsString>, clap::Error> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|error| command.error(ErrorKind::Io, format!("cannot read config file {shown}: {error}")))?;
    let table: toml::Table = text
        .parse()
        .map_err(|error| command.error(ErrorKind::InvalidValue, format!("config file {shown}: {error}")))?;
    let mut flags = Vec::new();
    for (key, value) in table {
        let Some(id) =
            settings(command).find(|arg| arg.get_long() == Some(key.as_str())).map(|arg| arg.get_id().clone())
        else {
            let known: Vec<&str> = settings(command).filter_map(|arg| arg.get_long()).collect();
            let message = format!("config file {shown}: unknown setting `{key}` (settings: {})", known.join(", "));
            return Err(command.error(ErrorKind::UnknownArgument, message));
        };
        if matches!(matches.value_source(id.as_str()), Some(ValueSource::CommandLine | ValueSource::EnvVariable)) {
            continue;
        }
        let values = match value {
            toml::Value::Array(items) => items,
            single => vec![single],
        };
        for value in values {
            let text = match value {
                toml::Value::String(text) => text,
                toml::Value::Integer(number) => number.to_string(),
                toml::Value::Float(number) => number.to_string(),
                toml::Value::Boolean(flag) => flag.to_string(),
                _ => {
                    let message = format!("config file {shown}: `{key}` takes a string, number or list of them");
                    return Err(command.error(ErrorKind::InvalidValue, message));
                }
            };
            flags.push(format!("--{key}={text}").into());
        }
    }
    Ok(flags)
}

/// The arguments that are settings: everything with a long flag but `--config` itself, help and version.
fn settings(command: &clap::Command) -> impl Iterator<Item = &clap::Arg> {
    command
        .get_arguments()
        .filter(|arg| arg.get_long().is_some_and(|long| !matches!(long, "config" | "help" | "version")))
}

/// Every setting's value in force, as config-file lines; a password in a URL is masked.
pub fn effective(command: &clap::Command, matches: &clap::ArgMatches) -> String {
    let mut lines = String::new();
    for arg in settings(command) {
        let (Some(long), Some(raw)) = (arg.get_long(), matches.get_raw(arg.get_id().as_str())) else { continue };
        let values: Vec<String> = raw.map(|value| format!("{:?}", mask_password(&value.to_string_lossy()))).collect();
        let value = if values.len() == 1 && !matches!(arg.get_action(), clap::ArgAction::Append) {
            values.concat()
        } else {
            format!("[{}]", values.join(", "))
        };
        lines.push_str(&format!("{long} = {value}\n"));
    }
    lines
}

/// `scheme://user:secret@host` → `scheme://user:***@host`.
fn mask_password(value: &str) -> String {
    let Some(start) = value.find("://").map(|i| i + 3) else { return value.to_owned() };
    let Some(at) = value[start..].find('@').map(|i| start + i) else { return value.to_owned() };
    match value[start..at].find(':').map(|i| start + i) {
        Some(colon) => format!("{}:***{}", &value[..colon], &value[at..]),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_normalised() {
        assert_eq!(parse_origin("https://app.example.com/").unwrap(), "https://app.example.com");
        assert_eq!(parse_origin("http://localhost:3000").unwrap(), "http://localhost:3000");
        assert_eq!(parse_origin("*").unwrap(), "*");
        for bad in ["app.example.com", "ftp://x.example", "https://x.example/path", "https://u:p@x.example"] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(mask_password("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(mask_password("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(mask_password("sqlite://careerql.db?mode=rwc"), "sqlite://careerql.db?mode=rwc");
    }
}
