//! async-graphql's validation, alone: the planner executes what async-graphql has validated, and
//! async-graphql keeps validation to itself but for an extension's hooks. `ValidateOnly` is that extension,
//! on a schema of its own (any extension slows every field of the schema it is on, and this one resolves
//! none): it keeps the validation's cache hints and ends the request before execution.
//!
//! Validation depends only on the document, the operation and the variables, and clients send the same few
//! over and over: a `Validator` remembers which it has found valid, so a repeated request skips it.
use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{CacheControl, Request, Response, Schema, ServerError, ValidationResult};
use lru::LruCache;

use crate::graphql::schema::{mutation::Mutation, query::Query, subscription::Subscription};

pub struct ValidateOnly;

impl ExtensionFactory for ValidateOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ValidateOnly)
    }
}

/// Where `ValidateOnly` leaves a valid document's cache hints, in the request's data.
#[derive(Clone, Default)]
struct Hints(Arc<Mutex<Option<CacheControl>>>);

#[async_graphql::async_trait::async_trait]
impl Extension for ValidateOnly {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(Hints(slot)) = ctx.data_opt::<Hints>() {
            *slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(result.cache_control);
        }
        Ok(result)
    }

    async fn execute(&self, _: &ExtensionContext<'_>, _: Option<&str>, _: NextExecute<'_>) -> Response {
        Response::new(async_graphql::Value::Null)
    }
}

/// The schema that validates, and the requests it has found valid.
pub struct Validator {
    schema: Schema<Query, Mutation, Subscription>,
    valid: Mutex<LruCache<u64, (Validated, CacheControl)>>,
    hasher: RandomState,
}

/// A request as validation sees it: its text, operation and variables (as JSON).
struct Validated {
    query: String,
    operation: Option<String>,
    variables: String,
}

const REMEMBERED: usize = 1024;
/// Larger requests are validated each time, so the memory held stays small.
const MAX_REMEMBERED_BYTES: usize = 8 * 1024;

impl Validator {
    /// `schema` must carry `ValidateOnly`.
    pub fn new(schema: Schema<Query, Mutation, Subscription>) -> Self {
        let valid = Mutex::new(LruCache::new(NonZeroUsize::new(REMEMBERED).expect("not zero")));
        Self { schema, valid, hasher: RandomState::new() }
    }

    /// The cache hints of `request` (parsed as `document`) when it is valid, or async-graphql's response
    /// refusing it.
    pub async fn validate(&self, request: &Request, document: &ExecutableDocument) -> Result<CacheControl, Response> {
        // Looked up by borrowing the request's text: only a request validated anew is copied into the cache.
        let (query, operation) = (&request.query, &request.operation_name);
        let variables = serde_json::to_string(&request.variables).ok();
        let variables = variables.filter(|variables| query.len() + variables.len() <= MAX_REMEMBERED_BYTES);
        let hash = variables.as_ref().map(|variables| self.hasher.hash_one((query, operation, variables)));
        if let (Some(variables), Some(hash)) = (&variables, hash)
            && let Some((seen, cache_control)) = self.remembered().get(&hash)
            && (&seen.query, &seen.operation, &seen.variables) == (query, operation, variables)
        {
            return Ok(*cache_control);
        }
        let cache_control = validate(&self.schema, request, document).await?;
        if let (Some(variables), Some(hash)) = (variables, hash) {
            let seen = Validated { query: query.clone(), operation: operation.clone(), variables };
            self.remembered().put(hash, (seen, cache_control));
        }
        Ok(cache_control)
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, LruCache<u64, (Validated, CacheControl)>> {
        self.valid.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Validates `request` (parsed as `document`) against `schema`, which must carry `ValidateOnly`: the cache
/// hints of a valid document, or async-graphql's response refusing it.
async fn validate(
    schema: &Schema<Query, Mutation, Subscription>,
    request: &Request,
    document: &ExecutableDocument,
) -> Result<CacheControl, Response> {
    let hints = Hints::default();
    let mut copy = Request::new(String::new()).variables(request.variables.clone()).data(hints.clone());
    copy.operation_name = request.operation_name.clone();
    copy.set_parsed_query(document.clone());
    // Boxed: async-graphql's request future is large, and would otherwise be copied into every one around it.
    let response = Box::pin(schema.execute(copy)).await;
    let cache_control = hints.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
    match cache_control {
        Some(cache_control) if response.errors.is_empty() => Ok(cache_control),
        _ => Err(response),
    }
}
