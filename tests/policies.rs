//! Users' own policies, end to end: loaded from a directory, reporting on a repository,
//! malformed ones refused with the line, and `test-policies` running their fixtures.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::path::Path;

use support::{code, json, run_in, triples};

/// Written from docs/policies.md alone: a compose policy with `each`-free paths and a
/// Terraform policy with a default and graded cases.
const COMPOSE_POLICY: &str = r#"
id = "ACME-COMPOSE-001"
name = "no-latest-redis"
title = "Redis must be pinned"
severity = "medium"
criteria = ["CC8.1"]
message = "service `{address}` runs `{value}`"
help = "Pin the redis image."
target = "compose"
resources = ["service"]
fail = { path = "image", matches = "^redis(:latest)?$" }
"#;

const TF_POLICY: &str = r#"
id = "ACME-TF-001"
name = "bucket-logging"
title = "Buckets must name an owner"
severity = "low"
criteria = ["CC6.1"]
message = "`{address}` has no owner tag"
help = "Add `tags.owner`."
target = "terraform"
resources = ["aws_s3_bucket"]
fail = { any = [
  { path = "tags.owner", missing = true },
  { path = "tags.owner", equals = "nobody", ignore_case = true, severity = "high", message = "`{address}` is owned by {value}" },
] }
"#;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(repo.path().join(".git")).expect("git marker");
    write(
        repo.path(),
        "docker-compose.yml",
        "services:\n  cache:\n    image: redis\n  db:\n    image: postgres:16.4\n",
    );
    write(
        repo.path(),
        "infra/main.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  tags = {\n    owner = \"Nobody\"\n  }\n}\n\nresource \"aws_s3_bucket\" \"c\" {\n  tags = { owner = \"team-data\" }\n}\n",
    );
    repo
}

#[test]
fn user_policies_report_like_built_ins() {
    let repo = repository();
    let policies = tempfile::tempdir().expect("tempdir");
    write(policies.path(), "compose.toml", COMPOSE_POLICY);
    write(policies.path(), "nested/tf.toml", TF_POLICY);
    let dir = policies.path().to_string_lossy().into_owned();
    let output =
        run_in(repo.path(), &["lint", ".", "--policies", &dir, "--select", "ACME", "--format", "json"]);
    assert_eq!(code(&output), 1, "{}", String::from_utf8_lossy(&output.stderr));
    let value = json(&output);
    assert_eq!(
        triples(&value),
        [
            ("ACME-COMPOSE-001".to_string(), "docker-compose.yml".to_string(), 3),
            ("ACME-TF-001".to_string(), "infra/main.tf".to_string(), 1),
            ("ACME-TF-001".to_string(), "infra/main.tf".to_string(), 7),
        ]
    );
    let messages: Vec<&str> =
        value["findings"].as_array().expect("array").iter().filter_map(|f| f["message"].as_str()).collect();
    assert!(messages.contains(&"service `services.cache` runs `redis`"), "{messages:?}");
    assert!(messages.contains(&"`aws_s3_bucket.b` is owned by Nobody"), "{messages:?}");
    let severities: Vec<&str> =
        value["findings"].as_array().expect("array").iter().filter_map(|f| f["severity"].as_str()).collect();
    assert_eq!(severities, ["medium", "low", "high"]);

    // The same directory named in trustlint.toml.
    write(
        repo.path(),
        "trustlint.toml",
        &format!("[lint]\npolicies = [{dir:?}]\nselect = [\"ACME-COMPOSE\"]\n"),
    );
    let output = run_in(repo.path(), &["lint", ".", "--format", "json"]);
    assert_eq!(triples(&json(&output)).len(), 1);
}

#[test]
fn a_malformed_policy_exits_2_naming_the_line() {
    let repo = repository();
    let policies = tempfile::tempdir().expect("tempdir");
    let broken = TF_POLICY.replace("missing = true", "mising = true");
    write(policies.path(), "tf.toml", &broken);
    let dir = policies.path().to_string_lossy().into_owned();
    let output = run_in(repo.path(), &["lint", ".", "--policies", &dir]);
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = broken.lines().position(|l| l.contains("mising")).expect("line") + 1;
    assert!(stderr.contains(&format!("tf.toml:{line}:")), "names the line {line}: {stderr}");
    assert!(stderr.contains("unknown key `mising`"), "{stderr}");

    // A duplicate of a built-in id is refused too.
    write(policies.path(), "tf.toml", &TF_POLICY.replace("ACME-TF-001", "TL-K8S-001"));
    let output = run_in(repo.path(), &["lint", ".", "--policies", &dir]);
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("already used"));
}

#[test]
fn test_policies_runs_fixtures() {
    let policies = tempfile::tempdir().expect("tempdir");
    write(policies.path(), "compose.toml", COMPOSE_POLICY);
    write(
        policies.path(),
        "fixtures/ACME-COMPOSE-001/fail/compose.yaml",
        "services:\n  cache:\n    image: redis:latest # expect: ACME-COMPOSE-001\n",
    );
    write(
        policies.path(),
        "fixtures/ACME-COMPOSE-001/pass/compose.yaml",
        "services:\n  cache:\n    image: redis:7.4\n",
    );
    let dir = policies.path().to_string_lossy().into_owned();
    let output = run_in(policies.path(), &["test-policies", &dir]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(code(&output), 0, "{stdout}");
    assert!(stdout.contains("PASS ACME-COMPOSE-001"), "{stdout}");
    assert!(stdout.ends_with("1 passed, 0 failed\n"), "{stdout}");

    // A wrong annotation fails the run and says where.
    write(
        policies.path(),
        "fixtures/ACME-COMPOSE-001/pass/compose.yaml",
        "services:\n  cache:\n    image: redis\n",
    );
    let output = run_in(policies.path(), &["test-policies", &dir]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(code(&output), 1, "{stdout}");
    assert!(stdout.contains("found but not expected"), "{stdout}");
    assert!(stdout.contains("pass/compose.yaml:3"), "{stdout}");
}
