//! Finding words in a study: concepts (both poles), quotes, stories and
//! picture explanations, filtered by code, by a people column, by project
//! and by interview.
//!
//! A query is words and `"quoted phrases"`; an item matches when every one
//! occurs in it, case-folded, at word boundaries (the rule indicator phrases
//! follow), so `power` finds "share power" but not "powerful".

use std::collections::HashMap;

use collabmap_study::{Interview, Item, ItemKind, Study};

use crate::coding::{Coder, attributed, normalise};

/// A parsed query: its terms, each normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    /// Parses `text`: words, and phrases in double quotes; refused when it has none.
    pub fn parse(text: &str) -> Result<Query, String> {
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
            return Err("the search has no words: give one or more words, or a \"phrase in quotes\"".into());
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
    pub fn parse(study: &Study, code: Option<&str>, column: Option<&str>, project: Option<&str>, interview: Option<&str>) -> Result<Filters, String> {
        use collabmap_study::did_you_mean;
        let hint = |word: &str, known: &mut dyn Iterator<Item = &str>| did_you_mean(word, known).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
        let code = code.map(|id| study.codebook.index_or_refusal(id)).transpose()?;
        let column = match column {
            None => None,
            Some(pair) => {
                let Some((name, value)) = pair.split_once('=') else {
                    return Err(format!("`{pair}` is not COLUMN=VALUE (for instance country=India)"));
                };
                let name = name.trim();
                if !study.people_columns.iter().any(|c| c == name) {
                    return Err(format!("people.csv has no column `{name}`{}", hint(name, &mut study.people_columns.iter().map(String::as_str))));
                }
                Some((name.to_string(), value.trim().to_string()))
            }
        };
        if let Some(id) = project
            && study.project(id).is_none()
        {
            return Err(format!("the study has no project `{id}`{}", hint(id, &mut study.projects.iter().map(|p| p.id.as_str()))));
        }
        if let Some(id) = interview
            && !study.interviews.iter().any(|i| i.id == id)
        {
            return Err(format!("the study has no interview `{id}`{}", hint(id, &mut study.interviews.iter().map(|i| i.id.as_str()))));
        }
        Ok(Filters { code, column, project: project.map(str::to_string), interview: interview.map(str::to_string) })
    }
}

/// One item that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index into `study.interviews`.
    pub interview: usize,
    /// The item's line in its file.
    pub line: usize,
    /// Concept, quote, story or picture.
    pub kind: ItemKind,
    /// The item's words as written (a concept with its contrast pole).
    pub text: String,
    /// Where the terms occur in `text`, as byte ranges, in order.
    pub matches: Vec<(usize, usize)>,
    /// Its codes (codebook indices), explicit and inferred, in codebook order.
    pub codes: Vec<usize>,
}

/// Every item of `study` that matches `query` and `filters`, in interview and line order.
pub fn search(study: &Study, query: &Query, filters: &Filters) -> Vec<Hit> {
    let coder = Coder::new(&study.codebook, study.config.counting);
    let people: HashMap<&str, &collabmap_study::Person> = study.people.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut hits = Vec::new();
    for (number, interview) in study.interviews.iter().enumerate() {
        if filters.interview.as_deref().is_some_and(|id| id != interview.id) || filters.project.as_ref().is_some_and(|p| !interview.projects.contains(p)) {
            continue;
        }
        for (item, text, kept_apart) in searchable(interview) {
            let Some(matches) = query.find(&text) else { continue };
            let codes: Vec<usize> = coder.codes(&item).codes.iter().map(|&(t, _)| t).collect();
            if filters.code.is_some_and(|code| !codes.contains(&code)) {
                continue;
            }
            if let Some((column, value)) = &filters.column {
                if kept_apart {
                    continue;
                }
                let attributed_to = attributed(interview, &item, study.config.counting.group_agreement);
                // An anonymous person's identifying columns never match: a search must not single them out.
                let matches_someone = attributed_to.iter().filter_map(|id| people.get(id)).any(|p| p.disclosed(&study.people_columns, column) == value);
                if !matches_someone {
                    continue;
                }
            }
            hits.push(Hit { interview: number, line: item.line, kind: item.kind, text, matches, codes });
        }
    }
    hits.sort_by_key(|h| (h.interview, h.line));
    hits
}

/// Every item of an interview with the words a search reads: a concept's two
/// poles, a quote, a story's title and body, a picture's caption and explanation.
/// The flag marks a quote given anonymously: a search by a people column
/// leaves it out, since finding it that way would tie it to its speaker.
fn searchable(interview: &Interview) -> Vec<(Item<'_>, String, bool)> {
    let concepts = interview.concepts().map(|(_, c)| (c.item(), c.text(), false));
    let quotes = interview.quotes.iter().map(|q| (q.item(), q.text.clone(), q.kept_apart_from_its_interview()));
    let stories = interview.stories.iter().map(|s| (s.item(), if s.title.is_empty() { s.body.clone() } else { format!("{}: {}", s.title, s.body) }, false));
    let pictures = interview
        .pictures
        .iter()
        .map(|p| (p.item(), if p.caption.is_empty() { p.explanation.clone() } else { format!("{}: {}", p.caption, p.explanation) }, false));
    concepts.chain(quotes).chain(stories).chain(pictures).collect()
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
