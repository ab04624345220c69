//! The `/explore` chart page in headless Chromium (tests/browser/explore.mjs), checked against the API.
use std::collections::HashMap;
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
    let (role, salary, other) = ("senior-backend-engineer", "150000", "database-administrator");
    let expected = app
        .data(r#"{ salaryRanges(first: 100, filter: { role: { slug: { eq: "senior-backend-engineer" } }, period: { eq: ANNUAL }, source: { eq: "BLS OEWS" }, city: { kind: { in: [METROPOLITAN] } } }) {
            nodes { city { name slug } p10 median p90 jobsPer1000 meanInterval { low }
                    percentileOf(amount: 150000) { percentile atLeast atMost method } } } }"#)
        .await["salaryRanges"]["nodes"]
        .clone();
    let expected = expected.as_array().unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/explore.mjs");
    let base = app.url("");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(script).arg(base).args([role, salary, other]).output()
    })
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

    // Round axis ticks: evenly spaced by 1, 2, 2.5 or 5 times a power of ten, each a multiple of the step.
    for ticks in [&shown["ticks"], &shown["comparison"]["differenceTicks"]] {
        let values: Vec<f64> = ticks.as_array().unwrap().iter().map(|t| dollars(t.as_str().unwrap())).collect();
        assert!(values.len() >= 3, "{ticks}");
        let step = values[1] - values[0];
        let power = 10f64.powf(step.log10().floor());
        assert!([1.0, 2.0, 2.5, 5.0].iter().any(|m| (step - m * power).abs() < 1e-6), "step {step} in {ticks}");
        for pair in values.windows(2) {
            assert!((pair[1] - pair[0] - step).abs() < 1e-6, "{ticks}");
        }
        assert!(values.iter().all(|v| (v / step - (v / step).round()).abs() < 1e-9), "{ticks}");
    }
    // Jobs per 1,000 is filled wherever BLS publishes it.
    let with_jobs = expected.iter().filter(|r| r["jobsPer1000"].is_number()).count();
    let filled = rows.iter().filter(|r| r[8].as_str() != Some("—")).count();
    assert_eq!(filled, with_jobs);
    assert!(with_jobs > 10);
    // One error bar per drawn area with a mean interval.
    let bars = expected
        .iter()
        .filter(|r| r["p10"].is_number() && r["p90"].is_number() && r["meanInterval"].is_object())
        .count();
    assert_eq!(shown["errorBars"].as_u64(), Some(bars as u64));
    assert!(bars > 10);
    // The sources' attributions are shown, O*NET's among them.
    assert!(shown["sources"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("O*NET 29.2 Database")));

    // The salary's rank in each drawn area is the API's.
    assert_eq!(shown["salaryLines"], 1);
    let ranks = shown["ranks"].as_object().unwrap();
    let drawn: Vec<&Value> = expected.iter().filter(|r| r["p10"].is_number() && r["p90"].is_number()).collect();
    assert_eq!(ranks.len(), drawn.iter().filter(|r| r["percentileOf"].is_object()).count());
    for range in drawn {
        let rank = &range["percentileOf"];
        if rank.is_null() {
            continue;
        }
        let text = match (rank["percentile"].as_f64(), rank["method"].as_str().unwrap()) {
            (Some(p), _) => format!("p{}", p.round()),
            (None, "BELOW_P10") => "< p10".to_owned(),
            (None, "ABOVE_P90") => "> p90".to_owned(),
            (None, _) => {
                format!("p{}–p{}", rank["atLeast"].as_f64().unwrap().round(), rank["atMost"].as_f64().unwrap().round())
            }
        };
        let slug = range["city"]["slug"].as_str().unwrap();
        assert_eq!(ranks[slug], text, "{slug}");
    }
    assert_eq!(shown["rankCells"].as_array().unwrap().len(), expected.len());

    // The comparison view: one bar per area publishing both medians, the nation first, each the API's difference.
    let cities: Vec<String> = expected.iter().map(|r| format!("\"{}\"", r["city"]["slug"].as_str().unwrap())).collect();
    let compared = app
        .data(&format!(r#"{{ role(slug: "{role}") {{ compareTo(role: "{other}", cities: [{}]) {{ skillsInBoth {{ skill {{ name }} }} wages {{ city {{ slug }} median }} }} }} }}"#, cities.join(",")))
        .await;
    let wages: Vec<(String, f64)> = compared["role"]["compareTo"]["wages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| Some((w["city"]["slug"].as_str()?.to_owned(), w["median"].as_f64()?)))
        .collect();
    let differences = shown["comparison"]["differences"].as_array().unwrap();
    assert_eq!(differences.len(), wages.len());
    assert_eq!(differences[0][0], "united-states");
    // Areas in the table's order (the page asks in that order), so matched by slug.
    let wages: HashMap<String, f64> = wages.into_iter().collect();
    for shown in differences {
        let slug = shown[0].as_str().unwrap();
        let median = wages.get(slug).unwrap_or_else(|| panic!("{slug} is not compared by the API"));
        let text = shown[1].as_str().unwrap();
        let sign = if text.starts_with('+') { 1.0 } else { -1.0 };
        assert_eq!(sign * dollars(&text[text.char_indices().nth(1).unwrap().0..]), median.round(), "{slug}");
    }
    let both = compared["role"]["compareTo"]["skillsInBoth"].as_array().unwrap().len();
    let shown_both = shown["comparison"]["skills"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s.as_str().unwrap().ends_with("(both)"))
        .count();
    assert_eq!(shown_both, both);
    assert!(shown["comparison"]["title"].as_str().unwrap().contains("Database Administrator"));
}

/// "$65,000" or "−$5,000" as a number.
fn dollars(text: &str) -> f64 {
    let negative = text.contains('-') || text.contains('−');
    let digits: String = text.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
    let value: f64 = digits.parse().unwrap_or_else(|_| panic!("{text:?} is not an amount"));
    if negative { -value } else { value }
}

crate::on_every_backend!(the_chart_page_draws_a_role_by_area);
