//! Answering a survey through a link, as a busy partner on a phone expects:
//! one statement per block with its choices in words, nothing chosen for
//! them, an error summary for what is left, a page to check the answers
//! before sending, and a confirmation.
//!
//! The flow is plain HTML forms (no script): the statements (`step=check`),
//! then the answers to check (`step=send` or `step=change`), then the
//! confirmation. `step=save` keeps what is answered so far, for coming back
//! with the same link. A form sent without `step` (a script, an older page)
//! is saved at once when every statement is answered.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use collabmap_store::SurveyToken;
use collabmap_study::assessment::Assessment;

use crate::AppState;
use crate::collaborations::{load, record_answers};
use crate::error::AppError;
use crate::html::{render, respondent_error, respondent_page};

/// The routes of answering a survey.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/survey/{token}", get(survey_form).post(survey_submit))
}

/// An answer to a statement: a score from 1 to 5, or "don't know" (`None`).
type Answer = Option<u8>;

/// The choices, in the order they are offered: the form's value and the words shown.
const CHOICES: [(&str, &str); 6] =
    [("1", "Strongly disagree"), ("2", "Disagree"), ("3", "Neither agree nor disagree"), ("4", "Agree"), ("5", "Strongly agree"), ("dont-know", "Don't know")];

/// The words for an answer.
fn answer_words(answer: Answer) -> &'static str {
    match answer {
        Some(score) => CHOICES.get(usize::from(score).saturating_sub(1)).map_or("", |c| c.1),
        None => CHOICES[5].1,
    }
}

/// The form's value for an answer.
fn answer_value(answer: Answer) -> String {
    answer.map_or_else(|| CHOICES[5].0.to_string(), |s| s.to_string())
}

/// A statement with its choices, and whether it was left unanswered when it had to be answered.
struct Statement {
    id: String,
    number: usize,
    text: String,
    /// (value, words, chosen)
    choices: Vec<(&'static str, &'static str, bool)>,
    missing: bool,
}

#[derive(Template)]
#[template(path = "survey_form.html")]
struct SurveyPage {
    token: String,
    name: String,
    round: String,
    respondent: String,
    statements: Vec<Statement>,
    answered: usize,
    /// The statements left unanswered, (id, number, text), for the error summary.
    missing: Vec<(String, usize, String)>,
    /// Some answers were kept for later.
    kept: bool,
    signed_in: bool,
}

#[derive(Template)]
#[template(path = "survey_check.html")]
struct CheckPage {
    token: String,
    name: String,
    round: String,
    /// (id, number, statement, answer's words, answer's value)
    rows: Vec<(String, usize, String, &'static str, String)>,
    signed_in: bool,
}

#[derive(Template)]
#[template(path = "survey_done.html")]
struct DonePage {
    token: String,
    name: String,
    round: String,
    respondent: String,
    signed_in: bool,
}

/// The link's respondent and assessment, refusing a closed or unopened round.
async fn survey_context(state: &AppState, token: &str) -> Result<(SurveyToken, Assessment), Response> {
    let found = state.store().survey_token(token).await.map_err(|e| respondent_error(e.into()))?;
    let Some(link) = found else {
        return Err(respondent_page(
            StatusCode::NOT_FOUND,
            "Link not found",
            "This survey link is not valid. Check it was copied whole, or ask whoever sent it for a new one.",
        ));
    };
    match state.store().round_states(link.study).await.map_err(|e| respondent_error(e.into()))?.get(&link.round) {
        Some(true) => {}
        Some(false) => {
            return Err(respondent_page(
                StatusCode::GONE,
                "This round is closed",
                "The survey round this link belongs to has closed, so answers can no longer be given or changed. Thank you for taking part.",
            ));
        }
        None => {
            return Err(respondent_page(StatusCode::FORBIDDEN, "Not open yet", "This survey round has not been opened yet. Please try the link again later."));
        }
    }
    let assessment = load(state, link.study).await.map_err(respondent_error)?;
    Ok((link, assessment))
}

/// The answers the respondent has stored for the link's round.
fn stored_answers(assessment: &Assessment, link: &SurveyToken) -> HashMap<String, Answer> {
    assessment.responses.iter().filter(|r| r.round == link.round && r.respondent == link.respondent).map(|r| (r.item.clone(), r.score)).collect()
}

/// The statements page: `answers` chosen, and when `require_all`, the
/// unanswered ones marked and listed at the top.
fn form_page(link: &SurveyToken, assessment: &Assessment, token: &str, answers: &HashMap<String, Answer>, require_all: bool, kept: bool) -> Response {
    let statements: Vec<Statement> = assessment
        .items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let given = answers.get(&item.id).copied();
            let chosen = given.map(answer_value);
            Statement {
                id: item.id.clone(),
                number: n + 1,
                text: item.text.clone(),
                choices: CHOICES.iter().map(|&(value, words)| (value, words, chosen.as_deref() == Some(value))).collect(),
                missing: require_all && given.is_none(),
            }
        })
        .collect();
    let missing: Vec<(String, usize, String)> = statements.iter().filter(|s| s.missing).map(|s| (s.id.clone(), s.number, s.text.clone())).collect();
    let status = if missing.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SurveyPage {
        token: token.to_string(),
        name: assessment.name.clone(),
        round: link.round.clone(),
        respondent: link.respondent.clone(),
        answered: statements.iter().filter(|s| answers.contains_key(&s.id)).count(),
        statements,
        missing,
        kept,
        signed_in: false,
    };
    (status, render(&page)).into_response()
}

async fn survey_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match survey_context(&state, &token).await {
        Ok((link, assessment)) => form_page(&link, &assessment, &token, &stored_answers(&assessment, &link), false, false),
        Err(response) => response,
    }
}

/// The answers in a posted form, by statement: only the statements answered.
fn posted_answers(assessment: &Assessment, form: &HashMap<String, String>) -> Result<HashMap<String, Answer>, AppError> {
    let mut answers = HashMap::new();
    for item in &assessment.items {
        let Some(value) = form.get(&format!("item-{}", item.id)).map(|s| s.trim()) else { continue };
        let answer = match value {
            // An empty value was "don't know" on the earlier form; scripts may still send it.
            "" | "dont-know" => None,
            _ => match value.parse::<u8>() {
                Ok(score) if (1..=5).contains(&score) => Some(score),
                _ => return Err(AppError::BadRequest(format!("\"{value}\" is not an answer to \"{}\": choose one of the six answers offered", item.text))),
            },
        };
        answers.insert(item.id.clone(), answer);
    }
    Ok(answers)
}

/// The answers in the questionnaire's order, for storing.
fn in_order(assessment: &Assessment, answers: &HashMap<String, Answer>) -> Vec<(String, Answer)> {
    assessment.items.iter().filter_map(|i| answers.get(&i.id).map(|a| (i.id.clone(), *a))).collect()
}

async fn survey_submit(State(state): State<AppState>, Path(token): Path<String>, Form(form): Form<HashMap<String, String>>) -> Response {
    let (link, assessment) = match survey_context(&state, &token).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let answers = match posted_answers(&assessment, &form) {
        Ok(answers) => answers,
        Err(error) => return respondent_error(error),
    };
    let complete = answers.len() == assessment.items.len();
    match form.get("step").map(String::as_str) {
        Some("save") => match record_answers(&state, &link, &in_order(&assessment, &answers)).await {
            Ok(()) => form_page(&link, &assessment, &token, &answers, false, true),
            Err(error) => respondent_error(error),
        },
        Some("change") => form_page(&link, &assessment, &token, &answers, false, false),
        Some("check") if complete => check_page(&link, &assessment, &token, &answers),
        None | Some("send") if complete => match record_answers(&state, &link, &in_order(&assessment, &answers)).await {
            Ok(()) => render(&DonePage {
                token: token.clone(),
                name: assessment.name.clone(),
                round: link.round.clone(),
                respondent: link.respondent.clone(),
                signed_in: false,
            }),
            Err(error) => respondent_error(error),
        },
        _ => form_page(&link, &assessment, &token, &answers, true, false),
    }
}

fn check_page(link: &SurveyToken, assessment: &Assessment, token: &str, answers: &HashMap<String, Answer>) -> Response {
    let rows = assessment
        .items
        .iter()
        .enumerate()
        .filter_map(|(n, item)| answers.get(&item.id).map(|&a| (item.id.clone(), n + 1, item.text.clone(), answer_words(a), answer_value(a))))
        .collect();
    render(&CheckPage { token: token.to_string(), name: assessment.name.clone(), round: link.round.clone(), rows, signed_in: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_reads_as_words_and_goes_back_as_its_value() {
        for score in 1..=5u8 {
            assert_eq!(answer_value(Some(score)), score.to_string());
            assert!(!answer_words(Some(score)).is_empty());
        }
        assert_eq!(answer_value(None), "dont-know");
        assert_eq!(answer_words(None), "Don't know");
    }
}
