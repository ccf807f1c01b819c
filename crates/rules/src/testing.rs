//! Running one native rule over a set of files in unit tests, the way the linter runs it:
//! the files are one unit, so relations between them are seen.

use trustlint_engine::Severity;
use trustlint_engine::lint::Linter;
use trustlint_engine::rule::{CheckResult, Rule};

use crate::native::{CheckFn, Meta, NativeRule};

/// One finding, reduced to what tests compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub file: String,
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

/// What the rule found on the files, and its verdict on each resource it judged.
pub(crate) struct Run {
    pub findings: Vec<Found>,
    pub results: Vec<(String, CheckResult)>,
}

impl Run {
    /// The verdict on one resource.
    pub fn result(&self, address: &str) -> Option<CheckResult> {
        self.results.iter().find(|(a, _)| a == address).map(|(_, r)| *r)
    }

    /// (line, severity) of every finding, in order.
    pub fn lines(&self) -> Vec<(usize, Severity)> {
        self.findings.iter().map(|f| (f.line, f.severity)).collect()
    }
}

/// Lint `files` (path, text) with the native rule `meta`/`check` only.
pub(crate) fn run(meta: fn() -> Meta, check: CheckFn, files: &[(&str, &str)]) -> Run {
    let rule: Box<dyn Rule> = Box::new(NativeRule::new(meta(), check, ""));
    let linter = Linter::new(vec![rule], false);
    let reports = linter
        .lint_unit(files.iter().map(|(path, text)| (path.to_string(), text.as_bytes().to_vec())).collect());
    let mut findings = Vec::new();
    let mut results = Vec::new();
    for report in reports {
        findings.extend(report.findings.iter().map(|f| Found {
            file: f.file.clone(),
            line: f.start.line,
            severity: f.severity,
            message: f.message.clone(),
        }));
        results.extend(report.evaluations.iter().map(|e| (e.resource.clone(), e.result)));
    }
    findings.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Run { findings, results }
}
