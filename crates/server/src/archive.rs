//! Uploads received into temporary files and read as a study, and studies
//! sent as zip downloads. Reading and writing the archives themselves (with
//! the hostile-archive checks) is `collabmap_exchange::archive`.

use collabmap_study::{Limits, MemoryFiles};
use http_body_util::BodyExt as _;
use tokio::io::AsyncWriteExt as _;

use crate::error::AppError;

/// An upload received into a temporary file (removed when dropped), never
/// held in memory whole.
pub struct Upload {
    /// The file.
    pub file: tempfile::NamedTempFile,
    /// Its size in bytes.
    pub size: u64,
}

/// An upload being written to a temporary file chunk by chunk, refused as
/// soon as it passes its limit: one rule for request bodies and for the file
/// field of a form.
pub struct UploadWriter {
    file: tempfile::NamedTempFile,
    writer: tokio::fs::File,
    size: u64,
    limit: usize,
}

impl UploadWriter {
    /// A new, empty temporary file that takes at most `limit` bytes.
    pub async fn new(limit: usize) -> Result<Self, AppError> {
        let file = tokio::task::spawn_blocking(tempfile::NamedTempFile::new)
            .await?
            .map_err(|e| AppError::Internal(format!("cannot create a temporary file for an upload: {e}")))?;
        let writer = tokio::fs::File::from_std(file.reopen().map_err(|e| AppError::Internal(format!("cannot open the upload's temporary file: {e}")))?);
        Ok(UploadWriter { file, writer, size: 0, limit })
    }

    /// Appends a chunk; 413 once the upload passes its limit.
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit as u64 {
            return Err(AppError::TooLarge(self.limit));
        }
        self.writer.write_all(chunk).await.map_err(|e| AppError::Internal(format!("cannot write the upload to disk: {e}")))
    }

    /// The whole upload, flushed to its file.
    pub async fn finish(mut self) -> Result<Upload, AppError> {
        self.writer.flush().await.map_err(|e| AppError::Internal(format!("cannot write the upload to disk: {e}")))?;
        Ok(Upload { file: self.file, size: self.size })
    }
}

/// Streams a request body into a temporary file, refusing it with 413 as
/// soon as it passes `limit` bytes.
pub async fn receive(body: axum::body::Body, limit: usize) -> Result<Upload, AppError> {
    let mut upload = UploadWriter::new(limit).await?;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| AppError::BadRequest(format!("the upload was cut short: {e}")))?;
        if let Ok(data) = frame.into_data() {
            upload.push(&data).await?;
        }
    }
    upload.finish().await
}

/// Reads a received upload: a zipped study or assessment folder, a REFI-QDA
/// project (`.qdpx`, from NVivo, ATLAS.ti, MAXQDA or QualCoder; also any zip
/// with a `.qde` at its top) or codebook (`.qdc`, by its name).
pub fn read_received(upload: &Upload, file_name: &str, limits: Limits) -> Result<MemoryFiles, AppError> {
    let back = |e: std::io::Error| AppError::Internal(format!("cannot read the upload back: {e}"));
    let file = upload.file.reopen().map_err(back)?;
    if file_name.to_lowercase().ends_with(".qdc") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, limits.max_total_bytes), &mut bytes).map_err(back)?;
        return Ok(collabmap_exchange::refi_import::import_qdc(&bytes, file_name)?);
    }
    let reader = std::io::BufReader::new(file);
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| AppError::BadRequest(format!("the upload is not a zip archive: {e}")))?;
    let has_project = (0..archive.len())
        .any(|i| archive.by_index(i).ok().and_then(|e| e.name().ok().map(|n| !n.contains('/') && n.to_lowercase().ends_with(".qde"))).unwrap_or(false));
    if file_name.to_lowercase().ends_with(".qdpx") || has_project {
        // The REFI-QDA reader takes bytes; a project is bounded by the upload limit already.
        let bytes = std::fs::read(upload.file.path()).map_err(back)?;
        return collabmap_exchange::refi_import::import_qdpx(&bytes, limits).map_err(|e| AppError::BadRequest(format!("{file_name}: {e}")));
    }
    Ok(collabmap_exchange::archive::study_from_zip(&mut archive, limits)?)
}

/// The study as a zip download (compressed on a blocking thread, so a large
/// study never stalls the requests sharing the async threads).
pub async fn zip_response(view: std::sync::Arc<crate::views::StudyAtRevision>) -> Result<axum::response::Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse as _;
    let zipped = view.clone();
    let bytes = tokio::task::spawn_blocking(move || collabmap_exchange::archive::write_zip(&zipped.files)).await??;
    let name: String = view.title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let name = name.trim_matches('-');
    let at = if view.is_past() { format!("-revision-{}", view.revision) } else { String::new() };
    let disposition = format!("attachment; filename=\"{}{at}.zip\"", if name.is_empty() { "study" } else { name });
    Ok(([(header::CONTENT_TYPE, "application/zip".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
