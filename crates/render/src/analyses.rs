//! The map analyses, evidence traces and coder agreement as JSON, CSV and
//! text, for `collabmap analyse`, `trace` and `agree`.

use std::fmt::Write as _;
use std::io::{self, Write};

use collabmap_analysis::agreement::Agreement;
use collabmap_analysis::structure::{Figures, MapStructure, StudyStructure};
use collabmap_analysis::trace::Trace;
use collabmap_study::{MapNodeKind, Study};
use serde_json::{Value, json};

/// Rounds to four decimals, so outputs are stable and readable.
pub fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

fn optional(value: Option<f64>) -> Value {
    value.map_or(Value::Null, |v| json!(round4(v)))
}

/// A concept's text as written: the pole, and "... contrast" when bipolar.
pub fn concept_text(study: &Study, map: &MapStructure, concept: usize) -> String {
    match &study.interviews[map.interview].map[map.network.nodes[concept]].kind {
        MapNodeKind::Concept(c) => c.text(),
        MapNodeKind::CrossLink { target, .. } => target.clone(),
    }
}

fn figures_json(figures: &Figures, interviews: usize, density: f64) -> Value {
    json!({
        "interviews": interviews,
        "concepts": figures.concepts,
        "links": figures.links,
        "links_per_concept": round4(figures.links_per_concept()),
        "heads": figures.heads,
        "tails": figures.tails,
        "isolated": figures.isolated,
        "density": round4(density),
        "loops": figures.loops,
        "clusters": figures.clusters,
    })
}

/// Links possible inside the maps: Σ n(n − 1). Concepts of different
/// interviews are never linked, so this, not N(N − 1), is the density's denominator.
fn possible_links(maps: &[&MapStructure]) -> f64 {
    maps.iter().map(|m| m.figures.concepts as f64 * (m.figures.concepts as f64 - 1.0).max(0.0)).sum()
}

/// The maps' links over the links possible inside them (0 when none are possible).
pub(crate) fn density_within(maps: &[&MapStructure], links: usize) -> f64 {
    let possible = possible_links(maps);
    if possible > 0.0 { links as f64 / possible } else { 0.0 }
}

/// Every concept with its centrality, most central first (ties in map order).
pub(crate) fn ranked_central<'m>(maps: &[&'m MapStructure]) -> Vec<(f64, &'m MapStructure, usize)> {
    let mut ranked: Vec<(f64, &MapStructure, usize)> = maps.iter().flat_map(|m| m.concepts.iter().enumerate().map(move |(c, x)| (x.central, *m, c))).collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.interview.cmp(&b.1.interview)).then(a.2.cmp(&b.2)));
    ranked
}

/// Every tail with the heads it leads to, most first (ties in map order).
pub(crate) fn ranked_potent<'m>(maps: &[&'m MapStructure]) -> Vec<(usize, &'m MapStructure, usize)> {
    let mut potent: Vec<(usize, &MapStructure, usize)> = maps.iter().flat_map(|m| m.potent.iter().map(move |&(t, n)| (n, *m, t))).collect();
    potent.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.interview.cmp(&b.1.interview)).then(a.2.cmp(&b.2)));
    potent
}

/// Writes the analyses of the given maps as JSON to `out`, one array element
/// per line. Written as it goes: a 100,000-person study's analysis is half a
/// gigabyte of JSON, too much to build as one value first.
pub fn analyse_json(study: &Study, structure: &StudyStructure, maps: &[&MapStructure], out: &mut dyn Write) -> io::Result<()> {
    let whole = maps.len() == structure.maps.len();
    let scope = if whole { "study".to_string() } else { maps.iter().map(|m| study.interviews[m.interview].id.clone()).collect::<Vec<_>>().join(",") };
    let figures = total(maps);
    writeln!(out, "{{\n\"scope\": {},\n\"figures\": {},", json!(scope), figures_json(&figures, maps.len(), density_within(maps, figures.links)))?;
    for (number, section) in JSON_SECTIONS.iter().enumerate() {
        write!(out, "\"{section}\": [")?;
        let mut first = true;
        for map in maps {
            for value in section_rows(study, map, section) {
                out.write_all(if first { b"\n" } else { b",\n" })?;
                first = false;
                serde_json::to_writer(&mut *out, &value).map_err(io::Error::other)?;
            }
        }
        writeln!(out, "{}]{}", if first { "" } else { "\n" }, if number + 1 < JSON_SECTIONS.len() { "," } else { "" })?;
    }
    writeln!(out, "}}")
}

/// The sections of `analyse --format json`, in order; each lists rows from every map.
const JSON_SECTIONS: [&str; 7] = ["concepts", "heads", "potent", "loops", "loops_capped", "clusters", "links"];

/// The rows one map gives to `section` of `analyse --format json` (written map by map, so
/// the output streams rather than holding the whole study's rows).
fn section_rows(study: &Study, map: &MapStructure, section: &str) -> Vec<Value> {
    let interview = &study.interviews[map.interview].id;
    let ids = |concepts: &[usize]| concepts.iter().map(|&c| &map.network.ids[c]).collect::<Vec<_>>();
    match section {
        "concepts" => map
            .concepts
            .iter()
            .enumerate()
            .map(|(c, m)| {
                json!({"interview": interview, "id": m.id, "text": concept_text(study, map, c), "domain": m.domain, "central": round4(m.central), "role": m.role.as_str(), "cluster": m.cluster})
            })
            .collect(),
        "heads" => map.heads.iter().map(|head| json!({"interview": interview, "id": map.network.ids[head.concept], "hieset": ids(&head.hieset)})).collect(),
        "potent" => map
            .potent
            .iter()
            .map(|&(tail, count)| json!({"interview": interview, "id": map.network.ids[tail], "text": concept_text(study, map, tail), "heads": count}))
            .collect(),
        "loops" => map.loops.iter().map(|cycle| json!({"interview": interview, "concepts": ids(&cycle.concepts), "polarity": cycle.polarity.as_str()})).collect(),
        "loops_capped" if map.loops_capped => {
            let listed = map.loops.len();
            vec![json!({"interview": interview, "listed": listed, "message": format!("this map has more than {listed} loops; the first {listed} are listed")})]
        }
        "clusters" => (0..map.figures.clusters)
            .map(|cluster| {
                let members: Vec<&String> = map.concepts.iter().enumerate().filter(|(_, c)| c.cluster == cluster).map(|(i, _)| &map.network.ids[i]).collect();
                json!({"interview": interview, "cluster": cluster, "concepts": members})
            })
            .collect(),
        "links" => map
            .network
            .links
            .iter()
            .map(|&(means, end, negative)| {
                let people = map.link_people(study, means);
                json!({"interview": interview, "from": map.network.ids[means], "to": map.network.ids[end], "negative": negative, "people": people})
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn total(maps: &[&MapStructure]) -> Figures {
    let mut total = Figures::default();
    for map in maps {
        total.add(&map.figures);
    }
    total
}

/// One row per concept: interview, id, text, domain, central, role, cluster.
pub fn analyse_csv(study: &Study, maps: &[&MapStructure]) -> String {
    let mut writer = collabmap_study::csv_out::CsvWriter::new();
    let _ = writer.write_record(["interview", "id", "text", "domain", "central", "role", "cluster"]);
    for map in maps {
        let interview = &study.interviews[map.interview].id;
        for (c, measures) in map.concepts.iter().enumerate() {
            let _ = writer.write_record([
                interview.clone(),
                measures.id.clone(),
                concept_text(study, map, c),
                measures.domain.to_string(),
                format!("{}", round4(measures.central)),
                measures.role.as_str().to_string(),
                measures.cluster.to_string(),
            ]);
        }
    }
    writer.into_string().unwrap_or_default()
}

/// A readable summary: figures, the most central concepts, potent options, heads and loops.
pub fn analyse_text(study: &Study, maps: &[&MapStructure]) -> String {
    let mut out = String::new();
    let figures = total(maps);
    let _ = writeln!(
        out,
        "{} maps: {} concepts, {} links ({:.2} per concept, density {:.4}), {} heads, {} tails, {} isolated, {} loops, {} clusters",
        maps.len(),
        figures.concepts,
        figures.links,
        figures.links_per_concept(),
        density_within(maps, figures.links),
        figures.heads,
        figures.tails,
        figures.isolated,
        figures.loops,
        figures.clusters
    );
    let limit = if maps.len() == 1 { usize::MAX } else { 10 };
    let _ = writeln!(out, "\nMost central concepts (central, domain, role):");
    for (central, map, c) in ranked_central(maps).iter().take(limit) {
        let m = &map.concepts[*c];
        let _ = writeln!(
            out,
            "  {:>7.3} {:>3} {:<8} {}/{}  {}",
            central,
            m.domain,
            m.role.as_str(),
            study.interviews[map.interview].id,
            m.id,
            concept_text(study, map, *c)
        );
    }
    let _ = writeln!(out, "\nPotent options (tails, by the heads they lead to):");
    for (count, map, tail) in ranked_potent(maps).iter().take(limit) {
        let _ = writeln!(out, "  {count:>3} heads  {}/{}  {}", study.interviews[map.interview].id, map.network.ids[*tail], concept_text(study, map, *tail));
    }
    let _ = writeln!(out, "\nLoops:");
    let mut listed = 0;
    for map in maps {
        for cycle in &map.loops {
            if listed < limit.min(50) {
                let names: Vec<String> = cycle.concepts.iter().map(|&c| concept_text(study, map, c)).collect();
                let _ = writeln!(out, "  {} {}: {}", study.interviews[map.interview].id, cycle.polarity.as_str(), names.join(" → "));
            }
            listed += 1;
        }
        if map.loops_capped {
            let _ =
                writeln!(out, "  {}: more than {} loops; only the first {} are listed", study.interviews[map.interview].id, map.loops.len(), map.loops.len());
        }
    }
    if listed == 0 {
        out.push_str("  none\n");
    } else if listed > limit.min(50) {
        let _ = writeln!(out, "  … {} more (see --format json)", listed - limit.min(50));
    }
    out
}

/// A trace as JSON.
pub fn trace_json(study: &Study, from: &str, to: &str, max_steps: usize, thread: bool, trace: &Trace) -> String {
    let id = |t: usize| study.codebook.themes().get(t).map_or(String::new(), |x| x.id.clone());
    let paths: Vec<Value> = trace
        .paths
        .iter()
        .map(|p| {
            json!({
                "themes": p.themes.iter().map(|&t| id(t)).collect::<Vec<_>>(),
                "steps": p.steps.iter().map(|s| json!({"from": id(s.from), "to": id(s.to), "people": s.people, "interviews": s.interviews})).collect::<Vec<_>>(),
                "weakest": p.weakest,
                "thread": p.thread.len(),
            })
        })
        .collect();
    let body = json!({"from": from, "to": to, "max_steps": max_steps, "thread": thread, "paths": paths, "capped": trace.capped});
    serde_json::to_string_pretty(&body).unwrap_or_default() + "\n"
}

/// A trace as readable lines.
pub fn trace_text(study: &Study, from: &str, to: &str, max_steps: usize, thread: bool, trace: &Trace) -> String {
    let name = |t: usize| study.codebook.themes().get(t).map_or(String::new(), |x| x.name.clone());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Paths from {from} to {to} in at most {max_steps} steps{}: {}",
        if thread { ", each stated end to end by one person" } else { "" },
        trace.paths.len()
    );
    for (i, path) in trace.paths.iter().enumerate() {
        let names: Vec<String> = path.themes.iter().map(|&t| name(t)).collect();
        let _ = writeln!(out, "\n{:>3}. {}", i + 1, names.join(" → "));
        let _ = writeln!(out, "     weakest step {} people; {} people stated every step", path.weakest, path.thread.len());
        for step in &path.steps {
            let _ = writeln!(out, "       {} → {}: {} people, {} interviews", name(step.from), name(step.to), step.people, step.interviews);
        }
    }
    if trace.capped {
        let _ = writeln!(out, "\nMore paths exist; lower --max-steps to see the strongest.");
    }
    out
}

/// Agreement as JSON.
pub fn agree_json(agreement: &Agreement, coders: usize) -> String {
    let theme = |row: &collabmap_analysis::agreement::ThemeAgreement, with_cells: bool| {
        let mut value = json!({"agreement": optional(row.agreement), "kappa": optional(row.kappa)});
        if with_cells {
            value["theme"] = json!(row.theme);
            value["both"] = json!(row.table.both);
            value["first_only"] = json!(row.table.first_only);
            value["second_only"] = json!(row.table.second_only);
            value["neither"] = json!(row.table.neither);
        }
        if coders >= 3 {
            value["alpha"] = optional(row.alpha);
        }
        value
    };
    let body = json!({
        "studies": coders,
        "items": agreement.items,
        "themes": agreement.themes.iter().map(|r| theme(r, true)).collect::<Vec<_>>(),
        "overall": theme(&agreement.overall, false),
        "differences": agreement.differences.iter().map(|d| json!({"interview": d.interview, "kind": d.kind, "position": d.position, "message": d.message})).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&body).unwrap_or_default() + "\n"
}

/// Agreement as a readable table.
pub fn agree_text(agreement: &Agreement, coders: usize) -> String {
    let show = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{x:.3}"));
    let mut out = String::new();
    let _ = writeln!(out, "{} items compared across {coders} codings; {} left out because they differ.\n", agreement.items, agreement.differences.len());
    let _ = writeln!(
        out,
        "{:<28} {:>5} {:>6} {:>6} {:>7} {:>9} {:>7}{}",
        "theme",
        "both",
        "first",
        "second",
        "neither",
        "agreement",
        "kappa",
        if coders >= 3 { "   alpha" } else { "" }
    );
    for row in agreement.themes.iter().chain(std::iter::once(&agreement.overall)) {
        let t = &row.table;
        let alpha = if coders >= 3 { format!(" {:>7}", show(row.alpha)) } else { String::new() };
        let _ = writeln!(
            out,
            "{:<28} {:>5} {:>6} {:>6} {:>7} {:>9} {:>7}{alpha}",
            row.theme,
            t.both,
            t.first_only,
            t.second_only,
            t.neither,
            show(row.agreement),
            show(row.kappa)
        );
    }
    if !agreement.differences.is_empty() {
        let _ = writeln!(out, "\nLeft out:");
        for d in agreement.differences.iter().take(50) {
            let _ = writeln!(out, "  {} {} {}: {}", d.interview, d.kind, d.position, d.message);
        }
        if agreement.differences.len() > 50 {
            let _ = writeln!(out, "  … {} more (see --format json)", agreement.differences.len() - 50);
        }
    }
    if coders >= 3 {
        out.push_str("\nWith three or more codings, the cells compare the first two; agreement and kappa are averaged over every pair (Light's kappa); alpha is Krippendorff's over all.\n");
    }
    out
}
