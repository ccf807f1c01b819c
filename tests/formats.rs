//! The pipeline formats: SARIF validated against the OASIS schema, JUnit parsed as XML,
//! GitHub annotations, the markdown summary, and several outputs from one run.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use support::{code, root, run_in};

fn lint_fixtures(format: &str) -> String {
    let output = run_in(&root(), &["lint", "fixtures", "--format", format, "--fail-on", "never"]);
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn sarif_of_the_fixtures_validates_against_the_schema() {
    let sarif: serde_json::Value = serde_json::from_str(&lint_fixtures("sarif")).expect("JSON");
    let schema_path = root().join("../shared/schemas/sarif-2.1.0.json");
    let Ok(schema_text) = std::fs::read_to_string(&schema_path) else {
        eprintln!("skipped schema validation: {} is absent", schema_path.display());
        return;
    };
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&sarif).take(10).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not validate:\n{}", errors.join("\n"));

    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for result in results {
        let uri =
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(!uri.starts_with('/') && uri.starts_with("fixtures/"), "relative URI: {uri}");
        assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(result["partialFingerprints"].as_object().is_some_and(|p| !p.is_empty()));
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    for rule in rules {
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .expect("security-severity")
            .parse()
            .expect("number");
        assert!((0.0..=10.0).contains(&severity));
        assert!(rule["help"]["text"].as_str().is_some_and(|h| !h.is_empty()));
    }
    // Secrets found in files stay masked in SARIF results too.
    let text = serde_json::to_string(&run["results"]).expect("text");
    assert!(!regex_like_aws_key(&text), "an AWS key id leaked into SARIF");
}

/// `AKIA` followed by 16 key characters (the fixtures' keys are never the documented example).
fn regex_like_aws_key(text: &str) -> bool {
    text.match_indices("AKIA").any(|(i, _)| {
        let tail: Vec<char> = text[i + 4..].chars().take(16).collect();
        tail.len() == 16 && tail.iter().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(c))
    })
}

#[test]
fn junit_is_well_formed_xml_with_a_suite_per_rule() {
    let xml = lint_fixtures("junit");
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites: Vec<_> = document.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    assert!(suites.len() > 5, "a suite per rule");
    let k8s = suites.iter().find(|s| s.attribute("name") == Some("TL-K8S-001")).expect("TL-K8S-001 suite");
    let cases: Vec<_> = k8s.children().filter(|n| n.has_tag_name("testcase")).collect();
    let failures = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure"))).count();
    assert!(failures >= 3, "failing workloads are failures");
    assert!(cases.len() > failures, "passing workloads are test cases too");
}

#[test]
fn github_annotations_and_markdown() {
    let github = lint_fixtures("github");
    let line = github.lines().find(|l| l.contains("title=TL-K8S-001")).expect("a TL-K8S-001 annotation");
    assert!(line.starts_with("::error file=fixtures/TL-K8S-001/"), "{line}");
    assert!(line.contains(",line=") && line.contains(",col="), "{line}");
    assert!(
        github
            .lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "))
    );

    let markdown = lint_fixtures("markdown");
    assert!(markdown.starts_with("## trustlint\n"));
    assert!(markdown.contains("| Critical | High | Medium | Low | Suppressed |"));
    assert!(markdown.contains("| `TL-K8S-001` |"));
}

#[test]
fn several_outputs_from_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("junit.xml");
    let output = run_in(
        &root(),
        &[
            "lint",
            "fixtures/TL-K8S-001",
            "--format",
            "concise",
            "--also",
            &format!("sarif={}", sarif.display()),
            "--also",
            &format!("junit={}", junit.display()),
        ],
    );
    assert_eq!(code(&output), 1);
    assert!(String::from_utf8_lossy(&output.stdout).contains("TL-K8S-001 [critical]"));
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).expect("sarif written")).expect("JSON");
    assert_eq!(log["version"], "2.1.0");
    assert!(std::fs::read_to_string(&junit).expect("junit written").contains("<testsuite"));
    assert_eq!(code(&run_in(&root(), &["lint", "fixtures/TL-K8S-001", "--also", "yaml=x"])), 2);
}
