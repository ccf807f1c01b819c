//! ## What it checks
//! IAM users with a console password (an `aws_iam_user_login_profile`) that no policy forces to
//! use MFA. A user is covered when a policy attached to it, or to one of its groups, has a
//! `Deny` statement conditioned on `aws:MultiFactorAuthPresent` being `false` (`BoolIfExists`
//! or `Bool`), the standard "deny everything unless signed in with MFA" statement.
//!
//! Policies are followed through `aws_iam_user_policy`, `aws_iam_user_policy_attachment` and
//! `aws_iam_policy_attachment` (`users`) for the user, through `aws_iam_user_group_membership`
//! and `aws_iam_group_membership` to its groups, and through `aws_iam_group_policy`,
//! `aws_iam_group_policy_attachment` and `aws_iam_policy_attachment` (`groups`) for each group;
//! an attachment's `policy_arn` is resolved to the `aws_iam_policy` it refers to. Users,
//! groups and policies are matched by reference or by literal name. The finding is on the
//! `aws_iam_user`; a login profile for a user that is not declared alongside is judged on its
//! own. A document, link or ARN that is not known statically makes the result unknown when
//! nothing else covers the user. AWS managed policies contain no MFA condition.
//!
//! Native because it follows user, group and attachment resources to policy documents that
//! are JSON strings to parse.
//!
//! ## Why it matters (CC6.1, CC6.2)
//! A console password alone is one phished or reused secret away from an interactive session
//! with everything the user may do. Multi-factor authentication is the authentication
//! control CC6.1 expects for access to the management console, and requiring it by policy
//! is how the organisation shows that credentials are issued with the controls it promised
//! (CC6.2). An MFA device the user may skip is not a control.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_iam_user" "alice" {
//!   name = "alice"
//! }
//!
//! resource "aws_iam_user_login_profile" "alice" {
//!   user = aws_iam_user.alice.name
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_iam_user_group_membership" "alice" {
//!   user   = aws_iam_user.alice.name
//!   groups = [aws_iam_group.humans.name]
//! }
//!
//! resource "aws_iam_group_policy" "require_mfa" {
//!   group = aws_iam_group.humans.name
//!   policy = jsonencode({
//!     Version = "2012-10-17"
//!     Statement = [{
//!       Sid       = "DenyWithoutMFA"
//!       Effect    = "Deny"
//!       NotAction = ["iam:ChangePassword", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice",
//!                    "iam:GetUser", "iam:ListMFADevices", "sts:GetSessionToken"]
//!       Resource  = "*"
//!       Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
//!     }]
//!   })
//! }
//! ```
//!
//! ## Fix
//! Put human users in a group whose policy denies every action except MFA self-management
//! when `aws:MultiFactorAuthPresent` is false, or better, remove IAM users with passwords and
//! sign people in through IAM Identity Center, which enforces MFA centrally.

use trustlint_engine::policy::condition::Truth;
use trustlint_engine::rule::Scope;

use crate::iam::{self, Document, Reader};
use crate::link;
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-008",
        name: "iam-console-user-without-mfa",
        title: "IAM user with console access is not required to use MFA",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.2"],
        help: "Attach (to the user or its group) a policy that denies all but MFA self-service when \
               `aws:MultiFactorAuthPresent` is false, or move people to IAM Identity Center.",
        checkov: &["CKV_AWS_273"],
        kics: &["3ddfa124-6407-4845-a501-179f90c65097", "b5681959-6c09-4f55-b42b-c40fa12d03ec"],
        trivy: &["AVD-AWS-0123", "AVD-AWS-0145"],
        other: &[],
        bindings: &[(Target::Terraform, &["aws_iam_user", "aws_iam_user_login_profile"])],
    }
}

/// A user or group: declared in the scope, or only named by a value.
#[derive(Clone, Copy)]
enum Who<'a> {
    Declared(&'a Resource<'a>),
    Named(&'a Node),
}

impl Who<'_> {
    /// Whether `value` (a `user`, `users`, `group` or `groups` attribute) designates it.
    fn designated_by(&self, value: &Node) -> Truth {
        match self {
            Who::Declared(resource) => link::refers(value, resource, &["name"]),
            Who::Named(name) => same_value(value, name),
        }
    }
}

/// Whether two attribute values name the same thing: equal literals, or the same expression.
fn same_value(a: &Node, b: &Node) -> Truth {
    match (&a.value, &b.value) {
        (Value::List(items), _) => items.iter().fold(Truth::False, |acc, item| link::or(acc, same_value(item, b))),
        (Value::String(x), Value::String(y)) => {
            if x == y {
                Truth::True
            } else {
                Truth::False
            }
        }
        (Value::Expr(x), Value::Expr(y)) if x.split_whitespace().eq(y.split_whitespace()) => Truth::True,
        (Value::Expr(_), _) | (_, Value::Expr(_)) => Truth::Unknown,
        _ => Truth::False,
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let scope = file.scope;
    // The user as the scope holds it (the same resource), so links can borrow from the scope.
    let Some(this) = scope.resources().iter().find(|r| std::ptr::eq(*r, resource)) else { return };
    let (user, profile_link, profile) = match resource.kind.as_str() {
        "aws_iam_user" => {
            let profiles = link::referrers(this, scope, &["aws_iam_user_login_profile"], "user", &["name"]);
            let Some(link) = profiles.iter().map(|(_, t)| *t).reduce(link::or) else { return };
            let name = profiles.first().map(|(p, _)| p.address.clone()).unwrap_or_default();
            (Who::Declared(this), link, name)
        }
        _ => {
            if link::refers_to_any(this, scope, &["aws_iam_user"], "user", &["name"]) == Truth::True {
                return;
            }
            let Some(user) = this.body.and_then(|b| b.get("user")) else { return };
            (Who::Named(user), Truth::True, resource.address.clone())
        }
    };
    let reader = Reader::new(resource, file);
    let covered = coverage(&reader, scope, user);
    match link::and(profile_link, link::not(covered)) {
        Truth::True => {
            let whom = match user {
                Who::Declared(_) => format!("user `{}` has a console password (`{profile}`)", resource.address),
                Who::Named(name) => format!(
                    "`{profile}` gives the user `{}` a console password",
                    name.scalar_text().map_or_else(|| "?".to_string(), |n| n.into_owned())
                ),
            };
            out.fail(
                resource.span,
                format!("{whom} and no policy attached to the user or its groups denies access without MFA"),
            );
        }
        Truth::Unknown => out.unknown(),
        Truth::False => {}
    }
}

/// Whether a policy attached to the user, or to one of its groups, requires MFA.
fn coverage<'a>(reader: &Reader<'_, 'a>, scope: &Scope<'a>, user: Who<'a>) -> Truth {
    let mut covered = attached(reader, scope, user, ("aws_iam_user_policy", "user"), ("aws_iam_user_policy_attachment", "user"), "users");
    if covered == Truth::True {
        return covered;
    }
    for (group, link_truth) in groups(scope, user) {
        let group_covered =
            attached(reader, scope, group, ("aws_iam_group_policy", "group"), ("aws_iam_group_policy_attachment", "group"), "groups");
        covered = link::or(covered, link::and(link_truth, group_covered));
        if covered == Truth::True {
            break;
        }
    }
    covered
}

/// The groups the user belongs to, with how sure each membership is.
fn groups<'a>(scope: &Scope<'a>, user: Who<'a>) -> Vec<(Who<'a>, Truth)> {
    let mut out = Vec::new();
    let as_group = |value: &'a Node| -> Who<'a> {
        match link::resolve(value, Target::Terraform, scope, &["aws_iam_group"], &["name"]) {
            Some(group) => Who::Declared(group),
            None => Who::Named(value),
        }
    };
    for membership in scope.of_kind(Target::Terraform, "aws_iam_user_group_membership") {
        let Some(body) = membership.body else { continue };
        let Some(member) = body.get("user") else { continue };
        let link_truth = user.designated_by(member);
        if link_truth == Truth::False {
            continue;
        }
        match body.get("groups") {
            Some(Node { value: Value::List(items), .. }) => out.extend(items.iter().map(|g| (as_group(g), link_truth))),
            // Groups not known statically: any group may be one of them.
            Some(groups) => out.push((Who::Named(groups), Truth::Unknown)),
            None => {}
        }
    }
    for membership in scope.of_kind(Target::Terraform, "aws_iam_group_membership") {
        let Some(body) = membership.body else { continue };
        let (Some(users), Some(group)) = (body.get("users"), body.get("group")) else { continue };
        let link_truth = user.designated_by(users);
        if link_truth != Truth::False {
            out.push((as_group(group), link_truth));
        }
    }
    out
}

/// Whether an inline policy, a policy attachment or a shared attachment of `who` requires MFA.
fn attached<'a>(
    reader: &Reader<'_, 'a>,
    scope: &Scope<'a>,
    who: Who<'a>,
    (inline_kind, inline_attribute): (&str, &str),
    (attachment_kind, attachment_attribute): (&str, &str),
    shared_attribute: &str,
) -> Truth {
    let mut covered = Truth::False;
    for policy in scope.of_kind(Target::Terraform, inline_kind) {
        let Some(body) = policy.body else { continue };
        let Some(owner) = body.get(inline_attribute) else { continue };
        let link_truth = who.designated_by(owner);
        if link_truth == Truth::False {
            continue;
        }
        let requires = body.get("policy").map_or(Truth::False, |p| requires_mfa(&reader.document(p, policy)));
        covered = link::or(covered, link::and(link_truth, requires));
    }
    let attachments = scope
        .of_kind(Target::Terraform, attachment_kind)
        .map(|a| (a, attachment_attribute))
        .chain(scope.of_kind(Target::Terraform, "aws_iam_policy_attachment").map(|a| (a, shared_attribute)));
    for (attachment, attribute) in attachments {
        let Some(body) = attachment.body else { continue };
        let Some(owner) = body.get(attribute) else { continue };
        let link_truth = who.designated_by(owner);
        if link_truth == Truth::False {
            continue;
        }
        let requires = body.get("policy_arn").map_or(Truth::False, |arn| policy_requires_mfa(reader, scope, arn));
        covered = link::or(covered, link::and(link_truth, requires));
    }
    covered
}

/// Whether the managed policy an ARN designates requires MFA.
fn policy_requires_mfa(reader: &Reader<'_, '_>, scope: &Scope<'_>, arn: &Node) -> Truth {
    if let Some(policy) = link::resolve(arn, Target::Terraform, scope, &["aws_iam_policy"], &["arn"]) {
        return policy.body.and_then(|b| b.get("policy")).map_or(Truth::False, |p| requires_mfa(&reader.document(p, policy)));
    }
    match arn.as_str() {
        // AWS managed policies carry no MFA condition.
        Some(text) if text.contains(":iam::aws:policy/") => Truth::False,
        _ => Truth::Unknown,
    }
}

/// Whether a document denies requests made without MFA.
fn requires_mfa(document: &Document) -> Truth {
    iam::denies_when_false(document, "aws:MultiFactorAuthPresent")
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::terraform;
    use trustlint_engine::parse::hcl;
    use trustlint_engine::rule::CheckResult;

    fn run(text: &str) -> Vec<(String, CheckResult)> {
        let file = hcl::parse(text).expect("parses");
        let resources = terraform::resources(&file);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("main.tf", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        scope
            .resources()
            .iter()
            .filter(|r| r.kind == "aws_iam_user" || r.kind == "aws_iam_user_login_profile")
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                (r.address.clone(), out.result())
            })
            .collect()
    }

    #[test]
    fn users_groups_and_attachments() {
        let text = r#"resource "aws_iam_user" "alice" {
  name = "alice"
}
resource "aws_iam_user_login_profile" "alice" {
  user = aws_iam_user.alice.name
}
resource "aws_iam_user" "bob" {
  name = "bob"
}
resource "aws_iam_user_login_profile" "bob" {
  user = "bob"
}
resource "aws_iam_group" "humans" {
  name = "humans"
}
resource "aws_iam_user_group_membership" "bob" {
  user   = aws_iam_user.bob.name
  groups = [aws_iam_group.humans.name]
}
resource "aws_iam_group_policy_attachment" "mfa" {
  group      = "humans"
  policy_arn = aws_iam_policy.require_mfa.arn
}
resource "aws_iam_policy" "require_mfa" {
  policy = <<EOF
{"Statement": [{"Effect": "Deny", "NotAction": "iam:*MFA*", "Resource": "*",
  "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}
EOF
}
resource "aws_iam_user" "robot" {
  name = "robot"
}
resource "aws_iam_user_login_profile" "carol" {
  user = "carol"
}
resource "aws_iam_user_policy" "carol" {
  user   = "carol"
  policy = jsonencode({})
}
"#;
        assert_eq!(
            run(text),
            [
                ("aws_iam_user.alice".to_string(), CheckResult::Fail),
                ("aws_iam_user_login_profile.alice".to_string(), CheckResult::Pass),
                ("aws_iam_user.bob".to_string(), CheckResult::Pass),
                ("aws_iam_user_login_profile.bob".to_string(), CheckResult::Pass),
                ("aws_iam_user.robot".to_string(), CheckResult::Pass),
                ("aws_iam_user_login_profile.carol".to_string(), CheckResult::Unknown),
            ]
        );
    }
}
