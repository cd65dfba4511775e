//! Study folders as zip archives, for upload and download.
//!
//! An upload is untrusted: entries that climb out of the folder, links,
//! archives that expand past the study limits, and too many entries are all
//! refused before anything is stored.

use std::io::{Cursor, Write};

use collabmap_study::{Limits, MemoryFiles};
use http_body_util::BodyExt as _;
use tokio::io::AsyncWriteExt as _;

use crate::error::AppError;
use zip::write::SimpleFileOptions;

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
pub fn read_received(upload: &Upload, file_name: &str, limits: Limits) -> Result<MemoryFiles, String> {
    let file = upload.file.reopen().map_err(|e| format!("cannot read the upload back: {e}"))?;
    if file_name.to_lowercase().ends_with(".qdc") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, limits.max_total_bytes), &mut bytes)
            .map_err(|e| format!("cannot read the upload back: {e}"))?;
        return collabmap_exchange::refi_import::import_qdc(&bytes, file_name);
    }
    let reader = std::io::BufReader::new(file);
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| format!("the upload is not a zip archive: {e}"))?;
    let has_project = (0..archive.len())
        .any(|i| archive.by_index(i).ok().and_then(|e| e.name().ok().map(|n| !n.contains('/') && n.to_lowercase().ends_with(".qde"))).unwrap_or(false));
    if file_name.to_lowercase().ends_with(".qdpx") || has_project {
        // The REFI-QDA reader takes bytes; a project is bounded by the upload limit already.
        let bytes = std::fs::read(upload.file.path()).map_err(|e| format!("cannot read the upload back: {e}"))?;
        return collabmap_exchange::refi_import::import_qdpx(&bytes, limits).map_err(|e| format!("{file_name}: {e}"));
    }
    study_from_archive(&mut archive, limits)
}

/// Reads a zipped study folder. A single top-level folder around
/// `study.toml` (what zipping a folder gives) is taken off.
pub fn read_zip(bytes: &[u8], limits: Limits) -> Result<MemoryFiles, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("the upload is not a zip archive: {e}"))?;
    study_from_archive(&mut archive, limits)
}

fn study_from_archive<R: std::io::Read + std::io::Seek>(archive: &mut zip::ZipArchive<R>, limits: Limits) -> Result<MemoryFiles, String> {
    // Hidden files and macOS resource forks are not part of a study.
    let keep = |path: &str| !path.split('/').any(|part| part.starts_with('.')) && !path.starts_with("__MACOSX/");
    let entries = collabmap_exchange::archive::read_entries(archive, limits, "study", &keep)?;
    let prefix = common_folder(&entries);
    let mut files = MemoryFiles::new();
    for (path, data) in entries {
        files.insert(path[prefix.len()..].to_string(), data);
    }
    if files.get("study.toml").is_none() && files.get("collaboration.toml").is_none() {
        return Err("the archive holds no study.toml or collaboration.toml: zip a study or assessment folder (the one with that file in it)".into());
    }
    Ok(files)
}

/// `name/` when every entry sits in that one folder and `study.toml` is not at the top.
fn common_folder(entries: &[(String, Vec<u8>)]) -> String {
    if entries.iter().any(|(p, _)| p == "study.toml" || p == "collaboration.toml") {
        return String::new();
    }
    let Some((first, _)) = entries.first() else { return String::new() };
    let Some((folder, _)) = first.split_once('/') else { return String::new() };
    let prefix = format!("{folder}/");
    if entries.iter().all(|(p, _)| p.starts_with(&prefix)) { prefix } else { String::new() }
}

/// Zips a study's files (with an `interviews/` folder even when it is empty), or a collaboration's.
pub fn write_zip(files: &MemoryFiles) -> Result<Vec<u8>, String> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(false);
    let fail = |e: zip::result::ZipError| format!("cannot write the archive: {e}");
    if files.get("study.toml").is_some() {
        writer.add_directory("interviews/", options).map_err(fail)?;
    }
    for (path, bytes) in files.iter() {
        writer.start_file(path, options).map_err(fail)?;
        writer.write_all(bytes).map_err(|e| format!("cannot write the archive: {e}"))?;
    }
    Ok(writer.finish().map_err(fail)?.into_inner())
}

/// The study as a zip download (compressed on a blocking thread, so a large
/// study never stalls the requests sharing the async threads).
pub async fn zip_response(view: std::sync::Arc<crate::views::StudyView>) -> Result<axum::response::Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse as _;
    let zipped = view.clone();
    let bytes = tokio::task::spawn_blocking(move || write_zip(&zipped.files)).await?.map_err(AppError::Internal)?;
    let name: String = view.title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let name = name.trim_matches('-');
    let at = if view.is_past() { format!("-revision-{}", view.revision) } else { String::new() };
    let disposition = format!("attachment; filename=\"{}{at}.zip\"", if name.is_empty() { "study" } else { name });
    Ok(([(header::CONTENT_TYPE, "application/zip".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer.start_file(*name, SimpleFileOptions::default()).expect("start");
            writer.write_all(bytes).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    #[test]
    fn a_zipped_folder_loses_its_top_folder() {
        let bytes = zip_of(&[("my-study/study.toml", b"t"), ("my-study/interviews/a.md", b"a")]);
        let files = read_zip(&bytes, Limits::default()).expect("read");
        assert_eq!(files.get("study.toml"), Some(&b"t"[..]));
        assert_eq!(files.get("interviews/a.md"), Some(&b"a"[..]));
    }

    #[test]
    fn escaping_entries_are_refused() {
        let bytes = zip_of(&[("study.toml", b"t"), ("../evil.sh", b"x")]);
        let error = read_zip(&bytes, Limits::default()).expect_err("refused");
        assert!(error.contains("outside the study folder"), "{error}");
    }

    #[test]
    fn archives_past_the_limit_are_refused() {
        let big = vec![b'a'; 10_000];
        let bytes = zip_of(&[("study.toml", b"t"), ("interviews/a.md", &big)]);
        let error = read_zip(&bytes, Limits { max_files: 10, max_total_bytes: 5_000 }).expect_err("refused");
        assert!(error.contains("expands past"), "{error}");
        let error = read_zip(&bytes, Limits { max_files: 1, max_total_bytes: 1 << 20 }).expect_err("refused");
        assert!(error.contains("entries"), "{error}");
    }

    #[test]
    fn write_then_read_is_lossless() {
        let mut files = MemoryFiles::new();
        files.insert("study.toml", b"title = \"x\"\r\n".to_vec());
        files.insert("pictures/p.png", vec![0, 159, 146, 150]);
        let back = read_zip(&write_zip(&files).expect("zip"), Limits::default()).expect("read");
        assert_eq!(back, files);
    }
}
