//! How long a search takes once the study is loaded, at the size a large
//! evaluation reaches (100,000 people by default; set
//! `COLLABMAP_BENCH_PEOPLE` for another size). Run with
//! `cargo bench -p collabmap-analysis --bench search`; the figures go into
//! docs/performance.md, never into a test.

use std::time::{Duration, Instant};

use collabmap_analysis::Coding;
use collabmap_analysis::search::{Filters, Query, SearchIndex};

fn main() {
    let people: u32 = std::env::var("COLLABMAP_BENCH_PEOPLE").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let started = Instant::now();
    let study = collabmap_synth::generate(people, 7, &mut |_, _| {});
    println!("generated {people} people in {:.1?}", started.elapsed());
    let started = Instant::now();
    let index = SearchIndex::new(&study);
    let coding = Coding::of(&study);
    println!("indexed {} items in {:.1?}", index.len(), started.elapsed());
    let code = study.codebook.index_or_refusal("service-user").ok();
    let cases: [(&str, Filters); 4] = [
        ("families", Filters::default()),
        ("partners", Filters::default()),
        ("\"every partner\"", Filters::default()),
        ("families", Filters { code, ..Filters::default() }),
    ];
    for (text, filters) in cases {
        let query = Query::parse(text).unwrap_or_else(|problem| panic!("{problem}"));
        let mut times: Vec<Duration> = Vec::new();
        let mut found = 0;
        for _ in 0..7 {
            let started = Instant::now();
            found = index.search(&study, &coding, &query, &filters).len();
            times.push(started.elapsed());
        }
        times.sort();
        let filtered = if filters.code.is_some() { " (code service-user)" } else { "" };
        println!("search {text}{filtered}: {found} items, median {:.1?}, slowest {:.1?}", times[times.len() / 2], times[times.len() - 1]);
    }
}
