//! Logging: text or JSON lines on stderr (stdout is for command output such as `careerql schema`),
//! filtered by `--log-filter` / `RUST_LOG`. Each request's lines carry its span's fields: method, path,
//! request id and GraphQL operation.
use anyhow::Context as _;
use tracing_subscriber::EnvFilter;

use crate::config::{Log, LogFormat};

pub fn init(log: &Log) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&log.filter).with_context(|| format!("bad log filter {:?}", log.filter))?;
    // Colours only for a person at a terminal, never into a log file or collector.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let installed = match log.format {
        LogFormat::Text => builder.try_init(),
        // Every enclosing span with its fields, so a resolver's line still names its request.
        LogFormat::Json => builder.json().with_current_span(false).with_span_list(true).try_init(),
    };
    installed.map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))
}
