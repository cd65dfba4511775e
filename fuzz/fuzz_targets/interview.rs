//! Fuzzes the interview parser: any bytes must give an interview and problems, never a panic.
//! The file is read alone first (its syntax needs nothing but the bytes), then resolved
//! against a small study, as `parse_interview` does.
#![no_main]

use collabmap_study::{Codebook, IdSet, InterviewContext, read_interview, resolve_interview};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (syntax, _) = read_interview(data, "interviews/fuzz.md");
    let codebook = Codebook::builtin("whole-systems").unwrap_or_default();
    let people: IdSet = ["p1", "p2"].into_iter().collect();
    let projects: IdSet = ["x"].into_iter().collect();
    let context = InterviewContext { codebook: &codebook, people: &people, projects: &projects, files: None, check_codes: true };
    let _ = resolve_interview(&syntax, &context);
});
