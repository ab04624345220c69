//! Schema migrations, one file per change, named by date. They run on SQLite and PostgreSQL alike.
pub use sea_orm_migration::prelude::*;

mod m20261127_000001_career_tables;
mod m20261127_000002_search_index;
mod m20261201_000003_analytics;
mod m20261202_000004_writes;
mod m20261203_000005_sources_reliability;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_career_tables::Migration),
            Box::new(m20261127_000002_search_index::Migration),
            Box::new(m20261201_000003_analytics::Migration),
            Box::new(m20261202_000004_writes::Migration),
            Box::new(m20261203_000005_sources_reliability::Migration),
        ]
    }
}
