//! The invariants of ARCHITECTURE.md that are rules about where code may do
//! something, checked by reading the sources: each test is named after the
//! invariant it holds. (The invariants about behaviour are held by the tests
//! ARCHITECTURE.md names beside each.)

use std::path::{Path, PathBuf};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `dir` whose name ends with `extension`, as (path relative to the repository, text).
fn sources(dir: &str, extension: &str) -> Vec<(String, String)> {
    let root = repository();
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display())).filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(extension) {
                let name = path.strip_prefix(&root).expect("inside").to_string_lossy().replace('\\', "/");
                out.push((name, std::fs::read_to_string(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// The code of a Rust file without its comments and its `#[cfg(test)]` module (the house
/// style keeps that module last), so that prose and tests do not count as uses.
fn code_of(text: &str) -> String {
    let body = text.split("#[cfg(test)]").next().unwrap_or(text);
    body.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Whether `line` uses `needle`: when it ends in a name, not as the start of a longer name.
fn holds(line: &str, needle: &str) -> bool {
    let names_end = needle.ends_with(|c: char| c.is_alphanumeric() || c == '_');
    line.match_indices(needle).any(|(at, _)| !names_end || !line[at + needle.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

/// `(file, line)` of every use of `needle` in the code of `.rs` files under `dir`, but in `allowed` files.
fn uses(dir: &str, needle: &str, allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, text) in sources(dir, ".rs") {
        if allowed.iter().any(|a| file.ends_with(a)) {
            continue;
        }
        for (number, line) in code_of(&text).lines().enumerate() {
            if holds(line, needle) {
                found.push(format!("{file}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn render_lays_out_what_analysis_computed_and_never_counts() {
    // Coding items, deciding who said one, and counting people are analysis's work.
    for needle in ["AutoCoder::new", "attributed(", ".ones()", "Grouping {"] {
        let found = uses("crates/render/src", needle, &[]);
        assert!(found.is_empty(), "render must not use `{needle}`: move the work into collabmap-analysis\n{}", found.join("\n"));
    }
}

#[test]
fn every_item_is_coded_once_per_analysis() {
    // `Coding::of` is the one place an auto-coder is built; everything else reads `Synthesis::coding`.
    // (The study crate cannot reach the auto-coder; its parser's `codes` reads tags.)
    for dir in ["crates/analysis/src", "crates/render/src", "crates/exchange/src", "crates/server/src", "crates/cli/src", "crates/store/src"] {
        for needle in ["AutoCoder::new", ".codes(&", ".code_item(", ".explain("] {
            let found = uses(dir, needle, &["crates/analysis/src/coding.rs"]);
            assert!(found.is_empty(), "an item is coded again: read `Synthesis::coding` (analysis::Coding) instead of `{needle}`\n{}", found.join("\n"));
        }
    }
}

#[test]
fn anonymity_is_decided_in_one_place_per_question() {
    // Whether a person is anonymous is read only where ARCHITECTURE.md says each question is answered.
    let allowed = [
        "crates/study/src/model.rs",           // Person::disclosed, Quote::kept_apart_from_its_interview
        "crates/study/src/parse/tables.rs",    // reading people.csv's attribution
        "crates/study/src/parse/interview.rs", // reading `, anonymous` on a quote
        "crates/study/src/write.rs",           // writing it back
        "crates/analysis/src/crosstab.rs",     // Grouping: anonymous people are one group
        "crates/render/src/report.rs",         // PeopleView: how a page names a person
        "crates/exchange/src/refi.rs",         // a REFI-QDA case is named by id when anonymous
        "crates/server/src/checkback.rs",      // writing the interviewee's own choice into people.csv
    ];
    for dir in
        ["crates/study/src", "crates/analysis/src", "crates/render/src", "crates/exchange/src", "crates/server/src", "crates/cli/src", "crates/store/src"]
    {
        let found = uses(dir, ".anonymous", &allowed);
        assert!(found.is_empty(), "a new place decides anonymity: use Person::disclosed, PeopleView or Grouping instead\n{}", found.join("\n"));
    }
}

#[test]
fn every_csv_the_project_writes_goes_through_the_csv_writer() {
    for dir in
        ["crates/study/src", "crates/analysis/src", "crates/render/src", "crates/exchange/src", "crates/server/src", "crates/cli/src", "crates/store/src"]
    {
        for needle in ["csv::Writer", "csv::WriterBuilder"] {
            let found = uses(dir, needle, &["crates/study/src/csv_out.rs"]);
            assert!(found.is_empty(), "write CSV with study::csv_out::CsvWriter, which keeps formulas out of cells\n{}", found.join("\n"));
        }
    }
}

#[test]
fn every_answer_carries_a_strict_content_security_policy() {
    // The policy forbids inline script and style, so no template may carry either.
    for dir in ["crates/server/templates", "crates/render/templates"] {
        for (file, text) in sources(dir, ".html") {
            // The assessment and the paper survey written by `collabmap assess` and `collabmap survey`
            // are single files opened on their own and served by nothing: their style travels inside
            // them. The workspace serves only the assessment's body and its own survey form.
            if file.ends_with("render/templates/assessment.html") || file.ends_with("render/templates/survey.html") {
                continue;
            }
            for (number, line) in text.lines().enumerate() {
                let inline_script = line.contains("<script") && !line.contains("<script src=");
                let inline_style = line.contains(" style=\"") || line.contains("<style");
                let handler = [" onclick=", " onload=", " onsubmit=", " onchange=", " oninput="].iter().any(|h| line.contains(h));
                assert!(!(inline_script || inline_style || handler), "{file}:{}: inline script or style, which the policy blocks", number + 1);
            }
        }
    }
}

#[test]
fn every_invariant_names_the_tests_that_hold_it_and_they_exist() {
    let architecture = std::fs::read_to_string(repository().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let start = architecture.find("## Invariants").expect("an Invariants section");
    let section = &architecture[start..start + architecture[start..].find("\n## Dependencies").expect("its end")];
    let invariants: Vec<&str> = section.split("\n- **").skip(1).collect();
    assert!(invariants.len() >= 15, "{} invariants", invariants.len());
    for invariant in invariants {
        let title = invariant.split("**").next().unwrap_or(invariant);
        assert!(invariant.contains("Test:") || invariant.contains("Tests:"), "the invariant \"{title}\" names no test");
        // `path.rs::name`, and `::name` for another test of the same file.
        let mut file = String::new();
        for piece in invariant.split('`').skip(1).step_by(2) {
            let name = match piece.split_once("::") {
                Some((path, name)) if path.ends_with(".rs") => {
                    file = path.to_string();
                    name
                }
                Some(("", name)) if !file.is_empty() => name,
                _ => continue,
            };
            let text = std::fs::read_to_string(repository().join(&file)).unwrap_or_else(|e| panic!("\"{title}\": {file}: {e}"));
            let defined = text.contains(&format!("fn {name}(")) || text.contains(&format!("on_every_backend!({name},"));
            assert!(defined, "\"{title}\" names {file}::{name}, which does not exist");
        }
    }
}
