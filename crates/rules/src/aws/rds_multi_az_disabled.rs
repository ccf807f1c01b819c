//! ## What it checks
//! Relational databases that run in a single availability zone:
//! - Terraform `aws_db_instance` and CloudFormation `AWS::RDS::DBInstance` with `multi_az`
//!   (`MultiAZ`) absent or `false` (the default is `false`). Read replicas
//!   (`replicate_source_db`, `SourceDBInstanceIdentifier`) are reported at low severity: they
//!   add read capacity, not failover for the primary. Aurora engines and CloudFormation
//!   instances of a cluster (`DBClusterIdentifier`) are judged through their cluster.
//! - Terraform `aws_rds_cluster` (Aurora) with fewer than two `aws_rds_cluster_instance`
//!   whose `cluster_identifier` names it, counting `count` and literal `for_each`. Multi-AZ DB
//!   clusters (`db_cluster_instance_class` set) place their instances in three zones and
//!   pass; Aurora Serverless v1 (`engine_mode = "serverless"`) has no instances to count and
//!   moves its capacity to another zone by itself, so it passes too.
//!
//! An instance count that depends on a variable, or an instance whose cluster cannot be
//! resolved, leaves the cluster unknown.
//!
//! The rule is native because it counts the instances that refer to a cluster, which the
//! policy language (a relation is "some" or "none") cannot express.
//!
//! ## Why it matters (A1.2, A1.1, CC9.1)
//! A single-AZ database is down for the length of a zone outage, a host failure or a
//! maintenance reboot, and every service that depends on it with it. A Multi-AZ deployment (a
//! standby instance, or a second Aurora instance) fails over in a minute or two: it is the
//! recovery infrastructure of A1.2, the capacity to keep serving of A1.1, and the mitigation of
//! a foreseeable business disruption of CC9.1.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_db_instance" "orders" {
//!   engine         = "postgres"
//!   instance_class = "db.m6g.large"
//! }
//!
//! resource "aws_rds_cluster" "ledger" {
//!   engine = "aurora-postgresql"
//! }
//!
//! resource "aws_rds_cluster_instance" "ledger" {
//!   cluster_identifier = aws_rds_cluster.ledger.id
//!   instance_class     = "db.r6g.large"
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_db_instance" "orders" {
//!   engine         = "postgres"
//!   instance_class = "db.m6g.large"
//!   multi_az       = true
//! }
//!
//! resource "aws_rds_cluster_instance" "ledger" {
//!   count              = 2
//!   cluster_identifier = aws_rds_cluster.ledger.id
//!   instance_class     = "db.r6g.large"
//! }
//! ```
//!
//! ## Fix
//! Set `multi_az = true` (CloudFormation `MultiAZ: true`) on RDS instances, and give each
//! Aurora cluster at least two instances (a writer and a reader in another zone), for example
//! with `count = 2` on the `aws_rds_cluster_instance`.

use crate::links::{is_dynamic, referrers};
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-017",
        name: "rds-multi-az-disabled",
        title: "RDS database runs in a single availability zone",
        severity: Severity::Medium,
        criteria: &["A1.2", "A1.1", "CC9.1"],
        help: "Set `multi_az = true` (CloudFormation `MultiAZ: true`); give Aurora clusters at least two instances.",
        checkov: &["CKV_AWS_157"],
        kics: &["2b1d4935-9acf-48a7-8466-10d18bf51a69"],
        trivy: &[],
        other: &[],
        bindings: &[
            (Target::Terraform, &["aws_db_instance", "aws_rds_cluster"]),
            (Target::Cloudformation, &["AWS::RDS::DBInstance"]),
        ],
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    match (resource.target, resource.kind.as_str()) {
        (Target::Terraform, "aws_db_instance") => {
            if is_aurora(body.get("engine")) {
                return;
            }
            let replica = present(body.get("replicate_source_db"));
            judge_instance(resource, body, "multi_az", replica, out);
        }
        (Target::Terraform, "aws_rds_cluster") => judge_cluster(resource, body, file, out),
        (Target::Cloudformation, _) => {
            let empty = Node::new(resource.span, Value::Map(Vec::new()));
            let props = match body.get("Properties") {
                Some(props) if is_dynamic(props) => return out.unknown(),
                Some(props) => props,
                None => &empty,
            };
            if present(props.get("DBClusterIdentifier")) || is_aurora(props.get("Engine")) {
                return;
            }
            let replica = present(props.get("SourceDBInstanceIdentifier"));
            judge_instance(resource, props, "MultiAZ", replica, out);
        }
        _ => {}
    }
}

fn present(node: Option<&Node>) -> bool {
    node.is_some_and(|n| !n.is_null())
}

fn is_aurora(engine: Option<&Node>) -> bool {
    engine.and_then(Node::as_str).is_some_and(|e| e.starts_with("aurora"))
}

fn judge_instance(resource: &Resource<'_>, body: &Node, key: &str, replica: bool, out: &mut Outcome) {
    let entry = body.entry(key);
    let multi_az = match entry.map(|e| &e.value) {
        None => Some(false),
        Some(value) if is_dynamic(value) => None,
        Some(value) if value.is_null() => Some(false),
        Some(value) => value.as_bool(),
    };
    match multi_az {
        Some(true) => {}
        None => out.unknown(),
        Some(false) => {
            let (span, why) = match entry {
                Some(e) if !e.value.is_null() => (e.key_span.cover(e.value.span), format!("`{key}` is false")),
                _ => (resource.span, format!("`{key}` is not set and defaults to false")),
            };
            if replica {
                out.fail(span, format!("read replica `{}` runs in a single availability zone: {why}", resource.address))
                    .severity(Severity::Low);
            } else {
                out.fail(span, format!("`{}` runs in a single availability zone: {why}", resource.address));
            }
        }
    }
}

fn judge_cluster(resource: &Resource<'_>, body: &Node, file: &FileContext<'_>, out: &mut Outcome) {
    if present(body.get("db_cluster_instance_class")) {
        return;
    }
    match body.get("engine_mode") {
        Some(mode) if is_dynamic(mode) => return out.unknown(),
        Some(mode) if mode.as_str() == Some("serverless") => return,
        _ => {}
    }
    let instances =
        referrers(resource, file.scope, &["aws_rds_cluster_instance"], &["cluster_identifier"], &["cluster_identifier"]);
    let mut total = 0usize;
    let mut unknown = instances.unknown;
    for instance in &instances.found {
        match instance.body.map_or(Some(1), instance_count) {
            Some(n) => total = total.saturating_add(n),
            None => unknown = true,
        }
    }
    if total >= 2 {
        return;
    }
    if unknown {
        return out.unknown();
    }
    let what = match total {
        0 => "has no `aws_rds_cluster_instance`".to_string(),
        _ => "has a single `aws_rds_cluster_instance`".to_string(),
    };
    out.fail(
        resource.span,
        format!("Aurora cluster `{}` {what}: no reader in another zone to fail over to", resource.address),
    );
}

/// How many instances one `aws_rds_cluster_instance` block declares: `count`, the size of a
/// literal `for_each`, or one; `None` when that depends on a value not known statically.
fn instance_count(body: &Node) -> Option<usize> {
    if let Some(count) = body.get("count") {
        return match &count.value {
            Value::Number(_) | Value::String(_) => count.as_f64().filter(|n| *n >= 0.0).map(|n| n as usize),
            _ => None,
        };
    }
    if let Some(each) = body.get("for_each") {
        return match &each.value {
            Value::Map(entries) => Some(entries.len()),
            Value::List(items) => Some(items.len()),
            _ => None,
        };
    }
    Some(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    #[test]
    fn terraform_instances_and_clusters() {
        let text = r#"
resource "aws_db_instance" "absent" {
  engine = "postgres"
}
resource "aws_db_instance" "off" {
  engine   = "mysql"
  multi_az = false
}
resource "aws_db_instance" "on" {
  multi_az = true
}
resource "aws_db_instance" "replica" {
  replicate_source_db = aws_db_instance.on.identifier
}
resource "aws_db_instance" "variable" {
  multi_az = var.multi_az
}
resource "aws_rds_cluster" "one" {
  cluster_identifier = "one"
  engine             = "aurora-postgresql"
}
resource "aws_rds_cluster_instance" "one" {
  cluster_identifier = aws_rds_cluster.one.id
}
resource "aws_rds_cluster" "counted" {
  cluster_identifier = "counted"
}
resource "aws_rds_cluster_instance" "counted" {
  count              = 2
  cluster_identifier = aws_rds_cluster.counted.id
}
resource "aws_rds_cluster" "named" {
  cluster_identifier = "named"
}
resource "aws_rds_cluster_instance" "named_a" {
  cluster_identifier = "named"
}
resource "aws_rds_cluster_instance" "named_b" {
  for_each           = toset(["b"])
  cluster_identifier = "named"
}
resource "aws_rds_cluster" "variable_count" {
  cluster_identifier = "variable-count"
}
resource "aws_rds_cluster_instance" "variable_count" {
  count              = var.instances
  cluster_identifier = aws_rds_cluster.variable_count.id
}
resource "aws_rds_cluster" "empty" {
  cluster_identifier = "empty"
}
resource "aws_rds_cluster" "multi_az_cluster" {
  engine                    = "postgres"
  db_cluster_instance_class = "db.m6gd.large"
}
resource "aws_rds_cluster" "serverless" {
  engine_mode = "serverless"
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(
            found.lines(),
            [(2, Severity::Medium), (7, Severity::Medium), (12, Severity::Low), (18, Severity::Medium), (49, Severity::Medium)]
        );
        assert_eq!(found.result("aws_db_instance.variable"), Some(CheckResult::Unknown));
        assert_eq!(found.result("aws_rds_cluster.counted"), Some(CheckResult::Pass));
        // `for_each = toset(["b"])` evaluates to one instance: two instances in all.
        assert_eq!(found.result("aws_rds_cluster.named"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_rds_cluster.variable_count"), Some(CheckResult::Unknown));
        assert_eq!(found.result("aws_rds_cluster.multi_az_cluster"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_rds_cluster.serverless"), Some(CheckResult::Pass));
        assert!(found.findings[0].message.contains("not set"));
        assert!(found.findings[4].message.contains("no `aws_rds_cluster_instance`"));
    }

    #[test]
    fn literal_for_each_counts() {
        let text = r#"
resource "aws_rds_cluster" "c" {
  cluster_identifier = "c"
}
resource "aws_rds_cluster_instance" "c" {
  for_each           = { writer = "db.r6g.large", reader = "db.r6g.large" }
  cluster_identifier = aws_rds_cluster.c.id
}
"#;
        assert_eq!(run(meta, check, &[("main.tf", text)]).result("aws_rds_cluster.c"), Some(CheckResult::Pass));
    }

    #[test]
    fn cloudformation_instances() {
        let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Single:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
  Off:
    Type: AWS::RDS::DBInstance
    Properties:
      MultiAZ: "false"
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Single
  Member:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
  Parameter:
    Type: AWS::RDS::DBInstance
    Properties:
      MultiAZ: !Ref MultiAz
  On:
    Type: AWS::RDS::DBInstance
    Properties:
      MultiAZ: true
"#;
        let found = run(meta, check, &[("template.yaml", text)]);
        assert_eq!(found.lines(), [(3, Severity::Medium), (10, Severity::Medium), (11, Severity::Low)]);
        assert_eq!(found.result("Member"), Some(CheckResult::Pass));
        assert_eq!(found.result("Parameter"), Some(CheckResult::Unknown));
        assert_eq!(found.result("On"), Some(CheckResult::Pass));
    }
}
