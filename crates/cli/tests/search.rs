//! `collabmap search` on the hand-worked study: whole words and phrases, the
//! filters, and the anonymity rules.

mod support;

use support::{collabmap, studies};

use serde_json::Value;

/// `(file:line, kind)` of every hit of `args` after `search STUDY`.
fn found(args: &[&str]) -> Vec<String> {
    let study = studies::own("counting-rules").to_string_lossy().into_owned();
    let mut all = vec!["search", study.as_str()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let output = collabmap(&all);
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    let hits: Value = serde_json::from_slice(&output.stdout).expect("json");
    hits.as_array()
        .expect("a list")
        .iter()
        .map(|h| format!("{}:{} {}", h["file"].as_str().expect("file"), h["line"], h["kind"].as_str().expect("kind")))
        .collect()
}

#[test]
fn words_phrases_and_filters_find_exactly_the_items() {
    // "hand over" as two words also finds them apart; in quotes only together; "Handover" is another word.
    assert_eq!(found(&["hand over"]), ["interviews/i2.md:11 concept", "interviews/i3.md:10 concept", "memos/power.md:6 memo"]);
    assert_eq!(found(&["\"over the\""]), ["interviews/i2.md:11 concept"]);
    assert_eq!(found(&["\"over hand\""]), Vec::<String>::new());
    assert_eq!(found(&["handover"]), ["interviews/i3.md:9 concept"]);
    // The contrast pole is searched too (it is part of the concept's words), a story's title as well.
    assert_eq!(found(&["\"common goal\""]), ["interviews/i1.md:10 concept", "interviews/i1.md:13 concept", "interviews/i3.md:14 story"]);
    // --code counts inferred codes: "Agree a common goal…" carries purpose by its phrase only.
    assert_eq!(found(&["\"common goal\"", "--code", "purpose"]), ["interviews/i1.md:10 concept"]);
    assert_eq!(found(&["the", "--where", "role=Nurse"]), ["interviews/i3.md:8 concept", "interviews/i3.md:14 story"]);
    assert_eq!(found(&["budget", "--interview", "i2"]), ["interviews/i2.md:11 concept"]);
    assert_eq!(found(&["budgets", "--project", "b"]), Vec::<String>::new());
    assert_eq!(found(&["budgets", "--project", "a"]), ["interviews/i1.md:11 concept", "memos/listening.md:5 memo"]);
}

#[test]
fn memos_are_searched_and_filtered_by_what_they_are_about() {
    // memos/power.md is about the theme power; memos/listening.md about a concept of i1 (project a).
    assert_eq!(found(&["\"hand over\"", "--code", "power"]), ["interviews/i2.md:11 concept", "interviews/i3.md:10 concept", "memos/power.md:6 memo"]);
    assert_eq!(found(&["credited", "--code", "purpose"]), Vec::<String>::new(), "a tag written in a memo codes nothing");
    assert_eq!(found(&["budgets", "--interview", "i1"]), ["interviews/i1.md:11 concept", "memos/listening.md:5 memo"]);
    assert_eq!(found(&["pooled", "--interview", "i2"]), Vec::<String>::new());
    assert_eq!(found(&["pooled", "--project", "b"]), Vec::<String>::new());
    // A memo is nobody's words: a people column never finds one.
    assert_eq!(found(&["credited", "--where", "role=Nurse"]), Vec::<String>::new());
    assert_eq!(found(&["credited"]), ["memos/power.md:6 memo"]);
}

#[test]
fn an_anonymous_person_cannot_be_found_by_their_name_or_organisation() {
    // p4 (anonymous, Quarrington Trust) said "Hand over the budget" in i2.
    assert_eq!(found(&["budget", "--where", "organisation=Quarrington Trust"]), Vec::<String>::new());
    assert_eq!(found(&["budget", "--where", "name=Devi Quarrington"]), Vec::<String>::new());
    assert_eq!(found(&["budget", "--where", "role=Probation officer"]), ["interviews/i2.md:11 concept"], "other columns still find them");
}

#[test]
fn refusals_name_what_is_wrong() {
    let study = studies::own("counting-rules").to_string_lossy().into_owned();
    for (args, message) in [
        (vec!["the", "--code", "powr"], "the codebook has no theme `powr` (did you mean power?)"),
        (vec!["the", "--where", "contry=UK"], "people.csv has no column `contry` (did you mean country?)"),
        (vec!["the", "--where", "country"], "`country` is not COLUMN=VALUE"),
        (vec!["the", "--interview", "i9"], "the study has no interview `i9`"),
        (vec!["\"\""], "the search has no words"),
    ] {
        let mut all = vec!["search", study.as_str()];
        all.extend_from_slice(&args);
        let output = collabmap(&all);
        assert!(!output.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains(message), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    let text = String::from_utf8(collabmap(&["search", &study, "hand over"]).stdout).expect("utf-8");
    assert_eq!(
        text,
        "interviews/i2.md:11  concept  [Hand] [over] the budget  #power\ninterviews/i3.md:10  concept  We [hand] [over] cases weekly  #power\nmemos/power.md:6  memo  Two of the four are credited by the phrase \"[hand] [over]\" only. A tag in a memo\n3 items found\n"
    );
}
