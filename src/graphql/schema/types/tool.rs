use async_graphql::connection::EmptyFields;
use async_graphql::{Enum, ID};
use entity::{role, role_tool, skill, skill_tool, tool};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

use crate::graphql::engine::columns::Linked;
use crate::graphql::engine::page::{KeyKind, ListSource, Plain, SortKey, SortedSource, column, primary_key};
use crate::graphql::error::ApiError;
pub use crate::graphql::schema::enums::ToolCategory;
use crate::graphql::schema::inputs::{EnumFilter, OrderField, StringFilter, linked_to, select_where, sort_keys};
use crate::graphql::schema::types::role::{Role, RoleFilter, RoleOrder, role_order, role_source};
use crate::graphql::schema::types::role_tool::{ToolRoleConnection, ToolUse};
use crate::graphql::schema::types::skill::{
    Skill, SkillConnection, SkillFilter, SkillOrder, skill_order, skill_source,
};
use crate::graphql::schema::types::{IdType, global_id};

/// A technology practitioners use: a language, framework, database, version control system, API tool or
/// cloud platform.
pub struct Tool(pub tool::Model);

pub type ToolConnection = Plain<Tool>;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ToolOrderField {
    Name,
    Slug,
    Category,
}

impl OrderField for ToolOrderField {
    fn key(self) -> (&'static str, Expr, KeyKind) {
        match self {
            Self::Name => ("name", column(tool::Column::Name), KeyKind::Text),
            Self::Slug => ("slug", column(tool::Column::Slug), KeyKind::Text),
            Self::Category => ("category", column(tool::Column::Category), KeyKind::Text),
        }
    }
}

ordering_input!(ToolOrder, ToolOrderField);

filter_input! {
    /// Which tools to return. Every field set must hold; combine filters with `and`, `or` and `not`.
    ToolFilter {
        slug: StringFilter,
        name: StringFilter,
        category: EnumFilter<ToolCategory>,
        /// Tools used by a role matching this.
        role: Box<RoleFilter>,
        /// Tools that practise a skill matching this.
        skill: Box<SkillFilter>,
        /// Tools O*NET lists as hot technologies for at least one role's occupation.
        hot_technology: bool,
        /// Tools O*NET lists as in demand for at least one role's occupation.
        in_demand: bool,
    }
    |filter| {
        let id = || column(tool::Column::Id);
        let flagged = |flag: Option<bool>, c: role_tool::Column| {
            flag.map(|wanted| {
                let listed = select_where(role_tool::Column::ToolId, Condition::all().add(column(c).eq(true)));
                let listed = id().in_subquery(listed);
                if wanted { listed } else { listed.not() }
            })
        };
        Condition::all()
            .add_option(filter.slug.as_ref().map(|f| f.condition(column(tool::Column::Slug))))
            .add_option(filter.name.as_ref().map(|f| f.condition(column(tool::Column::Name))))
            .add_option(
                filter
                    .category
                    .as_ref()
                    .map(|f| f.condition::<entity::enums::ToolCategory>(column(tool::Column::Category))),
            )
            .add_option(filter.role.as_ref().map(|f| {
                let roles = select_where(role::Column::Id, f.condition());
                id().in_subquery(linked_to(role_tool::Column::ToolId, role_tool::Column::RoleId, roles))
            }))
            .add_option(filter.skill.as_ref().map(|f| {
                let skills = select_where(skill::Column::Id, f.condition());
                id().in_subquery(linked_to(skill_tool::Column::ToolId, skill_tool::Column::SkillId, skills))
            }))
            .add_option(flagged(filter.hot_technology, role_tool::Column::HotTechnology))
            .add_option(flagged(filter.in_demand, role_tool::Column::InDemand))
    }
}

/// The roles that use a batch of tools, each row with O*NET's flags for the tool in the role.
pub fn tool_roles(filter: Option<RoleFilter>, order_by: Option<Vec<RoleOrder>>) -> Result<SortedSource, ApiError> {
    let source = role_source(filter).through::<role_tool::Entity>(
        role_tool::Column::RoleId,
        role::Column::Id,
        role_tool::Column::ToolId,
    );
    Ok((source, role_order(order_by)?))
}

/// The skills a batch of tools serve.
pub fn tool_skills(filter: Option<SkillFilter>, order_by: Option<Vec<SkillOrder>>) -> Result<SortedSource, ApiError> {
    let source = skill_source(filter).through::<skill_tool::Entity>(
        skill_tool::Column::SkillId,
        skill::Column::Id,
        skill_tool::Column::ToolId,
    );
    Ok((source, skill_order(order_by, None)?))
}

pub fn tool_source(filter: Option<ToolFilter>) -> ListSource {
    ListSource::new(tool::Entity, filter.map(|f| f.condition()).unwrap_or_else(Condition::all))
}

/// The sort keys for tools: the client's `orderBy`, else by name.
pub fn tool_order(order_by: Option<Vec<ToolOrder>>) -> Result<Vec<SortKey>, ApiError> {
    let requested = order_by.map(|terms| terms.iter().map(|t| t.sort_key()).collect());
    let (name, expr, kind) = ToolOrderField::Name.key();
    sort_keys(requested, vec![SortKey::new(name, expr, kind)], primary_key::<tool::Entity>())
}

object! {
    impl Tool(tool::Model) {
        /// Globally unique, opaque ID.
        id(tool) -> ID { global_id(IdType::Tool, tool.id) }
        /// Goes up by one with every change; send it back as `expectedVersion` when updating.
        version(tool) -> i32 { tool.version }
        /// Stable, URL-safe name, e.g. `postgresql`.
        slug(tool) -> &str { &tool.slug }
        name(tool) -> &str { &tool.name }
        category(tool) -> ToolCategory { tool.category.into() }
    }
    lists {
        /// The roles that use this tool; each edge carries O*NET's flags for the tool in that role.
        roles(RoleFilter, RoleOrder) -> ToolRoleConnection =
            tool_roles, |row: Linked<role::Model, role_tool::Model>| (Role(row.node), ToolUse(row.link));
        /// Skills practised with this tool.
        skills(SkillFilter, SkillOrder) -> SkillConnection = tool_skills, |row| (Skill(row), EmptyFields);
    }
    resolvers {

    }
}
