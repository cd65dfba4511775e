//! Signing in and out, from the API and the sign-in page, and administrators
//! adding accounts. Sessions, cookies, CSRF and the sign-in limit themselves
//! are `auth.rs`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::access::ClientAddr;
use crate::api::JsonBody;
use crate::auth::{ApiUser, PageUser, session_cookie, sign_in, wants_secure};
use crate::error::AppError;
use crate::html::{render, safe_next};
use crate::studies::CsrfForm;

/// The JSON API's routes of this feature.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new().route("/api/login", post(login)).route("/api/logout", post(logout)).route("/api/me", get(me)).route("/api/users", post(add_user))
}

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route("/login", get(login_page).post(login_form))
            .route("/logout", get(logout_page).post(logout_form))
            .route("/users", post(add_user_form)),
    )
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

async fn logout_form(State(state): State<AppState>, headers: HeaderMap, user: PageUser, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    user.check_form(&form.csrf)?;
    state.store().end_session(&user.token).await?;
    Ok(([(header::SET_COOKIE, session_cookie(None, wants_secure(&state, &headers)))], Redirect::to("/login")).into_response())
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
