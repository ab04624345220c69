//! Admission: what every request passes once, before and after async-graphql executes it. It is not a
//! schema extension: any extension at all makes async-graphql route every field through the extension
//! chain (and format two path strings per list item), which cost a large query more than its SQL did.
//!
//! - first, persisted queries (`persisted.rs`) turn a hash into the document the guard checks;
//! - before validation: the text limits (`text.rs`), parsing (`GRAPHQL_PARSE_FAILED`, cached by document),
//!   the analysis and its limits (`analysis.rs`, `QUERY_TOO_COMPLEX`), and the client's cost budget
//!   (`RATE_LIMITED`); the parsed document is handed to async-graphql, which does not parse it again;
//! - after: errors raised before execution get their codes (`GRAPHQL_VALIDATION_FAILED`,
//!   `BAD_USER_INPUT`), every response reports `extensions.cost` and leaves with a code on every error, and
//!   is counted in the metrics by operation and outcome (`observe.rs`).
pub mod analysis;
mod complete;
mod in_flight;
pub mod observe;
pub mod persisted;
pub mod text;

use std::any::TypeId;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};
use async_graphql::{Request, Response, ServerError, ServerResult};
use lru::LruCache;

use self::analysis::{Analysis, Shape, analyze, response_cost};
use self::in_flight::InFlight;
use self::observe::Observation;
use self::persisted::PersistedQueries;
use self::text::check_text;
use crate::config::QueryLimits;
use crate::graphql::error::{ErrorCode, ensure_codes, is_request_error};

/// A client's allowance of cost, refilled over time. The HTTP layer keys it by client; nothing here knows how.
pub trait CostBudget: Send + Sync {
    /// Takes `cost` from the budget, or says how long until the budget could pay it.
    fn charge(&self, cost: u64) -> Result<(), Duration>;
}

/// Request data carrying the budget a request is charged to. Requests without one are not rate limited.
#[derive(Clone)]
pub struct Budget(pub Arc<dyn CostBudget>);

pub struct Guard {
    limits: QueryLimits,
    shape: Arc<Shape>,
    documents: Documents,
    persisted: PersistedQueries,
    in_flight: Option<InFlight>,
}

/// A request past admission, with what the guard found out about it.
struct Admitted {
    request: Request,
    analysis: Analysis,
}

impl Guard {
    pub fn new(limits: QueryLimits, shape: Arc<Shape>, persisted: PersistedQueries) -> Self {
        Self { in_flight: InFlight::new(&limits), limits, shape, documents: Documents::default(), persisted }
    }

    /// Admits `request`, runs it with `execute` (async-graphql's, on the admitted request), and finishes
    /// the response: codes, cost, metrics.
    pub async fn run<F: Future<Output = Response>>(
        &self,
        request: Request,
        execute: impl FnOnce(Request) -> F,
    ) -> Response {
        let mut observation = Observation::start();
        let mut analysis = None;
        let mut response = match self.admit(request).await {
            Err(error) => Response::from_errors(vec![error]),
            Ok(mut admitted) => match self.enter(admitted.analysis.cost).await {
                Err(error) => Response::from_errors(vec![error]),
                Ok(_held) => {
                    let operation = operation_name(&mut admitted.request);
                    observation.runs(operation.as_deref());
                    analysis = Some(admitted.analysis);
                    let document = admitted.request.parsed_query().ok().cloned();
                    let mut response = execute(admitted.request).await;
                    if is_request_error(&response) {
                        observation.ran_nothing();
                    } else if let Some(document) = document {
                        self.complete(&mut response, &document, operation.as_deref());
                    }
                    response
                }
            },
        };
        self.conclude(analysis.as_ref(), &mut response);
        observation.finish(&response);
        response
    }

    /// Puts a response's fields in selection order and nulls what its failed non-null fields must null
    /// (`complete.rs`).
    pub fn complete(&self, response: &mut Response, document: &ExecutableDocument, operation: Option<&str>) {
        if let Ok(operation) = analysis::selected_operation(document, operation) {
            complete::complete(response, document, &operation.node, &self.shape);
        }
    }

    /// Admits a subscription's request with its document, or says why not; its events are then finished one
    /// by one (`complete`, `conclude`).
    pub async fn admit_subscription(&self, request: Request) -> Result<(Request, ExecutableDocument), Response> {
        match self.admit(request).await {
            Ok(mut admitted) => {
                let document =
                    admitted.request.parsed_query().cloned().map_err(|error| Response::from_errors(vec![error]))?;
                Ok((admitted.request, document))
            }
            Err(error) => {
                let mut response = Response::from_errors(vec![error]);
                self.conclude(None, &mut response);
                Err(response)
            }
        }
    }

    /// Room in the in-flight budget for an operation of `cost`, held until the returned value is dropped.
    async fn enter(&self, cost: u64) -> ServerResult<Option<in_flight::Held>> {
        match &self.in_flight {
            Some(in_flight) => in_flight.enter(cost).await.map(Some),
            None => Ok(None),
        }
    }

    async fn admit(&self, request: Request) -> ServerResult<Admitted> {
        let (mut request, register) = self.persisted.prepare(request).await?;
        let analysis =
            crate::telemetry::stage(|| tracing::info_span!("graphql.parse")).in_scope(|| self.check(&mut request))?;
        if let (Some(hash), Ok(document)) = (register, request.parsed_query()) {
            self.persisted.remember(hash, document).await;
        }
        Ok(Admitted { request, analysis })
    }

    /// What every response leaves with: a code on every error (those raised before execution by what
    /// raised them), and the cost the request asked for against what the response holds.
    pub fn conclude(&self, analysis: Option<&Analysis>, response: &mut Response) {
        for error in response.errors.iter_mut().filter(|error| error.path.is_empty()) {
            if ErrorCode::of(error).is_none() {
                *error = pre_execution_error(std::mem::replace(error, ServerError::new("", None)));
            }
        }
        if let Some(analysis) = analysis {
            let actual = response_cost(&response.data, &analysis.introspection_keys);
            let cost = async_graphql::value!({
                "requested": analysis.cost,
                "actual": actual,
                "limit": self.limits.max_cost,
            });
            response.extensions.insert("cost".to_owned(), cost);
        }
        ensure_codes(response);
    }
}

/// The operation a request runs, as async-graphql names it: the one asked for, else the document's only
/// named operation (`None` for an anonymous one).
fn operation_name(request: &mut Request) -> Option<String> {
    if let Some(name) = &request.operation_name {
        return Some(name.clone());
    }
    match &request.parsed_query().ok()?.operations {
        DocumentOperations::Multiple(operations) if operations.len() == 1 => {
            operations.keys().next().map(|name| name.to_string())
        }
        _ => None,
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

impl Guard {
    /// Everything checked before the request reaches async-graphql's own validation.
    fn check(&self, request: &mut Request) -> ServerResult<Analysis> {
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

/// The code of an error async-graphql raised before execution, on a document the guard admitted. Its own
/// structural limit (recursion through fragments) is a limit like ours: `QUERY_TOO_COMPLEX`. A value the
/// schema cannot take for an argument (an unknown enum value, a string for an `Int`, in the document or in
/// a variable) is the user's input to fix, as Apollo Server also reports it: `BAD_USER_INPUT`; any other
/// invalid document is `GRAPHQL_VALIDATION_FAILED`.
fn pre_execution_error(error: ServerError) -> ServerError {
    let code = if error.message.starts_with("The recursion depth of the query") {
        ErrorCode::QueryTooComplex
    } else if error.message.starts_with("Invalid value for argument") {
        ErrorCode::BadUserInput
    } else {
        ErrorCode::GraphqlValidationFailed
    };
    code.tag(error)
}
