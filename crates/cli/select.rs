//! Which rules run: `--select`/`--ignore` by id or prefix, `--criteria` by criterion.

use trustlint_engine::rule::RuleMeta;

/// Whether `pattern` names `id` exactly or is a prefix of it at a `-` boundary
/// (`TL-AWS` selects `TL-AWS-029`, `TL-AW` does not).
pub fn matches(pattern: &str, id: &str) -> bool {
    let pattern = pattern.trim().to_ascii_uppercase();
    id == pattern || (id.starts_with(&pattern) && id.as_bytes().get(pattern.len()) == Some(&b'-'))
}

/// Whether a pattern matches at least one known rule.
pub fn matches_any_rule(pattern: &str, ids: &[String]) -> bool {
    ids.iter().any(|id| matches(pattern, id))
}

/// Whether a criterion filter (`CC6.1`, `CC6`, `A1`) matches one of a rule's criteria.
fn criterion_matches(filter: &str, criterion: &str) -> bool {
    let filter = filter.trim().to_ascii_uppercase();
    criterion == filter
        || (criterion.starts_with(&filter) && criterion.as_bytes().get(filter.len()) == Some(&b'.'))
}

/// A rule filter built from select, ignore and criteria lists.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Ids or prefixes to keep (empty keeps all).
    pub select: Vec<String>,
    /// Ids or prefixes to drop.
    pub ignore: Vec<String>,
    /// Criteria (or prefixes) a rule must serve (empty keeps all).
    pub criteria: Vec<String>,
}

impl Selection {
    /// Whether the rule runs.
    pub fn enables(&self, meta: &RuleMeta) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|p| matches(p, &meta.id));
        let ignored = self.ignore.iter().any(|p| matches(p, &meta.id));
        let criteria = self.criteria.is_empty()
            || self.criteria.iter().any(|f| meta.criteria.iter().any(|c| criterion_matches(f, c)));
        selected && !ignored && criteria
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_stop_at_dashes() {
        assert!(matches("TL-AWS", "TL-AWS-029"));
        assert!(matches("tl-aws-029", "TL-AWS-029"));
        assert!(!matches("TL-AW", "TL-AWS-029"));
        assert!(!matches("TL-AWS-02", "TL-AWS-029"));
        assert!(criterion_matches("CC6", "CC6.1"));
        assert!(criterion_matches("cc6.1", "CC6.1"));
        assert!(!criterion_matches("CC6.1", "CC6.10"));
        assert!(!criterion_matches("C1", "CC1.1"));
    }
}
