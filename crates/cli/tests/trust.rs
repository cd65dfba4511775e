//! The command line keeps its promises at the edges: it never writes into a
//! study or over someone's work, a site appears whole, a mistyped database is
//! not created, and every write failure names its path.

use std::path::Path;
use std::process::{Command, Output};

fn collabmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_collabmap")).args(args).output().expect("the binary runs")
}

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

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read dir").filter_map(Result::ok) {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).expect("inside").to_string_lossy().into_owned(), std::fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_report_is_never_written_into_the_study() {
    let temp = tempfile::tempdir().expect("temp");
    let study = temp.path().join("study");
    new_study(&study);
    let before = listing(&study);
    for inside in [study.clone(), study.join("site"), study.join("interviews"), study.join("site/../report")] {
        let out = collabmap(&["report", path(&study), "-o", path(&inside)]);
        assert_eq!(out.status.code(), Some(2), "{}", inside.display());
        assert!(stderr(&out).contains("inside the study folder"), "{}", stderr(&out));
    }
    // Nor may the output hold the study: replacing it would take the study with it.
    let out = collabmap(&["report", path(&study), "-o", path(temp.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(listing(&study), before, "the study is untouched");
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
    let leftovers: Vec<_> = std::fs::read_dir(temp.path()).expect("dir").filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
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
