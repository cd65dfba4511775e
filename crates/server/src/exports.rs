//! Taking a study out: its folder as a zip, and the formats other tools read
//! (REFI-QDA, networks, tidy tables), from the API and the "Other tools" page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::AppState;
use crate::access::{Member, Viewer, study_view, study_view_at};
use crate::archive::zip_response;
use crate::auth::{ApiUser, PageUser};
use crate::error::AppError;
use crate::html::render;
use crate::studies::RevisionQuery;

/// The JSON API's routes of this feature.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new().route("/api/studies/{id}/export", get(export))
}

/// The pages' routes of this feature; a refusal shows as a page.
pub(crate) fn page_routes() -> Router<AppState> {
    crate::html::as_pages(
        Router::new()
            .route("/studies/{id}/export.zip", get(export_zip))
            .route("/studies/{id}/export/{format}", get(export_format))
            .route("/studies/{id}/exchange", get(exchange_page)),
    )
}

/// The study's folder as a zip, now or at `?revision=N`.
async fn export(State(state): State<AppState>, Member { id, .. }: Member<ApiUser, Viewer>, Query(at): Query<RevisionQuery>) -> Result<Response, AppError> {
    let view = study_view_at(&state, id, at.revision).await?;
    zip_response(view).await
}

async fn export_zip(State(state): State<AppState>, Member { id, .. }: Member<PageUser, Viewer>) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    zip_response(view).await
}

#[derive(Template)]
#[template(path = "exchange.html")]
struct ExchangePage {
    id: i64,
    title: String,
    signed_in: bool,
}

async fn exchange_page(State(state): State<AppState>, Member { id, .. }: Member<PageUser, Viewer>) -> Result<Response, AppError> {
    let view = study_view(&state, id).await?;
    Ok(render(&ExchangePage { id, title: view.title.clone(), signed_in: true }))
}

#[derive(Deserialize)]
struct GraphQuery {
    graph: Option<String>,
}

/// A file to download: its bytes, media type and file-name extension.
struct Download {
    bytes: Vec<u8>,
    media_type: &'static str,
    extension: &'static str,
}

/// The study in `format` (`qdpx`, `qdc`, `graphml`, `gexf`, `dot`, `csv`), or
/// `None` for a format there is none of.
fn converted_to(view: &crate::views::StudyAtRevision, format: &str, network: collabmap_exchange::graph::Network) -> Result<Option<Download>, AppError> {
    use collabmap_exchange::graph;
    let Some(analysis) = &view.analysis else { return Ok(None) };
    let (study, synthesis, model) = (&view.study, &analysis.synthesis, &analysis.model);
    let (bytes, media_type, extension) = match format {
        "qdpx" => (collabmap_exchange::refi::project_qdpx(study, &synthesis.coding)?, "application/zip", "qdpx"),
        "qdc" => (collabmap_exchange::refi::codebook_qdc(study).into_bytes(), "application/xml", "qdc"),
        "graphml" => (graph::graphml(study, synthesis, model, network).into_bytes(), "application/xml", "graphml"),
        "gexf" => (graph::gexf(study, synthesis, model, network).into_bytes(), "application/xml", "gexf"),
        "dot" => (graph::dot(study, synthesis, model, network).into_bytes(), "text/vnd.graphviz", "dot"),
        "csv" => {
            let mut files = collabmap_study::MemoryFiles::new();
            for (name, text) in collabmap_exchange::tables::tidy_tables(study, synthesis, model)? {
                files.insert(name, text.into_bytes());
            }
            (collabmap_exchange::archive::write_zip(&files)?, "application/zip", "zip")
        }
        _ => return Ok(None),
    };
    Ok(Some(Download { bytes, media_type, extension }))
}

/// The study in another tool's format: REFI-QDA, a network, or tidy tables (zipped).
async fn export_format(
    State(state): State<AppState>,
    Member { id, .. }: Member<PageUser, Viewer>,
    Path((_, format)): Path<(i64, String)>,
    Query(query): Query<GraphQuery>,
) -> Result<Response, AppError> {
    use collabmap_exchange::graph::Network;
    let view = study_view(&state, id).await?;
    if view.analysis.is_none() {
        return Err(AppError::Invalid(view.problems.clone()));
    }
    let network = if query.graph.as_deref() == Some("concepts") { Network::Concepts } else { Network::Themes };
    // Writing a project or a network is CPU work that grows with the study: off the async threads.
    let converted = tokio::task::spawn_blocking(move || converted_to(&view, &format, network)).await??;
    let Some(Download { bytes, media_type: kind, extension }) = converted else { return Err(AppError::NotFound) };
    let disposition = format!("attachment; filename=\"study-{id}.{extension}\"");
    Ok(([(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
