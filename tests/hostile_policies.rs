//! Custom policies are data, not code: a hostile policy (a huge regex, deep nesting, a
//! wildcard or relation explosion, an attempt to name a file) is refused when it is loaded or
//! bounded when it runs, and the language has no way to read a file or reach the network.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::time::{Duration, Instant};

use trustlint_engine::lint::{Limits, Linter};
use trustlint_engine::policy;
use trustlint_engine::rule::{CheckResult, Rule};

const HEAD: &str = r#"
id = "EVIL-001"
name = "evil"
title = "Evil policy"
severity = "high"
criteria = ["CC6.1"]
message = "`{address}` is evil"
help = "None."
"#;

fn compile(rest: &str) -> Result<policy::Policy, policy::PolicyError> {
    policy::compile("evil.toml", &format!("{HEAD}{rest}"))
}

fn refused(rest: &str, wanted: &str) {
    match compile(rest) {
        Ok(_) => panic!("accepted: {rest}"),
        Err(error) => {
            assert!(error.message.contains(wanted), "{}", error.message);
            assert!(error.line >= 1 && error.column >= 1);
        }
    }
}

#[test]
fn huge_regexes_are_refused_at_load() {
    refused(
        "target = \"kubernetes\"\nresources = [\"Pod\"]\nfail = { path = \"metadata.name\", matches = \"((a{100}){100}){100}\" }\n",
        "bad regex",
    );
    // Back-references and look-around, the usual roads to exponential matching, do not exist.
    refused(
        "target = \"kubernetes\"\nresources = [\"Pod\"]\nfail = { path = \"metadata.name\", matches = \"(a+)+\\\\1\" }\n",
        "bad regex",
    );
}

#[test]
fn deep_nesting_is_refused_at_load() {
    let mut condition = String::from("{ path = \"a\", exists = true }");
    for _ in 0..40 {
        condition = format!("{{ not = {condition} }}");
    }
    refused(&format!("target = \"terraform\"\nresources = [\"x\"]\nfail = {condition}\n"), "nest deeper");
    // Nesting the TOML parser itself refuses is an error too, never a stack overflow.
    let deep = format!(
        "target = \"terraform\"\nresources = [\"x\"]\nfail = {}1{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(compile(&deep).is_err());
    let tables = format!(
        "target = \"terraform\"\nresources = [\"x\"]\nfail = {}{}\n",
        "{ not = ".repeat(50_000),
        "}".repeat(50_000)
    );
    assert!(compile(&tables).is_err());
}

#[test]
fn nothing_in_the_language_names_a_file_or_a_url() {
    for key in ["file", "include", "url", "exec", "command", "env", "import"] {
        refused(
            &format!("target = \"terraform\"\nresources = [\"x\"]\nfail = {{ {key} = \"/etc/passwd\" }}\n"),
            "unknown key",
        );
        refused(
            &format!(
                "{key} = \"/etc/passwd\"\ntarget = \"terraform\"\nresources = [\"x\"]\nfail = {{ path = \"a\", exists = true }}\n"
            ),
            "unknown key",
        );
    }
    // A path is a path into the resource, whatever it looks like.
    let policy = compile(
        "target = \"terraform\"\nresources = [\"aws_s3_bucket\"]\nfail = { path = \"/etc/passwd\", exists = true }\n",
    )
    .expect("a strange but valid path");
    let linter = Linter::new(vec![Box::new(policy)], true);
    let report = linter.lint("main.tf", b"resource \"aws_s3_bucket\" \"b\" {}\n");
    assert!(report.findings.is_empty());
    // And the evaluator's source has no way out: no file system, network or process.
    let dir = support::root().join("crates/engine/src/policy");
    for entry in std::fs::read_dir(&dir).expect("policy sources").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("read");
        // (`std::net::IpAddr` is only a parser, for the CIDR predicates.)
        for forbidden in [
            "std::fs",
            "std::process",
            "std::env",
            "File::",
            "TcpStream",
            "UdpSocket",
            "ToSocketAddrs",
            "include_str!",
            "include_bytes!",
        ] {
            assert!(!text.contains(forbidden), "{:?} uses {forbidden}", entry.file_name());
        }
    }
}

/// A Kubernetes object whose `data.x` is a list of 100 lists of 100 lists of 100 items, built
/// with aliases: a million paths for `x[*][*][*]`.
fn exploding_object() -> String {
    let items = vec!["1"; 100].join(", ");
    let level2 = vec!["*a"; 100].join(", ");
    let level3 = vec!["*b"; 100].join(", ");
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: boom}}\nanchors:\n  a: &a [{items}]\n  b: &b [{level2}]\ndata:\n  x: [{level3}]\n"
    )
}

#[test]
fn wildcard_explosions_stop_and_are_unknown() {
    let policy = compile(
        "target = \"kubernetes\"\nresources = [\"ConfigMap\"]\nfail = { path = \"data.x[*][*][*]\", equals = \"2\" }\n",
    )
    .expect("valid");
    let limits = Limits { yaml_alias_nodes: 2_000_000, ..Limits::default() };
    let linter = Linter::new(vec![Box::new(policy)], true).with_limits(limits);
    let started = Instant::now();
    let report = linter.lint("boom.yaml", exploding_object().as_bytes());
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!(report.evaluations.len(), 1);
    assert_eq!(report.evaluations[0].result, CheckResult::Unknown, "cut short: unknown, never pass or fail");
}

#[test]
fn relation_explosions_stop_and_are_unknown() {
    // Four nested relations over the same resources: n to the fourth comparisons.
    let mut condition = String::from("{ path = \"bucket\", equals = \"never\" }");
    for _ in 0..4 {
        condition = format!("{{ related = [\"aws_s3_bucket\"], where = {condition} }}");
    }
    let policy =
        compile(&format!("target = \"terraform\"\nresources = [\"aws_s3_bucket\"]\nfail = {condition}\n"))
            .expect("valid");
    assert_eq!(policy.meta().id, "EVIL-001");
    let mut text = String::new();
    for i in 0..60 {
        text.push_str(&format!("resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"b{i}\"\n}}\n"));
    }
    let limits = Limits { relation_checks: 200_000, ..Limits::default() };
    let linter = Linter::new(vec![Box::new(policy)], true).with_limits(limits);
    let started = Instant::now();
    let reports = linter.lint_unit(vec![("main.tf".to_string(), text.into_bytes())]);
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    let report = &reports[0];
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(report.evaluations.iter().any(|e| e.result == CheckResult::Unknown));
    assert!(
        report.notes.iter().any(|n| n.reason.contains("max-relation-checks")),
        "the cut is reported: {:?}",
        report.notes
    );
}
