//! async-graphql's validation, alone: the planner executes what async-graphql has validated, and
//! async-graphql keeps validation to itself but for an extension's hooks. `ValidateOnly` is that extension,
//! on a schema of its own (any extension slows every field of the schema it is on, and this one resolves
//! none): it keeps the validation's cache hints and ends the request before execution.
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{CacheControl, Request, Response, Schema, ServerError, ValidationResult};

use crate::graphql::schema::{mutation::Mutation, query::Query, subscription::Subscription};

pub struct ValidateOnly;

impl ExtensionFactory for ValidateOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ValidateOnly)
    }
}

/// Where `ValidateOnly` leaves a valid document's cache hints, in the request's data.
#[derive(Clone, Default)]
struct Validated(Arc<Mutex<Option<CacheControl>>>);

#[async_graphql::async_trait::async_trait]
impl Extension for ValidateOnly {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(Validated(slot)) = ctx.data_opt::<Validated>() {
            *slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(result.cache_control);
        }
        Ok(result)
    }

    async fn execute(&self, _: &ExtensionContext<'_>, _: Option<&str>, _: NextExecute<'_>) -> Response {
        Response::new(async_graphql::Value::Null)
    }
}

/// Validates `request` (parsed as `document`) against `schema`, which must carry `ValidateOnly`: the cache
/// hints of a valid document, or async-graphql's response refusing it.
pub async fn validate(
    schema: &Schema<Query, Mutation, Subscription>,
    request: &Request,
    document: &ExecutableDocument,
) -> Result<CacheControl, Response> {
    let validated = Validated::default();
    let mut copy = Request::new(String::new()).variables(request.variables.clone()).data(validated.clone());
    copy.operation_name = request.operation_name.clone();
    copy.set_parsed_query(document.clone());
    let response = schema.execute(copy).await;
    let cache_control = validated.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
    match cache_control {
        Some(cache_control) if response.errors.is_empty() => Ok(cache_control),
        _ => Err(response),
    }
}
