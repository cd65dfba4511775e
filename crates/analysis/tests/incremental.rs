//! Incremental analysis equals analysis from scratch: random sequences of
//! edits (an interview changed, added or removed; people.csv, the settings or
//! a picture changed), each loaded and counted reusing what the last load
//! kept, and again from nothing. Every problem, interview, count, link and
//! code must agree, and the interviews a save did not touch must be reused,
//! not parsed again.

use std::sync::Arc;

use collabmap_analysis::{Model, SynthesisMemo, synthesise, synthesise_reusing};
use collabmap_study::write::study_files;
use collabmap_study::{MemoryFiles, ParseMemo, load_from, load_reusing};
use proptest::prelude::*;

/// One save to a study's files.
#[derive(Debug, Clone)]
enum Edit {
    /// A bullet appended to the interview at this position (mod the count), coded or not.
    AddBullet { interview: usize, code: Option<&'static str> },
    /// The interview's last line dropped.
    DropLastLine { interview: usize },
    /// The interview's file removed.
    Remove { interview: usize },
    /// A copy of the interview under a new id.
    Copy { interview: usize },
    /// A line of the interview replaced by a broken one (a problem).
    Break { interview: usize },
    /// A person added to people.csv (the context of every interview): first
    /// the one [`Edit::Break`] names, so the broken lines mend.
    AddPerson,
    /// people.csv's last person removed: interviews naming them get problems.
    RemovePerson,
    /// `group_agreement` switched in study.toml.
    ToggleGroupAgreement,
    /// A picture added (interviews may refer to it).
    AddPicture,
}

fn edit() -> impl Strategy<Value = Edit> {
    let code = prop_oneof![Just(None), Just(Some("#power")), Just(Some("#service-user")), Just(Some("#no-such-code")), Just(Some("#common-purpose"))];
    prop_oneof![
        4 => (any::<usize>(), code).prop_map(|(interview, code)| Edit::AddBullet { interview, code }),
        2 => any::<usize>().prop_map(|interview| Edit::DropLastLine { interview }),
        1 => any::<usize>().prop_map(|interview| Edit::Remove { interview }),
        1 => any::<usize>().prop_map(|interview| Edit::Copy { interview }),
        1 => any::<usize>().prop_map(|interview| Edit::Break { interview }),
        1 => Just(Edit::AddPerson),
        1 => Just(Edit::RemovePerson),
        1 => Just(Edit::ToggleGroupAgreement),
        1 => Just(Edit::AddPicture),
    ]
}

fn interview_paths(files: &MemoryFiles) -> Vec<String> {
    files.iter().map(|(path, _)| path.to_string()).filter(|p| p.starts_with("interviews/")).collect()
}

fn text(files: &MemoryFiles, path: &str) -> String {
    String::from_utf8_lossy(files.get(path).unwrap_or_default()).into_owned()
}

/// Applies `edit`; returns the paths it changed.
fn apply(files: &mut MemoryFiles, edit: &Edit, step: usize) -> Vec<String> {
    let paths = interview_paths(files);
    let pick = |n: usize| paths.get(n % paths.len().max(1)).cloned();
    match *edit {
        Edit::AddBullet { interview, code } => {
            let Some(path) = pick(interview) else { return Vec::new() };
            let mut body = text(files, &path);
            if !body.ends_with('\n') {
                body.push('\n');
            }
            body.push_str(&format!("- Added at step {step} {}\n", code.unwrap_or("")));
            files.insert(path.clone(), body.into_bytes());
            vec![path]
        }
        Edit::DropLastLine { interview } => {
            let Some(path) = pick(interview) else { return Vec::new() };
            let body = text(files, &path);
            let kept: Vec<&str> = body.lines().collect();
            let shorter = kept[..kept.len().saturating_sub(1)].join("\n") + "\n";
            files.insert(path.clone(), shorter.into_bytes());
            vec![path]
        }
        Edit::Remove { interview } => {
            let Some(path) = pick(interview) else { return Vec::new() };
            files.remove(&path);
            vec![path]
        }
        Edit::Copy { interview } => {
            let Some(path) = pick(interview) else { return Vec::new() };
            let body = text(files, &path);
            let copy = format!("interviews/copy-{step}.md");
            // The copy keeps the original's `id:` when it has one: a duplicate id, which both loads must report alike.
            files.insert(copy.clone(), body.into_bytes());
            vec![copy]
        }
        Edit::Break { interview } => {
            let Some(path) = pick(interview) else { return Vec::new() };
            let body = text(files, &path) + "- A bullet for @nobody-known\n";
            files.insert(path.clone(), body.into_bytes());
            vec![path]
        }
        Edit::AddPerson => {
            let people = text(files, "people.csv");
            let columns = people.lines().next().map_or(1, |header| header.split(',').count());
            let id = if people.contains("\nnobody-known,") { format!("added{step}") } else { "nobody-known".to_string() };
            let row = std::iter::once(id).chain(std::iter::repeat_n(String::new(), columns - 1)).collect::<Vec<_>>().join(",");
            files.insert("people.csv", format!("{people}{row}\n").into_bytes());
            vec!["people.csv".into()]
        }
        Edit::RemovePerson => {
            let people = text(files, "people.csv");
            let lines: Vec<&str> = people.lines().collect();
            let kept = if lines.len() > 2 { &lines[..lines.len() - 1] } else { &lines[..] };
            files.insert("people.csv", (kept.join("\n") + "\n").into_bytes());
            vec!["people.csv".into()]
        }
        Edit::ToggleGroupAgreement => {
            let settings = text(files, "study.toml");
            let switched = if settings.contains("group_agreement = false") {
                settings.replace("group_agreement = false", "group_agreement = true")
            } else if settings.contains("group_agreement = true") {
                settings.replace("group_agreement = true", "group_agreement = false")
            } else {
                format!("{settings}\n[counting]\ngroup_agreement = false\n")
            };
            files.insert("study.toml", switched.into_bytes());
            vec!["study.toml".into()]
        }
        Edit::AddPicture => {
            files.insert(format!("pictures/p{step}.png"), vec![0x89, b'P', b'N', b'G']);
            Vec::new()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn incremental_analysis_equals_analysis_from_scratch(people in 20u32..60, seed in any::<u64>(), edits in prop::collection::vec(edit(), 1..12)) {
        let study = collabmap_synth::generate(people, seed, &mut |_, _| {});
        let mut files = study_files(&study).expect("files");
        let (mut loaded, mut parses) = load_reusing(&files, &ParseMemo::default());
        // Runs of four interviews on average, so that even these small studies have several.
        let (_, mut counts) = synthesise_reusing(&loaded.study, parses.context(), &SynthesisMemo::with_run_length(4));
        for (step, edit) in edits.iter().enumerate() {
            let before = loaded;
            let context_before = parses.context();
            let touched = apply(&mut files, edit, step);
            let (again, next_parses) = load_reusing(&files, &parses);
            let (synthesis, next_counts) = synthesise_reusing(&again.study, next_parses.context(), &counts);

            let scratch = load_from(&files);
            prop_assert_eq!(&again.problems, &scratch.problems, "problems after {:?}", edit);
            prop_assert_eq!(&again.study, &scratch.study, "the study after {:?}", edit);
            let fresh = synthesise(&scratch.study);
            prop_assert_eq!(&synthesis.table, &fresh.table, "the table after {:?}", edit);
            prop_assert_eq!(&synthesis.links, &fresh.links, "the links after {:?}", edit);
            prop_assert_eq!(&synthesis.mentions, &fresh.mentions);
            prop_assert_eq!(&synthesis.attended, &fresh.attended);
            prop_assert_eq!(format!("{:?}", synthesis.coding), format!("{:?}", fresh.coding), "the codes after {:?}", edit);
            if scratch.problems.is_empty() {
                let (model, fresh_model) = (Model::discover(&again.study, &synthesis), Model::discover(&scratch.study, &fresh));
                prop_assert_eq!(format!("{model:?}"), format!("{fresh_model:?}"));
            }

            // What the edit did not touch was reused, not parsed again: the same interview, shared.
            if next_parses.context() == context_before {
                for interview in &again.study.interviews {
                    if touched.contains(&interview.file) {
                        continue;
                    }
                    let earlier = before.study.interviews.iter().find(|old| old.file == interview.file);
                    prop_assert!(earlier.is_some_and(|old| Arc::ptr_eq(old, interview)), "{} was parsed again after {:?}", interview.file, edit);
                }
                // An edit to one interview recounts the run that holds it (two
                // when an added interview splits a run), never the others.
                prop_assert!(next_counts.runs_recounted() <= 2, "{} of {} runs recounted after {:?}", next_counts.runs_recounted(), next_counts.runs(), edit);
            }
            loaded = again;
            parses = next_parses;
            counts = next_counts;
        }
    }
}
