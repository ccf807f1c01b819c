//! The canonical machine format, `schema_version` 1 (see DESIGN.md §6).

use serde::Serialize;
use trustlint_engine::finding::Suppression;

use super::{Report, Summary};

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    summary: &'a Summary,
    findings: Vec<JsonFinding<'a>>,
    /// An addition to the contract of DESIGN.md §6 (readers that do not know it ignore it):
    /// files skipped or only partly evaluated, and why.
    notes: Vec<JsonNote<'a>>,
}

#[derive(Serialize)]
struct JsonNote<'a> {
    file: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'static str,
    criteria: &'a [String],
    message: &'a str,
    help: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    resource: Option<&'a str>,
    fingerprint: String,
    suppressed: Option<&'a Suppression>,
}

/// Render the JSON document (pretty-printed, newline-terminated).
pub fn render(report: &Report<'_>) -> String {
    let empty: &[String] = &[];
    let findings = report
        .findings
        .iter()
        .map(|f| {
            let meta = report.rules.get(&f.rule);
            JsonFinding {
                rule: &f.rule,
                name: meta.map_or("", |m| m.name.as_str()),
                severity: f.severity.as_str(),
                criteria: meta.map_or(empty, |m| m.criteria.as_slice()),
                message: &f.message,
                help: meta.map_or("", |m| m.help.as_str()),
                file: &f.file,
                line: f.start.line,
                column: f.start.column,
                end_line: f.end.line,
                end_column: f.end.column,
                resource: f.resource.as_deref(),
                fingerprint: f.fingerprint(),
                suppressed: f.suppressed.as_ref(),
            }
        })
        .collect();
    let document = Document {
        schema_version: 1,
        tool: Tool { name: "trustlint", version: env!("CARGO_PKG_VERSION") },
        summary: &report.summary,
        findings,
        notes: report.notes.iter().map(|n| JsonNote { file: &n.file, reason: &n.reason }).collect(),
    };
    let mut text =
        serde_json::to_string_pretty(&document).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
