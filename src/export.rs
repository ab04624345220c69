//! The whole career dataset as one document (JSON) or one CSV file per table, and loading such a dump into
//! an empty database. Rows keep their ids, so global IDs and every query answer the same after a round trip.
//! API keys and the audit trail are not career data and are not exported.
use std::path::Path;

use entity::{
    city, occupation, responsibility, role, role_skill, role_tool, salary_range, skill, skill_tool, source, tool,
};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    Iterable, PrimaryKeyToColumn, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

/// How `careerql export` writes the dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON document with a list per table.
    Json,
    /// A directory with one CSV file per table (`role.csv`, `salary_range.csv`, …), each with a header.
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("the database is not empty: a dump loads only into an empty database")]
    NotEmpty,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

/// Declares the dump: one list per table, in an order where each row's references come before it, and
/// the code that reads, writes and loads every list.
macro_rules! dump {
    ($($field:ident: $module:ident),* $(,)?) => {
        #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
        // A dump written before a table existed loads with that table empty.
        #[serde(default)]
        pub struct Dump {
            $(pub $field: Vec<$module::Model>,)*
        }

        impl Dump {
            /// Every row of every table, in primary-key order.
            pub async fn read(db: &impl ConnectionTrait) -> Result<Self, DbErr> {
                Ok(Self { $($field: in_key_order::<$module::Entity>(db).await?,)* })
            }

            pub fn write_csv(&self, dir: &Path) -> Result<(), DumpError> {
                std::fs::create_dir_all(dir)?;
                $(write_table(&dir.join(concat!(stringify!($module), ".csv")), &self.$field)?;)*
                Ok(())
            }

            pub fn read_csv(dir: &Path) -> Result<Self, DumpError> {
                Ok(Self { $($field: read_table(&dir.join(concat!(stringify!($module), ".csv")))?,)* })
            }

            async fn insert(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
                $(insert_rows::<$module::Entity>(db, self.$field).await?;)*
                Ok(())
            }
        }
    };
}

dump! {
    occupations: occupation,
    roles: role,
    responsibilities: responsibility,
    skills: skill,
    tools: tool,
    cities: city,
    salary_ranges: salary_range,
    role_skills: role_skill,
    role_tools: role_tool,
    skill_tools: skill_tool,
    sources: source,
}

/// The tables whose `id` a sequence hands out (PostgreSQL).
const SERIAL_TABLES: [&str; 8] =
    ["occupation", "role", "responsibility", "skill", "tool", "city", "salary_range", "source"];

async fn in_key_order<E: EntityTrait>(db: &impl ConnectionTrait) -> Result<Vec<E::Model>, DbErr> {
    let mut select = E::find();
    for key in E::PrimaryKey::iter() {
        select = select.order_by_asc(key.into_column());
    }
    select.all(db).await
}

fn write_table<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), DumpError> {
    let mut writer = csv::Writer::from_path(path)?;
    for row in rows {
        writer.serialize(row)?;
    }
    writer.flush()?;
    Ok(())
}

fn read_table<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, DumpError> {
    let mut reader = csv::Reader::from_path(path)?;
    Ok(reader.deserialize().collect::<Result<_, _>>()?)
}

async fn insert_rows<E: EntityTrait>(db: &impl ConnectionTrait, rows: Vec<E::Model>) -> Result<(), DbErr>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    // Every column set, the ids included, so references and global IDs stay what they were.
    let rows = rows.into_iter().map(|row| row.into_active_model().reset_all());
    crate::store::upsert(db, rows, sea_orm::sea_query::OnConflict::new().do_nothing().to_owned()).await
}

/// Writes the dump of `db` in `format`: JSON to `out` (or stdout), CSV into the directory `out`.
pub async fn export(db: &DatabaseConnection, format: Format, out: Option<&Path>) -> Result<(), DumpError> {
    let dump = Dump::read(db).await?;
    match (format, out) {
        (Format::Json, Some(path)) => {
            serde_json::to_writer(std::io::BufWriter::new(std::fs::File::create(path)?), &dump)?
        }
        (Format::Json, None) => serde_json::to_writer(std::io::stdout().lock(), &dump)?,
        (Format::Csv, Some(dir)) => dump.write_csv(dir)?,
        (Format::Csv, None) => {
            return Err(DumpError::Io(std::io::Error::other("CSV goes into a directory: give it with --out DIR")));
        }
    }
    Ok(())
}

/// Loads a dump (a JSON file, or a directory of CSV files) into an empty database, in one transaction.
pub async fn import(db: &DatabaseConnection, path: &Path) -> Result<(), DumpError> {
    let dump = if path.is_dir() {
        Dump::read_csv(path)?
    } else {
        serde_json::from_reader(std::io::BufReader::new(std::fs::File::open(path)?))?
    };
    if !crate::seed::is_empty(db).await? {
        return Err(DumpError::NotEmpty);
    }
    let txn = db.begin().await?;
    dump.insert(&txn).await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        // Rows came with their ids, so the sequences must be moved past them for the next insert.
        for table in SERIAL_TABLES {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"
            );
            txn.execute_unprepared(&sql).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
