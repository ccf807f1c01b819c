//! What the compose rules share: variable interpolation as Compose performs it, a service's
//! effective settings through `extends`, and the `depends_on` conditions other services put
//! on a service.
//!
//! The engine merges an override file into its base file and applies `extends` within a file
//! before rules run, so a service's body is what compose runs. What remains partial is a
//! service defined only in an override file (or completed by a `-f` file the engine cannot
//! know): one that names neither `image`, `build` nor `extends` cannot run on its own, and its
//! judgement is unknown ([`is_fragment`]).

use trustlint_engine::parse::MAX_DEPTH;
use trustlint_engine::rule::FileContext;
use trustlint_engine::{Node, Resource, Value};

/// The `services` map of the document a service resource belongs to.
pub(crate) fn services<'a>(resource: &Resource<'_>, file: &FileContext<'a>) -> Option<&'a Node> {
    file.syntax.documents().get(resource.index).and_then(|doc| doc.get("services"))
}

/// The service name of a `services.<name>` address.
pub(crate) fn name<'r>(resource: &'r Resource<'_>) -> &'r str {
    resource.address.strip_prefix("services.").unwrap_or(&resource.address)
}

/// A service definition that cannot run alone: no `image`, no `build`, no `extends`. Such
/// entries complete a service defined in another file (one passed with `-f`).
pub(crate) fn is_fragment(service: &Node) -> bool {
    ["image", "build", "extends"].iter().all(|key| service.get(key).is_none())
}

/// A setting looked up through `extends`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lookup<'a> {
    /// Set on the service or on a service it extends in the same file.
    Found(&'a Node),
    /// Set nowhere the file shows.
    Absent,
    /// The service extends one in another file (or a chain too deep to follow).
    Unknown,
}

/// The value of `key` for `service`: its own, else the one of the service it `extends` in the
/// same file (`extends: base` or `extends: {service: base}`), recursively. An `extends` with
/// a `file:` leads out of this file: unknown.
pub(crate) fn effective<'a>(services: Option<&'a Node>, service: &'a Node, key: &str) -> Lookup<'a> {
    let mut current = service;
    for _ in 0..MAX_DEPTH {
        if let Some(value) = current.get(key) {
            return Lookup::Found(value);
        }
        let Some(extends) = current.get("extends") else { return Lookup::Absent };
        let base = match &extends.value {
            Value::String(name) => name.as_str(),
            Value::Map(_) => {
                if extends.get("file").is_some() {
                    return Lookup::Unknown;
                }
                match extends.get("service").and_then(Node::as_str) {
                    Some(name) => name,
                    None => return Lookup::Unknown,
                }
            }
            _ => return Lookup::Unknown,
        };
        match services.and_then(|s| s.get(base)) {
            Some(next) if !std::ptr::eq(next, current) => current = next,
            _ => return Lookup::Unknown,
        }
    }
    Lookup::Unknown
}

/// The services of the file whose `depends_on` (long form) waits for `target` with
/// `condition: <condition>`, with the node of that condition.
pub(crate) fn dependents<'a>(
    services: Option<&'a Node>,
    target: &str,
    condition: &str,
) -> Vec<(&'a str, &'a Node)> {
    let mut found = Vec::new();
    for entry in services.map(Node::entries).unwrap_or_default() {
        let Some(depends_on) = entry.value.get("depends_on") else { continue };
        // The short form (a list of names) waits for `service_started` only.
        let Some(wanted) = depends_on.get(target).and_then(|d| d.get("condition")) else { continue };
        if wanted.as_str().is_some_and(|c| c.trim() == condition) {
            found.push((entry.key.as_str(), wanted));
        }
    }
    found
}

/// Interpolate `${VAR}` references the way Compose does when no variable is set: `$$` is a
/// literal `$`, `${VAR:-default}` and `${VAR-default}` give their default (itself
/// interpolated). `None` when the result depends on a variable's value: `$VAR`, `${VAR}`,
/// `${VAR:?error}`, `${VAR:+alternative}`, or a malformed reference.
pub(crate) fn interpolate(text: &str) -> Option<String> {
    interpolate_depth(text, 0)
}

fn interpolate_depth(text: &str, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(rest.get(..at)?);
        let after = rest.get(at + 1..)?;
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let close = closing_brace(body)?;
            let inner = body.get(..close)?;
            let name_end =
                inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
            let modifier = inner.get(name_end..)?;
            let default = modifier.strip_prefix(":-").or_else(|| modifier.strip_prefix('-'))?;
            out.push_str(&interpolate_depth(default, depth + 1)?);
            rest = body.get(close + 1..)?;
        } else if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return None;
        } else {
            // A lone `$` before anything else is kept as written.
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Byte index of the `}` closing a `${`, nested `${...}` included.
fn closing_brace(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes.get(i - 1) == Some(&b'$') => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Whether a value holds a variable reference Compose replaces (`$$` is an escaped `$`).
pub(crate) fn has_interpolation(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'$') {
            match bytes.get(i + 1) {
                Some(b'$') => i += 1,
                Some(b'{') => return true,
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' => return true,
                _ => {}
            }
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_uses_defaults_only() {
        assert_eq!(interpolate("nginx:1.27").as_deref(), Some("nginx:1.27"));
        assert_eq!(interpolate("app:${TAG:-latest}").as_deref(), Some("app:latest"));
        assert_eq!(interpolate("${REG-ghcr.io}/app:${TAG:-${V:-1.0}}").as_deref(), Some("ghcr.io/app:1.0"));
        assert_eq!(interpolate("cost $$5 and $ alone").as_deref(), Some("cost $5 and $ alone"));
        assert_eq!(interpolate("app:${TAG}"), None);
        assert_eq!(interpolate("app:$TAG"), None);
        assert_eq!(interpolate("app:${TAG:?set TAG}"), None);
        assert_eq!(interpolate("app:${TAG:+x}"), None);
        assert_eq!(interpolate("app:${TAG:-1"), None);
        let deep = format!("{}x{}", "${A:-".repeat(5_000), "}".repeat(5_000));
        assert_eq!(interpolate(&deep), None);
    }

    #[test]
    fn interpolation_detection() {
        assert!(has_interpolation("${DB_PASSWORD}"));
        assert!(has_interpolation("postgres://u:$PW@db/x"));
        assert!(!has_interpolation("pa$$word"));
        assert!(!has_interpolation("cost: 5$"));
        assert!(!has_interpolation("plain"));
    }
}
