//! A named operation's answer as one CSV table (RFC 4180): which list of the answer the rows are, which
//! columns each row has, and the writer. The table is worked out from the operation and the schema before
//! anything runs, so a URL either always answers a table or never does, and a table is never half written.
//!
//! - The rows are the items of the answer's one list (a connection's `nodes` or `edges`, say); an answer
//!   with no list is one row. An operation that selects several lists names the table's with a comment
//!   line `# table: <response keys, dotted>` above it (`# table: salaryRanges.nodes`); the other lists stay
//!   in the JSON answer.
//! - A row's columns are the item's fields in selection order, nested objects as dotted names
//!   (`city.name`); a list inside a row has no place in one table, and the operation then has none.
//! - A null is an empty cell; numbers are written as the JSON answer writes them; a `JSON` scalar is its
//!   JSON text.
use serde_json::Value;

use super::selection::Field;

/// Where the rows are and what their columns are.
#[derive(Debug, PartialEq)]
pub struct Table {
    /// The response keys down to the list whose items are the rows; empty: the answer is one row.
    list: Vec<String>,
    /// Each column's response keys inside a row; an empty path is the row itself (a list of scalars).
    columns: Vec<Vec<String>>,
}

impl Table {
    /// The table of an answer shaped as `fields`, with the list `marked` by the operation if any.
    pub fn of(fields: &[Field], marked: Option<&str>) -> Result<Self, String> {
        let mut lists = Vec::new();
        find_lists(fields, &mut Vec::new(), &mut lists);
        let named = |lists: &[(Vec<String>, &Field)]| {
            lists.iter().map(|(path, _)| format!("`{}`", path.join("."))).collect::<Vec<_>>().join(", ")
        };
        let chosen = match marked {
            Some(marked) => {
                let found = lists.iter().position(|(path, _)| path.join(".") == marked);
                let Some(found) = found else {
                    return Err(format!(
                        "`# table: {marked}` names no list of the answer (its lists: {})",
                        named(&lists)
                    ));
                };
                Some(lists.swap_remove(found))
            }
            None if lists.len() > 1 => {
                let message =
                    format!("the answer has several lists ({}); mark one with `# table: <path>`", named(&lists));
                return Err(message);
            }
            None => lists.pop(),
        };
        let mut columns = Vec::new();
        let list = match chosen {
            Some((path, field)) => {
                if let async_graphql::parser::types::BaseType::List(item) = &field.ty.base
                    && matches!(item.base, async_graphql::parser::types::BaseType::List(_))
                {
                    return Err(format!("`{}` is a list of lists", path.join(".")));
                }
                if field.fields.is_empty() {
                    columns.push(Vec::new());
                } else {
                    flatten(&field.fields, &path, &mut Vec::new(), &mut columns)?;
                }
                path
            }
            None => {
                flatten(fields, &[], &mut Vec::new(), &mut columns)?;
                Vec::new()
            }
        };
        Ok(Self { list, columns })
    }

    /// The header's names: each column's dotted path (a list of scalars: the list's own key).
    pub fn header(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|column| if column.is_empty() { self.list.join(".") } else { column.join(".") })
            .collect()
    }

    /// The CSV of `data` (the answer's `data`, as JSON), with a header row.
    pub fn write(&self, data: &[u8]) -> Result<Vec<u8>, String> {
        let data: Value = serde_json::from_slice(data).map_err(|error| format!("the data is not JSON: {error}"))?;
        let mut list = &data;
        for key in &self.list {
            list = match list {
                Value::Object(fields) => fields.get(key).ok_or_else(|| format!("the answer has no `{key}`"))?,
                // A null object above the list (a role that is not there): no rows.
                _ => &Value::Null,
            };
        }
        let rows: &[Value] = match list {
            Value::Array(items) => items,
            Value::Null => &[],
            _ if self.list.is_empty() => std::slice::from_ref(list),
            _ => return Err(format!("`{}` is not a list", self.list.join("."))),
        };
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        writer.write_record(self.header()).map_err(|error| error.to_string())?;
        for row in rows {
            let cells = self.columns.iter().map(|column| cell(row, column)).collect::<Result<Vec<_>, _>>()?;
            writer.write_record(cells).map_err(|error| error.to_string())?;
        }
        writer.into_inner().map_err(|error| error.to_string())
    }
}

/// Every list of the answer that is not inside another one, with its path.
fn find_lists<'a>(fields: &'a [Field], path: &mut Vec<String>, lists: &mut Vec<(Vec<String>, &'a Field)>) {
    for field in fields {
        path.push(field.key.clone());
        if field.is_list() {
            lists.push((path.clone(), field));
        } else {
            find_lists(&field.fields, path, lists);
        }
        path.pop();
    }
}

/// The columns of a row shaped as `fields`.
fn flatten(
    fields: &[Field],
    list: &[String],
    path: &mut Vec<String>,
    columns: &mut Vec<Vec<String>>,
) -> Result<(), String> {
    for field in fields {
        path.push(field.key.clone());
        if field.is_list() {
            let inside =
                if list.is_empty() { String::new() } else { format!(" inside each row of `{}`", list.join(".")) };
            return Err(format!("`{}` is a list{inside}: one table cannot hold it", path.join(".")));
        }
        if field.fields.is_empty() {
            columns.push(path.clone());
        } else {
            flatten(&field.fields, list, path, columns)?;
        }
        path.pop();
    }
    Ok(())
}

/// A row's cell: the value at `column`, as text.
fn cell(row: &Value, column: &[String]) -> Result<String, String> {
    let mut value = row;
    for key in column {
        value = match value {
            Value::Object(fields) => fields.get(key).unwrap_or(&Value::Null),
            _ => &Value::Null,
        };
    }
    Ok(match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Bool(flag) => flag.to_string(),
        // serde_json writes a number back exactly as the answer's writers do (the shortest round-trip form).
        Value::Number(number) => number.to_string(),
        // Only a `JSON` scalar holds these as a leaf.
        Value::Array(_) | Value::Object(_) => serde_json::to_string(value).map_err(|error| error.to_string())?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::selection::tests::tree;
    use super::*;

    fn table(query: &str, marked: Option<&str>) -> Result<Table, String> {
        Table::of(&tree(query), marked)
    }

    fn csv(query: &str, marked: Option<&str>, data: Value) -> String {
        let table = table(query, marked).unwrap();
        String::from_utf8(table.write(data.to_string().as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn rows_are_the_list_items_and_nested_objects_dotted_columns() {
        let query = "{ roles { totalCount nodes { title city { name state } id } } }";
        let data = serde_json::json!({ "roles": { "totalCount": 2, "nodes": [
            { "title": "A, \"quoted\"", "city": { "name": "Austin", "state": null }, "id": "1" },
            { "title": "B\nline", "city": null, "id": "2" },
        ] } });
        assert_eq!(
            csv(query, None, data),
            "title,city.name,city.state,id\r\n\"A, \"\"quoted\"\"\",Austin,,1\r\n\"B\nline\",,,2\r\n"
        );
    }

    #[test]
    fn numbers_are_written_as_the_json_has_them() {
        let query = "{ roles { nodes { id } } }";
        let data = r#"{"roles":{"nodes":[{"id":0.1},{"id":123456789012},{"id":1e+300},{"id":-2.5}]}}"#;
        let written = table(query, None).unwrap().write(data.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), "id\r\n0.1\r\n123456789012\r\n1e+300\r\n-2.5\r\n");
    }

    #[test]
    fn an_answer_without_a_list_is_one_row_and_a_missing_parent_none() {
        let query = "{ role(slug: \"x\") { title city { name } } }";
        let data = serde_json::json!({ "role": { "title": "A", "city": { "name": "Austin" } } });
        assert_eq!(csv(query, None, data), "role.title,role.city.name\r\nA,Austin\r\n");
        let listed = "{ role(slug: \"x\") { title } roles { nodes { title } } }";
        assert_eq!(csv(listed, None, serde_json::json!({ "role": null, "roles": null })), "title\r\n");
    }

    #[test]
    fn a_list_of_scalars_is_one_column() {
        let data = serde_json::json!({ "role": { "tags": ["a", "b"] } });
        assert_eq!(csv("{ role(slug: \"x\") { tags } }", None, data), "role.tags\r\na\r\nb\r\n");
    }

    #[test]
    fn several_lists_need_a_mark_and_the_mark_must_name_one() {
        let query = "{ roles { nodes { title } } role(slug: \"x\") { tags } }";
        let error = table(query, None).unwrap_err();
        assert!(error.contains("several lists (`roles.nodes`, `role.tags`)"), "{error}");
        let data = serde_json::json!({ "roles": { "nodes": [{ "title": "A" }] }, "role": { "tags": ["x"] } });
        assert_eq!(csv(query, Some("roles.nodes"), data), "title\r\nA\r\n");
        assert!(table(query, Some("roles")).unwrap_err().contains("names no list"));
    }

    #[test]
    fn a_list_inside_a_row_is_no_table() {
        let error = table("{ roles { nodes { title tags } } }", None).unwrap_err();
        assert_eq!(error, "`tags` is a list inside each row of `roles.nodes`: one table cannot hold it");
    }
}
