//! The response's `data`, written as JSON bytes while walking the rows: no `Value` tree in between. Values
//! are written as async-graphql's serializer writes them (serde_json's escaping and number formatting), so
//! both executors answer byte for byte alike.

/// A JSON writer that also counts the members it writes: the response's actual cost (`operation::analysis`).
#[derive(Default)]
pub struct Json {
    bytes: Vec<u8>,
    /// For each open object or list, whether it has a member or item yet (the next one needs a comma).
    open: Vec<bool>,
    fields: u64,
}

impl Json {
    /// The bytes written, and how many object members they hold.
    pub fn into_parts(self) -> (Vec<u8>, u64) {
        debug_assert!(self.open.is_empty(), "every object and list is closed");
        (self.bytes, self.fields)
    }

    fn separate(&mut self) {
        if let Some(has_items) = self.open.last_mut() {
            if *has_items {
                self.bytes.push(b',');
            }
            *has_items = true;
        }
    }

    pub fn begin_object(&mut self) {
        self.bytes.push(b'{');
        self.open.push(false);
    }

    pub fn end_object(&mut self) {
        self.open.pop();
        self.bytes.push(b'}');
    }

    pub fn begin_list(&mut self) {
        self.bytes.push(b'[');
        self.open.push(false);
    }

    pub fn end_list(&mut self) {
        self.open.pop();
        self.bytes.push(b']');
    }

    /// Starts the next item of the open list.
    pub fn item(&mut self) {
        self.separate();
    }

    /// Starts the member `key` of the open object; its value is written next.
    pub fn key(&mut self, key: &str) {
        self.separate();
        self.fields += 1;
        self.string(key);
        self.bytes.push(b':');
    }

    pub fn string(&mut self, value: &str) {
        serde_json::to_writer(&mut self.bytes, value).expect("writing to a vector cannot fail");
    }

    pub fn optional_string(&mut self, value: Option<&str>) {
        match value {
            Some(value) => self.string(value),
            None => self.null(),
        }
    }

    pub fn int(&mut self, value: i64) {
        self.bytes.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    pub fn optional_int(&mut self, value: Option<i64>) {
        match value {
            Some(value) => self.int(value),
            None => self.null(),
        }
    }

    /// As async-graphql writes an `f64`: serde_json's shortest round-trip form, and null for what JSON
    /// cannot hold (NaN, infinities).
    pub fn optional_float(&mut self, value: Option<f64>) {
        match value.filter(|value| value.is_finite()) {
            Some(value) => serde_json::to_writer(&mut self.bytes, &value).expect("writing to a vector cannot fail"),
            None => self.null(),
        }
    }

    pub fn bool(&mut self, value: bool) {
        self.bytes.extend_from_slice(if value { b"true" } else { b"false" });
    }

    pub fn null(&mut self) {
        self.bytes.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_objects_and_lists_with_commas_only_between_members() {
        let mut json = Json::default();
        json.begin_object();
        json.key("a");
        json.begin_list();
        for n in [1, 2] {
            json.item();
            json.begin_object();
            json.key("n");
            json.int(n);
            json.key("s");
            json.string("\"quoted\"\n");
            json.end_object();
        }
        json.end_list();
        json.key("b");
        json.null();
        json.key("empty");
        json.begin_list();
        json.end_list();
        json.end_object();
        let (bytes, fields) = json.into_parts();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"a":[{"n":1,"s":"\"quoted\"\n"},{"n":2,"s":"\"quoted\"\n"}],"b":null,"empty":[]}"#
        );
        assert_eq!(fields, 7);
    }
}
