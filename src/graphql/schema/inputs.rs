//! Typed filter inputs for scalar fields, and the ordering inputs shared by every list. Each type's own
//! filter (`RoleFilter`, …) lives beside the type and combines these with `and`/`or`/`not`.
use async_graphql::{Enum, InputObject, InputType};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ActiveEnum, Value};

use crate::graphql::engine::page::{KeyKind, SortKey, column};
use crate::graphql::error::ApiError;

/// Text comparisons. `contains` and `startsWith` ignore case; `eq`, `ne`, `in` and `notIn` do not.
#[derive(InputObject, Default)]
pub struct StringFilter {
    pub eq: Option<String>,
    pub ne: Option<String>,
    #[graphql(name = "in")]
    pub is_in: Option<Vec<String>>,
    pub not_in: Option<Vec<String>>,
    // At most 10,000 characters: a pattern is refused by SQLite past 50,000 bytes (`LIKE`'s limit), and
    // escaped, 10,000 characters of UTF-8 take 40,000 at most. No stored text is as long.
    #[graphql(validator(max_length = 10000))]
    pub contains: Option<String>,
    #[graphql(validator(max_length = 10000))]
    pub starts_with: Option<String>,
    /// `true`: only missing values; `false`: only present ones.
    pub is_null: Option<bool>,
}

/// `%` and `_` are wildcards in LIKE: escape them so user text matches literally.
fn like_pattern(text: &str, prefix: &str, suffix: &str) -> LikeExpr {
    let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    LikeExpr::new(format!("{prefix}{escaped}{suffix}")).escape('\\')
}

impl StringFilter {
    pub fn condition(&self, column: Expr) -> Condition {
        let lower = || Expr::from(Func::lower(column.clone()));
        Condition::all()
            .add_option(self.eq.clone().map(|v| column.clone().eq(v)))
            .add_option(self.ne.clone().map(|v| column.clone().ne(v)))
            .add_option(self.is_in.clone().map(|v| column.clone().is_in(v)))
            .add_option(self.not_in.clone().map(|v| column.clone().is_not_in(v)))
            .add_option(self.contains.as_deref().map(|v| lower().like(like_pattern(v, "%", "%"))))
            .add_option(self.starts_with.as_deref().map(|v| lower().like(like_pattern(v, "", "%"))))
            .add_option(null_check(&column, self.is_null))
    }
}

fn null_check(column: &Expr, is_null: Option<bool>) -> Option<Expr> {
    is_null.map(|null| if null { column.clone().is_null() } else { column.clone().is_not_null() })
}

/// Number comparisons; used for counts (`IntFilter`) and amounts (`FloatFilter`, in currency units).
#[derive(InputObject, Default)]
#[graphql(concrete(name = "IntFilter", params(i64)), concrete(name = "FloatFilter", params(f64)))]
pub struct NumberFilter<T: InputType> {
    pub eq: Option<T>,
    pub ne: Option<T>,
    #[graphql(name = "in")]
    pub is_in: Option<Vec<T>>,
    pub not_in: Option<Vec<T>>,
    pub lt: Option<T>,
    pub lte: Option<T>,
    pub gt: Option<T>,
    pub gte: Option<T>,
    /// `true`: only missing values; `false`: only present ones.
    pub is_null: Option<bool>,
}

impl<T: InputType + Copy> NumberFilter<T> {
    /// `stored` turns a client's number into the column's value (e.g. dollars into cents).
    pub fn condition<V: Into<Value>>(&self, column: Expr, stored: impl Fn(T) -> V) -> Condition {
        let value = |v: T| stored(v).into();
        let values = |vs: &Vec<T>| vs.iter().map(|v| value(*v)).collect::<Vec<Value>>();
        Condition::all()
            .add_option(self.eq.map(|v| column.clone().eq(value(v))))
            .add_option(self.ne.map(|v| column.clone().ne(value(v))))
            .add_option(self.is_in.as_ref().map(|v| column.clone().is_in(values(v))))
            .add_option(self.not_in.as_ref().map(|v| column.clone().is_not_in(values(v))))
            .add_option(self.lt.map(|v| column.clone().lt(value(v))))
            .add_option(self.lte.map(|v| column.clone().lte(value(v))))
            .add_option(self.gt.map(|v| column.clone().gt(value(v))))
            .add_option(self.gte.map(|v| column.clone().gte(value(v))))
            .add_option(null_check(&column, self.is_null))
    }
}

#[derive(InputObject, Default)]
pub struct BooleanFilter {
    pub eq: Option<bool>,
}

impl BooleanFilter {
    pub fn condition(&self, column: Expr) -> Condition {
        Condition::all().add_option(self.eq.map(|v| column.eq(v)))
    }
}

/// Comparisons for an enum field.
#[derive(InputObject)]
#[graphql(
    concrete(name = "AreaKindFilter", params(crate::graphql::schema::enums::AreaKind)),
    concrete(name = "OccupationGroupFilter", params(crate::graphql::schema::enums::OccupationGroup)),
    concrete(name = "PayPeriodFilter", params(crate::graphql::schema::enums::PayPeriod)),
    concrete(name = "SkillCategoryFilter", params(crate::graphql::schema::enums::SkillCategory)),
    concrete(name = "ToolCategoryFilter", params(crate::graphql::schema::enums::ToolCategory))
)]
pub struct EnumFilter<T: InputType> {
    pub eq: Option<T>,
    pub ne: Option<T>,
    #[graphql(name = "in")]
    pub is_in: Option<Vec<T>>,
    pub not_in: Option<Vec<T>>,
}

impl<T: InputType + Copy> EnumFilter<T> {
    pub fn condition<A: ActiveEnum<Value = String>>(&self, column: Expr) -> Condition
    where
        T: Into<A>,
    {
        let value = |v: T| v.into().to_value();
        let values = |vs: &Vec<T>| vs.iter().map(|v| value(*v)).collect::<Vec<String>>();
        Condition::all()
            .add_option(self.eq.map(|v| column.clone().eq(value(v))))
            .add_option(self.ne.map(|v| column.clone().ne(value(v))))
            .add_option(self.is_in.as_ref().map(|v| column.clone().is_in(values(v))))
            .add_option(self.not_in.as_ref().map(|v| column.clone().is_not_in(values(v))))
    }
}

/// Declares a type's filter input: its own fields (each optional), then `and`, `or` and `not` over the filter
/// itself, and `condition()`, which ANDs `$own` (the condition of one filter's own fields, read from
/// `$filter`) with those. A macro rather than a generic input, as `ordering_input!` is.
macro_rules! filter_input {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$field_meta:meta])* $field:ident: $type:ty,)*
        }
        |$filter:ident| $own:expr
    ) => {
        $(#[$meta])*
        #[derive(async_graphql::InputObject, Default)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: Option<$type>,)*
            pub and: Option<Vec<$name>>,
            pub or: Option<Vec<$name>>,
            pub not: Option<Box<$name>>,
        }

        impl $name {
            pub fn condition(&self) -> sea_orm::sea_query::Condition {
                let $filter = self;
                $crate::graphql::schema::inputs::combine($own, &self.and, &self.or, &self.not, $name::condition)
            }
        }
    };
}

/// `and`/`or`/`not` over a type's filters: every field set in one filter must hold (AND).
pub fn combine<F>(
    own: Condition,
    and: &Option<Vec<F>>,
    or: &Option<Vec<F>>,
    not: &Option<Box<F>>,
    condition: impl Fn(&F) -> Condition,
) -> Condition {
    let mut all = own;
    if let Some(filters) = and {
        all = all.add(balanced(filters.iter().map(&condition).collect(), Condition::all));
    }
    if let Some(filters) = or {
        // An empty `or` matches nothing, as an empty disjunction should.
        let any = balanced(filters.iter().map(&condition).collect(), Condition::any);
        all = all.add(if filters.is_empty() { Condition::all().add(Expr::val(1).eq(0)) } else { any });
    }
    if let Some(filter) = not {
        all = all.add(condition(filter).not());
    }
    all
}

/// `conditions` joined by `join` (`Condition::all` or `Condition::any`) two by two, in parentheses, rather
/// than in one row: SQLite refuses an expression nested more than 1,000 deep, and it reads `a OR b OR c …`
/// as nested one level per term. Balanced, a thousand terms nest ten deep.
fn balanced(mut conditions: Vec<Condition>, join: fn() -> Condition) -> Condition {
    while conditions.len() > 2 {
        let mut paired = Vec::with_capacity(conditions.len().div_ceil(2));
        let mut items = conditions.into_iter();
        while let Some(first) = items.next() {
            paired.push(match items.next() {
                Some(second) => join().add(first).add(second),
                None => first,
            });
        }
        conditions = paired;
    }
    conditions.into_iter().fold(join(), Condition::add)
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

/// Where missing values go; last unless asked.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum NullsOrder {
    First,
    #[default]
    Last,
}

/// A field of a type that lists can be ordered by.
pub trait OrderField: Copy {
    /// The key's name in cursors, the expression it sorts by, and how its values are read.
    fn key(self) -> (&'static str, Expr, KeyKind);
}

/// An ordering input for `$field`, a type's `OrderField` enum: one term of an `orderBy` list. A macro rather
/// than a generic input, so this module need not name every type's order fields.
macro_rules! ordering_input {
    ($name:ident, $field:ty) => {
        /// One ordering term; `orderBy` takes a list of them, first term first.
        #[derive(async_graphql::InputObject)]
        pub struct $name {
            pub field: $field,
            #[graphql(default)]
            pub direction: $crate::graphql::schema::inputs::OrderDirection,
            #[graphql(default)]
            pub nulls: $crate::graphql::schema::inputs::NullsOrder,
        }

        impl $name {
            pub fn sort_key(&self) -> $crate::graphql::engine::page::SortKey {
                let (name, expr, kind) = $crate::graphql::schema::inputs::OrderField::key(self.field);
                $crate::graphql::schema::inputs::sort_key(name, expr, kind, self.direction, self.nulls)
            }
        }
    };
}

pub fn sort_key(
    name: impl Into<String>,
    expr: Expr,
    kind: KeyKind,
    direction: OrderDirection,
    nulls: NullsOrder,
) -> SortKey {
    SortKey::new(name, expr, kind).descending(direction == OrderDirection::Desc).nulls_last(nulls == NullsOrder::Last)
}

/// The client's ordering (or `default` when none is given), then the primary key so every row has a place.
pub fn sort_keys(
    requested: Option<Vec<SortKey>>,
    default: Vec<SortKey>,
    primary_key: Vec<SortKey>,
) -> Result<Vec<SortKey>, ApiError> {
    let mut keys = requested.filter(|keys| !keys.is_empty()).unwrap_or(default);
    if keys.len() > 5 {
        return Err(ApiError::bad_input("`orderBy` takes at most 5 terms"));
    }
    keys.extend(primary_key);
    Ok(keys)
}

/// `SELECT column FROM its table WHERE condition`, for `IN (…)` tests across relations.
pub fn select_where<C: sea_orm::ColumnTrait>(column: C, condition: Condition) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column((column.entity_name(), column))
        .from(column.entity_name())
        .cond_where(condition)
        .to_owned()
}

/// `SELECT link.own FROM link WHERE link.other IN (others)`: through a link table, the rows linked to any of
/// `others`, for filtering a type by what it is linked to.
pub fn linked_to<C: sea_orm::ColumnTrait>(
    own: C,
    other: C,
    others: sea_orm::sea_query::SelectStatement,
) -> sea_orm::sea_query::SelectStatement {
    select_where(own, Condition::all().add(column(other).in_subquery(others)))
}

/// A one-value subquery as an expression, e.g. a related row's column to sort by.
pub fn subquery(select: sea_orm::sea_query::SelectStatement) -> Expr {
    use sea_orm::sea_query::QueryStatementBuilder;
    Expr::SubQuery(None, Box::new(select.into_sub_query_statement()))
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};

    use super::*;

    #[test]
    fn long_conditions_nest_as_a_balanced_tree() {
        let terms = (0..8).map(|n| Condition::all().add(Expr::col("a").eq(n))).collect();
        let sql = Query::select()
            .expr(Expr::val(1))
            .cond_where(balanced(terms, Condition::any))
            .to_string(SqliteQueryBuilder);
        let where_clause = sql.split_once("WHERE ").unwrap().1;
        // sea-query leaves out the parentheses a left-to-right reading does not need: this reads as
        // ((0 OR 1) OR (2 OR 3)) OR ((4 OR 5) OR (6 OR 7)), three deep for eight terms.
        assert_eq!(
            where_clause,
            r#""a" = 0 OR "a" = 1 OR ("a" = 2 OR "a" = 3) OR ("a" = 4 OR "a" = 5 OR ("a" = 6 OR "a" = 7))"#
        );
    }
}
