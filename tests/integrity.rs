//! Determinism and integrity of a run: the same bytes whatever `--jobs` is, `--output` never
//! left half written (also when the run fails), and panics that unwind into exit code 2.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::path::{Path, PathBuf};

use support::{code, json, root, run_in};

/// A few corpus repositories of different formats (when `../shared/corpus` exists) and the
/// fixtures: enough to exercise every format, small enough for eight debug runs.
fn paths() -> Vec<PathBuf> {
    let mut paths = vec![root().join("fixtures")];
    let corpus = root().join("../shared/corpus");
    if corpus.is_dir() {
        for name in ["awesome-compose", "starter-workflows", "microservices-demo", "terraform-aws-s3-bucket"]
        {
            let path = corpus.join(name);
            if path.is_dir() {
                paths.push(path);
            }
        }
    } else {
        eprintln!("../shared/corpus is absent: the fixtures only");
    }
    paths
}

#[test]
fn output_is_byte_identical_for_every_thread_count() {
    let paths = paths();
    let mut args: Vec<String> = vec!["lint".into()];
    args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    args.extend(["--format".into(), "json".into(), "--fail-on".into(), "never".into()]);
    let mut first: Option<Vec<u8>> = None;
    for jobs in 1..=8 {
        let mut with_jobs = args.clone();
        with_jobs.extend(["--jobs".into(), jobs.to_string()]);
        let refs: Vec<&str> = with_jobs.iter().map(String::as_str).collect();
        let output = run_in(&root(), &refs);
        assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
        match &first {
            None => {
                let report = json(&output);
                assert!(report["findings"].as_array().is_some_and(|f| f.len() > 100));
                first = Some(output.stdout);
            }
            Some(expected) => assert!(expected == &output.stdout, "--jobs {jobs} differs from --jobs 1"),
        }
    }
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git marker");
    std::fs::write(dir.path().join("notes.txt"), "key AKIAQ3MZ7XW2RT6PL5NB\n").expect("write");
    dir
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_failed_run_leaves_the_previous_output_whole() {
    let dir = repo();
    let out = dir.path().join("report.json");
    std::fs::write(&out, "previous report\n").expect("write");

    // A configuration error: exit 2, the previous file untouched, nothing left behind.
    std::fs::write(dir.path().join("trustlint.toml"), "[lint]\nmax-findings-per-file = 0\n").expect("write");
    let output = run_in(dir.path(), &["lint", ".", "--format", "json", "--output", "report.json"]);
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("trustlint.toml:2:"), "located: {stderr}");
    assert!(stderr.contains("max-findings-per-file"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "previous report\n");
    assert!(leftovers(dir.path()).is_empty());

    // An output that cannot be written: exit 2 with a message, no temporary file left.
    std::fs::remove_file(dir.path().join("trustlint.toml")).expect("rm");
    let output = run_in(dir.path(), &["lint", ".", "--output", "missing-dir/report.json"]);
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing-dir/report.json"));
    assert!(leftovers(dir.path()).is_empty());

    // A successful run replaces the file whole.
    let output = run_in(dir.path(), &["lint", ".", "--format", "json", "--output", "report.json"]);
    assert_eq!(code(&output), 1);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("whole JSON");
    assert_eq!(written["summary"]["findings"], 1);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn panics_unwind_and_are_never_aborts() {
    // `panic = "abort"` would turn every bug into a signal and skip the exit code 2 that
    // `main` gives an unwinding panic.
    for manifest in ["Cargo.toml", "crates/engine/Cargo.toml", "crates/rules/Cargo.toml"] {
        let text = std::fs::read_to_string(root().join(manifest)).expect("manifest");
        let table: toml::Table = text.parse().expect("valid manifest");
        let profiles = table.get("profile").and_then(toml::Value::as_table);
        for (name, profile) in profiles.into_iter().flatten() {
            assert_ne!(
                profile.get("panic").and_then(toml::Value::as_str),
                Some("abort"),
                "{manifest}: profile {name} aborts on panic"
            );
        }
    }
}
