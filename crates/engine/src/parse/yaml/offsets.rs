//! Character positions from the YAML scanner to byte offsets.
//!
//! saphyr counts positions in characters (`Marker::index`), every character included (a BOM,
//! each half of CRLF, a lone CR). For an ASCII text a character index is a byte offset; for
//! any other text we walk from the previous conversion, which is cheap because the parser
//! reports positions almost in order.

/// Converts character indices of one text to byte offsets.
pub(super) struct CharOffsets<'t> {
    text: &'t str,
    ascii: bool,
    /// Last converted position, as (character index, byte offset).
    chars: usize,
    bytes: usize,
}

impl<'t> CharOffsets<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        CharOffsets { text, ascii: text.is_ascii(), chars: 0, bytes: 0 }
    }

    /// Byte offset of the character at `index` (the text's length past its end).
    pub(super) fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        if index >= self.chars {
            let rest = self.text.get(self.bytes..).unwrap_or("");
            match rest.char_indices().nth(index - self.chars) {
                Some((at, _)) => {
                    self.chars = index;
                    self.bytes += at;
                }
                None => {
                    // Past the end: remember the end so later positions still walk forward.
                    self.chars += rest.chars().count();
                    self.bytes = self.text.len();
                }
            }
        } else if index * 2 < self.chars {
            // Far behind the cursor: restarting from the beginning is shorter.
            self.chars = 0;
            self.bytes = 0;
            return self.byte(index);
        } else {
            let before = self.text.get(..self.bytes).unwrap_or("");
            let back = self.chars - index;
            // `back >= 1` and the cursor is past `back` characters, so this finds one.
            if let Some((at, _)) = before.char_indices().rev().nth(back - 1) {
                self.chars = index;
                self.bytes = at;
            }
        }
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_identity_and_clamped() {
        let mut c = CharOffsets::new("abc");
        assert_eq!(c.byte(2), 2);
        assert_eq!(c.byte(9), 3);
    }

    #[test]
    fn walks_both_ways_over_multibyte_text() {
        let text = "zé: ñ\u{1F600}x";
        let mut c = CharOffsets::new(text);
        let expect: Vec<usize> =
            text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect();
        for (i, b) in expect.iter().enumerate() {
            assert_eq!(c.byte(i), *b, "forward {i}");
        }
        for (i, b) in expect.iter().enumerate().rev() {
            assert_eq!(c.byte(i), *b, "backward {i}");
        }
        assert_eq!(c.byte(3), expect[3]);
        assert_eq!(c.byte(100), text.len());
        assert_eq!(c.byte(1), 1);
    }
}
