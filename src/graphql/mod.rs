//! The GraphQL schema: code-first types, one batched loader, one error mapping. Knows nothing of HTTP.
mod batching;
pub mod error;
mod loader;
mod observe;
pub mod persisted;
mod query;
mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Request, Response, SDLExportOptions, Schema};
use sea_orm::DatabaseConnection;

use batching::Batches;
pub use persisted::PersistedQueries;
pub use query::Query;

pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Deeper documents are refused before execution. GraphiQL's introspection query (13 levels) must pass;
/// real queries over this graph need fewer.
const MAX_DEPTH: usize = 16;

pub fn build_schema(db: DatabaseConnection, persisted: PersistedQueries) -> AppSchema {
    // Extensions run in the order added: `Observe` first, so it sees the HTTP request's span (not
    // `Tracing`'s) and every outcome, persisted-query refusals included.
    let builder = Schema::build(Query, EmptyMutation, EmptySubscription)
        .data(db)
        .limit_depth(MAX_DEPTH)
        .extension(observe::Observe)
        .extension(async_graphql::extensions::Tracing);
    persisted.register(builder).finish()
}

/// Runs one request with its own batched loader.
pub async fn execute(schema: &AppSchema, db: &DatabaseConnection, request: Request) -> Response {
    let batches = Batches::default();
    let request = request.data(loader::request_loader(db.clone(), &batches));
    batches.run(schema.execute(request)).await
}

/// The schema in SDL, sorted so diffs stay readable; `schema.graphql` must equal it.
pub fn sdl(schema: &AppSchema) -> String {
    schema.sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_arguments().sorted_enum_items())
}
