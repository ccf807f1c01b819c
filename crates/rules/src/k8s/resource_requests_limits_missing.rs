//! ## What it checks
//! The compute resources of every container of a workload (`containers` and `initContainers`,
//! in a Pod or in the pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job or CronJob), as the API server will see them once defaults
//! are applied:
//!
//! - **medium** when the CPU request, the memory request or the memory limit is missing;
//! - **low** when only the CPU limit is missing (CPU limits throttle, and many teams
//!   deliberately leave them out: lower or ignore this case in your configuration).
//!
//! A request that is not written defaults to the limit of the same resource, so
//! `limits.memory` alone also sets the memory request. A `LimitRange` of type `Container` in
//! the same namespace supplies the missing values: its `default` supplies limits (`max` when
//! `default` is absent) and its `defaultRequest` supplies requests (`default`, `max` or `min`
//! when absent), which is how the API defaults a LimitRange. Pod-level `resources` (the
//! `PodLevelResources` feature) supply what they set for every container. Ephemeral
//! containers are not judged: the API forbids resources on them.
//!
//! This rule is native because the LimitRange must be in the workload's namespace (a policy
//! relation without `via` would take any LimitRange of the directory) and one finding per
//! container names exactly what is missing.
//!
//! ## Why it matters (A1.1)
//! Requests are what the scheduler reserves: a pod without them is packed onto nodes that
//! cannot hold it, and is the first evicted under pressure. A memory limit bounds what one
//! leaking container can take from its neighbours before the kernel kills it. Without them
//! capacity cannot be planned or measured (A1.1).
//!
//! ## Failing example
//! ```yaml
//! containers:
//!   - name: api
//!     image: registry.example.com/api:2.3.4
//!     resources:
//!       requests:
//!         cpu: 250m
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//!   - name: api
//!     image: registry.example.com/api:2.3.4
//!     resources:
//!       requests: {cpu: 250m, memory: 256Mi}
//!       limits: {cpu: "1", memory: 256Mi}
//! ```
//!
//! ## Fix
//! Set `resources.requests.cpu`, `resources.requests.memory` and `resources.limits.memory`
//! on every container (and `limits.cpu` where throttling is acceptable), or give the
//! namespace a `LimitRange` with `default` and `defaultRequest` values.

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-K8S-012",
        name: "resource-requests-limits-missing",
        title: "Container has no CPU/memory requests or memory limit",
        severity: Severity::Medium,
        criteria: &["A1.1"],
        help: "Set `resources.requests.cpu`, `resources.requests.memory` and `resources.limits.memory` \
               (or a namespace LimitRange with defaults).",
        checkov: &["CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13"],
        kics: &[
            "ca469dd4-c736-448f-8ac1-30a642705e0a",
            "229588ef-8fde-40c8-8756-f4f2b5825ded",
            "b14d1bc4-a208-45db-92f0-e21f8e2588e9",
            "4ac0e2b7-d2d2-4af7-8799-e8de6721ccda",
        ],
        trivy: &["AVD-KSV-0015", "AVD-KSV-0016", "AVD-KSV-0018", "AVD-KSV-0011"],
        other: &[],
        bindings: &[(Target::Kubernetes, &["@workload"])],
    }
}

/// Whether a setting is a request or a limit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Request,
    Limit,
}

/// One setting the rule wants, in the order findings name them.
struct Setting {
    bound: Bound,
    resource: &'static str,
    label: &'static str,
}

/// The three settings whose absence is medium; the CPU limit follows separately.
const REQUIRED: [Setting; 3] = [
    Setting { bound: Bound::Request, resource: "cpu", label: "CPU request" },
    Setting { bound: Bound::Request, resource: "memory", label: "memory request" },
    Setting { bound: Bound::Limit, resource: "memory", label: "memory limit" },
];

const CPU_LIMIT: Setting = Setting { bound: Bound::Limit, resource: "cpu", label: "CPU limit" };

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(pod) = resource.pod_spec else { return };
    let namespace = namespace_of(resource.body);
    let limit_ranges: Vec<&Node> = file
        .scope
        .of_kind(Target::Kubernetes, "LimitRange")
        .filter(|lr| namespace_of(lr.body) == namespace)
        .filter_map(|lr| lr.body)
        .collect();
    let pod_level = pod.get("resources");
    // Ephemeral containers cannot carry resources: only these two lists are judged.
    let containers = ["initContainers", "containers"].into_iter().filter_map(|list| pod.get(list)).flat_map(Node::items);
    for container in containers {
        let supplied = |setting: &Setting| -> Option<bool> {
            let own = provided(container.get("resources"), setting)?;
            let pod_wide = provided(pod_level, setting)?;
            Some(own || pod_wide || limit_ranges.iter().any(|lr| limit_range_supplies(lr, setting)))
        };
        let mut missing = Vec::new();
        let mut unknown = false;
        for setting in &REQUIRED {
            match supplied(setting) {
                Some(true) => {}
                Some(false) => missing.push(setting.label),
                None => unknown = true,
            }
        }
        let cpu_limit = supplied(&CPU_LIMIT);
        if cpu_limit.is_none() {
            unknown = true;
        }
        let name = container.get("name").and_then(Node::as_str).unwrap_or("?");
        let span = container.entry("name").map_or(container.span, |e| e.key_span.cover(e.value.span));
        let subject = format!("container `{name}` of `{}`", resource.address);
        if !missing.is_empty() {
            let also = if cpu_limit == Some(false) { " (nor a CPU limit)" } else { "" };
            out.fail(span, format!("{subject} sets no {}{also}", join(&missing)));
        } else if cpu_limit == Some(false) {
            out.fail(span, format!("{subject} sets no CPU limit")).severity(Severity::Low);
        } else if unknown {
            out.unknown();
        }
    }
}

/// Whether a `resources` block sets the value, counting a request as set by the limit of
/// the same resource (the API defaults one to the other). `None` when not known statically.
fn provided(resources: Option<&Node>, setting: &Setting) -> Option<bool> {
    let Some(resources) = resources else { return Some(false) };
    let value = |section: &str| -> Option<bool> {
        let Some(map) = resources.get(section) else { return Some(false) };
        if not_static(map) || not_static(resources) {
            return None;
        }
        match map.get(setting.resource) {
            Some(v) if not_static(v) => None,
            Some(v) => Some(!v.is_null()),
            None => Some(false),
        }
    };
    if not_static(resources) {
        return None;
    }
    let limit = value("limits")?;
    match setting.bound {
        Bound::Limit => Some(limit),
        Bound::Request => Some(limit || value("requests")?),
    }
}

/// Whether a LimitRange has a `Container` item that defaults the value, following the API's
/// own defaulting: `default` falls back to `max`; `defaultRequest` to `default`, `max`, `min`.
fn limit_range_supplies(limit_range: &Node, setting: &Setting) -> bool {
    let sections: &[&str] = match setting.bound {
        Bound::Limit => &["default", "max"],
        Bound::Request => &["defaultRequest", "default", "max", "min"],
    };
    limit_range
        .get_path("spec.limits")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter(|item| item.get("type").and_then(Node::as_str) == Some("Container"))
        .any(|item| {
            sections.iter().any(|section| {
                item.get(section).and_then(|m| m.get(setting.resource)).is_some_and(|v| !v.is_null())
            })
        })
}

fn not_static(node: &Node) -> bool {
    node.is_expr() || node.as_tagged().is_some()
}

/// The namespace of an object (`default` when it names none: applied with the same `-n`,
/// two such objects land in the same namespace).
fn namespace_of(body: Option<&Node>) -> &str {
    body.and_then(|b| b.get_path("metadata.namespace")).and_then(Node::as_str).unwrap_or("default")
}

/// `a`, `a or b`, `a, b or c`.
fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [head @ .., last] => format!("{} or {last}", head.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::kubernetes;
    use trustlint_engine::parse::yaml;
    use trustlint_engine::rule::{CheckResult, Scope};

    /// A finding as (pointed text, severity, message).
    type Found = (String, Severity, String);

    /// (address, result, findings) per workload.
    fn run(text: &str) -> Vec<(String, CheckResult, Vec<Found>)> {
        let stream = yaml::parse(text).expect("parses");
        let resources = kubernetes::resources(&stream.documents);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("k8s.yaml", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        resources
            .iter()
            .filter(|r| r.pod_spec.is_some())
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                let found = out
                    .violations
                    .iter()
                    .map(|v| {
                        (source.slice(v.span).to_string(), v.severity.unwrap_or(Severity::Medium), v.message.clone())
                    })
                    .collect();
                (r.address.clone(), out.result(), found)
            })
            .collect()
    }

    #[test]
    fn names_what_is_missing_and_grades_the_cpu_limit_low() {
        let results = run("apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: bare
      image: a:1
    - name: cpu-only
      image: a:1
      resources: {requests: {cpu: 100m}}
    - name: no-cpu-limit
      image: a:1
      resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}
    - name: limits-only
      image: a:1
      resources: {limits: {cpu: 200m, memory: 64Mi}}
");
        let [(_, result, found)] = results.as_slice() else { panic!("one workload: {results:?}") };
        assert_eq!(*result, CheckResult::Fail);
        let messages: Vec<(&str, Severity, &str)> =
            found.iter().map(|(t, s, m)| (t.as_str(), *s, m.as_str())).collect();
        assert_eq!(
            messages,
            [
                (
                    "name: bare",
                    Severity::Medium,
                    "container `bare` of `Pod/default/p` sets no CPU request, memory request or memory limit (nor a CPU limit)"
                ),
                (
                    "name: cpu-only",
                    Severity::Medium,
                    "container `cpu-only` of `Pod/default/p` sets no memory request or memory limit (nor a CPU limit)"
                ),
                ("name: no-cpu-limit", Severity::Low, "container `no-cpu-limit` of `Pod/default/p` sets no CPU limit"),
            ]
        );
    }

    #[test]
    fn a_limit_range_of_the_same_namespace_supplies_defaults() {
        let text = "apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
    - type: Container
      max: {cpu: '2'}
      default: {memory: 512Mi}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: in-shop, namespace: shop}
spec:
  template:
    spec:
      containers:
        - {name: app, image: a:1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: elsewhere, namespace: other}
spec:
  template:
    spec:
      containers:
        - {name: app, image: a:1}
";
        let results = run(text);
        let shop = results.iter().find(|r| r.0 == "Deployment/shop/in-shop").expect("shop");
        assert_eq!(shop.1, CheckResult::Pass, "{shop:?}");
        let other = results.iter().find(|r| r.0 == "Deployment/other/elsewhere").expect("other");
        assert_eq!(other.1, CheckResult::Fail);
    }

    #[test]
    fn pod_level_resources_count_and_ephemeral_containers_are_skipped() {
        let results = run("apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  resources:
    requests: {cpu: 500m, memory: 1Gi}
    limits: {cpu: '1', memory: 1Gi}
  containers:
    - {name: app, image: a:1}
  ephemeralContainers:
    - {name: debug, image: busybox:1.36}
");
        assert_eq!(results.first().map(|r| r.1), Some(CheckResult::Pass), "{results:?}");
    }

    #[test]
    fn joins_names() {
        assert_eq!(join(&["a"]), "a");
        assert_eq!(join(&["a", "b"]), "a or b");
        assert_eq!(join(&["a", "b", "c"]), "a, b or c");
    }
}
