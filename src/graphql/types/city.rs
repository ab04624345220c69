use async_graphql::{Context, Enum, ID, Object};
use entity::{city, salary_range};

use super::global_id;
use super::salary_range::{PayPeriod, SalaryRange, pick};
use crate::graphql::error::ApiError;
use crate::graphql::loader::load_many;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::AreaKind")]
pub enum AreaKind {
    /// The whole United States: where national figures live.
    National,
    State,
    /// A BLS metropolitan statistical area (or NECTA).
    Metropolitan,
    /// A BLS nonmetropolitan area.
    Nonmetropolitan,
}

/// A place wages are published for: a metropolitan area such as San Francisco-Oakland-Fremont, a state,
/// or the nation.
pub struct City(pub city::Model);

#[Object]
impl City {
    /// Globally unique, opaque ID.
    async fn id(&self) -> ID {
        global_id("City", self.0.id)
    }

    /// Stable, URL-safe name, e.g. `san-francisco-ca`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Short display name, e.g. "San Francisco".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Postal code of the area's principal state; null for the nation.
    async fn state(&self) -> Option<&str> {
        self.0.state.as_deref()
    }

    /// The BLS area code, e.g. `41860`.
    async fn area_code(&self) -> &str {
        &self.0.area_code
    }

    /// The BLS area title, e.g. "San Francisco-Oakland-Fremont, CA".
    async fn area_title(&self) -> &str {
        &self.0.area_title
    }

    async fn kind(&self) -> AreaKind {
        self.0.kind.into()
    }

    /// One of the tech hubs the careers overview names (San Francisco, Seattle, New York, Austin, Boston).
    async fn hub(&self) -> bool {
        self.0.hub
    }

    /// Wage distributions published for this area.
    async fn salary_ranges(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only ranges paid for this period.")] period: Option<PayPeriod>,
        first: Option<i32>,
    ) -> Result<Vec<SalaryRange>, ApiError> {
        let ranges = load_many::<salary_range::Entity>(ctx, salary_range::Column::CityId, self.0.id).await?;
        pick(ranges, |_| true, period, first)
    }
}
