//! Verdicts and severities of the GCP and Azure rules that the fixture suite cannot see: it
//! checks where findings point, but not their graded severity, nor whether a resource that
//! is not reported passed or is unknown.

#![allow(clippy::panic)] // test code: a panic is a test failure

use std::path::Path;

use trustlint_engine::Severity;
use trustlint_engine::lint::Linter;
use trustlint_engine::rule::CheckResult;

/// What one rule made of a unit: the verdict on each resource it judged, and the severity of
/// each finding with the resource it is on.
struct Outcome {
    verdicts: Vec<(String, CheckResult)>,
    findings: Vec<(String, Severity)>,
}

impl Outcome {
    fn verdict(&self, resource: &str) -> CheckResult {
        self.verdicts
            .iter()
            .find(|(address, _)| address == resource)
            .map(|(_, result)| *result)
            .unwrap_or_else(|| panic!("{resource} was not judged: {:?}", self.verdicts))
    }

    fn severities(&self, resource: &str) -> Vec<Severity> {
        self.findings.iter().filter(|(r, _)| r == resource).map(|(_, s)| *s).collect()
    }

    fn all_pass(&self) -> bool {
        !self.verdicts.is_empty() && self.verdicts.iter().all(|(_, r)| *r == CheckResult::Pass)
    }
}

fn lint(rule: &str, files: Vec<(String, Vec<u8>)>) -> Outcome {
    let rules: Vec<_> = trustlint_rules::builtin().into_iter().filter(|r| r.meta().id == rule).collect();
    assert_eq!(rules.len(), 1, "{rule} is a built-in rule");
    let linter = Linter::new(rules, false);
    let mut verdicts = Vec::new();
    let mut findings = Vec::new();
    for report in linter.lint_unit(files) {
        verdicts.extend(report.evaluations.iter().map(|e| (e.resource.clone(), e.result)));
        findings.extend(report.findings.iter().map(|f| (f.resource.clone().unwrap_or_default(), f.severity)));
    }
    Outcome { verdicts, findings }
}

/// Lint one fixture directory as one unit with one rule.
fn fixture(rule: &str, dir: &str) -> Outcome {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(rule).join(dir);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&root).expect("fixture directory") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        files.push((name, std::fs::read(&path).expect("readable")));
    }
    files.sort();
    lint(rule, files)
}

/// Lint one `main.tf` with one rule.
fn module(rule: &str, text: &str) -> Outcome {
    lint(rule, vec![("main.tf".to_string(), text.as_bytes().to_vec())])
}

#[test]
fn passing_fixtures_pass_rather_than_stay_unknown() {
    for (rule, dir) in [
        ("TL-GCP-001", "terraform/pass"),
        ("TL-GCP-002", "terraform/pass"),
        ("TL-GCP-003", "terraform/pass"),
        ("TL-GCP-004", "terraform/pass"),
        ("TL-GCP-005", "terraform/pass"),
        ("TL-GCP-006", "terraform/pass"),
        ("TL-GCP-006", "terraform/pass-default-labels"),
        ("TL-AZURE-001", "terraform/pass"),
        ("TL-AZURE-002", "terraform/pass"),
        ("TL-AZURE-003", "terraform/pass"),
        ("TL-AZURE-004", "terraform/pass"),
        ("TL-AZURE-005", "terraform/pass"),
    ] {
        let outcome = fixture(rule, dir);
        assert!(outcome.all_pass(), "{rule} {dir}: {:?}", outcome.verdicts);
    }
}

#[test]
fn public_blob_access_is_graded_by_the_account() {
    let fail = fixture("TL-AZURE-002", "terraform/fail");
    assert_eq!(fail.severities("azurerm_storage_account.docs"), [Severity::Medium]);
    assert_eq!(fail.severities("azurerm_storage_container.contracts"), [Severity::Critical]);
    assert_eq!(fail.severities("azurerm_storage_account.media"), [Severity::Medium]);
    assert_eq!(fail.severities("azurerm_storage_container.uploads"), [Severity::Critical]);
    assert_eq!(fail.verdict("azurerm_storage_account.locked"), CheckResult::Pass);
    assert_eq!(fail.severities("azurerm_storage_container.exports"), [Severity::High]);
    assert_eq!(fail.severities("azurerm_storage_account.legacy"), [Severity::Medium]);
    let orphan = fixture("TL-AZURE-002", "terraform/fail-orphan");
    assert_eq!(orphan.severities("azurerm_storage_container.press_kit"), [Severity::High]);
    assert_eq!(orphan.verdict("azurerm_storage_container.internal"), CheckResult::Pass);
}

#[test]
fn sub_findings_are_low() {
    let backups = fixture("TL-GCP-003", "terraform/fail");
    assert_eq!(backups.severities("google_sql_database_instance.orders"), [Severity::Medium]);
    assert_eq!(backups.severities("google_sql_database_instance.inventory"), [Severity::Medium]);
    assert_eq!(backups.severities("google_sql_database_instance.sessions"), [Severity::Low]);
    assert_eq!(backups.severities("google_sql_database_instance.catalog"), [Severity::Low]);
    let soft_delete = fixture("TL-AZURE-003", "terraform/fail");
    assert_eq!(soft_delete.severities("azurerm_storage_account.records"), [Severity::Medium]);
    assert_eq!(soft_delete.severities("azurerm_storage_account.logs"), [Severity::Low]);
    let mut scratch = soft_delete.severities("azurerm_storage_account.scratch");
    scratch.sort();
    assert_eq!(scratch, [Severity::Low, Severity::Medium]);
}

#[test]
fn acls_disabled_by_uniform_access_are_medium() {
    let fail = fixture("TL-GCP-002", "terraform/fail");
    assert_eq!(fail.severities("google_storage_bucket.uniform"), [Severity::Medium]);
    assert_eq!(
        fail.severities("google_storage_bucket.legacy_site"),
        [Severity::Critical, Severity::Critical]
    );
    assert_eq!(fail.verdict("google_storage_bucket_iam_member.downloads_public"), CheckResult::Pass);
}

#[test]
fn values_not_known_statically_are_unknown() {
    let tls = module(
        "TL-GCP-004",
        r#"
resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_16"
  settings {
    tier = "db-f1-micro"
    ip_configuration {
      ssl_mode = var.ssl_mode
    }
  }
}
"#,
    );
    assert_eq!(tls.verdict("google_sql_database_instance.db"), CheckResult::Unknown);

    let backups = module(
        "TL-GCP-003",
        r#"
resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = var.engine
  settings {
    tier = "db-f1-micro"
    backup_configuration {
      enabled = true
    }
  }
}
"#,
    );
    assert_eq!(backups.verdict("google_sql_database_instance.db"), CheckResult::Unknown);

    let lifecycle = module(
        "TL-GCP-006",
        r#"
resource "google_storage_bucket" "b" {
  name     = "b"
  location = "EU"
  labels   = var.labels
}
"#,
    );
    assert_eq!(lifecycle.verdict("google_storage_bucket.b"), CheckResult::Unknown);

    let container = module(
        "TL-AZURE-002",
        r#"
resource "azurerm_storage_account" "a" {
  name                            = "acmea"
  resource_group_name             = "rg"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  allow_nested_items_to_be_public = false
}

resource "azurerm_storage_container" "c" {
  name                  = "c"
  storage_account_name  = var.account
  container_access_type = "blob"
}
"#,
    );
    assert_eq!(container.verdict("azurerm_storage_container.c"), CheckResult::Unknown);

    let policy = module(
        "TL-AZURE-005",
        r#"
resource "azurerm_storage_account" "a" {
  name                     = "acmea"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  tags                     = { data_classification = "pii" }
}

resource "azurerm_storage_management_policy" "a" {
  storage_account_id = azurerm_storage_account.a.id
  rule {
    name    = "retention"
    enabled = var.retention_enabled
    actions {
      base_blob {
        delete_after_days_since_modification_greater_than = 365
      }
    }
  }
}
"#,
    );
    assert_eq!(policy.verdict("azurerm_storage_account.a"), CheckResult::Unknown);
}

#[test]
fn lifecycle_rules_for_append_blobs_only_do_not_dispose_of_block_blobs() {
    let text = r#"
resource "azurerm_storage_account" "a" {
  name                     = "acmea"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  tags                     = { data_classification = "pii" }
}

resource "azurerm_storage_management_policy" "a" {
  storage_account_id = azurerm_storage_account.a.id
  rule {
    name    = "logs"
    enabled = true
    filters {
      blob_types = ["appendBlob"]
    }
    actions {
      base_blob {
        delete_after_days_since_modification_greater_than = 30
      }
    }
  }
}
"#;
    assert_eq!(module("TL-AZURE-005", text).verdict("azurerm_storage_account.a"), CheckResult::Fail);
    let block = text.replace("[\"appendBlob\"]", "[\"appendBlob\", \"blockBlob\"]");
    assert_eq!(module("TL-AZURE-005", &block).verdict("azurerm_storage_account.a"), CheckResult::Pass);
}
