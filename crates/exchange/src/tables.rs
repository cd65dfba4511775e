//! Tidy tables for spreadsheets and R: one observation per row.
//!
//! - `items.csv`: every concept, quote, story and picture explanation;
//! - `codings.csv`: each code on each item, explicit or inferred;
//! - `presence.csv`: one row per interviewed person with their people.csv
//!   columns and a 0/1 column per theme (the case-level matrix); its column
//!   sums equal the mention table's people counts;
//! - `links.csv`: theme links with their supporters and interviews.

use crate::ExchangeError;
use collabmap_analysis::coding::attributed;
use collabmap_analysis::{CodeOnItem, Coding, Model, Synthesis};
use collabmap_study::csv_out::CsvWriter;
use collabmap_study::{ItemKind, MapNodeKind, Study};

/// One line of items.csv.
struct Row<'i> {
    id: String,
    block: String,
    kind: &'static str,
    text: String,
    contrast: String,
    parent: String,
    sign: &'static str,
    item: collabmap_study::Item<'i>,
    codes: &'i [CodeOnItem],
}

/// `items.csv` (every concept, quote, story and picture, with who it is attributed to) and
/// `codings.csv` (each item's codes, explicit or inferred).
fn item_tables(study: &Study, coding: &Coding) -> Result<(CsvWriter, CsvWriter), ExchangeError> {
    let fail = |e: csv::Error| ExchangeError::Write(format!("a table: {e}"));
    let themes = study.codebook.themes();
    let mut items = CsvWriter::new();
    let mut codings = CsvWriter::new();
    items.write_record(["interview", "item", "block_id", "kind", "text", "contrast", "parent", "sign", "people"]).map_err(fail)?;
    codings.write_record(["interview", "item", "code", "source"]).map_err(fail)?;
    for (number, interview) in study.interviews.iter().enumerate() {
        let coding = coding.interview(number);
        let mut position_of = vec![0usize; interview.map.len()];
        let mut position = 0;
        for (index, node) in interview.map.iter().enumerate() {
            if matches!(node.kind, MapNodeKind::Concept(_)) {
                position += 1;
                position_of[index] = position;
            }
        }
        // Items are named by kind and position, which never clash; block ids have their own column.
        let concept_id = |index: usize| format!("concept-{}", position_of[index]);
        let mut rows: Vec<Row<'_>> = Vec::new();
        for (index, node) in interview.map.iter().enumerate() {
            let MapNodeKind::Concept(concept) = &node.kind else { continue };
            // A parent written as a cross-link stands for the concept it names.
            let parent = node.parent.and_then(|p| match &interview.map[p].kind {
                MapNodeKind::Concept(_) => Some(p),
                MapNodeKind::CrossLink { resolved, .. } => *resolved,
            });
            let sign = if node.parent.is_none() {
                ""
            } else if node.negative {
                "-"
            } else {
                "+"
            };
            rows.push(Row {
                id: concept_id(index),
                block: concept.block_id.clone().unwrap_or_default(),
                kind: "concept",
                text: concept.pole.clone(),
                contrast: concept.contrast.clone().unwrap_or_default(),
                parent: parent.map(concept_id).unwrap_or_default(),
                sign,
                item: concept.item(),
                codes: coding.concept(index),
            });
        }
        let plain = |id: String, kind: &'static str, text: &str, item, codes| Row {
            id,
            block: String::new(),
            kind,
            text: text.to_string(),
            contrast: String::new(),
            parent: String::new(),
            sign: "",
            item,
            codes,
        };
        for (n, quote) in interview.quotes.iter().enumerate() {
            rows.push(plain(format!("quote-{}", n + 1), "quote", &quote.text, quote.item(), coding.item(ItemKind::Quote, n)));
        }
        for (n, story) in interview.stories.iter().enumerate() {
            rows.push(plain(format!("story-{}", n + 1), "story", &story.body, story.item(), coding.item(ItemKind::Story, n)));
        }
        for (n, picture) in interview.pictures.iter().enumerate() {
            rows.push(plain(format!("picture-{}", n + 1), "picture", &picture.explanation, picture.item(), coding.item(ItemKind::Picture, n)));
        }
        for Row { id, block, kind, text, contrast, parent, sign, item, codes } in rows {
            let people = attributed(interview, &item, study.config.counting.group_agreement).join(" ");
            items.write_record([interview.id.as_str(), &id, &block, kind, &text, &contrast, &parent, sign, &people]).map_err(fail)?;
            for code in codes {
                let source = if code.inferred() { "inferred" } else { "explicit" };
                codings.write_record([interview.id.as_str(), &id, &themes[code.code].id, source]).map_err(fail)?;
            }
        }
    }

    Ok((items, codings))
}

/// `presence.csv`: each person interviewed against each theme, 1 or 0.
fn presence_table(study: &Study, synthesis: &Synthesis) -> Result<CsvWriter, ExchangeError> {
    let fail = |e: csv::Error| ExchangeError::Write(format!("a table: {e}"));
    let themes = study.codebook.themes();
    // Names and organisations of anonymous people are left blank.
    let columns: Vec<&String> = study.people_columns.iter().collect();
    let mut presence = CsvWriter::new();
    let mut header: Vec<String> = columns.iter().map(|c| (*c).clone()).collect();
    header.extend(themes.iter().map(|t| t.id.clone()));
    presence.write_record(&header).map_err(fail)?;
    for p in synthesis.attended.ones() {
        let person = &study.people[p];
        let mut row: Vec<String> = columns.iter().map(|c| person.disclosed(&study.people_columns, c).to_string()).collect();
        row.extend((0..themes.len()).map(|t| if synthesis.mentions[t].contains(p) { "1" } else { "0" }.to_string()));
        presence.write_record(&row).map_err(fail)?;
    }

    Ok(presence)
}

/// `links.csv`: the theme graph's links, with their people, interviews and whether the model keeps them.
fn link_table(study: &Study, synthesis: &Synthesis, model: &Model) -> Result<CsvWriter, ExchangeError> {
    let fail = |e: csv::Error| ExchangeError::Write(format!("a table: {e}"));
    let themes = study.codebook.themes();
    let mut links = CsvWriter::new();
    links.write_record(["from", "to", "people", "interviews", "kept"]).map_err(fail)?;
    for link in &synthesis.links {
        links
            .write_record([
                themes[link.from].id.as_str(),
                &themes[link.to].id,
                &link.weight().to_string(),
                &link.interviews.len().to_string(),
                if link.weight() >= model.min_support { "true" } else { "false" },
            ])
            .map_err(fail)?;
    }
    Ok(links)
}

/// The four tables, as (file name, CSV text).
pub fn tidy_tables(study: &Study, synthesis: &Synthesis, model: &Model) -> Result<Vec<(&'static str, String)>, ExchangeError> {
    let finish = CsvWriter::into_string;
    let (items, codings) = item_tables(study, &synthesis.coding)?;
    let presence = presence_table(study, synthesis)?;
    let links = link_table(study, synthesis, model)?;
    Ok(vec![("items.csv", finish(items)?), ("codings.csv", finish(codings)?), ("presence.csv", finish(presence)?), ("links.csv", finish(links)?)])
}
