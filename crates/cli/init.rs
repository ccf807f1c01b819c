//! `trustlint init`: write a commented starter `trustlint.toml` in the current directory,
//! every key set to its default and explained, with examples of the keys that have none.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::exit;

/// The file `init` writes.
pub const FILE_NAME: &str = "trustlint.toml";

/// Names a configuration may already have here: writing beside `.trustlint.toml` would shadow
/// it silently.
const EXISTING: [&str; 2] = [FILE_NAME, ".trustlint.toml"];

/// Options of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing trustlint.toml (and shadow an existing .trustlint.toml).
    #[arg(long)]
    pub force: bool,
}

/// The starter's settings, each at its default.
const SETTINGS: &str = r#"# trustlint configuration, found by `trustlint lint` from the scanned path upward to the
# repository root (`--config FILE` names another). Every value below is the default: delete
# what you do not change. Unknown keys, bad globs and unknown rule ids are errors that point
# at their line. `trustlint rules` lists the rule ids; `trustlint explain ID` documents one.

[lint]
# Rules to run: ids (TL-AWS-029) or prefixes (TL-AWS, TL-K8S). Empty: every rule.
# `--select` on the command line replaces this list.
select = []

# Rules to skip: ids or prefixes. `--ignore` adds to this list.
ignore = []

# Lowest severity that makes `trustlint lint` exit with 1: critical, high, medium, low, or
# never (report only). `--fail-on` overrides it.
fail-on = "low"

# Paths not to lint, as globs relative to the scanned path (e.g. "examples/**"). Files
# ignored by .gitignore, .ignore and .trustlintignore are skipped as well.
exclude = []

# Directories (or files) of your own policies, relative to this file (e.g. "policies/").
policies = []

# Larger files are skipped with a note: a number of bytes, or a size such as "512KiB".
max-file-size = "8MiB"

# Tag that says how sensitive a data store is (confidential, restricted, pii, phi); rules
# about classified data read it.
classification-tag = "data_classification"

[terraform]
# Variables files applied to every root module, in order, after its terraform.tfvars and
# *.auto.tfvars, relative to this file. `--var-file` adds more.
var-files = []
"#;

/// Examples of the keys with no default, written commented out.
const EXAMPLES: &str = r#"[[lint.per-path]]
paths = ["test/**", "**/testdata/**"]
ignore = ["TL-SECRET"]
reason = "fixtures carry fake keys"

[lint.severity]
"TL-AWS-021" = "high"
"#;

/// The commentary above the commented examples.
const EXAMPLES_INTRO: &str = "
# Ignores for some paths only: findings there are kept as suppressed, with the reason, in
# the JSON and SARIF reports (repeat the table for more). Severity overrides by rule id.
# Uncomment and adapt:
";

/// The starter file's text.
pub fn starter() -> String {
    let mut text = String::from(SETTINGS);
    text.push_str(EXAMPLES_INTRO);
    for line in EXAMPLES.lines() {
        if line.is_empty() {
            text.push_str("#\n");
        } else {
            text.push_str("# ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

/// Run `trustlint init` in the current directory.
pub fn run(args: &InitArgs) -> Result<u8> {
    write_starter(Path::new("."), args.force)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "wrote {FILE_NAME}: every key is at its default; edit what you need")
        .context("writing to standard output")?;
    Ok(exit::CLEAN)
}

/// Write the starter into `dir`, refusing to replace a configuration unless `force`.
fn write_starter(dir: &Path, force: bool) -> Result<()> {
    if !force && let Some(existing) = EXISTING.iter().find(|name| dir.join(name).exists()) {
        bail!("{existing} already exists; pass --force to overwrite it");
    }
    let path = dir.join(FILE_NAME);
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    // Without --force the file is created only if absent, even if one appeared meanwhile.
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(&path).with_context(|| format!("writing {FILE_NAME}"))?;
    file.write_all(starter().as_bytes()).with_context(|| format!("writing {FILE_NAME}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn known_ids() -> Vec<String> {
        trustlint_rules::builtin().iter().map(|r| r.meta().id.clone()).collect()
    }

    #[test]
    fn the_starter_loads_and_equals_the_defaults() {
        let ids = known_ids();
        let loaded = config::parse(Path::new(FILE_NAME), &starter(), Some(&ids)).expect("loads");
        let defaults = config::Config::defaults();
        assert!(loaded.select.is_empty() && loaded.ignore.is_empty() && loaded.exclude.is_empty());
        assert!(loaded.policies.is_empty() && loaded.var_files.is_empty() && loaded.per_path.is_empty());
        assert_eq!(loaded.fail_on, Some(crate::args::FailOn::Low));
        assert_eq!(loaded.max_file_size, defaults.max_file_size);
        assert_eq!(
            loaded.classification_tag.as_deref(),
            Some(trustlint_engine::model::classification::DEFAULT_KEY)
        );
    }

    #[test]
    fn the_commented_examples_are_valid_too() {
        let ids = known_ids();
        let text = format!("{SETTINGS}\n{EXAMPLES}");
        let loaded = config::parse(Path::new(FILE_NAME), &text, Some(&ids)).expect("loads");
        assert_eq!(loaded.per_path.len(), 1);
        assert!(loaded.severity.contains_key("TL-AWS-021"));
        // And they are in the starter, commented out.
        assert!(starter().contains("# \"TL-AWS-021\" = \"high\"\n"));
    }

    #[test]
    fn every_key_of_the_configuration_is_documented() {
        let text = starter();
        for key in [
            "select",
            "ignore",
            "fail-on",
            "exclude",
            "policies",
            "max-file-size",
            "classification-tag",
            "var-files",
            "[[lint.per-path]]",
            "[lint.severity]",
        ] {
            assert!(text.contains(key), "{key} is missing from the starter");
        }
    }

    #[test]
    fn an_existing_configuration_is_kept_unless_forced() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(".trustlint.toml"), "[lint]\n").expect("write");
        let error = write_starter(dir.path(), false).expect_err("refused");
        assert!(error.to_string().contains(".trustlint.toml already exists"), "{error}");
        assert!(!dir.path().join(FILE_NAME).exists());
        write_starter(dir.path(), true).expect("forced");
        let written = std::fs::read_to_string(dir.path().join(FILE_NAME)).expect("read");
        assert_eq!(written, starter());
    }
}
