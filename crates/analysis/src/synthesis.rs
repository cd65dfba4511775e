//! One pass over the interviews: who mentions each theme, in which projects,
//! and which theme links the maps support.

use std::collections::HashMap;

use collabmap_study::{Interview, Item, Study};
use fixedbitset::FixedBitSet;
use rayon::prelude::*;
use serde::Serialize;

use crate::coding::{CodeOnItem, Coding, InterviewCoding, attributed};

/// One row of the mention table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MentionRow {
    /// Code id.
    pub theme: String,
    /// Code name.
    pub name: String,
    /// People who mention the theme.
    pub people: u32,
    /// People who attended at least one interview.
    pub out_of: u32,
    /// 100 × people / out_of, rounded half up to one decimal.
    pub percent: f64,
    /// Distinct projects in which an item coded with the theme is attributed to someone.
    pub projects: u32,
    /// People who mention the theme only through inferred codes.
    pub inferred: u32,
    /// Whether the row is a model theme (what `table` shows without `--all`).
    #[serde(skip)]
    pub model: bool,
}

/// The mention table: every codebook entry, most mentioned first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MentionTable {
    /// Rows sorted by people descending, then theme id.
    pub rows: Vec<MentionRow>,
    /// People who attended at least one interview.
    pub out_of: u32,
}

impl MentionTable {
    /// The rows `collabmap table` shows: model themes, or every entry with `all`.
    pub fn shown(&self, all: bool) -> impl Iterator<Item = &MentionRow> {
        self.rows.iter().filter(move |r| all || r.model)
    }

    /// The row of `theme`.
    pub fn row(&self, theme: &str) -> Option<&MentionRow> {
        self.rows.iter().find(|r| r.theme == theme)
    }
}

/// A theme link (means → end) and the people who support it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeLinkSupport {
    /// Codebook index of the means theme.
    pub from: usize,
    /// Codebook index of the end theme.
    pub to: usize,
    /// Indices into `study.people` of the distinct supporters, ascending.
    pub supporters: Vec<u32>,
    /// Indices into `study.interviews` of the interviews whose maps state the link, ascending.
    pub interviews: Vec<u32>,
}

impl ThemeLinkSupport {
    /// The link's weight: distinct supporters.
    pub fn weight(&self) -> u32 {
        self.supporters.len() as u32
    }
}

/// Everything one pass over the interviews yields.
#[derive(Debug, Clone)]
pub struct Synthesis {
    /// The mention table.
    pub table: MentionTable,
    /// For each codebook entry, the people (indices into `study.people`) who mention it.
    pub mentions: Vec<FixedBitSet>,
    /// The people who attended at least one interview.
    pub attended: FixedBitSet,
    /// Every theme link with at least one supporter, heaviest first.
    pub links: Vec<ThemeLinkSupport>,
    /// Every item's codes, found once for this synthesis; evidence, search
    /// and exports read them here rather than coding again.
    pub coding: Coding,
}

/// Running totals, kept per worker thread and merged at the end.
struct Totals {
    mentioned: Vec<FixedBitSet>,
    explicit: Vec<FixedBitSet>,
    projects: Vec<FixedBitSet>,
    attended: FixedBitSet,
    links: HashMap<(usize, usize), (Vec<u32>, Vec<u32>)>,
}

impl Totals {
    fn new(themes: usize, people: usize, projects: usize) -> Self {
        Totals {
            mentioned: vec![FixedBitSet::with_capacity(people); themes],
            explicit: vec![FixedBitSet::with_capacity(people); themes],
            projects: vec![FixedBitSet::with_capacity(projects); themes],
            attended: FixedBitSet::with_capacity(people),
            links: HashMap::new(),
        }
    }

    fn merge(mut self, other: Totals) -> Totals {
        for (mine, theirs) in [(&mut self.mentioned, &other.mentioned), (&mut self.explicit, &other.explicit), (&mut self.projects, &other.projects)] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.union_with(b);
            }
        }
        self.attended.union_with(&other.attended);
        for (key, (mut people, mut interviews)) in other.links {
            let mine = self.links.entry(key).or_default();
            mine.0.append(&mut people);
            mine.1.append(&mut interviews);
        }
        self
    }
}

/// Indices of people and projects by id.
pub(crate) struct Index<'s> {
    pub(crate) people: HashMap<&'s str, u32>,
    pub(crate) projects: HashMap<&'s str, u32>,
}

impl<'s> Index<'s> {
    pub(crate) fn new(study: &'s Study) -> Self {
        Index {
            people: study.people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i as u32)).collect(),
            projects: study.projects.iter().enumerate().map(|(i, p)| (p.id.as_str(), i as u32)).collect(),
        }
    }

    fn people_of<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<u32> {
        ids.into_iter().filter_map(|id| self.people.get(id).copied()).collect()
    }
}

/// Counts mentions and theme links over the whole study.
pub fn synthesise(study: &Study) -> Synthesis {
    let codebook = &study.codebook;
    let coding = Coding::of(study);
    let index = Index::new(study);
    let projection: Vec<Option<usize>> = (0..codebook.len()).map(|t| codebook.projection(t)).collect();
    let empty = || Totals::new(codebook.len(), study.people.len(), study.projects.len());
    let totals = study
        .interviews
        .par_iter()
        .enumerate()
        .fold(empty, |mut totals, (number, interview)| {
            count_interview(study, number as u32, interview, coding.interview(number), &index, &projection, &mut totals);
            totals
        })
        .reduce(empty, Totals::merge);

    let out_of = totals.attended.count_ones(..) as u32;
    let mut rows: Vec<MentionRow> = codebook
        .themes()
        .iter()
        .enumerate()
        .map(|(t, theme)| {
            let people = totals.mentioned[t].count_ones(..) as u32;
            let explicit = totals.explicit[t].count_ones(..) as u32;
            MentionRow {
                theme: theme.id.clone(),
                name: theme.name.clone(),
                people,
                out_of,
                percent: percent(people, out_of),
                projects: totals.projects[t].count_ones(..) as u32,
                inferred: people - explicit,
                model: theme.model,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.people.cmp(&a.people).then_with(|| a.theme.cmp(&b.theme)));

    let mut links: Vec<ThemeLinkSupport> = totals
        .links
        .into_iter()
        .map(|((from, to), (mut supporters, mut interviews))| {
            supporters.sort_unstable();
            supporters.dedup();
            interviews.sort_unstable();
            interviews.dedup();
            ThemeLinkSupport { from, to, supporters, interviews }
        })
        .collect();
    links.sort_by(|a, b| {
        b.weight()
            .cmp(&a.weight())
            .then_with(|| codebook.themes()[a.from].id.cmp(&codebook.themes()[b.from].id))
            .then_with(|| codebook.themes()[a.to].id.cmp(&codebook.themes()[b.to].id))
    });
    Synthesis { table: MentionTable { rows, out_of }, mentions: totals.mentioned, attended: totals.attended, links, coding }
}

/// 100 × part / whole rounded half up to one decimal, computed in integers so
/// that 2/3 gives 66.7 on every machine.
pub fn percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let tenths = (1000 * u64::from(part) + u64::from(whole) / 2) / u64::from(whole);
    tenths as f64 / 10.0
}

fn count_interview(
    study: &Study,
    number: u32,
    interview: &Interview,
    coding: &InterviewCoding,
    index: &Index<'_>,
    projection: &[Option<usize>],
    totals: &mut Totals,
) {
    let group_agreement = study.config.counting.group_agreement;
    let projects: Vec<u32> = interview.projects.iter().filter_map(|p| index.projects.get(p.as_str()).copied()).collect();
    for person in index.people_of(interview.people.iter().map(String::as_str)) {
        totals.attended.insert(person as usize);
    }
    // Each item is coded and attributed once; concepts keep theirs for the theme-link walk.
    let size = interview.map.len();
    let mut themes: Vec<Vec<usize>> = vec![Vec::new(); size];
    let mut people: Vec<Vec<u32>> = vec![Vec::new(); size];
    let mut count = |item: Item<'_>, codes: &[CodeOnItem]| -> Vec<u32> {
        let attributed_to = index.people_of(attributed(interview, &item, group_agreement));
        if !attributed_to.is_empty() {
            for code in codes {
                let theme = code.code;
                for &person in &attributed_to {
                    totals.mentioned[theme].insert(person as usize);
                    if !code.inferred() {
                        totals.explicit[theme].insert(person as usize);
                    }
                }
                for &project in &projects {
                    totals.projects[theme].insert(project as usize);
                }
            }
        }
        attributed_to
    };
    for (node, concept) in interview.concepts() {
        let codes = coding.concept(node);
        let attributed_to = count(concept.item(), codes);
        let mut projected: Vec<usize> = codes.iter().filter_map(|c| projection[c.code]).collect();
        projected.sort_unstable();
        projected.dedup();
        themes[node] = projected;
        people[node] = attributed_to;
    }
    for (position, item) in interview.items_beside_the_map() {
        count(item, coding.item(item.kind, position));
    }
    link_themes(number, interview, &themes, &people, totals);
}

/// The theme links one map supports, given each concept's projected themes and people.
///
/// From each concept with themes, walk up the positive links (tree links and
/// cross-links), never visiting a concept twice and never ending at the start;
/// each path stops at the first concept with themes.
fn link_themes(number: u32, interview: &Interview, themes: &[Vec<usize>], people: &[Vec<u32>], totals: &mut Totals) {
    let size = interview.map.len();
    let mut ups: Vec<Vec<usize>> = vec![Vec::new(); size];
    for link in interview.links().filter(|l| !l.negative) {
        ups[link.means].push(link.end);
    }
    // Visit marks are stamped with the walk number so the buffer is never cleared.
    let mut visited = vec![usize::MAX; size];
    let mut stack = Vec::new();
    for start in 0..size {
        if themes[start].is_empty() || people[start].is_empty() {
            continue;
        }
        visited[start] = start;
        stack.clear();
        stack.extend(ups[start].iter().copied());
        while let Some(node) = stack.pop() {
            if visited[node] == start {
                continue;
            }
            visited[node] = start;
            if themes[node].is_empty() {
                stack.extend(ups[node].iter().copied());
                continue;
            }
            for &from in &themes[start] {
                for &to in &themes[node] {
                    if from != to {
                        let link = totals.links.entry((from, to)).or_default();
                        link.0.extend_from_slice(&people[start]);
                        if link.1.last() != Some(&number) {
                            link.1.push(number);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percent_rounds_half_up_to_one_decimal() {
        assert_eq!(percent(66, 69), 95.7);
        assert_eq!(percent(19, 30), 63.3);
        assert_eq!(percent(1, 8), 12.5);
        assert_eq!(percent(1, 16), 6.3);
        assert_eq!(percent(0, 0), 0.0);
    }
}
