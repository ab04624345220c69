//! Global object identification: any object by its `id`, through the batched loaders.
use async_graphql::{Context, ID, Interface};
use entity::{city, occupation, role, salary_range, skill, tool};

use crate::graphql::engine::loader::load_by_id;
use crate::graphql::error::{ApiError, echo};
use crate::graphql::schema::types::city::City;
use crate::graphql::schema::types::occupation::Occupation;
use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::salary_range::SalaryRange;
use crate::graphql::schema::types::skill::Skill;
use crate::graphql::schema::types::tool::Tool;
use crate::graphql::schema::types::{IdType, parse_global_id};

/// An object with a globally unique ID, refetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Globally unique, opaque ID."))]
// A node lives for one field's resolution; boxing the salary range (its largest row) would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Role(Role),
    Skill(Skill),
    Tool(Tool),
    City(City),
    Occupation(Occupation),
    SalaryRange(SalaryRange),
}

/// The object behind a global ID; `NOT_FOUND` for an ID of ours whose object is gone, `BAD_USER_INPUT`
/// for a string that is not one of our IDs.
pub async fn node(ctx: &Context<'_>, id: &ID) -> Result<Node, ApiError> {
    let not_ours =
        || ApiError::bad_input(format!("{} is not a careerql ID; use the `id` of an object", echo(id.as_str())));
    let (ty, row) = parse_global_id(id).ok_or_else(not_ours)?;
    let found = match ty {
        IdType::Role => load_by_id::<role::Entity>(ctx, row).await?.map(|m| Node::Role(Role(m))),
        IdType::Skill => load_by_id::<skill::Entity>(ctx, row).await?.map(|m| Node::Skill(Skill(m))),
        IdType::Tool => load_by_id::<tool::Entity>(ctx, row).await?.map(|m| Node::Tool(Tool(m))),
        IdType::City => load_by_id::<city::Entity>(ctx, row).await?.map(|m| Node::City(City(m))),
        IdType::Occupation => {
            load_by_id::<occupation::Entity>(ctx, row).await?.map(|m| Node::Occupation(Occupation(m)))
        }
        IdType::SalaryRange => {
            load_by_id::<salary_range::Entity>(ctx, row).await?.map(|m| Node::SalaryRange(SalaryRange(m)))
        }
        IdType::Change => return Err(not_ours()),
    };
    found.ok_or_else(|| ApiError::not_found(ty.name(), "id", id.as_str()))
}
