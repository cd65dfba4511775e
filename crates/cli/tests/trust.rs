//! The command line keeps its promises at the edges: it never writes into a
//! study or over someone's work, a site appears whole, a mistyped database is
//! not created, and every write failure names its path.

mod support;

use support::{collabmap, files_under};

use std::path::Path;
use std::process::Output;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A small valid study in `dir`.
fn new_study(dir: &Path) {
    let out = collabmap(&["new", path(dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_report_is_never_written_into_the_study() {
    let temp = tempfile::tempdir().expect("temp");
    let study = temp.path().join("study");
    new_study(&study);
    let before = files_under(&study);
    for inside in [study.clone(), study.join("site"), study.join("interviews"), study.join("site/../report")] {
        let out = collabmap(&["report", path(&study), "-o", path(&inside)]);
        assert_eq!(out.status.code(), Some(2), "{}", inside.display());
        assert!(stderr(&out).contains("inside the study folder"), "{}", stderr(&out));
    }
    // Nor may the output hold the study: replacing it would take the study with it.
    let out = collabmap(&["report", path(&study), "-o", path(temp.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(files_under(&study), before, "the study is untouched");
}

#[test]
fn a_report_replaces_only_an_earlier_report() {
    let temp = tempfile::tempdir().expect("temp");
    let study = temp.path().join("study");
    new_study(&study);
    let site = temp.path().join("site");
    assert!(collabmap(&["report", path(&study), "-o", path(&site)]).status.success());
    assert!(site.join("index.html").is_file() && site.join(".collabmap-report").is_file());
    std::fs::write(site.join("stale.html"), "from an older run").expect("write");
    let out = collabmap(&["report", path(&study), "-o", path(&site)]);
    assert!(out.status.success(), "an earlier report is replaced: {}", stderr(&out));
    assert!(!site.join("stale.html").exists(), "replaced whole, not written over");

    let work = temp.path().join("work");
    std::fs::create_dir(&work).expect("dir");
    std::fs::write(work.join("index.html"), "someone's page").expect("write");
    let out = collabmap(&["report", path(&study), "-o", path(&work)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not an earlier report"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(work.join("index.html")).expect("read"), "someone's page");
    // No temporary folder is left beside the target.
    let leftovers: Vec<_> =
        std::fs::read_dir(temp.path()).expect("dir").filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn workspace_commands_do_not_create_a_mistyped_database() {
    let temp = tempfile::tempdir().expect("temp");
    let typo = temp.path().join("typo.db");
    let url = format!("sqlite://{}", typo.display());
    let out = collabmap(&["export", "1", "--db", &url, "-o", path(&temp.path().join("out"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("there is no workspace database at"), "{}", stderr(&out));
    let study = temp.path().join("study");
    new_study(&study);
    let out = collabmap(&["import", path(&study), "--db", &url, "--owner", "a@example.org"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!typo.exists(), "no database was created");
}

#[test]
fn write_failures_name_the_path() {
    let temp = tempfile::tempdir().expect("temp");
    // A regular file where a folder should be: fails even for root, unlike permissions.
    let blocker = temp.path().join("blocker");
    std::fs::write(&blocker, "a file").expect("write");
    let target = blocker.join("study");
    let out = collabmap(&["new", path(&target)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(path(&blocker)), "{}", stderr(&out));

    let study = temp.path().join("study");
    new_study(&study);
    let out = collabmap(&["export", path(&study), "--format", "csv", "-o", path(&target)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(path(&blocker)), "{}", stderr(&out));
}

/// A study of one named person whose interview holds a quote given anonymously.
fn study_with_anonymous_quote(dir: &Path) {
    std::fs::create_dir_all(dir.join("interviews")).expect("dir");
    std::fs::write(dir.join("study.toml"), "title = \"Consent\"\ncodebook = \"whole-systems\"\n").expect("write");
    std::fs::write(dir.join("people.csv"), "id,name,organisation\np06,Petra Named,Council\np07,Quinn Other,Police\n").expect("write");
    std::fs::write(
        dir.join("interviews/petra.md"),
        "---\npeople: [p06]\n---\n\n# Map\n\n- Cut detention #common-purpose\n\n# Quotes\n\n> The board never listened to us. #share-power\n> — p06, anonymous\n\n> We agreed a shared aim. #common-purpose\n",
    )
    .expect("write");
    std::fs::write(dir.join("interviews/quinn.md"), "---\npeople: [p07]\n---\n\n# Map\n\n- Shared aim #common-purpose\n").expect("write");
}

#[test]
fn an_anonymous_quote_never_sits_beside_its_interview() {
    let temp = tempfile::tempdir().expect("temp");
    let study = temp.path().join("study");
    study_with_anonymous_quote(&study);
    let site = temp.path().join("site");
    let out = collabmap(&["report", path(&study), "-o", path(&site)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let interview = std::fs::read_to_string(site.join("interviews/petra.html")).expect("page");
    assert!(interview.contains("Petra Named"), "the page names who attended");
    assert!(!interview.contains("never listened"), "so the anonymous quote is not on it");
    assert!(interview.contains("shared aim"), "other quotes are");
    let theme = std::fs::read_to_string(site.join("themes/share-power.html")).expect("page");
    let at = theme.find("never listened").expect("the quote is on its theme's page");
    let footer = &theme[at..theme[at..].find("</blockquote>").map_or(theme.len(), |e| at + e)];
    assert!(footer.contains("Anonymous participant") && !footer.contains("petra") && !footer.contains("Petra"), "{footer}");
    // Nor beside a group: the evidence pages of the breakdown cells never hold it.
    let cells = files_under(&site.join("evidence/share-power"));
    assert!(!cells.is_empty(), "the cell counting Petra opens a page");
    for (name, bytes) in cells {
        let page = String::from_utf8_lossy(&bytes);
        assert!(!page.contains("never listened") && !page.contains("Petra") && !page.contains("petra.html"), "{name}: {page}");
    }

    let qdpx = temp.path().join("consent.qdpx");
    assert!(collabmap(&["export", path(&study), "--format", "qdpx", "-o", path(&qdpx)]).status.success());
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&qdpx).expect("open")).expect("zip");
    let mut project = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("project.qde").expect("project"), &mut project).expect("read");
    let petra_source = project.find("name=\"petra\"").expect("petra's source");
    let petra_end = petra_source + project[petra_source..].find("</TextSource>").expect("end");
    let anonymous = project.find("name=\"Anonymous quotes\"").expect("the source of anonymous quotes");
    let anonymous_end = anonymous + project[anonymous..].find("</TextSource>").expect("end");
    let selection_guids = |range: &str| -> Vec<String> { range.split("<PlainTextSelection guid=\"").skip(1).map(|s| s[..36].to_string()).collect() };
    let hidden = selection_guids(&project[anonymous..anonymous_end]);
    assert_eq!(hidden.len(), 1);
    for guid in &hidden {
        assert!(!project.contains(&format!("SelectionRef targetGUID=\"{guid}\"")), "no case links the anonymous quote");
    }
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut entry, &mut text);
        if entry.name().expect("name").starts_with("sources/") && text.starts_with("Interview petra") {
            assert!(!text.contains("never listened"), "petra's source text does not hold it");
        }
    }
    assert!(selection_guids(&project[petra_source..petra_end]).len() >= 2);
}

#[test]
fn csv_cells_cannot_carry_spreadsheet_formulas() {
    let temp = tempfile::tempdir().expect("temp");
    let study = temp.path().join("study");
    study_with_anonymous_quote(&study);
    std::fs::write(study.join("people.csv"), "id,name,organisation\np06,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",@Council\np07,-3,+Police\n")
        .expect("write");
    let tables = temp.path().join("tables");
    let out = collabmap(&["export", path(&study), "--format", "csv", "-o", path(&tables)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let presence = std::fs::read_to_string(tables.join("presence.csv")).expect("presence");
    assert!(presence.contains("\"'=HYPERLINK(") && presence.contains("'@Council") && presence.contains("'+Police"), "{presence}");
    assert!(presence.contains("p07,-3,"), "numbers stay numbers: {presence}");
    for name in ["items.csv", "codings.csv", "presence.csv", "links.csv"] {
        let text = std::fs::read_to_string(tables.join(name)).expect("table");
        for line in text.lines() {
            for cell in line.split(',') {
                let cell = cell.trim_start_matches('"');
                assert!(!cell.starts_with(['=', '@']), "{name}: {line}");
            }
        }
    }
}

/// The counting settings of study.toml set to these values.
fn with_settings(settings: &str, group_agreement: bool, rollup: bool, infer: bool) -> String {
    settings
        .lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or("").trim();
            match key {
                "group_agreement" => format!("group_agreement = {group_agreement}"),
                "rollup" => format!("rollup = {rollup}"),
                "infer" => format!("infer = {infer}"),
                _ => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn a_refi_round_trip_keeps_the_table_under_every_counting_setting() {
    let temp = tempfile::tempdir().expect("temp");
    let study = temp.path().join("study");
    assert!(collabmap(&["generate", path(&study), "--people", "40", "--seed", "7"]).status.success());
    // Anonymous quotes travel apart from their speakers (and are counted for no one after import): leave them out here.
    for entry in std::fs::read_dir(study.join("interviews")).expect("dir").filter_map(Result::ok) {
        let text = std::fs::read_to_string(entry.path()).expect("read");
        std::fs::write(entry.path(), text.replace(", anonymous", "")).expect("write");
    }
    let settings = std::fs::read_to_string(study.join("study.toml")).expect("settings");
    assert!(settings.contains("group_agreement") && settings.contains("rollup") && settings.contains("infer"), "{settings}");
    for group_agreement in [true, false] {
        for rollup in [true, false] {
            for infer in [true, false] {
                std::fs::write(study.join("study.toml"), with_settings(&settings, group_agreement, rollup, infer)).expect("write");
                let case = format!("group_agreement={group_agreement} rollup={rollup} infer={infer}");
                let qdpx = temp.path().join(format!("{group_agreement}-{rollup}-{infer}.qdpx"));
                assert!(collabmap(&["export", path(&study), "--format", "qdpx", "-o", path(&qdpx)]).status.success());
                let back = temp.path().join(format!("back-{group_agreement}-{rollup}-{infer}"));
                let out = collabmap(&["import-refi", path(&qdpx), "-o", path(&back)]);
                assert!(out.status.success(), "{case}: {}", stderr(&out));
                assert_eq!(support::table_counts(&back), support::table_counts(&study), "{case}");
                let carried = std::fs::read_to_string(back.join("study.toml")).expect("settings");
                assert!(
                    carried.contains(&format!("group_agreement = {group_agreement}")) && carried.contains(&format!("rollup = {rollup}")),
                    "{case}: {carried}"
                );
                assert!(stderr(&out).contains("maps' links did not come across"), "{case}: what could not be carried is said");
            }
        }
    }
}

#[test]
fn documents_that_no_case_refers_to_become_interviews() {
    let temp = tempfile::tempdir().expect("temp");
    let project = "<?xml version=\"1.0\"?>\n<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"MAXQDA 24\" origin=\"MAXQDA 24\">\n\
<CodeBook><Codes><Code guid=\"11111111-1111-1111-1111-111111111111\" name=\"Trust\" isCodable=\"true\"/></Codes></CodeBook>\n\
<Sources>\n\
<TextSource guid=\"55555555-5555-5555-5555-555555555555\" name=\"Interview Ana\"><PlainTextContent>We trust each other.</PlainTextContent>\
<PlainTextSelection guid=\"66666666-6666-6666-6666-666666666666\" startPosition=\"0\" endPosition=\"20\"><Coding guid=\"88888888-8888-8888-8888-888888888888\"><CodeRef targetGUID=\"11111111-1111-1111-1111-111111111111\"/></Coding></PlainTextSelection></TextSource>\n\
<TextSource guid=\"99999999-9999-9999-9999-999999999999\" name=\"Interview Bo\"><PlainTextContent>Trust came slowly.</PlainTextContent>\
<PlainTextSelection guid=\"77777777-7777-7777-7777-777777777777\" startPosition=\"0\" endPosition=\"18\"><Coding guid=\"AAAAAAAA-8888-8888-8888-888888888888\"><CodeRef targetGUID=\"11111111-1111-1111-1111-111111111111\"/></Coding></PlainTextSelection></TextSource>\n\
</Sources>\n</Project>\n";
    let qdpx = temp.path().join("maxqda.qdpx");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&qdpx).expect("create"));
    writer.start_file("project.qde", zip::write::SimpleFileOptions::default()).expect("start");
    std::io::Write::write_all(&mut writer, project.as_bytes()).expect("write");
    writer.finish().expect("finish");
    let back = temp.path().join("back");
    let out = collabmap(&["import-refi", path(&qdpx), "-o", path(&back)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("no case refers to the document `Interview Ana`"), "{}", stderr(&out));
    let rows = support::table_counts(&back);
    assert!(rows.contains(&("trust".to_string(), 2, 2, 0)), "{rows:?}");
    let people = std::fs::read_to_string(back.join("people.csv")).expect("people");
    assert!(people.contains("Interview Ana") && people.contains("Interview Bo"), "{people}");
}
