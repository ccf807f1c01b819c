//! ## What it checks
//! Secret material committed in Kubernetes manifests, in three forms:
//!
//! - **high**: an environment variable of a container (`containers`, `initContainers`,
//!   `ephemeralContainers`, in a Pod or in the pod template of any workload kind) whose name
//!   looks secret (`password`, `passwd`, `secret`, `token`, `api_key`, `access_key`,
//!   `private_key`, `client_secret`, `credential`, in any case and with `_` or `-` or
//!   nothing between the words) and whose `value` is a literal;
//! - **high**: a `Secret` whose `data` or `stringData` holds a non-empty value, unless the
//!   file is SOPS-encrypted (a top-level `sops:` section, or `ENC[...]` values). `data` is
//!   only base64-encoded, which anyone can decode. SealedSecrets and ExternalSecrets are other
//!   kinds and are not judged;
//! - **medium**: a `ConfigMap` key with a secret-looking name holding a literal.
//!
//! Not literals, and so never reported: empty values, booleans, numbers, references
//! (`$(VAR)`, `${VAR}`, `{{ ... }}`), placeholders (`<password>`, or a value that spells the
//! variable's own name, `GOOGLE_API_KEY: GOOGLE_API_KEY_VAL`) and file paths
//! (`/var/run/secrets/token`: mounting the secret as a file is the fix). Names that designate
//! where or how a secret is found rather than the secret itself (`TOKEN_FILE`,
//! `SECRET_NAME`, `PASSWORD_PATH`, `TOKEN_URL`, `SECRET_ENABLED`, `TOKEN_TTL`, ...) are not
//! secret-looking.
//!
//! This rule is native because the values it finds must be masked wherever the file's text
//! is shown, which a policy cannot ask for.
//!
//! ## Why it matters (C1.1, CC6.1)
//! A credential in a manifest is in the repository's history for good, readable by everyone
//! with read access to the code, its forks, CI logs and backups: confidential information is
//! not protected (C1.1) and access to the system it unlocks is no longer restricted to those
//! who should have it (CC6.1). Environment variables also leak through `kubectl describe`,
//! crash dumps and child processes.
//!
//! ## Failing example
//! ```yaml
//! containers:
//!   - name: api
//!     image: registry.example.com/api:2.3.4
//!     env:
//!       - name: DB_PASSWORD
//!         value: hunter2-prod
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//!   - name: api
//!     image: registry.example.com/api:2.3.4
//!     env:
//!       - name: DB_PASSWORD
//!         valueFrom:
//!           secretKeyRef: {name: db, key: password}
//! ```
//!
//! ## Fix
//! Keep the value out of the repository: reference a `Secret` with `valueFrom.secretKeyRef`
//! or mount it as a file, and create the Secret from a secret manager (External Secrets
//! Operator, Sealed Secrets, SOPS, the CSI secrets store). Rotate any credential that was
//! committed.

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-K8S-015",
        name: "secret-material-in-manifest",
        title: "Secret material committed in a manifest",
        severity: Severity::High,
        criteria: &["C1.1", "CC6.1"],
        help: "Reference a Secret (`valueFrom.secretKeyRef`, a mounted file) created from a secret manager, \
               SealedSecrets or SOPS; rotate what was committed.",
        checkov: &["CKV_K8S_35"],
        kics: &["3d658f8b-d988-41a0-a841-40043121de1e", "4b2b5fd3-364d-4093-bac2-17391b2a5297"],
        trivy: &["AVD-KSV-0109", "AVD-KSV-01010"],
        other: &["gitleaks: kubernetes-secret-yaml"],
        bindings: &[(Target::Kubernetes, &["@workload", "Secret", "ConfigMap"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    match resource.kind.as_str() {
        "Secret" => check_secret(resource, out),
        "ConfigMap" => check_config_map(resource, out),
        _ => check_env(resource, out),
    }
}

fn check_env(resource: &Resource<'_>, out: &mut Outcome) {
    let Some(pod) = resource.pod_spec else { return };
    for container in trustlint_engine::model::kubernetes::containers(pod) {
        let container_name = container.get("name").and_then(Node::as_str).unwrap_or("?");
        for var in container.get("env").map(Node::items).unwrap_or_default() {
            let Some(name) = var.get("name").and_then(Node::as_str) else { continue };
            let Some(value) = var.get("value") else { continue };
            if !secret_like_name(name) {
                continue;
            }
            match literal_for(name, value) {
                Literal::Yes => {
                    out.fail(
                        value.span,
                        format!(
                            "container `{container_name}` of `{}` sets `{name}` to a literal value; \
                             reference a Secret with `valueFrom.secretKeyRef` instead",
                            resource.address
                        ),
                    )
                    .redact(value.span);
                }
                Literal::Unknown => out.unknown(),
                Literal::No => {}
            }
        }
    }
}

fn check_secret(resource: &Resource<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    // SOPS writes its metadata at the top level of an encrypted file.
    if body.get("sops").is_some() {
        return;
    }
    for section in ["stringData", "data"] {
        let Some(map) = body.get(section) else { continue };
        if map.is_expr() || map.as_tagged().is_some() {
            out.unknown();
            continue;
        }
        let committed: Vec<&trustlint_engine::Entry> = map
            .entries()
            .iter()
            .filter(|e| e.value.scalar_text().is_some_and(|t| !t.trim().is_empty() && !t.trim_start().starts_with("ENC[")))
            .filter(|e| section == "data" || literal(&e.value) == Literal::Yes)
            .collect();
        let Some(first) = committed.first() else { continue };
        let how = if section == "data" { "base64 is an encoding, not encryption" } else { "in plain text" };
        let keys = committed.iter().map(|e| format!("`{}`", e.key)).collect::<Vec<_>>().join(", ");
        let violation = out.fail(
            first.key_span.cover(first.value.span),
            format!("Secret `{}` commits the value of {keys} in `{section}` ({how})", resource.address),
        );
        for entry in &committed {
            violation.redact(entry.value.span);
        }
    }
}

fn check_config_map(resource: &Resource<'_>, out: &mut Outcome) {
    let Some(data) = resource.body.and_then(|b| b.get("data")) else { return };
    for entry in data.entries() {
        if !secret_like_name(&entry.key) {
            continue;
        }
        match literal_for(&entry.key, &entry.value) {
            Literal::Yes => {
                out.fail(
                    entry.key_span.cover(entry.value.span),
                    format!(
                        "ConfigMap `{}` holds the secret-looking key `{}`; ConfigMaps are not access-controlled as Secrets are",
                        resource.address, entry.key
                    ),
                )
                .severity(Severity::Medium)
                .redact(entry.value.span);
            }
            Literal::Unknown => out.unknown(),
            Literal::No => {}
        }
    }
}

/// Words that, anywhere in a name, make it look like it holds a secret (compared with `_`
/// and `-` removed, so `api_key`, `api-key` and `apikey` are one word).
const SECRET_WORDS: [&str; 8] =
    ["password", "passwd", "secret", "token", "apikey", "accesskey", "privatekey", "credential"];

/// Last words of a name that say it holds where or how to find a secret, or a setting about
/// it, rather than the secret itself.
const NOT_THE_SECRET: [&str; 31] = [
    "file", "files", "path", "dir", "directory", "name", "names", "ref", "url", "uri", "endpoint", "host",
    "port", "enabled", "enable", "disabled", "ttl", "timeout", "seconds", "expiry", "expiration", "length",
    "size", "type", "mode", "format", "header", "algorithm", "version", "count", "interval",
];

/// Whether a variable or key name looks like it holds a secret.
fn secret_like_name(name: &str) -> bool {
    let squashed: String = name.chars().filter(|c| *c != '_' && *c != '-').collect::<String>().to_ascii_lowercase();
    if !SECRET_WORDS.iter().any(|w| squashed.contains(w)) {
        return false;
    }
    let last = words(name).pop().unwrap_or_default();
    !NOT_THE_SECRET.contains(&last.as_str())
}

/// A name split into lower-case words at non-alphanumerics and lower-to-upper case changes
/// (`DB_PASSWORD_FILE`, `tokenFile`, `auth.token.path`).
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a value is a committed literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    Yes,
    No,
    Unknown,
}

/// Whether the value of the variable or key `name` is a committed literal: a value that
/// spells its own name (`GOOGLE_API_KEY_VAL`, `<db_password>`) is a placeholder.
fn literal_for(name: &str, value: &Node) -> Literal {
    let spells_name = value.as_str().is_some_and(|v| v.to_ascii_lowercase().contains(&name.to_ascii_lowercase()));
    if spells_name { Literal::No } else { literal(value) }
}

fn literal(value: &Node) -> Literal {
    if value.is_expr() || value.as_tagged().is_some() {
        return Literal::Unknown;
    }
    let text = match &value.value {
        Value::String(s) => s.trim(),
        // Numbers and booleans are settings (lengths, flags), not secrets.
        _ => return Literal::No,
    };
    let is_reference = text.contains("$(") || text.contains("${") || text.contains("{{");
    let is_placeholder = text.starts_with('<') && text.ends_with('>');
    let is_path = text.starts_with('/') || text.starts_with("./") || text.starts_with("~/") || text.starts_with("file://");
    let is_setting = text.parse::<f64>().is_ok()
        || ["true", "false", "yes", "no", "on", "off"].iter().any(|b| text.eq_ignore_ascii_case(b));
    if text.is_empty() || is_reference || is_placeholder || is_path || is_setting { Literal::No } else { Literal::Yes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::kubernetes;
    use trustlint_engine::parse::yaml;
    use trustlint_engine::rule::Scope;

    /// (pointed text, message, redacted texts) of every finding.
    fn run(text: &str) -> Vec<(String, String, Vec<String>)> {
        let stream = yaml::parse(text).expect("parses");
        let resources = kubernetes::resources(&stream.documents);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("k8s.yaml", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        let mut found = Vec::new();
        for r in &resources {
            let mut out = Outcome::default();
            check(r, &ctx, &mut out);
            for v in out.violations {
                let redacted = v.redact.iter().map(|s| source.slice(*s).to_string()).collect();
                found.push((source.slice(v.span).to_string(), v.message, redacted));
            }
        }
        found
    }

    #[test]
    fn names() {
        for yes in ["DB_PASSWORD", "api-key", "GITHUB_TOKEN", "clientSecret", "AWS_SECRET_ACCESS_KEY", "PRIVATE_KEY"] {
            assert!(secret_like_name(yes), "{yes}");
        }
        for no in ["PORT", "DB_PASSWORD_FILE", "tokenPath", "SECRET_NAME", "auth.token.url", "USERNAME"] {
            assert!(!secret_like_name(no), "{no}");
        }
        assert_eq!(words("tokenFile"), ["token", "file"]);
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
    }

    #[test]
    fn literals() {
        let s = |t: &str| Node::new(Span::default(), Value::String(t.into()));
        assert_eq!(literal(&s("hunter2")), Literal::Yes);
        for no in ["", "$(DB_PASS)", "${TOKEN}", "<password>", "/var/run/secrets/token", "true", "8"] {
            assert_eq!(literal(&s(no)), Literal::No, "{no}");
        }
        assert_eq!(literal(&Node::new(Span::default(), Value::Expr("x".into()))), Literal::Unknown);
        assert_eq!(literal_for("GOOGLE_API_KEY", &s("GOOGLE_API_KEY_VAL")), Literal::No);
        assert_eq!(literal_for("GOOGLE_API_KEY", &s("AIzaSyExample")), Literal::Yes);
    }

    #[test]
    fn env_literals_are_found_and_redacted() {
        let found = run("apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: a:1
      env:
        - {name: DB_PASSWORD, value: hunter2-prod}
        - {name: DB_PASSWORD_FILE, value: /run/secrets/db}
        - {name: API_TOKEN, valueFrom: {secretKeyRef: {name: api, key: token}}}
        - {name: LOG_LEVEL, value: debug}
");
        assert_eq!(found.len(), 1, "{found:?}");
        let (pointed, message, redacted) = &found[0];
        assert_eq!(pointed, "hunter2-prod");
        assert_eq!(redacted, &["hunter2-prod"]);
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn secrets_unless_sops_and_config_map_keys() {
        let found = run("apiVersion: v1
kind: Secret
metadata: {name: db}
data:
  password: aHVudGVyMg==
  username: YWRtaW4=
---
apiVersion: v1
kind: Secret
metadata: {name: encrypted}
stringData:
  password: ENC[AES256_GCM,data:abc,type:str]
sops:
  version: 3.9.0
---
apiVersion: v1
kind: Secret
metadata: {name: empty}
type: kubernetes.io/service-account-token
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  smtp_password: s3cret-value
  token_file: /etc/token
");
        let pointed: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(pointed, ["password: aHVudGVyMg==", "smtp_password: s3cret-value"]);
        assert_eq!(found[0].2, ["aHVudGVyMg==", "YWRtaW4="]);
    }
}
