//! What the S3 bucket rules need to know about a bucket besides its own body: the effective
//! data classification (own tags or the provider's `default_tags`, and whether they can be
//! known statically) and the bucket policies attached to it through separate resources.

use trustlint_engine::policy::condition::Truth;
use trustlint_engine::rule::Scope;

use crate::iam::{Document, Reader};
use crate::link;
use crate::prelude::*;

/// A bucket's effective `data_classification`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Label {
    /// No classification tag.
    None,
    /// The tag's value.
    Known(String),
    /// The tags are not known statically (a variable, `merge(...)`, `!If`).
    Unknown,
}

/// Classification values that call for the confidentiality controls.
pub(crate) const CLASSIFIED: [&str; 4] = ["confidential", "restricted", "pii", "phi"];

/// Classification values of personal data.
pub(crate) const PERSONAL: [&str; 2] = ["pii", "phi"];

/// The effective classification of a resource: the value the linter assigned from its tags
/// or the provider's `default_tags`; unknown when it has none but its tags (or the default
/// tags) are an expression that may hold one.
pub(crate) fn label(resource: &Resource<'_>, scope: &Scope<'_>) -> Label {
    match resource.classification.map(|c| &c.value) {
        Some(Value::String(text) | Value::Number(text)) => return Label::Known(text.trim().to_string()),
        Some(Value::Bool(_) | Value::Null | Value::List(_)) => return Label::None,
        Some(_) => return Label::Unknown,
        None => {}
    }
    if tags_unknown(resource) {
        return Label::Unknown;
    }
    if resource.target == Target::Terraform {
        let default_unknown = scope.of_kind(Target::Terraform, "provider.aws").any(|provider| {
            let defaults = provider.body.and_then(|b| b.get("default_tags"));
            defaults.is_some_and(|d| {
                d.is_expr() || d.items().iter().any(|d| d.get("tags").is_some_and(unresolved))
            })
        });
        if default_unknown {
            return Label::Unknown;
        }
    }
    Label::None
}

fn unresolved(node: &Node) -> bool {
    match &node.value {
        Value::Expr(_) | Value::Tagged(..) => true,
        Value::Map(entries) => {
            matches!(entries.as_slice(), [only] if only.key == "Ref" || only.key.starts_with("Fn::"))
        }
        _ => false,
    }
}

/// Whether the resource's own tags are not known statically.
fn tags_unknown(resource: &Resource<'_>) -> bool {
    let Some(body) = resource.body else { return false };
    let tags = match resource.target {
        Target::Terraform => body.get("tags"),
        Target::Cloudformation => {
            body.get("Properties").and_then(|p| if unresolved(p) { Some(p) } else { p.get("Tags") })
        }
        _ => None,
    };
    tags.is_some_and(|t| unresolved(t) || t.items().iter().any(unresolved))
}

/// Whether the bucket holds personal data: a classification of `pii` or `phi`, or a tag
/// `contains_pii = true`.
pub(crate) fn personal_data(resource: &Resource<'_>, scope: &Scope<'_>) -> Truth {
    let flagged = contains_pii(resource);
    let labelled = match label(resource, scope) {
        Label::Known(text) => {
            if PERSONAL.iter().any(|p| p.eq_ignore_ascii_case(&text)) {
                Truth::True
            } else {
                Truth::False
            }
        }
        Label::None => Truth::False,
        Label::Unknown => Truth::Unknown,
    };
    link::or(labelled, flagged)
}

/// The tag `contains_pii = true`.
fn contains_pii(resource: &Resource<'_>) -> Truth {
    let Some(body) = resource.body else { return Truth::False };
    let value = match resource.target {
        Target::Terraform => body.get_path("tags.contains_pii"),
        Target::Cloudformation => body
            .get_path("Properties.Tags")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .find(|t| t.get("Key").and_then(Node::as_str) == Some("contains_pii"))
            .and_then(|t| t.get("Value")),
        _ => None,
    };
    match value {
        None => Truth::False,
        Some(v) if unresolved(v) => Truth::Unknown,
        Some(v) => {
            if v.as_bool() == Some(true) {
                Truth::True
            } else {
                Truth::False
            }
        }
    }
}

/// A bucket policy, with the resource holding it and how sure its link to the bucket is.
pub(crate) struct BucketPolicy<'a> {
    /// The resource holding the document; `None` for the bucket itself (legacy `policy`).
    pub holder: Option<&'a Resource<'a>>,
    pub link: Truth,
    pub document: Document,
}

/// The bucket policies of an S3 bucket: its legacy `policy` argument, and each
/// `aws_s3_bucket_policy` (CloudFormation `AWS::S3::BucketPolicy`) that refers to it.
pub(crate) fn bucket_policies<'a>(reader: &Reader<'_, 'a>, bucket: &Resource<'_>) -> Vec<BucketPolicy<'a>> {
    let mut out = Vec::new();
    let Some(body) = bucket.body else { return out };
    match bucket.target {
        Target::Terraform => {
            if let Some(entry) = body.entry("policy").filter(|e| !e.value.is_null()) {
                out.push(BucketPolicy {
                    holder: None,
                    link: Truth::True,
                    document: reader.document(&entry.value, bucket),
                });
            }
            for (policy, link) in
                link::referrers(bucket, reader.scope(), &["aws_s3_bucket_policy"], "bucket", &["bucket"])
            {
                let Some(entry) = policy.body.and_then(|b| b.entry("policy")) else { continue };
                out.push(BucketPolicy {
                    holder: Some(policy),
                    link,
                    document: reader.document(&entry.value, policy),
                });
            }
        }
        Target::Cloudformation => {
            for (policy, link) in link::referrers(
                bucket,
                reader.scope(),
                &["AWS::S3::BucketPolicy"],
                "Properties.Bucket",
                &["Properties.BucketName"],
            ) {
                let Some(entry) =
                    policy.body.and_then(|b| b.get("Properties")).and_then(|p| p.entry("PolicyDocument"))
                else {
                    continue;
                };
                out.push(BucketPolicy {
                    holder: Some(policy),
                    link,
                    document: reader.document(&entry.value, policy),
                });
            }
        }
        _ => {}
    }
    out
}
