//! GitHub Actions: workflows and action metadata files into resources.
//!
//! A workflow (`.github/workflows/*.yml`) yields one `workflow` resource for the whole file,
//! one `job` per `jobs.<id>` (reusable-workflow jobs with `uses:` included) and one `step` per
//! item of each job's `steps`. An action metadata file (`action.yml`) yields one `action`
//! resource and one `step` per item of `runs.steps` (composite actions).
//!
//! Addresses are `workflow`, `jobs.<id>`, `jobs.<id>.steps[<i>]`, `action` and
//! `runs.steps[<i>]`. A step's [`Resource::index`] is its position in its job's `steps`; the
//! workflow a step belongs to is found with [`document_containing`].
//!
//! ```
//! use trustlint_engine::model::github_actions::{job_of_step, triggers};
//! use trustlint_engine::{Node, Span, Value};
//! let on = Node::new(Span::default(), Value::String("push".into()));
//! let root = Node::new(
//!     Span::default(),
//!     Value::Map(vec![trustlint_engine::Entry { key: "on".into(), key_span: Span::default(), value: on }]),
//! );
//! assert_eq!(triggers(&root), vec!["push".to_string()]);
//! assert_eq!(job_of_step("jobs.build.steps[2]"), Some("build"));
//! ```

use crate::{Node, Resource, Span, Target, Value};

/// The resources of a workflow file (`is_action = false`) or of an action metadata file
/// (`action.yml` / `action.yaml`, `is_action = true`).
///
/// Documents that are not mappings (an empty file, a stray scalar) yield nothing.
pub fn resources<'a>(docs: &'a [Node], is_action: bool) -> Vec<Resource<'a>> {
    let mut out = Vec::new();
    for (doc_index, root) in docs.iter().enumerate() {
        if !matches!(root.value, Value::Map(_)) {
            continue;
        }
        if is_action {
            action_resources(root, doc_index, &mut out);
        } else {
            workflow_resources(root, doc_index, &mut out);
        }
    }
    out
}

fn workflow_resources<'a>(root: &'a Node, doc_index: usize, out: &mut Vec<Resource<'a>>) {
    let mut workflow = Resource::tree(Target::GithubActions, "workflow", "workflow", header(root), root);
    workflow.index = doc_index;
    out.push(workflow);
    for job in root.get("jobs").map(Node::entries).unwrap_or_default() {
        let address = format!("jobs.{}", job.key);
        let mut resource =
            Resource::tree(Target::GithubActions, "job", address.clone(), job.key_span, &job.value);
        resource.index = doc_index;
        out.push(resource);
        if let Some(steps) = job.value.get("steps") {
            push_steps(steps, &address, out);
        }
    }
}

fn action_resources<'a>(root: &'a Node, doc_index: usize, out: &mut Vec<Resource<'a>>) {
    let mut action = Resource::tree(Target::GithubActions, "action", "action", header(root), root);
    action.index = doc_index;
    out.push(action);
    if let Some(steps) = root.get_path("runs.steps") {
        push_steps(steps, "runs", out);
    }
}

/// One `step` resource per item of a `steps` list; `prefix` is the address of its owner.
fn push_steps<'a>(steps: &'a Node, prefix: &str, out: &mut Vec<Resource<'a>>) {
    let Value::List(items) = &steps.value else { return };
    for (i, step) in items.iter().enumerate() {
        let address = format!("{prefix}.steps[{i}]");
        let mut resource = Resource::tree(Target::GithubActions, "step", address, header(step), step);
        resource.index = i;
        out.push(resource);
    }
}

/// Where to point for a mapping as a whole: its first key, so the finding lands on the line
/// where the item visibly starts (`- name: ...`) rather than on a span that may open with
/// the list marker or a preceding comment. Non-maps and empty maps use their own span.
fn header(node: &Node) -> Span {
    node.entries().first().map_or(node.span, |e| e.key_span)
}

/// The events that trigger a workflow: `on: push`, `on: [push, pull_request]` or the keys of
/// `on: {push: ..., pull_request_target: ...}`. Empty when there is no `on`.
pub fn triggers(root: &Node) -> Vec<String> {
    let Some(on) = root.get("on") else { return Vec::new() };
    match &on.value {
        Value::Map(entries) => entries.iter().map(|e| e.key.clone()).collect(),
        Value::List(items) => items.iter().filter_map(|i| i.scalar_text().map(|s| s.into_owned())).collect(),
        _ => on.scalar_text().map(|s| vec![s.into_owned()]).unwrap_or_default(),
    }
}

/// The job id of a step address (`jobs.build.steps[2]` gives `build`); `None` for addresses
/// that are not a workflow step (action steps, jobs, the workflow itself).
pub fn job_of_step(address: &str) -> Option<&str> {
    let rest = address.strip_prefix("jobs.")?;
    let (job, tail) = rest.rsplit_once(".steps[")?;
    tail.ends_with(']').then_some(job)
}

/// The document of `docs` whose span contains `span`: how a rule judging a job or a step
/// reaches the workflow root (its triggers, its top-level `permissions`).
pub fn document_containing(docs: &[Node], span: Span) -> Option<&Node> {
    docs.iter().find(|d| d.span.start <= span.start && span.end <= d.span.end)
}

/// One `${{ ... }}` template expression found in a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interpolation<'t> {
    /// Byte range of the whole `${{ ... }}` in the string it was found in.
    pub span: Span,
    /// The expression between the delimiters, untrimmed.
    pub inner: &'t str,
}

impl<'t> Interpolation<'t> {
    /// The whole `${{ ... }}` text.
    pub fn raw<'s>(&self, text: &'s str) -> &'s str {
        text.get(self.span.start..self.span.end).unwrap_or("")
    }
}

/// Every `${{ ... }}` in `text`, in order, found the way the Actions runner finds them: the
/// expression ends at the first `}}` outside a single-quoted string literal (so
/// `${{ format('{{0}}', x) }}` is one expression). An unclosed `${{` ends the search: the
/// runner rejects such a workflow, so nothing after it is ever evaluated.
pub fn interpolations(text: &str) -> Vec<Interpolation<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|rest| rest.find("${{")).map(|i| from + i) {
        let body = open + 3;
        let mut in_string = false;
        let mut close = None;
        let mut i = body;
        while i < bytes.len() {
            match bytes.get(i) {
                Some(b'\'') => in_string = !in_string,
                Some(b'}') if !in_string && bytes.get(i + 1) == Some(&b'}') => {
                    close = Some(i);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let Some(close) = close else { break };
        let inner = text.get(body..close).unwrap_or("");
        found.push(Interpolation { span: Span::new(open, close + 2), inner });
        from = close + 2;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Entry;

    /// Spans are synthetic but distinct so the tests can tell which one a resource points at.
    fn s(v: &str, at: usize) -> Node {
        Node::new(Span::new(at, at + v.len()), Value::String(v.into()))
    }

    fn map(at: usize, entries: Vec<(&str, Node)>) -> Node {
        let end = entries.iter().map(|(_, v)| v.span.end).max().unwrap_or(at);
        let entries = entries
            .into_iter()
            .map(|(k, v)| Entry {
                key: k.into(),
                key_span: Span::new(v.span.start - 1, v.span.start),
                value: v,
            })
            .collect();
        Node::new(Span::new(at, end), Value::Map(entries))
    }

    fn list(at: usize, items: Vec<Node>) -> Node {
        let end = items.iter().map(|v| v.span.end).max().unwrap_or(at);
        Node::new(Span::new(at, end), Value::List(items))
    }

    fn workflow() -> Node {
        let steps = list(
            30,
            vec![
                map(31, vec![("uses", s("actions/checkout@v4", 32))]),
                map(60, vec![("name", s("build", 61)), ("run", s("make", 70))]),
            ],
        );
        let build = map(29, vec![("runs-on", s("ubuntu-latest", 20)), ("steps", steps)]);
        let call = map(100, vec![("uses", s("org/repo/.github/workflows/w.yml@v1", 101))]);
        let jobs = map(19, vec![("build", build), ("call", call)]);
        let on = list(5, vec![s("push", 6), s("pull_request_target", 11)]);
        map(0, vec![("on", on), ("jobs", jobs)])
    }

    #[test]
    fn workflow_yields_workflow_jobs_and_steps() {
        let docs = vec![workflow()];
        let found = resources(&docs, false);
        let summary: Vec<(&str, &str, usize)> =
            found.iter().map(|r| (r.kind.as_str(), r.address.as_str(), r.index)).collect();
        assert_eq!(
            summary,
            vec![
                ("workflow", "workflow", 0),
                ("job", "jobs.build", 0),
                ("step", "jobs.build.steps[0]", 0),
                ("step", "jobs.build.steps[1]", 1),
                ("job", "jobs.call", 0),
            ]
        );
        assert!(found.iter().all(|r| r.target == Target::GithubActions));
        // The workflow points at its first key, a step at its own first key.
        assert_eq!(found[0].span, Span::new(4, 5));
        assert_eq!(found[3].span, Span::new(60, 61));
        assert_eq!(found[3].body.and_then(|b| b.get("run")).and_then(Node::as_str), Some("make"));
        // A job points at its key.
        assert_eq!(
            found[4].span,
            docs[0].get("jobs").and_then(|j| j.entry("call")).map(|e| e.key_span).unwrap()
        );
    }

    #[test]
    fn action_yields_action_and_composite_steps() {
        let steps = list(40, vec![map(41, vec![("run", s("echo hi", 42))])]);
        let runs = map(30, vec![("using", s("composite", 31)), ("steps", steps)]);
        let docs = vec![map(0, vec![("name", s("x", 1)), ("runs", runs)])];
        let found = resources(&docs, true);
        let summary: Vec<(&str, &str)> =
            found.iter().map(|r| (r.kind.as_str(), r.address.as_str())).collect();
        assert_eq!(summary, vec![("action", "action"), ("step", "runs.steps[0]")]);
    }

    #[test]
    fn non_map_documents_yield_nothing() {
        let docs = vec![s("just text", 0), Node::new(Span::default(), Value::Null)];
        assert!(resources(&docs, false).is_empty());
        assert!(resources(&docs, true).is_empty());
    }

    #[test]
    fn triggers_in_every_shape() {
        assert_eq!(triggers(&workflow()), vec!["push", "pull_request_target"]);
        let scalar = map(0, vec![("on", s("issues", 4))]);
        assert_eq!(triggers(&scalar), vec!["issues"]);
        let keyed =
            map(0, vec![("on", map(3, vec![("issue_comment", map(5, vec![("types", s("created", 6))]))]))]);
        assert_eq!(triggers(&keyed), vec!["issue_comment"]);
        assert!(triggers(&map(0, vec![("name", s("x", 1))])).is_empty());
    }

    #[test]
    fn job_ids_of_step_addresses() {
        assert_eq!(job_of_step("jobs.build.steps[0]"), Some("build"));
        assert_eq!(job_of_step("jobs.my-job_2.steps[12]"), Some("my-job_2"));
        assert_eq!(job_of_step("runs.steps[0]"), None);
        assert_eq!(job_of_step("jobs.build"), None);
        assert_eq!(job_of_step("workflow"), None);
    }

    #[test]
    fn the_document_containing_a_span() {
        let docs = vec![map(0, vec![("a", s("x", 1))]), map(10, vec![("b", s("yy", 11))])];
        let found = document_containing(&docs, Span::new(11, 13));
        assert_eq!(found.and_then(|d| d.get("b")).and_then(Node::as_str), Some("yy"));
        assert!(document_containing(&docs, Span::new(50, 51)).is_none());
    }

    #[test]
    fn interpolations_end_outside_string_literals() {
        let text = "echo ${{ github.actor }} and ${{ format('}}{0}', x) }}${{x}}";
        let found: Vec<(&str, &str)> = interpolations(text).iter().map(|i| (i.raw(text), i.inner)).collect();
        assert_eq!(
            found,
            vec![
                ("${{ github.actor }}", " github.actor "),
                ("${{ format('}}{0}', x) }}", " format('}}{0}', x) "),
                ("${{x}}", "x"),
            ]
        );
        // Escaped quotes ('') toggle twice and stay inside the literal.
        let quoted = "${{ 'it''s }}' }}";
        assert_eq!(interpolations(quoted).first().map(|i| i.inner), Some(" 'it''s }}' "));
        // Unclosed: nothing after the opening is an expression.
        assert_eq!(interpolations("a ${{ b }} c ${{ d").len(), 1);
        assert!(interpolations("no expressions, just $HOME and {{ x }}").is_empty());
        // Multi-byte text around expressions keeps byte offsets right.
        let utf8 = "é ${{ a }}";
        assert_eq!(interpolations(utf8).first().map(|i| i.raw(utf8)), Some("${{ a }}"));
    }
}
