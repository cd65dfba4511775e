//! The structure of cognitive maps, as cognitive-mapping software measures it:
//! domain and centrality of concepts, heads and tails, hiesets and potent
//! options, feedback loops with their polarity, and clusters.
//!
//! Each map is its own directed network: a concept is a node, a link runs
//! from a means to its end (tree links and cross-links alike), and a `(-)`
//! link is negative. The whole study is the disjoint union of its maps:
//! concepts of different interviews are never merged, so every measure of a
//! concept is the same whether it is computed on its map or on the study,
//! and loops and clusters never cross interviews.
//!
//! Every walk here uses explicit stacks, never recursion over user data.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use collabmap_study::{Interview, MapNodeKind, Study};
use rayon::prelude::*;

/// Most loops listed per map; past it the map's loops are reported as capped.
pub const MAX_LOOPS_PER_MAP: usize = 1000;

/// Where a concept sits in the flow of its map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConceptRole {
    /// Links in and none out: an outcome (a purpose at the top of a map).
    Head,
    /// Links out and none in: an option, where action starts.
    Tail,
    /// No links at all.
    Isolated,
    /// Links in and out.
    Ordinary,
}

impl ConceptRole {
    /// The role's name in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            ConceptRole::Head => "head",
            ConceptRole::Tail => "tail",
            ConceptRole::Isolated => "isolated",
            ConceptRole::Ordinary => "ordinary",
        }
    }
}

/// A feedback loop's character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// An even number of negative links: the loop amplifies change.
    Reinforcing,
    /// An odd number of negative links: the loop dampens change.
    Balancing,
}

impl Polarity {
    /// The polarity's name in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Reinforcing => "reinforcing",
            Polarity::Balancing => "balancing",
        }
    }
}

/// One map as a directed network.
#[derive(Debug, Clone, Default)]
pub struct MapNetwork {
    /// For each concept, its index in `Interview::map`.
    pub nodes: Vec<usize>,
    /// For each concept, its id: the block id, or its 1-based position among the map's concepts.
    pub ids: Vec<String>,
    /// Distinct links, means → end, with their sign (`true`: negative).
    pub links: Vec<(usize, usize, bool)>,
    /// Ends reached from each concept, with the link's sign.
    pub out: Vec<Vec<(usize, bool)>>,
    /// Means leading into each concept.
    pub into: Vec<Vec<usize>>,
}

impl MapNetwork {
    /// The network of one interview's map.
    pub fn of(interview: &Interview) -> MapNetwork {
        let mut local = vec![usize::MAX; interview.map.len()];
        let mut network = MapNetwork::default();
        for (position, (node, concept)) in interview.concepts().enumerate() {
            local[node] = network.nodes.len();
            network.nodes.push(node);
            network.ids.push(concept.block_id.clone().unwrap_or_else(|| (position + 1).to_string()));
        }
        // An end written as a cross-link stands for the concept it names.
        let concept_of = |node: usize| match &interview.map.get(node)?.kind {
            MapNodeKind::Concept(_) => Some(local[node]),
            MapNodeKind::CrossLink { resolved, .. } => resolved.map(|r| local[r]),
        };
        let mut seen = HashSet::new();
        for link in interview.links() {
            let (Some(means), Some(end)) = (concept_of(link.means), concept_of(link.end)) else { continue };
            if means != usize::MAX && end != usize::MAX && seen.insert((means, end, link.negative)) {
                network.links.push((means, end, link.negative));
            }
        }
        network.out = vec![Vec::new(); network.nodes.len()];
        network.into = vec![Vec::new(); network.nodes.len()];
        for &(means, end, negative) in &network.links {
            network.out[means].push((end, negative));
            network.into[end].push(means);
        }
        network
    }

    /// How many concepts the map has.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the map has no concepts.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Links into plus out of each concept.
    pub fn domain(&self) -> Vec<u32> {
        (0..self.len()).map(|v| (self.out[v].len() + self.into[v].len()) as u32).collect()
    }

    /// Each concept's role.
    pub fn roles(&self) -> Vec<ConceptRole> {
        (0..self.len())
            .map(|v| {
                let ins = self.into[v].iter().any(|&u| u != v);
                let outs = self.out[v].iter().any(|&(w, _)| w != v);
                match (ins, outs) {
                    (true, false) => ConceptRole::Head,
                    (false, true) => ConceptRole::Tail,
                    (false, false) if self.out[v].is_empty() => ConceptRole::Isolated,
                    _ => ConceptRole::Ordinary,
                }
            })
            .collect()
    }

    fn neighbours(&self) -> Vec<Vec<usize>> {
        let mut undirected: Vec<Vec<usize>> = vec![Vec::new(); self.len()];
        for &(a, b, _) in &self.links {
            if a != b {
                undirected[a].push(b);
                undirected[b].push(a);
            }
        }
        for list in &mut undirected {
            list.sort_unstable();
            list.dedup();
        }
        undirected
    }

    /// Centrality: Σ over k = 1..3 of (1/k) × the concepts at undirected distance exactly k.
    pub fn centrality(&self) -> Vec<f64> {
        let undirected = self.neighbours();
        let mut distance = vec![usize::MAX; self.len()];
        let mut queue = VecDeque::new();
        let mut touched = Vec::new();
        (0..self.len())
            .map(|start| {
                let mut at = [0usize; 4];
                distance[start] = 0;
                touched.push(start);
                queue.push_back(start);
                while let Some(v) = queue.pop_front() {
                    if distance[v] == 3 {
                        continue;
                    }
                    for &w in &undirected[v] {
                        if distance[w] == usize::MAX {
                            distance[w] = distance[v] + 1;
                            at[distance[w]] += 1;
                            touched.push(w);
                            queue.push_back(w);
                        }
                    }
                }
                for v in touched.drain(..) {
                    distance[v] = usize::MAX;
                }
                at[1] as f64 + at[2] as f64 / 2.0 + at[3] as f64 / 3.0
            })
            .collect()
    }

    /// The hieset of `head`: every concept with a path to it (the head itself excluded), ascending.
    pub fn hieset(&self, head: usize) -> Vec<usize> {
        let mut seen = vec![false; self.len()];
        let mut stack = vec![head];
        seen[head] = true;
        let mut found = Vec::new();
        while let Some(v) = stack.pop() {
            for &u in &self.into[v] {
                if !seen[u] {
                    seen[u] = true;
                    found.push(u);
                    stack.push(u);
                }
            }
        }
        found.sort_unstable();
        found
    }

    /// Every elementary cycle (Johnson's algorithm), up to `cap`; the flag
    /// says whether there were more. Each cycle starts at its smallest concept.
    pub fn loops(&self, cap: usize) -> (Vec<Vec<usize>>, bool) {
        let n = self.len();
        // A positive and a negative link between the same two concepts make one step, so one loop.
        let adjacency: Vec<Vec<usize>> = self
            .out
            .iter()
            .map(|ends| {
                let mut unique: Vec<usize> = ends.iter().map(|&(w, _)| w).collect();
                unique.sort_unstable();
                unique.dedup();
                unique
            })
            .collect();
        let component = strong_components(&adjacency);
        let mut cycles = Vec::new();
        let mut blocked = vec![false; n];
        let mut blocked_by: Vec<Vec<usize>> = vec![Vec::new(); n];
        for start in 0..n {
            // Only concepts after `start`, in its strong component, can close a cycle through it.
            let allowed = |w: usize| w >= start && component[w] == component[start];
            if !adjacency[start].iter().any(|&w| allowed(w)) {
                continue;
            }
            for v in start..n {
                if component[v] == component[start] {
                    blocked[v] = false;
                    blocked_by[v].clear();
                }
            }
            // Frames: (concept, next edge to try, whether a cycle was found below).
            let mut frames: Vec<(usize, usize, bool)> = vec![(start, 0, false)];
            let mut path = vec![start];
            blocked[start] = true;
            while let Some(frame) = frames.last_mut() {
                let (v, next, _) = *frame;
                if next < adjacency[v].len() {
                    frame.1 += 1;
                    let w = adjacency[v][next];
                    if !allowed(w) {
                        continue;
                    }
                    if w == start {
                        frame.2 = true;
                        cycles.push(path.clone());
                        if cycles.len() >= cap {
                            return (cycles, true);
                        }
                    } else if !blocked[w] {
                        blocked[w] = true;
                        path.push(w);
                        frames.push((w, 0, false));
                    }
                    continue;
                }
                let (v, _, found) = frames.pop().unwrap_or((v, 0, false));
                path.pop();
                if found {
                    unblock(v, &mut blocked, &mut blocked_by);
                } else {
                    for &w in &adjacency[v] {
                        if allowed(w) && !blocked_by[w].contains(&v) {
                            blocked_by[w].push(v);
                        }
                    }
                }
                if let Some(parent) = frames.last_mut() {
                    parent.2 |= found;
                }
            }
        }
        (cycles, false)
    }

    /// The sign of a loop: reinforcing with an even number of negative links.
    pub fn polarity(&self, cycle: &[usize]) -> Polarity {
        let negatives = (0..cycle.len())
            .filter(|&i| {
                let (from, to) = (cycle[i], cycle[(i + 1) % cycle.len()]);
                // Where a means has both a positive and a negative link to the same end, the loop is read through the positive one.
                let signs: Vec<bool> = self.out[from].iter().filter(|&&(w, _)| w == to).map(|&(_, negative)| negative).collect();
                !signs.is_empty() && signs.iter().all(|&negative| negative)
            })
            .count();
        if negatives % 2 == 0 { Polarity::Reinforcing } else { Polarity::Balancing }
    }

    /// A community partition of the undirected network (Louvain, visiting
    /// concepts in order, so the same map always gives the same clusters).
    /// Returns each concept's cluster, numbered by first appearance.
    pub fn clusters(&self) -> Vec<usize> {
        let mut weights: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for &(a, b, _) in &self.links {
            if a != b {
                *weights.entry((a.min(b), a.max(b))).or_default() += 1.0;
            }
        }
        let edges: Vec<(usize, usize, f64)> = weights.into_iter().map(|((a, b), w)| (a, b, w)).collect();
        louvain(self.len(), &edges)
    }
}

fn unblock(start: usize, blocked: &mut [bool], blocked_by: &mut [Vec<usize>]) {
    let mut stack = vec![start];
    while let Some(v) = stack.pop() {
        if !blocked[v] {
            continue;
        }
        blocked[v] = false;
        stack.append(&mut blocked_by[v]);
    }
}

/// Strongly connected components: a component number per node (petgraph's Tarjan, which is iterative).
fn strong_components(adjacency: &[Vec<usize>]) -> Vec<usize> {
    let mut graph = petgraph::graph::DiGraph::<(), ()>::with_capacity(adjacency.len(), adjacency.iter().map(Vec::len).sum());
    let nodes: Vec<_> = (0..adjacency.len()).map(|_| graph.add_node(())).collect();
    for (from, ends) in adjacency.iter().enumerate() {
        for &to in ends {
            graph.add_edge(nodes[from], nodes[to], ());
        }
    }
    let mut component = vec![0; adjacency.len()];
    for (number, members) in petgraph::algo::tarjan_scc(&graph).into_iter().enumerate() {
        for node in members {
            component[node.index()] = number;
        }
    }
    component
}

/// Louvain community detection on an undirected weighted graph, deterministic.
fn louvain(n: usize, edges: &[(usize, usize, f64)]) -> Vec<usize> {
    let mut membership: Vec<usize> = (0..n).collect();
    let mut graph_size = n;
    let mut graph_edges: Vec<(usize, usize, f64)> = edges.to_vec();
    for _level in 0..32 {
        let total: f64 = graph_edges.iter().map(|&(_, _, w)| w).sum();
        if total == 0.0 {
            break;
        }
        let m2 = 2.0 * total;
        let mut adjacency: Vec<Vec<(usize, f64)>> = vec![Vec::new(); graph_size];
        let mut degree = vec![0.0; graph_size];
        for &(a, b, w) in &graph_edges {
            if a == b {
                adjacency[a].push((a, w));
                degree[a] += 2.0 * w;
            } else {
                adjacency[a].push((b, w));
                adjacency[b].push((a, w));
                degree[a] += w;
                degree[b] += w;
            }
        }
        let mut community: Vec<usize> = (0..graph_size).collect();
        let mut community_degree = degree.clone();
        let mut moved_at_all = false;
        for _pass in 0..100 {
            let mut moved = false;
            for v in 0..graph_size {
                let current = community[v];
                let mut links_to: BTreeMap<usize, f64> = BTreeMap::new();
                for &(w, weight) in &adjacency[v] {
                    if w != v {
                        *links_to.entry(community[w]).or_default() += weight;
                    }
                }
                community_degree[current] -= degree[v];
                let gain = |c: usize, k_in: f64| k_in - community_degree[c] * degree[v] / m2;
                let mut best = current;
                let mut best_gain = gain(current, links_to.get(&current).copied().unwrap_or(0.0));
                for (&c, &k_in) in &links_to {
                    let g = gain(c, k_in);
                    if g > best_gain + 1e-12 {
                        best = c;
                        best_gain = g;
                    }
                }
                community_degree[best] += degree[v];
                if best != current {
                    community[v] = best;
                    moved = true;
                    moved_at_all = true;
                }
            }
            if !moved {
                break;
            }
        }
        if !moved_at_all {
            break;
        }
        let mut renumber: HashMap<usize, usize> = HashMap::new();
        for c in &community {
            let next = renumber.len();
            renumber.entry(*c).or_insert(next);
        }
        for m in &mut membership {
            *m = renumber[&community[*m]];
        }
        let mut merged: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for &(a, b, w) in &graph_edges {
            let (ca, cb) = (renumber[&community[a]], renumber[&community[b]]);
            *merged.entry((ca.min(cb), ca.max(cb))).or_default() += w;
        }
        graph_size = renumber.len();
        graph_edges = merged.into_iter().map(|((a, b), w)| (a, b, w)).collect();
    }
    // Number clusters by the first concept in each.
    let mut order: HashMap<usize, usize> = HashMap::new();
    membership
        .iter()
        .map(|m| {
            let next = order.len();
            *order.entry(*m).or_insert(next)
        })
        .collect()
}

/// One concept's measures.
#[derive(Debug, Clone, PartialEq)]
pub struct ConceptMeasures {
    /// Its index in `Interview::map`.
    pub node: usize,
    /// Its id (block id, or 1-based position among the map's concepts).
    pub id: String,
    /// Links in plus out.
    pub domain: u32,
    /// Σ (1/k) × concepts at distance k, k = 1..3.
    pub central: f64,
    /// Head, tail, isolated or ordinary.
    pub role: ConceptRole,
    /// Its cluster within the map.
    pub cluster: usize,
}

/// A head and the concepts that lead to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The head (index among the map's concepts).
    pub concept: usize,
    /// Its hieset (indices among the map's concepts).
    pub hieset: Vec<usize>,
}

/// A feedback loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loop {
    /// The concepts in order (indices among the map's concepts), starting at the smallest.
    pub concepts: Vec<usize>,
    /// Reinforcing or balancing.
    pub polarity: Polarity,
}

/// Map-level figures.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    /// Concepts.
    pub concepts: usize,
    /// Distinct links.
    pub links: usize,
    /// Heads (outcomes).
    pub heads: usize,
    /// Tails (options).
    pub tails: usize,
    /// Isolated concepts.
    pub isolated: usize,
    /// Listed loops.
    pub loops: usize,
    /// Clusters.
    pub clusters: usize,
}

impl Figures {
    /// Links per concept (0 without concepts).
    pub fn links_per_concept(&self) -> f64 {
        if self.concepts == 0 { 0.0 } else { self.links as f64 / self.concepts as f64 }
    }

    /// Links over possible links, n(n−1), for one map (0 below two concepts).
    pub fn density(&self) -> f64 {
        if self.concepts < 2 { 0.0 } else { self.links as f64 / (self.concepts as f64 * (self.concepts as f64 - 1.0)) }
    }

    /// Adds another map's figures to these (for totals over several maps).
    pub fn add(&mut self, other: &Figures) {
        self.concepts += other.concepts;
        self.links += other.links;
        self.heads += other.heads;
        self.tails += other.tails;
        self.isolated += other.isolated;
        self.loops += other.loops;
        self.clusters += other.clusters;
    }
}

/// Everything measured on one map.
#[derive(Debug, Clone)]
pub struct MapStructure {
    /// The interview's index in `study.interviews`.
    pub interview: usize,
    /// The network.
    pub network: MapNetwork,
    /// Per concept, in map order.
    pub concepts: Vec<ConceptMeasures>,
    /// Heads with their hiesets.
    pub heads: Vec<Head>,
    /// Tails with how many heads' hiesets hold them, most first.
    pub potent: Vec<(usize, usize)>,
    /// Loops, up to [`MAX_LOOPS_PER_MAP`].
    pub loops: Vec<Loop>,
    /// Whether the map had more loops than listed.
    pub loops_capped: bool,
    /// The map's figures.
    pub figures: Figures,
}

impl MapStructure {
    /// Who states the link from the network's node `means`: the people its
    /// concept is attributed to (none for a cross-link's own node).
    pub fn link_people<'s>(&self, study: &'s Study, means: usize) -> Vec<&'s str> {
        let interview = &study.interviews[self.interview];
        match &interview.map[self.network.nodes[means]].kind {
            collabmap_study::MapNodeKind::Concept(concept) => crate::coding::attributed(interview, &concept.item(), study.config.counting.group_agreement),
            collabmap_study::MapNodeKind::CrossLink { .. } => Vec::new(),
        }
    }

    /// Measures one interview's map.
    pub fn of(interview_index: usize, interview: &Interview) -> MapStructure {
        let network = MapNetwork::of(interview);
        let domain = network.domain();
        let central = network.centrality();
        let roles = network.roles();
        let clusters = network.clusters();
        let concepts = (0..network.len())
            .map(|v| ConceptMeasures {
                node: network.nodes[v],
                id: network.ids[v].clone(),
                domain: domain[v],
                central: central[v],
                role: roles[v],
                cluster: clusters[v],
            })
            .collect();
        let heads: Vec<Head> = (0..network.len()).filter(|&v| roles[v] == ConceptRole::Head).map(|v| Head { concept: v, hieset: network.hieset(v) }).collect();
        let mut potent: Vec<(usize, usize)> = (0..network.len())
            .filter(|&v| roles[v] == ConceptRole::Tail)
            .map(|v| (v, heads.iter().filter(|h| h.hieset.binary_search(&v).is_ok()).count()))
            .collect();
        potent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (cycles, loops_capped) = network.loops(MAX_LOOPS_PER_MAP);
        let loops: Vec<Loop> = cycles.into_iter().map(|c| Loop { polarity: network.polarity(&c), concepts: c }).collect();
        let count = |role| roles.iter().filter(|&&r| r == role).count();
        let figures = Figures {
            concepts: network.len(),
            links: network.links.len(),
            heads: count(ConceptRole::Head),
            tails: count(ConceptRole::Tail),
            isolated: count(ConceptRole::Isolated),
            loops: loops.len(),
            clusters: clusters.iter().max().map_or(0, |m| m + 1),
        };
        MapStructure { interview: interview_index, network, concepts, heads, potent, loops, loops_capped, figures }
    }
}

/// The structure of every map of a study, and the study's totals.
#[derive(Debug, Clone)]
pub struct StudyStructure {
    /// One entry per interview, in study order.
    pub maps: Vec<MapStructure>,
    /// Totals over the whole study (density over the union of maps).
    pub figures: Figures,
}

impl StudyStructure {
    /// Measures every map of `study`, in parallel.
    pub fn of(study: &Study) -> StudyStructure {
        let maps: Vec<MapStructure> = study.interviews.par_iter().enumerate().map(|(i, interview)| MapStructure::of(i, interview)).collect();
        let mut figures = Figures::default();
        for map in &maps {
            figures.add(&map.figures);
        }
        StudyStructure { maps, figures }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(n: usize, links: &[(usize, usize, bool)]) -> MapNetwork {
        let mut network = MapNetwork { nodes: (0..n).collect(), ids: (1..=n).map(|i| i.to_string()).collect(), links: links.to_vec(), ..Default::default() };
        network.out = vec![Vec::new(); n];
        network.into = vec![Vec::new(); n];
        for &(a, b, negative) in links {
            network.out[a].push((b, negative));
            network.into[b].push(a);
        }
        network
    }

    #[test]
    fn domain_roles_and_centrality_by_hand() {
        // 1 → 0 ← 2, 3 → 1, 4 alone.   0 is the head; 2 and 3 are tails.
        let map = network(5, &[(1, 0, false), (2, 0, false), (3, 1, false)]);
        assert_eq!(map.domain(), vec![2, 2, 1, 1, 0]);
        assert_eq!(map.roles(), vec![ConceptRole::Head, ConceptRole::Ordinary, ConceptRole::Tail, ConceptRole::Tail, ConceptRole::Isolated]);
        // From 0: 1 and 2 at distance 1, 3 at distance 2 → 2 + 1/2.
        // From 3: 1 at 1, 0 at 2, 2 at 3 → 1 + 1/2 + 1/3.
        let central = map.centrality();
        assert!((central[0] - 2.5).abs() < 1e-9);
        assert!((central[3] - (1.0 + 0.5 + 1.0 / 3.0)).abs() < 1e-9);
        assert_eq!(central[4], 0.0);
        assert_eq!(map.hieset(0), vec![1, 2, 3]);
    }

    #[test]
    fn loops_with_their_polarity() {
        // 0 → 1 → 2 → 0 (one negative link: balancing), 1 ⇄ 3 (positive: reinforcing), 4 → 4.
        let map = network(5, &[(0, 1, false), (1, 2, true), (2, 0, false), (1, 3, false), (3, 1, false), (4, 4, false)]);
        let (mut cycles, capped) = map.loops(100);
        assert!(!capped);
        cycles.sort();
        assert_eq!(cycles, vec![vec![0, 1, 2], vec![1, 3], vec![4]]);
        assert_eq!(map.polarity(&[0, 1, 2]), Polarity::Balancing);
        assert_eq!(map.polarity(&[1, 3]), Polarity::Reinforcing);
        // Two negatives make a reinforcing loop.
        let double = network(2, &[(0, 1, true), (1, 0, true)]);
        assert_eq!(double.polarity(&[0, 1]), Polarity::Reinforcing);
    }

    #[test]
    fn every_elementary_cycle_of_a_complete_graph_and_the_cap() {
        // The complete digraph on 4 nodes has 6 two-cycles, 8 three-cycles and 6 four-cycles.
        let links: Vec<_> = (0..4).flat_map(|a| (0..4).filter(move |&b| b != a).map(move |b| (a, b, false))).collect();
        let map = network(4, &links);
        let (cycles, capped) = map.loops(1000);
        assert!(!capped);
        assert_eq!(cycles.len(), 20);
        let unique: HashSet<Vec<usize>> = cycles.iter().cloned().collect();
        assert_eq!(unique.len(), 20);
        let (some, capped) = map.loops(7);
        assert_eq!((some.len(), capped), (7, true));
    }

    #[test]
    fn clusters_split_two_triangles_joined_by_one_link() {
        let map = network(6, &[(0, 1, false), (1, 2, false), (2, 0, false), (3, 4, false), (4, 5, false), (5, 3, false), (2, 3, false)]);
        let clusters = map.clusters();
        assert_eq!(clusters, vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(map.clusters(), clusters, "deterministic");
        // Disconnected parts never share a cluster; isolated concepts are alone.
        let apart = network(5, &[(0, 1, false), (2, 3, false)]);
        assert_eq!(apart.clusters(), vec![0, 0, 1, 1, 2]);
    }
}
