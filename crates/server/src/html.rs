//! Answers as HTML pages: a template rendered, a message, a refusal as a
//! page, and the small helpers pages and sign-in share.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppError;

/// Percent-encodes `text` for a query string.
pub(crate) fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Where to go after signing in: only a path on this site. Browsers drop
/// tabs and line breaks from addresses and read `\\` as `/`, so `/\t/host`
/// and `/\\host` lead to another host; any control character, white space,
/// backslash, a second leading slash or a scheme sends the user home instead.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next) if next.starts_with('/') && !next.starts_with("//") && !next.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') => {
            next.to_string()
        }
        _ => "/".to_string(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    title: String,
    message: String,
    signed_in: bool,
}

/// A refusal as a page.
pub(crate) fn error_page(error: AppError) -> Response {
    let title = match error.status() {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::CONFLICT => "Changed meanwhile",
        StatusCode::UNPROCESSABLE_ENTITY => "Problems found",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        StatusCode::INTERNAL_SERVER_ERROR => "Something went wrong",
        _ => "Cannot do that",
    };
    let message = match &error {
        AppError::Invalid(problems) => problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        other => other.public_message(),
    };
    message_page(error.status(), title, &message, true)
}

/// A page with a title and a message, for refusals and notices.
pub(crate) fn message_page(status: StatusCode, title: &str, message: &str, signed_in: bool) -> Response {
    (status, render(&MessagePage { title: title.into(), message: message.into(), signed_in })).into_response()
}

/// A template as an HTML response.
pub(crate) fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!("cannot render a page: {error}");
            (StatusCode::INTERNAL_SERVER_ERROR, "cannot render the page").into_response()
        }
    }
}
