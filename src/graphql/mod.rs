//! The GraphQL schema: code-first types, one batched loader, one error mapping, one guard. Knows nothing of
//! HTTP.
mod analysis;
mod batching;
pub mod error;
mod filter;
pub mod guard;
pub mod limits;
mod loader;
#[macro_use]
mod page;
mod observe;
pub mod persisted;
mod query;
mod types;

use std::sync::{Arc, LazyLock};

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{EmptyMutation, EmptySubscription, Request, Response, SDLExportOptions, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

pub use analysis::Shape;
use batching::Batches;
use guard::Guard;
use limits::QueryLimits;
pub use persisted::PersistedQueries;
pub use query::Query;

pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The schema's shape for the cost analysis, read once from the SDL of the schema itself.
static SHAPE: LazyLock<Arc<Shape>> = LazyLock::new(|| {
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription).finish();
    Arc::new(Shape::from_sdl(&sdl(&schema)).expect("the schema's own SDL parses"))
});

/// The schema, guarded by `limits`, before `finish()`: tests add extensions of their own here.
pub fn schema_builder(
    limits: &QueryLimits,
    persisted: PersistedQueries,
) -> SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    // Extensions run in the order added: `Observe` first, so it sees the HTTP request's span and every
    // outcome; then persisted queries, which turn a hash into the document the guard checks; then the
    // guard, so a panic anywhere after it fails only its field.
    let builder = Schema::build(Query, EmptyMutation, EmptySubscription).extension(observe::Observe);
    let builder = persisted.register(builder).extension(Guard::new(limits.clone(), SHAPE.clone()));
    // async-graphql's spans wrap every resolver in one more future: only worth it when the log filter (set
    // before the schema is built) would record them.
    let builder = if tracing::enabled!(target: "async_graphql::graphql", tracing::Level::INFO) {
        builder.extension(async_graphql::extensions::Tracing)
    } else {
        builder
    };
    if limits.introspection { builder } else { builder.disable_introspection().disable_suggestions() }
}

pub fn build_schema(limits: &QueryLimits, persisted: PersistedQueries) -> AppSchema {
    schema_builder(limits, persisted).finish()
}

/// Runs one request on `db` (the primary, or a read replica for a query: the caller chooses) with its own
/// batched loader; resolvers find `db` in the request's data.
pub async fn execute(schema: &AppSchema, db: &DatabaseConnection, request: Request) -> Response {
    let batches = Batches::default();
    let request = request
        .data(db.clone())
        .data(loader::request_loader(db.clone(), &batches))
        .data(page::NestedQueries::default());
    batches.run(schema.execute(request)).await
}

/// The type of operation `request` would run, if its document is within the text limits and parses; the
/// document is kept in the request, so it is not parsed again. Transports that may only run queries (GET)
/// ask this before executing.
pub fn operation_type(request: &mut Request, limits: &QueryLimits) -> Option<OperationType> {
    limits::check_text(&request.query, limits).ok()?;
    let operation_name = request.operation_name.clone();
    let document: &ExecutableDocument = request.parsed_query().ok()?;
    Some(analysis::selected_operation(document, operation_name.as_deref()).ok()?.node.ty)
}

/// The schema in SDL, sorted so diffs stay readable; `schema.graphql` must equal it.
pub fn sdl(schema: &AppSchema) -> String {
    schema.sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_arguments().sorted_enum_items())
}
