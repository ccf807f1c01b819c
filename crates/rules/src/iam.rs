//! IAM policy documents as the rules see them: statements with their effect, actions,
//! resources, principals and conditions, whatever the document was written as.
//!
//! A document arrives as:
//! - a JSON string: a quoted string or a heredoc in Terraform (`policy = <<EOF ... EOF`), a
//!   string in CloudFormation;
//! - a tree: CloudFormation YAML or JSON, or what the Terraform evaluator makes of
//!   `jsonencode({...})`;
//! - a `data.aws_iam_policy_document` (its `statement` blocks, plus
//!   `source_policy_documents`/`override_policy_documents`), referred to as
//!   `data.aws_iam_policy_document.x.json`.
//!
//! A heredoc with interpolations (`"Resource": "${aws_s3_bucket.b.arn}/*"`) is still read: a
//! string that is a single interpolation is unknown, one with literal text around it keeps
//! that text. Everything else (`jsonencode(...)` before evaluation, `file(...)`, variables)
//! is an unknown document: rules never pass or fail on it.
//!
//! Spans point into the file being checked only when the document was written there
//! ([`Statement::located`]); rules point elsewhere otherwise.

use trustlint_engine::parse::json;
use trustlint_engine::policy::condition::Truth;
use trustlint_engine::rule::Scope;

use crate::link;
use crate::prelude::*;

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Allow,
    Deny,
    /// Not known statically.
    Unknown,
}

/// One value of a list field (`Action`, `Resource`, a principal identifier, a condition value).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The value; `None` when not known statically.
    pub text: Option<String>,
    /// The expression it was written as, when unknown (`aws_iam_openid_connect_provider.gh.arn`).
    pub expr: Option<String>,
    pub span: Span,
}

/// A field holding one value or a list of values.
#[derive(Debug, Clone)]
pub(crate) struct List {
    pub items: Vec<Item>,
    /// Some values (or the whole list) are not known statically.
    pub unknown: bool,
    pub span: Span,
}

/// `Principal` / `NotPrincipal`: (type, identifier) pairs; `"*"` is the type `*`.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub entries: Vec<(String, Item)>,
    pub unknown: bool,
    pub span: Span,
}

/// One condition test: `"StringEquals": {"aws:SourceVpce": [...]}`.
#[derive(Debug, Clone)]
pub(crate) struct Test {
    pub operator: String,
    pub key: String,
    pub values: List,
}

/// One statement.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: Option<List>,
    pub not_action: Option<List>,
    pub resource: Option<List>,
    pub not_resource: Option<List>,
    pub principal: Option<Principal>,
    pub not_principal: Option<Principal>,
    pub conditions: Vec<Test>,
    /// Some condition could not be read.
    pub conditions_unknown: bool,
    /// The statement.
    pub span: Span,
    /// Whether the spans point into the file being checked.
    pub located: bool,
}

/// A policy document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Document {
    pub statements: Vec<Statement>,
    /// Part of the document could not be read statically: statements may be missing.
    pub unknown: bool,
}

impl Document {
    fn unknown() -> Document {
        Document { statements: Vec::new(), unknown: true }
    }

    fn merge(&mut self, other: Document) {
        self.statements.extend(other.statements);
        self.unknown |= other.unknown;
    }
}

/// Case-insensitive glob match with `*` and `?`, as IAM matches actions.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // Iterative matching with one backtrack point: linear in practice, never recursive.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

impl List {
    /// Whether some value satisfies `test`: true if a known one does, unknown if none does
    /// but some value is unknown.
    pub(crate) fn any(&self, test: impl Fn(&str) -> bool) -> Truth {
        if self.items.iter().any(|i| i.text.as_deref().is_some_and(&test)) {
            Truth::True
        } else if self.unknown || self.items.iter().any(|i| i.text.is_none()) {
            Truth::Unknown
        } else {
            Truth::False
        }
    }

    /// The first known value satisfying `test`.
    pub(crate) fn find(&self, test: impl Fn(&str) -> bool) -> Option<&Item> {
        self.items.iter().find(|i| i.text.as_deref().is_some_and(&test))
    }

    /// Whether every value is known and satisfies `test` (and there is at least one).
    pub(crate) fn all(&self, test: impl Fn(&str) -> bool) -> Truth {
        if self.items.iter().any(|i| i.text.as_deref().is_some_and(|t| !test(t))) {
            Truth::False
        } else if self.unknown || self.items.iter().any(|i| i.text.is_none()) {
            Truth::Unknown
        } else if self.items.is_empty() {
            Truth::False
        } else {
            Truth::True
        }
    }

    /// Whether the field holds any value: an attribute set to null or an empty list is as
    /// good as absent, and one not known statically may be either.
    pub(crate) fn present(list: Option<&List>) -> Truth {
        match list {
            None => Truth::False,
            Some(l) if l.items.iter().any(|i| i.text.is_some()) => Truth::True,
            Some(l) if l.unknown || !l.items.is_empty() => Truth::Unknown,
            Some(_) => Truth::False,
        }
    }

    /// The known values, for messages.
    pub(crate) fn texts(&self) -> Vec<&str> {
        self.items.iter().filter_map(|i| i.text.as_deref()).collect()
    }
}

impl Principal {
    /// Whether the principal is everyone: `"*"`, `{"AWS": "*"}` (policy-document form:
    /// `type = "*"`, or `type = "AWS"` with identifier `*`).
    pub(crate) fn everyone(&self) -> Truth {
        let mut unknown = self.unknown;
        for (kind, item) in &self.entries {
            match item.text.as_deref() {
                _ if kind == "*" => return Truth::True,
                Some("*") if kind.eq_ignore_ascii_case("AWS") => return Truth::True,
                None if kind.eq_ignore_ascii_case("AWS") => unknown = true,
                _ => {}
            }
        }
        if unknown { Truth::Unknown } else { Truth::False }
    }

    /// Whether the field holds any principal (see [`List::present`]).
    pub(crate) fn present(principal: Option<&Principal>) -> Truth {
        match principal {
            None => Truth::False,
            Some(p) if p.entries.iter().any(|(_, i)| i.text.is_some()) => Truth::True,
            Some(p) if p.unknown || !p.entries.is_empty() => Truth::Unknown,
            Some(_) => Truth::False,
        }
    }

    /// The identifiers of one principal type (`Federated`, `Service`).
    pub(crate) fn of_type<'p>(&'p self, kind: &'p str) -> impl Iterator<Item = &'p Item> + 'p {
        self.entries.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(kind)).map(|(_, item)| item)
    }
}

/// The operator without its set prefix (`ForAnyValue:`) and `IfExists` suffix, lowercased,
/// and whether it had `IfExists`.
pub(crate) fn base_operator(operator: &str) -> (String, bool) {
    let lower = operator.to_ascii_lowercase();
    let without_set = lower
        .strip_prefix("forallvalues:")
        .or_else(|| lower.strip_prefix("foranyvalue:"))
        .unwrap_or(&lower)
        .to_string();
    match without_set.strip_suffix("ifexists") {
        Some(base) => (base.to_string(), true),
        None => (without_set, false),
    }
}

/// Operators that admit only the listed values (a positive match), as opposed to the
/// `Not...` operators, which admit everything else.
pub(crate) fn is_positive_match(operator: &str) -> bool {
    let (base, _) = base_operator(operator);
    matches!(
        base.as_str(),
        "stringequals" | "stringequalsignorecase" | "stringlike" | "arnequals" | "arnlike"
    )
}

impl Statement {
    /// The condition tests on `key` (case-insensitive).
    pub(crate) fn tests_on<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s Test> + 's {
        self.conditions.iter().filter(move |t| t.key.eq_ignore_ascii_case(key))
    }

    /// Whether a condition restricts the request to specific values of one of `keys`: a
    /// positive operator (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`), without
    /// `IfExists` unless `if_exists_ok` (an absent key would pass it), whose values are all
    /// known and none is a bare `*`.
    pub(crate) fn restricts(&self, keys: &[&str], if_exists_ok: bool) -> Truth {
        let mut result = if self.conditions_unknown { Truth::Unknown } else { Truth::False };
        for test in &self.conditions {
            if !keys.iter().any(|k| test.key.eq_ignore_ascii_case(k)) {
                continue;
            }
            let (_, if_exists) = base_operator(&test.operator);
            if !is_positive_match(&test.operator) || (if_exists && !if_exists_ok) {
                continue;
            }
            result = link::or(result, test.values.all(|v| !v.trim().is_empty() && v.trim() != "*"));
        }
        result
    }

    /// Where to point: `span` when the statement was written in the file being checked,
    /// else `fallback`.
    pub(crate) fn point(&self, span: Span, fallback: Span) -> Span {
        if self.located { span } else { fallback }
    }

    /// `statement `Sid`` or `statement N` for messages.
    pub(crate) fn label(&self, index: usize) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => format!("statement `{sid}`"),
            _ => format!("statement {}", index + 1),
        }
    }
}

/// Whether a statement's principal is everyone: `*`, `{"AWS": "*"}`, or a `NotPrincipal`
/// (everyone but the listed principals); and where that principal is written.
pub(crate) fn everyone(statement: &Statement) -> (Truth, Span) {
    let not = Principal::present(statement.not_principal.as_ref());
    let named = statement.principal.as_ref().map_or(Truth::False, Principal::everyone);
    let span = match (&statement.principal, &statement.not_principal) {
        (_, Some(not_principal)) if not != Truth::False => not_principal.span,
        (Some(principal), _) => principal.span,
        _ => statement.span,
    };
    (link::or(not, named), span)
}

/// Deepest nesting of documents built from other documents (`source_policy_documents`).
const MAX_NESTING: usize = 8;

/// Reads the documents that the resource being checked, or its neighbours, hold.
pub(crate) struct Reader<'r, 'a> {
    resource: &'r Resource<'a>,
    file: &'r FileContext<'a>,
}

impl<'r, 'a> Reader<'r, 'a> {
    pub(crate) fn new(resource: &'r Resource<'a>, file: &'r FileContext<'a>) -> Self {
        Reader { resource, file }
    }

    /// The scope of the resource being checked.
    pub(crate) fn scope(&self) -> &'r Scope<'a> {
        self.file.scope
    }

    /// Whether `owner` was written in the file being checked, so its spans can be shown.
    pub(crate) fn is_local(&self, owner: &Resource<'_>) -> bool {
        owner.file == self.resource.file && owner.target == self.resource.target
    }

    /// The document an attribute of `owner` holds.
    pub(crate) fn document(&self, value: &Node, owner: &Resource<'_>) -> Document {
        self.document_at(value, owner, 0)
    }

    fn document_at(&self, value: &Node, owner: &Resource<'_>, depth: usize) -> Document {
        if depth > MAX_NESTING {
            return Document::unknown();
        }
        let local = self.is_local(owner);
        match &value.value {
            Value::Null => Document::default(),
            Value::Map(_) if is_intrinsic(value) => Document::unknown(),
            Value::Map(_) => from_tree(value, Origin { located: local, shift: 0, interpolated: false }),
            Value::String(text) => {
                // A heredoc in this file: read it from the source, so spans are exact.
                if local && owner.target == Target::Terraform {
                    let raw = self.file.source.slice(value.span);
                    if let Some(doc) = heredoc(raw, value.span.start, true, false) {
                        return doc;
                    }
                }
                match json::parse(text) {
                    Ok(parsed) => {
                        from_tree(&parsed.root, Origin { located: false, shift: 0, interpolated: false })
                    }
                    Err(_) => Document::unknown(),
                }
            }
            Value::Expr(raw) => {
                if let Some(doc) = heredoc(raw, value.span.start, local, true) {
                    return doc;
                }
                match self.data_source(raw, owner) {
                    Some(data) => self.data_document_at(data, depth + 1),
                    None => Document::unknown(),
                }
            }
            _ => Document::unknown(),
        }
    }

    /// The `data.aws_iam_policy_document` an expression such as
    /// `data.aws_iam_policy_document.x.json` (or `.minified_json`, `[0].json`) refers to.
    fn data_source(&self, raw: &str, owner: &Resource<'_>) -> Option<&'a Resource<'a>> {
        let expression = raw.trim();
        let expression =
            expression.strip_prefix("\"${").and_then(|e| e.strip_suffix("}\"")).unwrap_or(expression).trim();
        let rest = expression.strip_prefix("data.aws_iam_policy_document.")?;
        let name_end =
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
        let (name, tail) = rest.split_at(name_end);
        let tail = match tail.strip_prefix('[') {
            Some(indexed) => {
                let close = indexed.find(']')?;
                &indexed[close + 1..]
            }
            None => tail,
        };
        if tail != ".json" && tail != ".minified_json" {
            return None;
        }
        let wanted = format!("data.aws_iam_policy_document.{name}");
        let prefix = module_prefix(&owner.address);
        self.file
            .scope
            .of_kind(Target::Terraform, "data.aws_iam_policy_document")
            .find(|d| d.address.strip_prefix(prefix) == Some(wanted.as_str()))
    }

    /// The document a `data.aws_iam_policy_document` produces.
    fn data_document_at(&self, data: &Resource<'_>, depth: usize) -> Document {
        let Some(body) = data.body else { return Document::unknown() };
        if depth > MAX_NESTING {
            return Document::unknown();
        }
        let located = self.is_local(data);
        let mut doc = Document::default();
        // Statements of the documents it builds on, then its own.
        for key in ["source_policy_documents", "override_policy_documents", "source_json", "override_json"] {
            let Some(value) = body.get(key) else { continue };
            match &value.value {
                Value::List(items) => {
                    for item in items {
                        doc.merge(self.document_at(item, data, depth + 1));
                    }
                }
                Value::Null => {}
                _ if key.ends_with("_json") => doc.merge(self.document_at(value, data, depth + 1)),
                _ => doc.unknown = true,
            }
        }
        if let Some(statements) = body.get("statement") {
            match &statements.value {
                Value::List(items) => {
                    for item in items {
                        match &item.value {
                            Value::Map(_) => doc.statements.push(block_statement(item, located)),
                            _ => doc.unknown = true,
                        }
                    }
                }
                Value::Map(_) => doc.statements.push(block_statement(statements, located)),
                _ => doc.unknown = true,
            }
        }
        doc
    }
}

/// `module.a.module.b.` of a module-instance address, `` at the root.
pub(crate) fn module_prefix(address: &str) -> &str {
    let mut end = 0;
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let Some(dot) = after.find('.') else { break };
        end += "module.".len() + dot + 1;
        rest = &after[dot + 1..];
    }
    address.get(..end).unwrap_or("")
}

/// How a parsed tree relates to the file being checked.
#[derive(Debug, Clone, Copy)]
struct Origin {
    /// The tree's spans (plus `shift`) are offsets in the file being checked.
    located: bool,
    /// Added to every span.
    shift: usize,
    /// Strings may hold Terraform interpolations (`${...}`).
    interpolated: bool,
}

impl Origin {
    fn span(&self, span: Span) -> Span {
        Span::new(span.start + self.shift, span.end + self.shift)
    }
}

/// A Terraform heredoc (`<<EOF` or `<<-EOF`) holding JSON, read from its source text `raw`
/// starting at byte `start` of the file. `None` when `raw` is not a heredoc.
fn heredoc(raw: &str, start: usize, located: bool, interpolated: bool) -> Option<Document> {
    let trimmed = raw.trim_start();
    if !trimmed.starts_with("<<") {
        return None;
    }
    let lead = raw.len() - trimmed.len();
    let first_newline = trimmed.find('\n')?;
    let body_start = lead + first_newline + 1;
    // The body ends where the closing delimiter's line begins.
    let body_end = raw.trim_end().rfind('\n').filter(|end| *end >= body_start).unwrap_or(body_start);
    let body = raw.get(body_start..body_end)?;
    Some(match json::parse(body) {
        Ok(parsed) => from_tree(&parsed.root, Origin { located, shift: start + body_start, interpolated }),
        // Template directives (`%{ for }`) or interpolations outside strings: not readable.
        Err(_) => Document::unknown(),
    })
}

/// A CloudFormation intrinsic function (`{"Ref": ...}`, `{"Fn::If": [...]}`), whose value is
/// not known statically.
fn is_intrinsic(node: &Node) -> bool {
    matches!(node.entries(), [only] if only.key == "Ref" || only.key.starts_with("Fn::"))
}

/// A document from a JSON-shaped tree.
fn from_tree(root: &Node, origin: Origin) -> Document {
    let mut doc = Document::default();
    if !matches!(root.value, Value::Map(_)) || is_intrinsic(root) {
        return Document::unknown();
    }
    let Some(statements) = root.get("Statement") else { return doc };
    match &statements.value {
        Value::List(items) => {
            for item in items {
                match &item.value {
                    Value::Map(_) if !is_intrinsic(item) => doc.statements.push(json_statement(item, origin)),
                    _ => doc.unknown = true,
                }
            }
        }
        Value::Map(_) if !is_intrinsic(statements) => doc.statements.push(json_statement(statements, origin)),
        _ => doc.unknown = true,
    }
    doc
}

fn json_statement(node: &Node, origin: Origin) -> Statement {
    let list = |key: &str| node.get(key).map(|v| json_list(v, origin));
    let effect = match node.get("Effect") {
        Some(e) => effect_of(e, origin),
        None => Effect::Unknown,
    };
    let (conditions, conditions_unknown) = match node.get("Condition") {
        None => (Vec::new(), false),
        Some(c) => json_conditions(c, origin),
    };
    Statement {
        sid: node.get("Sid").and_then(Node::scalar_text).map(|s| s.into_owned()),
        effect,
        action: list("Action"),
        not_action: list("NotAction"),
        resource: list("Resource"),
        not_resource: list("NotResource"),
        principal: node.get("Principal").map(|p| json_principal(p, origin)),
        not_principal: node.get("NotPrincipal").map(|p| json_principal(p, origin)),
        conditions,
        conditions_unknown,
        span: origin.span(node.span),
        located: origin.located,
    }
}

fn effect_of(node: &Node, origin: Origin) -> Effect {
    match item(node, origin).text.as_deref() {
        Some(e) if e.eq_ignore_ascii_case("Allow") => Effect::Allow,
        Some(e) if e.eq_ignore_ascii_case("Deny") => Effect::Deny,
        _ => Effect::Unknown,
    }
}

/// One scalar value.
fn item(node: &Node, origin: Origin) -> Item {
    let span = origin.span(node.span);
    match &node.value {
        Value::String(text) if origin.interpolated && is_single_interpolation(text) => Item {
            text: None,
            expr: Some(text.trim_start_matches("${").trim_end_matches('}').trim().to_string()),
            span,
        },
        Value::Expr(raw) => Item { text: None, expr: Some(raw.clone()), span },
        Value::Tagged(..) | Value::Map(_) => match sub_template(node) {
            // A CloudFormation `!Sub` keeps its literal text around the substitutions
            // (`arn:aws:iam::${AWS::AccountId}:role/x` is an IAM ARN whatever the account).
            Some(template) if !is_single_interpolation(template) => {
                Item { text: Some(template.to_string()), expr: Some(template.to_string()), span }
            }
            Some(template) => Item { text: None, expr: Some(template.to_string()), span },
            None => Item { text: None, expr: None, span },
        },
        _ => Item { text: node.scalar_text().map(|t| t.into_owned()), expr: None, span },
    }
}

/// The template of a CloudFormation `!Sub "..."` or `{"Fn::Sub": "..."}` without variables.
pub(crate) fn sub_template(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Tagged(tag, inner) if tag == "Sub" || tag == "Fn::Sub" => inner.as_str(),
        Value::Map(entries) => match entries.as_slice() {
            [only] if only.key == "Fn::Sub" => only.value.as_str(),
            _ => None,
        },
        _ => None,
    }
}

/// A string that is one Terraform interpolation and nothing else (`"${var.x}"`).
fn is_single_interpolation(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("${") && t.ends_with('}') && t.matches("${").count() == 1
}

fn json_list(node: &Node, origin: Origin) -> List {
    let span = origin.span(node.span);
    match &node.value {
        Value::List(items) => {
            let mut list = List { items: Vec::new(), unknown: false, span };
            for element in items {
                match &element.value {
                    Value::List(_) => {
                        list.items.push(Item { text: None, expr: None, span: origin.span(element.span) })
                    }
                    _ => list.items.push(item(element, origin)),
                }
            }
            list
        }
        Value::Null => List { items: Vec::new(), unknown: false, span },
        Value::Map(_) | Value::Tagged(..) | Value::Expr(_) => {
            let single = item(node, origin);
            // A `!Sub` string is one value; any other intrinsic may stand for a whole list.
            let unknown = single.text.is_none();
            List { items: vec![single], unknown, span }
        }
        _ => List { items: vec![item(node, origin)], unknown: false, span },
    }
}

fn json_principal(node: &Node, origin: Origin) -> Principal {
    let span = origin.span(node.span);
    match &node.value {
        Value::String(_) => {
            let it = item(node, origin);
            let unknown = it.text.is_none();
            let kind = if it.text.as_deref() == Some("*") { "*" } else { "AWS" };
            Principal { entries: vec![(kind.to_string(), it)], unknown, span }
        }
        Value::Map(entries) if !is_intrinsic(node) => {
            let mut principal = Principal { entries: Vec::new(), unknown: false, span };
            for entry in entries {
                let values = json_list(&entry.value, origin);
                // Only an unknown account principal might be `*`; an unknown service is a service.
                principal.unknown |= values.unknown && entry.key.eq_ignore_ascii_case("AWS");
                for value in values.items {
                    principal.entries.push((entry.key.clone(), value));
                }
            }
            principal
        }
        _ => Principal { entries: Vec::new(), unknown: true, span },
    }
}

fn json_conditions(node: &Node, origin: Origin) -> (Vec<Test>, bool) {
    let mut tests = Vec::new();
    let mut unknown = false;
    if !matches!(node.value, Value::Map(_)) || is_intrinsic(node) {
        return (tests, true);
    }
    for operator in node.entries() {
        if !matches!(operator.value.value, Value::Map(_)) || is_intrinsic(&operator.value) {
            unknown = true;
            continue;
        }
        for key in operator.value.entries() {
            tests.push(Test {
                operator: operator.key.clone(),
                key: key.key.clone(),
                values: json_list(&key.value, origin),
            });
        }
    }
    (tests, unknown)
}

/// A `statement` block of a `data.aws_iam_policy_document`.
fn block_statement(node: &Node, located: bool) -> Statement {
    let origin = Origin { located, shift: 0, interpolated: false };
    let list = |key: &str| node.get(key).map(|v| json_list(v, origin));
    let effect = match node.get("effect") {
        None => Effect::Allow,
        Some(e) => effect_of(e, origin),
    };
    let principals = |key: &str| -> Option<Principal> {
        let blocks = node.get(key)?;
        let mut principal = Principal { entries: Vec::new(), unknown: false, span: blocks.span };
        for block in blocks.items() {
            let kind = block.get("type").map(|t| item(t, origin));
            let identifiers = block.get("identifiers").map(|i| json_list(i, origin));
            match (kind.and_then(|k| k.text), identifiers) {
                (Some(kind), Some(identifiers)) => {
                    principal.unknown |=
                        identifiers.unknown && (kind == "*" || kind.eq_ignore_ascii_case("AWS"));
                    for identifier in identifiers.items {
                        principal.entries.push((kind.clone(), identifier));
                    }
                }
                _ => principal.unknown = true,
            }
        }
        Some(principal)
    };
    let mut conditions = Vec::new();
    let mut conditions_unknown = false;
    for block in node.get("condition").map(Node::items).unwrap_or_default() {
        let operator = block.get("test").and_then(|t| item(t, origin).text);
        let key = block.get("variable").and_then(|v| item(v, origin).text);
        match (operator, key, block.get("values")) {
            (Some(operator), Some(key), Some(values)) => {
                conditions.push(Test { operator, key, values: json_list(values, origin) })
            }
            _ => conditions_unknown = true,
        }
    }
    Statement {
        sid: node.get("sid").and_then(Node::scalar_text).map(|s| s.into_owned()),
        effect,
        action: list("actions"),
        not_action: list("not_actions"),
        resource: list("resources"),
        not_resource: list("not_resources"),
        principal: principals("principals"),
        not_principal: principals("not_principals"),
        conditions,
        conditions_unknown,
        span: node.span,
        located,
    }
}

/// Whether a document has a `Deny` statement that applies when the boolean condition key
/// `key` is false (`Bool` or `BoolIfExists`): the form of "deny unless MFA" and "deny unless
/// TLS" statements.
pub(crate) fn denies_when_false(document: &Document, key: &str) -> Truth {
    let mut result = if document.unknown { Truth::Unknown } else { Truth::False };
    for statement in &document.statements {
        let denies = match statement.effect {
            Effect::Deny => Truth::True,
            Effect::Allow => Truth::False,
            Effect::Unknown => Truth::Unknown,
        };
        let mut conditioned = if statement.conditions_unknown { Truth::Unknown } else { Truth::False };
        for test in statement.tests_on(key) {
            if base_operator(&test.operator).0 == "bool" {
                conditioned =
                    link::or(conditioned, test.values.any(|v| v.trim().eq_ignore_ascii_case("false")));
            }
        }
        result = link::or(result, link::and(denies, conditioned));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::terraform;
    use trustlint_engine::parse::hcl;

    #[test]
    fn globs() {
        assert!(glob("*", "iam:PassRole"));
        assert!(glob("iam:*", "IAM:PassRole"));
        assert!(glob("iam:Attach*Policy", "iam:AttachRolePolicy"));
        assert!(glob("iam:?assRole", "iam:PassRole"));
        assert!(!glob("iam:Attach*Policy", "iam:AttachRolePolicies"));
        assert!(!glob("s3:Get*", "s3:PutObject"));
        assert!(glob("sts:AssumeRole*", "sts:AssumeRole"));
        assert!(!glob("", "x"));
    }

    fn with_module<T>(text: &str, index: usize, f: impl FnOnce(&Reader<'_, '_>, &Resource<'_>) -> T) -> T {
        let file = hcl::parse(text).expect("parses");
        let resources = terraform::resources(&file);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("main.tf", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        let resource = &resources[index];
        let reader = Reader::new(resource, &ctx);
        f(&reader, resource)
    }

    #[test]
    fn heredoc_with_interpolation_keeps_literal_fields_and_exact_spans() {
        let text = r#"resource "aws_iam_policy" "p" {
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Sid": "All",
        "Effect": "Allow",
        "Action": "*",
        "Resource": "${aws_s3_bucket.b.arn}"
      }]
    }
  EOF
}
"#;
        with_module(text, 0, |reader, resource| {
            let value = resource.body.and_then(|b| b.get("policy")).expect("policy");
            let doc = reader.document(value, resource);
            assert!(!doc.unknown);
            let statement = &doc.statements[0];
            assert_eq!(statement.effect, Effect::Allow);
            assert!(statement.located);
            let action = statement.action.as_ref().expect("action");
            assert_eq!(action.texts(), ["*"]);
            assert_eq!(&text[action.span.start..action.span.end], "\"*\"");
            let resource_list = statement.resource.as_ref().expect("resource");
            assert_eq!(resource_list.items[0].text, None);
            assert_eq!(resource_list.any(|r| r == "*"), Truth::Unknown);
        });
    }

    #[test]
    fn quoted_json_string_and_data_source() {
        let text = r#"resource "aws_iam_role_policy" "inline" {
  policy = "{\"Statement\":{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\",\"Condition\":{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"false\"}}}}"
}
resource "aws_iam_policy" "from_data" {
  policy = data.aws_iam_policy_document.admin.json
}
data "aws_iam_policy_document" "admin" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    actions   = ["*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-abc123"]
    }
  }
}
data "aws_iam_policy_document" "base" {
  statement {
    effect    = "Deny"
    actions   = ["s3:DeleteBucket"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "unknown" {
  policy = jsonencode({ Statement = [] })
}
"#;
        with_module(text, 0, |reader, resource| {
            let doc = reader.document(resource.body.and_then(|b| b.get("policy")).expect("policy"), resource);
            let statement = &doc.statements[0];
            assert_eq!(statement.effect, Effect::Deny);
            assert!(!statement.located, "spans of an escaped string do not map to the file");
            assert_eq!(statement.not_action.as_ref().map(List::texts), Some(vec!["iam:*"]));
            assert_eq!(statement.tests_on("aws:multifactorauthpresent").count(), 1);
        });
        with_module(text, 1, |reader, resource| {
            let doc = reader.document(resource.body.and_then(|b| b.get("policy")).expect("policy"), resource);
            assert!(!doc.unknown);
            assert_eq!(doc.statements.len(), 2);
            assert_eq!(doc.statements[0].effect, Effect::Deny);
            let admin = &doc.statements[1];
            assert_eq!(admin.effect, Effect::Allow);
            assert_eq!(admin.principal.as_ref().map(Principal::everyone), Some(Truth::True));
            assert_eq!(admin.restricts(&["aws:PrincipalOrgID"], false), Truth::True);
            assert_eq!(admin.restricts(&["aws:SourceVpce"], false), Truth::False);
        });
        with_module(text, 4, |reader, resource| {
            let doc = reader.document(resource.body.and_then(|b| b.get("policy")).expect("policy"), resource);
            assert!(doc.unknown);
        });
    }

    /// What the Terraform evaluator makes of `jsonencode({...})`: the object as a tree, with
    /// the spans of the object literal.
    #[test]
    fn evaluated_jsonencode_tree() {
        let text = r#"resource "aws_iam_policy" "p" {
  policy = {
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["s3:GetObject", var.extra_action]
      Resource  = "*"
      Principal = { AWS = "*" }
      Condition = { StringEquals = { "aws:SourceVpce" = ["vpce-1", "*"] } }
    }]
  }
}
"#;
        with_module(text, 0, |reader, resource| {
            let doc = reader.document(resource.body.and_then(|b| b.get("policy")).expect("policy"), resource);
            assert!(!doc.unknown);
            let statement = &doc.statements[0];
            assert!(statement.located);
            let actions = statement.action.as_ref().expect("actions");
            assert_eq!(actions.texts(), ["s3:GetObject"]);
            assert_eq!(actions.any(|a| a == "*"), Truth::Unknown);
            assert_eq!(&text[actions.items[0].span.start..actions.items[0].span.end], "\"s3:GetObject\"");
            assert_eq!(everyone(statement).0, Truth::True);
            // One admitted value is `*`: the condition does not narrow.
            assert_eq!(statement.restricts(&["aws:SourceVpce"], false), Truth::False);
        });
    }

    #[test]
    fn operators() {
        assert_eq!(base_operator("ForAnyValue:StringLikeIfExists"), ("stringlike".to_string(), true));
        assert!(is_positive_match("StringEquals"));
        assert!(!is_positive_match("StringNotEquals"));
        assert_eq!(module_prefix("module.a.module.b.aws_iam_role.r"), "module.a.module.b.");
        assert_eq!(module_prefix("aws_iam_role.r"), "");
    }
}
