//! The root `Query`: a connection and a lookup for each kind, and global object identification.
use async_graphql::{Context, ID, Object};
use entity::{city, occupation, role, skill, tool};
use sea_orm::{ColumnTrait, EntityTrait, IdenStatic, QueryFilter};

use crate::auth::KeyRole;
use crate::graphql::engine::db;
use crate::graphql::engine::page::{PageArgs, root_connection};
use crate::graphql::error::ApiError;
use crate::graphql::schema::access::require;
use crate::graphql::schema::cost;
use crate::graphql::schema::types::change::Change;
use crate::graphql::schema::types::change::{ChangeConnection, ChangeFilter, change_source};
use crate::graphql::schema::types::city::{City, CityConnection, CityFilter, CityOrder, city_order, city_source};
use crate::graphql::schema::types::node::{Node, node};
use crate::graphql::schema::types::occupation::{
    Occupation, OccupationConnection, OccupationFilter, OccupationOrder, occupation_order, occupation_source,
};
use crate::graphql::schema::types::rank::{NATION, SalaryRank, amount_in_cents, rank_against, rank_range};
use crate::graphql::schema::types::role::{Role, RoleConnection, RoleFilter, RoleOrder, role_order, role_source};
use crate::graphql::schema::types::salary_range::PayPeriod;
use crate::graphql::schema::types::salary_range::{
    SalaryRange, SalaryRangeConnection, SalaryRangeFilter, SalaryRangeOrder, salary_range_order, salary_range_source,
};
use crate::graphql::schema::types::salary_stats::{
    SalaryGroupBy, SalaryGroupConnection, SalaryStatsOrder, salary_stats,
};
use crate::graphql::schema::types::search::{SearchKind, SearchResult, search};
use crate::graphql::schema::types::skill::{
    Skill, SkillConnection, SkillFilter, SkillOrder, skill_order, skill_source,
};
use crate::graphql::schema::types::source::{Source, all_sources, source_by_slug};
use crate::graphql::schema::types::tool::{Tool, ToolConnection, ToolFilter, ToolOrder, tool_order, tool_source};

pub struct Query;

/// The row of `E` whose unique `column` equals `value`, or `NOT_FOUND` naming what was asked for
/// (the field is nullable, so a miss leaves the rest of the response intact).
async fn find<E: EntityTrait>(
    ctx: &Context<'_>,
    kind: &str,
    column: E::Column,
    value: &str,
) -> Result<E::Model, ApiError> {
    E::find()
        .filter(column.eq(value))
        .one(db(ctx)?)
        .await?
        .ok_or_else(|| ApiError::not_found(kind, column.as_str(), value))
}

/// The largest `nodes(ids:)` request served, like a page.
pub const MAX_NODES: usize = 100;

// Every answer may be cached for an hour: careerql's data changes slowly (a seed, an import, editors' fixes);
// clients that must see a change at once subscribe to it or ask over POST, which is never cached.
// (A hint on a type or field with a shorter `max_age` would lower it for the queries that touch it.)
#[Object(cache_control(max_age = 3600))]
impl Query {
    /// Career roles, by title unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Forward page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor (with `first`).")] after: Option<String>,
        #[graphql(desc = "Backward page size (at most 100).")] last: Option<i32>,
        #[graphql(desc = "End before this cursor (with `last`).")] before: Option<String>,
        filter: Option<RoleFilter>,
        order_by: Option<Vec<RoleOrder>>,
    ) -> Result<RoleConnection, ApiError> {
        let args = PageArgs { first, after, last, before };
        root_connection(ctx, role_source(filter).build(), role_order(order_by)?, args, Role).await
    }

    /// The audit trail, newest first (admin key only): every change made through the API.
    #[graphql(cache_control(no_cache))]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ChangeFilter>,
    ) -> Result<ChangeConnection, ApiError> {
        require(ctx, KeyRole::Admin)?;
        let (source, order) = change_source(filter);
        root_connection(ctx, source, order, PageArgs { first, after, last, before }, Change).await
    }

    /// One role by slug, e.g. `senior-backend-engineer`.
    async fn role(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Role>, ApiError> {
        find::<role::Entity>(ctx, "role", role::Column::Slug, &slug).await.map(|row| Some(Role(row)))
    }

    /// Skills, by name unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn skills(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<SkillFilter>,
        order_by: Option<Vec<SkillOrder>>,
    ) -> Result<SkillConnection, ApiError> {
        let args = PageArgs { first, after, last, before };
        root_connection(ctx, skill_source(filter).build(), skill_order(order_by, None)?, args, Skill).await
    }

    /// One skill by slug, e.g. `api-design`.
    async fn skill(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Skill>, ApiError> {
        find::<skill::Entity>(ctx, "skill", skill::Column::Slug, &slug).await.map(|row| Some(Skill(row)))
    }

    /// Tools, by name unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn tools(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ToolFilter>,
        order_by: Option<Vec<ToolOrder>>,
    ) -> Result<ToolConnection, ApiError> {
        let args = PageArgs { first, after, last, before };
        root_connection(ctx, tool_source(filter).build(), tool_order(order_by)?, args, Tool).await
    }

    /// One tool by slug, e.g. `postgresql`.
    async fn tool(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Tool>, ApiError> {
        find::<tool::Entity>(ctx, "tool", tool::Column::Slug, &slug).await.map(|row| Some(Tool(row)))
    }

    /// Cities (BLS areas, the nation among them), by slug unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn cities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CityFilter>,
        order_by: Option<Vec<CityOrder>>,
    ) -> Result<CityConnection, ApiError> {
        let args = PageArgs { first, after, last, before };
        root_connection(ctx, city_source(filter).build(), city_order(order_by)?, args, City).await
    }

    /// One city by slug, e.g. `san-francisco-ca`, or `united-states` for the nation.
    async fn city(&self, ctx: &Context<'_>, slug: String) -> Result<Option<City>, ApiError> {
        find::<city::Entity>(ctx, "city", city::Column::Slug, &slug).await.map(|row| Some(City(row)))
    }

    /// BLS SOC occupations, by code unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn occupations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OccupationFilter>,
        order_by: Option<Vec<OccupationOrder>>,
    ) -> Result<OccupationConnection, ApiError> {
        let args = PageArgs { first, after, last, before };
        root_connection(ctx, occupation_source(filter).build(), occupation_order(order_by)?, args, Occupation).await
    }

    /// One occupation by SOC code, e.g. `15-1252`.
    async fn occupation(&self, ctx: &Context<'_>, soc_code: String) -> Result<Option<Occupation>, ApiError> {
        find::<occupation::Entity>(ctx, "occupation", occupation::Column::SocCode, &soc_code)
            .await
            .map(|row| Some(Occupation(row)))
    }

    /// Salary ranges, in the order they were recorded unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn salary_ranges(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<SalaryRangeFilter>,
        order_by: Option<Vec<SalaryRangeOrder>>,
    ) -> Result<SalaryRangeConnection, ApiError> {
        let args = PageArgs { first, after, last, before };
        let source = salary_range_source(filter).build();
        root_connection(ctx, source, salary_range_order(order_by)?, args, SalaryRange).await
    }

    /// Salary ranges matching `filter`, grouped by `groupBy` (no keys: one group of everything), with counts,
    /// total employment, the employment-weighted mean, each statistic's spread and estimated percentiles of the
    /// pooled distribution. Figures are never pooled across pay periods: every group is in `period` (annual
    /// unless asked). Groups come in `groupBy` order unless `orderBy` says otherwise, and page like any list.
    #[allow(clippy::too_many_arguments)]
    #[graphql(directive = cost::cost::apply(cost::SALARY_STATS))]
    async fn salary_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pay period of every figure (default ANNUAL).", default_with = "PayPeriod::Annual")]
        period: PayPeriod,
        filter: Option<SalaryRangeFilter>,
        #[graphql(desc = "Keys to group by, combined.", default)] group_by: Vec<SalaryGroupBy>,
        order_by: Option<Vec<SalaryStatsOrder>>,
        #[graphql(desc = "How many groups (default 20, at most 1000: every area or occupation in one page).")]
        first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "How many groups, from the end (at most 1000).")] last: Option<i32>,
        before: Option<String>,
    ) -> Result<SalaryGroupConnection, ApiError> {
        salary_stats(ctx, period, filter, group_by, order_by, PageArgs { first, after, last, before }).await
    }

    /// Every dataset careerql's figures come from: publisher, release, reference period, publication date,
    /// license, attribution, and what careerql last loaded from it, and when.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<Source>, ApiError> {
        all_sources(ctx).await
    }

    /// One source by slug, e.g. `bls-oews-may-2025` or `onet-29-2`.
    async fn source(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Source>, ApiError> {
        match source_by_slug(ctx, slug.clone()).await? {
            Some(source) => Ok(Some(source)),
            None => Err(ApiError::not_found("source", "slug", &slug)),
        }
    }

    /// "Is this offer good here?": where `amount` (in US dollars per `period`) ranks among the wages BLS
    /// publishes for `role`'s occupation in `city` (default: the nation), in one call. The range is the latest
    /// occupation-wide BLS OEWS range; null when there is none with all five percentiles.
    async fn salary_rank(
        &self,
        ctx: &Context<'_>,
        amount: f64,
        #[graphql(desc = "The pay period of `amount` (default ANNUAL).", default_with = "PayPeriod::Annual")]
        period: PayPeriod,
        #[graphql(desc = "The role, by slug, e.g. `senior-backend-engineer`.")] role: String,
        #[graphql(desc = "The city, by slug (default: the nation, `united-states`).")] city: Option<String>,
    ) -> Result<Option<SalaryRank>, ApiError> {
        let cents = amount_in_cents(amount)?;
        let role = find::<role::Entity>(ctx, "role", role::Column::Slug, &role).await?;
        let city = city.as_deref().unwrap_or(NATION);
        let city = find::<city::Entity>(ctx, "city", city::Column::Slug, city).await?;
        let range = rank_range(db(ctx)?, role.occupation_id, city.id, period).await?;
        Ok(range.and_then(|range| rank_against(range, amount, cents)))
    }

    /// Roles, skills, tools and cities matching `text`, best first. Tolerates typos: matching is by shared
    /// trigrams, so "postgress" finds PostgreSQL.
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        #[graphql(desc = "Only these kinds (default: all).")] kinds: Option<Vec<SearchKind>>,
        #[graphql(desc = "How many (default 10, at most 100).", default = 10)] first: i32,
    ) -> Result<Vec<SearchResult>, ApiError> {
        search(ctx, &text, kinds, first).await
    }

    /// Any object by its global `id`.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>, ApiError> {
        node(ctx, &id).await.map(Some)
    }

    /// Objects by their global `id`s, in the order asked, all loaded in one batch per type (at most 100).
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>, ApiError> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input(format!("`nodes` takes at most {MAX_NODES} ids, got {}", ids.len())));
        }
        let found = futures_util::future::join_all(ids.iter().map(|id| node(ctx, id))).await;
        found.into_iter().map(|n| n.map(Some)).collect()
    }
}
