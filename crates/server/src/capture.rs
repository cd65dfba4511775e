//! The interview itself: live capture of the map in front of the
//! interviewee, drafts kept on the server while it is typed (whatever their
//! problems, never part of the study until saved), and the end-of-interview
//! summary read back as numbered sentences.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::MAX_PREVIEW_BYTES;
use crate::access::{Editor, Member, Viewer, study_view};
use crate::api::{JsonBody, iso_time};
use crate::auth::{ApiUser, PageUser};
use crate::error::AppError;
use crate::html::{render, values_of};
use crate::picker::{Picker, searching_again};
use crate::views::{Document, StudyAtRevision};
use collabmap_study::is_interview_id;

/// The JSON API's routes of this feature.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new().route(
        "/api/studies/{id}/interviews/{interview}/draft",
        get(get_draft).put(put_draft).delete(delete_draft).layer(DefaultBodyLimit::max(MAX_PREVIEW_BYTES)),
    )
}

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route("/studies/{id}/capture", get(capture_start))
            .route("/studies/{id}/capture/{interview}", get(capture_page))
            .route("/studies/{id}/summary/{interview}", get(summary_page)),
    )
}

/// The interview named in a path, refused unless it can name a file.
fn interview_name(interview: &str) -> Result<&str, AppError> {
    if is_interview_id(interview) {
        Ok(interview)
    } else {
        Err(AppError::BadRequest(format!("`{interview}` cannot name an interview: use letters, digits, `-`, `_` and `.`")))
    }
}

async fn get_draft(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Viewer>,
    Path((_, interview)): Path<(i64, String)>,
) -> Result<Json<serde_json::Value>, AppError> {
    let draft = state.store().draft(id, interview_name(&interview)?).await?.ok_or(AppError::NotFound)?;
    Ok(Json(json!({"text": draft.text, "saved_at": iso_time(draft.saved_at), "saved_by": draft.saved_by})))
}

#[derive(Deserialize)]
struct DraftBody {
    text: String,
}

/// Keeps the text as the interview's draft, whatever its problems. A draft
/// that reads exactly as the saved interview is no draft: it is removed, so
/// an autosave that lands just after a save leaves nothing behind.
async fn put_draft(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<ApiUser, Editor>,
    Path((_, interview)): Path<(i64, String)>,
    JsonBody(body): JsonBody<DraftBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    let interview = interview_name(&interview)?;
    let view = study_view(&state, id).await?;
    let saved = Document::Interview(interview.to_string()).read(&view)?;
    if saved.exists && saved.text == body.text {
        state.store().discard_draft(id, interview).await?;
        return Ok(Json(json!({"saved_at": null, "same_as_saved": true})));
    }
    let at = state.store().save_draft(id, interview, user.session.user.id, &body.text).await?;
    Ok(Json(json!({"saved_at": iso_time(at), "same_as_saved": false})))
}

async fn delete_draft(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Editor>,
    Path((_, interview)): Path<(i64, String)>,
) -> Result<StatusCode, AppError> {
    state.store().discard_draft(id, interview_name(&interview)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A person the capture offers after `@`, or on the first step's list.
struct Attendee {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct StartQuery {
    interview: String,
}

/// The dashboard's "start a live interview" form: to the capture of that interview.
async fn capture_start(Member { id, .. }: Member<PageUser, Viewer>, Query(query): Query<StartQuery>) -> Result<Response, AppError> {
    let interview = interview_name(query.interview.trim())?;
    Ok(axum::response::Redirect::to(&format!("/studies/{id}/capture/{}", crate::html::url_encode(interview))).into_response())
}

#[derive(Template)]
#[template(path = "drafts_panel.html")]
struct DraftsPanel {
    /// (interview, when kept, by whom), newest first.
    drafts: Vec<(String, String, String)>,
    /// How many drafts there are in all (the panel lists at most [`DRAFT_ROWS`]).
    total: usize,
}

/// Most drafts the dashboard lists (the latest first); each interview's capture page opens its own.
const DRAFT_ROWS: usize = 50;

/// The dashboard's list of drafts not saved yet, and the way to start a live interview.
pub(crate) async fn drafts_panel(state: &AppState, id: i64) -> Result<String, AppError> {
    let (drafts, total) = state.store().latest_drafts(id, DRAFT_ROWS as i64).await?;
    let panel = DraftsPanel {
        drafts: drafts
            .into_iter()
            .map(|d| (d.interview, iso_time(d.saved_at).replace('T', " ").replace('Z', " UTC"), d.saved_by.unwrap_or_default()))
            .collect(),
        total: usize::try_from(total).unwrap_or(usize::MAX),
    };
    panel.render().map_err(|e| AppError::Internal(format!("cannot render the drafts panel: {e}")))
}

#[derive(Template)]
#[template(path = "capture.html")]
struct CapturePage {
    id: i64,
    title: String,
    interview: String,
    /// The file as saved (or as a new interview would start); the page's script
    /// puts a newer draft in its place.
    text: String,
    version: i64,
    exists: bool,
    /// Codes offered after `#`, as `id` and name.
    codes: Vec<(String, String)>,
    /// Attendees offered after `@`.
    attendees: Vec<Attendee>,
    /// A new interview whose attendees are not chosen yet: the page asks first, with this.
    picker: Option<Picker>,
    can_edit: bool,
    csrf: String,
    signed_in: bool,
}

/// The interview mode of the editor, to show the interviewee: the map large,
/// drawn as it is typed, written with the keyboard only.
async fn capture_page(
    State(state): State<AppState>,
    Member { user, id, role, .. }: Member<PageUser, Viewer>,
    Path((_, interview)): Path<(i64, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let interview = interview_name(&interview)?.to_string();
    let view = study_view(&state, id).await?;
    let saved = Document::Interview(interview.clone()).read(&view)?;
    // For a new interview, who attends: `people` once per person (the first step's checkboxes).
    let chosen = values_of(&query, "people");
    let attendee_ids: Vec<String> = match view.study.interviews.iter().find(|iv| iv.id == interview) {
        Some(existing) => existing.people.clone(),
        None => chosen.iter().filter(|p| view.study.people.iter().any(|person| &person.id == *p)).cloned().collect(),
    };
    // "Find" searches the study's people again, keeping those ticked.
    let choose_attendees = !saved.exists && (attendee_ids.is_empty() || searching_again(&query));
    let picker = choose_attendees.then(|| Picker::people(&view.study, &attendee_ids, values_of(&query, "find").first().map_or("", String::as_str)));
    let attendees = if choose_attendees {
        Vec::new()
    } else {
        view.study
            .people
            .iter()
            .filter(|p| attendee_ids.contains(&p.id))
            .map(|p| Attendee { id: p.id.clone(), name: p.disclosed(&view.study.people_columns, "name").to_string() })
            .collect()
    };
    let text = if saved.exists { saved.text } else { new_interview_text(&attendee_ids) };
    Ok(render(&CapturePage {
        id,
        title: view.title.clone(),
        interview,
        text,
        version: saved.version,
        exists: saved.exists,
        codes: view.study.codebook.themes().iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        attendees,
        picker,
        can_edit: role.can_edit(),
        csrf: user.session.csrf.clone(),
        signed_in: true,
    }))
}

/// A new interview's text: its attendees and an empty map to write into.
fn new_interview_text(attendees: &[String]) -> String {
    format!("---\npeople: [{}]\n---\n\n# Map\n\n- \n", attendees.join(", "))
}

#[derive(Template)]
#[template(path = "summary.html")]
struct SummaryPage {
    id: i64,
    title: String,
    interview: String,
    sentences: Vec<collabmap_render::read_back::Sentence>,
    /// Whether the sentences come from the draft being typed rather than the saved interview.
    from_draft: bool,
    signed_in: bool,
}

/// The end-of-interview summary: the map as numbered sentences, from the
/// draft when one is being typed (the interview is rarely saved yet).
async fn summary_page(
    State(state): State<AppState>,
    Member { id, .. }: Member<PageUser, Viewer>,
    Path((_, interview)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let interview = interview_name(&interview)?.to_string();
    let view = study_view(&state, id).await?;
    let draft = state.store().draft(id, &interview).await?;
    let saved = Document::Interview(interview.clone()).read(&view)?;
    let (text, from_draft) = match draft {
        Some(draft) => (draft.text, true),
        None if saved.exists => (saved.text, false),
        None => return Err(AppError::NotFound),
    };
    let title = view.title.clone();
    let sentences = tokio::task::spawn_blocking(move || read_back(&view, &saved.path, &text)).await?;
    Ok(render(&SummaryPage { id, title, interview, sentences, from_draft, signed_in: true }))
}

/// The read-back of an interview's text (which may still have problems: the
/// sentences come from whatever of the map could be read).
fn read_back(view: &StudyAtRevision, path: &str, text: &str) -> Vec<collabmap_render::read_back::Sentence> {
    let (interview, _) = view.parse_interview_text(path, text);
    collabmap_render::read_back::read_back(&interview)
}
