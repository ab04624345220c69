//! The fields a validated selection asks of one object, as GraphQL's CollectFields works them out: fragments
//! flattened where their type condition applies, fields under `@skip`/`@include` left out, and fields
//! selected more than once under one response key merged, in order of first appearance.
use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, Selection, SelectionSet};
use async_graphql::{InputType, Name, Positioned, Value, Variables};

use crate::graphql::operation::analysis::{Shape, skipped};

/// Why a selection cannot be read as both executors would read it alike: the planner then leaves the
/// operation to the resolvers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectionError {
    /// An argument that does not parse (or a variable that is missing): async-graphql's error words it.
    Argument,
    /// An object whose every field `@skip`/`@include` or type conditions left out.
    EmptySelection,
    /// One response key for fields that differ in name or arguments.
    ConflictingFields,
}

/// One response key of an object, with every selection set that continues it.
pub struct Field<'a> {
    pub key: &'a str,
    pub name: &'a str,
    /// The first occurrence's arguments: validation requires every occurrence of a key to have the same.
    arguments: &'a [(Positioned<Name>, Positioned<async_graphql_value::Value>)],
    sets: Vec<&'a SelectionSet>,
}

/// The operation being planned, with what reading its selections needs.
pub struct Operation<'a> {
    pub document: &'a ExecutableDocument,
    pub definition: &'a OperationDefinition,
    pub variables: &'a Variables,
    pub shape: &'a Shape,
}

impl<'a> Operation<'a> {
    /// The fields the operation's own selection set asks of the root object `type_name`.
    pub fn root_fields(&self, type_name: &str) -> Result<Vec<Field<'a>>, SelectionError> {
        self.fields(&[&self.definition.selection_set.node], type_name)
    }

    /// The fields `field`'s selection asks of an object of type `type_name`.
    pub fn fields_of(&self, field: &Field<'a>, type_name: &str) -> Result<Vec<Field<'a>>, SelectionError> {
        self.fields(&field.sets, type_name)
    }

    /// The fields `sets` select, unless one of them selects none (all skipped, or in fragments on other
    /// types): async-graphql answers such an object null (the spec says `{}`), selected once or more, and
    /// the planner leaves it to async-graphql so that both executors answer alike.
    fn fields(&self, sets: &[&'a SelectionSet], type_name: &str) -> Result<Vec<Field<'a>>, SelectionError> {
        let mut fields = Vec::new();
        for set in sets {
            let before = fields.len();
            self.collect(set, type_name, &mut fields)?;
            let merged_into_earlier = || {
                let mut alone = Vec::new();
                self.collect(set, type_name, &mut alone).is_ok() && !alone.is_empty()
            };
            if fields.len() == before && !merged_into_earlier() {
                return Err(SelectionError::EmptySelection);
            }
        }
        Ok(fields)
    }

    /// Adds the fields `set` selects of an object of type `type_name` to `fields`. Two fields under one key
    /// must be the same field with the same arguments, which async-graphql's validation does not check: it
    /// then answers one of them, and the planner leaves such a document to it.
    fn collect(
        &self,
        set: &'a SelectionSet,
        type_name: &str,
        fields: &mut Vec<Field<'a>>,
    ) -> Result<(), SelectionError> {
        let applies = |condition: &Name| self.shape.applies(condition, type_name);
        for selection in &set.items {
            if skipped(selection.node.directives(), self.variables) {
                continue;
            }
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.as_str();
                    let set = &field.selection_set.node;
                    let same = |known: &Field<'a>| {
                        known.name == field.name.node.as_str() && known.arguments == field.arguments
                    };
                    match fields.iter_mut().find(|known| known.key == key) {
                        Some(known) if same(known) => known.sets.push(set),
                        Some(_) => return Err(SelectionError::ConflictingFields),
                        None => fields.push(Field {
                            key,
                            name: field.name.node.as_str(),
                            arguments: &field.arguments,
                            sets: vec![set],
                        }),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let Some(fragment) = self.document.fragments.get(&spread.node.fragment_name.node) else {
                        continue;
                    };
                    if applies(&fragment.node.type_condition.node.on.node) {
                        self.collect(&fragment.node.selection_set.node, type_name, fields)?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    let applies = match &inline.node.type_condition {
                        Some(condition) => applies(&condition.node.on.node),
                        None => true,
                    };
                    if applies {
                        self.collect(&inline.node.selection_set.node, type_name, fields)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The argument `name` of `field` as `T`, as async-graphql reads it for a resolver whose argument has no
    /// default: variables filled in (or their defaults), then parsed. Any error is async-graphql's to report.
    pub fn argument<T: InputType>(&self, field: &Field<'a>, name: &str) -> Result<T, SelectionError> {
        T::parse(self.given(field, name).transpose()?).map_err(|_| SelectionError::Argument)
    }

    /// The argument `name` of `field` as `T`, for an argument whose schema default is `default`: as
    /// async-graphql reads it, the default stands in only for an argument left out (a null given is parsed).
    pub fn argument_or<T: InputType>(&self, field: &Field<'a>, name: &str, default: T) -> Result<T, SelectionError> {
        match self.given(field, name) {
            Some(value) => T::parse(Some(value?)).map_err(|_| SelectionError::Argument),
            None => Ok(default),
        }
    }

    /// The argument `name` of `field` as given, its variables filled in; `None` when it is left out.
    fn given(&self, field: &Field<'a>, name: &str) -> Option<Result<Value, SelectionError>> {
        let (_, value) = field.arguments.iter().find(|(argument, _)| argument.node.as_str() == name)?;
        Some(value.node.clone().into_const_with(|variable| self.variable(&variable)))
    }

    fn variable(&self, name: &str) -> Result<Value, SelectionError> {
        let definition = self.definition.variable_definitions.iter().find(|d| d.node.name.node == name);
        definition
            .and_then(|definition| {
                self.variables.get(&definition.node.name.node).or_else(|| definition.node.default_value())
            })
            .cloned()
            .ok_or(SelectionError::Argument)
    }
}

#[cfg(test)]
pub(in crate::graphql) mod tests {
    use std::sync::LazyLock;

    use async_graphql::parser::parse_query;

    use super::*;

    /// The schema's shape, for the planner's tests.
    pub(in crate::graphql) static SHAPE: LazyLock<Shape> =
        LazyLock::new(|| Shape::from_sdl(include_str!("../../../schema.graphql")).expect("the schema parses"));

    /// The response keys (with field names) `query`'s operation asks of its root, and of the first root
    /// field's selection on `inner`.
    fn keys(query: &str, variables: serde_json::Value, inner: &str) -> (Vec<String>, Vec<String>) {
        let document = parse_query(query).expect("the document parses");
        let DocumentOperations::Single(operation) = &document.operations else { panic!("one operation") };
        let variables = Variables::from_json(variables);
        let operation =
            Operation { document: &document, definition: &operation.node, variables: &variables, shape: &SHAPE };
        let describe =
            |fields: &[Field<'_>]| fields.iter().map(|f| format!("{}:{}", f.key, f.name)).collect::<Vec<_>>();
        let root = operation.root_fields("Query").unwrap();
        let below = operation.fields_of(&root[0], inner).unwrap();
        (describe(&root), describe(&below))
    }

    use async_graphql::parser::types::DocumentOperations;

    #[test]
    fn repeated_keys_merge_in_order_of_first_appearance() {
        let (root, role) = keys(
            r#"{ role(slug: "x") { title slug } t: __typename role(slug: "x") { curated title } }"#,
            serde_json::json!({}),
            "Role",
        );
        assert_eq!(root, ["role:role", "t:__typename"]);
        assert_eq!(role, ["title:title", "slug:slug", "curated:curated"]);
    }

    #[test]
    fn fragments_apply_by_type_condition_including_interfaces() {
        let query = r#"
            query { role(slug: "x") { ...Named ... on Node { id } ... on Skill { name } ... { summary } } }
            fragment Named on Role { title }
        "#;
        let (_, role) = keys(query, serde_json::json!({}), "Role");
        assert_eq!(role, ["title:title", "id:id", "summary:summary"]);
    }

    #[test]
    fn skip_and_include_follow_the_request_variables() {
        let query = r#"query($yes: Boolean!, $no: Boolean!) {
            role(slug: "x") { a: title @include(if: $yes) b: title @include(if: $no) c: slug @skip(if: $yes)
                              ... @skip(if: $no) { d: summary } }
        }"#;
        let (_, role) = keys(query, serde_json::json!({ "yes": true, "no": false }), "Role");
        assert_eq!(role, ["a:title", "d:summary"]);
    }

    #[test]
    fn one_key_for_two_different_fields_is_left_to_the_resolvers() {
        let query = r#"{ roles(first: 1) { totalCount } roles(first: 2) { totalCount } }"#;
        let document = parse_query(query).unwrap();
        let DocumentOperations::Single(definition) = &document.operations else { panic!() };
        let variables = Variables::default();
        let operation =
            Operation { document: &document, definition: &definition.node, variables: &variables, shape: &SHAPE };
        assert_eq!(operation.root_fields("Query").err(), Some(SelectionError::ConflictingFields));
    }

    #[test]
    fn a_selection_that_selects_nothing_is_left_to_the_resolvers() {
        let document =
            parse_query(r#"{ role(slug: "x") { title } role(slug: "x") { ... on Skill { name } } }"#).unwrap();
        let DocumentOperations::Single(definition) = &document.operations else { panic!() };
        let variables = Variables::default();
        let operation =
            Operation { document: &document, definition: &definition.node, variables: &variables, shape: &SHAPE };
        let role = &operation.root_fields("Query").unwrap()[0];
        assert_eq!(operation.fields_of(role, "Role").err(), Some(SelectionError::EmptySelection));
    }

    #[test]
    fn arguments_read_variables_and_their_defaults() {
        let query = r#"query($n: Int = 3, $after: String) { roles(first: $n, after: $after, last: 2) { totalCount } }"#;
        let document = parse_query(query).unwrap();
        let DocumentOperations::Single(definition) = &document.operations else { panic!() };
        let variables = Variables::from_json(serde_json::json!({ "after": "c" }));
        let operation =
            Operation { document: &document, definition: &definition.node, variables: &variables, shape: &SHAPE };
        let roles = &operation.root_fields("Query").unwrap()[0];
        assert_eq!(operation.argument::<Option<i32>>(roles, "first"), Ok(Some(3)));
        assert_eq!(operation.argument::<Option<String>>(roles, "after"), Ok(Some("c".to_owned())));
        assert_eq!(operation.argument::<Option<i32>>(roles, "last"), Ok(Some(2)));
        assert_eq!(operation.argument::<Option<String>>(roles, "before"), Ok(None));
        assert_eq!(operation.argument::<i32>(roles, "before"), Err(SelectionError::Argument));
    }

    #[test]
    fn a_default_stands_in_only_for_an_argument_left_out() {
        let query = r#"query($n: Int) { a: search(text: "x") { __typename } b: search(text: "x", first: $n) { __typename }
                                        c: search(text: "x", first: 3) { __typename } }"#;
        let document = parse_query(query).unwrap();
        let DocumentOperations::Single(definition) = &document.operations else { panic!() };
        let variables = Variables::from_json(serde_json::json!({ "n": null }));
        let operation =
            Operation { document: &document, definition: &definition.node, variables: &variables, shape: &SHAPE };
        let first = |field: &Field<'_>| operation.argument_or::<i32>(field, "first", 10);
        let root = operation.root_fields("Query").unwrap();
        assert_eq!(first(&root[0]), Ok(10));
        assert_eq!(first(&root[1]), Err(SelectionError::Argument));
        assert_eq!(first(&root[2]), Ok(3));
    }
}
