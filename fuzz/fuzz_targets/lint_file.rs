//! The whole lint of one file with the built-in rules: classification, parsing, the model,
//! every rule, suppressions. The first byte picks the file name (and so the format); the rest
//! is the content, as raw bytes (invalid UTF-8 and binary included).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use trustlint_engine::lint::Linter;

/// Names that reach every format (CloudFormation, Kubernetes and compose are told apart by
/// content).
const NAMES: [&str; 12] = [
    "main.tf",
    "terraform.tfvars",
    "main.tf.json",
    "k8s/deploy.yaml",
    "template.json",
    "Dockerfile",
    ".env",
    ".github/workflows/ci.yml",
    "docker-compose.yml",
    "action.yml",
    "notes.txt",
    "chart/templates/deploy.yaml",
];

static LINTER: LazyLock<Linter> = LazyLock::new(|| Linter::new(trustlint_rules::builtin(), true));

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else { return };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let report = LINTER.lint(name, content);
    for finding in &report.findings {
        assert!(finding.start.line >= 1 && finding.start.column >= 1);
        assert!(finding.span.start <= finding.span.end);
    }
});
