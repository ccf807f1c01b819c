//! ## What it checks
//! The install commands of Dockerfile `RUN` instructions (shell and exec form, heredocs
//! included) and of workflow and composite-action `run:` steps, for installs that bypass the
//! lockfile or pull unpinned packages:
//! - `npm install` / `npm i` (any alias) with no package names: it resolves `package.json`
//!   again and may rewrite `package-lock.json`; `npm ci` installs exactly the lockfile and
//!   fails when it is out of date. Dockerfiles and workflows.
//! - `yarn` / `yarn install` without `--frozen-lockfile` (Yarn 1) or `--immutable` (Yarn 2+):
//!   fails in Dockerfiles. In workflows the result is unknown: Yarn 2+ turns `--immutable` on
//!   by itself when the `CI` variable is set, as GitHub's runners set it, and which Yarn a
//!   repository uses is in files this rule cannot see.
//! - `pnpm install` / `pnpm i` without `--frozen-lockfile` in a Dockerfile whose scope does not
//!   set `CI` (pnpm freezes the lockfile by itself on CI, so workflows pass).
//! - In Dockerfiles only, as the catalogue asks: packages installed by name without an exact
//!   version, `pip install flask` or `pip install "django>=4"` (only `==`/`===` pins), and
//!   `npm install -g typescript` or `npm i pkg@latest` (a version must start with a digit and
//!   carry no range operator: `pkg@5.4.2` passes), as well as `yarn add` / `yarn global add` /
//!   `pnpm add`. Local paths, archives and URLs are not registry packages and pass; a package
//!   written with a variable is unknown.
//!
//! `pip install -r requirements.txt` passes: pip turns hash checking on by itself when the
//! file carries `--hash` lines (`--require-hashes` is implied), and the file's own pinning is
//! not visible to this binding.
//!
//! Commands are found by a small shell reader: it splits at `&&`, `||`, `;`, `|`, `&`,
//! newlines and parentheses outside quotes, drops comments and leading `VAR=value`
//! assignments, and looks through `sudo`, `env`, `time`, `nice`, `nohup`, `exec` and
//! `command`. `python -m pip`, `pip3.12` and `uv pip` count as pip.
//!
//! Not covered yet: the catalogue's part (a), a manifest (`package.json`, `pyproject.toml`,
//! `go.mod`, ...) with no lockfile beside it. The engine lints one file at a time and does not
//! tell a rule which files sit next to it (lockfiles are not even read), so that check waits
//! for a repository-tree view.
//!
//! ## Why it matters (PI1.2, CC8.1)
//! A lockfile records the exact versions (and hashes) that were reviewed and tested. An
//! install that re-resolves versions builds with whatever the registry serves that day: a
//! compromised or broken release enters the image or the CI job without any change in the
//! repository. Enforcing the lockfile keeps the build's inputs complete and accurate (PI1.2)
//! and makes every dependency change a reviewed commit (CC8.1).
//!
//! ## Failing example
//! ```dockerfile
//! FROM node:20.11-bookworm-slim
//! WORKDIR /app
//! COPY package.json package-lock.json ./
//! RUN npm install && npm install -g pm2
//! RUN pip install awscli
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM node:20.11-bookworm-slim
//! WORKDIR /app
//! COPY package.json package-lock.json ./
//! RUN npm ci && npm install -g pm2@5.4.2
//! RUN pip install --require-hashes -r requirements.txt
//! ```
//!
//! ## Fix
//! Use `npm ci`, `yarn install --immutable` (Yarn 1: `--frozen-lockfile`) and
//! `pnpm install --frozen-lockfile`; pin tools installed by name to an exact version
//! (`pip install awscli==1.33.2`, `npm i -g pm2@5.4.2`), or better, list them in a lockfile or a
//! hashed requirements file.

use trustlint_engine::SourceFile;
use trustlint_engine::model::dockerfile::{stages_of, visit_scopes};
use trustlint_engine::parse::dockerfile::Args;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-REPO-002",
        name: "dependency-lockfile-missing-or-unenforced",
        title: "Dependency install ignores the lockfile or is unpinned",
        severity: Severity::Medium,
        criteria: &["PI1.2", "CC8.1"],
        help: "Use `npm ci`, `yarn install --immutable`/`--frozen-lockfile`, `pnpm install --frozen-lockfile`; pin packages installed by name (`pkg==1.2.3`, `pkg@1.2.3`).",
        checkov: &[],
        kics: &["e36d8880-3f78-4546-b9a1-12f0745ca0d5", "02d9c71f-3ee8-4986-9c27-1a20d0d19bfc"],
        trivy: &[],
        other: &["OpenSSF Scorecard: Pinned-Dependencies (related)"],
        bindings: &[(Target::Dockerfile, &["stage"]), (Target::GithubActions, &["step"])],
    }
}

/// Where a command runs, which decides what can be known about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A Dockerfile `RUN`; `ci` when the build's scope sets the `CI` variable.
    Dockerfile { ci: bool },
    /// A workflow or composite-action step (`CI=true` on GitHub's runners).
    Workflow,
}

/// What one command does wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// A finding; the reason follows the command in the message.
    Fail(String),
    /// Cannot be known from here.
    Unknown,
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    match (resource.target, file.syntax) {
        (Target::Dockerfile, Syntax::Dockerfile(df)) => {
            let stages = stages_of(df);
            let Some(stage) = stages.get(resource.index) else { return };
            visit_scopes(df, stages, stage, |at, scope| {
                let Some(instruction) = df.instructions.get(at) else { return };
                if instruction.keyword != "RUN" {
                    return;
                }
                let ci = scope.value("CI").is_some_and(|v| !v.is_empty() && v != "false");
                let place = Place::Dockerfile { ci };
                match &instruction.args {
                    Args::Exec { items, .. } => {
                        let argv: Vec<String> = items.iter().map(|(s, _)| s.clone()).collect();
                        if let Some(verdict) = judge(&argv, place) {
                            report(verdict, &argv, instruction.first_line, out);
                        }
                    }
                    Args::Shell { text, .. } => {
                        let scripts: Vec<(&str, Span)> = if instruction.heredocs.is_empty() {
                            vec![(text.as_str(), instruction.span)]
                        } else {
                            instruction.heredocs.iter().map(|h| (h.body.as_str(), h.span)).collect()
                        };
                        for (script, region) in scripts {
                            for command in commands(script) {
                                if let Some(verdict) = judge(&command.argv, place) {
                                    let span = locate(file.source, region, script, &command)
                                        .unwrap_or(instruction.first_line);
                                    report(verdict, &command.argv, span, out);
                                }
                            }
                        }
                    }
                }
            });
        }
        (Target::GithubActions, _) => {
            let Some(run) = resource.body.and_then(|b| b.get("run")) else { return };
            let Some(script) = run.as_str() else { return };
            for command in commands(script) {
                if let Some(verdict) = judge(&command.argv, Place::Workflow) {
                    let span = locate(file.source, block_body(file.source, run.span), script, &command)
                        .unwrap_or(run.span);
                    report(verdict, &command.argv, span, out);
                }
            }
        }
        _ => {}
    }
}

/// Longest command text quoted in a message.
const SHOWN: usize = 60;

fn report(verdict: Verdict, argv: &[String], span: Span, out: &mut Outcome) {
    match verdict {
        Verdict::Fail(reason) => {
            let text = program(argv).join(" ");
            let shown = match text.char_indices().nth(SHOWN) {
                Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or("")),
                None => text,
            };
            out.fail(span, format!("`{shown}` {reason}"));
        }
        Verdict::Unknown => out.unknown(),
    }
}

/// A YAML block scalar's body (its `|`/`>` header line skipped: a comment there is not
/// part of the value).
fn block_body(source: &SourceFile, span: Span) -> Span {
    let slice = source.slice(span);
    if slice.starts_with(['|', '>']) {
        let skip = slice.find('\n').map_or(slice.len(), |i| i + 1);
        Span::new(span.start + skip, span.end)
    } else {
        span
    }
}

/// Where a command sits in the file: its text searched in the region the script came from,
/// counting earlier copies. `None` when it is not there verbatim (a command broken over
/// continuation lines).
fn locate(source: &SourceFile, region: Span, script: &str, command: &Command) -> Option<Span> {
    let text = script.get(command.start..command.end)?;
    let occurrence = script.get(..command.start).map_or(0, |before| before.matches(text).count());
    let slice = source.slice(region);
    if let Some((at, _)) = slice.match_indices(text).nth(occurrence) {
        return Some(Span::new(region.start + at, region.start + at + text.len()));
    }
    // A command continued over lines: point at its first word.
    let first = command.argv.first()?;
    let head = script.get(command.start..)?.split_whitespace().next().filter(|w| w.contains(first.as_str()))?;
    let occurrence = script.get(..command.start).map_or(0, |before| before.matches(head).count());
    slice
        .match_indices(head)
        .nth(occurrence)
        .map(|(at, _)| Span::new(region.start + at, region.start + at + head.len()))
}

/// One simple command of a script: its words (quotes removed) and its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Command {
    argv: Vec<String>,
    start: usize,
    end: usize,
}

/// Split a shell script into simple commands. Quotes, `$(...)` and backticks are kept inside
/// words; comments are dropped; a backslash-newline joins lines.
fn commands(script: &str) -> Vec<Command> {
    let bytes = script.as_bytes();
    let mut found = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut i = 0;
    let flush_word = |words: &mut Vec<String>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    let mut flush_command = |words: &mut Vec<String>, start: &mut Option<usize>, end: usize| {
        if let Some(s) = start.take()
            && !words.is_empty()
        {
            found.push(Command { argv: std::mem::take(words), start: s, end });
        }
        words.clear();
    };
    while i < bytes.len() {
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\\' => {
                if let Some(c) = script.get(i + 1..).and_then(|r| r.chars().next()) {
                    word.push(c);
                    in_word = true;
                    start.get_or_insert(i);
                    i += 1 + c.len_utf8();
                    end = i;
                } else {
                    i += 1;
                }
            }
            b'\'' | b'"' => {
                let quote = b;
                start.get_or_insert(i);
                in_word = true;
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == quote {
                        break;
                    }
                    if quote == b'"' && c == b'\\' && bytes.get(i + 1).is_some_and(|n| matches!(n, b'"' | b'\\' | b'$' | b'`')) {
                        i += 1;
                    }
                    let ch = script.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
                    word.push(ch);
                    i += ch.len_utf8();
                }
                i += 1;
                end = i.min(bytes.len());
            }
            b'$' if bytes.get(i + 1) == Some(&b'(') || bytes.get(i + 1) == Some(&b'{') => {
                // Keep a substitution inside the word, balanced.
                let open = bytes.get(i + 1).copied().unwrap_or(b'(');
                let close = if open == b'(' { b')' } else { b'}' };
                start.get_or_insert(i);
                in_word = true;
                let from = i;
                let mut depth = 0usize;
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == open {
                        depth += 1;
                    } else if c == close {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    i += 1;
                }
                word.push_str(script.get(from..i.min(bytes.len())).unwrap_or(""));
                end = i.min(bytes.len());
            }
            b'#' if !in_word => {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
            }
            b'&' | b'|' | b';' | b'\n' | b'(' | b')' => {
                flush_word(&mut words, &mut word, &mut in_word);
                flush_command(&mut words, &mut start, end);
                i += 1;
            }
            b' ' | b'\t' | b'\r' => {
                flush_word(&mut words, &mut word, &mut in_word);
                i += 1;
            }
            _ => {
                let ch = script.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
                start.get_or_insert(i);
                word.push(ch);
                in_word = true;
                i += ch.len_utf8();
                end = i;
            }
        }
    }
    flush_word(&mut words, &mut word, &mut in_word);
    flush_command(&mut words, &mut start, end);
    found
}

/// Words that run the command after them.
const WRAPPERS: [&str; 7] = ["sudo", "env", "time", "nice", "nohup", "exec", "command"];

/// The command's program and arguments after assignments and wrappers.
fn program(argv: &[String]) -> &[String] {
    let mut rest = argv;
    loop {
        let Some((first, tail)) = rest.split_first() else { return rest };
        let assignment = first.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if assignment || first.starts_with('-') && rest.as_ptr() != argv.as_ptr() {
            rest = tail;
        } else if WRAPPERS.contains(&first.as_str()) {
            rest = tail;
            // `sudo -u user`: skip the option's value too.
            if first == "sudo" && rest.first().is_some_and(|w| w == "-u" || w == "-g") {
                rest = rest.get(2..).unwrap_or(&[]);
            }
        } else {
            return rest;
        }
    }
}

/// The base name of a program path (`/usr/bin/npm` is `npm`).
fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Judge one simple command.
fn judge(argv: &[String], place: Place) -> Option<Verdict> {
    let argv = program(argv);
    let (tool, args) = argv.split_first()?;
    let dockerfile = matches!(place, Place::Dockerfile { .. });
    match base(tool) {
        "npm" => npm(args, dockerfile),
        "yarn" => yarn(args, place),
        "pnpm" => pnpm(args, place),
        "uv" if args.first().is_some_and(|a| a == "pip") => pip(args.get(1..).unwrap_or(&[]), dockerfile),
        name if is_pip(name) => pip(args, dockerfile),
        name if is_python(name) => {
            // `python -m pip ...` (interpreter options such as `-u` may come first).
            let at = args.iter().position(|a| a == "-m")?;
            (args.get(at + 1).map(String::as_str) == Some("pip"))
                .then(|| pip(args.get(at + 2..).unwrap_or(&[]), dockerfile))
                .flatten()
        }
        _ => None,
    }
}

fn is_pip(name: &str) -> bool {
    name.strip_prefix("pip").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_python(name: &str) -> bool {
    name.strip_prefix("python").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Split arguments into the subcommand and its positional arguments; `value_flags` take the
/// next word as their value when written without `=`.
fn positionals<'a>(args: &'a [String], value_flags: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip = false;
    for arg in args {
        if skip {
            skip = false;
            continue;
        }
        if arg.starts_with('-') {
            skip = !arg.contains('=') && value_flags.contains(&arg.as_str());
            continue;
        }
        out.push(arg.as_str());
    }
    out
}

fn has_flag(args: &[String], flags: &[&str]) -> bool {
    args.iter().any(|a| flags.contains(&a.split('=').next().unwrap_or(a)))
}

/// npm options that take a value.
const NPM_VALUE_FLAGS: [&str; 11] =
    ["--prefix", "-C", "--registry", "--userconfig", "--cache", "--loglevel", "-w", "--workspace", "--omit", "--include", "--tag"];

/// `npm install`'s aliases.
const NPM_INSTALL: [&str; 12] =
    ["install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add"];

fn npm(args: &[String], dockerfile: bool) -> Option<Verdict> {
    let words = positionals(args, &NPM_VALUE_FLAGS);
    let (sub, packages) = words.split_first()?;
    if !NPM_INSTALL.contains(sub) {
        return None;
    }
    if packages.is_empty() {
        return Some(Verdict::Fail(
            "re-resolves `package.json` and may rewrite `package-lock.json`: use `npm ci`".to_string(),
        ));
    }
    if !dockerfile {
        return None;
    }
    unpinned_npm(packages)
}

/// The first npm package spec without an exact version, as a finding.
fn unpinned_npm(packages: &[&str]) -> Option<Verdict> {
    let mut unknown = false;
    for spec in packages {
        if spec.contains('$') {
            unknown = true;
            continue;
        }
        if is_local_or_url(spec) {
            continue;
        }
        // `@scope/name@version`: the version follows the last `@` after the first character.
        let version = spec.get(1..).and_then(|rest| rest.rsplit_once('@')).map(|(_, v)| v);
        if !version.is_some_and(exact_npm_version) {
            let name = match spec.get(1..).and_then(|rest| rest.rsplit_once('@')) {
                Some((head, _)) => format!("{}{head}", spec.get(..1).unwrap_or("")),
                None => (*spec).to_string(),
            };
            return Some(Verdict::Fail(format!(
                "installs `{name}` without an exact version: pin it (`{name}@1.2.3`)"
            )));
        }
    }
    unknown.then_some(Verdict::Unknown)
}

/// `1.2.3`, `v1.2.3-rc.1`, `5`: starts with a digit and carries no range operator.
fn exact_npm_version(version: &str) -> bool {
    let v = version.strip_prefix('v').unwrap_or(version);
    v.starts_with(|c: char| c.is_ascii_digit())
        && !v.contains(['^', '~', '>', '<', '*', '|', ' '])
        && !v.split('.').any(|part| part.eq_ignore_ascii_case("x"))
}

fn is_local_or_url(spec: &str) -> bool {
    spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with('~')
        || spec.contains("://")
        || spec.starts_with("git+")
        || spec.starts_with("file:")
        || spec.starts_with("github:")
        || [".tgz", ".tar.gz", ".whl", ".zip", ".tar.bz2"].iter().any(|s| spec.ends_with(s))
        || (spec.contains('/') && !spec.starts_with('@'))
}

fn yarn(args: &[String], place: Place) -> Option<Verdict> {
    let words = positionals(args, &["--cwd", "--modules-folder", "--cache-folder", "--mutex"]);
    match words.first().copied() {
        None | Some("install") => {
            if has_flag(args, &["--frozen-lockfile", "--immutable"]) {
                return None;
            }
            match place {
                Place::Dockerfile { .. } => Some(Verdict::Fail(
                    "may update `yarn.lock` instead of failing: add `--immutable` (Yarn 1: `--frozen-lockfile`)"
                        .to_string(),
                )),
                // Yarn 2+ is immutable on CI by default; Yarn 1 is not; which one runs is not visible here.
                Place::Workflow => Some(Verdict::Unknown),
            }
        }
        Some("add") if matches!(place, Place::Dockerfile { .. }) => {
            unpinned_npm(words.get(1..).unwrap_or(&[]))
        }
        Some("global") if matches!(place, Place::Dockerfile { .. }) && words.get(1) == Some(&"add") => {
            unpinned_npm(words.get(2..).unwrap_or(&[]))
        }
        _ => None,
    }
}

fn pnpm(args: &[String], place: Place) -> Option<Verdict> {
    let words = positionals(args, &["-C", "--dir", "--filter", "-F", "--store-dir"]);
    let Place::Dockerfile { ci } = place else { return None };
    match words.first().copied() {
        Some("install" | "i") => {
            let frozen = has_flag(args, &["--frozen-lockfile"]);
            (!frozen && !ci).then(|| {
                Verdict::Fail("may update `pnpm-lock.yaml` outside CI: add `--frozen-lockfile`".to_string())
            })
        }
        Some("add") => unpinned_npm(words.get(1..).unwrap_or(&[])),
        _ => None,
    }
}

/// pip options that take a value.
const PIP_VALUE_FLAGS: [&str; 30] = [
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--upgrade-strategy",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--cache-dir",
    "--src",
    "--log",
    "--timeout",
    "--retries",
    "--report",
];

fn pip(args: &[String], dockerfile: bool) -> Option<Verdict> {
    let words = positionals(args, &PIP_VALUE_FLAGS);
    let (sub, packages) = words.split_first()?;
    if *sub != "install" || !dockerfile {
        return None;
    }
    let mut unknown = false;
    for spec in packages {
        if spec.contains('$') {
            unknown = true;
            continue;
        }
        if is_local_or_url(spec) || spec.contains(" @ ") {
            continue;
        }
        let requirement = spec.split(';').next().unwrap_or(spec);
        if !requirement.contains("==") {
            let name = requirement.split(['<', '>', '=', '!', '~', '[']).next().unwrap_or(requirement).trim();
            return Some(Verdict::Fail(format!(
                "installs `{name}` without an exact version: pin it (`{name}==<version>`) or use a hashed requirements file"
            )));
        }
    }
    unknown.then_some(Verdict::Unknown)
}

#[cfg(test)]
mod tests {
    use trustlint_engine::model::dockerfile::resources;
    use trustlint_engine::parse::dockerfile::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    fn argvs(script: &str) -> Vec<Vec<String>> {
        commands(script).into_iter().map(|c| c.argv).collect()
    }

    fn docker(command: &str) -> Option<Verdict> {
        let mut found = None;
        for c in commands(command) {
            if let Some(v) = judge(&c.argv, Place::Dockerfile { ci: false }) {
                found.get_or_insert(v);
            }
        }
        found
    }

    fn workflow(command: &str) -> Option<Verdict> {
        commands(command).into_iter().find_map(|c| judge(&c.argv, Place::Workflow))
    }

    fn fails(v: Option<Verdict>) -> bool {
        matches!(v, Some(Verdict::Fail(_)))
    }

    #[test]
    fn the_shell_reader_splits_commands() {
        assert_eq!(
            argvs("apt-get update && npm install; echo 'a && b' | tee x # npm install\nCI=1 sudo -E yarn"),
            vec![
                vec!["apt-get", "update"],
                vec!["npm", "install"],
                vec!["echo", "a && b"],
                vec!["tee", "x"],
                vec!["CI=1", "sudo", "-E", "yarn"],
            ]
        );
        assert_eq!(argvs("pip install \\\n  flask"), vec![vec!["pip", "install", "flask"]]);
        assert_eq!(argvs("echo \"$(npm install)\" ${HOME}/x"), vec![vec!["echo", "$(npm install)", "${HOME}/x"]]);
        assert_eq!(argvs("(cd web && npm i)"), vec![vec!["cd", "web"], vec!["npm", "i"]]);
        assert!(argvs("# only a comment").is_empty());
        assert_eq!(argvs("echo \"unterminated"), vec![vec!["echo", "unterminated"]]);
        assert_eq!(argvs("a \\"), vec![vec!["a"]]);
    }

    #[test]
    fn npm() {
        assert!(fails(docker("npm install")));
        assert!(fails(docker("npm i --production")));
        assert!(fails(docker("npm --prefix web install")));
        assert!(fails(workflow("npm install")));
        assert!(fails(docker("sudo npm install -g typescript")));
        assert!(fails(docker("npm i -g pkg@latest")));
        assert!(fails(docker("npm i -g @angular/cli@^17")));
        assert!(fails(docker("npm i -g @angular/cli")));
        assert_eq!(docker("npm ci"), None);
        assert_eq!(docker("npm install -g pm2@5.4.2 @angular/cli@17.3.1"), None);
        assert_eq!(docker("npm install ./local-dir ../pkg.tgz"), None);
        assert_eq!(docker("npm run build"), None);
        assert_eq!(workflow("npm install -g typescript"), None, "unpinned packages only in Dockerfiles");
        assert_eq!(docker("npm i -g $TOOL"), Some(Verdict::Unknown));
    }

    #[test]
    fn yarn_and_pnpm() {
        assert!(fails(docker("yarn")));
        assert!(fails(docker("yarn install --production")));
        assert_eq!(docker("yarn install --frozen-lockfile"), None);
        assert_eq!(docker("yarn --immutable"), None);
        assert_eq!(docker("yarn build"), None);
        assert_eq!(workflow("yarn install"), Some(Verdict::Unknown));
        assert!(fails(docker("yarn global add serve")));
        assert_eq!(docker("yarn global add serve@14.2.3"), None);
        assert!(fails(docker("pnpm install")));
        assert_eq!(docker("pnpm install --frozen-lockfile"), None);
        assert_eq!(judge(&["pnpm".into(), "i".into()], Place::Dockerfile { ci: true }), None);
        assert_eq!(workflow("pnpm install"), None);
    }

    #[test]
    fn pip() {
        assert!(fails(docker("pip install flask")));
        assert!(fails(docker("pip3 install --no-cache-dir \"django>=4\" gunicorn==22.0.0")));
        assert!(fails(docker("python3 -m pip install --upgrade pip")));
        assert!(fails(docker("python -u -m pip install requests")));
        assert!(fails(docker("uv pip install --system httpx")));
        assert!(fails(docker("pip3.12 install rich")));
        assert_eq!(docker("pip install -r requirements.txt"), None);
        assert_eq!(docker("pip install --require-hashes -r requirements.txt"), None);
        assert_eq!(docker("pip install gunicorn==22.0.0 'uvicorn[standard]==0.30.1'"), None);
        assert_eq!(docker("pip install . -e ./lib /wheels/app-1.0-py3-none-any.whl"), None);
        assert_eq!(docker("pip install git+https://github.com/org/repo@abc"), None);
        assert_eq!(docker("pip install -i https://pypi.example.com/simple app==1.0"), None);
        assert_eq!(workflow("pip install flake8"), None);
        assert_eq!(docker("pip download flask"), None);
        assert_eq!(docker("pip install ${PACKAGES}"), Some(Verdict::Unknown));
    }

    /// Line and result of a Dockerfile's findings.
    fn dockerfile(text: &str) -> (Vec<usize>, Vec<CheckResult>) {
        let source = SourceFile::new("Dockerfile", text);
        let Ok(df) = parse(&source.text) else { panic!("parse failed") };
        let syntax = Syntax::Dockerfile(df);
        let Syntax::Dockerfile(df) = &syntax else { unreachable!() };
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut lines = Vec::new();
        let mut results = Vec::new();
        for resource in resources(df) {
            let mut out = Outcome::default();
            check(&resource, &file, &mut out);
            results.push(out.result());
            lines.extend(out.violations.iter().map(|v| source.location(v.span.start).line));
        }
        (lines, results)
    }

    #[test]
    fn messages_quote_the_command() {
        let mut out = Outcome::default();
        let argv: Vec<String> = ["sudo", "pip", "install", "--upgrade", "pip"].iter().map(|s| s.to_string()).collect();
        if let Some(verdict) = judge(&argv, Place::Dockerfile { ci: false }) {
            report(verdict, &argv, Span::default(), &mut out);
        }
        assert_eq!(out.violations.len(), 1);
        let message = &out.violations[0].message;
        assert!(message.starts_with("`pip install --upgrade pip` installs `pip` without"), "{message}");
        let long: Vec<String> = std::iter::once("npm".to_string()).chain(std::iter::once("install".to_string()))
            .chain((0..40).map(|i| format!("--flag{i}")))
            .collect();
        let mut out = Outcome::default();
        if let Some(verdict) = judge(&long, Place::Workflow) {
            report(verdict, &long, Span::default(), &mut out);
        }
        assert!(out.violations[0].message.contains("…`"), "{}", out.violations[0].message);
    }

    #[test]
    fn dockerfile_findings_point_at_the_command() {
        let text = "FROM node:20\nRUN apt-get update \\\n && npm install \\\n && npm run build\nRUN [\"npm\", \"install\"]\nRUN <<EOF\nset -e\npip install flask\nEOF\n";
        assert_eq!(dockerfile(text).0, vec![3, 5, 8]);
        // Broken over lines: the first word is found.
        assert_eq!(dockerfile("FROM a:1\nRUN npm \\\n  install\n").0, vec![2]);
        assert_eq!(dockerfile("FROM a:1\nENV CI=true\nRUN pnpm install\n").1, vec![CheckResult::Pass]);
    }
}
