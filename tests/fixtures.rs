//! The fixture suite: for every rule, lint `fixtures/<RULE-ID>/` with only that rule and
//! compare the exact set of (rule, file, line) found with the set annotated in the files.
//!
//! Annotations: `expect: RULE-ID` in a comment on the line where a finding must point;
//! `expect-next-line: RULE-ID` in a comment on the line above it (for formats where a
//! trailing comment is impossible, such as Dockerfile instructions); or a sidecar file
//! `<file>.expect` with `<line> <RULE-ID>` lines (JSON, block scalars).

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use support::{code, json, root, run_in, triples};

type Expectation = (String, String, u64);

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// Every annotated expectation in one fixture file (see `trustlint_engine::expect`).
fn expectations(path: &Path) -> Vec<Expectation> {
    let file = rel(path);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    match file.strip_suffix(".expect") {
        Some(target) => trustlint_engine::expect::sidecar(&text)
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .into_iter()
            .map(|(id, line)| (id, target.to_string(), line as u64))
            .collect(),
        None => trustlint_engine::expect::inline(&text)
            .into_iter()
            .map(|(id, line)| (id, file.clone(), line as u64))
            .collect(),
    }
}

fn rule_ids() -> Vec<String> {
    let output = run_in(&root(), &["rules", "--format", "json"]);
    assert_eq!(code(&output), 0);
    json(&output)
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn every_rule_has_failing_and_passing_fixtures_and_finds_exactly_what_is_annotated() {
    let fixtures = root().join("fixtures");
    let mut problems = Vec::new();
    for id in rule_ids() {
        let dir = fixtures.join(&id);
        if !dir.is_dir() {
            problems.push(format!("{id}: no fixtures/{id}/ directory"));
            continue;
        }
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        files.sort();
        let mut expected: BTreeSet<Expectation> = BTreeSet::new();
        let mut failing = 0;
        let mut passing = 0;
        let sidecars: BTreeSet<String> = files
            .iter()
            .map(|f| rel(f))
            .filter_map(|f| f.strip_suffix(".expect").map(str::to_string))
            .collect();
        for file in &files {
            let annotations = expectations(file);
            let name = rel(file);
            if name.ends_with(".expect") {
                expected.extend(annotations);
                continue;
            }
            let own: Vec<_> = annotations.into_iter().filter(|(rule, _, _)| *rule == id).collect();
            if own.is_empty() && !sidecars.contains(&name) {
                passing += 1;
            } else {
                failing += 1;
            }
            expected.extend(own);
        }
        expected.retain(|(rule, _, _)| *rule == id);
        if failing == 0 {
            problems.push(format!("{id}: no failing fixture (a file with an `expect: {id}` annotation)"));
        }
        if passing == 0 {
            problems.push(format!("{id}: no passing fixture (a file without annotations)"));
        }
        let dir_arg = rel(&dir);
        // The whole pack runs, as for users; only this rule's findings are compared.
        let output = run_in(&root(), &["lint", &dir_arg, "--format", "json", "--fail-on", "never"]);
        if code(&output) != 0 {
            problems.push(format!(
                "{id}: exit code {} ({})",
                code(&output),
                String::from_utf8_lossy(&output.stderr)
            ));
            continue;
        }
        let found: BTreeSet<Expectation> =
            triples(&json(&output)).into_iter().filter(|(rule, _, _)| *rule == id).collect();
        for missing in expected.difference(&found) {
            problems.push(format!("{id}: expected but not found: {}:{} {}", missing.1, missing.2, missing.0));
        }
        for extra in found.difference(&expected) {
            problems.push(format!("{id}: found but not expected: {}:{} {}", extra.1, extra.2, extra.0));
        }
    }
    assert!(problems.is_empty(), "fixture problems:\n{}", problems.join("\n"));
}
