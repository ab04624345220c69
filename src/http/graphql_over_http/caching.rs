//! HTTP caching for `/graphql`: `Cache-Control` on GET only, an ETag on every 200 GET, and 304 when the
//! client already has the response. Worked out from the response the handler produced, so the rest of the
//! handler needs to know nothing of it: `Conditional` notes what the request asked and finishes the response.
//! It is a call at the handler's end rather than a middleware: `from_fn` boxed every request's future and
//! cloned the route's service again, for POSTs that it then left alone.
//!
//! The contract with the handler, kept this small on purpose: when a response may be cached, the handler
//! sets `Cache-Control` from async-graphql's cache hints (`Response::cache_control().value()`; async-graphql-
//! axum's `GraphQLResponse` does so whenever the response has no errors). `finish` keeps that header on
//! GET and HEAD and removes it from anything else (a POST is never served from a cache).
//!
//! The ETag is weak (`W/"…"`): it is taken from the body before compression, so gzip, brotli and identity
//! share it, which RFC 9110 allows only for weak validators. `If-None-Match` uses weak comparison anyway.
use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// What a request said about caching: whether it may be answered from a cache, and the tags the client has.
pub(super) struct Conditional {
    cacheable: bool,
    if_none_match: Option<HeaderValue>,
}

impl Conditional {
    pub(super) fn of(method: &Method, headers: &HeaderMap) -> Self {
        let cacheable = matches!(*method, Method::GET | Method::HEAD);
        Self { cacheable, if_none_match: cacheable.then(|| headers.get(IF_NONE_MATCH).cloned()).flatten() }
    }

    /// The handler's `response` as this request gets it: with its ETag, or as a 304.
    pub(super) async fn finish(self, mut response: Response) -> Response {
        if !self.cacheable {
            response.headers_mut().remove(CACHE_CONTROL);
            return response;
        }
        with_etag(response, self.if_none_match).await
    }
}

async fn with_etag(response: Response, if_none_match: Option<HeaderValue>) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // The handler's body is already in memory (a serialised JSON document), so this copies, never waits.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "cannot read the response body");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let digest = Sha256::digest(&bytes);
    let etag = format!("W/\"{}\"", digest[..16].iter().map(|byte| format!("{byte:02x}")).collect::<String>());
    let etag = HeaderValue::from_str(&etag).expect("hex digits make a valid header value");
    if if_none_match.as_ref().is_some_and(|tags| matches_any(tags, &etag)) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        // A 304 carries the headers a 200 would have that say how to cache it.
        for name in [CACHE_CONTROL, VARY] {
            if let Some(value) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, value.clone());
            }
        }
        not_modified.headers_mut().insert(ETAG, etag);
        return not_modified;
    }
    parts.headers.insert(ETAG, etag);
    Response::from_parts(parts, Body::from(bytes))
}

/// `If-None-Match: *` or a list of tags, compared weakly (the `W/` prefix ignored).
fn matches_any(tags: &HeaderValue, etag: &HeaderValue) -> bool {
    let (Ok(tags), Ok(etag)) = (tags.to_str(), etag.to_str()) else { return false };
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    tags.split(',').any(|tag| tag.trim() == "*" || opaque(tag) == opaque(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly() {
        let etag = HeaderValue::from_static(r#"W/"abc""#);
        for tags in [r#"W/"abc""#, r#""abc""#, r#""x", W/"abc""#, "*"] {
            assert!(matches_any(&HeaderValue::from_static(tags), &etag), "{tags}");
        }
        for tags in [r#"W/"abd""#, r#""ab""#, ""] {
            assert!(!matches_any(&HeaderValue::from_static(tags), &etag), "{tags}");
        }
    }
}
