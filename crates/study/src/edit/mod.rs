//! Small edits to a study's files that keep every other byte as it was: a
//! front-matter key, the consent mark on a quote, one cell of `people.csv`,
//! the rows of a CSV file edited as a form ([`CsvTable`]).
//!
//! Writing the whole file back ([`crate::write`]) would normalise what the
//! researcher typed (spacing, quoting, the order of keys); an interviewee's
//! consent must change only what they chose, so these work on the text.

pub mod codebook;
pub mod toml_form;

use std::fmt;

use crate::parse::interview::{NOT_FOR_PUBLICATION, attribution_text, image, image_path};

/// Why an edit could not be made; the file is then left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The interview has no front matter between `---` lines at the top.
    NoFrontMatter,
    /// No quote starts on the given line.
    NoQuoteAt(usize),
    /// No picture's image is on the given line.
    NoPictureAt(usize),
    /// `people.csv` could not be read as CSV, or has no `id` column.
    People(String),
    /// No row of `people.csv` has the given id.
    NoPerson(String),
    /// A CSV file could not be read, or has no header.
    Csv(String),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::NoFrontMatter => write!(f, "the interview has no front matter between `---` lines at the top"),
            EditError::NoQuoteAt(line) => write!(f, "no quote starts on line {line} of the interview"),
            EditError::NoPictureAt(line) => write!(f, "no picture's image is on line {line} of the interview"),
            EditError::People(why) => write!(f, "people.csv: {why}"),
            EditError::NoPerson(id) => write!(f, "people.csv has no row with id {id}"),
            EditError::Csv(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for EditError {}

/// Sets the top-level front-matter `key` to `value` (written as YAML as
/// given): the key's line is replaced where it is, or added before the
/// closing `---`.
pub fn set_front_matter(text: &str, key: &str, value: &str) -> Result<String, EditError> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return Err(EditError::NoFrontMatter);
    }
    let close = lines.iter().skip(1).position(|l| l.trim_end() == "---").map(|i| i + 1).ok_or(EditError::NoFrontMatter)?;
    let newline = if lines[0].ends_with("\r\n") { "\r\n" } else { "\n" };
    let written = format!("{key}: {value}{newline}");
    let is_key = |line: &str| line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':'));
    let mut out = String::with_capacity(text.len() + written.len());
    let mut replaced = false;
    for (index, line) in lines.iter().enumerate() {
        if index > 0 && index < close && is_key(line) && !replaced {
            out.push_str(&written);
            replaced = true;
            continue;
        }
        if index == close && !replaced {
            out.push_str(&written);
        }
        out.push_str(line);
    }
    Ok(out)
}

/// Marks the quote starting on 1-based `line` as given anonymously (`— person,
/// anonymous`) or as one its speaker may be named by (`— person`), adding
/// the attribution line when the quote has none.
pub fn set_quote_consent(text: &str, line: usize, person: &str, anonymous: bool) -> Result<String, EditError> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_quote_line = |l: &str| {
        let indent = l.len() - l.trim_start_matches(' ').len();
        indent <= 3 && l.trim_start().starts_with('>')
    };
    let start = line.checked_sub(1).filter(|&i| lines.get(i).is_some_and(|l| is_quote_line(l))).ok_or(EditError::NoQuoteAt(line))?;
    let last = (start..lines.len()).take_while(|&i| is_quote_line(lines[i])).last().unwrap_or(start);
    let content = |l: &str| l.trim_start().trim_start_matches('>').trim().to_string();
    let newline = if lines[last].ends_with("\r\n") { "\r\n" } else { "\n" };
    let flag = if anonymous { ", anonymous" } else { "" };
    let mut out = String::with_capacity(text.len() + 24);
    for (index, l) in lines.iter().enumerate() {
        if index == last && last > start && attribution_text(&content(l)).is_some() {
            // Keep the dash the researcher typed; only the flag after the person changes.
            let body = content(l);
            let dash_end = body.len() - attribution_text(&body).map_or(0, str::len);
            let (dash, attribution) = body.split_at(dash_end);
            let speaker = attribution.split_once(',').map_or(attribution, |(p, _)| p).trim();
            out.push_str(&format!("> {} {speaker}{flag}{newline}", dash.trim_end()));
            continue;
        }
        out.push_str(l);
        if index == last {
            if !l.ends_with('\n') {
                out.push_str(newline);
            }
            out.push_str(&format!("> — {person}{flag}{newline}"));
        }
    }
    Ok(out)
}

/// Sets `column` of the person `id` in `people.csv` to `value`, adding the
/// column (empty for everyone else) when the file has none. Every other row
/// is kept byte for byte.
pub fn set_person_column(people_csv: &str, id: &str, column: &str, value: &str) -> Result<String, EditError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(people_csv.as_bytes());
    // Each record with where it starts, so that untouched rows are copied as they were.
    let mut records: Vec<(usize, csv::StringRecord)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| EditError::People(e.to_string()))?;
        let start = record.position().map_or(0, |p| p.byte() as usize);
        records.push((start, record));
    }
    let Some((_, header)) = records.first() else { return Err(EditError::People("the file is empty".into())) };
    let id_column = header.iter().position(|h| h.trim() == "id").ok_or_else(|| EditError::People("there is no id column".into()))?;
    let existing = header.iter().position(|h| h.trim() == column);
    let person = records.iter().skip(1).position(|(_, r)| r.get(id_column).map(str::trim) == Some(id)).ok_or_else(|| EditError::NoPerson(id.into()))? + 1;
    let mut out = String::with_capacity(people_csv.len() + 16 * records.len());
    for (index, (start, record)) in records.iter().enumerate() {
        let end = records.get(index + 1).map_or(people_csv.len(), |(next, _)| *next);
        let raw = &people_csv[*start..end];
        let body = raw.trim_end_matches(['\r', '\n']);
        let newline = &raw[body.len()..];
        match existing {
            Some(at) if index == person => {
                let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
                fields.resize(fields.len().max(at + 1), String::new());
                fields[at] = value.to_string();
                out.push_str(&csv_line(&fields));
            }
            Some(_) => out.push_str(body),
            None => {
                out.push_str(body);
                out.push(',');
                if index == 0 {
                    out.push_str(&csv_field(column));
                } else if index == person {
                    out.push_str(&csv_field(value));
                }
            }
        }
        out.push_str(if newline.is_empty() && index + 1 < records.len() { "\n" } else { newline });
    }
    Ok(out)
}

/// Marks the picture whose image is on 1-based `line` as one its artist
/// allows to be published, or not (the image titled `"not for
/// publication"`); the caption and path stay as written.
pub fn set_picture_publication(text: &str, line: usize, publish: bool) -> Result<String, EditError> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let index = line.checked_sub(1).filter(|&i| lines.get(i).is_some_and(|l| image(l.trim()).is_some())).ok_or(EditError::NoPictureAt(line))?;
    let raw = lines[index];
    let Some((caption, target)) = image(raw.trim()) else { return Err(EditError::NoPictureAt(line)) };
    let (path, _) = image_path(target);
    let indent = &raw[..raw.len() - raw.trim_start().len()];
    let newline = &raw[raw.trim_end().len()..];
    let title = if publish { String::new() } else { format!(" \"{NOT_FOR_PUBLICATION}\"") };
    let rewritten = format!("{indent}![{caption}]({path}{title}){newline}");
    Ok(lines.iter().enumerate().map(|(i, l)| if i == index { rewritten.as_str() } else { l }).collect())
}

/// Adds a rich picture at the end of the interview's `# Pictures` section
/// (made at the end of the file when there is none): its image line, then
/// the artist's explanation on one line, so that no blank line or heading in
/// what they said can end the picture or the section early.
pub fn add_picture(text: &str, caption: &str, path: &str, explanation: &str) -> String {
    let one_line = |words: &str| words.split_whitespace().collect::<Vec<_>>().join(" ");
    let caption = one_line(caption).replace(['[', ']'], "");
    let mut explanation = one_line(explanation);
    // A line that reads as a heading or an image would not be an explanation.
    while explanation.starts_with("![") || (explanation.starts_with('#') && explanation.trim_start_matches('#').starts_with(' ')) {
        explanation = explanation.trim_start_matches(['#', '!', '[']).trim_start().to_string();
    }
    let entry = if explanation.is_empty() { format!("![{caption}]({path})\n") } else { format!("![{caption}]({path})\n{explanation}\n") };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_heading = |line: &str, title: Option<&str>| {
        let trimmed = line.trim_end();
        trimmed.strip_prefix("# ").is_some_and(|rest| title.is_none_or(|t| rest.trim().eq_ignore_ascii_case(t)))
    };
    let Some(section) = lines.iter().position(|l| is_heading(l, Some("pictures"))) else {
        let separator = if text.is_empty() || text.ends_with("\n\n") {
            ""
        } else if text.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        return format!("{text}{separator}# Pictures\n\n{entry}");
    };
    let end = lines.iter().enumerate().skip(section + 1).find(|(_, l)| is_heading(l, None)).map_or(lines.len(), |(i, _)| i);
    // After the section's last non-blank line, with one blank line between pictures.
    let last = (section..end).rev().find(|&i| !lines[i].trim().is_empty()).unwrap_or(section);
    let mut out: String = lines[..=last].concat();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&entry);
    if end < lines.len() {
        out.push('\n');
    }
    out.push_str(lines[last + 1..].concat().trim_start_matches('\n'));
    out
}

/// A CSV file as a form shows it: the header's columns, and each data
/// row's cells (as many as the header has columns). Written back with
/// [`CsvTable::write`], a row left as it was keeps its bytes.
#[derive(Debug, Clone)]
pub struct CsvTable<'t> {
    /// The header's column names, as written.
    pub columns: Vec<String>,
    /// Each data row's cells, in file order.
    pub rows: Vec<Vec<String>>,
    /// Each record's text, the header first: (the record, the line breaks after it).
    raw: Vec<(&'t str, &'t str)>,
    /// The file's line break.
    newline: &'static str,
}

/// A change a form makes to a data row (numbered from 0 after the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowEdit {
    /// The row's cells as the form sent them.
    Cells(Vec<String>),
    /// The row is removed.
    Remove,
}

/// Reads `text` as a CSV file with a header, for a form.
pub fn read_csv_table(text: &str) -> Result<CsvTable<'_>, EditError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut starts = Vec::new();
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| EditError::Csv(e.to_string()))?;
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        // The reader may place a record after the `\r` of a `\r\n`: its `\n` belongs to the line before.
        while text.as_bytes().get(start) == Some(&b'\n') {
            start += 1;
        }
        starts.push(start);
        records.push(record);
    }
    let Some(header) = records.first() else { return Err(EditError::Csv("the file is empty: it needs a header row".into())) };
    let columns: Vec<String> = header.iter().map(str::to_string).collect();
    let width = columns.len();
    let raw = starts
        .iter()
        .enumerate()
        .map(|(index, &start)| {
            let end = starts.get(index + 1).copied().unwrap_or(text.len());
            let span = text.get(start..end).unwrap_or("");
            let body = span.trim_end_matches(['\r', '\n']);
            (body, &span[body.len()..])
        })
        .collect();
    let rows = records
        .iter()
        .skip(1)
        .map(|record| {
            let mut cells: Vec<String> = record.iter().map(str::to_string).collect();
            cells.resize(cells.len().max(width), String::new());
            cells
        })
        .collect();
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Ok(CsvTable { columns, rows, raw, newline })
}

impl CsvTable<'_> {
    /// The file with `edits` made and `added` rows at the end (rows of empty
    /// cells are left out). A row whose cells come back as they were is
    /// copied byte for byte; a changed or added row is written as RFC 4180
    /// text, quoting only what needs it.
    pub fn write(&self, edits: &std::collections::BTreeMap<usize, RowEdit>, added: &[Vec<String>]) -> String {
        let mut out = String::new();
        // The last line may have no line break; one is added only when a line follows it.
        let mut open_line = false;
        let mut push = |line: &str, ending: &str| {
            if open_line {
                out.push_str(self.newline);
            }
            out.push_str(line);
            out.push_str(ending);
            open_line = ending.is_empty();
        };
        let (header, header_end) = self.raw.first().copied().unwrap_or(("", ""));
        push(header, header_end);
        for (index, cells) in self.rows.iter().enumerate() {
            let (raw, ending) = self.raw.get(index + 1).copied().unwrap_or(("", ""));
            match edits.get(&index) {
                Some(RowEdit::Remove) => {}
                Some(RowEdit::Cells(new)) if !same_cells(new, cells) => push(&csv_line(&trimmed(new, self.columns.len())), ending),
                _ => push(raw, ending),
            }
        }
        for row in added.iter().filter(|row| row.iter().any(|cell| !cell.trim().is_empty())) {
            push(&csv_line(&trimmed(row, self.columns.len())), self.newline);
        }
        if open_line && out.is_empty() {
            out.push_str(self.newline);
        }
        out
    }
}

/// Whether a form's cells say the same as the row's (the form always sends every column).
fn same_cells(new: &[String], old: &[String]) -> bool {
    let width = new.len().max(old.len());
    (0..width).all(|i| new.get(i).map_or("", String::as_str) == old.get(i).map_or("", String::as_str))
}

/// A row cut or padded to `width` cells, each cell on one line.
fn trimmed(cells: &[String], width: usize) -> Vec<String> {
    let mut out: Vec<String> = cells.iter().take(width).map(|c| c.replace(['\r', '\n'], " ")).collect();
    out.resize(width, String::new());
    out
}

/// One record as RFC 4180 text. Written here rather than with `CsvWriter`
/// because this edits the researcher's own file: their cells must stay as they
/// typed them, where `CsvWriter` neutralises formulas for exports.
fn csv_line(fields: &[String]) -> String {
    fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",")
}

/// A field, quoted when it holds a comma, a quote or a line break.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) { format!("\"{}\"", field.replace('"', "\"\"")) } else { field.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_file_edited_as_a_form_keeps_every_row_left_alone_byte_for_byte() {
        let text = "id,name,organisation\np1, Ana ,\"Council, north\"\np2,Ben\np3,Cy,Police\n";
        let table = read_csv_table(text).expect("read");
        assert_eq!(table.columns, ["id", "name", "organisation"]);
        assert_eq!(table.rows[1], ["p2", "Ben", ""], "a short row is padded to the header");
        let unchanged: std::collections::BTreeMap<usize, RowEdit> = table.rows.iter().cloned().enumerate().map(|(i, r)| (i, RowEdit::Cells(r))).collect();
        assert_eq!(table.write(&unchanged, &[vec![String::new(); 3]]), text, "sent back as read, and a blank new row, change nothing");
        let mut edits = std::collections::BTreeMap::new();
        edits.insert(2, RowEdit::Cells(vec!["p3".into(), "Cy \"Jr\"".into(), "Police".into()]));
        edits.insert(1, RowEdit::Remove);
        let added = [vec!["p4".into(), "Di".into(), "Health\nTrust".into()]];
        assert_eq!(table.write(&edits, &added), "id,name,organisation\np1, Ana ,\"Council, north\"\np3,\"Cy \"\"Jr\"\"\",Police\np4,Di,Health Trust\n");
        let windows = "id,name\r\np1,Ana\r\n";
        let table = read_csv_table(windows).expect("read");
        assert_eq!(table.write(&Default::default(), &[vec!["p2".into(), "Bo".into()]]), "id,name\r\np1,Ana\r\np2,Bo\r\n", "the file's line breaks are kept");
        assert!(read_csv_table("").is_err());
        let open = "id,name\np1,Ana";
        let table = read_csv_table(open).expect("read");
        assert_eq!(table.write(&Default::default(), &[]), open, "no line break is added to a file without one");
        assert_eq!(table.write(&Default::default(), &[vec!["p2".into(), "Bo".into()]]), "id,name\np1,Ana\np2,Bo\n");
    }

    #[test]
    fn a_front_matter_key_is_replaced_in_place_or_added_before_the_end() {
        let text = "---\npeople: [p1]\nchecked_back: false\n---\n\n# Map\n";
        assert_eq!(set_front_matter(text, "checked_back", "true").expect("edited"), "---\npeople: [p1]\nchecked_back: true\n---\n\n# Map\n");
        let added = set_front_matter(text, "checked_back_on", "2026-11-30").expect("edited");
        assert_eq!(added, "---\npeople: [p1]\nchecked_back: false\nchecked_back_on: 2026-11-30\n---\n\n# Map\n");
        assert_eq!(set_front_matter("# Map\n", "checked_back", "true"), Err(EditError::NoFrontMatter));
        // A key that only starts like another is not it.
        let longer = "---\nchecked_back_on: 2020-01-01\n---\n";
        assert_eq!(set_front_matter(longer, "checked_back", "true").expect("edited"), "---\nchecked_back_on: 2020-01-01\nchecked_back: true\n---\n");
    }

    #[test]
    fn a_quotes_consent_changes_its_attribution_only() {
        let text = "# Quotes\n\n> We met weekly.\n> — p1\n\n> No line.\n\nafter\n";
        let anonymous = set_quote_consent(text, 3, "p1", true).expect("edited");
        assert_eq!(anonymous, "# Quotes\n\n> We met weekly.\n> — p1, anonymous\n\n> No line.\n\nafter\n");
        assert_eq!(set_quote_consent(&anonymous, 3, "p1", false).expect("edited"), text);
        let added = set_quote_consent(text, 6, "p1", true).expect("edited");
        assert_eq!(added, "# Quotes\n\n> We met weekly.\n> — p1\n\n> No line.\n> — p1, anonymous\n\nafter\n");
        assert_eq!(set_quote_consent("> Words\n> -- p2\n", 1, "p2", true).expect("edited"), "> Words\n> -- p2, anonymous\n", "the dash typed is kept");
        assert_eq!(set_quote_consent(text, 2, "p1", true), Err(EditError::NoQuoteAt(2)));
        assert_eq!(set_quote_consent("> last line without newline", 1, "p1", true).expect("edited"), "> last line without newline\n> — p1, anonymous\n");
    }

    #[test]
    fn a_picture_joins_the_end_of_its_section_or_starts_one() {
        let with = "# Map\n\n- Aim\n\n# Pictures\n\n![Old](pictures/a.png)\nOld words\n\n# Notes\n\nKept\n";
        let added = add_picture(with, "The [river]", "pictures/b.jpg", "Two lines\n\n# not a heading");
        assert_eq!(
            added,
            "# Map\n\n- Aim\n\n# Pictures\n\n![Old](pictures/a.png)\nOld words\n\n![The river](pictures/b.jpg)\nTwo lines # not a heading\n\n# Notes\n\nKept\n"
        );
        assert_eq!(add_picture("# Map\n\n- Aim\n", "Drawn", "pictures/c.png", "# Flow"), "# Map\n\n- Aim\n\n# Pictures\n\n![Drawn](pictures/c.png)\nFlow\n");
        assert_eq!(add_picture("# Pictures\n", "D", "pictures/d.png", ""), "# Pictures\n\n![D](pictures/d.png)\n");
    }

    #[test]
    fn a_picture_is_marked_for_publication_or_not_in_place() {
        let text = "# Pictures\n\n![The river](pictures/r.jpg)\nWords\n";
        let private = set_picture_publication(text, 3, false).expect("edited");
        assert_eq!(private, "# Pictures\n\n![The river](pictures/r.jpg \"not for publication\")\nWords\n");
        assert_eq!(set_picture_publication(&private, 3, true).expect("edited"), text);
        assert_eq!(set_picture_publication(text, 4, true), Err(EditError::NoPictureAt(4)));
    }

    #[test]
    fn the_publication_mark_is_read_and_written_back() {
        let text =
            "---\npeople: [p1]\n---\n\n# Pictures\n\n![River](<pictures/r.jpg> \"Not for publication\")\nWords\n\n![Open](pictures/o.png \"a title\")\nMore\n";
        let codebook = crate::Codebook::default();
        let people = ["p1"].into_iter().collect();
        let projects = Default::default();
        let context = crate::InterviewContext { codebook: &codebook, people: &people, projects: &projects, files: None, check_codes: false };
        let (interview, problems) = crate::parse_interview(text.as_bytes(), "interviews/i.md", &context);
        assert!(problems.is_empty(), "{problems:?}");
        let marks: Vec<(&str, bool)> = interview.pictures.iter().map(|p| (p.path.as_str(), p.not_for_publication)).collect();
        assert_eq!(marks, [("pictures/r.jpg", true), ("pictures/o.png", false)]);
        let written = crate::write::interview_markdown(&interview);
        assert!(written.contains("![River](pictures/r.jpg \"not for publication\")") && written.contains("![Open](pictures/o.png)"), "{written}");
    }

    #[test]
    fn a_persons_cell_changes_and_every_other_row_stays_as_typed() {
        let csv = "id,name,attribution\np1,\"Ann, Jr\",named\np2,=SUM(A1),\r\n";
        assert_eq!(
            set_person_column(csv, "p1", "attribution", "anonymous").expect("edited"),
            "id,name,attribution\np1,\"Ann, Jr\",anonymous\np2,=SUM(A1),\r\n"
        );
        let without = "id,name\np1,Ann\np2,Bo\n";
        assert_eq!(set_person_column(without, "p2", "attribution", "anonymous").expect("edited"), "id,name,attribution\np1,Ann,\np2,Bo,anonymous\n");
        assert_eq!(set_person_column(without, "p9", "attribution", "anonymous"), Err(EditError::NoPerson("p9".into())));
        assert!(matches!(set_person_column("name\nAnn\n", "p1", "attribution", "x"), Err(EditError::People(_))));
    }
}
