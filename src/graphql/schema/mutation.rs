//! The root `Mutation`: create, update and delete for every kind, and attach/detach for the links.
//!
//! Each field checks the caller's key, validates its input into values that can only be valid
//! (`crate::domain`), and writes in one transaction through [`Write`]. An update replaces every field of
//! the row and names the `version` it read: if the row has moved on since, nothing is written and the
//! payload says `CONFLICT`.
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::{city, occupation, role, role_skill, role_tool, salary_range, skill, skill_tool, tool};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter};

use crate::auth::KeyRole;
use crate::domain::{self, Cents, DomainError, OnetSocCode, Slug, SocCode, bounded_text};
use crate::events::{ChangeAction, ChangeEvent};
use crate::graphql::error::{ApiError, ErrorCode};
use crate::graphql::schema::types::city::{AreaKind, City};
use crate::graphql::schema::types::role::Role;
use crate::graphql::schema::types::salary_range::{PayPeriod, SalaryRange, WageStatistic};
use crate::graphql::schema::types::skill::{Skill, SkillCategory};
use crate::graphql::schema::types::tool::{Tool, ToolCategory};
use crate::graphql::schema::types::{IdType, global_id, parse_global_id};
use crate::graphql::schema::write::{Checks, Editable, Failure, Slugged, UserError, Write, find_row};

const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 2000;

pub struct Mutation;

/// Declares a payload: the changed object (null when nothing was written) and what was wrong.
macro_rules! payload {
    ($name:ident, $field:ident, $object:ident, $model:path) => {
        #[derive(SimpleObject)]
        pub struct $name {
            /// The object as it is after the change; null if nothing was written.
            pub $field: Option<$object>,
            /// Why nothing was written; empty on success.
            pub user_errors: Vec<UserError>,
        }

        impl From<Result<$model, Vec<UserError>>> for $name {
            fn from(outcome: Result<$model, Vec<UserError>>) -> Self {
                match outcome {
                    Ok(model) => Self { $field: Some($object(model)), user_errors: Vec::new() },
                    Err(user_errors) => Self { $field: None, user_errors },
                }
            }
        }
    };
}

payload!(RolePayload, role, Role, role::Model);
payload!(SkillPayload, skill, Skill, skill::Model);
payload!(ToolPayload, tool, Tool, tool::Model);
payload!(CityPayload, city, City, city::Model);
payload!(SalaryRangePayload, salary_range, SalaryRange, salary_range::Model);

#[derive(SimpleObject)]
pub struct DeletePayload {
    /// The global ID of the deleted object; null if nothing was deleted.
    pub deleted_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

impl DeletePayload {
    fn from(outcome: Result<ID, Vec<UserError>>) -> Self {
        match outcome {
            Ok(id) => Self { deleted_id: Some(id), user_errors: Vec::new() },
            Err(user_errors) => Self { deleted_id: None, user_errors },
        }
    }
}

/// A career role. `socCode` names the BLS occupation whose wages stand for it.
#[derive(InputObject)]
pub struct RoleInput {
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// The SOC code of an occupation careerql has, e.g. `15-1252`.
    pub soc_code: String,
    /// E.g. `15-1252.00`.
    pub onet_soc_code: Option<String>,
    /// The slug of the broader role this one specialises.
    pub specialisation_of: Option<String>,
}

#[derive(InputObject)]
pub struct SkillInput {
    pub slug: String,
    pub name: String,
    pub category: SkillCategory,
    pub description: String,
}

#[derive(InputObject)]
pub struct ToolInput {
    pub slug: String,
    pub name: String,
    pub category: ToolCategory,
}

#[derive(InputObject)]
pub struct CityInput {
    pub slug: String,
    pub name: String,
    /// Two-letter postal code of the principal state; null for the nation.
    pub state: Option<String>,
    /// The BLS area code: one to seven digits.
    pub area_code: String,
    pub area_title: String,
    pub kind: AreaKind,
    #[graphql(default)]
    pub hub: bool,
}

/// A wage distribution. Amounts are in `currency` units per `period`, at most two decimals; percentiles
/// must not fall from `p10` to `p90`, nor `low` exceed `high`.
#[derive(InputObject)]
pub struct SalaryRangeInput {
    pub soc_code: String,
    /// The city's slug.
    pub city: String,
    /// The slug of the role this range describes alone; null for the whole occupation.
    pub role: Option<String>,
    pub period: PayPeriod,
    /// ISO 4217 code.
    #[graphql(default_with = "\"USD\".to_owned()")]
    pub currency: String,
    pub p10: Option<f64>,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
    pub mean: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Statistics whose amount is the source's lower bound ("at or above").
    #[graphql(default)]
    pub top_coded: Vec<WageStatistic>,
    pub employment: Option<i32>,
    pub location_quotient: Option<f64>,
    pub jobs_per_1000: Option<f64>,
    pub source: String,
    /// E.g. `May 2025`.
    pub reference_period: String,
    pub year: Option<i32>,
}

async fn occupation_id(write: &Write, checks: &mut Checks, soc_code: &str) -> Result<i32, Failure> {
    if let Err(error) = SocCode::parse(soc_code) {
        checks.field::<()>("socCode", Err(error));
        return Ok(0);
    }
    let found = occupation::Entity::find().filter(occupation::Column::SocCode.eq(soc_code)).one(write.txn()).await?;
    Ok(found.map_or_else(
        || {
            let message = format!("socCode: careerql has no occupation with SOC code {soc_code:?}");
            checks.add(UserError::new(&["input", "socCode"], ErrorCode::NotFound, message));
            0
        },
        |o| o.id,
    ))
}

/// The id of the row of `E` with this slug, or an error on `field` of the input.
async fn id_by_slug<E: Editable>(
    write: &Write,
    checks: &mut Checks,
    column: E::Column,
    field: &str,
    slug: &str,
) -> Result<i32, Failure> {
    match find_row::<E>(write.txn(), column, slug, &["input", field]).await {
        Ok(model) => Ok(E::id(&model)),
        Err(Failure::User(errors)) => {
            errors.into_iter().for_each(|error| checks.add(error));
            Ok(0)
        }
        Err(failure) => Err(failure),
    }
}

/// An input that becomes one row of `Entity`: checked field by field, with what it refers to (an occupation's
/// SOC code, a city's slug) looked up in the write's transaction. Creates and updates both parse through it.
trait RowInput {
    type Entity: Editable<ActiveModel: sea_orm::ActiveModelBehavior>;

    async fn parse(self, write: &Write) -> Result<<Self::Entity as EntityTrait>::ActiveModel, Failure>;

    /// What a new row holds beyond its input, which an update leaves as it was.
    fn created(row: <Self::Entity as EntityTrait>::ActiveModel) -> <Self::Entity as EntityTrait>::ActiveModel {
        row
    }
}

impl RowInput for RoleInput {
    type Entity = role::Entity;

    async fn parse(self, write: &Write) -> Result<role::ActiveModel, Failure> {
        let mut checks = Checks::default();
        let slug = checks.field("slug", Slug::parse(&self.slug).map(Slug::into_string));
        let title = checks.field("title", bounded_text(&self.title, MAX_NAME));
        let summary = checks.field("summary", bounded_text(&self.summary, MAX_TEXT));
        let onet = checks
            .optional("onetSocCode", self.onet_soc_code, |c| OnetSocCode::parse(&c).map(OnetSocCode::into_string));
        let occupation_id = occupation_id(write, &mut checks, &self.soc_code).await?;
        let specialisation_of_id = match &self.specialisation_of {
            Some(parent) => Some(
                id_by_slug::<role::Entity>(write, &mut checks, role::Column::Slug, "specialisationOf", parent).await?,
            ),
            None => None,
        };
        checks.finish()?;
        Ok(role::ActiveModel {
            slug: Set(slug),
            title: Set(title),
            summary: Set(summary),
            occupation_id: Set(occupation_id),
            onet_soc_code: Set(onet),
            specialisation_of_id: Set(specialisation_of_id),
            ..Default::default()
        })
    }

    /// The importer makes roles from BLS occupations; a role made through the API is one of the catalog's own.
    fn created(mut row: role::ActiveModel) -> role::ActiveModel {
        row.curated = Set(true);
        row
    }
}

impl RowInput for SkillInput {
    type Entity = skill::Entity;

    async fn parse(self, _: &Write) -> Result<skill::ActiveModel, Failure> {
        let mut checks = Checks::default();
        let slug = checks.field("slug", Slug::parse(&self.slug).map(Slug::into_string));
        let name = checks.field("name", bounded_text(&self.name, MAX_NAME));
        let description = checks.field("description", bounded_text(&self.description, MAX_TEXT));
        checks.finish()?;
        Ok(skill::ActiveModel {
            slug: Set(slug),
            name: Set(name),
            category: Set(self.category.into()),
            description: Set(description),
            ..Default::default()
        })
    }
}

impl RowInput for ToolInput {
    type Entity = tool::Entity;

    async fn parse(self, _: &Write) -> Result<tool::ActiveModel, Failure> {
        let mut checks = Checks::default();
        let slug = checks.field("slug", Slug::parse(&self.slug).map(Slug::into_string));
        let name = checks.field("name", bounded_text(&self.name, MAX_NAME));
        checks.finish()?;
        Ok(tool::ActiveModel {
            slug: Set(slug),
            name: Set(name),
            category: Set(self.category.into()),
            ..Default::default()
        })
    }
}

impl RowInput for CityInput {
    type Entity = city::Entity;

    async fn parse(self, _: &Write) -> Result<city::ActiveModel, Failure> {
        let mut checks = Checks::default();
        let slug = checks.field("slug", Slug::parse(&self.slug).map(Slug::into_string));
        let name = checks.field("name", bounded_text(&self.name, MAX_NAME));
        let state = checks.optional("state", self.state, |s| domain::state(&s));
        let area_code = checks.field("areaCode", domain::area_code(&self.area_code));
        let area_title = checks.field("areaTitle", bounded_text(&self.area_title, MAX_NAME));
        checks.finish()?;
        Ok(city::ActiveModel {
            slug: Set(slug),
            name: Set(name),
            state: Set(state),
            area_code: Set(area_code),
            area_title: Set(area_title),
            kind: Set(self.kind.into()),
            hub: Set(self.hub),
            ..Default::default()
        })
    }
}

impl RowInput for SalaryRangeInput {
    type Entity = salary_range::Entity;

    async fn parse(self, write: &Write) -> Result<salary_range::ActiveModel, Failure> {
        let mut checks = Checks::default();
        let mut amount = |field: &str, units: Option<f64>| checks.optional(field, units, Cents::from_units);
        let [p10, p25, median, p75, p90, mean, low, high] = [
            ("p10", self.p10),
            ("p25", self.p25),
            ("median", self.median),
            ("p75", self.p75),
            ("p90", self.p90),
            ("mean", self.mean),
            ("low", self.low),
            ("high", self.high),
        ]
        .map(|(field, units)| amount(field, units));
        let percentiles = [("p10", p10), ("p25", p25), ("median", median), ("p75", p75), ("p90", p90)];
        for amounts in [&percentiles[..], &[("low", low), ("high", high)]] {
            if let Err(error @ DomainError::OutOfOrder(field, _)) = domain::in_order(amounts) {
                checks.field::<()>(field, Err(error));
            }
        }
        let given = |statistic: WageStatistic| match statistic {
            WageStatistic::P10 => p10,
            WageStatistic::P25 => p25,
            WageStatistic::Median => median,
            WageStatistic::P75 => p75,
            WageStatistic::P90 => p90,
            WageStatistic::Mean => mean,
            WageStatistic::Low => low,
            WageStatistic::High => high,
        };
        for statistic in self.top_coded.iter().filter(|s| given(**s).is_none()) {
            let message = format!("topCoded: {} is listed as top-coded but has no amount", statistic.name());
            checks.add(UserError::new(&["input", "topCoded"], ErrorCode::BadUserInput, message));
        }
        let currency = checks.field("currency", domain::currency(&self.currency));
        let employment = checks.optional("employment", self.employment, |e| domain::count(e.into()));
        let location_quotient = checks.optional("locationQuotient", self.location_quotient, domain::ratio);
        let jobs_per_1000 = checks.optional("jobsPer1000", self.jobs_per_1000, domain::ratio);
        let source = checks.field("source", bounded_text(&self.source, 100));
        let reference_period = checks.field("referencePeriod", bounded_text(&self.reference_period, 50));
        let year = checks.optional("year", self.year, domain::year);
        let occupation_id = occupation_id(write, &mut checks, &self.soc_code).await?;
        let city_id = id_by_slug::<city::Entity>(write, &mut checks, city::Column::Slug, "city", &self.city).await?;
        let role_id = match &self.role {
            Some(role) => Some(id_by_slug::<role::Entity>(write, &mut checks, role::Column::Slug, "role", role).await?),
            None => None,
        };
        checks.finish()?;
        let cents = |amount: Option<Cents>| Set(amount.map(|c| c.0));
        let top_coded: Vec<&str> = self.top_coded.iter().map(|s| s.name()).collect();
        Ok(salary_range::ActiveModel {
            occupation_id: Set(occupation_id),
            city_id: Set(city_id),
            role_id: Set(role_id),
            period: Set(self.period.into()),
            currency: Set(currency),
            p10_cents: cents(p10),
            p25_cents: cents(p25),
            median_cents: cents(median),
            p75_cents: cents(p75),
            p90_cents: cents(p90),
            mean_cents: cents(mean),
            low_cents: cents(low),
            high_cents: cents(high),
            top_coded: Set(top_coded.join(" ")),
            employment: Set(employment),
            location_quotient: Set(location_quotient),
            jobs_per_1000: Set(jobs_per_1000),
            source: Set(source),
            reference_period: Set(reference_period),
            year: Set(year),
            ..Default::default()
        })
    }
}

/// The salary range a global ID names, or why not.
async fn find_salary_range(write: &Write, id: &ID) -> Result<salary_range::Model, Failure> {
    match parse_global_id(id) {
        Some((IdType::SalaryRange, row)) => {
            find_row::<salary_range::Entity>(write.txn(), salary_range::Column::Id, row, &["id"]).await
        }
        _ => Err(UserError::new(
            &["id"],
            ErrorCode::BadUserInput,
            format!("id: {:?} is not a salary range's ID", id.as_str()),
        )
        .into()),
    }
}

/// The event a change to a row's links makes: the row changed.
fn link_event<E: Editable>(parent: &E::Model) -> ChangeEvent {
    ChangeEvent {
        kind: E::KIND,
        action: ChangeAction::Update,
        id: E::id(parent),
        key: E::key(parent),
        version: Some(E::version(parent)),
    }
}

/// The row a delete names, then the delete, each with its own rule (see docs/writes.md, "Deleting").
async fn delete<E: Editable>(write: &mut Write, before: Result<E::Model, Failure>, ty: IdType) -> Result<ID, Failure> {
    let before = before?;
    let id = E::id(&before);
    write.delete::<E>(before).await?;
    Ok(global_id(ty, id))
}

/// The outcome of a create or an update: the row as it is now, or why nothing was written.
type Written<I> = Result<Result<<<I as RowInput>::Entity as EntityTrait>::Model, Vec<UserError>>, ApiError>;

/// Creates a row from `input` (editor).
async fn create_row<I: RowInput>(ctx: &Context<'_>, input: I) -> Written<I> {
    let mut write = Write::begin(ctx, KeyRole::Editor).await?;
    let outcome = async {
        let row = I::created(input.parse(&write).await?);
        write.create::<I::Entity>(row).await
    }
    .await;
    write.finish(outcome).await
}

/// Replaces every field of the row `find` finds with `input`, if it is still at `expected_version` (editor).
async fn update_row<I: RowInput>(
    ctx: &Context<'_>,
    find: impl AsyncFnOnce(&Write) -> Result<<I::Entity as EntityTrait>::Model, Failure>,
    expected_version: i32,
    input: I,
) -> Written<I> {
    let mut write = Write::begin(ctx, KeyRole::Editor).await?;
    let outcome = async {
        let before = find(&write).await?;
        let row = input.parse(&write).await?;
        write.update::<I::Entity>(before, row, expected_version).await
    }
    .await;
    write.finish(outcome).await
}

/// As [`update_row`], for the row whose slug is `slug`.
async fn update_by_slug<I: RowInput<Entity: Slugged>>(
    ctx: &Context<'_>,
    slug: &str,
    expected_version: i32,
    input: I,
) -> Written<I> {
    let find = async |write: &Write| write.find::<I::Entity>(I::Entity::slug_column(), slug, &["slug"]).await;
    update_row(ctx, find, expected_version, input).await
}

/// Deletes the row whose slug is `slug` (admin), for kinds that cascade.
async fn delete_by_slug<E: Slugged>(ctx: &Context<'_>, slug: &str, ty: IdType) -> Result<DeletePayload, ApiError> {
    let mut write = Write::begin(ctx, KeyRole::Admin).await?;
    let before = write.find::<E>(E::slug_column(), slug, &["slug"]).await;
    let outcome = delete::<E>(&mut write, before, ty).await;
    write.finish(outcome).await.map(DeletePayload::from)
}

#[Object]
impl Mutation {
    /// Creates a role (editor). Its `version` starts at 1.
    async fn create_role(&self, ctx: &Context<'_>, input: RoleInput) -> Result<RolePayload, ApiError> {
        create_row(ctx, input).await.map(RolePayload::from)
    }

    /// Replaces every field of the role `slug` (editor), if it is still at `expectedVersion`.
    async fn update_role(
        &self,
        ctx: &Context<'_>,
        slug: String,
        expected_version: i32,
        input: RoleInput,
    ) -> Result<RolePayload, ApiError> {
        update_by_slug(ctx, &slug, expected_version, input).await.map(RolePayload::from)
    }

    /// Deletes a role (admin), with its responsibilities, links and role-only salary ranges; roles that
    /// specialised it no longer specialise anything.
    async fn delete_role(&self, ctx: &Context<'_>, slug: String) -> Result<DeletePayload, ApiError> {
        delete_by_slug::<role::Entity>(ctx, &slug, IdType::Role).await
    }

    async fn create_skill(&self, ctx: &Context<'_>, input: SkillInput) -> Result<SkillPayload, ApiError> {
        create_row(ctx, input).await.map(SkillPayload::from)
    }

    async fn update_skill(
        &self,
        ctx: &Context<'_>,
        slug: String,
        expected_version: i32,
        input: SkillInput,
    ) -> Result<SkillPayload, ApiError> {
        update_by_slug(ctx, &slug, expected_version, input).await.map(SkillPayload::from)
    }

    /// Deletes a skill (admin) and its links to roles and tools.
    async fn delete_skill(&self, ctx: &Context<'_>, slug: String) -> Result<DeletePayload, ApiError> {
        delete_by_slug::<skill::Entity>(ctx, &slug, IdType::Skill).await
    }

    async fn create_tool(&self, ctx: &Context<'_>, input: ToolInput) -> Result<ToolPayload, ApiError> {
        create_row(ctx, input).await.map(ToolPayload::from)
    }

    async fn update_tool(
        &self,
        ctx: &Context<'_>,
        slug: String,
        expected_version: i32,
        input: ToolInput,
    ) -> Result<ToolPayload, ApiError> {
        update_by_slug(ctx, &slug, expected_version, input).await.map(ToolPayload::from)
    }

    /// Deletes a tool (admin) and its links to roles and skills.
    async fn delete_tool(&self, ctx: &Context<'_>, slug: String) -> Result<DeletePayload, ApiError> {
        delete_by_slug::<tool::Entity>(ctx, &slug, IdType::Tool).await
    }

    async fn create_city(&self, ctx: &Context<'_>, input: CityInput) -> Result<CityPayload, ApiError> {
        create_row(ctx, input).await.map(CityPayload::from)
    }

    async fn update_city(
        &self,
        ctx: &Context<'_>,
        slug: String,
        expected_version: i32,
        input: CityInput,
    ) -> Result<CityPayload, ApiError> {
        update_by_slug(ctx, &slug, expected_version, input).await.map(CityPayload::from)
    }

    /// Deletes a city (admin); refused (`CONFLICT`) while any salary range is published for it.
    async fn delete_city(&self, ctx: &Context<'_>, slug: String) -> Result<DeletePayload, ApiError> {
        let mut write = Write::begin(ctx, KeyRole::Admin).await?;
        let before = write.find::<city::Entity>(city::Column::Slug, &slug, &["slug"]).await;
        let outcome = async {
            let before = before?;
            let ranges = salary_range::Entity::find()
                .filter(salary_range::Column::CityId.eq(before.id))
                .count(write.txn())
                .await?;
            if ranges > 0 {
                let message = format!("slug: {slug:?} has {ranges} salary range(s); delete them first");
                return Err(UserError::new(&["slug"], ErrorCode::Conflict, message).into());
            }
            delete::<city::Entity>(&mut write, Ok(before), IdType::City).await
        }
        .await;
        write.finish(outcome).await.map(DeletePayload::from)
    }

    async fn create_salary_range(
        &self,
        ctx: &Context<'_>,
        input: SalaryRangeInput,
    ) -> Result<SalaryRangePayload, ApiError> {
        create_row(ctx, input).await.map(SalaryRangePayload::from)
    }

    async fn update_salary_range(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i32,
        input: SalaryRangeInput,
    ) -> Result<SalaryRangePayload, ApiError> {
        let find = async |write: &Write| find_salary_range(write, &id).await;
        update_row(ctx, find, expected_version, input).await.map(SalaryRangePayload::from)
    }

    /// Deletes a salary range (admin); nothing depends on one.
    async fn delete_salary_range(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload, ApiError> {
        let mut write = Write::begin(ctx, KeyRole::Admin).await?;
        let before = find_salary_range(&write, &id).await;
        let outcome = delete::<salary_range::Entity>(&mut write, before, IdType::SalaryRange).await;
        write.finish(outcome).await.map(DeletePayload::from)
    }

    /// Says a role needs a skill, at `rank` (1 = most important); sets the rank if it already did (editor).
    async fn attach_skill_to_role(
        &self,
        ctx: &Context<'_>,
        role: String,
        skill: String,
        rank: i32,
    ) -> Result<RolePayload, ApiError> {
        let ends = Ends::<role::Entity, skill::Entity>::new("role_skill", ("role", &role), ("skill", &skill));
        let link = |role_id, skill_id| {
            if (1..=1000).contains(&rank) {
                Ok(role_skill::Model { role_id, skill_id, rank })
            } else {
                Err(UserError::new(
                    &["rank"],
                    ErrorCode::BadUserInput,
                    format!("rank: {rank} is not between 1 and 1000"),
                )
                .into())
            }
        };
        attach::<_, _, role_skill::Entity>(ctx, ends, link).await.map(RolePayload::from)
    }

    /// Says a role no longer needs a skill (editor).
    async fn detach_skill_from_role(
        &self,
        ctx: &Context<'_>,
        role: String,
        skill: String,
    ) -> Result<RolePayload, ApiError> {
        let ends = Ends::<role::Entity, skill::Entity>::new("role_skill", ("role", &role), ("skill", &skill));
        detach::<_, _, role_skill::Entity>(ctx, ends).await.map(RolePayload::from)
    }

    /// Says a role uses a tool, with O*NET's flags if known; replaces them if it already did (editor).
    async fn attach_tool_to_role(
        &self,
        ctx: &Context<'_>,
        role: String,
        tool: String,
        onet_example: Option<String>,
        hot_technology: Option<bool>,
        in_demand: Option<bool>,
    ) -> Result<RolePayload, ApiError> {
        let ends = Ends::<role::Entity, tool::Entity>::new("role_tool", ("role", &role), ("tool", &tool));
        let link = |role_id, tool_id| {
            let mut checks = Checks::default();
            let onet_example = checks.optional("onetExample", onet_example, |e| bounded_text(&e, MAX_NAME));
            checks.finish()?;
            Ok(role_tool::Model { role_id, tool_id, onet_example, hot_technology, in_demand })
        };
        attach::<_, _, role_tool::Entity>(ctx, ends, link).await.map(RolePayload::from)
    }

    /// Says a role no longer uses a tool (editor).
    async fn detach_tool_from_role(
        &self,
        ctx: &Context<'_>,
        role: String,
        tool: String,
    ) -> Result<RolePayload, ApiError> {
        let ends = Ends::<role::Entity, tool::Entity>::new("role_tool", ("role", &role), ("tool", &tool));
        detach::<_, _, role_tool::Entity>(ctx, ends).await.map(RolePayload::from)
    }

    /// Says a tool practises a skill (editor); attaching it again changes nothing.
    async fn attach_tool_to_skill(
        &self,
        ctx: &Context<'_>,
        skill: String,
        tool: String,
    ) -> Result<SkillPayload, ApiError> {
        let ends = Ends::<skill::Entity, tool::Entity>::new("skill_tool", ("skill", &skill), ("tool", &tool));
        let link = |skill_id, tool_id| Ok(skill_tool::Model { skill_id, tool_id });
        attach::<_, _, skill_tool::Entity>(ctx, ends, link).await.map(SkillPayload::from)
    }

    /// Says a tool no longer practises a skill (editor).
    async fn detach_tool_from_skill(
        &self,
        ctx: &Context<'_>,
        skill: String,
        tool: String,
    ) -> Result<SkillPayload, ApiError> {
        let ends = Ends::<skill::Entity, tool::Entity>::new("skill_tool", ("skill", &skill), ("tool", &tool));
        detach::<_, _, skill_tool::Entity>(ctx, ends).await.map(SkillPayload::from)
    }
}

/// The two rows a link joins, by slug, and the link table's name in the audit trail.
struct Ends<'a, P: Slugged, C: Slugged> {
    name: &'static str,
    parent: (&'static str, &'a str),
    child: (&'static str, &'a str),
    tables: std::marker::PhantomData<(P, C)>,
}

impl<'a, P: Slugged, C: Slugged> Ends<'a, P, C> {
    /// `parent` and `child` are (argument name, slug).
    fn new(name: &'static str, parent: (&'static str, &'a str), child: (&'static str, &'a str)) -> Self {
        Self { name, parent, child, tables: std::marker::PhantomData }
    }

    /// Both rows, found by slug, or `NOT_FOUND` on the argument that names nothing.
    async fn find(&self, write: &Write) -> Result<(P::Model, C::Model), Failure> {
        let parent = write.find::<P>(P::slug_column(), self.parent.1, &[self.parent.0]).await?;
        let child = write.find::<C>(C::slug_column(), self.child.1, &[self.child.0]).await?;
        Ok((parent, child))
    }

    fn key(&self) -> String {
        format!("{}/{}", self.parent.1, self.child.1)
    }
}

/// Writes the link `link` makes from the two rows' ids (editor): inserts it, or updates its other columns
/// if the rows were linked already; a link that is already so changes nothing.
async fn attach<P, C, L>(
    ctx: &Context<'_>,
    ends: Ends<'_, P, C>,
    link: impl FnOnce(i32, i32) -> Result<L::Model, Failure>,
) -> Result<Result<P::Model, Vec<UserError>>, ApiError>
where
    P: Slugged,
    C: Slugged,
    L: EntityTrait<
            Model: IntoActiveModel<L::ActiveModel> + serde::Serialize + PartialEq + Clone + Send,
            ActiveModel: sea_orm::ActiveModelBehavior + Send,
        >,
    (i32, i32): Into<<L::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
{
    use sea_orm::ActiveModelTrait;
    let mut write = Write::begin(ctx, KeyRole::Editor).await?;
    let outcome = async {
        let (parent, child) = ends.find(&write).await?;
        let after = link(P::id(&parent), C::id(&child))?;
        let before = L::find_by_id((P::id(&parent), C::id(&child))).one(write.txn()).await?;
        if before.as_ref() != Some(&after) {
            let row = after.clone().into_active_model().reset_all();
            if before.is_some() {
                row.update(write.txn()).await?;
            } else {
                row.insert(write.txn()).await?;
            }
            write.record_link(ends.name, link_event::<P>(&parent), ends.key(), before.as_ref(), Some(&after));
        }
        Ok(parent)
    }
    .await;
    write.finish(outcome).await
}

/// Deletes the link between the two rows (editor); `NOT_FOUND` if there is none.
async fn detach<P, C, L>(ctx: &Context<'_>, ends: Ends<'_, P, C>) -> Result<Result<P::Model, Vec<UserError>>, ApiError>
where
    P: Slugged,
    C: Slugged,
    L: EntityTrait<Model: serde::Serialize + Send>,
    (i32, i32): Into<<L::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
{
    let mut write = Write::begin(ctx, KeyRole::Editor).await?;
    let outcome = async {
        let (parent, child) = ends.find(&write).await?;
        let key = (P::id(&parent), C::id(&child));
        let Some(before) = L::find_by_id(key).one(write.txn()).await? else {
            let message = format!("{:?} is not linked to {:?}", ends.child.1, ends.parent.1);
            return Err(UserError::new(&[], ErrorCode::NotFound, message).into());
        };
        L::delete_by_id(key).exec(write.txn()).await?;
        write.record_link::<L::Model>(ends.name, link_event::<P>(&parent), ends.key(), Some(&before), None);
        Ok(parent)
    }
    .await;
    write.finish(outcome).await
}
