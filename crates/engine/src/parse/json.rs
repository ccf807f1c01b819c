//! JSON (with comments) into a spanned tree.
//!
//! jsonc-parser reads the text: `//` and `/* */` comments and trailing commas are accepted
//! (as in `tsconfig.json` or VS Code settings); the JSON5 extensions it also offers (bare
//! keys, single quotes, hexadecimal, `NaN`, missing commas) are refused, since the platforms
//! that read these files would refuse them too. Numbers keep their text (`1.0e3`), keys keep
//! the span of their quoted token, and an empty text (or one of only comments) is a
//! [`Value::Null`] root.
//!
//! A key repeated in one object is a [`ParseError`] at its second occurrence, as in YAML:
//! RFC 8259 leaves the meaning of duplicate names undefined, and parsers disagree (most keep
//! the last, some the first, some refuse). A linter that silently picked one could judge a
//! value the platform never uses, so the file is reported instead.
//!
//! jsonc-parser recurses once per nesting level, so the text is first scanned for brackets
//! nested deeper than [`super::depth_limit`] and refused with a located error before it is parsed.
//!
//! ```
//! use trustlint_engine::parse::json;
//! let doc = json::parse("{\n  // why\n  \"mode\": 1.50e3,\n}").expect("valid JSONC");
//! assert_eq!(doc.root.get("mode").and_then(|n| n.scalar_text()).as_deref(), Some("1.50e3"));
//! assert_eq!(doc.comments[0].text, "why");
//! ```

use super::ParseError;
use crate::{Comment, Entry, Node, Span, Value};
use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};
use std::collections::HashSet;

/// A parsed JSON document.
#[derive(Debug, Clone)]
pub struct JsonDocument {
    /// The root value.
    pub root: Node,
    /// Comments (JSONC), in order.
    pub comments: Vec<Comment>,
}

/// Objects with more properties than this look for duplicate keys with a hash set.
const LINEAR_DUPLICATE_SCAN: usize = 16;

/// Parse a JSON document.
///
/// # Errors
/// A [`ParseError`] located at the problem: a syntax error, a duplicate key, or nesting
/// deeper than [`super::depth_limit`].
pub fn parse(text: &str) -> Result<JsonDocument, ParseError> {
    check_depth(text)?;
    let collect = CollectOptions { comments: CommentCollectionStrategy::Separate, tokens: false };
    let options = ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &collect, &options).map_err(|e| {
        let range = e.range();
        ParseError::new(e.kind().to_string(), Span::new(range.start, range.end))
    })?;
    let root = match parsed.value {
        Some(value) => convert(value)?,
        None => Node::new(Span::point(0), Value::Null),
    };
    Ok(JsonDocument { root, comments: comments(parsed.comments) })
}

/// The comments, once each and in order: jsonc-parser files every run of comments under
/// both the token before it and the token after it.
fn comments(map: Option<jsonc_parser::CommentMap<'_>>) -> Vec<Comment> {
    let mut seen = HashSet::new();
    let mut out: Vec<Comment> = map
        .into_iter()
        .flat_map(|m| m.into_values())
        .flat_map(|run| run.iter().cloned().collect::<Vec<_>>())
        .filter(|c| seen.insert(c.start()))
        .map(|c| Comment { span: Span::new(c.start(), c.end()), text: c.text().trim().to_owned() })
        .collect();
    out.sort_unstable_by_key(|c| c.span.start);
    out
}

fn span_of(range: jsonc_parser::common::Range) -> Span {
    Span::new(range.start, range.end)
}

/// Convert jsonc-parser's tree. Recursion is bounded by [`check_depth`].
fn convert(value: ast::Value<'_>) -> Result<Node, ParseError> {
    let node = match value {
        ast::Value::StringLit(s) => Node::new(span_of(s.range), Value::String(s.value.into_owned())),
        ast::Value::NumberLit(n) => Node::new(span_of(n.range), Value::Number(n.value.to_owned())),
        ast::Value::BooleanLit(b) => Node::new(span_of(b.range), Value::Bool(b.value)),
        ast::Value::NullKeyword(n) => Node::new(span_of(n.range), Value::Null),
        ast::Value::Array(a) => {
            let items = a.elements.into_iter().map(convert).collect::<Result<Vec<_>, _>>()?;
            Node::new(span_of(a.range), Value::List(items))
        }
        ast::Value::Object(o) => {
            let span = span_of(o.range);
            let mut entries = Vec::with_capacity(o.properties.len());
            for prop in o.properties {
                let key_span = span_of(prop.name.range());
                let key = prop.name.into_string();
                entries.push(Entry { key, key_span, value: convert(prop.value)? });
            }
            if let Some(dup) = first_duplicate(&entries) {
                return Err(ParseError::new(format!("duplicate key `{}` in object", dup.key), dup.key_span));
            }
            Node::new(span, Value::Map(entries))
        }
    };
    Ok(node)
}

/// The first entry whose key an earlier entry already has.
fn first_duplicate(entries: &[Entry]) -> Option<&Entry> {
    if entries.len() <= LINEAR_DUPLICATE_SCAN {
        return entries
            .iter()
            .enumerate()
            .find(|(i, e)| entries.get(..*i).is_some_and(|before| before.iter().any(|b| b.key == e.key)))
            .map(|(_, e)| e);
    }
    let mut seen = HashSet::with_capacity(entries.len());
    entries.iter().find(|e| !seen.insert(e.key.as_str()))
}

/// Refuse brackets nested deeper than [`super::depth_limit`], skipping strings and comments. Anything
/// else malformed is left for the parser to report.
fn check_depth(text: &str) -> Result<(), ParseError> {
    let bytes = text.as_bytes();
    let limit = super::depth_limit();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(ParseError::new(
                        format!("nesting deeper than {limit} levels"),
                        Span::new(i, i + 1),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n' && c != b'\r') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while bytes.get(i).is_some()
                    && !(bytes.get(i) == Some(&b'*') && bytes.get(i + 1) == Some(&b'/'))
                {
                    i += 1;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LineIndex, Location};

    fn at(text: &str, span: Span) -> (usize, usize) {
        let Location { line, column } = LineIndex::new(text).location(text, span.start);
        (line, column)
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    const TEMPLATE: &str = r#"{
  // CloudFormation in JSON, with comments
  "Resources": {
    "Logs": {
      "Type": "AWS::S3::Bucket",
      "Properties": {
        "BucketName": {"Ref": "Name"},
        "Tags": [
          {"Key": "ñandú", "Value": "é"},
        ], /* trailing comma above */
        "Mode": 1.50e3,
        "Versioned": true,
        "Extra": null,
      },
    },
  },
}
"#;

    #[test]
    fn spans_comments_and_trailing_commas() {
        let text = TEMPLATE;
        let doc = parse(text).expect("valid JSONC");
        let props = doc.root.get_path("Resources.Logs.Properties").expect("properties");

        let name = props.entry("BucketName").expect("bucket name");
        assert_eq!(at(text, name.key_span), (7, 9));
        assert_eq!(slice(text, name.key_span), "\"BucketName\"");
        assert_eq!(at(text, name.value.span), (7, 23));
        assert_eq!(slice(text, name.value.span), "{\"Ref\": \"Name\"}");

        let tag = &props.get("Tags").expect("tags").items()[0];
        assert_eq!(at(text, tag.span), (9, 11));
        let value = tag.entry("Value").expect("value");
        assert_eq!(at(text, value.value.span), (9, 37), "columns count characters");
        assert_eq!(value.value.as_str(), Some("é"));
        assert_eq!(tag.get("Key").and_then(Node::as_str), Some("ñandú"));

        assert_eq!(props.get("Mode").map(|n| n.value.clone()), Some(Value::Number("1.50e3".into())));
        assert_eq!(props.get("Versioned").map(|n| n.value.clone()), Some(Value::Bool(true)));
        assert!(props.get("Extra").is_some_and(Node::is_null));

        let texts: Vec<&str> = doc.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["CloudFormation in JSON, with comments", "trailing comma above"]);
        assert_eq!(slice(text, doc.comments[0].span), "// CloudFormation in JSON, with comments");
        assert_eq!(at(text, doc.comments[1].span), (10, 12));
    }

    #[test]
    fn empty_text_is_a_null_root() {
        let doc = parse("  // nothing\n").expect("comments only");
        assert!(doc.root.is_null());
        assert_eq!(doc.comments.len(), 1);
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let text = "{\n  \"a\": 1,\n  \"b\": {\"c\": 1},\n  \"a\": 2\n}";
        let err = parse(text).expect_err("duplicate");
        assert_eq!(at(text, err.span), (4, 3));
        assert_eq!(slice(text, err.span), "\"a\"");
        assert!(err.message.contains("`a`"));

        let many = format!(
            "{{{}, \"k3\": 0}}",
            (0..30).map(|i| format!("\"k{i}\": {i}")).collect::<Vec<_>>().join(", ")
        );
        assert_eq!(slice(&many, parse(&many).expect_err("duplicate").span), "\"k3\"");
    }

    use crate::parse::{MAX_DEPTH, with_depth_limit};

    #[test]
    fn a_lower_depth_limit_is_obeyed_and_restored() {
        let text = "[[[[1]]]]";
        let err = with_depth_limit(3, || parse(text)).expect_err("deeper than 3");
        assert_eq!((err.message.as_str(), err.span.start), ("nesting deeper than 3 levels", 3));
        assert!(with_depth_limit(4, || parse(text)).is_ok());
        assert!(parse(text).is_ok(), "the limit is back to the default");
        assert_eq!(with_depth_limit(100_000, crate::parse::depth_limit), MAX_DEPTH, "never raised");
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = "[".repeat(100_000);
        let err = parse(&text).expect_err("too deep");
        assert!(err.message.contains("nesting"));
        assert_eq!(err.span.start, MAX_DEPTH);

        let objects = format!("{}1{}", "{\"a\":".repeat(300), "}".repeat(300));
        assert!(parse(&objects).expect_err("too deep").message.contains("nesting"));

        let limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&limit).is_ok());
        let objects = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert!(parse(&objects).is_ok());

        // Brackets inside strings and comments do not count.
        let quoted = format!("{{\"k\": \"{}\\\"\", /* {} */ \"j\": 1}}", "[".repeat(1000), "{".repeat(1000));
        assert!(parse(&quoted).is_ok());
    }

    #[test]
    fn malformed_inputs_give_located_errors() {
        for (text, line) in [
            ("{\n  \"a\": 1\n  \"b\": 2\n}", 2),
            ("{\n  \"a\": [1, 2\n}", 3),
            ("{\n  a: 1\n}", 2),
            ("{\"a\": 1}\n{\"b\": 2}", 2),
            ("[\n  'single'\n]", 2),
            ("{\n  \"a\": \"unterminated\n}", 2),
        ] {
            let err = parse(text).expect_err("malformed");
            assert!(!err.message.is_empty());
            assert_eq!(at(text, err.span).0, line, "{text:?}: {}", err.message);
        }
    }
}
