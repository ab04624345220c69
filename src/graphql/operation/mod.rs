//! The prepared operation: a request's document parsed (once per distinct text, cached), the operation it
//! runs picked (once per request), and what every later stage reads of it: the analysis of its cost and
//! shape (`analysis.rs`), the fields its selections collect (`selection.rs`, the spec's CollectFields) and
//! async-graphql's validation (`validation.rs`). Nothing after this stage parses or walks the document to
//! find the operation again.
pub mod analysis;
pub mod selection;
pub mod validation;

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::{Name, Positioned, ServerError};
use lru::LruCache;

use crate::graphql::error::{ErrorCode, echo};

/// A request's document with the operation it runs.
pub struct Prepared {
    document: Arc<ExecutableDocument>,
    /// The operation's name, as async-graphql names it: `None` for a document's one anonymous operation.
    name: Option<Name>,
    ty: OperationType,
}

impl Prepared {
    /// The operation `operation_name` asks for in `document`, or the document's only one.
    pub fn new(document: Arc<ExecutableDocument>, operation_name: Option<&str>) -> Result<Self, ServerError> {
        let unknown =
            |name: &str| ErrorCode::BadUserInput.error(format!("the document has no operation named {}", echo(name)));
        let (name, ty) = match (&document.operations, operation_name) {
            (DocumentOperations::Single(operation), None) => (None, operation.node.ty),
            (DocumentOperations::Single(_), Some(name)) => return Err(unknown(name)),
            (DocumentOperations::Multiple(operations), Some(name)) => {
                let (name, operation) = operations.get_key_value(name).ok_or_else(|| unknown(name))?;
                (Some(name.clone()), operation.node.ty)
            }
            (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
                let (name, operation) = operations.iter().next().expect("one operation");
                (Some(name.clone()), operation.node.ty)
            }
            (DocumentOperations::Multiple(_), None) => {
                return Err(ErrorCode::BadUserInput
                    .error("the document has several operations: name the one to run with `operationName`"));
            }
        };
        Ok(Self { document, name, ty })
    }

    pub fn document(&self) -> &Arc<ExecutableDocument> {
        &self.document
    }

    /// The operation the request runs.
    pub fn operation(&self) -> &Positioned<OperationDefinition> {
        match (&self.document.operations, &self.name) {
            (DocumentOperations::Multiple(operations), Some(name)) => &operations[name],
            (DocumentOperations::Single(operation), _) => operation,
            (DocumentOperations::Multiple(_), None) => {
                unreachable!("`new` names the operation of a document of several")
            }
        }
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn ty(&self) -> OperationType {
        self.ty
    }
}

/// Documents parsed recently, by their text: clients send the same few queries over and over, and parsing
/// was a tenth of the work of a small query (callgrind, scripts/bench/bench.sh). Shared, not copied: two
/// copies for each request, and dropping them, were about 1% of one role with its skills and tools. Small
/// documents only, so the cache's memory stays bounded however large the documents clients send.
pub struct Documents(Mutex<LruCache<String, Arc<ExecutableDocument>>>);

const CACHED_DOCUMENTS: usize = 512;
const MAX_CACHED_DOCUMENT_BYTES: usize = 8 * 1024;

impl Default for Documents {
    fn default() -> Self {
        Self(Mutex::new(LruCache::new(NonZeroUsize::new(CACHED_DOCUMENTS).expect("not zero"))))
    }
}

impl Documents {
    fn cache(&self) -> std::sync::MutexGuard<'_, LruCache<String, Arc<ExecutableDocument>>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The parsed document of `query`, if the cache has it.
    pub fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        if cacheable(query) { self.cache().get(query).cloned() } else { None }
    }

    pub fn keep(&self, query: &str, document: &Arc<ExecutableDocument>) {
        if cacheable(query) {
            self.cache().put(query.to_owned(), document.clone());
        }
    }
}

fn cacheable(query: &str) -> bool {
    !query.is_empty() && query.len() <= MAX_CACHED_DOCUMENT_BYTES
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn prepared(query: &str, name: Option<&str>) -> Result<Prepared, ServerError> {
        Prepared::new(Arc::new(parse_query(query).unwrap()), name)
    }

    #[test]
    fn picks_the_named_operation_or_the_only_one() {
        let anonymous = prepared("{ a }", None).unwrap();
        assert_eq!((anonymous.name(), anonymous.ty()), (None, OperationType::Query));
        let only = prepared("mutation M { a }", None).unwrap();
        assert_eq!((only.name(), only.ty()), (Some("M"), OperationType::Mutation));
        let named = prepared("query A { a } subscription B { b }", Some("B")).unwrap();
        assert_eq!((named.name(), named.ty()), (Some("B"), OperationType::Subscription));
        assert_eq!(named.operation().node.selection_set.node.items.len(), 1);
    }

    #[test]
    fn an_operation_that_is_not_there_is_the_clients_to_fix() {
        for (query, name) in [("{ a }", Some("A")), ("query A { a } query B { b }", None), ("query A { a }", Some("C"))]
        {
            let error = prepared(query, name).err().expect("refused");
            assert_eq!(ErrorCode::of(&error), Some(ErrorCode::BadUserInput), "{query}");
        }
    }
}
