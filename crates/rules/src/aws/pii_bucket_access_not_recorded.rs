//! ## What it checks
//! Buckets holding personal data (an effective `data_classification` of `pii` or `phi`, from
//! the bucket's tags or the AWS provider's `default_tags`, CloudFormation `Tags`; or a tag
//! `contains_pii = true`) must have a record of who accessed what, from either:
//! - server access logging to a different bucket: an `aws_s3_bucket_logging` referring to the
//!   bucket, or the legacy inline `logging` block, whose `target_bucket` is another bucket
//!   (CloudFormation `LoggingConfiguration` with a `DestinationBucketName` other than the
//!   bucket itself; without one, logs go to the bucket itself);
//! - a CloudTrail trail in scope (`aws_cloudtrail`, `AWS::CloudTrail::Trail`, logging not
//!   switched off) with a data-event selector for `AWS::S3::Object` whose values name the
//!   bucket's ARN (`arn:aws:s3:::name/`, a reference to the bucket) or all objects
//!   (`arn:aws:s3`, `arn:aws:s3:::`), and that records reads (not `WriteOnly`); advanced
//!   event selectors with `eventCategory` `Data` and `resources.type` `AWS::S3::Object` count
//!   when their `resources.ARN` selectors (if any) include the bucket.
//!
//! A classification, target or selector value that is not known statically makes the result
//! unknown when nothing else records the access.
//!
//! Native because CloudTrail selectors name buckets by ARN prefix (a literal ARN, an
//! interpolated reference, a CloudFormation `!Sub`) and server access logging must go to a
//! bucket other than the one logged.
//!
//! ## Why it matters (P6.2, P6.3, CC7.2)
//! When personal data is disclosed, with or without authorisation, the organisation must be
//! able to say which records went to whom (P6.2, P6.3). S3 does not record object reads by
//! default: without access logs or data events there is no trail to reconstruct a disclosure
//! from, and no signal to monitor for anomalous access (CC7.2).
//!
//! ## Failing example
//! ```hcl
//! resource "aws_s3_bucket" "applications" {
//!   bucket = "acme-job-applications"
//!   tags   = { data_classification = "pii" }
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_s3_bucket_logging" "applications" {
//!   bucket        = aws_s3_bucket.applications.id
//!   target_bucket = aws_s3_bucket.access_logs.id
//!   target_prefix = "applications/"
//! }
//! ```
//!
//! ## Fix
//! Enable server access logging to a dedicated log bucket, or add the bucket's ARN to a
//! CloudTrail data-event selector for `AWS::S3::Object` that records read events. Keep the
//! logs for as long as disclosures must be investigated.

use trustlint_engine::policy::condition::Truth;

use crate::link;
use crate::prelude::*;
use crate::s3;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-045",
        name: "pii-bucket-access-not-recorded",
        title: "Access to a bucket holding personal data is not recorded",
        severity: Severity::Medium,
        criteria: &["P6.2", "P6.3", "CC7.2"],
        help: "Enable server access logging to another bucket, or a CloudTrail S3 data-event selector \
               (reads included) that names the bucket.",
        checkov: &["CKV_AWS_18"],
        kics: &["f861041c-8c9f-4156-acfc-5e6e524f5884"],
        trivy: &["AVD-AWS-0089", "AVD-AWS-0171", "AVD-AWS-0172"],
        other: &[],
        bindings: &[(Target::Terraform, &["aws_s3_bucket"]), (Target::Cloudformation, &["AWS::S3::Bucket"])],
    }
}

/// Attribute names of the formats.
struct Keys {
    name: &'static str,
    trail: &'static str,
    logging_on: &'static str,
    selectors: &'static str,
    read_write: &'static str,
    data_resources: &'static str,
    data_type: &'static str,
    values: &'static str,
    advanced: &'static str,
    fields: &'static str,
    field: &'static str,
    equals: &'static str,
    starts_with: &'static str,
    not_equals: &'static str,
    not_starts_with: &'static str,
}

const TERRAFORM: Keys = Keys {
    name: "bucket",
    trail: "aws_cloudtrail",
    logging_on: "enable_logging",
    selectors: "event_selector",
    read_write: "read_write_type",
    data_resources: "data_resource",
    data_type: "type",
    values: "values",
    advanced: "advanced_event_selector",
    fields: "field_selector",
    field: "field",
    equals: "equals",
    starts_with: "starts_with",
    not_equals: "not_equals",
    not_starts_with: "not_starts_with",
};

const CLOUDFORMATION: Keys = Keys {
    name: "Properties.BucketName",
    trail: "AWS::CloudTrail::Trail",
    logging_on: "Properties.IsLogging",
    selectors: "Properties.EventSelectors",
    read_write: "ReadWriteType",
    data_resources: "DataResources",
    data_type: "Type",
    values: "Values",
    advanced: "Properties.AdvancedEventSelectors",
    fields: "FieldSelectors",
    field: "Field",
    equals: "Equals",
    starts_with: "StartsWith",
    not_equals: "NotEquals",
    not_starts_with: "NotStartsWith",
};

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let keys = match resource.target {
        Target::Terraform => &TERRAFORM,
        Target::Cloudformation => &CLOUDFORMATION,
        _ => return,
    };
    let personal = s3::personal_data(resource, file.scope);
    if personal == Truth::False {
        return;
    }
    let recorded = link::or(server_logging(resource, body, file), cloudtrail(resource, keys, file));
    match link::and(personal, link::not(recorded)) {
        Truth::True => {
            out.fail(
                resource.span,
                format!(
                    "bucket `{}` holds personal data, but neither server access logging to another bucket nor a \
                     CloudTrail S3 data-event selector records access to it",
                    resource.address
                ),
            );
        }
        Truth::Unknown => out.unknown(),
        Truth::False => {}
    }
}

/// Whether server access logs of the bucket go to another bucket.
fn server_logging(bucket: &Resource<'_>, body: &Node, file: &FileContext<'_>) -> Truth {
    // A target that is the bucket itself does not count; one not known statically may be.
    let elsewhere = |target: Option<&Node>, names: &str| match target {
        None => Truth::False,
        Some(target) => link::not(link::refers(target, bucket, &[names])),
    };
    match bucket.target {
        Target::Terraform => {
            let mut result = Truth::False;
            for inline in body.get("logging").map(Node::items).unwrap_or_default() {
                result = link::or(result, if inline.is_expr() { Truth::Unknown } else { elsewhere(inline.get("target_bucket"), "bucket") });
            }
            for (logging, link_truth) in link::referrers(bucket, file.scope, &["aws_s3_bucket_logging"], "bucket", &["bucket"]) {
                let target = logging.body.and_then(|b| b.get("target_bucket"));
                result = link::or(result, link::and(link_truth, elsewhere(target, "bucket")));
            }
            result
        }
        _ => match body.get("Properties").map(|p| (p, p.get("LoggingConfiguration"))) {
            None | Some((_, None)) => Truth::False,
            Some((_, Some(logging))) if logging.as_tagged().is_some() => Truth::Unknown,
            Some((_, Some(logging))) => elsewhere(logging.get("DestinationBucketName"), "Properties.BucketName"),
        },
    }
}

/// Whether a CloudTrail trail in scope records the bucket's object-level reads.
fn cloudtrail(bucket: &Resource<'_>, keys: &Keys, file: &FileContext<'_>) -> Truth {
    let mut result = Truth::False;
    for trail in file.scope.of_kind(bucket.target, keys.trail) {
        let Some(body) = trail.body else { continue };
        let logging = match body.get_path(keys.logging_on) {
            None => Truth::True,
            Some(flag) => match flag.as_bool() {
                Some(on) => {
                    if on {
                        Truth::True
                    } else {
                        Truth::False
                    }
                }
                None => Truth::Unknown,
            },
        };
        let mut selected = Truth::False;
        for selector in body.get_path(keys.selectors).map(Node::items).unwrap_or_default() {
            selected = link::or(selected, basic_selector(selector, bucket, keys));
        }
        for selector in body.get_path(keys.advanced).map(Node::items).unwrap_or_default() {
            selected = link::or(selected, advanced_selector(selector, bucket, keys));
        }
        result = link::or(result, link::and(logging, selected));
        if result == Truth::True {
            break;
        }
    }
    result
}

fn text_or_unknown(node: &Node) -> Result<String, ()> {
    match &node.value {
        Value::String(text) => Ok(text.trim().to_string()),
        _ => Err(()),
    }
}

/// `event_selector { read_write_type, data_resource { type, values } }`.
fn basic_selector(selector: &Node, bucket: &Resource<'_>, keys: &Keys) -> Truth {
    if selector.is_expr() || selector.as_tagged().is_some() {
        return Truth::Unknown;
    }
    let reads = match selector.get(keys.read_write).map(text_or_unknown) {
        None => Truth::True,
        Some(Ok(kind)) => {
            if kind.eq_ignore_ascii_case("WriteOnly") {
                Truth::False
            } else {
                Truth::True
            }
        }
        Some(Err(())) => Truth::Unknown,
    };
    let mut covered = Truth::False;
    for data in selector.get(keys.data_resources).map(Node::items).unwrap_or_default() {
        let objects = match data.get(keys.data_type).map(text_or_unknown) {
            Some(Ok(kind)) => {
                if kind == "AWS::S3::Object" {
                    Truth::True
                } else {
                    Truth::False
                }
            }
            Some(Err(())) => Truth::Unknown,
            None => Truth::False,
        };
        let values = data.get(keys.values).map(Node::items).unwrap_or_default();
        let named = values.iter().fold(Truth::False, |acc, value| link::or(acc, names_bucket(value, bucket, keys, false)));
        covered = link::or(covered, link::and(objects, named));
    }
    link::and(reads, covered)
}

/// `advanced_event_selector { field_selector { field, equals, starts_with, ... } }`.
fn advanced_selector(selector: &Node, bucket: &Resource<'_>, keys: &Keys) -> Truth {
    if selector.is_expr() || selector.as_tagged().is_some() {
        return Truth::Unknown;
    }
    let fields = selector.get(keys.fields).map(Node::items).unwrap_or_default();
    let field = |name: &str| fields.iter().find(|f| f.get(keys.field).and_then(Node::as_str) == Some(name));
    let unknown_field = fields.iter().any(|f| f.get(keys.field).is_some_and(|n| n.as_str().is_none()));
    let equals_one_of = |name: &str, wanted: &str| -> Truth {
        match field(name).and_then(|f| f.get(keys.equals)) {
            None => Truth::False,
            Some(list) => list.items().iter().fold(Truth::False, |acc, v| {
                link::or(
                    acc,
                    match text_or_unknown(v) {
                        Ok(text) => {
                            if text == wanted {
                                Truth::True
                            } else {
                                Truth::False
                            }
                        }
                        Err(()) => Truth::Unknown,
                    },
                )
            }),
        }
    };
    let data_events = equals_one_of("eventCategory", "Data");
    let objects = equals_one_of("resources.type", "AWS::S3::Object");
    let write_only = equals_one_of("readOnly", "false");
    let arns = match field("resources.ARN") {
        None => Truth::True,
        Some(selector) => {
            let listed = |key: &str| selector.get(key).map(Node::items).unwrap_or_default();
            let includes = listed(keys.equals)
                .iter()
                .map(|v| names_bucket(v, bucket, keys, false))
                .chain(listed(keys.starts_with).iter().map(|v| names_bucket(v, bucket, keys, true)))
                .fold(Truth::False, link::or);
            let excludes = listed(keys.not_equals)
                .iter()
                .map(|v| names_bucket(v, bucket, keys, false))
                .chain(listed(keys.not_starts_with).iter().map(|v| names_bucket(v, bucket, keys, true)))
                .fold(Truth::False, link::or);
            let positive = !listed(keys.equals).is_empty() || !listed(keys.starts_with).is_empty();
            if positive { link::and(includes, link::not(excludes)) } else { link::not(excludes) }
        }
    };
    let selected = link::and(data_events, link::and(objects, link::and(link::not(write_only), arns)));
    if unknown_field && selected == Truth::False { Truth::Unknown } else { selected }
}

/// Whether a data-resource value covers every object of the bucket: all S3 objects
/// (`arn:aws:s3`, `arn:aws:s3:::`), the bucket's ARN (`arn:aws:s3:::name` or `name/`), or a
/// reference to the bucket. With `prefix`, a shorter prefix of the bucket's ARN counts too.
fn names_bucket(value: &Node, bucket: &Resource<'_>, keys: &Keys, prefix: bool) -> Truth {
    let Value::String(text) = &value.value else {
        return link::refers(value, bucket, &[keys.name]);
    };
    let text = text.trim();
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(service)) = (parts.next(), parts.next(), parts.next()) else {
        return Truth::False;
    };
    if service != "s3" && !(prefix && service.is_empty()) {
        return Truth::False;
    }
    let resource_part = parts.nth(2).unwrap_or("");
    if resource_part.is_empty() {
        return Truth::True;
    }
    let (name, rest) = resource_part.split_once('/').unwrap_or((resource_part, ""));
    if !rest.is_empty() && rest != "*" {
        return Truth::False;
    }
    let own = bucket.body.and_then(|b| b.get_path(keys.name));
    match own.map(|o| &o.value) {
        Some(Value::String(own)) => {
            let matches = if prefix && rest.is_empty() { own.starts_with(name) } else { own == name };
            if matches { Truth::True } else { Truth::False }
        }
        Some(Value::Null) | None => Truth::False,
        Some(_) => Truth::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::{classification, terraform};
    use trustlint_engine::parse::hcl;
    use trustlint_engine::rule::{CheckResult, Scope};

    fn run(text: &str) -> Vec<(String, CheckResult)> {
        let file = hcl::parse(text).expect("parses");
        let mut resources = terraform::resources(&file);
        classification::assign(&mut resources, classification::DEFAULT_KEY);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("main.tf", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        scope
            .resources()
            .iter()
            .filter(|r| r.kind == "aws_s3_bucket")
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                (r.address.clone(), out.result())
            })
            .collect()
    }

    #[test]
    fn logging_and_trails() {
        let text = r#"resource "aws_s3_bucket" "logged" {
  bucket = "logged"
  tags   = { data_classification = "pii" }
}
resource "aws_s3_bucket_logging" "logged" {
  bucket        = aws_s3_bucket.logged.id
  target_bucket = aws_s3_bucket.logs.id
}
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
resource "aws_s3_bucket" "self_logged" {
  bucket = "self"
  tags   = { contains_pii = true }
  logging {
    target_bucket = "self"
  }
}
resource "aws_s3_bucket" "trailed" {
  bucket = "trailed"
  tags   = { data_classification = "phi" }
}
resource "aws_cloudtrail" "data" {
  name = "data-events"
  event_selector {
    read_write_type = "All"
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3:::trailed/"]
    }
  }
  event_selector {
    read_write_type = "WriteOnly"
    data_resource {
      type   = "AWS::S3::Object"
      values = ["${aws_s3_bucket.write_only.arn}/"]
    }
  }
  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
    field_selector {
      field       = "resources.ARN"
      starts_with = ["${aws_s3_bucket.advanced.arn}/"]
    }
  }
}
resource "aws_s3_bucket" "write_only" {
  bucket = "write-only"
  tags   = { data_classification = "pii" }
}
resource "aws_s3_bucket" "advanced" {
  bucket = "advanced"
  tags   = { data_classification = "pii" }
}
resource "aws_s3_bucket" "tags_unknown" {
  bucket = "tags-unknown"
  tags   = var.tags
}
"#;
        assert_eq!(
            run(text),
            [
                ("aws_s3_bucket.logged".to_string(), CheckResult::Pass),
                ("aws_s3_bucket.logs".to_string(), CheckResult::Pass),
                ("aws_s3_bucket.self_logged".to_string(), CheckResult::Fail),
                ("aws_s3_bucket.trailed".to_string(), CheckResult::Pass),
                ("aws_s3_bucket.write_only".to_string(), CheckResult::Fail),
                ("aws_s3_bucket.advanced".to_string(), CheckResult::Pass),
                ("aws_s3_bucket.tags_unknown".to_string(), CheckResult::Unknown),
            ]
        );
    }
}
