//! Networks for Gephi and Graphviz: the theme graph (themes with their
//! mention counts and model levels, links weighted by their supporters) or
//! the concept network (every concept of every interview, links with their
//! sign), as GraphML, GEXF 1.3 or DOT.

use std::fmt::Write as _;

use collabmap_analysis::structure::MapNetwork;
use collabmap_analysis::{Model, Synthesis};
use collabmap_study::{MapNodeKind, Study};

use crate::xml::Writer;

/// Which network to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// Themes and the links between them.
    Themes,
    /// Every concept of every interview.
    Concepts,
}

/// A network in neutral form: nodes with attributes, directed weighted edges with attributes.
struct Graph {
    node_keys: Vec<(&'static str, &'static str)>,
    edge_keys: Vec<(&'static str, &'static str)>,
    nodes: Vec<(String, String, Vec<String>)>,
    edges: Vec<(String, String, f64, Vec<String>)>,
}

fn themes_graph(study: &Study, synthesis: &Synthesis, model: &Model) -> Graph {
    let themes = study.codebook.themes();
    let nodes = themes
        .iter()
        .enumerate()
        .map(|(t, theme)| {
            let people = synthesis.mentions.get(t).map_or(0, |m| m.count_ones(..));
            let level = model.level_of(&theme.id).map_or(-1, i64::from);
            (theme.id.clone(), theme.name.clone(), vec![people.to_string(), level.to_string(), theme.kind.as_str().to_string(), theme.model.to_string()])
        })
        .collect();
    let edges = synthesis
        .links
        .iter()
        .map(|l| {
            (
                themes[l.from].id.clone(),
                themes[l.to].id.clone(),
                f64::from(l.weight()),
                vec![l.interviews.len().to_string(), (l.weight() >= model.min_support).to_string()],
            )
        })
        .collect();
    Graph {
        node_keys: vec![("people", "int"), ("level", "int"), ("kind", "string"), ("model", "boolean")],
        edge_keys: vec![("interviews", "int"), ("kept", "boolean")],
        nodes,
        edges,
    }
}

fn concepts_graph(study: &Study) -> Graph {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for interview in &study.interviews {
        let network = MapNetwork::of(interview);
        let id = |c: usize| format!("{}/{}", interview.id, network.ids[c]);
        for (c, &node) in network.nodes.iter().enumerate() {
            let MapNodeKind::Concept(concept) = &interview.map[node].kind else { continue };
            let label = concept.text();
            nodes.push((id(c), label, vec![interview.id.clone(), interview.people.join(" "), concept.codes.join(" ")]));
        }
        for &(means, end, negative) in &network.links {
            edges.push((id(means), id(end), 1.0, vec![(if negative { "-1" } else { "1" }).to_string(), interview.id.clone()]));
        }
    }
    Graph {
        node_keys: vec![("interview", "string"), ("people", "string"), ("codes", "string")],
        edge_keys: vec![("sign", "int"), ("interview", "string")],
        nodes,
        edges,
    }
}

fn build(study: &Study, synthesis: &Synthesis, model: &Model, network: Network) -> Graph {
    match network {
        Network::Themes => themes_graph(study, synthesis, model),
        Network::Concepts => concepts_graph(study),
    }
}

/// GraphML (valid against its schema), readable by Gephi, networkx, igraph and yEd.
pub fn graphml(study: &Study, synthesis: &Synthesis, model: &Model, network: Network) -> String {
    let graph = build(study, synthesis, model, network);
    let mut w = Writer::new();
    w.open(
        "graphml",
        &[
            ("xmlns", "http://graphml.graphdrawing.org/xmlns"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xsi:schemaLocation", "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"),
        ],
    );
    w.empty("key", &[("id", "label"), ("for", "node"), ("attr.name", "label"), ("attr.type", "string")]);
    for (name, kind) in &graph.node_keys {
        w.empty("key", &[("id", &format!("n_{name}")), ("for", "node"), ("attr.name", name), ("attr.type", kind)]);
    }
    w.empty("key", &[("id", "weight"), ("for", "edge"), ("attr.name", "weight"), ("attr.type", "double")]);
    for (name, kind) in &graph.edge_keys {
        w.empty("key", &[("id", &format!("e_{name}")), ("for", "edge"), ("attr.name", name), ("attr.type", kind)]);
    }
    w.open("graph", &[("id", if network == Network::Themes { "themes" } else { "concepts" }), ("edgedefault", "directed")]);
    for (id, label, values) in &graph.nodes {
        w.open("node", &[("id", id)]);
        w.leaf("data", &[("key", "label")], label);
        for ((name, _), value) in graph.node_keys.iter().zip(values) {
            w.leaf("data", &[("key", &format!("n_{name}"))], value);
        }
        w.close("node");
    }
    for (number, (from, to, weight, values)) in graph.edges.iter().enumerate() {
        w.open("edge", &[("id", &format!("e{number}")), ("source", from), ("target", to)]);
        w.leaf("data", &[("key", "weight")], &weight.to_string());
        for ((name, _), value) in graph.edge_keys.iter().zip(values) {
            w.leaf("data", &[("key", &format!("e_{name}"))], value);
        }
        w.close("edge");
    }
    w.close("graph");
    w.close("graphml");
    w.finish()
}

/// GEXF 1.3, Gephi's own format.
pub fn gexf(study: &Study, synthesis: &Synthesis, model: &Model, network: Network) -> String {
    let graph = build(study, synthesis, model, network);
    fn gexf_type(kind: &'static str) -> &'static str {
        if kind == "int" { "integer" } else { kind }
    }
    let mut w = Writer::new();
    w.open("gexf", &[("xmlns", "http://gexf.net/1.3"), ("version", "1.3")]);
    w.open("meta", &[]);
    w.leaf("creator", &[], "collabmap");
    w.leaf("description", &[], &format!("{} network of {}", if network == Network::Themes { "Theme" } else { "Concept" }, study.config.title));
    w.close("meta");
    w.open("graph", &[("defaultedgetype", "directed"), ("mode", "static")]);
    w.open("attributes", &[("class", "node")]);
    for (number, (name, kind)) in graph.node_keys.iter().enumerate() {
        w.empty("attribute", &[("id", &number.to_string()), ("title", name), ("type", gexf_type(kind))]);
    }
    w.close("attributes");
    w.open("attributes", &[("class", "edge")]);
    for (number, (name, kind)) in graph.edge_keys.iter().enumerate() {
        w.empty("attribute", &[("id", &number.to_string()), ("title", name), ("type", gexf_type(kind))]);
    }
    w.close("attributes");
    w.open("nodes", &[]);
    for (id, label, values) in &graph.nodes {
        w.open("node", &[("id", id), ("label", label)]);
        w.open("attvalues", &[]);
        for (number, value) in values.iter().enumerate() {
            w.empty("attvalue", &[("for", &number.to_string()), ("value", value)]);
        }
        w.close("attvalues");
        w.close("node");
    }
    w.close("nodes");
    w.open("edges", &[]);
    for (number, (from, to, weight, values)) in graph.edges.iter().enumerate() {
        w.open("edge", &[("id", &number.to_string()), ("source", from), ("target", to), ("weight", &weight.to_string())]);
        w.open("attvalues", &[]);
        for (index, value) in values.iter().enumerate() {
            w.empty("attvalue", &[("for", &index.to_string()), ("value", value)]);
        }
        w.close("attvalues");
        w.close("edge");
    }
    w.close("edges");
    w.close("graph");
    w.close("gexf");
    w.finish()
}

fn dot_quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}

/// DOT, for Graphviz: edge labels carry weights (themes) or signs (concepts).
pub fn dot(study: &Study, synthesis: &Synthesis, model: &Model, network: Network) -> String {
    let graph = build(study, synthesis, model, network);
    let mut out = format!(
        "digraph {} {{\n  rankdir=BT;\n  node [shape=box, style=rounded, fontname=\"DejaVu Sans\"];\n",
        if network == Network::Themes { "themes" } else { "concepts" }
    );
    for (id, label, _) in &graph.nodes {
        let _ = writeln!(out, "  {} [label={}];", dot_quote(id), dot_quote(label));
    }
    for (from, to, weight, values) in &graph.edges {
        let label = if network == Network::Themes {
            format!("{weight}")
        } else if values[0] == "-1" {
            "−".to_string()
        } else {
            String::new()
        };
        let style = if network == Network::Concepts && values[0] == "-1" { ", style=dashed" } else { "" };
        let _ = writeln!(out, "  {} -> {} [weight={weight}, label={}{style}];", dot_quote(from), dot_quote(to), dot_quote(&label));
    }
    out.push_str("}\n");
    out
}
