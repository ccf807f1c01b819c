//! Conditions and their three-valued evaluation.
//!
//! A condition is true, false or unknown (Kleene logic: `all` is false as soon as one part is
//! false, `any` is true as soon as one part is true, and unknown otherwise when a part is
//! unknown). Alongside its truth a condition returns its *evidence*: the nodes that decided
//! it, which is where a finding points.

use crate::rule::Scope;
use crate::{Node, Resource, Severity, Span};

use super::path::Path;
use super::predicate::{Literal, Options, PortTest, Predicate, ports_pass};
use super::relation::{self, Direction, Via};

/// Kleene truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided statically.
    Unknown,
}

impl Truth {
    fn from_option(value: Option<bool>) -> Truth {
        match value {
            Some(true) => Truth::True,
            Some(false) => Truth::False,
            None => Truth::Unknown,
        }
    }
}

/// Where and how to report a condition that held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// The node to point at; `None` points at the resource header.
    pub span: Option<Span>,
    /// The node's value as text, for `{value}` in messages.
    pub value: Option<String>,
    /// A severity other than the rule's.
    pub severity: Option<Severity>,
    /// A message other than the rule's.
    pub message: Option<String>,
    /// The `name` of the `each` element the evidence is in, for `{item}` in messages.
    pub item: Option<String>,
}

impl Evidence {
    fn at(node: &Node) -> Evidence {
        Evidence {
            span: Some(node.span),
            value: node.scalar_text().map(|t| t.into_owned()),
            ..Evidence::default()
        }
    }
}

/// A condition's truth and the evidence for it.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The truth.
    pub truth: Truth,
    /// Nodes that decided it (empty: the resource itself).
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    fn new(truth: Truth, evidence: Vec<Evidence>) -> Self {
        Verdict { truth, evidence }
    }
}

/// How a wildcard path's nodes combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quantifier {
    /// True when some node passes (the default).
    #[default]
    Any,
    /// True when every node passes (and there is at least one).
    All,
}

/// Report overrides a condition may carry.
#[derive(Debug, Clone, Default)]
pub struct Annotation {
    /// Severity of findings this condition produces.
    pub severity: Option<Severity>,
    /// Message of findings this condition produces.
    pub message: Option<String>,
    /// Point here instead of at the evidence.
    pub at: Option<Path>,
}

/// The test of a leaf condition.
#[derive(Debug, Clone)]
pub enum Test {
    /// `missing = true|false`.
    Missing(bool),
    /// A value predicate.
    Value(Predicate),
    /// A port range read from the node (`ports = { from, to, protocol }`) tested against a set.
    Ports {
        /// Path (from the node) to the first port.
        from: Path,
        /// Path to the last port.
        to: Path,
        /// Path to the protocol (`-1`/`all` means every port).
        protocol: Option<Path>,
        /// The test.
        test: PortTest,
    },
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Every part holds.
    All(Vec<Condition>, Annotation),
    /// Some part holds.
    Any(Vec<Condition>, Annotation),
    /// The part does not hold.
    Not(Box<Condition>, Annotation),
    /// A test on the nodes a path reaches.
    Leaf {
        /// Where.
        path: Path,
        /// What.
        test: Test,
        /// How several nodes combine.
        quantifier: Quantifier,
        /// The provider default used when the attribute is absent.
        default: Option<Literal>,
        /// String comparison options.
        options: Options,
        /// Report overrides.
        annotation: Annotation,
    },
    /// The inner condition, judged on each element a path reaches; each element where it
    /// holds is its own finding.
    Each {
        /// The elements.
        path: Path,
        /// The condition on one element.
        condition: Box<Condition>,
        /// Report overrides.
        annotation: Annotation,
    },
    /// Whether a related resource exists (and satisfies a condition).
    Related {
        /// Incoming (the other resource refers to this one) or outgoing.
        direction: Direction,
        /// Types of the other resource.
        kinds: Vec<String>,
        /// How the two are linked.
        via: Via,
        /// What the other resource must satisfy.
        condition: Option<Box<Condition>>,
        /// `true`: holds when such a resource exists; `false`: when none does.
        exists: bool,
        /// Report overrides.
        annotation: Annotation,
    },
}

/// What a condition is evaluated against.
pub struct Context<'r, 'a> {
    /// The resource judged.
    pub resource: &'r Resource<'a>,
    /// Its neighbours.
    pub scope: &'r Scope<'a>,
    /// How deep relations have nested (a related condition may itself use relations).
    pub depth: usize,
}

impl Condition {
    fn annotation(&self) -> &Annotation {
        match self {
            Condition::All(_, a)
            | Condition::Any(_, a)
            | Condition::Not(_, a)
            | Condition::Leaf { annotation: a, .. }
            | Condition::Each { annotation: a, .. }
            | Condition::Related { annotation: a, .. } => a,
        }
    }

    /// Evaluate on `current` (the resource body, or an element inside `each`).
    pub fn eval<'a>(&self, current: Option<&'a Node>, cx: &Context<'_, 'a>) -> Verdict {
        let mut verdict = self.eval_inner(current, cx);
        if verdict.truth == Truth::True {
            annotate(&mut verdict.evidence, self.annotation(), current, cx);
        }
        verdict
    }

    fn eval_inner<'a>(&self, current: Option<&'a Node>, cx: &Context<'_, 'a>) -> Verdict {
        match self {
            Condition::All(parts, _) => {
                let mut unknown = false;
                let mut evidence = None;
                for part in parts {
                    let v = part.eval(current, cx);
                    match v.truth {
                        Truth::False => return Verdict::new(Truth::False, v.evidence),
                        Truth::Unknown => unknown = true,
                        Truth::True => {
                            // `all` points where its first part points (write the pointing
                            // condition first).
                            if evidence.is_none() {
                                evidence = Some(v.evidence);
                            }
                        }
                    }
                }
                if unknown {
                    Verdict::new(Truth::Unknown, Vec::new())
                } else {
                    Verdict::new(Truth::True, evidence.unwrap_or_default())
                }
            }
            Condition::Any(parts, _) => {
                let mut unknown = false;
                let mut evidence = Vec::new();
                let mut held = false;
                for part in parts {
                    let v = part.eval(current, cx);
                    match v.truth {
                        Truth::True => {
                            held = true;
                            evidence.extend(v.evidence);
                        }
                        Truth::Unknown => unknown = true,
                        Truth::False => {}
                    }
                }
                if held {
                    Verdict::new(Truth::True, evidence)
                } else if unknown {
                    Verdict::new(Truth::Unknown, Vec::new())
                } else {
                    Verdict::new(Truth::False, Vec::new())
                }
            }
            Condition::Not(inner, _) => {
                let v = inner.eval(current, cx);
                let truth = match v.truth {
                    Truth::True => Truth::False,
                    Truth::False => Truth::True,
                    Truth::Unknown => Truth::Unknown,
                };
                let evidence =
                    v.evidence.into_iter().map(|e| Evidence { severity: None, message: None, ..e }).collect();
                Verdict::new(truth, evidence)
            }
            Condition::Leaf { path, test, quantifier, default, options, .. } => {
                leaf(path, test, *quantifier, default.as_ref(), *options, current, cx)
            }
            Condition::Each { path, condition, .. } => {
                let resolved = path.resolve(current, cx.resource);
                let mut unknown = resolved.unknown;
                let mut evidence = Vec::new();
                for element in resolved.nodes {
                    let v = condition.eval(Some(element), cx);
                    let item = element.get("name").and_then(Node::scalar_text).map(|t| t.into_owned());
                    match v.truth {
                        Truth::True => {
                            if v.evidence.is_empty() {
                                evidence.push(Evidence { item: item.clone(), ..Evidence::at(element) });
                            }
                            for e in v.evidence {
                                let item = e.item.clone().or_else(|| item.clone());
                                if e.span.is_none() {
                                    evidence.push(Evidence { span: Some(element.span), item, ..e });
                                } else {
                                    evidence.push(Evidence { item, ..e });
                                }
                            }
                        }
                        Truth::Unknown => unknown = true,
                        Truth::False => {}
                    }
                }
                if !evidence.is_empty() {
                    Verdict::new(Truth::True, evidence)
                } else if unknown {
                    Verdict::new(Truth::Unknown, Vec::new())
                } else {
                    Verdict::new(Truth::False, Vec::new())
                }
            }
            Condition::Related { direction, kinds, via, condition, exists, .. } => {
                let found = relation::find(*direction, kinds, via, condition.as_deref(), cx);
                let truth = match (found, *exists) {
                    (Truth::Unknown, _) => Truth::Unknown,
                    (Truth::True, true) | (Truth::False, false) => Truth::True,
                    _ => Truth::False,
                };
                Verdict::new(truth, Vec::new())
            }
        }
    }
}

fn annotate<'a>(
    evidence: &mut Vec<Evidence>,
    annotation: &Annotation,
    current: Option<&'a Node>,
    cx: &Context<'_, 'a>,
) {
    if let Some(at) = &annotation.at {
        let target =
            at.resolve(current, cx.resource).nodes.first().map(|n| Evidence::at(n)).unwrap_or_default();
        if evidence.is_empty() {
            evidence.push(Evidence::default());
        }
        for e in evidence.iter_mut() {
            e.span = target.span;
            e.value = target.value.clone();
        }
    }
    if evidence.is_empty() && (annotation.severity.is_some() || annotation.message.is_some()) {
        evidence.push(Evidence::default());
    }
    for e in evidence.iter_mut() {
        if e.severity.is_none() {
            e.severity = annotation.severity;
        }
        if e.message.is_none() {
            e.message = annotation.message.clone();
        }
    }
}

fn leaf<'a>(
    path: &Path,
    test: &Test,
    quantifier: Quantifier,
    default: Option<&Literal>,
    options: Options,
    current: Option<&'a Node>,
    cx: &Context<'_, 'a>,
) -> Verdict {
    let resolved = path.resolve(current, cx.resource);
    if let Test::Missing(expected) = test {
        return if !resolved.nodes.is_empty() {
            let truth = if *expected { Truth::False } else { Truth::True };
            Verdict::new(truth, resolved.nodes.iter().take(1).map(|n| Evidence::at(n)).collect())
        } else if resolved.unknown {
            Verdict::new(Truth::Unknown, Vec::new())
        } else {
            let truth = if *expected { Truth::True } else { Truth::False };
            Verdict::new(truth, Vec::new())
        };
    }
    if resolved.nodes.is_empty() {
        if resolved.unknown {
            return Verdict::new(Truth::Unknown, Vec::new());
        }
        let truth = match (default, test) {
            (Some(literal), Test::Value(predicate)) => {
                Truth::from_option(predicate.test_literal(literal, options))
            }
            _ => Truth::False,
        };
        let evidence =
            default.map(|d| Evidence { value: Some(d.text()), ..Evidence::default() }).into_iter().collect();
        return Verdict::new(truth, evidence);
    }
    let mut trues = Vec::new();
    let mut falses = Vec::new();
    let mut unknown = resolved.unknown;
    for node in &resolved.nodes {
        let result = match test {
            Test::Value(predicate) => predicate.test(node, options),
            Test::Ports { from, to, protocol, test } => {
                port_test(node, from, to, protocol.as_ref(), test, cx)
            }
            Test::Missing(_) => None,
        };
        match result {
            Some(true) => trues.push(Evidence::at(node)),
            Some(false) => falses.push(Evidence::at(node)),
            None => unknown = true,
        }
    }
    match quantifier {
        Quantifier::Any => {
            if !trues.is_empty() {
                Verdict::new(Truth::True, trues)
            } else if unknown {
                Verdict::new(Truth::Unknown, Vec::new())
            } else {
                Verdict::new(Truth::False, falses.into_iter().take(1).collect())
            }
        }
        Quantifier::All => {
            if !falses.is_empty() {
                Verdict::new(Truth::False, falses.into_iter().take(1).collect())
            } else if unknown {
                Verdict::new(Truth::Unknown, Vec::new())
            } else {
                Verdict::new(Truth::True, trues.into_iter().take(1).collect())
            }
        }
    }
}

/// Read a port range from a node and test it; protocol `-1`/`all` covers every port.
fn port_test<'a>(
    node: &'a Node,
    from: &Path,
    to: &Path,
    protocol: Option<&Path>,
    test: &PortTest,
    cx: &Context<'_, 'a>,
) -> Option<bool> {
    let scalar = |path: &Path| -> Result<Option<&'a Node>, ()> {
        let resolved = path.resolve(Some(node), cx.resource);
        match resolved.nodes.first() {
            Some(n) if n.is_expr() || n.as_tagged().is_some() => Err(()),
            Some(n) => Ok(Some(*n)),
            None if resolved.unknown => Err(()),
            None => Ok(None),
        }
    };
    if let Some(protocol) = protocol {
        match scalar(protocol) {
            Err(()) => return None,
            Ok(Some(p)) => {
                let text = p.scalar_text().map(|t| t.trim().to_ascii_lowercase()).unwrap_or_default();
                if text == "-1" || text == "all" {
                    return Some(true);
                }
            }
            Ok(None) => {}
        }
    }
    let port = |n: Option<&Node>| n.and_then(Node::as_f64).map(|v| v.clamp(0.0, 65535.0) as u32);
    let (from_node, to_node) = match (scalar(from), scalar(to)) {
        (Ok(f), Ok(t)) => (f, t),
        _ => return None,
    };
    // An absent bound is the open end of the range (CloudFormation and AWS default to all
    // ports when `-1` is given or a bound is left out for all-traffic rules).
    let low = port(from_node).unwrap_or(0);
    let high = port(to_node).unwrap_or(match (from_node, to_node) {
        (Some(_), None) => low,
        _ => 65535,
    });
    if from_node.and_then(Node::as_f64).is_some_and(|v| v < 0.0)
        || to_node.and_then(Node::as_f64).is_some_and(|v| v < 0.0)
    {
        return Some(true);
    }
    Some(ports_pass(low, high, test))
}
