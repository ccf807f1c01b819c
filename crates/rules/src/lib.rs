//! The built-in SOC 2 rule pack of trustlint.
//!
//! Native rules live one per file under `src/<platform>/`, each opening with its
//! documentation; the build script registers them. [`builtin`] returns the whole pack.
//!
//! ```
//! let rules = trustlint_rules::builtin();
//! assert!(rules.iter().any(|r| r.meta().id == "TL-K8S-001"));
//! ```
#![deny(missing_docs)]

mod backup;
mod compose_services;
mod credential;
mod gcp_iam;
mod iam;
mod lazy_policy;
mod link;
mod links;
mod native;
mod placement;
mod port_range;
mod prelude;
mod reference;
mod s3;
mod secret_names;
mod sensitive_file;
#[cfg(test)]
mod testing;
mod wildcard;

use lazy_policy::LazyPolicy;
use trustlint_engine::policy::{PolicyError, compile};
use trustlint_engine::rule::Rule;

include!(concat!(env!("OUT_DIR"), "/native_rules.rs"));

/// The version of the built-in rule pack (recorded in reports beside the rule set's hash).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every built-in rule, sorted by id: the native rules and the embedded policies of
/// `rules/`. Policies are compiled when first needed (see [`lazy_policy`]); one that does not
/// compile judges nothing (the test suite guarantees there is none; see [`builtin_errors`]).
pub fn builtin() -> Vec<Box<dyn Rule>> {
    let mut rules: Vec<Box<dyn Rule>> =
        native_rules().into_iter().map(|r| Box::new(r) as Box<dyn Rule>).collect();
    rules.extend(
        POLICY_HEADERS
            .iter()
            .zip(POLICIES)
            .map(|(header, (_, text))| Box::new(LazyPolicy::new(header, text)) as Box<dyn Rule>),
    );
    rules.sort_by(|a, b| a.meta().id.cmp(&b.meta().id));
    rules
}

/// The compile errors of built-in policies (none in a correct build).
pub fn builtin_errors() -> Vec<PolicyError> {
    POLICIES.iter().filter_map(|(path, text)| compile(path, text).err()).collect()
}

/// The embedded policy files: (path relative to the repository, text).
pub fn policy_sources() -> &'static [(&'static str, &'static str)] {
    POLICIES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_policy_compiles() {
        let errors = builtin_errors();
        assert!(
            errors.is_empty(),
            "{}",
            errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        );
    }

    #[test]
    fn metadata_read_at_build_time_is_the_compiled_metadata() {
        assert_eq!(POLICY_HEADERS.len(), POLICIES.len());
        for (header, (path, text)) in POLICY_HEADERS.iter().zip(POLICIES) {
            assert_eq!(header.path, *path);
            let lazy = LazyPolicy::new(header, text);
            let compiled = compile(path, text).expect("compiles");
            assert_eq!(format!("{:?}", lazy.meta()), format!("{:?}", compiled.meta()), "{path}");
            assert!(lazy.compiled().is_some(), "{path}");
        }
    }

    #[test]
    fn ids_are_unique() {
        let rules = builtin();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.meta().id.as_str()).collect();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate rule ids");
    }
}
