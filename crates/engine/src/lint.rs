//! Linting one file: classify, parse, model, evaluate every bound rule, and turn outcomes
//! into located findings.

use std::collections::HashMap;

use crate::classify::{self, PathKind};
use crate::document::Syntax;
use crate::finding::{Finding, Severity, mask_secret};
use crate::model;
use crate::parse::{self, ParseError};
use crate::rule::{
    Binding, CheckResult, FileContext, Outcome, References, Rule, RuleMeta, Scope, WORKLOAD_KINDS,
};
use crate::terraform::{self, ModuleLoader, VarFile};
use crate::{Resource, SourceFile, Span, Target, suppress};

/// The id of the finding reported for a file that cannot be parsed.
pub const PARSE_RULE_ID: &str = "TL-PARSE-001";

/// Metadata of the parse-failure finding, so it can be listed, selected and explained like a
/// rule.
pub fn parse_rule_meta() -> RuleMeta {
    RuleMeta {
        id: PARSE_RULE_ID.into(),
        name: "parse-error".into(),
        title: "File cannot be parsed".into(),
        severity: Severity::High,
        criteria: vec!["CC7.1".into()],
        help: "Fix the syntax error: until the file parses, no rule can judge it.".into(),
        description:
            "## What it checks\nEvery file trustlint recognises (Terraform, YAML, JSON, Dockerfile, \
dotenv) must parse. A file that does not is reported at the error's location and the scan goes on.\n\n\
## Why it matters (CC7.1)\nA configuration that cannot be read cannot be evaluated: its controls are \
unverified, and the tools that deploy it will usually reject it too.\n\n## Fix\nCorrect the syntax \
at the reported line, or exclude the file if it is not configuration (for example a template)."
                .into(),
        references: References::default(),
        bindings: Vec::new(),
    }
}

/// Findings reported for one file at most, unless configured otherwise.
pub const DEFAULT_MAX_FINDINGS_PER_FILE: usize = 1000;

/// Default of [`Limits::line_length`]: as large as the default file size cap, so that by
/// default no file is skipped for its lines (every step is linear in line length, and a
/// minified file may still hold a committed secret); a configuration lowers it to skip
/// minified and generated files.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 8 * 1024 * 1024;

/// Bytes of a finding's source kept in its snippet (and so in its fingerprint): a finding on a
/// very long line costs no more than any other.
pub const SNIPPET_BYTES: usize = 1024;

/// What one file may cost. Reaching a limit is reported (a note, or a parse error at the
/// place), never a crash or a silent omission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Findings reported for one file at most: the first ones in file order are kept, and a
    /// note counts the others (`max-findings-per-file`).
    pub max_findings_per_file: usize,
    /// Nodes YAML aliases may create in one file; an alias past it is a parse error located
    /// at the alias (`max-yaml-alias-nodes`).
    pub yaml_alias_nodes: usize,
    /// Resources that relations between resources may compare in one unit (a directory);
    /// past it, the verdicts that needed more are unknown and a note says so
    /// (`max-relation-checks`).
    pub relation_checks: usize,
    /// Nesting the parsers accept, at most [`parse::MAX_DEPTH`]; deeper is a parse error
    /// located at the first bracket or indentation too deep (`max-nesting-depth`).
    pub nesting_depth: usize,
    /// Bytes one line may hold; a file with a longer line is skipped and listed with the
    /// line (`max-line-length`).
    pub line_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_findings_per_file: DEFAULT_MAX_FINDINGS_PER_FILE,
            yaml_alias_nodes: parse::yaml::ALIAS_BUDGET,
            relation_checks: crate::rule::DEFAULT_RELATION_BUDGET,
            nesting_depth: parse::MAX_DEPTH,
            line_length: DEFAULT_MAX_LINE_LENGTH,
        }
    }
}

/// Why a file was not linted, or what in it was not evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The file.
    pub file: String,
    /// The reason, for people.
    pub reason: String,
}

/// One rule's verdict on one resource: the population a report samples from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Index of the rule in the linter's rule list.
    pub rule: usize,
    /// Address of the resource.
    pub resource: String,
    /// The verdict.
    pub result: CheckResult,
}

/// Everything learnt from one file.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// Findings, unsorted.
    pub findings: Vec<Finding>,
    /// What the file was read as, when it was modelled.
    pub target: Option<Target>,
    /// Number of resources modelled (the whole-file resource of the secret scanners excluded).
    pub resources: usize,
    /// Every rule evaluation.
    pub evaluations: Vec<Evaluation>,
    /// Set when the file was skipped.
    pub note: Option<Note>,
    /// Whether the file was read at all (false for lock files and other ignored files).
    pub linted: bool,
    /// The path as shown in findings.
    pub path: String,
    /// The file, kept when it has findings so renderers can show source excerpts.
    pub source: Option<SourceFile>,
    /// Set on a report that follows the unit's own: a file of a local module as this call
    /// instantiated it (its findings are on `module.<call>....` resources).
    pub module_call: Option<terraform::ModuleCall>,
    /// What could not be evaluated in this file although it was linted (a remote module).
    pub notes: Vec<Note>,
}

/// The rules to run, indexed by target and resource type.
pub struct Linter {
    classification_key: String,
    rules: Vec<Box<dyn Rule>>,
    dispatch: HashMap<(Target, String), Vec<usize>>,
    wildcard: HashMap<Target, Vec<usize>>,
    parse_errors: bool,
    var_files: Vec<VarFile>,
    /// Whether inline suppressions (comments, annotations) are honoured.
    inline_suppressions: bool,
    /// Which of TL-META-001/002 are reported.
    meta_rules: Vec<String>,
    /// Today (`YYYY-MM-DD`), for suppression expiry.
    today: String,
    /// What one file may cost.
    limits: Limits,
}

impl Linter {
    /// A linter for these rules; `parse_errors` says whether TL-PARSE-001 is reported.
    pub fn new(rules: Vec<Box<dyn Rule>>, parse_errors: bool) -> Self {
        let mut dispatch: HashMap<(Target, String), Vec<usize>> = HashMap::new();
        let mut wildcard: HashMap<Target, Vec<usize>> = HashMap::new();
        for (index, rule) in rules.iter().enumerate() {
            for Binding { target, resources } in &rule.meta().bindings {
                for kind in resources {
                    match kind.as_str() {
                        "*" => wildcard.entry(*target).or_default().push(index),
                        "@workload" => {
                            for k in WORKLOAD_KINDS {
                                dispatch.entry((*target, k.to_string())).or_default().push(index);
                            }
                        }
                        k => dispatch.entry((*target, k.to_string())).or_default().push(index),
                    }
                }
            }
        }
        for list in dispatch.values_mut().chain(wildcard.values_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        Linter {
            classification_key: model::classification::DEFAULT_KEY.to_string(),
            rules,
            dispatch,
            wildcard,
            parse_errors,
            var_files: Vec::new(),
            inline_suppressions: true,
            meta_rules: vec![suppress::NO_REASON_ID.into(), suppress::UNUSED_ID.into()],
            today: suppress::today(),
            limits: Limits::default(),
        }
    }

    /// Use these limits instead of the defaults.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Honour inline suppressions or not (`--no-inline-suppressions`, for audits).
    pub fn with_inline_suppressions(mut self, honour: bool) -> Self {
        self.inline_suppressions = honour;
        self
    }

    /// Which suppression findings (TL-META-001, TL-META-002) are reported.
    pub fn with_meta_rules(mut self, ids: Vec<String>) -> Self {
        self.meta_rules = ids;
        self
    }

    /// Apply these Terraform variables files (`--var-file`, `[terraform] var-files`), in
    /// order, to every root module, after its `terraform.tfvars` and `*.auto.tfvars`.
    pub fn with_var_files(mut self, var_files: Vec<VarFile>) -> Self {
        self.var_files = var_files;
        self
    }

    /// Use another tag key for the data-classification convention.
    pub fn with_classification_key(mut self, key: impl Into<String>) -> Self {
        self.classification_key = key.into();
        self
    }

    /// The rules, in the order evaluations refer to them.
    pub fn rules(&self) -> &[Box<dyn Rule>] {
        &self.rules
    }

    /// Whether any rule is bound to a target (used to skip parsing what nobody reads).
    fn wants(&self, target: Target) -> bool {
        self.wildcard.contains_key(&target) || self.dispatch.keys().any(|(t, _)| *t == target)
    }

    /// Lint one file from its relative path and bytes.
    pub fn lint(&self, path: &str, bytes: &[u8]) -> FileReport {
        self.lint_unit(vec![(path.to_string(), bytes.to_vec())]).into_iter().next().unwrap_or_default()
    }

    /// Lint files that are evaluated together (a Terraform module, a directory of manifests):
    /// relations see every resource of the unit. Reports come back in the input order.
    /// Local Terraform modules are not read (see [`Linter::lint_unit_with`]).
    pub fn lint_unit(&self, files: Vec<(String, Vec<u8>)>) -> Vec<FileReport> {
        self.lint_unit_with(files, &terraform::NoModules)
    }

    /// [`Linter::lint_unit`], reading the local modules the unit's Terraform calls through
    /// `modules`. The reports of the unit's files come first, in the input order; then one
    /// per file of a module instance that has resources or notes, with
    /// [`FileReport::module_call`] set.
    pub fn lint_unit_with(
        &self,
        files: Vec<(String, Vec<u8>)>,
        modules: &dyn ModuleLoader,
    ) -> Vec<FileReport> {
        let mut reports = Vec::with_capacity(files.len());
        let mut parsed: Vec<Option<(SourceFile, Syntax)>> = Vec::with_capacity(files.len());
        for (path, bytes) in files {
            let (report, file) = self.read(&path, &bytes);
            reports.push(report);
            parsed.push(file);
        }
        merge_compose(&mut parsed, &reports);
        // Terraform: the unit's files are one module, evaluated as a whole with the local
        // modules it calls, whose files' reports follow the unit's (see `terraform`).
        let unit_len = parsed.len();
        let terraform_unit =
            if self.wants(Target::Terraform) { terraform::unit_files(&parsed) } else { Vec::new() };
        let module_files = terraform::Modules::load(&terraform_unit, modules);
        let evaluation = terraform::evaluate(&terraform_unit, &module_files, &self.var_files);
        reports.extend(evaluation.instance_reports(&module_files));
        for (place, note) in &evaluation.notes {
            let index = match *place {
                terraform::Place::Unit(index) => index,
                terraform::Place::Instance(k) => unit_len + k,
            };
            if let Some(report) = reports.get_mut(index) {
                report.notes.push(note.clone());
            }
        }
        let mut resources = evaluation.model(unit_len);
        for resource in &resources {
            if let Some(report) = reports.get_mut(resource.file) {
                report.resources += 1;
            }
        }
        for (index, file) in parsed.iter().enumerate() {
            let Some((source, syntax)) = file else { continue };
            let Some(report) = reports.get_mut(index) else { continue };
            if !terraform_unit.is_empty() && report.target == Some(Target::Terraform) {
                continue;
            }
            let modelled = self.model(source, syntax, report.target);
            report.resources = modelled.len();
            resources.extend(modelled.into_iter().map(|mut r| {
                r.file = index;
                r
            }));
        }
        model::classification::assign(&mut resources, &self.classification_key);
        let scope = Scope::new(&resources).with_budget(self.limits.relation_checks);
        for resource in scope.resources() {
            let file = match parsed.get(resource.file) {
                Some(file) => file.as_ref().map(|(source, syntax)| (source, syntax)),
                None => evaluation.instance_file(resource.file - unit_len, &module_files),
            };
            let Some((source, syntax)) = file else { continue };
            let Some(report) = reports.get_mut(resource.file) else { continue };
            let file = FileContext { source, syntax, scope: &scope };
            self.evaluate(resource, &file, report);
        }
        if self.wants(Target::Text) {
            for (index, file) in parsed.iter().enumerate() {
                let Some((source, syntax)) = file else { continue };
                let Some(report) = reports.get_mut(index) else { continue };
                let whole = Resource::bare(Target::Text, "file", source.path.clone(), Span::point(0), 0);
                let file = FileContext { source, syntax, scope: &scope };
                self.evaluate(&whole, &file, report);
            }
        }
        if self.inline_suppressions {
            for (index, file) in parsed.iter().enumerate() {
                let Some((source, syntax)) = file else { continue };
                let Some(report) = reports.get_mut(index) else { continue };
                let heads: Vec<suppress::Head<'_>> = resources
                    .iter()
                    .filter(|r| r.file == index)
                    .map(|r| suppress::Head {
                        address: &r.address,
                        line: source.location(r.span.start).line,
                        body: r.body.filter(|_| r.target == Target::Kubernetes),
                    })
                    .collect();
                let enabled = |pattern: &str| {
                    self.rules.iter().any(|r| {
                        let id = &r.meta().id;
                        id == pattern
                            || (id.starts_with(pattern) && id.as_bytes().get(pattern.len()) == Some(&b'-'))
                    })
                };
                let meta_enabled = |id: &str| self.meta_rules.iter().any(|m| m == id);
                suppress::apply(
                    source,
                    syntax.comments(),
                    &heads,
                    &mut report.findings,
                    &enabled,
                    &meta_enabled,
                    &self.today,
                );
            }
        }
        if scope.denied() > 0 {
            let budget = self.limits.relation_checks;
            for report in reports.iter_mut().take(unit_len).filter(|r| r.resources > 0) {
                report.notes.push(Note {
                    file: report.path.clone(),
                    reason: format!(
                        "relations between resources not fully evaluated: their directory needs more than \
                         {budget} comparisons (max-relation-checks); the verdicts that needed more are unknown"
                    ),
                });
            }
        }
        for report in &mut reports {
            self.cap_findings(report);
        }
        drop(scope);
        drop(resources);
        for (k, report) in reports.iter_mut().enumerate().skip(unit_len) {
            if !report.findings.is_empty() {
                report.source =
                    evaluation.instance_file(k - unit_len, &module_files).map(|(source, _)| source.clone());
            }
        }
        drop(evaluation);
        for (report, file) in reports.iter_mut().zip(parsed) {
            if !report.findings.is_empty() {
                report.source = file.map(|(source, _)| source);
            }
        }
        let mut index = 0;
        reports.retain(|report| {
            index += 1;
            index <= unit_len || report.resources > 0 || !report.notes.is_empty()
        });
        reports
    }

    /// Keep the first [`Limits::max_findings_per_file`] findings of a report, in file order,
    /// and say how many were left out.
    fn cap_findings(&self, report: &mut FileReport) {
        let cap = self.limits.max_findings_per_file;
        if report.findings.len() <= cap {
            return;
        }
        report.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let left_out = report.findings.len() - cap;
        report.findings.truncate(cap);
        report.notes.push(Note {
            file: report.path.clone(),
            reason: format!(
                "{left_out} more findings not reported: at most {cap} per file (max-findings-per-file)"
            ),
        });
    }

    /// Classify, decode and parse one file.
    fn read(&self, path: &str, bytes: &[u8]) -> (FileReport, Option<(SourceFile, Syntax)>) {
        let kind = classify::by_path(path);
        if kind == PathKind::Ignored {
            return (FileReport { path: path.to_string(), ..FileReport::default() }, None);
        }
        let text = match decode(bytes, kind) {
            Ok(text) => text,
            Err(Unreadable::Binary) if kind == PathKind::Text => {
                // Images, archives and other assets are not text: nothing to say about them.
                return (FileReport { path: path.to_string(), ..FileReport::default() }, None);
            }
            Err(unreadable) => {
                let note = Note { file: path.to_string(), reason: unreadable.reason() };
                return (
                    FileReport { note: Some(note), path: path.to_string(), ..FileReport::default() },
                    None,
                );
            }
        };
        if let Some((line, length)) = line_longer_than(&text, self.limits.line_length) {
            let reason = format!(
                "skipped: line {line} is {length} bytes long, more than max-line-length ({} bytes)",
                self.limits.line_length
            );
            let note = Note { file: path.to_string(), reason };
            return (FileReport { note: Some(note), path: path.to_string(), ..FileReport::default() }, None);
        }
        let source = SourceFile::new(path, text);
        let mut report = FileReport { linted: true, path: path.to_string(), ..FileReport::default() };
        let syntax =
            parse::with_depth_limit(self.limits.nesting_depth, || self.parse(&source, kind, &mut report))
                .unwrap_or(Syntax::Text);
        (report, Some((source, syntax)))
    }

    fn parse(&self, source: &SourceFile, kind: PathKind, report: &mut FileReport) -> Option<Syntax> {
        let text = source.text.as_str();
        let path = source.path.as_str();
        let parsed = match kind {
            PathKind::TerraformHcl | PathKind::TerraformVars => {
                report.target = Some(Target::Terraform);
                parse::hcl::parse(text).map(Syntax::Hcl)
            }
            PathKind::TerraformJson | PathKind::TerraformVarsJson => {
                report.target = Some(Target::Terraform);
                parse::json::parse(text).map(|doc| {
                    if kind == PathKind::TerraformJson {
                        Syntax::Hcl(parse::hcl::from_json(&doc.root))
                    } else {
                        Syntax::Json(doc)
                    }
                })
            }
            PathKind::Dockerfile => {
                report.target = Some(Target::Dockerfile);
                parse::dockerfile::parse(text).map(Syntax::Dockerfile)
            }
            PathKind::Dotenv => {
                report.target = Some(Target::Dotenv);
                parse::dotenv::parse(text).map(Syntax::Dotenv)
            }
            PathKind::Yaml | PathKind::Json => {
                if classify::is_helm_template(path, text) {
                    report.note = Some(Note {
                        file: path.to_string(),
                        reason: "skipped: Helm template, not evaluated until rendered".into(),
                    });
                    return None;
                }
                if !classify::may_be_infrastructure(path, text) {
                    return None;
                }
                let parsed = if kind == PathKind::Yaml {
                    parse::yaml::parse_with_alias_budget(text, self.limits.yaml_alias_nodes).map(Syntax::Yaml)
                } else {
                    parse::json::parse(text).map(Syntax::Json)
                };
                match parsed {
                    Ok(mut syntax) => {
                        report.target = classify::by_content(path, syntax.documents());
                        if report.target == Some(Target::Cloudformation) {
                            model::cloudformation::resolve(syntax.documents_mut());
                        }
                        return report.target.map(|_| syntax);
                    }
                    Err(error) if classify::has_template_actions(text) => {
                        report.note = Some(Note {
                            file: path.to_string(),
                            reason: format!(
                                "skipped: templated YAML that does not parse before rendering ({error})"
                            ),
                        });
                        return None;
                    }
                    // A YAML file that does not parse is worth reporting only when it is
                    // one of the formats we lint; otherwise it is someone else's data.
                    Err(error) if looks_like_infrastructure(path, text) => Err(error),
                    Err(_) => return None,
                }
            }
            PathKind::Text | PathKind::Ignored => return None,
        };
        match parsed {
            Ok(syntax) => Some(syntax),
            Err(error) => {
                if self.parse_errors {
                    report.findings.push(parse_finding(source, kind, &error));
                }
                report.target = None;
                None
            }
        }
    }

    fn model<'a>(
        &self,
        source: &SourceFile,
        syntax: &'a Syntax,
        target: Option<Target>,
    ) -> Vec<Resource<'a>> {
        match (target, syntax) {
            (Some(Target::Terraform), Syntax::Hcl(file)) => model::terraform::resources(file),
            (Some(Target::Kubernetes), s) => model::kubernetes::resources(s.documents()),
            (Some(Target::Cloudformation), s) => model::cloudformation::resources(s.documents()),
            (Some(Target::Compose), s) => model::compose::resources(s.documents()),
            (Some(Target::GithubActions), s) => {
                model::github_actions::resources(s.documents(), classify::is_action_file(&source.path))
            }
            (Some(Target::Dockerfile), Syntax::Dockerfile(df)) => model::dockerfile::resources(df),
            (Some(Target::Dotenv), Syntax::Dotenv(env)) => model::dotenv::resources(env),
            _ => Vec::new(),
        }
    }

    fn evaluate(&self, resource: &Resource<'_>, file: &FileContext<'_>, report: &mut FileReport) {
        let exact = self.dispatch.get(&(resource.target, resource.kind.clone()));
        let any = self.wildcard.get(&resource.target);
        let indices = exact.into_iter().flatten().chain(any.into_iter().flatten());
        for &index in indices {
            let Some(rule) = self.rules.get(index) else { continue };
            let mut outcome = Outcome::default();
            let denied = file.scope.denied();
            rule.check(resource, file, &mut outcome);
            if file.scope.denied() > denied {
                // The rule did not see every resource it asked for: its verdict is unknown.
                outcome = Outcome::default();
                outcome.unknown();
            }
            let result = outcome.result();
            report.evaluations.push(Evaluation { rule: index, resource: resource.address.clone(), result });
            let meta = rule.meta();
            for violation in outcome.violations {
                let span = clamp(violation.span, &file.source.text);
                report.findings.push(Finding {
                    rule: meta.id.clone(),
                    severity: violation.severity.unwrap_or(meta.severity),
                    message: violation.message,
                    file: file.source.path.clone(),
                    span,
                    start: file.source.location(span.start),
                    end: file.source.location(span.end),
                    resource: (resource.target != Target::Text).then(|| resource.address.clone()),
                    snippet: snippet(file.source, span, &violation.redact),
                    redact: violation.redact,
                    suppressed: None,
                });
            }
        }
    }
}

/// The compose model as compose runs it: `extends` within each file, then each override file
/// merged into its base file of the same unit (directory).
fn merge_compose(parsed: &mut [Option<(SourceFile, Syntax)>], reports: &[FileReport]) {
    let is_compose = |i: usize| reports.get(i).is_some_and(|r| r.target == Some(Target::Compose));
    for (index, file) in parsed.iter_mut().enumerate() {
        if let (true, Some((_, syntax))) = (is_compose(index), file) {
            syntax.documents_mut().iter_mut().for_each(model::compose::apply_extends);
        }
    }
    for over in 0..parsed.len() {
        if !is_compose(over) {
            continue;
        }
        let Some(Some((source, _))) = parsed.get(over) else { continue };
        let Some(base_name) = model::compose::base_of(source.file_name()) else { continue };
        let dir = source.path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let base = parsed.iter().position(|f| {
            f.as_ref().is_some_and(|(s, _)| {
                s.file_name() == base_name && s.path.rsplit_once('/').map_or("", |(d, _)| d) == dir
            })
        });
        let Some(base) = base.filter(|b| is_compose(*b) && *b != over) else { continue };
        // Two files of one slice: take the override out, merge, put it back.
        let Some(mut override_file) = parsed.get_mut(over).and_then(Option::take) else { continue };
        if let Some(Some((_, base_syntax))) = parsed.get_mut(base)
            && let (Some(base_doc), Some(over_doc)) =
                (base_syntax.documents_mut().first_mut(), override_file.1.documents_mut().first_mut())
        {
            model::compose::merge_override(base_doc, over_doc);
        }
        if let Some(slot) = parsed.get_mut(over) {
            *slot = Some(override_file);
        }
    }
}

/// Whether an unparsable YAML/JSON file was meant to be one of the linted formats.
fn looks_like_infrastructure(path: &str, text: &str) -> bool {
    classify::is_workflow_path(path)
        || classify::is_action_file(path)
        || classify::is_compose_name(path)
        || (text.contains("apiVersion:") && text.contains("kind:"))
        || text.contains("AWSTemplateFormatVersion")
}

fn parse_finding(source: &SourceFile, kind: PathKind, error: &ParseError) -> Finding {
    let mut span = clamp(error.span, &source.text);
    // Errors found at the end of input (an unclosed bracket) point at the last character
    // written, not at the empty line after it.
    let last = source.text.trim_end().len();
    if span.start >= last && last > 0 {
        let start = source.text[..last].char_indices().next_back().map_or(0, |(i, _)| i);
        span = Span::new(start, last);
    }
    let what = match kind {
        PathKind::TerraformHcl | PathKind::TerraformVars => "Terraform",
        PathKind::TerraformJson | PathKind::TerraformVarsJson => "Terraform JSON",
        PathKind::Dockerfile => "Dockerfile",
        PathKind::Dotenv => "dotenv file",
        PathKind::Yaml => "YAML",
        PathKind::Json => "JSON",
        PathKind::Text | PathKind::Ignored => "file",
    };
    Finding {
        rule: PARSE_RULE_ID.into(),
        severity: Severity::High,
        message: format!("cannot parse {what}: {}", error.message),
        file: source.path.clone(),
        span,
        start: source.location(span.start),
        end: source.location(span.end),
        resource: None,
        redact: Vec::new(),
        snippet: snippet(source, span, &[]),
        suppressed: None,
    }
}

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Unreadable {
    /// A UTF-16 (or UTF-32) byte-order mark.
    Utf16,
    /// NUL bytes near the start: not text.
    Binary,
    /// Invalid UTF-8 at a line, a column (characters) and a byte offset.
    InvalidUtf8 { line: usize, column: usize, byte: usize },
}

impl Unreadable {
    fn reason(&self) -> String {
        match self {
            Unreadable::Utf16 => "skipped: UTF-16 text is not supported (convert the file to UTF-8)".into(),
            Unreadable::Binary => "skipped: binary content".into(),
            Unreadable::InvalidUtf8 { line, column, byte } => {
                format!("skipped: not valid UTF-8 at line {line}, column {column} (byte {byte})")
            }
        }
    }
}

/// Decode bytes as UTF-8 text, or say why they are not text. A file only the secret
/// scanners read (`kind` is [`PathKind::Text`]) with a few invalid bytes is still read, the
/// bytes replaced: secrets are ASCII, and skipping the file would hide them.
fn decode(bytes: &[u8], kind: PathKind) -> Result<String, Unreadable> {
    let head = bytes.get(..bytes.len().min(8192)).unwrap_or(bytes);
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(Unreadable::Utf16);
    }
    if head.contains(&0) {
        return Err(Unreadable::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(_) if kind == PathKind::Text => Ok(replace_invalid(bytes)),
        Err(error) => {
            let byte = error.valid_up_to();
            let valid = std::str::from_utf8(bytes.get(..byte).unwrap_or_default()).unwrap_or_default();
            let at = crate::LineIndex::new(valid).location(valid, byte);
            Err(Unreadable::InvalidUtf8 { line: at.line, column: at.column, byte })
        }
    }
}

/// The first line of `text` longer than `limit` bytes: its 1-based number and length.
fn line_longer_than(text: &str, limit: usize) -> Option<(usize, usize)> {
    if text.len() <= limit {
        return None;
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut line = 1;
    let ends = memchr::memchr2_iter(b'\n', b'\r', bytes).chain(std::iter::once(bytes.len()));
    for end in ends {
        if end - start > limit {
            return Some((line, end - start));
        }
        // `\r\n` ends one line, as the line index counts them.
        if !(bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n')) {
            line += 1;
        }
        start = end + 1;
    }
    None
}

/// The bytes as text, each byte that is not part of valid UTF-8 replaced by `?`: one byte for
/// one byte, so offsets in the text are offsets in the file (SARIF's byte offsets, editors).
fn replace_invalid(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    text
}

fn clamp(span: Span, text: &str) -> Span {
    let mut start = span.start.min(text.len());
    let mut end = span.end.min(text.len()).max(start);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

/// The first line of the span, secrets masked and whitespace folded: part of the fingerprint.
fn snippet(source: &SourceFile, span: Span, redact: &[Span]) -> String {
    let line = source.lines.line_of(span.start);
    let line_span = source.lines.line_span(&source.text, line);
    let from = span.start.max(line_span.start);
    let to = if span.end > from { span.end.min(line_span.end) } else { line_span.end };
    let mut text = source.slice(bounded(&source.text, from, to)).to_string();
    if text.trim().is_empty() {
        text = source.slice(bounded(&source.text, line_span.start, line_span.end)).to_string();
    }
    let mut masked = text.clone();
    for secret in redact {
        let secret_text = source.slice(*secret);
        // A secret longer than the snippet cannot occur in it (and searching for it would cost
        // its length).
        if !secret_text.is_empty() && secret_text.len() <= masked.len() {
            masked = masked.replace(secret_text, &mask_secret(secret_text));
        }
    }
    masked.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `from..to`, cut to at most [`SNIPPET_BYTES`] on a character boundary.
fn bounded(text: &str, from: usize, to: usize) -> Span {
    let mut end = to.min(from.saturating_add(SNIPPET_BYTES)).min(text.len());
    while end > from && !text.is_char_boundary(end) {
        end -= 1;
    }
    Span::new(from, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule that fails every text file at each `bad`.
    struct EveryBad(RuleMeta);

    impl Rule for EveryBad {
        fn meta(&self) -> &RuleMeta {
            &self.0
        }

        fn check(&self, _: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
            for (at, _) in file.source.text.match_indices("bad") {
                out.fail(Span::new(at, at + 3), "bad");
            }
        }
    }

    fn every_bad_line() -> Box<dyn Rule> {
        let mut meta = parse_rule_meta();
        meta.id = "TL-TEST-001".into();
        meta.bindings = vec![Binding { target: Target::Text, resources: vec!["file".into()] }];
        Box::new(EveryBad(meta))
    }

    #[test]
    fn the_first_overlong_line_is_found_with_its_number() {
        assert_eq!(line_longer_than("ab\ncdef\r\ngh", 3), Some((2, 4)));
        assert_eq!(line_longer_than("ab\r\ncd\rxyzw", 3), Some((3, 4)), "CRLF and lone CR end lines");
        assert_eq!(line_longer_than("abc\ndef", 3), None);
        assert_eq!(line_longer_than("abcd", 3), Some((1, 4)));
        let linter = Linter::new(vec![every_bad_line()], true)
            .with_limits(Limits { line_length: 5, ..Limits::default() });
        let report = linter.lint("notes.txt", b"bad\nbad bad bad\n");
        assert!(report.findings.is_empty());
        assert_eq!(
            report.note.map(|n| n.reason).as_deref(),
            Some("skipped: line 2 is 11 bytes long, more than max-line-length (5 bytes)")
        );
    }

    #[test]
    fn the_nesting_limit_applies_to_every_parser() {
        let linter =
            Linter::new(Vec::new(), true).with_limits(Limits { nesting_depth: 2, ..Limits::default() });
        for (path, text) in [
            ("k8s/pod.yaml", "apiVersion: v1\nkind: Pod\nspec: {a: {b: 1}}\n"),
            ("template.json", "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {\"A\": {}}}"),
            ("main.tf", "locals {\n  a = [[1]]\n}\n"),
        ] {
            let report = linter.lint(path, text.as_bytes());
            let errors: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
            assert!(errors.iter().any(|m| m.contains("nesting deeper than 2 levels")), "{path}: {errors:?}");
        }
        assert!(
            Linter::new(Vec::new(), true).lint("main.tf", b"locals {\n  a = [[1]]\n}\n").findings.is_empty()
        );
    }

    #[test]
    fn invalid_bytes_in_text_files_keep_offsets() {
        let bytes = b"token = \xff\xfeabc\xe2\x82 end";
        let text = decode(bytes, PathKind::Text).expect("text files are read");
        assert_eq!(text, "token = ??abc?? end");
        assert_eq!(text.len(), bytes.len());
        assert!(matches!(
            decode(bytes, PathKind::TerraformHcl),
            Err(Unreadable::InvalidUtf8 { byte: 8, .. })
        ));
    }

    #[test]
    fn findings_past_the_cap_are_counted_in_a_note() {
        let limits = Limits { max_findings_per_file: 3, ..Limits::default() };
        let linter = Linter::new(vec![every_bad_line()], true).with_limits(limits);
        let report = linter.lint("notes.txt", "ok\nbad\nbad bad\nbad\nbad\n".as_bytes());
        let lines: Vec<usize> = report.findings.iter().map(|f| f.start.line).collect();
        assert_eq!(lines, [2, 3, 3], "the first ones in file order");
        assert_eq!(report.notes.len(), 1);
        assert_eq!(
            report.notes[0].reason,
            "2 more findings not reported: at most 3 per file (max-findings-per-file)"
        );
        let under = Linter::new(vec![every_bad_line()], true).lint("notes.txt", b"bad\n");
        assert!(under.notes.is_empty());
    }

    #[test]
    fn text_that_cannot_be_read_is_noted_with_its_place() {
        let linter = Linter::new(vec![every_bad_line()], true);
        let latin1 = linter.lint("main.tf", b"x = 1\ny = \"caf\xe9\"\n");
        assert!(!latin1.linted);
        let reason = latin1.note.map(|n| n.reason).unwrap_or_default();
        assert_eq!(reason, "skipped: not valid UTF-8 at line 2, column 9 (byte 14)");
        let utf16 = linter.lint("deploy.yaml", b"\xff\xfea\x00:\x00");
        assert!(utf16.note.is_some_and(|n| n.reason.contains("UTF-16")));
        let binary = linter.lint("values.yaml", b"\x89PNG\r\n\x1a\n\x00\x00");
        assert_eq!(binary.note.map(|n| n.reason).as_deref(), Some("skipped: binary content"));
        // A plain text file is still read for secrets, its bad bytes replaced; an image is
        // silently not text.
        let text = linter.lint("notes.txt", b"caf\xe9 bad\n");
        assert!(text.linted && text.note.is_none());
        assert_eq!(text.findings.len(), 1);
        let image = linter.lint("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00");
        assert!(!image.linted && image.note.is_none());
        let empty = linter.lint("main.tf", b"");
        assert!(empty.linted && empty.findings.is_empty());
    }

    #[test]
    fn snippets_of_findings_on_long_lines_are_bounded() {
        let line = format!("{}bad{}", "é".repeat(100_000), "x".repeat(100_000));
        let source = SourceFile::new("notes.txt", line.as_str());
        let at = line.find("bad").unwrap_or(0);
        let whole_line = snippet(&source, Span::new(at, line.len()), &[]);
        assert!(whole_line.len() <= SNIPPET_BYTES && whole_line.starts_with("bad"));
        let point = snippet(&source, Span::point(line.len()), &[]);
        assert!(point.len() <= SNIPPET_BYTES, "{}", point.len());
    }

    #[test]
    fn one_long_line_costs_what_many_short_lines_do() {
        // The same findings on one line or on many: linting time must not grow with the
        // square of the line's length. Debug builds are slow, so the bound is generous.
        let linter = Linter::new(vec![every_bad_line()], true)
            .with_limits(Limits { max_findings_per_file: usize::MAX, ..Limits::default() });
        let time = |text: &str| {
            let started = std::time::Instant::now();
            let report = linter.lint("notes.txt", text.as_bytes());
            (started.elapsed(), report.findings.len())
        };
        let piece = "é bad padding ";
        let (short, found_short) = time(&format!("{piece}\n").repeat(20_000));
        let (long, found_long) = time(&piece.repeat(20_000));
        assert_eq!(found_short, 20_000);
        assert_eq!(found_long, 20_000);
        assert!(
            long < short * 4 + std::time::Duration::from_secs(2),
            "one line {long:?}, many lines {short:?}"
        );
    }
}
