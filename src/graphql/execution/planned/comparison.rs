//! `Role.compareTo`, planned: the other role and the cities looked up once, then every parent role's
//! comparison from the statements `schema::types::comparison` runs for them all.
use std::collections::HashMap;

use entity::{city, role, role_tool, salary_range, skill, tool};
use futures_util::future::BoxFuture;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::sources::{SourceOf, onet_source};
use super::{Derived, Json, Level, ObjectPlan, PlannedObject, Unplanned, Write, enum_list};
use crate::graphql::operation::selection::{Field, Operation};
use crate::graphql::schema::enums::PayPeriod;
use crate::graphql::schema::fields::PlainFields;
use crate::graphql::schema::types::comparison::{
    ComparedSkill, ComparedTool, RoleComparison, WageDifference, compare_all, comparison_cities,
};

/// The field `compareTo` of roles: its arguments read as the resolver reads them.
pub fn compare_to<'a>(
    operation: &Operation<'a>,
    field: &Field<'a>,
) -> Result<Box<dyn Level<role::Model> + 'a>, Unplanned> {
    Ok(Box::new(CompareTo {
        other: operation.argument(field, "role")?,
        cities: operation.argument_or(field, "cities", Vec::new())?,
        period: operation.argument_or(field, "period", PayPeriod::Annual)?,
        comparisons: HashMap::new(),
        plan: ObjectPlan::of(operation, field)?,
    }))
}

struct CompareTo<'a> {
    other: String,
    cities: Vec<String>,
    period: PayPeriod,
    /// By the compared role's id.
    comparisons: HashMap<i32, RoleComparison>,
    plan: ObjectPlan<'a, RoleComparison>,
}

impl Level<role::Model> for CompareTo<'_> {
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        parents: &'s [&'s role::Model],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            if parents.is_empty() {
                return Ok(());
            }
            // A role or a city that does not exist, or too many cities, are errors the resolvers word.
            let other = role::Entity::find().filter(role::Column::Slug.eq(&self.other)).one(db).await?;
            let other = other.ok_or(Unplanned::NotFound)?;
            let cities = comparison_cities(db, &self.cities).await.map_err(|_| Unplanned::Argument)?;
            let mut roles: Vec<&role::Model> = parents.to_vec();
            roles.sort_unstable_by_key(|role| role.id);
            roles.dedup_by_key(|role| role.id);
            let compared =
                compare_all(db, &roles, other, &cities, self.period).await.map_err(|_| Unplanned::Database)?;
            self.comparisons = roles.iter().map(|role| role.id).zip(compared).collect();
            let comparisons: Vec<&RoleComparison> = self.comparisons.values().collect();
            self.plan.load(db, &comparisons).await
        })
    }

    fn write(&self, role: &role::Model, json: &mut Json) {
        match self.comparisons.get(&role.id) {
            Some(comparison) => self.plan.write(comparison, json),
            None => json.null(),
        }
    }
}

/// A list its parent holds (a comparison's skills, tools, wages), written in its order.
struct Listed<'a, P, T> {
    items: fn(&P) -> &[T],
    plan: ObjectPlan<'a, T>,
}

impl<'a, P: Send + Sync + 'static, T: PlannedObject> Listed<'a, P, T> {
    fn plan(
        operation: &Operation<'a>,
        field: &Field<'a>,
        items: fn(&P) -> &[T],
    ) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
        Ok(Box::new(Self { items, plan: ObjectPlan::of(operation, field)? }))
    }
}

impl<P: Send + Sync + 'static, T: PlannedObject> Level<P> for Listed<'_, P, T> {
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        parents: &'s [&'s P],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            let items: Vec<&T> = parents.iter().flat_map(|parent| (self.items)(parent)).collect();
            self.plan.load(db, &items).await
        })
    }

    fn write(&self, parent: &P, json: &mut Json) {
        json.begin_list();
        for item in (self.items)(parent) {
            json.item();
            self.plan.write(item, json);
        }
        json.end_list();
    }
}

impl PlannedObject for RoleComparison {
    const TYPE: &'static str = "RoleComparison";

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        let skills: fn(&Self) -> &[ComparedSkill] = match field.name {
            "other" => return Derived::plan(operation, field, |c: &Self| Some(c.other.0.clone())).map(Some),
            "wages" => return Listed::plan(operation, field, |c: &Self| &c.wages).map(Some),
            "skillsInBoth" => |c| &c.skills_in_both,
            "skillsOnlyInThis" => |c| &c.skills_only_in_this,
            "skillsOnlyInOther" => |c| &c.skills_only_in_other,
            name => {
                let tools: fn(&Self) -> &[ComparedTool] = match name {
                    "toolsInBoth" => |c| &c.tools_in_both,
                    "toolsOnlyInThis" => |c| &c.tools_only_in_this,
                    "toolsOnlyInOther" => |c| &c.tools_only_in_other,
                    _ => return Ok(None),
                };
                return Listed::plan(operation, field, tools).map(Some);
            }
        };
        Listed::plan(operation, field, skills).map(Some)
    }
}

impl PlannedObject for ComparedSkill {
    const TYPE: &'static str = "ComparedSkill";

    fn value(name: &str) -> Option<Write<Self>> {
        Some(match name {
            "rank" => |skill, json| json.optional_int(skill.rank.map(i64::from)),
            "otherRank" => |skill, json| json.optional_int(skill.other_rank.map(i64::from)),
            _ => return None,
        })
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        match field.name {
            "skill" => Derived::plan(operation, field, |c: &Self| Some::<skill::Model>(c.skill.0.clone())).map(Some),
            _ => Ok(None),
        }
    }
}

impl PlannedObject for ComparedTool {
    const TYPE: &'static str = "ComparedTool";

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "tool" => Derived::plan(operation, field, |c: &Self| Some::<tool::Model>(c.tool.0.clone()))?,
            "thisUse" => Derived::plan(operation, field, |c: &Self| c.this_use.as_ref().map(|u| u.0.clone()))?,
            "otherUse" => Derived::plan(operation, field, |c: &Self| c.other_use.as_ref().map(|u| u.0.clone()))?,
            _ => return Ok(None),
        }))
    }
}

/// A role's use of a tool, as a comparison shows it.
impl PlannedObject for role_tool::Model {
    const TYPE: &'static str = <Self as PlainFields>::TYPE;

    fn value(name: &str) -> Option<Write<Self>> {
        Self::plain(name)
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        match field.name {
            "dataSource" => SourceOf::plan(operation, field, onet_source).map(Some),
            _ => Ok(None),
        }
    }
}

impl PlannedObject for WageDifference {
    const TYPE: &'static str = "WageDifference";

    fn value(name: &str) -> Option<Write<Self>> {
        Some(match name {
            "p25" => |wages, json| json.optional_float(wages.p25),
            "median" => |wages, json| json.optional_float(wages.median),
            "p90" => |wages, json| json.optional_float(wages.p90),
            "mean" => |wages, json| json.optional_float(wages.mean),
            "meanStandardError" => |wages, json| json.optional_float(wages.mean_standard_error),
            "employment" => |wages, json| json.optional_int(wages.employment),
            "topCoded" => |wages, json| enum_list(json, wages.top_coded.clone()),
            "sameOccupation" => |wages, json| json.bool(wages.same_occupation),
            _ => return None,
        })
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "city" => Derived::plan(operation, field, |w: &Self| Some::<city::Model>(w.city.0.clone()))?,
            "thisRange" => Derived::plan(operation, field, |w: &Self| {
                w.this_range.as_ref().map(|r| -> salary_range::Model { r.0.clone() })
            })?,
            "otherRange" => Derived::plan(operation, field, |w: &Self| {
                w.other_range.as_ref().map(|r| -> salary_range::Model { r.0.clone() })
            })?,
            _ => return Ok(None),
        }))
    }
}
