//! Format 1.1: memos (`memos/*.md`) and `checked_back_on`.

use collabmap_study::{MemoAbout, MemoryFiles, load_from};

fn study(memos: &[(&str, &str)], front_matter: &str) -> MemoryFiles {
    let mut files = MemoryFiles::new();
    files.insert("study.toml", b"title = \"T\"\ncodebook = \"whole-systems\"\n".to_vec());
    files.insert("people.csv", b"id,name\np01,Ana\n".to_vec());
    files.insert("interviews/i07.md", format!("---\npeople: [p01]\n{front_matter}---\n\n# Map\n\n- Cut detention #common-purpose ^aim\n").into_bytes());
    for (name, text) in memos {
        files.insert(format!("memos/{name}"), text.as_bytes().to_vec());
    }
    files
}

fn problems(files: &MemoryFiles) -> Vec<String> {
    load_from(files).problems.iter().map(ToString::to_string).collect()
}

#[test]
fn memos_about_what_exists_are_read_and_never_counted() {
    let files = study(
        &[
            ("a.md", "---\nabout: study\n---\nA note. #share-power\n"),
            ("b.md", "---\nabout: concept:i07#^aim\nby: ana@example.org\ndate: 2024-05-02\n---\nWhy this aim?\n"),
            ("c.md", "---\nabout: person:p01\n---\n"),
        ],
        "",
    );
    let loaded = load_from(&files);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let abouts: Vec<&MemoAbout> = loaded.study.memos.iter().map(|m| &m.about).collect();
    assert_eq!(abouts, [&MemoAbout::Study, &MemoAbout::Concept { interview: "i07".into(), block: "aim".into() }, &MemoAbout::Person("p01".into())]);
    // That a memo's tag is no mention is checked on testdata/studies/counting-rules, whose memo tags #purpose.
    let written = collabmap_study::write::study_files(&loaded.study).expect("files");
    assert_eq!(written.get("memos/b.md"), Some(&b"---\nabout: concept:i07#^aim\nby: ana@example.org\ndate: 2024-05-02\n---\nWhy this aim?\n"[..]));
}

#[test]
fn a_memo_about_something_unknown_is_refused_at_its_about_line() {
    let files = study(
        &[
            ("a.md", "---\nby: Ana\nabout: theme:comon-purpose\n---\n"),
            ("b.md", "---\nabout: interview:i7\n---\n"),
            ("c.md", "---\nabout: concept:i07#^aims\n---\n"),
            ("d.md", "---\nabout: person:p1\n---\n"),
            ("e.md", "no front matter\n"),
        ],
        "",
    );
    assert_eq!(
        problems(&files),
        [
            "memos/a.md:3: this memo is about something the study does not have: unknown theme `comon-purpose` (did you mean common-purpose?)",
            "memos/b.md:2: this memo is about something the study does not have: unknown interview `i7` (did you mean i07?)",
            "memos/c.md:2: this memo is about something the study does not have: interview `i07` has no concept ^aims (did you mean aim?)",
            "memos/d.md:2: this memo is about something the study does not have: unknown person `p1` (did you mean p01?)",
            "memos/e.md:1: a memo starts with front matter: a line `---`, then `about: …` (study, theme:ID, interview:ID, concept:INTERVIEW#^BLOCK or person:ID), then `---`",
        ]
    );
}

#[test]
fn checked_back_on_dates_the_check_and_implies_it() {
    let loaded = load_from(&study(&[], "checked_back_on: 2026-02-01\n"));
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let interview = &loaded.study.interviews[0];
    assert!(interview.checked_back);
    assert_eq!(interview.checked_back_on.as_deref(), Some("2026-02-01"));
    let written =
        String::from_utf8(collabmap_study::write::study_files(&loaded.study).expect("files").get("interviews/i07.md").expect("file").to_vec()).expect("utf-8");
    assert!(written.contains("checked_back: true\nchecked_back_on: 2026-02-01\n"), "{written}");
    assert_eq!(
        problems(&study(&[], "checked_back: false\nchecked_back_on: 2026-02-01\n")),
        ["interviews/i07.md:4: `checked_back_on` gives a date but `checked_back` is false: remove one of them"]
    );
    assert_eq!(
        problems(&study(&[], "checked_back_on: 2026-02-30\n")),
        ["interviews/i07.md:3: `checked_back_on` must be the date the interviewee confirmed the map, written YYYY-MM-DD"]
    );
}
