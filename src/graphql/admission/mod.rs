//! Admission: what every request passes once, before and after async-graphql executes it. It is not a
//! schema extension: any extension at all makes async-graphql route every field through the extension
//! chain (and format two path strings per list item), which cost a large query more than its SQL did.
//!
//! - first, persisted queries (`persisted.rs`) turn a hash into the document the guard checks;
//! - before validation: the text limits (`text.rs`) of a text not parsed before, the prepared operation
//!   (`operation::Prepared`: parsed once per distinct text, `GRAPHQL_PARSE_FAILED`), its analysis and limits
//!   (`operation::analysis`, `QUERY_TOO_COMPLEX`), and the client's cost budget (`RATE_LIMITED`); every later
//!   stage reads the prepared operation, and async-graphql does not parse the document again;
//! - after: errors raised before execution get their codes (`GRAPHQL_VALIDATION_FAILED`,
//!   `BAD_USER_INPUT`), every response reports `extensions.cost` and leaves with a code on every error, and
//!   is counted in the metrics by operation and outcome (`observe.rs`).
mod in_flight;
pub mod observe;
pub mod persisted;
pub mod text;

use std::any::TypeId;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Request, Response, ServerError, ServerResult};

use self::in_flight::InFlight;
use self::observe::Observation;
use self::persisted::PersistedQueries;
use self::text::check_text;
use crate::config::QueryLimits;
use crate::graphql::error::{ErrorCode, ensure_codes, is_request_error};
use crate::graphql::execution::{Answer, Cost, Written};
use crate::graphql::operation::analysis::{Analysis, Shape, analyze, response_cost};
use crate::graphql::operation::{Documents, Prepared};

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
    prepared: Arc<Prepared>,
}

impl Guard {
    pub fn new(limits: QueryLimits, shape: Arc<Shape>, persisted: PersistedQueries) -> Self {
        Self { in_flight: InFlight::new(&limits), limits, shape, documents: Documents::default(), persisted }
    }

    /// Admits `request`, runs it with `execute` (given the admitted request and its prepared operation),
    /// and finishes the answer: codes, cost, metrics.
    pub async fn run<F: Future<Output = Answer>>(
        &self,
        request: Request,
        execute: impl FnOnce(Request, Arc<Prepared>) -> F,
    ) -> Answer {
        let mut observation = Observation::start();
        let mut analysis = None;
        let mut answer = match self.admit(request).await {
            Err(error) => Answer::from(Response::from_errors(vec![error])),
            Ok(admitted) => match self.enter(admitted.analysis.cost).await {
                Err(error) => Answer::from(Response::from_errors(vec![error])),
                Ok(_held) => {
                    observation.runs(admitted.prepared.name());
                    analysis = Some(admitted.analysis);
                    let answer = execute(admitted.request, admitted.prepared).await;
                    if is_request_error(&answer.response) {
                        observation.ran_nothing();
                    }
                    answer
                }
            },
        };
        self.conclude(analysis.as_ref(), &mut answer.response, answer.written.as_mut());
        observation.finish(&answer.response, answer.executor());
        answer
    }

    /// The schema's shape, as the cost analysis reads it.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Admits a subscription's request with its prepared operation, or says why not; its events are then
    /// finished one by one (`conclude`).
    pub async fn admit_subscription(&self, request: Request) -> Result<(Request, Arc<Prepared>), Response> {
        match self.admit(request).await {
            Ok(admitted) => Ok((admitted.request, admitted.prepared)),
            Err(error) => {
                let mut response = Response::from_errors(vec![error]);
                self.conclude(None, &mut response, None);
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
        let (analysis, prepared) =
            crate::telemetry::stage(|| tracing::info_span!("graphql.parse")).in_scope(|| self.check(&mut request))?;
        if let Some(hash) = register {
            self.persisted.remember(hash, prepared.document()).await;
        }
        Ok(Admitted { request, analysis, prepared })
    }

    /// What every response leaves with: a code on every error (those raised before execution by what
    /// raised them), and the cost the request asked for against what the response holds (counted by the
    /// planned executor as it wrote the data, which then carries the cost beside it).
    pub fn conclude(&self, analysis: Option<&Analysis>, response: &mut Response, written: Option<&mut Written>) {
        for error in response.errors.iter_mut().filter(|error| error.path.is_empty()) {
            if ErrorCode::of(error).is_none() {
                *error = pre_execution_error(std::mem::replace(error, ServerError::new("", None)));
            }
        }
        if let Some(analysis) = analysis {
            let (requested, limit) = (analysis.cost, self.limits.max_cost);
            match written {
                Some(written) => written.cost = Some(Cost { requested, actual: written.fields, limit }),
                None => {
                    let actual = response_cost(&response.data, &analysis.introspection_keys);
                    response.extensions.insert("cost".to_owned(), Cost { requested, actual, limit }.value());
                }
            }
        }
        ensure_codes(response);
    }

    /// The request's prepared operation: its document from the cache of documents when it is there (which
    /// keeps only documents within the text limits: lexing the text again was a twentieth of a small query's
    /// work), else checked against the text limits, parsed and kept; and the operation it runs. Worked out
    /// once per request, however often asked: the transport asks first (GET may only run queries, and
    /// queries may read from a replica), then admission.
    pub fn prepare(&self, request: &mut Request) -> ServerResult<Arc<Prepared>> {
        if let Some(prepared) = prepared(request) {
            return Ok(prepared.clone());
        }
        let document = match self.documents.get(&request.query) {
            Some(document) => document,
            None => {
                check_text(&request.query, &self.limits)?;
                // What persisted queries put in the request, or the request's text parsed.
                let parsed = request.parsed_query().map_err(|error| ErrorCode::GraphqlParseFailed.tag(error))?;
                let document = Arc::new(parsed.clone());
                self.documents.keep(&request.query, &document);
                document
            }
        };
        let prepared = Arc::new(Prepared::new(document, request.operation_name.as_deref())?);
        request.data.insert(prepared.clone());
        Ok(prepared)
    }

    /// Everything checked before the request reaches async-graphql's own validation.
    fn check(&self, request: &mut Request) -> ServerResult<(Analysis, Arc<Prepared>)> {
        let prepared = self.prepare(request)?;
        let analysis = analyze(&prepared, &request.variables, &self.shape)?;
        if !self.limits.introspection && !analysis.introspection_keys.is_empty() {
            // async-graphql would answer null without a word; say why instead.
            return Err(ErrorCode::GraphqlValidationFailed.error("introspection is turned off on this server"));
        }
        analysis.check(&self.limits)?;
        let budget = request.data.get(&TypeId::of::<Budget>()).and_then(|data| data.downcast_ref::<Budget>());
        if let Some(Budget(budget)) = budget {
            budget.charge(analysis.cost).map_err(|wait| rate_limited(analysis.cost, wait))?;
        }
        Ok((analysis, prepared))
    }
}

fn prepared(request: &Request) -> Option<&Arc<Prepared>> {
    request.data.get(&TypeId::of::<Arc<Prepared>>()).and_then(|data| data.downcast_ref::<Arc<Prepared>>())
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
