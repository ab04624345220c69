//! Relay connections paged in SQL: keyset pagination over (sort keys…, primary key), one statement per page
//! (or per batch of parents, with `ROW_NUMBER() OVER (PARTITION BY parent …)`), one extra row for `hasNextPage`.
use std::any::TypeId;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock};

use async_graphql::connection::{
    Connection, ConnectionNameType, CursorType, DefaultConnectionName, DefaultEdgeName, Edge, EdgeNameType, EmptyFields,
};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object, ObjectType, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::TryStreamExt as _;
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, DynIden, Expr, ExprTrait, IntoCondition, IntoIden, NullOrdering, Order, OverStatement,
    Query, SelectStatement, SqliteQueryBuilder, WindowStatement,
};
use sea_orm::{ColumnTrait, EntityTrait, IdenStatic, Iterable};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult, StreamTrait as _, Value};

use crate::graphql::engine::columns::FromColumns;
use serde_json::Value as Json;

use crate::graphql::engine::loader::{DbLoader, loader};
use crate::graphql::error::ApiError;

/// Page sizes: what a list gives when not asked, and the most it gives.
pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

/// An opaque cursor: base64 of the ordering it belongs to and the row's sort-key values. Encoded only when a
/// client selects it, since most responses show few of the cursors their pages hold.
#[derive(Clone, Debug)]
pub struct Cursor {
    signature: Arc<str>,
    keys: Vec<Json>,
}

/// A cursor that no list of ours issued.
#[derive(Debug, thiserror::Error)]
#[error("this cursor was not issued by this list; use a cursor from the same field and `orderBy`")]
pub struct ForeignCursor;

impl CursorType for Cursor {
    type Error = ForeignCursor;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let foreign = || ForeignCursor;
        let json: Json =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).map_err(|_| foreign())?).map_err(|_| foreign())?;
        match (json["o"].as_str(), json["k"].as_array()) {
            (Some(signature), Some(keys)) => Ok(Cursor { signature: signature.into(), keys: keys.clone() }),
            _ => Err(foreign()),
        }
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::json!({ "o": &*self.signature, "k": self.keys }).to_string())
    }
}

/// How a sort key's values are read back and written into cursors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyKind {
    Int,
    Float,
    Text,
}

/// One expression a list is ordered by.
#[derive(Clone, Debug)]
pub struct SortKey {
    /// Names the key in cursors, so a cursor is only accepted by the ordering that issued it.
    pub name: String,
    pub expr: Expr,
    pub descending: bool,
    /// Whether nulls come after every value in this key's direction.
    pub nulls_last: bool,
    pub kind: KeyKind,
}

impl SortKey {
    pub fn new(name: impl Into<String>, expr: Expr, kind: KeyKind) -> Self {
        Self { name: name.into(), expr, descending: false, nulls_last: true, kind }
    }

    pub fn descending(mut self, descending: bool) -> Self {
        self.descending = descending;
        self
    }

    pub fn nulls_last(mut self, nulls_last: bool) -> Self {
        self.nulls_last = nulls_last;
        self
    }

    fn reversed(&self) -> Self {
        Self { descending: !self.descending, nulls_last: !self.nulls_last, ..self.clone() }
    }

    fn order(&self) -> (Order, NullOrdering) {
        let order = if self.descending { Order::Desc } else { Order::Asc };
        (order, if self.nulls_last { NullOrdering::Last } else { NullOrdering::First })
    }

    /// Rows strictly after `value` in this key's order, and rows equal to it.
    fn after(&self, value: &Value) -> (Condition, Condition) {
        let expr = self.expr.clone();
        let is_null = matches!(value, Value::BigInt(None) | Value::Double(None) | Value::String(None));
        if is_null {
            let strictly =
                if self.nulls_last { Condition::any() } else { Condition::all().add(expr.clone().is_not_null()) };
            return (strictly.not_empty_or_false(), Condition::all().add(expr.is_null()));
        }
        let beyond = if self.descending { expr.clone().lt(value.clone()) } else { expr.clone().gt(value.clone()) };
        let mut strictly = Condition::any().add(beyond);
        if self.nulls_last {
            strictly = strictly.add(expr.clone().is_null());
        }
        (strictly, Condition::all().add(expr.eq(value.clone())))
    }

    fn read(&self, row: &QueryResult, column: &str) -> Result<Json, sea_orm::DbErr> {
        Ok(match self.kind {
            KeyKind::Int => row.try_get_by::<Option<i64>, _>(column)?.map_or(Json::Null, Json::from),
            KeyKind::Float => row.try_get_by::<Option<f64>, _>(column)?.map_or(Json::Null, Json::from),
            KeyKind::Text => row.try_get_by::<Option<String>, _>(column)?.map_or(Json::Null, Json::from),
        })
    }

    fn value(&self, json: &Json) -> Option<Value> {
        Some(match (self.kind, json) {
            (KeyKind::Int, Json::Null) => Value::BigInt(None),
            (KeyKind::Float, Json::Null) => Value::Double(None),
            (KeyKind::Text, Json::Null) => Value::String(None),
            (KeyKind::Int, Json::Number(n)) => Value::BigInt(Some(n.as_i64()?)),
            (KeyKind::Float, Json::Number(n)) => Value::Double(Some(n.as_f64()?)),
            (KeyKind::Text, Json::String(s)) => Value::String(Some(s.clone())),
            _ => return None,
        })
    }
}

trait NotEmptyOrFalse {
    fn not_empty_or_false(self) -> Condition;
}

impl NotEmptyOrFalse for Condition {
    /// An empty `any()` renders as TRUE in sea-query; a keyset clause that can match nothing must be FALSE.
    fn not_empty_or_false(self) -> Condition {
        if self.is_empty() { Condition::all().add(Expr::val(1).eq(0)) } else { self }
    }
}

/// The rows a list holds before paging: a table's rows, filtered, optionally the children of some parents.
#[derive(Debug)]
pub struct ListSource {
    table: DynIden,
    /// The table's columns, named rather than `*`: SQLite re-prepares a cached statement after any schema
    /// change, and a `*` that then expands differently breaks the driver's cached column list.
    columns: Option<Vec<DynIden>>,
    /// Rows read from this query (named `table`) rather than from a table, e.g. the groups of an aggregate.
    subquery: Option<SelectStatement>,
    /// Tables joined in: a link table whose columns become edge fields, the parent's own table, or the rows
    /// a group's keys name.
    joins: Vec<(DynIden, Condition)>,
    /// The expression holding the parent's id, for nested lists.
    parent: Option<Expr>,
    filter: Condition,
    /// Extra columns read with every row, as (expression, alias).
    extra: Vec<(Expr, String)>,
    /// The largest page a client may ask for.
    max_page: u64,
    /// Identifies the source for batching: sources with the same fingerprint differ only in parent. Rendered
    /// on first use: only the resolvers batch by it, and rendering SQL is much of planning a small query.
    fingerprint: OnceLock<String>,
}

impl ListSource {
    /// The rows of `E` matching `filter`.
    pub fn new<E: EntityTrait>(entity: E, filter: Condition) -> Self {
        Self { columns: Some(columns::<E>()), ..Self::of_table(entity, filter) }
    }

    fn of_table(table: impl IntoIden, filter: Condition) -> Self {
        Self {
            table: table.into_iden(),
            columns: None,
            subquery: None,
            joins: Vec::new(),
            parent: None,
            filter,
            extra: Vec::new(),
            max_page: MAX_PAGE,
            fingerprint: OnceLock::new(),
        }
    }

    /// The rows `select` returns, named `alias`: lists of computed rows page like tables.
    pub fn derived(select: SelectStatement, alias: &str) -> Self {
        Self { subquery: Some(select), ..Self::of_table(Alias::new(alias), Condition::all()) }
    }

    /// Lets a page hold up to `max_page` rows, for lists whose cost is in computing them all (aggregates),
    /// not in returning them: paging those a hundred at a time would recompute everything for every page.
    pub fn max_page(mut self, max_page: u64) -> Self {
        self.max_page = max_page;
        self
    }

    /// Narrows the rows further.
    pub fn and_where(mut self, condition: impl IntoCondition) -> Self {
        self.filter = std::mem::replace(&mut self.filter, Condition::all()).add(condition);
        self
    }

    /// Only the children of a batch of parents, whose ids `parent` holds.
    pub fn children_of(mut self, parent: Expr) -> Self {
        self.parent = Some(parent);
        self
    }

    /// Joins `table` on `on`; `columns` of it are read as `{prefix}{column}` (e.g. for edge fields).
    pub fn join(mut self, table: impl IntoIden, on: Condition, prefix: &str, columns: &[DynIden]) -> Self {
        let table = table.into_iden();
        for column in columns {
            self.extra.push((Expr::col((table.clone(), column.clone())), format!("{prefix}{column}")));
        }
        self.joins.push((table, on));
        self
    }

    /// Joins the row of `E` whose `id` is the source's column `key`, read as `{key}_{column}`: a row that
    /// comes with each of the list's rows needs no statement of its own to load it.
    pub fn with_row<E: EntityTrait>(self, id: E::Column, key: &str) -> Self {
        let on = Condition::all().add(column(id).equals((self.table.clone(), Alias::new(key))));
        self.join(E::default(), on, &format!("{key}_"), &columns::<E>())
    }

    /// Only the rows linked to a batch of parents through link table `L`, whose `to_node` column points at
    /// `node_id` and `to_parent` at the parent; the link's columns are read with each row (see `Linked`).
    pub fn through<L: EntityTrait>(self, to_node: L::Column, node_id: impl ColumnTrait, to_parent: L::Column) -> Self {
        let on = Condition::all().add(column(to_node).equals((node_id.entity_name(), node_id)));
        self.join(L::default(), on, "link_", &columns::<L>()).children_of(column(to_parent))
    }

    /// Seals the source; after this it can be shared and batched.
    pub fn build(self) -> Arc<Self> {
        Arc::new(self)
    }

    pub fn fingerprint(&self) -> &str {
        self.fingerprint.get_or_init(|| self.count(&[]).to_string(SqliteQueryBuilder))
    }

    /// The table whose rows the list holds.
    pub fn table(&self) -> String {
        self.table.to_string()
    }

    fn base(&self, parents: &[i32]) -> SelectStatement {
        let mut select = Query::select();
        match &self.subquery {
            Some(subquery) => select.from_subquery(subquery.clone(), self.table.clone()),
            None => select.from(self.table.clone()),
        };
        select.cond_where(self.filter.clone());
        for (table, on) in &self.joins {
            select.inner_join(table.clone(), on.clone());
        }
        if let Some(parent) = &self.parent {
            select.and_where(parent.clone().is_in(parents.iter().copied()));
        }
        select
    }

    /// `SELECT [parent,] COUNT(*)`, grouped by parent for nested lists.
    pub fn count(&self, parents: &[i32]) -> SelectStatement {
        let mut select = self.base(parents);
        select.expr_as(Expr::col(Asterisk).count(), Alias::new("__count"));
        if let Some(parent) = &self.parent {
            select.expr_as(parent.clone(), Alias::new("__parent")).add_group_by([parent.clone()]);
        }
        select
    }
}

/// The page a client asked for, checked.
#[derive(Debug)]
struct Window {
    size: u64,
    after: Option<Vec<Value>>,
    backward: bool,
    had_cursor: bool,
}

/// `first`/`after`/`last`/`before` as a connection field receives them.
#[derive(Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

fn page_size(name: &str, n: i32, max: u64) -> Result<u64, ApiError> {
    match u64::try_from(n) {
        Ok(size) if size <= max => Ok(size),
        _ => Err(ApiError::bad_input(format!(
            "`{name}` must be between 0 and {max}, got {n}; page with cursors for more"
        ))),
    }
}

/// A page of one list: the query is built once per field and shared by every parent's page.
#[derive(Debug)]
pub struct ListQuery {
    pub source: Arc<ListSource>,
    order: Vec<SortKey>,
    window: Window,
    /// The list's table and forward ordering, written into its cursors so one works both ways.
    signature: Arc<str>,
    /// The columns each row's sort keys are read from, in `order`'s order.
    sort_columns: Vec<String>,
    /// As the source's: rendered on first use.
    fingerprint: OnceLock<String>,
    /// Whether rows are read with their cursors: not when the response shows none (`without_cursors`).
    cursors: bool,
}

impl ListQuery {
    /// `order` must end in keys that make every row unique (the primary key).
    pub fn new(source: Arc<ListSource>, order: Vec<SortKey>, args: PageArgs) -> Result<Self, ApiError> {
        let signature = signature(&source.table, &order);
        if args.last.is_none() && args.after.is_some() && args.before.is_some() {
            return Err(ApiError::bad_input("pass `after` or `before`, not both"));
        }
        if args.last.is_some() && args.after.is_some() {
            return Err(ApiError::bad_input("`after` pages forward: pass it with `first`"));
        }
        let (size, cursor, backward) = match (args.first, args.last) {
            (Some(_), Some(_)) => return Err(ApiError::bad_input("pass `first` or `last`, not both")),
            (_, Some(last)) => (page_size("last", last, source.max_page)?, args.before, true),
            (first, None) => {
                if args.before.is_some() {
                    return Err(ApiError::bad_input("`before` pages backward: pass it with `last`"));
                }
                (first.map_or(Ok(DEFAULT_PAGE), |n| page_size("first", n, source.max_page))?, args.after, false)
            }
        };
        let had_cursor = cursor.is_some();
        let order: Vec<SortKey> = if backward { order.iter().map(SortKey::reversed).collect() } else { order };
        let after = cursor.map(|c| decode_cursor(&c, &signature, &order)).transpose()?;
        let window = Window { size, after, backward, had_cursor };
        let sort_columns = (0..order.len()).map(|i| format!("__sk{i}")).collect();
        let fingerprint = OnceLock::new();
        Ok(Self { source, order, window, signature: signature.into(), sort_columns, fingerprint, cursors: true })
    }

    /// Reads rows without their cursors, for a response that shows none: reading one is an allocation or
    /// two per row. Their cursors are then empty, and must not be encoded.
    pub fn without_cursors(&mut self) {
        self.cursors = false;
    }

    pub fn fingerprint(&self) -> &str {
        self.fingerprint.get_or_init(|| self.select(&[]).to_string(SqliteQueryBuilder))
    }

    fn keyset(&self) -> Condition {
        let Some(values) = &self.window.after else { return Condition::all() };
        let mut any = Condition::any();
        let mut equal_so_far = Condition::all();
        for (key, value) in self.order.iter().zip(values) {
            let (strictly, equal) = key.after(value);
            any = any.add(equal_so_far.clone().add(strictly));
            equal_so_far = equal_so_far.add(equal);
        }
        any.not_empty_or_false()
    }

    /// One statement for the page of every parent in `parents` (or of the root list).
    fn select(&self, parents: &[i32]) -> SelectStatement {
        let source = &self.source;
        let mut select = source.base(parents);
        match &source.columns {
            Some(columns) => {
                for column in columns {
                    select.column((source.table.clone(), column.clone()));
                }
            }
            None => {
                select.column((source.table.clone(), Asterisk));
            }
        }
        select.cond_where(self.keyset());
        for (expr, alias) in &source.extra {
            select.expr_as(expr.clone(), Alias::new(alias.as_str()));
        }
        for (i, key) in self.order.iter().enumerate() {
            let kind = match key.kind {
                KeyKind::Int => "BIGINT",
                KeyKind::Float => "DOUBLE PRECISION",
                KeyKind::Text => "TEXT",
            };
            select.expr_as(key.expr.clone().cast_as(Alias::new(kind)), Alias::new(self.sort_columns[i].as_str()));
        }
        let limit = self.window.size + 1;
        let in_order = |mut select: SelectStatement| {
            for key in &self.order {
                let (order, nulls) = key.order();
                select.order_by_expr_with_nulls(key.expr.clone(), order, nulls);
            }
            select.limit(limit).to_owned()
        };
        let Some(parent_column) = source.parent.clone() else { return in_order(select) };
        if let [_] = parents {
            // One parent's page is its first rows, as the root list's: the window costs SQLite twice the work.
            select.expr_as(parent_column, Alias::new("__parent"));
            return in_order(select);
        }
        let mut window = WindowStatement::new();
        window.add_partition_by(parent_column.clone());
        for key in &self.order {
            let (order, nulls) = key.order();
            window.order_by_expr_with_nulls(key.expr.clone(), order, nulls);
        }
        select.expr_as(parent_column, Alias::new("__parent")).expr_window_as(
            Expr::cust("ROW_NUMBER()"),
            window,
            Alias::new("__rn"),
        );
        Query::select()
            .column(Asterisk)
            .from_subquery(select, Alias::new("page"))
            .and_where(Expr::col(Alias::new("__rn")).lte(limit))
            .order_by(Alias::new("__parent"), Order::Asc)
            .order_by(Alias::new("__rn"), Order::Asc)
            .to_owned()
    }

    fn cursor(&self, row: &QueryResult) -> Result<Cursor, sea_orm::DbErr> {
        if !self.cursors {
            return Ok(Cursor { signature: self.signature.clone(), keys: Vec::new() });
        }
        let values = self
            .order
            .iter()
            .zip(&self.sort_columns)
            .map(|(key, column)| key.read(row, column))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Cursor { signature: self.signature.clone(), keys: values })
    }

    /// Turns fetched rows (in traversal order, one extra) into a page.
    /// A page of the rows read, given whether the statement had more.
    fn page<M>(&self, mut rows: Vec<(M, Cursor)>, had_more: bool) -> Page<M> {
        let (has_next, has_previous) = if self.window.backward {
            rows.reverse();
            (self.window.had_cursor, had_more)
        } else {
            (had_more, self.window.had_cursor)
        };
        Page { rows, has_next, has_previous }
    }

    /// Runs the statement for `parents` (none: the root list) and reads its rows into each parent's page as
    /// they arrive, each by `decode`. Collected whole first, the raw rows of a nested list for 100 parents
    /// held tens of megabytes (every column of every row as a driver value) beside what they decode to.
    async fn read<M>(
        &self,
        db: &DatabaseConnection,
        parents: &[i32],
        decode: impl Fn(&QueryResult) -> Result<M, sea_orm::DbErr>,
    ) -> Result<Vec<(i32, Page<M>)>, sea_orm::DbErr> {
        let nested = self.source.parent.is_some();
        let size = self.window.size as usize;
        let mut rows = db.stream(&self.select(parents)).await?;
        // Each parent's rows come together (the statement orders by parent), one more than a page when it has more.
        let mut pages: Vec<Reading<M>> = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let parent = if nested { row.try_get("", "__parent")? } else { 0 };
            match pages.last_mut() {
                Some(page) if page.parent == parent => match page.rows.len() < size {
                    true => page.rows.push((decode(&row)?, self.cursor(&row)?)),
                    false => page.had_more = true,
                },
                _ if size == 0 => pages.push(Reading { parent, rows: Vec::new(), had_more: true }),
                _ => pages.push(Reading { parent, rows: vec![(decode(&row)?, self.cursor(&row)?)], had_more: false }),
            }
        }
        Ok(pages.into_iter().map(|page| (page.parent, self.page(page.rows, page.had_more))).collect())
    }

    /// The root list's page, each row read by `decode`.
    pub async fn fetch<M>(
        &self,
        db: &DatabaseConnection,
        decode: impl Fn(&QueryResult) -> Result<M, sea_orm::DbErr>,
    ) -> Result<Page<M>, ApiError> {
        let page = self.read(db, &[], decode).await?.pop().map(|(_, page)| page);
        Ok(page.unwrap_or_else(|| self.page(Vec::new(), false)))
    }

    /// Every parent's page in one statement, each row read by `decode`.
    pub async fn fetch_nested<M>(
        &self,
        db: &DatabaseConnection,
        parents: &[i32],
        decode: impl Fn(&QueryResult) -> Result<M, sea_orm::DbErr>,
    ) -> Result<Vec<(i32, Page<M>)>, sea_orm::DbErr> {
        self.read(db, parents, decode).await
    }
}

/// A parent's page as its rows arrive.
struct Reading<M> {
    parent: i32,
    rows: Vec<(M, Cursor)>,
    had_more: bool,
}

/// `table.column` as an expression.
pub fn column<C: ColumnTrait>(column: C) -> Expr {
    Expr::col((column.entity_name(), column))
}

/// Every column of `E`, e.g. to read a link table's row as edge fields.
fn columns<E: EntityTrait>() -> Vec<DynIden> {
    E::Column::iter().map(|c| Alias::new(c.as_str()).into_iden()).collect()
}

/// The primary key as the last sort keys, so every row has exactly one place in every ordering.
pub fn primary_key<E: EntityTrait>() -> Vec<SortKey> {
    use sea_orm::PrimaryKeyToColumn;
    E::PrimaryKey::iter()
        .map(|key| SortKey::new(key.into_column().as_str(), column(key.into_column()), KeyKind::Int))
        .collect()
}

/// What a cursor belongs to: the table it pages and its ordering.
fn signature(table: &DynIden, order: &[SortKey]) -> String {
    let keys: Vec<String> = order
        .iter()
        .map(|k| {
            format!("{}:{}:{}", k.name, if k.descending { "d" } else { "a" }, if k.nulls_last { "l" } else { "f" })
        })
        .collect();
    format!("{table}:{}", keys.join(","))
}

fn decode_cursor(cursor: &str, signature: &str, order: &[SortKey]) -> Result<Vec<Value>, ApiError> {
    let foreign = || ApiError::bad_input(ForeignCursor.to_string());
    let cursor = Cursor::decode_cursor(cursor).map_err(|_| foreign())?;
    if &*cursor.signature != signature || cursor.keys.len() != order.len() {
        return Err(foreign());
    }
    order.iter().zip(&cursor.keys).map(|(key, value)| key.value(value).ok_or_else(foreign)).collect()
}

/// One page of rows, each with its cursor.
#[derive(Debug, Clone)]
pub struct Page<M> {
    pub rows: Vec<(M, Cursor)>,
    pub has_next: bool,
    pub has_previous: bool,
}

impl<M> Default for Page<M> {
    fn default() -> Self {
        Self { rows: Vec::new(), has_next: false, has_previous: false }
    }
}

impl<M> Page<M> {
    /// The connection for this page; `edge` gives each row's node and edge fields.
    pub fn connection<N, E, Name, EdgeName>(
        self,
        total: Total,
        edge: impl Fn(M) -> (N, E),
    ) -> Connection<Cursor, N, Total, E, Name, EdgeName>
    where
        N: OutputType,
        E: ObjectType,
        Name: ConnectionNameType,
        EdgeName: EdgeNameType,
    {
        let mut connection = Connection::with_additional_fields(self.has_previous, self.has_next, total);
        connection.edges = self
            .rows
            .into_iter()
            .map(|(row, cursor)| {
                let (node, fields) = edge(row);
                Edge::with_additional_fields(cursor, node, fields)
            })
            .collect();
        connection
    }

    /// The connection for this page, whose edges carry nothing but the cursor.
    pub fn plain<N: OutputType>(self, total: Total, node: impl Fn(M) -> N) -> Plain<N> {
        self.connection(total, |row| (node(row), EmptyFields))
    }
}

/// A connection whose edges carry nothing but the cursor.
pub type Plain<N> = Connection<Cursor, N, Total, EmptyFields, DefaultConnectionName, DefaultEdgeName>;

/// The `totalCount` of a connection, counted only when a client selects it.
pub struct Total {
    source: Arc<ListSource>,
    parent: Option<i32>,
}

impl Total {
    pub fn new(source: Arc<ListSource>, parent: Option<i32>) -> Self {
        Self { source, parent }
    }
}

#[Object]
impl Total {
    /// How many items the list holds across all pages, with its filter applied.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64, ApiError> {
        match self.parent {
            Some(parent) => load_count(ctx, self.source.clone(), parent).await,
            None => {
                let db = crate::graphql::engine::db(ctx)?;
                let row = db.query_one(&self.source.count(&[])).await?;
                Ok(row.map(|r| r.try_get::<i64>("", "__count")).transpose()?.unwrap_or(0))
            }
        }
    }
}

/// A connection whose edges carry `E` and are named by `Names`.
pub type LinkConnection<N, E, Names> = Connection<Cursor, N, Total, E, Names, Names>;

// A nested list's pages and totals are keys of the request's one loader, batched across a field's parents.
// They are declared here, beside the lists they load, so that the loader knows nothing of lists and the
// dependency runs one way: from the lists to the loader.

/// One parent's page of a nested list; keys with the same query are fetched in one statement.
struct PageKey<M> {
    query: Arc<ListQuery>,
    parent: i32,
    row: PhantomData<fn() -> M>,
}

impl<M> Clone for PageKey<M> {
    fn clone(&self) -> Self {
        Self { query: self.query.clone(), parent: self.parent, row: PhantomData }
    }
}
impl<M> PartialEq for PageKey<M> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.query.fingerprint() == other.query.fingerprint()
    }
}
impl<M> Eq for PageKey<M> {}
impl<M> Hash for PageKey<M> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.query.fingerprint().hash(state);
        self.parent.hash(state);
    }
}

impl<M> Loader<PageKey<M>> for DbLoader
where
    M: FromColumns + Clone + Send + Sync + 'static,
{
    type Value = Page<M>;
    type Error = Arc<DbErr>;

    #[expect(
        clippy::mutable_key_type,
        reason = "a key hashes its fingerprint, which is rendered once and never changes"
    )]
    async fn load(&self, keys: &[PageKey<M>]) -> Result<HashMap<PageKey<M>, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (query, parents) in
            group_by_fingerprint(keys, |k| (k.query.clone(), k.query.fingerprint().to_owned(), k.parent))
        {
            crate::metrics::loader_batch(&query.source.table(), parents.len());
            for (parent, page) in query.fetch_nested(&self.db, &parents, M::from_row).await? {
                found.insert(PageKey { query: query.clone(), parent, row: PhantomData }, page);
            }
        }
        Ok(found)
    }
}

/// The total size of one parent's nested list.
#[derive(Clone)]
struct CountKey {
    source: Arc<ListSource>,
    parent: i32,
}

impl PartialEq for CountKey {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.source.fingerprint() == other.source.fingerprint()
    }
}
impl Eq for CountKey {}
impl Hash for CountKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.source.fingerprint().hash(state);
        self.parent.hash(state);
    }
}

impl Loader<CountKey> for DbLoader {
    type Value = i64;
    type Error = Arc<DbErr>;

    #[expect(
        clippy::mutable_key_type,
        reason = "a key hashes its fingerprint, which is rendered once and never changes"
    )]
    async fn load(&self, keys: &[CountKey]) -> Result<HashMap<CountKey, i64>, Self::Error> {
        let mut found = HashMap::new();
        for (source, parents) in
            group_by_fingerprint(keys, |k| (k.source.clone(), k.source.fingerprint().to_owned(), k.parent))
        {
            crate::metrics::loader_batch(&format!("{}_count", source.table()), parents.len());
            for row in self.db.query_all(&source.count(&parents)).await? {
                let parent: i32 = row.try_get("", "__parent")?;
                found.insert(CountKey { source: source.clone(), parent }, row.try_get("", "__count")?);
            }
        }
        Ok(found)
    }
}

/// Groups batch keys by what they ask for, so each distinct query runs once for all its parents.
fn group_by_fingerprint<K, Q: Clone>(keys: &[K], parts: impl Fn(&K) -> (Q, String, i32)) -> Vec<(Q, Vec<i32>)> {
    let mut groups: Vec<(String, Q, Vec<i32>)> = Vec::new();
    for key in keys {
        let (query, fingerprint, parent) = parts(key);
        match groups.iter_mut().find(|(f, _, _)| *f == fingerprint) {
            Some((_, _, parents)) => parents.push(parent),
            None => groups.push((fingerprint, query, vec![parent])),
        }
    }
    groups.into_iter().map(|(_, query, parents)| (query, parents)).collect()
}

/// One parent's page of a nested list, batched with its siblings.
async fn load_page<M>(ctx: &Context<'_>, query: Arc<ListQuery>, parent: i32) -> Result<Page<M>, ApiError>
where
    M: FromColumns + Clone + Send + Sync + 'static,
{
    let key = PageKey { query, parent, row: PhantomData };
    Ok(loader(ctx)?.load_one(key).await?.unwrap_or_default())
}

/// One parent's total for a nested list, batched with its siblings.
async fn load_count(ctx: &Context<'_>, source: Arc<ListSource>, parent: i32) -> Result<i64, ApiError> {
    Ok(loader(ctx)?.load_one(CountKey { source, parent }).await?.unwrap_or(0))
}

/// A nested list as a parent's resolver describes it: its rows, their order, and the page asked for.
pub type NestedList = (ListSource, Vec<SortKey>, PageArgs);

/// A list's rows and their order, as a field's `filter` and `orderBy` describe them: what both executors
/// page.
pub type SortedSource = (ListSource, Vec<SortKey>);

/// Each nested list's query in one request, by the field asking for it.
#[derive(Default)]
pub struct NestedQueries(Mutex<HashMap<(usize, TypeId), Arc<ListQuery>>>);

impl NestedQueries {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(usize, TypeId), Arc<ListQuery>>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Builds a nested list's page for one parent. Every sibling asks for the same list, so it is described and
/// built once per field (built per parent, it was a fifth of a nested query's work), and all their pages
/// come from one statement.
pub async fn nested_page<M>(
    ctx: &Context<'_>,
    parent: i32,
    list: impl FnOnce() -> Result<NestedList, ApiError>,
) -> Result<(Page<M>, Total), ApiError>
where
    M: FromColumns + Clone + Send + Sync + 'static,
{
    // The field's node in the request's document is the same for every parent, and so are its arguments;
    // the row type tells apart fields that a fragment shares between types.
    let key = (std::ptr::from_ref(&ctx.item.node) as usize, TypeId::of::<M>());
    let queries = ctx.data::<NestedQueries>().ok();
    let query = match queries.and_then(|queries| queries.lock().get(&key).cloned()) {
        Some(query) => query,
        None => {
            let (source, order, args) = list()?;
            let query = Arc::new(ListQuery::new(source.build(), order, args)?);
            if let Some(queries) = queries {
                queries.lock().insert(key, query.clone());
            }
            query
        }
    };
    let page = load_page::<M>(ctx, query.clone(), parent).await?;
    Ok((page, Total::new(query.source.clone(), Some(parent))))
}

/// A nested list as one parent's connection, whose edges `edge` makes from the rows. `list` describes the
/// list's rows and order, and runs only for a field's first parent (see [`nested_page`]).
pub async fn nested_connection<M, N, E, Name, EdgeName>(
    ctx: &Context<'_>,
    parent: i32,
    args: PageArgs,
    list: impl FnOnce() -> Result<(ListSource, Vec<SortKey>), ApiError>,
    edge: impl Fn(M) -> (N, E),
) -> Result<Connection<Cursor, N, Total, E, Name, EdgeName>, ApiError>
where
    M: FromColumns + Clone + Send + Sync + 'static,
    N: OutputType,
    E: ObjectType,
    Name: ConnectionNameType,
    EdgeName: EdgeNameType,
{
    let (page, total) = nested_page::<M>(ctx, parent, || {
        let (source, order) = list()?;
        Ok((source, order, args))
    })
    .await?;
    Ok(page.connection(total, edge))
}

/// The root list as a connection: `source`'s rows in `order`, each made a node by `node`.
pub async fn root_connection<M: FromColumns, N: OutputType>(
    ctx: &Context<'_>,
    source: Arc<ListSource>,
    order: Vec<SortKey>,
    args: PageArgs,
    node: impl Fn(M) -> N,
) -> Result<Plain<N>, ApiError> {
    let (page, total) = root_page::<M>(ctx, source, order, args).await?;
    Ok(page.plain(total, node))
}

/// Builds the root list's page.
pub async fn root_page<M: FromColumns>(
    ctx: &Context<'_>,
    source: Arc<ListSource>,
    order: Vec<SortKey>,
    args: PageArgs,
) -> Result<(Page<M>, Total), ApiError> {
    root_page_with(ctx, source, order, args, M::from_row).await
}

/// Builds the root list's page of rows that `decode` reads, for rows that are not one table's.
pub async fn root_page_with<M>(
    ctx: &Context<'_>,
    source: Arc<ListSource>,
    order: Vec<SortKey>,
    args: PageArgs,
    decode: impl Fn(&QueryResult) -> Result<M, sea_orm::DbErr>,
) -> Result<(Page<M>, Total), ApiError> {
    let db = crate::graphql::engine::db(ctx)?;
    let page = ListQuery::new(source.clone(), order, args)?.fetch(db, decode).await?;
    Ok((page, Total::new(source, None)))
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{Alias, Expr, Query, SqliteQueryBuilder};

    use super::*;

    /// The WHERE clause a condition renders as, on SQLite.
    fn rendered(condition: Condition) -> String {
        let sql = Query::select().expr(Expr::val(1)).cond_where(condition).to_string(SqliteQueryBuilder);
        sql.split_once(" WHERE ").map_or(String::new(), |(_, clause)| clause.to_owned())
    }

    fn key() -> SortKey {
        SortKey::new("n", Expr::col(Alias::new("n")), KeyKind::Int)
    }

    #[test]
    fn after_a_value_ascending_with_nulls_last_includes_the_nulls() {
        let (strictly, equal) = key().after(&Value::BigInt(Some(5)));
        assert_eq!(rendered(strictly), r#""n" > 5 OR "n" IS NULL"#);
        assert_eq!(rendered(equal), r#""n" = 5"#);
    }

    #[test]
    fn after_a_value_descending_with_nulls_first_is_only_smaller_values() {
        let (strictly, _) = key().descending(true).nulls_last(false).after(&Value::BigInt(Some(5)));
        assert_eq!(rendered(strictly), r#""n" < 5"#);
    }

    #[test]
    fn after_a_null_is_nothing_when_nulls_come_last_and_every_value_when_they_come_first() {
        let (strictly, equal) = key().after(&Value::BigInt(None));
        // An empty `any()` would render as TRUE: past the last null there is nothing.
        assert_eq!(rendered(strictly), "1 = 0");
        assert_eq!(rendered(equal), r#""n" IS NULL"#);
        let (strictly, _) = key().nulls_last(false).after(&Value::BigInt(None));
        assert_eq!(rendered(strictly), r#""n" IS NOT NULL"#);
    }

    fn source() -> Arc<ListSource> {
        ListSource::new(entity::role::Entity, Condition::all()).build()
    }

    fn args(first: Option<i32>, after: Option<&str>, last: Option<i32>, before: Option<&str>) -> PageArgs {
        PageArgs { first, after: after.map(str::to_owned), last, before: before.map(str::to_owned) }
    }

    fn query(args: PageArgs) -> Result<ListQuery, String> {
        ListQuery::new(source(), primary_key::<entity::role::Entity>(), args)
            .map_err(|error| async_graphql::Error::from(error).message)
    }

    #[test]
    fn page_sizes_default_and_are_bounded() {
        assert_eq!(query(args(None, None, None, None)).unwrap().window.size, DEFAULT_PAGE);
        assert_eq!(query(args(Some(0), None, None, None)).unwrap().window.size, 0);
        assert_eq!(query(args(Some(100), None, None, None)).unwrap().window.size, MAX_PAGE);
        assert!(query(args(Some(101), None, None, None)).unwrap_err().contains("between 0 and 100"));
        assert!(query(args(Some(-1), None, None, None)).unwrap_err().contains("between 0 and 100"));
        let backward = query(args(None, None, Some(3), None)).unwrap();
        assert!(backward.window.backward && backward.order.iter().all(|key| key.descending));
    }

    #[test]
    fn cursors_must_go_with_their_direction() {
        let errors = [
            (args(Some(1), None, Some(1), None), "not both"),
            (args(None, Some("c"), None, Some("c")), "`after` or `before`"),
            (args(None, Some("c"), Some(1), None), "`after` pages forward"),
            (args(Some(1), None, None, Some("c")), "`before` pages backward"),
            (args(Some(1), Some("not a cursor"), None, None), "not issued by this list"),
        ];
        for (args, message) in errors {
            let error = query(args).unwrap_err();
            assert!(error.contains(message), "{error}");
        }
    }

    #[test]
    fn a_cursor_pages_only_the_ordering_that_issued_it() {
        let order = primary_key::<entity::role::Entity>();
        let issued = Cursor { signature: signature(&source().table, &order).into(), keys: vec![Json::from(7)] };
        let page = query(args(Some(2), Some(&issued.encode_cursor()), None, None)).unwrap();
        assert_eq!(page.window.after, Some(vec![Value::BigInt(Some(7))]));
        let descending: Vec<SortKey> = order.iter().map(|key| key.clone().descending(true)).collect();
        let other = Cursor { signature: signature(&source().table, &descending).into(), keys: vec![Json::from(7)] };
        assert!(query(args(Some(2), Some(&other.encode_cursor()), None, None)).is_err());
    }
}
