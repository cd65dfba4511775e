//! Finding words in a study: concepts (both poles), quotes, stories and
//! picture explanations, filtered by code, by a people column, by project
//! and by interview.
//!
//! A query is words and `"quoted phrases"`; an item matches when every one
//! occurs in it, case-folded, at word boundaries (the rule indicator phrases
//! follow), so `power` finds "share power" but not "powerful".

use std::collections::HashMap;

use collabmap_study::{Interview, Item, ItemKind, Study};

use crate::coding::{Coding, attributed, normalise};

/// A parsed query: its terms, each normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    /// Parses `text`: words, and phrases in double quotes; refused when it has none.
    pub fn parse(text: &str) -> Result<Query, SearchError> {
        let mut terms = Vec::new();
        for (number, part) in text.split('"').enumerate() {
            if number % 2 == 1 {
                let phrase = normalise(part);
                if !phrase.is_empty() {
                    terms.push(phrase);
                }
            } else {
                terms.extend(normalise(part).split(' ').filter(|w| !w.is_empty()).map(str::to_string));
            }
        }
        if terms.is_empty() {
            return Err(SearchError::NoWords);
        }
        Ok(Query { terms })
    }

    /// Where each term occurs in `text` (as byte ranges of `text`), or `None` when one does not.
    pub fn find(&self, text: &str) -> Option<Vec<(usize, usize)>> {
        // Fold each character on its own so that offsets map back to the original text.
        let mut folded = String::with_capacity(text.len());
        let mut origin: Vec<usize> = Vec::with_capacity(text.len());
        let mut last_space = true;
        for (at, c) in text.char_indices() {
            if c.is_whitespace() {
                if !last_space {
                    folded.push(' ');
                    origin.push(at);
                }
                last_space = true;
                continue;
            }
            last_space = false;
            for lower in c.to_lowercase() {
                for _ in 0..lower.len_utf8() {
                    origin.push(at);
                }
                folded.push(lower);
            }
        }
        origin.push(text.len());
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        let mut spans = Vec::new();
        for term in &self.terms {
            let found = folded.match_indices(term.as_str()).find(|(start, _)| {
                let end = start + term.len();
                boundary(folded[..*start].chars().next_back()) && boundary(folded[end..].chars().next())
            })?;
            let (start, end) = (found.0, found.0 + term.len());
            let original_end = if end < origin.len() - 1 { origin[end] } else { text.len() };
            spans.push((origin[start], original_end.max(origin[start])));
        }
        spans.sort_unstable();
        Some(spans)
    }
}

/// Why a search cannot run: each names what is wrong and, when it can, the nearest right name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The query has no words.
    #[error("the search has no words: give one or more words, or a \"phrase in quotes\"")]
    NoWords,
    /// A people filter without `=`.
    #[error("`{0}` is not COLUMN=VALUE (for instance country=India)")]
    NotColumnValue(String),
    /// A code the codebook does not have.
    #[error(transparent)]
    UnknownCode(#[from] collabmap_study::UnknownCode),
    /// A column people.csv does not have.
    #[error("people.csv has no column `{column}`{hint}")]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// " (did you mean …?)", or nothing.
        hint: String,
    },
    /// A project the study does not have.
    #[error("the study has no project `{id}`{hint}")]
    UnknownProject {
        /// The id asked for.
        id: String,
        /// " (did you mean …?)", or nothing.
        hint: String,
    },
    /// An interview the study does not have.
    #[error("the study has no interview `{id}`{hint}")]
    UnknownInterview {
        /// The id asked for.
        id: String,
        /// " (did you mean …?)", or nothing.
        hint: String,
    },
}

/// What to keep besides the words.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only items coded with this codebook entry (explicit, inferred or rolled up).
    pub code: Option<usize>,
    /// Only items attributed to someone whose `column` is `value` (`country=India`).
    pub column: Option<(String, String)>,
    /// Only interviews about this project (its id).
    pub project: Option<String>,
    /// Only this interview (its id).
    pub interview: Option<String>,
}

impl Filters {
    /// The filters as a person writes them (a code id, `COLUMN=VALUE`, a
    /// project id, an interview id), each checked against the study: an
    /// unknown one is refused with the nearest name.
    pub fn parse(study: &Study, code: Option<&str>, column: Option<&str>, project: Option<&str>, interview: Option<&str>) -> Result<Filters, SearchError> {
        use collabmap_study::did_you_mean;
        let hint = |word: &str, known: &mut dyn Iterator<Item = &str>| did_you_mean(word, known).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
        let code = code.map(|id| study.codebook.index_or_refusal(id)).transpose()?;
        let column = match column {
            None => None,
            Some(pair) => {
                let Some((name, value)) = pair.split_once('=') else {
                    return Err(SearchError::NotColumnValue(pair.to_string()));
                };
                let name = name.trim();
                if !study.people_columns.iter().any(|c| c == name) {
                    return Err(SearchError::UnknownColumn {
                        column: name.to_string(),
                        hint: hint(name, &mut study.people_columns.iter().map(String::as_str)),
                    });
                }
                Some((name.to_string(), value.trim().to_string()))
            }
        };
        if let Some(id) = project
            && study.project(id).is_none()
        {
            return Err(SearchError::UnknownProject { id: id.to_string(), hint: hint(id, &mut study.projects.iter().map(|p| p.id.as_str())) });
        }
        if let Some(id) = interview
            && !study.interviews.iter().any(|i| i.id == id)
        {
            return Err(SearchError::UnknownInterview { id: id.to_string(), hint: hint(id, &mut study.interviews.iter().map(|i| i.id.as_str())) });
        }
        Ok(Filters { code, column, project: project.map(str::to_string), interview: interview.map(str::to_string) })
    }
}

/// Where a hit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// An item of an interview: its index in `study.interviews`, and which kind of item.
    Interview {
        /// Index into `study.interviews`.
        index: usize,
        /// Concept, quote, story or picture.
        kind: ItemKind,
    },
    /// A line of a memo's body: the memo's index in `study.memos`.
    Memo(usize),
}

/// One item that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The interview item or memo it was found in.
    pub source: Source,
    /// The item's line in its file.
    pub line: usize,
    /// The item's words as written (a concept with its contrast pole).
    pub text: String,
    /// Where the terms occur in `text`, as byte ranges, in order.
    pub matches: Vec<(usize, usize)>,
    /// Its codes (codebook indices), explicit and inferred, in codebook order; none for a memo.
    pub codes: Vec<usize>,
}

/// Every item of `study` that matches `query` and `filters`, in interview and
/// line order, then the memos' lines in file order. For more than one search
/// of the same study, build a [`SearchIndex`] once.
pub fn search(study: &Study, coding: &Coding, query: &Query, filters: &Filters) -> Vec<Hit> {
    SearchIndex::new(study).search(study, coding, query, filters)
}

/// Which searchable text an entry of the index is.
#[derive(Debug, Clone, Copy)]
enum Entry {
    /// A concept (by its index in the map), quote, story or picture (by its position) of an interview.
    Item { interview: u32, kind: ItemKind, position: u32 },
    /// A line of a memo's body (counted from the body's first line).
    MemoLine { memo: u32, offset: u32 },
}

/// Every searchable text of a study, case-folded once into one buffer, so
/// that a query is one substring scan of that buffer (memchr's SIMD search)
/// instead of folding every item again. Only the entries the scan finds are
/// read again, coded and checked against the filters.
///
/// The index holds no reference to the study: pass the same study to
/// [`SearchIndex::search`] (a server keeps both together, per revision).
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    /// Each entry's folded text, separated by `\n` (which folding never leaves inside one).
    folded: String,
    /// Where each entry's text starts in `folded`, in entry order.
    starts: Vec<usize>,
    entries: Vec<Entry>,
}

impl SearchIndex {
    /// Reads every concept (both poles), quote, story, picture explanation and memo line of `study`.
    pub fn new(study: &Study) -> SearchIndex {
        use rayon::prelude::*;
        let per_interview: Vec<(String, Vec<(usize, Entry)>)> = study
            .interviews
            .par_iter()
            .enumerate()
            .map(|(number, interview)| {
                let mut folded = String::new();
                let mut entries = Vec::new();
                for (entry, text) in searchable(number, interview) {
                    entries.push((folded.len(), entry));
                    folded.push_str(&normalise(&text));
                    folded.push('\n');
                }
                (folded, entries)
            })
            .collect();
        let mut index = SearchIndex::default();
        index.folded.reserve(per_interview.iter().map(|(f, _)| f.len()).sum());
        for (folded, entries) in per_interview {
            let base = index.folded.len();
            index.folded.push_str(&folded);
            for (start, entry) in entries {
                index.starts.push(base + start);
                index.entries.push(entry);
            }
        }
        for (number, memo) in study.memos.iter().enumerate() {
            for (offset, line) in memo.body.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                index.starts.push(index.folded.len());
                index.entries.push(Entry::MemoLine { memo: number as u32, offset: offset as u32 });
                index.folded.push_str(&normalise(line));
                index.folded.push('\n');
            }
        }
        index
    }

    /// How many texts the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the study had nothing to search.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The hits of `query` under `filters` in `study` (the study this index was built from).
    ///
    /// Memos are researchers' notes, not anyone's words: a memo line passes
    /// a code filter when the memo is about that code, the interview and
    /// project filters when it is about an interview (or one of its concepts)
    /// that passes them, and never a people-column filter.
    pub fn search(&self, study: &Study, coding: &Coding, query: &Query, filters: &Filters) -> Vec<Hit> {
        use rayon::prelude::*;
        let people: HashMap<&str, &collabmap_study::Person> =
            if filters.column.is_some() { study.people.iter().map(|p| (p.id.as_str(), p)).collect() } else { HashMap::new() };
        let mut hits: Vec<Hit> = self.candidates(query).par_iter().filter_map(|&entry| self.hit(study, coding, &people, query, filters, entry)).collect();
        // Entries run concepts first, then quotes, stories and pictures; people read an interview in line order.
        hits.sort_by_key(|hit| match hit.source {
            Source::Interview { index, .. } => (0, index, hit.line),
            Source::Memo(memo) => (1, memo, hit.line),
        });
        hits
    }

    /// The hit at `entry`, when all of the query's terms and the filters hold there.
    fn hit(
        &self,
        study: &Study,
        coding: &Coding,
        people: &HashMap<&str, &collabmap_study::Person>,
        query: &Query,
        filters: &Filters,
        entry: usize,
    ) -> Option<Hit> {
        let hit = match self.entries[entry] {
            Entry::Item { interview, kind, position } => {
                let interview_index = interview as usize;
                let interview = study.interviews.get(interview_index)?;
                if !interview_passes(interview, filters) {
                    return None;
                }
                let (item, text, kept_apart) = item_at(interview, kind, position as usize)?;
                let matches = query.find(&text)?;
                let codes: Vec<usize> = coding.item(interview_index, kind, position as usize).iter().map(|c| c.code).collect();
                if filters.code.is_some_and(|code| !codes.contains(&code)) {
                    return None;
                }
                if let Some((column, value)) = &filters.column {
                    if kept_apart {
                        return None;
                    }
                    let attributed_to = attributed(interview, &item, study.config.counting.group_agreement);
                    // An anonymous person's identifying columns never match: a search must not single them out.
                    let matches_someone = attributed_to.iter().filter_map(|id| people.get(id)).any(|p| p.disclosed(&study.people_columns, column) == value);
                    if !matches_someone {
                        return None;
                    }
                }
                Hit { source: Source::Interview { index: interview_index, kind }, line: item.line, text, matches, codes }
            }
            Entry::MemoLine { memo, offset } => {
                let memo_record = study.memos.get(memo as usize)?;
                if !memo_passes(study, memo_record, filters) {
                    return None;
                }
                let text = memo_record.body.lines().nth(offset as usize)?;
                let matches = query.find(text)?;
                let line = if memo_record.body_line == 0 { 0 } else { memo_record.body_line + offset as usize };
                Hit { source: Source::Memo(memo as usize), line, text: text.to_string(), matches, codes: Vec::new() }
            }
        };
        Some(hit)
    }

    /// The entries whose folded text holds the query's longest term at word
    /// boundaries, in entry order. Every hit is among them; the caller checks
    /// all the terms on the original text.
    fn candidates(&self, query: &Query) -> Vec<usize> {
        let Some(term) = query.terms.iter().max_by_key(|t| t.len()) else { return Vec::new() };
        let haystack = self.folded.as_bytes();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        let mut found: Vec<usize> = Vec::new();
        for at in memchr::memmem::find_iter(haystack, term.as_bytes()) {
            let end = at + term.len();
            // A match inside a longer word ("powerful" for "power") is no match.
            if !boundary(self.folded[..at].chars().next_back()) || !boundary(self.folded[end..].chars().next()) {
                continue;
            }
            let entry = self.starts.partition_point(|&start| start <= at) - 1;
            if found.last() != Some(&entry) {
                found.push(entry);
            }
        }
        found
    }
}

/// Whether an interview passes the interview and project filters.
fn interview_passes(interview: &Interview, filters: &Filters) -> bool {
    filters.interview.as_deref().is_none_or(|id| id == interview.id) && filters.project.as_ref().is_none_or(|p| interview.projects.contains(p))
}

/// Whether a memo passes the filters (see [`SearchIndex::search`]).
fn memo_passes(study: &Study, memo: &collabmap_study::Memo, filters: &Filters) -> bool {
    use collabmap_study::MemoAbout;
    if filters.column.is_some() {
        return false;
    }
    if let Some(code) = filters.code {
        let about_code = matches!(&memo.about, MemoAbout::Theme(id) if study.codebook.index_or_refusal(id).ok() == Some(code));
        if !about_code {
            return false;
        }
    }
    if filters.interview.is_none() && filters.project.is_none() {
        return true;
    }
    let interview_id = match &memo.about {
        MemoAbout::Interview(id) | MemoAbout::Concept { interview: id, .. } => id,
        _ => return false,
    };
    study.interviews.iter().find(|i| &i.id == interview_id).is_some_and(|interview| interview_passes(interview, filters))
}

/// Every item of an interview as an index entry, with the words a search
/// reads: a concept's two poles, a quote, a story's title and body, a
/// picture's caption and explanation.
fn searchable(number: usize, interview: &Interview) -> Vec<(Entry, String)> {
    let interview_number = number as u32;
    let entry = |kind: ItemKind, position: usize| Entry::Item { interview: interview_number, kind, position: position as u32 };
    let mut out = Vec::new();
    for (position, concept) in interview.concepts() {
        out.push((entry(ItemKind::Concept, position), concept.text()));
    }
    for kind in [ItemKind::Quote, ItemKind::Story, ItemKind::Picture] {
        let count = match kind {
            ItemKind::Quote => interview.quotes.len(),
            ItemKind::Story => interview.stories.len(),
            _ => interview.pictures.len(),
        };
        for position in 0..count {
            if let Some((_, text, _)) = item_at(interview, kind, position) {
                out.push((entry(kind, position), text));
            }
        }
    }
    out
}

/// The item of `interview` at `position` (a concept's index in the map, or
/// the position among quotes, stories or pictures), with the words a search
/// reads. The flag marks a quote given anonymously: a search by a people
/// column leaves it out, since finding it that way would tie it to its speaker.
fn item_at(interview: &Interview, kind: ItemKind, position: usize) -> Option<(Item<'_>, String, bool)> {
    let joined = |title: &str, body: &str| if title.is_empty() { body.to_string() } else { format!("{title}: {body}") };
    match kind {
        ItemKind::Concept => match &interview.map.get(position)?.kind {
            collabmap_study::MapNodeKind::Concept(concept) => Some((concept.item(), concept.text(), false)),
            collabmap_study::MapNodeKind::CrossLink { .. } => None,
        },
        ItemKind::Quote => interview.quotes.get(position).map(|q| (q.item(), q.text.clone(), q.kept_apart_from_its_interview())),
        ItemKind::Story => interview.stories.get(position).map(|s| (s.item(), joined(&s.title, &s.body), false)),
        ItemKind::Picture => interview.pictures.get(position).map(|p| (p.item(), joined(&p.caption, &p.explanation), false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_phrases_match_whole_words_in_any_case() {
        let query = Query::parse("power \"Local  Ownership\"").expect("query");
        assert_eq!(query.find("Build local ownership so partners share POWER"), Some(vec![(6, 21), (40, 45)]));
        assert_eq!(query.find("Build local ownership with powerful partners"), None, "powerful is not power");
        assert!(Query::parse("  \"\" ").is_err());
        let accents = Query::parse("équipe").expect("query");
        let text = "Une ÉQUIPE soudée";
        let spans = accents.find(text).expect("found");
        assert_eq!(&text[spans[0].0..spans[0].1], "ÉQUIPE");
    }
}
