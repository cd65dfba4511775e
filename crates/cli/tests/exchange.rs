//! `export STUDY --format …` on every test study, checked by independent
//! tools: xmllint against the REFI-QDA schemas, networkx for GraphML and
//! GEXF, Graphviz for DOT. `./scripts/test` installs them.

mod support;

use support::{collabmap, studies};

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ok(output: Output) -> Output {
    assert!(output.status.success(), "failed: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    output
}

fn corpora() -> Vec<PathBuf> {
    studies::all().into_iter().map(|s| s.dir).collect()
}

/// Validates `file` against the REFI-QDA schema `schema` from `../shared/refi-qda`
/// with xmllint. The schemas are not part of this repository: without
/// `../shared` beside it, the check is left to CI and said so.
fn validate_against_schema(file: &Path, schema: &str, name: &str) {
    let Some(shared) = studies::shared() else {
        eprintln!("note: ../shared/refi-qda is not beside the repository; {} is not validated against {schema}", file.display());
        return;
    };
    let valid = tool("xmllint", &["--noout", "--schema", &shared.join("refi-qda").join(schema).to_string_lossy(), &file.to_string_lossy()]);
    assert!(valid.status.success(), "{name}: {}", String::from_utf8_lossy(&valid.stderr));
}

/// The `project.qde` of the `.qdpx` at `qdpx`.
fn project_of(qdpx: &Path) -> String {
    let mut project = String::new();
    zip::ZipArchive::new(std::fs::File::open(qdpx).expect("open"))
        .expect("zip")
        .by_name("project.qde")
        .expect("qde")
        .read_to_string(&mut project)
        .expect("read");
    project
}

/// A copy of the study `original`, in `out`, with its anonymous quotes made
/// ordinary, and whether it had any. Anonymous quotes travel apart from
/// their speakers and are counted for no one after import (docs/security.md);
/// the round trips that use this copy are about everything else.
fn with_anonymous_quotes_made_ordinary(original: &Path, out: &Path) -> (PathBuf, bool) {
    let name = original.file_name().expect("name").to_string_lossy().to_string();
    let copy = out.join(format!("{name}-plain"));
    std::fs::create_dir_all(copy.join("interviews")).expect("dir");
    for entry in std::fs::read_dir(original).expect("study").filter_map(Result::ok) {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).expect("copy");
        }
    }
    let mut had_anonymous = false;
    for entry in std::fs::read_dir(original.join("interviews")).expect("interviews").filter_map(Result::ok) {
        let text = std::fs::read_to_string(entry.path()).expect("read");
        had_anonymous |= text.contains(", anonymous");
        std::fs::write(copy.join("interviews").join(entry.file_name()), text.replace(", anonymous", "")).expect("write");
    }
    (copy, had_anonymous)
}

fn tool(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} is missing ({e}): ./scripts/test installs it"))
}

/// Every `name="value"` attribute of every `<tag …>` in `xml`.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<HashMap<&'a str, &'a str>> {
    xml.split(&format!("<{tag} "))
        .skip(1)
        .map(|rest| {
            let head = &rest[..rest.find('>').unwrap_or(rest.len())];
            head.split("\" ").filter_map(|pair| pair.split_once("=\"")).map(|(k, v)| (k.trim(), v.trim_end_matches(['"', '/']))).collect()
        })
        .collect()
}

#[test]
fn refi_qda_exports_validate_and_select_exactly_the_items() {
    let out = tempfile::tempdir().expect("tempdir");
    for original in corpora() {
        let name = original.file_name().expect("name").to_string_lossy().to_string();
        let (corpus, _) = with_anonymous_quotes_made_ordinary(&original, out.path());
        let qdpx = out.path().join(format!("{name}.qdpx"));
        ok(collabmap(&["export", &corpus.to_string_lossy(), "--format", "qdpx", "-o", &qdpx.to_string_lossy()]));
        let again = out.path().join(format!("{name}-again.qdpx"));
        ok(collabmap(&["export", &corpus.to_string_lossy(), "--format", "qdpx", "-o", &again.to_string_lossy()]));
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&qdpx).expect("open")).expect("a zip");
        let mut project = String::new();
        archive.by_name("project.qde").expect("project.qde").read_to_string(&mut project).expect("read");
        let unpacked = out.path().join(&name);
        std::fs::create_dir_all(&unpacked).expect("folder");
        std::fs::write(unpacked.join("project.qde"), &project).expect("write");
        validate_against_schema(&unpacked.join("project.qde"), "Project-mrt2019.xsd", &name);

        // The same study exports the same GUIDs every time.
        assert_eq!(project, project_of(&again), "{name}: stable export");

        // Each selection covers exactly one item's words on one line of its source.
        let codes: Vec<&str> = elements(&project, "Code").iter().filter_map(|c| c.get("guid").copied()).collect();
        let mut sources = 0;
        for (index, chunk) in project.split("<TextSource ").enumerate().skip(1) {
            let opening = format!("<TextSource {chunk}");
            let head = elements(&opening, "TextSource").remove(0);
            let path = head["plainTextPath"].trim_start_matches("internal://").to_string();
            let mut text = String::new();
            archive
                .by_name(&format!("sources/{path}"))
                .unwrap_or_else(|_| panic!("{name}: source {index} in lowercase sources/"))
                .read_to_string(&mut text)
                .expect("read");
            let chars: Vec<char> = text.chars().collect();
            let body = &chunk[..chunk.find("</TextSource>").unwrap_or(chunk.len())];
            for selection in elements(body, "PlainTextSelection") {
                let (start, end): (usize, usize) = (selection["startPosition"].parse().expect("start"), selection["endPosition"].parse().expect("end"));
                assert!(start < end && end <= chars.len(), "{name}: selection {start}..{end} outside its text");
                let covered: String = chars[start..end].iter().collect();
                assert!(!covered.contains('\n') && covered.trim() == covered && !covered.is_empty(), "{name}: {covered:?}");
                let line_start = chars[..start].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
                let line_end = chars[end..].iter().position(|&c| c == '\n').map_or(chars.len(), |p| end + p);
                assert!(chars[line_start..start].iter().all(|c| *c == ' '), "{name}: a selection starts at its line's words");
                assert_eq!(line_end, end, "{name}: and ends with them");
            }
            for reference in elements(body, "CodeRef") {
                assert!(codes.contains(&reference["targetGUID"]), "{name}: a coding names a code that exists");
            }
            sources += 1;
        }
        let interviews = std::fs::read_dir(corpus.join("interviews")).expect("interviews").count();
        assert_eq!(sources, interviews, "{name}: one source per interview");
        assert!(!elements(&project, "Case").is_empty() && !elements(&project, "SelectionRef").is_empty());

        let qdc = out.path().join(format!("{name}.qdc"));
        ok(collabmap(&["export", &corpus.to_string_lossy(), "--format", "qdc", "-o", &qdc.to_string_lossy()]));
        validate_against_schema(&qdc, "Codebook.xsd", &name);
    }
}

#[test]
fn anonymous_people_keep_their_name_and_organisation_out_of_the_project() {
    let out = tempfile::tempdir().expect("tempdir");
    let study = out.path().join("study");
    std::fs::create_dir_all(study.join("interviews")).expect("folder");
    std::fs::write(study.join("study.toml"), "title = \"A\"\ncodebook = \"whole-systems\"\n").expect("write");
    std::fs::write(study.join("people.csv"), "id,name,organisation,attribution\np1,Secret Person,Hidden Agency,anonymous\n").expect("write");
    std::fs::write(study.join("interviews/a.md"), "---\npeople: [p1]\n---\n\n# Map\n\n- Meet weekly #relationships\n").expect("write");
    let qdpx = out.path().join("a.qdpx");
    ok(collabmap(&["export", &study.to_string_lossy(), "--format", "qdpx", "-o", &qdpx.to_string_lossy()]));
    let project = project_of(&qdpx);
    assert!(!project.contains("Secret Person") && !project.contains("Hidden Agency"));
    assert!(project.contains("<Case guid=") && project.contains("name=\"p1\""));
}

#[test]
fn networks_open_in_networkx_and_graphviz_and_presence_sums_to_the_table() {
    let out = tempfile::tempdir().expect("tempdir");
    for corpus in corpora() {
        let name = corpus.file_name().expect("name").to_string_lossy().to_string();
        let study = corpus.to_string_lossy().to_string();
        let analysis: serde_json::Value = serde_json::from_slice(&ok(collabmap(&["analyse", &study, "--format", "json"])).stdout).expect("json");
        let table: serde_json::Value = serde_json::from_slice(&ok(collabmap(&["table", "--all", "--format", "json", &study])).stdout).expect("json");
        let model: serde_json::Value = serde_json::from_slice(&ok(collabmap(&["model", "--format", "json", &study])).stdout).expect("json");
        let (themes, kept) = (table.as_array().map_or(0, Vec::len) as u64, model["links"].as_array().map_or(0, Vec::len) as u64);
        for (graph, nodes, edges) in [("themes", None, None), ("concepts", analysis["figures"]["concepts"].as_u64(), analysis["figures"]["links"].as_u64())] {
            for format in ["graphml", "gexf"] {
                let file = out.path().join(format!("{name}-{graph}.{format}"));
                ok(collabmap(&["export", &study, "--format", format, "--graph", graph, "-o", &file.to_string_lossy()]));
                let reader = if format == "graphml" { "read_graphml" } else { "read_gexf" };
                let script = format!("import networkx as nx, sys; g = nx.{reader}(sys.argv[1]); print(g.number_of_nodes(), g.number_of_edges())");
                let read = tool("python3", &["-c", &script, &file.to_string_lossy()]);
                assert!(read.status.success(), "{name} {graph} {format}: {}", String::from_utf8_lossy(&read.stderr));
                let counts: Vec<u64> = String::from_utf8_lossy(&read.stdout).split_whitespace().filter_map(|n| n.parse().ok()).collect();
                if let (Some(n), Some(e)) = (nodes, edges) {
                    assert_eq!(counts, vec![n, e], "{name} {graph} {format}");
                } else {
                    // One node per codebook entry; every kept link of the model is among the edges.
                    assert!(counts[0] == themes && counts[1] >= kept && kept > 0, "{name} themes: {counts:?}, {themes} themes, {kept} kept links");
                }
            }
            let dot_file = out.path().join(format!("{name}-{graph}.dot"));
            ok(collabmap(&["export", &study, "--format", "dot", "--graph", graph, "-o", &dot_file.to_string_lossy()]));
            let drawn = tool("dot", &["-Tsvg", &dot_file.to_string_lossy()]);
            assert!(drawn.status.success() && drawn.stdout.starts_with(b"<?xml"), "{name} {graph}: {}", String::from_utf8_lossy(&drawn.stderr));
        }

        let tables = out.path().join(format!("{name}-tables"));
        ok(collabmap(&["export", &study, "--format", "csv", "-o", &tables.to_string_lossy()]));
        let presence = std::fs::read_to_string(tables.join("presence.csv")).expect("presence");
        let mut reader = csv::Reader::from_reader(presence.as_bytes());
        let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
        let mut sums = vec![0u64; header.len()];
        for row in reader.records() {
            for (i, value) in row.expect("row").iter().enumerate() {
                if value == "1" {
                    sums[i] += 1;
                }
            }
        }
        for row in table.as_array().expect("rows") {
            let theme = row["theme"].as_str().expect("theme");
            let column = header.iter().position(|h| h == theme).unwrap_or_else(|| panic!("{theme} column"));
            assert_eq!(Some(sums[column]), row["people"].as_u64(), "{name} {theme}: presence sums to the table");
        }
        for file in ["items.csv", "codings.csv", "links.csv"] {
            assert!(std::fs::read_to_string(tables.join(file)).expect("table").lines().count() > 1, "{file}");
        }
    }
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer.start_file(*name, zip::write::SimpleFileOptions::default()).expect("start");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

fn import(out: &Path, name: &str, bytes: &[u8]) -> (Output, PathBuf) {
    let file = out.join(name);
    std::fs::write(&file, bytes).expect("write");
    let study = out.join(format!("{name}-study"));
    (collabmap(&["import-refi", &file.to_string_lossy(), "-o", &study.to_string_lossy()]), study)
}

#[test]
fn export_then_import_keeps_the_table() {
    let out = tempfile::tempdir().expect("tempdir");
    for original in corpora() {
        let name = original.file_name().expect("name").to_string_lossy().to_string();
        let (corpus, had_anonymous) = with_anonymous_quotes_made_ordinary(&original, out.path());
        let qdpx = out.path().join(format!("{name}.qdpx"));
        ok(collabmap(&["export", &corpus.to_string_lossy(), "--format", "qdpx", "-o", &qdpx.to_string_lossy()]));
        let back = out.path().join(format!("{name}-back"));
        ok(collabmap(&["import-refi", &qdpx.to_string_lossy(), "-o", &back.to_string_lossy()]));
        ok(collabmap(&["check", &back.to_string_lossy()]));
        assert_eq!(support::table_counts(&back), support::table_counts(&corpus), "{name}: people, out_of and projects per theme survive the round trip");
        if had_anonymous {
            let qdpx = out.path().join(format!("{name}-anonymous.qdpx"));
            ok(collabmap(&["export", &original.to_string_lossy(), "--format", "qdpx", "-o", &qdpx.to_string_lossy()]));
            let imported = ok(collabmap(&["import-refi", &qdpx.to_string_lossy(), "-o", &out.path().join(format!("{name}-anonymous")).to_string_lossy()]));
            assert!(String::from_utf8_lossy(&imported.stderr).contains("anonymous quotes"), "{name}: the import says what anonymous quotes lose");
        }
    }
}

const DIALECT_PROJECT: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"From another tool\" origin=\"MAXQDA\">\r\n\
<CodeBook><Codes><Code guid=\"11111111-1111-1111-1111-111111111111\" name=\"Trust &amp; respect\" isCodable=\"true\"><Code guid=\"22222222-2222-2222-2222-222222222222\" name=\"Listening\" isCodable=\"true\"/></Code></Codes></CodeBook>\r\n\
<Variables><Variable guid=\"33333333-3333-3333-3333-333333333333\" name=\"country\" typeOfVariable=\"Text\"/></Variables>\r\n\
<Cases><Case guid=\"44444444-4444-4444-4444-444444444444\" name=\"Ana Silva\"><VariableValue><VariableRef targetGUID=\"33333333-3333-3333-3333-333333333333\"/><TextValue>Portugal</TextValue></VariableValue>\
<SelectionRef targetGUID=\"66666666-6666-6666-6666-666666666666\"/><SelectionRef targetGUID=\"77777777-7777-7777-7777-777777777777\"/></Case></Cases>\r\n\
<Sources><TextSource guid=\"55555555-5555-5555-5555-555555555555\" name=\"First talk\" plainTextPath=\"internal://55555555-5555-5555-5555-555555555555.txt\">\
<PlainTextSelection guid=\"66666666-6666-6666-6666-666666666666\" startPosition=\"0\" endPosition=\"15\"><Coding guid=\"88888888-8888-8888-8888-888888888888\"><CodeRef targetGUID=\"11111111-1111-1111-1111-111111111111\"/></Coding></PlainTextSelection></TextSource>\r\n\
<TextSource guid=\"99999999-9999-9999-9999-999999999999\" name=\"Second talk\"><PlainTextContent>We listened first.</PlainTextContent>\
<PlainTextSelection guid=\"77777777-7777-7777-7777-777777777777\" startPosition=\"3\" endPosition=\"11\"><Coding guid=\"AAAAAAAA-8888-8888-8888-888888888888\"><CodeRef targetGUID=\"22222222-2222-2222-2222-222222222222\"/></Coding></PlainTextSelection></TextSource>\
<PictureSource guid=\"BBBBBBBB-9999-9999-9999-999999999999\" name=\"Whiteboard\" path=\"internal://board.png\"/></Sources>\r\n\
</Project>\r\n";

#[test]
fn projects_from_other_tools_import_in_their_dialects() {
    let out = tempfile::tempdir().expect("tempdir");
    // `Sources/` capitalised, CRLF text, one source inline, and the .qde not named project.qde.
    let bytes = zip_of(&[
        ("My Project.qde", DIALECT_PROJECT.as_bytes()),
        ("Sources/55555555-5555-5555-5555-555555555555.txt", b"We trust you.\r\nAnd we mean it.\r\n"),
    ]);
    let (output, study) = import(out.path(), "dialect.qdpx", &bytes);
    let output = ok(output);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("`Whiteboard` was left out: collabmap imports text sources only"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    ok(collabmap(&["check", &study.to_string_lossy()]));
    let codebook = std::fs::read_to_string(study.join("codebook.toml")).expect("codebook");
    assert!(codebook.contains("id = \"trust-respect\"") && codebook.contains("parent = \"trust-respect\""), "{codebook}");
    let people = std::fs::read_to_string(study.join("people.csv")).expect("people");
    assert!(people.starts_with("id,name,country\n") && people.contains("ana-silva,Ana Silva,Portugal"), "{people}");
    let first = std::fs::read_to_string(study.join("interviews/first-talk.md")).expect("interview");
    assert!(first.contains("We trust you.") && first.contains("#trust-respect"), "{first}");
    let second = std::fs::read_to_string(study.join("interviews/second-talk.md")).expect("interview");
    assert!(second.contains("listened") && second.contains("#listening"), "{second}");
}

#[test]
fn hostile_and_broken_projects_are_refused_and_nothing_is_written() {
    let out = tempfile::tempdir().expect("tempdir");
    let source: &[u8] = b"We trust you.\nAnd we mean it.\n";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("slip.qdpx", zip_of(&[("project.qde", DIALECT_PROJECT.as_bytes()), ("../../evil.txt", b"x")]), "points outside the project folder"),
        (
            "doctype.qdpx",
            zip_of(&[("project.qde", DIALECT_PROJECT.replacen("<Project ", "<!DOCTYPE p [<!ENTITY x \"y\">]>\r\n<Project ", 1).as_bytes())]),
            "DOCTYPE",
        ),
        (
            "outside.qdpx",
            zip_of(&[
                ("project.qde", DIALECT_PROJECT.replace("startPosition=\"3\" endPosition=\"11\"", "startPosition=\"3\" endPosition=\"500\"").as_bytes()),
                ("sources/55555555-5555-5555-5555-555555555555.txt", source),
            ]),
            "fall outside its source",
        ),
        (
            "missing-code.qdpx",
            zip_of(&[
                ("project.qde", DIALECT_PROJECT.replace("<CodeRef targetGUID=\"22222222", "<CodeRef targetGUID=\"12345678").as_bytes()),
                ("sources/55555555-5555-5555-5555-555555555555.txt", source),
            ]),
            "which the project does not define",
        ),
        (
            "missing-selection.qdpx",
            zip_of(&[
                ("project.qde", DIALECT_PROJECT.replace("<SelectionRef targetGUID=\"77777777", "<SelectionRef targetGUID=\"12345678").as_bytes()),
                ("sources/55555555-5555-5555-5555-555555555555.txt", source),
            ]),
            "<SelectionRef>",
        ),
        ("garbage.qdpx", b"not a zip".to_vec(), "not a REFI-QDA project"),
    ];
    for (name, bytes, expected) in cases {
        let (output, study) = import(out.path(), name, &bytes);
        assert!(!output.status.success(), "{name} was accepted");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.contains(expected), "{name}: {message}");
        assert!(!study.exists(), "{name}: nothing is written");
    }
    assert!(!out.path().join("evil.txt").exists() && !out.path().parent().expect("parent").join("evil.txt").exists());
}

/// The ATLAS.ti (and other) codebooks that ship with the PyPI package
/// portableQDA's tests. `./scripts/test` downloads its wheel.
#[test]
fn codebooks_exported_by_real_tools_import() {
    let wheel = std::env::var("COLLABMAP_PORTABLEQDA_WHEEL")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-data/portableQDA-0.4.2-py3-none-any.whl"));
    let file = std::fs::File::open(&wheel).unwrap_or_else(|e| panic!("{} is missing ({e}): ./scripts/test downloads it from PyPI", wheel.display()));
    let mut archive = zip::ZipArchive::new(file).expect("a wheel is a zip");
    let out = tempfile::tempdir().expect("tempdir");
    let mut imported = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        let name = entry.name().expect("entry name").to_string();
        if !name.ends_with(".qdc") {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        let file_name = name.rsplit('/').next().expect("name").to_string();
        let (output, study) = import(out.path(), &file_name, &bytes);
        ok(output);
        ok(collabmap(&["check", &study.to_string_lossy()]));
        imported += 1;
        if file_name == "portableQDA_Atlasti.qdc" {
            let codebook = std::fs::read_to_string(study.join("codebook.toml")).expect("codebook");
            assert!(codebook.contains("id = \"code1-1\"") && codebook.contains("parent = \"code1\"") && codebook.contains("id = \"code-3-1\""), "{codebook}");
        }
    }
    assert!(imported >= 3, "the wheel's codebooks were found ({imported})");
}

/// An independent REFI-QDA reader from PyPI (pyrefiqda) reads the export
/// and finds the study's codes, cases, sources, selections and codings.
#[test]
fn an_independent_reader_reads_the_export() {
    let out = tempfile::tempdir().expect("tempdir");
    for original in corpora() {
        let name = original.file_name().expect("name").to_string_lossy().to_string();
        let (corpus, _) = with_anonymous_quotes_made_ordinary(&original, out.path());
        let qdpx = out.path().join(format!("{name}.qdpx"));
        ok(collabmap(&["export", &corpus.to_string_lossy(), "--format", "qdpx", "-o", &qdpx.to_string_lossy()]));
        let script = "import sys, json\nfrom pyrefiqda import RefiProject\np = RefiProject.load(sys.argv[1], extract_dir=sys.argv[2])\n\
def count(codes):\n    return sum(1 + count(c.code) for c in codes)\n\
sources = p.sources.text_source\n\
selections = [s for t in sources for s in t.plain_text_selection]\n\
print(json.dumps({'codes': count(p.code_book.codes.code), 'cases': len(p.cases.case), 'sources': len(sources), 'selections': len(selections), 'codings': sum(len(s.coding) for s in selections), 'refs': sum(len(c.selection_ref) for c in p.cases.case)}))\n";
        let read = tool("python3", &["-c", script, &qdpx.to_string_lossy(), &out.path().join(format!("{name}-extracted")).to_string_lossy()]);
        assert!(read.status.success(), "{name}: {}", String::from_utf8_lossy(&read.stderr));
        let counts: serde_json::Value = serde_json::from_slice(&read.stdout).expect("json");
        // The same counts, from the study itself.
        let items: serde_json::Value = {
            let tables = out.path().join(format!("{name}-tables"));
            ok(collabmap(&["export", &corpus.to_string_lossy(), "--format", "csv", "-o", &tables.to_string_lossy()]));
            let codings = std::fs::read_to_string(tables.join("codings.csv")).expect("codings");
            let mut coded_items = std::collections::BTreeSet::new();
            for line in codings.lines().skip(1) {
                let fields: Vec<&str> = line.split(',').collect();
                coded_items.insert((fields[0].to_string(), fields[1].to_string()));
            }
            serde_json::json!({"codings": codings.lines().count() - 1, "items": coded_items.len()})
        };
        let codebook = std::fs::read_to_string(corpus.join("codebook.toml")).unwrap_or_default();
        let expected_codes = if codebook.is_empty() { 22 } else { codebook.matches("[[theme]]").count() };
        assert_eq!(counts["codes"].as_u64(), Some(expected_codes as u64), "{name}: codes");
        let interviews = std::fs::read_dir(corpus.join("interviews")).expect("interviews").count() as u64;
        assert_eq!(counts["sources"].as_u64(), Some(interviews), "{name}: sources");
        assert_eq!(counts["codings"], items["codings"], "{name}: one coding per code on each item");
        assert_eq!(counts["selections"], items["items"], "{name}: one selection per coded item");
        assert!(counts["cases"].as_u64() > Some(0) && counts["refs"].as_u64() > Some(0));
    }
}

#[test]
fn memos_travel_as_notes_and_come_back() {
    let out = tempfile::tempdir().expect("tempdir");
    let study = studies::own("counting-rules");
    let qdpx = out.path().join("memos.qdpx");
    ok(collabmap(&["export", &study.to_string_lossy(), "--format", "qdpx", "-o", &qdpx.to_string_lossy()]));
    let project = project_of(&qdpx);
    assert!(project.contains("<Notes>") && project.contains("name=\"Memo about theme:power\""), "the memos are the project's notes");
    let back = out.path().join("back");
    let imported = ok(collabmap(&["import-refi", &qdpx.to_string_lossy(), "-o", &back.to_string_lossy()]));
    let said = String::from_utf8_lossy(&imported.stdout).to_string() + &String::from_utf8_lossy(&imported.stderr);
    assert_eq!(
        std::fs::read_to_string(back.join("memos/power.md")).expect("the theme's memo"),
        std::fs::read_to_string(study.join("memos/power.md")).expect("original"),
        "a memo about a theme comes back byte for byte"
    );
    // Maps do not travel, so a memo about a concept comes back about the study, and the import says so.
    let concept = std::fs::read_to_string(back.join("memos/listening.md")).expect("the concept's memo");
    assert!(concept.starts_with("---\nabout: study\nby: Ana\n---\nPooled budgets serve"), "{concept}");
    assert!(said.contains("the memo memos/listening.md was about concept:i1#^budgets, which did not come across"), "{said}");
    ok(collabmap(&["check", &back.to_string_lossy()]));
}
