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

/// Deepest nesting of collections any parser accepts before it reports an error. It protects
/// the stack of the recursive steps after parsing, so a configuration can lower it but not
/// raise it.
pub const MAX_DEPTH: usize = 256;

thread_local! {
    static DEPTH_LIMIT: std::cell::Cell<usize> = const { std::cell::Cell::new(MAX_DEPTH) };
}

/// The nesting the parsers accept on this thread: [`MAX_DEPTH`], unless [`with_depth_limit`]
/// lowers it.
pub fn depth_limit() -> usize {
    DEPTH_LIMIT.with(std::cell::Cell::get)
}

/// Run `parse` with the parsers of this thread refusing nesting deeper than `limit` (between
/// 1 and [`MAX_DEPTH`]); the previous limit is restored afterwards, even on a panic.
pub fn with_depth_limit<T>(limit: usize, parse: impl FnOnce() -> T) -> T {
    struct Restore(usize);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEPTH_LIMIT.with(|cell| cell.set(self.0));
        }
    }
    let _restore = Restore(DEPTH_LIMIT.with(|cell| cell.replace(limit.clamp(1, MAX_DEPTH))));
    parse()
}

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
