//! ## What it checks
//! ECR repositories (Terraform `aws_ecr_repository`, CloudFormation `AWS::ECR::Repository`)
//! whose images are not scanned for vulnerabilities: `image_scanning_configuration.scan_on_push`
//! (`ImageScanningConfiguration.ScanOnPush`) is absent or `false` (the default is `false`),
//! and no registry-level scanning rule covers the repository.
//!
//! The registry scanning configuration (`aws_ecr_registry_scanning_configuration`,
//! `AWS::ECR::RegistryScanningConfiguration`) is an account-level setting that overrides the
//! repository's. It covers a repository when one of its rules has a `repository_filter`
//! (`RepositoryFilters`) whose wildcard `filter` matches the repository's name, and either the
//! scan type is `ENHANCED` or the rule's frequency is `SCAN_ON_PUSH` or `CONTINUOUS_SCAN`. A
//! filter of `*` covers every repository; another filter needs the repository's name, and
//! leaves the result unknown when the name is not known statically.
//!
//! The rule is native because it matches the registry rules' wildcard filters against each
//! repository's name, a comparison between two resources that the policy language cannot make.
//!
//! ## Why it matters (CC7.1, CC6.8)
//! Images carry their operating system packages and libraries with them; a scan on push, or
//! continuous scanning with Amazon Inspector, is the vulnerability scanning of CC7.1 for
//! everything that runs from the registry, and keeps images with known exploitable flaws from
//! being deployed unnoticed (CC6.8).
//!
//! ## Failing example
//! ```hcl
//! resource "aws_ecr_repository" "api" {
//!   name = "api"
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_ecr_repository" "api" {
//!   name = "api"
//!
//!   image_scanning_configuration {
//!     scan_on_push = true
//!   }
//! }
//! ```
//!
//! ## Fix
//! Set `scan_on_push = true` on the repository, or better, configure the registry once:
//! `aws_ecr_registry_scanning_configuration` with `scan_type = "ENHANCED"` and a rule with
//! `scan_frequency = "CONTINUOUS_SCAN"` and a `repository_filter` of `*`.

use crate::links::{Truth, is_dynamic, values_at};
use crate::prelude::*;
use crate::wildcard;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-015",
        name: "ecr-image-scanning-disabled",
        title: "ECR repository images are not scanned for vulnerabilities",
        severity: Severity::Medium,
        criteria: &["CC7.1", "CC6.8"],
        help: "Set `image_scanning_configuration { scan_on_push = true }`, or add a registry scanning rule (`aws_ecr_registry_scanning_configuration`) whose filter covers the repository.",
        checkov: &["CKV_AWS_163"],
        kics: &["9630336b-3fed-4096-8173-b9afdfe346a7"],
        trivy: &["AVD-AWS-0030"],
        other: &[],
        bindings: &[(Target::Terraform, &["aws_ecr_repository"]), (Target::Cloudformation, &["AWS::ECR::Repository"])],
    }
}

/// Attribute names of one format.
struct Names {
    scan_on_push: [&'static str; 2],
    repository_name: &'static str,
    registry: &'static str,
    scan_type: &'static str,
    rules: &'static str,
    frequency: &'static str,
    filters: [&'static str; 2],
}

const TERRAFORM: Names = Names {
    scan_on_push: ["image_scanning_configuration", "scan_on_push"],
    repository_name: "name",
    registry: "aws_ecr_registry_scanning_configuration",
    scan_type: "scan_type",
    rules: "rule",
    frequency: "scan_frequency",
    filters: ["repository_filter", "filter"],
};

const CLOUDFORMATION: Names = Names {
    scan_on_push: ["ImageScanningConfiguration", "ScanOnPush"],
    repository_name: "RepositoryName",
    registry: "AWS::ECR::RegistryScanningConfiguration",
    scan_type: "ScanType",
    rules: "Rules",
    frequency: "ScanFrequency",
    filters: ["RepositoryFilters", "Filter"],
};

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let empty = Node::new(resource.span, Value::Map(Vec::new()));
    let (props, names) = match resource.target {
        Target::Terraform => (body, &TERRAFORM),
        Target::Cloudformation => match body.get("Properties") {
            Some(props) if is_dynamic(props) => return out.unknown(),
            Some(props) => (props, &CLOUDFORMATION),
            None => (&empty, &CLOUDFORMATION),
        },
        _ => return,
    };
    let (flags, blocked) = values_at(props, &names.scan_on_push);
    let own = match flags.first() {
        _ if blocked => Truth::Unknown,
        None => Truth::False,
        Some(flag) if is_dynamic(flag) => Truth::Unknown,
        Some(flag) if flag.as_bool() == Some(true) => Truth::True,
        Some(_) => Truth::False,
    };
    if own == Truth::True {
        return;
    }
    let name = props.get(names.repository_name);
    let mut registry = Truth::False;
    for configuration in file.scope.of_kind(resource.target, names.registry) {
        let Some(config_body) = configuration.body else { continue };
        let config = match resource.target {
            Target::Cloudformation => match config_body.get("Properties") {
                Some(props) => props,
                None => continue,
            },
            _ => config_body,
        };
        match covers(config, names, name) {
            Truth::True => return,
            Truth::Unknown => registry = Truth::Unknown,
            Truth::False => {}
        }
    }
    if own == Truth::Unknown || registry == Truth::Unknown {
        return out.unknown();
    }
    let [block, key] = names.scan_on_push;
    match flags.first() {
        Some(flag) => {
            out.fail(
                flag.span,
                format!(
                    "images pushed to `{}` are not scanned: `{key}` is false and no registry scanning rule covers the repository",
                    resource.address
                ),
            );
        }
        None => {
            out.fail(
                resource.span,
                format!(
                    "images pushed to `{}` are not scanned: `{block}.{key}` is not set (default false) and no registry scanning rule covers the repository",
                    resource.address
                ),
            );
        }
    }
}

/// Whether a registry scanning configuration scans the repository named `name`.
fn covers(config: &Node, names: &Names, name: Option<&Node>) -> Truth {
    let enhanced = match config.get(names.scan_type) {
        Some(kind) if is_dynamic(kind) => None,
        Some(kind) => Some(kind.as_str().is_some_and(|k| k.eq_ignore_ascii_case("ENHANCED"))),
        None => Some(false),
    };
    let Some(rules) = config.get(names.rules) else { return Truth::False };
    if is_dynamic(rules) {
        return Truth::Unknown;
    }
    let mut unknown = false;
    for rule in rules.items() {
        let scans = match rule.get(names.frequency) {
            Some(f) if is_dynamic(f) => None,
            Some(f) => Some(f.as_str().is_some_and(|f| f == "SCAN_ON_PUSH" || f == "CONTINUOUS_SCAN")),
            None => Some(false),
        };
        let effective = match (enhanced, scans) {
            (Some(true), _) | (_, Some(true)) => Truth::True,
            (None, _) | (_, None) => Truth::Unknown,
            _ => Truth::False,
        };
        if effective == Truth::False {
            continue;
        }
        let (filters, blocked) = values_at(rule, &names.filters);
        unknown |= blocked;
        for filter in filters {
            let matched = match (filter.as_str(), name) {
                (Some(pattern), _) if wildcard::is_everything(pattern) => Truth::True,
                (Some(pattern), Some(n)) => match n.as_str() {
                    Some(repository) if wildcard::matches(pattern, repository) => Truth::True,
                    Some(_) => Truth::False,
                    None => Truth::Unknown,
                },
                (Some(_), None) => Truth::Unknown,
                (None, _) => Truth::Unknown,
            };
            match (matched, effective) {
                (Truth::True, Truth::True) => return Truth::True,
                (Truth::False, _) => {}
                _ => unknown = true,
            }
        }
    }
    if unknown { Truth::Unknown } else { Truth::False }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    #[test]
    fn repositories_without_registry_rules() {
        let text = r#"
resource "aws_ecr_repository" "absent" {
  name = "absent"
}
resource "aws_ecr_repository" "off" {
  name = "off"
  image_scanning_configuration {
    scan_on_push = false
  }
}
resource "aws_ecr_repository" "on" {
  name = "on"
  image_scanning_configuration {
    scan_on_push = true
  }
}
resource "aws_ecr_repository" "variable" {
  name = "variable"
  image_scanning_configuration {
    scan_on_push = var.scan
  }
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(found.lines(), [(2, Severity::Medium), (8, Severity::Medium)]);
        assert_eq!(found.result("aws_ecr_repository.on"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_ecr_repository.variable"), Some(CheckResult::Unknown));
    }

    #[test]
    fn registry_rules_cover_matching_repositories() {
        let text = r#"
resource "aws_ecr_registry_scanning_configuration" "registry" {
  scan_type = "BASIC"
  rule {
    scan_frequency = "SCAN_ON_PUSH"
    repository_filter {
      filter      = "prod-*"
      filter_type = "WILDCARD"
    }
  }
  rule {
    scan_frequency = "MANUAL"
    repository_filter {
      filter      = "*"
      filter_type = "WILDCARD"
    }
  }
}
resource "aws_ecr_repository" "prod" {
  name = "prod-api"
}
resource "aws_ecr_repository" "dev" {
  name = "dev-api"
}
resource "aws_ecr_repository" "named_by_variable" {
  name = var.name
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(found.result("aws_ecr_repository.prod"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_ecr_repository.dev"), Some(CheckResult::Fail));
        assert_eq!(found.result("aws_ecr_repository.named_by_variable"), Some(CheckResult::Unknown));
    }

    #[test]
    fn enhanced_scanning_of_everything() {
        let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Registry:
    Type: AWS::ECR::RegistryScanningConfiguration
    Properties:
      ScanType: ENHANCED
      Rules:
        - ScanFrequency: CONTINUOUS_SCAN
          RepositoryFilters:
            - Filter: "*"
              FilterType: WILDCARD
  Api:
    Type: AWS::ECR::Repository
  Worker:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: worker
"#;
        let found = run(meta, check, &[("template.yaml", text)]);
        assert!(found.findings.is_empty(), "{:?}", found.findings);
        assert_eq!(found.result("Api"), Some(CheckResult::Pass));
    }
}
