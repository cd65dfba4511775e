//! The study model: people, projects, interviews and the items in them.

use crate::codebook::Codebook;
use crate::config::StudyConfig;

/// A whole study: settings, codebook, people, projects and interviews.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// `study.toml`.
    pub config: StudyConfig,
    /// The codebook `study.toml` names.
    pub codebook: Codebook,
    /// The header of `people.csv`, in file order.
    pub people_columns: Vec<String>,
    /// `people.csv`, in file order.
    pub people: std::sync::Arc<Vec<Person>>,
    /// The header of `projects.csv`, in file order (empty when there is no file).
    pub project_columns: Vec<String>,
    /// `projects.csv`, in file order.
    pub projects: std::sync::Arc<Vec<Project>>,
    /// The interviews, sorted by file name.
    pub interviews: Vec<std::sync::Arc<Interview>>,
    /// The researchers' memos (`memos/*.md`, format 1.1), sorted by file name; never counted.
    pub memos: Vec<Memo>,
}

/// A researcher's note about the study or something in it (`memos/NAME.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memo {
    /// Its path in the study folder.
    pub file: String,
    /// What it is about.
    pub about: MemoAbout,
    /// The line of `about:`, where a missing target is reported.
    pub about_line: usize,
    /// Who wrote it (free text: an e-mail address or a name).
    pub by: Option<String>,
    /// When, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The Markdown body, without the blank lines around it.
    pub body: String,
    /// The line of the body's first line (0 when the memo was not read from a file).
    pub body_line: usize,
}

/// What a memo is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoAbout {
    /// The study as a whole.
    Study,
    /// A codebook entry (`theme:ID` in the file, whatever its kind).
    Theme(String),
    /// An interview.
    Interview(String),
    /// A concept of an interview's map, by its `^block` id.
    Concept {
        /// The interview's id.
        interview: String,
        /// The concept's block id.
        block: String,
    },
    /// A person.
    Person(String),
}

impl MemoAbout {
    /// Reads `study`, `theme:ID`, `interview:ID`, `concept:INTERVIEW#^BLOCK` or `person:ID`.
    pub fn parse(text: &str) -> Option<MemoAbout> {
        if text == "study" {
            return Some(MemoAbout::Study);
        }
        let (kind, target) = text.split_once(':')?;
        let target = target.trim();
        if target.is_empty() {
            return None;
        }
        match kind.trim() {
            "theme" => Some(MemoAbout::Theme(target.into())),
            "interview" => Some(MemoAbout::Interview(target.into())),
            "person" => Some(MemoAbout::Person(target.into())),
            "concept" => {
                let (interview, block) = target.split_once("#^")?;
                (!interview.is_empty() && !block.is_empty()).then(|| MemoAbout::Concept { interview: interview.into(), block: block.into() })
            }
            _ => None,
        }
    }

    /// As written in `about:`.
    pub fn as_text(&self) -> String {
        match self {
            MemoAbout::Study => "study".into(),
            MemoAbout::Theme(id) => format!("theme:{id}"),
            MemoAbout::Interview(id) => format!("interview:{id}"),
            MemoAbout::Concept { interview, block } => format!("concept:{interview}#^{block}"),
            MemoAbout::Person(id) => format!("person:{id}"),
        }
    }
}

impl Study {
    /// The person with `id`.
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    /// The project with `id`.
    pub fn project(&self, id: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }
}

/// A row of `people.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Unique id, used in interviews.
    pub id: String,
    /// Full name; never shown when the person is anonymous.
    pub name: String,
    /// Every column of the row, in header order, `id` and `name` included.
    pub values: Vec<String>,
    /// `attribution = anonymous`: neither name nor organisation may ever be shown.
    pub anonymous: bool,
}

impl Person {
    /// The columns that could name a person, withheld for an anonymous one
    /// on every surface (pages, exports, the API).
    pub const IDENTIFYING_COLUMNS: [&'static str; 2] = ["name", "organisation"];

    /// The value of `column` for this person (empty when the column is absent).
    pub fn column<'a>(&'a self, columns: &[String], column: &str) -> &'a str {
        columns.iter().position(|c| c == column).and_then(|i| self.values.get(i)).map_or("", String::as_str)
    }

    /// The value of `column` as it may leave the study folder: empty for an
    /// identifying column of an anonymous person. Every export and page that
    /// lists people's columns reads them through this.
    pub fn disclosed<'a>(&'a self, columns: &[String], column: &str) -> &'a str {
        if self.anonymous && Self::IDENTIFYING_COLUMNS.contains(&column) { "" } else { self.column(columns, column) }
    }
}

/// A row of `projects.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Unique id, used in interviews.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Every column of the row, in header order.
    pub values: Vec<String>,
}

/// One interview file: who attended, and the map, quotes, stories and pictures recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Interview {
    /// The id (front matter `id`, or the file name without `.md`).
    pub id: String,
    /// The file's path relative to the study folder.
    pub file: String,
    /// Attendees' person ids; more than one makes a group meeting.
    pub people: Vec<String>,
    /// The projects the interview is about.
    pub projects: Vec<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Whether the interviewee confirmed the map.
    pub checked_back: bool,
    /// When the interviewee confirmed the map (`checked_back_on`, format 1.1), `YYYY-MM-DD`.
    pub checked_back_on: Option<String>,
    /// The cognitive map's items in file order.
    pub map: Vec<MapNode>,
    /// Quotes in file order.
    pub quotes: Vec<Quote>,
    /// Stories in file order.
    pub stories: Vec<Story>,
    /// Rich pictures in file order.
    pub pictures: Vec<Picture>,
}

impl Interview {
    /// Gives back what its lists reserved while being read and never used: a
    /// list grown one push at a time holds room for four codes where a
    /// concept has one, and the map up to twice its nodes. Across a study of
    /// 100,000 people that room was about a tenth of its memory.
    pub(crate) fn shrink_to_fit(&mut self) {
        fn lists(codes: &mut Vec<String>, speakers: &mut Vec<String>) {
            codes.shrink_to_fit();
            speakers.shrink_to_fit();
        }
        self.people.shrink_to_fit();
        self.projects.shrink_to_fit();
        self.map.shrink_to_fit();
        for node in &mut self.map {
            if let MapNodeKind::Concept(concept) = &mut node.kind {
                lists(&mut concept.codes, &mut concept.speakers);
            }
        }
        self.quotes.shrink_to_fit();
        for quote in &mut self.quotes {
            lists(&mut quote.codes, &mut quote.speakers);
        }
        self.stories.shrink_to_fit();
        for story in &mut self.stories {
            lists(&mut story.codes, &mut story.speakers);
        }
        self.pictures.shrink_to_fit();
        for picture in &mut self.pictures {
            lists(&mut picture.codes, &mut picture.speakers);
        }
    }

    /// Whether more than one person attended.
    pub fn is_group(&self) -> bool {
        self.people.len() > 1
    }

    /// The concepts of the map, with their index in [`Interview::map`].
    pub fn concepts(&self) -> impl Iterator<Item = (usize, &Concept)> {
        self.map.iter().enumerate().filter_map(|(i, node)| match &node.kind {
            MapNodeKind::Concept(concept) => Some((i, concept)),
            MapNodeKind::CrossLink { .. } => None,
        })
    }

    /// The quotes, stories and pictures kept beside the map, in that order,
    /// each with its position among the items of its kind.
    pub fn items_beside_the_map(&self) -> impl Iterator<Item = (usize, Item<'_>)> {
        let quotes = self.quotes.iter().map(Quote::item).enumerate();
        let stories = self.stories.iter().map(Story::item).enumerate();
        let pictures = self.pictures.iter().map(Picture::item).enumerate();
        quotes.chain(stories).chain(pictures)
    }

    /// Every link of the map, from means to end.
    pub fn links(&self) -> impl Iterator<Item = Link> + '_ {
        self.map.iter().enumerate().filter_map(|(i, node)| {
            let end = node.parent?;
            let means = match &node.kind {
                MapNodeKind::Concept(_) => i,
                MapNodeKind::CrossLink { resolved, .. } => (*resolved)?,
            };
            Some(Link { means, end, negative: node.negative, cross: matches!(node.kind, MapNodeKind::CrossLink { .. }), line: node.line })
        })
    }

    /// Every countable item: concepts, quotes, stories and picture explanations.
    pub fn items(&self) -> impl Iterator<Item = Item<'_>> {
        let concepts = self.concepts().map(|(_, c)| c.item());
        let quotes = self.quotes.iter().map(Quote::item);
        let stories = self.stories.iter().map(Story::item);
        let pictures = self.pictures.iter().map(Picture::item);
        concepts.chain(quotes).chain(stories).chain(pictures)
    }
}

impl Concept {
    /// The concept's words as written: the pole, and `... contrast` when bipolar.
    pub fn text(&self) -> String {
        match &self.contrast {
            Some(contrast) => format!("{} ... {contrast}", self.pole),
            None => self.pole.clone(),
        }
    }

    /// The concept as a countable item; only the pole is searched for indicators.
    pub fn item(&self) -> Item<'_> {
        Item { kind: ItemKind::Concept, line: self.line, text: &self.pole, codes: &self.codes, speakers: &self.speakers, attribution: None }
    }
}

impl Quote {
    /// The quote as a countable item.
    pub fn item(&self) -> Item<'_> {
        Item {
            kind: ItemKind::Quote,
            line: self.line,
            text: &self.text,
            codes: &self.codes,
            speakers: &self.speakers,
            attribution: self.attribution.as_deref(),
        }
    }
}

impl Story {
    /// The story as a countable item; its body is searched, not its title.
    pub fn item(&self) -> Item<'_> {
        Item { kind: ItemKind::Story, line: self.line, text: &self.body, codes: &self.codes, speakers: &self.speakers, attribution: None }
    }
}

impl Picture {
    /// The picture's explanation as a countable item.
    pub fn item(&self) -> Item<'_> {
        Item { kind: ItemKind::Picture, line: self.line, text: &self.explanation, codes: &self.codes, speakers: &self.speakers, attribution: None }
    }
}

/// One entry of a map outline: a concept or a cross-link, at a depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapNode {
    /// The 1-based line of the list item.
    pub line: usize,
    /// Nesting depth: 0 for heads (purposes).
    pub depth: usize,
    /// The index in [`Interview::map`] of the end this item is a means to.
    pub parent: Option<usize>,
    /// `(-)`: the link to the parent works against it.
    pub negative: bool,
    /// A concept, or a cross-link to one.
    pub kind: MapNodeKind,
}

/// What a map entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapNodeKind {
    /// A concept.
    Concept(Concept),
    /// `[[#^block-id]]`: the concept with that block id is also a means to this entry's parent.
    CrossLink {
        /// The block id named.
        target: String,
        /// The index in [`Interview::map`] of the concept it names, when it exists.
        resolved: Option<usize>,
    },
}

/// A concept of a cognitive map.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Concept {
    /// The 1-based line of the list item.
    pub line: usize,
    /// The concept's text, without tags, speakers and block id.
    pub pole: String,
    /// The contrast pole ("... as opposed to"), if the concept is bipolar.
    pub contrast: Option<String>,
    /// Explicit codes: lowercase codebook ids, in order of first appearance.
    pub codes: Vec<String>,
    /// `@person` marks.
    pub speakers: Vec<String>,
    /// `^block-id`.
    pub block_id: Option<String>,
}

/// A link between two concepts of one map, from means to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Index in [`Interview::map`] of the means.
    pub means: usize,
    /// Index in [`Interview::map`] of the end.
    pub end: usize,
    /// The means works against the end.
    pub negative: bool,
    /// The link comes from a `[[#^id]]` cross-link.
    pub cross: bool,
    /// The line that made the link.
    pub line: usize,
}

/// A quote from the `# Quotes` section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Quote {
    /// The 1-based line the quote starts on.
    pub line: usize,
    /// The quoted words, lines joined by `\n`, without tags, speakers and attribution.
    pub text: String,
    /// Explicit codes.
    pub codes: Vec<String>,
    /// `@person` marks.
    pub speakers: Vec<String>,
    /// The person of the `— pid` line.
    pub attribution: Option<String>,
    /// `, anonymous` after the attribution.
    pub anonymous: bool,
}

impl Quote {
    /// Whether the quote must be kept apart from its interview: it was given
    /// anonymously (`— p06, anonymous`), and anything that shows the interview
    /// (its page, a source linked to its attendees' cases) names who attended,
    /// and so who said it. Every surface asks this one question.
    pub fn kept_apart_from_its_interview(&self) -> bool {
        self.anonymous
    }
}

/// A story from the `# Stories` section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Story {
    /// The line of its `##` heading.
    pub line: usize,
    /// The heading's text.
    pub title: String,
    /// The story's text, without tags and speakers.
    pub body: String,
    /// Explicit codes.
    pub codes: Vec<String>,
    /// `@person` marks.
    pub speakers: Vec<String>,
}

/// A rich picture from the `# Pictures` section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Picture {
    /// The line of the image.
    pub line: usize,
    /// The image's caption.
    pub caption: String,
    /// The image's path relative to the study folder, with `/` separators.
    pub path: String,
    /// The artist's explanation, without tags and speakers.
    pub explanation: String,
    /// Explicit codes.
    pub codes: Vec<String>,
    /// `@person` marks.
    pub speakers: Vec<String>,
    /// The interviewee asked that the picture not be published (its image
    /// titled `"not for publication"`): published reports leave it out.
    pub not_for_publication: bool,
}

/// What kind of item something counted is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// A concept of the map.
    Concept,
    /// A quote.
    Quote,
    /// A story.
    Story,
    /// A picture's explanation.
    Picture,
}

/// A countable item seen uniformly: its searchable text, codes and speakers.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    /// Which kind of item.
    pub kind: ItemKind,
    /// Its line.
    pub line: usize,
    /// The text searched for indicator phrases (the pole, quote, body or explanation).
    pub text: &'a str,
    /// Explicit codes.
    pub codes: &'a [String],
    /// `@person` marks.
    pub speakers: &'a [String],
    /// A quote's `— pid`.
    pub attribution: Option<&'a str>,
}
