//! The compact real dataset compiled into the binary (see docs/data.md).
//!
//! `catalog.json` is careerql's editorial catalog written from the careers overview; the CSVs beside it are
//! generated from BLS OEWS May 2025 and O*NET 29.2 by `scripts/dev/build-seed.py`. Applying the seed upserts
//! every row by its natural key inside one transaction, so it is idempotent and never half-applied.
use std::collections::HashMap;

use entity::enums::{AreaKind, OccupationGroup, PayPeriod, SkillCategory, ToolCategory};
use entity::{city, occupation, responsibility, role, role_skill, role_tool, salary_range, skill, skill_tool, tool};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde::Deserialize;

use crate::domain::{BLS_SOURCE, Cents, bls_oews, onet_29_2, quoted};
use crate::store::{bump_version, record_source, salary_range_on_conflict, upsert};

const CATALOG: &str = include_str!("catalog.json");
const CITIES: &str = include_str!("cities.csv");
const OCCUPATIONS: &str = include_str!("occupations.csv");
const SALARY_RANGES: &str = include_str!("salary_ranges.csv");
const ROLE_TOOLS: &str = include_str!("role_tools.csv");

/// The files `scripts/dev/build-seed.py` builds the seed from, as each source row names them.
const BLS_FILE: &str = "oews/oews_may2025_metro_national_tech.csv";
const ONET_FILE: &str = "onet/onet_29_2_project_tools_x_occupations.csv";
const CAREERS_OVERVIEW: &str = "reference/backend-engineer-careers.txt";

/// Every BLS figure in the seed comes from this release.
pub const BLS_PERIOD: &str = "May 2025";
pub const BLS_YEAR: i32 = 2025;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed data is malformed: {0}")]
    Malformed(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn malformed(what: impl std::fmt::Display) -> SeedError {
    SeedError::Malformed(what.to_string())
}

#[derive(Deserialize)]
struct Catalog {
    roles: Vec<CatalogRole>,
    skills: Vec<CatalogSkill>,
    tools: Vec<CatalogTool>,
    glassdoor: Glassdoor,
}

#[derive(Deserialize)]
struct CatalogRole {
    slug: String,
    title: String,
    soc_code: String,
    onet_soc_code: String,
    specialisation_of: Option<String>,
    summary: String,
    responsibilities: Vec<String>,
    skills: Vec<String>,
}

#[derive(Deserialize)]
struct CatalogSkill {
    slug: String,
    name: String,
    category: String,
    description: String,
    tools: Vec<String>,
}

#[derive(Deserialize)]
struct CatalogTool {
    slug: String,
    name: String,
    category: String,
}

#[derive(Deserialize)]
struct Glassdoor {
    role: String,
    source: String,
    reference_period: String,
    mean: u32,
    low: u32,
    high: u32,
    high_is_lower_bound: bool,
}

#[derive(Deserialize)]
struct CityRow {
    slug: String,
    name: String,
    state: String,
    area_code: String,
    area_title: String,
    kind: String,
    hub: bool,
}

#[derive(Deserialize)]
struct OccupationRow {
    soc_code: String,
    title: String,
}

#[derive(Deserialize)]
struct SalaryRow {
    soc_code: String,
    area_code: String,
    period: String,
    p10: String,
    p25: String,
    median: String,
    p75: String,
    p90: String,
    mean: String,
    top_coded: String,
    employment: Option<i64>,
    location_quotient: Option<f64>,
    employment_rse: Option<f64>,
    mean_rse: Option<f64>,
    jobs_per_1000: Option<f64>,
}

#[derive(Deserialize)]
struct RoleToolRow {
    role: String,
    tool: String,
    onet_example: String,
    hot_technology: String,
    in_demand: String,
}

fn rows<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<Vec<T>, SeedError> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .map_err(|e| malformed(format!("{name}: {e}")))
}

fn enum_value<E: ActiveEnum<Value = String>>(text: &str) -> Result<E, SeedError> {
    E::try_from_value(&text.to_owned()).map_err(|_| malformed(format!("unknown value {text:?}")))
}

fn amount(text: &str) -> Result<Option<i64>, SeedError> {
    if text.is_empty() {
        return Ok(None);
    }
    Cents::parse(text).map(|c| Some(c.0)).map_err(malformed)
}

/// O*NET's `Y`/`N` flags; empty where O*NET does not list the tool.
fn flag(text: &str) -> Option<bool> {
    match text {
        "Y" => Some(true),
        "N" => Some(false),
        _ => None,
    }
}

/// Applies every pending migration, then, if any ran, builds the search index anew from the tables: a
/// migration may have made it (empty, beside rows that were already there) or changed what it holds.
pub async fn migrate(db: &crate::db::Db) -> Result<(), DbErr> {
    if db.migrate().await? > 0 {
        crate::search::reindex(&db.conn).await?;
    }
    Ok(())
}

/// True when the database holds no career data yet.
pub async fn is_empty(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(occupation::Entity::find().one(db).await?.is_none())
}

/// Upserts the whole seed in one transaction.
pub async fn apply(db: &DatabaseConnection) -> Result<(), SeedError> {
    let catalog: Catalog = serde_json::from_str(CATALOG).map_err(malformed)?;
    let txn = db.begin().await?;

    let occupations: Vec<OccupationRow> = rows("occupations.csv", OCCUPATIONS)?;
    upsert(
        &txn,
        occupations.iter().map(|o| occupation::ActiveModel {
            soc_code: Set(o.soc_code.clone()),
            title: Set(o.title.clone()),
            // The seed holds the detailed occupations its roles are paid as.
            soc_group: Set(OccupationGroup::Detailed),
            ..Default::default()
        }),
        OnConflict::column(occupation::Column::SocCode).update_column(occupation::Column::Title).to_owned(),
    )
    .await?;
    let occupation_ids: HashMap<String, i32> =
        occupation::Entity::find().all(&txn).await?.into_iter().map(|o| (o.soc_code, o.id)).collect();

    let mut role_rows = Vec::new();
    for r in &catalog.roles {
        role_rows.push(role::ActiveModel {
            slug: Set(r.slug.clone()),
            title: Set(r.title.clone()),
            summary: Set(r.summary.clone()),
            occupation_id: Set(*occupation_ids.get(&r.soc_code).ok_or_else(|| malformed(&r.soc_code))?),
            onet_soc_code: Set(Some(r.onet_soc_code.clone())),
            curated: Set(true),
            ..Default::default()
        });
    }
    upsert(
        &txn,
        role_rows,
        bump_version(
            OnConflict::column(role::Column::Slug).update_columns([
                role::Column::Title,
                role::Column::Summary,
                role::Column::OccupationId,
                role::Column::OnetSocCode,
            ]),
            role::Column::Version,
        )
        .to_owned(),
    )
    .await?;
    let role_ids: HashMap<String, i32> =
        role::Entity::find().all(&txn).await?.into_iter().map(|r| (r.slug, r.id)).collect();
    let id_of = |ids: &HashMap<String, i32>, slug: &str| {
        ids.get(slug).copied().ok_or_else(|| malformed(format!("unknown slug {slug:?}")))
    };

    for r in &catalog.roles {
        let parent = r.specialisation_of.as_deref().map(|p| id_of(&role_ids, p)).transpose()?;
        role::Entity::update_many()
            .col_expr(role::Column::SpecialisationOfId, parent.into())
            .filter(role::Column::Id.eq(id_of(&role_ids, &r.slug)?))
            .exec(&txn)
            .await?;
    }

    let seeded_roles: Vec<i32> = catalog.roles.iter().map(|r| id_of(&role_ids, &r.slug)).collect::<Result<_, _>>()?;
    responsibility::Entity::delete_many().filter(responsibility::Column::RoleId.is_in(seeded_roles)).exec(&txn).await?;
    let mut responsibilities = Vec::new();
    for r in &catalog.roles {
        for (position, text) in (1..).zip(&r.responsibilities) {
            responsibilities.push(responsibility::ActiveModel {
                role_id: Set(id_of(&role_ids, &r.slug)?),
                position: Set(position),
                description: Set(text.clone()),
                ..Default::default()
            });
        }
    }
    responsibility::Entity::insert_many(responsibilities).exec(&txn).await?;

    let mut skill_rows = Vec::new();
    for s in &catalog.skills {
        skill_rows.push(skill::ActiveModel {
            slug: Set(s.slug.clone()),
            name: Set(s.name.clone()),
            category: Set(enum_value::<SkillCategory>(&s.category.to_uppercase())?),
            description: Set(s.description.clone()),
            ..Default::default()
        });
    }
    upsert(
        &txn,
        skill_rows,
        bump_version(
            OnConflict::column(skill::Column::Slug).update_columns([
                skill::Column::Name,
                skill::Column::Category,
                skill::Column::Description,
            ]),
            skill::Column::Version,
        )
        .to_owned(),
    )
    .await?;
    let mut tool_rows = Vec::new();
    for t in &catalog.tools {
        tool_rows.push(tool::ActiveModel {
            slug: Set(t.slug.clone()),
            name: Set(t.name.clone()),
            category: Set(enum_value::<ToolCategory>(&t.category)?),
            ..Default::default()
        });
    }
    upsert(
        &txn,
        tool_rows,
        bump_version(
            OnConflict::column(tool::Column::Slug).update_columns([tool::Column::Name, tool::Column::Category]),
            tool::Column::Version,
        )
        .to_owned(),
    )
    .await?;
    let skill_ids: HashMap<String, i32> =
        skill::Entity::find().all(&txn).await?.into_iter().map(|s| (s.slug, s.id)).collect();
    let tool_ids: HashMap<String, i32> =
        tool::Entity::find().all(&txn).await?.into_iter().map(|t| (t.slug, t.id)).collect();

    let mut role_skills = Vec::new();
    for r in &catalog.roles {
        for (rank, slug) in (1..).zip(&r.skills) {
            role_skills.push(role_skill::ActiveModel {
                role_id: Set(id_of(&role_ids, &r.slug)?),
                skill_id: Set(id_of(&skill_ids, slug)?),
                rank: Set(rank),
            });
        }
    }
    upsert(
        &txn,
        role_skills,
        OnConflict::columns([role_skill::Column::RoleId, role_skill::Column::SkillId])
            .update_column(role_skill::Column::Rank)
            .to_owned(),
    )
    .await?;

    let mut skill_tools = Vec::new();
    for s in &catalog.skills {
        for slug in &s.tools {
            skill_tools.push(skill_tool::ActiveModel {
                skill_id: Set(id_of(&skill_ids, &s.slug)?),
                tool_id: Set(id_of(&tool_ids, slug)?),
            });
        }
    }
    upsert(
        &txn,
        skill_tools,
        OnConflict::columns([skill_tool::Column::SkillId, skill_tool::Column::ToolId]).do_nothing().to_owned(),
    )
    .await?;

    let mut role_tools = Vec::new();
    let links = rows::<RoleToolRow>("role_tools.csv", ROLE_TOOLS)?;
    let onet_links = links.iter().filter(|l| !l.onet_example.is_empty()).count() as u64;
    record_source(&txn, &onet_29_2(), Some(ONET_FILE), onet_links).await?;
    for link in links {
        role_tools.push(role_tool::ActiveModel {
            role_id: Set(id_of(&role_ids, &link.role)?),
            tool_id: Set(id_of(&tool_ids, &link.tool)?),
            onet_example: Set(Some(link.onet_example).filter(|e| !e.is_empty())),
            hot_technology: Set(flag(&link.hot_technology)),
            in_demand: Set(flag(&link.in_demand)),
        });
    }
    upsert(
        &txn,
        role_tools,
        OnConflict::columns([role_tool::Column::RoleId, role_tool::Column::ToolId])
            .update_columns([
                role_tool::Column::OnetExample,
                role_tool::Column::HotTechnology,
                role_tool::Column::InDemand,
            ])
            .to_owned(),
    )
    .await?;

    let mut city_rows = Vec::new();
    for c in rows::<CityRow>("cities.csv", CITIES)? {
        city_rows.push(city::ActiveModel {
            slug: Set(c.slug),
            name: Set(c.name),
            state: Set(Some(c.state).filter(|s| !s.is_empty())),
            area_code: Set(c.area_code),
            area_title: Set(c.area_title),
            kind: Set(enum_value::<AreaKind>(&c.kind)?),
            hub: Set(c.hub),
            ..Default::default()
        });
    }
    upsert(
        &txn,
        city_rows,
        bump_version(
            OnConflict::column(city::Column::AreaCode).update_columns([
                city::Column::Slug,
                city::Column::Name,
                city::Column::State,
                city::Column::AreaTitle,
                city::Column::Kind,
                city::Column::Hub,
            ]),
            city::Column::Version,
        )
        .to_owned(),
    )
    .await?;
    let cities = city::Entity::find().all(&txn).await?;
    let city_ids: HashMap<&str, i32> = cities.iter().map(|c| (c.area_code.as_str(), c.id)).collect();
    let nation = cities.iter().find(|c| c.kind == AreaKind::National).ok_or_else(|| malformed("no national area"))?.id;

    let mut ranges = Vec::new();
    let salary_rows = rows::<SalaryRow>("salary_ranges.csv", SALARY_RANGES)?;
    // Two ranges (annual and hourly) per line of the BLS file.
    let bls_lines = salary_rows.len() as u64 / 2;
    for s in salary_rows {
        ranges.push(salary_range::ActiveModel {
            occupation_id: Set(*occupation_ids.get(&s.soc_code).ok_or_else(|| malformed(&s.soc_code))?),
            city_id: Set(*city_ids.get(s.area_code.as_str()).ok_or_else(|| malformed(&s.area_code))?),
            role_id: Set(None),
            period: Set(enum_value::<PayPeriod>(&s.period)?),
            currency: Set("USD".into()),
            p10_cents: Set(amount(&s.p10)?),
            p25_cents: Set(amount(&s.p25)?),
            median_cents: Set(amount(&s.median)?),
            p75_cents: Set(amount(&s.p75)?),
            p90_cents: Set(amount(&s.p90)?),
            mean_cents: Set(amount(&s.mean)?),
            low_cents: Set(None),
            high_cents: Set(None),
            top_coded: Set(s.top_coded.replace("pct", "p")),
            employment: Set(s.employment),
            location_quotient: Set(s.location_quotient),
            jobs_per_1000: Set(s.jobs_per_1000),
            employment_rse: Set(s.employment_rse),
            mean_rse: Set(s.mean_rse),
            source: Set(BLS_SOURCE.into()),
            reference_period: Set(BLS_PERIOD.into()),
            year: Set(Some(BLS_YEAR)),
            ..Default::default()
        });
    }
    let g = &catalog.glassdoor;
    let glassdoor_role =
        role::Entity::find_by_id(id_of(&role_ids, &g.role)?).one(&txn).await?.ok_or_else(|| malformed(&g.role))?;
    ranges.push(salary_range::ActiveModel {
        occupation_id: Set(glassdoor_role.occupation_id),
        city_id: Set(nation),
        role_id: Set(Some(glassdoor_role.id)),
        period: Set(PayPeriod::Annual),
        currency: Set("USD".into()),
        p10_cents: Set(None),
        p25_cents: Set(None),
        median_cents: Set(None),
        p75_cents: Set(None),
        p90_cents: Set(None),
        mean_cents: Set(Some(Cents::whole_units(i64::from(g.mean)).0)),
        low_cents: Set(Some(Cents::whole_units(i64::from(g.low)).0)),
        high_cents: Set(Some(Cents::whole_units(i64::from(g.high)).0)),
        top_coded: Set(if g.high_is_lower_bound { "high".into() } else { String::new() }),
        employment: Set(None),
        location_quotient: Set(None),
        jobs_per_1000: Set(None),
        employment_rse: Set(None),
        mean_rse: Set(None),
        source: Set(g.source.clone()),
        reference_period: Set(g.reference_period.clone()),
        year: Set(None),
        ..Default::default()
    });
    upsert(&txn, ranges, salary_range_on_conflict()).await?;
    record_source(&txn, &bls_oews(BLS_PERIOD), Some(BLS_FILE), bls_lines).await?;
    let glassdoor = quoted(
        &g.source,
        &g.reference_period,
        "Glassdoor",
        "Average base salary of a senior backend engineer in the United States, with its range, as the careers overview quotes it",
    );
    record_source(&txn, &glassdoor, Some(CAREERS_OVERVIEW), 1).await?;

    crate::search::reindex(&txn).await?;
    txn.commit().await?;
    Ok(())
}
