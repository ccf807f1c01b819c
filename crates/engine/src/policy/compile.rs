//! Policy files (TOML) compiled into [`Policy`] values, with errors that point at the line.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::rule::{Binding, References, RuleMeta};
use crate::{Severity, Target};

use super::condition::{Annotation, Condition, Quantifier, Test};
use super::path::Path;
use super::predicate::{Literal, Options, Pattern, PortTest, Predicate};
use super::relation::{Direction, Via};
use super::{CompiledBinding, Policy, PolicyError};

type Table<'i> = DeTable<'i>;
type Result<T> = std::result::Result<T, Located>;
/// Strings of an array, each with its span.
type Items = Vec<(String, std::ops::Range<usize>)>;

/// An error with the byte range it is about.
pub(super) struct Located {
    pub message: String,
    pub span: Option<std::ops::Range<usize>>,
}

fn err<T>(message: impl Into<String>, span: std::ops::Range<usize>) -> Result<T> {
    Err(Located { message: message.into(), span: Some(span) })
}

/// Deepest nesting of conditions accepted.
const MAX_CONDITION_DEPTH: usize = 32;

const TOP_KEYS: [&str; 14] = [
    "id",
    "name",
    "title",
    "severity",
    "criteria",
    "message",
    "help",
    "description",
    "references",
    "binding",
    "target",
    "resources",
    "fail",
    "version",
];

/// When a policy's regexes are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Regexes {
    /// While compiling: a bad or oversized regex is a compile error.
    Now,
    /// On first use (see [`Pattern::deferred`]).
    OnFirstUse,
}

/// Compile one policy file.
pub fn compile(path: &str, text: &str) -> std::result::Result<Policy, PolicyError> {
    compile_inner(text, Regexes::Now).map_err(|e| PolicyError::new(path, text, e.message, e.span))
}

/// [`compile`] for a policy known to compile (the built-in pack, which its test suite
/// compiles with [`compile`]): its regexes are built the first time they are needed, so a
/// run pays only for the regexes of the rules its files reach.
pub fn compile_trusted(path: &str, text: &str) -> std::result::Result<Policy, PolicyError> {
    compile_inner(text, Regexes::OnFirstUse).map_err(|e| PolicyError::new(path, text, e.message, e.span))
}

fn compile_inner(text: &str, regexes: Regexes) -> Result<Policy> {
    let document =
        DeTable::parse(text).map_err(|e| Located { message: e.message().to_string(), span: e.span() })?;
    let whole = document.span();
    let table = document.get_ref();
    for (key, _) in table.iter() {
        if !TOP_KEYS.contains(&key.get_ref().as_ref()) {
            return err(format!("unknown key `{}`", key.get_ref()), key.span());
        }
    }
    let id = required_str(table, "id", &whole)?;
    if !valid_id(&id) {
        return err(
            format!("rule id `{id}` must look like `TL-AWS-029` or `ACME-S3-001` (letters, digits, dashes)"),
            span_of(table, "id", &whole),
        );
    }
    let name = required_str(table, "name", &whole)?;
    let title = required_str(table, "title", &whole)?;
    let severity_text = required_str(table, "severity", &whole)?;
    let severity = Severity::parse(&severity_text).ok_or_else(|| Located {
        message: format!("unknown severity `{severity_text}` (critical, high, medium or low)"),
        span: Some(span_of(table, "severity", &whole)),
    })?;
    let criteria = string_list(table, "criteria")?.unwrap_or_default();
    if criteria.is_empty() {
        return err("`criteria` must list at least one SOC 2 criterion (e.g. [\"CC6.1\"])", whole);
    }
    for (criterion, span) in &criteria {
        if !valid_criterion(criterion) {
            return err(
                format!(
                    "`{criterion}` is not a Trust Services Criterion (e.g. CC6.1, A1.2, C1.1, PI1.3, P4.2)"
                ),
                span.clone(),
            );
        }
    }
    let message = required_str(table, "message", &whole)?;
    check_template(&message, span_of(table, "message", &whole))?;
    let help = optional_str(table, "help")?.unwrap_or_default();
    let description = optional_str(table, "description")?.unwrap_or_default();
    let references = match table.get("references") {
        None => References::default(),
        Some(value) => references(value)?,
    };

    let mut bindings = Vec::new();
    match (table.get("binding"), table.get("target")) {
        (Some(_), Some(target)) => {
            return err(
                "write either `target`/`resources`/`fail` or `[[binding]]` tables, not both",
                target.span(),
            );
        }
        (Some(list), None) => {
            let DeValue::Array(items) = list.get_ref() else {
                return err("`binding` must be an array of tables (`[[binding]]`)", list.span());
            };
            for item in items {
                let DeValue::Table(binding) = item.get_ref() else {
                    return err("each `[[binding]]` must be a table", item.span());
                };
                for (key, _) in binding.iter() {
                    if !["target", "resources", "fail", "message"].contains(&key.get_ref().as_ref()) {
                        return err(format!("unknown key `{}` in `[[binding]]`", key.get_ref()), key.span());
                    }
                }
                bindings.push(binding_from(binding, &item.span(), regexes)?);
            }
        }
        (None, _) => bindings.push(binding_from(table, &whole, regexes)?),
    }
    if bindings.is_empty() {
        return err("a policy needs at least one binding", whole);
    }
    let meta = RuleMeta {
        id,
        name,
        title,
        severity,
        criteria: criteria.into_iter().map(|(c, _)| c).collect(),
        help,
        description,
        references,
        bindings: bindings
            .iter()
            .map(|b| Binding { target: b.target, resources: b.resources.clone() })
            .collect(),
    };
    Ok(Policy { meta, message, bindings })
}

fn binding_from(
    table: &Table<'_>,
    whole: &std::ops::Range<usize>,
    regexes: Regexes,
) -> Result<CompiledBinding> {
    let target_text = required_str(table, "target", whole)?;
    let target = Target::parse(&target_text).filter(|t| *t != Target::Text).ok_or_else(|| Located {
        message: format!(
            "unknown target `{target_text}` (terraform, cloudformation, kubernetes, compose, dockerfile, github-actions, dotenv)"
        ),
        span: Some(span_of(table, "target", whole)),
    })?;
    let resources: Vec<String> =
        string_list(table, "resources")?.unwrap_or_default().into_iter().map(|(r, _)| r).collect();
    if resources.is_empty() {
        return err(
            "`resources` must list the resource types judged (or [\"*\"])",
            span_of(table, "resources", whole),
        );
    }
    let Some(fail) = table.get("fail") else {
        return err("missing `fail`: the condition under which a resource violates the rule", whole.clone());
    };
    let DeValue::Table(fail_table) = fail.get_ref() else {
        return err("`fail` must be a table holding a condition", fail.span());
    };
    let fail = condition(fail_table, &fail.span(), 0, regexes)?;
    let message = optional_str(table, "message")?;
    if let Some(message) = &message {
        check_template(message, span_of(table, "message", whole))?;
    }
    Ok(CompiledBinding { target, resources, fail, message })
}

const CONDITION_KEYS: [&str; 40] = [
    "all",
    "any",
    "not",
    "path",
    "each",
    "where",
    "related",
    "references",
    "via",
    "by",
    "exists",
    "missing",
    "equals",
    "not_equals",
    "in",
    "not_in",
    "matches",
    "not_matches",
    "contains",
    "starts_with",
    "ends_with",
    "gt",
    "ge",
    "lt",
    "le",
    "is_true",
    "is_false",
    "public_cidr",
    "empty",
    "ports",
    "covers_any",
    "covers_all",
    "quantifier",
    "default",
    "ignore_case",
    "severity",
    "message",
    "at",
    "present",
    "not_empty",
];

const TESTS: [&str; 21] = [
    "missing",
    "exists",
    "equals",
    "not_equals",
    "in",
    "not_in",
    "matches",
    "not_matches",
    "contains",
    "starts_with",
    "ends_with",
    "gt",
    "ge",
    "lt",
    "le",
    "is_true",
    "is_false",
    "public_cidr",
    "empty",
    "not_empty",
    "covers_any",
];

fn condition(
    table: &Table<'_>,
    span: &std::ops::Range<usize>,
    depth: usize,
    regexes: Regexes,
) -> Result<Condition> {
    if depth > MAX_CONDITION_DEPTH {
        return err(format!("conditions nest deeper than {MAX_CONDITION_DEPTH} levels"), span.clone());
    }
    for (key, _) in table.iter() {
        let k = key.get_ref().as_ref();
        if !CONDITION_KEYS.contains(&k) || k == "present" {
            return err(format!("unknown key `{k}` in a condition{}", suggestion(k)), key.span());
        }
    }
    let annotation = annotation(table)?;
    let has = |k: &str| table.get(k).is_some();
    let shapes =
        ["all", "any", "not", "path", "each", "related", "references"].iter().filter(|k| has(k)).count();
    if shapes != 1 {
        return err(
            "a condition is exactly one of: `all`, `any`, `not`, `path` with a test, `each` with `where`, `related`/`references`",
            span.clone(),
        );
    }
    if let Some(list) = table.get("all").or_else(|| table.get("any")) {
        let DeValue::Array(items) = list.get_ref() else {
            return err("`all`/`any` take an array of conditions", list.span());
        };
        let mut parts = Vec::new();
        for item in items {
            let DeValue::Table(t) = item.get_ref() else {
                return err("each part must be an inline table `{ ... }`", item.span());
            };
            parts.push(condition(t, &item.span(), depth + 1, regexes)?);
        }
        return Ok(if has("all") {
            Condition::All(parts, annotation)
        } else {
            Condition::Any(parts, annotation)
        });
    }
    if let Some(inner) = table.get("not") {
        let DeValue::Table(t) = inner.get_ref() else {
            return err("`not` takes one condition table", inner.span());
        };
        return Ok(Condition::Not(Box::new(condition(t, &inner.span(), depth + 1, regexes)?), annotation));
    }
    if let Some(each) = table.get("each") {
        let path = path_value(each)?;
        let Some(inner) = table.get("where") else {
            return err("`each` needs `where`: the condition on one element", each.span());
        };
        let DeValue::Table(t) = inner.get_ref() else {
            return err("`where` takes one condition table", inner.span());
        };
        return Ok(Condition::Each {
            path,
            condition: Box::new(condition(t, &inner.span(), depth + 1, regexes)?),
            annotation,
        });
    }
    if let Some(kinds_value) = table.get("related").or_else(|| table.get("references")) {
        let direction = if has("related") { Direction::Incoming } else { Direction::Outgoing };
        let key = if has("related") { "related" } else { "references" };
        let kinds: Vec<String> =
            string_list(table, key)?.unwrap_or_default().into_iter().map(|(k, _)| k).collect();
        if kinds.is_empty() {
            return err(format!("`{key}` lists the related resource types"), kinds_value.span());
        }
        let via = match table.get("via") {
            None => Via::Scope,
            Some(v) => match v.get_ref().as_str() {
                Some("@selector") => Via::Selector,
                Some("@scale-target") => Via::ScaleTarget,
                Some(_) => {
                    let by = match string_list(table, "by")? {
                        Some(list) => list
                            .into_iter()
                            .map(|(p, s)| Path::parse(&p).map_err(|m| Located { message: m, span: Some(s) }))
                            .collect::<Result<Vec<_>>>()?,
                        None => Vec::new(),
                    };
                    Via::Attribute { path: path_value(v)?, by }
                }
                None => return err("`via` is a path or `@selector` / `@scale-target`", v.span()),
            },
        };
        let condition_inner = match table.get("where") {
            None => None,
            Some(inner) => {
                let DeValue::Table(t) = inner.get_ref() else {
                    return err("`where` takes one condition table", inner.span());
                };
                Some(Box::new(condition(t, &inner.span(), depth + 1, regexes)?))
            }
        };
        let exists = match table.get("exists") {
            None => true,
            Some(v) => v.get_ref().as_bool().ok_or_else(|| Located {
                message: "`exists` is true or false".into(),
                span: Some(v.span()),
            })?,
        };
        return Ok(Condition::Related {
            direction,
            kinds,
            via,
            condition: condition_inner,
            exists,
            annotation,
        });
    }
    // A leaf: `path` and exactly one test.
    let Some(path_spanned) = table.get("path") else {
        return err("missing `path`", span.clone());
    };
    let path = path_value(path_spanned)?;
    let tests: Vec<&str> = TESTS.iter().copied().chain(["ports", "covers_all"]).filter(|k| has(k)).collect();
    let test_names: Vec<&str> = tests.iter().copied().filter(|k| *k != "ports").collect();
    if test_names.len() != 1 || (has("ports") && !(has("covers_any") || has("covers_all"))) {
        return err(
            format!(
                "a `path` condition needs exactly one test (missing, exists, equals, in, matches, ...); found {}",
                test_names.len()
            ),
            span.clone(),
        );
    }
    let test_key = test_names[0];
    let Some(value) = table.get(test_key) else { return err("missing test", span.clone()) };
    let options = Options { ignore_case: flag(table, "ignore_case")?.unwrap_or(false) };
    let test = leaf_test(table, test_key, value, regexes)?;
    let quantifier = match optional_str(table, "quantifier")?.as_deref() {
        None | Some("any") => Quantifier::Any,
        Some("all") => Quantifier::All,
        Some(other) => {
            return err(
                format!("unknown quantifier `{other}` (any or all)"),
                span_of(table, "quantifier", span),
            );
        }
    };
    let default = match table.get("default") {
        None => None,
        Some(v) => Some(literal(v)?),
    };
    Ok(Condition::Leaf { path, test, quantifier, default, options, annotation })
}

fn leaf_test(table: &Table<'_>, key: &str, value: &Spanned<DeValue<'_>>, regexes: Regexes) -> Result<Test> {
    let boolean = |v: &Spanned<DeValue<'_>>| -> Result<bool> {
        v.get_ref()
            .as_bool()
            .ok_or_else(|| Located { message: format!("`{key}` takes true or false"), span: Some(v.span()) })
    };
    let number = |v: &Spanned<DeValue<'_>>| -> Result<f64> {
        match literal(v)? {
            Literal::Num(n) => Ok(n),
            _ => err(format!("`{key}` takes a number"), v.span()),
        }
    };
    let text = |v: &Spanned<DeValue<'_>>| -> Result<String> {
        v.get_ref()
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Located { message: format!("`{key}` takes a string"), span: Some(v.span()) })
    };
    let flag_test = |v: &Spanned<DeValue<'_>>, yes: Predicate| -> Result<Test> {
        if boolean(v)? {
            Ok(Test::Value(yes))
        } else {
            err(format!("write `{key} = true` (negate with `not`)"), v.span())
        }
    };
    Ok(match key {
        "missing" => Test::Missing(boolean(value)?),
        "exists" => Test::Missing(!boolean(value)?),
        "equals" => Test::Value(Predicate::Equals(literal(value)?)),
        "not_equals" => Test::Value(Predicate::NotEquals(literal(value)?)),
        "in" => Test::Value(Predicate::In(literal_list(value)?)),
        "not_in" => Test::Value(Predicate::NotIn(literal_list(value)?)),
        "matches" => Test::Value(Predicate::Matches(regex(value, regexes)?)),
        "not_matches" => Test::Value(Predicate::NotMatches(regex(value, regexes)?)),
        "contains" => Test::Value(Predicate::Contains(literal(value)?)),
        "starts_with" => Test::Value(Predicate::StartsWith(text(value)?)),
        "ends_with" => Test::Value(Predicate::EndsWith(text(value)?)),
        "gt" => Test::Value(Predicate::Gt(number(value)?)),
        "ge" => Test::Value(Predicate::Ge(number(value)?)),
        "lt" => Test::Value(Predicate::Lt(number(value)?)),
        "le" => Test::Value(Predicate::Le(number(value)?)),
        "is_true" => flag_test(value, Predicate::IsTrue)?,
        "is_false" => flag_test(value, Predicate::IsFalse)?,
        "public_cidr" => flag_test(value, Predicate::PublicCidr)?,
        "empty" => flag_test(value, Predicate::Empty)?,
        "not_empty" => flag_test(value, Predicate::NotEmpty)?,
        "covers_any" | "covers_all" => {
            let Some(ports) = table.get("ports") else {
                return err(
                    format!("`{key}` needs `ports = {{ from = \"...\", to = \"...\" }}`"),
                    value.span(),
                );
            };
            let DeValue::Table(ports_table) = ports.get_ref() else {
                return err(
                    "`ports` is a table: { from = \"from_port\", to = \"to_port\", protocol = \"protocol\" }",
                    ports.span(),
                );
            };
            for (k, _) in ports_table.iter() {
                if !["from", "to", "protocol"].contains(&k.get_ref().as_ref()) {
                    return err(format!("unknown key `{}` in `ports`", k.get_ref()), k.span());
                }
            }
            let get_path =
                |name: &str| -> Result<Option<Path>> { ports_table.get(name).map(path_value).transpose() };
            let (Some(from), Some(to)) = (get_path("from")?, get_path("to")?) else {
                return err("`ports` needs `from` and `to` paths", ports.span());
            };
            let test = if key == "covers_all" {
                if !boolean(value)? {
                    return err("write `covers_all = true` (negate with `not`)", value.span());
                }
                PortTest::CoversAll
            } else {
                let ports_list = literal_list(value)?
                    .into_iter()
                    .map(|l| match l {
                        Literal::Num(n) if (0.0..=65535.0).contains(&n) => Ok(n as u32),
                        _ => err("`covers_any` lists port numbers", value.span()),
                    })
                    .collect::<Result<Vec<u32>>>()?;
                PortTest::CoversAny(ports_list)
            };
            Test::Ports { from, to, protocol: get_path("protocol")?, test }
        }
        other => return err(format!("unknown test `{other}`"), value.span()),
    })
}

fn annotation(table: &Table<'_>) -> Result<Annotation> {
    let severity = match table.get("severity") {
        None => None,
        Some(v) => {
            let text = v.get_ref().as_str().unwrap_or_default();
            Some(Severity::parse(text).ok_or_else(|| Located {
                message: format!("unknown severity `{text}` (critical, high, medium or low)"),
                span: Some(v.span()),
            })?)
        }
    };
    let message = optional_str(table, "message")?;
    if let (Some(m), Some(v)) = (&message, table.get("message")) {
        check_template(m, v.span())?;
    }
    let at = table.get("at").map(path_value).transpose()?;
    Ok(Annotation { severity, message, at })
}

fn path_value(value: &Spanned<DeValue<'_>>) -> Result<Path> {
    let Some(text) = value.get_ref().as_str() else {
        return err("a path is a string such as \"ingress[*].cidr_blocks\"", value.span());
    };
    Path::parse(text).map_err(|m| Located { message: m, span: Some(value.span()) })
}

fn regex(value: &Spanned<DeValue<'_>>, regexes: Regexes) -> Result<Pattern> {
    let Some(pattern) = value.get_ref().as_str() else {
        return err("a regex is a string", value.span());
    };
    match regexes {
        Regexes::OnFirstUse => Ok(Pattern::deferred(pattern)),
        Regexes::Now => Pattern::new(pattern)
            .map_err(|e| Located { message: format!("bad regex: {e}"), span: Some(value.span()) }),
    }
}

fn literal(value: &Spanned<DeValue<'_>>) -> Result<Literal> {
    match value.get_ref() {
        DeValue::String(s) => Ok(Literal::Str(s.to_string())),
        DeValue::Boolean(b) => Ok(Literal::Bool(*b)),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map(|n| Literal::Num(n as f64))
            .map_err(|_| Located { message: "integer out of range".into(), span: Some(value.span()) }),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .map(Literal::Num)
            .map_err(|_| Located { message: "bad number".into(), span: Some(value.span()) }),
        _ => err("a value here is a string, number or boolean", value.span()),
    }
}

fn literal_list(value: &Spanned<DeValue<'_>>) -> Result<Vec<Literal>> {
    let DeValue::Array(items) = value.get_ref() else {
        return err("expected an array of values", value.span());
    };
    items.iter().map(literal).collect()
}

fn flag(table: &Table<'_>, key: &str) -> Result<Option<bool>> {
    match table.get(key) {
        None => Ok(None),
        Some(v) => v
            .get_ref()
            .as_bool()
            .map(Some)
            .ok_or_else(|| Located { message: format!("`{key}` takes true or false"), span: Some(v.span()) }),
    }
}

fn span_of(table: &Table<'_>, key: &str, fallback: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    table.get(key).map_or_else(|| fallback.clone(), Spanned::span)
}

fn required_str(table: &Table<'_>, key: &str, whole: &std::ops::Range<usize>) -> Result<String> {
    match optional_str(table, key)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        Some(_) => err(format!("`{key}` must not be empty"), span_of(table, key, whole)),
        None => err(format!("missing `{key}`"), whole.start..whole.start),
    }
}

fn optional_str(table: &Table<'_>, key: &str) -> Result<Option<String>> {
    match table.get(key) {
        None => Ok(None),
        Some(v) => v
            .get_ref()
            .as_str()
            .map(|s| Some(s.to_string()))
            .ok_or_else(|| Located { message: format!("`{key}` must be a string"), span: Some(v.span()) }),
    }
}

fn string_list(table: &Table<'_>, key: &str) -> Result<Option<Items>> {
    let Some(value) = table.get(key) else { return Ok(None) };
    let DeValue::Array(items) = value.get_ref() else {
        return err(format!("`{key}` must be an array of strings"), value.span());
    };
    items
        .iter()
        .map(|item| {
            item.get_ref().as_str().map(|s| (s.to_string(), item.span())).ok_or_else(|| Located {
                message: format!("`{key}` must be an array of strings"),
                span: Some(item.span()),
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

fn references(value: &Spanned<DeValue<'_>>) -> Result<References> {
    let DeValue::Table(table) = value.get_ref() else {
        return err(
            "`references` is a table: { checkov = [...], kics = [...], trivy = [...] }",
            value.span(),
        );
    };
    let mut refs = References::default();
    for (key, _) in table.iter() {
        let list: Vec<String> =
            string_list(table, key.get_ref())?.unwrap_or_default().into_iter().map(|(s, _)| s).collect();
        match key.get_ref().as_ref() {
            "checkov" => refs.checkov = list,
            "kics" => refs.kics = list,
            "trivy" => refs.trivy = list,
            "other" => refs.other = list,
            other => {
                return err(
                    format!("unknown tool `{other}` in `references` (checkov, kics, trivy, other)"),
                    key.span(),
                );
            }
        }
    }
    Ok(refs)
}

fn check_template(message: &str, span: std::ops::Range<usize>) -> Result<()> {
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return err(
                "unclosed `{` in message (placeholders: {address}, {name}, {kind}, {value}, {item})",
                span,
            );
        };
        let name = &after[..close];
        if !["address", "name", "kind", "value", "item"].contains(&name) {
            return err(
                format!(
                    "unknown placeholder `{{{name}}}` (known: {{address}}, {{name}}, {{kind}}, {{value}}, {{item}})"
                ),
                span,
            );
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

fn suggestion(key: &str) -> &'static str {
    match key {
        "equal" | "eq" | "is" => " (did you mean `equals`?)",
        "not" | "neq" | "not_equal" => " (did you mean `not_equals`?)",
        "regex" | "match" => " (did you mean `matches`?)",
        "present" => " (did you mean `exists = true`?)",
        "absent" => " (did you mean `missing = true`?)",
        "for_each" | "every" => " (did you mean `each`?)",
        _ => "",
    }
}

fn valid_id(id: &str) -> bool {
    let mut parts = id.split('-');
    let first = parts.next().unwrap_or_default();
    !first.is_empty()
        && id.contains('-')
        && id
            .split('-')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
}

fn valid_criterion(criterion: &str) -> bool {
    let (family, number) = match criterion.find(|c: char| c.is_ascii_digit()) {
        Some(i) => criterion.split_at(i),
        None => return false,
    };
    let Some((major, minor)) = number.split_once('.') else { return false };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    ["CC", "A", "C", "PI", "P"].contains(&family) && digits(major) && digits(minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_criteria() {
        assert!(valid_id("TL-AWS-029"));
        assert!(valid_id("ACME-S3-001"));
        assert!(!valid_id("tl-aws-029"));
        assert!(!valid_id("NODASH"));
        assert!(!valid_id("TL--1"));
        assert!(valid_criterion("CC6.1"));
        assert!(valid_criterion("PI1.3"));
        assert!(valid_criterion("A1.2"));
        assert!(!valid_criterion("CC6"));
        assert!(!valid_criterion("X1.1"));
    }
}
