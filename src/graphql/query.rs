//! The root `Query`: list and fetch each kind. Relations hang off the types in `types/`.
use async_graphql::{Context, Object};
use entity::{city, occupation, role, salary_range, skill, tool};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, IdenStatic, QueryFilter, QueryOrder, QuerySelect};

use super::error::ApiError;
use super::types::city::City;
use super::types::list_size;
use super::types::occupation::Occupation;
use super::types::role::Role;
use super::types::salary_range::SalaryRange;
use super::types::skill::Skill;
use super::types::tool::Tool;

pub struct Query;

fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection, ApiError> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| ApiError::Internal(std::sync::Arc::new(sea_orm::DbErr::Custom("schema has no database".into()))))
}

/// The first `first` rows of `E` (20 unless asked), sorted by `order`, then by id.
async fn list<E: EntityTrait>(
    ctx: &Context<'_>,
    order: E::Column,
    first: Option<i32>,
) -> Result<Vec<E::Model>, ApiError> {
    let size = list_size(first, 20)?;
    let mut select = E::find().order_by_asc(order);
    for key in <E::PrimaryKey as sea_orm::Iterable>::iter() {
        select = select.order_by_asc(sea_orm::PrimaryKeyToColumn::into_column(key));
    }
    Ok(select.limit(size).all(db(ctx)?).await?)
}

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

// Every answer may be cached for an hour: the data changes only when a seed or an import is applied.
// (A hint on a type or field with a shorter `max_age` would lower it for the queries that touch it.)
#[Object(cache_control(max_age = 3600))]
impl Query {
    /// Career roles, by title.
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<Vec<Role>, ApiError> {
        Ok(list::<role::Entity>(ctx, role::Column::Title, first).await?.into_iter().map(Role).collect())
    }

    /// One role by slug, e.g. `senior-backend-engineer`.
    async fn role(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Role>, ApiError> {
        find::<role::Entity>(ctx, "role", role::Column::Slug, &slug).await.map(|row| Some(Role(row)))
    }

    /// Skills, by name.
    async fn skills(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<Vec<Skill>, ApiError> {
        Ok(list::<skill::Entity>(ctx, skill::Column::Name, first).await?.into_iter().map(Skill).collect())
    }

    /// One skill by slug, e.g. `api-design`.
    async fn skill(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Skill>, ApiError> {
        find::<skill::Entity>(ctx, "skill", skill::Column::Slug, &slug).await.map(|row| Some(Skill(row)))
    }

    /// Tools, by name.
    async fn tools(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<Vec<Tool>, ApiError> {
        Ok(list::<tool::Entity>(ctx, tool::Column::Name, first).await?.into_iter().map(Tool).collect())
    }

    /// One tool by slug, e.g. `postgresql`.
    async fn tool(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Tool>, ApiError> {
        find::<tool::Entity>(ctx, "tool", tool::Column::Slug, &slug).await.map(|row| Some(Tool(row)))
    }

    /// Cities (BLS areas, the nation among them), by slug.
    async fn cities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<Vec<City>, ApiError> {
        Ok(list::<city::Entity>(ctx, city::Column::Slug, first).await?.into_iter().map(City).collect())
    }

    /// One city by slug, e.g. `san-francisco-ca`, or `united-states` for the nation.
    async fn city(&self, ctx: &Context<'_>, slug: String) -> Result<Option<City>, ApiError> {
        find::<city::Entity>(ctx, "city", city::Column::Slug, &slug).await.map(|row| Some(City(row)))
    }

    /// BLS SOC occupations, by code.
    async fn occupations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<Vec<Occupation>, ApiError> {
        Ok(list::<occupation::Entity>(ctx, occupation::Column::SocCode, first)
            .await?
            .into_iter()
            .map(Occupation)
            .collect())
    }

    /// One occupation by SOC code, e.g. `15-1252`.
    async fn occupation(&self, ctx: &Context<'_>, soc_code: String) -> Result<Option<Occupation>, ApiError> {
        find::<occupation::Entity>(ctx, "occupation", occupation::Column::SocCode, &soc_code)
            .await
            .map(|row| Some(Occupation(row)))
    }

    /// Salary ranges, in the order they were recorded.
    async fn salary_ranges(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<Vec<SalaryRange>, ApiError> {
        Ok(list::<salary_range::Entity>(ctx, salary_range::Column::Id, first)
            .await?
            .into_iter()
            .map(SalaryRange)
            .collect())
    }
}
