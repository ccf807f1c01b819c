//! YAML streams into spanned trees.
//!
//! The tree is built straight from saphyr-parser's events rather than through saphyr's
//! `MarkedYaml` loader, whose hashed maps were measured at most of its load time (see
//! PARSERS.md), with these rules:
//!
//! - **Scalars**: only plain scalars are typed, by the YAML 1.2 core schema: `null`, `Null`,
//!   `NULL`, `~` and the empty value are [`Value::Null`]; `true`/`True`/`TRUE` and the three
//!   `false` spellings are [`Value::Bool`]; integers (decimal, `0o`, `0x`) and floats
//!   (`.inf`, `.nan` included) are [`Value::Number`] as written, so `0644` stays `"0644"`.
//!   Everything else, `yes`, `on`, `no` and `off` included, is a string, and quoted or block
//!   (`|`, `>`) scalars are always strings.
//! - **Tags**: the core tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map` and
//!   `!!seq` are applied (a value that does not fit its tag is an error). Any other tag wraps
//!   the value in [`Value::Tagged`]: local tags without their `!` (`!Ref x` is
//!   `Tagged("Ref", x)`, `!<!Ref> x` too), global tags by their full name (`!!binary` is
//!   `tag:yaml.org,2002:binary`).
//! - **Documents**: one [`Node`] per document of a `---` stream. A document with no content
//!   (an empty stream, a stream of comments, a trailing `---`) yields no node at all;
//!   `--- null` or `--- ~` yields a [`Value::Null`] document.
//! - **Anchors and aliases** are expanded: an alias is a copy of the anchored subtree, spans
//!   included (they point at the anchor). Expansion stops with an error at the alias once it
//!   would create more than [`ALIAS_BUDGET`] nodes in the stream. Merge keys (`<<: *base`,
//!   `<<: [*a, *b]`) are applied: keys written in the mapping win, then the first merged
//!   mapping listed.
//! - **Keys**: a duplicate key is an error at its second occurrence. Non-string keys keep
//!   their text as written (`80`, `true`, `on`, `[a, b]`).
//! - **Spans** are byte ranges. A scalar's span is the scalar as written (quotes included; a
//!   block scalar from its `|` or `>` to the end of its content); a tagged value's span starts
//!   at its tag; a collection's span runs from its first character to the end of its last
//!   item (a flow collection to its closing bracket). An anchor is not part of the span.
//! - **Depth**: collections nested deeper than [`MAX_DEPTH`](super::MAX_DEPTH) (aliases
//!   included) are an error, never a stack overflow.
//! - **Comments**: every `#` comment outside a scalar, from `#` to the end of its line.
//!
//! Throughput: beyond the parser's own event stream, the work is one allocation per scalar
//! and collection, no hashing (duplicate keys are found by comparison in small maps, by a
//! hash set only in maps of more than 16 keys), one pass over the text for comments, and
//! position conversion that is free for an ASCII file and walks from the previous position
//! otherwise, so it stays linear.
//!
//! ```
//! use trustlint_engine::parse::yaml;
//! let text = "mode: 0644\non: push\nbucket: !Ref Logs # why\n";
//! let stream = yaml::parse(text).expect("valid YAML");
//! let doc = &stream.documents[0];
//! assert_eq!(doc.get("mode").and_then(|n| n.scalar_text()).as_deref(), Some("0644"));
//! assert_eq!(doc.get("on").and_then(|n| n.as_str()), Some("push"));
//! let (tag, inner) = doc.get("bucket").and_then(|n| n.as_tagged()).expect("tagged");
//! assert_eq!((tag, inner.as_str()), ("Ref", Some("Logs")));
//! assert_eq!(stream.comments[0].text, "why");
//! ```

mod builder;
mod comments;
mod layout;
mod offsets;
mod scalar;

use super::ParseError;
use crate::{Comment, Node};

pub use builder::ALIAS_BUDGET;

/// The documents of a YAML stream and the comments found in it.
#[derive(Debug, Clone, Default)]
pub struct YamlStream {
    /// Each document's root node, in order.
    pub documents: Vec<Node>,
    /// Every comment, in order.
    pub comments: Vec<Comment>,
}

/// Parse a YAML stream.
///
/// # Errors
/// A [`ParseError`] located at the problem: a syntax error, a duplicate key, an alias past
/// the expansion budget, nesting past [`MAX_DEPTH`](super::MAX_DEPTH), or a value that does
/// not fit its core tag.
pub fn parse(text: &str) -> Result<YamlStream, ParseError> {
    parse_with_alias_budget(text, ALIAS_BUDGET)
}

/// [`parse`] with another budget for alias expansion than [`ALIAS_BUDGET`]: at most
/// `alias_nodes` nodes created by aliases in the stream.
///
/// # Errors
/// As [`parse`]; an alias past the budget is an error located at the alias.
pub fn parse_with_alias_budget(text: &str, alias_nodes: usize) -> Result<YamlStream, ParseError> {
    let built = builder::build(text, alias_nodes)?;
    let comments = comments::find(text, built.scalar_spans);
    Ok(YamlStream { documents: built.documents, comments })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LineIndex, Location, Span, Value};

    fn one(text: &str) -> Node {
        let mut stream = parse(text).expect("valid YAML");
        assert_eq!(stream.documents.len(), 1, "one document in {text:?}");
        stream.documents.remove(0)
    }

    fn at(text: &str, span: Span) -> (usize, usize) {
        let Location { line, column } = LineIndex::new(text).location(text, span.start);
        (line, column)
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn error(text: &str) -> ParseError {
        parse(text).expect_err("invalid YAML")
    }

    fn str_at<'n>(node: &'n Node, path: &str) -> Option<&'n str> {
        node.get_path(path).and_then(Node::as_str)
    }

    const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: web
          image: \"nginx:1.25\"
          securityContext:
            privileged: true

        - name: sidecar
status: {}
";

    #[test]
    fn spans_of_nested_keys_values_and_items() {
        let text = DEPLOYMENT;
        let doc = one(text);
        let pod = doc.get_path("spec.template.spec").expect("pod spec");
        let containers = pod.entry("containers").expect("containers");
        assert_eq!(at(text, containers.key_span), (6, 7));
        assert_eq!(slice(text, containers.key_span), "containers");

        let first = &containers.value.items()[0];
        assert_eq!(at(text, first.span), (7, 11));
        assert!(slice(text, first.span).starts_with("name: web"));
        assert!(slice(text, first.span).ends_with("privileged: true"), "map ends with its last item");

        let image = first.entry("image").expect("image");
        assert_eq!(at(text, image.key_span), (8, 11));
        assert_eq!(at(text, image.value.span), (8, 18));
        assert_eq!(slice(text, image.value.span), "\"nginx:1.25\"");
        assert_eq!(image.value.as_str(), Some("nginx:1.25"));

        let privileged = first.get_path("securityContext.privileged").expect("privileged");
        assert_eq!(privileged.value, Value::Bool(true));
        assert_eq!(at(text, privileged.span), (10, 25));

        let second = &containers.value.items()[1];
        assert_eq!(at(text, second.span), (12, 11));
        assert_eq!(slice(text, containers.value.span).lines().next(), Some("- name: web"));
        assert!(slice(text, containers.value.span).ends_with("name: sidecar"));
        assert!(slice(text, doc.get("spec").expect("spec").span).ends_with("name: sidecar"));
        assert_eq!(slice(text, doc.get("status").expect("status").span), "{}");
        assert_eq!(slice(text, doc.span), text.trim_end());
    }

    #[test]
    fn multi_document_streams() {
        let text = "---\na: 1\n---\n# only a comment\n---\nb: [x]\n...\n---\n";
        let stream = parse(text).expect("valid");
        assert_eq!(stream.documents.len(), 2, "empty documents yield no node");
        assert_eq!(stream.documents[0].get("a").and_then(Node::scalar_text).as_deref(), Some("1"));
        assert_eq!(at(text, stream.documents[1].get("b").expect("b").span), (6, 4));
        assert_eq!(stream.comments.len(), 1);

        assert!(parse("").expect("empty").documents.is_empty());
        let only_comments = parse("# nothing here\n\n# at all\n").expect("comments");
        assert!(only_comments.documents.is_empty());
        assert_eq!(only_comments.comments.len(), 2);
        let nulls = parse("--- ~\n--- null\n").expect("nulls");
        assert_eq!(nulls.documents.len(), 2);
        assert!(nulls.documents.iter().all(Node::is_null));
        assert_eq!(parse("a: 1\n---\n").expect("trailing").documents.len(), 1);
    }

    #[test]
    fn cloudformation_short_tags() {
        let text = "\
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref LogBucketName
      Arn: !GetAtt Role.Arn
      Policy: !Sub |
        arn:aws:s3:::${Env}-logs
        second line
      Name: !Sub
        - \"${Prefix}-data\"
        - Prefix: !Ref Env
      Versioning: !If [IsProd, true, !Ref AWS::NoValue]
      Joined: !Join [\"-\", [a, b]]
      LongForm:
        Fn::GetAtt: [Role, Arn]
      Custom: !foo
";
        let doc = one(text);
        let props = doc.get_path("Resources.Bucket.Properties").expect("properties");

        let (tag, inner) = props.get("BucketName").and_then(Node::as_tagged).expect("ref");
        assert_eq!((tag, inner.as_str()), ("Ref", Some("LogBucketName")));
        let (tag, inner) = props.get("Arn").and_then(Node::as_tagged).expect("getatt");
        assert_eq!((tag, inner.as_str()), ("GetAtt", Some("Role.Arn")));

        let policy = props.get("Policy").expect("policy");
        let (tag, inner) = policy.as_tagged().expect("sub");
        assert_eq!(tag, "Sub");
        assert_eq!(inner.as_str(), Some("arn:aws:s3:::${Env}-logs\nsecond line\n"));
        assert_eq!(at(text, policy.span), (9, 15));
        assert_eq!(at(text, inner.span), (9, 20));
        assert!(slice(text, inner.span).starts_with('|'));
        assert!(slice(text, inner.span).ends_with("second line"));

        let (tag, inner) = props.get("Name").and_then(Node::as_tagged).expect("sub list");
        assert_eq!(tag, "Sub");
        assert_eq!(inner.items()[0].as_str(), Some("${Prefix}-data"));
        assert_eq!(inner.items()[1].get("Prefix").and_then(Node::as_tagged).map(|t| t.0), Some("Ref"));

        let (tag, inner) = props.get("Versioning").and_then(Node::as_tagged).expect("if");
        assert_eq!(tag, "If");
        let items = inner.items();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].as_str(), Some("IsProd"));
        assert_eq!(items[1].value, Value::Bool(true));
        assert_eq!(items[2].as_tagged().map(|(t, n)| (t, n.as_str())), Some(("Ref", Some("AWS::NoValue"))));

        let (_, joined) = props.get("Joined").and_then(Node::as_tagged).expect("join");
        assert_eq!(joined.items()[1].items().len(), 2);

        let long = props.get_path("LongForm.Fn::GetAtt").expect("long form");
        assert_eq!(long.items().iter().filter_map(Node::as_str).collect::<Vec<_>>(), ["Role", "Arn"]);

        let (tag, inner) = props.get("Custom").and_then(Node::as_tagged).expect("custom");
        assert_eq!(tag, "foo");
        assert!(inner.is_null());

        let condition = doc.get_path("Conditions.IsProd").and_then(Node::as_tagged).expect("equals");
        assert_eq!(condition.0, "Equals");
    }

    #[test]
    fn core_schema_keeps_spelling_and_yaml_1_1_words() {
        let text = "\
mode: 0644
hex: 0x1F
float: 1.5e3
inf: -.inf
quoted: \"0644\"
yes_word: yes
off_word: off
on: push
80: http
true: y
empty:
tilde: ~
forced: !!str 0644
number: !!int \"12\"
flag: !!bool \"false\"
block: |
  true
";
        let doc = one(text);
        let get = |k: &str| doc.get(k).map(|n| n.value.clone());
        assert_eq!(get("mode"), Some(Value::Number("0644".into())));
        assert_eq!(get("hex"), Some(Value::Number("0x1F".into())));
        assert_eq!(get("float"), Some(Value::Number("1.5e3".into())));
        assert_eq!(get("inf"), Some(Value::Number("-.inf".into())));
        assert_eq!(get("quoted"), Some(Value::String("0644".into())));
        assert_eq!(get("yes_word"), Some(Value::String("yes".into())));
        assert_eq!(get("off_word"), Some(Value::String("off".into())));
        assert_eq!(get("on"), Some(Value::String("push".into())), "GitHub Actions `on:` is the key \"on\"");
        assert_eq!(get("80"), Some(Value::String("http".into())));
        assert_eq!(get("true"), Some(Value::String("y".into())));
        assert_eq!(get("empty"), Some(Value::Null));
        assert_eq!(get("tilde"), Some(Value::Null));
        assert_eq!(get("forced"), Some(Value::String("0644".into())));
        assert_eq!(get("number"), Some(Value::Number("12".into())));
        assert_eq!(get("flag"), Some(Value::Bool(false)));
        assert_eq!(get("block"), Some(Value::String("true\n".into())));
        let forced = doc.get("forced").expect("forced");
        assert_eq!(slice(text, forced.span), "0644", "a core tag is not part of the value's span");

        let err = error("a: 1\nflag: !!bool yes\n");
        assert!(err.message.contains("!!bool"), "{}", err.message);
        assert_eq!(at("a: 1\nflag: !!bool yes\n", err.span), (2, 14));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "\
x-base: &base
  restart: always
  environment:
    A: \"1\"
x-logging: &logging
  logging: json
  restart: never
services:
  web:
    <<: [*base, *logging]
    image: nginx
    restart: unless-stopped
  db:
    image: postgres
    <<: *base
  copy: *base
  quoted:
    \"<<\": literal
";
        let doc = one(text);
        let web = doc.get_path("services.web").expect("web");
        let keys: Vec<&str> = web.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["environment", "logging", "image", "restart"], "merged in place of `<<`");
        assert_eq!(str_at(web, "restart"), Some("unless-stopped"), "explicit keys win");
        assert_eq!(str_at(web, "logging"), Some("json"));
        assert_eq!(str_at(web, "environment.A"), Some("1"));

        let db = doc.get_path("services.db").expect("db");
        assert_eq!(str_at(db, "restart"), Some("always"), "first merged mapping wins over later ones");
        assert_eq!(str_at(db, "image"), Some("postgres"));

        let copy = doc.get_path("services.copy").expect("copy");
        let original = doc.get("x-base").expect("base");
        assert_eq!(copy, original, "an alias is a copy of the anchored node, spans included");
        assert_eq!(at(text, copy.span), (2, 3));
        assert_eq!(str_at(&doc, "services.quoted.<<"), Some("literal"), "a quoted `<<` is a plain key");

        let bad = "base: &b 1\nm:\n  <<: *b\n";
        assert_eq!(at(bad, error(bad).span), (3, 3));
    }

    #[test]
    fn alias_bombs_are_refused_at_the_alias() {
        let mut text = String::from(
            "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
        );
        for level in 1..10u8 {
            let name = char::from(b'a' + level);
            let prev = char::from(b'a' + level - 1);
            let refs = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let started = std::time::Instant::now();
        let err = error(&text);
        assert!(err.message.contains("100000"), "{}", err.message);
        let (line, _) = at(&text, err.span);
        assert!((5..=10).contains(&line), "located at an alias, line {line}");
        assert_eq!(slice(&text, err.span).chars().next(), Some('*'));
        // Generous bound: only a runaway expansion could take this long.
        assert!(started.elapsed().as_secs() < 10);

        let wide = format!("a: &a [{}]\nb: [{}]\n", vec!["x"; 1000].join(", "), vec!["*a"; 150].join(", "));
        assert_eq!(at(&wide, error(&wide).span).0, 2);

        assert!(error("a: &a [1, *a]\n").message.contains("recursive"));
        assert!(error("a: *nowhere\n").message.contains("unknown anchor"));
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let text = "a: 1\nb:\n  c: 2\n  c: 3\n";
        let err = error(text);
        assert_eq!(at(text, err.span), (4, 3));
        assert_eq!(slice(text, err.span), "c");
        assert!(err.message.contains("`c`"), "{}", err.message);

        let many: String = (0..40).map(|i| format!("k{i}: {i}\n")).chain(["k7: again\n".into()]).collect();
        assert_eq!(at(&many, error(&many).span), (41, 1));
        assert_eq!(at("{x: 1, x: 2}", error("{x: 1, x: 2}").span), (1, 8));
        assert!(parse("a: {x: 1}\nb: {x: 1}\n").is_ok(), "same key in different maps");
    }

    #[test]
    fn comments_outside_scalars() {
        let text = "\
# header
url: http://x/#frag
quoted: \"a # b\"
single: 'c # d'
key: value # real comment
block: |
  # in a block scalar
  text # also text
list: # after key
  - item #tail
  - \"multi
    # line\"
folded: >- # header comment
  body
tagged: !Ref # between tag and value
  value
";
        let stream = parse(text).expect("valid");
        let texts: Vec<&str> = stream.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            ["header", "real comment", "after key", "tail", "header comment", "between tag and value"]
        );
        let real = &stream.comments[1];
        assert_eq!(slice(text, real.span), "# real comment");
        assert_eq!(at(text, real.span), (5, 12));
        let doc = &stream.documents[0];
        assert_eq!(str_at(doc, "url"), Some("http://x/#frag"));
        assert_eq!(str_at(doc, "quoted"), Some("a # b"));
        assert_eq!(doc.get("list").map(|l| l.items()[0].as_str()), Some(Some("item")));
        assert_eq!(doc.get("list").map(|l| l.items()[1].as_str()), Some(Some("multi # line")));
        assert_eq!(str_at(doc, "block"), Some("# in a block scalar\ntext # also text\n"));
        assert_eq!(str_at(doc, "folded"), Some("body"));
        assert_eq!(doc.get("tagged").and_then(Node::as_tagged).and_then(|t| t.1.as_str()), Some("value"));
    }

    #[test]
    fn crlf_lone_cr_bom_tabs_and_non_ascii_columns() {
        let text = "naïve: é\r\nkey: 'ü'\r\nnested:\r\n  ñandú: x # ç\r\n";
        let stream = parse(text).expect("valid");
        let doc = &stream.documents[0];
        let nested = doc.get("nested").expect("nested").entry("ñandú").expect("ñandú");
        assert_eq!(at(text, nested.key_span), (4, 3));
        assert_eq!(slice(text, nested.key_span), "ñandú");
        assert_eq!(at(text, nested.value.span), (4, 10));
        assert_eq!(slice(text, doc.get("key").expect("key").span), "'ü'");
        assert_eq!(str_at(doc, "naïve"), Some("é"));
        assert_eq!(slice(text, stream.comments[0].span), "# ç", "CR is not part of the comment");

        let cr = "a: 1\rb: two\r";
        assert_eq!(at(cr, one(cr).entry("b").expect("b").value.span), (2, 4));

        let bom = "\u{feff}a: b\n";
        let doc = one(bom);
        assert_eq!(slice(bom, doc.entry("a").expect("a").key_span), "a");

        let tabs = "a: x\ty\nb:\n\t# tab-indented comment\n  - 1\n";
        let stream = parse(tabs).expect("tabs");
        assert_eq!(str_at(&stream.documents[0], "a"), Some("x\ty"));
        assert_eq!(stream.comments.len(), 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let flow = "[".repeat(100_000);
        assert_eq!(at(&flow, error(&flow).span).0, 1);

        let dashes = "- ".repeat(100_000);
        assert!(error(&dashes).message.contains("nesting"));

        let mut block = String::new();
        for level in 0..1_000 {
            block.push_str(&" ".repeat(level));
            block.push_str("k:\n");
        }
        let err = error(&block);
        assert!(err.message.contains("nesting"), "{}", err.message);
        assert_eq!(at(&block, err.span).0, 257);

        let mut ok = String::new();
        for level in 0..200 {
            ok.push_str(&" ".repeat(level));
            ok.push_str("k:\n");
        }
        assert!(parse(&ok).is_ok());

        // Aliases count the depth of what they expand to.
        let deep_anchor = format!(
            "a: &a {}{}\nb: {}*a{}\n",
            "[".repeat(150),
            "]".repeat(150),
            "[".repeat(150),
            "]".repeat(150)
        );
        assert!(error(&deep_anchor).message.contains("nesting"));
    }

    #[test]
    fn malformed_inputs_give_located_errors() {
        for (text, line) in [
            ("a: [1, 2\nb: 3\n", 2),
            ("a: b: c\n", 1),
            ("a:\n  b: 1\n c: 2\n", 3),
            ("ok: 1\nk: \"unterminated\n", 2),
            ("x: 1\n- y\n", 2),
            ("a:\n  - 1\n  b: 2\n", 3),
        ] {
            let err = error(text);
            assert!(!err.message.is_empty());
            assert_eq!(at(text, err.span).0, line, "{text:?}: {}", err.message);
        }
    }
}
