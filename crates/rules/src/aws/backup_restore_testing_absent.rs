//! ## What it checks
//! Backup plans (Terraform `aws_backup_plan`, CloudFormation `AWS::Backup::BackupPlan`) whose
//! restores are never tested: the module or template declares no restore testing plan
//! (`aws_backup_restore_testing_plan`, `AWS::Backup::RestoreTestingPlan`) with a restore
//! testing selection (`aws_backup_restore_testing_selection`,
//! `AWS::Backup::RestoreTestingSelection`) for each type of resource the plan protects.
//!
//! The protected types are read from the plan's backup selections (`plan_id`,
//! `BackupPlanId`): the data stores of the module they select (by reference, ARN pattern or
//! tag) and the types their ARN patterns name (`arn:aws:rds:*:*:db:*` is `RDS`). A testing
//! selection covers the `protected_resource_type` (`ProtectedResourceType`) it names, when its
//! `restore_testing_plan_name` names a testing plan of the module. A plan whose protected
//! types cannot be seen (tag selections of resources declared elsewhere) is satisfied by any
//! testing selection.
//!
//! The finding goes on the backup plan: a module without backup plans is not judged. The
//! SOC 2 report marks A1.3 as needing manual evidence (restore test records) either way.
//!
//! The rule is native because it compares the set of protected types with the set of tested
//! types across four kinds of resources.
//!
//! ## Why it matters (A1.3, CC7.5)
//! A backup that was never restored is a hope, not a recovery plan: restores fail on missing
//! permissions, encryption keys, parameter groups or simply time. A1.3 asks that recovery
//! procedures be tested; an AWS Backup restore testing plan restores recovery points on a
//! schedule and records whether they worked, which is also the evidence CC7.5 needs.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_backup_plan" "daily" {
//!   name = "daily"
//!   rule {
//!     rule_name         = "daily"
//!     target_vault_name = aws_backup_vault.main.name
//!     schedule          = "cron(0 3 * * ? *)"
//!   }
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_backup_restore_testing_plan" "weekly" {
//!   name                = "weekly"
//!   schedule_expression = "cron(0 5 ? * SUN *)"
//!   recovery_point_selection {
//!     algorithm            = "LATEST_WITHIN_WINDOW"
//!     include_vaults       = ["*"]
//!     recovery_point_types = ["SNAPSHOT"]
//!   }
//! }
//!
//! resource "aws_backup_restore_testing_selection" "rds" {
//!   name                      = "rds"
//!   restore_testing_plan_name = aws_backup_restore_testing_plan.weekly.name
//!   protected_resource_type   = "RDS"
//!   iam_role_arn              = aws_iam_role.restore_testing.arn
//!   protected_resource_arns   = ["*"]
//! }
//! ```
//!
//! ## Fix
//! Add an `aws_backup_restore_testing_plan` and one `aws_backup_restore_testing_selection` per
//! protected resource type, and keep the test results as A1.3 evidence.

use crate::backup;
use crate::links::{Truth, is_dynamic, names, referrers};
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-025",
        name: "backup-restore-testing-absent",
        title: "Backup plan without restore testing",
        severity: Severity::Low,
        criteria: &["A1.3", "CC7.5"],
        help: "Add an `aws_backup_restore_testing_plan` with an `aws_backup_restore_testing_selection` for each protected resource type.",
        checkov: &[],
        kics: &[],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Terraform, &["aws_backup_plan"]), (Target::Cloudformation, &["AWS::Backup::BackupPlan"])],
    }
}

/// Type and attribute names of one format.
struct Names {
    testing_plan: &'static str,
    testing_selection: &'static str,
    plan_name: &'static [&'static str],
    testing_plan_name: &'static str,
    resource_type: &'static [&'static str],
    plan_id: &'static [&'static str],
    resources: &'static [&'static str],
}

const TERRAFORM: Names = Names {
    testing_plan: "aws_backup_restore_testing_plan",
    testing_selection: "aws_backup_restore_testing_selection",
    plan_name: &["restore_testing_plan_name"],
    testing_plan_name: "name",
    resource_type: &["protected_resource_type"],
    plan_id: &["plan_id"],
    resources: &["resources"],
};

const CLOUDFORMATION: Names = Names {
    testing_plan: "AWS::Backup::RestoreTestingPlan",
    testing_selection: "AWS::Backup::RestoreTestingSelection",
    plan_name: &["Properties", "RestoreTestingPlanName"],
    testing_plan_name: "Properties.RestoreTestingPlanName",
    resource_type: &["Properties", "ProtectedResourceType"],
    plan_id: &["Properties", "BackupPlanId"],
    resources: &["Properties", "BackupSelection", "Resources"],
};

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let n = match resource.target {
        Target::Terraform => &TERRAFORM,
        Target::Cloudformation => &CLOUDFORMATION,
        _ => return,
    };
    let scope = file.scope;
    let address = &resource.address;
    let testing_plans: Vec<&Resource<'_>> = scope.of_kind(resource.target, n.testing_plan).collect();
    if testing_plans.is_empty() {
        out.fail(resource.span, format!("restores of backup plan `{address}` are never tested: no restore testing plan"));
        return;
    }

    // The types the restore testing plans cover.
    let mut tested: Vec<String> = Vec::new();
    let mut unknown = false;
    let mut any_selection = false;
    for selection in scope.of_kind(resource.target, n.testing_selection) {
        let Some(body) = selection.body else { continue };
        let (plan_names, blocked) = crate::links::values_at(body, n.plan_name);
        let mut linked = if blocked { Truth::Unknown } else { Truth::False };
        for value in plan_names {
            // Through the scope again, not the list above: every comparison is taken from the
            // relation budget, so plans times selections times plans stays bounded.
            for plan in scope.of_kind(resource.target, n.testing_plan) {
                match names(value, plan, &[n.testing_plan_name]) {
                    Truth::True => linked = Truth::True,
                    Truth::Unknown if linked == Truth::False => linked = Truth::Unknown,
                    _ => {}
                }
            }
        }
        if linked == Truth::False {
            continue;
        }
        unknown |= linked == Truth::Unknown;
        any_selection = true;
        let (types, blocked) = crate::links::values_at(body, n.resource_type);
        unknown |= blocked;
        for kind in types {
            match kind.as_str() {
                Some(kind) => tested.push(kind.to_string()),
                None if is_dynamic(kind) => unknown = true,
                None => {}
            }
        }
    }
    if !any_selection {
        if unknown {
            return out.unknown();
        }
        out.fail(
            resource.span,
            format!("restores of backup plan `{address}` are never tested: its restore testing plan selects no resources"),
        );
        return;
    }

    // The types the backup plan protects, as far as the module shows them.
    let (protected, blocked) = protected_types(resource, n, file);
    unknown |= blocked;
    let missing: Vec<&str> =
        protected.iter().copied().filter(|kind| !tested.iter().any(|t| t.eq_ignore_ascii_case(kind))).collect();
    if missing.is_empty() {
        if unknown {
            out.unknown();
        }
        return;
    }
    out.fail(
        resource.span,
        format!(
            "restores of backup plan `{address}` are not tested for {}: no restore testing selection of that type",
            missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
        ),
    );
}

fn add(kind: &'static str, types: &mut Vec<&'static str>) {
    if !types.contains(&kind) {
        types.push(kind);
    }
}

/// The protected resource types of the plan's selections, and whether some selection could
/// not be read.
fn protected_types(plan: &Resource<'_>, n: &Names, file: &FileContext<'_>) -> (Vec<&'static str>, bool) {
    let scope = file.scope;
    let selections = referrers(plan, scope, &[backup::selection_kind(plan.target)], n.plan_id, &[]);
    let mut unknown = selections.unknown;
    let mut types: Vec<&'static str> = Vec::new();
    for selection in &selections.found {
        for store in scope.resources().iter().filter(|r| r.target == plan.target) {
            let Some(kind) = backup::protected_type(&store.kind) else { continue };
            match backup::selects(selection, store, scope) {
                Truth::True => add(kind, &mut types),
                Truth::Unknown => unknown = true,
                Truth::False => {}
            }
        }
        let (entries, blocked) =
            selection.body.map(|b| crate::links::values_at(b, n.resources)).unwrap_or_default();
        unknown |= blocked;
        for entry in entries.into_iter().flat_map(Node::items) {
            if let Some(kind) = entry.as_str().and_then(backup::protected_type_of_arn) {
                add(kind, &mut types);
            }
        }
    }
    (types, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    const PLAN: &str = r#"
resource "aws_backup_plan" "daily" {
  name = "daily"
  rule {
    rule_name         = "daily"
    target_vault_name = "main"
    schedule          = "cron(0 3 * * ? *)"
  }
}
resource "aws_db_instance" "billing" {
  identifier = "billing"
}
resource "aws_dynamodb_table" "carts" {
  name = "carts"
}
resource "aws_backup_selection" "daily" {
  name         = "daily"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = "arn:aws:iam::123456789012:role/backup"
  resources    = [aws_db_instance.billing.arn, "arn:aws:dynamodb:*:*:table/*"]
}
"#;

    const TESTING_PLAN: &str = r#"
resource "aws_backup_restore_testing_plan" "weekly" {
  name                = "weekly"
  schedule_expression = "cron(0 5 ? * SUN *)"
}
"#;

    fn testing_selection(kind: &str) -> String {
        format!(
            "resource \"aws_backup_restore_testing_selection\" \"{}\" {{\n  name = \"{}\"\n  restore_testing_plan_name = aws_backup_restore_testing_plan.weekly.name\n  protected_resource_type = \"{kind}\"\n}}\n",
            kind.to_lowercase(),
            kind.to_lowercase()
        )
    }

    #[test]
    fn no_testing_plan() {
        let found = run(meta, check, &[("main.tf", PLAN)]);
        assert_eq!(found.lines(), [(2, Severity::Low)]);
        assert!(found.findings[0].message.contains("no restore testing plan"));
    }

    #[test]
    fn testing_one_type_of_two() {
        let text = format!("{PLAN}{TESTING_PLAN}{}", testing_selection("RDS"));
        let found = run(meta, check, &[("main.tf", &text)]);
        assert_eq!(found.lines(), [(2, Severity::Low)]);
        assert!(found.findings[0].message.contains("`DynamoDB`"), "{:?}", found.findings);
    }

    #[test]
    fn testing_every_type() {
        let text = format!("{PLAN}{TESTING_PLAN}{}{}", testing_selection("RDS"), testing_selection("DynamoDB"));
        let found = run(meta, check, &[("main.tf", &text)]);
        assert_eq!(found.result("aws_backup_plan.daily"), Some(CheckResult::Pass), "{:?}", found.findings);
    }

    #[test]
    fn testing_plan_without_selection() {
        let text = format!("{PLAN}{TESTING_PLAN}");
        let found = run(meta, check, &[("main.tf", &text)]);
        assert!(found.findings[0].message.contains("selects no resources"));
    }

    #[test]
    fn cloudformation_plans() {
        let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Plan:
    Type: AWS::Backup::BackupPlan
    Properties:
      BackupPlan:
        BackupPlanName: daily
        BackupPlanRule:
          - RuleName: daily
            TargetBackupVault: main
  Table:
    Type: AWS::DynamoDB::Table
  Selection:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref Plan
      BackupSelection:
        SelectionName: tables
        IamRoleArn: !GetAtt Role.Arn
        Resources:
          - !GetAtt Table.Arn
  Testing:
    Type: AWS::Backup::RestoreTestingPlan
    Properties:
      RestoreTestingPlanName: weekly
      ScheduleExpression: cron(0 5 ? * SUN *)
  TestingTables:
    Type: AWS::Backup::RestoreTestingSelection
    Properties:
      RestoreTestingPlanName: !Ref Testing
      RestoreTestingSelectionName: tables
      ProtectedResourceType: DynamoDB
      IamRoleArn: !GetAtt Role.Arn
"#;
        let found = run(meta, check, &[("template.yaml", text)]);
        assert_eq!(found.result("Plan"), Some(CheckResult::Pass), "{:?}", found.findings);
        let missing = text.replace("ProtectedResourceType: DynamoDB", "ProtectedResourceType: EBS");
        let found = run(meta, check, &[("template.yaml", &missing)]);
        assert_eq!(found.lines(), [(3, Severity::Low)]);
    }
}
