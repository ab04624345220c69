//! The role↔skill link: edges between a role and its skills carry the skill's rank in the role.
use entity::role_skill;

use crate::graphql::engine::page::LinkConnection;

use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::skill::Skill;

/// Edge fields of a role↔skill link.
pub struct SkillRank(pub role_skill::Model);

object! {
    impl SkillRank(role_skill::Model) {
        /// The skill's rank in the role: 1 is its most important skill.
        rank(link) -> i32 { link.rank }
    }
    resolvers {}
}

connection_names!(RoleSkillNames, "RoleSkill");
connection_names!(SkillRoleNames, "SkillRole");

/// A role's skills.
pub type RoleSkillConnection = LinkConnection<Skill, SkillRank, RoleSkillNames>;
/// The roles that need a skill.
pub type SkillRoleConnection = LinkConnection<Role, SkillRank, SkillRoleNames>;
