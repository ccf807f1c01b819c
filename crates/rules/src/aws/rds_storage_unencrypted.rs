//! ## What it checks
//! Database storage without encryption at rest: Terraform `aws_db_instance`,
//! `aws_rds_cluster`, `aws_docdb_cluster` and `aws_neptune_cluster` whose `storage_encrypted`
//! is absent or `false` (the providers' default is `false`), and CloudFormation
//! `AWS::RDS::DBInstance`, `AWS::RDS::DBCluster` and `AWS::DocDB::DBCluster` whose
//! `StorageEncrypted` is absent or `false`.
//!
//! Not reported: Aurora Serverless v1 clusters (`engine_mode = "serverless"`, always
//! encrypted); CloudFormation instances that belong to a cluster (`DBClusterIdentifier`: the
//! cluster's setting applies); and replicas or restores (`replicate_source_db`,
//! `snapshot_identifier`, `SourceDBInstanceIdentifier`, `DBSnapshotIdentifier`, ...), which
//! inherit the encryption of their source. A value not known statically (a variable, `!Ref`)
//! makes the result unknown.
//!
//! ## Why it matters (C1.1, CC6.1)
//! Databases hold the confidential data the organisation has committed to protect (C1.1).
//! Unencrypted storage exposes it through snapshots shared by mistake, copied volumes and
//! retired disks, outside the access controls of the database itself (CC6.1). Encryption
//! cannot be turned on for an existing instance: it takes a snapshot, an encrypted copy and a
//! restore, so it must be right from the start.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine         = "postgres"
//!   instance_class = "db.t4g.medium"
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine            = "postgres"
//!   instance_class    = "db.t4g.medium"
//!   storage_encrypted = true
//!   kms_key_id        = aws_kms_key.db.arn
//! }
//! ```
//!
//! ## Fix
//! Set `storage_encrypted = true` (CloudFormation: `StorageEncrypted: true`), with
//! `kms_key_id` (`KmsKeyId`) for a customer-managed key. For an existing database, snapshot
//! it, copy the snapshot with encryption, and restore from the encrypted copy.

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-029",
        name: "rds-storage-unencrypted",
        title: "RDS storage is not encrypted at rest",
        severity: Severity::High,
        criteria: &["C1.1", "CC6.1"],
        help: "Set `storage_encrypted = true` (CloudFormation `StorageEncrypted: true`), and \
               `kms_key_id` for a customer-managed key.",
        checkov: &["CKV_AWS_16", "CKV_AWS_96", "CKV_AWS_74", "CKV_AWS_44"],
        kics: &["08bd0760-8752-44e1-9779-7bb369b2b4e4", "3199c26c-7871-4cb3-99c2-10a59244ce7f"],
        trivy: &["AVD-AWS-0080", "AVD-AWS-0079"],
        other: &[],
        bindings: &[
            (Target::Terraform, &["aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"]),
            (Target::Cloudformation, &["AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::DocDB::DBCluster"]),
        ],
    }
}

/// Attributes that make a database a replica or a restore, which inherits the encryption of
/// its source. Resolving the source (and reporting there when it is unencrypted) is a
/// cross-resource check that comes with the module-wide evaluation: until then these pass.
const TERRAFORM_INHERITED: [&str; 4] =
    ["replicate_source_db", "snapshot_identifier", "replication_source_identifier", "restore_to_point_in_time"];

/// The CloudFormation spellings of the same (pass for now, as above).
const CLOUDFORMATION_INHERITED: [&str; 5] = [
    "SourceDBInstanceIdentifier",
    "DBSnapshotIdentifier",
    "SnapshotIdentifier",
    "SourceDBClusterIdentifier",
    "ReplicationSourceIdentifier",
];

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    match resource.target {
        Target::Terraform => {
            if TERRAFORM_INHERITED.iter().any(|key| body.get(key).is_some_and(|v| !v.is_null())) {
                return;
            }
            let serverless =
                if resource.kind == "aws_rds_cluster" { is_serverless_v1(body.get("engine_mode")) } else { Some(false) };
            judge(resource, body, "storage_encrypted", serverless, out);
        }
        Target::Cloudformation => {
            let empty = Node::new(resource.span, Value::Map(Vec::new()));
            let props = match body.get("Properties") {
                Some(props) if not_static(props) => return out.unknown(),
                Some(props) => props,
                None => &empty,
            };
            // An instance of a cluster is encrypted (or not) by its cluster, judged there.
            if resource.kind == "AWS::RDS::DBInstance" && props.get("DBClusterIdentifier").is_some() {
                return;
            }
            if CLOUDFORMATION_INHERITED.iter().any(|key| props.get(key).is_some_and(|v| !v.is_null())) {
                return;
            }
            let serverless =
                if resource.kind == "AWS::RDS::DBCluster" { is_serverless_v1(props.get("EngineMode")) } else { Some(false) };
            judge(resource, props, "StorageEncrypted", serverless, out);
        }
        _ => {}
    }
}

/// Whether the engine mode is Aurora Serverless v1, which is always encrypted. `None` when
/// the mode is not known statically.
fn is_serverless_v1(engine_mode: Option<&Node>) -> Option<bool> {
    match engine_mode {
        Some(mode) if not_static(mode) => None,
        Some(mode) => Some(mode.as_str().is_some_and(|m| m.eq_ignore_ascii_case("serverless"))),
        None => Some(false),
    }
}

fn judge(resource: &Resource<'_>, body: &Node, key: &str, serverless: Option<bool>, out: &mut Outcome) {
    if serverless == Some(true) {
        return;
    }
    let entry = body.entry(key);
    let encrypted = match entry.map(|e| &e.value) {
        None => Some(false),
        Some(value) if not_static(value) => None,
        Some(value) if value.is_null() => Some(false),
        Some(value) => value.as_bool(),
    };
    match (encrypted, serverless) {
        (Some(true), _) => {}
        // Not encrypted as written, but a mode we cannot read may still be serverless.
        (Some(false), None) | (None, _) => out.unknown(),
        (Some(false), Some(_)) => {
            let (span, why) = match entry {
                Some(e) => (e.key_span.cover(e.value.span), format!("`{key}` is false")),
                None => (resource.span, format!("`{key}` is not set and defaults to false")),
            };
            out.fail(span, format!("storage of `{}` is not encrypted at rest: {why}", resource.address));
        }
    }
}

/// A value not known statically: a Terraform expression, a YAML intrinsic (`!Ref`), or a
/// JSON intrinsic (`{"Ref": ...}`, `{"Fn::...": ...}`).
fn not_static(node: &Node) -> bool {
    match &node.value {
        Value::Expr(_) | Value::Tagged(..) => true,
        Value::Map(entries) => {
            matches!(entries.as_slice(), [only] if only.key == "Ref" || only.key.starts_with("Fn::"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::terraform;
    use trustlint_engine::parse::hcl;
    use trustlint_engine::rule::CheckResult;

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
    fn terraform_cases() {
        let text = r#"resource "aws_db_instance" "absent" {
  engine = "mysql"
}
resource "aws_db_instance" "off" {
  storage_encrypted = false
}
resource "aws_db_instance" "on" {
  storage_encrypted = true
}
resource "aws_db_instance" "replica" {
  replicate_source_db = aws_db_instance.on.identifier
}
resource "aws_db_instance" "var" {
  storage_encrypted = var.encrypted
}
resource "aws_rds_cluster" "v1" {
  engine_mode = "serverless"
}
resource "aws_rds_cluster" "mode" {
  engine_mode = var.mode
}
resource "aws_rds_cluster" "mode_but_encrypted" {
  engine_mode       = var.mode
  storage_encrypted = true
}
resource "aws_docdb_cluster" "docs" {
  storage_encrypted = "false"
}
resource "aws_neptune_cluster" "graph" {
  snapshot_identifier = "graph-final"
}
"#;
        let results = run(text);
        let summary: Vec<(&str, CheckResult, Vec<&str>)> =
            results.iter().map(|(a, r, p)| (a.as_str(), *r, p.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            summary,
            [
                ("aws_db_instance.absent", CheckResult::Fail, vec![r#"resource "aws_db_instance" "absent""#]),
                ("aws_db_instance.off", CheckResult::Fail, vec!["storage_encrypted = false"]),
                ("aws_db_instance.on", CheckResult::Pass, vec![]),
                ("aws_db_instance.replica", CheckResult::Pass, vec![]),
                ("aws_db_instance.var", CheckResult::Unknown, vec![]),
                ("aws_rds_cluster.v1", CheckResult::Pass, vec![]),
                ("aws_rds_cluster.mode", CheckResult::Unknown, vec![]),
                ("aws_rds_cluster.mode_but_encrypted", CheckResult::Pass, vec![]),
                ("aws_docdb_cluster.docs", CheckResult::Fail, vec![r#"storage_encrypted = "false""#]),
                ("aws_neptune_cluster.graph", CheckResult::Pass, vec![]),
            ]
        );
    }

    /// A CloudFormation-shaped resource body, written as an HCL object for brevity (the YAML
    /// loader gives the same tree).
    fn cfn(kind: &str, properties: &str) -> CheckResult {
        let text = format!("x = {{ Type = \"{kind}\", Properties = {properties} }}\n");
        let file = hcl::parse(&text).expect("parses");
        let node = &file.attributes[0].value;
        let resource = Resource::tree(Target::Cloudformation, kind, "Db", Span::new(0, 1), node);
        let source = SourceFile::new("template.yaml", text.as_str());
        let syntax = Syntax::Text;
        let mut out = Outcome::default();
        check(&resource, &FileContext { source: &source, syntax: &syntax, scope: &Default::default() }, &mut out);
        out.result()
    }

    #[test]
    fn cloudformation_cases() {
        assert_eq!(cfn("AWS::RDS::DBInstance", "{ Engine = \"postgres\" }"), CheckResult::Fail);
        assert_eq!(cfn("AWS::RDS::DBInstance", "{ StorageEncrypted = false }"), CheckResult::Fail);
        assert_eq!(cfn("AWS::RDS::DBInstance", "{ StorageEncrypted = \"true\" }"), CheckResult::Pass);
        assert_eq!(cfn("AWS::RDS::DBInstance", "{ DBClusterIdentifier = { Ref = \"Cluster\" } }"), CheckResult::Pass);
        assert_eq!(cfn("AWS::RDS::DBInstance", "{ DBSnapshotIdentifier = \"snap\" }"), CheckResult::Pass);
        assert_eq!(cfn("AWS::RDS::DBInstance", "{ StorageEncrypted = { Ref = \"Encrypt\" } }"), CheckResult::Unknown);
        assert_eq!(cfn("AWS::RDS::DBCluster", "{ EngineMode = \"serverless\" }"), CheckResult::Pass);
        assert_eq!(cfn("AWS::RDS::DBCluster", "{ EngineMode = \"provisioned\" }"), CheckResult::Fail);
        assert_eq!(cfn("AWS::DocDB::DBCluster", "{ StorageEncrypted = true }"), CheckResult::Pass);
        assert_eq!(cfn("AWS::DocDB::DBCluster", "{ \"Fn::If\" = [\"C\", {}, {}] }"), CheckResult::Unknown);
    }

    #[test]
    fn cloudformation_tagged_flag_is_unknown() {
        let tagged = Node::new(
            Span::default(),
            Value::Tagged("Ref".into(), Box::new(Node::new(Span::default(), Value::String("Encrypt".into())))),
        );
        let props = Node::new(
            Span::default(),
            Value::Map(vec![trustlint_engine::Entry {
                key: "StorageEncrypted".into(),
                key_span: Span::default(),
                value: tagged,
            }]),
        );
        let body = Node::new(
            Span::default(),
            Value::Map(vec![trustlint_engine::Entry { key: "Properties".into(), key_span: Span::default(), value: props }]),
        );
        let resource = Resource::tree(Target::Cloudformation, "AWS::RDS::DBInstance", "Db", Span::default(), &body);
        let source = SourceFile::new("template.yaml", "");
        let syntax = Syntax::Text;
        let mut out = Outcome::default();
        check(&resource, &FileContext { source: &source, syntax: &syntax, scope: &Default::default() }, &mut out);
        assert_eq!(out.result(), CheckResult::Unknown);
    }
}
