//! Values of Terraform expressions as the evaluator computes them, and their conversions to
//! and from the engine's spanned tree and JSON.
//!
//! A value may be partly known: a list whose second item is unknown is still a list of two.
//! An unknown value carries the source text it stands for (`aws_s3_bucket.b.id`), which the
//! tree keeps as a [`Value::Expr`] so that relations still recognise the reference.

use std::fmt::Write as _;

use crate::parse::MAX_DEPTH;
use crate::{Entry, Node, Span, Value};

/// A Terraform value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as written or canonically formatted.
    Number(String),
    /// A string.
    String(String),
    /// A list, tuple or set.
    List(Vec<Val>),
    /// A map or object, in insertion order.
    Map(Vec<(String, Val)>),
    /// A string holding the JSON encoding of the inner value (`jsonencode(...)`, a policy
    /// document): a string to string functions, a tree to rules.
    Json(Box<Val>),
    /// Not known statically: the source text it stands for (empty until the evaluator
    /// fills it with the text of the expression that produced it).
    Unknown(String),
}

/// Why an expression has no value (an attribute a known object lacks, a type mismatch): the
/// difference from unknown matters to `try` and `can`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault(pub(crate) String);

/// The result of evaluating an expression.
pub(crate) type Outcome = Result<Val, Fault>;

/// A fault with a message.
pub(crate) fn fault<T>(message: impl Into<String>) -> Result<T, Fault> {
    Err(Fault(message.into()))
}

impl Val {
    /// An unknown value whose text the evaluator fills in.
    pub(crate) fn unknown() -> Val {
        Val::Unknown(String::new())
    }

    /// A number from a float, formatted the way Terraform prints it (`3`, not `3.0`).
    pub(crate) fn number(value: f64) -> Val {
        Val::Number(format_number(value))
    }

    /// A string value.
    pub(crate) fn string(text: impl Into<String>) -> Val {
        Val::String(text.into())
    }

    /// Whether this is unknown (at the top level).
    pub(crate) fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown(_))
    }

    /// The size of the value, for the evaluation's budget (nodes, and strings by length),
    /// counted up to `limit`.
    pub(crate) fn weight(&self, limit: usize) -> usize {
        let mut total = 0;
        let mut stack = vec![self];
        while let Some(value) = stack.pop() {
            total += match value {
                Val::String(s) | Val::Number(s) | Val::Unknown(s) => 1 + s.len() / 16,
                Val::List(items) => {
                    stack.extend(items);
                    1
                }
                Val::Map(entries) => {
                    stack.extend(entries.iter().map(|(_, v)| v));
                    1 + entries.len()
                }
                Val::Json(inner) => {
                    stack.push(inner);
                    1
                }
                Val::Null | Val::Bool(_) => 1,
            };
            if total >= limit {
                return limit;
            }
        }
        total
    }

    /// The number, when this is a number or a string spelling one.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Number(raw) | Val::String(raw) => parse_number(raw),
            _ => None,
        }
    }

    /// The entry for `key` of a map.
    pub(crate) fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a primitive, as string interpolation and `tostring` give it: `Ok(None)`
    /// when unknown, a fault for collections and null.
    pub(crate) fn to_text(&self) -> Result<Option<String>, Fault> {
        match self {
            Val::String(s) => Ok(Some(s.clone())),
            Val::Number(raw) => Ok(Some(canonical_number(raw))),
            Val::Bool(b) => Ok(Some(b.to_string())),
            Val::Json(inner) => Ok(to_json(inner)),
            Val::Unknown(_) => Ok(None),
            Val::Null => fault("a null value cannot be used as a string"),
            Val::List(_) | Val::Map(_) => fault("a collection cannot be used as a string"),
        }
    }

    /// The boolean of a bool, or of a string spelling one (Terraform converts).
    pub(crate) fn to_bool(&self) -> Result<Option<bool>, Fault> {
        match self {
            Val::Bool(b) => Ok(Some(*b)),
            Val::String(s) if s == "true" => Ok(Some(true)),
            Val::String(s) if s == "false" => Ok(Some(false)),
            Val::Unknown(_) => Ok(None),
            other => fault(format!("{} is not a boolean", other.type_name())),
        }
    }

    /// A short name of the value's type, for fault messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "bool",
            Val::Number(_) => "number",
            Val::String(_) | Val::Json(_) => "string",
            Val::List(_) => "list",
            Val::Map(_) => "object",
            Val::Unknown(_) => "unknown",
        }
    }

    /// Deep equality: `None` when an unknown part decides it.
    pub(crate) fn equals(&self, other: &Val) -> Option<bool> {
        match (self, other) {
            (Val::Unknown(_), _) | (_, Val::Unknown(_)) => None,
            (Val::Number(a), Val::Number(b)) => Some(match (parse_number(a), parse_number(b)) {
                (Some(x), Some(y)) => x == y,
                _ => a == b,
            }),
            (Val::Json(a), Val::Json(b)) => a.equals(b),
            (Val::Json(a), Val::String(s)) | (Val::String(s), Val::Json(a)) => to_json(a).map(|j| j == *s),
            (Val::List(a), Val::List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                all_equal(a.iter().zip(b))
            }
            (Val::Map(a), Val::Map(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                let mut pairs = Vec::with_capacity(a.len());
                for (key, value) in a {
                    match b.iter().find(|(k, _)| k == key) {
                        Some((_, other)) => pairs.push((value, other)),
                        None => return Some(false),
                    }
                }
                all_equal(pairs.into_iter())
            }
            (a, b) => Some(a == b),
        }
    }

    /// Replace the text of every unknown part (values crossing into a module are known there
    /// by the variable's name, not by the caller's expression).
    pub(crate) fn retext(self, text: &str) -> Val {
        match self {
            Val::Unknown(_) => Val::Unknown(text.to_string()),
            Val::List(items) => Val::List(items.into_iter().map(|v| v.retext(text)).collect()),
            Val::Map(entries) => Val::Map(entries.into_iter().map(|(k, v)| (k, v.retext(text))).collect()),
            Val::Json(inner) => Val::Json(Box::new(inner.retext(text))),
            other => other,
        }
    }
}

fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Val, &'a Val)>) -> Option<bool> {
    let mut unknown = false;
    for (a, b) in pairs {
        match a.equals(b) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown { None } else { Some(true) }
}

/// A number literal's value (decimal, with exponent; Terraform has no other spellings).
pub(crate) fn parse_number(raw: &str) -> Option<f64> {
    raw.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A number as Terraform prints it: integers without a fraction.
pub(crate) fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        // The cast is exact: the value is integral and well inside i64.
        #[allow(clippy::cast_possible_truncation)]
        let integer = value as i64;
        integer.to_string()
    } else {
        value.to_string()
    }
}

/// The canonical spelling of a number written `raw` (`1.50` prints as `1.5`).
fn canonical_number(raw: &str) -> String {
    parse_number(raw).map_or_else(|| raw.to_string(), format_number)
}

/// The JSON encoding Terraform's `jsonencode` gives (object keys sorted), or `None` when a
/// part is unknown.
pub(crate) fn to_json(value: &Val) -> Option<String> {
    let mut out = String::new();
    write_json(value, &mut out, 0).then_some(out)
}

fn write_json(value: &Val, out: &mut String, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match value {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Number(raw) => match parse_number(raw) {
            Some(f) => out.push_str(&format_number(f)),
            None => return false,
        },
        Val::String(s) => write_json_string(s, out),
        Val::Json(inner) => match to_json(inner) {
            Some(text) => write_json_string(&text, out),
            None => return false,
        },
        Val::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !write_json(item, out, depth + 1) {
                    return false;
                }
            }
            out.push(']');
        }
        Val::Map(entries) => {
            let mut sorted: Vec<&(String, Val)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (key, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                if !write_json(item, out, depth + 1) {
                    return false;
                }
            }
            out.push('}');
        }
        Val::Unknown(_) => return false,
    }
    true
}

fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Terraform escapes these for safe embedding in HTML, as Go's encoder does.
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Decode a JSON text (`jsondecode`, a policy document): `None` when it is not JSON.
pub(crate) fn from_json(text: &str) -> Option<Val> {
    // serde_json refuses nesting beyond 128 levels by itself: no stack risk.
    let parsed: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(json_to_val(&parsed))
}

fn json_to_val(value: &serde_json::Value) -> Val {
    match value {
        serde_json::Value::Null => Val::Null,
        serde_json::Value::Bool(b) => Val::Bool(*b),
        serde_json::Value::Number(n) => Val::Number(n.to_string()),
        serde_json::Value::String(s) => Val::String(s.clone()),
        serde_json::Value::Array(items) => Val::List(items.iter().map(json_to_val).collect()),
        serde_json::Value::Object(map) => {
            Val::Map(map.iter().map(|(k, v)| (k.clone(), json_to_val(v))).collect())
        }
    }
}

/// The tree of a value, every node spanning `span` (the expression it came from). An
/// unknown part becomes an expression with its text (`fallback` when it has none).
pub(crate) fn to_node(value: &Val, span: Span, fallback: &str) -> Node {
    to_node_at(value, span, fallback, 0)
}

fn to_node_at(value: &Val, span: Span, fallback: &str, depth: usize) -> Node {
    if depth > MAX_DEPTH {
        return Node::new(span, Value::Expr(fallback.to_string()));
    }
    let converted = match value {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Number(raw) => Value::Number(raw.clone()),
        Val::String(s) => Value::String(s.clone()),
        Val::List(items) => {
            Value::List(items.iter().map(|item| to_node_at(item, span, fallback, depth + 1)).collect())
        }
        Val::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(key, item)| Entry {
                    key: key.clone(),
                    key_span: span,
                    value: to_node_at(item, span, fallback, depth + 1),
                })
                .collect(),
        ),
        Val::Json(inner) => return to_node_at(inner, span, fallback, depth + 1),
        Val::Unknown(text) if text.is_empty() => Value::Expr(fallback.to_string()),
        Val::Unknown(text) => Value::Expr(text.clone()),
    };
    Node::new(span, converted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Val {
        Val::string(text)
    }

    #[test]
    fn json_encoding_sorts_keys_and_escapes_like_terraform() {
        let value = Val::Map(vec![
            ("b".into(), Val::List(vec![Val::Number("1.50".into()), Val::Bool(true), Val::Null])),
            ("a".into(), s("<x>\"\n")),
        ]);
        assert_eq!(to_json(&value).as_deref(), Some(r#"{"a":"\u003cx\u003e\"\n","b":[1.5,true,null]}"#));
        assert_eq!(to_json(&Val::List(vec![Val::unknown()])), None);
        let nested = Val::Json(Box::new(Val::Map(vec![("k".into(), s("v"))])));
        assert_eq!(to_json(&nested).as_deref(), Some(r#""{\"k\":\"v\"}""#));
    }

    #[test]
    fn json_decoding_round_trips() {
        let value = from_json(r#"{"Statement":[{"Effect":"Allow","Action":["s3:*"],"N":2}]}"#).expect("json");
        let statement = match value.get("Statement") {
            Some(Val::List(items)) => &items[0],
            other => panic!("{other:?}"),
        };
        assert_eq!(statement.get("Effect"), Some(&s("Allow")));
        assert_eq!(statement.get("N").and_then(Val::as_f64), Some(2.0));
        assert!(from_json("{not json").is_none());
    }

    #[test]
    fn equality_is_deep_numeric_and_three_valued() {
        assert_eq!(Val::Number("1".into()).equals(&Val::Number("1.0".into())), Some(true));
        let a = Val::Map(vec![("x".into(), s("1")), ("y".into(), Val::Bool(true))]);
        let b = Val::Map(vec![("y".into(), Val::Bool(true)), ("x".into(), s("1"))]);
        assert_eq!(a.equals(&b), Some(true));
        assert_eq!(
            Val::List(vec![Val::unknown(), s("a")]).equals(&Val::List(vec![s("b"), s("b")])),
            Some(false)
        );
        assert_eq!(Val::List(vec![Val::unknown()]).equals(&Val::List(vec![s("b")])), None);
        let json = Val::Json(Box::new(Val::List(vec![s("a")])));
        assert_eq!(json.equals(&s(r#"["a"]"#)), Some(true));
    }

    #[test]
    fn texts_and_numbers() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(Val::Number("2.50".into()).to_text(), Ok(Some("2.5".into())));
        assert_eq!(Val::Bool(false).to_text(), Ok(Some("false".into())));
        assert_eq!(Val::unknown().to_text(), Ok(None));
        assert!(Val::Null.to_text().is_err());
        assert_eq!(s("true").to_bool(), Ok(Some(true)));
        assert!(s("yes").to_bool().is_err());
    }

    #[test]
    fn trees_keep_the_expression_span_everywhere() {
        let span = Span::new(10, 20);
        let value = Val::Map(vec![
            ("a".into(), Val::List(vec![s("x"), Val::Unknown("aws_s3_bucket.b.arn".into())])),
            ("b".into(), Val::unknown()),
        ]);
        let node = to_node(&value, span, "local.x");
        assert_eq!(node.span, span);
        let entry = node.entry("a").expect("a");
        assert_eq!(entry.key_span, span);
        let items = entry.value.items();
        assert_eq!(items[0].as_str(), Some("x"));
        assert_eq!(items[1].value, Value::Expr("aws_s3_bucket.b.arn".into()));
        assert_eq!(items[1].span, span);
        assert_eq!(node.get("b").map(|n| &n.value), Some(&Value::Expr("local.x".into())));
    }

    #[test]
    fn retext_renames_every_unknown_part() {
        let value = Val::List(vec![s("a"), Val::Unknown("aws_s3_bucket.b.id".into())]).retext("var.ids");
        assert_eq!(value, Val::List(vec![s("a"), Val::Unknown("var.ids".into())]));
    }
}
