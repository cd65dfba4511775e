//! Rendering for collabmap: results in, text and pictures out.
//!
//! Tables for the terminal and for other tools ([`table`]), the model diagram
//! and cognitive-map drawings as SVG ([`model_diagram`], [`map_drawing`]),
//! PNG through resvg ([`png`]), and the static report ([`report`]). Nothing
//! here counts or decides: every figure comes from `collabmap-analysis`.

pub mod table;
