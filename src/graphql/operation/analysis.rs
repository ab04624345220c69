//! What a document asks of the server, worked out from the parsed document before validation or execution:
//! its cost, depth, aliases, root fields and directives.
//!
//! **Cost** is the most fields the response can hold. Every field counts 1; a field with a `first` (or
//! `last`) argument counts its selection that many times, or the page size the resolvers apply when none
//! is given (the schema's default for `first`, else `DEFAULT_PAGE`, 20); a list without `first` counts its
//! selection `MAX_PAGE` (100) times, unless it sits directly under a field with `first` (a connection's `edges`/`nodes`, already counted).
//! This is GitHub's node count, per field. A field the schema marks `@cost(weight: N)` counts N in place of
//! its 1, for the rows it reads beyond those it returns. The *actual* cost is the same count over the
//! response (weights aside: what a response holds is its fields).
//!
//! Introspection (`__schema`, `__type`) counts 1 and is bounded instead by how deeply it nests lists of
//! types (graphql-js's `MaxIntrospectionDepthRule`), so GraphiQL's 13-level introspection query passes
//! while a data query is held to the depth limit.
//!
//! Fragments are summarised once each (memoised), so a document that spreads fragments exponentially
//! costs linear time here and is refused for the cost it would expand to.
//!
//! **Filter terms** are what a field's filter arguments (the `…Filter` inputs, with `and`/`or`/`not`) make of
//! its SQL: every object and every value in them counts 1 (a list counts its items), and what sits under a
//! filter on a related type (`salaryRange: { … }` in a role's filter) counts twice for each such step, as
//! its condition may be tested twice. A field's terms are added to its cost, and the largest filter is held
//! to `--max-filter-terms` before anything runs.
use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, ConstDirective, Directive, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Positioned, ServerError, Variables};
use async_graphql_value::{ConstValue, Value};

use crate::config::QueryLimits;
use crate::graphql::engine::page::{DEFAULT_PAGE, MAX_PAGE};
use crate::graphql::error::ErrorCode;
use crate::graphql::error::over_limit;
use crate::graphql::operation::Prepared;

/// Introspection fields that return lists of types; graphql-js refuses a query nesting them 3 deep.
const INTROSPECTION_TYPE_LISTS: [&str; 4] = ["fields", "interfaces", "possibleTypes", "inputFields"];
const MAX_INTROSPECTION_TYPE_LISTS: usize = 2;
/// How deeply fragments may spread fragments; async-graphql refuses deeper recursion (32) anyway.
const MAX_FRAGMENT_NESTING: usize = 32;

/// What the analysis needs to know of the schema: which fields return lists and which take `first`.
/// Read from the SDL, so it always matches the schema it was built from.
#[derive(Debug, Default)]
pub struct Shape {
    types: HashMap<String, HashMap<String, FieldShape>>,
    /// The interfaces and unions each object type belongs to, for fragments' type conditions.
    abstract_types: HashMap<String, Vec<String>>,
    interfaces: HashSet<String>,
    unions: HashSet<String>,
    /// Input object types: each field's named type.
    inputs: HashMap<String, HashMap<String, String>>,
    query: String,
    mutation: Option<String>,
    subscription: Option<String>,
}

#[derive(Debug)]
pub struct FieldShape {
    pub returns: String,
    is_list: bool,
    /// `T!`: an error in the field nulls its parent instead.
    pub non_null: bool,
    /// `[T!]`: an error in an item nulls the list instead.
    pub items_non_null: bool,
    /// Takes `first`/`last`: the number of items it returns is the client's to choose.
    pages: bool,
    /// The `first` default written in the schema, if any.
    default_page: Option<u64>,
    /// What the field counts in place of 1: its `@cost(weight:)`.
    weight: u64,
    /// Each argument's named type.
    arguments: HashMap<String, String>,
}

impl Shape {
    pub fn from_sdl(sdl: &str) -> Result<Self, async_graphql::parser::Error> {
        let document = async_graphql::parser::parse_schema(sdl)?;
        let mut shape = Shape { query: "Query".to_owned(), ..Shape::default() };
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    if let Some(query) = schema.query {
                        shape.query = query.node.to_string();
                    }
                    shape.mutation = schema.mutation.map(|name| name.node.to_string());
                    shape.subscription = schema.subscription.map(|name| name.node.to_string());
                }
                TypeSystemDefinition::Type(definition) => {
                    let definition = definition.node;
                    let name = definition.name.node.to_string();
                    let fields = match definition.kind {
                        TypeKind::Object(object) => {
                            for interface in object.implements {
                                shape.abstract_types.entry(name.clone()).or_default().push(interface.node.to_string());
                            }
                            object.fields
                        }
                        TypeKind::Interface(interface) => {
                            shape.interfaces.insert(name.clone());
                            interface.fields
                        }
                        TypeKind::Union(union) => {
                            shape.unions.insert(name.clone());
                            for member in union.members {
                                shape.abstract_types.entry(member.node.to_string()).or_default().push(name.clone());
                            }
                            continue;
                        }
                        TypeKind::InputObject(input) => {
                            shape.inputs.insert(name, input_value_types(&input.fields));
                            continue;
                        }
                        _ => continue,
                    };
                    let fields = fields
                        .into_iter()
                        .map(|field| {
                            let field = field.node;
                            let page_argument = field
                                .arguments
                                .iter()
                                .find(|argument| matches!(argument.node.name.node.as_str(), "first" | "last"));
                            let default_page = page_argument
                                .and_then(|argument| argument.node.default_value.as_ref())
                                .and_then(|value| page_size(&value.node));
                            let ty = &field.ty.node;
                            let (returns, is_list) = named_type(ty);
                            let items_non_null = matches!(&ty.base, BaseType::List(inner) if !inner.nullable);
                            let shape = FieldShape {
                                returns,
                                is_list,
                                non_null: !ty.nullable,
                                items_non_null,
                                pages: page_argument.is_some(),
                                default_page,
                                weight: cost_weight(&field.directives).unwrap_or(1),
                                arguments: input_value_types(&field.arguments),
                            };
                            (field.name.node.to_string(), shape)
                        })
                        .collect();
                    shape.types.insert(name, fields);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Ok(shape)
    }

    pub fn field(&self, parent: &str, name: &str) -> Option<&FieldShape> {
        self.types.get(parent)?.get(name)
    }

    /// Whether a fragment on `condition` applies to an object of type `object`: the type itself, or an
    /// interface or union it belongs to.
    pub fn applies(&self, condition: &str, object: &str) -> bool {
        condition == object || self.abstract_types.get(object).is_some_and(|types| types.iter().any(|t| t == condition))
    }

    /// Whether `name` is an object type (not an interface, a union or a scalar).
    pub fn is_object(&self, name: &str) -> bool {
        self.types.contains_key(name) && !self.interfaces.contains(name)
    }

    /// The schema's own name of the object type `name`, if it is one.
    pub fn object_type(&self, name: &str) -> Option<&str> {
        let (name, _) = self.types.get_key_value(name)?;
        (!self.interfaces.contains(name)).then_some(name.as_str())
    }

    /// Whether the input type `name` is a filter: one that combines its kind with `and`, `or` and `not`.
    fn is_filter(&self, name: &str) -> bool {
        self.inputs.get(name).is_some_and(|fields| fields.contains_key("or"))
    }

    /// The filter terms of `value`, an input of type `ty`, each counting `weight` (see the module
    /// documentation).
    fn filter_terms(&self, ty: &str, value: &ConstValue, weight: u64) -> u64 {
        match value {
            ConstValue::Null => 0,
            ConstValue::List(items) => {
                items.iter().fold(0, |terms, item| terms.saturating_add(self.filter_terms(ty, item, weight)))
            }
            ConstValue::Object(fields) => fields.iter().fold(weight, |terms, (name, value)| {
                let Some(field_type) = self.inputs.get(ty).and_then(|fields| fields.get(name.as_str())) else {
                    return terms.saturating_add(weight);
                };
                let related = self.is_filter(field_type) && !matches!(name.as_str(), "and" | "or" | "not");
                let weight = if related { weight.saturating_mul(2) } else { weight };
                terms.saturating_add(self.filter_terms(field_type, value, weight))
            }),
            _ => weight,
        }
    }

    /// Whether `name` is an interface or a union: what an object of it is, only the response can say.
    pub fn is_abstract(&self, name: &str) -> bool {
        self.interfaces.contains(name) || self.unions.contains(name)
    }

    pub fn root_type(&self, operation: OperationType) -> Option<&str> {
        match operation {
            OperationType::Query => Some(&self.query),
            OperationType::Mutation => self.mutation.as_deref(),
            OperationType::Subscription => self.subscription.as_deref(),
        }
    }
}

/// Whether `@skip`/`@include` leave out a selection with `directives`. As async-graphql decides it
/// (`remove_skipped_selection`), which both executors must follow: by the request's variables alone (not
/// the operation's defaults), a condition that cannot be read counting as false.
pub fn skipped(directives: &[Positioned<Directive>], variables: &Variables) -> bool {
    directives.iter().any(|directive| {
        let include = match directive.node.name.node.as_str() {
            "skip" => false,
            "include" => true,
            _ => return false,
        };
        let condition = directive.node.get_argument("if").map(|value| {
            let value = value.node.clone().into_const_with(|name| variables.get(&name).cloned().ok_or(()));
            <bool as async_graphql::InputType>::parse(Some(value.unwrap_or_default())).unwrap_or_default()
        });
        condition.is_some_and(|condition| condition != include)
    })
}

/// The named type of each of `values` (a field's arguments, an input type's fields), by name.
fn input_value_types(
    values: &[Positioned<async_graphql::parser::types::InputValueDefinition>],
) -> HashMap<String, String> {
    values.iter().map(|value| (value.node.name.node.to_string(), named_type(&value.node.ty.node).0)).collect()
}

/// The weight a field's `@cost` directive gives it, if it has one.
fn cost_weight(directives: &[Positioned<ConstDirective>]) -> Option<u64> {
    let cost = directives.iter().find(|directive| directive.node.name.node == "cost")?;
    page_size(&cost.node.get_argument("weight")?.node)
}

/// The innermost named type, and whether a list wraps it.
fn named_type(ty: &Type) -> (String, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (named_type(inner).0, true),
    }
}

fn page_size(value: &ConstValue) -> Option<u64> {
    match value {
        ConstValue::Number(number) => number.as_i64().map(|n| n.max(0) as u64),
        _ => None,
    }
}

/// What a document asks for; see the module documentation for how cost is counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub operation: OperationType,
    pub cost: u64,
    pub depth: usize,
    pub aliases: usize,
    pub root_fields: usize,
    pub directives: usize,
    /// The terms of the largest filter a field is given.
    pub filter_terms: u64,
    /// Response keys of the root introspection fields: each counts 1 in the actual cost too.
    pub introspection_keys: Vec<String>,
}

impl Analysis {
    /// The first limit this request is over, as a `QUERY_TOO_COMPLEX` error.
    pub fn check(&self, limits: &QueryLimits) -> Result<(), ServerError> {
        let checks = [
            ("rootFields", self.root_fields as u64, limits.max_root_fields as u64, "root fields"),
            ("aliases", self.aliases as u64, limits.max_aliases as u64, "aliases"),
            ("directives", self.directives as u64, limits.max_directives as u64, "directives"),
            ("depth", self.depth as u64, limits.max_depth as u64, "levels deep"),
        ];
        for (limit, value, max, what) in checks {
            if value > max {
                return Err(over_limit(limit, format!("the query is {value} {what}; the limit is {max}")));
            }
        }
        if self.filter_terms > limits.max_filter_terms {
            // The client's input, not the query's shape: a filter to split or shorten.
            let mut error = ErrorCode::BadUserInput.error(format!(
                "a filter has {} terms; the limit is {}. Split it over several requests, or filter on fewer values",
                self.filter_terms, limits.max_filter_terms
            ));
            if let Some(extensions) = error.extensions.as_mut() {
                extensions.set("limit", "filterTerms");
            }
            return Err(error);
        }
        if self.cost > limits.max_cost {
            return Err(over_limit(
                "cost",
                format!(
                    "the query could return {} fields; the limit is {}. Ask for fewer items with `first` on its lists",
                    self.cost, limits.max_cost
                ),
            ));
        }
        Ok(())
    }
}

pub fn analyze(prepared: &Prepared, variables: &Variables, shape: &Shape) -> Result<Analysis, ServerError> {
    let (document, operation) = (&**prepared.document(), &prepared.operation().node);
    require_variables(operation, variables)?;
    let root = shape.root_type(operation.ty).ok_or_else(|| {
        ErrorCode::GraphqlValidationFailed
            .error(format!("this API has no {} operations", operation_type_name(operation.ty)))
    })?;
    let mut walker = Walker {
        document,
        shape,
        variables,
        memo: HashMap::new(),
        root_memo: HashMap::new(),
        introspection_memo: HashMap::new(),
        spreads: Vec::new(),
    };
    let summary = walker.selection_set(&operation.selection_set.node, Some(root), false)?;
    let root_fields = walker.root_fields(&operation.selection_set.node)?;
    let (aliases, directives) = count_aliases_and_directives(document);
    Ok(Analysis {
        operation: operation.ty,
        cost: summary.cost,
        depth: summary.depth,
        aliases,
        root_fields: root_fields.count,
        directives,
        filter_terms: summary.filter_terms,
        introspection_keys: root_fields.introspection_keys,
    })
}

/// A required variable without a default must be given: async-graphql's validation checks the values
/// given, but would only notice a missing one while executing, as a field error.
fn require_variables(operation: &OperationDefinition, variables: &Variables) -> Result<(), ServerError> {
    for definition in &operation.variable_definitions {
        let definition = &definition.node;
        let given = variables.get(&definition.name.node).is_some_and(|value| *value != ConstValue::Null);
        if !definition.var_type.node.nullable && definition.default_value.is_none() && !given {
            return Err(ErrorCode::GraphqlValidationFailed.error(format!(
                "variable ${} of required type {} was not given",
                definition.name.node, definition.var_type.node
            )));
        }
    }
    Ok(())
}

fn operation_type_name(operation: OperationType) -> &'static str {
    match operation {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

/// The actual cost: the fields in `data`, counted as the requested cost counts them.
pub fn response_cost(data: &ConstValue, introspection_keys: &[String]) -> u64 {
    fn nested(value: &ConstValue) -> u64 {
        match value {
            ConstValue::Object(fields) => fields.values().map(|value| 1 + nested(value)).sum(),
            ConstValue::List(items) => items.iter().map(nested).sum(),
            _ => 0,
        }
    }
    match data {
        ConstValue::Object(fields) => fields
            .iter()
            .map(
                |(key, value)| if introspection_keys.iter().any(|k| k == key.as_str()) { 1 } else { 1 + nested(value) },
            )
            .sum(),
        _ => 0,
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Summary {
    cost: u64,
    depth: usize,
    /// The terms of the largest filter in it.
    filter_terms: u64,
}

#[derive(Debug, Clone, Default)]
struct RootFields {
    count: usize,
    /// Each response key once: spreading a fragment twice yields the same keys.
    introspection_keys: Vec<String>,
}

impl RootFields {
    fn add(&mut self, count: usize, introspection_key: Option<&str>) {
        self.count = self.count.saturating_add(count);
        if let Some(key) = introspection_key.filter(|key| !self.introspection_keys.iter().any(|k| k == key)) {
            self.introspection_keys.push(key.to_owned());
        }
    }

    fn merge(&mut self, other: &RootFields) {
        self.add(other.count, None);
        for key in &other.introspection_keys {
            self.add(0, Some(key));
        }
    }
}

fn is_introspection_root(name: &str) -> bool {
    name == "__schema" || name == "__type"
}

struct Walker<'a> {
    document: &'a ExecutableDocument,
    shape: &'a Shape,
    variables: &'a Variables,
    /// Fragment summaries by (name, directly under a field with `first`).
    memo: HashMap<(&'a str, bool), Summary>,
    /// Root fields each fragment selects, by fragment name.
    root_memo: HashMap<&'a str, RootFields>,
    /// How deeply each fragment nests introspection's lists of types, by fragment name.
    introspection_memo: HashMap<&'a str, usize>,
    /// Fragments being expanded, innermost last: a name seen twice is a cycle.
    spreads: Vec<&'a str>,
}

impl<'a> Walker<'a> {
    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        parent: Option<&'a str>,
        under_page: bool,
    ) -> Result<Summary, ServerError> {
        let mut total = Summary::default();
        for selection in &set.items {
            let summary = match &selection.node {
                Selection::Field(field) => self.field(&field.node, parent, under_page)?,
                Selection::InlineFragment(inline) => {
                    let parent = inline.node.type_condition.as_ref().map(|c| c.node.on.node.as_str()).or(parent);
                    self.selection_set(&inline.node.selection_set.node, parent, under_page)?
                }
                Selection::FragmentSpread(spread) => self.spread(&spread.node.fragment_name.node, under_page)?,
            };
            total.cost = total.cost.saturating_add(summary.cost);
            total.depth = total.depth.max(summary.depth);
            total.filter_terms = total.filter_terms.max(summary.filter_terms);
        }
        Ok(total)
    }

    /// Runs `walk` over fragment `name`'s selection, refusing cycles and runaway chains of fragments.
    fn in_fragment<T>(
        &mut self,
        name: &'a Name,
        walk: impl FnOnce(&mut Self, &'a SelectionSet, &'a str) -> Result<T, ServerError>,
    ) -> Result<Option<T>, ServerError> {
        // An unknown fragment is left for validation to report.
        let Some(fragment) = self.document.fragments.get(name) else { return Ok(None) };
        if self.spreads.contains(&name.as_str()) {
            return Err(ErrorCode::GraphqlValidationFailed.error(format!("fragment {name} spreads itself")));
        }
        if self.spreads.len() >= MAX_FRAGMENT_NESTING {
            return Err(over_limit(
                "fragmentNesting",
                format!("fragments spread fragments more than {MAX_FRAGMENT_NESTING} deep"),
            ));
        }
        self.spreads.push(name.as_str());
        let result = walk(self, &fragment.node.selection_set.node, fragment.node.type_condition.node.on.node.as_str());
        self.spreads.pop();
        result.map(Some)
    }

    fn spread(&mut self, name: &'a Name, under_page: bool) -> Result<Summary, ServerError> {
        if let Some(summary) = self.memo.get(&(name.as_str(), under_page)) {
            return Ok(*summary);
        }
        let summary = self
            .in_fragment(name, |walker, set, on| walker.selection_set(set, Some(on), under_page))?
            .unwrap_or_default();
        self.memo.insert((name.as_str(), under_page), summary);
        Ok(summary)
    }

    fn field(&mut self, field: &'a Field, parent: Option<&'a str>, under_page: bool) -> Result<Summary, ServerError> {
        let name = field.name.node.as_str();
        let shape = parent.and_then(|parent| self.shape.field(parent, name));
        let filter_terms = shape.map_or(0, |shape| self.filter_terms(field, shape));
        let weight = shape.map_or(1, |shape| shape.weight).saturating_add(filter_terms);
        let leaf = Summary { cost: weight, depth: 1, filter_terms };
        if field.selection_set.node.items.is_empty() {
            return Ok(leaf);
        }
        if is_introspection_root(name) {
            let lists = self.introspection_type_lists(&field.selection_set.node)?;
            if lists > MAX_INTROSPECTION_TYPE_LISTS {
                return Err(over_limit(
                    "introspectionDepth",
                    format!(
                        "introspection nests lists of types {lists} deep; the limit is {MAX_INTROSPECTION_TYPE_LISTS}"
                    ),
                ));
            }
            return Ok(leaf);
        }
        let (returns, times, pages) = match shape {
            Some(shape) if shape.pages => (Some(shape.returns.as_str()), self.page_size(field, shape), true),
            Some(shape) if shape.is_list && !under_page => (Some(shape.returns.as_str()), MAX_PAGE, false),
            Some(shape) => (Some(shape.returns.as_str()), 1, false),
            // An unknown field: validation will refuse it; count it as one object meanwhile.
            None => (None, 1, false),
        };
        let children = self.selection_set(&field.selection_set.node, returns, pages)?;
        Ok(Summary {
            cost: times.saturating_mul(children.cost).saturating_add(weight),
            depth: children.depth + 1,
            filter_terms: filter_terms.max(children.filter_terms),
        })
    }

    /// The terms of `field`'s filter arguments, together.
    fn filter_terms(&self, field: &Field, shape: &FieldShape) -> u64 {
        let filters = field.arguments.iter().filter_map(|(name, value)| {
            let ty = shape.arguments.get(name.node.as_str()).filter(|ty| self.shape.is_filter(ty))?;
            let value = value.node.clone().into_const_with(|variable| {
                Ok::<_, std::convert::Infallible>(self.variables.get(&variable).cloned().unwrap_or_default())
            });
            Some(self.shape.filter_terms(ty, &value.unwrap_or_default(), 1))
        });
        filters.fold(0, u64::saturating_add)
    }

    /// The items a paged field can return: the largest of its `first` and `last`, else its default.
    fn page_size(&self, field: &Field, shape: &FieldShape) -> u64 {
        let asked = field
            .arguments
            .iter()
            .filter(|(argument, _)| matches!(argument.node.as_str(), "first" | "last"))
            .filter_map(|(_, value)| match &value.node {
                Value::Variable(variable) => self.variables.get(variable).and_then(page_size),
                value => value.clone().into_const().as_ref().and_then(page_size),
            })
            .max();
        asked.or(shape.default_page).unwrap_or(DEFAULT_PAGE)
    }

    /// How deeply lists of types nest below an introspection field.
    fn introspection_type_lists(&mut self, set: &'a SelectionSet) -> Result<usize, ServerError> {
        let mut deepest = 0;
        for selection in &set.items {
            let lists = match &selection.node {
                Selection::Field(field) => {
                    let own = usize::from(INTROSPECTION_TYPE_LISTS.contains(&field.node.name.node.as_str()));
                    own + self.introspection_type_lists(&field.node.selection_set.node)?
                }
                Selection::InlineFragment(inline) => self.introspection_type_lists(&inline.node.selection_set.node)?,
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.introspection_memo.get(name.as_str()) {
                        Some(lists) => *lists,
                        None => {
                            let lists = self
                                .in_fragment(name, |walker, set, _| walker.introspection_type_lists(set))?
                                .unwrap_or_default();
                            self.introspection_memo.insert(name.as_str(), lists);
                            lists
                        }
                    }
                }
            };
            deepest = deepest.max(lists);
        }
        Ok(deepest)
    }

    /// Counts the fields selected at the root, through fragments, noting the introspection ones.
    fn root_fields(&mut self, set: &'a SelectionSet) -> Result<RootFields, ServerError> {
        let mut found = RootFields::default();
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let key = field.node.response_key().node.as_str();
                    let introspection = is_introspection_root(&field.node.name.node).then_some(key);
                    found.add(1, introspection);
                }
                Selection::InlineFragment(inline) => found.merge(&self.root_fields(&inline.node.selection_set.node)?),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let fields = match self.root_memo.get(name.as_str()) {
                        Some(fields) => fields.clone(),
                        None => {
                            let fields = self.in_fragment(name, |walker, set, _| walker.root_fields(set))?;
                            let fields = fields.unwrap_or_default();
                            self.root_memo.insert(name.as_str(), fields.clone());
                            fields
                        }
                    };
                    found.merge(&fields);
                }
            }
        }
        Ok(found)
    }
}

/// Aliases and directives as written in the document (not expanded through fragments: the cost counts that).
fn count_aliases_and_directives(document: &ExecutableDocument) -> (usize, usize) {
    fn in_set(set: &SelectionSet, counts: &mut (usize, usize)) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    counts.0 += usize::from(field.node.alias.is_some());
                    counts.1 += field.node.directives.len();
                    in_set(&field.node.selection_set.node, counts);
                }
                Selection::InlineFragment(inline) => {
                    counts.1 += inline.node.directives.len();
                    in_set(&inline.node.selection_set.node, counts);
                }
                Selection::FragmentSpread(spread) => counts.1 += spread.node.directives.len(),
            }
        }
    }
    let mut counts = (0, 0);
    for (_, operation) in document.operations.iter() {
        counts.1 += operation.node.directives.len();
        counts.1 += operation.node.variable_definitions.iter().map(|v| v.node.directives.len()).sum::<usize>();
        in_set(&operation.node.selection_set.node, &mut counts);
    }
    for fragment in document.fragments.values() {
        counts.1 += fragment.node.directives.len();
        in_set(&fragment.node.selection_set.node, &mut counts);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schema with a connection, a paged list, an unbounded list and a scalar list.
    const SDL: &str = r#"
        type Query { things(first: Int = 5): ThingConnection! thing(id: ID!): Thing tags(first: Int): [String!]!
                     heaviest(first: Int): [Thing!]! @cost(weight: 50) }
        type ThingConnection { edges: [Edge!]! totalCount: Int! }
        type Edge { node: Thing! }
        type Thing { id: ID! friends: [Thing!]! names: [String!]! parts(first: Int, last: Int): [Thing!]! }
        schema { query: Query }
    "#;

    fn analysis(query: &str, variables: serde_json::Value) -> Result<Analysis, ServerError> {
        let shape = Shape::from_sdl(SDL).unwrap();
        analyze(&prepared(query, None), &Variables::from_json(variables), &shape)
    }

    fn prepared(query: &str, name: Option<&str>) -> Prepared {
        let document = async_graphql::parser::parse_query(query).unwrap();
        Prepared::new(std::sync::Arc::new(document), name).unwrap()
    }

    fn cost(query: &str) -> u64 {
        analysis(query, serde_json::json!({})).unwrap().cost
    }

    #[test]
    fn a_weighed_field_counts_its_weight_in_place_of_one() {
        assert_eq!(cost("{ heaviest(first: 2) { id } }"), 50 + 2);
        assert_eq!(cost("{ heaviest(first: 2) { id } tags }"), 50 + 2 + 1);
    }

    #[test]
    fn lists_weigh_by_first_and_connections_count_once() {
        // things: default from the schema (5); edges sit under it and are not counted again.
        assert_eq!(cost("{ things { totalCount edges { node { id } } } }"), 1 + 5 * (1 + (1 + (1 + 1))));
        // A list without `first` counts 100 times; a list of scalars is one field.
        assert_eq!(cost(r#"{ thing(id: "1") { friends { id names } } }"#), 1 + (1 + 100 * 2));
        // The larger of `first` and `last`; a paged root field without a schema default counts 20.
        assert_eq!(cost(r#"{ thing(id: "1") { parts(first: 2, last: 7) { id } } }"#), 1 + (1 + 7));
        assert_eq!(cost("{ tags }"), 1);
        assert_eq!(cost("{ tags(first: 3) __typename }"), 2);
    }

    #[test]
    fn variables_set_page_sizes_and_required_ones_must_be_given() {
        let query = "query($n: Int!) { things(first: $n) { totalCount } }";
        assert_eq!(analysis(query, serde_json::json!({ "n": 9 })).unwrap().cost, 1 + 9);
        let missing = analysis(query, serde_json::json!({})).unwrap_err();
        assert_eq!(ErrorCode::of(&missing), Some(ErrorCode::GraphqlValidationFailed));
        assert!(missing.message.contains("$n"), "{}", missing.message);
    }

    #[test]
    fn fragments_are_counted_as_expanded_without_expanding_them() {
        let mut query = r#"{ thing(id: "1") { ...F0 } }"#.to_owned();
        for level in 0..60 {
            query += &format!(" fragment F{level} on Thing {{ ...F{next} ...F{next} }}", next = level + 1);
        }
        query += " fragment F60 on Thing { id }";
        // 2^60 ids: counted in microseconds, refused for cost (the fragment chain is too long anyway).
        let error = analysis(&query, serde_json::json!({})).unwrap_err();
        assert_eq!(error.extensions.unwrap().get("limit").unwrap().to_string(), "\"fragmentNesting\"");
        // Cut at F30 (30 levels of doubling, within the chain limit): `thing` plus 2^30 ids.
        let query = query.replace("...F31 ...F31", "id");
        assert_eq!(cost(&query), 1 + (1 << 30));
    }

    #[test]
    fn depth_aliases_root_fields_and_directives_are_counted() {
        let query = r#"query @a { a: thing(id: "1") @b { friends { b: id } } ... on Query { tags @c } ...R } fragment R on Query { c: tags }"#;
        let found = analysis(query, serde_json::json!({})).unwrap();
        assert_eq!((found.depth, found.aliases, found.root_fields, found.directives), (3, 3, 3, 3));
        let limits = QueryLimits { max_aliases: 2, ..QueryLimits::default() };
        assert!(found.check(&limits).is_err());
        assert!(found.check(&QueryLimits::default()).is_ok());
    }

    #[test]
    fn introspection_counts_one_and_is_bounded_by_its_own_rule() {
        let found = analysis(
            "{ s: __schema { types { fields { type { ofType { ofType { name } } } } } } }",
            serde_json::json!({}),
        )
        .unwrap();
        assert_eq!((found.cost, found.depth, found.introspection_keys.clone()), (1, 1, vec!["s".to_owned()]));
        let nested = "{ __type(name: \"Thing\") { fields { type { fields { type { fields { name } } } } } } }";
        let error = analysis(nested, serde_json::json!({})).unwrap_err();
        assert_eq!(ErrorCode::of(&error), Some(ErrorCode::QueryTooComplex));
    }

    #[test]
    fn cycles_and_operations_of_no_root_are_refused() {
        let cycle =
            analysis("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", serde_json::json!({}));
        assert_eq!(ErrorCode::of(&cycle.unwrap_err()), Some(ErrorCode::GraphqlValidationFailed));
        let shape = Shape::from_sdl(SDL).unwrap();
        assert!(
            analyze(&prepared("query A { tags } query B { tags }", Some("B")), &Variables::default(), &shape).is_ok()
        );
        let error = analyze(&prepared("mutation { tags }", None), &Variables::default(), &shape).unwrap_err();
        assert_eq!(ErrorCode::of(&error), Some(ErrorCode::GraphqlValidationFailed));
    }

    #[test]
    fn the_actual_cost_counts_the_response_as_the_request_was_counted() {
        let data = async_graphql::value!({
            "s": { "types": [{ "name": "A" }, { "name": "B" }] },
            "things": { "edges": [{ "node": { "id": "1", "names": ["x", "y"] } }, { "node": { "id": "2", "names": [] } }] },
        });
        // s: 1 (introspection); things 1 + edges 1 + 2 × (node 1 + id 1 + names 1).
        assert_eq!(response_cost(&data, &["s".to_owned()]), 1 + 1 + 1 + 2 * 3);
    }
}
