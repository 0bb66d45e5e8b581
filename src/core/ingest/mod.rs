//! Reading interview transcripts written by other programs: Word (`.docx`), OpenDocument
//! (`.odt`), subtitles (`.srt`, `.vtt`), speech-to-text output (Whisper/WhisperX `.json`),
//! speaker/text tables (`.csv`, `.tsv`) and plain text in the encodings Windows still writes.
//!
//! Every reader turns its file into the same thing: a list of [`RawTurn`]s (speaker label as the
//! file has it, optional start time, the spoken text) plus notes on what it converted or left
//! out. Mapping speaker labels to the project's labels and writing the project's transcript
//! format happens after this, in one place, so every format is normalised the same way.
//!
//! Readers never panic on hostile input: zips are size-capped, XML entities are not expanded,
//! and every failure is an [`IngestError`] naming what is wrong.

mod blocks;
mod docx;
mod odt;
mod subtitles;
mod table;
mod text;
mod whisper;
pub(crate) mod xml;

use super::problem::Problem;
use serde::Serialize;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// The formats codewerk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Text,
    Docx,
    Odt,
    Srt,
    Vtt,
    WhisperJson,
    Csv,
    Tsv,
}

impl Format {
    /// Every format, for tests and for listing what is supported.
    pub const ALL: [Format; 8] = [
        Format::Text,
        Format::Docx,
        Format::Odt,
        Format::Srt,
        Format::Vtt,
        Format::WhisperJson,
        Format::Csv,
        Format::Tsv,
    ];

    /// A short name for messages and `--dry-run` output.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Docx => "Word (.docx)",
            Format::Odt => "OpenDocument (.odt)",
            Format::Srt => "SubRip subtitles (.srt)",
            Format::Vtt => "WebVTT subtitles (.vtt)",
            Format::WhisperJson => "Whisper JSON",
            Format::Csv => "CSV table",
            Format::Tsv => "TSV table",
        }
    }
}

/// One turn as the source file has it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawTurn {
    /// The speaker label as written in the file ("Speaker 1", "SPEAKER_00", "Interviewer"),
    /// if it has one.
    pub speaker: Option<String>,
    /// Start time in seconds, where the file gives one.
    pub start: Option<f64>,
    /// The spoken text, without the label; may hold single line breaks.
    pub text: String,
}

impl RawTurn {
    pub fn new(speaker: Option<String>, start: Option<f64>, text: impl Into<String>) -> Self {
        RawTurn {
            speaker,
            start,
            text: text.into(),
        }
    }
}

/// A file read into turns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ingested {
    pub format: Format,
    pub turns: Vec<RawTurn>,
    /// What was converted or left out, for the user ("Windows-1252 converted to UTF-8",
    /// "2 comments left out", "tracked changes taken as accepted").
    pub notes: Vec<String>,
}

impl Ingested {
    /// The distinct speaker labels in order of first appearance.
    pub fn speakers(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in &self.turns {
            if let Some(s) = t.speaker.as_deref()
                && !out.contains(&s)
            {
                out.push(s);
            }
        }
        out
    }

    /// Number of spoken words (labels not counted).
    pub fn word_count(&self) -> usize {
        self.turns
            .iter()
            .map(|t| t.text.split_whitespace().count())
            .sum()
    }
}

/// Why a file could not be read. The caller adds the file name.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IngestError {
    #[error("unsupported file type (known: .txt, .docx, .odt, .srt, .vtt, .json, .csv, .tsv)")]
    UnsupportedType,
    #[error("the document holds no text")]
    Empty,
    #[error("{0}")]
    Malformed(String),

    #[error("this file is {0}")]
    WrongFormat(&'static str),

    // Text encodings.
    #[error("this is a binary file, not text (byte {byte:#04x} at offset {offset})")]
    Binary { offset: usize, byte: u8 },
    #[error("the file holds only zero bytes")]
    AllZero,
    #[error("this looks like UTF-16 text without a byte order mark; save it as UTF-8")]
    Utf16WithoutBom,
    #[error("invalid UTF-16 (unpaired surrogate or odd length); save the file as UTF-8")]
    InvalidUtf16,
    #[error("not valid UTF-8 at line {line}, column {column}; save the file as UTF-8")]
    InvalidUtf8 { line: usize, column: usize },

    // Zip packages (.docx, .odt).
    #[error("not a readable zip package (corrupt or truncated): {0}")]
    Zip(String),
    #[error("{part} is missing: not a {kind} document")]
    MissingPart {
        part: &'static str,
        kind: &'static str,
    },
    #[error("{part} inflates to more than {limit} bytes (a decompression bomb?)")]
    TooLarge { part: String, limit: u64 },
    #[error("the zip holds {count} entries, more than the {limit} a document has")]
    TooManyEntries { count: usize, limit: usize },
    #[error("{part} is encrypted or password-protected")]
    Encrypted { part: String },

    // XML inside packages.
    #[error("{part}: XML error at byte {offset}: {message}")]
    Xml {
        part: &'static str,
        offset: u64,
        message: String,
    },
    #[error("{part}: a DOCTYPE declaration is not allowed (entities are never expanded)")]
    Doctype { part: &'static str },
    #[error("{part}: unknown entity &{name}; (entities from a DTD are never expanded)")]
    UnknownEntity { part: &'static str, name: String },
    #[error("{part}: elements nested deeper than {limit} levels")]
    TooDeep { part: &'static str, limit: usize },
    #[error("{part}: not valid UTF-8 at byte {offset}")]
    XmlNotUtf8 { part: &'static str, offset: usize },

    // Line-oriented formats (.srt, .vtt, .csv, .tsv, .json).
    #[error("line {line}: broken timestamp line {text:?}")]
    BadTimestamp { line: usize, text: String },
    #[error("line {line}: {message}")]
    BadCue { line: usize, message: String },
    #[error("no subtitle cues found (no line with \"-->\")")]
    NoCues,
    #[error("line {line}, column {column}: invalid JSON: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("not Whisper output: {0}")]
    NotWhisper(String),
    #[error("line 1: no {wanted} column (columns: {})", found.join(", "))]
    MissingColumn {
        wanted: &'static str,
        found: Vec<String>,
    },
    #[error("line {line}: {message}")]
    Table { line: usize, message: String },
    #[error("line {line}: {value:?} is not a time (seconds or hh:mm:ss)")]
    BadTime { line: usize, value: String },
}

impl IngestError {
    /// The line the problem is on, where the format has lines.
    pub fn line(&self) -> Option<usize> {
        match self {
            IngestError::InvalidUtf8 { line, .. }
            | IngestError::BadTimestamp { line, .. }
            | IngestError::BadCue { line, .. }
            | IngestError::Json { line, .. }
            | IngestError::Table { line, .. }
            | IngestError::BadTime { line, .. } => Some(*line),
            IngestError::MissingColumn { .. } => Some(1),
            _ => None,
        }
    }

    /// The error as a user-facing problem with the file (and line, where there is one).
    pub fn problem(&self, file: &Path) -> Problem {
        let p = Problem::error(file, self.to_string());
        match self {
            IngestError::InvalidUtf8 { line, column } | IngestError::Json { line, column, .. } => {
                p.at(*line, Some(*column))
            }
            _ => match self.line() {
                Some(line) => p.at(line, None),
                None => p,
            },
        }
    }
}

/// The largest inflated size of one zip entry we accept (a decompression bomb guard). It is also
/// the budget for all entries of one package together.
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;

/// The most zip entries a package may hold. Word and LibreOffice write a few dozen; the central
/// directory is parsed before this check, but its size is bounded by the file's own.
pub const MAX_ZIP_ENTRIES: usize = 10_000;

/// The deepest XML element nesting we follow. Word nests tables in tables, but not this deep.
pub const MAX_XML_DEPTH: usize = 512;

/// Caps on what a reader will do with one file (the defaults are the constants above; tests
/// use small ones).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub inflated: u64,
    pub entries: usize,
    pub depth: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        inflated: MAX_INFLATED_BYTES,
        entries: MAX_ZIP_ENTRIES,
        depth: MAX_XML_DEPTH,
    };
}

/// Which reader a file needs, from its extension (case ignored).
pub fn detect(path: &Path) -> Result<Format, IngestError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    Ok(match ext.as_str() {
        "txt" | "text" => Format::Text,
        "docx" => Format::Docx,
        "odt" => Format::Odt,
        "srt" => Format::Srt,
        "vtt" => Format::Vtt,
        "json" => Format::WhisperJson,
        "csv" => Format::Csv,
        "tsv" => Format::Tsv,
        _ => return Err(IngestError::UnsupportedType),
    })
}

/// Read a file's bytes into turns.
pub fn read(path: &Path, bytes: &[u8]) -> Result<Ingested, IngestError> {
    read_as(detect(path)?, bytes)
}

/// Read bytes as the given format.
pub fn read_as(format: Format, bytes: &[u8]) -> Result<Ingested, IngestError> {
    read_with(format, bytes, &Limits::DEFAULT)
}

pub(crate) fn read_with(
    format: Format,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Ingested, IngestError> {
    let mut notes = Vec::new();
    let turns = match format {
        Format::Text => text::read(bytes, &mut notes)?,
        Format::Docx => docx::read(bytes, limits, &mut notes)?,
        Format::Odt => odt::read(bytes, limits, &mut notes)?,
        Format::Srt => subtitles::read(bytes, false, &mut notes)?,
        Format::Vtt => subtitles::read(bytes, true, &mut notes)?,
        Format::WhisperJson => whisper::read(bytes, &mut notes)?,
        Format::Csv => table::read(bytes, None, &mut notes)?,
        Format::Tsv => table::read(bytes, Some(b'\t'), &mut notes)?,
    };
    finish(format, turns, notes)
}

/// Normalise every turn the same way, whatever the format: NFC, LF only, no control
/// characters, no blank lines inside a turn (they would split it in the project's format),
/// trimmed, and no empty turns.
fn finish(
    format: Format,
    turns: Vec<RawTurn>,
    notes: Vec<String>,
) -> Result<Ingested, IngestError> {
    let turns: Vec<RawTurn> = turns
        .into_iter()
        .filter_map(|t| {
            let text = clean_text(&t.text);
            if text.is_empty() {
                return None;
            }
            let speaker = t.speaker.map(|s| clean_line(&s)).filter(|s| !s.is_empty());
            let start = t.start.filter(|s| s.is_finite() && *s >= 0.0);
            Some(RawTurn {
                speaker,
                start,
                text,
            })
        })
        .collect();
    if turns.is_empty() {
        return Err(IngestError::Empty);
    }
    Ok(Ingested {
        format,
        turns,
        notes,
    })
}

/// A turn's text normalised: NFC, LF line ends, tabs and odd spaces as plain spaces, other
/// control characters dropped, each line trimmed, blank lines removed.
pub(crate) fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']) {
        // NFC per line: nothing composes across a line break.
        let line = clean_line(line);
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line);
    }
    out
}

/// One line normalised: NFC, whitespace runs as one space, control characters and BOMs
/// dropped, trimmed.
pub(crate) fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfc() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if c.is_control() || c == '\u{feff}' || c == '\u{200b}' {
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
