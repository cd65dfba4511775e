//! What stands behind a figure: the mentions that put each person into a
//! theme's count, and the chains of concepts behind a theme link.
//!
//! Both read the codes the synthesis found ([`Coding`]) and attribute with
//! the function that counts ([`attributed`], the theme-link walk's rules), so
//! the distinct people of a theme's evidence are exactly its `people` in the
//! mention table, and those of a link's chains exactly its weight.

use collabmap_study::{Interview, Item, ItemKind, Study};

use crate::coding::{CodeOnItem, Coding, Credit, InterviewCoding, attributed};

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

/// A mention that says where its words are rather than holding them: what a
/// long list keeps (a report keeps every theme's), the words read when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MentionAt {
    /// Index into `study.people`.
    pub person: u32,
    /// Index into `study.interviews`.
    pub interview: u32,
    /// The item's line in its interview file.
    pub line: u32,
    /// Concept, quote, story or picture.
    pub kind: ItemKind,
    /// The item: a concept's index in its map, or the position of a quote,
    /// story or picture among the interview's.
    pub item: u32,
    /// How the person came to be credited.
    pub how: Credit,
    /// The indicator phrase that inferred the code (an index for [`Coding::phrase`]).
    pub indicator: Option<u32>,
    /// A quote given anonymously (see [`Mention::kept_apart`]).
    pub kept_apart: bool,
}

impl MentionAt {
    /// The item's words as written: what [`Mention::text`] holds.
    pub fn words(&self, study: &Study) -> String {
        let Some(interview) = study.interviews.get(self.interview as usize) else { return String::new() };
        let at = self.item as usize;
        match self.kind {
            ItemKind::Concept => match interview.map.get(at).map(|node| &node.kind) {
                Some(collabmap_study::MapNodeKind::Concept(concept)) => concept.text(),
                _ => String::new(),
            },
            ItemKind::Quote => interview.quotes.get(at).map(|q| q.text.clone()).unwrap_or_default(),
            ItemKind::Story => interview.stories.get(at).map(story_words).unwrap_or_default(),
            _ => interview.pictures.get(at).map(|p| p.explanation.clone()).unwrap_or_default(),
        }
    }

    /// The whole mention, words and indicator phrase included.
    pub fn mention(&self, study: &Study, coding: &Coding) -> Mention {
        Mention {
            person: self.person as usize,
            interview: self.interview as usize,
            line: self.line as usize,
            kind: self.kind,
            text: self.words(study),
            how: self.how,
            indicator: self.indicator.and_then(|p| coding.phrase(p)).map(str::to_string),
            kept_apart: self.kept_apart,
        }
    }
}

/// A story's words as evidence shows them: its title, then its body.
fn story_words(story: &collabmap_study::Story) -> String {
    if story.title.is_empty() { story.body.clone() } else { format!("{}: {}", story.title, story.body) }
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
pub fn coded_items(study: &Study, coding: &Coding) -> Vec<Vec<CodedItem>> {
    let mut found: Vec<Vec<CodedItem>> = vec![Vec::new(); study.codebook.len()];
    for (number, interview) in study.interviews.iter().enumerate() {
        for (position, item) in interview.items_beside_the_map() {
            if attributed(interview, &item, study.config.counting.group_agreement).is_empty() {
                continue;
            }
            for code in coding.item(number, item.kind, position) {
                found[code.code].push(CodedItem { interview: number, kind: item.kind, position, inferred: code.inferred() });
            }
        }
    }
    found
}

/// One step of a chain: a concept of a map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The concept's index in its interview's map.
    pub node: usize,
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
pub fn theme_mentions(study: &Study, coding: &Coding, theme: usize) -> Vec<Mention> {
    mentions_of(study, coding, |t| t == theme).swap_remove(theme).iter().map(|m| m.mention(study, coding)).collect()
}

/// Every mention of every codebook entry, indexed like the codebook, in one
/// pass over the study.
pub fn all_mentions(study: &Study, coding: &Coding) -> Vec<Vec<Mention>> {
    all_mentions_at(study, coding).into_iter().map(|list| list.iter().map(|m| m.mention(study, coding)).collect()).collect()
}

/// Every mention of every codebook entry without its words (what a report
/// keeps: the words are read when a page shows them), in one pass.
pub fn all_mentions_at(study: &Study, coding: &Coding) -> Vec<Vec<MentionAt>> {
    mentions_of(study, coding, |_| true)
}

/// The mentions of the entries `wanted` accepts; the others stay empty.
fn mentions_of(study: &Study, coding: &Coding, wanted: impl Fn(usize) -> bool) -> Vec<Vec<MentionAt>> {
    let group_agreement = study.config.counting.group_agreement;
    let index = person_index(study);
    let mut mentions: Vec<Vec<MentionAt>> = vec![Vec::new(); study.codebook.len()];
    for (number, interview) in study.interviews.iter().enumerate() {
        for (item, at, kept_apart, codes) in items_of(interview, coding.interview(number)) {
            let attributed_to: Vec<(usize, &str)> =
                attributed(interview, &item, group_agreement).into_iter().filter_map(|id| index.get(id).map(|&p| (p, id))).collect();
            if attributed_to.is_empty() {
                continue;
            }
            for code in codes {
                let theme = code.code;
                if !wanted(theme) {
                    continue;
                }
                for &(person, id) in &attributed_to {
                    let spoke = item.speakers.iter().any(|s| s == id) || item.attribution == Some(id);
                    // In a group meeting whose agreement credits everyone, those who did not say it are credited by the group.
                    let how = if interview.is_group() && group_agreement && !spoke { Credit::Group } else { code.how };
                    mentions[theme].push(MentionAt {
                        person: person as u32,
                        interview: number as u32,
                        line: item.line as u32,
                        kind: item.kind,
                        item: at,
                        how,
                        indicator: code.indicator,
                        kept_apart,
                    });
                }
            }
        }
    }
    mentions
}

/// Every item of an interview with where it is (a concept's map index, or
/// its position among its kind), whether it is kept apart from its
/// interview (a quote given anonymously), and its codes.
fn items_of<'i>(interview: &'i Interview, coding: &'i InterviewCoding) -> Vec<(Item<'i>, u32, bool, &'i [CodeOnItem])> {
    let concepts = interview.concepts().map(|(node, c)| (c.item(), node as u32, false, coding.concept(node)));
    let quotes = interview.quotes.iter().enumerate().map(|(i, q)| (q.item(), i as u32, q.kept_apart_from_its_interview(), coding.item(ItemKind::Quote, i)));
    let stories = interview.stories.iter().enumerate().map(|(i, s)| (s.item(), i as u32, false, coding.item(ItemKind::Story, i)));
    let pictures = interview.pictures.iter().enumerate().map(|(i, p)| (p.item(), i as u32, false, coding.item(ItemKind::Picture, i)));
    concepts.chain(quotes).chain(stories).chain(pictures).collect()
}

/// Each person's index in `study.people`, by id.
fn person_index(study: &Study) -> std::collections::HashMap<&str, usize> {
    study.people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect()
}

/// Every chain of concepts behind the theme link `from → to` (model themes),
/// one per concept with the means theme that reaches one with the end theme,
/// and per person it is attributed to.
pub fn link_chains(study: &Study, coding: &Coding, from: usize, to: usize) -> Vec<Chain> {
    let codebook = &study.codebook;
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
            let mut projected: Vec<usize> = coding.interview(number).concept(node).iter().filter_map(|c| projection[c.code]).collect();
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
                        node: n,
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
        let mentions = theme_mentions(&study, &Coding::of(&study), power);
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
        let coding = Coding::of(&study);
        let chains = link_chains(&study, &coding, purpose, user);
        assert_eq!(chains.len(), 1);
        let steps: Vec<(usize, Option<usize>)> = chains[0].path.iter().map(|s| (s.line, s.theme)).collect();
        assert_eq!(steps, [(9, Some(purpose)), (8, None), (7, Some(user))]);
        assert!(link_chains(&study, &coding, user, purpose).is_empty(), "links run from means to end");
    }
}
