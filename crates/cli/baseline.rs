//! Baselines: adopt trustlint on a legacy repository without fixing everything first.
//!
//! `trustlint baseline . --output trustlint-baseline.json` records today's findings by
//! fingerprint (rule, file, resource and the normalised source they point at: not the line,
//! so the file survives lines moving). `trustlint lint --baseline trustlint-baseline.json`
//! then reports only new findings; the recorded ones are kept as suppressed (kind
//! `baseline`), and entries that no longer occur are listed so the file can shrink.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use trustlint_engine::Finding;
use trustlint_engine::finding::{Suppression, SuppressionKind};

/// The baseline file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version (1).
    pub schema_version: u32,
    /// Recorded findings, sorted.
    pub entries: Vec<Entry>,
}

/// One recorded finding (`count` identical ones share an entry).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Rule id (for people reading the file).
    pub rule: String,
    /// File (for people).
    pub file: String,
    /// Resource address, when there is one (for people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// How many findings share this fingerprint.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// The baseline of a set of findings (suppressed ones are not recorded: they are accepted
/// elsewhere).
pub fn record(findings: &[Finding]) -> Baseline {
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.suppressed.is_none()) {
        let fingerprint = finding.fingerprint();
        entries.entry(fingerprint.clone()).and_modify(|e| e.count += 1).or_insert_with(|| Entry {
            fingerprint,
            rule: finding.rule.clone(),
            file: finding.file.clone(),
            resource: finding.resource.clone(),
            count: 1,
        });
    }
    let mut entries: Vec<Entry> = entries.into_values().collect();
    entries.sort_by(|a, b| (&a.file, &a.rule, &a.fingerprint).cmp(&(&b.file, &b.rule, &b.fingerprint)));
    Baseline { schema_version: 1, entries }
}

/// Serialise a baseline (pretty JSON, newline-terminated).
pub fn to_json(baseline: &Baseline) -> String {
    let mut text = serde_json::to_string_pretty(baseline).unwrap_or_default();
    text.push('\n');
    text
}

/// Read a baseline file.
pub fn load(path: &Path) -> Result<Baseline> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the baseline {}", path.display()))?;
    let baseline: Baseline = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a trustlint baseline", path.display()))?;
    if baseline.schema_version != 1 {
        bail!(
            "{}: baseline schema_version {} is not supported (1 is)",
            path.display(),
            baseline.schema_version
        );
    }
    Ok(baseline)
}

/// Mark the findings the baseline records as suppressed; return the entries (and how many of
/// their findings) that no longer occur.
pub fn apply(baseline: &Baseline, shown_path: &str, findings: &mut [Finding]) -> Vec<(Entry, usize)> {
    let mut remaining: BTreeMap<&str, (usize, &Entry)> =
        baseline.entries.iter().map(|e| (e.fingerprint.as_str(), (e.count, e))).collect();
    for finding in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
        let fingerprint = finding.fingerprint();
        if let Some((left, _)) = remaining.get_mut(fingerprint.as_str())
            && *left > 0
        {
            *left -= 1;
            finding.suppressed = Some(Suppression {
                kind: SuppressionKind::Baseline,
                reason: format!("recorded in the baseline {shown_path}"),
                expires: None,
            });
        }
    }
    remaining.into_values().filter(|(left, _)| *left > 0).map(|(left, entry)| (entry.clone(), left)).collect()
}
