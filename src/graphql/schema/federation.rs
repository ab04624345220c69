//! Apollo Federation v2 (`--federation`): a root that is `Query` itself (same name, same fields, same
//! resolvers) plus the entity lookups, so a gateway can fetch roles, skills, tools and cities by `slug` and
//! occupations by `socCode` (their `@key`s) through `_entities`, and read the subgraph's SDL from
//! `_service { sdl }`.
//!
//! Why by hand rather than `#[graphql(entity)]` resolvers: async-graphql turns federation on for any schema
//! whose root has one, which would put `_entities` and `_service` into the default schema too; and a merged
//! root (`MergedObject`, `#[graphql(flatten)]`) cannot share `Query`'s name. So this root registers as
//! `Query`, adds the keys, and answers `find_entity` itself, the way the derive would.
//!
//! Each reference is a load through the request's batched loader (`engine::keyed`): all the
//! representations of one `_entities` call start at once, so however many there are, each type costs one
//! statement. A reference to no row resolves to `null`, as the federation spec asks.
use std::borrow::Cow;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{
    Context, ContextSelectionSet, ObjectType, OutputType, Positioned, ServerError, ServerResult, Value,
};
use entity::{city, occupation, role, skill, tool};
use sea_orm::EntityTrait;

use crate::graphql::engine::keyed::load_by_text;
use crate::graphql::schema::query::Query;
use crate::graphql::schema::types::city::City;
use crate::graphql::schema::types::occupation::Occupation;
use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::skill::Skill;
use crate::graphql::schema::types::tool::Tool;

/// Each entity type and the field it is keyed by, as `@key(fields: …)` names it.
const KEYS: [(&str, &str); 5] =
    [("Role", "slug"), ("Skill", "slug"), ("Tool", "slug"), ("City", "slug"), ("Occupation", "socCode")];

/// `Query` with the entity lookups: the root of the federated schema.
pub struct FederatedQuery(Query);

impl FederatedQuery {
    pub fn new() -> Self {
        Self(Query)
    }
}

impl Default for FederatedQuery {
    fn default() -> Self {
        Self::new()
    }
}

impl OutputType for FederatedQuery {
    fn type_name() -> Cow<'static, str> {
        Query::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        let name = Query::create_type_info(registry);
        // Every entity type is reachable from `Query`, so it is registered by now.
        for (ty, key) in KEYS {
            registry.add_keys(ty, key);
        }
        name
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, _field: &Positioned<Field>) -> ServerResult<Value> {
        resolve_container(ctx, self).await
    }
}

impl ContainerType for FederatedQuery {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        self.0.resolve_field(ctx).await
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        let Value::Object(params) = params else { return Ok(None) };
        let Some(Value::String(typename)) = params.get("__typename") else {
            return Err(ServerError::new(r#""__typename" must be an existing string."#, Some(ctx.item.pos)));
        };
        let key = |name: &str| match params.get(name) {
            Some(Value::String(value)) => Some(value.clone()),
            _ => None,
        };
        match typename.as_str() {
            "Role" => entity::<role::Entity, _>(ctx, role::Column::Slug, key("slug"), Role).await,
            "Skill" => entity::<skill::Entity, _>(ctx, skill::Column::Slug, key("slug"), Skill).await,
            "Tool" => entity::<tool::Entity, _>(ctx, tool::Column::Slug, key("slug"), Tool).await,
            "City" => entity::<city::Entity, _>(ctx, city::Column::Slug, key("slug"), City).await,
            "Occupation" => {
                entity::<occupation::Entity, _>(ctx, occupation::Column::SocCode, key("socCode"), Occupation).await
            }
            // Not ours: async-graphql answers that no entity matched.
            _ => Ok(None),
        }
    }
}

impl ObjectType for FederatedQuery {}

/// The object `key` names in `column` of `E`, resolved against the `_entities` selection; `null` when no row
/// has that key. A representation without its key field is not one of `E`'s references (`None`).
async fn entity<E, T>(
    ctx: &Context<'_>,
    column: E::Column,
    key: Option<String>,
    object: fn(E::Model) -> T,
) -> ServerResult<Option<Value>>
where
    E: EntityTrait,
    E::Model: Sync,
    T: OutputType,
{
    let Some(key) = key else { return Ok(None) };
    let row = load_by_text::<E>(ctx, column, key)
        .await
        .map_err(|error| ctx.set_error_path(async_graphql::Error::from(error).into_server_error(ctx.item.pos)))?;
    let Some(row) = row else { return Ok(Some(Value::Null)) };
    let selection = ctx.with_selection_set(&ctx.item.node.selection_set);
    OutputType::resolve(&object(row), &selection, ctx.item).await.map(Some)
}
