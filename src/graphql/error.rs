//! The one place where failures become GraphQL errors with a stable `extensions.code`.
//!
//! Resolvers return `Result<T, ApiError>`; `?` on a database error turns it into `INTERNAL`, whose detail
//! is logged here and never sent to the client.
use std::sync::Arc;

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Codes clients can match on; the set is documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadUserInput,
    NotFound,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Internal => "INTERNAL",
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
        Self::NotFound(format!("no {kind} with {key} {value:?}"))
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadUserInput(_) => ErrorCode::BadUserInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        Self::Internal(Arc::new(error))
    }
}

impl From<Arc<DbErr>> for ApiError {
    fn from(error: Arc<DbErr>) -> Self {
        Self::Internal(error)
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
        };
        async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", code))
    }
}
