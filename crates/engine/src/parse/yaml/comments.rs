//! Finding `#` comments, which the YAML parser drops.
//!
//! A `#` starts a comment when it begins a line or follows white space, unless it lies inside
//! a scalar. The parser has already told us where every scalar is, so a `#` in a quoted
//! string, a plain scalar (`http://x/#frag`, which also fails the white-space rule) or a block
//! scalar's content is skipped by looking it up in those spans.

use crate::{Comment, Span};

/// Every comment of `text`, in order. `scalars` are the byte ranges of scalar content where a
/// `#` is text, not a comment; they may come in any order and may overlap.
pub(super) fn find(text: &str, mut scalars: Vec<Span>) -> Vec<Comment> {
    scalars.sort_unstable_by_key(|s| s.start);
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut next_scalar = 0;
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|rest| rest.iter().position(|&b| b == b'#')) {
        let at = from + found;
        from = at + 1;
        let after_space = match at.checked_sub(1).and_then(|i| bytes.get(i)) {
            None => true,
            Some(&b) => matches!(b, b' ' | b'\t' | b'\n' | b'\r') || text.get(..at) == Some("\u{feff}"),
        };
        if !after_space {
            continue;
        }
        // Scalars ending before the `#` can no longer contain any later `#` either.
        while scalars.get(next_scalar).is_some_and(|s| s.end <= at) {
            next_scalar += 1;
        }
        let inside = scalars
            .get(next_scalar..)
            .unwrap_or(&[])
            .iter()
            .take_while(|s| s.start <= at)
            .any(|s| s.contains(at));
        if inside {
            continue;
        }
        let end = super::layout::line_end(text, at);
        let body = text.get(at + 1..end).unwrap_or("");
        comments.push(Comment { span: Span::new(at, end), text: body.trim().to_owned() });
        from = end;
    }
    comments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inside_scalars_or_words_are_not_comments() {
        let text = "# top\nurl: http://x/#frag # real\nq: \"a # b\"\n";
        let q = text.find('"').expect("quote");
        let comments = find(text, vec![Span::new(q, q + 7)]);
        let texts: Vec<&str> = comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["top", "real"]);
        assert_eq!(&text[comments[1].span.start..comments[1].span.end], "# real");
    }
}
