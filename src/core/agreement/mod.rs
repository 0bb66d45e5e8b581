//! Inter-coder agreement: how well two (or more) coders' codings of the same transcripts agree.
//!
//! Units. Every character (Unicode scalar value, like all offsets) of a compared transcript is a
//! unit; for each code, a coder either coded the unit with that code or not (as NVivo does). A
//! transcript is compared when every coder named has worked on it (has at least one coding in it
//! or has marked it done): a second coder who has recoded 20 of 45 interviews so far is compared
//! on those 20, not counted as disagreeing on the other 25. `Scope::AllTranscripts` compares
//! every transcript of the project instead (uncoded = coded with nothing), as NVivo does.
//!
//! Measures, per code and pooled over the codes compared (units = character × code):
//! - percent agreement and Cohen's kappa (coders A and B, the first two named);
//! - Krippendorff's alpha, binary per code and nominal (a character's value is the combination
//!   of codes a coder gave it), over all coders named;
//! - segment-level agreement (coders A and B): a passage matches when the other coder has the
//!   same code on a passage overlapping it by at least T% (intersection over union), with
//!   Brennan & Prediger's kappa;
//! - the base: passages and coded characters per coder.
//!
//! Everything is computed from sorted range boundaries (see `intervals`), never one flag per
//! character. Formulas and references: README.md, "Second-round coding and inter-coder agreement".

pub mod disagreements;
pub mod intervals;
pub mod measures;

pub use disagreements::{DiffRange, Disagreement, Kind, Side};
pub use measures::{Coincidence, SegmentCounts, Table2};

use crate::core::coding::{CoderState, Coding};
use crate::core::project::Project;
use intervals::Span;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Default minimum overlap for segment-level agreement, in percent (as MAXQDA).
pub const DEFAULT_OVERLAP: f64 = 90.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Transcripts every coder has worked on (a coding in it, or marked done).
    #[default]
    CodedByAll,
    /// Every transcript of the project.
    AllTranscripts,
}

/// What the rows of a report are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    #[default]
    Code,
    Transcript,
    Group,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Codes to compare (ids or names). Empty: every code either coder used in the compared
    /// transcripts.
    pub codes: Vec<String>,
    /// Minimum overlap of two passages for segment-level agreement, percent, in (0, 100].
    pub overlap: f64,
    pub scope: Scope,
    /// Before segment agreement, merge a coder's overlapping passages of one code into one
    /// segment, as MAXQDA does (default). Without it, A coding [3,13) and [8,18) against B's
    /// [3,18) counts as two segments of A that match nothing, though the characters agree
    /// fully (kappa 1.0). Touching passages ([3,13), [13,18)) stay two segments either way.
    pub merge_overlapping: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            codes: Vec::new(),
            overlap: DEFAULT_OVERLAP,
            scope: Scope::default(),
            merge_overlapping: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AgreementError {
    #[error("agreement needs at least two coders")]
    TooFewCoders,
    #[error("coder \"{0}\" is named twice")]
    DuplicateCoder(String),
    #[error("coder \"{coder}\" has no journal (codings/{coder}.jsonl); coders with one: {known}")]
    UnknownCoder { coder: String, known: String },
    #[error("unknown code \"{0}\"")]
    UnknownCode(String),
    #[error("the overlap must be a percentage above 0 and at most 100, not {0}")]
    BadOverlap(f64),
}

/// A transcript as the measures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptInfo {
    pub id: String,
    /// Length in characters.
    pub len: usize,
    pub group: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInfo {
    pub id: String,
    pub name: String,
}

/// What a comparison is computed from. `Comparison::from_project` builds it from a project;
/// tests and benchmarks can build it directly.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub transcripts: Vec<TranscriptInfo>,
    /// The codebook's codes, in codebook order.
    pub codes: Vec<CodeInfo>,
    /// Groups in report order, with the plural for labels.
    pub groups: Vec<(String, String)>,
    /// The coders; the first two are A and B for kappa, segments and disagreements.
    pub coders: Vec<&'a CoderState>,
}

impl<'a> Input<'a> {
    /// The project's transcripts, codes and groups, with the given coders' states: for a TUI
    /// that holds fresher states (open journals) than `project.coders`.
    pub fn from_project(project: &Project, coders: Vec<&'a CoderState>) -> Input<'a> {
        Input {
            transcripts: project
                .transcripts
                .iter()
                .zip(&project.respondents)
                .map(|(t, r)| TranscriptInfo {
                    id: t.id.clone(),
                    len: t.len_chars(),
                    group: r.group.clone(),
                })
                .collect(),
            codes: project
                .codebook
                .codes
                .iter()
                .map(|c| CodeInfo {
                    id: c.id.clone(),
                    name: c.name.clone(),
                })
                .collect(),
            groups: project
                .groups()
                .into_iter()
                .map(|g| {
                    let plural = project.group_plural(&g).to_string();
                    (g, plural)
                })
                .collect(),
            coders,
        }
    }
}

/// A transcript left out because not every coder has worked on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotCompared {
    pub transcript: String,
    /// The coders who have worked on it.
    pub coded_by: Vec<String>,
}

/// One coder's share of a row: the base without which no coefficient should be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoderBase {
    pub coder: String,
    pub passages: u64,
    /// Coded characters (summed over codes in pooled rows).
    pub coded_chars: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRow {
    #[serde(flatten)]
    pub counts: SegmentCounts,
    pub matched: u64,
    pub unmatched: u64,
    /// Matched passages of both coders as a share of all their passages, 0..=100.
    pub percent: Option<f64>,
    /// Brennan & Prediger's kappa, chance = 1 / number of codes compared.
    pub kappa_bp: Option<f64>,
}

/// Agreement on one code, one transcript, one group, or everything pooled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Code id, transcript id or group id; "" for the pooled row.
    pub key: String,
    pub label: String,
    /// Characters compared.
    pub characters: u64,
    /// Units: characters × codes compared (equal to `characters` in a code row).
    pub units: u64,
    pub coders: Vec<CoderBase>,
    /// Coders A and B, units cross-tabulated.
    pub table: Table2,
    /// Percent agreement of A and B, 0..=100.
    pub percent: Option<f64>,
    /// Cohen's kappa of A and B.
    pub kappa: Option<f64>,
    /// Krippendorff's alpha, binary (coded / not coded per code), all coders.
    pub alpha: Option<f64>,
    /// Krippendorff's alpha, nominal: a character's value is the set of codes it was given.
    /// In a code row this equals `alpha`.
    pub alpha_nominal: Option<f64>,
    pub segments: SegmentRow,
    /// Disagreements of A and B (see `disagreements`).
    pub disagreements: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub coders: Vec<String>,
    pub by: By,
    pub scope: Scope,
    /// Minimum passage overlap for segment agreement, percent.
    pub overlap: f64,
    /// Transcripts compared, in project order.
    pub transcripts: Vec<String>,
    /// Transcripts in the project.
    pub transcripts_total: usize,
    pub not_compared: Vec<NotCompared>,
    /// Codes compared, in codebook order.
    pub codes: Vec<String>,
    /// Codings left out because their text is no longer in the transcript.
    pub orphaned_excluded: usize,
    pub rows: Vec<Row>,
    pub pooled: Row,
}

impl Report {
    /// Rows with the weakest agreement first: by kappa (then alpha, then segment kappa), rows
    /// with every coefficient undefined last.
    pub fn worst_first(&self) -> Vec<&Row> {
        let mut rows: Vec<&Row> = self.rows.iter().collect();
        let key = |r: &Row| r.kappa.or(r.alpha).or(r.segments.kappa_bp);
        rows.sort_by(|x, y| match (key(x), key(y)) {
            (Some(a), Some(b)) => a.total_cmp(&b).then(y.disagreements.cmp(&x.disagreements)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        rows
    }
}

/// Disagreements on one code, for a list view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeDisagreements {
    pub code: String,
    pub name: String,
    pub items: Vec<Disagreement>,
}

/// A prepared comparison of coders: index built once, reports and disagreement lists on demand.
#[derive(Debug, Clone)]
pub struct Comparison<'a> {
    pub coders: Vec<String>,
    pub options: Options,
    transcripts: Vec<TranscriptInfo>,
    groups: Vec<(String, String)>,
    /// Indices into `transcripts`, project order.
    compared: Vec<usize>,
    not_compared: Vec<NotCompared>,
    /// The codes compared, codebook order.
    codes: Vec<CodeInfo>,
    /// (transcript index, index into `codes`) -> per coder, that coder's passages there.
    cells: HashMap<(usize, usize), Vec<Vec<&'a Coding>>>,
    orphaned: usize,
}

/// Per-cell numbers, before they are added into rows.
#[derive(Debug, Clone, Default)]
struct Acc {
    characters: u64,
    units: u64,
    passages: Vec<u64>,
    coded: Vec<u64>,
    table: Table2,
    binary: Coincidence,
    nominal: Coincidence,
    segments: SegmentCounts,
    disagreements: usize,
}

impl Acc {
    fn new(coders: usize) -> Acc {
        Acc {
            passages: vec![0; coders],
            coded: vec![0; coders],
            ..Default::default()
        }
    }

    /// Add one (transcript, code) cell; characters are added by the caller.
    fn add_cell(&mut self, c: &Acc) {
        self.units += c.units;
        for (x, y) in self.passages.iter_mut().zip(&c.passages) {
            *x += y;
        }
        for (x, y) in self.coded.iter_mut().zip(&c.coded) {
            *x += y;
        }
        self.table.add(&c.table);
        self.binary.merge(&c.binary);
        self.segments.add(&c.segments);
        self.disagreements += c.disagreements;
    }

    fn finish(self, key: &str, label: &str, coders: &[String], codes: usize) -> Row {
        let Acc {
            characters,
            units,
            passages,
            coded,
            table,
            binary,
            nominal,
            segments,
            disagreements,
        } = self;
        Row {
            key: key.to_string(),
            label: label.to_string(),
            characters,
            units,
            coders: coders
                .iter()
                .zip(passages.iter().zip(&coded))
                .map(|(c, (&p, &k))| CoderBase {
                    coder: c.clone(),
                    passages: p,
                    coded_chars: k,
                })
                .collect(),
            table,
            percent: table.percent(),
            kappa: table.kappa(),
            alpha: binary.alpha(),
            alpha_nominal: nominal.alpha(),
            segments: SegmentRow {
                counts: segments,
                matched: segments.matched(),
                unmatched: segments.unmatched(),
                percent: segments.percent(),
                kappa_bp: segments.kappa_bp(codes),
            },
            disagreements,
        }
    }
}

impl<'a> Comparison<'a> {
    /// Compare the named coders' journals in a project.
    pub fn from_project(
        project: &'a Project,
        coders: &[String],
        options: Options,
    ) -> Result<Comparison<'a>, AgreementError> {
        check_coder_names(coders)?;
        let mut states = Vec::new();
        for c in coders {
            match project.coders.get(c) {
                Some(s) => states.push(s),
                None => {
                    let known: Vec<&str> = project.coders.keys().map(String::as_str).collect();
                    let known = if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    };
                    return Err(AgreementError::UnknownCoder {
                        coder: c.clone(),
                        known,
                    });
                }
            }
        }
        let input = Input::from_project(project, states);
        Self::new(input, options)
    }

    pub fn new(input: Input<'a>, options: Options) -> Result<Comparison<'a>, AgreementError> {
        let names: Vec<String> = input.coders.iter().map(|s| s.coder.clone()).collect();
        check_coder_names(&names)?;
        if !(options.overlap > 0.0 && options.overlap <= 100.0) {
            return Err(AgreementError::BadOverlap(options.overlap));
        }
        let t_index: HashMap<&str, usize> = input
            .transcripts
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.as_str(), i))
            .collect();
        let c_index: HashMap<&str, usize> = input
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let m = input.coders.len();

        // Index every usable coding by (transcript, codebook code) and note who worked where.
        let mut by_cell: HashMap<(usize, usize), Vec<Vec<&'a Coding>>> = HashMap::new();
        let mut worked: Vec<Vec<bool>> = vec![vec![false; m]; input.transcripts.len()];
        let mut orphaned = 0;
        for (k, state) in input.coders.iter().enumerate() {
            for t in &state.done {
                if let Some(&ti) = t_index.get(t.as_str()) {
                    worked[ti][k] = true;
                }
            }
            for c in state.codings.values() {
                let Some(&ti) = t_index.get(c.transcript.as_str()) else {
                    continue;
                };
                worked[ti][k] = true;
                if c.anchor.is_flagged() {
                    orphaned += 1;
                    continue;
                }
                let Some(&ci) = c_index.get(c.code.as_str()) else {
                    continue;
                };
                if c.start >= c.end.min(input.transcripts[ti].len) {
                    continue;
                }
                by_cell
                    .entry((ti, ci))
                    .or_insert_with(|| vec![Vec::new(); m])[k]
                    .push(c);
            }
        }

        let mut compared = Vec::new();
        let mut not_compared = Vec::new();
        for (ti, w) in worked.iter().enumerate() {
            let all = w.iter().all(|&x| x);
            if all || options.scope == Scope::AllTranscripts {
                compared.push(ti);
            } else if w.iter().any(|&x| x) {
                not_compared.push(NotCompared {
                    transcript: input.transcripts[ti].id.clone(),
                    coded_by: names
                        .iter()
                        .zip(w)
                        .filter(|(_, x)| **x)
                        .map(|(n, _)| n.clone())
                        .collect(),
                });
            }
        }
        let is_compared: Vec<bool> = {
            let mut v = vec![false; input.transcripts.len()];
            for &ti in &compared {
                v[ti] = true;
            }
            v
        };

        // The codes compared: as asked, else every code used in a compared transcript.
        let chosen: Vec<usize> = if options.codes.is_empty() {
            let used: BTreeSet<usize> = by_cell
                .keys()
                .filter(|(ti, _)| is_compared[*ti])
                .map(|&(_, ci)| ci)
                .collect();
            used.into_iter().collect()
        } else {
            let mut v = Vec::new();
            for want in &options.codes {
                let lower = want.to_lowercase();
                let ci = c_index.get(want.as_str()).copied().or_else(|| {
                    input
                        .codes
                        .iter()
                        .position(|c| c.name.to_lowercase() == lower)
                });
                match ci {
                    Some(ci) if !v.contains(&ci) => v.push(ci),
                    Some(_) => {}
                    None => return Err(AgreementError::UnknownCode(want.clone())),
                }
            }
            v.sort_unstable();
            v
        };
        let position: HashMap<usize, usize> =
            chosen.iter().enumerate().map(|(p, &ci)| (ci, p)).collect();
        let mut cells = HashMap::new();
        for ((ti, ci), mut per_coder) in by_cell {
            if let (true, Some(&p)) = (is_compared[ti], position.get(&ci)) {
                for list in &mut per_coder {
                    list.sort_by_key(|c| (c.start, c.end, c.id));
                }
                cells.insert((ti, p), per_coder);
            }
        }
        Ok(Comparison {
            coders: names,
            options,
            transcripts: input.transcripts,
            groups: input.groups,
            compared,
            not_compared,
            codes: chosen.iter().map(|&ci| input.codes[ci].clone()).collect(),
            cells,
            orphaned,
        })
    }

    /// The codes compared, codebook order.
    pub fn codes(&self) -> &[CodeInfo] {
        &self.codes
    }

    /// Ids of the transcripts compared, project order.
    pub fn compared_transcripts(&self) -> Vec<&str> {
        self.compared
            .iter()
            .map(|&ti| self.transcripts[ti].id.as_str())
            .collect()
    }

    fn passages(&self, ti: usize, ci: usize, coder: usize) -> &[&'a Coding] {
        self.cells
            .get(&(ti, ci))
            .map_or(&[], |v| v[coder].as_slice())
    }

    /// Numbers of one (transcript, code) cell.
    fn cell(&self, ti: usize, ci: usize) -> Acc {
        let m = self.coders.len();
        let len = self.transcripts[ti].len;
        let mut acc = Acc::new(m);
        acc.units = len as u64;
        let raw: Vec<Vec<Span>> = (0..m)
            .map(|k| {
                self.passages(ti, ci, k)
                    .iter()
                    .map(|c| (c.start, c.end.min(len)))
                    .filter(|(s, e)| s < e)
                    .collect()
            })
            .collect();
        let merged: Vec<Vec<Span>> = raw.iter().map(|r| intervals::merge(r.clone())).collect();
        for k in 0..m {
            acc.passages[k] = raw[k].len() as u64;
            acc.coded[k] = intervals::total_len(&merged[k]);
        }
        let both = intervals::intersection_len(&merged[0], &merged[1]);
        let (a, b) = (acc.coded[0], acc.coded[1]);
        acc.table = Table2 {
            both,
            a_only: a - both,
            b_only: b - both,
            neither: len as u64 + both - a - b,
        };
        let lists: Vec<&[Span]> = merged.iter().map(Vec::as_slice).collect();
        let hist = intervals::coverage_histogram(&lists, len);
        for (k, &chars) in hist.iter().enumerate() {
            acc.binary
                .add_counts(&[(0, (m - k) as u64), (1, k as u64)], chars);
        }
        let segments: Vec<Vec<Span>> = if self.options.merge_overlapping {
            raw.iter()
                .map(|r| intervals::merge_overlapping(r.clone()))
                .collect()
        } else {
            raw.clone()
        };
        let (am, bm) = intervals::match_passages(&segments[0], &segments[1], self.options.overlap);
        acc.segments = SegmentCounts {
            a_matched: am,
            a_total: segments[0].len() as u64,
            b_matched: bm,
            b_total: segments[1].len() as u64,
        };
        acc.disagreements =
            disagreements::count(self.passages(ti, ci, 0), self.passages(ti, ci, 1));
        acc
    }

    /// Nominal coincidences of one transcript: each character's value per coder is the set of
    /// compared codes that coder gave it (interned to a number).
    fn nominal(&self, ti: usize, interner: &mut HashMap<Vec<u32>, u32>) -> Coincidence {
        let m = self.coders.len();
        let len = self.transcripts[ti].len;
        // (position, coder, code, +1 start / -1 end)
        let mut events: Vec<(usize, usize, u32, i8)> = Vec::new();
        for ci in 0..self.codes.len() {
            for k in 0..m {
                let spans: Vec<Span> = self
                    .passages(ti, ci, k)
                    .iter()
                    .map(|c| (c.start, c.end.min(len)))
                    .collect();
                for (s, e) in intervals::merge(spans) {
                    events.push((s, k, ci as u32, 1));
                    events.push((e, k, ci as u32, -1));
                }
            }
        }
        events.sort_unstable_by_key(|&(pos, ..)| pos);
        let mut active: Vec<Vec<u32>> = vec![Vec::new(); m];
        let mut value: Vec<u32> = vec![intern(interner, &[]); m];
        let mut dirty = vec![false; m];
        let mut out = Coincidence::new();
        let mut counts: Vec<(u32, u64)> = Vec::with_capacity(m);
        let mut emit = |from: usize, to: usize, value: &[u32], out: &mut Coincidence| {
            if to > from {
                counts.clear();
                for &v in value {
                    match counts.iter_mut().find(|(x, _)| *x == v) {
                        Some((_, c)) => *c += 1,
                        None => counts.push((v, 1)),
                    }
                }
                out.add_counts(&counts, (to - from) as u64);
            }
        };
        let mut prev = 0usize;
        let mut i = 0;
        while i < events.len() {
            let pos = events[i].0;
            emit(prev, pos, &value, &mut out);
            while i < events.len() && events[i].0 == pos {
                let (_, k, code, delta) = events[i];
                let set = &mut active[k];
                match (delta > 0, set.binary_search(&code)) {
                    (true, Err(at)) => set.insert(at, code),
                    (false, Ok(at)) => {
                        set.remove(at);
                    }
                    _ => {}
                }
                dirty[k] = true;
                i += 1;
            }
            for k in 0..m {
                if dirty[k] {
                    value[k] = intern(interner, &active[k]);
                    dirty[k] = false;
                }
            }
            prev = pos;
        }
        emit(prev, len, &value, &mut out);
        out
    }

    /// The agreement report with rows by code, transcript or group, and the pooled row.
    pub fn report(&self, by: By) -> Report {
        let m = self.coders.len();
        let k = self.codes.len();
        let mut code_rows: Vec<Acc> = vec![Acc::new(m); k];
        let mut transcript_rows: Vec<Acc> = Vec::new();
        let mut group_rows: Vec<Acc> = vec![Acc::new(m); self.groups.len()];
        let mut pooled = Acc::new(m);
        let mut interner: HashMap<Vec<u32>, u32> = HashMap::new();
        for &ti in &self.compared {
            let len = self.transcripts[ti].len as u64;
            let mut t_acc = Acc::new(m);
            t_acc.characters = len;
            for (ci, code_row) in code_rows.iter_mut().enumerate() {
                let cell = self.cell(ti, ci);
                code_row.add_cell(&cell);
                code_row.characters += len;
                t_acc.add_cell(&cell);
            }
            t_acc.nominal = self.nominal(ti, &mut interner);
            let group = self
                .groups
                .iter()
                .position(|(g, _)| *g == self.transcripts[ti].group);
            if let Some(g) = group {
                let g_acc = &mut group_rows[g];
                g_acc.add_cell(&t_acc);
                g_acc.characters += len;
                g_acc.nominal.merge(&t_acc.nominal);
            }
            pooled.add_cell(&t_acc);
            pooled.characters += len;
            pooled.nominal.merge(&t_acc.nominal);
            transcript_rows.push(t_acc);
        }
        let rows = match by {
            By::Code => code_rows
                .into_iter()
                .zip(&self.codes)
                .map(|(mut acc, code)| {
                    acc.nominal = acc.binary.clone();
                    acc.finish(&code.id, &code.name, &self.coders, k)
                })
                .collect(),
            By::Transcript => transcript_rows
                .into_iter()
                .zip(&self.compared)
                .map(|(acc, &ti)| {
                    let id = &self.transcripts[ti].id;
                    acc.finish(id, id, &self.coders, k)
                })
                .collect(),
            By::Group => group_rows
                .into_iter()
                .zip(&self.groups)
                .filter(|(acc, _)| acc.characters > 0)
                .map(|(acc, (g, plural))| acc.finish(g, plural, &self.coders, k))
                .collect(),
        };
        let label = match k {
            1 => self.codes[0].name.clone(),
            _ => format!("all {k} codes, pooled"),
        };
        Report {
            coders: self.coders.clone(),
            by,
            scope: self.options.scope,
            overlap: self.options.overlap,
            transcripts: self
                .compared_transcripts()
                .into_iter()
                .map(str::to_string)
                .collect(),
            transcripts_total: self.transcripts.len(),
            not_compared: self.not_compared.clone(),
            codes: self.codes.iter().map(|c| c.id.clone()).collect(),
            orphaned_excluded: self.orphaned,
            rows,
            pooled: pooled.finish("", &label, &self.coders, k),
        }
    }

    /// Coders A and B's disagreements on one code (id or name), in the compared transcripts, in
    /// project and text order. A code not compared has none.
    pub fn disagreements(&self, code: &str) -> Vec<Disagreement> {
        let lower = code.to_lowercase();
        let Some(ci) = self.codes.iter().position(|c| c.id == code).or_else(|| {
            self.codes
                .iter()
                .position(|c| c.name.to_lowercase() == lower)
        }) else {
            return Vec::new();
        };
        self.compared
            .iter()
            .flat_map(|&ti| {
                disagreements::find(
                    &self.transcripts[ti].id,
                    &self.codes[ci].id,
                    self.passages(ti, ci, 0),
                    self.passages(ti, ci, 1),
                )
            })
            .collect()
    }

    /// Disagreements of every code compared, codebook order.
    pub fn all_disagreements(&self) -> Vec<CodeDisagreements> {
        self.codes
            .iter()
            .map(|c| CodeDisagreements {
                code: c.id.clone(),
                name: c.name.clone(),
                items: self.disagreements(&c.id),
            })
            .collect()
    }

    /// Disagreements in one transcript, all codes compared, in text order.
    pub fn transcript_disagreements(&self, transcript: &str) -> Vec<Disagreement> {
        let Some(ti) = self
            .compared
            .iter()
            .copied()
            .find(|&ti| self.transcripts[ti].id == transcript)
        else {
            return Vec::new();
        };
        let mut out: Vec<Disagreement> = (0..self.codes.len())
            .flat_map(|ci| {
                disagreements::find(
                    transcript,
                    &self.codes[ci].id,
                    self.passages(ti, ci, 0),
                    self.passages(ti, ci, 1),
                )
            })
            .collect();
        out.sort_by_key(|d| (d.start, d.end));
        out
    }

    /// Coder A's passages where A and B agree exactly (same code, same passages), for seeding a
    /// consensus coder.
    pub fn agreed_passages(&self) -> Vec<&'a Coding> {
        let mut out = Vec::new();
        for &ti in &self.compared {
            for ci in 0..self.codes.len() {
                for cl in
                    disagreements::clusters(self.passages(ti, ci, 0), self.passages(ti, ci, 1))
                {
                    if cl.agrees() {
                        out.extend(cl.a);
                    }
                }
            }
        }
        out
    }
}

fn intern(interner: &mut HashMap<Vec<u32>, u32>, set: &[u32]) -> u32 {
    if let Some(&id) = interner.get(set) {
        return id;
    }
    let id = interner.len() as u32;
    interner.insert(set.to_vec(), id);
    id
}

fn check_coder_names(coders: &[String]) -> Result<(), AgreementError> {
    if coders.len() < 2 {
        return Err(AgreementError::TooFewCoders);
    }
    for (i, c) in coders.iter().enumerate() {
        if coders[..i].contains(c) {
            return Err(AgreementError::DuplicateCoder(c.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
