//! Inter-coder agreement: researchers code copies of the same interviews,
//! and these measures say how far their codes agree.
//!
//! Items are matched by interview id, kind (concept, quote, story, picture)
//! and position within that kind. An item whose text differs between the
//! copies, or that one copy lacks, is reported and left out: agreement is
//! only measured where the coders saw the same words. On each matched item a
//! theme is present when the coder tagged it explicitly (`#code`); inferred
//! codes are left out, since they come from the text rather than the coder.

use std::collections::{BTreeSet, HashMap};

use collabmap_study::{Interview, Study};

/// The cells of one 2 × 2 table: both coders, the first only, the second only, neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Table2x2 {
    /// Present for both.
    pub both: u32,
    /// Present for the first coder only.
    pub first_only: u32,
    /// Present for the second coder only.
    pub second_only: u32,
    /// Present for neither.
    pub neither: u32,
}

impl Table2x2 {
    fn total(&self) -> f64 {
        f64::from(self.both + self.first_only + self.second_only + self.neither)
    }

    /// Observed agreement, Po = (a + d) / n (`None` without items).
    pub fn agreement(&self) -> Option<f64> {
        let n = self.total();
        (n > 0.0).then(|| f64::from(self.both + self.neither) / n)
    }

    /// Cohen's kappa, (Po − Pe) / (1 − Pe) with
    /// Pe = ((a+b)(a+c) + (c+d)(b+d)) / n²; `None` where Pe = 1 (every item
    /// coded alike by both with no variation), where it is undefined.
    pub fn kappa(&self) -> Option<f64> {
        let n = self.total();
        if n == 0.0 {
            return None;
        }
        let (a, b, c, d) = (f64::from(self.both), f64::from(self.first_only), f64::from(self.second_only), f64::from(self.neither));
        let observed = (a + d) / n;
        let expected = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n);
        ((1.0 - expected).abs() > 1e-12).then(|| (observed - expected) / (1.0 - expected))
    }

    fn add(&mut self, first: bool, second: bool) {
        match (first, second) {
            (true, true) => self.both += 1,
            (true, false) => self.first_only += 1,
            (false, true) => self.second_only += 1,
            (false, false) => self.neither += 1,
        }
    }

    fn merge(&mut self, other: &Table2x2) {
        self.both += other.both;
        self.first_only += other.first_only;
        self.second_only += other.second_only;
        self.neither += other.neither;
    }
}

/// Krippendorff's alpha for nominal data: `units[u][c]` is coder c's value
/// for unit u, `None` where the coder gave none. Units with fewer than two
/// values are not pairable and are skipped. `None` when there is no
/// variation at all (expected disagreement 0).
pub fn krippendorff_alpha(units: &[Vec<Option<u32>>]) -> Option<f64> {
    let mut coincidence: HashMap<(u32, u32), f64> = HashMap::new();
    for unit in units {
        let values: Vec<u32> = unit.iter().flatten().copied().collect();
        let m = values.len();
        if m < 2 {
            continue;
        }
        for (i, &c) in values.iter().enumerate() {
            for (j, &k) in values.iter().enumerate() {
                if i != j {
                    *coincidence.entry((c, k)).or_default() += 1.0 / (m as f64 - 1.0);
                }
            }
        }
    }
    let mut marginal: HashMap<u32, f64> = HashMap::new();
    for (&(c, _), &o) in &coincidence {
        *marginal.entry(c).or_default() += o;
    }
    let n: f64 = marginal.values().sum();
    let observed: f64 = coincidence.iter().filter(|((c, k), _)| c != k).map(|(_, o)| o).sum();
    let expected: f64 = marginal.iter().flat_map(|(c, nc)| marginal.iter().filter(move |(k, _)| *k != c).map(move |(_, nk)| nc * nk)).sum();
    (expected > 0.0 && n > 1.0).then(|| 1.0 - (n - 1.0) * observed / expected)
}

/// Agreement on one theme.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeAgreement {
    /// The theme id.
    pub theme: String,
    /// The first two coders' 2 × 2 table.
    pub table: Table2x2,
    /// Percent agreement (0–1): between the first two, or the mean over every pair with three or more.
    pub agreement: Option<f64>,
    /// Cohen's kappa between the first two, or the mean over every pair (Light's kappa) with three or more.
    pub kappa: Option<f64>,
    /// Krippendorff's alpha over every coder (given with three or more).
    pub alpha: Option<f64>,
}

/// An item that could not be compared, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The interview.
    pub interview: String,
    /// concept, quote, story or picture.
    pub kind: &'static str,
    /// 1-based position among the interview's items of that kind (0: the whole interview).
    pub position: usize,
    /// What differs.
    pub message: String,
}

/// The agreement of two or more codings of the same interviews.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// Items compared.
    pub items: usize,
    /// Per theme, in the first study's codebook order, then themes only others used.
    pub themes: Vec<ThemeAgreement>,
    /// Over every theme and item together.
    pub overall: ThemeAgreement,
    /// Items left out, with the reason.
    pub differences: Vec<Difference>,
}

/// (kind, text, explicit codes) of every item of an interview, by kind.
fn items_by_kind(interview: &Interview) -> Vec<(&'static str, Vec<(String, BTreeSet<String>)>)> {
    let concepts = interview
        .concepts()
        .map(|(_, c)| (match &c.contrast { Some(other) => format!("{} ... {other}", c.pole), None => c.pole.clone() }, c.codes.iter().cloned().collect()))
        .collect();
    let quotes = interview.quotes.iter().map(|q| (q.text.clone(), q.codes.iter().cloned().collect())).collect();
    let stories = interview.stories.iter().map(|s| (format!("{}\n{}", s.title, s.body), s.codes.iter().cloned().collect())).collect();
    let pictures = interview.pictures.iter().map(|p| (p.explanation.clone(), p.codes.iter().cloned().collect())).collect();
    vec![("concept", concepts), ("quote", quotes), ("story", stories), ("picture", pictures)]
}

/// Compares the codings of `studies` (at least two).
pub fn agree(studies: &[&Study]) -> Agreement {
    let mut differences = Vec::new();
    // Matched items: for each, every coder's code set.
    let mut matched: Vec<Vec<BTreeSet<String>>> = Vec::new();
    let Some(first) = studies.first() else {
        return Agreement { items: 0, themes: Vec::new(), overall: empty_theme("overall"), differences };
    };
    let lookups: Vec<HashMap<&str, &Interview>> = studies.iter().map(|s| s.interviews.iter().map(|i| (i.id.as_str(), i)).collect()).collect();
    for interview in &first.interviews {
        let copies: Vec<Option<&&Interview>> = lookups.iter().map(|l| l.get(interview.id.as_str())).collect();
        if let Some(missing) = copies.iter().position(Option::is_none) {
            differences.push(Difference { interview: interview.id.clone(), kind: "interview", position: 0, message: format!("missing from study {}", missing + 1) });
            continue;
        }
        let per_copy: Vec<_> = copies.iter().flatten().map(|i| items_by_kind(i)).collect();
        for (k, (kind, _)) in per_copy[0].iter().enumerate() {
            let longest = per_copy.iter().map(|c| c[k].1.len()).max().unwrap_or(0);
            for position in 0..longest {
                let texts: Vec<Option<&String>> = per_copy.iter().map(|c| c[k].1.get(position).map(|(t, _)| t)).collect();
                if texts.iter().any(Option::is_none) {
                    differences.push(Difference { interview: interview.id.clone(), kind, position: position + 1, message: "present in some copies only".into() });
                    continue;
                }
                if texts.iter().any(|t| *t != texts[0]) {
                    differences.push(Difference { interview: interview.id.clone(), kind, position: position + 1, message: "the text differs between copies".into() });
                    continue;
                }
                matched.push(per_copy.iter().map(|c| c[k].1[position].1.clone()).collect());
            }
        }
    }
    // Themes: the first codebook's order, then any other code used.
    let mut themes: Vec<String> = first.codebook.themes().iter().map(|t| t.id.clone()).collect();
    let mut known: BTreeSet<String> = themes.iter().cloned().collect();
    for codes in matched.iter().flatten() {
        for code in codes {
            if known.insert(code.clone()) {
                themes.push(code.clone());
            }
        }
    }
    let coders = studies.len();
    let mut overall_table = Table2x2::default();
    let mut overall_pairs = vec![Table2x2::default(); coders * coders];
    let mut overall_units: Vec<Vec<Option<u32>>> = Vec::new();
    let mut rows = Vec::new();
    for theme in &themes {
        let present = |item: &Vec<BTreeSet<String>>, coder: usize| item[coder].contains(theme);
        let mut pairs = vec![Table2x2::default(); coders * coders];
        let mut units = Vec::with_capacity(matched.len());
        for item in &matched {
            for a in 0..coders {
                for b in a + 1..coders {
                    pairs[a * coders + b].add(present(item, a), present(item, b));
                }
            }
            units.push((0..coders).map(|c| Some(u32::from(present(item, c)))).collect::<Vec<_>>());
        }
        for (total, pair) in overall_pairs.iter_mut().zip(&pairs) {
            total.merge(pair);
        }
        overall_table.merge(&pairs[1]);
        let row = summarise(theme, &pairs, coders, &units);
        overall_units.extend(units);
        rows.push(row);
    }
    let mut overall = summarise("overall", &overall_pairs, coders, &overall_units);
    overall.table = overall_table;
    Agreement { items: matched.len(), themes: rows, overall, differences }
}

fn empty_theme(theme: &str) -> ThemeAgreement {
    ThemeAgreement { theme: theme.to_string(), table: Table2x2::default(), agreement: None, kappa: None, alpha: None }
}

fn summarise(theme: &str, pairs: &[Table2x2], coders: usize, units: &[Vec<Option<u32>>]) -> ThemeAgreement {
    let mut row = empty_theme(theme);
    if coders < 2 {
        return row;
    }
    row.table = pairs[1];
    if coders == 2 {
        row.agreement = row.table.agreement();
        row.kappa = row.table.kappa();
    } else {
        let all: Vec<&Table2x2> = (0..coders).flat_map(|a| (a + 1..coders).map(move |b| (a, b))).map(|(a, b)| &pairs[a * coders + b]).collect();
        let mean = |values: Vec<Option<f64>>| -> Option<f64> {
            let defined: Vec<f64> = values.into_iter().collect::<Option<Vec<f64>>>()?;
            (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64)
        };
        row.agreement = mean(all.iter().map(|t| t.agreement()).collect());
        row.kappa = mean(all.iter().map(|t| t.kappa()).collect());
        row.alpha = krippendorff_alpha(units);
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(both: u32, first_only: u32, second_only: u32, neither: u32) -> Table2x2 {
        Table2x2 { both, first_only, second_only, neither }
    }

    #[test]
    fn kappa_matches_the_textbook_examples() {
        // 50 grant proposals: 20 yes–yes, 5 yes–no, 10 no–yes, 15 no–no: Po 0.7, Pe 0.5, κ 0.4.
        let grants = table(20, 5, 10, 15);
        assert!((grants.agreement().expect("defined") - 0.7).abs() < 1e-12);
        assert!((grants.kappa().expect("defined") - 0.4).abs() < 1e-12);
        // 45, 15, 25, 15 of 100: Po 0.60, Pe 0.54, κ 0.1304.
        let second = table(45, 15, 25, 15);
        assert!((second.kappa().expect("defined") - 0.06 / 0.46).abs() < 1e-12);
        // Degenerate: every item coded present by both, or absent by both: Pe = 1, κ undefined.
        assert_eq!(table(10, 0, 0, 0).kappa(), None);
        assert_eq!(table(0, 0, 0, 10).kappa(), None);
        assert_eq!(table(0, 0, 0, 10).agreement(), Some(1.0));
        // Perfect agreement with variation is 1; systematic disagreement is −1.
        assert_eq!(table(5, 0, 0, 5).kappa(), Some(1.0));
        assert_eq!(table(0, 5, 5, 0).kappa(), Some(-1.0));
        assert_eq!(table(0, 0, 0, 0).kappa(), None);
    }

    #[test]
    fn alpha_matches_krippendorffs_worked_example() {
        // Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units,
        // nominal values with gaps; alpha = 0.743.
        let coders: [[Option<u32>; 12]; 4] = [
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(1), Some(4), Some(1), Some(2), None, None, None],
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(2), Some(4), Some(1), Some(2), Some(5), None, Some(3)],
            [None, Some(3), Some(3), Some(3), Some(2), Some(3), Some(4), Some(2), Some(2), Some(5), Some(1), None],
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(4), Some(4), Some(1), Some(2), Some(5), Some(1), None],
        ];
        let units: Vec<Vec<Option<u32>>> = (0..12).map(|u| coders.iter().map(|c| c[u]).collect()).collect();
        let alpha = krippendorff_alpha(&units).expect("defined");
        assert!((alpha - 0.743).abs() < 0.0005, "{alpha}");
        // No variation at all: undefined.
        assert_eq!(krippendorff_alpha(&[vec![Some(1), Some(1)], vec![Some(1), Some(1)]]), None);
    }
}
