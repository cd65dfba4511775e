//! Where a study's files come from: a folder on disk, or a set of files held
//! in memory (the web workspace keeps studies in a database and loads them
//! from there). The loader reads through [`StudyFiles`], so both give the
//! same study and the same problems.

use std::io;
use std::path::{Path, PathBuf};

/// Read access to the files of one study, by `/`-separated relative path.
pub trait StudyFiles: Sync {
    /// The bytes of `path`; `ErrorKind::NotFound` when there is no such file.
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
    /// The size of `path` in bytes, when it is a file; read before the file
    /// itself so a runaway file is refused without filling memory.
    fn size(&self, path: &str) -> Option<u64>;
    /// The bytes of `path`, or only its size when that is over `limit`:
    /// [`StudyFiles::size`] then [`StudyFiles::read`], which a folder does
    /// with one opening of the file rather than two lookups of its path.
    fn read_within(&self, path: &str, limit: u64) -> io::Result<Result<Vec<u8>, u64>> {
        match self.size(path) {
            Some(size) if size > limit => Ok(Err(size)),
            _ => self.read(path).map(Ok),
        }
    }
    /// The names of the files directly inside `folder`, or `None` when there is no such folder.
    fn list(&self, folder: &str) -> Option<Vec<String>>;
    /// Whether the study exists at all (a folder that is there, a stored study).
    fn exists(&self) -> bool;
    /// How to name the study in a message (a folder path).
    fn describe(&self) -> String;
}

/// A study folder on disk.
#[derive(Debug, Clone)]
pub struct Folder {
    root: PathBuf,
}

impl Folder {
    /// The study folder at `root`.
    pub fn new(root: &Path) -> Self {
        Folder { root: root.to_path_buf() }
    }

    /// Where `path` is on disk; a path from a study's own text never leaves
    /// the folder, whoever wrote it.
    fn inside(&self, path: &str) -> io::Result<PathBuf> {
        let relative = safe_relative(path).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("`{path}` leads outside the study folder")))?;
        Ok(self.root.join(relative))
    }
}

impl StudyFiles for Folder {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.inside(path)?)
    }

    fn size(&self, path: &str) -> Option<u64> {
        std::fs::metadata(self.root.join(safe_relative(path)?)).ok().filter(|m| m.is_file()).map(|m| m.len())
    }

    fn read_within(&self, path: &str, limit: u64) -> io::Result<Result<Vec<u8>, u64>> {
        use std::io::Read;
        let file = std::fs::File::open(self.inside(path)?)?;
        let metadata = file.metadata()?;
        if metadata.is_file() && metadata.len() > limit {
            return Ok(Err(metadata.len()));
        }
        let expected = if metadata.is_file() { metadata.len() } else { 0 };
        let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        // A file that grows while read is still read no further than the limit.
        file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Ok(Err(bytes.len() as u64));
        }
        Ok(Ok(bytes))
    }

    fn list(&self, folder: &str) -> Option<Vec<String>> {
        let entries = std::fs::read_dir(self.root.join(folder)).ok()?;
        Some(entries.filter_map(Result::ok).filter(|e| e.file_type().is_ok_and(|t| t.is_file())).filter_map(|e| e.file_name().into_string().ok()).collect())
    }

    fn exists(&self) -> bool {
        self.root.is_dir()
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

/// Limits on a study read into memory from an untrusted place (an upload, a
/// folder given to `import`), so that a hostile archive cannot exhaust memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most files a study may hold.
    pub max_files: usize,
    /// Most bytes all files together may hold.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // A 100,000-person generated study is about 60,000 files and 200 MB.
        Limits { max_files: 250_000, max_total_bytes: 1 << 30 }
    }
}

/// A study's files held in memory: path → bytes, in path order.
///
/// A persistent map: a copy shares everything with the original, and a
/// change to the copy costs a path through the tree, so the next revision of
/// a stored study (its files with one changed) costs about one file, not
/// the study's size; copying and dropping a plain map of 88,000 paths was a
/// fifth of a save at 100,000 people. `imbl`'s B-tree gives that, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryFiles {
    files: imbl::OrdMap<String, std::sync::Arc<[u8]>>,
}

/// Why [`MemoryFiles::read_folder`] read nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReadFolderError {
    /// The folder has neither `study.toml` nor `collaboration.toml`.
    #[error("{} is neither a study folder nor an assessment folder: it has no study.toml or collaboration.toml", .0.display())]
    NotAStudy(std::path::PathBuf),
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// What could not be read.
        path: std::path::PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file name is not UTF-8, so it cannot be stored or named in a message.
    #[error("{}: file names must be UTF-8", .0.display())]
    NameNotUtf8(std::path::PathBuf),
    /// The folder is past the limits.
    #[error("{}: the study is larger than {} files or {} MB; split it or raise the limit", root.display(), limits.max_files, limits.max_total_bytes >> 20)]
    TooLarge {
        /// The folder.
        root: std::path::PathBuf,
        /// The limits it passed.
        limits: Limits,
    },
}

impl MemoryFiles {
    /// An empty set of files.
    pub fn new() -> Self {
        MemoryFiles::default()
    }

    /// Adds or replaces one file.
    pub fn insert(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(path.into(), bytes.into());
    }

    /// Removes one file, returning its bytes.
    pub fn remove(&mut self, path: &str) -> Option<Vec<u8>> {
        self.files.remove(path).map(|bytes| bytes.to_vec())
    }

    /// The bytes of one file.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|bytes| &**bytes)
    }

    /// The files whose paths start with `prefix`, in path order, with their
    /// shared bytes: the same allocation in every copy of these files until a
    /// file is replaced, so identity says "unchanged".
    pub fn shared_under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a std::sync::Arc<[u8]>)> + 'a {
        self.files
            .range::<_, str>((std::ops::Bound::Included(prefix), std::ops::Bound::<&str>::Unbounded))
            .take_while(move |(p, _)| p.starts_with(prefix))
            .map(|(p, b)| (p.as_str(), b))
    }

    /// Every file, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), &**b))
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Reads every regular file under `root` (hidden files and folders
    /// skipped), so the study can be stored and given back byte for byte.
    pub fn read_folder(root: &Path, limits: Limits) -> Result<MemoryFiles, ReadFolderError> {
        if !root.join("study.toml").is_file() && !root.join("collaboration.toml").is_file() {
            return Err(ReadFolderError::NotAStudy(root.to_path_buf()));
        }
        let unreadable = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ReadFolderError::Unreadable { path, source }
        };
        let mut files = MemoryFiles::new();
        let mut total = 0u64;
        let mut pending = vec![(root.to_path_buf(), String::new())];
        while let Some((dir, prefix)) = pending.pop() {
            for entry in std::fs::read_dir(&dir).map_err(unreadable(&dir))? {
                let entry = entry.map_err(unreadable(&dir))?;
                let Ok(name) = entry.file_name().into_string() else {
                    return Err(ReadFolderError::NameNotUtf8(entry.path()));
                };
                if name.starts_with('.') {
                    continue;
                }
                let relative = format!("{prefix}{name}");
                let kind = entry.file_type().map_err(unreadable(&entry.path()))?;
                if kind.is_dir() {
                    pending.push((entry.path(), format!("{relative}/")));
                } else if kind.is_file() {
                    let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                    total += size;
                    if files.len() >= limits.max_files || total > limits.max_total_bytes {
                        return Err(ReadFolderError::TooLarge { root: root.to_path_buf(), limits });
                    }
                    let bytes = std::fs::read(entry.path()).map_err(unreadable(&entry.path()))?;
                    files.insert(relative, bytes);
                }
            }
        }
        Ok(files)
    }

    /// Writes every file under `dir`, creating folders as needed (for a
    /// study, always an `interviews` folder, which it needs even when empty).
    pub fn write_folder(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        if self.get("study.toml").is_some() {
            std::fs::create_dir_all(dir.join("interviews"))?;
        }
        for (path, bytes) in self.iter() {
            let target = dir.join(safe_relative(path).ok_or_else(|| io::Error::other(format!("unsafe path {path}")))?);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(target, bytes)?;
        }
        Ok(())
    }
}

/// `path` as a relative path that stays inside its folder, or `None` when it
/// is absolute, has a drive, or climbs out with `..`.
pub fn safe_relative(path: &str) -> Option<PathBuf> {
    let normal = path.replace('\\', "/");
    if normal.is_empty() || normal.starts_with('/') || normal.contains(':') || normal.contains('\0') {
        return None;
    }
    let parts: Vec<&str> = normal.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.is_empty() || parts.contains(&"..") {
        return None;
    }
    Some(parts.iter().collect())
}

impl StudyFiles for MemoryFiles {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        self.files.get(path).map(|bytes| bytes.to_vec()).ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, path.to_string()))
    }

    fn size(&self, path: &str) -> Option<u64> {
        self.files.get(path).map(|b| b.len() as u64)
    }

    fn list(&self, folder: &str) -> Option<Vec<String>> {
        let prefix = format!("{folder}/");
        let names: Vec<String> = self
            .files
            .range::<_, str>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::<&str>::Unbounded))
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter_map(|(p, _)| {
                let rest = &p[prefix.len()..];
                (!rest.contains('/')).then(|| rest.to_string())
            })
            .collect();
        // Folders are implicit in memory: an empty one is simply absent.
        self.exists().then_some(names)
    }

    fn exists(&self) -> bool {
        !self.files.is_empty()
    }

    fn describe(&self) -> String {
        "the stored study".to_string()
    }
}

/// The picture formats a study may hold, by file extension, with the media
/// type each is served as. Anything else (an HTML page, a script) is refused
/// in `pictures/` and in picture lines, so a study can never carry a document
/// that a browser would run on the workspace's origin.
pub const PICTURE_TYPES: [(&str, &str); 6] =
    [("png", "image/png"), ("jpg", "image/jpeg"), ("jpeg", "image/jpeg"), ("gif", "image/gif"), ("webp", "image/webp"), ("svg", "image/svg+xml")];

/// The media type of a picture file, or `None` when its extension is not one of [`PICTURE_TYPES`].
pub fn picture_media_type(path: &str) -> Option<&'static str> {
    let (_, extension) = path.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    PICTURE_TYPES.iter().find(|(known, _)| *known == extension).map(|(_, media)| *media)
}

/// The refusal for a file that is not a picture collabmap can show.
pub fn not_a_picture(path: &str) -> String {
    format!("`{path}` is not a picture collabmap can show: use a PNG, JPEG, GIF, WebP or SVG file (by its extension), or keep other files outside pictures/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_image_types_are_pictures() {
        assert_eq!(picture_media_type("pictures/a.PNG"), Some("image/png"));
        assert_eq!(picture_media_type("pictures/a.svg"), Some("image/svg+xml"));
        for path in ["pictures/phish.html", "pictures/a.svg.html", "pictures/noext", "pictures/a.js", "pictures/a.xhtml"] {
            assert_eq!(picture_media_type(path), None, "{path}");
        }
    }

    #[test]
    fn a_folder_never_reads_outside_itself() {
        let outer = tempfile::tempdir().expect("temp");
        std::fs::write(outer.path().join("secret.toml"), "x").expect("write");
        let study = outer.path().join("study");
        std::fs::create_dir(&study).expect("dir");
        let folder = Folder::new(&study);
        assert!(folder.read("../secret.toml").is_err());
        assert!(folder.size("../secret.toml").is_none());
    }

    #[test]
    fn relative_paths_that_climb_out_are_refused() {
        assert!(safe_relative("../x").is_none());
        assert!(safe_relative("a/../../x").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("C:\\x").is_none());
        assert!(safe_relative("").is_none());
        assert_eq!(safe_relative("interviews\\a.md"), Some(PathBuf::from("interviews").join("a.md")));
    }

    #[test]
    fn memory_lists_only_direct_children() {
        let mut files = MemoryFiles::new();
        files.insert("interviews/a.md", b"a".to_vec());
        files.insert("interviews/old/b.md", b"b".to_vec());
        files.insert("interviewsx/c.md", b"c".to_vec());
        assert_eq!(files.list("interviews"), Some(vec!["a.md".to_string()]));
        assert_eq!(files.list("pictures"), Some(Vec::new()));
        assert_eq!(MemoryFiles::new().list("interviews"), None);
    }
}
