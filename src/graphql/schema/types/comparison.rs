//! `Role.compareTo`: how two roles differ, in skills, tools and wages, area by area.
use std::collections::BTreeMap;

use async_graphql::SimpleObject;
use entity::enums::AreaKind;
use entity::{city, role, role_skill, role_tool, salary_range, skill, tool};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::graphql::error::ApiError;
use crate::graphql::schema::types::city::City;
use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::role_tool::ToolUse;
use crate::graphql::schema::types::salary_range::{PayPeriod, SalaryRange, WageStatistic};
use crate::graphql::schema::types::skill::Skill;
use crate::graphql::schema::types::tool::Tool;

/// The most cities one comparison takes, besides the nation.
pub const MAX_COMPARED_CITIES: usize = 50;

/// Two roles side by side: the role asked on (`this`) and `other`.
#[derive(SimpleObject)]
pub struct RoleComparison {
    pub other: Role,
    /// Skills both roles need, by this role's rank.
    pub skills_in_both: Vec<ComparedSkill>,
    /// Skills only this role needs, by rank.
    pub skills_only_in_this: Vec<ComparedSkill>,
    /// Skills only `other` needs, by its rank.
    pub skills_only_in_other: Vec<ComparedSkill>,
    /// Tools both roles use, by name.
    pub tools_in_both: Vec<ComparedTool>,
    /// Tools only this role uses.
    pub tools_only_in_this: Vec<ComparedTool>,
    /// Tools only `other` uses.
    pub tools_only_in_other: Vec<ComparedTool>,
    /// The wage difference nationally (first) and in each city asked for, in the order asked.
    pub wages: Vec<WageDifference>,
}

/// A skill in a comparison, with its rank in each role that needs it (1 = most important).
#[derive(SimpleObject)]
pub struct ComparedSkill {
    pub skill: Skill,
    pub rank: Option<i32>,
    pub other_rank: Option<i32>,
}

/// A tool in a comparison, with each role's use of it: O*NET's example and its hot-technology and in-demand
/// flags (and `dataSource`) for that role's occupation.
#[derive(SimpleObject)]
pub struct ComparedTool {
    pub tool: Tool,
    pub this_use: Option<ToolUse>,
    pub other_use: Option<ToolUse>,
}

/// This role's wages minus `other`'s in one area (latest BLS OEWS occupation-wide figures, in the comparison's
/// pay period). A difference is null where either figure is unpublished; each range carries its source.
#[derive(SimpleObject)]
pub struct WageDifference {
    pub city: City,
    pub this_range: Option<SalaryRange>,
    pub other_range: Option<SalaryRange>,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub mean: Option<f64>,
    /// The standard error of the `mean` difference, from both ranges' `meanRse`, taking their sampling errors
    /// as independent: sqrt(se1² + se2²). A gap smaller than about 1.645 of these is within the 90% noise.
    pub mean_standard_error: Option<f64>,
    pub employment: Option<i64>,
    /// Statistics whose difference involves a top-coded figure on either side, and so is not a true difference.
    pub top_coded: Vec<WageStatistic>,
    /// True when both roles are paid as the same occupation, so every difference is zero by construction.
    pub same_occupation: bool,
}

/// Compares each of `these` with `other` in `cities` (the nation first), in the same statements however many
/// they are.
pub async fn compare_all(
    db: &DatabaseConnection,
    these: &[&role::Model],
    other: role::Model,
    cities: &[city::Model],
    period: PayPeriod,
) -> Result<Vec<RoleComparison>, ApiError> {
    let ids: Vec<i32> = these.iter().map(|this| this.id).chain([other.id]).collect();
    let links = role_skill::Entity::find().filter(role_skill::Column::RoleId.is_in(ids.clone())).all(db).await?;
    let skills: BTreeMap<i32, skill::Model> = skill::Entity::find()
        .filter(skill::Column::Id.is_in(links.iter().map(|l| l.skill_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let uses = role_tool::Entity::find().filter(role_tool::Column::RoleId.is_in(ids)).all(db).await?;
    let tools = tool::Entity::find()
        .filter(tool::Column::Id.is_in(uses.iter().map(|u| u.tool_id).collect::<Vec<_>>()))
        .order_by_asc(tool::Column::Name)
        .all(db)
        .await?;
    let occupations = these.iter().map(|this| this.occupation_id).chain([other.occupation_id]).collect();
    let ranges = latest_ranges(db, occupations, cities, period).await?;
    let rank = |role: i32, skill: i32| links.iter().find(|l| l.role_id == role && l.skill_id == skill).map(|l| l.rank);
    let use_of =
        |role: i32, tool: i32| uses.iter().find(|u| u.role_id == role && u.tool_id == tool).cloned().map(ToolUse);
    let compare = |this: &role::Model| {
        let (mut both, mut only_this, mut only_other) = (Vec::new(), Vec::new(), Vec::new());
        for (id, model) in &skills {
            let (rank, other_rank) = (rank(this.id, *id), rank(other.id, *id));
            let compared = ComparedSkill { skill: Skill(model.clone()), rank, other_rank };
            match (rank, other_rank) {
                (Some(_), Some(_)) => both.push(compared),
                (Some(_), None) => only_this.push(compared),
                (None, Some(_)) => only_other.push(compared),
                (None, None) => {}
            }
        }
        both.sort_by_key(|s| s.rank);
        only_this.sort_by_key(|s| s.rank);
        only_other.sort_by_key(|s| s.other_rank);
        let (mut tools_both, mut tools_this, mut tools_other) = (Vec::new(), Vec::new(), Vec::new());
        for model in &tools {
            let (this_use, other_use) = (use_of(this.id, model.id), use_of(other.id, model.id));
            let list = match (&this_use, &other_use) {
                (Some(_), Some(_)) => &mut tools_both,
                (Some(_), None) => &mut tools_this,
                (None, Some(_)) => &mut tools_other,
                (None, None) => continue,
            };
            list.push(ComparedTool { this_use, other_use, tool: Tool(model.clone()) });
        }
        RoleComparison {
            other: Role(other.clone()),
            skills_in_both: both,
            skills_only_in_this: only_this,
            skills_only_in_other: only_other,
            tools_in_both: tools_both,
            tools_only_in_this: tools_this,
            tools_only_in_other: tools_other,
            wages: wage_differences(&ranges, this, &other, cities),
        }
    };
    Ok(these.iter().map(|this| compare(this)).collect())
}

/// The nation, then `cities` in the order given (a city named twice, or the nation named, once).
pub async fn comparison_cities(db: &DatabaseConnection, slugs: &[String]) -> Result<Vec<city::Model>, ApiError> {
    if slugs.len() > MAX_COMPARED_CITIES {
        return Err(ApiError::bad_input(format!(
            "`cities` takes at most {MAX_COMPARED_CITIES} cities, got {}",
            slugs.len()
        )));
    }
    let nation = city::Entity::find()
        .filter(city::Column::Kind.eq(AreaKind::National))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("city", "kind", "NATIONAL"))?;
    let found = city::Entity::find().filter(city::Column::Slug.is_in(slugs.to_vec())).all(db).await?;
    let mut cities = vec![nation];
    for slug in slugs {
        let city = found.iter().find(|c| c.slug == *slug).ok_or_else(|| ApiError::not_found("city", "slug", slug))?;
        if !cities.iter().any(|c| c.id == city.id) {
            cities.push(city.clone());
        }
    }
    Ok(cities)
}

/// The occupation-wide BLS ranges of `occupations` in `cities`, in `period`: the latest year first.
async fn latest_ranges(
    db: &DatabaseConnection,
    occupations: Vec<i32>,
    cities: &[city::Model],
    period: PayPeriod,
) -> Result<Vec<salary_range::Model>, ApiError> {
    use salary_range::Column as S;
    let stored: entity::enums::PayPeriod = period.into();
    Ok(salary_range::Entity::find()
        .filter(S::OccupationId.is_in(occupations))
        .filter(S::CityId.is_in(cities.iter().map(|c| c.id).collect::<Vec<_>>()))
        .filter(S::RoleId.is_null())
        .filter(S::Source.eq(crate::domain::BLS_SOURCE))
        .filter(S::Period.eq(stored))
        .order_by_desc(S::Year)
        .order_by_asc(S::Id)
        .all(db)
        .await?)
}

fn wage_differences(
    ranges: &[salary_range::Model],
    this: &role::Model,
    other: &role::Model,
    cities: &[city::Model],
) -> Vec<WageDifference> {
    // The latest year first, so the first match is the latest range.
    let latest = |occupation: i32, city: i32| {
        ranges.iter().find(|r| r.occupation_id == occupation && r.city_id == city).cloned()
    };
    cities
        .iter()
        .map(|city| {
            let here = latest(this.occupation_id, city.id);
            let there = latest(other.occupation_id, city.id);
            difference(city.clone(), here, there, this.occupation_id == other.occupation_id)
        })
        .collect()
}

fn difference(
    city: city::Model,
    here: Option<salary_range::Model>,
    there: Option<salary_range::Model>,
    same_occupation: bool,
) -> WageDifference {
    let units = |a: Option<i64>, b: Option<i64>| Some(crate::domain::Cents(a? - b?).units());
    let pick =
        |f: fn(&salary_range::Model) -> Option<i64>| units(here.as_ref().and_then(f), there.as_ref().and_then(f));
    let mut top_coded = Vec::new();
    for range in here.iter().chain(there.iter()) {
        for name in range.top_coded.split_whitespace() {
            if let Some(stat) = WageStatistic::parse(name)
                && !top_coded.contains(&stat)
            {
                top_coded.push(stat);
            }
        }
    }
    let mean_se = |r: &salary_range::Model| Some(crate::domain::Cents(r.mean_cents?).units() * r.mean_rse? / 100.0);
    let mean_standard_error = match (here.as_ref().and_then(mean_se), there.as_ref().and_then(mean_se)) {
        (Some(a), Some(b)) => Some((a * a + b * b).sqrt()),
        _ => None,
    };
    WageDifference {
        p25: pick(|r| r.p25_cents),
        median: pick(|r| r.median_cents),
        p90: pick(|r| r.p90_cents),
        mean: pick(|r| r.mean_cents),
        mean_standard_error,
        employment: match (here.as_ref().and_then(|r| r.employment), there.as_ref().and_then(|r| r.employment)) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        },
        top_coded,
        same_occupation,
        city: City(city),
        this_range: here.map(SalaryRange),
        other_range: there.map(SalaryRange),
    }
}
