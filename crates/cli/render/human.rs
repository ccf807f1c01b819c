//! Diagnostics for people: `severity[RULE-ID]: message`, the location, the source lines with
//! the span underlined, the fix and the criteria; then a one-line summary.

use std::fmt::{self, Write as _};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use trustlint_engine::{Finding, Severity, SourceFile, Span};

use super::Report;

/// Lines of context shown above and below a finding.
const CONTEXT_LINES: usize = 1;

/// Render every unsuppressed finding, the skipped-file notes and the summary.
pub fn render(report: &Report<'_>, colour: bool) -> String {
    let theme = if colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(CONTEXT_LINES).with_width(110);
    let mut out = String::new();
    for finding in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        let diagnostic = FindingDiagnostic::new(finding, report);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            // A rendering failure must not hide the finding: fall back to one line.
            let _ = writeln!(out, "{}", diagnostic.header);
        }
    }
    for note in report.notes {
        let _ = writeln!(out, "note: {}: {}", note.file, note.reason);
    }
    let s = &report.summary;
    let mut severities = Vec::new();
    for (count, name) in [
        (s.by_severity.critical, "critical"),
        (s.by_severity.high, "high"),
        (s.by_severity.medium, "medium"),
        (s.by_severity.low, "low"),
    ] {
        if count > 0 {
            severities.push(format!("{count} {name}"));
        }
    }
    let detail = if severities.is_empty() { String::new() } else { format!(" ({})", severities.join(", ")) };
    let _ = writeln!(
        out,
        "{} {}, {} {}: {} {}{}, {} suppressed, in {} ms",
        s.files,
        plural(s.files, "file", "files"),
        s.resources,
        plural(s.resources, "resource", "resources"),
        s.findings,
        plural(s.findings, "finding", "findings"),
        detail,
        s.suppressed,
        s.elapsed_ms
    );
    out
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// One finding as a miette diagnostic over a window of its file.
#[derive(Debug)]
struct FindingDiagnostic {
    header: String,
    help: String,
    severity: miette::Severity,
    span: SourceSpan,
    window: Option<Window>,
}

impl FindingDiagnostic {
    fn new(finding: &Finding, report: &Report<'_>) -> Self {
        let meta = report.rules.get(&finding.rule);
        let mut help = meta.map(|m| m.help.clone()).unwrap_or_default();
        if let Some(meta) = meta.filter(|m| !m.criteria.is_empty()) {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(&format!("criteria: {}", meta.criteria.join(", ")));
        }
        let window = report.sources.get(&finding.file).map(|source| Window::new(source, finding));
        FindingDiagnostic {
            header: format!("{}[{}]: {}", finding.severity, finding.rule, finding.message),
            help,
            severity: match finding.severity {
                Severity::Critical | Severity::High => miette::Severity::Error,
                Severity::Medium => miette::Severity::Warning,
                Severity::Low => miette::Severity::Advice,
            },
            span: SourceSpan::new(finding.span.start.into(), finding.span.len().max(1)),
            window,
        }
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.window.as_ref().map(|w| w as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.window.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(None, self.span))))
    }
}

/// The lines around a finding, secrets masked, so rendering never rescans the whole file
/// and never shows a secret.
#[derive(Debug)]
struct Window {
    name: String,
    text: String,
    base: usize,
    first_line: usize,
}

impl Window {
    fn new(source: &SourceFile, finding: &Finding) -> Self {
        let lines = &source.lines;
        let first = lines.line_of(finding.span.start).saturating_sub(CONTEXT_LINES);
        let last =
            (lines.line_of(finding.span.end) + CONTEXT_LINES).min(lines.line_count().saturating_sub(1));
        let start = lines.line_start(first).unwrap_or(0);
        let end = lines.line_start(last + 1).unwrap_or(source.text.len()).min(source.text.len());
        let text = mask(source, Span::new(start, end), &finding.redact);
        Window { name: source.path.clone(), text, base: start, first_line: first }
    }
}

/// The text of `window` with every secret span's characters after the fourth replaced by `*`
/// (byte for byte, so offsets stay valid).
fn mask(source: &SourceFile, window: Span, redact: &[Span]) -> String {
    let mut out = String::with_capacity(window.len());
    let text = source.slice(window);
    for (i, ch) in text.char_indices() {
        let offset = window.start + i;
        let secret = redact.iter().find(|s| s.contains(offset));
        match secret {
            Some(s) if source.text.get(s.start..offset).is_some_and(|head| head.chars().count() >= 4) => {
                out.extend(std::iter::repeat_n('*', ch.len_utf8()));
            }
            _ => out.push(ch),
        }
    }
    out
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = SourceSpan::new(span.offset().saturating_sub(self.base).into(), span.len());
        let inner = self.text.read_span(&local, context_lines_before, context_lines_after)?;
        let data = inner.data();
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new((inner.span().offset() + self.base).into(), inner.span().len()),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        );
        Ok(Box::new(contents))
    }
}
