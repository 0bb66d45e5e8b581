//! What a journal line does (`Op`) and the line itself (`Record`).

use super::passage::{Coding, CodingId, Span};
use crate::core::anchor::Anchor;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What one journal line does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    Add(Coding),
    /// Carries the whole coding so that undo can put it back.
    Remove(Coding),
    /// New boundaries for a coding.
    Edit {
        id: CodingId,
        before: Span,
        after: Span,
    },
    /// The transcript changed and the coding was found again elsewhere (not undoable).
    Reanchor {
        id: CodingId,
        before: Span,
        after: Span,
    },
    Memo {
        id: CodingId,
        before: Option<String>,
        after: Option<String>,
    },
    CodeMemo {
        code: String,
        before: Option<String>,
        after: Option<String>,
    },
    /// The coder marks a coded passage as a key quote for the report (or unmarks it).
    KeyQuote {
        id: CodingId,
        before: bool,
        after: bool,
    },
    /// A memo on a transcript, which is also its respondent (None: removed).
    TranscriptMemo {
        transcript: String,
        before: Option<String>,
        after: Option<String>,
    },
    /// A dated entry of the coder's project logbook; `remove` takes one out (what undo does).
    Logbook {
        id: u64,
        /// The day it is about, `YYYY-MM-DD` (by default the day it was written).
        date: String,
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        remove: bool,
    },
    /// The coder marks a transcript done (or not).
    Done {
        transcript: String,
        done: bool,
    },
    Undo {
        target: u64,
    },
    Redo {
        target: u64,
    },
}

impl Op {
    pub(super) fn inverse(&self) -> Op {
        match self {
            Op::Add(c) => Op::Remove(c.clone()),
            Op::Remove(c) => Op::Add(c.clone()),
            Op::Edit { id, before, after } => Op::Edit {
                id: *id,
                before: after.clone(),
                after: before.clone(),
            },
            Op::Reanchor { id, before, after } => Op::Reanchor {
                id: *id,
                before: after.clone(),
                after: before.clone(),
            },
            Op::Memo { id, before, after } => Op::Memo {
                id: *id,
                before: after.clone(),
                after: before.clone(),
            },
            Op::CodeMemo {
                code,
                before,
                after,
            } => Op::CodeMemo {
                code: code.clone(),
                before: after.clone(),
                after: before.clone(),
            },
            Op::TranscriptMemo {
                transcript,
                before,
                after,
            } => Op::TranscriptMemo {
                transcript: transcript.clone(),
                before: after.clone(),
                after: before.clone(),
            },
            Op::Logbook {
                id,
                date,
                text,
                remove,
            } => Op::Logbook {
                id: *id,
                date: date.clone(),
                text: text.clone(),
                remove: !remove,
            },
            Op::Done { transcript, done } => Op::Done {
                transcript: transcript.clone(),
                done: !done,
            },
            Op::KeyQuote { id, before, after } => Op::KeyQuote {
                id: *id,
                before: *after,
                after: *before,
            },
            Op::Undo { .. } | Op::Redo { .. } => self.clone(),
        }
    }

    pub(super) fn undoable(&self) -> bool {
        !matches!(
            self,
            Op::Undo { .. } | Op::Redo { .. } | Op::Reanchor { .. }
        )
    }
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Names the line (random, unique in the journal; 1, 2, 3 in older journals). Lines are
    /// applied in file order, not by `seq`.
    pub seq: u64,
    pub at: String,
    pub coder: String,
    /// Lines written as one action share the `seq` of the first: undo takes them back together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u64>,
    /// On the first line of a batch: how many lines it has. A batch cut short by a crash is
    /// set aside whole on replay, so that an action is never half applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u64>,
    #[serde(flatten)]
    pub op: Op,
    /// On a line that places a coding: the checksum of what places it (`seal`), written by
    /// `Journal::record`. Only a line whose sum is right vouches for its coding without its
    /// text; None on lines from before sums and from other tools. Older builds ignore it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::seal::serialize",
        deserialize_with = "super::seal::deserialize"
    )]
    pub sum: Option<u64>,
}

/// One entry of a coder's project logbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub date: String,
    pub text: String,
}

impl Record {
    /// Whether the line vouches for the coding it places: Some(true) when its sum is right,
    /// Some(false) when it is wrong or missing, None when the line places no coding.
    pub fn sealed(&self) -> Option<bool> {
        let sum = super::seal::of(&self.op)?;
        Some(self.sum == Some(sum))
    }

    /// Give the line the sum of what it places (none if it places nothing): what
    /// `Journal::record` does, and what a tool that writes codewerk's journal lines must do.
    pub fn seal(&mut self) {
        self.sum = super::seal::of(&self.op);
    }

    /// One journal line, as `serde_json::from_str::<Record>` reads it. The derive for a
    /// flattened, internally tagged `op` buffers every field of the line as a generic value
    /// before it looks at the tag (an allocation per key and per string, then a second pass):
    /// at 400,000 lines that was most of reading a journal. Adds and removes, nearly every line
    /// of a large journal, are read straight into their fields instead; any other line, and one
    /// the direct reader does not take, goes through the derive, which gives the same result
    /// and the same error messages.
    pub fn parse(line: &str) -> serde_json::Result<Record> {
        match serde_json::from_str::<CodingLine>(line) {
            Ok(l) if l.op == "add" || l.op == "remove" => Ok(l.into_record()),
            _ => serde_json::from_str(line),
        }
    }
}

/// The fields of an `add` or `remove` line (see `Record::parse`): the names, defaults and
/// types of `Record` and `Coding`, with the strings that are not kept borrowed from the line.
#[derive(Deserialize)]
struct CodingLine<'a> {
    seq: u64,
    at: String,
    #[serde(borrow)]
    coder: Cow<'a, str>,
    #[serde(default)]
    batch: Option<u64>,
    #[serde(default)]
    batch_size: Option<u64>,
    #[serde(borrow)]
    op: Cow<'a, str>,
    #[serde(default)]
    id: CodingId,
    transcript: String,
    code: String,
    start: usize,
    end: usize,
    text: String,
    #[serde(default)]
    memo: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default, deserialize_with = "super::seal::deserialize")]
    sum: Option<u64>,
}

impl CodingLine<'_> {
    fn into_record(self) -> Record {
        let coding = Coding {
            id: self.id,
            transcript: self.transcript,
            code: self.code,
            start: self.start,
            end: self.end,
            text: self.text,
            memo: self.memo,
            version: self.version,
            anchor: Anchor::default(),
            line: 0,
        };
        Record {
            seq: self.seq,
            at: self.at,
            coder: self.coder.into_owned(),
            batch: self.batch,
            batch_size: self.batch_size,
            op: if self.op == "add" {
                Op::Add(coding)
            } else {
                Op::Remove(coding)
            },
            sum: self.sum,
        }
    }
}
