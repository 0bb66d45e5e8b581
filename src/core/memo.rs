//! Memos of every kind in one list: the coder's project logbook (dated entries), memos on
//! transcripts (= respondents), on codes and on coded passages. All are journaled per coder
//! (`Op::Logbook`, `Op::TranscriptMemo`, `Op::CodeMemo`, `Op::Memo`), so they are undoable,
//! carry who and when in the journal line, and merge from two machines like codings.
//!
//! `codewerk memo list`, `codewerk export memos` (md/csv/json) and the TUI's memo view all read
//! [`all`] and [`MemoFilter`].

use super::coding::{CoderState, Op};
use super::export::ExportError;
use super::export::report::md_escape;
use super::export::table::{self, Cell, Column, Row, Table};
use super::project::Project;
use super::text::fold_accents;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoKind {
    Logbook,
    Transcript,
    Code,
    Passage,
}

impl MemoKind {
    pub const ALL: [MemoKind; 4] = [
        MemoKind::Logbook,
        MemoKind::Transcript,
        MemoKind::Code,
        MemoKind::Passage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MemoKind::Logbook => "logbook",
            MemoKind::Transcript => "transcript",
            MemoKind::Code => "code",
            MemoKind::Passage => "passage",
        }
    }

    pub fn parse(s: &str) -> Option<MemoKind> {
        MemoKind::ALL.into_iter().find(|k| {
            k.name() == s.trim().to_lowercase() || (s == "respondent" && *k == MemoKind::Transcript)
        })
    }
}

/// One memo, with what it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Memo {
    pub kind: MemoKind,
    pub coder: String,
    /// Logbook entries: the day (`YYYY-MM-DD`); other memos: "".
    pub date: String,
    /// The code it is about (code and passage memos), id and name.
    pub code: String,
    pub code_name: String,
    /// The transcript (respondent) it is about (transcript and passage memos).
    pub transcript: String,
    /// Passage memos: the coding and where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coding_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// Passage memos: the coded text.
    pub quote: String,
    pub text: String,
    /// Logbook entries: the entry's id (for removing it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u64>,
}

/// Which memos to keep; empty parts keep all.
#[derive(Debug, Clone, Default)]
pub struct MemoFilter {
    pub kinds: Vec<MemoKind>,
    /// A code id or name; code and passage memos of the code (merged codes mapped).
    pub code: Option<String>,
    pub transcript: Option<String>,
    /// Text found in the memo (case and accents ignored).
    pub text: Option<String>,
}

impl MemoFilter {
    pub fn keeps(&self, m: &Memo) -> bool {
        let fold = |s: &str| fold_accents(&s.to_lowercase());
        (self.kinds.is_empty() || self.kinds.contains(&m.kind))
            && self
                .code
                .as_ref()
                .is_none_or(|c| m.code == *c || fold(&m.code_name) == fold(c))
            && self.transcript.as_ref().is_none_or(|t| m.transcript == *t)
            && self.text.as_ref().is_none_or(|t| {
                fold(&m.text).contains(&fold(t)) || fold(&m.quote).contains(&fold(t))
            })
    }
}

/// Every memo of the given coders, in reading order: logbook by date, then transcript memos
/// (respondents.csv order), code memos (tree order), passage memos (transcript, position).
pub fn all(p: &Project, coders: &[&CoderState]) -> Vec<Memo> {
    let cb = &p.codebook;
    let blank = |kind: MemoKind, coder: &str| Memo {
        kind,
        coder: coder.to_string(),
        date: String::new(),
        code: String::new(),
        code_name: String::new(),
        transcript: String::new(),
        coding_id: None,
        start: None,
        quote: String::new(),
        text: String::new(),
        entry: None,
    };
    let mut out = Vec::new();
    for s in coders {
        let mut log: Vec<(&u64, &super::coding::LogEntry)> = s.logbook.iter().collect();
        log.sort_by(|a, b| (&a.1.date, a.0).cmp(&(&b.1.date, b.0)));
        for (id, e) in log {
            out.push(Memo {
                date: e.date.clone(),
                text: e.text.clone(),
                entry: Some(*id),
                ..blank(MemoKind::Logbook, &s.coder)
            });
        }
    }
    for s in coders {
        for r in &p.respondents {
            if let Some(m) = s.transcript_memos.get(&r.id) {
                out.push(Memo {
                    transcript: r.id.clone(),
                    text: m.clone(),
                    ..blank(MemoKind::Transcript, &s.coder)
                });
            }
        }
        // A memo on a transcript no longer in the project is kept, not lost.
        for (t, m) in &s.transcript_memos {
            if p.respondent(t).is_none() {
                out.push(Memo {
                    transcript: t.clone(),
                    text: m.clone(),
                    ..blank(MemoKind::Transcript, &s.coder)
                });
            }
        }
    }
    for s in coders {
        for (code, _) in cb.tree() {
            if let Some(m) = s.code_memos.get(&code.id) {
                out.push(Memo {
                    code: code.id.clone(),
                    code_name: code.name.clone(),
                    text: m.clone(),
                    ..blank(MemoKind::Code, &s.coder)
                });
            }
        }
    }
    for s in coders {
        let mut passages: Vec<&super::coding::Coding> =
            s.codings.values().filter(|c| c.memo.is_some()).collect();
        passages.sort_by_key(|c| (p.index_of(&c.transcript), c.start, c.end, c.id));
        for c in passages {
            out.push(Memo {
                code: c.code.clone(),
                code_name: cb.code(&c.code).map(|x| x.name.clone()).unwrap_or_default(),
                transcript: c.transcript.clone(),
                coding_id: Some(c.id),
                start: Some(c.start),
                quote: c.text.clone(),
                text: c.memo.clone().unwrap_or_default(),
                ..blank(MemoKind::Passage, &s.coder)
            });
        }
    }
    out
}

/// The op that adds a logbook entry (a new id, unique in the coder's logbook).
pub fn logbook_entry(state: &CoderState, date: &str, text: &str) -> Op {
    let mut id = 0;
    while id == 0 || state.logbook.contains_key(&id) {
        let mut b = [0u8; 8];
        let n = getrandom::fill(&mut b).map_or_else(
            |_| super::transcript::fnv1a(format!("{date}{text}{id}").as_bytes()),
            |()| u64::from_le_bytes(b),
        );
        id = (n % ((1 << 53) - (1 << 40))) + (1 << 40);
    }
    Op::Logbook {
        id,
        date: date.to_string(),
        text: text.trim().to_string(),
        remove: false,
    }
}

/// Today as `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    super::coding::now().chars().take(10).collect()
}

/// Whether `s` is a date as the logbook keeps them.
pub fn valid_date(s: &str) -> bool {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &f).is_ok()
}

fn about(m: &Memo) -> String {
    match m.kind {
        MemoKind::Logbook => m.date.clone(),
        MemoKind::Transcript => m.transcript.clone(),
        MemoKind::Code => m.code_name.clone(),
        MemoKind::Passage => format!("{} · {}", m.transcript, m.code_name),
    }
}

/// The memos as Markdown (a section per kind), CSV or JSON.
pub fn render(memos: &[Memo], format: super::export::Format) -> Result<Vec<u8>, ExportError> {
    use super::export::Format;
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(memos)
                .map_err(|e| ExportError::Encode(e.to_string()))?;
            s.push('\n');
            Ok(s.into_bytes())
        }
        Format::Csv => {
            let columns = [
                "kind",
                "coder",
                "date",
                "transcript",
                "code",
                "code_name",
                "coding_id",
                "start",
                "quote",
                "text",
            ]
            .iter()
            .map(|c| {
                if matches!(*c, "quote" | "text") {
                    Column::wrapped(*c, 60.0)
                } else {
                    Column::new(*c, 12.0)
                }
            })
            .collect();
            let rows = memos
                .iter()
                .map(|m| Row {
                    sheet: 0,
                    cells: vec![
                        Cell::text(m.kind.name()),
                        Cell::text(&m.coder),
                        Cell::text(&m.date),
                        Cell::text(&m.transcript),
                        Cell::text(&m.code),
                        Cell::text(&m.code_name),
                        m.coding_id.map_or(Cell::Empty, Cell::Int),
                        m.start.map_or(Cell::Empty, |s| Cell::Int(s as u64)),
                        Cell::text(&m.quote),
                        Cell::text(&m.text),
                    ],
                })
                .collect();
            table::to_csv(
                &Table {
                    columns,
                    rows,
                    sheets: vec!["memos".into()],
                },
                false,
            )
        }
        _ => {
            let mut out = String::from("# Memos\n");
            for kind in MemoKind::ALL {
                let of: Vec<&Memo> = memos.iter().filter(|m| m.kind == kind).collect();
                if of.is_empty() {
                    continue;
                }
                let title = match kind {
                    MemoKind::Logbook => "Logbook",
                    MemoKind::Transcript => "Transcripts and respondents",
                    MemoKind::Code => "Codes",
                    MemoKind::Passage => "Passages",
                };
                out += &format!("\n## {title}\n");
                for m in of {
                    out += &format!(
                        "\n### {} ({})\n\n",
                        md_escape(&about(m)),
                        md_escape(&m.coder)
                    );
                    if !m.quote.is_empty() {
                        for line in m.quote.lines() {
                            out += &format!("> {}\n", md_escape(line));
                        }
                        out.push('\n');
                    }
                    out += &format!("{}\n", md_escape(&m.text));
                }
            }
            Ok(out.into_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert!(valid_date("2026-12-01"));
        assert!(!valid_date("2026-13-01"));
        assert!(!valid_date("1 december"));
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn logbook_entries_get_unique_ids_and_undo_removes_them() {
        let mut s = CoderState::new("ann");
        let op = logbook_entry(&s, "2026-12-01", " Eerste indruk ");
        let Op::Logbook { id, ref text, .. } = op else {
            panic!()
        };
        assert_eq!(text, "Eerste indruk");
        s.logbook.insert(
            id,
            crate::core::coding::LogEntry {
                date: "x".into(),
                text: "y".into(),
            },
        );
        let Op::Logbook { id: other, .. } = logbook_entry(&s, "2026-12-01", "b") else {
            panic!()
        };
        assert_ne!(id, other);
    }

    #[test]
    fn the_filter_keeps_by_kind_code_transcript_and_text() {
        let m = Memo {
            kind: MemoKind::Passage,
            coder: "ann".into(),
            date: String::new(),
            code: "signalen".into(),
            code_name: "Signalen herkennen".into(),
            transcript: "T1".into(),
            coding_id: Some(1),
            start: Some(3),
            quote: "blauwe plekken".into(),
            text: "Coördinatie nodig".into(),
            entry: None,
        };
        assert!(MemoFilter::default().keeps(&m));
        assert!(
            MemoFilter {
                text: Some("coordinatie".into()),
                ..Default::default()
            }
            .keeps(&m)
        );
        assert!(
            MemoFilter {
                text: Some("BLAUWE".into()),
                ..Default::default()
            }
            .keeps(&m)
        );
        assert!(
            MemoFilter {
                code: Some("signalen herkennen".into()),
                ..Default::default()
            }
            .keeps(&m)
        );
        assert!(
            !MemoFilter {
                kinds: vec![MemoKind::Code],
                ..Default::default()
            }
            .keeps(&m)
        );
        assert!(
            !MemoFilter {
                transcript: Some("T2".into()),
                ..Default::default()
            }
            .keeps(&m)
        );
    }
}
