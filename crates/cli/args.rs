//! The command line, declared once: help text and completions come from here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Policy-as-code linter for infrastructure repositories, mapped to the SOC 2 Trust Services
/// Criteria.
#[derive(Debug, Parser)]
#[command(name = "trustlint", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (default: the current directory).
    Lint(Box<LintArgs>),
    /// List the rules.
    Rules(RulesArgs),
    /// Print a rule's full documentation.
    Explain(ExplainArgs),
    /// Run your policies against their fixtures (`fixtures/<ID>/` beside them).
    TestPolicies(TestPoliciesArgs),
    /// Record today's findings in a baseline file (`--output FILE`), so that
    /// `lint --baseline FILE` reports only new ones.
    Baseline(Box<LintArgs>),
    /// Write a commented starter trustlint.toml in the current directory.
    Init(crate::init::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(crate::completions::CompletionsArgs),
    /// Write a SOC 2 readiness report (markdown, HTML or JSON) of files and directories.
    Report(Box<crate::report::ReportArgs>),
}

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with source excerpts, for people.
    Human,
    /// One line per finding: `path:line:col: RULE-ID [severity] message`.
    Concise,
    /// The canonical machine format (schema_version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: a test suite per rule, a test case per resource.
    Junit,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// A markdown summary for pull-request comments and job summaries.
    Markdown,
}

/// `FORMAT=FILE`: another output written in the same run.
#[derive(Debug, Clone)]
pub struct ExtraOutput {
    /// The format.
    pub format: Format,
    /// Where to write it.
    pub path: PathBuf,
}

fn extra_output(text: &str) -> Result<ExtraOutput, String> {
    let (format, path) = text.split_once('=').ok_or("expected FORMAT=FILE, e.g. sarif=trustlint.sarif")?;
    let format = Format::from_str(format, true).map_err(|_| format!("unknown format `{format}`"))?;
    if path.is_empty() {
        return Err("expected FORMAT=FILE with a file name".into());
    }
    Ok(ExtraOutput { format, path: PathBuf::from(path) })
}

/// The lowest severity that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Critical findings only.
    Critical,
    /// High and above.
    High,
    /// Medium and above.
    Medium,
    /// Any finding.
    Low,
    /// Never fail on findings.
    Never,
}

/// Options of `lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files and directories to lint.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write another format to a file in the same run (repeatable), e.g.
    /// `--also sarif=trustlint.sarif --also junit=junit.xml`.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = extra_output)]
    pub also: Vec<ExtraOutput>,
    /// Exit with 1 when a finding at or above this severity remains.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Only these rules (ids or prefixes such as TL-AWS), comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "ID|PREFIX")]
    pub select: Vec<String>,
    /// Skip these rules (ids or prefixes), comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "ID|PREFIX")]
    pub ignore: Vec<String>,
    /// Only rules serving these SOC 2 criteria (CC6.1, or a prefix such as CC6 or A1).
    #[arg(long, value_delimiter = ',', value_name = "CRITERION")]
    pub criteria: Vec<String>,
    /// Configuration file (default: trustlint.toml or .trustlint.toml, from the scan root up to
    /// the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Number of threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Skip paths matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Do not fail the run on files that cannot be parsed (they are still reported).
    #[arg(long)]
    pub allow_parse_errors: bool,
    /// Report only findings not recorded in this baseline file (see `trustlint baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Ignore inline suppressions (comments and annotations): every finding is reported, as
    /// an audit wants.
    #[arg(long)]
    pub no_inline_suppressions: bool,
    /// Load your own policies from this directory or file (repeatable).
    #[arg(long, value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Terraform variables file applied to every root module, after its terraform.tfvars,
    /// *.auto.tfvars and the configured `[terraform] var-files` (repeatable, in order).
    #[arg(long, value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
}

/// Options of `test-policies`.
#[derive(Debug, Args)]
pub struct TestPoliciesArgs {
    /// Directories (or files) of policies; fixtures live in `fixtures/<ID>/` beside them.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
}

/// Formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// An aligned table.
    Table,
    /// A JSON array, one object per rule.
    Json,
    /// A markdown reference.
    Markdown,
}

/// Options of `rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// Only rules of this platform (aws, k8s, docker, compose, gha, secret, ...).
    #[arg(long)]
    pub platform: Option<String>,
    /// Only rules serving these criteria (ids or prefixes).
    #[arg(long, value_delimiter = ',')]
    pub criteria: Vec<String>,
}

/// Options of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id (`TL-AWS-029`) or name (`rds-storage-unencrypted`).
    pub rule: String,
}
