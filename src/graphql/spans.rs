//! The span of async-graphql's validation (`graphql.validate`), for exported traces: the one stage that runs
//! inside `Schema::execute` where only an extension sees it. Added only when traces are exported
//! (`--otlp-endpoint`): any extension routes every field through async-graphql's extension chain, a cost
//! the default schema does not pay. The other stages' spans need no extension: `graphql.parse` is the
//! guard's admission, `graphql.execute` wraps the schema's run (`graphql::execute`).
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ServerError, ValidationResult};
use tracing::Instrument as _;

pub struct ValidationSpan;

impl ExtensionFactory for ValidationSpan {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ValidationSpan)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ValidationSpan {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).instrument(tracing::info_span!("graphql.validate")).await
    }
}
