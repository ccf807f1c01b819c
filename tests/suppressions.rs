//! Suppressions end to end: each form silences exactly its finding, an expired one does not
//! and says so, and `--no-inline-suppressions` reports everything.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::path::Path;

use support::{code, json, run_in};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const PODS: &str = "apiVersion: v1
kind: Pod
metadata:
  name: trailing
spec:
  containers:
    - name: app
      image: nginx:1.27.2
      securityContext:
        privileged: true # trustlint:ignore TL-K8S-001 -- node agent (SEC-1)
---
apiVersion: v1
kind: Pod
metadata:
  name: above
spec:
  containers:
    - name: app
      image: nginx:1.27.2
      securityContext:
        # trustlint:ignore TL-K8S -- reviewed in SEC-2
        privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: annotated
  annotations:
    trustlint.io/ignore: \"TL-K8S-001 -- debugging pod\"
spec:
  containers:
    - name: app
      image: nginx:1.27.2
      securityContext:
        privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: expired
spec:
  containers:
    - name: app
      image: nginx:1.27.2
      securityContext:
        privileged: true # trustlint:ignore TL-K8S-001 expires=2020-01-31 -- until the migration
---
apiVersion: v1
kind: Pod
metadata:
  name: open
spec:
  containers:
    - name: app
      image: nginx:1.27.2
      securityContext:
        privileged: true
";

const TERRAFORM: &str = r#"# trustlint:ignore TL-AWS-029 expires=2999-12-31 -- encrypted by the storage layer (SEC-9)
resource "aws_db_instance" "head" {
  engine = "postgres"
}

resource "aws_db_instance" "open" {
  engine = "postgres"
}
"#;

fn rule_lines(value: &serde_json::Value, rule: &str) -> Vec<(u64, bool)> {
    value["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| (f["line"].as_u64().expect("line"), !f["suppressed"].is_null()))
        .collect()
}

#[test]
fn each_form_silences_exactly_its_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "pods.yaml", PODS);
    write(dir.path(), "db/main.tf", TERRAFORM);
    write(
        dir.path(),
        "app/Dockerfile",
        "# trustlint:ignore-file TL-DOCKER -- scratch image for tests\nFROM alpine:3.20\nRUN echo hi\n",
    );
    let output = run_in(
        dir.path(),
        &["lint", ".", "--format", "json", "--select", "TL-K8S-001,TL-AWS-029,TL-DOCKER-001,TL-META"],
    );
    assert_eq!(code(&output), 1);
    let value = json(&output);
    // Suppressed findings stay in the JSON, marked; the expired and the open one are reported.
    assert_eq!(
        rule_lines(&value, "TL-K8S-001"),
        [(10, true), (22, true), (35, true), (46, false), (57, false)]
    );
    assert_eq!(rule_lines(&value, "TL-AWS-029"), [(2, true), (6, false)]);
    assert_eq!(rule_lines(&value, "TL-DOCKER-001"), [(2, true)]);
    assert!(rule_lines(&value, "TL-META-001").is_empty() && rule_lines(&value, "TL-META-002").is_empty());
    let findings = value["findings"].as_array().expect("findings");
    let expired =
        findings.iter().find(|f| f["rule"] == "TL-K8S-001" && f["line"] == 46).expect("expired finding");
    assert!(expired["message"].as_str().is_some_and(|m| m.contains("suppression expired on 2020-01-31")));
    let head = findings.iter().find(|f| f["rule"] == "TL-AWS-029" && f["line"] == 2).expect("head finding");
    assert_eq!(
        head["suppressed"],
        serde_json::json!({"kind": "inline", "reason": "encrypted by the storage layer (SEC-9)", "expires": "2999-12-31"})
    );
    assert_eq!(value["summary"]["suppressed"], 5);
    assert_eq!(value["summary"]["findings"], 3);

    // Audits see everything.
    let audit = json(&run_in(
        dir.path(),
        &["lint", ".", "--format", "json", "--no-inline-suppressions", "--select", "TL-K8S-001,TL-META"],
    ));
    assert_eq!(rule_lines(&audit, "TL-K8S-001").iter().filter(|(_, s)| *s).count(), 0);
    assert_eq!(rule_lines(&audit, "TL-K8S-001").len(), 5);
}

#[test]
fn reasonless_and_unused_suppressions_are_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "main.tf",
        "resource \"aws_db_instance\" \"a\" { # trustlint:ignore TL-AWS-029\n  engine = \"mysql\"\n}\n\n# trustlint:ignore TL-AWS-029 -- stale\nresource \"aws_db_instance\" \"b\" {\n  storage_encrypted = true\n}\n",
    );
    let value =
        json(&run_in(dir.path(), &["lint", ".", "--format", "json", "--select", "TL-AWS-029,TL-META"]));
    assert_eq!(rule_lines(&value, "TL-AWS-029"), [(1, true)]);
    assert_eq!(rule_lines(&value, "TL-META-001"), [(1, false)]);
    assert_eq!(rule_lines(&value, "TL-META-002"), [(5, false)]);
    // A suppression naming a rule that did not run is not called unused.
    let value = json(&run_in(dir.path(), &["lint", ".", "--format", "json", "--select", "TL-META"]));
    assert!(rule_lines(&value, "TL-META-002").is_empty());
}
