//! A coder's codings counted over a selection (`Tally`), and the counts of one table cell
//! (`Count`) that every export quotes.

use super::select::Selection;
use crate::core::coding::{CoderState, Coding};
use crate::core::project::in_interviewer_turn_of;
use crate::core::respondents::Respondent;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::HashMap;

/// Counts for one cell of a table: distinct respondents who said it, out of how many, and the
/// number of passages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub respondents: usize,
    pub of: usize,
    pub passages: usize,
}

impl Count {
    /// respondents / of, or None for an empty group.
    pub fn share(&self) -> Option<f64> {
        (self.of > 0).then(|| self.respondents as f64 / self.of as f64)
    }
}

/// One coded passage in the selection.
#[derive(Debug, Clone, Copy)]
pub struct Passage<'p> {
    /// Position in `Selection::codes`.
    pub code: usize,
    /// Position in `Selection::respondents`.
    pub respondent: usize,
    pub coding: &'p Coding,
}

/// A coder's codings counted over a selection.
#[derive(Debug, Clone)]
pub struct Tally<'p> {
    pub coder: String,
    /// Whether the coder has a journal at all.
    pub has_journal: bool,
    /// `passages[c][r]`: passages of `codes[c]` for `respondents[r]`.
    pub passages: Vec<Vec<u32>>,
    /// `rolled[c][r]`: passages of `codes[c]` or any of its sub-codes (selected or not) for
    /// `respondents[r]`.
    pub rolled: Vec<Vec<u32>>,
    /// The selected passages in cluster order: deelvraag, code, group, respondent, position.
    pub list: Vec<Passage<'p>>,
    /// Passages of the selected codes and respondents left out because they lie wholly in
    /// interviewer turns (see [`Filter::include_interviewer`]).
    pub interviewer_left_out: usize,
    /// Selected codings flagged for review (ambiguous or orphaned after a transcript edit):
    /// not on their text, so in no count and no list.
    pub flagged: usize,
}

impl<'p> Tally<'p> {
    pub fn new(sel: &Selection<'p>, coder: &str) -> Tally<'p> {
        let p = sel.project;
        let state: Option<&'p CoderState> = p.coders.get(coder);
        let code_pos: FxHashMap<&str, usize> = sel
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let resp_pos: FxHashMap<&str, usize> = sel
            .respondents
            .iter()
            .enumerate()
            .map(|(i, &r)| (p.respondents[r].id.as_str(), i))
            .collect();
        let group_pos: Vec<usize> = (0..sel.respondents.len())
            .map(|r| sel.split.bucket(sel.respondent(r)).unwrap_or(usize::MAX))
            .collect();
        // Each code id → the selected codes it rolls up into (itself and its ancestors).
        let mut roll_pos: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (i, c) in sel.codes.iter().enumerate() {
            for sub in p.codebook.subtree(&c.id) {
                roll_pos.entry(sub.id.as_str()).or_default().push(i);
            }
        }
        let mut passages = vec![vec![0u32; sel.respondents.len()]; sel.codes.len()];
        let mut rolled = passages.clone();
        let mut list = Vec::new();
        let mut interviewer_left_out = 0;
        let mut flagged = 0;
        // By respondent: each transcript's turns are looked at for all its codings at once (in
        // id order, which is random, the lookups of 200,000 codings missed the cache, more so
        // the larger the project).
        let mut placed: Vec<(usize, &'p Coding)> = state
            .into_iter()
            .flat_map(|s| s.codings.values())
            .filter_map(|c| resp_pos.get(c.transcript.as_str()).map(|&r| (r, c)))
            .collect();
        placed.sort_unstable_by_key(|&(r, _)| r);
        for (r, coding) in placed {
            let own = code_pos.get(coding.code.as_str()).copied();
            let ups = roll_pos.get(coding.code.as_str());
            if own.is_none() && ups.is_none() {
                continue;
            }
            if coding.anchor.is_flagged() {
                flagged += usize::from(own.is_some());
                continue;
            }
            if sel
                .keep_codings
                .as_ref()
                .is_some_and(|keep| !keep.contains(&coding.id))
            {
                continue;
            }
            // Its transcript is the selected respondent's: no second lookup by id.
            let transcript = sel.respondents.get(r).and_then(|&i| p.transcripts.get(i));
            if !sel.include_interviewer
                && transcript.is_some_and(|t| in_interviewer_turn_of(t, coding))
            {
                interviewer_left_out += usize::from(own.is_some());
                continue;
            }
            for &u in ups.into_iter().flatten() {
                rolled[u][r] += 1;
            }
            let Some(c) = own else { continue };
            passages[c][r] += 1;
            list.push(Passage {
                code: c,
                respondent: r,
                coding,
            });
        }
        list.sort_by_key(|x| {
            (
                x.code,
                group_pos[x.respondent],
                x.respondent,
                x.coding.start,
                x.coding.end,
                x.coding.id,
            )
        });
        Tally {
            coder: coder.to_string(),
            has_journal: state.is_some(),
            passages,
            rolled,
            list,
            interviewer_left_out,
            flagged,
        }
    }
}

// Counting over a selection needs a tally, so it lives here rather than with `Selection`.
impl Selection<'_> {
    /// Count the passages of code `c` (a position in `codes`) among the selected respondents
    /// for which `keep` holds. `respondents`/`of` count the selection's unit: distinct
    /// respondents, or distinct schools (a school counts once when any respondent there has
    /// the code).
    pub fn count(&self, tally: &Tally, c: usize, keep: impl Fn(&Respondent) -> bool) -> Count {
        let mut n = Count::default();
        let unit = self.split.unit;
        let mut units: HashMap<&str, bool> = HashMap::new();
        for (r, &passages) in tally.passages[c].iter().enumerate() {
            let resp = self.respondent(r);
            if keep(resp) {
                n.passages += passages as usize;
                *units.entry(unit.key(resp)).or_default() |= passages > 0;
            }
        }
        n.of = units.len();
        n.respondents = units.values().filter(|&&has| has).count();
        n
    }

    /// The units behind a count's N: the ids of the selected respondents (or the schools)
    /// for which `keep` holds with at least one passage of code `c`, in respondents.csv order.
    pub fn ids(&self, tally: &Tally, c: usize, keep: impl Fn(&Respondent) -> bool) -> Vec<String> {
        let unit = self.split.unit;
        let mut out: Vec<String> = Vec::new();
        for (r, &passages) in tally.passages[c].iter().enumerate() {
            let resp = self.respondent(r);
            if passages > 0 && keep(resp) {
                let key = unit.key(resp);
                if !out.iter().any(|k| k == key) {
                    out.push(key.to_string());
                }
            }
        }
        out
    }

    /// As [`Selection::count`], for code `c` together with all its sub-codes (the roll-up):
    /// respondents with a passage of the code or any sub-code.
    pub fn count_with_subcodes(
        &self,
        tally: &Tally,
        c: usize,
        keep: impl Fn(&Respondent) -> bool,
    ) -> Count {
        // Counted in the split's unit (respondents or schools), as `count` does.
        let mut n = Count::default();
        let unit = self.split.unit;
        let mut units: HashMap<&str, bool> = HashMap::new();
        for (r, &passages) in tally.rolled[c].iter().enumerate() {
            let resp = self.respondent(r);
            if keep(resp) {
                n.passages += passages as usize;
                *units.entry(unit.key(resp)).or_default() |= passages > 0;
            }
        }
        n.of = units.len();
        n.respondents = units.values().filter(|&&has| has).count();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::super::select::Filter;
    use super::super::{clusters, summary, testutil};
    use super::*;
    use crate::core::project::Project;

    #[test]
    fn tally_orders_passages_as_clusters() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let sel = Filter::default().resolve(&p).unwrap();
        let t = Tally::new(&sel, "ann");
        let order: Vec<(&str, &str)> = t
            .list
            .iter()
            .map(|x| (sel.codes[x.code].id.as_str(), x.coding.transcript.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("niet-pluis", "A-D1"),
                ("niet-pluis", "A-D1"),
                ("niet-pluis", "A-Z"),
                ("signalen", "A-Z"),
                ("twijfel", "B-D1")
            ]
        );
        assert!(t.list[0].coding.start < t.list[1].coding.start);
        assert_eq!(t.passages[0], vec![2, 1, 0, 0]);
        let docent = sel.count(&t, 0, |r| r.group == "docent");
        assert_eq!(
            docent,
            Count {
                respondents: 1,
                of: 3,
                passages: 2
            }
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// Whatever the codings, the counts agree with each other: the matrix sums to the
        /// passage list, groups add up to the code's total, school types add up to the group.
        #[test]
        fn counts_are_consistent(codings in proptest::collection::vec((0usize..4, 0usize..3, 0usize..20, 1usize..8), 0..40)) {
            use crate::core::coding::{Anchor, CoderState, Coding};
            use proptest::{prop_assert, prop_assert_eq};
            thread_local! {
                static PROJECT: std::cell::RefCell<Option<(tempfile::TempDir, Project)>> =
                    const { std::cell::RefCell::new(None) };
            }
            PROJECT.with_borrow_mut(|slot| {
            let (_, p) = slot.get_or_insert_with(|| {
                let dir = tempfile::tempdir().unwrap();
                let p = testutil::project(dir.path());
                (dir, p)
            });
            let mut state = CoderState::new("prop");
            for (i, &(t, c, start, len)) in codings.iter().enumerate() {
                let id = i as u64 + 1;
                let transcript = p.respondents[t].id.clone();
                let text = p.transcripts[t].slice(start, start + len).to_string();
                let code = p.codebook.codes[c].id.clone();
                state.codings.insert(id, Coding {
                    id, transcript, code, start, end: start + len, text, memo: None,
                    version: None,
                    anchor: Anchor::Exact, line: 0,
                });
            }
            p.coders.insert("prop".into(), state);
            let sel = Filter::default().resolve(p).unwrap();
            let tally = Tally::new(&sel, "prop");
            // Passages wholly inside one interviewer turn are left out, and only those.
            let questions = p.coders["prop"].codings.values().filter(|c| {
                let t = p.transcript(&c.transcript).unwrap();
                let turn = |at: usize| t.turns().iter().rposition(|tr| tr.start <= at);
                turn(c.start) == turn(c.end - 1)
                    && t.speaker_at(c.start).is_some_and(|s| s == "I")
            }).count();
            prop_assert_eq!(tally.interviewer_left_out, questions);
            prop_assert_eq!(tally.list.len(), codings.len() - questions);
            let total: u32 = tally.passages.iter().flatten().sum();
            prop_assert_eq!(total as usize, codings.len() - questions);
            let rows = summary::rows(&sel, &tally);
            for (c, code) in sel.codes.iter().enumerate() {
                let all = sel.count(&tally, c, |_| true);
                let mine: Vec<_> = rows.iter().filter(|r| r.code_id == code.id).collect();
                prop_assert_eq!(mine.iter().map(|r| r.respondents).sum::<usize>(), all.respondents);
                prop_assert_eq!(mine.iter().map(|r| r.passages).sum::<usize>(), all.passages);
                prop_assert_eq!(mine.iter().map(|r| r.group_size).sum::<usize>(), p.respondents.len());
                for r in &mine {
                    prop_assert_eq!(r.by_school_type.iter().map(|t| t.respondents).sum::<usize>(), r.respondents);
                    prop_assert_eq!(r.by_school_type.iter().map(|t| t.passages).sum::<usize>(), r.passages);
                    prop_assert!(r.respondents <= r.group_size);
                }
                let clustered: usize = clusters::of_code(&sel, &tally, c, true).iter().map(|k| k.quotes.len()).sum();
                prop_assert_eq!(clustered, all.passages);
            }
            // Cluster order: sorted by code, group, respondent, position.
            let keys: Vec<_> = tally.list.iter().map(|x| (x.code, sel.groups.iter().position(|g| *g == sel.respondent(x.respondent).group), x.respondent, x.coding.start)).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            prop_assert_eq!(keys, sorted);
            Ok(())
            })?;
        }
    }
}
