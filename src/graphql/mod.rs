//! GraphQL: admission (`guard/`), the schema clients see (`schema/`), how reads execute (`engine/`), and
//! the one error mapping (`error.rs`). Knows nothing of HTTP.
pub mod error;
#[macro_use]
mod engine;
pub mod guard;
mod schema;
mod spans;

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, LazyLock};

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Executor, ObjectType, Request, Response, SDLExportOptions, Schema, SchemaBuilder};
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};
use sea_orm::DatabaseConnection;
use tracing::Instrument as _;

use crate::config::QueryLimits;
use crate::graphql::error::{ErrorCode, INTERNAL_MESSAGE};
use engine::batching::Batches;
use engine::{loader, page};
pub use guard::Guard;
pub use guard::analysis::Shape;
pub use guard::persisted::{self, PersistedQueries};
pub use schema::federation::FederatedQuery;
pub use schema::mutation::Mutation;
pub use schema::query::Query;
pub use schema::subscription::Subscription;

use crate::events::Hub;

/// The schema every handler runs: the plain one, or with `--federation` the subgraph, whose root also
/// resolves `_entities` and `_service`. Two types because async-graphql decides federation by the root's
/// type (see `schema::federation`); both share every type, resolver and loader.
#[derive(Clone)]
pub enum AppSchema {
    Plain(Schema<Query, Mutation, Subscription>),
    Federated(Schema<FederatedQuery, Mutation, Subscription>),
}

impl From<Schema<Query, Mutation, Subscription>> for AppSchema {
    fn from(schema: Schema<Query, Mutation, Subscription>) -> Self {
        Self::Plain(schema)
    }
}

impl AppSchema {
    pub async fn execute(&self, request: Request) -> Response {
        match self {
            Self::Plain(schema) => schema.execute(request).await,
            Self::Federated(schema) => schema.execute(request).await,
        }
    }

    pub fn execute_stream_with_session_data(
        &self,
        request: Request,
        session_data: Arc<Data>,
    ) -> BoxStream<'static, Response> {
        match self {
            Self::Plain(schema) => schema.execute_stream_with_session_data(request, session_data),
            Self::Federated(schema) => schema.execute_stream_with_session_data(request, session_data),
        }
    }

    pub fn sdl_with_options(&self, options: SDLExportOptions) -> String {
        match self {
            Self::Plain(schema) => schema.sdl_with_options(options),
            Self::Federated(schema) => schema.sdl_with_options(options),
        }
    }
}

/// The schema's shape for the cost analysis, read once from the SDL of the schema itself.
static SHAPE: LazyLock<Arc<Shape>> = LazyLock::new(|| {
    let schema = Schema::build(Query, Mutation, Subscription).finish();
    Arc::new(Shape::from_sdl(&sorted_sdl(&schema)).expect("the schema's own SDL parses"))
});

/// The federated schema's shape: `_entities` is a list of `_Entity`, costed as any list is.
static FEDERATED_SHAPE: LazyLock<Arc<Shape>> = LazyLock::new(|| {
    let schema = Schema::build(FederatedQuery::new(), Mutation, Subscription).finish();
    Arc::new(Shape::from_sdl(&sorted_sdl(&schema)).expect("the federated schema's own SDL parses"))
});

/// The schema under `limits`, before `finish()`: tests add extensions of their own here. It has no
/// extension of its own (admission is the guard's, around it), so async-graphql resolves fields directly.
pub fn schema_builder(limits: &QueryLimits, hub: Hub) -> SchemaBuilder<Query, Mutation, Subscription> {
    configured(Schema::build(Query, Mutation, Subscription), limits, hub)
}

fn configured<Q: ObjectType + 'static>(
    builder: SchemaBuilder<Q, Mutation, Subscription>,
    limits: &QueryLimits,
    hub: Hub,
) -> SchemaBuilder<Q, Mutation, Subscription> {
    let builder = builder.data(hub);
    // With traces exported, a span for async-graphql's validation (the one stage only an extension sees).
    let builder = if crate::telemetry::enabled() { builder.extension(spans::ValidationSpan) } else { builder };
    // async-graphql's spans wrap every resolver in one more future: only worth it when the log filter (set
    // before the schema is built) would record them.
    let builder = if tracing::enabled!(target: "async_graphql::graphql", tracing::Level::INFO) {
        builder.extension(async_graphql::extensions::Tracing)
    } else {
        builder
    };
    if limits.introspection { builder } else { builder.disable_introspection().disable_suggestions() }
}

pub fn build_schema(limits: &QueryLimits, hub: Hub) -> AppSchema {
    schema_builder(limits, hub).finish().into()
}

/// The schema as an Apollo Federation v2 subgraph (`--federation`).
pub fn build_federated_schema(limits: &QueryLimits, hub: Hub) -> AppSchema {
    let builder = Schema::build(FederatedQuery::new(), Mutation, Subscription).enable_federation();
    AppSchema::Federated(configured(builder, limits, hub).finish())
}

/// The admission every request to the schema passes, under `limits`.
pub fn guard(limits: &QueryLimits, persisted: PersistedQueries) -> Guard {
    Guard::new(limits.clone(), SHAPE.clone(), persisted)
}

/// The admission for the federated schema, whose shape also has `_entities` and `_service`.
pub fn federated_guard(limits: &QueryLimits, persisted: PersistedQueries) -> Guard {
    Guard::new(limits.clone(), FEDERATED_SHAPE.clone(), persisted)
}

/// Runs one request through the guard and the schema, on `db` (the primary, or a read replica for a query:
/// the caller chooses) with its own batched loader; resolvers find `db` in the request's data. A panic
/// anywhere in it fails the request with `INTERNAL`, as the spec allows, never the connection.
pub async fn execute(schema: &AppSchema, guard: &Guard, db: &DatabaseConnection, request: Request) -> Response {
    guard
        .run(request, |request| async move {
            let batches = Batches::default();
            let request = with_request_data(request, db, &batches);
            let executed = batches
                .run(schema.execute(request))
                .instrument(crate::telemetry::stage(|| tracing::info_span!("graphql.execute")));
            match AssertUnwindSafe(executed).catch_unwind().await {
                Ok(response) => response,
                Err(panic) => {
                    tracing::error!(panic = panic_message(&*panic), "a request panicked");
                    Response::from_errors(vec![ErrorCode::Internal.error(INTERNAL_MESSAGE)])
                }
            }
        })
        .await
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str)).unwrap_or("?")
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
    pub guard: Arc<Guard>,
    pub db: DatabaseConnection,
}

impl Executor for SubscriptionExecutor {
    async fn execute(&self, request: Request) -> Response {
        execute(&self.schema, &self.guard, &self.db, request).await
    }

    fn execute_stream(&self, request: Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        let (schema, guard, db) = (self.schema.clone(), self.guard.clone(), self.db.clone());
        let admitted = async move {
            let (request, document) = match guard.admit_subscription(request).await {
                Ok(admitted) => admitted,
                Err(refused) => return futures_util::stream::once(async { refused }).boxed(),
            };
            let operation = request.operation_name.clone();
            let batches = Batches::default();
            let request = with_request_data(request, &db, &batches);
            let responses = schema.execute_stream_with_session_data(request, session_data.unwrap_or_default());
            let finish = move |response: &mut Response| {
                guard.complete(response, &document, operation.as_deref());
                guard.conclude(None, response);
            };
            futures_util::stream::unfold((responses, batches, finish), |(mut responses, batches, finish)| async move {
                let mut response = batches.clone().run(responses.next()).await?;
                finish(&mut response);
                Some((response, (responses, batches, finish)))
            })
            .boxed()
        };
        futures_util::stream::once(admitted).flatten().boxed()
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
    schema.sdl_with_options(sdl_options())
}

fn sorted_sdl<Q: ObjectType + 'static>(schema: &Schema<Q, Mutation, Subscription>) -> String {
    schema.sdl_with_options(sdl_options())
}

fn sdl_options() -> SDLExportOptions {
    SDLExportOptions::new().sorted_fields().sorted_arguments().sorted_enum_items()
}
