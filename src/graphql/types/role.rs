use async_graphql::{Context, ID, Object};
use entity::{occupation, responsibility, role, role_skill, role_tool, salary_range};

use super::occupation::Occupation;
use super::role_skill::RoleSkill;
use super::role_tool::RoleTool;
use super::salary_range::{PayPeriod, SalaryRange, pick};
use super::{global_id, list_size};
use crate::graphql::error::ApiError;
use crate::graphql::loader::{load_by_id, load_many, load_ref};

/// A career role, such as Senior Backend Engineer, described from the careers overview and paid as the
/// BLS occupation it maps to.
pub struct Role(pub role::Model);

#[Object]
impl Role {
    /// Globally unique, opaque ID.
    async fn id(&self) -> ID {
        global_id("Role", self.0.id)
    }

    /// Stable, URL-safe name, e.g. `api-developer`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the role is, in a sentence or two.
    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// What people in this role do, most central first.
    async fn responsibilities(&self, ctx: &Context<'_>) -> Result<Vec<String>, ApiError> {
        let mut rows = load_many::<responsibility::Entity>(ctx, responsibility::Column::RoleId, self.0.id).await?;
        rows.sort_by_key(|r| r.position);
        Ok(rows.into_iter().map(|r| r.description).collect())
    }

    /// The BLS SOC occupation whose wages stand for this role (see the README for the mapping and why).
    async fn occupation(&self, ctx: &Context<'_>) -> Result<Occupation, ApiError> {
        load_ref::<occupation::Entity>(ctx, self.0.occupation_id).await.map(Occupation)
    }

    /// The O*NET-SOC occupation whose technology skills describe this role, e.g. `15-1299.08`.
    async fn onet_soc_code(&self) -> Option<&str> {
        self.0.onet_soc_code.as_deref()
    }

    /// The broader role this one specialises, if any.
    async fn specialisation_of(&self, ctx: &Context<'_>) -> Result<Option<Role>, ApiError> {
        match self.0.specialisation_of_id {
            Some(id) => Ok(load_by_id::<role::Entity>(ctx, id).await?.map(Role)),
            None => Ok(None),
        }
    }

    /// Narrower roles that specialise this one.
    async fn specialisations(&self, ctx: &Context<'_>) -> Result<Vec<Role>, ApiError> {
        let rows = load_many::<role::Entity>(ctx, role::Column::SpecialisationOfId, self.0.id).await?;
        Ok(rows.into_iter().map(Role).collect())
    }

    /// The skills this role needs, most important first.
    async fn skills(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<RoleSkill>, ApiError> {
        let size = list_size(first, 100)?;
        let mut links = load_many::<role_skill::Entity>(ctx, role_skill::Column::RoleId, self.0.id).await?;
        links.sort_by_key(|link| link.rank);
        Ok(links.into_iter().take(size as usize).map(RoleSkill).collect())
    }

    /// The tools this role uses, with O*NET's hot-technology and in-demand flags.
    async fn tools(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<RoleTool>, ApiError> {
        let size = list_size(first, 100)?;
        let links = load_many::<role_tool::Entity>(ctx, role_tool::Column::RoleId, self.0.id).await?;
        Ok(links.into_iter().take(size as usize).map(RoleTool).collect())
    }

    /// What this role pays: the ranges published for its occupation, and those published for the role itself.
    async fn salary_ranges(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only ranges paid for this period.")] period: Option<PayPeriod>,
        first: Option<i32>,
    ) -> Result<Vec<SalaryRange>, ApiError> {
        let ranges =
            load_many::<salary_range::Entity>(ctx, salary_range::Column::OccupationId, self.0.occupation_id).await?;
        pick(ranges, |r| r.role_id.is_none_or(|role| role == self.0.id), period, first)
    }
}
