//! The studies the tests run on, shared by the test programs of several crates
//! (each includes this file with `#[path]`): the project's own, in
//! `testdata/studies/`, always; then the shared corpora in
//! `../shared/corpora/` when that folder is beside the repository (CI has it;
//! a fresh clone does not, and the tests then run on the project's own only).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One study with the figures it must give.
pub(crate) struct TestStudy {
    /// The folder's name.
    pub(crate) name: String,
    /// The study folder.
    pub(crate) dir: PathBuf,
    /// `NAME.expected.json`: `table` and `model`, as `table --all --format json`
    /// and `model --format json` print them. With `"partial": true` only the
    /// rows, fields, levels and links it lists are checked (the published
    /// study's figures do not fix every column).
    pub(crate) expected: serde_json::Value,
    /// Whether it comes from `../shared/corpora` rather than this repository.
    pub(crate) shared: bool,
}

impl TestStudy {
    /// Whether the expected figures name only some of the results.
    pub(crate) fn is_partial(&self) -> bool {
        self.expected["partial"] == true
    }

    /// The study folder as a command-line argument.
    pub(crate) fn arg(&self) -> String {
        self.dir.to_string_lossy().into_owned()
    }
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A study of the project's own, by name (`published`, `counting-rules`).
pub(crate) fn own(name: &str) -> PathBuf {
    repository().join("testdata/studies").join(name)
}

/// `../shared`, when it is beside the repository.
pub(crate) fn shared() -> Option<PathBuf> {
    let dir = repository().join("../shared");
    dir.join("corpora").is_dir().then_some(dir)
}

fn studies_in(dir: &Path, shared: bool) -> Vec<TestStudy> {
    let mut found: Vec<TestStudy> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let expected_file = dir.join(format!("{name}.expected.json"));
            let text = std::fs::read_to_string(&expected_file).unwrap_or_else(|e| panic!("{}: {e}", expected_file.display()));
            let expected = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", expected_file.display()));
            TestStudy { name, dir: e.path(), expected, shared }
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// Every study to test on: the project's own, then the shared corpora if present.
pub(crate) fn all() -> Vec<TestStudy> {
    let mut studies = studies_in(&repository().join("testdata/studies"), false);
    assert!(studies.len() >= 2, "testdata/studies holds the project's own test studies");
    match shared() {
        Some(dir) => studies.extend(studies_in(&dir.join("corpora"), true)),
        None => eprintln!("note: ../shared/corpora is not beside the repository; testing on the project's own studies only"),
    }
    studies
}
