//! Dockerfiles into instructions with spans (stub: replaced by the real parser).

use super::ParseError;
use crate::{Comment, Span};

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    /// Instructions in order.
    pub instructions: Vec<Instruction>,
    /// Comments (not parser directives), in order.
    pub comments: Vec<Comment>,
    /// Parser directives (`# syntax=...`, `# escape=...`), lowercased name and value.
    pub directives: Vec<(String, String)>,
}

/// One instruction, continuation lines and heredocs included.
#[derive(Debug, Clone)]
pub struct Instruction {
    /// The keyword, uppercased (`RUN`).
    pub keyword: String,
    /// Bytes of the keyword.
    pub keyword_span: Span,
    /// The whole instruction, continuations and heredoc bodies included.
    pub span: Span,
    /// `--name=value` flags before the arguments.
    pub flags: Vec<Flag>,
    /// The arguments.
    pub args: Args,
    /// Heredoc bodies (`RUN <<EOF ... EOF`).
    pub heredocs: Vec<Heredoc>,
}

/// A `--name[=value]` flag.
#[derive(Debug, Clone)]
pub struct Flag {
    /// Name without dashes.
    pub name: String,
    /// Value after `=`, if any.
    pub value: Option<String>,
    /// Bytes of the flag.
    pub span: Span,
}

/// Instruction arguments.
#[derive(Debug, Clone)]
pub enum Args {
    /// Shell form: the text with line continuations removed, and the span it came from.
    Shell {
        /// The joined text.
        text: String,
        /// Bytes of the arguments in the file.
        span: Span,
    },
    /// Exec (JSON array) form: the items and their spans.
    Exec {
        /// Each array item, unescaped, with its span.
        items: Vec<(String, Span)>,
        /// Bytes of the whole array.
        span: Span,
    },
}

/// A heredoc attached to an instruction.
#[derive(Debug, Clone)]
pub struct Heredoc {
    /// The delimiter word.
    pub delimiter: String,
    /// The body text.
    pub body: String,
    /// Bytes of the body.
    pub span: Span,
}

/// Parse a Dockerfile.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    let _ = text;
    Ok(Dockerfile::default())
}
