use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::SimpleObject;
use async_graphql::connection::EmptyFields;
use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use async_graphql::{Context, Enum, ID};
use entity::{city, occupation, role, salary_range};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

use crate::domain::Cents;
use crate::graphql::engine::loader::{DbLoader, load_by_id, load_ref, loader};
use crate::graphql::engine::page::{KeyKind, ListSource, Plain, SortKey, SortedSource, column, primary_key};
use crate::graphql::error::ApiError;
pub use crate::graphql::schema::enums::PayPeriod;
use crate::graphql::schema::inputs::{
    EnumFilter, NumberFilter, OrderField, StringFilter, select_where, sort_keys, subquery,
};
use crate::graphql::schema::types::city::{City, CityFilter};
use crate::graphql::schema::types::occupation::{Occupation, OccupationFilter};
use crate::graphql::schema::types::rank::{ConfidenceInterval, SalaryRank, amount_in_cents};
use crate::graphql::schema::types::role::{Role, RoleConnection, RoleFilter, RoleOrder, role_order, role_source};
use crate::graphql::schema::types::source::{Source, source_by_slug};
use crate::graphql::schema::types::{IdType, global_id};

/// One statistic of a published wage distribution.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum WageStatistic {
    P10,
    P25,
    Median,
    P75,
    P90,
    Mean,
    /// Lower bound of a range published without percentiles.
    Low,
    /// Upper bound of a range published without percentiles.
    High,
}

enum_json!(WageStatistic);

impl WageStatistic {
    /// Each statistic and the name it is stored under in `top_coded`.
    const NAMES: [(Self, &'static str); 8] = [
        (Self::P10, "p10"),
        (Self::P25, "p25"),
        (Self::Median, "median"),
        (Self::P75, "p75"),
        (Self::P90, "p90"),
        (Self::Mean, "mean"),
        (Self::Low, "low"),
        (Self::High, "high"),
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::NAMES.iter().find(|(_, stored)| *stored == name).map(|(statistic, _)| *statistic)
    }

    pub fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(statistic, _)| *statistic == self).map_or("", |(_, name)| name)
    }
}

/// A published wage distribution for one occupation (or one role) in one area, from one source and period.
///
/// Amounts are in `currency` units per `period`. A null amount was not published. An amount listed in
/// `topCoded` is the source's lower bound ("at or above"), not an exact figure.
pub struct SalaryRange(pub salary_range::Model);

pub type SalaryRangeConnection = Plain<SalaryRange>;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SalaryRangeOrderField {
    P10,
    P25,
    Median,
    P75,
    P90,
    Mean,
    Employment,
    LocationQuotient,
    JobsPer1000,
    Year,
    Period,
    /// The name of the range's city.
    CityName,
    /// The SOC code of the range's occupation.
    SocCode,
}

impl OrderField for SalaryRangeOrderField {
    fn key(self) -> (&'static str, Expr, KeyKind) {
        use salary_range::Column as S;
        let own = |name, c: S, kind| (name, column(c), kind);
        match self {
            Self::P10 => own("p10", S::P10Cents, KeyKind::Int),
            Self::P25 => own("p25", S::P25Cents, KeyKind::Int),
            Self::Median => own("median", S::MedianCents, KeyKind::Int),
            Self::P75 => own("p75", S::P75Cents, KeyKind::Int),
            Self::P90 => own("p90", S::P90Cents, KeyKind::Int),
            Self::Mean => own("mean", S::MeanCents, KeyKind::Int),
            Self::Employment => own("employment", S::Employment, KeyKind::Int),
            Self::LocationQuotient => own("locationQuotient", S::LocationQuotient, KeyKind::Float),
            Self::JobsPer1000 => own("jobsPer1000", S::JobsPer1000, KeyKind::Float),
            Self::Year => own("year", S::Year, KeyKind::Int),
            Self::Period => own("period", S::Period, KeyKind::Text),
            Self::CityName => ("cityName", related(city::Column::Name, city::Column::Id, S::CityId), KeyKind::Text),
            Self::SocCode => (
                "socCode",
                related(occupation::Column::SocCode, occupation::Column::Id, S::OccupationId),
                KeyKind::Text,
            ),
        }
    }
}

/// `(SELECT value FROM other WHERE other.key = salary_range.foreign_key)`: a related row's value.
fn related(
    value: impl sea_orm::ColumnTrait,
    key: impl sea_orm::ColumnTrait,
    foreign_key: salary_range::Column,
) -> Expr {
    let select = select_where(value, Condition::all().add(column(key).equals((salary_range::Entity, foreign_key))));
    subquery(select)
}

ordering_input!(SalaryRangeOrder, SalaryRangeOrderField);

filter_input! {
    /// Which salary ranges to return. Amounts are in currency units. Every field set must hold; combine
    /// filters with `and`, `or` and `not`.
    SalaryRangeFilter {
        period: EnumFilter<PayPeriod>,
        currency: StringFilter,
        source: StringFilter,
        reference_period: StringFilter,
        year: NumberFilter<i64>,
        p10: NumberFilter<f64>,
        p25: NumberFilter<f64>,
        median: NumberFilter<f64>,
        p75: NumberFilter<f64>,
        p90: NumberFilter<f64>,
        mean: NumberFilter<f64>,
        employment: NumberFilter<i64>,
        location_quotient: NumberFilter<f64>,
        jobs_per_1000: NumberFilter<f64>,
        /// Ranges in a city matching this, e.g. `{ state: { eq: "TX" } }`.
        city: Box<CityFilter>,
        /// Ranges for an occupation matching this.
        occupation: Box<OccupationFilter>,
        /// Ranges that pay a role matching this: its occupation's, or published for the role itself.
        role: Box<RoleFilter>,
    }
    |filter| {
        use salary_range::Column as S;
        let money = |amount: &Option<NumberFilter<f64>>, c: S| {
            amount.as_ref().map(|f| f.condition(column(c), |units| Cents::nearest(units).0))
        };
        Condition::all()
            .add_option(filter.period.as_ref().map(|f| f.condition::<entity::enums::PayPeriod>(column(S::Period))))
            .add_option(filter.currency.as_ref().map(|f| f.condition(column(S::Currency))))
            .add_option(filter.source.as_ref().map(|f| f.condition(column(S::Source))))
            .add_option(filter.reference_period.as_ref().map(|f| f.condition(column(S::ReferencePeriod))))
            .add_option(filter.year.as_ref().map(|f| f.condition(column(S::Year), |y| y)))
            .add_option(money(&filter.p10, S::P10Cents))
            .add_option(money(&filter.p25, S::P25Cents))
            .add_option(money(&filter.median, S::MedianCents))
            .add_option(money(&filter.p75, S::P75Cents))
            .add_option(money(&filter.p90, S::P90Cents))
            .add_option(money(&filter.mean, S::MeanCents))
            .add_option(filter.employment.as_ref().map(|f| f.condition(column(S::Employment), |e| e)))
            .add_option(filter.location_quotient.as_ref().map(|f| f.condition(column(S::LocationQuotient), |q| q)))
            .add_option(filter.jobs_per_1000.as_ref().map(|f| f.condition(column(S::JobsPer1000), |j| j)))
            .add_option(
                filter.city
                    .as_ref()
                    .map(|f| column(S::CityId).in_subquery(select_where(city::Column::Id, f.condition()))),
            )
            .add_option(
                filter.occupation
                    .as_ref()
                    .map(|f| column(S::OccupationId).in_subquery(select_where(occupation::Column::Id, f.condition()))),
            )
            .add_option(filter.role.as_ref().map(|f| {
                // A range published for one role is filed under that role's occupation, so every range paying
                // a role is among its occupation's: testing that first lets the database use its index on
                // the occupation instead of scanning every range.
                Condition::all()
                    .add(column(S::OccupationId).in_subquery(select_where(role::Column::OccupationId, f.condition())))
                    .add(
                        Condition::any()
                            .add(column(S::RoleId).is_null())
                            .add(column(S::RoleId).in_subquery(select_where(role::Column::Id, f.condition()))),
                    )
            }))
    }
}

pub fn salary_range_source(filter: Option<SalaryRangeFilter>) -> ListSource {
    ListSource::new(salary_range::Entity, filter.map(|f| f.condition()).unwrap_or_else(Condition::all))
}

/// The sort keys for salary ranges: the client's `orderBy`, else the order they were recorded in.
pub fn salary_range_order(order_by: Option<Vec<SalaryRangeOrder>>) -> Result<Vec<SortKey>, ApiError> {
    let requested = order_by.map(|terms| terms.iter().map(|t| t.sort_key()).collect());
    sort_keys(requested, Vec::new(), primary_key::<salary_range::Entity>())
}

// What the other types need of salary ranges, and all they use: a parent's page of its ranges, and a figure of
// the latest BLS range to order their own lists by. Which ranges those are is decided here alone.

/// Whose salary ranges a nested `salaryRanges` list holds.
#[derive(Clone, Copy)]
pub enum RangesOf {
    /// A city's: those published for the area.
    City,
    /// An occupation's: those published for the whole occupation, not for one of its roles.
    Occupation,
    /// A role's: its occupation's, and those published for the role alone.
    Role,
}

/// The salary ranges of a batch of cities, occupations or roles, as `of` says.
pub fn ranges_of(
    of: RangesOf,
    filter: Option<SalaryRangeFilter>,
    order_by: Option<Vec<SalaryRangeOrder>>,
) -> Result<SortedSource, ApiError> {
    let source = salary_range_source(filter);
    let source = match of {
        RangesOf::City => source.children_of(column(salary_range::Column::CityId)),
        RangesOf::Occupation => source
            .and_where(column(salary_range::Column::RoleId).is_null())
            .children_of(column(salary_range::Column::OccupationId)),
        // The role is joined in as the parent.
        RangesOf::Role => source.join(role::Entity, range_pays_role(), "", &[]).children_of(column(role::Column::Id)),
    };
    Ok((source, salary_range_order(order_by)?))
}

/// The roles a batch of ranges pay: each range is joined in as the parent, with the roles of its occupation,
/// or its one role.
pub fn range_roles(filter: Option<RoleFilter>, order_by: Option<Vec<RoleOrder>>) -> Result<SortedSource, ApiError> {
    let source = role_source(filter)
        .join(salary_range::Entity, range_pays_role(), "", &[])
        .children_of(column(salary_range::Column::Id));
    Ok((source, role_order(order_by)?))
}

/// Joins a salary range to a role it pays: a range of the role's occupation, published for the whole
/// occupation or for that role alone.
fn range_pays_role() -> Condition {
    Condition::all()
        .add(column(salary_range::Column::OccupationId).equals((role::Entity, role::Column::OccupationId)))
        .add(
            Condition::any()
                .add(column(salary_range::Column::RoleId).is_null())
                .add(column(salary_range::Column::RoleId).equals((role::Entity, role::Column::Id))),
        )
}

/// A figure of a published range that other lists can be ordered by: roles by what they pay in a city,
/// cities by what a role pays there.
#[derive(Clone, Copy)]
pub enum RangeFigure {
    MedianWage,
    MeanWage,
    Employment,
}

impl RangeFigure {
    /// Its name in sort keys and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::MedianWage => "medianWage",
            Self::MeanWage => "meanWage",
            Self::Employment => "employment",
        }
    }

    fn column(self) -> salary_range::Column {
        match self {
            Self::MedianWage => salary_range::Column::MedianCents,
            Self::MeanWage => salary_range::Column::MeanCents,
            Self::Employment => salary_range::Column::Employment,
        }
    }

    /// This figure in the latest occupation-wide BLS range of `period` for one occupation in one area, as a
    /// sort key's name and expression. `occupation` and `area` get the range's occupation id and city id and
    /// tie each to the rows being ordered; `of` names whose figure it is (a city, a role) in the key's name.
    pub fn latest_bls(
        self,
        of: &str,
        occupation: impl FnOnce(Expr) -> Expr,
        area: impl FnOnce(Expr) -> Expr,
        period: PayPeriod,
    ) -> (String, Expr) {
        let occupation = occupation(column(salary_range::Column::OccupationId));
        let area = area(column(salary_range::Column::CityId));
        let (select, period_name) = latest_bls_figure(self.column(), occupation, area, period);
        (format!("{}({of},{period_name})", self.name()), select)
    }
}

/// `(SELECT figure FROM salary_range WHERE …)`: the latest occupation-wide BLS figure in `period` of the range
/// matching `occupation` and `city` (conditions on `salary_range`), for ordering by a figure elsewhere. The
/// second value names the period in cursor keys.
fn latest_bls_figure(
    figure: salary_range::Column,
    occupation: Expr,
    city: Expr,
    period: PayPeriod,
) -> (Expr, &'static str) {
    use salary_range::Column as S;
    let stored: entity::enums::PayPeriod = period.into();
    let select = select_where(
        figure,
        Condition::all()
            .add(city)
            .add(occupation)
            .add(column(S::RoleId).is_null())
            .add(column(S::Source).eq(crate::domain::BLS_SOURCE))
            .add(column(S::Period).eq(sea_orm::ActiveEnum::to_value(&stored))),
    )
    .order_by(S::Year, sea_orm::sea_query::Order::Desc)
    .limit(1)
    .to_owned();
    (subquery(select), if period == PayPeriod::Annual { "annual" } else { "hourly" })
}

/// What a single range's intervals rest on.
/// What a range's figures say beyond themselves, computed from its row alone: for the resolvers below and the
/// planner alike.
pub mod figures {
    use entity::salary_range::Model;

    use super::{ExperienceLevels, WageStatistic};
    use crate::analytics::grouping::range_component;
    use crate::domain::Cents;
    use crate::graphql::schema::types::rank::{ConfidenceInterval, SalaryRank, rank_in};

    const EMPLOYMENT_BASIS: &str = "BLS relative standard error of employment (EMP_PRSE)";
    const MEAN_BASIS: &str = "BLS relative standard error of the mean wage (MEAN_PRSE)";

    pub fn top_coded(range: &Model) -> Vec<WageStatistic> {
        range.top_coded.split_whitespace().filter_map(WageStatistic::parse).collect()
    }

    pub fn unpublished(range: &Model) -> Vec<WageStatistic> {
        if range.source != crate::domain::BLS_SOURCE {
            return Vec::new();
        }
        let published = [
            (WageStatistic::P10, range.p10_cents),
            (WageStatistic::P25, range.p25_cents),
            (WageStatistic::Median, range.median_cents),
            (WageStatistic::P75, range.p75_cents),
            (WageStatistic::P90, range.p90_cents),
            (WageStatistic::Mean, range.mean_cents),
        ];
        published.into_iter().filter(|(_, amount)| amount.is_none()).map(|(stat, _)| stat).collect()
    }

    pub fn employment_interval(range: &Model) -> Option<ConfidenceInterval> {
        let employment = range.employment? as f64;
        let se = employment * range.employment_rse? / 100.0;
        Some(ConfidenceInterval::new(employment, se, EMPLOYMENT_BASIS))
    }

    pub fn mean_interval(range: &Model) -> Option<ConfidenceInterval> {
        if range.top_coded.split_whitespace().any(|s| s == "mean") {
            return None;
        }
        let mean = Cents(range.mean_cents?).units();
        Some(ConfidenceInterval::new(mean, mean * range.mean_rse? / 100.0, MEAN_BASIS))
    }

    pub fn low_reliability(range: &Model) -> bool {
        let over = |rse: Option<f64>| rse.is_some_and(|rse| rse > crate::domain::LOW_RELIABILITY_RSE);
        over(range.employment_rse) || over(range.mean_rse)
    }

    /// Where `amount` (already checked, as `cents`) ranks in the range.
    pub fn rank_of(range: &Model, amount: f64, cents: f64) -> Option<SalaryRank> {
        range_component(range).and_then(|c| rank_in(&[c], amount, cents))
    }

    pub fn levels(range: &Model) -> Option<ExperienceLevels> {
        let cents = [range.p10_cents?, range.p25_cents?, range.median_cents?, range.p75_cents?, range.p90_cents?];
        let top_coded: Vec<&str> = range.top_coded.split_whitespace().collect();
        let flags = ["p10", "p25", "median", "p75", "p90"].map(|name| top_coded.contains(&name));
        Some(ExperienceLevels::new(cents.map(|c| Cents(c).units()), flags))
    }
}

fn units(cents: Option<i64>) -> Option<f64> {
    cents.map(|c| Cents(c).units())
}

object! {
    impl SalaryRange(salary_range::Model) {
        /// Globally unique, opaque ID.
        id(range) -> ID { global_id(IdType::SalaryRange, range.id) }
        /// Goes up by one with every change; send it back as `expectedVersion` when updating.
        version(range) -> i32 { range.version }
        period(range) -> PayPeriod { range.period.into() }
        /// ISO 4217 currency code.
        currency(range) -> &str { &range.currency }
        /// 10th percentile.
        p10(range) -> Option<f64> { units(range.p10_cents) }
        /// 25th percentile.
        p25(range) -> Option<f64> { units(range.p25_cents) }
        median(range) -> Option<f64> { units(range.median_cents) }
        /// 75th percentile.
        p75(range) -> Option<f64> { units(range.p75_cents) }
        /// 90th percentile.
        p90(range) -> Option<f64> { units(range.p90_cents) }
        mean(range) -> Option<f64> { units(range.mean_cents) }
        /// Lower bound, for sources that publish a range rather than percentiles.
        low(range) -> Option<f64> { units(range.low_cents) }
        /// Upper bound, for sources that publish a range rather than percentiles.
        high(range) -> Option<f64> { units(range.high_cents) }
        /// Statistics whose amount is a top-coded lower bound (BLS: $115.00/hour or $239,200/year and above).
        topCoded(range) -> Vec<WageStatistic> { figures::top_coded(range) }
        /// Statistics this source publishes but did not release for this occupation and area.
        unpublished(range) -> Vec<WageStatistic> { figures::unpublished(range) }
        /// Number of jobs, where the source estimates it.
        employment(range) -> Option<i64> { range.employment }
        /// The occupation's share of the area's jobs relative to its national share (1.0 = same as nationally).
        locationQuotient(range) -> Option<f64> { range.location_quotient }
        /// Jobs in the occupation per 1,000 jobs in the area, where the source publishes it.
        jobsPer1000(range) -> Option<f64> { range.jobs_per_1000 }
        /// BLS's relative standard error of `employment`, in percent (`EMP_PRSE`): its standard error as a share of
        /// the figure. Null where the source publishes none.
        employmentRse(range) -> Option<f64> { range.employment_rse }
        /// BLS's relative standard error of `mean`, in percent (`MEAN_PRSE`; BLS gives one for both pay periods).
        meanRse(range) -> Option<f64> { range.mean_rse }
        /// True when `employmentRse` or `meanRse` is above 30 (percent). That is the bar BLS holds its own OEWS wage
        /// estimates to: it releases no mean wage whose relative standard error is above 30% (the largest
        /// `MEAN_PRSE` in the May 2025 file is 29.9), while it releases employment up to 50%. A flagged figure's
        /// 90% interval spans more than ±49% of it. False where no error is published.
        lowReliability(range) -> bool { figures::low_reliability(range) }
        /// Who published the figures, e.g. "BLS OEWS".
        source(range) -> &str { &range.source }
        /// The period the figures describe, e.g. "May 2025".
        referencePeriod(range) -> &str { &range.reference_period }
        year(range) -> Option<i32> { range.year }
    }
    lists {
        /// Every role whose pay this range describes: the roles mapped to its occupation, or its one role.
        roles(RoleFilter, RoleOrder) -> RoleConnection = range_roles, |row| (Role(row), EmptyFields);
    }
    resolvers {
        /// The occupation the figures describe.
        async fn occupation(&self, ctx: &Context<'_>) -> Result<Occupation, ApiError> {
            load_ref::<occupation::Entity>(ctx, self.0.occupation_id).await.map(Occupation)
        }

        /// The role the source published this range for; null when it covers the whole occupation (as BLS does).
        async fn role(&self, ctx: &Context<'_>) -> Result<Option<Role>, ApiError> {
            match self.0.role_id {
                Some(id) => Ok(load_by_id::<role::Entity>(ctx, id).await?.map(Role)),
                None => Ok(None),
            }
        }

        /// Where these wages are paid; the nation is an area too.
        async fn city(&self, ctx: &Context<'_>) -> Result<City, ApiError> {
            load_ref::<city::Entity>(ctx, self.0.city_id).await.map(City)
        }

        /// The 90% confidence interval of `employment` (± 1.645 standard errors, from `employmentRse`); null
        /// without both.
        async fn employment_interval(&self) -> Option<ConfidenceInterval> {
            figures::employment_interval(&self.0)
        }

        /// The 90% confidence interval of `mean` (from `meanRse`); null without both, and when the mean is
        /// top-coded (a lower bound has no interval).
        async fn mean_interval(&self) -> Option<ConfidenceInterval> {
            figures::mean_interval(&self.0)
        }

        /// Where these figures come from, and as of when: the source `source` and `referencePeriod` name.
        async fn data_source(&self, ctx: &Context<'_>) -> Result<Option<Source>, ApiError> {
            source_by_slug(ctx, crate::domain::source_slug(&self.0.source, &self.0.reference_period)).await
        }

        /// Where `amount` (in `currency` per `period`, e.g. an offer) falls in this distribution: its percentile,
        /// and how it was found. Null unless all five percentiles are published.
        async fn percentile_of(&self, amount: f64) -> Result<Option<SalaryRank>, ApiError> {
            Ok(figures::rank_of(&self.0, amount, amount_in_cents(amount)?))
        }

        /// Experience levels derived from the published percentiles; null unless all five are published.
        async fn levels(&self) -> Option<ExperienceLevels> {
            figures::levels(&self.0)
        }

        /// This range beside the national one for the same occupation (or role), source, reference period and
        /// pay period: each statistic as a ratio to the national figure. Null where there is no national range.
        async fn to_national(&self, ctx: &Context<'_>) -> Result<Option<NationalRatios>, ApiError> {
            let national = loader(ctx)?.load_one(NationalKey::of(&self.0)).await?;
            Ok(national.map(|national| NationalRatios::new(&self.0, national)))
        }
    }
}

/// A band of wages between two published percentiles.
#[derive(SimpleObject, Clone, Copy)]
pub struct WageBand {
    pub low: f64,
    pub high: f64,
    /// True when an end of the band is a top-coded lower bound ("at least").
    pub top_coded: bool,
}

/// Experience levels derived from wage percentiles: careerql's own mapping, not BLS's (BLS publishes no
/// levels). Entry is the 10th to 25th percentile, mid the 25th to 75th, senior the 75th to 90th.
#[derive(SimpleObject)]
pub struct ExperienceLevels {
    /// Entry level (derived): the 10th to the 25th percentile.
    pub entry: WageBand,
    /// Mid level (derived): the 25th to the 75th percentile.
    pub mid: WageBand,
    /// Senior level (derived): the 75th to the 90th percentile.
    pub senior: WageBand,
}

impl ExperienceLevels {
    /// From p10, p25, median, p75, p90 and which of them are lower bounds.
    pub fn new(percentiles: [f64; 5], lower_bounds: [bool; 5]) -> Self {
        let [entry, mid, senior] =
            crate::domain::experience_levels(std::array::from_fn(|i| (percentiles[i], lower_bounds[i])));
        let band = |b: crate::domain::Band<(f64, bool)>| WageBand {
            low: b.low.0,
            high: b.high.0,
            top_coded: b.low.1 || b.high.1,
        };
        Self { entry: band(entry), mid: band(mid), senior: band(senior) }
    }
}

/// The national range matching a range: same occupation (or role), source, reference period and pay period.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NationalKey {
    occupation_id: i32,
    role_id: Option<i32>,
    period: entity::enums::PayPeriod,
    source: String,
    reference_period: String,
}

impl NationalKey {
    pub fn of(range: &salary_range::Model) -> Self {
        Self {
            occupation_id: range.occupation_id,
            role_id: range.role_id,
            period: range.period,
            source: range.source.clone(),
            reference_period: range.reference_period.clone(),
        }
    }
}

impl Loader<NationalKey> for DbLoader {
    type Value = salary_range::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[NationalKey]) -> Result<HashMap<NationalKey, Self::Value>, Self::Error> {
        Ok(national_ranges(&self.db, keys).await?)
    }
}

/// The national ranges matching `keys`, in one statement.
pub async fn national_ranges(
    db: &impl ConnectionTrait,
    keys: &[NationalKey],
) -> Result<HashMap<NationalKey, salary_range::Model>, DbErr> {
    use salary_range::Column as S;
    let nation = crate::graphql::schema::inputs::select_where(
        city::Column::Id,
        Condition::all()
            .add(column(city::Column::Kind).eq(sea_orm::ActiveEnum::to_value(&entity::enums::AreaKind::National))),
    );
    let occupations: Vec<i32> = keys.iter().map(|k| k.occupation_id).collect();
    let ranges = salary_range::Entity::find()
        .filter(S::OccupationId.is_in(occupations))
        .filter(S::CityId.in_subquery(nation))
        .all(db)
        .await?;
    Ok(ranges.into_iter().map(|r| (NationalKey::of(&r), r)).filter(|(key, _)| keys.contains(key)).collect())
}

/// A range's statistics as ratios to the national range's (1.0 = the national figure). A ratio is null
/// where either figure is unpublished.
#[derive(SimpleObject)]
pub struct NationalRatios {
    /// The national range itself.
    pub national: SalaryRange,
    pub p10: Option<f64>,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
    pub mean: Option<f64>,
    /// Statistics whose ratio involves a top-coded figure on either side, and so is not a true ratio.
    pub top_coded: Vec<WageStatistic>,
}

impl NationalRatios {
    pub fn new(range: &salary_range::Model, national: salary_range::Model) -> Self {
        let ratio = |own: Option<i64>, national: Option<i64>| match (own, national) {
            (Some(own), Some(national)) if national > 0 => Some(own as f64 / national as f64),
            _ => None,
        };
        let mut top_coded: Vec<WageStatistic> = Vec::new();
        for name in range.top_coded.split_whitespace().chain(national.top_coded.split_whitespace()) {
            match WageStatistic::parse(name) {
                Some(stat) if !top_coded.contains(&stat) => top_coded.push(stat),
                _ => {}
            }
        }
        Self {
            p10: ratio(range.p10_cents, national.p10_cents),
            p25: ratio(range.p25_cents, national.p25_cents),
            median: ratio(range.median_cents, national.median_cents),
            p75: ratio(range.p75_cents, national.p75_cents),
            p90: ratio(range.p90_cents, national.p90_cents),
            mean: ratio(range.mean_cents, national.mean_cents),
            top_coded,
            national: SalaryRange(national),
        }
    }
}
