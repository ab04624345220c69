//! How reads execute: keyset pages per parent (`page`), batched loaders keyed by parent id (`loader`,
//! `batching`), and objects resolved in one synchronous pass over their selection (`eager`). The engine
//! knows tables and the validated selection, never the schema's types.
pub mod batching;
pub mod columns;
pub mod eager;
pub mod json;
pub mod keyed;
pub mod loader;
pub mod page;

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::graphql::error::ApiError;

/// The request's database connection (the primary, or a replica for a query), which every request's data
/// holds.
pub fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection, ApiError> {
    ctx.data::<DatabaseConnection>().map_err(|_| ApiError::internal("schema has no database"))
}
