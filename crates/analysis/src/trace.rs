//! Evidence counting and path tracing on the theme graph.
//!
//! Every theme link carries the people and the interviews whose maps state
//! it (see [`crate::synthesis`]). A traced path is a chain of such links
//! from one theme to another; its *thread* is the people who stated every
//! step themselves, so a chain supported only by different people's
//! fragments has an empty thread.

use crate::synthesis::Synthesis;

/// Most paths listed by one trace.
pub const MAX_PATHS: usize = 1000;

/// One step of a path: a theme link and its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Codebook index of the means theme.
    pub from: usize,
    /// Codebook index of the end theme.
    pub to: usize,
    /// People who state the link.
    pub people: u32,
    /// Interviews whose maps state it.
    pub interviews: u32,
}

/// A chain of theme links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedPath {
    /// The themes from start to end (codebook indices).
    pub themes: Vec<usize>,
    /// Each link with its support.
    pub steps: Vec<Step>,
    /// The least-supported step's people.
    pub weakest: u32,
    /// People (indices into `study.people`) who stated every step.
    pub thread: Vec<u32>,
}

/// The paths between two themes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trace {
    /// Paths, best supported first.
    pub paths: Vec<TracedPath>,
    /// Whether there were more than [`MAX_PATHS`].
    pub capped: bool,
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Every simple path of at most `max_steps` theme links from `from` to `to`;
/// with `thread`, only those one person stated end to end. Sorted by thread
/// size, then weakest step, then length.
pub fn trace(synthesis: &Synthesis, themes: usize, from: usize, to: usize, max_steps: usize, thread: bool) -> Trace {
    let mut out_links: Vec<Vec<usize>> = vec![Vec::new(); themes];
    for (index, link) in synthesis.links.iter().enumerate() {
        if link.from < themes && link.to < themes {
            out_links[link.from].push(index);
        }
    }
    let mut result = Trace::default();
    if from >= themes || to >= themes || from == to || max_steps == 0 {
        return result;
    }
    // Frames: (theme, next outgoing link to try); `path` holds the links taken.
    let mut frames = vec![(from, 0usize)];
    let mut on_path = vec![false; themes];
    on_path[from] = true;
    let mut path: Vec<usize> = Vec::new();
    while let Some(frame) = frames.last_mut() {
        let (theme, next) = *frame;
        if next >= out_links[theme].len() || path.len() >= max_steps {
            frames.pop();
            on_path[theme] = false;
            path.pop();
            continue;
        }
        frame.1 += 1;
        let link = &synthesis.links[out_links[theme][next]];
        if on_path[link.to] {
            continue;
        }
        if link.to == to {
            path.push(out_links[theme][next]);
            let steps: Vec<Step> = path
                .iter()
                .map(|&l| {
                    let link = &synthesis.links[l];
                    Step { from: link.from, to: link.to, people: link.weight(), interviews: link.interviews.len() as u32 }
                })
                .collect();
            let shared = path.iter().skip(1).fold(synthesis.links[path[0]].supporters.clone(), |acc, &l| intersect(&acc, &synthesis.links[l].supporters));
            path.pop();
            if thread && shared.is_empty() {
                continue;
            }
            if result.paths.len() >= MAX_PATHS {
                result.capped = true;
                break;
            }
            let mut themes_on = vec![from];
            themes_on.extend(steps.iter().map(|s| s.to));
            result.paths.push(TracedPath { weakest: steps.iter().map(|s| s.people).min().unwrap_or(0), themes: themes_on, steps, thread: shared });
            continue;
        }
        on_path[link.to] = true;
        path.push(out_links[theme][next]);
        frames.push((link.to, 0));
    }
    result.paths.sort_by(|a, b| {
        b.thread.len().cmp(&a.thread.len()).then(b.weakest.cmp(&a.weakest)).then(a.themes.len().cmp(&b.themes.len())).then(a.themes.cmp(&b.themes))
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthesis::{MentionTable, ThemeLinkSupport};
    use fixedbitset::FixedBitSet;

    fn synthesis(links: &[(usize, usize, &[u32])]) -> Synthesis {
        Synthesis {
            table: MentionTable { rows: Vec::new(), out_of: 0 },
            mentions: Vec::new(),
            attended: FixedBitSet::new(),
            links: links.iter().map(|&(from, to, people)| ThemeLinkSupport { from, to, supporters: people.to_vec(), interviews: people.to_vec() }).collect(),
            coding: crate::Coding::default(),
        }
    }

    #[test]
    fn paths_and_threads_by_hand() {
        // 0 → 1 → 3 by person 7 end to end; 0 → 2 → 3 stitched from persons 1 and 2; 0 → 3 directly by 1, 2, 3.
        let s = synthesis(&[(0, 1, &[7]), (1, 3, &[5, 7]), (0, 2, &[1]), (2, 3, &[2]), (0, 3, &[1, 2, 3]), (3, 0, &[9])]);
        let all = trace(&s, 4, 0, 3, 4, false);
        assert_eq!(all.paths.iter().map(|p| p.themes.clone()).collect::<Vec<_>>(), vec![vec![0, 3], vec![0, 1, 3], vec![0, 2, 3]]);
        assert_eq!(all.paths[0].thread, vec![1, 2, 3]);
        assert_eq!(all.paths[1].thread, vec![7]);
        assert_eq!(all.paths[1].weakest, 1);
        let threaded = trace(&s, 4, 0, 3, 4, true);
        assert_eq!(threaded.paths.len(), 2, "the stitched chain is dropped");
        assert_eq!(trace(&s, 4, 0, 3, 1, false).paths.len(), 1, "one step only");
        assert!(trace(&s, 4, 3, 3, 4, false).paths.is_empty());
    }
}
