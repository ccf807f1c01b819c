//! ## What it checks
//! Bucket policies that grant access to anyone: an `Allow` statement whose principal is `*`
//! or `{"AWS": "*"}` (policy-document form: `principals { type = "*" }` or `type = "AWS"`
//! with identifier `*`), or an `Allow` with `NotPrincipal` (everyone but the listed
//! principals), and no condition that narrows it to an organisation, account, VPC or source:
//! a positive match (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`, without
//! `IfExists`) on `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:SourceVpce`,
//! `aws:SourceVpc`, `aws:SourceArn` or `aws:SourceAccount`. Such a statement is critical; one
//! limited only by an `IpAddress` condition on `aws:SourceIp` is high. `Deny` statements are
//! ignored.
//!
//! The finding is on the bucket. Its policies are the legacy `policy` argument of
//! `aws_s3_bucket` and every `aws_s3_bucket_policy` that refers to it (`bucket =
//! aws_s3_bucket.x.id`, `.bucket` or the literal name); in CloudFormation, every
//! `AWS::S3::BucketPolicy` whose `Bucket` is a `Ref` to it (or its name). A policy whose
//! bucket is not declared alongside is judged on its own. A document can be a JSON string or
//! heredoc, a `data.aws_iam_policy_document` (with its `source_policy_documents`), or a
//! CloudFormation tree; one that is not known statically (`jsonencode(...)` before
//! evaluation, a variable) makes the result unknown.
//!
//! Native because the policy document is a JSON string to parse, or a data source to
//! resolve, and its conditions must be read as IAM evaluates them.
//!
//! ## Why it matters (CC6.1, CC6.6, C1.1)
//! A public principal lets anyone on the internet, without credentials, call the granted
//! actions on the bucket: the data is readable (or writable) by the world. Logical access is
//! not restricted (CC6.1), the system boundary is open (CC6.6) and confidential data is not
//! protected (C1.1). Conditions on the organisation, the VPC endpoint or the calling service
//! are what make `"Principal": "*"` safe; a source-IP list still leaves every host behind
//! those addresses.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_s3_bucket_policy" "reports" {
//!   bucket = aws_s3_bucket.reports.id
//!   policy = jsonencode({
//!     Version = "2012-10-17"
//!     Statement = [{
//!       Effect    = "Allow"
//!       Principal = "*"
//!       Action    = "s3:GetObject"
//!       Resource  = "${aws_s3_bucket.reports.arn}/*"
//!     }]
//!   })
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_s3_bucket_policy" "reports" {
//!   bucket = aws_s3_bucket.reports.id
//!   policy = jsonencode({
//!     Version = "2012-10-17"
//!     Statement = [{
//!       Effect    = "Allow"
//!       Principal = "*"
//!       Action    = "s3:GetObject"
//!       Resource  = "${aws_s3_bucket.reports.arn}/*"
//!       Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
//!     }]
//!   })
//! }
//! ```
//!
//! ## Fix
//! Name the principals (account roots, roles, services) in `Principal`, or keep `*` and add a
//! condition on `aws:PrincipalOrgID`, `aws:SourceVpce` or, for AWS services, `aws:SourceArn`
//! and `aws:SourceAccount`. Serve public content through CloudFront with an origin access
//! control instead of a public bucket.

use trustlint_engine::policy::condition::Truth;

use crate::iam::{Document, Effect, Principal, Reader, Statement, everyone};
use crate::s3::{BucketPolicy, bucket_policies};
use crate::link;
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-003",
        name: "s3-bucket-policy-public-principal",
        title: "S3 bucket policy allows any principal",
        severity: Severity::Critical,
        criteria: &["CC6.1", "CC6.6", "C1.1"],
        help: "Name the principals, or add a condition on `aws:PrincipalOrgID`, `aws:SourceVpce`, \
               `aws:SourceArn` or `aws:SourceAccount` to the statement that allows `*`.",
        checkov: &["CKV_AWS_70"],
        kics: &["7af43613-6bb9-4a0e-8c4d-1314b799425e", "1df37f4b-7197-45ce-83f8-9994d2fcf885"],
        trivy: &[],
        other: &[],
        bindings: &[
            (Target::Terraform, &["aws_s3_bucket", "aws_s3_bucket_policy"]),
            (Target::Cloudformation, &["AWS::S3::Bucket", "AWS::S3::BucketPolicy"]),
        ],
    }
}

/// Condition keys that narrow a public principal to an organisation, account, network or
/// calling resource.
const NARROWING_KEYS: [&str; 6] = [
    "aws:PrincipalOrgID",
    "aws:PrincipalAccount",
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:SourceArn",
    "aws:SourceAccount",
];

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let reader = Reader::new(resource, file);
    match resource.kind.as_str() {
        "aws_s3_bucket" | "AWS::S3::Bucket" => {
            for BucketPolicy { holder, link, document } in bucket_policies(&reader, resource) {
                let holder_name = holder.map_or_else(|| "its `policy`".to_string(), |h| format!("`{}`", h.address));
                for finding in public_statements(&document, link) {
                    match finding {
                        Found::Unknown => out.unknown(),
                        Found::Public { severity, why, .. } => {
                            let message = format!("bucket `{}` is open to anyone: {holder_name} {why}", resource.address);
                            let violation = out.fail(resource.span, message);
                            if severity != Severity::Critical {
                                violation.severity(severity);
                            }
                        }
                    }
                }
            }
        }
        "aws_s3_bucket_policy" | "AWS::S3::BucketPolicy" => {
            let (bucket_path, names, kinds, document_key) = match resource.target {
                Target::Terraform => ("bucket", "bucket", "aws_s3_bucket", body.entry("policy")),
                _ => (
                    "Properties.Bucket",
                    "Properties.BucketName",
                    "AWS::S3::Bucket",
                    body.get("Properties").and_then(|p| p.entry("PolicyDocument")),
                ),
            };
            // A policy of a bucket declared alongside is judged on the bucket.
            if link::refers_to_any(resource, file.scope, &[kinds], bucket_path, &[names]) == Truth::True {
                return;
            }
            let Some(entry) = document_key else { return };
            let document = reader.document(&entry.value, resource);
            for finding in public_statements(&document, Truth::True) {
                match finding {
                    Found::Unknown => out.unknown(),
                    Found::Public { severity, why, span, located } => {
                        let at = if located { span } else { entry.key_span };
                        let violation = out.fail(at, format!("`{}` {why}", resource.address));
                        if severity != Severity::Critical {
                            violation.severity(severity);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

enum Found {
    Public { severity: Severity, why: String, span: Span, located: bool },
    Unknown,
}

/// The statements of a document that grant access to anyone (or may: unknown), given how
/// sure the document's link to the bucket is.
fn public_statements(document: &Document, link: Truth) -> Vec<Found> {
    let mut found = Vec::new();
    if document.unknown && link != Truth::False {
        found.push(Found::Unknown);
    }
    for (index, statement) in document.statements.iter().enumerate() {
        match (public(statement), link) {
            (_, Truth::False) | (Truth::False, _) => {}
            (Truth::Unknown, _) | (_, Truth::Unknown) => found.push(Found::Unknown),
            (Truth::True, Truth::True) => {
                let ip_only = source_ip_limited(statement);
                let actions = statement
                    .action
                    .as_ref()
                    .map(|a| a.texts().iter().take(3).map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "))
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| "its actions".to_string());
                let whom = if Principal::present(statement.not_principal.as_ref()) == Truth::True {
                    "to everyone but the principals in `NotPrincipal`"
                } else {
                    "to any principal (`*`)"
                };
                let (severity, why) = if ip_only {
                    (Severity::High, format!("{} allows {actions} {whom}, limited only by `aws:SourceIp`", statement.label(index)))
                } else {
                    (
                        Severity::Critical,
                        format!(
                            "{} allows {actions} {whom} with no condition on the organisation, account, VPC or source",
                            statement.label(index)
                        ),
                    )
                };
                let (_, span) = everyone(statement);
                found.push(Found::Public { severity, why, span, located: statement.located });
            }
        }
    }
    found
}

/// Whether an `Allow` statement is open to everyone and not narrowed by a condition.
fn public(statement: &Statement) -> Truth {
    let allows = match statement.effect {
        Effect::Allow => Truth::True,
        Effect::Deny => Truth::False,
        Effect::Unknown => Truth::Unknown,
    };
    let (everyone, _) = everyone(statement);
    link::and(allows, link::and(everyone, link::not(statement.restricts(&NARROWING_KEYS, false))))
}

/// Whether the statement admits only listed source addresses (`IpAddress` on `aws:SourceIp`
/// with no address range that covers the whole internet).
fn source_ip_limited(statement: &Statement) -> bool {
    statement.tests_on("aws:SourceIp").any(|test| {
        let operator = test.operator.to_ascii_lowercase();
        operator == "ipaddress"
            && test.values.all(|cidr| !matches!(cidr.trim(), "0.0.0.0/0" | "::/0" | "*")) == Truth::True
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::terraform;
    use trustlint_engine::parse::hcl;
    use trustlint_engine::rule::{CheckResult, Scope};

    /// Address, result, and (pointed text, severity) of each finding.
    type Run = (String, CheckResult, Vec<(String, Option<Severity>)>);
    type Summary<'a> = (&'a str, CheckResult, Vec<(&'a str, Option<Severity>)>);

    fn run(text: &str) -> Vec<Run> {
        let file = hcl::parse(text).expect("parses");
        let resources = terraform::resources(&file);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("main.tf", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        resources
            .iter()
            .filter(|r| r.kind == "aws_s3_bucket" || r.kind == "aws_s3_bucket_policy")
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                let pointed =
                    out.violations.iter().map(|v| (source.slice(v.span).to_string(), v.severity)).collect();
                (r.address.clone(), out.result(), pointed)
            })
            .collect()
    }

    #[test]
    fn public_principals_and_narrowing_conditions() {
        let text = r#"resource "aws_s3_bucket" "open" {
  bucket = "open"
}
resource "aws_s3_bucket_policy" "open" {
  bucket = aws_s3_bucket.open.id
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open/*"}]}
EOF
}
resource "aws_s3_bucket" "org" {
  bucket = "org"
}
resource "aws_s3_bucket_policy" "org" {
  bucket = "org"
  policy = data.aws_iam_policy_document.org.json
}
data "aws_iam_policy_document" "org" {
  statement {
    actions = ["s3:GetObject"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-abc"]
    }
  }
}
resource "aws_s3_bucket" "office" {
  bucket = "office"
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}]}
EOF
}
resource "aws_s3_bucket" "later" {
  bucket = "later"
}
resource "aws_s3_bucket_policy" "later" {
  bucket = aws_s3_bucket.later.id
  policy = jsonencode({})
}
resource "aws_s3_bucket_policy" "elsewhere" {
  bucket = "bucket-of-another-stack"
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"},
               {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
EOF
}
"#;
        let results = run(text);
        let summary: Vec<Summary<'_>> = results
            .iter()
            .map(|(a, r, p)| (a.as_str(), *r, p.iter().map(|(s, sev)| (s.as_str(), *sev)).collect()))
            .collect();
        assert_eq!(
            summary,
            [
                ("aws_s3_bucket.open", CheckResult::Fail, vec![(r#"resource "aws_s3_bucket" "open""#, None)]),
                ("aws_s3_bucket_policy.open", CheckResult::Pass, vec![]),
                ("aws_s3_bucket.org", CheckResult::Pass, vec![]),
                ("aws_s3_bucket_policy.org", CheckResult::Pass, vec![]),
                (
                    "aws_s3_bucket.office",
                    CheckResult::Fail,
                    vec![(r#"resource "aws_s3_bucket" "office""#, Some(Severity::High))]
                ),
                ("aws_s3_bucket.later", CheckResult::Unknown, vec![]),
                ("aws_s3_bucket_policy.later", CheckResult::Pass, vec![]),
                ("aws_s3_bucket_policy.elsewhere", CheckResult::Fail, vec![("\"*\"", None)]),
            ]
        );
    }
}
