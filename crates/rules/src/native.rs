//! Native rules: a metadata table and a check function, for the checks the policy language
//! cannot express (secret detection, shell analysis, workflow expressions, stage graphs).

use trustlint_engine::rule::{Binding, FileContext, Outcome, References, Rule, RuleMeta};
use trustlint_engine::{Resource, Severity, Target};

/// The metadata a native rule file declares, as static data.
pub(crate) struct Meta {
    pub id: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub criteria: &'static [&'static str],
    pub help: &'static str,
    pub checkov: &'static [&'static str],
    pub kics: &'static [&'static str],
    pub trivy: &'static [&'static str],
    pub other: &'static [&'static str],
    pub bindings: &'static [(Target, &'static [&'static str])],
}

/// The check function a native rule file declares.
pub(crate) type CheckFn = fn(&Resource<'_>, &FileContext<'_>, &mut Outcome);

/// A native rule ready for the engine.
pub(crate) struct NativeRule {
    meta: RuleMeta,
    check: CheckFn,
}

impl NativeRule {
    pub(crate) fn new(meta: Meta, check: CheckFn, description: &str) -> Self {
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        NativeRule {
            meta: RuleMeta {
                id: meta.id.into(),
                name: meta.name.into(),
                title: meta.title.into(),
                severity: meta.severity,
                criteria: strings(meta.criteria),
                help: meta.help.into(),
                description: description.into(),
                references: References {
                    checkov: strings(meta.checkov),
                    kics: strings(meta.kics),
                    trivy: strings(meta.trivy),
                    other: strings(meta.other),
                },
                bindings: meta
                    .bindings
                    .iter()
                    .map(|(target, resources)| Binding { target: *target, resources: strings(resources) })
                    .collect(),
            },
            check,
        }
    }
}

impl Rule for NativeRule {
    fn meta(&self) -> &RuleMeta {
        &self.meta
    }

    fn check(&self, resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
        (self.check)(resource, file, out);
    }
}
