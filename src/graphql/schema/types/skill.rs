use async_graphql::connection::EmptyFields;
use async_graphql::{Enum, ID};
use entity::{role, role_skill, skill, skill_tool, tool};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

use crate::graphql::engine::columns::Linked;
use crate::graphql::engine::page::{KeyKind, ListSource, Plain, SortKey, SortedSource, column, primary_key};
use crate::graphql::error::ApiError;
pub use crate::graphql::schema::enums::SkillCategory;
use crate::graphql::schema::inputs::{EnumFilter, OrderField, StringFilter, linked_to, select_where, sort_keys};
use crate::graphql::schema::types::role::{Role, RoleFilter, RoleOrder, role_order, role_source};
use crate::graphql::schema::types::role_skill::{SkillRank, SkillRoleConnection};
use crate::graphql::schema::types::tool::{Tool, ToolConnection, ToolFilter, ToolOrder, tool_order, tool_source};
use crate::graphql::schema::types::{IdType, global_id};

/// A skill employers look for, such as API design and development.
pub struct Skill(pub skill::Model);

pub type SkillConnection = Plain<Skill>;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SkillOrderField {
    Name,
    Slug,
    Category,
}

impl OrderField for SkillOrderField {
    fn key(self) -> (&'static str, Expr, KeyKind) {
        match self {
            Self::Name => ("name", column(skill::Column::Name), KeyKind::Text),
            Self::Slug => ("slug", column(skill::Column::Slug), KeyKind::Text),
            Self::Category => ("category", column(skill::Column::Category), KeyKind::Text),
        }
    }
}

ordering_input!(SkillOrder, SkillOrderField);

filter_input! {
    /// Which skills to return. Every field set must hold; combine filters with `and`, `or` and `not`.
    SkillFilter {
        slug: StringFilter,
        name: StringFilter,
        category: EnumFilter<SkillCategory>,
        description: StringFilter,
        /// Skills that a role matching this needs.
        role: Box<RoleFilter>,
        /// Skills practised with a tool matching this.
        tool: Box<ToolFilter>,
    }
    |filter| {
        let id = || column(skill::Column::Id);
        Condition::all()
            .add_option(filter.slug.as_ref().map(|f| f.condition(column(skill::Column::Slug))))
            .add_option(filter.name.as_ref().map(|f| f.condition(column(skill::Column::Name))))
            .add_option(
                filter
                    .category
                    .as_ref()
                    .map(|f| f.condition::<entity::enums::SkillCategory>(column(skill::Column::Category))),
            )
            .add_option(filter.description.as_ref().map(|f| f.condition(column(skill::Column::Description))))
            .add_option(filter.role.as_ref().map(|f| {
                let roles = select_where(role::Column::Id, f.condition());
                id().in_subquery(linked_to(role_skill::Column::SkillId, role_skill::Column::RoleId, roles))
            }))
            .add_option(filter.tool.as_ref().map(|f| {
                let tools = select_where(tool::Column::Id, f.condition());
                id().in_subquery(linked_to(skill_tool::Column::SkillId, skill_tool::Column::ToolId, tools))
            }))
    }
}

/// The roles that need a batch of skills, each row with the skill's rank in the role.
pub fn skill_roles(filter: Option<RoleFilter>, order_by: Option<Vec<RoleOrder>>) -> Result<SortedSource, ApiError> {
    let source = role_source(filter).through::<role_skill::Entity>(
        role_skill::Column::RoleId,
        role::Column::Id,
        role_skill::Column::SkillId,
    );
    Ok((source, role_order(order_by)?))
}

/// The tools that practise a batch of skills.
pub fn skill_tools(filter: Option<ToolFilter>, order_by: Option<Vec<ToolOrder>>) -> Result<SortedSource, ApiError> {
    let source = tool_source(filter).through::<skill_tool::Entity>(
        skill_tool::Column::ToolId,
        tool::Column::Id,
        skill_tool::Column::SkillId,
    );
    Ok((source, tool_order(order_by)?))
}

pub fn skill_source(filter: Option<SkillFilter>) -> ListSource {
    ListSource::new(skill::Entity, filter.map(|f| f.condition()).unwrap_or_else(Condition::all))
}

/// The sort keys for skills: the client's `orderBy`, else `default` (or by name).
pub fn skill_order(order_by: Option<Vec<SkillOrder>>, default: Option<SortKey>) -> Result<Vec<SortKey>, ApiError> {
    let requested = order_by.map(|terms| terms.iter().map(|t| t.sort_key()).collect());
    let (name, expr, kind) = SkillOrderField::Name.key();
    let default = default.unwrap_or_else(|| SortKey::new(name, expr, kind));
    sort_keys(requested, vec![default], primary_key::<skill::Entity>())
}

object! {
    impl Skill(skill::Model) {
        /// Globally unique, opaque ID.
        id(skill) -> ID { global_id(IdType::Skill, skill.id) }
        /// Goes up by one with every change; send it back as `expectedVersion` when updating.
        version(skill) -> i32 { skill.version }
        /// Stable, URL-safe name, e.g. `api-design`.
        slug(skill) -> &str { &skill.slug }
        name(skill) -> &str { &skill.name }
        category(skill) -> SkillCategory { skill.category.into() }
        description(skill) -> &str { &skill.description }
    }
    lists {
        /// The roles that need this skill; each edge carries the skill's rank in that role.
        roles(RoleFilter, RoleOrder) -> SkillRoleConnection =
            skill_roles, |row: Linked<role::Model, role_skill::Model>| (Role(row.node), SkillRank(row.link));
        /// Tools through which this skill is practised.
        tools(ToolFilter, ToolOrder) -> ToolConnection = skill_tools, |row| (Tool(row), EmptyFields);
    }
    resolvers {

    }
}
