//! Loading a study folder: every file parsed, every problem collected.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::files::{Folder, StudyFiles, not_a_picture, picture_media_type, safe_relative};

use rayon::prelude::*;

use crate::codebook::{BUILTIN_CODEBOOKS, Codebook};
use crate::config::StudyConfig;
use crate::model::{Interview, Memo, MemoAbout, Study};
use crate::parse::interview::{InterviewContext, MAX_INTERVIEW_BYTES, parse_interview, too_large};
use crate::parse::memo::parse_memo;
use crate::parse::tables::{parse_people, parse_projects};
use crate::problem::{Problem, suggestion};

/// A study as read, with everything found wrong in it.
///
/// Loading never fails: a broken line is reported and skipped, so that one
/// slip does not hide every other problem.
#[derive(Debug)]
pub struct Loaded {
    /// What could be read.
    pub study: Study,
    /// Problems, sorted by file and line. The study is valid when this is empty.
    pub problems: Vec<Problem>,
}

impl Loaded {
    /// The study, or its problems.
    pub fn into_result(self) -> Result<Study, Vec<Problem>> {
        if self.problems.is_empty() { Ok(self.study) } else { Err(self.problems) }
    }
}

fn read(files: &dyn StudyFiles, name: &str, problems: &mut Vec<Problem>) -> Option<Vec<u8>> {
    match files.read(name) {
        Ok(bytes) => Some(bytes),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            problems.push(Problem::new(name, 1, format!("cannot read the file: {error}")));
            None
        }
    }
}

/// Reads the study folder at `root`.
pub fn load_study(root: &Path) -> Loaded {
    load_from(&Folder::new(root))
}

/// Reads a study from wherever its files are.
pub fn load_from(root: &dyn StudyFiles) -> Loaded {
    // Listing a large folder of interviews and reading people.csv are each
    // a single thread's work: done side by side.
    let (tables, (names, listing_problems)) = rayon::join(
        || read_tables(root),
        || {
            let mut problems = Vec::new();
            (interview_files(root, &mut problems), problems)
        },
    );
    load_with(root, &tables, |context, problems| {
        problems.extend(listing_problems);
        load_interviews(root, &names, context, problems)
    })
}

/// Each interview file's parse from an earlier load, kept for the next.
///
/// An interview's parse depends on its own bytes and on its context: the
/// settings, the codebook, people, projects and which other files exist
/// (pictures). The memo keys each parse by a digest of the file's bytes and
/// the whole memo by a digest of the context, so a later load reparses only
/// the interview files whose bytes changed, or every one when the context
/// did (a rare save of people.csv, the codebook or the settings).
#[derive(Debug, Clone, Default)]
pub struct ParseMemo {
    context: u128,
    /// The settings, codebook, people and projects, read under `context`.
    tables: Option<Arc<Tables>>,
    /// Every interview file's parse, in path order.
    interviews: Vec<Arc<ParsedFile>>,
    /// Whether two of those files had the same interview id.
    duplicates: bool,
}

/// One interview file as a load left it.
#[derive(Debug)]
struct ParsedFile {
    path: String,
    /// The bytes parsed: held, so that while the memo lives no other file's
    /// bytes can take their place in memory, and the same allocation in the
    /// next load's files means the same bytes without reading them.
    bytes: Arc<[u8]>,
    digest: u128,
    /// `None` when the file is too large to read.
    interview: Option<Arc<Interview>>,
    problems: Vec<Problem>,
}

impl ParseMemo {
    /// The digest of everything but the interviews and memos: whatever a
    /// result derived from the interviews depends on besides their bytes.
    /// Results kept beside the memo (the analysis's per-interview
    /// contributions) are valid exactly while it is unchanged.
    pub fn context(&self) -> u128 {
        self.context
    }
}

/// Reads a study held in memory like [`load_from`], reusing `memo`'s parse
/// of every interview file whose bytes and context are unchanged; also
/// returns the memo for the next load. The result equals `load_from`'s.
///
/// Files are matched by walking this load's interview files and the memo's
/// together in path order, never by lookup, so an unchanged file costs a
/// pointer comparison: what a save of one interview costs grows with the
/// change, plus that walk.
pub fn load_reusing(files: &crate::files::MemoryFiles, memo: &ParseMemo) -> (Loaded, ParseMemo) {
    use xxhash_rust::xxh3::Xxh3;
    let mut context = Xxh3::new();
    for (path, bytes) in files.iter() {
        if is_interview_file(path) || path.starts_with("memos/") {
            continue;
        }
        // Lengths first, so that no two different sets of files hash the same stream.
        context.update(&(path.len() as u64).to_le_bytes());
        context.update(path.as_bytes());
        context.update(&(bytes.len() as u64).to_le_bytes());
        context.update(bytes);
    }
    let context = context.digest128();
    let empty = ParseMemo::default();
    let memo = if memo.context == context { memo } else { &empty };
    let tables = match &memo.tables {
        Some(kept) => kept.clone(),
        None => Arc::new(read_tables(files)),
    };
    let mut kept = Vec::new();
    let mut duplicates = false;
    let loaded = load_with(files, &tables, |context, problems| {
        let (interviews, parses, found_duplicates) = interviews_reusing(files, context, memo, problems);
        (kept, duplicates) = (parses, found_duplicates);
        interviews
    });
    (loaded, ParseMemo { context, tables: Some(tables), interviews: kept, duplicates })
}

/// The interview files of `files` in path order, each parsed or taken from
/// `memo`; their problems added to `problems`. Returns the interviews (a
/// file whose id an earlier file has left out), every file's parse for the
/// next memo, and whether any id was used twice.
fn interviews_reusing(
    files: &crate::files::MemoryFiles,
    context: &InterviewContext<'_>,
    memo: &ParseMemo,
    problems: &mut Vec<Problem>,
) -> (Vec<Arc<Interview>>, Vec<Arc<ParsedFile>>, bool) {
    // Each file is the memo's parse, or a parse to make.
    enum Step<'f> {
        Kept(Arc<ParsedFile>),
        Parse { path: &'f str, bytes: &'f Arc<[u8]>, digest: u128, earlier: Option<Arc<ParsedFile>> },
    }
    let mut earlier = memo.interviews.iter().peekable();
    let steps: Vec<Step<'_>> = files
        .shared_under("interviews/")
        .filter(|(path, _)| is_interview_file(path) && !path["interviews/".len()..].starts_with('.'))
        .map(|(path, bytes)| {
            while earlier.next_if(|kept| kept.path.as_str() < path).is_some() {}
            let same_path = earlier.next_if(|kept| kept.path == path);
            match same_path {
                Some(kept) if Arc::ptr_eq(&kept.bytes, bytes) => Step::Kept(kept.clone()),
                kept => Step::Parse { path, bytes, digest: xxhash_rust::xxh3::xxh3_128(bytes), earlier: kept.cloned() },
            }
        })
        .collect();
    let changed: Vec<usize> = steps.iter().enumerate().filter_map(|(at, step)| matches!(step, Step::Parse { .. }).then_some(at)).collect();
    let parses: Vec<Arc<ParsedFile>> = steps
        .into_par_iter()
        .map(|step| match step {
            Step::Kept(kept) => kept,
            Step::Parse { path, bytes, digest, earlier } => Arc::new(match earlier {
                // The same bytes in a new allocation (a save that changed nothing).
                Some(kept) if kept.digest == digest => {
                    ParsedFile { path: path.to_string(), bytes: bytes.clone(), digest, interview: kept.interview.clone(), problems: kept.problems.clone() }
                }
                // Refused before parsing, so a runaway file never fills memory.
                _ => match too_large(path, bytes.len() as u64) {
                    Some(problem) => ParsedFile { path: path.to_string(), bytes: bytes.clone(), digest, interview: None, problems: vec![problem] },
                    None => {
                        let (interview, found) = parse_interview(bytes, path, context);
                        ParsedFile { path: path.to_string(), bytes: bytes.clone(), digest, interview: Some(Arc::new(interview)), problems: found }
                    }
                },
            }),
        })
        .collect();
    for parse in &parses {
        problems.extend(parse.problems.iter().cloned());
    }
    // Ids are checked whole only when one may repeat: when the memo had a
    // repeat (a removal may mend it) or many files changed; otherwise each
    // changed file's id is looked for among the others.
    let id_elsewhere = |at: usize| {
        parses[at].interview.as_ref().is_some_and(|mine| {
            parses.iter().enumerate().any(|(other_at, other)| other_at != at && other.interview.as_ref().is_some_and(|theirs| theirs.id == mine.id))
        })
    };
    let may_repeat = memo.duplicates || changed.len() > 8 || changed.iter().any(|&at| id_elsewhere(at));
    let interviews: Vec<(&str, Option<Arc<Interview>>)> = parses.iter().map(|parse| (parse.path.as_str(), parse.interview.clone())).collect();
    let (interviews, duplicates) =
        if may_repeat { without_repeated_ids(interviews, problems) } else { (interviews.into_iter().filter_map(|(_, i)| i).collect(), false) };
    (interviews, parses, duplicates)
}

/// Whether `path` is an `interviews/*.md` file (the files [`load_from`] parses as interviews).
fn is_interview_file(path: &str) -> bool {
    path.strip_prefix("interviews/").is_some_and(|name| !name.contains('/') && has_md_extension(name))
}

/// Whether `name` ends in `.md`, in any case (without allocating: this is asked of every file on every save).
fn has_md_extension(name: &str) -> bool {
    name.len() >= 3 && name.as_bytes()[name.len() - 3..].eq_ignore_ascii_case(b".md")
}

/// Everything of a study but its interviews and memos, as read: what every
/// interview is checked against. Kept whole by a [`ParseMemo`] while its files are unchanged.
#[derive(Debug)]
struct Tables {
    config: StudyConfig,
    codebook: Codebook,
    /// Whether the codebook could be read (interviews' codes are checked only then).
    codebook_ok: bool,
    people_columns: Vec<String>,
    people: Arc<Vec<crate::model::Person>>,
    project_columns: Vec<String>,
    projects: Arc<Vec<crate::model::Project>>,
    /// The problems of these files (and of files in `pictures/` that are not pictures).
    problems: Vec<Problem>,
}

/// Reads the settings, codebook, people, projects and the pictures' names.
fn read_tables(root: &dyn StudyFiles) -> Tables {
    let mut problems = Vec::new();
    let config_text = read(root, "study.toml", &mut problems).map(|b| String::from_utf8_lossy(&b).into_owned());
    let config = read_config(root, config_text.as_deref(), &mut problems);
    let (codebook, codebook_ok) = match &config {
        Some(config) => load_codebook(root, config, config_text.as_deref().unwrap_or(""), &mut problems),
        None => (Codebook::default(), false),
    };
    let config = config.unwrap_or_else(|| StudyConfig::new("", "whole-systems"));

    let (people_columns, people) = match read(root, "people.csv", &mut problems) {
        Some(bytes) => {
            let (columns, people, found) = parse_people(&bytes, "people.csv");
            problems.extend(found);
            (columns, people)
        }
        None => {
            problems.push(Problem::new("people.csv", 1, "missing people.csv: list everyone interviewed, with a header line id,name"));
            (Vec::new(), Vec::new())
        }
    };
    let (project_columns, projects) = match read(root, "projects.csv", &mut problems) {
        Some(bytes) => {
            let (columns, projects, found) = parse_projects(&bytes, "projects.csv");
            problems.extend(found);
            (columns, projects)
        }
        None => (Vec::new(), Vec::new()),
    };
    for name in root.list("pictures").unwrap_or_default() {
        let path = format!("pictures/{name}");
        if picture_media_type(&path).is_none() {
            problems.push(Problem::new(&path, 1, not_a_picture(&path)));
        }
    }
    Tables { config, codebook, codebook_ok, people_columns, people: Arc::new(people), project_columns, projects: Arc::new(projects), problems }
}

/// Reads the study of `root` with these `tables`, its interviews read by
/// `interviews` (which adds their problems).
fn load_with(root: &dyn StudyFiles, tables: &Tables, interviews: impl FnOnce(&InterviewContext<'_>, &mut Vec<Problem>) -> Vec<Arc<Interview>>) -> Loaded {
    let mut problems = tables.problems.clone();
    let person_ids: crate::IdSet = tables.people.iter().map(|p| p.id.as_str()).collect();
    let project_ids: crate::IdSet = tables.projects.iter().map(|p| p.id.as_str()).collect();
    let context =
        InterviewContext { codebook: &tables.codebook, people: &person_ids, projects: &project_ids, files: Some(root), check_codes: tables.codebook_ok };
    let interviews = interviews(&context, &mut problems);
    let memos = load_memos(root, &tables.codebook, &person_ids, &interviews, &mut problems);
    problems.sort();
    problems.dedup();
    let study = Study {
        config: tables.config.clone(),
        codebook: tables.codebook.clone(),
        people_columns: tables.people_columns.clone(),
        people: tables.people.clone(),
        project_columns: tables.project_columns.clone(),
        projects: tables.projects.clone(),
        interviews,
        memos,
    };
    Loaded { study, problems }
}

/// The settings of `study.toml` (its text, if it could be read), or `None`
/// with a problem saying why there are none.
fn read_config(root: &dyn StudyFiles, text: Option<&str>, problems: &mut Vec<Problem>) -> Option<StudyConfig> {
    let Some(text) = text else {
        let message = if root.exists() {
            "missing study.toml: every study folder needs one (`collabmap new DIR` writes a starting point)".to_string()
        } else {
            format!("{} is not a study folder: create one with `collabmap new {}`", root.describe(), root.describe())
        };
        problems.push(Problem::new("study.toml", 1, message));
        return None;
    };
    StudyConfig::parse(text).map_err(|problem| problems.push(problem)).ok()
}

/// Parses the interview files `names` (in `interviews/`) in parallel, against `context`; a file too
/// large to read, or one whose id an earlier file already has, is a problem
/// and is left out.
fn load_interviews(root: &dyn StudyFiles, names: &[String], context: &InterviewContext<'_>, problems: &mut Vec<Problem>) -> Vec<Arc<Interview>> {
    let parsed: Vec<(String, Option<Arc<Interview>>, Vec<Problem>)> = names
        .par_iter()
        .map(|name| {
            let path = format!("interviews/{name}");
            // Refused before reading, so a runaway file never fills memory.
            match root.read_within(&path, MAX_INTERVIEW_BYTES as u64) {
                Ok(Err(size)) => {
                    let problem = too_large(&path, size).unwrap_or_else(|| Problem::new(&path, 1, "the file is too large to read"));
                    (path, None, vec![problem])
                }
                Ok(Ok(bytes)) => {
                    let (interview, found) = parse_interview(&bytes, &path, context);
                    (path, Some(Arc::new(interview)), found)
                }
                Err(error) => {
                    let problem = Problem::new(&path, 1, format!("cannot read the file: {error}"));
                    (path, None, vec![problem])
                }
            }
        })
        .collect();
    let mut interviews = Vec::with_capacity(parsed.len());
    for (path, interview, found) in parsed {
        problems.extend(found);
        interviews.push((path, interview));
    }
    let interviews: Vec<(&str, Option<Arc<Interview>>)> = interviews.iter().map(|(path, interview)| (path.as_str(), interview.clone())).collect();
    without_repeated_ids(interviews, problems).0
}

/// The interviews of `files` (path, parse) in order, but for any whose id
/// an earlier file has: each of those is a problem and is left out. Also
/// says whether there was any.
fn without_repeated_ids(files: Vec<(&str, Option<Arc<Interview>>)>, problems: &mut Vec<Problem>) -> (Vec<Arc<Interview>>, bool) {
    let mut first_file: foldhash::HashMap<&str, &str> = foldhash::HashMapExt::with_capacity(files.len());
    let mut repeated = vec![false; files.len()];
    for (at, (path, interview)) in files.iter().enumerate() {
        let Some(interview) = interview else { continue };
        match first_file.entry(interview.id.as_str()) {
            std::collections::hash_map::Entry::Occupied(first) => {
                problems.push(duplicate_interview(path, &interview.id, first.get()));
                repeated[at] = true;
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(path);
            }
        }
    }
    drop(first_file);
    let any = repeated.contains(&true);
    let interviews = files.into_iter().zip(repeated).filter_map(|((_, interview), repeated)| interview.filter(|_| !repeated)).collect();
    (interviews, any)
}

/// Reads `memos/*.md` and checks that what each is about exists; a memo
/// about something unknown is a problem at its `about:` line.
fn load_memos(root: &dyn StudyFiles, codebook: &Codebook, people: &crate::IdSet, interviews: &[Arc<Interview>], problems: &mut Vec<Problem>) -> Vec<Memo> {
    let Some(mut names) = root.list("memos") else { return Vec::new() };
    names.retain(|name| has_md_extension(name) && !name.starts_with('.'));
    if names.is_empty() {
        return Vec::new();
    }
    names.sort();
    let by_id: HashMap<&str, &Interview> = interviews.iter().map(|i| (i.id.as_str(), &**i)).collect();
    let mut memos = Vec::new();
    for name in names {
        let path = format!("memos/{name}");
        if let Some(problem) = root.size(&path).and_then(|size| too_large(&path, size)) {
            problems.push(problem);
            continue;
        }
        let Some(bytes) = read(root, &path, problems) else { continue };
        let (memo, found) = parse_memo(&bytes, &path);
        problems.extend(found);
        let Some(memo) = memo else { continue };
        let hint = |word: &str, known: &mut dyn Iterator<Item = &str>| suggestion(word, known, "");
        let missing = match &memo.about {
            MemoAbout::Study => None,
            MemoAbout::Theme(id) => {
                codebook.index_of(id).is_none().then(|| format!("unknown theme `{id}`{}", hint(id, &mut codebook.themes().iter().map(|t| t.id.as_str()))))
            }
            MemoAbout::Interview(id) => (!by_id.contains_key(id.as_str())).then(|| format!("unknown interview `{id}`{}", hint(id, &mut by_id.keys().copied()))),
            MemoAbout::Person(id) => (!people.contains(id.as_str())).then(|| format!("unknown person `{id}`{}", hint(id, &mut people.iter().copied()))),
            MemoAbout::Concept { interview, block } => match by_id.get(interview.as_str()) {
                None => Some(format!("unknown interview `{interview}`{}", hint(interview, &mut by_id.keys().copied()))),
                Some(found) => {
                    let blocks: Vec<&str> = found.concepts().filter_map(|(_, c)| c.block_id.as_deref()).collect();
                    (!blocks.contains(&block.as_str()))
                        .then(|| format!("interview `{interview}` has no concept ^{block}{}", hint(block, &mut blocks.iter().copied())))
                }
            },
        };
        match missing {
            Some(message) => {
                problems.push(Problem::new(&memo.file, memo.about_line, format!("this memo is about something the study does not have: {message}")))
            }
            None => memos.push(memo),
        }
    }
    memos
}

/// The problem of an interview whose id `first` already uses.
pub fn duplicate_interview(file: &str, id: &str, first: &str) -> Problem {
    Problem::new(file, 1, format!("interview id `{id}` is already used by {first}: set a different `id:` or rename the file"))
}

fn load_codebook(root: &dyn StudyFiles, config: &StudyConfig, config_text: &str, problems: &mut Vec<Problem>) -> (Codebook, bool) {
    let line = StudyConfig::codebook_line(config_text);
    let name = config.codebook.trim();
    let Some(relative) = config.codebook_file() else {
        return match Codebook::builtin(name) {
            Some(codebook) => (codebook, true),
            None => {
                let hint = suggestion(name, BUILTIN_CODEBOOKS.iter().copied(), "");
                let known = BUILTIN_CODEBOOKS.join(", ");
                problems.push(Problem::new(
                    "study.toml",
                    line,
                    format!("unknown built-in codebook `{name}`{hint}: use one of {known}, or a path such as codebook.toml"),
                ));
                (Codebook::default(), false)
            }
        };
    };
    if safe_relative(&relative).is_none() {
        problems.push(Problem::new(
            "study.toml",
            line,
            format!(
                "the codebook `{relative}` lies outside the study folder: copy it into the folder (such as codebook.toml) and name it relative to study.toml"
            ),
        ));
        return (Codebook::default(), false);
    }
    match root.read(&relative) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let (codebook, found) = Codebook::parse(&text, &relative);
            let ok = found.is_empty();
            problems.extend(found);
            (codebook, ok)
        }
        Err(error) => {
            problems.push(Problem::new("study.toml", line, format!("cannot read the codebook `{relative}`: {error}")));
            (Codebook::default(), false)
        }
    }
}

fn interview_files(root: &dyn StudyFiles, problems: &mut Vec<Problem>) -> Vec<String> {
    let entries = match root.list("interviews") {
        Some(entries) => entries,
        None => {
            if root.exists() {
                problems.push(Problem::new("interviews", 1, "missing interviews folder: put one Markdown file per interview in interviews/"));
            }
            return Vec::new();
        }
    };
    let mut names: Vec<String> = entries.into_iter().filter(|name| has_md_extension(name) && !name.starts_with('.')).collect();
    names.sort();
    names
}
