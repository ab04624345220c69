//! OpenTelemetry (`--otlp-endpoint`): the real binary exports its spans over OTLP/HTTP to a receiver this
//! test runs (it decodes the protobuf the way a collector would), and a request's span continues the trace
//! its caller named in `traceparent`.
use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use tokio::sync::mpsc;

use crate::helpers::{Backend, spawn_process_with};

/// An OTLP/HTTP receiver on a port of its own: every span of every export it is sent, on `spans`.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Span>) {
    async fn traces(
        State(spans): State<mpsc::UnboundedSender<Span>>,
        body: Bytes,
    ) -> ([(header::HeaderName, &'static str); 1], Vec<u8>) {
        let request = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf export");
        for span in request.resource_spans.into_iter().flat_map(|r| r.scope_spans).flat_map(|s| s.spans) {
            let _ = spans.send(span);
        }
        // An empty ExportTraceServiceResponse: everything accepted.
        ([(header::CONTENT_TYPE, "application/x-protobuf")], Vec::new())
    }
    let (sender, spans) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    let app = Router::new().route("/v1/traces", post(traces)).with_state(sender);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve the receiver") });
    (url, spans)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test]
async fn spans_reach_the_collector_in_the_callers_trace() {
    let (endpoint, mut received) = receiver().await;
    let Some(mut process) = spawn_process_with(Backend::Sqlite, &["--otlp-endpoint", &endpoint]).await else {
        return;
    };
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let query = "{ roles(first: 2) { nodes { slug occupation { title } } } }";
    let response = process
        .client
        .post(process.url("/graphql"))
        .header("traceparent", format!("00-{trace_id}-{caller_span}-01"))
        .json(&serde_json::json!({ "query": query }))
        .send()
        .await
        .expect("POST /graphql");
    assert_eq!(response.status(), 200);
    // Shutting down sends what the batch still holds: the test needs no wait for the export interval.
    process.terminate();
    let (exited_cleanly, _) = process.wait_for_exit().await;
    assert!(exited_cleanly);

    let mut spans = Vec::new();
    while let Ok(Some(span)) = tokio::time::timeout(Duration::from_secs(5), received.recv()).await {
        spans.push(span);
        if spans.iter().any(|span| span.name == "request") && received.is_empty() {
            break;
        }
    }
    let ours: Vec<&Span> = spans.iter().filter(|span| hex(&span.trace_id) == trace_id).collect();
    let names: Vec<&str> = ours.iter().map(|span| span.name.as_str()).collect();
    let by_id: HashMap<Vec<u8>, &Span> = ours.iter().map(|span| (span.span_id.clone(), *span)).collect();

    let request =
        ours.iter().find(|span| span.name == "request").unwrap_or_else(|| panic!("no request span: {names:?}"));
    assert_eq!(hex(&request.parent_span_id), caller_span, "the request span's parent is the caller's span");
    let attribute = |span: &Span, key: &str| {
        let value = span.attributes.iter().find(|kv| kv.key == key).and_then(|kv| kv.value.clone());
        format!("{:?}", value.and_then(|value| value.value).unwrap_or_else(|| panic!("no {key} on {span:?}")))
    };
    assert_eq!(attribute(request, "http.response.status_code"), "IntValue(200)");
    assert_eq!(attribute(request, "http.request.method"), r#"StringValue("POST")"#);
    assert_eq!(attribute(request, "url.path"), r#"StringValue("/graphql")"#);
    let stage =
        |name: &str| *ours.iter().find(|span| span.name == name).unwrap_or_else(|| panic!("no {name}: {names:?}"));
    let (parse, validate, execute) = (stage("graphql.parse"), stage("graphql.validate"), stage("graphql.execute"));
    assert_eq!(parse.parent_span_id, request.span_id, "parsing (the guard's admission) is the request's child");
    assert_eq!(execute.parent_span_id, request.span_id, "execution is the request's child");
    assert_eq!(validate.parent_span_id, execute.span_id, "async-graphql validates inside its execution");
    assert!(parse.end_time_unix_nano <= execute.start_time_unix_nano, "admission comes first");
    let statements: Vec<&&Span> = ours.iter().filter(|span| span.name == "db.statement").collect();
    // The roles page, then their occupations in one batch.
    assert!(statements.len() >= 2, "SQL statement spans: {names:?}");
    for statement in statements {
        // Each statement sits under the request, through the execution span.
        let mut ancestor = by_id.get(&statement.parent_span_id).copied();
        while let Some(span) = ancestor.filter(|span| span.span_id != request.span_id) {
            ancestor = by_id.get(&span.parent_span_id).copied();
        }
        assert!(ancestor.is_some(), "a statement span outside the request: {statement:?}");
        assert!(statement.end_time_unix_nano >= statement.start_time_unix_nano);
        assert!(statement.start_time_unix_nano >= request.start_time_unix_nano, "a statement starts in its request");
        let text = statement.attributes.iter().find(|kv| kv.key == "db.query.text").expect("the statement's text");
        assert!(format!("{:?}", text.value).to_lowercase().contains("select"), "{text:?}");
    }
}
