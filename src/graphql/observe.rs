//! Per-operation metrics, and the operation's name on the HTTP request's span, as an async-graphql
//! extension. Registered before `Tracing`, so the span it finds current is the HTTP layer's, which declares
//! an empty `operation` field for this to fill in (see `app::request_span`).
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Value, Variables};
use metrics::{counter, histogram};
use tracing::Span;

use crate::metrics::{GRAPHQL_REQUEST_DURATION, GRAPHQL_REQUESTS};

/// Operation names become metric labels, and clients choose them: past this many distinct names, the rest
/// are counted as `other` so a client cannot grow the scrape without bound.
const MAX_OPERATION_LABELS: usize = 200;

pub struct Observe;

impl ExtensionFactory for Observe {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ObserveRequest::default())
    }
}

#[derive(Default)]
struct ObserveRequest {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    span: Option<Span>,
    /// The label of the operation that ran; `None` when the request failed before running one.
    operation: Option<String>,
    /// The code for a request that failed before running, when its errors carry none.
    failed_at: Option<&'static str>,
}

impl ObserveRequest {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ObserveRequest {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        self.state().span = Some(Span::current());
        let started = Instant::now();
        let response = next.run(ctx).await;
        let (operation, code) = {
            let state = self.state();
            (state.operation.clone().unwrap_or_else(|| "none".to_owned()), outcome(&response, state.failed_at))
        };
        histogram!(GRAPHQL_REQUEST_DURATION, "operation" => operation.clone()).record(started.elapsed().as_secs_f64());
        counter!(GRAPHQL_REQUESTS, "operation" => operation, "code" => code).increment(1);
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let parsed = next.run(ctx, query, variables).await;
        if parsed.is_err() {
            self.state().failed_at = Some("GRAPHQL_PARSE_FAILED");
        }
        parsed
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let validated = next.run(ctx).await;
        if validated.is_err() {
            self.state().failed_at = Some("GRAPHQL_VALIDATION_FAILED");
        }
        validated
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let name = operation_name.unwrap_or("anonymous");
        {
            let mut state = self.state();
            if let Some(span) = &state.span {
                span.record("operation", name);
            }
            state.operation = Some(operation_label(name));
        }
        next.run(ctx, operation_name).await
    }
}

/// `OK`, or the first error's `extensions.code`, or the stage that refused the document.
fn outcome(response: &Response, failed_at: Option<&'static str>) -> String {
    let Some(error) = response.errors.first() else { return "OK".to_owned() };
    match error.extensions.as_ref().and_then(|extensions| extensions.get("code")) {
        Some(Value::String(code)) => code.clone(),
        _ => failed_at.unwrap_or("BAD_REQUEST").to_owned(),
    }
}

fn operation_label(name: &str) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if seen.contains(name) || (seen.len() < MAX_OPERATION_LABELS && seen.insert(name.to_owned())) {
        name.to_owned()
    } else {
        "other".to_owned()
    }
}
