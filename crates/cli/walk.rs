//! The parallel walk: every file under the given paths, honouring `.gitignore`,
//! `.trustlintignore`, exclude globs and the size cap, linted on the walker's threads.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};
use trustlint_engine::lint::{FileReport, Linter, Note};

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

/// Walk `paths` and lint every file on the walker's threads.
pub fn scan(paths: &[PathBuf], options: &WalkOptions, linter: &Linter) -> Scan {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let collected = Mutex::new(Scan::default());
    for root in paths {
        let explicit_file = root.is_file();
        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            .follow_links(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(false)
            .parents(true)
            .add_custom_ignore_filename(".trustlintignore")
            .threads(options.jobs);
        let root_for_filter = root.clone();
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
            let collected = &collected;
            let cwd = &cwd;
            Box::new(move |result| {
                match result {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file || (explicit_file && entry.depth() == 0) {
                            let outcome = lint_entry(entry.path(), root, cwd, options, linter);
                            if let Ok(mut scan) = collected.lock() {
                                match outcome {
                                    Ok(report) => {
                                        if let Some(note) = &report.note {
                                            scan.notes.push(note.clone());
                                        }
                                        if report.linted {
                                            scan.reports.push(report);
                                        }
                                    }
                                    Err(note) => scan.notes.push(note),
                                }
                            }
                        }
                    }
                    Err(error) => {
                        if let Ok(mut scan) = collected.lock() {
                            scan.notes.push(walk_error_note(&error, root, cwd));
                        }
                    }
                }
                WalkState::Continue
            })
        });
    }
    let mut scan = collected.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    scan.reports.sort_by(|a, b| a.path.cmp(&b.path));
    scan.notes.sort_by(|a, b| (&a.file, &a.reason).cmp(&(&b.file, &b.reason)));
    scan.notes.dedup();
    scan
}

fn lint_entry(
    path: &Path,
    root: &Path,
    cwd: &Path,
    options: &WalkOptions,
    linter: &Linter,
) -> Result<FileReport, Note> {
    let shown = display_path(path, root, cwd);
    let note = |reason: String| Note { file: shown.clone(), reason };
    let metadata = std::fs::metadata(path).map_err(|e| note(format!("cannot read: {e}")))?;
    if !metadata.is_file() {
        return Err(note("not a regular file".into()));
    }
    if metadata.len() > options.max_file_size {
        return Err(note(format!(
            "larger than max-file-size ({} bytes > {} bytes)",
            metadata.len(),
            options.max_file_size
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| note(format!("cannot read: {e}")))?;
    Ok(linter.lint(&shown, &bytes))
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
