//! Every item of a study is coded once per analysis ([`Coding`]); what it
//! holds must be exactly what the auto-coder says of each item, under every
//! counting setting, so that nothing reading the coding counts differently.

#[path = "../../../testdata/studies.rs"]
mod studies;

use collabmap_analysis::{AutoCoder, Coding, Credit};
use collabmap_study::{Counting, Item, ItemKind, Study, load_study};

/// How `item` carries `theme`, read from the spec's order of precedence:
/// its own tag, a tagged child rolled up, an indicator phrase, a child that a
/// phrase inferred rolled up.
fn explained_by_hand(study: &Study, coder: &AutoCoder<'_>, item: &Item<'_>, theme: usize) -> Option<(Credit, Option<String>)> {
    let codebook = &study.codebook;
    let rollup = study.config.counting.rollup;
    let tagged: Vec<usize> = item.codes.iter().filter_map(|id| codebook.index_of(id)).collect();
    if tagged.contains(&theme) {
        return Some((Credit::Explicit, None));
    }
    if rollup && tagged.iter().any(|&t| codebook.ancestors(t).any(|a| a == theme)) {
        return Some((Credit::Rollup, None));
    }
    let inferred = coder.inferences(item.text);
    if let Some((_, phrase)) = inferred.iter().find(|&&(t, _)| t == theme) {
        return Some((Credit::Inferred, Some(phrase.to_string())));
    }
    let rolled = inferred.iter().find(|&&(t, _)| rollup && codebook.ancestors(t).any(|a| a == theme));
    rolled.map(|(_, phrase)| (Credit::Rollup, Some(phrase.to_string())))
}

/// Checks every item of `study` against a fresh auto-coder.
fn coding_matches_the_auto_coder(study: &Study, label: &str) {
    let coding = Coding::of(study);
    let coder = AutoCoder::new(&study.codebook, study.config.counting);
    let mut items = 0;
    for (number, interview) in study.interviews.iter().enumerate() {
        let concepts = interview.concepts().map(|(node, c)| (ItemKind::Concept, node, c.item()));
        let others = interview.items_beside_the_map().map(|(position, item)| (item.kind, position, item));
        for (kind, position, item) in concepts.chain(others) {
            items += 1;
            let stored = coding.item(number, kind, position);
            let expected = coder.codes(&item).codes;
            let got: Vec<(usize, bool)> = stored.iter().map(|c| (c.code, c.inferred())).collect();
            assert_eq!(got, expected, "{label}: {} line {}", interview.file, item.line);
            for code in stored {
                let explained = explained_by_hand(study, &coder, &item, code.code);
                assert_eq!(explained, Some((code.how, coding.indicator(code).map(str::to_string))), "{label}: {} line {}", interview.file, item.line);
            }
        }
        // Cross-links carry no codes, and positions past the end have none.
        for (node, map_node) in interview.map.iter().enumerate() {
            if matches!(map_node.kind, collabmap_study::MapNodeKind::CrossLink { .. }) {
                assert!(coding.item(number, ItemKind::Concept, node).is_empty());
            }
        }
        assert!(coding.item(number, ItemKind::Quote, interview.quotes.len()).is_empty());
        assert!(coding.item(number, ItemKind::Picture, interview.pictures.len()).is_empty());
    }
    assert!(items > 0, "{label} has items to check");
}

#[test]
fn each_items_stored_codes_are_what_the_auto_coder_says_under_every_setting() {
    let mut studies: Vec<(String, Study)> = studies::all()
        .into_iter()
        .map(|s| {
            let loaded = load_study(&s.dir);
            assert!(loaded.problems.is_empty(), "{}: {:?}", s.name, loaded.problems);
            (s.name, loaded.study)
        })
        .collect();
    studies.push(("generated".into(), collabmap_synth::generate(300, 3, &mut |_, _| {})));
    for (name, study) in studies {
        for rollup in [false, true] {
            for infer in [false, true] {
                let mut study = study.clone();
                study.config.counting = Counting { rollup, infer, ..study.config.counting };
                coding_matches_the_auto_coder(&study, &format!("{name} rollup={rollup} infer={infer}"));
            }
        }
    }
}

#[test]
fn an_interview_beyond_the_study_has_no_codes() {
    let coding = Coding::default();
    assert!(coding.item(3, ItemKind::Concept, 0).is_empty());
}
