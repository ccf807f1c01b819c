//! The policy language: rules as data (TOML), for the built-in pack and for users' own
//! policies alike.
//!
//! ```toml
//! id = "ACME-RDS-001"
//! name = "rds-unencrypted"
//! title = "RDS storage is not encrypted"
//! severity = "high"
//! criteria = ["C1.1", "CC6.1"]
//! message = "`{address}` stores data unencrypted"
//! help = "Set `storage_encrypted = true`."
//! target = "terraform"
//! resources = ["aws_db_instance"]
//! fail = { path = "storage_encrypted", is_false = true, default = false }
//! ```
//!
//! A policy is compiled once ([`compile`]); evaluating it is walking its [`Condition`] over a
//! resource, three-valued: a condition over a value not known statically is unknown, and
//! unknown is never reported as a failure.

mod compile;
pub mod condition;
pub mod path;
pub mod predicate;
pub mod relation;

pub use compile::{compile, compile_trusted};
pub use condition::Condition;

use crate::rule::{FileContext, Outcome, Rule, RuleMeta};
use crate::{LineIndex, Resource, Target};

use condition::{Context, Truth};

/// A compiled policy.
#[derive(Debug)]
pub struct Policy {
    meta: RuleMeta,
    message: String,
    bindings: Vec<CompiledBinding>,
}

/// One target's resources and the condition that fails them.
#[derive(Debug)]
struct CompiledBinding {
    target: Target,
    resources: Vec<String>,
    fail: Condition,
    message: Option<String>,
}

/// A policy file that cannot be loaded, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct PolicyError {
    /// The policy file.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The byte range concerned, when known.
    pub span: Option<std::ops::Range<usize>>,
}

impl PolicyError {
    fn new(path: &str, text: &str, message: String, span: Option<std::ops::Range<usize>>) -> Self {
        let offset = span.as_ref().map_or(0, |s| s.start);
        let location = LineIndex::new(text).location(text, offset);
        PolicyError { path: path.to_string(), line: location.line, column: location.column, message, span }
    }
}

impl Policy {
    fn binding_for(&self, resource: &Resource<'_>) -> Option<&CompiledBinding> {
        self.bindings.iter().find(|b| {
            b.target == resource.target
                && b.resources.iter().any(|r| {
                    r == "*"
                        || *r == resource.kind
                        || (r == "@workload" && crate::rule::WORKLOAD_KINDS.contains(&resource.kind.as_str()))
                })
        })
    }
}

impl Rule for Policy {
    fn meta(&self) -> &RuleMeta {
        &self.meta
    }

    fn check(&self, resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
        let Some(binding) = self.binding_for(resource) else { return };
        let cx = Context { resource, scope: file.scope, depth: 0 };
        let verdict = binding.fail.eval(resource.body, &cx);
        match verdict.truth {
            Truth::False => {}
            Truth::Unknown => out.unknown(),
            Truth::True => {
                let template = binding.message.as_deref().unwrap_or(&self.message);
                let mut seen = std::collections::HashSet::new();
                let mut evidence = verdict.evidence;
                if evidence.is_empty() {
                    evidence.push(condition::Evidence::default());
                }
                for e in evidence {
                    let span = e.span.unwrap_or(resource.span);
                    if !seen.insert((span.start, span.end)) {
                        continue;
                    }
                    let message = render(
                        e.message.as_deref().unwrap_or(template),
                        resource,
                        e.value.as_deref(),
                        e.item.as_deref(),
                    );
                    let violation = out.fail(span, message);
                    if let Some(severity) = e.severity {
                        violation.severity(severity);
                    }
                }
            }
        }
    }
}

/// Fill `{address}`, `{name}`, `{kind}`, `{value}` and `{item}`.
fn render(template: &str, resource: &Resource<'_>, value: Option<&str>, item: Option<&str>) -> String {
    let name = resource.address.rsplit(['.', '/']).next().unwrap_or(&resource.address);
    template
        .replace("{address}", &resource.address)
        .replace("{name}", name)
        .replace("{kind}", &resource.kind)
        .replace("{value}", value.unwrap_or("(not set)"))
        .replace("{item}", item.unwrap_or("?"))
}

#[cfg(test)]
mod tests;
