//! Studies as the server holds them: parsed and analysed once per revision,
//! shared by every request until the next save.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use collabmap_analysis::search::{Filters, Hit, Query, SearchIndex};
use collabmap_analysis::{Coding, Model, Synthesis, synthesise};
use collabmap_render::map_drawing::map_svg;
use collabmap_render::report::{ReportOptions, build_report_with};
use collabmap_render::table;
use collabmap_store::{Change, Snapshot, Store};
use collabmap_study::MemoAbout;
use collabmap_study::{Codebook, InterviewContext, MemoryFiles, Problem, Study, StudyConfig, duplicate_interview, is_interview_id, load_from, parse_interview};

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
    pub versions: HashMap<String, i64>,
    /// The parsed study.
    pub study: Study,
    /// Its problems (a stored study normally has none: saves that add one are refused).
    pub problems: Vec<Problem>,
    /// The analysis, when there are no problems.
    pub analysis: Option<Analysis>,
    /// How its pages are built: the workspace's pages for the current
    /// revision, the published report (what `collabmap report` writes) for a past one.
    report: ReportOptions,
    /// The report's pages, shared by every request: a page is handed out by reference count, never copied.
    site: OnceLock<Result<HashMap<String, axum::body::Bytes>, String>>,
    search_index: OnceLock<SearchIndex>,
    /// The items' codes when there is no analysis to take them from (a study with problems can still be searched).
    coding_without_analysis: OnceLock<Coding>,
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
    pub fn build(id: i64, snapshot: Snapshot) -> StudyAtRevision {
        let loaded = load_from(&snapshot.files);
        let analysis = loaded.problems.is_empty().then(|| {
            let synthesis = synthesise(&loaded.study);
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
            site: OnceLock::new(),
            search_index: OnceLock::new(),
            coding_without_analysis: OnceLock::new(),
        }
    }

    /// Parses and analyses a past revision, whose pages are the published
    /// report exactly as `collabmap report` writes it from the study exported
    /// at that revision (CPU-bound: run it off the async threads).
    pub fn build_past(id: i64, snapshot: Snapshot) -> StudyAtRevision {
        StudyAtRevision { report: ReportOptions::default(), ..StudyAtRevision::build(id, snapshot) }
    }

    /// Whether this is a past revision (read-only, shown as the published report).
    pub fn is_past(&self) -> bool {
        !self.report.workspace
    }

    /// The report pages of the study, built on first use.
    pub fn site(&self) -> Result<&HashMap<String, axum::body::Bytes>, String> {
        self.site
            .get_or_init(|| {
                let analysis = self.analysis.as_ref().ok_or_else(|| format!("the study has {} problems; fix them to see its report", self.problems.len()))?;
                let site = build_report_with(&self.study, &analysis.synthesis, &analysis.model, self.report).map_err(|e| e.to_string())?;
                Ok(site.files.into_iter().map(|f| (f.path, axum::body::Bytes::from(f.bytes))).collect())
            })
            .as_ref()
            .map_err(Clone::clone)
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

    fn context_sets(&self) -> (HashSet<&str>, HashSet<&str>) {
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
            let mut taken: HashMap<String, String> =
                self.study.interviews.iter().filter(|iv| !changed.contains(iv.file.as_str())).map(|iv| (iv.id.clone(), iv.file.clone())).collect();
            let mut problems = Vec::new();
            for (path, bytes) in changes {
                let Some(bytes) = bytes else { continue };
                let (interview, found) = parse_interview(bytes, path, &context);
                problems.extend(found);
                match taken.get(&interview.id) {
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

/// Parsed studies by id, one revision each, rebuilt after a save on first use.
#[derive(Default)]
pub struct Views {
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
        let snapshot = store.snapshot(id).await?.ok_or(AppError::NotFound)?;
        let view = Arc::new(tokio::task::spawn_blocking(move || StudyAtRevision::build(id, snapshot)).await?);
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
        let view = Arc::new(tokio::task::spawn_blocking(move || StudyAtRevision::build_past(id, snapshot)).await?);
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
    fn interview_paths_are_recognised() {
        assert!(is_interview_path("interviews/a.md"));
        assert!(!is_interview_path("interviews/a/b.md"));
        assert!(!is_interview_path("people.csv"));
        assert!(!is_interview_path("interviews/.md"));
    }
}
