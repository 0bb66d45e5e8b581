//! Codings that are not exactly where they were made, after their transcript was edited: the
//! list `codewerk check` prints, and the re-anchorings `codewerk check --fix` writes.

use super::coding::{Anchor, CoderState, Coding, CodingId, Journal, Op, Span};
use super::project::Project;
use super::transcript::Transcript;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Carried to the new text with certainty.
    Moved,
    /// Its text fits several places: flagged, not counted.
    Ambiguous,
    /// Its text is gone: flagged, not counted.
    Orphaned,
}

/// A character range, with the line it starts on when it is in the current text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    pub start: usize,
    pub end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub status: Status,
    pub coder: String,
    pub transcript: String,
    pub id: CodingId,
    pub code: String,
    pub text: String,
    /// Where it was, in the version of the transcript it was made on.
    pub old: Place,
    /// Where it is now (moved codings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Place>,
    /// Places in the current text its text could be (ambiguous codings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Place>,
}

fn line_of(t: &Transcript, at: usize) -> usize {
    t.slice(0, at).matches('\n').count() + 1
}

fn item(p: &Project, coder: &str, c: &Coding) -> Option<Item> {
    let len = c.text.chars().count();
    let here = |start: usize| Place {
        start,
        end: start + len,
        line: p.transcript(&c.transcript).map(|t| line_of(t, start)),
    };
    let old = |start: usize| Place {
        start,
        end: start + len,
        line: None,
    };
    let (status, old, new, candidates) = match &c.anchor {
        Anchor::Exact => return None,
        Anchor::Moved { from } => (Status::Moved, old(*from), Some(here(c.start)), vec![]),
        Anchor::Ambiguous { candidates } => (
            Status::Ambiguous,
            old(c.start),
            None,
            candidates.iter().map(|&s| here(s)).collect(),
        ),
        Anchor::Orphaned => (Status::Orphaned, old(c.start), None, vec![]),
    };
    Some(Item {
        status,
        coder: coder.to_string(),
        transcript: c.transcript.clone(),
        id: c.id,
        code: c.code.clone(),
        text: c.text.clone(),
        old,
        new,
        candidates,
    })
}

/// Every coding of every coder that is not exactly where it was made, flagged ones last.
pub fn items(p: &Project) -> Vec<Item> {
    let mut out: Vec<Item> = p
        .coders
        .iter()
        .flat_map(|(coder, s)| s.codings.values().filter_map(move |c| item(p, coder, c)))
        .collect();
    out.sort_by(|a, b| {
        (
            a.status,
            &a.coder,
            p.index_of(&a.transcript),
            a.old.start,
            a.id,
        )
            .cmp(&(
                b.status,
                &b.coder,
                p.index_of(&b.transcript),
                b.old.start,
                b.id,
            ))
    });
    out
}

/// What `check --fix` writes to one coder's journal.
#[derive(Debug, Default)]
pub struct FixPlan {
    pub ops: Vec<Op>,
    /// Codings carried to a new place.
    pub moved: usize,
    /// Codings carried through an edit elsewhere: same offsets, new version.
    pub carried: usize,
    /// Codings made before versions were kept, on the current text: their version recorded.
    pub stamped: usize,
    /// Ambiguous and orphaned codings, left for review.
    pub left: usize,
}

/// The re-anchorings of `journal` (opened through `Project::open_journal`, so carried to the
/// current texts) that are certain: one `Reanchor` op each, from the place the journal has to
/// the place in the current text, with its version.
pub fn plan_fix(p: &Project, journal: &Journal) -> FixPlan {
    let mut plan = FixPlan::default();
    // The journal as written, before carrying: the `before` of each op.
    let written = CoderState::load(&journal.path, journal.coder()).unwrap_or_default();
    for c in journal.state.codings.values() {
        let Some(t) = p.transcript(&c.transcript) else {
            continue;
        };
        if c.anchor.is_flagged() {
            plan.left += 1;
            continue;
        }
        let Some(before) = written.codings.get(&c.id).map(Coding::span) else {
            continue;
        };
        let after = Span::of(t, c.start, c.end);
        if before == after {
            continue;
        }
        match c.anchor {
            Anchor::Moved { from } if from != c.start => plan.moved += 1,
            _ if before.version.is_none() && (before.start, before.end) == (c.start, c.end) => {
                plan.stamped += 1;
            }
            _ => plan.carried += 1,
        }
        plan.ops.push(Op::Reanchor {
            id: c.id,
            before,
            after,
        });
    }
    plan
}
