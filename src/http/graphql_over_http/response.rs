//! Writing a response: the one mapping from a GraphQL outcome to an HTTP status, and the body in the
//! negotiated media type.
use std::collections::BTreeMap;

use async_graphql::ServerError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::negotiation::MediaType;
use super::{Operations, Refusal};
use crate::graphql::Answer;
use crate::graphql::error::{ErrorCode, is_request_error};
use crate::http::rate_limit::ClientBudget;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// The HTTP status of one response: 200 once execution began. A request error (nothing ran) answers
/// 4xx under `graphql-response+json` and 200 under legacy `application/json`, except for what HTTP itself
/// must say: out of budget (429), timed out (504), unavailable (503), our fault (500).
fn status_of(response: &async_graphql::Response, media: MediaType) -> StatusCode {
    if !is_request_error(response) {
        return StatusCode::OK;
    }
    error_status(response, media)
}

/// The status of a response that failed for the reason its first error's code gives.
fn error_status(response: &async_graphql::Response, media: MediaType) -> StatusCode {
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

/// One answer's body. Data the planned executor wrote goes in as it is, where `ResponseBody` would put it:
/// such an answer has no errors and no extensions but its cost, so its body is `data` then `extensions`.
fn body_of(answer: Answer, request_id: &str) -> serde_json::Result<Vec<u8>> {
    let mut response = answer.response;
    if let Some(written) = answer.written {
        // Put around the data where it lies: a copy of a large response was a second buffer as large, and
        // the writer's buffer usually has room to spare.
        let mut body = written.json;
        body.splice(0..0, *b"{\"data\":");
        if let Some(cost) = written.cost {
            body.extend_from_slice(b",\"extensions\":{\"cost\":");
            cost.write_json(&mut body);
            body.push(b'}');
        }
        body.push(b'}');
        return Ok(body);
    }
    // INTERNAL errors carry the request id, so a client can quote it and we can find the log.
    for error in &mut response.errors {
        if ErrorCode::of(error) == Some(ErrorCode::Internal) {
            error.extensions.get_or_insert_with(Default::default).set("requestId", request_id);
        }
    }
    let data = (!is_request_error(&response)).then_some(response.data);
    serde_json::to_vec(&ResponseBody { data, errors: response.errors, extensions: response.extensions })
}

pub(super) fn respond(
    responses: Operations<Answer>,
    media: MediaType,
    budget: &ClientBudget,
    request_id: &str,
) -> Response {
    let (mut cache_control, mut retry_after) = (None, None);
    let (status, body) = match responses {
        Operations::Single(answer) => {
            let response = &answer.response;
            cache_control = cache_control_of(response);
            retry_after = shed_for(response);
            (status_of(response, media), body_of(answer, request_id))
        }
        Operations::Batch(answers) => {
            // A batch answers 200 with each operation's own errors inside, unless any was out of budget: then
            // the client must slow down, and 429 says so.
            let rate_limited = answers.iter().any(|a| status_of(&a.response, media) == StatusCode::TOO_MANY_REQUESTS);
            let status = if rate_limited { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::OK };
            (status, batch_body(answers, request_id))
        }
    };
    let mut response = write(status, media, body, Some(budget), None);
    if let Some(value) = cache_control {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// What `caching` needs to know: the cache hints of an answer without errors (it keeps them on GET).
fn cache_control_of(response: &async_graphql::Response) -> Option<HeaderValue> {
    let hints = response.errors.is_empty().then(|| response.cache_control.value()).flatten();
    hints.and_then(|value| HeaderValue::from_str(&value).ok())
}

/// How a named operation's answer is written as a table (`http::named`): its file name, and the writer
/// that turns the answer's `data` (as JSON) into the table, or says why it cannot.
pub(crate) struct Table<'a> {
    pub(crate) file_name: &'a str,
    pub(crate) write: &'a WriteTable<'a>,
}

/// Writes a table from an answer's `data` (JSON), or says why it cannot.
pub(crate) type WriteTable<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, String> + Sync + 'a;

const CSV: &str = "text/csv; charset=utf-8; header=present";

/// One answer as a table. Never half a table: an answer with any error is answered as its JSON, under the
/// status its first error's code has (a field's `NOT_FOUND` is a 404 here, where JSON would say 200 and
/// keep the rest of the data).
pub(super) fn respond_as_table(answer: Answer, table: &Table, budget: &ClientBudget, request_id: &str) -> Response {
    let response = &answer.response;
    if !response.errors.is_empty() {
        let status = error_status(response, MediaType::PlainJson);
        let mut refused = respond(Operations::Single(answer), MediaType::PlainJson, budget, request_id);
        *refused.status_mut() = status;
        return refused;
    }
    let cache_control = cache_control_of(response);
    let data = match answer.written {
        Some(written) => Ok(written.json),
        None => serde_json::to_vec(&answer.response.data),
    };
    let written = data.map_err(|error| error.to_string()).and_then(|data| (table.write)(&data));
    let body = match written {
        Ok(body) => body,
        Err(error) => {
            // The table was derived from the operation and the schema before it ran, so the data fits it.
            tracing::error!(%error, "cannot write a table");
            let refusal = Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "internal error");
            return refuse(refusal, MediaType::PlainJson, Some(budget));
        }
    };
    let disposition = format!("attachment; filename=\"{}\"", table.file_name);
    let mut response = (StatusCode::OK, [(header::CONTENT_TYPE, CSV)], body).into_response();
    let headers = response.headers_mut();
    if let Ok(disposition) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    if let Some(value) = cache_control {
        headers.insert(header::CACHE_CONTROL, value);
    }
    headers.extend(budget.headers());
    response
}

/// A batch's answers as one JSON list.
fn batch_body(answers: Vec<Answer>, request_id: &str) -> serde_json::Result<Vec<u8>> {
    let mut body = vec![b'['];
    for (i, answer) in answers.into_iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&body_of(answer, request_id)?);
    }
    body.push(b']');
    Ok(body)
}

/// When the server shed the operation for want of room (`UNAVAILABLE` with `retryAfter`), when to retry.
fn shed_for(response: &async_graphql::Response) -> Option<u64> {
    let error = response.errors.first().filter(|error| ErrorCode::of(error) == Some(ErrorCode::Unavailable))?;
    match error.extensions.as_ref()?.get("retryAfter")? {
        async_graphql::Value::Number(seconds) => seconds.as_u64(),
        _ => None,
    }
}

pub(super) fn refuse(refusal: Refusal, media: MediaType, budget: Option<&ClientBudget>) -> Response {
    let (status, allow) = (refusal.status, refusal.allow);
    let body = body_of(Answer::from(async_graphql::Response::from_errors(vec![refusal.error()])), "");
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
        MediaType::Json | MediaType::PlainJson => JSON,
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
