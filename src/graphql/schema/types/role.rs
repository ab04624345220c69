use async_graphql::connection::EmptyFields;
use async_graphql::{Context, Enum, ID, InputObject};
use entity::{city, occupation, responsibility, role, role_skill, role_tool, salary_range, skill, tool};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::graphql::engine::columns::Linked;
use crate::graphql::engine::loader::{load_by_id, load_many, load_ref};
use crate::graphql::engine::page::{KeyKind, ListSource, Plain, SortKey, SortedSource, column, primary_key};
use crate::graphql::error::ApiError;
use crate::graphql::schema::inputs::{
    BooleanFilter, NullsOrder, OrderDirection, OrderField, StringFilter, linked_to, select_where, sort_key, sort_keys,
    subquery,
};
use crate::graphql::schema::types::comparison::{RoleComparison, compare_all, comparison_cities};
use crate::graphql::schema::types::occupation::Occupation;
use crate::graphql::schema::types::role_skill::{RoleSkillConnection, SkillRank};
use crate::graphql::schema::types::role_tool::{RoleToolConnection, ToolUse};
use crate::graphql::schema::types::salary_range::{
    PayPeriod, RangeFigure, RangesOf, SalaryRange, SalaryRangeConnection, SalaryRangeFilter, SalaryRangeOrder,
    ranges_of,
};
use crate::graphql::schema::types::skill::{Skill, SkillFilter, SkillOrder, skill_order, skill_source};
use crate::graphql::schema::types::tool::{Tool, ToolFilter, ToolOrder, tool_order, tool_source};
use crate::graphql::schema::types::{IdType, global_id};

/// A career role, such as Senior Backend Engineer, described from the careers overview and paid as the
/// BLS occupation it maps to.
pub struct Role(pub role::Model);

pub type RoleConnection = Plain<Role>;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum RoleOrderField {
    Title,
    Slug,
    /// The SOC code of the role's occupation.
    SocCode,
    /// The median wage BLS publishes for the role's occupation in `city`.
    MedianWage,
    /// The mean wage BLS publishes for the role's occupation in `city`.
    MeanWage,
    /// Jobs in the role's occupation in `city`.
    Employment,
}

impl OrderField for RoleOrderField {
    fn key(self) -> (&'static str, Expr, KeyKind) {
        match self {
            Self::Title => ("title", column(role::Column::Title), KeyKind::Text),
            Self::Slug => ("slug", column(role::Column::Slug), KeyKind::Text),
            Self::SocCode => {
                let code = select_where(occupation::Column::SocCode, Condition::all())
                    .and_where(column(occupation::Column::Id).equals((role::Entity, role::Column::OccupationId)))
                    .to_owned();
                ("socCode", subquery(code), KeyKind::Text)
            }
            // Figures in a city are keyed by `RoleOrder`, which knows the city.
            Self::MedianWage | Self::MeanWage | Self::Employment => {
                ("title", column(role::Column::Title), KeyKind::Text)
            }
        }
    }
}

/// One ordering term for roles. The wage and employment fields order roles by what they pay in `city`.
#[derive(InputObject)]
pub struct RoleOrder {
    pub field: RoleOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
    #[graphql(default)]
    pub nulls: NullsOrder,
    /// The city (by slug) whose figures order roles, for `MEDIAN_WAGE`, `MEAN_WAGE` and `EMPLOYMENT`
    /// (default: the nation, `united-states`).
    pub city: Option<String>,
    /// The pay period of those figures.
    #[graphql(default_with = "PayPeriod::Annual")]
    pub period: PayPeriod,
}

impl RoleOrder {
    fn sort_key(&self) -> SortKey {
        let (name, expr, kind) = match self.field {
            RoleOrderField::MedianWage => self.figure(RangeFigure::MedianWage),
            RoleOrderField::MeanWage => self.figure(RangeFigure::MeanWage),
            RoleOrderField::Employment => self.figure(RangeFigure::Employment),
            field => {
                let (name, expr, kind) = field.key();
                (name.to_owned(), expr, kind)
            }
        };
        sort_key(name, expr, kind, self.direction, self.nulls)
    }

    /// The latest BLS figure for the role's occupation in the city.
    fn figure(&self, figure: RangeFigure) -> (String, Expr, KeyKind) {
        let city = self.city.as_deref().unwrap_or("united-states");
        let cities = select_where(city::Column::Id, Condition::all().add(column(city::Column::Slug).eq(city)));
        let (name, select) = figure.latest_bls(
            city,
            |occupation| occupation.equals((role::Entity, role::Column::OccupationId)),
            |area| area.in_subquery(cities),
            self.period,
        );
        (name, select, KeyKind::Int)
    }
}

filter_input! {
    /// Which roles to return. Every field set must hold; combine filters with `and`, `or` and `not`.
    RoleFilter {
        slug: StringFilter,
        title: StringFilter,
        summary: StringFilter,
        /// `true` for the catalog's hand-written roles, `false` for those the BLS importer makes from occupations.
        curated: BooleanFilter,
        /// The SOC code of the occupation whose wages stand for the role, e.g. `{ eq: "15-1252" }`.
        soc_code: StringFilter,
        /// Roles that need at least one skill matching this.
        skill: Box<SkillFilter>,
        /// Roles that use at least one tool matching this.
        tool: Box<ToolFilter>,
        /// Roles with at least one salary range matching this, e.g. `{ median: { gt: 150000 } }`.
        salary_range: Box<SalaryRangeFilter>,
        /// Roles that specialise a role matching this.
        specialisation_of: Box<RoleFilter>,
    }
    |filter| {
        let id = || column(role::Column::Id);
        Condition::all()
            .add_option(filter.slug.as_ref().map(|f| f.condition(column(role::Column::Slug))))
            .add_option(filter.title.as_ref().map(|f| f.condition(column(role::Column::Title))))
            .add_option(filter.summary.as_ref().map(|f| f.condition(column(role::Column::Summary))))
            .add_option(filter.curated.as_ref().map(|f| f.condition(column(role::Column::Curated))))
            .add_option(filter.soc_code.as_ref().map(|f| {
                let occupations =
                    select_where(occupation::Column::Id, f.condition(column(occupation::Column::SocCode)));
                column(role::Column::OccupationId).in_subquery(occupations)
            }))
            .add_option(filter.skill.as_ref().map(|f| {
                let skills = select_where(skill::Column::Id, f.condition());
                id().in_subquery(linked_to(role_skill::Column::RoleId, role_skill::Column::SkillId, skills))
            }))
            .add_option(filter.tool.as_ref().map(|f| {
                let tools = select_where(tool::Column::Id, f.condition());
                id().in_subquery(linked_to(role_tool::Column::RoleId, role_tool::Column::ToolId, tools))
            }))
            .add_option(filter.salary_range.as_ref().map(|f| {
                let occupation_wide = f.condition().add(column(salary_range::Column::RoleId).is_null());
                Condition::any()
                    .add(
                        column(role::Column::OccupationId)
                            .in_subquery(select_where(salary_range::Column::OccupationId, occupation_wide)),
                    )
                    .add(id().in_subquery(select_where(salary_range::Column::RoleId, f.condition())))
            }))
            .add_option(filter.specialisation_of.as_ref().map(|f| {
                column(role::Column::SpecialisationOfId).in_subquery(select_where(role::Column::Id, f.condition()))
            }))
    }
}

/// The sort keys for a list of roles: the client's `orderBy`, else by title.
pub fn role_order(order_by: Option<Vec<RoleOrder>>) -> Result<Vec<SortKey>, ApiError> {
    let requested = order_by.map(|terms| terms.iter().map(RoleOrder::sort_key).collect());
    let (name, expr, kind) = RoleOrderField::Title.key();
    sort_keys(requested, vec![SortKey::new(name, expr, kind)], primary_key::<role::Entity>())
}

/// The roles that specialise a batch of roles.
pub fn role_specialisations(
    filter: Option<RoleFilter>,
    order_by: Option<Vec<RoleOrder>>,
) -> Result<SortedSource, ApiError> {
    Ok((role_source(filter).children_of(column(role::Column::SpecialisationOfId)), role_order(order_by)?))
}

/// The skills a batch of roles need, each row with the skill's rank in its role (the default order).
pub fn role_skills(filter: Option<SkillFilter>, order_by: Option<Vec<SkillOrder>>) -> Result<SortedSource, ApiError> {
    let source = skill_source(filter).through::<role_skill::Entity>(
        role_skill::Column::SkillId,
        skill::Column::Id,
        role_skill::Column::RoleId,
    );
    let rank = SortKey::new("rank", column(role_skill::Column::Rank), KeyKind::Int);
    Ok((source, skill_order(order_by, Some(rank))?))
}

/// The tools a batch of roles use, each row with O*NET's flags for the tool in its role.
pub fn role_tools(filter: Option<ToolFilter>, order_by: Option<Vec<ToolOrder>>) -> Result<SortedSource, ApiError> {
    let source = tool_source(filter).through::<role_tool::Entity>(
        role_tool::Column::ToolId,
        tool::Column::Id,
        role_tool::Column::RoleId,
    );
    Ok((source, tool_order(order_by)?))
}

/// Roles matching `filter`, the children of a batch of parents when `parent` says which column holds them.
pub fn role_source(filter: Option<RoleFilter>) -> ListSource {
    ListSource::new(role::Entity, filter.map(|f| f.condition()).unwrap_or_else(Condition::all))
}

object! {
    impl Role(role::Model) {
        /// Globally unique, opaque ID.
        id(role) -> ID { global_id(IdType::Role, role.id) }
        /// Goes up by one with every change; send it back as `expectedVersion` when updating.
        version(role) -> i32 { role.version }
        /// Stable, URL-safe name, e.g. `api-developer`.
        slug(role) -> &str { &role.slug }
        title(role) -> &str { &role.title }
        /// What the role is, in a sentence or two.
        summary(role) -> &str { &role.summary }
        /// True for roles written for careerql's catalog; false for those made from a BLS occupation by the importer
        /// (one per detailed occupation, titled as BLS titles it).
        curated(role) -> bool { role.curated }
        /// The O*NET-SOC occupation whose technology skills describe this role, e.g. `15-1299.08`.
        onetSocCode(role) -> Option<&str> { role.onet_soc_code.as_deref() }
    }
    lists {
        /// Narrower roles that specialise this one.
        specialisations(RoleFilter, RoleOrder) -> RoleConnection = role_specialisations, |row| (Role(row), EmptyFields);
        /// The skills this role needs; each edge carries the skill's rank here. Most important first unless
        /// `orderBy` says otherwise.
        skills(SkillFilter, SkillOrder) -> RoleSkillConnection =
            role_skills, |row: Linked<skill::Model, role_skill::Model>| (Skill(row.node), SkillRank(row.link));
        /// The tools this role uses; each edge carries O*NET's flags for the tool in this role. By tool name
        /// unless `orderBy` says otherwise.
        tools(ToolFilter, ToolOrder) -> RoleToolConnection =
            role_tools, |row: Linked<tool::Model, role_tool::Model>| (Tool(row.node), ToolUse(row.link));
        /// What this role pays: the ranges published for its occupation, and those published for the role itself.
        salary_ranges(SalaryRangeFilter, SalaryRangeOrder) -> SalaryRangeConnection =
            |f, o| ranges_of(RangesOf::Role, f, o), |row| (SalaryRange(row), EmptyFields);
    }
    resolvers {
        /// What people in this role do, most central first.
        async fn responsibilities(&self, ctx: &Context<'_>) -> Result<Vec<String>, ApiError> {
            let mut rows = load_many::<responsibility::Entity>(ctx, responsibility::Column::RoleId, self.0.id).await?;
            rows.sort_by_key(|r| r.position);
            Ok(rows.into_iter().map(|r| r.description).collect())
        }

        /// The BLS SOC occupation whose wages stand for this role (docs/data.md gives the mapping and why).
        async fn occupation(&self, ctx: &Context<'_>) -> Result<Occupation, ApiError> {
            load_ref::<occupation::Entity>(ctx, self.0.occupation_id).await.map(Occupation)
        }

        /// The broader role this one specialises, if any.
        async fn specialisation_of(&self, ctx: &Context<'_>) -> Result<Option<Role>, ApiError> {
            match self.0.specialisation_of_id {
                Some(id) => Ok(load_by_id::<role::Entity>(ctx, id).await?.map(Role)),
                None => Ok(None),
            }
        }

        /// "How does this role differ from `role`?": the skills and tools both need and those only one does (with
        /// ranks and O*NET's flags), and the wage difference (this minus `role`) nationally and in each of `cities`,
        /// each figure with its source. Works for curated and imported BLS roles alike (the latter have no skills or
        /// tools, only wages).
        async fn compare_to(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The other role, by slug.")] role: String,
            #[graphql(desc = "Cities by slug, besides the nation, which always comes first (at most 50).", default)]
            cities: Vec<String>,
            #[graphql(desc = "The pay period of the wages (default ANNUAL).", default_with = "PayPeriod::Annual")]
            period: PayPeriod,
        ) -> Result<RoleComparison, ApiError> {
            let db = crate::graphql::engine::db(ctx)?;
            let other = role::Entity::find()
                .filter(role::Column::Slug.eq(role.as_str()))
                .one(db)
                .await?
                .ok_or_else(|| ApiError::not_found("role", "slug", &role))?;
            let cities = comparison_cities(db, &cities).await?;
            let compared = compare_all(db, &[&self.0], other, &cities, period).await?;
            compared.into_iter().next().ok_or_else(|| ApiError::internal("a comparison of one role made none"))
        }
    }
}
