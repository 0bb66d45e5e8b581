//! `codewerk memo add|list`, `codewerk export memos` and `codewerk export codebook`.

use super::{failed, invalid, load, load_valid, print_json};
use crate::cli::{ExportCodebookOpt, ExportMemosOpt, MemoAddOpt, MemoCommand, MemoFilterOpt};
use anyhow::Result;
use codewerk::core::coding::Op;
use codewerk::core::export::{self, Format, Overwrite};
use codewerk::core::memo::{self, MemoFilter, MemoKind};
use codewerk::core::project::Project;
use std::io::Write;
use std::path::Path;

pub fn run(root: &Path, coder: &str, coder_flag: Option<&str>, cmd: MemoCommand) -> Result<()> {
    match cmd {
        MemoCommand::Add(o) => add(root, coder, &o),
        MemoCommand::List(o) => {
            let project = load(root)?;
            let memos = collect(&project, coder_flag, &o.filter)?;
            if o.json {
                return print_json(&memos);
            }
            if memos.is_empty() {
                println!("No memos.");
            }
            let bytes = memo::render(&memos, Format::Md).map_err(anyhow::Error::from)?;
            std::io::stdout().write_all(&bytes)?;
            Ok(())
        }
    }
}

fn fail(msg: impl std::fmt::Display) -> anyhow::Error {
    invalid(format!("{msg}"))
}

fn filter(p: &Project, o: &MemoFilterOpt) -> Result<MemoFilter> {
    let mut kinds = Vec::new();
    for k in &o.kinds {
        kinds.push(MemoKind::parse(k).ok_or_else(|| {
            fail(format!(
                "unknown memo kind \"{k}\" (kinds: logbook, transcript, code, passage)"
            ))
        })?);
    }
    let code = match &o.code {
        Some(c) => Some(p.codebook.find(c).map_err(fail)?.id.clone()),
        None => None,
    };
    if let Some(t) = &o.transcript
        && p.transcript(t).is_none()
    {
        return Err(fail(format!("unknown transcript \"{t}\"")));
    }
    Ok(MemoFilter {
        kinds,
        code,
        transcript: o.transcript.clone(),
        text: o.text.clone(),
    })
}

fn collect(p: &Project, coder: Option<&str>, o: &MemoFilterOpt) -> Result<Vec<memo::Memo>> {
    let f = filter(p, o)?;
    let states: Vec<_> = match coder {
        Some(c) => p.coders.get(c).into_iter().collect(),
        None => p.coders.values().collect(),
    };
    Ok(memo::all(p, &states)
        .into_iter()
        .filter(|m| f.keeps(m))
        .collect())
}

fn add(root: &Path, coder: &str, o: &MemoAddOpt) -> Result<()> {
    let project = load_valid(root)?;
    // A journal held by another codewerk (or a disk error) is not wrong input: exit 1, as
    // every other command that writes a journal.
    let mut journal = project
        .open_journal(coder)
        .map_err(|e| failed(e.to_string()))?;
    let text = o.text.trim().to_string();
    let after = (!text.is_empty()).then(|| text.clone());
    let (op, what) = if o.log {
        let date = o.date.clone().unwrap_or_else(memo::today);
        if !memo::valid_date(&date) {
            return Err(fail(format!("\"{date}\" is not a date like 2026-12-01")));
        }
        if text.is_empty() {
            return Err(fail("a logbook entry needs text"));
        }
        (
            memo::logbook_entry(&journal.state, &date, &text),
            format!("logbook entry of {date}"),
        )
    } else if let Some(t) = &o.transcript {
        if project.transcript(t).is_none() {
            return Err(fail(format!("unknown transcript \"{t}\"")));
        }
        let before = journal.state.transcript_memos.get(t).cloned();
        (
            Op::TranscriptMemo {
                transcript: t.clone(),
                before,
                after,
            },
            format!("memo on transcript {t}"),
        )
    } else if let Some(c) = &o.code {
        let code = project.codebook.find(c).map_err(fail)?.id.clone();
        let before = journal.state.code_memos.get(&code).cloned();
        (
            Op::CodeMemo {
                code: code.clone(),
                before,
                after,
            },
            format!("memo on code {code}"),
        )
    } else if let Some(id) = o.passage {
        let Some(c) = journal.state.codings.get(&id) else {
            return Err(fail(format!("{coder} has no coding {id}")));
        };
        (
            Op::Memo {
                id,
                before: c.memo.clone(),
                after,
            },
            format!("memo on passage {id}"),
        )
    } else {
        return Err(fail("say what the memo is about"));
    };
    journal
        .record(vec![op])
        .map_err(|e| failed(format!("not saved: {}: {e}", journal.path.display())))?;
    println!("{coder}: {what} saved (undo with `u` in the TUI)");
    Ok(())
}

fn write_out(
    p: &Project,
    out: Option<&Path>,
    force: bool,
    default_name: String,
    bytes: &[u8],
) -> Result<()> {
    if out == Some(Path::new("-")) {
        std::io::stdout().write_all(bytes)?;
        return Ok(());
    }
    let (path, mode) = match out {
        Some(f) => (
            f.to_path_buf(),
            if force {
                Overwrite::Replace
            } else {
                Overwrite::Refuse
            },
        ),
        None => (
            p.exports_dir().join(default_name),
            if force {
                Overwrite::Replace
            } else {
                Overwrite::NewName
            },
        ),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let written = export::save(&path, bytes, mode).map_err(fail)?;
    println!("Wrote {}", written.display());
    Ok(())
}

pub fn export(root: &Path, coder: Option<&str>, o: &ExportMemosOpt) -> Result<()> {
    let project = load_valid(root)?;
    let format = o.format.map_or(Format::Md, Format::from);
    if !matches!(format, Format::Md | Format::Csv | Format::Json) {
        return Err(fail(format!(
            "`export memos` cannot be written as {}; use one of: md, csv, json",
            format.extension()
        )));
    }
    let memos = collect(&project, coder, &o.filter)?;
    let bytes = memo::render(&memos, format).map_err(fail)?;
    let who = coder.unwrap_or("all");
    let name = format!(
        "memos-{}.{}",
        codewerk::core::codebook::slug(who),
        format.extension()
    );
    write_out(&project, o.out.as_deref(), o.force, name, &bytes)
}

pub fn export_codebook(root: &Path, coder: Option<&str>, o: &ExportCodebookOpt) -> Result<()> {
    let project = load_valid(root)?;
    let format = o.format.map_or(Format::Md, Format::from);
    if !matches!(format, Format::Md | Format::Html | Format::Xlsx) {
        return Err(fail(format!(
            "`export codebook` cannot be written as {}; use one of: md, html, xlsx",
            format.extension()
        )));
    }
    let coder = super::export::pick_coder(&project, coder)?;
    let bytes = export::codebook::render(&project, &coder, format).map_err(fail)?;
    let name = format!(
        "codebook-{}.{}",
        codewerk::core::codebook::slug(&coder),
        format.extension()
    );
    write_out(&project, o.out.as_deref(), o.force, name, &bytes)
}
