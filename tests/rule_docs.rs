//! Every rule carries its documentation, criteria, severity and references, and the
//! generated rule reference (`docs/rules.md`) is up to date.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use support::{code, json, root, run_in};

const SECTIONS: [&str; 5] =
    ["## What it checks", "## Why it matters", "## Failing example", "## Passing example", "## Fix"];

#[test]
fn every_rule_is_documented() {
    let output = run_in(&root(), &["rules", "--format", "json"]);
    assert_eq!(code(&output), 0);
    let rules = json(&output);
    let mut problems = Vec::new();
    for rule in rules.as_array().expect("array") {
        let id = rule["id"].as_str().expect("id");
        let description = rule["description"].as_str().unwrap_or_default();
        let sections: &[&str] = if id == "TL-PARSE-001" { &SECTIONS[..2] } else { &SECTIONS };
        for section in sections {
            if !description.contains(section) {
                problems.push(format!("{id}: description lacks `{section}`"));
            }
        }
        if rule["criteria"].as_array().is_none_or(|c| c.is_empty()) {
            problems.push(format!("{id}: no criteria"));
        }
        for key in ["title", "name", "severity", "help"] {
            if rule[key].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{id}: no {key}"));
            }
        }
        if !rule["references"].is_object() {
            problems.push(format!("{id}: no references"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_rule_reference_is_up_to_date() {
    let output = run_in(&root(), &["rules", "--format", "markdown"]);
    assert_eq!(code(&output), 0);
    let generated = String::from_utf8_lossy(&output.stdout);
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    if generated != committed {
        panic!(
            "docs/rules.md is stale: regenerate it with `cargo run -- rules --format markdown > docs/rules.md`"
        );
    }
}
