//! `salaryStats`, planned: the page of groups one grouped statement computes (built by
//! `schema::types::salary_stats`, as for the resolvers), written from its rows with the city, occupation or
//! role each group's key names, its figures, spreads and interval; and the page's estimates, pooled from the
//! groups' rows in one more statement when selected. And `salaryRank`, from the statements its resolver runs.
use std::collections::HashMap;

use entity::{city, role};
use futures_util::future::BoxFuture;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryResult};

use super::{
    Derived, Json, Level, ListLevel, ListRow, ObjectPlan, PlannedObject, QueryRoot, Unplanned, Write, enum_list,
    enum_name, page_args,
};
use crate::analytics::grouping::{Figures, GroupKey, KeyValue, STATISTICS};
use crate::graphql::engine::page::ListQuery;
use crate::graphql::operation::selection::{Field, Operation};
use crate::graphql::schema::enums::{AreaKind, OccupationGroup, PayPeriod};
use crate::graphql::schema::types::rank::{
    ConfidenceInterval, NATION, RankMethod, SalaryRank, amount_in_cents, rank_against, rank_range,
};
use crate::graphql::schema::types::salary_range::{ExperienceLevels, WageBand};
use crate::graphql::schema::types::salary_stats::{
    Estimate, GroupReading, SalaryGroup, Spread, Spreads, estimates, salary_groups,
};

/// The root field `salaryStats`: its arguments read and checked as the resolver checks them.
pub fn salary_stats<'a>(
    operation: &Operation<'a>,
    field: &Field<'a>,
) -> Result<Box<dyn Level<QueryRoot> + 'a>, Unplanned> {
    let groups = salary_groups(
        operation.argument_or(field, "period", PayPeriod::Annual)?,
        operation.argument(field, "filter")?,
        operation.argument_or(field, "groupBy", Vec::new())?,
        operation.argument(field, "orderBy")?,
        figures_read(operation, field)?,
    )
    .map_err(|_| Unplanned::Argument)?;
    let query =
        ListQuery::new(groups.source, groups.order, page_args(operation, field)?).map_err(|_| Unplanned::Argument)?;
    ListLevel::<SalaryGroup>::plan(operation, field, query, groups.reading, false)
}

/// The figures the selection reads of the groups, through `nodes` or `edges { node }`: all the statement
/// computes (with those the groups are ordered by).
fn figures_read(operation: &Operation<'_>, field: &Field<'_>) -> Result<Figures, Unplanned> {
    let mut groups = Vec::new();
    for member in operation.fields_of(field, SalaryGroup::CONNECTION)? {
        match member.name {
            "nodes" => groups.extend(operation.fields_of(&member, SalaryGroup::TYPE)?),
            "edges" => {
                for edge in operation.fields_of(&member, SalaryGroup::EDGE)? {
                    if edge.name == "node" {
                        groups.extend(operation.fields_of(&edge, SalaryGroup::TYPE)?);
                    }
                }
            }
            _ => {}
        }
    }
    let mut figures = Figures { mean_top_coded: false, mean_error: false, spreads: [false; 6] };
    for group in &groups {
        match group.name {
            "meanIsLowerBound" => figures.mean_top_coded = true,
            "meanInterval" => figures.mean_error = true,
            "spread" => {
                for spread in operation.fields_of(group, Spreads::TYPE)? {
                    if let Some(statistic) = STATISTICS.iter().position(|(name, _)| *name == spread.name) {
                        figures.spreads[statistic] = true;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(figures)
}

impl ListRow for SalaryGroup {
    type Node = Self;
    type Reading = GroupReading;
    const CONNECTION: &'static str = "SalaryGroupConnection";
    const EDGE: &'static str = "SalaryGroupEdge";

    fn read(row: &QueryResult, reading: &GroupReading) -> Result<Self, DbErr> {
        reading.read(row)
    }

    fn node(&self) -> &Self {
        self
    }

    fn edge_value(_: &str) -> Option<Write<Self>> {
        None
    }
}

impl PlannedObject for SalaryGroup {
    const TYPE: &'static str = "SalaryGroup";

    fn value(name: &str) -> Option<Write<Self>> {
        Some(match name {
            "state" => |group, json| json.optional_string(group.text(GroupKey::State)),
            "areaKind" => |group, json| {
                let kind = group.stored::<entity::enums::AreaKind>(GroupKey::AreaKind);
                json.optional_string(kind.map(|kind| enum_name(AreaKind::from(kind))))
            },
            "occupationGroup" => |group, json| {
                let level = group.stored::<entity::enums::OccupationGroup>(GroupKey::OccupationGroup);
                json.optional_string(level.map(|level| enum_name(OccupationGroup::from(level))))
            },
            "source" => |group, json| json.optional_string(group.text(GroupKey::Source)),
            "year" => |group, json| json.optional_int(group.number(GroupKey::Year).map(i64::from)),
            "period" => |group, json| json.string(enum_name(group.period)),
            "count" => |group, json| json.int(group.row.figures.count),
            "employment" => |group, json| json.optional_int(group.row.figures.employment),
            "mean" => |group, json| json.optional_float(group.pooled_mean()),
            "meanIsLowerBound" => |group, json| json.bool(group.row.figures.mean_top_coded),
            _ => return None,
        })
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "city" => {
                Derived::plan(operation, field, |group: &Self| group.row.city.as_ref().map(|city| city.0.clone()))?
            }
            "occupation" => Derived::plan(operation, field, |group: &Self| {
                group.row.occupation.as_ref().map(|occupation| occupation.0.clone())
            })?,
            "role" => {
                Derived::plan(operation, field, |group: &Self| group.row.role.as_ref().map(|role| role.0.clone()))?
            }
            "meanInterval" => Derived::plan(operation, field, Self::interval)?,
            "spread" => Derived::plan(operation, field, |group: &Self| Some(group.spreads()))?,
            "estimate" => Box::new(Estimates { estimates: HashMap::new(), plan: ObjectPlan::of(operation, field)? }),
            _ => return Ok(None),
        }))
    }
}

/// The estimates of a page's groups, pooled from their rows in one statement.
struct Estimates<'a> {
    estimates: HashMap<Vec<KeyValue>, Estimate>,
    plan: ObjectPlan<'a, Estimate>,
}

impl Level<SalaryGroup> for Estimates<'_> {
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        parents: &'s [&'s SalaryGroup],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            // The groups of one page: one statement computed them, and their rows are that statement's.
            let Some(first) = parents.first() else { return Ok(()) };
            let groups: Vec<Vec<KeyValue>> = parents.iter().map(|group| group.row.figures.keys.clone()).collect();
            self.estimates = estimates(db, &first.estimates, &groups).await?;
            let estimates: Vec<&Estimate> = self.estimates.values().collect();
            self.plan.load(db, &estimates).await
        })
    }

    fn write(&self, group: &SalaryGroup, json: &mut Json) {
        match self.estimates.get(&group.row.figures.keys) {
            Some(estimate) => self.plan.write(estimate, json),
            None => json.null(),
        }
    }
}

impl PlannedObject for Estimate {
    const TYPE: &'static str = "PooledPercentiles";

    fn value(name: &str) -> Option<Write<Self>> {
        Some(match name {
            "p10" => |estimate, json| json.optional_float(Some(estimate.values()[0])),
            "p25" => |estimate, json| json.optional_float(Some(estimate.values()[1])),
            "median" => |estimate, json| json.optional_float(Some(estimate.values()[2])),
            "p75" => |estimate, json| json.optional_float(Some(estimate.values()[3])),
            "p90" => |estimate, json| json.optional_float(Some(estimate.values()[4])),
            "lowerBounds" => |estimate, json| enum_list(json, estimate.lower_bound_statistics()),
            "exact" => |estimate, json| json.bool(estimate.is_exact()),
            "ranges" => |estimate, json| json.int(estimate.pooled_ranges().into()),
            _ => return None,
        })
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "levels" => Derived::plan(operation, field, |estimate: &Self| Some(estimate.experience_levels()))?,
            "percentileOf" => percentile_of(operation, field, Self::rank_of)?,
            _ => return Ok(None),
        }))
    }
}

/// Where the amount `field` asks about ranks in each parent, as `rank` ranks it (the amount, and in cents).
pub(super) fn percentile_of<'a, P: Send + Sync + 'static>(
    operation: &Operation<'a>,
    field: &Field<'a>,
    rank: fn(&P, f64, f64) -> Option<SalaryRank>,
) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
    let amount: f64 = operation.argument(field, "amount")?;
    let cents = amount_in_cents(amount).map_err(|_| Unplanned::Argument)?;
    Ok(Box::new(PercentileOf { rank, amount, cents, plan: ObjectPlan::of(operation, field)? }))
}

struct PercentileOf<'a, P> {
    rank: fn(&P, f64, f64) -> Option<SalaryRank>,
    amount: f64,
    cents: f64,
    plan: ObjectPlan<'a, SalaryRank>,
}

impl<P: Send + Sync> Level<P> for PercentileOf<'_, P> {
    fn load<'s>(&'s mut self, _: &'s DatabaseConnection, _: &'s [&'s P]) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async { Ok(()) })
    }

    fn write(&self, parent: &P, json: &mut Json) {
        match (self.rank)(parent, self.amount, self.cents) {
            Some(rank) => self.plan.write(&rank, json),
            None => json.null(),
        }
    }
}

impl PlannedObject for SalaryRank {
    const TYPE: &'static str = "SalaryRank";

    fn value(name: &str) -> Option<Write<Self>> {
        Some(match name {
            "amount" => |rank, json| json.optional_float(Some(rank.amount)),
            "percentile" => |rank, json| json.optional_float(rank.percentile),
            "atLeast" => |rank, json| json.optional_float(Some(rank.at_least)),
            "atMost" => |rank, json| json.optional_float(Some(rank.at_most)),
            "method" => |rank, json| json.string(enum_name::<RankMethod>(rank.method)),
            _ => return None,
        })
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(match field.name {
            // Null where the rank is in a group's estimate or in a range itself.
            "range" => {
                Some(Derived::plan(operation, field, |rank: &Self| rank.range.as_ref().map(|range| range.0.clone()))?)
            }
            _ => None,
        })
    }
}

/// The root field `salaryRank`: the role and the city looked up, then the range ranked against, as the
/// resolver does it.
pub fn salary_rank<'a>(
    operation: &Operation<'a>,
    field: &Field<'a>,
) -> Result<Box<dyn Level<QueryRoot> + 'a>, Unplanned> {
    let amount: f64 = operation.argument(field, "amount")?;
    Ok(Box::new(RankIn {
        amount,
        cents: amount_in_cents(amount).map_err(|_| Unplanned::Argument)?,
        period: operation.argument_or(field, "period", PayPeriod::Annual)?,
        role: operation.argument(field, "role")?,
        city: operation.argument::<Option<String>>(field, "city")?.unwrap_or_else(|| NATION.to_owned()),
        rank: None,
        plan: ObjectPlan::of(operation, field)?,
    }))
}

struct RankIn<'a> {
    amount: f64,
    cents: f64,
    period: PayPeriod,
    role: String,
    city: String,
    rank: Option<SalaryRank>,
    plan: ObjectPlan<'a, SalaryRank>,
}

impl Level<QueryRoot> for RankIn<'_> {
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        _: &'s [&'s QueryRoot],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            // A role or city that does not exist is an error the resolvers word.
            let role = role::Entity::find().filter(role::Column::Slug.eq(&self.role)).one(db).await?;
            let city = city::Entity::find().filter(city::Column::Slug.eq(&self.city)).one(db).await?;
            let (role, city) = role.zip(city).ok_or(Unplanned::NotFound)?;
            let range = rank_range(db, role.occupation_id, city.id, self.period).await?;
            self.rank = range.and_then(|range| rank_against(range, self.amount, self.cents));
            if let Some(rank) = &self.rank {
                self.plan.load(db, &[rank]).await?;
            }
            Ok(())
        })
    }

    fn write(&self, _: &QueryRoot, json: &mut Json) {
        match &self.rank {
            Some(rank) => self.plan.write(rank, json),
            None => json.null(),
        }
    }
}

impl PlannedObject for ExperienceLevels {
    const TYPE: &'static str = "ExperienceLevels";

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        let band: fn(&Self) -> Option<WageBand> = match field.name {
            "entry" => |levels| Some(levels.entry),
            "mid" => |levels| Some(levels.mid),
            "senior" => |levels| Some(levels.senior),
            _ => return Ok(None),
        };
        Derived::plan(operation, field, band).map(Some)
    }
}

impl PlannedObject for WageBand {
    const TYPE: &'static str = "WageBand";

    fn value(name: &str) -> Option<Write<Self>> {
        Some(match name {
            "low" => |band, json| json.optional_float(Some(band.low)),
            "high" => |band, json| json.optional_float(Some(band.high)),
            "topCoded" => |band, json| json.bool(band.top_coded),
            _ => return None,
        })
    }
}

impl PlannedObject for Spreads {
    const TYPE: &'static str = "StatisticSpreads";

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        let spread: fn(&Self) -> Option<Spread> = match field.name {
            "p10" => |spreads| Some(spreads.p10),
            "p25" => |spreads| Some(spreads.p25),
            "median" => |spreads| Some(spreads.median),
            "p75" => |spreads| Some(spreads.p75),
            "p90" => |spreads| Some(spreads.p90),
            "mean" => |spreads| Some(spreads.mean),
            _ => return Ok(None),
        };
        Derived::plan(operation, field, spread).map(Some)
    }
}

impl PlannedObject for Spread {
    const TYPE: &'static str = "StatisticSpread";

    fn value(name: &str) -> Option<Write<Self>> {
        Some(match name {
            "min" => |spread, json| json.optional_float(spread.min),
            "max" => |spread, json| json.optional_float(spread.max),
            "minIsLowerBound" => |spread, json| json.bool(spread.min_is_lower_bound),
            "maxIsLowerBound" => |spread, json| json.bool(spread.max_is_lower_bound),
            _ => return None,
        })
    }
}

impl PlannedObject for ConfidenceInterval {
    const TYPE: &'static str = "ConfidenceInterval";

    fn value(name: &str) -> Option<Write<Self>> {
        Some(match name {
            "low" => |interval, json| json.optional_float(Some(interval.low)),
            "high" => |interval, json| json.optional_float(Some(interval.high)),
            "standardError" => |interval, json| json.optional_float(Some(interval.standard_error)),
            "level" => |interval, json| json.optional_float(Some(interval.level)),
            "basis" => |interval, json| json.string(&interval.basis),
            _ => return None,
        })
    }
}
