//! Robustness on real repositories: lint every file of `../shared/corpus` (skipped with a
//! message where it is absent): no crash, no exit code 2, every parse failure located inside
//! its file, and the same bytes whatever the thread count.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use support::{code, json, root, run_in};
use trustlint_engine::lint::Linter;

fn corpus() -> Option<PathBuf> {
    let path = root().join("../shared/corpus");
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("skipped: ../shared/corpus is absent");
        None
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            files(&path, out);
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

#[test]
fn the_corpus_lints_without_errors_and_every_parse_failure_is_located() {
    let Some(corpus) = corpus() else { return };
    let output = run_in(&corpus, &["lint", ".", "--format", "json", "--jobs", "2"]);
    let status = code(&output);
    assert!(status == 0 || status == 1, "exit {status}: {}", String::from_utf8_lossy(&output.stderr));
    let report = json(&output);
    let findings = report["findings"].as_array().expect("findings");
    for finding in findings.iter().filter(|f| f["rule"] == "TL-PARSE-001") {
        let file = corpus.join(finding["file"].as_str().expect("file"));
        let text = std::fs::read_to_string(&file).expect("parse failures are text files");
        let lines = text.lines().count().max(1) as u64;
        let line = finding["line"].as_u64().expect("line");
        assert!(line >= 1 && line <= lines, "{file:?}: line {line} of {lines}");
        assert!(finding["column"].as_u64().is_some_and(|c| c >= 1));
    }
    let again = run_in(&corpus, &["lint", ".", "--format", "json", "--jobs", "1"]);
    assert_eq!(output.stdout, again.stdout, "output differs between --jobs 2 and --jobs 1");
}

#[test]
fn classification_of_the_corpus() {
    let Some(corpus) = corpus() else { return };
    let mut all = Vec::new();
    files(&corpus, &mut all);
    all.sort();
    // No rules: classification and parsing only, which is what this test counts.
    let linter = Linter::new(Vec::new(), true);
    let mut by_target: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for path in &all {
        let shown = path.strip_prefix(&corpus).unwrap_or(path).to_string_lossy().replace('\\', "/");
        let Ok(bytes) = std::fs::read(path) else { continue };
        let report = linter.lint(&shown, &bytes);
        let parsed = !report.findings.iter().any(|f| f.rule == "TL-PARSE-001");
        let key = report.target.map_or("other text", |t| t.as_str()).to_string();
        let entry = by_target.entry(key).or_default();
        entry.0 += 1;
        entry.1 += usize::from(parsed);
    }
    for (target, (classified, parsed)) in &by_target {
        eprintln!("{target:>15}: {classified:5} classified, {parsed:5} parsed");
    }
    for target in ["terraform", "kubernetes", "cloudformation", "compose", "github-actions", "dockerfile"] {
        assert!(
            by_target.get(target).is_some_and(|(n, _)| *n > 0),
            "no {target} file recognised in the corpus"
        );
    }
}
