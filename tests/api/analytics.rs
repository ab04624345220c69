//! `salaryStats`, comparisons and experience levels, checked against expectations computed here from the
//! ranges themselves (read through `salaryRanges`): sums and weighted means exactly, pooled percentiles by
//! sampling each range's piecewise-linear distribution.
use std::collections::HashMap;

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::import::{LINES, csv_file, import_file};

/// Every node of a connection, paged with cursors.
async fn every_node(app: &TestApp, query: &str, field: &str) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let response = app.graphql_with(query, json!({ "after": after })).await;
        assert!(response.get("errors").is_none(), "{response:#}");
        let connection = &response["data"][field];
        nodes.extend(connection["nodes"].as_array().unwrap().iter().cloned());
        if connection["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
}

const STATISTICS: [&str; 5] = ["p10", "p25", "median", "p75", "p90"];

fn top_coded(range: &Value, statistic: &str) -> bool {
    range["topCoded"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().eq_ignore_ascii_case(statistic))
}

/// The value at share `u` of a range's distribution as docs/analytics.md defines it: linear between published
/// percentiles, tails at the neighbouring segment's density.
fn quantile_of(percentiles: [f64; 5], u: f64) -> f64 {
    let [p10, p25, p50, p75, p90] = percentiles;
    let knots = [
        (p10 - (p25 - p10) * (0.10 / 0.15), 0.0),
        (p10, 0.10),
        (p25, 0.25),
        (p50, 0.50),
        (p75, 0.75),
        (p90, 0.90),
        (p90 + (p90 - p75) * (0.10 / 0.15), 1.0),
    ];
    let i = knots.windows(2).position(|w| u <= w[1].1).unwrap_or(5);
    let ((a, fa), (b, fb)) = (knots[i], knots[i + 1]);
    a + (b - a) * (u - fa) / (fb - fa)
}

/// Pooled percentiles by sampling: each range contributes samples in proportion to its employment.
fn sampled_percentiles(ranges: &[(f64, [f64; 5])]) -> [f64; 5] {
    const SAMPLES: f64 = 400_000.0;
    let total: f64 = ranges.iter().map(|(w, _)| w).sum();
    let mut samples = Vec::new();
    for (weight, percentiles) in ranges {
        let n = ((SAMPLES * weight / total).round() as usize).max(1);
        samples.extend((0..n).map(|j| quantile_of(*percentiles, (j as f64 + 0.5) / n as f64)));
    }
    samples.sort_by(f64::total_cmp);
    [0.10, 0.25, 0.50, 0.75, 0.90].map(|q| samples[((q * samples.len() as f64) as usize).min(samples.len() - 1)])
}

const RANGES: &str = r#"query ($after: String) {
  salaryRanges(first: 100, after: $after, filter: { occupation: { socCode: { eq: "15-1252" } }, period: { eq: ANNUAL } }) {
    pageInfo { hasNextPage endCursor }
    nodes { city { kind } p10 p25 median p75 p90 mean employment topCoded }
  }
}"#;

const STATS: &str = r#"{
  salaryStats(period: ANNUAL, filter: { occupation: { socCode: { eq: "15-1252" } } }, groupBy: [AREA_KIND]) {
    totalCount
    nodes {
      areaKind period count employment mean meanIsLowerBound
      spread {
        p10 { min max minIsLowerBound maxIsLowerBound } p25 { min max maxIsLowerBound }
        median { min max minIsLowerBound maxIsLowerBound } p75 { max min maxIsLowerBound }
        p90 { min max minIsLowerBound maxIsLowerBound } mean { min max maxIsLowerBound }
      }
      estimate { p10 p25 median p75 p90 lowerBounds exact ranges levels { entry { low high } senior { low high topCoded } } }
    }
  }
}"#;

async fn aggregates_match_the_ranges_they_group(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    // The fixture adds a state, a second metro and a top-coded 90th percentile to the seed's ranges.
    import_file(&app, &csv_file(dir.path(), "oews_may2025_fixture.csv", &LINES)).await.unwrap();
    let ranges = every_node(&app, RANGES, "salaryRanges").await;
    let mut by_kind: HashMap<String, Vec<Value>> = HashMap::new();
    for range in ranges {
        by_kind.entry(range["city"]["kind"].as_str().unwrap().to_owned()).or_default().push(range);
    }
    let groups = app.data(STATS).await["salaryStats"].clone();
    assert_eq!(groups["totalCount"].as_u64(), Some(by_kind.len() as u64));
    let mut saw_a_lower_bound = false;
    for group in groups["nodes"].as_array().unwrap() {
        let rows = &by_kind[group["areaKind"].as_str().unwrap()];
        assert_eq!(group["period"], "ANNUAL");
        assert_eq!(group["count"].as_u64(), Some(rows.len() as u64));
        let employment: i64 = rows.iter().filter_map(|r| r["employment"].as_i64()).sum();
        assert_eq!(group["employment"].as_i64(), Some(employment));

        // The weighted mean, exactly: integer cents times jobs.
        let cents = |v: &Value| (v.as_f64().unwrap() * 100.0).round() as i128;
        let weighed: Vec<&Value> = rows.iter().filter(|r| !r["mean"].is_null() && !r["employment"].is_null()).collect();
        let sum: i128 = weighed.iter().map(|r| cents(&r["mean"]) * i128::from(r["employment"].as_i64().unwrap())).sum();
        let weight: i128 = weighed.iter().map(|r| i128::from(r["employment"].as_i64().unwrap())).sum();
        assert_eq!(group["mean"].as_f64(), Some(sum as f64 / weight as f64 / 100.0), "{group:#}");
        assert_eq!(group["meanIsLowerBound"].as_bool(), Some(weighed.iter().any(|r| top_coded(r, "mean"))));

        for statistic in ["p10", "p25", "median", "p75", "p90", "mean"] {
            let values: Vec<f64> = rows.iter().filter_map(|r| r[statistic].as_f64()).collect();
            let spread = &group["spread"][statistic];
            assert_eq!(spread["min"].as_f64(), values.iter().copied().reduce(f64::min));
            assert_eq!(spread["max"].as_f64(), values.iter().copied().reduce(f64::max));
            let any_top = rows.iter().any(|r| top_coded(r, statistic));
            assert_eq!(spread["maxIsLowerBound"].as_bool(), Some(any_top));
            saw_a_lower_bound |= any_top;
        }

        // Pooled percentiles: within 0.5% of what sampling the same distributions gives.
        let pooled: Vec<(f64, [f64; 5], Vec<f64>)> = rows
            .iter()
            .filter(|r| STATISTICS.iter().all(|s| !r[*s].is_null()))
            .map(|r| {
                let exact: Vec<f64> =
                    STATISTICS.iter().filter(|s| !top_coded(r, s)).map(|s| r[*s].as_f64().unwrap()).collect();
                let known_up_to =
                    if exact.len() == 5 { f64::INFINITY } else { exact.last().copied().unwrap_or(f64::NEG_INFINITY) };
                (r["employment"].as_f64().unwrap_or(0.0), STATISTICS.map(|s| r[s].as_f64().unwrap()), vec![known_up_to])
            })
            .collect();
        let estimate = &group["estimate"];
        if pooled.len() == 1 {
            assert_eq!(estimate["exact"], true);
            for (s, value) in STATISTICS.iter().zip(pooled[0].1) {
                assert_eq!(estimate[*s].as_f64(), Some(value), "a group of one range is its published figures");
            }
            continue;
        }
        assert_eq!(
            (estimate["exact"].as_bool(), estimate["ranges"].as_u64()),
            (Some(false), Some(pooled.len() as u64))
        );
        let expected = sampled_percentiles(&pooled.iter().map(|(w, p, _)| (*w, *p)).collect::<Vec<_>>());
        for (s, want) in STATISTICS.iter().zip(expected) {
            let got = estimate[*s].as_f64().unwrap();
            assert!((got - want).abs() <= want * 0.005, "{s}: estimated {got}, sampled {want}");
            let lower_bound = pooled.iter().any(|(_, _, known)| got > known[0]);
            let flagged =
                estimate["lowerBounds"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().eq_ignore_ascii_case(s));
            assert_eq!(flagged, lower_bound, "{s} lower bound");
        }
        assert_eq!(estimate["levels"]["entry"], json!({ "low": estimate["p10"], "high": estimate["p25"] }));
    }
    assert!(saw_a_lower_bound, "the fixture's top-coded 90th percentile must show");
}

async fn a_group_of_one_range_is_exact_and_keys_are_objects(app: TestApp) {
    let stats = app
        .data(r#"{ salaryStats(first: 100, filter: { role: { slug: { eq: "api-developer" } } }, groupBy: [CITY], orderBy: [{ field: MEDIAN_MAX, direction: DESC }]) {
            nodes { city { slug kind } count estimate { median p90 exact } spread { median { min max } } } } }"#)
        .await;
    let ranges = app
        .data(r#"{ salaryRanges(first: 100, filter: { role: { slug: { eq: "api-developer" } }, period: { eq: ANNUAL } }) { nodes { city { slug } median p90 } } }"#)
        .await;
    let published: HashMap<&str, &Value> = ranges["salaryRanges"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["city"]["slug"].as_str().unwrap(), r))
        .collect();
    let groups = stats["salaryStats"]["nodes"].as_array().unwrap();
    assert_eq!(groups.len(), published.len());
    let medians: Vec<f64> = groups.iter().map(|g| g["spread"]["median"]["max"].as_f64().unwrap()).collect();
    assert!(medians.windows(2).all(|w| w[0] >= w[1]), "ordered by median, highest first");
    for group in groups {
        let range = published[group["city"]["slug"].as_str().unwrap()];
        assert_eq!(group["count"], 1);
        assert_eq!(group["estimate"]["exact"], true);
        assert_eq!((&group["estimate"]["median"], &group["estimate"]["p90"]), (&range["median"], &range["p90"]));
    }
}

/// A group's key objects answer every field as the same object fetched on its own: the columns read with the
/// group, and the fields that load.
async fn key_objects_answer_as_they_do_alone(app: TestApp) {
    const CITY: &str = "id slug name state areaCode areaTitle kind hub version __typename \
        salaryRanges(first: 2) { totalCount nodes { median role { slug } } }";
    let stats = app
        .data(&format!(
            r#"{{ salaryStats(first: 20, groupBy: [CITY, OCCUPATION, ROLE], filter: {{ role: {{ slug: {{ eq: "api-developer" }} }} }}) {{
                nodes {{ city {{ {CITY} ... on City {{ slug areaCode }} }} occupation {{ socCode title }} role {{ slug title }} count }} }} }}"#
        ))
        .await;
    let groups = stats["salaryStats"]["nodes"].as_array().unwrap();
    assert!(groups.len() > 2, "{stats:#}");
    for group in groups {
        let slug = group["city"]["slug"].as_str().unwrap();
        let alone = app.data(&format!(r#"{{ city(slug: "{slug}") {{ {CITY} }} }}"#)).await;
        assert_eq!(group["city"], alone["city"], "{slug}");
        let role = group["role"]["slug"].as_str().unwrap();
        assert_eq!(group["role"], app.data(&format!(r#"{{ role(slug: "{role}") {{ slug title }} }}"#)).await["role"]);
        let code = group["occupation"]["socCode"].as_str().unwrap();
        let occupation = app.data(&format!(r#"{{ occupation(socCode: "{code}") {{ socCode title }} }}"#)).await;
        assert_eq!(group["occupation"], occupation["occupation"]);
    }
}

async fn groups_page_and_take_a_bounded_number_of_statements(app: TestApp) {
    let query = |first: u32| {
        format!(
            r#"query ($after: String) {{ salaryStats(first: {first}, after: $after, period: HOURLY, groupBy: [CITY, ROLE], orderBy: [{{ key: ROLE }}, {{ field: EMPLOYMENT, direction: DESC }}]) {{
                pageInfo {{ hasNextPage endCursor }} nodes {{ city {{ name }} role {{ title }} count estimate {{ median }} }} }} }}"#
        )
    };
    let everything = every_node(&app, &query(100), "salaryStats").await;
    let paged = every_node(&app, &query(7), "salaryStats").await;
    assert_eq!(paged, everything, "paging with cursors yields every group once, in order");
    assert!(everything.len() > 20);

    let statements = |first: u32| {
        let app = &app;
        let query = query(first);
        async move {
            let before = app.statements();
            let _ = app.data(&query).await;
            app.statements() - before
        }
    };
    assert_eq!(statements(3).await, statements(60).await, "statements depend on the query, not on the groups");
}

async fn bad_groupings_are_refused_with_a_code(app: TestApp) {
    for query in [
        "{ salaryStats(groupBy: [STATE], orderBy: [{ key: CITY }]) { nodes { count } } }",
        "{ salaryStats(groupBy: [CITY], orderBy: [{ key: CITY, field: MEAN }]) { nodes { count } } }",
        "{ salaryStats(groupBy: [CITY], orderBy: [{ direction: DESC }]) { nodes { count } } }",
        "{ salaryStats(groupBy: [CITY, CITY]) { nodes { count } } }",
        "{ salaryStats(first: 1001) { nodes { count } } }",
    ] {
        let response = app.graphql(query).await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{query}: {response:#}");
    }
}

async fn cities_compare_with_the_nation_and_levels_are_derived(app: TestApp) {
    let data = app
        .data(r#"{ role(slug: "senior-backend-engineer") { salaryRanges(filter: { period: { eq: ANNUAL }, source: { eq: "BLS OEWS" }, city: { slug: { in: ["austin-tx", "seattle-wa", "united-states"] } } }) {
            nodes { city { slug } p10 p25 median p75 p90 mean locationQuotient jobsPer1000
                    toNational { median mean national { city { kind } median mean } }
                    levels { entry { low high } mid { low high } senior { low high topCoded } } } } } }"#)
        .await;
    let nodes = data["role"]["salaryRanges"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    for range in nodes {
        let national = &range["toNational"]["national"];
        assert_eq!(national["city"]["kind"], "NATIONAL");
        for s in ["median", "mean"] {
            let expected = range[s].as_f64().unwrap() / national[s].as_f64().unwrap();
            assert!((range["toNational"][s].as_f64().unwrap() - expected).abs() < 1e-12);
        }
        let levels = &range["levels"];
        assert_eq!((&levels["entry"]["low"], &levels["entry"]["high"]), (&range["p10"], &range["p25"]));
        assert_eq!((&levels["mid"]["low"], &levels["mid"]["high"]), (&range["p25"], &range["p75"]));
        assert_eq!((&levels["senior"]["low"], &levels["senior"]["high"]), (&range["p75"], &range["p90"]));
    }
}

async fn top_paying_roles_in_a_city_and_cities_for_a_role(app: TestApp) {
    let data = app
        .data(r#"{ roles(orderBy: [{ field: MEDIAN_WAGE, direction: DESC, city: "austin-tx" }]) {
            nodes { slug salaryRanges(filter: { city: { slug: { eq: "austin-tx" } }, period: { eq: ANNUAL }, source: { eq: "BLS OEWS" } }) { nodes { median } } } }
          salaryRanges(first: 5, filter: { role: { slug: { eq: "database-administrator" } }, period: { eq: ANNUAL }, city: { kind: { eq: METROPOLITAN } } }, orderBy: [{ field: MEDIAN, direction: DESC }]) {
            nodes { city { name } median } } }"#)
        .await;
    let medians: Vec<Option<f64>> = data["roles"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["salaryRanges"]["nodes"].get(0).and_then(|n| n["median"].as_f64()))
        .collect();
    assert!(medians.len() >= 5);
    let known: Vec<f64> = medians.iter().map_while(|m| *m).collect();
    assert!(known.windows(2).all(|w| w[0] >= w[1]), "{medians:?}");
    assert!(medians[known.len()..].iter().all(Option::is_none), "roles without a figure come last");
    let cities: Vec<f64> =
        data["salaryRanges"]["nodes"].as_array().unwrap().iter().map(|n| n["median"].as_f64().unwrap()).collect();
    assert_eq!(cities.len(), 5);
    assert!(cities.windows(2).all(|w| w[0] >= w[1]));
}

crate::on_every_backend!(
    aggregates_match_the_ranges_they_group,
    a_group_of_one_range_is_exact_and_keys_are_objects,
    key_objects_answer_as_they_do_alone,
    groups_page_and_take_a_bounded_number_of_statements,
    bad_groupings_are_refused_with_a_code,
    cities_compare_with_the_nation_and_levels_are_derived,
    top_paying_roles_in_a_city_and_cities_for_a_role,
);
