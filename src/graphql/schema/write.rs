//! How every mutation writes: the caller's role is checked, then one transaction does the change and its
//! audit rows, and the change events go out only once it has committed.
//!
//! What a user can fix (invalid input, a missing row, a clash on a unique key, a stale version, a delete
//! that others depend on) comes back as `userErrors` in the payload, and nothing is written. What the
//! user cannot fix by editing the input (no key, too little role) is a top-level error.
use async_graphql::{Context, SimpleObject};
use entity::{change, city, role, salary_range, skill, tool};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, IdenStatic, IntoActiveModel,
    QueryFilter, SqlErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use serde::Serialize;

use crate::auth::{KeyRole, now};
use crate::domain::DomainError;
use crate::events::{ChangeAction, ChangeEvent, ChangeKind, Hub};
use crate::graphql::error::{ApiError, ErrorCode, not_found_message};
use crate::graphql::schema::access::require;
use crate::graphql::schema::types::{IdType, global_id};

/// A problem with the input, for the client to fix and resend.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// The path to the argument at fault, e.g. `["input", "slug"]`.
    pub field: Vec<String>,
    /// What is wrong, naming the field.
    pub message: String,
    /// `BAD_USER_INPUT`, `NOT_FOUND` or `CONFLICT`.
    pub code: String,
}

impl UserError {
    pub fn new(field: &[&str], code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.iter().map(|f| (*f).to_owned()).collect(),
            message: message.into(),
            code: code.as_str().to_owned(),
        }
    }
}

/// Why a mutation wrote nothing.
pub enum Failure {
    User(Vec<UserError>),
    Api(ApiError),
}

impl From<UserError> for Failure {
    fn from(error: UserError) -> Self {
        Self::User(vec![error])
    }
}

impl From<DbErr> for Failure {
    fn from(error: DbErr) -> Self {
        Self::Api(error.into())
    }
}

/// Collects every invalid field of an input, so the client hears of all of them at once.
#[derive(Default)]
pub struct Checks {
    errors: Vec<UserError>,
}

impl Checks {
    /// The value, or (when it is invalid) a placeholder and an error naming `field` under `input`.
    pub fn field<T: Default>(&mut self, field: &str, value: Result<T, DomainError>) -> T {
        value.unwrap_or_else(|error| {
            self.errors.push(UserError::new(&["input", field], ErrorCode::BadUserInput, format!("{field}: {error}")));
            T::default()
        })
    }

    /// As [`Checks::field`], for a value that may be absent.
    pub fn optional<T, U>(
        &mut self,
        field: &str,
        value: Option<T>,
        check: impl FnOnce(T) -> Result<U, DomainError>,
    ) -> Option<U> {
        value.and_then(|value| check(value).map_err(|error| self.field::<()>(field, Err(error))).ok())
    }

    pub fn add(&mut self, error: UserError) {
        self.errors.push(error);
    }

    pub fn finish(self) -> Result<(), Failure> {
        if self.errors.is_empty() { Ok(()) } else { Err(Failure::User(self.errors)) }
    }
}

/// A table editors change: rows with an id, a readable key and a version.
pub trait Editable:
    EntityTrait<Model: Serialize + IntoActiveModel<Self::ActiveModel> + Send + Sync, ActiveModel: Send>
{
    const KIND: ChangeKind;
    /// Its name in the audit trail.
    const NAME: &'static str;
    /// The fields a clash on a unique key is about, and what to tell the client.
    const UNIQUE: (&'static [&'static str], &'static str);
    fn id_column() -> Self::Column;
    fn version_column() -> Self::Column;
    fn id(model: &Self::Model) -> i32;
    fn version(model: &Self::Model) -> i32;
    fn key(model: &Self::Model) -> String;
}

/// Makes a table [`Editable`]; `slugged` ones are also [`Slugged`], and their slug is their key.
macro_rules! editable {
    ($module:ident, $kind:ident, $name:literal, $unique:expr, |$model:ident| $key:expr) => {
        impl Editable for $module::Entity {
            const KIND: ChangeKind = ChangeKind::$kind;
            const NAME: &'static str = $name;
            const UNIQUE: (&'static [&'static str], &'static str) = $unique;
            fn id_column() -> Self::Column {
                $module::Column::Id
            }
            fn version_column() -> Self::Column {
                $module::Column::Version
            }
            fn id(model: &Self::Model) -> i32 {
                model.id
            }
            fn version(model: &Self::Model) -> i32 {
                model.version
            }
            fn key($model: &Self::Model) -> String {
                $key
            }
        }
    };
    ($module:ident, $kind:ident, $name:literal, $unique:expr, slugged) => {
        editable!($module, $kind, $name, $unique, |model| model.slug.clone());

        impl Slugged for $module::Entity {
            fn slug_column() -> Self::Column {
                $module::Column::Slug
            }
        }
    };
}

editable!(role, Role, "role", (&["slug"], "another role already has this slug"), slugged);
editable!(skill, Skill, "skill", (&["slug"], "another skill already has this slug"), slugged);
editable!(tool, Tool, "tool", (&["slug"], "another tool already has this slug"), slugged);
editable!(city, City, "city", (&["slug", "areaCode"], "another city already has this slug or area code"), slugged);
editable!(
    salary_range,
    SalaryRange,
    "salary_range",
    (
        &["source", "referencePeriod", "socCode", "city", "period"],
        "a salary range for this source, reference period, occupation, city and period already exists"
    ),
    |m| global_id(IdType::SalaryRange, m.id).to_string()
);

/// A kind whose rows have a slug, by which mutations name them.
pub trait Slugged: Editable {
    fn slug_column() -> Self::Column;
}

/// One row of the audit trail and, for a row (or a row's links), the event it makes.
struct Entry {
    row: change::ActiveModel,
    event: ChangeEvent,
}

/// One mutation's transaction, on the primary database.
pub struct Write {
    txn: DatabaseTransaction,
    key_name: String,
    journal: Vec<Entry>,
    hub: Hub,
}

impl Write {
    /// Checks that the caller's key has at least `needs`, and begins the transaction.
    pub async fn begin(ctx: &Context<'_>, needs: KeyRole) -> Result<Self, ApiError> {
        let key_name = require(ctx, needs)?;
        let db = crate::graphql::engine::db(ctx)?;
        let hub = ctx.data::<Hub>().map_err(|_| ApiError::internal("schema has no event hub"))?.clone();
        // SQLite: take the write lock at BEGIN, so a transaction that reads and then writes waits for
        // another writer instead of failing when it tries to upgrade (SQLITE_BUSY_SNAPSHOT).
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let txn = db.begin_with_options(options).await?;
        Ok(Self { txn, key_name, journal: Vec::new(), hub })
    }

    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Commits a successful change with its audit rows and then publishes its events; anything else rolls
    /// back (by dropping the transaction), writing nothing.
    pub async fn finish<T>(self, outcome: Result<T, Failure>) -> Result<Result<T, Vec<UserError>>, ApiError> {
        let value = match outcome {
            Ok(value) => value,
            Err(Failure::User(errors)) => return Ok(Err(errors)),
            Err(Failure::Api(error)) => return Err(error),
        };
        let mut events: Vec<ChangeEvent> = Vec::with_capacity(self.journal.len());
        for entry in self.journal {
            entry.row.insert(&self.txn).await?;
            events.push(entry.event);
        }
        let mut searched: Vec<(&str, i32)> = events.iter().filter_map(|e| Some((search_kind(e.kind)?, e.id))).collect();
        searched.sort_unstable();
        searched.dedup();
        for (kind, id) in searched {
            crate::search::reindex_row(&self.txn, kind, id).await?;
        }
        self.hub.notify_in(&self.txn, &events).await?;
        self.txn.commit().await?;
        self.hub.publish(events);
        Ok(Ok(value))
    }

    /// The row of `E` whose `column` is `value`, or a `NOT_FOUND` user error on `field`.
    pub async fn find<E: Editable>(
        &self,
        column: E::Column,
        value: impl Into<sea_orm::Value> + std::fmt::Display,
        field: &[&str],
    ) -> Result<E::Model, Failure> {
        find_row::<E>(&self.txn, column, value, field).await
    }

    pub async fn create<E: Editable>(&mut self, row: E::ActiveModel) -> Result<E::Model, Failure>
    where
        E::ActiveModel: sea_orm::ActiveModelBehavior,
    {
        let created = E::insert(row).exec_with_returning(&self.txn).await.map_err(clash::<E>)?;
        self.record_row::<E>(ChangeAction::Create, None, Some(&created));
        Ok(created)
    }

    /// Writes `row`'s values over `before`, if `before` is still at `expected_version`.
    pub async fn update<E: Editable>(
        &mut self,
        before: E::Model,
        row: E::ActiveModel,
        expected_version: i32,
    ) -> Result<E::Model, Failure> {
        let stale = |current: i32| {
            Failure::from(UserError::new(
                &["expectedVersion"],
                ErrorCode::Conflict,
                format!(
                    "expectedVersion: the {} was changed since version {expected_version}; it is at version {current} now: read it again and reapply your change",
                    E::NAME.replace('_', " ")
                ),
            ))
        };
        if E::version(&before) != expected_version {
            return Err(stale(E::version(&before)));
        }
        let id = E::id(&before);
        let mut row = row;
        row.set(E::version_column(), (expected_version + 1).into());
        // The version in the WHERE clause is what makes this safe: a concurrent update that committed
        // first has moved it on, and this one then updates nothing.
        let updated = E::update_many()
            .set(row)
            .filter(E::id_column().eq(id))
            .filter(E::version_column().eq(expected_version))
            .exec(&self.txn)
            .await
            .map_err(clash::<E>)?;
        let after = E::find().filter(E::id_column().eq(id)).one(&self.txn).await?;
        let after = match after {
            Some(after) if updated.rows_affected == 1 => after,
            Some(after) => return Err(stale(E::version(&after))),
            None => {
                let message = format!("expectedVersion: the {} was deleted meanwhile", E::NAME.replace('_', " "));
                return Err(UserError::new(&["expectedVersion"], ErrorCode::Conflict, message).into());
            }
        };
        self.record_row::<E>(ChangeAction::Update, Some(&before), Some(&after));
        Ok(after)
    }

    pub async fn delete<E: Editable>(&mut self, before: E::Model) -> Result<(), Failure> {
        E::delete_many().filter(E::id_column().eq(E::id(&before))).exec(&self.txn).await?;
        self.record_row::<E>(ChangeAction::Delete, Some(&before), None);
        Ok(())
    }

    fn record_row<E: Editable>(&mut self, action: ChangeAction, before: Option<&E::Model>, after: Option<&E::Model>) {
        let model = after.or(before).map(|m| (E::id(m), E::key(m)));
        let Some((id, key)) = model else { return };
        let event = ChangeEvent { kind: E::KIND, action, id, key: key.clone(), version: after.map(E::version) };
        self.record(E::NAME, id, key, action, json(before), json(after), event);
    }

    /// Records a change to a link between two rows, which is a change to `parent` (a role, or a skill).
    pub fn record_link<L: Serialize>(
        &mut self,
        name: &'static str,
        parent: ChangeEvent,
        key: String,
        before: Option<&L>,
        after: Option<&L>,
    ) {
        let action = match (before, after) {
            (None, _) => ChangeAction::Create,
            (Some(_), Some(_)) => ChangeAction::Update,
            (Some(_), None) => ChangeAction::Delete,
        };
        self.record(name, parent.id, key, action, json(before), json(after), parent);
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        kind: &str,
        entity_id: i32,
        entity_key: String,
        action: ChangeAction,
        before: Option<String>,
        after: Option<String>,
        event: ChangeEvent,
    ) {
        let row = change::ActiveModel {
            id: ActiveValue::NotSet,
            key_name: ActiveValue::Set(self.key_name.clone()),
            kind: ActiveValue::Set(kind.to_owned()),
            entity_id: ActiveValue::Set(entity_id),
            entity_key: ActiveValue::Set(entity_key),
            action: ActiveValue::Set(action.as_str().to_owned()),
            before: ActiveValue::Set(before),
            after: ActiveValue::Set(after),
            at: ActiveValue::Set(now()),
        };
        self.journal.push(Entry { row, event });
    }
}

/// The search index's kind for rows of `kind`, where it holds them.
fn search_kind(kind: ChangeKind) -> Option<&'static str> {
    match kind {
        ChangeKind::Role => Some("ROLE"),
        ChangeKind::Skill => Some("SKILL"),
        ChangeKind::Tool => Some("TOOL"),
        ChangeKind::City => Some("CITY"),
        ChangeKind::SalaryRange => None,
    }
}

pub async fn find_row<E: Editable>(
    db: &impl sea_orm::ConnectionTrait,
    column: E::Column,
    value: impl Into<sea_orm::Value> + std::fmt::Display,
    field: &[&str],
) -> Result<E::Model, Failure> {
    // Displayed before it is bound: the value's own type must be bound (PostgreSQL takes no text for an id).
    let shown = value.to_string();
    E::find().filter(column.eq(value)).one(db).await?.ok_or_else(|| {
        let name = field.last().copied().unwrap_or_default();
        let message = not_found_message(&E::NAME.replace('_', " "), column.as_str(), &shown);
        UserError::new(field, ErrorCode::NotFound, format!("{name}: {message}")).into()
    })
}

/// A clash on one of `E`'s unique keys as the user error it is; any other failure as it is.
fn clash<E: Editable>(error: DbErr) -> Failure {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            let (fields, message) = E::UNIQUE;
            Failure::User(
                fields
                    .iter()
                    .map(|field| UserError::new(&["input", field], ErrorCode::Conflict, format!("{field}: {message}")))
                    .collect(),
            )
        }
        _ => error.into(),
    }
}

fn json<T: Serialize>(row: Option<&T>) -> Option<String> {
    row.and_then(|row| serde_json::to_string(row).ok())
}
