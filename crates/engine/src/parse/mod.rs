//! Parsers from source text to spanned structures, one module per syntax.
//!
//! Every parser is total: it returns a value or a located [`ParseError`], never panics, and
//! bounds its recursion so hostile input cannot overflow the stack.

pub mod dockerfile;
pub mod dotenv;
pub mod hcl;
pub mod json;
pub mod yaml;

use crate::Span;

/// Deepest nesting of collections any parser accepts before it reports an error.
pub const MAX_DEPTH: usize = 256;

/// A syntax error with where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What is wrong, in the parser's words.
    pub message: String,
    /// Where it is wrong (often a point).
    pub span: Span,
}

impl ParseError {
    /// A parse error at a span.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        ParseError { message: message.into(), span }
    }
}
