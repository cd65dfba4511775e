//! Signing in and out, session cookies, CSRF tokens and login rate limiting.
//!
//! A session is a random token in an `HttpOnly`, `SameSite=Lax` cookie; the
//! store keeps only its hash. Each session has a CSRF token: API calls that
//! change anything echo it in `X-CSRF-Token`, forms in a hidden `csrf` field.
//! Cross-site form posts are also refused by the `Origin` check in
//! [`crate::check_origin`].

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use collabmap_store::{NewSession, SESSION_LIFETIME, Session, User, decoy_hash, normalise_email, verify_password};

use crate::AppState;
use crate::error::AppError;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "collabmap_session";

/// Failed sign-ins allowed per address (and per client) in [`LOGIN_WINDOW`].
pub(crate) const MAX_FAILED_LOGINS: usize = 5;
/// The window over which failed sign-ins are counted.
pub(crate) const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The value of the session cookie, if the request has one.
pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty()).then(|| value.to_string())
    })
}

/// Compares two tokens in time that does not depend on where they differ.
pub(crate) fn same_token(given: &str, expected: &str) -> bool {
    given.len() == expected.len() && given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// A `Set-Cookie` value for a new session (or, with `None`, one that ends it).
pub(crate) fn session_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", SESSION_LIFETIME.as_secs()),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// Whether cookies must carry `Secure`: always when configured, and whenever
/// a reverse proxy says the client came over HTTPS.
pub(crate) fn wants_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies() || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// `Err(seconds to wait)` while any of `keys` has [`MAX_FAILED_LOGINS`]
/// failures within [`LOGIN_WINDOW`]. The failures are counted in the
/// database, so every server over it counts the same attempts.
async fn check_failures(state: &AppState, keys: &[String]) -> Result<(), AppError> {
    let now = crate::api::now_seconds();
    let window = LOGIN_WINDOW.as_secs() as i64;
    for (_, count, oldest) in state.store().login_failures_since(keys, now - window).await? {
        if count >= MAX_FAILED_LOGINS as i64 {
            return Err(AppError::TooManyAttempts((oldest + window - now).max(1) as u64));
        }
    }
    Ok(())
}

/// Records a failed sign-in against every key.
async fn record_failure(state: &AppState, keys: &[String]) -> Result<(), AppError> {
    let now = crate::api::now_seconds();
    state.store().record_login_failure(keys, now, now - LOGIN_WINDOW.as_secs() as i64).await?;
    Ok(())
}

/// Checks a password and starts a session, with rate limiting.
pub(crate) async fn sign_in(state: &AppState, email: &str, password: &str, client: Option<String>) -> Result<(User, NewSession), AppError> {
    let address_key = format!("address:{}", normalise_email(email));
    let mut keys = vec![address_key.clone()];
    keys.extend(client.map(|c| format!("client:{c}")));
    check_failures(state, &keys).await?;
    if password.chars().count() > collabmap_store::MAX_PASSWORD_CHARS {
        // No account has such a password, and hashing it would only burn time.
        record_failure(state, &keys).await?;
        return Err(AppError::Unauthorized);
    }
    let found = state.store().user_with_hash(email).await?;
    let password = password.to_string();
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, decoy_hash().to_string()),
    };
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await?;
    match user {
        Some(user) if matches => {
            state.store().forget_login_failures(&address_key).await?;
            let session = state.store().create_session(user.id).await?;
            Ok((user, session))
        }
        _ => {
            record_failure(state, &keys).await?;
            Err(AppError::Unauthorized)
        }
    }
}

/// The signed-in user of an API request. Requests that change anything must
/// also carry the session's CSRF token in `X-CSRF-Token`.
#[derive(Debug, Clone)]
pub(crate) struct ApiUser {
    /// The session.
    pub session: Session,
    /// The cookie value, to end the session.
    pub token: String,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or(AppError::Unauthorized)?;
        let session = state.store().session(&token).await?.ok_or(AppError::Unauthorized)?;
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let given = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
            if !same_token(given, &session.csrf) {
                return Err(AppError::Forbidden("missing or wrong X-CSRF-Token header: send the token that POST /api/login answered".into()));
            }
        }
        Ok(ApiUser { session, token })
    }
}

/// The signed-in user of a page; without a session the browser is sent to
/// the sign-in page and brought back afterwards.
#[derive(Debug, Clone)]
pub(crate) struct PageUser {
    /// The session.
    pub session: Session,
    /// The cookie value.
    pub token: String,
}

impl PageUser {
    /// Refuses a form whose hidden `csrf` field does not match the session.
    pub(crate) fn check_form(&self, given: &str) -> Result<(), AppError> {
        if same_token(given, &self.session.csrf) {
            Ok(())
        } else {
            Err(AppError::Forbidden("the form is out of date or came from another site: reload the page and try again".into()))
        }
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let found = match session_token(&parts.headers) {
            Some(token) => state.store().session(&token).await.map_err(|e| crate::html::error_page(AppError::from(e)))?.map(|s| (s, token)),
            None => None,
        };
        match found {
            Some((session, token)) => Ok(PageUser { session, token }),
            None => {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                Err(Redirect::to(&format!("/login?next={}", crate::html::url_encode(next))).into_response())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, format!("a=1; {COOKIE}=tok; b=2").parse().expect("header"));
        assert_eq!(session_token(&headers).as_deref(), Some("tok"));
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "abcd"));
    }
}
