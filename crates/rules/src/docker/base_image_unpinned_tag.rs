//! ## What it checks
//! Every `FROM` of a Dockerfile whose base is an image: one with no tag (`FROM ubuntu`,
//! which Docker reads as `:latest`) or with the tag `latest` fails. `FROM scratch` and a
//! `FROM` naming an earlier stage (`FROM build`, by alias or by index) are not images and are
//! not judged; every other stage is, because each pulls its base at build time, whether it
//! ships or only builds.
//!
//! A reference with a digest (`@sha256:...`) passes whatever its tag says: the digest fixes
//! the content. An image written with build arguments (`FROM python:${PY_VERSION}`) is
//! judged with the global `ARG` defaults, as `docker build` runs without `--build-arg`; when a
//! variable has no default the result is unknown.
//!
//! This rule is native because it needs the stage-alias graph and `ARG` substitution of the
//! Dockerfile model, which the policy language does not reach.
//!
//! ## Why it matters (A1.2, CC8.1)
//! `latest` moves: the same Dockerfile builds a different image from one day to the next,
//! so a rebuild for a hotfix can bring in a new major version of the base, and a rollback does
//! not restore what ran before. Reproducible builds are part of the recovery infrastructure
//! (A1.2), and a base image that changes without a commit is a change that bypassed review
//! (CC8.1).
//!
//! ## Failing example
//! ```dockerfile
//! FROM node AS build
//! RUN npm ci && npm run build
//!
//! FROM nginx:latest
//! COPY --from=build /app/dist /usr/share/nginx/html
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! ARG NODE_VERSION=20.11
//! FROM node:${NODE_VERSION}-bookworm-slim AS build
//! RUN npm ci && npm run build
//!
//! FROM nginx:1.27.0-alpine
//! COPY --from=build /app/dist /usr/share/nginx/html
//! ```
//!
//! ## Fix
//! Name an explicit version tag (`python:3.12.4-slim-bookworm`), or better, pin the digest as
//! well (`python:3.12.4-slim-bookworm@sha256:...`) and let a dependency bot propose updates.

use trustlint_engine::image::ImageRef;
use trustlint_engine::model::dockerfile::stages_of;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-DOCKER-004",
        name: "base-image-unpinned-tag",
        title: "Base image has no tag or uses `latest`",
        severity: Severity::Medium,
        criteria: &["A1.2", "CC8.1"],
        help: "Give the base image an explicit version tag (`python:3.12.4-slim`), ideally with its `@sha256:` digest.",
        checkov: &["CKV_DOCKER_7"],
        kics: &["f45ea400-6bbe-4501-9fc7-1c3d75c32067", "9efb0b2d-89c9-41a3-91ca-dcc0aec911fd"],
        trivy: &["AVD-DS-0001"],
        other: &[],
        bindings: &[(Target::Dockerfile, &["stage"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Syntax::Dockerfile(df) = file.syntax else { return };
    let stages = stages_of(df);
    let Some(stage) = stages.get(resource.index) else { return };
    // `FROM <earlier stage>` builds on that stage, which is judged on its own.
    if stage.parent.is_some() {
        return;
    }
    let image = ImageRef::parse(&stage.image);
    if image.is_scratch() {
        return;
    }
    if image.is_variable() {
        out.unknown();
        return;
    }
    if image.digest.is_some() {
        return;
    }
    let written = df
        .instructions
        .get(stage.from)
        .and_then(|i| i.args.shell_text())
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or("");
    let from_arg = if written.contains('$') { " (from the build argument's default)" } else { "" };
    match image.tag.as_deref() {
        None => {
            out.fail(
                resource.span,
                format!("base image `{image}`{from_arg} has no tag: it resolves to `latest`, which moves"),
            );
        }
        Some(tag) if tag.eq_ignore_ascii_case("latest") => {
            out.fail(resource.span, format!("base image `{image}`{from_arg} uses the moving tag `latest`"));
        }
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::dockerfile::resources;
    use trustlint_engine::parse::dockerfile::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    /// (line of each finding, result per stage).
    fn run(text: &str) -> (Vec<usize>, Vec<CheckResult>) {
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
    fn untagged_and_latest_fail() {
        assert_eq!(run("FROM ubuntu\n").0, vec![1]);
        assert_eq!(run("FROM ubuntu:latest\n").0, vec![1]);
        assert_eq!(run("FROM ghcr.io/acme/base:LATEST\n").0, vec![1]);
        assert_eq!(run("FROM registry.example.com:5000/team/app\n").0, vec![1]);
        assert_eq!(run("FROM --platform=$BUILDPLATFORM golang AS build\n").0, vec![1]);
    }

    #[test]
    fn tags_and_digests_pass() {
        let digest = "sha256:7e3b21b2b7e7b4b24e1a2e5b7d0c4b6a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c";
        for image in
            ["ubuntu:24.04", "registry.example.com:5000/app:1.2", &format!("ubuntu@{digest}"), &format!("ubuntu:latest@{digest}")]
        {
            assert_eq!(run(&format!("FROM {image}\n")).1, vec![CheckResult::Pass], "{image}");
        }
    }

    #[test]
    fn scratch_and_stage_references_are_not_judged() {
        let text = "FROM golang:1.22 AS Build\nRUN go build\nFROM build AS test\nFROM 0\nFROM scratch\n";
        assert_eq!(run(text).1, vec![CheckResult::Pass; 4]);
        // A name that is no earlier stage is an image.
        assert_eq!(run("FROM builder\nFROM alpine:3.20 AS builder\n").0, vec![1]);
    }

    #[test]
    fn build_arguments_resolve_from_defaults_or_are_unknown() {
        assert_eq!(run("ARG BASE=debian\nFROM ${BASE}\n").0, vec![2]);
        assert_eq!(run("ARG TAG=latest\nFROM node:$TAG\n").0, vec![2]);
        assert_eq!(run("ARG TAG=20.11\nFROM node:${TAG}-slim\n").1, vec![CheckResult::Pass]);
        assert_eq!(run("ARG TAG\nFROM node:${TAG}\n").1, vec![CheckResult::Unknown]);
        assert_eq!(run("ARG BASE\nFROM $BASE\n").1, vec![CheckResult::Unknown]);
    }

    #[test]
    fn other_syntax_is_ignored() {
        let source = SourceFile::new("x", "");
        let file = FileContext { source: &source, syntax: &Syntax::Text, scope: &Default::default() };
        let resource = Resource::bare(Target::Dockerfile, "stage", "stage[0]", Span::default(), 0);
        let mut out = Outcome::default();
        check(&resource, &file, &mut out);
        assert_eq!(out.result(), CheckResult::Pass);
    }
}
