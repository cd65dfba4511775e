//! The static report: an index page, a page per theme and a page per
//! interview, the model diagram as SVG and PNG, and a stylesheet. No page
//! fetches anything from the network.
//!
//! Anonymity is enforced here, at the one place where people become text:
//! [`PeopleView`] is the only way a page names a person.

use std::collections::HashMap;
use std::sync::OnceLock;

use askama::Template;
use collabmap_analysis::cooccurrence::{compare_groups, cooccurrence};
use collabmap_analysis::evidence::MentionAt;
use collabmap_analysis::structure::MapStructure;
use collabmap_analysis::{CrossTab, Glance, Grouping, Model, Synthesis};
use collabmap_study::{Interview, Study};

use crate::RenderError;
use crate::analyses;
use crate::interview_list::{InterviewIndex, ListQuery, SortKey, attended_words, shown_projects};
use crate::map_drawing::{MapMarks, map_svg_marked};
use crate::model_diagram::{Hrefs, model_svg};
use crate::png::svg_to_png;

/// The stylesheet of the report, which the workspace shares.
pub const STYLE: &str = include_str!("../templates/style.css");

/// The script that zooms and pans the drawings, which the workspace shares.
pub const DRAWING_JS: &str = include_str!("../templates/drawing.js");

/// The script that sorts and filters long tables, which the workspace shares.
pub const TABLES_JS: &str = include_str!("../templates/tables.js");

/// A file of the site: its path inside the output folder and its bytes.
#[derive(Debug, Clone)]
pub struct SiteFile {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// The whole site, ready to be written.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Generated files.
    pub files: Vec<SiteFile>,
    /// Study files to copy as they are (rich pictures), relative to the study and site folders alike.
    pub copies: Vec<String>,
}

/// What an anonymous person is called in every output (defined with the small-group rule).
pub use collabmap_analysis::ANONYMOUS_LABEL;

/// How people are named on pages: by name and organisation, unless anonymous.
pub struct PeopleView<'s> {
    study: &'s Study,
    /// Each person's position in `study.people` by id, when the caller keeps
    /// one: a report names people on every page, and a scan per name would
    /// make a large study's report quadratic.
    index: Option<&'s HashMap<String, u32>>,
}

impl<'s> PeopleView<'s> {
    /// A view over `study`'s people.
    pub fn new(study: &'s Study) -> Self {
        PeopleView { study, index: None }
    }

    /// A view over `study`'s people that finds them through `index` (from [`person_index`]).
    fn indexed(study: &'s Study, index: &'s HashMap<String, u32>) -> Self {
        PeopleView { study, index: Some(index) }
    }

    /// The label of `id`: "Name (role, organisation)", or the anonymous label.
    pub fn label(&self, id: &str) -> String {
        let person = match self.index {
            Some(index) => index.get(id).and_then(|&at| self.study.people.get(at as usize)),
            None => self.study.person(id),
        };
        match person {
            Some(person) if !person.anonymous => {
                let columns = &self.study.people_columns;
                let details: Vec<&str> = ["role", "organisation"].iter().map(|c| person.column(columns, c)).filter(|v| !v.is_empty()).collect();
                if details.is_empty() { person.name.clone() } else { format!("{} ({})", person.name, details.join(", ")) }
            }
            _ => ANONYMOUS_LABEL.to_string(),
        }
    }

    /// Whether a quote may appear beside its interview (on the interview's
    /// page, linked to it, in a source with its attendees). A quote marked
    /// `, anonymous` never does: the interview names who attended, and that
    /// would name its speaker. It is shown on its themes' pages only, cut
    /// loose from the interview.
    pub fn may_show_with_its_interview(quote: &collabmap_study::Quote) -> bool {
        !quote.kept_apart_from_its_interview()
    }

    /// Who a quote is attributed to on a page, honouring `, anonymous`.
    pub fn quote_by(&self, interview: &Interview, attribution: Option<&str>, anonymous_quote: bool) -> String {
        match attribution {
            Some(_) if anonymous_quote => format!("— {ANONYMOUS_LABEL}"),
            Some(person) => format!("— {}", self.label(person)),
            None if interview.people.len() == 1 && !anonymous_quote => format!("— {}", self.label(&interview.people[0])),
            None => "— from the meeting".to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    root: &'a str,
    workspace: bool,
    page_title: &'a str,
    study_title: &'a str,
    glance: Vec<(String, String)>,
    out_of: u32,
    group_agreement: bool,
    rows: Vec<RowView>,
    most_mentioned: Vec<(String, String, u32)>,
    core: Vec<(String, String, u32)>,
    model_summary: String,
    model_svg: String,
    /// The diagram in words: each theme's place (id, name, where, people), innermost first.
    model_places: Vec<(String, String, String, u32)>,
    /// And each kept link: (means id, means, end id, end, people).
    model_links: Vec<(String, String, String, String, u32)>,
    /// The first [`INTERVIEWS_PER_PAGE`] interviews.
    interviews: Vec<InterviewRow>,
    table: InterviewTable,
    interviews_total: usize,
    /// Where the full list starts, when the front page cannot hold it.
    interviews_more: Option<String>,
    /// The researchers' memos: in a published report all of them, only when
    /// `[report] memos = true`; in the workspace, those about the study.
    memos: Vec<MemoView>,
    /// What a memo added from this page is about (`study`).
    memo_about: &'static str,
}

/// A page of the full list of interviews.
#[derive(Template)]
#[template(path = "interviews.html")]
struct InterviewListPage<'a> {
    root: &'a str,
    workspace: bool,
    page_title: &'a str,
    study_title: &'a str,
    /// What the page lists, in words: "1 to 200 of 3,412, sorted by date, newest first."
    summary: String,
    interviews: Vec<InterviewRow>,
    table: InterviewTable,
    /// The workspace's filter, which applies to every interview (the report's script filters one page).
    filter: Option<ListFilter>,
    pager: Pager,
}

/// An interview table's headings and how it sorts.
struct InterviewTable {
    /// Sorted in the browser, one page at a time (the static report), rather than by links.
    sorts_in_page: bool,
    headings: Vec<SortHeading>,
}

/// One column's heading: in the workspace a link that sorts every interview by it.
struct SortHeading {
    label: &'static str,
    number: bool,
    href: Option<String>,
    /// `ascending` or `descending` on the column the list is sorted by.
    sorted: Option<&'static str>,
}

impl InterviewTable {
    /// The headings of a table whose list is ordered by `query`; in the
    /// workspace each links to the whole list sorted by its column.
    fn new(workspace: bool, query: &ListQuery) -> InterviewTable {
        let headings = SortKey::ALL[1..]
            .iter()
            .map(|&key| SortHeading {
                label: key.heading(),
                number: key.is_number(),
                href: workspace.then(|| list_href(1, &query.sorted_by(key))),
                sorted: (workspace && query.sort == key).then_some(if query.descending { "descending" } else { "ascending" }),
            })
            .collect();
        InterviewTable { sorts_in_page: !workspace, headings }
    }
}

/// The filter form above the workspace's list, filled in with the query shown.
struct ListFilter {
    words: String,
    checked: &'static str,
    sort: &'static str,
    order: &'static str,
    /// The whole list in the same order, when a filter narrows it.
    clear: Option<String>,
}

/// The address of page `n` of the interview list `query` asks for, relative to the study.
fn list_href(n: usize, query: &ListQuery) -> String {
    let path = interview_list_path(n);
    // The page is in the path; the query string carries only the rest.
    let rest = query.query_string(1);
    if rest.is_empty() { path } else { format!("{path}?{rest}") }
}

/// A memo as the report shows it.
struct MemoView {
    /// Its file's stem, for the workspace's editor (`memos/NAME.md`).
    name: String,
    about: String,
    /// Where what it is about is shown, relative to the site's root.
    link: Option<String>,
    by: String,
    date: String,
    body: String,
}

/// Whether memos appear on `study`'s pages: always in the workspace (its
/// members wrote them), in a published report only when `study.toml` asks.
fn memos_shown(study: &Study, options: ReportOptions) -> bool {
    options.workspace || study.config.report.memos
}

/// The memos of `study` that `keep` accepts, as pages show them.
fn memo_views(study: &Study, people: &PeopleView<'_>, keep: impl Fn(&collabmap_study::MemoAbout) -> bool) -> Vec<MemoView> {
    use collabmap_study::MemoAbout;
    study
        .memos
        .iter()
        .filter(|memo| keep(&memo.about))
        .map(|memo| {
            let (about, link) = match &memo.about {
                MemoAbout::Study => ("The study".to_string(), None),
                MemoAbout::Theme(id) => (study.codebook.get(id).map_or_else(|| id.clone(), |t| t.name.clone()), Some(format!("themes/{id}.html"))),
                MemoAbout::Interview(id) => (format!("Interview {id}"), Some(format!("interviews/{id}.html"))),
                MemoAbout::Concept { interview, block } => {
                    let line = study
                        .interviews
                        .iter()
                        .find(|i| &i.id == interview)
                        .and_then(|i| i.concepts().find(|(_, c)| c.block_id.as_deref() == Some(block.as_str())).map(|(_, c)| c.line));
                    (
                        format!("Interview {interview}, concept ^{block}"),
                        Some(format!("interviews/{interview}.html{}", line.map(|l| format!("#L{l}")).unwrap_or_default())),
                    )
                }
                MemoAbout::Person(id) => (people.label(id), None),
            };
            let name = memo.file.strip_prefix("memos/").and_then(|f| f.strip_suffix(".md")).unwrap_or(&memo.file).to_string();
            MemoView { name, about, link, by: memo.by.clone().unwrap_or_default(), date: memo.date.clone().unwrap_or_default(), body: memo.body.clone() }
        })
        .collect()
}

struct RowView {
    id: String,
    name: String,
    kind: &'static str,
    model: bool,
    people: u32,
    percent: f64,
    percent_text: String,
    projects: u32,
    inferred: u32,
}

struct InterviewRow {
    id: String,
    date: String,
    attended: String,
    projects: String,
    concepts: usize,
    checked_back: bool,
}

/// A breakdown of a theme by one column: its name, (group, mentioned,
/// interviewed, group's index: the name of its evidence page) lines, and the pooling note.
type Breakdown = (String, Vec<(String, u32, u32, usize)>, Option<String>);

/// The people.csv columns a theme page breaks its count down by; each cell of
/// those breakdowns opens an evidence page, `evidence/THEME/COLUMN/GROUP.html`
/// (GROUP: the group's index in [`collabmap_analysis::crosstab::Grouping`]).
pub const BREAKDOWN_COLUMNS: [&str; 2] = ["country", "organisation"];

#[derive(Template)]
#[template(path = "theme.html")]
struct ThemePage<'a> {
    root: &'a str,
    workspace: bool,
    page_title: &'a str,
    study_title: &'a str,
    id: &'a str,
    name: &'a str,
    kind: &'static str,
    parent: Option<(String, String)>,
    level: Option<String>,
    description: &'a str,
    queries: &'a [String],
    people: u32,
    out_of: u32,
    percent: String,
    projects: u32,
    inferred: u32,
    breakdowns: Vec<Breakdown>,
    links_in: Vec<(String, String, u32, bool)>,
    links_out: Vec<(String, String, u32, bool)>,
    /// Who mentioned the theme (the first [`WHO_ON_THEME_PAGE`]).
    who: Vec<WhoRow>,
    /// The first [`ITEMS_ON_THEME_PAGE`] quotes, stories and pictures coded with it.
    evidence: Vec<Evidence>,
    /// How many there are in all.
    evidence_total: usize,
    /// The memos about this theme (see [`memos_shown`]).
    memos: Vec<MemoView>,
    /// What a memo added from this page is about (`theme:ID`).
    memo_about: String,
}

struct Evidence {
    kind: &'static str,
    title: String,
    text: String,
    by: String,
    interview: String,
    inferred: bool,
}

#[derive(Template)]
#[template(path = "interview.html")]
struct InterviewPage<'a> {
    root: &'a str,
    workspace: bool,
    page_title: &'a str,
    study_title: &'a str,
    id: &'a str,
    kind: &'static str,
    date: String,
    checked_back: bool,
    attendees: Vec<String>,
    projects: String,
    map_svg: String,
    /// The map as a nested list, the drawing's text alternative.
    map_outline: String,
    structure: StructureView,
    quotes: Vec<TextView>,
    stories: Vec<TextView>,
    pictures: Vec<PictureView>,
    /// The memos about this interview and its concepts (see [`memos_shown`]).
    memos: Vec<MemoView>,
    /// What a memo added from this page is about (`interview:ID`).
    memo_about: String,
}

/// One map's analysis as the interview page shows it.
struct StructureView {
    summary: String,
    heads: Vec<(String, usize)>,
    options: Vec<(String, usize)>,
    loops: Vec<(&'static str, String)>,
    capped: Option<usize>,
}

impl StructureView {
    fn of(study: &Study, map: &MapStructure) -> (StructureView, MapMarks) {
        let text = |c: usize| analyses::concept_text(study, map, c);
        let f = &map.figures;
        let summary = format!(
            "{} concepts, {} links ({:.2} per concept, density {:.3}), {} heads, {} tails, {} isolated, {} clusters.",
            f.concepts,
            f.links,
            f.links_per_concept(),
            f.density(),
            f.heads,
            f.tails,
            f.isolated,
            f.clusters
        );
        let mut marks = MapMarks::default();
        for (c, measures) in map.concepts.iter().enumerate() {
            marks.roles.insert(map.network.nodes[c], measures.role.as_str());
        }
        for &(tail, heads) in &map.potent {
            if heads > 0 {
                marks.options.insert(map.network.nodes[tail]);
            }
        }
        for cycle in &map.loops {
            marks.in_loop.extend(cycle.concepts.iter().map(|&c| map.network.nodes[c]));
        }
        let view = StructureView {
            summary,
            heads: map.heads.iter().map(|h| (text(h.concept), h.hieset.len())).collect(),
            options: map.potent.iter().filter(|(_, n)| *n > 0).map(|&(t, n)| (text(t), n)).collect(),
            loops: map.loops.iter().map(|l| (l.polarity.as_str(), l.concepts.iter().map(|&c| text(c)).collect::<Vec<_>>().join(" → "))).collect(),
            capped: map.loops_capped.then_some(map.loops.len()),
        };
        (view, marks)
    }
}

struct TextView {
    /// The item's line in its file, the page's anchor for it (`#L12`).
    line: usize,
    title: String,
    text: String,
    by: String,
    codes: Vec<String>,
}

struct PictureView {
    line: usize,
    path: String,
    title: String,
    text: String,
    /// The interviewee asked that it not be published.
    not_for_publication: bool,
    /// Whether the image is on the page: always in the workspace, in a
    /// published report only when its artist allowed it.
    shown: bool,
}

fn level_words(level: Option<u32>) -> String {
    match level {
        Some(0) => "the attractor, at the centre of the model".into(),
        Some(1) => "in the model's inner ring (level 1)".into(),
        Some(l) => format!("in the model's outer ring (level {l})"),
        None => "not placed in the model".into(),
    }
}

/// How a report is built.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    /// Pages served by the web workspace: they gain its navigation (editors,
    /// members, export) beside the report's own, with links relative to the study.
    pub workspace: bool,
    /// Whether to render the model diagram as PNG too (the slowest page part).
    pub png: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions { workspace: false, png: true }
    }
}

/// A study and its analysis: what a report's pages are made from.
#[derive(Clone, Copy)]
pub struct Analysed<'a> {
    /// The study.
    pub study: &'a Study,
    /// Its mentions and theme links.
    pub synthesis: &'a Synthesis,
    /// Its model.
    pub model: &'a Model,
}

/// Builds the report of `study`.
pub fn build_report(study: &Study, synthesis: &Synthesis, model: &Model) -> Result<Site, RenderError> {
    build_report_with(study, synthesis, model, ReportOptions::default())
}

/// Builds the whole report of `study` with `options` in memory. Large
/// reports are better rendered page by page through [`ReportPages`], which
/// is what this does, holding every page at once.
pub fn build_report_with(study: &Study, synthesis: &Synthesis, model: &Model, options: ReportOptions) -> Result<Site, RenderError> {
    let source = Analysed { study, synthesis, model };
    let pages = ReportPages::new(source, options);
    let files = pages.paths(source).into_iter().map(|path| pages.render(source, &path).map(|bytes| SiteFile { path, bytes })).collect::<Result<_, _>>()?;
    Ok(Site { files, copies: pages.pictures().to_vec() })
}

/// People an evidence page lists before the next page takes over.
pub const EVIDENCE_PEOPLE_PER_PAGE: usize = 200;

/// Interviews the front page lists; past this, the list continues on
/// `interviews.html`, `interviews-2.html`, … of as many rows each.
pub const INTERVIEWS_PER_PAGE: usize = 200;

/// Quotes, stories and pictures a theme page shows; its evidence pages have every one.
pub const ITEMS_ON_THEME_PAGE: usize = 50;

/// One page of a report, by what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    ModelSvg,
    ModelPng,
    Asset(&'static str),
    Index,
    /// The full list of interviews, page `n` (from 1).
    InterviewList(usize),
    Theme(usize),
    /// A theme's or a cell's evidence list, by its position in `ReportPages::lists`, and page (from 1).
    Evidence(usize, usize),
    /// A kept link's evidence, by its position in the model's links, and page (from 1).
    LinkEvidence(usize, usize),
    Analysis,
    Interview(usize),
}

/// What an evidence list is about, for its heading and summary.
#[derive(Debug, Clone, Copy)]
enum ListOf {
    /// Everyone counted for a theme.
    Theme(usize),
    /// The people one cell of a theme's breakdown counts: (theme, breakdown, group).
    Cell(usize, usize, usize),
    /// The chains behind a kept link, by its position in the model's links.
    Link(usize),
}

/// The mentions an evidence list shows, split into pages at person boundaries.
struct EvidenceList {
    of: ListOf,
    /// The folder-less path of its first page without `.html`; later pages are `BASE/page-N.html`.
    base: String,
    /// Only the mentions of people in this group of a breakdown: (breakdown, group).
    group: Option<(usize, usize)>,
    /// Where each page starts among the list's underlying mentions (the
    /// theme's, or the link's chains), and where the last ends: a cell's pages
    /// are its theme's mentions filtered when shown, so no list is copied.
    starts: Vec<u32>,
    end: u32,
}

impl EvidenceList {
    /// The list over `len` underlying mentions, of which `keep` takes those it shows, split at every 200th person.
    fn new(of: ListOf, base: String, group: Option<(usize, usize)>, len: usize, keep: impl Fn(u32) -> bool, person_of: impl Fn(u32) -> u32) -> Self {
        let mut starts = vec![0];
        let mut people = 0;
        let mut last = None;
        for at in (0..len as u32).filter(|&at| keep(at)) {
            let person = person_of(at);
            if last.is_some_and(|p| p != person) {
                people += 1;
                if people % EVIDENCE_PEOPLE_PER_PAGE == 0 {
                    starts.push(at);
                }
            }
            last = Some(person);
        }
        EvidenceList { of, base, group, starts, end: len as u32 }
    }

    fn pages(&self) -> usize {
        self.starts.len()
    }

    /// The path of page `n` (from 1).
    fn path(&self, n: usize) -> String {
        if n <= 1 { format!("{}.html", self.base) } else { format!("{}/page-{n}.html", self.base) }
    }

    /// The underlying mentions page `n` (from 1) spans, before any group's filter.
    fn span(&self, n: usize) -> std::ops::Range<u32> {
        let start = self.starts.get(n.saturating_sub(1)).copied().unwrap_or(self.end);
        let end = self.starts.get(n).copied().unwrap_or(self.end);
        start..end
    }
}

/// A report's pages, rendered one at a time on demand.
///
/// Everything several pages share (breakdowns, every theme's mentions sorted
/// for its evidence pages, the kept links' chains) is derived once by
/// [`ReportPages::new`]; a page is then a template filled from it. Rendering
/// every path gives the same bytes as [`build_report_with`], so the workspace
/// can serve a page without building the site, and `collabmap report` can
/// write pages in parallel without holding them. The `Analysed` handed to
/// [`ReportPages::render`] must be the one the pages were made from.
pub struct ReportPages {
    options: ReportOptions,
    title: String,
    breakdowns: Vec<CrossTab>,
    groupings: Vec<Grouping>,
    labels: EvidenceLabels,
    /// Every codebook entry's mentions, sorted by person, interview and line
    /// (without their words, read when a page shows them: at 100,000 people
    /// the words would double the memory a report needs).
    mentions: Vec<Vec<MentionAt>>,
    /// The quotes given anonymously per entry, in interview order: shown apart on its evidence page.
    apart: Vec<Vec<String>>,
    /// Every kept link's evidence list (its path without `.html`, when both
    /// themes are in the codebook), and its chains sorted like `mentions` with
    /// their pages, found on first use: each link is a walk of every map, so
    /// the workspace's first page does not wait for them.
    links: Vec<Option<(String, OnceLock<LinkEvidence>)>>,
    /// The quotes, stories and pictures coded with each entry.
    items: Vec<Vec<collabmap_analysis::evidence::CodedItem>>,
    lists: Vec<EvidenceList>,
    /// Each theme's list in `lists`.
    theme_list: Vec<usize>,
    paths: Vec<(String, Page)>,
    by_path: HashMap<String, usize>,
    pictures: Vec<String>,
    /// People and projects by id (see [`PeopleView::indexed`]).
    people: HashMap<String, u32>,
    projects: HashMap<String, String>,
    /// The interviews' orders and filter text, for the workspace's list.
    interview_index: InterviewIndex,
}

impl ReportPages {
    /// Derives what the pages of `source`'s report share, and where each page is.
    pub fn new(source: Analysed<'_>, options: ReportOptions) -> ReportPages {
        use collabmap_analysis::evidence::{all_mentions_at, coded_items};
        let Analysed { study, synthesis, model } = source;
        let codebook = &study.codebook;
        let person_at = person_index(study);
        let people = PeopleView::indexed(study, &person_at);
        let breakdowns: Vec<CrossTab> = BREAKDOWN_COLUMNS.iter().filter_map(|column| CrossTab::new(study, synthesis, column).ok()).collect();
        let groupings: Vec<Grouping> = BREAKDOWN_COLUMNS.iter().filter_map(|column| Grouping::of(study, synthesis, column).ok()).collect();
        let by_person = |m: &MentionAt| (m.person, m.interview, m.line);
        let mut mentions = all_mentions_at(study, &synthesis.coding);
        let apart: Vec<Vec<String>> = mentions
            .iter()
            .map(|list| {
                let mut texts: Vec<String> = list.iter().filter(|m| m.kept_apart).map(|m| m.words(study)).collect();
                texts.dedup();
                texts
            })
            .collect();
        for list in &mut mentions {
            list.retain(|m| !m.kept_apart);
            list.sort_by_key(by_person);
        }
        let mut lists = Vec::new();
        let mut theme_list = Vec::new();
        for (t, theme) in codebook.themes().iter().enumerate() {
            theme_list.push(lists.len());
            let person_of = |m: u32| mentions[t][m as usize].person;
            lists.push(EvidenceList::new(ListOf::Theme(t), format!("evidence/{}", theme.id), None, mentions[t].len(), |_| true, person_of));
        }
        // Every cell of a theme's breakdowns opens to the mentions of the people it counts. Quotes given
        // anonymously stay on the theme's own evidence page: on a group's page they would be tied to the group.
        for (t, theme) in codebook.themes().iter().enumerate() {
            for (b, (grouping, tab)) in groupings.iter().zip(&breakdowns).enumerate() {
                let counts = tab.row(&theme.id);
                for g in 0..grouping.groups.len() {
                    if counts.get(g).copied().unwrap_or(0) == 0 {
                        continue;
                    }
                    let person_of = |m: u32| mentions[t][m as usize].person;
                    let keep = |m: u32| grouping.holds(g, person_of(m) as usize);
                    let base = format!("evidence/{}/{}/{g}", theme.id, grouping.column);
                    lists.push(EvidenceList::new(ListOf::Cell(t, b, g), base, Some((b, g)), mentions[t].len(), keep, person_of));
                }
            }
        }
        let links: Vec<Option<(String, OnceLock<LinkEvidence>)>> = model
            .links
            .iter()
            .map(|link| {
                let known = codebook.index_of(&link.from).is_some() && codebook.index_of(&link.to).is_some();
                known.then(|| (format!("evidence/{}--{}", link.from, link.to), OnceLock::new()))
            })
            .collect();

        let mut paths: Vec<(String, Page)> = vec![("model.svg".into(), Page::ModelSvg)];
        if options.png {
            paths.push(("model.png".into(), Page::ModelPng));
        }
        for asset in ["assets/style.css", "assets/drawing.js", "assets/tables.js"] {
            paths.push((asset.into(), Page::Asset(asset)));
        }
        paths.push(("index.html".into(), Page::Index));
        // The workspace always has the list: its headings sort every interview there.
        let interview_pages = study.interviews.len().div_ceil(INTERVIEWS_PER_PAGE).max(usize::from(options.workspace));
        if interview_pages > 1 || options.workspace {
            paths.extend((1..=interview_pages).map(|n| (interview_list_path(n), Page::InterviewList(n))));
        }
        paths.extend(codebook.themes().iter().enumerate().map(|(t, theme)| (format!("themes/{}.html", theme.id), Page::Theme(t))));
        for (l, list) in lists.iter().enumerate() {
            paths.extend((1..=list.pages()).map(|n| (list.path(n), Page::Evidence(l, n))));
        }
        // A link's first page always exists; how many more it has is known once its chains are.
        for (k, link) in links.iter().enumerate() {
            if let Some((base, _)) = link {
                paths.push((format!("{base}.html"), Page::LinkEvidence(k, 1)));
            }
        }
        paths.push(("analysis.html".into(), Page::Analysis));
        paths.extend(study.interviews.iter().enumerate().map(|(n, interview)| (format!("interviews/{}.html", interview.id), Page::Interview(n))));
        let by_path = paths.iter().enumerate().map(|(at, (path, _))| (path.clone(), at)).collect();

        // A picture its artist keeps out of publication is neither shown nor copied into a published report.
        let mut pictures: Vec<String> =
            study.interviews.iter().flat_map(|iv| &iv.pictures).filter(|p| options.workspace || !p.not_for_publication).map(|p| p.path.clone()).collect();
        pictures.sort();
        pictures.dedup();

        ReportPages {
            options,
            title: if study.config.title.is_empty() { "Study".to_string() } else { study.config.title.clone() },
            breakdowns,
            groupings,
            labels: EvidenceLabels::new(study, &people),
            mentions,
            apart,
            links,
            items: coded_items(study, &synthesis.coding),
            lists,
            theme_list,
            paths,
            by_path,
            pictures,
            people: person_at,
            projects: project_names_by_id(study),
            interview_index: InterviewIndex::default(),
        }
    }

    /// The mentions page `n` (from 1) of `list` shows: a span of its theme's, filtered to its group if it has one.
    fn picked(&self, list: &EvidenceList, n: usize) -> Vec<u32> {
        let (ListOf::Theme(t) | ListOf::Cell(t, ..)) = list.of else { return Vec::new() };
        match list.group {
            Some((b, g)) => list.span(n).filter(|&m| self.groupings[b].holds(g, self.mentions[t][m as usize].person as usize)).collect(),
            None => list.span(n).collect(),
        }
    }

    /// Every page's path, relative to the site's root, in a stable order
    /// (finding every kept link's chains, to know how many pages each has).
    pub fn paths(&self, source: Analysed<'_>) -> Vec<String> {
        let mut paths: Vec<String> = self.paths.iter().map(|(path, _)| path.clone()).collect();
        for k in 0..self.links.len() {
            if let Some(evidence) = self.link(source, k) {
                paths.extend((2..=evidence.list.pages()).map(|n| evidence.list.path(n)));
            }
        }
        paths
    }

    /// The evidence of kept link `k`, found on first use; `None` when a theme of it is not in the codebook.
    fn link(&self, source: Analysed<'_>, k: usize) -> Option<&LinkEvidence> {
        let (base, found) = self.links.get(k)?.as_ref()?;
        Some(found.get_or_init(|| LinkEvidence::of(source, k, base.clone())))
    }

    /// Page `n` ≥ 2 of a kept link's evidence, from its path (`evidence/FROM--TO/page-N.html`).
    fn link_page(&self, source: Analysed<'_>, path: &str) -> Option<Page> {
        let (base, n) = path.strip_suffix(".html")?.rsplit_once("/page-")?;
        let n: usize = n.parse().ok().filter(|&n| n >= 2)?;
        let k = self.links.iter().position(|link| link.as_ref().is_some_and(|(b, _)| b == base))?;
        (n <= self.link(source, k)?.list.pages()).then_some(Page::LinkEvidence(k, n))
    }

    /// The study's pictures the report shows, to copy beside its pages.
    pub fn pictures(&self) -> &[String] {
        &self.pictures
    }

    /// The page at `path`, rendered; `None` when the report has no such page.
    pub fn page(&self, source: Analysed<'_>, path: &str) -> Option<Result<Vec<u8>, RenderError>> {
        let page = match self.by_path.get(path) {
            Some(&at) => self.paths[at].1,
            None => self.link_page(source, path)?,
        };
        Some(self.render_page(source, page))
    }

    /// Page `n` (from 1) of the list of interviews `query` asks for, sorted
    /// and filtered across every interview; `None` past its last page. With
    /// the default query it is the page at [`interview_list_path`]`(n)`.
    pub fn interview_list(&self, source: Analysed<'_>, query: &ListQuery, n: usize) -> Result<Option<Vec<u8>>, RenderError> {
        let cx = Report { source, pages: self, people: PeopleView::indexed(source.study, &self.people) };
        interview_list_page(&cx, query, n).map(|page| render(&page).map(String::into_bytes)).transpose()
    }

    /// The positions in `source.study.interviews` of the interviews `query` keeps, in its order.
    pub fn listed_interviews(&self, source: Analysed<'_>, query: &ListQuery) -> std::borrow::Cow<'_, [u32]> {
        self.interview_index.select(&source.study.interviews, &self.projects, query)
    }

    /// The projects' names of `interview`, as the lists show them.
    pub fn interview_projects(&self, interview: &Interview) -> String {
        shown_projects(&self.projects, &interview.projects)
    }

    /// The page at `path`, rendered; an error when there is no such page.
    pub fn render(&self, source: Analysed<'_>, path: &str) -> Result<Vec<u8>, RenderError> {
        self.page(source, path).unwrap_or_else(|| Err(RenderError::NoSuchPage(path.to_string())))
    }

    fn render_page(&self, source: Analysed<'_>, page: Page) -> Result<Vec<u8>, RenderError> {
        let cx = Report { source, pages: self, people: PeopleView::indexed(source.study, &self.people) };
        let name_of = |id: &str| source.study.codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
        Ok(match page {
            Page::ModelSvg => model_svg(source.model, &name_of, &Hrefs::NONE).into_bytes(),
            Page::ModelPng => svg_to_png(&model_svg(source.model, &name_of, &Hrefs::NONE), 1.5)?,
            Page::Asset(path) => match path {
                "assets/style.css" => STYLE,
                "assets/drawing.js" => DRAWING_JS,
                _ => TABLES_JS,
            }
            .as_bytes()
            .to_vec(),
            Page::Index => render(&index_page(&cx))?.into_bytes(),
            Page::InterviewList(n) => {
                let page = interview_list_page(&cx, &ListQuery::default(), n).ok_or_else(|| RenderError::NoSuchPage(interview_list_path(n)))?;
                render(&page)?.into_bytes()
            }
            Page::Theme(t) => render(&theme_page(&cx, t))?.into_bytes(),
            Page::Evidence(l, n) => render(&evidence_page(&cx, &self.lists[l], None, n))?.into_bytes(),
            Page::LinkEvidence(k, n) => {
                let evidence = self.link(source, k).ok_or_else(|| RenderError::NoSuchPage(format!("the evidence of link {k}")))?;
                render(&evidence_page(&cx, &evidence.list, Some(&evidence.chains), n))?.into_bytes()
            }
            Page::Analysis => render(&analysis_page(source.study, source.synthesis, source.model, &self.title, self.options.workspace))?.into_bytes(),
            Page::Interview(n) => render(&interview_page(&cx, n))?.into_bytes(),
        })
    }
}

/// Each person's position in `study.people`, by id.
fn person_index(study: &Study) -> HashMap<String, u32> {
    study.people.iter().enumerate().map(|(at, person)| (person.id.clone(), at as u32)).collect()
}

/// Each project's name, by id.
fn project_names_by_id(study: &Study) -> HashMap<String, String> {
    study.projects.iter().map(|project| (project.id.clone(), project.name.clone())).collect()
}

/// The path of page `n` (from 1) of the full list of interviews.
pub fn interview_list_path(n: usize) -> String {
    if n <= 1 { "interviews.html".to_string() } else { format!("interviews-{n}.html") }
}

/// Which page of the list of interviews `path` is, if it is one: the
/// inverse of [`interview_list_path`] (`interviews-1.html` and
/// `interviews-02.html` are no page's path).
pub fn interview_list_page_of(path: &str) -> Option<usize> {
    if path == "interviews.html" {
        return Some(1);
    }
    let digits = path.strip_prefix("interviews-")?.strip_suffix(".html")?;
    let n: usize = digits.parse().ok()?;
    (n > 1 && n.to_string() == digits).then_some(n)
}

/// What every page of one report reads.
struct Report<'a> {
    source: Analysed<'a>,
    pages: &'a ReportPages,
    people: PeopleView<'a>,
}

impl Report<'_> {
    /// The lines of theme `t`'s mentions that `order` picks, their words read now.
    fn mention_lines<'o>(&'o self, t: usize, order: &'o [u32]) -> impl Iterator<Item = (u32, u32, EvidenceLine)> + 'o {
        let (study, coding) = (self.source.study, &self.source.synthesis.coding);
        order.iter().filter_map(move |&m| self.pages.mentions[t].get(m as usize)).map(move |m| {
            let line = EvidenceLine {
                line: m.line as usize,
                kind: crate::evidence::kind_name(m.kind),
                how: credit_words(m.how, m.indicator.and_then(|p| coding.phrase(p))),
                text: m.words(study),
            };
            (m.person, m.interview, line)
        })
    }

    fn title(&self) -> &str {
        &self.pages.title
    }

    fn workspace(&self) -> bool {
        self.pages.options.workspace
    }
}

/// Each report page's section of the navigation (`nav.rs`), which its header marks as current.
macro_rules! sections {
    ($($page:ident => $section:literal),* $(,)?) => {
        $(impl $page<'_> {
            fn section(&self) -> &'static str {
                $section
            }
        })*
    };
}

sections!(
    IndexPage => "overview",
    InterviewListPage => "interviews",
    ThemePage => "themes",
    InterviewPage => "interviews",
    EvidencePage => "evidence",
    AnalysisPage => "analysis"
);

/// Renders a page of the report.
fn render(page: &dyn DynTemplate) -> Result<String, RenderError> {
    page.render_page().map_err(RenderError::template("a report page"))
}

/// Links to a list's other pages.
struct Pager {
    /// This page (from 1) and how many there are.
    current: usize,
    total: usize,
    first: String,
    previous: Option<String>,
    next: Option<String>,
    last: String,
}

impl Pager {
    /// The pager of page `current` of `total`, whose page `n` is at `href(n)`.
    fn new(current: usize, total: usize, href: impl Fn(usize) -> String) -> Pager {
        Pager {
            current,
            total,
            first: href(1),
            previous: (current > 1).then(|| href(current - 1)),
            next: (current < total).then(|| href(current + 1)),
            last: href(total),
        }
    }
}

/// A row of the interviews list.
fn interview_row(projects: &HashMap<String, String>, iv: &Interview) -> InterviewRow {
    InterviewRow {
        id: iv.id.clone(),
        date: iv.date.clone().unwrap_or_default(),
        attended: attended_words(iv),
        projects: shown_projects(projects, &iv.projects),
        concepts: iv.concepts().count(),
        checked_back: iv.checked_back,
    }
}

/// The front page: the study at a glance, the mention table, the model and the interviews.
fn index_page<'a>(cx: &'a Report<'a>) -> IndexPage<'a> {
    let Analysed { study, synthesis, model } = cx.source;
    let codebook = &study.codebook;
    let name_of = |id: &str| codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
    let hrefs = Hrefs { theme: &|id| Some(format!("themes/{id}.html")), link: &|from, to| Some(format!("evidence/{from}--{to}.html")) };
    let figures = Glance::of(study, synthesis);
    let glance = vec![
        (figures.people.to_string(), "people interviewed".to_string()),
        (figures.organisations.to_string(), "organisations".to_string()),
        (figures.projects.to_string(), "projects".to_string()),
        (figures.countries.to_string(), "countries".to_string()),
        (figures.interviews.to_string(), "interviews".to_string()),
        (figures.group_meetings.to_string(), "group meetings".to_string()),
        (format!("{}%", figures.checked_back_percent), "maps checked back".to_string()),
    ];
    let rows: Vec<RowView> = synthesis.table.rows.iter().map(|row| row_view(codebook, row)).collect();
    let most_mentioned = synthesis.table.shown(false).take(4).map(|r| (r.theme.clone(), r.name.clone(), r.people)).collect();
    let core = model
        .themes
        .iter()
        .filter(|t| matches!(t.level, Some(0 | 1)))
        .map(|t| (t.id.clone(), format!("{}{}", name_of(&t.id), if t.level == Some(0) { ", the attractor" } else { "" }), t.people))
        .collect();
    let model_summary = match &model.attractor {
        Some(a) => format!(
            "{} sits at the centre: the other themes serve it through {} links kept with at least {} supporters each.",
            name_of(a),
            model.links.len(),
            model.min_support
        ),
        None => "The codebook has no model themes, so there is no model to draw.".to_string(),
    };
    let interviews = study.interviews.iter().take(INTERVIEWS_PER_PAGE).map(|iv| interview_row(&cx.pages.projects, iv)).collect();
    let memos = if cx.workspace() {
        memo_views(study, &cx.people, |about| *about == collabmap_study::MemoAbout::Study)
    } else if study.config.report.memos {
        memo_views(study, &cx.people, |_| true)
    } else {
        Vec::new()
    };
    IndexPage {
        root: "",
        workspace: cx.workspace(),
        page_title: "Report",
        study_title: cx.title(),
        glance,
        out_of: synthesis.table.out_of,
        group_agreement: study.config.counting.group_agreement,
        rows,
        most_mentioned,
        core,
        model_summary,
        model_svg: model_svg(model, &name_of, &hrefs),
        model_places: {
            let mut places: Vec<_> =
                model.themes.iter().map(|t| (t.level.unwrap_or(u32::MAX), t.id.clone(), name_of(&t.id), level_words(t.level), t.people)).collect();
            places.sort_by(|a, b| a.0.cmp(&b.0).then(b.4.cmp(&a.4)));
            places.into_iter().map(|(_, id, name, place, people)| (id, name, place, people)).collect()
        },
        model_links: model.links.iter().map(|l| (l.from.clone(), name_of(&l.from), l.to.clone(), name_of(&l.to), l.people)).collect(),
        interviews,
        table: InterviewTable::new(cx.workspace(), &ListQuery::default()),
        interviews_total: study.interviews.len(),
        interviews_more: (cx.workspace() || study.interviews.len() > INTERVIEWS_PER_PAGE).then(|| interview_list_path(1)),
        memos,
        memo_about: "study",
    }
}

/// Page `n` of the list of interviews `query` asks for, or `None` past its
/// last page (an empty list still has its first, which says so).
fn interview_list_page<'a>(cx: &'a Report<'a>, query: &ListQuery, n: usize) -> Option<InterviewListPage<'a>> {
    let study = cx.source.study;
    let listed = cx.pages.listed_interviews(cx.source, query);
    let pages = listed.len().div_ceil(INTERVIEWS_PER_PAGE).max(1);
    if n == 0 || n > pages {
        return None;
    }
    let first = (n - 1) * INTERVIEWS_PER_PAGE;
    let interviews: Vec<_> =
        listed.iter().skip(first).take(INTERVIEWS_PER_PAGE).map(|&at| interview_row(&cx.pages.projects, &study.interviews[at as usize])).collect();
    let summary = if !cx.workspace() {
        format!("{} to {} of {}, in the study's order. Sorting and filtering here apply to this page only.", first + 1, first + interviews.len(), listed.len())
    } else {
        // "1 to 200 of 412 interviews with “words”, not yet checked back (of 100000 in all), sorted by date, newest first."
        let count = match listed.len() {
            0 => "No interview".to_string(),
            total if pages > 1 => format!("{} to {} of {total} interviews", first + 1, first + interviews.len()),
            total => crate::evidence::counted(total as u32, "interview", "interviews"),
        };
        let mut narrowed = Vec::new();
        if !query.words.is_empty() {
            narrowed.push(format!(" with “{}”", query.words));
        }
        match query.checked_back {
            Some(true) => narrowed.push(" checked back".to_string()),
            Some(false) => narrowed.push(" not yet checked back".to_string()),
            None => {}
        }
        let of_all = if query.filters() { format!(" (of {} in all)", study.interviews.len()) } else { String::new() };
        format!("{count}{}{of_all}, {}.", narrowed.join(","), query.sort.order_words(query.descending))
    };
    let filter = cx.workspace().then(|| ListFilter {
        words: query.words.clone(),
        checked: query.checked_name(),
        sort: query.sort.name(),
        order: query.order_name(),
        clear: query.filters().then(|| list_href(1, &ListQuery { words: String::new(), checked_back: None, ..query.clone() })),
    });
    Some(InterviewListPage {
        root: "",
        workspace: cx.workspace(),
        page_title: "Interviews",
        study_title: cx.title(),
        summary,
        interviews,
        table: InterviewTable::new(cx.workspace(), query),
        filter,
        pager: Pager::new(n, pages, |n| list_href(n, query)),
    })
}

/// A row of the mention table as the front page shows it, with what kind of code it counts.
fn row_view(codebook: &collabmap_study::Codebook, row: &collabmap_analysis::MentionRow) -> RowView {
    let kind = codebook.get(&row.theme).map_or("theme", |t| {
        if t.model {
            "theme"
        } else if t.kind.as_str() == "theme" {
            "not in model"
        } else {
            t.kind.as_str()
        }
    });
    RowView {
        id: row.theme.clone(),
        name: row.name.clone(),
        kind,
        model: row.model,
        people: row.people,
        percent: row.percent,
        percent_text: format!("{:.1}", row.percent),
        projects: row.projects,
        inferred: row.inferred,
    }
}

/// A quote, story or picture coded with a theme, as its theme page shows it.
fn coded_item_view(study: &Study, people: &PeopleView<'_>, item: &collabmap_analysis::evidence::CodedItem) -> Evidence {
    let interview = &study.interviews[item.interview];
    // `linked`: whether the evidence may point at its interview (an anonymous quote may not).
    let (title, text, by, linked) = match item.kind {
        collabmap_study::ItemKind::Quote => {
            let quote = &interview.quotes[item.position];
            let by = people.quote_by(interview, quote.attribution.as_deref(), quote.anonymous);
            (String::new(), quote.text.clone(), by, PeopleView::may_show_with_its_interview(quote))
        }
        collabmap_study::ItemKind::Story => {
            let story = &interview.stories[item.position];
            (story.title.clone(), story.body.clone(), "Story".to_string(), true)
        }
        _ => {
            let picture = &interview.pictures[item.position];
            (picture.caption.clone(), picture.explanation.clone(), "Rich picture".to_string(), true)
        }
    };
    let kind = match item.kind {
        collabmap_study::ItemKind::Quote => "quote",
        collabmap_study::ItemKind::Story => "story",
        _ => "picture",
    };
    Evidence { kind, title, text, by, interview: if linked { interview.id.clone() } else { String::new() }, inferred: item.inferred }
}

/// A person who mentioned a theme, as its page lists them.
struct WhoRow {
    /// As the evidence pages name them (anonymous people are never named).
    person: String,
    /// Each interview where they did, with the line of the first mention there.
    interviews: Vec<(String, usize)>,
    mentions: usize,
}

/// How many people a theme page lists by name before pointing to its evidence page.
const WHO_ON_THEME_PAGE: usize = 50;

/// A theme's page: its count, breakdowns, links, who mentioned it, and the quotes, stories and pictures coded with it.
fn theme_page<'a>(cx: &'a Report<'a>, t: usize) -> ThemePage<'a> {
    let Analysed { study, synthesis, model } = cx.source;
    let codebook = &study.codebook;
    let theme = &codebook.themes()[t];
    let row = synthesis.table.row(&theme.id);
    let breakdowns: Vec<Breakdown> = cx
        .pages
        .breakdowns
        .iter()
        .map(|tab| {
            let mut lines: Vec<(String, u32, u32, usize)> =
                tab.values.iter().cloned().zip(tab.row(&theme.id)).zip(&tab.totals).enumerate().map(|(g, ((v, c), total))| (v, c, *total, g)).collect();
            if tab.column == "organisation" {
                lines.retain(|line| line.1 > 0);
                lines.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            }
            (tab.column.clone(), lines, tab.note.clone())
        })
        .collect();
    let link_list = |incoming: bool| {
        synthesis
            .links
            .iter()
            .filter(|l| if incoming { l.to == t } else { l.from == t })
            .map(|l| {
                let other = if incoming { l.from } else { l.to };
                let other_theme = &codebook.themes()[other];
                (other_theme.id.clone(), other_theme.name.clone(), l.weight(), l.weight() >= model.min_support)
            })
            .collect::<Vec<_>>()
    };
    let parent = codebook.parent_of(t).map(|p| (codebook.themes()[p].id.clone(), codebook.themes()[p].name.clone()));
    let items = &cx.pages.items[t];
    ThemePage {
        root: "../",
        workspace: cx.workspace(),
        page_title: &theme.name,
        study_title: cx.title(),
        id: &theme.id,
        name: &theme.name,
        kind: theme.kind.as_str(),
        parent,
        level: theme.model.then(|| level_words(model.level_of(&theme.id))),
        description: &theme.description,
        queries: &theme.queries,
        people: row.map_or(0, |r| r.people),
        out_of: synthesis.table.out_of,
        percent: format!("{:.1}", row.map_or(0.0, |r| r.percent)),
        projects: row.map_or(0, |r| r.projects),
        inferred: row.map_or(0, |r| r.inferred),
        breakdowns,
        links_in: link_list(true),
        links_out: link_list(false),
        who: evidence_groups(study, &cx.pages.labels, cx.mention_lines(t, &cx.pages.picked(&cx.pages.lists[cx.pages.theme_list[t]], 1)))
            .into_iter()
            .take(WHO_ON_THEME_PAGE)
            .map(|p| {
                let mentions = p.interviews.iter().map(|g| g.mentions.len()).sum();
                let interviews = p.interviews.into_iter().map(|g| (g.interview, g.mentions.first().map_or(0, |m| m.line))).collect();
                WhoRow { person: p.label, interviews, mentions }
            })
            .collect(),
        evidence: items.iter().take(ITEMS_ON_THEME_PAGE).map(|item| coded_item_view(study, &cx.people, item)).collect(),
        evidence_total: items.len(),
        memos: if memos_shown(study, cx.pages.options) {
            memo_views(study, &cx.people, |about| matches!(about, collabmap_study::MemoAbout::Theme(id) if *id == theme.id))
        } else {
            Vec::new()
        },
        memo_about: format!("theme:{}", theme.id),
    }
}

/// Page `n` of evidence list `l`: every count opens to the mentions behind it
/// (a theme's, one cell of its breakdowns'), every kept link to its chains.
fn evidence_page<'a>(cx: &'a Report<'a>, list: &'a EvidenceList, chains: Option<&'a Chains>, n: usize) -> EvidencePage<'a> {
    let Analysed { study, synthesis, model } = cx.source;
    let codebook = &study.codebook;
    let path = list.path(n);
    let root = "../".repeat(path.matches('/').count());
    let pager = Pager::new(n, list.pages(), |m| format!("{root}{}", list.path(m)));
    let frame = |page_title: &'a str, heading: String, summary: String, explanation: &'static str| EvidencePage {
        root: root.clone(),
        workspace: cx.workspace(),
        page_title,
        study_title: cx.title(),
        heading,
        summary,
        explanation,
        persons: Vec::new(),
        apart: Vec::new(),
        pager: (list.pages() > 1).then_some(Pager { ..pager }),
    };
    match list.of {
        ListOf::Theme(t) => {
            let theme = &codebook.themes()[t];
            let row = synthesis.table.row(&theme.id);
            let projects = row.map_or(0, |r| r.projects);
            EvidencePage {
                persons: evidence_groups(study, &cx.pages.labels, cx.mention_lines(t, &cx.pages.picked(list, n))),
                apart: if n == 1 { cx.pages.apart[t].clone() } else { Vec::new() },
                ..frame(
                    &theme.name,
                    format!("{}: who said it", theme.name),
                    format!(
                        "{} of {} people interviewed, in {} project{}",
                        row.map_or(0, |r| r.people),
                        synthesis.table.out_of,
                        projects,
                        if projects == 1 { "" } else { "s" }
                    ),
                    "Every person counted for this theme, with what they said and where: follow a line to the interview. A person counts once however often they said it.",
                )
            }
        }
        ListOf::Cell(t, b, g) => {
            let theme = &codebook.themes()[t];
            let grouping = &cx.pages.groupings[b];
            let counted = cx.pages.breakdowns[b].row(&theme.id).get(g).copied().unwrap_or(0);
            EvidencePage {
                persons: evidence_groups(study, &cx.pages.labels, cx.mention_lines(t, &cx.pages.picked(list, n))),
                ..frame(
                    &theme.name,
                    format!("{}: who said it ({}: {})", theme.name, grouping.column, grouping.groups[g]),
                    format!("{counted} of the {} people interviewed in this group", grouping.totals[g]),
                    "The people this cell of the theme's breakdown counts, with what they said and where. Quotes given anonymously are shown only on the theme's own evidence page, never beside a group.",
                )
            }
        }
        ListOf::Link(k) => {
            let link = &model.links[k];
            let name = |id: &str| codebook.get(id).map_or(id.to_string(), |t| t.name.clone());
            let empty = Chains::default();
            let chains = chains.unwrap_or(&empty);
            let lines = list.span(n).filter_map(|c| chains.chains.get(c as usize)).map(|chain| {
                let words = chains.nodes[chain.nodes.start as usize..chain.nodes.end as usize].iter().map(|&node| concept_words(study, chain.interview, node));
                let line =
                    EvidenceLine { line: chain.line as usize, kind: "chain", how: "means to end".into(), text: words.collect::<Vec<_>>().join(" \u{2192} ") };
                (chain.person, chain.interview, line)
            });
            let persons = evidence_groups(study, &cx.pages.labels, lines);
            EvidencePage {
                persons,
                ..frame(
                    &link.from,
                    format!("{} \u{2192} {}: who linked them", name(&link.from), name(&link.to)),
                    format!("{} people state this link in their maps; the model keeps it", link.people),
                    "Each chain runs from a concept coded with the means up the map, past concepts without themes, to the first concept coded with the end. Follow a line to the interview.",
                )
            }
        }
    }
}

/// An interview's page: who attended, the map drawn with its structure, quotes, stories and pictures.
fn interview_page<'a>(cx: &'a Report<'a>, number: usize) -> InterviewPage<'a> {
    let study = cx.source.study;
    let (people, options) = (&cx.people, cx.pages.options);
    let interview = &study.interviews[number];
    let map = MapStructure::of(number, interview);
    let (structure_view, marks) = StructureView::of(study, &map);
    let quotes = interview
        .quotes
        .iter()
        .filter(|q| PeopleView::may_show_with_its_interview(q))
        .map(|q| TextView {
            line: q.line,
            title: String::new(),
            text: q.text.clone(),
            by: people.quote_by(interview, q.attribution.as_deref(), q.anonymous),
            codes: q.codes.clone(),
        })
        .collect();
    let stories = interview
        .stories
        .iter()
        .map(|s| TextView { line: s.line, title: s.title.clone(), text: s.body.clone(), by: String::new(), codes: s.codes.clone() })
        .collect();
    let pictures = interview
        .pictures
        .iter()
        .map(|p| PictureView {
            line: p.line,
            path: p.path.clone(),
            title: p.caption.clone(),
            text: p.explanation.clone(),
            not_for_publication: p.not_for_publication,
            // The same rule as `ReportPages::pictures`, which copies what is shown.
            shown: options.workspace || !p.not_for_publication,
        })
        .collect();
    InterviewPage {
        root: "../",
        workspace: options.workspace,
        page_title: &interview.id,
        study_title: cx.title(),
        id: &interview.id,
        kind: if interview.is_group() { "Group meeting" } else { "Interview" },
        date: interview.date.clone().unwrap_or_default(),
        checked_back: interview.checked_back,
        attendees: interview.people.iter().map(|p| people.label(p)).collect(),
        projects: shown_projects(&cx.pages.projects, &interview.projects),
        map_svg: map_svg_marked(interview, &study.codebook, &marks),
        map_outline: crate::read_back::outline_html(interview),
        structure: structure_view,
        quotes,
        stories,
        pictures,
        memos: if memos_shown(study, options) {
            memo_views(study, people, |about| {
                use collabmap_study::MemoAbout;
                matches!(about, MemoAbout::Interview(id) | MemoAbout::Concept { interview: id, .. } if *id == interview.id)
            })
        } else {
            Vec::new()
        },
        memo_about: format!("interview:{}", interview.id),
    }
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage<'a> {
    /// The way back to the site's top (`../`, `../../`, …).
    root: String,
    workspace: bool,
    page_title: &'a str,
    study_title: &'a str,
    heading: String,
    summary: String,
    explanation: &'static str,
    persons: Vec<EvidencePerson>,
    /// Quotes given anonymously, shown with neither speaker nor interview.
    apart: Vec<String>,
    /// The list's other pages, when it has more than one.
    pager: Option<Pager>,
}

/// One person's mentions on an evidence page, by interview.
struct EvidencePerson {
    label: String,
    interviews: Vec<EvidenceGroup>,
}

struct EvidenceGroup {
    interview: String,
    mentions: Vec<EvidenceLine>,
}

struct EvidenceLine {
    line: usize,
    kind: &'static str,
    how: String,
    text: String,
}

/// How a person was credited, in a reader's words.
fn credit_words(how: collabmap_analysis::Credit, indicator: Option<&str>) -> String {
    use collabmap_analysis::Credit;
    match (how, indicator) {
        (Credit::Explicit, _) => "tagged".into(),
        (Credit::Inferred, Some(phrase)) => format!("found by the phrase \u{201c}{phrase}\u{201d}"),
        (Credit::Inferred, None) => "found by an indicator phrase".into(),
        (Credit::Rollup, Some(phrase)) => format!("through a narrower code found by the phrase \u{201c}{phrase}\u{201d}"),
        (Credit::Rollup, None) => "through a narrower code".into(),
        (Credit::Group, _) => "said in a group meeting they attended".into(),
    }
}

/// Labels for people on evidence pages: a named person's label, or
/// "Anonymous participant N", numbered in people.csv order so that one
/// report always gives one person the same number.
struct EvidenceLabels {
    labels: Vec<String>,
}

impl EvidenceLabels {
    fn new(study: &Study, people: &PeopleView<'_>) -> Self {
        let mut anonymous = 0;
        let labels = study
            .people
            .iter()
            .map(|person| {
                if person.anonymous {
                    anonymous += 1;
                    format!("{ANONYMOUS_LABEL} {anonymous}")
                } else {
                    people.label(&person.id)
                }
            })
            .collect();
        EvidenceLabels { labels }
    }
}

/// Evidence lines (person, interview, the line; sorted by person, interview
/// and line), grouped by person and interview.
fn evidence_groups(study: &Study, labels: &EvidenceLabels, lines: impl Iterator<Item = (u32, u32, EvidenceLine)>) -> Vec<EvidencePerson> {
    let mut persons: Vec<EvidencePerson> = Vec::new();
    for (person, interview, line) in lines {
        let interview = study.interviews[interview as usize].id.clone();
        let label = &labels.labels[person as usize];
        if persons.last().is_none_or(|p| &p.label != label) {
            persons.push(EvidencePerson { label: label.clone(), interviews: Vec::new() });
        }
        let Some(person) = persons.last_mut() else { continue };
        if person.interviews.last().is_none_or(|g| g.interview != interview) {
            person.interviews.push(EvidenceGroup { interview, mentions: Vec::new() });
        }
        if let Some(group) = person.interviews.last_mut() {
            group.mentions.push(line);
        }
    }
    persons
}

/// The words of the concept at map index `node` of interview `interview`.
fn concept_words(study: &Study, interview: u32, node: u32) -> String {
    let mention = MentionAt {
        person: 0,
        interview,
        line: 0,
        kind: collabmap_study::ItemKind::Concept,
        item: node,
        how: collabmap_analysis::Credit::Explicit,
        indicator: None,
        kept_apart: false,
    };
    mention.words(study)
}

/// A kept link's evidence: its chains and their pages.
struct LinkEvidence {
    chains: Chains,
    list: EvidenceList,
}

impl LinkEvidence {
    /// The chains behind kept link `k` of `source`'s model, sorted by person, interview and line.
    fn of(source: Analysed<'_>, k: usize, base: String) -> LinkEvidence {
        let Analysed { study, synthesis, model } = source;
        let codebook = &study.codebook;
        let mut found = Chains::default();
        let link = &model.links[k];
        if let (Some(from), Some(to)) = (codebook.index_of(&link.from), codebook.index_of(&link.to)) {
            for chain in collabmap_analysis::evidence::link_chains(study, &synthesis.coding, from, to) {
                let start = found.nodes.len() as u32;
                found.nodes.extend(chain.path.iter().map(|step| step.node as u32));
                found.chains.push(ChainAt {
                    person: chain.person as u32,
                    interview: chain.interview as u32,
                    line: chain.path.first().map_or(0, |s| s.line) as u32,
                    nodes: start..found.nodes.len() as u32,
                });
            }
        }
        found.chains.sort_by_key(|c| (c.person, c.interview, c.line));
        let list = EvidenceList::new(ListOf::Link(k), base, None, found.chains.len(), |_| true, |c| found.chains[c as usize].person);
        LinkEvidence { chains: found, list }
    }
}

/// A kept link's chains: each a run of `nodes`.
#[derive(Default)]
struct Chains {
    chains: Vec<ChainAt>,
    /// Every chain's concepts (map indices), one run after another.
    nodes: Vec<u32>,
}

/// One chain of concepts behind a link, for one person.
struct ChainAt {
    person: u32,
    interview: u32,
    line: u32,
    nodes: std::ops::Range<u32>,
}

#[derive(Template)]
#[template(path = "analysis.html")]
struct AnalysisPage<'a> {
    root: &'a str,
    workspace: bool,
    page_title: &'a str,
    study_title: &'a str,
    glance: Vec<(String, String)>,
    central: Vec<(String, String, String, u32, String)>,
    options: Vec<(String, String, usize)>,
    links: Vec<(String, String, String, String, u32, usize, bool)>,
    heat_themes: Vec<(String, String)>,
    heat: Vec<Vec<HeatCell>>,
    groups: Vec<GroupTable>,
}

struct HeatCell {
    both: u32,
    coefficient: String,
    shade: String,
    diagonal: bool,
}

struct GroupTable {
    column: String,
    groups: Vec<(String, u32)>,
    rows: Vec<(String, String, Vec<String>, String, String, bool)>,
    note: Option<String>,
}

/// The most central concepts and most potent options the analysis page lists.
const ANALYSIS_TOP: usize = 15;

/// What the analysis page shows of the maps, gathered map by map in
/// parallel: a large study's map structures are never all held at once.
#[derive(Default)]
struct MapsSummary {
    figures: collabmap_analysis::structure::Figures,
    /// Σ n(n − 1) over the maps, in integers so that the sum is the same in any order.
    possible: u64,
    reinforcing: usize,
    capped: usize,
    /// (centrality, interview, concept, interview id, words, domain, role), most central first.
    central: Vec<(f64, usize, usize, String, String, u32, String)>,
    /// (heads, interview, tail, interview id, words), most first.
    potent: Vec<(usize, usize, usize, String, String)>,
}

impl MapsSummary {
    fn of_map(study: &Study, number: usize) -> MapsSummary {
        let map = MapStructure::of(number, &study.interviews[number]);
        let id = &study.interviews[number].id;
        let mut central: Vec<(f64, usize, usize)> = map.concepts.iter().enumerate().map(|(c, x)| (x.central, number, c)).collect();
        central.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
        central.truncate(ANALYSIS_TOP);
        let mut potent: Vec<(usize, usize, usize)> = map.potent.iter().map(|&(t, n)| (n, number, t)).collect();
        potent.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
        potent.truncate(ANALYSIS_TOP);
        let concepts = map.figures.concepts as u64;
        MapsSummary {
            figures: map.figures,
            possible: concepts * concepts.saturating_sub(1),
            reinforcing: map.loops.iter().filter(|l| l.polarity.as_str() == "reinforcing").count(),
            capped: usize::from(map.loops_capped),
            central: central
                .into_iter()
                .map(|(value, n, c)| {
                    let measures = &map.concepts[c];
                    (value, n, c, id.clone(), analyses::concept_text(study, &map, c), measures.domain, measures.role.as_str().to_string())
                })
                .collect(),
            potent: potent.into_iter().map(|(heads, n, t)| (heads, n, t, id.clone(), analyses::concept_text(study, &map, t))).collect(),
        }
    }

    /// Both summaries, the lists cut to the top in the order `ranked_central` and `ranked_potent` give.
    fn merge(mut self, other: MapsSummary) -> MapsSummary {
        self.figures.add(&other.figures);
        self.possible += other.possible;
        self.reinforcing += other.reinforcing;
        self.capped += other.capped;
        self.central.extend(other.central);
        self.central.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        self.central.truncate(ANALYSIS_TOP);
        self.potent.extend(other.potent);
        self.potent.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        self.potent.truncate(ANALYSIS_TOP);
        self
    }
}

fn analysis_page<'a>(study: &'a Study, synthesis: &Synthesis, model: &Model, title: &'a str, workspace: bool) -> AnalysisPage<'a> {
    use rayon::prelude::*;
    let codebook = &study.codebook;
    let summary = (0..study.interviews.len()).into_par_iter().map(|n| MapsSummary::of_map(study, n)).reduce(MapsSummary::default, MapsSummary::merge);
    let f = &summary.figures;
    let (reinforcing, capped) = (summary.reinforcing, summary.capped);
    let density = if summary.possible > 0 { f.links as f64 / summary.possible as f64 } else { 0.0 };
    let glance = vec![
        (f.concepts.to_string(), "concepts".to_string()),
        (f.links.to_string(), "links".to_string()),
        (format!("{:.2}", f.links_per_concept()), "links per concept".to_string()),
        (format!("{density:.3}"), "density within maps".to_string()),
        (f.heads.to_string(), "heads (outcomes)".to_string()),
        (f.tails.to_string(), "tails (options)".to_string()),
        (format!("{} / {}", reinforcing, f.loops - reinforcing), "loops: reinforcing / balancing".to_string()),
        (f.clusters.to_string(), format!("clusters{}", if capped > 0 { format!(" ({capped} maps with capped loops)") } else { String::new() })),
    ];
    let central = summary.central.into_iter().map(|(value, _, _, id, words, domain, role)| (id, words, format!("{value:.2}"), domain, role)).collect();
    let options = summary.potent.into_iter().map(|(heads, _, _, id, words)| (id, words, heads)).collect();
    let themes = codebook.themes();
    let links = synthesis
        .links
        .iter()
        .filter(|l| themes[l.from].model && themes[l.to].model)
        .map(|l| {
            (
                themes[l.from].id.clone(),
                themes[l.from].name.clone(),
                themes[l.to].id.clone(),
                themes[l.to].name.clone(),
                l.weight(),
                l.interviews.len(),
                l.weight() >= model.min_support,
            )
        })
        .collect();
    let shown: Vec<usize> = synthesis.table.shown(false).filter_map(|r| codebook.index_of(&r.theme)).collect();
    let heat = heat_map(synthesis, &shown);
    let heat_themes = shown.iter().map(|&t| (themes[t].id.clone(), themes[t].name.clone())).collect();
    let groups = group_tables(study, synthesis, &shown);
    AnalysisPage { root: "", workspace, page_title: "Analysis", study_title: title, glance, central, options, links, heat_themes, heat, groups }
}

/// The co-occurrence heat map of the themes shown: for each pair, how many
/// people mention both and their association, shaded by its strength.
fn heat_map(synthesis: &Synthesis, shown: &[usize]) -> Vec<Vec<HeatCell>> {
    let pairs = cooccurrence(synthesis, shown);
    let lookup: std::collections::HashMap<(usize, usize), &collabmap_analysis::cooccurrence::Pair> =
        pairs.iter().flat_map(|p| [((p.first, p.second), p), ((p.second, p.first), p)]).collect();
    shown
        .iter()
        .map(|&a| {
            shown
                .iter()
                .map(|&b| match lookup.get(&(a, b)) {
                    Some(pair) => HeatCell {
                        both: pair.both,
                        coefficient: format!("{:.2}", pair.coefficient),
                        shade: format!("{}", (pair.coefficient.clamp(0.0, 1.0) * 10.0).round() as u32),
                        diagonal: false,
                    },
                    None => HeatCell { both: synthesis.mentions[a].count_ones(..) as u32, coefficient: "1".into(), shade: "0".into(), diagonal: true },
                })
                .collect()
        })
        .collect()
}

/// Each comparable people column's comparison of the themes shown: shares
/// per group, chi-squared and p-value, under the small-group rule.
fn group_tables(study: &Study, synthesis: &Synthesis, shown: &[usize]) -> Vec<GroupTable> {
    let themes = study.codebook.themes();
    collabmap_analysis::comparable_columns(study, synthesis)
        .into_iter()
        .filter_map(|column| {
            let comparison = compare_groups(study, synthesis, &column, shown).ok()?;
            let rows = comparison
                .rows
                .iter()
                .map(|row| {
                    let shares =
                        row.counts.iter().zip(&comparison.totals).map(|(&c, &t)| format!("{}%", (100 * c + t / 2).checked_div(t).unwrap_or(0))).collect();
                    let p = row.p_value.map_or("–".to_string(), |p| if p < 0.001 { "< 0.001".to_string() } else { format!("{p:.3}") });
                    (themes[row.theme].id.clone(), themes[row.theme].name.clone(), shares, format!("{:.2}", row.chi_squared), p, row.sparse)
                })
                .collect();
            Some(GroupTable { column, groups: comparison.groups.into_iter().zip(comparison.totals).collect(), rows, note: comparison.note })
        })
        .collect()
}

/// Object-safe rendering, so one closure renders every page type.
trait DynTemplate {
    fn render_page(&self) -> askama::Result<String>;
}

impl<T: Template> DynTemplate for T {
    fn render_page(&self) -> askama::Result<String> {
        self.render()
    }
}
