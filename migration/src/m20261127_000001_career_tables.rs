//! The career data model: occupations, roles, skills, tools, cities, salary ranges and their links.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Occupation {
    Table,
    Id,
    SocCode,
    Title,
}

#[derive(DeriveIden)]
enum Role {
    Table,
    Id,
    Slug,
    Title,
    Summary,
    OccupationId,
    OnetSocCode,
    SpecialisationOfId,
}

#[derive(DeriveIden)]
enum Responsibility {
    Table,
    Id,
    RoleId,
    Position,
    Description,
}

#[derive(DeriveIden)]
enum Skill {
    Table,
    Id,
    Slug,
    Name,
    Category,
    Description,
}

#[derive(DeriveIden)]
enum Tool {
    Table,
    Id,
    Slug,
    Name,
    Category,
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
    Slug,
    Name,
    State,
    AreaCode,
    AreaTitle,
    Kind,
    Hub,
}

#[derive(DeriveIden)]
enum SalaryRange {
    Table,
    Id,
    OccupationId,
    CityId,
    RoleId,
    Period,
    Currency,
    P10Cents,
    P25Cents,
    MedianCents,
    P75Cents,
    P90Cents,
    MeanCents,
    LowCents,
    HighCents,
    TopCoded,
    Employment,
    LocationQuotient,
    Source,
    ReferencePeriod,
    Year,
}

#[derive(DeriveIden)]
enum RoleSkill {
    Table,
    RoleId,
    SkillId,
    Rank,
}

#[derive(DeriveIden)]
enum RoleTool {
    Table,
    RoleId,
    ToolId,
    OnetExample,
    HotTechnology,
    InDemand,
}

#[derive(DeriveIden)]
enum SkillTool {
    Table,
    SkillId,
    ToolId,
}

/// A foreign key that removes the child rows with their parent.
fn cascade(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).to_owned()
}

/// A foreign key that refuses to remove a parent that still has children.
fn restrict(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Restrict).to_owned()
}

fn index(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).to_owned();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Occupation::Table)
                    .col(pk_auto(Occupation::Id))
                    .col(string_len_uniq(Occupation::SocCode, 7))
                    .col(string(Occupation::Title))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Role::Table)
                    .col(pk_auto(Role::Id))
                    .col(string_uniq(Role::Slug))
                    .col(string(Role::Title))
                    .col(text(Role::Summary))
                    .col(integer(Role::OccupationId))
                    .col(string_len_null(Role::OnetSocCode, 10))
                    .col(integer_null(Role::SpecialisationOfId))
                    .foreign_key(&mut restrict(
                        "fk_role_occupation",
                        (Role::Table, Role::OccupationId),
                        (Occupation::Table, Occupation::Id),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_specialisation_of")
                            .from(Role::Table, Role::SpecialisationOfId)
                            .to(Role::Table, Role::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Responsibility::Table)
                    .col(pk_auto(Responsibility::Id))
                    .col(integer(Responsibility::RoleId))
                    .col(integer(Responsibility::Position))
                    .col(text(Responsibility::Description))
                    .foreign_key(&mut cascade(
                        "fk_responsibility_role",
                        (Responsibility::Table, Responsibility::RoleId),
                        (Role::Table, Role::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Skill::Table)
                    .col(pk_auto(Skill::Id))
                    .col(string_uniq(Skill::Slug))
                    .col(string(Skill::Name))
                    .col(string_len(Skill::Category, 16))
                    .col(text(Skill::Description))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tool::Table)
                    .col(pk_auto(Tool::Id))
                    .col(string_uniq(Tool::Slug))
                    .col(string(Tool::Name))
                    .col(string_len(Tool::Category, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(City::Table)
                    .col(pk_auto(City::Id))
                    .col(string_uniq(City::Slug))
                    .col(string(City::Name))
                    .col(string_len_null(City::State, 2))
                    .col(string_len_uniq(City::AreaCode, 7))
                    .col(string(City::AreaTitle))
                    .col(string_len(City::Kind, 16))
                    .col(boolean(City::Hub).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SalaryRange::Table)
                    .col(pk_auto(SalaryRange::Id))
                    .col(integer(SalaryRange::OccupationId))
                    .col(integer(SalaryRange::CityId))
                    .col(integer_null(SalaryRange::RoleId))
                    .col(string_len(SalaryRange::Period, 8))
                    .col(string_len(SalaryRange::Currency, 3))
                    .col(big_integer_null(SalaryRange::P10Cents))
                    .col(big_integer_null(SalaryRange::P25Cents))
                    .col(big_integer_null(SalaryRange::MedianCents))
                    .col(big_integer_null(SalaryRange::P75Cents))
                    .col(big_integer_null(SalaryRange::P90Cents))
                    .col(big_integer_null(SalaryRange::MeanCents))
                    .col(big_integer_null(SalaryRange::LowCents))
                    .col(big_integer_null(SalaryRange::HighCents))
                    .col(string(SalaryRange::TopCoded).default(""))
                    .col(big_integer_null(SalaryRange::Employment))
                    .col(double_null(SalaryRange::LocationQuotient))
                    .col(string(SalaryRange::Source))
                    .col(string(SalaryRange::ReferencePeriod))
                    .col(integer_null(SalaryRange::Year))
                    .foreign_key(&mut restrict(
                        "fk_salary_range_occupation",
                        (SalaryRange::Table, SalaryRange::OccupationId),
                        (Occupation::Table, Occupation::Id),
                    ))
                    .foreign_key(&mut restrict(
                        "fk_salary_range_city",
                        (SalaryRange::Table, SalaryRange::CityId),
                        (City::Table, City::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_salary_range_role",
                        (SalaryRange::Table, SalaryRange::RoleId),
                        (Role::Table, Role::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleSkill::Table)
                    .col(integer(RoleSkill::RoleId))
                    .col(integer(RoleSkill::SkillId))
                    .col(integer(RoleSkill::Rank))
                    .primary_key(Index::create().col(RoleSkill::RoleId).col(RoleSkill::SkillId))
                    .foreign_key(&mut cascade(
                        "fk_role_skill_role",
                        (RoleSkill::Table, RoleSkill::RoleId),
                        (Role::Table, Role::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_role_skill_skill",
                        (RoleSkill::Table, RoleSkill::SkillId),
                        (Skill::Table, Skill::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleTool::Table)
                    .col(integer(RoleTool::RoleId))
                    .col(integer(RoleTool::ToolId))
                    .col(string_null(RoleTool::OnetExample))
                    .col(boolean_null(RoleTool::HotTechnology))
                    .col(boolean_null(RoleTool::InDemand))
                    .primary_key(Index::create().col(RoleTool::RoleId).col(RoleTool::ToolId))
                    .foreign_key(&mut cascade(
                        "fk_role_tool_role",
                        (RoleTool::Table, RoleTool::RoleId),
                        (Role::Table, Role::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_role_tool_tool",
                        (RoleTool::Table, RoleTool::ToolId),
                        (Tool::Table, Tool::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SkillTool::Table)
                    .col(integer(SkillTool::SkillId))
                    .col(integer(SkillTool::ToolId))
                    .primary_key(Index::create().col(SkillTool::SkillId).col(SkillTool::ToolId))
                    .foreign_key(&mut cascade(
                        "fk_skill_tool_skill",
                        (SkillTool::Table, SkillTool::SkillId),
                        (Skill::Table, Skill::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_skill_tool_tool",
                        (SkillTool::Table, SkillTool::ToolId),
                        (Tool::Table, Tool::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        // Every lookup the loaders make: by parent id on each side of a relation, in the order it is read.
        for statement in [
            index("idx_role_occupation", Role::Table, &["occupation_id"]),
            index("idx_role_specialisation_of", Role::Table, &["specialisation_of_id"]),
            index("idx_responsibility_role_position", Responsibility::Table, &["role_id", "position"])
                .unique()
                .to_owned(),
            index(
                "idx_salary_range_natural_key",
                SalaryRange::Table,
                &["source", "reference_period", "occupation_id", "city_id", "period"],
            )
            .unique()
            .to_owned(),
            index("idx_salary_range_occupation", SalaryRange::Table, &["occupation_id", "city_id"]),
            index("idx_salary_range_city", SalaryRange::Table, &["city_id"]),
            index("idx_salary_range_role", SalaryRange::Table, &["role_id"]),
            index("idx_role_skill_skill", RoleSkill::Table, &["skill_id"]),
            index("idx_role_tool_tool", RoleTool::Table, &["tool_id"]),
            index("idx_skill_tool_tool", SkillTool::Table, &["tool_id"]),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SkillTool::Table.into_iden(),
            RoleTool::Table.into_iden(),
            RoleSkill::Table.into_iden(),
            SalaryRange::Table.into_iden(),
            City::Table.into_iden(),
            Tool::Table.into_iden(),
            Skill::Table.into_iden(),
            Responsibility::Table.into_iden(),
            Role::Table.into_iden(),
            Occupation::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
