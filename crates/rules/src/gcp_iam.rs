//! Grants to the public in Google Cloud IAM: the members `allUsers` (anyone on the internet)
//! and `allAuthenticatedUsers` (anyone with a Google account), as the IAM resources of a
//! bucket, a dataset or a table write them:
//! - `*_iam_member`: one `member`;
//! - `*_iam_binding`: a `members` list;
//! - `*_iam_policy`: a whole policy in `policy_data`, taken from a `data.google_iam_policy`
//!   (`binding { role, members }` blocks), a `jsonencode({ bindings = [...] })` tree or a JSON
//!   string.
//!
//! A member, a list or a policy that is not known statically (a variable, another data
//! source) is unknown.

use trustlint_engine::parse::json;
use trustlint_engine::rule::Scope;

use crate::iam::module_prefix;
use crate::prelude::*;

/// The members that mean "everyone".
pub(crate) const PUBLIC_MEMBERS: [&str; 2] = ["allUsers", "allAuthenticatedUsers"];

/// Whether a member is one of [`PUBLIC_MEMBERS`].
pub(crate) fn is_public_member(member: &str) -> bool {
    PUBLIC_MEMBERS.contains(&member.trim())
}

/// One grant to the public.
#[derive(Debug, Clone)]
pub(crate) struct Grant<'a> {
    /// Where to point, inside the IAM resource's own body.
    pub node: &'a Node,
    /// `allUsers` or `allAuthenticatedUsers`.
    pub member: String,
    /// The role granted, when known.
    pub role: Option<String>,
}

impl Grant<'_> {
    /// `` `roles/x` to `allUsers` `` for messages.
    pub(crate) fn describe(&self) -> String {
        match &self.role {
            Some(role) => format!("`{role}` to `{}`", self.member),
            None => format!("a role to `{}`", self.member),
        }
    }
}

/// The public grants of one IAM resource.
#[derive(Debug, Default)]
pub(crate) struct Grants<'a> {
    /// Grants found.
    pub found: Vec<Grant<'a>>,
    /// Set when a member, list or policy could not be read statically.
    pub unknown: bool,
}

impl<'a> Grants<'a> {
    /// Record the members of `members` (a list, or one member) granted `role`, pointing at
    /// `at` when given, else at each member.
    fn members(&mut self, members: &'a Node, role: Option<String>, at: Option<&'a Node>) {
        if members.is_unknown() {
            self.unknown = true;
            return;
        }
        for member in members.items() {
            match member.as_str() {
                Some(text) if is_public_member(text) => self.found.push(Grant {
                    node: at.unwrap_or(member),
                    member: text.trim().to_string(),
                    role: role.clone(),
                }),
                Some(_) => {}
                None => self.unknown |= member.is_unknown(),
            }
        }
    }
}

fn role_of(node: &Node) -> Option<String> {
    node.get("role").and_then(Node::as_str).map(str::to_string)
}

/// The public grants of an IAM member, binding or policy resource.
pub(crate) fn public_grants<'a>(resource: &Resource<'a>, scope: &Scope<'a>) -> Grants<'a> {
    let mut grants = Grants::default();
    let Some(body) = resource.body else { return grants };
    let role = role_of(body);
    if let Some(member) = body.get("member") {
        grants.members(member, role.clone(), None);
    }
    if let Some(members) = body.get("members") {
        grants.members(members, role, None);
    }
    if let Some(policy) = body.get("policy_data") {
        policy_grants(policy, resource, scope, &mut grants);
    }
    grants
}

/// The public grants of a `policy_data` value; findings point at `policy` unless the tree
/// is this resource's own (`jsonencode`).
fn policy_grants<'a>(policy: &'a Node, owner: &Resource<'a>, scope: &Scope<'a>, grants: &mut Grants<'a>) {
    match &policy.value {
        Value::Map(_) => {
            for binding in policy.get("bindings").map(Node::items).unwrap_or_default() {
                match binding.get("members") {
                    Some(members) => grants.members(members, role_of(binding), None),
                    None => grants.unknown |= binding.is_unknown(),
                }
            }
            grants.unknown |= policy.get("bindings").is_some_and(Node::is_unknown);
        }
        Value::String(text) => match json::parse(text) {
            Ok(document) => {
                let mut parsed = Grants::default();
                for binding in document.root.get("bindings").map(Node::items).unwrap_or_default() {
                    if let Some(members) = binding.get("members") {
                        for member in members.items().iter().filter_map(Node::as_str) {
                            if is_public_member(member) {
                                parsed.found.push(Grant {
                                    node: policy,
                                    member: member.trim().to_string(),
                                    role: role_of(binding),
                                });
                            }
                        }
                    }
                }
                grants.found.extend(parsed.found);
            }
            Err(_) => grants.unknown = true,
        },
        Value::Expr(raw) => match data_policy(raw, owner, scope) {
            Some(data) => {
                for binding in data.body.and_then(|b| b.get("binding")).map(Node::items).unwrap_or_default() {
                    match binding.get("members") {
                        Some(members) => grants.members(members, role_of(binding), Some(policy)),
                        None => grants.unknown |= binding.is_unknown(),
                    }
                }
                grants.unknown |= data.body.and_then(|b| b.get("binding")).is_some_and(Node::is_unknown);
            }
            None => grants.unknown = true,
        },
        Value::Null => {}
        _ => grants.unknown = true,
    }
}

/// The `data.google_iam_policy` that `data.google_iam_policy.x.policy_data` names, in the
/// module instance of `owner`.
fn data_policy<'a>(raw: &str, owner: &Resource<'_>, scope: &Scope<'a>) -> Option<&'a Resource<'a>> {
    let expression = raw.trim();
    let expression =
        expression.strip_prefix("\"${").and_then(|e| e.strip_suffix("}\"")).unwrap_or(expression).trim();
    let rest = expression.strip_prefix("data.google_iam_policy.")?;
    let (name, tail) = rest.split_once('.')?;
    if tail != "policy_data" {
        return None;
    }
    let wanted = format!("{}data.google_iam_policy.{name}", module_prefix(&owner.address));
    scope.of_kind(Target::Terraform, "data.google_iam_policy").find(|d| d.address == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    fn probe_meta() -> Meta {
        Meta {
            id: "PROBE",
            name: "probe",
            title: "probe",
            severity: Severity::Low,
            criteria: &[],
            help: "",
            checkov: &[],
            kics: &[],
            trivy: &[],
            other: &[],
            bindings: &[(
                Target::Terraform,
                &["google_storage_bucket_iam_policy", "google_storage_bucket_iam_member"],
            )],
        }
    }

    /// Reports every public grant of an IAM resource where it points.
    fn probe(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
        let grants = public_grants(resource, file.scope);
        for grant in &grants.found {
            out.fail(grant.node.span, grant.describe());
        }
        if grants.unknown {
            out.unknown();
        }
    }

    #[test]
    fn members_in_every_policy_form() {
        let text = r#"
data "google_iam_policy" "private" {
  binding {
    role    = "roles/storage.admin"
    members = ["group:ops@example.com"]
  }
}

data "google_iam_policy" "public" {
  binding {
    role    = "roles/storage.objectViewer"
    members = ["allUsers"]
  }
}

resource "google_storage_bucket_iam_policy" "from_private_data" {
  bucket      = "b"
  policy_data = data.google_iam_policy.private.policy_data
}

resource "google_storage_bucket_iam_policy" "from_public_data" {
  bucket      = "b"
  policy_data = data.google_iam_policy.public.policy_data
}

resource "google_storage_bucket_iam_policy" "encoded" {
  bucket = "b"
  policy_data = jsonencode({
    bindings = [{ role = "roles/storage.objectViewer", members = ["allAuthenticatedUsers"] }]
  })
}

resource "google_storage_bucket_iam_policy" "string" {
  bucket      = "b"
  policy_data = "{\"bindings\":[{\"role\":\"roles/storage.legacyBucketReader\",\"members\":[\"allUsers\"]}]}"
}

resource "google_storage_bucket_iam_policy" "variable" {
  bucket      = "b"
  policy_data = var.policy
}

resource "google_storage_bucket_iam_member" "member" {
  bucket = "b"
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
"#;
        let found = run(probe_meta, probe, &[("main.tf", text)]);
        let findings: Vec<(usize, &str)> =
            found.findings.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(
            findings,
            [
                (23, "`roles/storage.objectViewer` to `allUsers`"),
                (29, "`roles/storage.objectViewer` to `allAuthenticatedUsers`"),
                (35, "`roles/storage.legacyBucketReader` to `allUsers`"),
                (46, "`roles/storage.objectViewer` to `allUsers`"),
            ]
        );
        assert_eq!(
            found.result("google_storage_bucket_iam_policy.from_private_data"),
            Some(CheckResult::Pass)
        );
        assert_eq!(found.result("google_storage_bucket_iam_policy.variable"), Some(CheckResult::Unknown));
    }
}
