//! The JSON API, described by `/api/openapi.json`.
//!
//! Rules every handler keeps: no session → 401; a study the user is not a
//! member of → 404 (whether or not it exists); a role too low → 403; a
//! state-changing request without the session's `X-CSRF-Token` → 403; a
//! stale version → 409; text with problems → 422 and nothing saved.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use collabmap_store::{ChangeError, Role};
use collabmap_study::{Limits, is_interview_id};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::access::{ClientAddr, Member, Owner, Viewer, member_role, member_view, study_view, study_view_at};
use crate::auth::{ApiUser, session_cookie, sign_in, wants_secure};
use crate::error::{AppError, problems_json};
use crate::views::{Document, StudyAtRevision};
use crate::{AppState, MAX_DOCUMENT_BYTES, MAX_PREVIEW_BYTES, MAX_UPLOAD_BYTES, archive, import_study};
use axum::extract::DefaultBodyLimit;

/// The OpenAPI document of this API.
pub(crate) const OPENAPI: &str = include_str!("../assets/openapi.json");

/// The API's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/users", post(add_user))
        .route("/api/studies", get(list_studies).post(create_study))
        .route("/api/studies/{id}", get(study_info).delete(delete_study))
        .route("/api/studies/{id}/table", get(table))
        .route("/api/studies/{id}/model", get(model))
        .route("/api/studies/{id}/evidence", get(evidence))
        .route("/api/studies/{id}/search", get(search))
        .route("/api/studies/{id}/preview", post(preview).layer(DefaultBodyLimit::max(MAX_PREVIEW_BYTES)))
        .route("/api/studies/{id}/interviews", get(list_interviews).post(create_interview).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route(
            "/api/studies/{id}/interviews/{interview}",
            get(get_interview).put(put_interview).delete(delete_interview).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)),
        )
        .route("/api/studies/{id}/memos", get(list_memos).post(create_memo).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route("/api/studies/{id}/memos/{memo}", get(get_memo).put(put_memo).delete(delete_memo).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route("/api/studies/{id}/people", get(get_people).put(put_people).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route("/api/studies/{id}/projects", get(get_projects).put(put_projects).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route("/api/studies/{id}/codebook", get(get_codebook).put(put_codebook).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route("/api/studies/{id}/settings", get(get_settings).put(put_settings).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
}

/// A JSON body whose refusal is a 400 with a readable message (axum's own
/// would be a 422, which this API keeps for study problems).
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::TooLarge(0)),
            Err(rejection) => Err(AppError::BadRequest(match rejection {
                JsonRejection::MissingJsonContentType(_) => "send the body as JSON, with Content-Type: application/json".into(),
                other => format!("the JSON body is not what this endpoint takes: {}", other.body_text()),
            })),
        }
    }
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

async fn login(State(state): State<AppState>, client: ClientAddr, headers: HeaderMap, JsonBody(body): JsonBody<LoginBody>) -> Result<Response, AppError> {
    let (user, session) = sign_in(&state, &body.email, &body.password, client.0).await?;
    let cookie = session_cookie(Some(&session.token), wants_secure(&state, &headers));
    Ok(([(header::SET_COOKIE, cookie)], Json(json!({"csrf": session.csrf, "email": user.email, "admin": user.admin}))).into_response())
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, user: ApiUser) -> Result<Response, AppError> {
    state.store().end_session(&user.token).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, session_cookie(None, wants_secure(&state, &headers)))]).into_response())
}

async fn me(user: ApiUser) -> Json<serde_json::Value> {
    Json(json!({"email": user.session.user.email, "admin": user.session.user.admin, "csrf": user.session.csrf}))
}

#[derive(Deserialize)]
struct NewUser {
    email: String,
    password: String,
    #[serde(default)]
    admin: bool,
}

async fn add_user(State(state): State<AppState>, user: ApiUser, JsonBody(body): JsonBody<NewUser>) -> Result<Response, AppError> {
    if !user.session.user.admin {
        return Err(AppError::Forbidden("only an administrator adds accounts".into()));
    }
    let added = state.store().add_user(&body.email, &body.password, body.admin).await?;
    Ok((StatusCode::CREATED, Json(json!({"email": added.email, "admin": added.admin}))).into_response())
}

async fn list_studies(State(state): State<AppState>, user: ApiUser) -> Result<Json<serde_json::Value>, AppError> {
    let studies = state.store().studies_of(user.session.user.id).await?;
    Ok(Json(studies.iter().map(|s| json!({"id": s.id, "title": s.title, "role": s.role.as_str(), "revision": s.revision})).collect()))
}

async fn create_study(State(state): State<AppState>, user: ApiUser, request: Request) -> Result<Response, AppError> {
    let _slot = state.upload_slot()?;
    let upload = archive::receive(request.into_body(), MAX_UPLOAD_BYTES).await?;
    let files = tokio::task::spawn_blocking(move || archive::read_received(&upload, "", Limits::default())).await??;
    let id = import_study(state.store(), user.session.user.id, files).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

async fn study_info(State(state): State<AppState>, Member { id, role, .. }: Member<ApiUser, Viewer>) -> Result<Json<serde_json::Value>, AppError> {
    let view = study_view(&state, id).await?;
    let interviews: Vec<_> = view.study.interviews.iter().map(|iv| json!({"id": iv.id, "path": iv.file, "version": view.version(&iv.file)})).collect();
    Ok(Json(json!({
        "id": id,
        "title": view.title,
        "role": role.as_str(),
        "revision": view.revision,
        "problems": problems_json(&view.problems),
        "interviews": interviews,
    })))
}

async fn delete_study(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Owner>) -> Result<StatusCode, AppError> {
    state.store().delete_study(id).await?;
    state.views().forget(id);
    Ok(StatusCode::NO_CONTENT)
}

fn analysed(view: &StudyAtRevision) -> Result<&crate::views::Analysis, AppError> {
    view.analysis.as_ref().ok_or_else(|| AppError::Invalid(view.problems.clone()))
}

/// `?revision=N`: a figure as it was at a past revision (history is never rewritten).
#[derive(Deserialize)]
pub(crate) struct RevisionQuery {
    pub(crate) revision: Option<i64>,
}

/// The table as `collabmap table --format json` prints it, now or at `?revision=N`.
async fn table(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>, Query(at): Query<RevisionQuery>) -> Result<Response, AppError> {
    let view = study_view_at(&state, id, at.revision).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], analysed(&view)?.table_json.clone()).into_response())
}

#[derive(Deserialize)]
struct EvidenceQuery {
    theme: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// What stands behind a theme's count (`?theme=ID`) or a theme link
/// (`?from=A&to=B`): the same JSON as `collabmap evidence --format json`.
async fn evidence(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>, Query(query): Query<EvidenceQuery>) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    analysed(&view)?;
    // Walking every item or map is CPU work that grows with the study: off the async threads.
    let json = tokio::task::spawn_blocking(move || -> Result<String, AppError> {
        let analysis = analysed(&view)?;
        let study = &view.study;
        let index = |id: &str| study.codebook.index_or_refusal(id).map_err(AppError::from);
        match (&query.theme, &query.from, &query.to) {
            (Some(theme), None, None) => {
                let theme = index(theme)?;
                let mentions = collabmap_analysis::evidence::theme_mentions(study, theme);
                Ok(collabmap_render::evidence::theme_json(study, &analysis.synthesis, theme, &mentions))
            }
            (None, Some(from), Some(to)) => {
                let (from, to) = (index(from)?, index(to)?);
                let chains = collabmap_analysis::evidence::link_chains(study, from, to);
                Ok(collabmap_render::evidence::link_json(study, &analysis.synthesis, &analysis.model, from, to, &chains))
            }
            _ => Err(AppError::BadRequest("say what to open: ?theme=ID, or ?from=ID&to=ID".into())),
        }
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

#[derive(Deserialize)]
struct SearchQuery {
    q: String,
    code: Option<String>,
    #[serde(rename = "where")]
    column: Option<String>,
    project: Option<String>,
    interview: Option<String>,
}

/// Items whose words match `q`, filtered like `collabmap search`: the same JSON.
async fn search(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>, Query(query): Query<SearchQuery>) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    analysed(&view)?;
    // A search reads every item of the study: off the async threads.
    let json = tokio::task::spawn_blocking(move || -> Result<String, AppError> {
        use collabmap_analysis::search::{Filters, Query as Words};
        let study = &view.study;
        let words = Words::parse(&query.q)?;
        let filters = Filters::parse(study, query.code.as_deref(), query.column.as_deref(), query.project.as_deref(), query.interview.as_deref())?;
        Ok(collabmap_render::search::hits_json(study, &view.search_index().search(study, &words, &filters)))
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// The model as `collabmap model --format json` prints it, now or at `?revision=N`.
async fn model(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>, Query(at): Query<RevisionQuery>) -> Result<Response, AppError> {
    let view = study_view_at(&state, id, at.revision).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], analysed(&view)?.model_json.clone()).into_response())
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

async fn list_interviews(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>) -> Result<Json<serde_json::Value>, AppError> {
    let view = study_view(&state, id).await?;
    Ok(Json(view.study.interviews.iter().map(|iv| json!({"id": iv.id, "path": iv.file, "version": view.version(&iv.file)})).collect()))
}

/// Reads a document for a member.
async fn read_document(state: &AppState, user: &ApiUser, id: i64, document: Document) -> Result<Json<serde_json::Value>, AppError> {
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
async fn commit_document(
    state: &AppState,
    user: i64,
    id: i64,
    document: &Document,
    text: Option<String>,
    version: i64,
    note: &collabmap_store::Note,
) -> Result<i64, AppError> {
    member_role(state, user, id, Role::Editor).await?;
    let lock = state.views().save_lock(id);
    let _held = lock.lock().await;
    for _ in 0..SAVE_ATTEMPTS {
        let view = state.views().get(state.store(), id).await?;
        let current = document.read(&view)?;
        if text.is_none() && !current.exists {
            return Err(AppError::NotFound);
        }
        if current.version != version {
            return Err(conflict(document, current.version));
        }
        let (changes, title) = match &text {
            Some(text) => document.changes(&view, text, version)?,
            None => (vec![collabmap_store::Change { path: current.path.clone(), expected: Some(version), content: None }], None),
        };
        let checked = changes.iter().map(|c| (c.path.clone(), c.content.clone())).collect::<Vec<_>>();
        let revision = view.revision;
        let problems = tokio::task::spawn_blocking(move || view.validate(&checked)).await?;
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        match state.store().change_files_noted(id, user, &changes, title.as_deref(), Some(revision), note).await {
            Ok(revision) => return Ok(revision),
            Err(ChangeError::Conflict { current, .. }) => return Err(conflict(document, current.unwrap_or(0))),
            Err(ChangeError::NoStudy) => return Err(AppError::NotFound),
            Err(ChangeError::Moved { .. }) => continue,
            Err(ChangeError::Store(error)) => return Err(error.into()),
        }
    }
    let (done, again) = if text.is_some() { ("saved", "save again") } else { ("removed", "try again") };
    Err(AppError::Conflict {
        message: format!("{} could not be {done}: the study kept changing while it was checked; {again}", document.label()),
        current: version,
    })
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
struct SaveBody {
    text: String,
    version: i64,
    /// Why, in the editor's words: kept in the study's history.
    #[serde(default)]
    message: Option<String>,
}

async fn write_document(state: &AppState, user: &ApiUser, id: i64, document: Document, body: SaveBody) -> Result<Json<serde_json::Value>, AppError> {
    let note = collabmap_store::Note { message: body.message, restored: false };
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

/// The study's memos: `[{"name", "file", "about", "by", "date", "text", "version"}]`, by file name.
async fn list_memos(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>) -> Result<Json<serde_json::Value>, AppError> {
    let view = study_view(&state, id).await?;
    let memos: Vec<serde_json::Value> = view
        .study
        .memos
        .iter()
        .map(|memo| {
            let name = crate::views::memo_name(&memo.file);
            json!({"name": name, "file": memo.file, "about": memo.about.as_text(), "by": memo.by, "date": memo.date, "text": memo.body, "version": view.version(&memo.file)})
        })
        .collect();
    Ok(Json(json!(memos)))
}

#[derive(Deserialize)]
struct NewMemo {
    about: String,
    text: String,
}

/// Adds a memo by the signed-in member, dated today, about what `about`
/// names; checked like any save (an unknown target is refused with its line).
async fn create_memo(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>, JsonBody(body): JsonBody<NewMemo>) -> Result<Response, AppError> {
    let (name, version) = add_memo(&state, &user.session.user, id, &body.about, &body.text).await?;
    Ok((StatusCode::CREATED, Json(json!({"name": name, "version": version}))).into_response())
}

/// Saves a new memo by `author`, dated today, under a free name made from
/// what it is about: its name and version. Refused when `about` names
/// nothing a memo can be about, or nothing the study has.
pub(crate) async fn add_memo(state: &AppState, author: &collabmap_store::User, id: i64, about: &str, text: &str) -> Result<(String, i64), AppError> {
    let about = collabmap_study::MemoAbout::parse(about.trim()).ok_or_else(|| {
        AppError::BadRequest(format!(
            "`{about}` is not something a memo can be about: use study, theme:ID, interview:ID, concept:INTERVIEW#^BLOCK or person:ID"
        ))
    })?;
    if text.trim().is_empty() {
        return Err(AppError::BadRequest("the memo is empty: write what you noticed".into()));
    }
    let (_, view) = member_view(state, author.id, id, Role::Editor).await?;
    let date = today();
    let stem: String = about.as_text().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let stem = format!("{}-{date}", stem.trim_matches('-'));
    let name =
        (1..).map(|n| if n == 1 { stem.clone() } else { format!("{stem}-{n}") }).find(|n| view.files.get(&format!("memos/{n}.md")).is_none()).unwrap_or(stem);
    let memo = collabmap_study::Memo {
        file: format!("memos/{name}.md"),
        about,
        about_line: 2,
        by: Some(author.email.clone()),
        date: Some(date),
        body: text.trim().to_string(),
        body_line: 0,
    };
    let text = collabmap_study::write::memo_markdown(&memo);
    let version = save_document(state, author.id, id, Document::Memo(name.clone()), text, 0).await?;
    Ok((name, version))
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today() -> String {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    iso_time(seconds)[..10].to_string()
}

/// Seconds since 1970 as UTC `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn iso_time(seconds: i64) -> String {
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm): no calendar crate for one line.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

async fn get_memo(State(state): State<AppState>, user: ApiUser, Path((id, memo)): Path<(i64, String)>) -> Result<Json<serde_json::Value>, AppError> {
    let reply = read_document(&state, &user, id, Document::Memo(memo)).await?;
    if reply.0["version"] == json!(0) {
        return Err(AppError::NotFound);
    }
    Ok(reply)
}

async fn put_memo(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, memo)): Path<(i64, String)>,
    JsonBody(body): JsonBody<SaveBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    write_document(&state, &user, id, Document::Memo(memo), body).await
}

async fn delete_memo(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, memo)): Path<(i64, String)>,
    Query(query): Query<VersionQuery>,
) -> Result<StatusCode, AppError> {
    remove_document(&state, user.session.user.id, id, Document::Memo(memo), query.version).await
}

#[derive(Deserialize)]
struct VersionQuery {
    version: i64,
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
