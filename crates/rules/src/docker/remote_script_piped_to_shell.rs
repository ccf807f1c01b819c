//! ## What it checks
//! Every `RUN` instruction of every build stage, in all its forms: the shell form (with line
//! continuations), the exec form that runs a shell (`RUN ["sh", "-c", "..."]`), and heredocs
//! (`RUN <<EOF`, `RUN bash <<EOF`). The script is parsed as shell (tree-sitter-bash, not
//! pattern matching) and the rule fails where downloaded content is executed without
//! verification:
//! - piped into an interpreter, directly or through filters such as `tee` or `gunzip`:
//!   `curl -fsSL https://... | sh`, `wget -qO- ... | sudo bash -s --`, `curl ... | python3`;
//! - run as program text: `sh -c "$(curl ...)"`, `eval "$(wget -O- ...)"`;
//! - run as a script file: `bash <(curl ...)`, `source <(curl ...)`;
//! - saved to a file that is then run (`curl -o install.sh ... && sh install.sh`) with no
//!   checksum or signature verification (`sha256sum -c`, `sha512sum --check`,
//!   `shasum -a 256 -c`, `gpg --verify`) between the download and the execution that stops
//!   the build when it fails (joined by `&&`, under `set -e`, or followed by `|| exit 1`).
//!
//! A download piped straight into an interpreter fails even when the script checks a
//! checksum elsewhere: the bytes that run are never the bytes that were checked. The finding
//! points at the download command. Text that is only data (`echo 'curl ... | sh'`) and
//! downloads fed to non-interpreters (`curl ... | tar -xz`, `curl ... | python3 -c '...'`
//! reading JSON) pass. Stages whose `SHELL` is not a POSIX shell (PowerShell, cmd) are not
//! analysed.
//!
//! ## Why it matters (CC6.8, CC8.1)
//! Whatever the server returns at build time runs as root in the image: a compromised
//! download host, a hijacked domain or a man-in-the-middle on a mirror puts their code in
//! every image built, and two builds of the same Dockerfile can install different code. That
//! is unauthorised software entering the environment without detection (CC6.8) and a change
//! that bypasses review (CC8.1). Pinning the artifact by checksum or verifying its signature
//! makes the build fail instead.
//!
//! ## Failing example
//! ```dockerfile
//! FROM debian:12-slim
//! RUN apt-get update && apt-get install -y curl \
//!  && curl -fsSL https://get.example.com/install.sh | sh -s -- --version 1.4.2
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM debian:12-slim
//! ARG INSTALLER_SHA256=6f1e2c0b4a7d9e8f3c5b1a2d4e6f8091a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3
//! RUN curl -fsSLo /tmp/install.sh https://get.example.com/v1.4.2/install.sh \
//!  && echo "${INSTALLER_SHA256}  /tmp/install.sh" | sha256sum -c - \
//!  && sh /tmp/install.sh --version 1.4.2
//! ```
//!
//! ## Fix
//! Download to a file, verify it against a checksum pinned in the Dockerfile
//! (`sha256sum -c`) or a signature (`gpg --verify`) in the same `&&` chain, then run it. Better
//! still, install from the distribution's package manager or copy a pinned artifact with
//! `ADD --checksum=sha256:...`.

use std::sync::LazyLock;

use regex::Regex;
use trustlint_engine::parse::dockerfile::{Args, Dockerfile, Instruction};
use trustlint_engine::shell::{self, RemoteExecution, SpanMap, Via};

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-DOCKER-003",
        name: "remote-script-piped-to-shell",
        title: "Remote script executed without verification",
        severity: Severity::High,
        criteria: &["CC6.8", "CC8.1"],
        help: "Download to a file, verify it with `sha256sum -c` (or `gpg --verify`) in the same `&&` chain, then run it.",
        checkov: &[],
        kics: &[],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Dockerfile, &["stage"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Syntax::Dockerfile(df) = file.syntax else { return };
    let text = file.source.text.as_str();
    let mut posix_shell = true;
    for instruction in stage_instructions(df, resource.index) {
        match instruction.keyword.as_str() {
            "SHELL" => posix_shell = is_posix_shell(instruction),
            "RUN" if posix_shell => check_run(instruction, text, out),
            _ => {}
        }
    }
}

/// The instructions of stage `index`: from its `FROM` up to the next `FROM`.
fn stage_instructions(df: &Dockerfile, index: usize) -> &[Instruction] {
    let stages = trustlint_engine::model::dockerfile::stages_of(df);
    let Some(stage) = stages.get(index) else { return &[] };
    df.instructions.get(stage.instructions.clone()).unwrap_or(&[])
}

/// Whether a `SHELL ["...", ...]` instruction selects a POSIX shell.
fn is_posix_shell(instruction: &Instruction) -> bool {
    let Args::Exec { items, .. } = &instruction.args else { return true };
    let program = items.first().map(|(item, _)| base_name(item).to_ascii_lowercase()).unwrap_or_default();
    !matches!(program.as_str(), "powershell" | "powershell.exe" | "pwsh" | "pwsh.exe" | "cmd" | "cmd.exe")
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn check_run(instruction: &Instruction, text: &str, out: &mut Outcome) {
    let mut reported: Vec<Span> = Vec::new();
    for (script, map) in run_scripts(instruction, text) {
        let report = shell::analyse(&script);
        if report.too_deep {
            out.unknown();
        }
        for execution in &report.remote_executions {
            let span = map.map(execution.download);
            if reported.contains(&span) {
                continue;
            }
            reported.push(span);
            out.fail(span, message(execution));
        }
    }
}

fn message(execution: &RemoteExecution) -> String {
    let (downloader, interpreter) = (&execution.downloader, &execution.interpreter);
    match &execution.via {
        Via::Pipe => {
            format!("`{downloader}` output is piped into `{interpreter}`: remote code runs at build time unverified")
        }
        Via::CommandSubstitution => format!(
            "`{downloader}` output is executed by `{interpreter}` as program text: remote code runs at build time unverified"
        ),
        Via::ProcessSubstitution => format!(
            "`{interpreter}` runs a script streamed from `{downloader}`: remote code runs at build time unverified"
        ),
        // Run directly (`./install.sh`): the "interpreter" is the file itself.
        Via::SavedFile(path) if base_name(path) == interpreter.as_str() => {
            format!("`{downloader}` saves `{path}`, which is then run with no checksum or signature check first")
        }
        Via::SavedFile(path) => format!(
            "`{downloader}` saves `{path}`, which `{interpreter}` then runs with no checksum or signature check first"
        ),
    }
}

/// The shell scripts a `RUN` runs, each with the map from its offsets back to the file.
fn run_scripts(instruction: &Instruction, text: &str) -> Vec<(String, SpanMap)> {
    let fallback = instruction.span;
    // Alignment searches from the arguments to the end of the instruction: the derived text
    // is that stretch with continuations, comment lines and escapes removed.
    let from = |span: Span| text.get(span.start..instruction.span.end.max(span.start)).unwrap_or("");
    match &instruction.args {
        Args::Exec { items, .. } => exec_script(items)
            .map(|(script, span)| {
                let map = SpanMap::aligned(script, from(span), span.start, fallback);
                vec![(script.to_string(), map)]
            })
            .unwrap_or_default(),
        Args::Shell { text: command, span } => {
            let mut scripts = Vec::new();
            if instruction.heredocs.is_empty() {
                scripts.push((command.clone(), SpanMap::aligned(command, from(*span), span.start, fallback)));
            } else if is_bare_heredoc(command) {
                // `RUN <<EOF`: each body is the script itself.
                for heredoc in instruction.heredocs.iter().filter(|h| runs_as_shell(&h.body)) {
                    let map = SpanMap::aligned(&heredoc.body, from(heredoc.span), heredoc.span.start, fallback);
                    scripts.push((heredoc.body.clone(), map));
                }
            } else {
                // `RUN bash <<EOF`: the command line and its heredocs form one script.
                let mut script = command.clone();
                let mut map = SpanMap::fallback(fallback);
                map.append(&SpanMap::aligned(command, from(*span), span.start, fallback), 0);
                for heredoc in &instruction.heredocs {
                    script.push('\n');
                    let body_map = SpanMap::aligned(&heredoc.body, from(heredoc.span), heredoc.span.start, fallback);
                    map.append(&body_map, script.len());
                    script.push_str(&heredoc.body);
                    if !heredoc.body.ends_with('\n') {
                        script.push('\n');
                    }
                    script.push_str(&heredoc.delimiter);
                }
                scripts.push((script, map));
            }
            scripts
        }
    }
}

/// The script of an exec-form `RUN` that runs a shell: `["sh", "-c", "SCRIPT"]`,
/// `["/bin/bash", "-euo", "pipefail", "-c", "SCRIPT"]`.
fn exec_script(items: &[(String, Span)]) -> Option<(&str, Span)> {
    let (program, _) = items.first()?;
    if !matches!(base_name(program), "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh") {
        return None;
    }
    let mut inline = false;
    let mut rest = items.iter().skip(1);
    while let Some((item, span)) = rest.next() {
        if item.len() > 1 && (item.starts_with('-') || item.starts_with('+')) && !item.starts_with("--") {
            inline |= item.contains('c');
            if item.contains('o') {
                rest.next();
            }
            continue;
        }
        return inline.then_some((item.as_str(), *span));
    }
    None
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`. A constant pattern: it compiles (a test says
/// so); `None` would only make every heredoc `RUN` count as a command line.
static HEREDOC_MARKER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"<<-?\s*(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z0-9_.\-]+)"#).ok());

/// A `RUN` whose command line holds nothing but heredoc markers.
fn is_bare_heredoc(command: &str) -> bool {
    HEREDOC_MARKER.as_ref().is_some_and(|re| re.replace_all(command, "").trim().is_empty())
}

/// A heredoc body BuildKit runs with the stage's shell, or with a shell named on its `#!`
/// line; a body whose `#!` names another interpreter (Python, Node) is not shell.
fn runs_as_shell(body: &str) -> bool {
    let Some(shebang) = body.strip_prefix("#!") else { return true };
    let mut words = shebang.lines().next().unwrap_or("").split_whitespace();
    let mut program = words.next().map(base_name).unwrap_or("");
    if program == "env" {
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    matches!(program, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;

    use super::*;

    fn dockerfile(src: &str) -> Dockerfile {
        trustlint_engine::parse::dockerfile::parse(src).expect("test Dockerfiles parse")
    }

    /// The texts the findings on stage `index` point at.
    fn findings_at(src: &str, index: usize) -> (Vec<String>, Outcome) {
        let source = SourceFile::new("Dockerfile", src);
        let syntax = Syntax::Dockerfile(dockerfile(src));
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let resource = Resource::bare(Target::Dockerfile, "stage", format!("stage[{index}]"), Span::default(), index);
        let mut out = Outcome::default();
        check(&resource, &file, &mut out);
        let texts = out.violations.iter().map(|v| src[v.span.start..v.span.end].to_string()).collect();
        (texts, out)
    }

    fn findings(src: &str) -> Vec<String> {
        findings_at(src, 0).0
    }

    #[test]
    fn shell_form_points_at_the_download_across_continuations() {
        let src = "FROM debian:12-slim\nRUN apt-get update \\\n  # tools\n  && curl -fsSL \\\n     https://get.example.com | sh -s -- -y\n";
        assert_eq!(findings(src), ["curl -fsSL \\\n     https://get.example.com"]);
        let (_, out) = findings_at(src, 0);
        let message = &out.violations[0].message;
        assert!(message.contains("`curl` output is piped into `sh`"), "{message}");
        assert!(!message.contains("example.com"), "{message}");
    }

    #[test]
    fn exec_form_shell_scripts_are_analysed() {
        let src = "FROM alpine:3.20\nRUN [\"/bin/sh\", \"-c\", \"wget -qO- https://x.example | sh\"]\n";
        assert_eq!(findings(src), ["wget -qO- https://x.example"]);
        let src = "FROM alpine:3.20\nRUN [\"bash\", \"-euo\", \"pipefail\", \"-c\", \"echo \\\"go\\\" && curl https://x.example | bash\"]\n";
        assert_eq!(findings(src), ["curl https://x.example"]);
        // Exec form without a shell runs no pipeline.
        assert!(findings("FROM alpine:3.20\nRUN [\"curl\", \"-o\", \"/tmp/x\", \"https://x.example\"]\n").is_empty());
    }

    #[test]
    fn heredocs_are_analysed() {
        let src = "FROM alpine:3.20\nRUN <<EOF\nset -e\napk add curl\ncurl -fsSL https://x.example | sh\nEOF\nUSER 10001\n";
        assert_eq!(findings(src), ["curl -fsSL https://x.example"]);
        let src = "FROM alpine:3.20\nRUN bash -e <<'EOF'\ncd /tmp\nwget -qO- https://x.example | bash\nEOF\n";
        assert_eq!(findings(src), ["wget -qO- https://x.example"]);
        let src = "FROM alpine:3.20\nRUN <<-EOF\n\tcurl -fsSL https://x.example | sh\n\tEOF\n";
        assert_eq!(findings(src), ["curl -fsSL https://x.example"]);
        // A Python heredoc is not shell; cat's heredoc is data.
        let src = "FROM python:3.12\nRUN <<EOF\n#!/usr/bin/env python3\nprint('curl https://x | sh')\nEOF\n";
        assert!(findings(src).is_empty());
        let src = "FROM alpine:3.20\nRUN cat <<EOF > /etc/motd\ncurl https://x.example | sh\nEOF\n";
        assert!(findings(src).is_empty());
    }

    #[test]
    fn substitutions_and_saved_files_fail() {
        let src = "FROM alpine:3.20\nRUN sh -c \"$(curl -fsSL https://x.example)\"\n";
        assert_eq!(findings(src), ["curl -fsSL https://x.example"]);
        let src = "FROM alpine:3.20\nRUN bash <(curl -fsSL https://x.example)\n";
        assert_eq!(findings(src), ["curl -fsSL https://x.example"]);
        let src = "FROM alpine:3.20\nRUN curl -fsSLo /tmp/i.sh https://x.example && sh /tmp/i.sh\n";
        let (texts, out) = findings_at(src, 0);
        assert_eq!(texts, ["curl -fsSLo /tmp/i.sh https://x.example"]);
        assert!(out.violations[0].message.contains("saves `/tmp/i.sh`, which `sh` then runs"));
        let src = "FROM alpine:3.20\nRUN curl -fsSLo /tmp/i.sh https://x.example && chmod +x /tmp/i.sh && /tmp/i.sh\n";
        let (_, out) = findings_at(src, 0);
        assert!(out.violations[0].message.contains("saves `/tmp/i.sh`, which is then run"));
    }

    #[test]
    fn verified_downloads_and_data_pass() {
        let src = "FROM alpine:3.20\nRUN curl -fsSLo /tmp/i.sh https://x.example \\\n && echo \"abc  /tmp/i.sh\" | sha256sum -c - \\\n && sh /tmp/i.sh\n";
        assert!(findings(src).is_empty());
        let src = "FROM alpine:3.20\nRUN echo 'curl https://x | sh' > /README\nRUN curl -fsSL https://x.example/a.tgz | tar -xz\n";
        assert!(findings(src).is_empty());
    }

    #[test]
    fn only_the_stage_judged_is_searched() {
        let src = "FROM golang:1.22 AS build\nRUN curl -fsSL https://x.example | sh\nFROM alpine:3.20\nRUN apk add git\n";
        assert_eq!(findings_at(src, 0).0, ["curl -fsSL https://x.example"]);
        assert!(findings_at(src, 1).0.is_empty());
        assert!(findings_at(src, 7).0.is_empty());
        // A RUN before the first FROM belongs to no stage.
        assert!(findings_at("RUN curl https://x | sh\n", 0).0.is_empty());
    }

    #[test]
    fn non_posix_shells_are_skipped() {
        let src = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN curl https://x.example | sh\nSHELL [\"/bin/sh\", \"-c\"]\nRUN curl https://y.example | sh\n";
        assert_eq!(findings(src), ["curl https://y.example"]);
    }

    #[test]
    fn one_finding_per_download() {
        let src = "FROM alpine:3.20\nRUN curl https://x.example | tee /tmp/i.sh | sh && sh /tmp/i.sh\n";
        assert_eq!(findings(src), ["curl https://x.example"]);
    }

    #[test]
    fn the_heredoc_pattern_compiles() {
        assert!(HEREDOC_MARKER.is_some());
        assert!(is_bare_heredoc("<<EOF"));
        assert!(is_bare_heredoc("<<-'EOF' <<\"B\""));
        assert!(!is_bare_heredoc("bash <<EOF"));
    }
}
