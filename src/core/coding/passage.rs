//! A coded passage (`Coding`) and a place in a transcript's text (`Span`).

use crate::core::anchor::Anchor;
use crate::core::transcript::Transcript;
use serde::{Deserialize, Serialize};

pub type CodingId = u64;

/// One coded passage: a code applied to a character range of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    /// Unique within the coder's journal, and across the machines it is coded on: random for
    /// new codings, the line's `seq` in journals from before that.
    #[serde(default)]
    pub id: CodingId,
    pub transcript: String,
    pub code: String,
    /// Character offsets (Unicode scalar values), end exclusive.
    pub start: usize,
    pub end: usize,
    /// The quoted text, kept to re-anchor the coding if the transcript changes.
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// The version (`Transcript::version`) of the text the offsets refer to; None on lines
    /// written before versions were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip)]
    pub anchor: Anchor,
    /// Line of the journal that added it, for messages.
    #[serde(skip)]
    pub line: usize,
}

impl Coding {
    /// A new coding of `start..end` in `t`, quoting the text there (the id is given when the
    /// journal writes it).
    pub fn quoted(t: &Transcript, code: &str, start: usize, end: usize) -> Coding {
        Coding {
            id: 0,
            transcript: t.id.clone(),
            code: code.to_string(),
            start,
            end,
            text: t.slice(start, end).to_string(),
            memo: None,
            version: Some(t.version().to_string()),
            anchor: Anchor::Exact,
            line: 0,
        }
    }

    /// Its place, as an edit or re-anchoring records it.
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
            text: self.text.clone(),
            version: self.version.clone(),
        }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        self.start < end && start < self.end
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The transcript version the offsets refer to (None: unchanged, or not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Span {
    /// `start..end` of `t` as it is now.
    pub fn of(t: &Transcript, start: usize, end: usize) -> Span {
        Span {
            start,
            end,
            text: t.slice(start, end).to_string(),
            version: Some(t.version().to_string()),
        }
    }
}
