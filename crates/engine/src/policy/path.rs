//! Paths into a resource body: `ingress[*].cidr_blocks[*]`, `metadata.annotations["a.b/c"]`,
//! `$.engine` (the resource root from inside `each`), `@pod.hostNetwork`, `@containers[*]`.
//!
//! Keys applied to a list apply to every item (an HCL block type is a list of blocks), so
//! `versioning.enabled` reads naturally whether one block or several were written.

use crate::model::kubernetes;
use crate::{Node, Resource, Value};

/// Where a path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// The node being judged: the resource body, or the element inside `each`.
    Current,
    /// The resource body, even inside `each` (`$.`).
    Resource,
    /// The Kubernetes pod spec (`@pod`).
    Pod,
    /// Every container of the pod spec, init and ephemeral ones included (`@containers`).
    Containers,
    /// The effective data-classification tag value (`@classification`).
    Classification,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
    /// Every item of a list, or every value of a map.
    Wildcard,
}

/// A compiled path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// Where it starts.
    pub root: Root,
    /// The steps.
    pub segments: Vec<Segment>,
    /// As written, for messages.
    pub text: String,
}

/// The nodes a path reaches, and whether an unknown value was in the way.
#[derive(Debug, Default)]
pub struct Resolved<'a> {
    /// Nodes reached (nulls excluded: a null attribute is an unset attribute).
    pub nodes: Vec<&'a Node>,
    /// Set when an expression not known statically stood where the path had to go through.
    pub unknown: bool,
}

/// Most nodes a single path may reach, so a hostile file cannot make a policy run long.
const MAX_REACHED: usize = 100_000;

impl Path {
    /// Parse a path.
    pub fn parse(text: &str) -> Result<Path, String> {
        let trimmed = text.trim();
        let (root, rest) = if let Some(rest) = trimmed.strip_prefix("@classification") {
            (Root::Classification, rest)
        } else if let Some(rest) = trimmed.strip_prefix("@containers") {
            (Root::Containers, rest)
        } else if let Some(rest) = trimmed.strip_prefix("@pod") {
            (Root::Pod, rest)
        } else if let Some(rest) = trimmed.strip_prefix('$') {
            (Root::Resource, rest)
        } else if trimmed.starts_with('@') {
            return Err(format!(
                "unknown path root in `{text}` (known: `$`, `@pod`, `@containers`, `@classification`)"
            ));
        } else {
            (Root::Current, trimmed)
        };
        let mut segments = Vec::new();
        let mut chars = rest.char_indices().peekable();
        let mut key = String::new();
        let flush = |key: &mut String, segments: &mut Vec<Segment>| {
            if !key.is_empty() {
                segments.push(Segment::Key(std::mem::take(key)));
            }
        };
        while let Some((_, c)) = chars.next() {
            match c {
                '.' => {
                    flush(&mut key, &mut segments);
                }
                '[' => {
                    flush(&mut key, &mut segments);
                    let mut inner = String::new();
                    let mut closed = false;
                    let mut quote: Option<char> = None;
                    for (_, c) in chars.by_ref() {
                        match (quote, c) {
                            (None, ']') => {
                                closed = true;
                                break;
                            }
                            (None, '"' | '\'') => quote = Some(c),
                            (Some(q), c) if c == q => quote = None,
                            (_, c) => inner.push(c),
                        }
                    }
                    if !closed {
                        return Err(format!("unclosed `[` in path `{text}`"));
                    }
                    let inner_trimmed = inner.trim();
                    let segment = if inner_trimmed == "*" && !inner.contains('"') {
                        Segment::Wildcard
                    } else if let Ok(index) = inner_trimmed.parse::<usize>() {
                        Segment::Index(index)
                    } else if inner.is_empty() {
                        return Err(format!("empty `[]` in path `{text}`"));
                    } else {
                        Segment::Key(inner)
                    };
                    segments.push(segment);
                }
                ']' => return Err(format!("unexpected `]` in path `{text}`")),
                c if c.is_whitespace() => {
                    return Err(format!("space in path `{text}` (quote keys with spaces: `a[\"b c\"]`)"));
                }
                c => key.push(c),
            }
        }
        flush(&mut key, &mut segments);
        if segments.is_empty() && root == Root::Current && trimmed != "." {
            return Err("empty path (use `.` for the node itself)".into());
        }
        Ok(Path { root, segments, text: text.to_string() })
    }

    /// Resolve from `current` (the resource body or an `each` element) within `resource`.
    pub fn resolve<'a>(&self, current: Option<&'a Node>, resource: &Resource<'a>) -> Resolved<'a> {
        let mut resolved = Resolved::default();
        let start: Vec<&'a Node> = match self.root {
            Root::Current => current.into_iter().collect(),
            Root::Resource => resource.body.into_iter().collect(),
            Root::Pod => resource.pod_spec.into_iter().collect(),
            Root::Classification => resource.classification.into_iter().collect(),
            Root::Containers => {
                resource.pod_spec.map(|pod| kubernetes::containers(pod).collect()).unwrap_or_default()
            }
        };
        let mut frontier = start;
        for segment in &self.segments {
            let mut next = Vec::new();
            for node in frontier {
                step(node, segment, &mut next, &mut resolved.unknown);
                if next.len() > MAX_REACHED {
                    resolved.unknown = true;
                    break;
                }
            }
            frontier = next;
        }
        resolved.nodes = frontier.into_iter().filter(|n| !n.is_null()).collect();
        resolved
    }
}

fn step<'a>(node: &'a Node, segment: &Segment, next: &mut Vec<&'a Node>, unknown: &mut bool) {
    if node.is_unknown() {
        *unknown = true;
        return;
    }
    match (&node.value, segment) {
        (Value::Expr(_) | Value::Tagged(..), _) => *unknown = true,
        (Value::Map(_), Segment::Key(key)) => next.extend(node.get(key)),
        (Value::Map(entries), Segment::Wildcard) => next.extend(entries.iter().map(|e| &e.value)),
        (Value::List(items), Segment::Key(_)) => {
            for item in items {
                step(item, segment, next, unknown);
            }
        }
        (Value::List(items), Segment::Wildcard) => next.extend(items.iter()),
        (Value::List(items), Segment::Index(i)) => next.extend(items.get(*i)),
        // A scalar where a list was expected is read as a one-item list.
        (Value::String(_) | Value::Number(_) | Value::Bool(_), Segment::Wildcard | Segment::Index(0)) => {
            next.push(node)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        let p = Path::parse("ingress[*].cidr_blocks[0]").expect("valid");
        assert_eq!(p.root, Root::Current);
        assert_eq!(
            p.segments,
            [
                Segment::Key("ingress".into()),
                Segment::Wildcard,
                Segment::Key("cidr_blocks".into()),
                Segment::Index(0)
            ]
        );
        let q = Path::parse("metadata.annotations[\"kubernetes.io/ingress.class\"]").expect("valid");
        assert_eq!(q.segments[2], Segment::Key("kubernetes.io/ingress.class".into()));
        assert_eq!(Path::parse("$.engine").expect("valid").root, Root::Resource);
        assert_eq!(Path::parse("@containers[*].image").expect("valid").root, Root::Containers);
        assert!(Path::parse("a[").is_err());
        assert!(Path::parse("a b").is_err());
        assert!(Path::parse("@nope.x").is_err());
        assert!(Path::parse("").is_err());
    }
}
