//! ## What it checks
//! Every CloudFormation resource's `Properties`, for secrets that end up in the template or
//! in the console:
//! - **A literal in a secret-bearing property**: `MasterUserPassword` (RDS, DocumentDB,
//!   Redshift, OpenSearch), `AuthToken` (ElastiCache), `Password` (Directory Service, Amazon
//!   MQ users, DMS endpoints, IAM login profiles), `SecretString` (Secrets Manager),
//!   `SecretToken`, `AccessToken`, `OauthToken`, `Token`, `PASSWORD` (Glue connections), and
//!   the secret-like variables of Lambda `Environment.Variables` and of ECS container
//!   `Environment` lists (`DB_PASSWORD`, `API_TOKEN`, ...). A dynamic reference
//!   (`{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}`, or any `{{resolve:...}}`),
//!   also inside `Fn::Sub`, is not a literal; `ManageMasterUserPassword: true` leaves no
//!   password to write at all.
//! - **A parameter that carries a secret without protection**, followed from the property
//!   that uses it (`!Ref`, `{"Ref": ...}`, `${Name}` in `Fn::Sub`): a parameter that is the
//!   whole value of a secret-bearing property, or whose name matches `password`, `secret`, `token`,
//!   `apikey` or `privatekey` (`DBPasswordArn`, `TokenLength` and other names about a secret
//!   are not secrets), fails when `NoEcho` is absent or false (the default: the console, the
//!   API and `describe-stacks` show the value) or when it has a literal `Default` (the secret
//!   is then in the template). `AWS::SSM::Parameter::Value<...>` parameters hold a parameter
//!   *name* and pass.
//!
//! Findings point at the property value or at the reference, and literal secrets are masked
//! wherever they are shown. Other intrinsic functions in a secret-bearing property (`Fn::If`,
//! `Fn::Join`, ...) make the result unknown. A secret-named parameter that no resource
//! references is not reported.
//!
//! This rule is native because it follows references from properties back to the template's
//! `Parameters`, which are not resources, and masks the secrets it finds.
//!
//! ## Why it matters (CC6.1, C1.1)
//! A password written in a template is in the repository, in every stack's template history
//! and in the hands of everyone who can read either. A parameter without `NoEcho` shows its
//! value in the CloudFormation console and API to anyone with read access to the stack.
//! Credentials must be managed so that only authorised people hold them (CC6.1), and
//! confidential information protected (C1.1).
//!
//! ## Failing example
//! ```yaml
//! Parameters:
//!   DBPassword:
//!     Type: String
//! Resources:
//!   Database:
//!     Type: AWS::RDS::DBInstance
//!     Properties:
//!       Engine: postgres
//!       MasterUsername: app
//!       MasterUserPassword: !Ref DBPassword
//!   Cache:
//!     Type: AWS::ElastiCache::ReplicationGroup
//!     Properties:
//!       ReplicationGroupDescription: sessions
//!       AuthToken: correct-horse-battery-staple
//! ```
//!
//! ## Passing example
//! ```yaml
//! Resources:
//!   Database:
//!     Type: AWS::RDS::DBInstance
//!     Properties:
//!       Engine: postgres
//!       MasterUsername: app
//!       ManageMasterUserPassword: true
//!   Cache:
//!     Type: AWS::ElastiCache::ReplicationGroup
//!     Properties:
//!       ReplicationGroupDescription: sessions
//!       AuthToken: '{{resolve:secretsmanager:prod/cache:SecretString:token}}'
//! ```
//!
//! ## Fix
//! Let the service manage the secret (`ManageMasterUserPassword: true`), or store it in
//! Secrets Manager (or as an SSM SecureString) and use a `{{resolve:secretsmanager:...}}`
//! dynamic reference. Parameters that must carry a secret get `NoEcho: true` and no
//! `Default`. Rotate any secret that was committed.

use std::collections::BTreeSet;

use trustlint_engine::SourceFile;
use trustlint_engine::finding::mask_secret;
use trustlint_engine::parse::MAX_DEPTH;

use crate::prelude::*;
use crate::secret_names::is_secret_key;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-CFN-001",
        name: "secret-parameter-or-literal",
        title: "Secret written in the template or passed through an unprotected parameter",
        severity: Severity::High,
        criteria: &["CC6.1", "C1.1"],
        help: "Use `ManageMasterUserPassword` or a `{{resolve:secretsmanager:...}}` dynamic reference; give secret parameters `NoEcho: true` and no `Default`.",
        checkov: &[],
        kics: &["a88baa34-e2ad-44ea-ad6f-8cac87bc7c71"],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Cloudformation, &["*"])],
    }
}

/// Properties whose value is a secret, wherever they appear under `Properties`.
const SECRET_PROPERTIES: [&str; 9] = [
    "MasterUserPassword",
    "AuthToken",
    "Password",
    "SecretString",
    "SecretToken",
    "AccessToken",
    "OauthToken",
    "Token",
    "PASSWORD",
];

/// What the walk found in one resource.
struct Walk<'a, 'o> {
    source: &'a SourceFile,
    parameters: Option<&'a Node>,
    address: &'a str,
    out: &'o mut Outcome,
    /// Parameters already reported for this resource (one finding per parameter).
    reported: BTreeSet<String>,
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(properties) = resource.body.and_then(|b| b.get("Properties")) else { return };
    let parameters = file.syntax.documents().get(resource.index).and_then(|d| d.get("Parameters"));
    let mut walk = Walk { source: file.source, parameters, address: &resource.address, out, reported: BTreeSet::new() };
    walk.node(properties, "Properties", false, 0);
}

impl<'a> Walk<'a, '_> {
    /// Visit a node at `path`; `secret` says the value is a secret (a secret-bearing property).
    fn node(&mut self, node: &'a Node, path: &str, secret: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if secret {
            self.secret_value(node, path);
            return;
        }
        match &node.value {
            Value::Map(entries) => {
                if let Some(reference) = intrinsic(node) {
                    self.references(reference, path, false);
                    return;
                }
                for entry in entries {
                    let child = format!("{path}.{}", entry.key);
                    let in_environment = path.ends_with("Environment.Variables");
                    let is_secret = SECRET_PROPERTIES.contains(&entry.key.as_str())
                        || (in_environment && is_secret_key(&entry.key));
                    self.node(&entry.value, &child, is_secret, depth + 1);
                }
            }
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    // ECS `Environment: [{Name: DB_PASSWORD, Value: ...}]`.
                    if path.ends_with(".Environment")
                        && let (Some(name), Some(value)) = (item.get("Name").and_then(Node::as_str), item.get("Value"))
                        && is_secret_key(name)
                    {
                        self.node(value, &format!("{path}[{i}].{name}"), true, depth + 1);
                        continue;
                    }
                    self.node(item, &format!("{path}[{i}]"), false, depth + 1);
                }
            }
            Value::Tagged(..) => {
                if let Some(reference) = intrinsic(node) {
                    self.references(reference, path, false);
                }
            }
            Value::String(_) | Value::Number(_) => {
                // A value the engine resolved from a parameter's default.
                for name in self.resolved_from(node) {
                    self.parameter(name, node.span, path, false);
                }
            }
            _ => {}
        }
    }

    /// The parameters a value was resolved from: the engine replaces `!Ref P` (and `Fn::Sub`
    /// over `${P}`) by `P`'s default before rules run and keeps the intrinsic's span, so the
    /// source at the span still names them. Empty for a value written as a literal.
    fn resolved_from(&self, node: &Node) -> Vec<&'a str> {
        let written = self.source.slice(node.span).trim_start();
        let intrinsic = written.starts_with('!')
            || written.starts_with('{')
            || written.starts_with("Ref")
            || written.starts_with("Fn::")
            || written.starts_with("\"Ref\"")
            || written.starts_with("\"Fn::");
        if !intrinsic {
            return Vec::new();
        }
        let mut names = written_refs(written);
        names.extend(sub_names(written));
        names.retain(|n| self.parameters.is_some_and(|p| p.get(n).is_some()));
        names.dedup();
        names
    }

    /// Judge the value of a secret-bearing property.
    fn secret_value(&mut self, node: &'a Node, path: &str) {
        match &node.value {
            Value::String(_) | Value::Number(_) => {
                let text = node.scalar_text().unwrap_or_default();
                let trimmed = text.trim();
                if trimmed.is_empty() || trimmed.contains("{{resolve:") {
                    return;
                }
                let parameters = self.resolved_from(node);
                if !parameters.is_empty() {
                    let whole = parameters.len() == 1;
                    for name in parameters {
                        self.parameter(name, node.span, path, whole);
                    }
                    return;
                }
                self.out
                    .fail(
                        node.span,
                        format!("`{path}` of `{}` is a literal secret (`{}`)", self.address, mask_secret(trimmed)),
                    )
                    .redact(node.span);
            }
            Value::Null | Value::Bool(_) => {}
            _ => match intrinsic(node) {
                Some(reference) => self.references(reference, path, true),
                None => self.out.unknown(),
            },
        }
    }

    /// Follow an intrinsic function to the parameters it uses; `secret` when the value feeds a
    /// secret-bearing property (then every referenced parameter is judged, whatever its name).
    fn references(&mut self, reference: Intrinsic<'a>, path: &str, secret: bool) {
        match reference {
            Intrinsic::Ref(name, at) => self.parameter(name, at, path, secret),
            Intrinsic::Sub(template, at, vars) => {
                if template.contains("{{resolve:") && secret {
                    return;
                }
                let names = sub_names(template);
                // `!Sub '${P}'` is the parameter itself; in a composed string (a JSON
                // document with a user name and a password) only secret-named parameters are.
                let whole = names.len() == 1 && template.trim().starts_with("${") && template.trim().ends_with('}');
                for name in names {
                    // A variable the `Fn::Sub` defines itself is not a parameter.
                    if vars.is_some_and(|v| v.get(name).is_some()) {
                        continue;
                    }
                    self.parameter(name, at, path, secret && whole);
                }
            }
            Intrinsic::Other => {
                if secret {
                    self.out.unknown();
                }
            }
        }
    }

    /// Judge the parameter `name` used at `at`.
    fn parameter(&mut self, name: &str, at: Span, path: &str, secret: bool) {
        let Some(parameter) = self.parameters.and_then(|p| p.get(name)) else { return };
        if !(secret || is_secret_key(name)) || self.reported.contains(name) {
            return;
        }
        let kind = parameter.get("Type").and_then(Node::as_str).unwrap_or("String");
        if kind.starts_with("AWS::SSM::Parameter::Value") {
            return;
        }
        let no_echo = parameter.get("NoEcho").and_then(Node::as_bool) == Some(true);
        let default = parameter
            .get("Default")
            .filter(|d| d.scalar_text().is_some_and(|t| !t.trim().is_empty()));
        let message = match (no_echo, default) {
            (_, Some(_)) => format!(
                "`{path}` of `{}` takes parameter `{name}`, whose `Default` writes the secret in the template",
                self.address
            ),
            (false, None) => format!(
                "`{path}` of `{}` takes parameter `{name}`, which lacks `NoEcho: true`: its value shows in the console and API",
                self.address
            ),
            (true, None) => return,
        };
        self.reported.insert(name.to_string());
        let violation = self.out.fail(at, message);
        if let Some(default) = default {
            violation.redact(default.span);
        }
    }
}

/// An intrinsic function the walk follows.
enum Intrinsic<'a> {
    /// `!Ref Name` / `{"Ref": "Name"}`, with the span to point at.
    Ref(&'a str, Span),
    /// `!Sub "..."` / `{"Fn::Sub": "..." | ["...", {vars}]}`.
    Sub(&'a str, Span, Option<&'a Node>),
    /// Any other intrinsic function.
    Other,
}

/// The intrinsic function a node is, in the short (`!Ref`) or the long (`{"Ref": ...}`) form.
fn intrinsic(node: &Node) -> Option<Intrinsic<'_>> {
    let (function, argument) = match &node.value {
        Value::Tagged(tag, inner) => (tag.as_str(), inner.as_ref()),
        Value::Map(entries) if entries.len() == 1 => {
            let entry = entries.first()?;
            let name = entry.key.strip_prefix("Fn::").unwrap_or(&entry.key);
            if entry.key != "Ref" && !entry.key.starts_with("Fn::") {
                return None;
            }
            (name, &entry.value)
        }
        _ => return None,
    };
    Some(match function {
        "Ref" => match argument.as_str() {
            Some(name) => Intrinsic::Ref(name, node.span),
            None => Intrinsic::Other,
        },
        "Sub" => match &argument.value {
            Value::String(template) => Intrinsic::Sub(template, node.span, None),
            Value::List(items) => match items.first().and_then(Node::as_str) {
                Some(template) => Intrinsic::Sub(template, node.span, items.get(1)),
                None => Intrinsic::Other,
            },
            _ => Intrinsic::Other,
        },
        _ => Intrinsic::Other,
    })
}

/// The names after `Ref` in intrinsics as written: `!Ref Name`, `{"Ref": "Name"}`, `Ref: Name`.
fn written_refs(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices("Ref") {
        let before = text.get(..at).and_then(|b| b.chars().next_back());
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == ':') {
            continue;
        }
        let rest = text.get(at + 3..).unwrap_or("");
        let rest = rest.trim_start_matches(|c: char| c == '"' || c == '\'' || c == ':' || c.is_whitespace());
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == ':')).unwrap_or(rest.len());
        if let Some(name) = rest.get(..end).filter(|n| !n.is_empty()) {
            names.push(name);
        }
    }
    names
}

/// The `${Name}` variables of an `Fn::Sub` template (not `${!Literal}`, not `${Res.Attr}`).
fn sub_names(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("${") {
        let after = rest.get(open + 2..).unwrap_or("");
        let Some(close) = after.find('}') else { break };
        let name = after.get(..close).unwrap_or("").trim();
        if !name.starts_with('!') && !name.contains('.') && !name.is_empty() {
            names.push(name);
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    names
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::cloudformation::resources;
    use trustlint_engine::parse::yaml::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    /// A finding's line, message and redacted texts.
    type Found = (usize, String, Vec<String>);

    /// Results per resource, and each finding.
    fn run(text: &str) -> (Vec<CheckResult>, Vec<Found>) {
        let source = SourceFile::new("template.yaml", text);
        let Ok(stream) = parse(&source.text) else { panic!("parse failed") };
        let syntax = Syntax::Yaml(stream);
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut results = Vec::new();
        let mut found = Vec::new();
        for resource in resources(syntax.documents()) {
            let mut out = Outcome::default();
            check(&resource, &file, &mut out);
            results.push(out.result());
            for v in &out.violations {
                let redacted = v.redact.iter().map(|s| source.slice(*s).to_string()).collect();
                found.push((source.location(v.span.start).line, v.message.clone(), redacted));
            }
        }
        (results, found)
    }

    fn db(password: &str) -> String {
        format!(
            "Parameters:\n  DBPassword:\n    Type: String\n  SafePassword:\n    Type: String\n    NoEcho: true\n  DefaultedToken:\n    Type: String\n    NoEcho: true\n    Default: hunter2hunter2\n  Pass:\n    Type: String\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUsername: app\n      MasterUserPassword: {password}\n"
        )
    }

    #[test]
    fn literals_in_secret_properties_fail_masked() {
        let (results, found) = run(&db("s3cr3t-value"));
        assert_eq!(results, vec![CheckResult::Fail]);
        assert_eq!(found[0].0, 18);
        assert!(found[0].1.contains("s3cr****") && !found[0].1.contains("s3cr3t-value"), "{}", found[0].1);
        assert_eq!(found[0].2, vec!["s3cr3t-value".to_string()]);
    }

    #[test]
    fn dynamic_references_pass() {
        for value in [
            "'{{resolve:secretsmanager:prod/db:SecretString:password}}'",
            "'{{resolve:ssm-secure:/prod/db/password:1}}'",
            "!Sub '{{resolve:secretsmanager:${SecretName}:SecretString:password}}'",
            "!Ref SafePassword",
        ] {
            assert_eq!(run(&db(value)).0, vec![CheckResult::Pass], "{value}");
        }
    }

    #[test]
    fn parameters_are_followed() {
        let (_, found) = run(&db("!Ref DBPassword"));
        assert!(found[0].1.contains("lacks `NoEcho: true`"), "{}", found[0].1);
        let (_, found) = run(&db("!Ref DefaultedToken"));
        assert!(found[0].1.contains("`Default`"), "{}", found[0].1);
        assert_eq!(found[0].2, vec!["hunter2hunter2".to_string()]);
        // A parameter feeding a secret property is judged whatever its name.
        assert_eq!(run(&db("{Ref: Pass}")).0, vec![CheckResult::Fail]);
        assert_eq!(run(&db("!Sub '${Pass}'")).0, vec![CheckResult::Fail]);
        // In a composed secret string only secret-named parameters count.
        let composed = db("!Sub '{\"user\": \"${MasterUser}\", \"password\": \"${DBPassword}\"}'")
            .replace("  Pass:\n", "  MasterUser:\n    Type: String\n  Pass:\n");
        let (_, found) = run(&composed);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("`DBPassword`"), "{}", found[0].1);
        assert_eq!(run(&db("!Join ['', [a, b]]")).0, vec![CheckResult::Unknown]);
        assert_eq!(run(&db("!If [Prod, !Ref SafePassword, !Ref AWS::NoValue]")).0, vec![CheckResult::Unknown]);
    }

    #[test]
    fn secret_named_parameters_anywhere() {
        let text = "Parameters:\n  ApiToken:\n    Type: String\n  TokenLength:\n    Type: Number\n  SlackSecretArn:\n    Type: String\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          TOKEN: !Ref ApiToken\n          AGAIN: !Sub 'Bearer ${ApiToken}'\n          LEN: !Ref TokenLength\n          ARN: !Ref SlackSecretArn\n          DB_PASSWORD: plain-text-pw\n          LOG_LEVEL: debug\n";
        let (_, found) = run(text);
        let lines: Vec<usize> = found.iter().map(|f| f.0).collect();
        assert_eq!(lines, vec![14, 18], "{found:?}");
    }

    #[test]
    fn ecs_environment_and_ssm_parameters() {
        let text = "Parameters:\n  DbPasswordName:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /prod/db/password\nResources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Environment:\n            - Name: API_KEY\n              Value: abcdef123456\n            - Name: REGION\n              Value: eu-west-1\n            - Name: DB_PASSWORD\n              Value: !Ref DbPasswordName\n";
        let (_, found) = run(text);
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), vec![13]);
    }

    #[test]
    fn values_resolved_from_defaults_name_their_parameter() {
        assert_eq!(written_refs("!Ref DBPassword"), vec!["DBPassword"]);
        assert_eq!(written_refs("{\"Ref\": \"Token\"}"), vec!["Token"]);
        assert_eq!(written_refs("Ref: AWS::Region"), vec!["AWS::Region"]);
        assert!(written_refs("Prefix: x").is_empty());
        // The engine rewrites `!Ref DefaultedToken` to its default, keeping the span.
        let text = db("!Ref DefaultedToken");
        let source = SourceFile::new("template.yaml", text.as_str());
        let Ok(mut stream) = parse(&source.text) else { panic!("parse failed") };
        let at = text.find("!Ref DefaultedToken").unwrap_or(0);
        let span = Span::new(at, at + "!Ref DefaultedToken".len());
        if let Some(Value::Map(entries)) = stream.documents.first_mut().map(|d| &mut d.value)
            && let Some(db) = entries.iter_mut().find(|e| e.key == "Resources").and_then(|r| match &mut r.value.value {
                Value::Map(rs) => rs.first_mut(),
                _ => None,
            })
            && let Value::Map(props) = &mut db.value.value
            && let Some(p) = props.iter_mut().find(|e| e.key == "Properties")
            && let Value::Map(ps) = &mut p.value.value
            && let Some(pw) = ps.iter_mut().find(|e| e.key == "MasterUserPassword")
        {
            pw.value = Node::new(span, Value::String("hunter2hunter2".into()));
        } else {
            panic!("template shape");
        }
        let syntax = Syntax::Yaml(stream);
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut out = Outcome::default();
        for resource in resources(syntax.documents()) {
            check(&resource, &file, &mut out);
        }
        assert_eq!(out.violations.len(), 1);
        assert!(out.violations[0].message.contains("parameter `DefaultedToken`, whose `Default`"), "{}", out.violations[0].message);
    }

    #[test]
    fn sub_names_are_parameters_only() {
        assert_eq!(sub_names("a ${A} ${!B} ${C.Arn} ${AWS::Region} ${ D }"), vec!["A", "AWS::Region", "D"]);
    }
}
