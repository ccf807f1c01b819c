//! ## What it checks
//! Every `FROM` of a Dockerfile whose base is an image must pin it by digest:
//! `FROM <image>[:tag]@sha256:<64 hex digits>`. A reference without a digest fails, and so does
//! a malformed digest (a `sha256:` that is not 64 hexadecimal digits, which Docker refuses).
//! `FROM scratch` and a `FROM` naming an earlier stage (by alias or index) are exempt: they
//! pull nothing. Every stage is judged, not only the final one, because a builder stage's
//! base produces the artefacts that ship.
//!
//! An image written with build arguments is judged with the global `ARG` defaults; a variable
//! without a default makes the result unknown.
//!
//! The catalogue grades Dockerfiles that build release artefacts as medium; that needs a
//! configurable list of path globs, which native rules do not take yet, so every finding is
//! low.
//!
//! This rule is native because it needs the stage-alias graph and `ARG` substitution of the
//! Dockerfile model.
//!
//! ## Why it matters (PI1.2, CC8.1)
//! A tag, even an exact version, is a pointer the registry owner (or anyone who compromises
//! the registry account) can move to new content. The digest is the content's hash: a build
//! pinned by digest uses exactly the bytes that were reviewed, which keeps the inputs of the
//! build complete and accurate (PI1.2), and a base image change then needs a commit that goes
//! through change management (CC8.1).
//!
//! ## Failing example
//! ```dockerfile
//! FROM python:3.12.4-slim-bookworm
//! COPY app /app
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM python:3.12.4-slim-bookworm@sha256:2fba8e70a87bcc9f6edd20dda0a1d4adb32046d2acbca7361bc61da5a106a914
//! COPY app /app
//! ```
//!
//! ## Fix
//! Append the digest of the image you tested (`docker buildx imagetools inspect <image>` prints
//! it) and keep the tag for readers: `FROM image:tag@sha256:...`. Let a dependency bot
//! (Dependabot, Renovate) propose digest updates as reviewed pull requests.

use trustlint_engine::image::ImageRef;
use trustlint_engine::model::dockerfile::stages_of;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-DOCKER-006",
        name: "base-image-not-pinned-by-digest",
        title: "Base image is not pinned by digest",
        severity: Severity::Low,
        criteria: &["PI1.2", "CC8.1"],
        help: "Pin the base image by digest: `FROM image:tag@sha256:<digest>`.",
        checkov: &[],
        kics: &[],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Dockerfile, &["stage"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Syntax::Dockerfile(df) = file.syntax else { return };
    let stages = stages_of(df);
    let Some(stage) = stages.get(resource.index) else { return };
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
    match image.digest.as_deref() {
        None => {
            out.fail(resource.span, format!("base image `{image}` is not pinned by `@sha256:` digest"));
        }
        Some(digest) if !well_formed(digest) => {
            out.fail(resource.span, format!("base image `{image}` has a malformed digest `{digest}`"));
        }
        Some(_) => {}
    }
}

/// `sha256:` with 64 lower-case hex digits, or `sha512:` with 128: the algorithms and the
/// encoding the OCI image spec registers (Docker refuses upper-case digests).
fn well_formed(digest: &str) -> bool {
    let hex = |h: &str, n: usize| h.len() == n && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    match digest.split_once(':') {
        Some(("sha256", h)) => hex(h, 64),
        Some(("sha512", h)) => hex(h, 128),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::dockerfile::resources;
    use trustlint_engine::parse::dockerfile::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    const DIGEST: &str = "sha256:2fba8e70a87bcc9f6edd20dda0a1d4adb32046d2acbca7361bc61da5a106a914";

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
    fn every_image_stage_needs_a_digest() {
        let text = format!("FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20@{DIGEST}\nFROM build\n");
        let (found, results) = run(&text);
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), vec![1]);
        assert_eq!(results, vec![CheckResult::Fail, CheckResult::Pass, CheckResult::Pass]);
    }

    #[test]
    fn digests_are_checked_for_shape() {
        assert_eq!(run(&format!("FROM alpine@{DIGEST}\n")).1, vec![CheckResult::Pass]);
        assert_eq!(run(&format!("FROM alpine:3.20@{DIGEST}\n")).1, vec![CheckResult::Pass]);
        let upper = DIGEST.to_uppercase().replace("SHA", "sha");
        assert_eq!(run(&format!("FROM alpine@{upper}\n")).1, vec![CheckResult::Fail]);
        let (found, _) = run("FROM alpine@sha256:abc123\n");
        assert!(found[0].1.contains("malformed"), "{}", found[0].1);
        assert_eq!(run("FROM alpine@md5:0123\n").1, vec![CheckResult::Fail]);
    }

    #[test]
    fn scratch_and_variables() {
        assert_eq!(run("FROM scratch\n").1, vec![CheckResult::Pass]);
        assert_eq!(run("ARG BASE\nFROM ${BASE}\n").1, vec![CheckResult::Unknown]);
        assert_eq!(run(&format!("ARG BASE=alpine@{DIGEST}\nFROM ${{BASE}}\n")).1, vec![CheckResult::Pass]);
        assert_eq!(run("ARG V=3.20\nFROM alpine:${V}\n").1, vec![CheckResult::Fail]);
    }
}
