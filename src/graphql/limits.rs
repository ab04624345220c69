//! Limits on GraphQL documents, each a flag and an environment variable, all on by default. They are checked
//! before validation and execution (see `guard.rs`), so a hostile document costs the server almost nothing.
use apollo_parser::{Lexer, TokenKind};
use async_graphql::ServerError;
use clap::Args;

use super::error::ErrorCode;

/// Nesting of braces, brackets and parentheses a document may have before it reaches the parser.
/// async-graphql's parser recurses once per level on the thread's stack, so a document of a few thousand
/// `[` would overflow the stack before any other limit could speak; 64 is the parser's own limit for
/// selection sets, so no document it would accept is refused here.
pub const MAX_NESTING: usize = 64;

#[derive(Debug, Clone, Args)]
pub struct QueryLimits {
    /// Deepest nesting of fields a query may have (`{ roles { slug } }` is 2). Introspection is bounded
    /// separately, so GraphiQL's 13-level introspection query always passes.
    #[arg(long, global = true, env = "CAREERQL_MAX_DEPTH", default_value_t = QueryLimits::DEFAULT.max_depth)]
    pub max_depth: usize,

    /// Highest cost a query may have: every field counts 1, and a list counts its selection `first` times
    /// (root lists default to 20, nested lists to 100).
    #[arg(long, global = true, env = "CAREERQL_MAX_COST", default_value_t = QueryLimits::DEFAULT.max_cost)]
    pub max_cost: u64,

    /// Most aliases (`name: field`) a document may use.
    #[arg(long, global = true, env = "CAREERQL_MAX_ALIASES", default_value_t = QueryLimits::DEFAULT.max_aliases)]
    pub max_aliases: usize,

    /// Most fields an operation may select at its root.
    #[arg(long, global = true, env = "CAREERQL_MAX_ROOT_FIELDS", default_value_t = QueryLimits::DEFAULT.max_root_fields)]
    pub max_root_fields: usize,

    /// Most directives (`@skip`, `@include`, …) a document may use.
    #[arg(long, global = true, env = "CAREERQL_MAX_DIRECTIVES", default_value_t = QueryLimits::DEFAULT.max_directives)]
    pub max_directives: usize,

    /// Most tokens (names, punctuation, values; not whitespace or comments) a document may have.
    #[arg(long, global = true, env = "CAREERQL_MAX_TOKENS", default_value_t = QueryLimits::DEFAULT.max_tokens)]
    pub max_tokens: usize,

    /// Largest document, in bytes.
    #[arg(long, global = true, env = "CAREERQL_MAX_DOCUMENT_BYTES", default_value_t = QueryLimits::DEFAULT.max_document_bytes)]
    pub max_document_bytes: usize,

    /// Answer introspection and suggest field names in errors. GraphiQL needs it; `false` turns both off.
    #[arg(long, global = true, env = "CAREERQL_INTROSPECTION", default_value_t = QueryLimits::DEFAULT.introspection, action = clap::ArgAction::Set)]
    pub introspection: bool,
}

impl QueryLimits {
    pub const DEFAULT: Self = Self {
        max_depth: 10,
        // GitHub allows 500,000 nodes; a field is finer than a node, and this keeps the worst accepted
        // query to about a second of work.
        max_cost: 1_000_000,
        max_aliases: 50,
        max_root_fields: 20,
        max_directives: 50,
        max_tokens: 10_000,
        max_document_bytes: 64 * 1024,
        introspection: true,
    };
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A `QUERY_TOO_COMPLEX` error naming the limit, so clients can tell which one they hit.
pub fn over_limit(limit: &str, message: impl Into<String>) -> ServerError {
    let mut error = ErrorCode::QueryTooComplex.error(message);
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set("limit", limit);
    }
    error
}

/// Checks the document's text before it is parsed: its size, its tokens and how deeply it nests. The lexer
/// stops at the first token over the limit, so a megabyte of hostile text costs microseconds.
pub fn check_text(query: &str, limits: &QueryLimits) -> Result<(), ServerError> {
    if query.len() > limits.max_document_bytes {
        return Err(over_limit(
            "documentBytes",
            format!("the document is {} bytes; the limit is {}", query.len(), limits.max_document_bytes),
        ));
    }
    let (mut tokens, mut nesting) = (0usize, 0usize);
    // Lexical errors are skipped: the parser reports them with better messages.
    for token in Lexer::new(query).flatten() {
        match token.kind() {
            TokenKind::Whitespace | TokenKind::Comment | TokenKind::Comma | TokenKind::Eof => continue,
            TokenKind::LCurly | TokenKind::LBracket | TokenKind::LParen => {
                nesting += 1;
                if nesting > MAX_NESTING {
                    return Err(over_limit(
                        "nesting",
                        format!("the document nests braces, brackets or parentheses more than {MAX_NESTING} deep"),
                    ));
                }
            }
            TokenKind::RCurly | TokenKind::RBracket | TokenKind::RParen => nesting = nesting.saturating_sub(1),
            _ => {}
        }
        tokens += 1;
        if tokens > limits.max_tokens {
            return Err(over_limit("tokens", format!("the document has more than {} tokens", limits.max_tokens)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit_hit(query: &str, limits: &QueryLimits) -> Option<String> {
        let error = check_text(query, limits).err()?;
        Some(error.extensions.unwrap().get("limit").unwrap().to_string())
    }

    #[test]
    fn ordinary_documents_pass() {
        let query = r#"query Q($n: Int) { roles(first: $n) { slug skills { skill { name } } } } # a comment"#;
        assert_eq!(limit_hit(query, &QueryLimits::default()), None);
    }

    #[test]
    fn size_tokens_and_nesting_are_each_limited() {
        let limits = QueryLimits { max_tokens: 10, max_document_bytes: 100, ..QueryLimits::default() };
        assert_eq!(limit_hit(&"a".repeat(101), &limits).as_deref(), Some("\"documentBytes\""));
        assert_eq!(limit_hit("{ a b c d e f g h i j k }", &limits).as_deref(), Some("\"tokens\""));
        // Whitespace, commas and comments are free: only what the parser must handle counts.
        assert_eq!(limit_hit("{ a, b,  c, # d e f g h i j k l\n }", &limits), None);
        let deep = format!("{{ a(x: {}1{}) }}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert_eq!(limit_hit(&deep, &QueryLimits::default()).as_deref(), Some("\"nesting\""));
    }

    #[test]
    fn brackets_inside_strings_do_not_count_as_nesting() {
        let query = format!(r#"{{ role(slug: "{}") {{ slug }} }}"#, "[".repeat(1000));
        assert_eq!(limit_hit(&query, &QueryLimits::default()), None);
    }
}
