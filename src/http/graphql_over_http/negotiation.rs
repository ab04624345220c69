//! Content negotiation: which media type a response is written in, from the request's `Accept`.
use axum::http::{HeaderMap, StatusCode, header};

use super::Refusal;
use crate::graphql::error::ErrorCode;

/// The media type a response is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: request errors answer 4xx, with no `data` entry.
    GraphqlResponse,
    /// `application/json`, the legacy type: a well-formed request answers 200 whatever its GraphQL errors.
    Json,
    /// `application/json` under the statuses of `graphql-response+json`: what a named operation's URL answers
    /// (`http::named`), for tools that read JSON but know nothing of GraphQL's legacy 200s.
    PlainJson,
}

/// The media type to answer in, from `Accept`: the one the client ranks highest, where the most specific
/// range naming a type gives its rank. A tie between explicit ranges goes to `graphql-response+json`; a tie
/// decided by wildcards (`*/*`) to `application/json`, as the spec asks for legacy clients.
pub fn negotiate(headers: &HeaderMap) -> Result<MediaType, Refusal> {
    let accept =
        headers.get_all(header::ACCEPT).iter().filter_map(|value| value.to_str().ok()).collect::<Vec<_>>().join(",");
    if accept.trim().is_empty() {
        return Ok(MediaType::Json);
    }
    // (quality, specificity) of the most specific range matching each type; specificity 0 = not matched.
    let mut json = (0.0f32, 0u8);
    let mut graphql_response = (0.0f32, 0u8);
    for range in accept.split(',').filter_map(|range| range.trim().parse::<mime::Mime>().ok()) {
        let quality = range.get_param("q").and_then(|q| q.as_str().parse::<f32>().ok()).unwrap_or(1.0);
        let rank = |target: &mut (f32, u8), specificity: u8| {
            if specificity > target.1 {
                *target = (quality, specificity);
            }
        };
        match range.essence_str() {
            "application/json" => rank(&mut json, 2),
            "application/graphql-response+json" => rank(&mut graphql_response, 2),
            "application/*" | "*/*" => {
                rank(&mut json, 1);
                rank(&mut graphql_response, 1);
            }
            _ => {}
        }
    }
    let explicit_tie = graphql_response.1 == 2 && graphql_response.0 == json.0;
    if graphql_response.0 > 0.0 && (graphql_response.0 > json.0 || explicit_tie) {
        Ok(MediaType::GraphqlResponse)
    } else if json.0 > 0.0 {
        Ok(MediaType::Json)
    } else {
        Err(Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            ErrorCode::BadUserInput,
            "responses are `application/graphql-response+json` or `application/json`; accept one of them",
        ))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accepting(values: &[&str]) -> Result<MediaType, StatusCode> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        }
        negotiate(&headers).map_err(|refusal| refusal.status)
    }

    #[test]
    fn no_accept_or_wildcards_get_legacy_json() {
        assert_eq!(accepting(&[]), Ok(MediaType::Json));
        assert_eq!(accepting(&[" "]), Ok(MediaType::Json));
        assert_eq!(accepting(&["*/*"]), Ok(MediaType::Json));
        assert_eq!(accepting(&["application/*"]), Ok(MediaType::Json));
    }

    #[test]
    fn the_highest_ranked_type_wins_and_explicit_ties_go_to_graphql_response() {
        assert_eq!(accepting(&["application/graphql-response+json"]), Ok(MediaType::GraphqlResponse));
        assert_eq!(accepting(&["application/json, application/graphql-response+json"]), Ok(MediaType::GraphqlResponse));
        assert_eq!(accepting(&["application/graphql-response+json;q=0.5, application/json"]), Ok(MediaType::Json));
        assert_eq!(
            accepting(&["application/json;q=0.1, application/graphql-response+json;q=0.9"]),
            Ok(MediaType::GraphqlResponse)
        );
        // Several Accept headers read as one list.
        assert_eq!(accepting(&["text/html", "application/graphql-response+json"]), Ok(MediaType::GraphqlResponse));
    }

    #[test]
    fn the_most_specific_range_gives_a_type_its_rank() {
        // `*/*` says 1, but `application/json;q=0` names JSON and refuses it.
        assert_eq!(accepting(&["*/*, application/json;q=0"]), Ok(MediaType::GraphqlResponse));
        assert_eq!(accepting(&["application/graphql-response+json;q=0, */*"]), Ok(MediaType::Json));
    }

    #[test]
    fn nothing_we_serve_is_not_acceptable() {
        assert_eq!(accepting(&["text/html"]), Err(StatusCode::NOT_ACCEPTABLE));
        assert_eq!(accepting(&["application/json;q=0"]), Err(StatusCode::NOT_ACCEPTABLE));
        assert_eq!(accepting(&["not a media type"]), Err(StatusCode::NOT_ACCEPTABLE));
    }
}
