//! Every Terraform fixture (`fixtures/**/*.tf`) produces exactly the findings its
//! `# expect: RULE-ID` comments announce, for every built-in rule bound to Terraform.
//!
//! The workspace-wide fixture suite covers all formats once every loader exists; this one runs
//! the Terraform fixtures through the HCL parser and the Terraform model on their own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use trustlint_engine::document::Syntax;
use trustlint_engine::model::terraform;
use trustlint_engine::parse::hcl;
use trustlint_engine::rule::{FileContext, Outcome};
use trustlint_engine::{SourceFile, Target};

fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            tf_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf") {
            out.push(path);
        }
    }
}

#[test]
fn terraform_fixtures_report_exactly_what_they_expect() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    tf_files(&root, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no Terraform fixture under {}", root.display());

    let rules = trustlint_rules::builtin();
    let mut expected_total = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable fixture");
        let relative = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        let source = SourceFile::new(relative.clone(), text);
        let parsed = hcl::parse(&source.text).unwrap_or_else(|e| panic!("{relative}: {e}"));

        let mut expected = BTreeSet::new();
        for comment in &parsed.comments {
            let Some(ids) = comment.text.strip_prefix("expect:") else { continue };
            let line = source.location(comment.span.start).line;
            for id in ids.split(',').map(str::trim).filter(|id| !id.is_empty()) {
                expected.insert((line, id.to_string()));
            }
        }
        expected_total += expected.len();

        let syntax = Syntax::Hcl(parsed.clone());
        let ctx = FileContext { source: &source, syntax: &syntax };
        let mut found = BTreeSet::new();
        for resource in terraform::resources(&parsed) {
            for rule in &rules {
                let bound = rule.meta().bindings.iter().any(|b| {
                    b.target == Target::Terraform
                        && b.resources.iter().any(|r| r == "*" || *r == resource.kind)
                });
                if !bound {
                    continue;
                }
                let mut out = Outcome::default();
                rule.check(&resource, &ctx, &mut out);
                for violation in &out.violations {
                    found.insert((source.location(violation.span.start).line, rule.meta().id.clone()));
                }
            }
        }
        assert_eq!(found, expected, "{relative}: findings (line, rule) differ from the expect comments");
    }
    assert!(expected_total > 0, "no fixture expects a finding");
}
