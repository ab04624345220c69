//! Execution: how an admitted operation is answered. The planned executor (`planned/`) answers the queries it
//! covers from its own plan; the rest run on async-graphql's resolvers, whose response `complete.rs` then
//! shapes as the spec asks. Both leave an `Answer`.
pub mod complete;
pub mod planned;

use async_graphql::Response;

/// What running an admitted request gave: async-graphql's response, or the planned executor's, whose `data`
/// is already written as JSON (`response` then holds no data and no errors, only what travels beside them).
pub struct Answer {
    pub response: Response,
    pub written: Option<Written>,
}

/// A response's `data` written as JSON, and how many fields it holds (its actual cost); once concluded, the
/// cost it reports, which the HTTP layer writes beside the data. A written answer has no other extensions.
pub struct Written {
    pub json: Vec<u8>,
    pub fields: u64,
    pub cost: Option<Cost>,
}

/// `extensions.cost`: what the request asked for, what the response holds, and the server's limit.
#[derive(Clone, Copy)]
pub struct Cost {
    pub requested: u64,
    pub actual: u64,
    pub limit: u64,
}

impl Cost {
    pub fn value(self) -> async_graphql::Value {
        async_graphql::value!({ "requested": self.requested, "actual": self.actual, "limit": self.limit })
    }

    /// The cost as JSON, as `value()` serializes: building and serializing the value was about 4% of the
    /// instructions of `{ __typename }`.
    pub fn write_json(self, out: &mut Vec<u8>) {
        let mut number = itoa::Buffer::new();
        for (key, value) in
            [(&b"{\"requested\":"[..], self.requested), (b",\"actual\":", self.actual), (b",\"limit\":", self.limit)]
        {
            out.extend_from_slice(key);
            out.extend_from_slice(number.format(value).as_bytes());
        }
        out.push(b'}');
    }
}

impl From<Response> for Answer {
    fn from(response: Response) -> Self {
        Self { response, written: None }
    }
}

impl Answer {
    /// Which executor answered, for the metrics.
    pub fn executor(&self) -> &'static str {
        if self.written.is_some() { "planned" } else { "resolvers" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_cost_is_the_cost_value_as_json() {
        for (requested, actual, limit) in [(0, 0, 0), (1, 1, 1_000_000), (u64::MAX, 41, 7)] {
            let cost = Cost { requested, actual, limit };
            let mut written = Vec::new();
            cost.write_json(&mut written);
            assert_eq!(String::from_utf8(written).unwrap(), serde_json::to_string(&cost.value()).unwrap());
        }
    }
}
