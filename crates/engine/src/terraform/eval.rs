//! The expression interpreter: an expression's source text is parsed again with `hcl-edit`
//! and its syntax tree interpreted. Names (`var.x`, `local.y`, `aws_s3_bucket.b.arn`) are
//! resolved by the module being evaluated, through [`Names`]; everything else (operators,
//! conditionals, templates, `for` expressions, splats, function calls) is here.
//!
//! What cannot be known statically is [`Val::Unknown`], carrying the text of the smallest
//! expression that stands for it. Recursion is bounded by [`MAX_EVAL_DEPTH`], shared by
//! nested expressions and the chains of references between locals, variables and
//! attributes: past it, a value is unknown.

use std::cell::Cell;
use std::rc::Rc;

use hcl_edit::Decorated;
use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};

use super::functions;
use super::value::{Fault, Outcome, Val, fault};

/// Deepest nesting of evaluation (expressions within expressions, and references followed).
pub(crate) const MAX_EVAL_DEPTH: usize = 96;

/// Start and end of the private-use markers that stand for unknown parts of a template
/// evaluated "with holes" (a policy document with interpolated ARNs).
const HOLE_OPEN: char = '\u{e000}';
const HOLE_CLOSE: char = '\u{e001}';

/// Work one evaluation may do (expressions evaluated, plus the size of values copied):
/// hostile configuration (locals doubling a list at each step, nested `for` over `range`)
/// must not make a lint run take unbounded time or memory. Past it, values are unknown.
pub(crate) const BUDGET: usize = 1_000_000;

/// The names an expression can refer to, other than the iterators of `for` expressions, and
/// the budget of work the evaluation shares.
pub(crate) trait Names {
    /// The value of a reference rooted at `root` (`var`, `local`, `module`, `data`, a resource
    /// type, ...). Anything it cannot know is unknown.
    fn resolve(&self, root: &str, ops: &[Decorated<TraversalOperator>], depth: usize) -> Resolved;

    /// Take `cost` from the budget: `false` when it is exhausted.
    fn spend(&self, cost: usize) -> bool;
}

/// What a name refers to.
pub(crate) struct Resolved {
    /// The value, shared with the cache it lives in: only the part the rest of the traversal
    /// selects is copied.
    pub(crate) value: Rc<Val>,
    /// How many of the traversal's operators the name took (`var.x`: one).
    pub(crate) consumed: usize,
    /// The value comes from another module instance (an output) or resource: its unknown
    /// parts are shown by the referring expression, not by the text they had there.
    pub(crate) foreign: bool,
}

impl Resolved {
    /// A value the name's operators fully consumed.
    pub(crate) fn new(value: Rc<Val>, consumed: usize) -> Self {
        Resolved { value, consumed, foreign: false }
    }

    /// An unknown value (the whole traversal's text will show it).
    pub(crate) fn unknown() -> Self {
        Resolved { value: Rc::new(Val::unknown()), consumed: 0, foreign: false }
    }
}

/// Take `cost` from a budget cell: `false` when it is exhausted.
pub(crate) fn spend(budget: &Cell<usize>, cost: usize) -> bool {
    let left = budget.get();
    budget.set(left.saturating_sub(cost));
    left >= cost
}

/// Names in a context without any (a `.tfvars` file): every reference is unknown.
pub(crate) struct NoNames {
    budget: Cell<usize>,
}

impl NoNames {
    /// A context with a fresh budget.
    pub(crate) fn new() -> Self {
        NoNames { budget: Cell::new(BUDGET) }
    }
}

impl Names for NoNames {
    fn resolve(&self, _: &str, _: &[Decorated<TraversalOperator>], _: usize) -> Resolved {
        Resolved::unknown()
    }

    fn spend(&self, cost: usize) -> bool {
        spend(&self.budget, cost)
    }
}

/// Evaluate the source text of an expression (`json`: the text is a `.tf.json` string, a
/// template). Text that does not parse, and faults, are unknown.
pub(crate) fn evaluate(names: &dyn Names, text: &str, json: bool, depth: usize) -> Val {
    // A heredoc must not be followed by a line ending; blanks around an expression are not
    // part of it.
    let text = if json { text } else { text.trim() };
    let mut interp = Interp { names, src: text, bound: Vec::new(), depth, holes: None };
    let outcome = if json {
        match hcl_edit::parser::parse_template(text) {
            Ok(template) => interp.template(&template),
            Err(_) => return Val::Unknown(text.to_string()),
        }
    } else {
        match parse_expr(text) {
            Some(expr) => interp.eval(&expr),
            None => return Val::Unknown(text.to_string()),
        }
    };
    match outcome {
        Ok(Val::Unknown(t)) if t.is_empty() => Val::Unknown(text.to_string()),
        Ok(value) => value,
        Err(_) => Val::Unknown(text.to_string()),
    }
}

/// Evaluate a string template (a quoted string or heredoc, or a `.tf.json` string) with its
/// unknown interpolations replaced by markers: the text, and the source text of each hole.
/// `None` when the expression is not a template or fails.
pub(crate) fn template_with_holes(
    names: &dyn Names,
    text: &str,
    json: bool,
    depth: usize,
) -> Option<(String, Vec<String>)> {
    let text = if json { text } else { text.trim() };
    let template = if json {
        hcl_edit::parser::parse_template(text).ok()?
    } else {
        match parse_expr(text)? {
            Expression::StringTemplate(t) => t.iter().cloned().collect(),
            Expression::HeredocTemplate(h) => h.template.clone(),
            _ => return None,
        }
    };
    let mut interp = Interp { names, src: text, bound: Vec::new(), depth, holes: Some(Vec::new()) };
    let mut out = String::new();
    interp.template_into(&template, &mut out).ok()?;
    Some((out, interp.holes.unwrap_or_default()))
}

/// Replace the hole markers of a string from [`template_with_holes`]: the string itself when
/// it has none, else an unknown whose text shows each hole as `${expression}`.
pub(crate) fn fill_holes(text: &str, holes: &[String]) -> Val {
    if !text.contains(HOLE_OPEN) {
        return Val::string(text);
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find(HOLE_OPEN) {
        out.push_str(rest.get(..open).unwrap_or(""));
        let after = rest.get(open + HOLE_OPEN.len_utf8()..).unwrap_or("");
        let Some(close) = after.find(HOLE_CLOSE) else { break };
        let index: Option<usize> = after.get(..close).and_then(|n| n.parse().ok());
        out.push_str("${");
        out.push_str(index.and_then(|i| holes.get(i)).map_or("", String::as_str));
        out.push('}');
        rest = after.get(close + HOLE_CLOSE.len_utf8()..).unwrap_or("");
    }
    out.push_str(rest);
    Val::Unknown(out)
}

fn parse_expr(text: &str) -> Option<Expression> {
    hcl_edit::parser::parse_expr(text).ok()
}

/// The interpreter of one expression's syntax tree.
pub(crate) struct Interp<'a> {
    names: &'a dyn Names,
    /// The source text the syntax tree was parsed from (its spans index it).
    src: &'a str,
    /// Iterator variables of enclosing `for` expressions and template `for` directives,
    /// innermost last.
    bound: Vec<(String, Val)>,
    /// Current depth (see [`MAX_EVAL_DEPTH`]).
    depth: usize,
    /// In "holes" mode, the texts of unknown interpolations.
    holes: Option<Vec<String>>,
}

impl Interp<'_> {
    /// The source text of a syntax element.
    fn text(&self, item: &impl hcl_edit::Span) -> String {
        item.span()
            .and_then(|range| self.src.get(range))
            .map_or_else(|| self.src.to_string(), |t| t.trim().to_string())
    }

    /// Evaluate an expression; an unknown it produced gets the expression's text.
    pub(crate) fn eval(&mut self, expr: &Expression) -> Outcome {
        if self.depth >= MAX_EVAL_DEPTH || !self.names.spend(1) {
            return Ok(Val::Unknown(self.text(expr)));
        }
        self.depth += 1;
        let outcome = self.eval_inner(expr);
        self.depth -= 1;
        match outcome {
            Ok(Val::Unknown(text)) if text.is_empty() => Ok(Val::Unknown(self.text(expr))),
            other => other,
        }
    }

    fn eval_inner(&mut self, expr: &Expression) -> Outcome {
        match expr {
            Expression::Null(_) => Ok(Val::Null),
            Expression::Bool(b) => Ok(Val::Bool(*b.value())),
            Expression::Number(n) => {
                let raw: String = self.text(expr).chars().filter(|c| !c.is_whitespace()).collect();
                Ok(Val::Number(if raw.is_empty() { n.value().to_string() } else { raw }))
            }
            Expression::String(s) => Ok(Val::string(s.value().as_str())),
            Expression::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    out.push(self.eval(item)?);
                }
                Ok(Val::List(out))
            }
            Expression::Object(object) => {
                let mut out: Vec<(String, Val)> = Vec::with_capacity(object.len());
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_string(),
                        ObjectKey::Expression(key_expr) => match self.eval(key_expr)?.to_text()? {
                            Some(text) => text,
                            None => return Ok(Val::unknown()),
                        },
                    };
                    let value = self.eval(value.expr())?;
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => out.push((key, value)),
                    }
                }
                Ok(Val::Map(out))
            }
            Expression::StringTemplate(t) => {
                let template: Template = t.iter().cloned().collect();
                self.template(&template)
            }
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(name) => self.reference(name.as_str(), &[]),
            Expression::Traversal(traversal) => match &traversal.expr {
                Expression::Variable(name) => self.reference(name.as_str(), &traversal.operators),
                base => {
                    let value = self.eval(base)?;
                    self.apply(value, &traversal.operators)
                }
            },
            Expression::FuncCall(call) => {
                if call.name.is_namespaced() {
                    // Provider-defined functions are unknown to us.
                    return Ok(Val::unknown());
                }
                let value = functions::call(
                    self,
                    call.name.name.as_str(),
                    &call.args.iter().collect::<Vec<_>>(),
                    call.args.expand_final(),
                )?;
                // What a function builds (a `range`, a `flatten`) is work too.
                Ok(if self.names.spend(value.weight(BUDGET)) { value } else { Val::unknown() })
            }
            Expression::Conditional(c) => {
                let condition = self.eval(&c.cond_expr)?;
                match condition.to_bool()? {
                    Some(true) => self.eval(&c.true_expr),
                    Some(false) => self.eval(&c.false_expr),
                    None => {
                        // Both branches agreeing makes the condition irrelevant.
                        let when_true = self.eval(&c.true_expr);
                        let when_false = self.eval(&c.false_expr);
                        match (when_true, when_false) {
                            (Ok(a), Ok(b)) if a.equals(&b) == Some(true) => Ok(a),
                            _ => Ok(Val::unknown()),
                        }
                    }
                }
            }
            Expression::UnaryOp(op) => {
                let operand = self.eval(&op.expr)?;
                match op.operator.value() {
                    UnaryOperator::Not => Ok(operand.to_bool()?.map_or_else(Val::unknown, |b| Val::Bool(!b))),
                    UnaryOperator::Neg => match operand {
                        Val::Unknown(_) => Ok(Val::unknown()),
                        other => match other.as_f64() {
                            Some(f) => Ok(Val::number(-f)),
                            None => fault("negating a non-number"),
                        },
                    },
                }
            }
            Expression::BinaryOp(op) => self.binary(*op.operator.value(), &op.lhs_expr, &op.rhs_expr),
            Expression::ForExpr(f) => self.for_expr(f),
        }
    }

    /// A name and the operators after it.
    fn reference(&mut self, root: &str, ops: &[Decorated<TraversalOperator>]) -> Outcome {
        if let Some((_, value)) = self.bound.iter().rev().find(|(name, _)| name == root) {
            let value = value.clone();
            return self.apply(value, ops);
        }
        let resolved = self.names.resolve(root, ops, self.depth + 1);
        let rest = ops.get(resolved.consumed..).unwrap_or(&[]);
        let value = self.apply_shared(&resolved.value, rest)?;
        Ok(if resolved.foreign { value.retext("") } else { value })
    }

    /// Apply traversal operators to a shared value, copying only what they select (a
    /// lookup in a large map of locals copies one entry).
    fn apply_shared(&mut self, value: &Val, ops: &[Decorated<TraversalOperator>]) -> Outcome {
        let mut current = value;
        for (i, op) in ops.iter().enumerate() {
            let next = match (op.value(), current) {
                (_, Val::Unknown(_)) => return Ok(Val::unknown()),
                (TraversalOperator::GetAttr(name), Val::Map(entries)) => {
                    entries.iter().find(|(k, _)| k == name.as_str()).map(|(_, v)| v)
                }
                (TraversalOperator::Index(key), Val::Map(entries)) => {
                    let Some(key) = self.eval(key)?.to_text()? else { return Ok(Val::unknown()) };
                    entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
                }
                (TraversalOperator::Index(key), Val::List(items)) => {
                    let key = self.eval(key)?;
                    if key.is_unknown() {
                        return Ok(Val::unknown());
                    }
                    key.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).and_then(|f| {
                        // Integral and non-negative, checked just above.
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let position = f as usize;
                        items.get(position)
                    })
                }
                (TraversalOperator::LegacyIndex(n), Val::List(items)) => {
                    usize::try_from(*n.value()).ok().and_then(|position| items.get(position))
                }
                // Splats and faults: the general path.
                _ => return self.apply(self.copy(current)?, ops.get(i..).unwrap_or(&[])),
            };
            match next {
                Some(next) => current = next,
                None => return fault("no such attribute, key or index"),
            }
        }
        self.copy(current)
    }

    /// Copy a value, paying for its size.
    fn copy(&self, value: &Val) -> Outcome {
        Ok(if self.names.spend(value.weight(BUDGET)) { value.clone() } else { Val::unknown() })
    }

    /// Apply traversal operators (attribute access, indexes, splats) to a value.
    fn apply(&mut self, mut value: Val, ops: &[Decorated<TraversalOperator>]) -> Outcome {
        for (i, op) in ops.iter().enumerate() {
            if value.is_unknown() {
                return Ok(Val::unknown());
            }
            value = match op.value() {
                TraversalOperator::GetAttr(name) => get_attr(value, name.as_str())?,
                TraversalOperator::Index(key) => {
                    let key = self.eval(key)?;
                    index(value, &key)?
                }
                TraversalOperator::LegacyIndex(n) => index(value, &Val::number(*n.value() as f64))?,
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let full = matches!(op.value(), TraversalOperator::FullSplat(_));
                    let rest = ops.get(i + 1..).unwrap_or(&[]);
                    // An attribute splat applies only the attribute accesses after it.
                    let per_item = if full {
                        rest.len()
                    } else {
                        rest.iter().take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_))).count()
                    };
                    let (each, after) = rest.split_at(per_item.min(rest.len()));
                    let items = match value {
                        Val::List(items) => items,
                        Val::Null => Vec::new(),
                        other => vec![other],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply(item, each)?);
                    }
                    return self.apply(Val::List(out), after);
                }
            };
        }
        Ok(value)
    }

    fn binary(&mut self, op: BinaryOperator, lhs: &Expression, rhs: &Expression) -> Outcome {
        let left = self.eval(lhs)?;
        // Logical operators decide from one known side.
        match op {
            BinaryOperator::And if left.to_bool()? == Some(false) => return Ok(Val::Bool(false)),
            BinaryOperator::Or if left.to_bool()? == Some(true) => return Ok(Val::Bool(true)),
            _ => {}
        }
        let right = self.eval(rhs)?;
        match op {
            BinaryOperator::And | BinaryOperator::Or => {
                let (l, r) = (left.to_bool()?, right.to_bool()?);
                let want = op == BinaryOperator::Or;
                Ok(match (l, r) {
                    (_, Some(b)) if b == want => Val::Bool(want),
                    (Some(a), Some(b)) => Val::Bool(if want { a || b } else { a && b }),
                    _ => Val::unknown(),
                })
            }
            BinaryOperator::Eq | BinaryOperator::NotEq => Ok(match left.equals(&right) {
                Some(same) => Val::Bool(same == (op == BinaryOperator::Eq)),
                None => Val::unknown(),
            }),
            _ => {
                if left.is_unknown() || right.is_unknown() {
                    return Ok(Val::unknown());
                }
                let (Some(a), Some(b)) = (left.as_f64(), right.as_f64()) else {
                    return fault(format!("`{}` needs numbers", op.as_str()));
                };
                Ok(match op {
                    BinaryOperator::Less => Val::Bool(a < b),
                    BinaryOperator::LessEq => Val::Bool(a <= b),
                    BinaryOperator::Greater => Val::Bool(a > b),
                    BinaryOperator::GreaterEq => Val::Bool(a >= b),
                    BinaryOperator::Plus => Val::number(a + b),
                    BinaryOperator::Minus => Val::number(a - b),
                    BinaryOperator::Mul => Val::number(a * b),
                    BinaryOperator::Div if b == 0.0 => return fault("division by zero"),
                    BinaryOperator::Div => Val::number(a / b),
                    BinaryOperator::Mod if b == 0.0 => return fault("modulo by zero"),
                    BinaryOperator::Mod => Val::number(a % b),
                    _ => Val::unknown(),
                })
            }
        }
    }

    fn for_expr(&mut self, f: &ForExpr) -> Outcome {
        let collection = self.eval(&f.intro.collection_expr)?;
        let pairs = match iteration(collection)? {
            Some(pairs) => pairs,
            None => return Ok(Val::unknown()),
        };
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_var = f.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut object: Vec<(String, Val)> = Vec::new();
        for (key, value) in pairs {
            let bound = self.bound.len();
            if let Some(name) = &key_var {
                self.bound.push((name.clone(), key));
            }
            self.bound.push((value_var.clone(), value));
            let step = self.for_step(f, &mut list, &mut object);
            self.bound.truncate(bound);
            match step? {
                Step::Continue => {}
                Step::Unknown => return Ok(Val::unknown()),
            }
        }
        Ok(if f.key_expr.is_some() { Val::Map(object) } else { Val::List(list) })
    }

    fn for_step(
        &mut self,
        f: &ForExpr,
        list: &mut Vec<Val>,
        object: &mut Vec<(String, Val)>,
    ) -> Result<Step, Fault> {
        if let Some(cond) = &f.cond {
            match self.eval(&cond.expr)?.to_bool()? {
                Some(true) => {}
                Some(false) => return Ok(Step::Continue),
                None => return Ok(Step::Unknown),
            }
        }
        let value = self.eval(&f.value_expr)?;
        match &f.key_expr {
            None => list.push(value),
            Some(key_expr) => {
                let Some(key) = self.eval(key_expr)?.to_text()? else { return Ok(Step::Unknown) };
                match object.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, Val::List(group))) if f.grouping => group.push(value),
                    Some(_) => return fault(format!("duplicate key `{key}` in a for expression")),
                    None if f.grouping => object.push((key, Val::List(vec![value]))),
                    None => object.push((key, value)),
                }
            }
        }
        Ok(Step::Continue)
    }

    /// A template's value: a lone interpolation keeps its value's type; anything else is a
    /// string.
    fn template(&mut self, template: &Template) -> Outcome {
        let elements: Vec<&Element> = template.iter().collect();
        if let [Element::Interpolation(only)] = elements.as_slice() {
            return self.eval(&only.expr);
        }
        let mut out = String::new();
        match self.template_into(template, &mut out) {
            Ok(true) if !self.names.spend(out.len() / 16) => Ok(Val::unknown()),
            Ok(true) => Ok(Val::String(out)),
            Ok(false) => Ok(Val::unknown()),
            Err(f) => Err(f),
        }
    }

    /// Render a template into `out`: `Ok(false)` when a part is unknown (in holes mode, the
    /// part becomes a marker instead).
    fn template_into(&mut self, template: &Template, out: &mut String) -> Result<bool, Fault> {
        let mut strip_next = false;
        for element in template.iter() {
            match element {
                Element::Literal(text) => {
                    let text = text.value().replace("\r\n", "\n");
                    out.push_str(if strip_next { text.trim_start() } else { &text });
                    strip_next = false;
                }
                Element::Interpolation(interp) => {
                    if interp.strip.strip_start() {
                        trim_end(out);
                    }
                    strip_next = interp.strip.strip_end();
                    let value = self.eval(&interp.expr)?;
                    match value.to_text()? {
                        Some(text) => out.push_str(&text),
                        None => {
                            let hole = self.text(&interp.expr);
                            let Some(holes) = &mut self.holes else { return Ok(false) };
                            out.push(HOLE_OPEN);
                            out.push_str(&holes.len().to_string());
                            out.push(HOLE_CLOSE);
                            holes.push(hole);
                        }
                    }
                }
                Element::Directive(directive) if matches!(**directive, Directive::If(_)) => {
                    let Directive::If(d) = &**directive else { continue };
                    if d.if_expr.strip.strip_start() {
                        trim_end(out);
                    }
                    let condition = self.eval(&d.if_expr.cond_expr)?;
                    let chosen = match condition.to_bool()? {
                        Some(true) => Some(&d.if_expr.template),
                        Some(false) => d.else_expr.as_ref().map(|e| &e.template),
                        None => return Ok(false),
                    };
                    if let Some(chosen) = chosen
                        && !self.template_into(chosen, out)?
                    {
                        return Ok(false);
                    }
                    strip_next = d.endif_expr.strip.strip_end();
                }
                Element::Directive(directive) => {
                    let Directive::For(d) = &**directive else { continue };
                    if d.for_expr.strip.strip_start() {
                        trim_end(out);
                    }
                    let collection = self.eval(&d.for_expr.collection_expr)?;
                    let Some(pairs) = iteration(collection)? else { return Ok(false) };
                    for (key, value) in pairs {
                        let bound = self.bound.len();
                        if let Some(name) = &d.for_expr.key_var {
                            self.bound.push((name.as_str().to_string(), key));
                        }
                        self.bound.push((d.for_expr.value_var.as_str().to_string(), value));
                        let rendered = self.template_into(&d.for_expr.template, out);
                        self.bound.truncate(bound);
                        if !rendered? {
                            return Ok(false);
                        }
                    }
                    strip_next = d.endfor_expr.strip.strip_end();
                }
            }
        }
        Ok(true)
    }

    /// Evaluate a function argument.
    pub(crate) fn arg(&mut self, expr: &Expression) -> Outcome {
        self.eval(expr)
    }
}

enum Step {
    Continue,
    Unknown,
}

fn trim_end(out: &mut String) {
    let kept = out.trim_end().len();
    out.truncate(kept);
}

/// The (key, value) pairs a `for` iterates: list items with their indexes, map entries by
/// key order. `None` when unknown.
pub(crate) fn iteration(collection: Val) -> Result<Option<Vec<(Val, Val)>>, Fault> {
    match collection {
        Val::Unknown(_) => Ok(None),
        Val::List(items) => {
            Ok(Some(items.into_iter().enumerate().map(|(i, v)| (Val::number(i as f64), v)).collect()))
        }
        Val::Map(mut entries) => {
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Some(entries.into_iter().map(|(k, v)| (Val::String(k), v)).collect()))
        }
        other => fault(format!("cannot iterate over a {}", other.type_name())),
    }
}

/// `value.name`.
pub(crate) fn get_attr(value: Val, name: &str) -> Outcome {
    match value {
        Val::Map(entries) => match entries.into_iter().find(|(k, _)| k == name) {
            Some((_, v)) => Ok(v),
            None => fault(format!("no attribute `{name}`")),
        },
        Val::Unknown(_) => Ok(Val::unknown()),
        other => fault(format!("a {} has no attributes", other.type_name())),
    }
}

/// `value[key]`.
pub(crate) fn index(value: Val, key: &Val) -> Outcome {
    match (value, key) {
        (Val::Unknown(_), _) | (_, Val::Unknown(_)) => Ok(Val::unknown()),
        (Val::List(items), key) => {
            let Some(i) = key.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0) else {
                return fault("a list index is a whole number");
            };
            // The index is integral and non-negative.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let position = i as usize;
            items.into_iter().nth(position).map_or_else(|| fault("index out of range"), Ok)
        }
        (Val::Map(entries), key) => {
            let Some(name) = key.to_text()? else { return Ok(Val::unknown()) };
            match entries.into_iter().find(|(k, _)| *k == name) {
                Some((_, v)) => Ok(v),
                None => fault(format!("no key `{name}`")),
            }
        }
        (other, _) => fault(format!("a {} cannot be indexed", other.type_name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names for tests: `var.*` from a table, everything else unknown.
    struct Vars(Vec<(&'static str, Val)>);

    impl Names for Vars {
        fn spend(&self, _: usize) -> bool {
            true
        }

        fn resolve(&self, root: &str, ops: &[Decorated<TraversalOperator>], _: usize) -> Resolved {
            if root == "var"
                && let Some(TraversalOperator::GetAttr(name)) = ops.first().map(|o| o.value())
                && let Some((_, v)) = self.0.iter().find(|(n, _)| *n == name.as_str())
            {
                return Resolved::new(Rc::new(v.clone()), 1);
            }
            Resolved::unknown()
        }
    }

    fn vars() -> Vars {
        Vars(vec![
            ("env", Val::string("prod")),
            ("on", Val::Bool(true)),
            ("n", Val::Number("3".into())),
            ("list", Val::List(vec![Val::string("a"), Val::string("b")])),
            (
                "rules",
                Val::List(vec![
                    Val::Map(vec![("port".into(), Val::Number("22".into()))]),
                    Val::Map(vec![("port".into(), Val::Number("443".into()))]),
                ]),
            ),
        ])
    }

    fn eval(text: &str) -> Val {
        evaluate(&vars(), text, false, 0)
    }

    fn s(text: &str) -> Val {
        Val::string(text)
    }

    #[test]
    fn literals_and_collections() {
        assert_eq!(eval("null"), Val::Null);
        assert_eq!(eval("1.5e3"), Val::Number("1.5e3".into()));
        assert_eq!(
            eval(r#"["a", 1, true]"#),
            Val::List(vec![s("a"), Val::Number("1".into()), Val::Bool(true)])
        );
        assert_eq!(
            eval(r#"{ a = "x", "b-c" = var.env, (var.env) = 1 }"#),
            Val::Map(vec![
                ("a".into(), s("x")),
                ("b-c".into(), s("prod")),
                ("prod".into(), Val::Number("1".into()))
            ])
        );
    }

    #[test]
    fn templates_interpolate_and_keep_lone_values() {
        assert_eq!(eval(r#""${var.env}-logs""#), s("prod-logs"));
        assert_eq!(eval(r#""${var.list}""#), eval("var.list"));
        assert_eq!(eval(r#""n=${var.n + 1} on=${var.on}""#), s("n=4 on=true"));
        assert_eq!(eval(r#""%{ if var.on }yes%{ else }no%{ endif }""#), s("yes"));
        assert_eq!(eval(r#""%{ for x in var.list }[${x}]%{ endfor }""#), s("[a][b]"));
        assert_eq!(eval(r#""a ${~ var.env ~} b""#), s("aprodb"));
        assert_eq!(eval("<<EOT\nenv: ${var.env}\nEOT"), s("env: prod\n"));
        assert_eq!(eval("<<-EOT\n    x ${var.env}\n    EOT\n"), s("x prod\n"));
        assert_eq!(eval("  <<EOT\nok\nEOT  "), s("ok\n"));
        assert_eq!(eval(r#""arn:${var.missing}/*""#), Val::Unknown(r#""arn:${var.missing}/*""#.into()));
        assert_eq!(evaluate(&vars(), "${var.env}-x", true, 0), s("prod-x"));
        assert_eq!(evaluate(&vars(), "${var.n}", true, 0), Val::Number("3".into()));
    }

    #[test]
    fn conditionals_with_known_and_unknown_conditions() {
        assert_eq!(eval(r#"var.env == "prod" ? "kms" : "aes""#), s("kms"));
        assert_eq!(eval(r#"var.on ? 1 : 0"#), Val::Number("1".into()));
        assert_eq!(eval(r#"var.missing ? "a" : "a""#), s("a"));
        assert_eq!(eval(r#"var.missing ? "a" : "b""#), Val::Unknown(r#"var.missing ? "a" : "b""#.into()));
        // The chosen branch keeps its own text when it is unknown.
        assert_eq!(eval("var.on ? aws_s3_bucket.b.id : null"), Val::Unknown("aws_s3_bucket.b.id".into()));
    }

    #[test]
    fn operators() {
        assert_eq!(eval("var.n * 2 - 1"), Val::Number("5".into()));
        assert_eq!(eval("7 % 4"), Val::Number("3".into()));
        assert_eq!(eval("1 / 4"), Val::Number("0.25".into()));
        assert_eq!(eval("var.n >= 3 && !false"), Val::Bool(true));
        assert_eq!(eval("false && var.missing"), Val::Bool(false));
        assert_eq!(eval("var.missing || true"), Val::Bool(true));
        assert_eq!(eval("var.missing && true"), Val::Unknown("var.missing && true".into()));
        assert_eq!(eval("-var.n"), Val::Number("-3".into()));
        assert_eq!(eval(r#"var.list == ["a", "b"]"#), Val::Bool(true));
        assert!(eval("1 / 0").is_unknown());
    }

    #[test]
    fn traversals_splats_and_for_expressions() {
        assert_eq!(eval("var.list[1]"), s("b"));
        assert_eq!(eval("var.rules[0].port"), Val::Number("22".into()));
        assert_eq!(eval("var.rules.1.port"), Val::Number("443".into()));
        assert_eq!(
            eval("var.rules[*].port"),
            Val::List(vec![Val::Number("22".into()), Val::Number("443".into())])
        );
        assert_eq!(eval("var.rules.*.port"), eval("var.rules[*].port"));
        assert_eq!(
            eval("[for r in var.rules : r.port if r.port > 100]"),
            Val::List(vec![Val::Number("443".into())])
        );
        assert_eq!(
            eval("{ for i, x in var.list : x => i }"),
            Val::Map(vec![("a".into(), Val::Number("0".into())), ("b".into(), Val::Number("1".into()))])
        );
        assert_eq!(
            eval(r#"{ for x in ["a", "b", "a"] : x => x... }"#),
            Val::Map(vec![
                ("a".into(), Val::List(vec![s("a"), s("a")])),
                ("b".into(), Val::List(vec![s("b")]))
            ])
        );
        assert_eq!(eval("[for x in var.missing : x]"), Val::Unknown("[for x in var.missing : x]".into()));
        assert_eq!(eval("var.missing.attr"), Val::Unknown("var.missing.attr".into()));
        assert!(eval("var.list[5]").is_unknown());
    }

    #[test]
    fn unparsable_text_is_unknown() {
        assert_eq!(eval("1 +"), Val::Unknown("1 +".into()));
        assert_eq!(
            eval("provider::aws::arn_parse(var.env)"),
            Val::Unknown("provider::aws::arn_parse(var.env)".into())
        );
    }

    #[test]
    fn templates_with_holes_mark_unknown_interpolations() {
        let text = "<<EOF\n{\"Resource\": \"${aws_s3_bucket.b.arn}/*\", \"Env\": \"${var.env}\"}\nEOF";
        let (rendered, holes) = template_with_holes(&vars(), text, false, 0).expect("template");
        assert_eq!(holes, ["aws_s3_bucket.b.arn"]);
        assert!(rendered.contains("\"Env\": \"prod\""));
        let resource = rendered.split('"').nth(3).expect("resource");
        assert_eq!(fill_holes(resource, &holes), Val::Unknown("${aws_s3_bucket.b.arn}/*".into()));
        assert_eq!(fill_holes("plain", &holes), s("plain"));
        assert!(template_with_holes(&vars(), "var.env", false, 0).is_none());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = format!("{}1{}", "(".repeat(60), ")".repeat(60));
        assert_eq!(eval(&deep), Val::Number("1".into()));
        // Deeper than the parser accepts: unknown, not a crash.
        let deeper = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(eval(&deeper).is_unknown());
    }
}
