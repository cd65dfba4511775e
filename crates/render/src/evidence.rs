//! The evidence behind a theme's count or a model link, as JSON, text and
//! CSV: the same bytes from `collabmap evidence` and the workspace's API.
//!
//! People are named by their id only, never by name or organisation: the
//! evidence is for the researchers who hold the study.

use crate::RenderError;
use collabmap_analysis::evidence::{Chain, Mention};
use collabmap_analysis::{Model, Synthesis};
use collabmap_study::csv_out::CsvWriter;
use collabmap_study::{ItemKind, Study};
use serde::Serialize;

/// "1 project", "2 projects".
pub(crate) fn counted(count: u32, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The word for an item's kind in outputs.
pub fn kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Concept => "concept",
        ItemKind::Quote => "quote",
        ItemKind::Story => "story",
        ItemKind::Picture => "picture",
    }
}

#[derive(Serialize)]
struct ThemeJson<'a> {
    theme: &'a str,
    people: u32,
    out_of: u32,
    projects: u32,
    mentions: Vec<MentionJson<'a>>,
}

#[derive(Serialize)]
struct MentionJson<'a> {
    person: &'a str,
    interview: &'a str,
    file: &'a str,
    line: usize,
    kind: &'static str,
    text: &'a str,
    how: &'static str,
    indicator: Option<&'a str>,
}

fn mention_json<'a>(study: &'a Study, mention: &'a Mention) -> MentionJson<'a> {
    let interview = &study.interviews[mention.interview];
    MentionJson {
        person: &study.people[mention.person].id,
        interview: &interview.id,
        file: &interview.file,
        line: mention.line,
        kind: kind_name(mention.kind),
        text: &mention.text,
        how: mention.how.as_str(),
        indicator: mention.indicator.as_deref(),
    }
}

/// `evidence --theme ID --format json`: the theme's figures and every mention behind them.
pub fn theme_json(study: &Study, synthesis: &Synthesis, theme: usize, mentions: &[Mention]) -> String {
    let id = &study.codebook.themes()[theme].id;
    let row = synthesis.table.row(id);
    let document = ThemeJson {
        theme: id,
        people: row.map_or(0, |r| r.people),
        out_of: synthesis.table.out_of,
        projects: row.map_or(0, |r| r.projects),
        mentions: mentions.iter().map(|m| mention_json(study, m)).collect(),
    };
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

/// `evidence --theme ID`: the figures, then the mentions grouped by person and interview.
pub fn theme_text(study: &Study, synthesis: &Synthesis, theme: usize, mentions: &[Mention]) -> String {
    let entry = &study.codebook.themes()[theme];
    let row = synthesis.table.row(&entry.id);
    let mut out = format!(
        "{} ({}): {} of {} people, in {}\n",
        entry.id,
        entry.name,
        row.map_or(0, |r| r.people),
        synthesis.table.out_of,
        counted(row.map_or(0, |r| r.projects), "project", "projects")
    );
    let mut sorted: Vec<&Mention> = mentions.iter().collect();
    sorted.sort_by(|a, b| study.people[a.person].id.cmp(&study.people[b.person].id).then(a.interview.cmp(&b.interview)).then(a.line.cmp(&b.line)));
    let mut last: Option<(usize, usize)> = None;
    for mention in sorted {
        let interview = &study.interviews[mention.interview];
        if last != Some((mention.person, mention.interview)) {
            out.push_str(&format!("\n{} in {}\n", study.people[mention.person].id, interview.id));
            last = Some((mention.person, mention.interview));
        }
        let indicator = mention.indicator.as_deref().map(|p| format!(" \"{p}\"")).unwrap_or_default();
        out.push_str(&format!("  {}:{}  {} ({}{indicator})  {}\n", interview.file, mention.line, kind_name(mention.kind), mention.how.as_str(), mention.text));
    }
    out
}

/// `evidence --theme ID --format csv`: one row per mention.
pub fn theme_csv(study: &Study, mentions: &[Mention]) -> Result<String, RenderError> {
    let mut writer = CsvWriter::new();
    writer.write_record(["person", "interview", "file", "line", "kind", "how", "indicator", "text"])?;
    for mention in mentions {
        let json = mention_json(study, mention);
        writer.write_record([json.person, json.interview, json.file, &json.line.to_string(), json.kind, json.how, json.indicator.unwrap_or(""), json.text])?;
    }
    Ok(writer.into_string()?)
}

#[derive(Serialize)]
struct LinkJson<'a> {
    from: &'a str,
    to: &'a str,
    weight: u32,
    kept: bool,
    chains: Vec<ChainJson<'a>>,
}

#[derive(Serialize)]
struct ChainJson<'a> {
    person: &'a str,
    interview: &'a str,
    file: &'a str,
    path: Vec<StepJson<'a>>,
}

#[derive(Serialize)]
struct StepJson<'a> {
    line: usize,
    text: &'a str,
    theme: Option<&'a str>,
}

/// The link's weight (distinct supporters) and whether the model keeps it.
fn link_figures(study: &Study, synthesis: &Synthesis, model: &Model, from: usize, to: usize) -> (u32, bool) {
    let themes = study.codebook.themes();
    let weight = synthesis.links.iter().find(|l| l.from == from && l.to == to).map_or(0, |l| l.weight());
    let kept = model.links.iter().any(|l| l.from == themes[from].id && l.to == themes[to].id);
    (weight, kept)
}

fn chain_json<'a>(study: &'a Study, chain: &'a Chain) -> ChainJson<'a> {
    let interview = &study.interviews[chain.interview];
    let themes = study.codebook.themes();
    ChainJson {
        person: &study.people[chain.person].id,
        interview: &interview.id,
        file: &interview.file,
        path: chain.path.iter().map(|s| StepJson { line: s.line, text: &s.text, theme: s.theme.map(|t| themes[t].id.as_str()) }).collect(),
    }
}

/// `evidence --link FROM TO --format json`: the link's figures and every chain behind it.
pub fn link_json(study: &Study, synthesis: &Synthesis, model: &Model, from: usize, to: usize, chains: &[Chain]) -> String {
    let themes = study.codebook.themes();
    let (weight, kept) = link_figures(study, synthesis, model, from, to);
    let document = LinkJson { from: &themes[from].id, to: &themes[to].id, weight, kept, chains: chains.iter().map(|c| chain_json(study, c)).collect() };
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

/// `evidence --link FROM TO`: the figures, then each chain, means first.
pub fn link_text(study: &Study, synthesis: &Synthesis, model: &Model, from: usize, to: usize, chains: &[Chain]) -> String {
    let themes = study.codebook.themes();
    let (weight, kept) = link_figures(study, synthesis, model, from, to);
    let mut out = format!(
        "{} -> {}: {}{}\n",
        themes[from].id,
        themes[to].id,
        counted(weight, "person", "people"),
        if kept { ", kept in the model" } else { ", not kept in the model" }
    );
    for chain in chains {
        let interview = &study.interviews[chain.interview];
        out.push_str(&format!("\n{} in {}\n", study.people[chain.person].id, interview.id));
        for (number, step) in chain.path.iter().enumerate() {
            let theme = step.theme.map(|t| format!(" #{}", themes[t].id)).unwrap_or_default();
            let arrow = if number == 0 { "  " } else { "  → " };
            out.push_str(&format!("{arrow}{}:{}  {}{theme}\n", interview.file, step.line, step.text));
        }
    }
    out
}

/// `evidence --link FROM TO --format csv`: one row per step of each chain.
pub fn link_csv(study: &Study, chains: &[Chain]) -> Result<String, RenderError> {
    let mut writer = CsvWriter::new();
    writer.write_record(["chain", "person", "interview", "file", "step", "line", "theme", "text"])?;
    for (number, chain) in chains.iter().enumerate() {
        let json = chain_json(study, chain);
        for (step, part) in json.path.iter().enumerate() {
            writer.write_record([
                &(number + 1).to_string(),
                json.person,
                json.interview,
                json.file,
                &(step + 1).to_string(),
                &part.line.to_string(),
                part.theme.unwrap_or(""),
                part.text,
            ])?;
        }
    }
    Ok(writer.into_string()?)
}
