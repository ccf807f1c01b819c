//! Terraform's built-in functions that matter to static evaluation: encoding, collections,
//! strings, numbers and type conversions. A function this module does not know (`file`,
//! `timestamp`, `cidrsubnet`, ...) returns an unknown value; so does a known function given
//! an unknown argument it needs.

use std::collections::HashSet;

use hcl_edit::expr::Expression;

use super::eval::Interp;
use super::value::{Fault, Outcome, Val, fault, format_number, from_json, to_json};

/// Most elements `range` builds before its result is treated as unknown.
const MAX_RANGE: usize = 1024;
/// Widest field `format` pads to.
const MAX_FORMAT_WIDTH: usize = 4096;

/// Call `name` with its argument expressions (`expand_final`: the last argument was written
/// `list...`).
pub(crate) fn call(cx: &mut Interp<'_>, name: &str, args: &[&Expression], expand_final: bool) -> Outcome {
    match name {
        // These two look at faults, so their arguments are evaluated one by one.
        "try" => {
            for arg in args {
                if let Ok(value) = cx.arg(arg) {
                    return Ok(value);
                }
            }
            return fault("no argument of try() could be evaluated");
        }
        "can" => {
            let [arg] = args else { return fault("can() takes one argument") };
            return Ok(match cx.arg(arg) {
                Ok(Val::Unknown(_)) => Val::unknown(),
                Ok(_) => Val::Bool(true),
                Err(_) => Val::Bool(false),
            });
        }
        _ => {}
    }
    let mut values = Vec::with_capacity(args.len());
    for arg in args {
        values.push(cx.arg(arg)?);
    }
    if expand_final {
        match values.pop() {
            Some(Val::List(items)) => values.extend(items),
            Some(Val::Unknown(_)) => return Ok(Val::unknown()),
            Some(other) => return fault(format!("cannot expand a {}", other.type_name())),
            None => {}
        }
    }
    builtin(name, values)
}

/// A function applied to evaluated arguments.
fn builtin(name: &str, args: Vec<Val>) -> Outcome {
    match name {
        // Encoding.
        "jsonencode" => one(args).map(|v| Val::Json(Box::new(v))),
        "jsondecode" => match one(args)? {
            Val::Json(inner) => Ok(*inner),
            Val::String(text) => from_json(&text).map_or_else(|| fault("jsondecode: not JSON"), Ok),
            Val::Unknown(_) => Ok(Val::unknown()),
            other => fault(format!("jsondecode of a {}", other.type_name())),
        },
        // Marks that do not change the value.
        "sensitive" | "nonsensitive" => one(args),

        // Collections.
        "length" => match one(args)? {
            Val::List(items) => Ok(count(items.len())),
            Val::Map(entries) => Ok(count(entries.len())),
            Val::Unknown(_) => Ok(Val::unknown()),
            text => match text.to_text()? {
                Some(t) => Ok(count(t.chars().count())),
                None => Ok(Val::unknown()),
            },
        },
        "concat" => {
            let mut out = Vec::new();
            for arg in args {
                match arg {
                    Val::List(items) => out.extend(items),
                    Val::Unknown(_) => return Ok(Val::unknown()),
                    other => return fault(format!("concat of a {}", other.type_name())),
                }
            }
            Ok(Val::List(out))
        }
        "merge" => {
            let mut out: Vec<(String, Val)> = Vec::new();
            for arg in args {
                match arg {
                    Val::Map(entries) => {
                        for (key, value) in entries {
                            match out.iter_mut().find(|(k, _)| *k == key) {
                                Some(slot) => slot.1 = value,
                                None => out.push((key, value)),
                            }
                        }
                    }
                    Val::Null => {}
                    Val::Unknown(_) => return Ok(Val::unknown()),
                    other => return fault(format!("merge of a {}", other.type_name())),
                }
            }
            Ok(Val::Map(out))
        }
        "lookup" => {
            let mut args = args.into_iter();
            let (Some(map), Some(key)) = (args.next(), args.next()) else {
                return fault("lookup() takes a map and a key");
            };
            let default = args.next();
            let Some(key) = key.to_text()? else { return Ok(Val::unknown()) };
            match map {
                Val::Map(entries) => match entries.into_iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => Ok(v),
                    None => default.map_or_else(|| fault(format!("lookup: no key `{key}`")), Ok),
                },
                Val::Unknown(_) => Ok(Val::unknown()),
                other => fault(format!("lookup in a {}", other.type_name())),
            }
        }
        "contains" => {
            let [list, wanted] = two(args)?;
            let items = match list {
                Val::List(items) => items,
                Val::Unknown(_) => return Ok(Val::unknown()),
                other => return fault(format!("contains in a {}", other.type_name())),
            };
            let mut unknown = false;
            for item in &items {
                match item.equals(&wanted) {
                    Some(true) => return Ok(Val::Bool(true)),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            Ok(if unknown { Val::unknown() } else { Val::Bool(false) })
        }
        "element" => {
            let [list, at] = two(args)?;
            let (items, at) = match (list, at.as_f64()) {
                (Val::Unknown(_), _) | (_, None) if at.is_unknown() => return Ok(Val::unknown()),
                (Val::Unknown(_), _) => return Ok(Val::unknown()),
                (Val::List(items), Some(at)) => (items, at),
                _ => return fault("element() takes a list and a number"),
            };
            if items.is_empty() || at < 0.0 || at.fract() != 0.0 {
                return fault("element(): empty list or bad index");
            }
            // Non-negative and integral, checked above.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let position = (at as usize) % items.len();
            items.into_iter().nth(position).map_or_else(|| fault("element(): index"), Ok)
        }
        "index" => {
            let [list, wanted] = two(args)?;
            let Val::List(items) = list else { return unknown_or_fault(&list, "index() takes a list") };
            for (i, item) in items.iter().enumerate() {
                match item.equals(&wanted) {
                    Some(true) => return Ok(count(i)),
                    None => return Ok(Val::unknown()),
                    Some(false) => {}
                }
            }
            fault("index(): not found")
        }
        "keys" | "values" => match one(args)? {
            Val::Map(mut entries) => {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Ok(Val::List(if name == "keys" {
                    entries.into_iter().map(|(k, _)| Val::String(k)).collect()
                } else {
                    entries.into_iter().map(|(_, v)| v).collect()
                }))
            }
            other => unknown_or_fault(&other, "keys()/values() take a map"),
        },
        "flatten" => {
            let list = one(args)?;
            let mut out = Vec::new();
            match flatten(list, &mut out, 0) {
                Some(()) => Ok(Val::List(out)),
                None => Ok(Val::unknown()),
            }
        }
        "distinct" => {
            let Val::List(items) = one(args)? else { return Ok(Val::unknown()) };
            let mut out: Vec<Val> = Vec::new();
            for item in items {
                let mut seen = false;
                for kept in &out {
                    match kept.equals(&item) {
                        Some(true) => seen = true,
                        None => return Ok(Val::unknown()),
                        Some(false) => {}
                    }
                }
                if !seen {
                    out.push(item);
                }
            }
            Ok(Val::List(out))
        }
        "compact" => {
            let Val::List(items) = one(args)? else { return Ok(Val::unknown()) };
            let mut out = Vec::new();
            for item in items {
                match item {
                    Val::Null => {}
                    Val::String(s) if s.is_empty() => {}
                    Val::Unknown(_) => return Ok(Val::unknown()),
                    other => out.push(other),
                }
            }
            Ok(Val::List(out))
        }
        "coalesce" => {
            for arg in args {
                match arg {
                    Val::Unknown(_) => return Ok(Val::unknown()),
                    Val::Null => {}
                    Val::String(s) if s.is_empty() => {}
                    other => return Ok(other),
                }
            }
            fault("coalesce(): no non-null argument")
        }
        "coalescelist" => {
            for arg in args {
                match arg {
                    Val::Unknown(_) => return Ok(Val::unknown()),
                    Val::List(items) if items.is_empty() => {}
                    Val::List(items) => return Ok(Val::List(items)),
                    other => return fault(format!("coalescelist of a {}", other.type_name())),
                }
            }
            fault("coalescelist(): every list is empty")
        }
        "one" => match one(args)? {
            Val::List(items) if items.is_empty() => Ok(Val::Null),
            Val::List(items) if items.len() == 1 => Ok(items.into_iter().next().unwrap_or(Val::Null)),
            other => unknown_or_fault(&other, "one(): more than one element"),
        },
        "reverse" => match one(args)? {
            Val::List(mut items) => {
                items.reverse();
                Ok(Val::List(items))
            }
            other => unknown_or_fault(&other, "reverse() takes a list"),
        },
        "sort" => match one(args)? {
            Val::List(items) => {
                let mut texts = Vec::with_capacity(items.len());
                for item in &items {
                    match item.to_text()? {
                        Some(t) => texts.push(t),
                        None => return Ok(Val::unknown()),
                    }
                }
                texts.sort();
                Ok(Val::List(texts.into_iter().map(Val::String).collect()))
            }
            other => unknown_or_fault(&other, "sort() takes a list"),
        },
        "slice" => {
            let mut args = args.into_iter();
            let (Some(list), Some(start), Some(end)) = (args.next(), args.next(), args.next()) else {
                return fault("slice() takes a list, a start and an end");
            };
            let Val::List(items) = list else { return unknown_or_fault(&list, "slice() takes a list") };
            let (Some(from), Some(to)) = (whole(&start), whole(&end)) else { return Ok(Val::unknown()) };
            match items.get(from..to) {
                Some(part) => Ok(Val::List(part.to_vec())),
                None => fault("slice(): out of range"),
            }
        }
        "range" => {
            let mut numbers = Vec::with_capacity(args.len());
            for arg in &args {
                match arg.as_f64() {
                    Some(n) => numbers.push(n),
                    None => return unknown_or_fault(arg, "range() takes numbers"),
                }
            }
            let (start, end, step) = match numbers.as_slice() {
                [end] => (0.0, *end, 1.0),
                [start, end] => (*start, *end, if start <= end { 1.0 } else { -1.0 }),
                [start, end, step] => (*start, *end, *step),
                _ => return fault("range() takes one to three numbers"),
            };
            if step == 0.0 {
                return fault("range(): step zero");
            }
            let mut out = Vec::new();
            let mut at = start;
            while (step > 0.0 && at < end) || (step < 0.0 && at > end) {
                if out.len() >= MAX_RANGE {
                    return Ok(Val::unknown());
                }
                out.push(Val::number(at));
                at += step;
            }
            Ok(Val::List(out))
        }
        "zipmap" => {
            let [keys, values] = two(args)?;
            match (keys, values) {
                (Val::List(keys), Val::List(values)) if keys.len() == values.len() => {
                    let mut out = Vec::with_capacity(keys.len());
                    for (key, value) in keys.into_iter().zip(values) {
                        match key.to_text()? {
                            Some(k) => out.push((k, value)),
                            None => return Ok(Val::unknown()),
                        }
                    }
                    Ok(Val::Map(out))
                }
                (Val::List(_), Val::List(_)) => fault("zipmap(): lengths differ"),
                _ => Ok(Val::unknown()),
            }
        }
        "alltrue" | "anytrue" => {
            let Val::List(items) = one(args)? else { return Ok(Val::unknown()) };
            let all = name == "alltrue";
            let mut unknown = false;
            for item in items {
                match item.to_bool()? {
                    Some(b) if b != all => return Ok(Val::Bool(!all)),
                    None => unknown = true,
                    Some(_) => {}
                }
            }
            Ok(if unknown { Val::unknown() } else { Val::Bool(all) })
        }

        // Type conversions.
        "tostring" => match one(args)? {
            Val::Null => Ok(Val::Null),
            other => Ok(other.to_text()?.map_or_else(Val::unknown, Val::String)),
        },
        "tonumber" => match one(args)? {
            Val::Null => Ok(Val::Null),
            Val::Unknown(_) => Ok(Val::unknown()),
            other => match other.as_f64() {
                Some(n) if matches!(other, Val::Number(_)) => Ok(Val::Number(format_number(n))),
                Some(n) => Ok(Val::number(n)),
                None => fault("tonumber(): not a number"),
            },
        },
        "tobool" => match one(args)? {
            Val::Null => Ok(Val::Null),
            other => Ok(other.to_bool()?.map_or_else(Val::unknown, Val::Bool)),
        },
        "tolist" | "toset" => match one(args)? {
            Val::List(items) if name == "toset" => builtin("distinct", vec![Val::List(items)]),
            Val::List(items) => Ok(Val::List(items)),
            Val::Null => Ok(Val::Null),
            other => unknown_or_fault(&other, "tolist()/toset() take a list"),
        },
        "tomap" => match one(args)? {
            map @ (Val::Map(_) | Val::Null) => Ok(map),
            other => unknown_or_fault(&other, "tomap() takes a map"),
        },

        // Strings.
        "lower" | "upper" | "title" | "trimspace" | "chomp" | "strrev" => {
            let Some(text) = text_arg(&one(args)?)? else { return Ok(Val::unknown()) };
            Ok(Val::String(match name {
                "lower" => text.to_lowercase(),
                "upper" => text.to_uppercase(),
                "title" => title(&text),
                "trimspace" => text.trim().to_string(),
                "chomp" => text.trim_end_matches(['\n', '\r']).to_string(),
                _ => text.chars().rev().collect(),
            }))
        }
        "trim" | "trimprefix" | "trimsuffix" | "startswith" | "endswith" | "strcontains" | "split"
        | "join" => {
            let [a, b] = two(args)?;
            if name == "join" {
                let Some(separator) = text_arg(&a)? else { return Ok(Val::unknown()) };
                let Val::List(items) = b else { return unknown_or_fault(&b, "join() takes a list") };
                let mut parts = Vec::with_capacity(items.len());
                for item in &items {
                    match item.to_text()? {
                        Some(t) => parts.push(t),
                        None => return Ok(Val::unknown()),
                    }
                }
                return Ok(Val::String(parts.join(&separator)));
            }
            let (Some(a), Some(b)) = (text_arg(&a)?, text_arg(&b)?) else { return Ok(Val::unknown()) };
            Ok(match name {
                "trim" => {
                    let cut: Vec<char> = b.chars().collect();
                    Val::String(a.trim_matches(cut.as_slice()).to_string())
                }
                "trimprefix" => Val::String(a.strip_prefix(b.as_str()).unwrap_or(&a).to_string()),
                "trimsuffix" => Val::String(a.strip_suffix(b.as_str()).unwrap_or(&a).to_string()),
                "startswith" => Val::Bool(a.starts_with(b.as_str())),
                "endswith" => Val::Bool(a.ends_with(b.as_str())),
                "strcontains" => Val::Bool(a.contains(b.as_str())),
                // split(separator, string)
                _ => Val::List(b.split(a.as_str()).map(Val::string).collect()),
            })
        }
        "replace" => {
            let mut texts = Vec::with_capacity(3);
            for arg in &args {
                match text_arg(arg)? {
                    Some(t) => texts.push(t),
                    None => return Ok(Val::unknown()),
                }
            }
            let [text, search, with] = texts.as_slice() else {
                return fault("replace() takes three strings");
            };
            match search.strip_prefix('/').and_then(|s| s.strip_suffix('/')) {
                Some(pattern) if search.len() > 1 => match regex::Regex::new(pattern) {
                    Ok(re) => Ok(Val::String(re.replace_all(text, with.as_str()).into_owned())),
                    Err(_) => fault("replace(): bad regular expression"),
                },
                _ => Ok(Val::String(text.replace(search.as_str(), with))),
            }
        }
        "substr" => {
            let mut args = args.into_iter();
            let (Some(text), Some(offset), Some(length)) = (args.next(), args.next(), args.next()) else {
                return fault("substr() takes a string, an offset and a length");
            };
            let (Some(text), Some(offset), Some(length)) =
                (text_arg(&text)?, offset.as_f64(), length.as_f64())
            else {
                return Ok(Val::unknown());
            };
            Ok(substr(&text, offset, length).map_or_else(Val::unknown, Val::String))
        }
        "format" => {
            let mut args = args.into_iter();
            let Some(spec) = args.next() else { return fault("format() takes a format") };
            let Some(spec) = text_arg(&spec)? else { return Ok(Val::unknown()) };
            let rest: Vec<Val> = args.collect();
            if rest.iter().any(Val::is_unknown) {
                return Ok(Val::unknown());
            }
            format(&spec, &rest).map(Val::String)
        }

        // Numbers.
        "min" | "max" => {
            let mut best: Option<f64> = None;
            for arg in &args {
                let Some(n) = arg.as_f64() else { return unknown_or_fault(arg, "min()/max() take numbers") };
                best = Some(match best {
                    Some(b) if (name == "min") == (b <= n) => b,
                    _ => n,
                });
            }
            best.map_or_else(|| fault("min()/max() of nothing"), |n| Ok(Val::number(n)))
        }
        "abs" | "ceil" | "floor" | "signum" => {
            let value = one(args)?;
            let Some(n) = value.as_f64() else { return unknown_or_fault(&value, "a number is needed") };
            Ok(Val::number(match name {
                "abs" => n.abs(),
                "ceil" => n.ceil(),
                "floor" => n.floor(),
                _ if n == 0.0 => 0.0,
                _ => n.signum(),
            }))
        }

        // Reads files, the clock, randomness or the network, or computes what we do not
        // model: not known statically.
        _ => Ok(Val::unknown()),
    }
}

fn count(n: usize) -> Val {
    Val::Number(n.to_string())
}

fn one(args: Vec<Val>) -> Outcome {
    let mut args = args.into_iter();
    match (args.next(), args.next()) {
        (Some(value), None) => Ok(value),
        _ => fault("one argument expected"),
    }
}

fn two(args: Vec<Val>) -> Result<[Val; 2], Fault> {
    let mut args = args.into_iter();
    match (args.next(), args.next(), args.next()) {
        (Some(a), Some(b), None) => Ok([a, b]),
        _ => fault("two arguments expected"),
    }
}

/// An unknown argument makes the result unknown; any other wrong type is a fault.
fn unknown_or_fault(value: &Val, message: &str) -> Outcome {
    if value.is_unknown() { Ok(Val::unknown()) } else { fault(message) }
}

/// A string argument: `Ok(None)` when unknown.
fn text_arg(value: &Val) -> Result<Option<String>, Fault> {
    value.to_text()
}

/// A whole, non-negative number.
fn whole(value: &Val) -> Option<usize> {
    let n = value.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n < 1e9)?;
    // Checked above: integral, non-negative, small.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(n as usize)
}

fn flatten(value: Val, out: &mut Vec<Val>, depth: usize) -> Option<()> {
    if depth > crate::parse::MAX_DEPTH {
        return None;
    }
    match value {
        Val::List(items) => {
            for item in items {
                match item {
                    Val::List(_) => flatten(item, out, depth + 1)?,
                    // An unknown element may be a list to flatten: the shape is unknown.
                    Val::Unknown(_) => return None,
                    other => out.push(other),
                }
            }
            Some(())
        }
        _ => None,
    }
}

fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

fn substr(text: &str, offset: f64, length: f64) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len() as f64;
    let start = if offset < 0.0 { (len + offset).max(0.0) } else { offset.min(len) };
    let end = if length < 0.0 { len } else { (start + length).min(len) };
    // Bounded by the string's length above.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (start, end) = (start as usize, end as usize);
    chars.get(start..end.max(start)).map(|part| part.iter().collect())
}

/// Terraform's `format`: `%%`, and `%[flags][width][.precision]verb` with the verbs `v s q t d
/// f e g x X o b`, each consuming the next argument.
fn format(spec: &str, args: &[Val]) -> Result<String, Fault> {
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let mut flags = HashSet::new();
        while let Some(&f) = chars.peek().filter(|f| matches!(f, '-' | '+' | '#' | '0' | ' ')) {
            flags.insert(f);
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(d);
                chars.next();
            }
            precision = Some(digits.parse().unwrap_or(0));
        }
        let Some(verb) = chars.next() else { return fault("format(): incomplete verb") };
        let Some(arg) = next.next() else { return fault("format(): too few arguments") };
        let number = || arg.as_f64().map_or_else(|| fault("format(): a number is needed"), Ok);
        let text = match verb {
            'v' if flags.contains(&'#') => to_json(arg).map_or_else(|| fault("format(): unknown"), Ok)?,
            'v' | 's' => match arg {
                Val::List(_) | Val::Map(_) if verb == 'v' => {
                    to_json(arg).map_or_else(|| fault("format(): unknown"), Ok)?
                }
                other => other.to_text()?.unwrap_or_default(),
            },
            'q' => to_json(&Val::String(arg.to_text()?.unwrap_or_default())).unwrap_or_default(),
            't' => arg.to_bool()?.map_or_else(String::new, |b| b.to_string()),
            'd' => {
                let n = number()?.trunc();
                let sign = if flags.contains(&'+') && n >= 0.0 { "+" } else { "" };
                format!("{sign}{}", format_number(n))
            }
            'f' | 'e' | 'g' => {
                let n = number()?;
                match (verb, precision) {
                    ('f', p) => format!("{n:.*}", p.unwrap_or(6)),
                    ('e', p) => format!("{n:.*e}", p.unwrap_or(6)),
                    _ => format_number(n),
                }
            }
            'x' | 'X' | 'o' | 'b' => {
                let n = number()?;
                if n.fract() != 0.0 || n.abs() >= 9.0e15 {
                    return fault("format(): an integer is needed");
                }
                // Integral and within i64, checked above.
                #[allow(clippy::cast_possible_truncation)]
                let i = n as i64;
                match verb {
                    'x' => format!("{i:x}"),
                    'X' => format!("{i:X}"),
                    'o' => format!("{i:o}"),
                    _ => format!("{i:b}"),
                }
            }
            other => return fault(format!("format(): unsupported verb %{other}")),
        };
        let width: usize = width.parse().unwrap_or(0);
        if width > MAX_FORMAT_WIDTH {
            return fault("format(): width too large");
        }
        let pad = width.saturating_sub(text.chars().count());
        if flags.contains(&'-') {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if flags.contains(&'0') && matches!(verb, 'd' | 'f' | 'e' | 'g' | 'x' | 'X' | 'o' | 'b') {
            let (sign, digits) = match text.strip_prefix('-') {
                Some(rest) => ("-", rest),
                None => ("", text.as_str()),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::eval::{NoNames, evaluate};
    use super::*;

    fn eval(text: &str) -> Val {
        evaluate(&NoNames::new(), text, false, 0)
    }

    fn s(text: &str) -> Val {
        Val::string(text)
    }

    fn n(raw: &str) -> Val {
        Val::Number(raw.into())
    }

    fn list(items: &[&str]) -> Val {
        Val::List(items.iter().map(|i| s(i)).collect())
    }

    #[test]
    fn jsonencode_keeps_a_tree_and_jsondecode_reads_one() {
        let encoded = eval(r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow" }] })"#);
        let Val::Json(inner) = &encoded else { panic!("{encoded:?}") };
        assert_eq!(inner.get("Version"), Some(&s("2012-10-17")));
        assert_eq!(
            encoded.to_text(),
            Ok(Some(r#"{"Statement":[{"Effect":"Allow"}],"Version":"2012-10-17"}"#.into()))
        );
        assert_eq!(
            eval(r#"jsondecode("{\"a\": [1, true]}")"#),
            Val::Map(vec![("a".into(), Val::List(vec![n("1"), Val::Bool(true)]))])
        );
        assert_eq!(eval(r#"jsondecode(jsonencode({ a = 1 }))"#), Val::Map(vec![("a".into(), n("1"))]));
        assert!(eval(r#"jsondecode("{")"#).is_unknown());
        // An unknown leaf stays a leaf: the rest of the document is still known.
        let partial = eval("jsonencode({ Resource = aws_s3_bucket.b.arn, Effect = \"Deny\" })");
        let Val::Json(inner) = partial else { panic!() };
        assert_eq!(inner.get("Resource"), Some(&Val::Unknown("aws_s3_bucket.b.arn".into())));
        assert_eq!(inner.get("Effect"), Some(&s("Deny")));
    }

    #[test]
    fn merge_concat_lookup() {
        assert_eq!(
            eval(r#"merge({ a = 1, b = 2 }, null, { b = 3, c = 4 })"#),
            Val::Map(vec![("a".into(), n("1")), ("b".into(), n("3")), ("c".into(), n("4"))])
        );
        assert!(eval("merge({ a = 1 }, var.tags)").is_unknown());
        assert_eq!(eval(r#"concat(["a"], [], ["b", "c"])"#), list(&["a", "b", "c"]));
        assert!(eval(r#"concat(["a"], var.more)"#).is_unknown());
        assert_eq!(eval(r#"lookup({ a = "x" }, "a", "d")"#), s("x"));
        assert_eq!(eval(r#"lookup({ a = "x" }, "b", "d")"#), s("d"));
        assert!(eval(r#"lookup({ a = "x" }, "b")"#).is_unknown());
        assert!(eval(r#"lookup(var.m, "b", "d")"#).is_unknown());
    }

    #[test]
    fn try_can_coalesce() {
        assert_eq!(eval(r#"try({ a = 1 }.b, "fallback")"#), s("fallback"));
        assert_eq!(eval(r#"try({ a = 1 }.a, "fallback")"#), n("1"));
        assert_eq!(eval(r#"try(var.x, "fallback")"#), Val::Unknown("var.x".into()));
        assert_eq!(eval(r#"can({ a = 1 }.b)"#), Val::Bool(false));
        assert_eq!(eval(r#"can({ a = 1 }.a)"#), Val::Bool(true));
        assert!(eval("can(var.x)").is_unknown());
        assert_eq!(eval(r#"coalesce(null, "", "x", "y")"#), s("x"));
        assert!(eval(r#"coalesce(var.x, "y")"#).is_unknown());
        assert_eq!(eval(r#"coalescelist([], ["a"])"#), list(&["a"]));
    }

    #[test]
    fn strings() {
        assert_eq!(eval(r#"lower("AbC")"#), s("abc"));
        assert_eq!(eval(r#"upper("abc")"#), s("ABC"));
        assert_eq!(eval(r#"title("hello world-x")"#), s("Hello World-X"));
        assert_eq!(eval(r#"format("%s-%03d-%v-%.2f", "a", 7, true, 1.5)"#), s("a-007-true-1.50"));
        assert_eq!(eval(r#"format("%-4s|%q|%%", "ab", "x")"#), s("ab  |\"x\"|%"));
        assert_eq!(eval(r#"format("%x", 255)"#), s("ff"));
        assert!(eval(r#"format("%s", var.x)"#).is_unknown());
        assert_eq!(eval(r#"join(",", ["a", "b"])"#), s("a,b"));
        assert_eq!(eval(r#"split(",", "a,b")"#), list(&["a", "b"]));
        assert_eq!(eval(r#"replace("a-b-c", "-", "_")"#), s("a_b_c"));
        assert_eq!(eval(r#"replace("a1b22", "/[0-9]+/", "_")"#), s("a_b_"));
        assert_eq!(eval(r#"substr("hello", 1, 3)"#), s("ell"));
        assert_eq!(eval(r#"substr("hello", -3, -1)"#), s("llo"));
        assert_eq!(eval(r#"trimspace("  x ")"#), s("x"));
        assert_eq!(eval(r#"trimprefix("arn:x", "arn:")"#), s("x"));
        assert_eq!(eval(r#"startswith("arn:x", "arn:")"#), Val::Bool(true));
        assert_eq!(eval(r#"strcontains("abc", "d")"#), Val::Bool(false));
    }

    #[test]
    fn conversions() {
        assert_eq!(eval("tostring(5)"), s("5"));
        assert_eq!(eval("tostring(true)"), s("true"));
        assert_eq!(eval(r#"tonumber("42")"#), n("42"));
        assert!(eval(r#"tonumber("x")"#).is_unknown());
        assert_eq!(eval(r#"tobool("false")"#), Val::Bool(false));
        assert_eq!(eval(r#"toset(["a", "b", "a"])"#), list(&["a", "b"]));
        assert_eq!(eval(r#"tolist(["a"])"#), list(&["a"]));
        assert_eq!(eval(r#"tomap({ a = "b" })"#), Val::Map(vec![("a".into(), s("b"))]));
        assert!(eval("tostring([1])").is_unknown());
    }

    #[test]
    fn collections() {
        assert_eq!(eval(r#"length(["a", var.x])"#), n("2"));
        assert_eq!(eval(r#"length({ a = 1 })"#), n("1"));
        assert_eq!(eval(r#"length("héllo")"#), n("5"));
        assert!(eval("length(var.x)").is_unknown());
        assert_eq!(eval(r#"contains(["a", "b"], "b")"#), Val::Bool(true));
        assert_eq!(eval(r#"contains(["a", "b"], "c")"#), Val::Bool(false));
        assert!(eval(r#"contains(["a", var.x], "c")"#).is_unknown());
        assert_eq!(eval(r#"contains(["c", var.x], "c")"#), Val::Bool(true));
        assert_eq!(eval(r#"element(["a", "b"], 3)"#), s("b"));
        assert_eq!(eval(r#"element(["a", var.x], 0)"#), s("a"));
        assert_eq!(eval(r#"keys({ b = 1, a = 2 })"#), list(&["a", "b"]));
        assert_eq!(eval(r#"values({ b = 1, a = 2 })"#), Val::List(vec![n("2"), n("1")]));
        assert_eq!(eval(r#"flatten([["a"], [["b"]], "c"])"#), list(&["a", "b", "c"]));
        assert_eq!(eval(r#"distinct(["a", "a", "b"])"#), list(&["a", "b"]));
        assert_eq!(eval(r#"compact(["a", "", null])"#), list(&["a"]));
        assert_eq!(eval(r#"index(["a", "b"], "b")"#), n("1"));
        assert_eq!(eval(r#"one(["a"])"#), s("a"));
        assert_eq!(eval(r#"reverse(["a", "b"])"#), list(&["b", "a"]));
        assert_eq!(eval(r#"sort(["b", "a"])"#), list(&["a", "b"]));
        assert_eq!(eval(r#"slice(["a", "b", "c"], 1, 3)"#), list(&["b", "c"]));
        assert_eq!(eval("range(3)"), Val::List(vec![n("0"), n("1"), n("2")]));
        assert!(eval("range(100000)").is_unknown());
        assert_eq!(eval(r#"zipmap(["a"], [1])"#), Val::Map(vec![("a".into(), n("1"))]));
        assert_eq!(eval("alltrue([true, true])"), Val::Bool(true));
        assert_eq!(eval("anytrue([false, true])"), Val::Bool(true));
        assert_eq!(eval(r#"concat(["a"], [["b"], ["c"]]...)"#), list(&["a", "b", "c"]));
    }

    #[test]
    fn numbers_and_unknown_functions() {
        assert_eq!(eval("max(1, 5, 3)"), n("5"));
        assert_eq!(eval("min(4, 2)"), n("2"));
        assert_eq!(eval("abs(-2)"), n("2"));
        assert_eq!(eval("ceil(1.2)"), n("2"));
        assert_eq!(eval("floor(1.8)"), n("1"));
        assert_eq!(eval(r#"file("policy.json")"#), Val::Unknown(r#"file("policy.json")"#.into()));
        assert!(eval("timestamp()").is_unknown());
    }
}
