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

mod native;
mod prelude;
mod reference;

use trustlint_engine::rule::Rule;

include!(concat!(env!("OUT_DIR"), "/native_rules.rs"));

/// Every built-in rule, sorted by id.
pub fn builtin() -> Vec<Box<dyn Rule>> {
    let mut rules: Vec<Box<dyn Rule>> =
        native_rules().into_iter().map(|r| Box::new(r) as Box<dyn Rule>).collect();
    rules.sort_by(|a, b| a.meta().id.cmp(&b.meta().id));
    rules
}
