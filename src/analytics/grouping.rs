//! The SQL behind `salaryStats`: salary ranges grouped by keys in one statement, and each group's rows for
//! the pooled estimates. Counts, sums, minima, maxima and the employment-weighted mean are the database's
//! work; rows are read back by position, as the statements lay them out.
use entity::enums::PayPeriod;
use entity::{city, occupation, role, salary_range};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, DbErr, QueryResult};

use super::pooled::Component;

/// What ranges can be grouped by; several keys group by their combination.
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug)]
pub enum GroupKey {
    City,
    State,
    AreaKind,
    Occupation,
    Role,
    OccupationGroup,
    Source,
    Year,
}

/// Every key, in the one order a grouping's keys are selected and read back in, whatever order a client
/// lists them in.
pub const ALL_KEYS: [GroupKey; 8] = [
    GroupKey::City,
    GroupKey::State,
    GroupKey::AreaKind,
    GroupKey::Occupation,
    GroupKey::Role,
    GroupKey::OccupationGroup,
    GroupKey::Source,
    GroupKey::Year,
];

/// Which table a key needs joined to the ranges.
#[derive(PartialEq)]
enum Join {
    None,
    City,
    Occupation,
    Role,
}

fn column<C: ColumnTrait>(column: C) -> Expr {
    Expr::col((column.entity_name(), column))
}

impl GroupKey {
    /// The key's value in SQL.
    pub fn expr(self) -> Expr {
        use salary_range::Column as S;
        match self {
            Self::City => column(S::CityId),
            Self::State => column(city::Column::State),
            Self::AreaKind => column(city::Column::Kind),
            Self::Occupation => column(S::OccupationId),
            Self::Role => column(role::Column::Id),
            Self::OccupationGroup => column(occupation::Column::SocGroup),
            Self::Source => column(S::Source),
            Self::Year => column(S::Year),
        }
    }

    /// How groups are ordered by this key when that is not the key itself (a city by its name), over the
    /// grouped rows, and whether it is a number.
    pub fn display(self) -> Option<(Expr, bool)> {
        match self {
            Self::City => Some((column(city::Column::Name).min(), false)),
            Self::Occupation => Some((column(occupation::Column::SocCode).min(), false)),
            Self::Role => Some((column(role::Column::Title).min(), false)),
            // From all occupations down to detailed ones, rather than alphabetically.
            Self::OccupationGroup => Some((
                Expr::cust(
                    "MIN(CASE \"occupation\".\"soc_group\" WHEN 'TOTAL' THEN 0 WHEN 'MAJOR' THEN 1 WHEN 'MINOR' THEN 2 WHEN 'BROAD' THEN 3 ELSE 4 END)",
                ),
                true,
            )),
            Self::State | Self::AreaKind | Self::Source | Self::Year => None,
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
    pub fn name(self) -> &'static str {
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
    pub fn alias(self) -> &'static str {
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

    /// The column the grouped statement orders groups by this key in (see `display`).
    pub fn display_alias(self) -> String {
        format!("o_{}", self.name())
    }

    pub fn is_number(self) -> bool {
        match self {
            Self::City | Self::Occupation | Self::Role | Self::Year => true,
            Self::State | Self::AreaKind | Self::OccupationGroup | Self::Source => false,
        }
    }
}

/// The statistics of a range, as (name in `top_coded`, column).
pub const STATISTICS: [(&str, salary_range::Column); 6] = [
    ("p10", salary_range::Column::P10Cents),
    ("p25", salary_range::Column::P25Cents),
    ("median", salary_range::Column::MedianCents),
    ("p75", salary_range::Column::P75Cents),
    ("p90", salary_range::Column::P90Cents),
    ("mean", salary_range::Column::MeanCents),
];

/// Which of a group's figures a statement computes, beyond its count, employment and mean, which it always
/// does: each of the others costs every grouped row an expression, and the whole-table groupings read
/// hundreds of thousands of rows, so only those a query reads are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figures {
    /// Whether the mean is a lower bound.
    pub mean_top_coded: bool,
    /// The mean's sampling error, for its confidence interval.
    pub mean_error: bool,
    /// Each statistic's spread, in `STATISTICS` order.
    pub spreads: [bool; 6],
}

/// Where a row of `aggregate` holds what: the aggregates from column `metrics` on, as `figures` lays them out.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    metrics: usize,
    figures: Figures,
}

/// Each statistic's aggregate columns, in `STATISTICS` order (and in the order `GroupFigures::read` reads them).
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

/// The rows a grouping reads: `filter`, in one pay period, with the tables its keys need; its first columns are
/// the keys, in `keys` order (`read_keys`).
fn grouped_rows(filter: &Condition, period: PayPeriod, keys: &[GroupKey]) -> SelectStatement {
    use salary_range::Column as S;
    let mut select = Query::select();
    select.from(salary_range::Entity).cond_where(filter.clone());
    select.and_where(column(S::Period).eq(sea_orm::ActiveEnum::to_value(&period)));
    let joins: Vec<Join> = keys.iter().map(|k| k.needs()).collect();
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
    for key in keys {
        select.expr_as(key.expr(), Alias::new(key.alias()));
    }
    select
}

/// The grouped statement: one row per group with its keys, then how each key is ordered, then the aggregates
/// `figures` asks for, where the layout returned says (`GroupFigures::read`).
pub fn aggregate(
    filter: &Condition,
    period: PayPeriod,
    keys: &[GroupKey],
    figures: Figures,
) -> (SelectStatement, Layout) {
    use salary_range::Column as S;
    let mut select = grouped_rows(filter, period, keys);
    let mut metrics = keys.len();
    for key in keys {
        select.add_group_by([key.expr()]);
        if let Some((display, _)) = key.display() {
            select.expr_as(display, Alias::new(key.display_alias()));
            metrics += 1;
        }
    }
    let (employment, mean, mean_rse) = (sql(S::Employment), sql(S::MeanCents), sql(S::MeanRse));
    // A range's term in the pooled mean's variance: (employment × mean × RSE / 100)², in cents².
    let term = format!("(CAST({employment} AS DOUBLE PRECISION) * {mean} * {mean_rse} / 100.0)");
    let mut columns = vec![
        ("n".to_owned(), "COUNT(*)".to_owned()),
        ("employment".to_owned(), format!("CAST(SUM({employment}) AS BIGINT)")),
        // The pooled mean is exactly the employment-weighted mean of the ranges' means: kept as integer sums.
        ("mean_sum".to_owned(), format!("CAST(SUM({mean} * {employment}) AS BIGINT)")),
        ("mean_weight".to_owned(), format!("CAST(SUM(CASE WHEN {mean} IS NOT NULL THEN {employment} END) AS BIGINT)")),
    ];
    if figures.mean_top_coded {
        let top = top_coded("mean");
        columns.push((
            "mean_top".to_owned(),
            format!(
                "CAST(MAX(CASE WHEN {mean} IS NOT NULL AND {employment} IS NOT NULL AND {top} THEN 1 ELSE 0 END) AS BIGINT)"
            ),
        ));
    }
    if figures.mean_error {
        columns.push((
            "mean_variance".to_owned(),
            format!(
                "CAST(SUM(CASE WHEN {mean} IS NOT NULL AND {employment} IS NOT NULL THEN {term} * {term} END) AS DOUBLE PRECISION)"
            ),
        ));
        columns.push((
            "mean_rse_missing".to_owned(),
            format!(
                "CAST(SUM(CASE WHEN {mean} IS NOT NULL AND {employment} IS NOT NULL AND {mean_rse} IS NULL THEN 1 ELSE 0 END) AS BIGINT)"
            ),
        ));
    }
    let spreads = STATISTICS.into_iter().zip(SPREAD_COLUMNS).zip(figures.spreads);
    for (((name, c), [min, max, min_exact, any_top]), _) in spreads.filter(|(_, wanted)| *wanted) {
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
    (select, Layout { metrics, figures })
}

/// The ungrouped rows of a grouping, with what a pool component needs (`component`).
pub fn estimate_rows(filter: &Condition, period: PayPeriod, keys: &[GroupKey]) -> SelectStatement {
    use salary_range::Column as S;
    let mut rows = grouped_rows(filter, period, keys);
    for c in [S::Employment, S::P10Cents, S::P25Cents, S::MedianCents, S::P75Cents, S::P90Cents, S::TopCoded] {
        rows.column((salary_range::Entity, c));
    }
    rows
}

/// `rows` (of `estimate_rows`) narrowed to those of `groups`: each key's column among the values the groups
/// have for it.
pub fn rows_of_groups(mut rows: SelectStatement, keys: &[GroupKey], groups: &[Vec<KeyValue>]) -> SelectStatement {
    for (i, key) in keys.iter().enumerate() {
        let expr = key.expr();
        let mut any = Condition::any();
        let mut values: Vec<sea_orm::Value> = Vec::new();
        for group in groups {
            match &group[i] {
                KeyValue::Int(None) | KeyValue::Text(None) => any = any.add(expr.clone().is_null()),
                KeyValue::Int(Some(v)) => values.push((*v).into()),
                KeyValue::Text(Some(v)) => values.push(v.clone().into()),
            }
        }
        if !values.is_empty() {
            any = any.add(expr.is_in(values));
        }
        rows.cond_where(any);
    }
    rows
}

/// A group's key value: what identifies it, with its other keys, among its page's groups.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyValue {
    Int(Option<i64>),
    Text(Option<String>),
}

/// The key values of a row of `aggregate` or `estimate_rows`, which select them first.
pub fn read_keys(row: &QueryResult, keys: &[GroupKey]) -> Result<Vec<KeyValue>, DbErr> {
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            Ok(match key.is_number() {
                false => KeyValue::Text(row.try_get_by_index(i)?),
                true => KeyValue::Int(row.try_get_by_index::<Option<i32>>(i)?.map(i64::from)),
            })
        })
        .collect()
}

/// One statistic across a group's ranges, in cents.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpreadRow {
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// The smallest value that is not top-coded.
    pub min_exact: Option<i64>,
    pub any_top_coded: bool,
}

/// What a row of the grouped statement adds up to, amounts in cents.
pub struct GroupFigures {
    pub keys: Vec<KeyValue>,
    pub count: i64,
    pub employment: Option<i64>,
    mean_sum: Option<i64>,
    mean_weight: Option<i64>,
    pub mean_top_coded: bool,
    /// Σ (employment × mean × RSE/100)² over the ranges the mean weighs, in cents².
    mean_variance: Option<f64>,
    /// How many of those ranges publish no relative standard error of their mean.
    mean_rse_missing: i64,
    /// In `STATISTICS` order.
    pub spreads: [SpreadRow; 6],
}

impl GroupFigures {
    /// Reads a row of the grouped statement by position, as `aggregate` laid it out: by name, every column
    /// of every group cost a lookup and an allocation. Figures it did not compute are left empty.
    pub fn read(row: &QueryResult, keys: &[GroupKey], layout: &Layout) -> Result<Self, DbErr> {
        let mut at = layout.metrics;
        let mut next = || {
            at += 1;
            at - 1
        };
        let flag = |i: usize| row.try_get_by_index::<Option<i64>>(i).map(|v| v.unwrap_or(0) > 0);
        let (count, employment) = (row.try_get_by_index(next())?, row.try_get_by_index(next())?);
        let (mean_sum, mean_weight) = (row.try_get_by_index(next())?, row.try_get_by_index(next())?);
        let mean_top_coded = if layout.figures.mean_top_coded { flag(next())? } else { false };
        let (mean_variance, mean_rse_missing) = match layout.figures.mean_error {
            true => (row.try_get_by_index(next())?, row.try_get_by_index::<Option<i64>>(next())?.unwrap_or(0)),
            false => (None, 0),
        };
        let mut spreads = [SpreadRow::default(); 6];
        for (spread, _) in spreads.iter_mut().zip(layout.figures.spreads).filter(|(_, wanted)| *wanted) {
            *spread = SpreadRow {
                min: row.try_get_by_index(next())?,
                max: row.try_get_by_index(next())?,
                min_exact: row.try_get_by_index(next())?,
                any_top_coded: flag(next())?,
            };
        }
        Ok(Self {
            keys: read_keys(row, keys)?,
            count,
            employment,
            mean_sum,
            mean_weight,
            mean_top_coded,
            mean_variance,
            mean_rse_missing,
            spreads,
        })
    }

    /// The standard error of `pooled_mean`, in cents, assuming the ranges' mean estimates have independent
    /// sampling errors (each its BLS relative standard error) and the employment weights are known exactly.
    /// `None` when a mean it weighs has no published error.
    pub fn pooled_mean_standard_error(&self) -> Option<f64> {
        match (self.mean_variance, self.mean_weight) {
            (Some(variance), Some(weight)) if weight > 0 && self.mean_rse_missing == 0 => {
                Some(variance.sqrt() / weight as f64)
            }
            _ => None,
        }
    }

    /// The employment-weighted mean of the ranges' means, in cents: exact, from integer sums.
    pub fn pooled_mean(&self) -> Option<f64> {
        match (self.mean_sum, self.mean_weight) {
            (Some(sum), Some(weight)) if weight > 0 => Some(sum as f64 / weight as f64),
            _ => None,
        }
    }
}

/// A row of `estimate_rows` as a pool component: `None` without all five percentiles. Rows without
/// employment have weight 0, so they count only when they are their group's one row.
pub fn component(row: &QueryResult) -> Result<Option<Component>, DbErr> {
    let mut percentiles = [0.0; 5];
    for (p, (_, c)) in percentiles.iter_mut().zip(&STATISTICS[..5]) {
        match row.try_get::<Option<i64>>("", sea_orm::IdenStatic::as_str(c))? {
            Some(cents) => *p = cents as f64,
            None => return Ok(None),
        }
    }
    let top_coded: String = row.try_get("", "top_coded")?;
    let weight = row.try_get::<Option<i64>>("", "employment")?.unwrap_or(0) as f64;
    Ok(Some(Component { weight, percentiles, exact: exact_percentiles(&top_coded) }))
}

/// How many of p10, p25, median, p75 and p90, from p10 up, are exact: the rest are top-coded lower bounds.
fn exact_percentiles(top_coded: &str) -> usize {
    STATISTICS[..5].iter().take_while(|(name, _)| !top_coded.split_whitespace().any(|t| t == *name)).count()
}

/// One range on its own as a distribution (weight 1): `None` without all five percentiles.
pub fn range_component(range: &salary_range::Model) -> Option<Component> {
    let cents = [range.p10_cents?, range.p25_cents?, range.median_cents?, range.p75_cents?, range.p90_cents?];
    Some(Component { weight: 1.0, percentiles: cents.map(|c| c as f64), exact: exact_percentiles(&range.top_coded) })
}
