//! ## What it checks
//! Every text file for private key material:
//! - PEM blocks `-----BEGIN ... PRIVATE KEY-----` (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted
//!   PKCS#8, and `PGP PRIVATE KEY BLOCK`), as files of their own or embedded in strings with
//!   `\n` escapes, YAML blocks or heredocs. A body of at least 64 base64 characters must
//!   follow the header (RFC 1421 header lines such as `Proc-Type:` are skipped), so a
//!   document that only mentions the header, or shows `MIIEpAIBAAK...` cut short, does not
//!   fire;
//! - PuTTY key files (`PuTTY-User-Key-File-2:`/`-3:`) with a `Private-Lines:` section;
//! - GCP service-account key files (`"type": "service_account"` with a `"private_key"`), named
//!   as such in the message;
//! - kubeconfig `client-key-data:` holding a base64 value of at least 64 characters.
//!
//! A body made of fewer than 16 distinct characters (`AAAA...`, `xxxx...`) is a filler, not
//! a key. Encrypted keys (`ENCRYPTED PRIVATE KEY`, `Proc-Type: 4,ENCRYPTED`, OpenSSH keys
//! whose cipher is not `none`, PuTTY keys whose `Encryption` is not `none`) are reported as
//! medium: the passphrase still protects them, but it is now the only protection and can be
//! attacked offline. Matches inside interpolations or references (`${...}`, `$(...)`,
//! `{{resolve:...}}`, `<placeholder>`) are skipped.
//!
//! The finding points at the `BEGIN` line (the PuTTY header line, the kubeconfig value); the
//! key material is redacted in every output format and messages show only its first four
//! characters.
//!
//! ## Why it matters (CC6.1, C1.1)
//! A private key is an identity: whoever holds it can log in over SSH, impersonate a TLS
//! server or a Kubernetes user, sign releases or act as a GCP service account, with no
//! further factor. In a repository it reaches every clone, fork and CI log, and stays in the
//! history after the file is deleted. Logical access is no longer restricted to its owner
//! (CC6.1), and what the key protects is no longer confidential (C1.1).
//!
//! ## Failing example
//! ```yaml
//! users:
//!   - name: deployer
//!     user:
//!       client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t...
//!       client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB...
//! ```
//!
//! ## Passing example
//! ```yaml
//! users:
//!   - name: deployer
//!     user:
//!       exec:
//!         apiVersion: client.authentication.k8s.io/v1beta1
//!         command: aws
//!         args: ["eks", "get-token", "--cluster-name", "prod"]
//! ```
//!
//! ## Fix
//! Treat the key as compromised: revoke or rotate it (remove the SSH key from
//! `authorized_keys`, reissue the certificate, delete the service-account key), then remove
//! it from the file and the history. Keep keys in a secret manager or generate them at
//! deploy time, and reference them (`${file(...)}` outside the repository, Kubernetes
//! Secrets from an external store, workload identity instead of key files).

use std::sync::LazyLock;

use regex::Regex;
use trustlint_engine::finding::mask_secret;

use crate::prelude::*;
use crate::reference::{is_reference, surroundings};

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-SECRET-002",
        name: "private-key-material",
        title: "Private key committed",
        severity: Severity::Critical,
        criteria: &["CC6.1", "C1.1"],
        help: "Revoke or rotate the key, remove it from the file and the history, and keep keys in a secret manager.",
        checkov: &["CKV_SECRET_13"],
        kics: &["51b5b840-cd0c-4556-98a7-fe5f4def80cf", "a007a85e-a2a7-4a81-803a-7a2ca0c65abb"],
        trivy: &["private-key"],
        other: &["gitleaks: private-key"],
        bindings: &[(Target::Text, &["file"])],
    }
}

// Constant patterns compile (a test says so); `None` would only make the rule find nothing.

/// A PEM private key header; group 1 is the label (`RSA PRIVATE KEY`).
static PEM_BEGIN: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"-----BEGIN([ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?)-----").ok());

/// A PuTTY key file header.
static PUTTY: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"PuTTY-User-Key-File-[0-9]+:[^\r\n]*").ok());

/// A kubeconfig client key; group 1 is the base64 value.
static KUBE_KEY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"client-key-data["']?[ \t]*:[ \t]*["']?([A-Za-z0-9+/=]+)"#).ok());

/// A GCP service-account key file's type.
static GCP_TYPE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r#""type"\s*:\s*"service_account""#).ok());

/// What a PEM header is preceded by in a GCP key file.
static GCP_PRIVATE_KEY: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r#""private_key"\s*:\s*"$"#).ok());

/// Base64 characters a key body must have (48 bytes of key material and more).
const MIN_BODY: usize = 64;

/// PuTTY's private section of an Ed25519 key is 48 characters: the file's structure is
/// evidence enough for a lower bar.
const MIN_PUTTY_BODY: usize = 32;

/// Fewer distinct characters than this is a filler, not key material.
const MIN_DISTINCT: usize = 16;

/// How far a body is followed (keys are a few KiB; PGP blocks with subkeys more).
const MAX_BODY_SCAN: usize = 64 * 1024;

/// The base64 body following a header.
#[derive(Debug, Default)]
struct Body {
    span: Option<Span>,
    count: usize,
    /// Which ASCII characters occur, one bit each.
    distinct: u128,
    head: String,
    /// A `Proc-Type: 4,ENCRYPTED` header line was seen.
    encrypted_header: bool,
}

impl Body {
    fn add(&mut self, at: usize, byte: u8) {
        self.count += 1;
        self.span = Some(self.span.map_or(Span::new(at, at + 1), |s| Span::new(s.start, at + 1)));
        self.distinct |= 1u128.checked_shl(u32::from(byte)).unwrap_or(0);
        if self.head.len() < 64 {
            self.head.push(char::from(byte));
        }
    }

    fn is_key(&self, minimum: usize) -> bool {
        self.count >= minimum && self.distinct.count_ones() as usize >= MIN_DISTINCT
    }
}

fn is_base64(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=')
}

/// A line break at `i`: a real one, or a `\n` / `\r` escape inside a string. Returns its
/// length.
fn line_break(bytes: &[u8], i: usize) -> Option<usize> {
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'\r'), Some(b'\n')) => Some(2),
        (Some(b'\n' | b'\r'), _) => Some(1),
        (Some(b'\\'), Some(b'n' | b'r')) => Some(2),
        _ => None,
    }
}

/// `Name: value` (RFC 1421 / OpenPGP armor headers); base64 never holds a colon.
fn is_header_line(line: &str) -> bool {
    line.split_once(':').is_some_and(|(name, _)| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// Follow the body of a PEM block from just after its header.
fn pem_body(text: &str, from: usize) -> Body {
    let bytes = text.as_bytes();
    let limit = text.len().min(from.saturating_add(MAX_BODY_SCAN));
    let mut body = Body::default();
    let mut i = from;
    let mut line_start = false;
    while i < limit {
        if let Some(len) = line_break(bytes, i) {
            line_start = true;
            i += len;
            continue;
        }
        if line_start {
            line_start = false;
            // Indentation (YAML blocks, heredocs) is not part of the body.
            while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            let mut end = i;
            while end < limit && line_break(bytes, end).is_none() {
                end += 1;
            }
            let line = text.get(i..end).unwrap_or("");
            if line.starts_with("-----") {
                break;
            }
            if body.count == 0 && is_header_line(line) {
                body.encrypted_header |= line.contains("ENCRYPTED");
                i = end;
                continue;
            }
        }
        let Some(&byte) = bytes.get(i) else { break };
        if is_base64(byte) {
            body.add(i, byte);
        } else if !matches!(byte, b' ' | b'\t') {
            break;
        }
        i += 1;
    }
    body
}

/// The OpenSSH key format (`openssh-key-v1\0`) in base64, and the same with cipher `none`.
const OPENSSH_MAGIC: &str = "b3BlbnNzaC1rZXktdjEAAAAA";
const OPENSSH_UNENCRYPTED: &str = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU";

pub(crate) fn check(_resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let text = file.source.text.as_str();
    pem_keys(text, out);
    putty_keys(text, out);
    kubeconfig_keys(text, out);
}

fn pem_keys(text: &str, out: &mut Outcome) {
    let (Some(begin), Some(gcp_type), Some(gcp_key)) = (PEM_BEGIN.as_ref(), GCP_TYPE.as_ref(), GCP_PRIVATE_KEY.as_ref())
    else {
        return;
    };
    let service_account = gcp_type.is_match(text);
    for header in begin.captures_iter(text) {
        let (Some(whole), Some(label)) = (header.get(0), header.get(1)) else { continue };
        let span = Span::new(whole.start(), whole.end());
        if is_reference(text, span) {
            continue;
        }
        let body = pem_body(text, whole.end());
        let (true, Some(secret)) = (body.is_key(MIN_BODY), body.span) else { continue };
        let label = label.as_str().trim();
        let openssh_encrypted = body.head.starts_with(OPENSSH_MAGIC) && !body.head.starts_with(OPENSSH_UNENCRYPTED);
        let encrypted = label.contains("ENCRYPTED") || body.encrypted_header || openssh_encrypted;
        let (before, _) = surroundings(text, span);
        let masked = mask_secret(&body.head);
        let message = if service_account && gcp_key.is_match(before) {
            format!("GCP service-account private key is committed (`{masked}`)")
        } else if encrypted {
            format!("encrypted private key (`{label}`) is committed (`{masked}`): only its passphrase protects it")
        } else {
            format!("private key (`{label}`) is committed (`{masked}`)")
        };
        let violation = out.fail(span, message);
        violation.redact(secret);
        if encrypted {
            violation.severity(Severity::Medium);
        }
    }
}

fn putty_keys(text: &str, out: &mut Outcome) {
    let Some(putty) = PUTTY.as_ref() else { return };
    for header in putty.find_iter(text) {
        let span = Span::new(header.start(), header.end());
        let mut encryption = "none";
        let mut body = Body::default();
        // The header block that follows: Encryption, Comment, Public-Lines + lines,
        // Private-Lines + lines, Private-MAC; stop at the next key.
        let mut offset = header.end();
        let mut lines = text.get(offset..).unwrap_or("").split_inclusive('\n').take(200);
        let _ = lines.next();
        offset += text.get(offset..).and_then(|t| t.find('\n')).map_or(0, |i| i + 1);
        let mut private_lines = 0usize;
        for line in lines {
            let trimmed = line.trim();
            if trimmed.starts_with("PuTTY-User-Key-File-") {
                break;
            }
            if private_lines > 0 {
                private_lines -= 1;
                let lead = line.len() - line.trim_start().len();
                for (k, byte) in trimmed.bytes().enumerate() {
                    if is_base64(byte) {
                        body.add(offset + lead + k, byte);
                    }
                }
            } else if let Some(value) = trimmed.strip_prefix("Encryption:") {
                encryption = value.trim();
            } else if let Some(count) = trimmed.strip_prefix("Private-Lines:") {
                private_lines = count.trim().parse().unwrap_or(0);
            }
            offset += line.len();
        }
        let (true, Some(secret)) = (body.is_key(MIN_PUTTY_BODY), body.span) else { continue };
        let masked = mask_secret(&body.head);
        if encryption == "none" {
            out.fail(span, format!("PuTTY private key is committed (`{masked}`)")).redact(secret);
        } else {
            let message =
                format!("encrypted PuTTY private key ({encryption}) is committed (`{masked}`): only its passphrase protects it");
            out.fail(span, message).redact(secret).severity(Severity::Medium);
        }
    }
}

fn kubeconfig_keys(text: &str, out: &mut Outcome) {
    let Some(kube) = KUBE_KEY.as_ref() else { return };
    for value in kube.captures_iter(text).filter_map(|c| c.get(1)) {
        let span = Span::new(value.start(), value.end());
        let mut body = Body::default();
        for (k, byte) in value.as_str().bytes().enumerate() {
            body.add(value.start() + k, byte);
        }
        if !body.is_key(MIN_BODY) || is_reference(text, span) {
            continue;
        }
        let message = format!("kubeconfig client key is committed (`client-key-data: {}`)", mask_secret(value.as_str()));
        out.fail(span, message).redact(span);
    }
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;

    use super::*;

    /// Deterministic filler that looks like key material (not a key).
    fn fake_base64(len: usize, seed: u64) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                char::from(ALPHABET[(state >> 58) as usize])
            })
            .collect()
    }

    fn pem(label: &str, body: &str) -> String {
        let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
        format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
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
    fn patterns_compile() {
        assert!(PEM_BEGIN.is_some() && PUTTY.is_some() && KUBE_KEY.is_some());
        assert!(GCP_TYPE.is_some() && GCP_PRIVATE_KEY.is_some());
    }

    #[test]
    fn pem_keys_point_at_begin_and_redact_the_body() {
        let body = format!("MIIEow{}", fake_base64(1200, 1));
        let text = format!("notes\n{}", pem("RSA PRIVATE KEY", &body));
        let out = run(&text);
        assert_eq!(out.violations.len(), 1);
        let v = &out.violations[0];
        assert_eq!(&text[v.span.start..v.span.end], "-----BEGIN RSA PRIVATE KEY-----");
        assert_eq!(v.message, "private key (`RSA PRIVATE KEY`) is committed (`MIIE****`)");
        assert_eq!(v.severity, None);
        let redacted = &text[v.redact[0].start..v.redact[0].end];
        assert!(redacted.starts_with("MIIEow") && redacted.ends_with(&body[body.len() - 10..]), "{redacted}");
        for label in ["PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "PGP PRIVATE KEY BLOCK"] {
            assert_eq!(run(&pem(label, &fake_base64(300, 2))).violations.len(), 1, "{label}");
        }
    }

    #[test]
    fn embedded_keys_are_found() {
        let body = fake_base64(256, 3);
        let escaped = format!("{{\"key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n{}\\n-----END PRIVATE KEY-----\\n\"}}", &body[..64], &body[64..]);
        assert_eq!(run(&escaped).violations.len(), 1);
        let yaml = format!("tls.key: |\n    -----BEGIN EC PRIVATE KEY-----\n    {}\n    {}\n    -----END EC PRIVATE KEY-----\n", &body[..64], &body[64..128]);
        assert_eq!(run(&yaml).violations.len(), 1);
        let one_line = format!("KEY=\"-----BEGIN RSA PRIVATE KEY----- {} -----END RSA PRIVATE KEY-----\"", &body[..100]);
        assert_eq!(run(&one_line).violations.len(), 1);
    }

    #[test]
    fn gcp_service_account_keys_are_named() {
        let body = fake_base64(1600, 4);
        let text = format!(
            "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme-prod\",\n  \"private_key_id\": \"3f1c\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"ci@acme-prod.iam.gserviceaccount.com\"\n}}\n"
        );
        let out = run(&text);
        assert_eq!(out.violations.len(), 1);
        assert!(out.violations[0].message.starts_with("GCP service-account private key"), "{}", out.violations[0].message);
    }

    #[test]
    fn encrypted_keys_are_medium() {
        let body = fake_base64(900, 5);
        let out = run(&pem("ENCRYPTED PRIVATE KEY", &body));
        assert_eq!(out.violations[0].severity, Some(Severity::Medium));
        let legacy = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,5B2E9C1D4A7F3E6B8C0D2F4A6E8B1C3D\n\n{}\n-----END RSA PRIVATE KEY-----\n",
            &body[..200]
        );
        let out = run(&legacy);
        assert_eq!(out.violations.len(), 1);
        assert_eq!(out.violations[0].severity, Some(Severity::Medium));
        let encrypted_openssh = format!("b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0{}", &body[..300]);
        assert_eq!(run(&pem("OPENSSH PRIVATE KEY", &encrypted_openssh)).violations[0].severity, Some(Severity::Medium));
        let plain_openssh = format!("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB{}", &body[..300]);
        assert_eq!(run(&pem("OPENSSH PRIVATE KEY", &plain_openssh)).violations[0].severity, None);
    }

    #[test]
    fn mentions_placeholders_and_public_keys_pass() {
        let passing = [
            "Keys start with -----BEGIN RSA PRIVATE KEY----- and end with -----END RSA PRIVATE KEY-----.".to_string(),
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----\n".to_string(),
            "-----BEGIN PRIVATE KEY-----\n<paste your key here>\n-----END PRIVATE KEY-----\n".to_string(),
            pem("PRIVATE KEY", &"A".repeat(400)),
            pem("PUBLIC KEY", &fake_base64(400, 6)),
            pem("CERTIFICATE", &fake_base64(400, 7)),
            "private_key = \"${file(\"-----BEGIN RSA PRIVATE KEY-----\")}\"".to_string(),
            "client-key-data: DATA+OMITTED\n".to_string(),
            "client-key-data: ${CLIENT_KEY_DATA}\n".to_string(),
            "client-key: /etc/kubernetes/pki/admin.key\n".to_string(),
        ];
        for text in &passing {
            assert!(run(text).violations.is_empty(), "{text}");
        }
    }

    #[test]
    fn putty_keys_are_found() {
        let private = fake_base64(44, 8);
        let text = format!(
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\n{}\n{}\nPrivate-Lines: 1\n{private}\nPrivate-MAC: 8f2c\n",
            fake_base64(64, 9),
            fake_base64(4, 10)
        );
        let out = run(&text);
        assert_eq!(out.violations.len(), 1);
        let v = &out.violations[0];
        assert_eq!(&text[v.span.start..v.span.end], "PuTTY-User-Key-File-3: ssh-ed25519");
        assert_eq!(&text[v.redact[0].start..v.redact[0].end], private);
        assert_eq!(v.severity, None);
        let encrypted = text.replace("Encryption: none", "Encryption: aes256-cbc");
        assert_eq!(run(&encrypted).violations[0].severity, Some(Severity::Medium));
        // The header alone, or without private lines, is not a key.
        assert!(run("PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\n").violations.is_empty());
    }

    #[test]
    fn kubeconfig_client_keys_are_found() {
        let value = fake_base64(1600, 11);
        let text = format!("users:\n- name: admin\n  user:\n    client-key-data: {value}\n");
        let out = run(&text);
        assert_eq!(out.violations.len(), 1);
        let v = &out.violations[0];
        assert_eq!(&text[v.span.start..v.span.end], value);
        assert_eq!(v.redact, [v.span]);
        assert!(v.message.contains(&mask_secret(&value)) && !v.message.contains(&value[4..12]));
    }
}
