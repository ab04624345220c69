//! One integration binary: each module drives the real HTTP server the way a client would.
mod analytics;
mod batching;
mod errors;
mod explore;
mod filters;
mod helpers;
mod http;
mod import;
mod node;
mod pagination;
mod queries;
mod schema;
mod search;
mod seed_figures;
