//! Studies as the server holds them: parsed and analysed once per revision,
//! shared by every request until the next save.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use collabmap_analysis::search::{Filters, Hit, Query, SearchIndex};
use collabmap_analysis::{Coding, Model, Synthesis, SynthesisMemo, synthesise_reusing};
use collabmap_render::interview_list::ListQuery;
use collabmap_render::map_drawing::map_svg;
use collabmap_render::report::{Analysed, ReportOptions, ReportPages};
use collabmap_render::table;
use collabmap_store::{Change, Snapshot, Store};
use collabmap_study::MemoAbout;
use collabmap_study::{
    Codebook, InterviewContext, MemoryFiles, ParseMemo, Problem, Study, StudyConfig, duplicate_interview, is_interview_id, load_from, load_reusing,
    parse_interview,
};

use crate::error::AppError;

/// The analysis of a study without problems.
pub struct Analysis {
    /// Mentions and links.
    pub synthesis: Synthesis,
    /// The discovered model.
    pub model: Model,
    /// Exactly what `collabmap table --format json` prints.
    pub table_json: String,
    /// Exactly what `collabmap model --format json` prints.
    pub model_json: String,
}

/// A stored study at one revision: its files, parsed study and analysis.
pub struct StudyAtRevision {
    /// The study's id.
    pub id: i64,
    /// The revision the files belong to.
    pub revision: i64,
    /// The study's title as stored.
    pub title: String,
    /// The files, byte for byte.
    pub files: MemoryFiles,
    /// Each file's version.
    pub versions: collabmap_store::Versions,
    /// The parsed study.
    pub study: Study,
    /// Its problems (a stored study normally has none: saves that add one are refused).
    pub problems: Vec<Problem>,
    /// The analysis, when there are no problems.
    pub analysis: Option<Analysis>,
    /// How its pages are built: the workspace's pages for the current
    /// revision, the published report (what `collabmap report` writes) for a past one.
    report: ReportOptions,
    /// What the report's pages share, derived on first use; each page is
    /// rendered when asked and kept in `cache`.
    pages: OnceLock<ReportPages>,
    /// The server's rendered pages, of every study, bounded in bytes.
    cache: Arc<PageCache>,
    search_index: OnceLock<SearchIndex>,
    /// The items' codes when there is no analysis to take them from (a study with problems can still be searched).
    coding_without_analysis: OnceLock<Coding>,
    /// How many interviews are checked back, counted on first use.
    checked_back: OnceLock<usize>,
    /// Each interview's parse and contribution to the counts, for the next
    /// revision to reuse: a save reparses and recounts the files it changed.
    /// Taken (not copied) by the build of the next revision.
    memos: Mutex<Option<Memos>>,
}

/// What one revision's build keeps for the next (see `load_reusing` and `synthesise_reusing`).
#[derive(Default)]
pub struct Memos {
    parses: ParseMemo,
    counts: SynthesisMemo,
}

/// A memo's name: its file name under `memos/` without `.md`.
pub(crate) fn memo_name(file: &str) -> &str {
    file.strip_prefix("memos/").and_then(|rest| rest.strip_suffix(".md")).unwrap_or(file)
}

/// Whether `path` names an interview file.
pub(crate) fn is_interview_path(path: &str) -> bool {
    path.strip_prefix("interviews/").and_then(|rest| rest.strip_suffix(".md")).is_some_and(|stem| !stem.contains('/') && !stem.is_empty())
}

impl StudyAtRevision {
    /// Parses and analyses a snapshot (CPU-bound: run it off the async threads).
    pub fn build(id: i64, snapshot: Snapshot, cache: Arc<PageCache>) -> StudyAtRevision {
        StudyAtRevision::build_reusing(id, snapshot, cache, &Memos::default())
    }

    /// Parses and analyses a snapshot, reusing what an earlier revision's
    /// build kept: only the interviews whose files changed are parsed and
    /// counted again (CPU-bound: run it off the async threads).
    pub fn build_reusing(id: i64, snapshot: Snapshot, cache: Arc<PageCache>, earlier: &Memos) -> StudyAtRevision {
        let (loaded, parses) = load_reusing(&snapshot.files, &earlier.parses);
        let mut counts = SynthesisMemo::default();
        let analysis = loaded.problems.is_empty().then(|| {
            let (synthesis, kept) = synthesise_reusing(&loaded.study, parses.context(), &earlier.counts);
            counts = kept;
            let model = Model::discover(&loaded.study, &synthesis);
            let rows: Vec<_> = synthesis.table.shown(false).collect();
            let table_json = table::table_json(&rows, None);
            let model_json = table::model_json(&model);
            Analysis { synthesis, model, table_json, model_json }
        });
        StudyAtRevision {
            id,
            revision: snapshot.revision,
            title: snapshot.title,
            files: snapshot.files,
            versions: snapshot.versions,
            study: loaded.study,
            problems: loaded.problems,
            analysis,
            report: ReportOptions { workspace: true, png: false },
            pages: OnceLock::new(),
            cache,
            search_index: OnceLock::new(),
            coding_without_analysis: OnceLock::new(),
            checked_back: OnceLock::new(),
            memos: Mutex::new(Some(Memos { parses, counts })),
        }
    }

    /// Parses and analyses a past revision, whose pages are the published
    /// report exactly as `collabmap report` writes it from the study exported
    /// at that revision (CPU-bound: run it off the async threads).
    pub fn build_past(id: i64, snapshot: Snapshot, cache: Arc<PageCache>) -> StudyAtRevision {
        StudyAtRevision { report: ReportOptions::default(), ..StudyAtRevision::build(id, snapshot, cache) }
    }

    /// Whether this is a past revision (read-only, shown as the published report).
    pub fn is_past(&self) -> bool {
        !self.report.workspace
    }

    /// The report's page at `path`, rendered on first use and then served
    /// from the cache until it is evicted (CPU-bound: call it off the async
    /// threads). `Ok(None)` when the report has no such page.
    pub fn page(&self, path: &str) -> Result<Option<axum::body::Bytes>, String> {
        let key = PageKey { study: self.id, revision: self.revision, workspace: self.report.workspace, path: path.to_string() };
        if let Some(bytes) = self.cache.get(&key) {
            return Ok(Some(bytes));
        }
        let (pages, source) = self.pages()?;
        match pages.page(source, path) {
            None => Ok(None),
            Some(Err(error)) => Err(error.to_string()),
            Some(Ok(bytes)) => {
                let bytes = axum::body::Bytes::from(bytes);
                self.cache.put(key, bytes.clone());
                Ok(Some(bytes))
            }
        }
    }

    /// Page `n` of the list of interviews `query` asks for, sorted and
    /// filtered across every interview (CPU-bound: call it off the async
    /// threads); `Ok(None)` past its last page. Not cached: the orders it
    /// reads are kept per revision, and a page of rows renders in about a
    /// millisecond, while the filters' words are as many as there are users.
    pub fn interview_list(&self, query: &ListQuery, n: usize) -> Result<Option<axum::body::Bytes>, String> {
        let (pages, source) = self.pages()?;
        pages.interview_list(source, query, n).map(|page| page.map(axum::body::Bytes::from)).map_err(|error| error.to_string())
    }

    /// The interviews `query` lists, in its order, with their projects' names (CPU-bound).
    pub fn listed_interviews(&self, query: &ListQuery) -> Result<(std::borrow::Cow<'_, [u32]>, &ReportPages), String> {
        let (pages, source) = self.pages()?;
        Ok((pages.listed_interviews(source, query), pages))
    }

    /// What the report's pages share, derived on first use, with what they
    /// are made from; refused while the study has problems.
    fn pages(&self) -> Result<(&ReportPages, Analysed<'_>), String> {
        let analysis = self.analysis.as_ref().ok_or_else(|| format!("the study has {} problems; fix them to see its report", self.problems.len()))?;
        let source = Analysed { study: &self.study, synthesis: &analysis.synthesis, model: &analysis.model };
        Ok((self.pages.get_or_init(|| ReportPages::new(source, self.report)), source))
    }

    /// The hits of `query` under `filters`, from the study's words folded
    /// for searching on first use (CPU-bound: call it off the async threads).
    pub fn search(&self, query: &Query, filters: &Filters) -> Vec<Hit> {
        let index = self.search_index.get_or_init(|| SearchIndex::new(&self.study));
        let coding = match &self.analysis {
            Some(analysis) => &analysis.synthesis.coding,
            None => self.coding_without_analysis.get_or_init(|| Coding::of(&self.study)),
        };
        index.search(&self.study, coding, query, filters)
    }

    /// How many interviews are checked back (the dashboard asks on every
    /// visit; counting reaches every interview).
    pub fn checked_back(&self) -> usize {
        *self.checked_back.get_or_init(|| self.study.interviews.iter().filter(|iv| iv.checked_back).count())
    }

    /// The version of `path` (0 when there is no such file).
    pub fn version(&self, path: &str) -> i64 {
        self.versions.get(path).copied().unwrap_or(0)
    }

    /// The file of the interview with this id, if there is one.
    pub fn interview_file(&self, id: &str) -> Option<String> {
        self.study.interviews.iter().find(|iv| iv.id == id).map(|iv| iv.file.clone()).or_else(|| {
            let path = format!("interviews/{id}.md");
            self.files.get(&path).is_some().then_some(path)
        })
    }

    fn context_sets(&self) -> (collabmap_study::IdSet<'_>, collabmap_study::IdSet<'_>) {
        (self.study.people.iter().map(|p| p.id.as_str()).collect(), self.study.projects.iter().map(|p| p.id.as_str()).collect())
    }

    /// The problems the study would have after `changes` (path, new bytes or
    /// `None` to delete). Interview edits to a sound study are checked alone,
    /// which is what keeps saves fast on large studies.
    pub fn validate(&self, changes: &[(String, Option<Vec<u8>>)]) -> Vec<Problem> {
        // Interviews alone may be checked alone, unless a memo is about an
        // interview or a concept: editing or removing one could leave it
        // about nothing, which only the whole study shows.
        let memo_on_interviews = self.study.memos.iter().any(|m| matches!(m.about, MemoAbout::Interview(_) | MemoAbout::Concept { .. }));
        if self.problems.is_empty() && !memo_on_interviews && changes.iter().all(|(path, _)| is_interview_path(path)) {
            let (people, projects) = self.context_sets();
            let context =
                InterviewContext { codebook: &self.study.codebook, people: &people, projects: &projects, files: Some(&self.files), check_codes: true };
            let changed: HashSet<&str> = changes.iter().map(|(p, _)| p.as_str()).collect();
            // A save usually changes one interview: scanning the others for its
            // id is then cheaper than indexing every id of a large study.
            let few = changes.len() <= 8;
            let unchanged = || self.study.interviews.iter().filter(|iv| !changed.contains(iv.file.as_str()));
            // The id first: asking the set hashes the file's name.
            let unchanged_with = |id: &str| self.study.interviews.iter().find(|iv| iv.id == id && !changed.contains(iv.file.as_str()));
            let mut taken: HashMap<String, String> = if few { HashMap::new() } else { unchanged().map(|iv| (iv.id.clone(), iv.file.clone())).collect() };
            let mut problems = Vec::new();
            for (path, bytes) in changes {
                let Some(bytes) = bytes else { continue };
                let (interview, found) = parse_interview(bytes, path, &context);
                problems.extend(found);
                // A file that keeps the id it had was alone with it (a stored
                // study has no repeated id); interviews are in file order.
                let kept_its_id = || {
                    let before = self.study.interviews.binary_search_by(|iv| iv.file.as_str().cmp(path)).ok();
                    before.is_some_and(|at| self.study.interviews[at].id == interview.id)
                };
                let unchanged_with_id = || {
                    if few && !kept_its_id() { unchanged_with(&interview.id).map(|iv| iv.file.as_str()) } else { None }
                };
                match taken.get(&interview.id).map(String::as_str).or_else(unchanged_with_id) {
                    Some(first) => problems.push(duplicate_interview(path, &interview.id, first)),
                    None => {
                        taken.insert(interview.id.clone(), path.clone());
                    }
                }
            }
            problems.sort();
            problems.dedup();
            return problems;
        }
        let mut candidate = self.files.clone();
        for (path, bytes) in changes {
            match bytes {
                Some(bytes) => candidate.insert(path.clone(), bytes.clone()),
                None => {
                    candidate.remove(path);
                }
            }
        }
        load_from(&candidate).problems
    }

    /// The live preview of an edited file: its map drawing (for interviews,
    /// up to [`MAX_PREVIEW_NODES`] nodes) and the problems it would have.
    pub fn preview(&self, path: &str, text: &str) -> Preview {
        let (svg, problems) = self.preview_parts(path, text);
        match svg {
            Some(Err(nodes)) => Preview {
                svg: None,
                problems,
                note: Some(format!("the map has {nodes} nodes, too large to draw live (at most {MAX_PREVIEW_NODES}); the report draws it after saving")),
            },
            Some(Ok(svg)) => Preview { svg: Some(svg), problems, note: None },
            None => Preview { svg: None, problems, note: None },
        }
    }

    /// Reads `text` as the interview at `path` of this study (which may not
    /// be saved yet: a draft): the interview and the problems it would have.
    pub fn parse_interview_text(&self, path: &str, text: &str) -> (collabmap_study::Interview, Vec<Problem>) {
        let (people, projects) = self.context_sets();
        let context = InterviewContext {
            codebook: &self.study.codebook,
            people: &people,
            projects: &projects,
            files: Some(&self.files),
            check_codes: self.problems.is_empty(),
        };
        parse_interview(text.as_bytes(), path, &context)
    }

    fn preview_parts(&self, path: &str, text: &str) -> (Option<Result<String, usize>>, Vec<Problem>) {
        if is_interview_path(path) {
            let (interview, mut problems) = self.parse_interview_text(path, text);
            if let Some(first) = self.study.interviews.iter().find(|iv| iv.id == interview.id && iv.file != path) {
                problems.push(duplicate_interview(path, &interview.id, &first.file));
            }
            // A drawing grows with the map: past the bound, a viewer could make the server write hundreds of megabytes.
            let drawing = if interview.map.len() > MAX_PREVIEW_NODES { Err(interview.map.len()) } else { Ok(map_svg(&interview, &self.study.codebook)) };
            return (Some(drawing), problems);
        }
        (None, self.validate(&[(path.to_string(), Some(text.as_bytes().to_vec()))]))
    }
}

/// Most map nodes the live preview draws.
pub(crate) const MAX_PREVIEW_NODES: usize = 2_000;

/// What the live preview answers.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The map drawing, when the file is an interview small enough to draw.
    pub svg: Option<String>,
    /// The problems the file would have.
    pub problems: Vec<Problem>,
    /// Why there is no drawing, when the map is too large.
    pub note: Option<String>,
}

/// A file the workspace lets people edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Document {
    /// One interview, by id.
    Interview(String),
    /// `people.csv`.
    People,
    /// `projects.csv`.
    Projects,
    /// The study's own codebook, or the built-in one it uses.
    Codebook,
    /// `study.toml`.
    Settings,
    /// One memo, by its file's stem (`memos/NAME.md`).
    Memo(String),
}

/// A document's text as the editor shows it.
#[derive(Debug, Clone)]
pub(crate) struct DocumentText {
    /// The file's path (for a built-in codebook, the path it will be saved to).
    pub path: String,
    /// Its text.
    pub text: String,
    /// Its version; 0 when the file does not exist yet.
    pub version: i64,
    /// Whether the file exists.
    pub exists: bool,
}

impl Document {
    /// The editor's name for the document.
    pub(crate) fn label(&self) -> String {
        match self {
            Document::Interview(id) => format!("Interview {id}"),
            Document::People => "People".into(),
            Document::Projects => "Projects".into(),
            Document::Codebook => "Codebook".into(),
            Document::Settings => "Study settings".into(),
            Document::Memo(name) => format!("Memo {name}"),
        }
    }

    fn builtin_codebook(view: &StudyAtRevision) -> Option<String> {
        let config = &view.study.config;
        config.codebook_file().is_none().then(|| config.codebook.trim().to_string())
    }

    /// The document's current text and version.
    pub(crate) fn read(&self, view: &StudyAtRevision) -> Result<DocumentText, AppError> {
        let path = match self {
            Document::Interview(id) => {
                if !is_interview_id(id) {
                    return Err(AppError::NotFound);
                }
                view.interview_file(id).unwrap_or_else(|| format!("interviews/{id}.md"))
            }
            Document::Memo(name) => {
                if !is_interview_id(name) {
                    return Err(AppError::NotFound);
                }
                format!("memos/{name}.md")
            }
            Document::People => "people.csv".into(),
            Document::Projects => "projects.csv".into(),
            Document::Settings => "study.toml".into(),
            Document::Codebook => match Document::builtin_codebook(view) {
                Some(name) => {
                    let text = Codebook::builtin_text(&name).unwrap_or_default().to_string();
                    return Ok(DocumentText { path: free_codebook_path(view), text, version: 0, exists: false });
                }
                None => view.study.config.codebook_file().unwrap_or_default(),
            },
        };
        let bytes = view.files.get(&path);
        Ok(DocumentText {
            text: bytes.map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default(),
            version: view.version(&path),
            exists: bytes.is_some(),
            path,
        })
    }

    /// The changes that save `text` over version `version` (0: the file is new).
    /// Saving the built-in codebook gives the study its own copy and points
    /// `study.toml` at it, in the same transaction.
    pub(crate) fn changes(&self, view: &StudyAtRevision, text: &str, version: i64) -> Result<(Vec<Change>, Option<String>), AppError> {
        let current = self.read(view)?;
        let expected = (version != 0).then_some(version);
        let mut changes = vec![Change { path: current.path.clone(), expected, content: Some(text.as_bytes().to_vec()) }];
        let mut title = None;
        if *self == Document::Codebook && Document::builtin_codebook(view).is_some() {
            let settings = String::from_utf8_lossy(view.files.get("study.toml").unwrap_or_default()).into_owned();
            let pointed = point_codebook_at(&settings, &current.path);
            changes.push(Change { path: "study.toml".into(), expected: Some(view.version("study.toml")), content: Some(pointed.into_bytes()) });
        }
        if *self == Document::Settings {
            title = StudyConfig::parse(text).ok().map(|c| c.title);
        }
        Ok((changes, title))
    }
}

/// A codebook file name the study does not use yet.
fn free_codebook_path(view: &StudyAtRevision) -> String {
    (0..).map(|n| if n == 0 { "codebook.toml".to_string() } else { format!("codebook-{n}.toml") }).find(|p| view.files.get(p).is_none()).unwrap_or_default()
}

/// `study.toml` text with its `codebook` line pointing at `path`, every other line as it was.
pub(crate) fn point_codebook_at(settings: &str, path: &str) -> String {
    let line = StudyConfig::codebook_line(settings);
    let replacement = format!("codebook = \"{path}\"");
    let mut found = false;
    let mut out: Vec<String> = settings
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, raw)| {
            if i + 1 == line && raw.trim_start().starts_with("codebook") {
                found = true;
                let ending = if raw.ends_with("\r\n") {
                    "\r\n"
                } else if raw.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                format!("{replacement}{ending}")
            } else {
                raw.to_string()
            }
        })
        .collect();
    if !found {
        // TOML keys after a [table] header would land inside it, so the key goes first.
        out.insert(0, format!("{replacement}\n"));
    }
    out.concat()
}

/// One study's parsed view; the async lock makes concurrent readers wait for one build.
type Slot = Arc<tokio::sync::Mutex<Option<Arc<StudyAtRevision>>>>;

/// A rendered page: whose, at which revision, as which report, and where.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    study: i64,
    revision: i64,
    /// The workspace's pages and the published report differ (navigation, memos, pictures).
    workspace: bool,
    path: String,
}

/// Rendered pages of every study the server holds, evicted least recently
/// used once they hold more than a bound in bytes. Keys carry the revision,
/// so a save never serves a stale page: the old revision's pages are simply
/// never asked for again and age out.
pub struct PageCache {
    pages: Mutex<lru::LruCache<PageKey, axum::body::Bytes>>,
    held: std::sync::atomic::AtomicUsize,
    bound: usize,
}

/// Bytes of rendered pages a server keeps by default.
pub(crate) const PAGE_CACHE_BYTES: usize = 256 * 1024 * 1024;

impl PageCache {
    /// A cache holding at most `bound` bytes of pages (a page larger than that is served but not kept).
    pub fn new(bound: usize) -> PageCache {
        PageCache { pages: Mutex::new(lru::LruCache::unbounded()), held: 0.into(), bound }
    }

    /// The page under `key`, marked as just used.
    pub fn get(&self, key: &PageKey) -> Option<axum::body::Bytes> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    /// Keeps `bytes` under `key`, evicting the least recently used pages past the bound.
    pub fn put(&self, key: PageKey, bytes: axum::body::Bytes) {
        use std::sync::atomic::Ordering::Relaxed;
        if bytes.len() > self.bound {
            return;
        }
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let size = bytes.len();
        if let Some(old) = pages.put(key, bytes) {
            self.held.fetch_sub(old.len(), Relaxed);
        }
        self.held.fetch_add(size, Relaxed);
        while self.held.load(Relaxed) > self.bound {
            let Some((_, evicted)) = pages.pop_lru() else { break };
            self.held.fetch_sub(evicted.len(), Relaxed);
        }
    }

    /// Bytes of pages held.
    pub fn held(&self) -> usize {
        self.held.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets every page of `study` (after it is deleted).
    fn forget(&self, study: i64) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let gone: Vec<PageKey> = pages.iter().filter(|(key, _)| key.study == study).map(|(key, _)| key.clone()).collect();
        for key in gone {
            if let Some(bytes) = pages.pop(&key) {
                self.held.fetch_sub(bytes.len(), std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache::new(PAGE_CACHE_BYTES)
    }
}

/// Parsed studies by id, one revision each, rebuilt after a save on first use.
#[derive(Default)]
pub struct Views {
    /// Rendered pages, shared by every study's views.
    cache: Arc<PageCache>,
    slots: Mutex<HashMap<i64, Slot>>,
    /// Past revisions people are reading, by (study, revision): they never change.
    past: Mutex<HashMap<(i64, i64), Slot>>,
    saves: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

/// Most studies kept parsed at once.
const KEPT_VIEWS: usize = 16;

/// Most past revisions kept parsed at once (each costs what its study costs).
const KEPT_PAST_VIEWS: usize = 4;

impl Views {
    /// The study at its current revision.
    pub async fn get(&self, store: &Store, id: i64) -> Result<Arc<StudyAtRevision>, AppError> {
        let revision = store.revision(id).await?.ok_or(AppError::NotFound)?;
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            if slots.len() > KEPT_VIEWS && !slots.contains_key(&id) {
                slots.clear();
            }
            slots.entry(id).or_default().clone()
        };
        // One request per study parses; the others wait for its result.
        let mut held = slot.lock().await;
        if let Some(view) = held.as_ref()
            && view.revision >= revision
        {
            return Ok(view.clone());
        }
        // The revision this server held, if any, lends its files, parses and
        // counts: the store reads what changed since, and only that is parsed again.
        let earlier = held.take();
        let snapshot = match &earlier {
            Some(view) => store.snapshot_after(id, view.revision, &view.files, &view.versions).await?,
            None => store.snapshot(id).await?,
        }
        .ok_or(AppError::NotFound)?;
        let cache = self.cache.clone();
        let view = Arc::new(
            tokio::task::spawn_blocking(move || {
                let memos = earlier.and_then(|view| view.memos.lock().unwrap_or_else(|e| e.into_inner()).take()).unwrap_or_default();
                StudyAtRevision::build_reusing(id, snapshot, cache, &memos)
            })
            .await?,
        );
        *held = Some(view.clone());
        Ok(view)
    }

    /// The study as it was at `revision`; not found when it has no such revision.
    pub async fn at(&self, store: &Store, id: i64, revision: i64) -> Result<Arc<StudyAtRevision>, AppError> {
        let slot = {
            let mut past = self.past.lock().unwrap_or_else(|e| e.into_inner());
            if past.len() >= KEPT_PAST_VIEWS && !past.contains_key(&(id, revision)) {
                past.clear();
            }
            past.entry((id, revision)).or_default().clone()
        };
        let mut held = slot.lock().await;
        if let Some(view) = held.as_ref() {
            return Ok(view.clone());
        }
        let snapshot = store.snapshot_at(id, revision).await?.ok_or(AppError::NotFound)?;
        let cache = self.cache.clone();
        let view = Arc::new(tokio::task::spawn_blocking(move || StudyAtRevision::build_past(id, snapshot, cache)).await?);
        *held = Some(view.clone());
        Ok(view)
    }

    /// The lock that orders this process's saves to one study: held from
    /// check to commit, so saves in one server never race each other (the
    /// store's revision check still catches other servers).
    pub fn save_lock(&self, id: i64) -> Arc<tokio::sync::Mutex<()>> {
        self.saves.lock().unwrap_or_else(|e| e.into_inner()).entry(id).or_default().clone()
    }

    /// Forgets a study (after it is deleted).
    pub fn forget(&self, id: i64) {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        self.past.lock().unwrap_or_else(|e| e.into_inner()).retain(|&(study, _), _| study != id);
        self.cache.forget(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointing_the_codebook_keeps_every_other_line() {
        let settings = "title = \"A\"\r\ncodebook = \"whole-systems\"\r\n\r\n[counting]\r\n";
        assert_eq!(point_codebook_at(settings, "codebook.toml"), "title = \"A\"\r\ncodebook = \"codebook.toml\"\r\n\r\n[counting]\r\n");
        assert_eq!(point_codebook_at("title = \"A\"\n", "c.toml"), "codebook = \"c.toml\"\ntitle = \"A\"\n");
    }

    #[test]
    fn the_page_cache_keeps_its_bound_and_evicts_the_least_recently_used() {
        let key = |path: &str| PageKey { study: 1, revision: 1, workspace: true, path: path.into() };
        let page = |size: usize| axum::body::Bytes::from(vec![b'x'; size]);
        let cache = PageCache::new(100);
        cache.put(key("a"), page(40));
        cache.put(key("b"), page(40));
        assert!(cache.get(&key("a")).is_some(), "a is now the most recently used");
        cache.put(key("c"), page(40));
        assert!(cache.get(&key("b")).is_none(), "b was the least recently used, so it went");
        assert!(cache.get(&key("a")).is_some() && cache.get(&key("c")).is_some());
        assert_eq!(cache.held(), 80);
        cache.put(key("a"), page(10));
        assert_eq!(cache.held(), 50, "a page put again replaces its bytes");
        cache.put(key("huge"), page(101));
        assert!(cache.get(&key("huge")).is_none(), "a page over the bound is served but not kept");
        let other = PageKey { revision: 2, ..key("a") };
        assert!(cache.get(&other).is_none(), "another revision's page is another page");
        cache.forget(1);
        assert_eq!(cache.held(), 0);
    }

    #[test]
    fn interview_paths_are_recognised() {
        assert!(is_interview_path("interviews/a.md"));
        assert!(!is_interview_path("interviews/a/b.md"));
        assert!(!is_interview_path("people.csv"));
        assert!(!is_interview_path("interviews/.md"));
    }
}
