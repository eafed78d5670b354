//! Located problems in a fleet file. Every error names the file, the line and
//! column (from the `toml` crate's byte spans) and the field as a dotted path,
//! and a run collects all of them so one edit fixes a whole review.

use std::fmt;
use std::ops::Range;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// A fleet file as read: its name for messages, its text and its hash.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given on the command line.
    pub name: String,
    /// The directory relative key-file paths and key commands start from.
    pub dir: std::path::PathBuf,
    /// The file's text.
    pub text: String,
    /// Which key-file paths it may name.
    pub key_file_reach: super::keyref::KeyFileReach,
}

impl SourceFile {
    /// Reads `path`; a file that is not UTF-8 is refused at the line and
    /// column of its first byte that is not.
    pub fn read(path: &std::path::Path) -> Result<SourceFile, super::FleetError> {
        let bytes = std::fs::read(path).map_err(|e| super::FleetError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(path, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let byte = e.as_bytes()[at];
                // Up to `at` the lossy text has the file's own bytes, so the
                // position is the file's.
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let src = SourceFile::new(path, lossy);
                let mut diags = Diagnostics::default();
                diags.push(src.error(
                    at..at,
                    "(encoding)",
                    format!("byte 0x{byte:02X} is not UTF-8; save the file as UTF-8"),
                ));
                Err(super::FleetError::Invalid(diags))
            }
        }
    }

    /// A source with the given text (tests and benchmarks).
    pub fn new(path: &std::path::Path, text: String) -> SourceFile {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| ".".into());
        SourceFile {
            name: path.display().to_string(),
            dir,
            text,
            key_file_reach: Default::default(),
        }
    }

    /// SHA-256 of the file's bytes, lowercase hex: what the audit log records.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }

    /// The file name without its directory (for the audit actor).
    pub fn file_name(&self) -> String {
        std::path::Path::new(&self.name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.name.clone())
    }

    /// A problem at byte span `span` of this file.
    pub fn error(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = self.line_column(span.start);
        Diagnostic {
            file: self.name.clone(),
            line,
            column,
            field: field.into(),
            message: message.into(),
        }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(&self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }
}

/// One located problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The fleet file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The field as a dotted path (`instances.acme.model`).
    pub field: String,
    /// The rule that was broken.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.field, self.message
        )
    }
}

/// Every problem found in one run, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when empty, else every problem sorted by position.
    pub fn into_result<T>(mut self, value: T) -> Result<T, super::FleetError> {
        if self.0.is_empty() {
            return Ok(value);
        }
        self.0.sort_by_key(|d| (d.line, d.column));
        self.0.dedup();
        Err(super::FleetError::Invalid(self))
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "the fleet file has {n} problem{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for (i, d) in self.0.iter().enumerate() {
            if i + 1 < n {
                writeln!(f, "  {d}")?;
            } else {
                write!(f, "  {d}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_in_characters() {
        let src = SourceFile::new("f.toml".as_ref(), "a = 1\nbé = 2\n".into());
        assert_eq!(src.line_column(0), (1, 1));
        assert_eq!(src.line_column(6), (2, 1));
        // "bé = " is 6 bytes but 5 characters.
        assert_eq!(src.line_column(12), (2, 6));
        assert_eq!(src.dir, std::path::PathBuf::from("."));
    }

    #[test]
    fn display_names_file_line_column_and_field() {
        let src = SourceFile::new("dir/fleet.toml".as_ref(), "x\nmodel = 3".into());
        let d = src.error(10..11, "defaults.model", "must be a string");
        assert_eq!(
            d.to_string(),
            "dir/fleet.toml:2:9: defaults.model: must be a string"
        );
        assert_eq!(src.file_name(), "fleet.toml");
    }
}
