//! The mention table as text, CSV, JSON or Markdown, and the model as text or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use collabmap_analysis::{CrossTab, MentionRow, Model};
use serde::Serialize;

/// The columns every table format starts with.
pub const TABLE_COLUMNS: [&str; 7] = ["theme", "name", "people", "out_of", "percent", "projects", "inferred"];

fn headers(by: &CrossTab) -> Vec<String> {
    by.values.iter().map(|v| format!("{}={}", by.column, v)).collect()
}

fn cells(row: &MentionRow) -> [String; 7] {
    [
        row.theme.clone(),
        row.name.clone(),
        row.people.to_string(),
        row.out_of.to_string(),
        format!("{:.1}", row.percent),
        row.projects.to_string(),
        row.inferred.to_string(),
    ]
}

/// CSV with the header `theme,name,people,out_of,percent,projects,inferred` and any cross-tab columns.
pub fn table_csv(rows: &[&MentionRow], by: Option<&CrossTab>) -> String {
    let (header, body) = grid(rows, by);
    let mut writer = collabmap_study::csv_out::CsvWriter::new();
    for record in std::iter::once(&header).chain(&body) {
        let _ = writer.write_record(record);
    }
    writer.into_string().unwrap_or_default()
}

#[derive(Serialize)]
struct JsonRow<'a> {
    #[serde(flatten)]
    row: &'a MentionRow,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<BTreeMap<String, u32>>,
}

/// JSON: an array of rows, each `{"theme","name","people","out_of","percent","projects","inferred"}`,
/// with `"by": {"column=value": n}` when cross-tabulated.
pub fn table_json(rows: &[&MentionRow], by: Option<&CrossTab>) -> String {
    let rows: Vec<JsonRow<'_>> = rows.iter().map(|row| JsonRow { row, by: by.map(|by| headers(by).into_iter().zip(by.row(&row.theme)).collect()) }).collect();
    serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
}

/// A GitHub-flavoured Markdown table.
pub fn table_markdown(rows: &[&MentionRow], by: Option<&CrossTab>) -> String {
    let (header, body) = grid(rows, by);
    let mut out = String::new();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let align: Vec<&str> = header.iter().enumerate().map(|(i, _)| if i < 2 { "---" } else { "---:" }).collect();
    let _ = writeln!(out, "| {} |", align.join(" | "));
    for line in body {
        let escaped: Vec<String> = line.iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(out, "| {} |", escaped.join(" | "));
    }
    out
}

fn grid(rows: &[&MentionRow], by: Option<&CrossTab>) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = TABLE_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(by.map(headers).unwrap_or_default());
    let body = rows
        .iter()
        .map(|row| {
            let mut line = cells(row).to_vec();
            if let Some(by) = by {
                line.extend(by.row(&row.theme).iter().map(u32::to_string));
            }
            line
        })
        .collect();
    (header, body)
}

/// An aligned table for the terminal: text columns left, numbers right.
pub fn table_text(rows: &[&MentionRow], by: Option<&CrossTab>) -> String {
    let (header, body) = grid(rows, by);
    let widths: Vec<usize> =
        (0..header.len()).map(|c| body.iter().map(|l| l[c].chars().count()).chain([header[c].chars().count()]).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for line in std::iter::once(&header).chain(&body) {
        let padded: Vec<String> =
            line.iter().enumerate().map(|(c, cell)| if c < 2 { format!("{cell:<w$}", w = widths[c]) } else { format!("{cell:>w$}", w = widths[c]) }).collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    }
    out
}

/// The model as JSON, exactly as the specification shows.
pub fn model_json(model: &Model) -> String {
    serde_json::to_string_pretty(model).unwrap_or_default() + "\n"
}

/// The model as a readable outline: the centre, the rings, the kept links.
pub fn model_text(model: &Model, name_of: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    match &model.attractor {
        Some(a) => {
            let _ = writeln!(out, "Attractor: {} ({a})", name_of(a));
        }
        None => out.push_str("No attractor: the codebook has no model theme.\n"),
    }
    let _ = writeln!(out, "Links kept with at least {} supporters: {}\n", model.min_support, model.links.len());
    let mut last: Option<Option<u32>> = None;
    for theme in &model.themes {
        if last != Some(theme.level) {
            let heading = match theme.level {
                Some(0) => "Centre (level 0)".to_string(),
                Some(1) => "Inner ring (level 1)".to_string(),
                Some(l) => format!("Outer ring (level {l})"),
                None => "Not placed (no kept path to the attractor)".to_string(),
            };
            let _ = writeln!(out, "{heading}");
            last = Some(theme.level);
        }
        let _ = writeln!(out, "  {:<28} {:>6} people  {}", theme.id, theme.people, name_of(&theme.id));
    }
    if !model.links.is_empty() {
        out.push_str("\nKept links (means -> end, supporters)\n");
        for link in &model.links {
            let _ = writeln!(out, "  {} -> {}  {}", link.from, link.to, link.people);
        }
    }
    out
}
