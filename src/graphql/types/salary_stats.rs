//! `salaryStats`: salary ranges grouped by typed keys.
//!
//! Counts, sums, minima, maxima and the employment-weighted mean are the database's work: one grouped
//! statement, paged like any list (keyset over the groups). The pooled percentile estimates need each group's
//! rows; they are computed here, from one more statement that fetches the rows of every group on the page.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ContextSelectionSet, Enum, InputObject, Object, SimpleObject, Value};
use entity::{city, occupation, role, salary_range};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query, SelectStatement, SqliteQueryBuilder};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, QueryResult};

use super::city::{AreaKind, City};
use super::occupation::{Occupation, OccupationGroup};
use super::role::Role;
use super::salary_range::{ExperienceLevels, PayPeriod, SalaryRangeFilter, WageStatistic};
use crate::domain::Cents;
use crate::graphql::eager::{self, Eager, EagerObject};
use crate::graphql::error::ApiError;
use crate::graphql::filter::{NullsOrder, OrderDirection, sort_key, sort_keys};
use crate::graphql::loader::{DbLoader, loader};
use crate::graphql::page::{KeyKind, ListSource, PageArgs, Plain, SortKey, column, root_page_with};
use crate::stats::{Component, pooled_percentiles};

/// What `salaryStats` groups ranges by; several keys group by their combination.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Hash, Debug)]
pub enum SalaryGroupBy {
    /// Each area: the group's `city`.
    City,
    /// The area's principal state (postal code; null for the nation): the group's `state`.
    State,
    /// The kind of area: the group's `areaKind`.
    AreaKind,
    /// Each occupation: the group's `occupation`.
    Occupation,
    /// Each role paid as the ranges' occupation: the group's `role`. A range counts once for every role it pays.
    Role,
    /// The occupations' level in the SOC hierarchy: the group's `occupationGroup`.
    OccupationGroup,
    /// Who published the figures: the group's `source`.
    Source,
    /// The figures' year: the group's `year`.
    Year,
}

/// What a group key is in SQL.
struct Key {
    alias: &'static str,
    expr: Expr,
    kind: KeyKind,
    /// How groups are ordered by this key, when that is not the key itself (a city by its name).
    display: Option<(Expr, KeyKind)>,
}

impl SalaryGroupBy {
    fn key(self) -> Key {
        use salary_range::Column as S;
        let key = |expr| Key { alias: self.alias(), expr, kind: self.kind(), display: None };
        match self {
            Self::City => {
                Key { display: Some((column(city::Column::Name).min(), KeyKind::Text)), ..key(column(S::CityId)) }
            }
            Self::State => key(column(city::Column::State)),
            Self::AreaKind => key(column(city::Column::Kind)),
            Self::Occupation => Key {
                display: Some((column(occupation::Column::SocCode).min(), KeyKind::Text)),
                ..key(column(S::OccupationId))
            },
            Self::Role => Key {
                display: Some((column(role::Column::Title).min(), KeyKind::Text)),
                ..key(column(role::Column::Id))
            },
            // From all occupations down to detailed ones, rather than alphabetically.
            Self::OccupationGroup => Key {
                display: Some((
                    Expr::cust(
                        "MIN(CASE \"occupation\".\"soc_group\" WHEN 'TOTAL' THEN 0 WHEN 'MAJOR' THEN 1 WHEN 'MINOR' THEN 2 WHEN 'BROAD' THEN 3 ELSE 4 END)",
                    ),
                    KeyKind::Int,
                )),
                ..key(column(occupation::Column::SocGroup))
            },
            Self::Source => key(column(S::Source)),
            Self::Year => key(column(S::Year)),
        }
    }

    fn needs(self) -> Join {
        match self {
            Self::City | Self::State | Self::AreaKind => Join::City,
            Self::Occupation | Self::OccupationGroup => Join::Occupation,
            Self::Role => Join::Role,
            Self::Source | Self::Year => Join::None,
        }
    }

    /// The key's name in `groupBy` terms (`city`, `area_kind`); read per row, so no expression is built.
    fn name(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::State => "state",
            Self::AreaKind => "area_kind",
            Self::Occupation => "occupation",
            Self::Role => "role",
            Self::OccupationGroup => "occupation_group",
            Self::Source => "source",
            Self::Year => "year",
        }
    }

    /// The column the grouped statement names the key's value.
    fn alias(self) -> &'static str {
        match self {
            Self::City => "k_city",
            Self::State => "k_state",
            Self::AreaKind => "k_area_kind",
            Self::Occupation => "k_occupation",
            Self::Role => "k_role",
            Self::OccupationGroup => "k_occupation_group",
            Self::Source => "k_source",
            Self::Year => "k_year",
        }
    }

    /// A key that names a row (a city, an occupation, a role) has that row joined to its group, read with the
    /// group rather than loaded by a statement of its own.
    fn join_row(self, source: ListSource) -> ListSource {
        match self {
            Self::City => source.with_row::<city::Entity>(city::Column::Id, self.alias()),
            Self::Occupation => source.with_row::<occupation::Entity>(occupation::Column::Id, self.alias()),
            Self::Role => source.with_row::<role::Entity>(role::Column::Id, self.alias()),
            _ => source,
        }
    }

    /// Where the grouped rows read the row `join_row` joins.
    fn joined<M: FromQueryResult>(self, row: &QueryResult, group_by: &[SalaryGroupBy]) -> Result<Option<M>, DbErr> {
        match group_by.contains(&self) {
            true => M::from_query_result(row, &format!("{}_", self.alias())).map(Some),
            false => Ok(None),
        }
    }

    fn kind(self) -> KeyKind {
        match self {
            Self::City | Self::Occupation | Self::Role | Self::Year => KeyKind::Int,
            Self::State | Self::AreaKind | Self::OccupationGroup | Self::Source => KeyKind::Text,
        }
    }
}

#[derive(PartialEq)]
enum Join {
    None,
    City,
    Occupation,
    Role,
}

/// The statistics of a range, as (name in `top_coded`, column).
const STATISTICS: [(&str, salary_range::Column); 6] = [
    ("p10", salary_range::Column::P10Cents),
    ("p25", salary_range::Column::P25Cents),
    ("median", salary_range::Column::MedianCents),
    ("p75", salary_range::Column::P75Cents),
    ("p90", salary_range::Column::P90Cents),
    ("mean", salary_range::Column::MeanCents),
];

/// The whole-group figures `aggregate` selects before the spreads: count, employment, the mean's sum, weight and
/// top-coded flag.
const GROUP_FIGURES: usize = 5;

/// Each statistic's aggregate columns, in `STATISTICS` order (and in the order `GroupRow::read` reads them).
const SPREAD_COLUMNS: [[&str; 4]; 6] = [
    ["p10_min", "p10_max", "p10_min_exact", "p10_top"],
    ["p25_min", "p25_max", "p25_min_exact", "p25_top"],
    ["median_min", "median_max", "median_min_exact", "median_top"],
    ["p75_min", "p75_max", "p75_min_exact", "p75_top"],
    ["p90_min", "p90_max", "p90_min_exact", "p90_top"],
    ["mean_min", "mean_max", "mean_min_exact", "mean_top"],
];

/// `"salary_range"."column"`, for the hand-written aggregate expressions.
fn sql(c: salary_range::Column) -> String {
    format!("\"salary_range\".\"{}\"", sea_orm::IdenStatic::as_str(&c))
}

/// True where `statistic` of a row is a top-coded lower bound. The empty test first: most rows have none.
fn top_coded(statistic: &str) -> String {
    let top = sql(salary_range::Column::TopCoded);
    format!("({top} <> '' AND (' ' || {top} || ' ') LIKE '% {statistic} %')")
}

/// One ordering term for groups: by a metric (`field`) or by a key the groups are grouped by (`key`; a city by
/// its name, an occupation by its SOC code, a role by its title, occupation groups from all to detailed).
#[derive(InputObject)]
pub struct SalaryStatsOrder {
    pub field: Option<SalaryStatsOrderField>,
    pub key: Option<SalaryGroupBy>,
    #[graphql(default)]
    pub direction: OrderDirection,
    #[graphql(default)]
    pub nulls: NullsOrder,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SalaryStatsOrderField {
    /// Number of ranges.
    Count,
    /// Total employment.
    Employment,
    /// Employment-weighted mean.
    Mean,
    P10Min,
    P10Max,
    P25Min,
    P25Max,
    MedianMin,
    MedianMax,
    P75Min,
    P75Max,
    P90Min,
    P90Max,
    MeanMin,
    MeanMax,
}

const STATS: &str = "salary_stats";
/// A page of groups may hold every area (about 600) or every occupation (about 830) at once: each page
/// computes the whole aggregate, so fewer, larger pages are what makes a breakdown fast.
const MAX_GROUPS_PAGE: u64 = 1000;

fn stats_column(alias: &str) -> Expr {
    Expr::col((Alias::new(STATS), Alias::new(alias)))
}

impl SalaryStatsOrder {
    /// The key's name in cursors, its expression over the grouped rows, and its kind.
    fn sort(&self, group_by: &[SalaryGroupBy]) -> Result<(String, Expr, KeyKind), ApiError> {
        match (self.field, self.key) {
            (Some(field), None) => Ok(field.sort()),
            (None, Some(key)) if group_by.contains(&key) => Ok(display_order(key)),
            (None, Some(key)) => Err(ApiError::bad_input(format!(
                "ordering by the key {} needs `groupBy` to include it",
                key.name().to_uppercase()
            ))),
            _ => Err(ApiError::bad_input("each `orderBy` term takes either `field` or `key`")),
        }
    }
}

impl SalaryStatsOrderField {
    fn sort(self) -> (String, Expr, KeyKind) {
        let spread = |i: usize, end: &str| {
            let name = format!("{}_{end}", STATISTICS[i].0);
            (name.clone(), stats_column(&name), KeyKind::Int)
        };
        match self {
            Self::Count => ("count".to_owned(), stats_column("n"), KeyKind::Int),
            Self::Employment => ("employment".to_owned(), stats_column("employment"), KeyKind::Int),
            Self::Mean => (
                "mean".to_owned(),
                Expr::cust(format!(
                    "CAST(\"{STATS}\".\"mean_sum\" AS DOUBLE PRECISION) / NULLIF(\"{STATS}\".\"mean_weight\", 0)"
                )),
                KeyKind::Float,
            ),
            Self::P10Min => spread(0, "min"),
            Self::P10Max => spread(0, "max"),
            Self::P25Min => spread(1, "min"),
            Self::P25Max => spread(1, "max"),
            Self::MedianMin => spread(2, "min"),
            Self::MedianMax => spread(2, "max"),
            Self::P75Min => spread(3, "min"),
            Self::P75Max => spread(3, "max"),
            Self::P90Min => spread(4, "min"),
            Self::P90Max => spread(4, "max"),
            Self::MeanMin => spread(5, "min"),
            Self::MeanMax => spread(5, "max"),
        }
    }
}

/// How groups are ordered by a key: the city's name, the occupation's code, or the key itself.
fn display_order(key: SalaryGroupBy) -> (String, Expr, KeyKind) {
    let k = key.key();
    match k.display {
        Some((_, kind)) => (key.name().to_owned(), stats_column(&format!("o_{}", key.name())), kind),
        None => (key.name().to_owned(), stats_column(k.alias), k.kind),
    }
}

/// The rows a grouping reads: `filter`, in one pay period, with the tables its keys need; its first columns are
/// the keys, in `group_by` order (`read_keys`).
fn grouped_rows(filter: &Condition, period: PayPeriod, group_by: &[SalaryGroupBy]) -> SelectStatement {
    use salary_range::Column as S;
    let mut select = Query::select();
    select.from(salary_range::Entity).cond_where(filter.clone());
    let period: entity::enums::PayPeriod = period.into();
    select.and_where(column(S::Period).eq(sea_orm::ActiveEnum::to_value(&period)));
    let joins: Vec<Join> = group_by.iter().map(|k| k.needs()).collect();
    if joins.contains(&Join::City) {
        select.inner_join(city::Entity, column(city::Column::Id).equals((salary_range::Entity, S::CityId)));
    }
    if joins.contains(&Join::Occupation) {
        select.inner_join(
            occupation::Entity,
            column(occupation::Column::Id).equals((salary_range::Entity, S::OccupationId)),
        );
    }
    if joins.contains(&Join::Role) {
        // The roles a range pays: those of its occupation, or its own role when published for one.
        let pays = Condition::all()
            .add(column(role::Column::OccupationId).equals((salary_range::Entity, S::OccupationId)))
            .add(
                Condition::any()
                    .add(column(S::RoleId).is_null())
                    .add(column(S::RoleId).equals((role::Entity, role::Column::Id))),
            );
        select.inner_join(role::Entity, pays);
    }
    for key in group_by {
        let k = key.key();
        select.expr_as(k.expr, Alias::new(k.alias));
    }
    select
}

/// The grouped statement: one row per group with its keys, then how each key is ordered, then the aggregates
/// (at the position returned), in the order `GroupRow::read` reads them.
fn aggregate(filter: &Condition, period: PayPeriod, group_by: &[SalaryGroupBy]) -> (SelectStatement, usize) {
    use salary_range::Column as S;
    let mut select = grouped_rows(filter, period, group_by);
    let mut metrics = group_by.len();
    for key in group_by {
        let k = key.key();
        select.add_group_by([k.expr]);
        if let Some((display, _)) = k.display {
            select.expr_as(display, Alias::new(format!("o_{}", key.name())));
            metrics += 1;
        }
    }
    let (employment, mean) = (sql(S::Employment), sql(S::MeanCents));
    let mut columns = vec![
        ("n".to_owned(), "COUNT(*)".to_owned()),
        ("employment".to_owned(), format!("CAST(SUM({employment}) AS BIGINT)")),
        // The pooled mean is exactly the employment-weighted mean of the ranges' means: kept as integer sums.
        ("mean_sum".to_owned(), format!("CAST(SUM({mean} * {employment}) AS BIGINT)")),
        ("mean_weight".to_owned(), format!("CAST(SUM(CASE WHEN {mean} IS NOT NULL THEN {employment} END) AS BIGINT)")),
        (
            "mean_top".to_owned(),
            format!(
                "CAST(MAX(CASE WHEN {mean} IS NOT NULL AND {employment} IS NOT NULL AND {} THEN 1 ELSE 0 END) AS BIGINT)",
                top_coded("mean")
            ),
        ),
    ];
    debug_assert_eq!(columns.len(), GROUP_FIGURES);
    for ((name, c), [min, max, min_exact, any_top]) in STATISTICS.into_iter().zip(SPREAD_COLUMNS) {
        let value = sql(c);
        let top = top_coded(name);
        columns.push((min.to_owned(), format!("MIN({value})")));
        columns.push((max.to_owned(), format!("MAX({value})")));
        columns.push((min_exact.to_owned(), format!("MIN(CASE WHEN NOT {top} THEN {value} END)")));
        columns.push((any_top.to_owned(), format!("CAST(MAX(CASE WHEN {top} THEN 1 ELSE 0 END) AS BIGINT)")));
    }
    for (alias, expr) in columns {
        select.expr_as(Expr::cust(expr), Alias::new(alias));
    }
    (select, metrics)
}

/// A group's key values, in `groupBy` order: what identifies it among its page's groups.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum KeyValue {
    Int(Option<i64>),
    Text(Option<String>),
}

/// The key values of a row of `grouped_rows` or `aggregate`, which select them first.
fn read_keys(row: &QueryResult, group_by: &[SalaryGroupBy]) -> Result<Vec<KeyValue>, DbErr> {
    group_by
        .iter()
        .enumerate()
        .map(|(i, key)| {
            Ok(match key.kind() {
                KeyKind::Text => KeyValue::Text(row.try_get_by_index(i)?),
                _ => KeyValue::Int(row.try_get_by_index::<Option<i32>>(i)?.map(i64::from)),
            })
        })
        .collect()
}

/// One statistic across a group's ranges.
#[derive(Clone, Copy, Debug, Default)]
struct SpreadRow {
    min: Option<i64>,
    max: Option<i64>,
    min_exact: Option<i64>,
    any_top_coded: bool,
}

/// One row of the grouped statement.
pub struct GroupRow {
    keys: Vec<KeyValue>,
    city: Option<City>,
    occupation: Option<Occupation>,
    role: Option<Role>,
    count: i64,
    employment: Option<i64>,
    mean_sum: Option<i64>,
    mean_weight: Option<i64>,
    mean_top_coded: bool,
    spreads: [SpreadRow; 6],
}

impl GroupRow {
    /// Reads a row of the grouped statement by position, as `aggregate` lays it out with the aggregates from
    /// column `metrics` on: by name, every column of every group cost a lookup and an allocation.
    fn read(row: &QueryResult, group_by: &[SalaryGroupBy], metrics: usize) -> Result<Self, DbErr> {
        let flag = |i: usize| row.try_get_by_index::<Option<i64>>(i).map(|v| v.unwrap_or(0) > 0);
        let mut spreads = [SpreadRow::default(); 6];
        for (i, spread) in spreads.iter_mut().enumerate() {
            let at = metrics + GROUP_FIGURES + 4 * i;
            *spread = SpreadRow {
                min: row.try_get_by_index(at)?,
                max: row.try_get_by_index(at + 1)?,
                min_exact: row.try_get_by_index(at + 2)?,
                any_top_coded: flag(at + 3)?,
            };
        }
        Ok(Self {
            keys: read_keys(row, group_by)?,
            city: SalaryGroupBy::City.joined(row, group_by)?.map(City),
            occupation: SalaryGroupBy::Occupation.joined(row, group_by)?.map(Occupation),
            role: SalaryGroupBy::Role.joined(row, group_by)?.map(Role),
            count: row.try_get_by_index(metrics)?,
            employment: row.try_get_by_index(metrics + 1)?,
            mean_sum: row.try_get_by_index(metrics + 2)?,
            mean_weight: row.try_get_by_index(metrics + 3)?,
            mean_top_coded: flag(metrics + 4)?,
            spreads,
        })
    }
}

const ALL_KEYS: [SalaryGroupBy; 8] = [
    SalaryGroupBy::City,
    SalaryGroupBy::State,
    SalaryGroupBy::AreaKind,
    SalaryGroupBy::Occupation,
    SalaryGroupBy::Role,
    SalaryGroupBy::OccupationGroup,
    SalaryGroupBy::Source,
    SalaryGroupBy::Year,
];

/// Where a page's groups fetch their rows for the percentile estimates.
#[derive(Debug)]
pub struct EstimateSource {
    rows: SelectStatement,
    /// In `ALL_KEYS` order, as `GroupRow::keys` holds them.
    group_by: Vec<SalaryGroupBy>,
    fingerprint: String,
}

/// One group's estimate, batched with the other groups on the page.
#[derive(Clone)]
pub struct EstimateKey {
    source: Arc<EstimateSource>,
    keys: Vec<KeyValue>,
}

impl PartialEq for EstimateKey {
    fn eq(&self, other: &Self) -> bool {
        self.keys == other.keys && self.source.fingerprint == other.source.fingerprint
    }
}
impl Eq for EstimateKey {}
impl Hash for EstimateKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.source.fingerprint.hash(state);
        self.keys.hash(state);
    }
}

impl Loader<EstimateKey> for DbLoader {
    type Value = Option<Pooled>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[EstimateKey]) -> Result<HashMap<EstimateKey, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        let mut sources: Vec<(Arc<EstimateSource>, Vec<Vec<KeyValue>>)> = Vec::new();
        for key in keys {
            match sources.iter_mut().find(|(s, _)| s.fingerprint == key.source.fingerprint) {
                Some((_, groups)) => groups.push(key.keys.clone()),
                None => sources.push((key.source.clone(), vec![key.keys.clone()])),
            }
        }
        for (source, groups) in sources {
            // Only the rows of these groups: each key's column among the values these groups have.
            let mut select = source.rows.clone();
            for (i, key) in source.group_by.iter().enumerate() {
                let k = key.key();
                let mut any = Condition::any();
                let mut values: Vec<sea_orm::Value> = Vec::new();
                for group in &groups {
                    match &group[i] {
                        KeyValue::Int(None) | KeyValue::Text(None) => any = any.add(k.expr.clone().is_null()),
                        KeyValue::Int(Some(v)) => values.push((*v).into()),
                        KeyValue::Text(Some(v)) => values.push(v.clone().into()),
                    }
                }
                if !values.is_empty() {
                    any = any.add(k.expr.clone().is_in(values));
                }
                select.cond_where(any);
            }
            let mut pools: HashMap<Vec<KeyValue>, Vec<Component>> = HashMap::new();
            for row in self.db.query_all(&select).await? {
                let keys = read_keys(&row, &source.group_by)?;
                if let Some(component) = component(&row)? {
                    pools.entry(keys).or_default().push(component);
                }
            }
            for keys in groups {
                let pooled = pools.get(&keys).and_then(|rows| Pooled::estimate(rows));
                found.insert(EstimateKey { source: source.clone(), keys }, pooled);
            }
        }
        Ok(found)
    }
}

/// A row as a pool component: `None` without all five percentiles. Rows without employment have weight 0,
/// so they count only when they are their group's one row.
fn component(row: &QueryResult) -> Result<Option<Component>, DbErr> {
    let mut percentiles = [0.0; 5];
    for (p, (_, c)) in percentiles.iter_mut().zip(&STATISTICS[..5]) {
        match row.try_get::<Option<i64>>("", sea_orm::IdenStatic::as_str(c))? {
            Some(cents) => *p = cents as f64,
            None => return Ok(None),
        }
    }
    let top_coded: String = row.try_get("", "top_coded")?;
    let exact =
        STATISTICS[..5].iter().take_while(|(name, _)| !top_coded.split_whitespace().any(|t| t == *name)).count();
    let weight = row.try_get::<Option<i64>>("", "employment")?.unwrap_or(0) as f64;
    Ok(Some(Component { weight, percentiles, exact }))
}

/// Estimated percentiles of a group's pooled distribution.
#[derive(Clone, Debug)]
pub struct Pooled {
    values: [f64; 5],
    lower_bounds: [bool; 5],
    ranges: usize,
}

impl Pooled {
    fn estimate(rows: &[Component]) -> Option<Self> {
        // A group of one range is that range's published figures, whatever its employment.
        let pool: Vec<Component> = match rows {
            [one] => vec![Component { weight: 1.0, ..*one }],
            _ => rows.iter().filter(|c| c.weight > 0.0).copied().collect(),
        };
        let estimates = pooled_percentiles(&pool)?;
        Some(Self {
            values: estimates.map(|e| e.value),
            lower_bounds: estimates.map(|e| e.lower_bound),
            ranges: pool.len(),
        })
    }
}

fn units(cents: f64) -> f64 {
    (cents).round() / 100.0
}

/// Estimated percentiles of the pooled distribution of a group's ranges: each range's published p10–p90 taken
/// as a piecewise-linear distribution, weighted by employment (see the README). Estimates, except when the
/// group is one range, whose published figures they are.
#[Object(name = "PooledPercentiles")]
impl Pooled {
    async fn p10(&self) -> f64 {
        units(self.values[0])
    }
    async fn p25(&self) -> f64 {
        units(self.values[1])
    }
    async fn median(&self) -> f64 {
        units(self.values[2])
    }
    async fn p75(&self) -> f64 {
        units(self.values[3])
    }
    async fn p90(&self) -> f64 {
        units(self.values[4])
    }
    /// Estimates that depend on a top-coded figure, and so are only lower bounds ("at least").
    async fn lower_bounds(&self) -> Vec<WageStatistic> {
        const STATS: [WageStatistic; 5] =
            [WageStatistic::P10, WageStatistic::P25, WageStatistic::Median, WageStatistic::P75, WageStatistic::P90];
        STATS.into_iter().zip(self.lower_bounds).filter(|(_, lower)| *lower).map(|(s, _)| s).collect()
    }
    /// True when the group is one range: the figures are its published ones, not estimates.
    async fn exact(&self) -> bool {
        self.ranges == 1
    }
    /// How many ranges the estimate pools: those with all five percentiles (and an employment figure, when
    /// there is more than one).
    async fn ranges(&self) -> i32 {
        i32::try_from(self.ranges).unwrap_or(i32::MAX)
    }
    /// Experience levels from the estimated percentiles (derived: careerql's mapping, see `ExperienceLevels`).
    async fn levels(&self) -> ExperienceLevels {
        let [p10, p25, p50, p75, p90] = self.values.map(units);
        ExperienceLevels::new([p10, p25, p50, p75, p90], self.lower_bounds)
    }
}

/// One published statistic across a group's ranges.
#[derive(SimpleObject)]
#[graphql(name = "StatisticSpread")]
pub struct Spread {
    /// The smallest published value.
    min: Option<f64>,
    /// The largest published value.
    max: Option<f64>,
    /// True when `min` is a top-coded lower bound.
    min_is_lower_bound: bool,
    /// True when some value is top-coded, so the true maximum may be higher than `max`.
    max_is_lower_bound: bool,
}

impl From<SpreadRow> for Spread {
    fn from(row: SpreadRow) -> Self {
        let cents = |c: Option<i64>| c.map(|c| Cents(c).units());
        Self {
            min: cents(row.min),
            max: cents(row.max),
            min_is_lower_bound: row.min.is_some() && (row.min_exact.is_none() || row.min < row.min_exact),
            max_is_lower_bound: row.any_top_coded,
        }
    }
}

impl EagerObject for Spread {
    fn field(&self, name: &str, _: &ContextSelectionSet<'_>) -> Option<Value> {
        Some(match name {
            "min" => self.min.into(),
            "max" => self.max.into(),
            "minIsLowerBound" => self.min_is_lower_bound.into(),
            "maxIsLowerBound" => self.max_is_lower_bound.into(),
            _ => Value::Null,
        })
    }
}

/// The spread of each published statistic across a group's ranges.
#[derive(SimpleObject)]
#[graphql(name = "StatisticSpreads")]
pub struct Spreads {
    p10: Spread,
    p25: Spread,
    median: Spread,
    p75: Spread,
    p90: Spread,
    mean: Spread,
}

impl EagerObject for Spreads {
    fn field(&self, name: &str, selection: &ContextSelectionSet<'_>) -> Option<Value> {
        let spread = match name {
            "p10" => &self.p10,
            "p25" => &self.p25,
            "median" => &self.median,
            "p75" => &self.p75,
            "p90" => &self.p90,
            "mean" => &self.mean,
            _ => return Some(Value::Null),
        };
        Some(eager::object(spread, selection))
    }
}

/// A group of salary ranges and what they add up to. Keys it was not grouped by are null.
pub struct SalaryGroup {
    row: GroupRow,
    group_by: Arc<Vec<SalaryGroupBy>>,
    estimates: Arc<EstimateSource>,
    period: PayPeriod,
}

pub type SalaryGroupConnection = Plain<Eager<SalaryGroup>>;

impl SalaryGroup {
    fn key(&self, key: SalaryGroupBy) -> Option<&KeyValue> {
        self.group_by.iter().position(|k| *k == key).map(|i| &self.row.keys[i])
    }

    fn number(&self, key: SalaryGroupBy) -> Option<i32> {
        match self.key(key) {
            Some(KeyValue::Int(Some(id))) => i32::try_from(*id).ok(),
            _ => None,
        }
    }

    fn pooled_mean(&self) -> Option<f64> {
        match (self.row.mean_sum, self.row.mean_weight) {
            (Some(sum), Some(weight)) if weight > 0 => Some(sum as f64 / weight as f64 / 100.0),
            _ => None,
        }
    }

    fn spreads(&self) -> Spreads {
        let [p10, p25, median, p75, p90, mean] = self.row.spreads.map(Spread::from);
        Spreads { p10, p25, median, p75, p90, mean }
    }

    fn text(&self, key: SalaryGroupBy) -> Option<&str> {
        match self.key(key) {
            Some(KeyValue::Text(Some(text))) => Some(text),
            _ => None,
        }
    }
}

#[Object]
impl SalaryGroup {
    /// The area, when grouped by `CITY`.
    async fn city(&self) -> Option<Eager<&City>> {
        self.row.city.as_ref().map(Eager)
    }

    /// The principal state's postal code, when grouped by `STATE` (null for the nation).
    async fn state(&self) -> Option<&str> {
        self.text(SalaryGroupBy::State)
    }

    /// When grouped by `AREA_KIND`.
    async fn area_kind(&self) -> Option<AreaKind> {
        let text = self.text(SalaryGroupBy::AreaKind)?;
        sea_orm::ActiveEnum::try_from_value(&text.to_owned()).ok().map(|k: entity::enums::AreaKind| k.into())
    }

    /// The occupation, when grouped by `OCCUPATION`.
    async fn occupation(&self) -> Option<&Occupation> {
        self.row.occupation.as_ref()
    }

    /// The role, when grouped by `ROLE`.
    async fn role(&self) -> Option<&Role> {
        self.row.role.as_ref()
    }

    /// When grouped by `OCCUPATION_GROUP`.
    async fn occupation_group(&self) -> Option<OccupationGroup> {
        let text = self.text(SalaryGroupBy::OccupationGroup)?;
        sea_orm::ActiveEnum::try_from_value(&text.to_owned()).ok().map(|g: entity::enums::OccupationGroup| g.into())
    }

    /// Who published the figures, when grouped by `SOURCE`.
    async fn source(&self) -> Option<&str> {
        self.text(SalaryGroupBy::Source)
    }

    /// When grouped by `YEAR`.
    async fn year(&self) -> Option<i32> {
        self.number(SalaryGroupBy::Year)
    }

    /// The pay period every figure of the group is in.
    async fn period(&self) -> PayPeriod {
        self.period
    }

    /// How many salary ranges the group holds.
    async fn count(&self) -> i64 {
        self.row.count
    }

    /// Total employment of the ranges that publish it.
    async fn employment(&self) -> Option<i64> {
        self.row.employment
    }

    /// The mean wage of the pooled ranges: their means weighted by employment, over the ranges that publish
    /// both. Exact, not an estimate (a lower bound when `meanIsLowerBound`).
    async fn mean(&self) -> Option<f64> {
        self.pooled_mean()
    }

    /// True when a mean that `mean` weighs is top-coded, so `mean` is only a lower bound.
    async fn mean_is_lower_bound(&self) -> bool {
        self.row.mean_top_coded
    }

    /// The smallest and largest published value of each statistic across the group's ranges.
    async fn spread(&self) -> Spreads {
        self.spreads()
    }

    /// Estimated percentiles of the group's pooled wage distribution; null when no range in it publishes all
    /// five percentiles. Estimates (see `PooledPercentiles`), exact when the group is one range.
    async fn estimate(&self, ctx: &Context<'_>) -> Result<Option<Pooled>, ApiError> {
        let key = EstimateKey { source: self.estimates.clone(), keys: self.row.keys.clone() };
        Ok(loader(ctx)?.load_one(key).await?.flatten())
    }
}

/// The figures and the city in hand; the other keys' objects, estimates and the rest go through the derived
/// resolvers above.
impl EagerObject for SalaryGroup {
    fn field(&self, name: &str, selection: &ContextSelectionSet<'_>) -> Option<Value> {
        Some(match name {
            "count" => self.row.count.into(),
            "employment" => self.row.employment.into(),
            "mean" => self.pooled_mean().into(),
            "meanIsLowerBound" => self.row.mean_top_coded.into(),
            "spread" => eager::object(&self.spreads(), selection),
            // A city's own columns are in hand; what it loads (its ranges) goes through `city` below.
            "city" => match &self.row.city {
                Some(city) => eager::in_hand(city, selection)?,
                None => Value::Null,
            },
            _ => return None,
        })
    }
}

/// Arguments of `salaryStats`, checked.
pub async fn salary_stats(
    ctx: &Context<'_>,
    period: PayPeriod,
    filter: Option<SalaryRangeFilter>,
    group_by: Vec<SalaryGroupBy>,
    order_by: Option<Vec<SalaryStatsOrder>>,
    args: PageArgs,
) -> Result<SalaryGroupConnection, ApiError> {
    // Keys are read back in one fixed order, whatever order `groupBy` lists them in.
    let keys: Vec<SalaryGroupBy> = ALL_KEYS.into_iter().filter(|k| group_by.contains(k)).collect();
    if keys.len() != group_by.len() {
        return Err(ApiError::bad_input("`groupBy` lists a key twice"));
    }
    let filter = filter.map(|f| f.condition()).unwrap_or_else(Condition::all);
    let requested = order_by
        .map(|terms| {
            terms
                .iter()
                .map(|t| t.sort(&keys).map(|(name, expr, kind)| sort_key(name, expr, kind, t.direction, t.nulls)))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    // By default groups come in `groupBy` order, each key as people read it (a city by name).
    let default = group_by
        .iter()
        .map(|k| {
            let (name, expr, kind) = display_order(*k);
            SortKey::new(name, expr, kind)
        })
        .collect();
    let unique = keys.iter().map(|k| SortKey::new(k.alias(), stats_column(k.alias()), k.kind())).collect();
    let order = sort_keys(requested, default, unique)?;
    let (groups, metrics) = aggregate(&filter, period, &keys);
    let source = keys
        .iter()
        .fold(ListSource::derived(groups, STATS), |source, key| key.join_row(source))
        .max_page(MAX_GROUPS_PAGE)
        .build();
    let mut rows = grouped_rows(&filter, period, &keys);
    use salary_range::Column as S;
    for c in [S::Employment, S::P10Cents, S::P25Cents, S::MedianCents, S::P75Cents, S::P90Cents, S::TopCoded] {
        rows.column((salary_range::Entity, c));
    }
    let estimates =
        Arc::new(EstimateSource { fingerprint: rows.to_string(SqliteQueryBuilder), rows, group_by: keys.clone() });
    let group_by = Arc::new(keys);
    let (page, total) = root_page_with(ctx, source, order, args, |row| GroupRow::read(row, &group_by, metrics)).await?;
    Ok(page.plain(total, |row| {
        Eager(SalaryGroup { row, group_by: group_by.clone(), estimates: estimates.clone(), period })
    }))
}
