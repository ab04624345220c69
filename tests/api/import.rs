//! The BLS OEWS importer on small fixtures (CSV, gzip, XLSX) and on a slice of the real file: markers,
//! malformed lines, idempotence and rollback.
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use careerql::import::oews::{Options, import};
use careerql::import::{ImportError, Report};
use entity::{city, occupation, role, salary_range};
use indicatif::ProgressBar;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder};
use serde_json::Value;

use crate::helpers::{TestApp, shared_data};

pub const HEADER: &str = "AREA,AREA_TITLE,AREA_TYPE,OCC_CODE,OCC_TITLE,O_GROUP,TOT_EMP,EMP_PRSE,JOBS_1000,LOC_QUOTIENT,H_MEAN,A_MEAN,MEAN_PRSE,H_PCT10,H_PCT25,H_MEDIAN,H_PCT75,H_PCT90,A_PCT10,A_PCT25,A_MEDIAN,A_PCT75,A_PCT90";

/// Every marker BLS prints, every kind of area, a detailed occupation the seed has and three it has not.
pub const LINES: [&str; 8] = [
    // The national 15-1252 line carries the very figures the seed has.
    "0000000,National,1,15-1252,Software Developers,detailed,1687890,0.6,,,71.20,148100,0.4,39.64,50.58,65.38,82.68,103.21,82460,105210,135980,171980,214670",
    "0000000,National,1,00-0000,All Occupations,total,155495730,0.1,1000.000,1.00,35.00,72800,0.1,15.00,18.00,24.00,38.00,57.00,31200,37440,49920,79040,118560",
    "4800000,Texas,2,15-1252,Software Developers,detailed,120000,1.0,8.9,0.95,70.00,145600,0.5,35.00,45.00,60.00,80.00,100.00,72800,93600,124800,166400,208000",
    // `#`: the 90th percentile is top-coded.
    "0012420,\"Austin-Round Rock-San Marcos, TX\",4,15-1252,Software Developers,detailed,50000,2.0,40.123,3.10,75.00,156000,0.8,38.00,48.00,62.00,85.00,#,79040,99840,128960,176800,#",
    // `#` everywhere, `**` employment, `*` jobs per 1,000 and location quotient.
    "0012420,\"Austin-Round Rock-San Marcos, TX\",4,29-1215,Family Medicine Physicians,detailed,**,**,*,*,#,#,5.6,#,#,#,#,#,#,#,#,#,#",
    // `*`: no hourly wages for teachers.
    "0200006,Alaska nonmetropolitan area,6,25-2021,\"Elementary School Teachers, Except Special Education\",detailed,2100,9.1,25.1,1.4,*,81230,2.0,*,*,*,*,*,60110,70020,80890,91200,101730",
    "0034980,\"Nashville-Davidson--Murfreesboro--Franklin, TN\",4,15-1252,Software Developers,detailed,14000,4.0,13.2,0.7,60.00,124800,1.0,30.00,40.00,55.00,72.00,90.00,62400,83200,114400,149760,187200",
    "0012420,\"Austin-Round Rock-San Marcos, TX\",4,15-0000,Computer and Mathematical Occupations,major,80000,1.5,64.2,2.5,70.00,145600,0.6,30.00,40.00,60.00,80.00,95.00,62400,83200,124800,166400,197600",
];

pub fn csv_file(dir: &Path, name: &str, lines: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut text = format!("{HEADER}\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn options() -> Options {
    Options { reference_period: None, progress: ProgressBar::hidden() }
}

pub async fn import_file(app: &TestApp, path: &Path) -> Result<Report, ImportError> {
    import(&app.state.db.conn, path, options()).await
}

/// Every row of every table the importer writes, so two snapshots are equal only if nothing changed.
async fn snapshot(db: &DatabaseConnection) -> Vec<String> {
    let mut rows = Vec::new();
    macro_rules! dump {
        ($entity:path, $id:expr) => {
            for row in <$entity>::find().order_by_asc($id).all(db).await.unwrap() {
                rows.push(format!("{row:?}"));
            }
        };
    }
    dump!(city::Entity, city::Column::Id);
    dump!(occupation::Entity, occupation::Column::Id);
    dump!(role::Entity, role::Column::Id);
    dump!(salary_range::Entity, salary_range::Column::Id);
    let indexed = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM search_index",
        ))
        .await
        .unwrap()
        .unwrap();
    rows.push(format!("search_index {}", indexed.try_get::<i64>("", "n").unwrap()));
    rows
}

/// The salary ranges of an occupation in an area, by period, as the API returns them.
async fn ranges(app: &TestApp, area_code: &str, soc_code: &str) -> Value {
    let query = format!(
        r#"{{ salaryRanges(filter: {{ city: {{ areaCode: {{ eq: "{area_code}" }} }}, occupation: {{ socCode: {{ eq: "{soc_code}" }} }}, source: {{ eq: "BLS OEWS" }} }}, orderBy: [{{ field: PERIOD }}]) {{
            nodes {{ period p10 p25 median p75 p90 mean topCoded unpublished employment jobsPer1000 locationQuotient referencePeriod year
                    city {{ slug name state kind areaTitle hub }} occupation {{ title group roles {{ nodes {{ slug title curated summary }} }} }} }} }} }}"#
    );
    app.data(&query).await["salaryRanges"]["nodes"].clone()
}

async fn every_marker_is_stored_honestly(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let report = import_file(&app, &csv_file(dir.path(), "oews_may2025_fixture.csv", &LINES)).await.unwrap();
    assert_eq!((report.rows, report.skipped), (8, 0));
    assert_eq!(report.salary_ranges.changed() + report.salary_ranges.unchanged, 16, "two periods per line");

    // `#`: the BLS lower bound, flagged; never an exact figure.
    let austin = ranges(&app, "12420", "15-1252").await;
    assert_eq!(austin[0]["period"], "ANNUAL");
    assert_eq!((austin[0]["p90"].as_f64(), austin[1]["p90"].as_f64()), (Some(239_200.0), Some(115.0)));
    assert_eq!(austin[0]["topCoded"], serde_json::json!(["P90"]));
    assert_eq!((austin[0]["median"].as_f64(), austin[1]["median"].as_f64()), (Some(128_960.0), Some(62.0)));
    assert_eq!((austin[0]["jobsPer1000"].as_f64(), austin[0]["locationQuotient"].as_f64()), (Some(40.123), Some(3.1)));
    assert_eq!(austin[0]["city"]["slug"], "austin-tx");
    assert_eq!(austin[0]["city"]["hub"], true, "the catalog's hubs are kept");
    assert_eq!(austin[0]["referencePeriod"], "May 2025");
    assert_eq!(austin[0]["year"], 2025);

    let physicians = ranges(&app, "12420", "29-1215").await;
    for range in physicians.as_array().unwrap() {
        assert_eq!(range["topCoded"].as_array().unwrap().len(), 6, "{range}");
        assert_eq!(
            (range["employment"].clone(), range["jobsPer1000"].clone()),
            (Value::Null, Value::Null),
            "`**` and `*`"
        );
    }
    let roles = &physicians[0]["occupation"]["roles"]["nodes"];
    assert_eq!(roles[0]["slug"], "family-medicine-physicians");
    assert_eq!(
        (roles[0]["title"].as_str(), roles[0]["curated"].as_bool()),
        (Some("Family Medicine Physicians"), Some(false))
    );
    assert!(roles[0]["summary"].as_str().unwrap().contains("29-1215"));

    // `*`: no hourly wages for teachers, so every hourly statistic is unpublished.
    let teachers = ranges(&app, "0200006", "25-2021").await;
    assert_eq!(teachers[1]["period"], "HOURLY");
    assert_eq!(teachers[1]["unpublished"].as_array().unwrap().len(), 6);
    assert_eq!(teachers[0]["median"].as_f64(), Some(80_890.0));
    let alaska = &teachers[0]["city"];
    assert_eq!(
        (alaska["kind"].as_str(), alaska["slug"].as_str(), alaska["state"].as_str()),
        (Some("NONMETROPOLITAN"), Some("alaska-nonmetro-ak"), Some("AK"))
    );

    let texas = ranges(&app, "48", "15-1252").await;
    assert_eq!((texas[0]["city"]["kind"].as_str(), texas[0]["city"]["slug"].as_str()), (Some("STATE"), Some("texas")));
    let nashville = ranges(&app, "34980", "15-1252").await;
    assert_eq!(
        (nashville[0]["city"]["name"].as_str(), nashville[0]["city"]["slug"].as_str()),
        (Some("Nashville-Davidson"), Some("nashville-davidson-tn"))
    );
    let major = ranges(&app, "12420", "15-0000").await;
    assert_eq!(major[0]["occupation"]["group"], "MAJOR");
    assert!(
        major[0]["occupation"]["roles"]["nodes"].as_array().unwrap().is_empty(),
        "roles only for detailed occupations"
    );

    // The curated roles keep their own words; the BLS occupation gets a role of its own beside them.
    let data = app.data(r#"{ role(slug: "senior-backend-engineer") { curated title summary } software: role(slug: "software-developers") { curated occupation { socCode } } }"#).await;
    assert_eq!(
        (data["role"]["curated"].as_bool(), data["role"]["title"].as_str()),
        (Some(true), Some("Senior Backend Engineer"))
    );
    assert_eq!(
        (data["software"]["curated"].as_bool(), data["software"]["occupation"]["socCode"].as_str()),
        (Some(false), Some("15-1252"))
    );
    // The importer reindexes search, so the new areas and roles are found.
    let found = app.data(r#"{ search(text: "family medicine", kinds: [ROLE]) { ... on Role { slug } } }"#).await;
    assert_eq!(found["search"][0]["slug"], "family-medicine-physicians");
}

async fn a_second_import_changes_nothing(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let path = csv_file(dir.path(), "oews_may2025_fixture.csv", &LINES);
    let first = import_file(&app, &path).await.unwrap();
    assert!(first.changed() > 0);
    let before = snapshot(&app.state.db.conn).await;
    let second = import_file(&app, &path).await.unwrap();
    assert_eq!(second.changed(), 0, "{second}");
    assert_eq!(second.salary_ranges.unchanged, 16);
    assert_eq!(second.areas.unchanged, first.areas.changed() + first.areas.unchanged);
    assert_eq!(snapshot(&app.state.db.conn).await, before);

    // A row the next import changes gets a new version, so an editor's precondition on the old one fails;
    // rows it leaves alone keep theirs.
    let versions = || async {
        let rows = salary_range::Entity::find().order_by_asc(salary_range::Column::Id).all(&app.state.db.conn).await;
        rows.unwrap().into_iter().map(|r| (r.id, r.median_cents, r.version)).collect::<Vec<_>>()
    };
    let old = versions().await;
    let mut lines = LINES.map(str::to_owned).to_vec();
    lines[2] = set_field(&lines[2], "A_MEDIAN", "130000");
    let changed = import_file(
        &app,
        &csv_file(dir.path(), "oews_may2025_fixture.csv", &lines.iter().map(String::as_str).collect::<Vec<_>>()),
    )
    .await
    .unwrap();
    assert_eq!(changed.salary_ranges.changed(), 1, "{changed}");
    let bumped: Vec<_> = versions().await.into_iter().zip(old).filter(|(new, old)| new != old).collect();
    assert_eq!(bumped.len(), 1, "{bumped:?}");
    let ((_, median, version), (_, _, old_version)) = bumped[0];
    assert_eq!((median, version), (Some(13_000_000), old_version + 1));
}

/// `LINES` with line `n` (counting the header as line 1) replaced by `bad`.
fn with_bad_line(n: usize, bad: &str) -> Vec<String> {
    let mut lines: Vec<String> = LINES.iter().map(|l| l.to_string()).collect();
    lines[n - 2] = bad.to_owned();
    lines
}

fn column_of(name: &str) -> usize {
    HEADER.split(',').position(|h| h == name).unwrap() + 1
}

/// Replaces the field named `column` of a fixture line (which must have no quoted commas before it).
fn set_field(line: &str, column: &str, value: &str) -> String {
    let mut record =
        csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes()).records().next().unwrap().unwrap();
    let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
    fields[column_of(column) - 1] = value.to_owned();
    record = csv::StringRecord::from(fields);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&record).unwrap();
    String::from_utf8(writer.into_inner().unwrap()).unwrap().trim_end().to_owned()
}

async fn a_bad_line_is_named_and_leaves_the_database_as_it_was(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    import_file(&app, &csv_file(dir.path(), "oews_may2025_fixture.csv", &LINES)).await.unwrap();
    let before = snapshot(&app.state.db.conn).await;
    // Lines before the bad one change figures, so a half-applied import would show.
    let changed_first = set_field(LINES[0], "A_MEDIAN", "140000");
    let cases = [
        (set_field(LINES[3], "TOT_EMP", "12x"), Some("TOT_EMP")),
        (set_field(LINES[3], "A_MEDIAN", "1.234"), Some("A_MEDIAN")),
        (set_field(LINES[3], "AREA_TYPE", "9"), Some("AREA_TYPE")),
        (set_field(LINES[3], "OCC_CODE", "151252"), Some("OCC_CODE")),
        (set_field(LINES[3], "O_GROUP", "tiny"), Some("O_GROUP")),
        (set_field(LINES[3], "LOC_QUOTIENT", "-2"), Some("LOC_QUOTIENT")),
        (set_field(LINES[3], "AREA", "12A20"), Some("AREA")),
        (LINES[3].rsplit_once(',').unwrap().0.to_owned(), None),
        // A second line for the Austin software developers of line 5.
        (LINES[3].to_owned(), None),
    ];
    for (i, (bad, column)) in cases.into_iter().enumerate() {
        let mut lines = with_bad_line(6, &bad);
        lines[0] = changed_first.clone();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let path = csv_file(dir.path(), &format!("oews_may2025_bad_{i}.csv"), &refs);
        let error = import_file(&app, &path).await.expect_err("a bad line must fail the import").to_string();
        match column {
            Some(name) => {
                assert!(error.starts_with(&format!("line 6, column {} ({name})", column_of(name))), "{error}")
            }
            None => assert!(error.starts_with("line 6:"), "{error}"),
        }
        assert_eq!(snapshot(&app.state.db.conn).await, before, "case {i} left changes behind: {error}");
    }
    let no_period = csv_file(dir.path(), "wages.csv", &LINES);
    let error = import_file(&app, &no_period).await.unwrap_err().to_string();
    assert!(error.contains("--reference-period"), "{error}");
    let headerless = dir.path().join("oews_may2025_headerless.csv");
    std::fs::write(&headerless, LINES.join("\n")).unwrap();
    assert!(import_file(&app, &headerless).await.unwrap_err().to_string().contains("no AREA column"));
}

/// The same rows as an XLSX workbook the way BLS publishes it: numbers as numbers, industry and ownership
/// columns, and lines for single industries and ownerships that the importer must leave out.
fn xlsx_file(dir: &Path) -> (PathBuf, u64) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let mut header: Vec<&str> = HEADER.split(',').collect();
    header.splice(3..3, ["NAICS", "NAICS_TITLE", "I_GROUP", "OWN_CODE"]);
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    let text_columns = ["AREA_TITLE", "OCC_CODE", "OCC_TITLE", "O_GROUP", "NAICS", "NAICS_TITLE", "I_GROUP"];
    let mut row = 1u32;
    let mut write = |fields: Vec<String>| {
        for (c, (name, value)) in header.iter().zip(&fields).enumerate() {
            match value.parse::<f64>() {
                Ok(number) if !text_columns.contains(name) => sheet.write_number(row, c as u16, number).unwrap(),
                _ => sheet.write_string(row, c as u16, value).unwrap(),
            };
        }
        row += 1;
    };
    let mut skipped = 0;
    for line in LINES {
        let record = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap();
        let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
        // BLS's workbook drops leading zeros (0012420 is 12420) and codes the nation 99.
        fields[0] = match fields[0].trim_start_matches('0') {
            "" => "99".to_owned(),
            code => code.to_owned(),
        };
        let mut cross = fields.clone();
        cross.splice(3..3, ["000000".into(), "Cross-industry".into(), "cross-industry".into(), "1235".into()]);
        write(cross);
        let mut sector = fields.clone();
        sector[20] = "999999".into();
        sector.splice(3..3, ["510000".into(), "Information".into(), "sector".into(), "5".into()]);
        write(sector);
        let mut private = fields;
        private[20] = "1".into();
        private
            .splice(3..3, ["000000".into(), "Cross-industry".into(), "cross-industry, ownership".into(), "5".into()]);
        write(private);
        skipped += 2;
    }
    let path = dir.join("all_data_M_2025.xlsx");
    workbook.save(&path).unwrap();
    (path, skipped)
}

async fn gzip_and_xlsx_files_import_the_same_rows_as_csv(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = csv_file(dir.path(), "oews_may2025_fixture.csv", &LINES);
    import_file(&app, &csv_path).await.unwrap();
    let imported = snapshot(&app.state.db.conn).await;

    let gz_path = dir.path().join("oews_may2025_fixture.csv.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz_path).unwrap(), flate2::Compression::default());
    encoder.write_all(&std::fs::read(&csv_path).unwrap()).unwrap();
    encoder.finish().unwrap();
    let report = import_file(&app, &gz_path).await.unwrap();
    assert_eq!((report.rows, report.changed()), (8, 0), "gzip: {report}");

    let (xlsx_path, skipped) = xlsx_file(dir.path());
    let report = import_file(&app, &xlsx_path).await.unwrap();
    assert_eq!((report.rows, report.skipped, report.changed()), (24, skipped, 0), "xlsx: {report}");
    assert_eq!(report.salary_ranges.unchanged, 16);
    assert_eq!(snapshot(&app.state.db.conn).await, imported);
}

async fn the_command_line_imports_and_reports(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let path = csv_file(dir.path(), "oews_may2025_fixture.csv", &LINES);
    let run = |path: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_careerql"))
            .args(["--database-url", &app.database_url, "import", "oews"])
            .arg(path)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let output = run(&path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("salary ranges: ") && stdout.contains("inserted"), "{stdout}");
    assert!(!stdout.contains('\r'), "no progress bar when stdout is not a terminal");
    let output = run(&path);
    assert!(String::from_utf8_lossy(&output.stdout).contains("salary ranges: 0 inserted, 0 updated, 16 unchanged"));
    let bad = csv_file(dir.path(), "oews_may2025_bad.csv", &[&set_field(LINES[1], "TOT_EMP", "lots")]);
    let output = run(&bad);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("line 2, column 7 (TOT_EMP)"));
}

/// The first lines of the real BLS file, read at test time.
async fn a_slice_of_the_bls_file_imports_faithfully(app: TestApp) {
    let Some(source) = shared_data("oews/oews_may2025_all_areas.csv.gz") else { return };
    const LINES_READ: usize = 3000;
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(source).unwrap()));
    let text: Vec<String> = reader.lines().take(LINES_READ).map(Result::unwrap).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oews_may2025_slice.csv");
    std::fs::write(&path, text.join("\n") + "\n").unwrap();

    let report = import_file(&app, &path).await.unwrap();
    assert_eq!(report.rows, LINES_READ as u64 - 1);
    let again = import_file(&app, &path).await.unwrap();
    assert_eq!(again.changed(), 0);

    // Every 97th line, checked through the API against the file's own text.
    let joined = text.join("\n");
    let file: Vec<csv::StringRecord> =
        csv::Reader::from_reader(joined.as_bytes()).into_records().map(Result::unwrap).collect();
    for record in file.iter().step_by(97) {
        let (area, kind) = (&record[0], &record[2]);
        let code = match kind {
            "1" => area.to_owned(),
            "2" => area[..2].to_owned(),
            "4" => area[2..].to_owned(),
            _ => area.to_owned(),
        };
        let found = ranges(&app, &code, &record[3]).await;
        for (range, first_wage) in found.as_array().unwrap().iter().zip([18, 13]) {
            for (offset, statistic) in ["p10", "p25", "median", "p75", "p90"].iter().enumerate() {
                let published = &record[first_wage + offset];
                let expected = match published {
                    "*" => None,
                    "#" if first_wage == 18 => Some(239_200.0),
                    "#" => Some(115.0),
                    number => Some(number.parse::<f64>().unwrap()),
                };
                assert_eq!(range[*statistic].as_f64(), expected, "{statistic} of {record:?}");
                let flagged = range["topCoded"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s.as_str().unwrap().eq_ignore_ascii_case(statistic));
                assert_eq!(flagged, published == "#", "{statistic} of {record:?}");
            }
            assert_eq!(range["employment"].as_i64(), record[6].parse::<i64>().ok());
            assert_eq!(range["occupation"]["title"], &record[4]);
        }
    }
}

crate::on_every_backend!(
    every_marker_is_stored_honestly,
    a_second_import_changes_nothing,
    a_bad_line_is_named_and_leaves_the_database_as_it_was,
    gzip_and_xlsx_files_import_the_same_rows_as_csv,
    the_command_line_imports_and_reports,
    a_slice_of_the_bls_file_imports_faithfully,
);
