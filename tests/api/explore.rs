//! The `/explore` chart page in headless Chromium (tests/browser/explore.mjs), checked against the API.
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::helpers::{TestApp, skip};

/// Node and the browser test's modules (`scripts/dev/install-test-deps.sh`), or why not.
fn browser() -> Result<(), String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !dir.join("node_modules/playwright-core").exists() {
        return Err("tests/browser/node_modules is missing (run scripts/dev/install-test-deps.sh)".into());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("{chromium} is missing (run scripts/dev/install-test-deps.sh)"));
    }
    match Command::new("node").arg("--version").output() {
        Ok(output) if output.status.success() => Ok(()),
        _ => Err("node is missing (run scripts/dev/install-test-deps.sh)".into()),
    }
}

async fn the_chart_page_draws_a_role_by_area(app: TestApp) {
    if let Err(why) = browser() {
        skip(&why);
        return;
    }
    let role = "senior-backend-engineer";
    let expected = app
        .data(r#"{ salaryRanges(first: 100, filter: { role: { slug: { eq: "senior-backend-engineer" } }, period: { eq: ANNUAL }, source: { eq: "BLS OEWS" }, city: { kind: { in: [METROPOLITAN] } } }) {
            nodes { city { name slug } p10 median p90 } } }"#)
        .await["salaryRanges"]["nodes"]
        .clone();
    let expected = expected.as_array().unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/explore.mjs");
    let base = app.url("");
    let output = tokio::task::spawn_blocking(move || Command::new("node").arg(script).arg(base).arg(role).output())
        .await
        .unwrap()
        .expect("run node");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "explore.mjs failed: {stderr}");
    let shown: Value = serde_json::from_slice(&output.stdout).expect("explore.mjs prints JSON");

    assert_eq!(shown["errors"], Value::Array(vec![]), "the page threw");
    let policy = shown["policy"].as_str().expect("the page has a Content-Security-Policy");
    assert!(policy.contains("script-src 'self';") && !policy.contains("unsafe-"), "{policy}");
    assert_eq!(shown["csp"], Value::Array(vec![]), "the page broke its Content-Security-Policy");
    assert_eq!(shown["outside"], Value::Array(vec![]), "the page must load nothing from other hosts");
    assert_eq!(shown["role"], role);
    let drawable = expected.iter().filter(|r| !r["p10"].is_null() && !r["p90"].is_null()).count();
    assert!(drawable > 10);
    assert_eq!(shown["bars"].as_u64(), Some(drawable as u64), "one bar per area with p10 and p90");
    let medians =
        expected.iter().filter(|r| !r["median"].is_null() && !r["p10"].is_null() && !r["p90"].is_null()).count();
    assert_eq!(shown["medians"].as_u64(), Some(medians as u64));
    let rows = shown["rows"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len(), "one table row per area");

    // Sorting by area puts the names in order.
    let areas: Vec<&str> = shown["sortedAreas"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let mut names: Vec<&str> = expected.iter().map(|r| r["city"]["name"].as_str().unwrap()).collect();
    let mut shown_names = areas.clone();
    shown_names.sort();
    names.sort();
    assert_eq!(shown_names, names, "the table shows every area once");
    assert!(areas.windows(2).all(|w| w[0].to_lowercase() <= w[1].to_lowercase()), "{areas:?}");

    // The CSV holds every area with the API's figures.
    let csv = shown["csv"].as_str().unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&header[..4], ["area", "state", "slug", "period"]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), expected.len());
    let median_column = header.iter().position(|h| h == "median").unwrap();
    for range in expected {
        let slug = range["city"]["slug"].as_str().unwrap();
        let record = records.iter().find(|r| &r[2] == slug).unwrap_or_else(|| panic!("{slug} not in the CSV"));
        assert_eq!(&record[3], "ANNUAL");
        assert_eq!(record[median_column].parse::<f64>().ok(), range["median"].as_f64(), "{slug}");
    }
    assert!(shown["filename"].as_str().unwrap().ends_with(".csv"));
}

crate::on_every_backend!(the_chart_page_draws_a_role_by_area);
