//! `/graphql`, per the GraphQL Foundation's GraphQL-over-HTTP spec: queries over GET and POST, batches as
//! JSON arrays, and the response media type negotiated from `Accept` (`application/graphql-response+json`,
//! or `application/json` for `application/json`, `*/*` or no `Accept`).
//!
//! Refused here, before the schema sees anything: a body over the size limit (413), a POST that is not
//! JSON (415), a malformed request or batch (400), a mutation over GET (405), an `Accept` we cannot serve
//! (406), a client out of budget (429). The schema's guard does the rest; this module turns its codes into
//! status codes and stops any request that runs past the timeout (504).
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use async_graphql::ServerError;
use async_graphql::parser::types::OperationType;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use futures_util::{FutureExt, StreamExt};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::auth::{self, AuthError, Caller};
use crate::graphql::error::{ApiError, ErrorCode, INTERNAL_MESSAGE, is_request_error};
use crate::graphql::guard::{Budget, CostBudget};
use crate::graphql::limits::over_limit;
use crate::http::rate_limit::ClientBudget;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// The media type a response is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    /// `application/graphql-response+json`: request errors answer 4xx, with no `data` entry.
    GraphqlResponse,
    /// `application/json`, the legacy type: a well-formed request answers 200 whatever its GraphQL errors.
    Json,
}

/// One request or a batch of them, as the client sent it; then their responses.
enum Operations<T = async_graphql::Request> {
    Single(T),
    Batch(Vec<T>),
}

/// A request turned away before reaching the schema.
struct Refusal {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    /// For `QUERY_TOO_COMPLEX`: the limit it is over.
    limit: Option<&'static str>,
    allow: Option<&'static str>,
}

impl Refusal {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), limit: None, allow: None }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, message)
    }

    fn over_limit(status: StatusCode, limit: &'static str, message: impl Into<String>) -> Self {
        Self { limit: Some(limit), ..Self::new(status, ErrorCode::QueryTooComplex, message) }
    }

    fn error(self) -> ServerError {
        match self.limit {
            Some(limit) => over_limit(limit, self.message),
            None => self.code.error(self.message),
        }
    }
}

pub async fn execute(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    // Runs in the HTTP layer's request span, which carries the request id and gets the operation's name.
    let request_id = request_id(request.headers());
    serve(state, request, &request_id).await
}

/// The id the request is logged under and that `INTERNAL` errors carry: the `x-request-id` a proxy or
/// middleware set, else one of our own.
fn request_id(headers: &HeaderMap) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let given = headers.get("x-request-id").and_then(|value| value.to_str().ok()).filter(|id| id.len() <= 128);
    match given {
        Some(id) => id.to_owned(),
        None => {
            let started = SystemTime::now().duration_since(UNIX_EPOCH).map(|t| t.as_secs()).unwrap_or_default();
            format!("{started:x}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
        }
    }
}

async fn serve(state: AppState, request: axum::extract::Request, request_id: &str) -> Response {
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
    let budget = state.rate_limiter.budget(state.rate_limiter.client_key(&parts));
    // Every request pays 1 on arrival, so a flood of requests refused for other reasons is limited too.
    if let Err(wait) = budget.charge(1) {
        let seconds = wait.as_secs_f64().ceil() as u64;
        let refusal = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("rate limit reached; retry in {seconds} s"),
        );
        discard(body, deadline).await;
        return refuse(refusal, media, Some(&budget));
    }
    let operations = match tokio::time::timeout_at(deadline, read_operations(&state, &parts, body)).await {
        Ok(Ok(operations)) => operations,
        Ok(Err(refusal)) => return refuse(refusal, media, Some(&budget)),
        Err(_) => {
            let message = "the request body did not arrive in time";
            return refuse(
                Refusal::new(StatusCode::REQUEST_TIMEOUT, ErrorCode::Timeout, message),
                media,
                Some(&budget),
            );
        }
    };
    let operations = match refuse_writes_over_get(&state, &parts.method, operations) {
        Ok(operations) => operations,
        Err(refusal) => return refuse(refusal, media, Some(&budget)),
    };
    let caller = match caller(&state, &parts.headers).await {
        Ok(caller) => caller,
        Err(refusal) => return refuse(refusal, media, Some(&budget)),
    };
    let timeout = state.limits.http.request_timeout();
    let responses = match tokio::time::timeout_at(deadline, run(&state, operations, &budget, &caller)).await {
        Ok(responses) => responses,
        Err(_) => {
            let refusal = Refusal::new(
                StatusCode::GATEWAY_TIMEOUT,
                ErrorCode::Timeout,
                format!("the request ran longer than {} ms and was stopped", timeout.as_millis()),
            );
            return refuse(refusal, media, Some(&budget));
        }
    };
    respond(responses, media, &budget, request_id)
}

/// How much of a body is read, at most, before answering. Closing a connection with unread data resets it,
/// and the client would never read our 413 (or 415, 429…): so a refused body is read and thrown away, up to
/// this much; past it the client has earned the reset.
const DISCARD_AT_MOST: usize = 64 * 1024 * 1024;

/// The body, if it is within `limit` bytes; read to its end either way (up to `DISCARD_AT_MOST`).
async fn read_body(body: Body, limit: usize) -> Result<Vec<u8>, Refusal> {
    let (mut kept, mut seen) = (Vec::new(), 0usize);
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| Refusal::bad_request("the body could not be read"))?;
        seen += chunk.len();
        if seen <= limit {
            kept.extend_from_slice(&chunk);
        } else if seen > DISCARD_AT_MOST {
            break;
        }
    }
    if seen > limit {
        let message = format!("the body is over {limit} bytes");
        return Err(Refusal::over_limit(StatusCode::PAYLOAD_TOO_LARGE, "bodyBytes", message));
    }
    Ok(kept)
}

/// Reads a body we refuse before looking at it, for the reason `DISCARD_AT_MOST` gives.
async fn discard(body: Body, deadline: tokio::time::Instant) {
    let _ = tokio::time::timeout_at(deadline, read_body(body, 0)).await;
}

/// Parses GET parameters or a POST body into requests, or says why not.
async fn read_operations(state: &AppState, parts: &Parts, body: Body) -> Result<Operations, Refusal> {
    let limits = &state.limits.http;
    let operations = match parts.method {
        Method::GET => Operations::Single(request_from_query(parts.uri.query().unwrap_or_default())?),
        Method::POST => {
            let bytes = read_body(body, limits.max_body_bytes).await;
            require_json(&parts.headers)?;
            let bytes = bytes?;
            if bytes.is_empty() {
                return Err(Refusal::bad_request("the body is empty; send {\"query\": \"…\"}"));
            }
            let json: Value = serde_json::from_slice(&bytes)
                .map_err(|error| Refusal::bad_request(format!("the body is not JSON: {error}")))?;
            operations_from_json(json, limits.max_batch)?
        }
        _ => {
            let mut refusal =
                Refusal::new(StatusCode::METHOD_NOT_ALLOWED, ErrorCode::BadUserInput, "use GET for queries or POST");
            refusal.allow = Some("GET, POST");
            return Err(refusal);
        }
    };
    Ok(operations)
}

fn require_json(headers: &HeaderMap) -> Result<(), Refusal> {
    let unsupported =
        |message: String| Refusal::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::BadUserInput, message);
    let Some(content_type) = headers.get(header::CONTENT_TYPE) else {
        return Err(unsupported("a POST must have `Content-Type: application/json`".to_owned()));
    };
    let mime = content_type.to_str().ok().and_then(|value| value.parse::<mime::Mime>().ok());
    let is_utf8_json = mime.is_some_and(|mime| {
        mime.essence_str() == "application/json" && mime.get_param(mime::CHARSET).is_none_or(|c| c == mime::UTF_8)
    });
    if is_utf8_json {
        Ok(())
    } else {
        let given = String::from_utf8_lossy(content_type.as_bytes()).into_owned();
        Err(unsupported(format!("`Content-Type: {given}` is not supported; send `application/json` (UTF-8)")))
    }
}

fn request_from_query(query: &str) -> Result<async_graphql::Request, Refusal> {
    // Decoding replaces invalid UTF-8 with U+FFFD, which would run a query the client did not send.
    if percent_encoding::percent_decode_str(query).decode_utf8().is_err() {
        return Err(Refusal::bad_request("the query string is not UTF-8"));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|error| Refusal::bad_request(format!("the query string cannot be read: {error}")))?;
    let mut fields = Map::new();
    for (name, value) in pairs {
        let value = match name.as_str() {
            "query" | "operationName" => Value::String(value),
            // Variables and extensions travel as JSON text in a GET.
            "variables" | "extensions" => serde_json::from_str(&value)
                .map_err(|error| Refusal::bad_request(format!("`{name}` is not JSON: {error}")))?,
            _ => continue,
        };
        fields.insert(name, value);
    }
    request_from_fields(fields)
}

fn operations_from_json(json: Value, max_batch: usize) -> Result<Operations, Refusal> {
    match json {
        Value::Object(fields) => Ok(Operations::Single(request_from_fields(fields)?)),
        Value::Array(items) => {
            if items.len() > max_batch {
                let message = format!("the batch has {} operations; the limit is {max_batch}", items.len());
                return Err(Refusal::over_limit(StatusCode::BAD_REQUEST, "batch", message));
            }
            if items.is_empty() {
                return Err(Refusal::bad_request("the batch is empty"));
            }
            let requests = items
                .into_iter()
                .map(|item| match item {
                    Value::Object(fields) => request_from_fields(fields),
                    _ => Err(Refusal::bad_request("each operation in a batch must be a JSON object")),
                })
                .collect::<Result<_, _>>()?;
            Ok(Operations::Batch(requests))
        }
        _ => Err(Refusal::bad_request("the body must be a JSON object (or an array of them, for a batch)")),
    }
}

/// Checks the request parameters' types (the spec's `query`, `operationName`, `variables`, `extensions`)
/// and builds the request. `null` stands for absent.
fn request_from_fields(mut fields: Map<String, Value>) -> Result<async_graphql::Request, Refusal> {
    fields.retain(|_, value| !value.is_null());
    for (name, expected, valid) in [
        ("query", "a string", fields.get("query").is_none_or(Value::is_string)),
        ("operationName", "a string", fields.get("operationName").is_none_or(Value::is_string)),
        ("variables", "an object", fields.get("variables").is_none_or(Value::is_object)),
        ("extensions", "an object", fields.get("extensions").is_none_or(Value::is_object)),
    ] {
        if !valid {
            return Err(Refusal::bad_request(format!("`{name}` must be {expected}")));
        }
    }
    // A persisted query may come as its hash alone, in `extensions`.
    let persisted = fields.get("extensions").is_some_and(|extensions| extensions.get("persistedQuery").is_some());
    if !fields.contains_key("query") && !persisted {
        return Err(Refusal::bad_request("the request has no `query`"));
    }
    serde_json::from_value(Value::Object(fields)).map_err(|error| Refusal::bad_request(format!("{error}")))
}

/// Over GET only queries run: GET must be safe to repeat and to cache. A mutation is refused with 405 and
/// `Allow: POST`, whatever the schema offers.
fn refuse_writes_over_get(state: &AppState, method: &Method, operations: Operations) -> Result<Operations, Refusal> {
    let Operations::Single(mut request) = operations else { return Ok(operations) };
    if method == Method::GET {
        let operation = crate::graphql::operation_type(&mut request, &state.limits.query);
        if matches!(operation, Some(OperationType::Mutation | OperationType::Subscription)) {
            let mut refusal = Refusal::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::BadUserInput,
                "only queries run over GET; send mutations with POST",
            );
            refusal.allow = Some("POST");
            return Err(refusal);
        }
    }
    Ok(Operations::Single(request))
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
) -> Operations<async_graphql::Response> {
    let run_one = |request: async_graphql::Request| run_one(state, request.data(caller.clone()), budget);
    match operations {
        Operations::Single(request) => Operations::Single(run_one(request).await),
        Operations::Batch(requests) => {
            Operations::Batch(futures_util::future::join_all(requests.into_iter().map(run_one)).await)
        }
    }
}

/// A panic that escapes the schema (in a loader's batch, say) fails this operation with `INTERNAL`, never
/// the connection.
async fn run_one(
    state: &AppState,
    request: async_graphql::Request,
    budget: &Arc<ClientBudget>,
) -> async_graphql::Response {
    let mut request = request.data(Budget(budget.clone() as Arc<dyn CostBudget>));
    // Queries may read from a replica; anything else (or what does not parse: it fails before any read)
    // runs on the primary, so a client that wrote reads its own write.
    let db = match crate::graphql::operation_type(&mut request, &state.limits.query) {
        Some(OperationType::Query) => state.db.reader(),
        _ => &state.db.conn,
    };
    match AssertUnwindSafe(crate::graphql::execute(&state.schema, db, request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("a request panicked outside any resolver");
            async_graphql::Response::from_errors(vec![ErrorCode::Internal.error(INTERNAL_MESSAGE)])
        }
    }
}

/// The media type to answer in, from `Accept`: the one the client ranks highest, where the most specific
/// range naming a type gives its rank. A tie between explicit ranges goes to `graphql-response+json`; a tie
/// decided by wildcards (`*/*`) to `application/json`, as the spec asks for legacy clients.
fn negotiate(headers: &HeaderMap) -> Result<MediaType, Refusal> {
    let accept =
        headers.get_all(header::ACCEPT).iter().filter_map(|value| value.to_str().ok()).collect::<Vec<_>>().join(",");
    if accept.trim().is_empty() {
        return Ok(MediaType::Json);
    }
    // (quality, specificity) of the most specific range matching each type; specificity 0 = not matched.
    let mut json = (0.0f32, 0u8);
    let mut graphql_response = (0.0f32, 0u8);
    for range in accept.split(',').filter_map(|range| range.trim().parse::<mime::Mime>().ok()) {
        let quality = range.get_param("q").and_then(|q| q.as_str().parse::<f32>().ok()).unwrap_or(1.0);
        let rank = |target: &mut (f32, u8), specificity: u8| {
            if specificity > target.1 {
                *target = (quality, specificity);
            }
        };
        match range.essence_str() {
            "application/json" => rank(&mut json, 2),
            "application/graphql-response+json" => rank(&mut graphql_response, 2),
            "application/*" | "*/*" => {
                rank(&mut json, 1);
                rank(&mut graphql_response, 1);
            }
            _ => {}
        }
    }
    let explicit_tie = graphql_response.1 == 2 && graphql_response.0 == json.0;
    if graphql_response.0 > 0.0 && (graphql_response.0 > json.0 || explicit_tie) {
        Ok(MediaType::GraphqlResponse)
    } else if json.0 > 0.0 {
        Ok(MediaType::Json)
    } else {
        Err(Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            ErrorCode::BadUserInput,
            "responses are `application/graphql-response+json` or `application/json`; accept one of them",
        ))
    }
}

/// The HTTP status of one response: 200 once execution began. A request error (nothing ran) answers
/// 4xx under `graphql-response+json` and 200 under legacy `application/json`, except for what HTTP itself
/// must say: out of budget (429), timed out (504), unavailable (503), our fault (500).
fn status_of(response: &async_graphql::Response, media: MediaType) -> StatusCode {
    if !is_request_error(response) {
        return StatusCode::OK;
    }
    match (response.errors.first().and_then(ErrorCode::of), media) {
        (Some(ErrorCode::RateLimited), _) => StatusCode::TOO_MANY_REQUESTS,
        (Some(ErrorCode::Timeout), _) => StatusCode::GATEWAY_TIMEOUT,
        (Some(ErrorCode::Unavailable), _) => StatusCode::SERVICE_UNAVAILABLE,
        (Some(ErrorCode::Internal), _) => StatusCode::INTERNAL_SERVER_ERROR,
        (_, MediaType::Json) => StatusCode::OK,
        (Some(ErrorCode::Unauthenticated), _) => StatusCode::UNAUTHORIZED,
        (Some(ErrorCode::Forbidden), _) => StatusCode::FORBIDDEN,
        (Some(ErrorCode::NotFound), _) => StatusCode::NOT_FOUND,
        (Some(ErrorCode::Conflict), _) => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// One response as JSON, fields in the order the query asked for them. A request error has no `data`
/// entry at all, as the spec asks.
#[derive(Serialize)]
struct ResponseBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<async_graphql::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ServerError>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: BTreeMap<String, async_graphql::Value>,
}

fn body_of(mut response: async_graphql::Response, request_id: &str) -> ResponseBody {
    // INTERNAL errors carry the request id, so a client can quote it and we can find the log.
    for error in &mut response.errors {
        if ErrorCode::of(error) == Some(ErrorCode::Internal) {
            error.extensions.get_or_insert_with(Default::default).set("requestId", request_id);
        }
    }
    let data = (!is_request_error(&response)).then_some(response.data);
    ResponseBody { data, errors: response.errors, extensions: response.extensions }
}

fn respond(
    responses: Operations<async_graphql::Response>,
    media: MediaType,
    budget: &ClientBudget,
    request_id: &str,
) -> Response {
    let mut cache_control = None;
    let (status, body) = match responses {
        Operations::Single(response) => {
            // What `caching` needs to know: the cache hints of an answer without errors (it keeps them on GET).
            if response.errors.is_empty() {
                cache_control = response.cache_control.value().and_then(|value| HeaderValue::from_str(&value).ok());
            }
            (status_of(&response, media), serde_json::to_vec(&body_of(response, request_id)))
        }
        Operations::Batch(responses) => {
            // A batch answers 200 with each operation's own errors inside, unless any was out of budget: then
            // the client must slow down, and 429 says so.
            let rate_limited = responses.iter().any(|r| status_of(r, media) == StatusCode::TOO_MANY_REQUESTS);
            let status = if rate_limited { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::OK };
            let bodies: Vec<ResponseBody> =
                responses.into_iter().map(|response| body_of(response, request_id)).collect();
            (status, serde_json::to_vec(&bodies))
        }
    };
    let mut response = write(status, media, body, Some(budget), None);
    if let Some(value) = cache_control {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}

fn refuse(refusal: Refusal, media: MediaType, budget: Option<&ClientBudget>) -> Response {
    let (status, allow) = (refusal.status, refusal.allow);
    let body = serde_json::to_vec(&body_of(async_graphql::Response::from_errors(vec![refusal.error()]), ""));
    write(status, media, body, budget, allow)
}

fn write(
    status: StatusCode,
    media: MediaType,
    body: serde_json::Result<Vec<u8>>,
    budget: Option<&ClientBudget>,
    allow: Option<&str>,
) -> Response {
    // Serializing values we built cannot fail; if it ever did, the client still gets a coded error.
    let (status, body) = match body {
        Ok(body) => (status, body),
        Err(error) => {
            tracing::error!(%error, "cannot serialize a response");
            let internal = r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#;
            (StatusCode::INTERNAL_SERVER_ERROR, internal.as_bytes().to_vec())
        }
    };
    let content_type = match media {
        MediaType::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
        MediaType::Json => JSON,
    };
    let mut response = (status, [(header::CONTENT_TYPE, content_type)], body).into_response();
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("accept"));
    if let Some(budget) = budget {
        headers.extend(budget.headers());
    }
    if let Some(allow) = allow.and_then(|allow| HeaderValue::from_str(allow).ok()) {
        headers.insert(header::ALLOW, allow);
    }
    response
}
