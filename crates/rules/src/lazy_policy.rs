//! Built-in policies compiled on first use. Parsing and compiling the whole embedded pack is
//! most of the cost of starting a run, and a run over a Kubernetes repository never needs the
//! Terraform policies: the metadata (read from each file at build time) is all that rule
//! selection and the outputs need, and a policy is compiled the first time a resource it
//! judges is checked.

use std::sync::OnceLock;

use trustlint_engine::policy::{Policy, compile_trusted};
use trustlint_engine::rule::{Binding, FileContext, Outcome, References, Rule, RuleMeta};
use trustlint_engine::{Resource, Severity, Target};

/// A policy file's metadata, as the build script read it.
pub(crate) struct Header {
    pub path: &'static str,
    pub id: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub severity: &'static str,
    pub criteria: &'static [&'static str],
    pub help: &'static str,
    pub description: &'static str,
    pub checkov: &'static [&'static str],
    pub kics: &'static [&'static str],
    pub trivy: &'static [&'static str],
    pub other: &'static [&'static str],
    pub bindings: &'static [(&'static str, &'static [&'static str])],
}

/// A built-in policy: its metadata now, its compiled conditions when first needed.
pub(crate) struct LazyPolicy {
    meta: RuleMeta,
    path: &'static str,
    text: &'static str,
    compiled: OnceLock<Option<Policy>>,
}

impl LazyPolicy {
    /// The policy of `header`, whose source is `text`.
    pub(crate) fn new(header: &Header, text: &'static str) -> Self {
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let meta = RuleMeta {
            id: header.id.into(),
            name: header.name.into(),
            title: header.title.into(),
            // The pack's tests compile every policy strictly: these parse in a correct build.
            severity: Severity::parse(header.severity).unwrap_or(Severity::High),
            criteria: strings(header.criteria),
            help: header.help.into(),
            description: header.description.into(),
            references: References {
                checkov: strings(header.checkov),
                kics: strings(header.kics),
                trivy: strings(header.trivy),
                other: strings(header.other),
            },
            bindings: header
                .bindings
                .iter()
                .filter_map(|(target, resources)| {
                    Some(Binding { target: Target::parse(target)?, resources: strings(resources) })
                })
                .collect(),
        };
        LazyPolicy { meta, path: header.path, text, compiled: OnceLock::new() }
    }

    /// The compiled policy (compiled now if it was not yet).
    pub(crate) fn compiled(&self) -> Option<&Policy> {
        self.compiled.get_or_init(|| compile_trusted(self.path, self.text).ok()).as_ref()
    }
}

impl Rule for LazyPolicy {
    fn meta(&self) -> &RuleMeta {
        &self.meta
    }

    fn check(&self, resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
        if let Some(policy) = self.compiled() {
            policy.check(resource, file, out);
        }
    }
}
