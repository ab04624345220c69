use async_graphql::{Context, Enum, ID, Object};
use entity::{city, occupation, role, salary_range};

use super::city::City;
use super::occupation::Occupation;
use super::role::Role;
use super::{global_id, list_size};
use crate::domain::Cents;
use crate::graphql::error::ApiError;
use crate::graphql::loader::{load_by_id, load_many, load_ref};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::PayPeriod")]
pub enum PayPeriod {
    /// Per year. BLS annual wages are hourly wages × 2,080 hours.
    Annual,
    /// Per hour.
    Hourly,
}

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

impl WageStatistic {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "p10" => Self::P10,
            "p25" => Self::P25,
            "median" => Self::Median,
            "p75" => Self::P75,
            "p90" => Self::P90,
            "mean" => Self::Mean,
            "low" => Self::Low,
            "high" => Self::High,
            _ => return None,
        })
    }
}

/// A published wage distribution for one occupation (or one role) in one area, from one source and period.
///
/// Amounts are in `currency` units per `period`. A null amount was not published. An amount listed in
/// `topCoded` is the source's lower bound ("at or above"), not an exact figure.
pub struct SalaryRange(pub salary_range::Model);

fn units(cents: Option<i64>) -> Option<f64> {
    cents.map(|c| Cents(c).units())
}

#[Object]
impl SalaryRange {
    /// Globally unique, opaque ID.
    async fn id(&self) -> ID {
        global_id("SalaryRange", self.0.id)
    }

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

    /// Every role whose pay this range describes: the roles mapped to its occupation, or its one role.
    async fn roles(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<Role>, ApiError> {
        let size = list_size(first, 100)?;
        let roles = load_many::<role::Entity>(ctx, role::Column::OccupationId, self.0.occupation_id).await?;
        Ok(roles
            .into_iter()
            .filter(|r| self.0.role_id.is_none_or(|id| id == r.id))
            .take(size as usize)
            .map(Role)
            .collect())
    }

    /// Where these wages are paid; the nation is an area too.
    async fn city(&self, ctx: &Context<'_>) -> Result<City, ApiError> {
        load_ref::<city::Entity>(ctx, self.0.city_id).await.map(City)
    }

    async fn period(&self) -> PayPeriod {
        self.0.period.into()
    }

    /// ISO 4217 currency code.
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// 10th percentile.
    async fn p10(&self) -> Option<f64> {
        units(self.0.p10_cents)
    }

    /// 25th percentile.
    async fn p25(&self) -> Option<f64> {
        units(self.0.p25_cents)
    }

    async fn median(&self) -> Option<f64> {
        units(self.0.median_cents)
    }

    /// 75th percentile.
    async fn p75(&self) -> Option<f64> {
        units(self.0.p75_cents)
    }

    /// 90th percentile.
    async fn p90(&self) -> Option<f64> {
        units(self.0.p90_cents)
    }

    async fn mean(&self) -> Option<f64> {
        units(self.0.mean_cents)
    }

    /// Lower bound, for sources that publish a range rather than percentiles.
    async fn low(&self) -> Option<f64> {
        units(self.0.low_cents)
    }

    /// Upper bound, for sources that publish a range rather than percentiles.
    async fn high(&self) -> Option<f64> {
        units(self.0.high_cents)
    }

    /// Statistics whose amount is a top-coded lower bound (BLS: $115.00/hour or $239,200/year and above).
    async fn top_coded(&self) -> Vec<WageStatistic> {
        self.0.top_coded.split_whitespace().filter_map(WageStatistic::parse).collect()
    }

    /// Statistics this source publishes but did not release for this occupation and area.
    async fn unpublished(&self) -> Vec<WageStatistic> {
        if self.0.source != crate::seed::BLS_SOURCE {
            return Vec::new();
        }
        let published = [
            (WageStatistic::P10, self.0.p10_cents),
            (WageStatistic::P25, self.0.p25_cents),
            (WageStatistic::Median, self.0.median_cents),
            (WageStatistic::P75, self.0.p75_cents),
            (WageStatistic::P90, self.0.p90_cents),
            (WageStatistic::Mean, self.0.mean_cents),
        ];
        published.into_iter().filter(|(_, amount)| amount.is_none()).map(|(stat, _)| stat).collect()
    }

    /// Number of jobs, where the source estimates it.
    async fn employment(&self) -> Option<i64> {
        self.0.employment
    }

    /// The occupation's share of the area's jobs relative to its national share (1.0 = same as nationally).
    async fn location_quotient(&self) -> Option<f64> {
        self.0.location_quotient
    }

    /// Who published the figures, e.g. "BLS OEWS".
    async fn source(&self) -> &str {
        &self.0.source
    }

    /// The period the figures describe, e.g. "May 2025".
    async fn reference_period(&self) -> &str {
        &self.0.reference_period
    }

    async fn year(&self) -> Option<i32> {
        self.0.year
    }
}

/// The ranges of one parent (a role, city or occupation) that a list field returns.
pub fn pick(
    ranges: Vec<salary_range::Model>,
    keep: impl Fn(&salary_range::Model) -> bool,
    period: Option<PayPeriod>,
    first: Option<i32>,
) -> Result<Vec<SalaryRange>, ApiError> {
    let size = list_size(first, 100)?;
    Ok(ranges
        .into_iter()
        .filter(|r| keep(r) && period.is_none_or(|p| r.period == p.into()))
        .take(size as usize)
        .map(SalaryRange)
        .collect())
}
