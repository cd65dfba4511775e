//! End-to-end tests: the real binary on the shared corpora and on small studies.

mod support;

use support::{collabmap, stdout, studies};

use std::path::{Path, PathBuf};

#[test]
fn every_study_matches_its_expected_results() {
    for study in studies::all() {
        let (name, dir) = (&study.name, study.arg());
        let dir = dir.as_str();
        let expected = &study.expected;
        assert!(collabmap(&["check", dir]).status.success(), "{name} fails check");

        let csv = stdout(&collabmap(&["table", dir, "--all", "--format", "csv"]));
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("theme,name,people,out_of,percent,projects,inferred"));
        let rows: Vec<Vec<String>> = lines.map(parse_csv_line).collect();
        let table = expected["table"].as_array().expect("table");
        if !study.is_partial() {
            assert_eq!(rows.len(), table.len(), "{name}: row count");
            let order: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
            let want: Vec<&str> = table.iter().map(|r| r["theme"].as_str().expect("theme")).collect();
            assert_eq!(order, want, "{name}: row order");
        }
        for want in table {
            let theme = want["theme"].as_str().expect("theme");
            let row = rows.iter().find(|r| r[0] == theme).unwrap_or_else(|| panic!("{name}: no row {theme}"));
            for (i, key) in [(1, "name"), (2, "people"), (3, "out_of"), (5, "projects"), (6, "inferred")] {
                match &want[key] {
                    serde_json::Value::Null => {}
                    serde_json::Value::String(text) => assert_eq!(&row[i], text, "{name} {theme} {key}"),
                    number => assert_eq!(row[i], number.to_string(), "{name} {theme} {key}"),
                }
            }
            if let Some(percent) = want["percent"].as_f64() {
                assert_eq!(row[4], format!("{percent:.1}"), "{name} {theme} percent");
            }
        }

        let model: serde_json::Value = serde_json::from_str(&stdout(&collabmap(&["model", dir, "--format", "json"]))).expect("json");
        if study.is_partial() {
            let want = &expected["model"];
            assert_eq!(model["attractor"], want["attractor"], "{name}: attractor");
            for theme in want["themes"].as_array().expect("themes") {
                let got = model["themes"]
                    .as_array()
                    .expect("themes")
                    .iter()
                    .find(|t| t["id"] == theme["id"])
                    .unwrap_or_else(|| panic!("{name}: theme {}", theme["id"]));
                assert_eq!(got["level"], theme["level"], "{name}: level of {}", theme["id"]);
            }
            for link in want["links"].as_array().expect("links") {
                let kept = model["links"].as_array().expect("links").iter().any(|l| l["from"] == link["from"] && l["to"] == link["to"]);
                assert!(kept, "{name}: link {} -> {} is not kept", link["from"], link["to"]);
            }
            continue;
        }

        let shown = stdout(&collabmap(&["table", dir, "--format", "json"]));
        let shown: serde_json::Value = serde_json::from_str(&shown).expect("json");
        let model_rows: Vec<&serde_json::Value> = table.iter().filter(|r| r["model"] == true).collect();
        let shown = shown.as_array().expect("array");
        assert_eq!(shown.len(), model_rows.len(), "{name}: rows without --all");
        for (got, want) in shown.iter().zip(model_rows) {
            for key in ["theme", "name", "people", "out_of", "percent", "projects", "inferred"] {
                assert_eq!(got[key], want[key], "{name} {key}");
            }
        }
        assert_eq!(model, expected["model"], "{name}: model");
    }
}

fn parse_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// A study folder with one interview whose text the test chooses.
fn study_with(interview: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("interviews")).expect("mkdir");
    std::fs::write(dir.path().join("study.toml"), "title = \"t\"\ncodebook = \"whole-systems\"\n").expect("write");
    std::fs::write(dir.path().join("people.csv"), "id,name\np01,A\np02,B\np03,C\n").expect("write");
    std::fs::write(dir.path().join("projects.csv"), "id,name\nx,X\n").expect("write");
    std::fs::write(dir.path().join("interviews/i07.md"), interview).expect("write");
    dir
}

fn problems(dir: &Path) -> String {
    let output = collabmap(&["check", dir.to_str().expect("path")]);
    assert!(!output.status.success(), "check should fail");
    String::from_utf8(output.stderr).expect("utf-8")
}

#[test]
fn check_points_at_the_file_and_line_of_each_kind_of_error() {
    let cases: &[(&str, &str)] = &[
        ("---\npeople: [p01]\n---\n# Map\n\n- a #comon-purpose\n", "interviews/i07.md:6: unknown code #comon-purpose (did you mean #common-purpose?)"),
        ("---\npeople: [p01, p99]\n---\n", "interviews/i07.md:2: unknown person `p99`"),
        ("---\npeople: [p01]\nprojects: [y]\n---\n", "interviews/i07.md:3: unknown project `y`"),
        ("---\npeople: [p01]\n---\n# Map\n\n- a @p02\n", "interviews/i07.md:6: @p02 did not attend this interview"),
        ("---\npeople: [p01]\n---\n# Map\n\n- a\n  - [[#^nope]]\n", "interviews/i07.md:7: undefined block id ^nope"),
        ("---\npeople: [p01]\n---\n# Map\n\n- a ^x\n- b ^x\n", "interviews/i07.md:7: duplicate block id ^x"),
        ("---\npeople: [p01]\n---\n# Map\n\n- a ^x\n  - [[#^x]]\n", "interviews/i07.md:7: cross-link to itself"),
        ("---\npeople: [p01\n---\n", "interviews/i07.md:3: malformed front matter"),
        ("---\ndate: 2010-01-01\n---\n", "interviews/i07.md:1: the front matter has no `people` key"),
        ("---\npeople: [p01, p02]\n---\n# Quotes\n\n> said\n> — p03\n", "interviews/i07.md:7: — p03 did not attend"),
    ];
    for (text, expected) in cases {
        let dir = study_with(text);
        let stderr = problems(dir.path());
        assert!(stderr.lines().any(|l| l.starts_with(expected)), "expected `{expected}` in:\n{stderr}");
    }
}

#[test]
fn check_reports_csv_codebook_and_config_problems() {
    let dir = study_with("---\npeople: [p01]\n---\n");
    std::fs::write(dir.path().join("people.csv"), "id,name\np01,A\np01,B\n").expect("write");
    assert!(problems(dir.path()).contains("people.csv:3: duplicate person id `p01`"));

    std::fs::write(dir.path().join("people.csv"), "id,name\np01,A\n").expect("write");
    std::fs::write(dir.path().join("study.toml"), "title = \"t\"\ncodebook = \"whole-system\"\n").expect("write");
    assert!(problems(dir.path()).contains("study.toml:2: unknown built-in codebook `whole-system` (did you mean whole-systems?)"));

    std::fs::write(dir.path().join("study.toml"), "title = \"t\"\ncodebook = \"codebook.toml\"\n").expect("write");
    std::fs::write(
        dir.path().join("codebook.toml"),
        "[[theme]]\nid = \"a\"\nname = \"A\"\nparent = \"b\"\n[[theme]]\nid = \"b\"\nname = \"B\"\nparent = \"a\"\n",
    )
    .expect("write");
    assert!(problems(dir.path()).contains("its own ancestor"));

    std::fs::write(dir.path().join("study.toml"), "title = \"t\"\ncodebook = \"whole-systems\"\n[model]\nmin_suport = 3\n").expect("write");
    assert!(problems(dir.path()).contains("study.toml:4: unknown field `min_suport`"));
}

#[test]
fn other_commands_refuse_an_invalid_study_and_write_nothing() {
    let dir = study_with("---\npeople: [p01]\n---\n# Map\n\n- a #nope\n");
    let out = tempfile::tempdir().expect("temp");
    let report = out.path().join("site");
    for args in [vec!["table"], vec!["model"], vec!["report", "-o", report.to_str().expect("path")]] {
        let mut full = vec![args[0], dir.path().to_str().expect("path")];
        full.extend(&args[1..]);
        let output = collabmap(&full);
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stderr).contains("interviews/i07.md:6: unknown code #nope"));
        assert!(output.stdout.is_empty());
    }
    assert!(!report.exists());
}

#[test]
fn crlf_tabs_bad_utf8_and_windows_paths_get_clear_answers() {
    let dir = study_with("---\r\npeople: [p01]\r\n---\r\n# Map\r\n\r\n- a #common-purpose\r\n\t- b #share-power\r\n");
    let csv = stdout(&collabmap(&["table", dir.path().to_str().expect("path"), "--format", "csv"]));
    assert!(csv.contains("share-power,Share power,1,1,100.0,0,0"), "{csv}");
    let dir = study_with("---\npeople: [p01]\n---\n# Map\n\n- caf\u{e9}");
    std::fs::write(dir.path().join("interviews/i07.md"), b"---\npeople: [p01]\n---\n# Map\n\n- caf\xe9\n").expect("write");
    assert!(problems(dir.path()).contains("interviews/i07.md:6: the file is not valid UTF-8"));
    let dir = study_with("---\npeople: [p01]\n---\n# Pictures\n\n![x](pictures\\missing.png)\n\nExplained.\n");
    assert!(problems(dir.path()).contains("interviews/i07.md:6: picture `pictures/missing.png` not found"));
}

#[test]
fn table_cross_tabulates_by_any_people_column() {
    let dir = studies::own("published");
    let csv = stdout(&collabmap(&["table", dir.to_str().expect("path"), "--by", "country", "--format", "csv"]));
    let header = csv.lines().next().expect("header");
    // Anonymous people form one group whatever their country (the small-group rule of docs/security.md).
    assert_eq!(header, "theme,name,people,out_of,percent,projects,inferred,country=Anonymous participant,country=Canada,country=India,country=USA");
    for line in csv.lines().skip(1) {
        let fields = parse_csv_line(line);
        let by: u32 = fields[7..].iter().map(|f| f.parse::<u32>().expect("count")).sum();
        assert_eq!(by.to_string(), fields[2], "{line}");
    }
    let bad = collabmap(&["table", dir.to_str().expect("path"), "--by", "contry"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("did you mean country?"));
}

#[test]
fn the_report_renders_parses_and_keeps_anonymity() {
    for study in studies::all() {
        let (name, dir) = (&study.name, &study.dir);
        let out = tempfile::tempdir().expect("temp");
        stdout(&collabmap(&["report", dir.to_str().expect("path"), "-o", out.path().to_str().expect("path")]));
        let svg = std::fs::read_to_string(out.path().join("model.svg")).expect("model.svg");
        assert_well_formed(&svg);
        assert!(std::fs::read(out.path().join("model.png")).expect("png").starts_with(b"\x89PNG"));
        let people = std::fs::read_to_string(dir.join("people.csv")).expect("people");
        let rows: Vec<Vec<String>> = people.lines().skip(1).map(parse_csv_line).collect();
        let named: Vec<&Vec<String>> = rows.iter().filter(|r| r[5] != "anonymous").collect();
        let mut pages = Vec::new();
        collect_files(out.path(), &mut pages);
        assert!(pages.iter().any(|p| p.ends_with("index.html")));
        let texts: Vec<String> =
            pages.iter().filter(|p| p.extension().is_some_and(|e| e == "html" || e == "svg")).map(|p| std::fs::read_to_string(p).expect("page")).collect();
        for page in &texts {
            if page.contains("<svg") && !page.starts_with("<!doctype") {
                assert_well_formed(page);
            }
        }
        for row in rows.iter().filter(|r| r[5] == "anonymous") {
            // A name or organisation shared with a named person may appear for that person.
            if !named.iter().any(|n| n[1] == row[1]) {
                assert!(!texts.iter().any(|t| t.contains(&row[1])), "{name}: anonymous name {} appears", row[1]);
            }
            if !named.iter().any(|n| n[3] == row[3]) {
                assert!(
                    !texts.iter().any(|t| t.contains(&format!("{}<", row[3])) || t.contains(&format!("{})", row[3]))),
                    "{name}: organisation {} of an anonymous person appears",
                    row[3]
                );
            }
        }
        for interview in std::fs::read_dir(dir.join("interviews")).expect("interviews") {
            let stem = interview.expect("entry").path().file_stem().expect("stem").to_string_lossy().into_owned();
            let page = std::fs::read_to_string(out.path().join(format!("interviews/{stem}.html"))).expect("interview page");
            let start = page.find("<svg").expect("map drawn");
            let end = page[start..].find("</svg>").expect("end") + start + 6;
            assert_well_formed(&page[start..end]);
        }
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("dir").filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() { collect_files(&path, out) } else { out.push(path) }
    }
}

fn assert_well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("not well-formed XML at {}: {error}", reader.buffer_position()),
        }
    }
}

#[test]
fn demo_prints_the_published_counts_and_writes_the_report() {
    let out = tempfile::tempdir().expect("temp");
    let text = stdout(&collabmap(&["demo", "-o", out.path().to_str().expect("path")]));
    for (theme, count) in [
        ("common-purpose", 66),
        ("whole-system", 62),
        ("explain-importance", 61),
        ("service-user", 60),
        ("hold-to-account", 55),
        ("share-power", 55),
        ("resource-new-ways", 53),
        ("relationships", 48),
        ("serve-perspectives", 42),
        ("political-backing", 41),
        ("distribute-leadership", 39),
        ("front-line", 36),
    ] {
        let line = text.lines().find(|l| l.starts_with(&format!("{theme} "))).unwrap_or_else(|| panic!("{theme} missing:\n{text}"));
        let numbers: Vec<&str> = line.split_whitespace().rev().take(5).collect();
        assert_eq!(numbers[4], count.to_string(), "{line}");
        assert_eq!(numbers[3], "69", "{line}");
    }
    let svg = std::fs::read_to_string(out.path().join("report/model.svg")).expect("svg");
    assert!(svg.contains("data-theme=\"service-user\" data-level=\"0\""));
    for core in ["common-purpose", "whole-system", "share-power"] {
        assert!(svg.contains(&format!("data-theme=\"{core}\" data-level=\"1\"")), "{core}");
    }
    // The worked assessment comes with it.
    assert!(text.contains("A worked assessment of a collaboration"));
    assert!(out.path().join("assessment/responses.csv").is_file());
    let page = std::fs::read_to_string(out.path().join("assessment-report/index.html")).expect("assessment report");
    assert!(page.contains("insist-without-sharing"));
}

#[test]
fn demo_writes_only_into_its_own_folder_and_gives_every_model_theme_quotes() {
    let out = tempfile::tempdir().expect("temp");
    let notes = out.path().join("notes");
    std::fs::create_dir(&notes).expect("dir");
    std::fs::write(notes.join("mine.txt"), "keep me").expect("write");
    let refused = collabmap(&["demo", "-o", notes.to_str().expect("path")]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is not an earlier demo written by `collabmap demo`"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(&notes).expect("dir").filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("mine.txt")], "nothing was added");

    let demo = out.path().join("demo");
    stdout(&collabmap(&["demo", "-o", demo.to_str().expect("path")]));
    stdout(&collabmap(&["demo", "-o", demo.to_str().expect("path")]));
    for theme in [
        "service-user",
        "common-purpose",
        "whole-system",
        "share-power",
        "explain-importance",
        "front-line",
        "hold-to-account",
        "resource-new-ways",
        "political-backing",
        "distribute-leadership",
        "serve-perspectives",
        "relationships",
    ] {
        let page = std::fs::read_to_string(demo.join(format!("report/themes/{theme}.html"))).expect("theme page");
        assert!(page.contains("<blockquote class=\"quote\""), "{theme} has quotes");
    }
}

#[test]
fn check_says_what_it_found_on_the_right_stream_in_plain_words() {
    let dir = study_with("---\npeople: [p01]\n---\n# Map\n\n- a #common-purpose\n");
    let output = collabmap(&["check", dir.path().to_str().expect("path")]);
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "ok: 1 interview, 3 people, 1 project\n");
    assert!(output.stderr.is_empty(), "nothing on standard error when all is well");

    let broken = study_with("---\npeople: [zz]\n---\n# Map\n\n- a @p01\n");
    let errors = problems(broken.path());
    assert!(errors.contains("@p01 did not attend this interview (it has no known attendee)"), "{errors}");
    assert!(errors.contains("2 problems found; fix them and run check again") && !errors.contains("nothing was written"), "{errors}");
}

#[test]
fn memos_reach_the_report_only_when_the_study_asks() {
    let out = tempfile::tempdir().expect("temp");
    let study = out.path().join("study");
    copy_folder(&studies::own("counting-rules"), &study);
    let site = out.path().join("site");
    stdout(&collabmap(&["report", study.to_str().expect("path"), "-o", site.to_str().expect("path")]));
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(!index.contains("id=\"memos\"") && !index.contains("Pooled budgets serve"), "memos stay out by default");
    let toml = std::fs::read_to_string(study.join("study.toml")).expect("toml");
    std::fs::write(study.join("study.toml"), format!("{toml}\n[report]\nmemos = true\n")).expect("write");
    stdout(&collabmap(&["report", study.to_str().expect("path"), "-o", site.to_str().expect("path")]));
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(index.contains("id=\"memos\"") && index.contains("Pooled budgets serve two ends"), "{index}");
    assert!(
        index.contains("href=\"interviews/i1.html#L11\">Interview i1, concept ^budgets</a>") && index.contains("href=\"themes/power.html\">Share power</a>")
    );
}

/// Copies the folder `from` (files and subfolders) to `to`.
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("read").filter_map(Result::ok) {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() { copy_folder(&entry.path(), &target) } else { std::fs::copy(entry.path(), &target).map(drop).expect("copy") }
    }
}

#[test]
fn new_scaffolds_a_valid_study() {
    let out = tempfile::tempdir().expect("temp");
    let dir = out.path().join("fresh");
    stdout(&collabmap(&["new", dir.to_str().expect("path")]));
    assert!(collabmap(&["check", dir.to_str().expect("path")]).status.success());
    let site = out.path().join("site");
    stdout(&collabmap(&["report", dir.to_str().expect("path"), "-o", site.to_str().expect("path")]));
    assert!(site.join("pictures/rich-picture.svg").exists());
    let page = std::fs::read_to_string(site.join("interviews/first-interview.html")).expect("page");
    assert!(page.contains("as opposed to"));
    assert!(!std::fs::read_to_string(site.join("index.html")).expect("index").contains("Sam Sample"));
}
