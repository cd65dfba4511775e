//! REFI-QDA export: a project (`.qdpx`: a zip with `project.qde` and a
//! `sources/` folder) or a codebook alone (`.qdc`), valid against the
//! standard's schemas (`../shared/refi-qda/`).
//!
//! - the codebook becomes nested `Code`s (hierarchy from `parent`), with
//!   colours and descriptions, and a `Set` per codebook kind;
//! - each interview becomes a `TextSource`: a plain-text rendering of its
//!   map (one line per concept, indented; a contrast pole as "... as opposed
//!   to"), its quotes, stories and picture explanations, with a
//!   `PlainTextSelection` over exactly each coded item's text (positions in
//!   Unicode characters) and a `Coding` per code; inferred codes are coded
//!   too and named in the selection's `Description`;
//! - each interviewed person becomes a `Case`, named by the person's name
//!   (their id when anonymous), with their people.csv columns as variable
//!   values (never the name or organisation of an anonymous person) and a
//!   `SelectionRef` to each selection attributed to them;
//! - projects and date become variables of each source.
//!
//! GUIDs are stable (see [`crate::stable_guid`]).

use crate::ExchangeError;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Write};

use collabmap_analysis::coding::attributed;
use collabmap_analysis::{CodeOnItem, Coding, InterviewCoding};
use collabmap_study::{Interview, Item, ItemKind, MapNodeKind, Study};

use crate::stable_guid;
use crate::xml::Writer;

const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";

/// Colours of codes, in codebook order (the drawings' palette).
const PALETTE: [&str; 12] =
    ["#b5651d", "#2a7f62", "#3366aa", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#2c3e50", "#7f8c2a", "#a0406c", "#1f6f8b", "#6d4c41"];

fn code_guid(id: &str) -> String {
    stable_guid("code", id)
}

/// Writes the codebook's codes, nested by parent, into `writer`.
fn write_codes(study: &Study, writer: &mut Writer) {
    let codebook = &study.codebook;
    let themes = codebook.themes();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); themes.len()];
    let mut roots = Vec::new();
    for t in 0..themes.len() {
        match codebook.parent_of(t) {
            Some(parent) => children[parent].push(t),
            None => roots.push(t),
        }
    }
    // Depth-first with an explicit stack; `None` marks where a Code closes.
    let mut stack: Vec<Option<usize>> = roots.into_iter().rev().map(Some).collect();
    while let Some(entry) = stack.pop() {
        let Some(t) = entry else {
            writer.close("Code");
            continue;
        };
        let theme = &themes[t];
        let guid = code_guid(&theme.id);
        let attributes = [("guid", guid.as_str()), ("name", theme.name.as_str()), ("isCodable", "true"), ("color", PALETTE[t % PALETTE.len()])];
        writer.open("Code", &attributes);
        let mut description = theme.description.clone();
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        // Read back by import, so a round trip keeps ids, kinds and the model.
        description.push_str(&format!("collabmap id: #{} ({}{})", theme.id, theme.kind.as_str(), if theme.model { ", model" } else { "" }));
        writer.leaf("Description", &[], &description);
        stack.push(None);
        stack.extend(children[t].iter().rev().map(|&c| Some(c)));
    }
}

/// The kinds of the codebook with their members, for `Set`s.
fn kinds(study: &Study) -> BTreeMap<String, Vec<String>> {
    let mut kinds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for theme in study.codebook.themes() {
        kinds.entry(theme.kind.as_str().to_string()).or_default().push(theme.id.clone());
    }
    kinds
}

/// `--format qdc`: the codebook alone, valid against `Codebook.xsd`.
pub fn codebook_qdc(study: &Study) -> String {
    let mut writer = Writer::new();
    writer.open("CodeBook", &[("xmlns", CODEBOOK_NS), ("origin", "collabmap")]);
    writer.open("Codes", &[]);
    write_codes(study, &mut writer);
    writer.close("Codes");
    writer.open("Sets", &[]);
    for (kind, members) in kinds(study) {
        writer.open("Set", &[("guid", &stable_guid("set", &kind)), ("name", &kind)]);
        for id in members {
            writer.empty("MemberCode", &[("guid", &code_guid(&id))]);
        }
        writer.close("Set");
    }
    writer.close("Sets");
    writer.close("CodeBook");
    writer.finish()
}

/// One coded stretch of a source's text.
struct Selection {
    guid: String,
    start: usize,
    end: usize,
    codes: Vec<(usize, bool)>,
    people: Vec<String>,
    label: String,
}

/// A source's plain text being built, with positions counted in characters.
struct SourceText {
    text: String,
    chars: usize,
}

impl SourceText {
    fn line(&mut self, line: &str) -> (usize, usize) {
        let start = self.chars;
        self.text.push_str(line);
        self.chars += line.chars().count();
        let end = self.chars;
        self.text.push('\n');
        self.chars += 1;
        (start, end)
    }
}

/// The plain text of an interview and its coded selections.
fn source_of(study: &Study, interview: &Interview, coding: &InterviewCoding) -> (String, Vec<Selection>) {
    let group_agreement = study.config.counting.group_agreement;
    let mut source = SourceText { text: String::new(), chars: 0 };
    let mut selections = Vec::new();
    let mut add = |source: &mut SourceText, line: &str, item: Item<'_>, codes: &[CodeOnItem], label: String| {
        let (start, end) = source.line(line);
        let codes: Vec<(usize, bool)> = codes.iter().map(|c| (c.code, c.inferred())).collect();
        if codes.is_empty() || start == end {
            return;
        }
        let people = attributed(interview, &item, group_agreement).into_iter().map(str::to_string).collect();
        selections.push(Selection { guid: stable_guid("selection", &format!("{}:{label}", interview.id)), start, end, codes, people, label });
    };
    source.line(&format!("Interview {}", interview.id));
    source.line("");
    source.line("Map");
    for (number, node) in interview.map.iter().enumerate() {
        let MapNodeKind::Concept(concept) = &node.kind else { continue };
        let mut text = concept.pole.clone();
        if let Some(other) = &concept.contrast {
            text.push_str(&format!(" ... as opposed to {other}"));
        }
        // The indentation comes before the selection, so it covers the concept's words only.
        let indent = "  ".repeat(node.depth);
        source.text.push_str(&indent);
        source.chars += indent.chars().count();
        add(&mut source, &text, concept.item(), coding.concept(number), format!("concept-{number}"));
    }
    if interview.quotes.iter().any(|q| !q.kept_apart_from_its_interview()) {
        source.line("");
        source.line("Quotes");
        for (number, quote) in interview.quotes.iter().enumerate() {
            // An anonymous quote goes to the source of anonymous quotes instead (see `anonymous_source`).
            if !quote.kept_apart_from_its_interview() {
                add(&mut source, &quote.text.replace('\n', " "), quote.item(), coding.item(ItemKind::Quote, number), format!("quote-{number}"));
            }
        }
    }
    if !interview.stories.is_empty() {
        source.line("");
        source.line("Stories");
        for (number, story) in interview.stories.iter().enumerate() {
            source.line(&story.title);
            add(&mut source, &story.body.replace('\n', " "), story.item(), coding.item(ItemKind::Story, number), format!("story-{number}"));
        }
    }
    if !interview.pictures.is_empty() {
        source.line("");
        source.line("Pictures");
        for (number, picture) in interview.pictures.iter().enumerate() {
            source.line(&format!("{} ({})", picture.caption, picture.path));
            add(&mut source, &picture.explanation.replace('\n', " "), picture.item(), coding.item(ItemKind::Picture, number), format!("picture-{number}"));
        }
    }
    (source.text, selections)
}

/// The name and description marker of the one source that holds every
/// anonymous quote, linked to no case and to no interview, so that no
/// attendee list sits beside them. Import recognises it by the marker.
pub const ANONYMOUS_SOURCE_NAME: &str = "Anonymous quotes";
/// The first words of that source's description.
pub const ANONYMOUS_SOURCE_MARKER: &str = "collabmap anonymous quotes";

/// The source of anonymous quotes: their text and coded selections, attributed to no one.
fn anonymous_source(study: &Study, coding: &Coding) -> Option<(String, Vec<Selection>)> {
    let mut source = SourceText { text: String::new(), chars: 0 };
    let mut selections = Vec::new();
    source.line(ANONYMOUS_SOURCE_NAME);
    source.line("");
    let mut number = 0;
    for (interview_number, interview) in study.interviews.iter().enumerate() {
        for (position, quote) in interview.quotes.iter().enumerate().filter(|(_, q)| q.kept_apart_from_its_interview()) {
            let (start, end) = source.line(&quote.text.replace('\n', " "));
            let codes: Vec<(usize, bool)> = coding.item(interview_number, ItemKind::Quote, position).iter().map(|c| (c.code, c.inferred())).collect();
            number += 1;
            if !codes.is_empty() && start < end {
                let label = format!("anonymous-quote-{number}");
                selections.push(Selection { guid: stable_guid("selection", &label), start, end, codes, people: Vec::new(), label });
            }
        }
    }
    (number > 0).then_some((source.text, selections))
}

/// The counting settings as the project's description carries them, so
/// that an import counts as the study did.
pub fn settings_line(study: &Study) -> String {
    let counting = study.config.counting;
    format!(
        "collabmap settings: group_agreement={} rollup={} infer={} min_support={}",
        counting.group_agreement, counting.rollup, counting.infer, study.config.model.min_support
    )
}

/// People columns offered as variables: everything but the id and the name.
fn variable_columns(study: &Study) -> Vec<String> {
    study.people_columns.iter().filter(|c| !matches!(c.as_str(), "id" | "name")).cloned().collect()
}

/// The first words of a note's description that say it is a collabmap memo.
pub const MEMO_MARKER: &str = "collabmap memo:";

/// `collabmap memo: file=memos/a.md about=theme:x by=ana@example.org date=2024-05-02`,
/// values percent-encoded where they hold a space or `%`.
pub fn memo_line(memo: &collabmap_study::Memo) -> String {
    let encode = |v: &str| v.replace('%', "%25").replace(' ', "%20");
    let mut line = format!("{MEMO_MARKER} file={} about={}", encode(&memo.file), encode(&memo.about.as_text()));
    if let Some(by) = &memo.by {
        line.push_str(&format!(" by={}", encode(by)));
    }
    if let Some(date) = &memo.date {
        line.push_str(&format!(" date={date}"));
    }
    line
}

/// The project's cases: everyone who attended an interview, with their
/// disclosed columns, the sources they attended and the selections attributed to them.
fn write_cases(writer: &mut Writer, study: &Study, sources: &[ProjectSource<'_>], columns: &[String]) {
    let mut attended: BTreeSet<&str> = BTreeSet::new();
    for interview in &study.interviews {
        attended.extend(interview.people.iter().map(String::as_str));
    }
    let mut selections_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (_, _, _, selections) in sources {
        for selection in selections {
            for person in &selection.people {
                selections_of.entry(person.as_str()).or_default().push(&selection.guid);
            }
        }
    }
    let cases: Vec<&collabmap_study::Person> = study.people.iter().filter(|p| attended.contains(p.id.as_str())).collect();
    if !cases.is_empty() {
        writer.open("Cases", &[]);
        for person in cases {
            let name = if person.anonymous { person.id.as_str() } else { person.name.as_str() };
            writer.open("Case", &[("guid", &stable_guid("case", &person.id)), ("name", name)]);
            for column in columns {
                let value = person.disclosed(&study.people_columns, column);
                if value.is_empty() {
                    continue;
                }
                writer.open("VariableValue", &[]);
                writer.empty("VariableRef", &[("targetGUID", &stable_guid("variable", column))]);
                writer.leaf("TextValue", &[], value);
                writer.close("VariableValue");
            }
            for interview in study.interviews.iter().filter(|i| i.people.contains(&person.id)) {
                writer.empty("SourceRef", &[("targetGUID", &stable_guid("source", &interview.id))]);
            }
            for guid in selections_of.get(person.id.as_str()).into_iter().flatten() {
                writer.empty("SelectionRef", &[("targetGUID", guid)]);
            }
            writer.close("Case");
        }
        writer.close("Cases");
    }
}

/// The project's notes, one per memo.
fn write_notes(writer: &mut Writer, study: &Study) {
    // Memos travel as the project's notes: their words as the note's text, and
    // what they are about, who wrote them and when in a description line
    // that the import reads back (other tools show it as the note's description).
    if !study.memos.is_empty() {
        writer.open("Notes", &[]);
        for memo in &study.memos {
            let about = memo.about.as_text();
            let mut attributes = vec![("guid", stable_guid("note", &memo.file)), ("name", format!("Memo about {about}"))];
            if let Some(date) = &memo.date {
                attributes.push(("creationDateTime", format!("{date}T00:00:00Z")));
            }
            let attributes: Vec<(&str, &str)> = attributes.iter().map(|(k, v)| (*k, v.as_str())).collect();
            writer.open("Note", &attributes);
            writer.leaf("Description", &[], &memo_line(memo));
            writer.leaf("PlainTextContent", &[], &memo.body);
            writer.close("Note");
        }
        writer.close("Notes");
    }
}

/// The project's sets: the codes of each kind (themes, barriers, …).
fn write_sets(writer: &mut Writer, study: &Study) {
    writer.open("Sets", &[]);
    for (kind, members) in kinds(study) {
        writer.open("Set", &[("guid", &stable_guid("set", &kind)), ("name", &kind)]);
        for id in members {
            writer.empty("MemberCode", &[("targetGUID", &code_guid(&id))]);
        }
        writer.close("Set");
    }
    writer.close("Sets");
}

/// The `.qdpx` archive: the project document and each source's text.
fn zip_project(project: &str, sources: &[ProjectSource<'_>], anonymous: Option<&(String, String, Vec<Selection>)>) -> Result<Vec<u8>, ExchangeError> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let fail = |e: zip::result::ZipError| ExchangeError::Write(format!("the project: {e}"));
    zip.start_file("project.qde", options).map_err(fail)?;
    zip.write_all(project.as_bytes()).map_err(|e| ExchangeError::Write(format!("the project: {e}")))?;
    for (guid, text) in sources.iter().map(|(guid, _, text, _)| (guid, text)).chain(anonymous.map(|(guid, text, _)| (guid, text))) {
        zip.start_file(format!("sources/{guid}.txt"), options).map_err(fail)?;
        zip.write_all(text.as_bytes()).map_err(|e| ExchangeError::Write(format!("the project: {e}")))?;
    }
    Ok(zip.finish().map_err(fail)?.into_inner())
}

/// A source of the project: its GUID, its interview, its text and its coded selections.
type ProjectSource<'s> = (String, &'s Interview, String, Vec<Selection>);

/// `--format qdpx`: the whole project as a zip, valid against `Project-mrt2019.xsd`.
pub fn project_qdpx(study: &Study, coding: &Coding) -> Result<Vec<u8>, ExchangeError> {
    let codebook = &study.codebook;
    let themes = codebook.themes();
    let sources: Vec<(String, &Interview, String, Vec<Selection>)> = study
        .interviews
        .iter()
        .enumerate()
        .map(|(number, interview)| {
            let interview: &Interview = interview;
            let (text, selections) = source_of(study, interview, coding.interview(number));
            (stable_guid("source", &interview.id), interview, text, selections)
        })
        .collect();
    let anonymous = anonymous_source(study, coding).map(|(text, selections)| (stable_guid("source", ANONYMOUS_SOURCE_MARKER), text, selections));

    let mut writer = Writer::new();
    let title = if study.config.title.is_empty() { "collabmap study" } else { study.config.title.as_str() };
    writer.open("Project", &[("xmlns", PROJECT_NS), ("name", title), ("origin", "collabmap")]);
    writer.open("CodeBook", &[]);
    writer.open("Codes", &[]);
    write_codes(study, &mut writer);
    writer.close("Codes");
    writer.close("CodeBook");

    let columns = variable_columns(study);
    writer.open("Variables", &[]);
    for column in &columns {
        writer.empty("Variable", &[("guid", &stable_guid("variable", column)), ("name", column), ("typeOfVariable", "Text")]);
    }
    for source_variable in ["projects", "date"] {
        writer.empty("Variable", &[("guid", &stable_guid("source-variable", source_variable)), ("name", source_variable), ("typeOfVariable", "Text")]);
    }
    writer.close("Variables");

    write_cases(&mut writer, study, &sources, &columns);

    if !sources.is_empty() {
        writer.open("Sources", &[]);
        let anonymous_entry = anonymous.as_ref().map(|(guid, _, selections)| (guid, None, selections));
        for (guid, interview, selections) in sources.iter().map(|(guid, interview, _, selections)| (guid, Some(*interview), selections)).chain(anonymous_entry)
        {
            let path = format!("internal://{guid}.txt");
            let (name, description) = match interview {
                Some(interview) => (interview.id.as_str(), format!("collabmap interview {} ({})", interview.id, interview.file)),
                None => (
                    ANONYMOUS_SOURCE_NAME,
                    format!("{ANONYMOUS_SOURCE_MARKER}: quotes given anonymously, kept apart from their interviews and linked to no case"),
                ),
            };
            writer.open("TextSource", &[("guid", guid), ("name", name), ("plainTextPath", &path)]);
            writer.leaf("Description", &[], &description);
            for selection in selections {
                let (start, end) = (selection.start.to_string(), selection.end.to_string());
                writer.open("PlainTextSelection", &[("guid", &selection.guid), ("name", &selection.label), ("startPosition", &start), ("endPosition", &end)]);
                let inferred: Vec<String> = selection.codes.iter().filter(|(_, inferred)| *inferred).map(|&(t, _)| format!("#{}", themes[t].id)).collect();
                if !inferred.is_empty() {
                    writer.leaf("Description", &[], &format!("inferred: {}", inferred.join(" ")));
                }
                for &(t, _) in &selection.codes {
                    writer.open("Coding", &[("guid", &stable_guid("coding", &format!("{}:{}", selection.guid, themes[t].id)))]);
                    writer.empty("CodeRef", &[("targetGUID", &code_guid(&themes[t].id))]);
                    writer.close("Coding");
                }
                writer.close("PlainTextSelection");
            }
            let variables = interview.map(|iv| [("projects", iv.projects.join(", ")), ("date", iv.date.clone().unwrap_or_default())]).unwrap_or_default();
            for (variable, value) in variables {
                if value.is_empty() {
                    continue;
                }
                writer.open("VariableValue", &[]);
                writer.empty("VariableRef", &[("targetGUID", &stable_guid("source-variable", variable))]);
                writer.leaf("TextValue", &[], &value);
                writer.close("VariableValue");
            }
            writer.close("TextSource");
        }
        writer.close("Sources");
    }

    write_notes(&mut writer, study);

    write_sets(&mut writer, study);
    writer.leaf("Description", &[], &settings_line(study));
    writer.close("Project");
    let project = writer.finish();

    zip_project(&project, &sources, anonymous.as_ref())
}
