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
    alpha_from_coincidence(&coincidence)
}

/// Alpha from a coincidence matrix: 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k.
fn alpha_from_coincidence(coincidence: &HashMap<(u32, u32), f64>) -> Option<f64> {
    let mut marginal: HashMap<u32, f64> = HashMap::new();
    for (&(c, _), &o) in coincidence {
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

/// One kind of item (concept, quote, …) and each item's text and explicit codes, in order.
type ItemsOfKind = (&'static str, Vec<(String, BTreeSet<String>)>);

/// Every item of an interview, by kind.
fn items_by_kind(interview: &Interview) -> Vec<ItemsOfKind> {
    let concepts = interview.concepts().map(|(_, c)| (c.text(), c.codes.iter().cloned().collect())).collect();
    let quotes = interview.quotes.iter().map(|q| (q.text.clone(), q.codes.iter().cloned().collect())).collect();
    let stories = interview.stories.iter().map(|s| (format!("{}\n{}", s.title, s.body), s.codes.iter().cloned().collect())).collect();
    let pictures = interview.pictures.iter().map(|p| (p.explanation.clone(), p.codes.iter().cloned().collect())).collect();
    vec![("concept", concepts), ("quote", quotes), ("story", stories), ("picture", pictures)]
}

/// Running counts for one theme: the 2 × 2 table of every pair of coders,
/// and the binary coincidence counts (absent–absent, absent–present,
/// present–present) for Krippendorff's alpha.
#[derive(Debug, Clone)]
struct ThemeCounts {
    coders: usize,
    pairs: Vec<Table2x2>,
    coincidence: [f64; 3],
}

impl ThemeCounts {
    fn new(coders: usize) -> Self {
        ThemeCounts { coders, pairs: vec![Table2x2::default(); coders * coders], coincidence: [0.0; 3] }
    }

    fn add(&mut self, present: &[bool]) {
        let coders = present.len();
        for a in 0..coders {
            for b in a + 1..coders {
                self.pairs[a * coders + b].add(present[a], present[b]);
            }
        }
        // Each item is a unit with one value per coder: its ordered pairs of values, weighted 1/(m − 1).
        let yes = present.iter().filter(|&&p| p).count() as f64;
        let no = coders as f64 - yes;
        let weight = 1.0 / (coders as f64 - 1.0);
        self.coincidence[0] += no * (no - 1.0) * weight;
        self.coincidence[1] += yes * no * weight;
        self.coincidence[2] += yes * (yes - 1.0) * weight;
    }

    /// Adds `times` items on which no coder marked the theme.
    fn add_absent(&mut self, times: usize) {
        let coders = self.coders;
        for a in 0..coders {
            for b in a + 1..coders {
                self.pairs[a * coders + b].neither += times as u32;
            }
        }
        self.coincidence[0] += times as f64 * coders as f64;
    }

    fn merge(&mut self, other: &ThemeCounts) {
        for (mine, theirs) in self.pairs.iter_mut().zip(&other.pairs) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.coincidence.iter_mut().zip(other.coincidence) {
            *mine += theirs;
        }
    }

    fn alpha(&self) -> Option<f64> {
        let [absent, mixed, present] = self.coincidence;
        let coincidence: HashMap<(u32, u32), f64> = [((0, 0), absent), ((0, 1), mixed), ((1, 0), mixed), ((1, 1), present)].into_iter().collect();
        alpha_from_coincidence(&coincidence)
    }
}

/// Compares the codings of `studies` (at least two). Items are counted as
/// they are matched, so memory stays that of the studies themselves.
pub fn agree(studies: &[&Study]) -> Agreement {
    let mut differences = Vec::new();
    let Some(first) = studies.first() else {
        return Agreement { items: 0, themes: Vec::new(), overall: empty_theme("overall"), differences };
    };
    let coders = studies.len();
    // Themes: the first codebook's order, then any other code used, as met.
    let mut themes: Vec<String> = first.codebook.themes().iter().map(|t| t.id.clone()).collect();
    let mut index: HashMap<String, usize> = themes.iter().enumerate().map(|(i, t)| (t.clone(), i)).collect();
    let mut counts: Vec<ThemeCounts> = vec![ThemeCounts::new(coders); themes.len()];
    // Items on which some coder marked each theme; on every other item the theme is absent for all.
    let mut touched_items: Vec<usize> = vec![0; themes.len()];
    let mut items = 0usize;
    let mut item_themes: Vec<BTreeSet<usize>> = Vec::new();
    let lookups: Vec<HashMap<&str, &Interview>> = studies.iter().map(|s| s.interviews.iter().map(|i| (i.id.as_str(), &**i)).collect()).collect();
    let mut present = vec![false; coders];
    for interview in &first.interviews {
        let copies: Vec<Option<&&Interview>> = lookups.iter().map(|l| l.get(interview.id.as_str())).collect();
        if let Some(missing) = copies.iter().position(Option::is_none) {
            differences.push(Difference {
                interview: interview.id.clone(),
                kind: "interview",
                position: 0,
                message: format!("missing from study {}", missing + 1),
            });
            continue;
        }
        let per_copy: Vec<_> = copies.iter().flatten().map(|i| items_by_kind(i)).collect();
        for (k, (kind, _)) in per_copy[0].iter().enumerate() {
            let longest = per_copy.iter().map(|c| c[k].1.len()).max().unwrap_or(0);
            for position in 0..longest {
                let texts: Vec<Option<&String>> = per_copy.iter().map(|c| c[k].1.get(position).map(|(t, _)| t)).collect();
                if texts.iter().any(Option::is_none) {
                    differences.push(Difference {
                        interview: interview.id.clone(),
                        kind,
                        position: position + 1,
                        message: "present in some copies only".into(),
                    });
                    continue;
                }
                if texts.iter().any(|t| *t != texts[0]) {
                    differences.push(Difference {
                        interview: interview.id.clone(),
                        kind,
                        position: position + 1,
                        message: "the text differs between copies".into(),
                    });
                    continue;
                }
                items += 1;
                item_themes.clear();
                for copy in &per_copy {
                    let mut marked = BTreeSet::new();
                    for code in &copy[k].1[position].1 {
                        let next = themes.len();
                        let theme = *index.entry(code.clone()).or_insert(next);
                        if theme == next {
                            themes.push(code.clone());
                            counts.push(ThemeCounts::new(coders));
                            touched_items.push(0);
                        }
                        marked.insert(theme);
                    }
                    item_themes.push(marked);
                }
                let touched: BTreeSet<usize> = item_themes.iter().flatten().copied().collect();
                for &theme in &touched {
                    for (coder, marked) in item_themes.iter().enumerate() {
                        present[coder] = marked.contains(&theme);
                    }
                    counts[theme].add(&present);
                    touched_items[theme] += 1;
                }
            }
        }
    }
    for (count, touched) in counts.iter_mut().zip(&touched_items) {
        count.add_absent(items - touched);
    }
    let mut overall_counts = ThemeCounts::new(coders);
    let mut rows = Vec::new();
    for (theme, count) in themes.iter().zip(&counts) {
        overall_counts.merge(count);
        rows.push(summarise(theme, count, coders));
    }
    let overall = summarise("overall", &overall_counts, coders);
    Agreement { items, themes: rows, overall, differences }
}

fn empty_theme(theme: &str) -> ThemeAgreement {
    ThemeAgreement { theme: theme.to_string(), table: Table2x2::default(), agreement: None, kappa: None, alpha: None }
}

fn summarise(theme: &str, counts: &ThemeCounts, coders: usize) -> ThemeAgreement {
    let mut row = empty_theme(theme);
    if coders < 2 {
        return row;
    }
    let pairs = &counts.pairs;
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
        row.alpha = counts.alpha();
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
        // The running binary counts give the same alpha as the general computation.
        let rows: [[bool; 3]; 6] =
            [[true, true, false], [false, false, false], [true, true, true], [false, true, false], [false, false, false], [true, false, true]];
        let mut counts = ThemeCounts::new(3);
        for row in &rows {
            counts.add(row);
        }
        counts.add_absent(4);
        let mut units: Vec<Vec<Option<u32>>> = rows.iter().map(|r| r.iter().map(|&p| Some(u32::from(p))).collect()).collect();
        units.extend((0..4).map(|_| vec![Some(0); 3]));
        let general = krippendorff_alpha(&units).expect("defined");
        assert!((counts.alpha().expect("defined") - general).abs() < 1e-12);
        // No variation at all: undefined.
        assert_eq!(krippendorff_alpha(&[vec![Some(1), Some(1)], vec![Some(1), Some(1)]]), None);
    }
}
