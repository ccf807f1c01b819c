//! Findings: what a rule reports, as plain data for the renderers.

use serde::{Deserialize, Serialize};

use crate::span::{Location, Span};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Hygiene or evidence gap.
    Low,
    /// Defence-in-depth or resilience gap.
    Medium,
    /// A sensitive path missing encryption or hardening.
    High,
    /// Direct public exposure, a leaked credential, code execution in CI with secrets.
    Critical,
}

impl Severity {
    /// All severities, most severe first.
    pub const ALL: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parse a lowercase name.
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a finding is not counted against the build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// `inline`, `config` or `baseline`.
    pub kind: SuppressionKind,
    /// The recorded justification.
    pub reason: String,
    /// When the exception lapses (`YYYY-MM-DD`), if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// Where a suppression came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    /// A comment or annotation in the file.
    Inline,
    /// A config ignore.
    Config,
    /// The baseline file.
    Baseline,
}

/// One reported problem, located in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule id (`TL-AWS-029`).
    pub rule: String,
    /// Severity of this finding (a rule may grade findings differently).
    pub severity: Severity,
    /// The message, with any secret already masked.
    pub message: String,
    /// File path relative to the scan root, `/`-separated.
    pub file: String,
    /// Bytes the finding points at.
    pub span: Span,
    /// Start of the span.
    pub start: Location,
    /// End of the span.
    pub end: Location,
    /// Address of the resource judged, when there is one.
    pub resource: Option<String>,
    /// Spans of secret material in the file that no renderer may show unmasked.
    pub redact: Vec<Span>,
    /// The source text the finding points at, normalised (whitespace folded, secrets masked):
    /// part of the fingerprint.
    pub snippet: String,
    /// Set when the finding is suppressed.
    pub suppressed: Option<Suppression>,
}

impl Finding {
    /// A stable fingerprint: rule, file, resource and normalised snippet, not the line, so it
    /// survives lines moving (the baseline keys on it). FNV-1a 64, rendered as hex.
    pub fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let parts = [
            self.rule.as_str(),
            self.file.as_str(),
            self.resource.as_deref().unwrap_or(""),
            self.snippet.as_str(),
        ];
        for part in parts {
            for byte in part.bytes().chain(std::iter::once(0u8)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }

    /// The ordering key renderers sort by: file, line, column, rule.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (&self.file, self.start.line, self.start.column, &self.rule, &self.message)
    }
}

/// Mask a secret: its first four characters, then `****`.
pub fn mask_secret(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}****")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_four_characters() {
        assert_eq!(mask_secret("AKIAIOSFODNN7EXAMPLE"), "AKIA****");
        assert_eq!(mask_secret("ab"), "ab****");
    }

    #[test]
    fn severity_round_trips() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert!(Severity::Critical > Severity::Low);
    }
}
