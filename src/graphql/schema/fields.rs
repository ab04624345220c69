//! An object type's plain fields, each described once: a field whose value is in its row, or computed from
//! the row alone. `object!` makes of each both its resolver (in the type's `#[Object]` impl, beside the
//! resolvers that load) and the planner's writer of it (`PlainFields`), so the two executors cannot drift
//! and a new field is one line.
use std::borrow::Borrow;

use async_graphql::ID;

use crate::graphql::engine::json::Json;
use crate::graphql::schema::enums::{AreaKind, OccupationGroup, PayPeriod, SkillCategory, ToolCategory};

/// A value as async-graphql's serializer writes it.
pub trait WriteJson {
    fn write_json(&self, json: &mut Json);
}

/// The planner's writers of a row's plain fields, made by `object!` from the fields' one description.
pub trait PlainFields: Sized {
    /// The GraphQL type's name, and its connection's and edge's (`Connection<…, DefaultConnectionName,
    /// DefaultEdgeName>` names them so).
    const TYPE: &'static str;
    const CONNECTION: &'static str;
    const EDGE: &'static str;

    /// What writes the plain field `name` of a `P` that holds this row (the row itself, or an edge that
    /// holds its link), if the type has one.
    fn plain_in<P: Borrow<Self>>(name: &str) -> Option<fn(&P, &mut Json)>;

    /// What writes the plain field `name` of the row itself.
    fn plain(name: &str) -> Option<fn(&Self, &mut Json)> {
        Self::plain_in::<Self>(name)
    }
}

/// An object type over a row (`$object` wraps `$row` as its `.0`): its plain fields, each
/// `name(row) -> Type { value }` with its doc comment; its nested lists, each
/// `name(Filter, Order) -> Connection = list, edge;` paged per parent as `list` (the function the planner
/// pages it by too) describes it, each row made an edge by `edge`; then the rest of its `#[Object]` impl as
/// written. A plain field's name is the GraphQL name (camelCase), so the planner finds it as clients ask.
macro_rules! object {
    (
        impl $object:ident($row:ty) {
            $( $(#[doc = $doc:literal])* $field:ident($r:ident) -> $ty:ty $body:block )*
        }
        $(lists {
            $( $(#[doc = $list_doc:literal])* $list:ident($filter:ty, $order:ty) -> $connection:ty = $describe:expr, $edge:expr; )*
        })?
        resolvers { $($resolvers:tt)* }
    ) => {
        #[async_graphql::Object]
        impl $object {
            $(
                $(#[doc = $doc])*
                #[allow(non_snake_case, unused_braces)]
                pub async fn $field(&self) -> $ty {
                    let $r = &self.0;
                    $body
                }
            )*
            $($(
                $(#[doc = $list_doc])*
                #[allow(clippy::too_many_arguments)]
                async fn $list(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    first: Option<i32>,
                    after: Option<String>,
                    last: Option<i32>,
                    before: Option<String>,
                    filter: Option<$filter>,
                    order_by: Option<Vec<$order>>,
                ) -> Result<$connection, $crate::graphql::error::ApiError> {
                    let args = $crate::graphql::engine::page::PageArgs { first, after, last, before };
                    let describe = $describe;
                    let list = || describe(filter, order_by);
                    $crate::graphql::engine::page::nested_connection(ctx, self.0.id, args, list, $edge).await
                }
            )*)?
            $($resolvers)*
        }

        impl $crate::graphql::schema::fields::PlainFields for $row {
            const TYPE: &'static str = stringify!($object);
            const CONNECTION: &'static str = concat!(stringify!($object), "Connection");
            const EDGE: &'static str = concat!(stringify!($object), "Edge");

            fn plain_in<P: std::borrow::Borrow<Self>>(
                name: &str,
            ) -> Option<fn(&P, &mut $crate::graphql::engine::json::Json)> {
                match name {
                    $(stringify!($field) => Some(|held: &P, json| {
                        let $r: &$row = held.borrow();
                        #[allow(unused_braces)]
                        let value: $ty = $body;
                        $crate::graphql::schema::fields::WriteJson::write_json(&value, json)
                    }),)*
                    _ => None,
                }
            }
        }
    };
}

/// Names a connection type and its edge type, for connections whose edges carry fields of their own: the
/// resolvers' `Connection` takes the names from the traits, the planner from the constants.
macro_rules! connection_names {
    ($marker:ident, $name:literal) => {
        pub struct $marker;
        impl $marker {
            pub const CONNECTION: &'static str = concat!($name, "Connection");
            pub const EDGE: &'static str = concat!($name, "Edge");
        }
        impl async_graphql::connection::ConnectionNameType for $marker {
            fn type_name<T: async_graphql::OutputType>() -> String {
                Self::CONNECTION.to_owned()
            }
        }
        impl async_graphql::connection::EdgeNameType for $marker {
            fn type_name<T: async_graphql::OutputType>() -> String {
                Self::EDGE.to_owned()
            }
        }
    };
}

impl WriteJson for &str {
    fn write_json(&self, json: &mut Json) {
        json.string(self);
    }
}

impl WriteJson for ID {
    fn write_json(&self, json: &mut Json) {
        json.string(self);
    }
}

impl WriteJson for i32 {
    fn write_json(&self, json: &mut Json) {
        json.int((*self).into());
    }
}

impl WriteJson for i64 {
    fn write_json(&self, json: &mut Json) {
        json.int(*self);
    }
}

impl WriteJson for f64 {
    fn write_json(&self, json: &mut Json) {
        json.optional_float(Some(*self));
    }
}

impl WriteJson for bool {
    fn write_json(&self, json: &mut Json) {
        json.bool(*self);
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, json: &mut Json) {
        match self {
            Some(value) => value.write_json(json),
            None => json.null(),
        }
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, json: &mut Json) {
        json.begin_list();
        for item in self {
            json.item();
            item.write_json(json);
        }
        json.end_list();
    }
}

/// Enums are written by their names in the schema.
macro_rules! enum_json {
    ($($enum:ty),*) => {$(
        impl $crate::graphql::schema::fields::WriteJson for $enum {
            fn write_json(&self, json: &mut $crate::graphql::engine::json::Json) {
                let items = <$enum as async_graphql::resolver_utils::EnumType>::items();
                json.string(items.iter().find(|item| item.value == *self).map_or("", |item| item.name));
            }
        }
    )*};
}

enum_json!(AreaKind, OccupationGroup, PayPeriod, SkillCategory, ToolCategory);

#[cfg(test)]
mod tests {
    use async_graphql::InputType;

    use super::*;

    fn written(value: impl WriteJson) -> String {
        let mut json = Json::default();
        value.write_json(&mut json);
        String::from_utf8(json.into_parts().0).unwrap()
    }

    /// What `WriteJson` writes for `value`, and what async-graphql writes.
    fn both<T: WriteJson + InputType>(value: T) -> (String, String) {
        let expected = serde_json::to_string(&value.to_value()).unwrap();
        (written(value), expected)
    }

    #[test]
    fn values_are_written_as_async_graphql_writes_them() {
        let text = "a \"quoted\"\nline \u{1F600}";
        assert_eq!(written(text), serde_json::to_string(&text.to_owned().to_value()).unwrap());
        for (written, expected) in [
            both(ID::from("Um9sZTox")),
            both(-7i32),
            both(Some(9_007_199_254_740_993i64)),
            both(Option::<i64>::None),
            both(0.1f64 + 0.2),
            both(Some(239_200.0f64)),
            both(f64::NAN),
            both(true),
            both(vec![PayPeriod::Annual, PayPeriod::Hourly]),
        ] {
            assert_eq!(written, expected);
        }
    }
}
