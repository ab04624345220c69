//! Writing rows by natural key, shared by the seed and the importers.
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Iterable};

/// Bound parameters per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535) with room to spare.
const MAX_PARAMETERS: usize = 16_000;

/// Inserts `models` in multi-row statements, resolving clashes on a natural key by `on_conflict`.
pub async fn upsert<A, I>(db: &impl ConnectionTrait, models: I, on_conflict: OnConflict) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait,
    I: IntoIterator<Item = A>,
{
    let models: Vec<A> = models.into_iter().collect();
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    for chunk in models.chunks((MAX_PARAMETERS / columns).max(1)) {
        <A::Entity as EntityTrait>::insert_many(chunk.to_vec())
            .on_conflict(on_conflict.clone())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
