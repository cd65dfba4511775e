//! CSV as collabmap writes it, for spreadsheets: every cell that a
//! spreadsheet would run as a formula is neutralised.
//!
//! A person's name, an organisation or a quote can come from anyone (an
//! imported project, a survey link). A cell beginning with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is taken as a formula by Excel, LibreOffice
//! and Google Sheets, so such a cell gets a leading `'`, as OWASP recommends
//! for CSV injection. Numbers (`-3`, `+1.5`) are left as they are. Every CSV
//! the project writes goes through [`CsvWriter`]; a test keeps it that way.

use std::borrow::Cow;

/// The cell as written: unchanged, or with a leading `'` when a spreadsheet would run it.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.trim().parse::<f64>().map_or(true, |n| !n.is_finite()) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// A CSV text that could not be finished (the in-memory writer failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot finish the CSV: {0}")]
pub struct CsvError(String);

/// A CSV writer into memory whose cells are all [`spreadsheet_safe`].
#[derive(Debug)]
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        CsvWriter::new()
    }
}

impl CsvWriter {
    /// An empty CSV text.
    pub fn new() -> Self {
        CsvWriter { inner: csv::Writer::from_writer(Vec::new()) }
    }

    /// Writes one row.
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.inner.write_record(record.into_iter().map(|cell| spreadsheet_safe(cell.as_ref()).into_owned()))
    }

    /// The text written.
    pub fn into_string(self) -> Result<String, CsvError> {
        let bytes = self.inner.into_inner().map_err(|e| CsvError(e.to_string()))?;
        // Every cell came in as `str`, so the bytes are UTF-8; this guards the writer, not the data.
        String::from_utf8(bytes).map_err(|e| CsvError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\",\"x\")", "'=HYPERLINK(\"http://x\",\"x\")"),
            ("+cmd", "'+cmd"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("-3", "-3"),
            ("+1.5", "+1.5"),
            ("-0.25", "-0.25"),
            ("Ann", "Ann"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), written, "{cell:?}");
        }
    }

    #[test]
    fn every_cell_of_a_row_is_safe() {
        let mut writer = CsvWriter::new();
        writer.write_record(["id", "name"]).expect("write");
        writer.write_record(["p1", "=1+1"]).expect("write");
        assert_eq!(writer.into_string().expect("text"), "id,name\np1,'=1+1\n");
    }
}
