use async_graphql::{Context, Object};
use entity::{role, role_skill, skill};

use super::role::Role;
use super::skill::Skill;
use crate::graphql::error::ApiError;
use crate::graphql::loader::load_ref;

/// A skill a role needs, and how much it matters there.
pub struct RoleSkill(pub role_skill::Model);

#[Object]
impl RoleSkill {
    /// 1 is the role's most important skill.
    async fn rank(&self) -> i32 {
        self.0.rank
    }

    async fn role(&self, ctx: &Context<'_>) -> Result<Role, ApiError> {
        load_ref::<role::Entity>(ctx, self.0.role_id).await.map(Role)
    }

    async fn skill(&self, ctx: &Context<'_>) -> Result<Skill, ApiError> {
        load_ref::<skill::Entity>(ctx, self.0.skill_id).await.map(Skill)
    }
}
