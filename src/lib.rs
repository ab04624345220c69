//! careerql: a GraphQL API for career data, served over axum from SQLite or PostgreSQL.
pub mod analytics;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod events;
pub mod export;
pub mod graphql;
pub mod http;
pub mod import;
pub mod metrics;
pub mod search;
pub mod seed;
pub mod store;
pub mod telemetry;
