//! Objects resolved in one synchronous pass over their selection.
//!
//! async-graphql resolves every field through a boxed future of its own, routed through the schema's
//! extensions: right for a field that loads, costly for figures already in hand. A city-by-city salary
//! breakdown returns about 600 groups of 30 such figures, and resolving them field by field was most of its
//! time (`scripts/bench/bench-analytics.sh`). `Eager<T>` keeps `T`'s schema type (derived as usual, so the SDL and
//! introspection do not change), answers the fields `T` has in hand while walking the selection once, and
//! leaves only the fields that load to `T`'s derived resolver.
use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::ContainerType;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

/// An object whose fields are mostly values in hand.
pub trait EagerObject: ContainerType {
    /// The value of the field `name` (never `__typename`), whose own selection, for an object-valued field, is
    /// `selection`; `None` for a field that loads, which `T`'s derived resolver then answers. Validation has
    /// already checked that `name` is one of the type's fields.
    fn field(&self, name: &str, selection: &ContextSelectionSet<'_>) -> Option<Value>;
}

impl<T: EagerObject + Sync> EagerObject for &T {
    fn field(&self, name: &str, selection: &ContextSelectionSet<'_>) -> Option<Value> {
        T::field(self, name, selection)
    }
}

/// `T` in the schema, resolved eagerly.
pub struct Eager<T>(pub T);

impl<T: EagerObject + Sync> OutputType for Eager<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, _: &Positioned<Field>) -> ServerResult<Value> {
        let mut fields = IndexMap::with_capacity(ctx.item.node.items.len());
        let mut loading = Vec::new();
        walk(&self.0, ctx, &mut fields, &mut loading);
        let loaded = futures_util::future::join_all(loading.into_iter().map(|field| async move {
            let ctx_field = ctx.with_field(field);
            (field, self.0.resolve_field(&ctx_field).await.map_err(|e| ctx_field.set_error_path(e)))
        }))
        .await;
        for (field, value) in loaded {
            match value {
                Ok(value) => {
                    let value = value.unwrap_or_default();
                    match fields.get_mut(&field.node.response_key().node) {
                        // The walk's placeholder, the first time a loading field's key comes back.
                        Some(slot @ Value::Null) => *slot = value,
                        _ => merge(&mut fields, field.node.response_key().node.clone(), value),
                    }
                }
                // Null in the data, the error beside it: right for a nullable field. For a non-null one this is
                // no stricter than async-graphql's own containers, which leave the key out.
                Err(error) => ctx.add_error(error),
            }
        }
        Ok(Value::Object(fields))
    }
}

/// An object every field of which is in hand, as the value for `selection`.
pub fn object<T: EagerObject>(object: &T, selection: &ContextSelectionSet<'_>) -> Value {
    let value = in_hand(object, selection);
    debug_assert!(value.is_some(), "{} has fields that load", T::type_name());
    value.unwrap_or_default()
}

/// The value for `selection` when every field it selects of `object` is in hand; `None` when one loads.
pub fn in_hand<T: EagerObject>(object: &T, selection: &ContextSelectionSet<'_>) -> Option<Value> {
    let mut fields = IndexMap::with_capacity(selection.item.node.items.len());
    let mut loading = Vec::new();
    walk(object, selection, &mut fields, &mut loading);
    loading.is_empty().then_some(Value::Object(fields))
}

/// Puts `object`'s fields for `ctx`'s selection into `fields` in selection order, fragments flattened (skipped
/// ones are already gone from the document) and repeated fields merged, as GraphQL's execution does; fields
/// that load are left null and listed in `loading`.
fn walk<'a, T: EagerObject>(
    object: &T,
    ctx: &ContextSelectionSet<'a>,
    fields: &mut IndexMap<Name, Value>,
    loading: &mut Vec<&'a Positioned<Field>>,
) {
    let selection_set: &'a _ = ctx.item;
    for selection in &selection_set.node.items {
        let fragment = match &selection.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.clone();
                let value = match field.node.name.node.as_str() {
                    "__typename" => Some(Value::String(object.introspection_type_name().into_owned())),
                    name => object.field(name, &ctx.with_field(field).with_selection_set(&field.node.selection_set)),
                };
                match value {
                    Some(value) => merge(fields, key, value),
                    None => {
                        fields.entry(key).or_insert(Value::Null);
                        loading.push(field);
                    }
                }
                continue;
            }
            // async-graphql keeps the document's fragments beside the operation (a doc-hidden field).
            Selection::FragmentSpread(spread) => ctx
                .query_env
                .fragments
                .get(&spread.node.fragment_name.node)
                .map(|f| (Some(&f.node.type_condition.node.on.node), &f.node.selection_set)),
            Selection::InlineFragment(inline) => {
                Some((inline.node.type_condition.as_ref().map(|c| &c.node.on.node), &inline.node.selection_set))
            }
        };
        // Validation leaves only fragments on this type or on an interface or union it belongs to.
        if let Some((condition, selection_set)) = fragment {
            let type_name = object.introspection_type_name();
            let applies = condition.is_none_or(|on| {
                *on == *type_name
                    || ctx.schema_env.registry.types.get(on.as_str()).is_some_and(|t| t.is_possible_type(&type_name))
            });
            if applies {
                walk(object, &ctx.with_selection_set(selection_set), fields, loading);
            }
        }
    }
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
    use async_graphql::{ComplexObject, EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};

    use super::*;

    #[derive(SimpleObject, Clone)]
    struct Inner {
        low: Option<f64>,
        is_top: bool,
    }

    #[derive(SimpleObject, Clone)]
    #[graphql(complex)]
    struct Outer {
        count: i64,
        first: Inner,
        second: Inner,
    }

    /// Fields that "load": the eager walk leaves them to the derived resolver.
    #[ComplexObject]
    impl Outer {
        async fn doubled(&self) -> i64 {
            tokio::task::yield_now().await;
            self.count * 2
        }

        async fn failing(&self) -> async_graphql::Result<Option<i64>> {
            Err("no figure".into())
        }
    }

    impl EagerObject for Inner {
        fn field(&self, name: &str, _: &ContextSelectionSet<'_>) -> Option<Value> {
            Some(match name {
                "low" => self.low.into(),
                "isTop" => self.is_top.into(),
                _ => Value::Null,
            })
        }
    }

    impl EagerObject for Outer {
        fn field(&self, name: &str, selection: &ContextSelectionSet<'_>) -> Option<Value> {
            Some(match name {
                "count" => self.count.into(),
                "first" => object(&self.first, selection),
                "second" => object(&self.second, selection),
                _ => return None,
            })
        }
    }

    fn outer() -> Outer {
        Outer { count: 3, first: Inner { low: Some(1.5), is_top: false }, second: Inner { low: None, is_top: true } }
    }

    struct Query;

    #[Object]
    impl Query {
        async fn derived(&self) -> Vec<Outer> {
            vec![outer(), outer()]
        }
        /// Named as long as `derived`, so errors point at the same columns.
        async fn eagerly(&self) -> Vec<Eager<Outer>> {
            vec![Eager(outer()), Eager(outer())]
        }
    }

    /// Whatever the selection, the eager answer (data and errors) is the one async-graphql gives for the
    /// derived type.
    #[tokio::test]
    async fn eager_objects_answer_as_derived_ones_do() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let selections = [
            "count first { low isTop }",
            "__typename b: count a: first { __typename isTop x: low } second { low }",
            "first { low } count first { isTop } first { low }",
            "...Parts ... on Outer { second { isTop } } first { ... on Inner { isTop } }",
            "count @skip(if: true) first @include(if: false) { low } second { low @include(if: true) }",
            "doubled count d: doubled ... on Outer { doubled }",
            "failing count first { low }",
        ];
        for selection in selections {
            let fragment =
                "fragment Parts on Outer { count second { low } first { ...Low } } fragment Low on Inner { low }";
            let query = |root: &str| {
                let fragments = if selection.contains("...Parts") { fragment } else { "" };
                format!("{{ root: {root} {{ {selection} }} }} {fragments}")
            };
            let mut derived = schema.execute(query("derived")).await;
            let eager = schema.execute(query("eagerly")).await;
            // A nullable field whose resolver fails is null beside its error, as GraphQL's execution has it;
            // async-graphql's own containers leave the key out.
            if let Value::Object(data) = &mut derived.data
                && let Some(Value::List(items)) = data.get_mut("root")
            {
                for item in items {
                    if let Value::Object(fields) = item
                        && selection.contains("failing")
                    {
                        fields.insert(Name::new("failing"), Value::Null);
                    }
                }
            }
            assert_eq!(eager.data, derived.data, "data for: {selection}");
            assert_eq!(eager.errors, derived.errors, "errors for: {selection}");
        }
    }

    /// Fields come back in the order they were selected, whichever loads and whichever is in hand.
    #[tokio::test]
    async fn eager_fields_keep_the_selection_order() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let response = schema.execute("{ eagerly { doubled b: count __typename a: first { isTop low } } }").await;
        let json = serde_json::to_string(&response.data).unwrap();
        let item = r#"{"doubled":6,"b":3,"__typename":"Outer","a":{"isTop":false,"low":1.5}}"#;
        assert_eq!(json, format!(r#"{{"eagerly":[{item},{item}]}}"#));
    }
}
