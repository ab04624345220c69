//! One integration binary: each module drives the real HTTP server the way a client would.
mod batching;
mod clients;
mod errors;
mod filters;
mod helpers;
mod hostile;
mod http;
mod limits;
mod node;
mod pagination;
mod queries;
mod schema;
mod search;
mod seed_figures;
