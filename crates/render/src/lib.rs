//! Rendering for collabmap: results in, text and pictures out.
//!
//! Tables for the terminal and for other tools ([`table`]), the model diagram
//! and cognitive-map drawings as SVG ([`model_diagram`], [`map_drawing`]),
//! PNG through resvg ([`png`]), and the static report ([`report`]). Nothing
//! here counts or decides: every figure comes from `collabmap-analysis`.

pub mod analyses;
pub mod assessment;
mod error;
pub mod evidence;
pub mod geometry;
pub mod interview_list;
pub mod map_drawing;
pub mod model_diagram;
pub mod nav;
pub mod png;
pub mod read_back;
pub mod report;
pub mod search;
pub mod svg;
pub mod table;
pub mod text_metrics;

pub use error::RenderError;
