//! What stands behind a figure: the mentions that put each person into a
//! theme's count, and the chains of concepts behind a theme link.
//!
//! Both are found with the very functions that count ([`AutoCoder`],
//! [`attributed`], the theme-link walk's rules), so the distinct people of a
//! theme's evidence are exactly its `people` in the mention table, and those
//! of a link's chains exactly its weight.

use collabmap_study::{Interview, Item, ItemKind, Study};

use crate::coding::{AutoCoder, Credit, attributed};

/// One mention: a person credited with a theme through one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Index into `study.people`.
    pub person: usize,
    /// Index into `study.interviews`.
    pub interview: usize,
    /// The item's line in its interview file.
    pub line: usize,
    /// Concept, quote, story or picture.
    pub kind: ItemKind,
    /// The item's words as written (a concept with its contrast pole).
    pub text: String,
    /// How the person came to be credited.
    pub how: Credit,
    /// The indicator phrase that inferred the code, when one did.
    pub indicator: Option<String>,
    /// A quote given anonymously: it may never be shown beside its
    /// interview or its speaker (`Quote::kept_apart_from_its_interview`).
    pub kept_apart: bool,
}

/// An item (a quote, story or picture) coded with a theme, as a theme's page
/// shows it beside the count: found once, by the coder that counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodedItem {
    /// Index into `study.interviews`.
    pub interview: usize,
    /// Quote, story or picture.
    pub kind: ItemKind,
    /// Its position among the interview's quotes, stories or pictures.
    pub position: usize,
    /// Whether the theme was only inferred from an indicator phrase.
    pub inferred: bool,
}

/// For each codebook entry, the quotes, stories and pictures coded with it
/// that someone is credited for, in interview order (each interview's
/// quotes, then stories, then pictures).
pub fn coded_items(study: &Study) -> Vec<Vec<CodedItem>> {
    let coder = AutoCoder::new(&study.codebook, study.config.counting);
    let mut found: Vec<Vec<CodedItem>> = vec![Vec::new(); study.codebook.len()];
    for (number, interview) in study.interviews.iter().enumerate() {
        let quotes = interview.quotes.iter().map(|q| (ItemKind::Quote, q.item()));
        let stories = interview.stories.iter().map(|s| (ItemKind::Story, s.item()));
        let pictures = interview.pictures.iter().map(|p| (ItemKind::Picture, p.item()));
        let mut position = [0usize; 3];
        for (kind, item) in quotes.chain(stories).chain(pictures) {
            let slot = match kind {
                ItemKind::Quote => 0,
                ItemKind::Story => 1,
                _ => 2,
            };
            let at = position[slot];
            position[slot] += 1;
            if attributed(interview, &item, study.config.counting.group_agreement).is_empty() {
                continue;
            }
            for &(theme, inferred) in &coder.codes(&item).codes {
                found[theme].push(CodedItem { interview: number, kind, position: at, inferred });
            }
        }
    }
    found
}

/// One step of a chain: a concept of a map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The concept's line in its interview file.
    pub line: usize,
    /// Its words.
    pub text: String,
    /// The link's theme it stands for: the means theme at the start, the end
    /// theme at the end, none in between.
    pub theme: Option<usize>,
}

/// A chain of concepts behind a theme link, and one person it is attributed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Index into `study.people`.
    pub person: usize,
    /// Index into `study.interviews`.
    pub interview: usize,
    /// From the concept with the means theme up to the one with the end theme.
    pub path: Vec<Step>,
}

/// Every mention of codebook entry `theme`, by interview, item and person.
pub fn theme_mentions(study: &Study, theme: usize) -> Vec<Mention> {
    mentions_of(study, |t| t == theme).swap_remove(theme)
}

/// Every mention of every codebook entry, indexed like the codebook, in one
/// pass over the study (what a report needs).
pub fn all_mentions(study: &Study) -> Vec<Vec<Mention>> {
    mentions_of(study, |_| true)
}

/// The mentions of the entries `wanted` accepts; the others stay empty.
fn mentions_of(study: &Study, wanted: impl Fn(usize) -> bool) -> Vec<Vec<Mention>> {
    let coder = AutoCoder::new(&study.codebook, study.config.counting);
    let group_agreement = study.config.counting.group_agreement;
    let index = person_index(study);
    let mut mentions: Vec<Vec<Mention>> = vec![Vec::new(); study.codebook.len()];
    for (number, interview) in study.interviews.iter().enumerate() {
        for (item, text, kept_apart) in items_with_text(interview) {
            let attributed_to: Vec<(usize, &str)> =
                attributed(interview, &item, group_agreement).into_iter().filter_map(|id| index.get(id).map(|&p| (p, id))).collect();
            if attributed_to.is_empty() {
                continue;
            }
            for &(theme, _) in &coder.codes(&item).codes {
                if !wanted(theme) {
                    continue;
                }
                let Some((how, indicator)) = coder.explain(&item, theme) else { continue };
                for &(person, id) in &attributed_to {
                    let spoke = item.speakers.iter().any(|s| s == id) || item.attribution == Some(id);
                    // In a group meeting whose agreement credits everyone, those who did not say it are credited by the group.
                    let how = if interview.is_group() && group_agreement && !spoke { Credit::Group } else { how };
                    mentions[theme].push(Mention {
                        person,
                        interview: number,
                        line: item.line,
                        kind: item.kind,
                        text: text.clone(),
                        how,
                        indicator: indicator.clone(),
                        kept_apart,
                    });
                }
            }
        }
    }
    mentions
}

/// Every item of an interview with its words as written, and whether it is
/// kept apart from its interview (a quote given anonymously).
fn items_with_text(interview: &Interview) -> Vec<(Item<'_>, String, bool)> {
    let concepts = interview.concepts().map(|(_, c)| (c.item(), c.text(), false));
    let quotes = interview.quotes.iter().map(|q| (q.item(), q.text.clone(), q.kept_apart_from_its_interview()));
    let stories = interview.stories.iter().map(|s| (s.item(), if s.title.is_empty() { s.body.clone() } else { format!("{}: {}", s.title, s.body) }, false));
    let pictures = interview.pictures.iter().map(|p| (p.item(), p.explanation.clone(), false));
    concepts.chain(quotes).chain(stories).chain(pictures).collect()
}

/// Each person's index in `study.people`, by id.
fn person_index(study: &Study) -> std::collections::HashMap<&str, usize> {
    study.people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect()
}

/// Every chain of concepts behind the theme link `from → to` (model themes),
/// one per concept with the means theme that reaches one with the end theme,
/// and per person it is attributed to.
pub fn link_chains(study: &Study, from: usize, to: usize) -> Vec<Chain> {
    let codebook = &study.codebook;
    let coder = AutoCoder::new(codebook, study.config.counting);
    let group_agreement = study.config.counting.group_agreement;
    let projection: Vec<Option<usize>> = (0..codebook.len()).map(|t| codebook.projection(t)).collect();
    let index = person_index(study);
    let mut chains = Vec::new();
    for (number, interview) in study.interviews.iter().enumerate() {
        let size = interview.map.len();
        let mut themes: Vec<Vec<usize>> = vec![Vec::new(); size];
        let mut people: Vec<Vec<usize>> = vec![Vec::new(); size];
        let mut texts: Vec<(usize, String)> = vec![(0, String::new()); size];
        for (node, concept) in interview.concepts() {
            let item = concept.item();
            let mut projected: Vec<usize> = coder.codes(&item).codes.iter().filter_map(|&(t, _)| projection[t]).collect();
            projected.sort_unstable();
            projected.dedup();
            themes[node] = projected;
            people[node] = attributed(interview, &item, group_agreement).into_iter().filter_map(|id| index.get(id).copied()).collect();
            texts[node] = (concept.line, concept.text());
        }
        let mut ups: Vec<Vec<usize>> = vec![Vec::new(); size];
        for link in interview.links().filter(|l| !l.negative) {
            ups[link.means].push(link.end);
        }
        for start in 0..size {
            if !themes[start].contains(&from) || people[start].is_empty() {
                continue;
            }
            // The same walk as the count: up positive links, each concept once,
            // stopping at the first concept with themes; `came_from` keeps the way back.
            let mut came_from: Vec<Option<usize>> = vec![None; size];
            let mut visited = vec![false; size];
            visited[start] = true;
            let mut stack: Vec<(usize, usize)> = ups[start].iter().map(|&up| (up, start)).collect();
            let mut ends = Vec::new();
            while let Some((node, previous)) = stack.pop() {
                if visited[node] {
                    continue;
                }
                visited[node] = true;
                came_from[node] = Some(previous);
                if themes[node].is_empty() {
                    stack.extend(ups[node].iter().map(|&up| (up, node)));
                } else if themes[node].contains(&to) && from != to {
                    ends.push(node);
                }
            }
            for end in ends {
                let mut nodes = vec![end];
                while let Some(previous) = came_from[*nodes.last().unwrap_or(&start)] {
                    nodes.push(previous);
                    if previous == start {
                        break;
                    }
                }
                nodes.reverse();
                let path: Vec<Step> = nodes
                    .iter()
                    .map(|&n| Step {
                        line: texts[n].0,
                        text: texts[n].1.clone(),
                        theme: if n == start {
                            Some(from)
                        } else if n == end {
                            Some(to)
                        } else {
                            None
                        },
                    })
                    .collect();
                for &person in &people[start] {
                    chains.push(Chain { person, interview: number, path: path.clone() });
                }
            }
        }
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;
    use collabmap_study::{MemoryFiles, load_from};

    fn study(settings: &str, interviews: &[(&str, &str)]) -> Study {
        let mut files = MemoryFiles::new();
        files.insert("study.toml", format!("title = \"t\"\ncodebook = \"whole-systems\"\n{settings}").into_bytes());
        files.insert("people.csv", b"id,name\np1,A\np2,B\np3,C\n".to_vec());
        for (name, text) in interviews {
            files.insert(format!("interviews/{name}.md"), text.as_bytes().to_vec());
        }
        let loaded = load_from(&files);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        loaded.study
    }

    #[test]
    fn each_mention_says_how_it_was_credited() {
        let study = study(
            "",
            &[
                ("a", "---\npeople: [p1]\n---\n\n# Map\n\n- Keep families housed #service-user\n  - Build local ownership in each district\n"),
                ("g", "---\npeople: [p2, p3]\n---\n\n# Map\n\n- Let districts choose @p2 #share-power\n"),
            ],
        );
        let power = study.codebook.index_of("share-power").expect("theme");
        let mentions = theme_mentions(&study, power);
        let seen: Vec<(&str, Credit, Option<&str>, usize)> =
            mentions.iter().map(|m| (study.people[m.person].id.as_str(), m.how, m.indicator.as_deref(), m.line)).collect();
        assert_eq!(seen, [("p1", Credit::Inferred, Some("local ownership"), 8), ("p2", Credit::Explicit, None, 7), ("p3", Credit::Group, None, 7)]);
    }

    #[test]
    fn a_chain_walks_past_concepts_without_themes() {
        let study = study(
            "",
            &[("a", "---\npeople: [p1]\n---\n\n# Map\n\n- Keep families housed #service-user\n  - Meet every month\n    - Agree one aim #common-purpose\n")],
        );
        let (purpose, user) = (study.codebook.index_of("common-purpose").expect("t"), study.codebook.index_of("service-user").expect("t"));
        let chains = link_chains(&study, purpose, user);
        assert_eq!(chains.len(), 1);
        let steps: Vec<(usize, Option<usize>)> = chains[0].path.iter().map(|s| (s.line, s.theme)).collect();
        assert_eq!(steps, [(9, Some(purpose)), (8, None), (7, Some(user))]);
        assert!(link_chains(&study, user, purpose).is_empty(), "links run from means to end");
    }
}
