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
    let line_start = text.get(..span.start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let line_end = text.get(span.end..).and_then(|t| t.find('\n')).map_or(text.len(), |i| span.end + i);
    let before = text.get(line_start..span.start).unwrap_or("");
    let after = text.get(span.end..line_end).unwrap_or("");
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
    }
}
