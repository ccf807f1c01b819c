//! Building [`Node`] trees straight from saphyr-parser events.
//!
//! The builder keeps an explicit stack of open collections (the parser itself is a state
//! machine), so nesting costs heap, not call stack, and is cut at [`depth_limit`]. Anchored
//! nodes are kept (cloned) when they complete; an alias clones them again, and both are
//! bounded by budgets so that an alias bomb fails fast with a located error.

use super::{
    layout,
    offsets::CharOffsets,
    scalar::{self, TagKind},
};
use crate::parse::{ParseError, depth_limit};
use crate::{Entry, Node, Span, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Most nodes that alias expansion may create in one YAML stream.
pub const ALIAS_BUDGET: usize = 100_000;

/// Most nodes of anchored subtrees kept for later aliases in one stream. A subtree over the
/// budget is not kept, and an alias to it is an error; an anchor that no alias uses costs
/// nothing beyond this copy.
const ANCHOR_BUDGET: usize = 1_000_000;

/// Maps with more entries than this look for duplicate keys with a hash set.
const LINEAR_DUPLICATE_SCAN: usize = 16;

/// The documents of a stream and where its scalars are.
pub(super) struct Built {
    /// The documents' roots.
    pub(super) documents: Vec<Node>,
    /// Bytes where a `#` belongs to a scalar (quoted, plain, or block content).
    pub(super) scalar_spans: Vec<Span>,
}

/// Parse `text` into documents.
pub(super) fn build(text: &str, alias_budget: usize) -> Result<Built, ParseError> {
    let mut builder = Builder::new(text);
    builder.alias_budget = alias_budget;
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, marks) = next.map_err(|e| builder.scan_error(&e))?;
        builder.on_event(event, marks)?;
    }
    Ok(Built { documents: builder.documents, scalar_spans: builder.scalar_spans })
}

/// A node just completed, on its way into its parent.
struct Completed {
    node: Node,
    /// Where it was read: the alias token for an alias (the node keeps its anchor's spans).
    source: Span,
    /// Nodes in it (for the alias budget).
    size: usize,
    /// Collections nested in it, itself included.
    height: usize,
    /// A plain, untagged `<<`: a merge key when it is a mapping key.
    merge_key: bool,
    /// An empty plain scalar the parser made up for a missing value (`key:`, an empty document).
    absent: bool,
}

/// A key read, waiting for its value.
struct PendingKey {
    text: String,
    span: Span,
    merge: bool,
}

enum Items {
    Seq(Vec<Node>),
    Map { entries: Vec<Entry>, key: Option<PendingKey>, merges: Vec<usize> },
}

/// An open collection.
struct Frame {
    items: Items,
    /// First byte of the collection itself (after its properties).
    start: usize,
    /// The tag and where it starts.
    tag: Option<(TagKind, usize)>,
    anchor: usize,
    /// `[...]` or `{...}`: the closing bracket ends it; a block collection ends with its last
    /// item.
    flow: bool,
    /// End of the last thing read in it.
    end: usize,
    size: usize,
    height: usize,
}

/// An anchored node kept for aliases.
enum Anchored {
    Kept { node: Node, size: usize, height: usize },
    TooLarge,
}

struct Builder<'t> {
    text: &'t str,
    offsets: CharOffsets<'t>,
    stack: Vec<Frame>,
    documents: Vec<Node>,
    root: Option<Node>,
    anchors: HashMap<usize, Anchored>,
    /// Nodes created by aliases so far.
    expanded: usize,
    /// Most nodes aliases may create (see [`ALIAS_BUDGET`]).
    alias_budget: usize,
    /// Nodes kept in `anchors` so far.
    retained: usize,
    scalar_spans: Vec<Span>,
    /// End of the previous event: a block scalar's indicator is searched from here.
    cursor: usize,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Builder {
            text,
            offsets: CharOffsets::new(text),
            stack: Vec::new(),
            documents: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            expanded: 0,
            alias_budget: ALIAS_BUDGET,
            retained: 0,
            scalar_spans: Vec::new(),
            cursor: 0,
        }
    }

    fn scan_error(&mut self, e: &ScanError) -> ParseError {
        let at = self.offsets.byte(e.marker().index());
        ParseError::new(e.info(), Span::point(at))
    }

    fn on_event(&mut self, event: Event<'_>, marks: saphyr_parser::Span) -> Result<(), ParseError> {
        let start = self.offsets.byte(marks.start.index());
        let end = self.offsets.byte(marks.end.index()).max(start);
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(_) => {
                // Anchors are scoped to their document.
                self.anchors.clear();
                self.root = None;
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    self.documents.push(root);
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style, anchor, tag.as_deref(), Span::new(start, end))?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Items::Seq(Vec::new()), anchor, tag.as_deref(), Span::new(start, end))?;
            }
            Event::MappingStart(anchor, tag) => {
                let items = Items::Map { entries: Vec::new(), key: None, merges: Vec::new() };
                self.open(items, anchor, tag.as_deref(), Span::new(start, end))?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(end)?,
            Event::Alias(id) => self.alias(id, Span::new(start, end))?,
        }
        self.cursor = self.cursor.max(end);
        Ok(())
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        event: Span,
    ) -> Result<(), ParseError> {
        let has_properties = anchor > 0 || tag.is_some();
        let (span, tag_start) = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            self.block_scalar_span(event, has_properties)
        } else if has_properties {
            let content = layout::content_after_properties(self.text, event.start, event.end);
            (Span::new(content.start, event.end), content.tag_start)
        } else if value.is_empty() && style == ScalarStyle::Plain {
            // A made-up empty value: the parser points it at the next token, often the
            // `:` of its own key; put it just after that colon.
            let at = if self.text.as_bytes().get(event.start) == Some(&b':') {
                event.start + 1
            } else {
                event.start
            };
            (Span::point(at), None)
        } else {
            (event, None)
        };
        if !span.is_empty() && !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            self.scalar_spans.push(span);
        }

        let kind = tag.map(TagKind::of);
        let plain = style == ScalarStyle::Plain;
        let merge_key = plain && kind.is_none() && value == "<<";
        let absent = plain && !has_properties && value.is_empty();
        let text = value.into_owned();
        let resolved = match &kind {
            None | Some(TagKind::Custom(_)) if plain => scalar::resolve_plain(text),
            None | Some(TagKind::Custom(_)) => Value::String(text),
            Some(core) => scalar::resolve_core(text, core).map_err(|m| ParseError::new(m, span))?,
        };
        let mut node = Node::new(span, resolved);
        if let Some(TagKind::Custom(name)) = kind {
            let outer = Span::new(tag_start.unwrap_or(span.start), span.end);
            node = Node::new(outer, Value::Tagged(name, Box::new(node)));
        }
        let source = node.span;
        if anchor > 0 {
            self.keep_anchor(anchor, &node, 1, 0);
        }
        self.push(Completed { node, source, size: 1, height: 0, merge_key, absent });
        Ok(())
    }

    /// Span of a block scalar from its indicator to the end of its content, and its tag's
    /// start. Records where its content lies for the comment finder.
    fn block_scalar_span(&mut self, event: Span, has_properties: bool) -> (Span, Option<usize>) {
        let from = if has_properties { event.start } else { self.cursor.min(event.start) };
        let Some(indicator) = layout::block_indicator(self.text, from, event.end) else {
            return (event, None);
        };
        let header_end = layout::block_header_end(self.text, indicator.start);
        let header_line_end = layout::line_end(self.text, indicator.start);
        let mut end = layout::trim_end(self.text, header_end, event.end);
        if end <= header_line_end {
            // No content: the scalar is its header (a comment after it is not part of it).
            end = header_end;
        } else {
            self.scalar_spans.push(Span::new(header_line_end, end));
        }
        (Span::new(indicator.start, end), indicator.tag_start)
    }

    fn open(
        &mut self,
        items: Items,
        anchor: usize,
        tag: Option<&Tag>,
        event: Span,
    ) -> Result<(), ParseError> {
        if self.stack.len() >= depth_limit() {
            return Err(too_deep(Span::point(event.start)));
        }
        let (start, tag_start) = if anchor > 0 || tag.is_some() {
            let content = layout::content_after_properties(self.text, event.start, self.text.len());
            (content.start, content.tag_start)
        } else {
            (event.start, None)
        };
        let flow = matches!(self.text.as_bytes().get(start), Some(b'[' | b'{'));
        let start = match items {
            // An indentless sequence (`key:` then `- a` at the key's indentation) starts its
            // event at the first item: move back to its `-`.
            Items::Seq(_) if !flow => layout::dash_before(self.text, start).unwrap_or(start),
            _ => start,
        };
        let tag = tag.map(|t| (TagKind::of(t), tag_start.unwrap_or(start)));
        let end = if flow { start + 1 } else { start };
        self.stack.push(Frame { items, start, tag, anchor, flow, end, size: 0, height: 0 });
        Ok(())
    }

    fn close(&mut self, close_end: usize) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let end = if frame.flow { frame.end.max(close_end) } else { frame.end };
        let span = Span::new(frame.start, end);
        let is_map = matches!(frame.items, Items::Map { .. });
        let value = match frame.items {
            Items::Seq(items) => Value::List(items),
            Items::Map { entries, merges, .. } => Value::Map(finish_map(entries, &merges)?),
        };
        let mut node = Node::new(span, value);
        match frame.tag {
            None | Some((TagKind::Map, _)) if is_map => {}
            None | Some((TagKind::Seq, _)) if !is_map => {}
            Some((TagKind::Custom(name), tag_start)) => {
                node = Node::new(Span::new(tag_start, end), Value::Tagged(name, Box::new(node)));
            }
            Some((kind, tag_start)) => {
                let noun = if is_map { "a mapping" } else { "a sequence" };
                let message = format!("{} cannot be applied to {noun}", kind.describe());
                return Err(ParseError::new(message, Span::new(tag_start, end)));
            }
            None => {}
        }
        let size = frame.size + 1;
        let height = frame.height + 1;
        if frame.anchor > 0 {
            self.keep_anchor(frame.anchor, &node, size, height);
        }
        let source = node.span;
        self.push(Completed { node, source, size, height, merge_key: false, absent: false });
        Ok(())
    }

    fn alias(&mut self, id: usize, at: Span) -> Result<(), ParseError> {
        let (node, size, height) = match self.anchors.get(&id) {
            Some(Anchored::Kept { node, size, height }) => (node, *size, *height),
            Some(Anchored::TooLarge) => {
                return Err(ParseError::new(
                    format!(
                        "alias to an anchored value too large to expand (over {} nodes)",
                        self.alias_budget
                    ),
                    at,
                ));
            }
            None => {
                return Err(ParseError::new("alias to an anchor that contains it (recursive alias)", at));
            }
        };
        if self.expanded + size > self.alias_budget {
            return Err(ParseError::new(
                format!("aliases expand to more than {} nodes (max-yaml-alias-nodes)", self.alias_budget),
                at,
            ));
        }
        if self.stack.len() + height > depth_limit() {
            return Err(too_deep(at));
        }
        self.expanded += size;
        let node = node.clone();
        self.push(Completed { node, source: at, size, height, merge_key: false, absent: false });
        Ok(())
    }

    fn keep_anchor(&mut self, id: usize, node: &Node, size: usize, height: usize) {
        let kept = if size <= self.alias_budget && self.retained + size <= ANCHOR_BUDGET {
            self.retained += size;
            Anchored::Kept { node: node.clone(), size, height }
        } else {
            Anchored::TooLarge
        };
        self.anchors.insert(id, kept);
    }

    fn push(&mut self, done: Completed) {
        let Some(frame) = self.stack.last_mut() else {
            if !done.absent {
                self.root = Some(done.node);
            }
            return;
        };
        frame.end = frame.end.max(done.source.end);
        frame.size += done.size;
        frame.height = frame.height.max(done.height);
        match &mut frame.items {
            Items::Seq(items) => items.push(done.node),
            Items::Map { entries, key, merges } => match key.take() {
                None => {
                    let text = key_text(self.text, done.node);
                    *key = Some(PendingKey { text, span: done.source, merge: done.merge_key });
                }
                Some(pending) => {
                    if pending.merge {
                        merges.push(entries.len());
                    }
                    entries.push(Entry { key: pending.text, key_span: pending.span, value: done.node });
                }
            },
        }
    }
}

fn too_deep(span: Span) -> ParseError {
    ParseError::new(format!("nesting deeper than {} levels", depth_limit()), span)
}

/// A mapping key as text: strings and numbers as read, anything else as written in the source
/// (`true`, `~`, `[a, b]`).
fn key_text(text: &str, node: Node) -> String {
    match node.value {
        Value::String(s) | Value::Number(s) => s,
        Value::Tagged(_, inner) => key_text(text, *inner),
        _ => text.get(node.span.start..node.span.end).unwrap_or("").to_owned(),
    }
}

/// A key for a message: long keys (complex keys are whole collections) are cut.
fn key_for_message(key: &str) -> Cow<'_, str> {
    const LIMIT: usize = 60;
    match key.char_indices().nth(LIMIT) {
        Some((at, _)) => Cow::Owned(format!("{}...", key.get(..at).unwrap_or(""))),
        None => Cow::Borrowed(key),
    }
}

/// Reject duplicate keys, then apply merge keys (`<<: *base`, `<<: [*a, *b]`): merged entries
/// take the place of the `<<` entry, keys written in the mapping win, and among merged
/// mappings the first one listed wins.
fn finish_map(entries: Vec<Entry>, merges: &[usize]) -> Result<Vec<Entry>, ParseError> {
    if let Some(dup) = first_duplicate(&entries) {
        let message = format!("duplicate key `{}` in mapping", key_for_message(&dup.key));
        return Err(ParseError::new(message, dup.key_span));
    }
    if merges.is_empty() {
        return Ok(entries);
    }
    let explicit: HashSet<String> =
        entries.iter().enumerate().filter(|(i, _)| !merges.contains(i)).map(|(_, e)| e.key.clone()).collect();
    let mut merged_keys = HashSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        if !merges.contains(&i) {
            out.push(entry);
            continue;
        }
        let sources = match entry.value.value {
            Value::Map(from) => vec![from],
            Value::List(items) if items.iter().all(|n| matches!(n.value, Value::Map(_))) => items
                .into_iter()
                .filter_map(|n| match n.value {
                    Value::Map(from) => Some(from),
                    _ => None,
                })
                .collect(),
            _ => {
                return Err(ParseError::new(
                    "the merge key `<<` needs a mapping or a list of mappings",
                    entry.key_span,
                ));
            }
        };
        for merged in sources.into_iter().flatten() {
            if !explicit.contains(&merged.key) && merged_keys.insert(merged.key.clone()) {
                out.push(merged);
            }
        }
    }
    Ok(out)
}

/// The first entry whose key an earlier entry already has.
fn first_duplicate(entries: &[Entry]) -> Option<&Entry> {
    if entries.len() <= LINEAR_DUPLICATE_SCAN {
        return entries
            .iter()
            .enumerate()
            .find(|(i, e)| entries.get(..*i).is_some_and(|before| before.iter().any(|b| b.key == e.key)))
            .map(|(_, e)| e);
    }
    let mut seen = HashSet::with_capacity(entries.len());
    entries.iter().find(|e| !seen.insert(e.key.as_str()))
}
