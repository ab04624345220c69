//! Writes: a `version` on every editable row (for optimistic concurrency), API keys, and the audit trail.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Version {
    Version,
}

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
    Name,
    Role,
    TokenHash,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Change {
    Table,
    Id,
    KeyName,
    Kind,
    EntityId,
    EntityKey,
    Action,
    Before,
    After,
    At,
}

/// The tables an editor can change; each row's `version` starts at 1 and goes up by one per change.
const VERSIONED: [&str; 5] = ["role", "skill", "tool", "city", "salary_range"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in VERSIONED {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(ColumnDef::new(Version::Version).integer().not_null().default(1))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(pk_auto(ApiKey::Id))
                    .col(string_uniq(ApiKey::Name))
                    .col(string_len(ApiKey::Role, 16))
                    .col(string_len(ApiKey::TokenHash, 64))
                    .col(string(ApiKey::CreatedAt))
                    .col(string_null(ApiKey::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Change::Table)
                    .col(pk_auto(Change::Id))
                    .col(string(Change::KeyName))
                    .col(string_len(Change::Kind, 32))
                    .col(integer(Change::EntityId))
                    .col(string(Change::EntityKey))
                    .col(string_len(Change::Action, 16))
                    .col(text_null(Change::Before))
                    .col(text_null(Change::After))
                    .col(string(Change::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_kind_entity")
                    .table(Change::Table)
                    .col(Change::Kind)
                    .col(Change::EntityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Change::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ApiKey::Table).to_owned()).await?;
        for table in VERSIONED {
            manager
                .alter_table(Table::alter().table(Alias::new(table)).drop_column(Version::Version).to_owned())
                .await?;
        }
        Ok(())
    }
}
