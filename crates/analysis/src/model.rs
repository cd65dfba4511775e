//! The model: kept theme links, the attractor at the centre, and each
//! theme's level (its distance to the attractor along kept links).

use std::cmp::Reverse;

use collabmap_study::Study;
use petgraph::algo::dijkstra;
use petgraph::graphmap::DiGraphMap;
use petgraph::visit::Reversed;
use serde::Serialize;

use crate::synthesis::Synthesis;

/// A model theme and where it sits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelTheme {
    /// Code id.
    pub id: String,
    /// Kept-link distance to the attractor: 0 the centre, 1 the inner ring, 2+ the outer ring, none unplaced.
    pub level: Option<u32>,
    /// People who mention it.
    pub people: u32,
}

/// A kept theme link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelLink {
    /// The means theme.
    pub from: String,
    /// The end theme.
    pub to: String,
    /// Distinct people who support it.
    pub people: u32,
}

/// The discovered model, in the shape `collabmap model --format json` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Model {
    /// The attractor's id (none when the codebook has no model theme).
    pub attractor: Option<String>,
    /// The support a link needs to be kept.
    pub min_support: u32,
    /// Every model theme, by level (unplaced last), then people descending, then id.
    pub themes: Vec<ModelTheme>,
    /// Kept links, by people descending, then from, then to.
    pub links: Vec<ModelLink>,
}

impl Model {
    /// Keeps the links with enough support and places every model theme.
    pub fn discover(study: &Study, synthesis: &Synthesis) -> Model {
        let codebook = &study.codebook;
        let min_support = study.config.model.min_support;
        let people = |t: usize| synthesis.mentions[t].count_ones(..) as u32;
        let model_themes: Vec<usize> = (0..codebook.len()).filter(|&t| codebook.themes()[t].model).collect();

        let mut graph: DiGraphMap<usize, u32> = DiGraphMap::new();
        for &t in &model_themes {
            graph.add_node(t);
        }
        for link in synthesis.links.iter().filter(|l| l.weight() >= min_support) {
            graph.add_edge(link.from, link.to, link.weight());
        }
        let weight_in = |t: usize| graph.edges_directed(t, petgraph::Incoming).map(|(_, _, w)| u64::from(*w)).sum::<u64>();
        let weight_out = |t: usize| graph.edges_directed(t, petgraph::Outgoing).map(|(_, _, w)| u64::from(*w)).sum::<u64>();
        let id = |t: usize| codebook.themes()[t].id.as_str();

        // A sink of kept links pulls hardest; failing one, the theme with the most net pull.
        let sinks = model_themes.iter().copied().filter(|&t| weight_in(t) > 0 && weight_out(t) == 0);
        let by_pull =
            |score: &dyn Fn(usize) -> i64, candidates: &mut dyn Iterator<Item = usize>| candidates.max_by_key(|&t| (score(t), people(t), Reverse(id(t))));
        let attractor = by_pull(&|t| weight_in(t) as i64, &mut sinks.into_iter())
            .or_else(|| by_pull(&|t| weight_in(t) as i64 - weight_out(t) as i64, &mut model_themes.iter().copied()));

        // Shortest kept-link distance to the attractor: unit-weight distances against the arrows.
        let mut level: Vec<Option<u32>> = vec![None; codebook.len()];
        if let Some(centre) = attractor {
            for (theme, distance) in dijkstra(Reversed(&graph), centre, None, |_| 1u32) {
                level[theme] = Some(distance);
            }
        }

        let mut themes: Vec<ModelTheme> = model_themes.iter().map(|&t| ModelTheme { id: id(t).to_string(), level: level[t], people: people(t) }).collect();
        themes.sort_by(|a, b| {
            let rank = |l: Option<u32>| l.map_or((1, 0), |l| (0, l));
            rank(a.level).cmp(&rank(b.level)).then(b.people.cmp(&a.people)).then_with(|| a.id.cmp(&b.id))
        });
        let links = synthesis
            .links
            .iter()
            .filter(|l| l.weight() >= min_support && codebook.themes()[l.from].model && codebook.themes()[l.to].model)
            .map(|l| ModelLink { from: id(l.from).to_string(), to: id(l.to).to_string(), people: l.weight() })
            .collect();
        Model { attractor: attractor.map(|t| id(t).to_string()), min_support, themes, links }
    }

    /// The level of `theme`, if placed.
    pub fn level_of(&self, theme: &str) -> Option<u32> {
        self.themes.iter().find(|t| t.id == theme).and_then(|t| t.level)
    }
}
