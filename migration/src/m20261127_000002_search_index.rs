//! The search index: one row per searchable object, matched by trigrams so near-misses still find it.
//! SQLite gets an FTS5 table with the trigram tokenizer; PostgreSQL a table with pg_trgm GIN indexes.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Sqlite => &[
                "CREATE VIRTUAL TABLE search_index USING fts5(kind UNINDEXED, ref_id UNINDEXED, title, body, tokenize = 'trigram')",
            ],
            DbBackend::Postgres => &[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE TABLE search_index (kind varchar(16) NOT NULL, ref_id integer NOT NULL, title text NOT NULL, body text NOT NULL, PRIMARY KEY (kind, ref_id))",
                "CREATE INDEX idx_search_index_title ON search_index USING gin (title gin_trgm_ops)",
                "CREATE INDEX idx_search_index_body ON search_index USING gin (body gin_trgm_ops)",
            ],
            backend => return Err(DbErr::Migration(format!("search is not built for {backend:?}"))),
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP TABLE search_index").await?;
        Ok(())
    }
}
