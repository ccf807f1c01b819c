//! Masking text that looks like a secret wherever source text is shown.
//!
//! Rules redact the secrets they find ([`crate::finding::Finding::redact`]); this is the second
//! line of defence for text shown for another reason: the lines around a finding in the
//! human output, or a message that quotes input. It masks the shapes of well-known
//! credentials (AWS access key ids, GitHub and Slack tokens, long base64 runs such as key
//! material) and the values assigned to names that say they hold a secret (`password = ...`,
//! `api_key: ...`). The first four characters stay; every later byte becomes `*`, so offsets
//! into the text stay valid.
//!
//! ```
//! use trustlint_engine::redact::mask_secret_shapes;
//! let shown = mask_secret_shapes("DB_PASSWORD=correct-horse  # and AKIA2E7QZ4PFN5WJHX6M");
//! assert_eq!(shown, "DB_PASSWORD=corr*********  # and AKIA****************");
//! ```

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::Span;

/// Credential shapes masked whole (after their first four characters).
static TOKENS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
        r"|\bgh[pousr]_[A-Za-z0-9]{30,255}\b",
        r"|\bgithub_pat_[A-Za-z0-9_]{22,255}\b",
        r"|\bxox[abposre]-[A-Za-z0-9-]{10,250}",
        r"|hooks\.slack\.com/services/[A-Za-z0-9/_-]{10,200}",
        r"|[A-Za-z0-9+/]{40,}={0,2}",
    ))
    .ok()
});

/// A value assigned to a name that says it is secret: the value is group 1.
static ASSIGNED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)(?:password|passwd|pwd|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key|credentials?)"#,
        r#"[A-Za-z0-9_.-]*["']?\s*(?:=>|:=|[:=])\s*["']?([^\s"'`,;]{5,})"#,
    ))
    .ok()
});

/// Spans of `text` that look like secrets, in order (they may overlap).
pub fn secret_shapes(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    if let Some(tokens) = TOKENS.as_ref() {
        spans.extend(
            tokens
                .find_iter(text)
                .filter(|m| is_credential_like(m.as_str()))
                .map(|m| Span::new(m.start(), m.end())),
        );
    }
    if let Some(assigned) = ASSIGNED.as_ref() {
        spans.extend(
            assigned
                .captures_iter(text)
                .filter_map(|c| c.get(1))
                .filter(|m| !is_reference(m.as_str()))
                .map(|m| Span::new(m.start(), m.end())),
        );
    }
    spans.sort_unstable();
    spans
}

/// A long base64-looking run counts only when it mixes upper case, lower case and digits:
/// key material does, hexadecimal digests and long words do not.
fn is_credential_like(found: &str) -> bool {
    if found.len() < 40 {
        return true;
    }
    let has = |f: fn(&u8) -> bool| found.as_bytes().iter().any(f);
    has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit)
}

/// Values that name a secret rather than hold one (`${VAR}`, `$(cmd)`, `{{ ... }}`).
fn is_reference(value: &str) -> bool {
    value.starts_with('$') || value.starts_with('{') || value.starts_with('<') || value.starts_with('!')
}

/// `text` with every secret shape masked (see [`mask_spans`]).
pub fn mask_secret_shapes(text: &str) -> Cow<'_, str> {
    let spans = secret_shapes(text);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(mask_spans(text, 0, &spans))
}

/// `text` (which starts at byte `base` of its file) with the bytes of every span after its
/// first four characters replaced by `*`, byte for byte, so that offsets stay valid. Spans
/// are file offsets; parts outside `text` are ignored. Linear in the text and the spans.
pub fn mask_spans(text: &str, base: usize, spans: &[Span]) -> String {
    // Byte ranges (relative to `text`) to hide, from each span's fifth character.
    let end_of_text = base + text.len();
    let mut hidden: Vec<(usize, usize)> = spans
        .iter()
        .filter(|s| s.end > base && s.start < end_of_text)
        .filter_map(|s| {
            let secret = text.get(s.start.saturating_sub(base)..s.end.min(end_of_text) - base)?;
            let shown: usize = if s.start >= base {
                secret.chars().take(4).map(char::len_utf8).sum()
            } else {
                // The secret starts before the text: its first characters are not here.
                0
            };
            let from = s.start.max(base) - base + shown;
            let to = s.end.min(end_of_text) - base;
            (from < to).then_some((from, to))
        })
        .collect();
    hidden.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (from, to) in hidden {
        let from = from.max(at);
        if from >= to {
            continue;
        }
        out.push_str(text.get(at..from).unwrap_or(""));
        out.extend(std::iter::repeat_n('*', to - from));
        at = to;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_shapes_are_masked() {
        for (text, shown) in [
            ("key = AKIA2E7QZ4PFN5WJHX6M", "key = AKIA****************"),
            ("t ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "t ghp_************************************"),
            ("xoxb-1234567890-abcdefghij", "xoxb**********************"),
            ("hooks.slack.com/services/T000/B000/XXXX", "hook***********************************"),
            ("password: hunter22", "password: hunt****"),
            ("\"api_key\": \"0123456789\"", "\"api_key\": \"0123******\""),
        ] {
            assert_eq!(mask_secret_shapes(text), shown, "{text}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in [
            "image: nginx@sha256:0f2f2e1b8c4d6a7e9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6",
            "password: ${DB_PASSWORD}",
            "token: {{ .Values.token }}",
            "privileged: true",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(matches!(mask_secret_shapes(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn spans_are_masked_byte_for_byte_and_may_start_outside_the_text() {
        let file = "ab é secretvalue end";
        let at = file.find("secret").expect("secret");
        let spans = [Span::new(at, at + "secretvalue".len())];
        let masked = mask_spans(file, 0, &spans);
        assert_eq!(masked, "ab é secr******* end");
        assert_eq!(masked.len(), file.len());
        // A window that starts inside the secret masks all of what it shows of it.
        let window = &file[at + 2..];
        assert_eq!(mask_spans(window, at + 2, &spans), "********* end");
        // Each span keeps its own first four characters; spans past the text are ignored.
        let spans = [Span::new(0, 4), Span::new(2, 9), Span::new(100, 200)];
        assert_eq!(mask_spans("abcdefghijkl", 0, &spans), "abcdef***jkl");
    }
}
