//! Fuzzes a whole study folder: any bytes in study.toml, people.csv, projects.csv, codebook.toml,
//! an interview and a memo must give a study and problems, never a panic.
#![no_main]

use collabmap_study::MemoryFiles;
use collabmap_study::load_from;
use libfuzzer_sys::fuzz_target;

/// The files the input is cut into, in order, at each NUL byte; missing parts are left out,
/// so the fuzzer also explores studies without some files.
const FILES: [&str; 6] = ["study.toml", "people.csv", "projects.csv", "codebook.toml", "interviews/a.md", "memos/a.md"];

fuzz_target!(|data: &[u8]| {
    let mut files = MemoryFiles::new();
    for (name, part) in FILES.iter().zip(data.split(|&b| b == 0)) {
        files.insert(*name, part.to_vec());
    }
    let _ = load_from(&files);
});
