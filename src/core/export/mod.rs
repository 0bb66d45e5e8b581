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
//! the xlsx creation date is fixed). Files are never overwritten silently: see [`save()`].

pub mod clusters;
pub mod codebook;
pub mod cooccurrence;
mod error;
pub mod matrix;
pub mod quotes;
pub mod report;
mod request;
mod save;
mod select;
pub mod split;
pub mod summary;
pub mod table;
mod tally;
pub mod trace;
pub mod words;

pub use error::ExportError;
pub use request::{Format, Kind, Request};
pub use save::{Overwrite, save};
pub use select::{Filter, Selection};
pub use tally::{Count, Passage, Tally};

use crate::core::project::Project;
use serde::Serialize;
use std::path::PathBuf;

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
