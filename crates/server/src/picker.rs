//! Choosing who attended an interview, and which projects it is about, from
//! a study of any size: a small list offers every entry; a large one (a
//! study may have 100,000 people and 68,000 projects) offers a search by id
//! or name, and keeps those already ticked ticked while the researcher
//! searches again. Everything works as a plain GET form: the ticked entries
//! and the words travel in the address.

use collabmap_study::Study;

/// Up to this many entries, a list offers every one at once.
pub(crate) const OFFER_EVERY_ONE_UP_TO: usize = 200;

/// Most entries one search offers (beside those already ticked).
pub(crate) const FOUND_SHOWN: usize = 50;

/// The longest search accepted, in characters.
const MAX_FIND_CHARS: usize = 100;

/// The `step` of a picker's form that asks to search again rather than go on.
pub(crate) const FIND_STEP: &str = "find";

/// Whether a picker's form was sent by its Find button (search again and
/// stay) rather than the button that goes on with those ticked.
pub(crate) fn searching_again(query: &[(String, String)]) -> bool {
    crate::html::values_of(query, "step").iter().any(|step| step == FIND_STEP)
}

/// What a picker offers, and how its form names things.
pub(crate) struct Picker {
    /// The name of its checkboxes (`people`, `projects`): what the form sends.
    pub(crate) field: &'static str,
    /// The name of its search box.
    pub(crate) find_field: &'static str,
    /// One entry and many, in words ("person", "people").
    pub(crate) one: &'static str,
    pub(crate) many: &'static str,
    /// Whether a label reads "name (id)" (projects) rather than "id (name)" (people).
    pub(crate) name_first: bool,
    /// (id, name as the page may show it, ticked), the ticked first.
    pub(crate) offered: Vec<(String, String, bool)>,
    /// The list is too long to offer every entry: the picker searches.
    pub(crate) searching: bool,
    /// The words searched for.
    pub(crate) find: String,
    /// How many entries the list has.
    pub(crate) total: usize,
    /// How many the words found, of which at most [`FOUND_SHOWN`] are offered.
    pub(crate) found: usize,
}

impl Picker {
    /// The study's people with `chosen` ticked and `find` searched for. A
    /// search matches the name the page may show: never an anonymous person's.
    pub(crate) fn people(study: &Study, chosen: &[String], find: &str) -> Picker {
        let entries = study.people.iter().map(|p| (p.id.as_str(), p.disclosed(&study.people_columns, "name")));
        Picker {
            field: "people",
            find_field: "find",
            one: "person",
            many: "people",
            name_first: false,
            ..Picker::of(study.people.len(), entries, chosen, find)
        }
    }

    /// The study's projects with `chosen` ticked and `find` searched for.
    pub(crate) fn projects(study: &Study, chosen: &[String], find: &str) -> Picker {
        let entries = study.projects.iter().map(|p| (p.id.as_str(), p.name.as_str()));
        Picker {
            field: "projects",
            find_field: "find-projects",
            one: "project",
            many: "projects",
            name_first: true,
            ..Picker::of(study.projects.len(), entries, chosen, find)
        }
    }

    /// The picker over `total` entries (id, name), matching every word of
    /// `find`, in any case, in an entry's id or name.
    fn of<'a>(total: usize, entries: impl Iterator<Item = (&'a str, &'a str)>, chosen: &[String], find: &str) -> Picker {
        let find: String = find.trim().chars().take(MAX_FIND_CHARS).collect();
        let searching = total > OFFER_EVERY_ONE_UP_TO;
        let words: Vec<String> = find.split_whitespace().map(str::to_lowercase).collect();
        let (mut ticked, mut offered, mut found) = (Vec::new(), Vec::new(), 0);
        for (id, name) in entries {
            let is_chosen = chosen.iter().any(|c| c == id);
            if !searching || is_chosen {
                (if searching { &mut ticked } else { &mut offered }).push((id.to_string(), name.to_string(), is_chosen));
                continue;
            }
            if words.is_empty() {
                continue;
            }
            let (id_lower, name_lower) = (id.to_lowercase(), name.to_lowercase());
            if words.iter().all(|word| id_lower.contains(word.as_str()) || name_lower.contains(word.as_str())) {
                found += 1;
                if found <= FOUND_SHOWN {
                    offered.push((id.to_string(), name.to_string(), false));
                }
            }
        }
        ticked.append(&mut offered);
        Picker { field: "", find_field: "", one: "", many: "", name_first: false, offered: ticked, searching, find, total, found }
    }

    /// What the search found, in words, once there was a search.
    pub(crate) fn found_words(&self) -> String {
        let Picker { one, many, find, found, .. } = self;
        match found {
            0 => format!("No {one} found for “{find}”."),
            1 => format!("1 {one} found for “{find}”."),
            n if *n > FOUND_SHOWN => format!("{n} {many} found for “{find}”; the first {FOUND_SHOWN} are shown: add words to narrow it."),
            n => format!("{n} {many} found for “{find}”."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collabmap_study::{MemoryFiles, load_from};

    /// A study of `people` people (`p1`, `p2`, …), every third anonymous, with no interviews.
    fn study_of(people: usize) -> Study {
        let mut csv = String::from("id,name,attribution\n");
        for n in 1..=people {
            csv.push_str(&format!("p{n},Person {n} {},{}\n", if n % 2 == 0 { "Okafor" } else { "Lindqvist" }, if n % 3 == 0 { "anonymous" } else { "named" }));
        }
        let mut files = MemoryFiles::new();
        files.insert("study.toml", b"title = \"t\"\ncodebook = \"whole-systems\"\n".to_vec());
        files.insert("people.csv", csv.into_bytes());
        let projects: String = (1..=people).map(|n| format!("proj-{n},Project {n}\n")).collect();
        files.insert("projects.csv", format!("id,name\n{projects}").into_bytes());
        load_from(&files).study
    }

    fn ids(picker: &Picker) -> Vec<&str> {
        picker.offered.iter().map(|(id, _, _)| id.as_str()).collect()
    }

    #[test]
    fn a_small_study_offers_everyone_with_the_chosen_ticked() {
        let study = study_of(OFFER_EVERY_ONE_UP_TO);
        let picker = Picker::people(&study, &["p2".to_string()], "");
        assert!(!picker.searching);
        assert_eq!(picker.offered.len(), OFFER_EVERY_ONE_UP_TO);
        assert_eq!(picker.offered.iter().filter(|(_, _, ticked)| *ticked).map(|(id, _, _)| id.as_str()).collect::<Vec<_>>(), ["p2"]);
        assert_eq!(picker.offered[2].1, "", "an anonymous person's name is not shown");
    }

    #[test]
    fn a_large_study_searches_keeping_the_ticked_first() {
        let study = study_of(OFFER_EVERY_ONE_UP_TO + 1);
        let chosen = ["p7".to_string(), "p10".to_string()];
        let nothing_asked = Picker::people(&study, &chosen, "");
        assert!(nothing_asked.searching);
        assert_eq!(ids(&nothing_asked), ["p7", "p10"], "only those ticked, until a search");
        let found = Picker::people(&study, &chosen, "P11");
        assert_eq!(ids(&found), ["p7", "p10", "p11", "p110", "p111", "p112", "p113", "p114", "p115", "p116", "p117", "p118", "p119"]);
        assert_eq!(found.found, 11);
        assert!(found.offered[0].2 && found.offered[1].2 && !found.offered[2].2, "the ticked first, ticked");
        let by_name = Picker::people(&study, &[], "okafor 2");
        assert!(
            by_name.offered.iter().all(|(id, name, _)| name.contains("Okafor") && (id.contains('2') || name.contains('2'))),
            "every word, in the id or the name"
        );
        assert_eq!(by_name.found, by_name.offered.len());
    }

    #[test]
    fn an_anonymous_persons_name_finds_no_one() {
        let study = study_of(OFFER_EVERY_ONE_UP_TO + 1);
        // p3 is anonymous: "Person 3 Lindqvist" is in people.csv, but never on a page.
        let found = Picker::people(&study, &[], "Person 3 Lindqvist");
        assert!(!ids(&found).contains(&"p3"), "{:?}", ids(&found));
        assert!(Picker::people(&study, &[], "p3").offered.iter().any(|(id, name, _)| id == "p3" && name.is_empty()), "found by id, with no name");
    }

    #[test]
    fn a_wide_search_shows_the_first_few_and_says_how_many() {
        let study = study_of(1000);
        let found = Picker::people(&study, &[], "person");
        assert_eq!((found.offered.len(), found.found), (FOUND_SHOWN, 1000 - 1000 / 3));
        assert!(found.found_words().contains(&format!("the first {FOUND_SHOWN} are shown")));
        assert_eq!(Picker::people(&study, &[], "zzz").found_words(), "No person found for “zzz”.");
        assert_eq!(Picker::people(&study, &[], &"x".repeat(5000)).find.chars().count(), MAX_FIND_CHARS, "a long search is cut");
    }

    #[test]
    fn projects_are_picked_the_same_way_by_name_or_id() {
        let study = study_of(OFFER_EVERY_ONE_UP_TO + 50);
        let found = Picker::projects(&study, &["proj-3".to_string()], "project 24");
        assert_eq!(
            ids(&found),
            [
                "proj-3", "proj-24", "proj-124", "proj-224", "proj-240", "proj-241", "proj-242", "proj-243", "proj-244", "proj-245", "proj-246", "proj-247",
                "proj-248", "proj-249"
            ]
        );
        assert_eq!((found.field, found.find_field, found.name_first), ("projects", "find-projects", true));
        assert_eq!(found.found_words(), "13 projects found for “project 24”.", "every word, anywhere in the id or the name");
        assert!(!Picker::projects(&study_of(OFFER_EVERY_ONE_UP_TO), &[], "").searching, "a short list is offered whole");
    }
}
