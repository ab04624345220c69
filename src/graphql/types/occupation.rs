use async_graphql::{Context, ID, Object};
use entity::{occupation, role, salary_range};

use super::role::Role;
use super::salary_range::{PayPeriod, SalaryRange, pick};
use super::{global_id, list_size};
use crate::graphql::error::ApiError;
use crate::graphql::loader::load_many;

/// A BLS Standard Occupational Classification (SOC) occupation, the unit BLS publishes wages for.
pub struct Occupation(pub occupation::Model);

#[Object]
impl Occupation {
    /// Globally unique, opaque ID.
    async fn id(&self) -> ID {
        global_id("Occupation", self.0.id)
    }

    /// The SOC code, e.g. `15-1252`.
    async fn soc_code(&self) -> &str {
        &self.0.soc_code
    }

    /// The SOC title, e.g. "Software Developers".
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Roles whose wages this occupation stands for.
    async fn roles(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<Role>, ApiError> {
        let size = list_size(first, 100)?;
        let roles = load_many::<role::Entity>(ctx, role::Column::OccupationId, self.0.id).await?;
        Ok(roles.into_iter().take(size as usize).map(Role).collect())
    }

    /// Wage distributions published for the whole occupation (role-specific figures are on the role).
    async fn salary_ranges(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only ranges paid for this period.")] period: Option<PayPeriod>,
        first: Option<i32>,
    ) -> Result<Vec<SalaryRange>, ApiError> {
        let ranges = load_many::<salary_range::Entity>(ctx, salary_range::Column::OccupationId, self.0.id).await?;
        pick(ranges, |r| r.role_id.is_none(), period, first)
    }
}
