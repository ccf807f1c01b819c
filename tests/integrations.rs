//! The integrations: `init`, shell completions, named files (what pre-commit passes) linted
//! with their module, the progress line kept off pipes, and the real `pre-commit` tool
//! running this repository's hooks in a scratch git repository.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{bin, code, json, root, run_in, triples};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A bucket whose versioning is a separate resource in another file of the module.
const BUCKET: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"#;

const VERSIONING: &str = r#"resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}
"#;

/// A pod that runs privileged (TL-K8S-001 on line 8).
const PRIVILEGED_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: app
      securityContext: {privileged: true}
      image: registry.example.com/app:1.0.0
";

fn module_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git marker");
    write(dir.path(), "infra/bucket.tf", BUCKET);
    write(dir.path(), "infra/versioning.tf", VERSIONING);
    dir
}

fn rules_of(output: &Output) -> Vec<(String, String, u64)> {
    triples(&json(output))
}

#[test]
fn init_writes_a_config_that_loads_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git marker");
    let first = run_in(dir.path(), &["init"]);
    assert_eq!(code(&first), 0, "{}", text(&first.stderr));
    let written = std::fs::read_to_string(dir.path().join("trustlint.toml")).expect("written");
    assert!(written.contains("fail-on = \"low\""), "{written}");

    // The starter loads, both found from the scan root and named with --config.
    write(dir.path(), "k8s/pod.yaml", PRIVILEGED_POD);
    for args in [
        &["lint", "--format", "json", "."][..],
        &["lint", "--format", "json", "--config", "trustlint.toml", "."],
    ] {
        let lint = run_in(dir.path(), args);
        assert_eq!(code(&lint), 1, "{}", text(&lint.stderr));
        assert!(rules_of(&lint).iter().any(|(rule, _, _)| rule == "TL-K8S-001"));
    }

    std::fs::write(dir.path().join("trustlint.toml"), "[lint]\nfail-on = \"never\"\n").expect("edit");
    let again = run_in(dir.path(), &["init"]);
    assert_eq!(code(&again), 2);
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));
    let kept = std::fs::read_to_string(dir.path().join("trustlint.toml")).expect("kept");
    assert_eq!(kept, "[lint]\nfail-on = \"never\"\n");

    let forced = run_in(dir.path(), &["init", "--force"]);
    assert_eq!(code(&forced), 0);
    assert_eq!(std::fs::read_to_string(dir.path().join("trustlint.toml")).expect("read"), written);
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = bin().args(["completions", shell]).output().expect("runs");
        assert_eq!(code(&output), 0, "{shell}: {}", text(&output.stderr));
        let script = text(&output.stdout);
        // fish writes long options without their dashes (`-l fail-on`).
        assert!(script.contains("lint") && script.contains("fail-on"), "{shell}: {script}");
    }
    let unknown = bin().args(["completions", "tcsh"]).output().expect("runs");
    assert_eq!(code(&unknown), 2);
}

#[test]
fn a_named_terraform_file_is_judged_with_its_module() {
    let repo = module_repo();
    let named =
        run_in(repo.path(), &["lint", "--format", "json", "--select", "TL-AWS-021", "infra/bucket.tf"]);
    assert_eq!(code(&named), 0, "the versioning resource beside it counts: {}", text(&named.stdout));
    assert_eq!(json(&named)["summary"]["files"], 1, "context files are not counted as linted");

    // Without the versioning file the same bucket is reported: the rule is in force.
    std::fs::remove_file(repo.path().join("infra/versioning.tf")).expect("remove");
    let alone =
        run_in(repo.path(), &["lint", "--format", "json", "--select", "TL-AWS-021", "infra/bucket.tf"]);
    assert_eq!(code(&alone), 1);
    assert_eq!(rules_of(&alone), [("TL-AWS-021".to_string(), "infra/bucket.tf".to_string(), 1)]);
}

#[test]
fn only_the_named_files_findings_are_reported() {
    let repo = module_repo();
    write(
        repo.path(),
        "infra/other.tf",
        "resource \"aws_s3_bucket\" \"other\" {\n  bucket = \"acme-other\"\n}\n",
    );
    let named =
        run_in(repo.path(), &["lint", "--format", "json", "--select", "TL-AWS-021", "infra/versioning.tf"]);
    assert_eq!(code(&named), 0, "{}", text(&named.stdout));
    let both = run_in(
        repo.path(),
        &["lint", "--format", "json", "--select", "TL-AWS-021", "infra/versioning.tf", "infra/other.tf"],
    );
    assert_eq!(rules_of(&both), [("TL-AWS-021".to_string(), "infra/other.tf".to_string(), 1)]);
}

#[test]
fn a_named_file_is_linted_even_when_ignored() {
    let repo = module_repo();
    write(repo.path(), ".gitignore", "infra/\n");
    write(repo.path(), ".trustlintignore", "*.tf\n");
    let walked = run_in(repo.path(), &["lint", "--format", "json", "--exclude", "infra/**", "."]);
    assert_eq!(json(&walked)["summary"]["files"], 2, "only the ignore files are read");
    let named =
        run_in(repo.path(), &["lint", "--format", "json", "--exclude", "infra/**", "infra/bucket.tf"]);
    assert_eq!(json(&named)["summary"]["files"], 1);
    assert!(rules_of(&named).iter().any(|(rule, file, _)| rule == "TL-AWS-002" && file == "infra/bucket.tf"));
}

#[cfg(unix)]
#[test]
fn a_named_link_out_of_the_repository_is_not_read() {
    let outer = tempfile::tempdir().expect("tempdir");
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("git marker");
    write(outer.path(), "private/main.tf", BUCKET);
    write(&repo, "infra/bucket.tf", BUCKET);
    std::os::unix::fs::symlink(outer.path().join("private/main.tf"), repo.join("infra/linked.tf"))
        .expect("link");
    let output = run_in(&repo, &["lint", "--format", "json", "--select", "TL-AWS-021", "infra/linked.tf"]);
    assert_eq!(code(&output), 0, "{}", text(&output.stdout));
    let value = json(&output);
    assert_eq!(value["summary"]["files"], 0);
    let human = run_in(&repo, &["lint", "infra/linked.tf"]);
    assert!(
        text(&human.stdout).contains("infra/linked.tf: a symbolic link that leads out of the repository")
    );
}

#[test]
fn no_progress_line_off_a_terminal() {
    // Long enough in a debug build to pass the progress delay; stderr is a pipe here.
    let output = run_in(&root(), &["lint", "--format", "concise", "fixtures"]);
    assert_eq!(code(&output), 1);
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("scanning:") && !stderr.contains('\r'), "{stderr}");
}

/// How to run pre-commit here, if it is installed.
fn pre_commit() -> Option<Vec<String>> {
    let candidates: [&[&str]; 2] = [&["pre-commit"], &["python3", "-m", "pre_commit"]];
    candidates.iter().find_map(|argv| {
        let (program, rest) = argv.split_first()?;
        let ok = Command::new(program).args(rest).arg("--version").output().is_ok_and(|o| o.status.success());
        ok.then(|| argv.iter().map(|s| s.to_string()).collect())
    })
}

/// A command isolated from the user's git and pre-commit settings.
fn isolated(program: &str, home: &Path, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PRE_COMMIT_HOME", home.join("pre-commit-cache"))
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE");
    command
}

fn ok(output: &Output, what: &str) {
    assert!(output.status.success(), "{what}: {}\n{}", text(&output.stdout), text(&output.stderr));
}

/// This repository's hooks, as a `repo: local` configuration running the built binary:
/// the shipped entries, types and options, with `language: system` instead of building the
/// crate again.
fn local_config(manifest: &str, binary: &Path) -> String {
    // pre-commit splits the entry as a shell would: the path is quoted for that, and the
    // whole entry for YAML.
    let entry = format!("entry: \"'{}'", binary.display());
    let mut config = String::from("repos:\n  - repo: local\n    hooks:\n");
    for line in manifest.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let line = match trimmed.strip_prefix("entry: trustlint") {
            Some(rest) => format!("{indent}{entry}{rest}\""),
            None => line.replace("language: rust", "language: system"),
        };
        config.push_str("      ");
        config.push_str(&line);
        config.push('\n');
    }
    config
}

#[test]
fn pre_commit_blocks_a_violating_commit() {
    let Some(pre_commit) = pre_commit() else {
        eprintln!("skipped: pre-commit is not installed (python3 -m pip install pre-commit)");
        return;
    };
    let manifest_path = root().join(".pre-commit-hooks.yaml");
    let run_pre_commit = |home: &Path, dir: &Path, args: &[&str]| -> Output {
        let (program, rest) = pre_commit.split_first().expect("a program");
        isolated(program, home, dir).args(rest).args(args).output().expect("pre-commit runs")
    };
    let home = tempfile::tempdir().expect("tempdir");
    let repo = tempfile::tempdir().expect("tempdir");
    ok(
        &run_pre_commit(home.path(), repo.path(), &["validate-manifest", &manifest_path.to_string_lossy()]),
        "manifest",
    );

    let git = |args: &[&str]| -> Output {
        isolated("git", home.path(), repo.path()).args(args).output().expect("git runs")
    };
    ok(&git(&["init", "-q"]), "git init");
    for (key, value) in
        [("user.name", "Test"), ("user.email", "test@example.com"), ("commit.gpgsign", "false")]
    {
        ok(&git(&["config", key, value]), "git config");
    }
    let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_trustlint"));
    write(repo.path(), ".pre-commit-config.yaml", &local_config(&manifest, &binary));
    ok(&run_pre_commit(home.path(), repo.path(), &["validate-config", ".pre-commit-config.yaml"]), "config");
    ok(&run_pre_commit(home.path(), repo.path(), &["install"]), "pre-commit install");
    write(repo.path(), "trustlint.toml", "[lint]\nselect = [\"TL-AWS-021\", \"TL-K8S-001\"]\n");

    // A clean module commits.
    write(repo.path(), "infra/bucket.tf", BUCKET);
    write(repo.path(), "infra/versioning.tf", VERSIONING);
    ok(&git(&["add", "-A"]), "git add");
    ok(&git(&["commit", "-q", "-m", "clean module"]), "a clean commit");

    // Changing only the bucket's file: its versioning, in the unchanged file beside it, counts.
    write(repo.path(), "infra/bucket.tf", &BUCKET.replace("acme-logs", "acme-audit-logs"));
    ok(&git(&["commit", "-q", "-am", "rename the bucket"]), "a commit of one file of the module");

    // A privileged pod is refused, and nothing is committed.
    let count = || text(&git(&["rev-list", "--count", "HEAD"]).stdout).trim().to_string();
    assert_eq!(count(), "2");
    write(repo.path(), "k8s/pod.yaml", PRIVILEGED_POD);
    ok(&git(&["add", "-A"]), "git add");
    let blocked = git(&["commit", "-q", "-m", "debug pod"]);
    let said = format!("{}{}", text(&blocked.stdout), text(&blocked.stderr));
    assert!(!blocked.status.success(), "the commit went through: {said}");
    assert!(said.contains("TL-K8S-001") && said.contains("k8s/pod.yaml"), "{said}");
    assert_eq!(count(), "2");
}
