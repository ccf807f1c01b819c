//! ## What it checks
//! Production or classified data stores that no AWS Backup plan protects: Terraform
//! `aws_db_instance`, `aws_rds_cluster`, `aws_dynamodb_table`, `aws_efs_file_system` and
//! `aws_ebs_volume`, and CloudFormation `AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`,
//! `AWS::DynamoDB::Table`, `AWS::EFS::FileSystem` and `AWS::EC2::Volume`.
//!
//! A store is judged when its effective tags (its own `tags`, merged over the AWS provider's
//! `default_tags`) mark it as production (an `env`, `environment` or `stage` tag of `prod`,
//! `production`, `prd` or `live`) or as classified (`data_classification` of `confidential`,
//! `restricted`, `pii` or `phi`). Other stores are not judged.
//!
//! It is covered when an `aws_backup_selection` (`AWS::Backup::BackupSelection`) of the same
//! module or template selects it:
//! - by reference in `resources` (`aws_dynamodb_table.orders.arn`, `!GetAtt Orders.Arn`);
//! - by an ARN pattern in `resources` (`*`, `arn:aws:dynamodb:*:*:table/*`), of the store's
//!   type and, when the store's name is a literal, matching it;
//! - by a `selection_tag` (`ListOfTags`) equal to one of its effective tags, or by `resources`
//!   together with `condition` blocks (`Conditions`) that its tags satisfy;
//!
//! and no `not_resources` entry excludes it. An EFS file system with automatic backups
//! (`aws_efs_backup_policy` with `status = "ENABLED"`, CloudFormation `BackupPolicy`) is
//! covered by AWS Backup's default plan.
//!
//! Service-native backups count as partial cover and lower the finding to information, which
//! is not reported: RDS and Aurora automated backups (any `backup_retention_period` but 0; the
//! default is 1 day) and DynamoDB point-in-time recovery. In practice the rule reports
//! DynamoDB tables without PITR, EFS file systems, EBS volumes and RDS instances with automated
//! backups turned off. Tags or selections not known statically leave the result unknown.
//!
//! The rule is native because a tag-based selection is matched against each store's effective
//! tags, values of two different resources that the policy language cannot compare.
//!
//! ## Why it matters (A1.2, CC7.5)
//! AWS Backup keeps copies on its own schedule and retention, in a vault that the data store's
//! own deletion or corruption does not reach, and can copy them to another region or account.
//! Service-native backups disappear with the store or are limited to days. For production and
//! confidential data, a backup plan is the recovery infrastructure of A1.2 and the means of
//! recovery of CC7.5.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_efs_file_system" "uploads" {
//!   tags = { env = "prod" }
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_efs_file_system" "uploads" {
//!   tags = { env = "prod", backup = "daily" }
//! }
//!
//! resource "aws_backup_selection" "daily" {
//!   name         = "daily"
//!   plan_id      = aws_backup_plan.daily.id
//!   iam_role_arn = aws_iam_role.backup.arn
//!
//!   selection_tag {
//!     type  = "STRINGEQUALS"
//!     key   = "backup"
//!     value = "daily"
//!   }
//! }
//! ```
//!
//! ## Fix
//! Add the store to a backup plan's selection, by ARN or, better, by a tag that every
//! production store carries (`selection_tag`), so that new stores are covered when they are
//! created.

use crate::backup::{self, Tags, or};
use crate::links::{Truth, is_dynamic, referrers};
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-024",
        name: "datastore-not-covered-by-backup-plan",
        title: "Production or classified data store is not in an AWS Backup plan",
        severity: Severity::Low,
        criteria: &["A1.2", "CC7.5"],
        help: "Select the data store in an `aws_backup_selection` of a backup plan, by ARN or by a tag it carries.",
        checkov: &["CKV2_AWS_8", "CKV2_AWS_9", "CKV2_AWS_18"],
        kics: &[],
        trivy: &[],
        other: &[],
        bindings: &[
            (
                Target::Terraform,
                &["aws_db_instance", "aws_rds_cluster", "aws_dynamodb_table", "aws_efs_file_system", "aws_ebs_volume"],
            ),
            (
                Target::Cloudformation,
                &[
                    "AWS::RDS::DBInstance",
                    "AWS::RDS::DBCluster",
                    "AWS::DynamoDB::Table",
                    "AWS::EFS::FileSystem",
                    "AWS::EC2::Volume",
                ],
            ),
        ],
    }
}

const ENVIRONMENT_KEYS: [&str; 3] = ["env", "environment", "stage"];
const PRODUCTION: [&str; 4] = ["prod", "production", "prd", "live"];
const CLASSIFIED: [&str; 4] = ["confidential", "restricted", "pii", "phi"];

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let props = match resource.target {
        Target::Cloudformation => match body.get("Properties") {
            Some(props) if is_dynamic(props) => return out.unknown(),
            Some(props) => Some(props),
            None => None,
        },
        _ => Some(body),
    };
    if is_dependent(resource, props) {
        return;
    }
    let tags = backup::tags(resource, file.scope);
    let (judged, why) = why_judged(resource, &tags);
    match judged {
        Truth::False => return,
        Truth::Unknown => {}
        Truth::True => {}
    }
    let mut covered = native_cover(resource, props, file);
    for selection in file.scope.of_kind(resource.target, backup::selection_kind(resource.target)) {
        if covered == Truth::True {
            break;
        }
        covered = or(covered, backup::selects(selection, resource, file.scope));
    }
    match (judged, covered) {
        (_, Truth::True) | (Truth::False, _) => {}
        (Truth::Unknown, _) | (_, Truth::Unknown) => out.unknown(),
        (Truth::True, Truth::False) => {
            out.fail(
                resource.span,
                format!(
                    "{} `{}` is in no AWS Backup plan: no backup selection covers it{}",
                    why.unwrap_or_else(|| "data store".to_string()),
                    resource.address,
                    native_note(resource)
                ),
            );
        }
    }
}

/// Stores whose backups are their parent's: read replicas, and CloudFormation instances of an
/// Aurora cluster.
fn is_dependent(resource: &Resource<'_>, props: Option<&Node>) -> bool {
    let present = |key: &str| props.and_then(|p| p.get(key)).is_some_and(|v| !v.is_null());
    match resource.kind.as_str() {
        "aws_db_instance" => present("replicate_source_db"),
        "AWS::RDS::DBInstance" => present("DBClusterIdentifier") || present("SourceDBInstanceIdentifier"),
        _ => false,
    }
}

/// Whether the store is production or classified, and how to say so.
fn why_judged(resource: &Resource<'_>, tags: &Tags) -> (Truth, Option<String>) {
    let classified = match resource.classification {
        Some(node) => match node.scalar_text() {
            Some(value) if CLASSIFIED.iter().any(|c| c.eq_ignore_ascii_case(&value)) => {
                return (Truth::True, Some(format!("classified data store ({value})")));
            }
            Some(_) => Truth::False,
            None => Truth::Unknown,
        },
        // No classification found: unknown only when some tags cannot be read.
        None if tags.is_open() => Truth::Unknown,
        None => Truth::False,
    };
    let production = tags.any_of(&ENVIRONMENT_KEYS, &PRODUCTION);
    if production == Truth::True {
        let tag = tags.describe(&ENVIRONMENT_KEYS, &PRODUCTION).unwrap_or_else(|| "production".into());
        return (Truth::True, Some(format!("production data store ({tag})")));
    }
    (or(classified, production), None)
}

/// Cover that needs no backup selection: EFS automatic backups (full cover), and the
/// service-native backups that lower the finding to information (RDS automated backups,
/// DynamoDB point-in-time recovery).
fn native_cover(resource: &Resource<'_>, props: Option<&Node>, file: &FileContext<'_>) -> Truth {
    let get = |path: &str| props.and_then(|p| p.get_path(path));
    let flag = |node: Option<&Node>, absent: Truth| match node {
        None => absent,
        Some(n) if is_dynamic(n) => Truth::Unknown,
        Some(n) if n.as_bool() == Some(true) => Truth::True,
        Some(_) => Truth::False,
    };
    match resource.kind.as_str() {
        "aws_db_instance" | "aws_rds_cluster" => retention(get("backup_retention_period")),
        "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => retention(get("BackupRetentionPeriod")),
        "aws_dynamodb_table" => {
            let (enabled, blocked) = props
                .map(|p| crate::links::values_at(p, &["point_in_time_recovery", "enabled"]))
                .unwrap_or_default();
            if blocked { Truth::Unknown } else { flag(enabled.first().copied(), Truth::False) }
        }
        "AWS::DynamoDB::Table" => {
            flag(get("PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled"), Truth::False)
        }
        "AWS::EFS::FileSystem" => match get("BackupPolicy.Status") {
            None => Truth::False,
            Some(n) if is_dynamic(n) => Truth::Unknown,
            Some(n) => enabled_status(n),
        },
        "aws_efs_file_system" => {
            let policies = referrers(resource, file.scope, &["aws_efs_backup_policy"], &["file_system_id"], &[]);
            let mut result = if policies.unknown { Truth::Unknown } else { Truth::False };
            for policy in policies.found {
                let (statuses, blocked) = policy
                    .body
                    .map(|b| crate::links::values_at(b, &["backup_policy", "status"]))
                    .unwrap_or_default();
                let status = match statuses.first() {
                    _ if blocked => Truth::Unknown,
                    Some(n) if is_dynamic(n) => Truth::Unknown,
                    Some(n) => enabled_status(n),
                    None => Truth::False,
                };
                result = or(result, status);
            }
            result
        }
        _ => Truth::False,
    }
}

fn enabled_status(node: &Node) -> Truth {
    if node.as_str().is_some_and(|s| s.eq_ignore_ascii_case("ENABLED")) { Truth::True } else { Truth::False }
}

/// RDS automated backups: on unless the retention is 0 (absent means the default, 1 day).
fn retention(node: Option<&Node>) -> Truth {
    match node {
        None => Truth::True,
        Some(n) if is_dynamic(n) => Truth::Unknown,
        Some(n) => match n.as_f64() {
            Some(days) if days > 0.0 => Truth::True,
            Some(_) => Truth::False,
            None => Truth::Unknown,
        },
    }
}

fn native_note(resource: &Resource<'_>) -> &'static str {
    match resource.kind.as_str() {
        "aws_db_instance" | "aws_rds_cluster" | "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => {
            ", and its automated backups are off"
        }
        "aws_dynamodb_table" | "AWS::DynamoDB::Table" => ", and point-in-time recovery is off",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    #[test]
    fn terraform_stores() {
        let text = r#"
provider "aws" {
  default_tags {
    tags = {
      env = "production"
    }
  }
}
resource "aws_dynamodb_table" "carts" {
  name = "carts"
}
resource "aws_dynamodb_table" "recoverable" {
  name = "recoverable"
  point_in_time_recovery {
    enabled = true
  }
}
resource "aws_db_instance" "billing" {
  identifier = "billing"
}
resource "aws_db_instance" "scratch" {
  identifier              = "scratch"
  backup_retention_period = 0
}
resource "aws_efs_file_system" "uploads" {
  tags = {
    backup = "daily"
  }
}
resource "aws_efs_file_system" "automatic" {}
resource "aws_efs_backup_policy" "automatic" {
  file_system_id = aws_efs_file_system.automatic.id
  backup_policy {
    status = "ENABLED"
  }
}
resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
}
resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 100
  tags = {
    env = "dev"
  }
}
resource "aws_ebs_volume" "unknown" {
  availability_zone = "eu-west-1a"
  size              = 100
  tags              = var.tags
}
resource "aws_backup_selection" "daily" {
  name    = "daily"
  plan_id = aws_backup_plan.daily.id
  selection_tag {
    type  = "STRINGEQUALS"
    key   = "backup"
    value = "daily"
  }
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(found.lines(), [(9, Severity::Low), (21, Severity::Low), (37, Severity::Low)], "{:?}", found.findings);
        assert!(found.findings[0].message.contains("production data store (env=production)"));
        assert!(found.findings[0].message.contains("point-in-time recovery is off"));
        assert_eq!(found.result("aws_dynamodb_table.recoverable"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_db_instance.billing"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_efs_file_system.uploads"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_efs_file_system.automatic"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_ebs_volume.scratch"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_ebs_volume.unknown"), Some(CheckResult::Unknown));
    }

    #[test]
    fn unclassified_development_stores_are_not_judged() {
        let text = r#"
resource "aws_ebs_volume" "cache" {
  availability_zone = "eu-west-1a"
  size              = 10
  tags = {
    env = "dev"
  }
}
resource "aws_dynamodb_table" "pii" {
  name = "people"
  tags = {
    data_classification = "PII"
  }
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(found.lines(), [(9, Severity::Low)]);
        assert!(found.findings[0].message.contains("classified data store (PII)"));
        assert_eq!(found.result("aws_ebs_volume.cache"), Some(CheckResult::Pass));
    }

    #[test]
    fn cloudformation_stores() {
        let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Carts:
    Type: AWS::DynamoDB::Table
    Properties:
      Tags:
        - Key: env
          Value: prod
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      Tags:
        - Key: env
          Value: prod
  Uploads:
    Type: AWS::EFS::FileSystem
    Properties:
      BackupPolicy:
        Status: ENABLED
      FileSystemTags:
        - Key: env
          Value: prod
  Selection:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref Plan
      BackupSelection:
        SelectionName: orders
        IamRoleArn: !GetAtt Role.Arn
        Resources:
          - !GetAtt Orders.Arn
"#;
        let found = run(meta, check, &[("template.yaml", text)]);
        assert_eq!(found.lines(), [(3, Severity::Low)]);
        assert_eq!(found.result("Orders"), Some(CheckResult::Pass));
        assert_eq!(found.result("Uploads"), Some(CheckResult::Pass));
    }
}
