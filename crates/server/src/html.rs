//! Answers as HTML pages: a template rendered, a message, a refusal as a
//! page, and the small helpers pages and sign-in share.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::{AppError, Refusal};

/// A study's pages in the workspace, for `study_nav.html`: the same list its report pages show.
pub(crate) use collabmap_render::nav::WORKSPACE_NAV;

/// Percent-encodes `text` for a query string.
pub(crate) fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The values of `key` in a query string given as pairs, trimmed, empty ones left out.
pub(crate) fn values_of(query: &[(String, String)], key: &str) -> Vec<String> {
    query.iter().filter(|(k, _)| k == key).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty()).collect()
}

/// Links to a list's pages for `page_links.html`: (label, address, whether
/// it is the page shown): First and Previous, "Page N of M", Next and Last.
pub(crate) fn page_links(current: usize, total: usize, link_of: &dyn Fn(usize) -> String) -> Vec<(String, String, bool)> {
    let mut links = Vec::new();
    if current > 1 {
        links.push(("First".to_string(), link_of(1), false));
        links.push(("Previous".to_string(), link_of(current - 1), false));
    }
    links.push((format!("Page {current} of {total}"), link_of(current), true));
    if current < total {
        links.push(("Next".to_string(), link_of(current + 1), false));
        links.push(("Last".to_string(), link_of(total), false));
    }
    links
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
    /// The first line of the message: what happened.
    lead: Vec<Segment>,
    /// Its other lines (a refused save's problems, one each).
    details: Vec<Vec<Segment>>,
    /// What to do next, by the kind of refusal.
    next: &'static str,
    signed_in: bool,
}

/// A piece of a message line: words, or a name quoted in `backticks` (a
/// file, an id, a command), shown as code rather than with its backticks.
pub(crate) struct Segment {
    text: String,
    code: bool,
}

/// A message line split at its backticks.
fn segments(line: &str) -> Vec<Segment> {
    line.split('`').enumerate().filter(|(_, part)| !part.is_empty()).map(|(i, part)| Segment { text: part.to_string(), code: i % 2 == 1 }).collect()
}

/// What a person can do after a refusal of this kind.
fn next_step(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Check the address, or go back to your studies and open it from there; a study you are not a member of is not shown.",
        StatusCode::FORBIDDEN => "Ask an owner of the study for the role you need, or reload the page if a form was open for a long time.",
        StatusCode::CONFLICT => "Go back, reload the page to see what changed, and make your change again.",
        StatusCode::UNPROCESSABLE_ENTITY => "Go back, fix each line named above, and save again: nothing was stored.",
        StatusCode::TOO_MANY_REQUESTS => "Wait a little and try again.",
        StatusCode::BAD_REQUEST => "Go back and change what is named above.",
        _ => "Try again in a moment. If it keeps happening, tell whoever runs this workspace, with the time it happened.",
    }
}

/// A refusal as a page.
pub(crate) fn error_page(error: AppError) -> Response {
    refusal_page(error.into_response())
}

#[derive(Template)]
#[template(path = "respondent_message.html")]
struct RespondentMessage {
    title: String,
    message: String,
    signed_in: bool,
}

/// A page for someone who answers through a link and has no account (a
/// survey respondent, an interviewee): what happened and what to do next,
/// with no way into a workspace they cannot use.
pub(crate) fn respondent_page(status: StatusCode, title: &str, message: &str) -> Response {
    (status, render(&RespondentMessage { title: title.into(), message: message.into(), signed_in: false })).into_response()
}

/// A refusal for someone without an account: [`error_page`]'s words, on [`respondent_page`].
pub(crate) fn respondent_error(error: AppError) -> Response {
    let response = error.into_response();
    let status = response.status();
    match response.extensions().get::<Refusal>() {
        Some(refusal) => respondent_page(status, refusal_title(status), &refusal.message),
        None => response,
    }
}

/// The title of a refusal page, by its status.
fn refusal_title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::CONFLICT => "Changed meanwhile",
        StatusCode::UNPROCESSABLE_ENTITY => "Problems found",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        StatusCode::INTERNAL_SERVER_ERROR => "Something went wrong",
        _ => "Cannot do that",
    }
}

/// An answer that carries a [`Refusal`] made into a page with the same
/// status, words and `Retry-After`; any other answer unchanged.
fn refusal_page(response: Response) -> Response {
    let Some(refusal) = response.extensions().get::<Refusal>().cloned() else { return response };
    let status = response.status();
    let mut page = message_page(status, refusal_title(status), &refusal.message, true);
    if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
        page.headers_mut().insert(header::RETRY_AFTER, retry.clone());
    }
    page
}

/// Page routes: a handler returns `Err(AppError)` with `?` like an API
/// handler does, and the person sees a page, not JSON. Every room's
/// `page_routes()` ends with this.
pub(crate) fn as_pages(routes: axum::Router<crate::AppState>) -> axum::Router<crate::AppState> {
    routes.layer(axum::middleware::map_response(refusals_as_pages))
}

/// The layer [`as_pages`] adds.
async fn refusals_as_pages(response: Response) -> Response {
    refusal_page(response)
}

/// A page with a title and a message, for refusals and notices.
pub(crate) fn message_page(status: StatusCode, title: &str, message: &str, signed_in: bool) -> Response {
    let mut lines = message.lines().filter(|l| !l.trim().is_empty());
    let lead = segments(lines.next().unwrap_or(""));
    let details = lines.map(segments).collect();
    (status, render(&MessagePage { title: title.into(), lead, details, next: next_step(status), signed_in })).into_response()
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

/// The address people will open, from the request (and the proxy's scheme):
/// the start of the links handed to people without an account.
pub(crate) fn base_url(headers: &axum::http::HeaderMap) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}")
}

/// How many of a refused save's problems a form lists at its top.
const PROBLEMS_LISTED: usize = 20;

/// A refused save's problems as a form's error summary lists them: the
/// first twenty, then how many more there are (a save that breaks a
/// thousand lines at once needs the first few to be understood).
pub(crate) fn problem_summary(problems: &[collabmap_study::Problem]) -> Vec<String> {
    let mut listed: Vec<String> = problems.iter().take(PROBLEMS_LISTED).map(ToString::to_string).collect();
    if problems.len() > PROBLEMS_LISTED {
        listed.push(format!("… and {} more problems like these.", problems.len() - PROBLEMS_LISTED));
    }
    listed
}
