//! Reading the source around parser events to find exact spans.
//!
//! The parser's event spans start at a node's properties (`!Ref`, `&anchor`), a block
//! scalar's span starts somewhere in its content (or at the next line when it is empty) and
//! ends after its trailing line breaks. These functions look at the bytes between the
//! positions we know to find where the value itself starts and ends. They only compare ASCII
//! bytes, so every offset they return is a character boundary of the UTF-8 text.

/// Where a node's properties and content start.
pub(super) struct Content {
    /// Offset of the tag (`!Ref`), if the node has one.
    pub(super) tag_start: Option<usize>,
    /// Offset of the first byte of the value after its properties.
    pub(super) start: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Skip one tag or anchor token starting at `at`.
fn skip_property(bytes: &[u8], mut at: usize) -> usize {
    if bytes.get(at) == Some(&b'!') && bytes.get(at + 1) == Some(&b'<') {
        // A verbatim tag `!<tag:yaml.org,2002:str>` may contain flow indicators.
        while let Some(&b) = bytes.get(at) {
            at += 1;
            if b == b'>' {
                return at;
            }
        }
        return at;
    }
    while let Some(&b) = bytes.get(at) {
        if is_space(b) || matches!(b, b',' | b'[' | b']' | b'{' | b'}') {
            break;
        }
        at += 1;
    }
    at
}

/// Skip white space and comments from `at`.
fn skip_blank(bytes: &[u8], mut at: usize) -> usize {
    loop {
        match bytes.get(at) {
            Some(&b) if is_space(b) => at += 1,
            Some(b'#') if at == 0 || bytes.get(at - 1).is_some_and(|&b| is_space(b)) => {
                while let Some(&b) = bytes.get(at) {
                    if b == b'\n' || b == b'\r' {
                        break;
                    }
                    at += 1;
                }
            }
            _ => return at,
        }
    }
}

/// The properties and content start of a node whose event span starts at `from`, reading no
/// further than `limit`. Used when the node has a tag or an anchor: the event then starts at
/// the first property.
pub(super) fn content_after_properties(text: &str, from: usize, limit: usize) -> Content {
    let bytes = text.as_bytes();
    let mut tag_start = None;
    let mut at = from;
    loop {
        at = skip_blank(bytes, at);
        if at >= limit {
            break;
        }
        match bytes.get(at) {
            Some(b'!') => {
                tag_start.get_or_insert(at);
                at = skip_property(bytes, at);
            }
            Some(b'&') => at = skip_property(bytes, at),
            _ => break,
        }
    }
    Content { tag_start, start: at.min(limit).max(from) }
}

/// Find the `|` or `>` indicator of a block scalar, searching from `from` (the end of the
/// previous event) over white space, comments, properties and the `-`, `?`, `:` indicators.
pub(super) fn block_indicator(text: &str, from: usize, limit: usize) -> Option<Content> {
    let bytes = text.as_bytes();
    let mut tag_start = None;
    let mut at = from;
    loop {
        at = skip_blank(bytes, at);
        if at >= limit {
            return None;
        }
        match bytes.get(at)? {
            b'|' | b'>' => return Some(Content { tag_start, start: at }),
            b'!' => {
                tag_start.get_or_insert(at);
                at = skip_property(bytes, at);
            }
            b'&' => at = skip_property(bytes, at),
            b'-' | b'?' | b':' => at += 1,
            _ => return None,
        }
    }
}

/// The `-` of a block sequence entry at `at`, or before it across white space.
pub(super) fn dash_before(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = at;
    loop {
        match bytes.get(i) {
            Some(b'-') => return Some(i),
            _ if i == at => {}
            Some(&b) if is_space(b) => {}
            _ => return None,
        }
        i = i.checked_sub(1)?;
    }
}

/// End of a block scalar's header (`|`, `>-`, `|2+`): the indicator and its modifiers.
pub(super) fn block_header_end(text: &str, indicator: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = indicator + 1;
    while bytes.get(at).is_some_and(|b| matches!(b, b'-' | b'+' | b'0'..=b'9')) {
        at += 1;
    }
    at.min(text.len())
}

/// Offset of the end of the line containing `at` (before its line break).
pub(super) fn line_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = at;
    while let Some(&b) = bytes.get(end) {
        if b == b'\n' || b == b'\r' {
            break;
        }
        end += 1;
    }
    end
}

/// `end` moved back over trailing white space and line breaks, not before `floor`.
pub(super) fn trim_end(text: &str, floor: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = end.min(text.len());
    while end > floor && bytes.get(end - 1).is_some_and(|&b| is_space(b)) {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_comments_and_verbatim_tags_are_skipped() {
        let text = "&a !Ref # note\n  value";
        let c = content_after_properties(text, 0, text.len());
        assert_eq!(c.tag_start, Some(3));
        assert_eq!(&text[c.start..], "value");

        let text = "!<tag:x,y> [a]";
        let c = content_after_properties(text, 0, text.len());
        assert_eq!(c.tag_start, Some(0));
        assert_eq!(&text[c.start..], "[a]");
    }

    #[test]
    fn block_indicators_are_found_after_keys_and_entries() {
        let text = "key: !Sub |2- # c\n  x\n";
        let c = block_indicator(text, 3, text.len()).expect("indicator");
        assert_eq!(c.start, 10);
        assert_eq!(c.tag_start, Some(5));
        assert_eq!(block_header_end(text, c.start), 13);
        assert_eq!(line_end(text, c.start), 17);
        assert!(block_indicator("key: x", 3, 6).is_none());
        assert_eq!(trim_end("ab \n\n", 0, 5), 2);
    }
}
