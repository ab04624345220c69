//! The one place where failures become GraphQL errors with a stable `extensions.code`.
//!
//! Resolvers return `Result<T, ApiError>`; `?` on a database error turns it into `INTERNAL` (or `UNAVAILABLE`
//! when the database cannot be reached), whose detail is logged here and never sent to the client.
use std::sync::Arc;

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Codes clients can match on; the set is documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadUserInput,
    NotFound,
    Internal,
    /// The database cannot be reached right now; retrying later can succeed.
    Unavailable,
    /// The request itself is malformed (e.g. a persisted-query hash that does not match its document).
    BadRequest,
    /// Apollo persisted queries: the hash is unknown, so send the document with it.
    PersistedQueryNotFound,
    /// Apollo persisted queries are turned off: send the document.
    PersistedQueryNotSupported,
    /// Allow-list mode: the document is not a registered operation.
    PersistedQueryNotAllowed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Internal => "INTERNAL",
            Self::Unavailable => "UNAVAILABLE",
            Self::BadRequest => "BAD_REQUEST",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::PersistedQueryNotSupported => "PERSISTED_QUERY_NOT_SUPPORTED",
            Self::PersistedQueryNotAllowed => "PERSISTED_QUERY_NOT_ALLOWED",
        }
    }
}

/// A failure on its way to the client. Deliberately not `Display`: the conversion below is the only way out.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The request asked for something it cannot have; the message says what to change.
    BadUserInput(String),
    NotFound(String),
    /// A fault of ours; the source is logged, the client sees only "internal error".
    Internal(Arc<dyn std::error::Error + Send + Sync>),
    /// The database is unreachable; the source is logged, the client sees only that it may retry.
    Unavailable(Arc<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput(message.into())
    }

    pub fn not_found(kind: &str, key: &str, value: &str) -> Self {
        Self::NotFound(format!("no {kind} with {key} {value:?}"))
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadUserInput(_) => ErrorCode::BadUserInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Internal(_) => ErrorCode::Internal,
            Self::Unavailable(_) => ErrorCode::Unavailable,
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        Arc::new(error).into()
    }
}

impl From<Arc<DbErr>> for ApiError {
    fn from(error: Arc<DbErr>) -> Self {
        if crate::db::is_unavailable(&error) { Self::Unavailable(error) } else { Self::Internal(error) }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        let code = error.code().as_str();
        let message = match error {
            ApiError::BadUserInput(message) | ApiError::NotFound(message) => message,
            ApiError::Internal(source) => {
                tracing::error!(error = %source, "internal error");
                "internal error".to_owned()
            }
            ApiError::Unavailable(source) => {
                tracing::warn!(error = %source, "database unavailable");
                "service unavailable, try again later".to_owned()
            }
        };
        async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", code))
    }
}
