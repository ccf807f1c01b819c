//! docker-compose services as resources, judged on the model compose itself runs: a base file
//! merged with its override file (`docker-compose.override.yml` beside
//! `docker-compose.yml`, `compose.override.yaml` beside `compose.yaml`) and services merged
//! with the service they `extends`.
//!
//! The merge happens in place on the base file's tree. A value that comes from the override
//! or the extended service takes the span of the base attribute it replaces (or of the
//! service's key, or of its `extends`, when it adds one), so findings stay in the file whose
//! service is judged; services that exist only in the override file are judged there.

use std::collections::{HashMap, HashSet};

use crate::{Entry, Node, Resource, Span, Target, Value};

/// One resource per service, addressed `services.<name>`.
pub fn resources(documents: &[Node]) -> Vec<Resource<'_>> {
    let mut out = Vec::new();
    for (index, doc) in documents.iter().enumerate() {
        let Some(services) = doc.get("services") else { continue };
        for entry in services.entries() {
            let mut resource = Resource::tree(
                Target::Compose,
                "service",
                format!("services.{}", entry.key),
                entry.key_span,
                &entry.value,
            );
            resource.index = index;
            out.push(resource);
        }
    }
    out
}

/// The base file an override file completes (`docker-compose.override.yml` ->
/// `docker-compose.yml`), by file name.
pub fn base_of(override_name: &str) -> Option<String> {
    let (stem, ext) = override_name.rsplit_once('.')?;
    let base = stem.strip_suffix(".override")?;
    Some(format!("{base}.{ext}"))
}

/// Deepest nesting merged (compose files are shallow).
const MAX_DEPTH: usize = 32;

/// Merge `override_doc`'s services into `base_doc` in place, and remove from `override_doc`
/// the services the base defines (they are judged, merged, in the base file).
pub fn merge_override(base_doc: &mut Node, override_doc: &mut Node) {
    let Some(override_services) = override_doc.get("services").cloned() else { return };
    let Some(base_services) = service_map_mut(base_doc) else { return };
    let mut merged = Vec::new();
    for over in override_services.entries() {
        if let Some(base) = base_services.iter_mut().find(|e| e.key == over.key) {
            let anchor = base.key_span;
            merge_into(&mut base.value, &over.value, anchor, 0);
            merged.push(over.key.clone());
        }
    }
    if let Some(override_entries) = service_map_mut(override_doc) {
        override_entries.retain(|e| !merged.contains(&e.key));
    }
}

/// Apply `extends` of services within one file: the extended service's attributes are
/// merged under the extending service's own.
pub fn apply_extends(doc: &mut Node) {
    let Some(services) = doc.get("services").cloned() else { return };
    let mut by_name: HashMap<&str, &Node> = HashMap::new();
    for service in services.entries() {
        by_name.entry(service.key.as_str()).or_insert(&service.value);
    }
    let mut budget = EXTENDS_BUDGET;
    let Some(entries) = service_map_mut(doc) else { return };
    for entry in entries.iter_mut() {
        let Some(extends) = entry.value.entry("extends") else { continue };
        let anchor = extends.key_span;
        let target = match &extends.value.value {
            Value::String(name) => Some(name.clone()),
            // `file:` names another file; that merge is not done here.
            Value::Map(_) if extends.value.get("file").is_none() => {
                extends.value.get("service").and_then(Node::as_str).map(str::to_string)
            }
            _ => None,
        };
        let Some(parent) = target
            .and_then(|name| by_name.get(name.as_str()).copied())
            .filter(|p| p.get("extends").is_none())
        else {
            continue;
        };
        // Past the budget the service is judged as written.
        let Some(size) = nodes_up_to(parent, budget) else { continue };
        budget -= size;
        let mut combined = parent.clone();
        relocate(&mut combined, anchor);
        merge_into(&mut combined, &entry.value, anchor, 0);
        // The extending service's own entries keep their spans; the whole map keeps its span.
        combined.span = entry.value.span;
        entry.value = combined;
    }
}

/// Most nodes `extends` may copy in one file: a service extended by thousands of others
/// would otherwise multiply the file's size by their number.
const EXTENDS_BUDGET: usize = 1_000_000;

/// Maps and lists with more entries than this are merged through a hash index.
const LINEAR_MERGE: usize = 16;

/// The number of nodes of a tree, if it is at most `limit`.
fn nodes_up_to(node: &Node, limit: usize) -> Option<usize> {
    let mut count = 0usize;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        if count > limit {
            return None;
        }
        match &n.value {
            Value::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            Value::List(items) => stack.extend(items.iter()),
            Value::Tagged(_, inner) => stack.push(inner),
            _ => {}
        }
    }
    Some(count)
}

fn service_map_mut(doc: &mut Node) -> Option<&mut Vec<Entry>> {
    let Value::Map(entries) = &mut doc.value else { return None };
    let services = entries.iter_mut().find(|e| e.key == "services")?;
    match &mut services.value.value {
        Value::Map(services) => Some(services),
        _ => None,
    }
}

/// Compose's merge: maps merge key by key, sequences of mounts and ports gain the override's
/// new items, anything else is replaced.
fn merge_into(base: &mut Node, over: &Node, anchor: Span, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match (&mut base.value, &over.value) {
        (Value::Map(base_entries), Value::Map(over_entries)) => {
            // Keys of the base (and of the entries added to it), for large maps; the first
            // entry of a key is the one merged into, as in a linear search.
            let large = base_entries.len() + over_entries.len() > LINEAR_MERGE;
            let mut index: HashMap<String, usize> = if large {
                base_entries.iter().enumerate().rev().map(|(i, e)| (e.key.clone(), i)).collect()
            } else {
                HashMap::new()
            };
            for over_entry in over_entries {
                let found = if large {
                    index.get(&over_entry.key).copied()
                } else {
                    base_entries.iter().position(|e| e.key == over_entry.key)
                };
                match found.and_then(|i| base_entries.get_mut(i)) {
                    Some(existing) => {
                        let at = existing.value.span;
                        merge_into(&mut existing.value, &over_entry.value, at, depth + 1);
                    }
                    None => {
                        let mut value = over_entry.value.clone();
                        relocate(&mut value, anchor);
                        if large {
                            index.insert(over_entry.key.clone(), base_entries.len());
                        }
                        base_entries.push(Entry { key: over_entry.key.clone(), key_span: anchor, value });
                    }
                }
            }
        }
        (Value::List(base_items), Value::List(over_items)) => {
            // The scalar items present, for large lists (items that are not scalars never
            // count as the same).
            let large = base_items.len() + over_items.len() > LINEAR_MERGE;
            let mut present: HashSet<String> = if large {
                base_items.iter().filter_map(|b| b.scalar_text().map(|t| t.into_owned())).collect()
            } else {
                HashSet::new()
            };
            for item in over_items {
                let seen = if large {
                    item.scalar_text().is_some_and(|t| !present.insert(t.into_owned()))
                } else {
                    base_items.iter().any(|b| same_value(b, item))
                };
                if !seen {
                    let mut value = item.clone();
                    relocate(&mut value, anchor);
                    base_items.push(value);
                }
            }
        }
        _ => {
            let span = base.span;
            *base = over.clone();
            relocate(base, span);
        }
    }
}

fn same_value(a: &Node, b: &Node) -> bool {
    match (a.scalar_text(), b.scalar_text()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Give every node of a subtree the same span (it now stands in another file's place).
fn relocate(node: &mut Node, span: Span) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span = span;
        match &mut n.value {
            Value::Map(entries) => {
                for e in entries.iter_mut() {
                    e.key_span = span;
                    stack.push(&mut e.value);
                }
            }
            Value::List(items) => stack.extend(items.iter_mut()),
            Value::Tagged(_, inner) => stack.push(inner),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        crate::parse::yaml::parse(text).expect("valid").documents.remove(0)
    }

    #[test]
    fn override_files_merge_into_the_base() {
        let mut base = doc(
            "services:\n  web:\n    image: web:1\n    privileged: true\n    cap_add: [NET_ADMIN]\n  db:\n    image: db:1\n",
        );
        let mut over = doc(
            "services:\n  web:\n    privileged: false\n    cap_add: [SYS_TIME]\n    pid: host\n  debug:\n    image: busybox:1\n",
        );
        merge_override(&mut base, &mut over);
        let web = base.get_path("services.web").expect("web");
        assert_eq!(web.get("privileged").and_then(Node::as_bool), Some(false));
        assert_eq!(web.get("cap_add").map(|c| c.items().len()), Some(2));
        let pid = web.entry("pid").expect("added");
        assert_eq!(
            pid.key_span,
            base.get("services").and_then(|s| s.entry("web")).map(|e| e.key_span).expect("web key")
        );
        // The override keeps only what the base does not define.
        let remaining: Vec<&str> = over
            .get("services")
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(remaining, ["debug"]);
        assert_eq!(base_of("docker-compose.override.yml").as_deref(), Some("docker-compose.yml"));
        assert_eq!(base_of("compose.yaml"), None);
    }

    #[test]
    fn large_merges_and_extends_stay_bounded() {
        let mut text = String::from("services:\n  base:\n    image: x\n    environment:\n");
        for i in 0..2_000 {
            text.push_str(&format!("      K{i}: v\n"));
        }
        for i in 0..1_000 {
            text.push_str(&format!(
                "  s{i}:\n    extends: base\n    environment:\n      K{i}: mine\n      N{i}: new\n"
            ));
        }
        let mut doc = doc(&text);
        apply_extends(&mut doc);
        let services = doc.get("services").expect("services");
        let first = services.get("s0").and_then(|s| s.get("environment")).expect("merged");
        assert_eq!(first.entries().len(), 2_001, "the base's keys, the own one merged, one new");
        assert_eq!(first.get("K0").and_then(Node::as_str), Some("mine"), "the extending service wins");
        // Two thousand nodes copied a thousand times is over the budget: later services are
        // judged as written.
        let copied = services.entries().iter().filter(|e| e.value.get("image").is_some()).count();
        assert!(copied > 1 && copied < 1_001, "{copied}");
        let last = services.get("s999").and_then(|s| s.get("environment")).expect("as written");
        assert_eq!(last.entries().len(), 2);

        let mut base = doc_from_list((0..5_000).map(|i| format!("p{i}")).collect());
        let over = doc_from_list((2_500..7_500).map(|i| format!("p{i}")).chain(["p1".into()]).collect());
        merge_into(&mut base, &over, Span::default(), 0);
        assert_eq!(base.items().len(), 7_500, "items already present are not added again");
    }

    fn doc_from_list(items: Vec<String>) -> Node {
        Node::new(
            Span::default(),
            Value::List(items.into_iter().map(|s| Node::new(Span::default(), Value::String(s))).collect()),
        )
    }

    #[test]
    fn extends_within_a_file() {
        let mut d = doc(
            "services:\n  base:\n    image: app:1\n    network_mode: host\n  worker:\n    extends: base\n    command: work\n  safe:\n    extends: {service: base}\n    network_mode: bridge\n",
        );
        apply_extends(&mut d);
        let worker = d.get_path("services.worker").expect("worker");
        assert_eq!(worker.get("network_mode").and_then(Node::as_str), Some("host"));
        assert_eq!(worker.get("command").and_then(Node::as_str), Some("work"));
        let safe = d.get_path("services.safe").expect("safe");
        assert_eq!(safe.get("network_mode").and_then(Node::as_str), Some("bridge"));
    }
}
