//! `/openapi.json`: the named operations as an OpenAPI 3.1 document, for API tools (Postman, Swagger UI,
//! client generators). Each operation is a path with its variables as query parameters, a JSON answer
//! whose schema follows its selection and the schema's types, and its CSV table as a path of its own; all
//! of it derived from the catalogue, which the routes serve, so the two cannot part.
use async_graphql::parser::types::{BaseType, InputValueDefinition, Selection, SelectionSet, Type, TypeKind};
use serde_json::{Map, Value, json};

use super::catalogue::{Catalogue, Operation};
use super::selection::{Field, Types, named};
use super::variables;
use crate::graphql::error::ErrorCode;

/// The error responses every path may give, by status, with what each means here.
const ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "A parameter is missing, unknown or not of its type (`BAD_USER_INPUT`), or the request is over a limit (`QUERY_TOO_COMPLEX`).",
    ),
    ("401", "The `Authorization` header holds no valid key (`UNAUTHENTICATED`)."),
    ("429", "The client's cost budget is spent for now (`RATE_LIMITED`); `Retry-After` says when to retry."),
    ("503", "The server cannot answer now (`UNAVAILABLE`), e.g. the database is down."),
    ("504", "The request ran longer than the server allows (`TIMEOUT`)."),
];

pub fn document(catalogue: &Catalogue) -> Value {
    let mut paths = Map::new();
    for operation in catalogue.iter() {
        paths.insert(format!("/q/{}", operation.name), json!({ "get": json_operation(&catalogue.types, operation) }));
        if let Ok(table) = &operation.table {
            let columns: Vec<String> = table.header().iter().map(|column| format!("`{column}`")).collect();
            let csv = json!({ "get": csv_operation(&catalogue.types, operation, &columns.join(", ")) });
            paths.insert(format!("/q/{}.csv", operation.name), csv);
        }
    }
    let mut responses = Map::new();
    for (status, description) in ERRORS {
        let content = json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Errors" } } });
        responses.insert((*status).to_owned(), json!({ "description": description, "content": content }));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "careerql: named operations",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "careerql's GraphQL operations published as URLs: each answers JSON, and those whose answer is \
                one table answer it as CSV too. Parameters are the operation's variables. The full API is GraphQL at `/graphql`.",
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        },
        "servers": [{ "url": "/", "description": "this server" }],
        "security": [{}, { "apiKey": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiKey": { "type": "http", "scheme": "bearer", "description": "An API key (`careerql keys create`); reads need none." },
            },
            "responses": responses,
            "schemas": { "Errors": errors_schema(), "Error": error_schema() },
            "headers": {
                "ETag": { "description": "The answer's tag: send it back as `If-None-Match` for a 304 when nothing changed.", "schema": { "type": "string" } },
                "Cache-Control": { "description": "How long the answer may be cached.", "schema": { "type": "string" } },
            },
        },
    })
}

/// What both of an operation's paths share: its id, texts, parameters and error responses.
fn operation_object(types: &Types, operation: &Operation, id: String, summary_suffix: &str, ok: Value) -> Value {
    let summary = summary(&operation.description, &operation.name);
    let mut responses = Map::new();
    responses.insert("200".to_owned(), ok);
    responses.insert("304".to_owned(), json!({ "description": "Not modified: the `If-None-Match` tag is current." }));
    for (status, _) in ERRORS {
        responses.insert((*status).to_owned(), json!({ "$ref": format!("#/components/responses/{status}") }));
    }
    json!({
        "operationId": id,
        "summary": format!("{summary}{summary_suffix}"),
        "description": operation.description,
        "parameters": parameters(types, operation),
        "responses": responses,
    })
}

fn json_operation(types: &Types, operation: &Operation) -> Value {
    let schema = json!({
        "type": "object",
        "properties": {
            "data": object_schema(types, &operation.fields),
            "errors": { "type": "array", "items": { "$ref": "#/components/schemas/Error" } },
            "extensions": { "type": "object" },
        },
        "required": ["data"],
    });
    let ok = json!({
        "description": "The operation's answer, as `POST /graphql` gives it. A field that fails is null, with an error in `errors`.",
        "headers": headers(),
        "content": { "application/json": { "schema": schema } },
    });
    operation_object(types, operation, operation.name.clone(), "", ok)
}

fn csv_operation(types: &Types, operation: &Operation, columns: &str) -> Value {
    let ok = json!({
        "description": format!("The answer as one CSV table (RFC 4180) with a header row: {columns}. Nested objects are dotted \
            columns, a null is an empty cell. An answer with any error is refused with that error as JSON."),
        "headers": headers(),
        "content": { "text/csv": { "schema": { "type": "string" } } },
    });
    let mut object = operation_object(types, operation, format!("{}Csv", operation.name), " (CSV)", ok);
    let not_found = "An object the operation names is not there (`NOT_FOUND`): a table is never half written.";
    let errors = json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Errors" } } });
    object["responses"]["404"] = json!({ "description": not_found, "content": errors });
    object
}

fn headers() -> Value {
    json!({
        "ETag": { "$ref": "#/components/headers/ETag" },
        "Cache-Control": { "$ref": "#/components/headers/Cache-Control" },
    })
}

/// The description's first sentence, or the name.
fn summary(description: &str, name: &str) -> String {
    let end = description.find(['.', '?', ':']).map_or(description.len(), |end| end + 1);
    let first = description[..end].trim_end_matches(['.', ':']);
    if first.is_empty() { name.to_owned() } else { first.to_owned() }
}

/// The operation's variables as query parameters, with the example's value where it has one.
fn parameters(types: &Types, operation: &Operation) -> Vec<Value> {
    let example = operation
        .example
        .as_deref()
        .and_then(|example| variables::from_query(operation.variables(), types, example).ok())
        .unwrap_or_default();
    operation
        .variables()
        .iter()
        .map(|definition| {
            let (name, ty) = (definition.node.name.node.as_str(), &definition.node.var_type.node);
            let mut schema = value_schema(types, ty);
            if let Some(default) = &definition.node.default_value
                && let Ok(default) = default.node.clone().into_json()
            {
                schema["default"] = default;
            }
            let list = if matches!(ty.base, BaseType::List(_)) { " Repeat the parameter for each item." } else { "" };
            let mut parameter = json!({
                "name": name,
                "in": "query",
                "required": !ty.nullable && definition.node.default_value.is_none(),
                "description": format!("`{ty}`: {}{list}", describe_variable(types, operation, name)),
                "schema": schema,
            });
            if let Some(value) = example.get(name) {
                parameter["example"] = value.clone();
            }
            parameter
        })
        .collect()
}

/// What the schema says of the argument (or input field) a variable is given to, where it first is: the
/// innermost description on the way (a filter's `eq` says less than the `role` filter it sits in).
fn describe_variable(types: &Types, operation: &Operation, variable: &str) -> String {
    let Some(chain) = usage(types, &operation.definition.selection_set.node, "Query", variable) else {
        return "A variable of the operation.".to_owned();
    };
    let path: Vec<&str> = chain.iter().map(|definition| definition.name.node.as_str()).collect();
    let description = chain.iter().rev().find_map(|definition| {
        let description = definition.description.as_ref()?.node.trim();
        (!description.is_empty()).then_some(description)
    });
    match description {
        Some(description) => format!("{description} (given to `{}`)", path.join(".")),
        None => format!("Given to `{}`.", path.join(".")),
    }
}

/// The argument and input fields, outermost first, that `$variable` is given to in `selection`.
fn usage<'a>(types: &'a Types, selection: &SelectionSet, parent: &str, variable: &str) -> Option<Chain<'a>> {
    selection.items.iter().find_map(|item| match &item.node {
        Selection::Field(field) => {
            let field = &field.node;
            let found = field.arguments.iter().find_map(|(argument, value)| {
                let definition = types.argument(parent, &field.name.node, &argument.node)?;
                in_value(types, &value.node, definition, variable)
            });
            found.or_else(|| {
                let returns = types.field(parent, &field.name.node)?;
                usage(types, &field.selection_set.node, named(&returns.ty.node), variable)
            })
        }
        Selection::InlineFragment(fragment) => {
            let on = fragment.node.type_condition.as_ref().map_or(parent, |condition| condition.node.on.node.as_str());
            usage(types, &fragment.node.selection_set.node, on, variable)
        }
        Selection::FragmentSpread(_) => None,
    })
}

type Chain<'a> = Vec<&'a InputValueDefinition>;

/// Where `value`, given to `definition`, holds `$variable`: the input fields down to it.
fn in_value<'a>(
    types: &'a Types,
    value: &async_graphql_value::Value,
    definition: &'a InputValueDefinition,
    variable: &str,
) -> Option<Chain<'a>> {
    use async_graphql_value::Value as V;
    let inner = match value {
        V::Variable(name) if name == variable => Some(Vec::new()),
        V::Object(fields) => fields.iter().find_map(|(name, value)| {
            let field = types.input_field(named(&definition.ty.node), name)?;
            in_value(types, value, field, variable)
        }),
        V::List(items) => {
            return items.iter().find_map(|item| in_value(types, item, definition, variable));
        }
        _ => None,
    }?;
    let mut chain = vec![definition];
    chain.extend(inner);
    Some(chain)
}

/// The JSON schema of a parameter's values: a list as an array of its items.
fn value_schema(types: &Types, ty: &Type) -> Value {
    match &ty.base {
        BaseType::List(item) => json!({ "type": "array", "items": value_schema(types, item) }),
        BaseType::Named(name) => match types.get(name).map(|definition| &definition.kind) {
            Some(TypeKind::InputObject(_)) => {
                json!({ "type": "string", "contentMediaType": "application/json", "description": format!("A `{name}` as JSON.") })
            }
            _ => scalar_schema(types, name),
        },
    }
}

/// The JSON schema of a scalar or enum type's values.
fn scalar_schema(types: &Types, name: &str) -> Value {
    match name {
        "Int" => json!({ "type": "integer", "format": "int32" }),
        "Float" => json!({ "type": "number", "format": "double" }),
        "String" | "ID" => json!({ "type": "string" }),
        "Boolean" => json!({ "type": "boolean" }),
        _ => match types.get(name).map(|definition| &definition.kind) {
            Some(TypeKind::Enum(enumeration)) => {
                let values: Vec<&str> = enumeration.values.iter().map(|value| value.node.value.node.as_str()).collect();
                json!({ "type": "string", "enum": values })
            }
            // `JSON`: any value.
            _ => json!({}),
        },
    }
}

/// The JSON schema of an object in the answer: its selected fields.
fn object_schema(types: &Types, fields: &[Field]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        let mut schema = answer_schema(types, &field.ty, &field.fields);
        if let Some(description) = &field.description {
            schema["description"] = Value::String(description.trim().to_owned());
        }
        properties.insert(field.key.clone(), schema);
        if !field.conditional && !field.optional {
            required.push(Value::String(field.key.clone()));
        }
    }
    json!({ "type": "object", "properties": properties, "required": required })
}

/// The JSON schema of a field's value in the answer: null allowed where the type is nullable.
fn answer_schema(types: &Types, ty: &Type, fields: &[Field]) -> Value {
    let mut schema = match &ty.base {
        BaseType::List(item) => json!({ "type": "array", "items": answer_schema(types, item, fields) }),
        BaseType::Named(_) if !fields.is_empty() => object_schema(types, fields),
        BaseType::Named(name) => scalar_schema(types, name),
    };
    if ty.nullable
        && let Some(Value::String(kind)) = schema.get("type").cloned()
    {
        schema["type"] = json!([kind, "null"]);
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    schema
}

fn errors_schema() -> Value {
    json!({
        "type": "object",
        "description": "GraphQL errors, each with a stable `extensions.code` (docs/api.md lists them).",
        "properties": { "errors": { "type": "array", "items": { "$ref": "#/components/schemas/Error" } } },
        "required": ["errors"],
    })
}

fn error_schema() -> Value {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
    json!({
        "type": "object",
        "properties": {
            "message": { "type": "string" },
            "path": { "type": "array", "items": { "type": ["string", "integer"] } },
            "extensions": { "type": "object", "properties": { "code": { "type": "string", "enum": codes } } },
        },
        "required": ["message"],
    })
}

#[cfg(test)]
mod tests {
    use super::super::selection::tests::SDL;
    use super::*;

    fn document_of(operation: &str) -> Value {
        document(&Catalogue::new([operation], SDL))
    }

    #[test]
    fn parameters_have_types_descriptions_defaults_and_examples() {
        let operation = "# The first roles. Paged.\n# example: first=2&slug=x\nquery Roles($first: Int = 10, $slug: String!) {\n roles(first: $first) { totalCount } role(slug: $slug) { title } }";
        let document = document_of(operation);
        let get = &document["paths"]["/q/Roles"]["get"];
        assert_eq!(get["summary"], "The first roles");
        assert_eq!(
            get["parameters"][0],
            json!({ "name": "first", "in": "query", "required": false, "description": "`Int`: Given to `first`.",
                    "schema": { "type": "integer", "format": "int32", "default": 10 }, "example": 2 })
        );
        assert_eq!(get["parameters"][1]["required"], true);
    }

    #[test]
    fn the_answer_schema_follows_the_selection_and_the_types() {
        let document = document_of("query Roles { roles { nodes { title city { name state } } } }");
        let data = &document["paths"]["/q/Roles"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
            ["data"];
        let node = &data["properties"]["roles"]["properties"]["nodes"]["items"];
        assert_eq!(node["properties"]["title"], json!({ "type": "string", "description": "Its title." }));
        let city = &node["properties"]["city"];
        assert_eq!(city["type"], json!(["object", "null"]));
        assert_eq!(city["properties"]["state"], json!({ "type": ["string", "null"] }));
        assert_eq!(city["required"], json!(["name", "state"]));
        let csv = &document["paths"]["/q/Roles.csv"]["get"];
        assert!(
            csv["responses"]["200"]["description"].as_str().unwrap().contains("`title`, `city.name`, `city.state`")
        );
        assert!(csv["responses"]["200"]["content"]["text/csv"].is_object());
    }

    #[test]
    fn an_answer_that_is_no_table_has_no_csv_path() {
        let document = document_of("query Tags { role(slug: \"x\") { tags } roles { nodes { title } } }");
        assert!(document["paths"]["/q/Tags"].is_object());
        assert!(document["paths"].get("/q/Tags.csv").is_none());
    }
}
