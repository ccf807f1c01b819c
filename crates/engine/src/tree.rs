//! The spanned tree every structured format is parsed into.
//!
//! YAML, JSON and HCL bodies all become [`Node`]s: every map key, value and list item keeps
//! the byte span it was read from, so a finding can point at the exact attribute. Scalars are
//! typed the way the source format types them (YAML 1.2 core schema, so `yes` and `on` stay
//! strings and `0644` keeps its spelling in [`Value::Number`]).

/// A value with the span it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Bytes of the value in its file (for a map or list, the whole collection).
    pub span: crate::Span,
    /// The value.
    pub value: Value,
}

/// A map entry: key, the key's span, and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as text (non-string YAML keys are kept as written).
    pub key: String,
    /// Bytes of the key.
    pub key_span: crate::Span,
    /// The value.
    pub value: Node,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~`, an empty YAML value.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, kept as written (`0644`, `1e3`, `0x1F`).
    Number(String),
    /// A string.
    String(String),
    /// A sequence or list; HCL blocks of one type are collected into a list too.
    List(Vec<Node>),
    /// A mapping or object, in source order.
    Map(Vec<Entry>),
    /// A tagged value (`!Ref x`, `!Sub "..."`): the tag without its `!` and the inner value.
    Tagged(String, Box<Node>),
    /// An expression that was not evaluated statically (a Terraform reference, a function
    /// call, a template with interpolations): its source text.
    Expr(String),
}

impl Node {
    /// A node from a value and a span.
    pub fn new(span: crate::Span, value: Value) -> Self {
        Node { span, value }
    }

    /// The entry for `key` when this is a map.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The value for `key` when this is a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follow a dotted path of map keys (`spec.template.spec`).
    pub fn get_path(&self, path: &str) -> Option<&Node> {
        path.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// The entries when this is a map.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items when this is a list; a single non-list value is seen as a one-item list,
    /// which is how a lone HCL block or a scalar-or-list YAML field reads naturally.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::List(items) => items,
            Value::Null => &[],
            _ => std::slice::from_ref(self),
        }
    }

    /// The string when this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The text of any scalar (string, number, boolean), as written or canonical.
    pub fn scalar_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(Cow::Borrowed(s)),
            Value::Bool(true) => Some(Cow::Borrowed("true")),
            Value::Bool(false) => Some(Cow::Borrowed("false")),
            _ => None,
        }
    }

    /// The boolean when this is a boolean, or a string spelling one (`"true"`, `"false"`).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// The number when this is a number or a string spelling one.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(s) | Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Whether the value is a statically unknown expression.
    pub fn is_expr(&self) -> bool {
        matches!(self.value, Value::Expr(_))
    }

    /// Whether the value cannot be known statically: an unevaluated expression, a tagged
    /// value (`!Ref x`), or a CloudFormation intrinsic in its long form (`{"Ref": "x"}`,
    /// `{"Fn::If": [...]}`) that the template did not decide.
    pub fn is_unknown(&self) -> bool {
        match &self.value {
            Value::Expr(_) | Value::Tagged(..) => true,
            Value::Map(entries) => {
                entries.len() == 1
                    && entries.first().is_some_and(|e| e.key == "Ref" || e.key == "Condition" || e.key.starts_with("Fn::"))
            }
            _ => false,
        }
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The tag and inner node when this is a tagged value.
    pub fn as_tagged(&self) -> Option<(&str, &Node)> {
        match &self.value {
            Value::Tagged(tag, inner) => Some((tag, inner)),
            _ => None,
        }
    }
}

/// A comment with its span (the span covers the comment marker and text, not the newline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Bytes of the comment, marker included.
    pub span: crate::Span,
    /// The comment text without its marker (`#`, `//`, `/* */`), trimmed.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn s(v: &str) -> Node {
        Node::new(Span::default(), Value::String(v.into()))
    }

    #[test]
    fn paths_and_items() {
        let inner = Node::new(
            Span::default(),
            Value::Map(vec![Entry { key: "b".into(), key_span: Span::default(), value: s("x") }]),
        );
        let root = Node::new(
            Span::default(),
            Value::Map(vec![Entry { key: "a".into(), key_span: Span::default(), value: inner }]),
        );
        assert_eq!(root.get_path("a.b").and_then(Node::as_str), Some("x"));
        assert!(root.get_path("a.c").is_none());
        assert_eq!(s("y").items().len(), 1);
        assert_eq!(Node::new(Span::default(), Value::Null).items().len(), 0);
    }
}
