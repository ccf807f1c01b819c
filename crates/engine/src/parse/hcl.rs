//! HCL (Terraform) into spanned blocks and trees.
//!
//! [`parse`] reads the native syntax (`.tf`, `.tfvars`) with `hcl-edit`; [`from_json`] reads
//! the JSON syntax (`.tf.json`, `.tfvars.json`) from an already parsed JSON tree. Both give
//! the same [`HclFile`]: top-level attributes, top-level blocks with their labels, and every
//! comment.
//!
//! A block body becomes a [`Node`] holding a [`Value::Map`]:
//! - an attribute is an entry (key span = the key, value span = the expression);
//! - nested blocks of one type are one entry keyed by the type, whose value is a
//!   [`Value::List`] of the block bodies (each a map spanning its block), so two `ingress {}`
//!   blocks read as a list of two, exactly like an `ingress = [{...}, {...}]` attribute;
//! - a labelled nested block (`backend "s3" {}`) is a list element holding a map with one
//!   entry per label level (`{s3 = {...}}`);
//! - `dynamic "ingress" { content {...} }` adds its `content` body to the `ingress` list; the
//!   values that use the iterator are expressions, hence unknown.
//!
//! Literals (strings, templates without interpolation, heredocs, numbers, booleans, null,
//! tuples, objects) are values; every other expression (references, function calls,
//! conditionals, `${}` templates, `for`, splats, operators) is kept as [`Value::Expr`] with its
//! source text: not known statically.
//!
//! ```
//! use trustlint_engine::parse::hcl;
//! let file = hcl::parse("resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\" # why\n}\n")?;
//! let block = &file.blocks[0];
//! assert_eq!(block.labels[1].0, "logs");
//! assert_eq!(block.body.get("bucket").and_then(|n| n.as_str()), Some("logs"));
//! assert_eq!(file.comments[0].text, "why");
//! # Ok::<(), trustlint_engine::parse::ParseError>(())
//! ```

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Attribute, Body, Structure};
use hcl_edit::template::{Element, Template};

use super::{MAX_DEPTH, ParseError};
use crate::{Comment, Entry, Node, Span, Value};

/// A parsed `.tf`, `.tfvars` or `.tf.json` file.
#[derive(Debug, Clone, Default)]
pub struct HclFile {
    /// Top-level attributes (`.tfvars` files are only these).
    pub attributes: Vec<Entry>,
    /// Top-level blocks (`resource`, `data`, `module`, `variable`, ...).
    pub blocks: Vec<Block>,
    /// Every comment, in order.
    pub comments: Vec<Comment>,
}

/// A top-level block with its labels.
#[derive(Debug, Clone)]
pub struct Block {
    /// The block type (`resource`).
    pub ident: String,
    /// Bytes of the block type.
    pub ident_span: Span,
    /// The labels (`"aws_s3_bucket"`, `"logs"`) without quotes, with their spans (the spans
    /// cover the quotes).
    pub labels: Vec<(String, Span)>,
    /// The whole block, header to closing brace.
    pub span: Span,
    /// Where to point at the block as a whole: the type keyword through the last label
    /// (`resource "aws_s3_bucket" "logs"`). In `.tf.json`, where the type and labels are keys
    /// of enclosing objects, the innermost key.
    pub header: Span,
    /// The body as a map (spanning the whole block).
    pub body: Node,
}

/// Parse HCL native syntax.
///
/// Fails with a located [`ParseError`] on a syntax error (there is no error recovery: one
/// error fails the file, as `terraform validate` does) and on nesting deeper than
/// [`MAX_DEPTH`].
pub fn parse(text: &str) -> Result<HclFile, ParseError> {
    // The scan runs first so that hostile nesting is refused before the recursive parser sees
    // it; it also finds the comments, with their exact spans, in the same pass.
    let comments = scan(text)?;
    let body = hcl_edit::parser::parse_body(text).map_err(|err| located(text, &err))?;
    let reader = Reader { text };
    let mut file = HclFile { comments, ..HclFile::default() };
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => file.attributes.push(reader.attribute(attr, 0)),
            Structure::Block(block) => file.blocks.push(reader.top_block(block)),
        }
    }
    Ok(file)
}

/// Parse one expression (an object given to `jsonencode`, say) into a tree whose spans are
/// relative to `text`; `None` when it does not parse.
pub fn expression(text: &str) -> Option<Node> {
    scan(text).ok()?;
    // hcl-edit's expression parser backtracks exponentially on some invalid input (nested
    // `(` and `-` that never close), where its body parser fails at once: the body parser
    // vets the text first, and only a valid expression reaches `parse_expr`.
    hcl_edit::parser::parse_body(&format!("x = {text}\n")).ok()?;
    let expr = hcl_edit::parser::parse_expr(text).ok()?;
    Some(Reader { text }.expr(&expr, 0))
}

/// Turn hcl-edit's error (line, character column, byte offset) into a byte span.
fn located(text: &str, err: &hcl_edit::parser::Error) -> ParseError {
    let mut offset = err.location().offset().min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    // Underline the offending character; at a line ending, point without covering it.
    let width = text
        .get(offset..)
        .and_then(|rest| rest.chars().next())
        .filter(|c| !matches!(c, '\n' | '\r'))
        .map_or(0, char::len_utf8);
    ParseError::new(err.message(), Span::new(offset, offset + width))
}

fn span_of(item: &impl hcl_edit::Span) -> Span {
    item.span().map_or_else(Span::default, |range| Span::new(range.start, range.end))
}

/// Converts hcl-edit's structures into the engine's tree, reading raw text from the source.
struct Reader<'t> {
    text: &'t str,
}

impl Reader<'_> {
    fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    fn top_block(&self, block: &hcl_edit::structure::Block) -> Block {
        let span = span_of(block);
        let ident_span = span_of(&block.ident);
        let labels: Vec<(String, Span)> =
            block.labels.iter().map(|label| (label.as_str().to_string(), span_of(label))).collect();
        let header = labels.last().map_or(ident_span, |(_, last)| ident_span.cover(*last));
        Block {
            ident: block.ident.as_str().to_string(),
            ident_span,
            labels,
            span,
            header,
            body: self.body(&block.body, span, 1),
        }
    }

    fn attribute(&self, attr: &Attribute, depth: usize) -> Entry {
        Entry {
            key: attr.key.as_str().to_string(),
            key_span: span_of(&attr.key),
            value: self.expr(&attr.value, depth),
        }
    }

    /// A block body as a map node spanning `span` (the whole block).
    fn body(&self, body: &Body, span: Span, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            return Node::new(span, Value::Expr(self.slice(span).to_string()));
        }
        let mut entries: Vec<Entry> = Vec::new();
        // Block type -> index of its list entry, so blocks of one type gather in one list even
        // when attributes stand between them.
        let mut lists: Vec<(String, usize)> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => entries.push(self.attribute(attr, depth)),
                Structure::Block(block) => {
                    let Some((key, key_span, element)) = self.nested_block(block, depth) else { continue };
                    match lists.iter().find(|(name, _)| *name == key).map(|(_, at)| *at) {
                        Some(at) => {
                            if let Some(Entry { value: Node { span, value: Value::List(items) }, .. }) =
                                entries.get_mut(at)
                            {
                                *span = span.cover(element.span);
                                items.push(element);
                            }
                        }
                        None => {
                            lists.push((key.clone(), entries.len()));
                            let list = Node::new(element.span, Value::List(vec![element]));
                            entries.push(Entry { key, key_span, value: list });
                        }
                    }
                }
            }
        }
        Node::new(span, Value::Map(entries))
    }

    /// The list key, its span and the list element a nested block contributes; `None` for a
    /// `dynamic` block without `content`, which contributes nothing.
    fn nested_block(&self, block: &hcl_edit::structure::Block, depth: usize) -> Option<(String, Span, Node)> {
        let span = span_of(block);
        if block.ident.as_str() == "dynamic"
            && let [label] = block.labels.as_slice()
        {
            let content = block.body.get_blocks("content").next()?;
            let body = self.body(&content.body, span, depth + 1);
            return Some((label.as_str().to_string(), span_of(label), body));
        }
        let mut element = self.body(&block.body, span, depth + 1);
        for label in block.labels.iter().rev() {
            let entry = Entry { key: label.as_str().to_string(), key_span: span_of(label), value: element };
            element = Node::new(span, Value::Map(vec![entry]));
        }
        Some((block.ident.as_str().to_string(), span_of(&block.ident), element))
    }

    fn expr(&self, expr: &Expression, depth: usize) -> Node {
        let span = span_of(expr);
        let unknown = || Value::Expr(self.slice(span).to_string());
        if depth > MAX_DEPTH {
            return Node::new(span, unknown());
        }
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                // As written, without the blanks `- 1` may carry.
                let raw: String = self.slice(span).chars().filter(|c| !c.is_whitespace()).collect();
                Value::Number(if raw.is_empty() { n.value().to_string() } else { raw })
            }
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::StringTemplate(t) => literal(t).map_or_else(unknown, Value::String),
            // A heredoc's line endings are the file's: `\r\n` in a CRLF checkout of the same
            // file must give the same value.
            Expression::HeredocTemplate(h) => {
                literal(&h.template).map_or_else(unknown, |s| Value::String(s.replace("\r\n", "\n")))
            }
            Expression::Array(items) => {
                Value::List(items.iter().map(|item| self.expr(item, depth + 1)).collect())
            }
            Expression::Object(object) => Value::Map(
                object
                    .iter()
                    .map(|(key, value)| Entry {
                        key: self.object_key(key),
                        key_span: span_of(key),
                        value: self.expr(value.expr(), depth + 1),
                    })
                    .collect(),
            ),
            _ => unknown(),
        };
        Node::new(span, value)
    }

    /// An object key: an identifier or a literal string; any other key expression is kept as
    /// written (a rule looking for a literal key will not match it).
    fn object_key(&self, key: &ObjectKey) -> String {
        match key {
            ObjectKey::Ident(ident) => ident.as_str().to_string(),
            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
            ObjectKey::Expression(Expression::StringTemplate(t)) => {
                literal(t).unwrap_or_else(|| self.slice(span_of(key)).to_string())
            }
            ObjectKey::Expression(_) => self.slice(span_of(key)).to_string(),
        }
    }
}

/// The text of a template made of literals only; `None` when it interpolates or has
/// directives.
fn literal(template: &Template) -> Option<String> {
    let mut out = String::new();
    for element in template.iter() {
        match element {
            Element::Literal(text) => out.push_str(text.value()),
            Element::Interpolation(_) | Element::Directive(_) => return None,
        }
    }
    Some(out)
}

/// What the scanner is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame<'t> {
    /// `(`, `[` or `{` in expression context: the bracket and where it opened.
    Bracket(u8, usize),
    /// `${` or `%{` in a string or heredoc: expression context until the matching `}`.
    Template,
    /// A quoted string.
    Quoted,
    /// A heredoc with its closing delimiter.
    Heredoc(&'t str),
}

fn is_ident_byte(b: u8) -> bool {
    // Non-ASCII bytes belong to Unicode identifier characters; HCL allows those.
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80
}

/// One pass over the text that knows strings, templates, heredocs and comments: it refuses
/// nesting deeper than [`MAX_DEPTH`] (before the recursive parser could overflow the stack)
/// and returns every comment with its span. It is forgiving about syntax errors, which the
/// parser reports.
fn scan(text: &str) -> Result<Vec<Comment>, ParseError> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        match stack.last().copied() {
            None | Some(Frame::Bracket(..)) | Some(Frame::Template) => match b {
                b'#' => i = line_comment(text, i, 1, &mut comments),
                b'/' if next == Some(b'/') => i = line_comment(text, i, 2, &mut comments),
                b'/' if next == Some(b'*') => {
                    let end = text
                        .get(i + 2..)
                        .and_then(|rest| rest.find("*/"))
                        .map_or(text.len(), |p| i + 2 + p + 2);
                    let inner = text.get(i + 2..end.saturating_sub(2).max(i + 2)).unwrap_or("");
                    comments.push(Comment { span: Span::new(i, end), text: inner.trim().to_string() });
                    i = end;
                }
                b'"' => {
                    push(&mut stack, Frame::Quoted, i)?;
                    i += 1;
                }
                b'<' if next == Some(b'<') => match heredoc_start(text, i) {
                    Some((delim, body)) => {
                        push(&mut stack, Frame::Heredoc(delim), i)?;
                        i = body;
                    }
                    None => i += 2,
                },
                b'(' | b'[' | b'{' => {
                    push(&mut stack, Frame::Bracket(b, i), i)?;
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    // Brackets must pair up: hcl-edit's expression parser backtracks
                    // exponentially on some unbalanced input, so it never sees any.
                    match stack.pop() {
                        Some(Frame::Bracket(open, _)) if closer(open) == b => {}
                        Some(Frame::Template) if b == b'}' => {}
                        Some(Frame::Bracket(open, at)) => {
                            return Err(unbalanced(
                                format!(
                                    "`{}` closes the `{}` opened earlier",
                                    char::from(b),
                                    char::from(open)
                                ),
                                text,
                                i,
                                Some(at),
                            ));
                        }
                        _ => {
                            return Err(unbalanced(format!("unexpected `{}`", char::from(b)), text, i, None));
                        }
                    }
                    i += 1;
                }
                _ => i += 1,
            },
            Some(Frame::Quoted) => match b {
                b'\\' => i += 2,
                b'"' | b'\n' => {
                    // A newline ends an unterminated string: the parser reports it.
                    stack.pop();
                    i += 1;
                }
                b'$' | b'%' if next == Some(b) && bytes.get(i + 2) == Some(&b'{') => i += 3,
                b'$' | b'%' if next == Some(b'{') => {
                    push(&mut stack, Frame::Template, i)?;
                    i += 2;
                }
                _ => i += 1,
            },
            Some(Frame::Heredoc(delim)) => {
                if (i == 0 || bytes.get(i - 1) == Some(&b'\n'))
                    && let Some(after) = heredoc_end(text, i, delim)
                {
                    stack.pop();
                    i = after;
                    continue;
                }
                match b {
                    b'$' | b'%' if next == Some(b) && bytes.get(i + 2) == Some(&b'{') => i += 3,
                    b'$' | b'%' if next == Some(b'{') => {
                        push(&mut stack, Frame::Template, i)?;
                        i += 2;
                    }
                    _ => i += 1,
                }
            }
        }
    }
    if let Some((open, at)) = stack.iter().rev().find_map(|frame| match frame {
        Frame::Bracket(open, at) => Some((*open, *at)),
        _ => None,
    }) {
        // Where the text ends, as rustc and hcl-edit say it, naming the bracket left open.
        let end = text.trim_end().len();
        let line = text.get(..at).map_or(0, |before| before.matches('\n').count()) + 1;
        let message =
            format!("the file ends before the `{}` opened on line {line} is closed", char::from(open));
        return Err(ParseError::new(message, Span::new(end, end)));
    }
    Ok(comments)
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

/// A bracket error at byte `at` (one character wide), naming the line of the bracket it
/// should have closed.
fn unbalanced(message: String, text: &str, at: usize, opened: Option<usize>) -> ParseError {
    let message = match opened {
        Some(open) => {
            let line = text.get(..open).map_or(0, |before| before.matches('\n').count()) + 1;
            format!("{message} on line {line}")
        }
        None => message,
    };
    ParseError::new(message, Span::new(at, at + 1))
}

/// Enter a frame opened at byte `at`, refusing nesting deeper than [`super::depth_limit`].
fn push<'t>(stack: &mut Vec<Frame<'t>>, frame: Frame<'t>, at: usize) -> Result<(), ParseError> {
    stack.push(frame);
    let limit = super::depth_limit();
    if stack.len() > limit {
        return Err(ParseError::new(format!("nesting deeper than {limit} levels"), Span::new(at, at + 1)));
    }
    Ok(())
}

/// Record the `#` or `//` comment at `start` (marker `marker_len` bytes long); returns the
/// offset of its line ending.
fn line_comment(text: &str, start: usize, marker_len: usize, comments: &mut Vec<Comment>) -> usize {
    let end = text.get(start..).and_then(|rest| rest.find('\n')).map_or(text.len(), |p| start + p);
    let end =
        if text.as_bytes().get(end.wrapping_sub(1)) == Some(&b'\r') && end > start { end - 1 } else { end };
    let inner = text.get(start + marker_len..end).unwrap_or("");
    comments.push(Comment { span: Span::new(start, end), text: inner.trim().to_string() });
    end
}

/// At `<<` (or `<<-`) followed by an identifier and a line ending: the delimiter and the
/// offset of the heredoc's first line.
fn heredoc_start(text: &str, at: usize) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    let mut i = at + 2;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    let start = i;
    while bytes.get(i).copied().is_some_and(is_ident_byte) {
        i += 1;
    }
    let delim = text.get(start..i).filter(|d| !d.is_empty())?;
    if bytes.get(i) == Some(&b'\r') {
        i += 1;
    }
    (bytes.get(i) == Some(&b'\n')).then_some((delim, i + 1))
}

/// At the start of a heredoc line: when the line is the closing delimiter (after optional
/// blanks), the offset just past it.
fn heredoc_end(text: &str, line_start: usize, delim: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = line_start;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let end = i + delim.len();
    let closes = text.get(i..end) == Some(delim) && !bytes.get(end).copied().is_some_and(is_ident_byte);
    closes.then_some(end)
}

/// Block types of the Terraform language and how many labels each takes: in JSON syntax
/// the labels are nested object keys, so the count tells where the body starts.
fn json_label_count(block_type: &str) -> Option<usize> {
    match block_type {
        "resource" | "data" | "ephemeral" => Some(2),
        "module" | "provider" | "variable" | "output" | "check" => Some(1),
        "terraform" | "locals" | "moved" | "import" | "removed" => Some(0),
        _ => None,
    }
}

/// Read a `.tf.json` document (already parsed as JSON) as the same structure.
///
/// Top-level keys naming a Terraform block type are blocks (an array of objects may stand for
/// an object at every level, giving several blocks); any other top-level key is an attribute
/// (`.tfvars.json`). Strings holding `${...}` or `%{...}` are expressions. `"//"` properties,
/// Terraform JSON's comments, become [`Comment`]s (spanning the property), so suppressions work
/// there too.
pub fn from_json(root: &Node) -> HclFile {
    let mut file = HclFile::default();
    for entry in root.entries() {
        if entry.key == "//" {
            json_comment(entry, &mut file.comments);
            continue;
        }
        match json_label_count(&entry.key) {
            Some(count) => {
                let mut labels = Vec::new();
                json_blocks(entry, count, &mut labels, &entry.value, &mut file, 0);
            }
            None => file.attributes.push(Entry {
                key: entry.key.clone(),
                key_span: entry.key_span,
                value: json_value(&entry.value, &mut file.comments, 0),
            }),
        }
    }
    file.comments.sort_by_key(|c| (c.span.start, c.span.end));
    file
}

fn json_comment(entry: &Entry, comments: &mut Vec<Comment>) {
    for item in entry.value.items() {
        if let Some(text) = item.as_str() {
            comments.push(Comment { span: entry.key_span.cover(item.span), text: text.trim().to_string() });
        }
    }
}

/// Walk `labels_left` levels of label keys below a block type, then read the body.
fn json_blocks(
    ident: &Entry,
    labels_left: usize,
    labels: &mut Vec<(String, Span)>,
    node: &Node,
    file: &mut HclFile,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.value {
        Value::List(items) => {
            for item in items {
                json_blocks(ident, labels_left, labels, item, file, depth + 1);
            }
        }
        Value::Map(entries) if labels_left > 0 => {
            for entry in entries {
                if entry.key == "//" {
                    json_comment(entry, &mut file.comments);
                    continue;
                }
                labels.push((entry.key.clone(), entry.key_span));
                json_blocks(ident, labels_left - 1, labels, &entry.value, file, depth + 1);
                labels.pop();
            }
        }
        Value::Map(_) => {
            let header = labels.last().map_or(ident.key_span, |(_, span)| *span);
            let span = header.cover(node.span);
            let mut body = json_value(node, &mut file.comments, depth + 1);
            body.span = span;
            file.blocks.push(Block {
                ident: ident.key.clone(),
                ident_span: ident.key_span,
                labels: labels.clone(),
                span,
                header,
                body,
            });
        }
        _ => {}
    }
}

/// A JSON value as Terraform reads it: template strings are expressions, `"//"` keys are
/// comments, and `dynamic` blocks add their `content` to the list of the block they generate.
fn json_value(node: &Node, comments: &mut Vec<Comment>, depth: usize) -> Node {
    if depth > MAX_DEPTH {
        return Node::new(node.span, Value::Expr(String::new()));
    }
    let value = match &node.value {
        Value::String(s) if is_template(s) => Value::Expr(s.clone()),
        Value::String(s) => Value::String(unescape_template_markers(s)),
        Value::List(items) => Value::List(items.iter().map(|i| json_value(i, comments, depth + 1)).collect()),
        Value::Map(entries) => {
            let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
            for entry in entries {
                if entry.key == "//" {
                    json_comment(entry, comments);
                } else if entry.key == "dynamic" && is_json_dynamic(&entry.value) {
                    json_dynamic(&entry.value, &mut out, comments, depth + 1);
                } else {
                    out.push(Entry {
                        key: entry.key.clone(),
                        key_span: entry.key_span,
                        value: json_value(&entry.value, comments, depth + 1),
                    });
                }
            }
            Value::Map(out)
        }
        other => other.clone(),
    };
    Node::new(node.span, value)
}

/// `"dynamic": {"ingress": {"for_each": ..., "content": {...}}}` (the inner object may be an
/// array of such objects).
fn is_json_dynamic(node: &Node) -> bool {
    let entries = node.entries();
    !entries.is_empty()
        && entries.iter().all(|e| {
            e.value
                .items()
                .iter()
                .all(|block| matches!(block.get("content").map(|c| &c.value), Some(Value::Map(_))))
        })
}

fn json_dynamic(node: &Node, out: &mut Vec<Entry>, comments: &mut Vec<Comment>, depth: usize) {
    for entry in node.entries() {
        for block in entry.value.items() {
            let Some(content) = block.get("content") else { continue };
            let mut element = json_value(content, comments, depth + 1);
            element.span = block.span;
            match out.iter_mut().find(|e| e.key == entry.key) {
                Some(existing) => {
                    // An existing single object becomes the first item of the list.
                    if !matches!(existing.value.value, Value::List(_)) {
                        let first = existing.value.clone();
                        existing.value = Node::new(first.span, Value::List(vec![first]));
                    }
                    existing.value.span = existing.value.span.cover(element.span);
                    if let Value::List(items) = &mut existing.value.value {
                        items.push(element);
                    }
                }
                None => out.push(Entry {
                    key: entry.key.clone(),
                    key_span: entry.key_span,
                    value: Node::new(element.span, Value::List(vec![element])),
                }),
            }
        }
    }
}

/// Whether a JSON string is a template: it holds `${` or `%{` not escaped as `$${` / `%%{`.
fn is_template(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if (b == b'$' || b == b'%') && bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b'{') {
            i += 3;
            continue;
        }
        if (b == b'$' || b == b'%') && bytes.get(i + 1) == Some(&b'{') {
            return true;
        }
        i += 1;
    }
    false
}

fn unescape_template_markers(s: &str) -> String {
    if s.contains("$${") || s.contains("%%{") {
        s.replace("$${", "${").replace("%%{", "%{")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LineIndex;
    use crate::span::Location;

    fn at(text: &str, span: Span) -> (usize, usize) {
        let loc = LineIndex::new(text).location(text, span.start);
        (loc.line, loc.column)
    }

    fn end(text: &str, span: Span) -> Location {
        LineIndex::new(text).location(text, span.end)
    }

    const MAIN: &str = r#"# Buckets for the audit trail.
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
  force_destroy = false
  tags = {
    Name  = "logs"
    "team" = var.team
  }
}

resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port = 0
    to_port   = 0
    protocol  = "-1"
  }
  ingress {
    from_port   = -1
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block, "10.0.0.0/8"]
  }
}
"#;

    #[test]
    fn blocks_labels_and_attributes_are_located() {
        let file = parse(MAIN).expect("parses");
        assert_eq!(file.blocks.len(), 2);
        let logs = &file.blocks[0];
        assert_eq!(logs.ident, "resource");
        assert_eq!(at(MAIN, logs.ident_span), (2, 1));
        assert_eq!(logs.labels[0].0, "aws_s3_bucket");
        assert_eq!(at(MAIN, logs.labels[0].1), (2, 10));
        assert_eq!(logs.labels[1].0, "logs");
        assert_eq!(at(MAIN, logs.labels[1].1), (2, 26));
        assert_eq!(&MAIN[logs.header.start..logs.header.end], r#"resource "aws_s3_bucket" "logs""#);
        assert_eq!(at(MAIN, logs.span), (2, 1));
        assert_eq!(end(MAIN, logs.span), Location { line: 9, column: 2 });

        let bucket = logs.body.entry("bucket").expect("bucket");
        assert_eq!(at(MAIN, bucket.key_span), (3, 3));
        assert_eq!(at(MAIN, bucket.value.span), (3, 12));
        assert_eq!(bucket.value.as_str(), Some("acme-logs"));
        assert_eq!(logs.body.get("force_destroy").and_then(Node::as_bool), Some(false));
        let tags = logs.body.get("tags").expect("tags");
        assert_eq!(tags.get("Name").and_then(Node::as_str), Some("logs"));
        let team = tags.entry("team").expect("quoted key");
        assert_eq!(at(MAIN, team.key_span), (7, 5));
        assert_eq!(team.value.value, Value::Expr("var.team".into()));
        assert_eq!(at(MAIN, team.value.span), (7, 14));
    }

    #[test]
    fn nested_blocks_of_one_type_form_one_list() {
        let file = parse(MAIN).expect("parses");
        let web = &file.blocks[1];
        let keys: Vec<&str> = web.body.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["name", "ingress", "egress"]);
        let ingress = web.body.get("ingress").expect("ingress").items();
        assert_eq!(ingress.len(), 2);
        assert_eq!(at(MAIN, ingress[0].span), (13, 3));
        assert_eq!(at(MAIN, ingress[1].span), (24, 3));
        let cidr = &ingress[0].get("cidr_blocks").expect("cidrs").items()[0];
        assert_eq!(cidr.as_str(), Some("0.0.0.0/0"));
        assert_eq!(at(MAIN, cidr.span), (17, 20));
        assert_eq!(ingress[0].get("from_port").and_then(Node::scalar_text).as_deref(), Some("443"));
        assert_eq!(ingress[1].get("from_port").map(|n| &n.value), Some(&Value::Number("-1".into())));
        let second = ingress[1].get("cidr_blocks").expect("cidrs").items();
        assert_eq!(second[0].value, Value::Expr("aws_vpc.main.cidr_block".into()));
        assert_eq!(second[1].as_str(), Some("10.0.0.0/8"));
        assert_eq!(web.body.get("egress").map(|e| e.items().len()), Some(1));
    }

    #[test]
    fn labelled_nested_blocks_nest_by_label() {
        let text = "terraform {\n  required_version = \">= 1.5\"\n  backend \"s3\" {\n    bucket = \"state\"\n    encrypt = true\n  }\n}\n";
        let file = parse(text).expect("parses");
        let tf = &file.blocks[0];
        assert!(tf.labels.is_empty());
        assert_eq!(tf.header, tf.ident_span);
        let backend = tf.body.get("backend").expect("backend").items();
        assert_eq!(backend.len(), 1);
        let s3 = backend[0].entry("s3").expect("label");
        assert_eq!(at(text, s3.key_span), (3, 11));
        assert_eq!(s3.value.get("encrypt").and_then(Node::as_bool), Some(true));
        assert_eq!(tf.body.get_path("required_version").and_then(Node::as_str), Some(">= 1.5"));
    }

    #[test]
    fn dynamic_blocks_join_the_list_they_generate() {
        let text = r#"resource "aws_security_group" "d" {
  ingress {
    from_port = 80
  }
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port   = ingress.value.port
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
"#;
        let file = parse(text).expect("parses");
        let body = &file.blocks[0].body;
        assert!(body.get("dynamic").is_none());
        let ingress = body.get("ingress").expect("ingress").items();
        assert_eq!(ingress.len(), 2);
        assert_eq!(at(text, ingress[1].span), (5, 3));
        assert!(ingress[1].get("from_port").is_some_and(Node::is_expr));
        assert!(ingress[1].get("for_each").is_none());
        let cidr = &ingress[1].get("cidr_blocks").expect("cidrs").items()[0];
        assert_eq!(at(text, cidr.span), (9, 22));
    }

    #[test]
    fn heredocs_are_strings_and_indented_heredocs_are_dedented() {
        let text = "locals {\n  a = <<EOT\nline one\n  two\nEOT\n  b = <<-EOT\n    {\n      \"x\": 1\n    }\n    EOT\n  c = <<EOT\nhi ${var.x}\nEOT\n}\n";
        let file = parse(text).expect("parses");
        let body = &file.blocks[0].body;
        assert_eq!(body.get("a").and_then(Node::as_str), Some("line one\n  two\n"));
        assert_eq!(body.get("b").and_then(Node::as_str), Some("{\n  \"x\": 1\n}\n"));
        let c = body.get("c").expect("c");
        assert!(c.is_expr());
        assert_eq!(at(text, c.span), (11, 7));
        // The brace inside the heredoc is text, not nesting: no comment or depth confusion.
        assert!(file.comments.is_empty());
    }

    #[test]
    fn brackets_must_pair_up() {
        let at = |text: &str| parse(text).map_err(|e| (e.message, e.span.start)).err();
        assert_eq!(at("x = [1, 2)\n"), Some(("`)` closes the `[` opened earlier on line 1".into(), 9)));
        assert_eq!(at("x = 1)\n"), Some(("unexpected `)`".into(), 5)));
        assert_eq!(
            at("x = {\n  a = (1\n}\n"),
            Some(("`}` closes the `(` opened earlier on line 2".into(), 15))
        );
        assert_eq!(
            at("x = \"${ {a = 1}.a }\" # (\ny = \"(\"\n"),
            None,
            "in strings and comments they do not count"
        );
        assert_eq!(at("x = <<EOT\n(\nEOT\n"), None, "nor in heredocs");
    }

    #[test]
    fn invalid_expressions_that_made_the_parser_backtrack_are_refused_at_once() {
        // Found by the `terraform` fuzz target: this took seconds, doubling with every line.
        let found = concat!(
            "(N-(--6--fl----+(-----0--3-e----+---(--6--f0. 0. 5-----(--6--fl----+(-----0--3-e",
            "----+---(--6-6--fl----+(-----0--3-e----+---(--6--f0. 0. 5-----(--6--fl----+(----",
            "-0--3-e----+---(--6)-fl----+---0--3-e----+---(--6--f0. 0. 5-----(--6--fl----+(--",
            "---0--3-e----+---(--6--fl----+(--------fl----+---0--3-e----+---(--6--f0. 0. 5---",
            "--(--6--fl----+(-----0--3-6--fl----+(-------6--fl----+---(-------6--fl----+---- ",
            " --",
        );
        assert!(expression(found).is_none());
        // The second one, inside an attribute: the body parser backtracked as badly.
        let text =
            "x = (-----02-6--fl----+(-----0--6--g+(-------0--6--g+(----0--6--fl----+(-----0--6---0--6\n";
        let err = parse(text).expect_err("unbalanced");
        assert_eq!(
            (err.message.as_str(), err.span.start),
            ("the file ends before the `(` opened on line 1 is closed", text.len() - 1)
        );
        assert!(expression("jsonencode({ a = (-(1)) })").is_some());
    }

    #[test]
    fn expressions_are_kept_as_written() {
        let text = r#"locals {
  ref   = aws_s3_bucket.b.id
  call  = jsonencode({ a = 1 })
  cond  = var.x ? "a" : "b"
  tmpl  = "arn:aws:s3:::${var.bucket}/*"
  plain = "no $${interpolation} here"
  forx  = [for s in var.list : upper(s)]
  splat = aws_instance.web[*].id
  op    = 1 + 2
  paren = ("x")
  n     = 1.5e3
  nul   = null
  list  = [1, "two", true]
}
"#;
        let file = parse(text).expect("parses");
        let body = &file.blocks[0].body;
        let expr = |k: &str| match &body.get(k).expect(k).value {
            Value::Expr(e) => e.clone(),
            other => panic!("{k} is {other:?}"),
        };
        assert_eq!(expr("ref"), "aws_s3_bucket.b.id");
        assert_eq!(expr("call"), "jsonencode({ a = 1 })");
        assert_eq!(expr("cond"), r#"var.x ? "a" : "b""#);
        assert_eq!(expr("tmpl"), r#""arn:aws:s3:::${var.bucket}/*""#);
        assert_eq!(expr("forx"), "[for s in var.list : upper(s)]");
        assert_eq!(expr("splat"), "aws_instance.web[*].id");
        assert_eq!(expr("op"), "1 + 2");
        assert_eq!(expr("paren"), r#"("x")"#);
        assert_eq!(body.get("plain").and_then(Node::as_str), Some("no ${interpolation} here"));
        assert_eq!(body.get("n").map(|n| &n.value), Some(&Value::Number("1.5e3".into())));
        assert!(body.get("nul").is_some_and(Node::is_null));
        let list = body.get("list").expect("list").items();
        assert_eq!(list.len(), 3);
        assert_eq!(list[2].as_bool(), Some(true));
    }

    #[test]
    fn crlf_and_non_ascii_keep_exact_columns() {
        let text = "# é commentaire\r\nresource \"aws_s3_bucket\" \"données\" {\r\n  tags = { Équipe = \"café\" }\r\n  policy = <<EOT\r\n{}\r\nEOT\r\n}\r\n";
        let file = parse(text).expect("parses");
        assert_eq!(file.comments.len(), 1);
        assert_eq!(file.comments[0].text, "é commentaire");
        assert_eq!(&text[file.comments[0].span.start..file.comments[0].span.end], "# é commentaire");
        let block = &file.blocks[0];
        assert_eq!(block.labels[1].0, "données");
        assert_eq!(at(text, block.labels[1].1), (2, 26));
        let tags = block.body.get("tags").expect("tags");
        let team = tags.entry("Équipe").expect("key");
        assert_eq!(at(text, team.key_span), (3, 12));
        assert_eq!(at(text, team.value.span), (3, 21));
        assert_eq!(team.value.as_str(), Some("café"));
        assert_eq!(block.body.get("policy").and_then(Node::as_str), Some("{}\n"));
    }

    #[test]
    fn every_comment_is_collected_with_its_span() {
        let text = r##"# head
// slashes
/* block
   comment */
resource "aws_db_instance" "db" { # trustlint:ignore TL-AWS-029 -- restored from snapshot
  storage_encrypted = false // inline
  engine = "postgres" /* trailing */
  tags = {
    # inside an object
    a = "#not a comment" # after
  }
  x = "${var.a} // not a comment"
  y = <<EOT
# not a comment
EOT
  # end of body
}
"##;
        let file = parse(text).expect("parses");
        let texts: Vec<&str> = file.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "head",
                "slashes",
                "block\n   comment",
                "trustlint:ignore TL-AWS-029 -- restored from snapshot",
                "inline",
                "trailing",
                "inside an object",
                "after",
                "end of body"
            ]
        );
        for c in &file.comments {
            let raw = &text[c.span.start..c.span.end];
            assert!(raw.starts_with('#') || raw.starts_with("//") || raw.starts_with("/*"), "{raw:?}");
            assert!(!raw.ends_with('\n'));
        }
        let suppression = &file.comments[3];
        assert_eq!(at(text, suppression.span), (5, 35));
        assert!(text[suppression.span.start..suppression.span.end].ends_with("snapshot"));
    }

    #[test]
    fn deep_nesting_is_refused_with_a_location() {
        let depth = MAX_DEPTH * 8;
        let text = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
        let err = parse(&text).expect_err("too deep");
        assert!(err.message.contains("nesting"), "{}", err.message);
        assert_eq!(err.span.start, 4 + MAX_DEPTH);

        let objects = format!("x = {}\n", "{a = ".repeat(depth));
        assert!(parse(&objects).is_err());
        // Nesting hidden in strings, comments and heredocs does not count.
        let quoted = format!(
            "x = \"{}\" # {}\ny = <<EOT\n{}\nEOT\n",
            "[".repeat(depth),
            "{".repeat(depth),
            "(".repeat(depth)
        );
        assert!(parse(&quoted).is_ok());
        // What the parser accepts (up to 64 levels) it handles on an ordinary thread stack.
        let arrays = format!("x = {}1{}\n", "[".repeat(60), "]".repeat(60));
        assert!(parse(&arrays).is_ok());
        let calls = format!("x = {}1{}\n", "f(".repeat(60), ")".repeat(60));
        assert!(parse(&calls).is_ok());
        let blocks = format!("{}{}", "a {\n".repeat(60), "}\n".repeat(60));
        let nested = parse(&blocks).expect("60 nested blocks");
        assert_eq!(nested.blocks.len(), 1);
        let templates = format!("x = {}1{}\n", "\"${".repeat(30), "}\"".repeat(30));
        assert!(parse(&templates).is_ok());
        // Nesting the parser itself refuses is an error too, never a crash.
        let medium = format!("x = {}1{}\n", "[".repeat(100), "]".repeat(100));
        assert!(parse(&medium).is_err());
    }

    #[test]
    fn syntax_errors_are_located() {
        let text = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n";
        let err = parse(text).expect_err("invalid");
        assert!(err.message.contains("expected"), "{}", err.message);
        assert_eq!(at(text, err.span), (2, 12));
        assert!(err.span.is_empty());

        let text = "resource \"aws_s3_bucket\" \"é\" {\n  bucket = \"x\" \"y\"\n}\n";
        let err = parse(text).expect_err("invalid");
        assert_eq!(at(text, err.span), (2, 16));
        assert_eq!(&text[err.span.start..err.span.end], "\"");
    }

    #[test]
    fn tfvars_are_top_level_attributes() {
        let text = "region = \"eu-west-1\"\ncidrs  = [\"10.0.0.0/16\"]\n# note\nsizes = { db = 20 }\n";
        let file = parse(text).expect("parses");
        assert!(file.blocks.is_empty());
        let keys: Vec<&str> = file.attributes.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["region", "cidrs", "sizes"]);
        assert_eq!(at(text, file.attributes[1].key_span), (2, 1));
        assert_eq!(at(text, file.attributes[1].value.span), (2, 10));
        assert_eq!(file.attributes[2].value.get("db").and_then(Node::as_f64), Some(20.0));
        assert_eq!(file.comments.len(), 1);
    }

    fn s(text: &str, start: usize) -> Node {
        Node::new(Span::new(start, start + text.len()), Value::String(text.into()))
    }

    fn map(start: usize, entries: Vec<(&str, Node)>) -> Node {
        let entries: Vec<Entry> = entries
            .into_iter()
            .enumerate()
            .map(|(i, (k, v))| Entry {
                key: k.into(),
                key_span: Span::new(start + i, start + i + 1),
                value: v,
            })
            .collect();
        let end = entries.iter().map(|e| e.value.span.end).max().unwrap_or(start);
        Node::new(Span::new(start, end.max(start + 1)), Value::Map(entries))
    }

    #[test]
    fn terraform_json_reads_like_native_syntax() {
        let body = map(
            300,
            vec![
                ("bucket", s("acme", 310)),
                ("policy", s("${data.aws_iam_policy_document.p.json}", 320)),
                ("literal", s("$${not}", 330)),
                ("//", s("trustlint:ignore TL-AWS-001 -- public site", 340)),
                (
                    "dynamic",
                    map(
                        400,
                        vec![(
                            "rule",
                            map(
                                410,
                                vec![
                                    ("for_each", s("${var.rules}", 420)),
                                    ("content", map(430, vec![("id", s("x", 440))])),
                                ],
                            ),
                        )],
                    ),
                ),
            ],
        );
        let two = Node::new(
            Span::new(100, 500),
            Value::List(vec![map(120, vec![("b", body)]), map(600, vec![("c", map(610, vec![]))])]),
        );
        let root = map(
            0,
            vec![
                ("//", s("generated", 5)),
                ("resource", map(50, vec![("aws_s3_bucket", two)])),
                ("terraform", map(700, vec![("required_version", s(">= 1.5", 710))])),
                ("region", s("eu-west-1", 800)),
            ],
        );
        let file = from_json(&root);
        assert_eq!(file.blocks.len(), 3);
        let b = &file.blocks[0];
        assert_eq!(b.ident, "resource");
        let labels: Vec<&str> = b.labels.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["aws_s3_bucket", "b"]);
        assert_eq!(b.header, b.labels[1].1);
        assert_eq!(b.body.get("bucket").and_then(Node::as_str), Some("acme"));
        assert!(b.body.get("policy").is_some_and(Node::is_expr));
        assert_eq!(b.body.get("literal").and_then(Node::as_str), Some("${not}"));
        assert!(b.body.get("//").is_none() && b.body.get("dynamic").is_none());
        let rules = b.body.get("rule").expect("dynamic content").items();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].get("id").and_then(Node::as_str), Some("x"));
        assert_eq!(file.blocks[1].labels[1].0, "c");
        assert_eq!(file.blocks[2].ident, "terraform");
        assert!(file.blocks[2].labels.is_empty());
        assert_eq!(file.attributes.len(), 1);
        assert_eq!(file.attributes[0].key, "region");
        let texts: Vec<&str> = file.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["generated", "trustlint:ignore TL-AWS-001 -- public site"]);
    }

    #[test]
    fn template_markers_in_json_strings() {
        assert!(is_template("${var.a}"));
        assert!(is_template("x %{ if a }y%{ endif }"));
        assert!(!is_template("$${literal}"));
        assert!(!is_template("cost: $5 {ok}"));
    }
}
