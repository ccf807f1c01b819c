//! End-to-end tests of the policy language: compile a policy, lint real text with it.

use crate::lint::Linter;
use crate::rule::{CheckResult, Rule};

use super::compile;

fn lint(policy: &str, files: &[(&str, &str)]) -> (Vec<(String, usize, String)>, Vec<CheckResult>) {
    let policy = compile("policy.toml", policy).unwrap_or_else(|e| panic!("{e}"));
    let linter = Linter::new(vec![Box::new(policy) as Box<dyn Rule>], true);
    let reports =
        linter.lint_unit(files.iter().map(|(p, t)| ((*p).to_string(), t.as_bytes().to_vec())).collect());
    let mut findings = Vec::new();
    let mut results = Vec::new();
    for report in reports {
        for f in report.findings {
            findings.push((f.file, f.start.line, format!("{}|{}", f.severity, f.message)));
        }
        results.extend(report.evaluations.into_iter().map(|e| e.result));
    }
    findings.sort();
    (findings, results)
}

const RDS: &str = r#"
id = "T-RDS-001"
name = "rds"
title = "RDS unencrypted"
severity = "high"
criteria = ["C1.1"]
message = "`{address}` is unencrypted ({value})"
target = "terraform"
resources = ["aws_db_instance"]
fail = { path = "storage_encrypted", is_false = true, default = false }
"#;

#[test]
fn defaults_point_at_the_header_and_values_at_the_attribute() {
    let tf = r#"resource "aws_db_instance" "a" {
  engine = "postgres"
}

resource "aws_db_instance" "b" {
  storage_encrypted = false
}

resource "aws_db_instance" "c" {
  storage_encrypted = true
}

resource "aws_db_instance" "d" {
  storage_encrypted = var.encrypted
}
"#;
    let (findings, results) = lint(RDS, &[("main.tf", tf)]);
    assert_eq!(
        findings,
        [
            ("main.tf".into(), 1, "high|`aws_db_instance.a` is unencrypted (false)".into()),
            ("main.tf".into(), 6, "high|`aws_db_instance.b` is unencrypted (false)".into()),
        ]
    );
    assert_eq!(results, [CheckResult::Fail, CheckResult::Fail, CheckResult::Pass, CheckResult::Unknown]);
}

#[test]
fn each_element_is_its_own_finding_with_case_severities() {
    let policy = r#"
id = "T-SG-001"
name = "sg"
title = "open"
severity = "critical"
criteria = ["CC6.6"]
message = "`{address}` is open to {value}"
target = "terraform"
resources = ["aws_security_group"]
[fail]
each = "ingress[*]"
where = { all = [
  { path = "cidr_blocks[*]", public_cidr = true },
  { any = [
    { ports = { from = "from_port", to = "to_port", protocol = "protocol" }, path = ".", covers_any = [22, 3389] },
    { ports = { from = "from_port", to = "to_port" }, path = ".", covers_any = [5432], severity = "high" },
  ] },
] }
"#;
    let tf = r#"resource "aws_security_group" "web" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]
  }
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["::/0"]
  }
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
"#;
    let (findings, results) = lint(policy, &[("sg.tf", tf)]);
    assert_eq!(
        findings,
        [
            ("sg.tf".into(), 12, "critical|`aws_security_group.web` is open to 0.0.0.0/0".into()),
            ("sg.tf".into(), 18, "critical|`aws_security_group.web` is open to ::/0".into()),
        ]
    );
    assert_eq!(results, [CheckResult::Fail]);
}

#[test]
fn relations_find_the_separate_resource_and_unknown_when_undecidable() {
    let policy = r#"
id = "T-S3-001"
name = "versioning"
title = "no versioning"
severity = "medium"
criteria = ["A1.2"]
message = "`{address}` is not versioned"
target = "terraform"
resources = ["aws_s3_bucket"]
[fail]
all = [
  { not = { path = "versioning.enabled", is_true = true } },
  { related = ["aws_s3_bucket_versioning"], via = "bucket", by = ["bucket"], exists = false, where = { path = "versioning_configuration.status", equals = "Enabled" } },
]
"#;
    let buckets = r#"resource "aws_s3_bucket" "covered" {
  bucket = "covered"
}

resource "aws_s3_bucket" "by_name" {
  bucket = "by-name"
}

resource "aws_s3_bucket" "suspended" {
  bucket = "suspended"
}

resource "aws_s3_bucket" "inline" {
  versioning {
    enabled = true
  }
}

resource "aws_s3_bucket" "bare" {
}
"#;
    let versioning = r#"resource "aws_s3_bucket_versioning" "covered" {
  bucket = aws_s3_bucket.covered.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "by_name" {
  bucket = "by-name"
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "suspended" {
  bucket = aws_s3_bucket.suspended.bucket
  versioning_configuration {
    status = "Suspended"
  }
}
"#;
    let (findings, _) = lint(policy, &[("buckets.tf", buckets), ("versioning.tf", versioning)]);
    assert_eq!(
        findings,
        [
            ("buckets.tf".into(), 9, "medium|`aws_s3_bucket.suspended` is not versioned".into()),
            ("buckets.tf".into(), 19, "medium|`aws_s3_bucket.bare` is not versioned".into()),
        ]
    );
    // A versioning resource whose bucket comes from a variable might cover any bucket.
    let unknown = r#"resource "aws_s3_bucket_versioning" "v" {
  bucket = var.bucket
  versioning_configuration {
    status = "Enabled"
  }
}
"#;
    let (findings, results) =
        lint(policy, &[("a.tf", "resource \"aws_s3_bucket\" \"x\" {\n}\n"), ("b.tf", unknown)]);
    assert!(findings.is_empty());
    assert_eq!(results, [CheckResult::Unknown]);
}

#[test]
fn kubernetes_views_and_selectors() {
    let policy = r#"
id = "T-K8S-001"
name = "pdb"
title = "no pdb"
severity = "low"
criteria = ["A1.2"]
message = "`{address}` has no PodDisruptionBudget"
target = "kubernetes"
resources = ["Deployment"]
[fail]
# `all` points where its first part points: the relation has no node, so the header.
all = [
  { related = ["PodDisruptionBudget"], via = "@selector", exists = false },
  { path = "spec.replicas", gt = 1, default = 1 },
]
"#;
    let manifests = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: web, tier: front}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: api}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api, namespace: other}
spec:
  selector:
    matchExpressions:
      - {key: app, operator: In, values: [api]}
";
    let (findings, _) = lint(policy, &[("k8s.yaml", manifests)]);
    assert_eq!(
        findings,
        [("k8s.yaml".into(), 11, "low|`Deployment/shop/api` has no PodDisruptionBudget".into())]
    );

    let containers = r#"
id = "T-K8S-002"
name = "run-as-root"
title = "root"
severity = "medium"
criteria = ["CC6.8"]
message = "a container of `{address}` may escalate"
target = "kubernetes"
resources = ["@workload"]
fail = { each = "@containers", where = { not = { path = "securityContext.allowPrivilegeEscalation", is_false = true } } }
"#;
    let pod = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: init
      image: a:1
      securityContext: {allowPrivilegeEscalation: false}
  containers:
    - name: app
      image: a:1
";
    let (findings, _) = lint(containers, &[("pod.yaml", pod)]);
    assert_eq!(
        findings,
        [("pod.yaml".into(), 10, "medium|a container of `Pod/default/p` may escalate".into())]
    );
}

#[test]
fn cloudformation_refs_and_tags_are_unknown_or_linked() {
    let policy = r#"
id = "T-CFN-001"
name = "cfn"
title = "cfn"
severity = "high"
criteria = ["C1.1"]
message = "`{address}` unencrypted"
target = "cloudformation"
resources = ["AWS::RDS::DBInstance"]
fail = { path = "Properties.StorageEncrypted", is_false = true, default = false }
"#;
    let template = "AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Encrypt: {Type: String, Default: 'true'}
  Unset: {Type: String}
Resources:
  Plain:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: mysql}
  FromParam:
    Type: AWS::RDS::DBInstance
    Properties:
      StorageEncrypted: !Ref Encrypt
  Explicit:
    Type: AWS::RDS::DBInstance
    Properties:
      StorageEncrypted: \"false\"
  FromUnsetParam:
    Type: AWS::RDS::DBInstance
    Properties:
      StorageEncrypted: !Ref Unset
";
    let (findings, results) = lint(policy, &[("t.yaml", template)]);
    assert_eq!(
        findings,
        [
            ("t.yaml".into(), 6, "high|`Plain` unencrypted".into()),
            ("t.yaml".into(), 16, "high|`Explicit` unencrypted".into())
        ]
    );
    // A parameter's default decides; a parameter without one leaves the value unknown.
    assert_eq!(results, [CheckResult::Fail, CheckResult::Pass, CheckResult::Fail, CheckResult::Unknown]);
}

fn error_of(policy: &str) -> (usize, String) {
    let e = compile("p.toml", policy).expect_err("must not compile");
    (e.line, e.message)
}

#[test]
fn malformed_policies_point_at_the_line() {
    let base = "id = \"T-X-001\"\nname = \"x\"\ntitle = \"x\"\nseverity = \"high\"\ncriteria = [\"CC6.1\"]\nmessage = \"m\"\ntarget = \"terraform\"\nresources = [\"aws_s3_bucket\"]\n";
    let (line, message) = error_of(&format!("{base}fail = {{ path = \"acl\", equal = \"x\" }}\n"));
    assert_eq!(line, 9);
    assert!(message.contains("did you mean `equals`"), "{message}");
    let (line, message) = error_of(&format!("{base}fail = {{ path = \"acl\", matches = \"(\" }}\n"));
    assert_eq!(line, 9);
    assert!(message.starts_with("bad regex"), "{message}");
    let (line, _) = error_of(&base.replace("terraform", "pulumi"));
    assert_eq!(line, 7);
    let (line, _) = error_of(&base.replace("\"high\"", "\"severe\""));
    assert_eq!(line, 4);
    let (line, _) = error_of(&base.replace("CC6.1", "CC6"));
    assert_eq!(line, 5);
    let (line, message) = error_of(&format!("{base}fail = {{ path = \"a\", equals = 1, in = [1] }}\n"));
    assert_eq!(line, 9);
    assert!(message.contains("exactly one test"), "{message}");
    let (line, _) = error_of(&format!("{base}fail = {{ path = \"a[\", exists = true }}\n"));
    assert_eq!(line, 9);
    let (line, _) = error_of("id = \"T-X-001\"\nname = [\n");
    assert_eq!(line, 2);
    let (_, message) = error_of(&format!("{base}bogus = 1\nfail = {{ path = \"a\", exists = true }}\n"));
    assert!(message.contains("unknown key `bogus`"));
    let (_, message) = error_of(
        &base
            .replace("message = \"m\"", "message = \"{nope}\"")
            .replace("resources", "fail = { path = \"a\", exists = true }\nresources"),
    );
    assert!(message.contains("unknown placeholder"), "{message}");
}
