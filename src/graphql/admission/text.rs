//! The text limits on a GraphQL document (`config::QueryLimits`), checked before it is parsed, so a hostile
//! document costs the server almost nothing.
use crate::config::QueryLimits;
use crate::graphql::error::over_limit;
use apollo_parser::{Lexer, TokenKind};
use async_graphql::ServerError;

/// Nesting of braces, brackets and parentheses a document may have before it reaches the parser.
/// async-graphql's parser recurses once per level on the thread's stack, so a document of a few thousand
/// `[` would overflow the stack before any other limit could speak; 64 is the parser's own limit for
/// selection sets, so no document it would accept is refused here.
pub const MAX_NESTING: usize = 64;

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
