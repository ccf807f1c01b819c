//! Verdicts the fixture suite cannot see: it checks findings, but a resource that is not
//! reported may have passed or be unknown. These tests pin which one, for the cases where the
//! difference is the point (computed tags, references to customer-managed keys, account-level
//! defaults, provider versions).

#![allow(clippy::panic)] // test code: a panic is a test failure

use std::collections::BTreeSet;
use std::path::Path;

use trustlint_engine::lint::Linter;
use trustlint_engine::rule::CheckResult;

/// Lint one fixture directory as one unit with one rule, and return the verdict on each
/// resource the rule judged.
fn verdicts(rule: &str, dir: &str) -> Vec<(String, CheckResult)> {
    let rules: Vec<_> = trustlint_rules::builtin().into_iter().filter(|r| r.meta().id == rule).collect();
    assert_eq!(rules.len(), 1, "{rule} is a built-in rule");
    let linter = Linter::new(rules, false);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&root).expect("fixture directory") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        files.push((name, std::fs::read(&path).expect("readable")));
    }
    files.sort();
    let mut out: Vec<(String, CheckResult)> = linter
        .lint_unit(files)
        .into_iter()
        .flat_map(|report| report.evaluations)
        .map(|e| (e.resource, e.result))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn verdict(rule: &str, dir: &str, resource: &str) -> CheckResult {
    verdicts(rule, dir)
        .into_iter()
        .find(|(address, _)| address == resource)
        .map(|(_, result)| result)
        .unwrap_or_else(|| panic!("{rule} did not judge {resource} in {dir}"))
}

#[test]
fn computed_tags_leave_the_classification_unknown() {
    let dir = "fixtures/TL-AWS-026/terraform/pass";
    assert_eq!(verdict("TL-AWS-026", dir, "aws_db_instance.ledger"), CheckResult::Unknown);
    assert_eq!(verdict("TL-AWS-026", dir, "aws_sqs_queue.order_events"), CheckResult::Unknown);
    assert_eq!(verdict("TL-AWS-026", dir, "aws_s3_bucket.site"), CheckResult::Pass);
}

#[test]
fn provider_default_tags_classify_every_store() {
    let found = verdicts("TL-AWS-026", "fixtures/TL-AWS-026/terraform/pass-default-tags");
    assert_eq!(found.len(), 3);
    assert!(found.iter().all(|(_, result)| *result == CheckResult::Pass), "{found:?}");
}

#[test]
fn a_reference_to_a_customer_managed_key_passes() {
    assert_eq!(
        verdict("TL-AWS-031", "fixtures/TL-AWS-031/terraform/pass", "aws_sqs_queue.settlements"),
        CheckResult::Pass
    );
    assert_eq!(
        verdict("TL-AWS-031", "fixtures/TL-AWS-031/cloudformation/pass", "SettlementQueue"),
        CheckResult::Pass
    );
    assert_eq!(
        verdict("TL-AWS-032", "fixtures/TL-AWS-032/terraform/pass", "aws_sns_topic.customer_updates"),
        CheckResult::Pass
    );
    assert_eq!(
        verdict("TL-AWS-033", "fixtures/TL-AWS-033/terraform/pass", "aws_dynamodb_table.patients"),
        CheckResult::Pass
    );
    assert_eq!(
        verdict("TL-AWS-033", "fixtures/TL-AWS-033/cloudformation/pass", "PatientsTable"),
        CheckResult::Pass
    );
    // A key given as a template parameter could be anything: unknown.
    assert_eq!(
        verdict("TL-AWS-032", "fixtures/TL-AWS-032/cloudformation/pass", "CustomerUpdates"),
        CheckResult::Unknown
    );
}

#[test]
fn sqs_queue_without_sse_attributes_passes() {
    assert_eq!(
        verdict("TL-AWS-031", "fixtures/TL-AWS-031/terraform/pass", "aws_sqs_queue.metrics"),
        CheckResult::Pass
    );
    assert_eq!(
        verdict("TL-AWS-031", "fixtures/TL-AWS-031/cloudformation/pass", "MetricsQueue"),
        CheckResult::Pass
    );
}

#[test]
fn the_account_level_ebs_default_covers_every_volume() {
    let found = verdicts("TL-AWS-028", "fixtures/TL-AWS-028/terraform/pass-account-default");
    assert_eq!(found.len(), 3);
    assert!(found.iter().all(|(_, result)| *result == CheckResult::Pass), "{found:?}");
    assert_eq!(
        verdict("TL-AWS-028", "fixtures/TL-AWS-028/terraform/pass", "aws_ebs_volume.maybe"),
        CheckResult::Unknown
    );
}

#[test]
fn redshift_encryption_default_follows_the_pinned_provider() {
    assert_eq!(
        verdict("TL-AWS-036", "fixtures/TL-AWS-036/terraform/pass", "aws_redshift_cluster.scratch"),
        CheckResult::Pass
    );
    assert_eq!(
        verdict("TL-AWS-036", "fixtures/TL-AWS-036/terraform/fail-unpinned", "aws_redshift_cluster.scratch"),
        CheckResult::Fail
    );
}

/// The rules of this pack whose passing fixtures are checked below.
const RULES: [&str; 13] = [
    "TL-AWS-026",
    "TL-AWS-028",
    "TL-AWS-030",
    "TL-AWS-031",
    "TL-AWS-032",
    "TL-AWS-033",
    "TL-AWS-034",
    "TL-AWS-035",
    "TL-AWS-036",
    "TL-AWS-037",
    "TL-AWS-038",
    "TL-AWS-039",
    "TL-AWS-040",
];

/// Resources of passing fixtures that are deliberately unknown (a value only the module
/// evaluation, or nobody, can know statically).
const EXPECTED_UNKNOWN: [(&str, &str); 6] = [
    ("fixtures/TL-AWS-026/cloudformation/pass", "InvoiceBucket"),
    ("fixtures/TL-AWS-026/terraform/pass", "aws_db_instance.ledger"),
    ("fixtures/TL-AWS-026/terraform/pass", "aws_sqs_queue.order_events"),
    ("fixtures/TL-AWS-028/cloudformation/pass", "ScratchVolume"),
    ("fixtures/TL-AWS-028/terraform/pass", "aws_ebs_volume.maybe"),
    ("fixtures/TL-AWS-032/cloudformation/pass", "CustomerUpdates"),
];

#[test]
fn passing_fixtures_pass_rather_than_go_unknown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut not_passing = BTreeSet::new();
    for rule in RULES {
        let rule_dir = root.join("fixtures").join(rule);
        for binding in std::fs::read_dir(&rule_dir).expect("rule fixtures").map(|e| e.expect("entry").path())
        {
            for case in
                std::fs::read_dir(&binding).expect("binding fixtures").map(|e| e.expect("entry").path())
            {
                let name = case.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                if !name.starts_with("pass") {
                    continue;
                }
                let dir =
                    case.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
                let found = verdicts(rule, &dir);
                assert!(!found.is_empty(), "{rule} judged nothing in {dir}");
                for (resource, result) in found {
                    if result != CheckResult::Pass {
                        not_passing.insert((dir.clone(), resource, format!("{result:?}")));
                    }
                }
            }
        }
    }
    let expected: BTreeSet<_> = EXPECTED_UNKNOWN
        .iter()
        .map(|(dir, resource)| (dir.to_string(), resource.to_string(), format!("{:?}", CheckResult::Unknown)))
        .collect();
    assert_eq!(not_passing, expected);
}
