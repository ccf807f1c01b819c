//! `.env` files into entries with spans.
//!
//! The syntax accepted is the common ground of docker compose, dotenv libraries and shells:
//!
//! - `KEY=value`, optionally prefixed by `export `; blanks around `=` are allowed.
//! - Keys start with an ASCII letter or `_`, then letters, digits, `_`, `.` or `-`.
//! - Unquoted values run to the end of the line; a `#` preceded by a blank starts a comment
//!   (`KEY=a#b` keeps `a#b`); trailing blanks are dropped. An empty value is allowed.
//! - Single-quoted values are literal and may span lines.
//! - Double-quoted values may span lines and understand `\n`, `\r`, `\t`, `\"`, `\\` and
//!   `\$`; any other backslash is kept as written.
//! - After a closing quote only blanks and a `# comment` may follow.
//! - Comment lines (`# ...`, indented or not) and blank lines are kept / skipped; comments,
//!   inline ones included, are returned with their spans (suppressions live there).
//! - `\r\n` and a lone `\r` end lines like `\n`; line breaks inside quoted values are
//!   normalised to `\n`.
//!
//! **Invalid lines.** A line without `=`, a key with characters outside the set above, an
//! unterminated quote or text after a closing quote is a [`ParseError`] located at the
//! offending text, and the whole file is reported as unparsable. Skipping bad lines silently
//! would hide entries (and the secrets in them) from every rule; one located error is both
//! safer and what docker compose does (it refuses such a file).
//!
//! ```
//! let f = trustlint_engine::parse::dotenv::parse("export DB_URL = \"postgres://db/app\" # prod\n").unwrap();
//! assert_eq!(f.entries[0].key, "DB_URL");
//! assert_eq!(f.entries[0].value, "postgres://db/app");
//! assert_eq!(f.comments[0].text, "prod");
//! ```

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
    /// Bytes of the value as written (quotes included); an empty point after `=` when the
    /// value is empty.
    pub value_span: Span,
    /// The whole entry (from `export` or the key to the end of the value).
    pub span: Span,
}

/// Parse a dotenv file.
pub fn parse(text: &str) -> Result<DotenvFile, ParseError> {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut scanner = Scanner { text, pos: start, out: DotenvFile::default() };
    scanner.file()?;
    Ok(scanner.out)
}

struct Scanner<'t> {
    text: &'t str,
    pos: usize,
    out: DotenvFile,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

impl<'t> Scanner<'t> {
    fn rest(&self) -> &'t str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_blanks(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches(is_blank).len();
    }

    /// Offset of the end of the current line (before its terminator).
    fn line_end(&self) -> usize {
        self.pos + self.rest().find(['\n', '\r']).unwrap_or(self.rest().len())
    }

    /// Step over a line terminator if one is here.
    fn eat_newline(&mut self) {
        if self.rest().starts_with("\r\n") {
            self.pos += 2;
        } else if self.rest().starts_with(['\n', '\r']) {
            self.pos += 1;
        }
    }

    fn at_line_end(&self) -> bool {
        matches!(self.peek(), None | Some('\n' | '\r'))
    }

    fn comment(&mut self) {
        let end = self.line_end();
        let raw = self.text.get(self.pos..end).unwrap_or("");
        let text = raw.strip_prefix('#').unwrap_or(raw).trim().to_string();
        let span = Span::new(self.pos, self.pos + raw.trim_end().len());
        self.out.comments.push(Comment { span, text });
        self.pos = end;
    }

    fn file(&mut self) -> Result<(), ParseError> {
        while self.pos < self.text.len() {
            self.skip_blanks();
            match self.peek() {
                None => break,
                Some('\n' | '\r') => {}
                Some('#') => self.comment(),
                Some(_) => self.entry()?,
            }
            self.eat_newline();
        }
        Ok(())
    }

    fn entry(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        if let Some(after) = self.rest().strip_prefix("export")
            && after.starts_with(is_blank)
        {
            self.pos += "export".len();
            self.skip_blanks();
        }
        let key_start = self.pos;
        let key_len = self.rest().find(|c: char| !is_key_char(c)).unwrap_or(self.rest().len());
        let key = self.rest().get(..key_len).unwrap_or("");
        let line_end = self.line_end();
        if !key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            let found = self.peek().unwrap_or(' ');
            return Err(ParseError::new(
                format!("expected a variable name (a letter or `_`), found `{found}`"),
                Span::new(key_start, key_start + found.len_utf8()),
            ));
        }
        self.pos += key_len;
        let key_span = Span::new(key_start, self.pos);
        let key = key.to_string();
        self.skip_blanks();
        match self.peek() {
            Some('=') => self.pos += 1,
            None | Some('\n' | '\r') => {
                return Err(ParseError::new(
                    format!("expected `=` after `{key}`: a line must be `KEY=value`"),
                    Span::new(start, line_end),
                ));
            }
            Some(c) => {
                let at = self.pos;
                return Err(ParseError::new(
                    format!("invalid character `{c}` in variable name `{key}`"),
                    Span::new(at, at + c.len_utf8()),
                ));
            }
        }
        let after_eq = self.pos;
        self.skip_blanks();
        let (value, value_span) = match self.peek() {
            Some(q @ ('\'' | '"')) => {
                let quoted = self.quoted(q)?;
                self.skip_blanks();
                match self.peek() {
                    Some('#') => self.comment(),
                    _ if self.at_line_end() => {}
                    _ => {
                        let end = self.line_end();
                        return Err(ParseError::new(
                            "unexpected text after the closing quote",
                            Span::new(self.pos, end),
                        ));
                    }
                }
                quoted
            }
            _ => self.unquoted(after_eq),
        };
        self.out.entries.push(DotenvEntry {
            key,
            key_span,
            value,
            value_span,
            span: Span::new(start, value_span.end.max(after_eq)),
        });
        Ok(())
    }

    /// An unquoted value up to the end of the line or an inline comment.
    fn unquoted(&mut self, after_eq: usize) -> (String, Span) {
        let end = self.line_end();
        let line = self.text.get(self.pos..end).unwrap_or("");
        let mut value_len = line.len();
        let mut prev_blank = true;
        for (i, c) in line.char_indices() {
            if c == '#' && prev_blank {
                value_len = i;
                break;
            }
            prev_blank = is_blank(c);
        }
        let value = line.get(..value_len).unwrap_or("").trim_end_matches(is_blank);
        let span = if value.is_empty() {
            Span::point(after_eq)
        } else {
            Span::new(self.pos, self.pos + value.len())
        };
        let value = value.to_string();
        self.pos += value_len;
        if value_len < line.len() {
            self.comment();
        } else {
            self.pos = end;
        }
        (value, span)
    }

    /// A quoted value starting at the opening quote `q`.
    fn quoted(&mut self, q: char) -> Result<(String, Span), ParseError> {
        let open = self.pos;
        let mut value = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == q => {
                    self.pos = open + i + 1;
                    return Ok((value, Span::new(open, self.pos)));
                }
                '\r' => {
                    value.push('\n');
                    if self.rest().get(i + 1..).is_some_and(|r| r.starts_with('\n')) {
                        chars.next();
                    }
                }
                '\\' if q == '"' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 'r')) => value.push('\r'),
                    Some((_, 't')) => value.push('\t'),
                    Some((_, e @ ('"' | '\\' | '$'))) => value.push(e),
                    Some((_, other)) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => value.push('\\'),
                },
                c => value.push(c),
            }
        }
        Err(ParseError::new(
            format!(
                "unterminated {} quote: no closing {q} before the end of the file",
                if q == '"' { "double" } else { "single" }
            ),
            Span::new(open, open + 1),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LineIndex, Location};

    fn parse_ok(text: &str) -> DotenvFile {
        match parse(text) {
            Ok(f) => f,
            Err(e) => panic!("parse failed: {e} at {:?}", e.span),
        }
    }

    fn loc(text: &str, offset: usize) -> (usize, usize) {
        let Location { line, column } = LineIndex::new(text).location(text, offset);
        (line, column)
    }

    fn pairs(f: &DotenvFile) -> Vec<(&str, &str)> {
        f.entries.iter().map(|e| (e.key.as_str(), e.value.as_str())).collect()
    }

    #[test]
    fn plain_exported_and_spaced_entries() {
        let text = "A=1\nexport B=two words\n  C = 3  \nexport=4\nD.E-F_G=x\n";
        let f = parse_ok(text);
        assert_eq!(
            pairs(&f),
            vec![("A", "1"), ("B", "two words"), ("C", "3"), ("export", "4"), ("D.E-F_G", "x")]
        );
        let b = &f.entries[1];
        assert_eq!(&text[b.span.start..b.span.end], "export B=two words");
        assert_eq!(loc(text, b.key_span.start), (2, 8));
        let c = &f.entries[2];
        assert_eq!(loc(text, c.key_span.start), (3, 3));
        assert_eq!(&text[c.value_span.start..c.value_span.end], "3");
        assert_eq!(loc(text, c.value_span.start), (3, 7));
    }

    #[test]
    fn quoted_values() {
        let text = "S='lit $HOME \\n # not comment'\nD=\"a\\\"b\\\\c\\nd\\$e\\qf\" # trailing\nE=''\n";
        let f = parse_ok(text);
        assert_eq!(
            pairs(&f),
            vec![("S", "lit $HOME \\n # not comment"), ("D", "a\"b\\c\nd$e\\qf"), ("E", "")]
        );
        assert_eq!(f.comments.len(), 1);
        assert_eq!(f.comments[0].text, "trailing");
        let d = &f.entries[1];
        assert_eq!(&text[d.value_span.start..d.value_span.end], "\"a\\\"b\\\\c\\nd\\$e\\qf\"");
        assert_eq!(loc(text, f.comments[0].span.start), (2, 22));
    }

    #[test]
    fn multi_line_double_quoted_value() {
        let text = "KEY=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nNEXT=1\n";
        let f = parse_ok(text);
        assert_eq!(pairs(&f), vec![("KEY", "-----BEGIN KEY-----\nabc\n-----END KEY-----"), ("NEXT", "1")]);
        assert_eq!(loc(text, f.entries[0].value_span.end), (3, 19));
        assert_eq!(loc(text, f.entries[1].span.start), (4, 1));
    }

    #[test]
    fn unquoted_with_comments_and_empty_values() {
        let text = "# header\n\nA=abc#def\nB=abc # note  \nC=\nD= # only a comment\n   # indented\n";
        let f = parse_ok(text);
        assert_eq!(pairs(&f), vec![("A", "abc#def"), ("B", "abc"), ("C", ""), ("D", "")]);
        let texts: Vec<&str> = f.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["header", "note", "only a comment", "indented"]);
        let c = &f.entries[2];
        assert_eq!(c.value_span, Span::point(text.find("C=").unwrap_or(0) + 2));
        assert_eq!(&text[c.span.start..c.span.end], "C=");
        assert_eq!(loc(text, f.comments[3].span.start), (7, 4));
        assert_eq!(&text[f.comments[1].span.start..f.comments[1].span.end], "# note");
    }

    #[test]
    fn crlf_and_non_ascii() {
        let text = "NAME=zoë\r\nMSG=\"héllo\r\nwörld\"\r\nX=1";
        let f = parse_ok(text);
        assert_eq!(pairs(&f), vec![("NAME", "zoë"), ("MSG", "héllo\nwörld"), ("X", "1")]);
        assert_eq!(loc(text, f.entries[0].value_span.end), (1, 9));
        assert_eq!(loc(text, f.entries[1].value_span.end), (3, 7));
        assert_eq!(loc(text, f.entries[2].key_span.start), (4, 1));
    }

    #[test]
    fn line_without_equals_is_located() {
        let text = "A=1\nJUST_A_WORD\n";
        let err = parse(text).unwrap_err();
        assert!(err.message.contains("KEY=value"), "{}", err.message);
        assert_eq!(loc(text, err.span.start), (2, 1));
        assert_eq!(&text[err.span.start..err.span.end], "JUST_A_WORD");
    }

    #[test]
    fn bad_key_characters_are_located() {
        let text = "A=1\nMY KEY=2\n";
        let err = parse(text).unwrap_err();
        assert_eq!(loc(text, err.span.start), (2, 4));
        let text = "A=1\n  1ABC=2\n";
        let err = parse(text).unwrap_err();
        assert_eq!(loc(text, err.span.start), (2, 3));
        let text = "KÉY=1\n";
        let err = parse(text).unwrap_err();
        assert_eq!(loc(text, err.span.start), (1, 2));
    }

    #[test]
    fn unterminated_quote_and_trailing_text_are_located() {
        let text = "A=1\nB=\"open\nC=2\n";
        let err = parse(text).unwrap_err();
        assert!(err.message.contains("unterminated"), "{}", err.message);
        assert_eq!(loc(text, err.span.start), (2, 3));
        let text = "A='x' y\n";
        let err = parse(text).unwrap_err();
        assert_eq!(loc(text, err.span.start), (1, 7));
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert!(parse_ok("").entries.is_empty());
        let f = parse_ok("\u{feff}# only\n\n\r\n");
        assert!(f.entries.is_empty());
        assert_eq!(f.comments.len(), 1);
        assert_eq!(f.comments[0].span.start, 3);
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        for text in ["=", "export", "export ", "export =1", "A=\"\\", "A='", "\r", "A=\"x\"\r", "é"] {
            let _ = parse(text);
        }
        assert!(parse("export X").is_err());
        assert_eq!(pairs(&parse_ok("A=\"x\"\r")), vec![("A", "x")]);
    }

    #[test]
    fn every_prefix_and_random_mixes_parse_without_panicking() {
        let sample = "# c\nexport A = \"x\\\"y\r\nz\" # t\nB='l\nm'\nC=v # w\nD=\n";
        for (i, _) in sample.char_indices() {
            let _ = parse(&sample[..i]);
        }
        let alphabet: Vec<char> = "AB_=#\"'\\ \t\n\rexport é".chars().collect();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let len = (state >> 40) as usize % 40;
            let mut text = String::new();
            for _ in 0..len {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                text.push(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            match parse(&text) {
                Ok(f) => {
                    for e in &f.entries {
                        assert!(
                            e.span.end <= text.len() && text.is_char_boundary(e.value_span.end),
                            "{text:?}"
                        );
                    }
                }
                Err(e) => assert!(e.span.end <= text.len(), "{text:?}"),
            }
        }
    }
}
