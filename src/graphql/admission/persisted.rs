//! Persisted queries, in one of three modes:
//! - `Off`: documents only; a hash gets `PERSISTED_QUERY_NOT_SUPPORTED`.
//! - `Auto`: Apollo's automatic persisted queries: a document sent with its SHA-256 is remembered (once the
//!   hash is checked), and later runs by its hash alone; an unknown hash gets `PERSISTED_QUERY_NOT_FOUND`,
//!   and the client then sends hash and document together.
//! - `AllowList`: only the operations of a manifest run, sent by hash or in full; anything else gets
//!   `PERSISTED_QUERY_NOT_ALLOWED` and counts as a rejected request.
//!
//! Errors keep Apollo's messages (`PersistedQueryNotFound`, `PersistedQueryNotSupported`), which Apollo
//! clients match on, and gain our `extensions.code`. This is a step of the guard (`guard.rs`), not an
//! extension of its own: every schema extension adds a future to the resolution of every field.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::apollo_persisted_queries::{CacheStorage, LruCacheStorage};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ErrorExtensionValues, Request, ServerError, ServerResult};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::graphql::error::ErrorCode;

#[derive(Clone, Default)]
pub enum PersistedQueries {
    #[default]
    Off,
    /// The documents remembered so far, by hash.
    Auto(LruCacheStorage),
    AllowList(Arc<AllowList>),
}

/// The `persistedQuery` request extension, as Apollo clients send it.
#[derive(Deserialize)]
struct PersistedQuery {
    version: i32,
    #[serde(rename = "sha256Hash")]
    sha256_hash: String,
}

/// The registered operations, parsed, by the SHA-256 of their text.
#[derive(Debug)]
pub struct AllowList {
    documents: HashMap<String, ExecutableDocument>,
    /// The operations' text, in the manifest's order: each is also served at a URL (`http::named`).
    bodies: Vec<String>,
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
        let (mut documents, mut bodies) = (HashMap::new(), Vec::new());
        for operation in manifest.operations {
            let hash = sha256_hex(&operation.body);
            if !operation.id.eq_ignore_ascii_case(&hash) {
                return Err(format!("operation {}: id is not the SHA-256 of its body ({hash})", operation.id));
            }
            let document = async_graphql::parser::parse_query(&operation.body)
                .map_err(|error| format!("operation {}: {error}", operation.id))?;
            documents.insert(hash, document);
            bodies.push(operation.body);
        }
        Ok(Self { documents, bodies })
    }

    /// The registered operations' text, in the manifest's order.
    pub fn bodies(&self) -> impl Iterator<Item = &str> {
        self.bodies.iter().map(String::as_str)
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
    /// Automatic persisted queries, remembering up to `capacity` documents (least recently used go first).
    pub fn auto(capacity: usize) -> Self {
        Self::Auto(LruCacheStorage::new(capacity.max(1)))
    }

    /// Turns a request by hash into the document it names, checks the allow-list, and refuses hashes when
    /// off. Also returns the hash to `remember` the document by, once admitted, when the client registers one.
    pub async fn prepare(&self, mut request: Request) -> ServerResult<(Request, Option<String>)> {
        match self {
            Self::Off if request.extensions.contains_key("persistedQuery") => {
                Err(error("PersistedQueryNotSupported", ErrorCode::PersistedQueryNotSupported))
            }
            Self::Off => Ok((request, None)),
            Self::Auto(documents) => {
                let Some(persisted) = request.extensions.remove("persistedQuery") else { return Ok((request, None)) };
                let persisted: PersistedQuery = async_graphql::from_value(persisted).map_err(|_| {
                    error("the `persistedQuery` extension must be `{ version, sha256Hash }`", ErrorCode::BadUserInput)
                })?;
                if persisted.version != 1 {
                    let message = format!("persisted queries are version 1; this one is {}", persisted.version);
                    return Err(error(&message, ErrorCode::BadUserInput));
                }
                if request.query.is_empty() {
                    let document = documents.get(persisted.sha256_hash.to_ascii_lowercase()).await;
                    let document =
                        document.ok_or_else(|| error("PersistedQueryNotFound", ErrorCode::PersistedQueryNotFound))?;
                    request.set_parsed_query(document);
                    return Ok((request, None));
                }
                let hash = sha256_hex(&request.query);
                if !persisted.sha256_hash.eq_ignore_ascii_case(&hash) {
                    return Err(error("`sha256Hash` is not the SHA-256 of the document", ErrorCode::BadUserInput));
                }
                // Remembered once the guard has checked and parsed it: never parsed here, ahead of its limits.
                Ok((request, Some(hash)))
            }
            Self::AllowList(list) => {
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
                        Ok((request, None))
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

    /// Remembers an admitted document by the hash its client registered it under (automatic mode).
    pub async fn remember(&self, hash: String, document: &ExecutableDocument) {
        if let Self::Auto(documents) = self {
            documents.set(hash, document.clone()).await;
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
