//! The readiness report as one self-contained HTML page: inline CSS, no script, no external
//! asset, laid out for print. Every value from the scanned repository goes through [`escape`].

use std::fmt::Write as _;

use super::evidence::{Evidence, Status};

/// Escape text for HTML element content and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Escaped text in a `<code>` element.
fn code(text: &str) -> String {
    format!("<code>{}</code>", escape(text))
}

/// A path in a `<code>` element, breakable after each `/` so narrow columns wrap between
/// directories rather than inside names.
fn path(text: &str) -> String {
    let parts: Vec<String> = text.split('/').map(escape).collect();
    format!("<code>{}</code>", parts.join("/<wbr>"))
}

/// Rule ids, each kept whole when the list wraps.
fn ids(ids: &[String]) -> String {
    ids.iter().map(|id| format!("<span>{}</span>", escape(id))).collect::<Vec<_>>().join(", ")
}

/// Files listed in a table cell before the rest is summarised (every file is in the findings
/// section and the JSON).
const LISTED_FILES: usize = 8;

/// A rule message with its `` `code` `` spans rendered as code (the text is escaped first).
fn message(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&code(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

fn status_badge(status: Status) -> String {
    let class = match status {
        Status::Exceptions => "exceptions",
        Status::NoExceptions => "clear",
        Status::NotAssessable => "na",
    };
    format!("<span class=\"status {class}\">{}</span>", status.as_str())
}

fn severity_badge(severity: &str) -> String {
    format!("<span class=\"sev {severity}\">{severity}</span>")
}

const STYLE: &str = r#"
:root { --fg:#1d2530; --muted:#5b6573; --line:#d5dbe3; --alt:#f5f7fa; --accent:#1f4f8a; }
* { box-sizing: border-box; }
html { background: #fff; }
body { margin: 0 auto; max-width: 1320px; padding: 28px 36px 56px; color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 27px; margin: 0 0 2px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); color: var(--accent); }
h3 { font-size: 15px; margin: 22px 0 6px; }
p { margin: 6px 0 10px; }
.subtitle { color: var(--muted); margin: 0 0 18px; }
.title { border-bottom: 1px solid var(--line); padding-bottom: 12px; margin-bottom: 16px; }
nav.toc { font-size: 13px; color: var(--muted); }
nav.toc ol { margin: 4px 0 0; padding-left: 20px; columns: 2; }
nav.toc a { color: var(--accent); text-decoration: none; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 12.5px; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
thead th { background: var(--alt); font-weight: 600; }
tbody tr:nth-child(even) > * { background: #fafbfc; }
th.num, td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.kv { width: auto; min-width: 60%; }
table.kv th { background: var(--alt); width: 15em; font-weight: 600; white-space: nowrap; }
table.counts { width: auto; }
table.counts th, table.counts td { min-width: 6.5em; }
#criteria { table-layout: fixed; }
#criteria col.c-id { width: 5.5%; } #criteria col.c-desc { width: 16.5%; } #criteria col.c-rules { width: 16%; }
#criteria col.c-n { width: 6.5%; } #criteria col.c-fail { width: 7%; }
#criteria col.c-files { width: 20%; } #criteria col.c-status { width: 9%; }
#criteria thead th { white-space: normal; font-size: 11.5px; }
#criteria .status { white-space: normal; text-align: center; max-width: 100%; border-radius: 6px; }
table.files, table.fixed { table-layout: fixed; }
table.fixed code, table.pop code, table.files code { overflow-wrap: anywhere; }
.ids span, td.id { white-space: nowrap; }
td.loc { min-width: 10em; }
table.pop { table-layout: fixed; }
table.pop col.p-file { width: 38%; } table.pop col.p-res { width: 42%; } table.pop col.p-result { width: 20%; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.9em; overflow-wrap: break-word; }
.ids { display: block; font-size: 11px; color: var(--muted); overflow-wrap: anywhere; margin-top: 2px; }
.muted { color: var(--muted); }
.note { color: var(--muted); font-size: 12.5px; }
.partly { display: block; font-size: 11.5px; color: #8a5a00; font-style: italic; margin-top: 2px; }
.scope { border-left: 4px solid var(--accent); background: #f3f7fc; padding: 10px 14px; margin: 8px 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(118px, 1fr)); gap: 8px; margin: 10px 0 14px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.tile .n { display: block; font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; }
.tile .l { color: var(--muted); font-size: 12px; }
.tile.fail .n { color: #b42318; } .tile.pass .n { color: #067647; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; border: 1px solid; font-size: 11.5px;
  font-weight: 600; white-space: nowrap; }
.status.exceptions { color: #b42318; background: #fef3f2; border-color: #f7b3ab; }
.status.clear { color: #067647; background: #ecfdf3; border-color: #9fdfbb; }
.status.na { color: #475467; background: #f2f4f7; border-color: #cfd4dc; }
.sev { display: inline-block; min-width: 4.6em; text-align: center; padding: 0 6px; border-radius: 3px;
  font-size: 11px; font-weight: 600; color: #fff; text-transform: uppercase; letter-spacing: 0.02em; }
.sev.critical { background: #7a1c12; } .sev.high { background: #c4320a; }
.sev.medium { background: #b07300; } .sev.low { background: #5b6573; }
.result-fail { color: #b42318; font-weight: 600; } .result-pass { color: #067647; }
.result-unknown { color: #8a5a00; } .result-suppressed { color: #475467; font-style: italic; }
ul.criteria-lists { padding-left: 18px; margin: 6px 0; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  table { font-size: 8.5pt; }
  #criteria thead th, .status, .sev, .ids { font-size: 7pt; }
  .status { padding: 1px 4px; }
  thead { display: table-header-group; }
  tr, .tile, .scope { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  section.appendix { break-before: page; }
  nav.toc { display: none; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Render the report.
pub fn render(e: &Evidence) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<meta name=\"generator\" content=\"trustlint {}\">", escape(e.run.tool.version));
    out.push_str("<title>SOC 2 readiness report</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");
    title(&mut out, e);
    out.push_str(
        "<nav class=\"toc\" aria-label=\"Contents\"><strong>Contents</strong><ol>\
         <li><a href=\"#evidence-header\">Evidence header</a></li>\
         <li><a href=\"#scope\">Scope</a></li>\
         <li><a href=\"#summary\">Summary</a></li>\
         <li><a href=\"#results\">Results by criterion</a></li>\
         <li><a href=\"#not-assessable\">Criteria not assessable from configuration</a></li>\
         <li><a href=\"#exceptions\">Exceptions register</a></li>\
         <li><a href=\"#findings\">Findings</a></li>\
         <li><a href=\"#rules\">Appendix A. Rules applied</a></li>\
         <li><a href=\"#population\">Appendix B. Population</a></li>\
         <li><a href=\"#coverage\">Appendix C. Coverage</a></li></ol></nav>\n",
    );
    header(&mut out, e);
    let _ = writeln!(
        out,
        "<section id=\"scope\"><h2>2. Scope</h2><p class=\"scope\">{}</p><p class=\"note\">{}</p></section>",
        escape(e.scope.statement),
        escape(e.scope.determinism)
    );
    summary(&mut out, e);
    criteria(&mut out, e);
    not_assessable(&mut out, e);
    exceptions(&mut out, e);
    findings(&mut out, e);
    rules(&mut out, e);
    population(&mut out, e);
    coverage(&mut out, e);
    out.push_str("</body>\n</html>\n");
    out
}

fn title(out: &mut String, e: &Evidence) {
    let run = &e.run;
    let commit = match &run.git {
        Some(git) => {
            let short: String = git.commit.chars().take(12).collect();
            let branch = git.branch.as_deref().map(|b| format!(" on {}", escape(b))).unwrap_or_default();
            format!(
                " · commit {}{branch}{}",
                code(&short),
                if git.clean { "" } else { " (uncommitted changes)" }
            )
        }
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "<header class=\"title\"><h1>SOC 2 readiness report</h1><p class=\"subtitle\">{} {} · \
         {}{commit} · static analysis of declared configuration, not an opinion on compliance</p></header>",
        escape(run.tool.name),
        escape(run.tool.version),
        escape(&run.finished_at)
    );
}

fn kv(out: &mut String, key: &str, value_html: &str) {
    let _ = writeln!(out, "<tr><th scope=\"row\">{}</th><td>{value_html}</td></tr>", escape(key));
}

fn header(out: &mut String, e: &Evidence) {
    let run = &e.run;
    out.push_str("<section id=\"evidence-header\"><h2>1. Evidence header</h2><table class=\"kv\"><tbody>\n");
    let tool = match &run.tool.sha256 {
        Some(hash) => format!(
            "{} {}<span class=\"ids\">executable sha256 {}</span>",
            escape(run.tool.name),
            escape(run.tool.version),
            code(hash)
        ),
        None => format!("{} {}", escape(run.tool.name), escape(run.tool.version)),
    };
    kv(out, "Tool", &tool);
    kv(
        out,
        "Rule pack",
        &format!(
            "version {} · {} rules<span class=\"ids\">rule set sha256 {}</span>",
            escape(run.rule_pack.version),
            run.rule_pack.rules,
            code(&run.rule_pack.sha256)
        ),
    );
    let config = match &run.config {
        Some(file) => format!(
            "{}<span class=\"ids\">sha256 {}</span>",
            path(&file.path),
            file.sha256.as_deref().map_or_else(|| "unreadable".to_string(), code)
        ),
        None => "none (built-in defaults)".to_string(),
    };
    kv(out, "Configuration", &config);
    if !run.policies.is_empty() {
        let policies: Vec<String> = run
            .policies
            .iter()
            .map(|p| {
                format!(
                    "{} <span class=\"muted\">sha256 {}</span>",
                    code(&p.path),
                    escape(p.sha256.as_deref().unwrap_or("unreadable"))
                )
            })
            .collect();
        kv(out, "Own policies", &policies.join("<br>"));
    }
    kv(out, "Scan started (UTC)", &escape(&run.started_at));
    kv(out, "Report assembled (UTC)", &escape(&run.finished_at));
    match &run.git {
        Some(git) => {
            if let Some(remote) = &git.remote {
                kv(out, "Repository", &code(remote));
            }
            kv(out, "Commit", &code(&git.commit));
            if let Some(branch) = &git.branch {
                kv(out, "Branch", &code(branch));
            }
            kv(out, "Working tree", &escape(git.tree()));
        }
        None => kv(out, "Commit", "not recorded (not a git work tree, or git is not installed)"),
    }
    if let Some(ci) = &run.ci {
        let link = ci.run_url.as_deref().or(ci.run_id.as_deref()).unwrap_or("");
        kv(out, "CI run", &format!("{} {}", escape(ci.provider), code(link)));
    }
    let paths: Vec<String> = e.scope.paths.iter().map(|p| path(p)).collect();
    kv(out, "Paths scanned", &paths.join(", "));
    kv(out, "Rule selection", &escape(&e.scope.selection()));
    kv(
        out,
        "Inline suppressions",
        if e.scope.inline_suppressions { "honoured" } else { "ignored (--no-inline-suppressions)" },
    );
    out.push_str("</tbody></table></section>\n");
}

fn summary(out: &mut String, e: &Evidence) {
    let s = &e.summary;
    out.push_str("<section id=\"summary\"><h2>3. Summary</h2><div class=\"tiles\">\n");
    for (class, n, label) in [
        ("", s.files, "files scanned"),
        ("", s.resources, "resources"),
        ("", s.evaluations, "rule evaluations"),
        ("pass", s.pass, "pass"),
        ("fail", s.fail, "fail"),
        ("", s.suppressed, "suppressed"),
        ("", s.unknown, "unknown"),
    ] {
        let _ = writeln!(
            out,
            "<div class=\"tile {class}\"><span class=\"n\">{n}</span><span class=\"l\">{label}</span></div>"
        );
    }
    out.push_str("</div>\n");
    let b = &s.by_severity;
    let _ = writeln!(
        out,
        "<table class=\"counts\"><thead><tr><th class=\"num\">Critical</th><th class=\"num\">High</th>\
         <th class=\"num\">Medium</th><th class=\"num\">Low</th><th class=\"num\">Findings</th>\
         <th class=\"num\">Suppressed findings</th></tr></thead><tbody><tr><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td></tr></tbody></table>",
        b.critical, b.high, b.medium, b.low, s.findings, s.suppressed_findings
    );
    let list = |ids: &[String]| {
        if ids.is_empty() {
            "none".to_string()
        } else {
            ids.iter().map(|i| escape(i)).collect::<Vec<_>>().join(", ")
        }
    };
    let without: Vec<String> = e.criteria_without_rules.iter().map(|c| c.id.clone()).collect();
    let _ = writeln!(
        out,
        "<ul class=\"criteria-lists\"><li>{}: {}</li><li>{}: {}</li><li>{} (rules ran, nothing to judge): {}</li>\
         <li>Catalogue criteria no rule of this run serves: {}</li></ul></section>",
        status_badge(Status::Exceptions),
        list(&s.criteria_with_exceptions),
        status_badge(Status::NoExceptions),
        list(&s.criteria_without_exceptions),
        status_badge(Status::NotAssessable),
        list(&s.criteria_not_assessed),
        list(&without)
    );
}

fn criteria(out: &mut String, e: &Evidence) {
    out.push_str(
        "<section id=\"results\"><h2>4. Results by criterion</h2><p class=\"note\">Counts are rule \
         evaluations: a resource judged by two rules of a criterion counts twice. A failure counts once \
         per evaluation, at the highest severity of its findings; suppressed failures are in the \
         exceptions register.</p>\n<table id=\"criteria\"><colgroup><col class=\"c-id\"><col class=\"c-desc\"><col class=\"c-rules\">\
         <col class=\"c-n\"><col class=\"c-n\"><col class=\"c-fail\"><col class=\"c-n\"><col class=\"c-n\">\
         <col class=\"c-files\"><col class=\"c-status\"></colgroup><thead><tr><th>Criterion</th><th>Description</th>\
         <th>Rules (count · ids)</th><th class=\"num\">Resources evaluated</th><th class=\"num\">Pass</th>\
         <th class=\"num\">Fail (C/H/M/L)</th><th class=\"num\">Suppressed</th><th class=\"num\">Unknown</th>\
         <th>Files affected</th><th>Status</th></tr></thead><tbody>\n",
    );
    for row in &e.criteria {
        let partly = row
            .partly_assessable
            .map(|p| format!("<span class=\"partly\">{}</span>", escape(p)))
            .unwrap_or_default();
        let mut files: Vec<String> = row.files_affected.iter().take(LISTED_FILES).map(|f| path(f)).collect();
        if row.files_affected.len() > LISTED_FILES {
            files.push(format!(
                "<span class=\"muted\">and {} more (see Findings)</span>",
                row.files_affected.len() - LISTED_FILES
            ));
        }
        let files = if files.is_empty() {
            "<span class=\"muted\">–</span>".to_string()
        } else {
            files.join("<br>")
        };
        let _ = writeln!(
            out,
            "<tr id=\"criterion-{id}\"><th scope=\"row\">{id}</th><td>{}{partly}</td><td>{}<span class=\"ids\">{}</span></td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\" title=\"critical/high/medium/low\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{files}</td><td>{}</td></tr>",
            escape(&row.description),
            row.rules.len(),
            ids(&row.rules),
            row.evaluated,
            row.pass,
            row.fail.slashed(),
            row.suppressed,
            row.unknown,
            status_badge(row.status),
            id = escape(&row.id),
        );
    }
    if e.criteria.is_empty() {
        out.push_str("<tr><td colspan=\"10\">No rule ran.</td></tr>\n");
    }
    out.push_str("</tbody></table></section>\n");
}

fn not_assessable(out: &mut String, e: &Evidence) {
    out.push_str(
        "<section id=\"not-assessable\"><h2>5. Criteria not assessable from configuration</h2><p>Repository \
         configuration cannot evidence these criteria; they need manual or organisational evidence. A1.3 \
         (recovery testing) and the branch-protection part of CC8.1 are only partly assessable.</p>\n\
         <table><thead><tr><th>Criterion</th><th>What it covers</th><th>Status</th></tr></thead><tbody>\n",
    );
    for c in &e.not_assessable {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
            escape(&c.id),
            escape(&c.description),
            status_badge(Status::NotAssessable)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn exceptions(out: &mut String, e: &Evidence) {
    out.push_str("<section id=\"exceptions\"><h2>6. Exceptions register</h2>\n");
    if e.exceptions.is_empty() {
        out.push_str("<p>No finding is suppressed.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"fixed\"><colgroup><col style=\"width:9%\"><col style=\"width:7%\"><col style=\"width:18%\">\
         <col style=\"width:16%\"><col><col style=\"width:8%\"><col style=\"width:6%\"></colgroup>\
         <thead><tr><th>Rule</th><th>Severity</th><th>Resource</th><th>Location</th><th>Reason</th>\
         <th>Expires</th><th>Kind</th></tr></thead><tbody>\n",
    );
    for x in &e.exceptions {
        let _ = writeln!(
            out,
            "<tr><td class=\"id\">{}</td><td>{}</td><td>{}</td><td class=\"loc\">{}</td><td>{}</td><td class=\"id\">{}</td><td>{}</td></tr>",
            escape(&x.rule),
            severity_badge(x.severity.as_str()),
            x.resource.as_deref().map_or_else(|| "–".to_string(), code),
            path(&format!("{}:{}", x.file, x.line)),
            escape(&x.reason),
            x.expires.as_deref().map_or_else(|| "–".to_string(), escape),
            x.kind_name()
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn findings(out: &mut String, e: &Evidence) {
    out.push_str("<section id=\"findings\"><h2>7. Findings</h2>\n");
    if e.findings.is_empty() {
        out.push_str("<p>No unsuppressed finding.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"fixed\"><colgroup><col style=\"width:7%\"><col style=\"width:8.5%\"><col style=\"width:6.5%\">\
         <col style=\"width:14%\"><col style=\"width:14%\"><col style=\"width:26%\"><col></colgroup>\
         <thead><tr><th>Severity</th><th>Rule</th><th>Criteria</th><th>Location</th><th>Resource</th>\
         <th>Message</th><th>Fix</th></tr></thead><tbody>\n",
    );
    for f in &e.findings {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"id\">{}</td><td>{}</td><td class=\"loc\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            severity_badge(f.severity.as_str()),
            escape(&f.rule),
            escape(&f.criteria.join(", ")),
            path(&format!("{}:{}:{}", f.file, f.line, f.column)),
            f.resource.as_deref().map_or_else(|| "–".to_string(), code),
            message(&f.message),
            message(&f.fix)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn rules(out: &mut String, e: &Evidence) {
    out.push_str(
        "<section id=\"rules\" class=\"appendix\"><h2>Appendix A. Rules applied</h2><table><thead><tr>\
         <th>Rule</th><th>Title</th><th>Severity</th><th>Criteria</th></tr></thead><tbody>\n",
    );
    for r in &e.rules {
        let _ = writeln!(
            out,
            "<tr><td class=\"id\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.id),
            message(&r.title),
            severity_badge(r.severity.as_str()),
            escape(&r.criteria.join(", "))
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn population(out: &mut String, e: &Evidence) {
    out.push_str(
        "<section id=\"population\" class=\"appendix\"><h2>Appendix B. Population</h2><p>Every resource each \
         rule evaluated, with its result: the population to sample from.</p>\n",
    );
    if e.population.is_empty() {
        out.push_str("<p>No rule evaluated a resource.</p>\n");
    }
    for p in &e.population {
        let title = e.rules.iter().find(|r| r.id == p.rule).map_or("", |r| r.title.as_str());
        let _ = writeln!(
            out,
            "<h3 id=\"population-{id}\">{id} <span class=\"muted\">{}</span></h3><p class=\"note\">{} evaluated: \
             {} pass, {} fail, {} suppressed, {} unknown.</p>\n<table class=\"pop\"><colgroup><col class=\"p-file\"><col class=\"p-res\">\
             <col class=\"p-result\"></colgroup><thead><tr><th>File</th><th>Resource</th><th>Result</th></tr></thead><tbody>",
            message(title),
            p.entries.len(),
            p.pass,
            p.fail,
            p.suppressed,
            p.unknown,
            id = escape(&p.rule)
        );
        for entry in &p.entries {
            let class = match (entry.result, entry.suppressed) {
                (trustlint_engine::rule::CheckResult::Pass, _) => "result-pass",
                (trustlint_engine::rule::CheckResult::Unknown, _) => "result-unknown",
                (_, true) => "result-suppressed",
                (_, false) => "result-fail",
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
                path(&entry.file),
                code(&entry.resource),
                escape(&entry.outcome())
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

fn coverage(out: &mut String, e: &Evidence) {
    let c = &e.coverage;
    out.push_str(
        "<section id=\"coverage\" class=\"appendix\"><h2>Appendix C. Coverage</h2><h3>Files scanned per target</h3>\
         <table class=\"files\"><colgroup><col style=\"width:14%\"><col style=\"width:7%\"><col></colgroup><thead><tr><th>Target</th><th class=\"num\">Files</th><th>Paths</th></tr></thead><tbody>\n",
    );
    for (target, files) in &c.files_by_target {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(target),
            files.len(),
            files.iter().map(|f| path(f)).collect::<Vec<_>>().join(", ")
        );
    }
    out.push_str("</tbody></table>\n<h3>Skipped or not fully evaluated</h3>\n");
    if c.skipped.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>File</th><th>Reason</th></tr></thead><tbody>\n");
        for s in &c.skipped {
            let _ = writeln!(out, "<tr><td>{}</td><td>{}</td></tr>", path(&s.file), escape(&s.reason));
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("<h3>Parse failures</h3>\n");
    if c.parse_failures.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>Location</th><th>Error</th></tr></thead><tbody>\n");
        for p in &c.parse_failures {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                path(&format!("{}:{}", p.file, p.line)),
                message(&p.message)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str(
        "<h3>Unknown results</h3><p class=\"note\">Values not known statically (variables without a value, data \
         sources): neither pass nor fail. Supplying variables files resolves many.</p>\n",
    );
    if c.unknown.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>Rule</th><th>File</th><th>Resource</th></tr></thead><tbody>\n");
        for u in &c.unknown {
            let _ = writeln!(
                out,
                "<tr><td class=\"id\">{}</td><td>{}</td><td>{}</td></tr>",
                escape(&u.rule),
                path(&u.file),
                code(&u.resource)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("<h3>Exclusions</h3><p>");
    if e.scope.excludes.is_empty() {
        out.push_str("No exclude glob. ");
    } else {
        let globs: Vec<String> = e.scope.excludes.iter().map(|g| code(g)).collect();
        let _ = write!(out, "Exclude globs: {}. ", globs.join(", "));
    }
    let _ = writeln!(out, "{}</p></section>", escape(c.always_excluded));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
        assert_eq!(escape("plain é"), "plain é");
    }

    #[test]
    fn messages_render_code_spans_escaped() {
        assert_eq!(message("bucket `<b>` is public"), "bucket <code>&lt;b&gt;</code> is public");
        assert_eq!(message("odd ` tick"), "odd <code> tick</code>");
    }
}
