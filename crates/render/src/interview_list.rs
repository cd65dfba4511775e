//! A study's list of interviews, sorted and filtered across all of them.
//!
//! The static report lists interviews in the study's order, 200 to a page,
//! and its script sorts and filters within one page (a folder of files has
//! no server to ask). The workspace and the API answer a [`ListQuery`]
//! instead: the order and the filter apply to every interview, and the
//! pages are pages of the answer. The filter matches the words a row shows
//! (its id, date, how many attended, its projects' names), never what a row
//! keeps back, such as who attended: a filter must not become a way to ask
//! whether an anonymous person was interviewed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use std::sync::Arc;

use collabmap_study::Interview;
use rayon::prelude::*;

/// A column the list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// The study's own order (its files' paths).
    #[default]
    Study,
    /// The interview's id, numbers in it read as numbers (`i2` before `i10`).
    Interview,
    /// The date; interviews without one come last either way.
    Date,
    /// How many people attended.
    Attended,
    /// The projects' names; interviews without a project come last either way.
    Projects,
    /// How many concepts the map has.
    Concepts,
    /// Whether the map was checked back with the people interviewed.
    CheckedBack,
}

impl SortKey {
    /// Every key, in the order of the list's columns (the study's order first, which has no column).
    pub const ALL: [SortKey; 7] =
        [SortKey::Study, SortKey::Interview, SortKey::Date, SortKey::Attended, SortKey::Projects, SortKey::Concepts, SortKey::CheckedBack];

    /// Its name in a query string (`sort=date`).
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Study => "study",
            SortKey::Interview => "interview",
            SortKey::Date => "date",
            SortKey::Attended => "attended",
            SortKey::Projects => "projects",
            SortKey::Concepts => "concepts",
            SortKey::CheckedBack => "checked",
        }
    }

    /// The key named `name`, if any.
    pub fn from_name(name: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|key| key.name() == name)
    }

    /// The heading of its column.
    pub fn heading(self) -> &'static str {
        match self {
            SortKey::Study => "Study order",
            SortKey::Interview => "Interview",
            SortKey::Date => "Date",
            SortKey::Attended => "Attended",
            SortKey::Projects => "Projects",
            SortKey::Concepts => "Concepts",
            SortKey::CheckedBack => "Checked back",
        }
    }

    /// How a sentence says the order: "date, newest first".
    pub fn order_words(self, descending: bool) -> &'static str {
        match (self, descending) {
            (SortKey::Study, false) => "in the study's order",
            (SortKey::Study, true) => "in the study's order, reversed",
            (SortKey::Interview, false) => "sorted by interview, A to Z",
            (SortKey::Interview, true) => "sorted by interview, Z to A",
            (SortKey::Date, false) => "sorted by date, oldest first",
            (SortKey::Date, true) => "sorted by date, newest first",
            (SortKey::Attended, false) => "sorted by attended, fewest people first",
            (SortKey::Attended, true) => "sorted by attended, most people first",
            (SortKey::Projects, false) => "sorted by projects, A to Z",
            (SortKey::Projects, true) => "sorted by projects, Z to A",
            (SortKey::Concepts, false) => "sorted by concepts, fewest first",
            (SortKey::Concepts, true) => "sorted by concepts, most first",
            (SortKey::CheckedBack, false) => "sorted by checked back, not yet first",
            (SortKey::CheckedBack, true) => "sorted by checked back, checked first",
        }
    }

    /// Whether its column holds numbers (aligned right).
    pub fn is_number(self) -> bool {
        self == SortKey::Concepts
    }

    fn slot(self, descending: bool) -> usize {
        self as usize * 2 + usize::from(descending)
    }
}

/// The longest filter accepted, in bytes: each word is looked for in every
/// row, so an unbounded filter would let one request scan a large study
/// thousands of times.
pub const MAX_FILTER_BYTES: usize = 200;

/// Which interviews a list shows and in what order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// The column sorted by.
    pub sort: SortKey,
    /// Largest (or latest, or last) first.
    pub descending: bool,
    /// Words every row shown contains somewhere, in any case.
    pub words: String,
    /// Only interviews checked back (`Some(true)`) or not yet (`Some(false)`).
    pub checked_back: Option<bool>,
}

impl ListQuery {
    /// The query a request's parameters ask for (`sort`, `order`, `q`,
    /// `checked`), each absent or empty one taking its default; an unknown
    /// value is refused with a message that names the values allowed.
    pub fn from_parameters(sort: Option<&str>, order: Option<&str>, words: Option<&str>, checked: Option<&str>) -> Result<ListQuery, String> {
        let sort = match sort.map(str::trim).filter(|s| !s.is_empty()) {
            None => SortKey::Study,
            Some(name) => SortKey::from_name(name).ok_or_else(|| {
                let names: Vec<_> = SortKey::ALL.iter().map(|key| key.name()).collect();
                format!("`sort={name}` is not a column of the list: use one of {}.", names.join(", "))
            })?,
        };
        let descending = match order.map(str::trim).filter(|s| !s.is_empty()) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(format!("`order={other}` is not an order: use asc or desc.")),
        };
        let words = words.unwrap_or_default().trim();
        if words.len() > MAX_FILTER_BYTES {
            return Err(format!("The filter is {} characters long; shorten it to at most {MAX_FILTER_BYTES}.", words.chars().count()));
        }
        let checked_back = match checked.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(other) => return Err(format!("`checked={other}` is not an answer: use yes or no (or leave it out for both).")),
        };
        Ok(ListQuery { sort, descending, words: words.to_string(), checked_back })
    }

    /// The order as a query string says it: `asc` or `desc`.
    pub fn order_name(&self) -> &'static str {
        if self.descending { "desc" } else { "asc" }
    }

    /// The checked-back filter as a query string says it: `yes`, `no`, or empty for either.
    pub fn checked_name(&self) -> &'static str {
        match self.checked_back {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        }
    }

    /// Whether the query narrows the list at all.
    pub fn filters(&self) -> bool {
        !self.words.is_empty() || self.checked_back.is_some()
    }

    /// The query string that asks for it (without `?`), with `page` when past the first;
    /// defaults are left out, so the plain list's address stays plain.
    pub fn query_string(&self, page: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if self.sort != SortKey::Study {
            query.append_pair("sort", self.sort.name());
        }
        if self.descending {
            query.append_pair("order", self.order_name());
        }
        if !self.words.is_empty() {
            query.append_pair("q", &self.words);
        }
        if self.checked_back.is_some() {
            query.append_pair("checked", self.checked_name());
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        query.finish()
    }

    /// The query sorted by `key`: the other way round when already sorted by
    /// it, ascending otherwise; the filter stays.
    pub fn sorted_by(&self, key: SortKey) -> ListQuery {
        ListQuery { sort: key, descending: self.sort == key && !self.descending, ..self.clone() }
    }

    /// The filter's words, lower-cased, each once.
    fn words(&self) -> Vec<String> {
        let mut words: Vec<String> = self.words.split_whitespace().map(str::to_lowercase).collect();
        words.sort();
        words.dedup();
        words
    }
}

/// The names of an interview's projects as a list shows them (the id itself
/// for a project not in `projects.csv`).
pub fn shown_projects(names: &HashMap<String, String>, ids: &[String]) -> String {
    ids.iter().map(|id| names.get(id).map_or(id.as_str(), String::as_str)).collect::<Vec<_>>().join(", ")
}

/// How a list says who attended: never names, only how many.
pub fn attended_words(interview: &Interview) -> String {
    if interview.is_group() { format!("group of {}", interview.people.len()) } else { "1 person".to_string() }
}

/// The orders and filter text of one study's interviews, worked out on
/// first use and kept: a study of 100,000 interviews is sorted once per
/// column and direction, not once per page asked for.
///
/// It must always be asked about the same study (one revision), like the
/// report pages that hold it.
#[derive(Default)]
pub struct InterviewIndex {
    orders: [OnceLock<Vec<u32>>; SortKey::ALL.len() * 2],
    rows: OnceLock<Vec<RowText>>,
}

/// What the filter and the projects' order read of one interview.
struct RowText {
    projects: Box<str>,
    /// Everything the row shows, lower-cased, its parts apart.
    shown: Box<str>,
}

impl InterviewIndex {
    /// The positions in `interviews` (a study's) of those `query` keeps, in
    /// its order: without a filter, the kept order itself (a page reads 200
    /// of 100,000, so nothing is copied).
    pub fn select(&self, interviews: &[Arc<Interview>], projects: &HashMap<String, String>, query: &ListQuery) -> Cow<'_, [u32]> {
        let order = self.order(interviews, projects, query.sort, query.descending);
        if !query.filters() {
            return Cow::Borrowed(order);
        }
        let words = query.words();
        let finders: Vec<_> = words.iter().map(|word| memchr::memmem::Finder::new(word.as_bytes())).collect();
        let rows = if finders.is_empty() { None } else { Some(self.rows(interviews, projects)) };
        order
            .iter()
            .copied()
            .filter(|&at| {
                let interview = &interviews[at as usize];
                query.checked_back.is_none_or(|wanted| interview.checked_back == wanted)
                    && rows.is_none_or(|rows| finders.iter().all(|finder| finder.find(rows[at as usize].shown.as_bytes()).is_some()))
            })
            .collect::<Vec<_>>()
            .into()
    }

    fn rows(&self, interviews: &[Arc<Interview>], projects: &HashMap<String, String>) -> &[RowText] {
        self.rows.get_or_init(|| {
            interviews
                .par_iter()
                .map(|interview| {
                    let names = shown_projects(projects, &interview.projects);
                    // A separator no word can hold keeps a word from matching across two parts.
                    let shown = [interview.id.as_str(), interview.date.as_deref().unwrap_or(""), &attended_words(interview), &names].join("\n").to_lowercase();
                    RowText { projects: names.into(), shown: shown.into() }
                })
                .collect()
        })
    }

    fn order(&self, interviews: &[Arc<Interview>], projects: &HashMap<String, String>, key: SortKey, descending: bool) -> &[u32] {
        self.orders[key.slot(descending)].get_or_init(|| {
            let mut order: Vec<u32> = (0..interviews.len() as u32).collect();
            let at = |i: &u32| &interviews[*i as usize];
            let flip = |ordering: std::cmp::Ordering| if descending { ordering.reverse() } else { ordering };
            // Ties keep the study's order whichever way the column runs: the sorts are stable.
            match key {
                SortKey::Study if descending => order.reverse(),
                SortKey::Study => {}
                SortKey::Interview => order.par_sort_by(|a, b| flip(natord::compare_ignore_case(&at(a).id, &at(b).id))),
                SortKey::Date => {
                    order.par_sort_by(|a, b| blanks_last(at(a).date.as_deref().unwrap_or(""), at(b).date.as_deref().unwrap_or(""), |x, y| flip(x.cmp(y))))
                }
                SortKey::Attended => order.par_sort_by(|a, b| flip(at(a).people.len().cmp(&at(b).people.len()))),
                SortKey::Projects => {
                    let rows = self.rows(interviews, projects);
                    let text = |i: &u32| &*rows[*i as usize].projects;
                    order.par_sort_by(|a, b| blanks_last(text(a), text(b), |x, y| flip(natord::compare_ignore_case(x, y))));
                }
                SortKey::Concepts => {
                    let counts: Vec<usize> = interviews.par_iter().map(|interview| interview.concepts().count()).collect();
                    order.par_sort_by(|a, b| flip(counts[*a as usize].cmp(&counts[*b as usize])));
                }
                SortKey::CheckedBack => order.par_sort_by(|a, b| flip(at(a).checked_back.cmp(&at(b).checked_back))),
            }
            order
        })
    }
}

/// `compare` of two texts, an empty one after any other whichever way the column runs.
fn blanks_last(a: &str, b: &str, compare: impl Fn(&str, &str) -> std::cmp::Ordering) -> std::cmp::Ordering {
    match (a.is_empty(), b.is_empty()) {
        (false, false) => compare(a, b),
        (blank_a, blank_b) => blank_a.cmp(&blank_b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interview(id: &str, date: Option<&str>, people: usize, projects: &[&str], checked_back: bool) -> Interview {
        Interview {
            id: id.to_string(),
            file: format!("interviews/{id}.md"),
            people: (0..people).map(|n| format!("{id}-person-{n}")).collect(),
            projects: projects.iter().map(|p| p.to_string()).collect(),
            date: date.map(str::to_string),
            checked_back,
            ..Interview::default()
        }
    }

    fn study() -> (Vec<Arc<Interview>>, HashMap<String, String>) {
        let interviews = vec![
            interview("i1", Some("2011-03-04"), 1, &["p1"], true),
            interview("i10", None, 3, &[], false),
            interview("i2", Some("2010-12-01"), 1, &["p2"], false),
            interview("i3", Some("2011-03-04"), 2, &["p1", "p2"], true),
        ];
        let interviews = interviews.into_iter().map(Arc::new).collect();
        let projects = HashMap::from([("p1".to_string(), "Youth Offending Panel".to_string()), ("p2".to_string(), "Housing First".to_string())]);
        (interviews, projects)
    }

    fn ids(interviews: &[Arc<Interview>], order: &[u32]) -> Vec<String> {
        order.iter().map(|&at| interviews[at as usize].id.clone()).collect()
    }

    fn select(query: &str) -> Vec<String> {
        let (interviews, projects) = study();
        let parameters: HashMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let get = |name: &str| parameters.get(name).map(String::as_str);
        let query = ListQuery::from_parameters(get("sort"), get("order"), get("q"), get("checked")).expect("a query");
        ids(&interviews, &InterviewIndex::default().select(&interviews, &projects, &query))
    }

    #[test]
    fn every_column_sorts_the_whole_list_both_ways_with_ties_in_the_studys_order() {
        assert_eq!(select(""), ["i1", "i10", "i2", "i3"]);
        assert_eq!(select("order=desc"), ["i3", "i2", "i10", "i1"]);
        assert_eq!(select("sort=interview"), ["i1", "i2", "i3", "i10"], "numbers in ids are read as numbers");
        assert_eq!(select("sort=interview&order=desc"), ["i10", "i3", "i2", "i1"]);
        assert_eq!(select("sort=date"), ["i2", "i1", "i3", "i10"], "no date comes last");
        assert_eq!(select("sort=date&order=desc"), ["i1", "i3", "i2", "i10"], "no date comes last either way; a tie keeps the study's order");
        assert_eq!(select("sort=attended&order=desc"), ["i10", "i3", "i1", "i2"]);
        assert_eq!(select("sort=projects"), ["i2", "i1", "i3", "i10"], "by the names shown, none last");
        assert_eq!(select("sort=checked"), ["i10", "i2", "i1", "i3"]);
        assert_eq!(select("sort=checked&order=desc"), ["i1", "i3", "i10", "i2"]);
    }

    #[test]
    fn the_filter_matches_every_word_of_what_a_row_shows_in_any_case() {
        assert_eq!(select("q=housing"), ["i2", "i3"], "a project's name");
        assert_eq!(select("q=HOUSING+youth"), ["i3"], "every word");
        assert_eq!(select("q=2011-03"), ["i1", "i3"], "a date");
        assert_eq!(select("q=group&sort=interview&order=desc"), ["i10", "i3"], "how many attended, in the order asked");
        assert_eq!(select("q=p1"), Vec::<String>::new(), "a project's id is not shown, so it does not match");
        assert_eq!(select("q=person-0"), Vec::<String>::new(), "who attended is never matched");
        assert_eq!(select("q=panel+first"), ["i3"], "words in any order, anywhere in the row");
        assert_eq!(select("checked=no"), ["i10", "i2"]);
        assert_eq!(select("checked=yes&q=housing"), ["i3"]);
    }

    #[test]
    fn unknown_values_and_long_filters_are_refused_with_what_to_use() {
        let refused = |sort, order, words: &str, checked| ListQuery::from_parameters(sort, order, Some(words), checked).expect_err("refused");
        assert!(refused(Some("name"), None, "", None).contains("use one of study, interview, date, attended, projects, concepts, checked"));
        assert!(refused(None, Some("up"), "", None).contains("use asc or desc"));
        assert!(refused(None, None, "", Some("maybe")).contains("use yes or no"));
        assert!(refused(None, None, &"x".repeat(MAX_FILTER_BYTES + 1), None).contains("at most 200"));
    }

    #[test]
    fn a_query_string_asks_for_the_same_query_and_leaves_out_defaults() {
        let query = ListQuery { sort: SortKey::Date, descending: true, words: "a&b c".into(), checked_back: Some(false) };
        let text = query.query_string(3);
        assert_eq!(text, "sort=date&order=desc&q=a%26b+c&checked=no&page=3");
        let parameters: HashMap<String, String> = form_urlencoded::parse(text.as_bytes()).into_owned().collect();
        let get = |name: &str| parameters.get(name).map(String::as_str);
        assert_eq!(ListQuery::from_parameters(get("sort"), get("order"), get("q"), get("checked")), Ok(query));
        assert_eq!(ListQuery::default().query_string(1), "");
        assert_eq!(
            ListQuery::default().sorted_by(SortKey::Date).sorted_by(SortKey::Date),
            ListQuery { sort: SortKey::Date, descending: true, ..ListQuery::default() }
        );
    }
}
