//! Where a salary ranks (`SalaryRank`) and how sure a figure is (`ConfidenceInterval`).
use async_graphql::{Enum, SimpleObject};
use entity::salary_range;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::analytics::grouping::range_component;
use crate::analytics::pooled::{self, Rank};
use crate::domain::Cents;
use crate::graphql::error::ApiError;
use crate::graphql::schema::types::salary_range::{PayPeriod, SalaryRange};

/// How a rank was found.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::analytics::pooled::RankMethod")]
pub enum RankMethod {
    /// The amount is one of the range's published percentiles: its rank is the source's, not an estimate.
    Exact,
    /// Between p10 and p90: interpolated on the piecewise-linear model between published percentiles (the same
    /// model `PooledPercentiles` estimates from, inverted).
    Interpolated,
    /// Below the 10th percentile: the model's tail is a guess, so only the bound (`atMost` 10) is given.
    BelowP10,
    /// Above the 90th percentile: only the bound (`atLeast` 90) is given.
    AboveP90,
    /// The rank depends on a top-coded percentile (BLS: $115.00/hour or $239,200/year and above), which is only a
    /// lower bound: `atLeast` and `atMost` bound it.
    TopCoded,
}

/// Where an amount falls in a wage distribution: the percentile, i.e. the share of jobs (in percent) paid at or
/// below the amount. `percentile` is null when only bounds are known; `atLeast` and `atMost` always hold them.
#[derive(SimpleObject)]
pub struct SalaryRank {
    /// The amount ranked, in the distribution's currency and pay period.
    pub amount: f64,
    /// Percentile, 0 to 100; null when `method` is `BELOW_P10`, `ABOVE_P90` or `TOP_CODED`.
    pub percentile: Option<f64>,
    /// The percentile is at least this.
    pub at_least: f64,
    /// The percentile is at most this.
    pub at_most: f64,
    pub method: RankMethod,
    /// The range ranked against (for `salaryRank`; null where the range is the parent).
    pub range: Option<SalaryRange>,
}

/// Percent, to four decimals: a rank is an estimate, and more digits would only be noise.
fn percent(share: f64) -> f64 {
    (share * 100.0 * 10_000.0).round() / 10_000.0
}

impl SalaryRank {
    pub fn new(amount: f64, rank: Rank, range: Option<SalaryRange>) -> Self {
        Self {
            amount,
            percentile: rank.share.map(percent),
            at_least: percent(rank.at_least),
            at_most: percent(rank.at_most),
            method: rank.method.into(),
            range,
        }
    }
}

/// An amount a client asks to rank, in currency units, as cents for the model; `BAD_USER_INPUT` otherwise.
pub fn amount_in_cents(amount: f64) -> Result<f64, ApiError> {
    Cents::from_units(amount).map(|c| c.0 as f64).map_err(|e| ApiError::bad_input(format!("`amount`: {e}")))
}

/// The city `salaryRank` ranks in unless told: the nation.
pub const NATION: &str = "united-states";

/// The range `salaryRank` ranks against: the latest occupation-wide BLS OEWS range of `occupation_id` in
/// `city_id`, in `period`.
pub async fn rank_range(
    db: &impl ConnectionTrait,
    occupation_id: i32,
    city_id: i32,
    period: PayPeriod,
) -> Result<Option<salary_range::Model>, DbErr> {
    use salary_range::Column as S;
    let stored: entity::enums::PayPeriod = period.into();
    salary_range::Entity::find()
        .filter(S::OccupationId.eq(occupation_id))
        .filter(S::CityId.eq(city_id))
        .filter(S::RoleId.is_null())
        .filter(S::Source.eq(crate::domain::BLS_SOURCE))
        .filter(S::Period.eq(stored))
        .order_by_desc(S::Year)
        .one(db)
        .await
}

/// Where `amount` (`cents` in cents) ranks in `range`, which the rank names; none unless all five
/// percentiles are published.
pub fn rank_against(range: salary_range::Model, amount: f64, cents: f64) -> Option<SalaryRank> {
    let ranked = range_component(&range).and_then(|component| rank_in(&[component], amount, cents));
    ranked.map(|rank| SalaryRank { range: Some(SalaryRange(range)), ..rank })
}

/// The rank of `cents` in `pool`, for an amount already checked.
pub fn rank_in(pool: &[pooled::Component], amount: f64, cents: f64) -> Option<SalaryRank> {
    pooled::rank(pool, cents).map(|rank| SalaryRank::new(amount, rank, None))
}

/// A 90% confidence interval, and what it rests on.
#[derive(SimpleObject, Clone)]
pub struct ConfidenceInterval {
    pub low: f64,
    pub high: f64,
    /// The standard error the interval is built from (± 1.645 standard errors), in the figure's units.
    pub standard_error: f64,
    /// The confidence level: 0.9.
    pub level: f64,
    /// How the standard error was found, e.g. "BLS relative standard error (MEAN_PRSE)", or the assumption it
    /// is computed under.
    pub basis: String,
}

impl ConfidenceInterval {
    /// From an estimate and its standard error; the low end never below zero.
    pub fn new(estimate: f64, standard_error: f64, basis: &str) -> Self {
        let half = crate::domain::Z_90 * standard_error;
        Self {
            low: (estimate - half).max(0.0),
            high: estimate + half,
            standard_error,
            level: 0.9,
            basis: basis.to_owned(),
        }
    }
}
