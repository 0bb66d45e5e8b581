//! What can go wrong making an export.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("unknown {what} \"{value}\" (known: {known})")]
    Unknown {
        what: &'static str,
        value: String,
        known: String,
    },
    #[error("`export {kind}` cannot be written as {format}; use one of: {allowed}")]
    Format {
        kind: &'static str,
        format: &'static str,
        allowed: String,
    },
    #[error("{0}")]
    Usage(String),
    #[error("{} exists already; use --force to replace it, or another --out", .0.display())]
    Exists(PathBuf),
    #[error("cannot write the workbook: {0}")]
    Xlsx(String),
    #[error("cannot encode the export: {0}")]
    Encode(String),
    /// The OS error is in the message and not a `source`, so it is printed once.
    #[error("cannot write {}: {err}", path.display())]
    Io { path: PathBuf, err: std::io::Error },
}
