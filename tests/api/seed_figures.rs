//! The seeded figures, checked against the BLS and O*NET source files they were built from.
use std::collections::HashMap;

use serde_json::Value;

use crate::helpers::{TestApp, shared_data};

const MAPPED_OCCUPATIONS: [&str; 4] = ["15-1242", "15-1252", "15-1254", "15-1299"];

/// What BLS printed: a number, or `None` where BLS released none.
fn bls_value(row: &csv::StringRecord, headers: &csv::StringRecord, field: &str) -> Option<f64> {
    let index = headers.iter().position(|h| h == field).unwrap();
    let unreleased = row[headers.iter().position(|h| h == "footnotes").unwrap()].contains(&format!("{field}:8"));
    row[index].parse::<f64>().ok().filter(|_| !unreleased)
}

async fn every_seeded_bls_figure_matches_the_bls_file(app: TestApp) {
    let Some(path) = shared_data("oews/oews_may2025_metro_national_tech.csv") else { return };
    let data = app
        .data("{ cities(first: 100) { nodes { areaCode kind salaryRanges(first: 100) { nodes { period source year referencePeriod currency occupation { socCode } p10 p25 median p75 p90 mean employment } } } } }")
        .await;
    let mut api: HashMap<(String, String, String), Value> = HashMap::new();
    for city in data["cities"]["nodes"].as_array().unwrap() {
        for range in city["salaryRanges"]["nodes"].as_array().unwrap().iter().filter(|r| r["source"] == "BLS OEWS") {
            assert_eq!(
                (range["year"].as_i64(), range["referencePeriod"].as_str(), range["currency"].as_str()),
                (Some(2025), Some("May 2025"), Some("USD"))
            );
            let key = (
                city["areaCode"].as_str().unwrap().to_owned(),
                range["occupation"]["socCode"].as_str().unwrap().to_owned(),
                range["period"].as_str().unwrap().to_owned(),
            );
            assert!(api.insert(key, range.clone()).is_none(), "duplicate range");
        }
    }

    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let (code, soc, status) = (&row[0], &row[3], &row[23]);
        if !MAPPED_OCCUPATIONS.contains(&soc) || status != "published" {
            continue;
        }
        let area = if code == "0000000" { code.to_owned() } else { code[2..].to_owned() };
        for (period, prefix) in [("ANNUAL", "a_"), ("HOURLY", "h_")] {
            let range = api
                .remove(&(area.clone(), soc.to_owned(), period.to_owned()))
                .unwrap_or_else(|| panic!("no {period} range for {soc} in {area}"));
            for (field, stat) in [
                ("pct10", "p10"),
                ("pct25", "p25"),
                ("median", "median"),
                ("pct75", "p75"),
                ("pct90", "p90"),
                ("mean", "mean"),
            ] {
                assert_eq!(
                    range[stat].as_f64(),
                    bls_value(&row, &headers, &format!("{prefix}{field}")),
                    "{soc} {area} {period} {stat}"
                );
            }
            assert_eq!(
                range["employment"].as_f64(),
                bls_value(&row, &headers, "employment"),
                "{soc} {area} employment"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 184, "4 occupations x 23 areas x 2 periods");
    assert!(api.is_empty(), "ranges the BLS file does not have: {:?}", api.keys());
}

async fn national_software_developer_wages_are_the_published_ones(app: TestApp) {
    let data = app
        .data(r#"{ city(slug: "united-states") { kind areaTitle salaryRanges(filter: { period: { eq: ANNUAL } }) { nodes { occupation { socCode } median mean p90 employment unpublished } } } }"#)
        .await;
    assert_eq!(data["city"]["kind"], "NATIONAL");
    let software = data["city"]["salaryRanges"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["occupation"]["socCode"] == "15-1252")
        .unwrap();
    // BLS OEWS May 2025, 15-1252 Software Developers, national (see shared/data/README.md).
    assert_eq!(software["median"], 135980.0);
    assert_eq!(software["mean"], 148100.0);
    assert_eq!(software["employment"], 1687890);
    assert_eq!(software["unpublished"], serde_json::json!([]));
}

async fn unreleased_bls_values_are_null_and_flagged(app: TestApp) {
    let data = app
        .data(r#"{ city(slug: "salt-lake-city-ut") { salaryRanges(filter: { period: { eq: ANNUAL } }) { nodes { occupation { socCode } median employment unpublished } } } }"#)
        .await;
    let ranges = data["city"]["salaryRanges"]["nodes"].as_array().unwrap();
    let dba = ranges.iter().find(|r| r["occupation"]["socCode"] == "15-1242").unwrap();
    assert!(dba["median"].is_null());
    assert_eq!(dba["employment"], 850);
    assert_eq!(dba["unpublished"], serde_json::json!(["P10", "P25", "MEDIAN", "P75", "P90", "MEAN"]));
    let web = ranges.iter().find(|r| r["occupation"]["socCode"] == "15-1254").unwrap();
    assert!(web["employment"].is_null());
    assert_eq!(web["median"].as_f64().map(|m| m > 0.0), Some(true));
}

async fn role_tool_flags_match_onet(app: TestApp) {
    let Some(path) = shared_data("onet/onet_29_2_project_tools_x_occupations.csv") else { return };
    let mut onet: HashMap<(String, String), (bool, bool)> = HashMap::new();
    for row in csv::Reader::from_path(path).unwrap().records() {
        let row = row.unwrap();
        onet.insert((row[1].to_owned(), row[2].to_owned()), (&row[5] == "Y", &row[6] == "Y"));
    }
    let data = app
        .data("{ roles { nodes { onetSocCode tools(first: 100) { edges { onetExample hotTechnology inDemand } } } } }")
        .await;
    let mut checked = 0;
    for role in data["roles"]["nodes"].as_array().unwrap() {
        for link in role["tools"]["edges"].as_array().unwrap().iter().filter(|l| !l["onetExample"].is_null()) {
            let key =
                (link["onetExample"].as_str().unwrap().to_owned(), role["onetSocCode"].as_str().unwrap().to_owned());
            let (hot, in_demand) = onet[&key];
            assert_eq!(
                (link["hotTechnology"].as_bool(), link["inDemand"].as_bool()),
                (Some(hot), Some(in_demand)),
                "{key:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} O*NET links checked");
}

crate::on_every_backend!(
    national_software_developer_wages_are_the_published_ones,
    unreleased_bls_values_are_null_and_flagged,
    every_seeded_bls_figure_matches_the_bls_file,
    role_tool_flags_match_onet
);
