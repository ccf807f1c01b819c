//! ## What it checks
//! Every text file for AWS access key IDs: 20 characters, a prefix `AKIA` (long-term IAM
//! user keys), `ASIA` (temporary STS credentials), `ABIA`, `ACCA` or `A3T` + one character,
//! then 16 characters of `A-Z` and `2-7`, standing alone as a word
//! (`\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`, as gitleaks' `aws-access-token`).
//! When a 40-character secret access key is assigned within ten lines of it
//! (`aws_secret_access_key`, `AWS_SECRET_ACCESS_KEY`, `secret_key`, `SecretAccessKey`, ...),
//! the finding says the pair is there: whoever reads the file can sign requests as that
//! identity.
//!
//! The finding points at the key ID. Messages show only the first four characters
//! (`AKIA****`), and the key ID and the paired secret are redacted in every output format.
//!
//! Not reported (placeholders, the allowlist):
//! - AWS's documented example key IDs (`AKIAIOSFODNN7EXAMPLE`, `AKIAI44QH8DHBEXAMPLE`) and any
//!   key ID ending in `EXAMPLE`; the example secret `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`
//!   and any secret containing `EXAMPLE` never counts as a pair;
//! - a key ID whose 16 characters after the prefix are one character repeated
//!   (`AKIAXXXXXXXXXXXXXXXX`);
//! - a match inside an interpolation or reference (`${var.key}`, `${{ secrets.KEY }}`,
//!   `$(...)`, `{{resolve:...}}`, `!Ref`) or an angle-bracket placeholder (`<...>`).
//!
//! Fixture and test directories that legitimately hold fake keys are excluded by
//! configuration (`[[lint.per-path]]` with `ignore = ["TL-SECRET"]`), not by this rule.
//!
//! ## Why it matters (CC6.1, C1.1)
//! An access key in a repository is a credential given to everyone who can read the
//! repository, its forks, clones and CI logs, for as long as the key lives; keys leaked on
//! public hosts are harvested within minutes. Logical access to AWS is no longer restricted
//! to authorised users (CC6.1), and every confidential store the identity can read is exposed
//! (C1.1). Deleting the line does not help: the key stays in the history until rotated.
//!
//! ## Failing example
//! ```hcl
//! provider "aws" {
//!   region     = "eu-west-1"
//!   access_key = "AKIA2E7QZ4PFN5WJHX6M"
//!   secret_key = "qV3tN8wLx2RkP9sJm4HcZ7bYf1GdT6aUe5Wi0oQn"
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! provider "aws" {
//!   region = "eu-west-1"
//!   # Credentials come from the environment, an instance profile or SSO.
//! }
//! ```
//!
//! ## Fix
//! Deactivate and delete the key in IAM now (it is compromised whatever happens to the
//! file), review CloudTrail for its use, then remove it from the file and the history. Use
//! short-lived credentials instead: IAM roles, IAM Identity Center, or OIDC federation from
//! CI (`aws-actions/configure-aws-credentials` with `role-to-assume`).

use std::sync::LazyLock;

use regex::Regex;
use trustlint_engine::finding::mask_secret;

use crate::prelude::*;
use crate::reference::is_reference;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-SECRET-001",
        name: "aws-access-key",
        title: "AWS access key committed",
        severity: Severity::Critical,
        criteria: &["CC6.1", "C1.1"],
        help: "Deactivate the key in IAM, then remove it from the file and the history; use roles or OIDC federation instead of long-lived keys.",
        checkov: &["CKV_SECRET_2", "CKV_AWS_41", "CKV_AWS_45", "CKV_AWS_46"],
        kics: &["76c0bcde-903d-456e-ac13-e58c34987852", "83ab47ff-381d-48cd-bac5-fb32222f54af"],
        trivy: &["aws-access-key-id", "aws-secret-access-key"],
        other: &["gitleaks: aws-access-token"],
        bindings: &[(Target::Text, &["file"])],
    }
}

/// The key ID pattern (gitleaks' `aws-access-token`). Constant patterns compile (a test says
/// so); `None` would only make the rule find nothing.
static KEY_ID: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b").ok());

/// A secret access key assigned to a name that says so: `aws_secret_access_key = ...`,
/// `AWS_SECRET_ACCESS_KEY=...`, `secret_key = "..."`, `"SecretAccessKey": "..."`. The value
/// is captured greedily and its length checked after, since the regex crate has no
/// look-around.
static SECRET_KEY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:aws)?[_.-]?secret[_.-]?(?:access)?[_.-]?key["']?\s*(?:=>|:=|[:=])\s*["']?([A-Za-z0-9/+=]+)"#).ok()
});

/// Lines between a key ID and its secret for the two to count as a pair.
const PAIR_DISTANCE: usize = 10;

pub(crate) fn check(_resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let (Some(key_id), Some(secret_key)) = (KEY_ID.as_ref(), SECRET_KEY.as_ref()) else { return };
    let text = file.source.text.as_str();
    let lines = &file.source.lines;
    let keys: Vec<Span> = key_id
        .find_iter(text)
        .map(|m| Span::new(m.start(), m.end()))
        .filter(|span| !is_placeholder(file.source.slice(*span)) && !is_reference(text, *span))
        .collect();
    // Findings are on key IDs; secrets only pair with them. The key ID regex starts with
    // literals the regex engine searches for quickly, the secret one does not (it was 7% of a
    // corpus run, scanning every file): look for secrets only where there is a key.
    if keys.is_empty() {
        return;
    }
    let secrets: Vec<(usize, Span)> = secret_key
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| Span::new(m.start(), m.end()))
        .filter(|s| s.len() == 40 && !file.source.slice(*s).contains("EXAMPLE") && !is_reference(text, *s))
        .map(|s| (lines.line_of(s.start), s))
        .collect();
    let key_lines: Vec<usize> = keys.iter().map(|k| lines.line_of(k.start)).collect();
    // Each secret pairs with its nearest key ID (the one above on a tie), so two keys in a
    // file do not both claim the same secret; each key keeps its nearest secret.
    let mut pairs: Vec<Option<(usize, Span)>> = vec![None; keys.len()];
    for (secret_line, secret) in &secrets {
        let Some((k, key_line)) = nearest_key(&key_lines, *secret_line) else { continue };
        if let Some(slot) = pairs.get_mut(k) {
            let closer = slot.is_none_or(|(line, _)| secret_line.abs_diff(*key_line) < line.abs_diff(*key_line));
            if closer {
                *slot = Some((*secret_line, *secret));
            }
        }
    }
    for (span, pair) in keys.iter().zip(pairs) {
        let id = file.source.slice(*span);
        let kind = if id.starts_with("ASIA") { "temporary AWS access key ID" } else { "AWS access key ID" };
        match pair {
            Some((secret_line, secret)) => {
                let message = format!(
                    "{kind} `{}` is committed together with its secret access key `{}` (line {}): the pair grants access as that identity",
                    mask_secret(id),
                    mask_secret(file.source.slice(secret)),
                    secret_line + 1
                );
                out.fail(*span, message).redact(*span).redact(secret);
            }
            None => {
                let message = format!("{kind} `{}` is committed", mask_secret(id));
                out.fail(*span, message).redact(*span);
            }
        }
    }
}

/// The key ID nearest to a secret on `secret_line`, within [`PAIR_DISTANCE`] lines: the one
/// above on a tie, the first of its line when a line holds several. `key_lines` is sorted
/// (keys are found in text order), so this is two binary searches, whatever the number of
/// keys: a file of thousands of keys and secrets stays linear.
fn nearest_key(key_lines: &[usize], secret_line: usize) -> Option<(usize, &usize)> {
    let first_of = |line: usize| key_lines.partition_point(|l| *l < line);
    let above = key_lines.partition_point(|l| *l <= secret_line).checked_sub(1).and_then(|last| {
        let line = *key_lines.get(last)?;
        let first = first_of(line);
        Some((first, key_lines.get(first)?))
    });
    let below = {
        let first = first_of(secret_line);
        key_lines.get(first).map(|line| (first, line))
    };
    let distance = |(_, line): &(usize, &usize)| line.abs_diff(secret_line);
    let best = match (above, below) {
        (Some(a), Some(b)) if distance(&b) < distance(&a) => Some(b),
        (Some(a), _) => Some(a),
        (None, b) => b,
    };
    best.filter(|candidate| distance(candidate) <= PAIR_DISTANCE)
}

/// AWS's documented examples and obvious fillers.
fn is_placeholder(id: &str) -> bool {
    if id.ends_with("EXAMPLE") {
        return true;
    }
    // Every prefix (`AKIA`, `A3T` + one character, ...) is four characters long.
    let mut rest = id.chars().skip(4);
    let first = rest.next();
    first.is_some() && rest.all(|c| Some(c) == first)
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;

    use super::*;

    fn run(path: &str, text: &str) -> Outcome {
        let source = SourceFile::new(path, text);
        let file = FileContext { source: &source, syntax: &Syntax::Text, scope: &Default::default() };
        let resource = Resource::bare(Target::Text, "file", path, Span::default(), 0);
        let mut out = Outcome::default();
        check(&resource, &file, &mut out);
        out
    }

    #[test]
    fn the_nearest_key_is_found_by_line() {
        let lines = [2, 2, 5, 9, 30];
        assert_eq!(nearest_key(&lines, 2), Some((0, &2)), "the first key of the secret's line");
        assert_eq!(nearest_key(&lines, 3), Some((0, &2)));
        assert_eq!(nearest_key(&lines, 4), Some((2, &5)));
        assert_eq!(nearest_key(&lines, 7), Some((2, &5)), "a tie goes to the key above");
        assert_eq!(nearest_key(&lines, 8), Some((3, &9)));
        assert_eq!(nearest_key(&lines, 20), Some((4, &30)));
        assert_eq!(nearest_key(&lines, 19), Some((3, &9)));
        assert_eq!(nearest_key(&lines, 41), None, "more than ten lines away");
        assert_eq!(nearest_key(&[], 3), None);
        assert_eq!(nearest_key(&[50], 0), None);
    }

    #[test]
    fn patterns_compile() {
        assert!(KEY_ID.is_some());
        assert!(SECRET_KEY.is_some());
    }

    #[test]
    fn a_key_with_its_secret_is_reported_paired_and_redacted() {
        let text = "provider \"aws\" {\n  access_key = \"AKIA2E7QZ4PFN5WJHX6M\"\n  secret_key = \"qV3tN8wLx2RkP9sJm4HcZ7bYf1GdT6aUe5Wi0oQn\"\n}\n";
        let out = run("main.tf", text);
        assert_eq!(out.violations.len(), 1);
        let v = &out.violations[0];
        assert_eq!(&text[v.span.start..v.span.end], "AKIA2E7QZ4PFN5WJHX6M");
        assert!(v.message.contains("`AKIA****`"), "{}", v.message);
        assert!(v.message.contains("`qV3t****` (line 3)"), "{}", v.message);
        assert!(!v.message.contains("2E7QZ4"), "{}", v.message);
        assert!(!v.message.contains("N8wLx2"), "{}", v.message);
        let secret = text.find("qV3t").unwrap();
        assert_eq!(v.redact, [v.span, Span::new(secret, secret + 40)]);
        assert_eq!(v.severity, None);
    }

    #[test]
    fn secrets_in_other_shapes_pair() {
        let shapes = [
            "AWS_ACCESS_KEY_ID=AKIA2E7QZ4PFN5WJHX6M\nAWS_SECRET_ACCESS_KEY=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\n",
            "{\"AccessKeyId\": \"AKIA2E7QZ4PFN5WJHX6M\", \"SecretAccessKey\": \"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\"}",
            "[default]\naws_access_key_id = AKIA2E7QZ4PFN5WJHX6M\naws_secret_access_key = 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\n",
            "client = boto3.client('s3', aws_access_key_id='AKIA2E7QZ4PFN5WJHX6M',\n    aws_secret_access_key='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')\n",
        ];
        for text in shapes {
            let out = run("f", text);
            assert_eq!(out.violations.len(), 1, "{text}");
            assert!(out.violations[0].message.contains("together with its secret"), "{text}");
            assert_eq!(out.violations[0].redact.len(), 2, "{text}");
        }
    }

    #[test]
    fn a_key_alone_is_reported_without_pair() {
        let out = run("app.yaml", "aws:\n  access_key_id: ASIA3F6R2KQ7WZ5XJH4N\n");
        assert_eq!(out.violations.len(), 1);
        assert_eq!(out.violations[0].message, "temporary AWS access key ID `ASIA****` is committed");
        // A secret too far away, of the wrong length, or an example is no pair.
        let far = format!("AKIA2E7QZ4PFN5WJHX6M\n{}secret_key = qV3tN8wLx2RkP9sJm4HcZ7bYf1GdT6aUe5Wi0oQn\n", "\n".repeat(12));
        assert!(!run("f", &far).violations[0].message.contains("together"));
        let short = "AKIA2E7QZ4PFN5WJHX6M\nsecret_key = qV3tN8wLx2RkP9sJm4HcZ7bYf1GdT6aUe5Wi0oQnXYZ\n";
        assert!(!run("f", short).violations[0].message.contains("together"));
        let example = "AKIA2E7QZ4PFN5WJHX6M\nsecret_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
        assert!(!run("f", example).violations[0].message.contains("together"));
    }

    #[test]
    fn placeholders_and_references_pass() {
        let passing = [
            "access_key = \"AKIAIOSFODNN7EXAMPLE\"\nsecret_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n",
            "id: AKIAI44QH8DHBEXAMPLE\n",
            "AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX\n",
            "access_key = \"${var.key}\"\n",
            "key: ${{ secrets.AWS_ACCESS_KEY_ID }}\n",
            "id = \"<AKIA2E7QZ4PFN5WJHX6M>\"\n",
            "aws_access_key_id = ${AKIA2E7QZ4PFN5WJHX6M}\n",
            // Not a whole word, or the wrong alphabet.
            "digest = \"XAKIA2E7QZ4PFN5WJHX6M\"\nlower = \"akia2e7qz4pfn5wjhx6m\"\nlong = AKIA2E7QZ4PFN5WJHX6MQ\n",
            "AKIA2E7QZ4PFN5WJHX61\n",
        ];
        for text in passing {
            assert!(run("f", text).violations.is_empty(), "{text}");
        }
    }

    #[test]
    fn a_secret_pairs_with_its_nearest_key_only() {
        let text = "up_key: AKIA2E7QZ4PFN5WJHX6M\nup_secret_key: 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\n\nro_key: AKIA7KD3LQ5MZR2XTW4P\n";
        let out = run("f", text);
        assert_eq!(out.violations.len(), 2);
        assert!(out.violations[0].message.contains("together"));
        assert!(!out.violations[1].message.contains("together"));
        assert_eq!(out.violations[1].redact.len(), 1);
    }

    #[test]
    fn every_key_in_a_file_is_reported() {
        let text = "a = AKIA2E7QZ4PFN5WJHX6M\nb = AKIA7KD3LQ5MZR2XTW4P\nc = A3TX5N2QWERTY7ZXCVBN\n";
        let out = run("f", text);
        assert_eq!(out.violations.len(), 3);
        assert!(out.violations.iter().all(|v| v.redact == [v.span]));
    }
}
