//! Checking a map back with the interviewee, and their consent.
//!
//! An editor makes a link for one attendee of an interview (a token, no
//! account, expiring, revocable, one open link per attendee). The link opens
//! a page written for the interviewee: their map drawn and as text, and the
//! quotes and stories that are theirs (never another attendee's, and no one's
//! name). They say for the whole interview, and for each quote, whether they
//! may be named; they may suggest other words. Confirming writes their
//! consent into the study as one revision by "the interviewee (check-back
//! link)" (`checked_back`, `checked_back_on`, `, anonymous` on quotes, their
//! `attribution` in people.csv) together with closing the link; suggestions
//! wait for an editor to accept or decline.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router};
use collabmap_store::{Change, ChangeError, CheckBack, CheckBackState, ConfirmError, NewSuggestion, Note, Role, Suggestion};
use collabmap_study::Interview;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::access::{Editor, Member, Viewer, study_view};
use crate::api::{JsonBody, iso_time, now_seconds};
use crate::auth::{ApiUser, PageUser};
use crate::editor::{SAVE_ATTEMPTS, save_document_noted};
use crate::error::AppError;
use crate::html::{base_url, render, respondent_error, respondent_page};
use crate::views::{Document, StudyAtRevision};

/// Who the history names for a change made through a check-back link.
pub(crate) const INTERVIEWEE: &str = "the interviewee (check-back link)";
/// How long a link stays open unless the editor says otherwise.
const DEFAULT_DAYS: i64 = 14;
/// The longest a link may stay open.
const MAX_DAYS: i64 = 90;

/// The JSON API's routes of this feature.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/studies/{id}/interviews/{interview}/checkbacks", get(list_links).post(create_link))
        .route("/api/studies/{id}/interviews/{interview}/checkbacks/{link}", delete(revoke_link))
        .route("/api/studies/{id}/interviews/{interview}/suggestions", get(list_suggestions))
}

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route("/studies/{id}/checkback/{interview}", get(checkback_page))
            .route("/studies/{id}/checkback/{interview}/links", post(create_link_form))
            .route("/studies/{id}/checkback/{interview}/revoke", post(revoke_form))
            .route("/studies/{id}/checkback/{interview}/suggestions/{suggestion}", post(decide_form)),
    )
    // The interviewee's pages answer in their own words, not as workspace refusals.
    .route("/check/{token}", get(interviewee_page).post(interviewee_confirm))
    .route("/check/{token}/pictures/{position}", get(interviewee_picture))
}

// ---- what an attendee may see ---------------------------------------------------

/// The interview `name` of the study at `view`, with its file's version.
fn interview_of<'v>(view: &'v StudyAtRevision, name: &str) -> Result<(&'v Interview, i64), AppError> {
    let text = Document::Interview(name.to_string()).read(view)?;
    let interview = view.study.interviews.iter().find(|iv| iv.file == text.path).ok_or(AppError::NotFound)?;
    Ok((interview, text.version))
}

/// Whether an item of `interview` is `person`'s own: theirs by attribution
/// (a quote's `— p06`), else every item of an interview they attended alone,
/// else in a group only what is marked as said by them (`@p06`). Never
/// another attendee's.
fn is_theirs(interview: &Interview, person: &str, item: &collabmap_study::Item<'_>) -> bool {
    match item.attribution {
        Some(speaker) => speaker == person,
        None => (interview.people.len() == 1 && interview.people[0] == person) || item.speakers.iter().any(|s| s == person),
    }
}

/// The positions, among their kind, of the items that are `person`'s.
fn positions_of<'i>(interview: &Interview, person: &str, items: impl Iterator<Item = collabmap_study::Item<'i>>) -> Vec<usize> {
    items.enumerate().filter(|(_, item)| is_theirs(interview, person, item)).map(|(position, _)| position).collect()
}

/// The positions of the quotes that are `person`'s.
fn quotes_of(interview: &Interview, person: &str) -> Vec<usize> {
    positions_of(interview, person, interview.quotes.iter().map(|q| q.item()))
}

/// The positions of the stories that are `person`'s.
fn stories_of(interview: &Interview, person: &str) -> Vec<usize> {
    positions_of(interview, person, interview.stories.iter().map(|s| s.item()))
}

/// The positions of the rich pictures that are `person`'s.
fn pictures_of(interview: &Interview, person: &str) -> Vec<usize> {
    positions_of(interview, person, interview.pictures.iter().map(|p| p.item()))
}

// ---- the editors' side ----------------------------------------------------------

/// An attendee's link as the editors see it.
struct LinkRow {
    id: i64,
    person: String,
    state: &'static str,
    detail: String,
    open: bool,
}

/// A suggestion as the editors review it.
struct SuggestionRow {
    id: i64,
    person: String,
    line: i64,
    kind: String,
    original: String,
    suggestion: String,
    decision: String,
}

#[derive(Template)]
#[template(path = "checkback.html")]
struct CheckbackPage {
    id: i64,
    title: String,
    interview: String,
    attendees: Vec<String>,
    links: Vec<LinkRow>,
    suggestions: Vec<SuggestionRow>,
    /// A link just made: (attendee, address), shown this once.
    issued: Option<(String, String)>,
    checked_back: bool,
    checked_back_on: String,
    can_edit: bool,
    csrf: String,
    signed_in: bool,
}

/// A consent record in words: what the interviewee chose.
pub(crate) fn consent_words(consent: Option<&str>) -> String {
    let Some(value) = consent.and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok()) else { return String::new() };
    let anonymous_quotes = value["quotes"].as_array().map_or(0, |qs| qs.iter().filter(|q| q["anonymous"] == true).count());
    let all = if value["all"] == "anonymous" { "keep me anonymous in everything" } else { "may be named" };
    let quotes = match (value["all"] == "anonymous", anonymous_quotes) {
        (true, _) | (false, 0) => String::new(),
        (false, 1) => ", one quote kept anonymous".into(),
        (false, n) => format!(", {n} quotes kept anonymous"),
    };
    let private_pictures = value["pictures"].as_array().map_or(0, |ps| ps.iter().filter(|p| p["publish"] == false).count());
    let pictures = match private_pictures {
        0 => String::new(),
        1 => ", one picture not to be published".into(),
        n => format!(", {n} pictures not to be published"),
    };
    format!("{all}{quotes}{pictures}")
}

/// Where a link stands, in words, with its date.
fn link_row(link: &CheckBack, now: i64) -> LinkRow {
    let day = |at: i64| iso_time(at)[..10].to_string();
    let (state, detail) = match link.state(now) {
        CheckBackState::Open => ("open", format!("until {}", day(link.expires))),
        CheckBackState::Confirmed => ("confirmed", format!("on {}: {}", day(link.confirmed.unwrap_or(0)), consent_words(link.consent.as_deref()))),
        CheckBackState::Revoked => ("revoked", format!("on {}", day(link.revoked.unwrap_or(0)))),
        CheckBackState::Expired => ("expired", format!("on {}", day(link.expires))),
    };
    LinkRow { id: link.id, person: link.person.clone(), state, detail, open: state == "open" }
}

async fn checkback_view(state: &AppState, user: &PageUser, id: i64, role: Role, name: &str, issued: Option<(String, String)>) -> Result<Response, AppError> {
    let view = study_view(state, id).await?;
    let (interview, _) = interview_of(&view, name)?;
    let now = now_seconds();
    let links: Vec<LinkRow> = state.store().checkbacks(id, Some(name)).await?.iter().map(|l| link_row(l, now)).collect();
    let suggestions = state.store().suggestions(id, Some(name)).await?.into_iter().map(suggestion_row).collect();
    Ok(render(&CheckbackPage {
        id,
        title: view.title.clone(),
        interview: name.to_string(),
        attendees: interview.people.clone(),
        links,
        suggestions,
        issued,
        checked_back: interview.checked_back,
        checked_back_on: interview.checked_back_on.clone().unwrap_or_default(),
        can_edit: role.can_edit(),
        csrf: user.session.csrf.clone(),
        signed_in: true,
    }))
}

fn suggestion_row(s: Suggestion) -> SuggestionRow {
    let decision = match (&s.decision, &s.decided_by) {
        (Some(decision), Some(by)) => format!("{decision} by {by}"),
        (Some(decision), None) => decision.clone(),
        (None, _) => String::new(),
    };
    SuggestionRow {
        id: s.id,
        person: s.person,
        line: s.change.line,
        kind: s.change.kind,
        original: s.change.original,
        suggestion: s.change.suggestion,
        decision,
    }
}

async fn checkback_page(
    State(state): State<AppState>,
    Member { user, id, role, .. }: Member<PageUser, Viewer>,
    Path((_, interview)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    checkback_view(&state, &user, id, role, &interview, None).await
}

#[derive(Deserialize)]
struct LinkForm {
    csrf: String,
    person: String,
    #[serde(default)]
    days: Option<String>,
}

/// Makes a link for an attendee, after checking they attended.
async fn make_link(state: &AppState, user: i64, id: i64, name: &str, person: &str, days: i64) -> Result<(String, i64), AppError> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AppError::BadRequest(format!("a check-back link stays open 1 to {MAX_DAYS} days, not {days}")));
    }
    let view = study_view(state, id).await?;
    let (interview, _) = interview_of(&view, name)?;
    if !interview.people.iter().any(|p| p == person) {
        return Err(AppError::BadRequest(format!("{person} did not attend interview {name}: a check-back link is for one of its attendees")));
    }
    let token = state.store().issue_checkback(id, name, person, user, days).await?;
    Ok((token, now_seconds() + days * 86_400))
}

async fn create_link_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Member { user, id, role, .. }: Member<PageUser, Editor>,
    Path((_, interview)): Path<(i64, String)>,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    let days = match form.days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => DEFAULT_DAYS,
        Some(days) => days.parse().map_err(|_| AppError::BadRequest(format!("`{days}` is not a number of days")))?,
    };
    let (token, _) = make_link(&state, user.session.user.id, id, &interview, &form.person, days).await?;
    let address = format!("{}/check/{token}", base_url(&headers));
    checkback_view(&state, &user, id, role, &interview, Some((form.person, address))).await
}

#[derive(Deserialize)]
struct RevokeForm {
    csrf: String,
    link: i64,
}

async fn revoke_form(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<PageUser, Editor>,
    Path((_, interview)): Path<(i64, String)>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    if !state.store().revoke_checkback(id, form.link).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/studies/{id}/checkback/{interview}")).into_response())
}

#[derive(Deserialize)]
struct DecisionForm {
    csrf: String,
    decision: String,
}

/// Accepts a suggestion (its words replace the old ones on their line, as a
/// save checked like any other) or declines it.
async fn decide_form(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<PageUser, Editor>,
    Path((_, interview, suggestion)): Path<(i64, String, i64)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    let found =
        state.store().suggestions(id, Some(&interview)).await?.into_iter().find(|s| s.id == suggestion && s.decision.is_none()).ok_or(AppError::NotFound)?;
    let accepted = match form.decision.as_str() {
        "accept" => true,
        "decline" => false,
        other => return Err(AppError::BadRequest(format!("`{other}` is not a decision: accept or decline"))),
    };
    if accepted {
        apply_suggestion(&state, user.session.user.id, id, &interview, &found).await?;
    }
    state.store().decide_suggestion(id, suggestion, accepted, user.session.user.id).await?;
    Ok(Redirect::to(&format!("/studies/{id}/checkback/{interview}")).into_response())
}

/// Puts a suggestion's words in place of the old ones: on the line nearest
/// the one it was made on that still reads them (saves since, the consent
/// among them, may have moved it); otherwise says where to edit by hand.
async fn apply_suggestion(state: &AppState, user: i64, id: i64, name: &str, suggestion: &Suggestion) -> Result<(), AppError> {
    let view = study_view(state, id).await?;
    let current = Document::Interview(name.to_string()).read(&view)?;
    let line = usize::try_from(suggestion.change.line).unwrap_or(0);
    let mut lines: Vec<String> = current.text.split_inclusive('\n').map(str::to_string).collect();
    let original = &suggestion.change.original;
    let nearest = (!original.contains('\n'))
        .then(|| (0..lines.len()).filter(|&i| lines[i].contains(original.as_str())).min_by_key(|&i| i.abs_diff(line.saturating_sub(1))))
        .flatten();
    let Some(target) = nearest else {
        return Err(AppError::Conflict {
            message: format!(
                "{} no longer reads “{original}” near line {line}: open the editor and make the change by hand, then decline the suggestion",
                current.path
            ),
            current: current.version,
        });
    };
    lines[target] = lines[target].replacen(original.as_str(), &suggestion.change.suggestion, 1);
    let note = Note { message: Some(format!("Accepted {}'s suggestion on line {} (from their check-back)", suggestion.person, target + 1)), ..Note::default() };
    save_document_noted(state, user, id, Document::Interview(name.to_string()), lines.concat(), current.version, &note).await?;
    Ok(())
}

#[derive(Deserialize)]
struct LinkBody {
    person: String,
    #[serde(default)]
    days: Option<i64>,
}

async fn create_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Member { user, id, .. }: Member<ApiUser, Editor>,
    Path((_, interview)): Path<(i64, String)>,
    JsonBody(body): JsonBody<LinkBody>,
) -> Result<Response, AppError> {
    let (token, expires) = make_link(&state, user.session.user.id, id, &interview, &body.person, body.days.unwrap_or(DEFAULT_DAYS)).await?;
    let address = format!("{}/check/{token}", base_url(&headers));
    Ok((StatusCode::CREATED, Json(json!({"url": address, "expires": iso_time(expires)}))).into_response())
}

async fn list_links(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Viewer>,
    Path((_, interview)): Path<(i64, String)>,
) -> Result<Json<serde_json::Value>, AppError> {
    let now = now_seconds();
    let links: Vec<serde_json::Value> = state
        .store()
        .checkbacks(id, Some(&interview))
        .await?
        .iter()
        .map(|l| {
            let row = link_row(l, now);
            json!({
                "id": l.id,
                "person": l.person,
                "state": row.state,
                "created": iso_time(l.created),
                "created_by": l.created_by,
                "expires": iso_time(l.expires),
                "confirmed": l.confirmed.map(iso_time),
                "consent": l.consent.as_deref().and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok()),
            })
        })
        .collect();
    Ok(Json(json!(links)))
}

async fn revoke_link(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Editor>,
    Path((_, _, link)): Path<(i64, String, i64)>,
) -> Result<StatusCode, AppError> {
    if state.store().revoke_checkback(id, link).await? { Ok(StatusCode::NO_CONTENT) } else { Err(AppError::NotFound) }
}

async fn list_suggestions(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Viewer>,
    Path((_, interview)): Path<(i64, String)>,
) -> Result<Json<serde_json::Value>, AppError> {
    let suggestions: Vec<serde_json::Value> = state
        .store()
        .suggestions(id, Some(&interview))
        .await?
        .into_iter()
        .map(|s| {
            json!({"id": s.id, "person": s.person, "line": s.change.line, "kind": s.change.kind, "original": s.change.original,
                   "suggestion": s.change.suggestion, "created": iso_time(s.created), "decision": s.decision, "decided_by": s.decided_by})
        })
        .collect();
    Ok(Json(json!(suggestions)))
}

/// A row of the dashboard's consent table: one attendee's latest link.
struct ConsentRow {
    interview: String,
    person: String,
    state: String,
    consent: String,
    waiting: usize,
}

#[derive(Template)]
#[template(path = "consent_panel.html")]
struct ConsentPanel {
    checked_back: usize,
    interviews: usize,
    rows: Vec<ConsentRow>,
    /// Attendees sent a link, of whom `rows` shows the latest.
    attendees: i64,
}

/// Most attendees the dashboard's consent table shows (the latest first);
/// an interview's check-back page lists all of its own.
const CONSENT_ROWS: usize = 50;

/// The dashboard's consent state: how many maps are checked back, and for
/// each attendee who was sent a link, where it stands and what they chose.
pub(crate) async fn consent_panel(state: &AppState, view: &StudyAtRevision) -> Result<String, AppError> {
    let now = now_seconds();
    let store = state.store();
    // Enough of the latest links that repeats (an attendee sent a new link) still leave a full table.
    let (links, attendees, waiting) =
        tokio::try_join!(store.latest_checkbacks(view.id, 4 * CONSENT_ROWS as i64), store.checkback_attendees(view.id), store.waiting_suggestions(view.id))?;
    let waiting: HashMap<(&str, &str), i64> = waiting.iter().map(|(interview, person, count)| ((interview.as_str(), person.as_str()), *count)).collect();
    let mut seen = std::collections::HashSet::new();
    // Newest first: each attendee's latest link speaks for them.
    let rows = links
        .iter()
        .filter(|l| seen.insert((l.interview.clone(), l.person.clone())))
        .take(CONSENT_ROWS)
        .map(|l| {
            let row = link_row(l, now);
            let waiting = waiting.get(&(l.interview.as_str(), l.person.as_str())).copied().unwrap_or(0) as usize;
            let consent = if row.state == "confirmed" { row.detail.clone() } else { String::new() };
            let state = if row.state == "confirmed" { "confirmed".to_string() } else { format!("{} {}", row.state, row.detail) };
            ConsentRow { interview: l.interview.clone(), person: l.person.clone(), state, consent, waiting }
        })
        .collect();
    let panel = ConsentPanel { checked_back: view.checked_back(), interviews: view.study.interviews.len(), rows, attendees };
    panel.render().map_err(|e| AppError::Internal(format!("cannot render the consent panel: {e}")))
}

// ---- the interviewee's side ------------------------------------------------------

/// A concept or a quote, with the box to suggest other words.
struct Checkable {
    line: usize,
    text: String,
    suggested: String,
}

/// One of the interviewee's rich pictures, with their choice.
struct PictureChoice {
    line: usize,
    position: usize,
    caption: String,
    explanation: String,
    /// `publish`, `private`, or empty when not chosen yet.
    chosen: String,
}

/// One of the interviewee's quotes, with their choice and suggestion.
struct QuoteChoice {
    line: usize,
    text: String,
    /// `named`, `anonymous`, or empty when not chosen yet.
    chosen: String,
    suggested: String,
}

#[derive(Template)]
#[template(path = "check.html")]
struct IntervieweePage {
    token: String,
    study: String,
    map_svg: String,
    sentences: Vec<collabmap_render::read_back::Sentence>,
    concepts: Vec<Checkable>,
    quotes: Vec<QuoteChoice>,
    stories: Vec<(String, String)>,
    pictures: Vec<PictureChoice>,
    /// `named`, `anonymous`, or empty when not chosen yet.
    all: String,
    /// Choices still to make: (the field's id, what to do), as the error summary lists them.
    missing: Vec<(String, String)>,
    signed_in: bool,
}

/// The link behind `token`, or the page that says why it cannot be used.
async fn open_link(state: &AppState, token: &str) -> Result<CheckBack, Response> {
    let found = state.store().checkback(token).await.map_err(|e| respondent_error(e.into()))?;
    let Some(link) = found else {
        return Err(respondent_page(
            StatusCode::NOT_FOUND,
            "This link does not work",
            "This check-back link is not one we know. Check that it was copied whole, or ask the researcher who sent it for a new one.",
        ));
    };
    match link.state(now_seconds()) {
        CheckBackState::Open => Ok(link),
        CheckBackState::Confirmed => Err(respondent_page(
            StatusCode::GONE,
            "Thank you: you have already confirmed",
            "You confirmed your interview and your choices through this link, so it cannot change anything again. If you want to change something, contact the researcher who sent it.",
        )),
        CheckBackState::Revoked => Err(respondent_page(
            StatusCode::GONE,
            "This link was withdrawn",
            "The research team withdrew this check-back link, so it cannot be used. If you were expecting to check your interview, ask the researcher who sent it for a new link.",
        )),
        CheckBackState::Expired => Err(respondent_page(
            StatusCode::GONE,
            "This link has expired",
            "This check-back link was open for a limited time, which has passed. Ask the researcher who sent it for a new link.",
        )),
    }
}

/// What the interviewee sent (or nothing yet), read against their interview.
struct Answers<'a> {
    form: &'a HashMap<String, String>,
}

impl Answers<'_> {
    fn get(&self, key: &str) -> String {
        self.form.get(key).map(|v| v.trim().to_string()).unwrap_or_default()
    }
}

/// The interviewee's page for `link` on the study at `view`, with what they sent so far.
fn interviewee_view(
    view: &StudyAtRevision,
    link: &CheckBack,
    token: &str,
    answers: &Answers<'_>,
    missing: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let (interview, _) = interview_of(view, &link.interview)?;
    let person = link.person.as_str();
    let concepts =
        interview.concepts().map(|(_, c)| Checkable { line: c.line, text: c.text(), suggested: answers.get(&format!("concept-{}", c.line)) }).collect();
    let quotes = quotes_of(interview, person)
        .into_iter()
        .map(|q| {
            let quote = &interview.quotes[q];
            QuoteChoice {
                line: quote.line,
                text: quote.text.clone(),
                chosen: answers.get(&format!("quote-{}", quote.line)),
                suggested: answers.get(&format!("quote-text-{}", quote.line)),
            }
        })
        .collect();
    let stories = stories_of(interview, person).into_iter().map(|s| (interview.stories[s].title.clone(), interview.stories[s].body.clone())).collect();
    let pictures = pictures_of(interview, person)
        .into_iter()
        .map(|position| {
            let picture = &interview.pictures[position];
            PictureChoice {
                line: picture.line,
                position,
                caption: picture.caption.clone(),
                explanation: picture.explanation.clone(),
                chosen: answers.get(&format!("picture-{}", picture.line)),
            }
        })
        .collect();
    Ok(render(&IntervieweePage {
        token: token.to_string(),
        study: view.title.clone(),
        map_svg: collabmap_render::map_drawing::map_svg(interview, &view.study.codebook),
        sentences: collabmap_render::read_back::read_back(interview),
        concepts,
        quotes,
        stories,
        pictures,
        all: answers.get("all"),
        missing,
        signed_in: false,
    }))
}

async fn interviewee_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let link = match open_link(&state, &token).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let outcome = async {
        let view = study_view(&state, link.study).await?;
        let empty = HashMap::new();
        interviewee_view(&view, &link, &token, &Answers { form: &empty }, Vec::new())
    };
    outcome.await.unwrap_or_else(interviewee_error)
}

/// One of the interviewee's own pictures, for their page (they have no
/// account to see the study's files with), under the policy that runs nothing.
async fn interviewee_picture(State(state): State<AppState>, Path((token, position)): Path<(String, usize)>) -> Response {
    let link = match open_link(&state, &token).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let outcome = async {
        let view = study_view(&state, link.study).await?;
        let (interview, _) = interview_of(&view, &link.interview)?;
        if !pictures_of(interview, &link.person).contains(&position) {
            return Err(AppError::NotFound);
        }
        let path = &interview.pictures[position].path;
        let kind = collabmap_study::files::picture_media_type(path).ok_or(AppError::NotFound)?;
        let bytes = view.files.get(path).ok_or(AppError::NotFound)?.to_vec();
        Ok(([(axum::http::header::CONTENT_TYPE, kind), (axum::http::header::CONTENT_SECURITY_POLICY, crate::PICTURE_POLICY)], bytes).into_response())
    };
    outcome.await.unwrap_or_else(interviewee_error)
}

/// A refusal on the interviewee's side, in words for them.
fn interviewee_error(error: AppError) -> Response {
    match error {
        AppError::NotFound => respondent_page(
            StatusCode::NOT_FOUND,
            "This interview is no longer here",
            "The interview this link was made for is no longer in the study. Ask the researcher who sent the link.",
        ),
        other => respondent_error(other),
    }
}

/// What the interviewee chose: for everything, and per quote (by its line).
struct Choices {
    all_anonymous: bool,
    quotes: Vec<(usize, bool)>,
    /// Each of their pictures (by its line): whether it may be published.
    pictures: Vec<(usize, bool)>,
}

/// Reads the choices, or lists the ones still to make.
fn read_choices(interview: &Interview, person: &str, answers: &Answers<'_>) -> Result<Choices, Vec<(String, String)>> {
    let mut missing = Vec::new();
    let all = answers.get("all");
    if all != "named" && all != "anonymous" {
        missing.push(("all".to_string(), "Choose whether you may be named, or must stay anonymous in everything".to_string()));
    }
    let all_anonymous = all == "anonymous";
    let mut quotes = Vec::new();
    for position in quotes_of(interview, person) {
        let line = interview.quotes[position].line;
        let chosen = answers.get(&format!("quote-{line}"));
        match chosen.as_str() {
            _ if all_anonymous => quotes.push((line, true)),
            "named" => quotes.push((line, false)),
            "anonymous" => quotes.push((line, true)),
            _ => missing.push((
                format!("quote-{line}"),
                format!("Choose whether your quote “{}” may carry your name", opening_words(&interview.quotes[position].text)),
            )),
        }
    }
    let mut pictures = Vec::new();
    for position in pictures_of(interview, person) {
        let picture = &interview.pictures[position];
        match answers.get(&format!("picture-{}", picture.line)).as_str() {
            "publish" => pictures.push((picture.line, true)),
            "private" => pictures.push((picture.line, false)),
            _ => missing.push((format!("picture-{}", picture.line), format!("Choose whether your picture “{}” may be published", picture.caption))),
        }
    }
    if missing.is_empty() { Ok(Choices { all_anonymous, quotes, pictures }) } else { Err(missing) }
}

/// The first words of a quote, enough for its speaker to know which it is.
fn opening_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= 8 { words.join(" ") } else { format!("{} …", words[..8].join(" ")) }
}

/// The suggestions in the form: other words for a concept or a quote.
fn read_suggestions(interview: &Interview, person: &str, answers: &Answers<'_>) -> Vec<NewSuggestion> {
    let mut found = Vec::new();
    for (_, concept) in interview.concepts() {
        let suggested = answers.get(&format!("concept-{}", concept.line));
        if !suggested.is_empty() && suggested != concept.text() {
            found.push(NewSuggestion { line: concept.line as i64, kind: "concept".into(), original: concept.text(), suggestion: suggested });
        }
    }
    for position in quotes_of(interview, person) {
        let quote = &interview.quotes[position];
        let suggested = answers.get(&format!("quote-text-{}", quote.line));
        if !suggested.is_empty() && suggested != quote.text {
            found.push(NewSuggestion { line: quote.line as i64, kind: "quote".into(), original: quote.text.clone(), suggestion: suggested });
        }
    }
    found
}

/// The study's files with the interviewee's consent written in: the
/// interview checked back today, each of their quotes named or anonymous as
/// they chose, and their `attribution` in people.csv as they chose for everything.
fn consent_changes(view: &StudyAtRevision, link: &CheckBack, choices: &Choices, today: &str) -> Result<Vec<Change>, AppError> {
    let edit_failed = |e: collabmap_study::edit::EditError| AppError::Internal(format!("cannot write the consent into the study: {e}"));
    let document = Document::Interview(link.interview.clone()).read(view)?;
    let mut text = document.text.clone();
    // From the last line up, so that an attribution line added below a quote never moves what is above it.
    let mut edits: Vec<(usize, bool, bool)> = choices.quotes.iter().map(|&(line, anonymous)| (line, true, anonymous)).collect();
    edits.extend(choices.pictures.iter().map(|&(line, publish)| (line, false, publish)));
    edits.sort_unstable_by_key(|&(line, _, _)| std::cmp::Reverse(line));
    for (line, is_quote, choice) in edits {
        text = if is_quote {
            collabmap_study::edit::set_quote_consent(&text, line, &link.person, choice)
        } else {
            collabmap_study::edit::set_picture_publication(&text, line, choice)
        }
        .map_err(edit_failed)?;
    }
    text = collabmap_study::edit::set_front_matter(&text, "checked_back", "true").map_err(edit_failed)?;
    text = collabmap_study::edit::set_front_matter(&text, "checked_back_on", today).map_err(edit_failed)?;
    let mut changes = vec![Change { path: document.path, expected: Some(document.version), content: Some(text.into_bytes()) }];
    let person = view.study.people.iter().find(|p| p.id == link.person).ok_or(AppError::NotFound)?;
    // Their `attribution` as they chose it, when people.csv says otherwise (no column means named).
    if person.anonymous != choices.all_anonymous {
        let people = Document::People.read(view)?;
        let attribution = if choices.all_anonymous { "anonymous" } else { "named" };
        let edited = collabmap_study::edit::set_person_column(&people.text, &link.person, "attribution", attribution).map_err(edit_failed)?;
        changes.push(Change { path: people.path, expected: Some(people.version), content: Some(edited.into_bytes()) });
    }
    Ok(changes)
}

async fn interviewee_confirm(State(state): State<AppState>, Path(token): Path<String>, Form(form): Form<HashMap<String, String>>) -> Response {
    let link = match open_link(&state, &token).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    confirm(&state, &link, &token, &form).await.unwrap_or_else(interviewee_error)
}

/// Records the confirmation: checked against the whole study like any save,
/// committed with the link's closing in one transaction, and checked again on
/// top of any save that lands in between.
async fn confirm(state: &AppState, link: &CheckBack, token: &str, form: &HashMap<String, String>) -> Result<Response, AppError> {
    let answers = Answers { form };
    let lock = state.views().save_lock(link.study);
    let _held = lock.lock().await;
    for _ in 0..SAVE_ATTEMPTS {
        let view = state.views().get(state.store(), link.study).await?;
        let (interview, _) = interview_of(&view, &link.interview)?;
        let choices = match read_choices(interview, &link.person, &answers) {
            Ok(choices) => choices,
            Err(missing) => {
                return interviewee_view(&view, link, token, &answers, missing).map(|page| (StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        };
        let suggestions = read_suggestions(interview, &link.person, &answers);
        let today = crate::api::today();
        let changes = consent_changes(&view, link, &choices, &today)?;
        let checked: Vec<(String, Option<Vec<u8>>)> = changes.iter().map(|c| (c.path.clone(), c.content.clone())).collect();
        let revision = view.revision;
        let validating = view.clone();
        let problems = tokio::task::spawn_blocking(move || validating.validate(&checked)).await?;
        if !problems.is_empty() {
            return Err(AppError::Internal(format!("a check-back's consent would leave the study with problems: {problems:?}")));
        }
        let consent = json!({
            "person": link.person,
            "all": if choices.all_anonymous { "anonymous" } else { "named" },
            "quotes": choices.quotes.iter().map(|(line, anonymous)| json!({"line": line, "anonymous": anonymous})).collect::<Vec<_>>(),
            "pictures": choices.pictures.iter().map(|(line, publish)| json!({"line": line, "publish": publish})).collect::<Vec<_>>(),
            "suggestions": suggestions.len(),
            "on": today,
        })
        .to_string();
        let note = Note {
            message: Some(format!("{} confirmed the map and gave consent through their check-back link", link.person)),
            author: Some(INTERVIEWEE.into()),
            ..Note::default()
        };
        match state.store().confirm_checkback(link, &consent, &suggestions, &changes, revision, &note).await {
            Ok(_) => {
                return Ok(respondent_page(
                    StatusCode::OK,
                    "Thank you: your interview is confirmed",
                    "Your choices are recorded, and the research team will look at any changes you suggested. This link will not change anything again.",
                ));
            }
            Err(ConfirmError::Closed) => return Ok(open_link(state, token).await.err().unwrap_or_else(|| respondent_error(AppError::NotFound))),
            Err(ConfirmError::Change(ChangeError::Moved { .. } | ChangeError::Conflict { .. })) => continue,
            Err(ConfirmError::Change(ChangeError::NoStudy)) => return Err(AppError::NotFound),
            Err(ConfirmError::Change(ChangeError::Store(error))) => return Err(error.into()),
        }
    }
    Err(AppError::Conflict { message: "the study kept changing while your answers were recorded: send them again".into(), current: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use collabmap_study::Quote;

    fn quote(attribution: Option<&str>, speakers: &[&str]) -> Quote {
        Quote { attribution: attribution.map(Into::into), speakers: speakers.iter().map(|s| s.to_string()).collect(), text: "q".into(), ..Quote::default() }
    }

    #[test]
    fn an_attendee_sees_only_their_own_quotes() {
        let group = Interview {
            people: vec!["p1".into(), "p2".into()],
            quotes: vec![quote(Some("p1"), &[]), quote(Some("p2"), &[]), quote(None, &["p1"]), quote(None, &[]), quote(Some("p2"), &["p1"])],
            ..Interview::default()
        };
        assert_eq!(quotes_of(&group, "p1"), [0, 2]);
        assert_eq!(quotes_of(&group, "p2"), [1, 4]);
        let alone = Interview { people: vec!["p1".into()], quotes: vec![quote(None, &[]), quote(Some("p1"), &[])], ..Interview::default() };
        assert_eq!(quotes_of(&alone, "p1"), [0, 1]);
        assert!(quotes_of(&alone, "p9").is_empty());
    }

    #[test]
    fn consent_reads_as_words() {
        assert_eq!(consent_words(Some(r#"{"all":"anonymous","quotes":[{"anonymous":true}]}"#)), "keep me anonymous in everything");
        assert_eq!(consent_words(Some(r#"{"all":"named","quotes":[{"anonymous":true},{"anonymous":false}]}"#)), "may be named, one quote kept anonymous");
        assert_eq!(consent_words(None), "");
    }
}
