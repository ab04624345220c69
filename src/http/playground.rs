//! The GraphiQL playground at `/`, with the explorer plugin, and every asset compiled into the binary so it
//! works offline. The page has no inline script or style: the Content-Security-Policy forbids them.
use axum::Router;
use axum::extract::Path;
use axum::response::{Html, Response};
use axum::routing::get;

use crate::http::AppState;

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// (file name, content type, bytes) of everything the page loads from `/assets/graphiql/`.
const ASSETS: &[super::Asset] = &[
    ("graphiql.min.js", JS, include_bytes!("../../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", CSS, include_bytes!("../../assets/graphiql/graphiql.min.css")),
    ("react.production.min.js", JS, include_bytes!("../../assets/graphiql/react.production.min.js")),
    ("react-dom.production.min.js", JS, include_bytes!("../../assets/graphiql/react-dom.production.min.js")),
    ("plugin-explorer.umd.js", JS, include_bytes!("../../assets/graphiql/plugin-explorer.umd.js")),
    ("plugin-explorer.css", CSS, include_bytes!("../../assets/graphiql/plugin-explorer.css")),
    ("init.js", JS, include_bytes!("../../assets/graphiql/init.js")),
    ("page.css", CSS, include_bytes!("../../assets/graphiql/page.css")),
];

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(page)).route("/assets/graphiql/{name}", get(asset))
}

async fn page() -> Html<&'static str> {
    Html(include_str!("../../assets/graphiql/index.html"))
}

async fn asset(Path(name): Path<String>) -> Response {
    super::embedded(ASSETS, &name)
}
