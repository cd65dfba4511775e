//! Who may do what: the member's role in a study, checked before anything
//! of the study is read, and who is asking (for the sign-in limit).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use collabmap_store::Role;

use crate::AppState;
use crate::error::AppError;
use crate::views::StudyAtRevision;

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

/// The study, for a member with at least `need` (for helpers that serve
/// more than one route; a handler takes a [`Member`] instead).
pub(crate) async fn member_view(state: &AppState, user: i64, study: i64, need: Role) -> Result<(Role, Arc<StudyAtRevision>), AppError> {
    let role = member_role(state, user, study, need).await?;
    Ok((role, study_view(state, study).await?))
}

/// The least role a route needs, as a type, so that a handler's signature
/// says it: `Member<ApiUser, Editor>`.
pub(crate) trait Need: Send + Sync + 'static {
    /// The role.
    const ROLE: Role;
}

/// Any member: reading.
pub(crate) struct Viewer;
/// Changing the study's files.
pub(crate) struct Editor;
/// Managing members, deleting the study.
pub(crate) struct Owner;

impl Need for Viewer {
    const ROLE: Role = Role::Viewer;
}
impl Need for Editor {
    const ROLE: Role = Role::Editor;
}
impl Need for Owner {
    const ROLE: Role = Role::Owner;
}

/// Who is asking, from a session: an API caller or a page's reader.
pub(crate) trait SignedIn: Sized + Send {
    /// The session.
    fn session(&self) -> &collabmap_store::Session;
}

impl SignedIn for crate::auth::ApiUser {
    fn session(&self) -> &collabmap_store::Session {
        &self.session
    }
}

impl SignedIn for crate::auth::PageUser {
    fn session(&self) -> &collabmap_store::Session {
        &self.session
    }
}

/// A member of the study the route names (`{id}`) with at least the role
/// `N`: membership and role are checked here, once, before the handler runs
/// (a non-member gets the same 404 as a study that does not exist).
pub(crate) struct Member<U, N> {
    /// Who is asking.
    pub(crate) user: U,
    /// The study's id.
    pub(crate) id: i64,
    /// Their role in it (at least `N::ROLE`).
    pub(crate) role: Role,
    need: std::marker::PhantomData<N>,
}

impl<U, N> FromRequestParts<AppState> for Member<U, N>
where
    U: SignedIn + FromRequestParts<AppState>,
    U::Rejection: axum::response::IntoResponse,
    N: Need,
{
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse as _;
        let user = U::from_request_parts(parts, state).await.map_err(|rejection| rejection.into_response())?;
        let params = axum::extract::Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound.into_response())?;
        let id: i64 = params.get("id").and_then(|id| id.parse().ok()).ok_or_else(|| AppError::NotFound.into_response())?;
        let role = member_role(state, user.session().user.id, id, N::ROLE).await.map_err(|refusal| refusal.into_response())?;
        Ok(Member { user, id, role, need: std::marker::PhantomData })
    }
}

/// The study at its current revision, for a handler whose [`Member`] extractor has checked the role.
pub(crate) async fn study_view(state: &AppState, id: i64) -> Result<Arc<StudyAtRevision>, AppError> {
    state.views().get(state.store(), id).await
}

/// The study at `revision` (the current one when `None`), for a handler whose [`Member`] extractor has checked the role.
pub(crate) async fn study_view_at(state: &AppState, id: i64, revision: Option<i64>) -> Result<Arc<StudyAtRevision>, AppError> {
    match revision {
        None => study_view(state, id).await,
        Some(revision) => state.views().at(state.store(), id, revision).await,
    }
}

/// Parses a role name from a request.
pub(crate) fn parse_role(text: &str) -> Result<Role, AppError> {
    Role::parse(text).ok_or_else(|| AppError::BadRequest(format!("unknown role `{text}`: use owner, editor or viewer")))
}
