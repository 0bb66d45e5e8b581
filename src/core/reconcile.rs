//! Second-round coding: starting a recoder from a copy of another coder's codings, and building a
//! consensus coder by deciding each disagreement between two coders.
//!
//! Nothing here writes a file directly: every change is a list of `Op`s recorded through
//! `Journal::record`, so it is journaled, fsynced and undoable (one decision = one action) like
//! any coding. The `plan_*` functions compute the ops without writing, for previews and tests.

use super::agreement::{Comparison, Disagreement};
use super::coding::{CoderState, Coding, Journal, JournalError, Op};
use super::project::Project;
use super::transcript::Transcript;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, thiserror::Error)]
pub enum RecodeError {
    #[error("coder \"{0}\" has no journal to copy from (codings/{0}.jsonl)")]
    NoSource(String),
    #[error("cannot copy coder \"{0}\" onto itself")]
    SameCoder(String),
    #[error(
        "coder \"{coder}\" already has {count} coding(s); recoding starts from a new or empty \
         journal (use --force to add the copies anyway; identical codings are skipped)"
    )]
    TargetNotEmpty { coder: String, count: usize },
    #[error("cannot write the journal: {0}")]
    Journal(#[from] JournalError),
}

/// What copying one coder's codings to another would do.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CopyPlan {
    #[serde(skip)]
    pub ops: Vec<Op>,
    /// Codings to be added.
    pub copied: usize,
    /// Skipped: the target already has the same code on the same range.
    pub already_present: usize,
    /// Skipped: the coding's text is no longer in its transcript.
    pub orphaned: usize,
}

fn coding(t: &Transcript, code: &str, start: usize, end: usize, memo: Option<String>) -> Coding {
    Coding {
        memo,
        ..Coding::quoted(t, code, start, end)
    }
}

type Key = (String, String, usize, usize);

fn key(c: &Coding) -> Key {
    (c.transcript.clone(), c.code.clone(), c.start, c.end)
}

/// Plan copying `source`'s codings into `target`: in transcript and text order, with fresh ids
/// and without memos (a memo is its author's note; the copy is the recoder's). Done marks are
/// not copied either: the recoder has not looked at anything yet.
pub fn plan_copy(project: &Project, source: &CoderState, target: &CoderState) -> CopyPlan {
    let mut plan = CopyPlan::default();
    let mut present: HashSet<Key> = target.codings.values().map(key).collect();
    let mut list: Vec<(usize, &Coding)> = Vec::new();
    for c in source.codings.values() {
        if c.anchor.is_flagged() {
            plan.orphaned += 1;
            continue;
        }
        match project.index_of(&c.transcript) {
            Some(ti) => list.push((ti, c)),
            None => plan.orphaned += 1,
        }
    }
    list.sort_by_key(|(ti, c)| (*ti, c.start, c.end, c.code.clone()));
    for (ti, c) in list {
        if !present.insert(key(c)) {
            plan.already_present += 1;
            continue;
        }
        let t = &project.transcripts[ti];
        plan.ops
            .push(Op::Add(coding(t, &c.code, c.start, c.end, None)));
    }
    plan.copied = plan.ops.len();
    plan
}

/// Copy coder `from`'s codings into `journal` as one action (one undo takes it all back).
/// Refused if the journal already has codings, unless `force`: then only codings it does not
/// have yet are added.
pub fn recode(
    project: &Project,
    from: &str,
    journal: &mut Journal,
    force: bool,
) -> Result<CopyPlan, RecodeError> {
    if journal.coder() == from {
        return Err(RecodeError::SameCoder(from.to_string()));
    }
    let source = project
        .coders
        .get(from)
        .ok_or_else(|| RecodeError::NoSource(from.to_string()))?;
    let count = journal.state.codings.len();
    if count > 0 && !force {
        return Err(RecodeError::TargetNotEmpty {
            coder: journal.coder().to_string(),
            count,
        });
    }
    let mut plan = plan_copy(project, source, &journal.state);
    plan.ops = journal.record(std::mem::take(&mut plan.ops))?;
    Ok(plan)
}

/// How a disagreement is settled in the consensus coder's journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    /// Take coder A's passages.
    AcceptA,
    /// Take coder B's passages.
    AcceptB,
    /// Take the characters of both: one passage over the whole disputed stretch.
    Both,
    /// No passage of this code here.
    Neither,
    /// One passage with boundaries of the reconciler's choice.
    Edit { start: usize, end: usize },
}

impl Decision {
    /// How the decision reads in a sentence: "accept A saved".
    pub fn label(self) -> &'static str {
        match self {
            Decision::AcceptA => "accept A",
            Decision::AcceptB => "accept B",
            Decision::Both => "both",
            Decision::Neither => "neither",
            Decision::Edit { .. } => "new boundaries",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(
        "the range {start}..{end} is empty or outside transcript {transcript} ({len} characters)"
    )]
    BadRange {
        transcript: String,
        start: usize,
        end: usize,
        len: usize,
    },
    #[error("the disagreement is in transcript {expected}, not {given}")]
    WrongTranscript { expected: String, given: String },
    #[error("cannot write the journal: {0}")]
    Journal(#[from] JournalError),
}

/// The ops that settle `d` in the consensus coder's codings: remove whatever the consensus coder
/// has of this code over the disputed stretch (so that deciding again replaces an earlier
/// decision), then add the chosen passages. Empty when the consensus already is as decided.
pub fn plan_decision(
    consensus: &CoderState,
    transcript: &Transcript,
    d: &Disagreement,
    decision: Decision,
) -> Result<Vec<Op>, ReconcileError> {
    if transcript.id != d.transcript {
        return Err(ReconcileError::WrongTranscript {
            expected: d.transcript.clone(),
            given: transcript.id.clone(),
        });
    }
    let memos = |cs: &[Coding]| -> Option<String> {
        let mut seen: Vec<&str> = Vec::new();
        for m in cs.iter().filter_map(|c| c.memo.as_deref()) {
            if !seen.contains(&m) {
                seen.push(m);
            }
        }
        (!seen.is_empty()).then(|| seen.join("\n"))
    };
    let (mut lo, mut hi) = (d.start, d.end);
    let wanted: Vec<Coding> = match decision {
        Decision::AcceptA => {
            d.a.iter()
                .map(|c| coding(transcript, &d.code, c.start, c.end, c.memo.clone()))
                .collect()
        }
        Decision::AcceptB => {
            d.b.iter()
                .map(|c| coding(transcript, &d.code, c.start, c.end, c.memo.clone()))
                .collect()
        }
        Decision::Both => {
            let all: Vec<Coding> = d.a.iter().chain(&d.b).cloned().collect();
            vec![coding(transcript, &d.code, d.start, d.end, memos(&all))]
        }
        Decision::Neither => Vec::new(),
        Decision::Edit { start, end } => {
            let len = transcript.len_chars();
            if start >= end || end > len {
                return Err(ReconcileError::BadRange {
                    transcript: transcript.id.clone(),
                    start,
                    end,
                    len,
                });
            }
            lo = lo.min(start);
            hi = hi.max(end);
            vec![coding(transcript, &d.code, start, end, None)]
        }
    };
    let existing: Vec<&Coding> = consensus
        .codings
        .values()
        .filter(|c| c.transcript == d.transcript && c.code == d.code && c.overlaps(lo, hi))
        .collect();
    let spans = |cs: &mut dyn Iterator<Item = (usize, usize)>| {
        let mut v: Vec<(usize, usize)> = cs.collect();
        v.sort_unstable();
        v
    };
    let have = spans(&mut existing.iter().map(|c| (c.start, c.end)));
    let want = spans(&mut wanted.iter().map(|c| (c.start, c.end)));
    if have == want {
        return Ok(Vec::new());
    }
    let mut ops: Vec<Op> = existing
        .into_iter()
        .map(|c| Op::Remove(c.clone()))
        .collect();
    ops.extend(wanted.into_iter().map(Op::Add));
    Ok(ops)
}

/// Settle `d` in the consensus coder's journal as one undoable action. Returns the ops written
/// (none if the consensus already was as decided).
pub fn decide(
    journal: &mut Journal,
    transcript: &Transcript,
    d: &Disagreement,
    decision: Decision,
) -> Result<Vec<Op>, ReconcileError> {
    let ops = plan_decision(&journal.state, transcript, d, decision)?;
    Ok(journal.record(ops)?)
}

/// Plan adding, to the consensus coder, every passage on which the two coders compared agree
/// exactly (same code, same boundaries), skipping those it already has. What remains to decide
/// is then exactly the disagreements.
pub fn plan_seed(project: &Project, cmp: &Comparison, consensus: &CoderState) -> Vec<Op> {
    let mut present: HashSet<Key> = consensus.codings.values().map(key).collect();
    cmp.agreed_passages()
        .into_iter()
        .filter(|c| present.insert(key(c)))
        .filter_map(|c| {
            let t = project.transcript(&c.transcript)?;
            Some(Op::Add(coding(t, &c.code, c.start, c.end, c.memo.clone())))
        })
        .collect()
}

// Not `#[from]`: that would make the OS error a `source` too, and printed with its causes it
// would appear twice.

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::agreement::Kind;
    use std::path::Path;

    fn transcript() -> Transcript {
        Transcript::from_text(
            "T1",
            Path::new("t.txt"),
            "R: één twee drie vier vijf zes zeven acht.\n".into(),
        )
    }

    fn passage(start: usize, end: usize, memo: Option<&str>) -> Coding {
        let t = transcript();
        coding(&t, "zorg", start, end, memo.map(str::to_string))
    }

    fn disagreement() -> Disagreement {
        Disagreement {
            transcript: "T1".into(),
            code: "zorg".into(),
            kind: Kind::BoundaryDiffers,
            start: 3,
            end: 16,
            a: vec![passage(3, 11, Some("A denkt"))],
            b: vec![passage(7, 16, Some("B denkt"))],
            ranges: Vec::new(),
        }
    }

    fn spans(state: &CoderState) -> Vec<(usize, usize, Option<String>)> {
        let mut v: Vec<_> = state
            .codings
            .values()
            .map(|c| (c.start, c.end, c.memo.clone()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn each_decision_is_one_journaled_undoable_action() {
        let dir = tempfile::tempdir().unwrap();
        let t = transcript();
        let d = disagreement();
        let mut j = Journal::open(dir.path(), "consensus").unwrap();
        decide(&mut j, &t, &d, Decision::AcceptA).unwrap();
        assert_eq!(spans(&j.state), vec![(3, 11, Some("A denkt".into()))]);
        assert_eq!(j.state.codings.values().next().unwrap().text, "één twee");
        // Deciding again replaces the earlier decision.
        decide(&mut j, &t, &d, Decision::AcceptB).unwrap();
        assert_eq!(spans(&j.state), vec![(7, 16, Some("B denkt".into()))]);
        decide(&mut j, &t, &d, Decision::Both).unwrap();
        assert_eq!(
            spans(&j.state),
            vec![(3, 16, Some("A denkt\nB denkt".into()))]
        );
        decide(&mut j, &t, &d, Decision::Edit { start: 3, end: 6 }).unwrap();
        assert_eq!(spans(&j.state), vec![(3, 6, None)]);
        // The same decision twice writes nothing the second time.
        assert!(
            decide(&mut j, &t, &d, Decision::Edit { start: 3, end: 6 })
                .unwrap()
                .is_empty()
        );
        decide(&mut j, &t, &d, Decision::Neither).unwrap();
        assert!(j.state.codings.is_empty());
        // One undo takes back one whole decision (remove + add together).
        j.undo().unwrap();
        assert_eq!(spans(&j.state), vec![(3, 6, None)]);
        j.undo().unwrap();
        assert_eq!(
            spans(&j.state),
            vec![(3, 16, Some("A denkt\nB denkt".into()))]
        );
        // Everything is in the journal: a fresh read gives the same state.
        let path = j.path.clone();
        drop(j);
        let again = CoderState::load(&path, "consensus").unwrap();
        assert_eq!(
            spans(&again),
            vec![(3, 16, Some("A denkt\nB denkt".into()))]
        );
    }

    #[test]
    fn bad_edits_are_refused() {
        let c = CoderState::new("consensus");
        let t = transcript();
        let d = disagreement();
        let err = plan_decision(&c, &t, &d, Decision::Edit { start: 5, end: 5 }).unwrap_err();
        assert!(err.to_string().contains("empty or outside"), "{err}");
        assert!(plan_decision(&c, &t, &d, Decision::Edit { start: 0, end: 999 }).is_err());
        let other = Transcript::from_text("T2", Path::new("t2.txt"), "x\n".into());
        assert!(plan_decision(&c, &other, &d, Decision::AcceptA).is_err());
        // Neither on an empty consensus: nothing to do.
        assert!(
            plan_decision(&c, &t, &d, Decision::Neither)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn other_codes_and_places_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let t = transcript();
        let mut j = Journal::open(dir.path(), "consensus").unwrap();
        let mut other_code = passage(3, 11, None);
        other_code.code = "melden".into();
        j.record(vec![Op::Add(other_code), Op::Add(passage(30, 35, None))])
            .unwrap();
        decide(&mut j, &t, &disagreement(), Decision::Neither).unwrap();
        assert_eq!(j.state.codings.len(), 2);
    }
}
