//! The guard every request passes inside the schema, as its one async-graphql extension (each extension
//! adds a future to the resolution of every field, so there is only this one):
//!
//! - first, persisted queries (`persisted.rs`) turn a hash into the document the guard checks;
//! - before validation: the text limits, parsing (`GRAPHQL_PARSE_FAILED`), the analysis and its limits
//!   (`QUERY_TOO_COMPLEX`), and the client's cost budget (`RATE_LIMITED`);
//! - validation failures get `GRAPHQL_VALIDATION_FAILED`;
//! - a resolver that panics fails its own field with `INTERNAL`, like any other field error;
//! - every response reports `extensions.cost` and leaves with a code on every error, and is counted in
//!   the metrics by operation and outcome (`observe.rs`).
//!
//! Each rule that can refuse a document has a file of its own, with its unit tests.
pub mod analysis;
pub mod observe;
pub mod persisted;
pub mod text;

use std::any::TypeId;
use std::num::NonZeroUsize;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest, NextRequest,
    NextResolve, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    PathSegment, QueryPathNode, QueryPathSegment, Request, Response, ServerError, ServerResult, ValidationResult,
};
use async_graphql::{Value, Variables};
use futures_util::FutureExt;
use lru::LruCache;

use self::analysis::{Analysis, Shape, analyze, response_cost};
use self::observe::Observation;
use self::persisted::PersistedQueries;
use self::text::check_text;
use crate::config::QueryLimits;
use crate::graphql::error::{ErrorCode, INTERNAL_MESSAGE, ensure_codes};

/// A client's allowance of cost, refilled over time. The HTTP layer keys it by client; nothing here knows how.
pub trait CostBudget: Send + Sync {
    /// Takes `cost` from the budget, or says how long until the budget could pay it.
    fn charge(&self, cost: u64) -> Result<(), Duration>;
}

/// Request data carrying the budget a request is charged to. Requests without one are not rate limited.
#[derive(Clone)]
pub struct Budget(pub Arc<dyn CostBudget>);

pub struct Guard {
    limits: Arc<QueryLimits>,
    shape: Arc<Shape>,
    documents: Arc<Documents>,
    persisted: PersistedQueries,
}

impl Guard {
    pub fn new(limits: QueryLimits, shape: Arc<Shape>, persisted: PersistedQueries) -> Self {
        Self { limits: Arc::new(limits), shape, documents: Arc::default(), persisted }
    }
}

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardedRequest {
            limits: self.limits.clone(),
            shape: self.shape.clone(),
            documents: self.documents.clone(),
            persisted: self.persisted.clone(),
            state: Mutex::new(RequestState::default()),
        })
    }
}

/// Documents parsed recently, by their text: clients send the same few queries over and over, and parsing
/// was a tenth of the work of a small query (callgrind, scripts/bench/bench.sh). Small documents only, so the
/// cache's memory stays bounded however large the documents clients send.
struct Documents(Mutex<LruCache<String, ExecutableDocument>>);

const CACHED_DOCUMENTS: usize = 512;
const MAX_CACHED_DOCUMENT_BYTES: usize = 8 * 1024;

impl Default for Documents {
    fn default() -> Self {
        Self(Mutex::new(LruCache::new(NonZeroUsize::new(CACHED_DOCUMENTS).expect("not zero"))))
    }
}

impl Documents {
    fn cache(&self) -> std::sync::MutexGuard<'_, LruCache<String, ExecutableDocument>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Gives `request` its parsed document from the cache, if there; returns whether it did.
    fn lend(&self, request: &mut Request) -> bool {
        let cacheable = !request.query.is_empty() && request.query.len() <= MAX_CACHED_DOCUMENT_BYTES;
        let document = if cacheable { self.cache().get(&request.query).cloned() } else { None };
        document.map(|document| request.set_parsed_query(document)).is_some()
    }

    fn keep(&self, query: &str, document: &ExecutableDocument) {
        if !query.is_empty() && query.len() <= MAX_CACHED_DOCUMENT_BYTES {
            self.cache().put(query.to_owned(), document.clone());
        }
    }
}

/// One request's guard: async-graphql creates an extension per request.
struct GuardedRequest {
    limits: Arc<QueryLimits>,
    shape: Arc<Shape>,
    documents: Arc<Documents>,
    persisted: PersistedQueries,
    state: Mutex<RequestState>,
}

#[derive(Default)]
struct RequestState {
    observation: Option<Observation>,
    analysis: Option<Analysis>,
    /// Errors of nullable fields whose resolver panicked: the field became null, the error is added here.
    panics: Vec<ServerError>,
}

impl GuardedRequest {
    fn state(&self) -> std::sync::MutexGuard<'_, RequestState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Everything checked before the request reaches async-graphql's own parsing and validation.
    fn admit(&self, request: &mut Request) -> ServerResult<Analysis> {
        check_text(&request.query, &self.limits)?;
        // Parsed once here and kept in the request, which async-graphql then uses as it is.
        // Lent out while the parsed document borrows the request, then put back.
        // The text is copied when the document is new: the parsed document borrows the request.
        let new_text = (!self.documents.lend(request)).then(|| request.query.clone());
        let (operation_name, variables) = (request.operation_name.take(), std::mem::take(&mut request.variables));
        let analysis = match request.parsed_query() {
            Ok(document) => {
                if let Some(text) = &new_text {
                    self.documents.keep(text, document);
                }
                analyze(document, operation_name.as_deref(), &variables, &self.shape)
            }
            Err(error) => Err(ErrorCode::GraphqlParseFailed.tag(error)),
        };
        (request.operation_name, request.variables) = (operation_name, variables);
        let analysis = analysis?;
        if !self.limits.introspection && !analysis.introspection_keys.is_empty() {
            // async-graphql would answer null without a word; say why instead.
            return Err(ErrorCode::GraphqlValidationFailed.error("introspection is turned off on this server"));
        }
        analysis.check(&self.limits)?;
        let budget = request.data.get(&TypeId::of::<Budget>()).and_then(|data| data.downcast_ref::<Budget>());
        if let Some(Budget(budget)) = budget {
            budget.charge(analysis.cost).map_err(|wait| rate_limited(analysis.cost, wait))?;
        }
        Ok(analysis)
    }
}

fn rate_limited(cost: u64, wait: Duration) -> ServerError {
    let seconds = wait.as_secs_f64().ceil() as u64;
    let mut error = ErrorCode::RateLimited
        .error(format!("this request costs {cost} and your budget cannot pay it yet; retry in {seconds} s"));
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set("retryAfter", seconds);
    }
    error
}

fn error_path(node: &QueryPathNode<'_>) -> Vec<PathSegment> {
    let mut path: Vec<PathSegment> = std::iter::once(node)
        .chain(node.parents())
        .map(|node| match node.segment {
            QueryPathSegment::Index(index) => PathSegment::Index(index),
            QueryPathSegment::Name(name) => PathSegment::Field(name.to_owned()),
        })
        .collect();
    path.reverse();
    path
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str)).unwrap_or("?")
}

#[async_graphql::async_trait::async_trait]
impl Extension for GuardedRequest {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        self.state().observation = Some(Observation::start());
        let mut response = next.run(ctx).await;
        let mut state = self.state();
        response.errors.append(&mut state.panics);
        if let Some(analysis) = &state.analysis {
            let actual = response_cost(&response.data, &analysis.introspection_keys);
            let cost = async_graphql::value!({
                "requested": analysis.cost,
                "actual": actual,
                "limit": self.limits.max_cost,
            });
            response.extensions.insert("cost".to_owned(), cost);
        }
        ensure_codes(&mut response);
        if let Some(observation) = state.observation.take() {
            observation.finish(&response);
        }
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let (mut request, register) = self.persisted.prepare(request).await?;
        let analysis = self.admit(&mut request)?;
        if let (Some(hash), Ok(document)) = (register, request.parsed_query()) {
            self.persisted.remember(hash, document).await;
        }
        self.state().analysis = Some(analysis);
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // The document was parsed in `prepare_request`; what can still fail here are async-graphql's own
        // structural limits (recursion through fragments), which are limits like ours.
        next.run(ctx, query, variables).await.map_err(|error| match ErrorCode::of(&error) {
            Some(_) => error,
            None => ErrorCode::QueryTooComplex.tag(error),
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| errors.into_iter().map(validation_error).collect())
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(observation) = &mut self.state().observation {
            observation.runs(operation_name);
        }
        next.run(ctx, operation_name).await
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // The path is only worked out on a panic: this runs for every field of every response.
        let path_node = info.path_node;
        let nullable = !info.return_type.ends_with('!');
        match AssertUnwindSafe(next.run(ctx, info)).catch_unwind().await {
            Ok(result) => result,
            Err(panic) => {
                let path = error_path(path_node);
                let path_text = serde_json::to_string(&path).unwrap_or_default();
                tracing::error!(panic = panic_message(&*panic), path = %path_text, "a resolver panicked");
                let mut error = ErrorCode::Internal.error(INTERNAL_MESSAGE);
                error.path = path;
                // A nullable field ends as null with its error beside it, as a field error does; a non-null
                // one passes the error up to the nearest nullable parent, which records it.
                if nullable {
                    self.state().panics.push(error);
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }
}

/// A validation failure's code. A value the schema cannot take for an argument (an unknown enum value, a
/// string for an `Int`, whether written in the document or passed as a variable) is the user's input to
/// fix, as Apollo Server also reports it: `BAD_USER_INPUT`; any other invalid document is
/// `GRAPHQL_VALIDATION_FAILED`.
fn validation_error(error: ServerError) -> ServerError {
    if error.message.starts_with("Invalid value for argument") {
        ErrorCode::BadUserInput.tag(error)
    } else {
        ErrorCode::GraphqlValidationFailed.tag(error)
    }
}
