//! The identity of a run, as an auditor records it: which tool, which rules and configuration
//! (by sha256), when, and which commit of which repository. Nothing here touches the network.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::lint::Run;

/// The tool that produced the report.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// `trustlint`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
    /// sha256 of the running executable, when it can be read.
    pub sha256: Option<String>,
}

/// The rules that judged the repository.
#[derive(Debug, Serialize)]
pub struct RulePack {
    /// Version of the built-in pack.
    pub version: &'static str,
    /// Number of rules that ran.
    pub rules: usize,
    /// sha256 over the metadata of every rule that ran and the source of every policy
    /// (built-in and the user's); see [`rule_set_hash`].
    pub sha256: String,
}

/// A file that shaped the run, by content hash.
#[derive(Debug, Serialize)]
pub struct HashedFile {
    /// Its path, as given or discovered.
    pub path: String,
    /// sha256 of its bytes (absent when it could not be read again).
    pub sha256: Option<String>,
}

/// What git says of the repository the first path lies in.
#[derive(Debug, Serialize)]
pub struct Git {
    /// The full commit id of `HEAD`.
    pub commit: String,
    /// The branch, when `HEAD` is on one.
    pub branch: Option<String>,
    /// Whether `git status --porcelain` is empty (no change, no untracked file).
    pub clean: bool,
    /// The `origin` remote's URL, without credentials.
    pub remote: Option<String>,
}

impl Git {
    /// The working-tree state in words.
    pub fn tree(&self) -> &'static str {
        if self.clean {
            "clean (no uncommitted or untracked change)"
        } else {
            "has uncommitted or untracked changes"
        }
    }
}

/// The CI run, when the report is produced in GitHub Actions.
#[derive(Debug, Serialize)]
pub struct Ci {
    /// `github-actions`.
    pub provider: &'static str,
    /// The workflow run id.
    pub run_id: Option<String>,
    /// The run attempt.
    pub run_attempt: Option<String>,
    /// A link to the run.
    pub run_url: Option<String>,
    /// The workflow name.
    pub workflow: Option<String>,
    /// The ref that triggered it.
    pub git_ref: Option<String>,
    /// The runner's name.
    pub runner: Option<String>,
}

/// Everything that identifies one run.
#[derive(Debug, Serialize)]
pub struct Identity {
    /// The tool.
    pub tool: Tool,
    /// The rule set.
    pub rule_pack: RulePack,
    /// The configuration file, if one was read.
    pub config: Option<HashedFile>,
    /// The user's policy files, if any.
    pub policies: Vec<HashedFile>,
    /// When the scan started (UTC, RFC 3339).
    pub started_at: String,
    /// When the report was assembled (UTC, RFC 3339).
    pub finished_at: String,
    /// The repository state, when the scanned path is in a git work tree and git is installed.
    pub git: Option<Git>,
    /// The CI run, when there is one.
    pub ci: Option<Ci>,
}

/// The lowercase hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash_file(path: &Path) -> HashedFile {
    HashedFile {
        path: path.display().to_string(),
        sha256: std::fs::read(path).ok().map(|bytes| sha256_hex(&bytes)),
    }
}

/// The hash of the rule set: each rule's metadata as JSON (id order), then each built-in
/// policy source and each user policy file, framed by their paths. Native rules' code is
/// identified by the tool's version and hash.
pub fn rule_set_hash(run: &Run) -> String {
    let mut hasher = Sha256::new();
    for meta in run.rules.values() {
        hasher.update(serde_json::to_vec(meta).unwrap_or_default());
        hasher.update(b"\n");
    }
    for (path, text) in trustlint_rules::policy_sources() {
        frame(&mut hasher, path, text.as_bytes());
    }
    for path in &run.policy_files {
        frame(&mut hasher, &path.display().to_string(), &std::fs::read(path).unwrap_or_default());
    }
    hex(&hasher.finalize())
}

/// Length-prefixed, so that no two different sets of files hash alike by concatenation.
fn frame(hasher: &mut Sha256, path: &str, bytes: &[u8]) {
    hasher.update((path.len() as u64).to_le_bytes());
    hasher.update(path.as_bytes());
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

/// Collect the identity of `run`, which scanned `paths` starting at `started`.
pub fn collect(run: &Run, paths: &[PathBuf], started: SystemTime) -> Identity {
    let executable = std::env::current_exe().ok().and_then(|exe| std::fs::read(exe).ok());
    Identity {
        tool: Tool {
            name: "trustlint",
            version: env!("CARGO_PKG_VERSION"),
            sha256: executable.map(|bytes| sha256_hex(&bytes)),
        },
        rule_pack: RulePack {
            version: trustlint_rules::VERSION,
            rules: run.rules.len(),
            sha256: rule_set_hash(run),
        },
        config: run.config_path.as_deref().map(hash_file),
        policies: run.policy_files.iter().map(|p| hash_file(p)).collect(),
        started_at: rfc3339(started),
        finished_at: rfc3339(SystemTime::now()),
        git: git(&git_dir(paths)),
        ci: ci(),
    }
}

/// Where to ask git: the first path, or its directory when it is a file.
fn git_dir(paths: &[PathBuf]) -> PathBuf {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    if first.is_file() {
        match first.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        }
    } else {
        first
    }
}

/// Run `git -C dir ARGS` and return its trimmed standard output when it succeeds.
fn git_output(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        // Never prompt, and never take the index lock: the report only reads the repository.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim_end().to_string())
}

/// The repository state, or `None` when git is missing or `dir` is not in a work tree.
fn git(dir: &Path) -> Option<Git> {
    let commit = git_output(dir, &["rev-parse", "--verify", "HEAD"])?;
    let status = git_output(dir, &["status", "--porcelain"])?;
    let branch = git_output(dir, &["symbolic-ref", "--quiet", "--short", "HEAD"]).filter(|b| !b.is_empty());
    let remote = git_output(dir, &["remote", "get-url", "origin"])
        .filter(|r| !r.is_empty())
        .map(|r| without_credentials(&r));
    Some(Git { commit, branch, clean: status.is_empty(), remote })
}

/// A URL with any `user:password@` removed: a remote may carry a token.
fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.split_once('/') {
                Some((authority, path)) => (authority, format!("/{path}")),
                None => (rest, String::new()),
            };
            let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
            format!("{scheme}://{host}{path}")
        }
        // scp-like `git@github.com:org/repo.git`: the user is not a secret.
        None => url.to_string(),
    }
}

fn ci() -> Option<Ci> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if var("GITHUB_ACTIONS").as_deref() != Some("true") {
        return None;
    }
    let run_id = var("GITHUB_RUN_ID");
    let run_url = match (var("GITHUB_SERVER_URL"), var("GITHUB_REPOSITORY"), &run_id) {
        (Some(server), Some(repository), Some(id)) => {
            Some(format!("{server}/{repository}/actions/runs/{id}"))
        }
        _ => None,
    };
    Some(Ci {
        provider: "github-actions",
        run_id,
        run_attempt: var("GITHUB_RUN_ATTEMPT"),
        run_url,
        workflow: var("GITHUB_WORKFLOW"),
        git_ref: var("GITHUB_REF"),
        runner: var("RUNNER_NAME"),
    })
}

/// A time as RFC 3339 in UTC, to the second: `2026-01-31T09:30:00Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap_day = SystemTime::UNIX_EPOCH + Duration::from_secs(951_827_696);
        assert_eq!(rfc3339(leap_day), "2000-02-29T12:34:56Z");
    }

    #[test]
    fn sha256_matches_the_standard_vector() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn credentials_are_removed_from_remotes() {
        assert_eq!(
            without_credentials("https://x-access-token:ghp_secret@github.com/org/repo.git"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(without_credentials("https://github.com/org/repo"), "https://github.com/org/repo");
        assert_eq!(without_credentials("git@github.com:org/repo.git"), "git@github.com:org/repo.git");
    }
}
