//! Dockerfiles into instructions with spans.
//!
//! The parser follows BuildKit's Dockerfile frontend, which is what `docker build` runs:
//!
//! - **Parser directives** (`# syntax=...`, `# escape=...`, `# check=...`) are read only from
//!   the leading lines of the file. The first line that is not a directive (a blank line, any
//!   other comment, an instruction) ends them; later directive-looking lines are comments. A
//!   repeated directive and an `escape` other than `` ` `` or `\` are errors, as in Docker.
//! - **Comments** are lines whose first non-blank character is `#`. Docker drops comment lines
//!   inside a continued instruction; they are kept here in [`Dockerfile::comments`], because
//!   suppressions live in comments.
//! - **Line continuations**: the escape character (default `\`), possibly followed by blanks,
//!   at the end of a line joins the next line. Continuation lines keep their leading blanks,
//!   and blank continuation lines are skipped (Docker warns, but builds).
//! - **Flags** (`--mount=type=cache,target=/x`, `--from=builder`, `--link`) are taken from the
//!   front of the arguments of every instruction, as `extractBuilderFlags` does: quotes in a
//!   flag are removed, a backslash escapes the next character, `--` ends the flags.
//! - **Exec form**: for `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`, `COPY`, `ADD` and `VOLUME`,
//!   arguments that are a JSON array of strings become [`Args::Exec`]. Text that is not valid
//!   JSON falls back to the shell form, as in Docker; a valid JSON array with a non-string
//!   element is an error, as in Docker.
//! - **Heredocs** (`RUN <<EOF`, `<<-EOF`, `<<"EOF"`, `COPY <<a <<b /dst`) on `RUN`, `COPY` and
//!   `ADD` in shell form: the bodies follow the instruction's last line, one after another.
//!   `<<-` strips leading tabs from the body and the terminator line. A body with no
//!   terminator is an error located at its `<<WORD`.
//! - **Keywords** are case-insensitive and stored uppercased. Unknown keywords are kept as
//!   instructions (Docker fails at build time; a linter reports instead of stopping). A line
//!   that does not start with a word of letters, digits and `_` (for example the `&& ...`
//!   left behind by a forgotten continuation) is an error.
//! - `\n`, `\r\n` and a lone `\r` all end a line, like [`crate::LineIndex`].
//!
//! ```
//! use trustlint_engine::parse::dockerfile::{parse, Args};
//! let df = parse("FROM alpine:3.20 AS base\nRUN --mount=type=cache,target=/var/cache/apk \\\n    apk add curl\n").unwrap();
//! assert_eq!(df.instructions[1].keyword, "RUN");
//! assert_eq!(df.instructions[1].flags[0].value.as_deref(), Some("type=cache,target=/var/cache/apk"));
//! assert!(matches!(&df.instructions[1].args, Args::Shell { text, .. } if text == "apk add curl"));
//! ```

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
    /// The build stages, worked out once on first use (see
    /// [`crate::model::dockerfile::stages_of`]): every rule asks for them for every stage.
    pub(crate) stages: std::sync::OnceLock<Vec<crate::model::dockerfile::Stage>>,
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
    /// From the keyword to the end of the keyword's line (trailing blanks excluded): where
    /// to point at an instruction without underlining its continuation lines.
    pub first_line: Span,
    /// `--name=value` flags before the arguments.
    pub flags: Vec<Flag>,
    /// The arguments.
    pub args: Args,
    /// Heredoc bodies (`RUN <<EOF ... EOF`).
    pub heredocs: Vec<Heredoc>,
}

impl Instruction {
    /// The first flag called `name` (`from` for `--from=builder`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }
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
        /// Each array item, unescaped, with the span of its string literal (quotes included).
        items: Vec<(String, Span)>,
        /// Bytes of the whole array.
        span: Span,
    },
}

impl Args {
    /// Bytes of the arguments in the file.
    pub fn span(&self) -> Span {
        match self {
            Args::Shell { span, .. } | Args::Exec { span, .. } => *span,
        }
    }

    /// The text of shell-form arguments.
    pub fn shell_text(&self) -> Option<&str> {
        match self {
            Args::Shell { text, .. } => Some(text),
            Args::Exec { .. } => None,
        }
    }
}

/// A heredoc attached to an instruction.
#[derive(Debug, Clone)]
pub struct Heredoc {
    /// The delimiter word.
    pub delimiter: String,
    /// The body text (each line ends with `\n`; leading tabs removed for `<<-`).
    pub body: String,
    /// Bytes of the body (from its first line to the end of its last, without the final line
    /// break; an empty point before the terminator when the body is empty).
    pub span: Span,
    /// Bytes of the `<<WORD` in the instruction.
    pub word_span: Span,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// The delimiter was quoted (`<<"EOF"`, `<<'EOF'`): the body is not expanded.
    pub quoted: bool,
}

/// Parse a Dockerfile.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut parser =
        Parser { text, lines: split_lines(text, start), next: 0, escape: '\\', out: Dockerfile::default() };
    parser.directives()?;
    parser.body()?;
    Ok(parser.out)
}

/// Instructions whose arguments may be a JSON array.
const EXEC_KEYWORDS: [&str; 7] = ["RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"];

/// Instructions that take heredocs.
const HEREDOC_KEYWORDS: [&str; 3] = ["RUN", "COPY", "ADD"];

/// The parser directives Docker knows; any other `# name=value` ends the directives.
const DIRECTIVES: [&str; 3] = ["syntax", "escape", "check"];

/// A line's content, terminator excluded.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

fn split_lines(text: &str, from: usize) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::with_capacity(bytes.len() / 40 + 1);
    let mut start = from;
    let mut i = from;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'\n') => {
                lines.push(Line { start, end: i });
                start = i + 1;
            }
            Some(b'\r') => {
                lines.push(Line { start, end: i });
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(Line { start, end: bytes.len() });
    }
    lines
}

/// A piece of the joined instruction text and where it came from in the file.
#[derive(Debug, Clone, Copy)]
struct Segment {
    joined: usize,
    file: usize,
    len: usize,
}

/// An instruction's lines joined into one, with the map back to file offsets.
#[derive(Debug, Default)]
struct Logical {
    text: String,
    segments: Vec<Segment>,
}

impl Logical {
    fn push(&mut self, piece: &str, file: usize) {
        if piece.is_empty() {
            return;
        }
        self.segments.push(Segment { joined: self.text.len(), file, len: piece.len() });
        self.text.push_str(piece);
    }

    /// File offset of the byte at joined offset `at` (the start of a range).
    fn start_of(&self, at: usize) -> usize {
        let idx = self.segments.partition_point(|s| s.joined + s.len <= at);
        match self.segments.get(idx) {
            Some(seg) if seg.joined <= at => seg.file + (at - seg.joined),
            _ => self.end_of(at),
        }
    }

    /// File offset just after the byte before joined offset `at` (the end of a range).
    fn end_of(&self, at: usize) -> usize {
        let idx = self.segments.partition_point(|s| s.joined + s.len < at);
        match self.segments.get(idx) {
            Some(seg) if seg.joined < at || at == 0 => seg.file + at.saturating_sub(seg.joined),
            _ => self.segments.last().map_or(0, |s| s.file + s.len),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        if start >= end {
            Span::point(self.start_of(start))
        } else {
            Span::new(self.start_of(start), self.end_of(end))
        }
    }
}

struct Parser<'t> {
    text: &'t str,
    lines: Vec<Line>,
    next: usize,
    escape: char,
    out: Dockerfile,
}

impl<'t> Parser<'t> {
    fn line_text(&self, line: Line) -> &'t str {
        self.text.get(line.start..line.end).unwrap_or("")
    }

    /// Read the leading parser directives.
    fn directives(&mut self) -> Result<(), ParseError> {
        while let Some(&line) = self.lines.get(self.next) {
            let content = self.line_text(line);
            let Some((name, value)) = directive(content.trim_start()) else { return Ok(()) };
            let at = Span::new(line.start + (content.len() - content.trim_start().len()), line.end);
            if self.out.directives.iter().any(|(seen, _)| *seen == name) {
                return Err(ParseError::new(format!("only one `{name}` parser directive can be used"), at));
            }
            if name == "escape" {
                self.escape = match value.as_str() {
                    "\\" => '\\',
                    "`" => '`',
                    _ => {
                        return Err(ParseError::new(
                            format!("invalid escape character `{value}`: must be ` or \\"),
                            at,
                        ));
                    }
                };
            }
            self.out.directives.push((name, value));
            self.next += 1;
        }
        Ok(())
    }

    fn body(&mut self) -> Result<(), ParseError> {
        while let Some(&line) = self.lines.get(self.next) {
            self.next += 1;
            let content = self.line_text(line);
            let trimmed = content.trim_start();
            if trimmed.is_empty() {
                continue;
            }
            let lead = content.len() - trimmed.len();
            if trimmed.starts_with('#') {
                self.comment(line.start + lead, line.end);
                continue;
            }
            self.instruction(line, lead)?;
        }
        Ok(())
    }

    fn comment(&mut self, start: usize, end: usize) {
        let raw = self.text.get(start..end).unwrap_or("");
        let text = raw.strip_prefix('#').unwrap_or(raw).trim().to_string();
        let end = start + raw.trim_end().len();
        self.out.comments.push(Comment { span: Span::new(start, end), text });
    }

    /// Strip a trailing escape character (and the blanks after it); report whether it was there.
    fn continued<'s>(&self, piece: &'s str) -> (&'s str, bool) {
        let trimmed = piece.trim_end_matches([' ', '\t']);
        match trimmed.strip_suffix(self.escape) {
            Some(rest) => (rest, true),
            None => (piece, false),
        }
    }

    fn instruction(&mut self, first: Line, lead: usize) -> Result<(), ParseError> {
        let mut logical = Logical::default();
        let first_text = self.line_text(first).get(lead..).unwrap_or("");
        let (piece, mut more) = self.continued(first_text);
        logical.push(piece, first.start + lead);
        let mut last_end = first.start + lead + first_text.trim_end().len();
        while more {
            let Some(&line) = self.lines.get(self.next) else { break };
            self.next += 1;
            let content = self.line_text(line);
            let trimmed = content.trim_start();
            if trimmed.starts_with('#') {
                // Docker drops comment lines inside a continued instruction; we keep them.
                self.comment(line.start + (content.len() - trimmed.len()), line.end);
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
            let (piece, again) = self.continued(content);
            logical.push(piece, line.start);
            last_end = line.start + content.trim_end().len();
            more = again;
        }
        let joined = logical.text.as_str();
        let kw_start = joined.len() - joined.trim_start().len();
        if kw_start == joined.len() {
            // Only continuation characters: there is no instruction here.
            return Ok(());
        }
        let from_kw = joined.get(kw_start..).unwrap_or("");
        let kw_end = kw_start + from_kw.find(char::is_whitespace).unwrap_or(from_kw.len());
        let word = joined.get(kw_start..kw_end).unwrap_or("");
        let keyword_span = logical.span(kw_start, kw_end);
        let valid = word.starts_with(|c: char| c.is_ascii_alphabetic())
            && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(ParseError::new(
                format!("expected an instruction keyword, found `{word}` (a missing line continuation?)"),
                keyword_span,
            ));
        }
        let keyword = word.to_ascii_uppercase();
        let (raw_flags, args_from) = extract_flags(joined, kw_end);
        let flags = raw_flags
            .into_iter()
            .map(|f| {
                let body = f.word.strip_prefix("--").unwrap_or(&f.word);
                let (name, value) = match body.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (body.to_string(), None),
                };
                Flag { name, value, span: logical.span(f.start, f.end) }
            })
            .collect();
        let rest = joined.get(args_from..).unwrap_or("");
        let a_start = args_from + (rest.len() - rest.trim_start().len());
        let a_end = args_from + rest.trim_end().len();
        let args_text = joined.get(a_start..a_end.max(a_start)).unwrap_or("");
        let args_span = logical.span(a_start, a_end);
        let mut args = Args::Shell { text: args_text.to_string(), span: args_span };
        if EXEC_KEYWORDS.contains(&keyword.as_str()) && args_text.starts_with('[') {
            match json_string_array(args_text) {
                JsonArray::Strings(items) => {
                    let items = items
                        .into_iter()
                        .map(|(value, s, e)| (value, logical.span(a_start + s, a_start + e)))
                        .collect();
                    args = Args::Exec { items, span: args_span };
                }
                JsonArray::NotStrings => {
                    return Err(ParseError::new(
                        format!("{keyword} arguments are a JSON array whose items are not all strings"),
                        args_span,
                    ));
                }
                JsonArray::Invalid => {}
            }
        }
        let mut end = last_end;
        let mut heredocs = Vec::new();
        if HEREDOC_KEYWORDS.contains(&keyword.as_str()) && matches!(args, Args::Shell { .. }) {
            for (s, e) in raw_words(args_text) {
                let Some(marker) = args_text.get(s..e).and_then(heredoc_marker) else { continue };
                let word_span = logical.span(a_start + s, a_start + e);
                let heredoc = self.heredoc_body(marker, word_span)?;
                end = end.max(heredoc.1);
                heredocs.push(heredoc.0);
            }
        }
        let kw_file = keyword_span.start;
        let line_rest = self.text.get(kw_file..).unwrap_or("");
        let line_len = line_rest.find(['\n', '\r']).unwrap_or(line_rest.len());
        let first_line_text = line_rest.get(..line_len).unwrap_or("").trim_end();
        self.out.instructions.push(Instruction {
            keyword,
            keyword_span,
            span: Span::new(kw_file, end),
            first_line: Span::new(kw_file, kw_file + first_line_text.len()),
            flags,
            args,
            heredocs,
        });
        Ok(())
    }

    /// Read a heredoc body from the next lines; returns it and the end of its terminator.
    fn heredoc_body(&mut self, marker: Marker, word_span: Span) -> Result<(Heredoc, usize), ParseError> {
        let mut body = String::new();
        let mut span: Option<Span> = None;
        while let Some(&line) = self.lines.get(self.next) {
            self.next += 1;
            let content = self.line_text(line);
            let content = if marker.chomp { content.trim_start_matches('\t') } else { content };
            if content == marker.delimiter {
                let span = span.unwrap_or(Span::point(line.start));
                let heredoc = Heredoc {
                    delimiter: marker.delimiter,
                    body,
                    span,
                    word_span,
                    chomp: marker.chomp,
                    quoted: marker.quoted,
                };
                return Ok((heredoc, line.end));
            }
            body.push_str(content);
            body.push('\n');
            span = Some(
                span.map_or(Span::new(line.start, line.end), |s| s.cover(Span::new(line.start, line.end))),
            );
        }
        Err(ParseError::new(
            format!(
                "unterminated heredoc: no line `{}` closes it before the end of the file",
                marker.delimiter
            ),
            word_span,
        ))
    }
}

/// `# name=value` with a known directive name: the lowercased name and the value.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start_matches([' ', '\t']);
    let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
    let name = rest.get(..name_len)?;
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let rest = rest.get(name_len..)?.trim_start_matches([' ', '\t']);
    let value = rest.strip_prefix('=')?.trim_matches([' ', '\t']);
    let name = name.to_ascii_lowercase();
    if value.is_empty() || !DIRECTIVES.contains(&name.as_str()) {
        return None;
    }
    Some((name, value.to_string()))
}

/// A flag word as BuildKit reads it: quotes removed, backslash escapes applied.
struct RawFlag {
    word: String,
    start: usize,
    end: usize,
}

/// The `--flags` at the front of `line[from..]`, and where the arguments start.
fn extract_flags(line: &str, from: usize) -> (Vec<RawFlag>, usize) {
    let mut flags = Vec::new();
    let mut pos = from;
    loop {
        let rest = line.get(pos..).unwrap_or("");
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        if trimmed.is_empty() || !trimmed.starts_with("--") {
            return (flags, pos);
        }
        let start = pos;
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut quoted = false;
        let mut chars = trimmed.char_indices();
        let mut end = line.len();
        while let Some((i, c)) = chars.next() {
            match quote {
                None if c.is_whitespace() => {
                    end = start + i;
                    break;
                }
                None if c == '\'' || c == '"' => {
                    quote = Some(c);
                    quoted = true;
                }
                Some(q) if c == q => quote = None,
                _ if c == '\\' => {
                    if let Some((_, next)) = chars.next() {
                        word.push(next);
                    }
                }
                _ => word.push(c),
            }
        }
        pos = end;
        if word == "--" {
            return (flags, pos);
        }
        if quoted || !word.is_empty() {
            flags.push(RawFlag { word, start, end });
        }
    }
}

/// Byte ranges of the shell words of `s`, quotes and escapes kept as written.
pub(crate) fn raw_words(s: &str) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(st) = start.take() {
                words.push((st, i));
            }
            continue;
        }
        start.get_or_insert(i);
        match quote {
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            Some('\'') => {}
            _ if c == '\\' => {
                chars.next();
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        words.push((st, s.len()));
    }
    words
}

/// What a `<<WORD` says about its heredoc.
struct Marker {
    delimiter: String,
    chomp: bool,
    quoted: bool,
}

/// A word matching BuildKit's `^(\d*)<<(-?)([^<]*)$` with a one-word delimiter.
fn heredoc_marker(word: &str) -> Option<Marker> {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit()).strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let mut delimiter = String::new();
    let mut quoted = false;
    let mut quote: Option<char> = None;
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => delimiter.extend(chars.next()),
            Some(_) => delimiter.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                quoted = true;
            }
            None if c == '\\' => {
                quoted = true;
                delimiter.extend(chars.next());
            }
            None => delimiter.push(c),
        }
    }
    if quote.is_some() || delimiter.is_empty() {
        return None;
    }
    Some(Marker { delimiter, chomp, quoted })
}

/// How a `[...]` argument reads as JSON.
enum JsonArray {
    /// An array of strings: each value with its literal's byte range.
    Strings(Vec<(String, usize, usize)>),
    /// Valid JSON, but not an array of strings.
    NotStrings,
    /// Not JSON at all: the shell form applies.
    Invalid,
}

fn json_string_array(s: &str) -> JsonArray {
    match string_items(s) {
        Some(items) => JsonArray::Strings(items),
        // Only a full JSON parser can tell "not JSON" from "JSON, but not strings"; serde_json
        // bounds its own recursion.
        None => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(_) => JsonArray::NotStrings,
            Err(_) => JsonArray::Invalid,
        },
    }
}

fn skip_json_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The items of `s` when it is exactly a JSON array of strings.
fn string_items(s: &str) -> Option<Vec<(String, usize, usize)>> {
    let b = s.as_bytes();
    let mut i = skip_json_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_json_ws(b, i + 1);
    let mut items = Vec::new();
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            let (value, end) = json_string(s, i)?;
            items.push((value, i, end));
            i = skip_json_ws(b, end);
            match b.get(i) {
                Some(b',') => i = skip_json_ws(b, i + 1),
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_json_ws(b, i) == b.len()).then_some(items)
}

/// A JSON string literal starting at `start`: its value and the offset after its closing quote.
fn json_string(s: &str, start: usize) -> Option<(String, usize)> {
    let rest = s.get(start..)?.strip_prefix('"')?;
    let mut value = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, start + 1 + i + 1)),
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    '"' => value.push('"'),
                    '\\' => value.push('\\'),
                    '/' => value.push('/'),
                    'b' => value.push('\u{8}'),
                    'f' => value.push('\u{c}'),
                    'n' => value.push('\n'),
                    'r' => value.push('\r'),
                    't' => value.push('\t'),
                    'u' => {
                        let unit = hex4(&mut chars)?;
                        value.push(decode_utf16_escape(unit, &mut chars));
                    }
                    _ => return None,
                }
            }
            c if (c as u32) < 0x20 => return None,
            c => value.push(c),
        }
    }
    None
}

fn hex4(chars: &mut std::str::CharIndices<'_>) -> Option<u32> {
    let mut unit = 0;
    for _ in 0..4 {
        let (_, c) = chars.next()?;
        unit = unit * 16 + c.to_digit(16)?;
    }
    Some(unit)
}

/// A `\uXXXX` escape, joined with a following low surrogate when it is a high one. Unpaired
/// surrogates become U+FFFD, as Go's `encoding/json` (Docker's parser) does.
fn decode_utf16_escape(unit: u32, chars: &mut std::str::CharIndices<'_>) -> char {
    if (0xD800..0xDC00).contains(&unit) {
        let mut ahead = chars.clone();
        if let (Some((_, '\\')), Some((_, 'u'))) = (ahead.next(), ahead.next())
            && let Some(low) = hex4(&mut ahead)
            && (0xDC00..0xE000).contains(&low)
        {
            *chars = ahead;
            return char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)).unwrap_or('\u{fffd}');
        }
        return '\u{fffd}';
    }
    char::from_u32(unit).unwrap_or('\u{fffd}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LineIndex, Location};

    fn parse_ok(text: &str) -> Dockerfile {
        match parse(text) {
            Ok(df) => df,
            Err(e) => panic!("parse failed: {e} at {:?}", e.span),
        }
    }

    fn loc(text: &str, offset: usize) -> (usize, usize) {
        let Location { line, column } = LineIndex::new(text).location(text, offset);
        (line, column)
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn shell(i: &Instruction) -> &str {
        i.args.shell_text().unwrap_or_else(|| panic!("{} is not in shell form", i.keyword))
    }

    #[test]
    fn instructions_keywords_and_spans() {
        let text = "FROM alpine:3.20 AS base\n\nrun apk add curl\n";
        let df = parse_ok(text);
        assert_eq!(df.instructions.len(), 2);
        let run = &df.instructions[1];
        assert_eq!(run.keyword, "RUN");
        assert_eq!(slice(text, run.keyword_span), "run");
        assert_eq!(loc(text, run.keyword_span.start), (3, 1));
        assert_eq!(slice(text, run.span), "run apk add curl");
        assert_eq!(shell(run), "apk add curl");
        assert_eq!(slice(text, run.args.span()), "apk add curl");
        assert_eq!(loc(text, run.args.span().start), (3, 5));
        assert_eq!(shell(&df.instructions[0]), "alpine:3.20 AS base");
    }

    #[test]
    fn continuations_are_joined_and_mapped_back() {
        let text = "RUN apt-get update && \\\n    apt-get install -y curl \\  \n    && rm -rf /var/lib/apt/lists/*\nUSER app\n";
        let df = parse_ok(text);
        assert_eq!(df.instructions.len(), 2);
        let run = &df.instructions[0];
        assert_eq!(
            shell(run),
            "apt-get update &&     apt-get install -y curl     && rm -rf /var/lib/apt/lists/*"
        );
        assert_eq!(loc(text, run.span.end), (3, 35));
        assert_eq!(loc(text, run.args.span().end), (3, 35));
        assert_eq!(slice(text, run.first_line), "RUN apt-get update && \\");
        assert_eq!(loc(text, df.instructions[1].span.start), (4, 1));
    }

    #[test]
    fn comments_and_blank_lines_inside_continuations() {
        let text = "RUN a \\\n# dropped by docker\n\n  b\n# after\n";
        let df = parse_ok(text);
        assert_eq!(df.instructions.len(), 1);
        assert_eq!(shell(&df.instructions[0]), "a   b");
        assert_eq!(df.comments.len(), 2);
        assert_eq!(df.comments[0].text, "dropped by docker");
        assert_eq!(loc(text, df.comments[0].span.start), (2, 1));
        assert_eq!(slice(text, df.comments[1].span), "# after");
        assert_eq!(loc(text, df.instructions[0].span.end), (4, 4));
    }

    #[test]
    fn indented_comments_are_comments() {
        let text = "FROM x  \n   # note: ok \t\nRUN y # not a comment\n";
        let df = parse_ok(text);
        assert_eq!(df.comments.len(), 1);
        assert_eq!(df.comments[0].text, "note: ok");
        assert_eq!(loc(text, df.comments[0].span.start), (2, 4));
        assert_eq!(slice(text, df.comments[0].span), "# note: ok");
        assert_eq!(shell(&df.instructions[1]), "y # not a comment");
        assert_eq!(slice(text, df.instructions[0].span), "FROM x", "trailing blanks are not part of it");
    }

    #[test]
    fn directives_only_at_the_top() {
        let text = "# syntax=docker/dockerfile:1.7\n#Check = skip=JSONArgsRecommended\n# escape=`\nFROM x\n# escape=\\\n";
        let df = parse_ok(text);
        assert_eq!(
            df.directives,
            vec![
                ("syntax".to_string(), "docker/dockerfile:1.7".to_string()),
                ("check".to_string(), "skip=JSONArgsRecommended".to_string()),
                ("escape".to_string(), "`".to_string()),
            ]
        );
        assert_eq!(df.comments.len(), 1);
        assert_eq!(df.comments[0].text, "escape=\\");
    }

    #[test]
    fn a_blank_line_or_other_comment_ends_the_directives() {
        let df = parse_ok("# syntax=a\n\n# escape=`\nFROM x\n");
        assert_eq!(df.directives.len(), 1);
        assert_eq!(df.comments.len(), 1);
        let df = parse_ok("# hello\n# syntax=a\nFROM x\n");
        assert!(df.directives.is_empty());
        assert_eq!(df.comments.len(), 2);
        let df = parse_ok("# unknown=1\n# syntax=a\nFROM x\n");
        assert!(df.directives.is_empty());
    }

    #[test]
    fn escape_directive_switches_the_continuation_character() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir C:\\ `\n    && echo done\nCOPY a \\\nb\n";
        let df = parse_ok(text);
        assert_eq!(df.instructions.len(), 4);
        assert_eq!(shell(&df.instructions[1]), "dir C:\\     && echo done");
        assert_eq!(shell(&df.instructions[2]), "a \\");
        assert_eq!(df.instructions[3].keyword, "B");
    }

    #[test]
    fn directive_errors_are_located() {
        let err = parse("# escape=x\nFROM a\n").unwrap_err();
        assert!(err.message.contains("escape"), "{}", err.message);
        assert_eq!(err.span.start, 0);
        let text = "# syntax=a\n# syntax=b\nFROM a\n";
        let err = parse(text).unwrap_err();
        assert_eq!(loc(text, err.span.start), (2, 1));
    }

    #[test]
    fn exec_form_with_json_escapes_and_item_spans() {
        let text = "CMD [\"echo\", \"a\\\"b\\\\c\\u00e9\\n\", \"\\ud83d\\ude00\"]\n";
        let df = parse_ok(text);
        let Args::Exec { items, span } = &df.instructions[0].args else { panic!("not exec") };
        let values: Vec<&str> = items.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(values, vec!["echo", "a\"b\\cé\n", "😀"]);
        assert_eq!(slice(text, items[0].1), "\"echo\"");
        assert_eq!(loc(text, items[1].1.start), (1, 14));
        assert_eq!(slice(text, *span), &text[4..text.len() - 1]);
    }

    #[test]
    fn exec_form_across_continuations() {
        let text = "ENTRYPOINT [\"/bin/app\", \\\n            \"--serve\"]\n";
        let df = parse_ok(text);
        let Args::Exec { items, .. } = &df.instructions[0].args else { panic!("not exec") };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].0, "--serve");
        assert_eq!(loc(text, items[1].1.start), (2, 13));
        assert_eq!(slice(text, items[1].1), "\"--serve\"");
    }

    #[test]
    fn invalid_json_falls_back_to_shell_form() {
        let df = parse_ok(
            "CMD ['single', 'quotes']\nRUN [ -f /x ] && echo y\nCMD [\"a\",]\nUSER [\"a\"]\nCMD []\n",
        );
        assert_eq!(shell(&df.instructions[0]), "['single', 'quotes']");
        assert_eq!(shell(&df.instructions[1]), "[ -f /x ] && echo y");
        assert_eq!(shell(&df.instructions[2]), "[\"a\",]");
        assert_eq!(shell(&df.instructions[3]), "[\"a\"]");
        assert!(matches!(&df.instructions[4].args, Args::Exec { items, .. } if items.is_empty()));
    }

    #[test]
    fn json_array_of_non_strings_is_an_error() {
        let text = "FROM a\nCMD [\"a\", 1]\n";
        let err = parse(text).unwrap_err();
        assert_eq!(loc(text, err.span.start), (2, 5));
    }

    #[test]
    fn flags_with_values_quotes_and_none() {
        let text = "RUN --mount=type=cache,target=/root/.cache --network=none --link echo hi\nCOPY --from=builder --chown=app:app \"--weird\" /a /b\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nCOPY --chmod=\"0755 x\" -- --not-a-flag /d\n";
        let df = parse_ok(text);
        let run = &df.instructions[0];
        let names: Vec<&str> = run.flags.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["mount", "network", "link"]);
        assert_eq!(run.flags[0].value.as_deref(), Some("type=cache,target=/root/.cache"));
        assert_eq!(run.flags[2].value, None);
        assert_eq!(slice(text, run.flags[1].span), "--network=none");
        assert_eq!(shell(run), "echo hi");
        let copy = &df.instructions[1];
        assert_eq!(copy.flag("from").and_then(|f| f.value.as_deref()), Some("builder"));
        assert_eq!(copy.flag("chown").and_then(|f| f.value.as_deref()), Some("app:app"));
        assert_eq!(shell(copy), "\"--weird\" /a /b");
        let from = &df.instructions[2];
        assert_eq!(from.flag("platform").and_then(|f| f.value.as_deref()), Some("$BUILDPLATFORM"));
        assert_eq!(loc(text, from.flags[0].span.start), (3, 6));
        let chmod = &df.instructions[3];
        assert_eq!(chmod.flags[0].value.as_deref(), Some("0755 x"));
        assert_eq!(slice(text, chmod.flags[0].span), "--chmod=\"0755 x\"");
        assert_eq!(shell(chmod), "--not-a-flag /d");
    }

    #[test]
    fn heredoc_body_and_span() {
        let text = "FROM a\nRUN <<EOF\nset -e\necho \"hi\" # body, not a comment\nEOF\nUSER app\n";
        let df = parse_ok(text);
        assert_eq!(df.instructions.len(), 3);
        assert!(df.comments.is_empty());
        let run = &df.instructions[1];
        assert_eq!(shell(run), "<<EOF");
        assert_eq!(run.heredocs.len(), 1);
        let h = &run.heredocs[0];
        assert_eq!(h.delimiter, "EOF");
        assert_eq!(h.body, "set -e\necho \"hi\" # body, not a comment\n");
        assert_eq!(loc(text, h.span.start), (3, 1));
        assert_eq!(loc(text, h.span.end), (4, 32));
        assert_eq!(slice(text, h.word_span), "<<EOF");
        assert!(!h.chomp && !h.quoted);
        assert_eq!(loc(text, run.span.end), (5, 4));
        assert_eq!(slice(text, run.first_line), "RUN <<EOF");
    }

    #[test]
    fn chomped_and_quoted_heredocs() {
        let text = "RUN <<-\"SCRIPT\" bash\n\techo $HOME\n\t\tdone\n\tSCRIPT\nRUN python3 <<'PY' > /out\nprint(1)\nPY\n";
        let df = parse_ok(text);
        assert_eq!(df.instructions.len(), 2);
        let h = &df.instructions[0].heredocs[0];
        assert_eq!(h.delimiter, "SCRIPT");
        assert!(h.chomp && h.quoted);
        assert_eq!(h.body, "echo $HOME\ndone\n");
        let h = &df.instructions[1].heredocs[0];
        assert_eq!(h.delimiter, "PY");
        assert!(!h.chomp && h.quoted);
        assert_eq!(h.body, "print(1)\n");
    }

    #[test]
    fn several_heredocs_on_one_line() {
        let text = "COPY <<a <<b /dst/\nfirst\na\nsecond\nline\nb\nCMD x\n";
        let df = parse_ok(text);
        assert_eq!(df.instructions.len(), 2);
        let copy = &df.instructions[0];
        assert_eq!(copy.heredocs.len(), 2);
        assert_eq!(copy.heredocs[0].body, "first\n");
        assert_eq!(copy.heredocs[1].body, "second\nline\n");
        assert_eq!(loc(text, copy.heredocs[1].span.start), (4, 1));
        assert_eq!(loc(text, copy.span.end), (6, 2));
        assert_eq!(df.instructions[1].keyword, "CMD");
    }

    #[test]
    fn heredoc_like_words_that_are_not_heredocs() {
        let df = parse_ok("RUN cat <<< hi\nRUN echo \"<<EOF\"\nCMD <<EOF\nRUN cat << EOF\n");
        assert_eq!(df.instructions.len(), 4);
        assert!(df.instructions.iter().all(|i| i.heredocs.is_empty()));
    }

    #[test]
    fn heredoc_empty_body() {
        let text = "RUN <<EOF\nEOF\n";
        let df = parse_ok(text);
        let h = &df.instructions[0].heredocs[0];
        assert_eq!(h.body, "");
        assert_eq!(h.span, Span::point(10));
    }

    #[test]
    fn unterminated_heredoc_is_located() {
        let text = "FROM a\nRUN  cat <<EOF\necho\nEO\n";
        let err = parse(text).unwrap_err();
        assert!(err.message.contains("unterminated heredoc"), "{}", err.message);
        assert_eq!(loc(text, err.span.start), (2, 10));
        assert_eq!(slice(text, err.span), "<<EOF");
    }

    #[test]
    fn missing_keyword_is_located() {
        let text = "FROM a\nRUN apt-get update\n    && apt-get install -y x\n";
        let err = parse(text).unwrap_err();
        assert_eq!(loc(text, err.span.start), (3, 5));
        assert_eq!(slice(text, err.span), "&&");
    }

    #[test]
    fn unknown_keywords_are_kept() {
        let df = parse_ok("FROM a\nFOOBAR x y\n");
        assert_eq!(df.instructions[1].keyword, "FOOBAR");
        assert_eq!(shell(&df.instructions[1]), "x y");
    }

    #[test]
    fn crlf_lines() {
        let text = "# syntax=docker/dockerfile:1\r\nFROM a\r\nRUN echo a \\\r\n  b\r\n# c\r\nRUN <<EOF\r\nx\r\nEOF\r\n";
        let df = parse_ok(text);
        assert_eq!(df.directives[0].1, "docker/dockerfile:1");
        assert_eq!(df.instructions.len(), 3);
        assert_eq!(shell(&df.instructions[1]), "echo a   b");
        assert_eq!(loc(text, df.instructions[1].span.end), (4, 4));
        assert_eq!(df.comments[0].text, "c");
        assert_eq!(slice(text, df.comments[0].span), "# c");
        assert_eq!(df.instructions[2].heredocs[0].body, "x\n");
    }

    #[test]
    fn non_ascii_columns_count_characters() {
        let text = "LABEL description=\"café ☕\" \\\n      maintainer=\"zoë\"\nRUN echo ünïcödé\n";
        let df = parse_ok(text);
        let label = &df.instructions[0];
        assert_eq!(shell(label), "description=\"café ☕\"       maintainer=\"zoë\"");
        assert_eq!(loc(text, label.span.end), (2, 23));
        let run = &df.instructions[1];
        assert_eq!(loc(text, run.args.span().end), (3, 17));
        assert_eq!(slice(text, run.args.span()), "echo ünïcödé");
    }

    #[test]
    fn onbuild_and_healthcheck_keep_their_text() {
        let text = "ONBUILD RUN --mount=type=cache,target=/x make\nHEALTHCHECK NONE\nHEALTHCHECK --interval=30s --timeout=3s \\\n  CMD curl -f http://localhost/ || exit 1\n";
        let df = parse_ok(text);
        let onbuild = &df.instructions[0];
        assert!(onbuild.flags.is_empty());
        assert_eq!(shell(onbuild), "RUN --mount=type=cache,target=/x make");
        assert_eq!(shell(&df.instructions[1]), "NONE");
        let hc = &df.instructions[2];
        assert_eq!(hc.flags.len(), 2);
        assert_eq!(hc.flag("interval").and_then(|f| f.value.as_deref()), Some("30s"));
        assert_eq!(shell(hc), "CMD curl -f http://localhost/ || exit 1");
        assert_eq!(loc(text, hc.args.span().start), (4, 3));
    }

    #[test]
    fn lone_continuation_and_empty_input() {
        assert!(parse_ok("").instructions.is_empty());
        assert!(parse_ok("\\\n\n").instructions.is_empty());
        let df = parse_ok("\\\nRUN x");
        assert_eq!(df.instructions[0].keyword, "RUN");
        let df = parse_ok("RUN");
        assert_eq!(shell(&df.instructions[0]), "");
        assert_eq!(df.instructions[0].args.span(), Span::point(3));
    }

    #[test]
    fn bom_is_skipped() {
        let text = "\u{feff}# syntax=x\nFROM a\n";
        let df = parse_ok(text);
        assert_eq!(df.directives.len(), 1);
        assert_eq!(df.instructions[0].keyword_span.start, 3 + 11);
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = format!("CMD {}", "[".repeat(100_000));
        assert!(matches!(parse(&deep).map(|d| d.instructions.len()), Ok(1)));
        for text in [
            "RUN <<",
            "RUN <<-",
            "COPY <<\"",
            "CMD [\"\\u",
            "CMD [\"\\ud800\\u",
            "RUN --",
            "RUN --\"",
            "\r\r\\\r",
        ] {
            let _ = parse(text);
        }
        let df = parse_ok("CMD [\"\\ud800x\"]");
        assert!(matches!(&df.instructions[0].args, Args::Exec { items, .. } if items[0].0 == "\u{fffd}x"));
    }

    #[test]
    fn every_prefix_and_random_mixes_parse_without_panicking() {
        let sample = "# syntax=docker/dockerfile:1\n# escape=\\\nARG B=alpine\nFROM ${B} AS x\nRUN --mount=type=cache,target=/c \\\n  # c\n\n  echo \"é\" \\\r\n  && <<-'E' cat\n\tbody ☕\n\tE\nCMD [\"a\\u00e9\", \"b\"]\nCOPY <<a <<b /d\n1\na\n2\nb\n";
        let mut parsed = 0;
        for (i, _) in sample.char_indices() {
            parsed += usize::from(parse(&sample[..i]).is_ok());
        }
        assert!(parsed > 0);
        let alphabet: Vec<char> = "RUN FROM <<-EOF\"'\\`[]{},:=#$-\n\r\t é".chars().collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let len = (state >> 40) as usize % 40;
            let mut text = String::new();
            for _ in 0..len {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                text.push(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            if let Ok(df) = parse(&text) {
                for i in &df.instructions {
                    assert!(i.span.start <= i.span.end && i.span.end <= text.len(), "{text:?}");
                    assert!(
                        text.is_char_boundary(i.args.span().start)
                            && text.is_char_boundary(i.args.span().end)
                    );
                }
            }
        }
    }
}
