//! ## What it checks
//! BigQuery datasets and tables shared with everyone: `allUsers` (anyone on the internet) or
//! `allAuthenticatedUsers` (anyone with a Google account) granted any role, through
//! - an `access` block of `google_bigquery_dataset`, or a `google_bigquery_dataset_access`
//!   resource, with `special_group = "allAuthenticatedUsers"` or a public `iam_member`;
//! - a `google_bigquery_dataset_iam_member`, `_iam_binding` or `_iam_policy` (`policy_data`
//!   from a `data.google_iam_policy`, `jsonencode(...)` or a JSON string);
//! - a `google_bigquery_table_iam_member`, `_iam_binding` or `_iam_policy` on a table.
//!
//! Separate resources are joined to the dataset through `dataset_id`, and to the table
//! through `table_id` and `dataset_id` (a reference or the literal ids); the finding is on the
//! dataset or the table. A grant whose dataset or table is not declared in the same module is
//! judged on its own, at the public member. A value not known statically makes the result
//! unknown.
//!
//! A native rule: `policy_data` must be read from the `data.google_iam_policy` it names, and
//! the policy language's references cannot tell one data source from another.
//!
//! ## Why it matters (P6.1, CC6.1, C1.1)
//! A public dataset lets anyone query every table in it, and bills the queries to whoever
//! runs them, so nothing in the project's billing reveals the reads. Analytics datasets
//! routinely hold customer records: publishing them is a disclosure of personal information
//! to third parties without authorisation (P6.1), a failure of logical access control (CC6.1)
//! and of confidentiality (C1.1).
//!
//! ## Failing example
//! ```hcl
//! resource "google_bigquery_dataset" "analytics" {
//!   dataset_id = "analytics"
//!   location   = "EU"
//!
//!   access {
//!     role          = "READER"
//!     special_group = "allAuthenticatedUsers"
//!   }
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "google_bigquery_dataset" "analytics" {
//!   dataset_id = "analytics"
//!   location   = "EU"
//!
//!   access {
//!     role           = "READER"
//!     group_by_email = "analysts@acme.example"
//!   }
//! }
//! ```
//!
//! ## Fix
//! Remove the public member and grant named groups or service accounts. To publish
//! deliberately open data, use a dedicated project and dataset that holds nothing else, or
//! share through Analytics Hub with subscribers you approve.

use trustlint_engine::policy::condition::Truth;

use crate::gcp_iam::{is_public_member, public_grants};
use crate::link::{self, and, or, same_value};
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-GCP-005",
        name: "bigquery-dataset-public",
        title: "BigQuery dataset or table is shared with allUsers or allAuthenticatedUsers",
        severity: Severity::Critical,
        criteria: &["P6.1", "CC6.1", "C1.1"],
        help: "Remove the `allUsers`/`allAuthenticatedUsers` access entry or IAM member and grant named \
               groups or service accounts instead.",
        checkov: &["CKV_GCP_15", "CKV_GCP_100"],
        kics: &["e576ce44-dd03-4022-a8c0-3906acca2ab4"],
        trivy: &["AVD-GCP-0046"],
        other: &[],
        bindings: &[(
            Target::Terraform,
            &[
                DATASET,
                DATASET_ACCESS,
                DATASET_IAM[0],
                DATASET_IAM[1],
                DATASET_IAM[2],
                TABLE,
                TABLE_IAM[0],
                TABLE_IAM[1],
                TABLE_IAM[2],
            ],
        )],
    }
}

const DATASET: &str = "google_bigquery_dataset";
const DATASET_ACCESS: &str = "google_bigquery_dataset_access";
const DATASET_IAM: [&str; 3] =
    ["google_bigquery_dataset_iam_member", "google_bigquery_dataset_iam_binding", "google_bigquery_dataset_iam_policy"];
const TABLE: &str = "google_bigquery_table";
const TABLE_IAM: [&str; 3] =
    ["google_bigquery_table_iam_member", "google_bigquery_table_iam_binding", "google_bigquery_table_iam_policy"];

/// The public entries of dataset access blocks (an `access` block, or the body of a
/// `google_bigquery_dataset_access`): each node with a description, and whether some entry
/// is unknown.
fn public_access(entries: &[Node]) -> (Vec<(&Node, String)>, bool) {
    let mut found = Vec::new();
    let mut unknown = false;
    for entry in entries {
        if entry.is_unknown() {
            unknown = true;
            continue;
        }
        let role = entry.get("role").and_then(Node::as_str).unwrap_or("access");
        for key in ["special_group", "iam_member"] {
            match entry.get(key) {
                Some(node) if node.is_unknown() => unknown = true,
                Some(node) => {
                    if let Some(member) = node.as_str().filter(|m| is_public_member(m)) {
                        found.push((node, format!("`{role}` to `{}`", member.trim())));
                    }
                }
                None => {}
            }
        }
    }
    (found, unknown)
}

/// The public grants of a separate access or IAM resource: (node, description) and unknown.
fn grants_of<'a>(resource: &Resource<'a>, file: &FileContext<'a>) -> (Vec<(&'a Node, String)>, bool) {
    if resource.kind == DATASET_ACCESS {
        return public_access(resource.body.map(std::slice::from_ref).unwrap_or_default());
    }
    let grants = public_grants(resource, file.scope);
    (grants.found.iter().map(|g| (g.node, g.describe())).collect(), grants.unknown)
}

/// Whether a table IAM resource refers to `table`: its `table_id` names the table and its
/// `dataset_id` the same dataset.
fn table_link(iam: &Resource<'_>, table: &Resource<'_>) -> Truth {
    let (Some(body), Some(own)) = (iam.body, table.body) else { return Truth::False };
    let Some(table_id) = body.get("table_id") else { return Truth::False };
    let dataset = match body.get("dataset_id") {
        Some(dataset) => or(link::refers(dataset, table, &["dataset_id"]), same_value(Some(dataset), own.get("dataset_id"))),
        None => Truth::Unknown,
    };
    and(link::refers(table_id, table, &["table_id"]), dataset)
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let kind = resource.kind.as_str();
    let mut unknown = false;
    // The separate resources that refer to this dataset or table, with how sure the link is.
    let linked: Vec<(&Resource<'_>, Truth)> = if kind == DATASET {
        let (own, own_unknown) = match body.get("access") {
            Some(list) if list.is_unknown() => (Vec::new(), true),
            Some(list) => public_access(list.items()),
            None => (Vec::new(), false),
        };
        unknown |= own_unknown;
        for (node, what) in own {
            out.fail(node.span, format!("dataset `{}` grants {what}", resource.address));
        }
        let mut kinds = vec![DATASET_ACCESS];
        kinds.extend(DATASET_IAM);
        link::referrers(resource, file.scope, &kinds, "dataset_id", &["dataset_id"])
    } else if kind == TABLE {
        TABLE_IAM
            .iter()
            .flat_map(|k| file.scope.of_kind(resource.target, k))
            .map(|iam| (iam, table_link(iam, resource)))
            .filter(|(_, link)| *link != Truth::False)
            .collect()
    } else {
        return check_orphan(resource, file, out);
    };
    let noun = if kind == DATASET { "dataset" } else { "table" };
    for (other, link) in linked {
        let (found, other_unknown) = grants_of(other, file);
        unknown |= other_unknown;
        if link != Truth::True {
            unknown |= !found.is_empty();
            continue;
        }
        for (_, what) in found {
            out.fail(resource.span, format!("{noun} `{}` is public: `{}` grants {what}", resource.address, other.address));
        }
    }
    if unknown {
        out.unknown();
    }
}

/// A grant whose dataset or table is not declared in this module: judged on its own.
fn check_orphan(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let declared = if TABLE_IAM.contains(&resource.kind.as_str()) {
        file.scope.of_kind(resource.target, TABLE).fold(Truth::False, |acc, table| or(acc, table_link(resource, table)))
    } else {
        link::refers_to_any(resource, file.scope, &[DATASET], "dataset_id", &["dataset_id"])
    };
    if declared == Truth::True {
        return;
    }
    let (found, unknown) = grants_of(resource, file);
    if declared == Truth::Unknown {
        if unknown || !found.is_empty() {
            out.unknown();
        }
        return;
    }
    for (node, what) in found {
        out.fail(node.span, format!("`{}` grants {what}", resource.address));
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
    fn access_blocks_access_resources_and_iam() {
        let text = r#"
resource "google_bigquery_dataset" "open" {
  dataset_id = "open"
  access {
    role          = "OWNER"
    user_by_email = "owner@acme.example"
  }
  access {
    role          = "READER"
    special_group = "allAuthenticatedUsers"
  }
}

resource "google_bigquery_dataset" "shared" {
  dataset_id = "shared"
}

resource "google_bigquery_dataset_access" "shared" {
  dataset_id = google_bigquery_dataset.shared.dataset_id
  role       = "READER"
  iam_member = "allUsers"
}

resource "google_bigquery_dataset" "private" {
  dataset_id = "private"
}

resource "google_bigquery_dataset_iam_member" "private" {
  dataset_id = google_bigquery_dataset.private.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = "group:analysts@acme.example"
}

resource "google_bigquery_table" "events" {
  dataset_id = google_bigquery_dataset.private.dataset_id
  table_id   = "events"
}

resource "google_bigquery_table" "other_events" {
  dataset_id = "elsewhere"
  table_id   = "events"
}

resource "google_bigquery_table_iam_binding" "events" {
  dataset_id = google_bigquery_table.events.dataset_id
  table_id   = google_bigquery_table.events.table_id
  role       = "roles/bigquery.dataViewer"
  members    = ["allUsers"]
}

resource "google_bigquery_dataset_iam_member" "orphan" {
  dataset_id = "declared-elsewhere"
  role       = "roles/bigquery.dataViewer"
  member     = "allAuthenticatedUsers"
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(found.result("google_bigquery_dataset.open"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_bigquery_dataset.shared"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_bigquery_dataset_access.shared"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_bigquery_dataset.private"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_bigquery_table.events"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_bigquery_table.other_events"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_bigquery_table_iam_binding.events"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_bigquery_dataset_iam_member.orphan"), Some(CheckResult::Fail));
        let messages: Vec<(usize, &str)> = found.findings.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(
            messages,
            [
                (10, "dataset `google_bigquery_dataset.open` grants `READER` to `allAuthenticatedUsers`"),
                (14, "dataset `google_bigquery_dataset.shared` is public: `google_bigquery_dataset_access.shared` grants `READER` to `allUsers`"),
                (34, "table `google_bigquery_table.events` is public: `google_bigquery_table_iam_binding.events` grants `roles/bigquery.dataViewer` to `allUsers`"),
                (54, "`google_bigquery_dataset_iam_member.orphan` grants `roles/bigquery.dataViewer` to `allAuthenticatedUsers`"),
            ]
        );
    }

    #[test]
    fn unknowns() {
        let text = r#"
resource "google_bigquery_dataset" "a" {
  dataset_id = "a"
  dynamic "access" {
    for_each = var.readers
    content {
      role          = "READER"
      special_group = access.value
    }
  }
}

resource "google_bigquery_dataset_iam_member" "b" {
  dataset_id = var.dataset
  role       = "roles/bigquery.dataViewer"
  member     = "allUsers"
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(found.result("google_bigquery_dataset.a"), Some(CheckResult::Unknown));
        assert_eq!(found.result("google_bigquery_dataset_iam_member.b"), Some(CheckResult::Unknown));
        assert!(found.findings.is_empty());
    }
}
