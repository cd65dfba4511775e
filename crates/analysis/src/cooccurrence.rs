//! Which themes people mention together, and how mentions differ between
//! groups of people (a chi-squared test per theme).

use collabmap_study::Study;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::crosstab::Grouping;
use crate::synthesis::Synthesis;

/// Two themes and the people who mention both.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// Codebook index of the first theme.
    pub first: usize,
    /// Codebook index of the second theme.
    pub second: usize,
    /// People who mention the first.
    pub first_people: u32,
    /// People who mention the second.
    pub second_people: u32,
    /// People who mention both.
    pub both: u32,
    /// n12 / (n1 + n2 − n12): 1 when the same people mention both, 0 when no one does.
    pub coefficient: f64,
}

/// Every pair of the given themes (codebook indices), in the order given.
pub fn cooccurrence(synthesis: &Synthesis, themes: &[usize]) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for (i, &first) in themes.iter().enumerate() {
        for &second in &themes[i + 1..] {
            let (a, b) = (&synthesis.mentions[first], &synthesis.mentions[second]);
            let both = a.intersection_count(b) as u32;
            let (n1, n2) = (a.count_ones(..) as u32, b.count_ones(..) as u32);
            let union = n1 + n2 - both;
            pairs.push(Pair {
                first,
                second,
                first_people: n1,
                second_people: n2,
                both,
                coefficient: if union == 0 { 0.0 } else { f64::from(both) / f64::from(union) },
            });
        }
    }
    pairs
}

/// One theme's mentions per group, with a chi-squared test of independence.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// Codebook index of the theme.
    pub theme: usize,
    /// People mentioning it, per group.
    pub counts: Vec<u32>,
    /// The chi-squared statistic of the 2 × groups table (mentioned or not, by group).
    pub chi_squared: f64,
    /// Degrees of freedom: groups − 1.
    pub degrees: usize,
    /// The p-value, or `None` when the test is undefined (one group, or everyone or no one mentions it).
    pub p_value: Option<f64>,
    /// Some expected count is below 5: the p-value is only a rough guide.
    pub sparse: bool,
}

/// Mentions compared across the values of one people.csv column.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupComparison {
    /// The column.
    pub column: String,
    /// Its values among interviewed people, sorted (empty shown as "(none)").
    pub groups: Vec<String>,
    /// Interviewed people per group.
    pub totals: Vec<u32>,
    /// One row per theme asked for.
    pub rows: Vec<GroupRow>,
    /// Said wherever the comparison is shown, when small groups were pooled.
    pub note: Option<String>,
}

/// Compares `themes` across the groups of `column`, grouped by the one
/// small-group rule ([`Grouping`]: anonymous people pooled, groups under
/// five pooled).
pub fn compare_groups(study: &Study, synthesis: &Synthesis, column: &str, themes: &[usize]) -> Result<GroupComparison, crate::crosstab::BreakdownError> {
    let grouping = Grouping::of(study, synthesis, column)?;
    let rows = themes
        .iter()
        .map(|&theme| {
            let counts = grouping.count(synthesis.mentions[theme].ones());
            let (chi_squared, degrees, p_value, sparse) = chi_squared_test(&counts, &grouping.totals);
            GroupRow { theme, counts, chi_squared, degrees, p_value, sparse }
        })
        .collect();
    let note = grouping.pooling_note();
    Ok(GroupComparison { column: column.to_string(), groups: grouping.groups, totals: grouping.totals, rows, note })
}

/// Pearson's chi-squared test on the 2 × k table (mentioned, not mentioned) × groups.
pub fn chi_squared_test(mentioned: &[u32], totals: &[u32]) -> (f64, usize, Option<f64>, bool) {
    let groups = totals.iter().filter(|&&t| t > 0).count();
    let n: f64 = totals.iter().map(|&t| f64::from(t)).sum();
    let yes: f64 = mentioned.iter().map(|&m| f64::from(m)).sum();
    if groups < 2 || yes == 0.0 || yes == n {
        return (0.0, groups.saturating_sub(1), None, false);
    }
    let mut statistic = 0.0;
    let mut sparse = false;
    for (&m, &t) in mentioned.iter().zip(totals) {
        if t == 0 {
            continue;
        }
        let t = f64::from(t);
        for (observed, share) in [(f64::from(m), yes / n), (t - f64::from(m), 1.0 - yes / n)] {
            let expected = t * share;
            sparse |= expected < 5.0;
            statistic += (observed - expected).powi(2) / expected;
        }
    }
    let degrees = groups - 1;
    let p = ChiSquared::new(degrees as f64).ok().map(|d| (1.0 - d.cdf(statistic)).clamp(0.0, 1.0));
    (statistic, degrees, p, sparse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_squared_matches_a_worked_example() {
        // 2 × 2: group A 30 of 50 mention it, group B 10 of 50.
        // Expected 20 and 30 in each group: χ² = 4 × (10²/20) … = 16.67, p ≈ 4.46e-5.
        let (statistic, degrees, p, sparse) = chi_squared_test(&[30, 10], &[50, 50]);
        assert!((statistic - 16.666_666).abs() < 1e-4, "{statistic}");
        assert_eq!(degrees, 1);
        assert!((p.expect("defined") - 4.455e-5).abs() < 1e-7, "{p:?}");
        assert!(!sparse);
        // Three groups, df = 2: χ² = 6.0 gives p = e^(−3).
        let (_, degrees, p, _) = chi_squared_test(&[20, 10, 10], &[40, 40, 40]);
        assert_eq!(degrees, 2);
        let expected_statistic = {
            let share = 40.0 / 120.0;
            [20.0, 10.0, 10.0]
                .iter()
                .map(|&m: &f64| (m - 40.0 * share).powi(2) / (40.0 * share) + ((40.0 - m) - 40.0 * (1.0 - share)).powi(2) / (40.0 * (1.0 - share)))
                .sum::<f64>()
        };
        assert!((p.expect("defined") - (-expected_statistic / 2.0).exp()).abs() < 1e-9);
        // Undefined: everyone mentions it, or one group only.
        assert_eq!(chi_squared_test(&[5, 5], &[5, 5]).2, None);
        assert_eq!(chi_squared_test(&[3], &[5]).2, None);
        assert!(chi_squared_test(&[1, 3], &[4, 6]).3, "small expected counts are flagged");
    }
}

#[cfg(test)]
mod study_tests {
    use collabmap_study::{MemoryFiles, load_from};

    use super::*;
    use crate::synthesise;

    #[test]
    fn pairs_and_groups_on_a_small_study() {
        let mut files = MemoryFiles::new();
        files.insert("study.toml", b"title = \"t\"\ncodebook = \"whole-systems\"\n".to_vec());
        // Five people per country, so neither group is pooled.
        files.insert(
            "people.csv",
            b"id,name,country\na,A,UK\nb,B,UK\nc,C,India\nd,D,India\nu1,U1,UK\nu2,U2,UK\nu3,U3,UK\ni1,I1,India\ni2,I2,India\ni3,I3,India\n".to_vec(),
        );
        // a: purpose + power; b: purpose; c: purpose + power; d: power; the others neither.
        for (id, codes) in [
            ("a", "#common-purpose #share-power"),
            ("b", "#common-purpose"),
            ("c", "#common-purpose #share-power"),
            ("d", "#share-power"),
            ("u1", ""),
            ("u2", ""),
            ("u3", ""),
            ("i1", ""),
            ("i2", ""),
            ("i3", ""),
        ] {
            files.insert(format!("interviews/{id}.md"), format!("---\npeople: [{id}]\n---\n\n# Map\n\n- Work together {codes}\n").into_bytes());
        }
        let loaded = load_from(&files);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let study = loaded.study;
        let synthesis = synthesise(&study);
        let purpose = study.codebook.index_of("common-purpose").expect("theme");
        let power = study.codebook.index_of("share-power").expect("theme");
        let pairs = cooccurrence(&synthesis, &[purpose, power]);
        // 3 and 3 people, 2 both: 2 / (3 + 3 − 2) = 0.5.
        assert_eq!((pairs[0].first_people, pairs[0].second_people, pairs[0].both), (3, 3, 2));
        assert!((pairs[0].coefficient - 0.5).abs() < 1e-12);
        let groups = compare_groups(&study, &synthesis, "country", &[purpose, power]).expect("column");
        assert_eq!(groups.groups, vec!["India".to_string(), "UK".to_string()]);
        assert_eq!(groups.totals, vec![5, 5]);
        assert_eq!(groups.rows[0].counts, vec![1, 2]);
        assert!(groups.rows[0].sparse, "ten people: expected counts are below 5");
        assert!(groups.note.is_none());
        assert!(compare_groups(&study, &synthesis, "contry", &[purpose]).expect_err("unknown").to_string().contains("did you mean country"));
    }
}
