//! A summary fit for a pull-request comment or `$GITHUB_STEP_SUMMARY`: counts by severity, by
//! rule, and the first findings with their locations.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Report;

/// Findings listed in full before the table is cut (the comment must stay readable).
const LISTED: usize = 100;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Render the markdown summary.
pub fn render(report: &Report<'_>) -> String {
    let s = &report.summary;
    let mut out = String::from("## trustlint\n\n");
    if s.findings == 0 {
        let _ = writeln!(out, "No findings in {} files ({} resources).", s.files, s.resources);
    } else {
        let _ =
            writeln!(out, "**{} findings** in {} files ({} resources).\n", s.findings, s.files, s.resources);
        out.push_str("| Critical | High | Medium | Low | Suppressed |\n|---:|---:|---:|---:|---:|\n");
        let b = &s.by_severity;
        let _ =
            writeln!(out, "| {} | {} | {} | {} | {} |", b.critical, b.high, b.medium, b.low, s.suppressed);
    }
    let open: Vec<_> = report.findings.iter().filter(|f| f.suppressed.is_none()).collect();
    if !open.is_empty() {
        let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &open {
            *by_rule.entry(f.rule.as_str()).or_default() += 1;
        }
        out.push_str("\n| Rule | Title | Criteria | Findings |\n|---|---|---|---:|\n");
        for (rule, count) in by_rule {
            let meta = report.rules.get(rule);
            let _ = writeln!(
                out,
                "| `{rule}` | {} | {} | {count} |",
                cell(meta.map_or("", |m| m.title.as_str())),
                meta.map(|m| m.criteria.join(", ")).unwrap_or_default()
            );
        }
        out.push_str("\n| Severity | Location | Rule | Message |\n|---|---|---|---|\n");
        for f in open.iter().take(LISTED) {
            let _ = writeln!(
                out,
                "| {} | `{}:{}:{}` | `{}` | {} |",
                f.severity,
                f.file,
                f.start.line,
                f.start.column,
                f.rule,
                cell(&f.message)
            );
        }
        if open.len() > LISTED {
            let _ = writeln!(out, "\n…and {} more: see the full report.", open.len() - LISTED);
        }
    }
    out
}
