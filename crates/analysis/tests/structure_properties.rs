//! Johnson's loops checked against brute force, and every measure run on
//! random networks without panicking.

use std::collections::BTreeSet;

use collabmap_analysis::structure::MapNetwork;
use proptest::prelude::*;

fn network(n: usize, links: &[(usize, usize, bool)]) -> MapNetwork {
    let mut seen = BTreeSet::new();
    let links: Vec<_> = links.iter().copied().filter(|&(a, b, s)| a < n && b < n && seen.insert((a, b, s))).collect();
    let mut network = MapNetwork { nodes: (0..n).collect(), ids: (1..=n).map(|i| i.to_string()).collect(), links: links.clone(), ..Default::default() };
    network.out = vec![Vec::new(); n];
    network.into = vec![Vec::new(); n];
    for &(a, b, negative) in &links {
        network.out[a].push((b, negative));
        network.into[b].push(a);
    }
    network
}

/// Every elementary cycle by trying every simple path from each start to
/// nodes after it: exponential, fine for eight nodes.
fn brute_force(n: usize, adjacency: &[BTreeSet<usize>]) -> BTreeSet<Vec<usize>> {
    let mut cycles = BTreeSet::new();
    for start in 0..n {
        let mut stack = vec![vec![start]];
        while let Some(path) = stack.pop() {
            let last = *path.last().expect("non-empty");
            for &next in &adjacency[last] {
                if next == start {
                    cycles.insert(path.clone());
                } else if next > start && !path.contains(&next) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push(longer);
                }
            }
        }
    }
    cycles
}

proptest! {
    #[test]
    fn loops_are_exactly_the_elementary_cycles(n in 1usize..8, links in proptest::collection::vec((0usize..8, 0usize..8, any::<bool>()), 0..24)) {
        let map = network(n, &links);
        let adjacency: Vec<BTreeSet<usize>> = (0..n).map(|v| map.out[v].iter().map(|&(w, _)| w).collect()).collect();
        let (found, capped) = map.loops(100_000);
        prop_assert!(!capped);
        let found_set: BTreeSet<Vec<usize>> = found.iter().cloned().collect();
        prop_assert_eq!(found_set.len(), found.len(), "no cycle twice");
        prop_assert_eq!(found_set, brute_force(n, &adjacency));
    }

    #[test]
    fn every_measure_runs_on_any_network(n in 0usize..40, links in proptest::collection::vec((0usize..40, 0usize..40, any::<bool>()), 0..120)) {
        let map = network(n, &links);
        let domain = map.domain();
        prop_assert_eq!(domain.iter().map(|&d| d as usize).sum::<usize>(), 2 * map.links.len());
        let central = map.centrality();
        prop_assert!(central.iter().all(|c| c.is_finite() && *c >= 0.0));
        let clusters = map.clusters();
        prop_assert_eq!(clusters.len(), n);
        let roles = map.roles();
        prop_assert_eq!(roles.len(), n);
        let (cycles, _) = map.loops(50);
        for cycle in &cycles {
            let _ = map.polarity(cycle);
        }
    }
}
