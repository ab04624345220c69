//! `/graphql`, per the GraphQL Foundation's GraphQL-over-HTTP spec: queries over GET and POST, batches as
//! JSON arrays, and the response media type negotiated from `Accept` (`negotiation.rs`).
//!
//! Refused here, before the schema sees anything (`request.rs`): a body over the size limit (413), a POST
//! that is not JSON (415), a malformed request or batch (400), a mutation over GET (405), an `Accept` we
//! cannot serve (406), a client out of budget (429). The schema's guard does the rest; `response.rs` turns
//! its codes into status codes, and this module stops any request that runs past the timeout (504).
//!
//! A named operation's URL (`http::named`) runs here too, by `execute_named`: only where its request comes
//! from and, for a table, how its answer is written differ from a GET of `/graphql`.
mod caching;
mod negotiation;
mod request;
mod response;

use std::sync::Arc;

use async_graphql::ServerError;
use async_graphql::parser::types::OperationType;
use async_graphql_axum::GraphQLSubscription;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;

use self::caching::Conditional;
use self::negotiation::{MediaType, negotiate};
use self::request::{discard, read_operations, refuse_writes_over_get};
pub(crate) use self::response::Table;
use self::response::{refuse, respond, respond_as_table};
use crate::auth::{self, AuthError, Caller};
use crate::graphql::Answer;
use crate::graphql::SubscriptionExecutor;
use crate::graphql::admission::{Budget, CostBudget};
use crate::graphql::error::over_limit;
use crate::graphql::error::{ApiError, ErrorCode};
use crate::http::AppState;
use crate::http::rate_limit::ClientBudget;

/// One request or a batch of them, as the client sent it; then their responses.
pub(super) enum Operations<T = async_graphql::Request> {
    Single(T),
    Batch(Vec<T>),
}

/// A request turned away before reaching the schema.
pub(crate) struct Refusal {
    pub(super) status: StatusCode,
    code: ErrorCode,
    message: String,
    /// For `QUERY_TOO_COMPLEX`: the limit it is over.
    limit: Option<&'static str>,
    pub(super) allow: Option<&'static str>,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), limit: None, allow: None }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, message)
    }

    pub(super) fn over_limit(status: StatusCode, limit: &'static str, message: impl Into<String>) -> Self {
        Self { limit: Some(limit), ..Self::new(status, ErrorCode::QueryTooComplex, message) }
    }

    pub(super) fn error(self) -> ServerError {
        match self.limit {
            Some(limit) => over_limit(limit, self.message),
            None => self.code.error(self.message),
        }
    }
}

/// `/graphql` over GET and POST (with conditional GETs answered from the ETag), and `/graphql/ws` for
/// subscriptions (graphql-transport-ws and the older graphql-ws, negotiated by `Sec-WebSocket-Protocol`).
pub fn router(state: &AppState) -> Router<AppState> {
    let subscriptions =
        SubscriptionExecutor { schema: state.schema.clone(), guard: state.guard.clone(), db: state.db.conn.clone() };
    Router::new()
        .route("/graphql", get(execute).post(execute))
        .route_service("/graphql/ws", GraphQLSubscription::new(subscriptions))
}

async fn execute(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    // Runs in the HTTP layer's request span, which carries the request id and gets the operation's name.
    let request_id = request_id(request.headers());
    let conditional = Conditional::of(request.method(), request.headers());
    conditional.finish(handle(state, request, &request_id).await).await
}

/// Runs a named operation (`http::named`, `/q/{name}`) as a GET of `/graphql` runs its document: the same
/// budgets, limits, timeout, caller and caching, answered as JSON or, given a `table`, as that table.
/// `operation` is the request its URL makes, or why the URL makes none.
pub(crate) async fn execute_named(
    state: AppState,
    request: axum::extract::Request,
    operation: Result<async_graphql::Request, Refusal>,
    table: Option<Table<'_>>,
) -> Response {
    let request_id = request_id(request.headers());
    let conditional = Conditional::of(request.method(), request.headers());
    let deadline = tokio::time::Instant::now() + state.limits.http.request_timeout();
    let (parts, body) = request.into_parts();
    let media = MediaType::PlainJson;
    let operation = Box::new(operation.map(Operations::Single));
    let response = match (answers(&state, &parts, Source::Named(operation), body, media, deadline).await, &table) {
        (Ok((Operations::Single(answer), budget)), Some(table)) => {
            respond_as_table(answer, table, &budget, &request_id)
        }
        (Ok((answers, budget)), _) => respond(answers, media, &budget, &request_id),
        (Err(response), _) => response,
    };
    conditional.finish(response).await
}

/// The id the request is logged under and that `INTERNAL` errors carry: the `x-request-id` a proxy, the
/// client or the HTTP layer set, unless it is too long to repeat, then one of our own.
fn request_id(headers: &HeaderMap) -> String {
    let given = headers.get("x-request-id").and_then(|value| value.to_str().ok()).filter(|id| id.len() <= 128);
    given.map_or_else(crate::http::request_id::next, str::to_owned)
}

async fn handle(state: AppState, request: axum::extract::Request, request_id: &str) -> Response {
    // The timeout runs from arrival: a body trickled in slowly spends it too.
    let deadline = tokio::time::Instant::now() + state.limits.http.request_timeout();
    let (parts, body) = request.into_parts();
    let media = match negotiate(&parts.headers) {
        Ok(media) => media,
        Err(refusal) => {
            discard(body, deadline).await;
            return refuse(refusal, MediaType::Json, None);
        }
    };
    match answers(&state, &parts, Source::Wire, body, media, deadline).await {
        Ok((answers, budget)) => respond(answers, media, &budget, request_id),
        Err(response) => response,
    }
}

/// Where a request's operations come from.
enum Source {
    /// `/graphql`: the GET parameters or the POST body.
    Wire,
    /// A named operation's URL: the request it makes, or why it makes none.
    Named(Box<Result<Operations, Refusal>>),
}

/// A request's answers and the budget it was charged to, or the response that refuses it: the charge for
/// arriving, reading the operations, the caller's key and the run, all within `deadline`.
async fn answers(
    state: &AppState,
    parts: &Parts,
    source: Source,
    body: Body,
    media: MediaType,
    deadline: tokio::time::Instant,
) -> Result<(Operations<Answer>, Arc<ClientBudget>), Response> {
    let budget = state.rate_limiter.budget(state.rate_limiter.client_key(parts));
    // Every request pays 1 on arrival, so a flood of requests refused for other reasons is limited too.
    if let Err(wait) = budget.charge(1) {
        let seconds = wait.as_secs_f64().ceil() as u64;
        let refusal = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("rate limit reached; retry in {seconds} s"),
        );
        discard(body, deadline).await;
        return Err(refuse(refusal, media, Some(&budget)));
    }
    let read = match source {
        Source::Wire => tokio::time::timeout_at(deadline, read_operations(state, parts, body)).await,
        Source::Named(operations) => Ok(*operations),
    };
    let operations = match read {
        Ok(Ok(operations)) => operations,
        Ok(Err(refusal)) => return Err(refuse(refusal, media, Some(&budget))),
        Err(_) => {
            let message = "the request body did not arrive in time";
            let refusal = Refusal::new(StatusCode::REQUEST_TIMEOUT, ErrorCode::Timeout, message);
            return Err(refuse(refusal, media, Some(&budget)));
        }
    };
    let operations = match refuse_writes_over_get(state, &parts.method, operations) {
        Ok(operations) => operations,
        Err(refusal) => return Err(refuse(refusal, media, Some(&budget))),
    };
    // The key's lookup is a statement like any other, and spends the same deadline.
    let answered = async {
        let caller = caller(state, &parts.headers).await?;
        Ok::<_, Refusal>(run(state, operations, &budget, &caller).await)
    };
    let timeout = state.limits.http.request_timeout();
    match tokio::time::timeout_at(deadline, answered).await {
        Ok(Ok(responses)) => Ok((responses, budget)),
        Ok(Err(refusal)) => Err(refuse(refusal, media, Some(&budget))),
        Err(_) => {
            let refusal = Refusal::new(
                StatusCode::GATEWAY_TIMEOUT,
                ErrorCode::Timeout,
                format!("the request ran longer than {} ms and was stopped", timeout.as_millis()),
            );
            Err(refuse(refusal, media, Some(&budget)))
        }
    }
}

/// Who sent the request, from its `Authorization` header (which is never logged). A key that is wrong or
/// revoked refuses the whole request, queries included: the client meant to be someone.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, Refusal> {
    let header = headers.get(header::AUTHORIZATION).map(HeaderValue::as_bytes);
    auth::authenticate(&state.db.conn, header).await.map_err(|error| match error {
        AuthError::Db(error) => {
            let error = ApiError::from(error);
            let code = error.code();
            let status = if code == ErrorCode::Unavailable {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            let message = async_graphql::Error::from(error).message;
            Refusal::new(status, code, message)
        }
        refused => Refusal::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, refused.to_string()),
    })
}

/// Runs every operation with the client's budget and identity, each with its own loader.
async fn run(
    state: &AppState,
    operations: Operations,
    budget: &Arc<ClientBudget>,
    caller: &Caller,
) -> Operations<Answer> {
    let run_one = |request: async_graphql::Request| run_one(state, request.data(caller.clone()), budget);
    match operations {
        Operations::Single(request) => Operations::Single(run_one(request).await),
        Operations::Batch(requests) => {
            Operations::Batch(futures_util::future::join_all(requests.into_iter().map(run_one)).await)
        }
    }
}

/// Runs one operation, charged to the client's budget.
async fn run_one(state: &AppState, request: async_graphql::Request, budget: &Arc<ClientBudget>) -> Answer {
    let mut request = request.data(Budget(budget.clone() as Arc<dyn CostBudget>));
    // Queries may read from a replica; anything else (or what does not parse: it fails before any read)
    // runs on the primary, so a client that wrote reads its own write.
    let db = match state.guard.prepare(&mut request).map(|prepared| prepared.ty()) {
        Ok(OperationType::Query) => state.db.reader(),
        _ => &state.db.conn,
    };
    crate::graphql::execute(&state.schema, &state.guard, db, request).await
}
