//! The GraphQL schema: code-first types, one batched loader, one error mapping, one guard. Knows nothing of
//! HTTP.
mod analysis;
mod batching;
pub mod error;
mod filter;
pub mod guard;
pub mod limits;
mod loader;
mod mutation;
#[macro_use]
mod page;
mod observe;
pub mod persisted;
mod query;
mod subscription;
mod types;
mod write;

use std::sync::{Arc, LazyLock};

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Executor, Request, Response, SDLExportOptions, Schema, SchemaBuilder};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::DatabaseConnection;

pub use analysis::Shape;
use batching::Batches;
use guard::Guard;
use limits::QueryLimits;
pub use mutation::Mutation;
pub use persisted::PersistedQueries;
pub use query::Query;
pub use subscription::Subscription;

use crate::events::Hub;

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// The schema's shape for the cost analysis, read once from the SDL of the schema itself.
static SHAPE: LazyLock<Arc<Shape>> = LazyLock::new(|| {
    let schema = Schema::build(Query, Mutation, Subscription).finish();
    Arc::new(Shape::from_sdl(&sdl(&schema)).expect("the schema's own SDL parses"))
});

/// The schema, guarded by `limits`, before `finish()`: tests add extensions of their own here.
pub fn schema_builder(
    db: DatabaseConnection,
    limits: &QueryLimits,
    persisted: PersistedQueries,
    hub: Hub,
) -> SchemaBuilder<Query, Mutation, Subscription> {
    // Extensions run in the order added: `Observe` first, so it sees the HTTP request's span and every
    // outcome; then persisted queries, which turn a hash into the document the guard checks; then the
    // guard, so a panic anywhere after it fails only its field.
    let builder = Schema::build(Query, Mutation, Subscription).data(db).data(hub).extension(observe::Observe);
    let builder = persisted
        .register(builder)
        .extension(Guard::new(limits.clone(), SHAPE.clone()))
        .extension(async_graphql::extensions::Tracing);
    if limits.introspection { builder } else { builder.disable_introspection().disable_suggestions() }
}

pub fn build_schema(db: DatabaseConnection, limits: &QueryLimits, persisted: PersistedQueries, hub: Hub) -> AppSchema {
    schema_builder(db, limits, persisted, hub).finish()
}

/// Runs one request with its own batched loader.
pub async fn execute(schema: &AppSchema, db: &DatabaseConnection, request: Request) -> Response {
    let batches = Batches::default();
    let request = request.data(loader::request_loader(db.clone(), &batches));
    batches.run(schema.execute(request)).await
}

/// Runs subscriptions for the websocket endpoint: each event's response is resolved with a batched loader
/// of its own, as a request's is.
#[derive(Clone)]
pub struct SubscriptionExecutor {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
}

impl Executor for SubscriptionExecutor {
    async fn execute(&self, request: Request) -> Response {
        execute(&self.schema, &self.db, request).await
    }

    fn execute_stream(&self, request: Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        let batches = Batches::default();
        let request = request.data(loader::request_loader(self.db.clone(), &batches));
        let responses = self.schema.execute_stream_with_session_data(request, session_data.unwrap_or_default());
        futures_util::stream::unfold((responses, batches), |(mut responses, batches)| async move {
            let response = batches.clone().run(responses.next()).await?;
            Some((response, (responses, batches)))
        })
        .boxed()
    }
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
