//! REFI-QDA interchange: codebooks (`.qdc`) and whole projects (`.qdpx`) with ATLAS.ti, MAXQDA,
//! NVivo, QualCoder and Taguette.
//!
//! Both directions go through one model of the standard ([`Qda`]): export builds it from a
//! project and writes it strictly (element order as the schemas demand, empty containers left
//! out, deterministic bytes); import reads it leniently (any namespace version, any element
//! order, braces on GUIDs, `Sources/` or `sources/`, a `.qde` of any name) and converts it into
//! a project, listing in an [`ImportReport`] everything it kept, converted or left out.
//!
//! Mapping choices (also in the README): deelvragen and categories become non-codable parent
//! codes (`isCodable="false"`), because every program shows a code tree but few show code Sets;
//! a deelvraag's parent code is named `Deelvraag N: title`, which import recognises again.

mod export;
mod import;
mod read;
mod write;

pub use export::{ExportSummary, export_qdc, export_qdpx};
pub use import::{
    ImportOptions, extend_project, import_qdc, import_qdpx, read_qdpx, read_qdpx_file,
};

use super::codebook::Rgb;
use super::ingest::IngestError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RefiError {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{0}")]
    Journal(#[from] super::coding::JournalError),
    #[error("{file}: {source}")]
    Package {
        file: PathBuf,
        #[source]
        source: IngestError,
    },
    #[error("{file}: {message}")]
    Invalid { file: PathBuf, message: String },
    #[error("{0}")]
    Project(String),
    #[error("{path} exists and is not empty: import into a new or empty folder")]
    TargetNotEmpty { path: PathBuf },
}

impl RefiError {
    pub(crate) fn invalid(file: &std::path::Path, message: impl Into<String>) -> Self {
        RefiError::Invalid {
            file: file.to_path_buf(),
            message: message.into(),
        }
    }
}

/// A code of the standard: nesting is the hierarchy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QdaCode {
    pub guid: String,
    pub name: String,
    pub codable: bool,
    pub color: Option<Rgb>,
    pub description: String,
    pub notes: Vec<String>,
    pub children: Vec<QdaCode>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QdaUser {
    pub guid: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QdaCoding {
    pub guid: String,
    pub code: String,
    pub user: Option<String>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QdaSelection {
    pub guid: String,
    pub start: i64,
    pub end: i64,
    pub user: Option<String>,
    pub description: String,
    pub codings: Vec<QdaCoding>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceKind {
    #[default]
    Text,
    Picture,
    Pdf,
    Audio,
    Video,
}

impl SourceKind {
    pub fn element(self) -> &'static str {
        match self {
            SourceKind::Text => "TextSource",
            SourceKind::Picture => "PictureSource",
            SourceKind::Pdf => "PDFSource",
            SourceKind::Audio => "AudioSource",
            SourceKind::Video => "VideoSource",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QdaSource {
    pub guid: String,
    pub name: String,
    pub kind: SourceKind,
    pub plain_text_path: Option<String>,
    /// The text: inline `PlainTextContent`, or (export) what goes into `sources/`.
    pub text: Option<String>,
    pub selections: Vec<QdaSelection>,
    /// Codings of the whole source.
    pub codings: Vec<QdaCoding>,
    pub notes: Vec<String>,
    /// (variable GUID, value).
    pub values: Vec<(String, String)>,
    pub user: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QdaNote {
    pub guid: String,
    pub name: String,
    pub user: Option<String>,
    pub text: String,
    pub plain_text_path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QdaVariable {
    pub guid: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QdaCase {
    pub guid: String,
    pub name: String,
    pub values: Vec<(String, String)>,
    pub sources: Vec<String>,
    pub selections: usize,
    pub code_refs: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QdaSet {
    pub guid: String,
    pub name: String,
    pub codes: Vec<String>,
    pub sources: Vec<String>,
    pub notes: Vec<String>,
}

/// A REFI-QDA project (or, with only `codes`, a codebook).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Qda {
    pub name: String,
    pub origin: String,
    pub description: String,
    pub users: Vec<QdaUser>,
    pub codes: Vec<QdaCode>,
    pub variables: Vec<QdaVariable>,
    pub cases: Vec<QdaCase>,
    pub sources: Vec<QdaSource>,
    pub notes: Vec<QdaNote>,
    pub sets: Vec<QdaSet>,
    pub project_notes: Vec<String>,
    /// Elements the reader met but the model does not hold, with their counts.
    pub unread: BTreeMap<String, usize>,
}

impl Qda {
    pub fn code_count(&self) -> usize {
        fn count(cs: &[QdaCode]) -> usize {
            cs.iter().map(|c| 1 + count(&c.children)).sum()
        }
        count(&self.codes)
    }
}

/// How positions of one source were read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PositionUnit {
    pub source: String,
    /// "code points", "UTF-16 code units", each "with CRLF as 2" or "with CRLF as 1".
    pub unit: String,
    /// Why: selections on word boundaries per candidate unit, or "all units agree".
    pub evidence: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Counts {
    pub users: usize,
    pub sources: usize,
    pub codes: usize,
    pub selections: usize,
    pub codings: usize,
    pub memos: usize,
    pub cases: usize,
    pub variables: usize,
    pub sets: usize,
}

/// What an import read, wrote, converted and left out. Nothing is dropped without a line here.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub file: PathBuf,
    pub origin: String,
    pub read: Counts,
    pub written: Counts,
    /// How things were converted ("2 CRLF sources: line breaks made LF, positions mapped").
    pub converted: Vec<String>,
    /// Element kinds not carried over, with their counts.
    pub left_out: BTreeMap<String, usize>,
    /// Single items skipped, each with its reason.
    pub skipped: Vec<String>,
    pub positions: Vec<PositionUnit>,
    pub target: Option<PathBuf>,
}

impl ImportReport {
    pub(crate) fn leave_out(&mut self, what: impl Into<String>, n: usize) {
        if n > 0 {
            *self.left_out.entry(what.into()).or_default() += n;
        }
    }

    /// The report as text, for the terminal.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let c = |c: &Counts| {
            format!(
                "{} users, {} sources, {} codes, {} selections, {} codings, {} memos, {} cases, \
                 {} variables, {} sets",
                c.users,
                c.sources,
                c.codes,
                c.selections,
                c.codings,
                c.memos,
                c.cases,
                c.variables,
                c.sets
            )
        };
        let _ = writeln!(
            s,
            "Read {} ({}):\n  {}",
            self.file.display(),
            if self.origin.is_empty() {
                "no origin given"
            } else {
                &self.origin
            },
            c(&self.read)
        );
        match &self.target {
            Some(t) => {
                let _ = writeln!(s, "Wrote {}:\n  {}", t.display(), c(&self.written));
            }
            None => {
                let _ = writeln!(s, "Would write (nothing written):\n  {}", c(&self.written));
            }
        }
        // One line per unit and reason: 45 sources read the same way need not be 45 lines.
        let mut groups: Vec<(&str, &str, Vec<&str>)> = Vec::new();
        for p in &self.positions {
            match groups
                .iter_mut()
                .find(|g| g.0 == p.unit && g.1 == p.evidence)
            {
                Some(g) => g.2.push(&p.source),
                None => groups.push((&p.unit, &p.evidence, vec![&p.source])),
            }
        }
        for (unit, evidence, sources) in groups {
            let names = if sources.len() > 3 {
                format!("{} sources", sources.len())
            } else {
                sources.join(", ")
            };
            let _ = writeln!(s, "Positions of {names}: {unit} ({evidence})");
        }
        if !self.converted.is_empty() {
            let _ = writeln!(s, "Converted:");
            for line in &self.converted {
                let _ = writeln!(s, "  {line}");
            }
        }
        if !self.left_out.is_empty() {
            let _ = writeln!(s, "Left out:");
            for (what, n) in &self.left_out {
                let _ = writeln!(s, "  {n} × {what}");
            }
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(s, "Skipped:");
            for line in &self.skipped {
                let _ = writeln!(s, "  {line}");
            }
        }
        if self.left_out.is_empty() && self.skipped.is_empty() {
            let _ = writeln!(s, "Nothing was left out.");
        }
        s
    }
}

/// A GUID that is the same at every export of the same thing (users, selections, cases are not
/// stored with GUIDs in codewerk): 128 bits of FNV-1a of `key`, in the 8-4-4-4-12 form.
pub fn stable_guid(key: &str) -> String {
    let a = super::transcript::fnv1a(key.as_bytes());
    let b = super::transcript::fnv1a(format!("{key}\u{0}refi").as_bytes());
    format_guid(a, b)
}

/// A random (version 4) GUID, lower case, as NOTES.md recommends for new codes.
pub fn random_guid() -> String {
    let a = getrandom::u64().unwrap_or_else(|_| stable_hash_now());
    let b = getrandom::u64().unwrap_or_else(|_| stable_hash_now().rotate_left(17));
    let a = (a & !0xF000) | 0x4000;
    let b = (b & !(0xC000 << 48)) | (0x8000 << 48);
    format_guid(a, b)
}

fn stable_hash_now() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    super::transcript::fnv1a(&nanos.to_le_bytes())
}

fn format_guid(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// GUIDs compare case-insensitively with braces stripped; what is no GUID compares as itself.
pub(crate) fn guid_key(g: &str) -> String {
    super::codebook::normalise_guid(g).unwrap_or_else(|| g.trim().to_ascii_lowercase())
}

#[cfg(test)]
mod tests;
