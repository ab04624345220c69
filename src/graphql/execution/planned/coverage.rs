//! Coverage as a test: every field reachable from `Query` in `schema.graphql` is planned, or named in
//! `LEFT_TO_RESOLVERS` with its reason. For each (type, field) the test writes the shortest query that
//! reaches it from the root (required arguments given valid values of their types, objects behind an
//! interface or a union reached through an inline fragment) and plans it, without a database: a field the
//! planner has no writer for fails the plan with `Unplanned::Field`.
use std::collections::{BTreeMap, VecDeque};

use async_graphql::Variables;
use async_graphql::parser::types::{BaseType, DocumentOperations, Type, TypeKind, TypeSystemDefinition};

use super::{LEFT_TO_RESOLVERS, ObjectPlan, QueryRoot, Unplanned};
use crate::graphql::operation::selection::Operation;
use crate::graphql::operation::selection::tests::SHAPE;

/// What the test needs of a type: its fields (name, arguments, returned type) or its members.
enum Kind {
    Object(Vec<FieldDef>),
    Abstract(Vec<String>),
    Input(Vec<(String, Type)>),
    Enum(String),
    Scalar,
}

struct FieldDef {
    name: String,
    arguments: Vec<(String, Type)>,
    returns: Type,
}

fn types() -> BTreeMap<String, Kind> {
    let document = async_graphql::parser::parse_schema(include_str!("../../../../schema.graphql")).unwrap();
    let mut types = BTreeMap::new();
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else { continue };
        let (name, kind) = (definition.node.name.node.to_string(), definition.node.kind);
        let fields = |fields: Vec<async_graphql::Positioned<async_graphql::parser::types::FieldDefinition>>| {
            fields
                .into_iter()
                .map(|field| FieldDef {
                    name: field.node.name.node.to_string(),
                    arguments: field
                        .node
                        .arguments
                        .iter()
                        .filter(|argument| !argument.node.ty.node.nullable && argument.node.default_value.is_none())
                        .map(|argument| (argument.node.name.node.to_string(), argument.node.ty.node.clone()))
                        .collect(),
                    returns: field.node.ty.node,
                })
                .collect()
        };
        let kind = match kind {
            TypeKind::Object(object) => {
                for interface in &object.implements {
                    members.entry(interface.node.to_string()).or_default().push(name.clone());
                }
                Kind::Object(fields(object.fields))
            }
            TypeKind::Interface(_) => Kind::Abstract(Vec::new()),
            TypeKind::Union(union) => Kind::Abstract(union.members.iter().map(|m| m.node.to_string()).collect()),
            TypeKind::InputObject(input) => Kind::Input(
                input
                    .fields
                    .iter()
                    .filter(|field| !field.node.ty.node.nullable && field.node.default_value.is_none())
                    .map(|field| (field.node.name.node.to_string(), field.node.ty.node.clone()))
                    .collect(),
            ),
            TypeKind::Enum(values) => Kind::Enum(values.values[0].node.value.node.to_string()),
            TypeKind::Scalar => Kind::Scalar,
        };
        types.insert(name, kind);
    }
    for (interface, objects) in members {
        if let Some(Kind::Abstract(members)) = types.get_mut(&interface) {
            members.extend(objects);
        }
    }
    types
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// A valid value of `ty`, as GraphQL text.
fn value(types: &BTreeMap<String, Kind>, ty: &Type) -> String {
    match &ty.base {
        BaseType::List(inner) => format!("[{}]", value(types, inner)),
        BaseType::Named(name) => match (name.as_str(), types.get(name.as_str())) {
            ("Int", _) => "1".to_owned(),
            ("Float", _) => "1.5".to_owned(),
            ("Boolean", _) => "true".to_owned(),
            ("ID", _) => "\"Um9sZTox\"".to_owned(),
            (_, Some(Kind::Enum(first))) => first.clone(),
            (_, Some(Kind::Input(fields))) => {
                let fields: Vec<String> =
                    fields.iter().map(|(name, ty)| format!("{name}: {}", value(types, ty))).collect();
                format!("{{ {} }}", fields.join(", "))
            }
            _ => "\"x\"".to_owned(),
        },
    }
}

/// The text of selecting `field` with its required arguments, and the selection below it if it has one.
fn selection(types: &BTreeMap<String, Kind>, field: &FieldDef, inner: &str) -> String {
    let arguments: Vec<String> =
        field.arguments.iter().map(|(name, ty)| format!("{name}: {}", value(types, ty))).collect();
    let arguments = if arguments.is_empty() { String::new() } else { format!("({})", arguments.join(", ")) };
    format!("{}{arguments}{inner}", field.name)
}

/// Whether the planner plans `query`, or the field it has no writer for.
fn plans(query: &str) -> Result<(), Unplanned> {
    let document = async_graphql::parser::parse_query(query).expect("the query parses");
    let DocumentOperations::Single(definition) = &document.operations else { panic!("one operation") };
    let variables = Variables::default();
    let operation =
        Operation { document: &document, definition: &definition.node, variables: &variables, shape: &SHAPE };
    ObjectPlan::<QueryRoot>::new(&operation, operation.root_fields("Query")?).map(|_| ())
}

#[test]
fn every_field_reachable_from_query_is_planned_or_left_to_the_resolvers_with_a_reason() {
    let types = types();
    // Each object type reached, with the query text that reaches it: `{path}` wraps a selection of it.
    let mut reached: BTreeMap<String, String> = BTreeMap::from([("Query".to_owned(), "{}".to_owned())]);
    let mut queue = VecDeque::from(["Query".to_owned()]);
    // Objects reached only behind an interface or a union, kept until no other way reaches them: a lookup
    // such as `node(id:)` plans only the member its argument names.
    let mut behind_abstract: Vec<(String, String)> = Vec::new();
    let (mut unplanned, mut planned) = (Vec::new(), 0);
    while let Some(type_name) = queue.pop_front().or_else(|| {
        let (object, path) = behind_abstract.drain(..).find(|(object, _)| !reached.contains_key(object))?;
        reached.insert(object.clone(), path);
        Some(object)
    }) {
        let Some(Kind::Object(fields)) = types.get(&type_name) else { continue };
        let wrap = reached[&type_name].clone();
        for field in fields {
            let left = LEFT_TO_RESOLVERS.iter().any(|(ty, name, _)| *ty == type_name && *name == field.name);
            let returns = named(&field.returns);
            let inner = match types.get(returns) {
                Some(Kind::Object(_) | Kind::Abstract(_)) => " { __typename }",
                _ => "",
            };
            let query = wrap.replacen("{}", &format!("{{ {} }}", selection(&types, field, inner)), 1);
            match (plans(&query), left) {
                (Ok(()), false) => planned += 1,
                (Ok(()), true) => panic!("{type_name}.{} is planned: take it off LEFT_TO_RESOLVERS", field.name),
                (Err(Unplanned::Field), true) => continue,
                (Err(Unplanned::Field), false) => {
                    unplanned.push(format!("{type_name}.{}: {query}", field.name));
                    continue;
                }
                (Err(error), _) => panic!("{type_name}.{} does not plan ({error:?}): {query}", field.name),
            }
            let below = wrap.replacen("{}", &format!("{{ {} }}", selection(&types, field, " {}")), 1);
            match types.get(returns) {
                Some(Kind::Object(_)) if !reached.contains_key(returns) => {
                    reached.insert(returns.to_owned(), below);
                    queue.push_back(returns.to_owned());
                }
                Some(Kind::Abstract(members)) => {
                    behind_abstract.extend(members.iter().map(|member| {
                        (member.clone(), below.replacen("{}", &format!("{{ ... on {member} {{}} }}"), 1))
                    }))
                }
                _ => {}
            }
        }
    }
    assert!(
        unplanned.is_empty(),
        "fields the planner does not write and LEFT_TO_RESOLVERS does not name:\n{}",
        unplanned.join("\n")
    );
    assert!(planned > 100, "the walk reached {planned} planned fields");
    for (ty, name, why) in LEFT_TO_RESOLVERS {
        assert!(!why.is_empty(), "{ty}.{name} says why it is left to the resolvers");
    }
}
