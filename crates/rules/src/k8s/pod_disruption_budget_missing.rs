//! ## What it checks
//! Deployments and StatefulSets (and ReplicaSets and ReplicationControllers deployed on their
//! own) that run two replicas or more (`spec.replicas`, default 1, or
//! a `HorizontalPodAutoscaler` of the same namespace targeting them with `minReplicas` of 2
//! or more, as in TL-K8S-009) and that no `PodDisruptionBudget` of their namespace selects:
//! the PDB's `spec.selector` must match the pod template's labels.
//!
//! A PodDisruptionBudget that can never allow an eviction is a finding too (on the PDB):
//! `maxUnavailable: 0` (or `0%`), `minAvailable: 100%`, or a `minAvailable` that, for a
//! workload it selects, is at least the replicas that workload runs (its HPA's
//! `minReplicas` when an HPA manages it). Percentages round up, as the eviction API rounds
//! them.
//!
//! This rule is native because the second case compares a value of the PDB with a value of
//! the workload it selects, which a policy condition cannot do.
//!
//! ## Why it matters (A1.2)
//! Node drains (upgrades, autoscaler scale-downs, maintenance) evict pods. Without a budget
//! they may evict every replica of a service at once, turning planned maintenance into an
//! outage; a budget that allows no eviction at all blocks the drain instead, so nodes cannot
//! be patched. A1.2 asks for the environmental protections that keep the system available
//! through such routine events.
//!
//! ## Failing example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: web, namespace: shop}
//! spec:
//!   replicas: 3
//!   selector: {matchLabels: {app: web}}
//!   template:
//!     metadata: {labels: {app: web}}
//!     spec:
//!       containers:
//!         - {name: web, image: registry.example.com/web:1.8.0}
//! ```
//!
//! ## Passing example
//! ```yaml
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata: {name: web, namespace: shop}
//! spec:
//!   maxUnavailable: 1
//!   selector: {matchLabels: {app: web}}
//! ```
//!
//! ## Fix
//! Add a `PodDisruptionBudget` (`policy/v1`) whose selector matches the pod labels, with
//! `maxUnavailable: 1` (or a `minAvailable` below the replica count).

use trustlint_engine::policy::condition::{Context, Truth};
use trustlint_engine::policy::relation::{self, Direction, Via};
use trustlint_engine::rule::Scope;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-K8S-013",
        name: "pod-disruption-budget-missing",
        title: "Replicated workload has no usable PodDisruptionBudget",
        severity: Severity::Low,
        criteria: &["A1.2"],
        help: "Add a `policy/v1` PodDisruptionBudget selecting the pods, with `maxUnavailable: 1`.",
        checkov: &[],
        kics: &["b23e9b98-0cb6-4fc9-b257-1f3270442678", "1db3a5a5-bf75-44e5-9e44-c56cfc8b1ac5"],
        trivy: &[],
        other: &[],
        bindings: &[(
            Target::Kubernetes,
            &["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "PodDisruptionBudget"],
        )],
    }
}

/// The replicated workload kinds a budget protects (those TL-K8S-009 counts replicas of).
const WORKLOADS: [&str; 4] = ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"];

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    if resource.kind == "PodDisruptionBudget" {
        check_budget(resource, file.scope, out);
    } else {
        check_workload(resource, file.scope, out);
    }
}

fn check_workload(workload: &Resource<'_>, scope: &Scope<'_>, out: &mut Outcome) {
    let Some(replicas) = Replicas::of(workload, scope) else { return out.unknown() };
    if replicas.declared.max(replicas.autoscaled_min.unwrap_or(0.0)) < 2.0 {
        return;
    }
    let mut unknown = false;
    for budget in scope.of_kind(Target::Kubernetes, "PodDisruptionBudget") {
        match selects(budget, workload) {
            Truth::True => return,
            Truth::Unknown => unknown = true,
            Truth::False => {}
        }
    }
    if unknown {
        return out.unknown();
    }
    let count = replicas.declared.max(replicas.autoscaled_min.unwrap_or(0.0));
    out.fail(
        workload.span,
        format!("`{}` runs {count} replicas and no PodDisruptionBudget in its namespace selects its pods", workload.address),
    );
}

fn check_budget(budget: &Resource<'_>, scope: &Scope<'_>, out: &mut Outcome) {
    let Some(spec) = budget.body.and_then(|b| b.get("spec")) else { return };
    if let Some(entry) = spec.entry("maxUnavailable") {
        match Amount::of(&entry.value) {
            Some(Amount::Count(n)) if n <= 0.0 => {
                out.fail(entry_span(entry), format!("`{}` allows no eviction (`maxUnavailable: 0`): node drains block", budget.address));
            }
            Some(Amount::Percent(p)) if p <= 0.0 => {
                out.fail(entry_span(entry), format!("`{}` allows no eviction (`maxUnavailable: 0%`): node drains block", budget.address));
            }
            Some(_) => {}
            None => out.unknown(),
        }
        return;
    }
    let Some(entry) = spec.entry("minAvailable") else { return };
    let Some(amount) = Amount::of(&entry.value) else { return out.unknown() };
    if let Amount::Percent(p) = amount
        && p >= 100.0
    {
        out.fail(entry_span(entry), format!("`{}` allows no eviction (`minAvailable: 100%`): node drains block", budget.address));
        return;
    }
    let mut blocked = Vec::new();
    for kind in WORKLOADS {
        for workload in scope.of_kind(Target::Kubernetes, kind) {
            match selects(budget, workload) {
                Truth::True => {}
                Truth::Unknown => {
                    out.unknown();
                    continue;
                }
                Truth::False => continue,
            }
            let Some(replicas) = Replicas::of(workload, scope) else {
                out.unknown();
                continue;
            };
            let floor = replicas.floor();
            if floor >= 1.0 && amount.required(floor) >= floor {
                blocked.push(format!("`{}` ({floor} replica(s))", workload.address));
            }
        }
    }
    if !blocked.is_empty() {
        out.fail(
            entry_span(entry),
            format!(
                "`{}` keeps every pod of {} available: no pod can be evicted and node drains block",
                budget.address,
                blocked.join(", ")
            ),
        );
    }
}

/// How many replicas a workload runs.
struct Replicas {
    /// `spec.replicas` (the API default is 1).
    declared: f64,
    /// The largest `minReplicas` of the HPAs targeting it (their default is 1).
    autoscaled_min: Option<f64>,
}

impl Replicas {
    /// `None` when a count is not known statically.
    fn of(workload: &Resource<'_>, scope: &Scope<'_>) -> Option<Replicas> {
        let declared = match workload.body.and_then(|b| b.get_path("spec.replicas")) {
            None => 1.0,
            Some(node) if node.is_null() => 1.0,
            Some(node) => node.as_f64()?,
        };
        let mut autoscaled_min: Option<f64> = None;
        for autoscaler in scope.of_kind(Target::Kubernetes, "HorizontalPodAutoscaler") {
            match links(autoscaler, workload, Via::ScaleTarget) {
                Truth::True => {}
                Truth::Unknown => return None,
                Truth::False => continue,
            }
            let min = match autoscaler.body.and_then(|b| b.get_path("spec.minReplicas")) {
                None => 1.0,
                Some(node) if node.is_null() => 1.0,
                Some(node) => node.as_f64()?,
            };
            autoscaled_min = Some(autoscaled_min.map_or(min, |m| m.max(min)));
        }
        Some(Replicas { declared, autoscaled_min })
    }

    /// The fewest replicas the workload may run: an autoscaler's minimum when one manages it
    /// (it overrides `spec.replicas`), else `spec.replicas`.
    fn floor(&self) -> f64 {
        self.autoscaled_min.unwrap_or(self.declared)
    }
}

/// A PDB's `minAvailable` / `maxUnavailable`: a count or a percentage.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Amount {
    Count(f64),
    Percent(f64),
}

impl Amount {
    /// `None` when the value is not a count or a percentage known statically.
    fn of(node: &Node) -> Option<Amount> {
        if let Some(text) = node.as_str()
            && let Some(number) = text.trim().strip_suffix('%')
        {
            return number.trim().parse().ok().map(Amount::Percent);
        }
        node.as_f64().map(Amount::Count)
    }

    /// The pods this amount keeps available out of `replicas` (percentages round up).
    fn required(self, replicas: f64) -> f64 {
        match self {
            Amount::Count(n) => n,
            Amount::Percent(p) => (replicas * p / 100.0).ceil(),
        }
    }
}

/// Whether the budget's selector selects the workload's pods, in the same namespace.
fn selects(budget: &Resource<'_>, workload: &Resource<'_>) -> Truth {
    links(budget, workload, Via::Selector)
}

/// Whether `from` links to `to`, with the engine's own selector and `scaleTargetRef`
/// semantics: a relation looked up in a scope that holds `from` alone.
fn links(from: &Resource<'_>, to: &Resource<'_>, via: Via) -> Truth {
    let only = Scope::new(std::slice::from_ref(from));
    let cx = Context { resource: to, scope: &only, depth: 0 };
    relation::find(Direction::Incoming, std::slice::from_ref(&from.kind), &via, None, &cx)
}

/// The `key: value` of an entry.
fn entry_span(entry: &trustlint_engine::Entry) -> Span {
    entry.key_span.cover(entry.value.span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::kubernetes;
    use trustlint_engine::parse::yaml;
    use trustlint_engine::rule::CheckResult;

    /// (address, result, [pointed text]) for every judged object.
    fn run(text: &str) -> Vec<(String, CheckResult, Vec<String>)> {
        let stream = yaml::parse(text).expect("parses");
        let resources = kubernetes::resources(&stream.documents);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("k8s.yaml", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        resources
            .iter()
            .filter(|r| WORKLOADS.contains(&r.kind.as_str()) || r.kind == "PodDisruptionBudget")
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                let pointed = out.violations.iter().map(|v| source.slice(v.span).to_string()).collect();
                (r.address.clone(), out.result(), pointed)
            })
            .collect()
    }

    fn result_of<'a>(results: &'a [(String, CheckResult, Vec<String>)], address: &str) -> &'a (String, CheckResult, Vec<String>) {
        results.iter().find(|r| r.0 == address).unwrap_or_else(|| panic!("no {address} in {results:?}"))
    }

    const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: web}
";

    #[test]
    fn replicated_workloads_need_a_budget_that_selects_them() {
        let results = run(WEB);
        assert_eq!(result_of(&results, "Deployment/shop/web").1, CheckResult::Fail);

        let covered = format!(
            "{WEB}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: web, namespace: shop}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app: web}}}}
"
        );
        let results = run(&covered);
        assert_eq!(result_of(&results, "Deployment/shop/web").1, CheckResult::Pass);
        assert_eq!(result_of(&results, "PodDisruptionBudget/shop/web").1, CheckResult::Pass);
    }

    #[test]
    fn single_replicas_are_left_to_tl_k8s_009_unless_an_autoscaler_raises_them() {
        let single = WEB.replace("replicas: 2", "replicas: 1");
        assert_eq!(result_of(&run(&single), "Deployment/shop/web").1, CheckResult::Pass);
        let autoscaled = format!(
            "{single}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: web, namespace: shop}}
spec:
  scaleTargetRef: {{kind: Deployment, name: web}}
  minReplicas: 3
  maxReplicas: 6
"
        );
        assert_eq!(result_of(&run(&autoscaled), "Deployment/shop/web").1, CheckResult::Fail);
    }

    #[test]
    fn budgets_that_block_every_eviction_are_reported_on_the_budget() {
        let text = format!(
            "{WEB}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: all-of-them, namespace: shop}}
spec:
  minAvailable: 2
  selector: {{matchLabels: {{app: web}}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: half, namespace: shop}}
spec:
  minAvailable: 50%
  selector: {{matchLabels: {{app: web}}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: frozen, namespace: shop}}
spec:
  maxUnavailable: 0%
  selector: {{matchLabels: {{app: other}}}}
"
        );
        let results = run(&text);
        assert_eq!(result_of(&results, "PodDisruptionBudget/shop/all-of-them").2, ["minAvailable: 2"]);
        assert_eq!(result_of(&results, "PodDisruptionBudget/shop/half").1, CheckResult::Pass);
        assert_eq!(result_of(&results, "PodDisruptionBudget/shop/frozen").2, ["maxUnavailable: 0%"]);
        assert_eq!(result_of(&results, "Deployment/shop/web").1, CheckResult::Pass);
    }

    #[test]
    fn amounts_round_percentages_up() {
        assert_eq!(Amount::of(&Node::new(Span::default(), Value::String("50%".into()))), Some(Amount::Percent(50.0)));
        assert_eq!(Amount::Percent(50.0).required(3.0), 2.0);
        assert_eq!(Amount::Percent(50.0).required(1.0), 1.0);
        assert_eq!(Amount::Count(2.0).required(5.0), 2.0);
    }
}
