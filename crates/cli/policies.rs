//! Users' own policies: loading them from directories, and `trustlint test-policies`, which
//! runs each policy against its fixtures with the same `# expect:` convention as the
//! built-in pack.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use miette::{Diagnostic, NamedSource, SourceSpan};
use trustlint_engine::lint::Linter;
use trustlint_engine::policy::{self, Policy};
use trustlint_engine::rule::Rule;

use crate::args::TestPoliciesArgs;
use crate::exit;
use crate::walk::{self, WalkOptions};

/// A policy file that cannot be used, shown with the offending line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(trustlint::policy))]
pub struct PolicyLoadError {
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
}

impl PolicyLoadError {
    fn new(path: &Path, text: &str, message: String, span: Option<std::ops::Range<usize>>) -> Self {
        PolicyLoadError {
            message,
            src: NamedSource::new(path.display().to_string(), text.to_string()),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
        }
    }
}

/// One loaded policy and where it came from.
pub struct LoadedPolicy {
    /// The compiled policy.
    pub policy: Policy,
    /// Its file.
    pub path: PathBuf,
}

/// Every `*.toml` policy under `dirs` (a file is taken as is), in path order. Files under a
/// `fixtures` directory are examples, not policies.
fn policy_files(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyLoadError> {
    let mut files = Vec::new();
    for dir in dirs {
        if dir.is_file() {
            files.push(dir.clone());
        } else if dir.is_dir() {
            collect(dir, &mut files);
        } else {
            return Err(PolicyLoadError::new(
                dir,
                "",
                format!("policy path {} does not exist", dir.display()),
                None,
            ));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if entry.file_name() != "fixtures" {
                collect(&path, out);
            }
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// Load and compile users' policies; `taken` are the ids already in use (built-ins), which a
/// user policy may not reuse.
pub fn load(dirs: &[PathBuf], taken: &[String]) -> Result<Vec<LoadedPolicy>, PolicyLoadError> {
    let mut loaded: Vec<LoadedPolicy> = Vec::new();
    let mut ids: BTreeSet<String> = taken.iter().cloned().collect();
    for path in policy_files(dirs)? {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            PolicyLoadError::new(&path, "", format!("cannot read {}: {e}", path.display()), None)
        })?;
        let shown = path.display().to_string();
        let policy = policy::compile(&shown, &text).map_err(|e| {
            PolicyLoadError::new(
                &path,
                &text,
                format!("{shown}:{}:{}: {}", e.line, e.column, e.message),
                e.span,
            )
        })?;
        let id = policy.meta().id.clone();
        if !ids.insert(id.clone()) {
            let span = id_span(&text);
            return Err(PolicyLoadError::new(
                &path,
                &text,
                format!("{shown}: rule id `{id}` is already used"),
                span,
            ));
        }
        loaded.push(LoadedPolicy { policy, path });
    }
    Ok(loaded)
}

/// Where `id = "..."` is written, for a duplicate-id error.
fn id_span(text: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("id") && trimmed[2..].trim_start().starts_with('=') {
            let start = offset + (line.len() - trimmed.len());
            return Some(start..offset + line.trim_end().len());
        }
        offset += line.len();
    }
    None
}

/// `trustlint test-policies DIR...`.
pub fn test(args: &TestPoliciesArgs) -> Result<u8> {
    let builtin: Vec<String> = Vec::new();
    let loaded = load(&args.dirs, &builtin).map_err(anyhow::Error::new)?;
    let mut out = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for LoadedPolicy { policy, path } in loaded {
        let id = policy.meta().id.clone();
        let Some(fixtures) = fixture_dir(&path, &id, &args.dirs) else {
            failed += 1;
            let _ = writeln!(
                out,
                "FAIL {id} ({}): no fixtures (looked for fixtures/{id}/ beside the policy)",
                path.display()
            );
            continue;
        };
        let problems = run_fixtures(policy, &fixtures)?;
        if problems.is_empty() {
            passed += 1;
            let _ = writeln!(out, "PASS {id} ({})", fixtures.display());
        } else {
            failed += 1;
            let _ = writeln!(out, "FAIL {id} ({})", fixtures.display());
            for problem in problems {
                let _ = writeln!(out, "    {problem}");
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    let mut stdout = std::io::stdout().lock();
    crate::render::write_all(&mut stdout, out.as_bytes()).context("writing the results")?;
    Ok(if failed == 0 { exit::CLEAN } else { exit::FINDINGS })
}

/// `fixtures/<ID>/` beside the policy file, or under one of the given directories.
fn fixture_dir(policy: &Path, id: &str, roots: &[PathBuf]) -> Option<PathBuf> {
    let beside = policy.parent().map(|dir| dir.join("fixtures").join(id));
    let under_roots = roots.iter().map(|root| root.join("fixtures").join(id));
    beside.into_iter().chain(under_roots).find(|dir| dir.is_dir())
}

/// Lint a fixture directory with one policy; the differences from its annotations.
fn run_fixtures(policy: Policy, dir: &Path) -> Result<Vec<String>> {
    let id = policy.meta().id.clone();
    let linter = Linter::new(vec![Box::new(policy) as Box<dyn Rule>], false);
    let options = WalkOptions {
        jobs: 0,
        exclude: globset::GlobSet::empty(),
        max_file_size: crate::config::DEFAULT_MAX_FILE_SIZE,
        keep_sources: false,
        keep_evaluations: false,
    };
    let scan = walk::scan(&[dir.to_path_buf()], &options, &linter);
    let found: BTreeSet<(String, usize)> = scan
        .reports
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| f.rule == id)
        .map(|f| (f.file.clone(), f.start.line))
        .collect();
    let mut expected: BTreeSet<(String, usize)> = BTreeSet::new();
    let mut failing_files = 0;
    for report in &scan.reports {
        let Ok(text) = std::fs::read_to_string(resolve(dir, &report.path)) else { continue };
        let (file, annotations) = match report.path.strip_suffix(".expect") {
            Some(target) => {
                (target.to_string(), trustlint_engine::expect::sidecar(&text).map_err(anyhow::Error::msg)?)
            }
            None => (report.path.clone(), trustlint_engine::expect::inline(&text)),
        };
        let own: Vec<usize> =
            annotations.into_iter().filter(|(rule, _)| *rule == id).map(|(_, line)| line).collect();
        if !own.is_empty() {
            failing_files += 1;
        }
        expected.extend(own.into_iter().map(|line| (file.clone(), line)));
    }
    let mut problems = Vec::new();
    if failing_files == 0 {
        problems.push("no failing example: annotate a line with `# expect: ".to_string() + &id + "`");
    }
    if scan.reports.len() <= failing_files {
        problems.push("no passing example (a file without annotations)".to_string());
    }
    for (file, line) in expected.difference(&found) {
        problems.push(format!("expected but not found: {file}:{line}"));
    }
    for (file, line) in found.difference(&expected) {
        problems.push(format!("found but not expected: {file}:{line}"));
    }
    Ok(problems)
}

/// The file behind a shown path (shown paths are relative to the working directory, or to
/// the fixture directory when it lies elsewhere).
fn resolve(dir: &Path, shown: &str) -> PathBuf {
    let direct = PathBuf::from(shown);
    if direct.exists() { direct } else { dir.join(shown) }
}
