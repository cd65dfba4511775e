//! The README's five-minute tutorial, followed word for word: its blocks are
//! read from README.md itself, so the tutorial and this test cannot drift apart.

mod support;

use support::{collabmap, stdout};

use std::path::Path;

/// The tutorial section of the README.
fn tutorial() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).expect("README.md");
    let start = readme.find("## A first interview in five minutes").expect("the tutorial");
    let end = readme[start + 3..].find("\n## ").map_or(readme.len(), |e| start + 3 + e);
    readme[start..end].to_string()
}

/// The body of the first fenced block in `text` whose opening fence carries `language`,
/// without the list's indentation.
fn block(text: &str, language: &str) -> String {
    let fence = format!("```{language}\n");
    let start = text.find(&fence).unwrap_or_else(|| panic!("a ```{language} block")) + fence.len();
    let end = start + text[start..].find("```").expect("the block ends");
    text[start..end].lines().map(|l| l.strip_prefix("   ").unwrap_or(l)).map(|l| format!("{}\n", l.trim_end())).collect::<String>().trim_end().to_string()
        + "\n"
}

/// The text between the first pair of backticks after `after` in `text`.
fn quoted_after(text: &str, after: &str) -> String {
    let from = text.find(after).unwrap_or_else(|| panic!("{after}")) + after.len();
    let rest = &text[from..];
    let start = rest.find('`').expect("opening backtick") + 1;
    rest[start..start + rest[start..].find('`').expect("closing backtick")].to_string()
}

#[test]
fn the_five_minute_tutorial_counts_the_newcomers_interviewee() {
    let tutorial = tutorial();
    let dir = tempfile::tempdir().expect("temp");
    let study = dir.path().join("my-study");
    let study_arg = study.to_str().expect("path");

    // 1. A new study.
    assert!(tutorial.contains("`collabmap new my-study`"));
    stdout(&collabmap(&["new", study_arg]));
    let before: serde_json::Value = serde_json::from_str(&stdout(&collabmap(&["table", study_arg, "--format", "json"]))).expect("json");

    // 2. The person met, as a new line of people.csv.
    let person = block(&tutorial, "csv");
    let mut people = std::fs::read_to_string(study.join("people.csv")).expect("people.csv");
    if !people.ends_with('\n') {
        people.push('\n');
    }
    std::fs::write(study.join("people.csv"), people + &person).expect("write");
    let id = person.split(',').next().expect("an id").to_string();

    // 3. Their interview.
    let file = quoted_after(&tutorial, "3. Create ");
    let file = file.strip_prefix("my-study/").expect("a path in the study");
    let map = block(&tutorial, "markdown");
    assert!(map.contains(&format!("people: [{id}]")), "the map is the new person's");
    std::fs::write(study.join(file), map).expect("write");

    // 4. check says what the tutorial says it says.
    let promised = quoted_after(&tutorial, "says\n   ");
    assert_eq!(stdout(&collabmap(&["check", study_arg])).trim(), promised);

    // 5. The table counts them.
    let after: serde_json::Value = serde_json::from_str(&stdout(&collabmap(&["table", study_arg, "--format", "json"]))).expect("json");
    let row = |table: &serde_json::Value, theme: &str| table.as_array().expect("rows").iter().find(|r| r["theme"] == theme).cloned().unwrap_or_default();
    let (was, now) = (row(&before, "service-user"), row(&after, "service-user"));
    assert_eq!(now["out_of"].as_u64(), was["out_of"].as_u64().map(|n| n + 1), "the new person is one more person interviewed");
    assert_eq!(now["people"].as_u64(), was["people"].as_u64().map(|n| n + 1), "and mentions the service user's perspective");
    let claim = format!("now has {} people out of {}", now["people"], now["out_of"]);
    assert!(tutorial.replace("\n   ", " ").contains(&claim), "the tutorial says: {claim}");
    let site = dir.path().join("site");
    stdout(&collabmap(&["report", study_arg, "-o", site.to_str().expect("path")]));
    assert!(site.join("index.html").is_file());
}
