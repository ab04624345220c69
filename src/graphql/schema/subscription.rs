//! The root `Subscription`: committed changes, as they happen (see `crate::events`).
use async_graphql::{Context, OutputType, SimpleObject, Subscription as SubscriptionObject};
use entity::{city, role, salary_range, skill, tool};
use futures_util::{Stream, StreamExt};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::broadcast::error::RecvError;

use crate::events::{ChangeAction, ChangeEvent, ChangeKind, Hub};
use crate::graphql::error::ApiError;
use crate::graphql::schema::types::city::City;
use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::salary_range::{SalaryRange, SalaryRangeFilter};
use crate::graphql::schema::types::skill::Skill;
use crate::graphql::schema::types::tool::Tool;
use crate::graphql::schema::write::Editable;

pub struct Subscription;

/// One committed change, and the object as it is when the change is delivered.
#[derive(SimpleObject)]
#[graphql(
    concrete(name = "RoleChange", params(Role)),
    concrete(name = "SkillChange", params(Skill)),
    concrete(name = "ToolChange", params(Tool)),
    concrete(name = "CityChange", params(City)),
    concrete(name = "SalaryRangeChange", params(SalaryRange))
)]
pub struct Changed<T: OutputType> {
    pub action: ChangeAction,
    /// The object's slug (a salary range's global ID).
    pub key: String,
    /// The object's version after the change; null for a deletion.
    pub version: Option<i32>,
    /// The object as it is now; null once it is deleted.
    pub node: Option<T>,
}

/// This instance's committed changes of `kind` whose key is `key` (any, if `None`). A subscriber that
/// falls more than the hub's backlog behind skips what it missed rather than ending.
fn changes(hub: &Hub, kind: ChangeKind, key: Option<String>) -> impl Stream<Item = ChangeEvent> + use<> {
    futures_util::stream::unfold(hub.subscribe(), |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(event) => return Some((event, receiver)),
                Err(RecvError::Lagged(missed)) => tracing::warn!(missed, "a subscriber fell behind"),
                Err(RecvError::Closed) => return None,
            }
        }
    })
    .filter(move |event| std::future::ready(event.kind == kind && key.as_ref().is_none_or(|key| *key == event.key)))
}

/// The changes of `E`, each with the row as it is now, wrapped as `wrap` makes the GraphQL object.
fn changed<E: Editable, T: OutputType>(
    ctx: &Context<'_>,
    key: Option<String>,
    wrap: fn(E::Model) -> T,
) -> Result<impl Stream<Item = Changed<T>> + use<E, T>, ApiError> {
    let db = crate::graphql::engine::db(ctx)?.clone();
    let hub = ctx.data::<Hub>().map_err(|_| ApiError::internal("schema has no event hub"))?;
    Ok(changes(hub, E::KIND, key).then(move |event| {
        let db = db.clone();
        async move {
            let node = match event.action {
                ChangeAction::Delete => None,
                _ => E::find().filter(E::id_column().eq(event.id)).one(&db).await.ok().flatten().map(wrap),
            };
            Changed { action: event.action, key: event.key, version: event.version, node }
        }
    }))
}

#[SubscriptionObject]
impl Subscription {
    /// Changes to roles, or to the role `slug`: edits, deletions, and skills or tools attached or detached.
    async fn role_changed(
        &self,
        ctx: &Context<'_>,
        slug: Option<String>,
    ) -> Result<impl Stream<Item = Changed<Role>>, ApiError> {
        changed::<role::Entity, _>(ctx, slug, Role)
    }

    /// Changes to skills, or to the skill `slug` (tools attached or detached included).
    async fn skill_changed(
        &self,
        ctx: &Context<'_>,
        slug: Option<String>,
    ) -> Result<impl Stream<Item = Changed<Skill>>, ApiError> {
        changed::<skill::Entity, _>(ctx, slug, Skill)
    }

    async fn tool_changed(
        &self,
        ctx: &Context<'_>,
        slug: Option<String>,
    ) -> Result<impl Stream<Item = Changed<Tool>>, ApiError> {
        changed::<tool::Entity, _>(ctx, slug, Tool)
    }

    async fn city_changed(
        &self,
        ctx: &Context<'_>,
        slug: Option<String>,
    ) -> Result<impl Stream<Item = Changed<City>>, ApiError> {
        changed::<city::Entity, _>(ctx, slug, City)
    }

    /// Changes to salary ranges matching `filter` as they are after the change. A deleted range can no
    /// longer be matched, so deletions reach every subscriber, filter or not.
    async fn salary_range_changed(
        &self,
        ctx: &Context<'_>,
        filter: Option<SalaryRangeFilter>,
    ) -> Result<impl Stream<Item = Changed<SalaryRange>>, ApiError> {
        let condition = filter.map(|filter| filter.condition());
        let db = crate::graphql::engine::db(ctx)?.clone();
        let all = changed::<salary_range::Entity, _>(ctx, None, SalaryRange)?;
        Ok(all.filter_map(move |change| {
            let (db, condition) = (db.clone(), condition.clone());
            async move {
                let (Some(node), Some(condition)) = (&change.node, condition) else { return Some(change) };
                let matching = salary_range::Entity::find()
                    .filter(salary_range::Column::Id.eq(node.0.id))
                    .filter(condition)
                    .one(&db)
                    .await;
                match matching {
                    Ok(found) => found.is_some().then_some(change),
                    Err(error) => {
                        tracing::error!(%error, "cannot match a change against a subscription's filter");
                        None
                    }
                }
            }
        }))
    }
}
