//! Relations between resources: "some resource of type T refers to this one (through
//! attribute A) and satisfies C", and the outgoing direction "this resource refers to a T".
//!
//! How a reference is recognised depends on the target: Terraform references
//! (`aws_s3_bucket.logs.id`) or a literal equal to one of this resource's attributes
//! (`bucket = "logs-bucket"`); CloudFormation `Ref`/`GetAtt` in both syntaxes; Kubernetes
//! label selectors and `scaleTargetRef` within a namespace.

use crate::{Node, Resource, Target, Value};

use super::condition::{Condition, Context, Truth};
use super::path::Path;

/// Which side holds the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The other resource refers to this one (`related`).
    Incoming,
    /// This resource refers to the other one (`references`).
    Outgoing,
}

/// How two resources are linked.
#[derive(Debug, Clone)]
pub enum Via {
    /// Not linked: any resource of the types in scope counts (account-level settings).
    Scope,
    /// An attribute holding a reference (or a literal name).
    Attribute {
        /// Path to the referring attribute, on the referring resource.
        path: Path,
        /// Attributes of the referred resource a literal may equal (`bucket`, `name`).
        by: Vec<Path>,
    },
    /// A Kubernetes label selector of the other resource selects this workload's pods.
    Selector,
    /// A Kubernetes `scaleTargetRef` of the other resource names this workload.
    ScaleTarget,
}

/// Deepest nesting of relation conditions (a related resource's condition may use relations).
const MAX_DEPTH: usize = 4;

/// Whether a matching related resource exists: `True` if one links and satisfies the
/// condition, `Unknown` if a link or the condition cannot be decided, else `False`.
pub fn find(
    direction: Direction,
    kinds: &[String],
    via: &Via,
    condition: Option<&Condition>,
    cx: &Context<'_, '_>,
) -> Truth {
    if cx.depth >= MAX_DEPTH {
        return Truth::Unknown;
    }
    let this = cx.resource;
    let mut unknown = false;
    for kind in kinds {
        for other in cx.scope.of_kind(this.target, kind) {
            if std::ptr::eq(other, this) {
                continue;
            }
            let linked = match direction {
                Direction::Incoming => links(other, this, via),
                Direction::Outgoing => links(this, other, via),
            };
            match linked {
                Truth::False => continue,
                Truth::Unknown => {
                    unknown = true;
                    continue;
                }
                Truth::True => {}
            }
            let satisfied = match condition {
                None => Truth::True,
                Some(condition) => {
                    let inner = Context { resource: other, scope: cx.scope, depth: cx.depth + 1 };
                    condition.eval(other.body, &inner).truth
                }
            };
            match satisfied {
                Truth::True => return Truth::True,
                Truth::Unknown => unknown = true,
                Truth::False => {}
            }
        }
    }
    if unknown { Truth::Unknown } else { Truth::False }
}

/// Whether `from` refers to `to` through `via`.
fn links(from: &Resource<'_>, to: &Resource<'_>, via: &Via) -> Truth {
    match via {
        Via::Scope => Truth::True,
        Via::Attribute { path, by } => {
            let resolved = path.resolve(from.body, from);
            let mut unknown = resolved.unknown;
            for node in &resolved.nodes {
                match refers(node, to, by) {
                    Truth::True => return Truth::True,
                    Truth::Unknown => unknown = true,
                    Truth::False => {}
                }
            }
            if unknown { Truth::Unknown } else { Truth::False }
        }
        Via::Selector => selects(from, to),
        Via::ScaleTarget => scale_targets(from, to),
    }
}

/// Whether one attribute value refers to `to`.
fn refers(node: &Node, to: &Resource<'_>, by: &[Path]) -> Truth {
    match (&node.value, to.target) {
        (Value::Expr(text), Target::Terraform) => terraform_reference(text, &to.address),
        (Value::String(literal) | Value::Number(literal), _) => {
            let mut unknown = false;
            for path in by {
                for own in path.resolve(to.body, to).nodes {
                    match &own.value {
                        Value::String(name) | Value::Number(name) if name == literal => return Truth::True,
                        Value::Expr(_) | Value::Tagged(..) => unknown = true,
                        _ => {}
                    }
                }
            }
            if unknown { Truth::Unknown } else { Truth::False }
        }
        (_, Target::Cloudformation) => cloudformation_reference(node, &to.address),
        (Value::List(items), _) => {
            let mut unknown = false;
            for item in items {
                match refers(item, to, by) {
                    Truth::True => return Truth::True,
                    Truth::Unknown => unknown = true,
                    Truth::False => {}
                }
            }
            if unknown { Truth::Unknown } else { Truth::False }
        }
        _ => Truth::False,
    }
}

/// Whether a Terraform expression refers to the resource at `address` (`aws_s3_bucket.b`,
/// seen as `aws_s3_bucket.b.id`, `aws_s3_bucket.b[0].arn`, `"${aws_s3_bucket.b.bucket}"`).
/// An expression built from variables, locals, data sources or module outputs might: unknown.
pub fn terraform_reference(expression: &str, address: &str) -> Truth {
    // Inside a module instance the body refers to its siblings by their local address.
    let local = local_terraform_address(address);
    let bytes = expression.as_bytes();
    let mut from = 0;
    while let Some(pos) = expression.get(from..).and_then(|rest| rest.find(local)) {
        let start = from + pos;
        let end = start + local.len();
        let before_ok = start == 0 || !is_ident_byte(bytes[start - 1]) && bytes[start - 1] != b'.';
        let after_ok =
            end == bytes.len() || matches!(bytes[end], b'.' | b'[' | b'}' | b')' | b',' | b' ' | b'"');
        if before_ok && after_ok {
            return Truth::True;
        }
        from = end;
    }
    let indirect = ["var.", "local.", "module.", "data.", "each.", "count.", "lookup(", "try("];
    let at_boundary = |prefix: &str| {
        expression.match_indices(prefix).any(|(i, _)| i == 0 || !is_ident_byte(bytes[i - 1]) && bytes[i - 1] != b'.')
    };
    if indirect.iter().any(|prefix| at_boundary(prefix)) { Truth::Unknown } else { Truth::False }
}

fn local_terraform_address(address: &str) -> &str {
    // `module.db.aws_db_instance.this` -> `aws_db_instance.this`; `data.x.y` stays.
    let mut rest = address;
    while let Some(stripped) = rest.strip_prefix("module.") {
        rest = stripped.split_once('.').map_or(stripped, |(_, tail)| tail);
    }
    rest
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `!Ref Id`, `{Ref: Id}`, `!GetAtt Id.Attr`, `!GetAtt [Id, Attr]`, `{"Fn::GetAtt": [...]}`.
fn cloudformation_reference(node: &Node, logical_id: &str) -> Truth {
    let named = |n: &Node| -> Truth {
        match &n.value {
            Value::String(s) => {
                let id = s.split('.').next().unwrap_or(s);
                if id == logical_id { Truth::True } else { Truth::False }
            }
            Value::List(items) => match items.first().and_then(Node::as_str) {
                Some(id) if id == logical_id => Truth::True,
                Some(_) => Truth::False,
                None => Truth::Unknown,
            },
            _ => Truth::Unknown,
        }
    };
    match &node.value {
        Value::Tagged(tag, inner) if tag == "Ref" || tag == "GetAtt" => named(inner),
        Value::Map(entries) if entries.len() == 1 => match entries.first() {
            Some(e) if e.key == "Ref" || e.key == "Fn::GetAtt" => named(&e.value),
            Some(e) if e.key.starts_with("Fn::") => Truth::Unknown,
            _ => Truth::False,
        },
        Value::Tagged(..) => Truth::Unknown,
        _ => Truth::False,
    }
}

fn namespace<'a>(resource: &'a Resource<'_>) -> &'a str {
    resource.body.and_then(|b| b.get_path("metadata.namespace")).and_then(Node::as_str).unwrap_or("default")
}

fn name<'a>(resource: &'a Resource<'_>) -> Option<&'a str> {
    resource.body.and_then(|b| b.get_path("metadata.name")).and_then(Node::as_str)
}

/// The labels of a workload's pods.
fn pod_labels<'a>(resource: &Resource<'a>) -> Option<&'a Node> {
    let body = resource.body?;
    match resource.kind.as_str() {
        "Pod" => body.get_path("metadata.labels"),
        "CronJob" => body.get_path("spec.jobTemplate.spec.template.metadata.labels"),
        _ => body.get_path("spec.template.metadata.labels"),
    }
}

/// Whether `selector_owner`'s selector (PodDisruptionBudget, Service, NetworkPolicy, ...)
/// selects `workload`'s pods in the same namespace.
fn selects(selector_owner: &Resource<'_>, workload: &Resource<'_>) -> Truth {
    if namespace(selector_owner) != namespace(workload) {
        return Truth::False;
    }
    let Some(body) = selector_owner.body else { return Truth::False };
    let Some(selector) = body.get_path("spec.selector").or_else(|| body.get_path("spec.podSelector")) else {
        return Truth::False;
    };
    let labels = pod_labels(workload);
    let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Node::scalar_text);
    let structured = selector.get("matchLabels").is_some() || selector.get("matchExpressions").is_some();
    let match_labels = if structured { selector.get("matchLabels") } else { Some(selector) };
    let mut unknown = false;
    let mut any_term = false;
    for entry in match_labels.map(Node::entries).unwrap_or_default() {
        any_term = true;
        match entry.value.scalar_text() {
            Some(wanted) => {
                if label(&entry.key).as_deref() != Some(wanted.as_ref()) {
                    return Truth::False;
                }
            }
            None => unknown = true,
        }
    }
    for expression in selector.get("matchExpressions").map(Node::items).unwrap_or_default() {
        any_term = true;
        let Some(key) = expression.get("key").and_then(Node::as_str) else {
            unknown = true;
            continue;
        };
        let values: Vec<String> = expression
            .get("values")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.scalar_text().map(|t| t.into_owned()))
            .collect();
        let actual = label(key);
        let holds = match expression.get("operator").and_then(Node::as_str) {
            Some("In") => actual.is_some_and(|a| values.iter().any(|v| *v == a.as_ref())),
            Some("NotIn") => actual.is_none_or(|a| !values.iter().any(|v| *v == a.as_ref())),
            Some("Exists") => actual.is_some(),
            Some("DoesNotExist") => actual.is_none(),
            _ => {
                unknown = true;
                continue;
            }
        };
        if !holds {
            return Truth::False;
        }
    }
    if unknown {
        Truth::Unknown
    } else if !any_term && selector_owner.kind == "Service" {
        // A Service without a selector selects nothing.
        Truth::False
    } else {
        // An empty structured selector selects every pod of the namespace.
        Truth::True
    }
}

/// Whether an autoscaler's `scaleTargetRef` names `workload`.
fn scale_targets(autoscaler: &Resource<'_>, workload: &Resource<'_>) -> Truth {
    if namespace(autoscaler) != namespace(workload) {
        return Truth::False;
    }
    let Some(target) = autoscaler.body.and_then(|b| b.get_path("spec.scaleTargetRef")) else {
        return Truth::False;
    };
    let kind = target.get("kind").and_then(Node::as_str);
    let target_name = target.get("name").and_then(Node::as_str);
    match (kind, target_name, name(workload)) {
        (Some(k), Some(n), Some(w)) if k == workload.kind && n == w => Truth::True,
        (Some(_), Some(_), _) => Truth::False,
        _ => Truth::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_references() {
        let a = "aws_s3_bucket.logs";
        assert_eq!(terraform_reference("aws_s3_bucket.logs.id", a), Truth::True);
        assert_eq!(terraform_reference("${aws_s3_bucket.logs.bucket}", a), Truth::True);
        assert_eq!(terraform_reference("aws_s3_bucket.logs[0].arn", a), Truth::True);
        assert_eq!(terraform_reference("aws_s3_bucket.logs_archive.id", a), Truth::False);
        assert_eq!(terraform_reference("aws_s3_bucket.other.id", a), Truth::False);
        assert_eq!(terraform_reference("var.bucket", a), Truth::Unknown);
        assert_eq!(terraform_reference("aws_rds_cluster.variable_count.id", a), Truth::False);
        assert_eq!(terraform_reference("\"${local.prefix}-x\"", a), Truth::Unknown);
        assert_eq!(terraform_reference("aws_s3_bucket.this.id", "module.x.aws_s3_bucket.this"), Truth::True);
    }
}
