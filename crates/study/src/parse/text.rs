//! Turning a file's bytes into text, and measuring indentation.

/// Decodes UTF-8 (dropping a byte-order mark), or says where it is not UTF-8.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, (usize, String)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = error.valid_up_to();
        let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        (line, format!("the file is not valid UTF-8 (byte {} of the file): save it as UTF-8", valid + 1))
    })
}

/// The column of the first non-blank character; a tab advances to the next multiple of four.
pub(crate) fn indentation(line: &str) -> usize {
    let mut column = 0;
    for c in line.chars() {
        match c {
            ' ' => column += 1,
            '\t' => column = (column / 4 + 1) * 4,
            _ => break,
        }
    }
    column
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_and_spaces() {
        assert_eq!(indentation("\t- a"), 4);
        assert_eq!(indentation("  \t- a"), 4);
        assert_eq!(indentation("     - a"), 5);
    }

    #[test]
    fn bad_utf8_has_a_line() {
        let (line, message) = decode(b"a\nb\n\xff").expect_err("invalid");
        assert_eq!(line, 3);
        assert!(message.contains("UTF-8"));
        assert_eq!(decode(b"\xEF\xBB\xBFok"), Ok("ok"));
    }
}
