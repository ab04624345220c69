//! Browser security headers (src/http/security_headers.rs) on every page, asset and answer; whether the
//! pages still work under the policy is the browser tests' part (tests/clients/graphiql.mjs,
//! tests/browser/explore.mjs). The HTTP layer does not depend on the database: SQLite only.
use crate::helpers::{Backend, TestApp, spawn_app};

/// Every page and the assets each loads, a missing asset, and an API answer.
async fn paths(app: &TestApp) -> Vec<String> {
    let mut paths = vec!["/".to_owned(), "/explore".to_owned()];
    for page in ["/", "/explore"] {
        let html = app.get(page).await.text().await.unwrap();
        paths.extend(html.split('"').filter(|s| s.starts_with("/assets/")).map(str::to_owned));
    }
    paths.extend(["/assets/graphiql/missing.js".to_owned(), "/graphql?query=%7B__typename%7D".to_owned()]);
    paths
}

#[tokio::test]
async fn every_page_and_asset_carries_the_security_headers() {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let paths = paths(&app).await;
    assert!(paths.len() >= 12, "{paths:?}");
    for path in &paths {
        let response = app.get(path).await;
        let headers = response.headers();
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.starts_with("default-src 'none'; script-src 'self';"), "{path}: {policy}");
        assert!(!policy.contains("unsafe-"), "{path}: {policy}");
        assert!(policy.ends_with("; frame-ancestors 'none'"), "{path}: {policy}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert!(headers.get("strict-transport-security").is_none(), "{path}: HSTS without --behind-tls");
    }

    let app =
        app.reconfigure(&["--behind-tls", "true", "--frame-ancestors", "'self' https://intranet.example.com"]).await;
    for path in &paths {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["strict-transport-security"], "max-age=31536000", "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.ends_with("; frame-ancestors 'self' https://intranet.example.com"), "{path}: {policy}");
        assert!(headers.get("x-frame-options").is_none(), "{path}: X-Frame-Options cannot say this");
    }
}

#[tokio::test]
async fn a_frame_ancestors_value_that_would_break_the_header_is_refused() {
    for bad in ["'none'; script-src *", "https://a.example,https://b.example", ""] {
        let parsed = careerql::cli::parse_from(["careerql", "--frame-ancestors", bad]);
        assert!(parsed.is_err(), "{bad:?} was accepted");
    }
}
