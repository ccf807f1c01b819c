//! Credentials written as literals in any text file, judged one way for every rule that looks
//! for them: a secret-like name given a literal value (`DB_PASSWORD=...`, `"api_key": "..."`,
//! `password = "..."`, `ENV TOKEN ...`, `<password>...</password>`), a Terraform variable
//! with a secret-like name and a literal default, and a password inside a URL
//! (`postgres://app:...@db/app`).
//!
//! A value is a credential when it is a literal (not an interpolation, a reference, a template
//! or an identifier), not a well-known placeholder, at least [`MIN_LENGTH`] characters long,
//! and its Shannon entropy is at least [`MIN_ENTROPY`] bits per character ([`MIN_HEX_ENTROPY`]
//! for hexadecimal values). The entropy bar is what tells `Xk9mQ2vL7pR4wT8z` from
//! `changeme`, `hunter2` or `my-app-password`: a word or a few words repeat letters and stay
//! well below it, while random material of 12 characters and more reaches it. A base64 value
//! that decodes to printable text is judged by what it encodes.
//!
//! The module also knows which spans the specific token rules (AWS keys, private keys, GitHub
//! and Slack tokens) report in a file, so that a credential is reported once, by the most
//! specific rule.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::prelude::*;
use crate::reference::is_reference;
use crate::secret_names::{is_secret_key, words};

/// Shannon entropy a value must reach, in bits per character. 3.5 is gitleaks' bar for its
/// generic rule: random base62 material of 12 characters reaches it (its maximum is
/// log2 of the number of distinct characters, so fewer than 12 distinct characters never do),
/// English words and passwords made of them do not.
pub(crate) const MIN_ENTROPY: f64 = 3.5;

/// The entropy bar for values written in hexadecimal only. Their alphabet has 16 characters,
/// so random hex tops out at 4 bits per character and a 128-bit key in 32 hex digits often
/// measures between 3.3 and 3.7: the general bar would miss many of them.
pub(crate) const MIN_HEX_ENTROPY: f64 = 3.0;

/// Characters a value must have (the catalogue's bar; the entropy bar raises it in practice).
pub(crate) const MIN_LENGTH: usize = 8;

/// A run of this many consecutive characters (`123456`, `abcdef`, `FEDCBA`) marks a filler.
const SEQUENCE_RUN: usize = 6;

/// Words that make a value a placeholder wherever they appear in it, in any case. A random
/// secret contains one of these by chance with a probability below one in ten thousand.
const PLACEHOLDER_WORDS: [&str; 29] = [
    "example",
    "sample",
    "dummy",
    "fake",
    "placeholder",
    "changeme",
    "change-me",
    "change_me",
    "changeit",
    "your",
    "here",
    "redacted",
    "replace",
    "insert",
    "xxxx",
    "****",
    "....",
    "todo",
    "fixme",
    "test",
    "mock",
    "default",
    "secret",
    "password",
    "passwd",
    "notreal",
    "not-real",
    "undefined",
    "null",
];

/// A credential found as a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    /// The name the value is assigned to (`DB_PASSWORD`), or the URL scheme (`postgres`) for
    /// a password in a URL.
    pub name: String,
    /// The value itself, quotes excluded.
    pub value: Span,
    /// How the value was written.
    pub origin: Origin,
}

/// How a credential literal was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `name = value` and its variants.
    Assignment,
    /// The password of a URL.
    Url,
    /// The `default` of a Terraform variable with a secret-like name.
    VariableDefault,
}

// Constant patterns compile (a test says so); `None` would only make the scanners find nothing.

/// A name followed by an assignment operator: `key=`, `key:`, `"key":`, `key :=`, `key =>`.
/// Group 1 is the name, group 2 the quote closing a quoted name, group 3 the operator.
static ASSIGNMENT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"([A-Za-z_][A-Za-z0-9_.\-]*)(["']?)[ \t]*(:=|=>|=|:)"#).ok());

/// Dockerfile's legacy `ENV NAME value` (no `=`): group 1 is the name.
static DOCKER_ENV: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?mi)^[ \t]*ENV[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+").ok());

/// `scheme://user:password@host`: group 1 is the scheme, group 2 the password.
static URL_PASSWORD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"\b([A-Za-z][A-Za-z0-9+.\-]*)://[^\s:/@'"`<>]*:([^\s@/'"`<>]+)@[^\s@]"#).ok()
});

/// An XML element holding text only: `<password>...</password>` (Maven `settings.xml`,
/// Tomcat, .NET configs). Groups 1 and 3 are the tag names, group 2 the text.
static XML_ELEMENT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"<([A-Za-z_][A-Za-z0-9_.:-]*)>([^<>\s]+)</([A-Za-z_][A-Za-z0-9_.:-]*)>").ok()
});

/// Upper-case identifiers (`MY_API_TOKEN`): the name of a variable, not a value.
static CONSTANT_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$").ok());

/// Dotted paths (`var.db_password`, `secrets.token`, `process.env.TOKEN`): a reference.
static DOTTED_PATH: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)+$").ok());

/// Words joined by case steps or separators (`databasePassword`, `ApiTokenValue`,
/// `my-app-token`): an identifier or a phrase, not random material.
static WORDS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?:[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z][a-z]+){2,}|[a-z]+(?:[-_.][a-z]+)+)$").ok()
});

/// Every credential literal of a file, in text order. `path` decides whether an unquoted
/// value is a literal (configuration formats) or an expression (program and Terraform code).
pub(crate) fn literals(path: &str, text: &str) -> Vec<Literal> {
    let mut found = assignments(path, text);
    found.extend(url_passwords(text));
    found.sort_by_key(|l| (l.value.start, l.value.end));
    found.dedup_by_key(|l| l.value);
    found
}

/// Terraform `variable "<secret-like name>" { default = "<literal>" }`: the default is
/// committed with the module whatever `sensitive` says.
pub(crate) fn variable_defaults(syntax: &Syntax, text: &str) -> Vec<Literal> {
    let Syntax::Hcl(hcl) = syntax else { return Vec::new() };
    hcl.blocks
        .iter()
        .filter(|block| block.ident == "variable")
        .filter_map(|block| {
            let (name, _) = block.labels.first()?;
            let default = block.body.get("default")?;
            if !is_credential_name(name) || !matches!(default.value, Value::String(_)) {
                return None;
            }
            let quoted = text.get(default.span.start..default.span.end)?;
            if quoted.len() < 2 || !quoted.starts_with('"') || !quoted.ends_with('"') {
                return None;
            }
            let value = Span::new(default.span.start + 1, default.span.end - 1);
            is_credential(text, value, name).then(|| Literal {
                name: name.clone(),
                value,
                origin: Origin::VariableDefault,
            })
        })
        .collect()
}

/// Secret-like names assigned a credential literal.
fn assignments(path: &str, text: &str) -> Vec<Literal> {
    let (Some(assignment), Some(docker_env)) = (ASSIGNMENT.as_ref(), DOCKER_ENV.as_ref()) else {
        return Vec::new();
    };
    let bare_is_literal = !is_code(path);
    let mut found = Vec::new();
    for caps in assignment.captures_iter(text) {
        let (Some(name), Some(operator)) = (caps.get(1), caps.get(3)) else { continue };
        let quote = caps.get(2).map_or("", |q| q.as_str());
        if !quote.is_empty() && !text.get(..name.start()).is_some_and(|t| t.ends_with(quote)) {
            continue;
        }
        if !operator_is_assignment(text, operator.start(), operator.as_str(), !quote.is_empty()) {
            continue;
        }
        let key = name.as_str().trim_end_matches(['.', '-']);
        if !is_credential_name(key) {
            continue;
        }
        let Some((value, quoted)) = value_after(text, operator.end()) else { continue };
        if (quoted || bare_is_literal) && is_credential(text, value, key) {
            found.push(Literal { name: key.to_string(), value, origin: Origin::Assignment });
        }
    }
    if let Some(xml) = XML_ELEMENT.as_ref() {
        for caps in xml.captures_iter(text) {
            let (Some(open), Some(value), Some(close)) = (caps.get(1), caps.get(2), caps.get(3)) else {
                continue;
            };
            let span = Span::new(value.start(), value.end());
            if open.as_str() == close.as_str()
                && is_credential_name(open.as_str())
                && is_credential(text, span, open.as_str())
            {
                found.push(Literal {
                    name: open.as_str().to_string(),
                    value: span,
                    origin: Origin::Assignment,
                });
            }
        }
    }
    for caps in docker_env.captures_iter(text) {
        let (Some(name), Some(whole)) = (caps.get(1), caps.get(0)) else { continue };
        if !is_credential_name(name.as_str()) {
            continue;
        }
        let Some((value, _)) = value_after(text, whole.end()) else { continue };
        if is_credential(text, value, name.as_str()) {
            found.push(Literal { name: name.as_str().to_string(), value, origin: Origin::Assignment });
        }
    }
    found
}

/// Passwords written into URLs.
fn url_passwords(text: &str) -> Vec<Literal> {
    let Some(url) = URL_PASSWORD.as_ref() else { return Vec::new() };
    url.captures_iter(text)
        .filter_map(|caps| {
            let (scheme, password) = (caps.get(1)?, caps.get(2)?);
            let value = Span::new(password.start(), password.end());
            is_credential(text, value, "password").then(|| Literal {
                name: scheme.as_str().to_string(),
                value,
                origin: Origin::Url,
            })
        })
        .collect()
}

/// Whether a name says its value is a credential: the shared secret-name list, plus
/// `access key` (which the catalogue lists; AWS access key IDs themselves are TL-SECRET-001's
/// and never reach here), unless a word says the value is derived from the secret or
/// describes it by its last word (`PASSWORD_HASH`, `token-ca-cert-hash`, `TOKEN_ENV`,
/// `secretKeyRef`).
pub(crate) fn is_credential_name(key: &str) -> bool {
    let words = words(key);
    if words.last().is_some_and(|w| DESCRIBES_THE_SECRET.contains(&w.as_str())) {
        return false;
    }
    // `POSTGRES_PW`; only as the last word (`PW_DEBUG` is Playwright's).
    if is_secret_key(key) || (words.len() > 1 && words.last().is_some_and(|w| w == "pw")) {
        return true;
    }
    // Names written as one word (`azurestorageaccountkey`, `dbpassword`) and the pairs the
    // shared list leaves out (`AccessKey`, `AccountKey`).
    let compact: String = words.concat();
    JOINED_SUFFIXES.iter().any(|suffix| compact.ends_with(suffix))
}

/// Endings of a name written without separators that make it secret-like.
const JOINED_SUFFIXES: [&str; 11] = [
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "accountkey",
    "secretkey",
    "privatekey",
    "clientsecret",
];

/// Last words that make a secret-like name hold something other than the secret (besides
/// the shared list's `_FILE`, `_URL`, `_NAME`, ...).
const DESCRIBES_THE_SECRET: [&str; 17] = [
    "hash",
    "hashed",
    "digest",
    "checksum",
    "fingerprint",
    "sha",
    "sha1",
    "sha256",
    "md5",
    "hint",
    "ref",
    "reference",
    "env",
    "var",
    "variable",
    "field",
    "placeholder",
];

/// Example credentials published in specifications and their reference sites, which
/// documentation and client libraries quote: RFC 6749 (OAuth 2.0), RFC 6750 (bearer tokens),
/// RFC 5849 (OAuth 1.0) and jwt.io's sample token.
const DOCUMENTED_EXAMPLES: [&str; 12] = [
    "2YotnFZFEjr1zCsicMWpAA",
    "tGzv3JOkF0XG5Qx2TlKWIA",
    "SplxlOBeZQQYbYS6WxSbIA",
    "7Fjfp0ZBr1KtDRbnfVdmIw",
    "mF_9.B5f-4.1JqM",
    "ad180jjd733klru7",
    "dh893hdasih9",
    "kllo9940pd9333jh",
    "hh5s93j4hdidpola",
    "nnch734d00sl2jdk",
    "pfkkdhi9sl3r4s00",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// `=`, `:`, `:=` and `=>` that assign, not `==`, `=~`, `::` or a `:` glued to a word
/// (`http:`, `a?b:c` in code is rare next to a secret name and stays out too).
fn operator_is_assignment(text: &str, at: usize, operator: &str, quoted_key: bool) -> bool {
    let after = text.get(at + operator.len()..).and_then(|t| t.chars().next());
    match operator {
        "=" => !matches!(after, Some('=' | '~')),
        ":" => {
            matches!(after, None | Some(' ' | '\t' | '\r' | '\n' | '"' | '\''))
                || (quoted_key && after.is_some_and(|c| c != ':'))
        }
        _ => true,
    }
}

/// The value that follows an operator on its line: a quoted string (without its quotes), or
/// a bare word. Returns the span and whether it was quoted. Block scalars, structures,
/// anchors, tags and a value on the next line are not literals.
fn value_after(text: &str, from: usize) -> Option<(Span, bool)> {
    let rest = text.get(from..)?;
    let start = from + rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let bytes = text.as_bytes();
    let first = *bytes.get(start)?;
    if first == b'"' || first == b'\'' || first == b'`' {
        let mut i = start + 1;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\\' if first == b'"' => i += 2,
                b'\n' | b'\r' => return None,
                _ if b == first => return Some((Span::new(start + 1, i), true)),
                _ => i += 1,
            }
        }
        return None;
    }
    if matches!(first, b'\n' | b'\r' | b'[' | b'{' | b'(' | b'|' | b'>' | b'&' | b'*' | b'!' | b'#') {
        return None;
    }
    let mut end = start;
    while let Some(&b) = bytes.get(end) {
        // `&` ends a query-string parameter (`?user=app&password=...`).
        if b.is_ascii_whitespace()
            || matches!(b, b',' | b';' | b'&' | b'(' | b')' | b']' | b'}' | b'"' | b'\'' | b'`')
        {
            break;
        }
        end += 1;
    }
    // `value(...)` is a call, whatever the format.
    if bytes.get(end) == Some(&b'(') {
        return None;
    }
    (end > start).then(|| (Span::new(start, end), false))
}

/// Files where an unquoted value is an expression (a variable, a call), not a literal.
fn is_code(path: &str) -> bool {
    const CODE: [&str; 40] = [
        "tf",
        "tfvars",
        "hcl",
        "py",
        "js",
        "mjs",
        "cjs",
        "ts",
        "tsx",
        "jsx",
        "go",
        "java",
        "kt",
        "kts",
        "scala",
        "groovy",
        "gradle",
        "rb",
        "rs",
        "cs",
        "php",
        "swift",
        "c",
        "h",
        "cc",
        "cpp",
        "hpp",
        "m",
        "jsonnet",
        "libsonnet",
        "nix",
        "lua",
        "pl",
        "pm",
        "ex",
        "exs",
        "dart",
        "vue",
        "svelte",
        "cue",
    ];
    let name = path.rsplit('/').next().unwrap_or(path);
    if matches!(name, "Jenkinsfile" | "Vagrantfile" | "Rakefile" | "Gemfile" | "Podfile" | "Fastfile") {
        return true;
    }
    name.rsplit_once('.').is_some_and(|(_, ext)| CODE.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Whether the value at `span` of `text`, assigned to `key`, is a credential literal: not a
/// reference or template, not a placeholder, not an identifier, path or URL, and random
/// enough.
pub(crate) fn is_credential(text: &str, span: Span, key: &str) -> bool {
    let Some(value) = text.get(span.start..span.end) else { return false };
    !is_reference(text, span) && is_credential_value(value, key)
}

/// The test on the value alone. A base64 value that decodes to printable text (Kubernetes
/// `Secret` data, basic-auth pairs) is judged by what it encodes, so that
/// `cGFzc3dvcmQxMjM=` (`password123`) is the weak word it hides, not random material.
fn is_credential_value(value: &str, key: &str) -> bool {
    if value.chars().count() < MIN_LENGTH || value.chars().any(char::is_whitespace) {
        return false;
    }
    if let Some(decoded) = decode_printable_base64(value) {
        return is_credential_text(&decoded, key);
    }
    is_credential_text(value, key)
}

fn is_credential_text(value: &str, key: &str) -> bool {
    let bar = if value.bytes().all(|b| b.is_ascii_hexdigit()) { MIN_HEX_ENTROPY } else { MIN_ENTROPY };
    value.chars().count() >= MIN_LENGTH
        && !(is_templated(value) || is_placeholder(value, key) || is_not_a_secret_shape(value))
        && shannon_entropy(value) >= bar
}

/// Standard base64 (with padding, length a multiple of 4) that decodes to printable ASCII.
fn decode_printable_base64(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let digit = |b: u8| -> Option<u32> {
        match b {
            b'A'..=b'Z' => Some(u32::from(b - b'A')),
            b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let body = value.trim_end_matches('=');
    if bytes.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for b in body.bytes() {
        buffer = ((buffer << 6) | digit(b)?) & 0xFFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xFF).ok()?);
        }
    }
    out.iter().all(|b| (0x20..0x7f).contains(b)).then(|| String::from_utf8(out).ok()).flatten()
}

/// Interpolations and templates of every format the scanners meet: `${X}`, `$X`, `$(cmd)`,
/// `{{ x }}`, `%{x}`, `#{x}`, `%X%`, `%(x)s`, `{x}`, `@X@`, SOPS `ENC[...]`, Ansible
/// `!vault`, and password hashes (`$2y$...`, `{SSHA}...`), which are not the password.
fn is_templated(value: &str) -> bool {
    let bytes = value.as_bytes();
    let dollar = bytes.windows(2).any(|w| {
        w.first() == Some(&b'$')
            && w.get(1).is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'{' | b'(' | b'_'))
    });
    let wrapped = |open: char, close: char| value.starts_with(open) && value.ends_with(close);
    dollar
        || value.starts_with('$')
        || value.contains("{{")
        || value.contains("}}")
        || value.contains("%{")
        || value.contains("#{")
        || value.contains("%(")
        || value.starts_with("ENC[")
        || wrapped('%', '%')
        || wrapped('{', '}')
        || wrapped('@', '@')
        || wrapped('<', '>')
        || wrapped('[', ']')
        || (value.starts_with("__") && value.ends_with("__"))
}

/// Well-known placeholders: a placeholder word anywhere (`your-token-here`, `changeme`,
/// `sk_test_...`, `xxxx...`), the name spelled again (`API_KEY_VALUE`), fillers.
pub(crate) fn is_placeholder(value: &str, key: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) || DOCUMENTED_EXAMPLES.contains(&value) {
        return true;
    }
    let compact =
        |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let name = compact(key);
    (name.len() >= 4 && compact(value).contains(&name)) || is_filler(value, 6)
}

/// Filler made to look like a token: fewer than `min_distinct` distinct characters
/// (`xxxxxxxx`, `abcabcabc`), a run of consecutive characters (`123456`, `abcdef`), or a
/// placeholder word.
pub(crate) fn is_filler(body: &str, min_distinct: usize) -> bool {
    let mut distinct: Vec<char> = body.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let lower = body.to_ascii_lowercase();
    distinct.len() < min_distinct
        || has_sequence(body)
        || ["example", "sample", "dummy", "fake", "placeholder", "your", "xxxx", "test", "redacted"]
            .iter()
            .any(|w| lower.contains(w))
}

/// A run of [`SEQUENCE_RUN`] consecutive digits or letters, ascending or descending.
fn has_sequence(body: &str) -> bool {
    let bytes = body.as_bytes();
    for step in [1i16, -1] {
        let mut run = 1;
        for pair in bytes.windows(2) {
            let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else { continue };
            let same_class = (a.is_ascii_digit() && b.is_ascii_digit())
                || (a.is_ascii_lowercase() && b.is_ascii_lowercase())
                || (a.is_ascii_uppercase() && b.is_ascii_uppercase());
            run = if same_class && i16::from(b) - i16::from(a) == step { run + 1 } else { 1 };
            if run >= SEQUENCE_RUN {
                return true;
            }
        }
    }
    false
}

/// A lowercase slug with a word in it (`postgres-credentials-7f9k2m`, `app_tls_2024`): the
/// name of a Kubernetes object or another resource, as `existingSecret:` holds. A segment of
/// four letters or more, not all of them hex digits, is the word (so UUIDs stay secrets).
fn is_slug_with_word(value: &str) -> bool {
    let separated = value.contains(['-', '_', '.']);
    let charset = value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'));
    separated
        && charset
        && value.split(['-', '_', '.']).any(|segment| {
            segment.len() >= 4
                && segment.bytes().all(|b| b.is_ascii_lowercase())
                && segment.bytes().any(|b| !b.is_ascii_hexdigit())
        })
}

/// Values that are something other than a secret: identifiers, dotted references, paths,
/// URLs, ARNs, numbers.
fn is_not_a_secret_shape(value: &str) -> bool {
    let matches = |re: &LazyLock<Option<Regex>>| re.as_ref().is_some_and(|r| r.is_match(value));
    // A JWT is dotted too, and is a credential.
    let jwt = value.starts_with("eyJ");
    matches(&CONSTANT_NAME)
        || (!jwt && matches(&DOTTED_PATH))
        || is_slug_with_word(value)
        || matches(&WORDS)
        || value.starts_with('/')
        || value.starts_with("./")
        || value.starts_with("../")
        || value.starts_with("~/")
        || value.contains("://")
        || value.starts_with("arn:")
        || value.contains("::")
        || ["sha1:", "sha256:", "sha512:", "md5:"].iter().any(|p| value.starts_with(p))
        || value.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// Shannon entropy of a value, in bits per character.
pub(crate) fn shannon_entropy(value: &str) -> f64 {
    let mut counts: BTreeMap<char, u32> = BTreeMap::new();
    let mut total = 0u32;
    for c in value.chars() {
        *counts.entry(c).or_default() += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .values()
        .map(|&count| {
            let p = f64::from(count) / total;
            -p * p.log2()
        })
        .sum()
}

/// The spans the specific secret rules report in this file (the secrets and what they
/// redact): AWS keys (TL-SECRET-001), private keys (TL-SECRET-002), GitHub tokens
/// (TL-SECRET-003), Slack tokens and webhooks (TL-SECRET-004). A credential overlapping one
/// of them is theirs.
pub(crate) fn claimed_by_token_rules(resource: &Resource<'_>, file: &FileContext<'_>) -> Vec<Span> {
    let checks: [crate::native::CheckFn; 4] = [
        crate::secret_aws_access_key::check,
        crate::secret_private_key_material::check,
        crate::secret_github_token::check,
        crate::secret_slack_token_or_webhook::check,
    ];
    let mut spans = Vec::new();
    for check in checks {
        let mut scratch = Outcome::default();
        check(resource, file, &mut scratch);
        for violation in scratch.violations {
            spans.push(violation.span);
            spans.extend(violation.redact);
        }
    }
    spans
}

/// Bytes of a file around a finding that any output shows as context (the human excerpt
/// shows at most a line either side, cut to 240 bytes): secrets within reach are redacted
/// with the finding.
const SHOWN_AROUND: usize = 1024;

/// How far before the shown window a secret may start and still reach into it.
const LONGEST_SECRET: usize = 4096;

/// Secret spans of a file, sorted, to answer "which overlap this?" and "which are near this?"
/// in logarithmic time: a file with thousands of secrets must not cost thousands squared.
pub(crate) struct SecretSpans {
    spans: Vec<Span>,
    /// `reach[i]`: the largest end among `spans[..=i]`.
    reach: Vec<usize>,
}

impl SecretSpans {
    pub(crate) fn new(mut spans: Vec<Span>) -> Self {
        spans.sort_by_key(|s| (s.start, s.end));
        spans.dedup();
        let mut furthest = 0;
        let reach = spans
            .iter()
            .map(|s| {
                furthest = furthest.max(s.end);
                furthest
            })
            .collect();
        SecretSpans { spans, reach }
    }

    /// Whether any span shares a byte with `span`.
    pub(crate) fn overlap(&self, span: Span) -> bool {
        let before_end = self.spans.partition_point(|s| s.start < span.end);
        before_end > 0 && self.reach.get(before_end - 1).is_some_and(|&end| end > span.start)
    }

    /// Every span, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Span> + '_ {
        self.spans.iter().copied()
    }

    /// The spans that can be shown beside a finding at `span`.
    pub(crate) fn near(&self, span: Span) -> impl Iterator<Item = Span> + '_ {
        let low = span.start.saturating_sub(SHOWN_AROUND);
        let high = span.end.saturating_add(SHOWN_AROUND);
        let from = self.spans.partition_point(|s| s.start < low.saturating_sub(LONGEST_SECRET));
        let to = self.spans.partition_point(|s| s.start < high);
        self.spans.get(from..to).unwrap_or_default().iter().copied().filter(move |s| s.end > low)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_spans_answer_overlap_and_nearness() {
        let spans = SecretSpans::new(vec![Span::new(5000, 5010), Span::new(0, 3000), Span::new(100, 110)]);
        assert!(spans.overlap(Span::new(2999, 3005)), "inside the long span");
        assert!(spans.overlap(Span::new(5009, 5020)));
        assert!(!spans.overlap(Span::new(3000, 5000)));
        assert!(!spans.overlap(Span::new(6000, 6001)));
        let near: Vec<Span> = spans.near(Span::new(4000, 4010)).collect();
        assert_eq!(near, [Span::new(0, 3000), Span::new(5000, 5010)], "reaching into the window");
        let near: Vec<Span> = spans.near(Span::new(9000, 9010)).collect();
        assert!(near.is_empty());
    }

    fn values(path: &str, text: &str) -> Vec<String> {
        literals(path, text).iter().map(|l| text[l.value.start..l.value.end].to_string()).collect()
    }

    #[test]
    fn patterns_compile() {
        assert!(
            ASSIGNMENT.is_some() && DOCKER_ENV.is_some() && URL_PASSWORD.is_some() && XML_ELEMENT.is_some()
        );
        assert!(CONSTANT_NAME.is_some() && DOTTED_PATH.is_some() && WORDS.is_some());
    }

    #[test]
    fn entropy_is_measured_in_bits_per_character() {
        assert!(shannon_entropy("").abs() < f64::EPSILON);
        assert!(shannon_entropy("aaaaaaaa").abs() < f64::EPSILON);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert!((shannon_entropy("0123456789abcdef") - 4.0).abs() < 1e-9);
        assert!(shannon_entropy("changeme") < MIN_ENTROPY);
        assert!(shannon_entropy("hunter2-prod") < MIN_ENTROPY);
        assert!(shannon_entropy("Xk9mQ2vL7pR4wT8z") >= MIN_ENTROPY);
        // Random hex of 128 bits can measure below 3.5; it has its own bar.
        let hex = "d227720969a88270968d6100ad706511";
        assert!(shannon_entropy(hex) < MIN_ENTROPY && shannon_entropy(hex) >= MIN_HEX_ENTROPY);
        assert_eq!(values("app.yaml", &format!("secret_key: {hex}\n")), [hex]);
        assert!(values("app.yaml", "secret_key: deadbeefcafe\n").is_empty());
    }

    #[test]
    fn assignments_in_every_format_are_found() {
        let secret = "Xk9mQ2vL7pR4wT8zN3bC";
        let shapes = [
            ("app.yaml", format!("db:\n  password: {secret}\n")),
            ("app.yaml", format!("db:\n  password: \"{secret}\" # prod\n")),
            ("config.json", format!("{{\"apiKey\":\"{secret}\"}}")),
            ("main.tf", format!("resource \"x\" \"y\" {{\n  password = \"{secret}\"\n}}\n")),
            (".env", format!("export STRIPE_API_KEY={secret}\n")),
            ("app.properties", format!("spring.datasource.password={secret}\n")),
            ("Dockerfile", format!("FROM alpine:3.20\nENV DB_PASSWORD {secret}\n")),
            ("Dockerfile", format!("FROM alpine:3.20\nARG NPM_TOKEN={secret}\n")),
            ("settings.py", format!("SECRET_KEY = '{secret}'\n")),
            ("main.go", format!("cfg := Config{{ClientSecret: \"{secret}\"}}\n")),
            ("config.ini", format!("[auth]\nclient_secret = {secret}\n")),
            ("run.sh", format!("curl https://api.example.net --data access_key={secret}\n")),
            ("notes.txt", format!("psql postgres://app:{secret}@db.internal:5432/app\n")),
            (
                "settings.xml",
                format!("<server>\n  <id>nexus</id>\n  <password>{secret}</password>\n</server>\n"),
            ),
            ("app.conf", format!("jdbc:mysql://db:3306/app?user=app&password={secret}&useSSL=true\n")),
        ];
        for (path, text) in &shapes {
            assert_eq!(values(path, text), [secret], "{path}: {text}");
        }
    }

    #[test]
    fn non_credentials_are_not_found() {
        let passing = [
            ("app.yaml", "password: changeme\ntoken: your-token-here\nsecret: <client-secret>\n"),
            ("app.yaml", "password: ${DB_PASSWORD}\ntoken: \"{{ vault_token }}\"\napi_key: $API_KEY\n"),
            ("app.yaml", "password: hunter2-prod\nsecret: correct-horse-battery-staple\n"),
            ("app.yaml", "password_file: /run/secrets/db\ntoken_url: https://auth.example.net/token\n"),
            ("app.yaml", "password:\n  valueFrom: x\nsecret: |\n  Xk9mQ2vL7pR4wT8zN3bC\n"),
            ("app.yaml", "token: MY_SERVICE_AUTH_TOKEN\nsecret: databaseConnectionSecret\n"),
            ("values.yaml", "auth:\n  existingSecret: postgres-credentials-7f9k2m\n"),
            ("app.yaml", "api_key: xxxxxxxxxxxxxxxxxxxxxxxx\ntoken: 0123456789abcdefABCDEF\n"),
            ("app.yaml", "password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n"),
            ("app.yaml", "password: ENC[AES256_GCM,data:Xk9mQ2vL7pR4wT8z,iv:abc]\n"),
            ("main.tf", "password = var.db_password\ntoken = random_password.db.result\n"),
            ("main.tf", "password = \"${var.prefix}Xk9mQ2vL7pR4wT8z\"\n"),
            ("app.py", "password = os.environ[\"DB_PASSWORD\"]\ntoken = get_token(Xk9mQ2vL7pR4wT8z)\n"),
            ("app.py", "if password == \"Xk9mQ2vL7pR4wT8zN3bC\":\n"),
            ("app.yaml", "password_length: 32\nsecret_name: Xk9mQ2vL7pR4wT8zN3bC\n"),
            ("app.yaml", "description: \"The token used to authenticate against the API\"\n"),
            ("notes.txt", "postgres://app:${DB_PASSWORD}@db:5432/app\nhttps://user:password@example.com\n"),
            ("app.yaml", "admin_password: $2y$05$Xk9mQ2vL7pR4wT8zN3bC.u\n"),
            ("ci.yml", "token: ${{ secrets.DEPLOY_TOKEN }}\n"),
        ];
        for (path, text) in passing {
            assert!(values(path, text).is_empty(), "{path}: {text} -> {:?}", values(path, text));
        }
    }

    #[test]
    fn fillers_and_placeholders() {
        assert!(is_filler("abcabcabcabc", 6));
        assert!(is_filler("Zq1234567Zq", 6));
        assert!(is_filler("kLmNoPqRsTuVfedcbaXy", 6));
        assert!(!is_filler("Xk9mQ2vL7pR4wT8zN3bC", 6));
        assert!(is_placeholder("sk_test_Xk9mQ2vL7pR4wT8z", "api_key"));
        assert!(is_placeholder("db_password_value_01", "DB_PASSWORD"));
        assert!(!is_placeholder("Xk9mQ2vL7pR4wT8zN3bC", "DB_PASSWORD"));
    }

    #[test]
    fn base64_values_are_judged_by_what_they_encode() {
        assert_eq!(decode_printable_base64("c0NhbGVpbzEyMw==").as_deref(), Some("sCaleio123"));
        assert_eq!(decode_printable_base64("YWRtaW4=").as_deref(), Some("admin"));
        assert_eq!(decode_printable_base64("abc"), None);
        // A weak word hidden in base64 is not a credential; random material encoded is.
        assert!(values("secret.yaml", "data:\n  password: c0NhbGVpbzEyMw==\n").is_empty());
        let encoded = "WGs5bVEydkw3cFI0d1Q4ek4zYkM="; // Xk9mQ2vL7pR4wT8zN3bC
        assert_eq!(values("secret.yaml", &format!("data:\n  password: {encoded}\n")), [encoded]);
    }

    #[test]
    fn terraform_variable_defaults() {
        use trustlint_engine::parse::hcl::parse;
        let text = "variable \"db_password\" {\n  type      = string\n  sensitive = true\n  default   = \"Xk9mQ2vL7pR4wT8zN3bC\"\n}\nvariable \"region\" {\n  default = \"Xk9mQ2vL7pR4wT8zN3bC\"\n}\nvariable \"api_token\" {\n  default = \"\"\n}\n";
        let Ok(file) = parse(text) else { panic!("parses") };
        let found = variable_defaults(&Syntax::Hcl(file), text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "db_password");
        assert_eq!(&text[found[0].value.start..found[0].value.end], "Xk9mQ2vL7pR4wT8zN3bC");
        assert_eq!(found[0].origin, Origin::VariableDefault);
    }

    #[test]
    fn names_that_describe_the_secret() {
        for key in [
            "DB_PASSWORD",
            "ENV_SECRET_KEY",
            "client_secret",
            "x-api-key",
            "MINIO_SECRET_ACCESS_KEY",
            "storage_access_key",
            "azurestorageaccountkey",
            "AccountKey",
            "dbpassword",
            "POSTGRES_PW",
        ] {
            assert!(is_credential_name(key), "{key}");
        }
        for key in [
            "PASSWORD_HASH",
            "discovery-token-ca-cert-hash",
            "TOKEN_ENV",
            "secretKeyRef",
            "AWS_ACCESS_KEY_ID",
            "tokenizer",
            "azurestorageaccountname",
            "PW_DEBUG",
            "PW",
        ] {
            assert!(!is_credential_name(key), "{key}");
        }
    }

    #[test]
    fn uuids_are_not_slugs() {
        assert!(is_slug_with_word("postgres-credentials-7f9k2m"));
        assert!(!is_slug_with_word("3f2b8c1e-9d4a-4e6f-b7a2-c5d8e1f0a9b3"));
        assert!(!is_slug_with_word("Xk9m-Q2vL-7pR4"));
        let uuid = "3f2b8c1e-9d4a-4e6f-b7a2-c5d8e1f0a9b3";
        assert_eq!(values("app.yaml", &format!("api_key: {uuid}\n")), [uuid]);
    }

    #[test]
    fn jwts_are_credentials_and_dotted_paths_are_not() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9.Xk9mQ2vL7pR4wT8zN3bC";
        assert_eq!(values("app.yaml", &format!("token: {jwt}\n")), [jwt]);
        assert!(values("app.yaml", "token: vault.kv.prod.deploy_key_material\n").is_empty());
    }
}
