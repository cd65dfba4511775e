//! Rich pictures from the interview: a photo of a drawing uploaded, or a
//! drawing made in the browser, kept without its metadata (GPS location and
//! the like), and added with the artist's explanation to the interview's
//! `# Pictures` section, as one revision.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use collabmap_exchange::picture::{MAX_PICTURE_BYTES, keep_picture};
use collabmap_store::{Change, Note, Role};
use serde_json::json;

use crate::AppState;
use crate::access::{Editor, Member, Viewer, member_role, study_view};
use crate::auth::{ApiUser, PageUser};
use crate::editor::commit_built;
use crate::error::AppError;
use crate::html::{render, url_encode};
use crate::views::Document;
use collabmap_study::is_interview_id;

/// A picture's form: the file, and room for the caption, the explanation and the form's token.
const MAX_PICTURE_FORM_BYTES: usize = MAX_PICTURE_BYTES + (64 << 10);

/// The JSON API's routes of this feature.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new().route("/api/studies/{id}/interviews/{interview}/pictures", post(upload).layer(DefaultBodyLimit::max(MAX_PICTURE_FORM_BYTES)))
}

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new().route("/studies/{id}/add-picture/{interview}", get(picture_page).post(upload_form).layer(DefaultBodyLimit::max(MAX_PICTURE_FORM_BYTES))),
    )
}

/// What a picture's form sent.
#[derive(Default)]
struct PictureForm {
    file: Vec<u8>,
    caption: String,
    explanation: String,
    csrf: String,
}

/// Reads the form's fields: `file`, `caption`, `explanation` and (pages) `csrf`.
async fn read_form(mut multipart: Multipart) -> Result<PictureForm, AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(MAX_PICTURE_FORM_BYTES),
        _ => AppError::BadRequest(format!("the form cannot be read: {e}")),
    };
    let mut form = PictureForm::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(unreadable)?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "file" => form.file = bytes.to_vec(),
            "caption" => form.caption = text(),
            "explanation" => form.explanation = text(),
            "csrf" => form.csrf = text(),
            _ => {}
        }
    }
    if form.file.is_empty() {
        return Err(AppError::BadRequest("choose a photo (PNG or JPEG) or make a drawing: the form sent no picture".into()));
    }
    Ok(form)
}

/// Keeps the picture and adds it to the interview `name`, as one revision
/// checked like any save: the path it was stored at.
async fn add_picture(state: &AppState, user: i64, id: i64, name: &str, form: PictureForm) -> Result<String, AppError> {
    member_role(state, user, id, Role::Editor).await?;
    if !is_interview_id(name) {
        return Err(AppError::NotFound);
    }
    let kept = tokio::task::spawn_blocking(move || keep_picture(&form.file).map(|kept| (kept, form.caption, form.explanation)))
        .await?
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let (picture, caption, explanation) = kept;
    let caption = if caption.trim().is_empty() { "Rich picture".to_string() } else { caption };
    let note = Note { message: Some(format!("Added a rich picture to interview {name}")), ..Note::default() };
    let (_, changes) = commit_built(state, user, id, &note, "the picture could not be added: the study kept changing; send it again", |view| {
        let interview = Document::Interview(name.to_string()).read(view)?;
        if !interview.exists {
            return Err(AppError::NotFound);
        }
        let path = (1..).map(|n| format!("pictures/{name}-{n}.{}", picture.extension)).find(|p| view.files.get(p).is_none()).unwrap_or_default();
        let text = collabmap_study::edit::add_picture(&interview.text, &caption, &path, &explanation);
        Ok((
            vec![
                Change { path, expected: None, content: Some(picture.bytes.clone()) },
                Change { path: interview.path, expected: Some(interview.version), content: Some(text.into_bytes()) },
            ],
            None,
        ))
    })
    .await?;
    // The picture is the first change, as built above.
    Ok(changes.into_iter().next().map(|c| c.path).unwrap_or_default())
}

async fn upload(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<ApiUser, Editor>,
    Path((_, interview)): Path<(i64, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = read_form(multipart).await?;
    let path = add_picture(&state, user.session.user.id, id, &interview, form).await?;
    Ok((StatusCode::CREATED, Json(json!({"path": path}))).into_response())
}

async fn upload_form(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<PageUser, Editor>,
    Path((_, interview)): Path<(i64, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = read_form(multipart).await?;
    user.check_form(&form.csrf)?;
    add_picture(&state, user.session.user.id, id, &interview, form).await?;
    Ok(Redirect::to(&format!("/studies/{id}/interviews/{}.html#pictures", url_encode(&interview))).into_response())
}

#[derive(Template)]
#[template(path = "pictures.html")]
struct PicturePage {
    id: i64,
    title: String,
    interview: String,
    can_edit: bool,
    csrf: String,
    signed_in: bool,
}

/// The page to add a rich picture: upload a photo, or draw one.
async fn picture_page(
    State(state): State<AppState>,
    Member { user, id, role, .. }: Member<PageUser, Viewer>,
    Path((_, interview)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    if !Document::Interview(interview.clone()).read(&view)?.exists {
        return Err(AppError::NotFound);
    }
    Ok(render(&PicturePage { id, title: view.title.clone(), interview, can_edit: role.can_edit(), csrf: user.session.csrf.clone(), signed_in: true }))
}
