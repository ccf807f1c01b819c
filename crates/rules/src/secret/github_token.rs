//! ## What it checks
//! Every text file for GitHub tokens in GitHub's prefixed formats (the formats gitleaks'
//! `github-pat`, `github-oauth`, `github-app-token`, `github-refresh-token` and
//! `github-fine-grained-pat` rules describe), standing alone as a word:
//! - `ghp_` + 36 letters and digits: a personal access token (classic);
//! - `gho_` + 36: an OAuth app access token;
//! - `ghu_` + 36: a GitHub App user-to-server token;
//! - `ghs_` + 36: a GitHub App installation (server-to-server) token, the kind
//!   `GITHUB_TOKEN` is in Actions;
//! - `ghr_` + 36: a GitHub App refresh token;
//! - `github_pat_` + 82 letters, digits and `_`: a fine-grained personal access token.
//!
//! The finding points at the token. Messages show only its first four characters
//! (`ghp_****`), and the token is redacted in every output format.
//!
//! Not reported (placeholders, the allowlist):
//! - fillers: a token body with fewer than 12 distinct characters (`ghp_xxxx...`,
//!   `ghp_000...`), a run of six consecutive characters (`ghp_0123456789abcdef...`), or a
//!   placeholder word (`example`, `sample`, `dummy`, `fake`, `placeholder`, `your`, `xxxx`,
//!   `test`, `redacted`) inside it. A random token body has about 27 distinct characters;
//! - a match inside an interpolation or reference (`${GITHUB_TOKEN}`,
//!   `${{ secrets.GH_PAT }}`, `$(gh auth token)`, `{{resolve:...}}`, `!Ref`) or an
//!   angle-bracket placeholder (`<ghp_...>`).
//!
//! Fixture and test directories that legitimately hold fake tokens are excluded by
//! configuration (`[[lint.per-path]]` with `ignore = ["TL-SECRET"]`), not by this rule.
//!
//! ## Why it matters (CC6.1, CC8.1)
//! A GitHub token acts as its owner on GitHub: a classic personal access token with the
//! `repo` scope can read every private repository of its owner and push to it, and an
//! installation token can do whatever the App was granted. Committed, it is given to
//! everyone who can read the repository, its forks and clones. Logical access is no longer
//! restricted to the token's owner (CC6.1), and whoever holds it can push code, tags and
//! workflow changes outside review, which bypasses change management (CC8.1).
//!
//! ## Failing example
//! ```yaml
//! # .github/workflows/release.yml
//! env:
//!   GH_TOKEN: ghp_Zr4Tq8mWc2Lx7Nv5Kb9Hd3Fs6Jy1Pg0Ae8Uo
//! ```
//!
//! ## Passing example
//! ```yaml
//! # .github/workflows/release.yml
//! permissions:
//!   contents: write
//! env:
//!   GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
//! ```
//!
//! ## Fix
//! Revoke the token now (Settings > Developer settings > Personal access tokens, or the
//! App's or OAuth app's settings; GitHub's secret scanning may already have revoked it),
//! review the security log for its use, then remove it from the file and the history. In
//! Actions use the built-in `GITHUB_TOKEN` with least `permissions`, or a GitHub App
//! installation token minted per run; elsewhere keep tokens in a secret manager.

use std::sync::LazyLock;

use regex::Regex;
use trustlint_engine::finding::mask_secret;

use crate::credential::{SecretSpans, is_filler};
use crate::prelude::*;
use crate::reference::is_reference;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-SECRET-003",
        name: "github-token",
        title: "GitHub token committed",
        severity: Severity::Critical,
        criteria: &["CC6.1", "CC8.1"],
        help: "Revoke the token, remove it from the file and the history; use GITHUB_TOKEN with least permissions or a GitHub App token in CI.",
        checkov: &[],
        kics: &[],
        trivy: &["github-pat"],
        other: &[
            "gitleaks: github-pat",
            "gitleaks: github-fine-grained-pat",
            "gitleaks: github-oauth",
            "gitleaks: github-app-token",
            "gitleaks: github-refresh-token",
        ],
        bindings: &[(Target::Text, &["file"])],
    }
}

/// The token formats; group 1 is a classic prefix (`ghp`, ...) and group 2 its body, or
/// group 3 the body of a fine-grained token. Constant patterns compile (a test says so);
/// `None` would only make the rule find nothing.
static TOKEN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(?:(gh[pousr])_([0-9A-Za-z]{36})|github_pat_([0-9A-Za-z_]{82}))\b").ok()
});

/// Distinct characters a token body must have: a random 36-character body has about 27.
const MIN_DISTINCT: usize = 12;

/// The tokens of a file that are reported: (whole token, kind).
fn tokens(text: &str) -> Vec<(Span, &'static str)> {
    let Some(token) = TOKEN.as_ref() else { return Vec::new() };
    token
        .captures_iter(text)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            let (kind, body) = match (caps.get(1), caps.get(2), caps.get(3)) {
                (Some(prefix), Some(body), _) => (kind_of(prefix.as_str()), body.as_str()),
                (_, _, Some(body)) => ("fine-grained personal access token", body.as_str()),
                _ => return None,
            };
            let span = Span::new(whole.start(), whole.end());
            (!is_filler(body, MIN_DISTINCT) && !is_reference(text, span)).then_some((span, kind))
        })
        .collect()
}

fn kind_of(prefix: &str) -> &'static str {
    match prefix {
        "ghp" => "personal access token (classic)",
        "gho" => "OAuth access token",
        "ghu" => "App user-to-server token",
        "ghs" => "App installation token",
        _ => "App refresh token",
    }
}

pub(crate) fn check(_resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let text = file.source.text.as_str();
    let found = tokens(text);
    let secrets = SecretSpans::new(found.iter().map(|(span, _)| *span).collect());
    for (span, kind) in &found {
        let message = format!("GitHub {kind} `{}` is committed", mask_secret(file.source.slice(*span)));
        let violation = out.fail(*span, message);
        // The tokens around it too, so that a neighbouring line shown as context is masked.
        for other in secrets.near(*span) {
            violation.redact(other);
        }
    }
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;

    use super::*;

    /// Deterministic random-looking base62 (not a token).
    fn fake(len: usize, seed: u64) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                char::from(ALPHABET[((state >> 33) % 62) as usize])
            })
            .collect()
    }

    fn run(text: &str) -> Outcome {
        let source = SourceFile::new("f", text);
        let file = FileContext { source: &source, syntax: &Syntax::Text, scope: &Default::default() };
        let resource = Resource::bare(Target::Text, "file", "f", Span::default(), 0);
        let mut out = Outcome::default();
        check(&resource, &file, &mut out);
        out
    }

    #[test]
    fn pattern_compiles() {
        assert!(TOKEN.is_some());
    }

    #[test]
    fn every_format_is_found_masked_and_redacted() {
        let cases = [
            ("ghp_", "personal access token (classic)"),
            ("gho_", "OAuth access token"),
            ("ghu_", "App user-to-server token"),
            ("ghs_", "App installation token"),
            ("ghr_", "App refresh token"),
        ];
        for (seed, (prefix, kind)) in cases.iter().enumerate() {
            let token = format!("{prefix}{}", fake(36, seed as u64 + 1));
            let text = format!("env:\n  GH_TOKEN: {token}\n");
            let out = run(&text);
            assert_eq!(out.violations.len(), 1, "{text}");
            let v = &out.violations[0];
            assert_eq!(&text[v.span.start..v.span.end], token);
            assert_eq!(v.message, format!("GitHub {kind} `{prefix}****` is committed"));
            assert_eq!(v.redact, [v.span]);
        }
        let fine = format!("github_pat_{}_{}", fake(22, 9), fake(59, 10));
        let out = run(&format!("GITHUB_TOKEN=\"{fine}\"\n"));
        assert_eq!(out.violations.len(), 1);
        assert_eq!(out.violations[0].message, "GitHub fine-grained personal access token `gith****` is committed");
    }

    #[test]
    fn several_tokens_redact_each_other() {
        let (a, b) = (format!("ghp_{}", fake(36, 20)), format!("ghs_{}", fake(36, 21)));
        let out = run(&format!("a={a}\nb={b}\n"));
        assert_eq!(out.violations.len(), 2);
        assert!(out.violations.iter().all(|v| v.redact.len() == 2));
    }

    #[test]
    fn placeholders_references_and_other_shapes_pass() {
        let body = fake(36, 30);
        let passing = [
            "token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".to_string(),
            "token: ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n".to_string(),
            "token: ghp_0123456789abcdefghijklmnopqrstuvwxyz\n".to_string(),
            "token: ghp_abcABCabcABCabcABCabcABCabcABCabcABC\n".to_string(),
            "token: ghp_ExampleToken00ExampleToken00Example0\n".to_string(),
            "token: ${{ secrets.GH_PAT }}\n".to_string(),
            format!("token: \"${{ghp_{body}}}\"\n"),
            format!("token: <ghp_{body}>\n"),
            // Wrong length, glued to a word, or an unknown prefix.
            format!("token: ghp_{}\n", &body[..30]),
            format!("token: ghp_{body}Q\n"),
            format!("token: xghp_{body}\n"),
            format!("token: ghx_{body}\n"),
            "Tokens start with ghp_, gho_, ghu_, ghs_, ghr_ or github_pat_.\n".to_string(),
        ];
        for text in &passing {
            assert!(run(text).violations.is_empty(), "{text}");
        }
    }
}
