//! Completing a response as the spec shapes it. async-graphql 7.2 writes an object's fields in the order
//! their futures complete, and leaves out a non-null field whose resolver failed. The spec asks for fields
//! in the order the selection set names them (7.2.2) and for a failed non-null field to make its nearest
//! nullable parent null, or `data` itself when there is none (6.4.4): a response whose shape differs from
//! its query breaks normalized client caches. This pass does both, over the finished response.
//!
//! Behind an interface or a union, which fields an object has, and in what order, depends on its type: the
//! resolvers are asked for it (`mark_types`), and this pass reads it and removes it.
use std::cell::RefCell;
use std::rc::Rc;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, PathSegment, Pos, Positioned, Request, Response, Value, Variables};

use crate::graphql::operation::Prepared;
use crate::graphql::operation::analysis::{Shape, skipped};

/// The response key under which the resolvers write `__typename` of each object behind an interface or a
/// union; no client sees it.
const TYPE_MARK: &str = "_careerqlTypename";

/// `request` as the resolvers run it, with its parsed `document`: asking the type of every object behind an
/// interface or a union, which `complete` reads to order such an object's fields as its own type's selection
/// does.
pub fn for_resolvers(mut request: Request, document: &ExecutableDocument, shape: &Shape) -> Request {
    request.set_parsed_query(mark_types(document, shape).unwrap_or_else(|| document.clone()));
    request
}

/// `document` asking `__typename` of every object behind an interface or a union, under `TYPE_MARK`, for the
/// resolvers to run; `None` when nothing in it is behind one (or, improbably, it uses the key itself).
fn mark_types(document: &ExecutableDocument, shape: &Shape) -> Option<ExecutableDocument> {
    let mut marked = document.clone();
    let (mut any, mut clash) = (false, false);
    let operations: Vec<&mut Positioned<OperationDefinition>> = match &mut marked.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(operations) => operations.values_mut().collect(),
    };
    for operation in operations {
        if let Some(root) = shape.root_type(operation.node.ty) {
            any |= mark(&mut operation.node.selection_set.node, root, shape, &mut clash);
        }
    }
    for fragment in marked.fragments.values_mut() {
        let on = fragment.node.type_condition.node.on.node.clone();
        any |= mark(&mut fragment.node.selection_set.node, &on, shape, &mut clash);
    }
    (any && !clash).then_some(marked)
}

/// Adds the mark to the selection of every field in `set` (of an object of type `of`) that returns an
/// interface or a union, and below; says whether it added any.
fn mark(set: &mut SelectionSet, of: &str, shape: &Shape, clash: &mut bool) -> bool {
    let mut any = false;
    for selection in &mut set.items {
        match &mut selection.node {
            Selection::Field(field) => {
                let field = &mut field.node;
                *clash |= field.response_key().node == TYPE_MARK;
                let below = &mut field.selection_set.node;
                let Some(returns) = shape.field(of, &field.name.node).map(|shape| shape.returns.as_str()) else {
                    continue;
                };
                if below.items.is_empty() {
                    continue;
                }
                any |= mark(below, returns, shape, clash);
                if shape.is_abstract(returns) {
                    below.items.push(type_mark(field.name.pos));
                    any = true;
                }
            }
            Selection::InlineFragment(fragment) => {
                let on = fragment.node.type_condition.as_ref().map(|condition| condition.node.on.node.to_string());
                any |= mark(&mut fragment.node.selection_set.node, on.as_deref().unwrap_or(of), shape, clash);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
    any
}

fn type_mark(pos: Pos) -> Positioned<Selection> {
    let field = Field {
        alias: Some(Positioned::new(Name::new(TYPE_MARK), pos)),
        name: Positioned::new(Name::new("__typename"), pos),
        arguments: Vec::new(),
        directives: Vec::new(),
        selection_set: Positioned::new(SelectionSet::default(), pos),
    };
    Positioned::new(Selection::Field(Positioned::new(field, pos)), pos)
}

/// The type the resolvers wrote of `object`, behind an interface or a union.
fn marked_type<'s>(shape: &'s Shape, object: Option<&Value>) -> Option<&'s str> {
    match object {
        Some(Value::Object(object)) => match object.get(TYPE_MARK) {
            Some(Value::String(name)) => shape.object_type(name),
            _ => None,
        },
        _ => None,
    }
}

/// The fields a selection set asks for by response key, in the order it names them, with every selection
/// set that key continues with (a key may be selected more than once, through fragments too).
struct Keys<'d> {
    order: Vec<(&'d Name, Vec<&'d SelectionSet>, &'d Name)>,
    /// The keys each field's selection continues with, worked out once for every item of a list.
    below: Vec<std::cell::OnceCell<Keys<'d>>>,
    /// The object type the keys are of, where the schema says (not behind an interface or a union): only
    /// the fragments whose type condition it meets count then, as GraphQL's CollectFields counts them.
    of: Option<&'d str>,
    /// What the keys were collected from.
    sets: Vec<&'d SelectionSet>,
    /// Behind an interface or a union, the keys for each type of object met there.
    typed: RefCell<Vec<(&'d str, Rc<Keys<'d>>)>>,
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
        let mut keys =
            Keys { order: Vec::new(), below: Vec::new(), of, sets: sets.to_vec(), typed: RefCell::default() };
        let mut seen_fragments = Vec::new();
        for set in sets {
            self.collect(set, &mut keys, &mut seen_fragments);
        }
        keys.below = keys.order.iter().map(|_| std::cell::OnceCell::new()).collect();
        keys
    }

    /// The keys `keys` select on an object of type `of`, which they were collected not knowing.
    fn typed(&self, keys: &Keys<'d>, of: &'d str) -> Rc<Keys<'d>> {
        if let Some((_, known)) = keys.typed.borrow().iter().find(|(known, _)| *known == of) {
            return known.clone();
        }
        let typed = Rc::new(self.keys(&keys.sets, Some(of)));
        keys.typed.borrow_mut().push((of, typed.clone()));
        typed
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
pub fn complete(response: &mut Response, prepared: &Prepared, variables: &Variables, shape: &Shape) {
    let (document, operation) = (&**prepared.document(), &prepared.operation().node);
    let selections = Selections { document, shape, variables };
    let root = &operation.selection_set.node;
    let Some(root_type) = shape.root_type(operation.ty) else { return };
    let failed: Vec<Vec<PathSegment>> =
        response.errors.iter().filter(|error| !error.path.is_empty()).map(|error| error.path.clone()).collect();
    for path in failed {
        match nearest_nullable(&selections, root, root_type, &path, &response.data) {
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
/// `None` when the path cannot be followed through the schema (and `data`, behind an interface or a union).
fn nearest_nullable<'d>(
    selections: &Selections<'d>,
    root: &'d SelectionSet,
    root_type: &'d str,
    path: &[PathSegment],
    data: &Value,
) -> Option<Option<usize>> {
    let shape = selections.shape;
    let mut nullable = Vec::with_capacity(path.len());
    let (mut parent, mut sets, mut items_non_null, mut value) = (root_type, vec![root], false, Some(data));
    for segment in path {
        match segment {
            PathSegment::Field(key) => {
                if shape.is_abstract(parent) {
                    parent = marked_type(shape, value)?;
                }
                let keys = selections.keys(&sets, shape.is_object(parent).then_some(parent));
                let (_, next_sets, name) = keys.order.into_iter().find(|(known, _, _)| known.as_str() == key)?;
                let field = shape.field(parent, name.as_str())?;
                nullable.push(!field.non_null);
                items_non_null = field.items_non_null;
                (parent, sets) = (field.returns.as_str(), next_sets);
                value = match value {
                    Some(Value::Object(object)) => object.get(key.as_str()),
                    _ => None,
                };
            }
            PathSegment::Index(index) => {
                nullable.push(!items_non_null);
                value = match value {
                    Some(Value::List(items)) => items.get(*index),
                    _ => None,
                };
            }
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
            let typed;
            let keys = match (object.shift_remove(TYPE_MARK), keys.of) {
                (Some(Value::String(name)), None) => match selections.shape.object_type(&name) {
                    Some(of) => {
                        typed = selections.typed(keys, of);
                        &*typed
                    }
                    None => keys,
                },
                _ => keys,
            };
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
        type Query { role(slug: String!): Role  roles: [Role!]!  node: Node  search: [Found!]! }
        interface Node { id: ID! }
        union Found = Role | Skill
        type Role implements Node { id: ID!  title: String!  summary: String  skills: [Skill!]!  boss: Role }
        type Skill { id: ID!  name: String! }
    "#;

    fn completed(query: &str, data: Value, errors: &[&[PathSegment]]) -> Value {
        let shape = Shape::from_sdl(SDL).unwrap();
        let prepared = Prepared::new(std::sync::Arc::new(parse_query(query).unwrap()), None).unwrap();
        let mut response = Response::new(data);
        response.errors =
            errors.iter().map(|path| ServerError { path: path.to_vec(), ..ServerError::new("failed", None) }).collect();
        complete(&mut response, &prepared, &Default::default(), &shape);
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

    #[test]
    fn behind_a_union_each_object_is_ordered_as_its_own_type_selects() {
        let query = "{ search { ... on Role { id title } ... on Skill { name id } } }";
        let data = value!({ "search": [
            { "title": "t", "id": "1", "_careerqlTypename": "Role" },
            { "id": "2", "name": "n", "_careerqlTypename": "Skill" },
        ] });
        let data = completed(query, data, &[]);
        let expected = value!({ "search": [{ "id": "1", "title": "t" }, { "name": "n", "id": "2" }] });
        assert_eq!(data.to_string(), expected.to_string());
    }

    #[test]
    fn behind_an_interface_a_failed_field_nulls_by_the_object_type() {
        let query = "{ node { ... on Role { title } } }";
        let data =
            completed(query, value!({ "node": { "_careerqlTypename": "Role" } }), &[&[field("node"), field("title")]]);
        assert_eq!(data, value!({ "node": null }));
    }

    #[test]
    fn types_are_asked_only_behind_interfaces_and_unions() {
        let shape = Shape::from_sdl(SDL).unwrap();
        assert!(mark_types(&parse_query("{ role(slug: \"a\") { boss { title } } }").unwrap(), &shape).is_none());
        let query = "{ role(slug: \"a\") { title } ...F } fragment F on Query { node { id } }";
        let marked = mark_types(&parse_query(query).unwrap(), &shape).expect("node is an interface");
        let node = &marked.fragments[&Name::new("F")].node.selection_set.node.items[0].node;
        let Selection::Field(node) = node else { panic!("a field") };
        let keys: Vec<_> = node
            .node
            .selection_set
            .node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => field.node.response_key().node.to_string(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(keys, ["id", TYPE_MARK]);
        let clashing = "{ node { _careerqlTypename: id } }";
        assert!(
            mark_types(&parse_query(clashing).unwrap(), &shape).is_none(),
            "a document using the key is left as it is"
        );
    }
}
