//! From tree-sitter-bash nodes to the analysis' own shapes: words with their static values,
//! commands with their wrappers (`sudo`, `env VAR=x`, ...) stripped, and statement chains
//! flattened into pipelines joined by operators.
//!
//! Every walk here uses an explicit stack or a bounded loop: a hostile script nested ten
//! thousand levels deep costs memory, never the thread's stack.

use tree_sitter::Node;

use super::{Command, Word};
use crate::Span;

/// The bytes of a node.
pub(super) fn span_of(node: Node<'_>) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// The source text of a node.
pub(super) fn text_of<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    src.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// The children of a node with their field names.
pub(super) fn children_with_fields<'t>(node: Node<'t>) -> Vec<(Option<&'static str>, Node<'t>)> {
    let mut cursor = node.walk();
    let mut out = Vec::with_capacity(node.child_count());
    if cursor.goto_first_child() {
        loop {
            out.push((cursor.field_name(), cursor.node()));
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    out
}

/// Remove shell backslash escapes from unquoted text (`\c` is `c`; backslash-newline is a
/// line continuation and disappears).
fn unescape_unquoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(next) => out.push(next),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Remove the escapes that are special inside double quotes (`\$`, `` \` ``, `\"`, `\\`,
/// backslash-newline); any other backslash stays.
fn unescape_double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('\n') => {
                    chars.next();
                }
                Some(&next @ ('$' | '`' | '"' | '\\')) => {
                    chars.next();
                    out.push(next);
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The value of a word that has no expansion in it, or `None`.
fn leaf_value(node: Node<'_>, src: &str) -> Option<String> {
    let text = text_of(node, src);
    match node.kind() {
        "word" | "number" => Some(unescape_unquoted(text)),
        "raw_string" => text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')).map(str::to_string),
        "string" => {
            // Static only when every part is plain content.
            let mut cursor = node.walk();
            if node.named_children(&mut cursor).any(|c| c.kind() != "string_content") {
                return None;
            }
            let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))?;
            Some(unescape_double_quoted(inner))
        }
        "ansi_c_string" => {
            let inner = text.strip_prefix("$'").and_then(|t| t.strip_suffix('\''))?;
            // Escapes in $'...' need decoding; only plain text counts as static.
            (!inner.contains('\\')).then(|| inner.to_string())
        }
        _ => None,
    }
}

/// The static value of a word node (a word, a quoted string, or a concatenation of them).
pub(super) fn static_value(node: Node<'_>, src: &str) -> Option<String> {
    if node.kind() != "concatenation" {
        return leaf_value(node, src);
    }
    let mut out = String::new();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        out.push_str(&leaf_value(child, src)?);
    }
    Some(out)
}

/// A word of the script, with its static value when it has one.
pub(super) fn word(node: Node<'_>, src: &str) -> Word {
    Word { text: text_of(node, src).to_string(), value: static_value(node, src), span: span_of(node) }
}

/// A command node turned into a [`Command`], with the nodes rules of the analysis look into.
#[derive(Debug, Clone)]
pub(super) struct CommandNode<'t> {
    /// The public description.
    pub(super) command: Command,
    /// The node of the effective command word.
    pub(super) name: Node<'t>,
    /// The nodes of `command.args`, index for index.
    pub(super) args: Vec<Node<'t>>,
    /// Redirections of the command (its own, and those of an enclosing redirected statement).
    pub(super) redirects: Vec<Node<'t>>,
}

/// Which options of a wrapper take a value, and which make it run no command.
struct Wrapper {
    short_with_value: &'static str,
    long_with_value: &'static [&'static str],
    /// Short flags after which the wrapper runs nothing (`sudo -v`, `command -v`).
    no_command: &'static str,
    /// `VAR=value` words may follow the options (`sudo VAR=1 cmd`, `env VAR=1 cmd`).
    assignments: bool,
    /// Positional words before the command (`timeout DURATION cmd`).
    positional: usize,
}

fn wrapper(name: &str) -> Option<Wrapper> {
    let w = |short, long, no_command, assignments, positional| {
        Some(Wrapper { short_with_value: short, long_with_value: long, no_command, assignments, positional })
    };
    match name {
        "sudo" => w(
            "ugCDhprtTU",
            &[
                "user",
                "group",
                "close-from",
                "chdir",
                "host",
                "prompt",
                "role",
                "type",
                "command-timeout",
                "other-user",
            ],
            "vlkKVe",
            true,
            0,
        ),
        "doas" => w("uC", &[], "", false, 0),
        // `env -S` splits a string into words: what it runs is not a word of the script.
        "env" => w("uC", &["unset", "chdir"], "S", true, 0),
        "exec" => w("a", &[], "", false, 0),
        "command" => w("", &[], "vV", false, 0),
        "nohup" | "busybox" => w("", &[], "", false, 0),
        "time" => w("fo", &["format", "output"], "", false, 0),
        "nice" => w("n", &["adjustment"], "", false, 0),
        "timeout" => w("sk", &["signal", "kill-after"], "", false, 1),
        "stdbuf" => w("ioe", &["input", "output", "error"], "", false, 0),
        _ => None,
    }
}

/// Index of the word a wrapper runs, given the wrapper's word index, or `None` when it runs
/// nothing the script names.
fn wrapped_command(words: &[Word], at: usize, spec: &Wrapper) -> Option<usize> {
    let mut i = at + 1;
    let text = |i: usize| words.get(i).map(|w| w.value.as_deref().unwrap_or(w.text.as_str()));
    while let Some(arg) = text(i) {
        if arg == "--" {
            i += 1;
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            if !long.contains('=') && spec.long_with_value.contains(&long) {
                i += 1;
            }
        } else if arg.len() > 1 && arg.starts_with('-') {
            let cluster = arg.get(1..).unwrap_or("");
            for (pos, ch) in cluster.char_indices() {
                if spec.no_command.contains(ch) {
                    return None;
                }
                if spec.short_with_value.contains(ch) {
                    if cluster.get(pos + ch.len_utf8()..).unwrap_or("").is_empty() {
                        i += 1;
                    }
                    break;
                }
            }
        } else {
            break;
        }
        i += 1;
    }
    if spec.assignments {
        while text(i).is_some_and(is_assignment) {
            i += 1;
        }
    }
    i += spec.positional;
    (i < words.len()).then_some(i)
}

/// `NAME=value`.
fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The last path component of a command word (`/usr/bin/curl` is `curl`).
pub(super) fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Turn a `command` node into a [`CommandNode`]; `extra_redirects` come from an enclosing
/// redirected statement.
pub(super) fn command<'t>(
    node: Node<'t>,
    src: &str,
    extra_redirects: &[Node<'t>],
) -> Option<CommandNode<'t>> {
    let mut nodes = Vec::new();
    let mut redirects = Vec::new();
    for (field, child) in children_with_fields(node) {
        match field {
            Some("name") => {
                // command_name wraps the word itself.
                let mut cursor = child.walk();
                let inner = child.named_children(&mut cursor).next().unwrap_or(child);
                nodes.push(inner);
            }
            Some("argument") => nodes.push(child),
            Some("redirect") => redirects.push(child),
            _ => {}
        }
    }
    redirects.extend_from_slice(extra_redirects);
    let words: Vec<Word> = nodes.iter().map(|n| word(*n, src)).collect();
    let mut at = 0;
    let mut wrappers = Vec::new();
    // Each round strips one wrapper and moves right, so this ends within words.len() rounds.
    while let Some(current) = words.get(at) {
        let Some(value) = current.value.as_deref() else { break };
        let base = base_name(value);
        let Some(spec) = wrapper(base) else { break };
        let Some(next) = wrapped_command(&words, at, &spec) else { break };
        wrappers.push(base.to_string());
        at = next;
    }
    let invoked = words.get(at)?.clone();
    let name_node = *nodes.get(at)?;
    let name = match &invoked.value {
        Some(value) => base_name(value).to_string(),
        None => invoked.text.clone(),
    };
    let args: Vec<Word> = words.get(at + 1..).unwrap_or(&[]).to_vec();
    let arg_nodes: Vec<Node<'t>> = nodes.get(at + 1..).unwrap_or(&[]).to_vec();
    Some(CommandNode {
        command: Command { name, invoked_as: invoked, wrappers, args, span: span_of(node) },
        name: name_node,
        args: arg_nodes,
        redirects,
    })
}

/// One element of a flattened statement chain.
#[derive(Debug, Clone)]
pub(super) enum Item<'t> {
    /// A command or a compound statement, with redirections inherited from an enclosing
    /// redirected statement.
    Atom(Node<'t>, Vec<Node<'t>>),
    /// An operator between atoms: `|`, `|&`, `&&`, `||`, `;`, `&`.
    Op(&'static str),
}

/// Node kinds that only join statements; a chain is flattened through them.
pub(super) fn is_chain_kind(kind: &str) -> bool {
    matches!(kind, "pipeline" | "list" | "negated_command" | "redirected_statement")
}

/// Node kinds that are statements.
pub(super) fn is_statement_kind(kind: &str) -> bool {
    is_chain_kind(kind)
        || matches!(
            kind,
            "command"
                | "subshell"
                | "compound_statement"
                | "if_statement"
                | "while_statement"
                | "for_statement"
                | "c_style_for_statement"
                | "case_statement"
                | "function_definition"
                | "test_command"
                | "declaration_command"
                | "unset_command"
        )
}

fn operator(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "|" => "|",
        "|&" => "|&",
        "&&" => "&&",
        "||" => "||",
        ";" => ";",
        "&" => "&",
        _ => return None,
    })
}

/// Flatten a chain root into atoms and operators in source order.
///
/// tree-sitter-bash does not always group `a | b | c && d` as the shell does (it may nest a
/// list inside a pipeline), so the chain is flattened and regrouped by operator precedence
/// afterwards. Redirections on a redirected pipeline or list belong to its last command.
pub(super) fn flatten(root: Node<'_>) -> Vec<Item<'_>> {
    enum Work<'t> {
        Node(Node<'t>, Vec<Node<'t>>),
        Op(&'static str),
    }
    let mut items = Vec::new();
    let mut stack = vec![Work::Node(root, Vec::new())];
    while let Some(work) = stack.pop() {
        let (node, inherited) = match work {
            Work::Op(op) => {
                items.push(Item::Op(op));
                continue;
            }
            Work::Node(node, inherited) => (node, inherited),
        };
        match node.kind() {
            "pipeline" | "list" | "negated_command" => {
                let children = children_with_fields(node);
                let last = children.iter().rposition(|(_, c)| c.is_named() && is_statement_kind(c.kind()));
                for (index, (_, child)) in children.iter().enumerate().rev() {
                    if child.is_named() {
                        if is_statement_kind(child.kind()) {
                            let pass = if Some(index) == last { inherited.clone() } else { Vec::new() };
                            stack.push(Work::Node(*child, pass));
                        }
                    } else if let Some(op) = operator(child.kind()) {
                        stack.push(Work::Op(op));
                    }
                }
            }
            "redirected_statement" => {
                let mut body = None;
                let mut redirects = Vec::new();
                for (field, child) in children_with_fields(node) {
                    match field {
                        Some("body") => body = Some(child),
                        Some("redirect") => redirects.push(child),
                        _ if child.kind().ends_with("redirect") => redirects.push(child),
                        _ => {}
                    }
                }
                redirects.extend(inherited);
                if let Some(body) = body {
                    stack.push(Work::Node(body, redirects));
                }
            }
            _ => items.push(Item::Atom(node, inherited)),
        }
    }
    items
}
