//! Writing rows by natural key, shared by the seed and the importers.
use entity::{salary_range, source};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, InsertStatement, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait, IdenStatic, Iterable,
    Value,
};

/// Bound parameters per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535) with room to spare.
const MAX_PARAMETERS: usize = 16_000;

/// Inserts `models` (every one with the same columns set), resolving clashes on a natural key by
/// `on_conflict`. On PostgreSQL all of them go in one statement as one JSON parameter; elsewhere in
/// multi-row statements kept under the bound-parameter limit.
pub async fn upsert<A, I>(db: &impl ConnectionTrait, models: I, on_conflict: OnConflict) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
    I: IntoIterator<Item = A>,
{
    let models: Vec<A> = models.into_iter().collect();
    if db.get_database_backend() == DbBackend::Postgres {
        return upsert_as_json(db, &models, on_conflict).await;
    }
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    for chunk in models.chunks((MAX_PARAMETERS / columns).max(1)) {
        <A::Entity as EntityTrait>::insert_many(chunk.to_vec())
            .on_conflict(on_conflict.clone())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// PostgreSQL's fast path: the rows travel as one JSON array, which `json_populate_recordset` turns back
/// into rows of the table's own type, so there is one statement and one parameter whatever the number of
/// rows, and the server parses one short statement instead of thousands of placeholders.
async fn upsert_as_json<A: ActiveModelTrait>(
    db: &impl ConnectionTrait,
    models: &[A],
    on_conflict: OnConflict,
) -> Result<(), DbErr> {
    if let Some(insert) = json_insert(models, on_conflict)? {
        db.execute(&insert).await?;
    }
    Ok(())
}

/// What an upsert did: rows inserted, rows updated; the others already held the same values.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    pub inserted: u64,
    pub updated: u64,
}

/// PostgreSQL only: `upsert`, leaving alone a row that already holds every value (so it is neither
/// rewritten nor counted), and saying how many rows were inserted and updated. The database compares, so
/// nothing need be read first.
pub async fn upsert_changed<A: ActiveModelTrait>(
    db: &impl ConnectionTrait,
    models: &[A],
    mut on_conflict: OnConflict,
) -> Result<Changes, DbErr> {
    let Some(first) = models.first() else { return Ok(Changes::default()) };
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let (held, given): (Vec<String>, Vec<String>) = set_columns(first)
        .iter()
        .map(|c| (format!("\"{table}\".\"{}\"", c.as_str()), format!("excluded.\"{}\"", c.as_str())))
        .unzip();
    on_conflict.action_and_where(Expr::cust(format!("({}) IS DISTINCT FROM ({})", held.join(", "), given.join(", "))));
    let Some(mut insert) = json_insert(models, on_conflict)? else { return Ok(Changes::default()) };
    // A row PostgreSQL inserted has no deleting transaction (`xmax` 0); an updated one has ours.
    insert.returning(Query::returning().expr(Expr::cust("xmax = 0")));
    let backend = db.get_database_backend();
    let mut changes = Changes::default();
    for row in db.query_all_raw(backend.build(&insert)).await? {
        if row.try_get_by_index::<bool>(0)? {
            changes.inserted += 1;
        } else {
            changes.updated += 1;
        }
    }
    Ok(changes)
}

/// The columns `model` sets (every model in a batch sets the same ones).
fn set_columns<A: ActiveModelTrait>(model: &A) -> Vec<<A::Entity as EntityTrait>::Column> {
    <A::Entity as EntityTrait>::Column::iter().filter(|c| model.get(*c).is_set()).collect()
}

/// `INSERT INTO table (columns) SELECT columns FROM json_populate_recordset(NULL::table, $1) ON CONFLICT …`
/// with the rows as JSON in `$1`; `None` for no rows.
fn json_insert<A: ActiveModelTrait>(models: &[A], on_conflict: OnConflict) -> Result<Option<InsertStatement>, DbErr> {
    let Some(first) = models.first() else { return Ok(None) };
    let columns = set_columns(first);
    let mut rows = Vec::with_capacity(models.len());
    for model in models {
        let mut row = serde_json::Map::with_capacity(columns.len());
        for column in &columns {
            let value = model.get(*column).into_value();
            row.insert(column.as_str().to_owned(), json(column.as_str(), value)?);
        }
        rows.push(serde_json::Value::Object(row));
    }
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let rows = serde_json::Value::Array(rows).to_string();
    let source = Query::select()
        .columns(columns.clone())
        .from_function(
            Func::cust("json_populate_recordset")
                .arg(Expr::cust(format!("NULL::{table}")))
                .arg(Func::cast_as(rows, Alias::new("json"))),
            Alias::new("row"),
        )
        .to_owned();
    let insert = Query::insert()
        .into_table(<A::Entity as Default>::default())
        .columns(columns)
        .select_from(source)
        .map_err(|error| DbErr::Custom(error.to_string()))?
        .on_conflict(on_conflict)
        .to_owned();
    Ok(Some(insert))
}

/// A column's value as JSON, for the types the entities use.
fn json(column: &str, value: Option<Value>) -> Result<serde_json::Value, DbErr> {
    use serde_json::Value as Json;
    Ok(match value {
        None
        | Some(
            Value::Bool(None) | Value::Int(None) | Value::BigInt(None) | Value::Double(None) | Value::String(None),
        ) => Json::Null,
        Some(Value::Bool(Some(value))) => value.into(),
        Some(Value::Int(Some(value))) => value.into(),
        Some(Value::BigInt(Some(value))) => value.into(),
        Some(Value::Double(Some(value))) => value.into(),
        Some(Value::String(Some(value))) => value.into(),
        Some(other) => return Err(DbErr::Custom(format!("{column}: no JSON form for {other:?}"))),
    })
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
            S::EmploymentRse,
            S::MeanRse,
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

/// Records that a load read `facts`'s dataset: the source row (by slug) with what was loaded and when.
pub async fn record_source(
    db: &impl ConnectionTrait,
    facts: &crate::domain::SourceFacts,
    file: Option<&str>,
    rows_imported: u64,
) -> Result<(), DbErr> {
    use sea_orm::Set;
    use source::Column as C;
    let facts = facts.clone();
    let row = source::ActiveModel {
        slug: Set(facts.slug),
        name: Set(facts.name),
        publisher: Set(facts.publisher),
        title: Set(facts.title),
        release: Set(facts.release),
        reference_period: Set(facts.reference_period),
        published_on: Set(facts.published_on),
        license: Set(facts.license),
        license_url: Set(facts.license_url),
        attribution: Set(facts.attribution),
        url: Set(facts.url),
        file: Set(file.map(str::to_owned)),
        rows_imported: Set(Some(i64::try_from(rows_imported).unwrap_or(i64::MAX))),
        imported_at: Set(Some(crate::auth::now())),
        ..Default::default()
    };
    let every_column = source::Column::iter().filter(|c| !matches!(c, C::Id | C::Slug));
    upsert(db, [row], OnConflict::column(C::Slug).update_columns(every_column).to_owned()).await
}
