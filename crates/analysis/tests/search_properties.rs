//! The search index finds exactly what reading every item would find: it
//! folds each text once, ahead of time, and must never miss a match that
//! folding at query time would see (case, accents, letters that lower-case
//! to two characters, runs of spaces).

use collabmap_analysis::Coding;
use collabmap_analysis::search::{Filters, Query, SearchIndex, Source, search};
use collabmap_study::{ItemKind, Quote, Study};
use proptest::prelude::*;

const WORDS: &[&str] = &["Power", "power", "POWERFUL", "share", "İstanbul", "istanbul", "Straße", "STRASSE", "équipe", "Équipe", "x", "-", "hand-over", "hand"];

fn study_with_quotes(quotes: &[Vec<usize>], spaces: &[bool]) -> Study {
    let mut study = collabmap_synth::generate(6, 1, &mut |_, _| {});
    for (number, words) in quotes.iter().enumerate() {
        let separator = if spaces.get(number).copied().unwrap_or(false) { "  \t " } else { " " };
        let text = words.iter().map(|&w| WORDS[w % WORDS.len()]).collect::<Vec<_>>().join(separator);
        let interview = number % study.interviews.len();
        std::sync::Arc::make_mut(&mut study.interviews[interview]).quotes.push(Quote { text, line: 1000 + number, ..Quote::default() });
    }
    study
}

/// Every quote whose words hold the query, read one by one.
fn by_reading(study: &Study, query: &Query) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for (index, interview) in study.interviews.iter().enumerate() {
        for quote in &interview.quotes {
            if query.find(&quote.text).is_some() {
                found.push((index, quote.line));
            }
        }
    }
    found.sort_unstable();
    found
}

proptest! {
    #[test]
    fn the_index_finds_what_reading_every_item_finds(
        quotes in proptest::collection::vec(proptest::collection::vec(0usize..WORDS.len(), 0..6), 1..30),
        spaces in proptest::collection::vec(any::<bool>(), 0..30),
        query_words in proptest::collection::vec(0usize..WORDS.len(), 1..3),
        phrase in any::<bool>(),
    ) {
        let study = study_with_quotes(&quotes, &spaces);
        let words: Vec<&str> = query_words.iter().map(|&w| WORDS[w]).collect();
        let text = if phrase { format!("\"{}\"", words.join(" ")) } else { words.join(" ") };
        let Ok(query) = Query::parse(&text) else { return Ok(()) };
        let index = SearchIndex::new(&study);
        let coding = Coding::of(&study);
        let mut from_index: Vec<(usize, usize)> = index
            .search(&study, &coding, &query, &Filters::default())
            .into_iter()
            .filter_map(|hit| match hit.source {
                Source::Interview { index, kind: ItemKind::Quote } if hit.line >= 1000 => Some((index, hit.line)),
                _ => None,
            })
            .collect();
        from_index.sort_unstable();
        prop_assert_eq!(&from_index, &by_reading(&study, &query));
        prop_assert_eq!(search(&study, &coding, &query, &Filters::default()).len(), index.search(&study, &coding, &query, &Filters::default()).len());
    }
}
