//! A file's text, its path relative to the scan root, and its line index.

use crate::span::{LineIndex, Location, Span};

/// One file as read from disk: text (BOM removed), relative path and line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the scan root, with `/` separators.
    pub path: String,
    /// The file's text, without a leading UTF-8 byte-order mark.
    pub text: String,
    /// Line starts of `text`.
    pub lines: LineIndex,
}

impl SourceFile {
    /// Wrap a file's text; a leading BOM is dropped so columns match what editors show.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let mut text: String = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let lines = LineIndex::new(&text);
        SourceFile { path: path.into(), text, lines }
    }

    /// Line and column of a byte offset.
    pub fn location(&self, offset: usize) -> Location {
        self.lines.location(&self.text, offset)
    }

    /// The text covered by a span (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The file name (last path component).
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}
