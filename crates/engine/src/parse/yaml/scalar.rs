//! Scalar typing (YAML 1.2 core schema) and tag classification.

use crate::Value;
use saphyr_parser::Tag;

/// Handle the parser gives `!!` tags (and verbatim `!<tag:yaml.org,2002:...>` tags carry).
const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// What a node's tag asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TagKind {
    /// `!!str`, or the non-specific `!`: the scalar is a string whatever it looks like.
    Str,
    /// `!!int`.
    Int,
    /// `!!float`.
    Float,
    /// `!!bool`.
    Bool,
    /// `!!null`.
    Null,
    /// `!!map`.
    Map,
    /// `!!seq`.
    Seq,
    /// Any other tag: kept on the tree as [`Value::Tagged`] with this name.
    Custom(String),
}

impl TagKind {
    /// Classify a tag as the parser resolved it.
    ///
    /// Local tags (`!Ref`, `!<!Ref>`) are named without their `!`, so CloudFormation's short
    /// forms read `Ref`, `GetAtt`, `Sub`. Global tags keep their full name: `!!binary` is
    /// `tag:yaml.org,2002:binary`, `!e!foo` under `%TAG !e! tag:example.com,2000:` is
    /// `tag:example.com,2000:foo`.
    pub(super) fn of(tag: &Tag) -> TagKind {
        let full;
        let name: &str = if tag.handle == "!" {
            &tag.suffix
        } else if tag.handle.is_empty() {
            // Verbatim `!<...>`; the non-specific tag `!` arrives as the suffix `!` too.
            if tag.suffix == "!" {
                return TagKind::Str;
            }
            tag.suffix.strip_prefix('!').unwrap_or(&tag.suffix)
        } else if let Some(local) = tag.handle.strip_prefix('!') {
            // A `%TAG` handle whose prefix is itself local (`%TAG !e! !ex-`).
            full = format!("{local}{}", tag.suffix);
            &full
        } else {
            full = format!("{}{}", tag.handle, tag.suffix);
            &full
        };
        match name.strip_prefix(CORE_PREFIX) {
            Some("str") => TagKind::Str,
            Some("int") => TagKind::Int,
            Some("float") => TagKind::Float,
            Some("bool") => TagKind::Bool,
            Some("null") => TagKind::Null,
            Some("map") => TagKind::Map,
            Some("seq") => TagKind::Seq,
            _ => TagKind::Custom(name.to_owned()),
        }
    }

    /// The `!!name` spelling of a core tag, for messages.
    pub(super) fn describe(&self) -> &str {
        match self {
            TagKind::Str => "!!str",
            TagKind::Int => "!!int",
            TagKind::Float => "!!float",
            TagKind::Bool => "!!bool",
            TagKind::Null => "!!null",
            TagKind::Map => "!!map",
            TagKind::Seq => "!!seq",
            TagKind::Custom(name) => name,
        }
    }
}

/// Whether a plain scalar is a core-schema null.
pub(super) fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// The core-schema boolean a plain scalar spells, if any.
pub(super) fn as_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn all_digits(s: &str, radix: u32) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_digit(radix))
}

/// Whether a plain scalar is a core-schema integer: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`.
pub(super) fn is_int(s: &str) -> bool {
    if let Some(oct) = s.strip_prefix("0o") {
        return all_digits(oct, 8);
    }
    if let Some(hex) = s.strip_prefix("0x") {
        return all_digits(hex, 16);
    }
    all_digits(s.strip_prefix(['-', '+']).unwrap_or(s), 10)
}

/// Whether a plain scalar is a core-schema float:
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.inf`, `\.nan` (three casings).
pub(super) fn is_float(s: &str) -> bool {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (unsigned.get(..at).unwrap_or(""), unsigned.get(at + 1..)),
        None => (unsigned, None),
    };
    if let Some(exp) = exponent
        && !all_digits(exp.strip_prefix(['-', '+']).unwrap_or(exp), 10)
    {
        return false;
    }
    match mantissa.split_once('.') {
        Some((whole, frac)) => {
            (whole.is_empty() && all_digits(frac, 10))
                || (all_digits(whole, 10) && (frac.is_empty() || all_digits(frac, 10)))
        }
        None => all_digits(mantissa, 10),
    }
}

/// Whether a plain scalar is a core-schema number.
pub(super) fn is_number(s: &str) -> bool {
    // Almost every scalar is a word: reject those on their first byte.
    s.as_bytes().first().is_some_and(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.'))
        && (is_int(s) || is_float(s))
}

/// The value of an untagged plain scalar under the core schema.
pub(super) fn resolve_plain(s: String) -> Value {
    if is_null(&s) {
        Value::Null
    } else if let Some(b) = as_bool(&s) {
        Value::Bool(b)
    } else if is_number(&s) {
        Value::Number(s)
    } else {
        Value::String(s)
    }
}

/// The value of a scalar carrying a core tag, or why the tag does not fit it.
pub(super) fn resolve_core(s: String, kind: &TagKind) -> Result<Value, String> {
    let fits = match kind {
        TagKind::Str => return Ok(Value::String(s)),
        TagKind::Int => is_int(&s),
        TagKind::Float => is_float(&s) || is_int(&s),
        TagKind::Bool => {
            if let Some(b) = as_bool(&s) {
                return Ok(Value::Bool(b));
            }
            false
        }
        TagKind::Null => {
            if is_null(&s) {
                return Ok(Value::Null);
            }
            false
        }
        TagKind::Map | TagKind::Seq => {
            return Err(format!("{} cannot be applied to a scalar", kind.describe()));
        }
        TagKind::Custom(_) => return Ok(Value::String(s)),
    };
    if fits { Ok(Value::Number(s)) } else { Err(format!("`{s}` is not a valid {}", kind.describe())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(handle: &str, suffix: &str) -> Tag {
        Tag { handle: handle.into(), suffix: suffix.into() }
    }

    #[test]
    fn core_schema_plain_scalars() {
        for s in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(resolve_plain(s.into()), Value::Null, "{s:?}");
        }
        assert_eq!(resolve_plain("True".into()), Value::Bool(true));
        assert_eq!(resolve_plain("FALSE".into()), Value::Bool(false));
        for s in [
            "0644", "-12", "+3", "0o17", "0x1F", "1.5", "1.", ".5", "1e3", "-2.5E-3", ".inf", "-.Inf", ".NaN",
        ] {
            assert_eq!(resolve_plain(s.into()), Value::Number(s.into()), "{s:?}");
        }
        for s in [
            "yes", "no", "on", "off", "y", "1_000", "0b101", "0x", "1e", "1.2.3", "-", ".", "e3", "nan",
            "0o8",
        ] {
            assert_eq!(resolve_plain(s.into()), Value::String(s.into()), "{s:?}");
        }
    }

    #[test]
    fn tags_are_classified() {
        assert_eq!(TagKind::of(&tag("!", "Ref")), TagKind::Custom("Ref".into()));
        assert_eq!(TagKind::of(&tag("", "!Ref")), TagKind::Custom("Ref".into()));
        assert_eq!(TagKind::of(&tag(CORE_PREFIX, "str")), TagKind::Str);
        assert_eq!(TagKind::of(&tag("", "tag:yaml.org,2002:int")), TagKind::Int);
        assert_eq!(
            TagKind::of(&tag(CORE_PREFIX, "binary")),
            TagKind::Custom("tag:yaml.org,2002:binary".into())
        );
        assert_eq!(TagKind::of(&tag("", "!")), TagKind::Str);
        assert_eq!(
            TagKind::of(&tag("tag:example.com,2000:", "x")),
            TagKind::Custom("tag:example.com,2000:x".into())
        );
    }

    #[test]
    fn core_tags_check_their_scalar() {
        assert_eq!(resolve_core("80".into(), &TagKind::Str), Ok(Value::String("80".into())));
        assert_eq!(resolve_core("0644".into(), &TagKind::Int), Ok(Value::Number("0644".into())));
        assert_eq!(resolve_core("3".into(), &TagKind::Float), Ok(Value::Number("3".into())));
        assert_eq!(resolve_core("true".into(), &TagKind::Bool), Ok(Value::Bool(true)));
        assert_eq!(resolve_core("~".into(), &TagKind::Null), Ok(Value::Null));
        assert!(resolve_core("yes".into(), &TagKind::Bool).is_err());
        assert!(resolve_core("abc".into(), &TagKind::Int).is_err());
        assert!(resolve_core("x".into(), &TagKind::Map).is_err());
    }
}
