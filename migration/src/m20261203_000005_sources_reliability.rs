//! Provenance and reliability: a `source` row for each dataset careerql reads (publisher, release, license,
//! attribution, when it was loaded), and the relative standard errors BLS publishes beside each employment
//! figure (`EMP_PRSE`) and mean wage (`MEAN_PRSE`).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Source {
    Table,
    Id,
    Slug,
    Name,
    Publisher,
    Title,
    Release,
    ReferencePeriod,
    PublishedOn,
    License,
    LicenseUrl,
    Attribution,
    Url,
    File,
    RowsImported,
    ImportedAt,
}

#[derive(DeriveIden)]
enum SalaryRange {
    Table,
    EmploymentRse,
    MeanRse,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Source::Table)
                    .col(pk_auto(Source::Id))
                    .col(string_uniq(Source::Slug))
                    .col(string(Source::Name))
                    .col(string(Source::Publisher))
                    .col(string(Source::Title))
                    .col(string_null(Source::Release))
                    .col(string_null(Source::ReferencePeriod))
                    .col(string_null(Source::PublishedOn))
                    .col(string_null(Source::License))
                    .col(string_null(Source::LicenseUrl))
                    .col(text(Source::Attribution))
                    .col(string_null(Source::Url))
                    .col(string_null(Source::File))
                    .col(big_integer_null(Source::RowsImported))
                    .col(string_null(Source::ImportedAt))
                    .to_owned(),
            )
            .await?;
        // SQLite alters one column per statement.
        for column in [SalaryRange::EmploymentRse, SalaryRange::MeanRse] {
            manager
                .alter_table(
                    Table::alter().table(SalaryRange::Table).add_column(ColumnDef::new(column).double()).to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [SalaryRange::EmploymentRse, SalaryRange::MeanRse] {
            manager.alter_table(Table::alter().table(SalaryRange::Table).drop_column(column).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(Source::Table).to_owned()).await
    }
}
