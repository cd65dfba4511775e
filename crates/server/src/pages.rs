//! Server-rendered pages. The study's own pages (dashboard, themes,
//! interviews, model) are the static report's, built with workspace
//! navigation; the pages here are the workspace's: sign-in, the studies
//! list, editors, members and cross-tabs. Every page works without
//! JavaScript except the live preview of the editor.

use collabmap_analysis::MentionRow;
use collabmap_analysis::cooccurrence::compare_groups;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use collabmap_render::report::STYLE;
use collabmap_store::Role;
use collabmap_study::{Limits, is_interview_id};
use serde::Deserialize;

use crate::access::{ClientAddr, Member, Owner, Viewer, member_view, study_view};
use crate::auth::{PageUser, session_cookie, sign_in, wants_secure};
use crate::error::AppError;
use crate::html::{render, safe_next, url_encode};
use crate::views::Document;
use crate::{AppState, archive, import_study};

const WORKSPACE_CSS: &str = include_str!("../assets/workspace.css");
const EDITOR_JS: &str = include_str!("../assets/editor.js");
const CONFIRM_JS: &str = include_str!("../assets/confirm.js");

/// The pages' routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(studies_page))
        .route("/login", get(login_page).post(login_form))
        .route("/logout", get(logout_page).post(logout_form))
        .route("/import", post(import_form).layer(axum::extract::DefaultBodyLimit::max(crate::MAX_UPLOAD_BYTES + (1 << 20))))
        .route("/users", post(add_user_form))
        .route("/assets/{file}", get(asset))
        .route("/studies/{id}", get(study_root))
        .route("/studies/{id}/", get(dashboard))
        .route("/studies/{id}/crosstab", get(crosstab_page))
        .route("/studies/{id}/search", get(search_page))
        .route(
            "/studies/{id}/revisions/{revision}",
            get(|Path((id, revision)): Path<(i64, i64)>| async move { Redirect::permanent(&format!("/studies/{id}/revisions/{revision}/")) }),
        )
        .route("/studies/{id}/agreement", get(agreement_page))
        .route("/studies/{id}/delete", post(delete_form))
        .route("/studies/{id}/edit/interviews/new", get(new_interview))
        .route("/studies/{id}/edit/interviews/{interview}", get(edit_interview))
        .route("/studies/{id}/edit/memos/{memo}", get(edit_memo))
        .route("/studies/{id}/edit/{document}", get(edit_document))
        .route("/studies/{id}/{*path}", get(study_file))
        .layer(axum::middleware::map_response(crate::html::refusals_as_pages))
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "workspace.css" => (WORKSPACE_CSS, "text/css; charset=utf-8"),
        "editor.js" => (EDITOR_JS, "text/javascript; charset=utf-8"),
        "confirm.js" => (CONFIRM_JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

// ---- signing in and out ------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    email: String,
    error: String,
    signed_in: bool,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(Query(query): Query<NextQuery>) -> Response {
    render(&LoginPage { next: safe_next(query.next.as_deref()), email: String::new(), error: String::new(), signed_in: false })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login_form(State(state): State<AppState>, client: ClientAddr, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    let next = safe_next(form.next.as_deref());
    match sign_in(&state, &form.email, &form.password, client.0).await {
        Ok((_, session)) => {
            let cookie = session_cookie(Some(&session.token), wants_secure(&state, &headers));
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(error) => {
            let status = error.status();
            let message = match error {
                AppError::Unauthorized => "That e-mail and password do not match an account.".to_string(),
                other => other.public_message(),
            };
            (status, render(&LoginPage { next, email: form.email, error: message, signed_in: false })).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage {
    csrf: String,
    email: String,
    signed_in: bool,
}

async fn logout_page(user: PageUser) -> Response {
    render(&LogoutPage { csrf: user.session.csrf.clone(), email: user.session.user.email.clone(), signed_in: true })
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout_form(State(state): State<AppState>, headers: HeaderMap, user: PageUser, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    state.store().end_session(&user.token).await?;
    Ok(([(header::SET_COOKIE, session_cookie(None, wants_secure(&state, &headers)))], Redirect::to("/login")).into_response())
}

// ---- studies -----------------------------------------------------------------

struct StudyRow {
    id: i64,
    title: String,
    role: &'static str,
    place: &'static str,
}

#[derive(Template)]
#[template(path = "studies.html")]
struct StudiesPage {
    email: String,
    admin: bool,
    csrf: String,
    studies: Vec<StudyRow>,
    signed_in: bool,
}

async fn studies_page(State(state): State<AppState>, user: PageUser) -> Result<Response, AppError> {
    let studies = state.store().studies_of(user.session.user.id).await?;
    let rows = studies
        .into_iter()
        .map(|s| StudyRow {
            id: s.id,
            title: s.title,
            role: s.role.as_str(),
            place: if s.kind == collabmap_store::Kind::Collaboration { "collaborations" } else { "studies" },
        })
        .collect();
    Ok(render(&StudiesPage {
        email: user.session.user.email.clone(),
        admin: user.session.user.admin,
        csrf: user.session.csrf.clone(),
        studies: rows,
        signed_in: true,
    }))
}

async fn import_form(State(state): State<AppState>, user: PageUser, mut multipart: Multipart) -> Result<Response, AppError> {
    let _slot = state.upload_slot()?;
    let mut csrf = String::new();
    let mut upload = None;
    let mut file_name = String::new();
    while let Some(mut field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("the upload was cut short: {e}")))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|e| AppError::BadRequest(e.to_string()))?,
            Some("archive") => {
                file_name = field.file_name().unwrap_or("").to_string();
                // Streamed to a temporary file, never held whole in memory.
                let mut writer = archive::UploadWriter::new(crate::MAX_UPLOAD_BYTES).await?;
                while let Some(chunk) = field.chunk().await.map_err(|e| AppError::BadRequest(format!("the upload was cut short: {e}")))? {
                    writer.push(&chunk).await?;
                }
                upload = Some(writer.finish().await?);
            }
            _ => {}
        }
    }
    user.check_form(&csrf)?;
    let upload = upload.ok_or_else(|| AppError::BadRequest("choose a zipped study folder to upload".into()))?;
    let files = tokio::task::spawn_blocking(move || archive::read_received(&upload, &file_name, Limits::default())).await??;
    let id = import_study(state.store(), user.session.user.id, files).await?;
    let place = if state.store().kind(id).await? == Some(collabmap_store::Kind::Collaboration) { "collaborations" } else { "studies" };
    Ok(Redirect::to(&format!("/{place}/{id}/")).into_response())
}

#[derive(Deserialize)]
struct UserForm {
    csrf: String,
    email: String,
    password: String,
    admin: Option<String>,
}

async fn add_user_form(State(state): State<AppState>, user: PageUser, Form(form): Form<UserForm>) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    if !user.session.user.admin {
        return Err(AppError::Forbidden("only an administrator adds accounts".into()));
    }
    state.store().add_user(&form.email, &form.password, form.admin.is_some()).await?;
    Ok(Redirect::to("/").into_response())
}

async fn study_root(Path(id): Path<i64>) -> Redirect {
    Redirect::permanent(&format!("/studies/{id}/"))
}

async fn dashboard(State(state): State<AppState>, Member { id, .. }: Member<PageUser, Viewer>) -> Result<Response, AppError> {
    site_file(study_view(&state, id).await?, "index.html".to_string()).await
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "md" | "csv" | "toml" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A page of the study's report, or one of its own files (a rich picture).
async fn study_file(
    State(state): State<AppState>,
    Member { id, .. }: Member<PageUser, Viewer>,
    Path((_, path)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    site_file(view, path).await
}

/// A file of `view`'s site: a report page, or one of the study's pictures.
pub(crate) async fn site_file(view: std::sync::Arc<crate::views::StudyAtRevision>, path: String) -> Result<Response, AppError> {
    if !view.problems.is_empty() && path == "index.html" {
        return Err(AppError::Invalid(view.problems.clone()));
    }
    if path.starts_with("pictures/") {
        // A study's own files are served only as the picture types the format allows, under a policy that runs nothing.
        let kind = collabmap_study::files::picture_media_type(&path).ok_or(AppError::NotFound)?;
        let bytes = view.files.get(&path).ok_or(AppError::NotFound)?.to_vec();
        return Ok(([(header::CONTENT_TYPE, kind), (header::CONTENT_SECURITY_POLICY, crate::PICTURE_POLICY)], bytes).into_response());
    }
    let bytes = {
        let site_view = view.clone();
        let site = tokio::task::spawn_blocking(move || site_view.site().map(|_| ())).await?;
        site.map_err(AppError::BadRequest)?;
        view.site().map_err(AppError::BadRequest)?.get(&path).cloned().ok_or(AppError::NotFound)?
    };
    Ok(([(header::CONTENT_TYPE, content_type(&path))], bytes).into_response())
}

async fn delete_form(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<PageUser, Owner>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    state.store().delete_study(id).await?;
    state.views().forget(id);
    Ok(Redirect::to("/").into_response())
}

// ---- cross-tabs -----------------------------------------------------------

#[derive(Template)]
#[template(path = "crosstab.html")]
struct CrosstabPage {
    id: i64,
    title: String,
    columns: Vec<String>,
    by: String,
    values: Vec<String>,
    totals: Vec<u32>,
    rows: Vec<CrosstabRow>,
    note: Option<String>,
    /// Whether each count opens its evidence page (the report has them for the theme pages' breakdown columns).
    linked: bool,
    signed_in: bool,
}

/// A theme's id, name, and per group: people mentioning it and their percentage of the group.
type CrosstabRow = (String, String, Vec<(u32, u32)>);

#[derive(Deserialize)]
struct ByQuery {
    by: Option<String>,
}

/// Columns that would name a person, or say who is anonymous, are never offered.
#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    id: i64,
    title: String,
    q: String,
    code: String,
    column: String,
    codes: Vec<(String, String)>,
    searched: bool,
    problem: Option<String>,
    summary: String,
    hits: Vec<HitView>,
    can_edit: bool,
    signed_in: bool,
}

/// One item found, its words cut into `(text, is a match)` parts for marking.
struct HitView {
    /// "i07, line 12" or "memo power, line 6".
    place: String,
    /// The page that shows it in context.
    link: String,
    /// Its line in the editor.
    edit_link: String,
    kind: &'static str,
    parts: Vec<(String, bool)>,
    codes: String,
}

#[derive(Deserialize)]
struct SearchForm {
    q: Option<String>,
    code: Option<String>,
    #[serde(rename = "where")]
    column: Option<String>,
}

/// The study's search: the same rules as `collabmap search`, results marked and linked to their lines.
async fn search_page(
    State(state): State<AppState>,
    Member { id, role, .. }: Member<PageUser, Viewer>,
    Query(form): Query<SearchForm>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    let q = form.q.unwrap_or_default();
    let code = form.code.unwrap_or_default();
    let column = form.column.unwrap_or_default();
    let codes = view.study.codebook.themes().iter().map(|t| (t.id.clone(), t.name.clone())).collect();
    let mut page = SearchPage {
        id,
        title: view.title.clone(),
        q: q.clone(),
        code: code.clone(),
        column: column.clone(),
        codes,
        searched: false,
        problem: None,
        summary: String::new(),
        hits: Vec::new(),
        can_edit: role.can_edit(),
        signed_in: true,
    };
    if q.trim().is_empty() {
        return Ok(render(&page));
    }
    let found = tokio::task::spawn_blocking(move || -> Result<Vec<HitView>, collabmap_analysis::search::SearchError> {
        use collabmap_analysis::search::{Filters, Query as Words, Source};
        let study = &view.study;
        let words = Words::parse(&q)?;
        let filters = Filters::parse(study, Some(code.as_str()).filter(|c| !c.is_empty()), Some(column.as_str()).filter(|c| !c.trim().is_empty()), None, None)?;
        let themes = study.codebook.themes();
        Ok(view
            .search_index()
            .search(study, &words, &filters)
            .into_iter()
            .map(|hit| {
                let mut parts = Vec::new();
                let mut at = 0;
                for &(start, end) in &hit.matches {
                    if start < at {
                        continue;
                    }
                    parts.push((hit.text[at..start].to_string(), false));
                    parts.push((hit.text[start..end].to_string(), true));
                    at = end;
                }
                parts.push((hit.text[at..].to_string(), false));
                let (_, _, kind) = collabmap_render::search::where_found(study, &hit);
                let (place, link, edit_link) = match hit.source {
                    Source::Interview { index, .. } => {
                        let interview = url_encode(&study.interviews[index].id);
                        (
                            format!("{}, line {}", study.interviews[index].id, hit.line),
                            format!("/studies/{id}/interviews/{interview}.html#L{}", hit.line),
                            format!("/studies/{id}/edit/interviews/{interview}#L{}", hit.line),
                        )
                    }
                    Source::Memo(memo) => {
                        let name = crate::views::memo_name(&study.memos[memo].file);
                        (
                            format!("memo {name}, line {}", hit.line),
                            format!("/studies/{id}/memos#memo-{}", url_encode(name)),
                            format!("/studies/{id}/edit/memos/{}#L{}", url_encode(name), hit.line),
                        )
                    }
                };
                HitView { place, link, edit_link, kind, parts, codes: hit.codes.iter().map(|&t| format!("#{}", themes[t].id)).collect::<Vec<_>>().join(" ") }
            })
            .collect())
    })
    .await?;
    match found {
        Ok(hits) => {
            page.summary = format!("{} found", if hits.len() == 1 { "1 item".to_string() } else { format!("{} items", hits.len()) });
            page.hits = hits;
            page.searched = true;
            Ok(render(&page))
        }
        Err(problem) => {
            page.problem = Some(problem.to_string());
            Ok((StatusCode::BAD_REQUEST, render(&page)).into_response())
        }
    }
}

async fn crosstab_page(State(state): State<AppState>, Member { id, .. }: Member<PageUser, Viewer>, Query(query): Query<ByQuery>) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    let Some(analysis) = &view.analysis else { return Err(AppError::Invalid(view.problems.clone())) };
    let study = &view.study;
    let columns = collabmap_analysis::breakdown_columns(&study.people_columns);
    let by = query.by.filter(|b| columns.contains(b)).or_else(|| columns.first().cloned()).unwrap_or_default();
    if by.is_empty() {
        return Ok(render(&CrosstabPage {
            id,
            title: view.title.clone(),
            columns,
            by,
            totals: Vec::new(),
            values: Vec::new(),
            rows: Vec::new(),
            note: None,
            linked: false,
            signed_in: true,
        }));
    }
    let shown: Vec<(usize, &MentionRow)> =
        analysis.synthesis.table.shown(true).filter_map(|row| study.codebook.index_of(&row.theme).map(|t| (t, row))).collect();
    let themes: Vec<usize> = shown.iter().map(|(t, _)| *t).collect();
    // The one small-group rule: anonymous people and groups under five are pooled.
    let groups = compare_groups(study, &analysis.synthesis, &by, &themes).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let linked = collabmap_render::report::BREAKDOWN_COLUMNS.contains(&by.as_str());
    let rows = shown
        .iter()
        .zip(&groups.rows)
        .map(|((_, row), counts)| {
            let cells = counts.counts.iter().zip(&groups.totals).map(|(&c, &total)| (c, (100 * c + total / 2).checked_div(total).unwrap_or(0))).collect();
            (row.theme.clone(), row.name.clone(), cells)
        })
        .collect();
    Ok(render(&CrosstabPage {
        id,
        title: view.title.clone(),
        columns,
        by,
        totals: groups.totals,
        values: groups.groups,
        rows,
        note: groups.note,
        linked,
        signed_in: true,
    }))
}

// ---- coder agreement -------------------------------------------------------

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    id: i64,
    title: String,
    others: Vec<(i64, String)>,
    with: Option<i64>,
    with_title: String,
    items: usize,
    rows: Vec<(String, collabmap_analysis::agreement::Table2x2, String, String)>,
    overall: (String, String),
    differences: Vec<String>,
    signed_in: bool,
}

#[derive(Deserialize)]
struct WithQuery {
    with: Option<i64>,
}

/// Agreement between this study and another coding of the same interviews
/// (a copy another researcher coded), both readable by the user.
async fn agreement_page(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<PageUser, Viewer>,
    Query(query): Query<WithQuery>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    let others = state.store().studies_of(user.session.user.id).await?.into_iter().filter(|s| s.id != id).map(|s| (s.id, s.title)).collect();
    let mut page = AgreementPage {
        id,
        title: view.title.clone(),
        others,
        with: query.with,
        with_title: String::new(),
        items: 0,
        rows: Vec::new(),
        overall: (String::new(), String::new()),
        differences: Vec::new(),
        signed_in: true,
    };
    if let Some(other) = query.with {
        let (_, second) = member_view(&state, user.session.user.id, other, Role::Viewer).await?;
        page.with_title = second.title.clone();
        let first = view.clone();
        let agreement = tokio::task::spawn_blocking(move || collabmap_analysis::agreement::agree(&[&first.study, &second.study])).await?;
        let show = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{x:.3}"));
        page.items = agreement.items;
        page.rows = agreement
            .themes
            .iter()
            .filter(|t| t.table.both + t.table.first_only + t.table.second_only > 0)
            .map(|t| (t.theme.clone(), t.table, show(t.agreement), show(t.kappa)))
            .collect();
        page.overall = (show(agreement.overall.agreement), show(agreement.overall.kappa));
        page.differences = agreement.differences.iter().map(|d| format!("{} {} {}: {}", d.interview, d.kind, d.position, d.message)).collect();
    }
    Ok(render(&page))
}

// ---- editors -----------------------------------------------------------------

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

#[derive(Deserialize)]
struct NewInterviewQuery {
    id: String,
}

async fn new_interview(Path(id): Path<i64>, Query(query): Query<NewInterviewQuery>) -> Result<Response, AppError> {
    if !is_interview_id(&query.id) {
        return Err(AppError::BadRequest(format!("`{}` cannot name an interview: use letters, digits, `-`, `_` and `.`", query.id)));
    }
    Ok(Redirect::to(&format!("/studies/{id}/edit/interviews/{}", url_encode(&query.id))).into_response())
}

async fn edit_interview(State(state): State<AppState>, user: PageUser, Path((id, interview)): Path<(i64, String)>) -> Result<Response, AppError> {
    editor(state, user, id, Document::Interview(interview)).await
}

async fn edit_memo(State(state): State<AppState>, user: PageUser, Path((id, memo)): Path<(i64, String)>) -> Result<Response, AppError> {
    editor(state, user, id, Document::Memo(memo)).await
}

async fn edit_document(State(state): State<AppState>, user: PageUser, Path((id, document)): Path<(i64, String)>) -> Result<Response, AppError> {
    let document = match document.as_str() {
        "people" => Document::People,
        "projects" => Document::Projects,
        "codebook" => Document::Codebook,
        "settings" => Document::Settings,
        _ => return Err(AppError::NotFound),
    };
    editor(state, user, id, document).await
}

/// A starting text for a new interview, attended by the study's first person.
fn new_interview_text(first_person: &str) -> String {
    format!("---\npeople: [{first_person}]\n---\n\n# Map\n\n- What the collaboration set out to do\n  - How it was done\n\n# Quotes\n\n# Stories\n")
}

async fn editor(state: AppState, user: PageUser, id: i64, document: Document) -> Result<Response, AppError> {
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
        new_interview_text(view.study.people.first().map_or("p01", |p| p.id.as_str()))
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

// ---- members -----------------------------------------------------------------
