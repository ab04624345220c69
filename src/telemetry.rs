//! Logging: text or JSON lines on stderr (stdout is for command output such as `careerql schema`),
//! filtered by `--log-filter` / `RUST_LOG`. Each request's lines carry its span's fields: method, path,
//! request id and GraphQL operation.
//!
//! Traces: with `--otlp-endpoint`, careerql's spans (target `careerql`: the request, `graphql.parse`,
//! `graphql.validate`, `graphql.execute`) are also exported over OTLP/HTTP, a request's span continuing the
//! caller's W3C `traceparent`, and each SQL statement becomes a `db.statement` span with its real start and
//! end. Without it nothing of OpenTelemetry is installed: the logger is the same as before, and the hooks
//! ([`continue_trace`], [`statement_span`], [`enabled`]) return after one load of an unset cell.
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{Span as _, SpanKind, Tracer as _, TracerProvider as _};
use opentelemetry::{KeyValue, trace::Status};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::config::{Log, LogFormat, Platform};

/// The exporter, once `init` has installed it.
static OTLP: OnceLock<Otlp> = OnceLock::new();

struct Otlp {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
}

pub fn init(log: &Log, platform: &Platform) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&log.filter).with_context(|| format!("bad log filter {:?}", log.filter))?;
    // Colours only for a person at a terminal, never into a log file or collector.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if let Some(endpoint) = &platform.otlp_endpoint {
        return init_with_otlp(log, filter, ansi, endpoint, &platform.otlp_service_name);
    }
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let installed = match log.format {
        LogFormat::Text => builder.try_init(),
        // Every enclosing span with its fields, so a resolver's line still names its request.
        LogFormat::Json => builder.json().with_current_span(false).with_span_list(true).try_init(),
    };
    installed.map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))
}

/// The logger under its own filter, beside an OpenTelemetry layer that takes careerql's spans whatever the
/// log filter says (a trace with holes is worse than none).
fn init_with_otlp(log: &Log, filter: EnvFilter, ansi: bool, endpoint: &str, service: &str) -> anyhow::Result<()> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{endpoint}/v1/traces"))
        .build()
        .context("cannot build the OTLP exporter")?;
    let resource = opentelemetry_sdk::Resource::builder().with_service_name(service.to_owned()).build();
    // Batched on the exporter's own thread; the default sampler follows the caller's sampled flag.
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build();
    let tracer = provider.tracer("careerql");
    let spans = tracing_opentelemetry::layer()
        .with_tracer(tracer.clone())
        .with_filter(tracing_subscriber::filter::Targets::new().with_target("careerql", tracing::Level::INFO));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(ansi);
    let fmt = match log.format {
        LogFormat::Text => fmt.with_filter(filter).boxed(),
        LogFormat::Json => fmt.json().with_current_span(false).with_span_list(true).with_filter(filter).boxed(),
    };
    tracing_subscriber::registry()
        .with(fmt)
        .with(spans)
        .try_init()
        .map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))?;
    let _ = OTLP.set(Otlp { provider, tracer });
    tracing::info!(endpoint, "exporting traces over OTLP/HTTP");
    Ok(())
}

/// Whether traces are exported: the GraphQL stage spans are added to the schema only then.
pub fn enabled() -> bool {
    OTLP.get().is_some()
}

/// The span `make` opens for one stage of a request (`graphql.parse`, `graphql.execute`) when traces are
/// exported, and otherwise none (`Span::none()`, which costs nothing to enter), so that without traces the
/// logs and their span lists are exactly as they were.
pub fn stage(make: impl FnOnce() -> tracing::Span) -> tracing::Span {
    if OTLP.get().is_none() { tracing::Span::none() } else { make() }
}

/// Sends the spans still buffered; called once the server has stopped.
pub fn shutdown() {
    if let Some(otlp) = OTLP.get()
        && let Err(error) = otlp.provider.shutdown()
    {
        eprintln!("exporting the last traces failed: {error}");
    }
}

/// Makes `span` (a request's) a child of the trace the caller's `traceparent` header names, if any, and
/// gives it the semantic conventions' names for what it serves.
pub fn continue_trace<B>(span: &tracing::Span, request: &axum::http::Request<B>) {
    if OTLP.get().is_none() {
        return;
    }
    if request.headers().contains_key("traceparent") {
        let _ = span.set_parent(TraceContextPropagator::new().extract(&Headers(request.headers())));
    }
    span.set_attribute("http.request.method", request.method().as_str().to_owned());
    span.set_attribute("url.path", request.uri().path().to_owned());
}

/// Records the response's status on the current span (the request's); a server error marks it failed.
pub fn record_response(status: axum::http::StatusCode) {
    if OTLP.get().is_none() {
        return;
    }
    let span = tracing::Span::current();
    span.set_attribute("http.response.status_code", i64::from(status.as_u16()));
    if status.is_server_error() {
        span.set_status(Status::error(status.to_string()));
    }
}

struct Headers<'a>(&'a axum::http::HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}

/// Records a finished SQL statement as a span of its own under the current span: called from the pool's
/// metric hook, which knows a statement only once it has run, so the span is given its real start and end.
pub fn statement_span(
    pool: &'static str,
    kind: &'static str,
    sql: &dyn Fn() -> String,
    elapsed: Duration,
    failed: bool,
) {
    let Some(otlp) = OTLP.get() else { return };
    let end = SystemTime::now();
    let parent = tracing::Span::current().context();
    let mut span = otlp
        .tracer
        .span_builder("db.statement")
        .with_kind(SpanKind::Client)
        .with_start_time(end - elapsed)
        .with_attributes([
            KeyValue::new("db.operation.name", kind),
            KeyValue::new("db.query.text", sql()),
            KeyValue::new("careerql.pool", pool),
        ])
        .start_with_context(&otlp.tracer, &parent);
    if failed {
        span.set_status(Status::error("statement failed"));
    }
    span.end_with_timestamp(end);
}
