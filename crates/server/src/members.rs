//! Who belongs to a study: listing members, adding one or changing a role,
//! and removing one (owners), through the API and the members page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::access::parse_role;
use crate::access::{Member, Owner, Viewer, study_view};
use crate::api::JsonBody;
use crate::auth::{ApiUser, PageUser};
use crate::error::AppError;
use crate::html::render;

/// The JSON API's routes of this feature.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/studies/{id}/members", get(list_members).post(add_member))
        .route("/api/studies/{id}/members/{email}", axum::routing::delete(remove_member))
}

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new().route("/studies/{id}/members", get(members_page).post(member_form)).route("/studies/{id}/members/remove", post(remove_member_form)),
    )
}

async fn list_members(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>) -> Result<Json<serde_json::Value>, AppError> {
    let members = state.store().members(id).await?;
    Ok(Json(members.iter().map(|m| json!({"email": m.email, "role": m.role.as_str()})).collect()))
}

#[derive(Deserialize)]
struct MemberBody {
    email: String,
    role: String,
}

async fn add_member(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Owner>,
    JsonBody(body): JsonBody<MemberBody>,
) -> Result<Response, AppError> {
    let role = parse_role(&body.role)?;
    state.store().set_member(id, &body.email, role).await?;
    Ok((StatusCode::CREATED, Json(json!({"email": collabmap_store::normalise_email(&body.email), "role": role.as_str()}))).into_response())
}

async fn remove_member(
    State(state): State<AppState>,
    Member { id, .. }: Member<ApiUser, Owner>,
    Path((_, email)): Path<(i64, String)>,
) -> Result<StatusCode, AppError> {
    if state.store().remove_member(id, &email).await? { Ok(StatusCode::NO_CONTENT) } else { Err(AppError::NotFound) }
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    id: i64,
    title: String,
    members: Vec<(String, &'static str)>,
    can_manage: bool,
    csrf: String,
    signed_in: bool,
}

async fn members_page(State(state): State<AppState>, Member { user, id, role, .. }: Member<PageUser, Viewer>) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    let members = state.store().members(id).await?.into_iter().map(|m| (m.email, m.role.as_str())).collect();
    Ok(render(&MembersPage { id, title: view.title.clone(), members, can_manage: role.can_manage(), csrf: user.session.csrf.clone(), signed_in: true }))
}

#[derive(Deserialize)]
struct MemberForm {
    csrf: String,
    email: String,
    role: String,
}

async fn member_form(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<PageUser, Owner>,
    Form(form): Form<MemberForm>,
) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    state.store().set_member(id, &form.email, parse_role(&form.role)?).await?;
    Ok(Redirect::to(&format!("/studies/{id}/members")).into_response())
}

#[derive(Deserialize)]
struct RemoveForm {
    csrf: String,
    email: String,
}

async fn remove_member_form(
    State(state): State<AppState>,
    Member { user, id, .. }: Member<PageUser, Owner>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    state.store().remove_member(id, &form.email).await?;
    Ok(Redirect::to(&format!("/studies/{id}/members")).into_response())
}
