//! ## What it checks
//! The `environment` of every compose service, in both forms (a map, or a list of
//! `KEY=VALUE`), for a secret-like variable holding a literal value.
//!
//! A key is secret-like when one of its words (split at `_`, `-`, `.` and camelCase) is
//! `password`, `passwd`, `pass`, `pwd` (not the whole key: `PWD` is the working directory),
//! `passphrase`, `secret`, `token`, `credential(s)`, `apikey`, or the pairs `api key`,
//! `private key`, `encryption key`, `signing key`, `master key` (not `access key`: that is the
//! public half next to a `SECRET_KEY`) — unless a later word says the value is not the secret
//! itself: `_FILE` (the Docker secrets convention),
//! `_PATH`, `_DIR`, `_URL`, `_URI`, `_HOST`, `_PORT`, `_NAME`, `_ID`, `_ARN`, `_TYPE`, `_TTL`,
//! `_EXPIRY`, `_EXPIRES`, `_TIMEOUT`, `_LENGTH`, `_MIN`, `_MAX`, `_SIZE`, `_ENABLED`,
//! `_REQUIRED`, `_HEADER`, `_ALGORITHM`, `_VERSION`, `_POLICY`, `_PREFIX`, `_FORMAT`.
//!
//! A value is literal unless it is empty, a variable reference (`${DB_PASSWORD}`,
//! `$DB_PASSWORD`, or any value containing one), a boolean word (`true`, `false`, `yes`,
//! `no`), or a path under `/run/secrets/`. A list item `- KEY` without `=` passes the host's
//! value through and is not a literal. The finding points at the value, and the value is
//! masked everywhere it is shown.
//!
//! Not covered yet: `env_file:` pointing at a committed file with secrets (the secret
//! scanners read such files on their own, and this rule cannot open another file).
//!
//! This rule is native because it splits `KEY=VALUE` items and masks the secret.
//!
//! ## Why it matters (C1.1, CC6.1)
//! A password written in a compose file is in every clone, fork, CI log and backup of the
//! repository, readable by anyone with read access, and it cannot be rotated without a
//! commit. Confidential information must be protected (C1.1) and credentials managed so that
//! only authorised people hold them (CC6.1).
//!
//! ## Failing example
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16.3
//!     environment:
//!       POSTGRES_PASSWORD: s3cr3t-pa55
//!   api:
//!     image: example/api:1.4.2
//!     environment:
//!       - JWT_SECRET=9f8e7d6c5b4a
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16.3
//!     environment:
//!       POSTGRES_PASSWORD_FILE: /run/secrets/db_password
//!     secrets: [db_password]
//!   api:
//!     image: example/api:1.4.2
//!     environment:
//!       - JWT_SECRET=${JWT_SECRET:?set JWT_SECRET}
//! secrets:
//!   db_password:
//!     environment: DB_PASSWORD
//! ```
//!
//! ## Fix
//! Move the value out of the file: declare a top-level `secrets:` entry (from a file outside
//! the repository or from the environment) and grant it with `services.<name>.secrets`, using
//! the image's `*_FILE` variable; or interpolate it from the environment with
//! `${VAR:?message}`. Rotate the value that was committed.

use trustlint_engine::SourceFile;
use trustlint_engine::finding::mask_secret;

use crate::compose_services::has_interpolation;
use crate::prelude::*;
use crate::secret_names::is_secret_key;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-COMPOSE-006",
        name: "secret-literal-in-environment",
        title: "Secret written as a literal in a service's environment",
        severity: Severity::High,
        criteria: &["C1.1", "CC6.1"],
        help: "Use top-level `secrets:` granted with `services.<name>.secrets` (and the image's `*_FILE` variable), or `${VAR}` interpolation; rotate the committed value.",
        checkov: &[],
        kics: &["a88baa34-e2ad-44ea-ad6f-8cac87bc7c71"],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Compose, &["service"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(environment) = resource.body.and_then(|b| b.get("environment")) else { return };
    match &environment.value {
        Value::Map(entries) => {
            for entry in entries {
                let Some(value) = entry.value.scalar_text() else { continue };
                if is_secret_key(&entry.key) && is_literal(&value) {
                    report(resource, &entry.key, &value, entry.value.span, value_span(file.source, entry.value.span, &value), out);
                }
            }
        }
        Value::List(items) => {
            for item in items {
                let Some(text) = item.as_str() else { continue };
                let Some((key, value)) = text.split_once('=') else { continue };
                if is_secret_key(key.trim()) && is_literal(value) {
                    let span = value_span(file.source, item.span, value);
                    report(resource, key.trim(), value, item.span, span, out);
                }
            }
        }
        _ => {}
    }
}

fn report(resource: &Resource<'_>, key: &str, value: &str, at: Span, secret: Span, out: &mut Outcome) {
    out.fail(
        at,
        format!("`{}` sets `{key}` to a literal (`{}`) in the compose file", resource.address, mask_secret(value)),
    )
    .redact(secret);
}

/// Where `value` sits inside the node's source (quotes excluded), or the whole node.
fn value_span(source: &SourceFile, node: Span, value: &str) -> Span {
    if value.is_empty() {
        return node;
    }
    source.slice(node).rfind(value).map_or(node, |at| Span::new(node.start + at, node.start + at + value.len()))
}

fn is_literal(value: &str) -> bool {
    let trimmed = value.trim();
    !(trimmed.is_empty()
        || has_interpolation(trimmed)
        || ["true", "false", "yes", "no"].iter().any(|b| trimmed.eq_ignore_ascii_case(b))
        || trimmed.starts_with("/run/secrets/"))
}

#[cfg(test)]
mod tests {
    use trustlint_engine::model::compose::resources;
    use trustlint_engine::parse::yaml::parse;

    use super::*;

    #[test]
    fn literal_values() {
        assert!(is_literal("hunter2"));
        assert!(is_literal("pa$$word"));
        assert!(!is_literal(""));
        assert!(!is_literal("${DB_PASSWORD}"));
        assert!(!is_literal("${DB_PASSWORD:-}"));
        assert!(!is_literal("postgres://u:$PW@db/x"));
        assert!(!is_literal("true"));
        assert!(!is_literal("/run/secrets/db"));
    }

    fn run(text: &str) -> (SourceFile, Outcome) {
        let source = SourceFile::new("compose.yaml", text);
        let Ok(stream) = parse(&source.text) else { panic!("parse failed") };
        let syntax = Syntax::Yaml(stream);
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut out = Outcome::default();
        for resource in resources(syntax.documents()) {
            check(&resource, &file, &mut out);
        }
        (source.clone(), out)
    }

    #[test]
    fn map_and_list_forms_point_at_and_redact_the_value() {
        let text = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: \"s3cr3t-pa55\"\n      POSTGRES_USER: app\n  api:\n    image: a:1\n    environment:\n      - JWT_SECRET=9f8e7d6c5b4a\n      - API_TOKEN\n      - DEBUG=1\n";
        let (source, out) = run(text);
        assert_eq!(out.violations.len(), 2);
        let first = &out.violations[0];
        assert_eq!(source.location(first.span.start).line, 5);
        assert_eq!(source.slice(first.redact[0]), "s3cr3t-pa55");
        assert!(first.message.contains("s3cr****") && !first.message.contains("s3cr3t-pa55"), "{}", first.message);
        let second = &out.violations[1];
        assert_eq!(source.location(second.span.start).line, 10);
        assert_eq!(source.slice(second.redact[0]), "9f8e7d6c5b4a");
    }

    #[test]
    fn numbers_are_literals_too_and_null_passes() {
        let (_, out) = run("services:\n  db:\n    image: x:1\n    environment:\n      REDIS_PASSWORD: 123456\n      API_KEY:\n");
        assert_eq!(out.violations.len(), 1);
    }
}
