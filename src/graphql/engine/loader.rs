//! One batched loader for every table and relation, so no resolver can fall into N+1 queries.
//!
//! A key names a column and a value (`role_skill.role_id = 3`, `skill.id = 5`); each batch becomes one
//! `SELECT … WHERE column IN (…)` per column, whatever the number of keys.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    ModelTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder, Value,
};

use crate::graphql::engine::batching::Batches;
use crate::graphql::engine::page::{ListQuery, ListSource, Page};
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

/// One parent's page of a nested list; keys with the same query are fetched in one statement.
pub struct PageKey<M> {
    query: Arc<ListQuery>,
    parent: i32,
    row: PhantomData<fn() -> M>,
}

impl<M> Clone for PageKey<M> {
    fn clone(&self) -> Self {
        Self { query: self.query.clone(), parent: self.parent, row: PhantomData }
    }
}
impl<M> PartialEq for PageKey<M> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.query.fingerprint() == other.query.fingerprint()
    }
}
impl<M> Eq for PageKey<M> {}
impl<M> Hash for PageKey<M> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.query.fingerprint().hash(state);
        self.parent.hash(state);
    }
}

impl<M> Loader<PageKey<M>> for DbLoader
where
    M: FromQueryResult + Clone + Send + Sync + 'static,
{
    type Value = Page<M>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[PageKey<M>]) -> Result<HashMap<PageKey<M>, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (query, parents) in
            group_by_fingerprint(keys, |k| (k.query.clone(), k.query.fingerprint().to_owned(), k.parent))
        {
            crate::metrics::loader_batch(&query.source.table(), parents.len());
            for (parent, page) in query.fetch_nested::<M>(&self.db, &parents).await? {
                found.insert(PageKey { query: query.clone(), parent, row: PhantomData }, page);
            }
        }
        Ok(found)
    }
}

/// The total size of one parent's nested list.
#[derive(Clone)]
pub struct CountKey {
    source: Arc<ListSource>,
    parent: i32,
}

impl PartialEq for CountKey {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.source.fingerprint() == other.source.fingerprint()
    }
}
impl Eq for CountKey {}
impl Hash for CountKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.source.fingerprint().hash(state);
        self.parent.hash(state);
    }
}

impl Loader<CountKey> for DbLoader {
    type Value = i64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CountKey]) -> Result<HashMap<CountKey, i64>, Self::Error> {
        let mut found = HashMap::new();
        for (source, parents) in
            group_by_fingerprint(keys, |k| (k.source.clone(), k.source.fingerprint().to_owned(), k.parent))
        {
            crate::metrics::loader_batch(&format!("{}_count", source.table()), parents.len());
            for row in self.db.query_all(&source.count(&parents)).await? {
                let parent: i32 = row.try_get("", "__parent")?;
                found.insert(CountKey { source: source.clone(), parent }, row.try_get("", "__count")?);
            }
        }
        Ok(found)
    }
}

/// Groups batch keys by what they ask for, so each distinct query runs once for all its parents.
fn group_by_fingerprint<K, Q: Clone>(keys: &[K], parts: impl Fn(&K) -> (Q, String, i32)) -> Vec<(Q, Vec<i32>)> {
    let mut groups: Vec<(String, Q, Vec<i32>)> = Vec::new();
    for key in keys {
        let (query, fingerprint, parent) = parts(key);
        match groups.iter_mut().find(|(f, _, _)| *f == fingerprint) {
            Some((_, _, parents)) => parents.push(parent),
            None => groups.push((fingerprint, query, vec![parent])),
        }
    }
    groups.into_iter().map(|(_, query, parents)| (query, parents)).collect()
}

/// One parent's page of a nested list, batched with its siblings.
pub async fn load_page<M>(ctx: &Context<'_>, query: Arc<ListQuery>, parent: i32) -> Result<Page<M>, ApiError>
where
    M: FromQueryResult + Clone + Send + Sync + 'static,
{
    let key = PageKey { query, parent, row: PhantomData };
    Ok(loader(ctx)?.load_one(key).await?.unwrap_or_default())
}

/// One parent's total for a nested list, batched with its siblings.
pub async fn load_count(ctx: &Context<'_>, source: Arc<ListSource>, parent: i32) -> Result<i64, ApiError> {
    Ok(loader(ctx)?.load_one(CountKey { source, parent }).await?.unwrap_or(0))
}
