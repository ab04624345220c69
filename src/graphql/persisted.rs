//! Persisted queries, in one of three modes:
//! - `Off`: documents only; a hash gets `PERSISTED_QUERY_NOT_SUPPORTED`.
//! - `Auto`: Apollo's automatic persisted queries (async-graphql's extension, which checks that a hash is
//!   the document's SHA-256 before remembering it); an unknown hash gets `PERSISTED_QUERY_NOT_FOUND`, and
//!   the client then sends hash and document together.
//! - `AllowList`: only the operations of a manifest run, sent by hash or in full; anything else gets
//!   `PERSISTED_QUERY_NOT_ALLOWED` and counts as a rejected request.
//!
//! Errors keep Apollo's messages (`PersistedQueryNotFound`, `PersistedQueryNotSupported`), which Apollo
//! clients match on, and gain our `extensions.code`.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::apollo_persisted_queries::{ApolloPersistedQueries, LruCacheStorage};
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ErrorExtensionValues, Request, SchemaBuilder, ServerError, ServerResult};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::error::ErrorCode;

#[derive(Clone, Default)]
pub enum PersistedQueries {
    #[default]
    Off,
    Auto {
        capacity: usize,
    },
    AllowList(Arc<AllowList>),
}

/// The registered operations, parsed, by the SHA-256 of their text.
#[derive(Debug)]
pub struct AllowList {
    documents: HashMap<String, ExecutableDocument>,
}

#[derive(Deserialize)]
struct Manifest {
    operations: Vec<ManifestOperation>,
}

#[derive(Deserialize)]
struct ManifestOperation {
    id: String,
    body: String,
}

impl AllowList {
    /// Reads an Apollo persisted query manifest (`{"operations": [{"id", "body", …}]}`). Every id must be
    /// its body's SHA-256 in hex and every body must parse, so a bad manifest stops the server at start.
    pub fn from_manifest(json: &str) -> Result<Self, String> {
        let manifest: Manifest = serde_json::from_str(json).map_err(|error| format!("not a manifest: {error}"))?;
        let mut documents = HashMap::new();
        for operation in manifest.operations {
            let hash = sha256_hex(&operation.body);
            if !operation.id.eq_ignore_ascii_case(&hash) {
                return Err(format!("operation {}: id is not the SHA-256 of its body ({hash})", operation.id));
            }
            let document = async_graphql::parser::parse_query(&operation.body)
                .map_err(|error| format!("operation {}: {error}", operation.id))?;
            documents.insert(hash, document);
        }
        Ok(Self { documents })
    }

    pub fn len(&self) -> usize {
        self.documents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }
}

pub fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

impl PersistedQueries {
    /// Adds this mode's extensions to the schema.
    pub fn register<Q, M, S>(&self, builder: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S> {
        let builder = builder.extension(Codes(self.clone()));
        match self {
            Self::Auto { capacity } => {
                builder.extension(ApolloPersistedQueries::new(LruCacheStorage::new((*capacity).max(1))))
            }
            Self::Off | Self::AllowList(_) => builder,
        }
    }
}

/// Checks the allow-list, refuses hashes when off, and gives every persisted-query error a code.
struct Codes(PersistedQueries);

impl ExtensionFactory for Codes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Codes(self.0.clone()))
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Codes {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        match &self.0 {
            PersistedQueries::Off if request.extensions.contains_key("persistedQuery") => {
                Err(error("PersistedQueryNotSupported", ErrorCode::PersistedQueryNotSupported))
            }
            PersistedQueries::Off => next.run(ctx, request).await,
            // APQ's own errors come without a code; errors from further down keep theirs.
            PersistedQueries::Auto { .. } => next.run(ctx, request).await.map_err(|mut refused| {
                let extensions = refused.extensions.get_or_insert_with(ErrorExtensionValues::default);
                if extensions.get("code").is_none() {
                    let code = match refused.message.as_str() {
                        "PersistedQueryNotFound" => ErrorCode::PersistedQueryNotFound,
                        _ => ErrorCode::BadUserInput,
                    };
                    extensions.set("code", code.as_str());
                }
                refused
            }),
            PersistedQueries::AllowList(list) => {
                let persisted = request.extensions.remove("persistedQuery");
                // The document's own hash when it is sent (so a hash cannot smuggle in another document),
                // else the hash the client named.
                let hash = if request.query.is_empty() {
                    persisted.as_ref().and_then(requested_hash).unwrap_or_default()
                } else {
                    sha256_hex(&request.query)
                };
                match list.documents.get(&hash) {
                    Some(document) => {
                        request.set_parsed_query(document.clone());
                        next.run(ctx, request).await
                    }
                    None if request.query.is_empty() && persisted.is_some() => {
                        Err(error("PersistedQueryNotFound", ErrorCode::PersistedQueryNotFound))
                    }
                    None => {
                        crate::metrics::rejected("persisted_query_allow_list");
                        Err(error("only registered operations may run here", ErrorCode::PersistedQueryNotAllowed))
                    }
                }
            }
        }
    }
}

/// The `sha256Hash` of an Apollo `persistedQuery` extension.
fn requested_hash(value: &async_graphql::Value) -> Option<String> {
    match value {
        async_graphql::Value::Object(fields) => match fields.get("sha256Hash") {
            Some(async_graphql::Value::String(hash)) => Some(hash.to_ascii_lowercase()),
            _ => None,
        },
        _ => None,
    }
}

fn error(message: &str, code: ErrorCode) -> ServerError {
    let mut error = ServerError::new(message, None);
    error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", code.as_str());
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_are_checked() {
        let body = "query Roles { roles { slug } }";
        let good = format!(
            r#"{{"operations": [{{"id": "{}", "name": "Roles", "type": "query", "body": "{body}"}}]}}"#,
            sha256_hex(body)
        );
        assert_eq!(AllowList::from_manifest(&good).unwrap().len(), 1);
        let wrong_id = format!(r#"{{"operations": [{{"id": "{}", "body": "{body}"}}]}}"#, sha256_hex("other"));
        assert!(AllowList::from_manifest(&wrong_id).unwrap_err().contains("not the SHA-256"));
        let bad_body = format!(r#"{{"operations": [{{"id": "{}", "body": "query {{"}}]}}"#, sha256_hex("query {"));
        assert!(AllowList::from_manifest(&bad_body).is_err());
        assert!(AllowList::from_manifest("[]").unwrap_err().starts_with("not a manifest"));
    }
}
