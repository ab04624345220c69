//! HTTP for browsers and caches: CORS, compression, Cache-Control, ETag and 304.
use reqwest::header::{
    ACCEPT_ENCODING, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, CACHE_CONTROL, CONTENT_ENCODING, ETAG,
    IF_NONE_MATCH, ORIGIN,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

const ROLE_QUERY: &str = "/graphql?query=%7Brole(slug%3A%22api-developer%22)%7Btitle%7D%7D";

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client()
        .request(Method::OPTIONS, app.url("/graphql"))
        .header(ORIGIN, origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
        .send()
        .await
        .expect("OPTIONS /graphql")
}

async fn cors_allows_only_the_configured_origins(app: TestApp) {
    let allowed = "https://app.example.com";
    let by_default = preflight(&app, allowed).await;
    assert!(by_default.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "no origin is allowed by default");

    let app = app.reconfigure(&["--cors-allowed-origins", &format!("{allowed},http://localhost:3000")]).await;
    let response = preflight(&app, allowed).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], allowed);
    let methods = response.headers()[ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap().to_owned();
    assert!(methods.contains("POST") && methods.contains("GET"), "{methods}");

    let refused = preflight(&app, "https://evil.example").await;
    assert!(refused.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let actual = app.client().get(app.url(ROLE_QUERY)).header(ORIGIN, allowed).send().await.unwrap();
    assert_eq!(actual.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], allowed);
    let exposed = actual.headers()[ACCESS_CONTROL_EXPOSE_HEADERS].to_str().unwrap().to_owned();
    assert!(exposed.contains("x-request-id") && exposed.contains("etag"), "{exposed}");
}

async fn responses_are_compressed_when_the_client_accepts_it(app: TestApp) {
    // A client that leaves bodies as they come, to see the encoding itself.
    let raw = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
    let asset = app.url("/assets/graphiql/graphiql.min.js");
    let identity = raw.get(&asset).send().await.unwrap().bytes().await.unwrap();
    for encoding in ["gzip", "br"] {
        let response = raw.get(&asset).header(ACCEPT_ENCODING, encoding).send().await.unwrap();
        assert_eq!(response.headers()[CONTENT_ENCODING], encoding);
        let compressed = response.bytes().await.unwrap();
        assert!(compressed.len() * 2 < identity.len(), "{encoding}: {} of {} bytes", compressed.len(), identity.len());
    }
    // And one that decodes them: the GraphQL answer survives the round trip.
    let decoding = reqwest::Client::new();
    let response = decoding.get(app.url(ROLE_QUERY)).header(ACCEPT_ENCODING, "br").send().await.unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["data"]["role"]["title"], "API Developer");
}

async fn repeated_gets_are_answered_304_with_the_same_etag(app: TestApp) {
    let first = app.get(ROLE_QUERY).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()[CACHE_CONTROL], "max-age=3600");
    let etag = first.headers()[ETAG].clone();
    assert!(etag.to_str().unwrap().starts_with("W/\""), "{etag:?}");

    let again = app.client().get(app.url(ROLE_QUERY)).header(IF_NONE_MATCH, etag.clone()).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], etag);
    assert_eq!(again.headers()[CACHE_CONTROL], "max-age=3600");
    assert!(again.bytes().await.unwrap().is_empty());

    let other = "/graphql?query=%7Brole(slug%3A%22system-architect%22)%7Btitle%7D%7D";
    let changed = app.client().get(app.url(other)).header(IF_NONE_MATCH, etag.clone()).send().await.unwrap();
    assert_eq!(changed.status(), 200, "another answer has another ETag");
    assert_ne!(changed.headers()[ETAG], etag);
}

async fn only_successful_gets_are_marked_cacheable(app: TestApp) {
    let post = app
        .client()
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ roles { nodes { slug } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    assert!(post.headers().get(CACHE_CONTROL).is_none(), "a POST is never cached");
    assert!(post.headers().get(ETAG).is_none());

    let failed = app.get("/graphql?query=%7Brole(slug%3A%22nope%22)%7Btitle%7D%7D").await;
    assert!(failed.headers().get(CACHE_CONTROL).is_none(), "an answer with errors is not cacheable");
}

crate::on_every_backend!(
    cors_allows_only_the_configured_origins,
    responses_are_compressed_when_the_client_accepts_it,
    repeated_gets_are_answered_304_with_the_same_etag,
    only_successful_gets_are_marked_cacheable
);
