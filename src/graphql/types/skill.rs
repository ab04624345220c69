use async_graphql::{Context, Enum, ID, Object};
use entity::{role_skill, skill, skill_tool, tool};

use super::role_skill::RoleSkill;
use super::tool::Tool;
use super::{global_id, list_size};
use crate::graphql::error::ApiError;
use crate::graphql::loader::{load_many, load_refs};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::SkillCategory")]
pub enum SkillCategory {
    /// Knowledge of technologies and techniques.
    Technical,
    /// Ways of working, such as problem-solving.
    Professional,
}

/// A skill employers look for, such as API design and development.
pub struct Skill(pub skill::Model);

#[Object]
impl Skill {
    /// Globally unique, opaque ID.
    async fn id(&self) -> ID {
        global_id("Skill", self.0.id)
    }

    /// Stable, URL-safe name, e.g. `api-design`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn category(&self) -> SkillCategory {
        self.0.category.into()
    }

    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The roles that need this skill, with its rank in each.
    async fn roles(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<RoleSkill>, ApiError> {
        let size = list_size(first, 100)?;
        let links = load_many::<role_skill::Entity>(ctx, role_skill::Column::SkillId, self.0.id).await?;
        Ok(links.into_iter().take(size as usize).map(RoleSkill).collect())
    }

    /// Tools through which this skill is practised.
    async fn tools(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<Tool>, ApiError> {
        let size = list_size(first, 100)?;
        let links = load_many::<skill_tool::Entity>(ctx, skill_tool::Column::SkillId, self.0.id).await?;
        let ids = links.into_iter().take(size as usize).map(|link| link.tool_id);
        Ok(load_refs::<tool::Entity>(ctx, ids).await?.into_iter().map(Tool).collect())
    }
}
