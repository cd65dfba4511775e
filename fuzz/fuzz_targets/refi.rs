//! Fuzzes REFI-QDA import: any bytes, as a project or a codebook, must give a study or a refusal, never a panic.
#![no_main]

use collabmap_exchange::refi_import::{import_qdc, import_qdpx};
use collabmap_study::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = import_qdc(data, "fuzz.qdc");
    let _ = import_qdpx(data, Limits { max_files: 1000, max_total_bytes: 1 << 24 });
});
