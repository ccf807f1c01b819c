//! Values of the root module's input variables, with Terraform's precedence: a variable's
//! `default`, then `terraform.tfvars`, `terraform.tfvars.json`, the `*.auto.tfvars` and
//! `*.auto.tfvars.json` files of the directory in lexical order of their names, then the
//! configured var files (`[terraform] var-files`, `--var-file`) in the order given. A later
//! source overrides an earlier one. Environment variables (`TF_VAR_*`) and `-var` are not
//! part of a repository, so they are not read.

use std::collections::HashMap;

use super::eval::NoNames;
use super::value::Val;
use crate::parse::{self, ParseError};
use crate::{Entry, Node, Value};

/// A variable definitions file given explicitly (`--var-file`, `[terraform] var-files`):
/// parsed once, applied to every root module linted.
#[derive(Debug, Clone)]
pub struct VarFile {
    path: String,
    values: Vec<Entry>,
}

impl VarFile {
    /// Parse a `.tfvars` file (or `.tfvars.json`, by its name).
    ///
    /// # Errors
    /// The located syntax error when the file does not parse.
    pub fn parse(path: impl Into<String>, text: &str) -> Result<VarFile, ParseError> {
        let path = path.into();
        let values = if path.ends_with(".json") {
            parse::json::parse(text)?.root.entries().to_vec()
        } else {
            parse::hcl::parse(text)?.attributes
        };
        Ok(VarFile { path, values })
    }

    /// The path it was read from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The variables it assigns, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|e| e.key.as_str())
    }
}

/// Where a variables file of the unit stands in the precedence order, or `None` when
/// Terraform does not load it automatically (`prod.tfvars` needs `-var-file`).
pub(crate) fn automatic_rank(file_name: &str) -> Option<u8> {
    match file_name {
        "terraform.tfvars" => Some(0),
        "terraform.tfvars.json" => Some(1),
        name if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") => Some(2),
        _ => None,
    }
}

/// The assigned values: `automatic` are the unit's variables files with their names and
/// top-level entries; `configured` the var files, in order.
pub(crate) fn assigned<'a>(
    automatic: impl IntoIterator<Item = (&'a str, &'a [Entry])>,
    configured: &'a [VarFile],
) -> HashMap<String, Val> {
    let mut files: Vec<(u8, &str, &[Entry])> = automatic
        .into_iter()
        .filter_map(|(name, entries)| automatic_rank(name).map(|rank| (rank, name, entries)))
        .collect();
    files.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut values = HashMap::new();
    let sources = files
        .into_iter()
        .map(|(_, _, entries)| entries)
        .chain(configured.iter().map(|f| f.values.as_slice()));
    for entries in sources {
        for entry in entries {
            values.insert(entry.key.clone(), constant(&entry.value, 0));
        }
    }
    values
}

/// The value of a node of a variables file: literals, or expressions without references.
pub(crate) fn constant(node: &Node, depth: usize) -> Val {
    if depth > parse::MAX_DEPTH {
        return Val::unknown();
    }
    match &node.value {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(raw) => Val::Number(raw.clone()),
        Value::String(s) => Val::String(s.clone()),
        Value::List(items) => Val::List(items.iter().map(|i| constant(i, depth + 1)).collect()),
        Value::Map(entries) => {
            Val::Map(entries.iter().map(|e| (e.key.clone(), constant(&e.value, depth + 1))).collect())
        }
        Value::Expr(text) => super::eval::evaluate(&NoNames::new(), text, false, 0),
        Value::Tagged(..) => Val::unknown(),
    }
}

/// Convert a value to a variable's primitive type constraint (`string`, `number`, `bool`),
/// as Terraform does on assignment: `"true"` for a `bool` is `true`.
pub(crate) fn convert(value: Val, constraint: Option<&str>) -> Val {
    match (constraint.map(str::trim), value) {
        (Some("bool"), Val::String(s)) if s == "true" || s == "false" => Val::Bool(s == "true"),
        (Some("number"), Val::String(s)) => match super::value::parse_number(&s) {
            Some(n) => Val::number(n),
            None => Val::String(s),
        },
        (Some("string"), Val::Bool(b)) => Val::String(b.to_string()),
        (Some("string"), Val::Number(n)) => Val::String(n),
        (_, value) => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<Entry> {
        parse::hcl::parse(text).expect("parses").attributes
    }

    #[test]
    fn precedence_is_default_tfvars_auto_then_var_files() {
        let tfvars = entries("a = \"tfvars\"\nb = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n");
        let tfvars_json =
            parse::json::parse(r#"{"b": "tfvars.json"}"#).expect("json").root.entries().to_vec();
        let auto_b = entries("c = \"b.auto\"\nd = \"b.auto\"\n");
        let auto_a = entries("c = \"a.auto\"\n");
        let ignored = entries("a = \"prod\"\n");
        let configured = [
            VarFile::parse("env/one.tfvars", "d = \"one\"\ne = [\"x\", 1 + 1]\n").expect("parses"),
            VarFile::parse("env/two.tfvars.json", r#"{"e": ["two"]}"#).expect("parses"),
        ];
        let automatic = [
            ("b.auto.tfvars", auto_b.as_slice()),
            ("terraform.tfvars.json", tfvars_json.as_slice()),
            ("prod.tfvars", ignored.as_slice()),
            ("a.auto.tfvars", auto_a.as_slice()),
            ("terraform.tfvars", tfvars.as_slice()),
        ];
        let values = assigned(automatic, &configured);
        let get = |k: &str| values.get(k).cloned();
        assert_eq!(get("a"), Some(Val::string("tfvars")));
        assert_eq!(get("b"), Some(Val::string("tfvars.json")));
        // b.auto sorts after a.auto, so it wins.
        assert_eq!(get("c"), Some(Val::string("b.auto")));
        assert_eq!(get("d"), Some(Val::string("one")));
        assert_eq!(get("e"), Some(Val::List(vec![Val::string("two")])));
        assert_eq!(configured[0].names().collect::<Vec<_>>(), ["d", "e"]);
        assert_eq!(configured[1].path(), "env/two.tfvars.json");
    }

    #[test]
    fn var_files_that_do_not_parse_are_errors() {
        assert!(VarFile::parse("bad.tfvars", "a = \n").is_err());
        assert!(VarFile::parse("bad.tfvars.json", "{").is_err());
    }

    #[test]
    fn expressions_in_var_files_are_constants() {
        let e = entries("n = 2 * 3\nr = var.other\n");
        let values = assigned([("terraform.tfvars", e.as_slice())], &[]);
        assert_eq!(values.get("n"), Some(&Val::Number("6".into())));
        assert!(values.get("r").is_some_and(Val::is_unknown));
    }

    #[test]
    fn primitive_conversions() {
        assert_eq!(convert(Val::string("true"), Some("bool")), Val::Bool(true));
        assert_eq!(convert(Val::string("5"), Some("number")), Val::Number("5".into()));
        assert_eq!(convert(Val::Bool(false), Some("string")), Val::string("false"));
        assert_eq!(convert(Val::string("x"), Some("bool")), Val::string("x"));
        assert_eq!(convert(Val::string("x"), None), Val::string("x"));
    }
}
