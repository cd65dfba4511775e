//! What the CLI's test programs share: running the real binary, reading what
//! it prints, and the test studies.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::process::{Command, Output};

#[path = "../../../../testdata/studies.rs"]
pub mod studies;

/// Runs `collabmap` with `args`.
pub fn collabmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_collabmap")).args(args).output().expect("the binary runs")
}

/// What a successful run printed.
pub fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

/// The JSON a successful run of `args` printed.
pub fn json_of(args: &[&str]) -> serde_json::Value {
    let output = collabmap(args);
    assert!(output.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

/// `(theme, people, out_of, projects)` of every row of `table --all`, sorted by theme.
pub fn table_counts(dir: &Path) -> Vec<(String, u64, u64, u64)> {
    let json = json_of(&["table", "--all", "--format", "json", &dir.to_string_lossy()]);
    let mut rows: Vec<_> = json
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["theme"].as_str().expect("theme").to_string(),
                r["people"].as_u64().expect("n"),
                r["out_of"].as_u64().expect("n"),
                r["projects"].as_u64().expect("n"),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// Every file under `dir`, as (path relative to it with `/`, bytes), sorted.
pub fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display())).filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
                out.push((name, std::fs::read(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}
