//! ## What it checks
//! Every `ADD` instruction of every stage, by its sources (all arguments but the last):
//! - **Remote, unverified (medium):** an `http://` or `https://` URL, or a Git repository
//!   (`git@host:org/repo.git`, `git://...`, `ssh://...`, an `https://...` URL ending in `.git`),
//!   without `--checksum=sha256:...` (Dockerfile syntax 1.6 and later). A Git source also
//!   counts as pinned when it names a full commit: `#<40 or 64 hex digits>`, or
//!   `?checksum=<commit>` / `?commit=<commit>` (Dockerfile syntax 1.18).
//! - **Local, where `COPY` would do (low):** a file or directory of the build context. A
//!   local archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tbz2`, `.tar.xz`, `.txz`,
//!   `.tar.zst`) passes: unpacking it is what `ADD` is for and `COPY` cannot do it.
//!
//! One finding per instruction, the remote case first. Sources written with variables are
//! expanded from the `ARG`/`ENV` defaults in scope; one that cannot be resolved makes the
//! result unknown. Heredoc sources (`ADD <<EOF /dst`) are inline text and are not judged.
//!
//! This rule is native because it needs the instruction flags and the variable scope of the
//! Dockerfile model.
//!
//! ## Why it matters (CC6.8, PI1.2)
//! An `ADD <url>` downloads whatever the server returns at build time: a compromised or
//! hijacked download site, or a moved Git branch, puts unreviewed code in the image with
//! nothing to notice it. A checksum makes the build fail instead. This keeps malicious
//! software out of the build (CC6.8) and the build's inputs complete and accurate (PI1.2).
//! `ADD` of local files has surprising side effects (archives are unpacked), so `COPY` is the
//! predictable instruction for them.
//!
//! ## Failing example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-amd64 /tini
//! ADD requirements.txt /app/
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! # syntax=docker/dockerfile:1.6
//! FROM debian:bookworm-slim
//! ADD --checksum=sha256:93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c \
//!     https://github.com/krallin/tini/releases/download/v0.19.0/tini-amd64 /tini
//! COPY requirements.txt /app/
//! ADD rootfs.tar.gz /
//! ```
//!
//! ## Fix
//! Add `--checksum=sha256:<digest of the file>` to remote `ADD`s (or download with `curl` in a
//! `RUN` and verify with `sha256sum -c`); pin Git sources to a commit; use `COPY` for local
//! files.

use trustlint_engine::model::dockerfile::{Scope, stages_of, visit_scopes};
use trustlint_engine::parse::dockerfile::{Args, Instruction};

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-DOCKER-002",
        name: "add-remote-url-without-checksum",
        title: "ADD downloads a remote source without a checksum",
        severity: Severity::Medium,
        criteria: &["CC6.8", "PI1.2"],
        help: "Add `--checksum=sha256:<digest>` to `ADD <url>` (pin Git sources to a commit); use `COPY` for local files.",
        checkov: &["CKV_DOCKER_4"],
        kics: &["9513a694-aa0d-41d8-be61-3271e056f36b"],
        trivy: &["AVD-DS-0005"],
        other: &[],
        bindings: &[(Target::Dockerfile, &["stage"])],
    }
}

/// Archive suffixes `ADD` unpacks from the build context (gzip, bzip2, xz, zstd, plain tar).
const ARCHIVES: [&str; 9] = [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst"];

/// What one `ADD` source is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A URL or Git repository whose content is not verified.
    RemoteUnverified(String),
    /// A URL or Git repository pinned by checksum or commit.
    RemotePinned,
    /// A local archive that `ADD` unpacks.
    LocalArchive,
    /// A local path `COPY` would copy the same way.
    Local(String),
    /// Written with a variable whose value is not known.
    Unknown,
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Syntax::Dockerfile(df) = file.syntax else { return };
    let stages = stages_of(df);
    let Some(stage) = stages.get(resource.index) else { return };
    visit_scopes(df, stages, stage, |at, scope| {
        let Some(instruction) = df.instructions.get(at) else { return };
        if instruction.keyword != "ADD" || !instruction.heredocs.is_empty() {
            return;
        }
        let checksum = instruction.flag("checksum").is_some_and(|f| f.value.as_deref().is_some_and(|v| !v.is_empty()));
        let judged: Vec<Source> =
            sources(instruction).iter().map(|s| classify(s, scope, checksum)).collect();
        if let Some(Source::RemoteUnverified(url)) = judged.iter().find(|s| matches!(s, Source::RemoteUnverified(_))) {
            out.fail(instruction.first_line, format!("`ADD {url}` downloads without `--checksum`: its content is not verified"));
        } else if judged.contains(&Source::Unknown) {
            out.unknown();
        } else if let Some(Source::Local(path)) = judged.iter().find(|s| matches!(s, Source::Local(_))) {
            out.fail(instruction.first_line, format!("`ADD {path}` copies a local path: use `COPY`"))
                .severity(Severity::Low);
        }
    });
}

/// The source arguments of an `ADD` (every argument but the destination).
fn sources(instruction: &Instruction) -> Vec<String> {
    let mut words = match &instruction.args {
        Args::Exec { items, .. } => items.iter().map(|(s, _)| s.clone()).collect(),
        Args::Shell { text, .. } => shell_words(text),
    };
    words.pop();
    words
}

/// Split shell-form arguments into words, keeping quotes (the scope's expansion removes them).
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                current.push(c);
            }
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                current.push(c);
            }
            None if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            None => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn classify(written: &str, scope: &Scope, checksum: bool) -> Source {
    let Some(source) = scope.expand(written) else { return Source::Unknown };
    let lower = source.to_ascii_lowercase();
    let git = is_git(&lower);
    let http = lower.starts_with("http://") || lower.starts_with("https://");
    if git || http {
        if checksum || (git && git_commit_pinned(&lower)) {
            return Source::RemotePinned;
        }
        return Source::RemoteUnverified(source);
    }
    if ARCHIVES.iter().any(|suffix| lower.ends_with(suffix)) {
        return Source::LocalArchive;
    }
    Source::Local(source)
}

/// The forms BuildKit reads as a Git repository.
fn is_git(lower: &str) -> bool {
    let without_fragment = lower.split(['#', '?']).next().unwrap_or(lower);
    lower.starts_with("git@")
        || lower.starts_with("git://")
        || lower.starts_with("ssh://")
        || lower.starts_with("git+")
        || ((lower.starts_with("https://") || lower.starts_with("http://")) && without_fragment.ends_with(".git"))
}

/// A Git source naming a full commit: `#<sha>`, `#<sha>:subdir`, `?checksum=<sha>`, `?commit=<sha>`.
fn git_commit_pinned(lower: &str) -> bool {
    let full_sha = |s: &str| (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some((_, fragment)) = lower.split_once('#') {
        let reference = fragment.split(':').next().unwrap_or(fragment);
        if full_sha(reference) {
            return true;
        }
    }
    if let Some((_, query)) = lower.split_once('?') {
        let query = query.split('#').next().unwrap_or(query);
        return query.split('&').any(|pair| match pair.split_once('=') {
            Some(("checksum" | "commit", value)) => full_sha(value),
            _ => false,
        });
    }
    false
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::dockerfile::resources;
    use trustlint_engine::parse::dockerfile::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    /// A finding's line, message and severity override.
    type Found = (usize, String, Option<Severity>);

    /// Every finding, and the result per stage.
    fn run(text: &str) -> (Vec<Found>, Vec<CheckResult>) {
        let source = SourceFile::new("Dockerfile", text);
        let Ok(df) = parse(&source.text) else { panic!("parse failed") };
        let syntax = Syntax::Dockerfile(df);
        let Syntax::Dockerfile(df) = &syntax else { unreachable!() };
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut found = Vec::new();
        let mut results = Vec::new();
        for resource in resources(df) {
            let mut out = Outcome::default();
            check(&resource, &file, &mut out);
            results.push(out.result());
            found.extend(
                out.violations.iter().map(|v| (source.location(v.span.start).line, v.message.clone(), v.severity)),
            );
        }
        (found, results)
    }

    #[test]
    fn remote_sources_need_a_checksum() {
        let (found, _) = run("FROM alpine:3.20\nADD https://example.com/tool.tar.gz /opt/\n");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].2), (2, None));
        assert!(found[0].1.contains("https://example.com/tool.tar.gz"), "{}", found[0].1);
        let pinned = "FROM alpine:3.20\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/\n";
        assert_eq!(run(pinned).1, vec![CheckResult::Pass]);
        assert_eq!(run("FROM a:1\nADD [\"http://example.com/x\", \"/x\"]\n").0.len(), 1);
    }

    #[test]
    fn git_sources_pass_with_a_commit() {
        for src in [
            "https://github.com/moby/buildkit.git#v0.10.1",
            "git@github.com:moby/buildkit.git",
            "https://github.com/moby/buildkit.git?branch=main",
        ] {
            assert_eq!(run(&format!("FROM a:1\nADD {src} /src\n")).0.len(), 1, "{src}");
        }
        for src in [
            format!("https://github.com/moby/buildkit.git#{SHA}"),
            format!("https://github.com/moby/buildkit.git#{SHA}:docs"),
            format!("https://github.com/moby/buildkit.git?commit={SHA}"),
            format!("git@github.com:moby/buildkit.git?ref=v1&checksum={SHA}"),
        ] {
            assert_eq!(run(&format!("FROM a:1\nADD {src} /src\n")).1, vec![CheckResult::Pass], "{src}");
        }
    }

    #[test]
    fn local_paths_are_low_and_archives_pass() {
        let (found, _) = run("FROM a:1\nADD . /app\n");
        assert_eq!(found[0].2, Some(Severity::Low));
        assert_eq!(run("FROM a:1\nADD rootfs.tar.gz /\nADD [\"vendor.tgz\", \"/v/\"]\n").1, vec![CheckResult::Pass]);
        // Remote wins over local in one instruction.
        let (found, _) = run("FROM a:1\nADD app.conf https://example.com/x /etc/\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2, None);
    }

    #[test]
    fn variables_resolve_or_are_unknown() {
        let text = "FROM a:1\nARG URL=https://example.com/x.bin\nADD ${URL} /x\n";
        assert_eq!(run(text).0.len(), 1);
        assert_eq!(run("FROM a:1\nARG URL\nADD $URL /x\n").1, vec![CheckResult::Unknown]);
        assert_eq!(run("FROM a:1\nADD \"my file.txt\" /x\n").0.len(), 1);
    }

    #[test]
    fn every_stage_judges_its_own_add() {
        let text = "FROM a:1 AS fetch\nADD https://example.com/x /x\nFROM b:1\nCOPY --from=fetch /x /x\n";
        assert_eq!(run(text).1, vec![CheckResult::Fail, CheckResult::Pass]);
        assert_eq!(run("FROM a:1\nADD <<EOF /etc/motd\nhello\nEOF\n").1, vec![CheckResult::Pass]);
    }
}
