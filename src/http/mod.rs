//! HTTP endpoints. Nothing here knows about tables; the GraphQL schema does the data work.
pub mod graphql;
pub mod health;
pub mod limits;
pub mod playground;
pub mod rate_limit;
