//! The study at a glance: the few figures a report opens with, counted here
//! so that rendering only lays them out.

use std::collections::BTreeSet;

use collabmap_study::Study;

use crate::Synthesis;

/// The study's headline figures, over the people who attended an interview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glance {
    /// People who attended at least one interview (the table's `out_of`).
    pub people: u32,
    /// Distinct non-empty `organisation` values among them.
    pub organisations: usize,
    /// Distinct projects the interviews are about.
    pub projects: usize,
    /// Distinct non-empty `country` values among them.
    pub countries: usize,
    /// Interviews.
    pub interviews: usize,
    /// Interviews with more than one attendee.
    pub group_meetings: usize,
    /// Share of interviews checked back with the interviewee, in whole percent (rounded half up).
    pub checked_back_percent: usize,
}

impl Glance {
    /// The figures of `study`.
    pub fn of(study: &Study, synthesis: &Synthesis) -> Glance {
        let distinct = |column: &str| {
            synthesis.attended.ones().map(|p| study.people[p].column(&study.people_columns, column)).filter(|v| !v.is_empty()).collect::<BTreeSet<_>>().len()
        };
        let projects: BTreeSet<&str> = study.interviews.iter().flat_map(|i| i.projects.iter().map(String::as_str)).collect();
        let interviews = study.interviews.len();
        let checked = study.interviews.iter().filter(|i| i.checked_back).count();
        Glance {
            people: synthesis.table.out_of,
            organisations: distinct("organisation"),
            projects: projects.len(),
            countries: distinct("country"),
            interviews,
            group_meetings: study.interviews.iter().filter(|i| i.is_group()).count(),
            checked_back_percent: (100 * checked + interviews / 2).checked_div(interviews).unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_the_people_interviewed() {
        // p4 is in people.csv but attends nothing: their organisation and country do not count.
        let csv = "id,name,organisation,country\np1,A,Org one,UK\np2,B,Org one,India\np3,C,,UK\np4,D,Org four,Canada\n";
        let study = crate::test_support::study_of(csv, 3);
        let figures = Glance::of(&study, &crate::synthesise(&study));
        let expected = Glance { people: 3, organisations: 1, projects: 0, countries: 2, interviews: 3, group_meetings: 0, checked_back_percent: 0 };
        assert_eq!(figures, expected);
    }
}
