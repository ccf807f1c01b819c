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

use trustlint_engine::policy::{PolicyError, compile, compile_trusted};
use trustlint_engine::rule::Rule;

include!(concat!(env!("OUT_DIR"), "/native_rules.rs"));

/// The version of the built-in rule pack (recorded in reports beside the rule set's hash).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every built-in rule, sorted by id: the native rules and the embedded policies of
/// `rules/`. A built-in policy that does not compile is left out (the test suite guarantees
/// there is none; see [`builtin_errors`]), which is also why its regexes are built on first
/// use rather than at start-up.
pub fn builtin() -> Vec<Box<dyn Rule>> {
    let mut rules: Vec<Box<dyn Rule>> =
        native_rules().into_iter().map(|r| Box::new(r) as Box<dyn Rule>).collect();
    rules.extend(compile_policies().into_iter().map(|p| Box::new(p) as Box<dyn Rule>));
    rules.sort_by(|a, b| a.meta().id.cmp(&b.meta().id));
    rules
}

/// The embedded policies, compiled. Parsing their TOML is most of start-up, so it is spread
/// over the cores (two halves on a 2-core machine roughly halve it).
fn compile_policies() -> Vec<trustlint_engine::policy::Policy> {
    let compile_all = |files: &[(&str, &str)]| -> Vec<trustlint_engine::policy::Policy> {
        files.iter().filter_map(|(path, text)| compile_trusted(path, text).ok()).collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(4);
    if threads < 2 {
        return compile_all(POLICIES);
    }
    let chunk = POLICIES.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let mut chunks = POLICIES.chunks(chunk);
        let first = chunks.next().unwrap_or_default();
        let others: Vec<_> = chunks.map(|files| scope.spawn(move || compile_all(files))).collect();
        let mut policies = compile_all(first);
        for (handle, files) in others.into_iter().zip(POLICIES.chunks(chunk).skip(1)) {
            // A thread that could not finish is redone here rather than losing its rules.
            policies.extend(handle.join().unwrap_or_else(|_| compile_all(files)));
        }
        policies
    })
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
    fn ids_are_unique() {
        let rules = builtin();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.meta().id.as_str()).collect();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate rule ids");
    }
}
