//! Cross-tabulation of mentions by a people.csv column.

use std::collections::BTreeMap;

use collabmap_study::{Study, did_you_mean};

use crate::synthesis::Synthesis;

/// For each value of one people.csv column, how many of each theme's people have it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrossTab {
    /// The people.csv column.
    pub column: String,
    /// Its values among interviewed people, sorted.
    pub values: Vec<String>,
    /// Interviewed people per value (same order as `values`).
    pub totals: Vec<u32>,
    /// For each theme id, the count for each value (same order as `values`).
    pub counts: BTreeMap<String, Vec<u32>>,
}

impl CrossTab {
    /// Cross-tabulates `synthesis` by `column`; an unknown column is refused with a suggestion.
    pub fn new(study: &Study, synthesis: &Synthesis, column: &str) -> Result<CrossTab, String> {
        if !study.people_columns.iter().any(|c| c == column) {
            let hint = did_you_mean(column, study.people_columns.iter().map(String::as_str)).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
            return Err(format!("people.csv has no column `{column}`{hint}; its columns are {}", study.people_columns.join(", ")));
        }
        let value_of = |p: usize| study.people[p].column(&study.people_columns, column).to_string();
        let mut values: Vec<String> = synthesis.attended.ones().map(value_of).collect();
        values.sort();
        values.dedup();
        let slot = |p: usize| values.binary_search(&value_of(p)).ok();
        let mut totals = vec![0; values.len()];
        for p in synthesis.attended.ones() {
            if let Some(s) = slot(p) {
                totals[s] += 1;
            }
        }
        let mut counts = BTreeMap::new();
        for (t, theme) in study.codebook.themes().iter().enumerate() {
            let mut row = vec![0; values.len()];
            for p in synthesis.mentions[t].ones() {
                if let Some(s) = slot(p) {
                    row[s] += 1;
                }
            }
            counts.insert(theme.id.clone(), row);
        }
        Ok(CrossTab { column: column.to_string(), values, totals, counts })
    }

    /// The counts of `theme`, one per value.
    pub fn row(&self, theme: &str) -> Vec<u32> {
        self.counts.get(theme).cloned().unwrap_or_else(|| vec![0; self.values.len()])
    }
}
