//! HTTP endpoints and middleware. Nothing here knows about tables; the GraphQL schema does the data work.
pub mod caching;
pub mod explore;
pub mod graphql;
pub mod health;
pub mod limits;
pub mod metrics;
pub mod playground;
pub mod rate_limit;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An embedded file as (name, content type, bytes).
pub type Asset = (&'static str, &'static str, &'static [u8]);

/// Serves `name` from files compiled into the binary, or 404.
pub fn embedded(assets: &[Asset], name: &str) -> Response {
    match assets.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, bytes)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes)
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
