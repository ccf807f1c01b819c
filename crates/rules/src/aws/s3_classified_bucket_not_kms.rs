//! ## What it checks
//! Buckets holding classified data (an effective `data_classification` of `confidential`,
//! `restricted`, `pii` or `phi`: the bucket's tag or the AWS provider's `default_tags`;
//! CloudFormation `Tags`) must be protected by two controls:
//! - server-side encryption with a customer-managed KMS key: `sse_algorithm` `aws:kms` or
//!   `aws:kms:dsse` with a `kms_master_key_id` that is not the AWS-managed `alias/aws/s3`
//!   (CloudFormation `BucketEncryption.ServerSideEncryptionConfiguration[]
//!   .ServerSideEncryptionByDefault` with `SSEAlgorithm`/`KMSMasterKeyID`);
//! - a bucket policy with a `Deny` statement conditioned on `aws:SecureTransport` being
//!   `false`, so that no request travels unencrypted.
//!
//! Encryption is read from the `aws_s3_bucket_server_side_encryption_configuration` that
//! refers to the bucket (`bucket = aws_s3_bucket.x.id`, `.bucket` or the literal name) or the
//! legacy inline `server_side_encryption_configuration` block; the policy from the
//! `aws_s3_bucket_policy` resources that refer to it or the legacy `policy` argument
//! (CloudFormation: `AWS::S3::BucketPolicy` with `Bucket: !Ref ...`). A key given as a
//! reference to an `aws_kms_key` or `aws_kms_alias` (CloudFormation: a `Ref`/`GetAtt` of an
//! `AWS::KMS::Key` or `AWS::KMS::Alias`) is customer-managed. A bucket without
//! classification is not judged: S3 has encrypted every new object with SSE-S3 since
//! 2023-01-05. A value not known statically makes the result unknown.
//!
//! Native because the bucket policy is a JSON document to parse (or a data source to
//! resolve) and its conditions must be read as IAM evaluates them.
//!
//! ## Why it matters (C1.1, CC6.1, CC6.7)
//! SSE-S3 and the AWS-managed key protect against a lost disk, not against a person: anyone
//! allowed `s3:GetObject` reads the data. A customer-managed key adds a second, separately
//! audited permission (`kms:Decrypt`) and lets the organisation revoke access to the data by
//! disabling the key, which is how confidential information stays protected (C1.1, CC6.1).
//! Denying requests without TLS keeps the data encrypted in transit (CC6.7).
//!
//! ## Failing example
//! ```hcl
//! resource "aws_s3_bucket" "contracts" {
//!   bucket = "acme-contracts"
//!   tags   = { data_classification = "confidential" }
//! }
//!
//! resource "aws_s3_bucket_server_side_encryption_configuration" "contracts" {
//!   bucket = aws_s3_bucket.contracts.id
//!   rule {
//!     apply_server_side_encryption_by_default {
//!       sse_algorithm = "AES256"
//!     }
//!   }
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_s3_bucket_server_side_encryption_configuration" "contracts" {
//!   bucket = aws_s3_bucket.contracts.id
//!   rule {
//!     apply_server_side_encryption_by_default {
//!       sse_algorithm     = "aws:kms"
//!       kms_master_key_id = aws_kms_key.contracts.arn
//!     }
//!     bucket_key_enabled = true
//!   }
//! }
//!
//! resource "aws_s3_bucket_policy" "contracts" {
//!   bucket = aws_s3_bucket.contracts.id
//!   policy = jsonencode({
//!     Version = "2012-10-17"
//!     Statement = [{
//!       Sid       = "DenyInsecureTransport"
//!       Effect    = "Deny"
//!       Principal = "*"
//!       Action    = "s3:*"
//!       Resource  = [aws_s3_bucket.contracts.arn, "${aws_s3_bucket.contracts.arn}/*"]
//!       Condition = { Bool = { "aws:SecureTransport" = "false" } }
//!     }]
//!   })
//! }
//! ```
//!
//! ## Fix
//! Create a KMS key for the data set (with rotation), set it as the bucket's default
//! encryption with `aws:kms` (and `bucket_key_enabled = true` to keep KMS costs down), and add
//! the `DenyInsecureTransport` statement to the bucket policy.

use trustlint_engine::policy::condition::Truth;

use crate::iam::{self, Reader};
use crate::s3::{self, BucketPolicy, Label, bucket_policies};
use crate::link;
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-027",
        name: "s3-classified-bucket-not-kms",
        title: "Classified bucket lacks customer-managed KMS encryption or a TLS-only policy",
        severity: Severity::Medium,
        criteria: &["C1.1", "CC6.1", "CC6.7"],
        help: "Encrypt with `aws:kms` and a customer-managed key, and deny requests where \
               `aws:SecureTransport` is false in the bucket policy.",
        checkov: &["CKV_AWS_19", "CKV_AWS_145"],
        kics: &["6726dcc0-5ff5-459d-b473-a780bef7665c", "ad03cb46-f174-4674-bf8e-2880a7000edd"],
        trivy: &["AVD-AWS-0088", "AVD-AWS-0132"],
        other: &[],
        bindings: &[(Target::Terraform, &["aws_s3_bucket"]), (Target::Cloudformation, &["AWS::S3::Bucket"])],
    }
}

/// What a bucket's default encryption amounts to.
enum Encryption {
    /// `aws:kms` (or DSSE) with a customer-managed key.
    CustomerKey,
    /// Anything weaker, and why.
    Weak(String),
    Unknown,
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let label = match s3::label(resource, file.scope) {
        Label::Known(label) if s3::CLASSIFIED.iter().any(|c| c.eq_ignore_ascii_case(&label)) => label,
        Label::Known(_) | Label::None => return,
        Label::Unknown => return out.unknown(),
    };
    let encryption = match resource.target {
        Target::Terraform => terraform_encryption(resource, body, file),
        Target::Cloudformation => cloudformation_encryption(body, file),
        _ => return,
    };
    let reader = Reader::new(resource, file);
    let tls_only = bucket_policies(&reader, resource).iter().fold(Truth::False, |acc, BucketPolicy { link, document, .. }| {
        link::or(acc, link::and(*link, iam::denies_when_false(document, "aws:SecureTransport")))
    });
    let mut reasons = Vec::new();
    if let Encryption::Weak(why) = &encryption {
        reasons.push(why.clone());
    }
    if tls_only == Truth::False {
        reasons.push("no bucket policy denies requests without TLS (`aws:SecureTransport` = false)".to_string());
    }
    if !reasons.is_empty() {
        out.fail(resource.span, format!("bucket `{}` holds `{label}` data but {}", resource.address, reasons.join(", and ")));
    } else if matches!(encryption, Encryption::Unknown) || tls_only == Truth::Unknown {
        out.unknown();
    }
}

/// The best encryption any configuration of the bucket sets, given how sure its link is.
fn best(candidates: Vec<(Encryption, Truth)>, none: &str) -> Encryption {
    let mut weak: Option<String> = None;
    let mut unknown = false;
    for (encryption, link_truth) in candidates {
        match (encryption, link_truth) {
            (_, Truth::False) => {}
            (Encryption::CustomerKey, Truth::True) => return Encryption::CustomerKey,
            (Encryption::CustomerKey | Encryption::Unknown, _) => unknown = true,
            (Encryption::Weak(why), Truth::True) => weak = weak.or(Some(why)),
            (Encryption::Weak(_), Truth::Unknown) => unknown = true,
        }
    }
    match (unknown, weak) {
        (true, _) => Encryption::Unknown,
        (false, Some(why)) => Encryption::Weak(why),
        (false, None) => Encryption::Weak(none.to_string()),
    }
}

const NO_CONFIGURATION: &str = "has no default-encryption configuration, so objects get SSE-S3 (`AES256`)";

fn terraform_encryption(resource: &Resource<'_>, body: &Node, file: &FileContext<'_>) -> Encryption {
    let mut candidates = Vec::new();
    let defaults = |config: &Node| -> Vec<Encryption> {
        let rules = config.get("rule").map(Node::items).unwrap_or_default();
        let mut found: Vec<Encryption> = rules
            .iter()
            .flat_map(|rule| rule.get("apply_server_side_encryption_by_default").map(Node::items).unwrap_or_default())
            .map(|default| judge(default.get("sse_algorithm"), default.get("kms_master_key_id"), resource.target, file))
            .collect();
        if config.is_expr() || rules.iter().any(Node::is_expr) {
            found.push(Encryption::Unknown);
        }
        found
    };
    for inline in body.get("server_side_encryption_configuration").map(Node::items).unwrap_or_default() {
        candidates.extend(defaults(inline).into_iter().map(|e| (e, Truth::True)));
    }
    let kinds = ["aws_s3_bucket_server_side_encryption_configuration"];
    for (config, link_truth) in link::referrers(resource, file.scope, &kinds, "bucket", &["bucket"]) {
        let Some(config_body) = config.body else { continue };
        let found = defaults(config_body);
        if found.is_empty() {
            candidates.push((Encryption::Weak(NO_CONFIGURATION.to_string()), link_truth));
        }
        candidates.extend(found.into_iter().map(|e| (e, link_truth)));
    }
    best(candidates, NO_CONFIGURATION)
}

fn cloudformation_encryption(body: &Node, file: &FileContext<'_>) -> Encryption {
    let Some(props) = body.get("Properties") else { return Encryption::Weak(NO_CONFIGURATION.to_string()) };
    let Some(encryption) = props.get("BucketEncryption") else {
        return if props.is_expr() || props.as_tagged().is_some() {
            Encryption::Unknown
        } else {
            Encryption::Weak(NO_CONFIGURATION.to_string())
        };
    };
    let Some(configurations) = encryption.get("ServerSideEncryptionConfiguration") else {
        return Encryption::Unknown;
    };
    let candidates = match &configurations.value {
        Value::List(items) => items
            .iter()
            .map(|item| match item.get("ServerSideEncryptionByDefault") {
                Some(default) => judge(default.get("SSEAlgorithm"), default.get("KMSMasterKeyID"), Target::Cloudformation, file),
                None => Encryption::Unknown,
            })
            .map(|e| (e, Truth::True))
            .collect(),
        _ => vec![(Encryption::Unknown, Truth::True)],
    };
    best(candidates, NO_CONFIGURATION)
}

/// One default-encryption setting.
fn judge(algorithm: Option<&Node>, key: Option<&Node>, target: Target, file: &FileContext<'_>) -> Encryption {
    let algorithm = match algorithm.map(|a| &a.value) {
        Some(Value::String(a)) => a.trim().to_string(),
        _ => return Encryption::Unknown,
    };
    if !algorithm.eq_ignore_ascii_case("aws:kms") && !algorithm.eq_ignore_ascii_case("aws:kms:dsse") {
        return Encryption::Weak(format!("is encrypted with `{algorithm}` (SSE-S3), not a customer-managed KMS key"));
    }
    let aws_managed =
        || Encryption::Weak(format!("uses `{algorithm}` with the AWS-managed key `aws/s3`, not a customer-managed key"));
    let Some(key) = key else { return aws_managed() };
    match &key.value {
        Value::Null => aws_managed(),
        Value::String(id) if id.trim().is_empty() || id.trim().ends_with("alias/aws/s3") => aws_managed(),
        Value::String(_) => Encryption::CustomerKey,
        Value::Expr(raw) if target == Target::Terraform => {
            let reference = raw.trim().trim_start_matches("\"${").trim_start();
            let customer = ["aws_kms_key.", "aws_kms_alias.", "aws_kms_replica_key.", "aws_kms_external_key."]
                .iter()
                .any(|k| reference.starts_with(k));
            if customer { Encryption::CustomerKey } else { Encryption::Unknown }
        }
        _ if target == Target::Cloudformation => {
            let customer = ["AWS::KMS::Key", "AWS::KMS::Alias", "AWS::KMS::ReplicaKey"].iter().any(|kind| {
                file.scope
                    .of_kind(Target::Cloudformation, kind)
                    .any(|k| link::cloudformation_reference(key, &k.address, 0) == Truth::True)
            });
            if customer { Encryption::CustomerKey } else { Encryption::Unknown }
        }
        _ => Encryption::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::{classification, terraform};
    use trustlint_engine::parse::hcl;
    use trustlint_engine::rule::{CheckResult, Scope};

    fn run(text: &str) -> Vec<(String, CheckResult, Vec<String>)> {
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
                (r.address.clone(), out.result(), out.violations.iter().map(|v| v.message.clone()).collect())
            })
            .collect()
    }

    #[test]
    fn encryption_and_tls() {
        let text = r#"resource "aws_s3_bucket" "good" {
  bucket = "good"
  tags   = { data_classification = "confidential" }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "good" {
  bucket = aws_s3_bucket.good.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}
resource "aws_s3_bucket_policy" "good" {
  bucket = aws_s3_bucket.good.id
  policy = <<EOF
{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
EOF
}
resource "aws_s3_bucket" "aes" {
  bucket = "aes"
  tags   = { data_classification = "PII" }
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}
resource "aws_s3_bucket" "managed_key" {
  bucket = "managed-key"
  tags   = { data_classification = "restricted" }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "managed_key" {
  bucket = "managed-key"
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
resource "aws_s3_bucket_policy" "managed_key" {
  bucket = "managed-key"
  policy = jsonencode({})
}
resource "aws_s3_bucket" "variable_key" {
  bucket = "variable-key"
  tags   = { data_classification = "restricted" }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "variable_key" {
  bucket = aws_s3_bucket.variable_key.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}
resource "aws_s3_bucket_policy" "variable_key" {
  bucket = aws_s3_bucket.variable_key.id
  policy = data.aws_iam_policy_document.tls.json
}
data "aws_iam_policy_document" "tls" {
  statement {
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
resource "aws_s3_bucket" "public_assets" {
  bucket = "assets"
  tags   = { data_classification = "public" }
}
"#;
        let results = run(text);
        let summary: Vec<(&str, CheckResult, usize)> =
            results.iter().map(|(a, r, m)| (a.as_str(), *r, m.len())).collect();
        assert_eq!(
            summary,
            [
                ("aws_s3_bucket.good", CheckResult::Pass, 0),
                ("aws_s3_bucket.aes", CheckResult::Fail, 1),
                ("aws_s3_bucket.managed_key", CheckResult::Fail, 1),
                ("aws_s3_bucket.variable_key", CheckResult::Unknown, 0),
                ("aws_s3_bucket.public_assets", CheckResult::Pass, 0),
            ]
        );
        assert!(results[1].2[0].contains("`AES256`") && results[1].2[0].contains("TLS"), "{:?}", results[1].2);
        assert!(results[2].2[0].contains("AWS-managed") && !results[2].2[0].contains("TLS"), "{:?}", results[2].2);
    }
}
