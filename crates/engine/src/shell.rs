//! Shell analysis with tree-sitter-bash: what a script runs, and whether it executes code it
//! downloaded without verifying it.
//!
//! [`analyse`] parses a POSIX/bash script (a Dockerfile `RUN`, a workflow `run:` block) and
//! reports every pipeline and command in it (command names with `sudo`, `env VAR=x`, `exec`,
//! `command`, `nohup`, `timeout`, ... and directories stripped; arguments as text with byte
//! spans) and every place where downloaded content is executed:
//!
//! - piped into an interpreter, possibly through filters: `curl -fsSL URL | sudo bash -s --`,
//!   `wget -qO- URL | tee i.sh | sh`, `curl URL | gunzip | python3`;
//! - passed as program text: `sh -c "$(curl URL)"`, `eval "$(wget -O- URL)"`,
//!   `bash <<< "$(curl URL)"`, `$(curl URL)`;
//! - passed as a script file: `bash <(curl URL)`, `source <(curl URL)`, `sh < <(curl URL)`;
//! - saved to a file that is then run without a checksum or signature check in between that
//!   stops the script when it fails: `curl -o f URL; sh f` is reported,
//!   `curl -o f URL && sha256sum -c f.sha256 && sh f` is not.
//!
//! A download piped or substituted straight into an interpreter is reported even when the
//! script checks a checksum elsewhere: the bytes executed are never the bytes checked.
//! Saving to a file and running it is the same risk as the pipe, split over two commands, so
//! it is reported too unless a verification gates it.
//!
//! Program text the script itself runs (`sh -c '...'`, `su -c '...'`, `bash <<EOF` bodies)
//! is analysed as well, its spans mapped back into the script. Quoted text that is only data
//! (`echo 'curl x | sh'`) is not code and is not analysed.
//!
//! tree-sitter is error tolerant: a script with syntax errors is analysed as far as it
//! parsed, and [`ShellReport::syntax_errors`] says so.
//!
//! ```
//! use trustlint_engine::shell::analyse;
//! let script = "apt-get update && curl -fsSL https://get.example.com | sudo sh -s -- --dry-run";
//! let report = analyse(script);
//! let download = report.downloads_piped_to_interpreter[0];
//! assert_eq!(&script[download.start..download.end], "curl -fsSL https://get.example.com");
//! assert_eq!(report.commands().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["apt-get", "curl", "sh"]);
//! ```

mod programs;
mod syntax;

use std::collections::HashMap;

use tree_sitter::{Node, Parser, Tree};

use crate::Span;
use programs::{Family, Output, ScriptSource};
use syntax::{CommandNode, Item, children_with_fields, span_of, text_of};

/// How deep program text inside program text (`sh -c "sh -c '...'"`) is followed.
const MAX_NESTED_SCRIPTS: usize = 8;

/// What [`analyse`] found in a script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShellReport {
    /// Every pipeline (a lone command is a pipeline of one stage), in source order.
    pub pipelines: Vec<Pipeline>,
    /// Every execution of downloaded content, with how it happens.
    pub remote_executions: Vec<RemoteExecution>,
    /// The download commands whose content is executed unverified, sorted and without
    /// duplicates: the spans of [`ShellReport::remote_executions`]' downloads.
    pub downloads_piped_to_interpreter: Vec<Span>,
    /// Whether tree-sitter met syntax errors (the report covers what it could parse).
    pub syntax_errors: bool,
    /// Whether statements nested deeper than [`crate::parse::MAX_DEPTH`], or program text
    /// nested in program text more than eight levels deep (`sh -c "sh -c '...'"`), were left
    /// out: the report is then incomplete, and a rule should treat the script as unknown.
    pub too_deep: bool,
}

impl ShellReport {
    /// Every simple command of every pipeline, in source order.
    pub fn commands(&self) -> impl Iterator<Item = &Command> {
        self.pipelines.iter().flat_map(|p| p.stages.iter()).filter_map(|s| match s {
            Stage::Command(c) => Some(c),
            Stage::Compound { .. } => None,
        })
    }
}

/// Commands joined by `|` (or `|&`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    /// From the first stage to the last.
    pub span: Span,
    /// The stages, left to right.
    pub stages: Vec<Stage>,
}

/// One stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// A simple command.
    Command(Command),
    /// A compound statement (`( ... )`, `{ ...; }`, `if`, `while`, ...); the commands inside
    /// it are pipelines of their own in the report.
    Compound {
        /// tree-sitter's node kind (`subshell`, `if_statement`, ...).
        kind: String,
        /// Its bytes.
        span: Span,
    },
}

/// A simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The program run, after wrappers and directories are stripped (`curl` for
    /// `sudo -E env A=1 /usr/bin/curl`); the source text when the word is not static.
    pub name: String,
    /// The word naming the program, as written (`/usr/bin/curl`, `./install.sh`).
    pub invoked_as: Word,
    /// Wrappers stripped before it, outermost first (`["sudo", "env"]`).
    pub wrappers: Vec<String>,
    /// The arguments after the program word.
    pub args: Vec<Word>,
    /// The whole command, wrappers, assignments and its own redirections included.
    pub span: Span,
}

impl Command {
    /// Whether the command runs through `sudo` or `doas`.
    pub fn elevated(&self) -> bool {
        self.wrappers.iter().any(|w| w == "sudo" || w == "doas")
    }

    /// The arguments' values where static, else their source text.
    pub fn arg_texts(&self) -> Vec<&str> {
        self.args.iter().map(Word::as_text).collect()
    }
}

/// A word of the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The source text, quotes included.
    pub text: String,
    /// The value after quote removal, when it is known statically (no expansion in it).
    pub value: Option<String>,
    /// Its bytes.
    pub span: Span,
}

impl Word {
    /// The static value, or the source text when there is none.
    pub fn as_text(&self) -> &str {
        self.value.as_deref().unwrap_or(&self.text)
    }
}

/// Downloaded content executed without verification.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RemoteExecution {
    /// The download command (`curl -fsSL https://...`).
    pub download: Span,
    /// The downloader (`curl`, `wget`, `fetch`).
    pub downloader: String,
    /// What executes the content (`sh`, `python3`, `source`, `eval`, or the saved file).
    pub interpreter: String,
    /// The executing command.
    pub executor: Span,
    /// How the content reaches it.
    pub via: Via,
}

/// How downloaded content reaches what executes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Via {
    /// Through a pipe, possibly through filters: `curl URL | tee f | sh`.
    Pipe,
    /// As program text: `sh -c "$(curl URL)"`, `eval "$(curl URL)"`, `bash <<< "$(curl URL)"`.
    CommandSubstitution,
    /// As a script file: `bash <(curl URL)`, `source <(curl URL)`, `sh < <(curl URL)`.
    ProcessSubstitution,
    /// Saved to this file, then run with no gating verification in between.
    SavedFile(String),
}

/// A map from offsets of a derived text (a script after line continuations are removed, a
/// string's value, a heredoc body) back to the text it came from. Offsets the map does not
/// cover (text the derivation inserted or rewrote) map to the fallback span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanMap {
    /// `(derived start, original start, length)` runs copied verbatim, in order.
    segments: Vec<(usize, usize, usize)>,
    /// Where anything unmapped points.
    fallback: Span,
}

impl SpanMap {
    /// A map where nothing is known: every span maps to `fallback`.
    pub fn fallback(fallback: Span) -> Self {
        SpanMap { segments: Vec::new(), fallback }
    }

    /// A derived text that is a verbatim copy of the original from `original_start`.
    pub fn shifted(len: usize, original_start: usize, fallback: Span) -> Self {
        SpanMap { segments: vec![(0, original_start, len)], fallback }
    }

    /// Align `derived` with `original` (which starts at `original_start`) when the derived
    /// text is the original with some bytes removed (line continuations, comment lines,
    /// escaping backslashes). The alignment is greedy; when `derived` is not a subsequence of
    /// `original`, every span maps to `fallback`.
    pub fn aligned(derived: &str, original: &str, original_start: usize, fallback: Span) -> Self {
        let (d, o) = (derived.as_bytes(), original.as_bytes());
        let mut segments: Vec<(usize, usize, usize)> = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < d.len() {
            while j < o.len() && o.get(j) != d.get(i) {
                j += 1;
            }
            if j >= o.len() {
                return SpanMap::fallback(fallback);
            }
            match segments.last_mut() {
                Some((ds, os, len)) if *ds + *len == i && *os + *len == original_start + j => *len += 1,
                _ => segments.push((i, original_start + j, 1)),
            }
            i += 1;
            j += 1;
        }
        SpanMap { segments, fallback }
    }

    /// Add a verbatim run: `len` bytes at `derived_start` copy the original at
    /// `original_start`. Runs must be added in order.
    pub fn push(&mut self, derived_start: usize, original_start: usize, len: usize) {
        self.segments.push((derived_start, original_start, len));
    }

    /// Append the runs of `other`, a map of a text that starts at `derived_offset` of this
    /// map's text (pieces must be appended in order). Where `other` maps nothing, this map's
    /// fallback applies.
    pub fn append(&mut self, other: &SpanMap, derived_offset: usize) {
        self.segments.extend(other.segments.iter().map(|(d, o, len)| (d + derived_offset, *o, *len)));
    }

    /// The fallback span.
    pub fn fallback_span(&self) -> Span {
        self.fallback
    }

    fn offset(&self, offset: usize) -> Option<usize> {
        let index = self.segments.partition_point(|(start, _, _)| *start <= offset);
        let (start, original, len) = *self.segments.get(index.checked_sub(1)?)?;
        (offset < start + len).then(|| original + (offset - start))
    }

    /// Map a span of the derived text: precisely when both ends fall in copied runs, else the
    /// fallback.
    pub fn map(&self, span: Span) -> Span {
        if span.is_empty() {
            return self.offset(span.start).map_or(self.fallback, Span::point);
        }
        match (self.offset(span.start), self.offset(span.end - 1)) {
            (Some(start), Some(last)) if last >= start => Span::new(start, last + 1),
            _ => self.fallback,
        }
    }
}

/// Analyse a shell script. Never panics; a script tree-sitter cannot parse at all yields an
/// empty report with `syntax_errors` set.
pub fn analyse(script: &str) -> ShellReport {
    let mut report = ShellReport::default();
    let mut parser = Parser::new();
    if parser.set_language(&tree_sitter_bash::LANGUAGE.into()).is_err() {
        report.syntax_errors = true;
        return report;
    }
    // Nested program text is queued, not recursed into; each job carries the maps that take
    // its offsets back to the script, innermost first.
    let mut jobs: Vec<(String, Vec<SpanMap>)> = vec![(script.to_string(), Vec::new())];
    while let Some((text, maps)) = jobs.pop() {
        let Some(tree) = parser.parse(&text, None) else {
            report.syntax_errors = true;
            continue;
        };
        report.syntax_errors |= tree.root_node().has_error();
        let found = TreeAnalysis::new(&tree, &text).run();
        report.too_deep |= found.too_deep;
        let to_script = |span: Span| maps.iter().fold(span, |s, m| m.map(s));
        for mut pipeline in found.pipelines {
            pipeline.map_spans(&to_script);
            report.pipelines.push(pipeline);
        }
        for mut execution in found.executions {
            execution.download = to_script(execution.download);
            execution.executor = to_script(execution.executor);
            report.remote_executions.push(execution);
        }
        if maps.len() >= MAX_NESTED_SCRIPTS {
            report.too_deep |= !found.nested.is_empty();
        } else {
            for (nested, map) in found.nested {
                let mut chain = Vec::with_capacity(maps.len() + 1);
                chain.push(map);
                chain.extend(maps.iter().cloned());
                jobs.push((nested, chain));
            }
        }
    }
    report.pipelines.sort_by_key(|p| (p.span.start, p.span.end));
    report.remote_executions.sort();
    report.remote_executions.dedup();
    report.downloads_piped_to_interpreter = report.remote_executions.iter().map(|e| e.download).collect();
    report.downloads_piped_to_interpreter.sort();
    report.downloads_piped_to_interpreter.dedup();
    report
}

impl Pipeline {
    fn map_spans(&mut self, map: &impl Fn(Span) -> Span) {
        self.span = map(self.span);
        for stage in &mut self.stages {
            match stage {
                Stage::Command(c) => {
                    c.span = map(c.span);
                    c.invoked_as.span = map(c.invoked_as.span);
                    for arg in &mut c.args {
                        arg.span = map(arg.span);
                    }
                }
                Stage::Compound { span, .. } => *span = map(*span),
            }
        }
    }
}

/// A pipeline stage while the tree is at hand.
enum StageNode<'t> {
    Command(CommandNode<'t>),
    Compound(Node<'t>),
}

/// A chain of pipelines joined by `&&`, `||`, `;` or `&`, as one statement of the script.
struct Chain {
    /// Indices into the analysis' pipelines.
    pipelines: Vec<usize>,
    /// `ops[k]` joins `pipelines[k]` and `pipelines[k + 1]`.
    ops: Vec<&'static str>,
    /// End of the shell the chain runs in (the script, a subshell, a substitution): where an
    /// `exit` or `set -e` stops having effect.
    scope_end: usize,
    /// When the chain is the condition of an `if`/`elif`: its `then` branch.
    then_branch: Option<Span>,
    /// When the chain runs inside `$(...)` or `<(...)`: that node's id.
    substitution: Option<usize>,
}

/// A download, as it flows through the script.
#[derive(Debug, Clone)]
struct Download {
    span: Span,
    name: String,
}

/// A verification command and the bytes of the script it protects.
struct Verification {
    span: Span,
    protects: Vec<Span>,
}

/// What one parsed text yields before its spans are mapped back.
#[derive(Default)]
struct Found {
    pipelines: Vec<Pipeline>,
    executions: Vec<RemoteExecution>,
    nested: Vec<(String, SpanMap)>,
    too_deep: bool,
}

/// The analysis of one parsed text.
struct TreeAnalysis<'t, 's> {
    tree: &'t Tree,
    src: &'s str,
    pipelines: Vec<(Span, Vec<StageNode<'t>>)>,
    /// The chain of each pipeline, index for index.
    pipeline_chain: Vec<usize>,
    chains: Vec<Chain>,
    /// Downloads whose content a substitution node's output carries, by node id.
    substituted: HashMap<usize, Vec<Download>>,
    /// Downloads saved to files, by file key.
    saved: Vec<(String, Download)>,
    verifications: Vec<Verification>,
    /// Offsets where `set -e` / `set +e` take effect, in order.
    errexit: Vec<(usize, bool)>,
    found: Found,
}

impl<'t, 's> TreeAnalysis<'t, 's> {
    fn new(tree: &'t Tree, src: &'s str) -> Self {
        TreeAnalysis {
            tree,
            src,
            pipelines: Vec::new(),
            pipeline_chain: Vec::new(),
            chains: Vec::new(),
            substituted: HashMap::new(),
            saved: Vec::new(),
            verifications: Vec::new(),
            errexit: Vec::new(),
            found: Found::default(),
        }
    }

    fn run(mut self) -> Found {
        self.collect_chains();
        self.collect_errexit();
        for p in 0..self.pipelines.len() {
            self.follow_pipeline(p);
        }
        self.collect_verifications();
        for p in 0..self.pipelines.len() {
            self.find_executions(p);
        }
        self.found.pipelines =
            self.pipelines.iter().map(|(span, stages)| public_pipeline(*span, stages)).collect();
        self.found
    }

    /// Find every statement chain (explicit-stack walk over the whole tree) and split it into
    /// pipelines.
    fn collect_chains(&mut self) {
        // Parents and scope ends travel down the stack: tree-sitter's `Node::parent` walks
        // from the root, which would make deep scripts quadratic.
        let mut roots = Vec::new();
        let root = self.tree.root_node();
        //
        // Depth counts the statements and words a node is nested in, not the `&&` and `|`
        // that join a chain (tree-sitter nests a long chain as deep as it is long, and chains
        // are flattened without recursion). Past MAX_DEPTH the subtree is left out: every
        // command keeps the text of its words, so unbounded nesting would cost quadratic
        // memory.
        let mut stack: Vec<(Node<'t>, Option<Node<'t>>, usize, usize)> =
            vec![(root, None, self.src.len(), 0)];
        while let Some((node, parent, scope_end, depth)) = stack.pop() {
            let depth = if syntax::is_chain_kind(node.kind()) { depth } else { depth + 1 };
            if depth > crate::parse::MAX_DEPTH {
                self.found.too_deep = true;
                continue;
            }
            let parent_joins = parent.is_some_and(|p| syntax::is_chain_kind(p.kind()));
            if syntax::is_statement_kind(node.kind()) && !parent_joins {
                roots.push((node, parent, scope_end));
            }
            let inner_scope = match node.kind() {
                "subshell" | "command_substitution" | "process_substitution" => node.end_byte(),
                _ => scope_end,
            };
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor).map(|c| (c, Some(node), inner_scope, depth)));
        }
        roots.sort_by_key(|(n, _, _)| (n.start_byte(), std::cmp::Reverse(n.end_byte())));
        for (root, parent, scope_end) in roots {
            self.add_chain(root, parent, scope_end);
        }
    }

    fn add_chain(&mut self, root: Node<'t>, parent: Option<Node<'t>>, scope_end: usize) {
        let mut chain = Chain {
            pipelines: Vec::new(),
            ops: Vec::new(),
            scope_end,
            then_branch: parent.and_then(|p| then_branch(root, p)),
            substitution: parent
                .filter(|p| matches!(p.kind(), "command_substitution" | "process_substitution"))
                .map(|p| p.id()),
        };
        let mut current: Vec<StageNode<'t>> = Vec::new();
        let mut pending: Option<&'static str> = None;
        let mut joined = false;
        for item in syntax::flatten(root) {
            match item {
                Item::Atom(node, redirects) => {
                    if !current.is_empty() && !joined {
                        self.close_pipeline(&mut chain, &mut current, pending.take());
                    }
                    let stage = match node.kind() {
                        "command" => syntax::command(node, self.src, &redirects)
                            .map_or(StageNode::Compound(node), StageNode::Command),
                        _ => StageNode::Compound(node),
                    };
                    current.push(stage);
                    joined = false;
                }
                Item::Op("|" | "|&") => joined = true,
                Item::Op(op) => {
                    if !current.is_empty() {
                        self.close_pipeline(&mut chain, &mut current, pending.take());
                    }
                    pending = Some(op);
                    joined = false;
                }
            }
        }
        self.close_pipeline(&mut chain, &mut current, pending);
        if !chain.pipelines.is_empty() {
            self.chains.push(chain);
        }
    }

    fn close_pipeline(
        &mut self,
        chain: &mut Chain,
        current: &mut Vec<StageNode<'t>>,
        op: Option<&'static str>,
    ) {
        if current.is_empty() {
            return;
        }
        if !chain.pipelines.is_empty() {
            chain.ops.push(op.unwrap_or(";"));
        }
        let stages = std::mem::take(current);
        let span = stages.iter().map(stage_span).reduce(Span::cover).unwrap_or_default();
        chain.pipelines.push(self.pipelines.len());
        self.pipeline_chain.push(self.chains.len());
        self.pipelines.push((span, stages));
    }

    fn commands(&self) -> impl Iterator<Item = &CommandNode<'t>> {
        self.pipelines.iter().flat_map(|(_, stages)| stages.iter()).filter_map(|s| match s {
            StageNode::Command(c) => Some(c),
            StageNode::Compound(_) => None,
        })
    }

    /// Where `set -e` (errexit) is switched on and off, including a `#!/bin/sh -e` line.
    fn collect_errexit(&mut self) {
        let mut toggles = Vec::new();
        if let Some(shebang) = self.src.strip_prefix("#!") {
            let line = shebang.lines().next().unwrap_or("");
            if line.split_whitespace().skip(1).any(|w| w.starts_with('-') && w.contains('e')) {
                toggles.push((0, true));
            }
        }
        for c in self.commands() {
            if c.command.name != "set" {
                continue;
            }
            let args = c.command.arg_texts();
            for (k, arg) in args.iter().enumerate() {
                let on = arg.starts_with('-');
                let cluster = arg.get(1..).unwrap_or("");
                if !(on || arg.starts_with('+')) || arg.starts_with("--") {
                    continue;
                }
                let named = cluster.contains('o') && args.get(k + 1) == Some(&"errexit");
                if cluster.contains('e') || named {
                    toggles.push((c.command.span.start, on));
                }
            }
        }
        toggles.sort_by_key(|(at, _)| *at);
        self.errexit = toggles;
    }

    fn errexit_at(&self, offset: usize) -> bool {
        self.errexit.iter().take_while(|(at, _)| *at <= offset).last().is_some_and(|(_, on)| *on)
    }

    /// Follow downloads through one pipeline: into an interpreter (reported), into files
    /// (remembered), or out of the pipeline (into the enclosing substitution).
    fn follow_pipeline(&mut self, index: usize) {
        let Some((_, stages)) = self.pipelines.get(index) else { return };
        let mut carrying: Option<Download> = None;
        let mut executions = Vec::new();
        let mut saved = Vec::new();
        for stage in stages {
            let StageNode::Command(c) = stage else {
                carrying = None;
                continue;
            };
            let name = c.command.name.as_str();
            let args = c.command.arg_texts();
            if let Some(download) = carrying.take() {
                let reads_stdin = programs::family(name)
                    .is_some_and(|f| programs::script_source(f, &args) == ScriptSource::Stdin)
                    && stdin_redirect(c, self.src).is_none()
                    && !has_heredoc(c);
                if reads_stdin {
                    executions.push(execution(&download, c, Via::Pipe));
                } else if programs::passes_input_through(name, &args) {
                    for file in programs::tee_files(name, &args) {
                        saved.push((file, download.clone()));
                    }
                    match stdout_target(c, self.src) {
                        Target::File(file) => saved.push((file, download)),
                        Target::Discarded => {}
                        Target::Stdout => carrying = Some(download),
                    }
                }
            }
            if programs::is_downloader(name) {
                let download = Download { span: c.command.span, name: name.to_string() };
                match (programs::download_output(name, &args), stdout_target(c, self.src)) {
                    (Output::File(file), _) | (Output::Stdout, Target::File(file)) => {
                        saved.push((file, download))
                    }
                    (Output::Stdout, Target::Discarded) => {}
                    (Output::Stdout, Target::Stdout) => carrying = Some(download),
                }
            }
        }
        self.found.executions.extend(executions);
        self.saved.extend(saved);
        if let Some(download) = carrying {
            let chain = self.pipeline_chain.get(index).and_then(|c| self.chains.get(*c));
            if let Some(id) = chain.and_then(|c| c.substitution) {
                self.substituted.entry(id).or_default().push(download);
            }
        }
    }

    /// Every checksum or signature verification, and the bytes whose execution it gates:
    /// the rest of an `&&` run, the rest of the shell after `|| exit` or under `set -e`, or
    /// the `then` branch of an `if` it is the condition of.
    fn collect_verifications(&mut self) {
        let mut verifications = Vec::new();
        for chain in &self.chains {
            // and_run[k]: how many `&&` follow pipeline k in a row (one backward pass, so a
            // long chain of verifications stays linear).
            let mut and_run = vec![0usize; chain.ops.len() + 1];
            for k in (0..chain.ops.len()).rev() {
                if chain.ops.get(k) == Some(&"&&") {
                    let next = and_run.get(k + 1).copied().unwrap_or(0);
                    if let Some(slot) = and_run.get_mut(k) {
                        *slot = next + 1;
                    }
                }
            }
            for (k, &p) in chain.pipelines.iter().enumerate() {
                let Some((span, stages)) = self.pipelines.get(p) else { continue };
                let verifies = stages.iter().any(|s| match s {
                    StageNode::Command(c) => programs::is_verifier(&c.command.name, &c.command.arg_texts()),
                    StageNode::Compound(_) => false,
                });
                if !verifies {
                    continue;
                }
                let mut protects = Vec::new();
                let end_of = |q: usize| {
                    chain.pipelines.get(q).and_then(|i| self.pipelines.get(*i)).map(|(s, _)| s.end)
                };
                let run = and_run.get(k).copied().unwrap_or(0);
                let all_and_after = k + run == chain.ops.len();
                match chain.ops.get(k) {
                    Some(&"&&") => {
                        if let Some(end) = end_of(k + run) {
                            protects.push(Span::new(span.end, end));
                        }
                    }
                    Some(&"||") => {
                        let next = chain.pipelines.get(k + 1).and_then(|i| self.pipelines.get(*i));
                        let exits = next.and_then(|(_, s)| s.first()).is_some_and(|s| match s {
                            StageNode::Command(c) => matches!(c.command.name.as_str(), "exit" | "return"),
                            StageNode::Compound(_) => false,
                        });
                        if exits {
                            protects.push(Span::new(span.end, chain.scope_end));
                        }
                    }
                    Some(&";") | None if chain.then_branch.is_none() && self.errexit_at(span.start) => {
                        protects.push(Span::new(span.end, chain.scope_end));
                    }
                    _ => {}
                }
                if let Some(branch) = chain.then_branch.filter(|_| all_and_after) {
                    protects.push(branch);
                }
                verifications.push(Verification { span: *span, protects });
            }
        }
        self.verifications = verifications;
    }

    fn verified_between(&self, download: Span, execution: Span) -> bool {
        self.verifications.iter().any(|v| {
            v.span.start >= download.end
                && v.span.end <= execution.start
                && v.protects
                    .iter()
                    .any(|r| r.start <= execution.start && execution.start < r.end.max(r.start + 1))
        })
    }

    /// Downloads carried by the substitutions (of the given kinds) inside a word.
    fn substituted_downloads(&self, word: Node<'t>, kinds: &[&str]) -> Vec<Download> {
        let mut out = Vec::new();
        let mut stack = vec![word];
        while let Some(node) = stack.pop() {
            if matches!(node.kind(), "command_substitution" | "process_substitution") {
                if kinds.contains(&node.kind()) {
                    out.extend(self.substituted.get(&node.id()).into_iter().flatten().cloned());
                }
                continue;
            }
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        out
    }

    /// Executions of downloaded content by one pipeline's commands other than through the
    /// pipe: substitutions, saved files, and program text to analyse in turn.
    fn find_executions(&mut self, index: usize) {
        let Some((_, stages)) = self.pipelines.get(index) else { return };
        let mut executions = Vec::new();
        // (file run, executing command's span, its name)
        let mut runs_file: Vec<(String, Span, String)> = Vec::new();
        let mut nested = Vec::new();
        for stage in stages {
            let StageNode::Command(c) = stage else { continue };
            for d in self.substituted_downloads(c.name, &["command_substitution"]) {
                executions.push(execution(&d, c, Via::CommandSubstitution));
            }
            let name = c.command.name.as_str();
            let args = c.command.arg_texts();
            if let Some(family) = programs::family(name) {
                match programs::script_source(family, &args) {
                    ScriptSource::Inline(indices) => {
                        for i in indices {
                            let Some(node) = c.args.get(i) else { continue };
                            for d in self.substituted_downloads(*node, &["command_substitution"]) {
                                executions.push(execution(&d, c, Via::CommandSubstitution));
                            }
                            if matches!(family, Family::Shell | Family::Eval) {
                                nested.extend(c.command.args.get(i).and_then(word_script));
                            }
                        }
                    }
                    ScriptSource::File(i) => {
                        if let Some(node) = c.args.get(i) {
                            for d in self.substituted_downloads(*node, &["process_substitution"]) {
                                executions.push(execution(&d, c, Via::ProcessSubstitution));
                            }
                        }
                        if let Some(file) = c.command.args.get(i).and_then(|w| w.value.as_deref()) {
                            runs_file.push((programs::file_key(file), c.command.span, name.to_string()));
                        }
                    }
                    ScriptSource::Stdin => {
                        for redirect in &c.redirects {
                            self.stdin_executions(
                                *redirect,
                                c,
                                family,
                                &mut executions,
                                &mut runs_file,
                                &mut nested,
                            );
                        }
                    }
                    ScriptSource::Other => {}
                }
            } else if matches!(name, "su" | "runuser") {
                let position = c.command.args.iter().position(|w| matches!(w.as_text(), "-c" | "--command"));
                if let Some(word) = position.and_then(|k| c.command.args.get(k + 1)) {
                    nested.extend(word_script(word));
                }
            } else if let Some(path) = c.command.invoked_as.value.as_deref().filter(|p| p.contains('/')) {
                runs_file.push((programs::file_key(path), c.command.span, name.to_string()));
            }
        }
        for (file, executor, interpreter) in runs_file {
            for (saved_file, download) in &self.saved {
                if download.span.end <= executor.start
                    && programs::same_file(&file, saved_file)
                    && !self.verified_between(download.span, executor)
                {
                    executions.push(RemoteExecution {
                        download: download.span,
                        downloader: download.name.clone(),
                        interpreter: interpreter.clone(),
                        executor,
                        via: Via::SavedFile(saved_file.clone()),
                    });
                }
            }
        }
        self.found.executions.extend(executions);
        self.found.nested.extend(nested);
    }

    /// An interpreter reading its program from standard input: what its redirections feed it.
    fn stdin_executions(
        &self,
        redirect: Node<'t>,
        c: &CommandNode<'t>,
        family: Family,
        executions: &mut Vec<RemoteExecution>,
        runs_file: &mut Vec<(String, Span, String)>,
        nested: &mut Vec<(String, SpanMap)>,
    ) {
        match redirect.kind() {
            "file_redirect" => {
                let Some(destination) = input_destination(redirect, self.src) else { return };
                for d in self.substituted_downloads(destination, &["process_substitution"]) {
                    executions.push(execution(&d, c, Via::ProcessSubstitution));
                }
                if let Some(file) = syntax::static_value(destination, self.src) {
                    runs_file.push((programs::file_key(&file), c.command.span, c.command.name.clone()));
                }
            }
            "herestring_redirect" => {
                for d in self.substituted_downloads(redirect, &["command_substitution"]) {
                    executions.push(execution(&d, c, Via::CommandSubstitution));
                }
            }
            "heredoc_redirect" if family == Family::Shell => {
                for (_, child) in children_with_fields(redirect) {
                    if child.kind() == "heredoc_body" {
                        let span = span_of(child);
                        let body = text_of(child, self.src).to_string();
                        nested.push((body, SpanMap::shifted(span.len(), span.start, span)));
                    }
                }
            }
            _ => {}
        }
    }
}

/// A reported execution.
fn execution(download: &Download, executor: &CommandNode<'_>, via: Via) -> RemoteExecution {
    RemoteExecution {
        download: download.span,
        downloader: download.name.clone(),
        interpreter: executor.command.name.clone(),
        executor: executor.command.span,
        via,
    }
}

/// The program text of a static word, with the map from its value back to the word.
fn word_script(word: &Word) -> Option<(String, SpanMap)> {
    let value = word.value.clone()?;
    let inner = word
        .text
        .strip_prefix(['\'', '"'])
        .and_then(|t| t.strip_suffix(['\'', '"']))
        .filter(|inner| *inner == value);
    let map = if inner.is_some() {
        SpanMap::shifted(value.len(), word.span.start + 1, word.span)
    } else if word.text == value {
        SpanMap::shifted(value.len(), word.span.start, word.span)
    } else {
        SpanMap::fallback(word.span)
    };
    Some((value, map))
}

/// Where a command's standard output goes.
enum Target {
    Stdout,
    File(String),
    Discarded,
}

/// The operator token of a redirect, and its file descriptor when written.
fn redirect_parts<'t>(redirect: Node<'t>, src: &str) -> (String, Option<String>, Option<Node<'t>>) {
    let mut operator = String::new();
    let (mut descriptor, mut destination) = (None, None);
    for (field, child) in children_with_fields(redirect) {
        match field {
            Some("descriptor") => descriptor = Some(text_of(child, src).to_string()),
            Some("destination") => destination = Some(child),
            _ if !child.is_named() => operator.push_str(child.kind()),
            _ => {}
        }
    }
    (operator, descriptor, destination)
}

fn stdout_target(c: &CommandNode<'_>, src: &str) -> Target {
    let mut target = Target::Stdout;
    for redirect in &c.redirects {
        if redirect.kind() != "file_redirect" {
            continue;
        }
        let (operator, descriptor, destination) = redirect_parts(*redirect, src);
        let stdout = matches!(descriptor.as_deref(), None | Some("1"));
        if !stdout || !matches!(operator.as_str(), ">" | ">>" | ">|" | "&>" | "&>>" | ">&") {
            continue;
        }
        let Some(destination) = destination else { continue };
        let text = syntax::static_value(destination, src)
            .unwrap_or_else(|| text_of(destination, src).replace('"', ""));
        target = match (operator.as_str(), text.as_str()) {
            (_, "/dev/null") | (">&", _) => Target::Discarded,
            _ => Target::File(programs::file_key(&text)),
        };
    }
    target
}

/// The node a `< FILE` (standard input) redirection reads.
fn input_destination<'t>(redirect: Node<'t>, src: &str) -> Option<Node<'t>> {
    let (operator, descriptor, destination) = redirect_parts(redirect, src);
    (operator == "<" && matches!(descriptor.as_deref(), None | Some("0"))).then_some(destination).flatten()
}

fn stdin_redirect<'t>(c: &CommandNode<'t>, src: &str) -> Option<Node<'t>> {
    c.redirects.iter().filter(|r| r.kind() == "file_redirect").find_map(|r| input_destination(*r, src))
}

fn has_heredoc(c: &CommandNode<'_>) -> bool {
    c.redirects.iter().any(|r| matches!(r.kind(), "heredoc_redirect" | "herestring_redirect"))
}

/// The `then` branch of the `if`/`elif` whose condition `root` is.
fn then_branch(root: Node<'_>, parent: Node<'_>) -> Option<Span> {
    if !matches!(parent.kind(), "if_statement" | "elif_clause") {
        return None;
    }
    let children = children_with_fields(parent);
    let at = children.iter().position(|(_, c)| c.id() == root.id())?;
    let (field, _) = children.get(at)?;
    if *field != Some("condition") {
        return None;
    }
    let rest = children.get(at + 1..).unwrap_or(&[]);
    if rest.iter().any(|(f, c)| *f == Some("condition") && c.is_named()) {
        // Only the last statement of a condition decides it.
        return None;
    }
    let end = rest
        .iter()
        .find(|(_, c)| matches!(c.kind(), "elif_clause" | "else_clause"))
        .map_or(parent.end_byte(), |(_, c)| c.start_byte());
    Some(Span::new(root.end_byte(), end))
}

fn stage_span(stage: &StageNode<'_>) -> Span {
    match stage {
        StageNode::Command(c) => c.command.span,
        StageNode::Compound(node) => span_of(*node),
    }
}

fn public_pipeline(span: Span, stages: &[StageNode<'_>]) -> Pipeline {
    Pipeline {
        span,
        stages: stages
            .iter()
            .map(|s| match s {
                StageNode::Command(c) => Stage::Command(c.command.clone()),
                StageNode::Compound(node) => {
                    Stage::Compound { kind: node.kind().to_string(), span: span_of(*node) }
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
