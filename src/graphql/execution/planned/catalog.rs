//! What the planner covers: the root's lists and lookups of roles, skills, tools, occupations, cities and
//! salary ranges, their own fields, and the lists and rows between them. Each field is written as its
//! resolver in `schema::types` answers it; the differential test (`tests/api/executors.rs`) holds the two to
//! the same bytes. A range's computed figures (intervals, levels, ranks) are written from the functions its
//! resolvers call (`salary_range::figures`), its national ratios from the same statement theirs load with;
//! sources are `sources.rs`'s, comparisons `comparison.rs`'s.
use async_graphql::InputType;
use std::collections::HashMap;

use entity::{city, occupation, responsibility, role, role_skill, role_tool, salary_range, skill, source, tool};
use futures_util::future::BoxFuture;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QueryResult};

use super::sources::{AllSources, SourceOf, onet_source};
use super::{
    Derived, Json, Level, ListLevel, ListRow, ObjectPlan, OneLevel, PlannedObject, QueryRoot, RefLevel, Unplanned,
    Write, enum_list, page_args,
};
use super::{comparison, lookup, stats};
use crate::graphql::engine::columns::{self, FromColumns, Linked};
use crate::graphql::engine::page::{ListQuery, SortedSource};
use crate::graphql::error::ApiError;
use crate::graphql::operation::selection::{Field, Operation};
use crate::graphql::schema::fields::PlainFields;
use crate::graphql::schema::types::city::{city_order, city_source};
use crate::graphql::schema::types::occupation::{occupation_order, occupation_roles, occupation_source};
use crate::graphql::schema::types::role::{role_order, role_skills, role_source, role_specialisations, role_tools};
use crate::graphql::schema::types::role_skill::{RoleSkillNames, SkillRoleNames};
use crate::graphql::schema::types::role_tool::{RoleToolNames, ToolRoleNames};
use crate::graphql::schema::types::salary_range::{
    NationalKey, NationalRatios, RangesOf, figures, national_ranges, range_roles, ranges_of, salary_range_order,
    salary_range_source,
};
use crate::graphql::schema::types::skill::{skill_order, skill_roles, skill_source, skill_tools};
use crate::graphql::schema::types::tool::{tool_order, tool_roles, tool_skills, tool_source};

impl PlannedObject for QueryRoot {
    const TYPE: &'static str = "Query";

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        let slug = || operation.argument::<String>(field, "slug");
        Ok(Some(match field.name {
            "roles" => {
                paged::<_, role::Model, _, _>(operation, field, false, |f, o| Ok((role_source(f), role_order(o)?)))?
            }
            "skills" => paged::<_, skill::Model, _, _>(operation, field, false, |f, o| {
                Ok((skill_source(f), skill_order(o, None)?))
            })?,
            "tools" => {
                paged::<_, tool::Model, _, _>(operation, field, false, |f, o| Ok((tool_source(f), tool_order(o)?)))?
            }
            "cities" => {
                paged::<_, city::Model, _, _>(operation, field, false, |f, o| Ok((city_source(f), city_order(o)?)))?
            }
            "salaryRanges" => paged::<_, salary_range::Model, _, _>(operation, field, false, |f, o| {
                Ok((salary_range_source(f), salary_range_order(o)?))
            })?,
            "occupations" => paged::<_, occupation::Model, _, _>(operation, field, false, |f, o| {
                Ok((occupation_source(f), occupation_order(o)?))
            })?,
            "occupation" => {
                let soc_code = operation.argument::<String>(field, "socCode")?;
                OneLevel::plan(
                    operation,
                    field,
                    occupation::Entity::find().filter(occupation::Column::SocCode.eq(soc_code)),
                )?
            }
            "city" => OneLevel::plan(operation, field, city::Entity::find().filter(city::Column::Slug.eq(slug()?)))?,
            "role" => OneLevel::plan(operation, field, role::Entity::find().filter(role::Column::Slug.eq(slug()?)))?,
            "skill" => OneLevel::plan(operation, field, skill::Entity::find().filter(skill::Column::Slug.eq(slug()?)))?,
            "tool" => OneLevel::plan(operation, field, tool::Entity::find().filter(tool::Column::Slug.eq(slug()?)))?,
            "node" => lookup::node(operation, field)?,
            "nodes" => lookup::nodes(operation, field)?,
            "search" => lookup::search(operation, field)?,
            "salaryStats" => stats::salary_stats(operation, field)?,
            "salaryRank" => stats::salary_rank(operation, field)?,
            "sources" => AllSources::plan(operation, field)?,
            "source" => {
                OneLevel::plan(operation, field, source::Entity::find().filter(source::Column::Slug.eq(slug()?)))?
            }
            _ => return Ok(None),
        }))
    }
}

/// How a list's rows and order follow from its field's `filter` and `orderBy`: the resolver's own function.
type Describe<F, O> = fn(Option<F>, Option<Vec<O>>) -> Result<SortedSource, ApiError>;

/// The list `field` pages (for each parent when `nested`), of rows `R`: the rows and order `describe`
/// gives for its `filter` and `orderBy` (as the resolver's), paged as its paging arguments ask.
fn paged<'a, P: PlannedObject, R: ListRow<Reading = ()>, F: InputType, O: InputType>(
    operation: &Operation<'a>,
    field: &Field<'a>,
    nested: bool,
    describe: Describe<F, O>,
) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
    let (filter, order_by) = (operation.argument(field, "filter")?, operation.argument(field, "orderBy")?);
    let (source, order) = describe(filter, order_by).map_err(|_| Unplanned::Argument)?;
    let query = ListQuery::new(source.build(), order, page_args(operation, field)?).map_err(|_| Unplanned::Argument)?;
    ListLevel::<R>::plan(operation, field, query, (), nested)
}

impl PlannedObject for role::Model {
    const TYPE: &'static str = <Self as PlainFields>::TYPE;

    fn id(&self) -> i32 {
        self.id
    }

    fn value(name: &str) -> Option<Write<Self>> {
        Self::plain(name)
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "skills" => paged::<_, Linked<skill::Model, role_skill::Model>, _, _>(operation, field, true, role_skills)?,
            "tools" => paged::<_, Linked<tool::Model, role_tool::Model>, _, _>(operation, field, true, role_tools)?,
            "specialisations" => paged::<_, role::Model, _, _>(operation, field, true, role_specialisations)?,
            "occupation" => {
                RefLevel::<Self, occupation::Entity>::plan(operation, field, |role| Some(role.occupation_id))?
            }
            "specialisationOf" => {
                RefLevel::<Self, role::Entity>::plan(operation, field, |role| role.specialisation_of_id)?
            }
            "salaryRanges" => {
                paged::<_, salary_range::Model, _, _>(operation, field, true, |f, o| ranges_of(RangesOf::Role, f, o))?
            }
            "responsibilities" => Box::new(Responsibilities::default()),
            "compareTo" => comparison::compare_to(operation, field)?,
            _ => return Ok(None),
        }))
    }
}

/// Each role's responsibilities, in their order: every role's of a selection in one statement.
#[derive(Default)]
struct Responsibilities {
    of_role: HashMap<i32, Vec<String>>,
}

impl Level<role::Model> for Responsibilities {
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        roles: &'s [&'s role::Model],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            use responsibility::Column as R;
            let find = responsibility::Entity::find()
                .filter(R::RoleId.is_in(roles.iter().map(|role| role.id)))
                .order_by_asc(R::Position)
                .order_by_asc(R::Id);
            let rows = columns::all(db, find).await?;
            for row in rows {
                self.of_role.entry(row.role_id).or_default().push(row.description);
            }
            Ok(())
        })
    }

    fn write(&self, role: &role::Model, json: &mut Json) {
        json.begin_list();
        for responsibility in self.of_role.get(&role.id).into_iter().flatten() {
            json.item();
            json.string(responsibility);
        }
        json.end_list();
    }
}

impl PlannedObject for skill::Model {
    const TYPE: &'static str = <Self as PlainFields>::TYPE;

    fn id(&self) -> i32 {
        self.id
    }

    fn value(name: &str) -> Option<Write<Self>> {
        Self::plain(name)
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "roles" => paged::<_, Linked<role::Model, role_skill::Model>, _, _>(operation, field, true, skill_roles)?,
            "tools" => paged::<_, tool::Model, _, _>(operation, field, true, skill_tools)?,
            _ => return Ok(None),
        }))
    }
}

impl PlannedObject for tool::Model {
    const TYPE: &'static str = <Self as PlainFields>::TYPE;

    fn id(&self) -> i32 {
        self.id
    }

    fn value(name: &str) -> Option<Write<Self>> {
        Self::plain(name)
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "roles" => paged::<_, Linked<role::Model, role_tool::Model>, _, _>(operation, field, true, tool_roles)?,
            "skills" => paged::<_, skill::Model, _, _>(operation, field, true, tool_skills)?,
            _ => return Ok(None),
        }))
    }
}

impl PlannedObject for city::Model {
    const TYPE: &'static str = <Self as PlainFields>::TYPE;

    fn id(&self) -> i32 {
        self.id
    }

    fn value(name: &str) -> Option<Write<Self>> {
        Self::plain(name)
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "salaryRanges" => {
                paged::<_, salary_range::Model, _, _>(operation, field, true, |f, o| ranges_of(RangesOf::City, f, o))?
            }
            _ => return Ok(None),
        }))
    }
}

impl PlannedObject for occupation::Model {
    const TYPE: &'static str = <Self as PlainFields>::TYPE;

    fn id(&self) -> i32 {
        self.id
    }

    fn value(name: &str) -> Option<Write<Self>> {
        Self::plain(name)
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "roles" => paged::<_, role::Model, _, _>(operation, field, true, occupation_roles)?,
            "salaryRanges" => paged::<_, salary_range::Model, _, _>(operation, field, true, |f, o| {
                ranges_of(RangesOf::Occupation, f, o)
            })?,
            _ => return Ok(None),
        }))
    }
}

impl PlannedObject for salary_range::Model {
    const TYPE: &'static str = <Self as PlainFields>::TYPE;

    fn id(&self) -> i32 {
        self.id
    }

    fn value(name: &str) -> Option<Write<Self>> {
        Self::plain(name)
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(Some(match field.name {
            "city" => RefLevel::<Self, city::Entity>::plan(operation, field, |range| Some(range.city_id))?,
            "occupation" => {
                RefLevel::<Self, occupation::Entity>::plan(operation, field, |range| Some(range.occupation_id))?
            }
            "role" => RefLevel::<Self, role::Entity>::plan(operation, field, |range| range.role_id)?,
            "roles" => paged::<_, role::Model, _, _>(operation, field, true, range_roles)?,
            "employmentInterval" => Derived::plan(operation, field, figures::employment_interval)?,
            "meanInterval" => Derived::plan(operation, field, figures::mean_interval)?,
            "levels" => Derived::plan(operation, field, figures::levels)?,
            "percentileOf" => stats::percentile_of(operation, field, figures::rank_of)?,
            "toNational" => Box::new(ToNational { ratios: HashMap::new(), plan: ObjectPlan::of(operation, field)? }),
            "dataSource" => SourceOf::plan(operation, field, |range: &Self| {
                Some(crate::domain::source_slug(&range.source, &range.reference_period))
            })?,
            _ => return Ok(None),
        }))
    }
}

/// Each range beside its national range: every national range of a selection in one statement.
struct ToNational<'a> {
    /// By the range's id.
    ratios: HashMap<i32, NationalRatios>,
    plan: ObjectPlan<'a, NationalRatios>,
}

impl Level<salary_range::Model> for ToNational<'_> {
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        parents: &'s [&'s salary_range::Model],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            let mut keys: Vec<NationalKey> = Vec::new();
            for key in parents.iter().map(|range| NationalKey::of(range)) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            let national = national_ranges(db, &keys).await?;
            self.ratios = parents
                .iter()
                .filter_map(|range| {
                    let national = national.get(&NationalKey::of(range))?.clone();
                    Some((range.id, NationalRatios::new(range, national)))
                })
                .collect();
            let ratios: Vec<&NationalRatios> = self.ratios.values().collect();
            self.plan.load(db, &ratios).await
        })
    }

    fn write(&self, range: &salary_range::Model, json: &mut Json) {
        match self.ratios.get(&range.id) {
            Some(ratios) => self.plan.write(ratios, json),
            None => json.null(),
        }
    }
}

impl PlannedObject for NationalRatios {
    const TYPE: &'static str = "NationalRatios";

    fn value(name: &str) -> Option<Write<Self>> {
        Some(match name {
            "p10" => |ratios, json| json.optional_float(ratios.p10),
            "p25" => |ratios, json| json.optional_float(ratios.p25),
            "median" => |ratios, json| json.optional_float(ratios.median),
            "p75" => |ratios, json| json.optional_float(ratios.p75),
            "p90" => |ratios, json| json.optional_float(ratios.p90),
            "mean" => |ratios, json| json.optional_float(ratios.mean),
            "topCoded" => |ratios, json| enum_list(json, ratios.top_coded.clone()),
            _ => return None,
        })
    }

    fn list<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(match field.name {
            "national" => Some(Derived::plan(operation, field, |ratios: &Self| Some(ratios.national.0.clone()))?),
            _ => None,
        })
    }
}

/// Lists of plain rows, whose edges carry nothing but the cursor.
macro_rules! plain_rows {
    ($($model:ty),*) => {$(
        impl ListRow for $model {
            type Node = $model;
            type Reading = ();
            const CONNECTION: &'static str = <$model as PlainFields>::CONNECTION;
            const EDGE: &'static str = <$model as PlainFields>::EDGE;

            fn read(row: &QueryResult, _: &()) -> Result<Self, DbErr> {
                Self::from_row(row)
            }

            fn node(&self) -> &Self {
                self
            }

            fn edge_value(_: &str) -> Option<Write<Self>> {
                None
            }
        }
    )*};
}

plain_rows!(role::Model, skill::Model, tool::Model, city::Model, occupation::Model, salary_range::Model);

/// Lists through a link table, whose edges carry the link's own fields.
macro_rules! linked_rows {
    ($($node:ty, $link:ty => $names:ty, $edge_level:expr;)*) => {$(
        impl ListRow for Linked<$node, $link> {
            type Node = $node;
            type Reading = ();
            const CONNECTION: &'static str = <$names>::CONNECTION;
            const EDGE: &'static str = <$names>::EDGE;

            fn read(row: &QueryResult, _: &()) -> Result<Self, DbErr> {
                Self::from_row(row)
            }

            fn node(&self) -> &$node {
                &self.node
            }

            /// The link's own fields, from their one description (`SkillRank`, `ToolUse`).
            fn edge_value(name: &str) -> Option<Write<Self>> {
                <$link as PlainFields>::plain_in::<Self>(name)
            }

            fn edge_level<'a>(
                operation: &Operation<'a>,
                field: &Field<'a>,
            ) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
                $edge_level(operation, field)
            }
        }
    )*};
}

/// Edges with no field that loads.
fn no_edge_level<'a, R>(_: &Operation<'a>, _: &Field<'a>) -> Result<Option<Box<dyn Level<R> + 'a>>, Unplanned> {
    Ok(None)
}

/// A row linked to a role's tool, or a tool's role.
type ToolLink<N> = Linked<N, role_tool::Model>;

/// A tool link's `dataSource`: O*NET, where O*NET lists the tool for the role.
fn tool_use_source<'a, N: Send + Sync + 'static>(
    operation: &Operation<'a>,
    field: &Field<'a>,
) -> Result<Option<Box<dyn Level<ToolLink<N>> + 'a>>, Unplanned> {
    match field.name {
        "dataSource" => Ok(Some(SourceOf::plan(operation, field, |row: &ToolLink<N>| onet_source(&row.link))?)),
        _ => Ok(None),
    }
}

linked_rows! {
    skill::Model, role_skill::Model => RoleSkillNames, no_edge_level;
    role::Model, role_skill::Model => SkillRoleNames, no_edge_level;
    tool::Model, role_tool::Model => RoleToolNames, tool_use_source;
    role::Model, role_tool::Model => ToolRoleNames, tool_use_source;
}
