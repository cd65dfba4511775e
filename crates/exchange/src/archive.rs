//! Reading zip archives from untrusted hands: study uploads and REFI-QDA
//! projects alike. Entries that climb out of their folder or are links are
//! refused, and sizes are counted as bytes are read (an archive's declared
//! sizes can lie), so a zip bomb stops at the limit.

use std::io::Read;

use collabmap_study::Limits;
use collabmap_study::files::safe_relative;

/// The files of `archive` as (relative path with `/`, bytes), directories
/// left out. `folder` names what the archive holds in messages ("study",
/// "project"); entries for which `keep` is false are skipped unread.
pub fn read_entries<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: Limits,
    folder: &str,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    if archive.len() > limits.max_files {
        return Err(format!("the archive has {} entries; a {folder} may hold at most {}", archive.len(), limits.max_files));
    }
    // First the whole archive is expanded into nothing, counting: a bomb is
    // refused with memory that does not grow with it. Only an archive within
    // the limits is then read into memory, at its true size.
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| format!("entry {index} of the archive cannot be read: {e}"))?;
        if entry.is_dir() {
            continue;
        }
        let room = limits.max_total_bytes.saturating_sub(total);
        total +=
            std::io::copy(&mut (&mut entry).take(room + 1), &mut std::io::sink()).map_err(|e| format!("entry {index} of the archive cannot be read: {e}"))?;
        if total > limits.max_total_bytes {
            return Err(format!("the archive expands past {} MB, more than a {folder} may hold", limits.max_total_bytes >> 20));
        }
    }
    let mut entries = Vec::new();
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| format!("entry {index} of the archive cannot be read: {e}"))?;
        let name = entry.name().map_err(|e| format!("entry {index} of the archive has an unreadable name: {e}"))?.replace('\\', "/");
        if entry.is_dir() {
            continue;
        }
        if entry.is_symlink() {
            return Err(format!("`{name}` in the archive is a link; a {folder} holds plain files only"));
        }
        let Some(relative) = safe_relative(&name) else {
            return Err(format!("`{name}` in the archive points outside the {folder} folder; nothing was imported"));
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        if !keep(&relative) {
            continue;
        }
        let room = limits.max_total_bytes.saturating_sub(total);
        let mut data = Vec::with_capacity(entry.size().min(room).min(1 << 24) as usize);
        (&mut entry).take(room + 1).read_to_end(&mut data).map_err(|e| format!("`{name}` in the archive cannot be read: {e}"))?;
        total += data.len() as u64;
        if total > limits.max_total_bytes {
            return Err(format!("the archive expands past {} MB, more than a {folder} may hold", limits.max_total_bytes >> 20));
        }
        entries.push((relative, data));
    }
    Ok(entries)
}
