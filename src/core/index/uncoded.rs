//! "This match not coded": the hit-level unit of "not coded yet".
//!
//! `Query::uncoded` works on whole units: a turn drops out of the list once any part of it is
//! coded, so the second mention of a topic in a long answer is never offered. Here a hit is
//! kept while at least one of its matches is not covered by a coding, and only those matches
//! are kept (so a view highlights, and autocode codes, just what is left to do).

use super::highlight::{SNIPPET_CHARS, make_snippet};
use super::search::Hit;
use crate::core::coding::{CoderState, Coding};
use crate::core::project::Project;
use std::ops::Range;

/// Whose codings count as "coded": one coder's or anyone's, of one code or any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodedBy<'a> {
    pub coder: Option<&'a str>,
    /// A code id.
    pub code: Option<&'a str>,
}

/// The coders whose codings count.
fn states<'p>(project: &'p Project, by: CodedBy<'_>) -> Vec<&'p CoderState> {
    project
        .coders
        .iter()
        .filter(|(name, _)| by.coder.is_none_or(|c| c == name.as_str()))
        .map(|(_, s)| s)
        .collect()
}

/// The codings of `states` (of `code` if given) in the transcript, overlapping `start..end`.
fn codings<'s>(
    states: &[&'s CoderState],
    code: Option<&str>,
    transcript: &str,
    start: usize,
    end: usize,
) -> Vec<&'s Coding> {
    states
        .iter()
        .flat_map(|state| state.codings.values())
        .filter(|c| {
            c.transcript == transcript
                && !c.anchor.is_flagged()
                && code.is_none_or(|code| c.code == code)
                && c.start < end
                && start < c.end
        })
        .collect()
}

fn uncoded_in(states: &[&CoderState], code: Option<&str>, hit: &Hit) -> Vec<Range<usize>> {
    let cs = codings(states, code, &hit.transcript, hit.start, hit.end);
    hit.matches
        .iter()
        .filter(|m| !cs.iter().any(|c| c.start < m.end && m.start < c.end))
        .cloned()
        .collect()
}

/// The matches of `hit` that no counted coding overlaps.
pub fn uncoded_matches(project: &Project, hit: &Hit, by: CodedBy<'_>) -> Vec<Range<usize>> {
    uncoded_in(&states(project, by), by.code, hit)
}

/// The hits with a match not coded yet, each with only those matches (and its snippet made
/// around them). A hit without matches (an empty query) is kept when no coding overlaps it.
pub fn keep_uncoded_matches(project: &Project, hits: Vec<Hit>, by: CodedBy<'_>) -> Vec<Hit> {
    keep_uncoded_matches_of(project, &states(project, by), by.code, hits)
}

/// `keep_uncoded_matches` with the codings of `states` (a coder's live journal state, as the
/// TUI has it), of `code` if given.
pub fn keep_uncoded_matches_of(
    project: &Project,
    states: &[&CoderState],
    code: Option<&str>,
    hits: Vec<Hit>,
) -> Vec<Hit> {
    hits.into_iter()
        .filter_map(|mut hit| {
            if hit.matches.is_empty() {
                let coded = !codings(states, code, &hit.transcript, hit.start, hit.end).is_empty();
                return (!coded).then_some(hit);
            }
            let left = uncoded_in(states, code, &hit);
            if left.is_empty() {
                return None;
            }
            if left.len() != hit.matches.len() {
                if let Some(t) = project.transcript(&hit.transcript) {
                    hit.snippet = make_snippet(t, hit.start, hit.end, &left, SNIPPET_CHARS);
                }
                hit.matches = left;
            }
            Some(hit)
        })
        .collect()
}
