//! A small XML writer. The exchange files are flat, element-by-element
//! documents written once in order; an escaping writer is all they need,
//! and it keeps the output byte-stable for tests.

/// Text fit for an XML attribute or element: markup characters escaped and
/// characters XML 1.0 forbids (most control characters) left out.
pub(crate) fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// An XML document being written, with indentation by depth.
pub(crate) struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    pub(crate) fn new() -> Writer {
        Writer { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), depth: 0 }
    }

    fn attributes(attributes: &[(&str, &str)]) -> String {
        attributes.iter().map(|(k, v)| format!(" {k}=\"{}\"", text(v))).collect()
    }

    /// `<name attributes>` and one level deeper.
    pub(crate) fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push_str(&format!("<{name}{}>\n", Writer::attributes(attributes)));
        self.depth += 1;
    }

    /// `</name>`.
    pub(crate) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push_str(&format!("</{name}>\n"));
    }

    /// `<name attributes/>`.
    pub(crate) fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push_str(&format!("<{name}{}/>\n", Writer::attributes(attributes)));
    }

    /// `<name>text</name>`.
    pub(crate) fn leaf(&mut self, name: &str, attributes: &[(&str, &str)], content: &str) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push_str(&format!("<{name}{}>{}</{name}>\n", Writer::attributes(attributes), text(content)));
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_are_made_safe() {
        assert_eq!(text("a<b & \"c\"\u{1}\u{7}\n"), "a&lt;b &amp; &quot;c&quot;\n");
    }
}
