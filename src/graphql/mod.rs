//! The GraphQL schema: code-first types, one batched loader, one error mapping, one guard. Knows nothing of
//! HTTP.
pub mod error;
#[macro_use]
mod engine;
pub mod guard;
mod schema;

use std::sync::{Arc, LazyLock};

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Executor, Request, Response, SDLExportOptions, Schema, SchemaBuilder};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::DatabaseConnection;

use crate::config::QueryLimits;
use engine::batching::Batches;
use engine::{loader, page};
use guard::Guard;
pub use guard::analysis::Shape;
pub use guard::persisted::{self, PersistedQueries};
pub use schema::mutation::Mutation;
pub use schema::query::Query;
pub use schema::subscription::Subscription;

use crate::events::Hub;

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// The schema's shape for the cost analysis, read once from the SDL of the schema itself.
static SHAPE: LazyLock<Arc<Shape>> = LazyLock::new(|| {
    let schema = Schema::build(Query, Mutation, Subscription).finish();
    Arc::new(Shape::from_sdl(&sdl(&schema)).expect("the schema's own SDL parses"))
});

/// The schema, guarded by `limits`, before `finish()`: tests add extensions of their own here.
pub fn schema_builder(
    limits: &QueryLimits,
    persisted: PersistedQueries,
    hub: Hub,
) -> SchemaBuilder<Query, Mutation, Subscription> {
    // The guard first, so that it sees every outcome and a panic anywhere after it fails only its field.
    let builder = Schema::build(Query, Mutation, Subscription).data(hub).extension(Guard::new(
        limits.clone(),
        SHAPE.clone(),
        persisted,
    ));
    // async-graphql's spans wrap every resolver in one more future: only worth it when the log filter (set
    // before the schema is built) would record them.
    let builder = if tracing::enabled!(target: "async_graphql::graphql", tracing::Level::INFO) {
        builder.extension(async_graphql::extensions::Tracing)
    } else {
        builder
    };
    if limits.introspection { builder } else { builder.disable_introspection().disable_suggestions() }
}

pub fn build_schema(limits: &QueryLimits, persisted: PersistedQueries, hub: Hub) -> AppSchema {
    schema_builder(limits, persisted, hub).finish()
}

/// Runs one request on `db` (the primary, or a read replica for a query: the caller chooses) with its own
/// batched loader; resolvers find `db` in the request's data.
pub async fn execute(schema: &AppSchema, db: &DatabaseConnection, request: Request) -> Response {
    let batches = Batches::default();
    let request = with_request_data(request, db, &batches);
    batches.run(schema.execute(request)).await
}

/// What every operation's resolvers find in its data: the connection, a batched loader, and the nested
/// lists built so far.
fn with_request_data(request: Request, db: &DatabaseConnection, batches: &Batches) -> Request {
    request.data(db.clone()).data(loader::request_loader(db.clone(), batches)).data(page::NestedQueries::default())
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
        let request = with_request_data(request, &self.db, &batches);
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
    guard::text::check_text(&request.query, limits).ok()?;
    let operation_name = request.operation_name.clone();
    let document: &ExecutableDocument = request.parsed_query().ok()?;
    Some(guard::analysis::selected_operation(document, operation_name.as_deref()).ok()?.node.ty)
}

/// The schema in SDL, sorted so diffs stay readable; `schema.graphql` must equal it.
pub fn sdl(schema: &AppSchema) -> String {
    schema.sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_arguments().sorted_enum_items())
}
