//! `.env` files into entries with spans (stub: replaced by the real parser).

use super::ParseError;
use crate::{Comment, Span};

/// A parsed dotenv file.
#[derive(Debug, Clone, Default)]
pub struct DotenvFile {
    /// Entries in order.
    pub entries: Vec<DotenvEntry>,
    /// Comments, in order.
    pub comments: Vec<Comment>,
}

/// `KEY=value`.
#[derive(Debug, Clone)]
pub struct DotenvEntry {
    /// The variable name.
    pub key: String,
    /// Bytes of the name.
    pub key_span: Span,
    /// The value, unquoted and unescaped.
    pub value: String,
    /// Bytes of the value as written (quotes included).
    pub value_span: Span,
    /// The whole entry.
    pub span: Span,
}

/// Parse a dotenv file.
pub fn parse(text: &str) -> Result<DotenvFile, ParseError> {
    let _ = text;
    Ok(DotenvFile::default())
}
