//! `/graphql`: queries over GET and POST.
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;

use crate::app::AppState;

pub async fn execute(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    crate::graphql::execute(&state.schema, &state.db.conn, request.into_inner()).await.into()
}
