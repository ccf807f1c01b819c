//! The parallel walk: every file under the given paths, honouring `.gitignore`,
//! `.trustlintignore`, exclude globs and the size cap, linted on the walker's threads.
//!
//! The repositories walked may be hostile: nothing here follows a symbolic link, opens
//! anything but a regular file (a FIFO would block the walk), or reads more than the size
//! cap. Every file passed over is listed in a note with the reason, and a file whose lint
//! fails with an internal error is listed too while the others are still linted.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::panic::AssertUnwindSafe;
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
    /// Whether the text of files with findings is kept (the human format shows excerpts).
    pub keep_sources: bool,
    /// Whether every rule evaluation is kept (JUnit and the readiness report list them).
    pub keep_evaluations: bool,
}

/// Stack of each linting thread: parsers and evaluators bound their recursion, and this
/// leaves a wide margin under those bounds in unoptimised builds too.
const LINT_STACK_BYTES: usize = 16 * 1024 * 1024;

/// What a walk found.
#[derive(Default)]
pub struct Scan {
    /// One report per file read.
    pub reports: Vec<FileReport>,
    /// Files skipped, and why.
    pub notes: Vec<Note>,
    /// Files whose lint failed with an internal error (also in `notes`).
    pub internal_errors: Vec<Note>,
}

/// A file the walk found.
struct Candidate {
    path: PathBuf,
    shown: String,
}

/// The path as found, without `.` components: two spellings of one file compare equal, and
/// two files whose names differ only in bytes that are not UTF-8 (and so are shown alike)
/// do not.
fn identity(path: &Path) -> PathBuf {
    path.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect()
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
    // Paths are compared only when their shown names tie (rare): building them allocates.
    candidates.sort_by(|a, b| a.shown.cmp(&b.shown).then_with(|| identity(&a.path).cmp(&identity(&b.path))));
    candidates.dedup_by(|a, b| a.shown == b.shown && identity(&a.path) == identity(&b.path));
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
    let lint_one = |unit: &Vec<Candidate>| {
        let mut result = guarded(unit, || lint_unit(unit, options, linter, &modules));
        // What no output reads is let go at once: a run's memory is then its findings.
        if let Ok((reports, _)) = &mut result {
            for report in reports {
                if !options.keep_sources {
                    report.source = None;
                }
                if !options.keep_evaluations {
                    report.evaluations = Vec::new();
                }
            }
        }
        progress.done(unit.len());
        result
    };
    let results: Vec<Linted> = match rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .stack_size(LINT_STACK_BYTES)
        .build()
    {
        Ok(pool) => pool.install(|| units.par_iter().map(lint_one).collect()),
        // No thread to be had: lint here, one unit after the other.
        Err(_) => units.iter().map(lint_one).collect(),
    };
    let mut scan = Scan::default();
    for linted in results {
        let (reports, unit_notes) = match linted {
            Ok(done) => done,
            Err(failed) => {
                scan.internal_errors.extend(failed.iter().cloned());
                (Vec::new(), failed)
            }
        };
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
    scan.internal_errors.sort_by(|a, b| (&a.file, &a.reason).cmp(&(&b.file, &b.reason)));
    scan
}

/// A unit's reports and notes, or the notes saying it failed with an internal error.
type Linted = Result<(Vec<FileReport>, Vec<Note>), Vec<Note>>;

thread_local! {
    /// Set while a unit is linted on this thread: the panic hook leaves the message here
    /// instead of printing it, and the unit is reported as an internal error.
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Called by the panic hook: keep `message` for the unit being linted on this thread, if any.
/// Returns whether it was kept (else the hook prints it).
pub fn keep_panic_message(message: &str) -> bool {
    PANIC_MESSAGE.with(|slot| match slot.try_borrow_mut() {
        Ok(mut slot) if slot.is_some() => {
            *slot = Some(message.to_string());
            true
        }
        _ => false,
    })
}

/// Lint a unit; a panic (a bug) becomes a note on each of its files instead of ending the
/// run, so one file that trips a bug does not hide the findings of all the others.
fn guarded(unit: &[Candidate], lint: impl FnOnce() -> (Vec<FileReport>, Vec<Note>)) -> Linted {
    PANIC_MESSAGE.with(|slot| slot.replace(Some(String::new())));
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(lint));
    let message = PANIC_MESSAGE.with(|slot| slot.replace(None)).unwrap_or_default();
    outcome.map_err(|_| {
        unit.iter()
            .map(|candidate| Note {
                file: candidate.shown.clone(),
                reason: format!("internal error while linting (please report it): {message}"),
            })
            .collect()
    })
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
    // Anything but a directory named on the command line is judged like a walked file (a
    // symbolic link or a FIFO named there is skipped with a note, not followed or opened).
    let explicit_file = !root.is_dir();
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
                // A path given on the command line is taken as it is (a symbolic link to a
                // directory included); only what the walk finds below it is judged here.
                Ok(entry) if entry.depth() == 0 && !explicit_file => (None, None),
                Ok(entry) => {
                    let skip = |reason: &str| {
                        let shown = display_path(entry.path(), root, cwd);
                        (None, Some(Note { file: shown, reason: format!("skipped: {reason}") }))
                    };
                    match entry.file_type() {
                        Some(kind) if kind.is_file() => inspect(entry.path(), root, cwd, options),
                        Some(kind) if kind.is_dir() => (None, None),
                        Some(kind) if kind.is_symlink() => skip("symbolic link (not followed)"),
                        Some(kind) => skip(&format!("not a regular file ({})", describe(kind))),
                        None => skip("not a regular file"),
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

/// What kind of special file this is, for the note that skips it.
fn describe(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "FIFO";
        }
        if kind.is_socket() {
            return "socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "device";
        }
    }
    let _ = kind;
    "special file"
}

/// Decide whether a walked file is read, or skipped with a note. Nothing is opened here:
/// the metadata of the path itself (a symbolic link is not followed) decides.
fn inspect(path: &Path, root: &Path, cwd: &Path, options: &WalkOptions) -> (Option<Candidate>, Option<Note>) {
    let shown = display_path(path, root, cwd);
    let skip =
        |reason: String| (None, Some(Note { file: shown.clone(), reason: format!("skipped: {reason}") }));
    match std::fs::symlink_metadata(path) {
        Err(e) => skip(format!("cannot read: {e}")),
        Ok(m) if m.file_type().is_symlink() => skip("symbolic link (not followed)".into()),
        Ok(m) if !m.is_file() => skip(format!("not a regular file ({})", describe(m.file_type()))),
        Ok(m) if m.len() > options.max_file_size => skip(too_large(m.len(), options.max_file_size)),
        Ok(_) => (Some(Candidate { path: path.to_path_buf(), shown: shown.clone() }), None),
    }
}

fn too_large(len: u64, max: u64) -> String {
    format!("larger than max-file-size ({len} bytes > {max} bytes)")
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Over the size cap (the size seen, when known).
    TooLarge(u64),
    /// Not a regular file any more (replaced since the walk saw it).
    NotRegular(&'static str),
    /// The system said no.
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::TooLarge(len) => write!(f, "larger than max-file-size ({len} bytes or more)"),
            ReadError::NotRegular(kind) => write!(f, "not a regular file ({kind})"),
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

/// Read a regular file of at most `max` bytes. The file is opened without following a
/// symbolic link and without blocking (a FIFO put in its place since the walk looked would
/// otherwise hang the run), then checked on the open handle, and never read past the cap
/// even if it grows meanwhile.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        open.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = open.open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(describe(metadata.file_type())));
    }
    if metadata.len() > max {
        return Err(ReadError::TooLarge(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(max.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
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
        // The file may have changed since the walk looked at it: grown, vanished, replaced.
        match read_regular(&candidate.path, options.max_file_size) {
            Ok(bytes) => files.push((candidate.shown.clone(), bytes)),
            Err(ReadError::TooLarge(len)) => notes.push(Note {
                file: candidate.shown.clone(),
                reason: format!("skipped: {}", too_large(len, options.max_file_size)),
            }),
            Err(e) => notes.push(Note { file: candidate.shown.clone(), reason: format!("skipped: {e}") }),
        }
    }
    (linter.lint_unit_with(files, modules), notes)
}

fn walk_error_note(error: &ignore::Error, root: &Path, cwd: &Path) -> Note {
    let path =
        error_path(error).map_or_else(|| display_path(root, root, cwd), |p| display_path(p, root, cwd));
    let reason = match error.io_error() {
        Some(io) => format!("skipped: cannot read: {io}"),
        None => format!("skipped: {error}"),
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
            // Names are shown lossily: bytes that are not UTF-8 and control characters (a
            // line break or an escape sequence in a file name) become U+FFFD.
            other => parts.push(
                other
                    .as_os_str()
                    .to_string_lossy()
                    .chars()
                    .map(|c| if c.is_control() { '\u{fffd}' } else { c })
                    .collect(),
            ),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(dir: &Path, name: &str) -> Candidate {
        Candidate { path: dir.join(name), shown: name.to_string() }
    }

    #[test]
    fn a_panic_while_linting_becomes_a_note_on_each_file_of_the_unit() {
        // As main's hook does: the message goes to the unit being linted on this thread.
        let previous = std::sync::Arc::new(std::panic::take_hook());
        let fallback = std::sync::Arc::clone(&previous);
        std::panic::set_hook(Box::new(move |info| {
            if !keep_panic_message("boom at here.rs:1") {
                fallback(info);
            }
        }));
        let dir = Path::new("/nonexistent");
        let unit = [candidate(dir, "a.tf"), candidate(dir, "b.tf")];
        #[allow(clippy::panic)]
        let failed = guarded(&unit, || panic!("boom"));
        let ok = guarded(&unit, || (Vec::new(), Vec::new()));
        drop(std::panic::take_hook());
        if let Ok(previous) = std::sync::Arc::try_unwrap(previous) {
            std::panic::set_hook(previous);
        }
        let notes = failed.expect_err("the panic is caught");
        let files: Vec<&str> = notes.iter().map(|n| n.file.as_str()).collect();
        assert_eq!(files, ["a.tf", "b.tf"]);
        assert!(
            notes
                .iter()
                .all(|n| n.reason == "internal error while linting (please report it): boom at here.rs:1")
        );
        assert!(ok.is_ok());
        assert!(!keep_panic_message("outside a unit"), "outside a unit the hook prints");
    }

    #[test]
    fn only_regular_files_are_read_and_never_past_the_cap() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        std::fs::write(dir.join("small.tf"), "x = 1\n").expect("write");
        std::fs::write(dir.join("big.tf"), vec![b'#'; 100]).expect("write");
        assert_eq!(read_regular(&dir.join("small.tf"), 10).expect("read"), b"x = 1\n");
        assert!(matches!(read_regular(&dir.join("big.tf"), 99), Err(ReadError::TooLarge(100))));
        assert!(matches!(read_regular(&dir.join("gone.tf"), 99), Err(ReadError::Io(_))));
        assert!(matches!(read_regular(dir, 99), Err(ReadError::NotRegular(_))));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("small.tf"), dir.join("link.tf")).expect("link");
            assert!(read_regular(&dir.join("link.tf"), 99).is_err(), "a link is not followed");
            let fifo = dir.join("pipe.tf");
            if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
                // Opened without blocking, then refused: no writer will ever come.
                assert!(matches!(read_regular(&fifo, 99), Err(ReadError::NotRegular("FIFO"))));
                let options = WalkOptions {
                    jobs: 1,
                    exclude: GlobSet::empty(),
                    max_file_size: 99,
                    keep_sources: true,
                    keep_evaluations: true,
                };
                let (found, note) = inspect(&fifo, dir, dir, &options);
                assert!(found.is_none());
                assert_eq!(note.map(|n| n.reason).as_deref(), Some("skipped: not a regular file (FIFO)"));
            }
        }
    }

    #[test]
    fn a_file_that_vanishes_after_the_walk_is_listed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        std::fs::write(dir.join("a.tf"), "resource \"aws_s3_bucket\" \"a\" {}\n").expect("write");
        let unit = [candidate(dir, "a.tf"), candidate(dir, "gone.tf")];
        let options = WalkOptions {
            jobs: 1,
            exclude: GlobSet::empty(),
            max_file_size: 1 << 20,
            keep_sources: true,
            keep_evaluations: true,
        };
        let linter = Linter::new(Vec::new(), true);
        let modules = DiskModules::new(&[dir.to_path_buf()], dir, 1 << 20);
        let (reports, notes) = lint_unit(&unit, &options, &linter, &modules);
        assert_eq!(reports.len(), 1);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].file, "gone.tf");
        assert!(notes[0].reason.starts_with("skipped: cannot read: "), "{}", notes[0].reason);
    }

    #[cfg(unix)]
    #[test]
    fn names_shown_alike_are_still_two_files() {
        use std::os::unix::ffi::OsStrExt as _;
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        for name in [&b"a\xff.tf"[..], &b"a\xfe.tf"[..]] {
            std::fs::write(dir.join(std::ffi::OsStr::from_bytes(name)), "x = 1\n").expect("write");
        }
        let options = WalkOptions {
            jobs: 1,
            exclude: GlobSet::empty(),
            max_file_size: 1 << 20,
            keep_sources: true,
            keep_evaluations: true,
        };
        let scan = scan(&[dir.to_path_buf()], &options, &Linter::new(Vec::new(), true));
        let shown: Vec<&str> = scan.reports.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown.iter().all(|s| s.ends_with("a\u{fffd}.tf")), "{shown:?}");
        let control = normalise(Path::new("x/a\nb\u{1b}.tf"));
        assert_eq!(control, "x/a\u{fffd}b\u{fffd}.tf");
    }

    #[test]
    fn shown_paths_are_relative_and_slashed() {
        let cwd = Path::new("/repo");
        assert_eq!(display_path(Path::new("./infra/db.tf"), Path::new("."), cwd), "infra/db.tf");
        assert_eq!(display_path(Path::new("/repo/k8s/a.yaml"), Path::new("/repo/k8s"), cwd), "k8s/a.yaml");
        assert_eq!(display_path(Path::new("/other/x/a.tf"), Path::new("/other/x"), cwd), "a.tf");
    }
}
