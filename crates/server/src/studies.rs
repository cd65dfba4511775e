//! Studies: the list of a member's studies, importing one, deleting one,
//! and reading one: its pages (the dashboard, themes, interviews and model
//! are the static report's, built with the workspace's navigation), its
//! figures as JSON (table, model, evidence, search), the search page,
//! cross-tabs and coder agreement; and the workspace's own assets. Every
//! page works without JavaScript except the editor's live preview.

use collabmap_analysis::MentionRow;
use collabmap_analysis::cooccurrence::compare_groups;

use askama::Template;
use axum::extract::{Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use collabmap_render::interview_list::ListQuery;
use collabmap_render::report::{INTERVIEWS_PER_PAGE, STYLE, interview_list_page_of};
use collabmap_store::Role;
use collabmap_study::Limits;
use serde::Deserialize;
use serde_json::json;

use crate::MAX_UPLOAD_BYTES;
use crate::access::{Member, Owner, Viewer, member_view, study_view, study_view_at};
use crate::auth::{ApiUser, PageUser};
use crate::error::{AppError, problems_json};
use crate::html::{page_links, render, url_encode};
use crate::views::StudyAtRevision;
use crate::{AppState, archive, import_study};

const WORKSPACE_CSS: &str = include_str!("../assets/workspace.css");
const EDITOR_JS: &str = include_str!("../assets/editor.js");
const CONFIRM_JS: &str = include_str!("../assets/confirm.js");
const CAPTURE_JS: &str = include_str!("../assets/capture.js");
const DRAW_JS: &str = include_str!("../assets/draw.js");

/// The pages' routes.
/// The JSON API's routes of this feature.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/studies", get(list_studies).post(create_study))
        .route("/api/studies/{id}", get(study_info).delete(delete_study))
        .route("/api/studies/{id}/table", get(table))
        .route("/api/studies/{id}/model", get(model))
        .route("/api/studies/{id}/evidence", get(evidence))
        .route("/api/studies/{id}/search", get(search))
        // The list of interviews; creating one is the editor's (`editor::api_routes`).
        .route("/api/studies/{id}/interviews", get(interviews))
}

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route("/", get(studies_page))
            .route("/import", post(import_form).layer(axum::extract::DefaultBodyLimit::max(crate::MAX_UPLOAD_BYTES + (1 << 20))))
            .route("/assets/{file}", get(asset))
            .route("/studies/{id}", get(study_root))
            .route("/studies/{id}/", get(dashboard))
            .route("/studies/{id}/crosstab", get(crosstab_page))
            .route("/studies/{id}/search", get(search_page))
            .route("/studies/{id}/agreement", get(agreement_page))
            .route("/studies/{id}/delete", post(delete_form))
            .route("/studies/{id}/{*path}", get(study_file)),
    )
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "workspace.css" => (WORKSPACE_CSS, "text/css; charset=utf-8"),
        "editor.js" => (EDITOR_JS, "text/javascript; charset=utf-8"),
        "confirm.js" => (CONFIRM_JS, "text/javascript; charset=utf-8"),
        "capture.js" => (CAPTURE_JS, "text/javascript; charset=utf-8"),
        "draw.js" => (DRAW_JS, "text/javascript; charset=utf-8"),
        "drawing.js" => (collabmap_render::report::DRAWING_JS, "text/javascript; charset=utf-8"),
        "tables.js" => (collabmap_render::report::TABLES_JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

// ---- signing in and out ------------------------------------------------------

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
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

async fn study_root(Path(id): Path<i64>) -> Redirect {
    Redirect::permanent(&format!("/studies/{id}/"))
}

/// The study's report front page, with the workspace's live state (drafts,
/// check-backs and consent, which live in the database, not in the study)
/// where the page marks its place.
async fn dashboard(State(state): State<AppState>, Member { id, .. }: Member<PageUser, Viewer>) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    let (page, drafts, consent) = tokio::try_join!(
        site_file(view.clone(), "index.html".to_string()),
        crate::capture::drafts_panel(&state, id),
        crate::checkback::consent_panel(&state, &view)
    )?;
    let (parts, body) = page.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.map_err(|e| AppError::Internal(format!("cannot read the front page: {e}")))?;
    let html = String::from_utf8_lossy(&bytes);
    let panels = format!("{drafts}{consent}");
    let html = html.replacen(WORKSPACE_STATE_MARK, &panels, 1);
    Ok(Response::from_parts(parts, axum::body::Body::from(html)))
}

/// Where the front page, built by the report in workspace mode, takes the workspace's live state.
const WORKSPACE_STATE_MARK: &str = "<!--collabmap:interview-day-->";

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
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
/// The list of interviews is the workspace's own: sorted and filtered
/// across every interview by its query (`?sort=date&order=desc&q=…`).
async fn study_file(
    State(state): State<AppState>,
    Member { id, .. }: Member<PageUser, Viewer>,
    Path((_, path)): Path<(i64, String)>,
    Query(list): Query<ListParameters>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    if let Some(n) = interview_list_page_of(&path) {
        let query = list.query()?;
        let page = tokio::task::spawn_blocking(move || view.interview_list(&query, n)).await?.map_err(AppError::BadRequest)?.ok_or(AppError::NotFound)?;
        return Ok(([(header::CONTENT_TYPE, content_type(&path))], page).into_response());
    }
    site_file(view, path).await
}

/// How a list of interviews is sorted and filtered: `sort`, `order`, `q`, `checked`
/// (see [`ListQuery::from_parameters`]), and for the API which `page`.
#[derive(Deserialize)]
struct ListParameters {
    sort: Option<String>,
    order: Option<String>,
    q: Option<String>,
    checked: Option<String>,
    page: Option<usize>,
}

impl ListParameters {
    fn query(&self) -> Result<ListQuery, AppError> {
        ListQuery::from_parameters(self.sort.as_deref(), self.order.as_deref(), self.q.as_deref(), self.checked.as_deref()).map_err(AppError::BadRequest)
    }
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
        let path = path.clone();
        tokio::task::spawn_blocking(move || view.page(&path)).await?.map_err(AppError::BadRequest)?.ok_or(AppError::NotFound)?
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
    /// The number of the first hit shown (for the list's numbering), 0 when all are shown.
    first: usize,
    /// Links to the other pages of results, when there is more than one.
    pages: Vec<(String, String, bool)>,
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
    /// Which page of the results (from 1).
    page: Option<usize>,
}

/// Search results a page shows; the rest are on the next pages.
const HITS_PER_PAGE: usize = 100;

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
        first: 0,
        pages: Vec::new(),
        can_edit: role.can_edit(),
        signed_in: true,
    };
    let wanted = form.page.unwrap_or(1).max(1);
    let link_of = {
        let (q, code, column) = (url_encode(&q), url_encode(&code), url_encode(&column));
        move |n: usize| format!("/studies/{id}/search?q={q}&code={code}&where={column}&page={n}")
    };
    if q.trim().is_empty() {
        return Ok(render(&page));
    }
    let found = tokio::task::spawn_blocking(move || -> Result<(usize, Vec<HitView>), collabmap_analysis::search::SearchError> {
        use collabmap_analysis::search::{Filters, Query as Words, Source};
        let study = &view.study;
        let words = Words::parse(&q)?;
        let filters = Filters::parse(study, Some(code.as_str()).filter(|c| !c.is_empty()), Some(column.as_str()).filter(|c| !c.trim().is_empty()), None, None)?;
        let themes = study.codebook.themes();
        let hits = view.search(&words, &filters);
        let total = hits.len();
        // Only the page's hits are marked and linked: a common word finds tens of thousands in a large study.
        let shown = hits
            .into_iter()
            .skip((wanted - 1) * HITS_PER_PAGE)
            .take(HITS_PER_PAGE)
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
            .collect();
        Ok((total, shown))
    })
    .await?;
    match found {
        Ok((total, hits)) => {
            let pages = total.div_ceil(HITS_PER_PAGE);
            page.summary = format!("{} found", if total == 1 { "1 item".to_string() } else { format!("{total} items") });
            if pages > 1 {
                let first = (wanted - 1) * HITS_PER_PAGE + 1;
                page.summary.push_str(&format!("; {first} to {} shown", (first + hits.len()).saturating_sub(1).max(first)));
                page.first = first;
                page.pages = page_links(wanted, pages, &link_of);
            }
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

// ---- members -----------------------------------------------------------------

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
    // The interviews themselves are a list of their own, a page at a time: a study may have 100,000.
    Ok(Json(json!({
        "id": id,
        "title": view.title,
        "role": role.as_str(),
        "revision": view.revision,
        "problems": problems_json(&view.problems),
        "interview_count": view.study.interviews.len(),
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
                let mentions = collabmap_analysis::evidence::theme_mentions(study, &analysis.synthesis.coding, theme);
                Ok(collabmap_render::evidence::theme_json(study, &analysis.synthesis, theme, &mentions))
            }
            (None, Some(from), Some(to)) => {
                let (from, to) = (index(from)?, index(to)?);
                let chains = collabmap_analysis::evidence::link_chains(study, &analysis.synthesis.coding, from, to);
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
        Ok(collabmap_render::search::hits_json(study, &view.search(&words, &filters)))
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// The study's interviews sorted and filtered like the workspace's list
/// (`?sort=date&order=desc&q=words&checked=no&page=2`), a page of
/// [`INTERVIEWS_PER_PAGE`] at a time. Like the list, it says how many
/// attended, never who.
async fn interviews(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Viewer>,
    Query(list): Query<ListParameters>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    analysed(&view)?;
    let query = list.query()?;
    let page = list.page.unwrap_or(1).max(1);
    let json = tokio::task::spawn_blocking(move || -> Result<serde_json::Value, AppError> {
        let (listed, pages) = view.listed_interviews(&query).map_err(AppError::BadRequest)?;
        let last = listed.len().div_ceil(INTERVIEWS_PER_PAGE).max(1);
        if page > last {
            return Err(AppError::BadRequest(format!("page {page} is past the last page of this list, {last}")));
        }
        let rows: Vec<_> = listed
            .iter()
            .skip((page - 1) * INTERVIEWS_PER_PAGE)
            .take(INTERVIEWS_PER_PAGE)
            .map(|&at| {
                let interview = &view.study.interviews[at as usize];
                json!({
                    "id": interview.id,
                    "path": interview.file,
                    "version": view.version(&interview.file),
                    "date": interview.date,
                    "attended": interview.people.len(),
                    "projects": pages.interview_projects(interview),
                    "concepts": interview.concepts().count(),
                    "checked_back": interview.checked_back,
                })
            })
            .collect();
        Ok(json!({
            "sort": query.sort.name(),
            "order": query.order_name(),
            "matching": listed.len(),
            "total": view.study.interviews.len(),
            "page": page,
            "pages": last,
            "per_page": INTERVIEWS_PER_PAGE,
            "interviews": rows,
        }))
    })
    .await??;
    Ok(Json(json).into_response())
}

/// The model as `collabmap model --format json` prints it, now or at `?revision=N`.
async fn model(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>, Query(at): Query<RevisionQuery>) -> Result<Response, AppError> {
    let view = study_view_at(&state, id, at.revision).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], analysed(&view)?.model_json.clone()).into_response())
}
