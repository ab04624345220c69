//! How reads execute: keyset pages per parent (`page`), batched loaders keyed by parent id (`loader`,
//! `batching`), and objects resolved in one synchronous pass over their selection (`eager`). The engine
//! knows tables and the validated selection, never the schema's types.
pub mod batching;
pub mod eager;
pub mod loader;
#[macro_use]
pub mod page;
