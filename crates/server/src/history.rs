//! A study's history: every revision with who, when and why, a file's
//! versions and their differences, putting a file or the whole study back,
//! the audit trail, and the report and folder as they were at any revision.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use collabmap_store::{ChangeError, Role};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::access::{Member, Viewer, member_role, study_view, study_view_at};
use crate::api::{JsonBody, iso_time};
use crate::archive::zip_response;
use crate::auth::{ApiUser, PageUser};
use crate::editor::SAVE_ATTEMPTS;
use crate::error::AppError;
use crate::html::{page_links, render, url_encode};
use crate::studies::site_file;

/// The JSON API's routes of this feature.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/studies/{id}/history", get(history))
        .route("/api/studies/{id}/audit.csv", get(audit_csv))
        .route("/api/studies/{id}/files/{*path}", get(file_at_revision))
        .route("/api/studies/{id}/restore", post(restore))
}

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route(
                "/studies/{id}/revisions/{revision}",
                get(|Path((id, revision)): Path<(i64, i64)>| async move { Redirect::permanent(&format!("/studies/{id}/revisions/{revision}/")) }),
            )
            .route("/studies/{id}/history", get(history_page))
            .route("/studies/{id}/history/file", get(history_file_page))
            .route("/studies/{id}/history/restore", post(restore_form))
            .route("/studies/{id}/revisions/{revision}/", get(past_report_index))
            .route("/studies/{id}/revisions/{revision}/export.zip", get(past_export_zip))
            .route("/studies/{id}/revisions/{revision}/{*path}", get(past_report_file)),
    )
}

/// The study's history, newest first: `[{"revision", "at", "by", "files": [{"path", "action"}], "message"}]`.
/// The history, newest first, [`API_REVISIONS_PER_PAGE`] revisions a page
/// (`?page=N`), each with every file it changed; a `Link` header with
/// `rel="next"` points to the next page while there is one.
async fn history(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>, Query(query): Query<PageQuery>) -> Result<Response, AppError> {
    let page = query.page.unwrap_or(1).max(1);
    let skip = ((page - 1) * API_REVISIONS_PER_PAGE) as i64;
    let (changes, total) = state.store().history_page(id, skip, API_REVISIONS_PER_PAGE as i64, i64::MAX).await?;
    let revisions: Vec<serde_json::Value> = changes
        .into_iter()
        .map(|revision| {
            let first = &revision.changes[0];
            let files: Vec<_> = revision.changes.iter().map(|c| json!({"path": c.path, "action": c.action})).collect();
            json!({"revision": first.revision, "at": iso_time(first.at), "by": first.by, "files": files, "message": first.message})
        })
        .collect();
    let mut response = Json(json!(revisions)).into_response();
    if (page * API_REVISIONS_PER_PAGE) < total as usize {
        let next = format!("</api/studies/{id}/history?page={}>; rel=\"next\"", page + 1);
        response
            .headers_mut()
            .insert(header::LINK, header::HeaderValue::from_str(&next).map_err(|e| AppError::Internal(format!("cannot write the Link header: {e}")))?);
    }
    Ok(response)
}

/// The audit trail as CSV: one row per file changed, oldest first.
async fn audit_csv(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>) -> Result<Response, AppError> {
    let mut changes = state.store().history(id).await?;
    changes.sort_by(|a, b| a.revision.cmp(&b.revision).then(a.path.cmp(&b.path)));
    let mut writer = collabmap_study::csv_out::CsvWriter::new();
    let fail = |e: csv::Error| AppError::Internal(format!("cannot write the audit trail: {e}"));
    writer.write_record(["revision", "at", "user", "file", "action", "message"]).map_err(fail)?;
    for change in &changes {
        writer
            .write_record([
                change.revision.to_string(),
                iso_time(change.at),
                change.by.clone().unwrap_or_default(),
                change.path.clone(),
                change.action.clone(),
                change.message.clone().unwrap_or_default(),
            ])
            .map_err(fail)?;
    }
    let csv = writer.into_string()?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\"")], csv).into_response())
}

#[derive(Deserialize)]
struct FileRevisionQuery {
    revision: i64,
}

/// One file as it was at a revision: `{"path", "revision", "text"}`.
async fn file_at_revision(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Viewer>,
    Path((_, path)): Path<(i64, String)>,
    Query(query): Query<FileRevisionQuery>,
) -> Result<Json<serde_json::Value>, AppError> {
    let bytes = state.store().file_at(id, &path, query.revision).await?.ok_or(AppError::NotFound)?;
    Ok(Json(json!({"path": path, "revision": query.revision, "text": String::from_utf8_lossy(&bytes)})))
}

#[derive(Deserialize)]
struct RestoreBody {
    revision: i64,
    path: Option<String>,
    message: Option<String>,
}

/// Puts back a file, or the whole study, as it was at a revision, as a new
/// revision (history is never rewritten); checked like any save.
async fn restore(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<RestoreBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    let (revision, files) = restore_revision(&state, user.session.user.id, id, body.revision, body.path.as_deref(), body.message).await?;
    Ok(Json(json!({"revision": revision, "files": files})))
}

/// Restores `path` (or every file) of study `id` as it was at `revision`,
/// for an editor: the new revision and how many files changed.
pub(crate) async fn restore_revision(
    state: &AppState,
    user: i64,
    id: i64,
    revision: i64,
    path: Option<&str>,
    message: Option<String>,
) -> Result<(i64, usize), AppError> {
    member_role(state, user, id, Role::Editor).await?;
    let lock = state.views().save_lock(id);
    let _held = lock.lock().await;
    let note = collabmap_store::Note {
        message: Some(message.filter(|m| !m.trim().is_empty()).unwrap_or_else(|| format!("restored revision {revision}"))),
        restored: true,
        author: None,
    };
    for _ in 0..SAVE_ATTEMPTS {
        let view = state.views().get(state.store(), id).await?;
        if revision < 1 || revision > view.revision {
            return Err(AppError::BadRequest(format!("revision {revision} is not one of this study's (1 to {})", view.revision)));
        }
        // Each file as it was (`None`: it did not exist then, so it goes).
        let wanted: Vec<(String, Option<Vec<u8>>)> = match path {
            Some(path) => vec![(path.to_string(), state.store().file_at(id, path, revision).await?)],
            None => {
                let then = state.store().snapshot_at(id, revision).await?.ok_or(AppError::NotFound)?;
                let added_since = view.files.iter().filter(|(p, _)| then.files.get(p).is_none()).map(|(p, _)| (p.to_string(), None));
                let mut all: Vec<(String, Option<Vec<u8>>)> = added_since.collect();
                all.extend(then.files.iter().map(|(p, bytes)| (p.to_string(), Some(bytes.to_vec()))));
                all
            }
        };
        let mut changes = Vec::new();
        for (path, then) in wanted {
            if then.as_deref() != view.files.get(&path) {
                let version = view.version(&path);
                changes.push(collabmap_store::Change { path, expected: (version != 0).then_some(version), content: then });
            }
        }
        if changes.is_empty() {
            return Ok((view.revision, 0));
        }
        let title = changes
            .iter()
            .find(|c| c.path == "study.toml")
            .and_then(|c| c.content.as_deref())
            .and_then(|t| collabmap_study::StudyConfig::parse(&String::from_utf8_lossy(t)).ok())
            .map(|c| c.title);
        let checked: Vec<(String, Option<Vec<u8>>)> = changes.iter().map(|c| (c.path.clone(), c.content.clone())).collect();
        let at = view.revision;
        let problems = tokio::task::spawn_blocking(move || view.validate(&checked)).await?;
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let count = changes.len();
        match state.store().change_files_noted(id, user, &changes, title.as_deref(), Some(at), &note).await {
            Ok(new) => return Ok((new, count)),
            Err(ChangeError::Moved { .. }) => continue,
            Err(ChangeError::Conflict { path, current }) => {
                return Err(AppError::Conflict {
                    message: format!("{path} changed meanwhile (now version {}): try again", current.unwrap_or(0)),
                    current: current.unwrap_or(0),
                });
            }
            Err(ChangeError::NoStudy) => return Err(AppError::NotFound),
            Err(ChangeError::Store(error)) => return Err(error.into()),
        }
    }
    Err(AppError::Conflict { message: "the study kept changing while the restore was checked; try again".into(), current: 0 })
}

/// The published report as it was at a past revision: its index.
async fn past_report_index(
    State(state): State<AppState>,
    Member { id, .. }: Member<PageUser, Viewer>,
    Path((_, revision)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    site_file(study_view_at(&state, id, Some(revision)).await?, "index.html".to_string()).await
}

/// A page of the published report as it was at a past revision, byte for
/// byte what `collabmap report` writes from `collabmap export ID --revision N`.
async fn past_report_file(
    State(state): State<AppState>,
    Member { id, .. }: Member<PageUser, Viewer>,
    Path((_, revision, path)): Path<(i64, i64, String)>,
) -> Result<Response, AppError> {
    site_file(study_view_at(&state, id, Some(revision)).await?, path).await
}

/// The study's folder as it was at a past revision, zipped.
async fn past_export_zip(
    State(state): State<AppState>,
    Member { id, .. }: Member<PageUser, Viewer>,
    Path((_, revision)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    zip_response(study_view_at(&state, id, Some(revision)).await?).await
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    id: i64,
    title: String,
    can_edit: bool,
    revisions: Vec<RevisionRow>,
    /// Links to the history's other pages, when it has more than one.
    pages: Vec<(String, String, bool)>,
    csrf: String,
    signed_in: bool,
}

/// One revision of the history page.
struct RevisionRow {
    revision: i64,
    at: String,
    by: String,
    /// (path, action, path encoded for a link), the first [`FILES_SHOWN`].
    files: Vec<(String, String, String)>,
    /// How many more files it changed (all of them are in the audit trail).
    more_files: i64,
    message: String,
    /// Whether it is the newest revision of the history (nothing to put back).
    newest: bool,
}

/// Revisions a page of the history shows, newest first.
const REVISIONS_PER_PAGE: usize = 50;

/// Files a revision lists on the history page; a restore of a whole study changes them all.
const FILES_SHOWN: i64 = 20;

/// Revisions a page of `GET /api/studies/{id}/history` holds (each with every file it changed).
const API_REVISIONS_PER_PAGE: usize = 100;

#[derive(Deserialize)]
struct PageQuery {
    /// Which page (from 1).
    page: Option<usize>,
}

/// Who made a change the history records without an account: a survey answer or an import by command.
const UNKNOWN_AUTHOR: &str = "a survey respondent or an import";

/// A change's time as the history pages show it: `YYYY-MM-DD HH:MM:SS` (UTC).
fn when(at: i64) -> String {
    crate::api::iso_time(at).replace('T', " ").trim_end_matches('Z').to_string()
}

async fn history_page(
    State(state): State<AppState>,
    Member { user, id, role, .. }: Member<PageUser, Viewer>,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    let page = query.page.unwrap_or(1).max(1);
    let skip = ((page - 1) * REVISIONS_PER_PAGE) as i64;
    let (changes, total) = state.store().history_page(id, skip, REVISIONS_PER_PAGE as i64, FILES_SHOWN).await?;
    let pages = (total as usize).div_ceil(REVISIONS_PER_PAGE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let revisions = changes
        .into_iter()
        .enumerate()
        .map(|(at, revision)| {
            let first = &revision.changes[0];
            RevisionRow {
                revision: first.revision,
                at: when(first.at),
                by: first.by.clone().unwrap_or_else(|| UNKNOWN_AUTHOR.into()),
                more_files: revision.files - revision.changes.len() as i64,
                message: first.message.clone().unwrap_or_default(),
                newest: page == 1 && at == 0,
                files: revision.changes.iter().map(|c| (c.path.clone(), c.action.clone(), url_encode(&c.path))).collect(),
            }
        })
        .collect();
    let pages = if pages > 1 { page_links(page, pages, &|n| format!("/studies/{id}/history?page={n}")) } else { Vec::new() };
    Ok(render(&HistoryPage { id, title: view.title.clone(), can_edit: role.can_edit(), revisions, pages, csrf: user.session.csrf.clone(), signed_in: true }))
}

#[derive(Template)]
#[template(path = "history_file.html")]
struct HistoryFilePage {
    id: i64,
    title: String,
    path: String,
    revision: i64,
    /// The revision compared against (the one before, unless the reader chose another).
    against: i64,
    summary: String,
    /// The revisions that changed this file, newest first, for the comparison form.
    changed_at: Vec<i64>,
    /// This file's history, newest first: (revision, when, who, action, message).
    file_history: Vec<(i64, String, String, String, String)>,
    /// (class, text) per line: `added`, `removed` or `same`.
    lines: Vec<(&'static str, String)>,
    can_edit: bool,
    csrf: String,
    signed_in: bool,
}

#[derive(Deserialize)]
struct CompareQuery {
    path: String,
    revision: i64,
    /// Compare with this revision instead of the one before.
    against: Option<i64>,
}

/// The lines of `old` and `new` as a diff: (class, text) per line, `removed`, `added` or `same`.
fn diff_lines(old: &str, new: &str) -> Vec<(&'static str, String)> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| {
            let text = change.value().trim_end_matches('\n');
            match change.tag() {
                similar::ChangeTag::Delete => ("removed", format!("- {text}")),
                similar::ChangeTag::Insert => ("added", format!("+ {text}")),
                similar::ChangeTag::Equal => ("same", format!("  {text}")),
            }
        })
        .collect()
}

/// A file at a revision, as a diff against another revision (by default the one before).
async fn history_file_page(
    State(state): State<AppState>,
    Member { user, id, role, .. }: Member<PageUser, Viewer>,
    Query(query): Query<CompareQuery>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    let store = state.store();
    let against = query.against.unwrap_or(query.revision - 1);
    if query.revision < 1 || against < 0 || query.revision > view.revision || against > view.revision {
        return Err(AppError::BadRequest(format!("the study has revisions 1 to {}: choose revisions in that range", view.revision)));
    }
    let then = store.file_at(id, &query.path, query.revision).await?;
    let before = if against > 0 { store.file_at(id, &query.path, against).await? } else { None };
    if then.is_none() && before.is_none() {
        return Err(AppError::NotFound);
    }
    let text = |bytes: &Option<Vec<u8>>| String::from_utf8_lossy(bytes.as_deref().unwrap_or_default()).into_owned();
    let lines = diff_lines(&text(&before), &text(&then));
    let file_history: Vec<(i64, String, String, String, String)> = store
        .file_history(id, &query.path)
        .await?
        .into_iter()
        .map(|c| (c.revision, when(c.at), c.by.unwrap_or_else(|| UNKNOWN_AUTHOR.into()), c.action, c.message.unwrap_or_default()))
        .collect();
    let changed_at: Vec<i64> = file_history.iter().map(|c| c.0).collect();
    let summary = match file_history.iter().find(|c| c.0 == query.revision) {
        Some((_, at, by, action, message)) => format!("{action} by {by} on {at}{}", if message.is_empty() { String::new() } else { format!(": {message}") }),
        None => "not changed at this revision".into(),
    };
    Ok(render(&HistoryFilePage {
        id,
        title: view.title.clone(),
        path: query.path,
        revision: query.revision,
        against,
        summary,
        changed_at,
        file_history,
        lines,
        can_edit: role.can_edit() && then.is_some(),
        csrf: user.session.csrf.clone(),
        signed_in: true,
    }))
}

#[derive(Deserialize)]
struct RestoreForm {
    csrf: String,
    /// One file; without it, the whole study.
    path: Option<String>,
    revision: i64,
    message: Option<String>,
}

/// "Put back this version": the file as it was at the revision, as a new revision.
async fn restore_form(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>, Form(form): Form<RestoreForm>) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    let path = form.path.filter(|p| !p.is_empty());
    let message = form.message.filter(|m| !m.trim().is_empty());
    restore_revision(&state, user.session.user.id, id, form.revision, path.as_deref(), message).await?;
    Ok(Redirect::to(&format!("/studies/{id}/history")).into_response())
}
