//! Files of one very long line, in every format, with every built-in rule: linting four times
//! the bytes must cost about four times the time, never sixteen (no work per finding or per
//! match that grows with the length of the line).

#![allow(clippy::panic)] // test code: a panic is a test failure

use std::time::{Duration, Instant};

use trustlint_engine::lint::{Limits, Linter};

/// One line of about `bytes` bytes for a file called `name`.
fn line(name: &str, bytes: usize) -> String {
    let (head, piece, tail) = match name {
        "deploy.yaml" => (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {",
            "k1: \"AKIAQ3MZ7XW2RT6PL5NB ${x}\", ",
            "}\n",
        ),
        "template.json" => (
            "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"Tags\": [",
            "{\"Key\": \"é\", \"Value\": \"AKIAQ3MZ7XW2RT6PL5NB\"}, ",
            "{}]}}}}\n",
        ),
        "main.tf" => (
            "resource \"aws_security_group\" \"g\" { ingress = [",
            "{ from_port = 22, to_port = 22, cidr_blocks = [\"0.0.0.0/0\"] }, ",
            "] }\n",
        ),
        "Dockerfile" => {
            ("FROM alpine:3.20\nRUN ", "curl -fsSL https://x.example/i.sh | sh && chmod 777 /é && ", "true\n")
        }
        ".env" => ("", "PASSWORD=hunter2hunter2 AKIAQ3MZ7XW2RT6PL5NB ", "\n"),
        ".github/workflows/ci.yml" => (
            "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ",
            "${{ github.event.issue.title }} é ",
            "\n",
        ),
        _ => ("", "-----BEGIN RSA PRIVATE KEY----- AKIAQ3MZ7XW2RT6PL5NB secret_key = é ", "\n"),
    };
    let mut text = String::from(head);
    while text.len() < bytes {
        text.push_str(piece);
    }
    text.push_str(tail);
    text
}

#[test]
fn work_grows_with_the_line_not_its_square() {
    let linter = Linter::new(trustlint_rules::builtin(), true)
        .with_limits(Limits { max_findings_per_file: 100_000, ..Limits::default() });
    let time = |name: &str, bytes: usize| {
        let text = line(name, bytes);
        // The best of two runs: a busy machine slows one, rarely both.
        (0..2)
            .map(|_| {
                let started = Instant::now();
                let report = linter.lint(name, text.as_bytes());
                assert!(report.linted, "{name}");
                started.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    for name in [
        "deploy.yaml",
        "template.json",
        "main.tf",
        "Dockerfile",
        ".env",
        ".github/workflows/ci.yml",
        "notes.txt",
    ] {
        let small = time(name, 32 * 1024);
        let large = time(name, 128 * 1024);
        assert!(
            large < small * 10 + Duration::from_millis(500),
            "{name}: 32 KiB in {small:?}, 128 KiB in {large:?}: more than linear"
        );
    }
}
