//! Writing folders safely: every failure names its path, nothing is
//! written into a study or over someone's work, and a site appears whole or
//! not at all.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Creates `dir` and its parents, naming it when that fails.
pub(crate) fn create_dir_all(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))
}

/// Writes `bytes` to `path`, creating its folder, naming the path when that fails.
pub(crate) fn write_file(path: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir_all(parent)?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Refuses to write into a folder that already holds something, so no work is overwritten.
pub(crate) fn refuse_non_empty(dir: &Path) -> Result<()> {
    if !is_absent_or_empty(dir) {
        bail!("{} already exists and is not empty: choose a new folder", dir.display());
    }
    Ok(())
}

fn is_absent_or_empty(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        // A path under a file cannot hold anything; creating it will fail with its own message.
        Err(error) => matches!(error.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory),
    }
}

/// What a generated folder is, and the file inside it that says so: a later
/// run may replace a folder that carries its own marker, and nothing else.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Generated {
    /// The marker's file name.
    pub marker: &'static str,
    /// What the folder is, for messages ("report").
    pub what: &'static str,
    /// The command that writes it, for messages.
    pub command: &'static str,
}

/// The folder `collabmap report` writes.
pub(crate) const REPORT: Generated = Generated { marker: ".collabmap-report", what: "report", command: "collabmap report" };

/// The folder `collabmap demo` writes and reuses (its study may be edited between runs).
pub(crate) const DEMO: Generated = Generated { marker: ".collabmap-demo", what: "demo", command: "collabmap demo" };

/// Makes `dir` a folder of `kind` that later runs may write into: refused
/// when it holds anything but is not already such a folder.
pub(crate) fn claim_folder(dir: &Path, kind: Generated) -> Result<()> {
    if !dir.join(kind.marker).is_file() && !is_absent_or_empty(dir) {
        bail!(
            "{} already exists, is not empty, and is not an earlier {} written by `{}`: choose a new folder, or delete this one if it may go",
            dir.display(),
            kind.what,
            kind.command
        );
    }
    write_file(&dir.join(kind.marker), format!("This folder was written by `{}`; the next run writes into it again.\n", kind.command))
}

/// `path` made absolute, with `.` and `..` resolved and links followed as
/// far as the path exists (the rest may not exist yet).
fn resolved(path: &Path) -> Result<PathBuf> {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().context("cannot read the current folder")?.join(path) };
    let mut existing = absolute.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                match part.as_os_str().to_str() {
                    Some("..") => {
                        out.pop();
                    }
                    Some(".") => {}
                    _ => out.push(part),
                }
            }
            return Ok(out);
        }
        let Some(name) = existing.components().next_back().map(|c| c.as_os_str().to_os_string()) else { return Ok(absolute) };
        rest.push(name);
        if !existing.pop() {
            return Ok(absolute);
        }
    }
}

/// Writes a generated folder at `output` whole or not at all: `fill` writes
/// into a fresh folder beside `output`, which then takes `output`'s place.
///
/// Refused, with nothing written: an `output` that is inside `source` (a
/// study is never written into) or holds it, and a non-empty `output` that
/// is not an earlier folder of the same kind (its marker says so).
pub(crate) fn replace_folder(output: &Path, source: &Path, kind: Generated, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let (target, study) = (resolved(output)?, resolved(source)?);
    if target.starts_with(&study) {
        bail!(
            "{} is inside the study folder {}: a {} is never written into a study; choose a folder outside it, such as {}",
            output.display(),
            source.display(),
            kind.what,
            study.with_file_name(format!("{}-{}", study.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), kind.what)).display()
        );
    }
    if study.starts_with(&target) {
        bail!("{} holds the study folder {}: choose a folder for the {} outside the study", output.display(), source.display(), kind.what);
    }
    let earlier = target.join(kind.marker).is_file();
    if !earlier && !is_absent_or_empty(&target) {
        bail!(
            "{} already exists, is not empty, and is not an earlier {} written by `{}`: choose a new folder, or delete this one if it may go",
            output.display(),
            kind.what,
            kind.command
        );
    }
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    create_dir_all(&parent)?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| kind.what.to_string());
    // Beside the target, so the final rename stays on one file system; removed on any failure.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
    fill(staging.path())?;
    write_file(&staging.path().join(kind.marker), format!("This folder was written by `{}`; the next run replaces it whole.\n", kind.command))?;
    if target.exists() {
        let old = tempfile::Builder::new()
            .prefix(&format!(".{name}.old-"))
            .tempdir_in(&parent)
            .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
        let old_path = old.path().join(&name);
        std::fs::rename(&target, &old_path).with_context(|| format!("cannot move the earlier {} {} aside", kind.what, output.display()))?;
        if let Err(error) = std::fs::rename(staging.path(), &target) {
            // Put the earlier folder back, so a failure leaves what was there.
            let _ = std::fs::rename(&old_path, &target);
            return Err(error).with_context(|| format!("cannot move the new {} into {}", kind.what, output.display()));
        }
        drop(old);
    } else {
        std::fs::rename(staging.path(), &target).with_context(|| format!("cannot move the new {} into {}", kind.what, output.display()))?;
    }
    // The staging folder was renamed away: dropping it finds nothing to remove.
    drop(staging);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_part_way_leaves_the_earlier_folder_and_no_debris() {
        let dir = tempfile::tempdir().expect("temp");
        let (study, site) = (dir.path().join("study"), dir.path().join("site"));
        std::fs::create_dir(&study).expect("dir");
        replace_folder(&site, &study, REPORT, |staging| write_file(&staging.join("index.html"), "first")).expect("first run");
        let failed = replace_folder(&site, &study, REPORT, |staging| {
            write_file(&staging.join("index.html"), "second")?;
            bail!("the disk filled up")
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(site.join("index.html")).expect("read"), "first");
        let names: Vec<String> =
            std::fs::read_dir(dir.path()).expect("dir").filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 2, "only the study and the site: {names:?}");

        let fresh = dir.path().join("fresh");
        assert!(replace_folder(&fresh, &study, REPORT, |_| bail!("cannot render")).is_err());
        assert!(!fresh.exists(), "a failed first run leaves nothing");
    }

    #[test]
    fn paths_resolve_through_dot_dot_even_when_absent() {
        let dir = tempfile::tempdir().expect("temp");
        let real = dir.path().canonicalize().expect("real");
        assert_eq!(resolved(&dir.path().join("a/../b/c")).expect("resolved"), real.join("b/c"));
        std::fs::create_dir(dir.path().join("study")).expect("dir");
        assert!(resolved(&dir.path().join("study/./site")).expect("resolved").starts_with(real.join("study")));
    }
}
