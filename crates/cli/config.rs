//! `trustlint.toml`: discovery, parsing with spans, and validation that points at the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use trustlint_engine::parse::MAX_DEPTH;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

use crate::args::FailOn;

/// File names looked for, in order, in each directory from the scan root upward.
const NAMES: [&str; 2] = ["trustlint.toml", ".trustlint.toml"];

/// Default cap on the size of a file read (8 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// A configuration problem, shown with the offending line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(trustlint::config))]
pub struct ConfigError {
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
}

/// The parsed configuration file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    lint: LintSection,
    #[serde(default)]
    terraform: TerraformSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LintSection {
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    fail_on: Option<FailOn>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    policies: Vec<Spanned<String>>,
    max_file_size: Option<Spanned<toml::Value>>,
    max_findings_per_file: Option<Spanned<toml::Value>>,
    max_yaml_alias_nodes: Option<Spanned<toml::Value>>,
    max_relation_checks: Option<Spanned<toml::Value>>,
    max_nesting_depth: Option<Spanned<toml::Value>>,
    max_line_length: Option<Spanned<toml::Value>>,
    #[serde(default)]
    per_path: Vec<PerPathSection>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    classification_tag: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PerPathSection {
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TerraformSection {
    #[serde(default)]
    var_files: Vec<String>,
}

/// Ignores that apply below some paths only.
#[derive(Debug, Clone)]
pub struct PerPath {
    /// Which files.
    pub paths: globset::GlobSet,
    /// Rule ids or prefixes ignored there.
    pub ignore: Vec<String>,
    /// Why (recorded as the suppression reason).
    pub reason: String,
}

/// The validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from, if any.
    #[allow(dead_code)] // read by `trustlint report` (run identity)
    pub path: Option<PathBuf>,
    /// Rule ids or prefixes to run (empty: all).
    pub select: Vec<String>,
    /// Rule ids or prefixes to skip.
    pub ignore: Vec<String>,
    /// Lowest failing severity.
    pub fail_on: Option<FailOn>,
    /// Globs of paths not to walk.
    pub exclude: Vec<String>,
    /// Extra policy directories, relative to the config file.
    pub policies: Vec<PathBuf>,
    /// Cap on file size.
    pub max_file_size: u64,
    /// What one file may cost (findings reported, YAML alias expansion).
    pub limits: trustlint_engine::lint::Limits,
    /// Ignores for some paths.
    pub per_path: Vec<PerPath>,
    /// Severity overrides by rule id.
    pub severity: BTreeMap<String, trustlint_engine::Severity>,
    /// Tag key of the data-classification convention.
    pub classification_tag: Option<String>,
    /// Terraform variable files.
    pub var_files: Vec<PathBuf>,
}

impl Config {
    /// The configuration used when no file exists.
    pub fn defaults() -> Self {
        Config {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            limits: trustlint_engine::lint::Limits::default(),
            ..Config::default()
        }
    }
}

/// Find the configuration file: in `start` and its ancestors up to the repository root (the
/// first directory holding `.git`).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = if start.is_dir() { start } else { start.parent()?.to_path_buf() };
    loop {
        for name in NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if dir.join(".git").exists() {
            return None;
        }
        dir = dir.parent()?.to_path_buf();
    }
}

/// Read and validate a configuration file; `known_ids` are every rule id, for checking
/// select/ignore entries (`None` skips that check, for a first read that only needs the
/// policy directories).
pub fn load(path: &Path, known_ids: Option<&[String]>) -> Result<Config, Box<ConfigError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Box::new(ConfigError {
            message: format!("cannot read {}: {e}", path.display()),
            src: NamedSource::new(path.display().to_string(), String::new()),
            span: None,
        })
    })?;
    parse(path, &text, known_ids)
}

/// Parse and validate configuration text.
pub fn parse(path: &Path, text: &str, known_ids: Option<&[String]>) -> Result<Config, Box<ConfigError>> {
    let error = |message: String, span: Option<std::ops::Range<usize>>| {
        Box::new(ConfigError {
            message: format!("{}: {message}", path.display()),
            src: NamedSource::new(path.display().to_string(), text.to_string()),
            span: span
                .map(|r| SourceSpan::from(r.start..r.end.max(r.start + 1).min(text.len().max(r.start)))),
        })
    };
    let file: ConfigFile = toml::from_str(text).map_err(|e| error(e.message().to_string(), e.span()))?;
    let lint = file.lint;
    let base = path.parent().unwrap_or(Path::new("."));

    let check_ids = |items: &[Spanned<String>]| -> Result<Vec<String>, Box<ConfigError>> {
        items
            .iter()
            .map(|item| {
                let id = item.get_ref();
                if known_ids.is_none_or(|known| crate::select::matches_any_rule(id, known)) {
                    Ok(id.clone())
                } else {
                    Err(error(format!("unknown rule id or prefix `{id}`"), Some(item.span())))
                }
            })
            .collect()
    };
    let check_globs = |items: &[Spanned<String>]| -> Result<Vec<String>, Box<ConfigError>> {
        items
            .iter()
            .map(|item| {
                globset::Glob::new(item.get_ref())
                    .map(|_| item.get_ref().clone())
                    .map_err(|e| error(format!("bad glob: {e}"), Some(item.span())))
            })
            .collect()
    };

    let mut per_path = Vec::new();
    for section in &lint.per_path {
        let mut builder = globset::GlobSetBuilder::new();
        for glob in check_globs(&section.paths)? {
            builder.add(globset::Glob::new(&glob).map_err(|e| error(format!("bad glob: {e}"), None))?);
        }
        per_path.push(PerPath {
            paths: builder.build().map_err(|e| error(format!("bad glob: {e}"), None))?,
            ignore: check_ids(&section.ignore)?,
            reason: section.reason.clone().unwrap_or_else(|| "per-path ignore in the configuration".into()),
        });
    }

    let mut severity = BTreeMap::new();
    for (id, value) in &lint.severity {
        if known_ids.is_some_and(|known| !known.iter().any(|k| k == id)) {
            return Err(error(format!("unknown rule id `{id}` in [lint.severity]"), Some(value.span())));
        }
        let parsed = trustlint_engine::Severity::parse(value.get_ref()).ok_or_else(|| {
            error(
                format!("unknown severity `{}` (critical, high, medium or low)", value.get_ref()),
                Some(value.span()),
            )
        })?;
        severity.insert(id.clone(), parsed);
    }

    let max_file_size = match &lint.max_file_size {
        None => DEFAULT_MAX_FILE_SIZE,
        Some(value) => parse_size(value.get_ref()).ok_or_else(|| {
            error("bad size: write a number of bytes or e.g. \"8MiB\"".into(), Some(value.span()))
        })?,
    };

    let defaults = trustlint_engine::lint::Limits::default();
    let count = |value: &Option<Spanned<toml::Value>>, key: &str, default: usize, least: usize| match value {
        None => Ok(default),
        Some(value) => match value.get_ref() {
            toml::Value::Integer(n) => usize::try_from(*n).ok().filter(|n| *n >= least),
            _ => None,
        }
        .ok_or_else(|| error(format!("`{key}` is a whole number, at least {least}"), Some(value.span()))),
    };
    let limits = trustlint_engine::lint::Limits {
        max_findings_per_file: count(
            &lint.max_findings_per_file,
            "max-findings-per-file",
            defaults.max_findings_per_file,
            1,
        )?,
        yaml_alias_nodes: count(
            &lint.max_yaml_alias_nodes,
            "max-yaml-alias-nodes",
            defaults.yaml_alias_nodes,
            0,
        )?,
        relation_checks: count(
            &lint.max_relation_checks,
            "max-relation-checks",
            defaults.relation_checks,
            0,
        )?,
        nesting_depth: match &lint.max_nesting_depth {
            None => defaults.nesting_depth,
            Some(value) => value
                .get_ref()
                .as_integer()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| (1..=MAX_DEPTH).contains(n))
                .ok_or_else(|| {
                    error(
                        format!(
                            "`max-nesting-depth` is a whole number from 1 to {MAX_DEPTH} (deeper nesting \
                             would risk the stack of the steps after parsing)"
                        ),
                        Some(value.span()),
                    )
                })?,
        },
        line_length: match &lint.max_line_length {
            None => defaults.line_length,
            Some(value) => parse_size(value.get_ref())
                .filter(|n| *n > 0)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    error("bad size: write a number of bytes or e.g. \"1MiB\"".into(), Some(value.span()))
                })?,
        },
    };

    Ok(Config {
        path: Some(path.to_path_buf()),
        select: check_ids(&lint.select)?,
        ignore: check_ids(&lint.ignore)?,
        fail_on: lint.fail_on,
        exclude: check_globs(&lint.exclude)?,
        policies: lint.policies.iter().map(|p| base.join(p.get_ref())).collect(),
        max_file_size,
        limits,
        per_path,
        severity,
        classification_tag: match &lint.classification_tag {
            Some(tag) if tag.get_ref().trim().is_empty() => {
                return Err(error("`classification-tag` must not be empty".into(), Some(tag.span())));
            }
            Some(tag) => Some(tag.get_ref().trim().to_string()),
            None => None,
        },
        var_files: file.terraform.var_files.iter().map(|p| base.join(p)).collect(),
    })
}

/// `8MiB`, `512 KiB`, `10MB`, `1000` (bytes).
fn parse_size(value: &toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok(),
        toml::Value::String(text) => {
            let text = text.trim();
            let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
            let number: u64 = text.get(..digits_end)?.parse().ok()?;
            let unit = text.get(digits_end..)?.trim().to_ascii_lowercase();
            let factor: u64 = match unit.as_str() {
                "" | "b" => 1,
                "kb" => 1_000,
                "kib" | "k" => 1024,
                "mb" => 1_000_000,
                "mib" | "m" => 1024 * 1024,
                "gb" => 1_000_000_000,
                "gib" | "g" => 1024 * 1024 * 1024,
                _ => return None,
            };
            number.checked_mul(factor)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        vec!["TL-AWS-029".into(), "TL-K8S-001".into(), "TL-DOCKER-005".into()]
    }

    #[test]
    fn a_full_config_parses() {
        let text = r#"
[lint]
select = ["TL-AWS", "TL-K8S"]
ignore = ["TL-DOCKER-005"]
fail-on = "medium"
exclude = ["examples/**"]
max-file-size = "1MiB"

[[lint.per-path]]
paths = ["test/**"]
ignore = ["TL-AWS-029"]
reason = "fixtures"

[lint.severity]
"TL-AWS-029" = "medium"

[terraform]
var-files = ["env/prod.tfvars"]
"#;
        let config = parse(Path::new("trustlint.toml"), text, Some(&ids())).expect("valid");
        assert_eq!(config.select, ["TL-AWS", "TL-K8S"]);
        assert_eq!(config.fail_on, Some(FailOn::Medium));
        assert_eq!(config.max_file_size, 1024 * 1024);
        assert_eq!(config.limits, trustlint_engine::lint::Limits::default(), "defaults when unset");
        assert_eq!(config.per_path.len(), 1);
        assert!(config.per_path[0].paths.is_match("test/a/b.tf"));
        assert_eq!(config.severity.get("TL-AWS-029"), Some(&trustlint_engine::Severity::Medium));
    }

    fn error_line(text: &str) -> usize {
        let err = parse(Path::new("trustlint.toml"), text, Some(&ids())).expect_err("invalid");
        let span = err.span.expect("located");
        text[..span.offset()].matches('\n').count() + 1
    }

    #[test]
    fn errors_point_at_the_line() {
        assert_eq!(error_line("[lint]\nselect = [\"TL-AWS\"]\nbogus = 1\n"), 3);
        assert_eq!(error_line("[lint]\n\nignore = [\"TL-NOPE-001\"]\n"), 3);
        assert_eq!(error_line("[lint]\nexclude = [\"a/[\"]\n"), 2);
        assert_eq!(error_line("[lint]\nfail-on = \"sometimes\"\n"), 2);
        assert_eq!(error_line("[lint.severity]\n\"TL-AWS-029\" = \"huge\"\n"), 2);
        assert_eq!(error_line("[lint]\nmax-file-size = \"8 parsecs\"\n"), 2);
        assert_eq!(error_line("[lint]\nmax-file-size = \"99999999999GiB\"\n"), 2);
        assert_eq!(error_line("[lint]\nfail-on = \"low\"\nmax-findings-per-file = 0\n"), 3);
        assert_eq!(error_line("[lint]\nmax-findings-per-file = \"many\"\n"), 2);
        assert_eq!(error_line("[lint]\n\nmax-yaml-alias-nodes = -1\n"), 3);
        assert_eq!(error_line("[lint]\nmax-nesting-depth = 300\n"), 2, "depth can be lowered, not raised");
        assert_eq!(error_line("[lint]\n\nmax-nesting-depth = 0\n"), 3);
        assert_eq!(error_line("[lint]\nmax-line-length = \"long\"\n"), 2);
    }

    #[test]
    fn limits_are_configurable() {
        let text = "[lint]\nmax-findings-per-file = 5\nmax-yaml-alias-nodes = 0\nmax-file-size = 64\n\
                    max-nesting-depth = 64\nmax-line-length = \"1KiB\"\n";
        let config = parse(Path::new("trustlint.toml"), text, Some(&ids())).expect("valid");
        assert_eq!(config.limits.max_findings_per_file, 5);
        assert_eq!(config.limits.yaml_alias_nodes, 0);
        assert_eq!(config.max_file_size, 64);
        assert_eq!((config.limits.nesting_depth, config.limits.line_length), (64, 1024));
        assert_eq!(Config::defaults().limits.max_findings_per_file, 1000);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size(&toml::Value::String("8MiB".into())), Some(8 * 1024 * 1024));
        assert_eq!(parse_size(&toml::Value::String("10 MB".into())), Some(10_000_000));
        assert_eq!(parse_size(&toml::Value::Integer(42)), Some(42));
        assert_eq!(parse_size(&toml::Value::Integer(-1)), None);
    }
}
