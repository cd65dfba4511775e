//! The static report: an index page, a page per theme and a page per
//! interview, the model diagram as SVG and PNG, and a stylesheet. No page
//! fetches anything from the network.
//!
//! Anonymity is enforced here, at the one place where people become text:
//! [`PeopleView`] is the only way a page names a person.

use askama::Template;
use collabmap_analysis::cooccurrence::{compare_groups, cooccurrence};
use collabmap_analysis::structure::{MapStructure, StudyStructure};
use collabmap_analysis::{CrossTab, Glance, Grouping, Model, Synthesis};
use collabmap_study::{Interview, Study};

use crate::RenderError;
use crate::analyses;
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
}

impl<'s> PeopleView<'s> {
    /// A view over `study`'s people.
    pub fn new(study: &'s Study) -> Self {
        PeopleView { study }
    }

    /// The label of `id`: "Name (role, organisation)", or the anonymous label.
    pub fn label(&self, id: &str) -> String {
        match self.study.person(id) {
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
    interviews: Vec<InterviewRow>,
    /// The researchers' memos: in a published report all of them, only when
    /// `[report] memos = true`; in the workspace, those about the study.
    memos: Vec<MemoView>,
    /// What a memo added from this page is about (`study`).
    memo_about: &'static str,
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
    evidence: Vec<Evidence>,
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

/// Builds the report of `study`.
pub fn build_report(study: &Study, synthesis: &Synthesis, model: &Model) -> Result<Site, RenderError> {
    build_report_with(study, synthesis, model, ReportOptions::default())
}

/// Builds the report of `study` with `options`.
pub fn build_report_with(study: &Study, synthesis: &Synthesis, model: &Model, options: ReportOptions) -> Result<Site, RenderError> {
    let cx = Report {
        study,
        synthesis,
        model,
        options,
        people: PeopleView::new(study),
        title: if study.config.title.is_empty() { "Study" } else { study.config.title.as_str() },
        breakdowns: BREAKDOWN_COLUMNS.iter().filter_map(|column| CrossTab::new(study, synthesis, column).ok()).collect(),
    };
    let name_of = |id: &str| study.codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
    let mut site = Site::default();
    let hrefs = Hrefs { theme: &|id| Some(format!("themes/{id}.html")), link: &|from, to| Some(format!("evidence/{from}--{to}.html")) };
    let diagram = model_svg(model, &name_of, &hrefs);
    let bare_diagram = model_svg(model, &name_of, &Hrefs::NONE);
    site.files.push(SiteFile { path: "model.svg".into(), bytes: bare_diagram.clone().into_bytes() });
    if options.png {
        site.files.push(SiteFile { path: "model.png".into(), bytes: svg_to_png(&bare_diagram, 1.5)? });
    }
    site.files.push(SiteFile { path: "assets/style.css".into(), bytes: STYLE.as_bytes().to_vec() });
    site.files.push(SiteFile { path: "assets/drawing.js".into(), bytes: DRAWING_JS.as_bytes().to_vec() });
    site.files.push(SiteFile { path: "assets/tables.js".into(), bytes: TABLES_JS.as_bytes().to_vec() });
    site.files.push(index_page(&cx, diagram)?);
    let labels = EvidenceLabels::new(cx.study, &cx.people);
    let all_mentions = collabmap_analysis::evidence::all_mentions(cx.study, &cx.synthesis.coding);
    site.files.extend(theme_pages(&cx, &labels, &all_mentions)?);
    site.files.extend(evidence_pages(&cx, &labels, &all_mentions)?);
    let structure = StudyStructure::of(study);
    site.files.push(SiteFile {
        path: "analysis.html".into(),
        bytes: render(&analysis_page(study, synthesis, model, &structure, cx.title, options.workspace))?.into_bytes(),
    });
    let (pages, pictures) = interview_pages(&cx, &structure)?;
    site.files.extend(pages);
    site.copies = pictures;
    site.copies.sort();
    site.copies.dedup();
    Ok(site)
}

/// What every page of one report shares.
struct Report<'a> {
    study: &'a Study,
    synthesis: &'a Synthesis,
    model: &'a Model,
    options: ReportOptions,
    people: PeopleView<'a>,
    title: &'a str,
    /// The theme pages' breakdowns, by [`BREAKDOWN_COLUMNS`]; both follow the one small-group
    /// rule (anonymous people one group, groups under five pooled).
    breakdowns: Vec<CrossTab>,
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

sections!(IndexPage => "overview", ThemePage => "themes", InterviewPage => "interviews", EvidencePage => "evidence", AnalysisPage => "analysis");

/// Renders a page of the report.
fn render(page: &dyn DynTemplate) -> Result<String, RenderError> {
    page.render_page().map_err(RenderError::template("a report page"))
}

/// The front page: the study at a glance, the mention table, the model and the interviews.
fn index_page(cx: &Report<'_>, diagram: String) -> Result<SiteFile, RenderError> {
    let (study, synthesis, model, options, people, title) = (cx.study, cx.synthesis, cx.model, cx.options, &cx.people, cx.title);
    let codebook = &study.codebook;
    let name_of = |id: &str| codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
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
    let interviews = study
        .interviews
        .iter()
        .map(|iv| InterviewRow {
            id: iv.id.clone(),
            date: iv.date.clone().unwrap_or_default(),
            attended: if iv.is_group() { format!("group of {}", iv.people.len()) } else { "1 person".to_string() },
            projects: iv.projects.iter().map(|p| study.project(p).map_or(p.as_str(), |x| x.name.as_str())).collect::<Vec<_>>().join(", "),
            concepts: iv.concepts().count(),
            checked_back: iv.checked_back,
        })
        .collect();
    let memos = if options.workspace {
        memo_views(study, people, |about| *about == collabmap_study::MemoAbout::Study)
    } else if study.config.report.memos {
        memo_views(study, people, |_| true)
    } else {
        Vec::new()
    };
    let index = IndexPage {
        root: "",
        workspace: options.workspace,
        page_title: "Report",
        study_title: title,
        glance,
        out_of: synthesis.table.out_of,
        group_agreement: study.config.counting.group_agreement,
        rows,
        most_mentioned,
        core,
        model_summary,
        model_svg: diagram,
        model_places: {
            let mut places: Vec<_> =
                model.themes.iter().map(|t| (t.level.unwrap_or(u32::MAX), t.id.clone(), name_of(&t.id), level_words(t.level), t.people)).collect();
            places.sort_by(|a, b| a.0.cmp(&b.0).then(b.4.cmp(&a.4)));
            places.into_iter().map(|(_, id, name, place, people)| (id, name, place, people)).collect()
        },
        model_links: model.links.iter().map(|l| (l.from.clone(), name_of(&l.from), l.to.clone(), name_of(&l.to), l.people)).collect(),
        interviews,
        memos,
        memo_about: "study",
    };
    Ok(SiteFile { path: "index.html".into(), bytes: render(&index)?.into_bytes() })
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

/// A page per codebook entry: its count, breakdowns, links, and the quotes, stories and pictures coded with it.
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

fn theme_pages(cx: &Report<'_>, labels: &EvidenceLabels, all_mentions: &[Vec<collabmap_analysis::evidence::Mention>]) -> Result<Vec<SiteFile>, RenderError> {
    let (study, synthesis, model, options, people, title) = (cx.study, cx.synthesis, cx.model, cx.options, &cx.people, cx.title);
    let codebook = &study.codebook;
    let mut files = Vec::new();
    // Evidence per theme: quotes, stories and pictures, in interview order, as analysis coded them.
    let mut evidence: Vec<Vec<Evidence>> = collabmap_analysis::evidence::coded_items(study, &synthesis.coding)
        .iter()
        .map(|items| items.iter().map(|item| coded_item_view(study, people, item)).collect())
        .collect();

    let breakdown_tabs = &cx.breakdowns;
    for (t, theme) in codebook.themes().iter().enumerate() {
        let row = synthesis.table.row(&theme.id);
        let breakdowns: Vec<Breakdown> = breakdown_tabs
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
        let page = ThemePage {
            root: "../",
            workspace: options.workspace,
            page_title: &theme.name,
            study_title: title,
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
            who: {
                let (persons, _) = evidence_groups(study, labels, &all_mentions[t]);
                persons
                    .into_iter()
                    .take(WHO_ON_THEME_PAGE)
                    .map(|p| {
                        let mentions = p.interviews.iter().map(|g| g.mentions.len()).sum();
                        let interviews = p.interviews.into_iter().map(|g| (g.interview, g.mentions.first().map_or(0, |m| m.line))).collect();
                        WhoRow { person: p.label, interviews, mentions }
                    })
                    .collect()
            },
            evidence: std::mem::take(&mut evidence[t]),
            memos: if memos_shown(study, options) {
                memo_views(study, people, |about| matches!(about, collabmap_study::MemoAbout::Theme(id) if *id == theme.id))
            } else {
                Vec::new()
            },
            memo_about: format!("theme:{}", theme.id),
        };
        files.push(SiteFile { path: format!("themes/{}.html", theme.id), bytes: render(&page)?.into_bytes() });
    }

    Ok(files)
}

/// The evidence behind every figure: a theme's count, each cell of its breakdowns, and each kept link.
fn evidence_pages(cx: &Report<'_>, labels: &EvidenceLabels, all_mentions: &[Vec<collabmap_analysis::evidence::Mention>]) -> Result<Vec<SiteFile>, RenderError> {
    let mut files = theme_evidence_pages(cx, labels, all_mentions)?;
    files.extend(cell_evidence_pages(cx, labels, all_mentions)?);
    files.extend(link_evidence_pages(cx, labels)?);
    Ok(files)
}

/// Every count opens to the mentions behind it: a page per theme.
fn theme_evidence_pages(
    cx: &Report<'_>,
    labels: &EvidenceLabels,
    all_mentions: &[Vec<collabmap_analysis::evidence::Mention>],
) -> Result<Vec<SiteFile>, RenderError> {
    let (study, synthesis) = (cx.study, cx.synthesis);
    let codebook = &study.codebook;
    let mut files = Vec::new();
    for (t, theme) in codebook.themes().iter().enumerate() {
        let row = synthesis.table.row(&theme.id);
        let (persons, apart) = evidence_groups(study, labels, &all_mentions[t]);
        let page = EvidencePage {
            heading: format!("{}: who said it", theme.name),
            summary: format!(
                "{} of {} people interviewed, in {} project{}",
                row.map_or(0, |r| r.people),
                synthesis.table.out_of,
                row.map_or(0, |r| r.projects),
                if row.map_or(0, |r| r.projects) == 1 { "" } else { "s" }
            ),
            explanation: "Every person counted for this theme, with what they said and where: follow a line to the interview. A person counts once however often they said it.",
            persons,
            apart,
            ..EvidencePage::frame(cx, "../", &theme.name)
        };
        files.push(SiteFile { path: format!("evidence/{}.html", theme.id), bytes: render(&page)?.into_bytes() });
    }
    Ok(files)
}

/// Every cell of a theme's breakdowns opens to the mentions of the people it counts.
fn cell_evidence_pages(
    cx: &Report<'_>,
    labels: &EvidenceLabels,
    all_mentions: &[Vec<collabmap_analysis::evidence::Mention>],
) -> Result<Vec<SiteFile>, RenderError> {
    let (study, synthesis) = (cx.study, cx.synthesis);
    let codebook = &study.codebook;
    let mut files = Vec::new();
    // Every cell of a theme's breakdowns opens to the mentions of the people it counts. Quotes given
    // anonymously stay on the theme's own evidence page: on a group's page they would be tied to the group.
    let groupings: Vec<Grouping> = BREAKDOWN_COLUMNS.iter().filter_map(|column| Grouping::of(study, synthesis, column).ok()).collect();
    for (t, theme) in codebook.themes().iter().enumerate() {
        for (grouping, tab) in groupings.iter().zip(&cx.breakdowns) {
            let counts = tab.row(&theme.id);
            for (g, group) in grouping.groups.iter().enumerate() {
                let mentions: Vec<collabmap_analysis::evidence::Mention> = all_mentions[t].iter().filter(|m| grouping.holds(g, m.person)).cloned().collect();
                let counted = counts.get(g).copied().unwrap_or(0);
                if counted == 0 {
                    continue;
                }
                let (persons, _) = evidence_groups(study, labels, &mentions);
                let page = EvidencePage {
                    heading: format!("{}: who said it ({}: {group})", theme.name, grouping.column),
                    summary: format!("{counted} of the {} people interviewed in this group", grouping.totals[g]),
                    explanation: "The people this cell of the theme's breakdown counts, with what they said and where. Quotes given anonymously are shown only on the theme's own evidence page, never beside a group.",
                    persons,
                    apart: Vec::new(),
                    ..EvidencePage::frame(cx, "../../../", &theme.name)
                };
                files.push(SiteFile { path: format!("evidence/{}/{}/{g}.html", theme.id, grouping.column), bytes: render(&page)?.into_bytes() });
            }
        }
    }
    Ok(files)
}

/// Every kept link opens to the chains of concepts behind it.
fn link_evidence_pages(cx: &Report<'_>, labels: &EvidenceLabels) -> Result<Vec<SiteFile>, RenderError> {
    let (study, model) = (cx.study, cx.model);
    let codebook = &study.codebook;
    let mut files = Vec::new();
    for link in &model.links {
        let (Some(from), Some(to)) = (codebook.index_of(&link.from), codebook.index_of(&link.to)) else { continue };
        let chains = collabmap_analysis::evidence::link_chains(study, &cx.synthesis.coding, from, to);
        let mentions: Vec<collabmap_analysis::evidence::Mention> = chains
            .iter()
            .map(|chain| collabmap_analysis::evidence::Mention {
                person: chain.person,
                interview: chain.interview,
                line: chain.path.first().map_or(0, |s| s.line),
                kind: collabmap_study::ItemKind::Concept,
                text: chain.path.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" \u{2192} "),
                how: collabmap_analysis::Credit::Explicit,
                indicator: None,
                kept_apart: false,
            })
            .collect();
        let (mut persons, _) = evidence_groups(study, labels, &mentions);
        for line in persons.iter_mut().flat_map(|p| &mut p.interviews).flat_map(|g| &mut g.mentions) {
            line.kind = "chain";
            line.how = "means to end".into();
        }
        let (from_name, to_name) = (&codebook.themes()[from].name, &codebook.themes()[to].name);
        let page = EvidencePage {
            heading: format!("{from_name} \u{2192} {to_name}: who linked them"),
            summary: format!("{} people state this link in their maps; the model keeps it", link.people),
            explanation: "Each chain runs from a concept coded with the means up the map, past concepts without themes, to the first concept coded with the end. Follow a line to the interview.",
            persons,
            apart: Vec::new(),
            ..EvidencePage::frame(cx, "../", &link.from)
        };
        files.push(SiteFile { path: format!("evidence/{}--{}.html", link.from, link.to), bytes: render(&page)?.into_bytes() });
    }

    Ok(files)
}

/// A page per interview: who attended, the map drawn with its structure, quotes, stories and pictures;
/// and the pictures to copy beside the pages.
fn interview_pages(cx: &Report<'_>, structure: &StudyStructure) -> Result<(Vec<SiteFile>, Vec<String>), RenderError> {
    let (study, options, people, title) = (cx.study, cx.options, &cx.people, cx.title);
    let codebook = &study.codebook;
    let mut files = Vec::new();
    let mut pictures = Vec::new();
    for (number, interview) in study.interviews.iter().enumerate() {
        let (structure_view, marks) = StructureView::of(study, &structure.maps[number]);
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
            .map(|p| {
                // A picture its artist keeps out of publication is neither shown nor copied into a published report.
                let shown = options.workspace || !p.not_for_publication;
                if shown {
                    pictures.push(p.path.clone());
                }
                PictureView {
                    line: p.line,
                    path: p.path.clone(),
                    title: p.caption.clone(),
                    text: p.explanation.clone(),
                    not_for_publication: p.not_for_publication,
                    shown,
                }
            })
            .collect();
        let page = InterviewPage {
            root: "../",
            workspace: options.workspace,
            page_title: &interview.id,
            study_title: title,
            id: &interview.id,
            kind: if interview.is_group() { "Group meeting" } else { "Interview" },
            date: interview.date.clone().unwrap_or_default(),
            checked_back: interview.checked_back,
            attendees: interview.people.iter().map(|p| people.label(p)).collect(),
            projects: interview.projects.iter().map(|p| study.project(p).map_or(p.as_str(), |x| x.name.as_str())).collect::<Vec<_>>().join(", "),
            map_svg: map_svg_marked(interview, codebook, &marks),
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
        };
        files.push(SiteFile { path: format!("interviews/{}.html", interview.id), bytes: render(&page)?.into_bytes() });
    }
    Ok((files, pictures))
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage<'a> {
    root: &'a str,
    workspace: bool,
    page_title: &'a str,
    study_title: &'a str,
    heading: String,
    summary: String,
    explanation: &'static str,
    persons: Vec<EvidencePerson>,
    /// Quotes given anonymously, shown with neither speaker nor interview.
    apart: Vec<String>,
}

impl<'a> EvidencePage<'a> {
    /// An evidence page of `cx`'s report, `root` being the way back to the site's top, with no content yet.
    fn frame(cx: &'a Report<'_>, root: &'a str, page_title: &'a str) -> Self {
        EvidencePage {
            root,
            workspace: cx.options.workspace,
            page_title,
            study_title: cx.title,
            heading: String::new(),
            summary: String::new(),
            explanation: "",
            persons: Vec::new(),
            apart: Vec::new(),
        }
    }
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

/// Mentions grouped by person (people.csv order) and interview; quotes given anonymously apart.
fn evidence_groups(study: &Study, labels: &EvidenceLabels, mentions: &[collabmap_analysis::evidence::Mention]) -> (Vec<EvidencePerson>, Vec<String>) {
    let mut sorted: Vec<&collabmap_analysis::evidence::Mention> = mentions.iter().filter(|m| !m.kept_apart).collect();
    sorted.sort_by_key(|m| (m.person, m.interview, m.line));
    let mut persons: Vec<EvidencePerson> = Vec::new();
    for mention in sorted {
        let line = EvidenceLine {
            line: mention.line,
            kind: crate::evidence::kind_name(mention.kind),
            how: credit_words(mention.how, mention.indicator.as_deref()),
            text: mention.text.clone(),
        };
        let interview = study.interviews[mention.interview].id.clone();
        let label = &labels.labels[mention.person];
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
    let mut apart: Vec<String> = mentions.iter().filter(|m| m.kept_apart).map(|m| m.text.clone()).collect();
    apart.dedup();
    (persons, apart)
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

fn analysis_page<'a>(study: &'a Study, synthesis: &Synthesis, model: &Model, structure: &StudyStructure, title: &'a str, workspace: bool) -> AnalysisPage<'a> {
    let codebook = &study.codebook;
    let f = &structure.figures;
    let maps: Vec<&MapStructure> = structure.maps.iter().collect();
    let reinforcing = structure.maps.iter().flat_map(|m| &m.loops).filter(|l| l.polarity.as_str() == "reinforcing").count();
    let capped = structure.maps.iter().filter(|m| m.loops_capped).count();
    let glance = vec![
        (f.concepts.to_string(), "concepts".to_string()),
        (f.links.to_string(), "links".to_string()),
        (format!("{:.2}", f.links_per_concept()), "links per concept".to_string()),
        (format!("{:.3}", analyses::density_within(&maps, f.links)), "density within maps".to_string()),
        (f.heads.to_string(), "heads (outcomes)".to_string()),
        (f.tails.to_string(), "tails (options)".to_string()),
        (format!("{} / {}", reinforcing, f.loops - reinforcing), "loops: reinforcing / balancing".to_string()),
        (f.clusters.to_string(), format!("clusters{}", if capped > 0 { format!(" ({capped} maps with capped loops)") } else { String::new() })),
    ];
    let central = analyses::ranked_central(&maps)
        .iter()
        .take(15)
        .map(|(value, map, c)| {
            (
                study.interviews[map.interview].id.clone(),
                analyses::concept_text(study, map, *c),
                format!("{value:.2}"),
                map.concepts[*c].domain,
                map.concepts[*c].role.as_str().to_string(),
            )
        })
        .collect();
    let options = analyses::ranked_potent(&maps)
        .iter()
        .take(15)
        .map(|(n, map, t)| (study.interviews[map.interview].id.clone(), analyses::concept_text(study, map, *t), *n))
        .collect();
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
