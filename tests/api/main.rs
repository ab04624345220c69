//! One integration binary: each module drives the real HTTP server the way a client would.
mod batching;
mod browsers;
mod config;
mod errors;
mod health;
mod helpers;
mod http;
mod metrics;
mod outage;
mod persisted;
mod process;
mod queries;
mod schema;
mod seed_figures;
