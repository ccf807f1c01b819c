//! ## What it checks
//! IAM permissions that amount to administrator access or let a principal raise its own
//! privileges. Every `Allow` statement of an identity policy is judged:
//! - **critical**: `Action` `*` (or `*:*`) on `Resource` `*`;
//! - **high**: a whole-service wildcard (`iam:*`, `sts:*`, `kms:*`, `s3:*`, `ec2:*`,
//!   `secretsmanager:*`) on `Resource` `*`; any `Allow` with `NotAction`; `iam:PassRole` on
//!   `Resource` `*`; or an action that rewrites permissions (`iam:CreatePolicyVersion`,
//!   `iam:Attach{User,Role,Group}Policy`, `iam:Put{User,Role,Group}Policy`,
//!   `iam:UpdateAssumeRolePolicy`), on any resource.
//!
//! Action patterns match the way IAM matches them (`iam:Put*`, `*` cover those actions);
//! `NotResource` counts as every resource. Attaching the AWS managed policy
//! `AdministratorAccess` or `IAMFullAccess` is critical too.
//!
//! Read from Terraform's `aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy`,
//! `aws_iam_group_policy` (`policy`), the `inline_policy` blocks and `managed_policy_arns` of
//! `aws_iam_role`, and the `policy_arn` of `aws_iam_{role,user,group}_policy_attachment` and
//! `aws_iam_policy_attachment`; from CloudFormation's `AWS::IAM::Policy` and
//! `AWS::IAM::ManagedPolicy` (`PolicyDocument`) and `AWS::IAM::{Role,User,Group}`
//! (`Policies[].PolicyDocument`, `ManagedPolicyArns`). A document can be a JSON string or
//! heredoc, a `data.aws_iam_policy_document` (with its `source_policy_documents`), or a
//! CloudFormation tree. A document or ARN that is not known statically (`jsonencode(...)`
//! before evaluation, a variable, `file(...)`) makes the result unknown.
//!
//! Native because the policy document is a JSON string to parse, or a data source to
//! resolve, and its action patterns are globs to match against the privileged actions.
//!
//! ## Why it matters (CC6.1, CC6.3)
//! Least privilege is the core of logical access control: access is granted by role and
//! limited to what the role needs (CC6.3). A wildcard policy gives a compromised credential,
//! or a careless operator, the whole account; permission-management actions let a limited
//! principal grant itself the rest, so the restriction of access that CC6.1 asks for exists
//! only on paper.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_iam_policy" "deployer" {
//!   policy = jsonencode({
//!     Version   = "2012-10-17"
//!     Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
//!   })
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_iam_policy" "deployer" {
//!   policy = jsonencode({
//!     Version = "2012-10-17"
//!     Statement = [{
//!       Effect   = "Allow"
//!       Action   = ["s3:PutObject", "s3:GetObject"]
//!       Resource = "arn:aws:s3:::acme-artifacts/*"
//!     }]
//!   })
//! }
//! ```
//!
//! ## Fix
//! List the actions the workload calls and the resources it touches (IAM Access Analyzer can
//! generate a policy from CloudTrail activity). Keep permission-management actions for a
//! dedicated, audited role, and bound `iam:PassRole` to the roles the service really passes.

use trustlint_engine::policy::condition::Truth;

use crate::iam::{self, Effect, List, Reader, Statement};
use crate::link;
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-005",
        name: "iam-policy-overly-permissive",
        title: "IAM policy grants administrator or privilege-escalation permissions",
        severity: Severity::Critical,
        criteria: &["CC6.1", "CC6.3"],
        help: "Grant only the actions and resources the workload needs; never `*` on `*`, and no \
               permission-management actions outside a dedicated, audited role.",
        checkov: &[
            "CKV_AWS_62",
            "CKV_AWS_1",
            "CKV_AWS_63",
            "CKV_AWS_49",
            "CKV_AWS_286",
            "CKV_AWS_110",
            "CKV_AWS_274",
            "CKV2_AWS_40",
            "CKV2_AWS_56",
        ],
        kics: &[
            "2f37c4a3-58b9-4afe-8a87-d7f1d2286f84",
            "b1ffa705-19a3-4b73-b9d0-0c97d0663842",
            "575a2155-6af1-4026-b1af-d5bc8fe2a904",
        ],
        trivy: &["AVD-AWS-0057"],
        other: &[],
        bindings: &[
            (
                Target::Terraform,
                &[
                    "aws_iam_policy",
                    "aws_iam_role_policy",
                    "aws_iam_user_policy",
                    "aws_iam_group_policy",
                    "aws_iam_role",
                    "aws_iam_role_policy_attachment",
                    "aws_iam_user_policy_attachment",
                    "aws_iam_group_policy_attachment",
                    "aws_iam_policy_attachment",
                ],
            ),
            (
                Target::Cloudformation,
                &["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"],
            ),
        ],
    }
}

/// Whole-service wildcards that are high on every resource.
const SERVICE_WILDCARDS: [&str; 6] = ["iam:*", "sts:*", "kms:*", "s3:*", "ec2:*", "secretsmanager:*"];

/// Actions that change permissions, whatever resource they apply to.
const ESCALATION: [&str; 8] = [
    "iam:CreatePolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:UpdateAssumeRolePolicy",
];

/// AWS managed policies whose attachment is administrator access.
const ADMIN_POLICIES: [&str; 2] = ["AdministratorAccess", "IAMFullAccess"];

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let reader = Reader::new(resource, file);
    match resource.target {
        Target::Terraform => match resource.kind.as_str() {
            "aws_iam_role" => {
                for block in body.get("inline_policy").map(Node::items).unwrap_or_default() {
                    if let Some(entry) = block.entry("policy") {
                        judge_document(&reader, resource, &entry.value, entry.key_span, out);
                    }
                }
                if let Some(entry) = body.entry("managed_policy_arns") {
                    judge_arns(&entry.value, entry.key_span, resource, file, out);
                }
            }
            kind if kind.ends_with("_attachment") => {
                if let Some(entry) = body.entry("policy_arn") {
                    judge_arns(&entry.value, entry.key_span.cover(entry.value.span), resource, file, out);
                }
            }
            _ => {
                if let Some(entry) = body.entry("policy") {
                    judge_document(&reader, resource, &entry.value, entry.key_span, out);
                }
            }
        },
        Target::Cloudformation => {
            let Some(props) = body.get("Properties") else { return };
            if !matches!(props.value, Value::Map(_)) {
                return out.unknown();
            }
            if let Some(entry) = props.entry("PolicyDocument") {
                judge_document(&reader, resource, &entry.value, entry.key_span, out);
            }
            match props.get("Policies").map(|p| &p.value) {
                Some(Value::List(policies)) => {
                    for policy in policies {
                        match policy.entry("PolicyDocument") {
                            Some(entry) => judge_document(&reader, resource, &entry.value, entry.key_span, out),
                            None => out.unknown(),
                        }
                    }
                }
                Some(_) => out.unknown(),
                None => {}
            }
            if let Some(entry) = props.entry("ManagedPolicyArns") {
                judge_arns(&entry.value, entry.key_span, resource, file, out);
            }
        }
        _ => {}
    }
}

fn judge_document(reader: &Reader<'_, '_>, resource: &Resource<'_>, value: &Node, fallback: Span, out: &mut Outcome) {
    let document = reader.document(value, resource);
    if document.unknown {
        out.unknown();
    }
    for (index, statement) in document.statements.iter().enumerate() {
        match verdict(statement) {
            Verdict::Pass => {}
            Verdict::Unknown => out.unknown(),
            Verdict::Fail { severity, span, why } => {
                let message = format!("`{}` {} {why}", resource.address, statement.label(index));
                let violation = out.fail(statement.point(span, fallback), message);
                if severity != Severity::Critical {
                    violation.severity(severity);
                }
            }
        }
    }
}

enum Verdict {
    Pass,
    Unknown,
    Fail { severity: Severity, span: Span, why: String },
}

/// Judge one statement: the worst case it certainly grants, else unknown if it may grant one.
fn verdict(statement: &Statement) -> Verdict {
    if statement.effect == Effect::Deny {
        return Verdict::Pass;
    }
    let every_resource = link::or(
        statement.resource.as_ref().map_or(Truth::False, |r| r.any(|t| t.trim() == "*")),
        List::present(statement.not_resource.as_ref()),
    );
    let mut worst = Worst::default();
    if let Some(actions) = &statement.action {
        let all = actions.any(|a| a.trim() == "*" || a.trim() == "*:*");
        let span = actions.find(|a| a.trim() == "*" || a.trim() == "*:*").map_or(actions.span, |i| i.span);
        worst.consider(
            link::and(all, every_resource),
            Severity::Critical,
            span,
            "allows every action on every resource: full administrator access".into(),
        );
        let is_service_wildcard = |a: &str| SERVICE_WILDCARDS.iter().any(|w| a.trim().eq_ignore_ascii_case(w));
        if let Some(item) = actions.find(is_service_wildcard) {
            let action = item.text.clone().unwrap_or_default();
            worst.consider(
                every_resource,
                Severity::High,
                item.span,
                format!("allows `{action}` on every resource: the whole service, including its administration"),
            );
        } else if actions.any(is_service_wildcard) == Truth::Unknown {
            worst.unknown = true;
        }
        let passes_role = |a: &str| iam::glob(a.trim(), "iam:PassRole");
        let span = actions.find(passes_role).map_or(actions.span, |i| i.span);
        worst.consider(
            link::and(actions.any(passes_role), every_resource),
            Severity::High,
            span,
            "allows `iam:PassRole` on every role: the principal can hand any role, an administrator's \
             included, to a service it controls"
                .into(),
        );
        let escalates = |a: &str| ESCALATION.iter().any(|e| iam::glob(a.trim(), e));
        // Permission-management actions act on IAM resources only.
        let on_iam = link::or(
            statement.resource.as_ref().map_or(Truth::False, |r| r.any(could_be_iam)),
            List::present(statement.not_resource.as_ref()),
        );
        if let Some(item) = actions.find(escalates) {
            let pattern = item.text.clone().unwrap_or_default();
            let granted: Vec<&str> = ESCALATION.iter().copied().filter(|e| iam::glob(pattern.trim(), e)).collect();
            worst.consider(
                on_iam,
                Severity::High,
                item.span,
                if pattern.contains(['*', '?']) {
                    format!(
                        "allows `{pattern}` (covering {}), which lets the principal rewrite permissions and raise its own",
                        granted.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                    )
                } else {
                    format!("allows `{pattern}`, which lets the principal rewrite permissions and raise its own")
                },
            );
        } else if actions.any(escalates) == Truth::Unknown {
            worst.unknown = true;
        }
    }
    if let Some(not_action) = &statement.not_action {
        worst.consider(
            List::present(Some(not_action)),
            Severity::High,
            not_action.span,
            "combines `Allow` with `NotAction`: it grants every other action, including services added later".into(),
        );
    }
    match (worst.found, statement.effect) {
        (Some(_), Effect::Unknown) => Verdict::Unknown,
        (Some((severity, span, why)), _) => Verdict::Fail { severity, span, why },
        (None, _) if worst.unknown => Verdict::Unknown,
        (None, _) => Verdict::Pass,
    }
}

/// The worst case a statement certainly grants, and whether a case could not be decided.
#[derive(Default)]
struct Worst {
    found: Option<(Severity, Span, String)>,
    unknown: bool,
}

impl Worst {
    fn consider(&mut self, truth: Truth, severity: Severity, span: Span, why: String) {
        match truth {
            Truth::True => {
                if self.found.as_ref().is_none_or(|(worst, _, _)| severity > *worst) {
                    self.found = Some((severity, span, why));
                }
            }
            Truth::Unknown => self.unknown = true,
            Truth::False => {}
        }
    }
}

/// Whether a `Resource` pattern can match an IAM resource (`*`, `arn:aws:iam::...`,
/// `arn:aws:*:...`).
fn could_be_iam(resource: &str) -> bool {
    let resource = resource.trim();
    if resource == "*" {
        return true;
    }
    let mut parts = resource.split(':');
    matches!(parts.next(), Some(arn) if iam::glob(arn, "arn")) && parts.nth(1).is_some_and(|service| iam::glob(service, "iam"))
}

/// Managed-policy ARNs: attaching `AdministratorAccess` or `IAMFullAccess` is critical.
fn judge_arns(value: &Node, span: Span, resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let items: Vec<&Node> = match &value.value {
        Value::List(items) => items.iter().collect(),
        _ => vec![value],
    };
    for item in items {
        match admin_policy(item, resource, file) {
            Truth::True => {
                let text = item.scalar_text().map(|t| t.into_owned()).or_else(|| match &item.value {
                    Value::Expr(raw) => Some(raw.trim().trim_matches('"').to_string()),
                    _ => iam::sub_template(item).map(str::to_string),
                });
                let name = text.map_or_else(|| "an administrator policy".to_string(), |t| format!("`{t}`"));
                let at = if matches!(value.value, Value::List(_)) { item.span } else { span };
                out.fail(at, format!("`{}` attaches {name}: full administrator access", resource.address));
            }
            Truth::Unknown => out.unknown(),
            Truth::False => {}
        }
    }
}

/// Whether an ARN value names an administrator managed policy.
fn admin_policy(value: &Node, resource: &Resource<'_>, file: &FileContext<'_>) -> Truth {
    let names_admin = |arn: &str| {
        let arn = arn.trim().trim_matches('"');
        arn.starts_with("arn:")
            && ADMIN_POLICIES.iter().any(|name| arn.ends_with(&format!(":iam::aws:policy/{name}")))
    };
    match &value.value {
        Value::String(arn) => {
            if names_admin(arn) {
                Truth::True
            } else {
                Truth::False
            }
        }
        Value::Expr(raw) => {
            // `"arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"`:
            // the partition varies, the policy does not.
            if names_admin(raw) {
                return Truth::True;
            }
            if let Some(data) = data_policy(raw, file) {
                return data;
            }
            // Another AWS managed policy, whatever the partition.
            let template = raw.trim();
            if template.starts_with('"') && template.ends_with('"') && template.contains(":iam::aws:policy/") {
                return Truth::False;
            }
            // A policy written in this configuration is judged as itself.
            let managed_here = ["aws_iam_policy."].iter().any(|p| raw.trim().trim_start_matches("\"${").starts_with(p));
            if managed_here { Truth::False } else { Truth::Unknown }
        }
        _ if resource.target == Target::Cloudformation => match iam::sub_template(value) {
            Some(template) if names_admin(template) => Truth::True,
            Some(template) if template.starts_with("arn:") && template.contains(":iam::aws:policy/") => Truth::False,
            _ => {
                let defined_here = file
                    .scope
                    .of_kind(Target::Cloudformation, "AWS::IAM::ManagedPolicy")
                    .any(|p| link::cloudformation_reference(value, &p.address, 0) == Truth::True);
                if defined_here { Truth::False } else { Truth::Unknown }
            }
        },
        Value::Null => Truth::False,
        _ => Truth::Unknown,
    }
}

/// `data.aws_iam_policy.NAME.arn` resolved to the data source's `name` or `arn`.
fn data_policy(raw: &str, file: &FileContext<'_>) -> Option<Truth> {
    let expression = raw.trim().trim_start_matches("\"${").trim_end_matches("}\"");
    let rest = expression.strip_prefix("data.aws_iam_policy.")?;
    let name = rest.strip_suffix(".arn")?;
    let address = format!("data.aws_iam_policy.{name}");
    let data = file.scope.of_kind(Target::Terraform, "data.aws_iam_policy").find(|d| d.address == address)?;
    let body = data.body?;
    let by_arn = body.get("arn").and_then(Node::as_str).map(|arn| {
        let arn = arn.trim();
        arn.starts_with("arn:") && ADMIN_POLICIES.iter().any(|n| arn.ends_with(&format!(":iam::aws:policy/{n}")))
    });
    let by_name = body.get("name").and_then(Node::as_str).map(|n| ADMIN_POLICIES.contains(&n.trim()));
    Some(match by_arn.or(by_name) {
        Some(true) => Truth::True,
        Some(false) => Truth::False,
        None => Truth::Unknown,
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
            .filter(|r| !r.kind.starts_with("data."))
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
    fn statements_are_graded() {
        let text = r#"resource "aws_iam_policy" "admin" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
EOF
}
resource "aws_iam_policy" "kms" {
  policy = data.aws_iam_policy_document.kms.json
}
data "aws_iam_policy_document" "kms" {
  statement {
    actions   = ["kms:*"]
    resources = ["*"]
  }
}
resource "aws_iam_role_policy" "escalate" {
  policy = <<EOF
{"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "iam:Put*"], "Resource": "arn:aws:iam::123456789012:role/app"}}
EOF
}
resource "aws_iam_policy" "scoped" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}, {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}]}
EOF
}
resource "aws_iam_policy" "read_only" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]}
EOF
}
resource "aws_iam_policy" "later" {
  policy = jsonencode({ Statement = [] })
}
resource "aws_iam_role_policy_attachment" "admin" {
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"
}
resource "aws_iam_role_policy_attachment" "own" {
  policy_arn = aws_iam_policy.read_only.arn
}
resource "aws_iam_role_policy_attachment" "var" {
  policy_arn = var.policy_arn
}
resource "aws_iam_role" "legacy" {
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/IAMFullAccess"]
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
                ("aws_iam_policy.admin", CheckResult::Fail, vec![("\"*\"", None)]),
                ("aws_iam_policy.kms", CheckResult::Fail, vec![("\"kms:*\"", Some(Severity::High))]),
                ("aws_iam_role_policy.escalate", CheckResult::Fail, vec![("\"iam:Put*\"", Some(Severity::High))]),
                ("aws_iam_policy.scoped", CheckResult::Pass, vec![]),
                ("aws_iam_policy.read_only", CheckResult::Pass, vec![]),
                ("aws_iam_policy.later", CheckResult::Unknown, vec![]),
                (
                    "aws_iam_role_policy_attachment.admin",
                    CheckResult::Fail,
                    vec![(
                        "policy_arn = \"arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess\"",
                        None
                    )]
                ),
                ("aws_iam_role_policy_attachment.own", CheckResult::Pass, vec![]),
                ("aws_iam_role_policy_attachment.var", CheckResult::Unknown, vec![]),
                (
                    "aws_iam_role.legacy",
                    CheckResult::Fail,
                    vec![("\"arn:aws:iam::aws:policy/IAMFullAccess\"", None)]
                ),
            ]
        );
    }
}
