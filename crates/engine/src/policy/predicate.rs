//! Leaf tests on one node, three-valued: `Some(true)`, `Some(false)`, or `None` when the
//! node's value is not known statically.

use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

use crate::{Node, Value};

/// Largest compiled regex a policy may use (bytes): matching stays linear and bounded.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A policy's regular expression: built when the policy is compiled, or, for policies already
/// known to compile (the built-in pack), the first time a value is tested, so that start-up
/// does not pay for regexes of rules no file needs.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    regex: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// Build the regex now.
    ///
    /// # Errors
    /// The pattern is not a valid regex, or compiles larger than the size limit.
    pub fn new(source: &str) -> Result<Pattern, regex::Error> {
        let regex = build(source)?;
        Ok(Pattern { source: source.to_string(), regex: OnceLock::from(Some(regex)) })
    }

    /// Build the regex on first use; an invalid pattern then matches nothing known (every test
    /// with it is unknown). For patterns [`Pattern::new`] has accepted before.
    pub fn deferred(source: &str) -> Pattern {
        Pattern { source: source.to_string(), regex: OnceLock::new() }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the text matches; `None` when the pattern does not build.
    pub fn is_match(&self, text: &str) -> Option<bool> {
        self.regex.get_or_init(|| build(&self.source).ok()).as_ref().map(|re| re.is_match(text))
    }
}

fn build(source: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(source).size_limit(REGEX_SIZE_LIMIT).dfa_size_limit(REGEX_SIZE_LIMIT).build()
}

/// A literal written in a policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A string.
    Str(String),
    /// An integer or float.
    Num(f64),
    /// A boolean.
    Bool(bool),
}

impl Literal {
    /// As text, the way a scalar node spells it.
    pub fn text(&self) -> String {
        match self {
            Literal::Str(s) => s.clone(),
            Literal::Num(n) => format!("{n}"),
            Literal::Bool(b) => b.to_string(),
        }
    }
}

/// A port set a range can be tested against.
#[derive(Debug, Clone, PartialEq)]
pub enum PortTest {
    /// True when the range covers any of these ports.
    CoversAny(Vec<u32>),
    /// True when the range covers every port (0-65535, or protocol all).
    CoversAll,
}

/// A test on a node's value.
#[derive(Debug, Clone)]
pub enum Predicate {
    /// Equal to the literal (`true` matches `"true"`; numbers compare numerically).
    Equals(Literal),
    /// Not equal to the literal.
    NotEquals(Literal),
    /// Equal to one of the literals.
    In(Vec<Literal>),
    /// Equal to none of the literals.
    NotIn(Vec<Literal>),
    /// The text matches the regex (linear time; size-limited at compile).
    Matches(Pattern),
    /// The text does not match the regex.
    NotMatches(Pattern),
    /// A string containing the text, or a list with an item equal to the literal.
    Contains(Literal),
    /// A string starting with the text.
    StartsWith(String),
    /// A string ending with the text.
    EndsWith(String),
    /// A number greater than.
    Gt(f64),
    /// A number greater than or equal.
    Ge(f64),
    /// A number less than.
    Lt(f64),
    /// A number less than or equal.
    Le(f64),
    /// A boolean (or `"true"`/`"false"`) that is true.
    IsTrue,
    /// A boolean (or `"true"`/`"false"`) that is false.
    IsFalse,
    /// `0.0.0.0/0` or `::/0` (the whole internet).
    PublicCidr,
    /// An empty string, list or map.
    Empty,
    /// A non-empty string, list or map.
    NotEmpty,
}

/// Options that apply to string comparisons.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Compare strings without regard to ASCII case.
    pub ignore_case: bool,
}

fn text_of(node: &Node) -> Option<String> {
    node.scalar_text().map(|t| t.into_owned())
}

fn same_text(a: &str, b: &str, options: Options) -> bool {
    if options.ignore_case { a.eq_ignore_ascii_case(b) } else { a == b }
}

/// Whether a node equals a literal; `None` when the node is not known.
pub fn equals(node: &Node, literal: &Literal, options: Options) -> Option<bool> {
    if node.is_unknown() {
        return None;
    }
    match &node.value {
        Value::Expr(_) | Value::Tagged(..) => None,
        Value::List(_) | Value::Map(_) | Value::Null => Some(false),
        _ => Some(match literal {
            Literal::Bool(b) => node.as_bool() == Some(*b),
            Literal::Num(n) => node.as_f64().is_some_and(|v| (v - n).abs() < f64::EPSILON),
            Literal::Str(s) => text_of(node).is_some_and(|t| same_text(&t, s, options)),
        }),
    }
}

impl Predicate {
    /// Test one node.
    pub fn test(&self, node: &Node, options: Options) -> Option<bool> {
        if node.is_unknown() {
            return None;
        }
        let number = || node.as_f64();
        match self {
            Predicate::Equals(lit) => equals(node, lit, options),
            Predicate::NotEquals(lit) => equals(node, lit, options).map(|b| !b),
            Predicate::In(lits) => any_equal(node, lits, options),
            Predicate::NotIn(lits) => any_equal(node, lits, options).map(|b| !b),
            Predicate::Matches(re) => match text_of(node) {
                Some(t) => re.is_match(&t),
                None => Some(false),
            },
            Predicate::NotMatches(re) => match text_of(node) {
                Some(t) => re.is_match(&t).map(|m| !m),
                None => Some(false),
            },
            Predicate::Contains(lit) => match &node.value {
                Value::List(items) => {
                    let mut unknown = false;
                    for item in items {
                        match equals(item, lit, options) {
                            Some(true) => return Some(true),
                            None => unknown = true,
                            Some(false) => {}
                        }
                    }
                    if unknown { None } else { Some(false) }
                }
                _ => Some(text_of(node).is_some_and(|t| {
                    let needle = lit.text();
                    if options.ignore_case {
                        t.to_ascii_lowercase().contains(&needle.to_ascii_lowercase())
                    } else {
                        t.contains(&needle)
                    }
                })),
            },
            Predicate::StartsWith(prefix) => Some(text_of(node).is_some_and(|t| {
                if options.ignore_case {
                    t.to_ascii_lowercase().starts_with(&prefix.to_ascii_lowercase())
                } else {
                    t.starts_with(prefix.as_str())
                }
            })),
            Predicate::EndsWith(suffix) => Some(text_of(node).is_some_and(|t| {
                if options.ignore_case {
                    t.to_ascii_lowercase().ends_with(&suffix.to_ascii_lowercase())
                } else {
                    t.ends_with(suffix.as_str())
                }
            })),
            Predicate::Gt(n) => Some(number().is_some_and(|v| v > *n)),
            Predicate::Ge(n) => Some(number().is_some_and(|v| v >= *n)),
            Predicate::Lt(n) => Some(number().is_some_and(|v| v < *n)),
            Predicate::Le(n) => Some(number().is_some_and(|v| v <= *n)),
            Predicate::IsTrue => Some(node.as_bool() == Some(true)),
            Predicate::IsFalse => Some(node.as_bool() == Some(false)),
            Predicate::PublicCidr => Some(text_of(node).is_some_and(|t| is_public_cidr(&t))),
            Predicate::Empty => Some(is_empty(node)),
            Predicate::NotEmpty => Some(!is_empty(node)),
        }
    }

    /// Test a literal standing in for an absent attribute (its provider default).
    pub fn test_literal(&self, literal: &Literal, options: Options) -> Option<bool> {
        let node = Node::new(
            crate::Span::default(),
            match literal {
                Literal::Str(s) => Value::String(s.clone()),
                Literal::Num(n) => Value::Number(format!("{n}")),
                Literal::Bool(b) => Value::Bool(*b),
            },
        );
        self.test(&node, options)
    }
}

fn any_equal(node: &Node, literals: &[Literal], options: Options) -> Option<bool> {
    let mut unknown = false;
    for literal in literals {
        match equals(node, literal, options) {
            Some(true) => return Some(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown { None } else { Some(false) }
}

fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::String(s) => s.is_empty(),
        Value::List(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

/// `0.0.0.0/0`, `::/0` and their spellings (`0.0.0.0/0 `, `::0/0`, `0::/0`).
pub fn is_public_cidr(text: &str) -> bool {
    let text = text.trim();
    let Some((address, prefix)) = text.split_once('/') else { return false };
    if prefix.trim() != "0" {
        return false;
    }
    match address.trim().parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_unspecified(),
        Err(_) => false,
    }
}

/// Whether a port range `[from, to]` (protocol aside) passes the test.
pub fn ports_pass(from: u32, to: u32, test: &PortTest) -> bool {
    let (low, high) = if from <= to { (from, to) } else { (to, from) };
    match test {
        PortTest::CoversAll => low == 0 && high >= 65535,
        PortTest::CoversAny(ports) => ports.iter().any(|p| (low..=high).contains(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn node(value: Value) -> Node {
        Node::new(Span::default(), value)
    }
    fn s(v: &str) -> Node {
        node(Value::String(v.into()))
    }
    fn n(v: &str) -> Node {
        node(Value::Number(v.into()))
    }
    fn expr() -> Node {
        node(Value::Expr("var.x".into()))
    }
    const O: Options = Options { ignore_case: false };
    const I: Options = Options { ignore_case: true };

    #[test]
    fn equality_across_types() {
        assert_eq!(equals(&node(Value::Bool(true)), &Literal::Bool(true), O), Some(true));
        assert_eq!(equals(&s("true"), &Literal::Bool(true), O), Some(true));
        assert_eq!(equals(&s("yes"), &Literal::Bool(true), O), Some(false));
        assert_eq!(equals(&n("8080"), &Literal::Num(8080.0), O), Some(true));
        assert_eq!(equals(&s("8080"), &Literal::Num(8080.0), O), Some(true));
        assert_eq!(equals(&n("0644"), &Literal::Str("0644".into()), O), Some(true));
        assert_eq!(equals(&s("Host"), &Literal::Str("host".into()), O), Some(false));
        assert_eq!(equals(&s("Host"), &Literal::Str("host".into()), I), Some(true));
        assert_eq!(equals(&expr(), &Literal::Bool(true), O), None);
        assert_eq!(equals(&node(Value::Null), &Literal::Bool(false), O), Some(false));
    }

    #[test]
    fn every_predicate() {
        let re = Pattern::new("^ab+c$").expect("regex");
        assert_eq!(Predicate::Equals(Literal::Str("a".into())).test(&s("a"), O), Some(true));
        assert_eq!(Predicate::NotEquals(Literal::Str("a".into())).test(&s("a"), O), Some(false));
        let list = vec![Literal::Str("a".into()), Literal::Str("b".into())];
        assert_eq!(Predicate::In(list.clone()).test(&s("b"), O), Some(true));
        assert_eq!(Predicate::NotIn(list).test(&s("c"), O), Some(true));
        assert_eq!(Predicate::Matches(re.clone()).test(&s("abbc"), O), Some(true));
        assert_eq!(Predicate::NotMatches(re).test(&s("abbc"), O), Some(false));
        let deferred = Pattern::deferred("^ab+c$");
        assert_eq!(Predicate::Matches(deferred.clone()).test(&s("abc"), O), Some(true));
        assert_eq!(Predicate::NotMatches(deferred).test(&s("ac"), O), Some(true));
        // A deferred pattern that does not build decides nothing.
        assert_eq!(Predicate::Matches(Pattern::deferred("(")).test(&s("("), O), None);
        assert!(Pattern::new("(").is_err());
        assert_eq!(Predicate::Contains(Literal::Str("bc".into())).test(&s("abcd"), O), Some(true));
        let items = node(Value::List(vec![s("x"), s("y")]));
        assert_eq!(Predicate::Contains(Literal::Str("y".into())).test(&items, O), Some(true));
        assert_eq!(Predicate::Contains(Literal::Str("z".into())).test(&items, O), Some(false));
        let with_unknown = node(Value::List(vec![s("x"), expr()]));
        assert_eq!(Predicate::Contains(Literal::Str("z".into())).test(&with_unknown, O), None);
        assert_eq!(Predicate::StartsWith("ab".into()).test(&s("abc"), O), Some(true));
        assert_eq!(Predicate::EndsWith("BC".into()).test(&s("abc"), I), Some(true));
        assert_eq!(Predicate::Gt(1.0).test(&n("2"), O), Some(true));
        assert_eq!(Predicate::Ge(2.0).test(&n("2"), O), Some(true));
        assert_eq!(Predicate::Lt(2.0).test(&n("2"), O), Some(false));
        assert_eq!(Predicate::Le(2.0).test(&s("2"), O), Some(true));
        assert_eq!(Predicate::Gt(1.0).test(&s("many"), O), Some(false));
        assert_eq!(Predicate::IsTrue.test(&node(Value::Bool(true)), O), Some(true));
        assert_eq!(Predicate::IsFalse.test(&s("false"), O), Some(true));
        assert_eq!(Predicate::PublicCidr.test(&s("0.0.0.0/0"), O), Some(true));
        assert_eq!(Predicate::PublicCidr.test(&s("::/0"), O), Some(true));
        assert_eq!(Predicate::PublicCidr.test(&s("10.0.0.0/8"), O), Some(false));
        assert_eq!(Predicate::Empty.test(&node(Value::List(vec![])), O), Some(true));
        assert_eq!(Predicate::NotEmpty.test(&s(""), O), Some(false));
    }

    #[test]
    fn unknown_values_stay_unknown() {
        for p in [Predicate::IsTrue, Predicate::PublicCidr, Predicate::Gt(1.0), Predicate::Empty] {
            assert_eq!(p.test(&expr(), O), None);
        }
        let tagged = node(Value::Tagged("Ref".into(), Box::new(s("Param"))));
        assert_eq!(Predicate::IsTrue.test(&tagged, O), None);
    }

    #[test]
    fn ports() {
        assert!(ports_pass(0, 65535, &PortTest::CoversAll));
        assert!(!ports_pass(22, 22, &PortTest::CoversAll));
        assert!(ports_pass(20, 25, &PortTest::CoversAny(vec![22, 3389])));
        assert!(!ports_pass(80, 443, &PortTest::CoversAny(vec![22, 3389])));
        assert!(ports_pass(3389, 3000, &PortTest::CoversAny(vec![3306])));
    }
}
