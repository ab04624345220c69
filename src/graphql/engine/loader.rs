//! One batched loader for every table and relation, so no resolver can fall into N+1 queries.
//!
//! A key names a column and a value (`role_skill.role_id = 3`, `skill.id = 5`); each batch becomes one
//! `SELECT … WHERE column IN (…)` per column, whatever the number of keys.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, IdenStatic, Iterable, ModelTrait, PrimaryKeyToColumn,
    QueryFilter, QueryOrder, Value,
};

use crate::graphql::engine::batching::Batches;
use crate::graphql::error::ApiError;

pub struct DbLoader {
    pub(crate) db: DatabaseConnection,
}

/// Rows of `E` whose `column` equals `value`.
pub struct Rows<E: EntityTrait> {
    column: E::Column,
    value: i32,
}

impl<E: EntityTrait> Clone for Rows<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E: EntityTrait> Copy for Rows<E> {}
impl<E: EntityTrait> PartialEq for Rows<E> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value && self.column.as_str() == other.column.as_str()
    }
}
impl<E: EntityTrait> Eq for Rows<E> {}
impl<E: EntityTrait> Hash for Rows<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.column.as_str().hash(state);
        self.value.hash(state);
    }
}

fn as_id(value: Value) -> Option<i32> {
    match value {
        Value::Int(id) => id,
        _ => None,
    }
}

impl<E> Loader<Rows<E>> for DbLoader
where
    E: EntityTrait,
    E::Model: Sync,
{
    type Value = Vec<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Rows<E>]) -> Result<HashMap<Rows<E>, Self::Value>, Self::Error> {
        crate::metrics::loader_batch(E::default().table_name(), keys.len());
        let mut columns: Vec<(E::Column, Vec<i32>)> = Vec::new();
        for key in keys {
            match columns.iter_mut().find(|(column, _)| column.as_str() == key.column.as_str()) {
                Some((_, values)) => values.push(key.value),
                None => columns.push((key.column, vec![key.value])),
            }
        }
        let mut found: HashMap<Rows<E>, Self::Value> = HashMap::new();
        for (column, values) in columns {
            let mut select = E::find().filter(column.is_in(values));
            for key in E::PrimaryKey::iter() {
                select = select.order_by_asc(key.into_column());
            }
            for row in select.all(&self.db).await? {
                if let Some(value) = as_id(row.get(column)) {
                    found.entry(Rows { column, value }).or_default().push(row);
                }
            }
        }
        Ok(found)
    }
}

/// The per-request loader; built fresh for each request so nothing is cached across requests. Its
/// batches run on the request's task as soon as the request is idle (see `batching`), so no delay.
pub fn request_loader(db: DatabaseConnection, batches: &Batches) -> DataLoader<DbLoader> {
    DataLoader::new(DbLoader { db }, batches.spawner()).delay(Duration::ZERO)
}

pub(crate) fn loader<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<DbLoader>, ApiError> {
    ctx.data::<DataLoader<DbLoader>>()
        .map_err(|_| ApiError::Internal(Arc::new(DbErr::Custom("request has no loader".into()))))
}

fn primary_key<E: EntityTrait>() -> E::Column {
    E::PrimaryKey::iter().next().expect("every table has a primary key").into_column()
}

/// All rows of `E` whose `column` equals `value`, in primary-key order.
pub async fn load_many<E>(ctx: &Context<'_>, column: E::Column, value: i32) -> Result<Vec<E::Model>, ApiError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    Ok(loader(ctx)?.load_one(Rows::<E> { column, value }).await?.unwrap_or_default())
}

fn dangling<E: EntityTrait>(id: i32) -> ApiError {
    let table = E::default().table_name().to_owned();
    ApiError::Internal(Arc::new(DbErr::RecordNotFound(format!("{table} {id} behind a foreign key"))))
}

/// The row of `E` with primary key `id`.
pub async fn load_by_id<E>(ctx: &Context<'_>, id: i32) -> Result<Option<E::Model>, ApiError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    Ok(load_many::<E>(ctx, primary_key::<E>(), id).await?.pop())
}

/// The row a foreign key points at. Foreign keys guarantee it exists, so its absence is our fault.
pub async fn load_ref<E>(ctx: &Context<'_>, id: i32) -> Result<E::Model, ApiError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    load_by_id::<E>(ctx, id).await?.ok_or_else(|| dangling::<E>(id))
}
