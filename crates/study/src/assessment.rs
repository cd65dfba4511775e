//! The assessment folder: a real collaboration, its leaders and survey
//! rounds, partners' answers and an assessor's ratings, to be scored
//! against the model's themes.
//!
//! ```text
//! collaboration.toml   name, purpose, codebook, [[leader]] name/role/since, [[round]] id/date
//! survey.toml          optional [[item]] id, theme, text (else the codebook's built-in questionnaire)
//! responses.csv        round,respondent,organisation,role,item,score   (score 1-5, empty = don't know)
//! evidence.toml        optional [[rating]] round, theme, score (1-5), evidence
//! ```
//!
//! Like a study, an assessment is read whole and every problem is reported
//! with its file and line; an assessment with problems is never scored.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use crate::codebook::Codebook;
use crate::files::StudyFiles;
use crate::parse::front_matter::is_iso_date as is_date;
use crate::problem::{LineIndex, Problem, line_of_offset, suggestion};

/// A leader of the collaboration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leader {
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// In post since (`YYYY-MM-DD`).
    pub since: String,
}

/// A survey round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Its id, used in responses.csv and evidence.toml.
    pub id: String,
    /// When it was held (`YYYY-MM-DD`).
    pub date: String,
}

/// A survey statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyItem {
    /// Its id, used in responses.csv.
    pub id: String,
    /// The model theme it measures.
    pub theme: String,
    /// The statement, answered on a 1 (strongly disagree) to 5 (strongly agree) scale.
    pub text: String,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The round.
    pub round: String,
    /// Who answered (an identifier, not a name).
    pub respondent: String,
    /// Their organisation.
    pub organisation: String,
    /// Their role.
    pub role: String,
    /// The item.
    pub item: String,
    /// 1-5, or `None` for "don't know".
    pub score: Option<u8>,
}

/// An assessor's rating of a theme in a round, from documents and interviews.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    /// The round.
    pub round: String,
    /// The model theme.
    pub theme: String,
    /// 1-5.
    pub score: f64,
    /// What it rests on.
    pub evidence: String,
}

/// An assessment folder, read.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    /// The collaboration's name.
    pub name: String,
    /// Its purpose.
    pub purpose: String,
    /// The codebook's name or path, as written.
    pub codebook_name: String,
    /// The codebook.
    pub codebook: Codebook,
    /// Leaders.
    pub leaders: Vec<Leader>,
    /// Rounds, in date order.
    pub rounds: Vec<Round>,
    /// The questionnaire.
    pub items: Vec<SurveyItem>,
    /// Whether the questionnaire is the codebook's built-in one.
    pub builtin_survey: bool,
    /// Answers.
    pub responses: Vec<Response>,
    /// Assessor's ratings.
    pub ratings: Vec<Rating>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CollaborationFile {
    name: String,
    #[serde(default)]
    purpose: String,
    #[serde(default = "default_codebook")]
    codebook: String,
    #[serde(default)]
    leader: Vec<Spanned<LeaderEntry>>,
    #[serde(default)]
    round: Vec<Spanned<RoundEntry>>,
}

fn default_codebook() -> String {
    "whole-systems".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeaderEntry {
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default, deserialize_with = "optional_date_text")]
    since: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundEntry {
    id: String,
    #[serde(deserialize_with = "date_text")]
    date: String,
}

/// A date as text, whether written as TOML's own date (`date = 2025-06-01`)
/// or quoted (`date = "2025-06-01"`); whether it is a real calendar date is
/// checked afterwards, so a bad one gets the message that says how to write it.
fn date_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match toml::Value::deserialize(deserializer)? {
        toml::Value::String(text) => Ok(text),
        toml::Value::Datetime(date) => Ok(date.to_string()),
        other => Err(serde::de::Error::custom(format!("expected a date such as 2025-06-01, found the {} {other}", other.type_str()))),
    }
}

fn optional_date_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    date_text(deserializer).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SurveyFile {
    #[serde(default)]
    item: Vec<Spanned<ItemEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemEntry {
    id: String,
    theme: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceFile {
    #[serde(default)]
    rating: Vec<Spanned<RatingEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatingEntry {
    round: String,
    theme: String,
    score: f64,
    #[serde(default)]
    evidence: String,
}

fn toml_file<T: for<'de> Deserialize<'de>>(text: &str, path: &str, problems: &mut Vec<Problem>) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(value) => Some(value),
        Err(error) => {
            let line = error.span().map_or(1, |s| line_of_offset(text, s.start));
            problems.push(Problem::new(path, line, error.message().trim().to_string()));
            None
        }
    }
}

fn read_text(files: &dyn StudyFiles, path: &str, problems: &mut Vec<Problem>) -> Option<String> {
    match files.read(path) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).trim_start_matches('\u{feff}').to_string()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            problems.push(Problem::new(path, 1, format!("cannot read the file: {error}")));
            None
        }
    }
}

/// `collaboration.toml`: the name and purpose, the codebook, the leaders and the rounds (in date order).
fn read_collaboration(files: &dyn StudyFiles, text: &str, assessment: &mut Assessment, problems: &mut Vec<Problem>) {
    let lines = LineIndex::new(text.as_bytes());
    let line = |span: std::ops::Range<usize>| lines.line(span.start);
    if let Some(file) = toml_file::<CollaborationFile>(text, "collaboration.toml", problems) {
        assessment.name = file.name;
        assessment.purpose = file.purpose;
        assessment.codebook_name = file.codebook.clone();
        match Codebook::builtin(&file.codebook) {
            Some(codebook) => assessment.codebook = codebook,
            None => match read_text(files, &file.codebook, problems) {
                Some(codebook_text) => {
                    let (codebook, found) = Codebook::parse(&codebook_text, &file.codebook);
                    problems.extend(found);
                    assessment.codebook = codebook;
                }
                None => {
                    let at = text.lines().position(|l| l.trim_start().starts_with("codebook")).map_or(1, |i| i + 1);
                    problems.push(Problem::new(
                        "collaboration.toml",
                        at,
                        format!("unknown codebook `{}`: use a built-in name such as whole-systems, or a path to a codebook file", file.codebook),
                    ));
                }
            },
        }
        for entry in file.leader {
            let at = line(entry.span());
            let leader = entry.into_inner();
            match leader.since {
                None => problems.push(Problem::new(
                    "collaboration.toml",
                    at,
                    format!("leader `{}` has no `since` date: add since = \"YYYY-MM-DD\", when they took up the post", leader.name),
                )),
                Some(since) if !is_date(&since) => problems.push(Problem::new(
                    "collaboration.toml",
                    at,
                    format!("leader `{}`: since = \"{since}\" is not a date; write YYYY-MM-DD", leader.name),
                )),
                Some(since) => assessment.leaders.push(Leader { name: leader.name, role: leader.role, since }),
            }
        }
        let mut seen = HashSet::new();
        for entry in file.round {
            let at = line(entry.span());
            let round = entry.into_inner();
            if !is_date(&round.date) {
                problems.push(Problem::new(
                    "collaboration.toml",
                    at,
                    format!("round `{}`: date = \"{}\" is not a date; write YYYY-MM-DD", round.id, round.date),
                ));
            } else if !seen.insert(round.id.clone()) {
                problems.push(Problem::new("collaboration.toml", at, format!("round `{}` is listed twice: give each round its own id", round.id)));
            } else {
                assessment.rounds.push(Round { id: round.id, date: round.date });
            }
        }
        // Rounds are scored in date order whatever order they are written in.
        assessment.rounds.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
        if assessment.rounds.is_empty() {
            problems.push(Problem::new("collaboration.toml", 1, "no rounds: add [[round]] with an id and a date for each survey round"));
        }
    }
}

/// `survey.toml`, or the codebook's built-in questionnaire when there is none.
fn read_survey(files: &dyn StudyFiles, assessment: &mut Assessment, model_themes: &[&str], problems: &mut Vec<Problem>) {
    match read_text(files, "survey.toml", problems) {
        Some(survey_text) => {
            if let Some(file) = toml_file::<SurveyFile>(&survey_text, "survey.toml", problems) {
                let mut seen = HashSet::new();
                let lines = LineIndex::new(survey_text.as_bytes());
                for entry in file.item {
                    let at = lines.line(entry.span().start);
                    let item = entry.into_inner();
                    if !model_themes.contains(&item.theme.as_str()) {
                        let hint = suggestion(&item.theme, model_themes.iter().copied(), "");
                        problems.push(Problem::new("survey.toml", at, format!("item `{}`: `{}` is not a theme of the model{hint}", item.id, item.theme)));
                    } else if !seen.insert(item.id.clone()) {
                        problems.push(Problem::new("survey.toml", at, format!("item `{}` is listed twice: give each item its own id", item.id)));
                    } else {
                        assessment.items.push(SurveyItem { id: item.id, theme: item.theme, text: item.text });
                    }
                }
            }
        }
        None => match builtin_survey(&assessment.codebook_name) {
            Some(items) => {
                assessment.items = items;
                assessment.builtin_survey = true;
            }
            None if !assessment.codebook_name.is_empty() => {
                problems.push(Problem::new(
                    "survey.toml",
                    1,
                    format!("the codebook `{}` has no built-in questionnaire: write survey.toml with an [[item]] per statement", assessment.codebook_name),
                ));
            }
            None => {}
        },
    }
}

/// Reads an assessment folder; the assessment is sound when the problems are empty.
pub fn load_assessment(files: &dyn StudyFiles) -> (Assessment, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut assessment = Assessment::default();
    let Some(text) = read_text(files, "collaboration.toml", &mut problems) else {
        problems.push(Problem::new(
            "collaboration.toml",
            1,
            format!("{} has no collaboration.toml: every assessment folder needs one (see docs/assessment.md)", files.describe()),
        ));
        return (assessment, problems);
    };
    read_collaboration(files, &text, &mut assessment, &mut problems);
    let model_owned: Vec<String> = assessment.codebook.themes().iter().filter(|t| t.model).map(|t| t.id.clone()).collect();
    let model_themes: Vec<&str> = model_owned.iter().map(String::as_str).collect();

    read_survey(files, &mut assessment, &model_themes, &mut problems);

    read_responses(files, &mut assessment, &mut problems);
    read_evidence(files, &mut assessment, &model_themes, &mut problems);
    problems.sort();
    problems.dedup();
    (assessment, problems)
}

const RESPONSE_COLUMNS: [&str; 6] = ["round", "respondent", "organisation", "role", "item", "score"];

/// A response's score: 1 to 5, or empty for "don't know".
fn read_score(score: &str) -> Result<Option<u8>, String> {
    if score.is_empty() {
        return Ok(None);
    }
    match score.parse::<u8>() {
        Ok(value) if (1..=5).contains(&value) => Ok(Some(value)),
        _ => Err(format!("score `{score}` is not 1, 2, 3, 4 or 5 (leave it empty for \"don't know\")")),
    }
}

fn read_responses(files: &dyn StudyFiles, assessment: &mut Assessment, problems: &mut Vec<Problem>) {
    let Some(text) = read_text(files, "responses.csv", problems) else { return };
    let path = "responses.csv";
    // Lines come from byte offsets: the csv crate's own line count is off in CRLF files.
    let lines = LineIndex::new(text.as_bytes());
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    match reader.headers() {
        Ok(header) if header.iter().map(str::trim).eq(RESPONSE_COLUMNS) => {}
        _ => {
            problems.push(Problem::new(path, 1, format!("the header must be exactly {}", RESPONSE_COLUMNS.join(","))));
            return;
        }
    }
    let rounds: HashSet<&str> = assessment.rounds.iter().map(|r| r.id.as_str()).collect();
    let items: HashSet<&str> = assessment.items.iter().map(|i| i.id.as_str()).collect();
    let mut organisation_of: HashMap<(String, String), String> = HashMap::new();
    let mut answered: HashSet<(String, String, String)> = HashSet::new();
    let mut parsed = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(1, |p| lines.line_of_record(text.as_bytes(), p.byte() as usize));
                problems.push(Problem::new(path, line, format!("cannot read this line: {error}")));
                continue;
            }
        };
        let line = record.position().map_or(1, |p| lines.line_of_record(text.as_bytes(), p.byte() as usize));
        if record.len() != RESPONSE_COLUMNS.len() {
            problems.push(Problem::new(
                path,
                line,
                format!("expected {} fields ({}), found {}", RESPONSE_COLUMNS.len(), RESPONSE_COLUMNS.join(","), record.len()),
            ));
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let (round, respondent, organisation, role, item, score) = (field(0), field(1), field(2), field(3), field(4), field(5));
        if !rounds.contains(round.as_str()) {
            let hint = suggestion(&round, rounds.iter().copied(), "");
            problems.push(Problem::new(path, line, format!("unknown round `{round}`{hint}: rounds are listed in collaboration.toml")));
            continue;
        }
        if respondent.is_empty() {
            problems.push(Problem::new(path, line, "the respondent is empty: give each respondent an identifier"));
            continue;
        }
        // Checked before the item and score, so a slip there does not hide a second organisation.
        match organisation_of.get(&(round.clone(), respondent.clone())) {
            Some(first) if *first != organisation => {
                problems.push(Problem::new(
                    path,
                    line,
                    format!(
                        "respondent `{respondent}` is listed under `{first}` and `{organisation}` in round `{round}`: one organisation per respondent and round"
                    ),
                ));
                continue;
            }
            Some(_) => {}
            None => {
                organisation_of.insert((round.clone(), respondent.clone()), organisation.clone());
            }
        }
        if !items.contains(item.as_str()) {
            let hint = suggestion(&item, items.iter().copied(), "");
            problems.push(Problem::new(
                path,
                line,
                format!("unknown item `{item}`{hint}: items are listed in survey.toml (or `collabmap survey` prints the built-in ones)"),
            ));
            continue;
        }
        let score = match read_score(&score) {
            Ok(score) => score,
            Err(message) => {
                problems.push(Problem::new(path, line, message));
                continue;
            }
        };
        if !answered.insert((round.clone(), respondent.clone(), item.clone())) {
            problems.push(Problem::new(path, line, format!("respondent `{respondent}` answered item `{item}` twice in round `{round}`")));
            continue;
        }
        parsed.push(Response { round, respondent, organisation, role, item, score });
    }
    assessment.responses = parsed;
}

fn read_evidence(files: &dyn StudyFiles, assessment: &mut Assessment, model_themes: &[&str], problems: &mut Vec<Problem>) {
    let Some(text) = read_text(files, "evidence.toml", problems) else { return };
    let Some(file) = toml_file::<EvidenceFile>(&text, "evidence.toml", problems) else { return };
    let rounds: HashSet<&str> = assessment.rounds.iter().map(|r| r.id.as_str()).collect();
    let mut seen = HashSet::new();
    let lines = LineIndex::new(text.as_bytes());
    for entry in file.rating {
        let at = lines.line(entry.span().start);
        let rating = entry.into_inner();
        if !rounds.contains(rating.round.as_str()) {
            problems.push(Problem::new("evidence.toml", at, format!("unknown round `{}`: rounds are listed in collaboration.toml", rating.round)));
        } else if !model_themes.contains(&rating.theme.as_str()) {
            let hint = suggestion(&rating.theme, model_themes.iter().copied(), "");
            problems.push(Problem::new("evidence.toml", at, format!("`{}` is not a theme of the model{hint}", rating.theme)));
        } else if !(1.0..=5.0).contains(&rating.score) {
            problems.push(Problem::new("evidence.toml", at, format!("score {} is outside 1-5", rating.score)));
        } else if !seen.insert((rating.round.clone(), rating.theme.clone())) {
            problems.push(Problem::new("evidence.toml", at, format!("theme `{}` is rated twice in round `{}`", rating.theme, rating.round)));
        } else {
            assessment.ratings.push(Rating { round: rating.round, theme: rating.theme, score: rating.score, evidence: rating.evidence });
        }
    }
}

/// The built-in questionnaire of a codebook: for `whole-systems`, three
/// statements per model theme.
pub fn builtin_survey(codebook: &str) -> Option<Vec<SurveyItem>> {
    (codebook == "whole-systems").then(|| {
        WHOLE_SYSTEMS_SURVEY
            .iter()
            .flat_map(|(theme, statements)| {
                statements.iter().enumerate().map(move |(i, text)| SurveyItem {
                    id: format!("{theme}-{}", i + 1),
                    theme: (*theme).to_string(),
                    text: (*text).to_string(),
                })
            })
            .collect()
    })
}

/// Statements written for collabmap: agreeing with one says the collaboration does what the theme asks.
const WHOLE_SYSTEMS_SURVEY: [(&str, [&str; 3]); 12] = [
    (
        "service-user",
        [
            "Our decisions start from what the people we serve actually experience.",
            "We regularly hear directly from service users, not only about them.",
            "When partners disagree, we settle it by asking what works for the service user.",
        ],
    ),
    (
        "common-purpose",
        [
            "Every partner can state the collaboration's purpose in the same few words.",
            "Our shared aim matters more to partners than their own organisation's targets.",
            "New partners are brought into the common purpose before they are given tasks.",
        ],
    ),
    (
        "whole-system",
        [
            "We look at the whole system around a person, not at each service on its own.",
            "Leaders insist that every partner plays its part, and follow it up.",
            "Problems that cross organisational boundaries have someone working on them.",
        ],
    ),
    (
        "share-power",
        [
            "People closest to the work decide how the shared aim is met.",
            "No single organisation can overrule the partnership on how things are done.",
            "Partners with less money or status have a real say in decisions.",
        ],
    ),
    (
        "explain-importance",
        [
            "Leaders keep explaining why this work matters, in terms partners care about.",
            "Staff in every partner organisation know why the collaboration exists.",
            "We tell the stories that show what is at stake for the people we serve.",
        ],
    ),
    (
        "front-line",
        [
            "Front-line staff from different organisations work side by side.",
            "Front-line workers are trusted to solve problems across services.",
            "Ideas from the front line change how the collaboration works.",
        ],
    ),
    (
        "hold-to-account",
        [
            "Partners report openly on what they promised and what they delivered.",
            "When a partner does not deliver, it is raised and resolved, not ignored.",
            "We measure results that matter to service users, not only activity.",
        ],
    ),
    (
        "resource-new-ways",
        [
            "Money, staff or time are moved to support new ways of working.",
            "Rules and funding that block joint work get changed.",
            "Partners pool resources when the shared aim needs it.",
        ],
    ),
    (
        "political-backing",
        [
            "Senior and political leaders visibly back the collaboration.",
            "We have support that would survive a change of leadership.",
            "Backing from the top is used to clear obstacles, not to direct the details.",
        ],
    ),
    (
        "distribute-leadership",
        [
            "Leadership is shared among partners rather than held by one person.",
            "People at every level take the lead when they see what is needed.",
            "The collaboration would carry on if its current chair left.",
        ],
    ),
    (
        "serve-perspectives",
        [
            "We take time to understand how each partner sees the problem.",
            "Partners adapt their own ways of working to help others succeed.",
            "Differences between partners are discussed rather than avoided.",
        ],
    ),
    (
        "relationships",
        [
            "Partners know each other personally and trust each other.",
            "We spend time building relationships, not only on tasks.",
            "When someone new joins, they are introduced to the people who matter.",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::MemoryFiles;

    fn folder(collaboration: &str, responses: &str) -> MemoryFiles {
        let mut files = MemoryFiles::new();
        files.insert("collaboration.toml", collaboration.as_bytes().to_vec());
        files.insert("responses.csv", responses.as_bytes().to_vec());
        files
    }

    const COLLABORATION: &str = "name = \"Pilot\"\ncodebook = \"whole-systems\"\n\n[[leader]]\nname = \"Ana\"\nrole = \"chair\"\nsince = \"2020-01-01\"\n\n[[round]]\nid = \"r2\"\ndate = \"2024-01-01\"\n\n[[round]]\nid = \"r1\"\ndate = \"2023-01-01\"\n";

    #[test]
    fn toml_dates_and_quoted_dates_are_read_alike() {
        let unquoted = COLLABORATION.replace("since = \"2020-01-01\"", "since = 2020-01-01").replace("date = \"2024-01-01\"", "date = 2024-01-01");
        let (quoted, problems) = load_assessment(&folder(COLLABORATION, "round,respondent,organisation,role,item,score\n"));
        assert!(problems.is_empty(), "{problems:?}");
        let (plain, problems) = load_assessment(&folder(&unquoted, "round,respondent,organisation,role,item,score\n"));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(plain.leaders, quoted.leaders);
        assert_eq!(plain.rounds, quoted.rounds);
        // A TOML date-time or an impossible day keeps the message that says how to write it.
        for bad in ["date = 2024-01-01T10:00:00", "date = \"2024-02-30\""] {
            let text = COLLABORATION.replace("date = \"2024-01-01\"", bad);
            let (_, problems) = load_assessment(&folder(&text, "round,respondent,organisation,role,item,score\n"));
            assert!(problems.iter().any(|p| p.line == 9 && p.message.contains("is not a date; write YYYY-MM-DD")), "{bad}: {problems:?}");
        }
        let text = COLLABORATION.replace("date = \"2024-01-01\"", "date = 20240101");
        let (_, problems) = load_assessment(&folder(&text, "round,respondent,organisation,role,item,score\n"));
        assert!(problems.iter().any(|p| p.message.contains("expected a date such as 2025-06-01")), "{problems:?}");
    }

    #[test]
    fn response_lines_are_the_same_with_crlf() {
        let responses = "round,respondent,organisation,role,item,score\nr1,a,Org,x,nope,3\nr1,a,Org,x\nr9,b,Org,x,cp1,3\n";
        let lines = |text: &str| {
            let (_, problems) = load_assessment(&folder(COLLABORATION, text));
            let mut lines: Vec<usize> = problems.iter().filter(|p| p.path == "responses.csv").map(|p| p.line).collect();
            lines.sort();
            lines
        };
        assert_eq!(lines(responses), [2, 3, 4]);
        assert_eq!(lines(&responses.replace('\n', "\r\n")), [2, 3, 4]);
    }

    #[test]
    fn a_sound_folder_reads_with_the_builtin_survey_and_rounds_in_date_order() {
        let (assessment, problems) = load_assessment(&folder(
            COLLABORATION,
            "round,respondent,organisation,role,item,score\nr1,a,Police,officer,share-power-1,4\nr1,a,Police,officer,share-power-2,\n",
        ));
        assert!(problems.is_empty(), "{problems:?}");
        assert!(assessment.builtin_survey);
        assert_eq!(assessment.items.len(), 36);
        assert_eq!(assessment.rounds.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), vec!["r1", "r2"]);
        assert_eq!(assessment.responses[1].score, None);
    }

    #[test]
    fn every_bad_input_is_named_with_its_line() {
        let collaboration = COLLABORATION.replace("since = \"2020-01-01\"\n", "");
        let responses = "round,respondent,organisation,role,item,score\nr9,a,Police,officer,share-power-1,4\nr1,a,Police,officer,share-powr-1,4\nr1,a,Police,officer,share-power-1,7\nr1,b,Police,officer,share-power-1,3\nr1,b,Health,nurse,share-power-2,3\n";
        let (_, problems) = load_assessment(&folder(&collaboration, responses));
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(lines.iter().any(|l| l.starts_with("collaboration.toml:4: leader `Ana` has no `since` date")), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("responses.csv:2: unknown round `r9`")), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("responses.csv:3: unknown item `share-powr-1` (did you mean share-power-1?)")), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("responses.csv:4: score `7` is not 1, 2, 3, 4 or 5")), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("responses.csv:6: respondent `b` is listed under `Police` and `Health`")), "{lines:?}");
        let (_, problems) = load_assessment(&folder("name = ", ""));
        assert_eq!(problems[0].path, "collaboration.toml");
        let (_, problems) = load_assessment(&folder(COLLABORATION, "who,what\n"));
        assert!(problems[0].to_string().starts_with("responses.csv:1: the header must be exactly"));
    }
}
