//! Zip archives: study folders zipped for download and upload, and reading
//! any archive from untrusted hands (study uploads and REFI-QDA projects
//! alike). Entries that climb out of their folder or are links are
//! refused, and sizes are counted as bytes are read (an archive's declared
//! sizes can lie), so a zip bomb stops at the limit.

use std::io::{Cursor, Read, Write};

use collabmap_study::{Limits, MemoryFiles};
use zip::write::SimpleFileOptions;

use crate::ExchangeError;
use collabmap_study::files::safe_relative;

/// The files of `archive` as (relative path with `/`, bytes), directories
/// left out. `folder` names what the archive holds in messages ("study",
/// "project"); entries for which `keep` is false are skipped unread.
pub fn read_entries<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: Limits,
    folder: &str,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, Vec<u8>)>, ExchangeError> {
    if archive.len() > limits.max_files {
        return Err(ExchangeError::Archive(format!("the archive has {} entries; a {folder} may hold at most {}", archive.len(), limits.max_files)));
    }
    // First the whole archive is expanded into nothing, counting: a bomb is
    // refused with memory that does not grow with it. Only an archive within
    // the limits is then read into memory, at its true size.
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| ExchangeError::Archive(format!("entry {index} of the archive cannot be read: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let room = limits.max_total_bytes.saturating_sub(total);
        total += std::io::copy(&mut (&mut entry).take(room + 1), &mut std::io::sink())
            .map_err(|e| ExchangeError::Archive(format!("entry {index} of the archive cannot be read: {e}")))?;
        if total > limits.max_total_bytes {
            return Err(ExchangeError::Archive(format!("the archive expands past {} MB, more than a {folder} may hold", limits.max_total_bytes >> 20)));
        }
    }
    let mut entries = Vec::new();
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| ExchangeError::Archive(format!("entry {index} of the archive cannot be read: {e}")))?;
        let name = entry.name().map_err(|e| ExchangeError::Archive(format!("entry {index} of the archive has an unreadable name: {e}")))?.replace('\\', "/");
        if entry.is_dir() {
            continue;
        }
        if entry.is_symlink() {
            return Err(ExchangeError::Archive(format!("`{name}` in the archive is a link; a {folder} holds plain files only")));
        }
        let Some(relative) = safe_relative(&name) else {
            return Err(ExchangeError::Archive(format!("`{name}` in the archive points outside the {folder} folder; nothing was imported")));
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        if !keep(&relative) {
            continue;
        }
        let room = limits.max_total_bytes.saturating_sub(total);
        let mut data = Vec::with_capacity(entry.size().min(room).min(1 << 24) as usize);
        (&mut entry).take(room + 1).read_to_end(&mut data).map_err(|e| ExchangeError::Archive(format!("`{name}` in the archive cannot be read: {e}")))?;
        total += data.len() as u64;
        if total > limits.max_total_bytes {
            return Err(ExchangeError::Archive(format!("the archive expands past {} MB, more than a {folder} may hold", limits.max_total_bytes >> 20)));
        }
        entries.push((relative, data));
    }
    Ok(entries)
}

/// Reads a zipped study folder. A single top-level folder around
/// `study.toml` (what zipping a folder gives) is taken off.
pub fn read_zip(bytes: &[u8], limits: Limits) -> Result<MemoryFiles, ExchangeError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ExchangeError::Archive(format!("the file is not a zip archive: {e}")))?;
    study_from_zip(&mut archive, limits)
}

/// Reads a study or assessment folder from an open archive (see [`read_zip`]).
pub fn study_from_zip<R: std::io::Read + std::io::Seek>(archive: &mut zip::ZipArchive<R>, limits: Limits) -> Result<MemoryFiles, ExchangeError> {
    // Hidden files and macOS resource forks are not part of a study.
    let keep = |path: &str| !path.split('/').any(|part| part.starts_with('.')) && !path.starts_with("__MACOSX/");
    let entries = read_entries(archive, limits, "study", &keep)?;
    let prefix = common_folder(&entries);
    let mut files = MemoryFiles::new();
    for (path, data) in entries {
        files.insert(path[prefix.len()..].to_string(), data);
    }
    if files.get("study.toml").is_none() && files.get("collaboration.toml").is_none() {
        return Err(ExchangeError::Archive(
            "the archive holds no study.toml or collaboration.toml: zip a study or assessment folder (the one with that file in it)".into(),
        ));
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
pub fn write_zip(files: &MemoryFiles) -> Result<Vec<u8>, ExchangeError> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(false);
    let fail = |e: zip::result::ZipError| ExchangeError::Write(format!("the archive: {e}"));
    if files.get("study.toml").is_some() {
        writer.add_directory("interviews/", options).map_err(fail)?;
    }
    for (path, bytes) in files.iter() {
        writer.start_file(path, options).map_err(fail)?;
        writer.write_all(bytes).map_err(|e| ExchangeError::Write(format!("the archive: {e}")))?;
    }
    Ok(writer.finish().map_err(fail)?.into_inner())
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
        assert!(error.to_string().contains("outside the study folder"), "{error}");
    }

    #[test]
    fn archives_past_the_limit_are_refused() {
        let big = vec![b'a'; 10_000];
        let bytes = zip_of(&[("study.toml", b"t"), ("interviews/a.md", &big)]);
        let error = read_zip(&bytes, Limits { max_files: 10, max_total_bytes: 5_000 }).expect_err("refused");
        assert!(error.to_string().contains("expands past"), "{error}");
        let error = read_zip(&bytes, Limits { max_files: 1, max_total_bytes: 1 << 20 }).expect_err("refused");
        assert!(error.to_string().contains("entries"), "{error}");
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
