//! Reading a request: GET parameters or a POST body into GraphQL requests, with the spec's checks on each
//! parameter, or a `Refusal` saying why not.
use async_graphql::parser::types::OperationType;
use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode, header, request::Parts};
use futures_util::StreamExt;
use serde_json::{Map, Value};

use super::{Operations, Refusal};
use crate::graphql::error::ErrorCode;
use crate::http::AppState;

/// How much of a body is read, at most, before answering. Closing a connection with unread data resets it,
/// and the client would never read our 413 (or 415, 429…): so a refused body is read and thrown away, up to
/// this much; past it the client has earned the reset.
const DISCARD_AT_MOST: usize = 64 * 1024 * 1024;

/// The body, if it is within `limit` bytes; read to its end either way (up to `DISCARD_AT_MOST`).
pub(super) async fn read_body(body: Body, limit: usize) -> Result<Vec<u8>, Refusal> {
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
pub(super) async fn discard(body: Body, deadline: tokio::time::Instant) {
    let _ = tokio::time::timeout_at(deadline, read_body(body, 0)).await;
}

/// Parses GET parameters or a POST body into requests, or says why not.
pub(super) async fn read_operations(state: &AppState, parts: &Parts, body: Body) -> Result<Operations, Refusal> {
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
pub(super) fn refuse_writes_over_get(
    state: &AppState,
    method: &Method,
    operations: Operations,
) -> Result<Operations, Refusal> {
    let Operations::Single(mut request) = operations else { return Ok(operations) };
    if method == Method::GET {
        let operation = state.guard.prepare(&mut request).map(|prepared| prepared.ty());
        if matches!(operation, Ok(OperationType::Mutation | OperationType::Subscription)) {
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
