//! The JSON API, described by `/api/openapi.json`.
//!
//! Rules every handler keeps: no session → 401; a study the user is not a
//! member of → 404 (whether or not it exists); a role too low → 403; a
//! state-changing request without the session's `X-CSRF-Token` → 403; a
//! stale version → 409; text with problems → 422 and nothing saved.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::AppError;

/// The OpenAPI document of this API.
pub(crate) const OPENAPI: &str = include_str!("../assets/openapi.json");

/// The API's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi))
}

/// A JSON body whose refusal is a 400 with a readable message (axum's own
/// would be a 422, which this API keeps for study problems).
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::TooLarge(0)),
            Err(rejection) => Err(AppError::BadRequest(match rejection {
                JsonRejection::MissingJsonContentType(_) => "send the body as JSON, with Content-Type: application/json".into(),
                other => format!("the JSON body is not what this endpoint takes: {}", other.body_text()),
            })),
        }
    }
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Seconds since 1970, now.
pub(crate) fn now_seconds() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub(crate) fn today() -> String {
    iso_time(now_seconds())[..10].to_string()
}

/// Seconds since 1970 as UTC `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn iso_time(seconds: i64) -> String {
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm): no calendar crate for one line.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}
