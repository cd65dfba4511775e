//! Fuzzes the assessment folder: any bytes in responses.csv and evidence.toml must give problems, never a panic.
#![no_main]

use collabmap_study::MemoryFiles;
use collabmap_study::assessment::load_assessment;
use libfuzzer_sys::fuzz_target;

const COLLABORATION: &[u8] = b"name = \"F\"\n\n[[leader]]\nname = \"A\"\nsince = \"2020-01-01\"\n\n[[round]]\nid = \"r1\"\ndate = \"2024-01-01\"\n";

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let mut files = MemoryFiles::new();
    files.insert("collaboration.toml", COLLABORATION.to_vec());
    files.insert("responses.csv", data[..split].to_vec());
    files.insert("evidence.toml", data[split.min(data.len())..].to_vec());
    let _ = load_assessment(&files);
});
