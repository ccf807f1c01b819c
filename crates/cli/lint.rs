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
use crate::{exit, policies};

/// Run `trustlint lint`.
pub fn run(args: &LintArgs) -> Result<u8> {
    let started = Instant::now();
    let config_path = config_path(args);
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
    let policy_dirs: Vec<PathBuf> = early.policies.iter().chain(&args.policies).cloned().collect();
    let user = policies::load(&policy_dirs, &builtin_ids).map_err(anyhow::Error::new)?;
    let mut all_rules: Vec<Box<dyn trustlint_engine::rule::Rule>> = builtin;
    all_rules.extend(user.into_iter().map(|p| Box::new(p.policy) as Box<dyn trustlint_engine::rule::Rule>));
    let known_ids: Vec<String> = all_rules
        .iter()
        .map(|r| r.meta().id.clone())
        .chain([PARSE_RULE_ID.to_string()])
        .chain(meta_rules.iter().map(|m| m.id.clone()))
        .collect();
    for pattern in args.select.iter().chain(&args.ignore) {
        if !select::matches_any_rule(pattern, &known_ids) {
            bail!("unknown rule id or prefix `{pattern}` (see `trustlint rules`)");
        }
    }
    let config = match &config_path {
        Some(path) => config::load(path, Some(&known_ids)).map_err(|e| anyhow::Error::new(*e))?,
        None => Config::defaults(),
    };

    let selection = Selection {
        select: if args.select.is_empty() { config.select.clone() } else { args.select.clone() },
        ignore: config.ignore.iter().chain(&args.ignore).cloned().collect(),
        criteria: args.criteria.clone(),
    };
    let parse_meta = trustlint_engine::lint::parse_rule_meta();
    let report_parse_errors = selection.enables(&parse_meta);
    let enabled: Vec<_> = all_rules.into_iter().filter(|r| selection.enables(r.meta())).collect();
    let mut metas: BTreeMap<String, RuleMeta> =
        enabled.iter().map(|r| (r.meta().id.clone(), r.meta().clone())).collect();
    metas.insert(parse_meta.id.clone(), parse_meta);
    let enabled_meta: Vec<String> = meta_rules
        .into_iter()
        .filter(|m| !args.no_inline_suppressions && selection.enables(m))
        .map(|m| {
            let id = m.id.clone();
            metas.insert(id.clone(), m);
            id
        })
        .collect();
    let mut linter = Linter::new(enabled, report_parse_errors)
        .with_inline_suppressions(!args.no_inline_suppressions)
        .with_meta_rules(enabled_meta);
    if let Some(tag) = &config.classification_tag {
        linter = linter.with_classification_key(tag);
    }
    linter = linter.with_var_files(read_var_files(&config, args)?);

    let mut excludes = globset::GlobSetBuilder::new();
    for glob in config.exclude.iter().chain(&args.exclude) {
        excludes.add(globset::Glob::new(glob).with_context(|| format!("bad --exclude glob `{glob}`"))?);
    }
    for path in &args.paths {
        if !path.exists() {
            bail!("{}: no such file or directory", path.display());
        }
    }
    let options = WalkOptions {
        jobs: args.jobs.unwrap_or(0),
        exclude: excludes.build().context("building the exclude globs")?,
        max_file_size: config.max_file_size,
    };
    let scan = walk::scan(&args.paths, &options, &linter);

    let mut findings: Vec<Finding> = Vec::new();
    // Module files read through a call are counted where they are linted on their own.
    let files = scan.reports.iter().filter(|r| r.module_call.is_none()).count();
    let mut summary = Summary { files, ..Summary::default() };
    for report in &scan.reports {
        summary.resources += report.resources;
        findings.extend(report.findings.iter().cloned());
    }
    for finding in &mut findings {
        if let Some(severity) = config.severity.get(&finding.rule) {
            finding.severity = *severity;
        }
        apply_per_path(&config, finding);
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.span == b.span);

    let mut by_severity = BySeverity::default();
    for finding in findings.iter().filter(|f| f.suppressed.is_none()) {
        by_severity.add(finding.severity);
    }
    summary.suppressed = findings.iter().filter(|f| f.suppressed.is_some()).count();
    summary.findings = findings.len() - summary.suppressed;
    summary.by_severity = by_severity;
    summary.elapsed_ms = started.elapsed().as_millis();

    let rule_ids: Vec<String> = linter.rules().iter().map(|r| r.meta().id.clone()).collect();
    // One record per rule and resource: only the JUnit report lists them, and building and
    // sorting them was a tenth of a large run's time, all of it on one thread.
    let junit = args.format == Format::Junit || args.also.iter().any(|extra| extra.format == Format::Junit);
    let mut evaluations: Vec<EvaluationRecord> = scan
        .reports
        .iter()
        .filter(|_| junit)
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
    let sources: BTreeMap<String, &SourceFile> =
        scan.reports.iter().filter_map(|r| r.source.as_ref().map(|s| (s.path.clone(), s))).collect();
    let report = Report {
        findings: &findings,
        rules: &metas,
        sources: &sources,
        notes: &scan.notes,
        evaluations: &evaluations,
        summary,
    };
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

    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Low);
    let failing = findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .filter(|f| !(args.allow_parse_errors && f.rule == PARSE_RULE_ID))
        .any(|f| fails(fail_on, f.severity));
    Ok(if failing { exit::FINDINGS } else { exit::CLEAN })
}

/// The configuration file: `--config`, or the one found from the first path upward.
fn config_path(args: &LintArgs) -> Option<PathBuf> {
    match &args.config {
        Some(path) => Some(path.clone()),
        None => {
            let start = args.paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
            config::discover(&start)
        }
    }
}

/// The Terraform variables files: the configured ones, then `--var-file`, in order.
fn read_var_files(config: &Config, args: &LintArgs) -> Result<Vec<VarFile>> {
    config
        .var_files
        .iter()
        .chain(&args.var_file)
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

/// Write to a temporary file beside `path`, then rename: readers never see a partial file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(error).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}
