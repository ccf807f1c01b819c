//! ## What it checks
//! Every text file for Slack credentials (the formats of gitleaks' `slack-bot-token`,
//! `slack-user-token`, `slack-app-token`, `slack-legacy-*`, `slack-config-*` and
//! `slack-webhook-url` rules):
//! - API tokens `xoxb-` (bot), `xoxp-` (user), `xoxa-` (workspace app, legacy), `xoxr-`
//!   (refresh), `xoxs-` / `xoxo-` (legacy session), `xoxe.xoxb-` / `xoxe.xoxp-` (rotating)
//!   and `xoxe-` (rotation refresh), and app-level tokens `xapp-`. A token counts when it is
//!   made of `-`-separated segments, at least one of them all digits (the team, user or
//!   version number; not required of `xoxa-` and `xoxr-`), ending in a segment of at least
//!   8 characters;
//! - webhook URLs `https://hooks.slack.com/services/T.../B.../<secret>` (incoming webhooks),
//!   `.../workflows/...` and `.../triggers/...` (Workflow Builder), with at least three path
//!   segments after the kind, the last of at least 16 characters.
//!
//! The finding points at the token or URL. Messages show only the first four characters of
//! the secret (`xoxb****`, `https://hooks.slack.com/services/T04A****`), and the token, or
//! the URL's path after the kind, is redacted in every output format.
//!
//! Not reported (placeholders, the allowlist):
//! - fillers: a final segment with fewer than 8 distinct characters
//!   (`T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`, Slack's documented example), a run of
//!   six consecutive characters anywhere (`xoxb-1234567890-...`, `abcdef`), or a placeholder
//!   word (`example`, `sample`, `dummy`, `fake`, `placeholder`, `your`, `xxxx`, `test`,
//!   `redacted`);
//! - the prefix alone or with words (`xoxb-your-bot-token`): no numeric segment;
//! - a match inside an interpolation or reference (`${SLACK_WEBHOOK_URL}`,
//!   `${{ secrets.SLACK_BOT_TOKEN }}`, `$(...)`, `{{resolve:...}}`, `!Ref`) or an
//!   angle-bracket placeholder (`<xoxb-...>`).
//!
//! Fixture and test directories that legitimately hold fake tokens are excluded by
//! configuration (`[[lint.per-path]]` with `ignore = ["TL-SECRET"]`), not by this rule.
//!
//! ## Why it matters (CC6.1, C1.1)
//! A Slack token reads and posts as its bot or user: channel history, files and direct
//! messages are confidential information that leaves the organisation with it (C1.1), and
//! access to the workspace is no longer restricted to the people it was granted to (CC6.1).
//! A webhook URL is a bearer credential too: whoever has it can post convincing messages
//! (phishing links, fake alerts) into the channel. Committed, either one reaches every clone
//! and fork of the repository, and stays in its history.
//!
//! ## Failing example
//! ```yaml
//! alertmanager:
//!   receivers:
//!     - name: oncall
//!       slack_configs:
//!         - api_url: https://hooks.slack.com/services/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
//! ```
//!
//! ## Passing example
//! ```yaml
//! alertmanager:
//!   receivers:
//!     - name: oncall
//!       slack_configs:
//!         - api_url_file: /etc/alertmanager/secrets/slack-webhook-url
//! ```
//!
//! ## Fix
//! Revoke the credential in Slack now: regenerate the webhook (or remove it from the app's
//! Incoming Webhooks page), or revoke the token (`auth.revoke`, or reinstall the app to
//! rotate its bot token). Then remove it from the file and the history, and read it at run
//! time from a secret store (`api_url_file`, a CI secret, a Kubernetes Secret).

use std::sync::LazyLock;

use regex::Regex;
use trustlint_engine::finding::mask_secret;

use crate::credential::is_filler;
use crate::prelude::*;
use crate::reference::is_reference;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-SECRET-004",
        name: "slack-token-or-webhook",
        title: "Slack token or webhook URL committed",
        severity: Severity::High,
        criteria: &["CC6.1", "C1.1"],
        help: "Revoke the token or regenerate the webhook in Slack, remove it from the file and the history, and read it from a secret store at run time.",
        checkov: &["CKV_SECRET_14"],
        kics: &["7908a9e3-5cac-41b1-b514-5f6d82ce02d5", "ccde326f-ebc7-4772-8ad5-de66e90a8cc3"],
        trivy: &[],
        other: &[
            "gitleaks: slack-bot-token",
            "gitleaks: slack-user-token",
            "gitleaks: slack-app-token",
            "gitleaks: slack-webhook-url",
        ],
        bindings: &[(Target::Text, &["file"])],
    }
}

// Constant patterns compile (a test says so); `None` would only make the rule find nothing.

/// A token: group 1 is the prefix, group 2 the `-`-separated body.
static TOKEN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(xoxe\.xox[bp]|xox[baprseo]|xapp)-([0-9A-Za-z]+(?:-[0-9A-Za-z]+)*)").ok()
});

/// A webhook URL: group 1 is the kind, group 2 the path after it.
static WEBHOOK: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:https?://)?hooks\.slack\.com/(services|workflows|triggers)/([A-Za-z0-9_+/-]+)").ok()
});

/// Characters of the last segment of a token.
const MIN_TOKEN_SECRET: usize = 8;
/// Characters of the secret at the end of a webhook URL (incoming webhooks have 24).
const MIN_WEBHOOK_SECRET: usize = 16;
/// Distinct characters the final segment must have.
const MIN_DISTINCT: usize = 8;

/// One Slack credential found: where to point, what to redact, how to name it.
struct Found {
    span: Span,
    secret: Span,
    message: String,
}

fn token_kind(prefix: &str) -> &'static str {
    match prefix {
        "xoxb" => "bot token",
        "xoxp" => "user token",
        "xoxa" => "workspace app token",
        "xoxr" => "refresh token",
        "xoxs" | "xoxo" => "legacy session token",
        "xoxe" => "token-rotation refresh token",
        "xapp" => "app-level token",
        _ => "rotating access token",
    }
}

fn tokens(text: &str) -> Vec<Found> {
    let Some(token) = TOKEN.as_ref() else { return Vec::new() };
    let mut found = Vec::new();
    for caps in token.captures_iter(text) {
        let (Some(whole), Some(prefix), Some(body)) = (caps.get(0), caps.get(1), caps.get(2)) else { continue };
        let segments: Vec<&str> = body.as_str().split('-').collect();
        let last = segments.last().copied().unwrap_or("");
        let needs_number = !matches!(prefix.as_str(), "xoxa" | "xoxr");
        let numbered = segments.iter().any(|s| s.bytes().all(|b| b.is_ascii_digit()));
        let span = Span::new(whole.start(), whole.end());
        if last.len() < MIN_TOKEN_SECRET
            || (needs_number && !numbered)
            || is_filler(last, MIN_DISTINCT)
            || is_filler(body.as_str(), MIN_DISTINCT)
            || is_reference(text, span)
        {
            continue;
        }
        let message = format!("Slack {} `{}` is committed", token_kind(prefix.as_str()), mask_secret(whole.as_str()));
        found.push(Found { span, secret: span, message });
    }
    found
}

fn webhooks(text: &str) -> Vec<Found> {
    let Some(webhook) = WEBHOOK.as_ref() else { return Vec::new() };
    let mut found = Vec::new();
    for caps in webhook.captures_iter(text) {
        let (Some(whole), Some(kind), Some(path)) = (caps.get(0), caps.get(1), caps.get(2)) else { continue };
        let segments: Vec<&str> = path.as_str().split('/').filter(|s| !s.is_empty()).collect();
        let last = segments.last().copied().unwrap_or("");
        let span = Span::new(whole.start(), whole.end());
        if segments.len() < 3
            || last.len() < MIN_WEBHOOK_SECRET
            || is_filler(last, MIN_DISTINCT)
            || is_reference(text, span)
        {
            continue;
        }
        let name = match kind.as_str() {
            "services" => "incoming webhook URL",
            "workflows" => "workflow webhook URL",
            _ => "workflow trigger URL",
        };
        let shown = text.get(whole.start()..path.start()).unwrap_or("");
        let message = format!("Slack {name} `{shown}{}` is committed", mask_secret(path.as_str()));
        found.push(Found { span, secret: Span::new(path.start(), path.end()), message });
    }
    found
}

pub(crate) fn check(_resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let text = file.source.text.as_str();
    let mut found = tokens(text);
    found.extend(webhooks(text));
    found.sort_by_key(|f| f.span.start);
    for f in &found {
        let violation = out.fail(f.span, f.message.clone());
        // Every secret of the file, so that a neighbouring line shown as context is masked too.
        for other in &found {
            violation.redact(other.secret);
        }
    }
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;

    use super::*;

    fn run(text: &str) -> Outcome {
        let source = SourceFile::new("f", text);
        let file = FileContext { source: &source, syntax: &Syntax::Text, scope: &Default::default() };
        let resource = Resource::bare(Target::Text, "file", "f", Span::default(), 0);
        let mut out = Outcome::default();
        check(&resource, &file, &mut out);
        out
    }

    #[test]
    fn patterns_compile() {
        assert!(TOKEN.is_some() && WEBHOOK.is_some());
    }

    #[test]
    fn tokens_are_found_masked_and_redacted() {
        let cases = [
            ("xoxb-7316402958-5830174269381-qT3rWm8KzN2vLp6HxB9cYd4J", "bot token", "xoxb"),
            ("xoxp-4180275936-4820193756-6093817245-8e3f9a1c7b2d6045e9f8a3c1b7d2e6f0", "user token", "xoxp"),
            ("xapp-1-A05K3P7QW2M-6093817245183-9f8e3a1c7b2d6045e9f8a3c1b7d2e6f08e3f9a1c", "app-level token", "xapp"),
            ("xoxa-2-Kz8Qw3Rt6Yp1Lm4Nb7Vc0Xs9", "workspace app token", "xoxa"),
            ("xoxe.xoxp-1-Mi0yLTQxODAyNzU5MzYtNDgyMDE5Mzc1Ni02MDkzODE3MjQ1", "rotating access token", "xoxe"),
        ];
        for (token, kind, head) in cases {
            let text = format!("slack:\n  token: {token}\n");
            let out = run(&text);
            assert_eq!(out.violations.len(), 1, "{token}");
            let v = &out.violations[0];
            assert_eq!(&text[v.span.start..v.span.end], token);
            assert_eq!(v.message, format!("Slack {kind} `{head}****` is committed"));
            assert_eq!(v.redact, [v.span]);
        }
    }

    #[test]
    fn webhooks_are_found_with_their_path_redacted() {
        let url = "https://hooks.slack.com/services/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";
        let text = format!("SLACK_WEBHOOK_URL={url}\n");
        let out = run(&text);
        assert_eq!(out.violations.len(), 1);
        let v = &out.violations[0];
        assert_eq!(&text[v.span.start..v.span.end], url);
        assert_eq!(v.message, "Slack incoming webhook URL `https://hooks.slack.com/services/T04A****` is committed");
        assert_eq!(&text[v.redact[0].start..v.redact[0].end], "T04AB7QKZ/B05CD2RTX/q7Hw2LmZ9xKp4Rv8Ns3Tb6Yc");
        let trigger = "curl -X POST hooks.slack.com/triggers/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\n";
        assert_eq!(run(trigger).violations.len(), 1);
    }

    #[test]
    fn placeholders_and_references_pass() {
        let passing = [
            "url: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n",
            "url: https://hooks.slack.com/services/T00000000/B00000000/abcdefghijklmnopqrstuvwx\n",
            "url: https://hooks.slack.com/services/${{ secrets.SLACK_WEBHOOK }}\n",
            "url: ${SLACK_WEBHOOK:-https://hooks.slack.com/services/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}\n",
            "Incoming webhooks live under https://hooks.slack.com/services/.\n",
            "token: xoxb-your-bot-token-goes-here\n",
            "token: xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\n",
            "token: xoxb-7316402958-5830174269381-xxxxxxxxxxxxxxxxxxxxxxxx\n",
            "token: xoxp-\n",
            "token: <xoxb-7316402958-5830174269381-qT3rWm8KzN2vLp6HxB9cYd4J>\n",
            "Bot tokens start with xoxb- and user tokens with xoxp-.\n",
        ];
        for text in passing {
            assert!(run(text).violations.is_empty(), "{text}");
        }
    }
}
