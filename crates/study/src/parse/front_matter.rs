//! The YAML front matter of an interview file, with line numbers that point
//! into the Markdown file rather than into the YAML block.

use marked_yaml::{LoaderOptions, Node, loader::LoadError, parse_yaml_with_options};

use crate::problem::{Problem, did_you_mean};

/// A value with the file line it was written on.
pub(crate) type AtLine<T> = (T, usize);

/// What the front matter says.
#[derive(Debug, Default, Clone)]
pub(crate) struct FrontMatter {
    pub(crate) people: Vec<AtLine<String>>,
    pub(crate) projects: Vec<AtLine<String>>,
    pub(crate) date: Option<String>,
    pub(crate) checked_back: bool,
    /// `checked_back: …` was written (rather than left to its default).
    pub(crate) checked_back_given: bool,
    /// `checked_back_on`, with its line.
    pub(crate) checked_back_on: Option<AtLine<String>>,
    pub(crate) id: Option<AtLine<String>>,
    /// The line of the `people` key (or of the opening `---` when it is missing).
    pub(crate) people_line: usize,
}

const KEYS: &[&str] = &["people", "projects", "project", "date", "checked_back", "checked_back_on", "id"];

/// Splits `lines` into front matter and body. Returns the front matter, the
/// index of the first body line, and problems.
pub(crate) fn split_and_parse(lines: &[&str], path: &str) -> (FrontMatter, usize, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut front = FrontMatter { people_line: 1, ..Default::default() };
    let (root, close) = match yaml_block(lines, path) {
        Block::Missing => {
            problems.push(Problem::new(path, 1, "missing front matter: start the file with a line `---`, then `people: [ID, ...]`, then another `---`"));
            return (front, 0, problems);
        }
        Block::Unclosed(problem) => {
            problems.push(problem);
            return (front, lines.len(), problems);
        }
        Block::Malformed(problem, close) => {
            problems.push(problem);
            return (front, close + 1, problems);
        }
        Block::Parsed(root, close) => (root, close),
    };
    // The YAML block starts on file line 2, so YAML line n is file line n + 1.
    let file_line = |yaml_line: usize| yaml_line + 1;
    let Some(mapping) = root.as_ref().and_then(Node::as_mapping) else {
        problems.push(Problem::new(path, 1, "the front matter has no `people` key: add `people: [ID, ...]` naming who attended"));
        return (front, close + 1, problems);
    };
    let mut saw_people = false;
    for (key, value) in mapping.iter() {
        let key_line = key.span().start().map_or(1, |m| file_line(m.line()));
        let value_line = value.span().start().map_or(key_line, |m| file_line(m.line()));
        match key.as_str() {
            "people" => {
                saw_people = true;
                front.people_line = key_line;
                front.people = id_list(value, key.as_str(), value_line, path, &file_line, &mut problems);
                if front.people.is_empty() {
                    problems.push(Problem::new(path, key_line, "`people` is empty: name at least one person who attended"));
                }
            }
            "projects" | "project" => {
                let ids = id_list(value, key.as_str(), value_line, path, &file_line, &mut problems);
                front.projects.extend(ids);
            }
            "date" => match value.as_scalar().map(|s| s.as_str().trim()) {
                Some(date) if is_iso_date(date) => front.date = Some(date.to_string()),
                _ => problems.push(Problem::new(path, value_line, "`date` must be a date written YYYY-MM-DD, such as 2010-11-02")),
            },
            "checked_back" => match value.as_scalar().and_then(|s| s.as_bool()) {
                Some(flag) => {
                    front.checked_back = flag;
                    front.checked_back_given = true;
                }
                None => problems.push(Problem::new(path, value_line, "`checked_back` must be true or false")),
            },
            "checked_back_on" => match value.as_scalar().map(|s| s.as_str().trim()) {
                Some(date) if is_iso_date(date) => front.checked_back_on = Some((date.to_string(), value_line)),
                _ => problems.push(Problem::new(path, value_line, "`checked_back_on` must be the date the interviewee confirmed the map, written YYYY-MM-DD")),
            },
            "id" => match value.as_scalar().map(|s| s.as_str().trim()) {
                Some(id) if is_interview_id(id) => front.id = Some((id.to_string(), value_line)),
                _ => problems.push(Problem::new(path, value_line, "`id` must be one word of letters, digits, `-`, `_` or `.`, such as i07")),
            },
            other => {
                // Other keys (Obsidian's `tags` or `aliases`, a researcher's own) are
                // kept out of the way; only a likely typo of ours is refused.
                if let Some(close_key) = did_you_mean(other, KEYS.iter().copied()) {
                    problems.push(Problem::new(path, key_line, format!("unknown key `{other}` (did you mean `{close_key}`?)")));
                }
            }
        }
    }
    if !saw_people {
        problems.push(Problem::new(path, 1, "the front matter has no `people` key: add `people: [ID, ...]` naming who attended"));
    }
    // A date of checking back says the map was checked back; `checked_back: false` beside it contradicts it.
    if let Some((_, line)) = &front.checked_back_on {
        if front.checked_back_given && !front.checked_back {
            problems.push(Problem::new(path, *line, "`checked_back_on` gives a date but `checked_back` is false: remove one of them"));
        }
        front.checked_back = true;
    }
    (front, close + 1, problems)
}

/// The YAML front matter of a file, between its first line `---` and the next `---` (or `...`).
pub(crate) enum Block {
    /// The file does not start with `---`.
    Missing,
    /// The block is never closed.
    Unclosed(Problem),
    /// The block is not YAML; the index of its closing line.
    Malformed(Problem, usize),
    /// The parsed block (`None` when empty) and the index of its closing line.
    Parsed(Option<Node>, usize),
}

/// Finds and parses the front matter of `lines`; problems point at file lines.
pub(crate) fn yaml_block(lines: &[&str], path: &str) -> Block {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return Block::Missing;
    }
    let Some(close) = lines.iter().skip(1).position(|l| matches!(l.trim_end(), "---" | "...")).map(|i| i + 1) else {
        return Block::Unclosed(Problem::new(path, 1, "the front matter opened on line 1 is never closed: add a line `---` after its last key"));
    };
    let yaml = lines[1..close].join("\n");
    if yaml.trim().is_empty() {
        return Block::Parsed(None, close);
    }
    let options = LoaderOptions::default().error_on_duplicate_keys(true).prevent_coercion(true);
    match parse_yaml_with_options(0, &yaml, options) {
        Ok(node) => Block::Parsed(Some(node), close),
        Err(error) => {
            let (line, message) = describe_load_error(&error);
            // The YAML block starts on file line 2.
            Block::Malformed(Problem::new(path, line + 1, format!("malformed front matter: {message}")), close)
        }
    }
}

fn id_list(value: &Node, key: &str, value_line: usize, path: &str, file_line: &dyn Fn(usize) -> usize, problems: &mut Vec<Problem>) -> Vec<AtLine<String>> {
    let mut ids = Vec::new();
    match value {
        Node::Scalar(scalar) => {
            let id = scalar.as_str().trim();
            if !id.is_empty() {
                ids.push((id.to_string(), value_line));
            }
        }
        Node::Sequence(items) => {
            for item in items.iter() {
                let line = item.span().start().map_or(value_line, |m| file_line(m.line()));
                match item.as_scalar().map(|s| s.as_str().trim()) {
                    Some(id) if !id.is_empty() => ids.push((id.to_string(), line)),
                    _ => problems.push(Problem::new(path, line, format!("`{key}` must list ids, such as [p01, p02]"))),
                }
            }
        }
        Node::Mapping(_) => problems.push(Problem::new(path, value_line, format!("`{key}` must list ids, such as [p01, p02]"))),
    }
    ids
}

fn describe_load_error(error: &LoadError) -> (usize, String) {
    use LoadError::*;
    match error {
        TopLevelMustBeMapping(m) => (m.line(), "it must be `key: value` lines, such as `people: [p01]`".to_string()),
        DuplicateKey(inner) => {
            let line = inner.key.span().start().map_or(1, |m| m.line());
            (line, format!("the key `{}` is given twice; keep one", inner.key.as_str()))
        }
        UnexpectedAnchor(m) | UnexpectedTag(m) | MappingKeyMustBeScalar(m) | TopLevelMustBeSequence(m) | ScanError(m, _) => {
            let full = error.to_string();
            let detail = full.split_once(": ").map_or(full.as_str(), |(_, rest)| rest).to_string();
            (m.line(), detail)
        }
    }
}

/// Whether `text` is a calendar date written `YYYY-MM-DD` (leap years included).
pub fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| bytes[r.clone()].iter().all(u8::is_ascii_digit).then(|| text[r].parse::<u32>().ok()).flatten();
    match (digits(0..4), digits(5..7), digits(8..10)) {
        (Some(year), Some(month), Some(day)) => {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            (1..=12).contains(&month) && day >= 1 && day <= days[(month - 1) as usize]
        }
        _ => false,
    }
}

/// Whether `id` may name an interview: letters, digits, `-`, `_` and `.`.
pub fn is_interview_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (FrontMatter, usize, Vec<Problem>) {
        let lines: Vec<&str> = text.lines().collect();
        split_and_parse(&lines, "i.md")
    }

    #[test]
    fn reads_keys_with_file_lines() {
        let (front, body, problems) = parse("---\npeople:\n  - p01\n  - p02\nproject: x\ndate: 2010-11-02\nchecked_back: true\n---\nbody");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(front.people, vec![("p01".to_string(), 3), ("p02".to_string(), 4)]);
        assert_eq!(front.projects, vec![("x".to_string(), 5)]);
        assert_eq!(front.date.as_deref(), Some("2010-11-02"));
        assert!(front.checked_back);
        assert_eq!(body, 8);
    }

    #[test]
    fn explains_what_is_missing() {
        assert!(parse("people: [p01]\n").2[0].message.contains("missing front matter"));
        assert!(parse("---\npeople: [p01]\n").2[0].message.contains("never closed"));
        assert!(parse("---\ndate: 2010-01-01\n---\n").2[0].message.contains("no `people` key"));
        let problems = parse("---\npeople: [p01\n---\n").2;
        assert!(problems[0].message.starts_with("malformed front matter"), "{problems:?}");
        let problems = parse("---\npeople: [p01]\ndate: 2010-02-30\n---\n").2;
        assert_eq!((problems[0].line, problems[0].message.contains("YYYY-MM-DD")), (3, true));
        let problems = parse("---\npeople: [p01]\npeeple: [p02]\ntags: [x]\n---\n").2;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 3);
        assert!(problems[0].message.contains("did you mean `people`"));
        let problems = parse("---\npeople: [p01]\npeople: [p02]\n---\n").2;
        assert!(problems[0].message.contains("given twice"), "{problems:?}");
        assert_eq!(problems[0].line, 3);
    }
}
