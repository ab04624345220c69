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

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Request, Response, ServerError, ServerResult, Variables};
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

/// What running an admitted request gave: async-graphql's response, or the planned executor's, whose `data`
/// is already written as JSON (`response` then holds no data and no errors, only what travels beside them).
pub struct Answer {
    pub response: Response,
    pub written: Option<Written>,
}

/// A response's `data` written as JSON, and how many fields it holds (its actual cost); once concluded, the
/// cost it reports, which the HTTP layer writes beside the data. A written answer has no other extensions.
pub struct Written {
    pub json: Vec<u8>,
    pub fields: u64,
    pub cost: Option<Cost>,
}

/// `extensions.cost`: what the request asked for, what the response holds, and the server's limit.
#[derive(Clone, Copy)]
pub struct Cost {
    requested: u64,
    actual: u64,
    limit: u64,
}

impl Cost {
    pub fn value(self) -> async_graphql::Value {
        async_graphql::value!({ "requested": self.requested, "actual": self.actual, "limit": self.limit })
    }

    /// The cost as JSON, as `value()` serializes: building and serializing the value was about 4% of the
    /// instructions of `{ __typename }`.
    pub fn write_json(self, out: &mut Vec<u8>) {
        let mut number = itoa::Buffer::new();
        for (key, value) in
            [(&b"{\"requested\":"[..], self.requested), (b",\"actual\":", self.actual), (b",\"limit\":", self.limit)]
        {
            out.extend_from_slice(key);
            out.extend_from_slice(number.format(value).as_bytes());
        }
        out.push(b'}');
    }
}

impl From<Response> for Answer {
    fn from(response: Response) -> Self {
        Self { response, written: None }
    }
}

impl Answer {
    /// Which executor answered, for the metrics.
    pub fn executor(&self) -> &'static str {
        if self.written.is_some() { "planned" } else { "resolvers" }
    }
}

/// A request past admission, with what the guard found out about it.
struct Admitted {
    request: Request,
    analysis: Analysis,
    document: Arc<ExecutableDocument>,
}

impl Guard {
    pub fn new(limits: QueryLimits, shape: Arc<Shape>, persisted: PersistedQueries) -> Self {
        Self { in_flight: InFlight::new(&limits), limits, shape, documents: Documents::default(), persisted }
    }

    /// Admits `request`, runs it with `execute` (given the admitted request and its parsed document), and
    /// finishes the answer: codes, cost, metrics.
    pub async fn run<F: Future<Output = Answer>>(
        &self,
        request: Request,
        execute: impl FnOnce(Request, Arc<ExecutableDocument>) -> F,
    ) -> Answer {
        let mut observation = Observation::start();
        let mut analysis = None;
        let mut answer = match self.admit(request).await {
            Err(error) => Answer::from(Response::from_errors(vec![error])),
            Ok(admitted) => match self.enter(admitted.analysis.cost).await {
                Err(error) => Answer::from(Response::from_errors(vec![error])),
                Ok(_held) => {
                    let operation = operation_name(&admitted.request, &admitted.document);
                    observation.runs(operation.as_deref());
                    analysis = Some(admitted.analysis);
                    let document = admitted.document;
                    let variables = admitted.request.variables.clone();
                    let mut answer = execute(admitted.request, document.clone()).await;
                    if is_request_error(&answer.response) {
                        observation.ran_nothing();
                    } else if answer.written.is_none() {
                        // The planned executor writes in selection order, with nothing to null.
                        self.complete(&mut answer.response, &document, operation.as_deref(), &variables);
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

    /// `request` as the resolvers run it, with its parsed `document`: asking the type of every object behind
    /// an interface or a union, which `complete` reads to order such an object's fields as its own type's
    /// selection does.
    pub fn for_resolvers(&self, mut request: Request, document: &ExecutableDocument) -> Request {
        let marked = complete::mark_types(document, &self.shape);
        request.set_parsed_query(marked.unwrap_or_else(|| document.clone()));
        request
    }

    /// Puts a response's fields in selection order and nulls what its failed non-null fields must null
    /// (`complete.rs`).
    pub fn complete(
        &self,
        response: &mut Response,
        document: &ExecutableDocument,
        operation: Option<&str>,
        variables: &Variables,
    ) {
        if let Ok(operation) = analysis::selected_operation(document, operation) {
            complete::complete(response, document, &operation.node, variables, &self.shape);
        }
    }

    /// Admits a subscription's request with its document, or says why not; its events are then finished one
    /// by one (`complete`, `conclude`).
    pub async fn admit_subscription(&self, request: Request) -> Result<(Request, ExecutableDocument), Response> {
        match self.admit(request).await {
            Ok(mut admitted) => {
                // async-graphql runs subscriptions itself, so it gets the document; the request's data shares it.
                let document = ExecutableDocument::clone(&admitted.document);
                admitted.request.set_parsed_query(document.clone());
                Ok((admitted.request, document))
            }
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
        let (analysis, document) =
            crate::telemetry::stage(|| tracing::info_span!("graphql.parse")).in_scope(|| self.check(&mut request))?;
        if let Some(hash) = register {
            self.persisted.remember(hash, &document).await;
        }
        Ok(Admitted { request, analysis, document })
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
}

/// The operation a request runs, as async-graphql names it: the one asked for, else the document's only
/// named operation (`None` for an anonymous one).
fn operation_name(request: &Request, document: &ExecutableDocument) -> Option<String> {
    if let Some(name) = &request.operation_name {
        return Some(name.clone());
    }
    match &document.operations {
        DocumentOperations::Multiple(operations) if operations.len() == 1 => {
            operations.keys().next().map(|name| name.to_string())
        }
        _ => None,
    }
}

/// Documents parsed recently, by their text: clients send the same few queries over and over, and parsing
/// was a tenth of the work of a small query (callgrind, scripts/bench/bench.sh). Shared, not copied: two
/// copies for each request, and dropping them, were about 1% of one role with its skills and tools. Small documents only, so
/// the cache's memory stays bounded however large the documents clients send.
struct Documents(Mutex<LruCache<String, Arc<ExecutableDocument>>>);

const CACHED_DOCUMENTS: usize = 512;
const MAX_CACHED_DOCUMENT_BYTES: usize = 8 * 1024;

impl Default for Documents {
    fn default() -> Self {
        Self(Mutex::new(LruCache::new(NonZeroUsize::new(CACHED_DOCUMENTS).expect("not zero"))))
    }
}

impl Documents {
    fn cache(&self) -> std::sync::MutexGuard<'_, LruCache<String, Arc<ExecutableDocument>>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The parsed document of `query`, if the cache has it.
    fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        let cacheable = !query.is_empty() && query.len() <= MAX_CACHED_DOCUMENT_BYTES;
        if cacheable { self.cache().get(query).cloned() } else { None }
    }

    fn keep(&self, query: &str, document: &Arc<ExecutableDocument>) {
        if !query.is_empty() && query.len() <= MAX_CACHED_DOCUMENT_BYTES {
            self.cache().put(query.to_owned(), document.clone());
        }
    }
}

/// A request's parsed document, once the guard has parsed it or found it in its cache, so that is not done
/// twice. async-graphql is handed a copy only when the resolvers run it.
struct Parsed(Arc<ExecutableDocument>);

impl Guard {
    /// The request's parsed document: from the cache of documents when it is there, else parsed and kept;
    /// once per request, however often asked.
    fn parse(&self, request: &mut Request) -> ServerResult<Arc<ExecutableDocument>> {
        if let Some(Parsed(document)) = parsed(request) {
            return Ok(document.clone());
        }
        let document = match self.documents.get(&request.query) {
            Some(document) => document,
            None => {
                // What persisted queries put in the request, or the request's text parsed.
                let document = Arc::new(request.parsed_query()?.clone());
                self.documents.keep(&request.query, &document);
                document
            }
        };
        request.data.insert(Parsed(document.clone()));
        Ok(document)
    }

    /// The text limits, unless the document is parsed already or in the cache of documents, which keeps only
    /// documents within them: lexing the text again was a twentieth of a small query's work.
    fn check_text(&self, request: &mut Request) -> ServerResult<()> {
        if parsed(request).is_some() {
            return Ok(());
        }
        if let Some(document) = self.documents.get(&request.query) {
            request.data.insert(Parsed(document));
            return Ok(());
        }
        check_text(&request.query, &self.limits)
    }

    /// The type of operation `request` would run, if its document is within the text limits and parses.
    /// Transports that may only run queries (GET) ask this before executing, and queries may read from a
    /// replica.
    pub fn operation_type(&self, request: &mut Request) -> Option<OperationType> {
        self.check_text(request).ok()?;
        let document = self.parse(request).ok()?;
        Some(analysis::selected_operation(&document, request.operation_name.as_deref()).ok()?.node.ty)
    }

    /// Everything checked before the request reaches async-graphql's own validation.
    fn check(&self, request: &mut Request) -> ServerResult<(Analysis, Arc<ExecutableDocument>)> {
        self.check_text(request)?;
        let document = self.parse(request).map_err(|error| ErrorCode::GraphqlParseFailed.tag(error))?;
        let analysis = analyze(&document, request.operation_name.as_deref(), &request.variables, &self.shape)?;
        if !self.limits.introspection && !analysis.introspection_keys.is_empty() {
            // async-graphql would answer null without a word; say why instead.
            return Err(ErrorCode::GraphqlValidationFailed.error("introspection is turned off on this server"));
        }
        analysis.check(&self.limits)?;
        let budget = request.data.get(&TypeId::of::<Budget>()).and_then(|data| data.downcast_ref::<Budget>());
        if let Some(Budget(budget)) = budget {
            budget.charge(analysis.cost).map_err(|wait| rate_limited(analysis.cost, wait))?;
        }
        Ok((analysis, document))
    }
}

fn parsed(request: &Request) -> Option<&Parsed> {
    request.data.get(&TypeId::of::<Parsed>()).and_then(|data| data.downcast_ref::<Parsed>())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_cost_is_the_cost_value_as_json() {
        for (requested, actual, limit) in [(0, 0, 0), (1, 1, 1_000_000), (u64::MAX, 41, 7)] {
            let cost = Cost { requested, actual, limit };
            let mut written = Vec::new();
            cost.write_json(&mut written);
            assert_eq!(String::from_utf8(written).unwrap(), serde_json::to_string(&cost.value()).unwrap());
        }
    }
}
