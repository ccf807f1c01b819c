//! The readiness report as data: built once from a scan, serialised as the JSON format and
//! read by the markdown and HTML renderers, so the three say the same thing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use trustlint_engine::finding::SuppressionKind;
use trustlint_engine::lint::PARSE_RULE_ID;
use trustlint_engine::rule::CheckResult;
use trustlint_engine::{Finding, Severity, Target};

use super::criteria;
use super::identity::Identity;
use crate::lint::Run;
use crate::render::BySeverity;

/// Version of the report's JSON schema; bumped when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// The scope statement (CATALOGUE.md §8.2), printed in every format.
pub const SCOPE_STATEMENT: &str = "This report is the result of static analysis of the configuration \
declared in the repository (infrastructure as code, Kubernetes manifests, container build files, CI \
workflows) at the commit identified above. It does not observe deployed state: changes made outside the \
repository (drift), runtime settings and account-level configuration that is not declared here are not \
covered. It supports evidence of control design and of change management; runtime evidence (for example \
AWS Config or Security Hub exports) and manual evidence (branch-protection settings, restore-test records, \
access reviews) must cover drift and the criteria listed as not assessable. \"No exceptions noted\" means \
that the automated checks found no unsuppressed failure among the resources they evaluated; it is not an \
opinion on compliance, which only the service auditor can give.";

/// What varies between two runs over the same commit, rules and configuration.
pub const DETERMINISM_NOTE: &str = "Apart from run.started_at, run.finished_at, run.git, run.ci and \
run.tool.sha256 (which changes with the build), a rerun at the same commit with the same rules and \
configuration produces the same report, byte for byte.";

/// The three statuses a criterion can have. The report never says "compliant".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Evaluated resources, none failing unsuppressed.
    #[serde(rename = "No exceptions noted")]
    NoExceptions,
    /// At least one unsuppressed failure.
    #[serde(rename = "Exceptions noted")]
    Exceptions,
    /// Nothing in the configuration could be judged for it.
    #[serde(rename = "Not assessable from configuration")]
    NotAssessable,
}

impl Status {
    /// The wording shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NoExceptions => "No exceptions noted",
            Status::Exceptions => "Exceptions noted",
            Status::NotAssessable => "Not assessable from configuration",
        }
    }
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Evidence {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `soc2-readiness`.
    pub report: &'static str,
    /// Which tool, rules, configuration, time and commit.
    pub run: Identity,
    /// What was scanned and how, and what the report can and cannot say.
    pub scope: Scope,
    /// Counts.
    pub summary: EvidenceSummary,
    /// One row per criterion the rules that ran serve.
    pub criteria: Vec<CriterionRow>,
    /// Criteria of the catalogue that no rule of this run serves (narrowed by selection).
    pub criteria_without_rules: Vec<CriterionRef>,
    /// Criteria a repository's configuration cannot evidence.
    pub not_assessable: Vec<CriterionRef>,
    /// Every suppressed finding.
    pub exceptions: Vec<Exception>,
    /// Every unsuppressed finding.
    pub findings: Vec<FindingDetail>,
    /// The rules that ran (the list of controls checked).
    pub rules: Vec<RuleEntry>,
    /// Every evaluated resource per rule, with its result.
    pub population: Vec<RulePopulation>,
    /// What was read, skipped, not parsed or not decidable.
    pub coverage: Coverage,
}

/// The scope of the run.
#[derive(Debug, Serialize)]
pub struct Scope {
    /// [`SCOPE_STATEMENT`].
    pub statement: &'static str,
    /// [`DETERMINISM_NOTE`].
    pub determinism: &'static str,
    /// The paths scanned, as given.
    pub paths: Vec<String>,
    /// `--select` or the configured `select` (empty: every rule).
    pub select: Vec<String>,
    /// Configured and command-line `ignore`.
    pub ignore: Vec<String>,
    /// `--criteria` (empty: every criterion).
    pub criteria: Vec<String>,
    /// Whether inline suppressions were honoured.
    pub inline_suppressions: bool,
    /// Exclude globs in force.
    pub excludes: Vec<String>,
}

impl Scope {
    /// The rule selection in words.
    pub fn selection(&self) -> String {
        let mut parts = Vec::new();
        if self.select.is_empty() {
            parts.push("all rules".to_string());
        } else {
            parts.push(format!("select {}", self.select.join(", ")));
        }
        if !self.ignore.is_empty() {
            parts.push(format!("ignore {}", self.ignore.join(", ")));
        }
        if !self.criteria.is_empty() {
            parts.push(format!("criteria {}", self.criteria.join(", ")));
        }
        parts.join("; ")
    }
}

/// Counts over the whole run.
#[derive(Debug, Serialize)]
pub struct EvidenceSummary {
    /// Files linted.
    pub files: usize,
    /// Resources modelled.
    pub resources: usize,
    /// Entries of the population (rule evaluations).
    pub evaluations: usize,
    /// Evaluations that passed.
    pub pass: usize,
    /// Evaluations that failed with at least one unsuppressed finding.
    pub fail: usize,
    /// Evaluations whose findings are all suppressed.
    pub suppressed: usize,
    /// Evaluations not decidable statically.
    pub unknown: usize,
    /// Unsuppressed findings.
    pub findings: usize,
    /// Suppressed findings (the exceptions register).
    pub suppressed_findings: usize,
    /// Unsuppressed findings by severity.
    pub by_severity: BySeverity,
    /// Criteria with status "Exceptions noted".
    pub criteria_with_exceptions: Vec<String>,
    /// Criteria with status "No exceptions noted".
    pub criteria_without_exceptions: Vec<String>,
    /// Criteria with rules but nothing to judge ("Not assessable from configuration").
    pub criteria_not_assessed: Vec<String>,
}

/// A criterion named in a list.
#[derive(Debug, Serialize)]
pub struct CriterionRef {
    /// The identifier.
    pub id: String,
    /// What it asks for.
    pub description: String,
}

/// Failing evaluations by the highest severity of their unsuppressed findings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FailCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
}

impl FailCounts {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
        }
    }

    /// All failures.
    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low
    }

    /// `C/H/M/L`, as the table shows them.
    pub fn slashed(&self) -> String {
        format!("{}/{}/{}/{}", self.critical, self.high, self.medium, self.low)
    }
}

/// One row of the per-criterion table.
#[derive(Debug, Serialize)]
pub struct CriterionRow {
    /// The identifier.
    pub id: String,
    /// What it asks for (empty for a criterion the catalogue does not describe).
    pub description: String,
    /// Why it is only partly assessable, when it is.
    pub partly_assessable: Option<&'static str>,
    /// Ids of the rules that ran for it.
    pub rules: Vec<String>,
    /// Rule evaluations (a resource judged by two of its rules counts twice):
    /// `pass + fail + suppressed + unknown`.
    pub evaluated: usize,
    /// Passed.
    pub pass: usize,
    /// Failed, by severity.
    pub fail: FailCounts,
    /// Failed with every finding suppressed.
    pub suppressed: usize,
    /// Not decidable statically.
    pub unknown: usize,
    /// Files with an unsuppressed failure.
    pub files_affected: Vec<String>,
    /// The status.
    pub status: Status,
}

/// One suppressed finding.
#[derive(Debug, Serialize)]
pub struct Exception {
    /// Rule id.
    pub rule: String,
    /// Severity the finding would have.
    pub severity: Severity,
    /// The resource, when there is one.
    pub resource: Option<String>,
    /// File.
    pub file: String,
    /// Line (1-based).
    pub line: usize,
    /// The recorded reason.
    pub reason: String,
    /// When the exception lapses.
    pub expires: Option<String>,
    /// Where the suppression was recorded: `inline`, `config` or `baseline`.
    pub kind: SuppressionKind,
    /// The finding's message (secrets masked).
    pub message: String,
}

impl Exception {
    /// Where the suppression was recorded, in words.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            SuppressionKind::Inline => "inline",
            SuppressionKind::Config => "config",
            SuppressionKind::Baseline => "baseline",
        }
    }
}

/// One unsuppressed finding.
#[derive(Debug, Serialize)]
pub struct FindingDetail {
    /// Rule id.
    pub rule: String,
    /// Rule name.
    pub name: String,
    /// Severity.
    pub severity: Severity,
    /// Criteria of the rule.
    pub criteria: Vec<String>,
    /// File.
    pub file: String,
    /// Line (1-based).
    pub line: usize,
    /// Column (1-based, characters).
    pub column: usize,
    /// The resource, when there is one.
    pub resource: Option<String>,
    /// The message (secrets masked).
    pub message: String,
    /// How to fix it.
    pub fix: String,
    /// Stable fingerprint (as in the lint JSON).
    pub fingerprint: String,
}

/// A rule that ran.
#[derive(Debug, Serialize)]
pub struct RuleEntry {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Default severity.
    pub severity: Severity,
    /// Criteria.
    pub criteria: Vec<String>,
}

/// One rule's population.
#[derive(Debug, Serialize)]
pub struct RulePopulation {
    /// Rule id.
    pub rule: String,
    /// Passed.
    pub pass: usize,
    /// Failed with an unsuppressed finding.
    pub fail: usize,
    /// Failed with every finding suppressed.
    pub suppressed: usize,
    /// Not decidable.
    pub unknown: usize,
    /// Every evaluated resource.
    pub entries: Vec<PopulationEntry>,
}

/// One rule's verdict on one resource.
#[derive(Debug, Clone, Serialize)]
pub struct PopulationEntry {
    /// File.
    pub file: String,
    /// Resource address (the file itself for whole-file checks).
    pub resource: String,
    /// The rule's verdict: `pass`, `fail` or `unknown` (as the lint's evaluations).
    pub result: CheckResult,
    /// Whether every finding of a failure is suppressed.
    pub suppressed: bool,
    /// Highest severity of the unsuppressed findings of a failure.
    pub severity: Option<Severity>,
    /// `evaluation`, or `finding` for a failure reported about a file rather than a resource
    /// (a parse failure, a suppression without reason or without effect).
    pub origin: &'static str,
}

impl PopulationEntry {
    /// The result in words: `pass`, `fail (high)`, `fail, suppressed`, `unknown`.
    pub fn outcome(&self) -> String {
        let mut text = match (self.result, self.suppressed, self.severity) {
            (CheckResult::Pass, _, _) => "pass".to_string(),
            (CheckResult::Unknown, _, _) => "unknown".to_string(),
            (CheckResult::Fail, true, _) => "fail, suppressed".to_string(),
            (CheckResult::Fail, false, Some(severity)) => format!("fail ({severity})"),
            (CheckResult::Fail, false, None) => "fail".to_string(),
        };
        if self.origin == "finding" {
            text.push_str(" [file-level finding]");
        }
        text
    }
}

/// The coverage appendix.
#[derive(Debug, Serialize)]
pub struct Coverage {
    /// Files linted, by what they were read as (`text`: secret scanners only).
    pub files_by_target: BTreeMap<String, Vec<String>>,
    /// Files skipped or not fully evaluated, with the reason.
    pub skipped: Vec<Skipped>,
    /// Files that could not be parsed.
    pub parse_failures: Vec<ParseFailure>,
    /// Evaluations not decidable statically.
    pub unknown: Vec<Unknown>,
    /// What the walk leaves out besides the exclude globs.
    pub always_excluded: &'static str,
}

/// A skipped file.
#[derive(Debug, Serialize)]
pub struct Skipped {
    /// File.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// A file that does not parse.
#[derive(Debug, Serialize)]
pub struct ParseFailure {
    /// File.
    pub file: String,
    /// Line of the error.
    pub line: usize,
    /// The parser's message.
    pub message: String,
}

/// An undecidable evaluation.
#[derive(Debug, Serialize)]
pub struct Unknown {
    /// Rule id.
    pub rule: String,
    /// File.
    pub file: String,
    /// Resource.
    pub resource: String,
}

/// What the walk never reads, stated for the coverage appendix.
const ALWAYS_EXCLUDED: &str = "Files ignored by .gitignore, .ignore or .trustlintignore, the .git, \
.terraform and .terragrunt-cache directories, and symbolic links are not read.";

type Key = (String, String, String);

/// Build the report from a scan and its identity.
pub fn build(run: &Run, identity: Identity, scope: Scope) -> Evidence {
    let population = population(run);
    let criteria = criteria_rows(run, &population);
    let mut summary = EvidenceSummary {
        files: run.summary.files,
        resources: run.summary.resources,
        evaluations: 0,
        pass: 0,
        fail: 0,
        suppressed: 0,
        unknown: 0,
        findings: run.summary.findings,
        suppressed_findings: run.summary.suppressed,
        by_severity: run.summary.by_severity.clone(),
        criteria_with_exceptions: Vec::new(),
        criteria_without_exceptions: Vec::new(),
        criteria_not_assessed: Vec::new(),
    };
    for rule in &population {
        summary.evaluations += rule.entries.len();
        summary.pass += rule.pass;
        summary.fail += rule.fail;
        summary.suppressed += rule.suppressed;
        summary.unknown += rule.unknown;
    }
    for row in &criteria {
        let list = match row.status {
            Status::Exceptions => &mut summary.criteria_with_exceptions,
            Status::NoExceptions => &mut summary.criteria_without_exceptions,
            Status::NotAssessable => &mut summary.criteria_not_assessed,
        };
        list.push(row.id.clone());
    }
    let served: BTreeSet<&str> = criteria.iter().map(|r| r.id.as_str()).collect();
    let criteria_without_rules = criteria::ASSESSABLE
        .iter()
        .filter(|c| !served.contains(c.id))
        .map(|c| CriterionRef { id: c.id.into(), description: c.description.into() })
        .collect();
    let not_assessable = criteria::NOT_ASSESSABLE
        .iter()
        .map(|c| CriterionRef { id: c.id.into(), description: c.description.into() })
        .collect();
    let coverage = coverage(run, &population);
    Evidence {
        schema_version: SCHEMA_VERSION,
        report: "soc2-readiness",
        run: identity,
        scope,
        summary,
        criteria,
        criteria_without_rules,
        not_assessable,
        exceptions: exceptions(&run.findings),
        findings: findings(run),
        rules: run
            .rules
            .values()
            .map(|m| RuleEntry {
                id: m.id.clone(),
                name: m.name.clone(),
                title: m.title.clone(),
                severity: m.severity,
                criteria: m.criteria.clone(),
            })
            .collect(),
        population,
        coverage,
    }
}

/// The key a finding shares with the evaluation that produced it: whole-file checks carry no
/// resource on the finding, and the file's path as the evaluated address.
fn finding_key(finding: &Finding) -> Key {
    (
        finding.rule.clone(),
        finding.file.clone(),
        finding.resource.clone().unwrap_or_else(|| finding.file.clone()),
    )
}

/// Every evaluation with its outcome, grouped by rule; findings that no evaluation produced
/// (parse failures, suppression hygiene) join as failures of their file.
fn population(run: &Run) -> Vec<RulePopulation> {
    let mut by_key: HashMap<Key, Vec<&Finding>> = HashMap::new();
    for finding in &run.findings {
        by_key.entry(finding_key(finding)).or_default().push(finding);
    }
    let mut entries: BTreeMap<&str, Vec<PopulationEntry>> = BTreeMap::new();
    let mut attached: BTreeSet<Key> = BTreeSet::new();
    for record in &run.evaluations {
        let key = (record.rule.clone(), record.file.clone(), record.resource.clone());
        let findings = by_key.get(&key).map(Vec::as_slice).unwrap_or_default();
        let mut entry = PopulationEntry {
            file: record.file.clone(),
            resource: record.resource.clone(),
            result: record.result,
            suppressed: false,
            severity: None,
            origin: "evaluation",
        };
        if record.result == CheckResult::Fail {
            let open = findings.iter().filter(|f| f.suppressed.is_none()).map(|f| f.severity).max();
            entry.suppressed = open.is_none() && !findings.is_empty();
            entry.severity = match open {
                Some(severity) => Some(severity),
                // A failure without a finding left to show still fails, at the rule's severity.
                None if findings.is_empty() => run.rules.get(&record.rule).map(|m| m.severity),
                None => None,
            };
        }
        attached.insert(key);
        entries.entry(record.rule.as_str()).or_default().push(entry);
    }
    let mut orphans: BTreeMap<Key, Vec<&Finding>> = BTreeMap::new();
    for finding in &run.findings {
        let key = finding_key(finding);
        if !attached.contains(&key) {
            orphans.entry(key).or_default().push(finding);
        }
    }
    for ((rule, file, resource), findings) in &orphans {
        let open = findings.iter().filter(|f| f.suppressed.is_none()).map(|f| f.severity).max();
        let Some((rule, _)) = run.rules.get_key_value(rule) else { continue };
        entries.entry(rule.as_str()).or_default().push(PopulationEntry {
            file: file.clone(),
            resource: resource.clone(),
            result: CheckResult::Fail,
            suppressed: open.is_none(),
            severity: open,
            origin: "finding",
        });
    }
    entries
        .into_iter()
        .map(|(rule, mut entries)| {
            entries.sort_by(|a, b| (&a.file, &a.resource).cmp(&(&b.file, &b.resource)));
            let mut population = RulePopulation {
                rule: rule.to_string(),
                pass: 0,
                fail: 0,
                suppressed: 0,
                unknown: 0,
                entries: Vec::new(),
            };
            for entry in &entries {
                match (entry.result, entry.suppressed) {
                    (CheckResult::Pass, _) => population.pass += 1,
                    (CheckResult::Unknown, _) => population.unknown += 1,
                    (CheckResult::Fail, true) => population.suppressed += 1,
                    (CheckResult::Fail, false) => population.fail += 1,
                }
            }
            population.entries = entries;
            population
        })
        .collect()
}

/// The per-criterion table: every criterion served by a rule that ran.
fn criteria_rows(run: &Run, population: &[RulePopulation]) -> Vec<CriterionRow> {
    let mut rules_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for meta in run.rules.values() {
        for criterion in &meta.criteria {
            rules_of.entry(criterion.as_str()).or_default().push(meta.id.as_str());
        }
    }
    let by_rule: HashMap<&str, &RulePopulation> = population.iter().map(|p| (p.rule.as_str(), p)).collect();
    let mut rows: Vec<CriterionRow> = rules_of
        .into_iter()
        .map(|(id, rules)| {
            let mut row = CriterionRow {
                id: id.to_string(),
                description: criteria::description(id).unwrap_or_default().to_string(),
                partly_assessable: criteria::partly(id),
                rules: rules.iter().map(|r| r.to_string()).collect(),
                evaluated: 0,
                pass: 0,
                fail: FailCounts::default(),
                suppressed: 0,
                unknown: 0,
                files_affected: Vec::new(),
                status: Status::NotAssessable,
            };
            let mut files = BTreeSet::new();
            for entry in rules.iter().filter_map(|r| by_rule.get(r)).flat_map(|p| &p.entries) {
                row.evaluated += 1;
                match (entry.result, entry.suppressed, entry.severity) {
                    (CheckResult::Pass, _, _) => row.pass += 1,
                    (CheckResult::Unknown, _, _) => row.unknown += 1,
                    (CheckResult::Fail, true, _) => row.suppressed += 1,
                    (CheckResult::Fail, false, severity) => {
                        row.fail.add(severity.unwrap_or(Severity::Low));
                        files.insert(entry.file.clone());
                    }
                }
            }
            row.files_affected = files.into_iter().collect();
            row.status = if row.fail.total() > 0 {
                Status::Exceptions
            } else if row.pass + row.suppressed > 0 {
                Status::NoExceptions
            } else {
                Status::NotAssessable
            };
            row
        })
        .collect();
    rows.sort_by_key(|r| criteria::order_key(&r.id));
    rows
}

fn exceptions(findings: &[Finding]) -> Vec<Exception> {
    findings
        .iter()
        .filter_map(|f| {
            let s = f.suppressed.as_ref()?;
            Some(Exception {
                rule: f.rule.clone(),
                severity: f.severity,
                resource: f.resource.clone(),
                file: f.file.clone(),
                line: f.start.line,
                reason: s.reason.clone(),
                expires: s.expires.clone(),
                kind: s.kind,
                message: f.message.clone(),
            })
        })
        .collect()
}

fn findings(run: &Run) -> Vec<FindingDetail> {
    run.findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| {
            let meta = run.rules.get(&f.rule);
            FindingDetail {
                rule: f.rule.clone(),
                name: meta.map(|m| m.name.clone()).unwrap_or_default(),
                severity: f.severity,
                criteria: meta.map(|m| m.criteria.clone()).unwrap_or_default(),
                file: f.file.clone(),
                line: f.start.line,
                column: f.start.column,
                resource: f.resource.clone(),
                message: f.message.clone(),
                fix: meta.map(|m| m.help.clone()).unwrap_or_default(),
                fingerprint: f.fingerprint(),
            }
        })
        .collect()
}

fn coverage(run: &Run, population: &[RulePopulation]) -> Coverage {
    let mut files_by_target: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (file, target) in &run.files {
        let target = target.unwrap_or(Target::Text).as_str().to_string();
        files_by_target.entry(target).or_default().push(file.clone());
    }
    for files in files_by_target.values_mut() {
        files.sort();
    }
    let skipped =
        run.notes.iter().map(|n| Skipped { file: n.file.clone(), reason: n.reason.clone() }).collect();
    let parse_failures = run
        .findings
        .iter()
        .filter(|f| f.rule == PARSE_RULE_ID)
        .map(|f| ParseFailure { file: f.file.clone(), line: f.start.line, message: f.message.clone() })
        .collect();
    let unknown = population
        .iter()
        .flat_map(|p| {
            p.entries.iter().filter(|e| e.result == CheckResult::Unknown).map(|e| Unknown {
                rule: p.rule.clone(),
                file: e.file.clone(),
                resource: e.resource.clone(),
            })
        })
        .collect();
    Coverage { files_by_target, skipped, parse_failures, unknown, always_excluded: ALWAYS_EXCLUDED }
}
