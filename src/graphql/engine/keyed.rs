//! Rows by a unique text column (a slug, a SOC code), batched like every other load: how federation's
//! `_entities` finds the objects a gateway references by their natural keys, one `SELECT … WHERE column IN
//! (…)` per type and key column however many references a request carries.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, IdenStatic, ModelTrait, QueryFilter, Value};

use crate::graphql::engine::loader::{DbLoader, loader};
use crate::graphql::error::ApiError;

/// The row of `E` whose unique text `column` equals `value`.
pub struct ByText<E: EntityTrait> {
    column: E::Column,
    value: String,
}

impl<E: EntityTrait> Clone for ByText<E> {
    fn clone(&self) -> Self {
        Self { column: self.column, value: self.value.clone() }
    }
}
impl<E: EntityTrait> PartialEq for ByText<E> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value && self.column.as_str() == other.column.as_str()
    }
}
impl<E: EntityTrait> Eq for ByText<E> {}
impl<E: EntityTrait> Hash for ByText<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.column.as_str().hash(state);
        self.value.hash(state);
    }
}

impl<E> Loader<ByText<E>> for DbLoader
where
    E: EntityTrait,
    E::Model: Sync,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ByText<E>]) -> Result<HashMap<ByText<E>, Self::Value>, Self::Error> {
        crate::metrics::loader_batch(E::default().table_name(), keys.len());
        let mut columns: Vec<(E::Column, Vec<String>)> = Vec::new();
        for key in keys {
            match columns.iter_mut().find(|(column, _)| column.as_str() == key.column.as_str()) {
                Some((_, values)) => values.push(key.value.clone()),
                None => columns.push((key.column, vec![key.value.clone()])),
            }
        }
        let mut found = HashMap::with_capacity(keys.len());
        for (column, values) in columns {
            for row in E::find().filter(column.is_in(values)).all(&self.db).await? {
                if let Value::String(Some(value)) = row.get(column) {
                    found.insert(ByText { column, value }, row);
                }
            }
        }
        Ok(found)
    }
}

/// The row of `E` whose unique text `column` equals `value`, if there is one.
pub async fn load_by_text<E>(ctx: &Context<'_>, column: E::Column, value: String) -> Result<Option<E::Model>, ApiError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    Ok(loader(ctx)?.load_one(ByText::<E> { column, value }).await?)
}
