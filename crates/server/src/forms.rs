//! People, projects and the codebook edited as forms: one row per person or
//! project with a box per column, one block per theme, rows and themes
//! added and removed. Saved as the file a researcher would write by hand (a
//! row or theme left alone keeps its bytes, see `collabmap_study::edit`),
//! checked like any other save; the raw text stays one link away for experts
//! (`/edit/people/text`).

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use collabmap_store::Role;
use collabmap_study::edit::codebook::{ThemeEdit, ThemeFields, read_codebook, write_codebook};
use collabmap_study::edit::{RowEdit, read_csv_table};
use serde::Deserialize;

use crate::AppState;
use crate::access::member_view;
use crate::auth::PageUser;
use crate::editor::save_document_noted;
use crate::error::AppError;
use crate::html::render;
use crate::views::Document;

/// Rows shown, and sent back, per page of a form: a page of a very large
/// study's people stays quick to load and to save.
const ROWS_PER_PAGE: usize = 100;
/// Empty rows offered for adding people or projects.
const NEW_ROWS: usize = 3;

/// The routes of the forms; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route("/studies/{id}/edit/people", get(people_form).post(save_people))
            .route("/studies/{id}/edit/projects", get(projects_form).post(save_projects))
            .route("/studies/{id}/edit/codebook", get(codebook_form).post(save_codebook)),
    )
}

/// A table document: which file, and how the page speaks of its rows.
#[derive(Clone, Copy)]
struct TableKind {
    section: &'static str,
    title: &'static str,
    file: &'static str,
    /// A row, as in "Remove this person".
    row: &'static str,
    help: &'static str,
}

const PEOPLE: TableKind = TableKind {
    section: "people",
    title: "People",
    file: "people.csv",
    row: "person",
    help: "One row per person interviewed. The id is what an interview's front matter lists under people; the name and organisation are never shown for someone marked anonymous. Other columns (role, country and so on) can be compared in cross-tabs.",
};

const PROJECTS: TableKind = TableKind {
    section: "projects",
    title: "Projects",
    file: "projects.csv",
    row: "project",
    help: "One row per collaborative project. The id is what an interview's front matter lists under projects.",
};

impl TableKind {
    fn document(self) -> Document {
        if self.section == "people" { Document::People } else { Document::Projects }
    }
}

/// A row of the form: its number in the file (0 after the header), a label for readers, its cells.
struct FormRow {
    index: usize,
    label: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "table_form.html")]
struct TableForm {
    id: i64,
    title: String,
    kind: TableKind,
    columns: Vec<String>,
    rows: Vec<FormRow>,
    /// The empty rows for additions, each with what was typed in it before a refused save.
    new_rows: Vec<(usize, Vec<String>)>,
    version: i64,
    exists: bool,
    page: usize,
    pages: usize,
    total: usize,
    can_edit: bool,
    csrf: String,
    problems: Vec<String>,
    saved: bool,
    unchanged: bool,
    signed_in: bool,
}

impl TableForm {
    fn section(&self) -> &'static str {
        self.kind.section
    }
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    page: usize,
    #[serde(default)]
    saved: bool,
    /// The form came back with nothing changed, so nothing was saved.
    #[serde(default)]
    unchanged: bool,
}

async fn people_form(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>, Query(query): Query<PageQuery>) -> Result<Response, AppError> {
    table_form(&state, &user, id, PEOPLE, query, Vec::new(), None).await
}

async fn projects_form(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>, Query(query): Query<PageQuery>) -> Result<Response, AppError> {
    table_form(&state, &user, id, PROJECTS, query, Vec::new(), None).await
}

/// The form for `kind` at the page asked for; with `problems`, the refused
/// save's problems at the top and `posted` rows in place of the stored ones.
async fn table_form(
    state: &AppState,
    user: &PageUser,
    id: i64,
    kind: TableKind,
    query: PageQuery,
    problems: Vec<String>,
    posted: Option<(Vec<FormRow>, Vec<Vec<String>>, i64)>,
) -> Result<Response, AppError> {
    let (role, view) = member_view(state, user.session.user.id, id, Role::Viewer).await?;
    let (text, document) = stored_text(&view, kind)?;
    let table = parse_table(kind, &text)?;
    let total = table.rows.len();
    let pages = total.div_ceil(ROWS_PER_PAGE).max(1);
    let page = query.page.min(pages - 1);
    let width = table.columns.len();
    let (rows, mut added, version) = match posted {
        Some((rows, added, version)) => (rows, added, version),
        None => {
            let rows = table
                .rows
                .iter()
                .enumerate()
                .skip(page * ROWS_PER_PAGE)
                .take(ROWS_PER_PAGE)
                .map(|(index, cells)| FormRow { index, label: row_label(kind, cells, index), cells: cells.clone() })
                .collect();
            (rows, Vec::new(), document.version)
        }
    };
    added.resize(NEW_ROWS, vec![String::new(); width]);
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let form = TableForm {
        id,
        title: view.title.clone(),
        kind,
        columns: table.columns,
        rows,
        new_rows: added
            .into_iter()
            .take(NEW_ROWS)
            .map(|mut cells| {
                cells.resize(width, String::new());
                cells
            })
            .enumerate()
            .collect(),
        version,
        exists: document.exists,
        page,
        pages,
        total,
        can_edit: role.can_edit(),
        csrf: user.session.csrf.clone(),
        problems,
        saved: query.saved,
        unchanged: query.unchanged,
        signed_in: true,
    };
    Ok((status, render(&form)).into_response())
}

/// The file's text as the form starts from it (a header alone when the
/// study has no such file yet), with its version and whether it exists.
fn stored_text(view: &crate::views::StudyAtRevision, kind: TableKind) -> Result<(String, crate::views::DocumentText), AppError> {
    let mut document = kind.document().read(view)?;
    let text = if document.exists { std::mem::take(&mut document.text) } else { default_header(kind).to_string() };
    Ok((text, document))
}

fn parse_table(kind: TableKind, text: &str) -> Result<collabmap_study::edit::CsvTable<'_>, AppError> {
    read_csv_table(text).map_err(|e| AppError::BadRequest(format!("{}: {e}; fix it in the text view", kind.file)))
}

/// The stored codebook (the built-in one's text when the study has no file) and its themes.
fn stored_codebook(view: &crate::views::StudyAtRevision) -> Result<(crate::views::DocumentText, Vec<ThemeFields>), AppError> {
    let document = Document::Codebook.read(view)?;
    let themes = read_codebook(&document.text).map_err(|e| AppError::BadRequest(format!("{e}; fix it in the text view")))?;
    Ok((document, themes))
}

/// A posted form's version, after its CSRF token is checked: the version of the file the form was made from.
fn checked_version(user: &PageUser, fields: &HashMap<String, String>) -> Result<i64, AppError> {
    user.check_form(fields.get("csrf").map_or("", String::as_str))?;
    fields.get("version").and_then(|v| v.parse().ok()).ok_or_else(|| AppError::BadRequest("the form has no version: reload the page".into()))
}

/// The header a study without the file starts from.
fn default_header(kind: TableKind) -> &'static str {
    if kind.section == "people" { "id,name,organisation,role\n" } else { "id,name\n" }
}

/// How a row is named to screen readers: by its id, else its number.
fn row_label(kind: TableKind, cells: &[String], index: usize) -> String {
    match cells.first().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        Some(id) => format!("{} {id}", kind.row),
        None => format!("{} on row {}", kind.row, index + 1),
    }
}

async fn save_people(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save_table(&state, &user, id, PEOPLE, form).await
}

async fn save_projects(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save_table(&state, &user, id, PROJECTS, form).await
}

/// What a posted form says: each row's cells (`cell-ROW-COLUMN`), the rows
/// to remove (`remove-ROW`) and the new rows (`new-N-COLUMN`).
struct Posted {
    rows: BTreeMap<usize, Vec<String>>,
    removed: Vec<usize>,
    added: BTreeMap<usize, Vec<String>>,
    fields: HashMap<String, String>,
}

fn read_posted(form: Vec<(String, String)>, width: usize) -> Posted {
    let mut posted = Posted { rows: BTreeMap::new(), removed: Vec::new(), added: BTreeMap::new(), fields: HashMap::new() };
    let cell = |rest: &str| -> Option<(usize, usize)> {
        let (row, column) = rest.split_once('-')?;
        Some((row.parse().ok()?, column.parse().ok()?))
    };
    for (name, value) in form {
        if let Some((row, column)) = name.strip_prefix("cell-").and_then(cell).filter(|&(_, c)| c < width) {
            posted.rows.entry(row).or_insert_with(|| vec![String::new(); width])[column] = value;
        } else if let Some((row, column)) = name.strip_prefix("new-").and_then(cell).filter(|&(r, c)| c < width && r < NEW_ROWS) {
            posted.added.entry(row).or_insert_with(|| vec![String::new(); width])[column] = value;
        } else if let Some(row) = name.strip_prefix("remove-").and_then(|r| r.parse().ok()) {
            posted.removed.push(row);
        } else {
            posted.fields.insert(name, value);
        }
    }
    posted
}

/// Saves a posted form: only the rows it carries (one page) change; every
/// other row keeps its bytes. Refused with the problems (and the rows as
/// typed) when the study would have any, or when someone saved meanwhile.
async fn save_table(state: &AppState, user: &PageUser, id: i64, kind: TableKind, form: Vec<(String, String)>) -> Result<Response, AppError> {
    let (_, view) = member_view(state, user.session.user.id, id, Role::Editor).await?;
    let (text, document) = stored_text(&view, kind)?;
    let table = parse_table(kind, &text)?;
    let posted = read_posted(form, table.columns.len());
    let version = checked_version(user, &posted.fields)?;
    let page: usize = posted.fields.get("page").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut edits: BTreeMap<usize, RowEdit> =
        posted.rows.iter().filter(|(row, _)| **row < table.rows.len()).map(|(&row, cells)| (row, RowEdit::Cells(cells.clone()))).collect();
    for &row in &posted.removed {
        edits.insert(row, RowEdit::Remove);
    }
    let added: Vec<Vec<String>> = posted.added.values().cloned().collect();
    let written = table.write(&edits, &added);
    if document.exists && written == text {
        return Ok(Redirect::to(&format!("/studies/{id}/edit/{}?page={page}&unchanged=true", kind.section)).into_response());
    }
    let message = posted.fields.get("message").map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    let note = collabmap_store::Note { message, ..Default::default() };
    match save_document_noted(state, user.session.user.id, id, kind.document(), written, version, &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/studies/{id}/edit/{}?page={page}&saved=true", kind.section)).into_response()),
        Err(AppError::Invalid(problems)) => {
            let rows = posted
                .rows
                .into_iter()
                .filter(|(row, _)| !posted.removed.contains(row))
                .map(|(index, cells)| FormRow { index, label: row_label(kind, &cells, index), cells })
                .collect();
            let messages = crate::html::problem_summary(&problems);
            table_form(state, user, id, kind, PageQuery { page, saved: false, unchanged: false }, messages, Some((rows, added, version))).await
        }
        Err(other) => Err(other),
    }
}

// ---- the codebook ------------------------------------------------------------

/// A theme's block in the form: its number in the file, how deep it sits in the tree, its fields.
struct ThemeBlock {
    index: usize,
    depth: usize,
    fields: ThemeFields,
}

#[derive(Template)]
#[template(path = "codebook_form.html")]
struct CodebookForm {
    id: i64,
    title: String,
    themes: Vec<ThemeBlock>,
    /// Every theme's (id, name), for the parent pickers.
    choices: Vec<(String, String)>,
    added: ThemeFields,
    version: i64,
    exists: bool,
    can_edit: bool,
    csrf: String,
    problems: Vec<String>,
    saved: bool,
    unchanged: bool,
    signed_in: bool,
}

impl CodebookForm {
    fn section(&self) -> &'static str {
        "codebook"
    }
}

/// The kinds of codebook entry, as the form offers them: (value, words).
const KINDS: [(&str, &str); 3] = [("theme", "Theme (what made it work)"), ("barrier", "Barrier (what got in the way)"), ("reason", "Reason to collaborate")];

/// The themes in tree order (each under its parent), with their depth; themes whose parent is unknown or circular come last, at the top level.
fn tree_order(themes: Vec<(usize, ThemeFields)>) -> Vec<ThemeBlock> {
    let ids: std::collections::HashSet<&str> = themes.iter().map(|t| t.1.id.as_str()).collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (index, (_, theme)) in themes.iter().enumerate() {
        if !theme.parent.is_empty() && ids.contains(theme.parent.as_str()) && theme.parent != theme.id {
            children.entry(theme.parent.as_str()).or_default().push(index);
        } else {
            roots.push(index);
        }
    }
    let mut order: Vec<(usize, usize)> = Vec::new();
    let mut seen = vec![false; themes.len()];
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((index, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[index], true) {
            continue;
        }
        order.push((index, depth));
        for &child in children.get(themes[index].1.id.as_str()).into_iter().flatten().rev() {
            stack.push((child, depth + 1));
        }
    }
    order.extend((0..themes.len()).filter(|&i| !seen[i]).map(|i| (i, 0)).collect::<Vec<_>>());
    let mut slots: Vec<Option<(usize, ThemeFields)>> = themes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|(slot, depth)| slots[slot].take().map(|(index, fields)| ThemeBlock { index, depth, fields })).collect()
}

async fn codebook_form(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>, Query(query): Query<PageQuery>) -> Result<Response, AppError> {
    codebook_page(&state, &user, id, query, Vec::new(), None).await
}

/// What a refused save of the codebook form sent: each theme with its number in the file, the theme being added, and the version.
struct PostedCodebook {
    themes: Vec<(usize, ThemeFields)>,
    added: ThemeFields,
    version: i64,
}

/// The codebook form; with `problems`, a refused save's, and what was `posted` in place of the stored themes.
async fn codebook_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    query: PageQuery,
    problems: Vec<String>,
    posted: Option<PostedCodebook>,
) -> Result<Response, AppError> {
    let (role, view) = member_view(state, user.session.user.id, id, Role::Viewer).await?;
    let (document, stored) = stored_codebook(&view)?;
    let (themes, added, version) = match posted {
        Some(PostedCodebook { themes, added, version }) => (themes, added, version),
        None => (stored.into_iter().enumerate().collect(), ThemeFields { kind: "theme".into(), model: true, ..ThemeFields::default() }, document.version),
    };
    let choices = themes.iter().map(|(_, t)| (t.id.clone(), t.name.clone())).collect();
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let form = CodebookForm {
        id,
        title: view.title.clone(),
        themes: tree_order(themes),
        choices,
        added,
        version,
        exists: document.exists,
        can_edit: role.can_edit(),
        csrf: user.session.csrf.clone(),
        problems,
        saved: query.saved,
        unchanged: query.unchanged,
        signed_in: true,
    };
    Ok((status, render(&form)).into_response())
}

/// The lines of a box that holds one entry per line.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// A theme's fields from the form's `PREFIX-…` boxes.
fn theme_from(fields: &HashMap<String, String>, prefix: &str) -> ThemeFields {
    let get = |key: &str| fields.get(&format!("{prefix}-{key}")).cloned().unwrap_or_default();
    let kind = get("kind");
    ThemeFields {
        id: get("id").trim().to_string(),
        name: get("name").trim().to_string(),
        parent: get("parent").trim().to_string(),
        model: kind == "theme" && fields.contains_key(&format!("{prefix}-model")),
        kind: if kind.is_empty() { "theme".into() } else { kind },
        indicators: lines(&get("indicators")),
        description: get("description").trim().to_string(),
        queries: lines(&get("queries")),
    }
}

async fn save_codebook(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (_, view) = member_view(&state, user.session.user.id, id, Role::Editor).await?;
    let fields: HashMap<String, String> = form.into_iter().collect();
    let version = checked_version(&user, &fields)?;
    let (document, stored) = stored_codebook(&view)?;
    let mut edits = BTreeMap::new();
    let mut kept = Vec::new();
    for index in 0..stored.len() {
        if !fields.contains_key(&format!("t{index}-present")) {
            continue;
        }
        if fields.contains_key(&format!("t{index}-remove")) {
            edits.insert(index, ThemeEdit::Remove);
        } else {
            let theme = theme_from(&fields, &format!("t{index}"));
            kept.push((index, theme.clone()));
            edits.insert(index, ThemeEdit::Fields(theme));
        }
    }
    let added = theme_from(&fields, "new");
    let written = write_codebook(&document.text, &edits, std::slice::from_ref(&added)).map_err(|e| AppError::BadRequest(e.to_string()))?;
    if written == document.text {
        return Ok(Redirect::to(&format!("/studies/{id}/edit/codebook?unchanged=true")).into_response());
    }
    let message = fields.get("message").map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    let note = collabmap_store::Note { message, ..Default::default() };
    match save_document_noted(&state, user.session.user.id, id, Document::Codebook, written, version, &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/studies/{id}/edit/codebook?saved=true")).into_response()),
        Err(AppError::Invalid(problems)) => {
            let messages = crate::html::problem_summary(&problems);
            codebook_page(
                &state,
                &user,
                id,
                PageQuery { page: 0, saved: false, unchanged: false },
                messages,
                Some(PostedCodebook { themes: kept, added, version }),
            )
            .await
        }
        Err(other) => Err(other),
    }
}
