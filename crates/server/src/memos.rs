//! Memos in the workspace: every memo of a study on one page, filtered by
//! what it is about and by who wrote it; adding one from the page of what it
//! is about; deleting one. A memo is edited in the editor like any file, and
//! every change is a revision with its place in the history. The JSON
//! endpoints are here too.

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use collabmap_store::Role;
use collabmap_study::{MemoAbout, Study};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::MAX_DOCUMENT_BYTES;
use crate::access::{Editor, Member, Viewer, member_view, study_view};
use crate::api::JsonBody;
use crate::auth::ApiUser;
use crate::auth::PageUser;
use crate::editor::{SaveBody, VersionQuery, read_document, remove_document, save_document, write_document};
use crate::error::AppError;
use crate::html::{render, url_encode};
use crate::views::{Document, memo_name};

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route("/studies/{id}/memos", get(list_page))
            .route("/studies/{id}/memos/new", get(new_page).post(add_form))
            .route("/studies/{id}/memos/delete", post(delete_form)),
    )
}

/// What kinds of thing a memo can be about, as the filter names them.
const KINDS: [(&str, &str); 5] =
    [("study", "the study"), ("theme", "a theme"), ("interview", "an interview"), ("concept", "a concept"), ("person", "a person")];

/// The filter's name for what `about` is.
fn kind_of(about: &MemoAbout) -> &'static str {
    match about {
        MemoAbout::Study => "study",
        MemoAbout::Theme(_) => "theme",
        MemoAbout::Interview(_) => "interview",
        MemoAbout::Concept { .. } => "concept",
        MemoAbout::Person(_) => "person",
    }
}

/// How a page names what a memo is about, and where that is shown (an
/// address in the workspace, when it has a page). People are named by id:
/// the workspace's pages never name an anonymous person.
fn described(study: &Study, id: i64, about: &MemoAbout) -> (String, Option<String>) {
    let label = match about {
        MemoAbout::Study => "The study".into(),
        MemoAbout::Theme(theme) => format!("Theme {}", study.codebook.get(theme).map_or(theme.as_str(), |t| t.name.as_str())),
        MemoAbout::Interview(interview) => format!("Interview {interview}"),
        MemoAbout::Concept { interview, block } => format!("Interview {interview}, concept ^{block}"),
        MemoAbout::Person(person) => format!("Person {person}"),
    };
    (label, page_of(id, about).map(|page| format!("{page}#memos")))
}

/// The workspace page that shows what `about` names, when there is one.
fn page_of(id: i64, about: &MemoAbout) -> Option<String> {
    let root = format!("/studies/{id}/");
    match about {
        MemoAbout::Study => Some(root),
        MemoAbout::Theme(theme) => Some(format!("{root}themes/{theme}.html")),
        MemoAbout::Interview(interview) | MemoAbout::Concept { interview, .. } => Some(format!("{root}interviews/{interview}.html")),
        MemoAbout::Person(_) => None,
    }
}

/// One memo on the list.
struct MemoRow {
    name: String,
    /// The name made safe for an address.
    name_in_link: String,
    about: String,
    link: Option<String>,
    by: String,
    date: String,
    body: String,
    version: i64,
}

#[derive(Template)]
#[template(path = "memos.html")]
struct MemosPage {
    id: i64,
    title: String,
    memos: Vec<MemoRow>,
    /// How many memos the study has, filtered or not.
    total: usize,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    authors: Vec<String>,
    by: String,
    /// What a new memo can be about: (value for `about`, label).
    targets: Vec<(String, String)>,
    /// Interviews and people are chosen by the id typed in `about_id`, not listed.
    targets_by_id: bool,
    can_edit: bool,
    csrf: String,
    signed_in: bool,
}

/// The JSON API's routes of memos.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/studies/{id}/memos", get(list_memos).post(create_memo).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
        .route("/api/studies/{id}/memos/{memo}", get(get_memo).put(put_memo).delete(delete_memo).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)))
}

#[derive(Deserialize)]
struct MemoFilters {
    kind: Option<String>,
    by: Option<String>,
}

/// Every memo of the study, newest first, filtered by kind and by author.
async fn list_page(
    State(state): State<AppState>,
    Member { user, id, role, .. }: Member<PageUser, Viewer>,
    Query(filters): Query<MemoFilters>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    let study = &view.study;
    let kind = filters.kind.unwrap_or_default();
    let by = filters.by.unwrap_or_default();
    let mut authors: Vec<String> = study.memos.iter().filter_map(|m| m.by.clone()).collect();
    authors.sort();
    authors.dedup();
    let mut memos: Vec<MemoRow> = study
        .memos
        .iter()
        .filter(|m| kind.is_empty() || kind_of(&m.about) == kind)
        .filter(|m| by.is_empty() || m.by.as_deref() == Some(by.as_str()))
        .map(|m| {
            let (about, link) = described(study, id, &m.about);
            let name = memo_name(&m.file).to_string();
            MemoRow {
                name_in_link: url_encode(&name),
                name,
                about,
                link,
                by: m.by.clone().unwrap_or_default(),
                date: m.date.clone().unwrap_or_default(),
                body: m.body.clone(),
                version: view.version(&m.file),
            }
        })
        .collect();
    memos.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.name.cmp(&b.name)));
    let (targets, targets_by_id) = memo_targets(study);
    Ok(render(&MemosPage {
        id,
        title: view.title.clone(),
        memos,
        total: study.memos.len(),
        kinds: KINDS.to_vec(),
        kind,
        authors,
        by,
        targets,
        targets_by_id,
        can_edit: role.can_edit(),
        csrf: user.session.csrf.clone(),
        signed_in: true,
    }))
}

/// Up to this many interviews and people together, the form offers each as
/// a choice; past it (a study may have 100,000 of each), it asks for the id.
const TARGETS_LISTED_UP_TO: usize = 200;

/// What a memo can be about, for the form's choices: the study, each theme,
/// and each interview and person, or when there are too many to list, an
/// interview or a person by the id typed beside (`by_id`).
fn memo_targets(study: &Study) -> (Vec<(String, String)>, bool) {
    let mut targets = vec![("study".to_string(), "The study".to_string())];
    targets.extend(study.codebook.themes().iter().map(|t| (format!("theme:{}", t.id), format!("Theme {}", t.name))));
    let by_id = study.interviews.len() + study.people.len() > TARGETS_LISTED_UP_TO;
    if by_id {
        targets.push(("interview:".to_string(), "An interview (its id below)".to_string()));
        targets.push(("person:".to_string(), "A person (their id below)".to_string()));
    } else {
        targets.extend(study.interviews.iter().map(|i| (format!("interview:{}", i.id), format!("Interview {}", i.id))));
        targets.extend(study.people.iter().map(|p| (format!("person:{}", p.id), format!("Person {}", p.id))));
    }
    (targets, by_id)
}

#[derive(Template)]
#[template(path = "memo_new.html")]
struct NewMemoPage {
    id: i64,
    title: String,
    about: String,
    label: String,
    /// Where the memo will show once saved.
    back: String,
    csrf: String,
    signed_in: bool,
}

#[derive(Deserialize)]
struct AboutQuery {
    about: String,
}

/// The form that adds a memo about one thing (reached from that thing's page).
async fn new_page(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<PageUser, Editor>,
    Query(query): Query<AboutQuery>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    let about = MemoAbout::parse(query.about.trim()).ok_or_else(|| {
        AppError::BadRequest(format!(
            "`{}` is not something a memo can be about: use study, theme:ID, interview:ID, concept:INTERVIEW#^BLOCK or person:ID",
            query.about
        ))
    })?;
    let (label, link) = described(&view.study, id, &about);
    Ok(render(&NewMemoPage {
        id,
        title: view.title.clone(),
        about: about.as_text(),
        label,
        back: link.unwrap_or_else(|| format!("/studies/{id}/memos")),
        csrf: user.session.csrf.clone(),
        signed_in: true,
    }))
}

#[derive(Deserialize)]
struct AddForm {
    csrf: String,
    about: String,
    /// The id of the interview or person, when `about` is `interview:` or `person:` (a large study's form).
    #[serde(default)]
    about_id: String,
    text: String,
}

/// Saves a memo by the signed-in member and goes back to where it shows.
async fn add_form(State(state): State<AppState>, Member { user, id, .. }: Member<PageUser, Viewer>, Form(form): Form<AddForm>) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    let about = match form.about.trim() {
        kind @ ("interview:" | "person:") if form.about_id.trim().is_empty() => {
            let what = if kind == "person:" { "person" } else { "interview" };
            return Err(AppError::BadRequest(format!("Write the id of the {what} the memo is about in “Its id”, then save again.")));
        }
        kind @ ("interview:" | "person:") => format!("{kind}{}", form.about_id.trim()),
        about => about.to_string(),
    };
    let (name, _) = add_memo(&state, &user.session.user, id, &about, &form.text).await?;
    let about = MemoAbout::parse(&about).unwrap_or(MemoAbout::Study);
    // The memo's own anchor on the page of what it is about, so the reader lands on what they wrote.
    let page = page_of(id, &about).unwrap_or_else(|| format!("/studies/{id}/memos"));
    Ok(Redirect::to(&format!("{page}#memo-{}", url_encode(&name))).into_response())
}

#[derive(Deserialize)]
struct DeleteForm {
    csrf: String,
    name: String,
    version: i64,
}

/// Deletes a memo (a revision like any other: the history keeps its text).
async fn delete_form(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>, Form(form): Form<DeleteForm>) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    remove_document(&state, user.session.user.id, id, Document::Memo(form.name), form.version).await?;
    Ok(Redirect::to(&format!("/studies/{id}/memos")).into_response())
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
    let date = crate::api::today();
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
