//! For the BLS importer and salary analytics: an occupation's SOC level, whether a role is curated or
//! generated from a BLS occupation, jobs per 1,000, and the indexes the analytics read by.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Occupation {
    Table,
    SocGroup,
}

#[derive(DeriveIden)]
enum Role {
    Table,
    Curated,
}

#[derive(DeriveIden)]
enum SalaryRange {
    Table,
    #[sea_orm(iden = "jobs_per_1000")]
    JobsPer1000,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement. Rows that exist before this migration are the seed's:
        // detailed occupations and curated roles, hence the defaults.
        manager
            .alter_table(
                Table::alter()
                    .table(Occupation::Table)
                    .add_column(ColumnDef::new(Occupation::SocGroup).string_len(16).not_null().default("DETAILED"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Role::Table)
                    .add_column(ColumnDef::new(Role::Curated).boolean().not_null().default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SalaryRange::Table)
                    .add_column(ColumnDef::new(SalaryRange::JobsPer1000).double())
                    .to_owned(),
            )
            .await?;
        // Analytics always fix the pay period; these let a grouping read one period's rows by city or occupation.
        for (name, columns) in [
            ("idx_salary_range_period_city", ["period", "city_id", "occupation_id"]),
            ("idx_salary_range_period_occupation", ["period", "occupation_id", "city_id"]),
        ] {
            let mut index = Index::create().name(name).table(SalaryRange::Table).to_owned();
            for column in columns {
                index.col(Alias::new(column));
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["idx_salary_range_period_city", "idx_salary_range_period_occupation"] {
            manager.drop_index(Index::drop().name(name).table(SalaryRange::Table).to_owned()).await?;
        }
        manager
            .alter_table(Table::alter().table(SalaryRange::Table).drop_column(SalaryRange::JobsPer1000).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Role::Table).drop_column(Role::Curated).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Occupation::Table).drop_column(Occupation::SocGroup).to_owned())
            .await?;
        Ok(())
    }
}
