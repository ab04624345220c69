//! The real `careerql` binary: signals, log lines, and a metrics registry that no other test shares.
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use careerql::metrics::{
    DATALOADER_BATCH_SIZE, DB_CONNECTIONS, DB_STATEMENT_DURATION, DB_STATEMENTS, GRAPHQL_REQUESTS, HTTP_REQUESTS,
    HTTP_REQUESTS_IN_FLIGHT,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::TestProcess;

const ROLE_SKILLS: &str =
    r#"query RoleSkills { role(slug: "api-developer") { title skills { edges { rank node { name } } } } }"#;

fn message(line: &Value) -> &str {
    line["fields"]["message"].as_str().unwrap_or_default()
}

/// The request id of the request a log line was written in, if any.
fn request_id(line: &Value) -> Option<&str> {
    line["spans"].as_array()?.iter().find(|span| span["name"] == "request")?["request_id"].as_str()
}

fn is_answer(body: &Value) -> bool {
    body["data"]["role"]["title"] == "API Developer"
        && body["data"]["role"]["skills"]["edges"].as_array().is_some_and(|s| !s.is_empty())
}

async fn metrics_move_exactly_with_known_requests(server: TestProcess) {
    let before = server.metrics().await;
    let response =
        server.client.post(server.url("/graphql")).json(&json!({ "query": ROLE_SKILLS })).send().await.unwrap();
    assert!(is_answer(&response.json().await.unwrap()));
    for broken in ["{ roles { nodes { slug }", "{ noSuchField }"] {
        server.client.post(server.url("/graphql")).json(&json!({ "query": broken })).send().await.unwrap();
    }
    let after = server.metrics().await;
    let delta = |name: &str, labels: &[(&str, &str)]| after.value(name, labels) - before.value(name, labels);

    // The role by slug, then its page of skills (joined through the link table); nothing else.
    assert_eq!(delta(DB_STATEMENTS, &[("kind", "select")]), 2.0, "{}", after.0);
    assert_eq!(delta(&format!("{DB_STATEMENT_DURATION}_count"), &[("kind", "select")]), 2.0);
    for kind in ["insert", "update", "delete", "other"] {
        assert_eq!(delta(DB_STATEMENTS, &[("kind", kind)]), 0.0, "{kind}");
    }
    // The executor the suite runs on answered it (`scripts/test` runs it on each): the planner's statements
    // are its own, the resolvers' go through their loader's batches.
    let executor = std::env::var("CAREERQL_EXECUTOR").unwrap_or_else(|_| "planned".to_owned());
    let batches = format!("{DATALOADER_BATCH_SIZE}_count");
    let batched = if executor == "planned" { 0.0 } else { 1.0 };
    assert_eq!(delta(&batches, &[("table", "skill")]), batched);
    let answered = [("operation", "RoleSkills"), ("code", "OK"), ("executor", executor.as_str())];
    assert_eq!(delta(GRAPHQL_REQUESTS, &answered), 1.0);
    assert_eq!(delta(GRAPHQL_REQUESTS, &[("operation", "none"), ("code", "GRAPHQL_PARSE_FAILED")]), 1.0);
    assert_eq!(delta(GRAPHQL_REQUESTS, &[("operation", "none"), ("code", "GRAPHQL_VALIDATION_FAILED")]), 1.0);
    assert_eq!(delta(HTTP_REQUESTS, &[("method", "POST"), ("route", "/graphql")]), 3.0);
    assert_eq!(delta(HTTP_REQUESTS, &[("method", "GET"), ("route", "/metrics"), ("status", "200")]), 1.0);
    assert_eq!(after.value(HTTP_REQUESTS_IN_FLIGHT, &[]), 1.0, "only the scrape itself");
    assert!(
        after.value(DB_CONNECTIONS, &[("state", "idle")]) + after.value(DB_CONNECTIONS, &[("state", "in_use")]) >= 1.0
    );
}

async fn request_ids_are_echoed_and_on_every_log_line_of_their_request(mut server: TestProcess) {
    let response = server
        .client
        .post(server.url("/graphql"))
        .header("x-request-id", "trace-me-42")
        .json(&json!({ "query": ROLE_SKILLS }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
    let finished = server
        .wait_for_log(|line| request_id(line) == Some("trace-me-42") && message(line) == "finished processing request")
        .await;
    let span = &finished["spans"][0];
    assert_eq!(
        (&span["method"], &span["path"], &span["operation"]),
        (&json!("POST"), &json!("/graphql"), &json!("RoleSkills"))
    );

    let response = server.client.get(server.url("/healthz")).send().await.unwrap();
    let generated = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!((generated.len(), generated.matches('-').count()), (36, 4), "a UUID: {generated}");
    server.wait_for_log(|line| request_id(line) == Some(generated.as_str())).await;

    // An API key is never logged, whether it is refused or not.
    let with_key = server.client.post(server.url("/graphql")).header("x-request-id", "with-a-key");
    let refused = with_key.bearer_auth("cql_1_s3cr3t-never-logged").json(&json!({ "query": ROLE_SKILLS })).send().await;
    assert_eq!(refused.unwrap().status(), 401);
    server
        .wait_for_log(|line| request_id(line) == Some("with-a-key") && message(line) == "finished processing request")
        .await;

    server.terminate();
    let (_, logs) = server.wait_for_exit().await;
    assert!(!logs.iter().any(|line| line.to_string().contains("s3cr3t")), "a key in the log: {logs:#?}");
    let in_requests: Vec<&Value> =
        logs.iter().filter(|line| line["spans"].as_array().is_some_and(|s| !s.is_empty())).collect();
    assert!(in_requests.len() >= 4, "{logs:#?}");
    for line in in_requests {
        assert!(request_id(line).is_some_and(|id| !id.is_empty()), "a request's line without its id: {line}");
    }
}

async fn sigterm_during_a_load_loses_no_in_flight_request(mut server: TestProcess) {
    // A request the server has begun and cannot have finished: its body is half sent.
    let body = json!({ "query": ROLE_SKILLS }).to_string();
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: slow\r\n\r\n",
        server.addr,
        body.len()
    );
    let (first_half, second_half) = body.as_bytes().split_at(body.len() / 2);
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(first_half).await.unwrap();
    server.wait_for_log(|line| request_id(line) == Some("slow") && message(line) == "started processing request").await;

    // A load: clients sending one request after another, each on its own connection with its own id,
    // until the server stops accepting them. Each outcome is recorded: answered in full, or not.
    let outcomes: Arc<Mutex<HashMap<String, bool>>> = Arc::default();
    let answered = Arc::new(AtomicUsize::new(0));
    let progress = Arc::new(tokio::sync::Notify::new());
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let (http, url) = (server.client.clone(), server.url("/graphql"));
            let (outcomes, answered, progress) = (outcomes.clone(), answered.clone(), progress.clone());
            tokio::spawn(async move {
                for i in 0..500 {
                    let id = format!("load-{client}-{i}");
                    let sent =
                        http.post(&url).header("x-request-id", &id).json(&json!({ "query": ROLE_SKILLS })).send().await;
                    let (ok, refused) = match sent {
                        Ok(response) => (response.json::<Value>().await.is_ok_and(|body| is_answer(&body)), false),
                        Err(error) => (false, error.is_connect()),
                    };
                    outcomes.lock().unwrap().insert(id, ok);
                    answered.fetch_add(usize::from(ok), Ordering::Relaxed);
                    progress.notify_one();
                    if refused {
                        break;
                    }
                }
            })
        })
        .collect();
    while answered.load(Ordering::Relaxed) < 20 {
        let waited = tokio::time::timeout(std::time::Duration::from_secs(60), progress.notified()).await;
        assert!(waited.is_ok(), "the load stalled before SIGTERM was sent");
    }

    server.terminate();
    server.wait_for_log(|line| message(line).starts_with("shutting down")).await;
    slow.write_all(second_half).await.unwrap();
    let mut reply = String::new();
    slow.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "the half-sent request was cut off: {reply}");
    let reply_body: Value = serde_json::from_str(reply.split("\r\n\r\n").nth(1).unwrap_or_default()).unwrap();
    assert!(is_answer(&reply_body), "{reply}");

    for client in clients {
        client.await.unwrap();
    }
    let (exited_cleanly, logs) = server.wait_for_exit().await;
    assert!(exited_cleanly, "careerql exited with an error after SIGTERM");
    let messages: Vec<&str> = logs.iter().map(message).collect();
    assert!(messages.contains(&"database pool closed") && messages.last() == Some(&"stopped"), "{messages:?}");

    // Every request the server began, it answered in full; those it never began may have been refused.
    let begun: HashSet<&str> =
        logs.iter().filter(|line| message(line) == "started processing request").filter_map(request_id).collect();
    let outcomes = outcomes.lock().unwrap();
    let lost: Vec<&&str> =
        begun.iter().filter(|id| id.starts_with("load-") && outcomes.get(**id) != Some(&true)).collect();
    assert!(lost.is_empty(), "begun but not answered: {lost:?}");
    assert!(begun.len() > 20, "the load ran: {} requests begun", begun.len());
}

crate::on_every_backend!(
    spawn = crate::helpers::spawn_process;
    metrics_move_exactly_with_known_requests,
    request_ids_are_echoed_and_on_every_log_line_of_their_request,
    sigterm_during_a_load_loses_no_in_flight_request
);
