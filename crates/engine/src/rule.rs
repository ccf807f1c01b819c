//! What a rule is: its metadata, the resources it binds to, and the check it runs.
//!
//! The engine dispatches by target and resource type: a rule never filters resources itself,
//! never asks whether it is enabled and never looks at suppressions. It says, for one
//! resource, whether it fails (and where), is unknown, or passes.

use serde::Serialize;

use crate::document::Syntax;
use crate::{Resource, Severity, SourceFile, Span, Target};

/// Equivalent checks in other tools.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct References {
    /// Checkov check ids.
    #[serde(default)]
    pub checkov: Vec<String>,
    /// KICS query UUIDs.
    #[serde(default)]
    pub kics: Vec<String>,
    /// Trivy AVD ids.
    #[serde(default)]
    pub trivy: Vec<String>,
    /// Other tools' checks (`zizmor: template-injection`).
    #[serde(default)]
    pub other: Vec<String>,
}

/// A target and the resource types a rule judges in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// The target.
    pub target: Target,
    /// Resource types; `*` is every type of the target, `@workload` every Kubernetes kind
    /// with a pod template.
    pub resources: Vec<String>,
}

/// Everything about a rule except its check.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    /// `TL-<PLATFORM>-<NNN>`.
    pub id: String,
    /// Kebab-case slug.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// Default severity of its findings.
    pub severity: Severity,
    /// SOC 2 Trust Services Criteria it serves.
    pub criteria: Vec<String>,
    /// How to fix a finding.
    pub help: String,
    /// Markdown documentation: what, why, examples.
    pub description: String,
    /// Equivalent checks elsewhere.
    pub references: References,
    /// Where it applies.
    pub bindings: Vec<Binding>,
}

impl RuleMeta {
    /// The platform part of the id (`AWS` for `TL-AWS-029`), lowercased.
    pub fn platform(&self) -> String {
        self.id.split('-').nth(1).unwrap_or("").to_ascii_lowercase()
    }
}

/// The Kubernetes kinds that carry a pod template, which `@workload` stands for.
pub const WORKLOAD_KINDS: [&str; 8] = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// A rule: metadata plus a check over one resource.
pub trait Rule: Send + Sync {
    /// The rule's metadata.
    fn meta(&self) -> &RuleMeta;

    /// Judge one resource of a bound type, recording failures or unknowns in `out`.
    fn check(&self, resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome);
}

/// The file a resource came from, and the other resources it may be related to.
#[derive(Debug, Clone, Copy)]
pub struct FileContext<'a> {
    /// The file.
    pub source: &'a SourceFile,
    /// Its parsed syntax.
    pub syntax: &'a Syntax,
    /// Every resource evaluated together with this one (a Terraform module, a directory of
    /// manifests), for relations.
    pub scope: &'a Scope<'a>,
}

/// Resources evaluated together, indexed by target and type for relations.
///
/// Relations compare resources pairwise, so a directory of thousands of resources could cost
/// millions of comparisons: every resource [`Scope::of_kind`] hands out is taken from a
/// budget ([`DEFAULT_RELATION_BUDGET`] unless [`Scope::with_budget`] says otherwise). Once it
/// is spent, `of_kind` hands out nothing more and [`Scope::denied`] counts what it withheld:
/// the linter then reads the verdict of every check that was denied as unknown, and says so.
#[derive(Debug, Default)]
pub struct Scope<'a> {
    resources: &'a [Resource<'a>],
    by_kind: std::collections::HashMap<Target, std::collections::HashMap<&'a str, Vec<usize>>>,
    /// Resources `of_kind` may still hand out.
    budget: std::cell::Cell<usize>,
    /// Resources withheld since the budget was spent.
    denied: std::cell::Cell<usize>,
}

/// Resources handed out by [`Scope::of_kind`] in one unit before relations become unknown.
pub const DEFAULT_RELATION_BUDGET: usize = 5_000_000;

impl<'a> Scope<'a> {
    /// Index the resources.
    pub fn new(resources: &'a [Resource<'a>]) -> Self {
        let mut by_kind: std::collections::HashMap<Target, std::collections::HashMap<&'a str, Vec<usize>>> =
            std::collections::HashMap::new();
        for (index, resource) in resources.iter().enumerate() {
            by_kind
                .entry(resource.target)
                .or_default()
                .entry(resource.kind.as_str())
                .or_default()
                .push(index);
        }
        Scope {
            resources,
            by_kind,
            budget: std::cell::Cell::new(DEFAULT_RELATION_BUDGET),
            denied: std::cell::Cell::new(0),
        }
    }

    /// Use another budget for relations (see [`Scope`]).
    pub fn with_budget(self, budget: usize) -> Self {
        self.budget.set(budget);
        self
    }

    /// Resources withheld by [`Scope::of_kind`] since the budget was spent.
    pub fn denied(&self) -> usize {
        self.denied.get()
    }

    /// Every resource.
    pub fn resources(&self) -> &'a [Resource<'a>] {
        self.resources
    }

    /// The resources of one target and type.
    pub fn of_kind(
        &self,
        target: Target,
        kind: &str,
    ) -> impl Iterator<Item = &'a Resource<'a>> + use<'_, 'a> {
        let resources = self.resources;
        let indices: &[usize] =
            self.by_kind.get(&target).and_then(|kinds| kinds.get(kind)).map_or(&[], Vec::as_slice);
        indices.iter().filter_map(move |&i| {
            let left = self.budget.get();
            if left == 0 {
                self.denied.set(self.denied.get().saturating_add(1));
                return None;
            }
            self.budget.set(left - 1);
            resources.get(i)
        })
    }
}

/// One failure of a rule on a resource.
#[derive(Debug, Clone)]
pub struct Violation {
    /// Where to point.
    pub span: Span,
    /// The message (never containing an unmasked secret).
    pub message: String,
    /// A severity other than the rule's default, when the rule grades this case differently.
    pub severity: Option<Severity>,
    /// Secret material to mask wherever the file's text is shown.
    pub redact: Vec<Span>,
}

impl Violation {
    /// Grade this violation differently from the rule's default.
    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = Some(severity);
        self
    }

    /// Mark a span of the file as secret.
    pub fn redact(&mut self, span: Span) -> &mut Self {
        self.redact.push(span);
        self
    }
}

/// What a check found on one resource.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Failures, in the order found.
    pub violations: Vec<Violation>,
    /// Set when the check could not decide (a value not known statically).
    pub unknown: bool,
}

impl Outcome {
    /// Record a failure pointing at `span`.
    pub fn fail(&mut self, span: Span, message: impl Into<String>) -> &mut Violation {
        self.violations.push(Violation { span, message: message.into(), severity: None, redact: Vec::new() });
        let last = self.violations.len() - 1;
        &mut self.violations[last]
    }

    /// Record that the check could not decide.
    pub fn unknown(&mut self) {
        self.unknown = true;
    }

    /// The three-valued result.
    pub fn result(&self) -> CheckResult {
        if !self.violations.is_empty() {
            CheckResult::Fail
        } else if self.unknown {
            CheckResult::Unknown
        } else {
            CheckResult::Pass
        }
    }
}

/// Pass, fail or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckResult {
    /// The resource satisfies the rule.
    Pass,
    /// The resource violates the rule.
    Fail,
    /// The rule could not decide from the configuration.
    Unknown,
}
