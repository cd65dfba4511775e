//! Inline marks inside an item's text: `#code`, `@person` and `^block-id`.

/// An item's text with its marks taken out.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Marked {
    /// The text with tags and speakers removed and whitespace collapsed.
    pub(crate) text: String,
    /// Tags as written (without `#`), in order.
    pub(crate) tags: Vec<String>,
    /// Speakers as written (without `@`), in order.
    pub(crate) speakers: Vec<String>,
}

fn is_tag_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/')
}

fn is_speaker_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_')
}

/// Whether `id` is a well-formed block id.
pub(crate) fn is_block_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Takes `#tag` and `@person` marks out of `text`.
///
/// A mark starts at the beginning of the text or after whitespace, so `a#b`
/// and `mail@example.org` are left alone.
pub(crate) fn extract_marks(text: &str) -> Marked {
    // Most lines have no mark at all.
    if !text.contains(['#', '@']) {
        return Marked { text: collapse_whitespace(text), ..Marked::default() };
    }
    let mut marked = Marked::default();
    let mut kept = String::with_capacity(text.len());
    // Text is copied in runs between marks; a mark's characters are all
    // ASCII, so its end is found byte by byte.
    let mut copied = 0;
    let mut last_mark_end = None;
    for (at, sign) in text.match_indices(['#', '@']) {
        // A mark starts the text, follows whitespace, or follows another mark at once (`#a#b`).
        let at_word_start = at == 0 || last_mark_end == Some(at) || text[..at].chars().next_back().is_some_and(char::is_whitespace);
        if !at_word_start || at < copied {
            continue;
        }
        let accepts: fn(char) -> bool = if sign == "#" { is_tag_char } else { is_speaker_char };
        let body_start = at + 1;
        let body_end = body_start + text.as_bytes()[body_start..].iter().take_while(|&&b| accepts(char::from(b))).count();
        if body_end > body_start {
            kept.push_str(&text[copied..at]);
            let body = text[body_start..body_end].to_string();
            if sign == "#" {
                marked.tags.push(body)
            } else {
                marked.speakers.push(body)
            }
            copied = body_end;
            last_mark_end = Some(body_end);
        }
    }
    kept.push_str(&text[copied..]);
    marked.text = collapse_whitespace(&kept);
    marked
}

/// Every run of whitespace made one space, ends trimmed.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Splits a trailing `^block-id` word off `text`.
pub(crate) fn split_block_id(text: &str) -> (&str, Option<&str>) {
    let (head, last) = match text.rfind(' ') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => ("", text),
    };
    match last.strip_prefix('^') {
        Some(id) if is_block_id(id) => (head.trim_end(), Some(id)),
        _ => (text, None),
    }
}

/// Splits a concept into pole and contrast pole at the first ` ... ` or ` … `.
pub(crate) fn split_poles(text: &str) -> (&str, Option<&str>) {
    let ascii = text.find(" ... ").map(|i| (i, 5));
    let unicode = text.find(" \u{2026} ").map(|i| (i, 2 + '\u{2026}'.len_utf8()));
    let split = match (ascii, unicode) {
        (Some(a), Some(u)) => Some(if a.0 <= u.0 { a } else { u }),
        (a, u) => a.or(u),
    };
    match split {
        Some((i, width)) => (text[..i].trim(), Some(text[i + width..].trim())),
        None => (text, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Marks taken out char by char, as the parser did before it copied runs of text.
    fn extract_marks_by_char(text: &str) -> Marked {
        let mut marked = Marked::default();
        let mut kept = String::new();
        let mut chars = text.char_indices().peekable();
        let mut previous: Option<char> = None;
        while let Some((start, c)) = chars.next() {
            if previous.is_none_or(char::is_whitespace) && (c == '#' || c == '@') {
                let accepts: fn(char) -> bool = if c == '#' { is_tag_char } else { is_speaker_char };
                let body_start = start + c.len_utf8();
                let mut body_end = body_start;
                while let Some(&(i, next)) = chars.peek() {
                    if !accepts(next) {
                        break;
                    }
                    body_end = i + next.len_utf8();
                    chars.next();
                }
                if body_end > body_start {
                    let body = text[body_start..body_end].to_string();
                    if c == '#' {
                        marked.tags.push(body)
                    } else {
                        marked.speakers.push(body)
                    }
                    previous = Some(' ');
                    continue;
                }
            }
            kept.push(c);
            previous = Some(c);
        }
        marked.text = kept.split_whitespace().collect::<Vec<_>>().join(" ");
        marked
    }

    proptest::proptest! {
        #[test]
        fn marks_are_taken_out_as_char_by_char(text in "([#@ a-z0-9/_\\-.é\t]|\\PC){0,30}") {
            let (fast, slow) = (extract_marks(&text), extract_marks_by_char(&text));
            proptest::prop_assert_eq!((&fast.text, &fast.tags, &fast.speakers), (&slow.text, &slow.tags, &slow.speakers));
        }
    }

    #[test]
    fn marks_need_a_word_start() {
        let m = extract_marks("Ask a#b mail@example.org #Common-Purpose and @p07, then #x/y.");
        assert_eq!(m.tags, vec!["Common-Purpose", "x/y"]);
        assert_eq!(m.speakers, vec!["p07"]);
        assert_eq!(m.text, "Ask a#b mail@example.org and , then .");
    }

    #[test]
    fn a_lone_hash_is_text() {
        let m = extract_marks("Room # 5 and @ noon");
        assert!(m.tags.is_empty() && m.speakers.is_empty());
        assert_eq!(m.text, "Room # 5 and @ noon");
    }

    #[test]
    fn block_id_is_the_last_word() {
        assert_eq!(split_block_id("Keep going ^b1"), ("Keep going", Some("b1")));
        assert_eq!(split_block_id("Keep ^b1 going"), ("Keep ^b1 going", None));
        assert_eq!(split_block_id("^only"), ("", Some("only")));
        assert_eq!(split_block_id("bad ^b_1"), ("bad ^b_1", None));
    }

    #[test]
    fn poles_split_at_the_first_ellipsis() {
        assert_eq!(split_poles("A ... B ... C"), ("A", Some("B ... C")));
        assert_eq!(split_poles("A \u{2026} B"), ("A", Some("B")));
        assert_eq!(split_poles("A... B"), ("A... B", None));
        assert_eq!(split_poles("A \u{2026} B ... C"), ("A", Some("B ... C")));
    }
}
