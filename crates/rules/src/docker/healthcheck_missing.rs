//! ## What it checks
//! Whether the image a Dockerfile ships declares a `HEALTHCHECK`. Only the final stage is
//! judged (the image `docker build` produces without `--target`); earlier stages are build
//! scaffolding and pass without comment.
//!
//! The final stage's health check is its last `HEALTHCHECK`; when it has none, the last one of
//! the stage it builds on (`FROM <earlier stage>`), and so on up the chain, because such a stage
//! inherits the image configuration. The finding points at:
//! - the `HEALTHCHECK NONE` that is in effect (it switches off a check the base image defines),
//!   even when it sits in an ancestor stage;
//! - the final `FROM` line when no stage of the chain has a `HEALTHCHECK`.
//!
//! A base image pulled from a registry may define its own health check, which a Dockerfile
//! cannot show; like the other linters, this rule asks for it to be explicit. The catalogue's
//! downgrade for images that only Kubernetes runs (Kubernetes ignores `HEALTHCHECK` and uses
//! probes) needs a link between images and manifests that the engine does not make yet.
//!
//! This rule is native because it follows the stage graph of the Dockerfile model.
//!
//! ## Why it matters (A1.2)
//! Without a health check, Docker, Compose and Swarm only know whether the process is
//! running, not whether it serves: a deadlocked server stays "up", receives traffic and is
//! never restarted. A declared health check is part of the availability protections A1.2 asks
//! for: it lets the runtime detect the failure and recover from it.
//!
//! ## Failing example
//! ```dockerfile
//! FROM python:3.12-slim
//! COPY . /app
//! CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM python:3.12-slim
//! COPY . /app
//! HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/healthz')"]
//! CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
//! ```
//!
//! ## Fix
//! Add `HEALTHCHECK CMD <command>` to the final stage with a command that exits non-zero when
//! the service cannot serve (a `/healthz` request, a `pg_isready`, a built-in `health`
//! subcommand for distroless images), and remove `HEALTHCHECK NONE`.

use trustlint_engine::model::dockerfile::{Stage, stages_of};
use trustlint_engine::parse::dockerfile::Dockerfile;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-DOCKER-005",
        name: "healthcheck-missing",
        title: "Image declares no HEALTHCHECK",
        severity: Severity::Low,
        criteria: &["A1.2"],
        help: "Add `HEALTHCHECK CMD <command that fails when the service cannot serve>` to the final stage.",
        checkov: &["CKV_DOCKER_2"],
        kics: &["b03a748a-542d-44f4-bb86-9199ab4fd2d5"],
        trivy: &["AVD-DS-0026"],
        other: &[],
        bindings: &[(Target::Dockerfile, &["stage"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Syntax::Dockerfile(df) = file.syntax else { return };
    let stages = stages_of(df);
    if resource.index + 1 != stages.len() {
        return;
    }
    let Some(last) = stages.last() else { return };
    let mut stage = last;
    // Parents always precede their child, so the walk ends; the bound guards it anyway.
    for _ in 0..=stages.len() {
        if let Some(at) = last_healthcheck(df, stage) {
            let Some(instruction) = df.instructions.get(at) else { return };
            let disabled = instruction
                .args
                .shell_text()
                .and_then(|t| t.split_whitespace().next())
                .is_some_and(|w| w.eq_ignore_ascii_case("NONE"));
            if disabled {
                let message = if stage.index == last.index {
                    "`HEALTHCHECK NONE` switches off the image's health check".to_string()
                } else {
                    let name = stage.alias.clone().unwrap_or_else(|| format!("stage[{}]", stage.index));
                    format!("`HEALTHCHECK NONE` from stage `{name}` switches off the final image's health check")
                };
                out.fail(instruction.first_line, message);
            }
            return;
        }
        match stage.parent.and_then(|p| stages.get(p)) {
            Some(parent) => stage = parent,
            None => break,
        }
    }
    out.fail(resource.span, "the final image declares no `HEALTHCHECK`");
}

/// Index of the last `HEALTHCHECK` instruction of a stage.
fn last_healthcheck(df: &Dockerfile, stage: &Stage) -> Option<usize> {
    stage
        .instructions
        .clone()
        .rev()
        .find(|&i| df.instructions.get(i).is_some_and(|ins| ins.keyword == "HEALTHCHECK"))
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::dockerfile::resources;
    use trustlint_engine::parse::dockerfile::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    fn run(text: &str) -> (Vec<(usize, String)>, Vec<CheckResult>) {
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
            found.extend(out.violations.iter().map(|v| (source.location(v.span.start).line, v.message.clone())));
        }
        (found, results)
    }

    #[test]
    fn missing_healthcheck_fails_at_the_final_from() {
        let (found, results) = run("FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20\nCOPY --from=build /app /app\n");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), vec![3]);
        assert_eq!(results, vec![CheckResult::Pass, CheckResult::Fail]);
    }

    #[test]
    fn healthcheck_in_final_stage_or_inherited_passes() {
        assert_eq!(run("FROM nginx:1.27\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n").1, vec![
            CheckResult::Pass
        ]);
        assert_eq!(run("FROM nginx:1.27\nHEALTHCHECK --interval=5s \\\n  CMD [\"/bin/true\"]\n").1, vec![
            CheckResult::Pass
        ]);
        let inherited = "FROM node:20 AS base\nHEALTHCHECK CMD node health.js\nFROM base\nCMD [\"node\", \"s.js\"]\n";
        assert_eq!(run(inherited).1, vec![CheckResult::Pass, CheckResult::Pass]);
        // A healthcheck in an unrelated builder stage does not reach the final image.
        let unrelated = "FROM node:20 AS base\nHEALTHCHECK CMD node health.js\nFROM nginx:1.27\n";
        assert_eq!(run(unrelated).0.iter().map(|f| f.0).collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn healthcheck_none_fails_where_it_is_written() {
        let (found, _) = run("FROM example/base:1\nHEALTHCHECK NONE\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 2);
        let (found, _) = run("FROM example/base:1 AS base\nhealthcheck none\nFROM base\nCMD [\"x\"]\n");
        assert_eq!(found[0].0, 2);
        assert!(found[0].1.contains("from stage `base`"), "{}", found[0].1);
        // A later HEALTHCHECK re-enables it.
        assert_eq!(run("FROM a:1 AS base\nHEALTHCHECK NONE\nFROM base\nHEALTHCHECK CMD true\n").1, vec![
            CheckResult::Pass,
            CheckResult::Pass
        ]);
    }

    #[test]
    fn no_stage_no_finding() {
        assert!(run("# only a comment\n").1.is_empty());
    }
}
