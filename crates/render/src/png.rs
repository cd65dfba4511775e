//! SVG to PNG through resvg, with a bundled font so that pictures come out
//! the same on every machine.

use resvg::{tiny_skia, usvg};

use crate::RenderError;
use crate::text_metrics;

/// Rasterises `svg` at `scale` (1.0 = its own size).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, RenderError> {
    let tree = usvg::Tree::from_str(svg, text_metrics::options()).map_err(|e| RenderError::Png(format!("the drawing is not valid SVG: {e}")))?;
    let size = tree.size().to_int_size().scale_by(scale).ok_or_else(|| RenderError::Png("the drawing is too large to rasterise".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| RenderError::Png("the drawing has no area".into()))?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| RenderError::Png(format!("cannot encode PNG: {e}")))
}
