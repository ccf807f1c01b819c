//! dotenv files as resources: one `entry` per `KEY=value`.
//!
//! ```
//! use trustlint_engine::{model::dotenv::resources, parse::dotenv::parse};
//! let f = parse("A=1\nexport B=2\n").unwrap();
//! let r = resources(&f);
//! assert_eq!(r[1].address, "B");
//! assert_eq!(r[1].index, 1);
//! ```

use crate::parse::dotenv::DotenvFile;
use crate::{Resource, Target};

/// One `entry` resource per entry: address the key, span the entry, index its position.
pub fn resources<'a>(f: &'a DotenvFile) -> Vec<Resource<'a>> {
    f.entries
        .iter()
        .enumerate()
        .map(|(i, e)| Resource::bare(Target::Dotenv, "entry", e.key.clone(), e.span, i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::dotenv::parse;

    #[test]
    fn one_entry_resource_per_line_with_its_span() {
        let text = "# c\nTOKEN=\"x\"\n\nexport DB = y # z\n";
        let f = parse(text).expect("valid dotenv");
        let r = resources(&f);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].kind.as_str(), r[0].address.as_str(), r[0].index), ("entry", "TOKEN", 0));
        assert_eq!(r[1].target, Target::Dotenv);
        assert_eq!(&text[r[1].span.start..r[1].span.end], "export DB = y");
        assert!(r[1].body.is_none());
    }
}
