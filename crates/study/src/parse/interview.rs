//! The body of an interview file: the map outline, quotes, stories and pictures.
//!
//! Written by hand rather than on a CommonMark parser: the format is a
//! line-oriented dialect whose rules differ from CommonMark on purpose (an item
//! indented deeper than the one above it is its child, whatever the width;
//! four spaces never start a code block), and every item needs its own line
//! number for problems. A CommonMark tree would have to be undone to get there.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::files::StudyFiles;

use crate::codebook::Codebook;
use crate::model::{Concept, Interview, MapNode, MapNodeKind, Picture, Quote, Story};
use crate::parse::front_matter::{self, is_interview_id};
use crate::parse::inline::{extract_marks, is_block_id, split_block_id, split_poles};
use crate::parse::text::{decode, indentation};
use crate::problem::{Problem, did_you_mean, suggestion};

/// Interview files larger than this are refused rather than read.
pub const MAX_INTERVIEW_BYTES: usize = 16 * 1024 * 1024;

/// Map nesting deeper than this is refused: no interview goes that deep, and
/// drawings of deeper maps are unreadable.
pub const MAX_DEPTH: usize = 500;

/// The refusal of an interview file of `size` bytes, when it is over the limit.
pub fn too_large(path: &str, size: u64) -> Option<Problem> {
    (size > MAX_INTERVIEW_BYTES as u64).then(|| {
        let message = format!(
            "the file is {} MiB; interviews are limited to {} MiB: split it into several interviews",
            size / (1024 * 1024),
            MAX_INTERVIEW_BYTES / (1024 * 1024)
        );
        Problem::new(path, 1, message)
    })
}

/// What an interview is checked against.
#[derive(Clone, Copy)]
pub struct InterviewContext<'a> {
    /// The study's codebook, for tags.
    pub codebook: &'a Codebook,
    /// The ids of `people.csv`.
    pub people: &'a crate::IdSet<'a>,
    /// The ids of `projects.csv`.
    pub projects: &'a crate::IdSet<'a>,
    /// The study's files, to check that pictures exist (`None` skips the check).
    pub files: Option<&'a dyn StudyFiles>,
    /// Whether tags are checked against the codebook (off when the codebook itself could not be read).
    pub check_codes: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Notes,
    Map,
    Quotes,
    Stories,
    Pictures,
}

impl Section {
    /// The section a level-1 heading opens; any other heading opens notes.
    fn named(title: &str) -> Section {
        match title.to_lowercase().as_str() {
            "map" => Section::Map,
            "quotes" => Section::Quotes,
            "stories" => Section::Stories,
            "pictures" => Section::Pictures,
            _ => Section::Notes,
        }
    }
}

/// Parses one interview file. Never fails: problems are returned beside
/// whatever could be read. The same as [`read_interview`], then
/// [`resolve_interview`] against the study.
pub fn parse_interview(bytes: &[u8], path: &str, context: &InterviewContext<'_>) -> (Interview, Vec<Problem>) {
    let (syntax, mut problems) = read_interview(bytes, path);
    let (mut interview, found) = resolve_interview(&syntax, context);
    interview.shrink_to_fit();
    problems.extend(found);
    problems.sort();
    (interview, problems)
}

/// What an interview file says, read from the file alone: its front matter
/// and the blocks of its body (map items, quotes, stories, pictures), with
/// nothing checked against the study yet. It depends on the file's bytes
/// only, so it can be fuzzed alone and kept while the file is unchanged.
#[derive(Debug, Clone)]
pub struct InterviewSyntax {
    path: String,
    /// The id the file name gives, unless the front matter sets one.
    default_id: String,
    /// Whether the file could be read at all (not too large, and text).
    readable: bool,
    front: front_matter::FrontMatter,
    blocks: Vec<BodyBlock>,
}

/// One block of an interview's body, as the file alone says it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BodyBlock {
    /// `# Map`: a map section starts, and its outline's nesting with it.
    MapStart,
    /// A bullet of the map with its continuation lines.
    MapItem(PendingItem),
    /// A run of `>` lines: (line, content).
    Quote(Vec<(usize, String)>),
    /// `## Title` under `# Stories`, with the lines of its body.
    Story { line: usize, title: String, body: Vec<String> },
    /// An image line under `# Pictures`, with the lines explaining it.
    Picture { line: usize, caption: String, target: String, explanation: Vec<String> },
}

/// Reads an interview file's syntax: the problems it gives are those of the
/// file alone (encoding, size, front matter, the shape of its body).
pub fn read_interview(bytes: &[u8], path: &str) -> (InterviewSyntax, Vec<Problem>) {
    let default_id = Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut syntax = InterviewSyntax { path: path.to_string(), default_id, readable: false, front: front_matter::FrontMatter::default(), blocks: Vec::new() };
    if let Some(problem) = too_large(path, bytes.len() as u64) {
        return (syntax, vec![problem]);
    }
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((line, message)) => return (syntax, vec![Problem::new(path, line, message)]),
    };
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let (front, body_start, mut problems) = front_matter::split_and_parse(&lines, path);
    let mut reader = BodyReader { path, blocks: Vec::new(), problems: &mut problems, pending: None };
    reader.read_body(&lines, body_start);
    syntax.blocks = reader.blocks;
    syntax.front = front;
    syntax.readable = true;
    (syntax, problems)
}

/// Checks what an interview file says against the study (people, projects,
/// codes, attendees, pictures) and builds the interview: the map's tree,
/// its cross-links, the quotes, stories and pictures, each keeping only the
/// references the study has.
pub fn resolve_interview(syntax: &InterviewSyntax, context: &InterviewContext<'_>) -> (Interview, Vec<Problem>) {
    let mut interview = Interview { id: syntax.default_id.clone(), file: syntax.path.clone(), ..Default::default() };
    let mut problems = Vec::new();
    if !syntax.readable {
        return (interview, problems);
    }
    let path = syntax.path.as_str();
    let mut parser = BodyParser { path, context, interview: &mut interview, problems: &mut problems, attendees: HashSet::new(), map: MapBuilder::default() };
    parser.take_front_matter(syntax.front.clone());
    for block in &syntax.blocks {
        match block {
            BodyBlock::MapStart => parser.map.stack.clear(),
            BodyBlock::MapItem(item) => parser.add_map_item(item.clone()),
            BodyBlock::Quote(lines) => parser.finish_quote(lines.iter().map(|(line, text)| (*line, text.as_str())).collect()),
            BodyBlock::Story { line, title, body } => parser.finish_story((*line, title.clone(), body.iter().map(String::as_str).collect())),
            BodyBlock::Picture { line, caption, target, explanation } => {
                parser.finish_picture((*line, caption.clone(), target.clone(), explanation.iter().map(String::as_str).collect()))
            }
        }
    }
    parser.finish_map();
    (interview, problems)
}

/// The first pass over an interview's body: its blocks, and the problems of their shape.
struct BodyReader<'p> {
    path: &'p str,
    blocks: Vec<BodyBlock>,
    problems: &'p mut Vec<Problem>,
    /// The map item being read (its continuation lines may follow).
    pending: Option<PendingItem>,
}

struct BodyParser<'p, 'c> {
    path: &'p str,
    context: &'p InterviewContext<'c>,
    interview: &'p mut Interview,
    problems: &'p mut Vec<Problem>,
    attendees: HashSet<String>,
    map: MapBuilder,
}

/// An item being read: its first line, marker column and text so far.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PendingItem {
    line: usize,
    indent: usize,
    text: String,
}

#[derive(Default)]
struct MapBuilder {
    /// (marker column, index in the map) of the open ancestors.
    stack: Vec<(usize, usize)>,
    block_ids: HashMap<String, (usize, usize)>,
    too_deep_reported: bool,
}

impl BodyReader<'_> {
    fn problem(&mut self, line: usize, message: impl Into<String>) {
        self.problems.push(Problem::new(self.path, line, message));
    }

    /// Ends the map item being read, if any.
    fn flush_item(&mut self) {
        if let Some(item) = self.pending.take() {
            self.blocks.push(BodyBlock::MapItem(item));
        }
    }

    fn push_story(&mut self, (line, title, body): (usize, String, Vec<&str>)) {
        self.blocks.push(BodyBlock::Story { line, title, body: body.into_iter().map(str::to_string).collect() });
    }

    fn push_picture(&mut self, (line, caption, target, explanation): (usize, String, String, Vec<&str>)) {
        self.blocks.push(BodyBlock::Picture { line, caption, target, explanation: explanation.into_iter().map(str::to_string).collect() });
    }

    fn read_body(&mut self, lines: &[&str], start: usize) {
        let mut section = Section::Notes;
        let mut fence: Option<&str> = None;
        let mut quote: Vec<(usize, &str)> = Vec::new();
        let mut story: Option<(usize, String, Vec<&str>)> = None;
        let mut picture: Option<(usize, String, String, Vec<&str>)> = None;
        for (index, &raw) in lines.iter().enumerate().skip(start) {
            let line_no = index + 1;
            let trimmed = raw.trim();
            if let Some(marker) = fence {
                if trimmed.starts_with(marker) {
                    fence = None;
                }
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = Some(&trimmed[..3]);
                self.flush_item();
                continue;
            }
            let heading = heading_level(raw);
            let is_quote_line = section == Section::Quotes && indentation(raw) <= 3 && trimmed.starts_with('>');
            if !is_quote_line && !quote.is_empty() {
                self.blocks.push(BodyBlock::Quote(std::mem::take(&mut quote).into_iter().map(|(line, text)| (line, text.to_string())).collect()));
            }
            if let Some((level, title)) = heading {
                self.flush_item();
                if let Some(done) = story.take() {
                    self.push_story(done);
                }
                if let Some(done) = picture.take() {
                    self.push_picture(done);
                }
                if level == 1 {
                    section = Section::named(title);
                    if section == Section::Map {
                        self.blocks.push(BodyBlock::MapStart);
                    }
                } else if level == 2 && section == Section::Stories {
                    story = Some((line_no, title.to_string(), Vec::new()));
                }
                continue;
            }
            match section {
                Section::Notes => {}
                Section::Map => self.map_line(raw, line_no),
                Section::Quotes => {
                    if is_quote_line {
                        let content = trimmed[1..].strip_prefix(' ').unwrap_or(&trimmed[1..]);
                        quote.push((line_no, content));
                    }
                }
                Section::Stories => {
                    if let Some((_, _, body)) = story.as_mut() {
                        body.push(raw);
                    }
                }
                Section::Pictures => self.picture_line(&mut picture, raw, line_no),
            }
        }
        self.flush_item();
        if !quote.is_empty() {
            self.blocks.push(BodyBlock::Quote(quote.into_iter().map(|(line, text)| (line, text.to_string())).collect()));
        }
        if let Some(done) = story {
            self.push_story(done);
        }
        if let Some(done) = picture {
            self.push_picture(done);
        }
    }

    /// A line under `# Pictures`: an image starts a picture, the lines after
    /// it explain it, and a blank line after the explanation ends it.
    fn picture_line<'l>(&mut self, picture: &mut Option<(usize, String, String, Vec<&'l str>)>, raw: &'l str, line_no: usize) {
        let trimmed = raw.trim();
        if let Some((caption, target)) = image(trimmed) {
            if let Some(done) = picture.take() {
                self.push_picture(done);
            }
            *picture = Some((line_no, caption.to_string(), target.to_string(), Vec::new()));
        } else if let Some((_, _, _, explanation)) = picture.as_mut() {
            if !trimmed.is_empty() {
                explanation.push(raw);
            } else if !explanation.is_empty()
                && let Some(done) = picture.take()
            {
                self.push_picture(done);
            }
        }
    }

    fn map_line(&mut self, raw: &str, line_no: usize) {
        let indent = indentation(raw);
        let content = raw.trim_start();
        if content.is_empty() {
            self.flush_item();
            return;
        }
        if let Some(text) = bullet(content) {
            self.flush_item();
            self.pending = Some(PendingItem { line: line_no, indent, text: text.to_string() });
            return;
        }
        if let Some(pending) = self.pending.as_mut()
            && indent > pending.indent
        {
            pending.text.push(' ');
            pending.text.push_str(content);
            return;
        }
        self.flush_item();
        if is_numbered_item(content) {
            self.problem(line_no, "numbered items are not concepts: start the item with `-`");
        }
        // Other lines in the map section are notes and carry no codes.
    }
}

impl BodyParser<'_, '_> {
    fn problem(&mut self, line: usize, message: impl Into<String>) {
        self.problems.push(Problem::new(self.path, line, message));
    }

    fn take_front_matter(&mut self, front: front_matter::FrontMatter) {
        let mut seen = HashSet::new();
        for (person, line) in front.people {
            if !self.context.people.contains(person.as_str()) {
                let hint = suggestion(&person, self.context.people.iter().copied(), "");
                self.problem(line, format!("unknown person `{person}`: add them to people.csv or fix the id{hint}"));
            } else if !seen.insert(person.clone()) {
                self.problem(line, format!("`{person}` is listed twice in `people`"));
            } else {
                self.attendees.insert(person.clone());
                self.interview.people.push(person);
            }
        }
        let mut seen_projects = HashSet::new();
        for (project, line) in front.projects {
            if !self.context.projects.contains(project.as_str()) {
                let hint = suggestion(&project, self.context.projects.iter().copied(), "");
                self.problem(line, format!("unknown project `{project}`: add it to projects.csv or fix the id{hint}"));
            } else if seen_projects.insert(project.clone()) {
                self.interview.projects.push(project);
            }
        }
        self.interview.date = front.date;
        self.interview.checked_back = front.checked_back;
        self.interview.checked_back_on = front.checked_back_on.map(|(date, _)| date);
        if let Some((id, _)) = front.id {
            self.interview.id = id;
        } else if !is_interview_id(&self.interview.id) {
            let id = self.interview.id.clone();
            self.problem(1, format!("the file name `{id}` cannot be an interview id: rename the file or set `id:` in the front matter"));
        }
    }

    /// Places a map item in the outline: under the nearest item less indented, as a concept or a cross-link.
    fn add_map_item(&mut self, item: PendingItem) {
        while self.map.stack.last().is_some_and(|&(indent, _)| indent >= item.indent) {
            self.map.stack.pop();
        }
        if self.map.stack.len() >= MAX_DEPTH {
            if !self.map.too_deep_reported {
                self.map.too_deep_reported = true;
                self.problem(item.line, format!("the map nests deeper than {MAX_DEPTH} levels: flatten it"));
            }
            return;
        }
        let mut parent = self.map.stack.last().map(|&(_, index)| index);
        if let Some(p) = parent
            && let MapNodeKind::CrossLink { target, .. } = &self.interview.map[p].kind
        {
            let message = format!("a cross-link cannot have items under it: move this item under the concept ^{target}");
            self.problem(item.line, message);
            parent = self.interview.map[p].parent;
        }
        let depth = self.map.stack.len();
        let (negative, text) = match item.text.strip_prefix("(-)") {
            Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => (true, rest.trim()),
            _ => (false, item.text.trim()),
        };
        if negative && parent.is_none() {
            self.problem(item.line, "`(-)` marks a means that works against its end, but a top-level item has no end: indent it under one or remove `(-)`");
        }
        let kind = if let Some(target) = cross_link_target(text) {
            if parent.is_none() {
                self.problem(item.line, "a cross-link at the top of the map has no end to link to: indent it under the concept it is a means to");
            }
            MapNodeKind::CrossLink { target: target.to_string(), resolved: None }
        } else {
            if text.starts_with("[[") && text.ends_with("]]") {
                self.problem(item.line, "a cross-link is written `[[#^block-id]]` and points into the same file");
            }
            match self.concept(text, item.line) {
                Some(concept) => MapNodeKind::Concept(concept),
                None => return,
            }
        };
        let index = self.interview.map.len();
        if let MapNodeKind::Concept(concept) = &kind
            && let Some(block) = &concept.block_id
        {
            if let Some(&(_, first_line)) = self.map.block_ids.get(block) {
                let message = format!("duplicate block id ^{block} (first used on line {first_line}): give each concept its own id");
                self.problem(item.line, message);
            } else {
                self.map.block_ids.insert(block.clone(), (index, item.line));
            }
        }
        self.interview.map.push(MapNode { line: item.line, depth, parent, negative, kind });
        self.map.stack.push((item.indent, index));
    }

    fn concept(&mut self, text: &str, line: usize) -> Option<Concept> {
        let marked = extract_marks(text);
        let codes = self.codes(&marked.tags, line);
        let speakers = self.speakers(&marked.speakers, line);
        let (rest, block_id) = split_block_id(&marked.text);
        let (pole, contrast) = split_poles(rest);
        if pole.is_empty() && codes.is_empty() {
            self.problem(line, "empty concept: write what was said, or delete the item");
            return None;
        }
        Some(Concept {
            line,
            pole: pole.to_string(),
            contrast: contrast.filter(|c| !c.is_empty()).map(str::to_string),
            codes,
            speakers,
            block_id: block_id.map(str::to_string),
        })
    }

    fn codes(&mut self, tags: &[String], line: usize) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        for tag in tags {
            let code = tag.to_lowercase();
            if self.context.codebook.index_of(&code).is_none() {
                if !self.context.check_codes {
                    continue;
                }
                let known = self.context.codebook.themes().iter().map(|t| t.id.as_str());
                let hint = suggestion(&code, known, "#");
                self.problem(line, format!("unknown code #{tag}{hint}"));
            } else if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }

    fn speakers(&mut self, marks: &[String], line: usize) -> Vec<String> {
        let mut speakers: Vec<String> = Vec::new();
        for speaker in marks {
            if self.check_attendee(speaker, line, "@") && !speakers.contains(speaker) {
                speakers.push(speaker.clone());
            }
        }
        speakers
    }

    /// Takes the marks out of numbered lines, adding new codes and speakers to
    /// the item's lists; returns the lines' remaining text.
    fn marked_lines<'l>(&mut self, lines: impl Iterator<Item = (usize, &'l str)>, codes: &mut Vec<String>, speakers: &mut Vec<String>) -> Vec<String> {
        let mut texts = Vec::new();
        for (line, raw) in lines {
            let marked = extract_marks(raw);
            for code in self.codes(&marked.tags, line) {
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            for speaker in self.speakers(&marked.speakers, line) {
                if !speakers.contains(&speaker) {
                    speakers.push(speaker);
                }
            }
            texts.push(marked.text);
        }
        texts
    }

    fn check_attendee(&mut self, person: &str, line: usize, prefix: &str) -> bool {
        if self.attendees.contains(person) {
            return true;
        }
        if self.context.people.contains(person) {
            let attendees = if self.interview.people.is_empty() {
                "it has no known attendee".to_string()
            } else {
                format!("attendees: {}", self.interview.people.join(", "))
            };
            self.problem(line, format!("{prefix}{person} did not attend this interview ({attendees}): add them to `people` or fix the id"));
        } else {
            let hint = did_you_mean(person, self.attendees.iter().map(String::as_str)).map(|s| format!(" (did you mean {prefix}{s}?)")).unwrap_or_default();
            self.problem(line, format!("unknown person {prefix}{person}{hint}"));
        }
        false
    }

    fn finish_map(&mut self) {
        let block_ids = std::mem::take(&mut self.map.block_ids);
        let mut problems = Vec::new();
        for node in &mut self.interview.map {
            let MapNodeKind::CrossLink { target, resolved } = &mut node.kind else { continue };
            match block_ids.get(target.as_str()) {
                Some(&(index, _)) if Some(index) == node.parent => {
                    problems.push((node.line, format!("cross-link to itself: ^{target} is the concept this item sits under")));
                }
                Some(&(index, _)) => *resolved = Some(index),
                None => {
                    let hint = suggestion(target, block_ids.keys().map(String::as_str), "^");
                    problems.push((node.line, format!("undefined block id ^{target}: no concept in this file ends with ^{target}{hint}")));
                }
            }
        }
        for (line, message) in problems {
            self.problem(line, message);
        }
    }

    fn finish_quote(&mut self, lines: Vec<(usize, &str)>) {
        let start = lines[0].0;
        let mut body: &[(usize, &str)] = &lines;
        let mut quote = Quote { line: start, ..Default::default() };
        if let Some(&(line, last)) = lines.last()
            && let Some(attribution) = attribution_text(last)
        {
            body = &lines[..lines.len() - 1];
            let (person, rest) = match attribution.split_once(',') {
                Some((person, rest)) => (person.trim(), Some(rest.trim())),
                None => (attribution.trim(), None),
            };
            match rest {
                None => {}
                Some(flag) if flag.eq_ignore_ascii_case("anonymous") => quote.anonymous = true,
                Some(_) => self.problem(line, "an attribution is `— PERSON` or `— PERSON, anonymous`"),
            }
            if person.is_empty() || person.contains(char::is_whitespace) {
                self.problem(line, "an attribution is `— PERSON` or `— PERSON, anonymous`, with the person's id");
            } else if self.check_attendee(person, line, "— ") {
                quote.attribution = Some(person.to_string());
            }
        }
        let text_lines = self.marked_lines(body.iter().copied(), &mut quote.codes, &mut quote.speakers);
        quote.text = join_paragraphs(&text_lines);
        if quote.text.is_empty() && quote.codes.is_empty() {
            self.problem(start, "empty quote: write the words quoted after `>`");
            return;
        }
        self.interview.quotes.push(quote);
    }

    fn finish_story(&mut self, (line, title, body): (usize, String, Vec<&str>)) {
        let title_marks = extract_marks(&title);
        let mut story = Story { line, title: title_marks.text, ..Default::default() };
        story.codes = self.codes(&title_marks.tags, line);
        story.speakers = self.speakers(&title_marks.speakers, line);
        let numbered = body.iter().enumerate().map(|(offset, raw)| (line + 1 + offset, *raw));
        let text_lines = self.marked_lines(numbered, &mut story.codes, &mut story.speakers);
        story.body = join_paragraphs(&text_lines);
        self.interview.stories.push(story);
    }

    fn finish_picture(&mut self, (line, caption, target, explanation): (usize, String, String, Vec<&str>)) {
        let (target, title) = image_path(&target);
        let not_for_publication = title.is_some_and(|t| t.eq_ignore_ascii_case(NOT_FOR_PUBLICATION));
        let path = target.replace('\\', "/");
        let escapes = path.starts_with('/') || path.contains(':') || path.split('/').any(|part| part == "..");
        if escapes {
            self.problem(line, format!("picture path `{target}` must be relative to the study folder, such as pictures/map.png"));
        } else if crate::files::picture_media_type(&path).is_none() {
            self.problem(line, crate::files::not_a_picture(&path));
        } else if let Some(files) = self.context.files
            && files.size(&path).is_none()
        {
            self.problem(line, format!("picture `{path}` not found: put the file in the study folder or fix the path"));
        }
        let mut picture = Picture { line, caption: caption.trim().to_string(), path, not_for_publication, ..Default::default() };
        let numbered = explanation.iter().enumerate().map(|(offset, raw)| (line + 1 + offset, *raw));
        let text_lines = self.marked_lines(numbered, &mut picture.codes, &mut picture.speakers);
        picture.explanation = join_paragraphs(&text_lines);
        self.interview.pictures.push(picture);
    }
}

/// Lines joined with `\n`, blank lines at either end dropped, runs of blank lines made one.
fn join_paragraphs(lines: &[String]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in lines {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// `# Title` → (1, "Title"): an ATX heading indented at most three columns.
fn heading_level(raw: &str) -> Option<(usize, &str)> {
    if indentation(raw) > 3 {
        return None;
    }
    let trimmed = raw.trim();
    let level = trimmed.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &trimmed[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim_end()))
}

/// The text of a bullet item (`- `, `* ` or `+ `), if `content` is one.
fn bullet(content: &str) -> Option<&str> {
    let mut chars = content.chars();
    let marker = chars.next()?;
    if !matches!(marker, '-' | '*' | '+') {
        return None;
    }
    let rest = &content[1..];
    if rest.is_empty() {
        return Some("");
    }
    rest.starts_with([' ', '\t']).then(|| rest.trim_start())
}

fn is_numbered_item(content: &str) -> bool {
    let digits = content.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && digits < 10 && content[digits..].starts_with([')', '.']) && content[digits + 1..].starts_with(' ')
}

fn cross_link_target(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("[[#^")?.strip_suffix("]]")?;
    is_block_id(inner).then_some(inner)
}

/// The text after the dash of an attribution line (`— p07`, `-- p07`, `– p07`).
pub(crate) fn attribution_text(line: &str) -> Option<&str> {
    let trimmed = line.trim();
    let rest = trimmed.strip_prefix('\u{2014}').or_else(|| trimmed.strip_prefix("--")).or_else(|| trimmed.strip_prefix('\u{2013}'))?;
    rest.starts_with(char::is_whitespace).then(|| rest.trim())
}

/// `![caption](target)` on a line of its own.
/// `![caption](target)` on a line of its own: the caption and what is
/// between the parentheses (the path, and perhaps a title after it).
pub(crate) fn image(trimmed: &str) -> Option<(&str, &str)> {
    let rest = trimmed.strip_prefix("![")?;
    let (caption, rest) = rest.split_once("](")?;
    let target = rest.strip_suffix(')')?;
    (!image_path(target).0.is_empty()).then_some((caption, target))
}

/// An image's target as its path and its title: `path "title"`, the path
/// perhaps in `<…>`. The format allows a title and gives it no meaning but
/// one: [`NOT_FOR_PUBLICATION`].
pub(crate) fn image_path(target: &str) -> (&str, Option<&str>) {
    let (path, title) = match target.split_once(" \"") {
        Some((path, rest)) => (path, Some(rest.trim_end().strip_suffix('"').unwrap_or(rest).trim())),
        None => (target, None),
    };
    let path = path.trim();
    (path.strip_prefix('<').and_then(|t| t.strip_suffix('>')).unwrap_or(path), title)
}

/// The image title by which an interviewee's "do not publish my picture" is
/// written: `![caption](pictures/p.jpg "not for publication")`. Any reader
/// of Markdown still sees a picture; collabmap keeps it out of published reports.
pub const NOT_FOR_PUBLICATION: &str = "not for publication";
