use async_graphql::{Context, Object};
use entity::{role, role_tool, tool};

use super::role::Role;
use super::tool::Tool;
use crate::graphql::error::ApiError;
use crate::graphql::loader::load_ref;

/// A tool a role uses. The flags come from O*NET 29.2 and are null where O*NET does not list the tool for
/// the role's occupation (the careers overview names it instead).
pub struct RoleTool(pub role_tool::Model);

#[Object]
impl RoleTool {
    /// The O*NET technology example matched, e.g. "Oracle Java".
    async fn onet_example(&self) -> Option<&str> {
        self.0.onet_example.as_deref()
    }

    /// O*NET's "hot technology": frequently named in employer job postings.
    async fn hot_technology(&self) -> Option<bool> {
        self.0.hot_technology
    }

    /// O*NET's "in demand": a hot technology named especially often for this occupation.
    async fn in_demand(&self) -> Option<bool> {
        self.0.in_demand
    }

    async fn role(&self, ctx: &Context<'_>) -> Result<Role, ApiError> {
        load_ref::<role::Entity>(ctx, self.0.role_id).await.map(Role)
    }

    async fn tool(&self, ctx: &Context<'_>) -> Result<Tool, ApiError> {
        load_ref::<tool::Entity>(ctx, self.0.tool_id).await.map(Tool)
    }
}
