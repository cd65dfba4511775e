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
    if let Some((front, close)) = plain_front_matter(lines) {
        return (front, close + 1, Vec::new());
    }
    split_and_parse_yaml(lines, path)
}

/// The front matter of `lines` and the index of its closing line, when it
/// is written the plain way nearly every file writes it: `people`,
/// `projects`, `date` and `checked_back`, each once, one per line, with
/// ids, a valid date and `true` or `false`, so that reading it is sure to
/// find no problem. Anything else is left to the YAML reader.
///
/// Written by hand because a YAML parser per file was a tenth of reading a
/// large study; what it accepts it reads exactly as the YAML reader does
/// (a property test compares them).
fn plain_front_matter(lines: &[&str]) -> Option<(FrontMatter, usize)> {
    if *lines.first()? != "---" {
        return None;
    }
    let close = lines.iter().skip(1).position(|l| matches!(l.trim_end(), "---" | "...")).map(|i| i + 1)?;
    let is_id = |word: &str| {
        let mut chars = word.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphanumeric()) && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let ids = |value: &str, line: usize| -> Option<Vec<AtLine<String>>> {
        match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            Some(inner) => {
                inner.split(',').map(|id| is_id(id.trim()).then(|| (id.trim().to_string(), line))).collect::<Option<Vec<_>>>().filter(|ids| !ids.is_empty())
            }
            None => is_id(value).then(|| vec![(value.to_string(), line)]),
        }
    };
    let mut front = FrontMatter { people_line: 1, ..Default::default() };
    let mut seen: Vec<&str> = Vec::new();
    for (at, line) in lines.iter().enumerate().take(close).skip(1) {
        let file_line = at + 1;
        if line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once(": ")?;
        let value = value.trim_matches(' ');
        // Only ids, dates, booleans and flow lists of ids: no quoting, comment or other YAML.
        let plain = value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | ',' | '.' | '_' | '-' | '[' | ']'));
        if seen.contains(&key) || !plain {
            return None;
        }
        seen.push(key);
        match key {
            "people" => {
                front.people = ids(value, file_line)?;
                front.people_line = file_line;
            }
            "projects" | "project" if !seen.contains(&if key == "project" { "projects" } else { "project" }) => front.projects = ids(value, file_line)?,
            "date" if is_iso_date(value) => front.date = Some(value.to_string()),
            "checked_back" => {
                front.checked_back = match value {
                    "true" => true,
                    "false" => false,
                    _ => return None,
                };
                front.checked_back_given = true;
            }
            _ => return None,
        }
    }
    seen.contains(&"people").then_some((front, close))
}

/// [`split_and_parse`] through the YAML reader, whatever the front matter.
fn split_and_parse_yaml(lines: &[&str], path: &str) -> (FrontMatter, usize, Vec<Problem>) {
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

    /// The plain reader where it answers, else the YAML reader: what `split_and_parse` does.
    fn by_yaml(text: &str) -> String {
        let lines: Vec<&str> = text.lines().collect();
        format!("{:?}", split_and_parse_yaml(&lines, "i.md"))
    }

    fn id_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let id = "[a-z0-9][a-z0-9._-]{0,5}|true|null|007|1e3";
        prop_oneof![
            proptest::collection::vec(id, 0..4).prop_map(|ids| format!("[{}]", ids.join(", "))),
            id.prop_map(String::from),
            "[a-z0-9 ,._#'\\[\\]-]{0,10}",
        ]
    }

    fn front_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            4 => ("(people|projects|project)", "  ?", id_value()).prop_map(|(key, gap, value)| format!("{key}:{gap}{value}")),
            2 => ("(date|checked_back_on)", "(20[0-9]{2}-[01][0-9]-[0-3][0-9]|2010-02-30|true)").prop_map(|(key, value)| format!("{key}: {value}")),
            2 => "checked_back: (true|false|True|yes|1)",
            1 => "(id|tags|peeple|people ): [a-z0-9]{1,4}",
            1 => Just("  - p01".to_string()),
            1 => Just(String::new()),
            1 => Just("# a comment".to_string()),
        ]
    }

    proptest::proptest! {
        /// Front matter the plain reader accepts is read exactly as the YAML reader reads it.
        #[test]
        fn the_plain_reader_agrees_with_the_yaml_reader(
            people in id_value(),
            lines in proptest::collection::vec(front_line(), 0..5),
            closing in "(---|\\.\\.\\.)",
        ) {
            let text = format!("---\npeople: {people}\n{}\n{closing}\nbody\n", lines.join("\n"));
            let all: Vec<&str> = text.lines().collect();
            if let Some((front, close)) = plain_front_matter(&all) {
                proptest::prop_assert_eq!(format!("{:?}", (front, close + 1, Vec::<Problem>::new())), by_yaml(&text), "{}", text);
            }
        }
    }

    #[test]
    fn the_plain_reader_takes_the_usual_front_matter_and_leaves_the_rest() {
        let usual = "---\npeople: [p01, p02]\nprojects: [x]\ndate: 2010-10-16\nchecked_back: true\n---\nbody";
        let lines: Vec<&str> = usual.lines().collect();
        assert!(plain_front_matter(&lines).is_some());
        assert_eq!(format!("{:?}", parse(usual)), by_yaml(usual));
        for unusual in
            ["---\npeople:\n  - p01\n---\n", "---\npeople: [p01] # x\n---\n", "---\npeople: ['p01']\n---\n", "---\npeople: [p01]\ndate: 2010-02-30\n---\n"]
        {
            let lines: Vec<&str> = unusual.lines().collect();
            assert!(plain_front_matter(&lines).is_none(), "{unusual}");
        }
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
