//! The study model and the study-folder format of collabmap.
//!
//! A study is a folder of plain text: `study.toml`, `people.csv`, an optional
//! `projects.csv` and codebook, and one Markdown file per interview holding a
//! cognitive map, quotes, stories and rich pictures. This crate reads such a
//! folder into a [`Study`], reports every problem with its file and line, and
//! writes studies back. It computes nothing: counting and model discovery live
//! in `collabmap-analysis`.
//!
//! ```no_run
//! let loaded = collabmap_study::load_study(std::path::Path::new("my-study"));
//! for problem in &loaded.problems {
//!     eprintln!("{problem}"); // interviews/i07.md:12: unknown code #comon-purpose (did you mean #common-purpose?)
//! }
//! ```

pub mod assessment;
pub mod codebook;
pub mod config;
pub mod csv_out;
pub mod edit;
pub mod files;
mod load;
pub mod model;
pub mod parse;
mod problem;
pub mod write;

pub use codebook::{Code, CodeKind, Codebook, UnknownCode};
pub use config::{Counting, ModelSettings, ReportSettings, StudyConfig};
pub use files::{Folder, Limits, MemoryFiles, ReadFolderError, StudyFiles};
/// A set of ids (people's, projects'), hashed with foldhash: fast on the
/// short keys a study has by the hundred thousand, and seeded per process.
pub type IdSet<'a> = foldhash::HashSet<&'a str>;

pub use load::{Loaded, ParseMemo, duplicate_interview, load_from, load_reusing, load_study};
pub use model::{Concept, Interview, Item, ItemKind, Link, MapNode, MapNodeKind, Memo, MemoAbout, Person, Picture, Project, Quote, Story, Study};
pub use parse::front_matter::is_interview_id;
pub use parse::interview::{InterviewContext, InterviewSyntax, parse_interview, read_interview, resolve_interview};
pub use problem::{LineIndex, Problem, did_you_mean, line_of_offset};
