//! Named operations as URLs, for tools that cannot send GraphQL: `GET /q/{name}` runs the operation of that
//! name with its variables taken from the query string and answers its JSON; `GET /q/{name}.csv` answers
//! the same data as one CSV table; `/openapi.json` describes them all. The operations are the built-in ones
//! (`operations/`), or in allow-list mode the registered ones (`catalogue.rs`).
//!
//! A URL runs exactly as a GET of `/graphql` with the same document and variables would: through
//! `graphql_over_http::execute_named`, under the same limits, budgets, timeout and caching.
mod catalogue;
mod openapi;
mod selection;
mod table;
mod variables;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use self::catalogue::{BUILT_IN, Catalogue, Operation};
use crate::graphql::PersistedQueries;
use crate::graphql::error::ErrorCode;
use crate::http::AppState;
use crate::http::graphql_over_http::{Refusal, Table, execute_named};

/// The file name suffix that asks for the table.
const CSV: &str = ".csv";

pub fn router() -> Router<AppState> {
    Router::new().route("/q/{name}", get(run)).route("/openapi.json", get(openapi))
}

/// The operations served by name, and the OpenAPI document that describes them.
pub struct Named {
    catalogue: Catalogue,
    openapi: Bytes,
}

impl Named {
    /// The operations served under these persisted-query settings, read against the schema's SDL: in
    /// allow-list mode only registered operations run, so they are the ones served; otherwise the built-in
    /// ones.
    pub fn new(persisted: &PersistedQueries, sdl: &str) -> Self {
        let catalogue = match persisted {
            PersistedQueries::AllowList(list) => Catalogue::new(list.bodies(), sdl),
            _ => Catalogue::new(BUILT_IN.iter().copied(), sdl),
        };
        let openapi = serde_json::to_vec(&openapi::document(&catalogue)).expect("a JSON value serializes").into();
        Self { catalogue, openapi }
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }
}

async fn run(State(state): State<AppState>, Path(name): Path<String>, request: axum::extract::Request) -> Response {
    let named = state.named.clone();
    let catalogue = &named.catalogue;
    let (name, csv) = match name.strip_suffix(CSV) {
        Some(name) => (name, true),
        None => (name.as_str(), false),
    };
    let Some(operation) = catalogue.get(name) else {
        let message = format!("no operation is named `{name}`; /openapi.json lists them");
        return execute_named(
            state,
            request,
            Err(Refusal::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)),
            None,
        )
        .await;
    };
    let query = request.uri().query().unwrap_or_default();
    let built = variables::from_query(operation.variables(), &catalogue.types, query).map_err(Refusal::bad_request);
    let built = built.map(|variables| {
        async_graphql::Request::new(operation.document.as_str())
            .operation_name(operation.name.as_str())
            .variables(async_graphql::Variables::from_json(serde_json::Value::Object(variables)))
    });
    if !csv {
        return execute_named(state, request, built, None).await;
    }
    match &operation.table {
        Ok(table) => {
            let file_name = format!("{name}{CSV}");
            let write = |data: &[u8]| table.write(data);
            execute_named(state, request, built, Some(Table { file_name: &file_name, write: &write })).await
        }
        Err(why) => {
            let refusal = Refusal::bad_request(format!("`{name}` answers no single table: {why}"));
            execute_named(state, request, Err(refusal), None).await
        }
    }
}

async fn openapi(State(state): State<AppState>) -> Response {
    let content_type = HeaderValue::from_static("application/json; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], state.named.openapi.clone()).into_response()
}
