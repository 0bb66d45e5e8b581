//! `export cooccurrence`: code × code, how often two codes occur together, per respondent group
//! (or `--by` bucket) and over all selected respondents.
//!
//! The unit (`--unit`) says what "together" means:
//!
//! - `respondent` (default): respondents with a passage of both codes (schools with `--by
//!   school`: a school where both codes were said, by the same or by different respondents);
//! - `turn`: turns (paragraphs) overlapped by a passage of each code;
//! - `overlap`: pairs of a passage of A and a passage of B whose text overlaps, as ATLAS.ti
//!   counts co-occurrence; `n_a`, `n_b` are then the codes' passages.
//!
//! For every pair: `n_a`, `n_b` (units with A, with B), `n_ab` (with both), the
//! **c-coefficient** n_ab / (n_a + n_b − n_ab) (ATLAS.ti's name; for respondents and turns it
//! is the Jaccard index of the two sets of units, 0 to 1; with the overlap unit one passage can
//! overlap several of the other code, so it can exceed 1, and is not capped), and `share_of_a`
//! = n_ab / n_a ("of the 10 docenten with A, 8 also have B"), `share_of_b` likewise. With the
//! respondent unit the ids behind `n_ab` are listed (JSON, xlsx).

use super::quotes::json;
use super::table::{self, Cell, Column, Row, Table};
use super::{ExportError, Format, Request, Selection, Tally};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// What co-occurring means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CoUnit {
    Overlap,
    Turn,
    #[default]
    Respondent,
}

impl CoUnit {
    pub fn parse(s: &str) -> Option<CoUnit> {
        Some(match s.trim().to_lowercase().as_str() {
            "overlap" | "passage" | "passages" => CoUnit::Overlap,
            "turn" | "turns" => CoUnit::Turn,
            "respondent" | "respondents" => CoUnit::Respondent,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            CoUnit::Overlap => "overlap",
            CoUnit::Turn => "turn",
            CoUnit::Respondent => "respondent",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoRow {
    /// What the buckets are (`group`, an attribute, `school`, ...); `all` for the total.
    pub by: String,
    pub group: String,
    /// "docenten", "schools", ...
    pub label: String,
    /// What is counted: `respondents`, `schools`, `turns` or `passages` (pairs, for `n_ab`).
    pub unit: &'static str,
    pub code_a: String,
    pub name_a: String,
    pub code_b: String,
    pub name_b: String,
    pub n_a: usize,
    pub n_b: usize,
    pub n_ab: usize,
    /// n_ab / (n_a + n_b − n_ab); None when both are 0.
    pub c_coefficient: Option<f64>,
    pub share_of_a: Option<f64>,
    pub share_of_b: Option<f64>,
    /// The respondents (or schools) behind `n_ab`, with the respondent unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_both: Option<Vec<String>>,
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| (a as f64 / b as f64 * 1000.0).round() / 1000.0)
}

/// Counts for one bucket: per code the units with it, per pair (a < b) the units with both.
#[derive(Debug, Default)]
struct Counts {
    single: Vec<usize>,
    pair: HashMap<(usize, usize), usize>,
    /// Unit keys with both, respondent unit only.
    both: HashMap<(usize, usize), BTreeSet<String>>,
}

impl Counts {
    fn new(codes: usize) -> Counts {
        Counts {
            single: vec![0; codes],
            ..Counts::default()
        }
    }

    /// One unit that has exactly these codes (sorted, distinct).
    fn add_set(&mut self, codes: &[usize], key: Option<&str>) {
        for (i, &a) in codes.iter().enumerate() {
            self.single[a] += 1;
            for &b in &codes[i + 1..] {
                *self.pair.entry((a, b)).or_default() += 1;
                if let Some(k) = key {
                    self.both.entry((a, b)).or_default().insert(k.to_string());
                }
            }
        }
    }
}

/// Code positions (in `sel.codes`) as a sorted, distinct list.
fn distinct(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Count for the respondents (positions in `sel.respondents`) that `keep` selects.
fn count(sel: &Selection, tally: &Tally, unit: CoUnit, keep: &dyn Fn(usize) -> bool) -> Counts {
    let p = sel.project;
    let mut counts = Counts::new(sel.codes.len());
    // The tally's list is in cluster order; regroup it by respondent.
    let mut by_resp: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); sel.respondents.len()];
    for x in &tally.list {
        if keep(x.respondent) {
            by_resp[x.respondent].push((x.code, x.coding.start, x.coding.end));
        }
    }
    match unit {
        CoUnit::Respondent => {
            // Per unit key (the respondent, or their school with `--by school`).
            let mut units: Vec<(String, Vec<usize>)> = Vec::new();
            let mut at: HashMap<String, usize> = HashMap::new();
            for (r, passages) in by_resp.iter().enumerate() {
                if passages.is_empty() {
                    continue;
                }
                let key = sel.split.unit.key(sel.respondent(r)).to_string();
                let i = *at.entry(key.clone()).or_insert_with(|| {
                    units.push((key, Vec::new()));
                    units.len() - 1
                });
                units[i].1.extend(passages.iter().map(|x| x.0));
            }
            for (key, codes) in units {
                counts.add_set(&distinct(codes), Some(&key));
            }
        }
        CoUnit::Turn => {
            for (r, passages) in by_resp.iter().enumerate() {
                let Some(t) = p.transcript(&sel.respondent(r).id) else {
                    continue;
                };
                let mut per_turn: HashMap<usize, Vec<usize>> = HashMap::new();
                for &(c, start, end) in passages {
                    // By the turns without the text: the export reads none for this.
                    let first = t.turn_span_at(start).map_or(0, |(i, _)| i);
                    let last = t
                        .turn_span_at(end.saturating_sub(1).max(start))
                        .map_or(first, |(i, _)| i);
                    for turn in first..=last {
                        per_turn.entry(turn).or_default().push(c);
                    }
                }
                for (_, codes) in per_turn {
                    counts.add_set(&distinct(codes), None);
                }
            }
        }
        CoUnit::Overlap => {
            for passages in &mut by_resp {
                passages.sort_by_key(|x| (x.1, x.2));
                for &(c, ..) in passages.iter() {
                    counts.single[c] += 1;
                }
                // Sweep: a passage can only overlap the ones that start before it ends.
                for (i, &(a, _, end_a)) in passages.iter().enumerate() {
                    for &(b, start_b, _) in &passages[i + 1..] {
                        if start_b >= end_a {
                            break;
                        }
                        if a != b {
                            *counts.pair.entry((a.min(b), a.max(b))).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    counts
}

fn unit_noun(sel: &Selection, unit: CoUnit) -> &'static str {
    match unit {
        CoUnit::Respondent => sel.split.unit.name(),
        CoUnit::Turn => "turns",
        CoUnit::Overlap => "passages",
    }
}

pub fn rows(sel: &Selection, tally: &Tally, unit: CoUnit) -> Vec<CoRow> {
    // (by, key, label, bucket); None is the total over all buckets.
    let mut buckets: Vec<(String, String, String, Option<usize>)> = sel
        .split
        .buckets
        .iter()
        .enumerate()
        .map(|(b, bucket)| {
            (
                sel.split.by.clone(),
                bucket.key.clone(),
                bucket.label.clone(),
                Some(b),
            )
        })
        .collect();
    if buckets.len() > 1 {
        buckets.push((
            "all".into(),
            "all".into(),
            sel.split.unit.name().into(),
            None,
        ));
    }
    let noun = unit_noun(sel, unit);
    let mut out = Vec::new();
    for (by, key, label, bucket) in &buckets {
        let keep = |r: usize| bucket.is_none_or(|b| sel.in_bucket(b, sel.respondent(r)));
        let counts = count(sel, tally, unit, &keep);
        for a in 0..sel.codes.len() {
            for b in a + 1..sel.codes.len() {
                let n_ab = counts.pair.get(&(a, b)).copied().unwrap_or(0);
                let (n_a, n_b) = (counts.single[a], counts.single[b]);
                out.push(CoRow {
                    by: by.clone(),
                    group: key.clone(),
                    label: label.clone(),
                    unit: noun,
                    code_a: sel.codes[a].id.clone(),
                    name_a: sel.codes[a].name.clone(),
                    code_b: sel.codes[b].id.clone(),
                    name_b: sel.codes[b].name.clone(),
                    n_a,
                    n_b,
                    n_ab,
                    c_coefficient: ratio(n_ab, (n_a + n_b).saturating_sub(n_ab)),
                    share_of_a: ratio(n_ab, n_a),
                    share_of_b: ratio(n_ab, n_b),
                    with_both: (unit == CoUnit::Respondent).then(|| {
                        counts
                            .both
                            .get(&(a, b))
                            .map(|s| s.iter().cloned().collect())
                            .unwrap_or_default()
                    }),
                });
            }
        }
    }
    out
}

fn table(rows: &[CoRow], with_ids: bool) -> Table {
    let mut columns = vec![
        Column::new("by", 10.0),
        Column::new("group", 14.0),
        Column::new("unit", 10.0),
        Column::new("code_a", 14.0),
        Column::new("name_a", 24.0),
        Column::new("code_b", 14.0),
        Column::new("name_b", 24.0),
        Column::new("n_a", 6.0),
        Column::new("n_b", 6.0),
        Column::new("n_ab", 6.0),
        Column::new("c_coefficient", 8.0),
        Column::new("share_of_a", 8.0),
        Column::new("share_of_b", 8.0),
    ];
    if with_ids {
        columns.push(Column::new("with_both", 30.0));
    }
    let num = |x: Option<f64>| x.map_or(Cell::text(""), |v| Cell::text(format!("{v:.3}")));
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                Cell::text(&r.by),
                Cell::text(&r.group),
                Cell::text(r.unit),
                Cell::text(&r.code_a),
                Cell::text(&r.name_a),
                Cell::text(&r.code_b),
                Cell::text(&r.name_b),
                Cell::Int(r.n_a as u64),
                Cell::Int(r.n_b as u64),
                Cell::Int(r.n_ab as u64),
                num(r.c_coefficient),
                num(r.share_of_a),
                num(r.share_of_b),
            ];
            if with_ids {
                cells.push(Cell::text(
                    r.with_both.as_deref().unwrap_or_default().join(", "),
                ));
            }
            Row { sheet: 0, cells }
        })
        .collect();
    Table {
        columns,
        rows,
        sheets: vec!["cooccurrence".into()],
    }
}

pub fn render(sel: &Selection, tally: &Tally, req: &Request) -> Result<Vec<u8>, ExportError> {
    let rows = rows(sel, tally, req.co_unit);
    match req.format {
        Format::Json => json(&rows),
        // The ids behind each count go in the workbook; a CSV of 10,000 respondents stays
        // readable without them (JSON has them too).
        Format::Xlsx => table::to_xlsx(&table(&rows, req.co_unit == CoUnit::Respondent)),
        _ => table::to_csv(&table(&rows, false), req.excel),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Filter, testutil};
    use super::*;

    #[test]
    fn units_count_respondents_turns_and_overlapping_pairs() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let sel = Filter::default().resolve(&p).unwrap();
        let tally = Tally::new(&sel, "ann");
        let find = |rows: &[CoRow], g: &str, a: &str, b: &str| {
            rows.iter()
                .find(|r| r.group == g && r.code_a == a && r.code_b == b)
                .cloned()
                .unwrap()
        };
        // A-Z (zorgcoördinator) has niet-pluis and signalen in one turn, not overlapping.
        let rows = rows(&sel, &tally, CoUnit::Respondent);
        let r = find(&rows, "all", "niet-pluis", "signalen");
        assert_eq!((r.n_a, r.n_b, r.n_ab), (2, 1, 1));
        assert_eq!(r.c_coefficient, Some(0.5));
        assert_eq!(r.share_of_b, Some(1.0));
        assert_eq!(r.with_both.as_deref(), Some(&["A-Z".to_string()][..]));
        let r = find(&rows, "docent", "niet-pluis", "signalen");
        assert_eq!((r.n_a, r.n_b, r.n_ab), (1, 0, 0));
        let turns = super::rows(&sel, &tally, CoUnit::Turn);
        let r = find(&turns, "all", "niet-pluis", "signalen");
        assert_eq!(
            (r.n_a, r.n_b, r.n_ab),
            (3, 1, 1),
            "A-D1's two turns, A-Z's one"
        );
        let overlap = super::rows(&sel, &tally, CoUnit::Overlap);
        let r = find(&overlap, "all", "niet-pluis", "signalen");
        assert_eq!((r.n_a, r.n_b, r.n_ab), (3, 1, 0));
        assert_eq!(r.unit, "passages");
    }
}
