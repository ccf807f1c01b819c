//! Shared helpers of the end-to-end tests: run the built binary and read its JSON.
#![allow(clippy::panic)] // test support: a panic is a test failure
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where `Cargo.toml` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built `trustlint` binary.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trustlint"))
}

/// Run trustlint with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("the binary runs")
}

/// Exit code of a finished process (a signal is a test failure).
pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or_else(|| panic!("killed by a signal: {output:?}"))
}

/// Parse JSON output.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "invalid JSON ({e}):\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `(rule, file, line)` of every finding in JSON output.
pub fn triples(value: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = value["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
            )
        })
        .collect();
    out.sort();
    out
}
