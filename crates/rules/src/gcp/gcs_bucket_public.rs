//! ## What it checks
//! Cloud Storage buckets that grant access to everyone: `allUsers` (anyone on the internet)
//! or `allAuthenticatedUsers` (anyone with a Google account), with any role or ACL:
//! - IAM: a `google_storage_bucket_iam_member` (`member`), `_iam_binding` (`members`) or
//!   `_iam_policy` (`policy_data` from a `data.google_iam_policy`, `jsonencode(...)` or a JSON
//!   string) naming a public member;
//! - ACLs: a `google_storage_bucket_acl` with `predefined_acl` or `default_acl` of
//!   `publicRead`, `publicReadWrite` or `authenticatedRead`, or a `role_entity` such as
//!   `READER:allUsers`; a `google_storage_default_object_acl` `role_entity`; a
//!   `google_storage_bucket_access_control` or `google_storage_default_object_access_control`
//!   whose `entity` is public.
//!
//! These resources are joined to the bucket through their `bucket` argument (a reference to
//! the bucket or its literal name) and the finding is on the bucket. A bucket with
//! `public_access_prevention = "enforced"` passes: Cloud Storage refuses public grants on it.
//! The default, `inherited`, defers to an organisation policy the repository does not show, so
//! it does not pass. When the bucket has uniform bucket-level access
//! (`uniform_bucket_level_access = true`) ACLs are disabled: a public ACL is still reported,
//! because the intent is public, but at medium. An IAM or ACL resource whose bucket is not
//! declared in the same module is judged on its own, at the public member. A value not known
//! statically makes the result unknown.
//!
//! A native rule: `policy_data` must be read from the `data.google_iam_policy` it names, and
//! the policy language's references cannot tell one data source from another.
//!
//! ## Why it matters (CC6.1, CC6.6, C1.1)
//! A bucket readable by `allUsers` serves every object to anyone who knows or guesses its name,
//! without authentication or a trace of who read what; `allAuthenticatedUsers` is no better,
//! since anyone can create a Google account. Access is no longer restricted (CC6.1), the data
//! sits outside the system boundary (CC6.6), and confidential data is not protected (C1.1).
//!
//! ## Failing example
//! ```hcl
//! resource "google_storage_bucket" "exports" {
//!   name     = "acme-exports"
//!   location = "EU"
//! }
//!
//! resource "google_storage_bucket_iam_member" "exports_public" {
//!   bucket = google_storage_bucket.exports.name
//!   role   = "roles/storage.objectViewer"
//!   member = "allUsers"
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "google_storage_bucket" "exports" {
//!   name                        = "acme-exports"
//!   location                    = "EU"
//!   uniform_bucket_level_access = true
//!   public_access_prevention    = "enforced"
//! }
//!
//! resource "google_storage_bucket_iam_member" "exports_readers" {
//!   bucket = google_storage_bucket.exports.name
//!   role   = "roles/storage.objectViewer"
//!   member = "group:finance@acme.example"
//! }
//! ```
//!
//! ## Fix
//! Remove the public member or ACL and grant named users, groups or service accounts instead;
//! share single objects with signed URLs. Set `public_access_prevention = "enforced"` and
//! `uniform_bucket_level_access = true` on every bucket that is not meant to be a public
//! website, and enforce `storage.publicAccessPrevention` as an organisation policy.

use trustlint_engine::policy::condition::Truth;

use crate::gcp_iam::{is_public_member, public_grants};
use crate::link;
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-GCP-002",
        name: "gcs-bucket-public",
        title: "Cloud Storage bucket grants access to allUsers or allAuthenticatedUsers",
        severity: Severity::Critical,
        criteria: &["CC6.1", "CC6.6", "C1.1"],
        help: "Remove the `allUsers`/`allAuthenticatedUsers` grant or ACL and set \
               `public_access_prevention = \"enforced\"` on the bucket.",
        checkov: &["CKV_GCP_28"],
        kics: &["c010082c-76e0-4b91-91d9-6e8439e455dd", "a6cd52a1-3056-4910-96a5-894de9f3f3b3"],
        trivy: &["AVD-GCP-0001"],
        other: &[],
        bindings: &[(Target::Terraform, &[BUCKET, IAM_KINDS[0], IAM_KINDS[1], IAM_KINDS[2], ACL_KINDS[0], ACL_KINDS[1], ACL_KINDS[2], ACL_KINDS[3]])],
    }
}

const BUCKET: &str = "google_storage_bucket";

/// IAM resources keyed by `bucket`.
const IAM_KINDS: [&str; 3] =
    ["google_storage_bucket_iam_member", "google_storage_bucket_iam_binding", "google_storage_bucket_iam_policy"];

/// ACL resources keyed by `bucket`.
const ACL_KINDS: [&str; 4] = [
    "google_storage_bucket_acl",
    "google_storage_default_object_acl",
    "google_storage_bucket_access_control",
    "google_storage_default_object_access_control",
];

/// Predefined ACLs that open a bucket or its objects to everyone.
const PUBLIC_PREDEFINED: [&str; 3] = ["publicRead", "publicReadWrite", "authenticatedRead"];

/// One public ACL entry: where it is and what it says.
struct PublicAcl<'a> {
    node: &'a Node,
    what: String,
}

/// The public entries of an ACL resource, and whether some entry is unknown.
fn public_acls<'a>(resource: &Resource<'a>) -> (Vec<PublicAcl<'a>>, bool) {
    let mut found = Vec::new();
    let mut unknown = false;
    let Some(body) = resource.body else { return (found, unknown) };
    for key in ["predefined_acl", "default_acl"] {
        match body.get(key) {
            Some(node) if node.is_unknown() => unknown = true,
            Some(node) => {
                if let Some(acl) = node.as_str().filter(|a| PUBLIC_PREDEFINED.contains(&a.trim())) {
                    found.push(PublicAcl { node, what: format!("the predefined ACL `{}`", acl.trim()) });
                }
            }
            None => {}
        }
    }
    match body.get("role_entity") {
        Some(list) if list.is_unknown() => unknown = true,
        Some(list) => {
            for entry in list.items() {
                match entry.as_str() {
                    Some(text) => {
                        let entity = text.split_once(':').map_or("", |(_, entity)| entity);
                        if is_public_member(entity) {
                            found.push(PublicAcl { node: entry, what: format!("the ACL entry `{}`", text.trim()) });
                        }
                    }
                    None => unknown |= entry.is_unknown(),
                }
            }
        }
        None => {}
    }
    match body.get("entity") {
        Some(entity) if entity.is_unknown() => unknown = true,
        Some(entity) => {
            if let Some(text) = entity.as_str().filter(|e| is_public_member(e)) {
                let role = body.get("role").and_then(Node::as_str).unwrap_or("a role");
                found.push(PublicAcl { node: entity, what: format!("the ACL entry `{role}` for `{}`", text.trim()) });
            }
        }
        None => {}
    }
    (found, unknown)
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    if resource.kind == BUCKET {
        check_bucket(resource, file, out);
    } else {
        check_orphan(resource, file, out);
    }
}

/// A bucket: the IAM and ACL resources that refer to it.
fn check_bucket(bucket: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = bucket.body else { return };
    let prevention = body.get("public_access_prevention");
    if prevention.and_then(Node::as_str).is_some_and(|p| p.trim().eq_ignore_ascii_case("enforced")) {
        return;
    }
    let mut unknown = false;
    let mut iam = Vec::new();
    for (other, link) in link::referrers(bucket, file.scope, &IAM_KINDS, "bucket", &["name"]) {
        let grants = public_grants(other, file.scope);
        unknown |= grants.unknown;
        match link {
            Truth::True => iam.extend(grants.found.iter().map(|g| format!("`{}` grants {}", other.address, g.describe()))),
            _ => unknown |= !grants.found.is_empty(),
        }
    }
    let mut acls = Vec::new();
    for (other, link) in link::referrers(bucket, file.scope, &ACL_KINDS, "bucket", &["name"]) {
        let (found, acl_unknown) = public_acls(other);
        unknown |= acl_unknown;
        match link {
            Truth::True => acls.extend(found.iter().map(|a| format!("`{}` sets {}", other.address, a.what))),
            _ => unknown |= !found.is_empty(),
        }
    }
    if iam.is_empty() && acls.is_empty() && !unknown {
        return;
    }
    if unknown || prevention.is_some_and(Node::is_unknown) {
        out.unknown();
    }
    // Prevention that may be enforced decides everything found.
    if prevention.is_some_and(Node::is_unknown) {
        return;
    }
    for grant in iam {
        out.fail(bucket.span, format!("bucket `{}` is public: {grant}", bucket.address));
    }
    if acls.is_empty() {
        return;
    }
    let uniform = body.get("uniform_bucket_level_access");
    if uniform.is_some_and(Node::is_unknown) {
        out.unknown();
        return;
    }
    let disabled = uniform.and_then(Node::as_bool) == Some(true);
    for acl in acls {
        if disabled {
            out.fail(
                bucket.span,
                format!(
                    "bucket `{}` has a public ACL: {acl}; uniform bucket-level access disables ACLs, so it has \
                     no effect, but the intent is public",
                    bucket.address
                ),
            )
            .severity(Severity::Medium);
        } else {
            out.fail(bucket.span, format!("bucket `{}` is public: {acl}", bucket.address));
        }
    }
}

/// An IAM or ACL resource for a bucket not declared in this module: judged on its own.
fn check_orphan(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let declared = link::refers_to_any(resource, file.scope, &[BUCKET], "bucket", &["name"]);
    if declared == Truth::True {
        return;
    }
    let (found, unknown): (Vec<(&Node, String)>, bool) = if IAM_KINDS.contains(&resource.kind.as_str()) {
        let grants = public_grants(resource, file.scope);
        (grants.found.iter().map(|g| (g.node, format!("grants {}", g.describe()))).collect(), grants.unknown)
    } else {
        let (acls, unknown) = public_acls(resource);
        (acls.into_iter().map(|a| (a.node, format!("sets {}", a.what))).collect(), unknown)
    };
    if declared == Truth::Unknown {
        if unknown || !found.is_empty() {
            out.unknown();
        }
        return;
    }
    let bucket = resource
        .body
        .and_then(|b| b.get("bucket"))
        .and_then(Node::as_str)
        .map_or_else(String::new, |name| format!(" on bucket `{name}`"));
    for (node, what) in found {
        out.fail(node.span, format!("`{}` {what}{bucket}", resource.address));
    }
    if unknown {
        out.unknown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    #[test]
    fn joins_grants_and_acls_to_the_bucket() {
        let text = r#"
resource "google_storage_bucket" "site" {
  name     = "acme-site"
  location = "EU"
}

resource "google_storage_bucket_iam_binding" "site" {
  bucket  = google_storage_bucket.site.name
  role    = "roles/storage.objectViewer"
  members = ["allUsers", "group:web@acme.example"]
}

resource "google_storage_bucket" "legacy" {
  name                        = "acme-legacy"
  location                    = "EU"
  uniform_bucket_level_access = true
}

resource "google_storage_bucket_acl" "legacy" {
  bucket         = "acme-legacy"
  predefined_acl = "publicRead"
}

resource "google_storage_bucket" "locked" {
  name                     = "acme-locked"
  location                 = "EU"
  public_access_prevention = "enforced"
}

resource "google_storage_bucket_iam_member" "locked" {
  bucket = google_storage_bucket.locked.name
  role   = "roles/storage.objectViewer"
  member = "allAuthenticatedUsers"
}

resource "google_storage_bucket_access_control" "elsewhere" {
  bucket = "someone-elses-bucket"
  role   = "READER"
  entity = "allUsers"
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(found.result("google_storage_bucket.site"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_storage_bucket_iam_binding.site"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_storage_bucket.legacy"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_storage_bucket.locked"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_storage_bucket_iam_member.locked"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_storage_bucket_access_control.elsewhere"), Some(CheckResult::Fail));
        assert_eq!(found.lines(), [(2, Severity::Critical), (13, Severity::Medium), (39, Severity::Critical)]);
        let messages: Vec<&str> = found.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "bucket `google_storage_bucket.site` is public: `google_storage_bucket_iam_binding.site` grants `roles/storage.objectViewer` to `allUsers`",
                "bucket `google_storage_bucket.legacy` has a public ACL: `google_storage_bucket_acl.legacy` sets the predefined ACL `publicRead`; uniform bucket-level access disables ACLs, so it has no effect, but the intent is public",
                "`google_storage_bucket_access_control.elsewhere` sets the ACL entry `READER` for `allUsers` on bucket `someone-elses-bucket`",
            ]
        );
    }

    #[test]
    fn unknowns() {
        let text = r#"
resource "google_storage_bucket" "a" {
  name                     = "acme-a"
  location                 = "EU"
  public_access_prevention = var.prevention
}

resource "google_storage_bucket_iam_member" "a" {
  bucket = google_storage_bucket.a.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_storage_bucket" "b" {
  name     = "acme-b"
  location = "EU"
}

resource "google_storage_bucket_iam_member" "b" {
  bucket = google_storage_bucket.b.name
  role   = "roles/storage.objectViewer"
  member = var.reader
}

resource "google_storage_default_object_acl" "c" {
  bucket      = var.bucket
  role_entity = ["READER:allUsers"]
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(found.result("google_storage_bucket.a"), Some(CheckResult::Unknown));
        assert_eq!(found.result("google_storage_bucket.b"), Some(CheckResult::Unknown));
        assert_eq!(found.result("google_storage_bucket_iam_member.b"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_storage_default_object_acl.c"), Some(CheckResult::Unknown));
        // The ACL's bucket might be any of them.
        assert_eq!(found.result("google_storage_bucket.b"), Some(CheckResult::Unknown));
        // Prevention not known, but nothing to prevent.
        let alone = "resource \"google_storage_bucket\" \"d\" {\n  name = \"acme-d\"\n  public_access_prevention = var.prevention\n}\n";
        assert_eq!(run(meta, check, &[("main.tf", alone)]).result("google_storage_bucket.d"), Some(CheckResult::Pass));
        assert!(found.findings.is_empty(), "{:?}", found.findings);
    }
}
