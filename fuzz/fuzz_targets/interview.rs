//! Fuzzes the interview parser: any bytes must give an interview and problems, never a panic.
#![no_main]

use std::collections::HashSet;

use collabmap_study::{Codebook, InterviewContext, parse_interview};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let codebook = Codebook::builtin("whole-systems").unwrap_or_default();
    let people: HashSet<&str> = ["p1", "p2"].into();
    let projects: HashSet<&str> = ["x"].into();
    let context = InterviewContext { codebook: &codebook, people: &people, projects: &projects, files: None, check_codes: true };
    let _ = parse_interview(data, "interviews/fuzz.md", &context);
});
