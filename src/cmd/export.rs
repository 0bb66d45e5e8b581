//! `codewerk export quotes|summary|report|matrix`: write an export under exports/ (or --out),
//! never over an existing file unless --force.

use super::{Exit, load_valid};
use crate::cli::{ExportCommand, ExportOpt, coder_name};
use anyhow::{Context, Result};
use codewerk::core::export::{self, ExportError, Exported, Filter, Format, Kind, Request, Target};
use codewerk::core::project::Project;
use std::io::Write;
use std::path::Path;

pub fn run(root: &Path, coder: Option<&str>, cmd: ExportCommand) -> Result<()> {
    let (kind, o) = match cmd {
        ExportCommand::Quotes(o) => (Kind::Quotes, o),
        ExportCommand::Summary(o) => (Kind::Summary, o),
        ExportCommand::Report(o) => (Kind::Report, o),
        ExportCommand::Matrix(o) => (Kind::Matrix, o),
        ExportCommand::Memos(o) => return super::memo::export(root, coder, &o),
        ExportCommand::Codebook(o) => return super::memo::export_codebook(root, coder, &o),
        ExportCommand::Qdc(o) => return super::refi::export_qdc(root, &o),
        ExportCommand::Qdpx(o) => {
            let coders: Vec<String> = coder.map(str::to_string).into_iter().collect();
            return super::refi::export_qdpx(root, &coders, &o);
        }
    };
    let format = o.format.map_or(kind.default_format(), Format::from);
    let project = load_valid(root)?;
    if let Some(names) = &o.names {
        super::pseudonymize::refuse_names(root, names)?;
    }
    let coder = pick_coder(&project, coder)?;
    let req = Request {
        kind,
        coder,
        filter: filter(&o),
        format,
        excel: o.excel,
        binary: o.binary,
    };
    let to_stdout = o.out.as_deref() == Some(Path::new("-"));
    let result = if to_stdout {
        export::render_with_info(&project, &req).and_then(|(bytes, info)| {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(|err| ExportError::Io {
                    path: "<stdout>".into(),
                    err,
                })?;
            Ok(info)
        })
    } else {
        let target = o.out.clone().map_or(Target::Default, Target::File);
        export::export(&project, &req, &target, o.force)
    };
    let info = match result {
        Ok(info) => info,
        Err(e @ (ExportError::Io { .. } | ExportError::Xlsx(_))) => {
            return Err(e).context("the export was not written");
        }
        Err(e) => {
            eprintln!("codewerk: {e}");
            return Err(Exit(2).into());
        }
    };
    report(&project, &info);
    Ok(())
}

fn filter(o: &ExportOpt) -> Filter {
    Filter {
        deelvragen: o.deelvraag.clone(),
        groups: o.group.clone(),
        school_types: o.school_type.clone(),
        codes: o.code.clone(),
        include_interviewer: o.include_interviewer,
    }
}

/// Whose codings: --coder, else $CODEWERK_CODER, else the only coder with a journal. With
/// several journals and neither given, say which there are rather than guess.
pub(super) fn pick_coder(project: &Project, flag: Option<&str>) -> Result<String> {
    let named = flag.map(str::to_string).or_else(|| {
        std::env::var("CODEWERK_CODER")
            .ok()
            .filter(|s| !s.is_empty())
    });
    if let Some(c) = named {
        // A misspelt coder would give a full export of zeros: refuse it while others exist.
        if !project.coders.is_empty() && !project.coders.contains_key(&c) {
            let names: Vec<&str> = project.coders.keys().map(String::as_str).collect();
            eprintln!(
                "codewerk: coder \"{c}\" has no codings in this project (coders: {})",
                names.join(", ")
            );
            return Err(Exit(2).into());
        }
        return Ok(c);
    }
    match project.coders.len() {
        0 => Ok(coder_name(None)),
        1 => Ok(project.coders.keys().next().cloned().unwrap_or_default()),
        _ => {
            let names: Vec<&str> = project.coders.keys().map(String::as_str).collect();
            eprintln!(
                "codewerk: whose codings? give --coder (coders: {})",
                names.join(", ")
            );
            Err(Exit(2).into())
        }
    }
}

fn report(project: &Project, info: &Exported) {
    if !info.has_journal {
        let known: Vec<&str> = project.coders.keys().map(String::as_str).collect();
        eprintln!(
            "codewerk: note: coder {} has no journal in {}, so the export has no codings{}",
            info.coder,
            project.codings_dir().display(),
            if known.is_empty() {
                String::new()
            } else {
                format!(" (coders: {})", known.join(", "))
            }
        );
    }
    if info.orphaned > 0 {
        eprintln!(
            "codewerk: warning: {} passage(s) no longer sit on their text after a transcript edit \
             (ambiguous or orphaned) and were left out; `codewerk check` lists them",
            info.orphaned
        );
    }
    if info.interviewer_left_out > 0 {
        eprintln!(
            "codewerk: note: {} in interviewer turns not counted (--include-interviewer counts \
             them)",
            codewerk::core::text::count(info.interviewer_left_out, "passage", "passages")
        );
    }
    if let Some(kept) = &info.kept_existing {
        eprintln!("codewerk: {} exists already and was kept", kept.display());
    }
    if let Some(path) = &info.path {
        println!(
            "Wrote {}: {} passage(s) from {} respondent(s), coder {}",
            path.display(),
            info.passages,
            info.respondents,
            info.coder
        );
    }
}
