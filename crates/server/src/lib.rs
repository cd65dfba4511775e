//! The web workspace: server-rendered pages and a JSON API over the store.
//!
//! Requests flow one way: a handler checks the session and the member's
//! role, asks [`views::Views`] for the study at its current revision (parsed
//! and analysed once, shared by every reader), and renders pages with the
//! same templates as the static report. Saves are validated with the study
//! parser before the store commits them in one transaction.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderValue;
use axum::http::{Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use collabmap_store::{Kind, Store, StoreError};
use collabmap_study::assessment::load_assessment;
use collabmap_study::{MemoryFiles, load_from};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

mod access;
mod api;
pub mod archive;
mod auth;
mod capture;
mod checkback;
mod collaborations;
mod editor;
mod error;
mod exports;
mod forms;
mod history;
mod html;
mod members;
mod memos;
mod picker;
mod pictures;
mod signin;
mod studies;
mod survey;
mod views;

pub use error::AppError;
pub use html::safe_next;

use views::Views;

/// How the server behaves beyond its database.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Mark session cookies `Secure` on every response (set it when the
    /// workspace is reached over HTTPS without a proxy that says so).
    pub secure_cookies: bool,
    /// Believe the `X-Forwarded-For` header for the client's address (set it
    /// only behind a reverse proxy that sets the header itself; otherwise any
    /// client could name another address and escape the sign-in limit).
    pub trust_proxy: bool,
}

struct Inner {
    store: Store,
    views: Views,
    options: Options,
    uploads: tokio::sync::Semaphore,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    /// A state over `store`.
    pub fn new(store: Store, options: Options) -> Self {
        AppState { inner: Arc::new(Inner { store, views: Views::default(), options, uploads: tokio::sync::Semaphore::new(UPLOADS_AT_ONCE) }) }
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Parsed studies.
    pub fn views(&self) -> &Views {
        &self.inner.views
    }

    /// Whether cookies are always `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.inner.options.secure_cookies
    }

    /// Whether `X-Forwarded-For` names the client.
    pub fn trust_proxy(&self) -> bool {
        self.inner.options.trust_proxy
    }

    /// A place for one upload, or a refusal while [`UPLOADS_AT_ONCE`] are already being read.
    pub fn upload_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, error::AppError> {
        self.inner.uploads.try_acquire().map_err(|_| error::AppError::Busy("other uploads are being read; try again in a minute".into()))
    }
}

/// Largest upload accepted (a zipped study, a REFI-QDA project), streamed to a temporary file.
pub const MAX_UPLOAD_BYTES: usize = 256 << 20;
/// Largest body of a document save (an interview may be 16 MiB, and JSON escapes it).
pub const MAX_DOCUMENT_BYTES: usize = 40 << 20;
/// Largest live-preview body: one interview being typed.
pub const MAX_PREVIEW_BYTES: usize = 2 << 20;
/// Largest body of everything else: sign-in, survey answers, forms.
pub const MAX_FORM_BYTES: usize = 64 << 10;
/// Uploads read at once; each may expand to a whole study.
pub const UPLOADS_AT_ONCE: usize = 2;

/// The Content-Security-Policy of every page: scripts and styles only from
/// the workspace's own files (nothing inline), no framing, forms only to itself.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// The policy of a study's own pictures: an SVG opened on its own runs nothing.
pub const PICTURE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'";

/// The whole application: pages, API and assets.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(studies::api_routes())
        .merge(studies::page_routes())
        .merge(collaborations::api_routes())
        .merge(collaborations::routes())
        .merge(survey::routes())
        .merge(memos::api_routes())
        .merge(memos::page_routes())
        .merge(editor::api_routes())
        .merge(forms::page_routes())
        .merge(editor::page_routes())
        .merge(capture::api_routes())
        .merge(capture::page_routes())
        .merge(checkback::api_routes())
        .merge(checkback::page_routes())
        .merge(pictures::api_routes())
        .merge(pictures::page_routes())
        .merge(signin::api_routes())
        .merge(signin::page_routes())
        .merge(history::api_routes())
        .merge(history::page_routes())
        .merge(members::api_routes())
        .merge(members::page_routes())
        .merge(exports::api_routes())
        .merge(exports::page_routes())
        .layer(middleware::from_fn(check_origin))
        .layer(middleware::from_fn(security_headers))
        // Routes that take more say so themselves; this is the limit of all the others.
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        // Browsers must not guess types (an uploaded picture stays a picture), frame the workspace, or leak its addresses.
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Headers every answer carries: a strict Content-Security-Policy (unless
/// the handler set its own, as pictures do), and `Cache-Control: no-store`
/// on everything but the workspace's own assets, since pages, API answers
/// and exports carry people's words.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_POLICY));
    }
    if !asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses state-changing requests sent by another site: a browser always
/// names the page's origin, and it must be this server.
pub async fn check_origin(request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && let Some(origin) = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok())
    {
        let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        // `null` (a sandboxed frame, a privacy redirect) is refused too: the workspace's own pages always name themselves.
        if origin_host != host {
            return AppError::Forbidden(format!("cross-site request refused: the page came from {origin}, not from this workspace")).into_response();
        }
    }
    next.run(request).await
}

/// Why [`import_study`] stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The files have these problems, each with its file and line.
    #[error("{} problem(s) found; nothing was stored", .0.len())]
    Problems(Vec<collabmap_study::Problem>),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The check itself could not run.
    #[error("{0}")]
    Failed(String),
}

impl From<ImportError> for AppError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Problems(problems) => AppError::Invalid(problems),
            ImportError::Store(error) => error.into(),
            ImportError::Failed(detail) => AppError::Internal(detail),
        }
    }
}

/// Stores `files` as a new study (or, when they hold `collaboration.toml`
/// and no `study.toml`, a collaboration to assess) owned by `owner`, after
/// checking them. Returns the id, or the problems that refused it.
pub async fn import_study(store: &Store, owner: i64, files: MemoryFiles) -> Result<i64, ImportError> {
    let collaboration = files.get("study.toml").is_none() && files.get("collaboration.toml").is_some();
    // Only pictures may be served from a study, so only picture types may sit under pictures/, at any depth.
    let not_pictures: Vec<collabmap_study::Problem> = files
        .iter()
        .map(|(path, _)| path)
        .filter(|path| path.starts_with("pictures/") && collabmap_study::files::picture_media_type(path).is_none())
        .map(|path| collabmap_study::Problem::new(path, 1, collabmap_study::files::not_a_picture(path)))
        .collect();
    if !not_pictures.is_empty() {
        return Err(ImportError::Problems(not_pictures));
    }
    let (files, title, problems) = tokio::task::spawn_blocking(move || {
        if collaboration {
            let (assessment, problems) = load_assessment(&files);
            (files, assessment.name, problems)
        } else {
            let loaded = load_from(&files);
            (files, loaded.study.config.title, loaded.problems)
        }
    })
    .await
    .map_err(|e| ImportError::Failed(format!("checking the study failed: {e}")))?;
    if !problems.is_empty() {
        return Err(ImportError::Problems(problems));
    }
    let (kind, fallback) = if collaboration { (Kind::Collaboration, "Untitled collaboration") } else { (Kind::Study, "Untitled study") };
    let title = if title.trim().is_empty() { fallback.to_string() } else { title };
    Ok(store.create_folder(owner, &title, &files, kind).await?)
}

/// The demo account `serve --demo` creates and prints.
pub const DEMO_EMAIL: &str = "demo@collabmap.local";
/// Its password: the demo is for a person trying collabmap on their own
/// machine (the server binds to loopback by default), so it is printed.
pub const DEMO_PASSWORD: &str = "collabmap-demo";

/// Makes sure the demo account exists and owns the default synthetic study.
pub async fn ensure_demo(store: &Store) -> Result<(), StoreError> {
    let user = match store.user_by_email(DEMO_EMAIL).await? {
        Some(user) => user,
        None => store.add_user(DEMO_EMAIL, DEMO_PASSWORD, true).await?,
    };
    if store.studies_of(user.id).await?.is_empty() {
        let files = tokio::task::spawn_blocking(|| {
            let study = collabmap_synth::generate(69, 2011, &mut |_, _| {});
            collabmap_study::write::study_files(&study)
        })
        .await
        .map_err(|e| StoreError::Refused(e.to_string()))?
        .map_err(|e| StoreError::Refused(format!("cannot write the demo study: {e}")))?;
        import_study(store, user.id, files).await.map_err(|e| match e {
            ImportError::Store(error) => error,
            other => StoreError::Refused(format!("cannot store the demo study: {other}")),
        })?;
    }
    Ok(())
}

/// Serves the workspace on `listener` until Ctrl-C or SIGTERM, then lets
/// requests in flight finish.
pub async fn serve(store: Store, listener: tokio::net::TcpListener, options: Options) -> std::io::Result<()> {
    let app = router(AppState::new(store.clone(), options));
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
