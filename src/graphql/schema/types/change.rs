//! The audit trail, for admins: who changed what, when, and the row before and after.
use std::sync::Arc;

use async_graphql::{Enum, ID, InputObject, Json, Object};
use entity::change;
use sea_orm::sea_query::{Condition, ExprTrait};

use crate::graphql::engine::page::{KeyKind, ListSource, Plain, SortKey, column};
use crate::graphql::schema::types::{IdType, global_id};

/// One change an API key made.
pub struct Change(pub change::Model);

pub type ChangeConnection = Plain<Change>;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AuditedKind {
    Role,
    Skill,
    Tool,
    City,
    SalaryRange,
    /// A skill attached to or detached from a role.
    RoleSkill,
    /// A tool attached to or detached from a role.
    RoleTool,
    /// A tool attached to or detached from a skill.
    SkillTool,
}

impl AuditedKind {
    fn stored(self) -> &'static str {
        match self {
            Self::Role => "role",
            Self::Skill => "skill",
            Self::Tool => "tool",
            Self::City => "city",
            Self::SalaryRange => "salary_range",
            Self::RoleSkill => "role_skill",
            Self::RoleTool => "role_tool",
            Self::SkillTool => "skill_tool",
        }
    }
}

/// Which changes to return; every field set must hold.
#[derive(InputObject, Default)]
pub struct ChangeFilter {
    pub kind: Option<AuditedKind>,
    /// The changed row's key: a slug, a salary range's global ID, or `role/skill` for a link.
    pub key: Option<String>,
    /// The name of the API key that made the change.
    pub key_name: Option<String>,
}

/// Changes matching `filter`, newest first.
pub fn change_source(filter: Option<ChangeFilter>) -> (Arc<ListSource>, Vec<SortKey>) {
    let filter = filter.unwrap_or_default();
    let condition = Condition::all()
        .add_option(filter.kind.map(|kind| column(change::Column::Kind).eq(kind.stored())))
        .add_option(filter.key.map(|key| column(change::Column::EntityKey).eq(key)))
        .add_option(filter.key_name.map(|name| column(change::Column::KeyName).eq(name)));
    let newest_first = SortKey::new("id", column(change::Column::Id), KeyKind::Int).descending(true);
    (ListSource::new(change::Entity, condition).build(), vec![newest_first])
}

fn parse_json(text: &Option<String>) -> Option<Json<serde_json::Value>> {
    text.as_deref().and_then(|text| serde_json::from_str(text).ok()).map(Json)
}

#[Object]
impl Change {
    pub async fn id(&self) -> ID {
        global_id(IdType::Change, self.0.id)
    }

    /// The name of the API key that made the change.
    async fn key_name(&self) -> &str {
        &self.0.key_name
    }

    /// What was changed: `role`, `skill`, `tool`, `city`, `salary_range`, or a link (`role_skill`, …).
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// The changed row's key: a slug, a salary range's global ID, or `role/skill` for a link.
    async fn key(&self) -> &str {
        &self.0.entity_key
    }

    /// `CREATE`, `UPDATE` or `DELETE`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The row before the change, as stored (amounts in cents); null for a creation.
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        parse_json(&self.0.before)
    }

    /// The row after the change; null for a deletion.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        parse_json(&self.0.after)
    }

    /// When, in RFC 3339 (UTC).
    async fn at(&self) -> &str {
        &self.0.at
    }
}
