//! Editing a study's files: interviews, people, projects, the codebook and
//! settings, each read and saved with its version, checked as a whole study
//! before anything is stored, with a live preview for interviews; the editor
//! page and its JSON endpoints.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use collabmap_store::{ChangeError, Role};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::access::{Member, Viewer, member_role, member_view, study_view};
use crate::api::JsonBody;
use crate::auth::{ApiUser, PageUser};
use crate::error::AppError;
use crate::error::problems_json;
use crate::html::{render, url_encode, values_of};
use crate::picker::{Picker, searching_again};
use crate::views::{Document, StudyAtRevision};
use crate::{MAX_DOCUMENT_BYTES, MAX_PREVIEW_BYTES};
use collabmap_study::is_interview_id;

/// The JSON API's routes of this feature.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/studies/{id}/preview", post(preview).layer(DefaultBodyLimit::max(MAX_PREVIEW_BYTES)))
        .route("/api/studies/{id}/interviews", post(create_interview).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route(
            "/api/studies/{id}/interviews/{interview}",
            get(get_interview).put(put_interview).delete(delete_interview).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)),
        )
        .route("/api/studies/{id}/people", get(get_people).put(put_people).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route("/api/studies/{id}/projects", get(get_projects).put(put_projects).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route("/api/studies/{id}/codebook", get(get_codebook).put(put_codebook).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route("/api/studies/{id}/settings", get(get_settings).put(put_settings).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
}

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route("/studies/{id}/edit/interviews/new", get(new_interview))
            .route("/studies/{id}/edit/interviews/{interview}", get(edit_interview))
            .route("/studies/{id}/edit/memos/{memo}", get(edit_memo))
            .route("/studies/{id}/edit/{document}", get(edit_document))
            .route("/studies/{id}/edit/{document}/text", get(edit_document)),
    )
}

#[derive(Deserialize)]
struct PreviewBody {
    path: String,
    text: String,
}

async fn preview(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Viewer>,
    JsonBody(body): JsonBody<PreviewBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    let view = study_view(&state, id).await?;
    let preview = tokio::task::spawn_blocking(move || view.preview(&body.path, &body.text)).await?;
    Ok(Json(json!({"svg": preview.svg, "problems": problems_json(&preview.problems), "note": preview.note})))
}

/// Reads a document for a member.
pub(crate) async fn read_document(state: &AppState, user: &ApiUser, id: i64, document: Document) -> Result<Json<serde_json::Value>, AppError> {
    let (_, view) = member_view(state, user.session.user.id, id, Role::Viewer).await?;
    let text = document.read(&view)?;
    if !text.exists && matches!(document, Document::Interview(_)) {
        return Err(AppError::NotFound);
    }
    Ok(Json(json!({"text": text.text, "version": text.version, "path": text.path})))
}

/// How many times a save is checked again when other files of the study
/// were saved meanwhile, before the editor is asked to try again.
pub(crate) const SAVE_ATTEMPTS: usize = 8;

/// Saves a document for an editor: checked against the whole study at one
/// revision, then committed only if the study is still at that revision and
/// `version` is still the document's. When someone saved another file in
/// between, the save is checked again on top of theirs (so two editors of
/// different interviews never see a refusal), and refused with every
/// problem if, together, the two saves would break the study.
pub(crate) async fn save_document(state: &AppState, user: i64, id: i64, document: Document, text: String, version: i64) -> Result<i64, AppError> {
    save_document_noted(state, user, id, document, text, version, &collabmap_store::Note::default()).await
}

/// [`save_document`] with the message the history keeps beside the save.
pub(crate) async fn save_document_noted(
    state: &AppState,
    user: i64,
    id: i64,
    document: Document,
    text: String,
    version: i64,
    note: &collabmap_store::Note,
) -> Result<i64, AppError> {
    commit_document(state, user, id, &document, Some(text), version, note).await
}

/// Saves `text` as the document (or, with `None`, removes it) for an
/// editor: the one loop behind every save and removal of a study's
/// documents, checked against the whole study at one revision and committed
/// only at that revision (see [`save_document`]).
pub(crate) async fn commit_document(
    state: &AppState,
    user: i64,
    id: i64,
    document: &Document,
    text: Option<String>,
    version: i64,
    note: &collabmap_store::Note,
) -> Result<i64, AppError> {
    member_role(state, user, id, Role::Editor).await?;
    let (done, again) = if text.is_some() { ("saved", "save again") } else { ("removed", "try again") };
    let kept_changing = format!("{} could not be {done}: the study kept changing while it was checked; {again}", document.label());
    let (revision, _) = commit_built(state, user, id, note, &kept_changing, |view| {
        let current = document.read(view)?;
        if text.is_none() && !current.exists {
            return Err(AppError::NotFound);
        }
        if current.version != version {
            return Err(conflict(document, current.version));
        }
        match &text {
            Some(text) => document.changes(view, text, version),
            None => Ok((vec![collabmap_store::Change { path: current.path.clone(), expected: Some(version), content: None }], None)),
        }
    })
    .await?;
    // The interview is in the study now (or gone): its draft has done its work.
    if let Document::Interview(name) = document {
        state.store().discard_draft(id, name).await?;
    }
    Ok(revision)
}

/// Commits the changes `build` makes from the study as it is now (and the
/// study's new title, if they change it), after checking the study they
/// give, at the very revision that was checked. When someone saves in
/// between, `build` runs again on top of their save, so two saves that are
/// each sound alone never store a broken study together; `kept_changing` is
/// the refusal when that happens [`SAVE_ATTEMPTS`] times. Returns the new
/// revision and the changes it made.
pub(crate) async fn commit_built(
    state: &AppState,
    user: i64,
    id: i64,
    note: &collabmap_store::Note,
    kept_changing: &str,
    build: impl Fn(&StudyAtRevision) -> Result<(Vec<collabmap_store::Change>, Option<String>), AppError>,
) -> Result<(i64, Vec<collabmap_store::Change>), AppError> {
    let lock = state.views().save_lock(id);
    let _held = lock.lock().await;
    for _ in 0..SAVE_ATTEMPTS {
        let view = state.views().get(state.store(), id).await?;
        let (changes, title) = build(&view)?;
        let checked = changes.iter().map(|c| (c.path.clone(), c.content.clone())).collect::<Vec<_>>();
        let revision = view.revision;
        let problems = tokio::task::spawn_blocking(move || view.validate(&checked)).await?;
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        match state.store().change_files_noted(id, user, &changes, title.as_deref(), Some(revision), note).await {
            Ok(revision) => return Ok((revision, changes)),
            // A file or the study moved on since it was read: build again on top of it.
            Err(ChangeError::Conflict { .. } | ChangeError::Moved { .. }) => continue,
            Err(ChangeError::NoStudy) => return Err(AppError::NotFound),
            Err(ChangeError::Store(error)) => return Err(error.into()),
        }
    }
    Err(AppError::Conflict { message: kept_changing.to_string(), current: 0 })
}

fn conflict(document: &Document, current: i64) -> AppError {
    AppError::Conflict {
        message: format!(
            "{} was changed by someone else since you opened it (now version {current}): reload it, merge your edits, and save again",
            document.label()
        ),
        current,
    }
}

#[derive(Deserialize)]
pub(crate) struct SaveBody {
    text: String,
    version: i64,
    /// Why, in the editor's words: kept in the study's history.
    #[serde(default)]
    message: Option<String>,
}

pub(crate) async fn write_document(state: &AppState, user: &ApiUser, id: i64, document: Document, body: SaveBody) -> Result<Json<serde_json::Value>, AppError> {
    let note = collabmap_store::Note { message: body.message, ..Default::default() };
    let version = save_document_noted(state, user.session.user.id, id, document, body.text, body.version, &note).await?;
    Ok(Json(json!({"version": version})))
}

async fn get_interview(State(state): State<AppState>, user: ApiUser, Path((id, interview)): Path<(i64, String)>) -> Result<Json<serde_json::Value>, AppError> {
    read_document(&state, &user, id, Document::Interview(interview)).await
}

async fn put_interview(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, interview)): Path<(i64, String)>,
    JsonBody(body): JsonBody<SaveBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    write_document(&state, &user, id, Document::Interview(interview), body).await
}

#[derive(Deserialize)]
struct NewInterview {
    id: String,
    text: String,
}

async fn create_interview(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<NewInterview>,
) -> Result<Response, AppError> {
    if !is_interview_id(&body.id) {
        return Err(AppError::BadRequest(format!("`{}` cannot name an interview: use letters, digits, `-`, `_` and `.`", body.id)));
    }
    let version = save_document(&state, user.session.user.id, id, Document::Interview(body.id), body.text, 0).await?;
    Ok((StatusCode::CREATED, Json(json!({"version": version}))).into_response())
}

#[derive(Deserialize)]
pub(crate) struct VersionQuery {
    pub(crate) version: i64,
}

async fn delete_interview(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, interview)): Path<(i64, String)>,
    Query(query): Query<VersionQuery>,
) -> Result<StatusCode, AppError> {
    remove_document(&state, user.session.user.id, id, Document::Interview(interview), query.version).await
}

/// Removes a document an editor opened at `version`, checked like a save:
/// a removal that would leave the study with problems (a memo about the
/// removed interview, say) is refused with them, and it is committed only at
/// the revision it was checked at.
/// Deletes a study's document at `version`, checked and recorded like a save.
pub(crate) async fn remove_document(state: &AppState, user: i64, id: i64, document: Document, version: i64) -> Result<StatusCode, AppError> {
    commit_document(state, user, id, &document, None, version, &collabmap_store::Note::default()).await?;
    Ok(StatusCode::NO_CONTENT)
}

macro_rules! document_endpoints {
    ($get:ident, $put:ident, $document:expr) => {
        async fn $get(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>) -> Result<Json<serde_json::Value>, AppError> {
            read_document(&state, &user, id, $document).await
        }

        async fn $put(
            State(state): State<AppState>,
            user: ApiUser,
            Path(id): Path<i64>,
            JsonBody(body): JsonBody<SaveBody>,
        ) -> Result<Json<serde_json::Value>, AppError> {
            write_document(&state, &user, id, $document, body).await
        }
    };
}

document_endpoints!(get_people, put_people, Document::People);
document_endpoints!(get_projects, put_projects, Document::Projects);
document_endpoints!(get_codebook, put_codebook, Document::Codebook);
document_endpoints!(get_settings, put_settings, Document::Settings);

#[derive(Template)]
#[template(path = "editor.html")]
struct EditorPage {
    id: i64,
    title: String,
    label: String,
    path: String,
    text: String,
    version: i64,
    exists: bool,
    save_url: String,
    is_interview: bool,
    /// The interview's or the memo's name (empty for the study's other files).
    name: String,
    can_edit: bool,
    csrf: String,
    help: &'static str,
    signed_in: bool,
}

impl EditorPage {
    /// The navigation's section the page belongs to: the document's kind
    /// (people, projects, codebook and settings have their own links).
    fn section(&self) -> &'static str {
        self.help
    }
}

#[derive(Template)]
#[template(path = "new_interview.html")]
struct NewInterviewPage {
    id: i64,
    title: String,
    interview: String,
    /// Who may be ticked as attending: everyone in a small study, else those found.
    people: Picker,
    /// Which projects may be ticked, likewise.
    projects: Picker,
    signed_in: bool,
}

/// A new interview: first who attended and which projects it is about,
/// chosen from the study's lists with nothing chosen for the researcher;
/// then the editor, starting from a text that names them.
async fn new_interview(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let interview = values_of(&query, "id").into_iter().next().unwrap_or_default();
    if !is_interview_id(&interview) {
        return Err(AppError::BadRequest(format!("\"{interview}\" cannot name an interview: use letters, digits, dashes, dots and underscores")));
    }
    let (_, view) = member_view(&state, user.session.user.id, id, Role::Editor).await?;
    let people = values_of(&query, "people");
    let exists = view.study.interviews.iter().any(|iv| iv.id == interview);
    // "Find" searches again, keeping those ticked; the other button goes on to the editor.
    if exists || (!people.is_empty() && !searching_again(&query)) {
        let chosen: Vec<String> = people
            .iter()
            .map(|p| format!("people={}", url_encode(p)))
            .chain(values_of(&query, "projects").iter().map(|p| format!("projects={}", url_encode(p))))
            .collect();
        let query = if exists { String::new() } else { format!("?{}", chosen.join("&")) };
        return Ok(Redirect::to(&format!("/studies/{id}/edit/interviews/{}{query}", url_encode(&interview))).into_response());
    }
    let study = &view.study;
    Ok(render(&NewInterviewPage {
        id,
        title: view.title.clone(),
        interview,
        people: Picker::people(study, &people, values_of(&query, "find").first().map_or("", String::as_str)),
        projects: Picker::projects(study, &values_of(&query, "projects"), values_of(&query, "find-projects").first().map_or("", String::as_str)),
        signed_in: true,
    }))
}

async fn edit_interview(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, interview)): Path<(i64, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let start = NewText { people: values_of(&query, "people"), projects: values_of(&query, "projects") };
    editor(state, user, id, Document::Interview(interview), start).await
}

async fn edit_memo(State(state): State<AppState>, user: PageUser, Path((id, memo)): Path<(i64, String)>) -> Result<Response, AppError> {
    editor(state, user, id, Document::Memo(memo), NewText::default()).await
}

async fn edit_document(State(state): State<AppState>, user: PageUser, Path((id, document)): Path<(i64, String)>) -> Result<Response, AppError> {
    let document = match document.as_str() {
        "people" => Document::People,
        "projects" => Document::Projects,
        "codebook" => Document::Codebook,
        "settings" => Document::Settings,
        _ => return Err(AppError::NotFound),
    };
    editor(state, user, id, document, NewText::default()).await
}

/// Who a new interview's starting text names: chosen on the new-interview page.
#[derive(Default)]
struct NewText {
    people: Vec<String>,
    projects: Vec<String>,
}

/// A starting text for a new interview, naming only who was chosen (an
/// empty list, which the editor flags, when no one was).
fn new_interview_text(start: &NewText) -> String {
    let projects = if start.projects.is_empty() { String::new() } else { format!("projects: [{}]\n", start.projects.join(", ")) };
    format!(
        "---\npeople: [{}]\n{projects}---\n\n# Map\n\n- What the collaboration set out to do\n  - How it was done\n\n# Quotes\n\n# Stories\n",
        start.people.join(", ")
    )
}

async fn editor(state: AppState, user: PageUser, id: i64, document: Document, start: NewText) -> Result<Response, AppError> {
    let (role, view) = member_view(&state, user.session.user.id, id, Role::Viewer).await?;
    let text = document.read(&view)?;
    let (save_url, help, name) = match &document {
        Document::Interview(name) => (format!("/api/studies/{id}/interviews/{}", url_encode(name)), "interview", name.clone()),
        Document::People => (format!("/api/studies/{id}/people"), "people", String::new()),
        Document::Projects => (format!("/api/studies/{id}/projects"), "projects", String::new()),
        Document::Codebook => (format!("/api/studies/{id}/codebook"), "codebook", String::new()),
        Document::Settings => (format!("/api/studies/{id}/settings"), "settings", String::new()),
        Document::Memo(name) => (format!("/api/studies/{id}/memos/{}", url_encode(name)), "memo", name.clone()),
    };
    let body = if !text.exists && matches!(document, Document::Interview(_)) {
        let known = |list: &[String], valid: &dyn Fn(&str) -> bool| list.iter().filter(|p| valid(p)).cloned().collect::<Vec<_>>();
        let study = &view.study;
        new_interview_text(&NewText {
            people: known(&start.people, &|p| study.people.iter().any(|x| x.id == p)),
            projects: known(&start.projects, &|p| study.projects.iter().any(|x| x.id == p)),
        })
    } else {
        text.text
    };
    Ok(render(&EditorPage {
        id,
        title: view.title.clone(),
        label: document.label(),
        path: text.path,
        text: body,
        version: text.version,
        exists: text.exists,
        save_url,
        is_interview: matches!(document, Document::Interview(_)),
        name,
        can_edit: role.can_edit(),
        csrf: user.session.csrf.clone(),
        help,
        signed_in: true,
    }))
}
