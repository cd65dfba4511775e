//! One pass over the interviews: who mentions each theme, in which projects,
//! and which theme links the maps support.

use std::collections::HashMap;
use std::sync::Arc;

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

/// What one interview adds to the counts, whatever its place in the study:
/// its items' codes, and who it credits for which theme, project and link.
///
/// A contribution depends on the interview and on its context (codebook,
/// counting settings, the order of people and projects), never on other
/// interviews; the counts are the union of every interview's contribution.
/// That is what lets [`synthesise_reusing`] keep the contributions of the
/// interviews a save did not touch.
#[derive(Debug, Clone, Default)]
struct Contribution {
    coding: Arc<InterviewCoding>,
    /// People (indices into `study.people`) who attended.
    attended: Vec<u32>,
    /// (theme, person) credited, and those credited explicitly.
    mentioned: Vec<(u32, u32)>,
    explicit: Vec<(u32, u32)>,
    /// (theme, project) with an attributed item.
    projects: Vec<(u32, u32)>,
    /// The theme links its map states, with their supporters (with repeats).
    links: Vec<((usize, usize), Vec<u32>)>,
}

/// What an earlier synthesis kept for the next: every interview's
/// contribution, and the counts of each run of interviews.
///
/// Interviews are matched by identity: a study loaded with `load_reusing`
/// shares the `Arc` of every interview whose file did not change, and the
/// memo holds those `Arc`s so their addresses cannot be taken by other
/// interviews while kept. Runs end where an interview's file name hashes to
/// a boundary (see [`run_ends_after`]), so an edit, an added interview or a
/// removed one changes one run and leaves the others to be reused whole.
#[derive(Debug, Clone, Default)]
pub struct SynthesisMemo {
    context: u128,
    interviews: Vec<Arc<Interview>>,
    contributions: Vec<Arc<Contribution>>,
    /// Whether a run may end after each interview (see [`run_ends_after`]),
    /// kept because hashing every name again means reaching every interview.
    ends: Vec<bool>,
    /// Runs in order: where each starts in `interviews`, and its counts.
    runs: Vec<(usize, Arc<RunCounts>)>,
    /// Interviews a run holds on average (0: [`RUN`]).
    run_length: u64,
    /// Runs the synthesis that made this memo counted afresh.
    recounted: usize,
}

impl SynthesisMemo {
    /// An empty memo whose runs hold `interviews` on average (at least 1).
    /// Shorter runs make a save recount less and the merge of runs cost
    /// more; the default suits studies of any size, and tests use short
    /// runs to have many.
    pub fn with_run_length(interviews: u64) -> SynthesisMemo {
        SynthesisMemo { run_length: interviews.max(1), ..SynthesisMemo::default() }
    }

    /// How many runs of interviews the counts were merged from.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// How many of those runs were counted afresh rather than reused: after
    /// a save of one interview under an unchanged context, one or two.
    pub fn runs_recounted(&self) -> usize {
        self.recounted
    }
}

/// What a run of consecutive interviews adds to the counts: the union of
/// their contributions, each list sorted and without repeats.
#[derive(Debug, Default)]
struct RunCounts {
    len: usize,
    attended: Vec<u32>,
    mentioned: Vec<(u32, u32)>,
    explicit: Vec<(u32, u32)>,
    projects: Vec<(u32, u32)>,
    links: Vec<RunLink>,
}

/// A theme link as a run supports it.
#[derive(Debug)]
struct RunLink {
    /// (means, end) codebook indices.
    key: (usize, usize),
    /// People supporting it, ascending.
    supporters: Vec<u32>,
    /// Interviews stating it, as positions within the run, ascending.
    interviews: Vec<u32>,
}

/// A run as one synthesis counted it: its contributions (kept only for a
/// memo), its interviews' codes and its counts.
struct CountedRun {
    contributions: Vec<Arc<Contribution>>,
    codings: Vec<Arc<InterviewCoding>>,
    counts: Arc<RunCounts>,
}

impl RunCounts {
    fn of(contributions: &[Arc<Contribution>]) -> RunCounts {
        let mut run = RunCounts { len: contributions.len(), ..RunCounts::default() };
        let mut links: foldhash::HashMap<(usize, usize), (Vec<u32>, Vec<u32>)> = foldhash::HashMap::default();
        for (position, contribution) in contributions.iter().enumerate() {
            run.attended.extend_from_slice(&contribution.attended);
            run.mentioned.extend_from_slice(&contribution.mentioned);
            run.explicit.extend_from_slice(&contribution.explicit);
            run.projects.extend_from_slice(&contribution.projects);
            for (key, supporters) in &contribution.links {
                let link = links.entry(*key).or_default();
                link.0.extend_from_slice(supporters);
                link.1.push(position as u32);
            }
        }
        run.attended.sort_unstable();
        run.attended.dedup();
        for pairs in [&mut run.mentioned, &mut run.explicit, &mut run.projects] {
            pairs.sort_unstable();
            pairs.dedup();
        }
        run.links = links
            .into_iter()
            .map(|(key, (mut supporters, interviews))| {
                supporters.sort_unstable();
                supporters.dedup();
                // Positions were pushed in order, once per contribution.
                RunLink { key, supporters, interviews }
            })
            .collect();
        run
    }
}

/// Interviews a run holds on average: small enough that recounting the run
/// of one edited interview is cheap, large enough that merging the runs'
/// counts is. A run is also cut at 64 times the average whatever the names,
/// so that no choice of names makes one run the whole study (by chance a run
/// grows that long about once in e^64).
const RUN: u64 = 1024;

/// Whether a run of `run_length` interviews on average ends after the
/// interview in `file`: decided by the file's name alone (a fixed hash), so
/// runs keep their bounds when interviews elsewhere are added or removed.
fn run_ends_after(file: &str, run_length: u64) -> bool {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x636f_6c6c_6162_6d61).hash_one(file).is_multiple_of(run_length)
}

/// Indices of people and projects by id.
pub(crate) struct Index<'s> {
    pub(crate) people: foldhash::HashMap<&'s str, u32>,
    pub(crate) projects: foldhash::HashMap<&'s str, u32>,
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
    synthesise_reusing(study, 0, &SynthesisMemo::default()).0
}

/// Counts like [`synthesise`], taking from `memo` the contribution of every
/// interview it holds (the same `Arc`) and the counts of every run it holds
/// unchanged, under the same `context`; returns the memo for the next
/// synthesis. `context` must change whenever anything but the interviews
/// does: [`collabmap_study::ParseMemo::context`] is such a digest. With
/// `context` 0 nothing is reused or kept. The result equals `synthesise`'s.
pub fn synthesise_reusing(study: &Study, context: u128, memo: &SynthesisMemo) -> (Synthesis, SynthesisMemo) {
    let codebook = &study.codebook;
    let keep = context != 0;
    let empty = SynthesisMemo::default();
    let run_length = if memo.run_length == 0 { RUN } else { memo.run_length };
    let memo = if keep && memo.context == context { memo } else { &empty };
    let earlier = match_earlier(&study.interviews, &memo.interviews);
    let ends: Vec<bool> = study
        .interviews
        .iter()
        .zip(&earlier)
        .map(|(interview, before)| match before {
            Some(before) => memo.ends[*before],
            None => run_ends_after(&interview.file, run_length),
        })
        .collect();
    let runs = runs_of(&ends, run_length);
    let earlier_runs: foldhash::HashMap<usize, &Arc<RunCounts>> = memo.runs.iter().map(|(start, run)| (*start, run)).collect();

    let coder = Coding::coder(study);
    let index = Index::new(study);
    let projection: Vec<Option<usize>> = (0..codebook.len()).map(|t| codebook.projection(t)).collect();
    let contribution_of = |at: usize| match earlier[at] {
        Some(before) => memo.contributions[before].clone(),
        None => {
            let interview = &study.interviews[at];
            Arc::new(contribute(study, interview, Arc::new(InterviewCoding::of(&coder, interview)), &index, &projection))
        }
    };
    // A run is reused when it is an earlier run, interview for interview.
    let reused = |start: usize, end: usize| -> Option<Arc<RunCounts>> {
        let before = earlier[start]?;
        let run = earlier_runs.get(&before)?;
        (run.len == end - start && (start..end).all(|at| earlier[at] == Some(before + at - start))).then(|| (*run).clone())
    };
    // Runs are counted in parallel; without a memo to fill, a run's
    // contributions are dropped once counted, so memory stays at the codes.
    let recounted = std::sync::atomic::AtomicUsize::new(0);
    let counted: Vec<CountedRun> = runs
        .par_iter()
        .map(|&(start, end)| {
            let contributions: Vec<Arc<Contribution>> = (start..end).map(contribution_of).collect();
            let run = reused(start, end).unwrap_or_else(|| {
                recounted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Arc::new(RunCounts::of(&contributions))
            });
            let codings = contributions.iter().map(|c| c.coding.clone()).collect();
            CountedRun { contributions: if keep { contributions } else { Vec::new() }, codings, counts: run }
        })
        .collect();

    let (people, projects) = (study.people.len(), study.projects.len());
    let mut mentioned = vec![FixedBitSet::with_capacity(people); codebook.len()];
    let mut explicit = vec![FixedBitSet::with_capacity(people); codebook.len()];
    let mut in_projects = vec![FixedBitSet::with_capacity(projects); codebook.len()];
    let mut attended = FixedBitSet::with_capacity(people);
    let mut link_support: foldhash::HashMap<(usize, usize), (FixedBitSet, Vec<u32>)> = foldhash::HashMap::default();
    let mut codings = Vec::with_capacity(study.interviews.len());
    let mut contributions = Vec::with_capacity(if keep { study.interviews.len() } else { 0 });
    let mut kept_runs = Vec::with_capacity(if keep { runs.len() } else { 0 });
    for (&(start, _), CountedRun { contributions: run_contributions, codings: run_codings, counts: run }) in runs.iter().zip(counted) {
        attended.extend(run.attended.iter().map(|&p| p as usize));
        for (sets, pairs) in [(&mut mentioned, &run.mentioned), (&mut explicit, &run.explicit), (&mut in_projects, &run.projects)] {
            for &(theme, member) in pairs {
                sets[theme as usize].insert(member as usize);
            }
        }
        for RunLink { key, supporters, interviews } in &run.links {
            let link = link_support.entry(*key).or_insert_with(|| (FixedBitSet::with_capacity(people), Vec::new()));
            link.0.extend(supporters.iter().map(|&p| p as usize));
            link.1.extend(interviews.iter().map(|&at| at + start as u32));
        }
        codings.extend(run_codings);
        if keep {
            contributions.extend(run_contributions);
            kept_runs.push((start, run));
        }
    }

    let out_of = attended.count_ones(..) as u32;
    let mut rows: Vec<MentionRow> = codebook
        .themes()
        .iter()
        .enumerate()
        .map(|(t, theme)| {
            let people = mentioned[t].count_ones(..) as u32;
            let explicitly = explicit[t].count_ones(..) as u32;
            MentionRow {
                theme: theme.id.clone(),
                name: theme.name.clone(),
                people,
                out_of,
                percent: percent(people, out_of),
                projects: in_projects[t].count_ones(..) as u32,
                inferred: people - explicitly,
                model: theme.model,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.people.cmp(&a.people).then_with(|| a.theme.cmp(&b.theme)));

    let mut links: Vec<ThemeLinkSupport> = link_support
        .into_iter()
        .map(|((from, to), (supporters, interviews))| {
            // Runs come in order and each lists its interviews in order.
            ThemeLinkSupport { from, to, supporters: supporters.ones().map(|p| p as u32).collect(), interviews }
        })
        .collect();
    links.sort_by(|a, b| {
        b.weight()
            .cmp(&a.weight())
            .then_with(|| codebook.themes()[a.from].id.cmp(&codebook.themes()[b.from].id))
            .then_with(|| codebook.themes()[a.to].id.cmp(&codebook.themes()[b.to].id))
    });
    let coding = Coding::from_parts(codings, coder.phrases().to_vec());
    let next = SynthesisMemo {
        context: if keep { context } else { 0 },
        interviews: if keep { study.interviews.clone() } else { Vec::new() },
        ends: if keep { ends } else { Vec::new() },
        contributions,
        runs: kept_runs,
        run_length,
        recounted: recounted.into_inner(),
    };
    (Synthesis { table: MentionTable { rows, out_of }, mentions: mentioned, attended, links, coding }, next)
}

/// For each interview, its position in `before` when it is the same
/// interview (the same `Arc`). Both lists are in file order, so one walk
/// through both finds them; an interview out of order is simply not matched
/// (and counted again).
fn match_earlier(now: &[Arc<Interview>], before: &[Arc<Interview>]) -> Vec<Option<usize>> {
    let mut matched = Vec::with_capacity(now.len());
    let mut next = 0;
    for interview in now {
        while next < before.len() && !Arc::ptr_eq(&before[next], interview) && before[next].file < interview.file {
            next += 1;
        }
        if next < before.len() && Arc::ptr_eq(&before[next], interview) {
            matched.push(Some(next));
            next += 1;
        } else {
            matched.push(None);
        }
    }
    matched
}

/// The runs of interviews, as (start, end) positions, given where runs may
/// end (see [`run_ends_after`]).
fn runs_of(ends: &[bool], run_length: u64) -> Vec<(usize, usize)> {
    let longest = usize::try_from(run_length.saturating_mul(64)).unwrap_or(usize::MAX);
    let mut runs = Vec::new();
    let mut start = 0;
    for (at, &end) in ends.iter().enumerate() {
        if at + 1 - start >= longest || end {
            runs.push((start, at + 1));
            start = at + 1;
        }
    }
    if start < ends.len() {
        runs.push((start, ends.len()));
    }
    runs
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

/// What `interview` adds to the counts (see [`Contribution`]).
fn contribute(study: &Study, interview: &Interview, coding: Arc<InterviewCoding>, index: &Index<'_>, projection: &[Option<usize>]) -> Contribution {
    let group_agreement = study.config.counting.group_agreement;
    let projects: Vec<u32> = interview.projects.iter().filter_map(|p| index.projects.get(p.as_str()).copied()).collect();
    let mut found = Contribution { attended: index.people_of(interview.people.iter().map(String::as_str)), ..Contribution::default() };
    // Each item is coded and attributed once; concepts keep theirs for the theme-link walk.
    let size = interview.map.len();
    let mut themes: Vec<Vec<usize>> = vec![Vec::new(); size];
    let mut people: Vec<Vec<u32>> = vec![Vec::new(); size];
    let mut count = |item: Item<'_>, codes: &[CodeOnItem]| -> Vec<u32> {
        let attributed_to = index.people_of(attributed(interview, &item, group_agreement));
        if !attributed_to.is_empty() {
            for code in codes {
                let theme = code.code as u32;
                for &person in &attributed_to {
                    found.mentioned.push((theme, person));
                    if !code.inferred() {
                        found.explicit.push((theme, person));
                    }
                }
                for &project in &projects {
                    found.projects.push((theme, project));
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
    for pairs in [&mut found.mentioned, &mut found.explicit, &mut found.projects] {
        pairs.sort_unstable();
        pairs.dedup();
    }
    found.links = link_themes(interview, &themes, &people);
    found.coding = coding;
    found
}

/// The theme links one map supports, given each concept's projected themes and people.
///
/// From each concept with themes, walk up the positive links (tree links and
/// cross-links), never visiting a concept twice and never ending at the start;
/// each path stops at the first concept with themes.
fn link_themes(interview: &Interview, themes: &[Vec<usize>], people: &[Vec<u32>]) -> Vec<((usize, usize), Vec<u32>)> {
    let mut links: HashMap<(usize, usize), Vec<u32>> = HashMap::new();
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
                        links.entry((from, to)).or_default().extend_from_slice(&people[start]);
                    }
                }
            }
        }
    }
    let mut links: Vec<((usize, usize), Vec<u32>)> = links
        .into_iter()
        .map(|(key, mut supporters)| {
            supporters.sort_unstable();
            supporters.dedup();
            (key, supporters)
        })
        .collect();
    links.sort_unstable();
    links
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
