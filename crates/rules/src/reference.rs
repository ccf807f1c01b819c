//! Recognising text that stands where a secret would be but is not one: an interpolation or
//! a reference (`${var.key}`, `${{ secrets.KEY }}`, `$(cat key)`, `{{resolve:...}}`,
//! `!Ref Key`) or an angle-bracket placeholder (`<access-key-id>`). The secret scanners skip
//! a match that sits inside one.

use trustlint_engine::Span;

/// Openers of interpolations, with the text that closes them.
const INTERPOLATIONS: [(&str, &str); 6] =
    [("${{", "}}"), ("{{resolve:", "}}"), ("${", "}"), ("%{", "}"), ("#{", "}"), ("$(", ")")];

/// YAML tags and keys that make the value a reference to something else (CloudFormation).
const REFERENCE_TAGS: [&str; 4] = ["!Ref", "!GetAtt", "!ImportValue", "\"Ref\":"];

/// Whether the bytes `span` of `text` sit inside an interpolation, a reference or an
/// angle-bracket placeholder on their line.
pub(crate) fn is_reference(text: &str, span: Span) -> bool {
    let (before, after) = surroundings(text, span);
    let enclosed = INTERPOLATIONS.iter().any(|(open, close)| {
        before.rfind(open).is_some_and(|at| {
            let between = before.get(at + open.len()..).unwrap_or("");
            !between.contains(close) && after.contains(close)
        })
    });
    let placeholder = before.ends_with('<') && after.starts_with('>');
    let tagged = REFERENCE_TAGS
        .iter()
        .any(|tag| before.trim_end().trim_end_matches(['"', '\'']).trim_end().ends_with(tag));
    enclosed || placeholder || tagged
}

/// How far from a match its line is read, each way: an interpolation or tag that encloses a
/// secret sits right beside it. The bound keeps the work per match constant, so a file of one
/// very long line full of matches is still read in linear time.
pub(crate) const NEARBY: usize = 512;

/// The text of `span`'s line before and after it, at most [`NEARBY`] bytes each way.
pub(crate) fn surroundings(text: &str, span: Span) -> (&str, &str) {
    let mut floor = span.start.saturating_sub(NEARBY);
    while !text.is_char_boundary(floor) {
        floor += 1;
    }
    let mut ceiling = span.end.saturating_add(NEARBY).min(text.len());
    while !text.is_char_boundary(ceiling) {
        ceiling -= 1;
    }
    let before = text.get(floor..span.start).unwrap_or("");
    let before = before.rfind(['\n', '\r']).map_or(before, |i| before.get(i + 1..).unwrap_or(""));
    let after = text.get(span.end..ceiling.max(span.end)).unwrap_or("");
    let after = after.find(['\n', '\r']).map_or(after, |i| after.get(..i).unwrap_or(""));
    (before, after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str, needle: &str) -> bool {
        let start = line.find(needle).expect("needle");
        is_reference(line, Span::new(start, start + needle.len()))
    }

    #[test]
    fn interpolations_and_placeholders_are_references() {
        assert!(check("access_key = \"${var.KEYVALUE}\"", "KEYVALUE"));
        assert!(check("key: ${{ secrets.KEYVALUE }}", "KEYVALUE"));
        assert!(check("KEY=$(vault read KEYVALUE)", "KEYVALUE"));
        assert!(check("Password: '{{resolve:secretsmanager:KEYVALUE}}'", "KEYVALUE"));
        assert!(check("id = \"<KEYVALUE>\"", "KEYVALUE"));
        assert!(check("AccessKey: !Ref KEYVALUE", "KEYVALUE"));
        assert!(check("line one\nkey = \"%{ for k in KEYVALUE }x%{ endfor }\"\n", "KEYVALUE"));
    }

    #[test]
    fn literals_are_not_references() {
        assert!(!check("access_key = \"KEYVALUE\"", "KEYVALUE"));
        assert!(!check("x = \"${var.a}\" y = \"KEYVALUE\"", "KEYVALUE"));
        assert!(!check("echo $(date) KEYVALUE", "KEYVALUE"));
        assert!(!check("a <b> KEYVALUE", "KEYVALUE"));
        // Template text between directives is literal.
        assert!(!check("key = \"%{ if x }KEYVALUE%{ endif }\"", "KEYVALUE"));
        // An opener on another line does not count.
        assert!(!check("x = ${\nKEYVALUE }", "KEYVALUE"));
        assert!(!check("x = ${\rKEYVALUE }", "KEYVALUE"), "a lone CR ends a line too");
    }

    #[test]
    fn only_the_neighbourhood_is_read() {
        let far = format!("${{{}KEYVALUE}}", " ".repeat(NEARBY + 10));
        assert!(!check(&far, "KEYVALUE"), "an opener beyond the window does not count");
        let near = format!("{}${{KEYVALUE}}", "x".repeat(NEARBY * 4));
        assert!(check(&near, "KEYVALUE"));
        let text = "é".repeat(NEARBY);
        let at = text.len() / 2;
        let (before, after) = surroundings(&text, Span::new(at, at));
        assert!(before.len() <= NEARBY && after.len() <= NEARBY);
        assert!(!before.is_empty() && !after.is_empty());
    }
}
