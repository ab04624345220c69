//! The named operations: the built-in ones (`operations/*.graphql`, compiled in), or in allow-list mode the
//! registered ones instead (only those may run there). Each is read once, at start: its variables, the
//! fields its answer holds, its table, and what the comment lines just above it say:
//!
//! ```text
//! # What the operation answers: its description, in the OpenAPI document.
//! # example: role=api-developer&city=austin-tx     (a query string it answers; the docs and tests use it)
//! # table: salaryStats.nodes                       (which list is the CSV table, when it selects several)
//! query RolePayByCity($role: String!) { … }
//! ```
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{OperationDefinition, OperationType, VariableDefinition};

use super::selection::{self, Field, Types};
use super::table::Table;

/// The built-in operations' documents, one operation each: every route, OpenAPI path and test derives from
/// this list.
pub const BUILT_IN: &[&str] = &[
    include_str!("operations/RolePayByCity.graphql"),
    include_str!("operations/SalaryRank.graphql"),
    include_str!("operations/CompareRoles.graphql"),
    include_str!("operations/SalaryRanges.graphql"),
    include_str!("operations/HowSure.graphql"),
    include_str!("operations/Sources.graphql"),
    include_str!("operations/RoleProfile.graphql"),
    include_str!("operations/TopSalaryRanges.graphql"),
];

pub struct Operation {
    pub name: String,
    /// The whole document, sent as the request's query (in allow-list mode, its hash is what admits it).
    pub document: String,
    pub description: String,
    /// A query string the operation answers.
    pub example: Option<String>,
    pub definition: OperationDefinition,
    pub fields: Vec<Field>,
    /// The CSV table, or why the answer makes none.
    pub table: Result<Table, String>,
}

impl Operation {
    pub fn variables(&self) -> &[Positioned<VariableDefinition>] {
        &self.definition.variable_definitions
    }
}

pub struct Catalogue {
    pub types: Types,
    operations: Vec<Operation>,
}

impl Catalogue {
    /// The named queries of `documents`, read against the schema's SDL. What cannot be served by name (an
    /// anonymous operation, a mutation, a name already taken, a document that does not fit the schema) is
    /// left out with a warning: the allow-list still admits it at `/graphql`.
    pub fn new<'a>(documents: impl IntoIterator<Item = &'a str>, sdl: &str) -> Self {
        let types = Types::from_sdl(sdl).expect("the schema's own SDL parses");
        let mut operations: Vec<Operation> = Vec::new();
        for document in documents {
            match read(&types, document) {
                Ok(read) => {
                    for operation in read {
                        if operations.iter().any(|taken| taken.name == operation.name) {
                            tracing::warn!(
                                name = operation.name,
                                "a second operation of this name is not served by name"
                            );
                        } else {
                            operations.push(operation);
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "an operation is not served by name"),
            }
        }
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        Self { types, operations }
    }

    pub fn get(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|operation| operation.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Operation> {
        self.operations.iter()
    }
}

/// The named queries of one document.
fn read(types: &Types, document: &str) -> Result<Vec<Operation>, String> {
    let parsed = async_graphql::parser::parse_query(document).map_err(|error| error.to_string())?;
    let lines: Vec<&str> = document.lines().collect();
    let mut operations = Vec::new();
    for (name, operation) in parsed.operations.iter() {
        let Some(name) = name else { return Err("an anonymous operation has no name to serve it by".to_owned()) };
        if operation.node.ty != OperationType::Query {
            return Err(format!("`{name}` is not a query: only queries are served over GET"));
        }
        let fields = selection::fields(types, &parsed, &operation.node.selection_set.node, "Query")
            .map_err(|error| format!("`{name}`: {error}"))?;
        let comments = Comments::above(&lines, operation.pos.line);
        operations.push(Operation {
            name: name.to_string(),
            document: document.to_owned(),
            table: Table::of(&fields, comments.table.as_deref()),
            description: comments.description,
            example: comments.example,
            definition: operation.node.clone(),
            fields,
        });
    }
    Ok(operations)
}

/// What the comment lines right above an operation say.
#[derive(Debug, Default, PartialEq)]
struct Comments {
    description: String,
    example: Option<String>,
    table: Option<String>,
}

impl Comments {
    /// The comment block that ends on the line before `line` (1-based).
    fn above(lines: &[&str], line: usize) -> Self {
        let end = line.saturating_sub(1).min(lines.len());
        let start = lines[..end].iter().rposition(|line| !line.trim_start().starts_with('#')).map_or(0, |i| i + 1);
        let mut comments = Self::default();
        let mut description = Vec::new();
        for line in &lines[start..end] {
            let text = line.trim_start().trim_start_matches('#').trim();
            if let Some(example) = text.strip_prefix("example:") {
                comments.example = Some(example.trim().trim_start_matches('?').to_owned());
            } else if let Some(table) = text.strip_prefix("table:") {
                comments.table = Some(table.trim().to_owned());
            } else {
                description.push(text);
            }
        }
        comments.description = description.join(" ").trim().to_owned();
        comments
    }
}

#[cfg(test)]
mod tests {
    use super::super::selection::tests::SDL;
    use super::*;

    #[test]
    fn comments_above_an_operation_describe_it() {
        let document = "query A { a }\n\n# Roles, first ones.\n#   Paged.\n# example: ?first=2\n# table: roles.nodes\nquery B($first: Int) { roles(first: $first) { nodes { title } } }";
        let lines: Vec<&str> = document.lines().collect();
        assert_eq!(
            Comments::above(&lines, 7),
            Comments {
                description: "Roles, first ones. Paged.".to_owned(),
                example: Some("first=2".to_owned()),
                table: Some("roles.nodes".to_owned())
            }
        );
        assert_eq!(Comments::above(&lines, 1), Comments::default());
    }

    #[test]
    fn every_built_in_operation_fits_the_schema_makes_a_table_and_has_a_working_example() {
        let catalogue = Catalogue::new(BUILT_IN.iter().copied(), include_str!("../../../schema.graphql"));
        assert_eq!(catalogue.iter().count(), BUILT_IN.len());
        for operation in catalogue.iter() {
            let name = &operation.name;
            assert!(operation.table.is_ok(), "{name}: {:?}", operation.table);
            assert!(!operation.description.is_empty(), "{name} is described");
            // The example gives every parameter that must be given, so each URL of the document runs as is.
            let example = operation.example.as_deref().unwrap_or_default();
            let read = super::super::variables::from_query(operation.variables(), &catalogue.types, example);
            assert!(read.is_ok(), "{name}: {read:?}");
        }
    }

    #[test]
    fn only_named_queries_that_fit_the_schema_are_served() {
        let catalogue = Catalogue::new(
            [
                "# The first roles.\nquery Roles { roles { nodes { title } } }\nquery Role { role(slug: \"x\") { title } }",
                "query Roles { roles { totalCount } }",
                "{ roles { totalCount } }",
                "query Bad { role(slug: \"x\") { salary } }",
                "mutation M { a }",
            ],
            SDL,
        );
        let names: Vec<&str> = catalogue.iter().map(|operation| operation.name.as_str()).collect();
        assert_eq!(names, ["Role", "Roles"]);
        let roles = catalogue.get("Roles").unwrap();
        assert_eq!(roles.description, "The first roles.");
        assert_eq!(roles.table.as_ref().unwrap().header(), ["title"]);
    }
}
