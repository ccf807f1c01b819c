//! ## What it checks
//! Files that should not be in a repository at all, recognised by their name, when the
//! walk reads them (files ignored by `.gitignore` are never walked, so an ignored `.env` is
//! fine):
//! - **Terraform state** (`*.tfstate`, `*.tfstate.backup`, `*.tfstate.<serial>.backup`), any
//!   non-empty one: state stores every resource attribute in plain text, generated passwords,
//!   private keys and connection strings included;
//! - **dotenv files** (`.env`, `.env.local`, `.env.production`, any `.env.*` except templates:
//!   `.example`, `.sample`, `.template`, `.tmpl`, `.tpl`, `.dist`, `.defaults`, `.default`,
//!   `.schema`, and documentation suffixes), **kubeconfigs** (`kubeconfig`,
//!   `kubeconfig.yaml`, `kubeconfig-*`, `*.kubeconfig`, `.kube/config`, or any YAML file of
//!   `kind: Config` with `users:`), **`.npmrc`**, **`.pypirc`** and **AWS shared credentials
//!   files** (`.aws/credentials`, or a file named `credentials` with a `[profile]` and
//!   `aws_*` keys), when they hold a credential: a secret-like setting with a literal value
//!   that passes TL-SECRET-005's test (not a reference or placeholder, at least 8
//!   characters, Shannon entropy at least 3.5 bits per character), a password in a URL, or in
//!   `.npmrc` an `_auth` value. So a `.env` of `TZ=Etc/UTC` or `DB_PASSWORD=changeme`, an
//!   `.npmrc` with `_authToken=${NPM_TOKEN}` or a kubeconfig that runs an `exec` plugin
//!   passes;
//! - **`.htpasswd`** files with at least one `user:hash` line (the hashes can be cracked
//!   offline);
//! - **keystores** (`*.p12`, `*.pfx`, `*.jks`, `*.keystore`, but not `*truststore*`, which
//!   holds public certificates) that are text (base64 exports). Binary keystores, which is
//!   nearly all of them, are never read: the linter skips binary files before any rule runs,
//!   so they are not reported today. Reporting them needs their path alone, which the scan
//!   does not hand to rules for binary files yet.
//!
//! Each secret is reported once, by the rule that knows it best: a private key file
//! (`id_rsa`, `id_ed25519`, `*.pem` and `*.key` holding a private key) is TL-SECRET-002's,
//! and a credential that TL-SECRET-001 (AWS keys), TL-SECRET-003 (GitHub tokens) or
//! TL-SECRET-004 (Slack) reports does not make its file reported here, so an AWS credentials
//! file whose key pair TL-SECRET-001 reports is not reported again. Terraform state is
//! reported whatever else is found in it. The content of the files this rule covers is not
//! scanned by TL-SECRET-005.
//!
//! The finding points at the first credential of the file (the first line of a Terraform
//! state or keystore, the first hash of an `.htpasswd`), and the message names the file and
//! counts its credentials. Values are masked (first four characters), and every credential
//! found in the file is redacted in every output format.
//!
//! Not covered: `.terraform/` directories, which the walk never enters (they hold provider
//! binaries and a copy of the backend configuration; ignore them in `.gitignore`).
//!
//! ## Why it matters (CC6.1, C1.1, C1.2)
//! These files exist to hold credentials, or hold them as a side effect (Terraform state):
//! committed, every secret in them is given to whoever can read the repository, its forks,
//! clones and backups, and stays in the history after the file is deleted. Access is no
//! longer restricted to the people the credentials were issued to (CC6.1), confidential
//! information is exposed (C1.1), and a file that must be disposed of cannot be, since the
//! history keeps it (C1.2).
//!
//! ## Failing example
//! ```text
//! # .env (committed)
//! APP_ENV=production
//! DATABASE_PASSWORD=Xk9mQ2vL7pR4wT8zN3bC
//! STRIPE_API_KEY=f3Q8zL1xR7mW2kP9vT4n
//! ```
//!
//! ## Passing example
//! ```text
//! # .env.example (committed; the real .env is listed in .gitignore)
//! APP_ENV=production
//! DATABASE_PASSWORD=changeme
//! STRIPE_API_KEY=<your-stripe-key>
//! ```
//!
//! ## Fix
//! Remove the file from the repository and its history (`git rm --cached`, then
//! `git filter-repo`), add its name to `.gitignore`, and rotate every credential it held.
//! Commit a template (`.env.example`) instead of the real file; keep Terraform state in a
//! remote backend with encryption and locking (S3 with `encrypt` and `use_lockfile`, GCS,
//! Terraform Cloud); use `exec` credential plugins in kubeconfigs and `${NPM_TOKEN}` in
//! `.npmrc`.

use std::sync::LazyLock;

use regex::Regex;
use trustlint_engine::finding::mask_secret;

use crate::credential::{Literal, Origin, SecretSpans, claimed_by_token_rules, is_credential, literals};
use crate::prelude::*;
use crate::sensitive_file::{SensitiveFile, classify};

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-SECRET-006",
        name: "sensitive-file-committed",
        title: "Sensitive file committed",
        severity: Severity::High,
        criteria: &["CC6.1", "C1.1", "C1.2"],
        help: "Remove the file from the repository and its history, list it in .gitignore, rotate what it held, and commit a template instead.",
        checkov: &[],
        kics: &[],
        trivy: &[],
        other: &["gitleaks: pkcs12-file"],
        bindings: &[(Target::Text, &["file"])],
    }
}

// Constant patterns compile (a test says so); `None` would only make the rule find less.

/// `.npmrc`'s `_auth` (base64 of `user:password`); group 1 is the value.
static NPM_AUTH: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?m)(?:^|:)_auth[ \t]*=[ \t]*(\S+)").ok());

/// An `.htpasswd` line: `user:hash`; group 1 is the hash.
static HTPASSWD: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?m)^[^:#\s][^:\r\n]*:(\S+)").ok());

/// A first line longer than this is minified content, all of it hidden in the output.
const MINIFIED_LINE: usize = 200;

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let text = file.source.text.as_str();
    let path = file.source.path.as_str();
    let Some(kind) = classify(path, text) else { return };
    let name = file.source.file_name();
    match kind {
        SensitiveFile::PrivateKey => {}
        SensitiveFile::TerraformState | SensitiveFile::Keystore => whole_file(kind, name, file, out),
        SensitiveFile::Htpasswd => htpasswd(name, text, out),
        SensitiveFile::Dotenv
        | SensitiveFile::Kubeconfig
        | SensitiveFile::Npmrc
        | SensitiveFile::Pypirc
        | SensitiveFile::AwsCredentials => credentials(kind, name, resource, file, out),
    }
}

/// Terraform state and text keystores: the file itself is the secret.
fn whole_file(kind: SensitiveFile, name: &str, file: &FileContext<'_>, out: &mut Outcome) {
    let text = file.source.text.as_str();
    let Some(start) = text.find(|c: char| !c.is_whitespace()) else { return };
    let end = text.get(start..).and_then(|t| t.find(['\r', '\n'])).map_or(text.len(), |i| start + i);
    let first_line = Span::new(start, end);
    let message = match kind {
        SensitiveFile::TerraformState => format!(
            "{} `{name}` is committed: state holds every resource attribute, generated passwords and keys included, in plain text",
            kind.describe()
        ),
        _ => format!("{} `{name}` is committed: keystores hold private keys", kind.describe()),
    };
    let violation = out.fail(first_line, message);
    // What the rules know to be secret, and a minified first line as a whole.
    for literal in literals(&file.source.path, text) {
        violation.redact(literal.value);
    }
    // The first character stays visible; the rest of a minified line (or a keystore's) is hidden.
    let second = start + text.get(start..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
    if (kind == SensitiveFile::Keystore || first_line.len() > MINIFIED_LINE) && second < end {
        violation.redact(Span::new(second, end));
    }
}

/// `.htpasswd`: every `user:hash` line is a credential.
fn htpasswd(name: &str, text: &str, out: &mut Outcome) {
    let Some(line) = HTPASSWD.as_ref() else { return };
    let hashes: Vec<Span> = line
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| Span::new(m.start(), m.end()))
        .collect();
    let Some(first) = hashes.first().copied() else { return };
    let count = hashes.len();
    let users = if count == 1 { "1 password hash".to_string() } else { format!("{count} password hashes") };
    let message = format!("htpasswd file `{name}` is committed with {users} (`{}`)", mask_secret(slice(text, first)));
    let violation = out.fail(first, message);
    for hash in hashes {
        violation.redact(hash);
    }
}

/// Files sensitive for the credentials they hold: reported when they hold one that no
/// specific token rule reports.
fn credentials(kind: SensitiveFile, name: &str, resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let text = file.source.text.as_str();
    let mut found = literals(&file.source.path, text);
    if kind == SensitiveFile::Npmrc {
        found.extend(npm_auth(text));
        found.sort_by_key(|l| l.value.start);
    }
    if found.is_empty() {
        return;
    }
    let claimed = claimed_by_token_rules(resource, file);
    let claims = SecretSpans::new(claimed.clone());
    let own: Vec<&Literal> = found.iter().filter(|l| !claims.overlap(l.value)).collect();
    let Some(first) = own.first() else { return };
    let what = if first.origin == Origin::Url {
        format!("a password in a `{}` URL", first.name)
    } else {
        format!("`{}`", first.name)
    };
    let more = match own.len() {
        1 => String::new(),
        2 => " and 1 more credential".to_string(),
        n => format!(" and {} more credentials", n - 1),
    };
    let message = format!(
        "{} `{name}` is committed holding {what} (`{}`){more}",
        kind.describe(),
        mask_secret(slice(text, first.value))
    );
    let violation = out.fail(first.value, message);
    for other in found.iter().map(|l| l.value).chain(claimed) {
        violation.redact(other);
    }
}

/// `_auth=` values of an `.npmrc` that are credentials.
fn npm_auth(text: &str) -> Vec<Literal> {
    let Some(auth) = NPM_AUTH.as_ref() else { return Vec::new() };
    auth.captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| Span::new(m.start(), m.end()))
        .filter(|span| is_credential(text, *span, "_auth"))
        .map(|value| Literal { name: "_auth".to_string(), value, origin: Origin::Assignment })
        .collect()
}

fn slice(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
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
    fn patterns_compile() {
        assert!(NPM_AUTH.is_some() && HTPASSWD.is_some());
    }

    #[test]
    fn dotenv_with_credentials_is_reported_at_the_first() {
        let text = "APP_ENV=production\nDATABASE_PASSWORD=Xk9mQ2vL7pR4wT8zN3bC\nSTRIPE_API_KEY=f3Q8zL1xR7mW2kP9vT4n\n";
        let out = run("app/.env", text);
        assert_eq!(out.violations.len(), 1);
        let v = &out.violations[0];
        assert_eq!(&text[v.span.start..v.span.end], "Xk9mQ2vL7pR4wT8zN3bC");
        assert_eq!(
            v.message,
            "dotenv file `.env` is committed holding `DATABASE_PASSWORD` (`Xk9m****`) and 1 more credential"
        );
        assert_eq!(v.redact.len(), 2);
    }

    #[test]
    fn files_without_credentials_pass() {
        let passing = [
            (".env", "TZ=Etc/UTC\nPLEX_MEDIA_PATH=/media/plex\n"),
            (".env", "POSTGRES_PASSWORD=changeme\nAPI_TOKEN=<your-token>\n"),
            (".env.example", "DATABASE_PASSWORD=Xk9mQ2vL7pR4wT8zN3bC\n"),
            (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nalways-auth=true\n"),
            (".pypirc", "[pypi]\nusername = __token__\npassword = <pypi-token>\n"),
            ("kubeconfig", "users:\n- name: ci\n  user:\n    exec:\n      command: aws\n"),
            ("terraform.tfstate", "  \n"),
            ("server.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
            (".htpasswd", "# no users yet\n"),
        ];
        for (path, text) in passing {
            assert!(run(path, text).violations.is_empty(), "{path}: {text}");
        }
    }

    #[test]
    fn credentials_of_specific_rules_do_not_count() {
        let paired = "[default]\naws_access_key_id = AKIA2E7QZ4PFN5WJHX6M\naws_secret_access_key = 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\n";
        assert!(run(".aws/credentials", paired).violations.is_empty());
        let session = format!("{paired}aws_session_token = IQoJb3JpZ2luX2VjEJr8Xk9mQ2vL7pR4wT8zN3bC\n");
        let out = run(".aws/credentials", &session);
        assert_eq!(out.violations.len(), 1);
        assert!(out.violations[0].message.contains("`aws_session_token`"), "{}", out.violations[0].message);
        let github = "//npm.pkg.github.com/:_authToken=ghp_Zr4Tq8mWc2Lx7Nv5Kb9Hd3Fs6Jy1Pg0Ae8Uo\n";
        assert!(run(".npmrc", github).violations.is_empty());
    }

    #[test]
    fn npmrc_pypirc_and_kubeconfig_credentials() {
        let npm = "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=npm_Xk9mQ2vL7pR4wT8zN3bCf3Q8zL1xR7mW2kP9\n";
        assert_eq!(run(".npmrc", npm).violations.len(), 1);
        let auth = "_auth=YWRtaW46WGs5bVEydkw3cFI0d1Q4ek4zYkM=\n";
        assert_eq!(run(".npmrc", auth).violations[0].message, "npm configuration `.npmrc` is committed holding `_auth` (`YWRt****`)");
        let pypi = "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmcCJDVhN2Q4ZjFl\n";
        assert_eq!(run(".pypirc", pypi).violations.len(), 1);
        let kube = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrOHMifQ.Xk9mQ2vL7pR4wT8zN3bC\n";
        assert_eq!(run("deploy/admin.conf", kube).violations.len(), 1);
    }

    #[test]
    fn state_keystores_and_htpasswd_are_reported_whole() {
        let state = "{\n  \"version\": 4,\n  \"resources\": []\n}\n";
        let out = run("envs/prod/terraform.tfstate", state);
        assert_eq!(out.violations.len(), 1);
        assert_eq!(out.violations[0].span, Span::new(0, 1));
        assert!(out.violations[0].message.starts_with("Terraform state file `terraform.tfstate` is committed"));
        let minified = format!("{{\"version\":4,\"outputs\":{{\"token\":{{\"value\":\"{}\"}}}}}}", "Q".repeat(300));
        let out = run("terraform.tfstate", &minified);
        assert_eq!(out.violations[0].redact, [Span::new(1, minified.len())]);
        let htpasswd = "admin:$apr1$Xk9mQ2vL$7pR4wT8zN3bCf3Q8zL1xR.\nops:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n";
        let out = run("nginx/.htpasswd", htpasswd);
        assert_eq!(out.violations.len(), 1);
        assert_eq!(out.violations[0].message, "htpasswd file `.htpasswd` is committed with 2 password hashes (`$apr****`)");
        assert_eq!(out.violations[0].redact.len(), 2);
        assert_eq!(run("certs/client.p12", "MIIKcQIBAzCCCjcGCSqGSIb3DQEHAaCCCigEggokMIIKIDCC\n").violations.len(), 1);
    }

    #[test]
    fn private_key_files_are_left_to_private_key_material() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
        assert!(run("home/.ssh/id_ed25519", key).violations.is_empty());
    }
}
