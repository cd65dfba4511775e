//! Breaking counts down by a people.csv column, under the one small-group
//! rule that every surface uses (report, workspace, API, CLI `--by`).
//!
//! A breakdown must never single a person out. So:
//!
//! - anonymous people form one group, [`ANONYMOUS_LABEL`], whatever their
//!   value in the column (their team or employer could name them);
//! - a group of fewer than [`SMALLEST_GROUP`] interviewed people is pooled
//!   into [`POOLED_LABEL`];
//! - when that pool is itself smaller than [`SMALLEST_GROUP`], the smallest
//!   shown groups join it until it is not, so the pool's counts cannot be
//!   read off by subtracting the shown groups from the table's totals.
//!
//! The rule lives in [`Grouping::of`]; [`CrossTab`] and
//! [`crate::cooccurrence::compare_groups`] are built on it.

use std::collections::BTreeMap;

use collabmap_study::{Study, did_you_mean};

use crate::synthesis::Synthesis;

/// What an anonymous person is called in every output.
pub const ANONYMOUS_LABEL: &str = "Anonymous participant";
/// The fewest interviewed people a group in a breakdown may have.
pub const SMALLEST_GROUP: u32 = 5;
/// The group that small groups are pooled into.
pub const POOLED_LABEL: &str = "Other (smaller groups pooled)";

/// Interviewed people assigned to the groups of one column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grouping {
    /// The people.csv column.
    pub column: String,
    /// Groups shown, sorted, with [`POOLED_LABEL`] last when there is a pool.
    pub groups: Vec<String>,
    /// Interviewed people per group.
    pub totals: Vec<u32>,
    /// The group of each person (index into `groups`), `None` for people not interviewed.
    pub group_of: Vec<Option<usize>>,
    /// How many values were pooled (0 when every group was large enough).
    pub pooled_values: usize,
}

/// Why a table cannot be broken down by a column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreakdownError {
    /// `people.csv` has no such column.
    #[error("people.csv has no column `{column}`{hint}; its columns are {columns}")]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// " (did you mean …?)", or nothing.
        hint: String,
        /// The columns there are, comma-separated.
        columns: String,
    },
    /// The column names people one by one or records their consent.
    #[error("`{column}` cannot break a table down: it names people one by one or records their consent; use one of: {allowed}")]
    NamesPeople {
        /// The column asked for.
        column: String,
        /// The columns that may be used, comma-separated.
        allowed: String,
    },
}

/// The people columns a table may be broken down by, on every surface: all
/// but those that name a person one by one (`id`, `name`) and the consent
/// record (`attribution`, or a column called `anonymous`), which would set the
/// anonymous apart.
pub fn breakdown_columns(columns: &[String]) -> Vec<String> {
    columns.iter().filter(|c| !matches!(c.as_str(), "id" | "name" | "attribution" | "anonymous")).cloned().collect()
}

/// The breakdown columns worth comparing groups by: those with 2 to 12
/// distinct values among the people interviewed (one value compares nothing;
/// many make a table no one can read).
pub fn comparable_columns(study: &Study, synthesis: &Synthesis) -> Vec<String> {
    breakdown_columns(&study.people_columns)
        .into_iter()
        .filter(|c| {
            let values: std::collections::BTreeSet<&str> = synthesis.attended.ones().map(|p| study.people[p].column(&study.people_columns, c)).collect();
            (2..=12).contains(&values.len())
        })
        .collect()
}

impl Grouping {
    /// Groups the interviewed people of `study` by `column`; an unknown column is refused with a suggestion.
    pub fn of(study: &Study, synthesis: &Synthesis, column: &str) -> Result<Grouping, BreakdownError> {
        if !study.people_columns.iter().any(|c| c == column) {
            let hint = did_you_mean(column, study.people_columns.iter().map(String::as_str)).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
            return Err(BreakdownError::UnknownColumn { column: column.to_string(), hint, columns: study.people_columns.join(", ") });
        }
        let allowed = breakdown_columns(&study.people_columns);
        if !allowed.iter().any(|c| c == column) {
            let allowed = if allowed.is_empty() { "(people.csv has no other column)".to_string() } else { allowed.join(", ") };
            return Err(BreakdownError::NamesPeople { column: column.to_string(), allowed });
        }
        let value_of = |p: usize| {
            let person = &study.people[p];
            if person.anonymous {
                return ANONYMOUS_LABEL.to_string();
            }
            let value = person.column(&study.people_columns, column);
            if value.is_empty() { "(none)".to_string() } else { value.to_string() }
        };
        let mut sizes: BTreeMap<String, u32> = BTreeMap::new();
        for p in synthesis.attended.ones() {
            *sizes.entry(value_of(p)).or_default() += 1;
        }
        let mut pooled: Vec<String> = sizes.iter().filter(|(_, n)| **n < SMALLEST_GROUP).map(|(v, _)| v.clone()).collect();
        let mut pool: u32 = pooled.iter().map(|v| sizes[v]).sum();
        if pool > 0 {
            // The pool must be as large as any group, or subtraction would reveal it.
            let mut shown: Vec<(&String, u32)> = sizes.iter().filter(|(_, n)| **n >= SMALLEST_GROUP).map(|(v, n)| (v, *n)).collect();
            shown.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
            let mut next = shown.into_iter();
            while pool < SMALLEST_GROUP {
                let Some((value, size)) = next.next() else { break };
                pooled.push(value.clone());
                pool += size;
            }
        }
        // A set: with one person per value, most values are pooled, and a scan per person would be quadratic.
        let pooled: std::collections::HashSet<String> = pooled.into_iter().collect();
        let mut groups: Vec<String> = sizes.keys().filter(|v| !pooled.contains(*v)).cloned().collect();
        if !pooled.is_empty() {
            groups.push(POOLED_LABEL.to_string());
        }
        let index: BTreeMap<&str, usize> = groups.iter().enumerate().map(|(i, g)| (g.as_str(), i)).collect();
        let pool_index = groups.len().checked_sub(1).filter(|_| !pooled.is_empty());
        let mut group_of = vec![None; study.people.len()];
        let mut totals = vec![0u32; groups.len()];
        for p in synthesis.attended.ones() {
            let value = value_of(p);
            let slot = if pooled.contains(&value) { pool_index } else { index.get(value.as_str()).copied() };
            if let Some(slot) = slot {
                group_of[p] = Some(slot);
                totals[slot] += 1;
            }
        }
        Ok(Grouping { column: column.to_string(), groups, totals, group_of, pooled_values: pooled.len() })
    }

    /// Whether `person` (an index into `study.people`) is in group `group`.
    pub fn holds(&self, group: usize, person: usize) -> bool {
        self.group_of.get(person).copied().flatten() == Some(group)
    }

    /// For each group, how many of the people in `people` belong to it.
    pub fn count(&self, people: impl Iterator<Item = usize>) -> Vec<u32> {
        let mut counts = vec![0u32; self.groups.len()];
        for p in people {
            if let Some(slot) = self.group_of.get(p).copied().flatten() {
                counts[slot] += 1;
            }
        }
        counts
    }

    /// A sentence saying that small groups were pooled, or `None` when none were.
    pub fn pooling_note(&self) -> Option<String> {
        (self.pooled_values > 0).then(|| {
            format!(
                "{} value{} of {} with fewer than {SMALLEST_GROUP} people interviewed {} pooled as \"{POOLED_LABEL}\", so that no one is singled out",
                self.pooled_values,
                if self.pooled_values == 1 { "" } else { "s" },
                self.column,
                if self.pooled_values == 1 { "is" } else { "are" }
            )
        })
    }
}

/// For each group of one people.csv column, how many of each theme's people belong to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrossTab {
    /// The people.csv column.
    pub column: String,
    /// Its groups among interviewed people (see [`Grouping`]).
    pub values: Vec<String>,
    /// Interviewed people per group (same order as `values`).
    pub totals: Vec<u32>,
    /// For each theme id, the count for each group (same order as `values`).
    pub counts: BTreeMap<String, Vec<u32>>,
    /// Said wherever the breakdown is shown, when small groups were pooled.
    pub note: Option<String>,
}

impl CrossTab {
    /// Cross-tabulates `synthesis` by `column`; an unknown column is refused with a suggestion.
    pub fn new(study: &Study, synthesis: &Synthesis, column: &str) -> Result<CrossTab, BreakdownError> {
        let grouping = Grouping::of(study, synthesis, column)?;
        let counts = study.codebook.themes().iter().enumerate().map(|(t, theme)| (theme.id.clone(), grouping.count(synthesis.mentions[t].ones()))).collect();
        let note = grouping.pooling_note();
        Ok(CrossTab { column: column.to_string(), values: grouping.groups, totals: grouping.totals, counts, note })
    }

    /// The counts of `theme`, one per group.
    pub fn row(&self, theme: &str) -> Vec<u32> {
        self.counts.get(theme).cloned().unwrap_or_else(|| vec![0; self.values.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_under_five_are_pooled_and_the_pool_is_never_small() {
        // Teams of 7, 6, 5 and 1: the lone person's team would name them.
        let mut csv = String::from("id,name,team\n");
        let mut n = 0;
        for (team, size) in [("a", 7), ("b", 6), ("c", 5), ("solo", 1)] {
            for _ in 0..size {
                n += 1;
                csv.push_str(&format!("p{n},P{n},{team}\n"));
            }
        }
        let study = crate::test_support::study_of(&csv, n);
        let synthesis = crate::synthesise(&study);
        let grouping = Grouping::of(&study, &synthesis, "team").expect("column");
        // The lone person is pooled with the smallest shown team, so the pool has 6.
        assert_eq!(grouping.groups, ["a", "b", POOLED_LABEL]);
        assert_eq!(grouping.totals, [7, 6, 6]);
        assert!(grouping.totals.iter().all(|&t| t >= SMALLEST_GROUP));
        assert!(grouping.pooling_note().is_some_and(|n| n.contains("2 values of team")));
        let tab = CrossTab::new(&study, &synthesis, "team").expect("column");
        assert_eq!(tab.row("common-purpose"), [7, 6, 6]);
    }

    #[test]
    fn columns_that_name_people_or_record_consent_never_break_a_table_down() {
        let study = crate::test_support::study_of("id,name,team,attribution\np1,Ann,a,named\np2,Bo,a,anonymous\n", 2);
        let synthesis = crate::synthesise(&study);
        for column in ["id", "name", "attribution"] {
            let refused = Grouping::of(&study, &synthesis, column).expect_err(column).to_string();
            assert!(refused.contains("cannot break a table down") && refused.ends_with("use one of: team"), "{refused}");
        }
        assert_eq!(breakdown_columns(&study.people_columns), ["team"]);
    }

    #[test]
    fn anonymous_people_are_one_group_whatever_their_value() {
        let mut csv = String::from("id,name,team,attribution\n");
        for n in 1..=10 {
            let anonymous = if n <= 5 { "anonymous" } else { "" };
            csv.push_str(&format!("p{n},P{n},team{n},{anonymous}\n"));
        }
        let study = crate::test_support::study_of(&csv, 10);
        let synthesis = crate::synthesise(&study);
        let grouping = Grouping::of(&study, &synthesis, "team").expect("column");
        assert_eq!(grouping.groups, [ANONYMOUS_LABEL, POOLED_LABEL]);
        assert_eq!(grouping.totals, [5, 5]);
    }
}
