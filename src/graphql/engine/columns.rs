//! Rows read by position: each column in the order the statement selects it, straight from the driver's row.
//!
//! sea-orm's `FromQueryResult` looks every column up by name, and for every NULL formats an error message
//! that its `Option` reading then throws away: callgrind put reading rows at a fifth of the instructions of a
//! role with its skills and tools (operation 2 of `scripts/bench/bench.sh`), for 24 rows. Every list page
//! (`page.rs`, for both executors) and the planner's lookups are read this way; their statements name their
//! columns in the model's field order (`ListSource::new`, `Select<E>`), and the test below holds every model's
//! reading to sea-orm's.
use sea_orm::sqlx::{Column as SqlxColumn, Decode, Postgres, Row as _, Sqlite, Type};
use sea_orm::{ActiveEnum, ConnectionTrait, DbErr, EntityTrait, QueryResult, QuerySelect, QueryTrait, Select};

use entity::enums::{AreaKind, OccupationGroup, PayPeriod, SkillCategory, ToolCategory};
use entity::{
    change, city, occupation, responsibility, role, role_skill, role_tool, salary_range, skill, source, tool,
};

/// A row's columns, read one after the other from the first.
pub struct Columns<'r> {
    row: &'r QueryResult,
    next: usize,
}

impl<'r> Columns<'r> {
    pub fn new(row: &'r QueryResult) -> Self {
        Self { row, next: 0 }
    }

    /// From the column named `name` on.
    pub fn from_named(row: &'r QueryResult, name: &str) -> Result<Self, DbErr> {
        let index = if let Some(driver_row) = row.try_as_sqlite_row() {
            driver_row.try_column(name).map(SqlxColumn::ordinal)
        } else if let Some(driver_row) = row.try_as_pg_row() {
            driver_row.try_column(name).map(SqlxColumn::ordinal)
        } else {
            return Err(not_a_driver_row());
        };
        Ok(Self { row, next: index.map_err(|error| DbErr::Type(error.to_string()))? })
    }

    /// The next column's value.
    pub fn next<T: Column>(&mut self) -> Result<T, DbErr> {
        let value = T::read(self.row, self.next);
        self.next += 1;
        value
    }
}

/// What one column's value decodes to.
pub trait Column: Sized {
    fn read(row: &QueryResult, index: usize) -> Result<Self, DbErr>;
}

/// A value each driver decodes itself.
fn decode<T>(row: &QueryResult, index: usize) -> Result<T, DbErr>
where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>,
{
    let decoded = if let Some(row) = row.try_as_sqlite_row() {
        row.try_get(index)
    } else if let Some(row) = row.try_as_pg_row() {
        row.try_get(index)
    } else {
        return Err(not_a_driver_row());
    };
    decoded.map_err(|error| DbErr::Type(error.to_string()))
}

fn not_a_driver_row() -> DbErr {
    DbErr::Type("a row from neither SQLite nor PostgreSQL".into())
}

macro_rules! decoded_columns {
    ($($ty:ty),*) => {$(
        impl Column for $ty {
            fn read(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                decode(row, index)
            }
        }
        impl Column for Option<$ty> {
            fn read(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                decode(row, index)
            }
        }
    )*};
}

decoded_columns!(i32, i64, f64, bool, String);

/// Enums stored as their names.
macro_rules! enum_columns {
    ($($ty:ty),*) => {$(
        impl Column for $ty {
            fn read(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                <$ty as ActiveEnum>::try_from_value(&decode::<String>(row, index)?)
            }
        }
    )*};
}

enum_columns!(AreaKind, OccupationGroup, PayPeriod, SkillCategory, ToolCategory);

/// A row read column by column, in the order of its fields.
pub trait FromColumns: Sized {
    fn from_columns(columns: &mut Columns<'_>) -> Result<Self, DbErr>;

    /// `row`, from its first column.
    fn from_row(row: &QueryResult) -> Result<Self, DbErr> {
        Self::from_columns(&mut Columns::new(row))
    }
}

/// Each model's fields, in the order of its columns (a struct expression evaluates its fields as written).
macro_rules! model_columns {
    ($($model:ty { $($field:ident),* $(,)? })*) => {$(
        impl FromColumns for $model {
            fn from_columns(columns: &mut Columns<'_>) -> Result<Self, DbErr> {
                Ok(Self { $($field: columns.next()?),* })
            }
        }
    )*};
}

model_columns! {
    role::Model { id, slug, title, summary, occupation_id, onet_soc_code, specialisation_of_id, curated, version }
    skill::Model { id, slug, name, category, description, version }
    tool::Model { id, slug, name, category, version }
    city::Model { id, slug, name, state, area_code, area_title, kind, hub, version }
    occupation::Model { id, soc_code, title, soc_group }
    salary_range::Model {
        id, occupation_id, city_id, role_id, period, currency, p10_cents, p25_cents, median_cents, p75_cents,
        p90_cents, mean_cents, low_cents, high_cents, top_coded, employment, location_quotient, jobs_per_1000,
        employment_rse, mean_rse, source, reference_period, year, version,
    }
    role_skill::Model { role_id, skill_id, rank }
    role_tool::Model { role_id, tool_id, onet_example, hot_technology, in_demand }
    responsibility::Model { id, role_id, position, description }
    source::Model {
        id, slug, name, publisher, title, release, reference_period, published_on, license, license_url,
        attribution, url, file, rows_imported, imported_at,
    }
    change::Model { id, key_name, kind, entity_id, entity_key, action, before, after, at }
}

/// A row of a link table's node with the link's own columns, whose columns follow the node's
/// (`ListSource::through`).
#[derive(Clone, Debug)]
pub struct Linked<N, L> {
    pub node: N,
    pub link: L,
}

/// An edge holds its link: the planner writes the link's fields from the edge's row.
impl<N, L> std::borrow::Borrow<L> for Linked<N, L> {
    fn borrow(&self) -> &L {
        &self.link
    }
}

/// A node and its link: the link table's columns follow the node's.
impl<N: FromColumns, L: FromColumns> FromColumns for Linked<N, L> {
    fn from_columns(columns: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self { node: N::from_columns(columns)?, link: L::from_columns(columns)? })
    }
}

/// The first row `select` finds, read by position.
pub async fn one<E: EntityTrait>(db: &impl ConnectionTrait, select: Select<E>) -> Result<Option<E::Model>, DbErr>
where
    E::Model: FromColumns,
{
    db.query_one(&select.limit(1).into_query()).await?.as_ref().map(E::Model::from_row).transpose()
}

/// The rows `select` finds, read by position.
pub async fn all<E: EntityTrait>(db: &impl ConnectionTrait, select: Select<E>) -> Result<Vec<E::Model>, DbErr>
where
    E::Model: FromColumns,
{
    db.query_all(&select.into_query()).await?.iter().map(E::Model::from_row).collect()
}

#[cfg(test)]
mod tests {
    use migration::MigratorTrait;
    use sea_orm::{ActiveModelTrait, ConnectOptions, Database, EntityTrait, Set};

    use super::*;

    /// Each model's rows, read by position, equal sea-orm's reading of them by name.
    async fn reads_as_sea_orm<E: EntityTrait>(db: &sea_orm::DatabaseConnection)
    where
        E::Model: FromColumns + PartialEq + std::fmt::Debug,
    {
        let by_name = E::find().all(db).await.unwrap();
        assert!(!by_name.is_empty(), "the seed has rows of {}", E::default().table_name());
        assert_eq!(all(db, E::find()).await.unwrap(), by_name, "{}", E::default().table_name());
    }

    #[tokio::test]
    async fn reads_rows_as_sea_orm_does() {
        // One connection: each would have an in-memory database of its own.
        let db = Database::connect(ConnectOptions::new("sqlite::memory:").max_connections(1).to_owned()).await.unwrap();
        migration::Migrator::up(&db, None).await.unwrap();
        crate::seed::apply(&db).await.unwrap();
        reads_as_sea_orm::<role::Entity>(&db).await;
        reads_as_sea_orm::<skill::Entity>(&db).await;
        reads_as_sea_orm::<tool::Entity>(&db).await;
        reads_as_sea_orm::<city::Entity>(&db).await;
        reads_as_sea_orm::<occupation::Entity>(&db).await;
        reads_as_sea_orm::<salary_range::Entity>(&db).await;
        reads_as_sea_orm::<role_skill::Entity>(&db).await;
        reads_as_sea_orm::<role_tool::Entity>(&db).await;
        reads_as_sea_orm::<responsibility::Entity>(&db).await;
        reads_as_sea_orm::<source::Entity>(&db).await;
        // The seed writes no audit rows: one as an edit would, a NULL among its columns.
        let change = change::ActiveModel {
            key_name: Set("editor".into()),
            kind: Set("skill".into()),
            entity_id: Set(1),
            entity_key: Set("rust".into()),
            action: Set("CREATE".into()),
            before: Set(None),
            after: Set(Some("{}".into())),
            at: Set("2026-12-04T00:00:00.000Z".into()),
            ..Default::default()
        };
        change.insert(&db).await.unwrap();
        reads_as_sea_orm::<change::Entity>(&db).await;
    }
}
