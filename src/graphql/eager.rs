//! Plain data objects resolved in one synchronous pass over their selection.
//!
//! async-graphql resolves every field through a boxed future of its own: right for a field that loads,
//! costly for an object whose fields are figures already in hand. A city-by-city salary breakdown returns
//! about 600 groups of 30 such figures, and resolving them field by field was most of its time
//! (`scripts/bench-analytics.sh`). `Eager<T>` keeps `T`'s schema type (derived as usual, so the SDL and
//! introspection do not change) and resolves it by walking the selection once.
use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, SelectionField, ServerResult, Value};

/// An object whose fields are values in hand: no loading, no arguments, no errors.
pub trait EagerObject: OutputType {
    /// The value of the field named `name` (never `__typename`); `field` is that field, for the selection
    /// of an object-valued one. Validation has already checked that `name` is one of the type's fields.
    fn field(&self, name: &str, field: SelectionField<'_>) -> Value;
}

/// `T` in the schema, resolved eagerly.
pub struct Eager<T>(pub T);

impl<T: EagerObject> OutputType for Eager<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        Ok(resolve(&self.0, ctx.with_field(field).field()))
    }
}

/// `object` as the response to `selection`: its fields in selection order, fragments flattened (skipped
/// ones are already gone from the document), repeated fields merged, as GraphQL's execution does.
pub fn resolve<T: EagerObject>(object: &T, selection: SelectionField<'_>) -> Value {
    let mut fields = IndexMap::new();
    for field in selection.selection_set() {
        let value = match field.name() {
            "__typename" => Value::String(object.introspection_type_name().into_owned()),
            name => object.field(name, field),
        };
        merge(&mut fields, Name::new(field.alias().unwrap_or(field.name())), value);
    }
    Value::Object(fields)
}

fn merge(fields: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    match (fields.entry(key), value) {
        (Entry::Occupied(mut entry), Value::Object(more)) => match entry.get_mut() {
            Value::Object(existing) => {
                for (key, value) in more {
                    merge(existing, key, value);
                }
            }
            existing => *existing = Value::Object(more),
        },
        // The same response key names the same field (validation sees to that): the same value.
        (Entry::Occupied(_), _) => {}
        (Entry::Vacant(entry), value) => {
            entry.insert(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};

    use super::*;

    #[derive(SimpleObject, Clone)]
    struct Inner {
        low: Option<f64>,
        is_top: bool,
    }

    #[derive(SimpleObject, Clone)]
    struct Outer {
        count: i64,
        first: Inner,
        second: Inner,
    }

    impl EagerObject for Inner {
        fn field(&self, name: &str, _: SelectionField<'_>) -> Value {
            match name {
                "low" => self.low.into(),
                "isTop" => self.is_top.into(),
                _ => Value::Null,
            }
        }
    }

    impl EagerObject for Outer {
        fn field(&self, name: &str, field: SelectionField<'_>) -> Value {
            match name {
                "count" => self.count.into(),
                "first" => resolve(&self.first, field),
                "second" => resolve(&self.second, field),
                _ => Value::Null,
            }
        }
    }

    fn outer() -> Outer {
        Outer { count: 3, first: Inner { low: Some(1.5), is_top: false }, second: Inner { low: None, is_top: true } }
    }

    struct Query;

    #[Object]
    impl Query {
        async fn derived(&self) -> Outer {
            outer()
        }
        async fn eager(&self) -> Eager<Outer> {
            Eager(outer())
        }
    }

    /// Whatever the selection, the eager answer is the one async-graphql gives for the derived type.
    #[tokio::test]
    async fn eager_objects_answer_as_derived_ones_do() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let selections = [
            "count first { low isTop }",
            "__typename b: count a: first { __typename isTop x: low } second { low }",
            "first { low } count first { isTop } first { low }",
            "...Parts ... on Outer { second { isTop } } first { ... on Inner { isTop } }",
            "count @skip(if: true) first @include(if: false) { low } second { low @include(if: true) }",
        ];
        for selection in selections {
            let fragment =
                "fragment Parts on Outer { count second { low } first { ...Low } } fragment Low on Inner { low }";
            let query = |root: &str| {
                let fragments = if selection.contains("...Parts") { fragment } else { "" };
                format!("{{ {root} {{ {selection} }} }} {fragments}")
            };
            let derived = schema.execute(query("derived")).await;
            let eager = schema.execute(query("eager")).await;
            assert!(derived.errors.is_empty() && eager.errors.is_empty(), "{:?} {:?}", derived.errors, eager.errors);
            let derived = serde_json::to_string(&derived.data).unwrap().replace("derived", "root");
            let eager = serde_json::to_string(&eager.data).unwrap().replace("eager", "root");
            assert_eq!(eager, derived, "selection: {selection}");
        }
    }
}
