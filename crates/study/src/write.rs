//! Writing a study back to a folder: the inverse of parsing.
//!
//! `load_study(write_study(s))` gives back `s` for any study whose texts are
//! already in normal form (no stray marks, single spaces); the property tests
//! hold the two directions together.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use crate::files::MemoryFiles;
use crate::model::{Concept, Interview, MapNodeKind, Person, Project, Study};

/// Writes `study` into `dir` (created if needed) in the study-folder format.
pub fn write_study(study: &Study, dir: &Path) -> io::Result<()> {
    study_files(study)?.write_folder(dir)
}

/// The files of `study` in the study-folder format, held in memory.
pub fn study_files(study: &Study) -> io::Result<MemoryFiles> {
    let mut files = MemoryFiles::new();
    files.insert("study.toml", study.config.to_toml().into_bytes());
    // Written wherever the loader will look for it.
    if let Some(path) = study.config.codebook_file() {
        files.insert(path, study.codebook.to_toml().into_bytes());
    }
    files.insert("people.csv", people_csv(&study.people_columns, &study.people)?.into_bytes());
    if !study.projects.is_empty() || !study.project_columns.is_empty() {
        files.insert("projects.csv", projects_csv(&study.project_columns, &study.projects)?.into_bytes());
    }
    for interview in &study.interviews {
        files.insert(interview_path(interview), interview_markdown(interview).into_bytes());
    }
    for memo in &study.memos {
        files.insert(memo.file.clone(), memo_markdown(memo).into_bytes());
    }
    Ok(files)
}

/// A memo as its file: front matter, then the body.
pub fn memo_markdown(memo: &crate::model::Memo) -> String {
    let mut out = format!("---\nabout: {}\n", memo.about.as_text());
    if let Some(by) = &memo.by {
        // An e-mail address or a name reads as a plain YAML scalar, as a researcher writes it.
        let plain = by.starts_with(|c: char| c.is_alphanumeric())
            && !by.ends_with(' ')
            && by.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '@' | '_' | '-' | '+' | ' '));
        out.push_str(&format!("by: {}\n", if plain { by.clone() } else { yaml_scalar(by) }));
    }
    if let Some(date) = &memo.date {
        out.push_str(&format!("date: {date}\n"));
    }
    out.push_str("---\n");
    out.push_str(&memo.body);
    out.push('\n');
    out
}

/// Where an interview is written, relative to the study folder.
pub fn interview_path(interview: &Interview) -> String {
    if interview.file.starts_with("interviews/") && interview.file.ends_with(".md") {
        interview.file.clone()
    } else {
        format!("interviews/{}.md", interview.id)
    }
}

fn csv_text(columns: &[String], rows: impl Iterator<Item = Vec<String>>) -> io::Result<String> {
    let mut writer = crate::csv_out::CsvWriter::new();
    writer.write_record(columns)?;
    for row in rows {
        writer.write_record(&row)?;
    }
    writer.into_string().map_err(io::Error::other)
}

/// `people.csv` text.
pub fn people_csv(columns: &[String], people: &[Person]) -> io::Result<String> {
    csv_text(columns, people.iter().map(|p| p.values.clone()))
}

/// `projects.csv` text.
pub fn projects_csv(columns: &[String], projects: &[Project]) -> io::Result<String> {
    csv_text(columns, projects.iter().map(|p| p.values.clone()))
}

fn yaml_scalar(text: &str) -> String {
    let plain = !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain { text.to_string() } else { format!("'{}'", text.replace('\'', "''")) }
}

fn yaml_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|i| yaml_scalar(i)).collect::<Vec<_>>().join(", "))
}

fn marks(out: &mut String, codes: &[String], speakers: &[String]) {
    for code in codes {
        let _ = write!(out, " #{code}");
    }
    for speaker in speakers {
        let _ = write!(out, " @{speaker}");
    }
}

/// The text of one concept's list item (without the bullet).
pub fn concept_text(concept: &Concept) -> String {
    let mut out = concept.pole.clone();
    if let Some(contrast) = &concept.contrast {
        let _ = write!(out, " ... {contrast}");
    }
    marks(&mut out, &concept.codes, &concept.speakers);
    if let Some(block) = &concept.block_id {
        let _ = write!(out, " ^{block}");
    }
    out.trim_start().to_string()
}

/// Appends `codes` and `speakers` to the last line of `text` (or a line of their own).
fn text_with_marks(text: &str, codes: &[String], speakers: &[String]) -> String {
    let mut out = text.to_string();
    marks(&mut out, codes, speakers);
    out.trim_start().to_string()
}

/// An interview as Markdown with YAML front matter.
pub fn interview_markdown(interview: &Interview) -> String {
    let mut out = String::from("---\n");
    let stem = interview.file.rsplit('/').next().and_then(|f| f.strip_suffix(".md"));
    if stem != Some(interview.id.as_str()) {
        let _ = writeln!(out, "id: {}", yaml_scalar(&interview.id));
    }
    let _ = writeln!(out, "people: {}", yaml_list(&interview.people));
    if !interview.projects.is_empty() {
        let _ = writeln!(out, "projects: {}", yaml_list(&interview.projects));
    }
    if let Some(date) = &interview.date {
        let _ = writeln!(out, "date: {date}");
    }
    let _ = writeln!(out, "checked_back: {}", interview.checked_back);
    if let Some(date) = &interview.checked_back_on {
        let _ = writeln!(out, "checked_back_on: {date}");
    }
    let _ = writeln!(out, "---\n");
    out.push_str("# Map\n\n");
    for node in &interview.map {
        out.push_str(&"  ".repeat(node.depth));
        out.push_str("- ");
        if node.negative {
            out.push_str("(-) ");
        }
        match &node.kind {
            MapNodeKind::Concept(concept) => out.push_str(&concept_text(concept)),
            MapNodeKind::CrossLink { target, .. } => {
                let _ = write!(out, "[[#^{target}]]");
            }
        }
        out.push('\n');
    }
    if !interview.stories.is_empty() {
        out.push_str("\n# Stories\n");
        for story in &interview.stories {
            let _ = writeln!(out, "\n## {}\n", story.title);
            let _ = writeln!(out, "{}", text_with_marks(&story.body, &story.codes, &story.speakers));
        }
    }
    if !interview.quotes.is_empty() {
        out.push_str("\n# Quotes\n");
        for quote in &interview.quotes {
            out.push('\n');
            for line in text_with_marks(&quote.text, &quote.codes, &quote.speakers).split('\n') {
                let _ = writeln!(out, "> {line}");
            }
            if let Some(person) = &quote.attribution {
                let _ = writeln!(out, "> \u{2014} {person}{}", if quote.anonymous { ", anonymous" } else { "" });
            }
        }
    }
    if !interview.pictures.is_empty() {
        out.push_str("\n# Pictures\n");
        for picture in &interview.pictures {
            let title = if picture.not_for_publication { format!(" \"{}\"", crate::parse::interview::NOT_FOR_PUBLICATION) } else { String::new() };
            let _ = writeln!(out, "\n![{}]({}{title})\n", picture.caption, picture.path);
            let explained = text_with_marks(&picture.explanation, &picture.codes, &picture.speakers);
            if !explained.is_empty() {
                let _ = writeln!(out, "{explained}");
            }
        }
    }
    out
}
