//! ## What it checks
//! Every text file for credentials written as literals where no specific token format
//! applies:
//! - a secret-like name assigned a value: `NAME=value` (dotenv, shell, properties, INI,
//!   Dockerfile `ENV`/`ARG`, query strings), `name: value` (YAML), `"name": "value"` (JSON),
//!   `name = "value"` (Terraform, TOML, code), `name := "value"`, `name => "value"`,
//!   Dockerfile's `ENV NAME value`, and XML elements `<password>value</password>` (Maven
//!   `settings.xml`, Tomcat);
//! - a Terraform `variable` with a secret-like name and a literal `default` (committed with
//!   the module whatever `sensitive` says);
//! - a password inside a URL: `scheme://user:password@host`.
//!
//! A name is secret-like when one of its words (split at `_`, `-`, `.` and camelCase) is
//! `password`, `passwd`, `pass`, `pwd` (not `PWD` alone, the working directory),
//! `passphrase`, `secret`, `token`, `credential(s)` or `apikey`; when it names an `api key`,
//! `access key`, `account key`, `secret key`, `private key`, `encryption key`,
//! `signing key` or `master key`; when it is written as one word ending in one of these
//! (`azurestorageaccountkey`, `dbpassword`); or when its last word is `pw` (`POSTGRES_PW`).
//! It is not when a later word says the value is about the secret (`_FILE`, `_PATH`,
//! `_URL`, `_NAME`, `_ID`, `_ARN`, `_LENGTH`, `_TTL`, ...) or its last word says the value is
//! derived from the secret or points at it (`_HASH`, `_DIGEST`, `_CHECKSUM`,
//! `_FINGERPRINT`, `_SHA256`, `_HINT`, `_REF`, `_ENV`, `_VAR`, `_FIELD`, `_PLACEHOLDER`,
//! ...). AWS access key IDs (`AWS_ACCESS_KEY_ID`) are not secret: the ID is TL-SECRET-001's.
//!
//! A value is reported when it is a credential:
//! - a literal: in program and Terraform code (`.tf`, `.py`, `.js`, `.go`, `.jsonnet`, ...)
//!   only a quoted string is one (an unquoted value is a variable or an expression); in
//!   configuration formats an unquoted value is one too;
//! - at least 8 characters, no blanks, and a **Shannon entropy of at least 3.5 bits per
//!   character** (−Σ p·log2 p over the value's characters). Entropy cannot exceed log2 of the
//!   number of distinct characters, so a value needs at least 12 distinct characters to pass:
//!   random material does, words, phrases and human-made passwords (`changeme`,
//!   `hunter2-prod`, `correct-horse-battery-staple`) do not. 3.5 is the bar gitleaks uses
//!   for its generic rule. Values written in hexadecimal only (`0-9a-f`) have a bar of 3.0:
//!   their alphabet has 16 characters, so random hex tops out at 4 bits per character and a
//!   128-bit key in 32 hex digits often measures below 3.5;
//! - a base64 value that decodes to printable text (Kubernetes `Secret` data, basic-auth
//!   pairs) is judged by what it encodes: `c0NhbGVpbzEyMw==` is the human-made `sCaleio123`,
//!   not random material.
//!
//! Never reported (placeholders and references, the allowlist):
//! - interpolations and references: `${VAR}`, `$VAR`, `${{ secrets.X }}`, `$(cmd)`,
//!   `{{ var }}`, `%{...}`, `#{...}`, `%VAR%`, `%(name)s`, `{name}`, `@VAR@`, `__VAR__`,
//!   `{{resolve:...}}`, `!Ref` and other YAML tags (`!vault`, `!secret`), anchors, SOPS
//!   `ENC[...]`, Terraform `var.x`/`local.x` and other dotted paths, `a::b` paths, function
//!   calls, and password hashes (`$2y$...`);
//! - placeholders: `<...>`, `[...]`, and any value containing `example`, `sample`, `dummy`,
//!   `fake`, `placeholder`, `changeme`, `change-me`, `change_me`, `changeit`, `your`,
//!   `here`, `redacted`, `replace`, `insert`, `xxxx`, `****`, `....`, `todo`, `fixme`,
//!   `test` (test values such as `sk_test_...`), `mock`, `default`, `secret`, `password`,
//!   `passwd`, `notreal`, `not-real`, `undefined` or `null`, in any case; a value that spells
//!   its own name (`API_KEY_VALUE`); fillers (fewer than 6 distinct characters, or a run of
//!   six consecutive characters such as `123456` or `abcdef`); the example credentials of
//!   RFC 6749, RFC 6750, RFC 5849 and jwt.io, which documentation quotes;
//! - identifiers (`MY_API_TOKEN`, `databasePassword`, `db-password`), names of Kubernetes
//!   objects and other lowercase slugs with a word in them (`existingSecret:
//!   postgres-credentials-7f9k2m`), paths (`/run/secrets/db`, `./key`), URLs
//!   (`https://auth.example.net/token`), digests (`sha256:...`), ARNs and numbers.
//!
//! Unlike the catalogue's draft, weak defaults (`changeme`, `password`, `admin`) are not
//! reported at medium: a committed placeholder is not a leaked credential, and such words are
//! in every sample configuration.
//!
//! To report each secret once, by the rule that knows it best, a value is left to
//! TL-SECRET-001 (AWS access keys and their secret), TL-SECRET-002 (private keys),
//! TL-SECRET-003 (GitHub tokens) or TL-SECRET-004 (Slack tokens and webhooks) when it is
//! theirs, and the content of files that are sensitive as a whole (Terraform state, `.env`,
//! kubeconfigs, `.npmrc`, `.pypirc`, AWS credentials files, `.htpasswd`, keystores) is left to
//! TL-SECRET-006, which judges it with the same test. The platform rules TL-COMPOSE-006,
//! TL-K8S-015, TL-CFN-001 and TL-AWS-042 may report the same value in compose files,
//! manifests and templates, with a fix specific to the platform.
//!
//! The finding points at the value. Messages show only its first four characters, and every
//! credential the rule finds in the file is redacted in every output format.
//!
//! Known gaps: a value on the line after its name (YAML block scalars, `name:` then
//! `value:` pairs as in Kubernetes and ECS environments, which TL-K8S-015 and TL-AWS-042
//! judge), XML attributes, and human-chosen passwords below the entropy bar.
//!
//! ## Why it matters (CC6.1, C1.1)
//! A password, API key or client secret written into a committed file is handed to
//! everyone who can read the repository, its forks, clones, CI logs and backups, and it
//! stays in the history after the line is deleted. Access to the system it opens is no
//! longer restricted to the people it was issued to (CC6.1), and the confidential data
//! behind it is exposed (C1.1).
//!
//! ## Failing example
//! ```yaml
//! # config/production.yaml
//! database:
//!   host: db.internal
//!   password: Xk9mQ2vL7pR4wT8zN3bC
//! payments:
//!   api_key: "f3Q8zL1xR7mW2kP9vT4n"
//! ```
//!
//! ## Passing example
//! ```yaml
//! # config/production.yaml
//! database:
//!   host: db.internal
//!   password: ${DATABASE_PASSWORD}
//! payments:
//!   api_key: "<set by the deployment>"
//! ```
//!
//! ## Fix
//! Rotate the credential (it is exposed whatever happens to the file), then remove it from
//! the file and the history. Read it at run time from the environment, a mounted file or a
//! secret manager (AWS Secrets Manager, SSM SecureString, Vault, Kubernetes Secrets from an
//! external store, CI secrets), and keep only a reference in the repository.

use trustlint_engine::finding::mask_secret;

use crate::credential::{Literal, Origin, SecretSpans, claimed_by_token_rules, literals, variable_defaults};
use crate::prelude::*;
use crate::sensitive_file::{SensitiveFile, classify};

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-SECRET-005",
        name: "generic-credential-literal",
        title: "Credential written as a literal",
        severity: Severity::High,
        criteria: &["CC6.1", "C1.1"],
        help: "Rotate the credential, remove it from the file and the history, and read it at run time from the environment or a secret manager.",
        checkov: &["CKV_SECRET_6", "CKV_SECRET_10", "CKV_SECRET_80"],
        kics: &["a88baa34-e2ad-44ea-ad6f-8cac87bc7c71"],
        trivy: &["AVD-DS-0031"],
        other: &["gitleaks: generic-api-key", "gitleaks: curl-auth-user"],
        bindings: &[(Target::Text, &["file"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let text = file.source.text.as_str();
    let path = file.source.path.as_str();
    if classify(path, text).is_some_and(|kind| kind != SensitiveFile::PrivateKey) {
        return;
    }
    let mut found = literals(path, text);
    found.extend(variable_defaults(file.syntax, text));
    found.sort_by_key(|l| (l.value.start, l.value.end));
    found.dedup_by_key(|l| l.value);
    if found.is_empty() {
        return;
    }
    let claimed = SecretSpans::new(claimed_by_token_rules(resource, file));
    let own: Vec<&Literal> = found.iter().filter(|l| !claimed.overlap(l.value)).collect();
    let secrets = SecretSpans::new(found.iter().map(|l| l.value).chain(claimed.iter()).collect());
    for literal in &own {
        let masked = mask_secret(file.source.slice(literal.value));
        let message = match literal.origin {
            Origin::Url => format!("`{}` URL embeds a password (`{masked}`)", literal.name),
            Origin::VariableDefault => {
                format!("variable `{}` has a credential literal as its default (`{masked}`)", literal.name)
            }
            Origin::Assignment => format!("`{}` is assigned a credential literal (`{masked}`)", literal.name),
        };
        let violation = out.fail(literal.value, message);
        // The secrets around it too, so that a neighbouring line shown as context is masked.
        for other in secrets.near(literal.value) {
            violation.redact(other);
        }
    }
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
    fn a_credential_is_reported_at_its_value_masked_and_redacted() {
        let text = "database:\n  host: db.internal\n  password: Xk9mQ2vL7pR4wT8zN3bC\n  api_key: \"f3Q8zL1xR7mW2kP9vT4n\"\n";
        let out = run("config/production.yaml", text);
        assert_eq!(out.violations.len(), 2);
        let v = &out.violations[0];
        assert_eq!(&text[v.span.start..v.span.end], "Xk9mQ2vL7pR4wT8zN3bC");
        assert_eq!(v.message, "`password` is assigned a credential literal (`Xk9m****`)");
        assert!(v.redact.contains(&v.span) && v.redact.contains(&out.violations[1].span));
        assert_eq!(out.violations[1].message, "`api_key` is assigned a credential literal (`f3Q8****`)");
    }

    #[test]
    fn url_passwords_are_reported() {
        let text = "DATABASE_URL=postgres://billing:Xk9mQ2vL7pR4wT8zN3bC@db.internal:5432/billing\n";
        let out = run("docker/app.conf", text);
        assert_eq!(out.violations.len(), 1);
        assert_eq!(out.violations[0].message, "`postgres` URL embeds a password (`Xk9m****`)");
    }

    #[test]
    fn secrets_of_the_specific_rules_are_theirs() {
        let github = "GITHUB_TOKEN=ghp_Zr4Tq8mWc2Lx7Nv5Kb9Hd3Fs6Jy1Pg0Ae8Uo\n";
        assert!(run("deploy.sh", github).violations.is_empty());
        let aws = "aws_access_key_id = AKIA2E7QZ4PFN5WJHX6M\naws_secret_access_key = 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\n";
        assert!(run("deploy/settings.ini", aws).violations.is_empty());
        let slack = "slack_token: xoxb-7316402958-5830174269381-qT3rWm8KzN2vLp6HxB9cYd4J\n";
        assert!(run("bot.yaml", slack).violations.is_empty());
        // An unpaired secret access key is a generic credential.
        let secret_only = "aws_secret_access_key = qV3tN8wLx2RkP9sJm4HcZ7bYf1GdT6aUe5Wi0oQn\n";
        assert_eq!(run("deploy/settings.ini", secret_only).violations.len(), 1);
    }

    #[test]
    fn sensitive_files_are_left_to_the_sensitive_file_rule() {
        let text = "DB_PASSWORD=Xk9mQ2vL7pR4wT8zN3bC\n";
        assert!(run(".env", text).violations.is_empty());
        assert!(run("terraform.tfstate", "{\"password\": \"Xk9mQ2vL7pR4wT8zN3bC\"}").violations.is_empty());
        assert_eq!(run(".env.example", text).violations.len(), 1);
    }
}
