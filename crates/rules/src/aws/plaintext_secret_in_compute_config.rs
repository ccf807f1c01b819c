//! ## What it checks
//! Secrets written as literals into the configuration of compute resources, where they end up
//! in plain text in the API, the console, the state file and the repository:
//! - Lambda environment variables (Terraform `aws_lambda_function` `environment.variables`,
//!   CloudFormation `AWS::Lambda::Function` `Environment.Variables`);
//! - ECS container environments (Terraform `aws_ecs_task_definition` `container_definitions`,
//!   as a JSON string, a heredoc or `jsonencode(...)`; CloudFormation
//!   `AWS::ECS::TaskDefinition` `ContainerDefinitions[].Environment`);
//! - EC2 user data (`aws_instance`, `aws_launch_template`, `aws_launch_configuration`
//!   `user_data`).
//!
//! An environment variable fails when its name looks like a secret (`PASSWORD`, `SECRET`,
//! `TOKEN`, `API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`, `CLIENT_SECRET`, `CREDENTIALS`, ...) and
//! its value is a literal. A value that points at the secret instead passes: an ARN, an SSM
//! parameter name or path (`/prod/db/password`), a CloudFormation dynamic reference
//! (`{{resolve:secretsmanager:...}}`), a reference to another resource or data source, and
//! booleans, numbers and empty strings. So do names that hold a pointer or a setting rather
//! than the secret (`DB_SECRET_ARN`, `TOKEN_URL`, `PASSWORD_MIN_LENGTH`, ...). Whatever the
//! name, a value that is an AWS access key id (`AKIA...`) or a URL with an embedded password
//! (`postgres://app:pw@db/app`) fails. User data fails when it contains an AWS access key id
//! or a `password=` / `password:` assignment of a literal.
//!
//! A value built from a variable or a local (`var.db_password`) may hold a literal default:
//! unknown until the module is evaluated. Container definitions or user data read from a file
//! or a template (`file(...)`, `templatefile(...)`) are unknown too.
//!
//! This rule is native because the policy language cannot test a map key (the variable's
//! name) against a pattern, nor read the JSON document inside `container_definitions`.
//!
//! ## Why it matters (C1.1, CC6.1)
//! Environment variables and user data are not secret storage: anyone with read access to the
//! function, task definition or instance (`lambda:GetFunctionConfiguration`,
//! `ecs:DescribeTaskDefinition`, `ec2:DescribeInstanceAttribute`, the console, a read-only
//! auditor role) reads them, every task definition revision keeps them forever, and the
//! Terraform state and the repository hold them too. A confidential credential is exposed to
//! people who were never granted it (C1.1), and access to the system it opens is no longer
//! restricted to those who should have it (CC6.1). It also cannot be rotated without a
//! redeploy.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_lambda_function" "billing" {
//!   function_name = "billing"
//!   environment {
//!     variables = {
//!       DB_PASSWORD = "Sup3r-s3cret!"
//!     }
//!   }
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_lambda_function" "billing" {
//!   function_name = "billing"
//!   environment {
//!     variables = {
//!       DB_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.db.arn
//!     }
//!   }
//! }
//! ```
//!
//! ## Fix
//! Keep the secret in AWS Secrets Manager or an SSM SecureString parameter and give the
//! workload a pointer to it: for ECS, `secrets = [{ name = "DB_PASSWORD", valueFrom = <ARN> }]`
//! in the container definition (injected at start, never stored in the task definition); for
//! Lambda, the secret's ARN in the environment and a read at start-up (or the Parameters and
//! Secrets extension); for EC2, a read from Secrets Manager in the user data script with the
//! instance role. Then rotate the exposed secret: it has been in plain text.

use std::sync::LazyLock;

use regex::Regex;
use trustlint_engine::finding::mask_secret;
use trustlint_engine::parse::{hcl, json};

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-042",
        name: "plaintext-secret-in-compute-config",
        title: "Secret written in plain text in a Lambda, ECS or EC2 configuration",
        severity: Severity::High,
        criteria: &["C1.1", "CC6.1"],
        help: "Store the secret in Secrets Manager or SSM Parameter Store (SecureString) and pass a \
               reference: ECS `secrets[].valueFrom`, the secret's ARN for Lambda, a read at boot \
               for EC2; then rotate it.",
        checkov: &["CKV_AWS_45", "CKV_AWS_46"],
        kics: &[
            "1402afd8-a95c-4e84-8b0b-6fb43758e6ce",
            "d40210ea-64b9-4cce-a4fb-e8604f3c062c",
            "d7b9d850-3e06-4a75-852f-c46c2e92240b",
        ],
        trivy: &["AVD-AWS-0036", "AVD-AWS-0029"],
        other: &[],
        bindings: &[
            (
                Target::Terraform,
                &[
                    "aws_lambda_function",
                    "aws_ecs_task_definition",
                    "aws_instance",
                    "aws_launch_template",
                    "aws_launch_configuration",
                ],
            ),
            (Target::Cloudformation, &["AWS::Lambda::Function", "AWS::ECS::TaskDefinition"]),
        ],
    }
}

/// Names that say the variable holds a secret.
static SECRET_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(passw(or)?d|passwd|pwd|passphrase|secret|token|api_?key|access_?key|private_?key|auth_?key|signing_?key|encryption_?key|master_?key|session_?key|credential)",
    )
    .ok()
});

/// Name endings that say the variable holds a pointer to the secret, or a setting about it,
/// rather than the secret itself.
const POINTER_SUFFIXES: [&str; 44] = [
    "_ARN",
    "_NAME",
    "_ID",
    "_IDS",
    "_PATH",
    "_PARAM",
    "_PARAMETER",
    "_SSM",
    "_REF",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_HOST",
    "_PORT",
    "_FILE",
    "_DIR",
    "_TYPE",
    "_HEADER",
    "_REGION",
    "_TTL",
    "_EXPIRY",
    "_EXPIRATION",
    "_LIFETIME",
    "_DURATION",
    "_TIMEOUT",
    "_SECONDS",
    "_LENGTH",
    "_SIZE",
    "_COUNT",
    "_ENABLED",
    "_DISABLED",
    "_VERSION",
    "_MODE",
    "_SOURCE",
    "_LOCATION",
    "_PREFIX",
    "_FORMAT",
    "_ALGORITHM",
    "_ISSUER",
    "_AUDIENCE",
    "_SCOPE",
    "_SCOPES",
    "_POLICY",
    "_ROTATION",
];

/// An AWS access key id (long-term `AKIA`, temporary `ASIA`, and the other documented
/// prefixes).
static ACCESS_KEY_ID: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b(AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b").ok());

/// A URL with a password in its user information: `scheme://user:password@host`.
static URL_PASSWORD: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]+:([^\s@/$]+)@").ok());

/// A password assigned in a script or cloud-init file: `password=...`, `PGPASSWORD=...`,
/// `password: ...`. The value must be a literal: not a variable (`$`), a template (`{{`,
/// `%`) or a placeholder (`<...>`).
static PASSWORD_ASSIGNMENT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:password|passwd|pwd)["']?\s*[=:]\s*["']?([^\s"'$%{<;&|)]+)"#).ok()
});

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let text = file.source.text.as_str();
    match (resource.target, resource.kind.as_str()) {
        (Target::Terraform, "aws_lambda_function") => {
            for environment in body.get("environment").map(Node::items).unwrap_or_default() {
                match environment.get("variables") {
                    Some(variables) if variables.is_expr() => out.unknown(),
                    Some(variables) => {
                        for entry in variables.entries() {
                            judge(resource, "environment variable", &entry.key, &entry.value, None, text, out);
                        }
                    }
                    None => {}
                }
            }
        }
        (Target::Terraform, "aws_ecs_task_definition") => {
            if let Some(definitions) = body.get("container_definitions") {
                container_definitions(resource, definitions, text, out);
            }
        }
        (Target::Terraform, _) => {
            if let Some(user_data) = body.get("user_data") {
                scan_user_data(resource, user_data, text, out);
            }
        }
        (Target::Cloudformation, "AWS::Lambda::Function") => {
            if let Some(variables) = body.get_path("Properties.Environment.Variables") {
                for entry in variables.entries() {
                    judge(resource, "environment variable", &entry.key, &entry.value, None, text, out);
                }
            }
        }
        (Target::Cloudformation, "AWS::ECS::TaskDefinition") => {
            if let Some(definitions) = body.get_path("Properties.ContainerDefinitions") {
                containers(resource, definitions, None, text, out);
            }
        }
        _ => {}
    }
}

/// Read `container_definitions`: a JSON string (quoted or heredoc), `jsonencode(<literal>)`, or
/// an already evaluated list. Anything else (`file(...)`, `templatefile(...)`, a reference) is
/// unknown.
fn container_definitions(resource: &Resource<'_>, definitions: &Node, text: &str, out: &mut Outcome) {
    match &definitions.value {
        // A string that is not JSON would be rejected by Terraform: nothing to judge then.
        Value::String(document) => {
            if let Ok(parsed) = json::parse(document) {
                containers(resource, &parsed.root, Some(definitions.span), text, out);
            }
        }
        Value::List(_) | Value::Map(_) => containers(resource, definitions, None, text, out),
        Value::Expr(expression) => match jsonencode_argument(expression) {
            Some(argument) => match hcl::parse(&format!("definitions = {argument}\n")) {
                Ok(parsed) => {
                    if let Some(attribute) = parsed.attributes.first() {
                        containers(resource, &attribute.value, Some(definitions.span), text, out);
                    }
                }
                Err(_) => out.unknown(),
            },
            None => out.unknown(),
        },
        _ => {}
    }
}

/// The argument of `jsonencode(...)` when the whole expression is one such call.
fn jsonencode_argument(expression: &str) -> Option<&str> {
    let inner = expression.trim().strip_prefix("jsonencode(")?.strip_suffix(')')?;
    Some(inner.trim())
}

/// Judge the environment of every container. `embedded` is the span of the attribute the
/// definitions were parsed from, when their nodes' spans are relative to a string of their
/// own rather than to the file.
fn containers(resource: &Resource<'_>, definitions: &Node, embedded: Option<Span>, text: &str, out: &mut Outcome) {
    if definitions.is_expr() || definitions.as_tagged().is_some() {
        out.unknown();
        return;
    }
    for container in definitions.items() {
        let environment = container.get("environment").or_else(|| container.get("Environment"));
        let Some(environment) = environment else { continue };
        if environment.is_expr() || environment.as_tagged().is_some() {
            out.unknown();
            continue;
        }
        for variable in environment.items() {
            let name = variable.get("name").or_else(|| variable.get("Name")).and_then(Node::as_str);
            let value = variable.get("value").or_else(|| variable.get("Value"));
            if let (Some(name), Some(value)) = (name, value) {
                judge(resource, "container environment variable", name, value, embedded, text, out);
            }
        }
    }
}

/// Judge one variable. `embedded`: see [`containers`].
fn judge(
    resource: &Resource<'_>,
    what: &str,
    name: &str,
    value: &Node,
    embedded: Option<Span>,
    text: &str,
    out: &mut Outcome,
) {
    let literal = match &value.value {
        Value::String(s) => s.as_str(),
        Value::Expr(expression) => {
            // A variable or local may carry a literal default; a resource or data source
            // attribute is a reference, not a literal.
            if is_secret_name(name) && (expression.contains("var.") || expression.contains("local.")) {
                out.unknown();
            }
            return;
        }
        // Numbers, booleans, null, intrinsic functions (`!Ref`, `!Sub`): not a literal secret.
        _ => return,
    };
    let why = if let Some(key) = find(&ACCESS_KEY_ID, literal) {
        Some((key, "an AWS access key id"))
    } else if let Some(password) = url_password(literal) {
        Some((password, "a URL with an embedded password"))
    } else if is_secret_name(name) && !is_pointer(literal) {
        Some((literal, "a literal secret"))
    } else {
        None
    };
    let Some((secret, kind)) = why else { return };
    let span = locate(value, embedded, secret, text);
    out.fail(
        span,
        format!("{what} `{name}` of `{}` holds {kind} (`{}`) in plain text", resource.address, mask_secret(secret)),
    )
    .redact(span);
}

/// Scan user data for access keys and password assignments.
fn scan_user_data(resource: &Resource<'_>, user_data: &Node, text: &str, out: &mut Outcome) {
    let script = match &user_data.value {
        Value::String(s) => s.as_str(),
        // The expression's own text may still hold literals (`base64encode(<<-EOT ... EOT)`);
        // what it reads from elsewhere (`file(...)`, variables) is unknown.
        Value::Expr(expression) => expression.as_str(),
        _ => return,
    };
    let found = if let Some(key) = find(&ACCESS_KEY_ID, script) {
        Some((key, "an AWS access key id"))
    } else {
        password_assignment(script).map(|password| (password, "a literal password"))
    };
    match found {
        Some((secret, kind)) => {
            let embedded = if user_data.is_expr() { None } else { Some(user_data.span) };
            let span = locate(user_data, embedded, secret, text);
            out.fail(
                span,
                format!("user data of `{}` holds {kind} (`{}`) in plain text", resource.address, mask_secret(secret)),
            )
            .redact(span);
        }
        None if user_data.is_expr() => out.unknown(),
        None => {}
    }
}

fn find<'t>(pattern: &LazyLock<Option<Regex>>, text: &'t str) -> Option<&'t str> {
    pattern.as_ref().and_then(|re| re.find(text)).map(|m| m.as_str())
}

fn url_password(value: &str) -> Option<&str> {
    URL_PASSWORD.as_ref()?.captures(value)?.get(1).map(|m| m.as_str())
}

fn password_assignment(script: &str) -> Option<&str> {
    PASSWORD_ASSIGNMENT.as_ref()?.captures_iter(script).filter_map(|c| c.get(1)).map(|m| m.as_str()).next()
}

fn is_secret_name(name: &str) -> bool {
    if !SECRET_NAME.as_ref().is_some_and(|re| re.is_match(name)) {
        return false;
    }
    let upper = name.to_ascii_uppercase().replace(['-', '.'], "_");
    !POINTER_SUFFIXES.iter().any(|suffix| upper.ends_with(suffix))
}

/// Whether a literal value points at a secret (or is a setting) rather than being one.
fn is_pointer(value: &str) -> bool {
    let trimmed = value.trim();
    let lower = trimmed.to_ascii_lowercase();
    trimmed.is_empty()
        || lower.starts_with("arn:")
        || trimmed.starts_with('/')
        || lower.contains("{{resolve:")
        || trimmed.starts_with('$')
        || (trimmed.starts_with('<') && trimmed.ends_with('>'))
        || lower.starts_with("ssm:")
        || lower.starts_with("secretsmanager:")
        || trimmed.parse::<f64>().is_ok()
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null" | "nil" | "enabled" | "disabled"
        )
}

/// Where the secret is in the file: the secret's own text inside the attribute when it can
/// be found there verbatim (a heredoc, a quoted JSON string, `jsonencode`), else the value.
fn locate(value: &Node, embedded: Option<Span>, secret: &str, text: &str) -> Span {
    let outer = embedded.unwrap_or(value.span);
    let within = text.get(outer.start..outer.end).unwrap_or("");
    match within.find(secret) {
        Some(pos) if !secret.is_empty() => Span::new(outer.start + pos, outer.start + pos + secret.len()),
        _ => outer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::terraform;
    use trustlint_engine::rule::CheckResult;

    /// Every resource of a Terraform text: address, result, and the pointed text.
    fn run(text: &str) -> Vec<(String, CheckResult, Vec<String>)> {
        let file = hcl::parse(text).expect("parses");
        let source = SourceFile::new("main.tf", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        terraform::resources(&file)
            .iter()
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                let pointed = out.violations.iter().map(|v| source.slice(v.span).to_string()).collect();
                (r.address.clone(), out.result(), pointed)
            })
            .collect()
    }

    #[test]
    fn lambda_environment() {
        let text = r#"resource "aws_lambda_function" "a" {
  environment {
    variables = {
      DB_PASSWORD          = "Sup3r-s3cret!"
      DB_PASSWORD_ARN      = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"
      API_TOKEN_PARAM      = "/prod/api/token"
      STRIPE_API_KEY       = "/prod/stripe/key"
      SESSION_SECRET       = aws_secretsmanager_secret_version.s.secret_string
      LOG_LEVEL            = "info"
      TOKEN_TTL            = "3600"
      AUTH_TOKEN           = var.auth_token
      AWS_ACCESS_KEY_ID    = "AKIAIOSFODNN7EXAMPLE"
      DATABASE_URL         = "postgres://app:hunter22@db.internal:5432/app"
    }
  }
}
"#;
        let results = run(text);
        assert_eq!(results.len(), 1);
        let (_, result, pointed) = &results[0];
        assert_eq!(*result, CheckResult::Fail);
        assert_eq!(pointed, &["Sup3r-s3cret!", "AKIAIOSFODNN7EXAMPLE", "hunter22"]);
    }

    #[test]
    fn lambda_from_variables_is_unknown() {
        let text = r#"resource "aws_lambda_function" "a" {
  environment {
    variables = var.environment
  }
}
resource "aws_lambda_function" "b" {
  environment {
    variables = { AUTH_TOKEN = var.token, REGION = var.region }
  }
}
resource "aws_lambda_function" "c" {
  environment {
    variables = { REGION = var.region }
  }
}
"#;
        let results: Vec<CheckResult> = run(text).into_iter().map(|(_, r, _)| r).collect();
        assert_eq!(results, [CheckResult::Unknown, CheckResult::Unknown, CheckResult::Pass]);
    }

    #[test]
    fn ecs_container_definitions_in_every_form() {
        let text = r#"resource "aws_ecs_task_definition" "heredoc" {
  container_definitions = <<-EOT
    [{"name": "app", "environment": [{"name": "DB_PASSWORD", "value": "hunter2-heredoc"}],
      "secrets": [{"name": "API_KEY", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/api"}]}]
  EOT
}
resource "aws_ecs_task_definition" "encoded" {
  container_definitions = jsonencode([
    {
      name  = "app"
      image = "${aws_ecr_repository.app.repository_url}:1.2.3"
      environment = [
        { name = "CLIENT_SECRET", value = "hunter2-encoded" },
        { name = "PORT", value = "8080" },
      ]
    }
  ])
}
resource "aws_ecs_task_definition" "clean" {
  container_definitions = jsonencode([{ name = "app", environment = [{ name = "MODE", value = "prod" }] }])
}
resource "aws_ecs_task_definition" "templated" {
  container_definitions = templatefile("containers.json.tpl", {})
}
"#;
        let results = run(text);
        let summary: Vec<(CheckResult, Vec<String>)> = results.into_iter().map(|(_, r, p)| (r, p)).collect();
        assert_eq!(
            summary,
            [
                (CheckResult::Fail, vec!["hunter2-heredoc".to_string()]),
                (CheckResult::Fail, vec!["hunter2-encoded".to_string()]),
                (CheckResult::Pass, vec![]),
                (CheckResult::Unknown, vec![]),
            ]
        );
    }

    #[test]
    fn user_data() {
        let text = r##"resource "aws_instance" "keys" {
  user_data = <<-EOT
    #!/bin/bash
    export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
  EOT
}
resource "aws_instance" "password" {
  user_data = "#!/bin/bash\nmysql -u root --password=Hunter2pw -e 'select 1'\n"
}
resource "aws_launch_template" "variable" {
  user_data = base64encode(<<-EOT
    #!/bin/bash
    PGPASSWORD=$DB_PASSWORD psql -h db -c 'select 1'
  EOT
  )
}
resource "aws_launch_template" "literal_in_expression" {
  user_data = base64encode("#!/bin/bash\necho 'password: Hunter2pw' > /etc/app.conf\n")
}
resource "aws_instance" "clean" {
  user_data = "#!/bin/bash\nyum install -y nginx\n"
}
"##;
        let results = run(text);
        let summary: Vec<(CheckResult, Vec<String>)> = results.into_iter().map(|(_, r, p)| (r, p)).collect();
        assert_eq!(
            summary,
            [
                (CheckResult::Fail, vec!["AKIAIOSFODNN7EXAMPLE".to_string()]),
                (CheckResult::Fail, vec!["Hunter2pw".to_string()]),
                (CheckResult::Unknown, vec![]),
                (CheckResult::Fail, vec!["Hunter2pw".to_string()]),
                (CheckResult::Pass, vec![]),
            ]
        );
    }

    #[test]
    fn messages_mask_the_secret() {
        let text = "resource \"aws_lambda_function\" \"a\" {\n  environment {\n    variables = { DB_PASSWORD = \"Sup3r-s3cret!\" }\n  }\n}\n";
        let file = hcl::parse(text).expect("parses");
        let source = SourceFile::new("main.tf", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let resources = terraform::resources(&file);
        let mut out = Outcome::default();
        check(&resources[0], &ctx, &mut out);
        let violation = &out.violations[0];
        assert!(violation.message.contains("Sup3****"), "{}", violation.message);
        assert!(!violation.message.contains("Sup3r-s3cret!"));
        assert_eq!(violation.redact, [violation.span]);
    }

    #[test]
    fn secret_names() {
        for name in ["DB_PASSWORD", "db_passwd", "STRIPE_API_KEY", "apikey", "GITHUB_TOKEN", "CLIENT_SECRET", "AWS_SECRET_ACCESS_KEY"] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["DB_SECRET_ARN", "TOKEN_URL", "PASSWORD_MIN_LENGTH", "LOG_LEVEL", "BYPASS_CACHE", "SECRET_NAME"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
