//! Problems: what is wrong with a study, where, and how to fix it.

use std::fmt;

/// One thing wrong with a study, pinned to a file and a line.
///
/// The same type travels from the parser to every surface (the command
/// line's standard error, an HTTP 422 body, an editor gutter), so the file
/// and line are never lost on the way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Problem {
    /// The file's path relative to the study folder, with `/` separators.
    pub path: String,
    /// The 1-based line the problem is on (1 for problems with the whole file).
    pub line: usize,
    /// What is wrong, and where it helps, how to fix it.
    pub message: String,
}

impl Problem {
    /// A problem at `path:line`.
    pub fn new(path: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Problem { path: path.into(), line: line.max(1), message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

/// The known word closest to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowered = word.to_lowercase();
    let length = lowered.chars().count();
    let mut best: Option<(&str, f64)> = None;
    for candidate in known {
        // No candidate more than 3 characters longer or shorter can be within
        // the allowed distance; skipping it keeps a look-up cheap in a large codebook.
        if candidate.chars().count().abs_diff(length) > 3 {
            continue;
        }
        let distance = strsim::damerau_levenshtein(&lowered, &candidate.to_lowercase());
        let allowed = (candidate.chars().count() / 3).clamp(1, 3);
        if candidate == word || distance > allowed {
            continue;
        }
        let score = strsim::normalized_damerau_levenshtein(&lowered, &candidate.to_lowercase());
        // Ties go to the first candidate in sorted order, so the hint never depends on
        // the order a set is walked in (the same study must give the same problems).
        if best.is_none_or(|(c, s)| score > s || (score == s && candidate < c)) {
            best = Some((candidate, score));
        }
    }
    best.map(|(c, _)| c)
}

/// A " (did you mean X?)" suffix, or nothing.
pub(crate) fn suggestion<'a>(word: &str, known: impl IntoIterator<Item = &'a str>, prefix: &str) -> String {
    did_you_mean(word, known).map(|s| format!(" (did you mean {prefix}{s}?)")).unwrap_or_default()
}

/// Converts a byte offset in `text` to a 1-based line number.
///
/// Counts from the start each time: for many look-ups in one text, build a
/// [`LineIndex`] instead.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The line starts of one text, so that any number of byte offsets become
/// line numbers in logarithmic time each (a parser that asked
/// [`line_of_offset`] for every element would be quadratic).
///
/// Lines end at `\n`; a `\r\n` ending is one line break, as Excel and
/// Windows editors write it, so CRLF files get the same numbers as LF files.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the first byte after each `\n`.
    breaks: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`'s line breaks (one pass).
    pub fn new(text: &[u8]) -> Self {
        LineIndex { breaks: text.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1).collect() }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.breaks.partition_point(|&start| start <= offset) + 1
    }

    /// The line a CSV record starting at `offset` of `text` is on. The csv
    /// crate starts a record after `\r` and so, in a CRLF file, on the `\n`
    /// that ends the line before; a record never starts with a line break,
    /// so breaks at `offset` are stepped over.
    pub fn line_of_record(&self, text: &[u8], offset: usize) -> usize {
        let skipped = text.get(offset..).map_or(0, |rest| rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count());
        self.line(offset + skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let known = ["common-purpose", "share-power", "whole-system"];
        assert_eq!(did_you_mean("comon-purpose", known), Some("common-purpose"));
        assert_eq!(did_you_mean("sharepower", known), Some("share-power"));
        assert_eq!(did_you_mean("budget", known), None);
    }

    #[test]
    fn offsets_become_lines() {
        assert_eq!(line_of_offset("a\nb\nc", 0), 1);
        assert_eq!(line_of_offset("a\nb\nc", 2), 2);
        assert_eq!(line_of_offset("a\nb\nc", 99), 3);
    }

    #[test]
    fn the_line_index_agrees_with_counting_for_lf_and_crlf() {
        for text in ["a\nb\n\nc", "a\r\nb\r\n\r\nc", "", "\n", "x\r\n"] {
            let index = LineIndex::new(text.as_bytes());
            for offset in 0..=text.len() + 2 {
                assert_eq!(index.line(offset), line_of_offset(text, offset), "{text:?} at {offset}");
            }
        }
    }
}
