//! Module instances: the root module of a unit and every local module it instantiates, their
//! variables, locals, outputs, resources and data sources, and the names expressions in them
//! refer to. Values are computed on first use and remembered per instance.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use hcl_edit::Decorated;
use hcl_edit::expr::TraversalOperator;

use super::eval::{self, MAX_EVAL_DEPTH, Names, Resolved};
use super::iam;
use super::value::{Val, from_json, to_node};
use super::vars;
use super::{
    EvaluatedResource, Evaluation, InstanceFile, ModuleCall, Modules, Place, UnitFile, VarFile, is_local,
    join, module_syntax, parent_dir,
};
use crate::classify::{self, PathKind};
use crate::document::Syntax;
use crate::lint::Note;
use crate::parse::hcl::{Block, HclFile};
use crate::{Entry, Node, SourceFile, Value};

/// Deepest chain of module calls followed.
const MAX_MODULE_DEPTH: usize = 16;
/// Most module instances created for one unit (calls of calls multiply).
const MAX_INSTANCES: usize = 256;

/// Arguments of a resource that are not attributes of it.
const RESOURCE_META: [&str; 6] = ["count", "for_each", "provider", "depends_on", "lifecycle", "provisioner"];

/// A file of an instance.
#[derive(Clone, Copy)]
struct Src<'a> {
    file: &'a SourceFile,
    hcl: &'a HclFile,
    json: bool,
    place: Place,
}

/// A block with the syntax of the file it is written in.
#[derive(Clone, Copy)]
struct At<'a> {
    block: &'a Block,
    json: bool,
}

/// One instance of a module.
struct Instance<'a> {
    /// `""` for the root module, else `module.db` (`module.app.module.db`).
    address: String,
    dir: String,
    files: Vec<Src<'a>>,
    /// The instance that called this one, and the `module` block.
    parent: Option<(usize, At<'a>)>,
    variables: HashMap<&'a str, At<'a>>,
    locals: HashMap<&'a str, (&'a Node, bool)>,
    resources: HashMap<(&'a str, &'a str), At<'a>>,
    data: HashMap<(&'a str, &'a str), At<'a>>,
    outputs: HashMap<&'a str, At<'a>>,
    calls: HashMap<&'a str, At<'a>>,
    /// Local module calls that were instantiated: call name -> instance.
    children: HashMap<&'a str, usize>,
    /// Root module only: values from variables files.
    assigned: HashMap<String, Val>,
}

impl<'a> Instance<'a> {
    fn new(address: String, dir: String, files: Vec<Src<'a>>, parent: Option<(usize, At<'a>)>) -> Self {
        let mut instance = Instance {
            address,
            dir,
            files,
            parent,
            variables: HashMap::new(),
            locals: HashMap::new(),
            resources: HashMap::new(),
            data: HashMap::new(),
            outputs: HashMap::new(),
            calls: HashMap::new(),
            children: HashMap::new(),
            assigned: HashMap::new(),
        };
        for src in instance.files.clone() {
            for block in &src.hcl.blocks {
                let at = At { block, json: src.json };
                let labels: Vec<&'a str> = block.labels.iter().map(|(l, _)| l.as_str()).collect();
                // The first definition wins; Terraform refuses duplicates anyway.
                match (block.ident.as_str(), labels.as_slice()) {
                    ("variable", [name]) => {
                        instance.variables.entry(name).or_insert(at);
                    }
                    ("output", [name]) => {
                        instance.outputs.entry(name).or_insert(at);
                    }
                    ("module", [name]) => {
                        instance.calls.entry(name).or_insert(at);
                    }
                    ("resource", [kind, name]) => {
                        instance.resources.entry((kind, name)).or_insert(at);
                    }
                    ("data", [kind, name]) => {
                        instance.data.entry((kind, name)).or_insert(at);
                    }
                    ("locals", []) => {
                        for entry in block.body.entries() {
                            instance.locals.entry(entry.key.as_str()).or_insert((&entry.value, src.json));
                        }
                    }
                    _ => {}
                }
            }
        }
        instance
    }
}

/// What the value cache is keyed by, per instance.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Var(&'a str),
    Local(&'a str),
    /// An attribute's (or output's) value node, by address.
    Node(*const Node),
    /// The policy an `aws_iam_policy_document` block renders, by its body's address.
    Policy(*const Node),
    /// Whether a block's `count` / `for_each` leaves it at least one instance.
    Exists(*const Block),
}

enum Slot {
    /// Being computed: asking again is a cycle, whose value is unknown.
    Pending,
    Done(Rc<Val>),
}

/// The evaluation of one unit.
pub(crate) struct Evaluator<'a> {
    instances: Vec<Instance<'a>>,
    instance_files: Vec<InstanceFile>,
    notes: Vec<(Place, Note)>,
    cache: RefCell<HashMap<(usize, Key<'a>), Slot>>,
    /// Work left (see [`eval::BUDGET`]).
    budget: Cell<usize>,
}

impl<'a> Evaluator<'a> {
    /// Set up the root instance and every local module instance under it.
    pub(crate) fn new(unit: &[UnitFile<'a>], modules: &'a Modules, var_files: &'a [VarFile]) -> Self {
        let dir = unit.first().map_or("", |f| parent_dir(&f.source.path)).to_string();
        let files: Vec<Src<'a>> = unit
            .iter()
            .filter_map(|f| {
                module_syntax(f.source, f.syntax).map(|(hcl, json)| Src {
                    file: f.source,
                    hcl,
                    json,
                    place: Place::Unit(f.index),
                })
            })
            .collect();
        let mut root = Instance::new(String::new(), dir, files, None);
        let automatic = unit.iter().filter_map(|f| {
            let name = f.source.file_name();
            match (classify::by_path(&f.source.path), f.syntax) {
                (PathKind::TerraformVars, Syntax::Hcl(hcl)) => Some((name, hcl.attributes.as_slice())),
                (PathKind::TerraformVarsJson, Syntax::Json(doc)) => Some((name, doc.root.entries())),
                _ => None,
            }
        });
        root.assigned = vars::assigned(automatic, var_files);
        let mut evaluator = Evaluator {
            instances: vec![root],
            instance_files: Vec::new(),
            notes: Vec::new(),
            cache: RefCell::new(HashMap::new()),
            budget: Cell::new(eval::BUDGET),
        };
        evaluator.instantiate(modules);
        evaluator
    }

    /// Create the instances of local module calls, breadth first.
    fn instantiate(&mut self, modules: &'a Modules) {
        let mut next = 0;
        while let Some(instance) = self.instances.get(next) {
            let depth = instance.address.matches("module.").count();
            // In file order, then source order: the first definition of each call.
            let calls: Vec<(&'a str, At<'a>)> = instance
                .files
                .iter()
                .flat_map(|src| src.hcl.blocks.iter())
                .filter_map(|block| match block.labels.as_slice() {
                    [(name, _)] if block.ident == "module" => instance
                        .calls
                        .get_key_value(name.as_str())
                        .filter(|(_, at)| std::ptr::eq(at.block, block))
                        .map(|(name, at)| (*name, *at)),
                    _ => None,
                })
                .collect();
            let dir = instance.dir.clone();
            let prefix = instance.address.clone();
            for (name, at) in calls {
                let src = self.src_of(next, at.block);
                let address = if prefix.is_empty() {
                    format!("module.{name}")
                } else {
                    format!("{prefix}.module.{name}")
                };
                let note = |reason: String| {
                    (
                        src.map_or(Place::Unit(0), |s| s.place),
                        Note {
                            file: src.map_or_else(String::new, |s| s.file.path.clone()),
                            reason: format!("{address}: {reason}"),
                        },
                    )
                };
                let source = match at.block.body.get("source").map(|n| &n.value) {
                    Some(Value::String(source)) => source.as_str(),
                    _ => {
                        self.notes.push(note("module source is not a literal string: not evaluated".into()));
                        continue;
                    }
                };
                if !is_local(source) {
                    self.notes.push(note(format!("remote module `{source}` is not fetched: not evaluated")));
                    continue;
                }
                let target = join(&dir, source);
                let files = match modules.dirs.get(&target) {
                    Some(Ok(files)) => files,
                    Some(Err(reason)) => {
                        self.notes.push(note(format!("local module `{source}` not evaluated: {reason}")));
                        continue;
                    }
                    None => {
                        self.notes.push(note(format!("local module `{source}` not evaluated: not read")));
                        continue;
                    }
                };
                if depth >= MAX_MODULE_DEPTH
                    || self.instances.len() >= MAX_INSTANCES
                    || self.calls_dir(next, &target)
                {
                    self.notes.push(note(format!(
                        "local module `{source}` not evaluated: nested too deep, too many instances or cyclic"
                    )));
                    continue;
                }
                let Some(src) = src else { continue };
                let call = ModuleCall {
                    address: address.clone(),
                    file: src.file.path.clone(),
                    span: at.block.header,
                    start: src.file.location(at.block.header.start),
                };
                let mut srcs = Vec::new();
                for &index in files {
                    let Some(file) = modules.files.get(index) else { continue };
                    let Syntax::Hcl(hcl) = &file.syntax else { continue };
                    srcs.push(Src {
                        file: &file.source,
                        hcl,
                        json: file.json,
                        place: Place::Instance(self.instance_files.len()),
                    });
                    self.instance_files.push(InstanceFile { file: index, call: call.clone() });
                }
                let child = self.instances.len();
                self.instances.push(Instance::new(address, target, srcs, Some((next, at))));
                if let Some(parent) = self.instances.get_mut(next) {
                    parent.children.insert(name, child);
                }
            }
            next += 1;
        }
    }

    /// Whether `dir` is already the directory of `at` or of one of its callers.
    fn calls_dir(&self, mut at: usize, dir: &str) -> bool {
        loop {
            let Some(instance) = self.instances.get(at) else { return false };
            if instance.dir == dir {
                return true;
            }
            match instance.parent {
                Some((parent, _)) => at = parent,
                None => return false,
            }
        }
    }

    /// The file of an instance that holds `block`.
    fn src_of(&self, at: usize, block: &Block) -> Option<Src<'a>> {
        let instance = self.instances.get(at)?;
        instance.files.iter().copied().find(|src| src.hcl.blocks.iter().any(|b| std::ptr::eq(b, block)))
    }

    /// Evaluate every live instance's resources.
    pub(crate) fn run(self) -> Evaluation<'a> {
        let mut resources = Vec::new();
        for at in 0..self.instances.len() {
            if !self.live(at) {
                continue;
            }
            let Some(instance) = self.instances.get(at) else { continue };
            for src in &instance.files {
                for block in &src.hcl.blocks {
                    let Some((kind, address)) = crate::model::terraform::kind_and_address(block) else {
                        continue;
                    };
                    if matches!(block.ident.as_str(), "resource" | "data" | "module")
                        && !self.exists(at, At { block, json: src.json })
                    {
                        continue;
                    }
                    let body = match self.rewrite(at, &block.body, src.json, false, &src.file.text, 0) {
                        Some(evaluated) => Cow::Owned(evaluated),
                        None => Cow::Borrowed(&block.body),
                    };
                    let address = if instance.address.is_empty() {
                        address
                    } else {
                        format!("{}.{address}", instance.address)
                    };
                    resources.push(EvaluatedResource {
                        kind,
                        address,
                        header: block.header,
                        place: src.place,
                        body,
                    });
                }
            }
        }
        Evaluation { resources, instance_files: self.instance_files, notes: self.notes }
    }

    /// Whether an instance exists: every call on its way has a `count` / `for_each` that
    /// leaves an instance.
    fn live(&self, mut at: usize) -> bool {
        loop {
            let Some((parent, call)) = self.instances.get(at).and_then(|i| i.parent) else { return true };
            if !self.exists(parent, call) {
                return false;
            }
            at = parent;
        }
    }

    /// Whether a `resource`, `data` or `module` block has at least one instance: `false` only
    /// when its `count` is known to be 0 or its `for_each` known to be empty.
    fn exists(&self, at: usize, target: At<'a>) -> bool {
        let value = self.memo(at, Key::Exists(target.block), || {
            let body = &target.block.body;
            if let Some(count) = body.get("count") {
                let value = self.node_val(at, count, target.json, 1);
                return Val::Bool(value.as_f64() != Some(0.0));
            }
            if let Some(for_each) = body.get("for_each") {
                let empty = match self.node_val(at, for_each, target.json, 1) {
                    Val::List(items) => items.is_empty(),
                    Val::Map(entries) => entries.is_empty(),
                    _ => false,
                };
                return Val::Bool(!empty);
            }
            Val::Bool(true)
        });
        *value != Val::Bool(false)
    }

    /// Whether a block has `count` or `for_each` (its references take an index).
    fn counted(block: &Block) -> bool {
        block.body.get("count").is_some() || block.body.get("for_each").is_some()
    }

    /// Remember values per instance; a value asked for while it is being computed is part of
    /// a cycle and unknown.
    fn memo(&self, at: usize, key: Key<'a>, compute: impl FnOnce() -> Val) -> Rc<Val> {
        match self.cache.borrow().get(&(at, key)) {
            Some(Slot::Done(value)) => return Rc::clone(value),
            Some(Slot::Pending) => return Rc::new(Val::unknown()),
            None => {}
        }
        self.cache.borrow_mut().insert((at, key), Slot::Pending);
        let value = Rc::new(compute());
        self.cache.borrow_mut().insert((at, key), Slot::Done(Rc::clone(&value)));
        value
    }

    /// The value of a node of the tree in instance `at`.
    fn node_val(&self, at: usize, node: &'a Node, json: bool, depth: usize) -> Val {
        if depth >= MAX_EVAL_DEPTH {
            return Val::unknown();
        }
        match &node.value {
            Value::Expr(text) => {
                eval::evaluate(&InstanceNames { evaluator: self, at }, text, json, depth + 1)
            }
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(raw) => Val::Number(raw.clone()),
            Value::String(s) => Val::String(s.clone()),
            Value::List(items) => {
                Val::List(items.iter().map(|i| self.node_val(at, i, json, depth + 1)).collect())
            }
            Value::Map(entries) => Val::Map(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), self.node_val(at, &e.value, json, depth + 1)))
                    .collect(),
            ),
            Value::Tagged(..) => Val::unknown(),
        }
    }

    /// [`Self::node_val`], remembered: attributes referred to from elsewhere, and the ones
    /// the resources' bodies show, are computed once.
    fn attribute(&self, at: usize, node: &'a Node, json: bool, depth: usize) -> Rc<Val> {
        self.memo(at, Key::Node(node), || self.node_val(at, node, json, depth))
    }

    /// `var.<name>` in instance `at`.
    fn variable(&self, at: usize, name: &'a str, depth: usize) -> Rc<Val> {
        let Some(instance) = self.instances.get(at) else { return Rc::new(Val::unknown()) };
        let Some(declared) = instance.variables.get(name).copied() else { return Rc::new(Val::unknown()) };
        self.memo(at, Key::Var(name), || {
            let body = &declared.block.body;
            let default = || match body.get("default") {
                Some(node) => self.node_val(at, node, declared.json, depth + 1),
                None => Val::unknown(),
            };
            let given = match instance.parent {
                None => instance.assigned.get(name).cloned(),
                // The caller's unknowns are known here by the variable's name.
                Some((parent, call)) => call
                    .block
                    .body
                    .get(name)
                    .map(|n| self.node_val(parent, n, call.json, depth + 1).retext("")),
            };
            let nullable = !matches!(body.get("nullable").map(|n| &n.value), Some(Value::Bool(false)));
            let value = match given {
                Some(Val::Null) if !nullable => default(),
                Some(value) => value,
                None => default(),
            };
            let constraint = body.get("type").and_then(|t| match &t.value {
                Value::Expr(text) | Value::String(text) => Some(text.as_str()),
                _ => None,
            });
            vars::convert(value, constraint)
        })
    }

    /// `local.<name>` in instance `at`.
    fn local(&self, at: usize, name: &'a str, depth: usize) -> Rc<Val> {
        let Some(&(node, json)) = self.instances.get(at).and_then(|i| i.locals.get(name)) else {
            return Rc::new(Val::unknown());
        };
        self.memo(at, Key::Local(name), || self.node_val(at, node, json, depth + 1))
    }

    /// The tree of an `aws_iam_policy_document` data source.
    fn policy_document(&self, at: usize, target: At<'a>, depth: usize) -> Rc<Val> {
        self.memo(at, Key::Policy(&target.block.body), || {
            let body = self.node_val(at, &target.block.body, target.json, depth + 1);
            Val::Json(Box::new(iam::policy_document(&body)))
        })
    }

    /// The body of a resource with its expressions evaluated: `None` when nothing changed.
    fn rewrite(
        &self,
        at: usize,
        node: &'a Node,
        json: bool,
        holds_json: bool,
        source: &str,
        depth: usize,
    ) -> Option<Node> {
        if depth > crate::parse::MAX_DEPTH {
            return None;
        }
        match &node.value {
            // A direct reference to a policy document data source stays a reference: the IAM
            // rules follow it to the `statement` blocks, where their findings can point.
            Value::Expr(text) if is_policy_document_reference(text) => None,
            Value::Expr(text) => {
                let value = self.attribute(at, node, json, 0);
                if holds_json {
                    let document = self.json_document(at, (*value).clone(), text, json);
                    let mut tree = to_node(&document, node.span, text);
                    exact_json_spans(&mut tree, source, node.span);
                    return Some(tree);
                }
                let mut tree = to_node(&value, node.span, text);
                if text.trim_start().starts_with("jsonencode(") {
                    exact_json_spans(&mut tree, source, node.span);
                }
                Some(tree)
            }
            Value::String(text) if holds_json && iam::looks_like_json(text) => from_json(text).map(|tree| {
                let mut tree = to_node(&tree, node.span, text);
                exact_json_spans(&mut tree, source, node.span);
                tree
            }),
            Value::Map(entries) => {
                let changed: Vec<Option<Node>> = entries
                    .iter()
                    .map(|e| self.rewrite(at, &e.value, json, iam::holds_json(&e.key), source, depth + 1))
                    .collect();
                if changed.iter().all(Option::is_none) {
                    return None;
                }
                let entries = entries
                    .iter()
                    .zip(changed)
                    .map(|(e, new)| Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: new.unwrap_or_else(|| e.value.clone()),
                    })
                    .collect();
                Some(Node::new(node.span, Value::Map(entries)))
            }
            Value::List(items) => {
                let changed: Vec<Option<Node>> =
                    items.iter().map(|i| self.rewrite(at, i, json, holds_json, source, depth + 1)).collect();
                if changed.iter().all(Option::is_none) {
                    return None;
                }
                let items = items
                    .iter()
                    .zip(changed)
                    .map(|(item, new)| new.unwrap_or_else(|| item.clone()))
                    .collect();
                Some(Node::new(node.span, Value::List(items)))
            }
            _ => None,
        }
    }

    /// The value of an attribute that holds a JSON document, as a tree when it can be read:
    /// a JSON string is decoded; a template with unknown interpolations is decoded around
    /// them (each string holding one becomes unknown).
    fn json_document(&self, at: usize, value: Val, text: &str, json: bool) -> Val {
        match value {
            Val::String(s) if iam::looks_like_json(&s) => from_json(&s).unwrap_or(Val::String(s)),
            Val::Json(inner) => *inner,
            Val::Unknown(t) => {
                let scope = InstanceNames { evaluator: self, at };
                eval::template_with_holes(&scope, text, json, 1)
                    .filter(|(rendered, _)| iam::looks_like_json(rendered))
                    .and_then(|(rendered, holes)| from_json(&rendered).map(|tree| fill_tree(tree, &holes, 0)))
                    .unwrap_or(Val::Unknown(t))
            }
            other => other,
        }
    }
}

/// `data.aws_iam_policy_document.x.json` (also `x[0].json`), possibly in `${ }`.
fn is_policy_document_reference(text: &str) -> bool {
    let text = text.trim();
    let text = text.strip_prefix("\"${").and_then(|t| t.strip_suffix("}\"")).unwrap_or(text).trim();
    text.starts_with("data.aws_iam_policy_document.")
        && text.ends_with(".json")
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']'))
}

/// Give a decoded JSON document the spans of the JSON as written, when the attribute's source
/// is the document verbatim (a heredoc, or a `.tf.json` string without escapes): findings then
/// point at the statement, not at the attribute. Interpolations inside JSON strings keep the
/// text valid JSON, so templates qualify too. Nothing changes where the structures differ.
fn exact_json_spans(tree: &mut Node, source: &str, span: crate::Span) {
    let Some(slice) = source.get(span.start..span.end) else { return };
    // `jsonencode({ ... })`: the object as written has the document's structure.
    if let Some(inner) = slice.trim_end().strip_prefix("jsonencode(").and_then(|s| s.strip_suffix(')')) {
        if let Some(raw) = crate::parse::hcl::expression(inner) {
            transfer_spans(tree, &raw, span.start + "jsonencode(".len(), 0);
        }
        return;
    }
    let (Some(open), Some(close)) = (slice.find(['{', '[']), slice.rfind(['}', ']'])) else { return };
    if close < open {
        return;
    }
    let Some(candidate) = slice.get(open..=close) else { return };
    let Ok(raw) = crate::parse::json::parse(candidate) else { return };
    transfer_spans(tree, &raw.root, span.start + open, 0);
}

fn transfer_spans(target: &mut Node, raw: &Node, offset: usize, depth: usize) {
    if depth > crate::parse::MAX_DEPTH {
        return;
    }
    let shift = |s: crate::Span| crate::Span::new(s.start + offset, s.end + offset);
    match (&mut target.value, &raw.value) {
        (Value::Map(entries), Value::Map(raw_entries)) => {
            for entry in entries.iter_mut() {
                if let Some(raw_entry) = raw_entries.iter().find(|r| r.key == entry.key) {
                    entry.key_span = shift(raw_entry.key_span);
                    transfer_spans(&mut entry.value, &raw_entry.value, offset, depth + 1);
                }
            }
        }
        (Value::List(items), Value::List(raw_items)) if items.len() == raw_items.len() => {
            for (item, raw_item) in items.iter_mut().zip(raw_items) {
                transfer_spans(item, raw_item, offset, depth + 1);
            }
        }
        (Value::List(_) | Value::Map(_), _) => return,
        _ => {}
    }
    target.span = shift(raw.span);
}

/// Replace hole markers in every string of a decoded document (see
/// [`eval::template_with_holes`]).
fn fill_tree(value: Val, holes: &[String], depth: usize) -> Val {
    if depth > crate::parse::MAX_DEPTH {
        return Val::unknown();
    }
    match value {
        Val::String(s) => eval::fill_holes(&s, holes),
        Val::List(items) => Val::List(items.into_iter().map(|i| fill_tree(i, holes, depth + 1)).collect()),
        Val::Map(entries) => Val::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    // A hole in a key makes the key unknown: keep the entry, its key shown as written.
                    let key = match eval::fill_holes(&k, holes) {
                        Val::Unknown(text) | Val::String(text) => text,
                        _ => k,
                    };
                    (key, fill_tree(v, holes, depth + 1))
                })
                .collect(),
        ),
        other => other,
    }
}

/// The names seen from instance `at`.
struct InstanceNames<'e, 'a> {
    evaluator: &'e Evaluator<'a>,
    at: usize,
}

/// The name of the `i`-th operator when it is an attribute access.
fn attr_at(ops: &[Decorated<TraversalOperator>], i: usize) -> Option<&str> {
    match ops.get(i).map(|op| op.value()) {
        Some(TraversalOperator::GetAttr(name)) => Some(name.as_str()),
        _ => None,
    }
}

/// Whether the `i`-th operator is an index (`[0]`, `["key"]`, `.0`).
fn index_at(ops: &[Decorated<TraversalOperator>], i: usize) -> bool {
    matches!(
        ops.get(i).map(|op| op.value()),
        Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))
    )
}

impl Names for InstanceNames<'_, '_> {
    fn spend(&self, cost: usize) -> bool {
        eval::spend(&self.evaluator.budget, cost)
    }

    fn resolve(&self, root: &str, ops: &[Decorated<TraversalOperator>], depth: usize) -> Resolved {
        let unknown = Resolved::unknown();
        let ev = self.evaluator;
        let Some(instance) = ev.instances.get(self.at) else { return unknown };
        if depth >= MAX_EVAL_DEPTH {
            return unknown;
        }
        match root {
            "var" => match attr_at(ops, 0).and_then(|name| instance.variables.get_key_value(name)) {
                Some((name, _)) => Resolved::new(ev.variable(self.at, name, depth), 1),
                None => unknown,
            },
            "local" => match attr_at(ops, 0).and_then(|name| instance.locals.get_key_value(name)) {
                Some((name, _)) => Resolved::new(ev.local(self.at, name, depth), 1),
                None => unknown,
            },
            "module" => {
                let Some(name) = attr_at(ops, 0) else { return unknown };
                let (Some(&child), Some(call)) = (instance.children.get(name), instance.calls.get(name))
                else {
                    return unknown;
                };
                let mut next = 1;
                if Evaluator::counted(call.block) {
                    if !index_at(ops, next) {
                        return unknown;
                    }
                    next += 1;
                }
                let Some(output) =
                    attr_at(ops, next).and_then(|o| ev.instances.get(child)?.outputs.get(o).copied())
                else {
                    return unknown;
                };
                let Some(value) = output.block.body.get("value") else { return unknown };
                Resolved {
                    value: ev.attribute(child, value, output.json, depth),
                    consumed: next + 1,
                    foreign: true,
                }
            }
            "data" => {
                let (Some(kind), Some(name)) = (attr_at(ops, 0), attr_at(ops, 1)) else { return unknown };
                let Some(target) = instance.data.get(&(kind, name)).copied() else { return unknown };
                let mut next = 2;
                if Evaluator::counted(target.block) {
                    if !index_at(ops, next) {
                        return unknown;
                    }
                    next += 1;
                }
                match (kind, attr_at(ops, next)) {
                    ("aws_iam_policy_document", Some("json" | "minified_json")) => {
                        Resolved::new(ev.policy_document(self.at, target, depth), next + 1)
                    }
                    _ => unknown,
                }
            }
            "path" => match attr_at(ops, 0) {
                Some("module") => Resolved::new(
                    Rc::new(Val::string(if instance.dir.is_empty() { "." } else { &instance.dir })),
                    1,
                ),
                Some("root") => {
                    let root_dir = ev.instances.first().map_or("", |i| i.dir.as_str());
                    Resolved::new(Rc::new(Val::string(if root_dir.is_empty() { "." } else { root_dir })), 1)
                }
                _ => unknown,
            },
            kind => {
                let Some(name) = attr_at(ops, 0) else { return unknown };
                let Some(target) = instance.resources.get(&(kind, name)).copied() else { return unknown };
                let mut next = 1;
                if Evaluator::counted(target.block) {
                    if !index_at(ops, next) {
                        return unknown;
                    }
                    next += 1;
                }
                let Some(attribute) = attr_at(ops, next) else { return unknown };
                if RESOURCE_META.contains(&attribute) {
                    return unknown;
                }
                match target.block.body.get(attribute) {
                    // Unknown parts are shown by the referring expression, which names the
                    // resource.
                    Some(node) => Resolved {
                        value: ev.attribute(self.at, node, target.json, depth),
                        consumed: next + 1,
                        foreign: true,
                    },
                    None => unknown,
                }
            }
        }
    }
}
