//! ## What it checks
//! The `GITHUB_TOKEN` permissions of every workflow:
//! - **High:** `permissions: write-all`, at the workflow's top level or on a job (each is its
//!   own finding, at the value).
//! - **Medium:** no top-level `permissions` key while at least one job has no `permissions`
//!   of its own. Those jobs get the repository's or organisation's default token, which is
//!   read/write for enterprises, organisations and repositories created before GitHub's
//!   2023-02-02 switch to read-only, and that setting is not visible in the repository. One
//!   finding per workflow, at its first key, naming the jobs.
//!
//! Exempt from the medium case: a reusable workflow triggered only by `workflow_call`, whose
//! token is the caller's (the caller is judged), and a workflow without jobs. Action metadata
//! files (`action.yml`) have no token of their own and are not judged.
//!
//! This rule is native because it looks at the workflow's triggers and every job together.
//!
//! ## Why it matters (CC6.1, CC6.3, CC8.1)
//! Every step of a job, third-party actions included, can use the job's token. A write token
//! lets a compromised dependency or an injected command push code, publish releases or
//! approve its own changes. Granting each job only the scopes it needs is least privilege
//! (CC6.1, CC6.3) and keeps changes flowing through review (CC8.1).
//!
//! ## Failing example
//! ```yaml
//! on: push
//! jobs:
//!   test:
//!     runs-on: ubuntu-latest
//!     steps:
//!       - uses: actions/checkout@v4
//!       - run: make test
//!   release:
//!     permissions: write-all
//!     runs-on: ubuntu-latest
//!     steps:
//!       - run: make release
//! ```
//!
//! ## Passing example
//! ```yaml
//! on: push
//! permissions:
//!   contents: read
//! jobs:
//!   test:
//!     runs-on: ubuntu-latest
//!     steps:
//!       - uses: actions/checkout@v4
//!       - run: make test
//!   release:
//!     permissions:
//!       contents: write
//!     runs-on: ubuntu-latest
//!     steps:
//!       - run: make release
//! ```
//!
//! ## Fix
//! Add `permissions: {contents: read}` (or `permissions: {}`) at the top of the workflow, and
//! grant the few write scopes a job needs on that job only. Replace `write-all` with the
//! scopes actually used.

use trustlint_engine::model::github_actions::triggers;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-GHA-001",
        name: "token-permissions-excessive",
        title: "Workflow token permissions are excessive or left to the default",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.3", "CC8.1"],
        help: "Set top-level `permissions: {contents: read}` and grant write scopes per job; never `write-all`.",
        checkov: &["CKV2_GHA_1"],
        kics: &[],
        trivy: &[],
        other: &["zizmor: excessive-permissions"],
        bindings: &[(Target::GithubActions, &["workflow"])],
    }
}

/// How many job ids a message names before summarising.
const NAMED_JOBS: usize = 5;

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    let Some(root) = resource.body else { return };
    let top = root.get("permissions");
    if let Some(node) = top.filter(|p| is_write_all(p)) {
        out.fail(node.span, "`permissions: write-all` gives every job a token that can write to everything");
    }
    let jobs = root.get("jobs").map(Node::entries).unwrap_or_default();
    let mut defaulted = Vec::new();
    for job in jobs {
        match job.value.get("permissions") {
            Some(node) if is_write_all(node) => {
                out.fail(node.span, format!("job `{}` has `permissions: write-all`", job.key));
            }
            Some(_) => {}
            None => defaulted.push(job.key.as_str()),
        }
    }
    if top.is_some() || defaulted.is_empty() {
        return;
    }
    let events = triggers(root);
    if !events.is_empty() && events.iter().all(|e| e == "workflow_call") {
        return;
    }
    let mut names: Vec<String> = defaulted.iter().take(NAMED_JOBS).map(|j| format!("`{j}`")).collect();
    if defaulted.len() > NAMED_JOBS {
        names.push(format!("{} more", defaulted.len() - NAMED_JOBS));
    }
    out.fail(
        resource.span,
        format!(
            "no top-level `permissions`, and job{} {} set{} none: the token gets the repository default, possibly read/write",
            if defaulted.len() == 1 { "" } else { "s" },
            names.join(", "),
            if defaulted.len() == 1 { "s" } else { "" },
        ),
    )
    .severity(Severity::Medium);
}

fn is_write_all(node: &Node) -> bool {
    node.as_str().is_some_and(|s| s.trim() == "write-all")
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::github_actions::resources;
    use trustlint_engine::parse::yaml::parse;

    use super::*;

    /// (line, severity override, message) of each finding on the workflow.
    fn run(text: &str) -> Vec<(usize, Option<Severity>, String)> {
        let source = SourceFile::new(".github/workflows/ci.yml", text);
        let Ok(stream) = parse(&source.text) else { panic!("parse failed") };
        let syntax = Syntax::Yaml(stream);
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut found = Vec::new();
        for resource in resources(syntax.documents(), false).iter().filter(|r| r.kind == "workflow") {
            let mut out = Outcome::default();
            check(resource, &file, &mut out);
            found.extend(
                out.violations.iter().map(|v| (source.location(v.span.start).line, v.severity, v.message.clone())),
            );
        }
        found
    }

    const JOBS: &str = "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";

    #[test]
    fn write_all_is_high_where_written() {
        let found = run(&format!("on: push\npermissions: write-all\n{JOBS}"));
        assert_eq!(found.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(), vec![(2, None)]);
        let job = "on: push\npermissions: {}\njobs:\n  release:\n    permissions: write-all\n    runs-on: x\n";
        assert_eq!(run(job).iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(), vec![(5, None)]);
    }

    #[test]
    fn default_permissions_are_medium_at_the_workflow() {
        let found = run(&format!("name: CI\non: push\n{JOBS}  lint:\n    runs-on: x\n    permissions:\n      contents: read\n"));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, Some(Severity::Medium)));
        assert!(found[0].2.contains("job `test` sets none"), "{}", found[0].2);
    }

    #[test]
    fn passes() {
        assert!(run(&format!("on: push\npermissions:\n  contents: read\n{JOBS}")).is_empty());
        assert!(run("on: push\njobs:\n  a:\n    runs-on: x\n    permissions: read-all\n").is_empty());
        assert!(run(&format!("on: workflow_call\n{JOBS}")).is_empty());
        assert!(run(&format!("on:\n  workflow_call:\n    inputs: {{}}\n{JOBS}")).is_empty());
        assert!(run("on: push\n").is_empty());
    }

    #[test]
    fn reusable_and_dispatchable_workflows_are_judged() {
        assert_eq!(run(&format!("on: [workflow_call, workflow_dispatch]\n{JOBS}")).len(), 1);
    }

    #[test]
    fn many_jobs_are_summarised() {
        let mut text = String::from("on: push\njobs:\n");
        for i in 0..8 {
            text.push_str(&format!("  j{i}:\n    runs-on: x\n"));
        }
        let found = run(&text);
        assert!(found[0].2.contains("3 more"), "{}", found[0].2);
    }
}
