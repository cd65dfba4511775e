//! Who may do what: the member's role in a study, checked before anything
//! of the study is read, and who is asking (for the sign-in limit).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use collabmap_store::Role;

use crate::AppState;
use crate::error::AppError;
use crate::views::StudyView;

/// Who is asking, for rate limiting: the peer address, or, only when the
/// server was told it stands behind a proxy (`--trust-proxy`), the address
/// the proxy names last in `X-Forwarded-For` (the one it saw itself: the
/// earlier ones are the client's to invent).
pub(crate) struct ClientAddr(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .trust_proxy()
            .then(|| parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.rsplit(',').next()).map(|v| v.trim().to_string()))
            .flatten()
            .filter(|v| !v.is_empty());
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientAddr(forwarded.or(peer)))
    }
}

/// The member's role in `study`, refused when lower than `need`.
pub(crate) async fn member_role(state: &AppState, user: i64, study: i64, need: Role) -> Result<Role, AppError> {
    let role = state.store().role(study, user).await?.ok_or(AppError::NotFound)?;
    if role < need {
        return Err(AppError::Forbidden(format!("this needs the {} role in the study; you are a {}", need.as_str(), role.as_str())));
    }
    Ok(role)
}

/// The study, for a member with at least `need`.
pub(crate) async fn member_view(state: &AppState, user: i64, study: i64, need: Role) -> Result<(Role, Arc<StudyView>), AppError> {
    member_view_at(state, user, study, need, None).await
}

/// The study as it was at `revision` (the current one when `None`), for a member with at least `need`.
pub(crate) async fn member_view_at(state: &AppState, user: i64, study: i64, need: Role, revision: Option<i64>) -> Result<(Role, Arc<StudyView>), AppError> {
    let role = member_role(state, user, study, need).await?;
    let view = match revision {
        None => state.views().get(state.store(), study).await?,
        Some(revision) => state.views().at(state.store(), study, revision).await?,
    };
    Ok((role, view))
}

/// Parses a role name from a request.
pub(crate) fn parse_role(text: &str) -> Result<Role, AppError> {
    Role::parse(text).ok_or_else(|| AppError::BadRequest(format!("unknown role `{text}`: use owner, editor or viewer")))
}
