//! Problems found while loading a project: every one names its file and, where it applies, the
//! line and column, so that a researcher can go straight to the place to fix.

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn error(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            file: file.as_ref().to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn warning(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(file, message)
        }
    }

    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {kind}: {}", self.message)
    }
}

/// `line_col` for many offsets in ascending order, each counted on from the one before: linear
/// in the text, however many offsets are asked for. An offset before the previous one is counted
/// from the start again.
pub struct LineCols<'a> {
    text: &'a str,
    /// Byte offset counted up to, its line, and its column (0-based, in characters).
    byte: usize,
    line: usize,
    column: usize,
}

impl<'a> LineCols<'a> {
    pub fn new(text: &'a str) -> Self {
        LineCols {
            text,
            byte: 0,
            line: 1,
            column: 0,
        }
    }

    /// 1-based line and column (in characters) of `byte`, as `line_col` gives. The column is
    /// counted on too: a codebook written on one line is one long line.
    pub fn at(&mut self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        if byte < self.byte {
            *self = LineCols::new(self.text);
        }
        for &b in &self.text.as_bytes()[self.byte..byte] {
            if b == b'\n' {
                self.line += 1;
                self.column = 0;
            } else if b & 0xC0 != 0x80 {
                // Not a UTF-8 continuation byte: a character starts here.
                self.column += 1;
            }
        }
        self.byte = byte;
        (self.line, self.column + 1)
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let byte = byte.min(text.len());
    let before = &text.as_bytes()[..byte];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "één\ncoördinator x";
        let byte = text.find('x').unwrap();
        assert_eq!(line_col(text, byte), (2, 13));
        assert_eq!(line_col(text, 0), (1, 1));
    }

    #[test]
    fn display_names_file_line_and_column() {
        let p = Problem::error("a/b.json", "bad").at(3, Some(7));
        assert_eq!(p.to_string(), "a/b.json:3:7: error: bad");
    }

    #[test]
    fn line_cols_in_order_equal_line_col() {
        let text = "ab\ncö\n\nd\neé";
        let mut lc = LineCols::new(text);
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .chain([3, 0, text.len()])
            .collect();
        for b in offsets {
            assert_eq!(lc.at(b), line_col(text, b), "byte {b}");
        }
    }
}
