//! One integration binary: each module drives the real HTTP server the way a client would.
mod batching;
mod clients;
mod errors;
mod helpers;
mod hostile;
mod http;
mod limits;
mod queries;
mod schema;
mod seed_figures;
