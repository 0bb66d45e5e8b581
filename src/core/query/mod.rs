//! Code queries: which passages, turns or respondents a combination of codes describes
//! ("meldcode AND NOT stap2-consultatie", "knelpunten NEAR veilig-thuis"), for one coder.
//!
//! A query is evaluated on one kind of unit, its **scope**:
//!
//! - `respondent`: a respondent has code A when any of their passages is coded A;
//! - `turn`: a turn has A when a passage coded A overlaps it (respondent turns only, unless
//!   interviewer passages are counted);
//! - `passage`: a coded passage has A when it is coded A or overlaps a passage coded A.
//!
//! `NOT`, `AND` and `OR` are then plain logic on the units, so `A AND B` ⊆ `A` and
//! |A AND NOT B| + |A AND B| = |A| hold at every scope. `X NEAR Y` holds for a unit with a turn
//! (a respondent: any of theirs; a turn: itself; a passage: the turn it starts in) where X and Y
//! both hold at turn level. `X FOLLOWED-BY Y` holds when a passage where X holds starts before a
//! passage where Y holds, in the same transcript (a respondent: any such pair; a turn: a Y
//! passage overlapping it; a passage: the passage itself is the Y). `set:NAME` is a saved
//! query: a respondent set, so a unit is in it when its respondent is.
//!
//! Counts follow the exports: passages wholly in interviewer turns and codings flagged after a
//! transcript edit are left out, unless interviewer passages are asked for.

pub mod parse;
pub mod sets;

pub use parse::{Expr, QueryError, parse};

use crate::core::coding::Coding;
use crate::core::project::Project;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// The unit a query is evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Respondent,
    Turn,
    Passage,
}

impl Scope {
    pub fn parse(s: &str) -> Option<Scope> {
        Some(match s.trim().to_lowercase().as_str() {
            "respondent" | "respondents" => Scope::Respondent,
            "turn" | "turns" => Scope::Turn,
            "passage" | "passages" => Scope::Passage,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Scope::Respondent => "respondent",
            Scope::Turn => "turn",
            Scope::Passage => "passage",
        }
    }
}

/// One counted passage of the coder.
#[derive(Debug, Clone, Copy)]
pub struct Fact<'p> {
    /// Position in the codebook.
    pub code: usize,
    pub start: usize,
    pub end: usize,
    /// The turn the passage starts in.
    pub turn: usize,
    pub coding: &'p Coding,
}

/// A coder's counted passages per respondent, ready for queries.
pub struct Facts<'p> {
    pub project: &'p Project,
    /// By respondent (position in `project.respondents`), ordered by position.
    pub of: Vec<Vec<Fact<'p>>>,
    pub include_interviewer: bool,
    /// Saved sets by name, parsed.
    sets: HashMap<String, Expr>,
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

impl<'p> Facts<'p> {
    /// The coder's passages (none for a coder without a journal), and the project's saved sets.
    pub fn new(
        p: &'p Project,
        coder: &str,
        include_interviewer: bool,
    ) -> Result<Facts<'p>, QueryError> {
        let mut of: Vec<Vec<Fact>> = vec![Vec::new(); p.respondents.len()];
        if let Some(state) = p.coders.get(coder) {
            let code_pos: HashMap<&str, usize> = p
                .codebook
                .codes
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.as_str(), i))
                .collect();
            for coding in state.codings.values() {
                let (Some(&code), Some(r)) = (
                    code_pos.get(coding.code.as_str()),
                    p.index_of(&coding.transcript),
                ) else {
                    continue;
                };
                if coding.anchor.is_flagged()
                    || (!include_interviewer && p.in_interviewer_turn(coding))
                {
                    continue;
                }
                let turn = p.transcripts[r].turn_index_at(coding.start).unwrap_or(0);
                of[r].push(Fact {
                    code,
                    start: coding.start,
                    end: coding.end,
                    turn,
                    coding,
                });
            }
        }
        for facts in &mut of {
            facts.sort_by_key(|f| (f.start, f.end, f.coding.id));
        }
        let mut sets = HashMap::new();
        for (name, saved) in sets::load(&p.root).map_err(|e| QueryError {
            column: 0,
            message: e.to_string(),
        })? {
            if let Ok(e) = parse(&saved.query, &p.codebook) {
                sets.insert(name, e);
            }
        }
        Ok(Facts {
            project: p,
            of,
            include_interviewer,
            sets,
        })
    }

    /// Check that every `set:NAME` in `e` names a saved set, and that no set refers to itself.
    pub fn check(&self, e: &Expr) -> Result<(), QueryError> {
        self.check_in(e, &mut Vec::new())
    }

    fn check_in(&self, e: &Expr, path: &mut Vec<String>) -> Result<(), QueryError> {
        match e {
            Expr::Code(_) => Ok(()),
            Expr::Set(name) => {
                if path.contains(name) {
                    return Err(QueryError {
                        column: 0,
                        message: format!("set:{name} refers to itself"),
                    });
                }
                let Some(inner) = self.sets.get(name) else {
                    let known: Vec<&str> = self.sets.keys().map(String::as_str).collect();
                    let mut known = known;
                    known.sort_unstable();
                    return Err(QueryError {
                        column: 0,
                        message: format!(
                            "unknown saved set \"{name}\" (saved: {}); `codewerk query save NAME \
                             'EXPR'` saves one",
                            if known.is_empty() {
                                "none".into()
                            } else {
                                known.join(", ")
                            }
                        ),
                    });
                };
                path.push(name.clone());
                let r = self.check_in(inner, path);
                path.pop();
                r
            }
            Expr::Not(a) => self.check_in(a, path),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Near(a, b) | Expr::FollowedBy(a, b) => {
                self.check_in(a, path)?;
                self.check_in(b, path)
            }
        }
    }

    fn turn_range(&self, r: usize, t: usize) -> (usize, usize) {
        self.project.transcripts[r]
            .turns()
            .get(t)
            .map_or((0, 0), |tr| (tr.start, tr.end.max(tr.start + 1)))
    }

    /// Whether respondent `r` satisfies `e`.
    pub fn respondent(&self, e: &Expr, r: usize) -> bool {
        let facts = &self.of[r];
        match e {
            Expr::Code(c) => facts.iter().any(|f| f.code == *c),
            Expr::Set(name) => self.sets.get(name).is_some_and(|s| self.respondent(s, r)),
            Expr::Not(a) => !self.respondent(a, r),
            Expr::And(a, b) => self.respondent(a, r) && self.respondent(b, r),
            Expr::Or(a, b) => self.respondent(a, r) || self.respondent(b, r),
            Expr::Near(..) => {
                (0..self.project.transcripts[r].turns().len()).any(|t| self.turn(e, r, t))
            }
            Expr::FollowedBy(a, b) => self.followed(a, r, |j| self.passage(b, r, j), None),
        }
    }

    /// Whether turn `t` of respondent `r` satisfies `e`.
    pub fn turn(&self, e: &Expr, r: usize, t: usize) -> bool {
        let facts = &self.of[r];
        let range = self.turn_range(r, t);
        match e {
            Expr::Code(c) => facts
                .iter()
                .any(|f| f.code == *c && overlaps((f.start, f.end), range)),
            Expr::Set(name) => self.sets.get(name).is_some_and(|s| self.respondent(s, r)),
            Expr::Not(a) => !self.turn(a, r, t),
            Expr::And(a, b) => self.turn(a, r, t) && self.turn(b, r, t),
            Expr::Or(a, b) => self.turn(a, r, t) || self.turn(b, r, t),
            Expr::Near(a, b) => self.turn(a, r, t) && self.turn(b, r, t),
            Expr::FollowedBy(a, b) => self.followed(
                a,
                r,
                |j| overlaps((facts[j].start, facts[j].end), range) && self.passage(b, r, j),
                None,
            ),
        }
    }

    /// Whether passage `i` (a position in `of[r]`) satisfies `e`.
    pub fn passage(&self, e: &Expr, r: usize, i: usize) -> bool {
        let facts = &self.of[r];
        let f = facts[i];
        match e {
            Expr::Code(c) => {
                f.code == *c
                    || facts
                        .iter()
                        .any(|g| g.code == *c && overlaps((g.start, g.end), (f.start, f.end)))
            }
            Expr::Set(name) => self.sets.get(name).is_some_and(|s| self.respondent(s, r)),
            Expr::Not(a) => !self.passage(a, r, i),
            Expr::And(a, b) => self.passage(a, r, i) && self.passage(b, r, i),
            Expr::Or(a, b) => self.passage(a, r, i) || self.passage(b, r, i),
            Expr::Near(..) => self.turn(e, r, f.turn),
            Expr::FollowedBy(a, b) => {
                self.followed(a, r, |j| j == i && self.passage(b, r, j), Some(i))
            }
        }
    }

    /// Is there a passage j where `then(j)` holds, preceded (an earlier start) by a passage
    /// where `first` holds?
    fn followed(
        &self,
        first: &Expr,
        r: usize,
        then: impl Fn(usize) -> bool,
        only: Option<usize>,
    ) -> bool {
        let facts = &self.of[r];
        let candidates: Vec<usize> = match only {
            Some(i) => vec![i],
            None => (0..facts.len()).collect(),
        };
        candidates.into_iter().any(|j| {
            then(j)
                && (0..facts.len())
                    .any(|k| facts[k].start < facts[j].start && self.passage(first, r, k))
        })
    }

    /// The turns counted for a respondent: respondent turns, and interviewer turns too when
    /// their passages are counted.
    fn turns_of(&self, r: usize) -> impl Iterator<Item = usize> + '_ {
        let turns = self.project.transcripts[r].turns();
        (0..turns.len()).filter(move |&t| {
            self.include_interviewer || !self.project.is_interviewer(turns[t].speaker.as_deref())
        })
    }

    /// Evaluate `e` at `scope` over the given respondents.
    pub fn run(&self, e: &Expr, scope: Scope, respondents: &[usize]) -> Matches {
        let mut m = Matches {
            scope,
            ..Matches::default()
        };
        for &r in respondents {
            let hit = match scope {
                Scope::Respondent => self.respondent(e, r),
                Scope::Turn => {
                    let before = m.turns.len();
                    m.turns.extend(
                        self.turns_of(r)
                            .filter(|&t| self.turn(e, r, t))
                            .map(|t| (r, t)),
                    );
                    m.turns.len() > before
                }
                Scope::Passage => {
                    let before = m.passages.len();
                    m.passages.extend(
                        (0..self.of[r].len())
                            .filter(|&i| self.passage(e, r, i))
                            .map(|i| (r, i)),
                    );
                    m.passages.len() > before
                }
            };
            if hit {
                m.respondents.insert(r);
            }
        }
        m
    }
}

/// What a query found.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    pub scope: Scope,
    /// Respondents (positions in `project.respondents`) with at least one matching unit.
    pub respondents: BTreeSet<usize>,
    /// (respondent, turn index), with scope `turn`.
    pub turns: Vec<(usize, usize)>,
    /// (respondent, position in `Facts::of[respondent]`), with scope `passage`.
    pub passages: Vec<(usize, usize)>,
}

#[cfg(test)]
mod tests;
