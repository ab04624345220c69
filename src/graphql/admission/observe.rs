//! Per-operation metrics, and the operation's name on the HTTP request's span: kept by the guard, which
//! runs inside the HTTP layer's span, and that span declares an empty `operation` field for this to fill in
//! (see `http::request_span`).
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use async_graphql::{Response, Value};
use tracing::Span;

/// Operation names become metric labels, and clients choose them: past this many distinct names, the rest
/// are counted as `other` so a client cannot grow the scrape without bound.
const MAX_OPERATION_LABELS: usize = 200;

/// One request, from its start to its response.
pub struct Observation {
    started: Instant,
    span: Span,
    /// The label of the operation that ran; `None` when the request failed before running one.
    operation: Option<String>,
}

impl Observation {
    pub fn start() -> Self {
        Self { started: Instant::now(), span: Span::current(), operation: None }
    }

    /// The operation about to run (`None`: the document's one anonymous operation).
    pub fn runs(&mut self, operation_name: Option<&str>) {
        self.span.record("operation", operation_name.unwrap_or("anonymous"));
        self.operation = Some(operation_label(operation_name));
    }

    /// The request failed before its operation ran (validation): it is counted as having run none.
    pub fn ran_nothing(&mut self) {
        self.operation = None;
    }

    /// Records the request's duration and outcome, by operation and by the executor that answered.
    pub fn finish(self, response: &Response, executor: &'static str) {
        let operation = self.operation.unwrap_or_else(|| "none".to_owned());
        crate::metrics::graphql_request(operation, outcome(response), executor, self.started.elapsed());
    }
}

/// `OK`, or the first error's `extensions.code` (the guard gives every error one).
fn outcome(response: &Response) -> String {
    let Some(error) = response.errors.first() else { return "OK".to_owned() };
    match error.extensions.as_ref().and_then(|extensions| extensions.get("code")) {
        Some(Value::String(code)) => code.clone(),
        _ => "INTERNAL".to_owned(),
    }
}

/// The metrics' label of the operation `name` (`None`: the document's one anonymous operation): its name,
/// until so many names were seen that further ones count as `other`, so clients cannot grow the label sets.
pub fn operation_label(name: Option<&str>) -> String {
    let name = name.unwrap_or("anonymous");
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if seen.contains(name) || (seen.len() < MAX_OPERATION_LABELS && seen.insert(name.to_owned())) {
        name.to_owned()
    } else {
        "other".to_owned()
    }
}
