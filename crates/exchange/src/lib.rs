//! Exchange with the tools researchers already use.
//!
//! - [`refi`]: REFI-QDA project (`.qdpx`) and codebook (`.qdc`) export, the
//!   standard NVivo, ATLAS.ti, MAXQDA and QualCoder share;
//! - [`graph`]: the theme graph or the concept network as GraphML, GEXF
//!   (Gephi) and DOT (Graphviz);
//! - [`tables`]: tidy CSV tables for spreadsheets and R.
//!
//! Everything here is a pure function from a study (and its analysis) to
//! bytes; the command line writes them.

pub mod archive;
pub mod graph;
pub mod picture;
pub mod refi;
pub mod refi_import;
pub mod tables;
mod xml;

/// Why a project, codebook or archive could not be read or written. Each
/// says where: the file and line of the XML, or the archive's entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// A file of the project at a line: not well-formed XML, or not what REFI-QDA says it holds.
    #[error("{file}:{line}: {message}")]
    At {
        /// The file inside the project (or the file uploaded).
        file: String,
        /// Its line.
        line: usize,
        /// What is wrong there, and what would be right.
        message: String,
    },
    /// The archive itself: not a zip, too large, an unsafe or unreadable entry, no project document.
    #[error("{0}")]
    Archive(String),
    /// The study the import would write has problems; nothing was written.
    #[error("the imported study would have problems, so nothing was written:\n{}", .0.join("\n"))]
    Problems(Vec<String>),
    /// A table could not be written.
    #[error(transparent)]
    Csv(#[from] collabmap_study::csv_out::CsvError),
    /// An archive or a study's files could not be written.
    #[error("cannot write {0}")]
    Write(String),
}

impl ExchangeError {
    /// A refusal at `line` of `file`.
    pub fn at(file: &str, line: usize, message: impl std::fmt::Display) -> ExchangeError {
        ExchangeError::At { file: file.to_string(), line, message: message.to_string() }
    }
}

/// A stable GUID for `kind` and `key`: the same study always exports the
/// same GUIDs, so a re-export updates rather than duplicates in other tools.
/// Made from a SHA-256 of the two, shaped as a version-5-style UUID.
pub fn stable_guid(kind: &str, key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("collabmap:{kind}:{key}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_and_well_formed() {
        let a = stable_guid("code", "share-power");
        assert_eq!(a, stable_guid("code", "share-power"));
        assert_ne!(a, stable_guid("case", "share-power"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.chars().filter(|c| *c == '-').count(), 4);
        assert_eq!(&a[14..15], "5");
    }
}
