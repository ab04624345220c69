//! The role↔skill link: edges between a role and its skills carry the skill's rank in the role.
use async_graphql::Object;
use entity::role_skill;

use crate::graphql::engine::page::LinkConnection;

use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::skill::Skill;

/// Edge fields of a role↔skill link.
pub struct SkillRank(pub role_skill::Model);

#[Object]
impl SkillRank {
    /// The skill's rank in the role: 1 is its most important skill.
    async fn rank(&self) -> i32 {
        self.0.rank
    }
}

connection_names!(RoleSkillNames, "RoleSkill");
connection_names!(SkillRoleNames, "SkillRole");

/// A role's skills.
pub type RoleSkillConnection = LinkConnection<Skill, SkillRank, RoleSkillNames>;
/// The roles that need a skill.
pub type SkillRoleConnection = LinkConnection<Role, SkillRank, SkillRoleNames>;
