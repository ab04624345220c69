//! A span for each stage a GraphQL operation passes (`graphql.parse`, `graphql.validate`, `graphql.execute`)
//! for exported traces. Added to the schema only when traces are exported (`--otlp-endpoint`), and first, so
//! that each span covers the guard's own work in that stage. No per-field spans: a field's work is either
//! nothing or the SQL statement it waits for, which has a span of its own.
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};
use tracing::Instrument as _;

pub struct StageSpans;

impl ExtensionFactory for StageSpans {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(StageSpans)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for StageSpans {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).instrument(tracing::info_span!("graphql.parse")).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).instrument(tracing::info_span!("graphql.validate")).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let span = tracing::info_span!("graphql.execute", operation = operation_name.unwrap_or_default());
        next.run(ctx, operation_name).instrument(span).await
    }
}
