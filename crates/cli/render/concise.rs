//! `path:line:col: RULE-ID [severity] message`, one finding per line, for grep and editors.

use std::fmt::Write as _;

use super::Report;

/// Render the concise format.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for finding in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            finding.file,
            finding.start.line,
            finding.start.column,
            finding.rule,
            finding.severity,
            finding.message
        );
    }
    out
}
