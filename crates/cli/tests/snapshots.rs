//! Every output of every test study, byte for byte: a SHA-256 digest of each
//! (the tables and the model in every format, the evidence of every theme and
//! kept link, every file of the report, every export) is kept in
//! `testdata/snapshots/NAME.txt`. A refactoring must leave them all as they
//! are; a change that means to alter an output is blessed with
//! `COLLABMAP_BLESS=1 cargo test -p collabmap --test snapshots`, and the
//! digests that moved show in the commit.

mod support;

use std::path::Path;

use sha2::{Digest, Sha256};
use support::{collabmap, files_under, json_of, studies};

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `(output's name, digest)` of everything collabmap writes for the study at `dir`.
fn outputs(dir: &Path) -> Vec<(String, String)> {
    let study = dir.to_string_lossy().into_owned();
    let mut found = Vec::new();
    let mut printed = |name: String, args: &[&str]| {
        let output = collabmap(args);
        assert!(output.status.success(), "{name}: {}", String::from_utf8_lossy(&output.stderr));
        found.push((name, digest(&output.stdout)));
    };
    for format in ["text", "json", "csv", "markdown"] {
        printed(format!("table --all --format {format}"), &["table", "--all", "--format", format, &study]);
    }
    printed("table --by country".into(), &["table", "--by", "country", "--format", "json", &study]);
    for format in ["text", "json"] {
        printed(format!("model --format {format}"), &["model", "--format", format, &study]);
    }
    printed("analyse --format json".into(), &["analyse", "--format", "json", &study]);
    let table = json_of(&["table", "--all", "--format", "json", &study]);
    for row in table.as_array().expect("rows") {
        let theme = row["theme"].as_str().expect("theme");
        printed(format!("evidence --theme {theme}"), &["evidence", &study, "--theme", theme, "--format", "json"]);
    }
    let model = json_of(&["model", "--format", "json", &study]);
    for link in model["links"].as_array().expect("links") {
        let (from, to) = (link["from"].as_str().expect("from"), link["to"].as_str().expect("to"));
        printed(format!("evidence --link {from} {to}"), &["evidence", &study, "--link", from, to, "--format", "json"]);
    }
    let out = tempfile::tempdir().expect("temp");
    let site = out.path().join("site");
    assert!(collabmap(&["report", &study, "-o", &site.to_string_lossy()]).status.success());
    // The PNG is left out: it is rasterised from model.svg (pinned here), and
    // anti-aliasing may round differently on another processor.
    for (name, bytes) in files_under(&site).into_iter().filter(|(name, _)| !name.ends_with(".png")) {
        found.push((format!("report/{name}"), digest(&bytes)));
    }
    for format in ["qdc", "graphml", "gexf", "dot"] {
        let file = out.path().join(format!("export.{format}"));
        assert!(collabmap(&["export", &study, "--format", format, "-o", &file.to_string_lossy()]).status.success(), "{format}");
        found.push((format!("export --format {format}"), digest(&std::fs::read(&file).expect("written"))));
    }
    let tables = out.path().join("tables");
    assert!(collabmap(&["export", &study, "--format", "csv", "-o", &tables.to_string_lossy()]).status.success());
    for (name, bytes) in files_under(&tables) {
        found.push((format!("export --format csv/{name}"), digest(&bytes)));
    }
    found
}

#[test]
fn every_output_is_byte_identical_to_its_snapshot() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/snapshots");
    let bless = std::env::var_os("COLLABMAP_BLESS").is_some();
    let mut moved = Vec::new();
    for study in studies::all() {
        let text: String = outputs(&study.dir).iter().map(|(name, digest)| format!("{digest}  {name}\n")).collect();
        let file = snapshots.join(format!("{}.txt", study.name));
        if bless {
            std::fs::create_dir_all(&snapshots).expect("folder");
            std::fs::write(&file, &text).expect("write");
            continue;
        }
        let kept = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("{} has no snapshot: bless it (COLLABMAP_BLESS=1)", file.display()));
        let kept_lines: std::collections::BTreeSet<&str> = kept.lines().collect();
        let now_lines: std::collections::BTreeSet<&str> = text.lines().collect();
        for line in now_lines.symmetric_difference(&kept_lines) {
            moved.push(format!("{}: {}", study.name, line.split_once("  ").map_or(*line, |(_, name)| name)));
        }
    }
    moved.sort();
    moved.dedup();
    assert!(
        moved.is_empty(),
        "these outputs are no longer byte-identical to testdata/snapshots (if the change is meant, bless it: COLLABMAP_BLESS=1 cargo test -p collabmap --test snapshots):\n{}",
        moved.join("\n")
    );
}
