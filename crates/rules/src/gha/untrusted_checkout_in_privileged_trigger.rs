//! ## What it checks
//! Jobs of workflows triggered by `pull_request_target` or `workflow_run` (the two triggers
//! that run with the base repository's secrets and a read/write token for events anyone
//! with a fork can cause) for this data flow within one job:
//! 1. an `actions/checkout` step whose `ref` or `repository` names the pull request's code:
//!    `github.event.pull_request.head.sha`, `.head.ref`, `.head.repo.full_name`,
//!    `.merge_commit_sha`, `github.head_ref`, `refs/pull/<n>/merge` or `/head`,
//!    `github.event.workflow_run.head_sha`, `.head_branch`, `.head_repository.full_name`,
//!    `.head_commit.id`;
//! 2. followed, later in the same job, by a step that runs that code: any `run:` step, a
//!    local action (`uses: ./...`), or a build or test action that executes the repository's
//!    scripts (`docker/build-push-action`, `github/codeql-action/autobuild`,
//!    `gradle/gradle-build-action`, `gradle/actions/setup-gradle`, `cypress-io/github-action`,
//!    `bahmutov/npm-install`, `pre-commit/action`, `goreleaser/goreleaser-action`).
//!
//! A checkout into a subdirectory (`with.path: pr`) leaves the base branch's files at the
//! workspace root: a later step then runs the pull request's code when its
//! `working-directory` (or the job's `defaults.run.working-directory`) or its local action is
//! inside that subdirectory; a script or build input that merely names the subdirectory may
//! read its files as data or execute them, which cannot be told apart here: unknown.
//!
//! The finding points at the checkout's `ref` (or `repository`) and names the step that
//! runs the code. A checkout whose ref is computed elsewhere (`${{ steps.pr.outputs.sha }}`,
//! `${{ env.REF }}`, `${{ needs.x.outputs.ref }}`) followed by such a step is unknown. A job
//! or checkout step guarded by an `if:` that admits only same-repository pull requests
//! (`github.event.pull_request.head.repo.full_name == github.repository`, `head.repo.fork ==
//! false`, `github.event.workflow_run.head_repository.full_name == github.repository`) with
//! no `||` passes: forks cannot reach it.
//!
//! A `workflow_run` workflow is judged whatever workflow triggers it: which events that
//! workflow runs on is in another file.
//!
//! This rule is native because it follows data flow across the trigger, the checkout step
//! and the steps after it.
//!
//! ## Why it matters (CC6.8, CC8.1, PI1.3)
//! `pull_request_target` and `workflow_run` jobs run in the base repository's context: they
//! see its secrets and get a token that can write to it. Checking out the pull request's head
//! and then building, testing or running any of its files executes code from an outside
//! contributor with those privileges ("pwn request"): the attacker edits a build script or a
//! test in their fork and exfiltrates secrets or pushes to the default branch. This is
//! malicious software entering the pipeline (CC6.8), an unreviewed change reaching protected
//! branches (CC8.1), and processing that can no longer be trusted (PI1.3).
//!
//! ## Failing example
//! ```yaml
//! on: pull_request_target
//! jobs:
//!   test:
//!     runs-on: ubuntu-latest
//!     steps:
//!       - uses: actions/checkout@v4
//!         with:
//!           ref: ${{ github.event.pull_request.head.sha }}
//!       - run: npm ci && npm test
//! ```
//!
//! ## Passing example
//! ```yaml
//! on: pull_request
//! jobs:
//!   test:
//!     runs-on: ubuntu-latest
//!     permissions:
//!       contents: read
//!     steps:
//!       - uses: actions/checkout@v4
//!       - run: npm ci && npm test
//! ```
//!
//! ## Fix
//! Build and test pull requests with the unprivileged `pull_request` trigger. When a
//! privileged step is needed (commenting, labelling), split it: run the untrusted build under
//! `pull_request`, upload its results as an artefact, and consume them as data (never
//! executing them) in a `workflow_run` job that does not check out the pull request's code.

use trustlint_engine::model::github_actions::{document_containing, triggers};

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-GHA-002",
        name: "untrusted-checkout-in-privileged-trigger",
        title: "Privileged workflow checks out and runs pull request code",
        severity: Severity::Critical,
        criteria: &["CC6.8", "CC8.1", "PI1.3"],
        help: "Build pull requests under `pull_request`; in `pull_request_target`/`workflow_run` jobs never check out and run the PR head.",
        checkov: &[],
        kics: &[],
        trivy: &[],
        other: &["zizmor: dangerous-triggers"],
        bindings: &[(Target::GithubActions, &["job"])],
    }
}

/// Triggers that run with the base repository's secrets for events outsiders can cause.
const PRIVILEGED_TRIGGERS: [&str; 2] = ["pull_request_target", "workflow_run"];

/// Contexts (lower-cased) that name the pull request's code.
const UNTRUSTED_REFS: [&str; 10] = [
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.merge_commit_sha",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_repository.full_name",
    "github.event.workflow_run.head_commit.id",
    "github.event.workflow_run.pull_requests",
];

/// Contexts a ref may be computed in, whose value this rule cannot follow.
const INDIRECT: [&str; 4] = ["steps.", "needs.", "env.", "inputs."];

/// Actions that run the checked-out repository's build or test scripts.
const BUILD_ACTIONS: [&str; 8] = [
    "docker/build-push-action",
    "github/codeql-action/autobuild",
    "gradle/gradle-build-action",
    "gradle/actions/setup-gradle",
    "cypress-io/github-action",
    "bahmutov/npm-install",
    "pre-commit/action",
    "goreleaser/goreleaser-action",
];

/// `if:` conditions (whitespace removed, lower-cased) that admit only same-repository events.
const SAME_REPO_GUARDS: [&str; 6] = [
    "github.event.pull_request.head.repo.full_name==github.repository",
    "github.repository==github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.head.repo.fork==false",
    "!github.event.pull_request.head.repo.fork",
    "github.event.workflow_run.head_repository.full_name==github.repository",
    "github.repository==github.event.workflow_run.head_repository.full_name",
];

/// What a checkout step checks out.
enum Checkout<'a> {
    /// The pull request's code, named by this node.
    Untrusted(&'a Node),
    /// A ref computed in another step, job or variable.
    Indirect,
    /// The base repository's code.
    Trusted,
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(job) = resource.body else { return };
    let Some(root) = document_containing(file.syntax.documents(), resource.span) else { return };
    let events = triggers(root);
    let Some(trigger) = PRIVILEGED_TRIGGERS.iter().find(|t| events.iter().any(|e| e == *t)) else { return };
    if guarded(job) {
        return;
    }
    let steps = job.get("steps").map(Node::items).unwrap_or_default();
    let default_dir = job.get_path("defaults.run.working-directory").and_then(Node::as_str);
    let mut checkout: Option<(usize, Checkout<'_>, Option<String>)> = None;
    let mut maybe = false;
    for (index, step) in steps.iter().enumerate() {
        if let Some((at, found, path)) = &checkout {
            let what = match executes(step, path.as_deref(), default_dir) {
                Exec::No => continue,
                Exec::Maybe => {
                    maybe = true;
                    continue;
                }
                Exec::Runs(what) => what,
            };
            match found {
                Checkout::Untrusted(node) => {
                    let written = node.scalar_text().unwrap_or_default();
                    let step_name = step
                        .get("name")
                        .and_then(Node::as_str)
                        .map_or_else(|| format!("step {}", index + 1), |n| format!("step `{n}`"));
                    out.fail(
                        node.span,
                        format!(
                            "`{}` checks out the pull request's code (`{}`) on `{trigger}` (step {}) and then {what} ({step_name}), with the base repository's secrets and token",
                            resource.address,
                            written.trim(),
                            at + 1
                        ),
                    );
                }
                Checkout::Indirect => out.unknown(),
                Checkout::Trusted => {}
            }
            return;
        }
        if let Some((found, path)) = judge_checkout(step)
            && !matches!(found, Checkout::Trusted)
        {
            checkout = Some((index, found, path));
        }
    }
    if maybe {
        out.unknown();
    }
}

/// Whether a step is `actions/checkout`, what it checks out, and into which subdirectory
/// (`with.path`; `None` for the workspace root).
fn judge_checkout(step: &Node) -> Option<(Checkout<'_>, Option<String>)> {
    let uses = step.get("uses").and_then(Node::as_str)?;
    let action = uses.split('@').next().unwrap_or(uses);
    if !action.eq_ignore_ascii_case("actions/checkout") || guarded(step) {
        return None;
    }
    let mut indirect = false;
    for key in ["ref", "repository"] {
        let Some(node) = step.get("with").and_then(|w| w.get(key)) else { continue };
        let Some(text) = node.scalar_text() else { continue };
        let lower = text.to_ascii_lowercase();
        let named = UNTRUSTED_REFS.iter().any(|r| lower.contains(r))
            || (lower.contains("refs/pull/") && (lower.contains("/merge") || lower.contains("/head")));
        if named {
            return Some((Checkout::Untrusted(node), checkout_path(step)));
        }
        if lower.contains("${{") && INDIRECT.iter().any(|c| lower.contains(c)) {
            indirect = true;
        }
    }
    let found = if indirect { Checkout::Indirect } else { Checkout::Trusted };
    Some((found, checkout_path(step)))
}

/// The subdirectory a checkout writes to, normalised (`./pr/` is `pr`); `None` for the root.
fn checkout_path(step: &Node) -> Option<String> {
    let raw = step.get("with").and_then(|w| w.get("path")).and_then(Node::scalar_text)?;
    let path = raw.trim().trim_start_matches("./").trim_end_matches('/');
    (!path.is_empty() && path != ".").then(|| path.to_string())
}

/// Whether a later step runs the checked-out code.
enum Exec {
    /// It does, in this way.
    Runs(&'static str),
    /// It may: it names the directory of a checkout made into a subdirectory.
    Maybe,
    /// It does not.
    No,
}

/// What a step does with the checked-out code. With a checkout into the workspace root
/// (`dir` is `None`) every script and local action runs in it. With a checkout into a
/// subdirectory, the base branch's files stay at the root: a step runs the pull request's
/// code when its working directory or local action is inside that subdirectory, and may
/// run it when its script or inputs name the subdirectory (reading files there as data is
/// harmless, executing them is not; which one happens is not decidable here).
fn executes(step: &Node, dir: Option<&str>, default_dir: Option<&str>) -> Exec {
    let inside = |text: &str, dir: &str| {
        let t = text.trim().trim_start_matches("./");
        t == dir || t.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
    };
    if let Some(script) = step.get("run") {
        let Some(dir) = dir else { return Exec::Runs("runs a script in it") };
        if dir.contains("${{") {
            return Exec::Maybe;
        }
        let working = step.get("working-directory").and_then(Node::as_str).or(default_dir);
        if working.is_some_and(|w| inside(w, dir)) {
            return Exec::Runs("runs a script in it");
        }
        return if script.as_str().is_some_and(|text| mentions(text, dir)) { Exec::Maybe } else { Exec::No };
    }
    let Some(uses) = step.get("uses").and_then(Node::as_str) else { return Exec::No };
    if let Some(local) = uses.strip_prefix("./") {
        return match dir {
            None => Exec::Runs("runs a local action from it"),
            Some(dir) if inside(local, dir) => Exec::Runs("runs a local action from it"),
            Some(_) => Exec::No,
        };
    }
    let action = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    if !BUILD_ACTIONS.iter().any(|a| action == *a) {
        return Exec::No;
    }
    match dir {
        None => Exec::Runs("builds it"),
        Some(dir) => {
            let inputs = step.get("with").map(Node::entries).unwrap_or_default();
            let named = inputs.iter().any(|e| e.value.scalar_text().is_some_and(|v| mentions(&v, dir)));
            if named { Exec::Maybe } else { Exec::No }
        }
    }
}

/// Whether `text` names the path `dir` as a whole word (`pr`, `./pr/x`, not `prune`).
fn mentions(text: &str, dir: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    text.match_indices(dir).any(|(at, _)| {
        let before = text.get(..at).and_then(|b| b.chars().next_back());
        let after = text.get(at + dir.len()..).and_then(|a| a.chars().next());
        !before.is_some_and(|c| word(c) && c != '.') && !after.is_some_and(word)
    })
}

/// An `if:` that admits only same-repository events (and has no `||` that could bypass it).
fn guarded(node: &Node) -> bool {
    let Some(condition) = node.get("if").and_then(Node::scalar_text) else { return false };
    let compact: String = condition.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    let compact = compact.replace('\'', "\"");
    !compact.contains("||") && SAME_REPO_GUARDS.iter().any(|g| compact.contains(g))
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::github_actions::resources;
    use trustlint_engine::parse::yaml::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    /// Result per job and the (line, message) of each finding.
    fn run(text: &str) -> (Vec<CheckResult>, Vec<(usize, String)>) {
        let source = SourceFile::new(".github/workflows/pr.yml", text);
        let Ok(stream) = parse(&source.text) else { panic!("parse failed") };
        let syntax = Syntax::Yaml(stream);
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut results = Vec::new();
        let mut found = Vec::new();
        for resource in resources(syntax.documents(), false).iter().filter(|r| r.kind == "job") {
            let mut out = Outcome::default();
            check(resource, &file, &mut out);
            results.push(out.result());
            found.extend(out.violations.iter().map(|v| (source.location(v.span.start).line, v.message.clone())));
        }
        (results, found)
    }

    fn workflow(trigger: &str, checkout_with: &str, after: &str) -> String {
        format!(
            "on: {trigger}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          {checkout_with}\n{after}"
        )
    }

    const RUN: &str = "      - run: npm ci && npm test\n";

    #[test]
    fn checkout_of_the_head_then_run_fails_at_the_ref() {
        let (results, found) = run(&workflow("pull_request_target", "ref: ${{ github.event.pull_request.head.sha }}", RUN));
        assert_eq!(results, vec![CheckResult::Fail]);
        assert_eq!(found[0].0, 8);
        assert!(found[0].1.contains("pull_request_target") && found[0].1.contains("step 2"), "{}", found[0].1);
        for with in [
            "ref: ${{ github.head_ref }}",
            "ref: refs/pull/${{ github.event.number }}/merge",
            "repository: ${{ github.event.pull_request.head.repo.full_name }}",
            "ref: ${{ github.event.pull_request.merge_commit_sha }}",
        ] {
            assert_eq!(run(&workflow("pull_request_target", with, RUN)).0, vec![CheckResult::Fail], "{with}");
        }
        let wr = workflow("\n  workflow_run:\n    workflows: [CI]", "ref: ${{ github.event.workflow_run.head_sha }}", RUN);
        assert_eq!(run(&wr).0, vec![CheckResult::Fail]);
    }

    #[test]
    fn execution_kinds() {
        let with = "ref: ${{ github.event.pull_request.head.sha }}";
        for after in [
            "      - uses: ./.github/actions/setup\n",
            "      - uses: docker/build-push-action@v6\n",
            "      - name: Build\n        uses: github/codeql-action/autobuild@v3\n",
        ] {
            assert_eq!(run(&workflow("pull_request_target", with, after)).0, vec![CheckResult::Fail], "{after}");
        }
        // Checkout alone, or only actions that read data, is not execution.
        assert_eq!(
            run(&workflow("pull_request_target", with, "      - uses: actions/upload-artifact@v4\n")).0,
            vec![CheckResult::Pass]
        );
        assert_eq!(run(&workflow("pull_request_target", with, "")).0, vec![CheckResult::Pass]);
    }

    #[test]
    fn passes() {
        // The unprivileged trigger.
        assert_eq!(run(&workflow("pull_request", "ref: ${{ github.event.pull_request.head.sha }}", RUN)).0, vec![
            CheckResult::Pass
        ]);
        // The base branch.
        assert_eq!(run(&workflow("pull_request_target", "fetch-depth: 0", RUN)).0, vec![CheckResult::Pass]);
        // Run before the checkout.
        let before = "on: pull_request_target\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: echo hi\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.head_ref }}\n";
        assert_eq!(run(before).0, vec![CheckResult::Pass]);
    }

    #[test]
    fn same_repository_guards_pass_and_or_does_not() {
        let guarded = "on: pull_request_target\njobs:\n  t:\n    if: github.event.pull_request.head.repo.full_name == github.repository\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.head_ref }}\n      - run: make\n";
        assert_eq!(run(guarded).0, vec![CheckResult::Pass]);
        let bypass = guarded.replace("github.repository\n", "github.repository || github.actor == 'bot'\n");
        assert_eq!(run(&bypass).0, vec![CheckResult::Fail]);
        let step_guard = "on: pull_request_target\njobs:\n  t:\n    runs-on: x\n    steps:\n      - if: ${{ !github.event.pull_request.head.repo.fork }}\n        uses: actions/checkout@v4\n        with:\n          ref: ${{ github.head_ref }}\n      - run: make\n";
        assert_eq!(run(step_guard).0, vec![CheckResult::Pass]);
    }

    #[test]
    fn checkouts_into_a_subdirectory() {
        let with = "ref: ${{ github.event.pull_request.head.sha }}\n          path: pr";
        // Base-branch scripts that do not touch the PR tree.
        assert_eq!(run(&workflow("pull_request_target", with, "      - run: make lint\n")).0, vec![CheckResult::Pass]);
        // Reading or running files from it: undecidable.
        assert_eq!(
            run(&workflow("pull_request_target", with, "      - run: ./tool --folder=pr\n")).0,
            vec![CheckResult::Unknown]
        );
        // Running inside it.
        let inside = "      - run: npm test\n        working-directory: ./pr\n";
        assert_eq!(run(&workflow("pull_request_target", with, inside)).0, vec![CheckResult::Fail]);
        assert_eq!(
            run(&workflow("pull_request_target", with, "      - uses: ./pr/.github/actions/build\n")).0,
            vec![CheckResult::Fail]
        );
        assert_eq!(
            run(&workflow("pull_request_target", with, "      - uses: ./.github/actions/report\n")).0,
            vec![CheckResult::Pass]
        );
        assert!(mentions("git -C pr diff", "pr"));
        assert!(mentions("cat ./pr/x", "pr"));
        assert!(!mentions("git prune", "pr"));
    }

    #[test]
    fn indirect_refs_are_unknown() {
        let (results, found) = run(&workflow("pull_request_target", "ref: ${{ steps.pr.outputs.sha }}", RUN));
        assert_eq!(results, vec![CheckResult::Unknown]);
        assert!(found.is_empty());
    }
}
