//! Renderers: one file per output format, each reading the same [`Report`].

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::collections::BTreeMap;
use std::io::{self, Write};

use trustlint_engine::lint::Note;
use trustlint_engine::rule::RuleMeta;
use trustlint_engine::{Finding, Severity, SourceFile};

use crate::args::Format;

/// Render a report in one format (`colour` only matters for `human`).
pub fn render(format: Format, report: &Report<'_>, colour: bool) -> String {
    match format {
        Format::Human => human::render(report, colour),
        Format::Concise => concise::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// Everything a renderer may show about one run.
pub struct Report<'a> {
    /// Findings, sorted by file, line, column and rule; suppressed ones included.
    pub findings: &'a [Finding],
    /// Metadata of every rule that ran, by id.
    pub rules: &'a BTreeMap<String, RuleMeta>,
    /// The files with findings, by shown path, for source excerpts.
    pub sources: &'a BTreeMap<String, &'a SourceFile>,
    /// Files skipped, and why.
    pub notes: &'a [Note],
    /// Every rule evaluation: the population behind the findings.
    pub evaluations: &'a [EvaluationRecord],
    /// Counts.
    pub summary: Summary,
}

/// One rule's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EvaluationRecord {
    /// Rule id.
    pub rule: String,
    /// File of the resource.
    pub file: String,
    /// Resource address.
    pub resource: String,
    /// The verdict.
    pub result: trustlint_engine::rule::CheckResult,
}

/// Counts for the summary line and the JSON summary.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    /// Files linted.
    pub files: usize,
    /// Resources modelled.
    pub resources: usize,
    /// Findings not suppressed.
    pub findings: usize,
    /// Findings suppressed.
    pub suppressed: usize,
    /// Unsuppressed findings by severity.
    pub by_severity: BySeverity,
    /// Wall time of the run, in milliseconds (not part of the JSON, which must be
    /// reproducible).
    #[serde(skip)]
    pub elapsed_ms: u128,
}

/// Counts by severity, in the JSON contract's order.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BySeverity {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
}

impl BySeverity {
    /// Count one finding.
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
        }
    }
}

/// Write a rendered report, treating a closed pipe as a normal end.
pub fn write_all(out: &mut dyn Write, text: &[u8]) -> io::Result<()> {
    out.write_all(text)?;
    out.flush()
}
