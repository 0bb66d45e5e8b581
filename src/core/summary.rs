//! What `check` and `stats` report: an overview of a project and per-code counts of passages
//! and of distinct respondents per group, the numbers a results chapter quotes.

use super::coding::{CoderState, Coding};
use super::project::{Project, in_interviewer_turn_of};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

/// How many respondents a group (or school type) has, for the project overview. Not
/// `export::Count`, which is what one code has in a table cell: N of M respondents and passages.
#[derive(Debug, Serialize)]
pub struct GroupSize {
    pub name: String,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct DeelvraagCount {
    pub number: u32,
    pub title: String,
    pub codes: usize,
}

#[derive(Debug, Serialize)]
pub struct Words {
    pub min: usize,
    pub median: usize,
    pub max: usize,
    pub total: usize,
}

#[derive(Debug, Serialize)]
pub struct CoderSummary {
    pub coder: String,
    /// Passages on their text: flagged ones (ambiguous or orphaned after an edit) not counted.
    pub passages: usize,
    /// Passages flagged for review.
    pub flagged: usize,
    pub transcripts_coded: usize,
    pub transcripts_done: usize,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub name: String,
    pub transcripts: usize,
    pub by_group: Vec<GroupSize>,
    pub by_school_type: Vec<GroupSize>,
    pub schools: usize,
    pub codes: usize,
    pub by_deelvraag: Vec<DeelvraagCount>,
    pub words: Words,
    pub coders: Vec<CoderSummary>,
}

pub fn summarise(p: &Project) -> Summary {
    let count_by = |keys: Vec<String>, f: &dyn Fn(&super::respondents::Respondent) -> &str| {
        keys.into_iter()
            .map(|k| {
                let count = p.respondents.iter().filter(|r| f(r) == k).count();
                GroupSize { name: k, count }
            })
            .collect::<Vec<_>>()
    };
    let mut words: Vec<usize> = p
        .transcripts
        .iter()
        .map(super::transcript::Transcript::word_count)
        .collect();
    words.sort_unstable();
    let schools: BTreeSet<&str> = p
        .respondents
        .iter()
        .map(|r| r.school.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    Summary {
        name: p.settings.name.clone(),
        transcripts: p.transcripts.len(),
        by_group: count_by(p.groups(), &|r| &r.group),
        by_school_type: count_by(p.school_types(), &|r| &r.school_type),
        schools: schools.len(),
        codes: p.codebook.codes.len(),
        by_deelvraag: p
            .codebook
            .deelvragen
            .iter()
            .map(|d| DeelvraagCount {
                number: d.number,
                title: d.title.clone(),
                codes: p.codebook.codes_of(d.number).count(),
            })
            .collect(),
        words: Words {
            min: words.first().copied().unwrap_or(0),
            median: words.get(words.len() / 2).copied().unwrap_or(0),
            max: words.last().copied().unwrap_or(0),
            total: words.iter().sum(),
        },
        coders: p
            .coders
            .values()
            .map(|s| CoderSummary {
                coder: s.coder.clone(),
                passages: s
                    .codings
                    .values()
                    .filter(|c| !c.anchor.is_flagged())
                    .count(),
                flagged: s.codings.values().filter(|c| c.anchor.is_flagged()).count(),
                transcripts_coded: s
                    .codings
                    .values()
                    .map(|c| c.transcript.as_str())
                    .collect::<HashSet<_>>()
                    .len(),
                transcripts_done: s.done.len(),
            })
            .collect(),
    }
}

#[derive(Debug, Serialize)]
pub struct GroupCount {
    pub group: String,
    pub plural: String,
    /// Distinct respondents of the group with at least one passage of the code.
    pub respondents: usize,
    /// Respondents in the group.
    pub of: usize,
    pub passages: usize,
}

#[derive(Debug, Serialize)]
pub struct CodeStats {
    pub code: String,
    pub name: String,
    pub deelvraag: u32,
    /// 0 for a top-level code, 1 for its sub-codes, ...
    pub depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// "Signalen herkennen › Ander gedrag".
    pub path: String,
    /// Passages of this code itself.
    pub passages: usize,
    /// Distinct respondents with a passage of this code itself.
    pub respondents: usize,
    pub by_group: Vec<GroupCount>,
    /// The roll-up: the code or any of its sub-codes (the same as the own counts for a code
    /// without sub-codes).
    pub with_subcodes: Rollup,
}

/// Counts of a code together with all its sub-codes (any depth): distinct respondents with
/// at least one passage of any of them, and their passages.
#[derive(Debug, Serialize)]
pub struct Rollup {
    pub passages: usize,
    pub respondents: usize,
    pub by_group: Vec<GroupCount>,
}

#[derive(Debug, Serialize)]
pub struct CoderStats {
    pub coder: String,
    /// In tree order: deelvraag, then each top-level code followed by its sub-codes.
    pub codes: Vec<CodeStats>,
    /// Passages left out because they lie wholly in interviewer turns.
    pub interviewer_left_out: usize,
    /// Codings flagged for review (ambiguous or orphaned after a transcript edit): in no count.
    pub flagged: usize,
    /// What `respondents` counts: `respondents`, or `schools` with `--by school`.
    pub unit: &'static str,
}

/// Per-code counts for one coder over an export selection: `--attr` filters, `--by` splits
/// (the "groups" are then the split's buckets) and schools as the unit, counted exactly as the
/// exports count.
pub fn code_stats_of(
    p: &Project,
    coder: &str,
    filter: &super::export::Filter,
) -> Result<CoderStats, super::export::ExportError> {
    use super::export::Tally;
    let sel = filter.resolve_for(p, Some(coder))?;
    let tally = Tally::new(&sel, coder);
    let codes = sel
        .codes
        .iter()
        .enumerate()
        .map(|(c, code)| {
            let all = sel.count(&tally, c, |_| true);
            let rolled = sel.count_with_subcodes(&tally, c, |_| true);
            let per_bucket = |with_subcodes: bool| -> Vec<GroupCount> {
                sel.split
                    .buckets
                    .iter()
                    .enumerate()
                    .map(|(b, bucket)| {
                        let keep = |r: &crate::core::respondents::Respondent| sel.in_bucket(b, r);
                        let n = if with_subcodes {
                            sel.count_with_subcodes(&tally, c, keep)
                        } else {
                            sel.count(&tally, c, keep)
                        };
                        GroupCount {
                            group: bucket.key.clone(),
                            plural: bucket.label.clone(),
                            respondents: n.respondents,
                            of: n.of,
                            passages: n.passages,
                        }
                    })
                    .collect()
            };
            CodeStats {
                code: code.id.clone(),
                name: code.name.clone(),
                deelvraag: code.deelvraag,
                depth: sel.depths.get(c).copied().unwrap_or(0),
                parent: code.parent.clone(),
                path: sel.path(c),
                passages: all.passages,
                respondents: all.respondents,
                by_group: per_bucket(false),
                with_subcodes: Rollup {
                    passages: rolled.passages,
                    respondents: rolled.respondents,
                    by_group: per_bucket(true),
                },
            }
        })
        .collect();
    Ok(CoderStats {
        coder: coder.to_string(),
        codes,
        interviewer_left_out: tally.interviewer_left_out,
        flagged: tally.flagged,
        unit: sel.split.unit.name(),
    })
}

/// A coding and the index of its transcript (`Err`: a transcript not in the project).
type Placed<'a> = (Result<usize, &'a str>, &'a Coding);

/// Passages, distinct respondents and the split per group of some codings. Each transcript's
/// group is looked up once, not once per group and coding.
fn tally(p: &Project, groups: &[String], passages: &[Placed]) -> (usize, Vec<GroupCount>) {
    // Transcript -> index of its respondent's group (None: no respondent, or a group not listed).
    let mut who: FxHashMap<Result<usize, &str>, Option<usize>> = FxHashMap::default();
    let mut passages_in = vec![0usize; groups.len()];
    for &(at, _) in passages {
        let group = *who.entry(at).or_insert_with(|| {
            at.ok()
                .and_then(|i| p.respondents.get(i))
                .and_then(|r| groups.iter().position(|g| *g == r.group))
        });
        if let Some(g) = group {
            passages_in[g] += 1;
        }
    }
    let by_group = groups
        .iter()
        .enumerate()
        .map(|(i, g)| GroupCount {
            group: g.clone(),
            plural: p.group_plural(g).to_string(),
            respondents: who.values().filter(|&&w| w == Some(i)).count(),
            of: p.group_size(g),
            passages: passages_in[i],
        })
        .collect();
    (who.len(), by_group)
}

/// Per-code counts for one coder (an absent coder gives zeros), own and rolled up.
pub fn code_stats(p: &Project, coder: &str, include_interviewer: bool) -> CoderStats {
    let empty = CoderState::new(coder);
    let state = p.coders.get(coder).unwrap_or(&empty);
    let groups = p.groups();
    // By transcript: each transcript's turns are looked at for all its codings at once (in id
    // order, which is random, nearly every turn lookup of 400,000 codings missed the cache).
    let mut placed: Vec<Placed> = state
        .codings
        .values()
        .map(|c| (p.index_of(&c.transcript).ok_or(c.transcript.as_str()), c))
        .collect();
    placed.sort_unstable_by_key(|&(at, _)| at.unwrap_or(usize::MAX));
    let mut by_code: FxHashMap<&str, Vec<Placed>> = FxHashMap::default();
    let mut interviewer_left_out = 0;
    let mut flagged = 0;
    for (at, c) in placed {
        if c.anchor.is_flagged() {
            flagged += 1;
            continue;
        }
        let t = at.ok().and_then(|i| p.transcripts.get(i));
        if !include_interviewer && t.is_some_and(|t| in_interviewer_turn_of(t, c)) {
            interviewer_left_out += 1;
            continue;
        }
        by_code.entry(c.code.as_str()).or_default().push((at, c));
    }
    let cb = &p.codebook;
    let codes = cb
        .tree()
        .into_iter()
        .map(|(code, depth)| {
            let own: &[Placed] = by_code.get(code.id.as_str()).map_or(&[], Vec::as_slice);
            let (respondents, by_group) = tally(p, &groups, own);
            let all: Vec<Placed> = cb
                .subtree(&code.id)
                .iter()
                .flat_map(|c| by_code.get(c.id.as_str()).into_iter().flatten().copied())
                .collect();
            let (rolled, rolled_by_group) = tally(p, &groups, &all);
            CodeStats {
                code: code.id.clone(),
                name: code.name.clone(),
                deelvraag: code.deelvraag,
                depth,
                parent: code.parent.clone(),
                path: cb.path_of(&code.id),
                passages: own.len(),
                respondents,
                by_group,
                with_subcodes: Rollup {
                    passages: all.len(),
                    respondents: rolled,
                    by_group: rolled_by_group,
                },
            }
        })
        .collect();
    CoderStats {
        coder: coder.to_string(),
        codes,
        interviewer_left_out,
        flagged,
        unit: "respondents",
    }
}
