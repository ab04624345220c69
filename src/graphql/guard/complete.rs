//! Completing a response as the spec shapes it. async-graphql 7.2 writes an object's fields in the order
//! their futures complete, and leaves out a non-null field whose resolver failed. The spec asks for fields
//! in the order the selection set names them (7.2.2) and for a failed non-null field to make its nearest
//! nullable parent null, or `data` itself when there is none (6.4.4): a response whose shape differs from
//! its query breaks normalized client caches. This pass does both, over the finished response.
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, Selection, SelectionSet};
use async_graphql::{Name, PathSegment, Response, Value, Variables};

use super::analysis::{Shape, skipped};

/// The fields a selection set asks for by response key, in the order it names them, with every selection
/// set that key continues with (a key may be selected more than once, through fragments too).
struct Keys<'d> {
    order: Vec<(&'d Name, Vec<&'d SelectionSet>, &'d Name)>,
    /// The keys each field's selection continues with, worked out once for every item of a list.
    below: Vec<std::cell::OnceCell<Keys<'d>>>,
    /// The object type the keys are of, where the schema says (not behind an interface or a union): only
    /// the fragments whose type condition it meets count then, as GraphQL's CollectFields counts them.
    of: Option<&'d str>,
}

/// The document's selection, walked alongside the response.
struct Selections<'d> {
    document: &'d ExecutableDocument,
    shape: &'d Shape,
    /// `@skip`/`@include` read them: async-graphql left out what they skip, so these keys do too.
    variables: &'d Variables,
}

impl<'d> Selections<'d> {
    /// The response keys `sets` select on an object of type `of` (`None`: unknown), first appearance first,
    /// fragments flattened in place.
    fn keys(&self, sets: &[&'d SelectionSet], of: Option<&'d str>) -> Keys<'d> {
        let mut keys = Keys { order: Vec::new(), below: Vec::new(), of };
        let mut seen_fragments = Vec::new();
        for set in sets {
            self.collect(set, &mut keys, &mut seen_fragments);
        }
        keys.below = keys.order.iter().map(|_| std::cell::OnceCell::new()).collect();
        keys
    }

    /// The object type the field `name` of an object of type `of` returns, when it is one.
    fn below(&self, of: Option<&'d str>, name: &Name) -> Option<&'d str> {
        let returns = self.shape.field(of?, name)?.returns.as_str();
        self.shape.is_object(returns).then_some(returns)
    }

    /// Whether a fragment on `condition` counts for `keys`.
    fn applies(&self, condition: Option<&Name>, keys: &Keys<'d>) -> bool {
        match (condition, keys.of) {
            (Some(condition), Some(of)) => self.shape.applies(condition, of),
            _ => true,
        }
    }

    fn collect(&self, set: &'d SelectionSet, keys: &mut Keys<'d>, seen_fragments: &mut Vec<&'d Name>) {
        for selection in &set.items {
            if skipped(selection.node.directives(), self.variables) {
                continue;
            }
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key();
                    let key = &key.node;
                    match keys.order.iter_mut().find(|(known, _, _)| *known == key) {
                        Some((_, sets, _)) => sets.push(&field.selection_set.node),
                        None => keys.order.push((key, vec![&field.selection_set.node], &field.name.node)),
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let condition = fragment.node.type_condition.as_ref().map(|condition| &condition.node.on.node);
                    if self.applies(condition, keys) {
                        self.collect(&fragment.node.selection_set.node, keys, seen_fragments);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    // Validation refused cycles; a fragment spread twice adds nothing the second time.
                    if seen_fragments.contains(&name) {
                        continue;
                    }
                    seen_fragments.push(name);
                    if let Some(fragment) = self.document.fragments.get(name)
                        && self.applies(Some(&fragment.node.type_condition.node.on.node), keys)
                    {
                        self.collect(&fragment.node.selection_set.node, keys, seen_fragments);
                    }
                }
            }
        }
    }
}

/// Puts every object's fields in selection order, and nulls what failed non-null fields must null.
pub fn complete(
    response: &mut Response,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    shape: &Shape,
) {
    let selections = Selections { document, shape, variables };
    let root = &operation.selection_set.node;
    let Some(root_type) = shape.root_type(operation.ty) else { return };
    let failed: Vec<Vec<PathSegment>> =
        response.errors.iter().filter(|error| !error.path.is_empty()).map(|error| error.path.clone()).collect();
    for path in failed {
        match nearest_nullable(&selections, shape, root, root_type, &path) {
            Some(Some(depth)) => set_null(&mut response.data, &path[..=depth]),
            Some(None) => response.data = Value::Null,
            // A path the shape cannot follow (introspection): left as async-graphql wrote it.
            None => {}
        }
    }
    order_as(&selections, &mut response.data, &selections.keys(&[root], Some(root_type)));
    // Fields resolve concurrently, and their errors arrive in the order they fail: put them in the order of
    // the document (then of the response's paths), so the same request always reads the same.
    response.errors.sort_by_cached_key(|error| {
        let location = error.locations.first().map(|pos| (pos.line, pos.column));
        let path: Vec<(usize, String)> = error
            .path
            .iter()
            .map(|segment| match segment {
                PathSegment::Index(index) => (*index, String::new()),
                PathSegment::Field(key) => (0, key.clone()),
            })
            .collect();
        (location, path)
    });
}

/// How deep along `path` the nearest nullable position is: `Some(None)` when none is, so `data` is null;
/// `None` when the path cannot be followed through the schema.
fn nearest_nullable<'d>(
    selections: &Selections<'d>,
    shape: &Shape,
    root: &'d SelectionSet,
    root_type: &str,
    path: &[PathSegment],
) -> Option<Option<usize>> {
    let mut nullable = Vec::with_capacity(path.len());
    let (mut parent, mut sets, mut items_non_null) = (root_type, vec![root], false);
    for segment in path {
        match segment {
            PathSegment::Field(key) => {
                let keys = selections.keys(&sets, shape.is_object(parent).then_some(parent));
                let (_, next_sets, name) = keys.order.into_iter().find(|(known, _, _)| known.as_str() == key)?;
                let field = shape.field(parent, name.as_str())?;
                nullable.push(!field.non_null);
                items_non_null = field.items_non_null;
                (parent, sets) = (field.returns.as_str(), next_sets);
            }
            PathSegment::Index(_) => nullable.push(!items_non_null),
        }
    }
    Some(nullable.iter().rposition(|nullable| *nullable))
}

/// Sets the value at `path` to null, unless something above it is null already.
fn set_null(data: &mut Value, path: &[PathSegment]) {
    let Some((last, above)) = path.split_last() else { return };
    let mut value = data;
    for segment in above {
        value = match (value, segment) {
            (Value::Object(object), PathSegment::Field(key)) => match object.get_mut(key.as_str()) {
                Some(value) => value,
                None => return,
            },
            (Value::List(items), PathSegment::Index(index)) => match items.get_mut(*index) {
                Some(value) => value,
                None => return,
            },
            _ => return,
        };
    }
    match (value, last) {
        (Value::Object(object), PathSegment::Field(key)) => {
            object.insert(Name::new(key), Value::Null);
        }
        (Value::List(items), PathSegment::Index(index)) => {
            if let Some(item) = items.get_mut(*index) {
                *item = Value::Null;
            }
        }
        _ => {}
    }
}

/// Orders `value` by `keys`; the items of a list share them, and the keys below them, rather than working
/// them out again for every item.
fn order_as<'d>(selections: &Selections<'d>, value: &mut Value, keys: &Keys<'d>) {
    match value {
        Value::List(items) => items.iter_mut().for_each(|item| order_as(selections, item, keys)),
        Value::Object(object) => {
            let in_order =
                object.keys().eq(keys.order.iter().map(|(key, _, _)| *key).filter(|key| object.contains_key(*key)));
            if !in_order {
                let mut ordered = IndexMap::with_capacity(object.len());
                for (key, _, _) in &keys.order {
                    if let Some((key, value)) = object.swap_remove_entry(*key) {
                        ordered.insert(key, value);
                    }
                }
                // Keys no selection names (none should be) keep their place after the rest.
                ordered.extend(object.drain(..));
                *object = ordered;
            }
            for ((key, sets, name), below) in keys.order.iter().zip(&keys.below) {
                if let Some(value) = object.get_mut(*key)
                    && !sets.iter().all(|set| set.items.is_empty())
                {
                    let below = below.get_or_init(|| selections.keys(sets, selections.below(keys.of, name)));
                    order_as(selections, value, below);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use async_graphql::{ServerError, value};

    use super::*;

    const SDL: &str = r#"
        type Query { role(slug: String!): Role  roles: [Role!]!  node: Node }
        interface Node { id: ID! }
        type Role implements Node { id: ID!  title: String!  summary: String  skills: [Skill!]!  boss: Role }
        type Skill { name: String! }
    "#;

    fn completed(query: &str, data: Value, errors: &[&[PathSegment]]) -> Value {
        let shape = Shape::from_sdl(SDL).unwrap();
        let document = parse_query(query).unwrap();
        let operation = super::super::analysis::selected_operation(&document, None).unwrap();
        let mut response = Response::new(data);
        response.errors =
            errors.iter().map(|path| ServerError { path: path.to_vec(), ..ServerError::new("failed", None) }).collect();
        complete(&mut response, &document, &operation.node, &Default::default(), &shape);
        response.data
    }

    fn field(name: &str) -> PathSegment {
        PathSegment::Field(name.to_owned())
    }

    #[test]
    fn a_failed_non_null_field_nulls_its_nullable_parent() {
        let data = completed(
            "{ role(slug: \"a\") { title summary } }",
            value!({ "role": { "summary": "s" } }),
            &[&[field("role"), field("title")]],
        );
        assert_eq!(data, value!({ "role": null }));
    }

    #[test]
    fn with_no_nullable_parent_data_itself_is_null() {
        let data = completed(
            "{ roles { title } }",
            value!({ "roles": [{ "title": "a" }, {}] }),
            &[&[field("roles"), PathSegment::Index(1), field("title")]],
        );
        assert_eq!(data, Value::Null);
    }

    #[test]
    fn a_failed_nullable_field_is_null_in_its_place() {
        let data = completed(
            "{ role(slug: \"a\") { summary title } }",
            value!({ "role": { "title": "t" } }),
            &[&[field("role"), field("summary")]],
        );
        assert_eq!(data.to_string(), value!({ "role": { "summary": null, "title": "t" } }).to_string());
    }

    #[test]
    fn nulling_stops_at_the_first_nullable_position_through_aliases_and_fragments() {
        let query = "{ r: role(slug: \"a\") { ...F } } fragment F on Role { boss { t: title } title }";
        let data = value!({ "r": { "title": "x", "boss": {} } });
        let data = completed(query, data, &[&[field("r"), field("boss"), field("t")]]);
        assert_eq!(data.to_string(), value!({ "r": { "boss": null, "title": "x" } }).to_string());
    }

    #[test]
    fn fields_come_back_in_selection_order_at_every_level() {
        let query = "{ role(slug: \"a\") { title ... on Role { summary skills { name } } id } }";
        let data = value!({ "role": { "id": "1", "skills": [{ "name": "n" }], "summary": "s", "title": "t" } });
        let data = completed(query, data, &[]);
        let expected = value!({ "role": { "title": "t", "summary": "s", "skills": [{ "name": "n" }], "id": "1" } });
        assert_eq!(data.to_string(), expected.to_string());
    }
}
