//! How large a line of text is drawn in DejaVu Sans, the font the drawings
//! name and the PNGs bundle, measured by laying it out with usvg (resvg's
//! parser) so that a layout sees what a reader will: the same widths in the
//! SVG, the PNG and the tests that check for overlaps.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use resvg::usvg;

use crate::svg::escape;

/// The font every drawing is made with.
pub(crate) const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// usvg's options with the bundled font as the only one, built once.
pub fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut options = usvg::Options::default();
        let fonts = options.fontdb_mut();
        fonts.load_font_data(FONT.to_vec());
        fonts.set_sans_serif_family("DejaVu Sans");
        options.font_family = "DejaVu Sans".to_string();
        options
    })
}

/// The width in pixels of `text` drawn at `size` px.
pub fn text_width(text: &str, size: f64) -> f64 {
    static CACHE: OnceLock<Mutex<HashMap<(String, u64), f64>>> = OnceLock::new();
    let key = (text.to_string(), size.to_bits());
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(width) = cache.lock().ok().and_then(|c| c.get(&key).copied()) {
        return width;
    }
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8000\" height=\"200\"><text x=\"10\" y=\"100\" font-size=\"{size}\" font-family=\"DejaVu Sans\">{}</text></svg>",
        escape(text)
    );
    // Should the font ever fail to load, a generous estimate keeps layouts apart.
    let width =
        usvg::Tree::from_str(&svg, options()).map_or(text.chars().count() as f64 * size * 0.65, |tree| f64::from(tree.root().abs_bounding_box().width()));
    if let Ok(mut cache) = cache.lock() {
        // Labels repeat across a report's drawings; the cache stays small (a model has dozens).
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(key, width);
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wider_text_measures_wider_and_empty_text_nothing() {
        let narrow = text_width("illicit", 12.0);
        let wide = text_width("WMWMWMW", 12.0);
        assert!(narrow > 10.0 && wide > 2.0 * narrow, "{narrow} {wide}");
        assert!(text_width("", 12.0) < 1.0);
        assert!((text_width("Share power", 24.0) - 2.0 * text_width("Share power", 12.0)).abs() < 2.0);
    }
}
