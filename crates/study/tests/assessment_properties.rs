//! The assessment parser never panics, and every problem it reports points
//! at a line of the file it names.

use collabmap_study::MemoryFiles;
use collabmap_study::assessment::load_assessment;
use proptest::prelude::*;

const COLLABORATION: &str = "name = \"P\"\n\n[[leader]]\nname = \"A\"\nsince = \"2020-01-01\"\n\n[[round]]\nid = \"r1\"\ndate = \"2024-01-01\"\n";

fn fragments() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "round,respondent,organisation,role,item,score",
        "r1,a,Police,officer,share-power-1,4",
        "r1,a,Health,officer,share-power-2,",
        "r2,b,Police,x,nope,9",
        "r1,\"quoted, org\",x,share-power-1,5",
        ",,,,,",
        "r1,a",
        "\u{feff}",
        "[[rating]]",
        "round = \"r1\"",
        "theme = \"share-power\"",
        "score = 7",
        "score = 2.5",
        "[[item]]",
        "id = \"x\"",
        "text = \"é\"",
        "[[leader]]",
        "since = 2020-01-01",
        "date = \"not a date\"",
        "= broken",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #[test]
    fn any_folder_gets_answers_not_panics(
        collaboration in prop::collection::vec(fragments(), 0..12),
        responses in prop::collection::vec(fragments(), 0..20),
        evidence in prop::collection::vec(fragments(), 0..8),
        survey in prop::collection::vec(fragments(), 0..8),
        keep_collaboration in any::<bool>(),
        raw in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut files = MemoryFiles::new();
        let collaboration_text = if keep_collaboration { format!("{COLLABORATION}{}", collaboration.join("\n")) } else { String::from_utf8_lossy(&raw).into_owned() };
        files.insert("collaboration.toml", collaboration_text.clone().into_bytes());
        files.insert("responses.csv", responses.join("\n").into_bytes());
        files.insert("evidence.toml", evidence.join("\n").into_bytes());
        if !survey.is_empty() {
            files.insert("survey.toml", survey.join("\n").into_bytes());
        }
        let (assessment, problems) = load_assessment(&files);
        for problem in &problems {
            let text = String::from_utf8_lossy(files.get(&problem.path).unwrap_or_default()).into_owned();
            prop_assert!(problem.line >= 1 && problem.line <= text.lines().count().max(1) + 1, "{problem}");
        }
        if problems.is_empty() {
            prop_assert!(is_consistent(&assessment));
        }
    }
}

/// A sound assessment has rounds in date order and only known items.
fn is_consistent(assessment: &collabmap_study::assessment::Assessment) -> bool {
    assessment.rounds.windows(2).all(|w| w[0].date <= w[1].date) && assessment.responses.iter().all(|r| assessment.items.iter().any(|i| i.id == r.item))
}
