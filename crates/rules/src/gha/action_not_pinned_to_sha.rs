//! ## What it checks
//! The `uses:` of every step (in workflows and in composite actions) and of every job that
//! calls a reusable workflow. A reference `owner/repo[/path]@ref` fails unless `ref` is a full
//! 40-character commit SHA: high for third-party actions, medium for actions published by
//! GitHub (`actions/*`, `github/*`). A `docker://` image fails (medium) unless it carries an
//! `@sha256:` digest. A reference without `@ref` is invalid and fails. Local actions and
//! workflows (`./path`) are exempt: they come from the same commit as the workflow. A
//! reference built from an expression (`${{ }}`) cannot be judged and is unknown.
//!
//! ## Why it matters (PI1.2, CC8.1, CC6.8)
//! A tag or a branch is a pointer its owner (or whoever steals their credentials) can move:
//! the next run then executes different code with the job's token and secrets, as happened to
//! `tj-actions/changed-files` in 2025. Only a commit SHA names fixed code, so the build's
//! inputs stay what was reviewed (PI1.2), changes to the pipeline go through review (CC8.1)
//! and unreviewed code does not reach the runner (CC6.8).
//!
//! ## Failing example
//! ```yaml
//! steps:
//!   - uses: actions/checkout@v4
//!   - uses: some-org/deploy-action@main
//!   - uses: docker://alpine:3.20
//! ```
//!
//! ## Passing example
//! ```yaml
//! steps:
//!   - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
//!   - uses: ./.github/actions/setup
//!   - uses: docker://alpine@sha256:0a4eaa0eecf5f8c050e5bba433f58c052be7587ee8af3e8b3910ef9ab5fbe9f5
//! ```
//!
//! ## Fix
//! Pin to the full commit SHA of the release and keep the tag in a trailing comment
//! (`@<sha> # v4.2.2`) so Dependabot and Renovate can still propose updates; pin container
//! images by `@sha256:` digest.

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-GHA-004",
        name: "action-not-pinned-to-sha",
        title: "Action or reusable workflow not pinned to a commit SHA",
        severity: Severity::High,
        criteria: &["PI1.2", "CC8.1", "CC6.8"],
        help: "Pin `uses:` to a full 40-character commit SHA and keep the tag in a trailing comment \
               (`uses: owner/repo@<sha> # v1.2.3`); pin `docker://` images by `@sha256:` digest.",
        checkov: &[],
        kics: &["555ab8f9-2001-455e-a077-f2d0f41e2fb9"],
        trivy: &[],
        other: &["zizmor: unpinned-uses"],
        bindings: &[(Target::GithubActions, &["step", "job"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    let Some(uses) = resource.body.and_then(|b| b.get("uses")) else { return };
    let Some(reference) = uses.as_str() else {
        if uses.is_expr() {
            out.unknown();
        }
        return;
    };
    let what = if resource.kind == "job" { "reusable workflow" } else { "action" };
    match judge(reference) {
        Pin::Pinned | Pin::Local => {}
        Pin::Dynamic => out.unknown(),
        Pin::Invalid => {
            out.fail(
                uses.span,
                format!("`uses: {reference}` in `{}` names no `@ref`; GitHub rejects it", resource.address),
            );
        }
        Pin::Mutable { first_party } => {
            let violation = out.fail(
                uses.span,
                format!(
                    "{what} `{reference}` in `{}` is pinned to a movable ref, not a commit SHA",
                    resource.address
                ),
            );
            if first_party {
                violation.severity(Severity::Medium);
            }
        }
        Pin::ImageUnpinned => {
            out.fail(
                uses.span,
                format!("container `{reference}` in `{}` is not pinned by `@sha256:` digest", resource.address),
            )
            .severity(Severity::Medium);
        }
    }
}

/// What a `uses:` reference pins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pin {
    /// A commit SHA or an image digest.
    Pinned,
    /// `./path`: same commit as the workflow.
    Local,
    /// Built from an expression: unknown until run time.
    Dynamic,
    /// No `@ref`: not a valid reference.
    Invalid,
    /// A tag or branch; `first_party` for actions GitHub publishes.
    Mutable { first_party: bool },
    /// `docker://` without a digest.
    ImageUnpinned,
}

fn judge(reference: &str) -> Pin {
    let reference = reference.trim();
    if reference.contains("${{") {
        return Pin::Dynamic;
    }
    if reference.starts_with("./") || reference.starts_with("../") {
        return Pin::Local;
    }
    if let Some(image) = reference.strip_prefix("docker://") {
        let digest = image.rsplit_once("@sha256:").map(|(_, d)| d);
        return if digest.is_some_and(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit())) {
            Pin::Pinned
        } else {
            Pin::ImageUnpinned
        };
    }
    let Some((path, git_ref)) = reference.rsplit_once('@') else { return Pin::Invalid };
    if git_ref.len() == 40 && git_ref.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Pin::Pinned;
    }
    let owner = path.split('/').next().unwrap_or(path);
    Pin::Mutable { first_party: owner.eq_ignore_ascii_case("actions") || owner.eq_ignore_ascii_case("github") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_judged() {
        let sha = "11bd71901bbe5b1630ceea73d27597364c9af683";
        let digest = "0a4eaa0eecf5f8c050e5bba433f58c052be7587ee8af3e8b3910ef9ab5fbe9f5";
        let cases = [
            (format!("actions/checkout@{sha}"), Pin::Pinned),
            (format!("some-org/deploy/sub/dir@{}", sha.to_uppercase()), Pin::Pinned),
            (format!("org/repo/.github/workflows/release.yml@{sha}"), Pin::Pinned),
            ("actions/checkout@v4".into(), Pin::Mutable { first_party: true }),
            ("GitHub/codeql-action/init@v3".into(), Pin::Mutable { first_party: true }),
            ("some-org/deploy-action@main".into(), Pin::Mutable { first_party: false }),
            ("actions-community/thing@v1".into(), Pin::Mutable { first_party: false }),
            ("org/repo/.github/workflows/release.yml@v1".into(), Pin::Mutable { first_party: false }),
            // A short SHA is a prefix anyone can collide with a new commit or tag.
            ("some-org/deploy@11bd719".into(), Pin::Mutable { first_party: false }),
            (format!("some-org/deploy@{sha}0"), Pin::Mutable { first_party: false }),
            ("some-org/deploy@".into(), Pin::Mutable { first_party: false }),
            ("./.github/actions/setup".into(), Pin::Local),
            ("./.github/workflows/reusable.yml".into(), Pin::Local),
            ("some-org/deploy-action".into(), Pin::Invalid),
            ("docker://alpine:3.20".into(), Pin::ImageUnpinned),
            ("docker://ghcr.io/org/tool".into(), Pin::ImageUnpinned),
            (format!("docker://alpine@sha256:{digest}"), Pin::Pinned),
            (format!("docker://alpine:3.20@sha256:{digest}"), Pin::Pinned),
            ("docker://alpine@sha256:abc".into(), Pin::ImageUnpinned),
            ("${{ matrix.action }}".into(), Pin::Dynamic),
            ("some-org/deploy@${{ inputs.ref }}".into(), Pin::Dynamic),
        ];
        for (reference, expected) in cases {
            assert_eq!(judge(&reference), expected, "{reference}");
        }
    }

    fn check_step(uses: &str) -> (Span, Outcome) {
        let text = format!("steps:\n  - uses: {uses}\n");
        let start = text.find(uses).expect("uses is in the text");
        let span = Span::new(start, start + uses.len());
        let node = Node::new(span, Value::String(uses.into()));
        let body = Node::new(
            span,
            Value::Map(vec![trustlint_engine::Entry { key: "uses".into(), key_span: Span::new(10, 14), value: node }]),
        );
        let source = trustlint_engine::SourceFile::new("action.yml", text.as_str());
        let resource = Resource::tree(Target::GithubActions, "step", "runs.steps[0]", Span::new(10, 14), &body);
        let mut out = Outcome::default();
        check(&resource, &FileContext { source: &source, syntax: &Syntax::Text, scope: &Default::default() }, &mut out);
        (span, out)
    }

    #[test]
    fn check_points_at_the_reference_with_its_severity() {
        let (span, out) = check_step("actions/checkout@v4");
        assert_eq!(out.violations.len(), 1);
        assert_eq!(out.violations[0].span, span);
        assert_eq!(out.violations[0].severity, Some(Severity::Medium));

        let (_, out) = check_step("some-org/deploy@main");
        assert_eq!(out.violations[0].severity, None, "the rule's default, high");

        let (_, out) = check_step("some-org/deploy@${{ inputs.ref }}");
        assert!(out.violations.is_empty());
        assert!(out.unknown);

        let (_, out) = check_step("./local-action");
        assert!(out.violations.is_empty());
        assert!(!out.unknown);
    }
}
