//! `trustlint report`: the SOC 2 readiness report (CATALOGUE.md §8). The same scan as
//! `trustlint lint`, turned into evidence: the run's identity, a per-criterion table, the
//! exceptions register, every finding, the population and the coverage appendices, in
//! markdown, self-contained HTML or schema-versioned JSON.

mod criteria;
mod evidence;
mod html;
mod identity;
mod markdown;

use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::exit;
use crate::lint::{self, ScanInput};
use crate::render;

/// Formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown, for a repository or a wiki.
    Markdown,
    /// One self-contained HTML page (inline CSS, no script), fit to print.
    Html,
    /// The canonical, schema-versioned JSON.
    Json,
}

/// Options of `report`: the scan options of `lint`, and where to write.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Files and directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    /// Ignore inline suppressions: every finding counts as an exception.
    #[arg(long)]
    pub no_inline_suppressions: bool,
    /// Load your own policies from this directory or file (repeatable).
    #[arg(long, value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Terraform variables file applied to every root module (repeatable, in order).
    #[arg(long, value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
    /// Findings recorded in this baseline file are reported as accepted exceptions.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

impl ReportArgs {
    fn scan_input(&self) -> ScanInput<'_> {
        ScanInput {
            paths: &self.paths,
            select: &self.select,
            ignore: &self.ignore,
            criteria: &self.criteria,
            config: self.config.as_deref(),
            jobs: self.jobs,
            exclude: &self.exclude,
            no_inline_suppressions: self.no_inline_suppressions,
            policies: &self.policies,
            var_files: &self.var_file,
            baseline: self.baseline.as_deref(),
            evaluations: true,
            sources: false,
        }
    }
}

/// Run `trustlint report`. The exit code is 0 once the report is written, whatever it
/// contains: gating a build is `trustlint lint`'s job.
pub fn run(args: &ReportArgs) -> Result<u8> {
    let started = SystemTime::now();
    let run = lint::scan(&args.scan_input())?;
    let identity = identity::collect(&run, &args.paths, started);
    let selection_select =
        if args.select.is_empty() { run.config.select.clone() } else { args.select.clone() };
    let scope = evidence::Scope {
        statement: evidence::SCOPE_STATEMENT,
        determinism: evidence::DETERMINISM_NOTE,
        paths: args.paths.iter().map(|p| p.display().to_string()).collect(),
        select: selection_select,
        ignore: run.config.ignore.iter().chain(&args.ignore).cloned().collect(),
        criteria: args.criteria.clone(),
        inline_suppressions: !args.no_inline_suppressions,
        excludes: run.excludes.clone(),
    };
    let evidence = evidence::build(&run, identity, scope);
    let text = match args.format {
        ReportFormat::Markdown => markdown::render(&evidence),
        ReportFormat::Html => html::render(&evidence),
        ReportFormat::Json => json(&evidence)?,
    };
    match &args.output {
        Some(path) => lint::write_atomically(path, text.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            render::write_all(&mut stdout, text.as_bytes()).context("writing the report")?;
        }
    }
    // Evidence with files that could not be judged is not evidence: the run fails.
    Ok(if run.report_internal_errors() { exit::ERROR } else { exit::CLEAN })
}

/// The JSON format: the evidence itself, pretty-printed.
fn json(evidence: &evidence::Evidence) -> Result<String> {
    let mut text = serde_json::to_string_pretty(evidence).context("serialising the report")?;
    text.push('\n');
    Ok(text)
}
