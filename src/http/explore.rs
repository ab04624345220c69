//! The `/explore` chart page: one role's wages by area, drawn in the browser from the GraphQL API. Its assets
//! are compiled into the binary, so it works offline.
use axum::Router;
use axum::extract::Path;
use axum::response::{Html, Response};
use axum::routing::get;

use crate::http::AppState;

/// (file name, content type, bytes) of everything the page loads from `/assets/explore/`.
const ASSETS: &[super::Asset] = &[
    ("explore.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/explore/explore.js")),
    ("explore.css", "text/css; charset=utf-8", include_bytes!("../../assets/explore/explore.css")),
];

pub fn router() -> Router<AppState> {
    Router::new().route("/explore", get(page)).route("/assets/explore/{name}", get(asset))
}

async fn page() -> Html<&'static str> {
    Html(include_str!("../../assets/explore/index.html"))
}

async fn asset(Path(name): Path<String>) -> Response {
    super::embedded(ASSETS, &name)
}
