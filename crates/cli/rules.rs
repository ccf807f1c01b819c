//! `trustlint rules` and `trustlint explain`: the rule metadata, from the same source as the
//! docs and the SARIF rule descriptions.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use trustlint_engine::rule::RuleMeta;

use crate::args::{ExplainArgs, RulesArgs, RulesFormat};
use crate::exit;

/// Every rule trustlint knows: the built-in pack and the parse-failure pseudo-rule.
pub fn all_rules() -> Vec<RuleMeta> {
    let mut metas: Vec<RuleMeta> = trustlint_rules::builtin().iter().map(|r| r.meta().clone()).collect();
    metas.push(trustlint_engine::lint::parse_rule_meta());
    metas.extend(trustlint_engine::suppress::meta_rules());
    metas.sort_by(|a, b| a.id.cmp(&b.id));
    metas
}

#[derive(Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    name: &'a str,
    title: &'a str,
    severity: &'static str,
    criteria: &'a [String],
    platform: String,
    targets: Vec<&'static str>,
    resources: Vec<&'a str>,
    references: &'a trustlint_engine::rule::References,
    help: &'a str,
    description: &'a str,
}

/// `trustlint rules`.
pub fn list(args: &RulesArgs) -> Result<u8> {
    let selection = crate::select::Selection { criteria: args.criteria.clone(), ..Default::default() };
    let rules: Vec<RuleMeta> = all_rules()
        .into_iter()
        .filter(|m| args.platform.as_deref().is_none_or(|p| m.platform().eq_ignore_ascii_case(p)))
        .filter(|m| selection.enables(m))
        .collect();
    let text = match args.format {
        RulesFormat::Json => json(&rules)?,
        RulesFormat::Markdown => markdown(&rules),
        RulesFormat::Table => table(&rules),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).context("writing the rule list")?;
    stdout.flush().context("writing the rule list")?;
    Ok(exit::CLEAN)
}

fn json(rules: &[RuleMeta]) -> Result<String> {
    let items: Vec<RuleJson<'_>> = rules
        .iter()
        .map(|m| {
            let mut targets: Vec<&'static str> = m.bindings.iter().map(|b| b.target.as_str()).collect();
            targets.dedup();
            RuleJson {
                id: &m.id,
                name: &m.name,
                title: &m.title,
                severity: m.severity.as_str(),
                criteria: &m.criteria,
                platform: m.platform(),
                targets,
                resources: m.bindings.iter().flat_map(|b| b.resources.iter().map(String::as_str)).collect(),
                references: &m.references,
                help: &m.help,
                description: &m.description,
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&items).context("serialising the rule list")?;
    text.push('\n');
    Ok(text)
}

fn table(rules: &[RuleMeta]) -> String {
    let id_width = rules.iter().map(|m| m.id.len()).max().unwrap_or(2).max(2);
    let name_width = rules.iter().map(|m| m.name.len()).max().unwrap_or(4).max(4);
    let mut out = format!("{:id_width$}  {:name_width$}  {:8}  CRITERIA\n", "ID", "NAME", "SEVERITY");
    for m in rules {
        let _ = writeln!(
            out,
            "{:id_width$}  {:name_width$}  {:8}  {}",
            m.id,
            m.name,
            m.severity.as_str(),
            m.criteria.join(", ")
        );
    }
    let _ = writeln!(out, "{} rules", rules.len());
    out
}

/// The markdown rule reference (`docs/rules.md` is this output).
pub fn markdown(rules: &[RuleMeta]) -> String {
    let mut out = String::from(
        "# trustlint rules\n\n| ID | Name | Severity | Criteria | Targets |\n|---|---|---|---|---|\n",
    );
    for m in rules {
        let mut targets: Vec<&str> = m.bindings.iter().map(|b| b.target.as_str()).collect();
        targets.dedup();
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} | {} | {} | {} |",
            m.id,
            m.id.to_ascii_lowercase(),
            m.name,
            m.severity.as_str(),
            m.criteria.join(", "),
            targets.join(", ")
        );
    }
    for m in rules {
        out.push('\n');
        out.push_str(&explain_text(m));
    }
    out
}

fn explain_text(m: &RuleMeta) -> String {
    let mut out = format!("## {}\n\n**{}** (`{}`)\n\n", m.id, m.title, m.name);
    let _ = writeln!(out, "- Severity: {}", m.severity);
    let _ = writeln!(out, "- Criteria: {}", m.criteria.join(", "));
    let mut targets: Vec<&str> = m.bindings.iter().map(|b| b.target.as_str()).collect();
    targets.dedup();
    if !targets.is_empty() {
        let _ = writeln!(out, "- Targets: {}", targets.join(", "));
    }
    let refs = &m.references;
    for (tool, ids) in
        [("Checkov", &refs.checkov), ("KICS", &refs.kics), ("Trivy", &refs.trivy), ("Other", &refs.other)]
    {
        if !ids.is_empty() {
            let _ = writeln!(out, "- {tool}: {}", ids.join(", "));
        }
    }
    out.push('\n');
    // Rule documentation uses `##` sections; nest them under the rule's own heading.
    for line in m.description.lines() {
        if line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    if !m.help.is_empty() && !m.description.contains("## Fix") {
        let _ = write!(out, "\n### Fix\n\n{}\n", m.help);
    }
    out
}

/// `trustlint explain RULE`.
pub fn explain(args: &ExplainArgs) -> Result<u8> {
    let wanted = args.rule.trim();
    let rules = all_rules();
    let Some(meta) = rules.iter().find(|m| m.id.eq_ignore_ascii_case(wanted) || m.name == wanted) else {
        bail!("no rule `{wanted}`: `trustlint rules` lists them");
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(explain_text(meta).as_bytes()).context("writing the explanation")?;
    stdout.flush().context("writing the explanation")?;
    Ok(exit::CLEAN)
}
