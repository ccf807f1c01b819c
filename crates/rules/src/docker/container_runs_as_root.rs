//! ## What it checks
//! The user the image built from a Dockerfile runs as. Only the final stage is judged: it is
//! the image that ships (`docker build` without `--target`), and earlier stages are build
//! scaffolding whose user does not reach production; they pass without comment.
//!
//! The final stage's user is its last `USER`; when it has none, the last `USER` of the stage
//! it builds on (`FROM <earlier stage>`), and so on up the chain, since such a stage inherits
//! the user. The finding points at:
//! - the `USER` line whose user is `root` or UID `0` (`root`, `0`, `0:0`, `root:<group>`),
//!   even when that line sits in an ancestor stage;
//! - the final `FROM` line when no stage in the chain sets a `USER`, unless the base image is
//!   known to run as a non-root user.
//!
//! Known non-root base images (the allowlist): any image whose tag contains `nonroot`
//! (distroless `gcr.io/distroless/*:nonroot`, `:debug-nonroot`, and images following the same
//! convention), and `cgr.dev/chainguard/static`, `cgr.dev/chainguard/python` and
//! `cgr.dev/chainguard/node` in their non-`dev` tags (Chainguard's `-dev` variants run as
//! root). `scratch` has no user at all: a process in it runs as UID 0.
//!
//! A `USER` written with a variable (`USER $APP_USER`) is resolved from the `ARG` and `ENV`
//! defaults in scope; when it cannot be resolved, or the base image is itself a build
//! argument without default, the result is unknown rather than a pass or a fail.
//!
//! ## Why it matters (CC6.1, CC6.8)
//! A process running as root inside the container holds every privilege the runtime grants
//! it: a remote-code-execution bug becomes write access to the whole image filesystem, and a
//! container escape or a mounted host path becomes root on the node. Running as an
//! unprivileged user is the least-privilege control on logical access (CC6.1) and limits
//! what unauthorised or malicious software can do (CC6.8).
//!
//! ## Failing example
//! ```dockerfile
//! FROM golang:1.22 AS build
//! RUN useradd builder
//! USER builder
//! RUN go build -o /out/app ./cmd/app
//!
//! FROM debian:bookworm-slim
//! COPY --from=build /out/app /usr/local/bin/app
//! ENTRYPOINT ["app"]
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM golang:1.22 AS build
//! RUN go build -o /out/app ./cmd/app
//!
//! FROM gcr.io/distroless/static-debian12:nonroot
//! COPY --from=build /out/app /app
//! ENTRYPOINT ["/app"]
//! ```
//!
//! ## Fix
//! Create an unprivileged user in the final stage (or use a base image that has one) and
//! switch to it with `USER <uid>` after the steps that need root; prefer a numeric UID so
//! Kubernetes `runAsNonRoot` can verify it.

use trustlint_engine::image::ImageRef;
use trustlint_engine::model::dockerfile::{Stage, scope_at, stages_of};
use trustlint_engine::parse::dockerfile::Dockerfile;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-DOCKER-001",
        name: "container-runs-as-root",
        title: "Container image runs as root",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.8"],
        help: "Add `USER <non-root uid>` to the final stage, after the steps that need root.",
        checkov: &["CKV_DOCKER_3", "CKV_DOCKER_8"],
        kics: &["fd54f200-402c-4333-a5a4-36ef6709af2f", "67fd0c4a-68cf-46d7-8c41-bc9fba7e40ae"],
        trivy: &["AVD-DS-0002"],
        other: &[],
        bindings: &[(Target::Dockerfile, &["stage"])],
    }
}

/// Chainguard images documented to run as a non-root user in their non-`dev` tags.
const CHAINGUARD_NON_ROOT: [&str; 3] = ["chainguard/static", "chainguard/python", "chainguard/node"];

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Syntax::Dockerfile(df) = file.syntax else { return };
    let stages = stages_of(df);
    // Only the image that ships is judged; earlier stages pass silently.
    if resource.index + 1 != stages.len() {
        return;
    }
    let Some(last) = stages.last() else { return };
    let mut stage = last;
    // Parents always precede their child, so the walk ends; the bound guards it anyway.
    for _ in 0..=stages.len() {
        if let Some(at) = last_user(df, stage) {
            judge_user(df, stages, at, stage, last, out);
            return;
        }
        match stage.parent.and_then(|p| stages.get(p)) {
            Some(parent) => stage = parent,
            None => break,
        }
    }
    let base = ImageRef::parse(&stage.image);
    if base.is_variable() {
        out.unknown();
    } else if !runs_as_non_root(&base) {
        out.fail(resource.span, format!("no USER: runs as root (base image `{}` sets no non-root user)", stage.image));
    }
}

/// Index of the last `USER` instruction of a stage.
fn last_user(df: &Dockerfile, stage: &Stage) -> Option<usize> {
    stage.instructions.clone().rev().find(|&i| df.instructions.get(i).is_some_and(|ins| ins.keyword == "USER"))
}

fn judge_user(df: &Dockerfile, stages: &[Stage], at: usize, stage: &Stage, last: &Stage, out: &mut Outcome) {
    let Some(instruction) = df.instructions.get(at) else { return };
    let text = instruction.args.shell_text().unwrap_or("").trim();
    let Some(value) = scope_at(df, stages, at).expand(text) else {
        out.unknown();
        return;
    };
    let user = value.split(':').next().unwrap_or("").trim();
    if user.is_empty() {
        out.unknown();
        return;
    }
    if user == "root" || user.parse::<u64>().is_ok_and(|uid| uid == 0) {
        let message = if stage.index == last.index {
            format!("last USER is `{value}`: runs as root")
        } else {
            let name = stage.alias.clone().unwrap_or_else(|| format!("stage[{}]", stage.index));
            format!("USER `{value}` is inherited from stage `{name}` by the final stage: runs as root")
        };
        out.fail(instruction.first_line, message);
    }
}

/// Whether a base image is on the allowlist of images that run as a non-root user.
fn runs_as_non_root(image: &ImageRef) -> bool {
    let tag = image.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    if tag.contains("nonroot") {
        return true;
    }
    image.registry.as_deref() == Some("cgr.dev")
        && CHAINGUARD_NON_ROOT.contains(&image.repository.as_str())
        && !tag.contains("dev")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use trustlint_engine::SourceFile;
    use trustlint_engine::model::dockerfile::resources;
    use trustlint_engine::parse::dockerfile::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    /// Run the rule on every stage; return (line, message) of each finding and the results.
    fn run(text: &str) -> (Vec<(usize, String)>, Vec<CheckResult>) {
        let source = SourceFile::new("Dockerfile", text);
        let df = match parse(&source.text) {
            Ok(df) => df,
            Err(e) => panic!("parse failed: {e}"),
        };
        let syntax = Syntax::Dockerfile(df);
        let Syntax::Dockerfile(df) = &syntax else { unreachable!() };
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut findings = Vec::new();
        let mut results = Vec::new();
        for resource in resources(df) {
            let mut out = Outcome::default();
            check(&resource, &file, &mut out);
            results.push(out.result());
            for v in &out.violations {
                findings.push((source.location(v.span.start).line, v.message.clone()));
            }
        }
        (findings, results)
    }

    fn lines(text: &str) -> Vec<usize> {
        run(text).0.into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn no_user_fails_at_the_final_from() {
        let (findings, results) = run("FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].0, 1);
        assert!(findings[0].1.contains("no USER: runs as root"), "{}", findings[0].1);
        assert_eq!(results, vec![CheckResult::Fail]);
    }

    #[test]
    fn root_spellings_fail_at_the_user_line() {
        for user in ["root", "0", "0:0", "root:root", "root:wheel", "000"] {
            let text = format!("FROM alpine:3.20\nUSER app\nUSER {user}\n");
            assert_eq!(lines(&text), vec![3], "USER {user}");
        }
    }

    #[test]
    fn non_root_users_pass() {
        for user in ["1000", "app", "10001:0", "nobody:nogroup"] {
            let text = format!("FROM alpine:3.20\nUSER {user}\n");
            assert_eq!(run(&text).1, vec![CheckResult::Pass], "USER {user}");
        }
    }

    #[test]
    fn only_the_final_stage_is_judged() {
        let text = "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20\nCOPY --from=build /out /out\n";
        let (findings, results) = run(text);
        assert_eq!(findings.iter().map(|f| f.0).collect::<Vec<_>>(), vec![3]);
        assert_eq!(results, vec![CheckResult::Pass, CheckResult::Fail]);
    }

    #[test]
    fn user_is_inherited_through_from_stage_chains() {
        let text = "FROM node:20 AS base\nUSER node\nFROM base AS deps\nRUN npm ci\nFROM deps\nCMD [\"node\", \"server.js\"]\n";
        assert_eq!(run(text).1, vec![CheckResult::Pass; 3]);
        let text = "FROM node:20 AS base\nUSER root\nFROM base\nCMD [\"node\"]\n";
        let (findings, _) = run(text);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].0, 2);
        assert!(findings[0].1.contains("inherited from stage `base`"), "{}", findings[0].1);
    }

    #[test]
    fn variables_resolve_or_are_unknown() {
        assert_eq!(lines("FROM alpine\nARG RUN_AS=0\nUSER ${RUN_AS}\n"), vec![3]);
        assert_eq!(run("FROM alpine\nENV APP_USER=app\nUSER $APP_USER\n").1, vec![CheckResult::Pass]);
        assert_eq!(run("FROM alpine\nARG APP_USER\nUSER $APP_USER\n").1, vec![CheckResult::Unknown]);
        assert_eq!(run("ARG BASE\nFROM ${BASE}\nCOPY . .\n").1, vec![CheckResult::Unknown]);
        assert_eq!(run("ARG BASE=gcr.io/distroless/base:nonroot\nFROM ${BASE}\n").1, vec![CheckResult::Pass]);
    }

    #[test]
    fn base_image_allowlist() {
        for base in [
            "gcr.io/distroless/static-debian12:nonroot",
            "gcr.io/distroless/java21:debug-nonroot",
            "cgr.dev/chainguard/static:latest",
            "cgr.dev/chainguard/python",
        ] {
            assert_eq!(run(&format!("FROM {base}\nCOPY app /app\n")).1, vec![CheckResult::Pass], "{base}");
        }
        for base in ["scratch", "gcr.io/distroless/static-debian12", "cgr.dev/chainguard/python:latest-dev", "ubuntu:24.04"] {
            assert_eq!(lines(&format!("FROM {base}\nCOPY app /app\n")), vec![1], "{base}");
        }
    }

    #[test]
    fn other_syntax_and_empty_files_are_ignored() {
        assert!(run("# just a comment\n").1.is_empty());
        let source = SourceFile::new("x.txt", "");
        let file = FileContext { source: &source, syntax: &Syntax::Text, scope: &Default::default() };
        let resource = Resource::bare(Target::Dockerfile, "stage", "stage[0]", Span::default(), 0);
        let mut out = Outcome::default();
        check(&resource, &file, &mut out);
        assert_eq!(out.result(), CheckResult::Pass);
    }

    fn fixture_files(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                fixture_files(&path, found);
            } else {
                found.push(path);
            }
        }
    }

    /// Each fixture produces findings exactly on the lines below its `expect-next-line`
    /// comments (the fixture suite checks this for every rule; this keeps the rule honest
    /// on its own).
    #[test]
    fn fixtures_match_their_annotations() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/TL-DOCKER-001");
        let mut files = Vec::new();
        fixture_files(&dir, &mut files);
        assert!(files.len() >= 6, "fixtures missing in {}", dir.display());
        let (mut failing, mut passing) = (0, 0);
        for path in files {
            let text = std::fs::read_to_string(&path).expect("readable fixture");
            let expected: BTreeSet<usize> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.trim() == "# expect-next-line: TL-DOCKER-001")
                .map(|(n, _)| n + 2)
                .collect();
            let found: BTreeSet<usize> = lines(&text).into_iter().collect();
            assert_eq!(found, expected, "{}", path.display());
            if expected.is_empty() { passing += 1 } else { failing += 1 }
        }
        assert!(failing >= 1 && passing >= 1);
    }
}
