//! Diagnostics for people: `severity[RULE-ID]: message`, the location, the source lines with
//! the span underlined, the fix and the criteria; then a one-line summary.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use trustlint_engine::{Finding, Severity, SourceFile, Span};

use super::Report;

/// Lines of context shown above and below a finding.
const CONTEXT_LINES: usize = 1;

/// Bytes shown before a finding's start and after its end at most: a finding on a line of
/// megabytes shows a slice of it, and rendering costs the same as on any line.
const CONTEXT_BYTES: usize = 240;

/// Bytes of a finding's own span shown at most (a span over a whole resource is cut).
const SPAN_BYTES: usize = 4096;

/// Render every unsuppressed finding, the skipped-file notes and the summary.
pub fn render(report: &Report<'_>, colour: bool) -> String {
    let theme = if colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(CONTEXT_LINES).with_width(110);
    let mut out = String::new();
    // Every secret found in a file is masked in every excerpt of that file, not only in the
    // excerpt of the finding that found it.
    let mut secrets: BTreeMap<&str, Vec<Span>> = BTreeMap::new();
    for finding in report.findings {
        secrets.entry(finding.file.as_str()).or_default().extend(finding.redact.iter().copied());
    }
    for finding in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        let redact = secrets.get(finding.file.as_str()).map_or(&[][..], Vec::as_slice);
        let diagnostic = FindingDiagnostic::new(finding, report, redact);
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
    fn new(finding: &Finding, report: &Report<'_>, redact: &[Span]) -> Self {
        let meta = report.rules.get(&finding.rule);
        let mut help = meta.map(|m| m.help.clone()).unwrap_or_default();
        if let Some(meta) = meta.filter(|m| !m.criteria.is_empty()) {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(&format!("criteria: {}", meta.criteria.join(", ")));
        }
        let window = report.sources.get(&finding.file).map(|source| Window::new(source, finding, redact));
        // The label never reaches past what the window shows.
        let shown_end = window.as_ref().map_or(finding.span.end, |w| w.base + w.text.len());
        let span_len = finding.span.end.min(shown_end).saturating_sub(finding.span.start);
        FindingDiagnostic {
            header: format!("{}[{}]: {}", finding.severity, finding.rule, finding.message),
            help,
            severity: match finding.severity {
                Severity::Critical | Severity::High => miette::Severity::Error,
                Severity::Medium => miette::Severity::Warning,
                Severity::Low => miette::Severity::Advice,
            },
            span: SourceSpan::new(finding.span.start.into(), span_len.max(1)),
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

/// The lines around a finding, secrets masked and control characters neutralised, so
/// rendering never rescans the whole file, never shows a secret and never sends the
/// terminal a control sequence written in the file.
#[derive(Debug)]
struct Window {
    name: String,
    text: String,
    base: usize,
    first_line: usize,
    /// Characters of the first line cut off before the window (a long line shown in part).
    first_column: usize,
    /// Where the finding starts, and its column in characters: miette counts columns in
    /// bytes, and the header must say what the other formats say.
    label: (usize, usize),
}

impl Window {
    fn new(source: &SourceFile, finding: &Finding, redact: &[Span]) -> Self {
        let lines = &source.lines;
        let text = &source.text;
        let span_end = finding.span.end.min(finding.span.start.saturating_add(SPAN_BYTES));
        let first = lines.line_of(finding.span.start).saturating_sub(CONTEXT_LINES);
        let last = (lines.line_of(span_end) + CONTEXT_LINES).min(lines.line_count().saturating_sub(1));
        let line_start = lines.line_start(first).unwrap_or(0);
        let line_end = lines.line_start(last + 1).unwrap_or(text.len()).min(text.len());
        let start = floor_boundary(text, line_start.max(finding.span.start.saturating_sub(CONTEXT_BYTES)));
        let end = ceil_boundary(text, line_end.min(span_end.saturating_add(CONTEXT_BYTES)).max(start));
        let first_line = lines.line_of(start);
        let first_column = source.location(start).column - 1;
        let mut spans: Vec<Span> = redact.to_vec();
        let shown = source.slice(Span::new(start, end));
        spans.extend(
            trustlint_engine::redact::secret_shapes(shown)
                .into_iter()
                .map(|s| Span::new(s.start + start, s.end + start)),
        );
        let masked = trustlint_engine::redact::mask_spans(shown, start, &spans);
        Window {
            name: source.path.clone(),
            text: neutralise(&masked),
            base: start,
            first_line,
            first_column,
            label: (finding.span.start, finding.start.column.saturating_sub(1)),
        }
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Control characters made harmless byte for byte (offsets stay valid): a lone carriage
/// return becomes a line feed (it ends a line, for the renderer as for the line index), any
/// other control character a `?` per byte. Tabs, line feeds and CRLF stay.
fn neutralise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            '\r' => out.push('\n'),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.extend(std::iter::repeat_n('?', c.len_utf8())),
            c => out.push(c),
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
        let start = inner.span().offset() + self.base;
        let column = if context_lines_before == 0 && start == self.label.0 {
            // The header's `path:line:column`.
            self.label.1
        } else if inner.span().offset() == 0 {
            // The window may start in the middle of its first line.
            self.first_column
        } else {
            inner.column()
        };
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new(start.into(), inner.span().len()),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        );
        Ok(Box::new(contents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Report, Summary};

    fn finding(source: &SourceFile, span: Span, redact: Vec<Span>) -> Finding {
        Finding {
            rule: "TL-TEST-001".into(),
            severity: Severity::High,
            message: "found".into(),
            file: source.path.clone(),
            span,
            start: source.location(span.start),
            end: source.location(span.end),
            resource: None,
            redact,
            snippet: String::new(),
            suppressed: None,
        }
    }

    fn rendered(source: &SourceFile, findings: &[Finding]) -> String {
        let rules = BTreeMap::new();
        let sources: BTreeMap<String, &SourceFile> = [(source.path.clone(), source)].into_iter().collect();
        let report = Report {
            findings,
            rules: &rules,
            sources: &sources,
            notes: &[],
            evaluations: &[],
            summary: Summary::default(),
        };
        render(&report, false)
    }

    #[test]
    fn a_finding_on_a_long_line_shows_a_slice_of_it_at_the_right_column() {
        let text = format!("first\n{}NEEDLE{}\nlast\n", "é".repeat(200_000), "x".repeat(200_000));
        let source = SourceFile::new("long.txt", text.as_str());
        let at = text.find("NEEDLE").unwrap_or(0);
        let out = rendered(&source, &[finding(&source, Span::new(at, at + 6), Vec::new())]);
        assert!(out.len() < 4_000, "{} bytes", out.len());
        assert!(out.contains("[long.txt:2:200001]"), "{out}");
        assert!(out.contains("NEEDLE"));
    }

    #[test]
    fn excerpts_mask_every_secret_of_the_file_and_neutralise_control_characters() {
        let text = "a = 1\rtoken = \"AKIAQ3MZ7XW2RT6PL5NB\"\rpassword = \"hunter2hunter2\"\u{1b}[2J\nb = 2\n";
        let source = SourceFile::new("x.tf", text);
        let key = text.find("AKIA").unwrap_or(0);
        let password = text.find("hunter2").unwrap_or(0);
        let findings = [
            finding(&source, Span::new(key, key + 20), vec![Span::new(key, key + 20)]),
            finding(&source, Span::new(password, password + 14), Vec::new()),
        ];
        let out = rendered(&source, &findings);
        assert!(!out.contains("Q3MZ7XW2RT6PL5NB"), "{out}");
        assert!(!out.contains("r2hunter2"), "{out}");
        assert!(!out.contains('\u{1b}') && !out.contains('\r'), "{out:?}");
        assert!(out.contains("[x.tf:2:10]"), "a lone CR ends a line: {out}");
        assert!(out.contains("[x.tf:3:13]"), "{out}");
    }
}
