//! Fixture annotations: which findings a fixture file expects, and where.
//!
//! - `expect: RULE-ID[, RULE-ID]` in a comment on the line where a finding must point;
//! - `expect-next-line: RULE-ID` in a comment on the line above it (for formats where a
//!   trailing comment is impossible, such as Dockerfile instructions);
//! - a sidecar file `<file>.expect` with `<line> <RULE-ID>...` lines (JSON, block scalars).
//!
//! The built-in fixture suite and `trustlint test-policies` both read them.

/// Rule ids after a marker on one line, comma- or space-separated.
fn ids_after<'a>(line: &'a str, marker: &str) -> Vec<&'a str> {
    let mut ids = Vec::new();
    let mut rest = line;
    while let Some(pos) = rest.find(marker) {
        let before = rest.as_bytes().get(pos.wrapping_sub(1)).copied();
        let boundary = pos == 0 || before.is_some_and(|b| !b.is_ascii_alphanumeric() && b != b'-');
        let after = &rest[pos + marker.len()..];
        if boundary {
            for word in after.split(|c: char| c == ',' || c.is_whitespace()).filter(|w| !w.is_empty()) {
                let id = word.trim_end_matches(['"', '\'', '*', '/', '>', ';']);
                if is_rule_id(id) {
                    ids.push(id);
                } else {
                    break;
                }
            }
        }
        rest = after;
    }
    ids
}

/// `LETTERS-...-DIGITS`: an id as rules spell them.
fn is_rule_id(word: &str) -> bool {
    word.contains('-')
        && word
            .split('-')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
}

/// `(rule, line)` pairs annotated inside a fixture's text.
pub fn inline(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        for id in ids_after(line, "expect-next-line:") {
            out.push((id.to_string(), number + 1));
        }
        for id in ids_after(line, "expect:") {
            out.push((id.to_string(), number));
        }
    }
    out
}

/// `(rule, line)` pairs of a sidecar `.expect` file; `Err` names a malformed line.
pub fn sidecar(text: &str) -> Result<Vec<(String, usize)>, String> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut parts = line.split_whitespace();
        let number: usize = parts
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("bad expectation line `{line}`"))?;
        let ids: Vec<&str> = parts.collect();
        if ids.is_empty() || !ids.iter().all(|id| is_rule_id(id)) {
            return Err(format!("bad expectation line `{line}`"));
        }
        out.extend(ids.into_iter().map(|id| (id.to_string(), number)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations() {
        assert_eq!(inline("  privileged: true # expect: TL-K8S-001\n"), [("TL-K8S-001".to_string(), 1)]);
        assert_eq!(inline("a\nx # expect: TL-A-001, TL-B-002\n").len(), 2);
        assert_eq!(inline("# expect-next-line: TL-A-001\nRUN x\n"), [("TL-A-001".to_string(), 2)]);
        assert!(inline("no annotation\n# expect: lowercase-id\n").is_empty());
        assert_eq!(sidecar("12 TL-K8S-001\n\n3 TL-A-001 TL-B-002\n").expect("valid").len(), 3);
        assert!(sidecar("twelve TL-K8S-001\n").is_err());
        assert!(sidecar("12\n").is_err());
    }
}
