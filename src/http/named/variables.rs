//! A named operation's variables from its URL's query string: each parameter is a variable of the same
//! name, its text read as the variable's GraphQL type says (a list as the parameter repeated). What cannot
//! be read, is missing or is not a variable of the operation is refused before anything runs.
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{BaseType, Type, TypeKind, VariableDefinition};
use serde_json::{Map, Number, Value};

use super::selection::Types;

/// The variables the query string gives, as JSON, or why it gives none.
pub fn from_query(
    definitions: &[Positioned<VariableDefinition>],
    types: &Types,
    query: &str,
) -> Result<Map<String, Value>, String> {
    // Decoding replaces invalid UTF-8 with U+FFFD, which would run a request the client did not send.
    if percent_encoding::percent_decode_str(query).decode_utf8().is_err() {
        return Err("the query string is not UTF-8".to_owned());
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|error| format!("the query string cannot be read: {error}"))?;
    if let Some((unknown, _)) = pairs.iter().find(|(name, _)| !definitions.iter().any(|d| d.node.name.node == *name)) {
        let known: Vec<String> = definitions.iter().map(|d| format!("`{}`", d.node.name.node)).collect();
        let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
        return Err(format!("`{unknown}` is not a parameter of this operation (its parameters: {known})"));
    }
    let mut variables = Map::new();
    for definition in definitions {
        let (name, ty) = (definition.node.name.node.as_str(), &definition.node.var_type.node);
        let given: Vec<&str> = pairs.iter().filter(|(key, _)| key == name).map(|(_, value)| value.as_str()).collect();
        if given.is_empty() {
            if !ty.nullable && definition.node.default_value.is_none() {
                return Err(format!("the parameter `{name}` ({ty}) is missing"));
            }
            continue;
        }
        let value = match &ty.base {
            BaseType::List(item) => {
                given.iter().map(|text| read(types, item, text, name)).collect::<Result<Vec<_>, _>>().map(Value::Array)
            }
            BaseType::Named(_) if given.len() > 1 => Err(format!("`{name}` ({ty}) is given {} times", given.len())),
            BaseType::Named(_) => read(types, ty, given[0], name),
        }?;
        variables.insert(name.to_owned(), value);
    }
    Ok(variables)
}

/// One parameter's text as a value of `ty`.
fn read(types: &Types, ty: &Type, text: &str, parameter: &str) -> Result<Value, String> {
    let wrong = |expected: &str| format!("`{parameter}` must be {expected}; `{text}` is not");
    let type_name = match &ty.base {
        // A list inside a list is written as JSON, one inner list per parameter.
        BaseType::List(_) => {
            return serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_array)
                .ok_or_else(|| wrong(&format!("a JSON list ({ty})")));
        }
        BaseType::Named(name) => name.as_str(),
    };
    match type_name {
        "Int" => text.parse::<i32>().map(Value::from).map_err(|_| wrong("an Int (a whole number of 32 bits)")),
        "Float" => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| wrong("a Float (a finite number)")),
        "Boolean" => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(wrong("a Boolean (`true` or `false`)")),
        },
        "String" | "ID" => Ok(Value::String(text.to_owned())),
        _ => match types.get(type_name).map(|definition| &definition.kind) {
            Some(TypeKind::Enum(enumeration)) => {
                let values: Vec<&str> = enumeration.values.iter().map(|value| value.node.value.node.as_str()).collect();
                if values.contains(&text) {
                    Ok(Value::String(text.to_owned()))
                } else {
                    Err(wrong(&format!("one of {}", values.join(", "))))
                }
            }
            Some(TypeKind::InputObject(_)) => serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_object)
                .ok_or_else(|| wrong(&format!("a {type_name} written as a JSON object"))),
            // Any other scalar (`JSON`): JSON text, or else the text itself as a string.
            _ => Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))),
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SDL: &str = r#"
        type Query { a: Int }
        enum Period { ANNUAL HOURLY }
        input Range { low: Float }
        scalar JSON
    "#;

    fn variables(signature: &str, query: &str) -> Result<Value, String> {
        let document = async_graphql::parser::parse_query(format!("query Q{signature} {{ a }}")).unwrap();
        let (_, operation) = document.operations.iter().next().unwrap();
        let types = Types::from_sdl(SDL).unwrap();
        from_query(&operation.node.variable_definitions, &types, query).map(Value::Object)
    }

    #[test]
    fn parameters_are_read_as_their_variables_types() {
        let signature = "($n: Int, $x: Float!, $b: Boolean, $s: String, $p: Period, $r: Range, $j: JSON, $ids: [ID!])";
        let query = "n=-3&x=1.5e3&b=true&s=a%20b&p=HOURLY&r=%7B%22low%22%3A1%7D&j=%5B1%5D&ids=1&ids=x";
        assert_eq!(
            variables(signature, query),
            Ok(json!({ "n": -3, "x": 1500.0, "b": true, "s": "a b", "p": "HOURLY", "r": { "low": 1 }, "j": [1],
                       "ids": ["1", "x"] }))
        );
        assert_eq!(variables("($ids: [ID!])", "ids=7"), Ok(json!({ "ids": ["7"] })), "one item is a list of one");
        assert_eq!(variables("($m: [[Int]])", "m=%5B1%2C2%5D"), Ok(json!({ "m": [[1, 2]] })));
    }

    #[test]
    fn missing_parameters_are_refused_unless_optional() {
        assert_eq!(variables("($a: Int, $b: Int! = 3)", ""), Ok(json!({})));
        assert_eq!(variables("($role: String!)", "").unwrap_err(), "the parameter `role` (String!) is missing");
    }

    #[test]
    fn what_cannot_be_read_is_refused_with_the_parameter_named() {
        for (signature, query, wanted) in [
            ("($n: Int)", "n=1.5", "`n` must be an Int (a whole number of 32 bits); `1.5` is not"),
            ("($n: Int)", "n=3000000000", "`n` must be an Int"),
            ("($x: Float)", "x=NaN", "`x` must be a Float (a finite number); `NaN` is not"),
            ("($b: Boolean)", "b=yes", "`b` must be a Boolean"),
            ("($p: Period)", "p=annual", "`p` must be one of ANNUAL, HOURLY; `annual` is not"),
            ("($r: Range)", "r=1", "`r` must be a Range written as a JSON object"),
            ("($n: Int)", "n=1&n=2", "`n` (Int) is given 2 times"),
            ("($n: Int)", "m=1", "`m` is not a parameter of this operation (its parameters: `n`)"),
            ("", "m=1", "(its parameters: none)"),
            ("($n: Int)", "n=%FF", "the query string is not UTF-8"),
        ] {
            let error = variables(signature, query).unwrap_err();
            assert!(error.contains(wanted), "{query}: {error}");
        }
    }
}
