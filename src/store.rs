//! Writing rows by natural key, shared by the seed and the importers.
use entity::salary_range;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable};

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

/// A salary range's natural key, and every other column updated when a row with that key exists.
pub fn salary_range_on_conflict() -> OnConflict {
    use salary_range::Column as S;
    let mut on_conflict = OnConflict::columns([S::Source, S::ReferencePeriod, S::OccupationId, S::CityId, S::Period])
        .update_columns([
            S::RoleId,
            S::Currency,
            S::P10Cents,
            S::P25Cents,
            S::MedianCents,
            S::P75Cents,
            S::P90Cents,
            S::MeanCents,
            S::LowCents,
            S::HighCents,
            S::TopCoded,
            S::Employment,
            S::LocationQuotient,
            S::JobsPer1000,
            S::Year,
        ])
        .to_owned();
    bump_version(&mut on_conflict, S::Version);
    on_conflict
}

/// Makes an upsert that updates a row also raise its `version`, so an editor's precondition on the
/// version it read fails once the seed or an importer has changed the row.
pub fn bump_version<C: ColumnTrait>(on_conflict: &mut OnConflict, version: C) -> &mut OnConflict {
    on_conflict.value(version, Expr::col((version.entity_name(), version)).add(1))
}
