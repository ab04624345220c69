//! `salaryStats`: salary ranges grouped by typed keys. The SQL and the model are `crate::analytics`'s; here
//! are the GraphQL types, the ordering of groups, and the loader that batches a page's estimates.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ContextSelectionSet, Enum, InputObject, Object, SimpleObject, Value};
use entity::{city, occupation, role};
use sea_orm::sea_query::{Alias, Condition, Expr, SelectStatement, SqliteQueryBuilder};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, IdenStatic, Iterable, QueryResult};

use crate::analytics::grouping::{
    self, ALL_KEYS, Figures, GroupFigures, GroupKey, KeyValue, Layout, STATISTICS, SpreadRow, component, read_keys,
};
use crate::analytics::pooled::{Component, Pooled};
use crate::domain::Cents;
use crate::graphql::engine::columns::{Columns, FromColumns};
use crate::graphql::engine::eager::{self, Eager, EagerObject};
use crate::graphql::engine::loader::{DbLoader, loader};
use crate::graphql::engine::page::{KeyKind, ListSource, PageArgs, Plain, SortKey, root_page_with};
use crate::graphql::error::ApiError;
use crate::graphql::schema::inputs::{NullsOrder, OrderDirection, sort_key, sort_keys};
use crate::graphql::schema::types::city::{AreaKind, City};
use crate::graphql::schema::types::occupation::{Occupation, OccupationGroup};
use crate::graphql::schema::types::rank::{ConfidenceInterval, SalaryRank, amount_in_cents};
use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::salary_range::{ExperienceLevels, PayPeriod, SalaryRangeFilter, WageStatistic};

/// What `salaryStats` groups ranges by; several keys group by their combination.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Hash, Debug)]
#[graphql(remote = "crate::analytics::grouping::GroupKey")]
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
    fn sort(&self, group_by: &[GroupKey]) -> Result<(String, Expr, KeyKind), ApiError> {
        match (self.field, self.key) {
            (Some(field), None) => Ok(field.sort()),
            (None, Some(key)) if group_by.contains(&key.into()) => Ok(display_order(key.into())),
            (None, Some(key)) => Err(ApiError::bad_input(format!(
                "ordering by the key {} needs `groupBy` to include it",
                GroupKey::from(key).name().to_uppercase()
            ))),
            _ => Err(ApiError::bad_input("each `orderBy` term takes either `field` or `key`")),
        }
    }
}

impl SalaryStatsOrderField {
    /// The statistic (in `STATISTICS` order) and the end of its spread the groups are ordered by.
    fn spread(self) -> Option<(usize, &'static str)> {
        Some(match self {
            Self::Count | Self::Employment | Self::Mean => return None,
            Self::P10Min => (0, "min"),
            Self::P10Max => (0, "max"),
            Self::P25Min => (1, "min"),
            Self::P25Max => (1, "max"),
            Self::MedianMin => (2, "min"),
            Self::MedianMax => (2, "max"),
            Self::P75Min => (3, "min"),
            Self::P75Max => (3, "max"),
            Self::P90Min => (4, "min"),
            Self::P90Max => (4, "max"),
            Self::MeanMin => (5, "min"),
            Self::MeanMax => (5, "max"),
        })
    }

    fn sort(self) -> (String, Expr, KeyKind) {
        if let Some((statistic, end)) = self.spread() {
            let name = format!("{}_{end}", STATISTICS[statistic].0);
            return (name.clone(), stats_column(&name), KeyKind::Int);
        }
        match self {
            Self::Employment => ("employment".to_owned(), stats_column("employment"), KeyKind::Int),
            Self::Mean => (
                "mean".to_owned(),
                Expr::cust(format!(
                    "CAST(\"{STATS}\".\"mean_sum\" AS DOUBLE PRECISION) / NULLIF(\"{STATS}\".\"mean_weight\", 0)"
                )),
                KeyKind::Float,
            ),
            _ => ("count".to_owned(), stats_column("n"), KeyKind::Int),
        }
    }
}

/// How groups are ordered by a key: the city's name, the occupation's code, or the key itself.
fn display_order(key: GroupKey) -> (String, Expr, KeyKind) {
    match key.display() {
        Some((_, is_number)) => (key.name().to_owned(), stats_column(&key.display_alias()), kind(is_number)),
        None => (key.name().to_owned(), stats_column(key.alias()), kind(key.is_number())),
    }
}

fn kind(is_number: bool) -> KeyKind {
    if is_number { KeyKind::Int } else { KeyKind::Text }
}

/// A row of the grouped statement: its figures, and the rows its keys name (a city, an occupation, a role),
/// joined to it.
pub struct GroupRow {
    pub figures: GroupFigures,
    pub city: Option<City>,
    pub occupation: Option<Occupation>,
    pub role: Option<Role>,
}

impl GroupRow {
    fn read(row: &QueryResult, keys: &[GroupKey], layout: &Layout) -> Result<Self, DbErr> {
        Ok(Self {
            figures: GroupFigures::read(row, keys, layout)?,
            city: joined::<city::Entity>(GroupKey::City, row, keys)?.map(City),
            occupation: joined::<occupation::Entity>(GroupKey::Occupation, row, keys)?.map(Occupation),
            role: joined::<role::Entity>(GroupKey::Role, row, keys)?.map(Role),
        })
    }
}

/// A key that names a row (a city, an occupation, a role) has that row joined to its group, read with the
/// group rather than loaded by a statement of its own.
fn join_row(key: GroupKey, source: ListSource) -> ListSource {
    match key {
        GroupKey::City => source.with_row::<city::Entity>(city::Column::Id, key.alias()),
        GroupKey::Occupation => source.with_row::<occupation::Entity>(occupation::Column::Id, key.alias()),
        GroupKey::Role => source.with_row::<role::Entity>(role::Column::Id, key.alias()),
        _ => source,
    }
}

/// Where the grouped rows read the row `join_row` joins: by position, from its first column on (`with_row`
/// names them `{key}_{column}`, in the model's order). Read by name, a city's nine columns were a fifth of
/// the instructions of `salaryStats` by city.
fn joined<E: EntityTrait>(key: GroupKey, row: &QueryResult, keys: &[GroupKey]) -> Result<Option<E::Model>, DbErr>
where
    E::Model: FromColumns,
{
    if !keys.contains(&key) {
        return Ok(None);
    }
    let first = E::Column::iter().next().expect("every table has a column");
    let mut columns = Columns::from_named(row, &format!("{}_{}", key.alias(), first.as_str()))?;
    E::Model::from_columns(&mut columns).map(Some)
}

/// Where a page's groups fetch their rows for the percentile estimates.
#[derive(Debug)]
pub struct EstimateSource {
    rows: SelectStatement,
    /// In `ALL_KEYS` order, as `GroupFigures::keys` holds them.
    group_by: Vec<GroupKey>,
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
    type Value = Option<Estimate>;
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
            let mut estimates = estimates(&self.db, &source, &groups).await?;
            for keys in groups {
                let estimate = estimates.remove(&keys);
                found.insert(EstimateKey { source: source.clone(), keys }, estimate);
            }
        }
        Ok(found)
    }
}

/// The estimates of the groups `groups` (each by its keys) of `source`, from their rows in one statement; a
/// group none of whose rows can be pooled has none.
pub async fn estimates(
    db: &impl ConnectionTrait,
    source: &EstimateSource,
    groups: &[Vec<KeyValue>],
) -> Result<HashMap<Vec<KeyValue>, Estimate>, DbErr> {
    let select = grouping::rows_of_groups(source.rows.clone(), &source.group_by, groups);
    let mut pools: HashMap<Vec<KeyValue>, Vec<Component>> = HashMap::new();
    for row in db.query_all(&select).await? {
        let keys = read_keys(&row, &source.group_by)?;
        if let Some(component) = component(&row)? {
            pools.entry(keys).or_default().push(component);
        }
    }
    Ok(pools.into_iter().filter_map(|(keys, rows)| Some((keys, Estimate(Pooled::estimate(&rows)?)))).collect())
}

fn units(cents: f64) -> f64 {
    crate::domain::units(cents.round())
}

/// The assumption a group's mean interval is computed under, as the API states it.
const POOLED_MEAN_BASIS: &str = "computed by careerql from each range's BLS MEAN_PRSE, assuming independent sampling errors between ranges and exact employment weights: SE = sqrt(sum((employment x mean x MEAN_PRSE/100)^2)) / sum(employment)";

/// A group's pooled estimate, as GraphQL shows it.
#[derive(Clone)]
pub struct Estimate(pub Pooled);

/// Estimated percentiles of the pooled distribution of a group's ranges: each range's published p10–p90 taken
/// as a piecewise-linear distribution, weighted by employment (see docs/analytics.md). Estimates, except when the
/// group is one range, whose published figures they are.
impl Estimate {
    /// p10, p25, median, p75 and p90, in units.
    pub fn values(&self) -> [f64; 5] {
        self.0.values.map(units)
    }

    pub fn lower_bound_statistics(&self) -> Vec<WageStatistic> {
        const STATS: [WageStatistic; 5] =
            [WageStatistic::P10, WageStatistic::P25, WageStatistic::Median, WageStatistic::P75, WageStatistic::P90];
        STATS.into_iter().zip(self.0.lower_bounds).filter(|(_, lower)| *lower).map(|(s, _)| s).collect()
    }

    pub fn is_exact(&self) -> bool {
        self.0.ranges == 1
    }

    pub fn pooled_ranges(&self) -> i32 {
        i32::try_from(self.0.ranges).unwrap_or(i32::MAX)
    }

    /// Where `amount` (already checked, as `cents`) ranks.
    pub fn rank_of(&self, amount: f64, cents: f64) -> Option<SalaryRank> {
        self.0.rank(cents).map(|rank| SalaryRank::new(amount, rank, None))
    }

    pub fn experience_levels(&self) -> ExperienceLevels {
        ExperienceLevels::new(self.values(), self.0.lower_bounds)
    }
}

/// Estimated percentiles of the pooled distribution of a group's ranges: each range's published p10–p90 taken
/// as a piecewise-linear distribution, weighted by employment (see docs/analytics.md). Estimates, except when the
/// group is one range, whose published figures they are.
#[Object(name = "PooledPercentiles")]
impl Estimate {
    async fn p10(&self) -> f64 {
        self.values()[0]
    }
    async fn p25(&self) -> f64 {
        self.values()[1]
    }
    async fn median(&self) -> f64 {
        self.values()[2]
    }
    async fn p75(&self) -> f64 {
        self.values()[3]
    }
    async fn p90(&self) -> f64 {
        self.values()[4]
    }
    /// Estimates that depend on a top-coded figure, and so are only lower bounds ("at least").
    async fn lower_bounds(&self) -> Vec<WageStatistic> {
        self.lower_bound_statistics()
    }
    /// True when the group is one range: the figures are its published ones, not estimates.
    async fn exact(&self) -> bool {
        self.is_exact()
    }
    /// How many ranges the estimate pools: those with all five percentiles (and an employment figure, when
    /// there is more than one).
    async fn ranges(&self) -> i32 {
        self.pooled_ranges()
    }
    /// Where `amount` falls in the pooled distribution: the inverse of these estimates on the same model (so the
    /// estimated p25 ranks at 25). `EXACT` only when the group is one range and `amount` one of its published
    /// percentiles; outside the pooled p10–p90, and where a top-coded figure decides, only bounds.
    async fn percentile_of(&self, amount: f64) -> Result<Option<SalaryRank>, ApiError> {
        Ok(self.rank_of(amount, amount_in_cents(amount)?))
    }

    /// Experience levels from the estimated percentiles (derived: careerql's mapping, see `ExperienceLevels`).
    async fn levels(&self) -> ExperienceLevels {
        self.experience_levels()
    }
}

/// One published statistic across a group's ranges.
#[derive(SimpleObject, Clone, Copy)]
#[graphql(name = "StatisticSpread")]
pub struct Spread {
    /// The smallest published value.
    pub min: Option<f64>,
    /// The largest published value.
    pub max: Option<f64>,
    /// True when `min` is a top-coded lower bound.
    pub min_is_lower_bound: bool,
    /// True when some value is top-coded, so the true maximum may be higher than `max`.
    pub max_is_lower_bound: bool,
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
    pub p10: Spread,
    pub p25: Spread,
    pub median: Spread,
    pub p75: Spread,
    pub p90: Spread,
    pub mean: Spread,
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
    pub row: GroupRow,
    group_by: Arc<Vec<GroupKey>>,
    pub estimates: Arc<EstimateSource>,
    pub period: PayPeriod,
}

pub type SalaryGroupConnection = Plain<Eager<SalaryGroup>>;

impl SalaryGroup {
    fn key(&self, key: GroupKey) -> Option<&KeyValue> {
        self.group_by.iter().position(|k| *k == key).map(|i| &self.row.figures.keys[i])
    }

    pub fn number(&self, key: GroupKey) -> Option<i32> {
        match self.key(key) {
            Some(KeyValue::Int(Some(id))) => i32::try_from(*id).ok(),
            _ => None,
        }
    }

    pub fn pooled_mean(&self) -> Option<f64> {
        self.row.figures.pooled_mean().map(crate::domain::units)
    }

    pub fn spreads(&self) -> Spreads {
        let [p10, p25, median, p75, p90, mean] = self.row.figures.spreads.map(Spread::from);
        Spreads { p10, p25, median, p75, p90, mean }
    }

    pub fn interval(&self) -> Option<ConfidenceInterval> {
        let se = self.row.figures.pooled_mean_standard_error()?;
        Some(ConfidenceInterval::new(self.pooled_mean()?, crate::domain::units(se), POOLED_MEAN_BASIS))
    }

    /// The key's value as the stored enum it holds.
    pub fn stored<E: sea_orm::ActiveEnum<Value = String>>(&self, key: GroupKey) -> Option<E> {
        E::try_from_value(&self.text(key)?.to_owned()).ok()
    }

    pub fn text(&self, key: GroupKey) -> Option<&str> {
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
        self.text(GroupKey::State)
    }

    /// When grouped by `AREA_KIND`.
    async fn area_kind(&self) -> Option<AreaKind> {
        self.stored(GroupKey::AreaKind).map(entity::enums::AreaKind::into)
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
        self.stored(GroupKey::OccupationGroup).map(entity::enums::OccupationGroup::into)
    }

    /// Who published the figures, when grouped by `SOURCE`.
    async fn source(&self) -> Option<&str> {
        self.text(GroupKey::Source)
    }

    /// When grouped by `YEAR`.
    async fn year(&self) -> Option<i32> {
        self.number(GroupKey::Year)
    }

    /// The pay period every figure of the group is in.
    async fn period(&self) -> PayPeriod {
        self.period
    }

    /// How many salary ranges the group holds.
    async fn count(&self) -> i64 {
        self.row.figures.count
    }

    /// Total employment of the ranges that publish it.
    async fn employment(&self) -> Option<i64> {
        self.row.figures.employment
    }

    /// The mean wage of the pooled ranges: their means weighted by employment, over the ranges that publish
    /// both. Exact, not an estimate (a lower bound when `meanIsLowerBound`).
    async fn mean(&self) -> Option<f64> {
        self.pooled_mean()
    }

    /// The 90% confidence interval of `mean` from the ranges' BLS relative standard errors (`meanRse`),
    /// computed under a stated assumption (see `basis`): the ranges' mean estimates have independent sampling
    /// errors, and their employment weights are taken as exact. BLS's areas and occupations are estimated from
    /// overlapping samples, so this is an approximation, not BLS's figure. Null when a range it weighs
    /// publishes no error; an interval around a lower bound when `meanIsLowerBound`.
    async fn mean_interval(&self) -> Option<ConfidenceInterval> {
        self.interval()
    }

    /// True when a mean that `mean` weighs is top-coded, so `mean` is only a lower bound.
    async fn mean_is_lower_bound(&self) -> bool {
        self.row.figures.mean_top_coded
    }

    /// The smallest and largest published value of each statistic across the group's ranges.
    async fn spread(&self) -> Spreads {
        self.spreads()
    }

    /// Estimated percentiles of the group's pooled wage distribution; null when no range in it publishes all
    /// five percentiles. Estimates (see `PooledPercentiles`), exact when the group is one range.
    async fn estimate(&self, ctx: &Context<'_>) -> Result<Option<Estimate>, ApiError> {
        let key = EstimateKey { source: self.estimates.clone(), keys: self.row.figures.keys.clone() };
        Ok(loader(ctx)?.load_one(key).await?.flatten())
    }
}

/// The figures and the city in hand; the other keys' objects, estimates and the rest go through the derived
/// resolvers above.
impl EagerObject for SalaryGroup {
    fn field(&self, name: &str, selection: &ContextSelectionSet<'_>) -> Option<Value> {
        Some(match name {
            "count" => self.row.figures.count.into(),
            "employment" => self.row.figures.employment.into(),
            "mean" => self.pooled_mean().into(),
            "meanIsLowerBound" => self.row.figures.mean_top_coded.into(),
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

/// The figures the query reads of the page's groups, through `nodes` or `edges { node }`.
fn figures_read(ctx: &Context<'_>) -> Figures {
    let page = ctx.look_ahead();
    let groups = [page.field("nodes"), page.field("edges").field("node")];
    let reads = |field: &str| groups.iter().any(|group| group.field(field).exists());
    let spreads = STATISTICS.map(|(name, _)| groups.iter().any(|group| group.field("spread").field(name).exists()));
    Figures { mean_top_coded: reads("meanIsLowerBound"), mean_error: reads("meanInterval"), spreads }
}

pub async fn salary_stats(
    ctx: &Context<'_>,
    period: PayPeriod,
    filter: Option<SalaryRangeFilter>,
    group_by: Vec<SalaryGroupBy>,
    order_by: Option<Vec<SalaryStatsOrder>>,
    args: PageArgs,
) -> Result<SalaryGroupConnection, ApiError> {
    let groups = salary_groups(period, filter, group_by, order_by, figures_read(ctx))?;
    let (page, total) = root_page_with(ctx, groups.source, groups.order, args, |row| groups.reading.read(row)).await?;
    Ok(page.plain(total, Eager))
}

/// The groups `salaryStats` pages: the grouped statement, their order, and what reads its rows.
pub struct SalaryGroups {
    pub source: Arc<ListSource>,
    pub order: Vec<SortKey>,
    pub reading: GroupReading,
}

/// What reads a row of the grouped statement as a group.
pub struct GroupReading {
    /// In `ALL_KEYS` order, as the statement reads them.
    group_by: Arc<Vec<GroupKey>>,
    layout: Layout,
    estimates: Arc<EstimateSource>,
    period: PayPeriod,
}

impl GroupReading {
    pub fn read(&self, row: &QueryResult) -> Result<SalaryGroup, DbErr> {
        Ok(SalaryGroup {
            row: GroupRow::read(row, &self.group_by, &self.layout)?,
            group_by: self.group_by.clone(),
            estimates: self.estimates.clone(),
            period: self.period,
        })
    }
}

/// The arguments of `salaryStats`, checked, as the groups they ask for: computing the figures `read` (and
/// those the groups are ordered by).
pub fn salary_groups(
    period: PayPeriod,
    filter: Option<SalaryRangeFilter>,
    group_by: Vec<SalaryGroupBy>,
    order_by: Option<Vec<SalaryStatsOrder>>,
    read: Figures,
) -> Result<SalaryGroups, ApiError> {
    // Keys are read back in one fixed order, whatever order `groupBy` lists them in.
    let group_by: Vec<GroupKey> = group_by.into_iter().map(GroupKey::from).collect();
    let keys: Vec<GroupKey> = ALL_KEYS.into_iter().filter(|k| group_by.contains(k)).collect();
    if keys.len() != group_by.len() {
        return Err(ApiError::bad_input("`groupBy` lists a key twice"));
    }
    let filter = filter.map(|f| f.condition()).unwrap_or_else(Condition::all);
    let mut figures = read;
    for term in order_by.iter().flatten() {
        if let Some((statistic, _)) = term.field.and_then(SalaryStatsOrderField::spread) {
            figures.spreads[statistic] = true;
        }
    }
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
    let unique = keys.iter().map(|k| SortKey::new(k.alias(), stats_column(k.alias()), kind(k.is_number()))).collect();
    let order = sort_keys(requested, default, unique)?;
    let (groups, layout) = grouping::aggregate(&filter, period.into(), &keys, figures);
    let source = keys
        .iter()
        .fold(ListSource::derived(groups, STATS), |source, key| join_row(*key, source))
        .max_page(MAX_GROUPS_PAGE)
        .build();
    let rows = grouping::estimate_rows(&filter, period.into(), &keys);
    let estimates =
        Arc::new(EstimateSource { fingerprint: rows.to_string(SqliteQueryBuilder), rows, group_by: keys.clone() });
    Ok(SalaryGroups { source, order, reading: GroupReading { group_by: Arc::new(keys), layout, estimates, period } })
}
