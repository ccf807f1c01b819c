//! The parallel walk: every file under the given paths, honouring `.gitignore`,
//! `.trustlintignore`, exclude globs and the size cap, linted on the walker's threads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;
use trustlint_engine::classify::{self, PathKind};
use trustlint_engine::lint::{FileReport, Linter, Note};

use crate::explicit;
use crate::modules::DiskModules;
use crate::progress::Progress;

/// Directories never worth walking: version control data and Terraform's download cache.
const SKIPPED_DIRS: [&str; 3] = [".git", ".terraform", ".terragrunt-cache"];

/// How to walk.
pub struct WalkOptions {
    /// Threads (0: one per core).
    pub jobs: usize,
    /// Paths (relative, `/`-separated) not to walk.
    pub exclude: GlobSet,
    /// Larger files are skipped with a note.
    pub max_file_size: u64,
}

/// What a walk found.
#[derive(Default)]
pub struct Scan {
    /// One report per file read.
    pub reports: Vec<FileReport>,
    /// Files skipped, and why.
    pub notes: Vec<Note>,
}

/// A file the walk found.
struct Candidate {
    path: PathBuf,
    shown: String,
}

/// Walk `paths`, then lint every file on a pool of `jobs` threads. Files whose semantics
/// span a directory (a Terraform module, manifests related by selectors, compose overrides)
/// are linted together as one unit; every other file is a unit of its own. A named file of
/// such a unit brings its directory's files of the same family as context, whose findings are
/// not reported (see [`explicit`]).
pub fn scan(paths: &[PathBuf], options: &WalkOptions, linter: &Linter) -> Scan {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let progress = Progress::start();
    let found = Mutex::new((Vec::new(), Vec::new()));
    let mut named_files = Vec::new();
    for root in paths {
        if root.is_file() {
            if explicit::escapes_repository(root, &cwd) {
                let note = Note {
                    file: display_path(root, root, &cwd),
                    reason: "a symbolic link that leads out of the repository".into(),
                };
                if let Ok(mut found) = found.lock() {
                    found.1.push(note);
                }
                continue;
            }
            named_files.push(root.as_path());
        }
        walk_root(root, &cwd, options, None, &progress, &found);
    }
    let (mut candidates, mut notes): (Vec<Candidate>, Vec<Note>) =
        found.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    candidates.sort_by(|a, b| a.shown.cmp(&b.shown));
    candidates.dedup_by(|a, b| a.shown == b.shown);
    // With named files, only what the paths name is reported: context files are read for
    // their relations only, and module files are reported where they are named.
    let wanted: Option<BTreeSet<String>> =
        (!named_files.is_empty()).then(|| candidates.iter().map(|c| c.shown.clone()).collect());
    let mut context = BTreeSet::new();
    if let Some(wanted) = &wanted {
        for candidate in context_files(&named_files, &cwd, options, &progress) {
            if !wanted.contains(&candidate.shown) && context.insert(candidate.shown.clone()) {
                candidates.push(candidate);
            }
        }
        candidates.sort_by(|a, b| a.shown.cmp(&b.shown));
    }
    progress.total(candidates.len());

    let mut units: BTreeMap<(String, u8, String), Vec<Candidate>> = BTreeMap::new();
    for candidate in candidates {
        units.entry(unit_key(&candidate.shown)).or_default().push(candidate);
    }
    let units: Vec<Vec<Candidate>> = units.into_values().collect();
    let modules = DiskModules::new(paths, &cwd, options.max_file_size);
    let lint_all = || -> Vec<(Vec<FileReport>, Vec<Note>)> {
        units
            .par_iter()
            .map(|unit| {
                let result = lint_unit(unit, options, linter, &modules);
                progress.done(unit.len());
                result
            })
            .collect()
    };
    let results = match rayon::ThreadPoolBuilder::new().num_threads(options.jobs).build() {
        Ok(pool) => pool.install(lint_all),
        Err(_) => lint_all(),
    };
    let mut scan = Scan::default();
    for (reports, unit_notes) in results {
        for report in reports {
            if let Some(note) = &report.note {
                scan.notes.push(note.clone());
            }
            scan.notes.extend(report.notes.iter().cloned());
            if report.linted {
                scan.reports.push(report);
            }
        }
        notes.extend(unit_notes);
    }
    scan.notes.extend(notes);
    if let Some(wanted) = &wanted {
        scan.reports.retain(|report| wanted.contains(&report.path));
        scan.notes.retain(|note| !context.contains(&note.file));
    }
    scan.reports.sort_by(|a, b| a.path.cmp(&b.path));
    scan.notes.sort_by(|a, b| (&a.file, &a.reason).cmp(&(&b.file, &b.reason)));
    scan.notes.dedup();
    scan
}

/// Which unit a file belongs to: its directory and format family for Terraform and
/// YAML/JSON, or the file alone.
fn unit_key(shown: &str) -> (String, u8, String) {
    let (dir, _) = shown.rsplit_once('/').unwrap_or(("", shown));
    match classify::by_path(shown) {
        PathKind::TerraformHcl
        | PathKind::TerraformJson
        | PathKind::TerraformVars
        | PathKind::TerraformVarsJson => (dir.to_string(), 0, String::new()),
        PathKind::Yaml | PathKind::Json => (dir.to_string(), 1, String::new()),
        _ => (dir.to_string(), 2, shown.to_string()),
    }
}

/// The files of the named files' directories that belong to their units (same directory,
/// same family), found as a walk of each directory would find them.
fn context_files(named: &[&Path], cwd: &Path, options: &WalkOptions, progress: &Progress) -> Vec<Candidate> {
    let mut keys = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    for file in named {
        let key = unit_key(&display_path(file, file, cwd));
        // Only directory units (Terraform, YAML/JSON) have context.
        if key.2.is_empty() {
            keys.insert(key);
            let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            dirs.insert(dir.to_path_buf());
        }
    }
    let found = Mutex::new((Vec::new(), Vec::new()));
    for dir in &dirs {
        walk_root(dir, cwd, options, Some(1), progress, &found);
    }
    // Notes about context files (too large, unreadable) do not concern the named ones.
    let (candidates, _notes): (Vec<Candidate>, Vec<Note>) =
        found.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    candidates.into_iter().filter(|c| keys.contains(&unit_key(&c.shown))).collect()
}

type Found = Mutex<(Vec<Candidate>, Vec<Note>)>;

fn walk_root(
    root: &Path,
    cwd: &Path,
    options: &WalkOptions,
    max_depth: Option<usize>,
    progress: &Progress,
    found: &Found,
) {
    let explicit_file = root.is_file();
    let mut builder = WalkBuilder::new(root);
    builder
        .max_depth(max_depth)
        .hidden(false)
        .follow_links(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(true)
        .add_custom_ignore_filename(".trustlintignore")
        .threads(options.jobs);
    let root_for_filter = root.to_path_buf();
    let exclude = options.exclude.clone();
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 {
            return true;
        }
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir && SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d) {
            return false;
        }
        let rel = relative(entry.path(), &root_for_filter);
        !(exclude.is_match(&rel) || (is_dir && exclude.is_match(format!("{rel}/"))))
    });
    builder.build_parallel().run(|| {
        Box::new(move |result| {
            let (candidate, note) = match result {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    if is_file || (explicit_file && entry.depth() == 0) {
                        inspect(entry.path(), root, cwd, options)
                    } else {
                        (None, None)
                    }
                }
                Err(error) => (None, Some(walk_error_note(&error, root, cwd))),
            };
            if candidate.is_some() {
                progress.found(1);
            }
            if (candidate.is_some() || note.is_some())
                && let Ok(mut found) = found.lock()
            {
                found.0.extend(candidate);
                found.1.extend(note);
            }
            WalkState::Continue
        })
    });
}

/// Decide whether a walked file is read, or skipped with a note.
fn inspect(path: &Path, root: &Path, cwd: &Path, options: &WalkOptions) -> (Option<Candidate>, Option<Note>) {
    let shown = display_path(path, root, cwd);
    let skip = |reason: String| (None, Some(Note { file: shown.clone(), reason }));
    match std::fs::metadata(path) {
        Err(e) => skip(format!("cannot read: {e}")),
        Ok(m) if !m.is_file() => skip("not a regular file".into()),
        Ok(m) if m.len() > options.max_file_size => {
            skip(format!("larger than max-file-size ({} bytes > {} bytes)", m.len(), options.max_file_size))
        }
        Ok(_) => (Some(Candidate { path: path.to_path_buf(), shown: shown.clone() }), None),
    }
}

fn lint_unit(
    unit: &[Candidate],
    options: &WalkOptions,
    linter: &Linter,
    modules: &DiskModules,
) -> (Vec<FileReport>, Vec<Note>) {
    let mut files = Vec::with_capacity(unit.len());
    let mut notes = Vec::new();
    for candidate in unit {
        match std::fs::read(&candidate.path) {
            // The file may have grown since the walk looked at it.
            Ok(bytes) if bytes.len() as u64 > options.max_file_size => notes.push(Note {
                file: candidate.shown.clone(),
                reason: format!("larger than max-file-size ({} bytes)", options.max_file_size),
            }),
            Ok(bytes) => files.push((candidate.shown.clone(), bytes)),
            Err(e) => notes.push(Note { file: candidate.shown.clone(), reason: format!("cannot read: {e}") }),
        }
    }
    (linter.lint_unit_with(files, modules), notes)
}

fn walk_error_note(error: &ignore::Error, root: &Path, cwd: &Path) -> Note {
    let path =
        error_path(error).map_or_else(|| display_path(root, root, cwd), |p| display_path(p, root, cwd));
    let reason = match error.io_error() {
        Some(io) => format!("cannot read: {io}"),
        None => error.to_string(),
    };
    Note { file: path, reason }
}

fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

/// The path findings show: relative to the working directory when the file is below it,
/// else relative to the path argument; always `/`-separated.
pub fn display_path(path: &Path, root: &Path, cwd: &Path) -> String {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) };
    let shown = match absolute.strip_prefix(cwd) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => {
            let base = if root.is_file() { root.parent().unwrap_or(root) } else { root };
            path.strip_prefix(base).map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
        }
    };
    normalise(&shown)
}

/// `path` relative to `root`, `/`-separated, for exclude globs.
fn relative(path: &Path, root: &Path) -> String {
    normalise(path.strip_prefix(root).unwrap_or(path))
}

fn normalise(path: &Path) -> String {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => parts.push("..".to_string()),
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_paths_are_relative_and_slashed() {
        let cwd = Path::new("/repo");
        assert_eq!(display_path(Path::new("./infra/db.tf"), Path::new("."), cwd), "infra/db.tf");
        assert_eq!(display_path(Path::new("/repo/k8s/a.yaml"), Path::new("/repo/k8s"), cwd), "k8s/a.yaml");
        assert_eq!(display_path(Path::new("/other/x/a.tf"), Path::new("/other/x"), cwd), "a.tf");
    }
}
