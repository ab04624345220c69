//! An operation's selection read against the schema: the fields its answer holds, each with its type and
//! description, fragments merged in. The table (`table.rs`) and the OpenAPI document (`openapi.rs`) both
//! read this one tree, and the schema's types come from its own SDL, as the guard's `Shape` does.
use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, FieldDefinition, InputValueDefinition, Selection, SelectionSet, Type, TypeDefinition,
    TypeKind, TypeSystemDefinition,
};

/// The schema's types by name.
pub struct Types {
    types: HashMap<String, TypeDefinition>,
}

impl Types {
    pub fn from_sdl(sdl: &str) -> Result<Self, String> {
        let document = async_graphql::parser::parse_schema(sdl).map_err(|error| error.to_string())?;
        let types = document
            .definitions
            .into_iter()
            .filter_map(|definition| match definition {
                TypeSystemDefinition::Type(ty) => Some((ty.node.name.node.to_string(), ty.node)),
                _ => None,
            })
            .collect();
        Ok(Self { types })
    }

    pub fn get(&self, name: &str) -> Option<&TypeDefinition> {
        self.types.get(name)
    }

    /// A field of an object or interface type.
    pub fn field(&self, type_name: &str, field: &str) -> Option<&FieldDefinition> {
        let fields = match &self.get(type_name)?.kind {
            TypeKind::Object(object) => &object.fields,
            TypeKind::Interface(interface) => &interface.fields,
            _ => return None,
        };
        fields.iter().map(|field| &field.node).find(|definition| definition.name.node == field)
    }

    /// An argument of a field of an object or interface type.
    pub fn argument(&self, type_name: &str, field: &str, argument: &str) -> Option<&InputValueDefinition> {
        let arguments = &self.field(type_name, field)?.arguments;
        arguments.iter().map(|argument| &argument.node).find(|definition| definition.name.node == argument)
    }

    /// A field of an input object type.
    pub fn input_field(&self, type_name: &str, field: &str) -> Option<&InputValueDefinition> {
        let TypeKind::InputObject(input) = &self.get(type_name)?.kind else { return None };
        input.fields.iter().map(|field| &field.node).find(|definition| definition.name.node == field)
    }
}

/// The name at the bottom of a type's list and non-null wrappers.
pub fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// One entry of an answer: a field under its response key (its alias, if it has one).
#[derive(Debug)]
pub struct Field {
    pub key: String,
    pub ty: Type,
    pub description: Option<String>,
    /// Selected in a fragment on a narrower type than its parent's: absent from some answers.
    pub conditional: bool,
    /// Included or skipped by a variable (`@include`, `@skip`): absent from some answers.
    pub optional: bool,
    /// The fields selected under it, for an object (or a list of them).
    pub fields: Vec<Field>,
}

impl Field {
    pub fn is_list(&self) -> bool {
        matches!(self.ty.base, BaseType::List(_))
    }
}

/// The fields `selection` answers on `parent` (a type name), keyed and ordered as the answer has them:
/// in selection order, a key selected twice merged into its first place.
pub fn fields(
    types: &Types,
    document: &ExecutableDocument,
    selection: &SelectionSet,
    parent: &str,
) -> Result<Vec<Field>, String> {
    let mut fields = Vec::new();
    collect(types, document, selection, parent, parent, &mut fields)?;
    Ok(fields)
}

fn collect(
    types: &Types,
    document: &ExecutableDocument,
    selection: &SelectionSet,
    parent: &str,
    on: &str,
    into: &mut Vec<Field>,
) -> Result<(), String> {
    for item in &selection.items {
        let optional = !item.node.directives().is_empty();
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                let name = field.name.node.as_str();
                let (ty, description) = if name == "__typename" {
                    (Type::new("String!").expect("a type"), Some("The object's type.".to_owned()))
                } else {
                    let definition = types.field(on, name).ok_or_else(|| format!("`{on}` has no field `{name}`"))?;
                    (definition.ty.node.clone(), definition.description.as_ref().map(|d| d.node.clone()))
                };
                let mut children = Vec::new();
                collect(types, document, &field.selection_set.node, named(&ty), named(&ty), &mut children)?;
                let key = field.response_key().node.to_string();
                let conditional = on != parent;
                match into.iter_mut().find(|existing| existing.key == key) {
                    Some(existing) => {
                        existing.conditional &= conditional;
                        existing.optional &= optional;
                        merge(&mut existing.fields, children);
                    }
                    None => into.push(Field { key, ty, description, conditional, optional, fields: children }),
                }
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let fragment = document.fragments.get(name).ok_or_else(|| format!("no fragment `{name}`"))?;
                let on = fragment.node.type_condition.node.on.node.as_str();
                let mut children = Vec::new();
                collect(types, document, &fragment.node.selection_set.node, parent, on, &mut children)?;
                mark_optional(&mut children, optional);
                merge(into, children);
            }
            Selection::InlineFragment(fragment) => {
                let on = fragment.node.type_condition.as_ref().map_or(on, |condition| condition.node.on.node.as_str());
                let mut children = Vec::new();
                collect(types, document, &fragment.node.selection_set.node, parent, on, &mut children)?;
                mark_optional(&mut children, optional);
                merge(into, children);
            }
        }
    }
    Ok(())
}

fn mark_optional(fields: &mut [Field], optional: bool) {
    for field in fields {
        field.optional |= optional;
    }
}

fn merge(into: &mut Vec<Field>, fields: Vec<Field>) {
    for field in fields {
        match into.iter_mut().find(|existing| existing.key == field.key) {
            Some(existing) => {
                existing.conditional &= field.conditional;
                existing.optional &= field.optional;
                merge(&mut existing.fields, field.fields);
            }
            None => into.push(field),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub const SDL: &str = r#"
        type Query { role(slug: String!): Role  roles(first: Int = 10): RoleConnection!  node(id: ID!): Node }
        interface Node { id: ID! }
        "A role."
        type Role implements Node { id: ID!  "Its title." title: String!  city: City  tags: [String!]! }
        type City implements Node { id: ID!  name: String!  state: String }
        type RoleConnection { nodes: [Role!]!  totalCount: Int! }
    "#;

    pub fn tree(query: &str) -> Vec<Field> {
        let types = Types::from_sdl(SDL).unwrap();
        let document = async_graphql::parser::parse_query(query).unwrap();
        let (_, operation) = document.operations.iter().next().unwrap();
        fields(&types, &document, &operation.node.selection_set.node, "Query").unwrap()
    }

    fn keys(fields: &[Field]) -> Vec<String> {
        fields.iter().map(|field| format!("{}:{}", field.key, field.ty)).collect()
    }

    #[test]
    fn fields_carry_their_types_and_descriptions_in_selection_order() {
        let tree = tree("{ role(slug: \"x\") { title place: city { name } } roles { totalCount } }");
        assert_eq!(keys(&tree), ["role:Role", "roles:RoleConnection!"]);
        assert_eq!(keys(&tree[0].fields), ["title:String!", "place:City"]);
        assert_eq!(tree[0].fields[0].description.as_deref(), Some("Its title."));
        assert!(!tree[0].is_list() && !tree[0].fields[1].conditional);
    }

    #[test]
    fn fragments_merge_into_their_parent_and_narrower_ones_are_conditional() {
        let tree = tree(
            "{ node(id: \"1\") { id ... on City { name } ...R } role(slug: \"x\") { title title @include(if: true) } }
             fragment R on Role { title city { name } city { state } }",
        );
        assert_eq!(keys(&tree[0].fields), ["id:ID!", "name:String!", "title:String!", "city:City"]);
        let conditional: Vec<bool> = tree[0].fields.iter().map(|field| field.conditional).collect();
        assert_eq!(conditional, [false, true, true, true]);
        assert_eq!(keys(&tree[0].fields[3].fields), ["name:String!", "state:String"]);
        // A key selected both plainly and under a directive is in every answer.
        assert!(!tree[1].fields[0].optional);
    }

    #[test]
    fn unknown_fields_are_reported() {
        let types = Types::from_sdl(SDL).unwrap();
        let document = async_graphql::parser::parse_query("{ role(slug: \"x\") { salary } }").unwrap();
        let (_, operation) = document.operations.iter().next().unwrap();
        let error = fields(&types, &document, &operation.node.selection_set.node, "Query").unwrap_err();
        assert_eq!(error, "`Role` has no field `salary`");
    }
}
