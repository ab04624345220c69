//! Every limit, on by default: the GraphQL document limits (`QueryLimits`, checked inside the schema) and
//! the transport's own, checked here before the schema sees anything. Each is a flag and an environment
//! variable; the README's table lists them.
use std::time::Duration;

use clap::Args;

use crate::graphql::limits::QueryLimits;

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

    /// Longest a request may run, in milliseconds, before it is stopped with `TIMEOUT`.
    #[arg(long, global = true, env = "CAREERQL_REQUEST_TIMEOUT_MS", default_value_t = HttpLimits::DEFAULT.request_timeout_ms)]
    pub request_timeout_ms: u64,

    /// Cost each client (bearer token, else address) may spend per minute, refilled continuously; a request
    /// costs 1 plus its operations' requested cost. 0 turns rate limiting off.
    #[arg(long, global = true, env = "CAREERQL_RATE_LIMIT_PER_MINUTE", default_value_t = HttpLimits::DEFAULT.rate_limit_per_minute)]
    pub rate_limit_per_minute: u32,
}

impl HttpLimits {
    pub const DEFAULT: Self = Self {
        max_body_bytes: 1024 * 1024,
        max_batch: 10,
        request_timeout_ms: 10_000,
        // Ten of the costliest queries the cost limit allows, or hundreds of thousands of small ones, a
        // minute: generous for any real client, a wall for a flood.
        rate_limit_per_minute: 10_000_000,
    };

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
