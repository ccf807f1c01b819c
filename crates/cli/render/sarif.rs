//! SARIF 2.1.0, as GitHub code scanning reads it: rule metadata with help and
//! `security-severity`, results with relative URIs under `%SRCROOT%`, `partialFingerprints`,
//! and suppressed results carrying their justification.

use serde_json::{Value, json};
use trustlint_engine::Severity;
use trustlint_engine::finding::SuppressionKind;

use super::Report;

/// GitHub's scale: critical >= 9.0, high >= 7.0, medium >= 4.0, low below.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "7.5",
        Severity::Medium => "5.0",
        Severity::Low => "2.0",
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// Render the SARIF log (pretty-printed, newline-terminated).
pub fn render(report: &Report<'_>) -> String {
    let rule_ids: Vec<&String> = report.rules.keys().collect();
    let rules: Vec<Value> = report
        .rules
        .values()
        .map(|meta| {
            let mut tags: Vec<String> = vec!["security".into()];
            tags.extend(meta.criteria.iter().map(|c| format!("soc2/{c}")));
            json!({
                "id": meta.id,
                "name": meta.name,
                "shortDescription": { "text": meta.title },
                "fullDescription": { "text": meta.title },
                "help": { "text": meta.help, "markdown": if meta.description.is_empty() { meta.help.clone() } else { meta.description.clone() } },
                "defaultConfiguration": { "level": level(meta.severity) },
                "properties": {
                    "security-severity": security_severity(meta.severity),
                    "precision": "high",
                    "tags": tags,
                    "tsc": meta.criteria,
                }
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = rule_ids.iter().position(|id| **id == f.rule);
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.file), "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": f.start.line,
                            "startColumn": f.start.column,
                            "endLine": f.end.line,
                            "endColumn": f.end.column.max(if f.end.line == f.start.line { f.start.column + 1 } else { 1 }),
                        }
                    }
                }],
                "partialFingerprints": { "trustlintFingerprint/v1": f.fingerprint() },
                "properties": { "severity": f.severity.as_str(), "security-severity": security_severity(f.severity) }
            });
            if let (Some(index), Some(object)) = (index, result.as_object_mut()) {
                object.insert("ruleIndex".into(), json!(index));
            }
            if let Some(resource) = &f.resource
                && let Some(location) = result.pointer_mut("/locations/0").and_then(Value::as_object_mut)
            {
                location.insert("logicalLocations".into(), json!([{ "fullyQualifiedName": resource, "kind": "resource" }]));
            }
            if let (Some(s), Some(object)) = (&f.suppressed, result.as_object_mut()) {
                let kind = match s.kind {
                    SuppressionKind::Inline => "inSource",
                    SuppressionKind::Config | SuppressionKind::Baseline => "external",
                };
                object.insert("suppressions".into(), json!([{ "kind": kind, "status": "accepted", "justification": s.reason }]));
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "trustlint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/trustlint/trustlint",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// A relative path as a URI reference: each segment percent-encoded where URIs need it.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(super::uri("infra/my file.tf"), "infra/my%20file.tf");
        assert_eq!(super::uri("k8s/é.yaml"), "k8s/%C3%A9.yaml");
    }
}
