//! Property tests: the parser never panics, and writing then reading a study gives it back.

use collabmap_study::IdSet;

use collabmap_study::write::interview_markdown;
use collabmap_study::{Codebook, Concept, Interview, InterviewContext, MapNode, MapNodeKind, Quote, Story, parse_interview};
use proptest::prelude::*;

const CODES: &[&str] = &["service-user", "common-purpose", "share-power", "relationships", "impatience"];

fn words() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z][a-z]{0,7}", 1..6).prop_map(|w| w.join(" "))
}

fn codes() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set(0..CODES.len(), 0..3).prop_map(|set| set.into_iter().map(|i| CODES[i].to_string()).collect())
}

fn concept() -> impl Strategy<Value = (String, Option<String>, Vec<String>, bool)> {
    (words(), prop::option::of(words()), codes(), any::<bool>())
}

prop_compose! {
    fn interview()(
        depths in prop::collection::vec(0usize..4, 0..25),
        concepts in prop::collection::vec(concept(), 25),
        quotes in prop::collection::vec((words(), codes(), any::<bool>()), 0..3),
        stories in prop::collection::vec((words(), words(), codes()), 0..3),
    ) -> Interview {
        let mut map: Vec<MapNode> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        for (i, &wanted) in depths.iter().enumerate() {
            let depth = wanted.min(stack.len());
            stack.truncate(depth);
            let parent = stack.last().copied();
            let (pole, contrast, codes, negative) = concepts[i].clone();
            let concept = Concept { line: 0, pole, contrast, codes, speakers: vec![], block_id: Some(format!("c{i}")) };
            map.push(MapNode { line: 0, depth, parent, negative: negative && parent.is_some(), kind: MapNodeKind::Concept(concept) });
            stack.push(i);
        }
        let quotes = quotes.into_iter().map(|(text, codes, anonymous)| Quote { line: 0, text, codes, speakers: vec![], attribution: Some("p1".into()), anonymous }).collect();
        let stories = stories.into_iter().map(|(title, body, codes)| Story { line: 0, title, body, codes, speakers: vec![] }).collect();
        Interview { id: "i1".into(), file: "interviews/i1.md".into(), people: vec!["p1".into()], projects: vec![], date: Some("2010-11-02".into()), checked_back: true, checked_back_on: None, map, quotes, stories, pictures: vec![] }
    }
}

fn without_lines(mut interview: Interview) -> Interview {
    for node in &mut interview.map {
        node.line = 0;
        if let MapNodeKind::Concept(c) = &mut node.kind {
            c.line = 0;
        }
    }
    interview.quotes.iter_mut().for_each(|q| q.line = 0);
    interview.stories.iter_mut().for_each(|s| s.line = 0);
    interview
}

fn context<'a>(codebook: &'a Codebook, people: &'a IdSet<'a>, projects: &'a IdSet<'a>) -> InterviewContext<'a> {
    InterviewContext { codebook, people, projects, files: None, check_codes: true }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn write_then_parse_gives_the_interview_back(original in interview()) {
        let codebook = Codebook::builtin("whole-systems").expect("built in");
        let people: IdSet = ["p1"].into_iter().collect();
        let projects = IdSet::default();
        let text = interview_markdown(&original);
        let (parsed, problems) = parse_interview(text.as_bytes(), "interviews/i1.md", &context(&codebook, &people, &projects));
        prop_assert!(problems.is_empty(), "{problems:?}\n{text}");
        prop_assert_eq!(without_lines(parsed), original);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let codebook = Codebook::builtin("whole-systems").expect("built in");
        let people: IdSet = ["p1"].into_iter().collect();
        let projects = IdSet::default();
        let _ = parse_interview(&bytes, "interviews/x.md", &context(&codebook, &people, &projects));
    }

    #[test]
    fn markdown_like_text_never_panics(lines in prop::collection::vec(prop::sample::select(vec![
        "---", "people: [p1]", "people: [", "# Map", "# Quotes", "# Stories", "# Pictures", "## T", "- a #share-power ^x",
        "  - [[#^x]]", "    - (-) b ... c", "\t- @p1 d", "> q", "> — p1, anonymous", "> -- p9", "![c](pictures/a.png)", "```", "",
        "- (-)", "-", "1. n", "- [[#^y]]", "      - deep", "- … ^", "#", "- #", "> ", "- x ... ", "id: a/b", "date: 2010-13-40",
    ]), 0..60)) {
        let text = lines.join("\n");
        let codebook = Codebook::builtin("whole-systems").expect("built in");
        let people: IdSet = ["p1"].into_iter().collect();
        let projects = IdSet::default();
        let (interview, problems) = parse_interview(text.as_bytes(), "interviews/x.md", &context(&codebook, &people, &projects));
        for problem in &problems {
            prop_assert!(problem.line >= 1 && problem.line <= text.lines().count().max(1) + 1, "{problem}");
        }
        for node in &interview.map {
            if let Some(parent) = node.parent {
                prop_assert!(parent < interview.map.len());
            }
        }
    }
}

#[test]
fn deep_nesting_and_huge_files_get_answers() {
    let codebook = Codebook::builtin("whole-systems").expect("built in");
    let people: IdSet = ["p1"].into_iter().collect();
    let projects = IdSet::default();
    let mut text = String::from("---\npeople: [p1]\n---\n# Map\n");
    for depth in 0..2000 {
        text.push_str(&" ".repeat(depth));
        text.push_str("- step\n");
    }
    let (_, problems) = parse_interview(text.as_bytes(), "interviews/deep.md", &context(&codebook, &people, &projects));
    assert!(problems.iter().any(|p| p.message.contains("nests deeper than")), "{problems:?}");
    let huge = vec![b'a'; 17 * 1024 * 1024];
    let (_, problems) = parse_interview(&huge, "interviews/huge.md", &context(&codebook, &people, &projects));
    assert!(problems[0].message.contains("limited to 16 MiB"));
}

/// The syntax of a file is the file's alone: reading it never names a
/// person, project or code as unknown; resolving it against a study does,
/// and a syntax read once resolves the same against each study it meets.
#[test]
fn reading_needs_only_the_file_and_resolving_checks_it_against_the_study() {
    use collabmap_study::{read_interview, resolve_interview};
    let text = "---\npeople: [p1, p9]\nprojects: [x, nowhere]\n---\n\n# Map\n\n- Listen to tenants #service-user #no-such-code @p9\n  - Meet monthly\n\n1. a numbered line\n\n# Quotes\n\n> We agreed one aim. #common-purpose\n> — p9\n";
    let (syntax, read_problems) = read_interview(text.as_bytes(), "interviews/i1.md");
    let read_messages: Vec<String> = read_problems.iter().map(|p| p.message.clone()).collect();
    assert!(read_messages.iter().all(|m| !m.contains("unknown")), "reading checks nothing against a study: {read_messages:?}");
    assert!(read_messages.iter().any(|m| m.contains("numbered items are not concepts")), "but it finds the file's own slips: {read_messages:?}");

    let codebook = Codebook::builtin("whole-systems").expect("codebook");
    let (people, projects): (IdSet, IdSet) = (["p1"].into_iter().collect(), ["x"].into_iter().collect());
    let (interview, resolve_problems) = resolve_interview(&syntax, &context(&codebook, &people, &projects));
    let lines: Vec<(usize, String)> = resolve_problems.iter().map(|p| (p.line, p.message.clone())).collect();
    for unknown in ["unknown person `p9`", "unknown project `nowhere`", "unknown code #no-such-code", "unknown person @p9", "unknown person — p9"] {
        assert!(lines.iter().any(|(_, m)| m.contains(unknown)), "resolving finds {unknown}: {lines:?}");
    }
    assert_eq!(interview.people, ["p1"]);
    assert_eq!(interview.map.len(), 2, "the outline is built when resolving");

    // The same syntax against a study that has everyone: no reference problems, and p9 attends.
    let (everyone, all_projects): (IdSet, IdSet) = (["p1", "p9"].into_iter().collect(), ["x", "nowhere"].into_iter().collect());
    let (interview, problems) = resolve_interview(&syntax, &context(&codebook, &everyone, &all_projects));
    assert_eq!(interview.people, ["p1", "p9"]);
    assert!(problems.iter().all(|p| !p.message.contains("person") && !p.message.contains("project")), "{problems:?}");

    // parse_interview is reading then resolving.
    let (parsed, mut all) = parse_interview(text.as_bytes(), "interviews/i1.md", &context(&codebook, &people, &projects));
    let mut expected: Vec<_> = read_problems.into_iter().chain(resolve_problems).collect();
    expected.sort();
    all.sort();
    assert_eq!(all, expected);
    assert_eq!(parsed.people, ["p1"]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A CSV file read into a form and sent back unchanged is the same file,
    /// byte for byte, whatever its quoting, spacing and line breaks; and an
    /// edited cell changes that cell's row only.
    #[test]
    fn a_csv_form_sent_back_unchanged_is_the_same_file(
        cells in prop::collection::vec(prop::collection::vec("[a-z ,\"]{0,6}", 3), 1..8),
        crlf in any::<bool>(),
        closing_break in any::<bool>(),
        edited in 0usize..8,
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let quoted = |cell: &String| if cell.contains([',', '"']) { format!("\"{}\"", cell.replace('"', "\"\"")) } else { cell.clone() };
        let mut text = String::from("id,name,organisation");
        for row in &cells {
            text.push_str(newline);
            text.push_str(&row.iter().map(quoted).collect::<Vec<_>>().join(","));
        }
        if closing_break {
            text.push_str(newline);
        }
        let table = collabmap_study::edit::read_csv_table(&text).expect("read");
        let unchanged: std::collections::BTreeMap<usize, collabmap_study::edit::RowEdit> =
            table.rows.iter().cloned().enumerate().map(|(i, r)| (i, collabmap_study::edit::RowEdit::Cells(r))).collect();
        prop_assert_eq!(table.write(&unchanged, &[]), text.clone());
        if edited < table.rows.len() {
            let mut row = table.rows[edited].clone();
            row[1] = "changed".into();
            let mut edits = std::collections::BTreeMap::new();
            edits.insert(edited, collabmap_study::edit::RowEdit::Cells(row));
            let written = table.write(&edits, &[]);
            let again = collabmap_study::edit::read_csv_table(&written).expect("read again");
            prop_assert_eq!(again.rows.len(), table.rows.len());
            for (i, (before, after)) in table.rows.iter().zip(&again.rows).enumerate() {
                if i == edited {
                    prop_assert_eq!(after[1].as_str(), "changed");
                } else {
                    prop_assert_eq!(before, after);
                }
            }
        }
    }
}
