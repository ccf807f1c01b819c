//! Kubernetes objects as resources, with one pod-spec view whatever the workload kind.

use crate::rule::WORKLOAD_KINDS;
use crate::{Node, Resource, Target};

/// Every object of the documents (`kind: List` expanded), addressed `Kind/namespace/name`.
pub fn resources(documents: &[Node]) -> Vec<Resource<'_>> {
    let mut out = Vec::new();
    for (index, doc) in documents.iter().enumerate() {
        push_object(doc, index, &mut out);
    }
    out
}

fn push_object<'a>(doc: &'a Node, index: usize, out: &mut Vec<Resource<'a>>) {
    let Some(kind) = doc.get("kind").and_then(Node::as_str) else { return };
    if doc.get("apiVersion").and_then(Node::as_str).is_none() {
        return;
    }
    if kind == "List" || (kind.ends_with("List") && doc.get("items").is_some()) {
        for item in doc.get("items").map(Node::items).unwrap_or_default() {
            push_object(item, index, out);
        }
        return;
    }
    let metadata = doc.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Node::scalar_text)
        .map_or_else(|| "unnamed".to_string(), |s| s.into_owned());
    let namespace = metadata
        .and_then(|m| m.get("namespace"))
        .and_then(Node::scalar_text)
        .map_or_else(|| "default".to_string(), |s| s.into_owned());
    let header = doc.entry("kind").map_or(doc.span, |e| e.key_span.cover(e.value.span));
    let mut resource =
        Resource::tree(Target::Kubernetes, kind, format!("{kind}/{namespace}/{name}"), header, doc);
    resource.pod_spec = pod_spec(kind, doc);
    resource.index = index;
    out.push(resource);
}

/// The pod spec of a workload: `Pod.spec`, `CronJob.spec.jobTemplate.spec.template.spec`,
/// `spec.template.spec` for the other workload kinds.
pub fn pod_spec<'a>(kind: &str, doc: &'a Node) -> Option<&'a Node> {
    match kind {
        "Pod" => doc.get("spec"),
        "CronJob" => doc.get_path("spec.jobTemplate.spec.template.spec"),
        k if WORKLOAD_KINDS.contains(&k) => doc.get_path("spec.template.spec"),
        _ => None,
    }
}

/// Every container of a pod spec, init and ephemeral containers included.
pub fn containers(pod_spec: &Node) -> impl Iterator<Item = &Node> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .filter_map(|list| pod_spec.get(list))
        .flat_map(Node::items)
}
