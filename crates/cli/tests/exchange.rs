//! `export STUDY --format …` on every shared corpus, checked by independent
//! tools: xmllint against the REFI-QDA schemas, networkx for GraphML and
//! GEXF, Graphviz for DOT. `./scripts/test` installs them.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn collabmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_collabmap")).args(args).output().expect("the binary runs")
}

fn ok(output: Output) -> Output {
    assert!(output.status.success(), "failed: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    output
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn corpora() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(shared().join("corpora")).expect("corpora").filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    found.sort();
    found
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
    for corpus in corpora() {
        let name = corpus.file_name().expect("name").to_string_lossy().to_string();
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
        let valid = tool("xmllint", &["--noout", "--schema", &shared().join("refi-qda/Project-mrt2019.xsd").to_string_lossy(), &unpacked.join("project.qde").to_string_lossy()]);
        assert!(valid.status.success(), "{name}: {}", String::from_utf8_lossy(&valid.stderr));

        // The same study exports the same GUIDs every time.
        let mut second = String::new();
        zip::ZipArchive::new(std::fs::File::open(&again).expect("open")).expect("zip").by_name("project.qde").expect("qde").read_to_string(&mut second).expect("read");
        assert_eq!(project, second, "{name}: stable export");

        // Each selection covers exactly one item's words on one line of its source.
        let codes: Vec<&str> = elements(&project, "Code").iter().filter_map(|c| c.get("guid").copied()).collect();
        let mut sources = 0;
        for (index, chunk) in project.split("<TextSource ").enumerate().skip(1) {
            let opening = format!("<TextSource {chunk}");
            let head = elements(&opening, "TextSource").remove(0);
            let path = head["plainTextPath"].trim_start_matches("internal://").to_string();
            let mut text = String::new();
            archive.by_name(&format!("sources/{path}")).unwrap_or_else(|_| panic!("{name}: source {index} in lowercase sources/")).read_to_string(&mut text).expect("read");
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
        let valid = tool("xmllint", &["--noout", "--schema", &shared().join("refi-qda/Codebook.xsd").to_string_lossy(), &qdc.to_string_lossy()]);
        assert!(valid.status.success(), "{name}: {}", String::from_utf8_lossy(&valid.stderr));
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
    let mut project = String::new();
    zip::ZipArchive::new(std::fs::File::open(&qdpx).expect("open")).expect("zip").by_name("project.qde").expect("qde").read_to_string(&mut project).expect("read");
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
                    assert!(counts[0] > 10 && counts[1] > 0, "{name} themes: {counts:?}");
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
        let table: serde_json::Value = serde_json::from_slice(&ok(collabmap(&["table", "--all", "--format", "json", &study])).stdout).expect("json");
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
