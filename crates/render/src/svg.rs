//! Small helpers for writing SVG by hand.
//!
//! SVG is written as text rather than through a drawing crate: the drawings
//! are a few dozen shapes with exact layout control, and plain text keeps the
//! output diffable and the dependency list short.

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Approximate width in pixels of `text` in DejaVu Sans at `size`.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.62
}

/// Breaks `text` into lines of at most `width` characters, at spaces where possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(head);
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A colour for a codebook entry, stable for its position.
pub fn theme_colour(index: usize) -> &'static str {
    const PALETTE: [&str; 12] =
        ["#b5651d", "#2a7f62", "#3366aa", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#2c3e50", "#7f8c2a", "#a0406c", "#1f6f8b", "#6d4c41"];
    PALETTE[index % PALETTE.len()]
}

/// The `<defs>` with arrowhead markers used by both drawings.
pub fn arrow_defs() -> &'static str {
    concat!(
        "<defs>",
        "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\" markerUnits=\"userSpaceOnUse\">",
        "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker>",
        "<marker id=\"arrow-cross\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\" markerUnits=\"userSpaceOnUse\">",
        "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#7b4fa0\"/></marker>",
        "<marker id=\"arrow-negative\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\" markerUnits=\"userSpaceOnUse\">",
        "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#b03a2e\"/></marker>",
        "</defs>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_breaks_long_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
