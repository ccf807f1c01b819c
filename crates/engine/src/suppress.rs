//! Inline suppressions: accepting a risk on the record, in the file, next to the code.
//!
//! In any format with comments:
//! - `# trustlint:ignore TL-AWS-029 -- reason` on the finding's line, on the line above it, or
//!   at the head of the resource (the line of its header or the comment line above it, which
//!   covers the whole resource); several ids (or prefixes) separated by commas;
//! - `expires=YYYY-MM-DD` before `--` makes it lapse: after that date the finding is reported
//!   again, with a note;
//! - `# trustlint:ignore-file TL-... -- reason` anywhere covers the whole file;
//! - Kubernetes: the annotation `trustlint.io/ignore: "TL-K8S-001 -- reason"` covers the
//!   object.
//!
//! A suppression without a reason is itself a finding (TL-META-001), and so is one that
//! suppresses nothing (TL-META-002). Directives are read from each parser's comments, never by
//! searching raw text.

use std::collections::HashMap;

use crate::finding::{Finding, Severity, Suppression, SuppressionKind};
use crate::rule::{References, RuleMeta};
use crate::{Comment, Node, SourceFile, Span};

/// Id of the finding for a suppression without a reason.
pub const NO_REASON_ID: &str = "TL-META-001";
/// Id of the finding for a suppression that suppresses nothing.
pub const UNUSED_ID: &str = "TL-META-002";

/// Metadata of the two suppression findings.
pub fn meta_rules() -> Vec<RuleMeta> {
    vec![
        RuleMeta {
            id: NO_REASON_ID.into(),
            name: "suppression-without-reason".into(),
            title: "Suppression gives no reason".into(),
            severity: Severity::Low,
            criteria: vec!["CC4.1".into()],
            help: "Write why the risk is accepted after `--`: `# trustlint:ignore TL-AWS-029 -- reason`.".into(),
            description: "## What it checks\nEvery `trustlint:ignore` / `trustlint:ignore-file` comment and every \
`trustlint.io/ignore` annotation must say why, after ` -- `.\n\n## Why it matters (CC4.1)\nA suppression is an \
accepted exception; an auditor's exceptions register needs the reason for each one.\n\n## Failing example\n```yaml\n\
privileged: true # trustlint:ignore TL-K8S-001\n```\n\n## Passing example\n```yaml\nprivileged: true # trustlint:ignore \
TL-K8S-001 -- node agent needs host devices (SEC-142)\n```\n\n## Fix\nAdd ` -- ` and the reason (and a ticket) to the \
comment."
                .into(),
            references: References::default(),
            bindings: Vec::new(),
        },
        RuleMeta {
            id: UNUSED_ID.into(),
            name: "unused-suppression".into(),
            title: "Suppression suppresses nothing".into(),
            severity: Severity::Low,
            criteria: vec!["CC4.1".into()],
            help: "Remove the suppression (or correct its rule id): nothing it names is reported there.".into(),
            description: "## What it checks\nA `trustlint:ignore` comment or `trustlint.io/ignore` annotation whose rules \
report nothing where it applies.\n\n## Why it matters (CC4.1)\nStale exceptions hide the next real finding at that \
place and make the exceptions register lie.\n\n## Failing example\n```hcl\n# trustlint:ignore TL-AWS-029 -- legacy\n\
resource \"aws_db_instance\" \"db\" {\n  storage_encrypted = true\n}\n```\n\n## Passing example\n```hcl\n\
resource \"aws_db_instance\" \"db\" {\n  storage_encrypted = true\n}\n```\n\n## Fix\nDelete the suppression."
                .into(),
            references: References::default(),
            bindings: Vec::new(),
        },
    ]
}

/// Where a directive applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Its own line, the next line, or the resource whose header it is on or above.
    Line,
    /// The whole file.
    File,
    /// One resource, by address (Kubernetes annotations).
    Resource,
}

/// One parsed suppression.
#[derive(Debug, Clone)]
struct Directive {
    scope: Scope,
    rules: Vec<String>,
    reason: Option<String>,
    expires: Option<String>,
    /// Where the directive is written.
    span: Span,
    /// 1-based line of the directive.
    line: usize,
    /// Whether the comment stands alone on its line (then it also covers the next line).
    own_line: bool,
    /// For `Scope::Resource`: the address covered.
    resource: Option<String>,
    used: bool,
}

/// Today's date as `YYYY-MM-DD` (UTC), for expiry.
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Parse the text after `trustlint:ignore`: `ID[,ID] [expires=DATE] [-- reason]`.
fn parse_body(body: &str) -> Option<(Vec<String>, Option<String>, Option<String>)> {
    let (head, reason) = match body.split_once("--") {
        Some((head, reason)) => (head, Some(reason.trim().to_string()).filter(|r| !r.is_empty())),
        None => (body, None),
    };
    let mut rules = Vec::new();
    let mut expires = None;
    for word in head.split([',', ' ', '\t']).filter(|w| !w.is_empty()) {
        if let Some(date) = word.strip_prefix("expires=") {
            expires = Some(date.to_string());
        } else if word.starts_with("TL-")
            || word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        {
            rules.push(word.to_string());
        } else {
            return None;
        }
    }
    (!rules.is_empty()).then_some((rules, reason, expires))
}

fn directives(source: &SourceFile, comments: &[Comment]) -> Vec<Directive> {
    let mut out = Vec::new();
    for comment in comments {
        let text = comment.text.trim();
        let (scope, body) = if let Some(body) = text.strip_prefix("trustlint:ignore-file") {
            (Scope::File, body)
        } else if let Some(body) = text.strip_prefix("trustlint:ignore") {
            (Scope::Line, body)
        } else {
            continue;
        };
        let Some((rules, reason, expires)) = parse_body(body) else { continue };
        let location = source.location(comment.span.start);
        let line_span = source.lines.line_span(&source.text, location.line - 1);
        let before = source.slice(Span::new(line_span.start, comment.span.start));
        out.push(Directive {
            scope,
            rules,
            reason,
            expires,
            span: comment.span,
            line: location.line,
            own_line: before.trim().is_empty(),
            resource: None,
            used: false,
        });
    }
    out
}

/// A Kubernetes object's `trustlint.io/ignore` annotation as a directive.
fn annotation(source: &SourceFile, address: &str, body: &Node) -> Option<Directive> {
    let value = body.get_path("metadata.annotations")?.get("trustlint.io/ignore")?;
    let text = value.as_str()?;
    let (rules, reason, expires) = parse_body(text)?;
    Some(Directive {
        scope: Scope::Resource,
        rules,
        reason,
        expires,
        span: value.span,
        line: source.location(value.span.start).line,
        own_line: false,
        resource: Some(address.to_string()),
        used: false,
    })
}

fn names(rules: &[String], id: &str) -> bool {
    rules.iter().any(|r| id == r || (id.starts_with(r.as_str()) && id.as_bytes().get(r.len()) == Some(&b'-')))
}

/// Where to look for the directives that may cover a finding.
struct Index<'h> {
    /// Directives of the whole file, in order.
    file_wide: Vec<usize>,
    /// Annotation directives by the address they cover.
    by_resource: HashMap<String, Vec<usize>>,
    /// Line directives by their line.
    by_line: HashMap<usize, Vec<usize>>,
    /// The header line of each resource (the first one of an address).
    head_lines: HashMap<&'h str, usize>,
}

impl<'h> Index<'h> {
    fn new(all: &[Directive], heads: &[Head<'h>]) -> Self {
        let mut index = Index {
            file_wide: Vec::new(),
            by_resource: HashMap::new(),
            by_line: HashMap::new(),
            head_lines: HashMap::new(),
        };
        for (i, directive) in all.iter().enumerate() {
            match (directive.scope, directive.resource.as_deref()) {
                (Scope::File, _) => index.file_wide.push(i),
                (Scope::Resource, Some(address)) => {
                    index.by_resource.entry(address.to_string()).or_default().push(i)
                }
                (Scope::Resource, None) => {}
                (Scope::Line, _) => index.by_line.entry(directive.line).or_default().push(i),
            }
        }
        for head in heads {
            index.head_lines.entry(head.address).or_insert(head.line);
        }
        index
    }
}

/// A resource of the file, for resource-head suppressions and annotations.
pub struct Head<'a> {
    /// Its address.
    pub address: &'a str,
    /// 1-based line of its header.
    pub line: usize,
    /// Its body, for Kubernetes annotations.
    pub body: Option<&'a Node>,
}

/// Apply the file's suppressions to its findings, and add TL-META-001/002 findings where
/// `meta_enabled(id)` says so. `enabled(rule)` tells whether a rule ran (a directive naming only
/// rules that did not run is not "unused").
pub fn apply(
    source: &SourceFile,
    comments: &[Comment],
    heads: &[Head<'_>],
    findings: &mut Vec<Finding>,
    enabled: &dyn Fn(&str) -> bool,
    meta_enabled: &dyn Fn(&str) -> bool,
    today: &str,
) {
    let mut all = directives(source, comments);
    all.extend(heads.iter().filter_map(|h| h.body.and_then(|b| annotation(source, h.address, b))));
    if all.is_empty() {
        return;
    }
    let index = Index::new(&all, heads);
    // The first file-wide directive naming each rule, found once per rule id.
    let mut file_wide: HashMap<String, Option<usize>> = HashMap::new();
    for finding in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
        let head_line =
            finding.resource.as_deref().and_then(|address| index.head_lines.get(address)).copied();
        let line = finding.start.line;
        let covers = |d: &Directive| {
            names(&d.rules, &finding.rule)
                && match d.scope {
                    Scope::File => true,
                    Scope::Resource => d.resource.as_deref() == finding.resource.as_deref(),
                    Scope::Line => {
                        d.line == line
                            || (d.own_line && d.line + 1 == line)
                            || head_line.is_some_and(|h| d.line == h || (d.own_line && d.line + 1 == h))
                    }
                }
        };
        // The first directive, in file order, that covers the finding: only the directives
        // that could (file-wide ones, the resource's, those on the lines concerned) are looked
        // at, so many findings and many directives in one file stay cheap.
        let first_file_wide = *file_wide.entry(finding.rule.clone()).or_insert_with(|| {
            index
                .file_wide
                .iter()
                .copied()
                .find(|&i| all.get(i).is_some_and(|d| names(&d.rules, &finding.rule)))
        });
        let lines = [Some(line), line.checked_sub(1), head_line, head_line.and_then(|h| h.checked_sub(1))];
        let by_resource = finding.resource.as_deref().and_then(|a| index.by_resource.get(a));
        let matching = first_file_wide
            .into_iter()
            .chain(by_resource.into_iter().flatten().copied())
            .chain(lines.into_iter().flatten().filter_map(|l| index.by_line.get(&l)).flatten().copied())
            .filter(|&i| all.get(i).is_some_and(&covers))
            .min();
        let Some(directive) = matching.and_then(|i| all.get_mut(i)) else { continue };
        directive.used = true;
        match &directive.expires {
            Some(date) if date.as_str() < today => {
                finding.message.push_str(&format!(" (suppression expired on {date})"));
            }
            _ => {
                finding.suppressed = Some(Suppression {
                    kind: SuppressionKind::Inline,
                    reason: directive.reason.clone().unwrap_or_default(),
                    expires: directive.expires.clone(),
                });
            }
        }
    }
    for directive in &all {
        let span = directive.span;
        let start = source.location(span.start);
        let end = source.location(span.end);
        let mut push = |id: &str, message: String| {
            findings.push(Finding {
                rule: id.to_string(),
                severity: Severity::Low,
                message,
                file: source.path.clone(),
                span,
                start,
                end,
                resource: directive.resource.clone(),
                redact: Vec::new(),
                snippet: source.slice(span).split_whitespace().collect::<Vec<_>>().join(" "),
                suppressed: None,
            });
        };
        if directive.reason.is_none() && meta_enabled(NO_REASON_ID) {
            push(
                NO_REASON_ID,
                format!("suppression of {} gives no reason (add ` -- why`)", directive.rules.join(", ")),
            );
        }
        let checked = directive.rules.iter().all(|r| enabled(r));
        if !directive.used && checked && meta_enabled(UNUSED_ID) {
            push(UNUSED_ID, format!("suppression of {} suppresses nothing here", directive.rules.join(", ")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_bodies() {
        let (rules, reason, expires) =
            parse_body(" TL-AWS-029,TL-K8S expires=2027-01-31 -- legacy db").expect("valid");
        assert_eq!(rules, ["TL-AWS-029", "TL-K8S"]);
        assert_eq!(reason.as_deref(), Some("legacy db"));
        assert_eq!(expires.as_deref(), Some("2027-01-31"));
        assert_eq!(parse_body(" TL-AWS-029").map(|p| p.1), Some(None));
        assert!(parse_body(" because").is_none());
        assert!(parse_body("").is_none());
        assert!(names(&["TL-AWS".into()], "TL-AWS-029"));
        assert!(!names(&["TL-AW".into()], "TL-AWS-029"));
    }

    #[test]
    fn today_is_a_date() {
        let date = today();
        assert_eq!(date.len(), 10);
        assert!(date.as_str() > "2024-01-01");
    }
}
