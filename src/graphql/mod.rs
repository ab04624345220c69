//! GraphQL: admission (`guard/`), the schema clients see (`schema/`), how reads execute (`engine/`), and
//! the one error mapping (`error.rs`). Knows nothing of HTTP.
pub mod admission;
pub mod error;
#[macro_use]
mod engine;
mod execution;
pub mod operation;
mod schema;
mod spans;

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, LazyLock};

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Data, Executor, ObjectType, Request, Response, SDLExportOptions, Schema, SchemaBuilder};
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};
use sea_orm::DatabaseConnection;
use tracing::Instrument as _;

use crate::config::{self, QueryLimits};
use crate::graphql::error::{ErrorCode, INTERNAL_MESSAGE, is_request_error};
pub use admission::Guard;
use admission::observe::operation_label;
pub use admission::persisted::{self, PersistedQueries};
use engine::batching::Batches;
use engine::{loader, page};
pub use execution::Answer;
pub use execution::planned::LEFT_TO_RESOLVERS;
use execution::{complete, planned};
pub use operation::analysis::Shape;
use operation::validation;
pub use schema::federation::FederatedQuery;
pub use schema::mutation::Mutation;
pub use schema::query::Query;
pub use schema::subscription::Subscription;

use crate::events::Hub;

/// The schema every handler runs: the plain one, or with `--federation` the subgraph, whose root also
/// resolves `_entities` and `_service` (two types, because async-graphql decides federation by the root's
/// type: see `schema::federation`; both share every type, resolver and loader). With `--executor planned`,
/// queries the planner covers are validated by a copy of the plain schema that stops there, and executed
/// by the planner (`planned/`).
#[derive(Clone)]
pub struct AppSchema {
    resolvers: Resolvers,
    validator: Option<Arc<validation::Validator>>,
}

#[derive(Clone)]
enum Resolvers {
    Plain(Schema<Query, Mutation, Subscription>),
    Federated(Schema<FederatedQuery, Mutation, Subscription>),
}

/// The plain schema on the resolvers alone: what tests that add an extension of their own run.
impl From<Schema<Query, Mutation, Subscription>> for AppSchema {
    fn from(schema: Schema<Query, Mutation, Subscription>) -> Self {
        Self { resolvers: Resolvers::Plain(schema), validator: None }
    }
}

impl AppSchema {
    pub async fn execute(&self, request: Request) -> Response {
        match &self.resolvers {
            Resolvers::Plain(schema) => schema.execute(request).await,
            Resolvers::Federated(schema) => schema.execute(request).await,
        }
    }

    pub fn execute_stream_with_session_data(
        &self,
        request: Request,
        session_data: Arc<Data>,
    ) -> BoxStream<'static, Response> {
        match &self.resolvers {
            Resolvers::Plain(schema) => schema.execute_stream_with_session_data(request, session_data),
            Resolvers::Federated(schema) => schema.execute_stream_with_session_data(request, session_data),
        }
    }

    pub fn sdl_with_options(&self, options: SDLExportOptions) -> String {
        match &self.resolvers {
            Resolvers::Plain(schema) => schema.sdl_with_options(options),
            Resolvers::Federated(schema) => schema.sdl_with_options(options),
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
    let validator = (limits.executor == config::Executor::Planned).then(|| {
        Arc::new(validation::Validator::new(
            schema_builder(limits, hub.clone()).extension(validation::ValidateOnly).finish(),
        ))
    });
    AppSchema { resolvers: Resolvers::Plain(schema_builder(limits, hub).finish()), validator }
}

/// The schema as an Apollo Federation v2 subgraph (`--federation`), on the resolvers alone.
pub fn build_federated_schema(limits: &QueryLimits, hub: Hub) -> AppSchema {
    let builder = Schema::build(FederatedQuery::new(), Mutation, Subscription).enable_federation();
    AppSchema { resolvers: Resolvers::Federated(configured(builder, limits, hub).finish()), validator: None }
}

/// The admission every request to the schema passes, under `limits`.
pub fn guard(limits: &QueryLimits, persisted: PersistedQueries) -> Guard {
    Guard::new(limits.clone(), SHAPE.clone(), persisted)
}

/// The admission for the federated schema, whose shape also has `_entities` and `_service`.
pub fn federated_guard(limits: &QueryLimits, persisted: PersistedQueries) -> Guard {
    Guard::new(limits.clone(), FEDERATED_SHAPE.clone(), persisted)
}

/// Runs one request through the guard and an executor, on `db` (the primary, or a read replica for a query:
/// the caller chooses): the planner, when it covers the operation, else the resolvers, which find `db` in
/// the request's data with a batched loader of the request's own. A panic anywhere in it fails the request
/// with `INTERNAL`, as the spec allows, never the connection.
pub async fn execute(schema: &AppSchema, guard: &Guard, db: &DatabaseConnection, request: Request) -> Answer {
    guard
        .run(request, |request, prepared| async move {
            let executed = async move {
                if let Some(validator) = &schema.validator {
                    match planned::execute(validator, guard.shape(), db, &request, &prepared).await {
                        Ok(answer) => return answer,
                        Err(unplanned) => {
                            crate::metrics::unplanned(operation_label(prepared.name()), unplanned.label())
                        }
                    }
                }
                let batches = Batches::default();
                let variables = request.variables.clone();
                let request = complete::for_resolvers(request, prepared.document(), guard.shape());
                let request = with_request_data(request, db, &batches);
                // Boxed: async-graphql's request future is large, and would be copied into each future around it.
                let mut response = batches.run(Box::pin(schema.execute(request))).await;
                if !is_request_error(&response) {
                    complete::complete(&mut response, &prepared, &variables, guard.shape());
                }
                Answer::from(response)
            }
            .instrument(crate::telemetry::stage(|| tracing::info_span!("graphql.execute")));
            match AssertUnwindSafe(executed).catch_unwind().await {
                Ok(answer) => answer,
                Err(panic) => {
                    tracing::error!(panic = panic_message(&*panic), "a request panicked");
                    Answer::from(Response::from_errors(vec![ErrorCode::Internal.error(INTERNAL_MESSAGE)]))
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
        let answer = execute(&self.schema, &self.guard, &self.db, request).await;
        match answer.written {
            // The websocket transport sends async-graphql's responses: the written data becomes one again.
            Some(written) => {
                let mut response = answer.response;
                if let Some(cost) = written.cost {
                    response.extensions.insert("cost".to_owned(), cost.value());
                }
                match serde_json::from_slice(&written.json) {
                    Ok(data) => response.data = data,
                    Err(error) => {
                        tracing::error!(%error, "planned data is not JSON");
                        return Response::from_errors(vec![ErrorCode::Internal.error(INTERNAL_MESSAGE)]);
                    }
                }
                response
            }
            None => answer.response,
        }
    }

    fn execute_stream(&self, request: Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        let (schema, guard, db) = (self.schema.clone(), self.guard.clone(), self.db.clone());
        let admitted = async move {
            let (mut request, prepared) = match guard.admit_subscription(request).await {
                Ok(admitted) => admitted,
                Err(refused) => return futures_util::stream::once(async { refused }).boxed(),
            };
            // async-graphql runs subscriptions itself, so it gets a copy of the document.
            request.set_parsed_query(ExecutableDocument::clone(prepared.document()));
            let variables = request.variables.clone();
            let batches = Batches::default();
            let request = with_request_data(request, &db, &batches);
            let responses = schema.execute_stream_with_session_data(request, session_data.unwrap_or_default());
            let finish = move |response: &mut Response| {
                complete::complete(response, &prepared, &variables, guard.shape());
                guard.conclude(None, response, None);
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
