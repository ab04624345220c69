//! The audit trail: one row per change an API key made, with the row as it was before and after.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The name of the API key that made the change.
    pub key_name: String,
    /// `role`, `skill`, `tool`, `city`, `salary_range`, `role_skill`, `role_tool` or `skill_tool`.
    pub kind: String,
    /// The changed row's id (for a link, the id of the row it hangs from: the role, or the skill).
    pub entity_id: i32,
    /// A readable key for the row: a slug, or `role/skill` for a link.
    pub entity_key: String,
    /// `CREATE`, `UPDATE` or `DELETE`.
    pub action: String,
    /// The row as JSON before the change; `None` for a creation.
    pub before: Option<String>,
    /// The row as JSON after the change; `None` for a deletion.
    pub after: Option<String>,
    /// RFC 3339, UTC, with milliseconds.
    pub at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
