//! What clients see: the root types, the object types, and the inputs (filters, orderings) they take.
pub mod access;
#[macro_use]
pub mod fields;
pub mod cost;
pub mod enums;
pub mod federation;
#[macro_use]
pub mod inputs;
pub mod mutation;
pub mod query;
pub mod subscription;
pub mod types;
pub mod write;
