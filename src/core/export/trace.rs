//! Traceable counts: the report as JSON (every "N of M" with the respondents behind it, and
//! every quote with its coding id), and the difference between two exports, so that a chapter
//! written from last month's export can be brought up to date (`export report --check
//! PREVIOUS.json`, `codewerk diff A B`).
//!
//! A diff reads any JSON export codewerk writes that has counts or quotes: `export report
//! --format json` (both), `export summary --format json` (counts) and `export quotes --format
//! json` (quotes). Counts are matched by code and group (or `--by` bucket); quotes by coding id,
//! so that a passage whose boundaries or text changed is reported as changed, not as one removed
//! and one added.

use super::quotes::QuoteRow;
use super::summary::SummaryRow;
use super::{ExportError, Selection, Tally};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// `export report --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct ReportJson {
    pub kind: &'static str,
    pub coder: String,
    pub by: String,
    pub unit: &'static str,
    /// One per deelvraag × code × group, as `export summary`, with the ids behind each count.
    pub counts: Vec<SummaryRow>,
    /// Every quote, as `export quotes`.
    pub quotes: Vec<QuoteRow>,
}

pub fn report_json(sel: &Selection, tally: &Tally) -> ReportJson {
    ReportJson {
        kind: "report",
        coder: tally.coder.clone(),
        by: sel.split.by.clone(),
        unit: sel.split.unit.name(),
        counts: super::summary::rows(sel, tally),
        quotes: super::quotes::rows(sel, tally),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CountVal {
    code_name: String,
    n: u64,
    of: u64,
    passages: u64,
    ids: Vec<String>,
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct QuoteVal {
    code: String,
    respondent: String,
    start: u64,
    end: u64,
    quote: String,
}

/// What an export held, for comparing.
#[derive(Debug, Default)]
pub struct Snapshot {
    counts: BTreeMap<(String, String), CountVal>,
    quotes: BTreeMap<u64, QuoteVal>,
    has_counts: bool,
    has_quotes: bool,
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

fn n(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or(0)
}

impl Snapshot {
    /// Read a JSON export; one with neither counts nor quotes is an error saying what it is.
    pub fn read(bytes: &[u8], name: &str) -> Result<Snapshot, ExportError> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| {
            ExportError::Usage(format!(
                "{name}:{}:{}: not a JSON export: {e}",
                e.line(),
                e.column()
            ))
        })?;
        let mut snap = Snapshot::default();
        let (counts, quotes): (Vec<Value>, Vec<Value>) = match &v {
            Value::Object(o) if o.get("kind").and_then(Value::as_str) == Some("report") => (
                o.get("counts")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                o.get("quotes")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            ),
            Value::Array(rows) => {
                let counts = rows.iter().filter(|r| r.get("group_size").is_some());
                let quotes = rows.iter().filter(|r| r.get("coding_id").is_some());
                (counts.cloned().collect(), quotes.cloned().collect())
            }
            _ => (Vec::new(), Vec::new()),
        };
        snap.has_counts =
            !counts.is_empty() || matches!(&v, Value::Object(o) if o.get("kind").is_some());
        snap.has_quotes =
            !quotes.is_empty() || matches!(&v, Value::Object(o) if o.get("kind").is_some());
        if !snap.has_counts && !snap.has_quotes && !matches!(&v, Value::Array(a) if a.is_empty()) {
            return Err(ExportError::Usage(format!(
                "{name}: neither counts nor quotes: compare the JSON of `export report`, `export \
                 summary` or `export quotes`"
            )));
        }
        for r in counts {
            let ids = r["ids"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            snap.counts.insert(
                (s(&r, "code_id"), s(&r, "group")),
                CountVal {
                    code_name: s(&r, "code"),
                    n: n(&r, "respondents"),
                    of: n(&r, "group_size"),
                    passages: n(&r, "passages"),
                    ids,
                    text: s(&r, "text"),
                },
            );
        }
        for q in quotes {
            snap.quotes.insert(
                n(&q, "coding_id"),
                QuoteVal {
                    code: s(&q, "code_id"),
                    respondent: s(&q, "respondent"),
                    start: n(&q, "start"),
                    end: n(&q, "end"),
                    quote: s(&q, "quote"),
                },
            );
        }
        Ok(snap)
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `count`, `quote added`, `quote removed`, `quote changed`.
    pub what: &'static str,
    pub code: String,
    /// The group (count) or respondent (quote).
    pub r#where: String,
    pub before: String,
    pub after: String,
    /// Respondents that came into (+) or went out of (−) a count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.what {
            "count" => {
                write!(
                    f,
                    "{} × {}: {} → {}",
                    self.code, self.r#where, self.before, self.after
                )?;
                if !self.added.is_empty() {
                    write!(f, " (+ {})", self.added.join(", "))?;
                }
                if !self.removed.is_empty() {
                    write!(f, " (− {})", self.removed.join(", "))?;
                }
                Ok(())
            }
            "quote added" => write!(f, "+ quote {} {}: {}", self.code, self.r#where, self.after),
            "quote removed" => write!(f, "− quote {} {}: {}", self.code, self.r#where, self.before),
            _ => write!(
                f,
                "~ quote {} {}: {} → {}",
                self.code, self.r#where, self.before, self.after
            ),
        }
    }
}

fn short(q: &str) -> String {
    let one: String = q.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 80 {
        format!("«{}…»", one.chars().take(79).collect::<String>())
    } else {
        format!("«{one}»")
    }
}

fn describe(c: &CountVal) -> String {
    let text = if c.text.is_empty() {
        format!("{} of {}", c.n, c.of)
    } else {
        c.text.clone()
    };
    format!("{text}, {} passage(s)", c.passages)
}

/// What changed from `old` to `new`: counts (compared only when both have counts) and quotes
/// (only when both have quotes), in code and group order, then by coding id.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let mut out = Vec::new();
    if old.has_counts && new.has_counts {
        let keys: std::collections::BTreeSet<&(String, String)> =
            old.counts.keys().chain(new.counts.keys()).collect();
        for key in keys {
            let (a, b) = (old.counts.get(key), new.counts.get(key));
            let same = match (a, b) {
                (Some(a), Some(b)) => {
                    a.n == b.n && a.of == b.of && a.passages == b.passages && a.ids == b.ids
                }
                _ => false,
            };
            if same {
                continue;
            }
            let name = b.or(a).map_or(key.0.clone(), |c| c.code_name.clone());
            let ids = |c: Option<&CountVal>| c.map(|c| c.ids.clone()).unwrap_or_default();
            let (ia, ib) = (ids(a), ids(b));
            out.push(Change {
                what: "count",
                code: name,
                r#where: key.1.clone(),
                before: a.map_or("(not in the export)".into(), describe),
                after: b.map_or("(not in the export)".into(), describe),
                added: ib.iter().filter(|x| !ia.contains(x)).cloned().collect(),
                removed: ia.iter().filter(|x| !ib.contains(x)).cloned().collect(),
            });
        }
    }
    if old.has_quotes && new.has_quotes {
        let ids: std::collections::BTreeSet<&u64> =
            old.quotes.keys().chain(new.quotes.keys()).collect();
        for id in ids {
            match (old.quotes.get(id), new.quotes.get(id)) {
                (Some(a), Some(b)) if a == b => {}
                (Some(a), Some(b)) => out.push(Change {
                    what: "quote changed",
                    code: b.code.clone(),
                    r#where: format!("{} {}-{}", b.respondent, b.start, b.end),
                    before: format!("{} {}-{} {}", a.code, a.start, a.end, short(&a.quote)),
                    after: short(&b.quote),
                    added: vec![],
                    removed: vec![],
                }),
                (None, Some(b)) => out.push(Change {
                    what: "quote added",
                    code: b.code.clone(),
                    r#where: b.respondent.clone(),
                    before: String::new(),
                    after: short(&b.quote),
                    added: vec![],
                    removed: vec![],
                }),
                (Some(a), None) => out.push(Change {
                    what: "quote removed",
                    code: a.code.clone(),
                    r#where: a.respondent.clone(),
                    before: short(&a.quote),
                    after: String::new(),
                    added: vec![],
                    removed: vec![],
                }),
                (None, None) => {}
            }
        }
    }
    out
}
