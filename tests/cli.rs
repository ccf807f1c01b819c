//! End-to-end tests of the `trustlint` binary: exit codes, formats, selection, config,
//! determinism, malformed input and closed pipes.

mod support;

use std::io::Read as _;
use std::path::Path;
use std::process::Stdio;

use support::{bin, code, json, root, run_in, triples};

/// A pod whose one defect is `privileged: true` (line 10): everything else the Kubernetes
/// rules ask for is set, so TL-K8S-001 is its only finding.
const PRIVILEGED_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: débogage
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0.0@sha256:0f2f2e1b8c4d6a7e9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6
      securityContext:
        privileged: true
        runAsNonRoot: true
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
      livenessProbe: {tcpSocket: {port: 8080}}
      readinessProbe: {tcpSocket: {port: 8080}}
      resources:
        requests: {cpu: 100m, memory: 64Mi}
        limits: {cpu: 200m, memory: 64Mi}
";

/// A service whose one defect is `network_mode: host` (line 4): it restarts and has a
/// health check, so TL-COMPOSE-002 is its only finding.
const HOST_COMPOSE: &str = "services:
  agent:
    image: registry.example.com/agent:2.0.0
    network_mode: host
    restart: unless-stopped
    healthcheck:
      test: [\"CMD\", \"agent\", \"health\"]
";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git marker");
    write(dir.path(), "k8s/pod.yaml", PRIVILEGED_POD);
    write(dir.path(), "docker-compose.yml", HOST_COMPOSE);
    dir
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn exit_codes() {
    let dir = repo();
    assert_eq!(code(&run_in(dir.path(), &["lint", "."])), 1, "findings fail the run");
    assert_eq!(code(&run_in(dir.path(), &["lint", ".", "--fail-on", "critical"])), 1);
    assert_eq!(code(&run_in(dir.path(), &["lint", ".", "--fail-on", "never"])), 0);
    assert_eq!(
        code(&run_in(dir.path(), &["lint", "docker-compose.yml", "--fail-on", "critical"])),
        0,
        "high < critical"
    );
    let clean = tempfile::tempdir().expect("tempdir");
    write(clean.path(), "notes.txt", "nothing to see\n");
    assert_eq!(code(&run_in(clean.path(), &["lint"])), 0);
    assert_eq!(code(&run_in(dir.path(), &["lint", "missing-dir"])), 2);
    assert_eq!(code(&run_in(dir.path(), &["lint", ".", "--select", "TL-NOPE"])), 2);
    assert_eq!(code(&run_in(dir.path(), &["lint", ".", "--format", "yaml"])), 2);
    assert_eq!(code(&run_in(dir.path(), &["explain", "TL-NOPE-999"])), 2);
}

#[test]
fn json_follows_the_contract() {
    let dir = repo();
    let value = json(&run_in(dir.path(), &["lint", ".", "--format", "json"]));
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["tool"]["name"], "trustlint");
    assert_eq!(value["summary"]["files"], 2);
    assert_eq!(value["summary"]["findings"], 2);
    assert_eq!(value["summary"]["by_severity"]["critical"], 1);
    assert_eq!(value["summary"]["by_severity"]["high"], 1);
    let findings = value["findings"].as_array().expect("array");
    // Sorted by file: docker-compose.yml before k8s/pod.yaml.
    let first = &findings[0];
    assert_eq!(first["rule"], "TL-COMPOSE-002");
    assert_eq!(first["file"], "docker-compose.yml");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(4), Some(19)));
    assert_eq!((first["end_line"].as_u64(), first["end_column"].as_u64()), (Some(4), Some(23)));
    assert_eq!(first["resource"], "services.agent");
    let second = &findings[1];
    assert_eq!(second["rule"], "TL-K8S-001");
    assert_eq!(second["name"], "privileged-container");
    assert_eq!(second["severity"], "critical");
    assert_eq!(second["criteria"], serde_json::json!(["CC6.1", "CC6.8"]));
    assert_eq!(second["file"], "k8s/pod.yaml");
    assert_eq!((second["line"].as_u64(), second["column"].as_u64()), (Some(10), Some(21)));
    assert_eq!(second["resource"], "Pod/default/débogage");
    assert!(second["help"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(second["fingerprint"].as_str().is_some_and(|f| f.len() == 16));
    assert!(second["suppressed"].is_null());
}

#[test]
fn concise_and_human_formats() {
    let dir = repo();
    let concise = stdout(&run_in(dir.path(), &["lint", ".", "--format", "concise"]));
    assert_eq!(
        concise,
        "docker-compose.yml:4:19: TL-COMPOSE-002 [high] `services.agent` shares the host's namespace (`network_mode: host`)\n\
         k8s/pod.yaml:10:21: TL-K8S-001 [critical] container `app` of `Pod/default/débogage` runs privileged\n"
    );
    let human = stdout(&run_in(dir.path(), &["lint", "."]));
    assert!(human.contains("critical[TL-K8S-001]: container `app`"), "{human}");
    assert!(human.contains("k8s/pod.yaml:10:21"), "{human}");
    assert!(human.contains("privileged: true"), "source excerpt: {human}");
    assert!(human.contains("criteria: CC6.1, CC6.8"), "{human}");
    assert!(human.contains("2 files, 2 resources: 2 findings (1 critical, 1 high)"), "{human}");
    assert!(!human.contains('\u{1b}'), "no colour when not on a terminal");
}

#[test]
fn select_ignore_and_criteria() {
    let dir = repo();
    let rules = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["lint", ".", "--format", "json"];
        all.extend_from_slice(args);
        triples(&json(&run_in(dir.path(), &all))).into_iter().map(|t| t.0).collect()
    };
    assert_eq!(rules(&["--select", "TL-K8S"]), ["TL-K8S-001"]);
    assert_eq!(rules(&["--select", "TL-K8S-001,TL-COMPOSE-002"]).len(), 2);
    assert_eq!(rules(&["--ignore", "TL-K8S"]), ["TL-COMPOSE-002"]);
    assert_eq!(rules(&["--criteria", "CC6.8"]), ["TL-K8S-001"]);
    assert_eq!(rules(&["--criteria", "CC6"]).len(), 2);
}

#[test]
fn config_file_selects_and_errors_point_at_the_line() {
    let dir = repo();
    write(dir.path(), "trustlint.toml", "[lint]\nignore = [\"TL-COMPOSE\"]\nexclude = [\"vendor/**\"]\n");
    write(dir.path(), "vendor/pod.yaml", PRIVILEGED_POD);
    let found = triples(&json(&run_in(dir.path(), &["lint", ".", "--format", "json"])));
    assert_eq!(found, [("TL-K8S-001".to_string(), "k8s/pod.yaml".to_string(), 10)]);

    write(dir.path(), "trustlint.toml", "[lint]\nselect = [\"TL-K8S\"]\nfail_on = \"high\"\n");
    let output = run_in(dir.path(), &["lint", "."]);
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown field `fail_on`"), "{stderr}");
    assert!(stderr.contains("trustlint.toml:3:1"), "points at line 3: {stderr}");

    write(dir.path(), "trustlint.toml", "[lint]\nselect = [\"TL-K8S\"]\nfail-on = \"critical\"\n");
    assert_eq!(code(&run_in(dir.path(), &["lint", "."])), 1);
    assert_eq!(
        code(&run_in(dir.path(), &["lint", ".", "--select", "TL-COMPOSE"])),
        0,
        "high < critical from config"
    );
}

#[test]
fn malformed_files_are_reported_and_the_scan_goes_on() {
    let dir = repo();
    write(dir.path(), "k8s/broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n");
    let output = run_in(dir.path(), &["lint", ".", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let found = triples(&json(&output));
    let rules: Vec<&str> = found.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(rules, ["TL-COMPOSE-002", "TL-K8S-001", "TL-PARSE-001"]);
    assert_eq!((found[2].1.as_str(), found[2].2), ("k8s/broken.yaml", 3));
    // Parse failures alone fail the run unless allowed.
    let only_broken = run_in(dir.path(), &["lint", "k8s/broken.yaml"]);
    assert_eq!(code(&only_broken), 1);
    assert_eq!(code(&run_in(dir.path(), &["lint", "k8s/broken.yaml", "--allow-parse-errors"])), 0);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let fixtures = root().join("fixtures");
    let fixtures = fixtures.to_string_lossy();
    let one = run_in(&root(), &["lint", &fixtures, "--format", "json", "--jobs", "1"]);
    let four = run_in(&root(), &["lint", &fixtures, "--format", "json", "--jobs", "4"]);
    assert_eq!(code(&one), 1);
    assert!(!triples(&json(&one)).is_empty());
    assert_eq!(one.stdout, four.stdout);
}

#[test]
fn output_file_is_written_whole() {
    let dir = repo();
    let out = dir.path().join("reports/out.json");
    std::fs::create_dir_all(out.parent().expect("parent")).expect("mkdir");
    let output = run_in(dir.path(), &["lint", ".", "--format", "json", "--output", "reports/out.json"]);
    assert_eq!(code(&output), 1);
    assert!(output.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("json");
    assert_eq!(written["summary"]["findings"], 2);
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().expect("parent"))
        .expect("list")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = repo();
    for i in 0..1000 {
        write(dir.path(), &format!("many/pod{i}.yaml"), PRIVILEGED_POD);
    }
    let mut child = bin()
        .args(["lint", ".", "--format", "concise"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 16];
    child.stdout.take().expect("stdout").read_exact(&mut first).expect("some output");
    // Dropping our end closes the pipe while trustlint is still writing.
    let status = child.wait().expect("wait");
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr");
    assert!(status.code().is_some_and(|c| c == 0 || c == 1), "{status:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn rules_and_explain() {
    let listing = json(&run_in(&root(), &["rules", "--format", "json"]));
    let rules = listing.as_array().expect("array");
    let k8s = rules.iter().find(|r| r["id"] == "TL-K8S-001").expect("listed");
    for key in [
        "id",
        "name",
        "title",
        "severity",
        "criteria",
        "platform",
        "targets",
        "resources",
        "references",
        "description",
    ] {
        assert!(!k8s[key].is_null(), "{key} present");
    }
    assert_eq!(k8s["platform"], "k8s");
    assert_eq!(k8s["targets"], serde_json::json!(["kubernetes"]));
    let explained = stdout(&run_in(&root(), &["explain", "TL-K8S-001"]));
    assert!(explained.contains("## TL-K8S-001"));
    assert!(explained.contains("### Why it matters"));
    let by_name = stdout(&run_in(&root(), &["explain", "privileged-container"]));
    assert_eq!(explained, by_name);
}
