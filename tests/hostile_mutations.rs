//! A bounded mutation test: every fixture truncated, with bytes flipped, spliced with another
//! fixture, with a chunk repeated, and wrapped in deep nesting, from a fixed seed. Linting
//! must never panic (through `Linter::lint`), and the binary must never end with 101 or a
//! signal. The fuzz targets in `fuzz/` search further; this runs in every `cargo test`.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use support::root;
use trustlint_engine::lint::Linter;

/// xorshift64*: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("fixtures").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            fixture_files(&path, out);
        } else if !path.to_string_lossy().ends_with(".expect") {
            out.push(path);
        }
    }
}

/// The mutations of one file, named for the failure message.
fn mutations(bytes: &[u8], other: &[u8], rng: &mut Rng) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let cut = rng.below(bytes.len() + 1);
    out.push(("truncated", bytes.get(..cut).unwrap_or(bytes).to_vec()));

    let mut flipped = bytes.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(flipped.len());
        if let Some(byte) = flipped.get_mut(at) {
            *byte ^= 1 << rng.below(8);
        }
    }
    out.push(("flipped", flipped));

    let head = bytes.get(..rng.below(bytes.len() + 1)).unwrap_or(bytes);
    let tail = other.get(rng.below(other.len() + 1)..).unwrap_or(other);
    out.push(("spliced", [head, tail].concat()));

    let from = rng.below(bytes.len() + 1);
    let to = (from + 1 + rng.below(64)).min(bytes.len());
    let chunk = bytes.get(from..to).unwrap_or_default();
    let mut repeated = bytes.get(..from).unwrap_or_default().to_vec();
    for _ in 0..200 {
        repeated.extend_from_slice(chunk);
    }
    repeated.extend_from_slice(bytes.get(from..).unwrap_or_default());
    out.push(("repeated", repeated));

    let at = rng.below(bytes.len() + 1);
    let (open, close): (&[u8], &[u8]) = match rng.below(4) {
        0 => (b"[", b"]"),
        1 => (b"{", b"}"),
        2 => (b"(", b")"),
        _ => (b"- ", b""),
    };
    let mut nested = bytes.get(..at).unwrap_or_default().to_vec();
    nested.extend(open.repeat(400));
    nested.extend(close.repeat(400));
    nested.extend_from_slice(bytes.get(at..).unwrap_or_default());
    out.push(("nested", nested));
    out
}

#[test]
fn mutated_fixtures_never_panic() {
    let fixtures = root().join("fixtures");
    let mut files = Vec::new();
    fixture_files(&fixtures, &mut files);
    assert!(files.len() > 100, "fixtures found: {}", files.len());
    let contents: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| {
            let shown = p.strip_prefix(&fixtures).unwrap_or(p).to_string_lossy().replace('\\', "/");
            (shown, std::fs::read(p).expect("read"))
        })
        .collect();
    let linter = Linter::new(trustlint_rules::builtin(), true);
    let mut rng = Rng(0x7472_7573_746c_696e);
    let mut failures = Vec::new();
    let mut linted = 0;
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for (index, (path, bytes)) in contents.iter().enumerate() {
        let other = &contents[(index * 7 + 3) % contents.len()].1;
        for (kind, mutated) in mutations(bytes, other, &mut rng) {
            linted += 1;
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| linter.lint(path, &mutated)));
            match outcome {
                Ok(report) => {
                    for finding in &report.findings {
                        if finding.start.line == 0
                            || finding.start.column == 0
                            || finding.span.end > mutated.len()
                        {
                            failures.push(format!("{path} ({kind}): finding out of the file: {finding:?}"));
                        }
                    }
                }
                Err(payload) => {
                    let message = payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
                        .unwrap_or_default();
                    failures.push(format!("{path} ({kind}): panicked: {message}"));
                }
            }
        }
    }
    std::panic::set_hook(quiet);
    assert!(
        failures.is_empty(),
        "{} of {linted} mutated files failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_binary_survives_mutated_repositories() {
    let fixtures = root().join("fixtures");
    let mut files = Vec::new();
    fixture_files(&fixtures, &mut files);
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join(".git")).expect("git marker");
    let mut rng = Rng(0x6d75_7461_7465_6421);
    // A few hundred mutated files in their fixture directories (so Terraform modules and
    // compose overrides are evaluated together), linted in one run per mutation kind.
    for (kind_index, kind) in ["truncated", "flipped", "spliced", "repeated", "nested"].iter().enumerate() {
        let dir = tmp.path().join(kind);
        for (index, path) in files.iter().enumerate().filter(|(i, _)| i % 4 == kind_index % 4) {
            let bytes = std::fs::read(path).expect("read");
            let other = std::fs::read(&files[(index * 5 + 1) % files.len()]).expect("read");
            let Some((_, mutated)) = mutations(&bytes, &other, &mut rng).into_iter().find(|(k, _)| k == kind)
            else {
                continue;
            };
            let target = dir.join(path.strip_prefix(&fixtures).unwrap_or(path));
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::write(target, mutated).expect("write");
        }
        for format in ["json", "human"] {
            let output = support::run_in(&dir, &["lint", ".", "--format", format]);
            let code = output.status.code();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(matches!(code, Some(0 | 1)), "{kind} ({format}): exit {:?}: {stderr}", output.status);
            assert!(stderr.is_empty(), "{kind} ({format}): {stderr}");
            if format == "json" {
                support::json(&output);
            }
        }
    }
}
