//! Pure analysis of a study: the counting rules and model discovery of the
//! study-format specification.
//!
//! Everything here is a function from a [`Study`] to results; nothing reads or
//! writes files. [`synthesise`] makes one parallel pass over the interviews and
//! returns the mention table and the theme graph; [`Model::discover`] keeps the
//! strong links and finds the attractor and levels.
//!
//! ```no_run
//! # let study: collabmap_study::Study = unimplemented!();
//! let synthesis = collabmap_analysis::synthesise(&study);
//! for row in &synthesis.table.rows {
//!     println!("{} {} out of {}", row.theme, row.people, row.out_of);
//! }
//! let model = collabmap_analysis::Model::discover(&study, &synthesis);
//! println!("attractor: {:?}", model.attractor);
//! ```

pub mod coding;
pub mod crosstab;
pub mod model;
pub mod structure;
pub mod trace;
pub mod cooccurrence;
pub mod agreement;
pub mod assessment;
pub mod synthesis;

pub use coding::{Coder, ItemCodes};
pub use crosstab::CrossTab;
pub use model::{Model, ModelLink, ModelTheme};
pub use synthesis::{MentionRow, MentionTable, Synthesis, ThemeLinkSupport, synthesise};

pub use collabmap_study::Study;
