//! `careerql import oews FILE`: a BLS OEWS "all data" table (the XLSX BLS publishes, or the same columns as
//! CSV, plain or gzip) into areas (as cities), occupations, one role per detailed occupation, and salary ranges.
//!
//! BLS's markers: `*` (wage not available) and `**` (employment not available) become nulls; `#` (wage at or
//! above $115.00/hour or $239,200/year) is stored as that lower bound and named in `top_coded`. Area codes are
//! stored as the seed stores them: metropolitan areas by their 5-digit code, nonmetropolitan areas by the
//! 7-digit one (their last five digits repeat across states), states by 2-digit FIPS, the nation as 0000000.
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;

use csv::StringRecord;
use entity::enums::{AreaKind, OccupationGroup, PayPeriod};
use entity::{city, occupation, role, salary_range};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, Iterable, NotSet, QueryFilter, TransactionTrait,
};

use super::rows::{CsvRows, Format, Rows, XlsxRows, open_xlsx};
use super::{Counts, ImportError, Report};
use crate::domain::BLS_SOURCE;
use crate::domain::{BLS_ANNUAL_TOP_CODE, BLS_HOURLY_TOP_CODE, Cents, SocCode, slug, state_postal_code};
use crate::store::{bump_version, salary_range_on_conflict, upsert, upsert_changed};

/// Lines per batch: each batch is a handful of multi-row statements, and memory holds no more than one batch.
const BATCH: usize = 500;

pub struct Options {
    /// The period the figures describe, e.g. "May 2025"; read from the file name when not given.
    pub reference_period: Option<String>,
    /// Where progress is drawn; `ProgressBar::hidden()` for none.
    pub progress: ProgressBar,
}

/// Imports `path` in one transaction and reports what changed.
pub async fn import(db: &DatabaseConnection, path: &Path, options: Options) -> Result<Report, ImportError> {
    let reference_period = match options.reference_period {
        Some(period) => period.trim().to_owned(),
        None => reference_period_in(path).ok_or_else(|| {
            ImportError::Read(format!(
                "cannot tell the reference period from the name {:?}; pass it, e.g. --reference-period \"May 2025\"",
                path.file_name().unwrap_or_default()
            ))
        })?,
    };
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let release = Release { year: year_of(&reference_period), reference_period, file };
    let progress = options.progress;
    let report = match Format::sniff(path)? {
        Format::Xlsx => {
            progress.set_style(style("{spinner} {pos} rows {elapsed}"));
            let mut workbook = open_xlsx(path)?;
            let mut rows = XlsxRows::new(&mut workbook)?;
            run(db, &mut rows, release, Some(&progress)).await?
        }
        format => {
            let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
            progress.set_length(file.metadata().map_err(|e| ImportError::io(path, e))?.len());
            progress.set_style(style("{bar:40} {bytes}/{total_bytes} {elapsed} (eta {eta})"));
            let mut rows = CsvRows::new(progress.wrap_read(file), format == Format::GzipCsv)?;
            run(db, &mut rows, release, None).await?
        }
    };
    progress.finish_and_clear();
    Ok(report)
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// "May 2025" from names such as `oews_may2025_all_areas.csv.gz` or BLS's `all_data_M_2025.xlsx`.
fn reference_period_in(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_lowercase();
    let digits_after = |start: usize| {
        let rest = name.get(start..)?.trim_start_matches(['_', '-', ' ']);
        let year = rest.get(..4)?;
        year.bytes().all(|b| b.is_ascii_digit()).then(|| year.to_owned())
    };
    let year = name
        .match_indices("may")
        .find_map(|(i, _)| digits_after(i + 3))
        .or_else(|| name.match_indices("_m_").find_map(|(i, _)| digits_after(i + 3)))?;
    Some(format!("May {year}"))
}

fn year_of(reference_period: &str) -> Option<i32> {
    reference_period.split_whitespace().last()?.parse().ok()
}

struct Release {
    reference_period: String,
    year: Option<i32>,
    /// The file's name, as its source row records it.
    file: Option<String>,
}

async fn run(
    db: &DatabaseConnection,
    rows: &mut dyn Rows,
    release: Release,
    count_rows: Option<&ProgressBar>,
) -> Result<Report, ImportError> {
    let columns = Columns::find(rows.headers())?;
    // Dropping the transaction on an error rolls it back: nothing of a bad file is kept.
    let txn = db.begin().await?;
    let mut writer = Writer::new(&txn, release).await?;
    let mut record = StringRecord::new();
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(line) = rows.next(&mut record)? {
        writer.report.rows += 1;
        if let Some(progress) = count_rows {
            progress.inc(1);
        }
        if !columns.all_industries(&record) {
            writer.report.skipped += 1;
            continue;
        }
        batch.push(columns.parse(&record, line)?);
        if batch.len() == BATCH {
            writer.write(&mut batch).await?;
        }
    }
    writer.write(&mut batch).await?;
    let report = writer.report;
    let facts = crate::domain::bls_oews(&writer.release.reference_period);
    crate::store::record_source(&txn, &facts, writer.release.file.as_deref(), report.rows - report.skipped).await?;
    crate::search::reindex(&txn).await?;
    txn.commit().await?;
    Ok(report)
}

/// Where each column BLS publishes sits in this file.
struct Columns {
    names: Vec<String>,
    area: usize,
    area_title: usize,
    area_type: usize,
    occ_code: usize,
    occ_title: usize,
    o_group: usize,
    tot_emp: usize,
    emp_prse: Option<usize>,
    mean_prse: Option<usize>,
    jobs_1000: Option<usize>,
    loc_quotient: Option<usize>,
    /// p10, p25, median, p75, p90, mean: annual, then hourly.
    wages: [[usize; 6]; 2],
    i_group: Option<usize>,
    own_code: Option<usize>,
    naics: Option<usize>,
}

/// The statistic names `top_coded` uses, in the order of `Columns::wages`.
const STATISTICS: [&str; 6] = ["p10", "p25", "median", "p75", "p90", "mean"];
const PERIODS: [(PayPeriod, &str, Cents); 2] =
    [(PayPeriod::Annual, "A_", BLS_ANNUAL_TOP_CODE), (PayPeriod::Hourly, "H_", BLS_HOURLY_TOP_CODE)];

impl Columns {
    fn find(headers: &StringRecord) -> Result<Self, ImportError> {
        let names: Vec<String> = headers.iter().map(|h| h.trim().to_uppercase()).collect();
        let optional = |name: &str| names.iter().position(|n| n == name);
        let required = |name: &str| {
            optional(name).ok_or_else(|| {
                ImportError::Read(format!("the file has no {name} column; is it a BLS OEWS all-data table?"))
            })
        };
        let wages = |prefix: &str| -> Result<[usize; 6], ImportError> {
            Ok([
                required(&format!("{prefix}PCT10"))?,
                required(&format!("{prefix}PCT25"))?,
                required(&format!("{prefix}MEDIAN"))?,
                required(&format!("{prefix}PCT75"))?,
                required(&format!("{prefix}PCT90"))?,
                required(&format!("{prefix}MEAN"))?,
            ])
        };
        Ok(Self {
            area: required("AREA")?,
            area_title: required("AREA_TITLE")?,
            area_type: required("AREA_TYPE")?,
            occ_code: required("OCC_CODE")?,
            occ_title: required("OCC_TITLE")?,
            o_group: required("O_GROUP")?,
            tot_emp: required("TOT_EMP")?,
            emp_prse: optional("EMP_PRSE"),
            mean_prse: optional("MEAN_PRSE"),
            jobs_1000: optional("JOBS_1000"),
            loc_quotient: optional("LOC_QUOTIENT"),
            wages: [wages(PERIODS[0].1)?, wages(PERIODS[1].1)?],
            i_group: optional("I_GROUP"),
            own_code: optional("OWN_CODE"),
            naics: optional("NAICS"),
            names,
        })
    }

    /// Whether a line covers every industry and ownership (the only lines kept when a file has industries).
    fn all_industries(&self, record: &StringRecord) -> bool {
        let field = |i: Option<usize>| i.map(|i| record.get(i).unwrap_or_default().trim());
        field(self.i_group).is_none_or(|g| g.eq_ignore_ascii_case("cross-industry"))
            && field(self.own_code).is_none_or(|o| o == "1235")
            && field(self.naics).is_none_or(|n| n.bytes().all(|b| b == b'0'))
    }

    fn parse(&self, record: &StringRecord, line: u64) -> Result<Line, ImportError> {
        let text = |i: usize| record.get(i).unwrap_or_default().trim();
        let at = |i: usize| {
            move |message: String| ImportError::Cell { line, column: i + 1, name: self.names[i].clone(), message }
        };
        let optional_ratio =
            |i: Option<usize>| i.map(|i| ratio(text(i)).map_err(at(i))).transpose().map(Option::flatten);

        let kind = area_kind(text(self.area_type)).map_err(at(self.area_type))?;
        let area = area(text(self.area), text(self.area_title), kind).map_err(at(self.area))?;
        let title = |i: usize| match text(i) {
            "" => Err(at(i)("is empty".to_owned())),
            title => Ok(title.to_owned()),
        };
        let occupation = Occupation {
            code: SocCode::parse(text(self.occ_code)).map_err(|e| at(self.occ_code)(e.to_string()))?,
            title: title(self.occ_title)?,
            group: occupation_group(text(self.o_group)).map_err(at(self.o_group))?,
        };
        let mut wages = Vec::with_capacity(2);
        for (columns, (period, _, top_code)) in self.wages.iter().zip(PERIODS) {
            let mut cents = [None; 6];
            let mut top_coded = Vec::new();
            for ((amount, column), statistic) in cents.iter_mut().zip(columns).zip(STATISTICS) {
                *amount = match text(*column) {
                    "" | "*" => None,
                    "#" => {
                        top_coded.push(statistic);
                        Some(top_code.0)
                    }
                    value => Some(Cents::parse(value).map_err(|e| at(*column)(e.to_string()))?.0),
                };
            }
            wages.push(Wages { period, cents, top_coded: top_coded.join(" ") });
        }
        Ok(Line {
            line,
            area: Area { title: title(self.area_title)?, ..area },
            occupation,
            employment: employment(text(self.tot_emp)).map_err(at(self.tot_emp))?,
            jobs_per_1000: optional_ratio(self.jobs_1000)?,
            employment_rse: optional_ratio(self.emp_prse)?,
            mean_rse: optional_ratio(self.mean_prse)?,
            location_quotient: optional_ratio(self.loc_quotient)?,
            wages,
        })
    }
}

fn area_kind(text: &str) -> Result<AreaKind, String> {
    Ok(match text {
        "1" => AreaKind::National,
        "2" => AreaKind::State,
        "4" => AreaKind::Metropolitan,
        "6" => AreaKind::Nonmetropolitan,
        _ => {
            return Err(format!(
                "{text:?} is not a BLS area type (1 national, 2 state, 4 metropolitan, 6 nonmetropolitan)"
            ));
        }
    })
}

fn occupation_group(text: &str) -> Result<OccupationGroup, String> {
    Ok(match text.to_lowercase().as_str() {
        "total" => OccupationGroup::Total,
        "major" => OccupationGroup::Major,
        "minor" => OccupationGroup::Minor,
        "broad" => OccupationGroup::Broad,
        "detailed" => OccupationGroup::Detailed,
        _ => return Err(format!("{text:?} is not an occupation group (total, major, minor, broad or detailed)")),
    })
}

/// A number of jobs; `**` (and `*`) where BLS does not publish it.
fn employment(text: &str) -> Result<Option<i64>, String> {
    match text {
        "" | "*" | "**" => Ok(None),
        _ if text.bytes().all(|b| b.is_ascii_digit()) => {
            text.parse().map(Some).map_err(|_| format!("{text:?} is too large"))
        }
        _ => Err(format!("{text:?} is not a number of jobs")),
    }
}

/// Jobs per 1,000, a location quotient or a relative standard error; `*` where BLS does not publish it.
fn ratio(text: &str) -> Result<Option<f64>, String> {
    match text {
        "" | "*" | "**" => Ok(None),
        _ => match text.parse::<f64>() {
            Ok(value) if value.is_finite() && value >= 0.0 && !text.contains(['e', 'E']) => Ok(Some(value)),
            _ => Err(format!("{text:?} is not a non-negative decimal number")),
        },
    }
}

/// Metropolitan area titles name their principal cities joined by `-`, or by `--` when one of those names has
/// a hyphen of its own. A single principal city with a hyphen cannot be told apart, so it is listed.
const HYPHENATED_CITIES: [&str; 1] = ["Winston-Salem"];

fn principal_city(names: &str) -> &str {
    if let Some((first, _)) = names.split_once("--") {
        return first;
    }
    if let Some(city) = HYPHENATED_CITIES.iter().find(|c| names == **c || names.starts_with(&format!("{c}-"))) {
        return city;
    }
    names.split('-').next().unwrap_or(names)
}

/// The city row for a BLS area; `title` is filled in by the caller.
fn area(code: &str, title: &str, kind: AreaKind) -> Result<Area, String> {
    if code.is_empty() || code.len() > 7 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{code:?} is not a BLS area code"));
    }
    let code7 = format!("{code:0>7}");
    let state_of = |fips: &str| {
        state_postal_code(fips).ok_or_else(|| format!("{code:?} names no state or territory (FIPS {fips})"))
    };
    let (code, name, state, slug) = match kind {
        AreaKind::National => ("0000000".to_owned(), "United States".to_owned(), None, "united-states".to_owned()),
        AreaKind::State => {
            let fips = if code.len() <= 2 { format!("{code:0>2}") } else { code7[..2].to_owned() };
            let state = state_of(&fips)?;
            (fips, title.to_owned(), Some(state), slug(title))
        }
        AreaKind::Metropolitan => {
            let (names, states) = title.rsplit_once(", ").unwrap_or((title, ""));
            let city = principal_city(names);
            let state = states.split('-').next().filter(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()));
            (code7[2..].to_owned(), city.to_owned(), state, slug(&format!("{city} {}", state.unwrap_or_default())))
        }
        AreaKind::Nonmetropolitan => {
            let state = state_of(&code7[..2])?;
            let short = title.replace("nonmetropolitan area", "nonmetro");
            (code7, title.to_owned(), Some(state), slug(&format!("{short} {state}")))
        }
    };
    Ok(Area { code, title: String::new(), kind, name, state: state.map(str::to_owned), slug })
}

/// One line of the file, checked.
struct Line {
    line: u64,
    area: Area,
    occupation: Occupation,
    employment: Option<i64>,
    jobs_per_1000: Option<f64>,
    /// Relative standard errors in percent: of employment, and of the mean wage (both periods).
    employment_rse: Option<f64>,
    mean_rse: Option<f64>,
    location_quotient: Option<f64>,
    /// Annual, then hourly.
    wages: Vec<Wages>,
}

struct Area {
    code: String,
    title: String,
    kind: AreaKind,
    name: String,
    state: Option<String>,
    slug: String,
}

struct Occupation {
    code: SocCode,
    title: String,
    group: OccupationGroup,
}

struct Wages {
    period: PayPeriod,
    /// p10, p25, median, p75, p90, mean.
    cents: [Option<i64>; 6],
    top_coded: String,
}

/// Writes batches of lines, remembering what it has resolved so each area and occupation is written once.
struct Writer<'t> {
    txn: &'t DatabaseTransaction,
    release: Release,
    /// Ids of the areas and occupations this run has written or found, by code.
    city_ids: HashMap<String, i32>,
    occupation_ids: HashMap<String, i32>,
    /// What the database held when the import began.
    cities: HashMap<String, city::Model>,
    occupations: HashMap<String, occupation::Model>,
    roles: HashMap<String, role::Model>,
    /// City slugs taken, and by which area code.
    slugs: HashMap<String, String>,
    /// (city, occupation) pairs written: a second line for one is an error, not a silent overwrite.
    written: HashSet<(i32, i32)>,
    report: Report,
}

fn count(counts: &mut Counts, before: Option<bool>) {
    match before {
        None => counts.inserted += 1,
        Some(true) => counts.unchanged += 1,
        Some(false) => counts.updated += 1,
    }
}

impl<'t> Writer<'t> {
    async fn new(txn: &'t DatabaseTransaction, release: Release) -> Result<Self, ImportError> {
        let cities: HashMap<String, city::Model> =
            city::Entity::find().all(txn).await?.into_iter().map(|c| (c.area_code.clone(), c)).collect();
        let slugs = cities.values().map(|c| (c.slug.clone(), c.area_code.clone())).collect();
        Ok(Self {
            txn,
            release,
            city_ids: HashMap::new(),
            occupation_ids: HashMap::new(),
            slugs,
            cities,
            occupations: occupation::Entity::find()
                .all(txn)
                .await?
                .into_iter()
                .map(|o| (o.soc_code.clone(), o))
                .collect(),
            roles: role::Entity::find().all(txn).await?.into_iter().map(|r| (r.slug.clone(), r)).collect(),
            written: HashSet::new(),
            report: Report::default(),
        })
    }

    async fn write(&mut self, batch: &mut Vec<Line>) -> Result<(), ImportError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.write_areas(batch).await?;
        self.write_occupations(batch).await?;
        self.write_ranges(batch).await?;
        batch.clear();
        Ok(())
    }

    async fn write_areas(&mut self, batch: &[Line]) -> Result<(), ImportError> {
        let mut rows: Vec<city::Model> = Vec::new();
        let mut codes: Vec<String> = Vec::new();
        for Line { area, .. } in batch {
            if self.city_ids.contains_key(&area.code) || codes.contains(&area.code) {
                continue;
            }
            codes.push(area.code.clone());
            let before = self.cities.get(&area.code);
            let mut slug = area.slug.clone();
            if self.slugs.get(&slug).is_some_and(|code| *code != area.code) {
                slug = format!("{slug}-{}", area.code);
            }
            self.slugs.insert(slug.clone(), area.code.clone());
            let row = city::Model {
                id: before.map_or(0, |c| c.id),
                slug,
                name: area.name.clone(),
                state: area.state.clone(),
                area_code: area.code.clone(),
                area_title: area.title.clone(),
                kind: area.kind,
                // Hubs are the catalog's choice; the importer never changes them.
                hub: before.is_some_and(|c| c.hub),
                version: before.map_or(1, |c| c.version),
            };
            count(&mut self.report.areas, before.map(|b| *b == row));
            if before != Some(&row) {
                rows.push(row);
            }
        }
        if codes.is_empty() {
            return Ok(());
        }
        use city::Column as C;
        upsert(
            self.txn,
            rows.into_iter().map(new_row::<city::ActiveModel>),
            bump_version(
                OnConflict::column(C::AreaCode).update_columns([C::Slug, C::Name, C::State, C::AreaTitle, C::Kind]),
                C::Version,
            )
            .to_owned(),
        )
        .await?;
        for c in city::Entity::find().filter(C::AreaCode.is_in(codes)).all(self.txn).await? {
            self.city_ids.insert(c.area_code, c.id);
        }
        Ok(())
    }

    async fn write_occupations(&mut self, batch: &[Line]) -> Result<(), ImportError> {
        let mut rows: Vec<occupation::Model> = Vec::new();
        for Line { occupation, .. } in batch {
            let code = occupation.code.as_str();
            if self.occupation_ids.contains_key(code) || rows.iter().any(|o| o.soc_code == code) {
                continue;
            }
            let before = self.occupations.get(code);
            let row = occupation::Model {
                id: before.map_or(0, |o| o.id),
                soc_code: code.to_owned(),
                title: occupation.title.clone(),
                soc_group: occupation.group,
            };
            count(&mut self.report.occupations, before.map(|b| *b == row));
            rows.push(row);
        }
        if rows.is_empty() {
            return Ok(());
        }
        let codes: Vec<String> = rows.iter().map(|o| o.soc_code.clone()).collect();
        let changed = rows.iter().filter(|o| self.occupations.get(&o.soc_code) != Some(*o)).cloned();
        use occupation::Column as O;
        upsert(
            self.txn,
            changed.map(new_row::<occupation::ActiveModel>),
            OnConflict::column(O::SocCode).update_columns([O::Title, O::SocGroup]).to_owned(),
        )
        .await?;
        let written = occupation::Entity::find().filter(O::SocCode.is_in(codes)).all(self.txn).await?;
        for o in &written {
            self.occupation_ids.insert(o.soc_code.clone(), o.id);
        }
        self.write_roles(written.iter().filter(|o| o.soc_group == OccupationGroup::Detailed)).await
    }

    /// A role for each detailed occupation, named by its SOC title; the catalog's curated roles are never
    /// touched (a clashing slug gets the SOC code appended).
    async fn write_roles(&mut self, occupations: impl Iterator<Item = &occupation::Model>) -> Result<(), ImportError> {
        let mut rows = Vec::new();
        for o in occupations {
            let mut slug = slug(&o.title);
            if self.roles.get(&slug).is_some_and(|r| r.curated) {
                slug = format!("{slug}-{}", o.soc_code);
            }
            let before = self.roles.get(&slug);
            let row = role::Model {
                id: before.map_or(0, |r| r.id),
                slug: slug.clone(),
                title: o.title.clone(),
                summary: format!(
                    "The BLS occupation {} (SOC {}), as the OEWS survey publishes it: every job BLS classifies under this code.",
                    o.title, o.soc_code
                ),
                occupation_id: o.id,
                onet_soc_code: None,
                specialisation_of_id: None,
                curated: false,
                version: before.map_or(1, |r| r.version),
            };
            count(&mut self.report.roles, before.map(|b| *b == row));
            if before != Some(&row) {
                self.roles.insert(slug, row.clone());
                rows.push(row);
            }
        }
        use role::Column as R;
        let mut on_conflict = OnConflict::column(R::Slug);
        bump_version(on_conflict.update_columns([R::Title, R::Summary, R::OccupationId]), R::Version)
            .action_and_where(ExprTrait::eq(Expr::col((role::Entity, R::Curated)), false));
        upsert(self.txn, rows.into_iter().map(new_row::<role::ActiveModel>), on_conflict).await?;
        Ok(())
    }

    async fn write_ranges(&mut self, batch: &[Line]) -> Result<(), ImportError> {
        let release = &self.release;
        let mut ranges = Vec::with_capacity(batch.len() * 2);
        for line in batch {
            let city_id = self.city_ids[&line.area.code];
            let occupation_id = self.occupation_ids[line.occupation.code.as_str()];
            if !self.written.insert((city_id, occupation_id)) {
                return Err(ImportError::Line {
                    line: line.line,
                    message: format!(
                        "repeats {} in {}, which an earlier line already gave",
                        line.occupation.code.as_str(),
                        line.area.title
                    ),
                });
            }
            for wages in &line.wages {
                let [p10, p25, median, p75, p90, mean] = wages.cents;
                ranges.push(salary_range::Model {
                    id: 0,
                    occupation_id,
                    city_id,
                    role_id: None,
                    period: wages.period,
                    currency: "USD".to_owned(),
                    p10_cents: p10,
                    p25_cents: p25,
                    median_cents: median,
                    p75_cents: p75,
                    p90_cents: p90,
                    mean_cents: mean,
                    low_cents: None,
                    high_cents: None,
                    top_coded: wages.top_coded.clone(),
                    employment: line.employment,
                    location_quotient: line.location_quotient,
                    jobs_per_1000: line.jobs_per_1000,
                    employment_rse: line.employment_rse,
                    mean_rse: line.mean_rse,
                    source: BLS_SOURCE.to_owned(),
                    reference_period: release.reference_period.clone(),
                    year: release.year,
                    version: 1,
                });
            }
        }
        if self.txn.get_database_backend() == DbBackend::Postgres {
            // PostgreSQL compares in the upsert itself: no read of what the batch's keys already hold.
            let total = ranges.len() as u64;
            // The version is left to the table (1 for a new row) and to the upsert (one up for a changed one),
            // so it is neither written from the file nor compared with it.
            let rows: Vec<salary_range::ActiveModel> = ranges
                .into_iter()
                .map(|range| salary_range::ActiveModel { version: NotSet, ..new_row(range) })
                .collect();
            let changes = upsert_changed(self.txn, &rows, salary_range_on_conflict()).await?;
            let counts = &mut self.report.salary_ranges;
            counts.inserted += changes.inserted;
            counts.updated += changes.updated;
            counts.unchanged += total - changes.inserted - changes.updated;
            return Ok(());
        }
        use salary_range::Column as S;
        let city_ids: HashSet<i32> = ranges.iter().map(|r| r.city_id).collect();
        let occupation_ids: HashSet<i32> = ranges.iter().map(|r| r.occupation_id).collect();
        let existing: HashMap<(i32, i32, PayPeriod), salary_range::Model> = salary_range::Entity::find()
            .filter(S::Source.eq(BLS_SOURCE))
            .filter(S::ReferencePeriod.eq(release.reference_period.as_str()))
            .filter(S::CityId.is_in(city_ids))
            .filter(S::OccupationId.is_in(occupation_ids))
            .all(self.txn)
            .await?
            .into_iter()
            .map(|r| ((r.city_id, r.occupation_id, r.period), r))
            .collect();
        let mut changed = Vec::new();
        for mut range in ranges {
            let before = existing.get(&(range.city_id, range.occupation_id, range.period));
            (range.id, range.version) = before.map_or((0, 1), |r| (r.id, r.version));
            count(&mut self.report.salary_ranges, before.map(|b| *b == range));
            if before != Some(&range) {
                changed.push(new_row::<salary_range::ActiveModel>(range));
            }
        }
        upsert(self.txn, changed, salary_range_on_conflict()).await?;
        Ok(())
    }
}

/// A model as a row to insert: every column set but the id, which the database assigns (or keeps, on conflict).
fn new_row<A>(model: <A::Entity as EntityTrait>::Model) -> A
where
    A: ActiveModelTrait,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut row = model.into_active_model().reset_all();
    for key in <A::Entity as EntityTrait>::PrimaryKey::iter() {
        row.not_set(sea_orm::PrimaryKeyToColumn::into_column(key));
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_cities_keep_their_own_hyphens() {
        assert_eq!(principal_city("San Francisco-Oakland-Fremont"), "San Francisco");
        assert_eq!(principal_city("Nashville-Davidson--Murfreesboro--Franklin"), "Nashville-Davidson");
        assert_eq!(principal_city("Scranton--Wilkes-Barre"), "Scranton");
        assert_eq!(principal_city("Winston-Salem"), "Winston-Salem");
        assert_eq!(principal_city("Abilene"), "Abilene");
    }

    #[test]
    fn areas_are_coded_as_the_seed_codes_them() {
        let metro = area("0041860", "", AreaKind::Metropolitan).unwrap();
        assert_eq!(metro.code, "41860");
        let metro = area("41860", "San Francisco-Oakland-Fremont, CA", AreaKind::Metropolitan).unwrap();
        assert_eq!(
            (metro.code.as_str(), metro.slug.as_str(), metro.name.as_str()),
            ("41860", "san-francisco-ca", "San Francisco")
        );
        let state = area("0600000", "California", AreaKind::State).unwrap();
        assert_eq!(
            (state.code.as_str(), state.state.as_deref(), state.slug.as_str()),
            ("06", Some("CA"), "california")
        );
        assert_eq!(area("6", "California", AreaKind::State).unwrap().code, "06");
        let nonmetro = area("0200006", "Alaska nonmetropolitan area", AreaKind::Nonmetropolitan).unwrap();
        assert_eq!((nonmetro.code.as_str(), nonmetro.slug.as_str()), ("0200006", "alaska-nonmetro-ak"));
        assert_eq!(area("99", "National", AreaKind::National).unwrap().code, "0000000");
        assert!(area("12a45", "", AreaKind::Metropolitan).is_err());
        assert!(area("0300000", "Nowhere", AreaKind::State).is_err());
    }

    #[test]
    fn reference_periods_come_from_bls_file_names() {
        let period = |name: &str| reference_period_in(Path::new(name));
        assert_eq!(period("oews_may2025_all_areas.csv.gz").as_deref(), Some("May 2025"));
        assert_eq!(period("all_data_M_2024.xlsx").as_deref(), Some("May 2024"));
        assert_eq!(period("wages.csv"), None);
        assert_eq!(year_of("May 2025"), Some(2025));
    }

    #[test]
    fn markers_and_numbers() {
        assert_eq!(employment("**"), Ok(None));
        assert_eq!(employment("75070"), Ok(Some(75070)));
        assert!(employment("7,070").is_err());
        assert_eq!(ratio("*"), Ok(None));
        assert_eq!(ratio("1.02"), Ok(Some(1.02)));
        assert!(ratio("-1").is_err() && ratio("NaN").is_err() && ratio("1e3").is_err());
    }
}
