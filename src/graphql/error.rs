//! The one place where failures become GraphQL errors with a stable `extensions.code`.
//!
//! Resolvers return `Result<T, ApiError>`; `?` on a database error turns it into `INTERNAL` (or `UNAVAILABLE`
//! when the database cannot be reached), whose detail is logged here and never sent to the client. Errors raised before execution (parsing, validation,
//! limits, the rate limit) are built with [`ErrorCode::error`], and [`ensure_codes`] gives every error the
//! framework raised without a code one from this set, so a client always has a code to match on.
use std::sync::Arc;

use async_graphql::{ErrorExtensionValues, ErrorExtensions, Response, ServerError};
use sea_orm::DbErr;

/// Codes clients can match on; the set is documented in docs/api.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The document is not GraphQL.
    GraphqlParseFailed,
    /// The document is GraphQL but not valid against the schema (unknown field, wrong argument type, …).
    GraphqlValidationFailed,
    /// The request asked for something it cannot have, or is malformed; the message says what to change.
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    /// The request is over one of the limits (depth, cost, aliases, sizes, batch, …).
    QueryTooComplex,
    /// The client's cost budget is spent for now; retry after the time given.
    RateLimited,
    /// The request ran longer than the server allows and was stopped.
    Timeout,
    /// The server cannot serve the request right now (e.g. the database is down).
    Unavailable,
    /// A fault of ours; the client sees only "internal error".
    Internal,
    /// Apollo persisted queries: the hash is unknown, so send the document with it.
    PersistedQueryNotFound,
    /// Apollo persisted queries are turned off: send the document.
    PersistedQueryNotSupported,
    /// Allow-list mode: the document is not a registered operation.
    PersistedQueryNotAllowed,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 15] = [
        Self::GraphqlParseFailed,
        Self::GraphqlValidationFailed,
        Self::BadUserInput,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::QueryTooComplex,
        Self::RateLimited,
        Self::Timeout,
        Self::Unavailable,
        Self::Internal,
        Self::PersistedQueryNotFound,
        Self::PersistedQueryNotSupported,
        Self::PersistedQueryNotAllowed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Self::RateLimited => "RATE_LIMITED",
            Self::Timeout => "TIMEOUT",
            Self::Unavailable => "UNAVAILABLE",
            Self::Internal => "INTERNAL",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::PersistedQueryNotSupported => "PERSISTED_QUERY_NOT_SUPPORTED",
            Self::PersistedQueryNotAllowed => "PERSISTED_QUERY_NOT_ALLOWED",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|known| known.as_str() == code)
    }

    /// The code an error carries, if it carries one of ours.
    pub fn of(error: &ServerError) -> Option<Self> {
        match error.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(code) => Self::parse(code),
            _ => None,
        }
    }

    /// A request-level error (no path) with this code.
    pub fn error(self, message: impl Into<String>) -> ServerError {
        self.tag(ServerError::new(message, None))
    }

    /// Sets this code on `error`.
    pub fn tag(self, mut error: ServerError) -> ServerError {
        self.set_on(&mut error);
        error
    }

    pub fn set_on(self, error: &mut ServerError) {
        error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", self.as_str());
    }
}

/// A failure on its way to the client. Deliberately not `Display`: the conversion below is the only way out.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The request asked for something it cannot have; the message says what to change.
    BadUserInput(String),
    /// No valid API key came with a request that needs one.
    Unauthenticated(String),
    /// The key is valid but its role may not do this.
    Forbidden(String),
    NotFound(String),
    /// A fault of ours; the source is logged, the client sees only "internal error".
    Internal(Arc<dyn std::error::Error + Send + Sync>),
    /// The database is unreachable; the source is logged, the client sees only that it may retry.
    Unavailable(Arc<dyn std::error::Error + Send + Sync>),
    /// The database cancelled a statement that ran past `--db-statement-timeout`; the source is logged.
    Timeout(Arc<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput(message.into())
    }

    /// A broken invariant of ours, described for the log.
    pub fn internal(what: &str) -> Self {
        Self::Internal(Arc::new(DbErr::Custom(what.to_owned())))
    }

    pub fn not_found(kind: &str, key: &str, value: &str) -> Self {
        Self::NotFound(not_found_message(kind, key, value))
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadUserInput(_) => ErrorCode::BadUserInput,
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Internal(_) => ErrorCode::Internal,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Timeout(_) => ErrorCode::Timeout,
        }
    }
}

/// "no role with slug \"x\"", echoing what was asked for, but not a megabyte of it.
pub fn not_found_message(kind: &str, key: &str, value: &str) -> String {
    format!("no {kind} with {key} {}", echo(value))
}

/// How much of a client's value an error message quotes.
const ECHOED: usize = 200;
/// The longest message an error carries: one over it can only be quoting the client's input at length (a
/// framework's message, say, naming the value it refused), and is cut.
const MAX_MESSAGE: usize = 500;

/// `value` quoted for an error message: its first 200 characters, then `…` if there were more.
pub fn echo(value: &str) -> String {
    match value.char_indices().nth(ECHOED) {
        Some((cut, _)) => format!("{:?}…", &value[..cut]),
        None => format!("{value:?}"),
    }
}

/// `message` cut to [`MAX_MESSAGE`] characters.
fn bounded(mut message: String) -> String {
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE) {
        message.truncate(cut);
        message.push('…');
    }
    message
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        Arc::new(error).into()
    }
}

impl From<Arc<DbErr>> for ApiError {
    fn from(error: Arc<DbErr>) -> Self {
        if crate::db::is_unavailable(&error) {
            Self::Unavailable(error)
        } else if crate::db::is_statement_timeout(&error) {
            Self::Timeout(error)
        } else if crate::db::is_unstorable_text(&error) {
            Self::bad_input("a string holds U+0000 (NUL), which the database cannot store or compare: remove it")
        } else {
            Self::Internal(error)
        }
    }
}

/// What a client is told about a fault of ours; the detail goes to the log (inside the request's span,
/// which carries its request id).
pub const INTERNAL_MESSAGE: &str = "internal error";

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        let code = error.code().as_str();
        let message = match error {
            ApiError::BadUserInput(message)
            | ApiError::Unauthenticated(message)
            | ApiError::Forbidden(message)
            | ApiError::NotFound(message) => bounded(message),
            ApiError::Internal(source) => {
                tracing::error!(error = %source, "internal error");
                INTERNAL_MESSAGE.to_owned()
            }
            ApiError::Unavailable(source) => {
                tracing::warn!(error = %source, "database unavailable");
                "service unavailable, try again later".to_owned()
            }
            ApiError::Timeout(source) => {
                tracing::warn!(error = %source, "statement timeout");
                "the query ran longer than the database allows and was stopped".to_owned()
            }
        };
        async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", code))
    }
}

/// Gives every error without one of our codes a code. The framework's own errors are either about the
/// document, raised before execution and so without a path (`GRAPHQL_VALIDATION_FAILED`, e.g. "Unknown
/// operation named"), an argument value its validation let through but its input type then refuses
/// (`BAD_USER_INPUT`), or faults met while resolving a field, whose text may say more than a client should
/// see: those become `INTERNAL` and their text is logged instead.
pub fn ensure_codes(response: &mut Response) {
    for error in &mut response.errors {
        if ErrorCode::of(error).is_some() {
            continue;
        }
        error.message = bounded(std::mem::take(&mut error.message));
        if error.path.is_empty() {
            ErrorCode::GraphqlValidationFailed.set_on(error);
        } else if is_input_value_error(&error.message) {
            ErrorCode::BadUserInput.set_on(error);
        } else {
            tracing::error!(error = %error.message, path = ?error.path, "internal error without a code");
            error.message = INTERNAL_MESSAGE.to_owned();
            ErrorCode::Internal.set_on(error);
        }
    }
}

/// Whether a field's error is async-graphql's refusal of an argument value (its `InputValueError`): the
/// client's input to fix, not a fault. Its validation lets a scalar or enum through where an input object is
/// expected (`filter: { name: NOT_A_VALUE }`), and the field's argument parsing then refuses it.
fn is_input_value_error(message: &str) -> bool {
    message.starts_with("Expected input type ") || message.starts_with("Failed to parse ")
}

/// A response whose errors were all raised before execution began: GraphQL over HTTP calls this a request
/// error, and its `data` entry must be absent rather than null.
pub fn is_request_error(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// A `QUERY_TOO_COMPLEX` error naming the limit, so clients can tell which one they hit.
pub fn over_limit(limit: &str, message: impl Into<String>) -> ServerError {
    let mut error = ErrorCode::QueryTooComplex.error(message);
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set("limit", limit);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_name() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert_eq!(ErrorCode::of(&code.error("x")), Some(code));
        }
    }

    #[test]
    fn uncoded_errors_get_a_code_and_field_faults_lose_their_text() {
        let mut field_fault = ServerError::new("Data `sea_orm::DatabaseConnection` does not exist.", None);
        field_fault.path = vec![async_graphql::PathSegment::Field("roles".into())];
        let mut response =
            Response::from_errors(vec![ServerError::new("Unknown operation named \"X\"", None), field_fault]);
        ensure_codes(&mut response);
        assert_eq!(ErrorCode::of(&response.errors[0]), Some(ErrorCode::GraphqlValidationFailed));
        assert_eq!(response.errors[0].message, "Unknown operation named \"X\"");
        assert_eq!(ErrorCode::of(&response.errors[1]), Some(ErrorCode::Internal));
        assert_eq!(response.errors[1].message, INTERNAL_MESSAGE);
    }

    #[test]
    fn argument_values_the_input_type_refuses_are_bad_user_input() {
        let message =
            "Expected input type \"StringFilter\", found NOT_A_VALUE. (occurred while parsing \"ToolFilter\")";
        let mut refused = ServerError::new(message, None);
        refused.path = vec![async_graphql::PathSegment::Field("tools".into())];
        let mut response = Response::from_errors(vec![refused]);
        ensure_codes(&mut response);
        assert_eq!(ErrorCode::of(&response.errors[0]), Some(ErrorCode::BadUserInput));
        assert_eq!(response.errors[0].message, message, "the message says what to change");
    }

    #[test]
    fn echoed_input_is_cut_to_a_prefix() {
        let long = "x".repeat(100_000);
        assert_eq!(echo("short"), "\"short\"");
        assert_eq!(echo(&long), format!("{:?}…", &long[..ECHOED]));
        let mut refused = ServerError::new(format!("Expected input type \"StringFilter\", found {long}."), None);
        refused.path = vec![async_graphql::PathSegment::Field("tools".into())];
        let mut response = Response::from_errors(vec![refused]);
        ensure_codes(&mut response);
        assert_eq!(response.errors[0].message.chars().count(), MAX_MESSAGE + 1);
        assert!(response.errors[0].message.starts_with("Expected input type \"StringFilter\", found xxx"));
    }
}
