//! Refusals, as JSON for the API and as pages for the browser.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use collabmap_store::StoreError;
use collabmap_study::Problem;
use serde_json::json;

/// Why a request was refused. Every variant says what to do next.
#[derive(Debug)]
pub enum AppError {
    /// No session, or it expired: sign in.
    Unauthorized,
    /// Signed in, but the role does not allow it, or the CSRF token is missing.
    Forbidden(String),
    /// No such thing, or the user is not a member (the two look the same on purpose).
    NotFound,
    /// Someone saved in between; `current` is the version now (0: the file is gone).
    Conflict {
        /// What happened.
        message: String,
        /// The version now.
        current: i64,
    },
    /// The new text has problems; nothing was saved.
    Invalid(Vec<Problem>),
    /// The request itself is malformed.
    BadRequest(String),
    /// Too many failed sign-ins; try again after this many seconds.
    TooManyAttempts(u64),
    /// Something broke on our side.
    Internal(String),
    /// The server is busy with others of the same kind (uploads); try again soon.
    Busy(String),
    /// The body is larger than this route takes (its limit in bytes).
    TooLarge(usize),
}

impl AppError {
    /// The HTTP status of the refusal.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    /// The refusal in words, for the person who made the request. An
    /// internal failure is logged here with a fresh reference, and the
    /// answer carries only that reference: the details (a database error, a
    /// path) are for whoever runs the server, who finds them by it.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(detail) => {
                let reference = format!("{:08x}", rand::random::<u32>());
                tracing::error!(reference = %reference, "{detail}");
                format!("something went wrong on the server (reference {reference}); it is in the server's log under that reference")
            }
            other => other.message(),
        }
    }

    /// The refusal in words (an internal failure without its details; see [`AppError::public_message`]).
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthorized => "sign in first: POST /api/login with your e-mail and password".into(),
            AppError::Forbidden(message) | AppError::BadRequest(message) | AppError::Busy(message) => message.clone(),
            // The details (a database error, a path) are for the log, not for the client.
            AppError::Internal(_) => "something went wrong on the server; the details are in its log".into(),
            AppError::NotFound => "not found (or you are not a member of this study)".into(),
            AppError::Conflict { message, .. } => message.clone(),
            AppError::Invalid(problems) => format!("{} problem{} found; nothing was saved", problems.len(), if problems.len() == 1 { "" } else { "s" }),
            AppError::TooManyAttempts(seconds) => format!("too many failed sign-ins; try again in {} minutes", seconds.div_ceil(60)),
            AppError::TooLarge(limit) => format!("the request is larger than this address takes ({} KiB at most)", limit >> 10),
        }
    }
}

/// Problems as the API gives them: file, line, message, and the one-line form.
pub(crate) fn problems_json(problems: &[Problem]) -> serde_json::Value {
    problems.iter().map(|p| json!({"path": p.path, "line": p.line, "message": p.message, "text": p.to_string()})).collect()
}

/// A refusal's words for a page, carried on the JSON answer so that a page
/// route can show them as a page instead (the same words, the same reference).
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    /// The message, problems one per line.
    pub(crate) message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::TooLarge(limit) = &self {
            tracing::debug!("refused a body over {limit} bytes");
        }
        let message = self.public_message();
        let mut body = json!({"error": message});
        match &self {
            AppError::Conflict { current, .. } => body["version"] = json!(current),
            AppError::Invalid(problems) => body["problems"] = problems_json(problems),
            _ => {}
        }
        // What a page shows instead, should the route be a page (see `html::as_pages`).
        let for_page = match &self {
            AppError::Invalid(problems) => problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
            _ => message,
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        response.extensions_mut().insert(Refusal { message: for_page });
        if let AppError::TooManyAttempts(seconds) = self
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(message) | StoreError::Address(message) => AppError::BadRequest(message),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<collabmap_analysis::search::SearchError> for AppError {
    fn from(error: collabmap_analysis::search::SearchError) -> Self {
        AppError::BadRequest(error.to_string())
    }
}

impl From<collabmap_study::UnknownCode> for AppError {
    fn from(error: collabmap_study::UnknownCode) -> Self {
        AppError::BadRequest(error.to_string())
    }
}

impl From<collabmap_study::csv_out::CsvError> for AppError {
    fn from(error: collabmap_study::csv_out::CsvError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl From<collabmap_exchange::ExchangeError> for AppError {
    /// What the person sent could not be read (the server's own writing failures are internal).
    fn from(error: collabmap_exchange::ExchangeError) -> Self {
        match error {
            collabmap_exchange::ExchangeError::Write(_) | collabmap_exchange::ExchangeError::Csv(_) => AppError::Internal(error.to_string()),
            other => AppError::BadRequest(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("a background task failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    #[tokio::test]
    async fn an_internal_failure_answers_with_a_reference_and_never_its_details() {
        let detail = "error returned from database: password authentication failed for user \"collabmap\"";
        let response = AppError::Internal(detail.into()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = String::from_utf8(response.into_body().collect().await.expect("body").to_bytes().to_vec()).expect("utf-8");
        assert!(!body.contains("password") && !body.contains("database"), "{body}");
        let reference = body.split("reference ").nth(1).map(|r| r.chars().take_while(char::is_ascii_hexdigit).count());
        assert_eq!(reference, Some(8), "an 8-digit reference to find the details in the log: {body}");
        let first = AppError::Internal(detail.into()).public_message();
        assert_ne!(first, AppError::Internal(detail.into()).public_message(), "each failure gets its own reference");
    }
}
