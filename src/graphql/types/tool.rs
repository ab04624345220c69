use async_graphql::{Context, Enum, ID, Object};
use entity::{role_tool, skill, skill_tool, tool};

use super::role_tool::RoleTool;
use super::skill::Skill;
use super::{global_id, list_size};
use crate::graphql::error::ApiError;
use crate::graphql::loader::{load_many, load_refs};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::ToolCategory")]
pub enum ToolCategory {
    /// A programming language, e.g. Java.
    Language,
    /// A language runtime, e.g. Node.js.
    Runtime,
    /// A backend framework, e.g. Django.
    Framework,
    /// A database system, e.g. PostgreSQL.
    Database,
    /// A version control system, e.g. Git.
    VersionControl,
    /// A tool to design, document or test APIs, e.g. Postman.
    ApiTooling,
    /// A cloud platform, e.g. AWS.
    CloudPlatform,
}

/// A technology practitioners use: a language, framework, database, version control system, API tool or
/// cloud platform.
pub struct Tool(pub tool::Model);

#[Object]
impl Tool {
    /// Globally unique, opaque ID.
    async fn id(&self) -> ID {
        global_id("Tool", self.0.id)
    }

    /// Stable, URL-safe name, e.g. `postgresql`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn category(&self) -> ToolCategory {
        self.0.category.into()
    }

    /// The roles that use this tool, with O*NET's flags for each.
    async fn roles(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<RoleTool>, ApiError> {
        let size = list_size(first, 100)?;
        let links = load_many::<role_tool::Entity>(ctx, role_tool::Column::ToolId, self.0.id).await?;
        Ok(links.into_iter().take(size as usize).map(RoleTool).collect())
    }

    /// Skills practised with this tool.
    async fn skills(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<Skill>, ApiError> {
        let size = list_size(first, 100)?;
        let links = load_many::<skill_tool::Entity>(ctx, skill_tool::Column::ToolId, self.0.id).await?;
        let ids = links.into_iter().take(size as usize).map(|link| link.skill_id);
        Ok(load_refs::<skill::Entity>(ctx, ids).await?.into_iter().map(Skill).collect())
    }
}
