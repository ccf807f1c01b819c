//! ## What it checks
//! Role trust policies (`assume_role_policy` of `aws_iam_role`, CloudFormation
//! `AssumeRolePolicyDocument` of `AWS::IAM::Role`) that let too many callers assume the role.
//! An `Allow` statement fails when:
//! - it allows `sts:AssumeRole*` (any pattern covering `sts:AssumeRole`,
//!   `sts:AssumeRoleWithSAML` or `sts:AssumeRoleWithWebIdentity`) to the principal `*` or
//!   `{"AWS": "*"}` (or to everyone but a `NotPrincipal`), with no positive condition
//!   (`StringEquals`, `StringLike`, ... without `IfExists`) on `aws:PrincipalOrgID` or
//!   `sts:ExternalId`;
//! - it trusts GitHub Actions' OIDC provider (`token.actions.githubusercontent.com`, written as
//!   an ARN, a reference to an `aws_iam_openid_connect_provider` with that URL, or recognised by
//!   its condition keys) and either has no condition on
//!   `token.actions.githubusercontent.com:sub`, or every `sub` condition admits any repository
//!   (`*`, `repo:*`, or a wildcard in the owner part such as `repo:acme*/app:*`), or its
//!   `token.actions.githubusercontent.com:aud` condition admits an audience other than
//!   `sts.amazonaws.com`.
//!
//! The document can be a JSON string or heredoc, a `data.aws_iam_policy_document` (with its
//! `source_policy_documents`), or a CloudFormation tree; one that is not known statically
//! (`jsonencode(...)` before evaluation, a variable) makes the result unknown.
//!
//! Native because the trust policy is a JSON string to parse, or a data source to resolve,
//! and the `sub` patterns must be read as GitHub and IAM match them.
//!
//! ## Why it matters (CC6.1, CC6.2, CC6.3)
//! A trust policy decides who can obtain the role's credentials. With a public principal,
//! any AWS account in the world can assume it; with an unrestricted GitHub OIDC trust, any
//! workflow in any repository on github.com can. Credentials are then issued to identities
//! the organisation never registered or authorised (CC6.2), and logical access to everything
//! the role can do is unrestricted (CC6.1, CC6.3).
//!
//! ## Failing example
//! ```hcl
//! data "aws_iam_policy_document" "deploy_trust" {
//!   statement {
//!     actions = ["sts:AssumeRoleWithWebIdentity"]
//!     principals {
//!       type        = "Federated"
//!       identifiers = [aws_iam_openid_connect_provider.github.arn]
//!     }
//!     condition {
//!       test     = "StringLike"
//!       variable = "token.actions.githubusercontent.com:sub"
//!       values   = ["repo:*"]
//!     }
//!   }
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! data "aws_iam_policy_document" "deploy_trust" {
//!   statement {
//!     actions = ["sts:AssumeRoleWithWebIdentity"]
//!     principals {
//!       type        = "Federated"
//!       identifiers = [aws_iam_openid_connect_provider.github.arn]
//!     }
//!     condition {
//!       test     = "StringEquals"
//!       variable = "token.actions.githubusercontent.com:aud"
//!       values   = ["sts.amazonaws.com"]
//!     }
//!     condition {
//!       test     = "StringEquals"
//!       variable = "token.actions.githubusercontent.com:sub"
//!       values   = ["repo:acme/infrastructure:ref:refs/heads/main"]
//!     }
//!   }
//! }
//! ```
//!
//! ## Fix
//! Trust named principals (account roots, roles, services). When a role must be assumable
//! across accounts, require `sts:ExternalId` or `aws:PrincipalOrgID`. For GitHub Actions,
//! pin `token.actions.githubusercontent.com:sub` to the repository and the branch or
//! environment that deploys (`repo:org/repo:environment:production`), and `aud` to
//! `sts.amazonaws.com`.

use trustlint_engine::policy::condition::Truth;

use crate::iam::{self, Effect, Item, Reader, Statement, everyone};
use crate::link;
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-006",
        name: "iam-role-trust-too-broad",
        title: "IAM role can be assumed by anyone or by any GitHub repository",
        severity: Severity::Critical,
        criteria: &["CC6.1", "CC6.2", "CC6.3"],
        help: "Trust named principals; require `sts:ExternalId` or `aws:PrincipalOrgID` for `*`, and pin \
               GitHub OIDC trust to `repo:<org>/<repo>:...` with `aud` `sts.amazonaws.com`.",
        checkov: &["CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_358", "CKV_AWS_393"],
        kics: &["bcdcbdc6-a350-4855-ae7c-d1e6436f7c97", "12b7e704-37f0-4d1e-911a-44bf60c48c21"],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Terraform, &["aws_iam_role"]), (Target::Cloudformation, &["AWS::IAM::Role"])],
    }
}

const ASSUME_ACTIONS: [&str; 3] = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"];

const GITHUB: &str = "token.actions.githubusercontent.com";

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let entry = match resource.target {
        Target::Terraform => body.entry("assume_role_policy"),
        Target::Cloudformation => match body.get("Properties") {
            Some(props) if matches!(props.value, Value::Map(_)) => props.entry("AssumeRolePolicyDocument"),
            Some(_) => return out.unknown(),
            None => None,
        },
        _ => None,
    };
    let Some(entry) = entry else { return };
    let reader = Reader::new(resource, file);
    let document = reader.document(&entry.value, resource);
    if document.unknown {
        out.unknown();
    }
    for (index, statement) in document.statements.iter().enumerate() {
        if statement.effect == Effect::Deny {
            continue;
        }
        let mut problems = Vec::new();
        public_trust(statement, &mut problems);
        github_trust(statement, file, &mut problems);
        for problem in problems {
            match problem {
                Problem::Unknown => out.unknown(),
                Problem::Found { .. } if statement.effect == Effect::Unknown => out.unknown(),
                Problem::Found { span, why } => {
                    let at = statement.point(span, entry.key_span);
                    out.fail(at, format!("role `{}`: {} {why}", resource.address, statement.label(index)));
                }
            }
        }
    }
}

enum Problem {
    Found { span: Span, why: String },
    Unknown,
}

fn record(truth: Truth, span: Span, why: impl FnOnce() -> String, problems: &mut Vec<Problem>) {
    match truth {
        Truth::True => problems.push(Problem::Found { span, why: why() }),
        Truth::Unknown => problems.push(Problem::Unknown),
        Truth::False => {}
    }
}

/// (a) `sts:AssumeRole*` for everyone, without an organisation or external-id condition.
fn public_trust(statement: &Statement, problems: &mut Vec<Problem>) {
    let assumes = statement
        .action
        .as_ref()
        .map_or(Truth::False, |a| a.any(|p| ASSUME_ACTIONS.iter().any(|action| iam::glob(p.trim(), action))));
    let (everyone, span) = everyone(statement);
    let restricted = statement.restricts(&["aws:PrincipalOrgID", "sts:ExternalId"], false);
    record(
        link::and(assumes, link::and(everyone, link::not(restricted))),
        span,
        || {
            "lets any AWS principal assume the role (`*`) with no `aws:PrincipalOrgID` or `sts:ExternalId` condition"
                .to_string()
        },
        problems,
    );
}

/// (b) GitHub Actions OIDC trust without a `sub` that names the repository, or with a
/// foreign `aud`.
fn github_trust(statement: &Statement, file: &FileContext<'_>, problems: &mut Vec<Problem>) {
    let Some(principal) = &statement.principal else { return };
    let federated: Vec<&Item> = principal.of_type("Federated").collect();
    if federated.is_empty() {
        // A principal that could not be read at all may be a federated one.
        if principal.unknown && principal.entries.is_empty() {
            problems.push(Problem::Unknown);
        }
        return;
    }
    let keyed = statement.conditions.iter().any(|t| t.key.to_ascii_lowercase().starts_with(&format!("{GITHUB}:")));
    let mut github = if keyed { Truth::True } else { Truth::False };
    for identifier in &federated {
        github = link::or(github, is_github_provider(identifier, file));
    }
    let federated_span = principal.span;
    match github {
        Truth::False => return,
        // Another OIDC provider (or SAML) may be trusted; nothing to judge unless it is GitHub.
        Truth::Unknown => {
            let other_provider = statement.conditions.iter().any(|t| t.key.contains(':') && !t.key.starts_with("aws:"));
            if !other_provider {
                problems.push(Problem::Unknown);
            }
            return;
        }
        Truth::True => {}
    }
    let sub_key = format!("{GITHUB}:sub");
    let aud_key = format!("{GITHUB}:aud");
    let sub_tests: Vec<&iam::Test> =
        statement.tests_on(&sub_key).filter(|t| iam::is_positive_match(&t.operator)).collect();
    if sub_tests.is_empty() {
        let truth = if statement.conditions_unknown { Truth::Unknown } else { Truth::True };
        record(
            truth,
            federated_span,
            || format!("trusts GitHub Actions OIDC with no condition on `{sub_key}`: any repository on GitHub can assume it"),
            problems,
        );
    } else {
        // Tests are ANDed: one test whose every value names a repository is enough.
        let narrowed = sub_tests.iter().fold(Truth::False, |acc, t| link::or(acc, t.values.all(names_repository)));
        let broad = sub_tests
            .iter()
            .flat_map(|t| t.values.items.iter())
            .find(|v| v.text.as_deref().is_some_and(|text| !names_repository(text)));
        let span = broad.map_or(federated_span, |v| v.span);
        let pattern = broad.and_then(|v| v.text.clone()).unwrap_or_default();
        record(
            link::not(narrowed),
            span,
            || format!("trusts GitHub Actions OIDC with `{sub_key}` `{pattern}`, which matches any repository"),
            problems,
        );
    }
    for test in statement.tests_on(&aud_key).filter(|t| iam::is_positive_match(&t.operator)) {
        if let Some(foreign) = test.values.find(|v| v.trim() != "sts.amazonaws.com") {
            let audience = foreign.text.clone().unwrap_or_default();
            problems.push(Problem::Found {
                span: foreign.span,
                why: format!("trusts GitHub Actions OIDC tokens for the audience `{audience}`, not `sts.amazonaws.com`"),
            });
        } else if test.values.all(|v| v.trim() == "sts.amazonaws.com") == Truth::Unknown {
            problems.push(Problem::Unknown);
        }
    }
}

/// Whether a federated principal is GitHub's OIDC provider: an ARN ending in
/// `oidc-provider/token.actions.githubusercontent.com`, or a reference to an
/// `aws_iam_openid_connect_provider` (resource or data source) whose URL is GitHub's.
fn is_github_provider(identifier: &Item, file: &FileContext<'_>) -> Truth {
    if let Some(text) = &identifier.text {
        return if text.trim().ends_with(&format!("oidc-provider/{GITHUB}")) { Truth::True } else { Truth::False };
    }
    let Some(expr) = &identifier.expr else { return Truth::Unknown };
    if expr.contains(GITHUB) {
        return Truth::True;
    }
    let expression = expr.trim().trim_start_matches("\"${").trim_end_matches("}\"").trim();
    for kind in ["aws_iam_openid_connect_provider", "data.aws_iam_openid_connect_provider"] {
        let Some(rest) = expression.strip_prefix(&format!("{kind}.")) else { continue };
        let name = rest.split(['.', '[']).next().unwrap_or(rest);
        let address = format!("{kind}.{name}");
        let provider = file.scope.of_kind(Target::Terraform, kind).find(|p| p.address == address);
        let url = provider.and_then(|p| p.body).and_then(|b| b.get("url"));
        return match url.map(|u| &u.value) {
            Some(Value::String(url)) => {
                if url.contains(GITHUB) {
                    Truth::True
                } else {
                    Truth::False
                }
            }
            _ => Truth::Unknown,
        };
    }
    Truth::Unknown
}

/// Whether a `sub` pattern is limited to named repositories: not `*`, and a `repo:` pattern
/// whose owner part has no wildcard (`repo:acme/*` is the organisation `acme`, accepted;
/// `repo:*`, `repo:acme*/x` are not).
fn names_repository(pattern: &str) -> bool {
    let pattern = pattern.trim();
    if pattern.is_empty() || pattern.starts_with('*') || pattern.starts_with('?') {
        return false;
    }
    match pattern.strip_prefix("repo:") {
        Some(rest) => {
            let owner = rest.split(['/', ':']).next().unwrap_or(rest);
            !owner.is_empty() && !owner.contains(['*', '?']) && rest.contains('/')
        }
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::terraform;
    use trustlint_engine::parse::hcl;
    use trustlint_engine::rule::{CheckResult, Scope};

    fn run(text: &str) -> Vec<(String, CheckResult, Vec<String>)> {
        let file = hcl::parse(text).expect("parses");
        let resources = terraform::resources(&file);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("main.tf", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        resources
            .iter()
            .filter(|r| r.kind == "aws_iam_role")
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                let pointed = out.violations.iter().map(|v| source.slice(v.span).to_string()).collect();
                (r.address.clone(), out.result(), pointed)
            })
            .collect()
    }

    #[test]
    fn sub_patterns() {
        assert!(names_repository("repo:acme/app:ref:refs/heads/main"));
        assert!(names_repository("repo:acme/*"));
        assert!(!names_repository("repo:*"));
        assert!(!names_repository("*"));
        assert!(!names_repository("repo:acme*/app:*"));
        assert!(!names_repository("repo:*/app:*"));
    }

    #[test]
    fn trust_policies() {
        let text = r#"resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}
resource "aws_iam_role" "public" {
  assume_role_policy = <<EOF
{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
EOF
}
resource "aws_iam_role" "partner" {
  assume_role_policy = <<EOF
{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
  "Condition": {"StringEquals": {"sts:ExternalId": "acme-7f3a"}}}]}
EOF
}
resource "aws_iam_role" "any_repo" {
  assume_role_policy = data.aws_iam_policy_document.any_repo.json
}
data "aws_iam_policy_document" "any_repo" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:*"]
    }
  }
}
resource "aws_iam_role" "pinned" {
  assume_role_policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
  "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
  "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                 "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod"}}}]}
EOF
}
resource "aws_iam_role" "no_sub" {
  assume_role_policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
  "Principal": {"Federated": "${aws_iam_openid_connect_provider.github.arn}"}}]}
EOF
}
resource "aws_iam_role" "service" {
  assume_role_policy = <<EOF
{"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
EOF
}
resource "aws_iam_role" "later" {
  assume_role_policy = jsonencode({})
}
"#;
        let results = run(text);
        let summary: Vec<(&str, CheckResult, Vec<&str>)> =
            results.iter().map(|(a, r, p)| (a.as_str(), *r, p.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            summary,
            [
                ("aws_iam_role.public", CheckResult::Fail, vec![r#"{"AWS": "*"}"#]),
                ("aws_iam_role.partner", CheckResult::Pass, vec![]),
                ("aws_iam_role.any_repo", CheckResult::Fail, vec![r#""repo:*""#]),
                ("aws_iam_role.pinned", CheckResult::Pass, vec![]),
                (
                    "aws_iam_role.no_sub",
                    CheckResult::Fail,
                    vec![r#"{"Federated": "${aws_iam_openid_connect_provider.github.arn}"}"#]
                ),
                ("aws_iam_role.service", CheckResult::Pass, vec![]),
                ("aws_iam_role.later", CheckResult::Unknown, vec![]),
            ]
        );
    }
}
