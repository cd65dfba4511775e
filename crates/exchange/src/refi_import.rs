//! REFI-QDA import: a project (`.qdpx`) or a codebook (`.qdc`) from any of
//! the tools that share the standard, turned into a study folder.
//!
//! - codes become the codebook: ids made from names (clashes get a number),
//!   hierarchy kept; codes collabmap exported come back with their own ids,
//!   kinds and model flags (kept in their description);
//! - cases become people, their variables people.csv columns;
//! - each text source becomes an interview attended by the cases that refer
//!   to it or to its selections; the source variables `projects` and `date`
//!   come back too;
//! - each coded selection becomes a quote with its codes, attributed to the
//!   one case that refers to it (or, when several do, to the meeting).
//!
//! The file is untrusted. Zip entries that climb out of the folder, archives
//! past the size limits, XML with a DOCTYPE or entities other than the five
//! predefined ones, selections outside their text, and references to GUIDs
//! that do not exist are all refused with a message naming the element, and
//! nothing is written: the study is built in memory and checked first.

use crate::ExchangeError;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;

use collabmap_study::codebook::Codebook;
use collabmap_study::model::{Interview, Memo, MemoAbout, Person, Project, Quote, Study};
use collabmap_study::parse::front_matter::is_iso_date;
use collabmap_study::write::study_files;
use collabmap_study::{Code, CodeKind, Limits, LineIndex, MemoryFiles, StudyConfig, load_from};
use quick_xml::events::Event;

/// Largest `project.qde` or `.qdc` read.
const MAX_XML_BYTES: u64 = 256 << 20;
/// Most elements a document may have: far above a real project (collabmap's
/// own export of a 10,000-person study has about a million), and a bound on
/// the memory a hostile file can make the parser build.
const MAX_ELEMENTS: usize = 5_000_000;
/// Deepest nesting read: REFI-QDA documents are a few levels deep, codes
/// nest a few dozen at most.
const MAX_DEPTH: usize = 256;

/// One element of the parsed document.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<usize>,
    text: String,
    line: usize,
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A parsed XML document: elements in document order, the root first.
struct Document {
    elements: Vec<Element>,
    file: String,
}

impl Document {
    fn children<'a>(&'a self, parent: usize, name: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.elements[parent].children.iter().copied().filter(move |&c| self.elements[c].name == name)
    }

    fn child(&self, parent: usize, name: &str) -> Option<usize> {
        self.children(parent, name).next()
    }

    fn refuse(&self, element: usize, message: impl std::fmt::Display) -> ExchangeError {
        let e = &self.elements[element];
        ExchangeError::at(&self.file, e.line, format!("<{}>: {message}", e.name))
    }

    fn required(&self, element: usize, attribute: &str) -> Result<&str, ExchangeError> {
        self.elements[element].attribute(attribute).ok_or_else(|| self.refuse(element, format!("the `{attribute}` attribute is missing")))
    }
}

/// Parses XML safely: no DOCTYPE, only predefined entities and character references.
fn parse_xml(text: &str, file: &str) -> Result<Document, ExchangeError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut elements: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    // Lines come from one index of the text: counting from the start for every element was quadratic.
    let lines = LineIndex::new(text.as_bytes());
    let at = |reader: &quick_xml::Reader<&[u8]>| lines.line(reader.buffer_position() as usize);
    loop {
        let event = reader.read_event().map_err(|e| ExchangeError::at(file, at(&reader), format!("not well-formed XML: {e}")))?;
        match event {
            Event::DocType(_) => {
                return Err(ExchangeError::at(
                    file,
                    at(&reader),
                    "the file declares a DOCTYPE; REFI-QDA files have none, and DTDs are refused so that no entity can expand",
                ));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                let attributes = attributes_of(start, &name).map_err(|message| ExchangeError::at(file, at(&reader), message))?;
                let index = elements.len();
                if index >= MAX_ELEMENTS {
                    return Err(ExchangeError::at(
                        file,
                        at(&reader),
                        format!("the file has more than {MAX_ELEMENTS} elements, more than collabmap reads; split the project"),
                    ));
                }
                if open.len() >= MAX_DEPTH {
                    return Err(ExchangeError::at(
                        file,
                        at(&reader),
                        format!("<{name}> is nested more than {MAX_DEPTH} levels deep, more than a REFI-QDA file needs; nothing was imported"),
                    ));
                }
                elements.push(Element { name, attributes, line: at(&reader), ..Default::default() });
                if let Some(&parent) = open.last() {
                    elements[parent].children.push(index);
                } else if index != 0 {
                    return Err(ExchangeError::at(file, at(&reader), "more than one root element"));
                }
                if matches!(event, Event::Start(_)) {
                    open.push(index);
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Text(content) => {
                if let Some(&current) = open.last() {
                    let decoded = content.decode().map_err(|e| ExchangeError::at(file, at(&reader), format!("{e}")))?;
                    elements[current].text.push_str(&decoded);
                }
            }
            Event::CData(content) => {
                if let Some(&current) = open.last() {
                    elements[current].text.push_str(&String::from_utf8_lossy(&content));
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = resolved_reference(&reference).map_err(|message| ExchangeError::at(file, at(&reader), message))?;
                if let Some(&current) = open.last() {
                    elements[current].text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if elements.is_empty() {
        return Err(ExchangeError::at(file, 1, "the file holds no XML element"));
    }
    Ok(Document { elements, file: file.to_string() })
}

/// The attributes of element `name`, unescaped; a refusal says which and why.
fn attributes_of(start: &quick_xml::events::BytesStart<'_>, name: &str) -> Result<Vec<(String, String)>, String> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("<{name}>: a malformed attribute: {e}"))?;
        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
        let value = attribute
            .unescape_value()
            .map_err(|e| format!("<{name} {key}>: {e} (only &amp; &lt; &gt; &quot; &apos; and character references are accepted)"))?;
        attributes.push((key, value.into_owned()));
    }
    Ok(attributes)
}

/// The text an entity or character reference in element text stands for:
/// only the five predefined entities and character references, so that no
/// entity of a DTD can expand.
fn resolved_reference(reference: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Ok(c.to_string());
    }
    let text = match &**reference as &[u8] {
        b"amp" => "&",
        b"lt" => "<",
        b"gt" => ">",
        b"quot" => "\"",
        b"apos" => "'",
        other => {
            return Err(format!(
                "the entity &{}; is refused: only the five predefined entities and character references are accepted",
                String::from_utf8_lossy(other)
            ));
        }
    };
    Ok(text.to_string())
}

/// The files of a `.qdpx`: its project document and its sources by lower-cased name.
struct Archive {
    project: (String, String),
    sources: HashMap<String, Vec<u8>>,
}

fn read_archive(bytes: &[u8], limits: Limits) -> Result<Archive, ExchangeError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExchangeError::Archive(format!("the file is not a REFI-QDA project (.qdpx is a zip archive): {e}")))?;
    let mut project = None;
    let mut sources = HashMap::new();
    for (name, data) in crate::archive::read_entries(&mut archive, limits, "project", &|_| true)? {
        let lower = name.to_lowercase();
        if !lower.contains('/') && lower.ends_with(".qde") {
            if data.len() as u64 > MAX_XML_BYTES {
                return Err(ExchangeError::Archive(format!("`{name}` is larger than {} MB", MAX_XML_BYTES >> 20)));
            }
            project = Some((name.clone(), String::from_utf8(data).map_err(|_| ExchangeError::Archive(format!("`{name}` is not UTF-8 text")))?));
        } else if let Some(file) = lower.strip_prefix("sources/") {
            sources.insert(file.to_string(), data);
        }
    }
    let project = project.ok_or_else(|| ExchangeError::Archive("the archive holds no .qde project document at its top level".into()))?;
    Ok(Archive { project, sources })
}

/// The codes of a CodeBook (or Project CodeBook) element, nested.
struct CodeEntry {
    guid: String,
    name: String,
    parent: Option<usize>,
    description: String,
}

fn collect_codes(document: &Document, codes_element: usize) -> Result<Vec<CodeEntry>, ExchangeError> {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, Option<usize>)> = document.children(codes_element, "Code").map(|c| (c, None)).collect::<Vec<_>>().into_iter().rev().collect();
    while let Some((element, parent)) = stack.pop() {
        let guid = document.required(element, "guid")?.to_uppercase();
        let name = document.required(element, "name")?.to_string();
        let description = document.child(element, "Description").map(|d| document.elements[d].text.clone()).unwrap_or_default();
        let index = out.len();
        out.push(CodeEntry { guid, name, parent, description });
        let children: Vec<usize> = document.children(element, "Code").collect();
        stack.extend(children.into_iter().rev().map(|c| (c, Some(index))));
    }
    Ok(out)
}

/// An id made from an imported name: the codebook's own slug (lower-case
/// ASCII words joined by `-`), prefixed with `code-` when it would start with
/// a digit, and `code` when the name has no letter or digit at all.
fn slug(name: &str) -> String {
    if !name.chars().any(|c| c.is_ascii_alphanumeric()) {
        return "code".into();
    }
    let base = collabmap_study::codebook::slug(name);
    if base.starts_with(|c: char| c.is_ascii_digit()) { format!("code-{base}") } else { base }
}

/// Turns codes into themes, recovering collabmap's own ids, kinds and model
/// flags from the description marker written on export.
fn themes_of(codes: &[CodeEntry]) -> (Vec<Code>, HashMap<String, String>) {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut ids = Vec::with_capacity(codes.len());
    let mut marks = Vec::with_capacity(codes.len());
    for code in codes {
        let marker = code.description.lines().find_map(|l| l.strip_prefix("collabmap id: #"));
        let (wanted, kind, model) = match marker {
            Some(rest) => {
                let (id, details) = rest.split_once(' ').unwrap_or((rest, ""));
                let kind = details.trim_matches(|c| c == '(' || c == ')');
                let (kind, model) = kind.split_once(", ").map_or((kind, false), |(k, m)| (k, m == "model"));
                let kind = match kind {
                    "barrier" => CodeKind::Barrier,
                    "reason" => CodeKind::Reason,
                    _ => CodeKind::Theme,
                };
                (id.to_string(), kind, model)
            }
            None => (slug(&code.name), CodeKind::Theme, true),
        };
        let mut id = wanted.clone();
        let mut n = 2;
        while !taken.insert(id.clone()) {
            id = format!("{wanted}-{n}");
            n += 1;
        }
        ids.push(id);
        marks.push((kind, model));
    }
    let themes = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let description = code.description.lines().filter(|l| !l.starts_with("collabmap id: #")).collect::<Vec<_>>().join("\n").trim().to_string();
            Code {
                id: ids[i].clone(),
                name: code.name.clone(),
                parent: code.parent.map(|p| ids[p].clone()),
                kind: marks[i].0,
                model: marks[i].1,
                indicators: Vec::new(),
                description,
                queries: Vec::new(),
                line: 1,
            }
        })
        .collect();
    let by_guid = codes.iter().zip(&ids).map(|(c, id)| (c.guid.clone(), id.clone())).collect();
    (themes, by_guid)
}

/// Imports a `.qdc` codebook: a study with that codebook and no interviews yet.
pub fn import_qdc(bytes: &[u8], file: &str) -> Result<MemoryFiles, ExchangeError> {
    if bytes.len() as u64 > MAX_XML_BYTES {
        return Err(ExchangeError::at(file, 1, format!("the file is larger than {} MB", MAX_XML_BYTES >> 20)));
    }
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| ExchangeError::at(file, 1, "the file is not UTF-8 text"))?;
    let document = parse_xml(text.trim_start_matches('\u{feff}'), file)?;
    if document.elements[0].name != "CodeBook" {
        return Err(document.refuse(0, "a codebook file's root element is CodeBook"));
    }
    let codes = document.child(0, "Codes").ok_or_else(|| document.refuse(0, "no <Codes> element"))?;
    let (themes, _) = themes_of(&collect_codes(&document, codes)?);
    let title = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".qdc");
    finish(Study {
        config: StudyConfig::new(title, "codebook.toml"),
        codebook: Codebook::from_themes("codebook.toml", themes),
        people_columns: vec!["id".into(), "name".into()],
        people: Default::default(),
        project_columns: Vec::new(),
        projects: Default::default(),
        interviews: Vec::new(),
        memos: Vec::new(),
    })
}

/// Writes the study into files and checks them as `collabmap check` would.
fn finish(study: Study) -> Result<MemoryFiles, ExchangeError> {
    let files = study_files(&study).map_err(|e| ExchangeError::Write(format!("the study: {e}")))?;
    let problems = load_from(&files).problems;
    if !problems.is_empty() {
        let lines: Vec<String> = problems.iter().take(20).map(ToString::to_string).collect();
        return Err(ExchangeError::Problems(lines));
    }
    Ok(files)
}

/// Reads `group_agreement=false rollup=true infer=true min_support=5` (the
/// export's settings line) into `config`; unknown words are ignored, so a
/// later export's extra settings do not stop an older import.
fn apply_settings(config: &mut StudyConfig, settings: &str) {
    for pair in settings.split_whitespace() {
        let Some((key, value)) = pair.split_once('=') else { continue };
        let flag = value.parse::<bool>().ok();
        match (key, flag) {
            ("group_agreement", Some(flag)) => config.counting.group_agreement = flag,
            ("rollup", Some(flag)) => config.counting.rollup = flag,
            ("infer", Some(flag)) => config.counting.infer = flag,
            ("min_support", _) => {
                if let Ok(n) = value.parse() {
                    config.model.min_support = n;
                }
            }
            _ => {}
        }
    }
}

/// A person id from a case name: the name itself when it already looks like an id.
fn person_id(name: &str, taken: &mut BTreeSet<String>) -> String {
    let looks_like_id = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let base = if looks_like_id { name.to_string() } else { slug(name) };
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Imports a `.qdpx` project.
pub fn import_qdpx(bytes: &[u8], limits: Limits) -> Result<MemoryFiles, ExchangeError> {
    import_qdpx_with_notes(bytes, limits).map(|(files, _)| files)
}

/// What the project's cases say: the people with their columns, who
/// attended each source, and who said each selection (by GUID).
struct Cases {
    columns: Vec<String>,
    people: Vec<Person>,
    attended: Vec<BTreeSet<String>>,
    said_by: HashMap<String, Vec<String>>,
}

/// The project's cases as people; a source no case refers to becomes an
/// interview with one person named after it (the usual unit in MAXQDA and ATLAS.ti).
fn cases_of(
    document: &Document,
    root: usize,
    read: &Sources,
    variables: &HashMap<String, String>,
    file: &str,
    notes: &mut Vec<String>,
) -> Result<Cases, ExchangeError> {
    let (sources, selection_source) = (&read.sources, &read.selection_source);
    let source_index: HashMap<&str, usize> = sources.iter().enumerate().map(|(i, s)| (s.guid.as_str(), i)).collect();
    let mut taken = BTreeSet::new();
    let mut columns: Vec<String> = vec!["id".into(), "name".into()];
    let mut people = Vec::new();
    let mut attended: Vec<BTreeSet<String>> = vec![BTreeSet::new(); sources.len()];
    let mut said_by: HashMap<String, Vec<String>> = HashMap::new();
    if let Some(list) = document.child(root, "Cases") {
        for case in document.children(list, "Case") {
            let guid = document.required(case, "guid")?.to_uppercase();
            let name = document.elements[case].attribute("name").unwrap_or(&guid).to_string();
            let id = person_id(&name, &mut taken);
            let mut values: BTreeMap<String, String> = BTreeMap::new();
            for value in document.children(case, "VariableValue") {
                let (column, text) = variable_value(document, variables, value)?;
                if !columns.contains(&column) && column != "id" && column != "name" {
                    columns.push(column.clone());
                }
                values.insert(column, text);
            }
            for reference in document.children(case, "SourceRef") {
                let target = document.required(reference, "targetGUID")?.to_uppercase();
                let source = source_index
                    .get(target.as_str())
                    .ok_or_else(|| document.refuse(reference, format!("refers to the source {target}, which the project does not define")))?;
                attended[*source].insert(id.clone());
            }
            for reference in document.children(case, "SelectionRef") {
                let target = document.required(reference, "targetGUID")?.to_uppercase();
                let source = selection_source
                    .get(&target)
                    .ok_or_else(|| document.refuse(reference, format!("refers to the selection {target}, which the project does not define")))?;
                attended[*source].insert(id.clone());
                said_by.entry(target).or_default().push(id.clone());
            }
            people.push((id, name, values));
        }
    }
    // A document no case refers to is the usual unit in MAXQDA and ATLAS.ti: it
    // becomes its own interview, attended by one person named after it.
    for (number, source) in sources.iter().enumerate() {
        if !attended[number].is_empty() || source.anonymous_quotes {
            continue;
        }
        let id = person_id(&source.name, &mut taken);
        notes.push(format!("{file}: no case refers to the document `{}`: it was imported as an interview with one person, `{id}`, named after it; rename or merge people in people.csv as needed", source.name));
        attended[number].insert(id.clone());
        people.push((id, source.name.clone(), BTreeMap::new()));
    }
    let people: Vec<Person> = people
        .into_iter()
        .map(|(id, name, values)| {
            let row: Vec<String> = columns
                .iter()
                .map(|c| {
                    if c == "id" {
                        id.clone()
                    } else if c == "name" {
                        name.clone()
                    } else {
                        values.get(c).cloned().unwrap_or_default()
                    }
                })
                .collect();
            Person { id, name, values: row, anonymous: false }
        })
        .collect();

    Ok(Cases { columns, people, attended, said_by })
}

/// Each source as an interview with its coded selections as quotes, and the
/// projects the sources name. Anonymous quotes came across linked to no
/// case, so they are counted for no one (with a note).
fn interviews_of(sources: &[SourceEntry], cases: &Cases, group_agreement: bool, file: &str, notes: &mut Vec<String>) -> (Vec<Interview>, BTreeSet<String>) {
    let (attended, said_by) = (&cases.attended, &cases.said_by);
    let mut projects: BTreeSet<String> = BTreeSet::new();
    let mut interviews = Vec::new();
    let mut interview_ids = BTreeSet::new();
    for (number, source) in sources.iter().enumerate() {
        if source.anonymous_quotes {
            notes.push(format!(
                "{file}: the {} anonymous quotes in `{}` came across without their speakers (collabmap exports them linked to no case), so they are counted for no one",
                source.selections.len(),
                source.name
            ));
            continue;
        }
        let attendees: Vec<String> = attended[number].iter().cloned().collect();
        let id = person_id(&source.name, &mut interview_ids);
        let variable = |name: &str| source.variables.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let interview_projects: Vec<String> = variable("projects").split(',').map(|p| slug(p.trim())).filter(|p| !p.is_empty() && p != "code").collect();
        projects.extend(interview_projects.iter().cloned());
        let date = Some(variable("date")).filter(|d| collabmap_study::parse::front_matter::is_iso_date(d));
        let quotes = source
            .selections
            .iter()
            .map(|s| {
                let mut speakers = said_by.get(&s.guid).cloned().unwrap_or_default();
                speakers.sort();
                speakers.dedup();
                // Everyone present needs no marks under group agreement; otherwise the cases that refer to the selection are its speakers.
                let everyone = speakers.len() == attendees.len() && group_agreement;
                let speakers = if attendees.len() > 1 && !everyone { speakers } else { Vec::new() };
                Quote { text: s.text.clone(), codes: s.codes.clone(), speakers, ..Default::default() }
            })
            .collect();
        interviews.push(Interview {
            file: format!("interviews/{id}.md"),
            id,
            people: attendees,
            projects: interview_projects,
            date,
            quotes,
            ..Default::default()
        });
    }
    (interviews, projects)
}

/// A `<VariableValue>`'s variable name and value.
fn variable_value(document: &Document, variables: &HashMap<String, String>, element: usize) -> Result<(String, String), ExchangeError> {
    let reference = document.child(element, "VariableRef").ok_or_else(|| document.refuse(element, "no <VariableRef>"))?;
    let guid = document.required(reference, "targetGUID")?.to_uppercase();
    let name = variables.get(&guid).ok_or_else(|| document.refuse(reference, format!("refers to the variable {guid}, which the project does not define")))?;
    let value = document.elements[element]
        .children
        .iter()
        .find(|&&c| document.elements[c].name != "VariableRef")
        .map(|&c| document.elements[c].text.trim().to_string())
        .unwrap_or_default();
    Ok((name.clone(), value))
}

/// The project's variables, by GUID (upper-cased).
fn variables_of(document: &Document, root: usize) -> Result<HashMap<String, String>, ExchangeError> {
    let mut variables: HashMap<String, String> = HashMap::new();
    if let Some(list) = document.child(root, "Variables") {
        for variable in document.children(list, "Variable") {
            variables.insert(document.required(variable, "guid")?.to_uppercase(), document.required(variable, "name")?.to_string());
        }
    }
    Ok(variables)
}

/// The text sources of the project with their coded selections; which
/// source each selection (by GUID) is in; how many codings the project says
/// were inferred. Sources of other kinds are left out, with a note.
fn sources_of(
    document: &Document,
    root: usize,
    archive: &Archive,
    code_ids: &HashMap<String, String>,
    variables: &HashMap<String, String>,
    notes: &mut Vec<String>,
) -> Result<Sources, ExchangeError> {
    let mut inferred_codings = 0usize;
    let mut sources: Vec<SourceEntry> = Vec::new();
    let mut selection_source: HashMap<String, usize> = HashMap::new();
    if let Some(list) = document.child(root, "Sources") {
        for &other in &document.elements[list].children {
            if document.elements[other].name != "TextSource" {
                let name = document.elements[other].attribute("name").unwrap_or("");
                notes.push(document.refuse(other, format!("`{name}` was left out: collabmap imports text sources only")).to_string());
            }
        }
        for source in document.children(list, "TextSource") {
            let guid = document.required(source, "guid")?.to_uppercase();
            let name = document.elements[source].attribute("name").unwrap_or(&guid).to_string();
            let content = match document.child(source, "PlainTextContent") {
                Some(content) => document.elements[content].text.clone(),
                None => {
                    let path = document.required(source, "plainTextPath")?;
                    let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path).to_lowercase();
                    let bytes = archive
                        .sources
                        .get(&file_name)
                        .ok_or_else(|| document.refuse(source, format!("its text `{path}` is not in the archive's sources folder")))?;
                    String::from_utf8_lossy(bytes).trim_start_matches('\u{feff}').to_string()
                }
            };
            let chars: Vec<char> = content.chars().collect();
            let mut selections = Vec::new();
            for selection in document.children(source, "PlainTextSelection") {
                let selection_guid = document.required(selection, "guid")?.to_uppercase();
                let position = |name: &str| -> Result<usize, ExchangeError> {
                    document.required(selection, name)?.trim().parse::<usize>().map_err(|_| document.refuse(selection, format!("`{name}` is not a position")))
                };
                let (start, end) = (position("startPosition")?, position("endPosition")?);
                if start > end || end > chars.len() {
                    return Err(document
                        .refuse(selection, format!("positions {start}..{end} fall outside its source's {} characters; nothing was imported", chars.len())));
                }
                let mut selected_codes = Vec::new();
                for coding in document.children(selection, "Coding") {
                    let reference = document.child(coding, "CodeRef").ok_or_else(|| document.refuse(coding, "no <CodeRef>"))?;
                    let target = document.required(reference, "targetGUID")?.to_uppercase();
                    let id = code_ids
                        .get(&target)
                        .ok_or_else(|| document.refuse(reference, format!("refers to the code {target}, which the project does not define")))?;
                    selected_codes.push(id.clone());
                }
                if let Some(description) = document.child(selection, "Description") {
                    inferred_codings += document.elements[description].text.trim().strip_prefix("inferred:").map_or(0, |rest| rest.split_whitespace().count());
                }
                let text: String = chars[start..end].iter().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
                selection_source.insert(selection_guid.clone(), sources.len());
                if !selected_codes.is_empty() && !text.is_empty() {
                    selections.push(SelectionEntry { guid: selection_guid, text, codes: selected_codes });
                }
            }
            let values = document.children(source, "VariableValue").map(|v| variable_value(document, variables, v)).collect::<Result<Vec<_>, _>>()?;
            let anonymous_quotes =
                document.child(source, "Description").is_some_and(|d| document.elements[d].text.trim_start().starts_with(crate::refi::ANONYMOUS_SOURCE_MARKER));
            sources.push(SourceEntry { guid, name, selections, variables: values, anonymous_quotes });
        }
    }
    Ok(Sources { sources, selection_source, inferred_codings })
}

/// What [`sources_of`] read.
struct Sources {
    sources: Vec<SourceEntry>,
    /// Which source each selection (by GUID) is in.
    selection_source: HashMap<String, usize>,
    /// How many codings the project says collabmap had inferred.
    inferred_codings: usize,
}

/// A coded selection of a source: its GUID, its text, the codes it carries.
struct SelectionEntry {
    guid: String,
    text: String,
    codes: Vec<String>,
}
/// A text source of the project, read: its selections, variable values and whether it holds anonymous quotes.
struct SourceEntry {
    guid: String,
    name: String,
    selections: Vec<SelectionEntry>,
    variables: Vec<(String, String)>,
    anonymous_quotes: bool,
}

/// Imports a `.qdpx` project, with a note for each part of it left out
/// (sources that are not text, sources no case refers to), so a researcher
/// knows what did not come across.
pub fn import_qdpx_with_notes(bytes: &[u8], limits: Limits) -> Result<(MemoryFiles, Vec<String>), ExchangeError> {
    let mut notes = Vec::new();
    let archive = read_archive(bytes, limits)?;
    let (file, text) = &archive.project;
    let document = parse_xml(text.trim_start_matches('\u{feff}'), file)?;
    if document.elements[0].name != "Project" {
        return Err(document.refuse(0, "a project document's root element is Project"));
    }
    let root = 0;
    let codes = match document.child(root, "CodeBook").and_then(|c| document.child(c, "Codes")) {
        Some(codes) => collect_codes(&document, codes)?,
        None => Vec::new(),
    };
    let (themes, code_ids) = themes_of(&codes);
    let mut config = StudyConfig::new(document.elements[root].attribute("name").unwrap_or("Imported project"), "codebook.toml");
    let carried = document
        .child(root, "Description")
        .and_then(|d| document.elements[d].text.lines().find_map(|l| l.trim().strip_prefix("collabmap settings:")).map(str::to_string));
    if let Some(settings) = &carried {
        apply_settings(&mut config, settings);
    }

    let variables = variables_of(&document, root)?;
    let read = sources_of(&document, root, &archive, &code_ids, &variables, &mut notes)?;
    let cases = cases_of(&document, root, &read, &variables, file, &mut notes)?;
    let (interviews, projects) = interviews_of(&read.sources, &cases, config.counting.group_agreement, file, &mut notes);
    let inferred_codings = read.inferred_codings;
    let Cases { columns, people, .. } = cases;

    if carried.is_none() && document.elements[root].attribute("origin") == Some("collabmap") {
        notes.push(format!("{file}: the project names no counting settings, so the defaults are used"));
    }
    if inferred_codings > 0 {
        notes.push(format!(
            "{file}: {inferred_codings} codings that collabmap had inferred from indicator phrases came back as explicit codes (REFI-QDA has no indicator phrases): the people counted are the same, but the table's `inferred` column counts them as explicit"
        ));
    }
    if document.elements[root].attribute("origin") == Some("collabmap") {
        notes.push(format!("{file}: the maps' links did not come across (REFI-QDA has no cognitive maps), so the imported study has no theme links and its model cannot be discovered; keep the original study for the model"));
    }
    let (project_columns, projects) = if projects.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (
            vec!["id".to_string(), "name".to_string()],
            projects.into_iter().map(|p| Project { values: vec![p.clone(), p.clone()], name: p.clone(), id: p }).collect(),
        )
    };
    let memos = memos_of(&document, root, &themes, &people, &interviews, file, &mut notes);
    let files = finish(Study {
        config,
        codebook: Codebook::from_themes("codebook.toml", themes),
        people_columns: columns,
        people: people.into(),
        project_columns,
        projects: projects.into(),
        interviews: interviews.into_iter().map(std::sync::Arc::new).collect(),
        memos,
    })?;
    Ok((files, notes))
}

/// The project's notes as memos. A note collabmap wrote says in its
/// description what it is about, who wrote it and its file; a note from
/// another tool becomes a memo about the study. A memo about something that
/// did not come across (a concept: maps are not carried) is kept as a memo
/// about the study, and the import says so.
fn memos_of(document: &Document, root: usize, themes: &[Code], people: &[Person], interviews: &[Interview], file: &str, notes: &mut Vec<String>) -> Vec<Memo> {
    let Some(list) = document.child(root, "Notes") else { return Vec::new() };
    let mut memos: Vec<Memo> = Vec::new();
    let decode = |v: &str| v.replace("%20", " ").replace("%25", "%");
    for (number, note) in document.children(list, "Note").enumerate() {
        let text_of = |name: &str| document.child(note, name).map(|e| document.elements[e].text.trim().to_string()).unwrap_or_default();
        let description = text_of("Description");
        let mut memo = Memo {
            file: format!("memos/note-{}.md", number + 1),
            about: MemoAbout::Study,
            about_line: 2,
            by: None,
            date: document.elements[note].attribute("creationDateTime").map(|d| d.chars().take(10).collect::<String>()).filter(|d| is_iso_date(d)),
            body: text_of("PlainTextContent"),
            body_line: 0,
        };
        if let Some(fields) = description.strip_prefix(crate::refi::MEMO_MARKER) {
            for (key, value) in fields.split_whitespace().filter_map(|pair| pair.split_once('=')) {
                let value = decode(value);
                match key {
                    "file" if value.starts_with("memos/") && value.ends_with(".md") && collabmap_study::files::safe_relative(&value).is_some() => {
                        memo.file = value
                    }
                    "about" => memo.about = MemoAbout::parse(&value).unwrap_or(MemoAbout::Study),
                    "by" => memo.by = Some(value),
                    "date" if is_iso_date(&value) => memo.date = Some(value),
                    _ => {}
                }
            }
        }
        let exists = match &memo.about {
            MemoAbout::Study => true,
            MemoAbout::Theme(id) => themes.iter().any(|t| &t.id == id),
            MemoAbout::Interview(id) => interviews.iter().any(|i| &i.id == id),
            MemoAbout::Person(id) => people.iter().any(|p| &p.id == id),
            MemoAbout::Concept { .. } => false,
        };
        if !exists {
            notes.push(format!(
                "{file}: the memo {} was about {}, which did not come across; it is kept as a memo about the study",
                memo.file,
                memo.about.as_text()
            ));
            memo.about = MemoAbout::Study;
        }
        if memos.iter().any(|m| m.file == memo.file) {
            memo.file = format!("memos/note-{}.md", number + 1);
        }
        memos.push(memo);
    }
    memos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctypes_and_unknown_entities_are_refused() {
        let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">]>\n<CodeBook><Codes/></CodeBook>";
        assert!(import_qdc(bomb.as_bytes(), "bomb.qdc").expect_err("refused").to_string().contains("DOCTYPE"));
        let entity = "<CodeBook><Codes><Code guid=\"A\" name=\"x &lol; y\" isCodable=\"true\"/></Codes></CodeBook>";
        assert!(import_qdc(entity.as_bytes(), "e.qdc").is_err());
        let text_entity = "<CodeBook><Codes><Code guid=\"A\" name=\"x\" isCodable=\"true\"><Description>&lol;</Description></Code></Codes></CodeBook>";
        assert!(import_qdc(text_entity.as_bytes(), "t.qdc").expect_err("refused").to_string().contains("&lol;"));
    }

    #[test]
    fn archives_past_the_limits_are_refused_while_reading() {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        writer.start_file("project.qde", zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)).expect("start");
        writer.write_all(&vec![b' '; 200_000]).expect("write");
        let bytes = writer.finish().expect("finish").into_inner();
        assert!(bytes.len() < 10_000, "it compresses well, as a bomb would");
        let error = import_qdpx(&bytes, Limits { max_files: 10, max_total_bytes: 50_000 }).expect_err("refused");
        assert!(error.to_string().contains("expands past"), "{error}");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_get_an_answer_not_a_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let _ = import_qdc(&bytes, "x.qdc");
            let _ = import_qdpx(&bytes, Limits::default());
        }

        #[test]
        fn any_xml_shaped_text_gets_an_answer(parts in proptest::collection::vec(proptest::sample::select(vec![
            "<CodeBook>", "</CodeBook>", "<Codes>", "</Codes>", "<Code guid=\"A\" name=\"x\" isCodable=\"true\">", "</Code>", "<Code/>",
            "<Description>", "</Description>", "&amp;", "&#x41;", "&#1114112;", "&bogus;", "<![CDATA[x]]>", "<!-- c -->", "text", "<", ">", "\"",
        ]), 0..40)) {
            let text: String = parts.concat();
            if let Ok(files) = import_qdc(text.as_bytes(), "x.qdc") {
                proptest::prop_assert!(files.get("codebook.toml").is_some());
            }
        }
    }

    #[test]
    fn names_become_ids_and_clashes_get_numbers() {
        assert_eq!(slug("Code: 3.1"), "code-3-1");
        assert_eq!(slug("Éthique & pouvoir"), "thique-pouvoir");
        assert_eq!(slug("1st"), "code-1st");
        let qdc = "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes><Code guid=\"A\" name=\"Trust\" isCodable=\"true\"><Code guid=\"B\" name=\"trust\" isCodable=\"true\"/></Code></Codes></CodeBook>";
        let files = import_qdc(qdc.as_bytes(), "c.qdc").expect("imported");
        let codebook = String::from_utf8(files.get("codebook.toml").expect("codebook").to_vec()).expect("utf-8");
        assert!(codebook.contains("id = \"trust\"") && codebook.contains("id = \"trust-2\"") && codebook.contains("parent = \"trust\""), "{codebook}");
    }
}
