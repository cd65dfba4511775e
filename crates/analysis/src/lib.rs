//! Pure analysis of a study: the counting rules and model discovery of the
//! study-format specification.
//!
//! Everything here is a function from a [`Study`] to results; nothing reads or
//! writes files. [`synthesise`] makes one parallel pass over the interviews and
//! returns the mention table and the theme graph; [`Model::discover`] keeps the
//! strong links and finds the attractor and levels.
//!
//! ```no_run
//! # let study: collabmap_study::Study = unimplemented!();
//! let synthesis = collabmap_analysis::synthesise(&study);
//! for row in &synthesis.table.rows {
//!     println!("{} {} out of {}", row.theme, row.people, row.out_of);
//! }
//! let model = collabmap_analysis::Model::discover(&study, &synthesis);
//! println!("attractor: {:?}", model.attractor);
//! ```

pub mod agreement;
pub mod assessment;
pub mod coding;
pub mod cooccurrence;
pub mod crosstab;
pub mod evidence;
pub mod glance;
pub mod model;
pub mod search;
pub mod structure;
pub mod synthesis;
pub mod trace;

pub use coding::{AutoCoder, CodeOnItem, Coding, Credit, InterviewCoding, ItemCodes};
pub use crosstab::{ANONYMOUS_LABEL, BreakdownError, CrossTab, Grouping, POOLED_LABEL, SMALLEST_GROUP, breakdown_columns, comparable_columns};
pub use glance::Glance;
pub use model::{Model, ModelLink, ModelTheme};
pub use synthesis::{MentionRow, MentionTable, Synthesis, SynthesisMemo, ThemeLinkSupport, synthesise, synthesise_reusing};

pub use collabmap_study::Study;

#[cfg(test)]
mod test_support {
    use collabmap_study::{MemoryFiles, Study, load_from};

    /// A study with `people_csv` and one interview for each of p1..=pn, coded #common-purpose.
    pub(crate) fn study_of(people_csv: &str, people: usize) -> Study {
        let mut files = MemoryFiles::new();
        files.insert("study.toml", b"title = \"t\"\ncodebook = \"whole-systems\"\n".to_vec());
        files.insert("people.csv", people_csv.as_bytes().to_vec());
        for n in 1..=people {
            files.insert(format!("interviews/p{n}.md"), format!("---\npeople: [p{n}]\n---\n\n# Map\n\n- Aim #common-purpose\n").into_bytes());
        }
        let loaded = load_from(&files);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        loaded.study
    }
}
