//! `trustlint lint`: configuration, rule selection, the walk, filtering, sorting, rendering
//! and the exit code.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use trustlint_engine::finding::{Suppression, SuppressionKind};
use trustlint_engine::lint::{Linter, PARSE_RULE_ID};
use trustlint_engine::rule::RuleMeta;
use trustlint_engine::terraform::VarFile;
use trustlint_engine::{Finding, Severity, SourceFile};

use crate::args::{FailOn, Format, LintArgs};
use crate::config::{self, Config};
use crate::render::{self, BySeverity, EvaluationRecord, Report, Summary};
use crate::select::{self, Selection};
use crate::walk::{self, WalkOptions};
use crate::{baseline, exit, policies};
use trustlint_engine::Target;
use trustlint_engine::lint::Note;

/// What a scan reads and which rules judge it: the options `lint` and `report` share.
pub struct ScanInput<'a> {
    /// Files and directories to scan.
    pub paths: &'a [PathBuf],
    /// `--select`: ids or prefixes (replaces the configured `select` when not empty).
    pub select: &'a [String],
    /// `--ignore`: ids or prefixes (added to the configured `ignore`).
    pub ignore: &'a [String],
    /// `--criteria`: criteria or prefixes a rule must serve.
    pub criteria: &'a [String],
    /// `--config`, else the file discovered from the first path upward.
    pub config: Option<&'a Path>,
    /// `--jobs`.
    pub jobs: Option<usize>,
    /// `--exclude` globs (added to the configured ones).
    pub exclude: &'a [String],
    /// `--no-inline-suppressions`.
    pub no_inline_suppressions: bool,
    /// `--policies` directories (after the configured ones).
    pub policies: &'a [PathBuf],
    /// `--var-file` files (after the configured ones).
    pub var_files: &'a [PathBuf],
    /// `--baseline`: findings it records are kept as suppressed.
    pub baseline: Option<&'a Path>,
    /// Whether every rule evaluation is kept (the JUnit format and the readiness report list
    /// them; building and sorting them is a tenth of a large run, so it is skipped otherwise).
    pub evaluations: bool,
    /// Whether the text of files with findings is kept (the human format shows excerpts).
    pub sources: bool,
}

impl<'a> ScanInput<'a> {
    /// The scan options of `trustlint lint`.
    pub fn of_lint(args: &'a LintArgs) -> Self {
        ScanInput {
            paths: &args.paths,
            select: &args.select,
            ignore: &args.ignore,
            criteria: &args.criteria,
            config: args.config.as_deref(),
            jobs: args.jobs,
            exclude: &args.exclude,
            no_inline_suppressions: args.no_inline_suppressions,
            policies: &args.policies,
            var_files: &args.var_file,
            baseline: args.baseline.as_deref(),
            evaluations: args.format == Format::Junit || args.also.iter().any(|e| e.format == Format::Junit),
            sources: args.format == Format::Human || args.also.iter().any(|e| e.format == Format::Human),
        }
    }
}

/// A finished scan: everything the renderers and the readiness report read.
pub struct Run {
    /// Findings, sorted by file, line, column and rule; suppressed ones included.
    pub findings: Vec<Finding>,
    /// Metadata of every rule that ran (with TL-PARSE-001 and the enabled TL-META rules), by id.
    pub rules: BTreeMap<String, RuleMeta>,
    /// Every rule evaluation, sorted.
    pub evaluations: Vec<EvaluationRecord>,
    /// Files skipped or not fully evaluated, and why.
    pub notes: Vec<Note>,
    /// Counts.
    pub summary: Summary,
    /// Every file linted (module files read through a call excluded), with what it was read as.
    pub files: Vec<(String, Option<Target>)>,
    /// The files with findings, by shown path.
    pub sources: BTreeMap<String, SourceFile>,
    /// The effective configuration.
    pub config: Config,
    /// The configuration file read, if any.
    pub config_path: Option<PathBuf>,
    /// The user policy files loaded, in load order.
    pub policy_files: Vec<PathBuf>,
    /// The exclude globs in force (configured, then `--exclude`).
    pub excludes: Vec<String>,
    /// Files whose lint failed with an internal error (also among `notes`): the run fails.
    pub internal_errors: Vec<Note>,
}

impl Run {
    /// The sources by path, borrowed, as [`Report::sources`] wants them.
    pub fn source_refs(&self) -> BTreeMap<String, &SourceFile> {
        self.sources.iter().map(|(path, source)| (path.clone(), source)).collect()
    }

    /// Print each internal error once on standard error; true when there was any. The report
    /// is complete for every other file, but the run failed.
    pub fn report_internal_errors(&self) -> bool {
        let mut stderr = std::io::stderr().lock();
        for note in &self.internal_errors {
            let _ = writeln!(stderr, "trustlint: {}: {}", note.file, note.reason);
        }
        !self.internal_errors.is_empty()
    }

    /// The view the renderers read.
    pub fn report<'a>(&'a self, sources: &'a BTreeMap<String, &'a SourceFile>) -> Report<'a> {
        Report {
            findings: &self.findings,
            rules: &self.rules,
            sources,
            notes: &self.notes,
            evaluations: &self.evaluations,
            summary: self.summary.clone(),
        }
    }
}

/// What a run produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `trustlint lint`: render findings, exit by severity.
    Lint,
    /// `trustlint baseline`: write the baseline file of today's findings.
    Baseline,
}

/// Run `trustlint lint` (or `trustlint baseline`).
pub fn run(args: &LintArgs, mode: Mode) -> Result<u8> {
    if mode == Mode::Baseline {
        let Some(path) = &args.output else { bail!("`trustlint baseline` needs `--output FILE`") };
        let input =
            ScanInput { baseline: None, sources: false, evaluations: false, ..ScanInput::of_lint(args) };
        let run = scan(&input)?;
        let recorded = baseline::record(&run.findings);
        write_atomically(path, baseline::to_json(&recorded).as_bytes())?;
        let count = run.findings.iter().filter(|f| f.suppressed.is_none()).count();
        eprintln!("trustlint: recorded {count} findings in {}", path.display());
        return Ok(exit::CLEAN);
    }
    let run = scan(&ScanInput::of_lint(args))?;
    let sources = run.source_refs();
    let report = run.report(&sources);
    let text = render::render(args.format, &report, args.output.is_none() && colour_wanted());
    for extra in &args.also {
        write_atomically(&extra.path, render::render(extra.format, &report, false).as_bytes())?;
    }
    match &args.output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            render::write_all(&mut stdout, text.as_bytes()).context("writing the report")?;
        }
    }

    if run.report_internal_errors() {
        return Ok(exit::ERROR);
    }

    let fail_on = args.fail_on.or(run.config.fail_on).unwrap_or(FailOn::Low);
    let failing = run
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .filter(|f| !(args.allow_parse_errors && f.rule == PARSE_RULE_ID))
        .any(|f| fails(fail_on, f.severity));
    Ok(if failing { exit::FINDINGS } else { exit::CLEAN })
}

/// Configuration, rule selection, the walk, per-path ignores, severity overrides and sorting:
/// one scan, as `lint` and `report` both run it.
pub fn scan(input: &ScanInput<'_>) -> Result<Run> {
    let started = Instant::now();
    let config_path = config_path(input);
    // A first read of the configuration only for its policy directories; the ids it names are
    // checked once the user policies are known.
    let early = match &config_path {
        Some(path) => config::load(path, None).map_err(|e| anyhow::Error::new(*e))?,
        None => Config::defaults(),
    };
    let builtin = trustlint_rules::builtin();
    let mut builtin_ids: Vec<String> = builtin.iter().map(|r| r.meta().id.clone()).collect();
    builtin_ids.push(PARSE_RULE_ID.to_string());
    let meta_rules = trustlint_engine::suppress::meta_rules();
    builtin_ids.extend(meta_rules.iter().map(|m| m.id.clone()));
    let policy_dirs: Vec<PathBuf> = early.policies.iter().chain(input.policies).cloned().collect();
    let user = policies::load(&policy_dirs, &builtin_ids).map_err(anyhow::Error::new)?;
    let user_paths: Vec<PathBuf> = user.iter().map(|p| p.path.clone()).collect();
    let mut all_rules: Vec<Box<dyn trustlint_engine::rule::Rule>> = builtin;
    all_rules.extend(user.into_iter().map(|p| Box::new(p.policy) as Box<dyn trustlint_engine::rule::Rule>));
    let known_ids: Vec<String> = all_rules
        .iter()
        .map(|r| r.meta().id.clone())
        .chain([PARSE_RULE_ID.to_string()])
        .chain(meta_rules.iter().map(|m| m.id.clone()))
        .collect();
    for pattern in input.select.iter().chain(input.ignore) {
        if !select::matches_any_rule(pattern, &known_ids) {
            bail!("unknown rule id or prefix `{pattern}` (see `trustlint rules`)");
        }
    }
    let config = match &config_path {
        Some(path) => config::load(path, Some(&known_ids)).map_err(|e| anyhow::Error::new(*e))?,
        None => Config::defaults(),
    };

    let selection = Selection {
        select: if input.select.is_empty() { config.select.clone() } else { input.select.to_vec() },
        ignore: config.ignore.iter().chain(input.ignore).cloned().collect(),
        criteria: input.criteria.to_vec(),
    };
    let parse_meta = trustlint_engine::lint::parse_rule_meta();
    let report_parse_errors = selection.enables(&parse_meta);
    let enabled: Vec<_> = all_rules.into_iter().filter(|r| selection.enables(r.meta())).collect();
    let mut metas: BTreeMap<String, RuleMeta> =
        enabled.iter().map(|r| (r.meta().id.clone(), r.meta().clone())).collect();
    if report_parse_errors {
        metas.insert(parse_meta.id.clone(), parse_meta);
    }
    let enabled_meta: Vec<String> = meta_rules
        .into_iter()
        .filter(|m| !input.no_inline_suppressions && selection.enables(m))
        .map(|m| {
            let id = m.id.clone();
            metas.insert(id.clone(), m);
            id
        })
        .collect();
    let mut linter = Linter::new(enabled, report_parse_errors)
        .with_limits(config.limits)
        .with_inline_suppressions(!input.no_inline_suppressions)
        .with_meta_rules(enabled_meta);
    if let Some(tag) = &config.classification_tag {
        linter = linter.with_classification_key(tag);
    }
    linter = linter.with_var_files(read_var_files(&config, input)?);

    let mut excludes = globset::GlobSetBuilder::new();
    for glob in config.exclude.iter().chain(input.exclude) {
        excludes.add(globset::Glob::new(glob).with_context(|| format!("bad --exclude glob `{glob}`"))?);
    }
    for path in input.paths {
        if !path.exists() {
            bail!("{}: no such file or directory", path.display());
        }
    }
    let options = WalkOptions {
        jobs: input.jobs.unwrap_or(0),
        exclude: excludes.build().context("building the exclude globs")?,
        max_file_size: config.max_file_size,
        keep_sources: input.sources,
        keep_evaluations: input.evaluations,
    };
    let scan = walk::scan(input.paths, &options, &linter);

    let mut findings: Vec<Finding> = Vec::new();
    // Module files read through a call are counted where they are linted on their own.
    let files = scan.reports.iter().filter(|r| r.module_call.is_none()).count();
    let mut summary = Summary { files, ..Summary::default() };
    for report in &scan.reports {
        summary.resources += report.resources;
        findings.extend(report.findings.iter().cloned());
    }
    for finding in &mut findings {
        // Messages quote the files (names, addresses): no control character from a file
        // reaches a terminal, a CI log or a line-oriented format.
        printable(&mut finding.message);
        if let Some(resource) = &mut finding.resource {
            printable(resource);
        }
        if let Some(severity) = config.severity.get(&finding.rule) {
            finding.severity = *severity;
        }
        apply_per_path(&config, finding);
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.span == b.span);
    let mut notes = scan.notes;
    for note in &mut notes {
        printable(&mut note.reason);
    }
    let internal_errors = scan.internal_errors;
    if let Some(path) = input.baseline {
        let recorded = baseline::load(path)?;
        let shown = path.display().to_string();
        for (entry, left) in baseline::apply(&recorded, &shown, &mut findings) {
            let times = if left > 1 { format!(" ({left} times)") } else { String::new() };
            notes.push(Note {
                file: entry.file.clone(),
                reason: format!(
                    "baseline entry {} ({}{}) no longer occurs{times}: remove it from {shown}",
                    entry.fingerprint,
                    entry.rule,
                    entry.resource.as_deref().map(|r| format!(" on {r}")).unwrap_or_default()
                ),
            });
        }
    }

    let mut by_severity = BySeverity::default();
    for finding in findings.iter().filter(|f| f.suppressed.is_none()) {
        by_severity.add(finding.severity);
    }
    summary.suppressed = findings.iter().filter(|f| f.suppressed.is_some()).count();
    summary.findings = findings.len() - summary.suppressed;
    summary.by_severity = by_severity;
    summary.elapsed_ms = started.elapsed().as_millis();

    let rule_ids: Vec<String> = linter.rules().iter().map(|r| r.meta().id.clone()).collect();
    let mut evaluations: Vec<EvaluationRecord> = scan
        .reports
        .iter()
        .flat_map(|r| {
            r.evaluations.iter().map(|e| EvaluationRecord {
                rule: rule_ids.get(e.rule).cloned().unwrap_or_default(),
                file: r.path.clone(),
                resource: e.resource.clone(),
                result: e.result,
            })
        })
        .collect();
    evaluations.sort();
    let files =
        scan.reports.iter().filter(|r| r.module_call.is_none()).map(|r| (r.path.clone(), r.target)).collect();
    let policy_files = user_paths;
    let excludes = config.exclude.iter().chain(input.exclude).cloned().collect();
    let sources = scan.reports.into_iter().filter_map(|r| r.source.map(|s| (s.path.clone(), s))).collect();
    Ok(Run {
        findings,
        rules: metas,
        evaluations,
        notes,
        summary,
        files,
        sources,
        config,
        config_path,
        policy_files,
        excludes,
        internal_errors,
    })
}

/// The configuration file: `--config`, or the one found from the first path upward.
fn config_path(input: &ScanInput<'_>) -> Option<PathBuf> {
    match input.config {
        Some(path) => Some(path.to_path_buf()),
        None => {
            let start = input.paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
            config::discover(&start)
        }
    }
}

/// The Terraform variables files: the configured ones, then `--var-file`, in order.
fn read_var_files(config: &Config, input: &ScanInput<'_>) -> Result<Vec<VarFile>> {
    config
        .var_files
        .iter()
        .chain(input.var_files)
        .map(|path| {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the variables file {shown}"))?;
            VarFile::parse(shown.clone(), &text).map_err(|error| {
                let at = SourceFile::new(shown.clone(), text.as_str()).location(error.span.start);
                anyhow::anyhow!("{shown}:{}:{}: {error}", at.line, at.column)
            })
        })
        .collect()
}

/// Config `per-path` ignores become suppressions of kind `config`: kept and counted, not
/// reported.
fn apply_per_path(config: &Config, finding: &mut Finding) {
    if finding.suppressed.is_some() {
        return;
    }
    for per_path in &config.per_path {
        if per_path.paths.is_match(&finding.file)
            && per_path.ignore.iter().any(|p| select::matches(p, &finding.rule))
        {
            finding.suppressed = Some(Suppression {
                kind: SuppressionKind::Config,
                reason: per_path.reason.clone(),
                expires: None,
            });
            return;
        }
    }
}

/// Replace control characters (escape sequences, carriage returns, line breaks) with U+FFFD.
fn printable(text: &mut String) {
    if text.chars().any(char::is_control) {
        *text = text.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    }
}

fn fails(fail_on: FailOn, severity: Severity) -> bool {
    let threshold = match fail_on {
        FailOn::Never => return false,
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
        FailOn::Critical => Severity::Critical,
    };
    severity >= threshold
}

/// Colour only on a terminal, and never when `NO_COLOR` is set.
fn colour_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Write to a temporary file beside `path`, then rename: readers never see a partial file,
/// and a failed write leaves the previous file (or none) in place. The temporary file is
/// created new (never through an existing file or symbolic link of that name).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let mut attempt = 0u32;
    let (temp, mut file) = loop {
        let temp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => break (temp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e).with_context(|| format!("writing {}", path.display())),
        }
    };
    let result = (|| -> std::io::Result<()> {
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(error).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_is_written_whole_and_never_through_a_planted_name() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("report.json");
        // Whatever sits at the first temporary name is left alone: another name is taken.
        let first = tmp.path().join(format!(".report.json.{}.0.tmp", std::process::id()));
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path().join("victim"), &first).expect("link");
        #[cfg(not(unix))]
        std::fs::write(&first, "in the way").expect("write");
        write_atomically(&out, b"{}\n").expect("written");
        assert_eq!(std::fs::read(&out).expect("read"), b"{}\n");
        assert!(!tmp.path().join("victim").exists(), "nothing written through the link");
        let names: Vec<String> = std::fs::read_dir(tmp.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "the output and the planted name only: {names:?}");
        assert!(write_atomically(&tmp.path().join("no/such/dir.json"), b"x").is_err());
    }

    #[test]
    fn control_characters_are_not_printed() {
        let mut text = String::from("bucket `a\u{1b}[2Jb`\nnext\u{7}");
        printable(&mut text);
        assert_eq!(text, "bucket `a\u{fffd}[2Jb`\u{fffd}next\u{fffd}");
    }
}
