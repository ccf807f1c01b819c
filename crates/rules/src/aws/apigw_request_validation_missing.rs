//! ## What it checks
//! REST API methods that let requests reach their integration without validation:
//! - Terraform `aws_api_gateway_method` and CloudFormation `AWS::ApiGateway::Method`, except
//!   `OPTIONS`: the method must name a request validator (`request_validator_id`,
//!   `RequestValidatorId`), and that validator (`aws_api_gateway_request_validator`,
//!   `AWS::ApiGateway::RequestValidator`, found by reference in the same module or template)
//!   must validate the body or the parameters: both `validate_request_body` and
//!   `validate_request_parameters` default to `false`. `POST`, `PUT` and `PATCH` methods must
//!   also validate the body (`validate_request_body = true`) against a declared model
//!   (`request_models`, `RequestModels`).
//! - APIs defined by an OpenAPI document (`aws_api_gateway_rest_api.body` as a JSON or YAML
//!   string or `jsonencode(...)`; `AWS::ApiGateway::RestApi` `Body`): every operation except
//!   `options` must have a validator, its own `x-amazon-apigateway-request-validator` or the
//!   document's default, defined in `x-amazon-apigateway-request-validators` with at least one
//!   of `validateRequestBody` and `validateRequestParameters`; `post`, `put` and `patch`
//!   operations need `validateRequestBody` and a request body (`requestBody`, or a Swagger 2
//!   `in: body` parameter). Each failing operation is a finding.
//!
//! A validator, flag or document not known statically (a variable, a module output,
//! `file(...)`, a validator outside the module) makes the result unknown. HTTP APIs
//! (`aws_apigatewayv2_*`) cannot validate requests and are not judged.
//!
//! This rule is native because the policy language cannot follow a validator named inside an
//! OpenAPI document to its definition, nor read the document out of a string.
//!
//! ## Why it matters (PI1.2)
//! Request validation makes API Gateway reject a request whose required parameters are missing
//! or whose body does not match the declared schema, before any code runs. Without it every
//! malformed or incomplete input reaches the backend, which must catch each case itself:
//! the inputs a system processes are not checked to be complete and accurate (PI1.2), and
//! unexpected fields are an easy path to injection and mass-assignment bugs.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_api_gateway_method" "create_order" {
//!   rest_api_id   = aws_api_gateway_rest_api.orders.id
//!   resource_id   = aws_api_gateway_resource.orders.id
//!   http_method   = "POST"
//!   authorization = "AWS_IAM"
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_api_gateway_request_validator" "full" {
//!   name                        = "body-and-parameters"
//!   rest_api_id                 = aws_api_gateway_rest_api.orders.id
//!   validate_request_body       = true
//!   validate_request_parameters = true
//! }
//!
//! resource "aws_api_gateway_method" "create_order" {
//!   rest_api_id          = aws_api_gateway_rest_api.orders.id
//!   resource_id          = aws_api_gateway_resource.orders.id
//!   http_method          = "POST"
//!   authorization        = "AWS_IAM"
//!   request_validator_id = aws_api_gateway_request_validator.full.id
//!   request_models       = { "application/json" = aws_api_gateway_model.order.name }
//! }
//! ```
//!
//! ## Fix
//! Create an `aws_api_gateway_request_validator` that validates the body and the parameters,
//! reference it from every method with `request_validator_id`, declare required parameters in
//! `request_parameters` and a JSON schema model in `request_models` for methods with a body.
//! In an OpenAPI document, define `x-amazon-apigateway-request-validators`, set a default with
//! `x-amazon-apigateway-request-validator` at the top level, and describe each request body
//! with a schema.

use std::sync::LazyLock;

use regex::Regex;
use trustlint_engine::parse::{hcl, json, yaml};
use trustlint_engine::policy::condition::Truth;
use trustlint_engine::policy::relation::terraform_reference;
use trustlint_engine::rule::Scope;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-055",
        name: "apigw-request-validation-missing",
        title: "API Gateway method does not validate its requests",
        severity: Severity::Medium,
        criteria: &["PI1.2"],
        help: "Reference an `aws_api_gateway_request_validator` that validates the body and the \
               parameters (`request_validator_id`), and declare `request_models` for POST, PUT and \
               PATCH; in OpenAPI, set `x-amazon-apigateway-request-validator`.",
        checkov: &["CKV2_AWS_53"],
        kics: &[],
        trivy: &[],
        other: &[],
        bindings: &[
            (Target::Terraform, &["aws_api_gateway_method", "aws_api_gateway_rest_api"]),
            (Target::Cloudformation, &["AWS::ApiGateway::Method", "AWS::ApiGateway::RestApi"]),
        ],
    }
}

/// Attribute names of a method and its validator in one format.
struct Keys {
    http_method: &'static str,
    validator_id: &'static str,
    validate_body: &'static str,
    validate_parameters: &'static str,
    request_models: &'static str,
    validator_kind: &'static str,
}

const TERRAFORM: Keys = Keys {
    http_method: "http_method",
    validator_id: "request_validator_id",
    validate_body: "validate_request_body",
    validate_parameters: "validate_request_parameters",
    request_models: "request_models",
    validator_kind: "aws_api_gateway_request_validator",
};

const CLOUDFORMATION: Keys = Keys {
    http_method: "HttpMethod",
    validator_id: "RequestValidatorId",
    validate_body: "ValidateRequestBody",
    validate_parameters: "ValidateRequestParameters",
    request_models: "RequestModels",
    validator_kind: "AWS::ApiGateway::RequestValidator",
};

/// HTTP methods whose requests carry a body that must be validated.
const BODY_METHODS: [&str; 3] = ["POST", "PUT", "PATCH"];

/// OpenAPI operation keys judged (`options` is the CORS preflight: nothing to validate).
const OPERATIONS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "x-amazon-apigateway-any-method"];

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let text = file.source.text.as_str();
    match (resource.target, resource.kind.as_str()) {
        (Target::Terraform, "aws_api_gateway_method") => method(resource, body, &TERRAFORM, file.scope, out),
        (Target::Cloudformation, "AWS::ApiGateway::Method") => {
            if let Some(properties) = body.get("Properties") {
                method(resource, properties, &CLOUDFORMATION, file.scope, out);
            }
        }
        (Target::Terraform, "aws_api_gateway_rest_api") => {
            if let Some(document) = body.get("body") {
                embedded_document(resource, document, text, out);
            }
        }
        (Target::Cloudformation, "AWS::ApiGateway::RestApi") => match body.get_path("Properties.Body") {
            Some(document) if matches!(document.value, Value::Map(_)) => openapi(resource, document, None, text, out),
            Some(document) => embedded_document(resource, document, text, out),
            // The document lives in S3: not readable here.
            None if body.get_path("Properties.BodyS3Location").is_some() => out.unknown(),
            None => {}
        },
        _ => {}
    }
}

/// A boolean flag whose absence means `false`; `None` when not known statically.
fn flag(node: Option<&Node>) -> Option<bool> {
    match node {
        None => Some(false),
        Some(n) if n.is_null() => Some(false),
        Some(n) if n.is_expr() || n.as_tagged().is_some() => None,
        Some(n) => n.as_bool(),
    }
}

/// Whether a node is a value not known statically: an expression, a YAML intrinsic, or a JSON
/// intrinsic (`{"Ref": ...}`, `{"Fn::...": ...}`).
fn not_static(node: &Node) -> bool {
    match &node.value {
        Value::Expr(_) | Value::Tagged(..) => true,
        Value::Map(entries) => {
            matches!(entries.as_slice(), [only] if only.key == "Ref" || only.key.starts_with("Fn::"))
        }
        _ => false,
    }
}

fn method(resource: &Resource<'_>, properties: &Node, keys: &Keys, scope: &Scope<'_>, out: &mut Outcome) {
    let Some(http_method) = properties.get(keys.http_method) else { return };
    if not_static(http_method) {
        return out.unknown();
    }
    let Some(verb) = http_method.as_str().map(str::to_ascii_uppercase) else { return };
    if verb == "OPTIONS" {
        return;
    }
    let needs_body = BODY_METHODS.contains(&verb.as_str());
    let mut problems: Vec<String> = Vec::new();
    let mut unknown = false;
    let validator_entry = properties.entry(keys.validator_id).filter(|e| !e.value.is_null());
    let span = validator_entry.map_or(resource.span, |e| e.key_span.cover(e.value.span));
    match validator_entry {
        None => problems.push("it names no request validator".to_string()),
        Some(entry) => match validator(&entry.value, resource.target, keys, scope) {
            None => unknown = true,
            Some(found) => {
                let validator_properties = match resource.target {
                    Target::Cloudformation => found.body.and_then(|b| b.get("Properties")),
                    _ => found.body,
                };
                let validates_body = validator_properties.map_or(Some(false), |p| flag(p.get(keys.validate_body)));
                let validates_parameters =
                    validator_properties.map_or(Some(false), |p| flag(p.get(keys.validate_parameters)));
                match (validates_body, validates_parameters) {
                    (Some(false), Some(false)) => problems.push(format!(
                        "its validator `{}` checks neither the body nor the parameters",
                        found.address
                    )),
                    (Some(false), Some(true)) if needs_body => {
                        problems.push(format!("its validator `{}` does not check the request body", found.address))
                    }
                    (None, _) | (_, None) => unknown = true,
                    _ => {}
                }
            }
        },
    }
    if needs_body {
        match properties.get(keys.request_models) {
            Some(models) if not_static(models) => unknown = true,
            Some(models) if !models.entries().is_empty() => {}
            _ => problems.push(format!("it declares no request model (`{}`) for the body", keys.request_models)),
        }
    }
    if problems.is_empty() {
        if unknown {
            out.unknown();
        }
        return;
    }
    out.fail(span, format!("{verb} method `{}` does not validate its requests: {}", resource.address, problems.join("; ")));
}

/// The validator resource a method's `request_validator_id` refers to; `None` when it cannot be
/// resolved in this module or template.
fn validator<'a>(reference: &Node, target: Target, keys: &Keys, scope: &Scope<'a>) -> Option<&'a Resource<'a>> {
    let mut candidates = scope.of_kind(target, keys.validator_kind);
    match (target, &reference.value) {
        (Target::Terraform, Value::Expr(expression)) => {
            candidates.find(|v| terraform_reference(expression, &v.address) == Truth::True)
        }
        (Target::Cloudformation, _) => {
            let id = match &reference.value {
                Value::Tagged(tag, inner) if tag == "Ref" => inner.as_str(),
                Value::Map(entries) => match entries.as_slice() {
                    [only] if only.key == "Ref" => only.value.as_str(),
                    _ => None,
                },
                _ => None,
            }?;
            candidates.find(|v| v.address == id)
        }
        _ => None,
    }
}

/// An OpenAPI document held in a string (JSON or YAML) or built with `jsonencode(...)` /
/// `yamlencode(...)` from a literal; anything else is unknown.
fn embedded_document(resource: &Resource<'_>, document: &Node, text: &str, out: &mut Outcome) {
    match &document.value {
        Value::String(source) => {
            let parsed = json::parse(source)
                .map(|d| Some(d.root))
                .or_else(|_| yaml::parse(source).map(|s| s.documents.into_iter().next()));
            match parsed {
                Ok(Some(root)) => openapi(resource, &root, Some(document.span), text, out),
                Ok(None) => {}
                Err(_) => out.unknown(),
            }
        }
        Value::Expr(expression) => match encoded_argument(expression) {
            Some(argument) => match hcl::parse(&format!("body = {argument}\n")) {
                Ok(parsed) => match parsed.attributes.first() {
                    Some(attribute) => openapi(resource, &attribute.value, Some(document.span), text, out),
                    None => out.unknown(),
                },
                Err(_) => out.unknown(),
            },
            None => out.unknown(),
        },
        Value::Map(_) => openapi(resource, document, None, text, out),
        Value::Tagged(..) => out.unknown(),
        _ => {}
    }
}

/// The argument of `jsonencode(...)` or `yamlencode(...)` when the whole expression is one
/// such call.
fn encoded_argument(expression: &str) -> Option<&str> {
    let trimmed = expression.trim();
    let inner = trimmed.strip_prefix("jsonencode(").or_else(|| trimmed.strip_prefix("yamlencode("))?;
    Some(inner.strip_suffix(')')?.trim())
}

/// Judge every operation of an OpenAPI document. `embedded` is the span of the attribute the
/// document was read from when its nodes' spans are not positions in the file.
fn openapi(resource: &Resource<'_>, document: &Node, embedded: Option<Span>, text: &str, out: &mut Outcome) {
    if not_static(document) {
        return out.unknown();
    }
    let Some(paths) = document.get("paths") else { return };
    if not_static(paths) {
        return out.unknown();
    }
    let validators = document.get("x-amazon-apigateway-request-validators");
    let default = document.get("x-amazon-apigateway-request-validator");
    for path in paths.entries() {
        if not_static(&path.value) {
            out.unknown();
            continue;
        }
        let shared_parameters = path.value.get("parameters");
        for operation in path.value.entries() {
            let verb = operation.key.to_ascii_lowercase();
            if !OPERATIONS.contains(&verb.as_str()) {
                continue;
            }
            if not_static(&operation.value) {
                out.unknown();
                continue;
            }
            let named = operation.value.get("x-amazon-apigateway-request-validator").or(default);
            let needs_body = matches!(verb.as_str(), "post" | "put" | "patch");
            let mut problems: Vec<String> = Vec::new();
            let mut unknown = false;
            match named {
                None => problems.push("it has no request validator".to_string()),
                Some(name) if not_static(name) => unknown = true,
                Some(name) => {
                    let name_text = name.scalar_text().map(|t| t.into_owned()).unwrap_or_default();
                    match validators.map(|v| (v, v.get(&name_text))) {
                        Some((_, Some(definition))) if !not_static(definition) => {
                            let body = flag(definition.get("validateRequestBody"));
                            let parameters = flag(definition.get("validateRequestParameters"));
                            match (body, parameters) {
                                (Some(false), Some(false)) => problems
                                    .push(format!("its validator `{name_text}` checks neither the body nor the parameters")),
                                (Some(false), Some(true)) if needs_body => {
                                    problems.push(format!("its validator `{name_text}` does not check the request body"))
                                }
                                (None, _) | (_, None) => unknown = true,
                                _ => {}
                            }
                        }
                        // Defined elsewhere (an imported document, a variable): not known here.
                        _ => unknown = true,
                    }
                }
            }
            if needs_body {
                match declares_body(&operation.value, shared_parameters) {
                    Some(true) => {}
                    Some(false) => problems.push("it declares no request body schema".to_string()),
                    None => unknown = true,
                }
            }
            if problems.is_empty() {
                if unknown {
                    out.unknown();
                }
                continue;
            }
            let span = match embedded {
                None => operation.key_span,
                Some(outer) => locate_operation(text, outer, &path.key, &verb),
            };
            out.fail(
                span,
                format!(
                    "operation `{} {}` of `{}` does not validate its requests: {}",
                    verb.to_ascii_uppercase(),
                    path.key,
                    resource.address,
                    problems.join("; ")
                ),
            );
        }
    }
}

/// Whether an operation declares its request body: OpenAPI 3 `requestBody`, or a Swagger 2
/// parameter `in: body` (on the operation or shared by the path).
fn declares_body(operation: &Node, shared_parameters: Option<&Node>) -> Option<bool> {
    if operation.get("requestBody").is_some_and(|b| !b.is_null()) {
        return Some(true);
    }
    let mut unknown = false;
    for parameters in [operation.get("parameters"), shared_parameters].into_iter().flatten() {
        if not_static(parameters) {
            unknown = true;
            continue;
        }
        for parameter in parameters.items() {
            match parameter.get("in") {
                Some(place) if not_static(place) => unknown = true,
                Some(place) if place.as_str() == Some("body") => return Some(true),
                _ => {}
            }
        }
    }
    if unknown { None } else { Some(false) }
}

/// An operation key (`post:`, `"post" =`, `"post":`) in source text.
static OPERATION_KEY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"(?i)["']?\b(get|put|post|delete|patch|head|x-amazon-apigateway-any-method)\b["']?\s*[:=]"#).ok());

/// Where an operation of an embedded document is in the file: its key after the path's key,
/// when both can be found verbatim in the attribute's text; else the attribute.
fn locate_operation(text: &str, outer: Span, path: &str, verb: &str) -> Span {
    let within = text.get(outer.start..outer.end).unwrap_or("");
    let Some(path_at) = within.find(path) else { return outer };
    let after = path_at + path.len();
    let rest = within.get(after..).unwrap_or("");
    let key = OPERATION_KEY.as_ref().and_then(|re| {
        re.captures_iter(rest)
            .filter_map(|c| c.get(1))
            .find(|m| m.as_str().eq_ignore_ascii_case(verb))
    });
    match key {
        Some(m) => Span::new(outer.start + after + m.start(), outer.start + after + m.end()),
        None => Span::new(outer.start + path_at, outer.start + after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::terraform;
    use trustlint_engine::rule::CheckResult;

    /// Every judged resource of a Terraform module: address, result, pointed texts.
    fn run(text: &str) -> Vec<(String, CheckResult, Vec<String>)> {
        let file = hcl::parse(text).expect("parses");
        let source = SourceFile::new("main.tf", text);
        let syntax = Syntax::Text;
        let resources = terraform::resources(&file);
        let scope = Scope::new(&resources);
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        resources
            .iter()
            .filter(|r| r.kind == "aws_api_gateway_method" || r.kind == "aws_api_gateway_rest_api")
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                let pointed = out.violations.iter().map(|v| source.slice(v.span).to_string()).collect();
                (r.address.clone(), out.result(), pointed)
            })
            .collect()
    }

    #[test]
    fn methods_and_validators() {
        let text = r#"resource "aws_api_gateway_request_validator" "full" {
  validate_request_body       = true
  validate_request_parameters = true
}
resource "aws_api_gateway_request_validator" "params" {
  validate_request_parameters = true
}
resource "aws_api_gateway_request_validator" "none" {
  name = "none"
}
resource "aws_api_gateway_method" "get_none" {
  http_method = "GET"
}
resource "aws_api_gateway_method" "get_params" {
  http_method          = "GET"
  request_validator_id = aws_api_gateway_request_validator.params.id
}
resource "aws_api_gateway_method" "get_empty" {
  http_method          = "GET"
  request_validator_id = aws_api_gateway_request_validator.none.id
}
resource "aws_api_gateway_method" "post_params" {
  http_method          = "POST"
  request_validator_id = aws_api_gateway_request_validator.params.id
  request_models       = { "application/json" = "Order" }
}
resource "aws_api_gateway_method" "post_no_model" {
  http_method          = "POST"
  request_validator_id = aws_api_gateway_request_validator.full.id
}
resource "aws_api_gateway_method" "post_full" {
  http_method          = "POST"
  request_validator_id = aws_api_gateway_request_validator.full.id
  request_models       = { "application/json" = "Order" }
}
resource "aws_api_gateway_method" "options" {
  http_method = "OPTIONS"
}
resource "aws_api_gateway_method" "elsewhere" {
  http_method          = "GET"
  request_validator_id = var.validator_id
}
resource "aws_api_gateway_method" "verb" {
  http_method = var.verb
}
"#;
        let summary: Vec<(String, CheckResult, Vec<String>)> = run(text);
        let expected = [
            ("aws_api_gateway_method.get_none", CheckResult::Fail, vec![r#"resource "aws_api_gateway_method" "get_none""#]),
            ("aws_api_gateway_method.get_params", CheckResult::Pass, vec![]),
            (
                "aws_api_gateway_method.get_empty",
                CheckResult::Fail,
                vec!["request_validator_id = aws_api_gateway_request_validator.none.id"],
            ),
            (
                "aws_api_gateway_method.post_params",
                CheckResult::Fail,
                vec!["request_validator_id = aws_api_gateway_request_validator.params.id"],
            ),
            (
                "aws_api_gateway_method.post_no_model",
                CheckResult::Fail,
                vec!["request_validator_id = aws_api_gateway_request_validator.full.id"],
            ),
            ("aws_api_gateway_method.post_full", CheckResult::Pass, vec![]),
            ("aws_api_gateway_method.options", CheckResult::Pass, vec![]),
            ("aws_api_gateway_method.elsewhere", CheckResult::Unknown, vec![]),
            ("aws_api_gateway_method.verb", CheckResult::Unknown, vec![]),
        ];
        let expected: Vec<(String, CheckResult, Vec<String>)> = expected
            .into_iter()
            .map(|(a, r, p)| (a.to_string(), r, p.into_iter().map(str::to_string).collect()))
            .collect();
        assert_eq!(summary, expected);
    }

    #[test]
    fn openapi_documents() {
        let text = r#"resource "aws_api_gateway_rest_api" "encoded" {
  body = jsonencode({
    openapi = "3.0.1"
    "x-amazon-apigateway-request-validators" = {
      all    = { validateRequestBody = true, validateRequestParameters = true }
      params = { validateRequestBody = false, validateRequestParameters = true }
    }
    paths = {
      "/orders" = {
        get = {
          "x-amazon-apigateway-request-validator" = "params"
        }
        post = {
          "x-amazon-apigateway-request-validator" = "params"
          requestBody = { content = { "application/json" = { schema = { type = "object" } } } }
        }
        options = {}
      }
      "/health" = {
        get = {}
      }
    }
  })
}
resource "aws_api_gateway_rest_api" "defaulted" {
  body = <<-EOT
    {
      "swagger": "2.0",
      "x-amazon-apigateway-request-validator": "all",
      "x-amazon-apigateway-request-validators": {"all": {"validateRequestBody": true, "validateRequestParameters": true}},
      "paths": {"/orders": {"post": {"parameters": [{"in": "body", "name": "order", "schema": {"type": "object"}}]}}}
    }
  EOT
}
resource "aws_api_gateway_rest_api" "from_file" {
  body = file("openapi.yaml")
}
resource "aws_api_gateway_rest_api" "plain" {
  name = "plain"
}
"#;
        let summary = run(text);
        assert_eq!(summary[0].1, CheckResult::Fail);
        assert_eq!(summary[0].2, ["post", "get"]);
        assert_eq!((summary[1].1, summary[1].2.len()), (CheckResult::Pass, 0));
        assert_eq!(summary[2].1, CheckResult::Unknown);
        assert_eq!(summary[3].1, CheckResult::Pass);
    }

    #[test]
    fn cloudformation_validator_by_ref() {
        let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Validator:
    Type: AWS::ApiGateway::RequestValidator
    Properties:
      RestApiId: !Ref Api
      ValidateRequestParameters: true
  GetOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      HttpMethod: GET
      RequestValidatorId: !Ref Validator
  CreateOrder:
    Type: AWS::ApiGateway::Method
    Properties:
      HttpMethod: POST
      RequestValidatorId: !Ref Validator
      RequestModels:
        application/json: !Ref OrderModel
"#;
        let stream = yaml::parse(text).expect("parses");
        let resources = trustlint_engine::model::cloudformation::resources(&stream.documents);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("template.yaml", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        let results: Vec<(String, CheckResult)> = resources
            .iter()
            .filter(|r| r.kind == "AWS::ApiGateway::Method")
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                (r.address.clone(), out.result())
            })
            .collect();
        assert_eq!(
            results,
            [("GetOrders".to_string(), CheckResult::Pass), ("CreateOrder".to_string(), CheckResult::Fail)]
        );
    }
}
