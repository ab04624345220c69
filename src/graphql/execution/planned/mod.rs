//! The planned executor: a query operation, once async-graphql has validated it, compiled into a plan and run
//! without a future or a `Value` per field.
//!
//! The plan mirrors the selection: an `ObjectPlan` per object selection, each field resolved once, at plan
//! time, to what writes it (a value read from the row, `__typename`, or a nested list). Loading walks the plan
//! a level at a time, one statement per list (every parent's page at once, keyset-paged as the resolvers
//! page them, counted only when `totalCount` is selected); writing then walks the rows once and puts the
//! response's `data` down as JSON bytes, in selection order.
//!
//! What the plan does not cover (a field it has no writer for, an argument that does not parse, a row that is
//! missing, a database error) leaves the whole operation to the resolvers, which then answer it, errors
//! included, as they always have: `Unplanned` says why, and the metrics count it.
mod catalog;
mod comparison;
#[cfg(test)]
mod coverage;
mod lookup;
mod sources;
mod stats;

use std::collections::HashMap;

use async_graphql::resolver_utils::EnumType;
use futures_util::future::BoxFuture;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter,
    QueryResult, Select,
};

use async_graphql::connection::CursorType;
use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response};

use crate::graphql::engine::columns::{self, FromColumns};
use crate::graphql::engine::json::Json;
use crate::graphql::engine::page::{ListQuery, Page, PageArgs};
use crate::graphql::execution::{Answer, Written};
use crate::graphql::operation::Prepared;
use crate::graphql::operation::analysis::Shape;
use crate::graphql::operation::selection::{self, Field, Operation};
use crate::graphql::operation::validation::Validator;

/// The fields reachable from `Query` that the planner leaves to the resolvers, as (type, field, why): a query
/// that asks one runs on the resolvers whole. `coverage.rs` fails on a field neither planned nor named here.
pub const LEFT_TO_RESOLVERS: &[(&str, &str, &str)] = &[(
    "Query",
    "changes",
    "the audit trail is read by admin keys only: the caller's role is checked by its resolver, and it is rarely read",
)];

/// A field the planner has no writer for: one of `LEFT_TO_RESOLVERS`, whose reason the debug log gives.
fn unplanned(type_name: &str, field: &str) -> Unplanned {
    let reason = LEFT_TO_RESOLVERS.iter().find(|(ty, name, _)| *ty == type_name && *name == field);
    tracing::debug!(type_name, field, reason = reason.map(|(_, _, why)| *why), "a field left to the resolvers");
    Unplanned::Field
}

/// Why an operation went to the resolvers instead: the label the metrics count it under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unplanned {
    /// Not a query (mutations and subscriptions always run on the resolvers), or no such operation.
    Operation,
    /// A field the planner has no writer for.
    Field,
    /// An argument that does not parse or a page that cannot be asked for: the resolvers word the error.
    Argument,
    /// An object whose every field `@skip`/`@include` left out: async-graphql answers null for it (the spec
    /// says `{}`), and both executors must answer alike.
    EmptySelection,
    /// One response key for fields that differ (in name or arguments), which async-graphql's validation
    /// lets through: it answers one of them.
    ConflictingFields,
    /// A lookup that found nothing: the resolvers word the `NOT_FOUND` error.
    NotFound,
    /// A failed statement: the resolvers report it (and log it) as they would have.
    Database,
}

impl Unplanned {
    pub fn label(self) -> &'static str {
        match self {
            Self::Operation => "operation",
            Self::Field => "field",
            Self::Argument => "argument",
            Self::EmptySelection => "empty_selection",
            Self::ConflictingFields => "conflicting_fields",
            Self::NotFound => "not_found",
            Self::Database => "database",
        }
    }
}

impl From<selection::SelectionError> for Unplanned {
    fn from(unplanned: selection::SelectionError) -> Self {
        match unplanned {
            selection::SelectionError::Argument => Self::Argument,
            selection::SelectionError::EmptySelection => Self::EmptySelection,
            selection::SelectionError::ConflictingFields => Self::ConflictingFields,
        }
    }
}

impl From<sea_orm::DbErr> for Unplanned {
    fn from(error: sea_orm::DbErr) -> Self {
        tracing::debug!(%error, "a planned statement failed; the resolvers take the operation");
        Self::Database
    }
}

/// Answers `request`, whose parsed document is `document`, when the planner covers it: validated by
/// `validator`, then loaded from `db` and written. A document that
/// fails validation is answered with async-graphql's errors, as the resolvers would answer it.
pub async fn execute(
    validator: &Validator,
    shape: &Shape,
    db: &DatabaseConnection,
    request: &Request,
    prepared: &Prepared,
) -> Result<Answer, Unplanned> {
    if prepared.ty() != OperationType::Query {
        return Err(Unplanned::Operation);
    }
    let (document, definition) = (&**prepared.document(), &prepared.operation().node);
    // Planned before validation, which is only worth its time for an operation the planner will run.
    let operation = Operation { document, definition, variables: &request.variables, shape };
    let mut root = ObjectPlan::<QueryRoot>::new(&operation, operation.root_fields(QueryRoot::TYPE)?)?;
    let cache_control = match validator.validate(request, document).await {
        Ok(cache_control) => cache_control,
        Err(refused) => return Ok(Answer::from(refused)),
    };
    root.load(db, &[&QueryRoot]).await?;
    let mut json = Json::default();
    root.write(&QueryRoot, &mut json);
    let (json, fields) = json.into_parts();
    let response = Response::new(async_graphql::Value::Null).cache_control(cache_control);
    Ok(Answer { response, written: Some(Written { json, fields, cost: None }) })
}

/// The root object of a query.
pub struct QueryRoot;

/// A list field's paging arguments.
fn page_args(operation: &Operation<'_>, field: &Field<'_>) -> Result<PageArgs, Unplanned> {
    Ok(PageArgs {
        first: operation.argument(field, "first")?,
        after: operation.argument(field, "after")?,
        last: operation.argument(field, "last")?,
        before: operation.argument(field, "before")?,
    })
}

/// A list of enum values, by their names in the schema.
fn enum_list<E: EnumType>(json: &mut Json, values: Vec<E>) {
    json.begin_list();
    for value in values {
        json.item();
        json.string(enum_name(value));
    }
    json.end_list();
}

/// The name an enum value has in the schema.
fn enum_name<E: EnumType>(value: E) -> &'static str {
    E::items().iter().find(|item| item.value == value).map_or("", |item| item.name)
}

/// What writes a value held in (or computed from) an `R` alone.
pub type Write<R> = fn(&R, &mut Json);

/// The parent id root lists are loaded and written under.
const ROOT: i32 = 0;

/// An object type the planner writes, as the row that holds its fields.
pub trait PlannedObject: Send + Sync + Sized + 'static {
    /// The GraphQL type's name.
    const TYPE: &'static str;

    /// The row's id: the parent id of the lists nested in it. Objects with no lists of their own (a group, a
    /// spread) have none.
    fn id(&self) -> i32 {
        ROOT
    }

    /// What writes the field `name`, when its value is in the row.
    fn value(_name: &str) -> Option<Write<Self>> {
        None
    }

    /// The field's plan when its value loads or is an object (a list it pages, a row it points at, a figure's
    /// parts); `None` when the type has no such field.
    fn list<'a>(
        _operation: &Operation<'a>,
        _field: &Field<'a>,
    ) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(None)
    }
}

/// A field of the objects `P` of one selection whose value loads: a list, or a row another row points at.
pub trait Level<P>: Send {
    /// Loads the field's value for every object in `parents`, and then what is nested below it.
    fn load<'s>(&'s mut self, db: &'s DatabaseConnection, parents: &'s [&'s P])
    -> BoxFuture<'s, Result<(), Unplanned>>;

    /// Writes `parent`'s value.
    fn write(&self, parent: &P, json: &mut Json);
}

/// A field whose arguments the resolvers refuse: the operation goes to them if any object has the field.
struct Refused(Unplanned);

impl<P: Sync> Level<P> for Refused {
    fn load<'s>(&'s mut self, _: &'s DatabaseConnection, parents: &'s [&'s P]) -> BoxFuture<'s, Result<(), Unplanned>> {
        let refused = if parents.is_empty() { Ok(()) } else { Err(self.0) };
        Box::pin(std::future::ready(refused))
    }

    /// Never called: loading fails where there is an object to write.
    fn write(&self, _: &P, json: &mut Json) {
        json.null();
    }
}

/// The plan for one object selection: each response key with what writes it.
pub struct ObjectPlan<'a, T> {
    members: Vec<(&'a str, Member<'a, T>)>,
}

enum Member<'a, T> {
    Typename,
    Value(Write<T>),
    Nested(Box<dyn Level<T> + 'a>),
}

impl<'a, T: PlannedObject> ObjectPlan<'a, T> {
    fn new(operation: &Operation<'a>, fields: Vec<Field<'a>>) -> Result<Self, Unplanned> {
        let members = fields
            .into_iter()
            .map(|field| {
                let member = match field.name {
                    "__typename" => Member::Typename,
                    name => match T::value(name) {
                        Some(write) => Member::Value(write),
                        None => match T::list(operation, &field) {
                            Ok(Some(level)) => Member::Nested(level),
                            Ok(None) => return Err(unplanned(T::TYPE, name)),
                            // An argument the resolvers refuse, or a lookup that finds nothing, is an error only
                            // where the field is resolved: not below a list that comes back empty. The root
                            // always comes, so its fields fail at once, before any statement runs.
                            Err(reason @ (Unplanned::Argument | Unplanned::NotFound)) if T::TYPE != QueryRoot::TYPE => {
                                Member::Nested(Box::new(Refused(reason)))
                            }
                            Err(reason) => return Err(reason),
                        },
                    },
                };
                Ok((field.key, member))
            })
            .collect::<Result<_, Unplanned>>()?;
        Ok(Self { members })
    }

    /// The plan for the selection of `field` on objects of `T`.
    fn of(operation: &Operation<'a>, field: &Field<'a>) -> Result<Self, Unplanned> {
        Self::new(operation, operation.fields_of(field, T::TYPE)?)
    }

    /// Whether any field of the selection loads.
    fn loads(&self) -> bool {
        self.members.iter().any(|(_, member)| matches!(member, Member::Nested(_)))
    }

    /// Loads what loads in the objects `objects`, field beside field.
    async fn load(&mut self, db: &DatabaseConnection, objects: &[&T]) -> Result<(), Unplanned> {
        let loads = self.members.iter_mut().filter_map(|(_, member)| match member {
            Member::Nested(level) => Some(level.load(db, objects)),
            _ => None,
        });
        futures_util::future::try_join_all(loads).await?;
        Ok(())
    }

    fn write(&self, object: &T, json: &mut Json) {
        json.begin_object();
        for (key, member) in &self.members {
            json.key(key);
            match member {
                Member::Typename => json.string(T::TYPE),
                Member::Value(write) => write(object, json),
                Member::Nested(level) => level.write(object, json),
            }
        }
        json.end_object();
    }
}

/// A row of a list: its node, and the link's own columns for lists whose edges carry fields.
pub trait ListRow: Send + Sync + Sized + 'static {
    type Node: PlannedObject;
    /// What reading a row takes beyond the row: nothing for a table's rows, the layout of a grouped statement's.
    type Reading: Send + Sync;

    fn read(row: &QueryResult, reading: &Self::Reading) -> Result<Self, DbErr>;

    /// The connection's and the edge's GraphQL type names.
    const CONNECTION: &'static str;
    const EDGE: &'static str;

    fn node(&self) -> &Self::Node;

    /// What writes the edge field `name`, for edges that carry fields of their own.
    fn edge_value(name: &str) -> Option<Write<Self>>;

    /// The plan of the edge field `field` when its value loads (a link's source); `None` when the edge has
    /// no such field.
    fn edge_level<'a>(
        _operation: &Operation<'a>,
        _field: &Field<'a>,
    ) -> Result<Option<Box<dyn Level<Self> + 'a>>, Unplanned> {
        Ok(None)
    }
}

/// A connection nested in (or at the root of) one selection: every parent's page in one statement.
pub struct ListLevel<'a, R: ListRow> {
    query: ListQuery,
    reading: R::Reading,
    /// Root lists have one page; nested ones a page per parent.
    nested: bool,
    members: Vec<(&'a str, ConnectionMember<'a, R>)>,
    pages: HashMap<i32, Page<R>>,
    /// Each parent's `totalCount`, when selected.
    counts: Option<HashMap<i32, i64>>,
}

enum ConnectionMember<'a, R: ListRow> {
    Typename,
    TotalCount,
    PageInfo(Vec<(&'a str, PageInfoMember)>),
    Edges(Vec<(&'a str, EdgeMember<'a, R>)>),
    Nodes(ObjectPlan<'a, R::Node>),
}

impl<R: ListRow> ConnectionMember<'_, R> {
    /// Whether the member writes a row's cursor.
    fn shows_cursors(&self) -> bool {
        match self {
            Self::PageInfo(members) => members
                .iter()
                .any(|(_, member)| matches!(member, PageInfoMember::StartCursor | PageInfoMember::EndCursor)),
            Self::Edges(members) => members.iter().any(|(_, member)| matches!(member, EdgeMember::Cursor)),
            Self::Typename | Self::TotalCount | Self::Nodes(_) => false,
        }
    }
}

enum PageInfoMember {
    Typename,
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
}

enum EdgeMember<'a, R: ListRow> {
    Typename,
    Cursor,
    Node(ObjectPlan<'a, R::Node>),
    Value(Write<R>),
    Loaded(Box<dyn Level<R> + 'a>),
}

impl<'a, R: ListRow> ListLevel<'a, R> {
    /// The plan for the connection `field` selects, paged by `query`.
    fn new(
        operation: &Operation<'a>,
        field: &Field<'a>,
        mut query: ListQuery,
        reading: R::Reading,
        nested: bool,
    ) -> Result<Self, Unplanned> {
        let mut counted = false;
        let members: Vec<_> = operation
            .fields_of(field, R::CONNECTION)?
            .into_iter()
            .map(|field| {
                let member = match field.name {
                    "__typename" => ConnectionMember::Typename,
                    "totalCount" => {
                        counted = true;
                        ConnectionMember::TotalCount
                    }
                    "pageInfo" => ConnectionMember::PageInfo(page_info(operation, &field)?),
                    "edges" => ConnectionMember::Edges(edge(operation, &field)?),
                    "nodes" => ConnectionMember::Nodes(ObjectPlan::of(operation, &field)?),
                    _ => return Err(Unplanned::Field),
                };
                Ok((field.key, member))
            })
            .collect::<Result<_, Unplanned>>()?;
        let counts = counted.then(HashMap::new);
        if !members.iter().any(|(_, member)| member.shows_cursors()) {
            query.without_cursors();
        }
        Ok(Self { query, reading, nested, members, pages: HashMap::new(), counts })
    }

    /// The connection `field` selects, paged by `query`, its rows read with `reading`: in each of its parents
    /// when `nested`, else once.
    pub fn plan<P: PlannedObject>(
        operation: &Operation<'a>,
        field: &Field<'a>,
        query: ListQuery,
        reading: R::Reading,
        nested: bool,
    ) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
        Ok(Box::new(Self::new(operation, field, query, reading, nested)?))
    }

    async fn fetch(&mut self, db: &DatabaseConnection, parents: &[i32]) -> Result<(), Unplanned> {
        let (source, reading) = (&self.query.source, &self.reading);
        if self.nested {
            self.pages.extend(self.query.fetch_nested(db, parents, |row| R::read(row, reading)).await?);
            if let Some(counts) = &mut self.counts {
                for row in db.query_all(&source.count(parents)).await? {
                    counts.insert(row.try_get("", "__parent")?, row.try_get("", "__count")?);
                }
            }
        } else {
            let page = self.query.fetch(db, |row| R::read(row, reading)).await.map_err(|_| Unplanned::Database)?;
            self.pages.insert(ROOT, page);
            if let Some(counts) = &mut self.counts {
                let row = db.query_one(&source.count(&[])).await?;
                counts.insert(ROOT, row.map(|r| r.try_get::<i64>("", "__count")).transpose()?.unwrap_or(0));
            }
        }
        Ok(())
    }

    async fn load_all(&mut self, db: &DatabaseConnection, parents: &[i32]) -> Result<(), Unplanned> {
        if parents.is_empty() {
            return Ok(());
        }
        self.fetch(db, parents).await?;
        let rows: Vec<&R> = self.pages.values().flat_map(|page| &page.rows).map(|(row, _)| row).collect();
        let nodes: Vec<&R::Node> = rows.iter().map(|row| row.node()).collect();
        // The nodes of `nodes` and of `edges { node }` are the same rows, with selections of their own.
        let mut plans: Vec<&mut ObjectPlan<'a, R::Node>> = Vec::new();
        let mut edge_levels: Vec<&mut Box<dyn Level<R> + 'a>> = Vec::new();
        for (_, member) in &mut self.members {
            match member {
                ConnectionMember::Nodes(plan) => plans.push(plan),
                ConnectionMember::Edges(members) => {
                    for (_, member) in members {
                        match member {
                            EdgeMember::Node(plan) => plans.push(plan),
                            EdgeMember::Loaded(level) => edge_levels.push(level),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let (nodes, rows) = (&nodes, &rows);
        let node_loads = futures_util::future::try_join_all(plans.into_iter().map(|plan| plan.load(db, nodes)));
        let edge_loads = futures_util::future::try_join_all(edge_levels.into_iter().map(|level| level.load(db, rows)));
        futures_util::future::try_join(node_loads, edge_loads).await?;
        Ok(())
    }
}

impl<P: PlannedObject, R: ListRow> Level<P> for ListLevel<'_, R> {
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        parents: &'s [&'s P],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            let ids = distinct(parents.iter().map(|parent| parent.id()));
            self.load_all(db, &ids).await
        })
    }

    fn write(&self, parent: &P, json: &mut Json) {
        let parent = if self.nested { parent.id() } else { ROOT };
        let empty = Page::default();
        let page = self.pages.get(&parent).unwrap_or(&empty);
        json.begin_object();
        for (key, member) in &self.members {
            json.key(key);
            match member {
                ConnectionMember::Typename => json.string(R::CONNECTION),
                ConnectionMember::TotalCount => {
                    json.int(self.counts.as_ref().and_then(|counts| counts.get(&parent)).copied().unwrap_or(0))
                }
                ConnectionMember::PageInfo(members) => {
                    json.begin_object();
                    for (key, member) in members {
                        json.key(key);
                        match member {
                            PageInfoMember::Typename => json.string("PageInfo"),
                            PageInfoMember::HasNextPage => json.bool(page.has_next),
                            PageInfoMember::HasPreviousPage => json.bool(page.has_previous),
                            PageInfoMember::StartCursor => {
                                json.optional_string(page.rows.first().map(|(_, c)| c.encode_cursor()).as_deref())
                            }
                            PageInfoMember::EndCursor => {
                                json.optional_string(page.rows.last().map(|(_, c)| c.encode_cursor()).as_deref())
                            }
                        }
                    }
                    json.end_object();
                }
                ConnectionMember::Edges(members) => {
                    json.begin_list();
                    for (row, cursor) in &page.rows {
                        json.item();
                        json.begin_object();
                        for (key, member) in members {
                            json.key(key);
                            match member {
                                EdgeMember::Typename => json.string(R::EDGE),
                                EdgeMember::Cursor => json.string(&cursor.encode_cursor()),
                                EdgeMember::Node(plan) => plan.write(row.node(), json),
                                EdgeMember::Value(write) => write(row, json),
                                EdgeMember::Loaded(level) => level.write(row, json),
                            }
                        }
                        json.end_object();
                    }
                    json.end_list();
                }
                ConnectionMember::Nodes(plan) => {
                    json.begin_list();
                    for (row, _) in &page.rows {
                        json.item();
                        plan.write(row.node(), json);
                    }
                    json.end_list();
                }
            }
        }
        json.end_object();
    }
}

fn page_info<'a>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Vec<(&'a str, PageInfoMember)>, Unplanned> {
    operation
        .fields_of(field, "PageInfo")?
        .into_iter()
        .map(|field| {
            let member = match field.name {
                "__typename" => PageInfoMember::Typename,
                "hasNextPage" => PageInfoMember::HasNextPage,
                "hasPreviousPage" => PageInfoMember::HasPreviousPage,
                "startCursor" => PageInfoMember::StartCursor,
                "endCursor" => PageInfoMember::EndCursor,
                _ => return Err(Unplanned::Field),
            };
            Ok((field.key, member))
        })
        .collect()
}

fn edge<'a, R: ListRow>(
    operation: &Operation<'a>,
    field: &Field<'a>,
) -> Result<Vec<(&'a str, EdgeMember<'a, R>)>, Unplanned> {
    operation
        .fields_of(field, R::EDGE)?
        .into_iter()
        .map(|field| {
            let member = match field.name {
                "__typename" => EdgeMember::Typename,
                "cursor" => EdgeMember::Cursor,
                "node" => EdgeMember::Node(ObjectPlan::of(operation, &field)?),
                name => match R::edge_value(name) {
                    Some(write) => EdgeMember::Value(write),
                    None => EdgeMember::Loaded(R::edge_level(operation, &field)?.ok_or(Unplanned::Field)?),
                },
            };
            Ok((field.key, member))
        })
        .collect()
}

/// The ids, each once: parents that share a row (a skill in two roles) share its page or its reference.
fn distinct(ids: impl Iterator<Item = i32>) -> Vec<i32> {
    let mut ids: Vec<i32> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// One row looked up at the root, e.g. `role(slug:)`.
pub struct OneLevel<'a, E: EntityTrait> {
    /// Taken when the row loads.
    find: Option<Select<E>>,
    row: Option<E::Model>,
    plan: ObjectPlan<'a, E::Model>,
}

impl<'a, E: EntityTrait> OneLevel<'a, E>
where
    E::Model: PlannedObject + FromColumns,
{
    pub fn plan<P>(
        operation: &Operation<'a>,
        field: &Field<'a>,
        find: Select<E>,
    ) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
        Ok(Box::new(Self { find: Some(find), row: None, plan: ObjectPlan::of(operation, field)? }))
    }
}

impl<P, E: EntityTrait> Level<P> for OneLevel<'_, E>
where
    E::Model: PlannedObject + FromColumns,
{
    fn load<'s>(&'s mut self, db: &'s DatabaseConnection, _: &'s [&'s P]) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            let Some(find) = self.find.take() else { return Ok(()) };
            // A miss is an error the resolvers word (the field is nullable; the error says why it is null).
            let row = columns::one(db, find).await?.ok_or(Unplanned::NotFound)?;
            self.plan.load(db, &[&row]).await?;
            self.row = Some(row);
            Ok(())
        })
    }

    fn write(&self, _: &P, json: &mut Json) {
        match &self.row {
            Some(row) => self.plan.write(row, json),
            None => json.null(),
        }
    }
}

/// The row of `E` that each parent points at (by a foreign key), all of a selection's in one statement.
pub struct RefLevel<'a, P, E: EntityTrait> {
    key: fn(&P) -> Option<i32>,
    rows: HashMap<i32, E::Model>,
    plan: ObjectPlan<'a, E::Model>,
}

impl<'a, P: PlannedObject, E: EntityTrait> RefLevel<'a, P, E>
where
    E::Model: PlannedObject + FromColumns,
{
    /// The row `key` points at, of each parent; no key is null.
    pub fn plan(
        operation: &Operation<'a>,
        field: &Field<'a>,
        key: fn(&P) -> Option<i32>,
    ) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
        Ok(Box::new(Self { key, rows: HashMap::new(), plan: ObjectPlan::of(operation, field)? }))
    }
}

impl<P: PlannedObject, E: EntityTrait> Level<P> for RefLevel<'_, P, E>
where
    E::Model: PlannedObject + FromColumns,
{
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        parents: &'s [&'s P],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            let ids = distinct(parents.iter().filter_map(|parent| (self.key)(parent)));
            if ids.is_empty() {
                return Ok(());
            }
            self.rows = rows_by_id::<E>(db, &ids).await?;
            // A foreign key with no row behind it is the resolvers' to report.
            if self.rows.len() != ids.len() {
                return Err(Unplanned::Database);
            }
            let rows: Vec<&E::Model> = self.rows.values().collect();
            self.plan.load(db, &rows).await
        })
    }

    fn write(&self, parent: &P, json: &mut Json) {
        match (self.key)(parent).and_then(|id| self.rows.get(&id)) {
            Some(row) => self.plan.write(row, json),
            None => json.null(),
        }
    }
}

/// An object its parent holds or computes (a group's city, a spread, an interval): nothing to load but what
/// its own selection loads.
pub struct Derived<'a, P, T> {
    derive: fn(&P) -> Option<T>,
    plan: ObjectPlan<'a, T>,
}

impl<'a, P: Send + Sync + 'static, T: PlannedObject> Derived<'a, P, T> {
    /// The object `derive` gives of each parent; none is null.
    pub fn plan(
        operation: &Operation<'a>,
        field: &Field<'a>,
        derive: fn(&P) -> Option<T>,
    ) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
        Ok(Box::new(Self { derive, plan: ObjectPlan::of(operation, field)? }))
    }
}

impl<P: Send + Sync + 'static, T: PlannedObject> Level<P> for Derived<'_, P, T> {
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        parents: &'s [&'s P],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            if !self.plan.loads() {
                return Ok(());
            }
            // Derived again when written: what loads below keys its values by the objects' ids, not by these.
            let objects: Vec<T> = parents.iter().filter_map(|parent| (self.derive)(parent)).collect();
            let objects: Vec<&T> = objects.iter().collect();
            self.plan.load(db, &objects).await
        })
    }

    fn write(&self, parent: &P, json: &mut Json) {
        match (self.derive)(parent) {
            Some(object) => self.plan.write(&object, json),
            None => json.null(),
        }
    }
}

/// The rows of `E` whose primary keys are `ids`, by id, in one statement.
async fn rows_by_id<E: EntityTrait>(db: &DatabaseConnection, ids: &[i32]) -> Result<HashMap<i32, E::Model>, Unplanned>
where
    E::Model: PlannedObject + FromColumns,
{
    let id = <E::PrimaryKey as Iterable>::iter().next().map(PrimaryKeyToColumn::into_column);
    let id = id.expect("every table has a primary key");
    let rows = columns::all(db, E::find().filter(id.is_in(ids.iter().copied()))).await?;
    Ok(rows.into_iter().map(|row| (row.id(), row)).collect())
}
