//! JUnit XML for CI test reports: one test suite per rule, one test case per resource the rule
//! evaluated; failing resources are failures, unknown ones are skipped with the reason.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};
use trustlint_engine::rule::CheckResult;

use super::Report;

/// Render the XML document.
pub fn render(report: &Report<'_>) -> String {
    let mut junit = JunitReport::new("trustlint");
    let mut suites: BTreeMap<&str, Vec<&super::EvaluationRecord>> = BTreeMap::new();
    for record in report.evaluations {
        suites.entry(record.rule.as_str()).or_default().push(record);
    }
    for (rule, records) in suites {
        let mut suite = TestSuite::new(rule);
        for record in records {
            let findings: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.rule == rule && f.file == record.file && f.suppressed.is_none())
                .filter(|f| f.resource.as_deref().is_none_or(|r| r == record.resource))
                .collect();
            let status = match record.result {
                CheckResult::Fail if !findings.is_empty() => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let description = findings
                        .iter()
                        .map(|f| {
                            format!(
                                "{}:{}:{}: [{}] {}",
                                f.file, f.start.line, f.start.column, f.severity, f.message
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n");
                    if let Some(first) = findings.first() {
                        status.set_message(first.message.clone());
                    }
                    status.set_type(rule);
                    status.set_description(description);
                    status
                }
                CheckResult::Unknown => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(
                        "not decidable from the configuration (a value is not known statically)",
                    );
                    status
                }
                // Failures that were all suppressed pass the build; they are reported as passes.
                _ => TestCaseStatus::success(),
            };
            let mut case = TestCase::new(record.resource.clone(), status);
            case.set_classname(record.file.clone());
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    let mut text = junit.to_string().unwrap_or_default();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
