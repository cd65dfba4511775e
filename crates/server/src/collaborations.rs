//! Assessing collaborations in the workspace: survey rounds opened and
//! closed, one link per respondent (no account needed), results once a round
//! has enough respondents, and collaborations compared side by side.
//!
//! A collaboration is stored like a study: the files of its assessment
//! folder. Answers given through a link are written into `responses.csv` in
//! one transaction, replacing that respondent's earlier answers for the
//! round, so a link can be used again to change them.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use collabmap_analysis::assessment::{RoundResult, assess};
use collabmap_render::assessment::{Compared, assess_html_body, compare_text, profile_svg};
use collabmap_store::{Change, ChangeError, Kind, Role, SurveyToken};
use collabmap_study::assessment::{Assessment, load_assessment};
use collabmap_study::edit::toml_form::{ListChanges, TomlChanges, TomlForm, TomlShape, read_toml_form, write_toml_form};
use serde::Deserialize;
use std::collections::HashMap;

use crate::AppState;
use crate::access::member_role;
use crate::api::JsonBody;
use crate::auth::ApiUser;
use crate::auth::PageUser;
use crate::error::AppError;
use crate::html::render;
use axum::Json;
use serde_json::json;

/// A round's results stay hidden until this many people have answered, so
/// early answers cannot be traced to the first few respondents.
pub(crate) const MIN_RESPONDENTS: u32 = 5;

const RESPONSES: &str = "responses.csv";
const RESPONSE_HEADER: &str = "round,respondent,organisation,role,item,score\n";

/// The routes of collaborations and surveys.
pub(crate) fn routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route("/collaborations/{id}", get(|Path(id): Path<i64>| async move { Redirect::permanent(&format!("/collaborations/{id}/")) }))
            .route("/collaborations/{id}/", get(results_page))
            .route("/collaborations/{id}/rounds/{round}/open", post(open_round))
            .route("/collaborations/{id}/rounds/{round}/close", post(close_round))
            .route("/collaborations/{id}/rounds/{round}/links", post(issue_links))
            .route("/compare", get(compare_page))
            .route("/collaborations/new", post(new_collaboration))
            .route("/collaborations/{id}/files/{file}", get(file_page).post(save_file))
            .route("/collaborations/{id}/files/{file}/text", get(file_text_page)),
    )
}

/// The JSON API of collaborations, for evaluators who automate a round:
/// create, add a round, open and close it, hand out links.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/collaborations", post(api_create))
        .route("/api/collaborations/{id}/rounds", post(api_add_round))
        .route("/api/collaborations/{id}/rounds/{round}/open", post(api_open_round))
        .route("/api/collaborations/{id}/rounds/{round}/close", post(api_close_round))
        .route("/api/collaborations/{id}/rounds/{round}/links", post(api_links))
}

/// The assessment stored as collaboration `id`, for a member with at least `need`.
async fn collaboration(state: &AppState, user: i64, id: i64, need: Role) -> Result<(Role, Assessment), AppError> {
    let role = member_role(state, user, id, need).await?;
    load(state, id).await.map(|a| (role, a))
}

/// The assessment stored as collaboration `id`, refusing one with problems.
pub(crate) async fn load(state: &AppState, id: i64) -> Result<Assessment, AppError> {
    if state.store().kind(id).await? != Some(Kind::Collaboration) {
        return Err(AppError::NotFound);
    }
    let snapshot = state.store().snapshot(id).await?.ok_or(AppError::NotFound)?;
    let (assessment, problems) = tokio::task::spawn_blocking(move || load_assessment(&snapshot.files)).await?;
    if problems.is_empty() { Ok(assessment) } else { Err(AppError::Invalid(problems)) }
}

/// Respondents per round.
fn respondents(assessment: &Assessment) -> HashMap<&str, u32> {
    let mut seen: HashMap<&str, std::collections::HashSet<&str>> = HashMap::new();
    for response in &assessment.responses {
        seen.entry(response.round.as_str()).or_default().insert(response.respondent.as_str());
    }
    seen.into_iter().map(|(round, people)| (round, people.len() as u32)).collect()
}

/// The results of the rounds with enough respondents; hidden rounds are
/// taken out before scoring, so no change figure reveals their means.
fn visible_results(assessment: &Assessment) -> (Assessment, Vec<RoundResult>) {
    let counts = respondents(assessment);
    let mut visible = assessment.clone();
    visible.rounds.retain(|r| counts.get(r.id.as_str()).copied().unwrap_or(0) >= MIN_RESPONDENTS);
    let results = assess(&visible);
    (visible, results)
}

struct RoundRow {
    id: String,
    date: String,
    status: &'static str,
    respondents: u32,
    links: i64,
}

#[derive(Template)]
#[template(path = "collaboration.html")]
struct ResultsPage {
    id: i64,
    name: String,
    purpose: String,
    rounds: Vec<RoundRow>,
    can_edit: bool,
    csrf: String,
    results: String,
    hidden: Vec<(String, u32)>,
    issued: Vec<(String, String)>,
    issued_round: String,
    minimum: u32,
    signed_in: bool,
}

async fn results_view(state: &AppState, user: &PageUser, id: i64, issued: Vec<(String, String)>, issued_round: String) -> Result<Response, AppError> {
    let (role, assessment) = collaboration(state, user.session.user.id, id, Role::Viewer).await?;
    let states = state.store().round_states(id).await?;
    let links = state.store().token_counts(id).await?;
    let counts = respondents(&assessment);
    let rounds = assessment
        .rounds
        .iter()
        .map(|r| RoundRow {
            id: r.id.clone(),
            date: r.date.clone(),
            status: match states.get(&r.id) {
                Some(true) => "open",
                Some(false) => "closed",
                None => "not opened",
            },
            respondents: counts.get(r.id.as_str()).copied().unwrap_or(0),
            links: links.get(&r.id).copied().unwrap_or(0),
        })
        .collect::<Vec<_>>();
    let hidden = rounds.iter().filter(|r| r.respondents < MIN_RESPONDENTS).map(|r| (r.id.clone(), r.respondents)).collect();
    let (visible, results) = visible_results(&assessment);
    let results = if results.is_empty() { String::new() } else { assess_html_body(&visible, &results).map_err(|e| AppError::Internal(e.to_string()))? };
    Ok(render(&ResultsPage {
        id,
        name: assessment.name.clone(),
        purpose: assessment.purpose.clone(),
        rounds,
        can_edit: role.can_edit(),
        csrf: user.session.csrf.clone(),
        results,
        hidden,
        issued,
        issued_round,
        minimum: MIN_RESPONDENTS,
        signed_in: true,
    }))
}

async fn results_page(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>) -> Result<Response, AppError> {
    results_view(&state, &user, id, Vec::new(), String::new()).await
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// Opens or closes a round of collaboration `id` for an editor.
async fn set_round_state(state: &AppState, user: i64, id: i64, round: &str, open: bool) -> Result<(), AppError> {
    let (_, assessment) = collaboration(state, user, id, Role::Editor).await?;
    if !assessment.rounds.iter().any(|r| r.id == round) {
        return Err(AppError::NotFound);
    }
    state.store().set_round_open(id, round, open).await?;
    Ok(())
}

async fn set_round(state: &AppState, user: &PageUser, id: i64, round: &str, csrf: &str, open: bool) -> Result<Response, AppError> {
    user.check_form(csrf)?;
    set_round_state(state, user.session.user.id, id, round, open).await?;
    Ok(Redirect::to(&format!("/collaborations/{id}/")).into_response())
}

async fn open_round(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, round)): Path<(i64, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    set_round(&state, &user, id, &round, &form.csrf, true).await
}

async fn close_round(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, round)): Path<(i64, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    set_round(&state, &user, id, &round, &form.csrf, false).await
}

#[derive(Deserialize)]
struct LinksForm {
    csrf: String,
    respondents: String,
    /// `csv`: answer with the links as a CSV file for a mail merge instead of a page.
    #[serde(default)]
    format: String,
}

/// A respondent to hand a survey link to: an identifier (not a name), their organisation and role.
#[derive(Deserialize)]
pub(crate) struct Respondent {
    #[serde(alias = "respondent")]
    name: String,
    organisation: String,
    #[serde(default)]
    role: String,
}

/// Issues one survey link per respondent for an editor: (respondent, absolute URL) each.
async fn issue_round_links(
    state: &AppState,
    user: i64,
    id: i64,
    round: &str,
    base: &str,
    respondents: &[Respondent],
) -> Result<Vec<(String, String)>, AppError> {
    let (_, assessment) = collaboration(state, user, id, Role::Editor).await?;
    if !assessment.rounds.iter().any(|r| r.id == round) {
        return Err(AppError::NotFound);
    }
    let mut issued = Vec::new();
    for (number, r) in respondents.iter().enumerate() {
        let (name, organisation) = (r.name.trim(), r.organisation.trim());
        if name.is_empty() || organisation.is_empty() {
            return Err(AppError::BadRequest(format!("respondent {}: give an identifier and an organisation (the role may be left out)", number + 1)));
        }
        let token = state.store().issue_token(id, round, name, organisation, r.role.trim()).await?;
        issued.push((name.to_string(), format!("{base}/survey/{token}")));
    }
    Ok(issued)
}

/// Issues one link per line `respondent,organisation,role` and shows them
/// once, on the page or (`format=csv`) as a CSV file for a mail merge.
async fn issue_links(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: PageUser,
    Path((id, round)): Path<(i64, String)>,
    Form(form): Form<LinksForm>,
) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    let mut respondents = Vec::new();
    for (number, line) in form.respondents.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let (Some(name), Some(organisation)) = (fields.first().filter(|f| !f.is_empty()), fields.get(1).filter(|f| !f.is_empty())) else {
            return Err(AppError::BadRequest(format!("line {}: write respondent,organisation,role (the role may be left out)", number + 1)));
        };
        respondents.push(Respondent { name: name.to_string(), organisation: organisation.to_string(), role: fields.get(2).copied().unwrap_or("").to_string() });
    }
    let base = crate::html::base_url(&headers);
    let issued = issue_round_links(&state, user.session.user.id, id, &round, &base, &respondents).await?;
    if form.format == "csv" {
        return links_csv(&round, &respondents, &issued);
    }
    results_view(&state, &user, id, issued, round.clone()).await
}

/// The links just issued as a CSV file: respondent, organisation, role, round, url.
fn links_csv(round: &str, respondents: &[Respondent], issued: &[(String, String)]) -> Result<Response, AppError> {
    let mut writer = collabmap_study::csv_out::CsvWriter::new();
    let fail = |e: csv::Error| AppError::Internal(format!("cannot write the links: {e}"));
    writer.write_record(["respondent", "organisation", "role", "round", "url"]).map_err(fail)?;
    for (r, (name, url)) in respondents.iter().zip(issued) {
        writer.write_record([name.as_str(), r.organisation.trim(), r.role.trim(), round, url.as_str()]).map_err(fail)?;
    }
    let text = writer.into_string().map_err(|e| AppError::Internal(format!("cannot write the links: {e}")))?;
    let file = format!("survey-links-{}.csv", round.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>());
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        text,
    )
        .into_response())
}

// ---- creating and editing ----------------------------------------------------

#[derive(Deserialize)]
struct NewCollaborationForm {
    csrf: String,
    name: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    leaders: String,
    #[serde(default)]
    rounds: String,
}

#[derive(serde::Serialize)]
struct CollaborationToml {
    name: String,
    purpose: String,
    codebook: String,
    leader: Vec<LeaderToml>,
    round: Vec<RoundToml>,
}

#[derive(serde::Serialize, Deserialize)]
struct LeaderToml {
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    since: String,
}

#[derive(serde::Serialize, Deserialize)]
struct RoundToml {
    id: String,
    date: String,
}

/// The fields of each non-empty line, split at commas and trimmed.
fn lines_of(text: &str) -> Vec<Vec<String>> {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| l.split(',').map(|f| f.trim().to_string()).collect()).collect()
}

/// Creates a collaboration: its leaders and rounds, the built-in
/// questionnaire, and an empty responses.csv. Checked like an import.
async fn create_collaboration(state: &AppState, owner: i64, file: CollaborationToml) -> Result<i64, AppError> {
    let text = toml::to_string(&file).map_err(|e| AppError::Internal(format!("cannot write collaboration.toml: {e}")))?;
    let mut files = collabmap_study::MemoryFiles::new();
    files.insert("collaboration.toml", text.into_bytes());
    files.insert(RESPONSES, RESPONSE_HEADER.as_bytes().to_vec());
    Ok(crate::import_study(state.store(), owner, files).await?)
}

/// Creates a collaboration from the form, one leader and one round per line.
async fn new_collaboration(State(state): State<AppState>, user: PageUser, Form(form): Form<NewCollaborationForm>) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    let field = |fields: &Vec<String>, i: usize| fields.get(i).cloned().unwrap_or_default();
    let file = CollaborationToml {
        name: form.name.trim().to_string(),
        purpose: form.purpose.trim().to_string(),
        codebook: "whole-systems".into(),
        leader: lines_of(&form.leaders).iter().map(|f| LeaderToml { name: field(f, 0), role: field(f, 1), since: field(f, 2) }).collect(),
        round: lines_of(&form.rounds).iter().map(|f| RoundToml { id: field(f, 0), date: field(f, 1) }).collect(),
    };
    let id = create_collaboration(&state, user.session.user.id, file).await?;
    Ok(Redirect::to(&format!("/collaborations/{id}/")).into_response())
}

#[derive(Template)]
#[template(path = "collaboration_file.html")]
struct FilePage {
    id: i64,
    name: String,
    file: String,
    text: String,
    version: i64,
    can_edit: bool,
    csrf: String,
    problems: Vec<String>,
    signed_in: bool,
}

/// An assessment file's raw text, for experts.
async fn file_text_page(State(state): State<AppState>, user: PageUser, Path((id, file)): Path<(i64, String)>) -> Result<Response, AppError> {
    if shape_of(&file).is_none() {
        return Err(AppError::NotFound);
    }
    let (role, assessment) = collaboration(&state, user.session.user.id, id, Role::Viewer).await?;
    let (text, version) = state.store().file(id, &file).await?.map(|(b, v)| (String::from_utf8_lossy(&b).into_owned(), v)).unwrap_or_default();
    Ok(render(&FilePage {
        id,
        name: assessment.name,
        file,
        text,
        version,
        can_edit: role.can_edit(),
        csrf: user.session.csrf.clone(),
        problems: Vec::new(),
        signed_in: true,
    }))
}

/// A list of tables as the form shows it.
struct FormList {
    key: &'static str,
    heading: &'static str,
    row: &'static str,
    /// (key, label) of each column.
    columns: Vec<(&'static str, &'static str)>,
    rows: Vec<Vec<String>>,
    new_rows: Vec<usize>,
}

#[derive(Template)]
#[template(path = "collaboration_form.html")]
struct FormPage {
    id: i64,
    name: String,
    file: String,
    /// (key, label, value) of each top-level value.
    values: Vec<(&'static str, &'static str, String)>,
    lists: Vec<FormList>,
    version: i64,
    can_edit: bool,
    csrf: String,
    problems: Vec<String>,
    /// Never: a saved form goes back to the collaboration's page.
    saved: bool,
    unchanged: bool,
    signed_in: bool,
}

#[allow(clippy::too_many_arguments)] // the page's parts, each named where it is called
fn form_page(
    id: i64,
    name: String,
    file: String,
    shape: TomlShape,
    form: TomlForm,
    version: i64,
    can_edit: bool,
    csrf: String,
    problems: Vec<String>,
    unchanged: bool,
) -> FormPage {
    FormPage {
        id,
        name,
        file,
        values: shape.values.iter().zip(form.values).map(|(key, value)| (*key, field_label(key), value)).collect(),
        lists: shape
            .lists
            .iter()
            .zip(form.lists)
            .map(|((key, fields), rows)| {
                let (heading, row) = list_words(key);
                FormList { key, heading, row, columns: fields.iter().map(|f| (*f, field_label(f))).collect(), rows, new_rows: (0..NEW_ROWS).collect() }
            })
            .collect(),
        version,
        can_edit,
        csrf,
        problems,
        saved: false,
        unchanged,
        signed_in: true,
    }
}

#[derive(Deserialize)]
struct UnchangedQuery {
    #[serde(default)]
    unchanged: bool,
}

/// An assessment file as a form: its values as boxes, each list as a table of rows.
async fn file_page(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, file)): Path<(i64, String)>,
    axum::extract::Query(query): axum::extract::Query<UnchangedQuery>,
) -> Result<Response, AppError> {
    let Some(shape) = shape_of(&file) else { return Err(AppError::NotFound) };
    let (role, assessment) = collaboration(&state, user.session.user.id, id, Role::Viewer).await?;
    let (text, version) = state.store().file(id, &file).await?.map(|(b, v)| (String::from_utf8_lossy(&b).into_owned(), v)).unwrap_or_default();
    let form = read_toml_form(&text, shape).map_err(|e| AppError::BadRequest(format!("{file}: {e}; fix it in the text view")))?;
    Ok(render(&form_page(id, assessment.name, file, shape, form, version, role.can_edit(), user.session.csrf.clone(), Vec::new(), query.unchanged)))
}

/// Saves `text` as the assessment file when the folder stays sound and no
/// one saved it since `version`: `Ok(Err(problems))` when it would not be sound.
async fn commit_file(
    state: &AppState,
    user: i64,
    id: i64,
    file: &str,
    text: &str,
    version: i64,
) -> Result<Result<(), Vec<collabmap_study::Problem>>, AppError> {
    let content = if text.trim().is_empty() && file != "collaboration.toml" { None } else { Some(text.as_bytes().to_vec()) };
    let outcome = commit_checked(state, id, user, |snapshot| {
        let current = snapshot.versions.get(file).copied().unwrap_or(0);
        if current != version {
            return Err(AppError::Conflict {
                message: format!("{file} was changed by someone else since you opened it (now version {current}): open it again and redo your change"),
                current,
            });
        }
        Ok(vec![Change { path: file.to_string(), expected: (version != 0).then_some(version), content: content.clone() }])
    })
    .await?;
    Ok(match outcome {
        Checked::Saved => Ok(()),
        Checked::Refused(problems) => Err(problems),
    })
}

/// Saves an assessment file from its form, or (a `text` field) from its raw text.
async fn save_file(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, file)): Path<(i64, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let fields: HashMap<String, String> = form.into_iter().collect();
    user.check_form(fields.get("csrf").map_or("", String::as_str))?;
    let Some(shape) = shape_of(&file) else { return Err(AppError::NotFound) };
    let (_, assessment) = collaboration(&state, user.session.user.id, id, Role::Editor).await?;
    let version: i64 = fields.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let (text, from_form) = match fields.get("text") {
        Some(text) => (text.replace("\r\n", "\n"), None),
        None => {
            let current = state.store().file(id, &file).await?.map(|(b, _)| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            let changes = toml_changes(&fields, shape, &current)?;
            let written = write_toml_form(&current, shape, &changes).map_err(|e| AppError::BadRequest(format!("{file}: {e}")))?;
            if written == current {
                return Ok(Redirect::to(&format!("/collaborations/{id}/files/{file}?unchanged=true")).into_response());
            }
            (written, Some(changes))
        }
    };
    match commit_file(&state, user.session.user.id, id, &file, &text, version).await? {
        Ok(()) => Ok(Redirect::to(&format!("/collaborations/{id}/")).into_response()),
        Err(problems) => {
            let problems = crate::html::problem_summary(&problems);
            let page = match from_form {
                Some(_) => {
                    // The form again, with what was typed (as the text it would have saved) and the problems.
                    let form = read_toml_form(&text, shape).unwrap_or_default();
                    render(&form_page(id, assessment.name, file, shape, form, version, true, user.session.csrf.clone(), problems, false))
                }
                None => render(&FilePage {
                    id,
                    name: assessment.name,
                    file,
                    text,
                    version,
                    can_edit: true,
                    csrf: user.session.csrf.clone(),
                    problems,
                    signed_in: true,
                }),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// What each editable assessment file holds, for its form.
fn shape_of(file: &str) -> Option<TomlShape> {
    match file {
        "collaboration.toml" => {
            Some(TomlShape { values: &["name", "purpose", "codebook"], lists: &[("leader", &["name", "role", "since"]), ("round", &["id", "date"])] })
        }
        "survey.toml" => Some(TomlShape { values: &[], lists: &[("item", &["id", "theme", "text"])] }),
        "evidence.toml" => Some(TomlShape { values: &[], lists: &[("rating", &["round", "theme", "score", "evidence"])] }),
        _ => None,
    }
}

/// How a key reads on the form.
fn field_label(key: &str) -> &'static str {
    match key {
        "name" => "Name",
        "purpose" => "Purpose",
        "codebook" => "Codebook (a built-in one, or a path)",
        "role" => "Role",
        "since" => "In post since (YYYY-MM-DD)",
        "id" => "Id",
        "date" => "Date (YYYY-MM-DD)",
        "theme" => "Theme",
        "text" => "Statement",
        "round" => "Round",
        "score" => "Score (1 to 5)",
        "evidence" => "Evidence",
        _ => "Value",
    }
}

/// How a list reads on the form: its heading and what one row is.
fn list_words(key: &str) -> (&'static str, &'static str) {
    match key {
        "leader" => ("Leaders", "leader"),
        "round" => ("Survey rounds", "round"),
        "item" => ("Survey statements", "statement"),
        "rating" => ("Assessor's ratings", "rating"),
        _ => ("Entries", "entry"),
    }
}

/// Rows offered for additions to each list.
const NEW_ROWS: usize = 2;

/// The changes a posted form asks for: values `v-KEY`, cells `LIST-ROW-FIELD`,
/// removals `LIST-remove-ROW`, new rows `LIST-new-N-FIELD`.
fn toml_changes(fields: &HashMap<String, String>, shape: TomlShape, current: &str) -> Result<TomlChanges, AppError> {
    let stored = read_toml_form(current, shape).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let values = shape.values.iter().map(|key| fields.get(&format!("v-{key}")).cloned().unwrap_or_default()).collect();
    let lists = shape
        .lists
        .iter()
        .zip(&stored.lists)
        .map(|((list, keys), rows)| {
            let cell = |prefix: String| keys.iter().map(|k| fields.get(&format!("{prefix}-{k}")).cloned().unwrap_or_default()).collect::<Vec<_>>();
            let mut edits = std::collections::BTreeMap::new();
            for row in 0..rows.len() {
                if fields.contains_key(&format!("{list}-remove-{row}")) {
                    edits.insert(row, collabmap_study::edit::RowEdit::Remove);
                } else if keys.iter().any(|k| fields.contains_key(&format!("{list}-{row}-{k}"))) {
                    edits.insert(row, collabmap_study::edit::RowEdit::Cells(cell(format!("{list}-{row}"))));
                }
            }
            let added = (0..NEW_ROWS).map(|n| cell(format!("{list}-new-{n}"))).collect();
            ListChanges { edits, added }
        })
        .collect();
    Ok(TomlChanges { values, lists })
}

/// `responses.csv` with the respondent's answers for the round replaced by `answers`.
fn replace_answers(current: &[u8], link: &SurveyToken, answers: &[(String, Option<u8>)]) -> Result<Vec<u8>, AppError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(current);
    let mut writer = collabmap_study::csv_out::CsvWriter::new();
    let fail = |e: csv::Error| AppError::Internal(format!("cannot rewrite responses.csv: {e}"));
    writer.write_record(RESPONSE_HEADER.trim().split(',')).map_err(fail)?;
    for record in reader.records() {
        let record = record.map_err(fail)?;
        let is_theirs = record.get(0).map(str::trim) == Some(link.round.as_str()) && record.get(1).map(str::trim) == Some(link.respondent.as_str());
        if !is_theirs {
            writer.write_record(&record).map_err(fail)?;
        }
    }
    for (item, score) in answers {
        let score = score.map(|s| s.to_string()).unwrap_or_default();
        writer.write_record([link.round.as_str(), &link.respondent, &link.organisation, &link.role, item, &score]).map_err(fail)?;
    }
    writer.into_string().map(String::into_bytes).map_err(|e| AppError::Internal(format!("cannot rewrite responses.csv: {e}")))
}

/// Writes the answers in one transaction; a save by someone else in between
/// is checked again on top of theirs, so no answer is lost and none is stored
/// against a questionnaire that no longer has its statements.
pub(crate) async fn record_answers(state: &AppState, link: &SurveyToken, answers: &[(String, Option<u8>)]) -> Result<(), AppError> {
    // Answers through a link have no account behind them: 0 stands for "a respondent".
    let outcome = commit_checked(state, link.study, 0, |snapshot| {
        let current = snapshot.files.get(RESPONSES).unwrap_or(RESPONSE_HEADER.as_bytes());
        let version = snapshot.versions.get(RESPONSES).copied();
        Ok(vec![Change { path: RESPONSES.into(), expected: version, content: Some(replace_answers(current, link, answers)?) }])
    })
    .await?;
    match outcome {
        Checked::Saved => Ok(()),
        Checked::Refused(_) => Err(AppError::Conflict {
            message: "the questionnaire changed while you answered it: open the link again and answer the statements it now has".into(),
            current: 0,
        }),
    }
}

/// How a checked save of a collaboration ended.
enum Checked {
    /// The changes were committed.
    Saved,
    /// The changes would leave the assessment with these problems; nothing was stored.
    Refused(Vec<collabmap_study::Problem>),
}

/// How many times a save is checked again when the collaboration moved on
/// meanwhile, before the user is asked to try again.
const SAVE_ATTEMPTS: usize = 8;

/// Commits the changes `build` makes from the stored files, after checking
/// that the assessment they give has no problems, at the very revision that
/// was checked. When another save lands in between, `build` runs again on top
/// of it, so two saves that are each sound alone can never store a broken
/// assessment together (the same rule as the workspace's study saves).
async fn commit_checked(
    state: &AppState,
    id: i64,
    user: i64,
    build: impl Fn(&collabmap_store::Snapshot) -> Result<Vec<Change>, AppError>,
) -> Result<Checked, AppError> {
    let lock = state.views().save_lock(id);
    let _held = lock.lock().await;
    for _ in 0..SAVE_ATTEMPTS {
        let snapshot = state.store().snapshot(id).await?.ok_or(AppError::NotFound)?;
        let changes = build(&snapshot)?;
        let mut candidate = snapshot.files.clone();
        for change in &changes {
            match &change.content {
                Some(bytes) => candidate.insert(change.path.clone(), bytes.clone()),
                None => {
                    candidate.remove(&change.path);
                }
            }
        }
        let (checked, problems) = tokio::task::spawn_blocking(move || load_assessment(&candidate)).await?;
        if !problems.is_empty() {
            return Ok(Checked::Refused(problems));
        }
        let title = changes.iter().any(|c| c.path == "collaboration.toml").then_some(checked.name.as_str());
        match state.store().change_files(id, user, &changes, title, Some(snapshot.revision)).await {
            Ok(_) => return Ok(Checked::Saved),
            Err(ChangeError::Moved { .. }) => continue,
            Err(ChangeError::Conflict { current, path }) => {
                let current = current.unwrap_or(0);
                return Err(AppError::Conflict {
                    message: format!("{path} was changed by someone else meanwhile (now version {current}): open it again and redo your change"),
                    current,
                });
            }
            Err(ChangeError::NoStudy) => return Err(AppError::NotFound),
            Err(ChangeError::Store(error)) => return Err(error.into()),
        }
    }
    Err(AppError::Conflict { message: "the collaboration kept changing while your change was checked; submit again".into(), current: 0 })
}

// ---- comparing collaborations ------------------------------------------------

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    choices: Vec<(i64, String, bool)>,
    table: String,
    profiles: Vec<(String, String, String)>,
    signed_in: bool,
}

async fn compare_page(State(state): State<AppState>, user: PageUser, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    let chosen: Vec<i64> = query.unwrap_or_default().split('&').filter_map(|pair| pair.strip_prefix("ids=")).filter_map(|v| v.parse().ok()).collect();
    let mine = state.store().studies_of(user.session.user.id).await?;
    let choices = mine.iter().filter(|s| s.kind == Kind::Collaboration).map(|s| (s.id, s.title.clone(), chosen.contains(&s.id))).collect();
    let mut loaded = Vec::new();
    for id in &chosen {
        let (_, assessment) = collaboration(&state, user.session.user.id, *id, Role::Viewer).await?;
        loaded.push(visible_results(&assessment));
    }
    let compared: Vec<Compared<'_>> = loaded.iter().map(|(a, r)| Compared { assessment: a, rounds: r }).collect();
    let table = if compared.len() >= 2 { compare_text(&compared) } else { String::new() };
    let profiles = compared
        .iter()
        .filter_map(|c| c.rounds.last().map(|last| (c.assessment.name.clone(), format!("{} ({})", last.round, last.date), profile_svg(c.assessment, last))))
        .collect();
    Ok(render(&ComparePage { choices, table, profiles, signed_in: true }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_replace_the_respondents_earlier_ones_only() {
        let link = SurveyToken { study: 1, round: "r1".into(), respondent: "a".into(), organisation: "Police".into(), role: "officer".into() };
        let current = b"round,respondent,organisation,role,item,score\nr1,a,Police,officer,x-1,2\nr1,b,Health,nurse,x-1,4\nr0,a,Police,officer,x-1,1\n";
        let out = String::from_utf8(replace_answers(current, &link, &[("x-1".into(), Some(5)), ("x-2".into(), None)]).expect("rewritten")).expect("utf-8");
        assert_eq!(
            out,
            "round,respondent,organisation,role,item,score\nr1,b,Health,nurse,x-1,4\nr0,a,Police,officer,x-1,1\nr1,a,Police,officer,x-1,5\nr1,a,Police,officer,x-2,\n"
        );
        let empty = String::from_utf8(replace_answers(RESPONSE_HEADER.as_bytes(), &link, &[("x-1".into(), Some(3))]).expect("rewritten")).expect("utf-8");
        assert_eq!(empty.lines().count(), 2);
    }
}

// ---- the JSON API ---------------------------------------------------------------

#[derive(Deserialize)]
struct NewCollaborationBody {
    name: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    leaders: Vec<LeaderToml>,
    #[serde(default)]
    rounds: Vec<RoundToml>,
}

/// `POST /api/collaborations`: `{"name", "purpose", "leaders": [{"name", "role", "since"}], "rounds": [{"id", "date"}]}` → 201 `{"id"}`.
async fn api_create(State(state): State<AppState>, user: ApiUser, JsonBody(body): JsonBody<NewCollaborationBody>) -> Result<Response, AppError> {
    let file = CollaborationToml {
        name: body.name.trim().to_string(),
        purpose: body.purpose.trim().to_string(),
        codebook: "whole-systems".into(),
        leader: body.leaders,
        round: body.rounds,
    };
    let id = create_collaboration(&state, user.session.user.id, file).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

/// `collaboration.toml` with one more `[[round]]` at its end; every other byte kept.
fn with_round(current: &[u8], round: &RoundToml) -> Vec<u8> {
    let quoted = |text: &str| toml::Value::String(text.to_string()).to_string();
    let mut text = String::from_utf8_lossy(current).into_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("\n[[round]]\nid = {}\ndate = {}\n", quoted(round.id.trim()), quoted(round.date.trim())));
    text.into_bytes()
}

/// `POST /api/collaborations/{id}/rounds`: `{"id", "date"}` → 201, the round added (closed) to `collaboration.toml`.
async fn api_add_round(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>, JsonBody(round): JsonBody<RoundToml>) -> Result<Response, AppError> {
    let (_, assessment) = collaboration(&state, user.session.user.id, id, Role::Editor).await?;
    if assessment.rounds.iter().any(|r| r.id == round.id.trim()) {
        return Err(AppError::Conflict { message: format!("round \"{}\" exists already: give the new round another id", round.id.trim()), current: 0 });
    }
    let outcome = commit_checked(&state, id, user.session.user.id, |snapshot| {
        let current = snapshot.files.get("collaboration.toml").unwrap_or_default();
        let version = snapshot.versions.get("collaboration.toml").copied();
        Ok(vec![Change { path: "collaboration.toml".into(), expected: version, content: Some(with_round(current, &round)) }])
    })
    .await?;
    match outcome {
        Checked::Saved => Ok((StatusCode::CREATED, Json(json!({"id": round.id.trim(), "date": round.date.trim(), "open": false}))).into_response()),
        Checked::Refused(problems) => Err(AppError::Invalid(problems)),
    }
}

async fn api_open_round(State(state): State<AppState>, user: ApiUser, Path((id, round)): Path<(i64, String)>) -> Result<Response, AppError> {
    set_round_state(&state, user.session.user.id, id, &round, true).await?;
    Ok(Json(json!({"id": round, "open": true})).into_response())
}

async fn api_close_round(State(state): State<AppState>, user: ApiUser, Path((id, round)): Path<(i64, String)>) -> Result<Response, AppError> {
    set_round_state(&state, user.session.user.id, id, &round, false).await?;
    Ok(Json(json!({"id": round, "open": false})).into_response())
}

#[derive(Deserialize)]
struct LinksBody {
    respondents: Vec<Respondent>,
}

/// `POST /api/collaborations/{id}/rounds/{round}/links`: `{"respondents": [{"name", "organisation", "role"}]}` → `[{"respondent", "url"}]`.
async fn api_links(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: ApiUser,
    Path((id, round)): Path<(i64, String)>,
    JsonBody(body): JsonBody<LinksBody>,
) -> Result<Response, AppError> {
    let base = crate::html::base_url(&headers);
    let issued = issue_round_links(&state, user.session.user.id, id, &round, &base, &body.respondents).await?;
    Ok(Json(issued.into_iter().map(|(respondent, url)| json!({"respondent": respondent, "url": url})).collect::<Vec<_>>()).into_response())
}
