//! Exports: the coded quotes gathered per deelvraag, code and respondent group, with the counts
//! a results chapter quotes ("14 of 27 docenten").
//!
//! Everything here works on one coder's codings (codings of two coders overlap, so adding them
//! up would count passages twice). The steps are:
//!
//! 1. [`Filter`] (what the user asked for) is resolved against the project into a [`Selection`]:
//!    the deelvragen, codes, groups, school types and respondents to include, in report order.
//! 2. [`Tally`] counts the coder's passages per selected code and respondent, and lists them as
//!    [`Passage`]s in cluster order: deelvraag, code, group, respondent, position.
//! 3. Each export (`quotes`, `summary`, `report`, `matrix`) builds plain rows from these, which
//!    [`table`] writes as CSV or xlsx, or serde writes as JSON. The TUI uses the same structs:
//!    [`clusters::clusters`] for the clusters view and [`matrix::code_matrix`] for the code
//!    matrix.
//!
//! All output is deterministic: the same project gives byte-identical files (no time stamps;
//! the xlsx creation date is fixed). Files are never overwritten silently: see [`save`].

pub mod clusters;
pub mod codebook;
pub mod cooccurrence;
pub mod matrix;
pub mod quotes;
pub mod report;
pub mod split;
pub mod summary;
pub mod table;
pub mod trace;
pub mod words;

use super::codebook::{Code, Deelvraag, slug};
use super::coding::{CoderState, Coding};
use super::fsutil;
use super::project::Project;
use super::respondents::Respondent;
use crate::core::text::fold_key as fold;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Which export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Quotes,
    Summary,
    Report,
    Matrix,
    Cooccurrence,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Quotes => "quotes",
            Kind::Summary => "summary",
            Kind::Report => "report",
            Kind::Matrix => "matrix",
            Kind::Cooccurrence => "cooccurrence",
        }
    }

    /// The formats this export can be written in; the first is the default.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Kind::Quotes | Kind::Summary | Kind::Matrix | Kind::Cooccurrence => {
                &[Format::Csv, Format::Xlsx, Format::Json]
            }
            Kind::Report => &[Format::Md, Format::Html, Format::Json],
        }
    }

    pub fn default_format(self) -> Format {
        self.formats()[0]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
    Md,
    Html,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
            Format::Md => "md",
            Format::Html => "html",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "xlsx" | "excel" => Format::Xlsx,
            "json" => Format::Json,
            "md" | "markdown" => Format::Md,
            "html" | "htm" => Format::Html,
            _ => return None,
        })
    }
}

/// What to include. Empty lists mean "all". Values are matched as users type them: deelvraag
/// numbers; group ids or plurals; school types; code ids or names (case and accents ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub deelvragen: Vec<u32>,
    pub groups: Vec<String>,
    pub school_types: Vec<String>,
    pub codes: Vec<String>,
    /// Count passages that lie wholly in interviewer turns too. Off by default: an
    /// interviewer's question is not something the respondent said.
    pub include_interviewer: bool,
    /// `--attr name=value`: only respondents with these values (all of them: AND).
    pub attrs: Vec<String>,
    /// `--by NAME`: split by this respondent attribute, `group` (the default), `school_type`,
    /// `school` (schools as the unit) or `set:NAME` (a saved query). See [`split`].
    pub by: Option<String>,
    /// `--bins 0,5,10`: bin a numeric `--by` attribute at these edges.
    pub bins: Option<String>,
    /// `--where 'EXPR'`: only passages for which the code query holds (at `where_scope`,
    /// passage by default); group sizes stay as they are. See [`crate::core::query`].
    pub where_query: Option<String>,
    /// `--where-scope passage|turn|respondent` for `where_query`.
    pub where_scope: Option<String>,
    /// `--among 'EXPR'`: only respondents for whom the query holds, so that "of M" counts
    /// them ("N of the 10 docenten with Veilig Thuis").
    pub among: Option<String>,
}

/// One export to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub kind: Kind,
    pub coder: String,
    pub filter: Filter,
    pub format: Format,
    /// CSV for Excel in a Dutch locale: UTF-8 BOM, `;` between fields, decimal comma, CRLF.
    pub excel: bool,
    /// Matrix only: cells 0/1 instead of passage counts.
    pub binary: bool,
    /// Co-occurrence only: what counts as occurring together.
    pub co_unit: cooccurrence::CoUnit,
    /// Report only (`--key-quotes`): per code and group only the passages marked as key quotes;
    /// where none is marked, the this many shortest (`--shortest N`).
    pub key_quotes: Option<usize>,
    /// Report only: the language of its fixed words (`--lang`); None: project.json's
    /// `report_language`, else English.
    pub lang: Option<words::Lang>,
    /// Report only: counts up to twenty as words ("Veertien docenten van de 27").
    pub number_words: bool,
}

impl Request {
    pub fn new(kind: Kind, coder: &str) -> Request {
        Request {
            kind,
            coder: coder.to_string(),
            filter: Filter::default(),
            format: kind.default_format(),
            excel: false,
            binary: false,
            co_unit: cooccurrence::CoUnit::default(),
            key_quotes: None,
            lang: None,
            number_words: false,
        }
    }

    /// Refuse combinations that make no sense, naming what to use instead.
    pub fn validate(&self) -> Result<(), ExportError> {
        if !self.kind.formats().contains(&self.format) {
            return Err(ExportError::Format {
                kind: self.kind.name(),
                format: self.format.extension(),
                allowed: self
                    .kind
                    .formats()
                    .iter()
                    .map(|f| f.extension())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        if self.excel && self.format != Format::Csv {
            return Err(ExportError::Usage(format!(
                "--excel is a CSV variant; it cannot be combined with --format {}",
                self.format.extension()
            )));
        }
        if self.binary && self.kind != Kind::Matrix {
            return Err(ExportError::Usage(
                "--binary applies to `export matrix` only".into(),
            ));
        }
        if (self.lang.is_some() || self.number_words) && self.kind != Kind::Report {
            return Err(ExportError::Usage(
                "--lang and --number-words apply to `export report` only".into(),
            ));
        }
        if self.key_quotes.is_some() && self.kind != Kind::Report {
            return Err(ExportError::Usage(
                "--key-quotes applies to `export report` only".into(),
            ));
        }
        if self.co_unit != cooccurrence::CoUnit::default() && self.kind != Kind::Cooccurrence {
            return Err(ExportError::Usage(
                "--unit applies to `export cooccurrence` only".into(),
            ));
        }
        Ok(())
    }

    /// The file name an export gets by default, after what was exported:
    /// `quotes-student-dv1-docent.csv`, `matrix-student-binary.xlsx`, `summary-student-excel.csv`.
    pub fn file_name(&self, sel: &Selection) -> String {
        let mut parts = vec![self.kind.name().to_string(), name_part(&self.coder)];
        let f = &self.filter;
        if !f.deelvragen.is_empty() {
            parts.extend(sel.deelvragen.iter().map(|d| format!("dv{}", d.number)));
        }
        if !f.groups.is_empty() {
            parts.extend(sel.groups.iter().map(|g| name_part(g)));
        }
        if !f.school_types.is_empty() {
            parts.extend(sel.school_types.iter().map(|t| name_part(t)));
        }
        if !f.codes.is_empty() {
            parts.extend(sel.codes.iter().map(|c| name_part(&c.id)));
        }
        for a in &f.attrs {
            parts.push(name_part(a));
        }
        if let Some(by) = &f.by {
            parts.push(format!("by-{}", name_part(by)));
        }
        if let Some(bins) = &f.bins {
            parts.push(format!("bins-{}", name_part(bins)));
        }
        if let Some(w) = &f.where_query {
            parts.push(format!("where-{}", name_part(w)));
        }
        if let Some(a) = &f.among {
            parts.push(format!("among-{}", name_part(a)));
        }
        if self.binary {
            parts.push("binary".into());
        }
        if self.co_unit != cooccurrence::CoUnit::default() {
            parts.push(self.co_unit.name().into());
        }
        if self.key_quotes.is_some() {
            parts.push("key-quotes".into());
        }
        if self.excel {
            parts.push("excel".into());
        }
        let mut stem = parts.join("-");
        // File systems allow 255 bytes a name: with many filters, keep the start and make the
        // rest a short hash, so that different selections still get different names.
        if stem.len() > 120 {
            let hash = crate::core::transcript::fnv1a(stem.as_bytes());
            stem = format!("{}-{hash:016x}", &stem[..100]);
        }
        format!("{stem}.{}", self.format.extension())
    }
}

fn name_part(s: &str) -> String {
    let s = slug(s);
    if s.is_empty() { "x".into() } else { s }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("unknown {what} \"{value}\" (known: {known})")]
    Unknown {
        what: &'static str,
        value: String,
        known: String,
    },
    #[error("`export {kind}` cannot be written as {format}; use one of: {allowed}")]
    Format {
        kind: &'static str,
        format: &'static str,
        allowed: String,
    },
    #[error("{0}")]
    Usage(String),
    #[error("{} exists already; use --force to replace it, or another --out", .0.display())]
    Exists(PathBuf),
    #[error("cannot write the workbook: {0}")]
    Xlsx(String),
    #[error("cannot encode the export: {0}")]
    Encode(String),
    /// The OS error is in the message and not a `source`, so it is printed once.
    #[error("cannot write {}: {err}", path.display())]
    Io { path: PathBuf, err: std::io::Error },
}

/// The filter resolved against a project: what goes into an export, in report order.
#[derive(Debug, Clone)]
pub struct Selection<'p> {
    pub project: &'p Project,
    /// In codebook order.
    pub deelvragen: Vec<&'p Deelvraag>,
    /// By deelvraag (codebook order), then in tree order: each top-level code (codebook
    /// order) followed by its sub-codes.
    pub codes: Vec<&'p Code>,
    /// `depths[c]`: how deep `codes[c]` is in the code tree (0 = top level).
    pub depths: Vec<usize>,
    /// In project order (`Project::groups`).
    pub groups: Vec<String>,
    /// In project order (`Project::school_types`).
    pub school_types: Vec<String>,
    /// Indices into `project.respondents`, in respondents.csv order.
    pub respondents: Vec<usize>,
    /// See [`Filter::include_interviewer`].
    pub include_interviewer: bool,
    /// The columns or sections (`--by`) and the unit counted; by group unless asked.
    pub split: split::Split,
    /// The resolved `--attr` filters, (column, value).
    pub attrs: Vec<(String, String)>,
    /// With `--where`: the ids of the coder's codings that pass it; others are left out.
    pub keep_codings: Option<std::collections::HashSet<crate::core::coding::CodingId>>,
    /// The query options as given, for the report's introduction: (`--where`, `--among`).
    pub queries: (Option<String>, Option<String>),
}

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

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.deelvragen.is_empty()
            && self.groups.is_empty()
            && self.school_types.is_empty()
            && self.codes.is_empty()
            && self.attrs.is_empty()
            && self.by.is_none()
            && self.where_query.is_none()
            && self.among.is_none()
    }

    /// Whether resolving needs the coder: code queries and saved sets are about codings.
    pub fn needs_coder(&self) -> bool {
        self.where_query.is_some()
            || self.among.is_some()
            || self
                .by
                .as_deref()
                .is_some_and(|b| b.trim().starts_with("set:"))
    }

    /// Resolve against the project. Unknown values are errors listing the known ones, so that
    /// a typo does not give a silently empty export. Code queries (`--where`, `--among`,
    /// `--by set:NAME`) need [`Filter::resolve_for`] with the coder.
    pub fn resolve<'p>(&self, p: &'p Project) -> Result<Selection<'p>, ExportError> {
        self.resolve_for(p, None)
    }

    /// Resolve for a coder's codings: what code queries are evaluated on.
    pub fn resolve_for<'p>(
        &self,
        p: &'p Project,
        coder: Option<&str>,
    ) -> Result<Selection<'p>, ExportError> {
        if self.needs_coder() && coder.is_none() {
            return Err(ExportError::Usage(
                "code queries (--where, --among, set:) need a coder".into(),
            ));
        }
        let cb = &p.codebook;
        for &n in &self.deelvragen {
            if cb.deelvraag(n).is_none() {
                return Err(ExportError::Unknown {
                    what: "deelvraag",
                    value: n.to_string(),
                    known: join(cb.deelvragen.iter().map(|d| d.number.to_string())),
                });
            }
        }
        let mut wanted_codes: Vec<&Code> = Vec::new();
        for c in &self.codes {
            let code = resolve_code(p, c).ok_or_else(|| ExportError::Unknown {
                what: "code",
                value: c.clone(),
                known: join(cb.codes.iter().map(|c| c.id.clone())),
            })?;
            if !self.deelvragen.is_empty() && !self.deelvragen.contains(&code.deelvraag) {
                return Err(ExportError::Usage(format!(
                    "code \"{}\" is under deelvraag {}, which --deelvraag leaves out",
                    code.id, code.deelvraag
                )));
            }
            wanted_codes.push(code);
        }
        let deelvragen: Vec<&Deelvraag> = cb
            .deelvragen
            .iter()
            .filter(|d| self.deelvragen.is_empty() || self.deelvragen.contains(&d.number))
            .filter(|d| {
                self.codes.is_empty() || wanted_codes.iter().any(|c| c.deelvraag == d.number)
            })
            .collect();
        let (codes, depths): (Vec<&Code>, Vec<usize>) = deelvragen
            .iter()
            .flat_map(|d| cb.tree_of(d.number))
            .filter(|(c, _)| self.codes.is_empty() || wanted_codes.iter().any(|w| w.id == c.id))
            .unzip();

        let all_groups = p.groups();
        let groups = pick(&all_groups, &self.groups, "group", |g, v| {
            g == v
                || p.group_plural(g) == v
                || fold(g) == fold(v)
                || fold(p.group_plural(g)) == fold(v)
        })?;
        let all_types = p.school_types();
        let school_types = pick(&all_types, &self.school_types, "school type", |t, v| {
            t == v || fold(t) == fold(v)
        })?;
        let attrs = split::resolve_attrs(p, &self.attrs)?;
        let mut respondents: Vec<usize> = p
            .respondents
            .iter()
            .enumerate()
            .filter(|(_, r)| groups.contains(&r.group))
            .filter(|(_, r)| self.school_types.is_empty() || school_types.contains(&r.school_type))
            .filter(|(_, r)| split::passes(r, &attrs))
            .map(|(i, _)| i)
            .collect();
        let facts = match coder.filter(|_| self.needs_coder()) {
            Some(c) => Some(
                crate::core::query::Facts::new(p, c, self.include_interviewer)
                    .map_err(query_error)?,
            ),
            None => None,
        };
        let mut keep_codings = None;
        if let Some(facts) = &facts {
            if let Some(among) = &self.among {
                let e = query_expr(facts, among)?;
                respondents.retain(|&r| facts.respondent(&e, r));
            }
            if let Some(w) = &self.where_query {
                let e = query_expr(facts, w)?;
                let scope = match &self.where_scope {
                    None => crate::core::query::Scope::Passage,
                    Some(s) => {
                        crate::core::query::Scope::parse(s).ok_or_else(|| ExportError::Unknown {
                            what: "query scope",
                            value: s.clone(),
                            known: "passage, turn, respondent".into(),
                        })?
                    }
                };
                keep_codings = Some(where_codings(facts, &e, scope, &respondents));
            }
        }
        let members = |name: &str| -> Result<HashMap<String, bool>, ExportError> {
            let Some(facts) = &facts else {
                return Ok(HashMap::new());
            };
            let e = query_expr(facts, &format!("set:{name}"))?;
            Ok(respondents
                .iter()
                .map(|&r| (p.respondents[r].id.clone(), facts.respondent(&e, r)))
                .collect())
        };
        let split = split::resolve(
            p,
            self.by.as_deref(),
            self.bins.as_deref(),
            &respondents,
            (&groups, &school_types),
            Some(&members),
        )?;
        Ok(Selection {
            project: p,
            deelvragen,
            codes,
            depths,
            groups,
            school_types,
            respondents,
            include_interviewer: self.include_interviewer,
            split,
            attrs,
            keep_codings,
            queries: (self.where_query.clone(), self.among.clone()),
        })
    }
}

fn query_error(e: crate::core::query::QueryError) -> ExportError {
    ExportError::Usage(e.to_string())
}

/// Parse a query and check its saved sets.
fn query_expr(
    facts: &crate::core::query::Facts,
    q: &str,
) -> Result<crate::core::query::Expr, ExportError> {
    let e = crate::core::query::parse(q, &facts.project.codebook).map_err(query_error)?;
    facts.check(&e).map_err(query_error)?;
    Ok(e)
}

/// The codings `--where` keeps: at passage scope the passages where the query holds; at turn
/// scope the passages overlapping a turn where it holds; at respondent scope all passages of
/// respondents for whom it holds.
fn where_codings(
    facts: &crate::core::query::Facts,
    e: &crate::core::query::Expr,
    scope: crate::core::query::Scope,
    respondents: &[usize],
) -> std::collections::HashSet<crate::core::coding::CodingId> {
    use crate::core::query::Scope;
    let m = facts.run(e, scope, respondents);
    let p = facts.project;
    match scope {
        Scope::Passage => m
            .passages
            .iter()
            .map(|&(r, i)| facts.of[r][i].coding.id)
            .collect(),
        Scope::Respondent => m
            .respondents
            .iter()
            .flat_map(|&r| facts.of[r].iter().map(|f| f.coding.id))
            .collect(),
        Scope::Turn => m
            .turns
            .iter()
            .flat_map(|&(r, t)| {
                let turn = &p.transcripts[r].turns()[t];
                facts.of[r]
                    .iter()
                    .filter(move |f| f.start < turn.end.max(turn.start + 1) && turn.start < f.end)
                    .map(|f| f.coding.id)
            })
            .collect(),
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn resolve_code<'p>(p: &'p Project, value: &str) -> Option<&'p Code> {
    p.codebook.resolve(value).or_else(|| {
        let v = fold(value);
        p.codebook
            .codes
            .iter()
            .find(|c| fold(&c.id) == v || fold(&c.name) == v)
    })
}

/// The items of `all` (in its order) that some value names; all of them if no values.
fn pick(
    all: &[String],
    values: &[String],
    what: &'static str,
    matches: impl Fn(&str, &str) -> bool,
) -> Result<Vec<String>, ExportError> {
    if values.is_empty() {
        return Ok(all.to_vec());
    }
    for v in values {
        if !all.iter().any(|a| matches(a, v)) {
            return Err(ExportError::Unknown {
                what,
                value: v.clone(),
                known: join(all.iter().cloned()),
            });
        }
    }
    Ok(all
        .iter()
        .filter(|a| values.iter().any(|v| matches(a, v)))
        .cloned()
        .collect())
}

impl<'p> Selection<'p> {
    pub fn respondent(&self, r: usize) -> &'p Respondent {
        &self.project.respondents[self.respondents[r]]
    }

    /// The number of units (respondents, or schools with `--by school`) among the selected
    /// respondents for which `keep` holds.
    pub fn size(&self, keep: impl Fn(&Respondent) -> bool) -> usize {
        let unit = self.split.unit;
        let mut seen = std::collections::HashSet::new();
        (0..self.respondents.len())
            .filter(|&r| keep(self.respondent(r)))
            .filter(|&r| seen.insert(unit.key(self.respondent(r))))
            .count()
    }

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

    /// The noun after "N of M" for bucket `b` of the split.
    pub fn bucket_label(&self, b: usize) -> &str {
        self.split.buckets.get(b).map_or("", |x| x.label.as_str())
    }

    /// Whether respondent `r` is in bucket `b` of the split.
    pub fn in_bucket(&self, b: usize, r: &Respondent) -> bool {
        self.split.is_in(b, r)
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

    /// Whether `codes[c]` has sub-codes in the codebook (so its roll-up can differ).
    pub fn has_subcodes(&self, c: usize) -> bool {
        let cb = &self.project.codebook;
        cb.children(&self.codes[c].id).next().is_some()
    }

    /// "Signalen herkennen › Ander gedrag" for `codes[c]`.
    pub fn path(&self, c: usize) -> String {
        self.project.codebook.path_of(&self.codes[c].id)
    }

    pub fn deelvraag_index(&self, number: u32) -> usize {
        self.deelvragen
            .iter()
            .position(|d| d.number == number)
            .unwrap_or(0)
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
        let code_pos: HashMap<&str, usize> = sel
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let resp_pos: HashMap<&str, usize> = sel
            .respondents
            .iter()
            .enumerate()
            .map(|(i, &r)| (p.respondents[r].id.as_str(), i))
            .collect();
        let group_pos: Vec<usize> = (0..sel.respondents.len())
            .map(|r| sel.split.bucket(sel.respondent(r)).unwrap_or(usize::MAX))
            .collect();
        // Each code id → the selected codes it rolls up into (itself and its ancestors).
        let mut roll_pos: HashMap<&str, Vec<usize>> = HashMap::new();
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
        for coding in state.into_iter().flat_map(|s| s.codings.values()) {
            let Some(&r) = resp_pos.get(coding.transcript.as_str()) else {
                continue;
            };
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
            if !sel.include_interviewer && p.in_interviewer_turn(coding) {
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

/// Make the export's bytes.
pub fn render(p: &Project, req: &Request) -> Result<Vec<u8>, ExportError> {
    req.validate()?;
    let sel = req.filter.resolve_for(p, Some(&req.coder))?;
    Ok(render_selection(&sel, req)?.0)
}

/// What an export contained, for the message after writing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exported {
    /// Where it was written (None: not written, e.g. to standard output).
    pub path: Option<PathBuf>,
    /// The default name that was taken already, when the export got a new name instead.
    pub kept_existing: Option<PathBuf>,
    pub coder: String,
    /// Whether the coder has a journal; without one the export has headers only.
    pub has_journal: bool,
    /// Selected passages and the distinct respondents they come from.
    pub passages: usize,
    pub respondents: usize,
    /// Selected codings flagged for review after a transcript edit (ambiguous or orphaned):
    /// left out of the export and its counts.
    pub orphaned: usize,
    /// Passages left out because they lie wholly in interviewer turns.
    pub interviewer_left_out: usize,
    pub bytes: usize,
}

fn render_selection(sel: &Selection, req: &Request) -> Result<(Vec<u8>, Exported), ExportError> {
    let tally = Tally::new(sel, &req.coder);
    let bytes = match req.kind {
        Kind::Quotes => quotes::render(sel, &tally, req)?,
        Kind::Summary => summary::render(sel, &tally, req)?,
        Kind::Report if req.format == Format::Json => {
            quotes::json(&trace::report_json(sel, &tally))?
        }
        Kind::Report => report::render(sel, &tally, req)?,
        Kind::Matrix => matrix::render(sel, &tally, req)?,
        Kind::Cooccurrence => cooccurrence::render(sel, &tally, req)?,
    };
    let respondents: std::collections::HashSet<usize> =
        tally.list.iter().map(|x| x.respondent).collect();
    let info = Exported {
        path: None,
        kept_existing: None,
        coder: tally.coder.clone(),
        has_journal: tally.has_journal,
        passages: tally.list.len(),
        respondents: respondents.len(),
        orphaned: tally.flagged,
        interviewer_left_out: tally.interviewer_left_out,
        bytes: bytes.len(),
    };
    Ok((bytes, info))
}

/// Where an export goes and what happens if the file exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `<project>/exports/<default name>`; an existing file is kept and the export gets the next
    /// free name (`quotes-student-2.csv`).
    Default,
    /// Exactly this file; an existing one is an error.
    File(PathBuf),
}

/// Render and save an export. `force` replaces an existing file (atomically); otherwise an
/// existing file is never touched. This is what the CLI and the TUI's export call.
pub fn export(
    p: &Project,
    req: &Request,
    target: &Target,
    force: bool,
) -> Result<Exported, ExportError> {
    let (bytes, mut info) = render_with_info(p, req)?;
    let sel = req.filter.resolve_for(p, Some(&req.coder))?;
    let path = match target {
        Target::Default => {
            let wanted = p.exports_dir().join(req.file_name(&sel));
            let mode = if force {
                Overwrite::Replace
            } else {
                Overwrite::NewName
            };
            let path = save(&wanted, &bytes, mode)?;
            if path != wanted {
                info.kept_existing = Some(wanted);
            }
            path
        }
        Target::File(path) => save(
            path,
            &bytes,
            if force {
                Overwrite::Replace
            } else {
                Overwrite::Refuse
            },
        )?,
    };
    info.path = Some(path);
    Ok(info)
}

/// The export's bytes and what they contain.
pub fn render_with_info(p: &Project, req: &Request) -> Result<(Vec<u8>, Exported), ExportError> {
    req.validate()?;
    let sel = req.filter.resolve_for(p, Some(&req.coder))?;
    render_selection(&sel, req)
}

/// What to do when the file to write exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    Refuse,
    /// Write `name-2.ext`, `name-3.ext`, ... instead.
    NewName,
    /// Replace it atomically.
    Replace,
}

/// Write `bytes` durably: never over an existing file unless `Overwrite::Replace`.
pub fn save(path: &Path, bytes: &[u8], mode: Overwrite) -> Result<PathBuf, ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |err| ExportError::Io { path, err }
    };
    // A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written into, never replaced:
    // the atomic replace would put a regular file in its place.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io(path))?;
        std::io::Write::write_all(&mut f, bytes).map_err(io(path))?;
        return Ok(path.to_path_buf());
    }
    match mode {
        Overwrite::Replace => {
            // Replace the file a symlink points to, not the link.
            let target = match std::fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_symlink() => {
                    std::fs::canonicalize(path).map_err(io(path))?
                }
                _ => path.to_path_buf(),
            };
            fsutil::write_atomic(&target, bytes).map_err(io(&target))?;
            Ok(path.to_path_buf())
        }
        Overwrite::Refuse => match fsutil::write_new(path, bytes) {
            Ok(()) => Ok(path.to_path_buf()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(ExportError::Exists(path.to_path_buf()))
            }
            Err(e) => Err(io(path)(e)),
        },
        Overwrite::NewName => {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let ext = path
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default();
            for n in 1u32.. {
                let candidate = if n == 1 {
                    path.to_path_buf()
                } else {
                    path.with_file_name(format!("{stem}-{n}{ext}"))
                };
                match fsutil::write_new(&candidate, bytes) {
                    Ok(()) => return Ok(candidate),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 10_000 => {}
                    Err(e) => return Err(io(&candidate)(e)),
                }
            }
            unreachable!("the loop returns")
        }
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! A small project built in a temp dir for the unit tests of the exports.
    use crate::core::coding::{Anchor, Coding, Journal, Op};
    use crate::core::project::Project;
    use std::path::Path;

    pub const CODEBOOK: &str = r##"{
  "deelvragen": [
    {"number": 1, "title": "Signaleren", "question": "Hoe signaleren ze?"},
    {"number": 2, "title": "Knelpunten en dilemma's", "question": "Welke knelpunten?"}
  ],
  "codes": [
    {"id": "niet-pluis", "name": "Niet pluis gevoel", "deelvraag": 1, "category": "Signaleren",
     "colour_name": "geel 1", "colour": "#FFE135"},
    {"id": "signalen", "name": "Signalen herkennen", "deelvraag": 1, "category": "Signaleren",
     "colour_name": "geel 2", "colour": "#D9A400"},
    {"id": "twijfel", "name": "Twijfel", "deelvraag": 2, "colour_name": "rood", "colour": "#C0392B"}
  ]
}"##;

    pub const SETTINGS: &str = r#"{"name": "Test", "groups": [
  {"id": "docent", "plural": "docenten"},
  {"id": "zorgcoördinator", "plural": "zorgcoördinatoren"}],
  "school_types": ["vmbo", "havo-vwo"]}"#;

    pub const RESPONDENTS: &str = "id,file,group,school,school_type,geslacht\n\
A-D1,A-D1.txt,docent,School A,vmbo,v\n\
A-Z,A-Z.txt,zorgcoördinator,School A,vmbo,m\n\
B-D1,B-D1.txt,docent,School B,havo-vwo,m\n\
B-D2,B-D2.txt,docent,School B,havo-vwo,v\n";

    pub const TEXTS: [(&str, &str); 4] = [
        (
            "A-D1",
            "I: Vraag?\n\nR: Ik had een \"niet pluis\"-gevoel; echt.\nTweede regel, één.\n\nR: =SOM(1;2) zei hij.\n",
        ),
        (
            "A-Z",
            "I: Vraag?\n\nR: De coördinator ziet signalen, zoals blauwe plekken.\n",
        ),
        (
            "B-D1",
            "I: Vraag?\n\nR: Ik twijfel vaak; moet ik dit melden?\n",
        ),
        ("B-D2", "I: Vraag?\n\nR: Geen idee.\n"),
    ];

    pub fn project(dir: &Path) -> Project {
        std::fs::create_dir_all(dir.join("codebook")).unwrap();
        std::fs::create_dir_all(dir.join("transcripts")).unwrap();
        std::fs::write(dir.join("codebook/codebook.json"), CODEBOOK).unwrap();
        std::fs::write(dir.join("project.json"), SETTINGS).unwrap();
        std::fs::write(dir.join("transcripts/respondents.csv"), RESPONDENTS).unwrap();
        for (id, text) in TEXTS {
            std::fs::write(dir.join(format!("transcripts/{id}.txt")), text).unwrap();
        }
        let p = Project::load(dir).unwrap();
        let quote = |t: &str, code: &str, q: &str| {
            let tr = p.transcript(t).unwrap();
            let start = tr.find_all(q)[0];
            Op::Add(Coding {
                id: 0,
                transcript: t.into(),
                code: code.into(),
                start,
                end: start + q.chars().count(),
                text: q.into(),
                memo: None,
                version: None,
                anchor: Anchor::Exact,
                line: 0,
            })
        };
        let mut j = Journal::open(&p.codings_dir(), "ann").unwrap();
        j.record(vec![
            quote("B-D1", "twijfel", "Ik twijfel vaak; moet ik dit melden?"),
            quote("A-D1", "niet-pluis", "=SOM(1;2) zei hij."),
            quote(
                "A-D1",
                "niet-pluis",
                "Ik had een \"niet pluis\"-gevoel; echt.\nTweede regel, één.",
            ),
            quote("A-Z", "signalen", "signalen, zoals blauwe plekken"),
            quote("A-Z", "niet-pluis", "De coördinator"),
        ])
        .unwrap();
        drop(j);
        let p = Project::load(dir).unwrap();
        assert!(!p.has_errors(), "{:?}", p.problems);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn filters_resolve_by_name_plural_and_accents() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let f = Filter {
            groups: vec!["zorgcoordinatoren".into()],
            codes: vec!["niet pluis GEVOEL".into()],
            ..Filter::default()
        };
        let sel = f.resolve(&p).unwrap();
        assert_eq!(sel.groups, ["zorgcoördinator"]);
        assert_eq!(sel.codes.len(), 1);
        assert_eq!(sel.deelvragen.len(), 1);
        assert_eq!(sel.respondents, [1]);
        let bad = Filter {
            groups: vec!["leerling".into()],
            ..Filter::default()
        };
        let msg = bad.resolve(&p).unwrap_err().to_string();
        assert!(
            msg.contains("unknown group \"leerling\"") && msg.contains("docent"),
            "{msg}"
        );
        let bad = Filter {
            deelvragen: vec![2],
            codes: vec!["signalen".into()],
            ..Filter::default()
        };
        assert!(bad.resolve(&p).is_err());
    }

    #[test]
    fn file_names_follow_the_request() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let mut req = Request::new(Kind::Quotes, "ann");
        req.filter.groups = vec!["zorgcoördinator".into()];
        req.filter.deelvragen = vec![1];
        req.excel = true;
        let sel = req.filter.resolve(&p).unwrap();
        assert_eq!(
            req.file_name(&sel),
            "quotes-ann-dv1-zorgcoordinator-excel.csv"
        );
    }

    #[test]
    fn save_never_overwrites_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        assert_eq!(save(&path, b"1", Overwrite::NewName).unwrap(), path);
        assert_eq!(
            save(&path, b"2", Overwrite::NewName).unwrap(),
            dir.path().join("x-2.csv")
        );
        assert!(matches!(
            save(&path, b"3", Overwrite::Refuse),
            Err(ExportError::Exists(_))
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"1");
        save(&path, b"4", Overwrite::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"4");
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

    #[cfg(unix)]
    #[test]
    fn pipes_are_written_into_and_symlinks_kept() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read(fifo).unwrap())
            };
            save(&fifo, b"via de pijp", Overwrite::Replace).unwrap();
            assert_eq!(reader.join().unwrap(), b"via de pijp");
            assert!(
                std::fs::symlink_metadata(&fifo)
                    .unwrap()
                    .file_type()
                    .is_fifo()
            );
        }
        let real = dir.path().join("echt.csv");
        let link = dir.path().join("link.csv");
        std::fs::write(&real, "oud").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            save(&link, b"x", Overwrite::Refuse),
            Err(ExportError::Exists(_))
        ));
        save(&link, b"nieuw", Overwrite::Replace).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"nieuw");
    }

    #[test]
    fn invalid_combinations_are_refused() {
        let mut req = Request::new(Kind::Report, "ann");
        req.format = Format::Csv;
        assert!(req.validate().unwrap_err().to_string().contains("md, html"));
        let mut req = Request::new(Kind::Quotes, "ann");
        req.format = Format::Xlsx;
        req.excel = true;
        assert!(req.validate().is_err());
        let mut req = Request::new(Kind::Quotes, "ann");
        req.binary = true;
        assert!(req.validate().is_err());
    }
}
