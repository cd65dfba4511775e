//! A researcher's memo (`memos/NAME.md`, format 1.1): YAML front matter
//! saying what it is about, who wrote it and when, then a Markdown body.
//! Memos are never counted; whether what they are about exists is checked
//! against the whole study by the loader.

use super::front_matter::{Block, is_iso_date, yaml_block};
use crate::model::{Memo, MemoAbout};
use crate::problem::{Problem, did_you_mean};

const KEYS: &[&str] = &["about", "by", "date"];

/// What `about:` may say, for messages.
const ABOUT_FORMS: &str = "study, theme:ID, interview:ID, concept:INTERVIEW#^BLOCK or person:ID";

/// Parses the memo in `bytes` at `path`; `None` when it has no usable `about`.
pub fn parse_memo(bytes: &[u8], path: &str) -> (Option<Memo>, Vec<Problem>) {
    let mut problems = Vec::new();
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let (root, close) = match yaml_block(&lines, path) {
        Block::Missing => {
            problems.push(Problem::new(path, 1, format!("a memo starts with front matter: a line `---`, then `about: …` ({ABOUT_FORMS}), then `---`")));
            return (None, problems);
        }
        Block::Unclosed(problem) | Block::Malformed(problem, _) => {
            problems.push(problem);
            return (None, problems);
        }
        Block::Parsed(root, close) => (root, close),
    };
    let mut about: Option<(MemoAbout, usize)> = None;
    let (mut by, mut date) = (None, None);
    for (key, value) in root.as_ref().and_then(|r| r.as_mapping()).into_iter().flat_map(|m| m.iter()) {
        let line = key.span().start().map_or(1, |m| m.line() + 1);
        let scalar = value.as_scalar().map(|s| s.as_str().trim().to_string());
        match key.as_str() {
            "about" => match scalar.as_deref().map(MemoAbout::parse) {
                Some(Some(target)) => about = Some((target, line)),
                _ => problems.push(Problem::new(path, line, format!("`about` must be {ABOUT_FORMS}"))),
            },
            "by" => by = scalar.filter(|s| !s.is_empty()),
            "date" => match scalar {
                Some(d) if is_iso_date(&d) => date = Some(d),
                _ => problems.push(Problem::new(path, line, "`date` must be a date written YYYY-MM-DD, such as 2024-05-02")),
            },
            other => {
                if let Some(close_key) = did_you_mean(other, KEYS.iter().copied()) {
                    problems.push(Problem::new(path, line, format!("unknown key `{other}` (did you mean `{close_key}`?)")));
                }
            }
        }
    }
    let Some((about, about_line)) = about else {
        if problems.is_empty() {
            problems.push(Problem::new(path, 1, format!("the memo says nothing about what it is about: add `about:` ({ABOUT_FORMS})")));
        }
        return (None, problems);
    };
    let after = &lines[close + 1..];
    let blank_lines_before_body = after.iter().take_while(|line| line.trim().is_empty()).count();
    let body = after.join("\n").trim().to_string();
    // Lines are counted from 1; the closing `---` is line close + 1.
    let body_line = close + 2 + blank_lines_before_body;
    (Some(Memo { file: path.to_string(), about, about_line, by, date, body, body_line }), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_says_what_it_is_about_who_wrote_it_and_when() {
        let (memo, problems) = parse_memo(b"---\nabout: concept:i07#^aim\nby: ana@example.org\ndate: 2024-05-02\n---\nCheck this against i12.\n", "memos/a.md");
        assert!(problems.is_empty(), "{problems:?}");
        let memo = memo.expect("memo");
        assert_eq!(memo.about, MemoAbout::Concept { interview: "i07".into(), block: "aim".into() });
        assert_eq!(
            (memo.about_line, memo.by.as_deref(), memo.date.as_deref(), memo.body.as_str(), memo.body_line),
            (2, Some("ana@example.org"), Some("2024-05-02"), "Check this against i12.", 6)
        );
        let (none, problems) = parse_memo(b"---\nabout: nothing:x\ndate: 2024-13-01\n---\n", "memos/b.md");
        assert!(none.is_none());
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "memos/b.md:2: `about` must be study, theme:ID, interview:ID, concept:INTERVIEW#^BLOCK or person:ID",
                "memos/b.md:3: `date` must be a date written YYYY-MM-DD, such as 2024-05-02"
            ]
        );
    }
}
