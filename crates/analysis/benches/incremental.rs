//! What a save costs: a study loaded and counted from scratch, against the
//! same study loaded and counted again after one interview changed, reusing
//! the earlier parses and contributions (`load_reusing`,
//! `synthesise_reusing`). 100,000 people by default; set
//! `COLLABMAP_BENCH_PEOPLE` for another size. Run with
//! `cargo bench -p collabmap-analysis --bench incremental`; the figures go
//! into docs/performance.md, never into a test.

use std::time::{Duration, Instant};

use collabmap_analysis::{Model, SynthesisMemo, synthesise, synthesise_reusing};
use collabmap_study::write::study_files;
use collabmap_study::{ParseMemo, load_from, load_reusing};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let people: u32 = std::env::var("COLLABMAP_BENCH_PEOPLE").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let study = collabmap_synth::generate(people, 7, &mut |_, _| {});
    let mut files = study_files(&study).expect("files");
    drop(study);
    println!("{people} people, {} files", files.len());

    let started = Instant::now();
    let loaded = load_from(&files);
    let loaded_in = started.elapsed();
    let synthesis = synthesise(&loaded.study);
    let _model = Model::discover(&loaded.study, &synthesis);
    println!("from scratch: load {loaded_in:.1?}, load + count + model {:.1?}", started.elapsed());
    drop((loaded, synthesis));

    let (loaded, mut parses) = load_reusing(&files, &ParseMemo::default());
    let (_, mut counts) = synthesise_reusing(&loaded.study, parses.context(), &SynthesisMemo::default());
    drop(loaded);
    let path = files.iter().map(|(p, _)| p.to_string()).find(|p| p.starts_with("interviews/")).expect("an interview");
    let mut load_times = Vec::new();
    let mut total_times = Vec::new();
    for round in 0..7 {
        let mut text = String::from_utf8_lossy(files.get(&path).expect("file")).into_owned();
        text.push_str(&format!("- Added in round {round} #power\n"));
        files.insert(path.clone(), text.into_bytes());
        let started = Instant::now();
        let (loaded, next_parses) = load_reusing(&files, &parses);
        load_times.push(started.elapsed());
        let (synthesis, next_counts) = synthesise_reusing(&loaded.study, next_parses.context(), &counts);
        let _model = Model::discover(&loaded.study, &synthesis);
        total_times.push(started.elapsed());
        assert!(loaded.problems.is_empty(), "the edit keeps the study sound");
        (parses, counts) = (next_parses, next_counts);
    }
    println!("one interview changed: load {:.1?}, load + count + model {:.1?} (medians of 7)", median(load_times), median(total_times));
}
