//! SVG to PNG through resvg, with a bundled font so that pictures come out
//! the same on every machine.

use std::sync::Arc;

use resvg::{tiny_skia, usvg};

use crate::RenderError;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Rasterises `svg` at `scale` (1.0 = its own size).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, RenderError> {
    let mut options = usvg::Options::default();
    let mut fonts = usvg::fontdb::Database::new();
    fonts.load_font_data(FONT.to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    options.fontdb = Arc::new(fonts);
    options.font_family = "DejaVu Sans".to_string();
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| RenderError::Png(format!("the drawing is not valid SVG: {e}")))?;
    let size = tree.size().to_int_size().scale_by(scale).ok_or_else(|| RenderError::Png("the drawing is too large to rasterise".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| RenderError::Png("the drawing has no area".into()))?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| RenderError::Png(format!("cannot encode PNG: {e}")))
}
