//! Byte spans into a source file, and the line index that turns them into line:column.

use serde::Serialize;

/// A half-open byte range `[start, end)` into a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`; an inverted range is collapsed to `start`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end: end.max(start) }
    }

    /// An empty span at `offset`.
    pub fn point(offset: usize) -> Self {
        Span { start: offset, end: offset }
    }

    /// Number of bytes covered.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Whether `offset` lies inside the span.
    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A 1-based line and a 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters (not bytes).
    pub column: usize,
}

/// Start offsets of every line of a text. `\n`, `\r\n` and a lone `\r` all end a line.
///
/// Columns count characters. So that a file of one very long line costs the same as any
/// other, a column is never found by counting from the start of its line: in ASCII text a
/// column is a byte distance, and otherwise the index keeps the number of characters before
/// every [`CHAR_BLOCK`]-th byte, so counting covers less than one block.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Whether the text is all ASCII (one byte per character).
    ascii: bool,
    /// Characters before byte `k * CHAR_BLOCK`, for each block `k` (non-ASCII text only).
    blocks: Vec<usize>,
}

/// Bytes between two checkpoints of a non-ASCII text's character count.
pub const CHAR_BLOCK: usize = 256;

/// Characters that start in `bytes` (continuation bytes of UTF-8 start none). Counting bytes
/// is exact at any offset, even in the middle of a character.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

impl LineIndex {
    /// Index the lines of `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
        starts.push(0);
        // Every file read is indexed: without carriage returns (the common case) lines end at
        // each `\n`, found with a vectorised search instead of a byte-by-byte loop.
        if memchr::memchr(b'\r', bytes).is_none() {
            starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        } else {
            for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
                if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                    starts.push(i + 1);
                }
            }
        }
        let ascii = text.is_ascii();
        let blocks = if ascii {
            Vec::new()
        } else {
            // One checkpoint per block start, the end of the text included.
            let mut blocks = Vec::with_capacity(bytes.len() / CHAR_BLOCK + 2);
            let mut count = 0;
            blocks.push(0);
            for chunk in bytes.chunks(CHAR_BLOCK) {
                count += chars_in(chunk);
                blocks.push(count);
            }
            blocks
        };
        LineIndex { starts, ascii, blocks }
    }

    /// Characters of `text` before byte `offset` (a char boundary, within the text).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        if self.ascii {
            return offset;
        }
        let bytes = text.as_bytes();
        let block = offset / CHAR_BLOCK;
        match (self.blocks.get(block), bytes.get(block * CHAR_BLOCK..offset)) {
            (Some(before), Some(rest)) => before + chars_in(rest),
            // An index built for another text (or the default one): count from the start.
            _ => bytes.get(..offset).map_or(0, chars_in),
        }
    }

    /// Number of lines (a final line without terminator counts; an empty text has one line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line number that contains `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// Byte offset where the 0-based `line` starts, if the line exists.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// Byte range of the 0-based `line`, without its terminator.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.line_start(line).unwrap_or(text.len()).min(text.len());
        let mut end = self.line_start(line + 1).unwrap_or(text.len()).min(text.len());
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// The text of the 0-based `line`, without its terminator.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let span = self.line_span(text, line);
        text.get(span.start..span.end).unwrap_or("")
    }

    /// Line and character column of a byte offset (clamped to the text, and to a char boundary).
    pub fn location(&self, text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied().unwrap_or(0).min(offset);
        let column = self.chars_before(text, offset) - self.chars_before(text, start) + 1;
        Location { line: line + 1, column }
    }

    /// Byte offset of a 1-based line and 0-based character column (clamped to the line).
    pub fn offset_of(&self, text: &str, line: usize, char_col: usize) -> usize {
        let line0 = line.saturating_sub(1);
        let span = self.line_span(text, line0);
        let line_text = text.get(span.start..span.end).unwrap_or("");
        let within = line_text.char_indices().nth(char_col).map_or(line_text.len(), |(i, _)| i);
        span.start + within
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_characters_and_all_line_endings() {
        let text = "a: é\r\nb: ü x\rc\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        let x = text.find('x').expect("x");
        assert_eq!(idx.location(text, x), Location { line: 2, column: 6 });
        let c = text.find('c').expect("c");
        assert_eq!(idx.location(text, c), Location { line: 3, column: 1 });
        assert_eq!(idx.line_text(text, 0), "a: é");
        assert_eq!(idx.line_text(text, 1), "b: ü x");
    }

    #[test]
    fn offsets_round_trip_through_characters() {
        let text = "zé: 1\nñañ: 2\n";
        let idx = LineIndex::new(text);
        let off = idx.offset_of(text, 2, 3);
        assert_eq!(&text[off..off + 1], ":");
        assert_eq!(idx.location(text, off), Location { line: 2, column: 4 });
    }

    #[test]
    fn columns_on_long_non_ascii_lines_match_a_plain_count() {
        let text = format!("x\n{}\n{}é", "aé€😀".repeat(CHAR_BLOCK), "b".repeat(CHAR_BLOCK * 3));
        let idx = LineIndex::new(&text);
        for offset in (0..=text.len()).step_by(997).chain([text.len(), text.len() - 2]) {
            if !text.is_char_boundary(offset) {
                continue;
            }
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let expected = text[line_start..offset].chars().count() + 1;
            assert_eq!(idx.location(&text, offset).column, expected, "offset {offset}");
        }
        let exact = "é".repeat(CHAR_BLOCK);
        assert_eq!(LineIndex::new(&exact).location(&exact, exact.len()).column, CHAR_BLOCK + 1);
        let ascii = "a".repeat(10 * CHAR_BLOCK);
        let idx = LineIndex::new(&ascii);
        assert_eq!(idx.location(&ascii, 9 * CHAR_BLOCK + 7).column, 9 * CHAR_BLOCK + 8);
        let stale = LineIndex::default();
        assert_eq!(stale.location("éa", 2).column, 2, "an index of no text still counts right");
    }

    #[test]
    fn newline_only_texts_index_as_with_carriage_returns() {
        // The `\n`-only fast path and the general loop give the same line starts.
        for text in ["", "a", "\n", "a\nb", "a\nb\n", "\n\nx\n\n", "é\nñ\n"] {
            let fast = LineIndex::new(text);
            let crlf = text.replace('\n', "\r\n");
            let general = LineIndex::new(&crlf);
            assert_eq!(fast.line_count(), general.line_count(), "{text:?}");
            for line in 0..fast.line_count() {
                assert_eq!(fast.line_text(text, line), general.line_text(&crlf, line), "{text:?}");
            }
        }
        assert_eq!(LineIndex::new("a\nb\n").line_count(), 3);
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let text = "ab";
        let idx = LineIndex::new(text);
        assert_eq!(idx.location(text, 99), Location { line: 1, column: 3 });
    }
}
