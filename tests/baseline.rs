//! Baselines end to end: recorded findings stay quiet when lines move, a new violation is
//! reported alone, and entries that no longer occur are listed.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::path::Path;

use support::{code, json, run_in, triples};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const TWO_DATABASES: &str = "resource \"aws_db_instance\" \"orders\" {\n  engine = \"postgres\"\n}\n\nresource \"aws_db_instance\" \"billing\" {\n  engine            = \"postgres\"\n  storage_encrypted = false\n}\n";

#[test]
fn a_baseline_reports_only_new_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "infra/main.tf", TWO_DATABASES);
    let select = ["--select", "TL-AWS-029"];
    let recorded = run_in(dir.path(), &["baseline", ".", "--output", "baseline.json", select[0], select[1]]);
    assert_eq!(code(&recorded), 0, "{}", String::from_utf8_lossy(&recorded.stderr));
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("baseline.json")).expect("written"))
            .expect("JSON");
    assert_eq!(file["entries"].as_array().map(Vec::len), Some(2));

    // Lines move (a comment and blank lines on top): nothing new.
    write(dir.path(), "infra/main.tf", &format!("# Databases of the shop.\n\n\n{TWO_DATABASES}"));
    let output = run_in(
        dir.path(),
        &["lint", ".", "--baseline", "baseline.json", "--format", "json", select[0], select[1]],
    );
    assert_eq!(code(&output), 0, "recorded findings do not fail the run");
    let value = json(&output);
    assert_eq!(value["summary"]["findings"], 0);
    assert_eq!(value["summary"]["suppressed"], 2);
    assert_eq!(value["findings"][0]["suppressed"]["kind"], "baseline");

    // A new violation is reported, alone.
    write(
        dir.path(),
        "infra/main.tf",
        &format!(
            "{TWO_DATABASES}\nresource \"aws_rds_cluster\" \"ledger\" {{\n  engine = \"aurora-postgresql\"\n}}\n"
        ),
    );
    let output = run_in(
        dir.path(),
        &["lint", ".", "--baseline", "baseline.json", "--format", "json", select[0], select[1]],
    );
    assert_eq!(code(&output), 1);
    let open: Vec<_> = json(&output)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| (f["file"].as_str().unwrap_or_default().to_string(), f["line"].as_u64().unwrap_or_default()))
        .collect();
    assert_eq!(open, [("infra/main.tf".to_string(), 10)]);

    // A fixed finding leaves a stale entry, listed so the baseline can shrink.
    write(
        dir.path(),
        "infra/main.tf",
        &TWO_DATABASES.replace("storage_encrypted = false", "storage_encrypted = true"),
    );
    let output = run_in(dir.path(), &["lint", ".", "--baseline", "baseline.json", select[0], select[1]]);
    assert_eq!(code(&output), 0);
    let human = String::from_utf8_lossy(&output.stdout);
    assert!(human.contains("no longer occurs"), "{human}");
    assert_eq!(
        triples(&json(&run_in(dir.path(), &["lint", ".", "--format", "json", select[0], select[1]]))).len(),
        1
    );

    // A file that is not a baseline is an error.
    write(dir.path(), "bad.json", "{\"entries\": 3}");
    assert_eq!(code(&run_in(dir.path(), &["lint", ".", "--baseline", "bad.json"])), 2);
}
